/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * W13: one map shared by --threads T threads (issue 13). The map is
 * preloaded with N uint64 keys of stream 10 (value key + 1, N = 1,000,000
 * by default) before the timed section; then the threads run N
 * operations between them (an equal share each), all started at once.
 *
 * W13r  100% get of present keys
 * W13m  50% get, 50% put of present keys (a new value)
 * W13w  inserts of new keys (stream 20)
 * W13s  100-key scans from a random lower bound (one op is one scan),
 *       run by thread 0 while the other T - 1 threads put present keys;
 *       with T = 1 the scans run alone
 *
 * pcoll         PMAP(uint64_t, uint64_t) with PC_SYNC
 * pcoll-rwlock  the plain PMAP behind one pthread_rwlock (readers share
 *               it, writers take it alone): what a user does without
 *               PC_SYNC (the anchor)
 * pcoll-plain   the plain PMAP, no lock: --threads 1 only (anchor of the
 *               single-thread cost)
 *
 * Thread k draws from stream 100 + k. In the counting pass every
 * thread's own flush and fence counts are added to the main thread's.
 *
 * Also here, so that w_map.c's code is compiled as before: W5-W8 with
 * impl "pcoll-sync", the synchronized map driven by one thread (the same
 * inputs as w_map.c's pcoll cases): the single-thread price of PC_SYNC.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcoll/pcoll.h>

#define PC_K    uint64_t
#define PC_V    uint64_t
#define PC_NAME cmap
#define PC_SYNC
#include <pcoll/map.h>

#define PC_K    uint64_t
#define PC_V    uint64_t
#define PC_NAME cmapp
#include <pcoll/map.h>

#include "bench.h"
#include "fixture.h"

#define WC_SCAN 100

enum { WC_SYNC = 0, WC_RWLOCK = 1, WC_PLAIN = 2 };
enum { WC_R, WC_M, WC_W, WC_S };

typedef struct wc {
	int impl, wl;
	pc_pool *pool;
	cmap y;
	cmapp p;
	pthread_rwlock_t rw;
	uint64_t *keys;  /* the n preloaded keys */
	uint64_t *nkeys; /* W13w: the n new keys */
	uint64_t n;
	unsigned t;
	pthread_barrier_t start;
} wc;

typedef struct wc_thr {
	wc *c;
	unsigned id;
	uint64_t ops, extra, sum;
	pc_persist_counters cnt;
	int fail;
	pthread_t th;
} wc_thr;

static pc_err wc_bind_sync(pc_pool *pool, void *m)
{
	return cmap_root(pool, "m", PC_CREATE, (cmap *)m);
}

static pc_err wc_bind_plain(pc_pool *pool, void *m)
{
	return cmapp_root(pool, "m", PC_CREATE, (cmapp *)m);
}

static int wc_get(wc *c, uint64_t k, uint64_t *v)
{
	if (c->impl == WC_SYNC)
		return cmap_get_copy(&c->y, k, v);
	if (c->impl == WC_RWLOCK)
		pthread_rwlock_rdlock(&c->rw);
	const uint64_t *p = cmapp_get(&c->p, k);
	if (p)
		*v = *p;
	if (c->impl == WC_RWLOCK)
		pthread_rwlock_unlock(&c->rw);
	return p != NULL;
}

static pc_err wc_put(wc *c, uint64_t k, uint64_t v, int insert)
{
	if (c->impl == WC_SYNC)
		return insert ? cmap_insert(&c->y, k, v)
			      : cmap_put(&c->y, k, v, NULL);
	if (c->impl == WC_RWLOCK)
		pthread_rwlock_wrlock(&c->rw);
	pc_err e = insert ? cmapp_insert(&c->p, k, v)
			  : cmapp_put(&c->p, k, v, NULL);
	if (c->impl == WC_RWLOCK)
		pthread_rwlock_unlock(&c->rw);
	return e;
}

/* One scan of up to WC_SCAN keys from lo; the keys seen. */
static uint64_t wc_scan(wc *c, uint64_t lo, uint64_t *sum)
{
	uint64_t seen = 0;
	if (c->impl == WC_SYNC) {
		cmap_iter it;
		bool ok = cmap_lower_bound(&c->y, lo, &it);
		for (; ok && seen < WC_SCAN; ok = cmap_next(&it), seen++)
			*sum += *it.val;
		cmap_iter_end(&it);
		return seen;
	}
	if (c->impl == WC_RWLOCK)
		pthread_rwlock_rdlock(&c->rw);
	cmapp_iter it;
	bool ok = cmapp_lower_bound(&c->p, lo, &it);
	for (; ok && seen < WC_SCAN; ok = cmapp_next(&it), seen++)
		*sum += *it.val;
	if (c->impl == WC_RWLOCK)
		pthread_rwlock_unlock(&c->rw);
	return seen;
}

static void *wc_worker(void *arg)
{
	wc_thr *t = (wc_thr *)arg;
	wc *c = t->c;
	uint64_t s = 100 + t->id;
	uint64_t share = c->n / c->t;
	pc_persist_counters c0 = pc_persist_counters_get();
	pthread_barrier_wait(&c->start);
	if (c->wl == WC_S && t->id == 0) {
		/* The scanner: its share is the whole run's scans. */
		uint64_t scans = c->n / WC_SCAN ? c->n / WC_SCAN : 1;
		for (uint64_t i = 0; i < scans; i++)
			t->extra += wc_scan(c, bench_splitmix64(&s), &t->sum);
		t->ops = scans;
	} else if (c->wl == WC_S) {
		/* Writers put until the scanner is done (their share). */
		for (uint64_t i = 0; i < share; i++) {
			uint64_t k = c->keys[bench_splitmix64(&s) % c->n];
			if (wc_put(c, k, k + 1, 0) != PC_OK) {
				t->fail = 1;
				break;
			}
			t->extra++;
		}
	} else {
		for (uint64_t i = 0; i < share && !t->fail; i++) {
			uint64_t r = bench_splitmix64(&s);
			if (c->wl == WC_W) {
				uint64_t k = c->nkeys[t->id * share + i];
				t->fail = wc_put(c, k, k + 1, 1) != PC_OK;
				continue;
			}
			uint64_t k = c->keys[r % c->n];
			if (c->wl == WC_R || (r >> 63)) {
				uint64_t v = 0;
				if (!wc_get(c, k, &v) || v != k + 1)
					t->fail = 1;
				t->sum += v;
			} else {
				t->fail = wc_put(c, k, k + 1, 0) != PC_OK;
			}
		}
		t->ops = share;
	}
	pc_persist_counters c1 = pc_persist_counters_get();
	t->cnt.fences = c1.fences - c0.fences;
	t->cnt.flushes = c1.flushes - c0.flushes;
	return NULL;
}

static int wc_run(const bench_env *env, bench_out *out, int impl, int wl)
{
	wc c;
	memset(&c, 0, sizeof(c));
	c.impl = impl;
	c.wl = wl;
	c.n = env->n;
	c.t = impl == WC_PLAIN ? 1 : env->threads;
	if (wl == WC_S && c.t > 1 && c.n < WC_SCAN * 2)
		c.n = WC_SCAN * 2;
	size_t size = (size_t)(c.n * (wl == WC_W ? 160 : 80) + (96u << 20));
	c.pool =
		impl == WC_SYNC
			? bench_pc_fresh(env, "w13", size, wc_bind_sync, &c.y)
			: bench_pc_fresh(env, "w13", size, wc_bind_plain, &c.p);
	if (!c.pool)
		return 1;
	int rc = 0;
	c.keys = (uint64_t *)malloc(c.n * sizeof(uint64_t));
	c.nkeys = (uint64_t *)malloc(c.n * sizeof(uint64_t));
	wc_thr *th = (wc_thr *)calloc(c.t, sizeof(wc_thr));
	if (!c.keys || !c.nkeys || !th) {
		rc = bench_fail("out of memory");
		goto out;
	}
	uint64_t s = 10, s2 = 20;
	for (uint64_t i = 0; i < c.n; i++) {
		c.keys[i] = bench_splitmix64(&s);
		c.nkeys[i] = bench_splitmix64(&s2);
		pc_err e =
			impl == WC_SYNC
				? cmap_insert(&c.y, c.keys[i], c.keys[i] + 1)
				: cmapp_insert(&c.p, c.keys[i], c.keys[i] + 1);
		if (e != PC_OK && e != PC_E_EXISTS) {
			rc = bench_pc_fail("preload");
			goto out;
		}
	}
	pthread_rwlock_init(&c.rw, NULL);
	pthread_barrier_init(&c.start, NULL, c.t + 1);
	for (unsigned i = 0; i < c.t; i++) {
		th[i].c = &c;
		th[i].id = i;
		if (pthread_create(&th[i].th, NULL, wc_worker, &th[i]) != 0) {
			/* Not reachable in practice; the barrier would
			 * wait forever, so stop here. */
			fprintf(stderr, "W13: cannot start a thread\n");
			exit(2);
		}
	}
	bench_begin();
	pthread_barrier_wait(&c.start);
	uint64_t ops = 0, extra = 0, sum = 0;
	for (unsigned i = 0; i < c.t; i++) {
		pthread_join(th[i].th, NULL);
		ops += th[i].ops;
		extra += th[i].extra;
		sum += th[i].sum;
		rc |= th[i].fail;
#ifdef PCOLL_COUNT
		/* pcoll counts per thread; bench_end() reads this one's. */
		pc__counters.fences += th[i].cnt.fences;
		pc__counters.flushes += th[i].cnt.flushes;
#endif
	}
	bench_end();
	bench_consume(sum);
	pthread_barrier_destroy(&c.start);
	pthread_rwlock_destroy(&c.rw);
	if (rc)
		rc = bench_fail("a thread's operation failed");
	out->ops = ops;
	if (wl == WC_S)
		(void)snprintf(out->note, sizeof(out->note),
			       "%u threads; %.1f keys per scan; %llu puts", c.t,
			       (double)th[0].extra / (double)ops,
			       (unsigned long long)extra - th[0].extra);
	else
		(void)snprintf(out->note, sizeof(out->note), "%u threads", c.t);
	if (!rc && wl == WC_W)
		bench_pc_bytes(c.pool, c.n * 2, out);
	if (!rc && (impl == WC_SYNC ? cmap_check(&c.y) : cmapp_check(&c.p)))
		rc = bench_pc_fail("check");
out:
	free(c.keys);
	free(c.nkeys);
	free(th);
	return bench_pc_close(c.pool, rc);
}

#define WC_CASES(wlid, wl, name)                                               \
	BENCH_CASE_CALL(wlid##_sync, #wlid, name, "pcoll", 0, 1000000, wc_run, \
			WC_SYNC, wl)                                           \
	BENCH_CASE_CALL(wlid##_rw, #wlid, name, "pcoll-rwlock", 1, 1000000,    \
			wc_run, WC_RWLOCK, wl)                                 \
	static int wlid##_plain(const bench_env *env, bench_out *out)          \
	{                                                                      \
		return wc_run(env, out, WC_PLAIN, wl);                         \
	}                                                                      \
	BENCH_CASE_ST(wlid##_pl, #wlid, name, "pcoll-plain", 1, 1000000,       \
		      wlid##_plain, 1)

WC_CASES(W13r, WC_R, "conc_get")
WC_CASES(W13m, WC_M, "conc_get_put")
WC_CASES(W13w, WC_W, "conc_insert")
WC_CASES(W13s, WC_S, "conc_scan_put")

/* ------------------------------------------------------------------ */
/* W5-W8 with the synchronized map, one thread                          */
/* ------------------------------------------------------------------ */

enum { WS_INSERT, WS_GET, WS_RANGE, WS_REMOVE };

static int ws_run(const bench_env *env, bench_out *out, int wl)
{
	uint64_t n = env->n;
	cmap m;
	pc_pool *pool =
		bench_pc_fresh(env, "w5-8sync", (size_t)(n * 64 + (96u << 20)),
			       wc_bind_sync, &m);
	if (!pool)
		return 1;
	uint64_t *k = (uint64_t *)malloc((n + 1) * sizeof(uint64_t));
	uint64_t *q = (uint64_t *)malloc((n + 1) * sizeof(uint64_t));
	if (!k || !q) {
		free(k);
		free(q);
		return bench_pc_close(pool, bench_fail("out of memory"));
	}
	uint64_t s = 10;
	for (uint64_t i = 0; i < n; i++)
		k[i] = bench_splitmix64(&s);
	uint64_t nq = n, seen = 0, sum = 0;
	int rc = 0;
	if (wl == WS_RANGE) {
		nq = n / WC_SCAN ? n / WC_SCAN : 1;
		uint64_t s12 = 12;
		for (uint64_t i = 0; i < nq; i++)
			q[i] = bench_splitmix64(&s12);
	} else if (wl != WS_INSERT) {
		memcpy(q, k, n * sizeof(uint64_t));
		bench_shuffle(q, (size_t)n, wl == WS_GET ? 11 : 13);
	}
	if (wl != WS_INSERT)
		for (uint64_t i = 0; i < n && !rc; i++) {
			pc_err e = cmap_insert(&m, k[i], k[i] + 1);
			rc = e != PC_OK && e != PC_E_EXISTS;
		}
	pc_err e = PC_OK;
	bench_begin();
	switch (wl) {
	case WS_INSERT:
		for (uint64_t i = 0; i < n && e == PC_OK; i++)
			e = cmap_insert(&m, k[i], k[i] + 1);
		break;
	case WS_GET:
		for (uint64_t i = 0; i < n; i++) {
			const uint64_t *v = cmap_get(&m, q[i]);
			sum += v ? *v : 0;
		}
		break;
	case WS_RANGE:
		for (uint64_t i = 0; i < nq; i++) {
			cmap_iter it;
			int c = 0;
			bool ok = cmap_lower_bound(&m, q[i], &it);
			for (; ok && c < WC_SCAN; ok = cmap_next(&it), c++)
				sum += *it.val;
			seen += (uint64_t)c;
		}
		break;
	default:
		for (uint64_t i = 0; i < n && e == PC_OK; i++)
			e = cmap_remove(&m, q[i], NULL);
		break;
	}
	bench_end();
	bench_consume(sum);
	if (rc || e != PC_OK)
		rc = bench_pc_fail("operation");
	out->ops = wl == WS_RANGE ? nq : n;
	if (!rc && wl == WS_INSERT) {
		bench_pc_bytes(pool, n, out);
		rc = cmap_check(&m) != PC_OK ? bench_pc_fail("check") : 0;
	}
	if (!rc && wl == WS_RANGE)
		(void)snprintf(out->note, sizeof(out->note),
			       "%.2f keys per scan", (double)seen / (double)nq);
	if (!rc && wl == WS_REMOVE && !cmap_is_empty(&m))
		rc = bench_fail("not empty after removing all");
	free(k);
	free(q);
	return bench_pc_close(pool, rc);
}

BENCH_CASE_CALL(w5_sync, "W5", "map_insert", "pcoll-sync", 0, 1000000, ws_run,
		WS_INSERT)
BENCH_CASE_CALL(w6_sync, "W6", "map_get", "pcoll-sync", 0, 1000000, ws_run,
		WS_GET)
BENCH_CASE_CALL(w7_sync, "W7", "map_range", "pcoll-sync", 0, 1000000, ws_run,
		WS_RANGE)
BENCH_CASE_CALL(w8_sync, "W8", "map_remove", "pcoll-sync", 0, 1000000, ws_run,
		WS_REMOVE)
