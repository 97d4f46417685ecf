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

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

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

/*
 * A new fixed pool is made under a temporary name in its directory,
 * "<name>.pcoll-new.<pid>", and given its name with link() (which never
 * replaces a file) once pmemobj_create() has written its headers: a crash
 * or SIGKILL during pmemobj_create() leaves no header-less file at the
 * path (which every later open or create would refuse), only the
 * temporary file, which the next create at that path removes once its
 * process is gone (/proc/<pid> absent). Paths that exist already (device
 * DAX) are created in place. 0 with *pop set, or errno.
 */
static inline void pc__pool_reap_new(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PC_PATH_MAX], prefix[PC_PATH_MAX];
	if (!slash)
		(void)snprintf(dir, sizeof(dir), ".");
	else
		(void)snprintf(dir, sizeof(dir), "%.*s",
			       (int)(slash == path ? 1 : slash - path), path);
	int plen = snprintf(prefix, sizeof(prefix), "%s.pcoll-new.",
			    slash ? slash + 1 : path);
	if (plen <= 0 || plen >= (int)sizeof(prefix))
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, (size_t)plen) != 0)
			continue;
		char *end;
		long pid = strtol(de->d_name + plen, &end, 10);
		char proc[64], victim[2 * PC_PATH_MAX + 2];
		struct stat st;
		(void)snprintf(proc, sizeof(proc), "/proc/%ld", pid);
		if (pid <= 0 || *end || stat(proc, &st) == 0 ||
		    stat("/proc/self", &st) != 0)
			continue; /* alive, or no /proc to tell */
		(void)snprintf(victim, sizeof(victim), "%s/%s", dir,
			       de->d_name);
		(void)unlink(victim);
	}
	(void)closedir(d);
}

static inline int pc__pool_create_new(const char *path, size_t size,
				      mode_t mode, PMEMobjpool **pop)
{
	struct stat st;
	char tmp[PC_PATH_MAX + 32];
	if (stat(path, &st) == 0 || errno != ENOENT) {
		*pop = pc__pmemobj_create(path, PC_LAYOUT, size, mode);
		return *pop ? 0 : errno;
	}
	pc__pool_reap_new(path);
	(void)snprintf(tmp, sizeof(tmp), "%s.pcoll-new.%ld", path,
		       (long)getpid());
	*pop = pc__pmemobj_create(tmp, PC_LAYOUT, size, mode);
	if (!*pop)
		return errno;
	int ok = link(tmp, path) == 0;
	if (!ok && errno != EEXIST && stat(path, &st) != 0)
		ok = rename(tmp, path) == 0; /* no hard links there */
	if (!ok) {
		int err = errno;
		pmemobj_close(*pop);
		*pop = NULL;
		(void)unlink(tmp);
		return err;
	}
	(void)unlink(tmp);
	return 0;
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

	int err = 0;
	if (creating && !growable) {
		mode_t fmode = opts->file_mode ? (mode_t)opts->file_mode : 0600;
		err = pc__pool_create_new(path, size, fmode, &pool->pop);
	} else if (creating) {
		mode_t fmode = opts->file_mode ? (mode_t)opts->file_mode : 0600;
		pool->pop = pc__pmemobj_create(path, PC_LAYOUT, 0, fmode);
	} else {
		pool->pop = pmemobj_open(path, PC_LAYOUT);
	}
	if (!pool->pop) {
		if (!err)
			err = errno;
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
#ifndef PCOLL_TEST_BUG_OPEN_NO_CLOSE /* the open-path fuzzer must see it */
		pmemobj_close(pool->pop);
#endif
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
