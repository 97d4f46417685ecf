/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file root.h
 * @brief Named roots: look up, list, create and remove the entries of a
 * pool's root directory.
 *
 * Every pool holds a directory that maps a name (at most #PC_NAME_MAX
 * bytes) to one pcoll object and its type signature (::pc_typesig). The
 * containers' `root` functions and PC_ROOT() are built on these; call
 * them directly to list what a pool holds or to bind objects of your
 * own. pool.h includes this header; including it alone includes pool.h.
 */
#ifndef PCOLL_ROOT_H
#define PCOLL_ROOT_H

#include "pool.h"

/** @brief One entry of the root directory (see pc_root_at()). */
typedef struct pc_root_info {
	char name[PC_NAME_MAX + 1]; /**< The root's name. */
	pc_typesig sig;             /**< What it holds. */
	uint64_t off;               /**< Pool offset of the object. */
} pc_root_info;

/**
 * @brief Look up root @p name and check that it holds @p want.
 * @param pool the pool.
 * @param name the root's name (at most #PC_NAME_MAX bytes).
 * @param want the signature the caller expects.
 * @param off receives the object's pool offset.
 * @return ::PC_OK, ::PC_E_NOTFOUND, ::PC_E_TYPE (the message names both
 * signatures), ::PC_E_VERSION, ::PC_E_INVAL, ::PC_E_TOOBIG (name).
 *
 * Transactions: any (reads only).
 */
PC_MUST_USE static inline pc_err pc_root_lookup(pc_pool *pool, const char *name,
						const pc_typesig *want,
						uint64_t *off)
{
	if (off)
		*off = 0;
	if (!pool || !want || !off)
		return pc__fail(PC_E_INVAL, "pc_root_lookup: NULL argument");
	PC_TRY(pc__name_check(name, "pc_root_lookup"));
	const struct pc__dirent *e = pc__dir_find(pool, name);
	if (!e)
		return pc__fail(PC_E_NOTFOUND, "%s: no root named \"%s\"",
				pool->path, name);
	if (!pc__sig_eq(&e->sig, want)) {
		char b1[160], b2[160];
		if (e->sig.kind == want->kind &&
		    e->sig.version != want->version &&
		    strncmp(e->sig.name, want->name, sizeof(want->name)) == 0)
			return pc__fail(
				PC_E_VERSION,
				"%s: root \"%s\" has layout version %u, "
				"this build reads %u",
				pool->path, name, e->sig.version,
				want->version);
		return pc__fail(
			PC_E_TYPE, "%s: root \"%s\" holds %s, asked for %s",
			pool->path, name, pc__sig_str(&e->sig, b1, sizeof(b1)),
			pc__sig_str(want, b2, sizeof(b2)));
	}
	*off = e->off;
	return PC_OK;
}

/** @brief Number of named roots in @p pool (0 for a NULL pool).
 * Transactions: any. */
static inline size_t pc_root_count(const pc_pool *pool)
{
	if (!pool) {
		(void)pc__fail(PC_E_INVAL, "pc_root_count: NULL pool");
		return 0;
	}
	const struct pc__dir *d = pc__dir_get(pool);
	return d ? (size_t)d->count : 0;
}

/**
 * @brief Copy entry @p i (0 <= i < pc_root_count()) of the directory.
 * @return ::PC_OK, ::PC_E_RANGE, ::PC_E_INVAL. Transactions: any.
 */
PC_MUST_USE static inline pc_err pc_root_at(const pc_pool *pool, size_t i,
					    pc_root_info *out)
{
	if (out)
		memset(out, 0, sizeof(*out));
	if (!pool || !out)
		return pc__fail(PC_E_INVAL, "pc_root_at: NULL argument");
	const struct pc__dir *d = pc__dir_get(pool);
	if (!d || i >= d->count)
		return pc__fail(PC_E_RANGE, "pc_root_at: index %zu, %zu roots",
				i, pc_root_count(pool));
	memcpy(out->name, d->ent[i].name, sizeof(out->name));
	out->sig = d->ent[i].sig;
	out->off = d->ent[i].off;
	return PC_OK;
}

/**
 * @brief Find root @p name holding @p sig, or make it.
 *
 * When the root is missing and @p mode allows it, allocates @p size
 * zeroed bytes, lets @p init fill them (it runs inside the transaction and
 * may allocate more; the new object needs no snapshot) and binds the name,
 * all in one transaction. This is what the containers' `root` functions
 * use; user structs use PC_ROOT().
 *
 * @param pool the pool.
 * @param name the root's name (at most #PC_NAME_MAX bytes).
 * @param sig  what the root holds (checked when it exists).
 * @param size bytes of a new object.
 * @param mode ::PC_OPEN (fail with ::PC_E_NOTFOUND), ::PC_CREATE (fail
 *             with ::PC_E_EXISTS) or ::PC_OPEN_OR_CREATE.
 * @param init may be NULL; returns ::PC_OK or an error that aborts.
 * @param arg  passed to @p init.
 * @param off  receives the object's offset.
 * @param created receives 1 when the object was made now (may be NULL).
 * @return ::PC_OK or the errors of pc_root_lookup(), ::PC_E_FULL,
 * ::PC_E_EXISTS, ::PC_E_ABORTED, or what @p init returned.
 *
 * Transactions: joins one if open (then the root disappears if it aborts);
 * otherwise runs its own.
 */
PC_MUST_USE static inline pc_err
pc_root_obtain(pc_pool *pool, const char *name, const pc_typesig *sig,
	       size_t size, pc_open_mode mode,
	       pc_err (*init)(pc_pool *pool, void *obj, void *arg), void *arg,
	       uint64_t *off, int *created)
{
	if (off)
		*off = 0;
	if (created)
		*created = 0;
	if (!pool || !sig || !off || size == 0)
		return pc__fail(PC_E_INVAL,
				"pc_root_obtain: NULL argument or size 0");
	if (size > PMEMOBJ_MAX_ALLOC_SIZE)
		return pc__fail(PC_E_TOOBIG,
				"pc_root_obtain: an object of %zu bytes, the "
				"limit is %llu",
				size,
				(unsigned long long)PMEMOBJ_MAX_ALLOC_SIZE);
	if (mode < PC_OPEN || mode > PC_OPEN_OR_CREATE)
		return pc__fail(PC_E_INVAL, "pc_root_obtain: bad mode %d",
				(int)mode);
	PC_TRY(pc__name_check(name, "pc_root_obtain"));
	if (created)
		*created = 0;
	pc_err e = pc_root_lookup(pool, name, sig, off);
	if (e == PC_OK) {
		if (mode == PC_CREATE)
			return pc__fail(PC_E_EXISTS, "%s: root \"%s\" exists",
					pool->path, name);
		return PC_OK;
	}
	if (e != PC_E_NOTFOUND || mode == PC_OPEN)
		return e;
	PC_TRY(pc__pool_full_ctx(
		pool, pc__dir_bind_new(pool, name, sig, size, init, arg, off),
		sig->name));
	if (created)
		*created = 1;
	return PC_OK;
}

/**
 * @brief Remove root @p name from the directory. The object itself is not
 * freed: containers' `free` functions do both.
 * @return ::PC_OK, ::PC_E_NOTFOUND, ::PC_E_INVAL, ::PC_E_FULL (snapshot),
 * ::PC_E_ABORTED.
 *
 * Transactions: joins one if open; otherwise runs its own.
 */
PC_MUST_USE static inline pc_err pc_root_unbind(pc_pool *pool, const char *name)
{
	if (!pool)
		return pc__fail(PC_E_INVAL, "pc_root_unbind: NULL pool");
	PC_TRY(pc__name_check(name, "pc_root_unbind"));
	struct pc__dirent *ent = pc__dir_find(pool, name);
	if (!ent)
		return pc__fail(PC_E_NOTFOUND, "%s: no root named \"%s\"",
				pool->path, name);
	return pc__dir_remove(pool, ent);
}

/**
 * @brief Find the root bound to the object at @p off and remove it (used
 * by containers' `free`); no error when none is bound.
 *
 * Transactions: joins one if open; otherwise runs its own.
 */
PC_MUST_USE static inline pc_err pc_root_unbind_off(pc_pool *pool, uint64_t off)
{
	if (!pool)
		return pc__fail(PC_E_INVAL, "pc_root_unbind_off: NULL pool");
	const struct pc__dir *d = pc__dir_get(pool);
	if (!d)
		return PC_OK;
	for (uint64_t i = 0; i < d->count; i++)
		if (d->ent[i].off == off) {
			char name[PC_NAME_MAX + 1];
			memcpy(name, d->ent[i].name, sizeof(name));
			return pc_root_unbind(pool, name);
		}
	return PC_OK;
}

#endif /* PCOLL_ROOT_H */
