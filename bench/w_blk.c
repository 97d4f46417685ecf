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

#if __has_include(<libpmemblk.h>)
#include <libpmemblk.h>
#define W10_HAVE_PMEMBLK 1
#endif

#include "bench.h"

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

static int w10_pcoll(const w10_spec *sp, const bench_env *env, bench_out *out)
{
	const char *path = bench_pool_path(env, "pcoll");
	pc_pool *pool = NULL;
	if (!path || pc_pool_create(path, W10_POOL_SIZE, &pool) != PC_OK) {
		fprintf(stderr, "W10 pcoll: %s\n", pc_errmsg());
		return 1;
	}
	pblkarr a = {0};
	if (pblkarr_root(pool, "w10", PC_CREATE, sp->bsize, 0, &a) != PC_OK ||
	    pblkarr_nblock(&a) < sp->span) {
		fprintf(stderr, "W10 pcoll: %s (%llu blocks)\n", pc_errmsg(),
			(unsigned long long)a.nblock);
		(void)pc_pool_close(pool);
		return 1;
	}
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
	int rc = 0;
	if (e != PC_OK || bad) {
		fprintf(stderr, "W10 pcoll: %s, %llu bad reads\n",
			e != PC_OK ? pc_errmsg() : "ok",
			(unsigned long long)bad);
		rc = 1;
	}
	out->ops = n;
	out->bytes_per_elem = (double)W10_POOL_SIZE / (double)a.nblock;
	snprintf(out->note, sizeof(out->note), "%llu blocks fit",
		 (unsigned long long)a.nblock);
	free(buf);
	if (pc_pool_close(pool) != PC_OK)
		rc = 1;
	return rc;
}

static int w10_pcoll_512w(const bench_env *env, bench_out *out)
{
	return w10_pcoll(&w10_512w, env, out);
}
static int w10_pcoll_512r(const bench_env *env, bench_out *out)
{
	return w10_pcoll(&w10_512r, env, out);
}
static int w10_pcoll_4kw(const bench_env *env, bench_out *out)
{
	return w10_pcoll(&w10_4kw, env, out);
}
static int w10_pcoll_4kr(const bench_env *env, bench_out *out)
{
	return w10_pcoll(&w10_4kr, env, out);
}
BENCH_CASE(w10w_pcoll, "W10w", "blk512_write", "pcoll", 0, 1000000,
	   w10_pcoll_512w)
BENCH_CASE(w10r_pcoll, "W10r", "blk512_read", "pcoll", 0, 1000000,
	   w10_pcoll_512r)
BENCH_CASE(w10w4k_pcoll, "W10w4k", "blk4k_write", "pcoll", 0, 200000,
	   w10_pcoll_4kw)
BENCH_CASE(w10r4k_pcoll, "W10r4k", "blk4k_read", "pcoll", 0, 200000,
	   w10_pcoll_4kr)

#ifdef W10_HAVE_PMEMBLK
static int w10_pmemblk(const w10_spec *sp, const bench_env *env, bench_out *out)
{
	const char *path = bench_pool_path(env, "pmemblk");
	PMEMblkpool *pbp =
		path ? pmemblk_create(path, sp->bsize, W10_POOL_SIZE, 0600)
		     : NULL;
	if (!pbp) {
		fprintf(stderr, "W10 libpmemblk: %s\n", pmemblk_errormsg());
		return 1;
	}
	size_t nb = pmemblk_nblock(pbp);
	if (nb < sp->span) {
		fprintf(stderr, "W10 libpmemblk: only %zu blocks\n", nb);
		pmemblk_close(pbp);
		return 1;
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
	int rc = 0;
	if (r != 0 || bad) {
		fprintf(stderr, "W10 libpmemblk: %s, %llu bad reads\n",
			r ? pmemblk_errormsg() : "ok", (unsigned long long)bad);
		rc = 1;
	}
	out->ops = n;
	out->bytes_per_elem = (double)W10_POOL_SIZE / (double)nb;
	snprintf(out->note, sizeof(out->note), "%zu blocks fit", nb);
	free(buf);
	pmemblk_close(pbp);
	return rc;
}

static int w10_pmemblk_512w(const bench_env *env, bench_out *out)
{
	return w10_pmemblk(&w10_512w, env, out);
}
static int w10_pmemblk_512r(const bench_env *env, bench_out *out)
{
	return w10_pmemblk(&w10_512r, env, out);
}
static int w10_pmemblk_4kw(const bench_env *env, bench_out *out)
{
	return w10_pmemblk(&w10_4kw, env, out);
}
static int w10_pmemblk_4kr(const bench_env *env, bench_out *out)
{
	return w10_pmemblk(&w10_4kr, env, out);
}
BENCH_CASE(w10w_pmemblk, "W10w", "blk512_write", "libpmemblk", 1, 1000000,
	   w10_pmemblk_512w)
BENCH_CASE(w10r_pmemblk, "W10r", "blk512_read", "libpmemblk", 1, 1000000,
	   w10_pmemblk_512r)
BENCH_CASE(w10w4k_pmemblk, "W10w4k", "blk4k_write", "libpmemblk", 1, 200000,
	   w10_pmemblk_4kw)
BENCH_CASE(w10r4k_pmemblk, "W10r4k", "blk4k_read", "libpmemblk", 1, 200000,
	   w10_pmemblk_4kr)
#endif
