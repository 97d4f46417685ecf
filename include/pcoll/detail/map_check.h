/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PMAP engine): the structural check behind NAME_check() and
 * the pcoll tool: offsets in range, key order inside leaves and against
 * the separators, leaf fill, order hints, fingerprints, byte-string
 * references, the leaf chain and its count. Reads only; a damaged
 * pool gives PC_E_CORRUPT, never a read outside the pool.
 *
 * Relies on: map_read.h (pc__m_len), map_keys.h (comparison, leaf
 * order), map_layout.h (structs).
 */
#ifndef PCOLL_DETAIL_MAP_CHECK_H
#define PCOLL_DETAIL_MAP_CHECK_H

#include <stdint.h>

#include "map_read.h"

/** @cond PCOLL_INTERNAL */

typedef struct pc__mcheck {
	uint64_t prev_leaf;
	uint64_t count;
	uint64_t nodes;
	const char *fn;
} pc__mcheck;

static inline int pc__m_off_ok(const pc__mctx *c, uint64_t off, size_t len)
{
	if (c->d->dram)
		return off != 0;
	return pc__pool_range_ok(c->pool, off, len);
}

static inline pc_err pc__m_check_key(const pc__mctx *c, const void *sk,
				     const char *fn)
{
	if (c->d->kkind != PC__MK_BYTES)
		return PC_OK;
	const pc_bytes *b = (const pc_bytes *)sk;
	if (pc__bytes_is_inline(b)) {
		if (pc_bytes_len(b) > PC_BYTES_INLINE_MAX)
			return pc__fail(PC_E_CORRUPT, "%s: bad inline key", fn);
		return PC_OK;
	}
	if (b->w[1] <= PC_BYTES_INLINE_MAX || b->w[1] > PC_BYTES_MAX ||
	    !pc__m_off_ok(c, b->w[0], b->w[1]))
		return pc__fail(PC_E_CORRUPT, "%s: bad byte-string key", fn);
	return PC_OK;
}

/* Recursion depth is the tree height (at most a dozen levels). */
/* NOLINTNEXTLINE(misc-no-recursion) */
static inline pc_err pc__m_check_node(const pc__mctx *c, uint64_t off,
				      unsigned lvl, const void *lo,
				      const void *hi, pc__mcheck *st)
{
	const pc__mapd *d = c->d;
	const char *fn = st->fn;
	if (++st->nodes > ((uint64_t)1 << 40))
		return pc__fail(PC_E_CORRUPT, "%s: cycle in the tree", fn);
	if (lvl == 0) {
		if (!pc__m_off_ok(c, off, d->lsize))
			return pc__fail(PC_E_CORRUPT,
					"%s: leaf offset %llu out of range", fn,
					(unsigned long long)off);
		const struct pc__mleaf *l = pc__ml(c, off);
		uint64_t bm = l->bitmap;
		if (bm & ~pc__ml_capmask(c))
			return pc__fail(PC_E_CORRUPT,
					"%s: leaf bitmap has bits past the "
					"capacity",
					fn);
		if (bm == 0 && off != c->h->root)
			return pc__fail(PC_E_CORRUPT,
					"%s: empty leaf below the root", fn);
		if (st->prev_leaf && pc__ml(c, st->prev_leaf)->next != off)
			return pc__fail(PC_E_CORRUPT, "%s: broken leaf chain",
					fn);
		st->prev_leaf = off;
		/* Validate every key (string references included) before
		 * anything compares keys: a damaged reference must give
		 * PC_E_CORRUPT, not a read outside the pool. */
		for (uint64_t b = bm; b; b &= b - 1)
			PC_TRY(pc__m_check_key(
				c,
				pc__ml_slot(c, l, (unsigned)__builtin_ctzll(b)),
				fn));
		uint8_t ord[64];
		if (l->hint_epoch == c->h->epoch) {
			/* A hint of this epoch is trusted: it must be right. */
			uint64_t seen = 0;
			unsigned k = 0;
			for (unsigned i = 0; i < 64 && l->order[i] < 64; i++) {
				uint64_t bit = 1ull << l->order[i];
				if (bm & bit & ~seen) {
					seen |= bit;
					ord[k++] = l->order[i];
				}
			}
			for (unsigned i = 1; i < k && seen == bm; i++)
				if (!pc__ml_lt(c, l, ord[i - 1], ord[i]))
					seen = ~bm;
			if (seen != bm)
				return pc__fail(PC_E_CORRUPT,
						"%s: wrong order hint", fn);
		}
		unsigned n = pc__ml_sorted_v(c, l, ord, 1);
		if (n != (unsigned)__builtin_popcountll(bm))
			return pc__fail(PC_E_CORRUPT, "%s: leaf count", fn);
		for (unsigned i = 0; i < n; i++) {
			const unsigned char *k = pc__ml_slot(c, l, ord[i]);
			PC_TRY(pc__m_check_key(c, k, fn));
			if (d->vbytes) {
				const pc_bytes *vb =
					(const pc_bytes
						 *)(const void *)(k + d->voff);
				if (!pc__bytes_is_inline(vb) &&
				    (vb->w[1] > PC_BYTES_MAX ||
				     !pc__m_off_ok(c, vb->w[0], vb->w[1])))
					return pc__fail(PC_E_CORRUPT,
							"%s: bad value string",
							fn);
			}
			if (i > 0 &&
			    pc__mk_cmp_ss(c, pc__ml_slot(c, l, ord[i - 1]),
					  k) >= 0)
				return pc__fail(PC_E_CORRUPT,
						"%s: duplicate key in a leaf",
						fn);
			if ((lo && pc__mk_cmp_ss(c, lo, k) > 0) ||
			    (hi && pc__mk_cmp_ss(c, k, hi) >= 0))
				return pc__fail(PC_E_CORRUPT,
						"%s: key outside its leaf's "
						"bounds",
						fn);
			if (d->kkind != PC__MK_FN) {
				pc_slice t;
				if (l->fp[ord[i]] !=
				    pc__mk_fp(c, pc__mk_probe(c, k, &t)))
					return pc__fail(PC_E_CORRUPT,
							"%s: bad fingerprint",
							fn);
			}
		}
		st->count += n;
		return PC_OK;
	}
	if (!pc__m_off_ok(c, off, d->isize))
		return pc__fail(PC_E_CORRUPT, "%s: node offset out of range",
				fn);
	const struct pc__minner *n = pc__mi(c, off);
	if (n->n > d->icap)
		return pc__fail(PC_E_CORRUPT, "%s: inner node overfull", fn);
	for (unsigned i = 0; i < n->n; i++) {
		const unsigned char *k = pc__mi_key(c, n, i);
		PC_TRY(pc__m_check_key(c, k, fn));
		if (i > 0 && pc__mk_cmp_ss(c, pc__mi_key(c, n, i - 1), k) >= 0)
			return pc__fail(PC_E_CORRUPT,
					"%s: inner keys out of order", fn);
		if ((lo && pc__mk_cmp_ss(c, lo, k) > 0) ||
		    (hi && pc__mk_cmp_ss(c, k, hi) >= 0))
			return pc__fail(PC_E_CORRUPT,
					"%s: inner key outside its bounds", fn);
	}
	for (unsigned i = 0; i <= n->n; i++)
		PC_TRY(pc__m_check_node(c, n->child[i], lvl - 1,
					i == 0 ? lo : pc__mi_key(c, n, i - 1),
					i == n->n ? hi : pc__mi_key(c, n, i),
					st));
	return PC_OK;
}

static inline pc_err pc__m_check(const pc__mctx *c, const char *fn)
{
	if (c->h->height >= PC__MAP_MAXH)
		return pc__fail(PC_E_CORRUPT, "%s: tree too high", fn);
	pc__mcheck st = {0, 0, 0, fn};
	PC_TRY(pc__m_check_node(c, c->h->root, (unsigned)c->h->height, NULL,
				NULL, &st));
	if (st.prev_leaf && pc__ml(c, st.prev_leaf)->next != 0)
		return pc__fail(PC_E_CORRUPT,
				"%s: the last leaf has a successor", fn);
	if (st.count != pc__m_len(c))
		return pc__fail(PC_E_CORRUPT,
				"%s: chain count differs from tree count", fn);
	return PC_OK;
}

/** @endcond */

#endif /* PCOLL_DETAIL_MAP_CHECK_H */
