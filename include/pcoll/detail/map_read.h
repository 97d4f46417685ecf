/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PMAP engine): everything that reads and changes nothing.
 * Point lookup, the copy of a value that remove() hands out, len and
 * is_empty (a walk of the leaf chain), range bounds and counts, and the
 * iterator: a leaf's slots loaded in key order (a current order hint is
 * taken as it is), moves forward and backward inside a range.
 *
 * Relies on: map_descend.h (descent, edge and predecessor leaves),
 * map_keys.h (comparison, leaf order).
 */
#ifndef PCOLL_DETAIL_MAP_READ_H
#define PCOLL_DETAIL_MAP_READ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "map_descend.h"

/** @cond PCOLL_INTERNAL */

/* Stored value of probe key pk, or NULL. */
static inline void *pc__m_get(const pc__mctx *c, const void *pk)
{
	const struct pc__mleaf *l = pc__m_descend(c, pk, NULL);
	int o = pc__ml_find(c, l, pk, pc__mk_fp(c, pk));
	if (o < 0)
		return NULL;
	return pc__ml_slot(c, l, (unsigned)o) + c->d->voff;
}

/* Copy a stored value out: fixed values to vout (a V *), byte strings to
 * vout (a pc_vbuf *). */
static inline void pc__m_val_out(const pc__mctx *c, const void *stored,
				 void *vout)
{
	if (!vout)
		return;
	if (c->d->vbytes)
		pc_vbuf_fill((pc_vbuf *)vout, pc__mk_bview(c, stored));
	else
		memcpy(vout, stored, c->d->vsz);
}

static inline size_t pc__m_len(const pc__mctx *c)
{
	size_t n = 0;
	for (uint64_t off = pc__m_edge_leaf(c, 0); off;
	     off = pc__ml(c, off)->next)
		n += (size_t)__builtin_popcountll(pc__ml(c, off)->bitmap);
	return n;
}

static inline int pc__m_is_empty(const pc__mctx *c)
{
	return c->h->height == 0 && pc__ml(c, c->h->root)->bitmap == 0;
}

/* 1 when stored key sk lies on the inner side of bound (pk, b):
 * lower (side 0): sk > pk (or >=); upper (side 1): sk < pk (or <=). */
static inline int pc__m_in_bound(const pc__mctx *c, const void *pk, pc_bound b,
				 int side, const void *sk)
{
	if (b == PC_UNBOUNDED)
		return 1;
	int r = pc__mk_cmp_ps(c, pk, sk);
	if (side == 0)
		return b == PC_INCLUDED ? r <= 0 : r < 0;
	return b == PC_INCLUDED ? r >= 0 : r > 0;
}

/* 1 when the range (lo, lob, hi, hib) cannot hold any key. */
static inline int pc__m_range_empty(const pc__mctx *c, const void *lo,
				    pc_bound lob, const void *hi, pc_bound hib)
{
	if (lob == PC_UNBOUNDED || hib == PC_UNBOUNDED)
		return 0;
	int r = pc__mk_cmp_pp(c, lo, hi);
	return r > 0 || (r == 0 && (lob == PC_EXCLUDED || hib == PC_EXCLUDED));
}

static inline uint64_t pc__m_get_leaf_off(const pc__mctx *c, const void *pk)
{
	const struct pc__mleaf *l = pc__m_descend(c, pk, NULL);
	return (uint64_t)((uintptr_t)l - c->base);
}

static inline size_t pc__m_count_range(const pc__mctx *c, const void *lo,
				       pc_bound lob, const void *hi,
				       pc_bound hib)
{
	if (pc__m_range_empty(c, lo, lob, hi, hib))
		return 0;
	uint64_t l1 = lob ? pc__m_get_leaf_off(c, lo) : pc__m_edge_leaf(c, 0);
	uint64_t l2 = hib ? pc__m_get_leaf_off(c, hi) : pc__m_edge_leaf(c, 1);
	size_t n = 0;
	const struct pc__mleaf *L = pc__ml(c, l1);
	for (uint64_t m = L->bitmap; m; m &= m - 1) {
		const unsigned char *k =
			pc__ml_slot(c, L, (unsigned)__builtin_ctzll(m));
		if (pc__m_in_bound(c, lo, lob, 0, k) &&
		    (l1 != l2 || pc__m_in_bound(c, hi, hib, 1, k)))
			n++;
	}
	if (l1 == l2)
		return n;
	uint64_t off = L->next;
	for (; off && off != l2; off = pc__ml(c, off)->next)
		n += (size_t)__builtin_popcountll(pc__ml(c, off)->bitmap);
	if (!off)
		return n;
	const struct pc__mleaf *R = pc__ml(c, l2);
	for (uint64_t m = R->bitmap; m; m &= m - 1)
		if (pc__m_in_bound(
			    c, hi, hib, 1,
			    pc__ml_slot(c, R, (unsigned)__builtin_ctzll(m))))
			n++;
	return n;
}

/* ---------------------------------------------------------------- */
/* Iterators                                                         */
/* ---------------------------------------------------------------- */

typedef struct pc__mit {
	pc__mctx c;
	uint64_t leaf;   /* 0: ended */
	uint64_t bm;     /* live slots of the leaf */
	uint8_t ord[64]; /* the leaf's slots in key order; dead ones skipped */
	uint8_t n, pos;
	uint8_t lob, hib;    /* pc_bound of each end */
	const void *lo, *hi; /* probe bounds, set by the typed layer */
} pc__mit;

static inline const unsigned char *pc__mit_slot_at(const pc__mit *it,
						   unsigned pos)
{
	return pc__ml_slot(&it->c, pc__ml(&it->c, it->leaf), it->ord[pos]);
}

static inline const unsigned char *pc__mit_slot(const pc__mit *it)
{
	return pc__mit_slot_at(it, it->pos);
}

static inline int pc__mit_live(const pc__mit *it, unsigned pos)
{
	return (int)((it->bm >> it->ord[pos]) & 1);
}

/* Load leaf off: a hint of this epoch is taken as it is (it lists every
 * live slot in order, perhaps with dead slots that moves skip); otherwise
 * the verified or sorted live slots. */
static inline void pc__mit_load(pc__mit *it, uint64_t off)
{
	it->leaf = off;
	it->n = 0;
	it->pos = 0;
	if (!off)
		return;
	const struct pc__mleaf *l = pc__ml(&it->c, off);
	it->bm = l->bitmap;
	if (l->hint_epoch == it->c.h->epoch) {
		memcpy(it->ord, l->order, sizeof(it->ord));
		uint64_t end = pc__m_eqmask64(it->ord, 0xFF);
		it->n = (uint8_t)(end ? __builtin_ctzll(end) : 64);
		return;
	}
	it->n = (uint8_t)pc__ml_sorted(&it->c, l, it->ord);
}

/* Settle on a valid forward position: skip dead slots and empty leaves,
 * check hi. */
static inline int pc__mit_fwd_ok(pc__mit *it)
{
	for (;;) {
		if (!it->leaf)
			return 0;
		while (it->pos < it->n && !pc__mit_live(it, it->pos))
			it->pos++;
		if (it->pos < it->n)
			break;
		pc__mit_load(it, pc__ml(&it->c, it->leaf)->next);
	}
	if (it->hib != PC_UNBOUNDED &&
	    !pc__m_in_bound(&it->c, it->hi, (pc_bound)it->hib, 1,
			    pc__mit_slot(it))) {
		it->leaf = 0;
		return 0;
	}
	return 1;
}

/* Last live position below `below` (it->n for the whole leaf), or -1. */
static inline int pc__mit_last_live(const pc__mit *it, int below)
{
	int pos = below - 1;
	while (pos >= 0 && !pc__mit_live(it, (unsigned)pos))
		pos--;
	return pos;
}

static inline int pc__mit_back_ok(pc__mit *it, int pos)
{
	if (!it->leaf || pos < 0) {
		it->leaf = 0;
		return 0;
	}
	it->pos = (uint8_t)pos;
	if (it->lob != PC_UNBOUNDED &&
	    !pc__m_in_bound(&it->c, it->lo, (pc_bound)it->lob, 0,
			    pc__mit_slot(it))) {
		it->leaf = 0;
		return 0;
	}
	return 1;
}

/* First position whose key is inside the lower bound (binary search
 * where every listed slot's key bytes are ordered: fixed keys). */
static inline unsigned pc__mit_lower(const pc__mit *it)
{
	const pc__mctx *c = &it->c;
	if (c->d->kkind != PC__MK_BYTES) {
		unsigned lo = 0, hi = it->n;
		while (lo < hi) {
			unsigned mid = (lo + hi) / 2;
			if (pc__m_in_bound(c, it->lo, (pc_bound)it->lob, 0,
					   pc__mit_slot_at(it, mid)))
				hi = mid;
			else
				lo = mid + 1;
		}
		return lo;
	}
	unsigned pos = 0;
	while (pos < it->n && (!pc__mit_live(it, pos) ||
			       !pc__m_in_bound(c, it->lo, (pc_bound)it->lob, 0,
					       pc__mit_slot_at(it, pos))))
		pos++;
	return pos;
}

/* First key in the range (lo bound applied here, hi checked). */
static inline int pc__mit_seek_first(pc__mit *it)
{
	const pc__mctx *c = &it->c;
	if (pc__m_range_empty(c, it->lo, (pc_bound)it->lob, it->hi,
			      (pc_bound)it->hib)) {
		it->leaf = 0;
		return 0;
	}
	if (it->lob == PC_UNBOUNDED) {
		pc__mit_load(it, pc__m_edge_leaf(c, 0));
		return pc__mit_fwd_ok(it);
	}
	const struct pc__mleaf *l = pc__m_descend(c, it->lo, NULL);
	pc__mit_load(it, (uint64_t)((uintptr_t)l - c->base));
	it->pos = (uint8_t)pc__mit_lower(it);
	return pc__mit_fwd_ok(it);
}

/* Last key in the range. */
static inline int pc__mit_seek_last(pc__mit *it)
{
	const pc__mctx *c = &it->c;
	if (pc__m_range_empty(c, it->lo, (pc_bound)it->lob, it->hi,
			      (pc_bound)it->hib)) {
		it->leaf = 0;
		return 0;
	}
	if (it->hib == PC_UNBOUNDED) {
		pc__mit_load(it, pc__m_edge_leaf(c, 1));
		return pc__mit_back_ok(it, pc__mit_last_live(it, it->n));
	}
	pc__mpath p;
	(void)pc__m_descend(c, it->hi, &p);
	pc__mit_load(it, p.node[p.h]);
	int pos = pc__mit_last_live(it, it->n);
	while (pos >= 0 && !pc__m_in_bound(c, it->hi, (pc_bound)it->hib, 1,
					   pc__mit_slot_at(it, (unsigned)pos)))
		pos = pc__mit_last_live(it, pos);
	if (pos < 0) {
		pc__mit_load(it, pc__m_pred_leaf(c, &p));
		pos = pc__mit_last_live(it, it->n);
	}
	return pc__mit_back_ok(it, pos);
}

static inline int pc__mit_next(pc__mit *it)
{
	if (!it->leaf)
		return 0;
	unsigned pos = it->pos + 1u;
	while (pos < it->n && !pc__mit_live(it, pos))
		pos++;
	it->pos = (uint8_t)pos;
	if (PC__LIKELY(pos < it->n && it->hib == PC_UNBOUNDED))
		return 1; /* the common step: inside the leaf, no bound */
	return pc__mit_fwd_ok(it);
}

static inline int pc__mit_prev(pc__mit *it)
{
	if (!it->leaf)
		return 0;
	int pos = pc__mit_last_live(it, it->pos);
	if (pos >= 0)
		return pc__mit_back_ok(it, pos);
	/* The leaf before: descend with this leaf's smallest key. */
	const pc__mctx *c = &it->c;
	pc_slice t;
	pc__mpath p;
	int first = 0;
	while (first < it->n && !pc__mit_live(it, (unsigned)first))
		first++;
	(void)pc__m_descend(
		c, pc__mk_probe(c, pc__mit_slot_at(it, (unsigned)first), &t),
		&p);
	pc__mit_load(it, pc__m_pred_leaf(c, &p));
	return pc__mit_back_ok(it, pc__mit_last_live(it, it->n));
}

/** @endcond */

#endif /* PCOLL_DETAIL_MAP_READ_H */
