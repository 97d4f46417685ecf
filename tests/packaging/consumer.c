/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A user's program, as the packaging test builds it with gcc and clang at
 * -O0, -O2 and -O3 under -std=c11 -Wall -Wextra -Wpedantic -Wconversion
 * -Werror (as a meson subproject, through the installed pcoll.pc, and
 * from a vendored copy of include/pcoll). It uses every container, a
 * synchronized map (PC_SYNC) among them, in one TX(), then reads everything back through the read-side calls, so the
 * optimizer inlines most of the headers into it.
 *
 *   consumer POOL      (POOL must not exist; it is removed at the end)
 * Exit status 0 when every check passed; a message names the first that
 * failed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pcoll/blkarr.h>
#include <pcoll/log.h>
#include <pcoll/pcoll.h>

#define PC_T    int32_t
#define PC_NAME ivec
#include <pcoll/vec.h>

#define PC_K    uint64_t
#define PC_V    double
#define PC_NAME umap
#include <pcoll/map.h>

#define PC_K_BYTES
#define PC_V_BYTES
#define PC_NAME smap
#include <pcoll/map.h>

#define PC_SYNC
#define PC_K    uint64_t
#define PC_V    uint64_t
#define PC_NAME cmap
#include <pcoll/map.h>

typedef struct counter {
	int64_t total;
	uint32_t runs;
} counter;
PC_DECLARE(counter);

static int failed(const char *what)
{
	fprintf(stderr, "consumer: %s: %s\n", what, pc_errmsg());
	return 1;
}

static int sum_rec(const void *buf, size_t len, void *arg)
{
	size_t *total = (size_t *)arg;
	(void)buf;
	*total += len;
	return 0; /* go on */
}

static int cmp_i32(const int32_t *a, const int32_t *b)
{
	return (*a > *b) - (*a < *b);
}

/* Everything at once: one object, three maps, a vector, a log and a
 * block array change together or not at all. */
static pc_err fill(pc_pool *pool, PC_PTR(counter) c, ivec *v, umap *um,
		   smap *sm, cmap *cm, plog *log, pblkarr *blk)
{
	pc_err err = PC_OK;
	TX(pool, &err) {
		counter *w = PC_RW(pool, counter, c);
		if (!w)
			break;
		for (int32_t i = 0; i < 100; i++) {
			if (ivec_push(v, 100 - i) != PC_OK ||
			    umap_put(um, (uint64_t)i, (double)i / 2.0, NULL) !=
				    PC_OK)
				break;
			w->total += i;
		}
		w->runs++;
		if (smap_insert(
			    sm, pc_slice_cstr("key"),
			    pc_slice_cstr("a value longer than 23 bytes")) !=
		    PC_OK)
			break;
		if (cmap_put(cm, 42, 4200, NULL) != PC_OK ||
		    cmap_insert(cm, 43, 4300) != PC_OK)
			break;
		static const char rec[] = "one record";
		if (plog_append(log, rec, sizeof(rec) - 1) != PC_OK)
			break;
		unsigned char block[512];
		memset(block, 0x5a, sizeof(block));
		if (pblkarr_write(blk, 3, block) != PC_OK)
			break;
		double *d = umap_get_mut(um, 7);
		if (!d)
			break;
		*d = 70.0;
	}
	return err;
}

static int verify(pc_pool *pool, PC_PTR(counter) c, ivec *v, umap *um, smap *sm,
		  cmap *cm, plog *log, pblkarr *blk)
{
	const counter *r = PC_RO(pool, counter, c);
	if (!r || r->total != 4950 || r->runs != 1)
		return failed("counter");
	if (ivec_len(v) != 100 || *ivec_get(v, 0) != 100 ||
	    ivec_sort(v, cmp_i32) != PC_OK || *ivec_first(v) != 1 ||
	    *ivec_last(v) != 100 || ivec_check(v) != PC_OK)
		return failed("vector");
	int64_t sum = 0;
	PVEC_FOREACH(ivec, v, it)
		sum += *it;
	if (sum != 5050)
		return failed("vector sum");
	const double *d = umap_get(um, 7);
	if (!d || *d != 70.0 || umap_count_between(um, 10, 20) != 9 ||
	    umap_len(um) != 100 || umap_check(um) != PC_OK)
		return failed("map");
	umap_iter it;
	size_t n = 0;
	for (bool ok = umap_iter_above(um, 89, &it); ok; ok = umap_next(&it))
		n++;
	umap_iter_end(&it);
	if (n != 10)
		return failed("map iterator");
	pc_slice s = smap_get(sm, pc_slice_cstr("key"));
	if (s.len != 28 || memcmp(s.ptr, "a value", 7) != 0 ||
	    smap_check(sm) != PC_OK)
		return failed("bytes map");
	uint64_t cv = 0;
	if (!cmap_get_copy(cm, 43, &cv) || cv != 4300 || cmap_len(cm) != 2 ||
	    cmap_check(cm) != PC_OK)
		return failed("synchronized map");
	size_t total = 0;
	if (plog_walk(log, 0, sum_rec, &total) != PC_OK || total != 10 ||
	    plog_count(log) != 1 || plog_check(log) != PC_OK)
		return failed("log");
	unsigned char block[512];
	if (pblkarr_read(blk, 3, block) != PC_OK || block[511] != 0x5a ||
	    pblkarr_read(blk, 4, block) != PC_OK || block[0] != 0 ||
	    pblkarr_check(blk) != PC_OK)
		return failed("block array");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: consumer POOL\n");
		return 2;
	}
	pc_pool *pool = NULL;
	if (pc_pool_create(argv[1], (size_t)32 << 20, &pool) != PC_OK)
		return failed("create");
	PC_PTR(counter) c;
	ivec v;
	umap um;
	smap sm;
	cmap cm;
	plog log;
	pblkarr blk;
	int rc = 1;
	if (PC_ROOT(pool, "counter", counter, PC_CREATE, &c) != PC_OK ||
	    ivec_root(pool, "vec", PC_CREATE, &v) != PC_OK ||
	    umap_root(pool, "umap", PC_CREATE, &um) != PC_OK ||
	    smap_root(pool, "smap", PC_CREATE, &sm) != PC_OK ||
	    cmap_root(pool, "cmap", PC_CREATE, &cm) != PC_OK ||
	    plog_root(pool, "log", PC_CREATE, 64 << 10, &log) != PC_OK ||
	    pblkarr_root(pool, "blk", PC_CREATE, 512, 16, &blk) != PC_OK)
		rc = failed("roots");
	else if (fill(pool, c, &v, &um, &sm, &cm, &log, &blk) != PC_OK)
		rc = failed("transaction");
	else
		rc = verify(pool, c, &v, &um, &sm, &cm, &log, &blk);
	if (pc_pool_close(pool) != PC_OK)
		rc = failed("close");
	(void)unlink(argv[1]);
	if (rc == 0)
		printf("consumer: ok\n");
	return rc;
}
