/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: growable pools. A growable pool is a libpmemobj poolset: the
 * file at the pool's path is a poolset file ("PMEMPOOLSET", OPTION
 * SINGLEHDR, one directory part of the maximum size, named by its
 * absolute path as libpmemobj requires, and a comment line recording the
 * growth step) and the data lives in `path.parts/`, where libpmemobj
 * creates part files (000000.pmem, ...) as the heap grows. pcoll writes
 * the poolset file and the directory before pmemobj_create() (and
 * removes both when the creation fails), records the growth step in its
 * root object at the first open (detail/pool_rootdir.h; 0 means a fixed
 * pool), extends the heap to the initial size asked for, and at every
 * open sets libpmemobj's heap.size.granularity to the recorded step (a
 * runtime control that is not stored in the pool).
 *
 * Part of detail/pool_engine.h, included by <pcoll/pool.h> after its
 * public types. Relies on: pool.h (pc_pool, pc_pool_opts), err.h
 * (pc__fail), libpmemobj's ctl interface.
 */
#ifndef PCOLL_DETAIL_POOL_GROW_H
#define PCOLL_DETAIL_POOL_GROW_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpmemobj.h>

#include "../err.h"
#include "txcore.h"

/** @cond PCOLL_INTERNAL */
/* The comment line of a poolset file that records the growth step. */
#define PC__POOLSET_STEP "# pcoll growth step "

/* Extends the heap of a new growable pool to the initial size asked for. */
static inline pc_err pc__pool_grow_extend(pc_pool *pool, const pc_pool_opts *o)
{
	if (o->size <= PC_POOL_MIN_SIZE)
		return PC_OK;
	size_t extra = o->size - PC_POOL_MIN_SIZE;
	if (pmemobj_ctl_exec(pool->pop, "heap.size.extend", &extra) != 0)
		return pc__fail(PC_E_FULL,
				"%s: cannot grow to the initial size of %zu "
				"bytes: %s",
				pool->path, o->size, pc__pmdk_errormsg());
	return PC_OK;
}

/* The absolute form of path into buf (libpmemobj accepts only absolute
 * part paths); 0 on success. */
static inline int pc__pool_abspath(const char *path, char *buf, size_t n)
{
	if (path[0] == '/') {
		int w = snprintf(buf, n, "%s", path);
		return w < 0 || (size_t)w >= n;
	}
	if (!getcwd(buf, n))
		return 1;
	size_t len = strlen(buf);
	int w = snprintf(buf + len, n - len, "%s%s",
			 len && buf[len - 1] == '/' ? "" : "/", path);
	return w < 0 || (size_t)w >= n - len;
}

/* The absolute path of the parts directory of the growable pool at path
 * ("<path>.parts") in dir (PC_PATH_MAX + 8 bytes); nonzero on failure. */
static inline int pc__pool_parts_dir(const char *path, char *dir)
{
	if (pc__pool_abspath(path, dir, PC_PATH_MAX))
		return 1;
	size_t len = strlen(dir);
	(void)snprintf(dir + len, PC_PATH_MAX + 8 - len, ".parts");
	return 0;
}

/* Writes the poolset file of a growable pool and makes its parts
 * directory; on failure neither is left behind. */
static inline pc_err pc__pool_write_poolset(const char *path,
					    const pc_pool_opts *o)
{
	char dir[PC_PATH_MAX + 8];
	if (pc__pool_parts_dir(path, dir))
		return pc__fail(PC_E_INVAL,
				"%s: the absolute path of the pool is too "
				"long (or the working directory is unknown)",
				path);
	int made = mkdir(dir, 0700) == 0;
	if (!made && errno != EEXIST)
		return pc__fail(PC_E_IO, "%s: cannot make directory: %s", dir,
				strerror(errno));
	FILE *f = fopen(path, "wx");
	if (!f) {
		int err = errno;
		if (made)
			(void)rmdir(dir);
		return pc__fail(err == EEXIST ? PC_E_EXISTS : PC_E_IO,
				"%s: cannot create the poolset file: %s", path,
				strerror(err));
	}
	size_t max = o->max_size ? o->max_size : PC_POOL_DEFAULT_MAX_SIZE;
	int ok = fprintf(f, "PMEMPOOLSET\nOPTION SINGLEHDR\n%s%zu\n%zu %s/\n",
			 PC__POOLSET_STEP, o->grow_step, max, dir) > 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok) {
		(void)remove(path);
		if (made)
			(void)rmdir(dir);
		return pc__fail(PC_E_IO, "%s: cannot write the poolset file",
				path);
	}
	return PC_OK;
}

/* Removes what pc__pool_write_poolset() made, after a failed creation:
 * the poolset file, the parts libpmemobj may have made, the directory. */
static inline void pc__pool_remove_poolset(const char *path)
{
	char dir[PC_PATH_MAX + 8];
	(void)remove(path);
	if (pc__pool_parts_dir(path, dir))
		return;
	char part[PC_PATH_MAX + 32];
	for (unsigned i = 0; i < 1000000; i++) {
		(void)snprintf(part, sizeof(part), "%s/%06u.pmem", dir, i);
		if (remove(part) != 0)
			break;
	}
	(void)rmdir(dir);
}

/* The growth step recorded in the poolset file at path, or 0. */
static inline uint64_t pc__pool_poolset_step(const char *path)
{
	FILE *f = fopen(path, "rbe");
	if (!f)
		return 0;
	char line[256];
	uint64_t step = 0;
	size_t n = strlen(PC__POOLSET_STEP);
	for (int i = 0; i < 8 && fgets(line, sizeof(line), f); i++)
		if (strncmp(line, PC__POOLSET_STEP, n) == 0) {
			step = strtoull(line + n, NULL, 10);
			break;
		}
	(void)fclose(f);
	return step;
}

/* Growth is a runtime control of libpmemobj, not stored in the pool: set
 * again at every open of a growable pool. */
static inline pc_err pc__pool_grow_enable(pc_pool *pool, uint64_t step)
{
	size_t g = (size_t)step;
	if (pmemobj_ctl_set(pool->pop, "heap.size.granularity", &g) != 0)
		return pc__fail(PC_E_IO, "%s: cannot enable growth: %s",
				pool->path, pc__pmdk_errormsg());
	return PC_OK;
}
/** @endcond */

#endif /* PCOLL_DETAIL_POOL_GROW_H */
