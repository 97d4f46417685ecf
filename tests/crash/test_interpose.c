/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The simulator's own foundations:
 *  - libpmemobj (PMDK 1.12.1) really calls libpmem through the interposed
 *    functions (counted during a pmemobj transaction);
 *  - pcoll's checked build routes its flushes and fences there too;
 *  - the durable image follows the flush + fence rule exactly, per thread,
 *    with non-temporal stores recorded word by word.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpmemobj.h>

#include "crsched.h"
#include "interpose.h"
#include "sim.h"
#include "testutil.h"

void pc__hook_nt_store(void *dst, const void *src, size_t len);

static pc_pool *pool;
static char path[600];

static void setup(void)
{
	(void)snprintf(path, sizeof(path), "%s", tu_path("crash-ip"));
	cr_assert_eq(pc_pool_create(path, PC_POOL_MIN_SIZE, &pool), PC_OK, "%s",
		     pc_errmsg());
}

static void teardown(void)
{
	cr_track_stop();
	if (pool)
		cr_assert_eq(pc_pool_close(pool), PC_OK);
	pool = NULL;
	(void)unlink(path);
}

TestSuite(interpose, .init = setup, .fini = teardown);

static int forced(void)
{
	const char *f = getenv("PMEM_IS_PMEM_FORCE");
	return f && strcmp(f, "1") == 0;
}

static uint64_t *scratch_word(void)
{
	PC_PTR(uint64_t) x;
	cr_assert_eq(PC_ROOT(pool, "w", uint64_t, PC_OPEN_OR_CREATE, &x),
		     PC_OK);
	return (uint64_t *)PC_RO(pool, uint64_t, x);
}

static uint64_t durable_at(const void *p)
{
	uint64_t v;
	memcpy(&v, cr_track_durable() + ((const char *)p - pool->base), 8);
	return v;
}

Test(interpose, libpmemobj_transactions_go_through_libpmem)
{
	PMEMoid root = pmemobj_root(pool->pop, 4096);
	cr_assert(!OID_IS_NULL(root));
	uint64_t *w = (uint64_t *)pmemobj_direct(root);
	cr_calls c;
	cr_calls_reset();
	/* A raw libpmemobj transaction, no pcoll code involved. */
	int r = pmemobj_tx_begin(pool->pop, NULL, TX_PARAM_NONE);
	cr_assert_eq(r, 0);
	cr_assert_eq(pmemobj_tx_add_range_direct(w, 64), 0);
	w[0] = 42;
	w[7] = 43;
	PMEMoid o = pmemobj_tx_alloc(256, 7);
	cr_assert(!OID_IS_NULL(o));
	pmemobj_tx_commit();
	cr_assert_eq(pmemobj_tx_end(), 0);
	cr_calls_get(&c);
	cr_log_info("pmemobj tx: flush %llu drain %llu persist %llu msync "
		    "%llu memcpy %llu memset %llu memmove %llu deep_flush "
		    "%llu",
		    (unsigned long long)c.flush, (unsigned long long)c.drain,
		    (unsigned long long)c.persist, (unsigned long long)c.msync,
		    (unsigned long long)c.memcpy, (unsigned long long)c.memset,
		    (unsigned long long)c.memmove,
		    (unsigned long long)c.deep_flush);
	if (forced()) {
		/* pmem path: flush/drain/persist and the flags copies. */
		cr_assert_gt(c.drain + c.persist, 0);
		cr_assert_gt(c.flush + c.persist, 0);
		cr_assert_gt(c.memcpy + c.memset + c.memmove, 0);
		cr_assert_eq(c.msync, 0);
	} else {
		/* msync path: everything durable goes through pmem_msync. */
		cr_assert_gt(c.msync, 0);
	}
	/* And the durable image sees the committed data when tracking. */
	cr_assert_eq(cr_track_start(pool->base, pool->size), 0);
	cr_assert_eq(pmemobj_tx_begin(pool->pop, NULL, TX_PARAM_NONE), 0);
	cr_assert_eq(pmemobj_tx_add_range_direct(w, 8), 0);
	w[0] = 4242;
	pmemobj_tx_commit();
	cr_assert_eq(pmemobj_tx_end(), 0);
	cr_assert_eq(durable_at(w), 4242);
	cr_assert_gt(cr_track_fences(), 1);
}

Test(interpose, pcoll_checked_build_flushes_through_libpmem)
{
	uint64_t *w = scratch_word();
	cr_calls c;
	cr_calls_reset();
	*w = 7;
	pc_pool_persist(pool, w, sizeof(*w));
	cr_calls_get(&c);
	if (forced()) {
		cr_assert_eq(c.flush, 1);
		cr_assert_eq(c.drain, 1);
	} else {
		cr_assert_eq(c.msync, 1);
	}
	cr_calls_reset();
	char buf[1024];
	memset(buf, 3, sizeof(buf));
	pc_pool_memcpy_nodrain(pool, w + 8, buf, sizeof(buf));
	pc_pool_drain(pool);
	cr_calls_get(&c);
	if (forced()) {
		cr_assert_eq(c.memcpy, 1);
		cr_assert_eq(c.copy_nodrain, 1);
		cr_assert_eq(c.drain, 1);
	}
}

Test(interpose, store_without_flush_is_not_durable)
{
	uint64_t *w = scratch_word();
	*w = 1;
	pc_pool_persist(pool, w, 8);
	cr_assert_eq(cr_track_start(pool->base, pool->size), 0);
	cr_assert_eq(durable_at(w), 1);
	*w = 2;
	pmem_drain();
	cr_assert_eq(durable_at(w), 1, "a fence alone made a store durable");
	pmem_flush(w, 8);
	cr_assert_eq(durable_at(w), 1, "a flush alone made a store durable");
	cr_assert_eq(cr_track_pending(), 1);
	pmem_drain();
	cr_assert_eq(durable_at(w), 2);
	cr_assert_eq(cr_track_pending(), 0);
}

Test(interpose, flush_captures_the_line_at_flush_time)
{
	uint64_t *w = scratch_word();
	cr_assert_eq(cr_track_start(pool->base, pool->size), 0);
	*w = 10;
	pmem_flush(w, 8);
	*w = 11; /* stored after the flush: not covered by it */
	pmem_drain();
	cr_assert_eq(durable_at(w), 10);
	pmem_persist(w, 8);
	cr_assert_eq(durable_at(w), 11);
}

Test(interpose, copies_follow_their_flags)
{
	uint64_t *w = scratch_word();
	char *dst = (char *)(w + 16);
	cr_assert_eq(cr_track_start(pool->base, pool->size), 0);
	uint64_t v = 0x1111;
	pmem_memcpy(dst, &v, 8, PMEM_F_MEM_NOFLUSH);
	pmem_drain();
	cr_assert_eq(durable_at(dst), 0, "NOFLUSH copy became durable");
	v = 0x2222;
	pmem_memcpy(dst, &v, 8, PMEM_F_MEM_NONTEMPORAL | PMEM_F_MEM_NODRAIN);
	cr_assert_eq(durable_at(dst), 0);
	pmem_drain();
	cr_assert_eq(durable_at(dst), 0x2222);
	pmem_memset_persist(dst, 0x5a, 8);
	cr_assert_eq(durable_at(dst), 0x5a5a5a5a5a5a5a5aull);
	v = 0x3333;
	pmem_memmove_nodrain(dst, &v, 8);
	cr_assert_eq(durable_at(dst), 0x5a5a5a5a5a5a5a5aull);
	cr_assert_eq(pmem_msync(dst, 8), 0);
	cr_assert_eq(durable_at(dst), 0x3333);
}

static uint64_t hook_seen[4];
static int hook_calls;
static uint64_t *hook_word;

static void hook(uint64_t fence, const void *site, void *arg)
{
	(void)arg;
	(void)site;
	if (hook_calls < 4)
		hook_seen[hook_calls] = durable_at(hook_word);
	hook_calls++;
	(void)fence;
}

Test(interpose, hook_runs_before_the_fence_takes_effect)
{
	hook_word = scratch_word();
	*hook_word = 5;
	pc_pool_persist(pool, hook_word, 8);
	cr_assert_eq(cr_track_start(pool->base, pool->size), 0);
	cr_track_set_hook(hook, NULL);
	*hook_word = 6;
	pmem_persist(hook_word, 8);
	*hook_word = 7;
	pmem_persist(hook_word, 8);
	cr_track_set_hook(NULL, NULL);
	cr_assert_eq(hook_calls, 2);
	cr_assert_eq(hook_seen[0], 5);
	cr_assert_eq(hook_seen[1], 6);
	cr_assert_eq(durable_at(hook_word), 7);
	cr_assert_eq(cr_track_fences(), 2);
}

/* The non-temporal hook records only the words it stored: the rest of the
 * line, stored but not flushed, stays out of the durable image. */
Test(interpose, nt_store_makes_only_its_words_durable)
{
	uint64_t *w = scratch_word();
	uint64_t *line = (uint64_t *)((uintptr_t)(w + 16) & ~(uintptr_t)63);
	cr_assert_eq(cr_track_start(pool->base, pool->size), 0);
	line[0] = 0x1111; /* cached store, never flushed */
	uint64_t v = 0x2222;
	pc__hook_nt_store(&line[1], &v, sizeof(v));
	cr_assert_eq(line[1], 0x2222, "the hook did not store");
	pmem_drain();
	cr_assert_eq(durable_at(&line[1]), 0x2222);
	cr_assert_neq(durable_at(&line[0]), 0x1111,
		      "a non-temporal store made its whole line durable");
}

static uint64_t *shared;
static volatile int step;

/* Thread 0 flushes the line (old value), thread 1 then stores, flushes
 * and fences a newer one; thread 0's later fence must not bring the old
 * value back. */
static void two_threads(int t, void *arg)
{
	(void)arg;
	if (t == 0) {
		*shared = 1;
		pmem_flush(shared, 8);
		step = 1;
		while (step != 2)
			(void)sched_yield();
		pmem_drain();
	} else {
		while (step != 1)
			(void)sched_yield();
		*shared = 2;
		pmem_persist(shared, 8);
		step = 2;
	}
}

Test(interpose, later_flush_wins_across_threads)
{
	shared = scratch_word();
	*shared = 0;
	pc_pool_persist(pool, shared, 8);
	cr_assert_eq(cr_track_start(pool->base, pool->size), 0);
	step = 0;
	cr_assert_eq(cr_mt_run(2, two_threads, NULL, 42, 1), 0);
	cr_assert_eq(durable_at(shared), 2,
		     "an older flush fenced later overwrote a newer durable "
		     "value");
}
