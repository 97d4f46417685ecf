/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crash scenario for PBLKARR: block writes (each all-or-nothing), set_zero,
 * set_error, TX() writing two blocks (commit) or one (abort), free and
 * re-create. Operation i depends only on i and whether the array exists.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <pcoll/blkarr.h>

#include "scenario.h"

#define BLK_CYCLE 40
#define BLK_NAME  "blk"
#define BLK_SIZE  512
#define BLK_N     16

enum { B_CREATE, B_WRITE, B_ZERO, B_ERROR, B_TXCOMMIT, B_TXABORT, B_FREE };

static int blk_plan(int i, int exists, uint64_t *b1, uint64_t *b2)
{
	uint64_t h = cr_val(30, (uint64_t)i);
	*b1 = h % BLK_N;
	*b2 = (*b1 + 1 + (h >> 20) % (BLK_N - 1)) % BLK_N;
	if (!exists)
		return B_CREATE;
	switch (i % BLK_CYCLE) {
	case 7:
	case 27:
		return B_ZERO;
	case 9:
		return B_ERROR;
	case 14:
		return B_TXCOMMIT;
	case 15:
		return B_TXABORT;
	case 33:
		return B_FREE;
	default:
		return B_WRITE;
	}
}

static void blk_fill(unsigned char *buf, int i, uint64_t b)
{
	for (size_t p = 0; p < BLK_SIZE; p++)
		buf[p] = (unsigned char)(i * 17 + (int)b * 5 + (int)(p >> 3));
	memcpy(buf, &i, sizeof(i));
}

/* Per block: 0 zeros, -1 marked bad, else 1 + the op that wrote it. */
struct bkmodel {
	int exists;
	int blk[BLK_N];
};

static void bkmodel_apply(struct bkmodel *m, int i)
{
	uint64_t b1, b2;
	switch (blk_plan(i, m->exists, &b1, &b2)) {
	case B_CREATE:
		m->exists = 1;
		memset(m->blk, 0, sizeof(m->blk));
		break;
	case B_WRITE:
		m->blk[b1] = i + 1;
		break;
	case B_ZERO:
		m->blk[b1] = 0;
		break;
	case B_ERROR:
		m->blk[b1] = -1;
		break;
	case B_TXCOMMIT:
		m->blk[b1] = i + 1;
		m->blk[b2] = i + 1;
		break;
	case B_FREE:
		m->exists = 0;
		break;
	default: /* B_TXABORT */
		break;
	}
}

static pc_err blk_op(pc_pool *pool, int i)
{
	pblkarr a;
	pc_err e = pblkarr_root(pool, BLK_NAME, PC_OPEN, BLK_SIZE, 0, &a);
	if (e != PC_OK && e != PC_E_NOTFOUND)
		return e;
	uint64_t b1, b2;
	int kind = blk_plan(i, e == PC_OK, &b1, &b2);
	unsigned char buf[BLK_SIZE], buf2[BLK_SIZE];
	blk_fill(buf, i, b1);
	blk_fill(buf2, i, b2);
	pc_err err = PC_OK;
	static const char *const kinds[] = {"create",    "write",    "zero",
					    "error",     "tx-commit", "tx-abort",
					    "free"};
	cr_op_kind(kinds[kind]);
	switch (kind) {
	case B_CREATE:
		return pblkarr_root(pool, BLK_NAME, PC_CREATE, BLK_SIZE, BLK_N,
				    &a);
	case B_WRITE:
		return pblkarr_write(&a, b1, buf);
	case B_ZERO:
		return pblkarr_set_zero(&a, b1);
	case B_ERROR:
		return pblkarr_set_error(&a, b1);
	case B_TXCOMMIT:
		TX(pool, &err) {
			if (pblkarr_write(&a, b1, buf) != PC_OK ||
			    pblkarr_write(&a, b2, buf2) != PC_OK)
				break;
		}
		return err;
	case B_TXABORT: {
		/* Abort a write to a block that holds data. An aborted FIRST
		 * write of a never-written block leaks its physical block
		 * until the pool is reopened (found by the kill soak; see
		 * docs/crash.md), so the soak would run out of blocks. */
		unsigned char cur[BLK_SIZE], zero[BLK_SIZE] = {0};
		uint64_t tb = b1;
		for (uint64_t t = 0; t < BLK_N; t++) {
			uint64_t c = (b1 + t) % BLK_N;
			if (pblkarr_read(&a, c, cur) == PC_OK &&
			    memcmp(cur, zero, BLK_SIZE) != 0) {
				tb = c;
				break;
			}
		}
		TX(pool, &err) {
			if (pblkarr_read(&a, tb, cur) == PC_OK &&
			    memcmp(cur, zero, BLK_SIZE) != 0 &&
			    pblkarr_write(&a, tb, buf) != PC_OK)
				break;
			(void)pc_tx_abort(PC_E_ABORTED);
			break;
		}
		return err == PC_E_ABORTED
			       ? PC_OK
			       : pc__fail(PC_E_INVAL, "blk: abort gave %s",
					  pc_strerror(err));
	}
	case B_FREE:
		return pblkarr_free(&a);
	default:
		return pc__fail(PC_E_INVAL, "blk: bad op %d", i);
	}
}

static int blk_state_is(pc_pool *pool, int k, char *why, size_t n)
{
	struct bkmodel m;
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < k; i++)
		bkmodel_apply(&m, i);
	pblkarr a;
	pc_err e = pblkarr_root(pool, BLK_NAME, PC_OPEN, BLK_SIZE, 0, &a);
	if (!m.exists) {
		if (e != PC_E_NOTFOUND)
			return cr_why(why, n, "array present (%s)",
				      pc_strerror(e));
		if (cr_count_all_objs(pool) > 1)
			return cr_why(why, n, "%zu objects leaked",
				      cr_count_all_objs(pool) - 1);
		return 0;
	}
	if (e != PC_OK)
		return cr_why(why, n, "array root: %s", pc_errmsg());
	if (pblkarr_nblock(&a) != BLK_N || pblkarr_bsize(&a) != BLK_SIZE)
		return cr_why(why, n, "geometry %llu x %zu",
			      (unsigned long long)pblkarr_nblock(&a),
			      pblkarr_bsize(&a));
	unsigned char got[BLK_SIZE], want[BLK_SIZE];
	for (uint64_t b = 0; b < BLK_N; b++) {
		e = pblkarr_read(&a, b, got);
		if (m.blk[b] < 0) {
			if (e != PC_E_BADBLOCK)
				return cr_why(why, n,
					      "block %llu reads (%s), expected "
					      "a bad block",
					      (unsigned long long)b,
					      pc_strerror(e));
			continue;
		}
		if (e != PC_OK)
			return cr_why(why, n, "block %llu: %s",
				      (unsigned long long)b, pc_errmsg());
		if (m.blk[b] == 0)
			memset(want, 0, sizeof(want));
		else
			blk_fill(want, m.blk[b] - 1, b);
		if (memcmp(got, want, BLK_SIZE) != 0) {
			int who = 0;
			memcpy(&who, got, sizeof(who));
			return cr_why(why, n,
				      "block %llu differs (expected op %d's "
				      "data, first word says %d)",
				      (unsigned long long)b, m.blk[b] - 1, who);
		}
	}
	return 0;
}

static pc_err blk_check(pc_pool *pool)
{
	pblkarr a;
	pc_err e = pblkarr_root(pool, BLK_NAME, PC_OPEN, BLK_SIZE, 0, &a);
	if (e == PC_E_NOTFOUND)
		return PC_OK;
	PC_TRY(e);
	return pblkarr_check(&a);
}

const cr_scenario cr_scn_blk = {
	.name = "blk",
	.nops = BLK_CYCLE,
	.soak_nops = 1000000,
	.op = blk_op,
	.state_is = blk_state_is,
	.check = blk_check,
};
