/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * W5-W8, W5s-W8s and W12: the map workloads of WORKLOADS.md.
 *
 * W5  map_insert   N keys of stream 10 (value key + 1), each insert durable
 * W6  map_get      N lookups of present keys, order shuffled with stream 11
 * W7  map_range    N/100 scans of 100 consecutive keys from a lower bound
 *                  drawn from stream 12 (one op is one scan)
 * W8  map_remove   remove every key, order shuffled with stream 13
 * W5s-W8s          the same with 16-byte keys (the 16 lowercase hex digits
 *                  of the integer key) and 100-byte values (the key's hex
 *                  digits repeated)
 * W12 map_recovery open time (pc_pool_open + root) of a pool holding N map
 *                  entries: "pcoll" after a clean close, "pcoll-crash"
 *                  after a writer was killed with SIGKILL mid-insert
 *
 * pcoll   PMAP(uint64_t, uint64_t) / PMAP(bytes, bytes) on a pool
 * dram    the same map code instantiated with PC_DRAM: nodes and strings
 *         on malloc, no flush, no fence, no transaction (anchor)
 * floor   one 8-byte store + persist per operation, the cost floor of a
 *         durable update (anchor of the write workloads)
 *
 * The maps for W6-W8 are built before the timed section. W5 reports pool
 * bytes per entry (the pool's live allocations divided by N).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pcoll/pcoll.h>

#define PC_K    uint64_t
#define PC_V    uint64_t
#define PC_NAME wmap
#include <pcoll/map.h>

#define PC_K    uint64_t
#define PC_V    uint64_t
#define PC_NAME wmapd
#define PC_DRAM
#include <pcoll/map.h>

#define PC_K_BYTES
#define PC_V_BYTES
#define PC_NAME wmaps
#include <pcoll/map.h>

#define PC_K_BYTES
#define PC_V_BYTES
#define PC_NAME wmapsd
#define PC_DRAM
#include <pcoll/map.h>

#include "bench.h"
#include "fixture.h"

#define WM_SCAN 100
#define WM_VLEN 100

/* ------------------------------------------------------------------ */
/* Inputs                                                               */
/* ------------------------------------------------------------------ */

static uint64_t *wm_keys(uint64_t n)
{
	uint64_t *k = (uint64_t *)malloc((n + 1) * sizeof(uint64_t));
	if (!k)
		return NULL;
	uint64_t s = 10;
	for (uint64_t i = 0; i < n; i++)
		k[i] = bench_splitmix64(&s);
	return k;
}

static uint64_t *wm_shuffled(const uint64_t *k, uint64_t n, uint64_t seed)
{
	uint64_t *a = (uint64_t *)malloc((n + 1) * sizeof(uint64_t));
	if (!a)
		return NULL;
	memcpy(a, k, n * sizeof(uint64_t));
	bench_shuffle(a, (size_t)n, seed);
	return a;
}

static void wm_hex(uint64_t k, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (int i = 15; i >= 0; i--) {
		out[i] = hx[k & 15];
		k >>= 4;
	}
}

/* 16-byte hex keys of a, packed. */
static char *wm_hexkeys(const uint64_t *a, uint64_t n)
{
	char *h = (char *)malloc((size_t)n * 16 + 16);
	if (!h)
		return NULL;
	for (uint64_t i = 0; i < n; i++)
		wm_hex(a[i], h + 16 * i);
	return h;
}

static void wm_val(const char *hex, char *v)
{
	for (int i = 0; i < WM_VLEN; i += 16)
		memcpy(v + i, hex,
		       WM_VLEN - i < 16 ? (size_t)(WM_VLEN - i) : 16);
}

static size_t wm_pool_size(uint64_t n, int str)
{
	uint64_t per = str ? 320 : 64;
	return (size_t)(n * per + (96u << 20));
}

/* ------------------------------------------------------------------ */
/* The map under test: pcoll (a fresh pool, the map bound as root "m")  */
/* or dram, integer or byte-string keys                                 */
/* ------------------------------------------------------------------ */

typedef struct wm {
	int dram, str;
	pc_pool *pool; /* pcoll only */
	wmap p;        /* integer keys */
	wmapd d;
	wmaps ps; /* byte-string keys */
	wmapsd ds;
} wm;

static pc_err wm_bind(pc_pool *pool, void *m)
{
	return wmap_root(pool, "m", PC_CREATE, (wmap *)m);
}

static pc_err wm_bind_str(pc_pool *pool, void *m)
{
	return wmaps_root(pool, "m", PC_CREATE, (wmaps *)m);
}

/* An empty map in m, pcoll or dram: integer keys, or byte strings when
 * str is set. Returns 0, or 1 with a message. */
static int wm_open(const bench_env *env, const char *tag, int dram, int str,
		   wm *m)
{
	memset(m, 0, sizeof(*m));
	m->dram = dram;
	m->str = str;
	if (m->dram) {
		pc_err e =
			str ? wmapsd_dram_new(&m->ds) : wmapd_dram_new(&m->d);
		if (e == PC_OK)
			return 0;
		(void)bench_pc_fail("dram map");
		return 1;
	}
	m->pool = bench_pc_fresh(env, tag, wm_pool_size(env->n, str),
				 str ? wm_bind_str : wm_bind,
				 str ? (void *)&m->ps : (void *)&m->p);
	return m->pool == NULL;
}

/* Frees the dram map or closes the pool; returns rc, or 1 when the close
 * failed. */
static int wm_close(wm *m, int rc)
{
	if (!m->dram)
		return bench_pc_close(m->pool, rc);
	if (m->str)
		wmapsd_dram_delete(&m->ds);
	else
		wmapd_dram_delete(&m->d);
	return rc;
}

/* The inputs of a map workload: the n keys (stream 10) and its queries,
 * with their 16-byte hex forms for the byte-string maps. */
typedef struct wm_in {
	uint64_t n;
	uint64_t *k;   /* n keys */
	uint64_t *q;   /* nq queries, NULL when the workload has none */
	uint64_t nq;   /* n, or the number of scans */
	char *hk, *hq; /* hex forms of k and q (byte-string maps only) */
} wm_in;

static void wm_in_free(wm_in *in)
{
	free(in->k);
	free(in->q);
	free(in->hk);
	free(in->hq);
}

/* The queries: seed 0, none (W5); scans, one lower bound per 100 keys
 * drawn from stream seed (W7); otherwise the keys shuffled with seed (W6,
 * W8). */
static int wm_in_make(wm_in *in, uint64_t n, int str, uint64_t seed, int scans)
{
	memset(in, 0, sizeof(*in));
	in->n = n;
	in->k = wm_keys(n);
	if (!in->k)
		return 1;
	if (seed && scans) {
		in->nq = n / WM_SCAN ? n / WM_SCAN : 1;
		in->q = (uint64_t *)malloc(in->nq * sizeof(uint64_t));
		uint64_t s = seed;
		for (uint64_t i = 0; in->q && i < in->nq; i++)
			in->q[i] = bench_splitmix64(&s);
	} else if (seed) {
		in->nq = n;
		in->q = wm_shuffled(in->k, n, seed);
	}
	if (seed && !in->q)
		return 1;
	if (str) {
		in->hk = wm_hexkeys(in->k, n);
		in->hq = in->q ? wm_hexkeys(in->q, in->nq) : NULL;
		if (!in->hk || (in->q && !in->hq))
			return 1;
	}
	return 0;
}

/* Every key inserted (value key + 1; for byte strings, the hex key and
 * its value). */
static int wm_fill(wm *m, const wm_in *in)
{
	char v[WM_VLEN];
	for (uint64_t i = 0; i < in->n; i++) {
		pc_err e;
		if (m->str) {
			pc_slice k = pc_slice_make(in->hk + 16 * i, 16);
			wm_val(in->hk + 16 * i, v);
			pc_slice vs = pc_slice_make(v, WM_VLEN);
			e = m->dram ? wmapsd_insert(&m->ds, k, vs)
				    : wmaps_insert(&m->ps, k, vs);
		} else {
			const uint64_t *k = in->k;
			e = m->dram ? wmapd_insert(&m->d, k[i], k[i] + 1)
				    : wmap_insert(&m->p, k[i], k[i] + 1);
		}
		if (e != PC_OK && e != PC_E_EXISTS)
			return bench_pc_fail("fill");
	}
	return 0;
}

/* A case's set-up, not timed: its inputs (see wm_in_make()) and an
 * empty map (pcoll or dram), filled with every key when the workload has
 * queries. Returns 0, or 1 with a message and nothing left to free. */
static int wm_setup(const bench_env *env, const char *tag, int dram, int str,
		    uint64_t seed, int scans, wm *m, wm_in *in)
{
	if (wm_in_make(in, env->n, str, seed, scans)) {
		wm_in_free(in);
		(void)bench_fail("inputs: out of memory");
		return 1;
	}
	if (wm_open(env, tag, dram, str, m)) {
		wm_in_free(in);
		return 1;
	}
	if (seed && wm_fill(m, in)) {
		wm_in_free(in);
		(void)wm_close(m, 1);
		return 1;
	}
	return 0;
}

static int wm_finish(wm *m, wm_in *in, int rc)
{
	wm_in_free(in);
	return wm_close(m, rc);
}

/* The result of a range workload (W7, W7s): ops are scans; 100 keys per
 * scan unless a scan runs off the end; ok: the values read were right. */
static int wm_scans_done(bench_out *out, uint64_t seen, uint64_t scans, int ok)
{
	int rc = 0;
	if (!ok || seen > scans * WM_SCAN || seen < scans * WM_SCAN / 2)
		rc = bench_fail("%llu keys seen in %llu scans",
				(unsigned long long)seen,
				(unsigned long long)scans);
	(void)snprintf(out->note, sizeof(out->note), "%.2f keys per scan",
		       (double)seen / (double)scans);
	out->ops = scans;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Integer keys: one runner per workload, pcoll or dram                 */
/* ------------------------------------------------------------------ */

static int w5_run(const bench_env *env, bench_out *out, int dram)
{
	uint64_t n = env->n;
	wm m;
	wm_in in;
	if (wm_setup(env, "w5", dram, 0, 0, 0, &m, &in))
		return 1;
	const uint64_t *k = in.k;
	pc_err e = PC_OK;
	uint64_t i = 0;
	bench_begin();
	if (dram) {
		for (; i < n && e == PC_OK; i++)
			e = wmapd_insert(&m.d, k[i], k[i] + 1);
	} else {
		for (; i < n && e == PC_OK; i++)
			e = wmap_insert(&m.p, k[i], k[i] + 1);
	}
	bench_end();
	int rc = 0;
	if (e != PC_OK)
		rc = bench_pc_fail("insert");
	size_t len = dram ? wmapd_len(&m.d) : wmap_len(&m.p);
	if (!rc && len != n)
		rc = bench_fail("%zu entries after %llu inserts", len,
				(unsigned long long)n);
	if (!rc && !dram) {
		bench_pc_bytes(m.pool, n, out);
		(void)snprintf(out->note, sizeof(out->note),
			       "tree height %llu; check %s",
			       (unsigned long long)m.p.h->height,
			       wmap_check(&m.p) == PC_OK ? "ok" : "FAILED");
	}
	out->ops = n;
	return wm_finish(&m, &in, rc);
}

static int w6_run(const bench_env *env, bench_out *out, int dram)
{
	uint64_t n = env->n;
	wm m;
	wm_in in;
	if (wm_setup(env, "w6", dram, 0, 11, 0, &m, &in))
		return 1;
	const uint64_t *k = in.k, *q = in.q;
	uint64_t sum = 0, miss = 0;
	bench_begin();
	if (dram) {
		for (uint64_t i = 0; i < n; i++) {
			const uint64_t *v = wmapd_get(&m.d, q[i]);
			if (v)
				sum += *v;
			else
				miss++;
		}
	} else {
		for (uint64_t i = 0; i < n; i++) {
			const uint64_t *v = wmap_get(&m.p, q[i]);
			if (v)
				sum += *v;
			else
				miss++;
		}
	}
	bench_end();
	bench_consume(sum);
	uint64_t want = 0;
	for (uint64_t i = 0; i < n; i++)
		want += k[i] + 1;
	int rc = 0;
	if (miss || sum != want)
		rc = bench_fail("%llu misses, wrong sum",
				(unsigned long long)miss);
	out->ops = n;
	return wm_finish(&m, &in, rc);
}

static int w7_run(const bench_env *env, bench_out *out, int dram)
{
	wm m;
	wm_in in;
	if (wm_setup(env, "w7", dram, 0, 12, 1, &m, &in))
		return 1;
	uint64_t scans = in.nq;
	const uint64_t *lo = in.q;
	uint64_t seen = 0, sum = 0;
	bench_begin();
	if (dram) {
		for (uint64_t i = 0; i < scans; i++) {
			wmapd_iter it;
			int c = 0;
			for (bool ok = wmapd_lower_bound(&m.d, lo[i], &it);
			     ok && c < WM_SCAN; ok = wmapd_next(&it), c++)
				sum += *it.val;
			seen += (uint64_t)c;
		}
	} else {
		for (uint64_t i = 0; i < scans; i++) {
			wmap_iter it;
			int c = 0;
			for (bool ok = wmap_lower_bound(&m.p, lo[i], &it);
			     ok && c < WM_SCAN; ok = wmap_next(&it), c++)
				sum += *it.val;
			seen += (uint64_t)c;
		}
	}
	bench_end();
	bench_consume(sum);
	return wm_finish(&m, &in, wm_scans_done(out, seen, scans, 1));
}

static int w8_run(const bench_env *env, bench_out *out, int dram)
{
	uint64_t n = env->n;
	wm m;
	wm_in in;
	if (wm_setup(env, "w8", dram, 0, 13, 0, &m, &in))
		return 1;
	const uint64_t *q = in.q;
	pc_err e = PC_OK;
	uint64_t i = 0;
	bench_begin();
	if (dram) {
		for (; i < n && e == PC_OK; i++)
			e = wmapd_remove(&m.d, q[i], NULL);
	} else {
		for (; i < n && e == PC_OK; i++)
			e = wmap_remove(&m.p, q[i], NULL);
	}
	bench_end();
	int rc = 0;
	if (e != PC_OK)
		rc = bench_pc_fail("remove");
	if (!rc && !(dram ? wmapd_is_empty(&m.d) : wmap_is_empty(&m.p)))
		rc = bench_fail("not empty after removing all");
	out->ops = n;
	return wm_finish(&m, &in, rc);
}

BENCH_CASE_CALL(w5_pcoll, "W5", "map_insert", "pcoll", 0, 1000000, w5_run, 0)
BENCH_CASE_CALL(w5_dram, "W5", "map_insert", "dram", 1, 1000000, w5_run, 1)
BENCH_CASE_CALL(w6_pcoll, "W6", "map_get", "pcoll", 0, 1000000, w6_run, 0)
BENCH_CASE_CALL(w6_dram, "W6", "map_get", "dram", 1, 1000000, w6_run, 1)
BENCH_CASE_CALL(w7_pcoll, "W7", "map_range", "pcoll", 0, 1000000, w7_run, 0)
BENCH_CASE_CALL(w7_dram, "W7", "map_range", "dram", 1, 1000000, w7_run, 1)
BENCH_CASE_CALL(w8_pcoll, "W8", "map_remove", "pcoll", 0, 1000000, w8_run, 0)
BENCH_CASE_CALL(w8_dram, "W8", "map_remove", "dram", 1, 1000000, w8_run, 1)

/* ------------------------------------------------------------------ */
/* The floor: one durable 8-byte store per operation                    */
/* ------------------------------------------------------------------ */

static int wm_floor(const bench_env *env, bench_out *out)
{
	pc_pool *pool =
		bench_pc_fresh(env, "wm-floor", wm_pool_size(0, 0), NULL, NULL);
	if (!pool)
		return 1;
	uint64_t *w = (uint64_t *)(void *)(pool->base + pool->size / 2);
	uint64_t n = env->n;
	bench_begin();
	for (uint64_t i = 0; i < n; i++) {
		__atomic_store_n(w, i, __ATOMIC_RELAXED);
		pc_pool_persist(pool, w, sizeof(*w));
	}
	bench_end();
	out->ops = n;
	return bench_pc_close(pool, *w != n - 1);
}

BENCH_CASE(w5_floor, "W5", "map_insert", "floor", 1, 1000000, wm_floor)
BENCH_CASE(w8_floor, "W8", "map_remove", "floor", 1, 1000000, wm_floor)
BENCH_CASE(w5s_floor, "W5s", "map_insert_str", "floor", 1, 1000000, wm_floor)
BENCH_CASE(w8s_floor, "W8s", "map_remove_str", "floor", 1, 1000000, wm_floor)

/* ------------------------------------------------------------------ */
/* String keys                                                          */
/* ------------------------------------------------------------------ */

static int w5s_run(const bench_env *env, bench_out *out, int dram)
{
	uint64_t n = env->n;
	wm m;
	wm_in in;
	if (wm_setup(env, "w5s", dram, 1, 0, 0, &m, &in))
		return 1;
	const char *hk = in.hk;
	char v[WM_VLEN];
	pc_err e = PC_OK;
	bench_begin();
	if (dram) {
		for (uint64_t i = 0; i < n && e == PC_OK; i++) {
			wm_val(hk + 16 * i, v);
			e = wmapsd_insert(&m.ds, pc_slice_make(hk + 16 * i, 16),
					  pc_slice_make(v, WM_VLEN));
		}
	} else {
		for (uint64_t i = 0; i < n && e == PC_OK; i++) {
			wm_val(hk + 16 * i, v);
			e = wmaps_insert(&m.ps, pc_slice_make(hk + 16 * i, 16),
					 pc_slice_make(v, WM_VLEN));
		}
	}
	bench_end();
	int rc = e != PC_OK ? bench_pc_fail("insert") : 0;
	size_t len = dram ? wmapsd_len(&m.ds) : wmaps_len(&m.ps);
	if (!rc && len != n)
		rc = bench_pc_fail("count");
	if (!rc && !dram)
		bench_pc_bytes(m.pool, n, out);
	out->ops = n;
	return wm_finish(&m, &in, rc);
}

static int w6s_run(const bench_env *env, bench_out *out, int dram)
{
	uint64_t n = env->n;
	wm m;
	wm_in in;
	if (wm_setup(env, "w6s", dram, 1, 11, 0, &m, &in))
		return 1;
	const char *hq = in.hq;
	uint64_t miss = 0, sum = 0;
	bench_begin();
	if (dram) {
		for (uint64_t i = 0; i < n; i++) {
			pc_slice v = wmapsd_get(&m.ds,
						pc_slice_make(hq + 16 * i, 16));
			if (!v.ptr)
				miss++;
			else
				sum += v.len + *(const unsigned char *)v.ptr;
		}
	} else {
		for (uint64_t i = 0; i < n; i++) {
			pc_slice v = wmaps_get(&m.ps,
					       pc_slice_make(hq + 16 * i, 16));
			if (!v.ptr)
				miss++;
			else
				sum += v.len + *(const unsigned char *)v.ptr;
		}
	}
	bench_end();
	bench_consume(sum);
	int rc = 0;
	if (miss)
		rc = bench_fail("%llu misses", (unsigned long long)miss);
	out->ops = n;
	return wm_finish(&m, &in, rc);
}

static int w7s_run(const bench_env *env, bench_out *out, int dram)
{
	wm m;
	wm_in in;
	if (wm_setup(env, "w7s", dram, 1, 12, 1, &m, &in))
		return 1;
	uint64_t scans = in.nq;
	const char *hl = in.hq;
	uint64_t seen = 0, sum = 0;
	bench_begin();
	if (dram) {
		for (uint64_t i = 0; i < scans; i++) {
			wmapsd_iter it;
			int c = 0;
			for (bool ok = wmapsd_lower_bound(
				     &m.ds, pc_slice_make(hl + 16 * i, 16),
				     &it);
			     ok && c < WM_SCAN; ok = wmapsd_next(&it), c++)
				sum += it.val.len;
			seen += (uint64_t)c;
		}
	} else {
		for (uint64_t i = 0; i < scans; i++) {
			wmaps_iter it;
			int c = 0;
			for (bool ok = wmaps_lower_bound(
				     &m.ps, pc_slice_make(hl + 16 * i, 16),
				     &it);
			     ok && c < WM_SCAN; ok = wmaps_next(&it), c++)
				sum += it.val.len;
			seen += (uint64_t)c;
		}
	}
	bench_end();
	bench_consume(sum);
	return wm_finish(
		&m, &in,
		wm_scans_done(out, seen, scans, sum == seen * WM_VLEN));
}

static int w8s_run(const bench_env *env, bench_out *out, int dram)
{
	uint64_t n = env->n;
	wm m;
	wm_in in;
	if (wm_setup(env, "w8s", dram, 1, 13, 0, &m, &in))
		return 1;
	const char *hq = in.hq;
	pc_err e = PC_OK;
	bench_begin();
	if (dram) {
		for (uint64_t i = 0; i < n && e == PC_OK; i++)
			e = wmapsd_remove(&m.ds, pc_slice_make(hq + 16 * i, 16),
					  NULL);
	} else {
		for (uint64_t i = 0; i < n && e == PC_OK; i++)
			e = wmaps_remove(&m.ps, pc_slice_make(hq + 16 * i, 16),
					 NULL);
	}
	bench_end();
	int rc = e != PC_OK ? bench_pc_fail("remove") : 0;
	if (!rc && !(dram ? wmapsd_is_empty(&m.ds) : wmaps_is_empty(&m.ps)))
		rc = bench_pc_fail("not empty");
	out->ops = n;
	return wm_finish(&m, &in, rc);
}

BENCH_CASE_CALL(w5s_pcoll, "W5s", "map_insert_str", "pcoll", 0, 1000000,
		w5s_run, 0)
BENCH_CASE_CALL(w5s_dram, "W5s", "map_insert_str", "dram", 1, 1000000, w5s_run,
		1)
BENCH_CASE_CALL(w6s_pcoll, "W6s", "map_get_str", "pcoll", 0, 1000000, w6s_run,
		0)
BENCH_CASE_CALL(w6s_dram, "W6s", "map_get_str", "dram", 1, 1000000, w6s_run, 1)
BENCH_CASE_CALL(w7s_pcoll, "W7s", "map_range_str", "pcoll", 0, 1000000, w7s_run,
		0)
BENCH_CASE_CALL(w7s_dram, "W7s", "map_range_str", "dram", 1, 1000000, w7s_run,
		1)
BENCH_CASE_CALL(w8s_pcoll, "W8s", "map_remove_str", "pcoll", 0, 1000000,
		w8s_run, 0)
BENCH_CASE_CALL(w8s_dram, "W8s", "map_remove_str", "dram", 1, 1000000, w8s_run,
		1)

/* ------------------------------------------------------------------ */
/* W12: recovery                                                        */
/* ------------------------------------------------------------------ */

/* Build a pool with n entries (sequential keys: the fastest build; the
 * open path reads the same header whatever the keys). */
static int w12_build(const char *path, uint64_t n)
{
	pc_pool *pool = NULL;
	wmap m;
	if (pc_pool_create(path, wm_pool_size(n, 0), &pool) != PC_OK ||
	    wm_bind(pool, &m) != PC_OK)
		return bench_pc_fail("build");
	for (uint64_t i = 0; i < n; i++)
		if (wmap_insert(&m, i * 2, i) != PC_OK)
			return bench_pc_fail("insert");
	return bench_pc_close(pool, 0);
}

/* A writer that inserts odd keys until it is killed. */
static int w12_crash(const char *path)
{
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		pc_pool *pool = NULL;
		wmap m;
		if (pc_pool_open(path, &pool) != PC_OK ||
		    wmap_root(pool, "m", PC_OPEN, &m) != PC_OK)
			_exit(2);
		uint64_t s = 77;
		for (;;)
			if (wmap_put(&m, bench_splitmix64(&s) | 1, 1, NULL) !=
			    PC_OK)
				_exit(3);
	}
	struct timespec ts = {0, 200 * 1000000L};
	nanosleep(&ts, NULL);
	kill(pid, SIGKILL);
	int st = 0;
	waitpid(pid, &st, 0);
	return !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static int w12_run(const bench_env *env, bench_out *out, int crash)
{
	const char *path = bench_pool_path(env, crash ? "w12c" : "w12");
	uint64_t n = env->n;
	if (!path || w12_build(path, n) || (crash && w12_crash(path)))
		return bench_pc_fail("setup");
	pc_pool *pool = NULL;
	wmap m;
	bench_begin();
	pc_err e = pc_pool_open(path, &pool);
	if (e == PC_OK)
		e = wmap_root(pool, "m", PC_OPEN, &m);
	bench_end();
	if (e != PC_OK)
		return bench_pc_fail("open");
	/* Not timed: the map is whole and holds the entries built. */
	int rc = 0;
	if (!env->counting) {
		if (wmap_check(&m) != PC_OK)
			rc = bench_pc_fail("check");
		size_t len = wmap_len(&m);
		if (len < n || (!crash && len != n))
			rc = bench_pc_fail("len");
		(void)snprintf(out->note, sizeof(out->note),
			       "%zu entries, height %llu", len,
			       (unsigned long long)m.h->height);
	}
	out->ops = 1;
	return bench_pc_close(pool, rc);
}

BENCH_CASE_CALL(w12_clean, "W12", "map_recovery", "pcoll", 0, 10000000, w12_run,
		0)
BENCH_CASE_CALL(w12_crashed, "W12", "map_recovery", "pcoll-crash", 0, 10000000,
		w12_run, 1)
