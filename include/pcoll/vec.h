/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vec.h
 * @brief PVEC(T): a typed, growable, contiguous persistent vector.
 *
 * Instantiate once per element type, at file scope:
 * @code
 * #define PC_T uint64_t        // a single identifier, PC_DECLARE'd
 * #define PC_NAME vec_u64      // optional; the default is pvec_<T>
 * #include <pcoll/vec.h>       // undefines PC_T and PC_NAME
 *
 * vec_u64 v;                   // volatile handle {pool, header}
 * PC_TRY(vec_u64_root(pool, "numbers", PC_OPEN_OR_CREATE, &v));
 * PC_TRY(vec_u64_push(&v, 42)); // durable on return: 2 fences
 * const uint64_t *x = vec_u64_get(&v, 0);
 * @endcode
 *
 * The element type must have been declared persistent with PC_DECLARE(T)
 * (ptr.h declares the common scalars): an undeclared T does not compile.
 * With the default name, `PVEC(T)` names the handle type (`pvec_T`) and
 * the functions are `pvec_T_push` and so on. Below, `NAME` stands for the
 * instance name and `T` for the element type.
 *
 * Every mutating call is failure-atomic on its own outside a transaction
 * and joins the caller's TX() inside one; docs/vec.md lists what each call
 * costs in fences and what it snapshots. A handle and the pointers that
 * get(), first(), last(), as_slice() and the iteration macro return are
 * valid until the next call that may grow or free the vector (push,
 * insert, extend, reserve, free). Vectors are not thread-safe: guard one
 * vector with a lock when several threads use it.
 *
 * Limits: one vector's array is one libpmemobj allocation, so it holds at
 * most `PMEMOBJ_MAX_ALLOC_SIZE / sizeof(T)` elements (about 16 GiB of
 * data); beyond that calls fail with ::PC_E_TOOBIG. Growth allocates the
 * new array before freeing the old one, so a vector's array reaches one
 * to two thirds of the pool's free heap. Capacity doubles on growth (slack at
 * most half of the array, plus the allocator's rounding); it never
 * shrinks except by free.
 */

/* ---- parts shared by every instantiation ------------------------------- */
#ifndef PCOLL_VEC_H_SHARED
#define PCOLL_VEC_H_SHARED

#include "detail/lang.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detail/txcore.h"
#include "detail/vec_engine.h"
#include "err.h"
#include "pool.h"
#include "ptr.h"
#include "tx.h"

/** @brief The default handle type name of a vector of T: `pvec_T`. */
#ifndef PVEC
#define PVEC(T) pvec_##T
#endif

/** @brief The embeddable header type of the default instance for T:
 * `pvec_T_pm` (see NAME_init_in()). */
#ifndef PVEC_PM
#define PVEC_PM(T) pvec_##T##_pm
#endif

/**
 * @brief Iterate over the elements of vector @p v (a `NAME *`) of
 * instance @p NAME: `PVEC_FOREACH(vec_u64, &v, p) sum += *p;` declares
 * @p it as a `const T *` walking from the first to the last element.
 * Do not grow or shrink the vector inside the loop.
 */
#define PVEC_FOREACH(NAME, v, it)                               \
	for (const NAME##_elem *it = NAME##_begin(v),           \
			       *it##_pvec_end_ = NAME##_end(v); \
	     it != it##_pvec_end_; ++it)

#endif /* PCOLL_VEC_H_SHARED */

/* ---- one instantiation --------------------------------------------------- */
#ifdef PC_DOXYGEN
/** @brief Set before the include: the element type T (one identifier). */
#define PC_T T
/** @brief Set before the include (optional): the instance name, NAME
 * below; the default is `pvec_<T>`, that is PVEC(T). */
#define PC_NAME NAME
/** @brief Builds the instance's names: NAME followed by @p x. */
#define PC__VN(x) NAME##x
#else
/** @cond PCOLL_INTERNAL */

#ifndef PC_T
#error "define PC_T (the element type) before including <pcoll/vec.h>"
#endif

#ifndef PC_NAME
#define PC_NAME PC__CAT(pvec_, PC_T)
#endif

#define PC__VN(x) PC__CAT(PC_NAME, x)

/* An undeclared element type fails here: "pc__persistent_T undeclared". */
enum { PC__VN(_pc_declared_) = PC__CAT(pc__persistent_, PC_T) };

_Static_assert(_Alignof(PC_T) <= 16,
	       "PVEC element types may be aligned to at most 16 bytes");
/** @endcond */
#endif /* PC_DOXYGEN */

/** @brief The element type of the instance (for PVEC_FOREACH()). */
typedef PC_T PC__VN(_elem);

/**
 * @brief The persistent vector header, for embedding in a user struct
 * (128 bytes). Initialise it with NAME_init_in(), reach it with
 * NAME_from().
 */
typedef struct PC__VN(_pm) {
	struct pc__vec raw; /**< @private */
} PC__VN(_pm);

/**
 * @brief Volatile handle of a vector: what every call takes. Obtain it with
 * NAME_root() or NAME_from(); copying it is fine.
 */
typedef struct PC_NAME {
	pc_pool *pool;     /**< The pool holding the vector. */
	struct pc__vec *h; /**< @private The persistent header. */
} PC_NAME;

/** @brief A read-only view: contiguous elements and their count. */
typedef struct PC__VN(_slice) {
	const PC_T *ptr; /**< First element (NULL when len is 0). */
	size_t len;      /**< Number of elements. */
} PC__VN(_slice);

/** @brief Comparator for NAME_sort(): negative, zero or positive. */
typedef int (*PC__VN(_cmp))(const PC_T *a, const PC_T *b);

/** @cond PCOLL_INTERNAL */
/* The handle check of every call: 1 (with PC_E_INVAL recorded) when v is
 * NULL or unbound (zeroed, or freed by NAME_free()). */
static inline int PC__VN(_bad_)(const PC_NAME *v, const char *fn)
{
	if (PC__LIKELY(v && v->pool && v->h))
		return 0;
	(void)pc__fail(PC_E_INVAL, "%s: NULL or unbound vector handle", fn);
	return 1;
}

/* A call's result; a PC_E_FULL names the vector and its pool. */
static inline pc_err PC__VN(_done_)(const PC_NAME *v, pc_err e, const char *fn)
{
	if (PC__UNLIKELY(e == PC_E_FULL))
		return pc__pool_full_ctx(v->pool, e, fn);
	return e;
}
/** @endcond */

/**
 * @brief The type signature stored in the vector's header:
 * kind ::PC_KIND_VEC, name "pvec<T>", sizeof and _Alignof T.
 *
 * Transactions: any.
 * @return the signature.
 *
 * Fences: none (computes a value).
 */
static inline pc_typesig PC__VN(_sig)(void)
{
	return pc__sig_make("pvec<" PC__STR(PC_T) ">", PC_KIND_VEC,
			    PC__VEC_VERSION, sizeof(PC_T), _Alignof(PC_T), 0,
			    0);
}

/**
 * @brief Check the invariants of vector @p v: header magic and signature,
 * len <= cap, the array's offset inside the pool and its allocation large
 * enough for cap elements.
 * @return ::PC_OK, ::PC_E_CORRUPT (pc_errmsg() says what is wrong),
 * ::PC_E_INVAL (NULL or unbound handle).
 *
 * Transactions: any (reads only).
 * @param v the vector's handle.
 *
 * Fences: none (reads only).
 */
PC_MUST_USE static inline pc_err PC__VN(_check)(const PC_NAME *v)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_check"))
		return PC_E_INVAL;
	pc_typesig sig = PC__VN(_sig)();
	return pc__vec_check(v->pool, v->h, &sig, PC__STR(PC_NAME) "_check");
}

/**
 * @brief Find the vector bound to root @p name of @p pool, or create an
 * empty one, according to @p mode, and fill the handle @p out.
 * @param pool the open pool.
 * @param name root name, 1 to #PC_NAME_MAX bytes.
 * @param mode ::PC_OPEN, ::PC_CREATE or ::PC_OPEN_OR_CREATE.
 * @param out  receives the handle (zeroed on failure).
 * @return ::PC_OK; ::PC_E_NOTFOUND (PC_OPEN, missing); ::PC_E_EXISTS
 * (PC_CREATE, present); ::PC_E_TYPE (the root holds something else, for
 * example a vector of another type: the message names both);
 * ::PC_E_VERSION; ::PC_E_CORRUPT (the header fails NAME_check());
 * ::PC_E_FULL; ::PC_E_INVAL; ::PC_E_TOOBIG (name over #PC_NAME_MAX);
 * ::PC_E_ABORTED.
 *
 * Transactions: joins one if open (the root disappears if it aborts);
 * otherwise runs its own when creating.
 *
 * Fences: none when opening (reads the header); creating runs one libpmemobj transaction.
 */
PC_MUST_USE static inline pc_err PC__VN(_root)(pc_pool *pool, const char *name,
					       pc_open_mode mode, PC_NAME *out)
{
	if (out) {
		out->pool = NULL;
		out->h = NULL;
	}
	if (!pool || !out)
		return pc__fail(PC_E_INVAL, "%s_root: NULL argument",
				PC__STR(PC_NAME));
	pc_typesig sig = PC__VN(_sig)();
	uint64_t off = 0;
	PC_TRY(pc_root_obtain(pool, name, &sig, sizeof(struct pc__vec), mode,
			      pc__vec_root_init, &sig, &off, NULL));
	PC_NAME v = {pool, (struct pc__vec *)pc_pool_ptr(pool, off)};
	PC_TRY(PC__VN(_check)(&v));
	*out = v;
	return PC_OK;
}

/**
 * @brief Make the header @p pm, embedded in a user struct in @p pool, an
 * empty vector. Its previous content is overwritten (snapshotted first),
 * not freed.
 * @return ::PC_OK, ::PC_E_INVAL (NULL, or @p pm not in the pool),
 * ::PC_E_FULL, ::PC_E_ABORTED.
 *
 * Transactions: joins one if open (usually in the TX() that creates the
 * user struct); otherwise runs its own.
 * @param pool the pool holding the user struct.
 * @param pm the embedded header, inside @p pool.
 *
 * Fences: those of one libpmemobj transaction outside one; none of its own inside.
 */
PC_MUST_USE static inline pc_err PC__VN(_init_in)(pc_pool *pool,
						  PC__VN(_pm) * pm)
{
	if (!pool || !pm)
		return pc__fail(PC_E_INVAL, "%s_init_in: NULL argument",
				PC__STR(PC_NAME));
	if (!pc__pool_range_ok(pool, pc_pool_off(pool, pm), sizeof(*pm)))
		return pc__fail(PC_E_INVAL,
				"%s_init_in: the header is not in the pool",
				PC__STR(PC_NAME));
	pc_typesig sig = PC__VN(_sig)();
	pc__txj j;
	PC_TRY(pc__tx_enter(pool->pop, &j));
	pc_err e = pc__tx_snap(&pm->raw, sizeof(pm->raw));
	if (e == PC_OK)
		pc__vec_init_hdr(&pm->raw, &sig, 0);
	return pc__tx_leave(&j, e);
}

/**
 * @brief Fill handle @p out for the vector header @p pm embedded in a user
 * struct, after checking that it holds a vector of T.
 * @return ::PC_OK; ::PC_E_INVAL (NULL, not in the pool, or never
 * initialised with NAME_init_in()); ::PC_E_TYPE (a vector of another
 * type); ::PC_E_VERSION; ::PC_E_CORRUPT.
 *
 * Transactions: any (reads only).
 * @param pool the pool holding the user struct.
 * @param pm the embedded header, made by NAME_init_in().
 * @param out receives the handle (zeroed on failure).
 *
 * Fences: none (reads only).
 */
PC_MUST_USE static inline pc_err PC__VN(_from)(pc_pool *pool, PC__VN(_pm) * pm,
					       PC_NAME *out)
{
	if (out) {
		out->pool = NULL;
		out->h = NULL;
	}
	if (!pool || !pm || !out)
		return pc__fail(PC_E_INVAL, "%s_from: NULL argument",
				PC__STR(PC_NAME));
	uint64_t off = pc_pool_off(pool, pm);
	if (!pc__pool_range_ok(pool, off, sizeof(*pm)))
		return pc__fail(PC_E_INVAL,
				"%s_from: the header is not in the pool",
				PC__STR(PC_NAME));
	if (pm->raw.oh.magic == 0)
		return pc__fail(PC_E_INVAL,
				"%s_from: the header was never initialised "
				"(call %s_init_in first)",
				PC__STR(PC_NAME), PC__STR(PC_NAME));
	pc_typesig sig = PC__VN(_sig)();
	PC_TRY(pc__objhdr_check(pool, off, sizeof(*pm), &sig,
				PC__STR(PC_NAME) "_from"));
	PC_NAME v = {pool, &pm->raw};
	PC_TRY(PC__VN(_check)(&v));
	*out = v;
	return PC_OK;
}

/**
 * @brief Number of elements. Transactions: any.
 * @param v the vector's handle.
 * @return the number of elements; 0 for a NULL or unbound handle.
 *
 * Fences: none.
 */
static inline size_t PC__VN(_len)(const PC_NAME *v)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_len"))
		return 0;
	return (size_t)v->h->len;
}

/**
 * @brief Elements the vector holds without growing. Transactions: any.
 * @param v the vector's handle.
 * @return the capacity in elements; 0 for a NULL or unbound handle.
 *
 * Fences: none.
 */
static inline size_t PC__VN(_cap)(const PC_NAME *v)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_cap"))
		return 0;
	return (size_t)v->h->cap;
}

/**
 * @brief true when the vector has no elements. Transactions: any.
 * @param v the vector's handle.
 * @return true when len is 0 (and for a NULL or unbound handle).
 *
 * Fences: none.
 */
static inline bool PC__VN(_is_empty)(const PC_NAME *v)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_is_empty"))
		return true;
	return v->h->len == 0;
}

/**
 * @brief Read-only pointer to element @p i, or NULL when @p i >= len (or
 * the handle is NULL or unbound).
 *
 * Transactions: any; no snapshot (do not cast the const away: write with
 * NAME_set() or NAME_get_mut()).
 * @param v the vector's handle.
 * @param i the index.
 * @return the element, or NULL when @p i >= len.
 *
 * Fences: none.
 */
static inline const PC_T *PC__VN(_get)(const PC_NAME *v, size_t i)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_get"))
		return NULL;
	const struct pc__vec *h = v->h;
	if (PC__UNLIKELY(i >= h->len))
		return NULL;
	return (const PC_T *)(const void *)(v->pool->base + h->data_off) + i;
}

/**
 * @brief Writable pointer to element @p i: snapshots the element in the
 * running transaction, so changes through it roll back on abort.
 * @return the pointer, or NULL (with pc_errmsg()) outside a transaction
 * (::PC_E_NEEDTX), when @p i >= len (::PC_E_RANGE), in an aborted
 * transaction, or when the snapshot fails (the transaction is aborted).
 *
 * Transactions: needs one.
 * @param v the vector's handle.
 * @param i the index.
 *
 * Fences: none of its own: the snapshot goes to the transaction's undo log, persisted at commit.
 */
static inline PC_T *PC__VN(_get_mut)(PC_NAME *v, size_t i)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_get_mut"))
		return NULL;
	return (PC_T *)pc__vec_get_mut(v->pool, v->h, sizeof(PC_T), i,
				       PC__STR(PC_NAME) "_get_mut");
}

/**
 * @brief First element, or NULL when empty. Transactions: any.
 * @param v the vector's handle.
 * @return the first element or NULL.
 *
 * Fences: none.
 */
static inline const PC_T *PC__VN(_first)(const PC_NAME *v)
{
	return PC__VN(_get)(v, 0);
}

/**
 * @brief Last element, or NULL when empty. Transactions: any.
 * @param v the vector's handle.
 * @return the last element or NULL.
 *
 * Fences: none.
 */
static inline const PC_T *PC__VN(_last)(const PC_NAME *v)
{
	size_t n = PC__VN(_len)(v);
	return n ? PC__VN(_get)(v, n - 1) : NULL;
}

/** @brief Pointer to the first element (NULL when the vector never had an
 * array); with NAME_end() for loops. Transactions: any.
 * @param v the vector's handle.
 * @return the first element's address, or NULL.
 *
 * Fences: none.
 */
static inline const PC_T *PC__VN(_begin)(const PC_NAME *v)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_begin"))
		return NULL;
	return (const PC_T *)(const void *)pc__vec_data(v->pool, v->h);
}

/** @brief One past the last element (NULL like NAME_begin() when there is
 * no array). Transactions: any.
 * @param v the vector's handle.
 * @return one past the last element, or NULL.
 *
 * Fences: none.
 */
static inline const PC_T *PC__VN(_end)(const PC_NAME *v)
{
	const PC_T *b = PC__VN(_begin)(v);
	return b ? b + v->h->len : NULL;
}

/**
 * @brief All elements as one contiguous read-only slice.
 * Transactions: any.
 * @param v the vector's handle.
 * @return the slice (ptr NULL and len 0 when empty).
 *
 * Fences: none.
 */
static inline PC__VN(_slice) PC__VN(_as_slice)(const PC_NAME *v)
{
	PC__VN(_slice) s;
	s.len = PC__VN(_len)(v);
	s.ptr = s.len ? PC__VN(_begin)(v) : NULL;
	return s;
}

/**
 * @brief Replace element @p i with @p val.
 *
 * Outside a transaction: when T lies within one aligned 8-byte word (any
 * T of 1, 2, 4 or 8 bytes), one atomic store and one persist (1 fence);
 * otherwise an own transaction that snapshots the element.
 * Inside: snapshots the element (sizeof(T) bytes).
 * @return ::PC_OK, ::PC_E_RANGE (@p i >= len; nothing changes),
 * ::PC_E_FULL (snapshot; aborts), ::PC_E_ABORTED.
 *
 * Transactions: joins one if open.
 * @param v the vector's handle.
 * @param i the index, below len.
 * @param val the new value.
 *
 * Fences: 1 outside a transaction for a T within one aligned 8-byte word, else those of an own transaction (5); none of its own inside one.
 */
PC_MUST_USE static inline pc_err PC__VN(_set)(PC_NAME *v, size_t i, PC_T val)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_set"))
		return PC_E_INVAL;
	pc_err e = pc__vec_set(v->pool, v->h, sizeof(PC_T), i, &val,
			       PC__STR(PC_NAME) "_set");
	return PC__VN(_done_)(v, e, PC__STR(PC_NAME) "_set");
}

/**
 * @brief Append @p val.
 *
 * Outside a transaction: copies the element past len and persists it,
 * then stores len+1 and persists it: 2 fences, no undo log. When the
 * array is full it first grows (capacity doubles) in an own transaction.
 * Inside: snapshots len (8 bytes), not the element; growth joins.
 * @return ::PC_OK, ::PC_E_FULL (growth: the vector is unchanged),
 * ::PC_E_TOOBIG (over the allocation limit), ::PC_E_ABORTED.
 *
 * Transactions: joins one if open.
 * @param v the vector's handle.
 * @param val the element.
 *
 * Fences: 2 outside a transaction (growth adds an own transaction); none of its own inside one.
 */
PC_MUST_USE static inline pc_err PC__VN(_push)(PC_NAME *v, PC_T val)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_push"))
		return PC_E_INVAL;
	pc_err e = pc__vec_push(v->pool, v->h, sizeof(PC_T), &val,
				PC__STR(PC_NAME) "_push");
	return PC__VN(_done_)(v, e, PC__STR(PC_NAME) "_push");
}

/**
 * @brief Remove the last element and copy it to `*out` (@p out may be
 * NULL).
 *
 * Outside a transaction: one 8-byte store of len, 1 fence. Inside:
 * snapshots len and the popped element (a later push in the same
 * transaction may reuse its slot).
 * @return true when an element was removed; false when the vector is
 * empty, or when the call failed (NULL or unbound handle, aborted
 * transaction, or the snapshot failed and aborted it: pc_errmsg() says
 * which).
 *
 * Transactions: joins one if open.
 * @param v the vector's handle.
 * @param out receives the removed element; may be NULL.
 *
 * Fences: 1 outside a transaction; none of its own inside one.
 */
static inline bool PC__VN(_pop)(PC_NAME *v, PC_T *out)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_pop"))
		return false;
	return pc__vec_pop(v->pool, v->h, sizeof(PC_T), out,
			   PC__STR(PC_NAME) "_pop") == PC_OK;
}

/**
 * @brief Insert @p val at index @p i (0 <= i <= len), shifting the
 * elements from @p i on one place up. @p i == len is a push.
 *
 * Snapshots len and the len - i shifted elements, in an own transaction
 * outside one (its commit costs libpmemobj's few fences).
 * @return ::PC_OK, ::PC_E_RANGE (@p i > len), ::PC_E_FULL, ::PC_E_TOOBIG,
 * ::PC_E_ABORTED.
 *
 * Transactions: joins one if open; otherwise runs its own.
 * @param v the vector's handle.
 * @param i the position, 0 to len.
 * @param val the element.
 *
 * Fences: @p i == len as NAME_push(); otherwise those of an own transaction outside one (7, up to about 17 for a shift of 7 KiB); none of its own inside one.
 */
PC_MUST_USE static inline pc_err PC__VN(_insert)(PC_NAME *v, size_t i, PC_T val)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_insert"))
		return PC_E_INVAL;
	pc_err e = pc__vec_insert(v->pool, v->h, sizeof(PC_T), i, &val,
				  PC__STR(PC_NAME) "_insert");
	return PC__VN(_done_)(v, e, PC__STR(PC_NAME) "_insert");
}

/**
 * @brief Remove element @p i, shifting the later ones down; the removed
 * element is copied to `*out` (@p out may be NULL).
 *
 * The last element: as NAME_pop() (1 fence). Otherwise snapshots len and
 * the len - 1 - i shifted-over elements (inside a transaction also the
 * vacated last slot), in an own transaction outside one.
 * @return ::PC_OK, ::PC_E_RANGE (@p i >= len), ::PC_E_FULL,
 * ::PC_E_ABORTED.
 *
 * Transactions: joins one if open; otherwise runs its own.
 * @param v the vector's handle.
 * @param i the index, below len.
 * @param out receives the removed element; may be NULL.
 *
 * Fences: the last element as NAME_pop() (1); otherwise those of an own transaction outside one (7 to 9); none of its own inside one.
 */
PC_MUST_USE static inline pc_err PC__VN(_remove)(PC_NAME *v, size_t i,
						 PC_T *out)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_remove"))
		return PC_E_INVAL;
	pc_err e = pc__vec_remove(v->pool, v->h, sizeof(PC_T), i, out, 0,
				  PC__STR(PC_NAME) "_remove");
	return PC__VN(_done_)(v, e, PC__STR(PC_NAME) "_remove");
}

/**
 * @brief Remove element @p i by moving the last element into its place
 * (O(1), changes the order); the removed element goes to `*out` (may be
 * NULL).
 *
 * The last element: as NAME_pop(). Otherwise snapshots len and element
 * @p i (inside a transaction also the vacated last slot), in an own
 * transaction outside one.
 * @return ::PC_OK, ::PC_E_RANGE, ::PC_E_FULL, ::PC_E_ABORTED.
 *
 * Transactions: joins one if open; otherwise runs its own.
 * @param v the vector's handle.
 * @param i the index, below len.
 * @param out receives the removed element; may be NULL.
 *
 * Fences: the last element as NAME_pop() (1); otherwise those of an own transaction outside one (7); none of its own inside one.
 */
PC_MUST_USE static inline pc_err PC__VN(_swap_remove)(PC_NAME *v, size_t i,
						      PC_T *out)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_swap_remove"))
		return PC_E_INVAL;
	pc_err e = pc__vec_remove(v->pool, v->h, sizeof(PC_T), i, out, 1,
				  PC__STR(PC_NAME) "_swap_remove");
	return PC__VN(_done_)(v, e, PC__STR(PC_NAME) "_swap_remove");
}

/* Whole-vector operations: the second part of the instantiation. */
#include "vec_bulk.h"

#undef PC__VN
#undef PC_NAME
#undef PC_T
