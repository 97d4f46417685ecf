/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: growable pools. A growable pool is a libpmemobj poolset: the
 * file at the pool's path is a poolset file ("PMEMPOOLSET", OPTION
 * SINGLEHDR, one directory part of the maximum size) and the data lives in
 * `path.parts/`, where libpmemobj creates part files (000000.pmem, ...) as
 * the heap grows. pcoll writes the poolset file and the directory before
 * pmemobj_create(), records the growth step in its root object (persisted
 * on its own; 0 means a fixed pool), extends the heap to the initial size
 * asked for, and at every open sets libpmemobj's heap.size.granularity to
 * the recorded step (a runtime control that is not stored in the pool).
 *
 * Part of detail/pool_engine.h, included by <pcoll/pool.h> after its
 * public types. Relies on: pool.h (pc_pool, pc_pool_opts,
 * pc_pool_persist), detail/pool_rootdir.h (struct pc__root), err.h
 * (pc__fail), libpmemobj's ctl interface.
 */
#ifndef PCOLL_DETAIL_POOL_GROW_H
#define PCOLL_DETAIL_POOL_GROW_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <libpmemobj.h>

#include "../err.h"

/** @cond PCOLL_INTERNAL */
/* Records the growth step in the root and extends the heap to the
 * initial size asked for. */
static inline pc_err pc__pool_grow_setup(pc_pool *pool, const pc_pool_opts *o)
{
	pool->root->grow_step = o->grow_step;
	pc_pool_persist(pool, &pool->root->grow_step, sizeof(uint64_t));
	if (o->size > PC_POOL_MIN_SIZE) {
		size_t extra = o->size - PC_POOL_MIN_SIZE;
		if (pmemobj_ctl_exec(pool->pop, "heap.size.extend", &extra) !=
		    0)
			return pc__fail(
				PC_E_FULL,
				"%s: cannot grow to the initial size: %s",
				pool->path, pmemobj_errormsg());
	}
	return PC_OK;
}

/* Writes the poolset file of a growable pool and makes its parts
 * directory. */
static inline pc_err pc__pool_write_poolset(const char *path,
					    const pc_pool_opts *o)
{
	char dir[PC_PATH_MAX + 8];
	(void)snprintf(dir, sizeof(dir), "%s.parts", path);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return pc__fail(PC_E_IO, "%s: cannot make directory: %s", dir,
				strerror(errno));
	FILE *f = fopen(path, "wx");
	if (!f) {
		int err = errno;
		return pc__fail(err == EEXIST ? PC_E_EXISTS : PC_E_IO,
				"%s: cannot create the poolset file: %s", path,
				strerror(err));
	}
	size_t max = o->max_size ? o->max_size : PC_POOL_DEFAULT_MAX_SIZE;
	int ok = fprintf(f, "PMEMPOOLSET\nOPTION SINGLEHDR\n%zu %s/\n", max,
			 dir) > 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok) {
		(void)remove(path);
		return pc__fail(PC_E_IO, "%s: cannot write the poolset file",
				path);
	}
	return PC_OK;
}

/* Growth is a runtime control of libpmemobj, not stored in the pool: set
 * again at every open of a growable pool. */
static inline pc_err pc__pool_grow_enable(pc_pool *pool, const char *path)
{
	size_t g = (size_t)pool->root->grow_step;
	if (pmemobj_ctl_set(pool->pop, "heap.size.granularity", &g) != 0)
		return pc__fail(PC_E_IO, "%s: cannot enable growth: %s", path,
				pmemobj_errormsg());
	return PC_OK;
}
/** @endcond */

#endif /* PCOLL_DETAIL_POOL_GROW_H */
