/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PMAP engine): keys and the search inside one leaf. Key loads
 * and comparisons (unsigned and signed integers inline, the comparator,
 * byte strings), fingerprints, the probe view of a stored key; in a
 * leaf: fingerprint match, find, key order, the order hint (trusted when
 * written under the current epoch, else verified or rebuilt) and its
 * in-place edit. Nothing here flushes: callers persist what they change.
 *
 * Relies on: map_layout.h (descriptor, leaf struct, slot addresses).
 */
#ifndef PCOLL_DETAIL_MAP_KEYS_H
#define PCOLL_DETAIL_MAP_KEYS_H

#include <stdint.h>
#include <string.h>

#include "map_layout.h"

#if defined(__SSE2__)
#include <emmintrin.h>
/** @cond PCOLL_INTERNAL */
#define PC__MAP_SSE2 1
/** @endcond */
#endif

/** @cond PCOLL_INTERNAL */

/* ---------------------------------------------------------------- */
/* Keys: compare, hash, views                                        */
/* ---------------------------------------------------------------- */

static inline uint64_t pc__mk_uload(const void *p, uint32_t sz)
{
	switch (sz) {
	case 1:
		return *(const uint8_t *)p;
	case 2: {
		uint16_t v;
		memcpy(&v, p, 2);
		return v;
	}
	case 4: {
		uint32_t v;
		memcpy(&v, p, 4);
		return v;
	}
	default: {
		uint64_t v;
		memcpy(&v, p, 8);
		return v;
	}
	}
}

static inline int64_t pc__mk_sload(const void *p, uint32_t sz)
{
	switch (sz) {
	case 1:
		return *(const int8_t *)p;
	case 2: {
		int16_t v;
		memcpy(&v, p, 2);
		return v;
	}
	case 4: {
		int32_t v;
		memcpy(&v, p, 4);
		return v;
	}
	default: {
		int64_t v;
		memcpy(&v, p, 8);
		return v;
	}
	}
}

/* Stored byte-string key as a slice. */
static inline pc_slice pc__mk_bview(const pc__mctx *c, const void *stored)
{
	const pc_bytes *b = (const pc_bytes *)stored;
	if (pc__bytes_is_inline(b))
		return pc_slice_make((const void *)b->w, pc_bytes_len(b));
	return pc_slice_make(pc__m_at(c, b->w[0]), (size_t)b->w[1]);
}

/* Probe form of a stored key (a pc_slice in *tmp for byte strings). */
static inline const void *pc__mk_probe(const pc__mctx *c, const void *stored,
				       pc_slice *tmp)
{
	if (c->d->kkind != PC__MK_BYTES)
		return stored;
	*tmp = pc__mk_bview(c, stored);
	return tmp;
}

/* Compare probe key pk with stored key sk: <0, 0, >0. */
static inline int pc__mk_cmp_ps(const pc__mctx *c, const void *pk,
				const void *sk)
{
	const pc__mapd *d = c->d;
	switch (d->kkind) {
	case PC__MK_UINT: {
		uint64_t a = pc__mk_uload(pk, d->ksz);
		uint64_t b = pc__mk_uload(sk, d->ksz);
		return (a > b) - (a < b);
	}
	case PC__MK_SINT: {
		int64_t a = pc__mk_sload(pk, d->ksz);
		int64_t b = pc__mk_sload(sk, d->ksz);
		return (a > b) - (a < b);
	}
	case PC__MK_BYTES:
		return pc_slice_cmp(*(const pc_slice *)pk, pc__mk_bview(c, sk));
	default:
		return d->cmp(pk, sk);
	}
}

/* Compare two probe keys. */
static inline int pc__mk_cmp_pp(const pc__mctx *c, const void *a, const void *b)
{
	if (c->d->kkind == PC__MK_BYTES)
		return pc_slice_cmp(*(const pc_slice *)a, *(const pc_slice *)b);
	return pc__mk_cmp_ps(c, a, b);
}

/* Compare two stored keys. */
static inline int pc__mk_cmp_ss(const pc__mctx *c, const void *a, const void *b)
{
	pc_slice t;
	return pc__mk_cmp_ps(c, pc__mk_probe(c, a, &t), b);
}

static inline int pc__mk_eq_ps(const pc__mctx *c, const void *pk,
			       const void *sk)
{
	const pc__mapd *d = c->d;
	switch (d->kkind) {
	case PC__MK_UINT:
	case PC__MK_SINT:
		if (d->ksz == 8) {
			uint64_t a, b;
			memcpy(&a, pk, 8);
			memcpy(&b, sk, 8);
			return a == b;
		}
		return memcmp(pk, sk, d->ksz) == 0;
	case PC__MK_BYTES:
		return pc_slice_eq(*(const pc_slice *)pk, pc__mk_bview(c, sk));
	default:
		return d->cmp(pk, sk) == 0;
	}
}

/* Fingerprint of a probe key (0 for comparator keys: no filtering). */
static inline uint8_t pc__mk_fp(const pc__mctx *c, const void *pk)
{
	switch (c->d->kkind) {
	case PC__MK_UINT:
	case PC__MK_SINT:
		return (uint8_t)((pc__mk_uload(pk, c->d->ksz) *
				  0x9E3779B97F4A7C15ull) >>
				 56);
	case PC__MK_BYTES: {
		const pc_slice *s = (const pc_slice *)pk;
		return (uint8_t)(pc__bytes_hash(s->ptr, s->len) >> 56);
	}
	default:
		return 0;
	}
}

/* ---------------------------------------------------------------- */
/* Leaves                                                            */
/* ---------------------------------------------------------------- */

/* Bit i set when p[i] == v, for 64 bytes at p. */
static inline uint64_t pc__m_eqmask64(const uint8_t *p, uint8_t v)
{
#ifdef PC__MAP_SSE2
	__m128i f = _mm_set1_epi8((char)v);
	uint64_t m = 0;
	for (unsigned i = 0; i < 4; i++) {
		__m128i x = _mm_loadu_si128(
			(const __m128i *)(const void *)(p + 16 * (size_t)i));
		m |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, f))
		     << (16 * i);
	}
	return m;
#else
	uint64_t m = 0;
	for (unsigned i = 0; i < 64; i++)
		m |= (uint64_t)(p[i] == v) << i;
	return m;
#endif
}

/* Slots whose fingerprint equals fp (all slots for comparator keys). */
static inline uint64_t pc__ml_match(const pc__mctx *c,
				    const struct pc__mleaf *l, uint8_t fp)
{
	if (c->d->kkind == PC__MK_FN)
		return ~0ull;
	return pc__m_eqmask64(l->fp, fp);
}

/* Slot holding probe key pk, or -1. */
static inline int pc__ml_find(const pc__mctx *c, const struct pc__mleaf *l,
			      const void *pk, uint8_t fp)
{
	uint64_t m = pc__ml_match(c, l, fp) & l->bitmap;
	while (m) {
		unsigned i = (unsigned)__builtin_ctzll(m);
		if (pc__mk_eq_ps(c, pk, pc__ml_slot(c, l, i)))
			return (int)i;
		m &= m - 1;
	}
	return -1;
}

static inline int pc__ml_lt(const pc__mctx *c, const struct pc__mleaf *l,
			    unsigned a, unsigned b)
{
	const unsigned char *ka = pc__ml_slot(c, l, a);
	const unsigned char *kb = pc__ml_slot(c, l, b);
	if (c->d->kkind == PC__MK_UINT && c->d->ksz == 8) {
		uint64_t x, y;
		memcpy(&x, ka, 8);
		memcpy(&y, kb, 8);
		return x < y;
	}
	return pc__mk_cmp_ss(c, ka, kb) < 0;
}

/*
 * The live slots of l in key order, into out; returns how many. The order
 * hint is used when it lists every live slot and, unless it was written
 * under the current epoch (so no crash can have torn it), when the listed
 * keys are strictly ascending; otherwise the slots are sorted. verify != 0
 * checks the order even for a current hint (check()).
 */
static inline unsigned pc__ml_sorted_v(const pc__mctx *c,
				       const struct pc__mleaf *l, uint8_t *out,
				       int verify)
{
	uint64_t bm = l->bitmap, seen = 0;
	unsigned n = 0;
	int ok = 1;
	for (unsigned i = 0; i < 64; i++) {
		unsigned s = l->order[i];
		if (s >= 64) {
			ok = s == 0xFF;
			break;
		}
		uint64_t bit = 1ull << s;
		if (bm & bit & ~seen) {
			seen |= bit;
			out[n++] = (uint8_t)s;
		}
	}
	if (ok && seen == bm) {
		if (!verify && l->hint_epoch == c->h->epoch)
			return n;
		for (unsigned j = 1; j < n; j++)
			if (!pc__ml_lt(c, l, out[j - 1], out[j])) {
				ok = 0;
				break;
			}
		if (ok)
			return n;
	}
	/* Fallback: insertion sort of the live slots. */
	n = 0;
	for (uint64_t m = bm; m; m &= m - 1) {
		uint8_t s = (uint8_t)__builtin_ctzll(m);
		unsigned j = n++;
		while (j > 0 && pc__ml_lt(c, l, s, out[j - 1])) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = s;
	}
	return n;
}

static inline unsigned pc__ml_sorted(const pc__mctx *c,
				     const struct pc__mleaf *l, uint8_t *out)
{
	return pc__ml_sorted_v(c, l, out, 0);
}

/* Position in hint entries h[0..len) of probe key pk: the first entry
 * whose key is greater. */
static inline unsigned pc__ml_hint_pos(const pc__mctx *c,
				       const struct pc__mleaf *l,
				       const uint8_t *h, unsigned len,
				       const void *pk)
{
	unsigned lo = 0, hi = len;
	if (c->d->kkind == PC__MK_UINT && c->d->ksz == 8) {
		uint64_t k;
		memcpy(&k, pk, 8);
		while (lo < hi) {
			unsigned mid = (lo + hi) / 2;
			uint64_t x;
			memcpy(&x, pc__ml_slot(c, l, h[mid]), 8);
			if (k >= x)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo;
	}
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (pc__mk_cmp_ps(c, pk, pc__ml_slot(c, l, h[mid])) >= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Rewrite the order hint of l to list slot s (not live yet): right after
 * live slot `after` when after >= 0, else at probe key pk's place.
 *
 * A hint of the current epoch is edited in place: it lists slots whose
 * key bytes ascend, live or not (a removed slot keeps its bytes), so s is
 * taken out of its old place and put at its new one. Byte-string keys of
 * removed slots may point to freed strings: their hint keeps live slots
 * only. An older hint is rebuilt from the verified (or sorted) live
 * slots.
 */
static inline void pc__ml_order_add(const pc__mctx *c, struct pc__mleaf *l,
				    unsigned s, const void *pk, int after)
{
	uint8_t h[64];
	unsigned len = 0, pos;
	if (l->hint_epoch == c->h->epoch && c->d->kkind != PC__MK_BYTES) {
		memcpy(h, l->order, sizeof(h));
		uint64_t end = pc__m_eqmask64(h, 0xFF);
		len = end ? (unsigned)__builtin_ctzll(end) : 64;
		uint64_t at = pc__m_eqmask64(h, (uint8_t)s);
		if (at) {
			unsigned i = (unsigned)__builtin_ctzll(at);
			if (i < len) {
				memmove(h + i, h + i + 1, len - i - 1);
				len--;
			}
		}
		if (len == 64) { /* full: drop a slot that is not live */
			for (unsigned i = 0; i < len; i++)
				if (!(l->bitmap & (1ull << h[i]))) {
					memmove(h + i, h + i + 1, len - i - 1);
					len--;
					break;
				}
		}
	} else {
		len = pc__ml_sorted(c, l, h);
	}
	if (after >= 0) {
		pos = 0;
		while (pos < len && h[pos] != (uint8_t)after)
			pos++;
		pos = pos < len ? pos + 1 : len;
	} else {
		pos = pc__ml_hint_pos(c, l, h, len, pk);
	}
	memmove(h + pos + 1, h + pos, len - pos);
	h[pos] = (uint8_t)s;
	len++;
	if (len < 64)
		memset(h + len, 0xFF, 64 - len);
	memcpy(l->order, h, sizeof(h));
	l->hint_epoch = c->h->epoch;
}

static inline void pc__ml_init(struct pc__mleaf *l)
{
	memset(l, 0, PC__ML_HDR);
	memset(l->order, 0xFF, sizeof(l->order));
}

/** @endcond */

#endif /* PCOLL_DETAIL_MAP_KEYS_H */
