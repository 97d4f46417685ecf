/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file compat/pmemlog.h
 * @brief libpmemlog's C API on PLOG, for programs written against the
 * library that PMDK 2.0 removed.
 *
 * Build an unchanged libpmemlog program with
 * `-I<prefix>/include/pcoll/compat` (so `#include <libpmemlog.h>` finds
 * this header through the forwarding `libpmemlog.h`) and link libpmemobj
 * and libpmem instead of libpmemlog. A pool made here is a pcoll pool (a
 * libpmemobj pool holding one PLOG root named #PCOLL_PMEMLOG_ROOT); the
 * real libpmemlog cannot read it, nor pcoll a libpmemlog pool.
 *
 * Semantics follow libpmemlog: the functions return -1 (or NULL) and set
 * errno on failure, pmemlog_errormsg() gives the message; an append that
 * does not fit fails with ENOSPC and changes nothing; pmemlog_appendv()
 * is all-or-nothing; pmemlog_walk() with chunk size 0 calls back once
 * with all the data (once with length 0 for an empty log), with a chunk
 * size in pieces of that size, stopping when the callback returns 0.
 * Every append is durable on return (one fence, where libpmemlog uses
 * two). Any number of threads may use one PMEMlogpool.
 *
 * Differences: a pool is at least #PC_POOL_MIN_SIZE bytes (libpmemobj's
 * minimum; smaller requests of at least #PMEMLOG_MIN_POOL, 2 MiB as in
 * libpmemlog, are rounded up; the log's first chunk takes the pool's
 * largest free block); a failed pmemlog_create() leaves no file behind;
 * pmemlog_create() with poolsize 0 (an existing file or device) is not
 * supported (EINVAL); pmemlog_nbyte() is the log's capacity plus the free
 * space of the pool, and each record costs #PLOG_REC_OVERHEAD bytes more
 * than its data; pmemlog_set_funcs() is accepted and ignored; the ctl
 * functions fail with EINVAL. A walk callback may append (libpmemlog
 * would deadlock) but not rewind.
 *
 * None of these functions may be called inside a pcoll transaction of the
 * same thread (a libpmemlog program has none).
 */
#ifndef PCOLL_COMPAT_PMEMLOG_H
#define PCOLL_COMPAT_PMEMLOG_H

#ifdef LIBPMEMLOG_H
#error "pcoll/compat/pmemlog.h replaces PMDK's <libpmemlog.h>; include only one of them"
#endif
/** @brief Defined as PMDK's <libpmemlog.h> defines it, so that the real
 * header, if something includes it later, stays out. */
#define LIBPMEMLOG_H 1

#include "../detail/lang.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "../log.h"
#include "../pcoll.h"

/** @brief libpmemlog API version this header provides (major). */
#define PMEMLOG_MAJOR_VERSION 1
/** @brief libpmemlog API version this header provides (minor). */
#define PMEMLOG_MINOR_VERSION 1

/** @brief Smallest pool pmemlog_create() accepts (2 MiB, as libpmemlog). */
#define PMEMLOG_MIN_POOL ((size_t)(1024 * 1024 * 2))
/** @brief Smallest poolset part (kept for source compatibility). */
#define PMEMLOG_MIN_PART ((size_t)(1024 * 1024 * 2))

/** @brief Name of the PLOG root a compat pool holds. */
#define PCOLL_PMEMLOG_ROOT "pmemlog"

/** @brief Smallest first chunk a compat log is given when the pool has
 * room (bytes); a new log takes the pool's largest free block, and grows
 * as needed. */
#define PCOLL_PMEMLOG_CHUNK ((size_t)(1024 * 1024))

/** @brief An open log pool (opaque, as in libpmemlog). */
typedef struct pmemlog PMEMlogpool;

/** @cond PCOLL_INTERNAL */
struct pmemlog {
	pc_pool *pool;
	plog log;
};

static inline int pc__pmemlog_errno(pc_err e)
{
	return pc__errno_of(e, ENOSPC);
}

static inline int pc__pmemlog_ret(pc_err e)
{
	if (e == PC_OK)
		return 0;
	errno = pc__pmemlog_errno(e);
	return -1;
}

static inline PMEMlogpool *pc__pmemlog_bind(pc_pool *pool, pc_open_mode mode)
{
	PMEMlogpool *plp = (PMEMlogpool *)calloc(1, sizeof(*plp));
	pc_err e = PC_E_NOMEM;
	/* A new log's first chunk takes the pool's largest free block, less
	 * room for the log's header and the root directory: the log fills
	 * its pool, as libpmemlog's does, and a small pool (libpmemlog's
	 * 2 MiB minimum makes an 8 MiB libpmemobj pool) is not cut into
	 * small chunks. Should that not fit, a quarter, and so on. */
	size_t first = PCOLL_PMEMLOG_CHUNK;
	if (mode == PC_CREATE) {
		uint64_t lf = pc__pool_largest_free(pool);
		if (lf > 2 * PCOLL_PMEMLOG_CHUNK)
			first = (size_t)(lf - PCOLL_PMEMLOG_CHUNK / 2);
		if (first > PLOG_MAX_CAPACITY)
			first = (size_t)PLOG_MAX_CAPACITY;
	}
	if (plp)
		do {
			e = plog_root(pool, PCOLL_PMEMLOG_ROOT, mode, first,
				      &plp->log);
			first /= 4;
		} while (e == PC_E_FULL && mode == PC_CREATE &&
			 first >= PLOG_MIN_CAPACITY);
	else
		(void)pc__fail(e, "pmemlog: out of memory");
	if (e != PC_OK) {
		int err = pc__pmemlog_errno(e);
		(void)pc_pool_close(pool);
		free(plp);
		errno = err;
		return NULL;
	}
	plp->pool = pool;
	return plp;
}

struct pc__pmemlog_walk {
	int (*fn)(const void *buf, size_t len, void *arg);
	void *arg;
	int stopped;
};

/* libpmemlog's rule (process_chunk returns 0 to stop) on plog_walk()'s
 * (nonzero stops). */
static inline int pc__pmemlog_walk_cb(const void *buf, size_t len, void *arg)
{
	struct pc__pmemlog_walk *w = (struct pc__pmemlog_walk *)arg;
	if (w->fn(buf, len, w->arg) != 0)
		return 0;
	w->stopped = 1;
	return 1;
}
/** @endcond */

/**
 * @brief Check that this header provides at least version
 * @p major_required.@p minor_required of the libpmemlog API.
 * @return NULL when it does, else a static message.
 */
static inline const char *pmemlog_check_version(unsigned major_required,
						unsigned minor_required)
{
	if (major_required != PMEMLOG_MAJOR_VERSION)
		return "libpmemlog major version mismatch (pcoll compat "
		       "provides 1)";
	if (minor_required > PMEMLOG_MINOR_VERSION)
		return "libpmemlog minor version mismatch (pcoll compat "
		       "provides 1.1)";
	return NULL;
}

/**
 * @brief Create a log pool of @p poolsize bytes at @p path (which must not
 * exist) with permissions @p mode.
 * @return the pool, or NULL with errno: EINVAL (size below
 * #PMEMLOG_MIN_POOL, or 0), EEXIST, ENOSPC, EIO.
 */
static inline PMEMlogpool *pmemlog_create(const char *path, size_t poolsize,
					  mode_t mode)
{
	if (!path || poolsize < PMEMLOG_MIN_POOL) {
		(void)pc__fail(PC_E_INVAL,
			       "pmemlog_create: pool size %zu is below %zu "
			       "(size 0 is not supported)",
			       poolsize, PMEMLOG_MIN_POOL);
		errno = EINVAL;
		return NULL;
	}
	if (poolsize < PC_POOL_MIN_SIZE)
		poolsize = PC_POOL_MIN_SIZE;
	pc_pool *pool = NULL;
	pc_err e = pc_pool_create(path, poolsize, &pool);
	if (e != PC_OK) {
		errno = pc__pmemlog_errno(e);
		return NULL;
	}
	(void)chmod(path, mode);
	PMEMlogpool *plp = pc__pmemlog_bind(pool, PC_CREATE);
	if (!plp) { /* the pool was made by this call: remove it */
		int err = errno;
		(void)remove(path);
		errno = err;
	}
	return plp;
}

/**
 * @brief Open the log pool at @p path.
 * @return the pool, or NULL with errno: ENOENT, EINVAL (not a compat log
 * pool), EAGAIN (open already), EIO.
 */
static inline PMEMlogpool *pmemlog_open(const char *path)
{
	pc_pool *pool = NULL;
	pc_err e = path ? pc_pool_open(path, &pool)
			: pc__fail(PC_E_INVAL, "pmemlog_open: NULL path");
	if (e != PC_OK) {
		errno = pc__pmemlog_errno(e);
		return NULL;
	}
	return pc__pmemlog_bind(pool, PC_OPEN);
}

/** @brief Close @p plp (NULL is ignored). */
static inline void pmemlog_close(PMEMlogpool *plp)
{
	if (!plp)
		return;
	(void)pc_pool_close(plp->pool);
	free(plp);
}

/**
 * @brief Bytes the log can hold: its capacity plus the pool's free space
 * (records also take #PLOG_REC_OVERHEAD bytes each).
 */
static inline size_t pmemlog_nbyte(PMEMlogpool *plp)
{
	if (!plp) {
		(void)pc__fail(PC_E_INVAL, "pmemlog_nbyte: NULL pool");
		errno = EINVAL;
		return 0;
	}
	pc_pool_stats st;
	uint64_t n = plog_nbyte(&plp->log);
	if (pc_pool_stats_get(plp->pool, &st) == PC_OK)
		n += st.free;
	return (size_t)n;
}

/**
 * @brief Append @p count bytes from @p buf; durable on return.
 * @return 0, or -1 with errno ENOSPC (no room; nothing changed) or EINVAL.
 */
static inline int pmemlog_append(PMEMlogpool *plp, const void *buf,
				 size_t count)
{
	if (!plp) {
		(void)pc__fail(PC_E_INVAL, "pmemlog_append: NULL pool");
		errno = EINVAL;
		return -1;
	}
	return pc__pmemlog_ret(plog_append(&plp->log, buf, count));
}

/**
 * @brief Append the @p iovcnt buffers of @p iov, all or nothing; one fence.
 * @return 0, or -1 with errno ENOSPC, EINVAL (negative count), ENOMEM.
 */
static inline int pmemlog_appendv(PMEMlogpool *plp, const struct iovec *iov,
				  int iovcnt)
{
	if (!plp || iovcnt < 0 || (iovcnt > 0 && !iov)) {
		(void)pc__fail(PC_E_INVAL, "pmemlog_appendv: bad argument");
		errno = EINVAL;
		return -1;
	}
	if (iovcnt == 0)
		return 0;
	plog_iovec small[16];
	plog_iovec *v = small;
	if (iovcnt > 16) {
		v = (plog_iovec *)malloc((size_t)iovcnt * sizeof(*v));
		if (!v) {
			(void)pc__fail(PC_E_NOMEM,
				       "pmemlog_appendv: out of memory");
			errno = ENOMEM;
			return -1;
		}
	}
	for (int i = 0; i < iovcnt; i++) {
		v[i].base = iov[i].iov_base;
		v[i].len = iov[i].iov_len;
	}
	pc_err e = plog_appendv(&plp->log, v, (size_t)iovcnt);
	if (v != small)
		free(v);
	return pc__pmemlog_ret(e);
}

/** @brief Bytes of data in the log (sum of appended lengths); -1 with
 * errno EINVAL for a NULL pool. */
static inline long long pmemlog_tell(PMEMlogpool *plp)
{
	if (!plp) {
		(void)pc__fail(PC_E_INVAL, "pmemlog_tell: NULL pool");
		errno = EINVAL;
		return -1;
	}
	return (long long)plog_tell(&plp->log);
}

/** @brief Empty the log, atomically (errno EINVAL for a NULL pool). */
static inline void pmemlog_rewind(PMEMlogpool *plp)
{
	pc_err e = plp ? plog_rewind(&plp->log)
		       : pc__fail(PC_E_INVAL, "pmemlog_rewind: NULL pool");
	if (e != PC_OK)
		errno = pc__pmemlog_errno(e);
}

/**
 * @brief Walk the log's data: with @p chunksize 0 one call with all of it,
 * otherwise calls with @p chunksize bytes (the last may be shorter).
 * @p process_chunk returns 0 to stop.
 */
static inline void pmemlog_walk(PMEMlogpool *plp, size_t chunksize,
				int (*process_chunk)(const void *buf,
						     size_t len, void *arg),
				void *arg)
{
	if (!plp || !process_chunk) {
		(void)pc__fail(PC_E_INVAL, "pmemlog_walk: NULL argument");
		errno = EINVAL;
		return;
	}
	struct pc__pmemlog_walk w = {process_chunk, arg, 0};
	if (chunksize == 0) {
		/* One call with everything: a chunk as large as the log. */
		uint64_t all = plog_tell(&plp->log);
		if (all == 0) {
			static const char empty[1] = {0};
			(void)process_chunk(empty, 0, arg);
			return;
		}
		chunksize = (size_t)all;
	}
	int r = plog_walk(&plp->log, chunksize, pc__pmemlog_walk_cb, &w);
	if (r != 0 && !w.stopped)
		errno = pc__pmemlog_errno((pc_err)r);
}

/**
 * @brief Check the log pool at @p path (which must not be open).
 * @return 1 consistent, 0 not, -1 with errno when it cannot be checked.
 */
static inline int pmemlog_check(const char *path)
{
	pc_pool *pool = NULL;
	pc_err e = path ? pc_pool_open(path, &pool)
			: pc__fail(PC_E_INVAL, "pmemlog_check: NULL path");
	if (e == PC_E_CORRUPT)
		return 0;
	if (e != PC_OK) {
		errno = pc__pmemlog_errno(e);
		return -1;
	}
	plog log;
	e = plog_root(pool, PCOLL_PMEMLOG_ROOT, PC_OPEN, 0, &log);
	if (e == PC_OK)
		e = plog_check(&log);
	(void)pc_pool_close(pool);
	if (e == PC_OK)
		return 1;
	if (e == PC_E_CORRUPT)
		return 0;
	errno = pc__pmemlog_errno(e);
	return -1;
}

/** @brief The message of the last failure on this thread. */
static inline const char *pmemlog_errormsg(void)
{
	return pc_errmsg();
}

/** @brief Accepted for source compatibility; pcoll ignores it. */
static inline void pmemlog_set_funcs(void *(*malloc_func)(size_t size),
				     void (*free_func)(void *ptr),
				     void *(*realloc_func)(void *ptr,
							   size_t size),
				     char *(*strdup_func)(const char *s))
{
	(void)malloc_func;
	(void)free_func;
	(void)realloc_func;
	(void)strdup_func;
}

/** @brief Not supported: fails with EINVAL. */
static inline int pmemlog_ctl_get(PMEMlogpool *plp, const char *name, void *arg)
{
	(void)plp;
	(void)name;
	(void)arg;
	errno = EINVAL;
	return -1;
}

/** @brief Not supported: fails with EINVAL. */
static inline int pmemlog_ctl_set(PMEMlogpool *plp, const char *name, void *arg)
{
	(void)plp;
	(void)name;
	(void)arg;
	errno = EINVAL;
	return -1;
}

/** @brief Not supported: fails with EINVAL. */
static inline int pmemlog_ctl_exec(PMEMlogpool *plp, const char *name,
				   void *arg)
{
	(void)plp;
	(void)name;
	(void)arg;
	errno = EINVAL;
	return -1;
}

#endif /* PCOLL_COMPAT_PMEMLOG_H */
