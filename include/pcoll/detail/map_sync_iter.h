/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PMAP engine, PC_SYNC): iteration, ranges and counts of a map
 * shared by threads, without locks.
 *
 * An iterator remembers one leaf, the version of its word when it read
 * the leaf's order, and copies of its current entry. It keeps two key
 * copies: a move copies the next entry into the spare one and makes it
 * current only once validated, so the current key survives a failed
 * attempt and serves as the restart point. A move within an
 * unchanged leaf validates that version once more; when the leaf changed
 * (or the move crosses to the next leaf and that changed), the iterator
 * descends again from the header to the first key after the copy of its
 * current key (before it, going back). Hence what a scan promises under
 * concurrent writers:
 * - keys come out strictly ascending (descending for prev), each at most
 *   once, each with the value it had at one instant while it was
 *   present: nothing torn, nothing uncommitted;
 * - every key present from the start of the scan to its end comes out;
 * - a key inserted or removed during the scan may or may not.
 * The counts are scans that copy keys only, with the same promise.
 *
 * Small fixed-size entries (a slot of at most PC__MSB_SLOT bytes) are
 * copied a leaf at a time: once positioned, the iterator copies the
 * leaf's whole slot array (one memcpy) under the version that its ord[]
 * and bitmap were read under, validates once, and the moves within that
 * leaf, both ways, serve the copy through ord[] without touching the
 * pool: each entry served was present with that value at the validation.
 *
 * Relies on: map_sync_read.h (descent, validated views, copies).
 */
#ifndef PCOLL_DETAIL_MAP_SYNC_ITER_H
#define PCOLL_DETAIL_MAP_SYNC_ITER_H

#include <stdint.h>
#include <string.h>

#include "map_sync_read.h"

/** @cond PCOLL_INTERNAL */

#define PC__MSB_SLOT 32 /* largest slot copied a leaf at a time */

typedef struct pc__msit {
	pc__mctx c;
	uint64_t leaf; /* 0: ended */
	uint64_t *w;   /* the leaf's word */
	uint64_t ver;  /* its version when ord[] was read */
	uint64_t bm;   /* live slots then */
	uint8_t ord[64];
	uint8_t n, pos, lob, hib;
	uint8_t cur;         /* kb[cur] holds the current key */
	const void *lo, *hi; /* probe bounds, kept by the typed layer */
	void *kb[2];         /* key copies: a K each, or a pc__msbuf each */
	void *vc;            /* copy of its value: a V, a pc__msbuf, or NULL */
	pc_slice ks[2];      /* byte-string keys: probe forms of kb[] */
	unsigned char *bat;  /* copy of the leaf's slots, or NULL (no batch) */
	pc_err err;          /* why the last move failed (PC_OK: the end) */
	const char *fn;
} pc__msit;

/* Probe form of key copy i. */
PC__MS_INLINE const void *pc__msit_kprobe(pc__msit *it, const pc__mapd *d,
					  unsigned i)
{
	if (d->kkind != PC__MK_BYTES)
		return it->kb[i];
	const pc__msbuf *b = (const pc__msbuf *)it->kb[i];
	it->ks[i] = pc_slice_make(b->p, b->len);
	return &it->ks[i];
}

PC__MS_INLINE int pc__msit_live(const pc__msit *it, const pc__mapd *d,
				unsigned pos)
{
	unsigned s = it->ord[pos];
	return s < d->lcap && ((it->bm >> s) & 1);
}

/* Live slots of leaf l in key order (stale hint or none): insertion sort,
 * byte-string keys compared through validated references. 0: the leaf
 * changed. */
static inline int pc__msit_sort(pc__msit *it, const pc__mapd *d,
				const struct pc__mleaf *l)
{
	const pc__mctx *c = &it->c;
	unsigned n = 0;
	pc_bytes refs[64];
	if (d->kkind == PC__MK_BYTES) {
		for (uint64_t m = it->bm; m; m &= m - 1) {
			unsigned s = (unsigned)__builtin_ctzll(m);
			memcpy(&refs[s], pc__msr_slot(d, l, s),
			       sizeof(pc_bytes));
		}
		if (!pc__sy_rok(it->w, it->ver))
			return 0;
	}
	for (uint64_t m = it->bm; m; m &= m - 1) {
		uint8_t s = (uint8_t)__builtin_ctzll(m);
		unsigned j = n++;
		while (j > 0) {
			int lt;
			if (d->kkind == PC__MK_BYTES)
				lt = pc_slice_cmp(
					     pc_bytes_slice(c->pool, &refs[s]),
					     pc_bytes_slice(
						     c->pool,
						     &refs[it->ord[j - 1]])) <
				     0;
			else
				lt = pc__ml_lt(c, l, s, it->ord[j - 1]);
			if (!lt)
				break;
			it->ord[j] = it->ord[j - 1];
			j--;
		}
		it->ord[j] = s;
	}
	it->n = (uint8_t)n;
	return 1;
}

/* Read leaf off (word w, version v taken) into the iterator, positioned
 * before its first slot. 0: it changed. */
PC__MS_INLINE int pc__msit_load(pc__msit *it, const pc__mapd *d, uint64_t off,
				uint64_t *w, uint64_t v)
{
	const pc__mctx *c = &it->c;
	const struct pc__mleaf *l = pc__ml(c, off);
	it->leaf = off;
	it->w = w;
	it->ver = v;
	it->pos = 0;
	it->bm = __atomic_load_n(&l->bitmap, __ATOMIC_RELAXED);
	if (d->lcap < 64)
		it->bm &= (1ull << d->lcap) - 1;
	if (l->hint_epoch == c->h->epoch) {
		memcpy(it->ord, l->order, sizeof(it->ord));
		uint64_t end = pc__m_eqmask64(it->ord, 0xFF);
		it->n = (uint8_t)(end ? __builtin_ctzll(end) : 64);
	} else if (!pc__msit_sort(it, d, l)) {
		return 0;
	}
	return pc__sy_rok(w, v);
}

/* Copy the entry at it->pos. 1, 0 (changed) or -1 (no memory). */
PC__MS_INLINE int pc__msit_copy(pc__msit *it, const pc__mapd *d)
{
	const pc__mctx *c = &it->c;
	const unsigned char *s =
		pc__msr_slot(d, pc__ml(c, it->leaf), it->ord[it->pos]);
	int r = pc__msr_kcopy(c, d, s, it->w, it->ver, it->kb[it->cur ^ 1u]);
	if (r > 0 && it->vc) {
		/* it->vc holds a V or a pc__msbuf (typed layer union). */
		pc__msout o = {it->vc, NULL, (pc__msbuf *)it->vc};
		r = pc__msr_vcopy(c, d, s + d->voff, it->w, it->ver, &o);
	}
	if (r < 0)
		it->err = pc__fail(PC_E_NOMEM, "%s: no memory to copy an entry",
				   it->fn);
	return r;
}

/* 1 when the probe key pk is inside bound (bk, b) on side (0: lower). */
PC__MS_INLINE int pc__msit_inb(pc__msit *it, const pc__mapd *d, const void *bk,
			       int b, int side, const void *pk)
{
	if (b == PC_UNBOUNDED)
		return 1;
	int r;
	if (d->kkind == PC__MK_UINT && d->ksz == 8) {
		uint64_t a, x;
		memcpy(&a, bk, 8);
		memcpy(&x, pk, 8);
		r = (a > x) - (a < x);
	} else {
		r = pc__mk_cmp_pp(&it->c, bk, pk);
	}
	if (side == 0)
		return b == PC_INCLUDED ? r <= 0 : r < 0;
	return b == PC_INCLUDED ? r >= 0 : r > 0;
}

/* Copy the entry at it->pos into the spare copies, validate, apply bound
 * (bk, b) on side; then the copy is current. 1: positioned, 0: outside the
 * bound (ended), -1: changed, -2: error. */
/* Batch mode: copy the leaf's slot array; 1 when the leaf validated
 * (the copy then matches ord[] and bm). */
PC__MS_INLINE int pc__msb_fill(pc__msit *it, const pc__mapd *d)
{
	const struct pc__mleaf *l = pc__ml(&it->c, it->leaf);
	/* Up to the highest live slot (bm is checked by the validation; the
	 * bound keeps an unvalidated one inside the leaf). */
	unsigned top = it->bm ? 64u - (unsigned)__builtin_clzll(it->bm) : 0u;
	if (top > d->lcap)
		top = d->lcap;
	memcpy(it->bat, l->slots, (size_t)top * d->slot);
	return pc__sy_rok(it->w, it->ver);
}

/* Batch mode: 1 when position p is live. After a validated fill, ord[]
 * and bm are one consistent state, whose live slots are below lcap (<=
 * 64): the mask only keeps the shift defined. */
PC__MS_INLINE int pc__msb_live(const pc__msit *it, unsigned p)
{
	return (int)((it->bm >> (it->ord[p] & 63u)) & 1u);
}

/* Batch mode: the copy of the entry at position pos (a live one). */
PC__MS_INLINE const unsigned char *pc__msb_at(const pc__msit *it,
					      const pc__mapd *d, unsigned pos)
{
	return it->bat + (size_t)it->ord[pos] * d->slot;
}

PC__MS_INLINE int pc__msit_take(pc__msit *it, const pc__mapd *d, const void *bk,
				int b, int side)
{
	if (it->bat) {
		if (!pc__msb_fill(it, d))
			return -1;
		if (!pc__msit_inb(it, d, bk, b, side,
				  pc__msb_at(it, d, it->pos))) {
			it->leaf = 0;
			return 0;
		}
		return 1;
	}
	int r = pc__msit_copy(it, d);
	if (r < 0)
		return -2;
	if (r == 0 || !pc__sy_rok(it->w, it->ver))
		return -1;
	unsigned nx = it->cur ^ 1u;
	if (!pc__msit_inb(it, d, bk, b, side, pc__msit_kprobe(it, d, nx))) {
		it->leaf = 0;
		return 0;
	}
	it->cur = (uint8_t)nx;
	return 1;
}

/* From it->pos on: skip dead slots, cross to following leaves, take the
 * entry (hi bound applied). Codes as pc__msit_take. */
PC__MS_INLINE int pc__msit_fwd(pc__msit *it, const pc__mapd *d)
{
	const pc__mctx *c = &it->c;
	for (;;) {
		while (it->pos < it->n && !pc__msit_live(it, d, it->pos))
			it->pos++;
		if (it->pos < it->n)
			return pc__msit_take(it, d, it->hi, it->hib, 1);
		uint64_t nx = __atomic_load_n(&pc__ml(c, it->leaf)->next,
					      __ATOMIC_RELAXED);
		if (!nx) {
			if (!pc__sy_rok(it->w, it->ver))
				return -1;
			it->leaf = 0;
			return 0;
		}
		uint64_t *w = pc__ms_w(c, nx);
		uint64_t v = pc__sy_rbegin(w);
		if (v == PC__SY_DIE) {
			it->err = pc__ms_die(it->fn);
			return -2;
		}
		if (!pc__sy_rok(it->w, it->ver))
			return -1;
		if (!pc__msit_load(it, d, nx, w, v))
			return -1;
	}
}

/* First position of the loaded leaf whose key is inside (pk, b) as a
 * lower bound; -1 when the leaf changed. */
static inline int pc__msit_lower(pc__msit *it, const pc__mapd *d,
				 const void *pk, int b)
{
	const pc__mctx *c = &it->c;
	const struct pc__mleaf *l = pc__ml(c, it->leaf);
	unsigned lo = 0, hi = it->n;
	if (d->kkind != PC__MK_BYTES) {
		/* Listed slots' key bytes ascend (live or not). */
		while (lo < hi) {
			unsigned mid = (lo + hi) / 2, s = it->ord[mid];
			if (s < d->lcap && pc__msit_inb(it, d, pk, b, 0,
							pc__msr_slot(d, l, s)))
				hi = mid;
			else
				lo = mid + 1;
		}
		return (int)lo;
	}
	for (; lo < hi; lo++) {
		if (!pc__msit_live(it, d, lo))
			continue;
		int ok = 1;
		int r = pc__msr_cmp(c, d, pk, pc__msr_slot(d, l, it->ord[lo]),
				    it->w, it->ver, &ok);
		if (!ok)
			return -1;
		if (b == PC_INCLUDED ? r <= 0 : r < 0)
			break;
	}
	return (int)lo;
}

/* Position on the first key inside (lo, lob) and (it->hi, it->hib). */
static inline int pc__msit_seek(pc__msit *it, const pc__mapd *d, const void *lo,
				int lob)
{
	for (;;) {
		/* h preset: gcc -O2 cannot always see that every PC_OK
		 * return of pc__msr_descend() set it (-Wmaybe-uninitialized) */
		pc__mspath sp;
		sp.p.h = 0;
		pc_err e = pc__msr_descend(&it->c, d, lo,
					   lob == PC_UNBOUNDED ? 0 : -1, &sp,
					   it->fn);
		if (e != PC_OK) {
			it->err = e;
			it->leaf = 0;
			return -2;
		}
		unsigned h = sp.p.h;
		if (!pc__msit_load(it, d, sp.p.node[h], sp.w[h + 1],
				   sp.v[h + 1]))
			continue;
		if (lob != PC_UNBOUNDED) {
			int pos = pc__msit_lower(it, d, lo, lob);
			if (pos < 0)
				continue;
			it->pos = (uint8_t)pos;
		}
		int r = pc__msit_fwd(it, d);
		if (r != -1)
			return r;
	}
}

/* Last live position below `below` in the loaded leaf whose key is
 * inside (pk, b) as an upper bound; -1: none; -2: the leaf changed. */
static inline int pc__msit_upper(pc__msit *it, const pc__mapd *d, int below,
				 const void *pk, int b)
{
	const pc__mctx *c = &it->c;
	const struct pc__mleaf *l = pc__ml(c, it->leaf);
	for (int pos = below - 1; pos >= 0; pos--) {
		if (!pc__msit_live(it, d, (unsigned)pos))
			continue;
		if (b == PC_UNBOUNDED)
			return pos;
		int ok = 1;
		int r = pc__msr_cmp(c, d, pk,
				    pc__msr_slot(d, l, it->ord[(unsigned)pos]),
				    it->w, it->ver, &ok);
		if (!ok)
			return -2;
		if (b == PC_INCLUDED ? r >= 0 : r > 0)
			return pos;
	}
	return -1;
}

/* Position on the last key inside (hi, hib) and (it->lo, it->lob). */
static inline int pc__msit_seek_last(pc__msit *it, const pc__mapd *d,
				     const void *hi, int hib)
{
	const pc__mctx *c = &it->c;
	for (;;) {
		pc__mspath sp;
		pc_err e = pc__msr_descend(
			c, d, hi, hib == PC_UNBOUNDED ? 1 : -1, &sp, it->fn);
		if (e != PC_OK) {
			it->err = e;
			it->leaf = 0;
			return -2;
		}
		unsigned h = sp.p.h;
		if (!pc__msit_load(it, d, sp.p.node[h], sp.w[h + 1],
				   sp.v[h + 1]))
			continue;
		int pos = pc__msit_upper(it, d, it->n, hi, hib);
		if (pos == -2)
			continue;
		if (pos == -1) {
			uint64_t off;
			uint64_t *w;
			uint64_t v;
			int r = pc__msr_pred(c, d, &sp, &off, &w, &v, it->fn);
			if (r < 0) {
				it->err = PC_E_BUSY;
				it->leaf = 0;
				return -2;
			}
			if (r == 0)
				continue;
			if (!off) {
				if (!pc__sy_rok(it->w, it->ver))
					continue;
				it->leaf = 0;
				return 0;
			}
			if (!pc__msit_load(it, d, off, w, v))
				continue;
			pos = pc__msit_upper(it, d, it->n, NULL, PC_UNBOUNDED);
			if (pos < 0)
				continue; /* leaves below the root are not
					     empty: it changed */
		}
		it->pos = (uint8_t)pos;
		int r = pc__msit_take(it, d, it->lo, it->lob, 0);
		if (r != -1)
			return r;
	}
}

/* First key in the range. 1, 0 (none), -2 (error in it->err). */
static inline int pc__msit_first(pc__msit *it, const pc__mapd *d)
{
	it->err = PC_OK;
	if (pc__m_range_empty(&it->c, it->lo, (pc_bound)it->lob, it->hi,
			      (pc_bound)it->hib)) {
		it->leaf = 0;
		return 0;
	}
	return pc__msit_seek(it, d, it->lo, it->lob);
}

/* Last key in the range. */
static inline int pc__msit_last(pc__msit *it, const pc__mapd *d)
{
	it->err = PC_OK;
	if (pc__m_range_empty(&it->c, it->lo, (pc_bound)it->lob, it->hi,
			      (pc_bound)it->hib)) {
		it->leaf = 0;
		return 0;
	}
	return pc__msit_seek_last(it, d, it->hi, it->hib);
}

/* Batch mode: the current key, copied out of the batch (a refill
 * overwrites it) as the restart point. */
PC__MS_INLINE const void *pc__msb_restart(pc__msit *it, const pc__mapd *d)
{
	memcpy(it->kb[0], pc__msb_at(it, d, it->pos), d->ksz);
	return it->kb[0];
}

/* Batch mode: the next (dir 1) or previous (dir 0) live position of the
 * copied leaf, or -1. */
PC__MS_INLINE int pc__msb_step(const pc__msit *it, int dir)
{
	if (dir) {
		for (unsigned p = it->pos + 1u; p < it->n; p++)
			if (pc__msb_live(it, p))
				return (int)p;
		return -1;
	}
	for (unsigned p = it->pos; p-- > 0;)
		if (pc__msb_live(it, p))
			return (int)p;
	return -1;
}

/* A move that finds the leaf changed restarts after (before) the current
 * key, which no attempt overwrites. */
PC__MS_INLINE int pc__msit_next(pc__msit *it, const pc__mapd *d)
{
	if (!it->leaf)
		return 0;
	const void *rk;
	if (it->bat) {
		int p = pc__msb_step(it, 1);
		if (p >= 0) {
			it->pos = (uint8_t)p;
			if (!pc__msit_inb(it, d, it->hi, it->hib, 1,
					  pc__msb_at(it, d, it->pos))) {
				it->leaf = 0;
				return 0;
			}
			return 1;
		}
		rk = pc__msb_restart(it, d);
	} else {
		rk = pc__msit_kprobe(it, d, it->cur);
	}
	if (pc__sy_rok(it->w, it->ver)) {
		it->pos++;
		int r = pc__msit_fwd(it, d);
		if (r != -1)
			return r;
	}
	return pc__msit_seek(it, d, rk, PC_EXCLUDED);
}

static inline int pc__msit_prev(pc__msit *it, const pc__mapd *d)
{
	if (!it->leaf)
		return 0;
	const void *rk;
	if (it->bat) {
		int p = pc__msb_step(it, 0);
		if (p >= 0) {
			it->pos = (uint8_t)p;
			if (!pc__msit_inb(it, d, it->lo, it->lob, 0,
					  pc__msb_at(it, d, it->pos))) {
				it->leaf = 0;
				return 0;
			}
			return 1;
		}
		rk = pc__msb_restart(it, d);
	} else {
		rk = pc__msit_kprobe(it, d, it->cur);
	}
	if (pc__sy_rok(it->w, it->ver)) {
		int pos = pc__msit_upper(it, d, it->pos, NULL, PC_UNBOUNDED);
		if (pos >= 0) {
			it->pos = (uint8_t)pos;
			int r = pc__msit_take(it, d, it->lo, it->lob, 0);
			if (r != -1)
				return r;
		}
	}
	return pc__msit_seek_last(it, d, rk, PC_EXCLUDED);
}

/* Number of keys in the range (lo, lob) .. (hi, hib): a scan copying
 * keys only (kc and rk as in an iterator). -1 on error (message set). */
static inline long long pc__ms_count(pc__msit *it, const pc__mapd *d)
{
	long long n = 0;
	it->vc = NULL;
	int r = pc__msit_first(it, d);
	while (r > 0) {
		n++;
		r = pc__msit_next(it, d);
	}
	return r < 0 ? -1 : n;
}

/** @endcond */

#endif /* PCOLL_DETAIL_MAP_SYNC_ITER_H */
