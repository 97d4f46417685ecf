/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crash scenarios for the synchronized PMAP (`#define PC_SYNC`, issue
 * #13): three writer threads change ONE shared map; fence points come from
 * every thread (the deterministic scheduler of crsched.h switches threads
 * at flushes, fences, yields and lock waits).
 *
 *  map-sync      PMAP(uint64_t, uint64_t);
 *  map-sync-str  PMAP(bytes, bytes): every fifth key is 26 bytes long
 *                (allocated), values of 5 to 100 bytes (inline and
 *                allocated, replaced out of place).
 *
 * Thread t owns the keys key % 3 == t, so the threads' keys share every
 * leaf. The setup preloads the even keys below PRE (360 keys in 6 leaves
 * under an inner root). Per thread and cycle of 60 operations:
 *  - 24 appends of keys past the preloaded ones (ever larger, interleaved
 *    between the threads, all in the rightmost leaves, which split);
 *  - 12 operations on the preloaded keys: inserts of odd keys into the
 *    full leaves (splits), puts (in-place replaces and new keys),
 *    removes, TX() scopes of three changes (a transaction that must give
 *    way to an older one, PC_E_BUSY, runs again), two aborted TX();
 *  - 24 removes of the appended keys (every fourth in a TX()): the leaves
 *    that held only appended keys empty and are unlinked by whichever
 *    thread removes their last key, outside or inside a transaction.
 * (Run in one thread in turn, a cycle grows the tree from 6 to 13 leaves
 * and unlinks two of them, one by a single remove, one in a TX().)
 * The image must hold, for every thread, the state after its operations
 * that returned, with the one in flight done or not.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define PC_K    uint64_t
#define PC_V    uint64_t
#define PC_NAME cr_msy
#define PC_SYNC
#include <pcoll/map.h>

#define PC_K_BYTES
#define PC_V_BYTES
#define PC_NAME cr_msys
#define PC_SYNC
#include <pcoll/map.h>

#define SY_THREADS 3
#define SY_CYCLE   60
#define SY_PRE     720  /* preloaded: the even keys below */
#define SY_APP     24   /* appended keys per thread and cycle */
#define SY_R2      1002 /* a multiple of SY_THREADS */
#define SY_SPAN    (SY_R2 + SY_THREADS * SY_APP)
#define SY_PREFILL (-1000000)
#define SY_RETRY   1000 /* runs of a transaction that gives way */

enum {
	S_INSERT,
	S_PUT,
	S_REMOVE,
	S_TX,
	S_APPEND,
	S_DRAIN,
	S_TXDRAIN,
	S_TXABORT
};

static const char *const sy_kind[] = {"insert",   "put",     "remove",
				      "tx",       "append",  "drain",
				      "tx-drain", "tx-abort"};

/* Operation i of thread t: its kind and key. */
static int sy_plan(int t, int i, int *key)
{
	int c = i % SY_CYCLE;
	if (c < SY_APP) {
		*key = SY_R2 + SY_THREADS * c + t;
		return S_APPEND;
	}
	if (c >= SY_CYCLE - SY_APP) {
		int j = c - (SY_CYCLE - SY_APP);
		*key = SY_R2 + SY_THREADS * j + t;
		return j % 4 == 3 ? S_TXDRAIN : S_DRAIN;
	}
	uint64_t h = cr_val(70 + (uint64_t)t, (uint64_t)i);
	/* A key of thread t in the preloaded range. */
	*key = SY_THREADS * (int)((h >> 8) % (SY_PRE / SY_THREADS)) + t;
	if (c == SY_APP + 6 || c == SY_APP + 10)
		return S_TXABORT;
	switch (h % 20) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
	case 5:
	case 6:
	case 7:
		/* An odd key (6m + 3, 6m + 1, 6m + 5 for threads 0, 1, 2):
		 * new, into a full preloaded leaf. */
		*key = 2 * SY_THREADS *
			       (int)((h >> 8) % (SY_PRE / (2 * SY_THREADS))) +
		       (4 * t + 3) % 6;
		return S_INSERT;
	case 8:
	case 9:
	case 10:
	case 11:
	case 12:
		return S_PUT;
	case 13:
	case 14:
	case 15:
	case 16:
		return S_REMOVE;
	default:
		return S_TX;
	}
}

/* The three keys of thread t a TX op touches and what it does to each:
 * 0 put, 1 remove. */
static void sy_txkeys(int t, int i, int k[3], int what[3])
{
	for (int j = 0; j < 3; j++) {
		uint64_t h =
			cr_val(80 + (uint64_t)t, (uint64_t)i * 4 + (uint64_t)j);
		k[j] = SY_THREADS * (int)(h % (SY_PRE / SY_THREADS)) + t;
		what[j] = (int)((h >> 20) % 3 == 0);
	}
	if (k[1] == k[0])
		k[1] = (k[0] + SY_THREADS) % SY_PRE;
	while (k[2] == k[0] || k[2] == k[1])
		k[2] = (k[2] + SY_THREADS) % SY_PRE;
}

/* The model of thread t's keys: present, and the op that wrote them. */
struct symodel {
	int present[SY_SPAN];
	int op[SY_SPAN];
};

static void sy_model(int t, int k, struct symodel *m)
{
	memset(m, 0, sizeof(*m));
	for (int key = t; key < SY_PRE; key += SY_THREADS)
		if (key % 2 == 0) {
			m->present[key] = 1;
			m->op[key] = SY_PREFILL - key;
		}
	for (int i = 0; i < k; i++) {
		int key;
		switch (sy_plan(t, i, &key)) {
		case S_INSERT:
		case S_APPEND:
			if (!m->present[key]) {
				m->present[key] = 1;
				m->op[key] = i;
			}
			break;
		case S_PUT:
			m->present[key] = 1;
			m->op[key] = i;
			break;
		case S_REMOVE:
		case S_DRAIN:
		case S_TXDRAIN:
			m->present[key] = 0;
			break;
		case S_TX: {
			int kk[3], what[3];
			sy_txkeys(t, i, kk, what);
			for (int j = 0; j < 3; j++) {
				m->present[kk[j]] = !what[j];
				m->op[kk[j]] = i;
			}
			break;
		}
		default: /* S_TXABORT */
			break;
		}
	}
}

/* ------------------------------------------------------------------ */
/* The two instantiations behind one small interface                    */
/* ------------------------------------------------------------------ */

typedef struct sh {
	int str;
	cr_msy u;
	cr_msys s;
} sh;

#define SY_NAME_U "msync"
#define SY_NAME_S "msyncs"
#define SY_KMAX   40
#define SY_VMAX   100

static uint64_t sy_uval(int op, int key)
{
	return cr_val(71, (uint64_t)(int64_t)op * 4096 + (uint64_t)key);
}

static size_t sy_skey(int key, char *buf)
{
	/* (The appended keys are all short: next to each other in order.) */
	if (key % 5 == 0 && key < SY_R2)
		return (size_t)snprintf(buf, SY_KMAX,
					"long-synchronized-key-%04d", key);
	return (size_t)snprintf(buf, SY_KMAX, "k%04d", key);
}

/* The key number of a byte-string key, or -1. */
static int sy_skey_num(pc_slice k)
{
	if (k.len < 4 || k.len >= SY_KMAX)
		return -1;
	const char *p = (const char *)k.ptr + k.len - 4;
	int key = 0;
	for (int j = 0; j < 4; j++) {
		if (p[j] < '0' || p[j] > '9')
			return -1;
		key = key * 10 + (p[j] - '0');
	}
	char buf[SY_KMAX];
	size_t n = sy_skey(key, buf);
	return n == k.len && memcmp(buf, k.ptr, n) == 0 ? key : -1;
}

static size_t sy_sval(int op, int key, unsigned char *buf)
{
	static const size_t lens[] = {5, 23, 24, 100};
	uint64_t h = sy_uval(op, key);
	size_t len = lens[h % 4];
	for (size_t p = 0; p < len; p++)
		buf[p] = (unsigned char)(h >> (8 * (p % 8))) ^ (unsigned char)p;
	return len;
}

static pc_err sh_root(pc_pool *pool, int str, pc_open_mode mode, sh *m)
{
	memset(m, 0, sizeof(*m));
	m->str = str;
	if (str)
		return cr_msys_root(pool, SY_NAME_S, mode, &m->s);
	return cr_msy_root(pool, SY_NAME_U, mode, &m->u);
}

static pc_err sh_put(sh *m, int key, int op, int replace)
{
	if (m->str) {
		char kb[SY_KMAX];
		unsigned char vb[SY_VMAX];
		pc_slice k = pc_slice_make(kb, sy_skey(key, kb));
		pc_slice v = pc_slice_make(vb, sy_sval(op, key, vb));
		return replace ? cr_msys_put(&m->s, k, v, NULL)
			       : cr_msys_insert(&m->s, k, v);
	}
	return replace ? cr_msy_put(&m->u, (uint64_t)key, sy_uval(op, key),
				    NULL)
		       : cr_msy_insert(&m->u, (uint64_t)key, sy_uval(op, key));
}

/* Remove key; absent is fine. */
static pc_err sh_remove(sh *m, int key)
{
	pc_err e;
	if (m->str) {
		char kb[SY_KMAX];
		e = cr_msys_remove(&m->s, pc_slice_make(kb, sy_skey(key, kb)),
				   NULL);
	} else {
		e = cr_msy_remove(&m->u, (uint64_t)key, NULL);
	}
	return e == PC_E_NOTFOUND ? PC_OK : e;
}

/* ------------------------------------------------------------------ */
/* Scenario functions                                                   */
/* ------------------------------------------------------------------ */

static pc_err sy_setup(pc_pool *pool, int str)
{
	sh m;
	PC_TRY(sh_root(pool, str, PC_CREATE, &m));
	/* Keys 0, 4, 8, ... first, then 2, 6, ...: full leaves. */
	for (int pass = 0; pass < 2; pass++)
		for (int key = 2 * pass; key < SY_PRE; key += 4)
			PC_TRY(sh_put(&m, key, SY_PREFILL - key, 0));
	return PC_OK;
}

/* Run the TX() body of op i of thread t until it does not have to give
 * way to an older transaction. abort: the body aborts (PC_OK then). */
static pc_err sy_tx(pc_pool *pool, sh *m, int t, int i, int kind, int key)
{
	for (int run = 0; run < SY_RETRY; run++) {
		pc_err err = PC_OK;
		TX(pool, &err) {
			if (kind == S_TXDRAIN) {
				if (sh_remove(m, key) != PC_OK)
					break;
			} else if (kind == S_TXABORT) {
				if (sh_put(m, key, i, 1) != PC_OK ||
				    sh_remove(m, key + SY_THREADS) != PC_OK)
					break;
				(void)pc_tx_abort(PC_E_ABORTED);
				break;
			} else {
				int k[3], what[3], ok = 1;
				sy_txkeys(t, i, k, what);
				for (int j = 0; j < 3 && ok; j++)
					ok = (what[j] ? sh_remove(m, k[j])
						      : sh_put(m, k[j], i,
							       1)) == PC_OK;
				if (!ok)
					break;
			}
		}
		if (err == PC_E_BUSY)
			continue;
		if (kind == S_TXABORT)
			return err == PC_E_ABORTED
				       ? PC_OK
				       : pc__fail(PC_E_INVAL,
						  "map-sync: abort gave %s",
						  pc_strerror(err));
		return err;
	}
	return pc__fail(PC_E_BUSY,
			"map-sync: thread %d op %d: %d runs gave "
			"way",
			t, i, SY_RETRY);
}

static pc_err sy_op(pc_pool *pool, int str, int t, int i)
{
	sh m;
	PC_TRY(sh_root(pool, str, PC_OPEN, &m));
	int key;
	int kind = sy_plan(t, i, &key);
	cr_op_kind(sy_kind[kind]);
	pc_err e;
	switch (kind) {
	case S_INSERT:
	case S_APPEND:
		e = sh_put(&m, key, i, 0);
		return e == PC_E_EXISTS ? PC_OK : e;
	case S_PUT:
		return sh_put(&m, key, i, 1);
	case S_REMOVE:
	case S_DRAIN:
		return sh_remove(&m, key);
	default:
		return sy_tx(pool, &m, t, i, kind, key);
	}
}

/* Thread t's keys in the map against the model: one walk. */
static int sy_state(pc_pool *pool, int str, int t, int k, char *why, size_t n)
{
	sh m;
	if (sh_root(pool, str, PC_OPEN, &m) != PC_OK)
		return cr_why(why, n, "map root: %s", pc_errmsg());
	struct symodel *md = (struct symodel *)malloc(sizeof(*md));
	if (!md)
		return cr_why(why, n, "out of memory");
	sy_model(t, k, md);
	int want = 0, seen = 0, r = 0;
	for (int key = 0; key < SY_SPAN; key++)
		want += md->present[key];
	if (str) {
		cr_msys_iter it;
		for (bool ok = cr_msys_first(&m.s, &it); ok && !r;
		     ok = cr_msys_next(&it)) {
			int key = sy_skey_num(it.key);
			if (key < 0 || key >= SY_SPAN) {
				r = cr_why(why, n, "unexpected key %.*s",
					   (int)it.key.len,
					   (const char *)it.key.ptr);
				break;
			}
			if (key % SY_THREADS != t)
				continue;
			seen++;
			unsigned char vb[SY_VMAX];
			size_t vl = md->present[key]
					    ? sy_sval(md->op[key], key, vb)
					    : 0;
			if (!md->present[key])
				r = cr_why(why, n, "key %d present", key);
			else if (it.val.len != vl ||
				 memcmp(it.val.ptr, vb, vl) != 0)
				r = cr_why(why, n,
					   "key %d: value of %zu bytes, "
					   "expected op %d's (%zu bytes)",
					   key, it.val.len, md->op[key], vl);
		}
		cr_msys_iter_end(&it);
	} else {
		cr_msy_iter it;
		for (bool ok = cr_msy_first(&m.u, &it); ok && !r;
		     ok = cr_msy_next(&it)) {
			uint64_t key = *it.key;
			if (key >= SY_SPAN) {
				r = cr_why(why, n, "unexpected key %llu",
					   (unsigned long long)key);
				break;
			}
			if (key % SY_THREADS != (uint64_t)t)
				continue;
			seen++;
			if (!md->present[key])
				r = cr_why(why, n, "key %llu present",
					   (unsigned long long)key);
			else if (*it.val != sy_uval(md->op[key], (int)key))
				r = cr_why(why, n,
					   "key %llu: value %llx, expected "
					   "op %d's",
					   (unsigned long long)key,
					   (unsigned long long)*it.val,
					   md->op[key]);
		}
		cr_msy_iter_end(&it);
	}
	if (!r && seen != want)
		r = cr_why(why, n, "%d keys of thread %d, expected %d", seen, t,
			   want);
	free(md);
	return r;
}

static pc_err sy_check(pc_pool *pool, int str)
{
	sh m;
	PC_TRY(sh_root(pool, str, PC_OPEN, &m));
	return str ? cr_msys_check(&m.s) : cr_msy_check(&m.u);
}

#define SYNC_SCENARIO(VAR, NAME, STR)                                  \
	static pc_err VAR##_setup(pc_pool *pool)                       \
	{                                                              \
		return sy_setup(pool, STR);                            \
	}                                                              \
	static pc_err VAR##_op(pc_pool *pool, int t, int i)            \
	{                                                              \
		return sy_op(pool, STR, t, i);                         \
	}                                                              \
	static int VAR##_state(pc_pool *pool, int t, int k, char *why, \
			       size_t n)                               \
	{                                                              \
		return sy_state(pool, STR, t, k, why, n);              \
	}                                                              \
	static pc_err VAR##_check(pc_pool *pool)                       \
	{                                                              \
		return sy_check(pool, STR);                            \
	}                                                              \
	const cr_scenario cr_scn_##VAR = {                             \
		.name = NAME,                                          \
		.nops = SY_CYCLE,                                      \
		.soak_nops = 1000000,                                  \
		.nthreads = SY_THREADS,                                \
		.setup = VAR##_setup,                                  \
		.op_t = VAR##_op,                                      \
		.state_t = VAR##_state,                                \
		.check = VAR##_check,                                  \
	}

SYNC_SCENARIO(map_sync, "map-sync", 0);
SYNC_SCENARIO(map_sync_str, "map-sync-str", 1);
