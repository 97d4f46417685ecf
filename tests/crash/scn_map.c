/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crash scenarios for PMAP:
 *
 *  map-u64   PMAP(uint64_t, uint64_t); setup fills one leaf to 60 of 64
 *            slots, so the tracked operations split it early; then
 *            inserts, in-place puts, removes, TX() scopes with several
 *            changes (commit and abort), a TX removing half the key range
 *            (emptied leaves are unlinked and freed), clear, free and
 *            re-create;
 *  map-str   the same on PMAP(bytes, bytes): inline (<= 23 bytes) and
 *            allocated (30-byte) keys, values of 5 to 100 bytes;
 *  map-vals  PMAP(bytes, bytes) with 24 keys whose values are replaced
 *            over and over (5 to 300 bytes: inline to allocated and back,
 *            out of place), removed and put back, in and outside TX();
 *  map-big   PMAP(uint64_t, uint64_t) with 63 full leaves under a root of
 *            62 keys (setup: 4032 keys): the first tracked inserts split a
 *            leaf and then the root (the tree grows to height 2), later
 *            ones split more leaves (inside TX() too, committed and
 *            aborted); TX ranges empty whole leaves, which are unlinked.
 *
 * Operation i depends only on i and the map's content, so the kill soak
 * and the checker's continuation can run it for any i.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define PC_K    uint64_t
#define PC_V    uint64_t
#define PC_NAME cr_mapu
#include <pcoll/map.h>

#define PC_K_BYTES
#define PC_V_BYTES
#define PC_NAME cr_maps
#include <pcoll/map.h>

#define MAP_CYCLE  60
#define KEY_BASE   1000
#define MAX_SPAN   8064
#define PREFILL_OP (-1000000)

enum {
	M_CREATE,
	M_INSERT,
	M_PUT,
	M_REMOVE,
	M_TXMIX,
	M_TXABORT,
	M_TXRANGE,
	M_CLEAR,
	M_FREE,
	M_TXINSERT
};

static const char *const map_kind[] = {
	"create",   "insert",   "put",   "remove", "tx-mix",
	"tx-abort", "tx-range", "clear", "free",   "tx-insert"};

/* One scenario's shape. */
typedef struct mcfg {
	const char *root;
	int str;  /* PMAP(bytes, bytes) */
	int span; /* keys are 0 .. span-1 */
	int vals; /* map-vals value lengths */
	int (*plan)(int i, int exists, int *key);
	void (*prefill)(int *present, int *op); /* the setup's content */
	int range_lo, range_hi;                 /* keys removed by M_TXRANGE */
} mcfg;

struct mmodel {
	int exists;
	int present[MAX_SPAN];
	int op[MAX_SPAN]; /* the op that wrote the value */
};

/* ------------------------------------------------------------------ */
/* Plans                                                                */
/* ------------------------------------------------------------------ */

static int plan_small(int i, int exists, int *key)
{
	uint64_t h = cr_val(40, (uint64_t)i);
	*key = (int)((h >> 8) % 200);
	if (!exists)
		return M_CREATE;
	int c = i % MAP_CYCLE;
	if (c < 8) {
		*key = 1 + 2 * c; /* odd keys: new, force the split */
		return M_INSERT;
	}
	switch (c) {
	case 20:
		return M_TXABORT;
	case 41:
		return M_TXRANGE;
	case 50:
		return M_CLEAR;
	case 55:
		return M_FREE;
	default:
		break;
	}
	switch (h % 5) {
	case 0:
	case 1:
		return M_INSERT;
	case 2:
		return M_PUT;
	case 3:
		return M_REMOVE;
	default:
		return M_TXMIX;
	}
}

static void prefill_small(int *present, int *op)
{
	for (int j = 0; j < 60; j++) {
		present[2 * j] = 1;
		op[2 * j] = PREFILL_OP - j;
	}
}

#define VALS_KEYS 24

static int plan_vals(int i, int exists, int *key)
{
	uint64_t h = cr_val(43, (uint64_t)i);
	*key = (int)((h >> 8) % VALS_KEYS);
	if (!exists)
		return M_CREATE;
	int c = i % MAP_CYCLE;
	if (c == 17 || c == 44)
		return M_TXABORT;
	if (c == 58)
		return M_FREE;
	switch (h % 8) {
	case 0:
		return M_REMOVE;
	case 1:
		return M_TXMIX;
	default:
		return M_PUT; /* mostly replaces */
	}
}

static void prefill_vals(int *present, int *op)
{
	for (int j = 0; j < VALS_KEYS; j++) {
		present[j] = 1;
		op[j] = PREFILL_OP - j;
	}
}

/* map-big: keys 0 .. 8063; the setup holds every even key. Odd keys go
 * into full leaves. */
#define BIG_HALF 2016

static int plan_big(int i, int exists, int *key)
{
	uint64_t h = cr_val(44, (uint64_t)i);
	*key = (int)((h >> 8) % (4 * BIG_HALF));
	if (!exists)
		return M_CREATE;
	int c = i % MAP_CYCLE;
	if (c < 6 || c % 5 == 1) {
		/* An odd key in a leaf far from the last ones: a split. */
		*key = 4 * (int)((uint64_t)(c * 331 + i / MAP_CYCLE * 97) %
				 BIG_HALF) +
		       1;
		return M_INSERT;
	}
	switch (c) {
	case 12:
	case 33:
		*key = 4 * (int)((h >> 16) % BIG_HALF) + 3;
		return M_TXINSERT;
	case 20:
		*key = 4 * (int)((h >> 16) % BIG_HALF) + 3;
		return M_TXABORT;
	case 27:
		return M_TXRANGE;
	case 57:
		return M_CLEAR;
	default:
		break;
	}
	switch (h % 3) {
	case 0:
		return M_PUT;
	case 1:
		return M_REMOVE;
	default:
		return M_TXMIX;
	}
}

static void prefill_big(int *present, int *op)
{
	for (int j = 0; j < 2 * BIG_HALF; j++) {
		present[2 * j] = 1;
		op[2 * j] = PREFILL_OP - j;
	}
}

static const mcfg cfg_u64 = {"mapu",        0, 200, 0, plan_small,
			     prefill_small, 0, 100};
static const mcfg cfg_str = {"maps",        1, 200, 0, plan_small,
			     prefill_small, 0, 100};
static const mcfg cfg_vals = {"mapv",       1, VALS_KEYS, 1, plan_vals,
			      prefill_vals, 0, 0};
/* The TX range: about two leaves' worth of keys (64 keys each). */
static const mcfg cfg_big = {"mapb",   0,           4 * BIG_HALF, 0,
			     plan_big, prefill_big, 2000,         2300};

/* The three keys a TX op touches and what it does to each: 0 put,
 * 1 remove. */
static void txmix_keys(const mcfg *cf, int i, int k[3], int what[3])
{
	for (int j = 0; j < 3; j++) {
		uint64_t h = cr_val(41, (uint64_t)i * 4 + (uint64_t)j);
		k[j] = (int)(h % (uint64_t)cf->span);
		what[j] = (int)((h >> 20) % 3 == 0);
	}
	if (k[1] == k[0])
		k[1] = (k[0] + 1) % cf->span;
	while (k[2] == k[0] || k[2] == k[1])
		k[2] = (k[2] + 1) % cf->span;
}

static struct mmodel *mmodel_new(const mcfg *cf)
{
	struct mmodel *m = (struct mmodel *)calloc(1, sizeof(*m));
	if (!m)
		abort();
	m->exists = 1;
	cf->prefill(m->present, m->op);
	return m;
}

static void mmodel_apply(const mcfg *cf, struct mmodel *m, int i)
{
	int key;
	int kind = cf->plan(i, m->exists, &key);
	switch (kind) {
	case M_CREATE:
		memset(m, 0, sizeof(*m));
		m->exists = 1;
		break;
	case M_INSERT:
	case M_TXINSERT:
		if (!m->present[key]) {
			m->present[key] = 1;
			m->op[key] = i;
		}
		break;
	case M_PUT:
		m->present[key] = 1;
		m->op[key] = i;
		break;
	case M_REMOVE:
		m->present[key] = 0;
		break;
	case M_TXMIX: {
		int k[3], what[3];
		txmix_keys(cf, i, k, what);
		for (int j = 0; j < 3; j++) {
			m->present[k[j]] = !what[j];
			m->op[k[j]] = i;
		}
		break;
	}
	case M_TXRANGE:
		for (int j = cf->range_lo; j < cf->range_hi; j++)
			m->present[j] = 0;
		break;
	case M_CLEAR:
		memset(m->present, 0, sizeof(m->present));
		break;
	case M_FREE:
		memset(m, 0, sizeof(*m));
		break;
	default: /* M_TXABORT */
		break;
	}
}

/* ------------------------------------------------------------------ */
/* The two instantiations behind one small interface                    */
/* ------------------------------------------------------------------ */

typedef struct mh {
	const mcfg *cf;
	cr_mapu u;
	cr_maps s;
} mh;

static uint64_t uval(int op, int key)
{
	return cr_val(42, (uint64_t)(int64_t)op * 8192 + (uint64_t)key);
}

static size_t skey(int key, char *buf)
{
	if (key % 3 == 0)
		return (size_t)snprintf(buf, 40, "long-key-with-padding-%07d",
					KEY_BASE + key);
	return (size_t)snprintf(buf, 40, "k%05d", KEY_BASE + key);
}

#define VMAX 300

static size_t sval(const mcfg *cf, int op, int key, unsigned char *buf)
{
	static const size_t lens[] = {5, 23, 24, 100};
	static const size_t vlens[] = {5, 23, 24, 60, 100, 300};
	uint64_t h = uval(op, key);
	size_t len = cf->vals ? vlens[h % 6] : lens[h % 4];
	for (size_t p = 0; p < len; p++)
		buf[p] = (unsigned char)(h >> (8 * (p % 8))) ^ (unsigned char)p;
	return len;
}

static pc_err mh_root(pc_pool *pool, const mcfg *cf, pc_open_mode mode, mh *m)
{
	memset(m, 0, sizeof(*m));
	m->cf = cf;
	if (cf->str)
		return cr_maps_root(pool, cf->root, mode, &m->s);
	return cr_mapu_root(pool, cf->root, mode, &m->u);
}

static pc_err mh_insert(mh *m, int key, int op, int put)
{
	if (m->cf->str) {
		char kb[40];
		unsigned char vb[VMAX];
		pc_slice k = pc_slice_make(kb, skey(key, kb));
		pc_slice v = pc_slice_make(vb, sval(m->cf, op, key, vb));
		return put ? cr_maps_put(&m->s, k, v, NULL)
			   : cr_maps_insert(&m->s, k, v);
	}
	uint64_t k = (uint64_t)(KEY_BASE + key);
	return put ? cr_mapu_put(&m->u, k, uval(op, key), NULL)
		   : cr_mapu_insert(&m->u, k, uval(op, key));
}

static pc_err mh_remove(mh *m, int key)
{
	if (m->cf->str) {
		char kb[40];
		return cr_maps_remove(&m->s, pc_slice_make(kb, skey(key, kb)),
				      NULL);
	}
	return cr_mapu_remove(&m->u, (uint64_t)(KEY_BASE + key), NULL);
}

static pc_err mh_clear(mh *m)
{
	return m->cf->str ? cr_maps_clear(&m->s) : cr_mapu_clear(&m->u);
}

static pc_err mh_free(mh *m)
{
	return m->cf->str ? cr_maps_free(&m->s) : cr_mapu_free(&m->u);
}

static pc_err mh_check(mh *m)
{
	return m->cf->str ? cr_maps_check(&m->s) : cr_mapu_check(&m->u);
}

static size_t mh_len(mh *m)
{
	return m->cf->str ? cr_maps_len(&m->s) : cr_mapu_len(&m->u);
}

static int key_cmp_str(const void *a, const void *b)
{
	char ka[40], kb[40];
	size_t la = skey(*(const int *)a, ka), lb = skey(*(const int *)b, kb);
	int c = memcmp(ka, kb, la < lb ? la : lb);
	return c ? c : (la > lb) - (la < lb);
}

/* Walk the map in key order and compare with the model. */
static int mh_compare(mh *m, const struct mmodel *md, char *why, size_t n)
{
	const mcfg *cf = m->cf;
	/* The model's keys in the map's order. */
	static int order[MAX_SPAN];
	int cnt = 0;
	for (int k = 0; k < cf->span; k++)
		if (md->present[k])
			order[cnt++] = k;
	if (cf->str)
		qsort(order, (size_t)cnt, sizeof(int), key_cmp_str);
	if (mh_len(m) != (size_t)cnt)
		return cr_why(why, n, "%zu entries, expected %d", mh_len(m),
			      cnt);
	int idx = 0;
	if (cf->str) {
		cr_maps_iter it;
		for (bool ok = cr_maps_first(&m->s, &it); ok;
		     ok = cr_maps_next(&it), idx++) {
			if (idx >= cnt)
				return cr_why(why, n, "extra entry %d", idx);
			int k = order[idx];
			char kb[40];
			unsigned char vb[VMAX];
			size_t kl = skey(k, kb);
			size_t vl = sval(cf, md->op[k], k, vb);
			if (it.key.len != kl || memcmp(it.key.ptr, kb, kl) != 0)
				return cr_why(why, n,
					      "entry %d: key %.*s, expected %s",
					      idx, (int)it.key.len,
					      (const char *)it.key.ptr, kb);
			if (it.val.len != vl || memcmp(it.val.ptr, vb, vl) != 0)
				return cr_why(why, n,
					      "key %s: value of %zu bytes, "
					      "expected op %d's %zu bytes",
					      kb, it.val.len, md->op[k], vl);
		}
	} else {
		cr_mapu_iter it;
		for (bool ok = cr_mapu_first(&m->u, &it); ok;
		     ok = cr_mapu_next(&it), idx++) {
			if (idx >= cnt)
				return cr_why(why, n, "extra entry %d", idx);
			int k = order[idx];
			if (*it.key != (uint64_t)(KEY_BASE + k))
				return cr_why(why, n,
					      "entry %d: key %llu, expected %d",
					      idx, (unsigned long long)*it.key,
					      KEY_BASE + k);
			if (*it.val != uval(md->op[k], k))
				return cr_why(why, n,
					      "key %d: value %llx, expected "
					      "op %d's",
					      KEY_BASE + k,
					      (unsigned long long)*it.val,
					      md->op[k]);
		}
	}
	if (idx != cnt)
		return cr_why(why, n, "walked %d entries, expected %d", idx,
			      cnt);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Scenario functions                                                   */
/* ------------------------------------------------------------------ */

static pc_err map_setup(pc_pool *pool, const mcfg *cf)
{
	mh m;
	PC_TRY(mh_root(pool, cf, PC_CREATE, &m));
	struct mmodel *md = mmodel_new(cf);
	pc_err e = PC_OK;
	/* In key order, even keys first: sequential inserts leave leaves
	 * half full, the second pass fills them. */
	for (int pass = 0; pass < 2 && e == PC_OK; pass++)
		for (int k = 0; k < cf->span && e == PC_OK; k++)
			if (md->present[k] && (k % 4 == 0) == (pass == 0))
				e = mh_insert(&m, k, md->op[k], 0);
	free(md);
	return e;
}

static pc_err map_op(pc_pool *pool, const mcfg *cf, int i)
{
	mh m;
	pc_err e = mh_root(pool, cf, PC_OPEN, &m);
	if (e != PC_OK && e != PC_E_NOTFOUND)
		return e;
	int key;
	int kind = cf->plan(i, e == PC_OK, &key);
	pc_err err = PC_OK;
	cr_op_kind(map_kind[kind]);
	switch (kind) {
	case M_CREATE:
		return mh_root(pool, cf, PC_CREATE, &m);
	case M_INSERT:
		e = mh_insert(&m, key, i, 0);
		return e == PC_E_EXISTS ? PC_OK : e;
	case M_PUT:
		return mh_insert(&m, key, i, 1);
	case M_REMOVE:
		e = mh_remove(&m, key);
		return e == PC_E_NOTFOUND ? PC_OK : e;
	case M_TXINSERT:
		TX(pool, &err) {
			e = mh_insert(&m, key, i, 0);
			if (e != PC_OK && e != PC_E_EXISTS)
				break;
		}
		return err;
	case M_TXMIX: {
		int k[3], what[3];
		txmix_keys(cf, i, k, what);
		TX(pool, &err) {
			int ok = 1;
			for (int j = 0; j < 3 && ok; j++) {
				if (what[j]) {
					e = mh_remove(&m, k[j]);
					ok = e == PC_OK || e == PC_E_NOTFOUND;
				} else {
					ok = mh_insert(&m, k[j], i, 1) == PC_OK;
				}
			}
			if (!ok)
				break;
		}
		return err;
	}
	case M_TXABORT:
		TX(pool, &err) {
			if (mh_insert(&m, key, i, 1) != PC_OK)
				break;
			e = mh_remove(&m, (key + 7) % cf->span);
			if (e != PC_OK && e != PC_E_NOTFOUND)
				break;
			(void)pc_tx_abort(PC_E_ABORTED);
			break;
		}
		return err == PC_E_ABORTED
			       ? PC_OK
			       : pc__fail(PC_E_INVAL, "map: abort gave %s",
					  pc_strerror(err));
	case M_TXRANGE:
		TX(pool, &err) {
			int ok = 1;
			for (int k = cf->range_lo; k < cf->range_hi && ok;
			     k++) {
				e = mh_remove(&m, k);
				ok = e == PC_OK || e == PC_E_NOTFOUND;
			}
			if (!ok)
				break;
		}
		return err;
	case M_CLEAR:
		return mh_clear(&m);
	case M_FREE:
		return mh_free(&m);
	default:
		return pc__fail(PC_E_INVAL, "map: bad op %d", i);
	}
}

static int map_state_is(pc_pool *pool, const mcfg *cf, int k, char *why,
			size_t n)
{
	struct mmodel *md = mmodel_new(cf);
	for (int i = 0; i < k; i++)
		mmodel_apply(cf, md, i);
	mh m;
	pc_err e = mh_root(pool, cf, PC_OPEN, &m);
	int r;
	if (!md->exists)
		r = e == PC_E_NOTFOUND ? 0
				       : cr_why(why, n, "map present (%s)",
						pc_strerror(e));
	else if (e != PC_OK)
		r = cr_why(why, n, "map root: %s", pc_errmsg());
	else
		r = mh_compare(&m, md, why, n);
	free(md);
	return r;
}

static pc_err map_check(pc_pool *pool, const mcfg *cf)
{
	mh m;
	pc_err e = mh_root(pool, cf, PC_OPEN, &m);
	if (e == PC_E_NOTFOUND)
		return PC_OK;
	PC_TRY(e);
	return mh_check(&m);
}

#define MAP_SCENARIO(VAR, NAME, CFG)                                         \
	static pc_err VAR##_setup(pc_pool *pool)                             \
	{                                                                    \
		return map_setup(pool, &CFG);                                \
	}                                                                    \
	static pc_err VAR##_op(pc_pool *pool, int i)                         \
	{                                                                    \
		return map_op(pool, &CFG, i);                                \
	}                                                                    \
	static int VAR##_state_is(pc_pool *pool, int k, char *why, size_t n) \
	{                                                                    \
		return map_state_is(pool, &CFG, k, why, n);                  \
	}                                                                    \
	static pc_err VAR##_check(pc_pool *pool)                             \
	{                                                                    \
		return map_check(pool, &CFG);                                \
	}                                                                    \
	const cr_scenario cr_scn_##VAR = {                                   \
		.name = NAME,                                                \
		.nops = MAP_CYCLE,                                           \
		.soak_nops = 1000000,                                        \
		.setup = VAR##_setup,                                        \
		.op = VAR##_op,                                              \
		.state_is = VAR##_state_is,                                  \
		.check = VAR##_check,                                        \
	}

MAP_SCENARIO(map_u64, "map-u64", cfg_u64);
MAP_SCENARIO(map_str, "map-str", cfg_str);
MAP_SCENARIO(map_vals, "map-vals", cfg_vals);
MAP_SCENARIO(map_big, "map-big", cfg_big);
