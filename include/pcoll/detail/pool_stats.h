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

/* Largest allocation libpmemobj can make now, probed with reservations
 * (volatile until published: nothing persists). Not for growable pools:
 * a reservation there may add a part. */
static inline uint64_t pc__pool_largest_free(const pc_pool *pool)
{
	uint64_t lo = 0, hi = PMEMOBJ_MAX_ALLOC_SIZE;
	if (pool->size && pool->size < hi)
		hi = pool->size;
	while (hi - lo > 64) {
		uint64_t mid = lo + (hi - lo) / 2;
		struct pobj_action act;
		PMEMoid o = pmemobj_reserve(pool->pop, &act, mid, 0);
		if (OID_IS_NULL(o)) {
			hi = mid;
		} else {
			pmemobj_cancel(pool->pop, &act, 1);
			lo = mid;
		}
	}
	return lo;
}

/*
 * After a call failed with PC_E_FULL: the message names who failed (the
 * container or function) and the pool, and what is left (for a fixed
 * pool, the largest free block). A message that names the pool already
 * is left as it is.
 */
static inline void pc__pool_full_note(const pc_pool *pool, pc_err e,
				      const char *who)
{
	if (!pool || strstr(pc__errmsg_buf, pool->path))
		return;
	char pre[PC_ERRMSG_MAX], post[96];
	if (snprintf(pre, sizeof(pre), "%s: %s", who, pool->path) < 0)
		pre[0] = '\0';
	if (pool->root && pool->root->grow_step)
		(void)snprintf(post, sizeof(post),
			       " (a growable pool that could not grow)");
	else
		(void)snprintf(post, sizeof(post),
			       " (largest free block after the rollback: "
			       "%llu bytes)",
			       (unsigned long long)pc__pool_largest_free(pool));
	pc__errmsg_wrap(e, pre, post);
}

/* e, with the context of pc__pool_full_note() added when it is
 * PC_E_FULL. Always inlined, so that the compiler sees e come back: a
 * caller's "failed, so the output was not written" stays visible. */
__attribute__((always_inline)) static inline pc_err
pc__pool_full_ctx(const pc_pool *pool, pc_err e, const char *who)
{
	if (PC__UNLIKELY(e == PC_E_FULL))
		pc__pool_full_note(pool, e, who);
	return e;
}

/* The file's kind and libpmemobj's own check, without opening the pool. */
static inline pc_err pc__pool_check_file(const char *path)
{
	PC_TRY(pc__pool_classify_file(path, 0));
	int r = pmemobj_check(path, PC_LAYOUT);
	if (r == 0)
		return pc__fail(PC_E_CORRUPT, "%s: libpmemobj check failed: %s",
				path, pc__pmdk_errormsg());
	if (r < 0) {
		int err = errno;
		if (err == EAGAIN || err == EWOULDBLOCK)
			return pc__fail(PC_E_BUSY,
					"%s: the pool is open (here or in "
					"another process)",
					path);
		return pc__fail(PC_E_CORRUPT, "%s: cannot check: %s", path,
				pc__pmdk_errormsg());
	}
	return PC_OK;
}
/** @endcond */

#endif /* PCOLL_DETAIL_POOL_STATS_H */
