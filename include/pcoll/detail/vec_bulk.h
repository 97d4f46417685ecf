/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PVEC engine): the changes of several elements: extend,
 * insert, remove and swap_remove, reserve, sort. Relies on vec_layout.h
 * (growth) and vec_write.h (push, pop, the len store); the transaction
 * rules at the top of vec_write.h hold here too.
 *
 * Outside a transaction:
 *   extend    (growth first, an own transaction); fence 1: the elements
 *             copied past len (non-temporal stores for large copies),
 *             one drain; fence 2: the 8-byte store of the new len,
 *             persisted
 *   insert, remove, swap_remove, sort: an own transaction snapshotting
 *             only the elements that are overwritten, and len
 *             (libpmemobj's fences); an insert at len is a push, a remove
 *             of the last element a pop
 *   reserve   growth only (vec_layout.h)
 */
#ifndef PCOLL_DETAIL_VEC_BULK_H
#define PCOLL_DETAIL_VEC_BULK_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../err.h"
#include "../persist.h"
#include "../pool.h"
#include "txcore.h"
#include "vec_layout.h"
#include "vec_write.h"

/** @cond PCOLL_INTERNAL */

/* ---- extend ------------------------------------------------------------- */

static inline pc_err pc__vec_extend(pc_pool *pool, struct pc__vec *h,
				    size_t esz, const void *src, size_t n,
				    const char *fn)
{
	pc__txstate st = pc__tx_state();
	PC_TRY(pc__vec_txcheck(st, fn));
	if (n == 0)
		return PC_OK;
	if (!src)
		return pc__fail(PC_E_INVAL, "%s: NULL array of %zu elements",
				fn, n);
	uint64_t len = h->len;
	if (n > pc__vec_max_elems(esz) - len)
		return pc__fail(PC_E_TOOBIG,
				"%s: %s: %llu + %zu elements of %zu bytes "
				"exceed libpmemobj's largest allocation "
				"(%zu bytes)",
				fn, h->oh.sig.name, (unsigned long long)len, n,
				esz, (size_t)PMEMOBJ_MAX_ALLOC_SIZE);
	if (st == PC__TX_WORK)
		PC_TRY(pc__tx_snap(&h->len, sizeof(h->len)));
	PC_TRY(pc__vec_ensure(pool, h, esz, len + n, st, fn));
	char *dst = pool->base + h->data_off + len * esz;
	pc_pool_memcpy_nodrain(pool, dst, src, n * esz);
	if (st == PC__TX_WORK) {
		h->len = len + n;
		return PC_OK;
	}
	pc_pool_drain(pool);
	pc__vec_store_len(pool, h, len + n);
	return PC_OK;
}

/* ---- insert / remove / swap_remove ------------------------------------ */

static inline pc_err pc__vec_insert_tx(pc_pool *pool, struct pc__vec *h,
				       size_t esz, uint64_t i, const void *elem,
				       const char *fn)
{
	uint64_t len = h->len;
	PC_TRY(pc__tx_snap(&h->len, sizeof(h->len)));
	PC_TRY(pc__vec_ensure(pool, h, esz, len + 1, PC__TX_WORK, fn));
	char *d = pool->base + h->data_off;
#ifdef PCOLL_TEST_BUG_INSERT_SHORT_SNAPSHOT
	/* Deliberately broken test build: one element short (crash suite). */
	if (i + 1 < len)
		PC_TRY(pc__tx_snap(d + i * esz, (size_t)((len - i - 1) * esz)));
#else
	if (i < len)
		PC_TRY(pc__tx_snap(d + i * esz, (size_t)((len - i) * esz)));
#endif
	memmove(d + (i + 1) * esz, d + i * esz, (size_t)((len - i) * esz));
	memcpy(d + i * esz, elem, esz);
	/* The slot at the old len was not snapshotted: flush it. */
	pc__vec_flush_tx(pool, d + len * esz, esz);
	h->len = len + 1;
	return PC_OK;
}

static inline pc_err pc__vec_insert(pc_pool *pool, struct pc__vec *h,
				    size_t esz, uint64_t i, const void *elem,
				    const char *fn)
{
	if (i > h->len)
		return pc__fail(PC_E_RANGE, "%s: index %llu, length %llu", fn,
				(unsigned long long)i,
				(unsigned long long)h->len);
	if (i == h->len)
		return pc__vec_push(pool, h, esz, elem, fn);
	pc__txj j;
	PC_TRY(pc__tx_enter(pool->pop, &j));
	return pc__tx_leave(&j, pc__vec_insert_tx(pool, h, esz, i, elem, fn));
}

/* joined: inside the caller's transaction, where the dropped last slot
 * is snapshotted too (see the top of vec_write.h). */
static inline pc_err pc__vec_remove_tx(pc_pool *pool, struct pc__vec *h,
				       size_t esz, uint64_t i, int swap,
				       int joined)
{
	uint64_t len = h->len;
	char *d = pool->base + h->data_off;
	PC_TRY(pc__tx_snap(&h->len, sizeof(h->len)));
	if (swap) {
		PC_TRY(pc__tx_snap(d + i * esz, esz));
		if (joined)
			PC_TRY(pc__tx_snap(d + (len - 1) * esz, esz));
		memcpy(d + i * esz, d + (len - 1) * esz, esz);
	} else {
		PC_TRY(pc__tx_snap(d + i * esz,
				   (size_t)((len - 1 - i + !!joined) * esz)));
		memmove(d + i * esz, d + (i + 1) * esz,
			(size_t)((len - 1 - i) * esz));
	}
	h->len = len - 1;
	return PC_OK;
}

static inline pc_err pc__vec_remove(pc_pool *pool, struct pc__vec *h,
				    size_t esz, uint64_t i, void *out, int swap,
				    const char *fn)
{
	pc__txstate st = pc__tx_state();
	PC_TRY(pc__vec_txcheck(st, fn));
	uint64_t len = h->len;
	if (i >= len)
		return pc__fail(PC_E_RANGE, "%s: index %llu, length %llu", fn,
				(unsigned long long)i, (unsigned long long)len);
	if (i == len - 1)
		return pc__vec_pop(pool, h, esz, out, fn);
	if (out)
		memcpy(out, pool->base + h->data_off + i * esz, esz);
	pc__txj j;
	PC_TRY(pc__tx_enter(pool->pop, &j));
	return pc__tx_leave(&j,
			    pc__vec_remove_tx(pool, h, esz, i, swap, !j.own));
}

/* ---- reserve ------------------------------------------------------------ */

static inline pc_err pc__vec_reserve(pc_pool *pool, struct pc__vec *h,
				     size_t esz, uint64_t additional,
				     const char *fn)
{
	pc__txstate st = pc__tx_state();
	PC_TRY(pc__vec_txcheck(st, fn));
	if (additional > pc__vec_max_elems(esz) - h->len)
		return pc__fail(PC_E_TOOBIG,
				"%s: %s: %llu + %llu elements of %zu bytes "
				"exceed libpmemobj's largest allocation "
				"(%zu bytes)",
				fn, h->oh.sig.name, (unsigned long long)h->len,
				(unsigned long long)additional, esz,
				(size_t)PMEMOBJ_MAX_ALLOC_SIZE);
	return pc__vec_ensure(pool, h, esz, h->len + additional, st, fn);
}

/* ---- sort (stable bottom-up merge sort in volatile memory) -------------- */

typedef int (*pc__vec_cmpfn)(const void *a, const void *b, void *ctx);

static inline void pc__vec_merge_pass(const char *src, char *dst, size_t n,
				      size_t width, size_t esz,
				      pc__vec_cmpfn cmp, void *ctx)
{
	for (size_t lo = 0; lo < n; lo += 2 * width) {
		size_t mid = lo + width < n ? lo + width : n;
		size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
		size_t a = lo, b = mid, k = lo;
		while (a < mid && b < hi) {
			/* Take from the right run only when strictly
			 * smaller: equal elements keep their order. */
			if (cmp(src + b * esz, src + a * esz, ctx) < 0)
				memcpy(dst + (k++) * esz, src + (b++) * esz,
				       esz);
			else
				memcpy(dst + (k++) * esz, src + (a++) * esz,
				       esz);
		}
		if (a < mid)
			memcpy(dst + k * esz, src + a * esz, (mid - a) * esz);
		else if (b < hi)
			memcpy(dst + k * esz, src + b * esz, (hi - b) * esz);
	}
}

static inline pc_err pc__vec_sort(pc_pool *pool, struct pc__vec *h, size_t esz,
				  pc__vec_cmpfn cmp, void *ctx, const char *fn)
{
	pc__txstate st = pc__tx_state();
	PC_TRY(pc__vec_txcheck(st, fn));
	size_t n = (size_t)h->len;
	if (n < 2)
		return PC_OK;
	char *d = pool->base + h->data_off;
	char *a = (char *)malloc(n * esz);
	char *b = (char *)malloc(n * esz);
	if (!a || !b) {
		free(a);
		free(b);
		return pc__fail(PC_E_NOMEM,
				"%s: no volatile memory for %zu elements", fn,
				n);
	}
	memcpy(a, d, n * esz);
	for (size_t width = 1; width < n; width *= 2) {
		pc__vec_merge_pass(a, b, n, width, esz, cmp, ctx);
		char *t = a;
		a = b;
		b = t;
	}
	pc__txj j;
	pc_err e = pc__tx_enter(pool->pop, &j);
	if (e == PC_OK) {
		e = pc__tx_snap(d, n * esz);
		if (e == PC_OK)
			memcpy(d, a, n * esz);
		e = pc__tx_leave(&j, e);
	}
	free(a);
	free(b);
	return e;
}

/** @endcond */

#endif /* PCOLL_DETAIL_VEC_BULK_H */
