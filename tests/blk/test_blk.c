/* SPDX-License-Identifier: BSD-3-Clause */
/* PBLKARR: block sizes, ranges, zero/error marks, a differential test
 * against an in-memory model with reopen points, simulated crashes inside
 * a write, transactions, pool full, concurrent writers and readers. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <pcoll/blkarr.h>
#include <pcoll/pcoll.h>

#include "tu_pool.h"

/* The msync group runs on a plain file: fewer operations there. */
static unsigned scale(unsigned n)
{
	return tu_forced_pmem() ? n : (n / 8 ? n / 8 : 1);
}

static void pattern(unsigned char *buf, size_t bsize, uint64_t seed)
{
	uint64_t s = seed;
	for (size_t k = 0; k < bsize; k += 8) {
		uint64_t v = tu_splitmix64(&s);
		size_t n = bsize - k < 8 ? bsize - k : 8;
		memcpy(buf + k, &v, n);
	}
}

static int all_zero(const unsigned char *buf, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (buf[k])
			return 0;
	return 1;
}

/* A new pool of psize bytes holding root `name`: nblock blocks of bsize
 * bytes in *a. */
static pc_pool *blk_fresh(const char *tag, size_t psize, const char *name,
			  size_t bsize, uint64_t nblock, pblkarr *a)
{
	pc_pool *p = tu_mkpool(tag, psize);
	cr_assert_eq(pblkarr_root(p, name, PC_CREATE, bsize, nblock, a), PC_OK,
		     "%s: %zu x %llu: %s", tag, bsize,
		     (unsigned long long)nblock, pc_errmsg());
	return p;
}

/* Reopen the pool and root `name`; the array must pass its check. */
static void reopen(pc_pool **p, pblkarr *a, const char *name)
{
	tu_reopen(p);
	cr_assert_eq(pblkarr_root(*p, name, PC_OPEN, 0, 0, a), PC_OK, "%s",
		     pc_errmsg());
	cr_assert_eq(pblkarr_check(a), PC_OK, "%s", pc_errmsg());
}

/* ---- sizes ------------------------------------------------------- */

static void roundtrip_size(size_t bsize, uint64_t nblock)
{
	pc_pool *p = tu_mkpool("blk-size", TU_POOL_SIZE);
	pblkarr a;
	pc_err e = pblkarr_root(p, "b", PC_CREATE, bsize, nblock, &a);
	cr_assert_eq(e, PC_OK, "bsize %zu: %s", bsize, pc_errmsg());
	cr_assert_eq(pblkarr_bsize(&a), bsize);
	cr_assert_eq(pblkarr_nblock(&a), nblock);
	/* Guard bytes after the block: a read writes exactly bsize. */
	unsigned char *w = malloc(bsize), *r = malloc(bsize + 64);
	cr_assert(w && r);
	for (uint64_t i = 0; i < nblock; i++) {
		pattern(w, bsize, i * 1000 + bsize);
		cr_assert_eq(pblkarr_write(&a, i, w), PC_OK);
	}
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t i = 0; i < nblock; i++) {
			memset(r, 0xA5, bsize + 64);
			pattern(w, bsize, i * 1000 + bsize);
			cr_assert_eq(pblkarr_read(&a, i, r), PC_OK);
			cr_assert(memcmp(w, r, bsize) == 0,
				  "bsize %zu block %llu differs", bsize,
				  (unsigned long long)i);
			for (size_t k = bsize; k < bsize + 64; k++)
				cr_assert_eq(r[k], 0xA5, "read past bsize");
		}
		if (pass == 0)
			reopen(&p, &a, "b");
	}
	cr_assert_eq(pblkarr_bsize(&a), bsize);
	free(w);
	free(r);
	tu_close_rm(p);
}

Test(blk, size_512)
{
	roundtrip_size(512, 64);
}

Test(blk, size_4k)
{
	roundtrip_size(4096, 64);
}

Test(blk, size_64k)
{
	roundtrip_size(65536, 16);
}

Test(blk, odd_sizes)
{
	size_t sizes[] = {1, 7, 63, 65, 100, 511, 777, 1000, 4097, 65535};
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
		roundtrip_size(sizes[k], 9);
}

Test(blk, size_rule_limits)
{
	pc_pool *p = tu_mkpool("blk-limits", TU_POOL_SIZE);
	pblkarr a;
	cr_assert_eq(pblkarr_root(p, "b", PC_CREATE, 0, 10, &a), PC_E_INVAL);
	cr_assert_eq(
		pblkarr_root(p, "b", PC_CREATE, PBLKARR_MAX_BSIZE + 1, 1, &a),
		PC_E_TOOBIG);
	cr_assert_eq(
		pblkarr_root(p, "b", PC_CREATE, 512, (uint64_t)1 << 31, &a),
		PC_E_TOOBIG);
	cr_assert_eq(pc_root_count(p), 0);
	/* The rule's space: blocks of 100 bytes take 128 each. */
	cr_assert_eq(pblkarr_root(p, "b", PC_CREATE, 100, 1000, &a), PC_OK);
	cr_assert_eq(a.h->stride, 128);
	cr_assert_eq(a.h->data_off % 4096, 0);
	tu_close_rm(p);
}

Test(blk, never_written_reads_zero)
{
	pblkarr a;
	pc_pool *p = blk_fresh("blk-zero0", TU_POOL_SIZE, "b", 4096, 100, &a);
	unsigned char buf[4096];
	for (uint64_t i = 0; i < 100; i += 9) {
		memset(buf, 0x5A, sizeof(buf));
		cr_assert_eq(pblkarr_read(&a, i, buf), PC_OK);
		cr_assert(all_zero(buf, sizeof(buf)));
	}
	tu_close_rm(p);
}

/* ---- errors ------------------------------------------------------ */

Test(blk, out_of_range)
{
	pblkarr a;
	pc_pool *p = blk_fresh("blk-range", TU_POOL_SIZE, "b", 512, 50, &a);
	unsigned char buf[512];
	memset(buf, 1, sizeof(buf));
	cr_assert_eq(pblkarr_write(&a, 49, buf), PC_OK);
	cr_assert_eq(pblkarr_write(&a, 50, buf), PC_E_RANGE);
	cr_assert(strstr(pc_errmsg(), "block 50") != NULL, "%s", pc_errmsg());
	cr_assert_eq(pblkarr_read(&a, 50, buf), PC_E_RANGE);
	cr_assert_eq(pblkarr_read(&a, UINT64_MAX, buf), PC_E_RANGE);
	cr_assert_eq(pblkarr_set_zero(&a, 50), PC_E_RANGE);
	cr_assert_eq(pblkarr_set_error(&a, 1000), PC_E_RANGE);
	cr_assert_eq(pblkarr_read(&a, 0, NULL), PC_E_INVAL);
	cr_assert_eq(pblkarr_write(NULL, 0, buf), PC_E_INVAL);
	cr_assert_eq(pblkarr_read(&a, 49, buf), PC_OK);
	cr_assert_eq(buf[0], 1);
	cr_assert_eq(pblkarr_check(&a), PC_OK, "%s", pc_errmsg());
	tu_close_rm(p);
}

Test(blk, open_modes_and_types)
{
	pc_pool *p = tu_mkpool("blk-modes", TU_POOL_SIZE);
	pblkarr a;
	cr_assert_eq(pblkarr_root(p, "b", PC_OPEN, 512, 10, &a), PC_E_NOTFOUND);
	cr_assert_eq(pblkarr_root(p, "b", PC_OPEN_OR_CREATE, 512, 10, &a),
		     PC_OK);
	cr_assert_eq(pblkarr_root(p, "b", PC_CREATE, 512, 10, &a), PC_E_EXISTS);
	cr_assert_eq(pblkarr_root(p, "b", PC_OPEN, 1024, 0, &a), PC_E_TYPE);
	cr_assert(strstr(pc_errmsg(), "512") != NULL, "%s", pc_errmsg());
	cr_assert_eq(pblkarr_root(p, "b", PC_OPEN, 0, 0, &a), PC_OK);
	cr_assert_eq(pblkarr_bsize(&a), 512);
	cr_assert_eq(pblkarr_nblock(&a), 10);
	/* A root of another kind is not a block array. */
	PC_PTR(uint64_t) q;
	cr_assert_eq(PC_ROOT(p, "n", uint64_t, PC_CREATE, &q), PC_OK);
	cr_assert_eq(pblkarr_root(p, "n", PC_OPEN, 0, 0, &a), PC_E_TYPE);
	tu_close_rm(p);
}

Test(blk, set_zero_set_error)
{
	pblkarr a;
	pc_pool *p = blk_fresh("blk-marks", TU_POOL_SIZE, "b", 512, 20, &a);
	unsigned char w[512], r[512];
	pattern(w, 512, 1);
	for (uint64_t i = 0; i < 20; i++)
		cr_assert_eq(pblkarr_write(&a, i, w), PC_OK);
	cr_assert_eq(pblkarr_set_zero(&a, 3), PC_OK);
	cr_assert_eq(pblkarr_set_error(&a, 4), PC_OK);
	cr_assert_eq(pblkarr_set_error(&a, 5), PC_OK);
	cr_assert_eq(pblkarr_set_zero(&a, 5), PC_OK); /* zero replaces error */
	cr_assert_eq(pblkarr_set_error(&a, 6), PC_OK);
	cr_assert_eq(pblkarr_set_error(&a, 6), PC_OK); /* idempotent */
	for (int pass = 0; pass < 2; pass++) {
		cr_assert_eq(pblkarr_read(&a, 3, r), PC_OK);
		cr_assert(all_zero(r, 512));
		cr_assert_eq(pblkarr_read(&a, 4, r), PC_E_BADBLOCK);
		cr_assert_eq(pblkarr_read(&a, 5, r), PC_OK);
		cr_assert(all_zero(r, 512));
		cr_assert_eq(pblkarr_read(&a, 6, r), PC_E_BADBLOCK);
		cr_assert_eq(pblkarr_read(&a, 7, r), PC_OK);
		cr_assert(memcmp(r, w, 512) == 0);
		if (pass == 0)
			reopen(&p, &a, "b"); /* marks are persistent */
	}
	/* Writing clears both marks. */
	pattern(w, 512, 2);
	cr_assert_eq(pblkarr_write(&a, 4, w), PC_OK);
	cr_assert_eq(pblkarr_write(&a, 3, w), PC_OK);
	cr_assert_eq(pblkarr_read(&a, 4, r), PC_OK);
	cr_assert(memcmp(r, w, 512) == 0);
	cr_assert_eq(pblkarr_read(&a, 3, r), PC_OK);
	cr_assert(memcmp(r, w, 512) == 0);
	/* set_error on a block never written. */
	cr_assert_eq(pblkarr_root(p, "c", PC_CREATE, 512, 4, &a), PC_OK);
	cr_assert_eq(pblkarr_set_error(&a, 2), PC_OK);
	cr_assert_eq(pblkarr_read(&a, 2, r), PC_E_BADBLOCK);
	cr_assert_eq(pblkarr_check(&a), PC_OK, "%s", pc_errmsg());
	tu_close_rm(p);
}

/* ---- differential test against a model --------------------------- */

enum { M_DATA = 0, M_ZERO = 1, M_ERROR = 2 };

Test(blk, differential_with_reopen)
{
	const size_t bs = 520; /* odd size: 576 internally */
	const uint64_t nb = 300;
	unsigned ops = scale(6000);
	pblkarr a;
	pc_pool *p = blk_fresh("blk-diff", TU_POOL_SIZE, "d", bs, nb, &a);
	uint64_t *seed = calloc(nb, sizeof(uint64_t));
	int *state = malloc(nb * sizeof(int));
	cr_assert(seed && state);
	for (uint64_t i = 0; i < nb; i++)
		state[i] = M_ZERO;
	unsigned char w[520], r[520];
	uint64_t rng = 42;
	for (unsigned op = 1; op <= ops; op++) {
		uint64_t x = tu_splitmix64(&rng);
		uint64_t i = (x >> 8) % (nb + 3); /* a few out of range */
		unsigned kind = (unsigned)(x & 0xff);
		if (i >= nb) {
			cr_assert_eq(pblkarr_write(&a, i, w), PC_E_RANGE);
			continue;
		}
		if (kind < 150) {
			seed[i] = x;
			state[i] = M_DATA;
			pattern(w, bs, x);
			cr_assert_eq(pblkarr_write(&a, i, w), PC_OK);
		} else if (kind < 165) {
			state[i] = M_ZERO;
			cr_assert_eq(pblkarr_set_zero(&a, i), PC_OK);
		} else if (kind < 175) {
			state[i] = M_ERROR;
			cr_assert_eq(pblkarr_set_error(&a, i), PC_OK);
		} else {
			pc_err e = pblkarr_read(&a, i, r);
			if (state[i] == M_ERROR) {
				cr_assert_eq(e, PC_E_BADBLOCK);
			} else if (state[i] == M_ZERO) {
				cr_assert_eq(e, PC_OK);
				cr_assert(all_zero(r, bs));
			} else {
				cr_assert_eq(e, PC_OK);
				pattern(w, bs, seed[i]);
				cr_assert(memcmp(r, w, bs) == 0,
					  "op %u block %llu", op,
					  (unsigned long long)i);
			}
		}
		if (op % 1000 == 0) {
			reopen(&p, &a, "d");
			for (uint64_t k = 0; k < nb; k++) {
				pc_err e = pblkarr_read(&a, k, r);
				if (state[k] == M_ERROR) {
					cr_assert_eq(e, PC_E_BADBLOCK);
					continue;
				}
				cr_assert_eq(e, PC_OK);
				if (state[k] == M_ZERO) {
					cr_assert(all_zero(r, bs));
				} else {
					pattern(w, bs, seed[k]);
					cr_assert(memcmp(r, w, bs) == 0);
				}
			}
		}
	}
	cr_assert_eq(pblkarr_check(&a), PC_OK, "%s", pc_errmsg());
	free(seed);
	free(state);
	tu_close_rm(p);
}

/* ---- simulated crashes inside a write ---------------------------- */

/* Replays the first half of pblkarr_write (data and lane log, fence 1)
 * without the publishing store, as if power failed between the fences. */
static void half_write(pblkarr *a, uint64_t i, const void *buf, int tear_log)
{
	struct pc__blklane *lane = &a->v->lane[0];
	uint32_t f = lane->free;
	uint32_t old = a->map[i];
	memcpy(a->data + (uint64_t)f * a->stride, buf, a->bsize);
	pc_pool_persist(a->pool, a->data + (uint64_t)f * a->stride, a->bsize);
	uint32_t seq = lane->seq + 1;
	struct pc__blklog *g = &a->log[seq & 1];
	g->lba = (uint32_t)i;
	g->old = old;
	g->nw = f << 2;
	g->seq = seq;
	g->csum = pc__blk_csum(g->lba, g->old, g->nw, g->seq);
	if (tear_log)
		g->csum ^= 0x10; /* only part of the record reached media */
	pc_pool_persist(a->pool, g, sizeof(*g));
}

Test(blk, crash_between_fences_keeps_old_block)
{
	pblkarr a;
	pc_pool *p = blk_fresh("blk-crash", TU_POOL_SIZE, "c", 512, 16, &a);
	unsigned char w[512], r[512];
	for (int tear = 0; tear < 2; tear++) {
		/* Twice: a first write goes in place, the second through
		 * the lane. */
		for (int twice = 0; twice < 2; twice++)
			for (uint64_t i = 0; i < 16; i++) {
				pattern(w, 512, 100 + i);
				cr_assert_eq(pblkarr_write(&a, i, w), PC_OK);
			}
		/* Make sure lane 0 is the one in use: this thread's lane. */
		cr_assert_eq(pc__blk_lane_hint, 1);
		uint32_t free_before = a.v->lane[0].free;
		pattern(w, 512, 999);
		half_write(&a, 3, w, tear);
		reopen(&p, &a, "c"); /* check() proves the permutation */
		cr_assert_eq(a.v->lane[0].free, free_before);
		cr_assert_eq(pblkarr_read(&a, 3, r), PC_OK);
		pattern(w, 512, 103);
		cr_assert(memcmp(r, w, 512) == 0, "old block expected");
		/* The lane works on: a full write after recovery. */
		pattern(w, 512, 555);
		cr_assert_eq(pblkarr_write(&a, 3, w), PC_OK);
		reopen(&p, &a, "c");
		cr_assert_eq(pblkarr_read(&a, 3, r), PC_OK);
		cr_assert(memcmp(r, w, 512) == 0);
	}
	tu_close_rm(p);
}

Test(blk, crash_after_publish_frees_old_block)
{
	pblkarr a;
	pc_pool *p = blk_fresh("blk-crash2", TU_POOL_SIZE, "c", 512, 16, &a);
	unsigned char w[512], r[512];
	pattern(w, 512, 1);
	cr_assert_eq(pblkarr_write(&a, 5, w), PC_OK); /* in place */
	cr_assert_eq(pblkarr_write(&a, 5, w), PC_OK); /* lane 0 */
	cr_assert_eq(pc__blk_lane_hint, 1);
	/* A completed write followed by writes of another lane to the same
	 * block: the first lane's log no longer matches the map, and
	 * recovery must still know its free block. */
	uint32_t l0free = a.v->lane[0].free;
	pc__blk_lane_hint = 2; /* next writes use lane 1 */
	pattern(w, 512, 2);
	cr_assert_eq(pblkarr_write(&a, 5, w), PC_OK);
	pattern(w, 512, 3);
	cr_assert_eq(pblkarr_write(&a, 5, w), PC_OK);
	pc__blk_lane_hint = 1;
	reopen(&p, &a, "c");
	cr_assert_eq(a.v->lane[0].free, l0free);
	cr_assert_eq(pblkarr_read(&a, 5, r), PC_OK);
	cr_assert(memcmp(r, w, 512) == 0);
	tu_close_rm(p);
}

Test(blk, first_writes_allocate_densely)
{
	pblkarr a;
	pc_pool *p = blk_fresh("blk-dense", TU_POOL_SIZE, "d", 512, 20000, &a);
	unsigned char w[512];
	uint64_t rng = 5, distinct = 0;
	for (int k = 0; k < 3000; k++) {
		uint64_t i = tu_splitmix64(&rng) % 20000;
		distinct += (a.map[i] >> 2) == PC__BLK_NOPHYS;
		pattern(w, 512, i);
		cr_assert_eq(pblkarr_write(&a, i, w), PC_OK);
	}
	/* Physical blocks in use: the lanes' and one per block written,
	 * packed at the start of the data area whatever the block numbers. */
	cr_assert_eq(a.v->hwm, PBLKARR_LANES + distinct);
	reopen(&p, &a, "d");
	cr_assert_eq(a.v->hwm, PBLKARR_LANES + distinct);
	cr_assert_eq(a.v->nholes, 0);
	tu_close_rm(p);
}

Test(blk, crash_in_first_write_reclaims_block)
{
	pblkarr a;
	pc_pool *p = blk_fresh("blk-hole", TU_POOL_SIZE, "h", 512, 64, &a);
	unsigned char w[512], r[512];
	pattern(w, 512, 1);
	cr_assert_eq(pblkarr_write(&a, 0, w), PC_OK);
	/* A first write of block 1 whose data reached the media but whose
	 * map store did not; then block 2's first write completed. */
	uint32_t lost = pc__blk_alloc(a.map, a.v, a.h->nphys, 1, 0);
	memcpy(a.data + (uint64_t)lost * a.stride, w, 512);
	pc_pool_persist(p, a.data + (uint64_t)lost * a.stride, 512);
	cr_assert_eq(pblkarr_write(&a, 2, w), PC_OK);
	uint32_t hwm = a.v->hwm;
	reopen(&p, &a, "h");
	cr_assert_eq(pblkarr_read(&a, 1, r), PC_OK);
	cr_assert(all_zero(r, 512), "the cut-short write is not visible");
	cr_assert_eq(a.v->hwm, hwm);
	cr_assert_eq(a.v->nholes, 1);
	cr_assert_eq(a.v->holes[0], lost);
	/* The next first write takes the hole. */
	cr_assert_eq(pblkarr_write(&a, 7, w), PC_OK);
	cr_assert_eq(a.map[7] >> 2, lost);
	cr_assert_eq(a.v->hwm, hwm);
	cr_assert_eq(pblkarr_check(&a), PC_OK, "%s", pc_errmsg());
	tu_close_rm(p);
}

Test(blk, every_block_written_fills_the_array)
{
	pblkarr a;
	pc_pool *p = blk_fresh("blk-fill", TU_POOL_SIZE, "f", 512, 500, &a);
	unsigned char w[512], r[512];
	for (int round = 0; round < 3; round++)
		for (uint64_t i = 0; i < 500; i++) {
			pattern(w, 512, i * 3 + (uint64_t)round);
			cr_assert_eq(pblkarr_write(&a, i, w), PC_OK);
			if (i % 50 == 0)
				cr_assert_eq(pblkarr_set_zero(&a, i), PC_OK);
		}
	cr_assert_eq(a.v->hwm, a.h->nphys);
	reopen(&p, &a, "f");
	for (uint64_t i = 0; i < 500; i++) {
		cr_assert_eq(pblkarr_read(&a, i, r), PC_OK);
		if (i % 50 == 0) {
			cr_assert(all_zero(r, 512));
			continue;
		}
		pattern(w, 512, i * 3 + 2);
		cr_assert(memcmp(r, w, 512) == 0);
	}
	tu_close_rm(p);
}

Test(blk, check_finds_broken_invariants)
{
	pblkarr a;
	pc_pool *p = blk_fresh("blk-inv", TU_POOL_SIZE, "c", 512, 16, &a);
	unsigned char w[512];
	pattern(w, 512, 1);
	for (uint64_t i = 0; i < 4; i++)
		cr_assert_eq(pblkarr_write(&a, i, w), PC_OK);
	cr_assert_eq(pblkarr_check(&a), PC_OK, "%s", pc_errmsg());
	uint32_t saved = a.map[1];
	a.map[1] = a.map[0]; /* one physical block, two owners */
	cr_assert_eq(pblkarr_check(&a), PC_E_CORRUPT);
	cr_assert(strstr(pc_errmsg(), "block 1") != NULL, "%s", pc_errmsg());
	a.map[1] = (uint32_t)(a.h->nphys << 2); /* out of range */
	cr_assert_eq(pblkarr_check(&a), PC_E_CORRUPT);
	a.map[1] = (PC__BLK_NOPHYS << 2); /* none, but no flag */
	cr_assert_eq(pblkarr_check(&a), PC_E_CORRUPT);
	a.map[1] = saved | PC__BLK_F_ZERO | PC__BLK_F_ERROR;
	cr_assert_eq(pblkarr_check(&a), PC_E_CORRUPT);
	a.map[1] = a.v->lane[0].free << 2; /* a lane's free block */
	cr_assert_eq(pblkarr_check(&a), PC_E_CORRUPT);
	a.map[1] = saved;
	a.v->lane[3].free = a.v->lane[3].free + 1; /* volatile drift */
	cr_assert_eq(pblkarr_check(&a), PC_E_CORRUPT);
	cr_assert(strstr(pc_errmsg(), "lane 3") != NULL, "%s", pc_errmsg());
	a.v->lane[3].free = a.v->lane[3].free - 1;
	cr_assert_eq(pblkarr_check(&a), PC_OK, "%s", pc_errmsg());
	tu_close_rm(p);
}

Test(blk, corrupt_lane_log_is_reported)
{
	pblkarr a;
	pc_pool *p = blk_fresh("blk-badlog", TU_POOL_SIZE, "c", 512, 16, &a);
	memset(&a.log[2], 0x77, 2 * sizeof(struct pc__blklog)); /* lane 1 */
	pc_pool_persist(p, &a.log[2], 2 * sizeof(struct pc__blklog));
	tu_reopen(&p);
	cr_assert_eq(pblkarr_root(p, "c", PC_OPEN, 0, 0, &a), PC_E_CORRUPT);
	cr_assert(strstr(pc_errmsg(), "lane") != NULL, "%s", pc_errmsg());
	tu_close_rm(p);
}

/* ---- transactions ------------------------------------------------ */

Test(blk, tx_abort_restores_blocks)
{
	pblkarr a;
	pc_pool *p = blk_fresh("blk-tx", TU_POOL_SIZE, "t", 4096, 32, &a);
	static unsigned char w[4096], r[4096];
	for (uint64_t i = 0; i < 8; i++) {
		pattern(w, 4096, i);
		cr_assert_eq(pblkarr_write(&a, i, w), PC_OK);
	}
	cr_assert_eq(pblkarr_set_error(&a, 6), PC_OK);
	uint32_t map_before[32];
	uint32_t orphan = PC__BLK_NOPHYS;
	memcpy(map_before, a.map, sizeof(map_before));
	pc_err out = PC_OK;
	TX(p, &out) {
		pattern(w, 4096, 1000);
		cr_assert_eq(pblkarr_write(&a, 1, w), PC_OK);
		cr_assert_eq(pblkarr_write(&a, 1, w), PC_OK); /* twice */
		cr_assert_eq(pblkarr_read(&a, 1, r), PC_OK);
		cr_assert(memcmp(r, w, 4096) == 0, "TX sees its write");
		cr_assert_eq(pblkarr_set_zero(&a, 2), PC_OK);
		cr_assert_eq(pblkarr_write(&a, 2, w), PC_OK); /* zero, write */
		cr_assert_eq(pblkarr_set_error(&a, 3), PC_OK);
		/* Block 20 was never written. */
		cr_assert_eq(pblkarr_write(&a, 20, w), PC_OK);
		orphan = a.map[20] >> 2;
		cr_assert_eq(pblkarr_write(&a, 6, w), PC_OK); /* error block */
		cr_assert_eq(pblkarr_write(&a, 99, w), PC_E_RANGE);
		pc_tx_abort(PC_E_ABORTED);
		cr_assert_eq(pblkarr_write(&a, 1, w), PC_E_ABORTED);
		break;
	}
	cr_assert_eq(out, PC_E_ABORTED);
	cr_assert(memcmp(map_before, a.map, sizeof(map_before)) == 0);
	/* Block 20's first write took a physical block that the abort
	 * orphaned: the next first write takes it again. */
	uint32_t hwm = a.v->hwm;
	cr_assert_eq(pblkarr_check(&a), PC_OK, "%s", pc_errmsg());
	cr_assert_neq(orphan, PC__BLK_NOPHYS);
	pattern(w, 4096, 21);
	cr_assert_eq(pblkarr_write(&a, 21, w), PC_OK);
	cr_assert_eq(a.map[21] >> 2, orphan);
	cr_assert_eq(a.v->hwm, hwm);
	cr_assert_eq(pblkarr_set_zero(&a, 21), PC_OK);
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t i = 0; i < 8; i++) {
			pc_err e = pblkarr_read(&a, i, r);
			if (i == 6) {
				cr_assert_eq(e, PC_E_BADBLOCK);
				continue;
			}
			cr_assert_eq(e, PC_OK);
			pattern(w, 4096, i);
			cr_assert(memcmp(r, w, 4096) == 0, "block %llu",
				  (unsigned long long)i);
		}
		cr_assert_eq(pblkarr_read(&a, 20, r), PC_OK);
		cr_assert(all_zero(r, 4096));
		if (pass == 0) {
			reopen(&p, &a, "t");
			/* Block 21 (zeroed) keeps the block. */
			cr_assert_eq(a.v->hwm, hwm);
			cr_assert_eq(a.v->nholes, 0);
		}
	}
	/* Lanes untouched by the transaction: ordinary writes go on. */
	for (uint64_t i = 0; i < 32; i++) {
		pattern(w, 4096, 50 + i);
		cr_assert_eq(pblkarr_write(&a, i, w), PC_OK);
	}
	cr_assert_eq(pblkarr_check(&a), PC_OK, "%s", pc_errmsg());
	tu_close_rm(p);
}

Test(blk, tx_commit_keeps_blocks_with_other_containers)
{
	pblkarr a;
	pc_pool *p = blk_fresh("blk-txc", TU_POOL_SIZE, "t", 512, 8, &a);
	PC_PTR(uint64_t) cnt;
	cr_assert_eq(PC_ROOT(p, "cnt", uint64_t, PC_CREATE, &cnt), PC_OK);
	unsigned char w[512], r[512];
	pc_err out = PC_E_ABORTED;
	TX(p, &out) {
		pattern(w, 512, 7);
		cr_assert_eq(pblkarr_write(&a, 0, w), PC_OK);
		cr_assert_eq(pblkarr_set_error(&a, 1), PC_OK);
		uint64_t *c = PC_RW(p, uint64_t, cnt);
		cr_assert(c != NULL);
		*c = 1;
	}
	cr_assert_eq(out, PC_OK);
	reopen(&p, &a, "t");
	cr_assert_eq(PC_ROOT(p, "cnt", uint64_t, PC_OPEN, &cnt), PC_OK);
	cr_assert_eq(*PC_RO(p, uint64_t, cnt), 1);
	cr_assert_eq(pblkarr_read(&a, 0, r), PC_OK);
	pattern(w, 512, 7);
	cr_assert(memcmp(r, w, 512) == 0);
	cr_assert_eq(pblkarr_read(&a, 1, r), PC_E_BADBLOCK);
	/* A TX left by break aborts the array's part too. */
	TX(p, &out) {
		pattern(w, 512, 8);
		cr_assert_eq(pblkarr_write(&a, 0, w), PC_OK);
		break;
	}
	cr_assert_eq(out, PC_E_ESCAPED);
	cr_assert_eq(pblkarr_read(&a, 0, r), PC_OK);
	pattern(w, 512, 7);
	cr_assert(memcmp(r, w, 512) == 0);
	tu_close_rm(p);
}

Test(blk, tx_first_writes_commit_then_overwrite)
{
	pblkarr a;
	pc_pool *p = blk_fresh("blk-txfirst", TU_POOL_SIZE, "t", 512, 64, &a);
	unsigned char w[512], r[512];
	/* Many aborted first writes: each orphan is taken again, so the
	 * array never runs out of blocks within the session. */
	for (int round = 0; round < 200; round++) {
		TX(p) {
			pattern(w, 512, (uint64_t)round);
			cr_assert_eq(pblkarr_write(&a, (uint64_t)round % 64, w),
				     PC_OK);
			pc_tx_abort(PC_E_ABORTED);
			break;
		}
	}
	cr_assert_leq(a.v->hwm, PBLKARR_LANES + 1);
	/* Committed first writes, then overwrites through the lanes. */
	TX(p) {
		for (uint64_t i = 0; i < 64; i++) {
			pattern(w, 512, 1000 + i);
			cr_assert_eq(pblkarr_write(&a, i, w), PC_OK);
		}
	}
	for (int round = 0; round < 3; round++)
		for (uint64_t i = 0; i < 64; i++) {
			pattern(w, 512, 2000 + i + 64 * (uint64_t)round);
			cr_assert_eq(pblkarr_write(&a, i, w), PC_OK);
		}
	cr_assert_eq(pblkarr_check(&a), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(a.v->ncand, 0);
	reopen(&p, &a, "t");
	for (uint64_t i = 0; i < 64; i++) {
		cr_assert_eq(pblkarr_read(&a, i, r), PC_OK);
		pattern(w, 512, 2000 + i + 128);
		cr_assert(memcmp(r, w, 512) == 0);
	}
	tu_close_rm(p);
}

Test(blk, create_inside_aborted_tx_leaves_nothing)
{
	pc_pool *p = tu_mkpool("blk-txcreate", TU_POOL_SIZE);
	uint64_t used0 = tu_used(p);
	pblkarr a;
	TX(p) {
		cr_assert_eq(pblkarr_root(p, "t", PC_CREATE, 512, 100, &a),
			     PC_OK);
		pc_tx_abort(PC_E_ABORTED);
		break;
	}
	cr_assert_eq(pblkarr_root(p, "t", PC_OPEN, 0, 0, &a), PC_E_NOTFOUND);
	cr_assert_eq(tu_used(p), used0);
	tu_close_rm(p);
}

/* ---- space ------------------------------------------------------- */

Test(blk, pool_full_at_create)
{
	pc_pool *p = tu_mkpool("blk-full", PC_POOL_MIN_SIZE);
	uint64_t used0 = tu_used(p);
	pblkarr a;
	cr_assert_eq(pblkarr_root(p, "f", PC_CREATE, 4096, 100000, &a),
		     PC_E_FULL);
	cr_assert(strstr(pc_errmsg(), "100000 blocks") != NULL, "%s",
		  pc_errmsg());
	cr_assert_eq(pc_root_count(p), 0);
	cr_assert_eq(tu_used(p), used0, "nothing left behind");
	cr_assert_eq(pblkarr_root(p, "f", PC_OPEN, 0, 0, &a), PC_E_NOTFOUND);
	/* As many as fit: then every block is writable. */
	cr_assert_eq(pblkarr_root(p, "f", PC_CREATE, 4096, 0, &a), PC_OK, "%s",
		     pc_errmsg());
	cr_assert_gt(pblkarr_nblock(&a), 100);
	static unsigned char w[4096];
	for (uint64_t i = 0; i < pblkarr_nblock(&a); i += 7) {
		pattern(w, 4096, i);
		cr_assert_eq(pblkarr_write(&a, i, w), PC_OK);
	}
	/* Nothing else fits now. */
	pblkarr b;
	cr_assert_eq(pblkarr_root(p, "g", PC_CREATE, 4096, 200, &b), PC_E_FULL);
	reopen(&p, &a, "f");
	tu_close_rm(p);
}

Test(blk, as_many_as_fit_inside_a_transaction)
{
	pc_pool *p = tu_mkpool("blk-txfit", 16u << 20);
	pblkarr a;
	pc_err out = PC_E_ABORTED;
	TX(p, &out) {
		cr_assert_eq(pblkarr_root(p, "f", PC_CREATE, 4096, 0, &a),
			     PC_OK, "%s", pc_errmsg());
	}
	cr_assert_eq(out, PC_OK);
	cr_assert_gt(pblkarr_nblock(&a), 1000);
	unsigned char w[4096];
	pattern(w, 4096, 3);
	cr_assert_eq(pblkarr_write(&a, pblkarr_nblock(&a) - 1, w), PC_OK);
	reopen(&p, &a, "f");
	tu_close_rm(p);
}

Test(blk, space_overhead_4k)
{
	pblkarr a;
	pc_pool *p = blk_fresh("blk-space", 64u << 20, "s", 4096, 0, &a);
	/* Per block: 4096 bytes of data and a 4-byte map entry; fixed
	 * parts (lanes, logs, volatile area) amortised over the array. */
	double per_block = (double)a.h->area_size / (double)a.nblock;
	double overhead = per_block / 4096.0 - 1.0;
	cr_log_info("4 KiB blocks: %llu blocks, %.1f bytes per block, "
		    "%.3f%% overhead",
		    (unsigned long long)a.nblock, per_block, overhead * 100);
	cr_assert_lt(overhead, 0.02);
	/* The area takes nearly all the pool's free space. */
	cr_assert_gt((double)a.nblock * 4096.0, 0.85 * (64u << 20));
	tu_close_rm(p);
}

Test(blk, free_releases_space)
{
	pc_pool *p = tu_mkpool("blk-free", TU_POOL_SIZE);
	uint64_t used0 = tu_used(p);
	pblkarr a;
	cr_assert_eq(pblkarr_root(p, "x", PC_CREATE, 512, 1000, &a), PC_OK);
	cr_assert_eq(pc_root_count(p), 1);
	cr_assert_eq(pblkarr_free(&a), PC_OK);
	cr_assert_null(a.h);
	cr_assert_eq(pc_root_count(p), 0);
	cr_assert_leq(tu_used(p), used0 + 2048); /* directory kept */
	cr_assert_eq(pblkarr_free(&a), PC_E_INVAL);
	tu_close_rm(p);
}

/* ---- fences ------------------------------------------------------ */

Test(blk, fences_per_write)
{
#ifndef PCOLL_COUNT
	cr_skip_test("counting build only");
#else
	if (!tu_forced_pmem())
		cr_skip_test("flush path only");
	pblkarr a;
	pc_pool *p = blk_fresh("blk-fences", TU_POOL_SIZE, "f", 512, 100, &a);
	unsigned char w[512], r[512];
	pattern(w, 512, 1);
	/* First writes: in place, 512 B of data (8 lines) and the map
	 * entry's line. */
	pc_persist_counters_reset();
	for (uint64_t i = 0; i < 100; i++)
		cr_assert_eq(pblkarr_write(&a, i, w), PC_OK);
	pc_persist_counters c = pc_persist_counters_get();
	cr_assert_eq(c.fences, 200, "2 fences per write, got %llu",
		     (unsigned long long)c.fences);
	cr_assert_eq(c.flushes, 100 * 9, "flushes %llu",
		     (unsigned long long)c.flushes);
	/* Overwrites: through a lane, plus the log record's line. */
	pc_persist_counters_reset();
	for (uint64_t i = 0; i < 100; i++)
		cr_assert_eq(pblkarr_write(&a, i, w), PC_OK);
	c = pc_persist_counters_get();
	cr_assert_eq(c.fences, 200, "2 fences per write, got %llu",
		     (unsigned long long)c.fences);
	cr_assert_eq(c.flushes, 100 * 10, "flushes %llu",
		     (unsigned long long)c.flushes);
	pc_persist_counters_reset();
	cr_assert_eq(pblkarr_set_zero(&a, 1), PC_OK);
	cr_assert_eq(pblkarr_read(&a, 2, r), PC_OK);
	c = pc_persist_counters_get();
	cr_assert_eq(c.fences, 1);
	tu_close_rm(p);
#endif
}

/* ---- threads ----------------------------------------------------- */

#define CB_BS     4096
#define CB_BLOCKS 24

struct cctx {
	pblkarr a;
	unsigned writes;
	unsigned id;
	volatile int *stop;
	unsigned long reads, retries_seen, bad;
};

/* Block content: [0..8) seed, [8..16) block number, rest from the seed,
 * last 8 bytes a checksum of everything before. */
static void cb_fill(unsigned char *b, uint64_t blk, uint64_t seed)
{
	memcpy(b, &seed, 8);
	memcpy(b + 8, &blk, 8);
	pattern(b + 16, CB_BS - 24, seed);
	uint64_t s = 0;
	for (size_t k = 0; k < CB_BS - 8; k++)
		s = s * 1099511628211ull + b[k];
	memcpy(b + CB_BS - 8, &s, 8);
}

static int cb_valid(const unsigned char *b, uint64_t blk)
{
	if (all_zero(b, CB_BS))
		return 1; /* never written */
	uint64_t s = 0, got, n;
	for (size_t k = 0; k < CB_BS - 8; k++)
		s = s * 1099511628211ull + b[k];
	memcpy(&got, b + CB_BS - 8, 8);
	memcpy(&n, b + 8, 8);
	return got == s && n == blk;
}

static void *cb_writer(void *arg)
{
	struct cctx *c = arg;
	unsigned char *b = malloc(CB_BS);
	uint64_t rng = 1000 + c->id;
	for (unsigned k = 0; k < c->writes; k++) {
		uint64_t blk = tu_splitmix64(&rng) % CB_BLOCKS;
		cb_fill(b, blk, tu_splitmix64(&rng));
		if (pblkarr_write(&c->a, blk, b) != PC_OK)
			c->bad++;
	}
	free(b);
	return NULL;
}

static void *cb_reader(void *arg)
{
	struct cctx *c = arg;
	unsigned char *b = malloc(CB_BS);
	uint64_t rng = 7 + c->id;
	while (!*c->stop) {
		uint64_t blk = tu_splitmix64(&rng) % CB_BLOCKS;
		if (pblkarr_read(&c->a, blk, b) != PC_OK || !cb_valid(b, blk))
			c->bad++;
		c->reads++;
	}
	free(b);
	return NULL;
}

Test(blk, concurrent_writers_and_readers_no_torn_reads, .timeout = 120)
{
	pblkarr a;
	pc_pool *p =
		blk_fresh("blk-mt", TU_POOL_SIZE, "m", CB_BS, CB_BLOCKS, &a);
	volatile int stop = 0;
	enum { NW = 3, NR = 3 };
	struct cctx cw[NW], cr[NR];
	pthread_t tw[NW], tr[NR];
	for (unsigned k = 0; k < NR; k++) {
		cr[k] = (struct cctx){a, 0, k, &stop, 0, 0, 0};
		cr_assert_eq(pthread_create(&tr[k], NULL, cb_reader, &cr[k]),
			     0);
	}
	for (unsigned k = 0; k < NW; k++) {
		cw[k] = (struct cctx){a, scale(6000), k, &stop, 0, 0, 0};
		cr_assert_eq(pthread_create(&tw[k], NULL, cb_writer, &cw[k]),
			     0);
	}
	for (unsigned k = 0; k < NW; k++)
		pthread_join(tw[k], NULL);
	stop = 1;
	unsigned long reads = 0;
	for (unsigned k = 0; k < NR; k++) {
		pthread_join(tr[k], NULL);
		reads += cr[k].reads;
		cr_assert_eq(cr[k].bad, 0, "reader %u saw %lu torn blocks", k,
			     cr[k].bad);
	}
	for (unsigned k = 0; k < NW; k++)
		cr_assert_eq(cw[k].bad, 0);
	cr_log_info("%lu concurrent reads, none torn", reads);
	cr_assert_gt(reads, 0);
	cr_assert_eq(pblkarr_check(&a), PC_OK, "%s", pc_errmsg());
	/* Every block holds one complete write, also after reopen. */
	reopen(&p, &a, "m");
	unsigned char *b = malloc(CB_BS);
	for (uint64_t i = 0; i < CB_BLOCKS; i++) {
		cr_assert_eq(pblkarr_read(&a, i, b), PC_OK);
		cr_assert(cb_valid(b, i));
	}
	free(b);
	tu_close_rm(p);
}

/* ---- process kill ------------------------------------------------ */

/* A child writes (first writes, overwrites, set_zero) until SIGKILL
 * lands at a random moment; the array must reopen consistent, with every
 * block either never written, zeroed, or one complete write. */
Test(blk, sigkill_during_writes, .timeout = 120)
{
	const char *path0 = tu_path("blk-kill");
	char path[PC_PATH_MAX];
	snprintf(path, sizeof(path), "%s", path0);
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create(path, TU_POOL_SIZE, &p), PC_OK);
	pblkarr a;
	cr_assert_eq(pblkarr_root(p, "k", PC_CREATE, CB_BS, 400, &a), PC_OK);
	cr_assert_eq(pc_pool_close(p), PC_OK);
	unsigned rounds = tu_forced_pmem() ? 4 : 2;
	uint64_t nonzero = 0;
	for (unsigned r = 0; r < rounds; r++) {
		int fds[2];
		cr_assert_eq(pipe(fds), 0);
		pid_t pid = tu_fork();
		if (pid == 0) {
			close(fds[0]);
			pc_pool *cp = NULL;
			pblkarr ca;
			if (pc_pool_open(path, &cp) != PC_OK ||
			    pblkarr_root(cp, "k", PC_OPEN, 0, 0, &ca) != PC_OK)
				_exit(3);
			unsigned char *b = malloc(CB_BS);
			uint64_t rng = 99 + r;
			for (uint64_t n = 0;; n++) {
				if (n == 50) {
					/* Running: tell the parent. */
					if (write(fds[1], "r", 1) != 1)
						_exit(6);
				}
				uint64_t x = tu_splitmix64(&rng);
				uint64_t blk = x % 400;
				if ((x >> 32) % 16 == 0) {
					if (pblkarr_set_zero(&ca, blk) != PC_OK)
						_exit(4);
					continue;
				}
				cb_fill(b, blk, tu_splitmix64(&rng));
				if (pblkarr_write(&ca, blk, b) != PC_OK)
					_exit(5);
			}
		}
		close(fds[1]);
		char c = 0;
		cr_assert_eq(read(fds[0], &c, 1), 1, "the child did not start");
		close(fds[0]);
		struct timespec ts = {0, (long)(5 + 13 * r) * 1000000L};
		nanosleep(&ts, NULL);
		tu_kill9(pid);
		cr_assert_eq(pc_pool_open(path, &p), PC_OK, "%s", pc_errmsg());
		cr_assert_eq(pblkarr_root(p, "k", PC_OPEN, 0, 0, &a), PC_OK,
			     "%s", pc_errmsg());
		cr_assert_eq(pblkarr_check(&a), PC_OK, "%s", pc_errmsg());
		unsigned char *b = malloc(CB_BS);
		for (uint64_t i = 0; i < 400; i++) {
			cr_assert_eq(pblkarr_read(&a, i, b), PC_OK);
			cr_assert(cb_valid(b, i), "round %u block %llu torn", r,
				  (unsigned long long)i);
			nonzero += !all_zero(b, CB_BS);
		}
		free(b);
		cr_assert_eq(pc_pool_close(p), PC_OK);
	}
	cr_assert_gt(nonzero, 0, "the child wrote nothing before the kill");
	unlink(path);
}
