/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PVEC engine): the vector header's layout and the life of its
 * element array: creation, growth, free. Every function takes the element
 * size; the typed wrappers in <pcoll/vec.h> pass sizeof(T), which the
 * compiler folds into a constant after inlining. Nothing here is public
 * API. Relies on the pool (pool.h) and the transaction core (txcore.h).
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
 * Growth (pc__vec_ensure, pc__vec_realloc_tx) commits in a libpmemobj
 * transaction, the caller's or an own one: allocate the new array, copy
 * the len elements into it (flushed, not fenced), snapshot and switch
 * cap and data_off, free the old array at commit; the fences are the
 * commit's. len does not change, so a crash leaves the old array in use.
 * The changes of len and the elements are in vec_write.h (one element)
 * and vec_bulk.h (several).
 */
#ifndef PCOLL_DETAIL_VEC_LAYOUT_H
#define PCOLL_DETAIL_VEC_LAYOUT_H

#include <stddef.h>
#include <stdint.h>
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

/* ---- create / free ------------------------------------------------------ */

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
