/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file blkarr.h
 * @brief PBLKARR: an array of fixed-size blocks, each written atomically
 * with respect to power failure (the libpmemblk replacement).
 *
 * @code
 * pblkarr a;
 * PC_TRY(pblkarr_root(pool, "disk", PC_OPEN_OR_CREATE, 4096, 0, &a));
 * PC_TRY(pblkarr_write(&a, 20, buf));   // all or nothing, 2 fences
 * PC_TRY(pblkarr_read(&a, 20, buf));    // lock-free, never torn
 * @endcode
 *
 * A block that was never written reads as zeros. A write is all-or-nothing
 * under power failure at any instant: a later read returns the old or the
 * new block, never a mix. Outside a transaction a write costs two fences:
 * the data goes into a free physical block together with a small per-lane
 * log entry (fence 1), then one 4-byte store to the block map publishes it
 * (fence 2). The old physical block becomes the lane's free block; after a
 * crash the lane log tells which block is free (see docs/blkarr.md). A
 * block that was never written owns no physical block: its first write
 * goes in place into one taken from a dense allocator (data, fence 1; map
 * store, fence 2), so a fresh array touches its pages in order. Opening an
 * array scans its map once (O(nblock)) to rebuild that allocator.
 *
 * Block size rule: any size from 1 to #PBLKARR_MAX_BSIZE bytes; internally
 * each block occupies its size rounded up to a multiple of 64 bytes (a
 * cache line), so 512-byte and 4 KiB blocks have no padding.
 *
 * Threads: any number of threads may read and write through the same
 * handle (or copies of it) at once. Reads take no lock and never see a
 * torn block; writers use one of #PBLKARR_LANES lanes each. pblkarr_free()
 * and pblkarr_root() creating the array are not concurrent with other
 * calls.
 *
 * Inside a TX() a write joins the transaction (undo-logged in place, see
 * pblkarr_write()): it is undone on abort. Transactions give atomicity, not
 * isolation: a block written in a running transaction must not be written
 * or read by other threads until that transaction ends.
 */
#ifndef PCOLL_BLKARR_H
#define PCOLL_BLKARR_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include <libpmemobj.h>

#include "detail/txcore.h"
#include "err.h"
#include "persist.h"
#include "pool.h"
#include "tx.h"

/** @brief Largest block size in bytes (64 MiB). */
#define PBLKARR_MAX_BSIZE ((size_t)1 << 26)

/** @brief Number of lanes (concurrent writers) of a new array. */
#define PBLKARR_LANES 8

/** @brief Layout version of the PBLKARR header. */
#define PBLKARR_VERSION 1

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
/** @endcond */

/**
 * @brief Volatile handle of a block array; obtain with pblkarr_root().
 *
 * A plain value: copy it freely (all copies share the array's state). The
 * fields are read-only for users.
 */
typedef struct pblkarr {
	pc_pool *pool;          /**< The pool holding the array. */
	struct pc__blkhdr *h;   /**< @private Persistent header. */
	uint32_t *map;          /**< @private Block map. */
	char *data;             /**< @private Physical blocks. */
	struct pc__blklog *log; /**< @private Lane logs. */
	struct pc__blkvol *v;   /**< @private Volatile area. */
	size_t bsize;           /**< Block size in bytes. */
	size_t stride;          /**< @private Physical block size. */
	uint64_t nblock;        /**< Number of blocks. */
} pblkarr;

/** @cond PCOLL_INTERNAL */
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

/* Bytes of the area for n blocks, with worst-case alignment padding. */
static inline uint64_t pc__blk_area_size(uint64_t n, uint64_t stride,
					 uint64_t nlanes)
{
	return 64 + nlanes * 2 * sizeof(struct pc__blklog) +
	       pc__blk_align(sizeof(struct pc__blkvol), 64) +
	       pc__blk_align(n * 4, 64) + 4096 + (n + nlanes) * stride;
}

/* Largest allocation libpmemobj can make now (probed with reservations,
 * which are volatile until published: nothing persists). */
static inline uint64_t pc__blk_max_alloc(pc_pool *pool)
{
	uint64_t lo = 0, hi = PMEMOBJ_MAX_ALLOC_SIZE;
	if (pool->size && pool->size < hi)
		hi = pool->size;
	while (hi - lo > 4096) {
		uint64_t mid = lo + (hi - lo) / 2;
		struct pobj_action act;
		PMEMoid o = pmemobj_reserve(pool->pop, &act, mid, 0);
		if (OID_IS_NULL(o)) {
			hi = mid;
		} else {
			pmemobj_cancel(pool->pop, &act, 1);
			lo = mid;
		}
	}
	return lo;
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
		uint64_t m = pc__blk_max_alloc(pool);
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
			(unsigned long long)size, pmemobj_errormsg()));
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

/* Always inlined so the caller's compiler sees buf checked before use. */
__attribute__((always_inline)) static inline pc_err
pc__blk_args(const pblkarr *a, uint64_t i, const void *buf, const char *fn)
{
	if (PC__UNLIKELY(!a || !a->h))
		return pc__fail(PC_E_INVAL, "%s: NULL or unbound handle", fn);
	if (PC__UNLIKELY(i >= a->nblock))
		return pc__fail(PC_E_RANGE,
				"%s: block %llu, the array has %llu blocks", fn,
				(unsigned long long)i,
				(unsigned long long)a->nblock);
	if (PC__UNLIKELY(!buf))
		return pc__fail(PC_E_INVAL, "%s: NULL buffer", fn);
	return PC_OK;
}

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

static inline pc_err pc__blk_nospace(const pblkarr *a, uint64_t i)
{
	return pc__fail(PC_E_FULL,
			"pblkarr_write: %s: no physical block left for the "
			"first write of block %llu; reopen the pool to reclaim "
			"the blocks of interrupted first writes",
			a->pool->path, (unsigned long long)i);
}

/* Write inside a running transaction: undo-log the block in place. A
 * block never written gets a physical block whose contents need no
 * snapshot (the map entry's undo restores "never written"). */
static inline pc_err pc__blk_write_tx(pblkarr *a, uint64_t i, const void *buf)
{
	pc__blk_stripe_lock(a->v, i);
	uint32_t e = a->map[i];
	uint32_t p = e >> 2;
	pc_err err = PC_OK;
	if (p == PC__BLK_NOPHYS) {
		p = pc__blk_alloc(a->map, a->v, a->h->nphys, i, 1);
		if (p == PC__BLK_NOPHYS)
			err = pc__tx_abort_with(pc__blk_nospace(a, i));
	}
	char *dst = err == PC_OK ? a->data + (uint64_t)p * a->stride : NULL;
	if (err == PC_OK && (e >> 2) == PC__BLK_NOPHYS) {
		if (pmemobj_tx_xadd_range_direct(dst, a->bsize,
						 POBJ_XADD_NO_SNAPSHOT |
							 POBJ_XADD_NO_ABORT))
			err = pc__tx_abort_with(pc__fail(
				PC_E_FULL, "pblkarr_write: block %llu: %s",
				(unsigned long long)i, pmemobj_errormsg()));
	} else if (err == PC_OK) {
		err = pc__tx_snap(dst, a->bsize);
	}
	if (err == PC_OK && (e & PC__BLK_F_MASK))
		err = pc__tx_snap(&a->map[i], sizeof(uint32_t));
	if (err != PC_OK) {
		pc__blk_stripe_unlock(a->v, i);
		return err;
	}
	uint32_t *gen = &a->v->gen[p % PC__BLK_GENS];
	__atomic_fetch_add(gen, 1, __ATOMIC_SEQ_CST);
	memcpy(dst, buf, a->bsize);
	__atomic_fetch_add(gen, 1, __ATOMIC_RELEASE);
	if (e & PC__BLK_F_MASK)
		__atomic_store_n(&a->map[i], p << 2, __ATOMIC_RELEASE);
	pc__blk_stripe_unlock(a->v, i);
	return PC_OK;
}

/*
 * Write to a block whose map entry is flagged (never written, zeroed or
 * bad): its contents are not visible, so the data goes in place (into its
 * own physical block, or a fresh one from the dense allocator when it
 * never had one) and one map store clearing the flag publishes it. Two
 * fences, no lane, no log: a crash before the store leaves the flag (the
 * old contents); a fresh block is then owned by nobody and reclaimed when
 * the pool is next opened. Called with the stripe lock held.
 */
static inline pc_err pc__blk_write_flagged(pblkarr *a, uint64_t i,
					   const void *buf, uint32_t old)
{
	uint32_t p = old >> 2;
	if (p == PC__BLK_NOPHYS) {
		p = pc__blk_alloc(a->map, a->v, a->h->nphys, i, 0);
		if (p == PC__BLK_NOPHYS)
			return pc__blk_nospace(a, i);
	}
	uint32_t *gen = &a->v->gen[p % PC__BLK_GENS];
	__atomic_fetch_add(gen, 1, __ATOMIC_SEQ_CST);
	pc_pool_memcpy_nodrain(a->pool, a->data + (uint64_t)p * a->stride, buf,
			       a->bsize);
	pc_pool_drain(a->pool);
	__atomic_fetch_add(gen, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&a->map[i], p << 2, __ATOMIC_RELEASE);
	pc_pool_persist(a->pool, &a->map[i], sizeof(uint32_t));
	return PC_OK;
}

/* Sets the flags of map entry i (set_zero / set_error). */
static inline pc_err pc__blk_set_flag(pblkarr *a, uint64_t i, uint32_t flag,
				      const char *fn)
{
	PC_TRY(pc__blk_args(a, i, a, fn));
	pc__txstate st = pc__tx_state();
	if (st == PC__TX_DEAD)
		return pc__fail(PC_E_ABORTED, "%s: transaction aborted", fn);
	pc__blk_stripe_lock(a->v, i);
	uint32_t e = a->map[i];
	uint32_t ne = (e & ~PC__BLK_F_MASK) | flag;
	pc_err err = PC_OK;
	if (st == PC__TX_WORK)
		err = pc__tx_snap(&a->map[i], sizeof(uint32_t));
	if (err == PC_OK && ne != e) {
		__atomic_store_n(&a->map[i], ne, __ATOMIC_RELEASE);
		if (st == PC__TX_NONE)
			pc_pool_persist(a->pool, &a->map[i], sizeof(uint32_t));
	}
	pc__blk_stripe_unlock(a->v, i);
	return err;
}
/** @endcond */

/**
 * @brief Find the block array named @p name in @p pool, or create it.
 *
 * @param pool   an open pool.
 * @param name   root name (at most #PC_NAME_MAX bytes).
 * @param mode   ::PC_OPEN, ::PC_CREATE or ::PC_OPEN_OR_CREATE.
 * @param bsize  block size in bytes, 1 to #PBLKARR_MAX_BSIZE. When opening,
 *               0 accepts any size; another value must match the array's.
 * @param nblock number of blocks of a new array; 0 makes as many as fit in
 *               the pool's free space. Ignored when opening.
 * @param out    receives the handle.
 * @return ::PC_OK; ::PC_E_FULL when the blocks do not fit (nothing is left
 * behind); ::PC_E_INVAL (NULL, bsize 0 when creating); ::PC_E_TOOBIG
 * (bsize over the limit, more than 2^30 blocks); ::PC_E_TYPE (the root holds
 * something else, or blocks of another size); ::PC_E_NOTFOUND,
 * ::PC_E_EXISTS (per @p mode); ::PC_E_CORRUPT (damaged header or lane
 * logs); ::PC_E_ABORTED.
 *
 * Transactions: joins one if open (a new array then disappears if it
 * aborts); otherwise runs its own for the creation.
 */
PC_MUST_USE static inline pc_err pblkarr_root(pc_pool *pool, const char *name,
					      pc_open_mode mode, size_t bsize,
					      uint64_t nblock, pblkarr *out)
{
	if (!pool || !out)
		return pc__fail(PC_E_INVAL, "pblkarr_root: NULL argument");
	memset(out, 0, sizeof(*out));
	if (bsize > PBLKARR_MAX_BSIZE)
		return pc__fail(
			PC_E_TOOBIG,
			"pblkarr_root: block size %zu, the limit is %zu", bsize,
			PBLKARR_MAX_BSIZE);
	if (nblock >= PC__BLK_MAXPHYS - PBLKARR_LANES)
		return pc__fail(PC_E_TOOBIG,
				"pblkarr_root: %llu blocks, the limit is %llu",
				(unsigned long long)nblock,
				(unsigned long long)(PC__BLK_MAXPHYS -
						     PBLKARR_LANES - 1));
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

/** @brief Block size in bytes. Transactions: any. */
static inline size_t pblkarr_bsize(const pblkarr *a)
{
	return a->bsize;
}

/** @brief Number of blocks. Transactions: any. */
static inline uint64_t pblkarr_nblock(const pblkarr *a)
{
	return a->nblock;
}

/**
 * @brief Copy block @p i into @p buf (pblkarr_bsize() bytes).
 *
 * Takes no lock. A block never written (or set by pblkarr_set_zero())
 * reads as zeros. Never returns a torn block, even while other threads
 * write the same block: the copy is validated against the block map and
 * a generation counter and retried when a writer got in between.
 * @return ::PC_OK, ::PC_E_RANGE (@p i >= nblock), ::PC_E_BADBLOCK (the
 * block was marked with pblkarr_set_error()), ::PC_E_INVAL.
 *
 * Transactions: any (sees the running transaction's own writes).
 */
PC_MUST_USE static inline pc_err pblkarr_read(const pblkarr *a, uint64_t i,
					      void *buf)
{
	PC_TRY(pc__blk_args(a, i, buf, "pblkarr_read"));
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

/**
 * @brief Write @p buf (pblkarr_bsize() bytes) to block @p i, atomically.
 *
 * Outside a transaction: durable and all-or-nothing on return, with two
 * fences (data and lane log, then the 4-byte map entry). Clears a
 * pblkarr_set_zero() or pblkarr_set_error() mark. A block never written
 * (or marked) is written in place, without a lane or log, still with two
 * fences; its first write takes a fresh physical block.
 *
 * Inside a transaction: joins it. The block's current contents are
 * snapshotted (undo log) and overwritten in place; abort restores them.
 * The lanes are not involved, so their free blocks stay consistent
 * whatever the outcome.
 * @return ::PC_OK, ::PC_E_RANGE, ::PC_E_INVAL, ::PC_E_ABORTED (the
 * enclosing transaction has aborted), ::PC_E_FULL (no room for the undo
 * log, which aborts the transaction; or, only after more than 1024
 * first writes were cut short by crashes, or more than 256 first writes
 * in running transactions, no physical block for a first write until the
 * pool is reopened).
 *
 * Transactions: joins one if open; its own 2-fence protocol otherwise.
 */
PC_MUST_USE static inline pc_err pblkarr_write(pblkarr *a, uint64_t i,
					       const void *buf)
{
	PC_TRY(pc__blk_args(a, i, buf, "pblkarr_write"));
	pc__txstate st = pc__tx_state();
	if (PC__UNLIKELY(st != PC__TX_NONE)) {
		if (st == PC__TX_DEAD)
			return pc__fail(PC_E_ABORTED,
					"pblkarr_write: transaction aborted");
		return pc__blk_write_tx(a, i, buf);
	}
	struct pc__blkvol *v = a->v;
	pc__blk_stripe_lock(v, i);
	uint32_t old = __atomic_load_n(&a->map[i], __ATOMIC_RELAXED);
	if (PC__UNLIKELY(old & PC__BLK_F_MASK)) {
		pc_err e = pc__blk_write_flagged(a, i, buf, old);
		pc__blk_stripe_unlock(v, i);
		return e;
	}
	if (PC__UNLIKELY(__atomic_load_n(&v->ncand, __ATOMIC_RELAXED)))
		pc__blk_uncand(v, old >> 2);
	uint32_t l = pc__blk_lane_get(v, (uint32_t)a->h->nlanes);
	struct pc__blklane *lane = &v->lane[l];
	uint32_t f = lane->free;
	uint32_t *gen = &v->gen[f % PC__BLK_GENS];

	/* Fence 1: the data and the lane's log record. */
	__atomic_fetch_add(gen, 1, __ATOMIC_SEQ_CST);
	pc_pool_memcpy_nodrain(a->pool, a->data + (uint64_t)f * a->stride, buf,
			       a->bsize);
	uint32_t seq = lane->seq + 1;
	struct pc__blklog *g = &a->log[2 * l + (seq & 1)];
	g->lba = (uint32_t)i;
	g->old = old;
	g->nw = f << 2;
	g->seq = seq;
	g->csum = pc__blk_csum((uint32_t)i, old, f << 2, seq);
	pc_pool_flush(a->pool, g, sizeof(*g));
#ifndef PCOLL_TEST_BUG_BLK_NO_FENCE /* broken test build: no fence 1 */
	pc_pool_drain(a->pool);
#endif
	__atomic_fetch_add(gen, 1, __ATOMIC_RELEASE);

	/* Fence 2: publish with one 4-byte store. */
	__atomic_store_n(&a->map[i], f << 2, __ATOMIC_RELEASE);
	pc_pool_persist(a->pool, &a->map[i], sizeof(uint32_t));

	lane->free = old >> 2;
	lane->seq = seq;
	pc__blk_lane_put(v, l);
	pc__blk_stripe_unlock(v, i);
	return PC_OK;
}

/**
 * @brief Make block @p i read as zeros (metadata only: one 4-byte store,
 * one fence; no data is written).
 * @return ::PC_OK, ::PC_E_RANGE, ::PC_E_INVAL, ::PC_E_ABORTED,
 * ::PC_E_FULL (undo log; aborts).
 *
 * Transactions: joins one if open (undone on abort).
 */
PC_MUST_USE static inline pc_err pblkarr_set_zero(pblkarr *a, uint64_t i)
{
	return pc__blk_set_flag(a, i, PC__BLK_F_ZERO, "pblkarr_set_zero");
}

/**
 * @brief Mark block @p i bad: reads fail with ::PC_E_BADBLOCK until the
 * block is written again (one 4-byte store, one fence).
 * @return ::PC_OK, ::PC_E_RANGE, ::PC_E_INVAL, ::PC_E_ABORTED,
 * ::PC_E_FULL (undo log; aborts).
 *
 * Transactions: joins one if open (undone on abort).
 */
PC_MUST_USE static inline pc_err pblkarr_set_error(pblkarr *a, uint64_t i)
{
	return pc__blk_set_flag(a, i, PC__BLK_F_ERROR, "pblkarr_set_error");
}

/**
 * @brief Check the array's invariants: a sane header; every map entry
 * valid (a physical block in range, or "none yet" with the zero or error
 * flag); every lane with a valid log record; no physical block owned twice
 * across the map and the lanes' free blocks; every owned block below the
 * allocation mark, every recorded hole unowned; the volatile lane state
 * agreeing with the persistent logs. Call when no write is running.
 * @return ::PC_OK, ::PC_E_CORRUPT (pc_errmsg() says what is wrong),
 * ::PC_E_NOMEM, ::PC_E_INVAL.
 *
 * Transactions: any (reads only).
 */
PC_MUST_USE static inline pc_err pblkarr_check(const pblkarr *a)
{
	if (!a || !a->h)
		return pc__fail(PC_E_INVAL, "pblkarr_check: unbound handle");
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

/**
 * @brief Destroy the array: unbind its root name and free its space. The
 * handle is cleared. No other thread may use the array meanwhile.
 * @return ::PC_OK, ::PC_E_INVAL, ::PC_E_ABORTED, ::PC_E_CORRUPT.
 *
 * Transactions: joins one if open (then nothing is freed if it aborts);
 * otherwise runs its own.
 */
PC_MUST_USE static inline pc_err pblkarr_free(pblkarr *a)
{
	if (!a || !a->h)
		return pc__fail(PC_E_INVAL, "pblkarr_free: unbound handle");
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

#endif /* PCOLL_BLKARR_H */
