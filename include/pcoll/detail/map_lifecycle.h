/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PMAP engine): the whole map's lifecycle. A new empty leaf,
 * the header written when a map is created (the callback of
 * pc_root_obtain), the checks made when one is opened (header only),
 * clear, and freeing a subtree with the strings it owns (clear, free,
 * dram_delete). Changes run inside a transaction (own or joined); clear
 * and free outside one fall back to steps of their own transactions when
 * the pool is too full for one (pc__m_shrink).
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

/* ---------------------------------------------------------------- */
/* Clear and free in a full pool: in steps                           */
/* ---------------------------------------------------------------- */

/* Objects one step frees at most. A libpmemobj transaction keeps its
 * frees in the redo log of its lane (room for about 40) and needs an
 * extension from the heap beyond that, which a full pool cannot give; a
 * step stays well inside, and snapshots only a few words. */
#define PC__M_STEP_FREES 24

/*
 * One step of emptying the map from its right end, inside a transaction
 * (own): clears entries of the rightmost leaf, freeing their strings,
 * while the step's budget lasts; a leaf left empty is unlinked: its
 * parent (the lowest ancestor with more than one child) loses its last
 * child and separator, the leaf before it ends the chain, and the
 * single-child nodes between are freed. Each step leaves a valid map
 * holding the smallest of its keys. *done = 1 once the map is one empty
 * leaf.
 */
static inline pc_err pc__m_shrink_step_tx(const pc__mctx *c, int *done)
{
	const pc__mapd *d = c->d;
	unsigned h = (unsigned)c->h->height;
	uint64_t node[PC__MAP_MAXH + 1];
	uint64_t off = c->h->root;
	for (unsigned l = 0; l < h; l++) {
		const struct pc__minner *n = pc__mi(c, off);
		node[l] = off;
		off = n->child[n->n];
	}
	node[h] = off;
	struct pc__mleaf *L = pc__ml(c, off);
	unsigned per = (unsigned)(d->kkind == PC__MK_BYTES) +
		       (unsigned)(d->vbytes != 0);
	unsigned budget = PC__M_STEP_FREES;
	if (L->bitmap) {
		uint64_t bm = L->bitmap;
		PC_TRY(pc__m_snap(c, &L->bitmap, sizeof(L->bitmap)));
		for (uint64_t m = bm; m && budget >= per + h + 2; m &= m - 1) {
			unsigned i = (unsigned)__builtin_ctzll(m);
			unsigned char *slot = pc__ml_slot(c, L, i);
			PC_TRY(pc__m_key_drop_tx(c, slot));
			PC_TRY(pc__m_val_drop_tx(c, slot + d->voff));
			bm &= ~(1ull << i);
			budget -= per;
		}
		L->bitmap = bm;
	}
	if (L->bitmap || budget < h + 2)
		return PC_OK;
	if (h == 0) {
		*done = 1;
		return PC_OK;
	}
	int lvl = (int)h - 1;
	while (lvl >= 0 && pc__mi(c, node[lvl])->n == 0)
		lvl--;
	if (lvl < 0) { /* the only leaf: it becomes the root */
		PC_TRY(pc__m_snap(c, &c->h->root, 2 * sizeof(uint64_t)));
		c->h->root = node[h];
		c->h->height = 0;
		for (unsigned l = 0; l < h; l++)
			PC_TRY(pc__m_free(c, node[l]));
		*done = 1;
		return PC_OK;
	}
	struct pc__minner *N = pc__mi(c, node[lvl]);
	uint32_t n = N->n;
	PC_TRY(pc__m_key_drop_tx(c, pc__mi_key(c, N, n - 1)));
	PC_TRY(pc__m_snap(c, &N->n, sizeof(N->n)));
	N->n = n - 1;
	for (unsigned l = (unsigned)lvl + 1; l <= h; l++)
		PC_TRY(pc__m_free(c, node[l]));
	/* The new last leaf: the rightmost one under N's new last child. */
	uint64_t p = N->child[n - 1];
	for (unsigned l = (unsigned)lvl + 1; l < h; l++)
		p = pc__mi(c, p)->child[pc__mi(c, p)->n];
	struct pc__mleaf *P = pc__ml(c, p);
	PC_TRY(pc__m_snap(c, &P->next, sizeof(P->next)));
	P->next = 0;
	return PC_OK;
}

/* Empties the map in steps, each its own transaction (outside one only). */
static inline pc_err pc__m_shrink(const pc__mctx *c)
{
	for (int done = 0; !done;) {
		pc__txj j;
		PC_TRY(pc__m_tx_enter(c, &j));
		PC_TRY(pc__m_tx_leave(c, &j, pc__m_shrink_step_tx(c, &done)));
	}
	return PC_OK;
}

/*
 * clear(): one transaction (own or joined) that frees the tree and puts
 * an empty leaf in its place. Outside a transaction, when the pool has
 * no room for that transaction's logs (a full pool), the map is emptied
 * in steps instead (pc__m_shrink_step_tx), keeping its root leaf.
 */
static inline pc_err pc__m_clear(const pc__mctx *c)
{
	pc__txj j;
	PC_TRY(pc__m_tx_enter(c, &j));
	pc_err e = pc__m_tx_leave(c, &j, pc__m_clear_tx(c));
	if (e != PC_E_FULL || !j.own)
		return e;
	return pc__m_shrink(c);
}

/* Free the map's last leaf, its header and its root name, in one
 * transaction (own or joined); with whole, every node and string first. */
static inline pc_err pc__m_free_all(const pc__mctx *c, int whole, pc__txj *j)
{
	pc_pool *pool = c->pool;
	PC_TRY(pc__tx_enter(pool->pop, j));
	uint64_t off = pc_pool_off(pool, c->h);
	pc_err e = whole ? pc__m_free_subtree(c, c->h->root,
					      (unsigned)c->h->height)
			 : pc__m_free(c, c->h->root);
	if (e == PC_OK)
		e = pc_root_unbind_off(pool, off);
	if (e == PC_OK)
		e = pc__tx_free(pool->uuid_lo, off);
	return pc__tx_leave(j, e);
}

/* Free the whole map: every node and string, its header, its root name;
 * in one transaction (own or joined), or, outside one in a full pool,
 * emptied in steps first (see pc__m_clear()). */
static inline pc_err pc__m_free_ex(const pc__mctx *c, void *arg)
{
	(void)arg;
	pc__txj j;
	pc_err e = pc__m_free_all(c, 1, &j);
	if (e != PC_E_FULL || !j.own)
		return e;
	PC_TRY(pc__m_shrink(c));
	return pc__m_free_all(c, 0, &j);
}

/** @endcond */

#endif /* PCOLL_DETAIL_MAP_LIFECYCLE_H */
