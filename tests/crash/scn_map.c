/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crash scenarios for PMAP with integer keys (PMAP(uint64_t, uint64_t))
 * and with byte-string keys and values (PMAP(bytes, bytes)).
 *
 * Setup (not tracked) fills one leaf to 60 of its 64 slots, so the
 * tracked operations split it early; then inserts, in-place and
 * out-of-place puts, removes, TX() scopes with several changes (commit and
 * abort), a TX that removes a whole key range (emptied leaves are freed),
 * clear, free and re-create. String keys are short (inline) or 30 bytes
 * (allocated); values are 5 to 100 bytes. Operation i depends only on i and
 * the map's current content, so the kill soak can run it for any i.
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
#define KEY_SPAN   200
#define PREFILL    60
#define PREFILL_OP (-1000)

/* ------------------------------------------------------------------ */
/* Plan and model (shared by both maps)                                 */
/* ------------------------------------------------------------------ */

enum {
	M_CREATE,
	M_INSERT,
	M_PUT,
	M_REMOVE,
	M_TXMIX,
	M_TXABORT,
	M_TXRANGE,
	M_CLEAR,
	M_FREE
};

static const char *const map_kind[] = {"create",	  "insert", "put",
				       "remove",	  "tx-mix", "tx-abort",
				       "tx-range", "clear",  "free"};

struct mmodel {
	int exists;
	int present[KEY_SPAN];
	int op[KEY_SPAN]; /* the op that wrote the value */
};

static int map_plan(int i, int exists, int *key)
{
	uint64_t h = cr_val(40, (uint64_t)i);
	*key = (int)((h >> 8) % KEY_SPAN);
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

/* The three keys a TX op touches and what it does to each: 0 put,
 * 1 remove. */
static void txmix_keys(int i, int k[3], int what[3])
{
	for (int j = 0; j < 3; j++) {
		uint64_t h = cr_val(41, (uint64_t)i * 4 + (uint64_t)j);
		k[j] = (int)(h % KEY_SPAN);
		what[j] = (int)((h >> 20) % 3 == 0);
	}
	if (k[1] == k[0])
		k[1] = (k[0] + 1) % KEY_SPAN;
	while (k[2] == k[0] || k[2] == k[1])
		k[2] = (k[2] + 1) % KEY_SPAN;
}

static void mmodel_init(struct mmodel *m)
{
	memset(m, 0, sizeof(*m));
	m->exists = 1;
	for (int j = 0; j < PREFILL; j++) {
		m->present[2 * j] = 1;
		m->op[2 * j] = PREFILL_OP - j;
	}
}

static void mmodel_apply(struct mmodel *m, int i)
{
	int key;
	int kind = map_plan(i, m->exists, &key);
	switch (kind) {
	case M_CREATE:
		memset(m, 0, sizeof(*m));
		m->exists = 1;
		break;
	case M_INSERT:
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
		txmix_keys(i, k, what);
		for (int j = 0; j < 3; j++) {
			m->present[k[j]] = !what[j];
			m->op[k[j]] = i;
		}
		break;
	}
	case M_TXRANGE:
		for (int j = 0; j < KEY_SPAN / 2; j++)
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
	int str;
	cr_mapu u;
	cr_maps s;
} mh;

static uint64_t uval(int op, int key)
{
	return cr_val(42, (uint64_t)(int64_t)op * 4096 + (uint64_t)key);
}

static size_t skey(int key, char *buf)
{
	if (key % 3 == 0)
		return (size_t)snprintf(buf, 40, "long-key-with-padding-%07d",
					KEY_BASE + key);
	return (size_t)snprintf(buf, 40, "k%05d", KEY_BASE + key);
}

static size_t sval(int op, int key, unsigned char *buf)
{
	static const size_t lens[] = {5, 23, 24, 100};
	uint64_t h = uval(op, key);
	size_t len = lens[h % 4];
	for (size_t p = 0; p < len; p++)
		buf[p] = (unsigned char)(h >> (8 * (p % 8))) ^ (unsigned char)p;
	return len;
}

static pc_err mh_root(pc_pool *pool, const char *name, int str,
		      pc_open_mode mode, mh *m)
{
	memset(m, 0, sizeof(*m));
	m->str = str;
	if (str)
		return cr_maps_root(pool, name, mode, &m->s);
	return cr_mapu_root(pool, name, mode, &m->u);
}

static pc_err mh_insert(mh *m, int key, int op, int put)
{
	if (m->str) {
		char kb[40];
		unsigned char vb[128];
		pc_slice k = pc_slice_make(kb, skey(key, kb));
		pc_slice v = pc_slice_make(vb, sval(op, key, vb));
		return put ? cr_maps_put(&m->s, k, v, NULL)
			   : cr_maps_insert(&m->s, k, v);
	}
	uint64_t k = (uint64_t)(KEY_BASE + key);
	return put ? cr_mapu_put(&m->u, k, uval(op, key), NULL)
		   : cr_mapu_insert(&m->u, k, uval(op, key));
}

static pc_err mh_remove(mh *m, int key)
{
	if (m->str) {
		char kb[40];
		return cr_maps_remove(&m->s, pc_slice_make(kb, skey(key, kb)),
				      NULL);
	}
	return cr_mapu_remove(&m->u, (uint64_t)(KEY_BASE + key), NULL);
}

static pc_err mh_clear(mh *m)
{
	return m->str ? cr_maps_clear(&m->s) : cr_mapu_clear(&m->u);
}

static pc_err mh_free(mh *m)
{
	return m->str ? cr_maps_free(&m->s) : cr_mapu_free(&m->u);
}

static pc_err mh_check(mh *m)
{
	return m->str ? cr_maps_check(&m->s) : cr_mapu_check(&m->u);
}

static size_t mh_len(mh *m)
{
	return m->str ? cr_maps_len(&m->s) : cr_mapu_len(&m->u);
}

/* Walk the map in key order and compare with the model. */
static int mh_compare(mh *m, const struct mmodel *md, char *why, size_t n)
{
	/* The model's keys in the map's order. */
	int order[KEY_SPAN], cnt = 0;
	if (m->str) {
		/* Byte order of the key strings. */
		char keys[KEY_SPAN][40];
		size_t klen[KEY_SPAN];
		for (int k = 0; k < KEY_SPAN; k++)
			if (md->present[k]) {
				klen[cnt] = skey(k, keys[cnt]);
				order[cnt++] = k;
			}
		for (int a = 1; a < cnt; a++)
			for (int b = a; b > 0; b--) {
				size_t la = klen[b - 1], lb = klen[b];
				int c = memcmp(keys[b - 1], keys[b],
					       la < lb ? la : lb);
				if (c < 0 || (c == 0 && la <= lb))
					break;
				char t[40];
				memcpy(t, keys[b], 40);
				memcpy(keys[b], keys[b - 1], 40);
				memcpy(keys[b - 1], t, 40);
				size_t tl = klen[b];
				klen[b] = klen[b - 1];
				klen[b - 1] = tl;
				int to = order[b];
				order[b] = order[b - 1];
				order[b - 1] = to;
			}
	} else {
		for (int k = 0; k < KEY_SPAN; k++)
			if (md->present[k])
				order[cnt++] = k;
	}
	if (mh_len(m) != (size_t)cnt)
		return cr_why(why, n, "%zu entries, expected %d", mh_len(m),
			      cnt);
	int idx = 0;
	if (m->str) {
		cr_maps_iter it;
		for (bool ok = cr_maps_first(&m->s, &it); ok;
		     ok = cr_maps_next(&it), idx++) {
			if (idx >= cnt)
				return cr_why(why, n, "extra entry %d", idx);
			int k = order[idx];
			char kb[40];
			unsigned char vb[128];
			size_t kl = skey(k, kb);
			size_t vl = sval(md->op[k], k, vb);
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

static pc_err map_setup(pc_pool *pool, const char *name, int str)
{
	mh m;
	PC_TRY(mh_root(pool, name, str, PC_CREATE, &m));
	for (int j = 0; j < PREFILL; j++)
		PC_TRY(mh_insert(&m, 2 * j, PREFILL_OP - j, 0));
	return PC_OK;
}

static pc_err map_op(pc_pool *pool, const char *name, int str, int i)
{
	mh m;
	pc_err e = mh_root(pool, name, str, PC_OPEN, &m);
	if (e != PC_OK && e != PC_E_NOTFOUND)
		return e;
	int key;
	int kind = map_plan(i, e == PC_OK, &key);
	pc_err err = PC_OK;
	cr_op_kind(map_kind[kind]);
	switch (kind) {
	case M_CREATE:
		return mh_root(pool, name, str, PC_CREATE, &m);
	case M_INSERT:
		e = mh_insert(&m, key, i, 0);
		return e == PC_E_EXISTS ? PC_OK : e;
	case M_PUT:
		return mh_insert(&m, key, i, 1);
	case M_REMOVE:
		e = mh_remove(&m, key);
		return e == PC_E_NOTFOUND ? PC_OK : e;
	case M_TXMIX: {
		int k[3], what[3];
		txmix_keys(i, k, what);
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
			e = mh_remove(&m, (key + 7) % KEY_SPAN);
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
			for (int k = 0; k < KEY_SPAN / 2 && ok; k++) {
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

static int map_state_is(pc_pool *pool, const char *name, int str, int k,
			char *why, size_t n)
{
	struct mmodel md;
	mmodel_init(&md);
	for (int i = 0; i < k; i++)
		mmodel_apply(&md, i);
	mh m;
	pc_err e = mh_root(pool, name, str, PC_OPEN, &m);
	if (!md.exists) {
		if (e != PC_E_NOTFOUND)
			return cr_why(why, n, "map present (%s)",
				      pc_strerror(e));
		if (cr_count_all_objs(pool) > 1)
			return cr_why(why, n, "%zu objects leaked",
				      cr_count_all_objs(pool) - 1);
		return 0;
	}
	if (e != PC_OK)
		return cr_why(why, n, "map root: %s", pc_errmsg());
	return mh_compare(&m, &md, why, n);
}

static pc_err map_check(pc_pool *pool, const char *name, int str)
{
	mh m;
	pc_err e = mh_root(pool, name, str, PC_OPEN, &m);
	if (e == PC_E_NOTFOUND)
		return PC_OK;
	PC_TRY(e);
	return mh_check(&m);
}

static pc_err mu_setup(pc_pool *pool)
{
	return map_setup(pool, "mapu", 0);
}
static pc_err mu_op(pc_pool *pool, int i)
{
	return map_op(pool, "mapu", 0, i);
}
static int mu_state_is(pc_pool *pool, int k, char *why, size_t n)
{
	return map_state_is(pool, "mapu", 0, k, why, n);
}
static pc_err mu_check(pc_pool *pool)
{
	return map_check(pool, "mapu", 0);
}

static pc_err ms_setup(pc_pool *pool)
{
	return map_setup(pool, "maps", 1);
}
static pc_err ms_op(pc_pool *pool, int i)
{
	return map_op(pool, "maps", 1, i);
}
static int ms_state_is(pc_pool *pool, int k, char *why, size_t n)
{
	return map_state_is(pool, "maps", 1, k, why, n);
}
static pc_err ms_check(pc_pool *pool)
{
	return map_check(pool, "maps", 1);
}

const cr_scenario cr_scn_map_u64 = {
	.name = "map-u64",
	.nops = MAP_CYCLE,
	.soak_nops = 1000000,
	.setup = mu_setup,
	.op = mu_op,
	.state_is = mu_state_is,
	.check = mu_check,
};

const cr_scenario cr_scn_map_str = {
	.name = "map-str",
	.nops = MAP_CYCLE,
	.soak_nops = 1000000,
	.setup = ms_setup,
	.op = ms_op,
	.state_is = ms_state_is,
	.check = ms_check,
};
