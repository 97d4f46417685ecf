/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: prefaulting a pool's mapping (pc_pool_prefault(), and the
 * prefault option of pc_pool_opts at create and open). Every page of the
 * mapped pool is entered into the page tables up front, so the first
 * write to it does not take a page fault (on tmpfs and DAX the fault is
 * what a first write costs most: about 2-5 us per 4 KiB page on the test
 * machine, docs/guide.md "Prefaulting").
 *
 * How: madvise(MADV_POPULATE_WRITE) on persistent memory (writable
 * entries, no data written), MADV_POPULATE_READ on the msync path (a
 * plain file: writable entries would mark every page dirty and make the
 * kernel write the whole file back). Kernels before 5.14 lack both; then
 * each page is touched once: an atomic add of zero to its first word on
 * persistent memory (the value is unchanged, so nothing needs
 * persisting, and a concurrent writer's store cannot be lost), a read on
 * the msync path.
 *
 * The range is the file of a fixed pool; for a growable pool the parts
 * that exist (libpmemobj maps a single-header poolset's parts one after
 * the other); parts added later are not prefaulted.
 *
 * Part of detail/pool_engine.h, included by <pcoll/pool.h>. Relies on:
 * pool.h (pc_pool), detail/pool_rootdir.h (the growth step in the root),
 * err.h (pc__fail).
 */
#ifndef PCOLL_DETAIL_POOL_PREFAULT_H
#define PCOLL_DETAIL_POOL_PREFAULT_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../err.h"

/** @cond PCOLL_INTERNAL */
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14 */
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif
/* <sys/mman.h> declares madvise() only with _DEFAULT_SOURCE or
 * _GNU_SOURCE; users may build with -std=c11 without either. */
extern int madvise(void *addr, size_t len, int advice);

/* Bytes of the pool that are mapped: the file of a fixed pool, the parts
 * of a growable one. */
static inline uint64_t pc__pool_mapped(const pc_pool *pool)
{
	if (pool->size || !pool->root || !pool->root->grow_step)
		return pool->size;
	uint64_t n = 0;
	for (unsigned i = 0; i < 1000000; i++) {
		char part[PC_PATH_MAX + 32];
		struct stat st;
		(void)snprintf(part, sizeof(part), "%s.parts/%06u.pmem",
			       pool->path, i);
		if (stat(part, &st) != 0)
			break;
		n += (uint64_t)st.st_size;
	}
	return n;
}

/* Touches every page of [base, base + len) once (kernels without
 * MADV_POPULATE_*). */
static inline void pc__pool_touch(char *base, uint64_t len, uint64_t page,
				  int write)
{
	for (uint64_t o = 0; o < len; o += page) {
		uint64_t *w = (uint64_t *)(void *)(base + o);
		if (write)
			(void)__atomic_fetch_add(w, 0, __ATOMIC_RELAXED);
		else
			(void)__atomic_load_n(w, __ATOMIC_RELAXED);
	}
}

/* pc_pool_prefault() after its argument check. */
static inline pc_err pc__pool_prefault(pc_pool *pool)
{
	uint64_t len = pc__pool_mapped(pool);
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t page = pg > 0 ? (uint64_t)pg : 4096;
	len &= ~(page - 1);
	if (len == 0)
		return PC_OK;
	int advice = pool->is_pmem ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
	if (madvise(pool->base, (size_t)len, advice) == 0)
		return PC_OK;
	int err = errno;
	if (err != EINVAL && err != ENOSYS)
		return pc__fail(err == ENOMEM ? PC_E_NOMEM : PC_E_IO,
				"%s: cannot prefault %llu bytes: %s",
				pool->path, (unsigned long long)len,
				strerror(err));
	pc__pool_touch(pool->base, len, page, pool->is_pmem);
	return PC_OK;
}
/** @endcond */

#endif /* PCOLL_DETAIL_POOL_PREFAULT_H */
