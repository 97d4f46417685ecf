/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * W9 log: PLOG against Debian's libpmemlog (the anchor).
 *
 * W9   log_append64   N appends of 64-byte records, each durable
 * W9w  log_walk64     a full walk of N 64-byte records made by single
 *                     appends (the callback reads each record); timed per
 *                     record
 * W9k  log_append4k   N appends of 4 KiB records
 * W9v  log_appendv16  N records appended in batches of 16 x 64 bytes:
 *                     pcoll appendv (one fence per batch) against 16 single
 *                     libpmemlog appends; "libpmemlog-appendv" is
 *                     libpmemlog's own appendv, for information
 * W9s, W9ks, W9vs     W9, W9k and W9v into a log filled once and rewound
 *                     (no first-touch page faults; see below)
 *
 * pcoll's log starts with a 1 MiB chunk and grows by chaining chunks
 * during the run (libpmemlog's pool is fixed and preallocated); both pools
 * are fresh files, so both pay the first-touch page faults.
 * This file does not use pcoll/compat/pmemlog.h: the compat functions
 * would clash with libpmemlog's names in one binary.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <libpmemlog.h>
#include <pcoll/log.h>
#include <pcoll/pcoll.h>

#include "bench.h"
#include "fixture.h"

#define W9_REC       64u
#define W9_REC4K     4096u
#define W9_BATCH     16u
#define W9_FIRST_CAP ((size_t)1 << 20)

/* Pool size for n records of len bytes, with room for headers. */
static size_t w9_pool_size(uint64_t n, size_t len)
{
	size_t need = (size_t)n * (len + 64) + ((size_t)64 << 20);
	return need < PC_POOL_MIN_SIZE ? PC_POOL_MIN_SIZE : need;
}

static void w9_fill(unsigned char *buf, size_t len, uint64_t i)
{
	uint64_t s = 1;
	for (size_t k = 0; k < len; k += 8) {
		uint64_t v = bench_splitmix64(&s);
		memcpy(buf + k, &v, len - k < 8 ? len - k : 8);
	}
	memcpy(buf, &i, sizeof(i));
}

/* ---------------- pcoll ---------------- */

typedef struct w9p {
	pc_pool *pool;
	plog log;
} w9p;

static pc_err w9p_bind(pc_pool *pool, void *log)
{
	return plog_root(pool, "w9", PC_CREATE, W9_FIRST_CAP, (plog *)log);
}

/* A fresh pool for n records of len bytes with the log as root "w9";
 * packed: plog_set_packed(), appends follow each other at 8 bytes. */
static int w9p_open(const bench_env *env, const char *tag, size_t len,
		    int packed, w9p *w)
{
	w->pool = bench_pc_fresh(env, tag, w9_pool_size(env->n, len), w9p_bind,
				 &w->log);
	if (!w->pool)
		return 1;
	if (packed && plog_set_packed(&w->log, true) != PC_OK) {
		(void)bench_pc_close(w->pool, bench_pc_fail("packed"));
		return 1;
	}
	return 0;
}

/* Pool bytes per record, then the pool closed; returns rc, or 1 when the
 * close failed. */
static int w9p_close(w9p *w, bench_out *out, uint64_t n, int rc)
{
	bench_pc_bytes(w->pool, n, out);
	return bench_pc_close(w->pool, rc);
}

/* The end of an append case: the log holds n records; ops are records. */
static int w9p_done(w9p *w, bench_out *out, uint64_t n, pc_err e)
{
	int rc = e != PC_OK || plog_count(&w->log) != n
			 ? bench_pc_fail("append")
			 : 0;
	out->ops = n;
	return w9p_close(w, out, n, rc);
}

static int w9p_appends(const bench_env *env, bench_out *out, size_t len,
		       const char *tag, int packed)
{
	uint64_t n = env->n;
	w9p w;
	if (w9p_open(env, tag, len, packed, &w))
		return 1;
	unsigned char *buf = (unsigned char *)malloc(len);
	if (!buf)
		return w9p_close(&w, out, 0, bench_fail("out of memory"));
	w9_fill(buf, len, 0);
	pc_err e = PC_OK;
	bench_begin();
	for (uint64_t i = 0; i < n && e == PC_OK; i++) {
		memcpy(buf, &i, sizeof(i));
		e = plog_append(&w.log, buf, len);
	}
	bench_end();
	free(buf);
	snprintf(out->note, sizeof(out->note), "%llu chunks%s",
		 (unsigned long long)w.log.rt->w.nchunks,
		 packed ? "; packed" : "");
	return w9p_done(&w, out, n, e);
}
BENCH_CASE_CALL(w9_pcoll, "W9", "log_append64", "pcoll", 0, 1000000,
		w9p_appends, W9_REC, "pcoll64", 0)
BENCH_CASE_CALL(w9_pcoll_packed, "W9", "log_append64", "pcoll-packed", 0,
		1000000, w9p_appends, W9_REC, "pcoll64p", 1)
BENCH_CASE_CALL(w9k_pcoll, "W9k", "log_append4k", "pcoll", 0, 100000,
		w9p_appends, W9_REC4K, "pcoll4k", 0)

struct w9_sum {
	uint64_t sum, recs;
};

static int w9_walk_cb(const void *buf, size_t len, void *arg)
{
	struct w9_sum *s = (struct w9_sum *)arg;
	uint64_t v = 0;
	if (len >= sizeof(v))
		memcpy(&v, buf, sizeof(v));
	s->sum += v;
	s->recs++;
	return 0; /* plog_walk: 0 goes on */
}

/* libpmemlog's walk goes on while its callback returns nonzero. */
static int w9_walk_pmemlog(const void *buf, size_t len, void *arg)
{
	return w9_walk_cb(buf, len, arg) == 0;
}

static int w9w_pcoll(const bench_env *env, bench_out *out, int packed)
{
	uint64_t n = env->n;
	w9p w;
	if (w9p_open(env, packed ? "pcollwp" : "pcollw", W9_REC, packed, &w))
		return 1;
	unsigned char buf[W9_REC];
	w9_fill(buf, sizeof(buf), 0);
	pc_err e = PC_OK;
	/* Setup (not timed): single appends, as W9 makes the log, so the
	 * walk sees the layout single appends leave (each on its own
	 * cache lines). */
	for (uint64_t i = 0; i < n && e == PC_OK; i++) {
		memcpy(buf, &i, sizeof(i));
		e = plog_append(&w.log, buf, W9_REC);
	}
	struct w9_sum s = {0, 0};
	bench_begin();
	if (e == PC_OK)
		e = (pc_err)plog_walk(&w.log, 0, w9_walk_cb, &s);
	bench_end();
	int rc = 0;
	if (e != PC_OK || s.recs != n || s.sum != (n ? n * (n - 1) / 2 : 0))
		rc = bench_fail("walk saw %llu records: %s",
				(unsigned long long)s.recs, pc_errmsg());
	out->ops = n;
	return w9p_close(&w, out, n, rc);
}
BENCH_CASE_CALL(w9w_pcoll, "W9w", "log_walk64", "pcoll", 0, 1000000, w9w_pcoll,
		0)
BENCH_CASE_CALL(w9w_pcoll_packed, "W9w", "log_walk64", "pcoll-packed", 0,
		1000000, w9w_pcoll, 1)

static int w9v_pcoll(const bench_env *env, bench_out *out)
{
	uint64_t n = env->n;
	w9p w;
	if (w9p_open(env, "pcollv", W9_REC, 0, &w))
		return 1;
	unsigned char recs[W9_BATCH][W9_REC];
	plog_iovec v[W9_BATCH];
	for (size_t j = 0; j < W9_BATCH; j++) {
		w9_fill(recs[j], W9_REC, j);
		v[j].base = recs[j];
		v[j].len = W9_REC;
	}
	pc_err e = PC_OK;
	bench_begin();
	for (uint64_t i = 0; i < n && e == PC_OK; i += W9_BATCH) {
		size_t k = n - i < W9_BATCH ? (size_t)(n - i) : W9_BATCH;
		memcpy(recs[0], &i, sizeof(i));
		e = plog_appendv(&w.log, v, k);
	}
	bench_end();
	snprintf(out->note, sizeof(out->note),
		 "ops are records; %u per appendv", W9_BATCH);
	return w9p_done(&w, out, n, e);
}
BENCH_CASE(w9v_pcoll, "W9v", "log_appendv16", "pcoll", 0, 1000000, w9v_pcoll)

/* ---------------- libpmemlog (anchor) ---------------- */

/* A fresh libpmemlog pool for n records of len bytes. */
static PMEMlogpool *w9l_open(const bench_env *env, const char *tag, size_t len)
{
	const char *path = bench_pool_path(env, tag);
	PMEMlogpool *plp =
		path ? pmemlog_create(path, w9_pool_size(env->n, len), 0600)
		     : NULL;
	if (!plp)
		bench_fail("create: %s", pmemlog_errormsg());
	return plp;
}

/* Log bytes per record, then the pool closed; returns rc. */
static int w9l_close(PMEMlogpool *plp, bench_out *out, uint64_t n, int rc)
{
	if (n)
		out->bytes_per_elem = (double)pmemlog_tell(plp) / (double)n;
	pmemlog_close(plp);
	return rc;
}

/* The end of an append case: the log holds n records of len bytes (r:
 * the last append's result); ops are records. */
static int w9l_done(PMEMlogpool *plp, bench_out *out, uint64_t n, size_t len,
		    int r)
{
	int rc = 0;
	if (r != 0 || (uint64_t)pmemlog_tell(plp) != n * len)
		rc = bench_fail("%s", pmemlog_errormsg());
	out->ops = n;
	return w9l_close(plp, out, n, rc);
}

/* N appends of len bytes; steady: into a log filled once and rewound
 * (see "steady state" below). */
static int w9l_appends(const bench_env *env, bench_out *out, size_t len,
		       const char *tag, int steady, const char *note)
{
	uint64_t n = env->n;
	PMEMlogpool *plp = w9l_open(env, tag, len);
	if (!plp)
		return 1;
	unsigned char *buf = (unsigned char *)malloc(len);
	if (!buf)
		return w9l_close(plp, out, 0, bench_fail("out of memory"));
	w9_fill(buf, len, 0);
	int r = 0;
	if (steady) {
		for (uint64_t i = 0; i < n && r == 0; i++)
			r = pmemlog_append(plp, buf, len);
		pmemlog_rewind(plp);
	}
	bench_begin();
	for (uint64_t i = 0; i < n && r == 0; i++) {
		memcpy(buf, &i, sizeof(i));
		r = pmemlog_append(plp, buf, len);
	}
	bench_end();
	free(buf);
	if (note)
		snprintf(out->note, sizeof(out->note), "%s", note);
	return w9l_done(plp, out, n, len, r);
}
BENCH_CASE_CALL(w9_pmemlog, "W9", "log_append64", "libpmemlog", 1, 1000000,
		w9l_appends, W9_REC, "pmemlog64", 0, NULL)
BENCH_CASE_CALL(w9k_pmemlog, "W9k", "log_append4k", "libpmemlog", 1, 100000,
		w9l_appends, W9_REC4K, "pmemlog4k", 0, NULL)

static int w9w_pmemlog(const bench_env *env, bench_out *out)
{
	uint64_t n = env->n;
	PMEMlogpool *plp = w9l_open(env, "pmemlogw", W9_REC);
	if (!plp)
		return 1;
	unsigned char buf[W9_REC];
	w9_fill(buf, sizeof(buf), 0);
	int r = 0;
	for (uint64_t i = 0; i < n && r == 0; i++) {
		memcpy(buf, &i, sizeof(i));
		r = pmemlog_append(plp, buf, W9_REC);
	}
	struct w9_sum s = {0, 0};
	bench_begin();
	if (r == 0)
		pmemlog_walk(plp, W9_REC, w9_walk_pmemlog, &s);
	bench_end();
	int rc = 0;
	if (r != 0 || s.recs != n || s.sum != (n ? n * (n - 1) / 2 : 0))
		rc = bench_fail("walk saw %llu records",
				(unsigned long long)s.recs);
	out->ops = n;
	return w9l_close(plp, out, n, rc);
}
BENCH_CASE(w9w_pmemlog, "W9w", "log_walk64", "libpmemlog", 1, 1000000,
	   w9w_pmemlog)

static int w9v_pmemlog(const bench_env *env, bench_out *out, int use_appendv,
		       const char *tag)
{
	uint64_t n = env->n;
	PMEMlogpool *plp = w9l_open(env, tag, W9_REC);
	if (!plp)
		return 1;
	unsigned char recs[W9_BATCH][W9_REC];
	struct iovec v[W9_BATCH];
	for (size_t j = 0; j < W9_BATCH; j++) {
		w9_fill(recs[j], W9_REC, j);
		v[j].iov_base = recs[j];
		v[j].iov_len = W9_REC;
	}
	int r = 0;
	bench_begin();
	for (uint64_t i = 0; i < n && r == 0; i += W9_BATCH) {
		size_t k = n - i < W9_BATCH ? (size_t)(n - i) : W9_BATCH;
		memcpy(recs[0], &i, sizeof(i));
		if (use_appendv) {
			r = pmemlog_appendv(plp, v, (int)k);
			continue;
		}
		for (size_t j = 0; j < k && r == 0; j++)
			r = pmemlog_append(plp, recs[j], W9_REC);
	}
	bench_end();
	snprintf(out->note, sizeof(out->note), "ops are records; %s",
		 use_appendv ? "appendv of 16" : "16 single appends");
	return w9l_done(plp, out, n, W9_REC, r);
}
BENCH_CASE_CALL(w9v_pmemlog, "W9v", "log_appendv16", "libpmemlog", 1, 1000000,
		w9v_pmemlog, 0, "pmemlogv")
BENCH_CASE_CALL(w9v_pmemlog_v, "W9v", "log_appendv16", "libpmemlog-appendv", 0,
		1000000, w9v_pmemlog, 1, "pmemlogvv")

/* ---------------- steady state ----------------
 * W9s / W9vs / W9ks: the same appends into a log that was filled once and
 * rewound (not timed), so neither side pays first-touch page faults, which
 * dominate the runs on fresh pool files above. libpmemlog's side is
 * w9l_appends() with .steady set. */

static int w9s_pcoll(const bench_env *env, bench_out *out, int batch,
		     size_t len)
{
	uint64_t n = env->n;
	w9p w;
	const char *tag = batch          ? "pcollvs"
			  : len > W9_REC ? "pcollks"
					 : "pcolls";
	if (w9p_open(env, tag, len, 0, &w))
		return 1;
	unsigned char *recs = (unsigned char *)malloc(W9_BATCH * len);
	if (!recs)
		return w9p_close(&w, out, 0, bench_fail("out of memory"));
	plog_iovec v[W9_BATCH];
	for (size_t j = 0; j < W9_BATCH; j++) {
		w9_fill(recs + j * len, len, j);
		v[j].base = recs + j * len;
		v[j].len = len;
	}
	pc_err e = PC_OK;
	for (uint64_t i = 0; i < n && e == PC_OK; i++)
		e = plog_append(&w.log, recs, len);
	if (e == PC_OK)
		e = plog_rewind(&w.log);
	bench_begin();
	for (uint64_t i = 0; i < n && e == PC_OK;) {
		memcpy(recs, &i, sizeof(i));
		if (batch) {
			size_t k =
				n - i < W9_BATCH ? (size_t)(n - i) : W9_BATCH;
			e = plog_appendv(&w.log, v, k);
			i += k;
		} else {
			e = plog_append(&w.log, recs, len);
			i++;
		}
	}
	bench_end();
	free(recs);
	snprintf(out->note, sizeof(out->note), "rewound log%s",
		 batch ? "; ops are records, appendv of 16" : "");
	return w9p_done(&w, out, n, e);
}
BENCH_CASE_CALL(w9s_pcoll, "W9s", "log_append64_steady", "pcoll", 0, 1000000,
		w9s_pcoll, 0, W9_REC)
BENCH_CASE_CALL(w9vs_pcoll, "W9vs", "log_appendv16_steady", "pcoll", 0, 1000000,
		w9s_pcoll, 1, W9_REC)
BENCH_CASE_CALL(w9ks_pcoll, "W9ks", "log_append4k_steady", "pcoll", 0, 100000,
		w9s_pcoll, 0, W9_REC4K)

BENCH_CASE_CALL(w9s_pmemlog, "W9s", "log_append64_steady", "libpmemlog", 1,
		1000000, w9l_appends, W9_REC, "pmemlogs", 1, "rewound log")
BENCH_CASE_CALL(w9vs_pmemlog, "W9vs", "log_appendv16_steady", "libpmemlog", 1,
		1000000, w9l_appends, W9_REC, "pmemlogvs", 1,
		"rewound log; 16 single appends per batch")
BENCH_CASE_CALL(w9ks_pmemlog, "W9ks", "log_append4k_steady", "libpmemlog", 1,
		100000, w9l_appends, W9_REC4K, "pmemlogks", 1, "rewound log")
