/* SPDX-License-Identifier: BSD-3-Clause */
/* The inline persistence primitives. Built twice: plain and with
 * PCOLL_COUNT (then the counters must move). */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include "tu_pool.h"

Test(persist, flush_kind_is_detected)
{
	pc_flush_kind k = pc_flush_kind_get();
	cr_assert_neq(k, PC_FLUSH_UNKNOWN);
	cr_assert_str_neq(pc_flush_kind_name(k), "unknown");
	cr_assert_eq(pc_flush_kind_get(), k, "stable");
}

Test(persist, memcpy_nodrain_copies_every_size_and_alignment)
{
	static unsigned char src[5000], dst[5200];
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 3);
	for (size_t off = 0; off < 70; off += 3) {
		for (size_t len = 0; len < 4200; len += (len < 300 ? 1 : 97)) {
			memset(dst, 0xEE, sizeof(dst));
			pc_memcpy_nodrain(dst + off, src, len);
			pc_fence();
			cr_assert_eq(memcmp(dst + off, src, len), 0,
				     "off %zu len %zu", off, len);
			if (off)
				cr_assert_eq(dst[off - 1], 0xEE);
			cr_assert_eq(dst[off + len], 0xEE, "no overrun");
		}
	}
}

Test(persist, pool_level_helpers_follow_the_pool_kind)
{
	pc_pool *p = tu_mkpool("persist", TU_POOL_SIZE);
	PC_PTR(uint64_t) v;
	cr_assert_eq(PC_ROOT(p, "v", uint64_t, PC_CREATE, &v), PC_OK);
	uint64_t *w = (uint64_t *)PC_RO(p, uint64_t, v);
	pc_persist_counters_reset();
	*w = 99;
	pc_pool_persist(p, w, sizeof(*w));
	uint64_t big[100];
	for (int i = 0; i < 100; i++)
		big[i] = (uint64_t)i;
	PC_PTR(uint64_t) arr;
	cr_assert_eq(pmemobj_zalloc(p->pop, &arr.oid, sizeof(big), 1), 0);
	pc_pool_memcpy_nodrain(p, (void *)PC_RO(p, uint64_t, arr), big,
			       sizeof(big));
	pc_pool_drain(p);
	cr_assert_eq(memcmp(PC_RO(p, uint64_t, arr), big, sizeof(big)), 0);
	pc_persist_counters c = pc_persist_counters_get();
#if defined(PCOLL_COUNT) && !defined(PCOLL_CHECKED)
	if (pc_pool_is_pmem(p)) {
		cr_assert_eq(c.fences, 2, "one per persist/drain, got %llu",
			     (unsigned long long)c.fences);
		cr_assert_geq(c.flushes, 1 + 800 / 64);
	} else {
		cr_assert_eq(c.fences, 0, "msync path uses no sfence");
	}
#else
	cr_assert_eq(c.fences, 0, "counters stay zero without PCOLL_COUNT");
	cr_assert_eq(c.flushes, 0);
#endif
	tu_reopen(&p);
	cr_assert_eq(PC_ROOT(p, "v", uint64_t, PC_OPEN, &v), PC_OK);
	cr_assert_eq(*PC_RO(p, uint64_t, v), 99);
	tu_close_rm(p);
}
