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
 * W9p, W9kp, W9vp     W9, W9k and W9v on fresh pools that were prefaulted
 *                     when created: pcoll's with pc_pool_opts.prefault,
 *                     libpmemlog's with its prefault.at_create control
 * W9x<size>           appends of one size into a rewound log in each
 *                     commit form of PLOG (forced through the engine's
 *                     test hook plog__form_force: pcoll-sum, pcoll-crc,
 *                     pcoll-fence2), as the engine chooses (pcoll) and
 *                     libpmemlog's: where the forms cross over
 * W9c                 creating a pool of N MiB, per MiB, with and without
 *                     prefaulting (pcoll and libpmemlog): its cost
 *
 * pcoll's log starts with a 1 MiB chunk and grows by chaining chunks
 * during the run (libpmemlog's pool is fixed and preallocated); both pools
 * are fresh files, so both pay the first-touch page faults, unless both
 * are prefaulted (the W9*p cases; the JSON record's "prefault" says so).
 * This file does not use pcoll/compat/pmemlog.h: the compat functions
 * would clash with libpmemlog's names in one binary.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <pcoll/log.h>
#include <pcoll/pcoll.h>

/* The anchor builds where libpmemlog exists (meson defines
 * BENCH_HAVE_PMEMLOG; PMDK 2.x has no libpmemlog). PMDK 1.13 marks every
 * libpmemlog function deprecated: using it is this anchor's purpose. */
#ifdef BENCH_HAVE_PMEMLOG
#include <libpmemlog.h>
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif

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

/* A fresh pool of size bytes, created with pc_pool_opts.prefault, and
 * its log; sets out->prefault. NULL on failure (with a message). */
static pc_pool *w9p_fresh_prefaulted(const bench_env *env, const char *tag,
				     size_t size, plog *log, bench_out *out)
{
	const char *path = bench_pool_path(env, tag);
	pc_pool_opts o;
	memset(&o, 0, sizeof(o));
	o.size = size;
	o.prefault = 1;
	pc_pool *pool = NULL;
	if (!path || pc_pool_open_opts(path, PC_CREATE, &o, &pool) != PC_OK) {
		bench_pc_fail("create (prefault)");
		return NULL;
	}
	if (w9p_bind(pool, log) != PC_OK) {
		bench_pc_fail("root");
		(void)pc_pool_close(pool);
		return NULL;
	}
	out->prefault = 1;
	return pool;
}

/* A fresh pool for n records of len bytes with the log as root "w9";
 * packed: plog_set_packed(), appends follow each other at 8 bytes;
 * prefault: the pool is prefaulted when created (out->prefault). */
static int w9p_open(const bench_env *env, const char *tag, size_t len,
		    int packed, int prefault, w9p *w, bench_out *out)
{
	size_t size = w9_pool_size(env->n, len);
	w->pool = prefault ? w9p_fresh_prefaulted(env, tag, size, &w->log, out)
			   : bench_pc_fresh(env, tag, size, w9p_bind, &w->log);
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
		       const char *tag, int packed, int prefault)
{
	uint64_t n = env->n;
	w9p w;
	if (w9p_open(env, tag, len, packed, prefault, &w, out))
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
	snprintf(out->note, sizeof(out->note), "%llu chunks%s%s",
		 (unsigned long long)w.log.rt->w.nchunks,
		 packed ? "; packed" : "", prefault ? "; prefaulted" : "");
	return w9p_done(&w, out, n, e);
}
BENCH_CASE_CALL(w9_pcoll, "W9", "log_append64", "pcoll", 0, 1000000,
		w9p_appends, W9_REC, "pcoll64", 0, 0)
BENCH_CASE_CALL(w9_pcoll_packed, "W9", "log_append64", "pcoll-packed", 0,
		1000000, w9p_appends, W9_REC, "pcoll64p", 1, 0)
BENCH_CASE_CALL(w9k_pcoll, "W9k", "log_append4k", "pcoll", 0, 100000,
		w9p_appends, W9_REC4K, "pcoll4k", 0, 0)
BENCH_CASE_CALL(w9p_pcoll, "W9p", "log_append64_prefault", "pcoll", 0, 1000000,
		w9p_appends, W9_REC, "pcoll64pf", 0, 1)
BENCH_CASE_CALL(w9p_pcoll_packed, "W9p", "log_append64_prefault",
		"pcoll-packed", 0, 1000000, w9p_appends, W9_REC, "pcoll64ppf",
		1, 1)
BENCH_CASE_CALL(w9kp_pcoll, "W9kp", "log_append4k_prefault", "pcoll", 0, 100000,
		w9p_appends, W9_REC4K, "pcoll4kpf", 0, 1)

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

#ifdef BENCH_HAVE_PMEMLOG
/* libpmemlog's walk goes on while its callback returns nonzero. */
static int w9_walk_pmemlog(const void *buf, size_t len, void *arg)
{
	return w9_walk_cb(buf, len, arg) == 0;
}
#endif

static int w9w_pcoll(const bench_env *env, bench_out *out, int packed)
{
	uint64_t n = env->n;
	w9p w;
	if (w9p_open(env, packed ? "pcollwp" : "pcollw", W9_REC, packed, 0, &w,
		     out))
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

static int w9v_pcoll(const bench_env *env, bench_out *out, int prefault)
{
	uint64_t n = env->n;
	w9p w;
	if (w9p_open(env, "pcollv", W9_REC, 0, prefault, &w, out))
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
		 "ops are records; %u per appendv%s", W9_BATCH,
		 prefault ? "; prefaulted" : "");
	return w9p_done(&w, out, n, e);
}
BENCH_CASE_CALL(w9v_pcoll, "W9v", "log_appendv16", "pcoll", 0, 1000000,
		w9v_pcoll, 0)
BENCH_CASE_CALL(w9vp_pcoll, "W9vp", "log_appendv16_prefault", "pcoll", 0,
		1000000, w9v_pcoll, 1)

#ifdef BENCH_HAVE_PMEMLOG
/* ---------------- libpmemlog (anchor) ---------------- */

/* A fresh libpmemlog pool for n records of len bytes; prefault: with
 * libpmemlog's prefault.at_create control set for this create (the
 * pool's pages are touched once), and out->prefault set. */
static PMEMlogpool *w9l_open(const bench_env *env, const char *tag, size_t len,
			     int prefault, bench_out *out)
{
	const char *path = bench_pool_path(env, tag);
	int on = prefault, off = 0;
	if (prefault && pmemlog_ctl_set(NULL, "prefault.at_create", &on) != 0) {
		bench_fail("prefault.at_create: %s", pmemlog_errormsg());
		return NULL;
	}
	PMEMlogpool *plp =
		path ? pmemlog_create(path, w9_pool_size(env->n, len), 0600)
		     : NULL;
	if (!plp)
		bench_fail("create: %s", pmemlog_errormsg());
	if (prefault) {
		(void)pmemlog_ctl_set(NULL, "prefault.at_create", &off);
		out->prefault = 1;
	}
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
		       const char *tag, int steady, int prefault,
		       const char *note)
{
	uint64_t n = env->n;
	PMEMlogpool *plp = w9l_open(env, tag, len, prefault, out);
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
		w9l_appends, W9_REC, "pmemlog64", 0, 0, NULL)
BENCH_CASE_CALL(w9k_pmemlog, "W9k", "log_append4k", "libpmemlog", 1, 100000,
		w9l_appends, W9_REC4K, "pmemlog4k", 0, 0, NULL)
BENCH_CASE_CALL(w9p_pmemlog, "W9p", "log_append64_prefault", "libpmemlog", 1,
		1000000, w9l_appends, W9_REC, "pmemlog64pf", 0, 1, "prefaulted")
BENCH_CASE_CALL(w9kp_pmemlog, "W9kp", "log_append4k_prefault", "libpmemlog", 1,
		100000, w9l_appends, W9_REC4K, "pmemlog4kpf", 0, 1,
		"prefaulted")

static int w9w_pmemlog(const bench_env *env, bench_out *out)
{
	uint64_t n = env->n;
	PMEMlogpool *plp = w9l_open(env, "pmemlogw", W9_REC, 0, out);
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
		       const char *tag, int prefault)
{
	uint64_t n = env->n;
	PMEMlogpool *plp = w9l_open(env, tag, W9_REC, prefault, out);
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
	snprintf(out->note, sizeof(out->note), "ops are records; %s%s",
		 use_appendv ? "appendv of 16" : "16 single appends",
		 prefault ? "; prefaulted" : "");
	return w9l_done(plp, out, n, W9_REC, r);
}
BENCH_CASE_CALL(w9v_pmemlog, "W9v", "log_appendv16", "libpmemlog", 1, 1000000,
		w9v_pmemlog, 0, "pmemlogv", 0)
BENCH_CASE_CALL(w9v_pmemlog_v, "W9v", "log_appendv16", "libpmemlog-appendv", 0,
		1000000, w9v_pmemlog, 1, "pmemlogvv", 0)
BENCH_CASE_CALL(w9vp_pmemlog, "W9vp", "log_appendv16_prefault", "libpmemlog", 1,
		1000000, w9v_pmemlog, 0, "pmemlogvpf", 1)
BENCH_CASE_CALL(w9vp_pmemlog_v, "W9vp", "log_appendv16_prefault",
		"libpmemlog-appendv", 0, 1000000, w9v_pmemlog, 1, "pmemlogvvpf",
		1)
#endif /* BENCH_HAVE_PMEMLOG */

/* ---------------- steady state ----------------
 * W9s / W9vs / W9ks: the same appends into a log that was filled once and
 * rewound (not timed), so neither side pays first-touch page faults, which
 * dominate the runs on fresh pool files above. libpmemlog's side is
 * w9l_appends() with .steady set. */

/* form: a PLOG commit form forced on large records (W9x), or
 * PLOG__FORM_BY_COST. */
static int w9s_pcoll(const bench_env *env, bench_out *out, int batch,
		     size_t len, int form)
{
	uint64_t n = env->n;
	w9p w;
	const char *tag = batch          ? "pcollvs"
			  : len > W9_REC ? "pcollks"
					 : "pcolls";
	if (w9p_open(env, tag, len, 0, 0, &w, out))
		return 1;
	unsigned char *recs = (unsigned char *)malloc(W9_BATCH * len);
	if (!recs)
		return w9p_close(&w, out, 0, bench_fail("out of memory"));
	plog__form_force = form;
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
	plog__form_force = PLOG__FORM_BY_COST;
	free(recs);
	static const char *const forms[] = {"", "; form sum", "; form crc",
					    "; form fence2"};
	snprintf(out->note, sizeof(out->note), "rewound log%s%s",
		 batch ? "; ops are records, appendv of 16" : "",
		 forms[form & 3]);
	return w9p_done(&w, out, n, e);
}
BENCH_CASE_CALL(w9s_pcoll, "W9s", "log_append64_steady", "pcoll", 0, 1000000,
		w9s_pcoll, 0, W9_REC, PLOG__FORM_BY_COST)
BENCH_CASE_CALL(w9vs_pcoll, "W9vs", "log_appendv16_steady", "pcoll", 0, 1000000,
		w9s_pcoll, 1, W9_REC, PLOG__FORM_BY_COST)
BENCH_CASE_CALL(w9ks_pcoll, "W9ks", "log_append4k_steady", "pcoll", 0, 100000,
		w9s_pcoll, 0, W9_REC4K, PLOG__FORM_BY_COST)

#ifdef BENCH_HAVE_PMEMLOG
BENCH_CASE_CALL(w9s_pmemlog, "W9s", "log_append64_steady", "libpmemlog", 1,
		1000000, w9l_appends, W9_REC, "pmemlogs", 1, 0, "rewound log")
BENCH_CASE_CALL(w9vs_pmemlog, "W9vs", "log_appendv16_steady", "libpmemlog", 1,
		1000000, w9l_appends, W9_REC, "pmemlogvs", 1, 0,
		"rewound log; 16 single appends per batch")
BENCH_CASE_CALL(w9ks_pmemlog, "W9ks", "log_append4k_steady", "libpmemlog", 1,
		100000, w9l_appends, W9_REC4K, "pmemlogks", 1, 0, "rewound log")
#endif

/* ---------------- W9x: the commit forms' crossover ----------------
 * Appends of one size into a rewound log, in each form PLOG can write a
 * large record in, as PLOG chooses, and libpmemlog's. N shrinks with the
 * size so that every case writes about 400 MB. */
#ifdef BENCH_HAVE_PMEMLOG
#define W9X_PMEMLOG(tag, len, n)                                             \
	BENCH_CASE_CALL(w9x##tag##_pmemlog, "W9x" #tag, "log_append_form",   \
			"libpmemlog", 1, n, w9l_appends, len, "pmemlogx", 1, \
			0, "rewound log")
#else
#define W9X_PMEMLOG(tag, len, n)
#endif
#define W9X_CASES(tag, len, n)                                                \
	BENCH_CASE_CALL(w9x##tag##_sum, "W9x" #tag, "log_append_form",        \
			"pcoll-sum", 0, n, w9s_pcoll, 0, len, PLOG__FORM_SUM) \
	BENCH_CASE_CALL(w9x##tag##_crc, "W9x" #tag, "log_append_form",        \
			"pcoll-crc", 0, n, w9s_pcoll, 0, len, PLOG__FORM_CRC) \
	BENCH_CASE_CALL(w9x##tag##_f2, "W9x" #tag, "log_append_form",         \
			"pcoll-fence2", 0, n, w9s_pcoll, 0, len,              \
			PLOG__FORM_FENCE2)                                    \
	BENCH_CASE_CALL(w9x##tag##_cost, "W9x" #tag, "log_append_form",       \
			"pcoll", 0, n, w9s_pcoll, 0, len, PLOG__FORM_BY_COST) \
	W9X_PMEMLOG(tag, len, n)
W9X_CASES(768, 768, 100000)
W9X_CASES(1k5, 1536, 100000)
W9X_CASES(2k, 2048, 100000)
W9X_CASES(4k, 4096, 100000)
W9X_CASES(8k, 8192, 50000)
W9X_CASES(16k, 16384, 25000)
W9X_CASES(64k, 65536, 6000)
W9X_CASES(256k, 262144, 1500)

/* ---------------- W9c: what prefaulting costs ----------------
 * Creating a fresh pool of N MiB, timed per MiB: pcoll's with and without
 * pc_pool_opts.prefault, libpmemlog's with and without its
 * prefault.at_create control. The difference is the price paid once at
 * create for the first-touch faults the W9*p cases then do not take. */
static int w9c_pcoll(const bench_env *env, bench_out *out, int prefault)
{
	const char *path =
		bench_pool_path(env, prefault ? "pcollcpf" : "pcollc");
	pc_pool_opts o;
	memset(&o, 0, sizeof(o));
	o.size = (size_t)env->n << 20;
	o.prefault = prefault;
	pc_pool *pool = NULL;
	if (!path)
		return 1;
	bench_begin();
	pc_err e = pc_pool_open_opts(path, PC_CREATE, &o, &pool);
	bench_end();
	if (e != PC_OK)
		return bench_pc_fail("create");
	out->ops = env->n;
	out->prefault = prefault;
	snprintf(out->note, sizeof(out->note), "per MiB of pool%s",
		 prefault ? "; prefaulted" : "");
	return bench_pc_close(pool, 0);
}
BENCH_CASE_CALL(w9c_pcoll, "W9c", "pool_create_per_mib", "pcoll", 0, 256,
		w9c_pcoll, 0)
BENCH_CASE_CALL(w9c_pcoll_pf, "W9c", "pool_create_per_mib", "pcoll-prefault", 0,
		256, w9c_pcoll, 1)

#ifdef BENCH_HAVE_PMEMLOG
static int w9c_pmemlog(const bench_env *env, bench_out *out, int prefault)
{
	const char *path =
		bench_pool_path(env, prefault ? "pmemlogcpf" : "pmemlogc");
	int on = prefault, off = 0;
	if (!path)
		return 1;
	if (prefault && pmemlog_ctl_set(NULL, "prefault.at_create", &on) != 0)
		return bench_fail("prefault.at_create: %s", pmemlog_errormsg());
	bench_begin();
	PMEMlogpool *plp = pmemlog_create(path, (size_t)env->n << 20, 0600);
	bench_end();
	if (prefault)
		(void)pmemlog_ctl_set(NULL, "prefault.at_create", &off);
	if (!plp)
		return bench_fail("create: %s", pmemlog_errormsg());
	out->ops = env->n;
	out->prefault = prefault;
	snprintf(out->note, sizeof(out->note), "per MiB of pool%s",
		 prefault ? "; prefaulted" : "");
	pmemlog_close(plp);
	return 0;
}
BENCH_CASE_CALL(w9c_pmemlog, "W9c", "pool_create_per_mib", "libpmemlog", 1, 256,
		w9c_pmemlog, 0)
BENCH_CASE_CALL(w9c_pmemlog_pf, "W9c", "pool_create_per_mib",
		"libpmemlog-prefault", 0, 256, w9c_pmemlog, 1)
#endif /* BENCH_HAVE_PMEMLOG */
