/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PBLKARR engine): the invariant check behind pblkarr_check():
 * the header, the ownership scan (blkarr_lifecycle.h), and the volatile
 * area against the persistent lane logs. Reads only. Relies on
 * blkarr_layout.h and blkarr_lifecycle.h, and on the handle type of
 * <pcoll/blkarr.h>, which includes it.
 */
#ifndef PCOLL_DETAIL_BLKARR_CHECK_H
#define PCOLL_DETAIL_BLKARR_CHECK_H

#include <stdint.h>
#include <stdlib.h>

#include "../err.h"
#include "../pool.h"
#include "blkarr_layout.h"
#include "blkarr_lifecycle.h"

#ifndef PCOLL_BLKARR_H
#error "internal PBLKARR header: include <pcoll/blkarr.h>"
#endif

/** @cond PCOLL_INTERNAL */

/* pblkarr_check() after its argument check. */
static inline pc_err pc__blk_check(const pblkarr *a)
{
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

/** @endcond */

#endif /* PCOLL_DETAIL_BLKARR_CHECK_H */
