/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PBLKARR engine): the lock-free read. A seqlock: the reader
 * loads the block's map entry and the generation of its physical block
 * (waiting while it is odd: a writer is copying into it), copies the
 * block, and retries unless both are unchanged afterwards. A flagged
 * entry reads as zeros or fails (bad block) without touching data. No
 * fences. Relies on blkarr_layout.h and blkarr_alloc.h (pc__blk_pause),
 * and on the handle type of <pcoll/blkarr.h>, which includes it.
 */
#ifndef PCOLL_DETAIL_BLKARR_READ_H
#define PCOLL_DETAIL_BLKARR_READ_H

#include <stdint.h>
#include <string.h>

#include "../err.h"
#include "blkarr_alloc.h"
#include "blkarr_layout.h"

#ifndef PCOLL_BLKARR_H
#error "internal PBLKARR header: include <pcoll/blkarr.h>"
#endif

/** @cond PCOLL_INTERNAL */

/* pblkarr_read() after its argument check. */
static inline pc_err pc__blk_read(const pblkarr *a, uint64_t i, void *buf)
{
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

/** @endcond */

#endif /* PCOLL_DETAIL_BLKARR_READ_H */
