/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the type-erased persistent B+-tree behind PMAP(K,V). Users
 * include <pcoll/map.h>; nothing here is public API except ::pc_bound.
 * This part (the first of detail/map_engine.h): node geometry, the
 * descriptor, the persistent structs, and the address, persistence,
 * transaction and allocation adapters every other part goes through.
 *
 * Every function takes a pc__mctx: the map's descriptor (key kind, slot
 * geometry, comparator; a `static const` object of the typed layer, so the
 * compiler constant-folds it wherever it inlines), the pool, and the map's
 * persistent header. docs/map.md describes the layout and the protocols.
 *
 * Offsets are resolved as base + offset. In the DRAM build of a map
 * (descriptor flag `dram`), base is 0 and offsets are addresses of malloc'd
 * nodes, persistence calls are skipped and "transactions" do nothing: the
 * same code without persistence, used as the benchmark's anchor.
 *
 * Relies on: pool.h (flush, drain, persist), detail/txcore.h (the own or
 * joined transaction), bytes.h (pc_bytes), libpmemobj.
 */
#ifndef PCOLL_DETAIL_MAP_LAYOUT_H
#define PCOLL_DETAIL_MAP_LAYOUT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpmemobj.h>

#include "../bytes.h"
#include "../err.h"
#include "../pool.h"
#include "txcore.h"

/**
 * @brief How a range end is bounded (see the `range` functions of
 * PMAP(K,V)).
 */
typedef enum pc_bound {
	PC_UNBOUNDED = 0, /**< No bound on this side (the key is ignored). */
	PC_INCLUDED = 1,  /**< The bound key itself belongs to the range. */
	PC_EXCLUDED = 2   /**< Only keys strictly beyond the bound belong. */
} pc_bound;

/** @cond PCOLL_INTERNAL */

/* Key kinds. */
enum {
	PC__MK_UINT = 1, /* unsigned integer of ksz bytes, compared by < */
	PC__MK_SINT = 2, /* signed integer of ksz bytes */
	PC__MK_FN = 3,   /* anything else: the comparator */
	PC__MK_BYTES = 4 /* pc_bytes stored, pc_slice probes */
};

#define PC__MAP_VERSION 1
#define PC__MAP_MAXH    40   /* levels, including the leaf level */
#define PC__MAP_KMAX    1024 /* largest fixed key */
#define PC__ML_HDR      192  /* leaf: header line, fingerprints, order */
#define PC__MAP_LBYTES  16384
#define PC__MAP_IBYTES  1008

#define PC__MAP_TN_LEAF  0x706d61704c454146ull /* libpmemobj type nums */
#define PC__MAP_TN_INNER 0x706d6170494e4e52ull
#define PC__MAP_TN_STR   0x706d617053545247ull

/* Geometry from sizes and alignments (constant expressions). */
#define PC__MAP_UP(x, a)         ((((x) + (a)-1) / (a)) * (a))
#define PC__MAP_MAX(a, b)        ((a) > (b) ? (a) : (b))
#define PC__MAP_MIN(a, b)        ((a) < (b) ? (a) : (b))
#define PC__MAP_VOFF(ks, ka, va) PC__MAP_UP((ks), (va))
#define PC__MAP_SLOT(ks, ka, vs, va)                \
	PC__MAP_UP(PC__MAP_VOFF(ks, ka, va) + (vs), \
		   PC__MAP_MAX(PC__MAP_MAX((ka), (va)), 1))
#define PC__MAP_LCAP(slot) \
	PC__MAP_MIN(64, PC__MAP_MAX(8, PC__MAP_LBYTES / (slot)))
#define PC__MAP_ICAP(ks) \
	PC__MAP_MIN(63, PC__MAP_MAX(4, PC__MAP_IBYTES / ((ks) + 8)))
#define PC__MAP_IKOFF(ks, ka) \
	PC__MAP_UP(8 + (PC__MAP_ICAP(ks) + 1) * 8, PC__MAP_MAX((ka), 8))

typedef struct pc__mapd {
	uint32_t kkind;    /* PC__MK_* */
	uint32_t ksz;      /* stored key size */
	uint32_t vsz;      /* stored value size */
	uint32_t vbytes;   /* values are pc_bytes */
	uint32_t dram;     /* no persistence: malloc'd nodes */
	uint32_t vinplace; /* value is one aligned 1/2/4/8-byte store */
	uint32_t voff;     /* value offset in a slot */
	uint32_t slot;     /* slot size */
	uint32_t lcap;     /* slots per leaf (8..64) */
	uint32_t lsize;    /* leaf bytes */
	uint32_t icap;     /* keys per inner node */
	uint32_t ikoff;    /* offset of the keys in an inner node */
	uint32_t isize;    /* inner node bytes */
	uint32_t sync;     /* PC_SYNC: shared by threads (map_sync_*.h) */
	int (*cmp)(const void *, const void *);
} pc__mapd;

/* The persistent header (the named root's object). */
struct pc__maphdr {
	struct pc__objhdr oh;
	uint64_t root;   /* offset of the root node */
	uint64_t height; /* inner levels above the leaves (0: root is a leaf) */
	uint32_t lcap, icap, slot, isize;
	uint64_t epoch; /* bumped by every open: order hints written under
			   an older epoch may be torn and are verified */
	uint64_t reserved[3];
};

struct pc__mleaf {
	uint64_t bitmap; /* bit i: slot i holds a live entry */
	uint64_t next;   /* offset of the next leaf in key order, 0 at end */
	uint64_t hint_epoch; /* header epoch when order[] was last written */
	uint64_t pad[5];
	uint8_t fp[64];    /* 1-byte hash of slot i's key */
	uint8_t order[64]; /* hint: slots in key order, 0xFF ends */
	unsigned char slots[];
};

struct pc__minner {
	uint32_t n; /* keys; children: n + 1 */
	uint32_t pad;
	uint64_t child[];
	/* keys at ikoff: key i separates child i (< key) and i+1 (>=) */
};

typedef struct pc__mctx {
	const pc__mapd *d;
	pc_pool *pool;  /* NULL in the DRAM build */
	uintptr_t base; /* 0 in the DRAM build */
	struct pc__maphdr *h;
	uint64_t *tab; /* PC_SYNC: the pool's lock words, else NULL */
} pc__mctx;

typedef struct pc__mpath {
	unsigned h;                      /* leaf level */
	uint64_t node[PC__MAP_MAXH + 1]; /* node[0] root .. node[h] leaf */
	uint32_t idx[PC__MAP_MAXH];      /* child taken at node[l] */
	uint64_t pred; /* PC_SYNC: the locked leaf before node[h], 0: none */
} pc__mpath;

/* Pending allocator actions of one non-transactional operation. */
typedef struct pc__macts {
	struct pobj_action act[6];
	unsigned n;
	void *dnew[2];  /* DRAM build: strings allocated */
	void *dfree[2]; /* DRAM build: strings to free on commit */
	unsigned ndnew, ndfree;
} pc__macts;

/* ---------------------------------------------------------------- */
/* Addresses, persistence, transactions, allocation                  */
/* ---------------------------------------------------------------- */

static inline void *pc__m_at(const pc__mctx *c, uint64_t off)
{
	return (void *)(c->base + (uintptr_t)off);
}

static inline struct pc__mleaf *pc__ml(const pc__mctx *c, uint64_t off)
{
	return (struct pc__mleaf *)pc__m_at(c, off);
}

static inline struct pc__minner *pc__mi(const pc__mctx *c, uint64_t off)
{
	return (struct pc__minner *)pc__m_at(c, off);
}

/* Slot i of leaf l, key i of inner node n. Readers and writers share
 * these: node addresses are integers here (base + offset, as in
 * pc__mptr()), the pool is mapped writable, and a const node only says
 * that the caller does not change the node's header. */
static inline unsigned char *pc__ml_slot(const pc__mctx *c,
					 const struct pc__mleaf *l, unsigned i)
{
	return (unsigned char *)((uintptr_t)l->slots + (size_t)i * c->d->slot);
}

static inline unsigned char *pc__mi_key(const pc__mctx *c,
					const struct pc__minner *n, unsigned i)
{
	return (unsigned char *)((uintptr_t)n + c->d->ikoff +
				 (size_t)i * c->d->ksz);
}

static inline uint64_t pc__ml_capmask(const pc__mctx *c)
{
	return c->d->lcap >= 64 ? ~0ull : ((1ull << c->d->lcap) - 1);
}

static inline void pc__m_flush(const pc__mctx *c, const void *p, size_t n)
{
	if (!c->d->dram)
		pc_pool_flush(c->pool, p, n);
}

static inline void pc__m_drain(const pc__mctx *c)
{
	if (!c->d->dram)
		pc_pool_drain(c->pool);
}

static inline void pc__m_persist(const pc__mctx *c, const void *p, size_t n)
{
	if (!c->d->dram)
		pc_pool_persist(c->pool, p, n);
}

static inline pc__txstate pc__m_txstate(const pc__mctx *c)
{
	return c->d->dram ? PC__TX_NONE : pc__tx_state();
}

static inline pc_err pc__m_tx_enter(const pc__mctx *c, pc__txj *j)
{
	if (c->d->dram) {
		j->own = 0;
		return PC_OK;
	}
	return pc__tx_enter(c->pool->pop, j);
}

static inline pc_err pc__m_tx_leave(const pc__mctx *c, pc__txj *j, pc_err e)
{
	if (c->d->dram)
		return e;
	return pc__tx_leave(j, e);
}

/* A PC_E_FULL of the map: the message names the map's type and pool. */
static inline pc_err pc__m_full(const pc__mctx *c, pc_err e)
{
	if (PC__LIKELY(e != PC_E_FULL) || c->d->dram)
		return e;
	return pc__pool_full_ctx(c->pool, e, c->h->oh.sig.name);
}

static inline pc_err pc__m_snap(const pc__mctx *c, const void *p, size_t n)
{
	if (c->d->dram)
		return PC_OK;
	return pc__m_full(c, pc__tx_snap(p, n));
}

/* Allocate a node or string inside the (own or joined) transaction. */
static inline pc_err pc__m_alloc(const pc__mctx *c, size_t n, uint64_t tn,
				 uint64_t *off)
{
	if (c->d->dram) {
		void *p = aligned_alloc(64, PC__MAP_UP(n, 64));
		if (!p)
			return pc__fail(PC_E_NOMEM, "pmap: out of memory");
		*off = (uint64_t)(uintptr_t)p;
		return PC_OK;
	}
	return pc__m_full(c, pc__tx_alloc(n, tn, 0, off));
}

static inline pc_err pc__m_free(const pc__mctx *c, uint64_t off)
{
	if (!off)
		return PC_OK;
	if (c->d->dram) {
		free((void *)(uintptr_t)off);
		return PC_OK;
	}
	return pc__tx_free(c->pool->uuid_lo, off);
}

/** @endcond */

#endif /* PCOLL_DETAIL_MAP_LAYOUT_H */
