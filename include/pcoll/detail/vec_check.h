/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PVEC engine): the structural check of a vector header and
 * its array (NAME_check(), `pcoll check`). Relies on vec_layout.h.
 */
#ifndef PCOLL_DETAIL_VEC_CHECK_H
#define PCOLL_DETAIL_VEC_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <libpmemobj.h>

#include "../err.h"
#include "../pool.h"
#include "vec_layout.h"

/** @cond PCOLL_INTERNAL */

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

/** @endcond */

#endif /* PCOLL_DETAIL_VEC_CHECK_H */
