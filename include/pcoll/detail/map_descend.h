/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PMAP engine): descent through the inner nodes. Binary search
 * of an inner node, root-to-leaf descent (recording the path when asked),
 * the leftmost and rightmost leaf, and the leaf before a path's leaf.
 * Read-only.
 *
 * Relies on: map_keys.h (key comparison), map_layout.h (node structs).
 */
#ifndef PCOLL_DETAIL_MAP_DESCEND_H
#define PCOLL_DETAIL_MAP_DESCEND_H

#include <stdint.h>
#include <string.h>

#include "map_keys.h"

/** @cond PCOLL_INTERNAL */

/* Index of the child of n that covers probe key pk. */
static inline uint32_t pc__mi_search(const pc__mctx *c,
				     const struct pc__minner *n, const void *pk)
{
	uint32_t lo = 0, hi = n->n;
	if (c->d->sync && hi > c->d->icap)
		hi = c->d->icap; /* an optimistic read may see it torn */
	const unsigned char *keys = (const unsigned char *)n + c->d->ikoff;
	if (c->d->kkind == PC__MK_UINT && c->d->ksz == 8) {
		uint64_t k;
		memcpy(&k, pk, 8);
		const uint64_t *ks = (const uint64_t *)(const void *)keys;
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;
			if (ks[mid] <= k)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo;
	}
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (pc__mk_cmp_ps(c, pk, keys + (size_t)mid * c->d->ksz) >= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Leaf covering pk; records the path when p is not NULL. */
static inline struct pc__mleaf *pc__m_descend(const pc__mctx *c, const void *pk,
					      pc__mpath *p)
{
	uint64_t off = c->h->root;
	unsigned h = (unsigned)c->h->height;
	for (unsigned l = 0; l < h; l++) {
		const struct pc__minner *n = pc__mi(c, off);
		uint32_t i = pc__mi_search(c, n, pk);
		if (p) {
			p->node[l] = off;
			p->idx[l] = i;
		}
		off = n->child[i];
	}
	if (p) {
		p->h = h;
		p->node[h] = off;
	}
	return pc__ml(c, off);
}

/* Leftmost (dir 0) or rightmost (dir 1) leaf offset. */
static inline uint64_t pc__m_edge_leaf(const pc__mctx *c, int dir)
{
	uint64_t off = c->h->root;
	for (unsigned l = 0; l < c->h->height; l++) {
		const struct pc__minner *n = pc__mi(c, off);
		off = n->child[dir ? n->n : 0];
	}
	return off;
}

/* The leaf before path p's leaf in key order (0 for the first leaf). */
static inline uint64_t pc__m_pred_leaf(const pc__mctx *c, const pc__mpath *p)
{
	int lv = (int)p->h - 1;
	while (lv >= 0 && p->idx[lv] == 0)
		lv--;
	if (lv < 0)
		return 0;
	uint64_t off = pc__mi(c, p->node[lv])->child[p->idx[lv] - 1];
	for (unsigned l = (unsigned)lv + 1; l < p->h; l++) {
		const struct pc__minner *n = pc__mi(c, off);
		off = n->child[n->n];
	}
	return off;
}

/** @endcond */

#endif /* PCOLL_DETAIL_MAP_DESCEND_H */
