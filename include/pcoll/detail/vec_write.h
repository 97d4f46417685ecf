/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PVEC engine): the changes of one element or of len alone,
 * with their commit protocols: push, set, get_mut, pop, truncate. Relies
 * on vec_layout.h (the header, growth).
 *
 * Outside a transaction, no undo log; the fences in order:
 *   push      (growth first when the array is full: an own transaction,
 *             see vec_layout.h); fence 1: the element copied past len,
 *             persisted; fence 2: the 8-byte store of len + 1, persisted
 *   set       T within one aligned 8-byte word: fence 1: one atomic store
 *             of that word, persisted; otherwise an own transaction
 *             snapshotting the element (libpmemobj's fences)
 *   pop/truncate  fence 1: the 8-byte store of the new len, persisted
 * Inside a running transaction every call joins it; len is snapshotted
 * (8 bytes), elements only when an element below len is overwritten.
 * Bytes written past len are not snapshotted (they are invisible until
 * len moves, and len is restored on abort); they are flushed without a
 * fence and the commit's fence makes them durable before len's change.
 * For that to hold, a call that shrinks len inside a transaction (pop,
 * truncate, remove, swap_remove) snapshots the elements it drops: a later
 * push in the same transaction may overwrite them, and an abort must
 * bring them back. vec_bulk.h follows the same rules.
 */
#ifndef PCOLL_DETAIL_VEC_WRITE_H
#define PCOLL_DETAIL_VEC_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../err.h"
#include "../persist.h"
#include "../pool.h"
#include "txcore.h"
#include "vec_layout.h"

/** @cond PCOLL_INTERNAL */

/* An 8-byte word that may alias any element type (for the atomic set). */
typedef uint64_t pc__vec_word __attribute__((may_alias));

/* Inside a transaction: write one element past len so that the commit's
 * fence makes it durable. On pmem, elements made of 8-byte words use
 * non-temporal stores: consecutive pushes fill write-combining buffers
 * instead of writing back the same cache line once per push (measured:
 * about 80 ns instead of 270 ns per push in a transaction of 1000). */
static inline void pc__vec_write_tx(const pc_pool *pool, void *dst,
				    const void *src, size_t esz)
{
#ifdef PC__X86
	if (PC__LIKELY(pool->is_pmem) && esz % 8 == 0 &&
	    ((uintptr_t)dst & 7) == 0) {
		for (size_t k = 0; k < esz; k += 8) {
			long long w;
			memcpy(&w, (const char *)src + k, 8);
			_mm_stream_si64((long long *)(void *)((char *)dst + k),
					w);
		}
		/* Count the cache lines this write completes. */
		PC__COUNT(flushes, ((uintptr_t)dst + esz) / PC_CACHELINE -
					   (uintptr_t)dst / PC_CACHELINE);
		return;
	}
#endif
	memcpy(dst, src, esz);
	pc__vec_flush_tx(pool, dst, esz);
}

/* Store a new len outside a transaction: one 8-byte store, one persist. */
static inline void pc__vec_store_len(const pc_pool *pool, struct pc__vec *h,
				     uint64_t len)
{
	h->len = len;
	pc_pool_persist(pool, &h->len, sizeof(h->len));
}

/* ---- push --------------------------------------------------------------- */

static inline pc_err pc__vec_push(pc_pool *pool, struct pc__vec *h, size_t esz,
				  const void *elem, const char *fn)
{
	pc__txstate st = pc__tx_state();
	uint64_t len = h->len;
	if (PC__LIKELY(st == PC__TX_NONE)) {
		if (PC__UNLIKELY(len == h->cap))
			PC_TRY(pc__vec_ensure(pool, h, esz, len + 1, st, fn));
		char *dst = pool->base + h->data_off + len * esz;
		memcpy(dst, elem, esz);
#ifndef PCOLL_TEST_BUG_PUSH_NO_PERSIST
		/* The element must be durable before len covers it. (A
		 * test-only build defines PCOLL_TEST_BUG_PUSH_NO_PERSIST to
		 * skip this persist: the deliberately broken push the crash
		 * simulator must catch.) */
		pc_pool_persist(pool, dst, esz);
#endif
		pc__vec_store_len(pool, h, len + 1);
		return PC_OK;
	}
	PC_TRY(pc__vec_txcheck(st, fn));
	PC_TRY(pc__tx_snap(&h->len, sizeof(h->len)));
	PC_TRY(pc__vec_ensure(pool, h, esz, len + 1, st, fn));
	char *dst = pool->base + h->data_off + len * esz;
	pc__vec_write_tx(pool, dst, elem, esz);
	h->len = len + 1;
	return PC_OK;
}

/* ---- set -------------------------------------------------------------- */

static inline pc_err pc__vec_set(pc_pool *pool, struct pc__vec *h, size_t esz,
				 uint64_t i, const void *elem, const char *fn)
{
	if (PC__UNLIKELY(i >= h->len))
		return pc__fail(PC_E_RANGE, "%s: index %llu, length %llu", fn,
				(unsigned long long)i,
				(unsigned long long)h->len);
	char *dst = pool->base + h->data_off + i * esz;
	pc__txstate st = pc__tx_state();
	if (PC__LIKELY(st == PC__TX_NONE)) {
		uintptr_t a = (uintptr_t)dst;
		if (esz <= 8 && (a & 7) + esz <= 8) {
			/* The element lies in one aligned 8-byte word: one
			 * atomic store of that word commits it. */
			pc__vec_word *w = (pc__vec_word *)(a & ~(uintptr_t)7);
			uint64_t x = *w;
			memcpy((char *)&x + (a & 7), elem, esz);
			__atomic_store_n(w, x, __ATOMIC_RELAXED);
			pc_pool_persist(pool, (const void *)w, 8);
			return PC_OK;
		}
		pc__txj j;
		PC_TRY(pc__tx_enter(pool->pop, &j));
		pc_err e = pc__tx_snap(dst, esz);
		if (e == PC_OK)
			memcpy(dst, elem, esz);
		return pc__tx_leave(&j, e);
	}
	PC_TRY(pc__vec_txcheck(st, fn));
	PC_TRY(pc__tx_snap(dst, esz));
	memcpy(dst, elem, esz);
	return PC_OK;
}

/* get_mut: snapshot element i in the running transaction. */
static inline void *pc__vec_get_mut(pc_pool *pool, struct pc__vec *h,
				    size_t esz, uint64_t i, const char *fn)
{
	pc__txstate st = pc__tx_state();
	if (st != PC__TX_WORK) {
		(void)pc__fail(st == PC__TX_NONE ? PC_E_NEEDTX : PC_E_ABORTED,
			       "%s: needs a running transaction", fn);
		return NULL;
	}
	if (i >= h->len) {
		(void)pc__fail(PC_E_RANGE, "%s: index %llu, length %llu", fn,
			       (unsigned long long)i,
			       (unsigned long long)h->len);
		return NULL;
	}
	char *p = pool->base + h->data_off + i * esz;
	if (pc__tx_snap(p, esz) != PC_OK)
		return NULL;
	return p;
}

/* ---- pop / truncate ----------------------------------------------------- */

static inline pc_err pc__vec_truncate(pc_pool *pool, struct pc__vec *h,
				      size_t esz, uint64_t n, const char *fn)
{
	pc__txstate st = pc__tx_state();
	PC_TRY(pc__vec_txcheck(st, fn));
	if (n >= h->len)
		return PC_OK;
	if (st == PC__TX_NONE) {
		pc__vec_store_len(pool, h, n);
		return PC_OK;
	}
	/* Snapshot the dropped elements too: a later push in this
	 * transaction may overwrite them (see the top of this file). */
	PC_TRY(pc__tx_snap(&h->len, sizeof(h->len)));
	PC_TRY(pc__tx_snap(pool->base + h->data_off + n * esz,
			   (size_t)((h->len - n) * esz)));
	h->len = n;
	return PC_OK;
}

/* Returns PC_OK and copies the last element to out (if not NULL); else
 * PC_E_NOTFOUND when empty, or the error. */
static inline pc_err pc__vec_pop(pc_pool *pool, struct pc__vec *h, size_t esz,
				 void *out, const char *fn)
{
	pc__txstate st = pc__tx_state();
	PC_TRY(pc__vec_txcheck(st, fn));
	uint64_t len = h->len;
	if (len == 0)
		return PC_E_NOTFOUND;
	const char *src = pool->base + h->data_off + (len - 1) * esz;
	if (st == PC__TX_WORK) {
		PC_TRY(pc__tx_snap(&h->len, sizeof(h->len)));
		PC_TRY(pc__tx_snap(src, esz)); /* dropped: see the top */
	}
	if (out)
		memcpy(out, src, esz);
	if (st == PC__TX_NONE)
		pc__vec_store_len(pool, h, len - 1);
	else
		h->len = len - 1;
	return PC_OK;
}

/** @endcond */

#endif /* PCOLL_DETAIL_VEC_WRITE_H */
