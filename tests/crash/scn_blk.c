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

/* The single-block operations both scenarios run. */
enum { DO_WRITE, DO_ZERO, DO_ERROR, DO_TXCOMMIT };

static pc_err blk_do(pc_pool *pool, pblkarr *a, int what, uint64_t b1,
		     uint64_t b2, const unsigned char *buf,
		     const unsigned char *buf2)
{
	pc_err err = PC_OK;
	switch (what) {
	case DO_WRITE:
		return pblkarr_write(a, b1, buf);
	case DO_ZERO:
		return pblkarr_set_zero(a, b1);
	case DO_ERROR:
		return pblkarr_set_error(a, b1);
	default: /* DO_TXCOMMIT: two blocks in one transaction */
		TX(pool, &err) {
			if (pblkarr_write(a, b1, buf) != PC_OK ||
			    pblkarr_write(a, b2, buf2) != PC_OK)
				break;
		}
		return err;
	}
}

/* Block b must read as the model says: st 0 zeros, -1 a bad block, else
 * the bytes at data (op st - 1 wrote them). 0, or 1 with why. */
static int blk_expect(const pblkarr *a, uint64_t b, int st,
		      const unsigned char *data, char *why, size_t n)
{
	unsigned char got[BLK_SIZE];
	size_t bs = pblkarr_bsize(a);
	if (bs > sizeof(got))
		return cr_why(why, n, "block size %zu", bs);
	pc_err e = pblkarr_read(a, b, got);
	if (st < 0)
		return e == PC_E_BADBLOCK
			       ? 0
			       : cr_why(why, n,
					"block %llu reads (%s), expected a bad "
					"block",
					(unsigned long long)b, pc_strerror(e));
	if (e != PC_OK)
		return cr_why(why, n, "block %llu: %s", (unsigned long long)b,
			      pc_errmsg());
	static const unsigned char zero[BLK_SIZE];
	if (memcmp(got, st ? data : zero, bs) != 0) {
		int who = 0;
		memcpy(&who, got, sizeof(who));
		return cr_why(
			why, n,
			"block %llu differs (expected op %d's data, first "
			"word says %d)",
			(unsigned long long)b, st - 1, who);
	}
	return 0;
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
	static const char *const kinds[] = {"create", "write",     "zero",
					    "error",  "tx-commit", "tx-abort",
					    "free"};
	cr_op_kind(kinds[kind]);
	switch (kind) {
	case B_CREATE:
		return pblkarr_root(pool, BLK_NAME, PC_CREATE, BLK_SIZE, BLK_N,
				    &a);
	case B_WRITE:
		return blk_do(pool, &a, DO_WRITE, b1, b2, buf, buf2);
	case B_ZERO:
		return blk_do(pool, &a, DO_ZERO, b1, b2, buf, buf2);
	case B_ERROR:
		return blk_do(pool, &a, DO_ERROR, b1, b2, buf, buf2);
	case B_TXCOMMIT:
		return blk_do(pool, &a, DO_TXCOMMIT, b1, b2, buf, buf2);
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
	unsigned char want[BLK_SIZE];
	for (uint64_t b = 0; b < BLK_N; b++) {
		if (m.blk[b] > 0)
			blk_fill(want, m.blk[b] - 1, b);
		if (blk_expect(&a, b, m.blk[b], want, why, n))
			return 1;
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

/* ================================================================== */
/* blk-mt: concurrent lanes                                             */
/* ================================================================== */

/*
 * MT_THREADS threads write one array at once, each its own blocks
 * (thread t owns blocks t, t + MT_THREADS, ...), so each thread's part of
 * the state is its own: overwrites (each thread on its own lane),
 * first writes (the dense allocator, shared), set_zero, set_error and
 * TX() writing two of its blocks, committed or aborted. The simulator
 * interleaves the threads at every flush and fence, so crash points fall
 * between one thread's data fence and its map store while other threads
 * complete writes.
 */
#define MT_THREADS 3
#define MT_PER     8 /* blocks per thread */
#define MT_N       (MT_THREADS * MT_PER)
#define MT_BSIZE   256
#define MT_CYCLE   24
#define MT_NAME    "blkmt"

enum { T_WRITE, T_ZERO, T_ERROR, T_TXCOMMIT, T_TXABORT };

static const char *const mt_kind[] = {"write", "zero", "error", "tx-commit",
				      "tx-abort"};

/* Operation i of thread t: its kind and one or two of t's blocks. */
static int mt_plan(int t, int i, uint64_t *b1, uint64_t *b2)
{
	uint64_t h = cr_val(50 + (uint64_t)t, (uint64_t)i);
	uint64_t j1 = h % MT_PER,
		 j2 = (j1 + 1 + (h >> 20) % (MT_PER - 1)) % MT_PER;
	*b1 = (uint64_t)t + MT_THREADS * j1;
	*b2 = (uint64_t)t + MT_THREADS * j2;
	switch (i % MT_CYCLE) {
	case 5:
		return T_ZERO;
	case 9:
	case 19:
		return T_ERROR;
	case 7:
	case 15:
		return T_TXCOMMIT;
	case 11:
	case 22:
		return T_TXABORT;
	default:
		return T_WRITE;
	}
}

static void mt_fill(unsigned char *buf, int t, int i, uint64_t b)
{
	for (size_t p = 0; p < MT_BSIZE; p++)
		buf[p] = (unsigned char)(t * 101 + i * 17 + (int)b * 5 +
					 (int)(p >> 3));
	memcpy(buf, &i, sizeof(i));
}

/* 1 for the variant that lets TX() write blocks never written before
 * (the known race below). */
static int mt_tx_first;

/*
 * Per block of thread t: 0 zeros, -1 bad, else 1 + the op that wrote it;
 * ever[b]: block b was written once (it owns a physical block).
 *
 * A TX() commit writes two blocks written before: a first write inside a
 * transaction races with first writes of other threads in PBLKARR (found
 * by this scenario, see docs/crash.md: pc__blk_resolve() takes the
 * running transaction's freshly allocated block for one orphaned by an
 * abort, before the transaction stores its map entry, and gives it out
 * again). Known-bug test: crash/known_blk_tx_first_write_race.
 */
static int mt_txpick(int t, int i, const int *ever, uint64_t *b1, uint64_t *b2)
{
	if (mt_tx_first)
		return 1;
	uint64_t c[MT_PER];
	int n = 0;
	for (uint64_t b = (uint64_t)t; b < MT_N; b += MT_THREADS)
		if (ever[b])
			c[n++] = b;
	if (n < 2)
		return 0;
	uint64_t h = cr_val(60 + (uint64_t)t, (uint64_t)i);
	*b1 = c[h % (uint64_t)n];
	*b2 = c[(h % (uint64_t)n + 1 + (h >> 20) % (uint64_t)(n - 1)) %
		(uint64_t)n];
	return 1;
}

static void mt_model_ever(int t, int k, int blk[MT_N], int ever[MT_N])
{
	memset(blk, 0, MT_N * sizeof(int));
	memset(ever, 0, MT_N * sizeof(int));
	for (int i = 0; i < k; i++) {
		uint64_t b1, b2;
		int kind = mt_plan(t, i, &b1, &b2);
		if (kind == T_TXCOMMIT && !mt_txpick(t, i, ever, &b1, &b2))
			kind = T_WRITE;
		switch (kind) {
		case T_WRITE:
			blk[b1] = i + 1;
			ever[b1] = 1;
			break;
		case T_ZERO:
			blk[b1] = 0;
			break;
		case T_ERROR:
			blk[b1] = -1;
			break;
		case T_TXCOMMIT:
			blk[b1] = i + 1;
			blk[b2] = i + 1;
			ever[b1] = ever[b2] = 1;
			break;
		default: /* T_TXABORT */
			break;
		}
	}
}

static void mt_model(int t, int k, int blk[MT_N])
{
	int ever[MT_N];
	mt_model_ever(t, k, blk, ever);
}

static pc_err mt_setup(pc_pool *pool)
{
	pblkarr a;
	return pblkarr_root(pool, MT_NAME, PC_CREATE, MT_BSIZE, MT_N, &a);
}

static pc_err mt_op(pc_pool *pool, int t, int i)
{
	pblkarr a;
	PC_TRY(pblkarr_root(pool, MT_NAME, PC_OPEN, MT_BSIZE, 0, &a));
	uint64_t b1, b2;
	int kind = mt_plan(t, i, &b1, &b2);
	if (kind == T_TXCOMMIT) {
		int blk[MT_N], ever[MT_N];
		mt_model_ever(t, i, blk, ever);
		if (!mt_txpick(t, i, ever, &b1, &b2))
			kind = T_WRITE;
	}
	unsigned char buf[MT_BSIZE], buf2[MT_BSIZE];
	mt_fill(buf, t, i, b1);
	mt_fill(buf2, t, i, b2);
	pc_err err = PC_OK;
	cr_op_kind(mt_kind[kind]);
	switch (kind) {
	case T_WRITE:
		return blk_do(pool, &a, DO_WRITE, b1, b2, buf, buf2);
	case T_ZERO:
		return blk_do(pool, &a, DO_ZERO, b1, b2, buf, buf2);
	case T_ERROR:
		return blk_do(pool, &a, DO_ERROR, b1, b2, buf, buf2);
	case T_TXCOMMIT:
		return blk_do(pool, &a, DO_TXCOMMIT, b1, b2, buf, buf2);
	case T_TXABORT: {
		/* Only blocks that hold data (see the blk scenario). */
		int blk[MT_N];
		mt_model(t, i, blk);
		TX(pool, &err) {
			if (blk[b1] > 0 && pblkarr_write(&a, b1, buf) != PC_OK)
				break;
			(void)pc_tx_abort(PC_E_ABORTED);
			break;
		}
		return err == PC_E_ABORTED
			       ? PC_OK
			       : pc__fail(PC_E_INVAL, "blk-mt: abort gave %s",
					  pc_strerror(err));
	}
	default:
		return pc__fail(PC_E_INVAL, "blk-mt: bad op %d", i);
	}
}

static int mt_state(pc_pool *pool, int t, int k, char *why, size_t n)
{
	int blk[MT_N];
	mt_model(t, k, blk);
	pblkarr a;
	pc_err e = pblkarr_root(pool, MT_NAME, PC_OPEN, MT_BSIZE, 0, &a);
	if (e != PC_OK)
		return cr_why(why, n, "array root: %s", pc_errmsg());
	unsigned char want[MT_BSIZE];
	for (uint64_t b = (uint64_t)t; b < MT_N; b += MT_THREADS) {
		if (blk[b] > 0)
			mt_fill(want, t, blk[b] - 1, b);
		if (blk_expect(&a, b, blk[b], want, why, n))
			return 1;
	}
	return 0;
}

static pc_err mt_check(pc_pool *pool)
{
	pblkarr a;
	PC_TRY(pblkarr_root(pool, MT_NAME, PC_OPEN, MT_BSIZE, 0, &a));
	return pblkarr_check(&a);
}

void cr_blk_mt_tx_first(int on)
{
	mt_tx_first = on;
}

/* Continuing the workload on a recovered image runs every thread's
 * operations in one thread, so through one lane; that shows a known
 * PBLKARR bug (docs/crash.md, test crash/known_blk_lane_after_crash): a
 * lane whose write a crash cut short keeps a log record that reads as
 * published once another lane overwrites the same block. Off until fixed. */
const cr_scenario cr_scn_blk_mt = {
	.name = "blk-mt",
	.nops = MT_CYCLE,
	.soak_nops = 1000000,
	.nthreads = MT_THREADS,
	.no_continue = 1,
	.setup = mt_setup,
	.op_t = mt_op,
	.state_t = mt_state,
	.check = mt_check,
};
