/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PBLKARR engine): who may write where, all in the volatile
 * area: the stripe locks (one writer per block), the lanes (one writer
 * per lane; each holds one free physical block), and the dense allocator
 * that gives a block's first write a physical block nobody owns (the
 * allocation mark, the holes found at open, the blocks given to first
 * writes inside running transactions). Nothing here is flushed. Relies
 * on blkarr_layout.h.
 */
#ifndef PCOLL_DETAIL_BLKARR_ALLOC_H
#define PCOLL_DETAIL_BLKARR_ALLOC_H

#include <stdint.h>
#include <threads.h>

#include "../err.h"
#include "blkarr_layout.h"

#ifndef PCOLL_BLKARR_H
#error "internal PBLKARR header: include <pcoll/blkarr.h>"
#endif

/** @cond PCOLL_INTERNAL */

static inline void pc__blk_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static inline void pc__blk_stripe_lock(struct pc__blkvol *v, uint64_t i)
{
	uint8_t *s = &v->stripe[i % PC__BLK_STRIPES];
	unsigned spins = 0;
	while (__atomic_exchange_n(s, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(s, __ATOMIC_RELAXED)) {
			if (++spins % 256 == 0)
				thrd_yield();
			else
				pc__blk_pause();
		}
	}
}

static inline void pc__blk_stripe_unlock(struct pc__blkvol *v, uint64_t i)
{
	__atomic_store_n(&v->stripe[i % PC__BLK_STRIPES], 0, __ATOMIC_RELEASE);
}

/* Declared, then defined weak: one object across the program's
 * translation units (-Wmissing-variable-declarations). */
extern _Thread_local uint32_t pc__blk_lane_hint;
PC__WEAK _Thread_local uint32_t pc__blk_lane_hint;

/* Take a lane: the thread's last one if free, else round robin. */
static inline uint32_t pc__blk_lane_get(struct pc__blkvol *v, uint32_t nl)
{
	uint32_t start = pc__blk_lane_hint;
	if (start == 0)
		start = __atomic_fetch_add(&v->next_lane, 1, __ATOMIC_RELAXED) +
			1;
	for (;;) {
		for (uint32_t k = 0; k < nl; k++) {
			uint32_t l = (start - 1 + k) % nl;
			uint32_t *lk = &v->lane[l].lock;
			if (!__atomic_load_n(lk, __ATOMIC_RELAXED) &&
			    !__atomic_exchange_n(lk, 1, __ATOMIC_ACQUIRE)) {
				pc__blk_lane_hint = l + 1;
				return l;
			}
		}
		thrd_yield();
	}
}

static inline void pc__blk_lane_put(struct pc__blkvol *v, uint32_t l)
{
	__atomic_store_n(&v->lane[l].lock, 0, __ATOMIC_RELEASE);
}

static inline void pc__blk_alloc_lock(struct pc__blkvol *v)
{
	while (__atomic_exchange_n(&v->alloc_lock, 1, __ATOMIC_ACQUIRE))
		thrd_yield();
}

static inline void pc__blk_alloc_unlock(struct pc__blkvol *v)
{
	__atomic_store_n(&v->alloc_lock, 0, __ATOMIC_RELEASE);
}

/*
 * With the allocation lock held: a block given to a first write inside a
 * transaction whose map entry no longer names it was orphaned by that
 * transaction's abort (which restored "never written"); it is free again.
 * While the transaction runs, and after it commits, the entry names the
 * block until an overwrite moves the block to a lane, and that overwrite
 * drops the candidate first (pc__blk_uncand()).
 */
static inline void pc__blk_resolve(const uint32_t *map, struct pc__blkvol *v)
{
	for (uint32_t k = 0; k < v->ncand;) {
		uint32_t lba = v->cand[k][0], phys = v->cand[k][1];
		if ((__atomic_load_n(&map[lba], __ATOMIC_ACQUIRE) >> 2) !=
			    phys &&
		    v->nholes < PC__BLK_HOLES) {
			v->holes[v->nholes++] = phys;
			v->ncand--;
			v->cand[k][0] = v->cand[v->ncand][0];
			v->cand[k][1] = v->cand[v->ncand][1];
		} else {
			k++;
		}
	}
}

/* An overwrite is about to move physical block phys from the map to a
 * lane: it is no longer a transaction's candidate. */
static inline void pc__blk_uncand(struct pc__blkvol *v, uint32_t phys)
{
	pc__blk_alloc_lock(v);
	for (uint32_t k = 0; k < v->ncand; k++)
		if (v->cand[k][1] == phys) {
			v->ncand--;
			v->cand[k][0] = v->cand[v->ncand][0];
			v->cand[k][1] = v->cand[v->ncand][1];
			break;
		}
	pc__blk_alloc_unlock(v);
}

/* A physical block nobody owns, for block lba's first write (in_tx: inside
 * a transaction, remembered as a candidate); NOPHYS when none is left. */
static inline uint32_t pc__blk_alloc(const uint32_t *map, struct pc__blkvol *v,
				     uint64_t nphys, uint64_t lba, int in_tx)
{
	pc__blk_alloc_lock(v);
	if (v->ncand)
		pc__blk_resolve(map, v);
	uint32_t p = PC__BLK_NOPHYS;
	if (v->nholes)
		p = v->holes[--v->nholes];
	else if (v->hwm < nphys)
		p = v->hwm++;
	if (in_tx && p != PC__BLK_NOPHYS && v->ncand < PC__BLK_CANDS) {
		v->cand[v->ncand][0] = (uint32_t)lba;
		v->cand[v->ncand][1] = p;
		v->ncand++;
	}
	pc__blk_alloc_unlock(v);
	return p;
}

/** @endcond */

#endif /* PCOLL_DETAIL_BLKARR_ALLOC_H */
