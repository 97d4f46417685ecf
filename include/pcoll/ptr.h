/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ptr.h
 * @brief Typed persistent pointers: PC_PTR(T), allocation, access.
 *
 * A type opts in with PC_DECLARE(T) at file scope. That line is the
 * program's promise that T holds no volatile pointers (no `char *`, no
 * function pointers, no handles): only plain data and persistent pointers.
 * It defines `PC_PTR(T)`, a pointer type distinct for every T, so that
 * passing a `PC_PTR(point)` where a `PC_PTR(line)` is expected does not
 * compile, and neither does PC_PTR(T) of an undeclared T.
 *
 * T must be a single identifier (use a typedef for `struct x` or
 * `unsigned long`). Common scalar types are declared already.
 *
 * @code
 * typedef struct point { int64_t x, y; } point;
 * PC_DECLARE(point);
 *
 * PC_PTR(point) p;
 * PC_TRY(PC_NEW(pool, point, &p));          // atomic, zeroed
 * const point *r = PC_RO(pool, point, p);   // read, no transaction
 * TX(pool) {
 *     point *w = PC_RW(pool, point, p);     // snapshots, then writable
 *     if (!w) break;
 *     w->x = 3;
 * }
 * @endcode
 */
#ifndef PCOLL_PTR_H
#define PCOLL_PTR_H

#include "detail/lang.h"
#include <stdint.h>
#include <string.h>

#include <libpmemobj.h>

#include "detail/txcore.h"
#include "err.h"
#include "pool.h"

/** @brief The typed persistent pointer type for T (see PC_DECLARE()). */
#define PC_PTR(T) pc_ptr_##T

/**
 * @brief Declare T as a persistent type: defines PC_PTR(T).
 *
 * Use once per translation unit, at file scope, with a single-identifier
 * type name. It promises that T contains no volatile pointers.
 */
#define PC_DECLARE(T)               \
	typedef struct pc_ptr_##T { \
		PMEMoid oid;        \
	} pc_ptr_##T;               \
	enum { pc__persistent_##T = 1 }

/** @brief The type signature of a user type T (kind ::PC_KIND_OBJ). */
#define PC_SIG_OBJ(T) \
	pc__sig_make(#T, PC_KIND_OBJ, 1, sizeof(T), _Alignof(T), 0, 0)

/** @brief A null PC_PTR(T). */
#define PC_PTR_NULL(T) ((PC_PTR(T)){{0, 0}})

/** @brief 1 when persistent pointer @p p is null. */
#define PC_PTR_IS_NULL(p) ((p).oid.off == 0)

/** @cond PCOLL_INTERNAL */
#define PC__CHECK_PTR(T, p)   _Generic((p), PC_PTR(T) : (p))
#define PC__CHECK_PTRP(T, pp) _Generic((pp), PC_PTR(T) * : (pp))
/* The PMEMoid of a PC_PTR(T) *: its first (and only) member, reached by
 * a cast, so that a NULL pointer stays a NULL pointer (the functions
 * refuse it) instead of a member access through NULL. */
#define PC__OIDP(pp) ((PMEMoid *)(void *)(pp))

static inline int pc__in_pool(const pc_pool *pool, const void *p)
{
	const char *c = (const char *)p;
	return c >= pool->base &&
	       (pool->size == 0 || (uint64_t)(c - pool->base) < pool->size);
}

struct pc__ctor_arg {
	const void *src;
	size_t len;
};

static inline int pc__ctor_copy(PMEMobjpool *pop, void *ptr, void *arg)
{
	const struct pc__ctor_arg *a = (const struct pc__ctor_arg *)arg;
	if (a->src)
		pmemobj_memcpy_persist(pop, ptr, a->src, a->len);
	else
		pmemobj_memset_persist(pop, ptr, 0, a->len);
	return 0;
}

static inline pc_err pc__ptr_new(pc_pool *pool, PMEMoid *dst, size_t size,
				 pc_typesig sig, const void *init)
{
	if (!pool || !dst)
		return pc__fail(PC_E_INVAL, "PC_NEW: NULL argument");
	pc__txstate st = pc__tx_state();
	if (st == PC__TX_DEAD)
		return pc__fail(PC_E_ABORTED, "PC_NEW: transaction aborted");
	uint64_t tn = pc__sig_typenum(&sig);
	if (st == PC__TX_WORK) {
		uint64_t off = 0;
		pc_err e = PC_OK;
		if (pc__in_pool(pool, dst))
			e = pc__tx_snap(dst, sizeof(*dst));
		if (e == PC_OK)
			e = pc__tx_alloc(size, tn, init == NULL, &off);
		if (e != PC_OK)
			return pc__pool_full_ctx(pool, e, "PC_NEW");
		if (init)
			memcpy(pool->base + off, init, size);
		dst->pool_uuid_lo = pool->uuid_lo;
		dst->off = off;
		return PC_OK;
	}
	struct pc__ctor_arg a = {init, size};
	if (pmemobj_alloc(pool->pop, dst, size, tn, pc__ctor_copy, &a) != 0) {
		int err = errno;
		if (err == ENOMEM)
			return pc__pool_full_ctx(
				pool,
				pc__fail(PC_E_FULL,
					 "PC_NEW(%s): no room for %zu bytes",
					 sig.name, size),
				"PC_NEW");
		return pc__fail(PC_E_TOOBIG, "PC_NEW(%s): %s: %zu bytes: %s",
				sig.name, pool->path, size,
				pc__pmdk_errormsg());
	}
	return PC_OK;
}

static inline pc_err pc__ptr_free(pc_pool *pool, PMEMoid *dst)
{
	if (!pool || !dst)
		return pc__fail(PC_E_INVAL, "PC_FREE: NULL argument");
	if (dst->off == 0)
		return PC_OK;
	pc__txstate st = pc__tx_state();
	if (st == PC__TX_DEAD)
		return pc__fail(PC_E_ABORTED, "PC_FREE: transaction aborted");
	if (st == PC__TX_WORK) {
		if (pc__in_pool(pool, dst))
			PC_TRY(pc__tx_snap(dst, sizeof(*dst)));
#ifdef PCOLL_TEST_BUG_PTR_EARLY_FREE
		/* Deliberately broken test build: freed before the commit. */
		PMEMoid gone = *dst;
		pmemobj_free(&gone);
#else
		PC_TRY(pc__tx_free(pool->uuid_lo, dst->off));
#endif
		dst->off = 0;
		dst->pool_uuid_lo = 0;
		return PC_OK;
	}
	pmemobj_free(dst);
	return PC_OK;
}

static inline void *pc__ptr_rw(pc_pool *pool, PMEMoid oid, size_t size)
{
	if (!pool) {
		(void)pc__fail(PC_E_INVAL, "PC_RW: NULL pool");
		return NULL;
	}
	pc__txstate st = pc__tx_state();
	if (st != PC__TX_WORK) {
		(void)pc__fail(st == PC__TX_NONE ? PC_E_NEEDTX : PC_E_ABORTED,
			       "PC_RW: needs a running transaction");
		return NULL;
	}
	if (oid.off == 0) {
		(void)pc__fail(PC_E_INVAL, "PC_RW: null pointer");
		return NULL;
	}
	void *p = pool->base + oid.off;
#ifdef PCOLL_TEST_BUG_RW_SHORT_SNAPSHOT
	size = size > 8 ? size - 8 : size; /* broken test build: 8 short */
#endif
	if (pc__tx_snap(p, size) != PC_OK)
		return NULL;
	return p;
}

/* Every object libpmemobj hands out starts on this boundary (its
 * allocation units and headers are multiples of 16 bytes). */
#define PC__OBJ_GRAIN 16u

/* 1 when off is where an allocation of pool starts: libpmemobj's own walk
 * of its objects (pmemobj_first/next; O(objects)), which reads only heap
 * metadata libpmemobj validated at open, never the memory at off. */
static inline int pc__ptr_is_object(const pc_pool *pool, uint64_t off)
{
	for (PMEMoid o = pmemobj_first(pool->pop); !OID_IS_NULL(o);
	     o = pmemobj_next(o))
		if (o.off == off)
			return 1;
	return 0;
}

static inline pc_err pc__ptr_check(pc_pool *pool, PMEMoid oid, size_t size,
				   size_t align, pc_typesig sig)
{
	if (!pool)
		return pc__fail(PC_E_INVAL, "PC_PTR_CHECK(%s): NULL pool",
				sig.name);
	if (oid.off == 0)
		return PC_OK;
	if (oid.pool_uuid_lo != pool->uuid_lo)
		return pc__fail(PC_E_INVAL,
				"PC_PTR_CHECK(%s): %s: the pointer belongs to "
				"another pool",
				sig.name, pool->path);
	/* Bounds and alignment first: nothing is read at the offset. */
	if (!pc__pool_range_ok(pool, oid.off, size))
		return pc__fail(PC_E_CORRUPT,
				"PC_PTR_CHECK(%s): %s: offset %llu (+%zu "
				"bytes) is outside the pool",
				sig.name, pool->path,
				(unsigned long long)oid.off, size);
	if (oid.off % PC__OBJ_GRAIN || oid.off % align)
		return pc__fail(PC_E_CORRUPT,
				"PC_PTR_CHECK(%s): %s: offset %llu is not "
				"aligned as an object",
				sig.name, pool->path,
				(unsigned long long)oid.off);
	if (!pc__ptr_is_object(pool, oid.off))
		return pc__fail(PC_E_CORRUPT,
				"PC_PTR_CHECK(%s): %s: no object starts at "
				"offset %llu",
				sig.name, pool->path,
				(unsigned long long)oid.off);
	/* A live object: libpmemobj's header of it may be read now. */
	if (pmemobj_type_num(oid) != pc__sig_typenum(&sig) ||
	    pmemobj_alloc_usable_size(oid) < size)
		return pc__fail(PC_E_TYPE,
				"PC_PTR_CHECK(%s): %s: the object at offset "
				"%llu is not a %s (%zu bytes)",
				sig.name, pool->path,
				(unsigned long long)oid.off, sig.name, size);
	return PC_OK;
}
/** @endcond */

/**
 * @brief Allocate a zeroed T and store its pointer in `*dst`
 * (`dst` is a `PC_PTR(T) *`, in the pool or in volatile memory).
 *
 * Outside a transaction the allocation is atomic: if `dst` lies in the pool
 * the pointer is published with it, so a crash never leaks the object.
 * Inside one it joins: `*dst` is snapshotted and the object vanishes on
 * abort.
 * @return ::PC_OK, ::PC_E_FULL, ::PC_E_TOOBIG, ::PC_E_ABORTED,
 * ::PC_E_INVAL.
 *
 * Transactions: joins one if open; atomic on its own otherwise.
 */
#define PC_NEW(pool, T, dst)                                             \
	pc__ptr_new((pool), PC__OIDP(PC__CHECK_PTRP(T, dst)), sizeof(T), \
		    PC_SIG_OBJ(T), NULL)

/**
 * @brief As PC_NEW(), but the new T is a copy of `*init` (a `const T *`).
 */
#define PC_NEW_INIT(pool, T, dst, init) \
	pc__ptr_new((pool), PC__OIDP(PC__CHECK_PTRP(T, dst)), sizeof(T),       \
		    PC_SIG_OBJ(T),                                                 \
		    _Generic((init), const T *: (init), T *: (init)))

/**
 * @brief Free the T that `*dst` points to and set `*dst` to null.
 * A null pointer is a no-op.
 * @return ::PC_OK, ::PC_E_ABORTED, ::PC_E_INVAL, ::PC_E_CORRUPT.
 *
 * Transactions: joins one if open (the free happens at commit); atomic on
 * its own otherwise.
 */
#define PC_FREE(pool, T, dst) \
	pc__ptr_free((pool), PC__OIDP(PC__CHECK_PTRP(T, dst)))

/**
 * @brief Read-only access: `const T *` for persistent pointer @p p, NULL
 * when @p p is null. No transaction needed. Does not compile unless @p p
 * is a PC_PTR(T).
 */
#define PC_RO(pool, T, p) \
	((const T *)pc_pool_ptr((pool), PC__CHECK_PTR(T, p).oid.off))

/**
 * @brief Mutable access: snapshots the T that @p p points to in the running
 * transaction and returns a `T *`; NULL (with pc_errmsg()) outside a
 * transaction (::PC_E_NEEDTX), for a null @p p, or when the snapshot fails
 * (the transaction is then aborted).
 *
 * Transactions: needs one.
 */
#define PC_RW(pool, T, p) \
	((T *)pc__ptr_rw((pool), PC__CHECK_PTR(T, p).oid, sizeof(T)))

/**
 * @brief Check that persistent pointer @p p really points to a T of
 * @p pool (allocated by PC_NEW(pool, T, ...)): use on pointers read from
 * an untrusted pool. Null passes.
 *
 * Nothing is read through @p p before it is known to be an object: the
 * offset must lie inside the pool with room for a T, be aligned as
 * libpmemobj aligns objects (16 bytes) and as T, and be the start of a
 * live allocation (found by libpmemobj's own walk of its objects, so the
 * check costs O(objects in the pool)); then libpmemobj's header of it
 * must carry T's type number and at least sizeof(T) bytes.
 * @return ::PC_OK; ::PC_E_CORRUPT (outside the pool, misaligned, not the
 * start of an object: an interior pointer included); ::PC_E_TYPE (an
 * object of another type or size); ::PC_E_INVAL (NULL pool, a pointer of
 * another pool).
 *
 * Transactions: any.
 */
#define PC_PTR_CHECK(pool, T, p)                                               \
	pc__ptr_check((pool), PC__CHECK_PTR(T, p).oid, sizeof(T), _Alignof(T), \
		      PC_SIG_OBJ(T))

/**
 * @brief Find named root @p name holding a T, or make it (zeroed),
 * according to @p mode, and store its pointer in `*dst` (null on error).
 * @return as pc_root_obtain(); ::PC_E_TYPE names both types when the root
 * holds something else.
 *
 * Transactions: joins one if open; otherwise runs its own.
 */
#define PC_ROOT(pool, name, T, mode, dst)                              \
	pc__ptr_root((pool), (name), PC_SIG_OBJ(T), sizeof(T), (mode), \
		     PC__OIDP(PC__CHECK_PTRP(T, dst)))

/** @cond PCOLL_INTERNAL */
static inline pc_err pc__ptr_root(pc_pool *pool, const char *name,
				  pc_typesig sig, size_t size,
				  pc_open_mode mode, PMEMoid *dst)
{
	uint64_t off = 0;
	if (!dst)
		return pc__fail(PC_E_INVAL, "PC_ROOT: NULL destination");
	dst->pool_uuid_lo = 0; /* always written: null on error */
	dst->off = 0;
	PC_TRY(pc_root_obtain(pool, name, &sig, size, mode, NULL, NULL, &off,
			      NULL));
	dst->pool_uuid_lo = pool->uuid_lo;
	dst->off = off;
	return PC_OK;
}

/** @endcond */

/** @cond PCOLL_INTERNAL */
PC_DECLARE(char);
PC_DECLARE(int);
PC_DECLARE(unsigned);
PC_DECLARE(long);
PC_DECLARE(short);
PC_DECLARE(float);
PC_DECLARE(double);
PC_DECLARE(int8_t);
PC_DECLARE(int16_t);
PC_DECLARE(int32_t);
PC_DECLARE(int64_t);
PC_DECLARE(uint8_t);
PC_DECLARE(uint16_t);
PC_DECLARE(uint32_t);
PC_DECLARE(uint64_t);
PC_DECLARE(size_t);
/** @endcond */

#endif /* PCOLL_PTR_H */
