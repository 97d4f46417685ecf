/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crash scenario: one TX() creates a PVEC, a PMAP, a PLOG and a PBLKARR;
 * then TX() scopes change two or more containers at once (PVEC + PMAP,
 * PVEC + PLOG, PBLKARR + PMAP, all four then abort), each all or nothing
 * across the containers, interleaved with single operations outside any
 * transaction (push, put, append, block write, pop, remove), which use
 * each container's own log-free protocol.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <pcoll/blkarr.h>
#include <pcoll/log.h>

#include "scenario.h"

#define PC_T    uint64_t
#define PC_NAME cr_mvec
#include <pcoll/vec.h>

#define PC_K    uint64_t
#define PC_V    uint64_t
#define PC_NAME cr_mmap
#include <pcoll/map.h>

#define MULTI_CYCLE 60
#define MKEYS       64
#define MBLK        4
#define MBSIZE      256

enum {
	X_CREATE,
	X_VEC_MAP,
	X_POP_REMOVE,
	X_VEC_LOG,
	X_BLK_MAP,
	X_ABORT,
	X_PUSH,
	X_PUT,
	X_APPEND,
	X_WRITE,
	X_POP,
	X_REMOVE
};

static int multi_plan(int i, int exists)
{
	if (!exists)
		return X_CREATE;
	/* TX() scopes and single operations alternate. */
	if (i % 2 == 0)
		return X_PUSH + (i / 2) % 6;
	switch ((i / 2) % 5) {
	case 0:
		return X_VEC_MAP;
	case 1:
		return X_POP_REMOVE;
	case 2:
		return X_VEC_LOG;
	case 3:
		return X_BLK_MAP;
	default:
		return X_ABORT;
	}
}

struct xmodel {
	int exists;
	size_t vlen, vcap;
	uint64_t *v;
	int map_op[MKEYS + MBLK]; /* 0 absent, else 1 + op */
	size_t nlog, lcap;
	uint64_t *log;
	int blk[MBLK]; /* 0 zeros, else 1 + op */
};

static void xm_push(uint64_t **a, size_t *len, size_t *cap, uint64_t x)
{
	if (*len == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*a = (uint64_t *)realloc(*a, *cap * sizeof(uint64_t));
		if (!*a)
			abort();
	}
	(*a)[(*len)++] = x;
}

static void xmodel_apply(struct xmodel *m, int i)
{
	switch (multi_plan(i, m->exists)) {
	case X_CREATE:
		m->exists = 1;
		break;
	case X_VEC_MAP:
		xm_push(&m->v, &m->vlen, &m->vcap, (uint64_t)i);
		m->map_op[i % MKEYS] = i + 1;
		break;
	case X_POP_REMOVE:
		if (m->vlen) {
			uint64_t x = m->v[--m->vlen];
			m->map_op[x % MKEYS] = 0;
		}
		break;
	case X_VEC_LOG:
		xm_push(&m->v, &m->vlen, &m->vcap, (uint64_t)i);
		xm_push(&m->log, &m->nlog, &m->lcap, (uint64_t)i);
		break;
	case X_BLK_MAP:
		m->blk[i % MBLK] = i + 1;
		m->map_op[MKEYS + i % MBLK] = i + 1;
		break;
	case X_PUSH:
		xm_push(&m->v, &m->vlen, &m->vcap, (uint64_t)i);
		break;
	case X_PUT:
		m->map_op[i % MKEYS] = i + 1;
		break;
	case X_APPEND:
		xm_push(&m->log, &m->nlog, &m->lcap, (uint64_t)i);
		break;
	case X_WRITE:
		/* Block 3 is written first by op 3 in a TX (the abort below
		 * relies on it holding data); here blocks 0..2. */
		m->blk[i % (MBLK - 1)] = i + 1;
		break;
	case X_POP:
		if (m->vlen)
			m->vlen--;
		break;
	case X_REMOVE:
		m->map_op[(i / 3) % MKEYS] = 0;
		break;
	default: /* X_ABORT */
		break;
	}
}

typedef struct xh {
	cr_mvec v;
	cr_mmap m;
	plog l;
	pblkarr b;
} xh;

static pc_err xh_open(pc_pool *pool, pc_open_mode mode, xh *x)
{
	PC_TRY(cr_mvec_root(pool, "xv", mode, &x->v));
	PC_TRY(cr_mmap_root(pool, "xm", mode, &x->m));
	PC_TRY(plog_root(pool, "xl", mode, PLOG_MIN_CAPACITY, &x->l));
	return pblkarr_root(pool, "xb", mode, MBSIZE, MBLK, &x->b);
}

static void xblk_fill(unsigned char *buf, int op)
{
	for (size_t p = 0; p < MBSIZE; p++)
		buf[p] = (unsigned char)(op * 3 + (int)p);
}

static pc_err multi_op(pc_pool *pool, int i)
{
	xh x;
	pc_err e = xh_open(pool, PC_OPEN, &x);
	if (e != PC_OK && e != PC_E_NOTFOUND)
		return e;
	int kind = multi_plan(i, e == PC_OK);
	uint64_t val = (uint64_t)i;
	unsigned char blk[MBSIZE];
	xblk_fill(blk, i);
	pc_err err = PC_OK;
	static const char *const kinds[] = {"create",  "vec+map", "pop+remove",
					    "vec+log", "blk+map", "abort-all",
					    "push",    "put",     "append",
					    "write",   "pop",     "remove"};
	cr_op_kind(kinds[kind]);
	switch (kind) {
	case X_CREATE:
		/* All four containers are created by one transaction. */
		TX(pool, &err) {
			if (xh_open(pool, PC_CREATE, &x) != PC_OK)
				break;
		}
		return err;
	case X_VEC_MAP:
		TX(pool, &err) {
			if (cr_mvec_push(&x.v, val) != PC_OK ||
			    cr_mmap_put(&x.m, val % MKEYS, val, NULL) != PC_OK)
				break;
		}
		return err;
	case X_POP_REMOVE:
		if (cr_mvec_len(&x.v) == 0)
			return PC_OK;
		TX(pool, &err) {
			uint64_t out = 0;
			if (!cr_mvec_pop(&x.v, &out))
				break;
			e = cr_mmap_remove(&x.m, out % MKEYS, NULL);
			if (e != PC_OK && e != PC_E_NOTFOUND)
				break;
		}
		return err;
	case X_VEC_LOG:
		TX(pool, &err) {
			if (cr_mvec_push(&x.v, val) != PC_OK ||
			    plog_append(&x.l, &val, sizeof(val)) != PC_OK)
				break;
		}
		return err;
	case X_BLK_MAP:
		TX(pool, &err) {
			if (pblkarr_write(&x.b, val % MBLK, blk) != PC_OK ||
			    cr_mmap_put(&x.m, MKEYS + val % MBLK, val, NULL) !=
				    PC_OK)
				break;
		}
		return err;
	case X_ABORT:
		TX(pool, &err) {
			if (cr_mvec_push(&x.v, 999) != PC_OK ||
			    cr_mmap_put(&x.m, 3, 999, NULL) != PC_OK ||
			    plog_append(&x.l, &val, sizeof(val)) != PC_OK ||
			    /* Block 3 is written by op 3 first: an aborted
			     * first write would leak its physical block
			     * until reopen (reported, see docs/crash.md). */
			    pblkarr_write(&x.b, 3, blk) != PC_OK)
				break;
			(void)pc_tx_abort(PC_E_ABORTED);
			break;
		}
		return err == PC_E_ABORTED
			       ? PC_OK
			       : pc__fail(PC_E_INVAL, "multi: abort gave %s",
					  pc_strerror(err));
	case X_PUSH:
		return cr_mvec_push(&x.v, val);
	case X_PUT:
		return cr_mmap_put(&x.m, val % MKEYS, val, NULL);
	case X_APPEND:
		return plog_append(&x.l, &val, sizeof(val));
	case X_WRITE:
		xblk_fill(blk, i);
		return pblkarr_write(&x.b, val % (MBLK - 1), blk);
	case X_POP: {
		uint64_t out = 0;
		(void)cr_mvec_pop(&x.v, &out);
		return PC_OK;
	}
	case X_REMOVE:
		e = cr_mmap_remove(&x.m, (val / 3) % MKEYS, NULL);
		return e == PC_E_NOTFOUND ? PC_OK : e;
	default:
		return pc__fail(PC_E_INVAL, "multi: bad op %d", i);
	}
}

static int multi_compare(xh *x, const struct xmodel *m, char *why, size_t n)
{
	if (cr_mvec_len(&x->v) != m->vlen)
		return cr_why(why, n, "vec len %zu, expected %zu",
			      cr_mvec_len(&x->v), m->vlen);
	for (size_t j = 0; j < m->vlen; j++)
		if (*cr_mvec_get(&x->v, j) != m->v[j])
			return cr_why(
				why, n, "vec[%zu] = %llu, expected %llu", j,
				(unsigned long long)*cr_mvec_get(&x->v, j),
				(unsigned long long)m->v[j]);
	size_t want = 0;
	for (int k = 0; k < MKEYS + MBLK; k++) {
		const uint64_t *p = cr_mmap_get(&x->m, (uint64_t)k);
		if (!m->map_op[k]) {
			if (p)
				return cr_why(why, n, "map key %d present", k);
			continue;
		}
		want++;
		if (!p || *p != (uint64_t)(m->map_op[k] - 1))
			return cr_why(why, n, "map key %d: %s%llu, expected %d",
				      k, p ? "" : "absent ",
				      p ? (unsigned long long)*p : 0ull,
				      m->map_op[k] - 1);
	}
	if (cr_mmap_len(&x->m) != want)
		return cr_why(why, n, "map has %zu entries, expected %zu",
			      cr_mmap_len(&x->m), want);
	if (plog_count(&x->l) != m->nlog)
		return cr_why(why, n, "log has %llu records, expected %zu",
			      (unsigned long long)plog_count(&x->l), m->nlog);
	plog_iter it;
	if (plog_iter_begin(&x->l, &it) != PC_OK)
		return cr_why(why, n, "log iter: %s", pc_errmsg());
	const void *d;
	size_t len, r = 0;
	int bad = 0;
	while (!bad && plog_iter_next(&it, &d, &len)) {
		uint64_t got = 0;
		if (len == sizeof(got))
			memcpy(&got, d, sizeof(got));
		bad = len != sizeof(got) || r >= m->nlog || got != m->log[r];
		r++;
	}
	plog_iter_end(&it);
	if (bad || r != m->nlog)
		return cr_why(why, n, "log record %zu differs", r - 1);
	unsigned char got[MBSIZE], exp[MBSIZE];
	for (uint64_t b = 0; b < MBLK; b++) {
		if (pblkarr_read(&x->b, b, got) != PC_OK)
			return cr_why(why, n, "block %llu: %s",
				      (unsigned long long)b, pc_errmsg());
		if (m->blk[b])
			xblk_fill(exp, m->blk[b] - 1);
		else
			memset(exp, 0, sizeof(exp));
		if (memcmp(got, exp, MBSIZE) != 0)
			return cr_why(why, n, "block %llu differs",
				      (unsigned long long)b);
	}
	return 0;
}

static int multi_state_is(pc_pool *pool, int k, char *why, size_t n)
{
	struct xmodel m;
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < k; i++)
		xmodel_apply(&m, i);
	int r;
	xh x;
	pc_err e = xh_open(pool, PC_OPEN, &x);
	if (!m.exists) {
		r = 0;
		if (pc_root_count(pool) != 0)
			r = cr_why(why, n, "%zu roots before the creating TX",
				   pc_root_count(pool));
		else if (cr_count_all_objs(pool) > 0)
			r = cr_why(why, n, "%zu objects leaked",
				   cr_count_all_objs(pool));
	} else if (e != PC_OK) {
		r = cr_why(why, n, "open containers: %s", pc_errmsg());
	} else {
		r = multi_compare(&x, &m, why, n);
	}
	free(m.v);
	free(m.log);
	return r;
}

static pc_err multi_check(pc_pool *pool)
{
	xh x;
	pc_err e = xh_open(pool, PC_OPEN, &x);
	if (e == PC_E_NOTFOUND)
		return PC_OK;
	PC_TRY(e);
	PC_TRY(cr_mvec_check(&x.v));
	PC_TRY(cr_mmap_check(&x.m));
	PC_TRY(plog_check(&x.l));
	return pblkarr_check(&x.b);
}

const cr_scenario cr_scn_multi = {
	.name = "multi",
	.nops = MULTI_CYCLE,
	.soak_nops = 1000000,
	.op = multi_op,
	.state_is = multi_state_is,
	.check = multi_check,
};
