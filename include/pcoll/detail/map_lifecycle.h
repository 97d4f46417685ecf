/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PMAP engine): the whole map's lifecycle. A new empty leaf,
 * the header written when a map is created (the callback of
 * pc_root_obtain), the checks made when one is opened (header only),
 * clear, and freeing a subtree with the strings it owns (clear, free,
 * dram_delete). Changes run inside a transaction (own or joined).
 *
 * Relies on: map_bytes.h (releasing strings), map_keys.h (leaf init),
 * map_layout.h (allocation, snapshots).
 */
#ifndef PCOLL_DETAIL_MAP_LIFECYCLE_H
#define PCOLL_DETAIL_MAP_LIFECYCLE_H

#include <stdint.h>

#include "map_bytes.h"

/** @cond PCOLL_INTERNAL */

/* Free every node of the subtree at off (level lvl above the leaves) and
 * every string it owns, in a transaction. */
/* Recursion depth is the tree height (at most a dozen levels). */
/* NOLINTNEXTLINE(misc-no-recursion) */
static inline pc_err pc__m_free_subtree(const pc__mctx *c, uint64_t off,
					unsigned lvl)
{
	const pc__mapd *d = c->d;
	if (lvl == 0) {
		struct pc__mleaf *l = pc__ml(c, off);
		if (d->kkind == PC__MK_BYTES || d->vbytes)
			for (uint64_t m = l->bitmap; m; m &= m - 1) {
				unsigned char *s = pc__ml_slot(
					c, l, (unsigned)__builtin_ctzll(m));
				PC_TRY(pc__m_key_drop_tx(c, s));
				PC_TRY(pc__m_val_drop_tx(c, s + d->voff));
			}
		return pc__m_free(c, off);
	}
	struct pc__minner *n = pc__mi(c, off);
	for (unsigned i = 0; i < n->n; i++)
		PC_TRY(pc__m_key_drop_tx(c, pc__mi_key(c, n, i)));
	for (unsigned i = 0; i <= n->n; i++)
		PC_TRY(pc__m_free_subtree(c, n->child[i], lvl - 1));
	return pc__m_free(c, off);
}

/* New empty leaf (in a transaction). */
static inline pc_err pc__m_new_leaf(const pc__mctx *c, uint64_t *off)
{
	PC_TRY(pc__m_alloc(c, c->d->lsize, PC__MAP_TN_LEAF, off));
	pc__ml_init(pc__ml(c, *off));
	pc__ml(c, *off)->hint_epoch = c->h->epoch;
	return PC_OK;
}

static inline pc_err pc__m_clear_tx(const pc__mctx *c)
{
	uint64_t nl = 0;
	PC_TRY(pc__m_free_subtree(c, c->h->root, (unsigned)c->h->height));
	PC_TRY(pc__m_new_leaf(c, &nl));
	PC_TRY(pc__m_snap(c, &c->h->root, 2 * sizeof(uint64_t)));
	c->h->root = nl;
	c->h->height = 0;
	return PC_OK;
}

struct pc__minit_arg {
	const pc__mapd *d;
	const pc_typesig *sig;
};

static inline pc_err pc__m_init_cb(pc_pool *pool, void *obj, void *arg)
{
	const struct pc__minit_arg *a = (const struct pc__minit_arg *)arg;
	struct pc__maphdr *h = (struct pc__maphdr *)obj;
	pc__mctx c = {a->d, pool, (uintptr_t)pool->base, h, NULL};
	uint64_t leaf = 0;
	h->oh.magic = PC__OBJ_MAGIC;
	h->oh.sig = *a->sig;
	PC_TRY(pc__m_new_leaf(&c, &leaf));
	h->root = leaf;
	h->height = 0;
	h->lcap = a->d->lcap;
	h->icap = a->d->icap;
	h->slot = a->d->slot;
	h->isize = a->d->isize;
	return PC_OK;
}

static inline pc_err pc__m_open_check(pc_pool *pool, uint64_t off,
				      const pc__mapd *d, const pc_typesig *sig,
				      const char *fn)
{
	PC_TRY(pc__objhdr_check(pool, off, sizeof(struct pc__maphdr), sig, fn));
	const struct pc__maphdr *h =
		(const struct pc__maphdr *)pc_pool_ptr(pool, off);
	if (h->lcap != d->lcap || h->icap != d->icap || h->slot != d->slot ||
	    h->isize != d->isize)
		return pc__fail(PC_E_VERSION,
				"%s: node geometry %u/%u/%u/%u, this build "
				"uses %u/%u/%u/%u",
				fn, h->lcap, h->icap, h->slot, h->isize,
				d->lcap, d->icap, d->slot, d->isize);
	if (h->height >= PC__MAP_MAXH ||
	    !pc__pool_range_ok(pool, h->root, d->lsize))
		return pc__fail(PC_E_CORRUPT, "%s: damaged map header", fn);
	return PC_OK;
}

/* Free the whole map: every node and string, its header, its root name;
 * in one transaction (own or joined). */
static inline pc_err pc__m_free_ex(const pc__mctx *c, void *arg)
{
	(void)arg;
	pc_pool *pool = c->pool;
	pc__txj j;
	PC_TRY(pc__tx_enter(pool->pop, &j));
	uint64_t off = pc_pool_off(pool, c->h);
	pc_err e = pc__m_free_subtree(c, c->h->root, (unsigned)c->h->height);
	if (e == PC_OK)
		e = pc_root_unbind_off(pool, off);
	if (e == PC_OK)
		e = pc__tx_free(pool->uuid_lo, off);
	return pc__tx_leave(&j, e);
}

/** @endcond */

#endif /* PCOLL_DETAIL_MAP_LIFECYCLE_H */
