/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PBLKARR engine): every store to a block or its map entry,
 * with its commit protocol: the lane write, the write to a flagged block,
 * the write inside a transaction, set_zero and set_error. Writers bump
 * the seqlock generation of the physical block they copy into (odd while
 * copying) for the readers of blkarr_read.h. Relies on blkarr_layout.h
 * and blkarr_alloc.h, and on the handle type of <pcoll/blkarr.h>, which
 * includes it.
 *
 * Outside a transaction, the fences in order:
 * - write (pc__blk_write), block stripe locked, a lane taken: the data
 *   goes into the lane's free physical block, the lane's next log record
 *   {block, old map entry, new map entry, seq, checksum} is written;
 *   fence 1: data and log record flushed, one drain; fence 2: the 4-byte
 *   map entry store that publishes the new block, persisted. The old
 *   physical block becomes the lane's free block (volatile; after a crash
 *   the log record and the map say which one it is).
 * - write to a flagged block (never written, zeroed, bad;
 *   pc__blk_write_flagged): the data goes in place, into the block's own
 *   physical block or a fresh one from the allocator; fence 1: the data,
 *   one drain; fence 2: the map entry store clearing the flag, persisted.
 * - set_zero, set_error (pc__blk_set_flag): fence 1: the map entry store
 *   with the flag, persisted.
 * Inside a transaction no lane is involved and the commit fences: a
 * write (pc__blk_write_tx) snapshots the block (unless it never had one)
 * and a flagged map entry and writes the block in place; set_zero and
 * set_error snapshot the map entry.
 */
#ifndef PCOLL_DETAIL_BLKARR_WRITE_H
#define PCOLL_DETAIL_BLKARR_WRITE_H

#include <stdint.h>
#include <string.h>

#include <libpmemobj.h>

#include "../err.h"
#include "../pool.h"
#include "blkarr_alloc.h"
#include "blkarr_layout.h"
#include "txcore.h"

#ifndef PCOLL_BLKARR_H
#error "internal PBLKARR header: include <pcoll/blkarr.h>"
#endif

/** @cond PCOLL_INTERNAL */

static inline pc_err pc__blk_nospace(const pblkarr *a, uint64_t i)
{
	return pc__fail(PC_E_FULL,
			"pblkarr_write: %s: no physical block left for the "
			"first write of block %llu; reopen the pool to reclaim "
			"the blocks of interrupted first writes",
			a->pool->path, (unsigned long long)i);
}

/* Write inside a running transaction: undo-log the block in place. A
 * block never written gets a physical block whose contents need no
 * snapshot (the map entry's undo restores "never written"). */
static inline pc_err pc__blk_write_tx(pblkarr *a, uint64_t i, const void *buf)
{
	pc__blk_stripe_lock(a->v, i);
	uint32_t e = a->map[i];
	uint32_t p = e >> 2;
	pc_err err = PC_OK;
	if (p == PC__BLK_NOPHYS) {
		p = pc__blk_alloc(a->map, a->v, a->h->nphys, i, 1);
		if (p == PC__BLK_NOPHYS)
			err = pc__tx_abort_with(pc__blk_nospace(a, i));
	}
	char *dst = err == PC_OK ? a->data + (uint64_t)p * a->stride : NULL;
	if (err == PC_OK && (e >> 2) == PC__BLK_NOPHYS) {
		if (pmemobj_tx_xadd_range_direct(dst, a->bsize,
						 POBJ_XADD_NO_SNAPSHOT |
							 POBJ_XADD_NO_ABORT))
			err = pc__tx_abort_with(pc__fail(
				PC_E_FULL,
				"pblkarr_write: block %llu: no room for the "
				"undo log of the transaction (%zu bytes)",
				(unsigned long long)i, a->bsize));
	} else if (err == PC_OK) {
		err = pc__tx_snap(dst, a->bsize);
	}
	if (err == PC_OK && (e & PC__BLK_F_MASK))
		err = pc__tx_snap(&a->map[i], sizeof(uint32_t));
	if (err != PC_OK) {
		pc__blk_stripe_unlock(a->v, i);
		return err;
	}
	uint32_t *gen = &a->v->gen[p % PC__BLK_GENS];
	__atomic_fetch_add(gen, 1, __ATOMIC_SEQ_CST);
	memcpy(dst, buf, a->bsize);
	__atomic_fetch_add(gen, 1, __ATOMIC_RELEASE);
	if (e & PC__BLK_F_MASK)
		__atomic_store_n(&a->map[i], p << 2, __ATOMIC_RELEASE);
	pc__blk_stripe_unlock(a->v, i);
	return PC_OK;
}

/*
 * Write to a block whose map entry is flagged (never written, zeroed or
 * bad): its contents are not visible, so the data goes in place (into its
 * own physical block, or a fresh one from the dense allocator when it
 * never had one) and one map store clearing the flag publishes it. Two
 * fences, no lane, no log: a crash before the store leaves the flag (the
 * old contents); a fresh block is then owned by nobody and reclaimed when
 * the pool is next opened. Called with the stripe lock held.
 */
static inline pc_err pc__blk_write_flagged(pblkarr *a, uint64_t i,
					   const void *buf, uint32_t old)
{
	uint32_t p = old >> 2;
	if (p == PC__BLK_NOPHYS) {
		p = pc__blk_alloc(a->map, a->v, a->h->nphys, i, 0);
		if (p == PC__BLK_NOPHYS)
			return pc__blk_nospace(a, i);
	}
	uint32_t *gen = &a->v->gen[p % PC__BLK_GENS];
	__atomic_fetch_add(gen, 1, __ATOMIC_SEQ_CST);
	pc_pool_memcpy_nodrain(a->pool, a->data + (uint64_t)p * a->stride, buf,
			       a->bsize);
	pc_pool_drain(a->pool);
	__atomic_fetch_add(gen, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&a->map[i], p << 2, __ATOMIC_RELEASE);
	pc_pool_persist(a->pool, &a->map[i], sizeof(uint32_t));
	return PC_OK;
}

/* Sets the flags of map entry i (set_zero / set_error). */
static inline pc_err pc__blk_set_flag(pblkarr *a, uint64_t i, uint32_t flag,
				      const char *fn)
{
	pc__txstate st = pc__tx_state();
	if (st == PC__TX_DEAD)
		return pc__fail(PC_E_ABORTED, "%s: transaction aborted", fn);
	pc__blk_stripe_lock(a->v, i);
	uint32_t e = a->map[i];
	uint32_t ne = (e & ~PC__BLK_F_MASK) | flag;
	pc_err err = PC_OK;
	if (st == PC__TX_WORK)
		err = pc__tx_snap(&a->map[i], sizeof(uint32_t));
	if (err == PC_OK && ne != e) {
		__atomic_store_n(&a->map[i], ne, __ATOMIC_RELEASE);
		if (st == PC__TX_NONE)
			pc_pool_persist(a->pool, &a->map[i], sizeof(uint32_t));
	}
	pc__blk_stripe_unlock(a->v, i);
	return err;
}

/* pblkarr_write() after its argument check. */
static inline pc_err pc__blk_write(pblkarr *a, uint64_t i, const void *buf)
{
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
#ifndef PCOLL_TEST_BUG_BLK_NO_FENCE /* broken test build: no fence 1 */
	pc_pool_drain(a->pool);
#endif
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

/** @endcond */

#endif /* PCOLL_DETAIL_BLKARR_WRITE_H */
