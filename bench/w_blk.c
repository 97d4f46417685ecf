/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * W10 blk: an array of blocks in a 1 GiB pool, each write durable and
 * atomic on return.
 *
 * W10w    512-byte blocks, N random writes              (N = 1,000,000)
 * W10r    512-byte blocks, N random reads after N random writes (untimed)
 * W10w4k  4 KiB blocks, N random writes                 (N = 200,000)
 * W10r4k  4 KiB blocks, N random reads after N random writes (untimed)
 *
 * pcoll       PBLKARR (pblkarr_write / pblkarr_read), as many blocks as fit
 * libpmemblk  Debian's libpmemblk (BTT), as many blocks as fit    (anchor)
 *
 * Inputs: block numbers of the writes from splitmix64 stream 20, of the
 * reads from stream 21, both modulo a block count both implementations
 * hold (2,000,000 of 512 bytes, 250,000 of 4 KiB), so both replay the same
 * operations. Write k stores k and the block number in the first 16 bytes
 * of an otherwise fixed pattern; reads check the block number.
 * B/elem is the pool size divided by the number of blocks that fit.
 *
 * The anchor uses the real <libpmemblk.h>, never pcoll's compat header
 * (the two define the same symbols).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcoll/blkarr.h>
#include <pcoll/pcoll.h>

/* The anchor builds where libpmemblk exists (meson defines
 * BENCH_HAVE_PMEMBLK; PMDK 2.x has no libpmemblk). PMDK 1.13 marks every
 * libpmemblk function deprecated: using it is this anchor's purpose. */
#ifdef BENCH_HAVE_PMEMBLK
#include <libpmemblk.h>
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif

#include "bench.h"
#include "fixture.h"

#define W10_POOL_SIZE ((size_t)1 << 30)

typedef struct w10_spec {
	size_t bsize;
	uint64_t span; /* block numbers are drawn modulo this */
	int reads;     /* 1: time reads (the writes are setup) */
} w10_spec;

static const w10_spec w10_512w = {512, 2000000, 0};
static const w10_spec w10_512r = {512, 2000000, 1};
static const w10_spec w10_4kw = {4096, 250000, 0};
static const w10_spec w10_4kr = {4096, 250000, 1};

/* Block contents of write k to block b. */
static void w10_fill(unsigned char *buf, uint64_t k, uint64_t b)
{
	memcpy(buf, &k, 8);
	memcpy(buf + 8, &b, 8);
}

static unsigned char *w10_buf(size_t bsize)
{
	unsigned char *b = malloc(bsize);
	if (b)
		for (size_t i = 0; i < bsize; i++)
			b[i] = (unsigned char)(i * 7 + 1);
	return b;
}

/* Checks a block read back: never written (zeros) or holding its number. */
static int w10_check(const unsigned char *buf, uint64_t b)
{
	uint64_t got, k;
	memcpy(&k, buf, 8);
	memcpy(&got, buf + 8, 8);
	return got == b || (got == 0 && k == 0);
}

/* The end of a case: ops, bytes per block, the note; rc, or 1 with a
 * message when a read was wrong or an operation failed (failed: its
 * error message, or NULL). */
static int w10_done(bench_out *out, uint64_t n, uint64_t nblock, uint64_t bad,
		    const char *failed)
{
	int rc = 0;
	if (failed || bad)
		rc = bench_fail("%s, %llu bad reads", failed ? failed : "ok",
				(unsigned long long)bad);
	out->ops = n;
	out->bytes_per_elem = (double)W10_POOL_SIZE / (double)nblock;
	snprintf(out->note, sizeof(out->note), "%llu blocks fit",
		 (unsigned long long)nblock);
	return rc;
}

/* The pcoll array as root "w10" of a fresh pool (blocks of bsize). */
typedef struct w10p {
	size_t bsize;
	pblkarr *a;
} w10p;

static pc_err w10_bind(pc_pool *pool, void *p)
{
	w10p *w = (w10p *)p;
	return pblkarr_root(pool, "w10", PC_CREATE, w->bsize, 0, w->a);
}

static int w10_pcoll(const bench_env *env, bench_out *out, const w10_spec *sp)
{
	pblkarr a = {0};
	w10p w = {sp->bsize, &a};
	pc_pool *pool =
		bench_pc_fresh(env, "pcoll", W10_POOL_SIZE, w10_bind, &w);
	if (!pool)
		return 1;
	if (pblkarr_nblock(&a) < sp->span)
		return bench_pc_close(pool,
				      bench_fail("only %llu blocks",
						 (unsigned long long)a.nblock));
	unsigned char *buf = w10_buf(sp->bsize);
	uint64_t n = env->n, bad = 0, sum = 0;
	pc_err e = buf ? PC_OK : PC_E_NOMEM;
	uint64_t s = 20;
	if (!sp->reads)
		bench_begin();
	for (uint64_t k = 0; k < n && e == PC_OK; k++) {
		uint64_t b = bench_splitmix64(&s) % sp->span;
		w10_fill(buf, k + 1, b);
		e = pblkarr_write(&a, b, buf);
	}
	if (sp->reads) {
		s = 21;
		bench_begin();
		for (uint64_t k = 0; k < n && e == PC_OK; k++) {
			uint64_t b = bench_splitmix64(&s) % sp->span;
			e = pblkarr_read(&a, b, buf);
			bad += !w10_check(buf, b);
			sum += buf[0];
		}
	}
	bench_end();
	bench_consume(sum);
	int rc = w10_done(out, n, a.nblock, bad,
			  e != PC_OK ? pc_errmsg() : NULL);
	free(buf);
	return bench_pc_close(pool, rc);
}

BENCH_CASE_CALL(w10w_pcoll, "W10w", "blk512_write", "pcoll", 0, 1000000,
		w10_pcoll, &w10_512w)
BENCH_CASE_CALL(w10r_pcoll, "W10r", "blk512_read", "pcoll", 0, 1000000,
		w10_pcoll, &w10_512r)
BENCH_CASE_CALL(w10w4k_pcoll, "W10w4k", "blk4k_write", "pcoll", 0, 200000,
		w10_pcoll, &w10_4kw)
BENCH_CASE_CALL(w10r4k_pcoll, "W10r4k", "blk4k_read", "pcoll", 0, 200000,
		w10_pcoll, &w10_4kr)

#ifdef BENCH_HAVE_PMEMBLK
static int w10_pmemblk(const bench_env *env, bench_out *out, const w10_spec *sp)
{
	const char *path = bench_pool_path(env, "pmemblk");
	PMEMblkpool *pbp =
		path ? pmemblk_create(path, sp->bsize, W10_POOL_SIZE, 0600)
		     : NULL;
	if (!pbp)
		return bench_fail("create: %s", pmemblk_errormsg());
	size_t nb = pmemblk_nblock(pbp);
	if (nb < sp->span) {
		pmemblk_close(pbp);
		return bench_fail("only %zu blocks", nb);
	}
	unsigned char *buf = w10_buf(sp->bsize);
	uint64_t n = env->n, bad = 0, sum = 0;
	int r = buf ? 0 : -1;
	uint64_t s = 20;
	if (!sp->reads)
		bench_begin();
	for (uint64_t k = 0; k < n && r == 0; k++) {
		uint64_t b = bench_splitmix64(&s) % sp->span;
		w10_fill(buf, k + 1, b);
		r = pmemblk_write(pbp, buf, (long long)b);
	}
	if (sp->reads) {
		s = 21;
		bench_begin();
		for (uint64_t k = 0; k < n && r == 0; k++) {
			uint64_t b = bench_splitmix64(&s) % sp->span;
			r = pmemblk_read(pbp, buf, (long long)b);
			bad += !w10_check(buf, b);
			sum += buf[0];
		}
	}
	bench_end();
	bench_consume(sum);
	int rc = w10_done(out, n, nb, bad, r ? pmemblk_errormsg() : NULL);
	free(buf);
	pmemblk_close(pbp);
	return rc;
}

BENCH_CASE_CALL(w10w_pmemblk, "W10w", "blk512_write", "libpmemblk", 1, 1000000,
		w10_pmemblk, &w10_512w)
BENCH_CASE_CALL(w10r_pmemblk, "W10r", "blk512_read", "libpmemblk", 1, 1000000,
		w10_pmemblk, &w10_512r)
BENCH_CASE_CALL(w10w4k_pmemblk, "W10w4k", "blk4k_write", "libpmemblk", 1,
		200000, w10_pmemblk, &w10_4kw)
BENCH_CASE_CALL(w10r4k_pmemblk, "W10r4k", "blk4k_read", "libpmemblk", 1, 200000,
		w10_pmemblk, &w10_4kr)
#endif
