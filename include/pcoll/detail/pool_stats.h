/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: space accounting and the pool-level check.
 * pc__pool_stats() walks every live allocation (exact, whether or not
 * libpmemobj's statistics were on when they were made), adds up the part
 * files of a growable pool, and estimates the free space from the size
 * minus a fixed overhead. pc__pool_check_file() classifies the file, then
 * runs libpmemobj's own consistency check (pmemobj_check); pool.h's
 * pc_pool_check() follows it with a full open, which checks pcoll's root
 * and directory (detail/pool_rootdir.h).
 *
 * Part of detail/pool_engine.h, included by <pcoll/pool.h> after its
 * public types. Relies on: pool.h (pc_pool, pc_pool_stats, pc_pool_ptr),
 * detail/pool_rootdir.h (struct pc__root, struct pc__dir),
 * detail/pool_classify.h, err.h (pc__fail), libpmemobj.
 */
#ifndef PCOLL_DETAIL_POOL_STATS_H
#define PCOLL_DETAIL_POOL_STATS_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <libpmemobj.h>

#include "../err.h"

/** @cond PCOLL_INTERNAL */
/* Fixed part of a pool that is not heap: the pool header, lanes, heap
 * headers. Measured on PMDK 1.12; used only for the "free" estimate. */
#define PC__POOL_OVERHEAD (4ull * 1024 * 1024)

/* Fills *out (pc_pool_stats_get() checked the arguments). */
static inline pc_err pc__pool_stats(pc_pool *pool, pc_pool_stats *out)
{
	memset(out, 0, sizeof(*out));
	/* Walk every live allocation: exact, and independent of whether
	 * libpmemobj's statistics were enabled when they were made. */
	uint64_t used = 0;
	for (PMEMoid o = pmemobj_first(pool->pop); !OID_IS_NULL(o);
	     o = pmemobj_next(o))
		used += pmemobj_alloc_usable_size(o);
	/* Growable: the parts created so far (pool_prefault.h). */
	out->size = pc__pool_mapped(pool);
	out->used = used;
	/* out->size, not pool->size: a growable pool's parts so far. */
	uint64_t cap = out->size > PC__POOL_OVERHEAD
			       ? out->size - PC__POOL_OVERHEAD
			       : 0;
	out->free = cap > used ? cap - used : 0;
	if (pool->root->dir_off) {
		const struct pc__dir *d = (const struct pc__dir *)pc_pool_ptr(
			pool, pool->root->dir_off);
		out->nroots = d->count;
	}
	return PC_OK;
}

/* The file's kind and libpmemobj's own check, without opening the pool. */
static inline pc_err pc__pool_check_file(const char *path)
{
	PC_TRY(pc__pool_classify_file(path, 0));
	int r = pmemobj_check(path, PC_LAYOUT);
	if (r == 0)
		return pc__fail(PC_E_CORRUPT, "%s: libpmemobj check failed: %s",
				path, pmemobj_errormsg());
	if (r < 0) {
		int err = errno;
		if (err == EAGAIN || err == EWOULDBLOCK)
			return pc__fail(PC_E_BUSY, "%s: pool is open", path);
		return pc__fail(PC_E_CORRUPT, "%s: cannot check: %s", path,
				pmemobj_errormsg());
	}
	return PC_OK;
}
/** @endcond */

#endif /* PCOLL_DETAIL_POOL_STATS_H */
