/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * W1-W4: the vector workloads of WORKLOADS.md.
 *
 * W1 vec_push        N pushes, each durable on return
 * W2 vec_push_batch  N pushes in transactions of 1000
 * W3 vec_rand_write  N overwrites of random indices (stream 2 mod N,
 *                    values stream 3) of an N-element vector, each durable
 * W4 vec_seq_read    the sum of an N-element vector, 16 passes; one op is
 *                    one element read
 *
 * pcoll         PVEC(uint64_t) bound to a named root
 * raw-pmemobj   what a C programmer writes by hand with libpmemobj: a root
 *               {len, cap, PMEMoid array}, the array grown by doubling in
 *               a transaction, one TX_BEGIN per push (W1) or per batch
 *               (W2) snapshotting the element and len
 *               (pmemobj_tx_add_range_direct, what TX_ADD does; the TOID
 *               macros are not -Wpedantic clean under clang), one
 *               TX_BEGIN snapshotting the element per write (W3)  (anchor)
 * dram          the same on a malloc'd array (realloc doubling)  (anchor)
 * floor (W1)    one 8-byte store + pmemobj_persist(): one fence round
 *               trip; a durable push needs two of them          (anchor)
 *
 * Values are stream 1 of splitmix64. W1 reports pool bytes per element
 * (the pool's live allocations after the pushes, divided by N).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpmemobj.h>
#include <pcoll/pcoll.h>

#define PC_T    uint64_t
#define PC_NAME wvec
#include <pcoll/vec.h>

#include "bench.h"
#include "fixture.h"

#define WV_BATCH  1000
#define WV_PASSES 32

/* Pool size for an n-element vector: old and new array during growth,
 * twice over, plus room for libpmemobj's own metadata. */
static size_t wv_pool_size(uint64_t n)
{
	uint64_t s = n * sizeof(uint64_t) * 6 + (64u << 20);
	return (size_t)s;
}

/* ------------------------------------------------------------------ */
/* pcoll                                                                */
/* ------------------------------------------------------------------ */

static pc_err wv_bind(pc_pool *pool, void *v)
{
	return wvec_root(pool, "v", PC_CREATE, (wvec *)v);
}

/* Fill an n-element vector with stream 1 (not timed). */
static int wv_pcoll_fill(wvec *v, uint64_t n)
{
	uint64_t *a = (uint64_t *)malloc(n * sizeof(uint64_t) + 8);
	if (!a)
		return 1;
	uint64_t s = 1;
	for (uint64_t i = 0; i < n; i++)
		a[i] = bench_splitmix64(&s);
	pc_err e = wvec_extend(v, a, n);
	free(a);
	return e != PC_OK ? bench_pc_fail("fill") : 0;
}

/* A fresh pool sized for N elements with the vector bound as root "v",
 * holding stream 1 when fill is set. NULL on failure (with a message). */
static pc_pool *wv_pcoll_open(const bench_env *env, const char *tag, wvec *v,
			      int fill)
{
	pc_pool *pool =
		bench_pc_fresh(env, tag, wv_pool_size(env->n), wv_bind, v);
	if (pool && fill && wv_pcoll_fill(v, env->n)) {
		(void)pc_pool_close(pool);
		return NULL;
	}
	return pool;
}

/* The sum of the first n values of stream 1 (W4's expected result). */
static uint64_t wv_stream_sum(uint64_t n)
{
	uint64_t s = 1, sum = 0;
	for (uint64_t i = 0; i < n; i++)
		sum += bench_splitmix64(&s);
	return sum;
}

/* Every element equals stream 1 in order? */
static int wv_verify(const uint64_t *a, uint64_t n)
{
	uint64_t s = 1;
	for (uint64_t i = 0; i < n; i++)
		if (a[i] != bench_splitmix64(&s))
			return bench_fail("element %llu differs",
					  (unsigned long long)i);
	return 0;
}

static int w1_pcoll(const bench_env *env, bench_out *out)
{
	wvec v;
	uint64_t n = env->n;
	pc_pool *pool = wv_pcoll_open(env, "w1-pcoll", &v, 0);
	if (!pool)
		return 1;
	pc_pool_stats st0;
	if (pc_pool_stats_get(pool, &st0) != PC_OK)
		return bench_pc_close(pool, bench_pc_fail("stats"));
	uint64_t s = 1;
	pc_err e = PC_OK;
	bench_begin();
	for (uint64_t i = 0; i < n && e == PC_OK; i++)
		e = wvec_push(&v, bench_splitmix64(&s));
	bench_end();
	if (e != PC_OK)
		return bench_pc_close(pool, bench_pc_fail("push"));
	int rc = wvec_len(&v) != n || wv_verify(wvec_as_slice(&v).ptr, n);
	bench_pc_bytes(pool, n, out);
	pc_pool_stats st = {0};
	if (pc_pool_stats_get(pool, &st) != PC_OK)
		st.used = 0;
	(void)snprintf(out->note, sizeof(out->note),
		       "cap %zu; pool used %llu B (%llu before the pushes)",
		       wvec_cap(&v), (unsigned long long)st.used,
		       (unsigned long long)st0.used);
	out->ops = n;
	return bench_pc_close(pool, rc);
}
BENCH_CASE(w1_pcoll, "W1", "vec_push", "pcoll", 0, 1000000, w1_pcoll)

static int w2_pcoll(const bench_env *env, bench_out *out)
{
	wvec v;
	uint64_t n = env->n;
	pc_pool *pool = wv_pcoll_open(env, "w2-pcoll", &v, 0);
	if (!pool)
		return 1;
	uint64_t s = 1;
	pc_err err = PC_OK;
	bench_begin();
	for (uint64_t i = 0; i < n && err == PC_OK; i += WV_BATCH) {
		uint64_t k = n - i < WV_BATCH ? n - i : WV_BATCH;
		TX(pool, &err) {
			for (uint64_t j = 0; j < k; j++)
				if (wvec_push(&v, bench_splitmix64(&s)) !=
				    PC_OK)
					break;
		}
	}
	bench_end();
	if (err != PC_OK)
		return bench_pc_close(pool, bench_pc_fail("push"));
	int rc = wvec_len(&v) != n || wv_verify(wvec_as_slice(&v).ptr, n);
	bench_pc_bytes(pool, n, out);
	out->ops = n;
	return bench_pc_close(pool, rc);
}
BENCH_CASE(w2_pcoll, "W2", "vec_push_batch", "pcoll", 0, 1000000, w2_pcoll)

static int w3_pcoll(const bench_env *env, bench_out *out)
{
	wvec v;
	uint64_t n = env->n;
	pc_pool *pool = wv_pcoll_open(env, "w3-pcoll", &v, 1);
	if (!pool)
		return 1;
	uint64_t si = 2, sv = 3, last_i = 0, last_v = 0;
	pc_err e = PC_OK;
	bench_begin();
	for (uint64_t k = 0; k < n && e == PC_OK; k++) {
		last_i = bench_splitmix64(&si) % n;
		last_v = bench_splitmix64(&sv);
		e = wvec_set(&v, (size_t)last_i, last_v);
	}
	bench_end();
	int rc = 0;
	if (e != PC_OK)
		rc = bench_pc_fail("set");
	else if (n && *wvec_get(&v, (size_t)last_i) != last_v)
		rc = bench_fail("wrong value");
	out->ops = n;
	return bench_pc_close(pool, rc);
}
BENCH_CASE(w3_pcoll, "W3", "vec_rand_write", "pcoll", 0, 1000000, w3_pcoll)

static int w4_pcoll(const bench_env *env, bench_out *out)
{
	wvec v;
	uint64_t n = env->n;
	pc_pool *pool = wv_pcoll_open(env, "w4-pcoll", &v, 1);
	if (!pool)
		return 1;
	uint64_t sum = 0, warm = 0;
	PVEC_FOREACH(wvec, &v, it)
		warm += *it;
	bench_consume(warm);
	bench_begin();
	for (int p = 0; p < WV_PASSES; p++) {
		PVEC_FOREACH(wvec, &v, it)
			sum += *it;
		bench_consume(sum);
	}
	bench_end();
	int rc = sum != wv_stream_sum(n) * WV_PASSES ? bench_fail("wrong sum")
						     : 0;
	out->ops = n * WV_PASSES;
	(void)snprintf(out->note, sizeof(out->note),
		       "%d passes over %llu elements, PVEC_FOREACH", WV_PASSES,
		       (unsigned long long)n);
	return bench_pc_close(pool, rc);
}
BENCH_CASE(w4_pcoll, "W4", "vec_seq_read", "pcoll", 0, 1000000, w4_pcoll)

/* ------------------------------------------------------------------ */
/* raw libpmemobj, written by hand                                      */
/* ------------------------------------------------------------------ */

#define WV_RAW_TYPE_ARRAY 7001

struct wv_raw_root {
	uint64_t len;
	uint64_t cap;
	PMEMoid data; /* uint64_t[cap] */
};

/* Fill the raw vector with stream 1 in one transaction (not timed). */
static int wv_raw_fill(PMEMobjpool *pop, struct wv_raw_root *r, uint64_t n)
{
	volatile int failed = 0;
	TX_BEGIN(pop) {
		PMEMoid d = pmemobj_tx_alloc(n * sizeof(uint64_t),
					     WV_RAW_TYPE_ARRAY);
		uint64_t *a = (uint64_t *)pmemobj_direct(d);
		uint64_t s = 1;
		for (uint64_t i = 0; i < n; i++)
			a[i] = bench_splitmix64(&s);
		pmemobj_tx_add_range_direct(r, sizeof(*r));
		r->data = d;
		r->len = n;
		r->cap = n;
	}
	TX_ONABORT
	{
		failed = 1;
	}
	TX_END
	return failed ? bench_fail("fill: %s", pmemobj_errormsg()) : 0;
}

/* A fresh libpmemobj pool sized for N elements with the vector's root,
 * holding stream 1 when fill is set. NULL on failure (with a message). */
static PMEMobjpool *wv_raw_open(const bench_env *env, const char *tag,
				struct wv_raw_root **root, int fill)
{
	void *r = NULL;
	PMEMobjpool *pop =
		bench_obj_fresh(env, tag, "wvec", wv_pool_size(env->n),
				sizeof(struct wv_raw_root), &r);
	*root = (struct wv_raw_root *)r;
	if (pop && fill && wv_raw_fill(pop, *root, env->n)) {
		pmemobj_close(pop);
		return NULL;
	}
	return pop;
}

/* Inside a transaction: make room for one more element, doubling. */
static void wv_raw_grow_tx(struct wv_raw_root *r)
{
	if (r->len < r->cap)
		return;
	uint64_t ncap = r->cap ? r->cap * 2 : 8;
	PMEMoid nd =
		pmemobj_tx_alloc(ncap * sizeof(uint64_t), WV_RAW_TYPE_ARRAY);
	if (r->len)
		memcpy(pmemobj_direct(nd), pmemobj_direct(r->data),
		       r->len * sizeof(uint64_t));
	pmemobj_tx_add_range_direct(&r->cap, sizeof(r->cap) + sizeof(r->data));
	if (!OID_IS_NULL(r->data))
		pmemobj_tx_free(r->data);
	r->data = nd;
	r->cap = ncap;
}

/* Inside a transaction: the hand-written push. */
static void wv_raw_push_tx(struct wv_raw_root *r, uint64_t x)
{
	wv_raw_grow_tx(r);
	uint64_t *a = (uint64_t *)pmemobj_direct(r->data);
	pmemobj_tx_add_range_direct(&a[r->len], sizeof(uint64_t));
	a[r->len] = x;
	pmemobj_tx_add_range_direct(&r->len, sizeof(r->len));
	r->len++;
}

static const uint64_t *wv_raw_data(const struct wv_raw_root *r)
{
	return (const uint64_t *)pmemobj_direct(r->data);
}

/* Pool bytes held by live objects (as pc_pool_stats_get() counts). */
static uint64_t wv_raw_used(PMEMobjpool *pop)
{
	uint64_t used = 0;
	for (PMEMoid o = pmemobj_first(pop); !OID_IS_NULL(o);
	     o = pmemobj_next(o))
		used += pmemobj_alloc_usable_size(o);
	return used;
}

/* The end of a raw case: ops, the pool closed, rc returned. */
static int wv_raw_close(PMEMobjpool *pop, bench_out *out, uint64_t ops, int rc)
{
	out->ops = ops;
	pmemobj_close(pop);
	return rc;
}

/* The check of W1 and W2: the vector holds stream 1. */
static int wv_raw_pushed(const struct wv_raw_root *r, uint64_t n, int failed)
{
	if (failed)
		return bench_fail("%s", pmemobj_errormsg());
	return r->len != n || wv_verify(wv_raw_data(r), n);
}

static int w1_raw(const bench_env *env, bench_out *out)
{
	struct wv_raw_root *r = NULL;
	uint64_t n = env->n;
	PMEMobjpool *pop = wv_raw_open(env, "w1-raw", &r, 0);
	if (!pop)
		return 1;
	uint64_t s = 1;
	volatile int failed = 0;
	bench_begin();
	for (uint64_t i = 0; i < n && !failed; i++) {
		uint64_t x = bench_splitmix64(&s);
		TX_BEGIN(pop) {
			wv_raw_push_tx(r, x);
		}
		TX_ONABORT
		{
			failed = 1;
		}
		TX_END
	}
	bench_end();
	int rc = wv_raw_pushed(r, n, failed);
	if (n)
		out->bytes_per_elem = (double)wv_raw_used(pop) / (double)n;
	return wv_raw_close(pop, out, n, rc);
}
BENCH_CASE(w1_raw, "W1", "vec_push", "raw-pmemobj", 1, 1000000, w1_raw)

static int w2_raw(const bench_env *env, bench_out *out)
{
	struct wv_raw_root *r = NULL;
	uint64_t n = env->n;
	PMEMobjpool *pop = wv_raw_open(env, "w2-raw", &r, 0);
	if (!pop)
		return 1;
	uint64_t s = 1;
	volatile int failed = 0;
	bench_begin();
	for (uint64_t i = 0; i < n && !failed; i += WV_BATCH) {
		volatile uint64_t k = n - i < WV_BATCH ? n - i : WV_BATCH;
		TX_BEGIN(pop) {
			for (uint64_t j = 0; j < k; j++)
				wv_raw_push_tx(r, bench_splitmix64(&s));
		}
		TX_ONABORT
		{
			failed = 1;
		}
		TX_END
	}
	bench_end();
	return wv_raw_close(pop, out, n, wv_raw_pushed(r, n, failed));
}
BENCH_CASE(w2_raw, "W2", "vec_push_batch", "raw-pmemobj", 1, 1000000, w2_raw)

static int w3_raw(const bench_env *env, bench_out *out)
{
	struct wv_raw_root *r = NULL;
	uint64_t n = env->n;
	PMEMobjpool *pop = wv_raw_open(env, "w3-raw", &r, 1);
	if (!pop)
		return 1;
	uint64_t si = 2, sv = 3, last_i = 0, last_v = 0;
	volatile int failed = 0;
	bench_begin();
	for (uint64_t k = 0; k < n && !failed; k++) {
		uint64_t idx = bench_splitmix64(&si) % n;
		uint64_t x = bench_splitmix64(&sv);
		last_i = idx;
		last_v = x;
		TX_BEGIN(pop) {
			uint64_t *a = (uint64_t *)pmemobj_direct(r->data);
			pmemobj_tx_add_range_direct(&a[idx], sizeof(uint64_t));
			a[idx] = x;
		}
		TX_ONABORT
		{
			failed = 1;
		}
		TX_END
	}
	bench_end();
	int rc = failed || (n && wv_raw_data(r)[last_i] != last_v);
	if (rc)
		bench_fail("failed: %s", pmemobj_errormsg());
	return wv_raw_close(pop, out, n, rc);
}
BENCH_CASE(w3_raw, "W3", "vec_rand_write", "raw-pmemobj", 1, 1000000, w3_raw)

static int w4_raw(const bench_env *env, bench_out *out)
{
	struct wv_raw_root *r = NULL;
	uint64_t n = env->n;
	PMEMobjpool *pop = wv_raw_open(env, "w4-raw", &r, 1);
	if (!pop)
		return 1;
	uint64_t sum = 0, warm = 0;
	for (uint64_t i = 0; i < n; i++)
		warm += wv_raw_data(r)[i];
	bench_consume(warm);
	bench_begin();
	for (int p = 0; p < WV_PASSES; p++) {
		const uint64_t *a = wv_raw_data(r);
		uint64_t len = r->len;
		for (uint64_t i = 0; i < len; i++)
			sum += a[i];
		bench_consume(sum);
	}
	bench_end();
	int rc = sum != wv_stream_sum(n) * WV_PASSES ? bench_fail("wrong sum")
						     : 0;
	return wv_raw_close(pop, out, n * WV_PASSES, rc);
}
BENCH_CASE(w4_raw, "W4", "vec_seq_read", "raw-pmemobj", 1, 1000000, w4_raw)

/* ------------------------------------------------------------------ */
/* DRAM and the floor                                                   */
/* ------------------------------------------------------------------ */

struct wv_dram {
	uint64_t *a;
	uint64_t len, cap;
};

static int wv_dram_push(struct wv_dram *d, uint64_t x)
{
	if (d->len == d->cap) {
		uint64_t ncap = d->cap ? d->cap * 2 : 8;
		uint64_t *na =
			(uint64_t *)realloc(d->a, ncap * sizeof(uint64_t));
		if (!na)
			return 1;
		d->a = na;
		d->cap = ncap;
	}
	d->a[d->len++] = x;
	return 0;
}

/* W1 and W2 on DRAM: N single pushes (there is no transaction to batch). */
static int wv_dram_pushes(const bench_env *env, bench_out *out)
{
	struct wv_dram d = {NULL, 0, 0};
	uint64_t n = env->n;
	uint64_t s = 1;
	int failed = 0;
	bench_begin();
	for (uint64_t i = 0; i < n && !failed; i++)
		failed = wv_dram_push(&d, bench_splitmix64(&s));
	bench_end();
	int rc = failed || d.len != n || wv_verify(d.a, n);
	free(d.a);
	out->ops = n;
	return rc;
}

BENCH_CASE(w1_dram, "W1", "vec_push", "dram", 1, 1000000, wv_dram_pushes)
BENCH_CASE(w2_dram, "W2", "vec_push_batch", "dram", 1, 1000000, wv_dram_pushes)

static uint64_t *wv_dram_filled(uint64_t n)
{
	uint64_t *a = (uint64_t *)malloc(n * sizeof(uint64_t) + 8);
	if (!a)
		return NULL;
	uint64_t s = 1;
	for (uint64_t i = 0; i < n; i++)
		a[i] = bench_splitmix64(&s);
	return a;
}

static int w3_dram(const bench_env *env, bench_out *out)
{
	uint64_t n = env->n;
	uint64_t *a = wv_dram_filled(n);
	if (!a)
		return 1;
	volatile uint64_t *va = a;
	uint64_t si = 2, sv = 3;
	bench_begin();
	for (uint64_t k = 0; k < n; k++) {
		uint64_t idx = bench_splitmix64(&si) % n;
		va[idx] = bench_splitmix64(&sv);
	}
	bench_end();
	free(a);
	out->ops = n;
	return 0;
}
BENCH_CASE(w3_dram, "W3", "vec_rand_write", "dram", 1, 1000000, w3_dram)

static int w4_dram(const bench_env *env, bench_out *out)
{
	uint64_t n = env->n;
	uint64_t *a = wv_dram_filled(n);
	if (!a)
		return 1;
	uint64_t sum = 0, warm = 0;
	for (uint64_t i = 0; i < n; i++)
		warm += a[i];
	bench_consume(warm);
	bench_begin();
	for (int p = 0; p < WV_PASSES; p++) {
		for (uint64_t i = 0; i < n; i++)
			sum += a[i];
		bench_consume(sum);
	}
	bench_end();
	uint64_t want = 0;
	for (uint64_t i = 0; i < n; i++)
		want += a[i];
	free(a);
	out->ops = n * WV_PASSES;
	(void)snprintf(out->note, sizeof(out->note), "plain C array, %d passes",
		       WV_PASSES);
	return sum != want * WV_PASSES;
}
BENCH_CASE(w4_dram, "W4", "vec_seq_read", "dram", 1, 1000000, w4_dram)

BENCH_CASE_CALL(w1_floor, "W1", "vec_push", "floor", 1, 1000000,
		bench_obj_floor,
		"one 8-byte persist = 1 fence; a durable push needs 2")
