/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file map.h
 * @brief PMAP(K,V): an ordered persistent map (a B+-tree) with range
 * queries, point operations committed by one 8-byte store, and byte-string
 * keys and values.
 *
 * Instantiate by include:
 * @code
 * #define PC_K uint64_t          // key type: an integer, or any
 *                                // PC_DECLARE'd type with PC_CMP
 * #define PC_V uint64_t          // value type (PC_DECLARE'd)
 * #define PC_NAME map_u64        // optional; default PMAP(K,V)
 * #include <pcoll/map.h>
 *
 * #define PC_K_BYTES             // byte-string keys (pc_slice in, out)
 * #define PC_V_BYTES             // byte-string values
 * #include <pcoll/map.h>         // PMAP(bytes, bytes)
 * @endcode
 *
 * Keys: integer types (char, short, int, long, long long, signed or
 * unsigned, and their <stdint.h> names) compare by value with no further
 * definition; other arithmetic types (double, float) compare with < and >
 * (NaN keys are not supported). Any other key type needs `#define PC_CMP
 * my_cmp` with `int my_cmp(const K *a, const K *b)` returning <0, 0, >0 (a
 * total order; keys equal under it are the same key); without it the
 * instantiation does not compile. With `PC_K_BYTES` keys are byte strings ordered lexicographically
 * as unsigned bytes (a proper prefix first).
 *
 * Bounds: `above(k)` means keys > k, `below(k)` keys < k and
 * `between(k1, k2)` keys with k1 < key < k2 (empty when k1 >= k2): all
 * strict, as in pmemkv. range() takes a `pc_bound` per end (PC_UNBOUNDED, PC_INCLUDED or PC_EXCLUDED).
 *
 * Transactions: every mutating call outside TX() is failure-atomic on its
 * own; inside TX() it joins the transaction (so an abort undoes it).
 * Readers need no transaction. Iterators, slices and pointers handed out
 * are invalidated by any change to the map. One thread at a time per map,
 * unless the map is instantiated with `#define PC_SYNC`: then every
 * thread may share it, readers take no lock, results are copies
 * (docs/map.md, "Concurrency: PC_SYNC").
 *
 * `#define PC_DRAM` builds the same code without persistence on malloc'd
 * memory (the benchmark's DRAM anchor): use NAME_dram_new() and
 * NAME_dram_delete() instead of NAME_root() and NAME_free().
 *
 * The generated names are documented below with the instance name `NAME`.
 * See docs/map.md for the layout, the commit protocols and costs.
 */
#ifndef PCOLL_MAP_H_COMMON
#define PCOLL_MAP_H_COMMON

#include "detail/lang.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bytes.h"
#include "detail/map_engine.h"
#include "detail/txcore.h"
#include "err.h"
#include "pool.h"
#include "ptr.h"
#include "tx.h"

/** @brief The map type name for key type K and value type V
 * (`PMAP(uint64_t, uint64_t)` is `pmap_uint64_t_uint64_t`; use `bytes`
 * for byte strings: `PMAP(bytes, bytes)`). */
#define PMAP(K, V) pmap_##K##_##V

/** @cond PCOLL_INTERNAL */
#define PC__MAPF(name, fn) PC__CAT(name, PC__CAT(_, fn))
/* The key kind of an integer type, else the comparator kind. */
#define PC__MAP_KIND(T) \
	_Generic((T *)0, char *: ((char)-1 < 0 ? PC__MK_SINT : PC__MK_UINT), \
		signed char *: PC__MK_SINT, short *: PC__MK_SINT,            \
		int *: PC__MK_SINT, long *: PC__MK_SINT,                     \
		long long *: PC__MK_SINT, unsigned char *: PC__MK_UINT,      \
		unsigned short *: PC__MK_UINT, unsigned *: PC__MK_UINT,      \
		unsigned long *: PC__MK_UINT,                                \
		unsigned long long *: PC__MK_UINT, default: PC__MK_FN)
/** @endcond */

#endif /* PCOLL_MAP_H_COMMON */

#if defined(PC_K) || defined(PC_K_BYTES)

#if defined(PC_K) && defined(PC_K_BYTES)
#error "define either PC_K or PC_K_BYTES, not both"
#endif
#if defined(PC_SYNC) && defined(PC_DRAM)
#error "PC_SYNC and PC_DRAM do not go together"
#endif
#if !defined(PC_V) && !defined(PC_V_BYTES)
#error "define PC_V (a value type) or PC_V_BYTES before including map.h"
#endif

/** @cond PCOLL_INTERNAL */
#ifdef PC_K_BYTES
#define PC__MK_T    pc_bytes
#define PC__MK_IN   pc_slice
#define PC__MK_REF  pc_slice
#define PC__MK_NAME bytes
#else
#define PC__MK_T    PC_K
#define PC__MK_IN   PC_K
#define PC__MK_REF  const PC_K *
#define PC__MK_NAME PC_K
#endif
#ifdef PC_V_BYTES
#define PC__MV_T    pc_bytes
#define PC__MV_IN   pc_slice
#define PC__MV_REF  pc_slice
#define PC__MV_OUT  pc_vbuf
#define PC__MV_NAME bytes
#else
#define PC__MV_T    PC_V
#define PC__MV_IN   PC_V
#define PC__MV_REF  const PC_V *
#define PC__MV_OUT  PC_V
#define PC__MV_NAME PC_V
#endif
#ifndef PC_NAME
#define PC_NAME PC__CAT(pmap_, PC__CAT(PC__MK_NAME, PC__CAT(_, PC__MV_NAME)))
#endif
#define PC__M(fn) PC__MAPF(PC_NAME, fn)
/** @endcond */

/** @cond PCOLL_INTERNAL */
/* Key and value types must be PC_DECLARE'd (they promise no volatile
 * pointers). */
typedef char PC__M(_kdecl)[PC__CAT(pc__persistent_, PC__MK_T)];
typedef char PC__M(_vdecl)[PC__CAT(pc__persistent_, PC__MV_T)];
_Static_assert(sizeof(PC__MK_T) <= PC__MAP_KMAX,
	       "pmap: keys are limited to 1024 bytes");
/* NOLINTNEXTLINE(misc-redundant-expression): K and V may be one type. */
_Static_assert(_Alignof(PC__MK_T) <= 64 && _Alignof(PC__MV_T) <= 64,
	       "pmap: key and value alignment is limited to 64");
/** @endcond */

/** @brief The map handle (volatile): `{pool, h}`; pass it by pointer.
 * A synchronized map's handle may be shared by every thread. */
typedef struct PC_NAME {
	pc_pool *pool;        /**< The pool (NULL for a DRAM map). */
	struct pc__maphdr *h; /**< The persistent header. */
#ifdef PC_SYNC
	uint64_t *tab; /**< @private the pool's lock words (DRAM) */
#endif
} PC_NAME;

/** @brief Key as passed in: K, or ::pc_slice for byte-string keys. */
typedef PC__MK_IN PC__M(key);
/** @brief Value as passed in: V, or ::pc_slice for byte-string values. */
typedef PC__MV_IN PC__M(val);
/** @cond PCOLL_INTERNAL */
/* A key or value as the engine reads it: through a union as large as a
 * pc_slice, so that the engine's byte-string branch, which the compiler
 * may not prove dead for other key types, reads inside the object. */
typedef union PC__M(_kp) {
	PC__M(key) k;
	pc_slice s;
} PC__M(_kp);
typedef union PC__M(_vp) {
	PC__M(val) v;
	pc_slice s;
} PC__M(_vp);
#define PC__M_KP(x) (&(PC__M(_kp)){.k = (x)})
#define PC__M_VP(x) (&(PC__M(_vp)){.v = (x)})
/** @endcond */

/** @brief Key as handed out: `const K *`, or ::pc_slice into the pool. */
typedef PC__MK_REF PC__M(kref);
/** @brief Value as handed out: `const V *` (NULL: absent), or ::pc_slice
 * (ptr NULL: absent). */
typedef PC__MV_REF PC__M(vref);
/** @brief Where remove() puts the old value: V, or ::pc_vbuf. */
typedef PC__MV_OUT PC__M(vout);

/**
 * @brief Iterator: positioned on an entry whose key and value are in
 * `key` and `val`, until a move returns false. Byte-string range bounds
 * are slices the caller keeps alive.
 *
 * Plain map: `key` and `val` point into the pool; any change to the map
 * invalidates the iterator. Synchronized map (PC_SYNC): they point to the
 * iterator's own copies of the current entry, and moves stay valid while
 * other threads change the map (docs/map.md, "What a scan sees"); an
 * iterator of byte strings owns heap copies, released when a move returns
 * false or by iter_end().
 */
typedef struct PC__M(iter) {
	PC__M(kref) key; /**< Current key. */
	PC__M(vref) val; /**< Current value. */
	PC__M(_kp) lo;   /**< @private lower bound */
	PC__M(_kp) hi;   /**< @private upper bound */
#ifdef PC_SYNC
	pc__msit it; /**< @private */
	/* Copies of the current entry and the restart key. The engine
	 * reads them as K/V or as byte-string buffers by the key kind, so
	 * each is large enough for both. */
	union {
		PC__MK_T k;
		pc__msbuf b;
	} kc[2]; /**< @private the current key and a spare */
	union {
		PC__MV_T v;
		pc__msbuf b;
	} vc; /**< @private */
	/** @private small fixed entries: a leaf's worth of slot copies */
	/* NOLINTBEGIN(bugprone-branch-clone): equal alignments */
	unsigned char bat[PC__MAP_SLOT(sizeof(PC__MK_T), _Alignof(PC__MK_T),
				       sizeof(PC__MV_T),
				       _Alignof(PC__MV_T)) <= PC__MSB_SLOT
				  ? 64 * PC__MSB_SLOT
				  : 1] __attribute__((aligned(64)));
	/* NOLINTEND(bugprone-branch-clone) */
#else
	pc__mit it; /**< @private */
#endif
} PC__M(iter);

/**
 * @brief Visitor of the get_* functions: return 0 to go on, nonzero to
 * stop (that value is returned by the get_* call).
 */
typedef int (*PC__M(visit_fn))(PC__M(kref) key, PC__M(vref) val, void *arg);

/* Internal per-instance helpers: descriptor, context, references,
 * iterator glue. */
#include "detail/map_typed.h"

#ifndef PC_DRAM
/**
 * @brief Bind @p out to the map stored under root @p name of @p pool,
 * creating an empty map according to @p mode.
 *
 * Opening reads only the header: it costs the same for any size.
 * @return ::PC_OK, ::PC_E_NOTFOUND (PC_OPEN, missing), ::PC_E_EXISTS
 * (PC_CREATE, present), ::PC_E_TYPE (the root holds another type, for
 * example another K or V), ::PC_E_VERSION, ::PC_E_CORRUPT, ::PC_E_FULL,
 * ::PC_E_INVAL.
 *
 * Transactions: joins one if open (creation is then undone by an abort);
 * otherwise runs its own.
 * @param pool the open pool.
 * @param name the root name, 1 to #PC_NAME_MAX bytes.
 * @param mode ::PC_OPEN, ::PC_CREATE or ::PC_OPEN_OR_CREATE.
 * @param out receives the handle.
 *
 * Fences: opening, 1 (the map's epoch word); creating, those of one libpmemobj transaction plus that one.
 */
PC_MUST_USE static inline pc_err PC__M(root)(pc_pool *pool, const char *name,
					     pc_open_mode mode, PC_NAME *out)
{
	if (!pool || !out)
		return pc__fail(PC_E_INVAL, "pmap_root: NULL argument");
	pc_typesig sig = PC__M(_sig)();
	struct pc__minit_arg a = {&PC__M(_desc), &sig};
	uint64_t off = 0;
	PC_TRY(pc_root_obtain(pool, name, &sig, sizeof(struct pc__maphdr), mode,
			      pc__m_init_cb, &a, &off, NULL));
	PC_TRY(pc__m_open_check(pool, off, &PC__M(_desc), &sig, name));
	out->pool = pool;
	out->h = (struct pc__maphdr *)pc_pool_ptr(pool, off);
#ifdef PC_SYNC
	/* Threads share the pool's lock words; the epoch moves once per
	 * pool open (its first bind), not under running threads. */
	struct pc__sync *sy = NULL;
	int first = 0;
	PC_TRY(pc__sync_get(&pool->sync, &sy));
	PC_TRY(pc__sync_first_bind(sy, off, &first));
	out->tab = sy->tab;
	if (!first)
		return PC_OK;
#endif
	/* A new epoch: order hints written before (perhaps torn by a crash)
	 * are verified before use. One 8-byte persist. */
	__atomic_store_n(&out->h->epoch, out->h->epoch + 1, __ATOMIC_RELAXED);
	pc_pool_persist(pool, &out->h->epoch, sizeof(out->h->epoch));
	return PC_OK;
}

/**
 * @brief Free every node and string of the map, its header, and unbind
 * its root name; @p m is cleared.
 * @return ::PC_OK, ::PC_E_INVAL, ::PC_E_FULL, ::PC_E_ABORTED.
 *
 * Transactions: joins one if open; otherwise runs its own.
 * @param m the map's handle.
 *
 * Fences: those of one libpmemobj transaction outside one; none of its own inside one.
 */
PC_MUST_USE static inline pc_err PC__M(free)(PC_NAME *m)
{
	PC_TRY(PC__M(_args)(m, NULL, NULL, "pmap_free"));
	pc__mctx c = PC__M(_ctx)(m);
#ifdef PC_SYNC
	uint64_t off = pc_pool_off(m->pool, m->h);
	pc_err e = pc__ms_exclusive(&c, pc__m_free_ex, NULL, "pmap_free");
	if (e == PC_OK)
		pc__sync_unbind(m->pool->sync, off);
#else
	pc_err e = pc__m_free_ex(&c, NULL);
#endif
	if (e == PC_OK)
		m->h = NULL;
	return e;
}
#else
/**
 * @brief Create an empty DRAM map (no persistence; benchmark anchor).
 * @return ::PC_OK, ::PC_E_INVAL (@p out NULL) or ::PC_E_NOMEM.
 */
PC_MUST_USE static inline pc_err PC__M(dram_new)(PC_NAME *out)
{
	if (!out)
		return pc__fail(PC_E_INVAL,
				"pmap_dram_new: NULL output handle");
	struct pc__maphdr *h = (struct pc__maphdr *)calloc(1, sizeof(*h));
	if (!h)
		return pc__fail(PC_E_NOMEM, "pmap_dram_new: out of memory");
	out->pool = NULL;
	out->h = h;
	pc__mctx c = PC__M(_ctx)(out);
	uint64_t leaf = 0;
	if (pc__m_new_leaf(&c, &leaf) != PC_OK) {
		free(h);
		return PC_E_NOMEM;
	}
	h->root = leaf;
	return PC_OK;
}

/** @brief Free a DRAM map made by dram_new(). */
static inline void PC__M(dram_delete)(PC_NAME *m)
{
	if (!m || !m->h)
		return;
	pc__mctx c = PC__M(_ctx)(m);
	(void)pc__m_free_subtree(&c, m->h->root, (unsigned)m->h->height);
	free(m->h);
	m->h = NULL;
}
#endif

/**
 * @brief Insert @p key -> @p val; fails if the key is present.
 *
 * Commit: the entry is written to a free slot of its leaf and persisted,
 * then one 8-byte bitmap store makes it live (2 fences); a full leaf is
 * split first in a transaction. Byte strings longer than 23 bytes are
 * reserved and published together with the bitmap store.
 * @return ::PC_OK, ::PC_E_EXISTS (nothing changed), ::PC_E_FULL,
 * ::PC_E_TOOBIG (string over #PC_BYTES_MAX), ::PC_E_ABORTED, ::PC_E_INVAL.
 *
 * Transactions: joins one if open; failure-atomic on its own otherwise.
 * @param m the map's handle.
 * @param key the key (a ::pc_slice for byte-string keys).
 * @param val the value (a ::pc_slice for byte-string values).
 *
 * Fences: 2 outside a transaction (a leaf split adds a transaction); none of its own inside one.
 */
PC_MUST_USE static inline pc_err PC__M(insert)(PC_NAME *m, PC__M(key) key,
					       PC__M(val) val)
{
	PC_TRY(PC__M(_args)(m, &key, &val, "pmap_insert"));
	pc__mctx c = PC__M(_ctx)(m);
	return PC__M(_e_insert)(&c, PC__M_KP(key), PC__M_VP(val), 0, NULL,
				"pmap_insert");
}

/**
 * @brief Insert @p key -> @p val, or replace the value if @p key is
 * present (@p replaced, may be NULL, receives 1 then).
 *
 * A replaced value of at most 8 bytes is one aligned store (1 fence);
 * larger values and strings go out of place into a free slot and commit
 * with one bitmap store that retires the old slot (2 fences).
 * @return as insert(), without ::PC_E_EXISTS.
 *
 * Transactions: joins one if open; failure-atomic on its own otherwise.
 * @param m the map's handle.
 * @param key the key (a ::pc_slice for byte-string keys).
 * @param val the value (a ::pc_slice for byte-string values).
 * @param replaced receives 1 when the key was present, else 0; may be NULL.
 *
 * Fences: a new key 2; a replaced value of at most 8 bytes 1; larger or string values 2 (outside a transaction; none of their own inside one).
 */
PC_MUST_USE static inline pc_err PC__M(put)(PC_NAME *m, PC__M(key) key,
					    PC__M(val) val, int *replaced)
{
	PC_TRY(PC__M(_args)(m, &key, &val, "pmap_put"));
	pc__mctx c = PC__M(_ctx)(m);
	return PC__M(_e_insert)(&c, PC__M_KP(key), PC__M_VP(val), 1, replaced,
				"pmap_put");
}

/**
 * @brief The value of @p key: `const V *` (NULL if absent), or for
 * byte-string values a ::pc_slice (ptr NULL if absent).
 *
 * Plain map: points into the pool, valid until the map changes.
 * Synchronized map: points to a copy in this thread's storage, valid
 * until this thread's next get() of a synchronized map; never torn,
 * never uncommitted. Inside a transaction that must give way to an older
 * one (::PC_E_BUSY) it returns NULL and the transaction is aborted.
 *
 * Transactions: any; changes nothing.
 * @param m the map's handle.
 * @param key the key (a ::pc_slice for byte-string keys).
 * @return the value's address or slice, NULL (ptr NULL) when absent.
 *
 * Fences: none (reads only).
 */
static inline PC__M(vref) PC__M(get)(const PC_NAME *m, PC__M(key) key)
{
	if (PC__M(_args)(m, &key, NULL, "pmap_get") != PC_OK)
		return PC__M(_vnone)();
	pc__mctx c = PC__M(_ctx)(m);
	return PC__M(_e_get)(&c, PC__M_KP(key));
}

/**
 * @brief Copy the value of @p key to @p out (may be NULL): a V, or for
 * byte-string values a ::pc_vbuf (filled up to its capacity, `len` set
 * to the full length).
 * @return true when @p key is present (then @p out holds its value);
 * false when absent (@p out unspecified) or on an error (pc_errmsg()).
 *
 * Transactions: any; changes nothing.
 * @param m the map's handle.
 * @param key the key (a ::pc_slice for byte-string keys).
 * @param out receives the value; may be NULL.
 *
 * Fences: none (reads only).
 */
static inline bool PC__M(get_copy)(const PC_NAME *m, PC__M(key) key,
				   PC__M(vout) * out)
{
	if (PC__M(_args)(m, &key, NULL, "pmap_get_copy") != PC_OK)
		return false;
	pc__mctx c = PC__M(_ctx)(m);
	return PC__M(_e_copy)(&c, PC__M_KP(key), out) > 0;
}

/**
 * @brief 1 when @p key is present. Transactions: any.
 * @param m the map's handle.
 * @param key the key (a ::pc_slice for byte-string keys).
 * @return true when @p key is present.
 *
 * Fences: none (reads only).
 */
static inline bool PC__M(contains)(const PC_NAME *m, PC__M(key) key)
{
	if (PC__M(_args)(m, &key, NULL, "pmap_contains") != PC_OK)
		return false;
	pc__mctx c = PC__M(_ctx)(m);
	return PC__M(_e_contains)(&c, PC__M_KP(key)) != 0;
}

#ifndef PC_V_BYTES
/**
 * @brief Writable value of @p key inside a transaction: the value is
 * snapshotted first, so an abort restores it. NULL when the key is absent
 * (::PC_E_NOTFOUND in pc_errmsg()), outside a transaction
 * (::PC_E_NEEDTX), or when the snapshot fails (the transaction aborts).
 *
 * Transactions: needs one.
 * @param m the map's handle.
 * @param key the key (a ::pc_slice for byte-string keys).
 * @return the value's address in the pool, or NULL (see above).
 *
 * Fences: none of its own: the snapshot goes to the transaction's undo log.
 */
static inline PC_V *PC__M(get_mut)(PC_NAME *m, PC__M(key) key)
{
	if (PC__M(_args)(m, &key, NULL, "pmap_get_mut") != PC_OK)
		return NULL;
	pc__mctx c = PC__M(_ctx)(m);
	pc__txstate st = pc__m_txstate(&c);
	if (st != PC__TX_WORK && !PC__M_DRAM) {
		(void)pc__fail(st == PC__TX_NONE ? PC_E_NEEDTX : PC_E_ABORTED,
			       "pmap_get_mut: needs a running transaction");
		return NULL;
	}
#ifdef PC_SYNC
	/* The leaf stays locked until the transaction ends. */
	struct pc__mleaf *l = NULL;
	int o = -1;
	if (pc__ms_tx_slot(&c, &PC__M(_desc), PC__M_KP(key), &l, &o,
			   "pmap_get_mut") != PC_OK)
		return NULL;
	void *v = o < 0 ? NULL : pc__ml_slot(&c, l, (unsigned)o) + c.d->voff;
#else
	void *v = pc__m_get(&c, PC__M_KP(key));
#endif
	if (!v) {
		(void)pc__fail(PC_E_NOTFOUND, "pmap_get_mut: no such key");
		return NULL;
	}
	if (pc__m_snap(&c, v, sizeof(PC_V)) != PC_OK)
		return NULL;
	return (PC_V *)v;
}
#endif

/**
 * @brief Remove @p key; its old value goes to @p old (may be NULL; a
 * ::pc_vbuf for byte-string values).
 *
 * Commit: one 8-byte bitmap store clearing the slot's bit (1 fence; with
 * byte strings the store is published with the deferred frees). Removing
 * the last entry of a leaf frees the leaf in a transaction.
 * @return ::PC_OK, ::PC_E_NOTFOUND (nothing changed), ::PC_E_FULL,
 * ::PC_E_ABORTED, ::PC_E_INVAL.
 *
 * Transactions: joins one if open; failure-atomic on its own otherwise.
 * @param m the map's handle.
 * @param key the key (a ::pc_slice for byte-string keys).
 * @param old receives the removed value; may be NULL.
 *
 * Fences: 1 outside a transaction (freeing an emptied leaf adds a transaction); none of its own inside one.
 */
PC_MUST_USE static inline pc_err PC__M(remove)(PC_NAME *m, PC__M(key) key,
					       PC__M(vout) * old)
{
	PC_TRY(PC__M(_args)(m, &key, NULL, "pmap_remove"));
	pc__mctx c = PC__M(_ctx)(m);
	return PC__M(_e_remove)(&c, PC__M_KP(key), old, "pmap_remove");
}

/**
 * @brief Number of entries. Walks the leaf chain summing bitmap
 * popcounts: O(entries / ~45) cache lines; no persistent counter is kept
 * (it would cost a fence per operation). Transactions: any.
 * @param m the map's handle.
 * @return the number of entries.
 *
 * Fences: none (reads only).
 */
static inline size_t PC__M(len)(const PC_NAME *m)
{
	if (PC__M(_args)(m, NULL, NULL, "pmap_len") != PC_OK)
		return 0;
	pc__mctx c = PC__M(_ctx)(m);
	return PC__M(_e_count)(&c, NULL, PC_UNBOUNDED, NULL, PC_UNBOUNDED);
}

/**
 * @brief 1 when the map is empty; O(1). Transactions: any.
 * @param m the map's handle.
 * @return true when the map has no entries.
 *
 * Fences: none (reads only).
 */
static inline bool PC__M(is_empty)(const PC_NAME *m)
{
	if (PC__M(_args)(m, NULL, NULL, "pmap_is_empty") != PC_OK)
		return true;
	pc__mctx c = PC__M(_ctx)(m);
	return PC__M(_e_is_empty)(&c) != 0;
}

/**
 * @brief Remove every entry (nodes and strings are freed) in one
 * transaction.
 * @return ::PC_OK, ::PC_E_FULL, ::PC_E_ABORTED, ::PC_E_INVAL.
 *
 * Transactions: joins one if open; otherwise runs its own.
 * @param m the map's handle.
 *
 * Fences: those of one libpmemobj transaction outside one; none of its own inside one.
 */
PC_MUST_USE static inline pc_err PC__M(clear)(PC_NAME *m)
{
	PC_TRY(PC__M(_args)(m, NULL, NULL, "pmap_clear"));
	pc__mctx c = PC__M(_ctx)(m);
	return PC__M(_e_clear)(&c);
}

/**
 * @brief Verify the tree: key order inside leaves and across the tree
 * (every key within its parent's separator bounds), leaf fill (bitmap
 * within capacity, no empty leaf below the root), fingerprints, byte
 * string references, the leaf chain, and the chain's count against the
 * tree's.
 * @return ::PC_OK or ::PC_E_CORRUPT (pc_errmsg() says what), ::PC_E_INVAL.
 *
 * Transactions: any; changes nothing.
 * @param m the map's handle.
 *
 * Fences: none (reads only).
 */
PC_MUST_USE static inline pc_err PC__M(check)(const PC_NAME *m)
{
	PC_TRY(PC__M(_args)(m, NULL, NULL, "pmap_check"));
	pc__mctx c = PC__M(_ctx)(m);
	return PC__M(_e_check)(&c);
}

/* Iterators, ranges, counts and visits: the second part of the
   instantiation. */
#include "map_iter.h"

#undef PC__MK_T
#undef PC__MK_IN
#undef PC__MK_REF
#undef PC__MK_NAME
#undef PC__MV_T
#undef PC__MV_IN
#undef PC__MV_REF
#undef PC__MV_OUT
#undef PC__MV_NAME
#undef PC__M
#undef PC__M_KKIND
#undef PC__M_CMPFN
#undef PC__M_VBYTES
#undef PC__M_DRAM
#undef PC__M_SYNC
#undef PC__M_EINLINE
#undef PC__M_KP
#undef PC__M_VP
#undef PC__M_SIGNAME
#undef PC__M_KS
#undef PC__M_KA
#undef PC__M_VS
#undef PC__M_VA
#undef PC__M_SLOT
#undef PC_K
#undef PC_V
#undef PC_K_BYTES
#undef PC_V_BYTES
#undef PC_NAME
#undef PC_CMP
#undef PC_DRAM
#undef PC_SYNC

#endif /* PC_K || PC_K_BYTES */
