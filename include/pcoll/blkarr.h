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

/** @cond PCOLL_INTERNAL */
/* Always inlined so the caller's compiler sees buf checked before use. */
__attribute__((always_inline)) static inline pc_err
pc__blk_args(const pblkarr *a, uint64_t i, const void *buf, const char *fn)
{
	if (PC__UNLIKELY(!a || !a->h))
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

/* The engine (detail/blkarr_*.h) works on the handle type above. */
#include "detail/blkarr_engine.h"

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
 */
PC_MUST_USE static inline pc_err pblkarr_root(pc_pool *pool, const char *name,
					      pc_open_mode mode, size_t bsize,
					      uint64_t nblock, pblkarr *out)
{
	if (!pool || !out)
		return pc__fail(PC_E_INVAL, "pblkarr_root: NULL argument");
	memset(out, 0, sizeof(*out));
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
	pc_typesig sig = pc__blk_sig();
	uint64_t off = 0;
	pc_err e = pc_root_lookup(pool, name, &sig, &off);
	if (e == PC_E_NOTFOUND && mode != PC_OPEN) {
		if (bsize == 0)
			return pc__fail(PC_E_INVAL,
					"pblkarr_root: block size 0 for a new "
					"array \"%s\"",
					name);
		struct pc__blk_init_arg arg = {bsize, nblock, 0};
		const struct pc__dir *d = pc__dir_get(pool);
		if (!d || d->count == d->cap)
			arg.slack = 512u << 10;
		int own = pc__tx_state() == PC__TX_NONE;
		for (int attempt = 0;; attempt++) {
			e = pc_root_obtain(pool, name, &sig,
					   sizeof(struct pc__blkhdr), PC_CREATE,
					   pc__blk_init, &arg, &off, NULL);
			/* "As many as fit" missed by the directory's own
			 * growth: leave more room and retry. */
			if (e != PC_E_FULL || nblock != 0 || !own ||
			    attempt == 4)
				break;
			arg.slack += 512u << 10;
		}
		if (e != PC_OK)
			return e;
	} else if (e != PC_OK) {
		return e;
	} else if (mode == PC_CREATE) {
		return pc__fail(PC_E_EXISTS, "%s: root \"%s\" exists",
				pool->path, name);
	}
	PC_TRY(pc__objhdr_check(pool, off, sizeof(struct pc__blkhdr), &sig,
				"pblkarr_root"));
	struct pc__blkhdr *h = (struct pc__blkhdr *)pc_pool_ptr(pool, off);
	if (h->bsize == 0 || h->bsize > PBLKARR_MAX_BSIZE ||
	    h->stride != pc__blk_align(h->bsize, 64) || h->nlanes == 0 ||
	    h->nlanes > PC__BLK_MAXLANES || h->nphys != h->nblock + h->nlanes ||
	    h->nphys >= PC__BLK_MAXPHYS || h->log_off < h->area_off ||
	    h->vol_off !=
		    h->log_off + h->nlanes * 2 * sizeof(struct pc__blklog) ||
	    h->map_off < h->vol_off + sizeof(struct pc__blkvol) ||
	    h->data_off < h->map_off + h->nblock * 4 ||
	    h->data_off + h->nphys * h->stride > h->area_off + h->area_size ||
	    !pc__pool_range_ok(pool, h->area_off, h->area_size))
		return pc__fail(PC_E_CORRUPT,
				"pblkarr_root: %s: root \"%s\": damaged "
				"header",
				pool->path, name);
	if (bsize != 0 && bsize != h->bsize)
		return pc__fail(PC_E_TYPE,
				"pblkarr_root: %s: root \"%s\" holds blocks of "
				"%llu bytes, asked for %zu",
				pool->path, name, (unsigned long long)h->bsize,
				bsize);
	pblkarr a;
	pc__blk_bind(pool, h, &a);
	if (!pmemobj_volatile(pool->pop, &h->vlt, a.v, sizeof(*a.v),
			      pc__blk_vol_ctor, &a))
		return pc__fail(PC_E_CORRUPT,
				"pblkarr_root: %s: root \"%s\": damaged lane "
				"log",
				pool->path, name);
	*out = a;
	return PC_OK;
}

/** @brief Block size in bytes. Transactions: any. */
static inline size_t pblkarr_bsize(const pblkarr *a)
{
	return a->bsize;
}

/** @brief Number of blocks. Transactions: any. */
static inline uint64_t pblkarr_nblock(const pblkarr *a)
{
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
 */
PC_MUST_USE static inline pc_err pblkarr_read(const pblkarr *a, uint64_t i,
					      void *buf)
{
	PC_TRY(pc__blk_args(a, i, buf, "pblkarr_read"));
	const uint32_t *ent = &a->map[i];
	for (;;) {
		uint32_t e = __atomic_load_n(ent, __ATOMIC_ACQUIRE);
		if (PC__UNLIKELY(e & PC__BLK_F_MASK)) {
			if (e & PC__BLK_F_ERROR)
				return pc__fail(PC_E_BADBLOCK,
						"pblkarr_read: block %llu is "
						"marked bad",
						(unsigned long long)i);
			memset(buf, 0, a->bsize);
			return PC_OK;
		}
		uint32_t p = e >> 2;
		const uint32_t *gen = &a->v->gen[p % PC__BLK_GENS];
		uint32_t g1 = __atomic_load_n(gen, __ATOMIC_ACQUIRE);
		if (PC__UNLIKELY(g1 & 1)) {
			pc__blk_pause();
			continue;
		}
		memcpy(buf, a->data + (uint64_t)p * a->stride, a->bsize);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		uint32_t e2 = __atomic_load_n(ent, __ATOMIC_ACQUIRE);
		uint32_t g2 = __atomic_load_n(gen, __ATOMIC_ACQUIRE);
		if (PC__LIKELY(e2 == e && g2 == g1))
			return PC_OK;
	}
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
 */
PC_MUST_USE static inline pc_err pblkarr_write(pblkarr *a, uint64_t i,
					       const void *buf)
{
	PC_TRY(pc__blk_args(a, i, buf, "pblkarr_write"));
	pc__txstate st = pc__tx_state();
	if (PC__UNLIKELY(st != PC__TX_NONE)) {
		if (st == PC__TX_DEAD)
			return pc__fail(PC_E_ABORTED,
					"pblkarr_write: transaction aborted");
		return pc__blk_write_tx(a, i, buf);
	}
	struct pc__blkvol *v = a->v;
	pc__blk_stripe_lock(v, i);
	uint32_t old = __atomic_load_n(&a->map[i], __ATOMIC_RELAXED);
	if (PC__UNLIKELY(old & PC__BLK_F_MASK)) {
		pc_err e = pc__blk_write_flagged(a, i, buf, old);
		pc__blk_stripe_unlock(v, i);
		return e;
	}
	if (PC__UNLIKELY(__atomic_load_n(&v->ncand, __ATOMIC_RELAXED)))
		pc__blk_uncand(v, old >> 2);
	uint32_t l = pc__blk_lane_get(v, (uint32_t)a->h->nlanes);
	struct pc__blklane *lane = &v->lane[l];
	uint32_t f = lane->free;
	uint32_t *gen = &v->gen[f % PC__BLK_GENS];

	/* Fence 1: the data and the lane's log record. */
	__atomic_fetch_add(gen, 1, __ATOMIC_SEQ_CST);
	pc_pool_memcpy_nodrain(a->pool, a->data + (uint64_t)f * a->stride, buf,
			       a->bsize);
	uint32_t seq = lane->seq + 1;
	struct pc__blklog *g = &a->log[2 * l + (seq & 1)];
	g->lba = (uint32_t)i;
	g->old = old;
	g->nw = f << 2;
	g->seq = seq;
	g->csum = pc__blk_csum((uint32_t)i, old, f << 2, seq);
	pc_pool_flush(a->pool, g, sizeof(*g));
	pc_pool_drain(a->pool);
	__atomic_fetch_add(gen, 1, __ATOMIC_RELEASE);

	/* Fence 2: publish with one 4-byte store. */
	__atomic_store_n(&a->map[i], f << 2, __ATOMIC_RELEASE);
	pc_pool_persist(a->pool, &a->map[i], sizeof(uint32_t));

	lane->free = old >> 2;
	lane->seq = seq;
	pc__blk_lane_put(v, l);
	pc__blk_stripe_unlock(v, i);
	return PC_OK;
}

/**
 * @brief Make block @p i read as zeros (metadata only: one 4-byte store,
 * one fence; no data is written).
 * @return ::PC_OK, ::PC_E_RANGE, ::PC_E_INVAL, ::PC_E_ABORTED,
 * ::PC_E_FULL (undo log; aborts).
 *
 * Transactions: joins one if open (undone on abort).
 */
PC_MUST_USE static inline pc_err pblkarr_set_zero(pblkarr *a, uint64_t i)
{
	return pc__blk_set_flag(a, i, PC__BLK_F_ZERO, "pblkarr_set_zero");
}

/**
 * @brief Mark block @p i bad: reads fail with ::PC_E_BADBLOCK until the
 * block is written again (one 4-byte store, one fence).
 * @return ::PC_OK, ::PC_E_RANGE, ::PC_E_INVAL, ::PC_E_ABORTED,
 * ::PC_E_FULL (undo log; aborts).
 *
 * Transactions: joins one if open (undone on abort).
 */
PC_MUST_USE static inline pc_err pblkarr_set_error(pblkarr *a, uint64_t i)
{
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
 */
PC_MUST_USE static inline pc_err pblkarr_check(const pblkarr *a)
{
	if (!a || !a->h)
		return pc__fail(PC_E_INVAL, "pblkarr_check: unbound handle");
	const struct pc__blkhdr *h = a->h;
	pc_typesig sig = pc__blk_sig();
	PC_TRY(pc__objhdr_check(a->pool, pc_pool_off(a->pool, h), sizeof(*h),
				&sig, "pblkarr_check"));
	if (h->nphys != h->nblock + h->nlanes || h->nlanes == 0 ||
	    h->nlanes > PC__BLK_MAXLANES || h->nphys >= PC__BLK_MAXPHYS ||
	    h->stride != pc__blk_align(h->bsize, 64) || h->nblock != a->nblock)
		return pc__fail(PC_E_CORRUPT, "pblkarr_check: damaged header");
	uint32_t lf[PC__BLK_MAXLANES], ls[PC__BLK_MAXLANES], top = 0;
	int why = 0;
	uint64_t where = 0;
	uint64_t *seen = pc__blk_scan(a, lf, ls, &top, &why, &where);
	if (!seen) {
		unsigned long long w = (unsigned long long)where;
		switch (why) {
		case 1:
			return pc__fail(PC_E_CORRUPT,
					"pblkarr_check: lane %llu has no valid "
					"log record",
					w);
		case 2:
			return pc__fail(PC_E_CORRUPT,
					"pblkarr_check: lane %llu's free block "
					"is owned twice",
					w);
		case 3:
			return pc__fail(PC_E_CORRUPT,
					"pblkarr_check: block %llu has an "
					"invalid map entry",
					w);
		case 4:
			return pc__fail(PC_E_CORRUPT,
					"pblkarr_check: block %llu's physical "
					"block is out of range or owned twice",
					w);
		default:
			return pc__fail(PC_E_NOMEM,
					"pblkarr_check: out of memory");
		}
	}
	pc_err err = PC_OK;
	const struct pc__blkvol *v = a->v;
	for (uint64_t l = 0; l < h->nlanes && err == PC_OK; l++)
		if (v->lane[l].free != lf[l] || v->lane[l].seq != ls[l])
			err = pc__fail(PC_E_CORRUPT,
				       "pblkarr_check: lane %llu: volatile "
				       "free block %u, the log says %u",
				       (unsigned long long)l, v->lane[l].free,
				       lf[l]);
	if (err == PC_OK &&
	    (v->hwm < top || v->hwm > h->nphys || v->nholes > PC__BLK_HOLES))
		err = pc__fail(PC_E_CORRUPT,
			       "pblkarr_check: allocation mark %u, blocks up "
			       "to %u are owned",
			       v->hwm, top);
	for (uint32_t k = 0; k < v->nholes && err == PC_OK; k++) {
		uint32_t p = v->holes[k];
		if (p >= v->hwm || (seen[p / 64] & (1ull << (p % 64))))
			err = pc__fail(PC_E_CORRUPT,
				       "pblkarr_check: hole %u is owned", p);
	}
	free(seen);
	return err;
}

/**
 * @brief Destroy the array: unbind its root name and free its space. The
 * handle is cleared. No other thread may use the array meanwhile.
 * @return ::PC_OK, ::PC_E_INVAL, ::PC_E_ABORTED, ::PC_E_CORRUPT.
 *
 * Transactions: joins one if open (then nothing is freed if it aborts);
 * otherwise runs its own.
 */
PC_MUST_USE static inline pc_err pblkarr_free(pblkarr *a)
{
	if (!a || !a->h)
		return pc__fail(PC_E_INVAL, "pblkarr_free: unbound handle");
	pc_pool *pool = a->pool;
	uint64_t off = pc_pool_off(pool, a->h);
	uint64_t area = a->h->area_off;
	pc__txj j;
	PC_TRY(pc__tx_enter(pool->pop, &j));
	pc_err e = pc_root_unbind_off(pool, off);
	if (e == PC_OK)
		e = pc__tx_free(pool->uuid_lo, area);
	if (e == PC_OK)
		e = pc__tx_free(pool->uuid_lo, off);
	e = pc__tx_leave(&j, e);
	if (e == PC_OK)
		memset(a, 0, sizeof(*a));
	return e;
}

#endif /* PCOLL_BLKARR_H */
