/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file pool.h
 * @brief Pools: create, open, close; type signatures; stats; pool-level
 * persist helpers (the named roots' functions: root.h, included here).
 *
 * A pool is one libpmemobj pool file with the layout name #PC_LAYOUT. It
 * holds a directory of named roots: each name maps to one pcoll object
 * (a container or a user struct) together with that object's type
 * signature, so one pool holds many containers and opening one as the
 * wrong type is an error (::PC_E_TYPE), not undefined behaviour.
 *
 * Pool handles are not thread-safe for create/close; the containers
 * document their own thread rules.
 *
 * This header is the public part; the named roots' functions are in
 * root.h, which it includes. The internals they call live in
 * detail/pool_*.h (file classification, pmem detection, root directory,
 * growable pools, the open sequence, stats and check), listed in
 * docs/guide.md under "Source files".
 */
#ifndef PCOLL_POOL_H
#define PCOLL_POOL_H

#include "detail/lang.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpmem.h>
#include <libpmemobj.h>

#include "detail/sync.h"
#include "detail/txcore.h"
#include "err.h"
#include "persist.h"

/** @brief libpmemobj layout name of every pcoll pool. */
#define PC_LAYOUT "pcoll"

/** @brief Smallest pool size libpmemobj accepts (8 MiB). */
#define PC_POOL_MIN_SIZE PMEMOBJ_MIN_POOL

/** @brief Longest root name, in bytes, without the terminating NUL. */
#define PC_NAME_MAX 63

/** @brief Longest type name in a ::pc_typesig, without the NUL. */
#define PC_TYPENAME_MAX 63

/** @brief Longest pool path pcoll keeps, including the NUL. */
#define PC_PATH_MAX 4096

/** @brief Version of the pool's own layout (root and directory). */
#define PC_POOL_LAYOUT_VERSION 1

/** @brief The kind of object a ::pc_typesig describes. */
typedef enum pc_kind {
	PC_KIND_OBJ = 1,    /**< A user struct behind a typed pointer. */
	PC_KIND_VEC = 2,    /**< PVEC(T). */
	PC_KIND_MAP = 3,    /**< PMAP(K,V). */
	PC_KIND_LOG = 4,    /**< PLOG. */
	PC_KIND_BLKARR = 5, /**< PBLKARR. */
	PC_KIND_BYTES = 6   /**< A persistent byte string. */
} pc_kind;

/**
 * @brief Persistent type signature: what an object holds.
 *
 * Stored in the root directory and in every container header. Two
 * signatures match when every field is equal.
 */
typedef struct pc_typesig {
	char name[PC_TYPENAME_MAX + 1]; /**< e.g. "pvec<uint64_t>". */
	uint32_t kind;                  /**< A ::pc_kind value. */
	uint32_t version;               /**< Layout version of that kind. */
	uint32_t size;                  /**< sizeof the element (or key). */
	uint32_t align;                 /**< _Alignof the element (or key). */
	uint32_t size2;                 /**< sizeof the value (maps), else 0. */
	uint32_t align2; /**< _Alignof the value (maps), else 0. */
} pc_typesig;

/** @brief How pc_pool_open_mode() treats a missing or existing file. */
typedef enum pc_open_mode {
	PC_OPEN = 1,   /**< Open; fail with ::PC_E_NOTFOUND if missing. */
	PC_CREATE = 2, /**< Create; fail with ::PC_E_EXISTS if present. */
	PC_OPEN_OR_CREATE = 3 /**< Open if present, else create. */
} pc_open_mode;

/** @brief Space accounting of a pool (see pc_pool_stats()). */
typedef struct pc_pool_stats {
	uint64_t size;   /**< Bytes of the pool file(s). */
	uint64_t used;   /**< Bytes held by live allocations. */
	uint64_t free;   /**< size - used - fixed metadata (an upper bound; a
			  *   growable pool can still grow past it). */
	uint64_t nroots; /**< Named roots in the directory. */
} pc_pool_stats;

/** @brief Smallest growth step of a growable pool (libpmemobj's minimum part). */
#define PC_POOL_MIN_GROW_STEP ((size_t)2 << 20)

/** @brief Largest size of a growable pool when pc_pool_opts.max_size is 0. */
#define PC_POOL_DEFAULT_MAX_SIZE ((size_t)1 << 40)

/** @brief Largest pool (or growable maximum) pcoll creates: 128 TiB, the
 * user address space of x86-64, which a pool must fit in. */
#define PC_POOL_MAX_SIZE ((size_t)1 << 47)

/**
 * @brief How pc_pool_open_opts() creates a pool (ignored when it opens
 * one, except pc_pool_opts::prefault). A zeroed struct plus a size
 * gives an ordinary fixed-size pool.
 */
typedef struct pc_pool_opts {
	/** Size of a fixed pool, or the initial size of a growable one
	 *  (bytes; at least #PC_POOL_MIN_SIZE for fixed pools). */
	size_t size;
	/** 0: fixed size. Otherwise the pool is growable: `path` becomes a
	 *  libpmemobj poolset file whose parts live in the directory
	 *  `path.parts/`, and the heap grows by this many bytes (at least
	 *  #PC_POOL_MIN_GROW_STEP) whenever an allocation does not fit. */
	size_t grow_step;
	/** Growable pools: the most they may grow to (0:
	 *  #PC_POOL_DEFAULT_MAX_SIZE). Parts are created on demand, so an
	 *  unused maximum costs no disk space. */
	size_t max_size;
	/** Permissions of created files (0: 0600). */
	unsigned file_mode;
	/** Nonzero: prefault the pool (pc_pool_prefault()) when it is
	 *  created or opened, so that first writes take no page faults.
	 *  Costs about 2.2 us per 4 KiB page at open on the test machine
	 *  (0.55 s per GiB); see docs/guide.md, "Prefaulting". */
	int prefault;
} pc_pool_opts;

/**
 * @brief An open pool. Obtain with pc_pool_open_mode() and friends, release
 * with pc_pool_close(). The fields are read-only for users.
 */
typedef struct pc_pool {
	PMEMobjpool *pop; /**< The libpmemobj pool (escape hatch). */
	char *base;       /**< Mapping base: offsets resolve to base+off. */
	uint64_t size;    /**< Mapped bytes (0 when unknown: poolsets). */
	uint64_t uuid_lo; /**< libpmemobj pool id (PMEMoid.pool_uuid_lo). */
	struct pc__root *root;  /**< @private The pool's own root object. */
	int is_pmem;            /**< 1: flush instructions; 0: msync path. */
	char path[PC_PATH_MAX]; /**< The path the pool was opened with. */
	struct pc__sync *sync;  /**< @private lock words of PC_SYNC maps */
} pc_pool;

/* ------------------------------------------------------------------ */
/* Pool-level persistence: flushes on pmem, msync elsewhere.            */
/* ------------------------------------------------------------------ */

/** @cond PCOLL_INTERNAL */
/* The argument check of the persistence helpers: 1 (with PC_E_INVAL
 * recorded, and nothing done) for a NULL pool or address, or a range that
 * is not inside the pool's mapping (a poolset's is checked against
 * wrapping around only). */
static inline int pc__pool_bad_range(const pc_pool *pool, const void *addr,
				     size_t len, const char *fn)
{
	uintptr_t a = (uintptr_t)addr, b = pool ? (uintptr_t)pool->base : 0;
	if (PC__LIKELY(pool && addr && a >= b &&
		       (pool->size ? a - b <= pool->size &&
					     len <= pool->size - (a - b)
				   : len <= UINTPTR_MAX - a)))
		return 0;
	if (!addr && !len && pool)
		return 0;
	(void)pc__fail(PC_E_INVAL,
		       "%s: %s%zu bytes at %p are not inside the pool's "
		       "mapping",
		       fn, pool ? "" : "NULL pool; ", len, addr);
	return 1;
}
/** @endcond */

/**
 * @brief Make [addr, addr+len) of @p pool durable: flush + fence on
 * persistent memory, msync on a plain file. A NULL pool or address, or a
 * range outside the pool, does nothing (::PC_E_INVAL in pc_errmsg()), as
 * for the other pool-level helpers.
 *
 * Like the other pool-level persistence helpers, it neither needs nor
 * joins a transaction: it writes back memory as it is now.
 */
static inline void pc_pool_persist(const pc_pool *pool, const void *addr,
				   size_t len)
{
	if (PC__UNLIKELY(
		    pc__pool_bad_range(pool, addr, len, "pc_pool_persist")))
		return;
	if (PC__LIKELY(pool->is_pmem))
		pc_persist(addr, len);
	else
		(void)pmem_msync(addr, len);
}

/**
 * @brief Start writing back [addr, addr+len); durable after
 *  pc_pool_drain(). On a plain file this msyncs at once. Transactions: any.
 */
static inline void pc_pool_flush(const pc_pool *pool, const void *addr,
				 size_t len)
{
	if (PC__UNLIKELY(pc__pool_bad_range(pool, addr, len, "pc_pool_flush")))
		return;
	if (PC__LIKELY(pool->is_pmem))
		pc_flush(addr, len);
	else
		(void)pmem_msync(addr, len);
}

/** @brief Fence: everything flushed with pc_pool_flush() is durable.
 * Transactions: any. */
static inline void pc_pool_drain(const pc_pool *pool)
{
	if (PC__UNLIKELY(!pool)) {
		(void)pc__fail(PC_E_INVAL, "pc_pool_drain: NULL pool");
		return;
	}
	if (PC__LIKELY(pool->is_pmem))
		pc_fence();
}

/**
 * @brief Copy into the pool and flush, without the fence; follow with
 * pc_pool_drain(). Non-temporal stores for large copies on pmem.
 * Transactions: any (it is not undo-logged).
 */
static inline void pc_pool_memcpy_nodrain(const pc_pool *pool, void *dst,
					  const void *src, size_t len)
{
	if (PC__UNLIKELY(pc__pool_bad_range(pool, dst, len,
					    "pc_pool_memcpy_nodrain")))
		return;
	if (PC__UNLIKELY(!src || !dst)) {
		if (len)
			(void)pc__fail(PC_E_INVAL,
				       "pc_pool_memcpy_nodrain: NULL source");
		return;
	}
	if (PC__LIKELY(pool->is_pmem)) {
		pc_memcpy_nodrain(dst, src, len);
	} else {
		memcpy(dst, src, len);
		(void)pmem_msync(dst, len);
	}
}

/* ------------------------------------------------------------------ */
/* Offsets                                                              */
/* ------------------------------------------------------------------ */

/** @brief Address of pool offset @p off (0, or a NULL pool, gives NULL;
 * the offset is not checked: see PC_PTR_CHECK()). Transactions: any. */
static inline void *pc_pool_ptr(const pc_pool *pool, uint64_t off)
{
	return off && pool ? (void *)(pool->base + off) : NULL;
}

/** @brief Pool offset of @p p, which must point into @p pool (NULL, or a
 * NULL pool, gives 0). Transactions: any. */
static inline uint64_t pc_pool_off(const pc_pool *pool, const void *p)
{
	return p && pool ? (uint64_t)((const char *)p - pool->base) : 0;
}

/** @cond PCOLL_INTERNAL */
/* 1 when [off, off+len) lies inside the mapped pool (and off != 0). A
 * poolset (size 0) is only checked against wrapping around. */
static inline int pc__pool_range_ok(const pc_pool *pool, uint64_t off,
				    uint64_t len)
{
	if (off < 4096) /* also rejects 0 */
		return 0;
	if (pool->size == 0)
		return len <= UINT64_MAX - off;
	return off <= pool->size && len <= pool->size - off;
}
/** @endcond */

/* The type-erased parts, in dependency order (detail/pool_engine.h). */
#include "detail/pool_engine.h"

/**
 * @brief Open or create the pool at @p path, with creation options.
 *
 * @param path  pool file (or a libpmemobj poolset file; growable pools
 *              are poolsets).
 * @param mode  ::PC_OPEN, ::PC_CREATE or ::PC_OPEN_OR_CREATE.
 * @param opts  how to create it; NULL only with ::PC_OPEN. Ignored when an
 *              existing pool is opened (a growable pool remembers its
 *              growth step), except pc_pool_opts.prefault.
 * @param out   receives the handle; untouched on error.
 * @return ::PC_OK, or
 *   ::PC_E_NOTFOUND (missing file, ::PC_OPEN),
 *   ::PC_E_EXISTS (file exists, ::PC_CREATE),
 *   ::PC_E_INVAL (NULL argument, size below the minimum, growth step
 *   below #PC_POOL_MIN_GROW_STEP),
 *   ::PC_E_NOTPOOL (not a libpmemobj pool, or a libpmemlog/libpmemblk one),
 *   ::PC_E_LAYOUT (a libpmemobj pool of another program),
 *   ::PC_E_TRUNCATED (file shorter than a pool),
 *   ::PC_E_CORRUPT (checksum or pcoll metadata damaged),
 *   ::PC_E_VERSION (newer pcoll layout),
 *   ::PC_E_BUSY (open already, in this or another process),
 *   ::PC_E_IO, ::PC_E_NOMEM.
 *
 * Transactions: forbidden (::PC_E_INTX).
 */
PC_MUST_USE static inline pc_err pc_pool_open_opts(const char *path,
						   pc_open_mode mode,
						   const pc_pool_opts *opts,
						   pc_pool **out)
{
	if (!path || !out || !*path)
		return pc__fail(PC_E_INVAL,
				"pc_pool_open: NULL or empty argument");
	if (mode < PC_OPEN || mode > PC_OPEN_OR_CREATE)
		return pc__fail(PC_E_INVAL, "pc_pool_open: bad mode %d",
				(int)mode);
	if (!opts && mode != PC_OPEN)
		return pc__fail(PC_E_INVAL,
				"pc_pool_open: creating needs options");
	if (strlen(path) >= PC_PATH_MAX)
		return pc__fail(PC_E_INVAL, "pc_pool_open: path too long");
	if (pc__tx_state() != PC__TX_NONE)
		return pc__fail(PC_E_INTX,
				"%s: cannot open a pool inside a "
				"transaction",
				path);
	int creating = 0;
	if (mode == PC_CREATE) {
		creating = 1;
	} else if (mode == PC_OPEN_OR_CREATE) {
		creating = access(path, F_OK) != 0 && errno == ENOENT;
	}
	size_t size = opts ? opts->size : 0;
	int growable = creating && opts->grow_step != 0;
	size_t max = growable && opts->max_size ? opts->max_size
						: PC_POOL_DEFAULT_MAX_SIZE;
	if (creating && !growable && size < PC_POOL_MIN_SIZE)
		return pc__fail(
			PC_E_INVAL,
			"%s: pool size %zu is below the minimum of %zu bytes",
			path, size, PC_POOL_MIN_SIZE);
	if (creating && (size > PC_POOL_MAX_SIZE || max > PC_POOL_MAX_SIZE))
		return pc__fail(PC_E_TOOBIG,
				"%s: pool size %zu (maximum %zu) is over the "
				"limit of %zu bytes",
				path, size, growable ? max : size,
				(size_t)PC_POOL_MAX_SIZE);
	if (growable && opts->grow_step < PC_POOL_MIN_GROW_STEP)
		return pc__fail(PC_E_INVAL,
				"%s: growth step %zu is below the minimum of "
				"%zu bytes",
				path, opts->grow_step, PC_POOL_MIN_GROW_STEP);
	if (growable && (max < size || max < opts->grow_step))
		return pc__fail(
			PC_E_INVAL,
			"%s: maximum size %zu is below the initial size "
			"%zu or the growth step %zu",
			path, max, size, opts->grow_step);
	return pc__pool_open_file(path, creating, growable, opts, out);
}

/**
 * @brief Open or create the pool at @p path (a fixed-size pool of @p size
 * bytes when it is created). As pc_pool_open_opts() with only the size.
 */
PC_MUST_USE static inline pc_err pc_pool_open_mode(const char *path,
						   size_t size,
						   pc_open_mode mode,
						   pc_pool **out)
{
	pc_pool_opts o;
	memset(&o, 0, sizeof(o));
	o.size = size;
	return pc_pool_open_opts(path, mode, &o, out);
}

/**
 * @brief Create a growable pool at @p path: it starts at @p size bytes
 * (at least libpmemobj's minimum part) and grows by @p grow_step whenever
 * it is full, up to @p max_size (0: #PC_POOL_DEFAULT_MAX_SIZE). @p path is
 * a poolset file; the data lives in `path.parts/`. Errors and transaction
 * rule as pc_pool_open_opts().
 */
PC_MUST_USE static inline pc_err
pc_pool_create_growable(const char *path, size_t size, size_t grow_step,
			size_t max_size, pc_pool **out)
{
	pc_pool_opts o;
	memset(&o, 0, sizeof(o));
	o.size = size;
	o.grow_step = grow_step;
	o.max_size = max_size;
	return pc_pool_open_opts(path, PC_CREATE, &o, out);
}

/**
 * @brief Create a new pool; fails with ::PC_E_EXISTS if @p path exists.
 * Errors and transaction rule as pc_pool_open_mode().
 *
 * Crash-safe: the pool is made as `<path>.pcoll-new.<pid>` and linked to
 * @p path once complete, so a crash or SIGKILL during creation leaves
 * either nothing or a whole pool at @p path, never a half-made file; the
 * next create at @p path removes a dead process's temporary file.
 * (Growable pools are made in place; a path that exists, such as a
 * device DAX, too.)
 */
PC_MUST_USE static inline pc_err pc_pool_create(const char *path, size_t size,
						pc_pool **out)
{
	return pc_pool_open_mode(path, size, PC_CREATE, out);
}

/**
 * @brief Open an existing pool; fails with ::PC_E_NOTFOUND if missing.
 * Errors and transaction rule as pc_pool_open_mode().
 */
PC_MUST_USE static inline pc_err pc_pool_open(const char *path, pc_pool **out)
{
	return pc_pool_open_mode(path, 0, PC_OPEN, out);
}

/**
 * @brief Open the pool at @p path, creating it with @p size bytes if the
 * file does not exist. Errors and transaction rule as pc_pool_open_mode().
 */
PC_MUST_USE static inline pc_err
pc_pool_open_or_create(const char *path, size_t size, pc_pool **out)
{
	return pc_pool_open_mode(path, size, PC_OPEN_OR_CREATE, out);
}

/**
 * @brief Close @p pool and free the handle. NULL is accepted.
 *
 * Everything committed is already durable; closing adds nothing to it.
 * @return ::PC_OK, or ::PC_E_INTX when called inside a transaction (the
 * pool stays open). Not marked warn-unused-result: that is its only
 * failure, and gcc does not let `(void)` silence the attribute.
 *
 * Transactions: forbidden.
 */
static inline pc_err pc_pool_close(pc_pool *pool)
{
	if (!pool)
		return PC_OK;
	if (pc__tx_state() != PC__TX_NONE)
		return pc__fail(PC_E_INTX,
				"%s: cannot close a pool inside a "
				"transaction",
				pool->path);
	pmemobj_close(pool->pop);
	pc__sync_free(pool->sync);
	free(pool);
	return PC_OK;
}

/**
 * @brief Space used and free in @p pool.
 *
 * Walks every allocation of the pool (O(number of objects)); not for hot
 * paths.
 * @return ::PC_OK, or ::PC_E_INVAL for NULL arguments.
 *
 * Transactions: any (reads only).
 */
PC_MUST_USE static inline pc_err pc_pool_stats_get(pc_pool *pool,
						   pc_pool_stats *out)
{
	if (out)
		memset(out, 0, sizeof(*out));
	if (!pool || !out)
		return pc__fail(PC_E_INVAL, "pc_pool_stats_get: NULL argument");
	return pc__pool_stats(pool, out);
}

/**
 * @brief Prefault @p pool: enter every page of its mapping into the page
 * tables now, so that first writes to it take no page faults.
 *
 * On tmpfs and DAX a first write to a page faults (2-5 us per 4 KiB page
 * on the test machine), which makes the first pass over a fresh pool
 * slow and its latencies uneven; prefaulting moves that cost to one call:
 * about 2.2 us per page here with Linux 5.14's MADV_POPULATE_WRITE (0.55 s
 * per GiB), twice that on older kernels, where each page is touched once.
 * Memory of the whole pool is then resident. On the msync path (a plain
 * file) pages are mapped for reading only, so the file is not made dirty.
 * A growable pool is prefaulted as far as it has grown. The same as
 * pc_pool_opts.prefault at create or open. Safe while other threads use
 * the pool (no byte changes). See docs/guide.md, "Prefaulting".
 *
 * @return ::PC_OK, ::PC_E_INVAL (NULL), ::PC_E_NOMEM (the kernel could
 * not populate the range), ::PC_E_IO.
 *
 * Transactions: any (nothing in the pool changes).
 */
PC_MUST_USE static inline pc_err pc_pool_prefault(pc_pool *pool)
{
	if (!pool)
		return pc__fail(PC_E_INVAL, "pc_pool_prefault: NULL argument");
	return pc__pool_prefault(pool);
}

/** @brief 1 when @p pool uses flush instructions, 0 on the msync path
 * (and for a NULL pool). Transactions: any. */
static inline int pc_pool_is_pmem(const pc_pool *pool)
{
	if (!pool) {
		(void)pc__fail(PC_E_INVAL, "pc_pool_is_pmem: NULL pool");
		return 0;
	}
	return pool->is_pmem;
}

/**
 * @brief Check the pool file at @p path without keeping it open:
 * libpmemobj's own consistency check, then pcoll's root and directory.
 * Containers have their own deeper check functions.
 * @return ::PC_OK, or the errors of pc_pool_open() with ::PC_E_CORRUPT
 * when libpmemobj's check fails; ::PC_E_INTX inside a transaction;
 * ::PC_E_BUSY when the pool is open (here or in another process).
 *
 * Transactions: forbidden (::PC_E_INTX).
 */
PC_MUST_USE static inline pc_err pc_pool_check(const char *path)
{
	if (!path || !*path)
		return pc__fail(PC_E_INVAL,
				"pc_pool_check: NULL or empty path");
	if (pc__tx_state() != PC__TX_NONE)
		return pc__fail(PC_E_INTX,
				"pc_pool_check: %s: cannot check a pool inside "
				"a transaction",
				path);
	PC_TRY(pc__pool_check_file(path));
	pc_pool *pool = NULL;
	PC_TRY(pc_pool_open(path, &pool));
	return pc_pool_close(pool);
}

/* The named roots' functions (pc_root_lookup(), pc_root_obtain(), ...). */
#include "root.h"

#endif /* PCOLL_POOL_H */
