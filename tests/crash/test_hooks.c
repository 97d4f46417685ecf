/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll's own flush, fence and non-temporal loops, as the crash simulator
 * runs them (built with PCOLL_PERSIST_HOOKS, see persist.h):
 *  - pc_flush() writes back exactly the lines its range touches, for every
 *    start offset in a line and every length up to 300 bytes, and a few
 *    large ones; pc_persist() adds exactly one fence;
 *  - pc_memcpy_nodrain() copies correctly, writes back (by flush or
 *    non-temporal store) exactly the lines it touches, stores
 *    non-temporally only inside the destination, and does not fence;
 *  - the containers' own non-temporal paths (PLOG's line stores, PVEC's
 *    8-byte stores in a transaction) go through the hook, and what they
 *    wrote is durable when the call (or the transaction) returns.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcoll/blkarr.h>
#include <pcoll/log.h>

#include "interpose.h"
#include "sim.h"
#include "testutil.h"

typedef struct cr_h40 {
	uint64_t w[5];
} cr_h40;
PC_DECLARE(cr_h40);

#define PC_T    cr_h40
#define PC_NAME hk_vec
#include <pcoll/vec.h>

#define AREA 65536 /* bytes of the test area, 64-byte aligned */

/* Lines seen by the observer, by index from the area's start. */
static unsigned char *base;
static unsigned char flushed[AREA / 64 + 2], nt[AREA / 64 + 2];
static int outside;         /* a line outside the area was written back */
static size_t nt_lo, nt_hi; /* byte range of the non-temporal stores */

static void observe(const void *addr, size_t len, int is_nt)
{
	const unsigned char *a = (const unsigned char *)addr;
	if (a < base || a + len > base + AREA + 64) {
		outside = 1;
		return;
	}
	size_t off = (size_t)(a - base);
	for (size_t l = off / 64; l <= (off + len - 1) / 64; l++) {
		if (is_nt)
			nt[l] = 1;
		else
			flushed[l] = 1;
	}
	if (is_nt) {
		nt_lo = off < nt_lo ? off : nt_lo;
		nt_hi = off + len > nt_hi ? off + len : nt_hi;
	}
}

static void reset(void)
{
	memset(flushed, 0, sizeof(flushed));
	memset(nt, 0, sizeof(nt));
	outside = 0;
	nt_lo = SIZE_MAX;
	nt_hi = 0;
}

/* The written-back lines must be exactly those [off, off+len) touches. */
static void expect_lines(size_t off, size_t len, const char *what)
{
	cr_assert(!outside, "%s(%zu, %zu): wrote back a line outside", what,
		  off, len);
	for (size_t l = 0; l < AREA / 64 + 2; l++) {
		int touched = len && l >= off / 64 && l <= (off + len - 1) / 64;
		int wb = flushed[l] || nt[l];
		cr_assert_eq(wb, touched,
			     "%s(offset %zu, length %zu): line %zu %s", what,
			     off, len, l,
			     touched ? "touched but not written back"
				     : "written back but not touched");
	}
}

static const size_t large[] = {1000, 4095, 4096, 4097, 12345, 60000};

static void each_case(void (*fn)(size_t off, size_t len))
{
	for (size_t off = 0; off < 64; off++) {
		for (size_t len = 0; len <= 300; len++)
			fn(off, len);
		for (size_t i = 0; i < sizeof(large) / sizeof(large[0]); i++)
			fn(off, large[i]);
	}
}

static void case_flush(size_t off, size_t len)
{
	reset();
	pc_flush(base + off, len);
	expect_lines(off, len, "pc_flush");
	cr_calls c0, c1;
	cr_calls_get(&c0);
	reset();
	pc_persist(base + off, len);
	cr_calls_get(&c1);
	expect_lines(off, len, "pc_persist");
	cr_assert_eq(c1.hook_fences - c0.hook_fences, 1,
		     "pc_persist(%zu, %zu): %llu fences", off, len,
		     (unsigned long long)(c1.hook_fences - c0.hook_fences));
}

static unsigned char src[AREA];

static void case_copy(size_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		src[i] = (unsigned char)(off * 7 + i * 13 + len);
	memset(base, 0xEE, AREA + 64);
	cr_calls c0, c1;
	cr_calls_get(&c0);
	reset();
	pc_memcpy_nodrain(base + off, src, len);
	cr_calls_get(&c1);
	expect_lines(off, len, "pc_memcpy_nodrain");
	cr_assert(memcmp(base + off, src, len) == 0,
		  "pc_memcpy_nodrain(%zu, %zu): wrong copy", off, len);
	cr_assert(off == 0 || base[off - 1] == 0xEE,
		  "pc_memcpy_nodrain(%zu, %zu): wrote before", off, len);
	cr_assert_eq(base[off + len], 0xEE,
		     "pc_memcpy_nodrain(%zu, %zu): wrote past the end", off,
		     len);
	cr_assert(nt_hi == 0 || (nt_lo >= off && nt_hi <= off + len),
		  "pc_memcpy_nodrain(%zu, %zu): non-temporal store outside "
		  "[%zu, %zu)",
		  off, len, nt_lo, nt_hi);
	cr_assert_eq(c1.hook_fences, c0.hook_fences,
		     "pc_memcpy_nodrain(%zu, %zu) fenced", off, len);
	if (len >= PC_NT_THRESHOLD)
		cr_assert_gt(c1.hook_nt_stores, c0.hook_nt_stores,
			     "pc_memcpy_nodrain(%zu, %zu): no non-temporal "
			     "store",
			     off, len);
}

static unsigned char *area_alloc(void)
{
	void *p = NULL;
	cr_assert_eq(posix_memalign(&p, 64, AREA + 128), 0);
	return (unsigned char *)p;
}

Test(hooks, pc_flush_and_pc_persist_write_back_exactly_the_lines)
{
	base = area_alloc();
	cr_track_observe(observe);
	each_case(case_flush);
	cr_track_observe(NULL);
	free(base);
}

Test(hooks, pc_memcpy_nodrain_writes_back_exactly_the_lines)
{
	base = area_alloc();
	cr_track_observe(observe);
	each_case(case_copy);
	cr_track_observe(NULL);
	free(base);
}

/* ------------------------------------------------------------------ */
/* The containers' own non-temporal paths                               */
/* ------------------------------------------------------------------ */

static pc_pool *pool;
static char path[600];

static void pool_setup(void)
{
	(void)snprintf(path, sizeof(path), "%s", tu_path("crash-hooks"));
	cr_assert_eq(pc_pool_create(path, 16u << 20, &pool), PC_OK, "%s",
		     pc_errmsg());
	cr_assert(pool->is_pmem, "run with PMEM_IS_PMEM_FORCE=1");
	cr_assert_eq(cr_track_start(pool->base, pool->size), 0);
}

static void pool_teardown(void)
{
	cr_track_stop();
	if (pool)
		cr_assert_eq(pc_pool_close(pool), PC_OK);
	pool = NULL;
	(void)unlink(path);
}

/* [p, p+len) of the pool is durable (durable image equals memory). */
static int durable(const void *p, size_t len)
{
	size_t off = (size_t)((const char *)p - pool->base);
	return memcmp(cr_track_durable() + off, p, len) == 0;
}

TestSuite(hooks_nt, .init = pool_setup, .fini = pool_teardown);

Test(hooks_nt, plog_records_are_durable_when_append_returns)
{
	plog log;
	cr_assert_eq(plog_root(pool, "l", PC_CREATE, 1u << 20, &log), PC_OK);
	static unsigned char rec[20000];
	cr_calls c0, c1;
	cr_calls_get(&c0);
	for (size_t len = 0; len <= sizeof(rec);
	     len += len < 3000 ? 37 : 4999) {
		for (size_t i = 0; i < len; i++)
			rec[i] = (unsigned char)(len + i * 3);
		cr_assert_eq(plog_append(&log, rec, len), PC_OK, "%s",
			     pc_errmsg());
		/* The last record's payload, where it landed. */
		plog_iter it;
		const void *data = NULL, *last = NULL;
		size_t n = 0, lastn = 0;
		cr_assert_eq(plog_iter_begin(&log, &it), PC_OK);
		while (plog_iter_next(&it, &data, &n)) {
			last = data;
			lastn = n;
		}
		plog_iter_end(&it);
		cr_assert_eq(lastn, len);
		cr_assert(lastn == 0 || durable(last, lastn),
			  "a %zu-byte record is not durable after "
			  "plog_append returned",
			  len);
	}
	cr_calls_get(&c1);
	cr_assert_gt(c1.hook_nt_stores, c0.hook_nt_stores,
		     "PLOG's large records made no non-temporal store");
}

Test(hooks_nt, pvec_transaction_pushes_are_durable_at_commit)
{
	hk_vec v;
	cr_assert_eq(hk_vec_root(pool, "v", PC_CREATE, &v), PC_OK);
	cr_calls c0, c1;
	cr_calls_get(&c0);
	pc_err err = PC_OK;
	TX(pool, &err) {
		for (uint64_t i = 0; i < 50; i++) {
			cr_h40 e = {{i, i * 3, i * 5, i * 7, i * 11}};
			if (hk_vec_push(&v, e) != PC_OK)
				break;
		}
	}
	cr_assert_eq(err, PC_OK, "%s", pc_errmsg());
	cr_calls_get(&c1);
	cr_assert_gt(c1.hook_nt_stores, c0.hook_nt_stores,
		     "PVEC's pushes in a transaction made no non-temporal "
		     "store");
	cr_assert(durable(hk_vec_get(&v, 0), 50 * sizeof(cr_h40)),
		  "elements pushed in a transaction are not durable after "
		  "its commit");
}

Test(hooks_nt, pblkarr_blocks_are_durable_when_write_returns)
{
	pblkarr a;
	cr_assert_eq(pblkarr_root(pool, "b", PC_CREATE, 4096, 8, &a), PC_OK);
	static unsigned char blk[4096], got[4096];
	for (uint64_t b = 0; b < 16; b++) {
		memset(blk, (int)(b + 1), sizeof(blk));
		cr_assert_eq(pblkarr_write(&a, b % 8, blk), PC_OK);
		uint32_t phys = a.map[b % 8] >> 2;
		const char *d = a.data + (uint64_t)phys * a.stride;
		cr_assert(durable(d, sizeof(blk)) &&
				  durable(&a.map[b % 8], sizeof(uint32_t)),
			  "block %llu not durable after pblkarr_write",
			  (unsigned long long)b);
		cr_assert_eq(pblkarr_read(&a, b % 8, got), PC_OK);
		cr_assert(memcmp(got, blk, sizeof(blk)) == 0);
	}
}
