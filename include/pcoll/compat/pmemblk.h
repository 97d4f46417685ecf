/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file compat/pmemblk.h
 * @brief libpmemblk's C API on PBLKARR, for programs written against the
 * library that PMDK 2.0 removed.
 *
 * Build an unchanged libpmemblk program with
 * `-I<prefix>/include/pcoll/compat` (so `#include <libpmemblk.h>` finds
 * this header through the forwarding `libpmemblk.h`) and link libpmemobj
 * and libpmem instead of libpmemblk. A pool made here is a pcoll pool (a
 * libpmemobj pool with one PBLKARR root named #PCOLL_PMEMBLK_ROOT); it is
 * not readable by the real libpmemblk, nor the reverse.
 *
 * Semantics follow libpmemblk: functions return -1 (or NULL) and set
 * errno on failure, pmemblk_errormsg() gives the message. errno values:
 * EINVAL for a bad argument, a block number out of range, a pool that is
 * not of this kind or a block size mismatch; EIO when reading a block
 * marked with pmemblk_set_error(); EEXIST, ENOENT, EAGAIN (pool in use),
 * ENOMEM (pool full) as the underlying calls report them.
 *
 * Differences: pmemblk_create() with poolsize 0 (use an existing file or
 * device) is not supported (EINVAL); pmemblk_set_funcs() is accepted and
 * ignored; the ctl functions fail with EINVAL. The number of blocks of a
 * pool of a given size differs (see docs/blkarr.md).
 *
 * None of these functions may be called inside a transaction of the same
 * thread (a libpmemblk program has none).
 */
#ifndef PCOLL_COMPAT_PMEMBLK_H
#define PCOLL_COMPAT_PMEMBLK_H

#include "../detail/lang.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "../blkarr.h"
#include "../pcoll.h"

/** @brief libpmemblk API version this header provides (major). */
#define PMEMBLK_MAJOR_VERSION 1
/** @brief libpmemblk API version this header provides (minor). */
#define PMEMBLK_MINOR_VERSION 1

/** @brief Smallest pool pmemblk_create() accepts (as libpmemblk on x86-64). */
#define PMEMBLK_MIN_POOL ((size_t)((1u << 20) * 16 + (1u << 10) * 8))
/** @brief Smallest poolset part (kept for source compatibility). */
#define PMEMBLK_MIN_PART ((size_t)(1024 * 1024 * 2))
/** @brief Smallest block size libpmemblk rounds up to (informational). */
#define PMEMBLK_MIN_BLK ((size_t)512)

/** @brief Name of the PBLKARR root a compat pool holds. */
#define PCOLL_PMEMBLK_ROOT "pmemblk"

/** @brief An open block pool (opaque, as in libpmemblk). */
typedef struct pmemblk PMEMblkpool;

/** @cond PCOLL_INTERNAL */
struct pmemblk {
	pc_pool *pool;
	pblkarr a;
};

static inline int pc__pmemblk_errno(pc_err e)
{
	return pc__errno_of(e, ENOMEM);
}

/* Sets errno from e; returns -1 (or 0 when e is PC_OK). */
static inline int pc__pmemblk_ret(pc_err e)
{
	if (e == PC_OK)
		return 0;
	errno = pc__pmemblk_errno(e);
	return -1;
}

static inline pc_err pc__pmemblk_blockno(const PMEMblkpool *pbp,
					 long long blockno, const char *fn)
{
	if (!pbp)
		return pc__fail(PC_E_INVAL, "%s: NULL pool", fn);
	if (blockno < 0)
		return pc__fail(PC_E_RANGE, "%s: negative block number %lld",
				fn, blockno);
	return PC_OK;
}

static inline PMEMblkpool *pc__pmemblk_bind(pc_pool *pool, size_t bsize,
					    pc_open_mode mode)
{
	PMEMblkpool *pbp = (PMEMblkpool *)calloc(1, sizeof(*pbp));
	pc_err e = PC_E_NOMEM;
	if (pbp)
		e = pblkarr_root(pool, PCOLL_PMEMBLK_ROOT, mode, bsize, 0,
				 &pbp->a);
	else
		(void)pc__fail(e, "pmemblk: out of memory");
	if (e != PC_OK) {
		int err = pc__pmemblk_errno(e);
		(void)pc_pool_close(pool);
		free(pbp);
		errno = err;
		return NULL;
	}
	pbp->pool = pool;
	return pbp;
}
/** @endcond */

/**
 * @brief Create a block pool file of @p poolsize bytes holding as many
 * blocks of @p bsize bytes as fit.
 * @return the pool, or NULL with errno set (EEXIST, EINVAL for poolsize
 * below #PMEMBLK_MIN_POOL, bsize 0 or poolsize 0, ENOMEM).
 */
static inline PMEMblkpool *pmemblk_create(const char *path, size_t bsize,
					  size_t poolsize, mode_t mode)
{
	if (!path || bsize == 0 || poolsize < PMEMBLK_MIN_POOL) {
		(void)pc__fail(PC_E_INVAL,
			       "pmemblk_create: %s: block size %zu, pool size "
			       "%zu (the minimum is %zu; 0 is not supported)",
			       path ? path : "(null)", bsize, poolsize,
			       PMEMBLK_MIN_POOL);
		errno = EINVAL;
		return NULL;
	}
	pc_pool *pool = NULL;
	pc_err e = pc_pool_create(path, poolsize, &pool);
	if (e != PC_OK) {
		errno = pc__pmemblk_errno(e);
		return NULL;
	}
	(void)chmod(path, mode);
	PMEMblkpool *pbp = pc__pmemblk_bind(pool, bsize, PC_CREATE);
	if (!pbp) {
		int err = errno;
		(void)remove(path);
		errno = err;
	}
	return pbp;
}

/**
 * @brief Open the block pool at @p path; a nonzero @p bsize must match the
 * pool's block size.
 * @return the pool, or NULL with errno set (ENOENT, EINVAL for another
 * kind of pool or a block size mismatch, EAGAIN when in use).
 */
static inline PMEMblkpool *pmemblk_open(const char *path, size_t bsize)
{
	pc_pool *pool = NULL;
	pc_err e = pc_pool_open(path, &pool);
	if (e != PC_OK) {
		errno = pc__pmemblk_errno(e);
		return NULL;
	}
	return pc__pmemblk_bind(pool, bsize, PC_OPEN);
}

/** @brief Close @p pbp (everything written is durable already). */
static inline void pmemblk_close(PMEMblkpool *pbp)
{
	if (!pbp)
		return;
	(void)pc_pool_close(pbp->pool);
	free(pbp);
}

/** @brief Block size of @p pbp in bytes (0 with errno EINVAL for NULL). */
static inline size_t pmemblk_bsize(PMEMblkpool *pbp)
{
	if (!pbp) {
		(void)pc__fail(PC_E_INVAL, "pmemblk_bsize: NULL pool");
		errno = EINVAL;
		return 0;
	}
	return pblkarr_bsize(&pbp->a);
}

/** @brief Number of blocks of @p pbp (0 with errno EINVAL for NULL). */
static inline size_t pmemblk_nblock(PMEMblkpool *pbp)
{
	if (!pbp) {
		(void)pc__fail(PC_E_INVAL, "pmemblk_nblock: NULL pool");
		errno = EINVAL;
		return 0;
	}
	return (size_t)pblkarr_nblock(&pbp->a);
}

/**
 * @brief Read block @p blockno into @p buf.
 * @return 0, or -1 with errno EINVAL (out of range) or EIO (block marked
 * with pmemblk_set_error()).
 */
static inline int pmemblk_read(PMEMblkpool *pbp, void *buf, long long blockno)
{
	pc_err e = pc__pmemblk_blockno(pbp, blockno, "pmemblk_read");
	if (e == PC_OK)
		e = pblkarr_read(&pbp->a, (uint64_t)blockno, buf);
	return pc__pmemblk_ret(e);
}

/**
 * @brief Write @p buf to block @p blockno, atomically.
 * @return 0, or -1 with errno EINVAL (out of range, NULL buffer).
 */
static inline int pmemblk_write(PMEMblkpool *pbp, const void *buf,
				long long blockno)
{
	pc_err e = pc__pmemblk_blockno(pbp, blockno, "pmemblk_write");
	if (e == PC_OK)
		e = pblkarr_write(&pbp->a, (uint64_t)blockno, buf);
	return pc__pmemblk_ret(e);
}

/** @brief Make block @p blockno read as zeros. @return 0 or -1 (errno). */
static inline int pmemblk_set_zero(PMEMblkpool *pbp, long long blockno)
{
	pc_err e = pc__pmemblk_blockno(pbp, blockno, "pmemblk_set_zero");
	if (e == PC_OK)
		e = pblkarr_set_zero(&pbp->a, (uint64_t)blockno);
	return pc__pmemblk_ret(e);
}

/**
 * @brief Mark block @p blockno bad: reads fail with EIO until it is
 * written again. @return 0 or -1 (errno).
 */
static inline int pmemblk_set_error(PMEMblkpool *pbp, long long blockno)
{
	pc_err e = pc__pmemblk_blockno(pbp, blockno, "pmemblk_set_error");
	if (e == PC_OK)
		e = pblkarr_set_error(&pbp->a, (uint64_t)blockno);
	return pc__pmemblk_ret(e);
}

/**
 * @brief Check the pool at @p path (not open elsewhere).
 * @return 1 when consistent, 0 when not, -1 with errno when it cannot be
 * checked (missing, another kind of pool, block size mismatch, in use).
 */
static inline int pmemblk_check(const char *path, size_t bsize)
{
	pc_pool *pool = NULL;
	pc_err e = pc_pool_open(path, &pool);
	if (e != PC_OK) {
		if (e == PC_E_CORRUPT)
			return 0;
		errno = pc__pmemblk_errno(e);
		return -1;
	}
	pblkarr a;
	e = pblkarr_root(pool, PCOLL_PMEMBLK_ROOT, PC_OPEN, bsize, 0, &a);
	int r;
	if (e == PC_OK) {
		r = pblkarr_check(&a) == PC_OK ? 1 : 0;
	} else if (e == PC_E_CORRUPT) {
		r = 0;
	} else {
		r = -1;
	}
	int err = pc__pmemblk_errno(e);
	(void)pc_pool_close(pool);
	if (r < 0)
		errno = err;
	return r;
}

/** @brief Message of the last failure on this thread. */
static inline const char *pmemblk_errormsg(void)
{
	return pc_errmsg();
}

/**
 * @brief NULL when this header provides API version @p major_required
 * and at least @p minor_required, else a message.
 */
static inline const char *pmemblk_check_version(unsigned major_required,
						unsigned minor_required)
{
	if (major_required != PMEMBLK_MAJOR_VERSION ||
	    minor_required > PMEMBLK_MINOR_VERSION)
		return "pcoll's libpmemblk compat layer provides API 1.1";
	return NULL;
}

/** @brief Accepted for source compatibility; pcoll ignores the functions. */
static inline void pmemblk_set_funcs(void *(*malloc_func)(size_t size),
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

/** @brief Not supported: -1 with errno EINVAL. */
static inline int pmemblk_ctl_get(PMEMblkpool *pbp, const char *name, void *arg)
{
	(void)pbp;
	(void)arg;
	(void)pc__fail(PC_E_INVAL, "pmemblk_ctl_get: %s: not supported",
		       name ? name : "(null)");
	errno = EINVAL;
	return -1;
}

/** @brief Not supported: -1 with errno EINVAL. */
static inline int pmemblk_ctl_set(PMEMblkpool *pbp, const char *name, void *arg)
{
	return pmemblk_ctl_get(pbp, name, arg);
}

/** @brief Not supported: -1 with errno EINVAL. */
static inline int pmemblk_ctl_exec(PMEMblkpool *pbp, const char *name,
				   void *arg)
{
	return pmemblk_ctl_get(pbp, name, arg);
}

#endif /* PCOLL_COMPAT_PMEMBLK_H */
