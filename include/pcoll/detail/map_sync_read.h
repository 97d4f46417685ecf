/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PMAP engine, PC_SYNC): optimistic reads of a map shared by
 * threads. Nothing here takes a lock.
 *
 * Every node (and the header) is guarded by a DRAM word (detail/sync.h).
 * A read takes the word's version, reads, and validates the version; on
 * a change it starts again from the header. The descent couples the
 * versions: a child's version is taken before its parent is validated, so
 * the child was the parent's child while both versions held (optimistic
 * lock coupling). What a reader reads before validating may be torn, so:
 * counts read from a node are clamped to the node's capacity, slot
 * indices to the leaf's, and a byte-string reference is dereferenced only
 * after the node holding it has been validated (a string freed after
 * that is still mapped memory; the next validation then fails).
 *
 * The results leave the pool by copy: values are copied out, iterators
 * keep copies of their current entry, so nothing handed out changes under
 * the caller.
 *
 * Relies on: sync.h (words), map_read.h and below (layout, keys, leaf
 * order, descent).
 */
#ifndef PCOLL_DETAIL_MAP_SYNC_READ_H
#define PCOLL_DETAIL_MAP_SYNC_READ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "map_read.h"
#include "sync.h"

/** @cond PCOLL_INTERNAL */

/* The hot read paths are always inlined: the caller's descriptor is a
 * constant there, so key sizes and kinds fold away. */
#define PC__MS_INLINE __attribute__((always_inline)) static inline

/* A descent's path with the version of every node on it. */
typedef struct pc__mspath {
	pc__mpath p;
	uint64_t *w[PC__MAP_MAXH + 2]; /* w[0]: the header; w[l + 1]: node l */
	uint64_t v[PC__MAP_MAXH + 2];
} pc__mspath;

/* A growable copy buffer (byte strings copied out of the map). */
typedef struct pc__msbuf {
	unsigned char *p;
	size_t cap, len;
} pc__msbuf;

static inline int pc__msbuf_fit(pc__msbuf *b, size_t n)
{
	if (n <= b->cap)
		return 1;
	size_t ncap = n < 64 ? 64 : n;
	unsigned char *np = (unsigned char *)realloc(b->p, ncap);
	if (!np)
		return 0;
	b->p = np;
	b->cap = ncap;
	return 1;
}

static inline void pc__msbuf_free(pc__msbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->cap = b->len = 0;
}

/* This thread's buffer for the values get() hands out (byte strings),
 * freed when the thread exits. */
extern once_flag pc__ms_tls_once;
extern tss_t pc__ms_tls_key;
extern int pc__ms_tls_ok;
PC__WEAK once_flag pc__ms_tls_once = ONCE_FLAG_INIT;
PC__WEAK tss_t pc__ms_tls_key;
PC__WEAK int pc__ms_tls_ok;

static inline void pc__ms_tls_dtor(void *p)
{
	pc__msbuf *b = (pc__msbuf *)p;
	if (b)
		free(b->p);
	free(b);
}

static inline void pc__ms_tls_init(void)
{
	pc__ms_tls_ok =
		tss_create(&pc__ms_tls_key, pc__ms_tls_dtor) == thrd_success;
}

static inline pc__msbuf *pc__ms_tlsbuf(void)
{
	call_once(&pc__ms_tls_once, pc__ms_tls_init);
	if (!pc__ms_tls_ok)
		return NULL;
	pc__msbuf *b = (pc__msbuf *)tss_get(pc__ms_tls_key);
	if (!b) {
		b = (pc__msbuf *)calloc(1, sizeof(*b));
		if (b && tss_set(pc__ms_tls_key, b) != thrd_success) {
			free(b);
			b = NULL;
		}
	}
	return b;
}

/* Where a copied value goes: fixed values to `fixed` (vsz bytes); byte
 * strings to `vbuf` (the caller's buffer) when set, else to `grow`. */
typedef struct pc__msout {
	void *fixed;
	pc_vbuf *vbuf;
	pc__msbuf *grow;
} pc__msout;

static inline uint64_t *pc__ms_w(const pc__mctx *c, uint64_t off)
{
	return pc__sy_word(c->tab, off);
}

static inline uint64_t *pc__ms_hw(const pc__mctx *c)
{
	return pc__ms_w(c, (uint64_t)((uintptr_t)c->h - c->base));
}

/* An older transaction holds what this transaction needs (wait-die):
 * abort it. */
static inline pc_err pc__ms_die(const char *fn)
{
	return pc__tx_abort_with(
		pc__fail(PC_E_BUSY,
			 "%s: an older transaction holds this part of the "
			 "synchronized map; the transaction is aborted, run it "
			 "again",
			 fn));
}

/*
 * The byte string stored at sk, in a node guarded by (w, v), as a slice.
 * The 24-byte reference is copied to *tmp (an inline string points into
 * it); an out-of-line one is dereferenced only once the node validates.
 * 0: the node changed.
 */
PC__MS_INLINE int pc__msr_bview(const pc__mctx *c, const void *sk,
				const uint64_t *w, uint64_t v, pc_bytes *tmp,
				pc_slice *out)
{
	memcpy(tmp, sk, sizeof(*tmp));
	if (pc__bytes_is_inline(tmp)) {
		size_t n = pc_bytes_len(tmp);
		*out = pc_slice_make(
			(const void *)tmp->w,
			n > PC_BYTES_INLINE_MAX ? PC_BYTES_INLINE_MAX : n);
		return 1;
	}
	if (!pc__sy_rok(w, v))
		return 0;
	*out = pc_slice_make(pc__m_at(c, tmp->w[0]), (size_t)tmp->w[1]);
	return 1;
}

/* Compare probe key pk with the stored key sk of a node guarded by
 * (w, v); *ok = 0 when the node changed. */
PC__MS_INLINE int pc__msr_cmp(const pc__mctx *c, const pc__mapd *d,
			      const void *pk, const void *sk, const uint64_t *w,
			      uint64_t v, int *ok)
{
	if (d->kkind != PC__MK_BYTES)
		return pc__mk_cmp_ps(c, pk, sk);
	pc_bytes t;
	pc_slice s;
	if (!pc__msr_bview(c, sk, w, v, &t, &s)) {
		*ok = 0;
		return 0;
	}
	return pc_slice_cmp(*(const pc_slice *)pk, s);
}

/* Slot i of leaf l (pc__ml_slot() with the descriptor at hand). */
PC__MS_INLINE unsigned char *pc__msr_slot(const pc__mapd *d,
					  const struct pc__mleaf *l, unsigned i)
{
	return (unsigned char *)((uintptr_t)l->slots + (size_t)i * d->slot);
}

/* The live slots of a leaf whose fingerprint may match fp, within the
 * capacity (a torn bitmap may have more bits). */
PC__MS_INLINE uint64_t pc__msr_cand(const pc__mapd *d,
				    const struct pc__mleaf *l, uint8_t fp)
{
	uint64_t bm = __atomic_load_n(&l->bitmap, __ATOMIC_RELAXED);
	if (d->lcap < 64)
		bm &= (1ull << d->lcap) - 1;
	if (d->kkind == PC__MK_FN)
		return bm;
	return pc__m_eqmask64(l->fp, fp) & bm;
}

/* pc__mi_search() under an optimistic read: the count clamped, byte
 * strings through validated references. */
PC__MS_INLINE uint32_t pc__msr_isearch(const pc__mctx *c, const pc__mapd *d,
				       const struct pc__minner *n,
				       const void *pk, const uint64_t *w,
				       uint64_t v, int *ok)
{
	uint32_t lo = 0, hi = n->n;
	if (hi > d->icap)
		hi = d->icap;
	const unsigned char *keys = (const unsigned char *)n + d->ikoff;
	if (d->kkind == PC__MK_UINT && d->ksz == 8) {
		uint64_t k;
		memcpy(&k, pk, 8);
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;
			uint64_t x;
			memcpy(&x, keys + (size_t)mid * 8, 8);
			if (x <= k)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo;
	}
	while (lo < hi && *ok) {
		uint32_t mid = (lo + hi) / 2;
		if (pc__msr_cmp(c, d, pk, keys + (size_t)mid * d->ksz, w, v,
				ok) >= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* pc__ml_find() under an optimistic read. */
PC__MS_INLINE int pc__msr_lfind(const pc__mctx *c, const pc__mapd *d,
				const struct pc__mleaf *l, const void *pk,
				uint8_t fp, const uint64_t *w, uint64_t v,
				int *ok)
{
	uint64_t m = pc__msr_cand(d, l, fp);
	while (m) {
		unsigned i = (unsigned)__builtin_ctzll(m);
		const unsigned char *sk = l->slots + (size_t)i * d->slot;
		if (d->kkind == PC__MK_UINT && d->ksz == 8) {
			if (memcmp(pk, sk, 8) == 0)
				return (int)i;
		} else if (d->kkind != PC__MK_BYTES) {
			if (pc__mk_eq_ps(c, pk, sk))
				return (int)i;
		} else {
			pc_bytes t;
			pc_slice s;
			if (!pc__msr_bview(c, sk, w, v, &t, &s)) {
				*ok = 0;
				return -1;
			}
			if (pc_slice_eq(*(const pc_slice *)pk, s))
				return (int)i;
		}
		m &= m - 1;
	}
	return -1;
}

/*
 * Optimistic descent to the leaf covering pk (edge >= 0 instead: the
 * leftmost (0) or rightmost (1) leaf). Fills sp with the path and the
 * version of each node, the leaf's last. Starts again by itself after a
 * change; returns ::PC_E_BUSY only in a transaction that must die.
 */
PC__MS_INLINE pc_err pc__msr_descend(const pc__mctx *c, const pc__mapd *d,
				     const void *pk, int edge, pc__mspath *sp,
				     const char *fn)
{
	uint64_t *wh = pc__ms_hw(c);
	for (;;) {
		uint64_t vp = pc__sy_rbegin(wh);
		if (vp == PC__SY_DIE)
			return pc__ms_die(fn);
		uint64_t off = __atomic_load_n(&c->h->root, __ATOMIC_RELAXED);
		unsigned h = (unsigned)__atomic_load_n(&c->h->height,
						       __ATOMIC_RELAXED);
		if (h >= PC__MAP_MAXH) {
			if (pc__sy_rok(wh, vp))
				return pc__fail(PC_E_CORRUPT,
						"%s: damaged map header", fn);
			continue;
		}
		uint64_t *wp = wh;
		sp->w[0] = wh;
		sp->v[0] = vp;
		int ok = 1;
		for (unsigned l = 0; ok; l++) {
			uint64_t *w = pc__ms_w(c, off);
			uint64_t v = pc__sy_rbegin(w);
			if (v == PC__SY_DIE)
				return pc__ms_die(fn);
			if (!pc__sy_rok(wp, vp))
				break; /* off may no longer be that child */
			sp->p.node[l] = off;
			sp->w[l + 1] = w;
			sp->v[l + 1] = v;
			if (l == h) {
				sp->p.h = h;
				sp->p.pred = 0;
				return PC_OK;
			}
			const struct pc__minner *n = pc__mi(c, off);
			uint32_t i;
			if (edge < 0) {
				i = pc__msr_isearch(c, d, n, pk, w, v, &ok);
			} else {
				i = edge ? n->n : 0;
				if (i > d->icap)
					i = d->icap;
			}
			sp->p.idx[l] = i;
			off = n->child[i];
			wp = w;
			vp = v;
		}
	}
}

/*
 * pc__msr_descend() for readers that need only the leaf: no path kept.
 * The leaf's offset; its word and version in *w, *v; 0 with the error
 * set on wait-die or damage.
 */
PC__MS_INLINE uint64_t pc__msr_leaf(const pc__mctx *c, const pc__mapd *d,
				    const void *pk, uint64_t **w, uint64_t *v,
				    const char *fn)
{
	uint64_t *wh = pc__ms_hw(c);
	for (;;) {
		uint64_t vp = __atomic_load_n(wh, __ATOMIC_ACQUIRE);
		if (PC__UNLIKELY(vp & 1)) {
			vp = pc__sy_rwait(wh, vp);
			if (vp == PC__SY_DIE) {
				(void)pc__ms_die(fn);
				return 0;
			}
		}
		uint64_t off = __atomic_load_n(&c->h->root, __ATOMIC_RELAXED);
		unsigned h = (unsigned)__atomic_load_n(&c->h->height,
						       __ATOMIC_RELAXED);
		if (PC__UNLIKELY(h >= PC__MAP_MAXH)) {
			if (pc__sy_rok(wh, vp)) {
				(void)pc__fail(PC_E_CORRUPT,
					       "%s: damaged map header", fn);
				return 0;
			}
			continue;
		}
		uint64_t *wp = wh;
		int ok = 1;
		for (unsigned l = 0;; l++) {
			uint64_t *wo = pc__ms_w(c, off);
			uint64_t vo = __atomic_load_n(wo, __ATOMIC_ACQUIRE);
			if (PC__UNLIKELY(vo & 1)) {
				vo = pc__sy_rwait(wo, vo);
				if (vo == PC__SY_DIE) {
					(void)pc__ms_die(fn);
					return 0;
				}
			}
			if (!pc__sy_rok(wp, vp))
				break; /* off may no longer be that child */
			if (l == h) {
				*w = wo;
				*v = vo;
				return off;
			}
			const struct pc__minner *n = pc__mi(c, off);
			uint32_t i = pc__msr_isearch(c, d, n, pk, wo, vo, &ok);
			if (!ok)
				break;
			off = n->child[i];
			wp = wo;
			vp = vo;
		}
	}
}

/*
 * The leaf before the leaf of path sp (0: none) with its version, read
 * optimistically from the path's versions. 1 on success, 0 when
 * something changed (start again), -1 on wait-die (error set).
 */
static inline int pc__msr_pred(const pc__mctx *c, const pc__mapd *d,
			       const pc__mspath *sp, uint64_t *off,
			       uint64_t **w, uint64_t *v, const char *fn)
{
	int lv = (int)sp->p.h - 1;
	while (lv >= 0 && sp->p.idx[lv] == 0)
		lv--;
	*off = 0;
	if (lv < 0)
		return 1;
	uint64_t *wp = sp->w[lv + 1], vp = sp->v[lv + 1];
	uint64_t o = pc__mi(c, sp->p.node[lv])->child[sp->p.idx[lv] - 1];
	for (unsigned l = (unsigned)lv + 1;; l++) {
		uint64_t *wo = pc__ms_w(c, o);
		uint64_t vo = pc__sy_rbegin(wo);
		if (vo == PC__SY_DIE) {
			(void)pc__ms_die(fn);
			return -1;
		}
		if (!pc__sy_rok(wp, vp))
			return 0;
		if (l == sp->p.h) {
			*off = o;
			*w = wo;
			*v = vo;
			return 1;
		}
		const struct pc__minner *n = pc__mi(c, o);
		uint32_t i = n->n > d->icap ? d->icap : n->n;
		wp = wo;
		vp = vo;
		o = n->child[i];
	}
}

/* Copy the value stored at sv (in a leaf guarded by (w, v)) to out.
 * 1: copied (valid if the leaf then validates), 0: the leaf changed,
 * -1: no memory. */
PC__MS_INLINE int pc__msr_vcopy(const pc__mctx *c, const pc__mapd *d,
				const unsigned char *sv, const uint64_t *w,
				uint64_t v, const pc__msout *o)
{
	if (!d->vbytes) {
		memcpy(o->fixed, sv, d->vsz);
		return 1;
	}
	pc_bytes t;
	pc_slice s;
	if (!pc__msr_bview(c, sv, w, v, &t, &s))
		return 0;
	if (o->vbuf) {
		pc_vbuf_fill(o->vbuf, s);
		return 1;
	}
	pc__msbuf *b = o->grow;
	if (!pc__msbuf_fit(b, s.len))
		return -1;
	if (s.len)
		memcpy(b->p, s.ptr, s.len);
	b->len = s.len;
	return 1;
}

/* Copy a stored key (of a leaf guarded by (w, v)) like pc__msr_vcopy:
 * fixed keys to a K *, byte strings to a pc__msbuf. */
PC__MS_INLINE int pc__msr_kcopy(const pc__mctx *c, const pc__mapd *d,
				const unsigned char *sk, const uint64_t *w,
				uint64_t v, void *out)
{
	if (d->kkind != PC__MK_BYTES) {
		memcpy(out, sk, d->ksz);
		return 1;
	}
	pc_bytes t;
	pc_slice s;
	if (!pc__msr_bview(c, sk, w, v, &t, &s))
		return 0;
	pc__msbuf *b = (pc__msbuf *)out;
	if (!pc__msbuf_fit(b, s.len))
		return -1;
	if (s.len)
		memcpy(b->p, s.ptr, s.len);
	b->len = s.len;
	return 1;
}

/*
 * Look pk up. 1: present (its value copied to out unless out is NULL),
 * 0: absent, -1: an error (wait-die in a transaction, no memory; the
 * message is set).
 */
PC__MS_INLINE int pc__msr_get(const pc__mctx *c, const pc__mapd *d,
			      const void *pk, const pc__msout *out,
			      const char *fn)
{
	uint8_t fp = pc__mk_fp(c, pk);
	for (;;) {
		uint64_t *w = NULL;
		uint64_t v = 0;
		uint64_t off = pc__msr_leaf(c, d, pk, &w, &v, fn);
		if (!off)
			return -1;
		const struct pc__mleaf *l = pc__ml(c, off);
		int ok = 1;
		int o = pc__msr_lfind(c, d, l, pk, fp, w, v, &ok);
		if (!ok)
			continue;
		if (o >= 0 && out) {
			int r = pc__msr_vcopy(
				c, d, pc__msr_slot(d, l, (unsigned)o) + d->voff,
				w, v, out);
			if (r < 0) {
				(void)pc__fail(
					PC_E_NOMEM,
					"%s: no memory to copy the value", fn);
				return -1;
			}
			if (r == 0)
				continue;
		}
		if (pc__sy_rok(w, v))
			return o >= 0;
	}
}

/* 1 when the map is empty (an inner root keeps one child at least). */
static inline int pc__msr_is_empty(const pc__mctx *c, const pc__mapd *d,
				   const char *fn)
{
	for (;;) {
		pc__mspath sp;
		if (pc__msr_descend(c, d, NULL, 0, &sp, fn) != PC_OK)
			return 0;
		unsigned h = sp.p.h;
		uint64_t bm = __atomic_load_n(&pc__ml(c, sp.p.node[h])->bitmap,
					      __ATOMIC_RELAXED);
		uint64_t nx = pc__ml(c, sp.p.node[h])->next;
		if (pc__sy_rok(sp.w[h + 1], sp.v[h + 1]))
			return bm == 0 && nx == 0;
	}
}

/** @endcond */

#endif /* PCOLL_DETAIL_MAP_SYNC_READ_H */
