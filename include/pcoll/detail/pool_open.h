/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the open and create sequence behind pc_pool_open_opts(), once
 * its arguments are checked and it knows whether it creates:
 *   1. classify the file (detail/pool_classify.h); a growable pool gets
 *      its poolset file and parts directory (detail/pool_grow.h);
 *   2. pmemobj_create() or pmemobj_open() with layout PC_LAYOUT; a refusal
 *      becomes the pcoll error that says why (pc__pool_open_failed), and
 *      a poolset file written in step 1 is removed again;
 *   3. what is mapped: base, size (the file's size; 0 for a poolset),
 *      flush or msync (detail/pool_pmem.h), the flush instruction chosen
 *      once (persist.h);
 *   4. pcoll's root object and directory initialized (with the growth
 *      step of a growable pool) or checked (detail/pool_rootdir.h);
 *      every growable pool gets its growth control, a new one its
 *      initial size;
 *   5. with pc_pool_opts.prefault, the mapping is prefaulted
 *      (detail/pool_prefault.h).
 * On any failure after step 2 the pool is closed and the handle freed,
 * and a pool this call created is removed (with a growable pool's parts
 * directory): a failed create leaves no file behind.
 *
 * Part of detail/pool_engine.h, included by <pcoll/pool.h> after its
 * public types. Relies on the parts before it in detail/pool_engine.h,
 * persist.h (pc_flush_kind_get), err.h (pc__fail), libpmemobj.
 */
#ifndef PCOLL_DETAIL_POOL_OPEN_H
#define PCOLL_DETAIL_POOL_OPEN_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <libpmemobj.h>

#include "../err.h"
#include "../persist.h"

/** @cond PCOLL_INTERNAL */
/*
 * pmemobj_create() with what the PMDK release needs on every file pcoll
 * creates pools on, emulated persistent memory (tmpfs with
 * PMEM_IS_PMEM_FORCE=1) included: PMDK 2.x checks the unsafe-shutdown
 * state at create by default and refuses files that have none, so the
 * check is turned off (sds.at_create = 0, a process-wide setting); PMDK
 * 1.12 and 1.13 do not check at create and refuse the unknown control,
 * which is harmless. pcoll's own pools and every libpmemobj pool the
 * tests and pcoll-bench create go through here.
 */
static inline PMEMobjpool *pc__pmemobj_create(const char *path,
					      const char *layout, size_t size,
					      mode_t mode)
{
	int zero = 0;
	(void)pmemobj_ctl_set(NULL, "sds.at_create", &zero);
	return pmemobj_create(path, layout, size, mode);
}

/* Opens (creating: creates) the pool at path; *out receives the handle. */
static inline pc_err pc__pool_open_file(const char *path, int creating,
					int growable, const pc_pool_opts *opts,
					pc_pool **out)
{
	size_t size = opts ? opts->size : 0;
	PC_TRY(pc__pool_classify_file(path, creating));
	if (growable)
		PC_TRY(pc__pool_write_poolset(path, opts));

	pc_pool *pool = (pc_pool *)calloc(1, sizeof(*pool));
	if (!pool)
		return pc__fail(PC_E_NOMEM, "%s: out of memory", path);
	(void)snprintf(pool->path, sizeof(pool->path), "%s", path);

	if (creating) {
		mode_t fmode = opts->file_mode ? (mode_t)opts->file_mode : 0600;
		pool->pop = pc__pmemobj_create(path, PC_LAYOUT,
					       growable ? 0 : size, fmode);
	} else {
		pool->pop = pmemobj_open(path, PC_LAYOUT);
	}
	if (!pool->pop) {
		int err = errno;
		char msg[PC_ERRMSG_MAX];
		(void)snprintf(msg, sizeof(msg), "%s", pc__pmdk_errormsg());
		free(pool);
		if (growable)
			pc__pool_remove_poolset(path);
		return pc__pool_open_failed(path, creating, err, msg);
	}
	pool->base = (char *)pool->pop;
	struct stat st;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		char head[12] = {0};
		FILE *f = fopen(path, "rbe");
		size_t got = f ? fread(head, 1, sizeof(head), f) : 0;
		if (f)
			(void)fclose(f);
		if (got < 11 || memcmp(head, "PMEMPOOLSET", 11) != 0)
			pool->size = (uint64_t)st.st_size;
	}
	pool->is_pmem = pc__detect_pmem(path, pool->base, 4096);
	(void)pc_flush_kind_get();
	pc_err e =
		pc__pool_attach(pool, creating, growable ? opts->grow_step : 0);
	if (e == PC_OK && pool->root->grow_step)
		e = pc__pool_grow_enable(pool, pool->root->grow_step);
	if (e == PC_OK && growable)
		e = pc__pool_grow_extend(pool, opts);
	if (e == PC_OK && opts && opts->prefault)
		e = pc__pool_prefault(pool);
	if (e != PC_OK) {
		pmemobj_close(pool->pop);
		free(pool);
		if (creating && growable)
			pc__pool_remove_poolset(path);
		else if (creating)
			(void)remove(path);
		return e;
	}
	*out = pool;
	return PC_OK;
}
/** @endcond */

#endif /* PCOLL_DETAIL_POOL_OPEN_H */
