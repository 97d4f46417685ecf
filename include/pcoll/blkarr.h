/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file blkarr.h
 * @brief PBLKARR: an array of fixed-size blocks, each written atomically
 * with respect to power failure (the libpmemblk replacement).
 *
 * @code
 * pblkarr a;
 * PC_TRY(pblkarr_root(pool, "disk", PC_OPEN_OR_CREATE, 4096, 0, &a));
 * PC_TRY(pblkarr_write(&a, 20, buf));   // all or nothing, 2 fences
 * PC_TRY(pblkarr_read(&a, 20, buf));    // lock-free, never torn
 * @endcode
 *
 * A block that was never written reads as zeros. A write is all-or-nothing
 * under power failure at any instant: a later read returns the old or the
 * new block, never a mix. Outside a transaction a write costs two fences:
 * the data goes into a free physical block together with a small per-lane
 * log entry (fence 1), then one 4-byte store to the block map publishes it
 * (fence 2). The old physical block becomes the lane's free block; after a
 * crash the lane log tells which block is free (see docs/blkarr.md). A
 * block that was never written owns no physical block: its first write
 * goes in place into one taken from a dense allocator (data, fence 1; map
 * store, fence 2), so a fresh array touches its pages in order. Opening an
 * array scans its map once (O(nblock)) to rebuild that allocator.
 *
 * Block size rule: any size from 1 to #PBLKARR_MAX_BSIZE bytes; internally
 * each block occupies its size rounded up to a multiple of 64 bytes (a
 * cache line), so 512-byte and 4 KiB blocks have no padding.
 *
 * Threads: any number of threads may read and write through the same
 * handle (or copies of it) at once. Reads take no lock and never see a
 * torn block; writers use one of #PBLKARR_LANES lanes each. pblkarr_free()
 * and pblkarr_root() creating the array are not concurrent with other
 * calls.
 *
 * Inside a TX() a write joins the transaction (undo-logged in place, see
 * pblkarr_write()): it is undone on abort. Transactions give atomicity, not
 * isolation: a block written in a running transaction must not be written
 * or read by other threads until that transaction ends.
 */
#ifndef PCOLL_BLKARR_H
#define PCOLL_BLKARR_H

#include "detail/lang.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include <libpmemobj.h>

#include "detail/txcore.h"
#include "err.h"
#include "persist.h"
#include "pool.h"
#include "tx.h"

/** @brief Largest block size in bytes (64 MiB). */
#define PBLKARR_MAX_BSIZE ((size_t)1 << 26)

/** @brief Number of lanes (concurrent writers) of a new array. */
#define PBLKARR_LANES 8

/** @brief Layout version of the PBLKARR header. */
#define PBLKARR_VERSION 1

/**
 * @brief Volatile handle of a block array; obtain with pblkarr_root().
 *
 * A plain value: copy it freely (all copies share the array's state). The
 * fields are read-only for users.
 */
typedef struct pblkarr {
	pc_pool *pool;          /**< The pool holding the array. */
	struct pc__blkhdr *h;   /**< @private Persistent header. */
	uint32_t *map;          /**< @private Block map. */
	char *data;             /**< @private Physical blocks. */
	struct pc__blklog *log; /**< @private Lane logs. */
	struct pc__blkvol *v;   /**< @private Volatile area. */
	size_t bsize;           /**< Block size in bytes. */
	size_t stride;          /**< @private Physical block size. */
	uint64_t nblock;        /**< Number of blocks. */
} pblkarr;

/* The engine (detail/blkarr_*.h) works on the handle type above. */
#include "detail/blkarr_engine.h"

/** @cond PCOLL_INTERNAL */
/* Always inlined so the caller's compiler sees buf checked before use. */
__attribute__((always_inline)) static inline pc_err
pc__blk_args(const pblkarr *a, uint64_t i, const void *buf, const char *fn)
{
	if (PC__UNLIKELY(!a || !a->h || !a->pool))
		return pc__fail(PC_E_INVAL, "%s: NULL or unbound handle", fn);
	if (PC__UNLIKELY(i >= a->nblock))
		return pc__fail(PC_E_RANGE,
				"%s: block %llu, the array has %llu blocks", fn,
				(unsigned long long)i,
				(unsigned long long)a->nblock);
	if (PC__UNLIKELY(!buf))
		return pc__fail(PC_E_INVAL, "%s: NULL buffer", fn);
	return PC_OK;
}
/** @endcond */

/**
 * @brief Find the block array named @p name in @p pool, or create it.
 *
 * @param pool   an open pool.
 * @param name   root name (at most #PC_NAME_MAX bytes).
 * @param mode   ::PC_OPEN, ::PC_CREATE or ::PC_OPEN_OR_CREATE.
 * @param bsize  block size in bytes, 1 to #PBLKARR_MAX_BSIZE. When opening,
 *               0 accepts any size; another value must match the array's.
 * @param nblock number of blocks of a new array; 0 makes as many as fit in
 *               the pool's free space. Ignored when opening.
 * @param out    receives the handle.
 * @return ::PC_OK; ::PC_E_FULL when the blocks do not fit (nothing is left
 * behind); ::PC_E_INVAL (NULL, bsize 0 when creating); ::PC_E_TOOBIG
 * (bsize over the limit, more than 2^30 blocks); ::PC_E_TYPE (the root holds
 * something else, or blocks of another size); ::PC_E_NOTFOUND,
 * ::PC_E_EXISTS (per @p mode); ::PC_E_CORRUPT (damaged header or lane
 * logs); ::PC_E_ABORTED.
 *
 * Transactions: joins one if open (a new array then disappears if it
 * aborts); otherwise runs its own for the creation.
 *
 * Fences: none when opening (reads the header); creating costs one libpmemobj transaction.
 */
PC_MUST_USE static inline pc_err pblkarr_root(pc_pool *pool, const char *name,
					      pc_open_mode mode, size_t bsize,
					      uint64_t nblock, pblkarr *out)
{
	if (out)
		memset(out, 0, sizeof(*out));
	if (!pool || !out)
		return pc__fail(PC_E_INVAL, "pblkarr_root: NULL argument");
	if (bsize > PBLKARR_MAX_BSIZE)
		return pc__fail(
			PC_E_TOOBIG,
			"pblkarr_root: block size %zu, the limit is %zu", bsize,
			PBLKARR_MAX_BSIZE);
	if (nblock >= PC__BLK_MAXPHYS - PBLKARR_LANES)
		return pc__fail(PC_E_TOOBIG,
				"pblkarr_root: %llu blocks, the limit is %llu",
				(unsigned long long)nblock,
				(unsigned long long)(PC__BLK_MAXPHYS -
						     PBLKARR_LANES - 1));
	return pc__pool_full_ctx(
		pool, pc__blk_open(pool, name, mode, bsize, nblock, out),
		"pblkarr_root");
}

/**
 * @brief Block size in bytes. Transactions: any.
 * @param a the array's handle.
 * @return the block size; 0 for a NULL or unbound handle.
 *
 * Fences: none (reads only).
 */
static inline size_t pblkarr_bsize(const pblkarr *a)
{
	if (!a || !a->h) {
		(void)pc__fail(PC_E_INVAL, "pblkarr_bsize: NULL or unbound "
					   "handle");
		return 0;
	}
	return a->bsize;
}

/**
 * @brief Number of blocks. Transactions: any.
 * @param a the array's handle.
 * @return the number of blocks; 0 for a NULL or unbound handle.
 *
 * Fences: none (reads only).
 */
static inline uint64_t pblkarr_nblock(const pblkarr *a)
{
	if (!a || !a->h) {
		(void)pc__fail(PC_E_INVAL, "pblkarr_nblock: NULL or unbound "
					   "handle");
		return 0;
	}
	return a->nblock;
}

/**
 * @brief Copy block @p i into @p buf (pblkarr_bsize() bytes).
 *
 * Takes no lock. A block never written (or set by pblkarr_set_zero())
 * reads as zeros. Never returns a torn block, even while other threads
 * write the same block: the copy is validated against the block map and
 * a generation counter and retried when a writer got in between.
 * @return ::PC_OK, ::PC_E_RANGE (@p i >= nblock), ::PC_E_BADBLOCK (the
 * block was marked with pblkarr_set_error()), ::PC_E_INVAL.
 *
 * Transactions: any (sees the running transaction's own writes).
 * @param a the array's handle.
 * @param i the block number, below pblkarr_nblock().
 * @param buf receives pblkarr_bsize() bytes.
 *
 * Fences: none (reads only).
 */
PC_MUST_USE static inline pc_err pblkarr_read(const pblkarr *a, uint64_t i,
					      void *buf)
{
	PC_TRY(pc__blk_args(a, i, buf, "pblkarr_read"));
	return pc__blk_read(a, i, buf);
}

/**
 * @brief Write @p buf (pblkarr_bsize() bytes) to block @p i, atomically.
 *
 * Outside a transaction: durable and all-or-nothing on return, with two
 * fences (data and lane log, then the 4-byte map entry). Clears a
 * pblkarr_set_zero() or pblkarr_set_error() mark. A block never written
 * (or marked) is written in place, without a lane or log, still with two
 * fences; its first write takes a fresh physical block.
 *
 * Inside a transaction: joins it. The block's current contents are
 * snapshotted (undo log) and overwritten in place; abort restores them.
 * The lanes are not involved, so their free blocks stay consistent
 * whatever the outcome.
 * @return ::PC_OK, ::PC_E_RANGE, ::PC_E_INVAL, ::PC_E_ABORTED (the
 * enclosing transaction has aborted), ::PC_E_FULL (no room for the undo
 * log, which aborts the transaction; or, only after more than 1024
 * first writes were cut short by crashes, or more than 256 first writes
 * in running transactions, no physical block for a first write until the
 * pool is reopened).
 *
 * Transactions: joins one if open; its own 2-fence protocol otherwise.
 * @param a the array's handle.
 * @param i the block number, below pblkarr_nblock().
 * @param buf pblkarr_bsize() bytes to write.
 *
 * Fences: 2 outside a transaction; inside one the write is undo-logged and durable with the commit.
 */
PC_MUST_USE static inline pc_err pblkarr_write(pblkarr *a, uint64_t i,
					       const void *buf)
{
	PC_TRY(pc__blk_args(a, i, buf, "pblkarr_write"));
	pc_err e = pc__blk_write(a, i, buf);
	if (PC__UNLIKELY(e == PC_E_FULL))
		return pc__pool_full_ctx(a->pool, e, "pblkarr_write");
	return e;
}

/**
 * @brief Make block @p i read as zeros (metadata only: one 4-byte store,
 * one fence; no data is written).
 * @return ::PC_OK, ::PC_E_RANGE, ::PC_E_INVAL, ::PC_E_ABORTED,
 * ::PC_E_FULL (undo log; aborts).
 *
 * Transactions: joins one if open (undone on abort).
 * @param a the array's handle.
 * @param i the block number.
 *
 * Fences: 1 outside a transaction; none of its own inside one.
 */
PC_MUST_USE static inline pc_err pblkarr_set_zero(pblkarr *a, uint64_t i)
{
	PC_TRY(pc__blk_args(a, i, a, "pblkarr_set_zero"));
	return pc__blk_set_flag(a, i, PC__BLK_F_ZERO, "pblkarr_set_zero");
}

/**
 * @brief Mark block @p i bad: reads fail with ::PC_E_BADBLOCK until the
 * block is written again (one 4-byte store, one fence).
 * @return ::PC_OK, ::PC_E_RANGE, ::PC_E_INVAL, ::PC_E_ABORTED,
 * ::PC_E_FULL (undo log; aborts).
 *
 * Transactions: joins one if open (undone on abort).
 * @param a the array's handle.
 * @param i the block number.
 *
 * Fences: 1 outside a transaction; none of its own inside one.
 */
PC_MUST_USE static inline pc_err pblkarr_set_error(pblkarr *a, uint64_t i)
{
	PC_TRY(pc__blk_args(a, i, a, "pblkarr_set_error"));
	return pc__blk_set_flag(a, i, PC__BLK_F_ERROR, "pblkarr_set_error");
}

/**
 * @brief Check the array's invariants: a sane header; every map entry
 * valid (a physical block in range, or "none yet" with the zero or error
 * flag); every lane with a valid log record; no physical block owned twice
 * across the map and the lanes' free blocks; every owned block below the
 * allocation mark, every recorded hole unowned; the volatile lane state
 * agreeing with the persistent logs. Call when no write is running.
 * @return ::PC_OK, ::PC_E_CORRUPT (pc_errmsg() says what is wrong),
 * ::PC_E_NOMEM, ::PC_E_INVAL.
 *
 * Transactions: any (reads only).
 * @param a the array's handle.
 *
 * Fences: none (reads only).
 */
PC_MUST_USE static inline pc_err pblkarr_check(const pblkarr *a)
{
	if (!a || !a->h)
		return pc__fail(PC_E_INVAL, "pblkarr_check: unbound handle");
	return pc__blk_check(a);
}

/**
 * @brief Destroy the array: unbind its root name and free its space. The
 * handle is cleared. No other thread may use the array meanwhile.
 * @return ::PC_OK, ::PC_E_INVAL, ::PC_E_ABORTED, ::PC_E_CORRUPT.
 *
 * Transactions: joins one if open (then nothing is freed if it aborts);
 * otherwise runs its own.
 * @param a the array's handle.
 *
 * Fences: those of one libpmemobj transaction outside one; none of its own inside one.
 */
PC_MUST_USE static inline pc_err pblkarr_free(pblkarr *a)
{
	if (!a || !a->h)
		return pc__fail(PC_E_INVAL, "pblkarr_free: unbound handle");
	return pc__blk_free(a);
}

#endif /* PCOLL_BLKARR_H */
