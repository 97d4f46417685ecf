/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: pcoll's own metadata in a pool, the root object and the
 * directory of named roots.
 *
 * Persistent layout (version PC_POOL_LAYOUT_VERSION = 1):
 *   libpmemobj's root object   struct pc__root: magic "COLLROT1", layout
 *                              version, flags, dir_off (0 while no root
 *                              was ever bound), grow_step (growable
 *                              pools, else 0)
 *   at dir_off                 struct pc__dir: magic "PCOLLDIR1", count,
 *                              cap, then cap entries of name (NUL-ended),
 *                              type signature and object offset
 *
 * Protocols:
 *   first open of a new pool (pc__pool_attach)
 *       libpmemobj allocates the root zeroed; fence 1: version, flags
 *       and the growth step (the whole root, magic still 0); fence 2:
 *       the magic. A root whose magic is 0 and whose other fields are 0
 *       or what fence 1 writes is an unfinished first open (a crash
 *       before fence 2): the next open finishes it, keeping a growth
 *       step fence 1 wrote, or reading it from the poolset file
 *       (detail/pool_grow.h) when the crash came before fence 1.
 *   bind (pc__dir_bind_new, through pc_root_obtain)
 *       one libpmemobj transaction (joined when one is open): allocate the
 *       object, run the caller's init, then add the entry: in place with
 *       count and the new entry snapshotted, or into a directory of twice
 *       the capacity (allocated, filled, dir_off switched under a
 *       snapshot, the old one freed).
 *   unbind (pc__dir_remove)
 *       one transaction: count and the entry in the hole snapshotted, the
 *       last entry moved into the hole, count decremented.
 * pc__pool_attach also checks, at every open, every offset and count it
 * will read through before anything reads through it.
 *
 * Part of detail/pool_engine.h, included by <pcoll/pool.h> after its
 * public types and pc_pool. Relies on: pool.h (pc_pool, pc_pool_ptr,
 * pc_pool_persist, pc__pool_range_ok), detail/pool_typesig.h
 * (pc__sig_typenum), detail/txcore.h (the own or joined transaction),
 * err.h (pc__fail).
 */
#ifndef PCOLL_DETAIL_POOL_ROOTDIR_H
#define PCOLL_DETAIL_POOL_ROOTDIR_H

#include <stdint.h>
#include <string.h>

#include <libpmemobj.h>

#include "../err.h"
#include "txcore.h"

/** @cond PCOLL_INTERNAL */
#define PC__ROOT_MAGIC 0x31544f524c4c4f43ull /* "COLLROT1" */
#define PC__DIR_MAGIC  0x3152494c4c4f4350ull /* "PCOLLDIR1" */

struct pc__root {
	uint64_t magic;
	uint32_t version;
	uint32_t flags;
	uint64_t dir_off;   /* offset of struct pc__dir, 0 while empty */
	uint64_t grow_step; /* growable pools: bytes added when full, else 0 */
	uint64_t reserved[4];
};

struct pc__dirent {
	char name[PC_NAME_MAX + 1];
	pc_typesig sig;
	uint64_t off;
};

struct pc__dir {
	uint64_t magic;
	uint64_t count;
	uint64_t cap;
	uint64_t reserved;
	struct pc__dirent ent[];
};

/* 1 when root is zero apart from what the first open writes before its
 * magic: an initialisation that a crash cut short (see the top). */
static inline int pc__root_unfinished(const pc_pool *pool,
				      const struct pc__root *root)
{
	if (root->magic != 0 || root->dir_off != 0 || root->flags != 0 ||
	    (root->version != 0 && root->version != PC_POOL_LAYOUT_VERSION) ||
	    pmemobj_root_size(pool->pop) != sizeof(*root))
		return 0;
	for (unsigned i = 0; i < sizeof(root->reserved) / 8; i++)
		if (root->reserved[i])
			return 0;
	return 1;
}

/* Validates the pool's root and directory after libpmemobj opened it;
 * the first open (created, or an unfinished one) writes the root with
 * growth step grow_step (0: fixed, or read from the poolset file). */
static inline pc_err pc__pool_attach(pc_pool *pool, int created,
				     uint64_t grow_step)
{
	PMEMoid r = pmemobj_root(pool->pop, sizeof(struct pc__root));
	if (OID_IS_NULL(r))
		return pc__fail(PC_E_FULL,
				"%s: no room for pcoll's root object (%zu "
				"bytes): %s",
				pool->path, sizeof(struct pc__root),
				pc__pmdk_errormsg());
	/* libpmemobj keeps the root's offset outside its checksum: check it
	 * before reading through it. */
	if (!pc__pool_range_ok(pool, r.off, sizeof(struct pc__root)) ||
	    pmemobj_root_size(pool->pop) < sizeof(struct pc__root))
		return pc__fail(
			PC_E_CORRUPT,
			"%s: the root object's offset (%llu) or size is "
			"damaged",
			pool->path, (unsigned long long)r.off);
	pool->uuid_lo = r.pool_uuid_lo;
	pool->root = (struct pc__root *)pmemobj_direct(r);
	struct pc__root *root = pool->root;
	if (pc__root_unfinished(pool, root)) {
		if (root->grow_step == 0 && grow_step == 0 && !created)
			grow_step = pc__pool_poolset_step(pool->path);
		root->version = PC_POOL_LAYOUT_VERSION;
		root->flags = 0;
		if (root->grow_step == 0)
			root->grow_step = grow_step;
		pc_pool_persist(pool, root, sizeof(*root));
		root->magic = PC__ROOT_MAGIC;
		pc_pool_persist(pool, &root->magic, sizeof(root->magic));
	}
	if (root->magic != PC__ROOT_MAGIC)
		return pc__fail(PC_E_CORRUPT,
				"%s: the pcoll root object is damaged (magic "
				"%#llx, expected %#llx)",
				pool->path, (unsigned long long)root->magic,
				(unsigned long long)PC__ROOT_MAGIC);
	if (root->version != PC_POOL_LAYOUT_VERSION)
		return pc__fail(
			PC_E_VERSION,
			"%s: pool layout version %u, this build reads %u",
			pool->path, root->version, PC_POOL_LAYOUT_VERSION);
	if (root->dir_off) {
		if (!pc__pool_range_ok(pool, root->dir_off,
				       sizeof(struct pc__dir)))
			return pc__fail(
				PC_E_CORRUPT,
				"%s: root directory offset out of range",
				pool->path);
		const struct pc__dir *d = (const struct pc__dir *)pc_pool_ptr(
			pool, root->dir_off);
		if (d->magic != PC__DIR_MAGIC || d->count > d->cap ||
		    d->cap > (UINT64_MAX - sizeof(*d)) / sizeof(d->ent[0]) ||
		    !pc__pool_range_ok(pool, root->dir_off,
				       sizeof(*d) + d->cap * sizeof(d->ent[0])))
			return pc__fail(PC_E_CORRUPT,
					"%s: the root directory is damaged",
					pool->path);
		for (uint64_t i = 0; i < d->count; i++)
			if (!pc__pool_range_ok(pool, d->ent[i].off, 1) ||
			    memchr(d->ent[i].name, 0, sizeof(d->ent[i].name)) ==
				    NULL)
				return pc__fail(
					PC_E_CORRUPT,
					"%s: root directory entry %llu is "
					"damaged",
					pool->path, (unsigned long long)i);
	}
	return PC_OK;
}

static inline struct pc__dir *pc__dir_get(const pc_pool *pool)
{
	return (struct pc__dir *)pc_pool_ptr(pool, pool->root->dir_off);
}

static inline pc_err pc__name_check(const char *name, const char *fn)
{
	if (!name || !*name)
		return pc__fail(PC_E_INVAL, "%s: empty or NULL root name", fn);
	if (strlen(name) > PC_NAME_MAX)
		return pc__fail(
			PC_E_TOOBIG,
			"%s: root name \"%.20s...\" is %zu bytes, the limit "
			"is %d",
			fn, name, strlen(name), PC_NAME_MAX);
	return PC_OK;
}

static inline struct pc__dirent *pc__dir_find(const pc_pool *pool,
					      const char *name)
{
	struct pc__dir *d = pc__dir_get(pool);
	if (!d)
		return NULL;
	for (uint64_t i = 0; i < d->count; i++)
		if (strncmp(d->ent[i].name, name, sizeof(d->ent[i].name)) == 0)
			return &d->ent[i];
	return NULL;
}

/* Adds name -> (sig, off) in the running transaction. */
static inline pc_err pc__dir_add_tx(pc_pool *pool, const char *name,
				    const pc_typesig *sig, uint64_t off)
{
	struct pc__dir *d = pc__dir_get(pool);
	if (!d || d->count == d->cap) {
		uint64_t ncap = d ? d->cap * 2 : 8;
		uint64_t noff = 0;
		PC_TRY(pc__tx_alloc(sizeof(struct pc__dir) +
					    ncap * sizeof(struct pc__dirent),
				    PC__DIR_MAGIC >> 1, 1, &noff));
		struct pc__dir *nd = (struct pc__dir *)pc_pool_ptr(pool, noff);
		nd->magic = PC__DIR_MAGIC;
		nd->cap = ncap;
		if (d) {
			nd->count = d->count;
			memcpy(nd->ent, d->ent, d->count * sizeof(d->ent[0]));
			PC_TRY(pc__tx_free(pool->uuid_lo, pool->root->dir_off));
		}
		PC_TRY(pc__tx_snap(&pool->root->dir_off, sizeof(uint64_t)));
		pool->root->dir_off = noff;
		d = nd;
	} else {
		PC_TRY(pc__tx_snap(&d->count, sizeof(d->count)));
		PC_TRY(pc__tx_snap(&d->ent[d->count], sizeof(d->ent[0])));
	}
	struct pc__dirent *e = &d->ent[d->count];
	memset(e, 0, sizeof(*e));
	memcpy(e->name, name, strlen(name));
	e->sig = *sig;
	e->off = off;
	d->count++;
	return PC_OK;
}

/* Allocates a zeroed object of size bytes, lets init fill it and binds
 * name to it, in one transaction (joined when one is open); *off receives
 * the object's offset on success. */
static inline pc_err pc__dir_bind_new(pc_pool *pool, const char *name,
				      const pc_typesig *sig, size_t size,
				      pc_err (*init)(pc_pool *pool, void *obj,
						     void *arg),
				      void *arg, uint64_t *off)
{
	pc__txj j;
	PC_TRY(pc__tx_enter(pool->pop, &j));
	uint64_t o = 0;
	pc_err e = pc__tx_alloc(size, pc__sig_typenum(sig), 1, &o);
	if (e == PC_OK && init)
		e = init(pool, pc_pool_ptr(pool, o), arg);
	if (e == PC_OK)
		e = pc__dir_add_tx(pool, name, sig, o);
	e = pc__tx_leave(&j, e);
	if (e != PC_OK)
		return e;
	*off = o;
	return PC_OK;
}

/* Removes the directory entry ent, in one transaction (joined when one is
 * open): the last entry moves into the hole. */
static inline pc_err pc__dir_remove(pc_pool *pool, struct pc__dirent *ent)
{
	struct pc__dir *d = pc__dir_get(pool);
	pc__txj j;
	PC_TRY(pc__tx_enter(pool->pop, &j));
	uint64_t i = (uint64_t)(ent - d->ent);
	pc_err e = pc__tx_snap(&d->count, sizeof(d->count));
	if (e == PC_OK && i + 1 < d->count) {
		/* Move the last entry into the hole. */
		e = pc__tx_snap(ent, sizeof(*ent));
		if (e == PC_OK)
			*ent = d->ent[d->count - 1];
	}
	if (e == PC_OK)
		d->count--;
	return pc__tx_leave(&j, e);
}
/** @endcond */

#endif /* PCOLL_DETAIL_POOL_ROOTDIR_H */
