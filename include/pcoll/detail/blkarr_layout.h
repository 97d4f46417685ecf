/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PBLKARR engine): the layout: constants, the lane log record,
 * the volatile area (lanes, allocator state, seqlock generations, stripe
 * locks), the persistent header, the type signature, the log record
 * checksum and what a lane's current record says (which physical block
 * the lane holds free), binding a handle to a header, the area's size.
 * Relies on the pool (pool.h) and on PBLKARR_VERSION and the handle type
 * of <pcoll/blkarr.h>, which includes it. docs/blkarr.md draws the
 * layout.
 */
#ifndef PCOLL_DETAIL_BLKARR_LAYOUT_H
#define PCOLL_DETAIL_BLKARR_LAYOUT_H

#include <stdint.h>

#include <libpmemobj.h>

#include "../err.h"
#include "../pool.h"

#ifndef PCOLL_BLKARR_H
#error "internal PBLKARR header: include <pcoll/blkarr.h>"
#endif

/** @cond PCOLL_INTERNAL */
#define PC__BLK_MAXLANES 64
#define PC__BLK_GENS     4096u /* seqlock slots, hashed by physical block */
#define PC__BLK_STRIPES  1024u /* writer locks, hashed by block number */
#define PC__BLK_F_ZERO   1u    /* map entry flag: reads as zeros */
#define PC__BLK_F_ERROR  2u    /* map entry flag: reads fail */
#define PC__BLK_F_MASK   3u
#define PC__BLK_NOPHYS   0x3FFFFFFFu /* map entry phys: none assigned yet */
#define PC__BLK_MAXPHYS  ((uint64_t)PC__BLK_NOPHYS) /* phys << 2 fits */
#define PC__BLK_HOLES    1024u /* unreferenced blocks found at open */
#define PC__BLK_CANDS    256u  /* first writes inside running transactions */

/* One lane log record: 32 bytes; two per lane in one cache line. */
struct pc__blklog {
	uint32_t lba;  /* block number written */
	uint32_t old;  /* map entry before the write */
	uint32_t nw;   /* map entry the write publishes */
	uint32_t seq;  /* lane write counter; the newer slot wins */
	uint32_t csum; /* pc__blk_csum() of the four fields; never 0 */
	uint32_t pad[3];
};

/* Volatile state of one lane (in the volatile area, never flushed). */
struct pc__blklane {
	uint32_t lock; /* 0 free, 1 taken */
	uint32_t seq;  /* seq of the lane's current log record */
	uint32_t free; /* physical block the next write copies into */
	uint32_t pad[13];
};

/* Volatile area: lives in the pool next to the map, rebuilt by
 * pmemobj_volatile() once per pool open, never flushed. */
struct pc__blkvol {
	uint32_t next_lane;  /* round-robin hint for new threads */
	uint32_t alloc_lock; /* protects hwm and holes */
	uint32_t hwm;        /* physical blocks below it have been used */
	uint32_t nholes;     /* entries of holes[] */
	uint32_t pad[12];
	uint32_t holes[PC__BLK_HOLES]; /* unreferenced blocks below hwm */
	uint32_t ncand;                /* entries of cand[] */
	uint32_t pad2[15];
	/* Blocks given to first writes inside transactions: {lba, phys}. */
	uint32_t cand[PC__BLK_CANDS][2];
	struct pc__blklane lane[PC__BLK_MAXLANES];
	uint32_t gen[PC__BLK_GENS];      /* seqlock generation per slot */
	uint8_t stripe[PC__BLK_STRIPES]; /* writer lock per stripe */
};

/* Persistent header: the named root object. */
struct pc__blkhdr {
	struct pc__objhdr oh;
	uint64_t bsize;  /* user block size */
	uint64_t stride; /* bytes per physical block: bsize rounded to 64 */
	uint64_t nblock; /* user-visible blocks */
	uint64_t nphys;  /* physical blocks: nblock + nlanes */
	uint64_t nlanes; /* lanes (persistent: one log pair each) */
	uint64_t
		area_off; /* allocation holding logs, volatile area, map, data */
	uint64_t area_size; /* its size */
	uint64_t log_off;   /* nlanes * 2 records, 64-byte aligned */
	uint64_t vol_off;   /* struct pc__blkvol */
	uint64_t map_off;   /* nblock 32-bit entries: phys << 2 | flags */
	uint64_t data_off;  /* nphys * stride bytes, 4096-byte aligned */
	uint64_t reserved[5];
	struct pmemvlt vlt; /* run id of the volatile area */
};

static inline pc_typesig pc__blk_sig(void)
{
	return pc__sig_make("pblkarr", PC_KIND_BLKARR, PBLKARR_VERSION, 0, 0, 0,
			    0);
}

static inline uint64_t pc__blk_align(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static inline uint32_t pc__blk_csum(uint32_t lba, uint32_t old, uint32_t nw,
				    uint32_t seq)
{
	uint64_t z = ((uint64_t)lba << 32 | old) ^ 0x6a09e667f3bcc909ull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z ^= ((uint64_t)nw << 32 | seq);
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	uint32_t r = (uint32_t)(z ^ (z >> 32));
	return r ? r : 1;
}

static inline int pc__blk_log_valid(const struct pc__blklog *g)
{
	return g->csum == pc__blk_csum(g->lba, g->old, g->nw, g->seq);
}

/* The lane's current log record (the valid one with the newer seq), or
 * NULL when neither record is valid (corruption). */
static inline const struct pc__blklog *
pc__blk_log_cur(const struct pc__blklog *pair)
{
	int v0 = pc__blk_log_valid(&pair[0]);
	int v1 = pc__blk_log_valid(&pair[1]);
	if (v0 && v1)
		return (int32_t)(pair[1].seq - pair[0].seq) > 0 ? &pair[1]
								: &pair[0];
	if (v0)
		return &pair[0];
	if (v1)
		return &pair[1];
	return NULL;
}

/*
 * Which physical block a lane holds free, from its current log record and
 * the map: old == nw marks the initial record; a map entry still equal to
 * `old` means the write was not published (or a transaction restored it),
 * so the new block is still free; anything else means it was published
 * and the old block became free. Returns UINT32_MAX when inconsistent.
 */
static inline uint32_t pc__blk_lane_free(const struct pc__blkhdr *h,
					 const uint32_t *map,
					 const struct pc__blklog *g)
{
	if (g->old != g->nw && g->lba >= h->nblock)
		return UINT32_MAX;
	/* The new block is free when this is the initial record or the
	 * write was not published; otherwise the old one is. */
	int unpublished =
		g->old == g->nw ||
		__atomic_load_n(&map[g->lba], __ATOMIC_ACQUIRE) == g->old;
	uint32_t f = unpublished ? g->nw >> 2 : g->old >> 2;
	return f < h->nphys ? f : UINT32_MAX;
}

static inline void pc__blk_bind(pc_pool *pool, struct pc__blkhdr *h, pblkarr *a)
{
	a->pool = pool;
	a->h = h;
	a->map = (uint32_t *)(void *)(pool->base + h->map_off);
	a->data = pool->base + h->data_off;
	a->log = (struct pc__blklog *)(void *)(pool->base + h->log_off);
	a->v = (struct pc__blkvol *)(void *)(pool->base + h->vol_off);
	a->bsize = (size_t)h->bsize;
	a->stride = (size_t)h->stride;
	a->nblock = h->nblock;
}

/* Bytes of the area for n blocks, with worst-case alignment padding. */
static inline uint64_t pc__blk_area_size(uint64_t n, uint64_t stride,
					 uint64_t nlanes)
{
	return 64 + nlanes * 2 * sizeof(struct pc__blklog) +
	       pc__blk_align(sizeof(struct pc__blkvol), 64) +
	       pc__blk_align(n * 4, 64) + 4096 + (n + nlanes) * stride;
}

/** @endcond */

#endif /* PCOLL_DETAIL_BLKARR_LAYOUT_H */
