/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PBLKARR engine): an array's life: creation (sizing "as many
 * blocks as fit", the area, the map and the lane logs), the ownership
 * scan of the map and the lane logs, the recovery that rebuilds the
 * volatile area once per pool open, opening (header validation) and
 * free. Relies on blkarr_layout.h and on PBLKARR_LANES and
 * the handle type of <pcoll/blkarr.h>, which includes it.
 *
 * Creation runs in pc_root_obtain()'s transaction: the area is allocated
 * without flushing it; fence 1: every map entry "no physical block,
 * reads as zeros", persisted; fence 2: the lane logs' initial records
 * (lane l holds physical block l free), persisted; the header at commit.
 * Recovery writes nothing to the pool: the lane logs and the map say
 * which block each lane holds free (blkarr_layout.h), and the blocks
 * below the allocation mark that nobody owns (first writes cut short)
 * become holes for the allocator.
 */
#ifndef PCOLL_DETAIL_BLKARR_LIFECYCLE_H
#define PCOLL_DETAIL_BLKARR_LIFECYCLE_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpmemobj.h>

#include "../err.h"
#include "../pool.h"
#include "blkarr_layout.h"
#include "txcore.h"

#ifndef PCOLL_BLKARR_H
#error "internal PBLKARR header: include <pcoll/blkarr.h>"
#endif

/** @cond PCOLL_INTERNAL */

/* Marks physical block p in bitmap seen; 0 when out of range or marked
 * already (two owners: corruption). */
static inline int pc__blk_mark(uint64_t *seen, uint64_t nphys, uint32_t p)
{
	if (p >= nphys || (seen[p / 64] & (1ull << (p % 64))))
		return 0;
	seen[p / 64] |= 1ull << (p % 64);
	return 1;
}

/* Builds the ownership bitmap of the physical blocks from the map and the
 * lanes' current log records; returns NULL (and *why) when a block has
 * two owners or a record is invalid, or on out of memory (*why = 0). */
static inline uint64_t *pc__blk_scan(const pblkarr *a, uint32_t *lane_free,
				     uint32_t *lane_seq, uint32_t *hwm,
				     int *why, uint64_t *where)
{
	const struct pc__blkhdr *h = a->h;
	uint64_t *seen = (uint64_t *)calloc((h->nphys + 63) / 64, 8);
	*why = 0;
	if (!seen)
		return NULL;
	uint32_t top = 0;
	for (uint64_t l = 0; l < h->nlanes; l++) {
		const struct pc__blklog *g = pc__blk_log_cur(&a->log[2 * l]);
		uint32_t f = g ? pc__blk_lane_free(h, a->map, g) : UINT32_MAX;
		if (f == UINT32_MAX || !pc__blk_mark(seen, h->nphys, f)) {
			*why = f == UINT32_MAX ? 1 : 2;
			*where = l;
			free(seen);
			return NULL;
		}
		lane_free[l] = f;
		lane_seq[l] = g->seq;
		top = f + 1 > top ? f + 1 : top;
	}
	for (uint64_t i = 0; i < h->nblock; i++) {
		uint32_t e = a->map[i];
		uint32_t p = e >> 2;
		if ((e & PC__BLK_F_MASK) == PC__BLK_F_MASK ||
		    (p == PC__BLK_NOPHYS && !(e & PC__BLK_F_MASK))) {
			*why = 3;
			*where = i;
			free(seen);
			return NULL;
		}
		if (p == PC__BLK_NOPHYS)
			continue;
		if (!pc__blk_mark(seen, h->nphys, p)) {
			*why = 4;
			*where = i;
			free(seen);
			return NULL;
		}
		top = p + 1 > top ? p + 1 : top;
	}
	*hwm = top;
	return seen;
}

/* pmemobj_volatile() constructor: rebuild the lanes from their logs, the
 * allocation mark and the holes (blocks below it that nobody owns: first
 * writes cut short by a crash) from a scan of the map. */
static inline int pc__blk_vol_ctor(void *ptr, void *arg)
{
	struct pc__blkvol *v = (struct pc__blkvol *)ptr;
	const pblkarr *a = (const pblkarr *)arg;
	uint32_t lf[PC__BLK_MAXLANES], ls[PC__BLK_MAXLANES], hwm = 0;
	int why = 0;
	uint64_t where = 0;
	uint64_t *seen = pc__blk_scan(a, lf, ls, &hwm, &why, &where);
	if (!seen)
		return -1;
	memset(v, 0, sizeof(*v));
	for (uint64_t l = 0; l < a->h->nlanes; l++) {
		v->lane[l].free = lf[l];
		v->lane[l].seq = ls[l];
	}
	v->hwm = hwm;
	for (uint32_t p = hwm; p-- > 0 && v->nholes < PC__BLK_HOLES;)
		if (!(seen[p / 64] & (1ull << (p % 64))))
			v->holes[v->nholes++] = p;
	free(seen);
	return 0;
}

struct pc__blk_init_arg {
	uint64_t bsize;
	uint64_t nblock; /* 0: as many as fit */
	uint64_t slack;  /* bytes to leave when fitting */
};

/* Runs inside pc_root_obtain()'s transaction on the zeroed header. */
static inline pc_err pc__blk_init(pc_pool *pool, void *obj, void *argp)
{
	struct pc__blkhdr *h = (struct pc__blkhdr *)obj;
	const struct pc__blk_init_arg *arg =
		(const struct pc__blk_init_arg *)argp;
	uint64_t stride = pc__blk_align(arg->bsize, 64);
	uint64_t nl = PBLKARR_LANES;
	uint64_t n = arg->nblock;
	if (n == 0) {
		uint64_t m = pc__pool_largest_free(pool);
		uint64_t fixed = pc__blk_area_size(0, stride, nl) + 64;
		m = m > arg->slack ? m - arg->slack : 0;
		n = m > fixed ? (m - fixed) / (stride + 4) : 0;
		while (n > 0 && pc__blk_area_size(n, stride, nl) > m)
			n--;
		if (n + nl >= PC__BLK_MAXPHYS)
			n = PC__BLK_MAXPHYS - nl - 1;
		if (n == 0)
			return pc__tx_abort_with(pc__fail(
				PC_E_FULL,
				"pblkarr_root: %s: no room for a single "
				"block of %llu bytes",
				pool->path, (unsigned long long)arg->bsize));
	}
	h->oh.magic = PC__OBJ_MAGIC;
	h->oh.sig = pc__blk_sig();
	uint64_t size = pc__blk_area_size(n, stride, nl);
	PMEMoid o =
		pmemobj_tx_xalloc(size, pc__sig_typenum(&h->oh.sig) ^ 1,
				  POBJ_XALLOC_NO_ABORT | POBJ_XALLOC_NO_FLUSH);
	if (OID_IS_NULL(o)) {
		int err = errno;
		return pc__tx_abort_with(pc__fail(
			err == ENOMEM ? PC_E_FULL : PC_E_TOOBIG,
			"pblkarr_root: %s: %llu blocks of %llu bytes need "
			"%llu bytes: %s",
			pool->path, (unsigned long long)n,
			(unsigned long long)arg->bsize,
			(unsigned long long)size,
			err == ENOMEM ? "no room" : pc__pmdk_errormsg()));
	}
	h->bsize = arg->bsize;
	h->stride = stride;
	h->nblock = n;
	h->nphys = n + nl;
	h->nlanes = nl;
	h->area_off = o.off;
	h->area_size = size;
	h->log_off = pc__blk_align(o.off, 64);
	h->vol_off = h->log_off + nl * 2 * sizeof(struct pc__blklog);
	h->map_off = h->vol_off + pc__blk_align(sizeof(struct pc__blkvol), 64);
	h->data_off = pc__blk_align(h->map_off + n * 4, 4096);
	h->vlt.runid = 0;

	uint32_t *map = (uint32_t *)(void *)(pool->base + h->map_off);
	for (uint64_t i = 0; i < n; i++)
		map[i] = (PC__BLK_NOPHYS << 2) | PC__BLK_F_ZERO;
	pc_pool_persist(pool, map, n * 4);
	struct pc__blklog *log =
		(struct pc__blklog *)(void *)(pool->base + h->log_off);
	memset(log, 0, nl * 2 * sizeof(*log));
	for (uint64_t l = 0; l < nl; l++) {
		struct pc__blklog *g = &log[2 * l];
		g->lba = 0;
		g->old = g->nw = (uint32_t)(l << 2);
		g->seq = 0;
		g->csum = pc__blk_csum(g->lba, g->old, g->nw, g->seq);
	}
	pc_pool_persist(pool, log, nl * 2 * sizeof(*log));
	return PC_OK;
}

/* pblkarr_root() after its argument checks: finds or creates the array,
 * validates its header, rebuilds the volatile area once per pool open. */
static inline pc_err pc__blk_open(pc_pool *pool, const char *name,
				  pc_open_mode mode, size_t bsize,
				  uint64_t nblock, pblkarr *out)
{
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

/* pblkarr_free() after its argument check. */
static inline pc_err pc__blk_free(pblkarr *a)
{
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

/** @endcond */

#endif /* PCOLL_DETAIL_BLKARR_LIFECYCLE_H */
