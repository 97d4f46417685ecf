/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PMAP engine): every change to a map's entries and structure
 * with its commit protocol: insert and put (into a free slot, value
 * updated in place or out of place), remove, leaf split, leaf unlink.
 *
 * Outside a transaction, on persistent memory, the fences in order:
 *
 * - insert into a free slot (pc__m_insert): key, value, fingerprint and
 *   order hint are written to a slot whose bitmap bit is clear (strings
 *   over 23 bytes are reserved, copied and flushed without a drain);
 *   fence 1: flush slot, fingerprint and hint, drain; fence 2: the 8-byte
 *   bitmap store that makes the slot live (pc__m_commit: persisted alone,
 *   or set by pmemobj_publish together with the reservations, whose redo
 *   log adds libpmemobj's own fences).
 * - value update in place (put of a 1/2/4/8-byte value of that
 *   alignment): fence 1: one aligned store of the value, persisted.
 * - value update out of place (put, other values): the key bytes and the
 *   new value go to a free slot, placed right after the old slot in the
 *   hint, the old value's string is released by a deferred-free action;
 *   fence 1: flush slot, fingerprint and hint, drain; fence 2: one bitmap
 *   store that sets the new slot and clears the old (pc__m_commit, as
 *   above). A leaf without a free slot updates in a transaction instead.
 * - remove (the leaf keeps an entry, or is the root): fence 1: one bitmap
 *   store clearing the slot (pc__m_commit; owned strings are freed by
 *   deferred actions published with it).
 * - leaf split (insert into a full leaf, pc__m_split_tx) and leaf unlink
 *   (removing the last entry of a non-root leaf, pc__m_unlink_leaf_tx):
 *   one libpmemobj transaction. New nodes are allocated in it (fresh
 *   memory, persisted at commit); every changed range of an existing
 *   node or of the header is snapshotted before it is written; the fences
 *   are the transaction's (undo log, then its commit).
 *
 * Inside TX() every change joins the running transaction: the touched
 * ranges are snapshotted and the transaction's commit is the commit
 * point. The DRAM build runs the same steps with no flush, fence or
 * transaction.
 *
 * Relies on: map_bytes.h (stored forms, pending actions), map_descend.h
 * (paths), map_read.h (pc__m_val_out), map_keys.h (order hint edits).
 */
#ifndef PCOLL_DETAIL_MAP_COMMIT_H
#define PCOLL_DETAIL_MAP_COMMIT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpmemobj.h>

#include "map_bytes.h"
#include "map_descend.h"
#include "map_read.h"

/** @cond PCOLL_INTERNAL */

/* ---------------------------------------------------------------- */
/* The commit point of a non-transactional change                    */
/* ---------------------------------------------------------------- */

/* The commit point of a non-transactional leaf change: one 8-byte store
 * of the bitmap, persisted; published together with the allocator
 * actions when there are any. */
static inline pc_err pc__m_commit(const pc__mctx *c, struct pc__mleaf *l,
				  uint64_t nbm, pc__macts *a)
{
	if (c->d->dram) {
		l->bitmap = nbm;
		for (unsigned i = 0; i < a->ndfree; i++)
			free(a->dfree[i]);
		return PC_OK;
	}
	if (a->n == 0) {
		__atomic_store_n(&l->bitmap, nbm, __ATOMIC_RELAXED);
		pc_pool_persist(c->pool, &l->bitmap, sizeof(l->bitmap));
		return PC_OK;
	}
	pmemobj_set_value(c->pool->pop, &a->act[a->n++], &l->bitmap, nbm);
	if (pmemobj_publish(c->pool->pop, a->act, a->n) != 0) {
		pc_err e = pc__fail(PC_E_FULL, "pmap: cannot publish: %s",
				    pmemobj_errormsg());
		pmemobj_cancel(c->pool->pop, a->act, a->n);
		return e;
	}
	return PC_OK;
}

/* ---------------------------------------------------------------- */
/* Structure changes (in a transaction)                              */
/* ---------------------------------------------------------------- */

/* Insert (key, child) into level lvl of path p, key at idx[lvl] and child
 * right of it, splitting full nodes with the preallocated nodes[]. */
static inline pc_err pc__m_inner_insert(const pc__mctx *c, const pc__mpath *p,
					int lvl, const unsigned char *key,
					uint64_t ch, const uint64_t *nodes)
{
	const pc__mapd *d = c->d;
	unsigned used = 0;
	unsigned char up[PC__MAP_KMAX];
	unsigned char tk[5 * PC__MAP_KMAX + PC__MAP_IBYTES];
	uint64_t tc[66];
	for (;;) {
		if (lvl < 0) {
			uint64_t noff = nodes[used++];
			struct pc__minner *r = pc__mi(c, noff);
			r->n = 1;
			r->pad = 0;
			r->child[0] = c->h->root;
			r->child[1] = ch;
			memcpy(pc__mi_key(c, r, 0), key, d->ksz);
			PC_TRY(pc__m_snap(c, &c->h->root,
					  2 * sizeof(uint64_t)));
			c->h->root = noff;
			c->h->height++;
			return PC_OK;
		}
		struct pc__minner *N = pc__mi(c, p->node[lvl]);
		unsigned pos = p->idx[lvl], n = N->n;
		if (n < d->icap) {
			/* One range: the count, the children, the keys. */
			PC_TRY(pc__m_snap(c, N,
					  d->ikoff + (size_t)(n + 1) * d->ksz));
			memmove(pc__mi_key(c, N, pos + 1),
				pc__mi_key(c, N, pos),
				(size_t)(n - pos) * d->ksz);
			memcpy(pc__mi_key(c, N, pos), key, d->ksz);
			memmove(&N->child[pos + 2], &N->child[pos + 1],
				(size_t)(n - pos) * 8);
			N->child[pos + 1] = ch;
			N->n = n + 1;
			return PC_OK;
		}
		/* Split N around the combined n + 1 keys. */
		uint64_t moff = nodes[used++];
		struct pc__minner *M = pc__mi(c, moff);
		memcpy(tk, pc__mi_key(c, N, 0), (size_t)pos * d->ksz);
		memcpy(tk + (size_t)pos * d->ksz, key, d->ksz);
		memcpy(tk + (size_t)(pos + 1) * d->ksz, pc__mi_key(c, N, pos),
		       (size_t)(n - pos) * d->ksz);
		memcpy(tc, N->child, (size_t)(pos + 1) * 8);
		tc[pos + 1] = ch;
		memcpy(tc + pos + 2, &N->child[pos + 1], (size_t)(n - pos) * 8);
		unsigned total = n + 1, mid = total / 2;
		PC_TRY(pc__m_snap(c, N, d->isize));
		N->n = mid;
		memcpy(pc__mi_key(c, N, 0), tk, (size_t)mid * d->ksz);
		memcpy(N->child, tc, (size_t)(mid + 1) * 8);
		memcpy(up, tk + (size_t)mid * d->ksz, d->ksz);
		M->n = total - mid - 1;
		M->pad = 0;
		memcpy(pc__mi_key(c, M, 0), tk + (size_t)(mid + 1) * d->ksz,
		       (size_t)M->n * d->ksz);
		memcpy(M->child, tc + mid + 1, (size_t)(M->n + 1) * 8);
		key = up;
		ch = moff;
		lvl--;
	}
}

/* Split the full leaf at the end of path p and insert (pk, pv) into the
 * half it belongs to, inside a transaction. */
static inline pc_err pc__m_split_tx(const pc__mctx *c, const pc__mpath *p,
				    const void *pk, const void *pv, uint8_t fp)
{
	const pc__mapd *d = c->d;
	unsigned h = p->h;
	struct pc__mleaf *L = pc__ml(c, p->node[h]);
	int lvl = (int)h - 1;
	unsigned need = 0;
	while (lvl >= 0 && pc__mi(c, p->node[lvl])->n >= d->icap) {
		need++;
		lvl--;
	}
	if (lvl < 0) {
		need++; /* a new root */
		if (h + 1 >= PC__MAP_MAXH)
			return pc__tx_abort_with(pc__fail(
				PC_E_TOOBIG, "pmap: the tree is too high"));
	}
	uint64_t nodes[PC__MAP_MAXH + 2];
	uint64_t roff = 0;
	PC_TRY(pc__m_alloc(c, d->lsize, PC__MAP_TN_LEAF, &roff));
	for (unsigned i = 0; i < need; i++)
		PC_TRY(pc__m_alloc(c, d->isize, PC__MAP_TN_INNER, &nodes[i]));
	uint8_t ord[64];
	unsigned n = pc__ml_sorted(c, L, ord);
	unsigned mid = n / 2;
	struct pc__mleaf *R = pc__ml(c, roff);
	pc__ml_init(R);
	R->hint_epoch = c->h->epoch;
	R->next = L->next;
	uint64_t moved = 0;
	for (unsigned k = mid; k < n; k++) {
		unsigned s = ord[k], t = k - mid;
		memcpy(pc__ml_slot(c, R, t), pc__ml_slot(c, L, s), d->slot);
		R->fp[t] = L->fp[s];
		R->order[t] = (uint8_t)t;
		moved |= 1ull << s;
	}
	R->bitmap = (n - mid) >= 64 ? ~0ull : ((1ull << (n - mid)) - 1);
	unsigned char sep[PC__MAP_KMAX];
	PC_TRY(pc__m_sep_make(c, pc__ml_slot(c, L, ord[mid - 1]),
			      pc__ml_slot(c, R, 0), sep));
	/* One range: bitmap, next, fingerprints and order hint. */
	PC_TRY(pc__m_snap(c, L, PC__ML_HDR));
	L->bitmap &= ~moved;
	L->next = roff;
	/* The new entry: into R (fresh memory), or into a slot of L that was
	 * just moved out (snapshotted: an abort brings its entry back). */
	struct pc__mleaf *T = R;
	unsigned s = n - mid;
	if (pc__mk_cmp_ps(c, pk, sep) < 0) {
		T = L;
		s = ord[mid];
		PC_TRY(pc__m_snap(c, pc__ml_slot(c, L, s), d->slot));
	}
	unsigned char *ns = pc__ml_slot(c, T, s);
	PC_TRY(pc__m_key_store(c, ns, pk, 1, NULL));
	PC_TRY(pc__m_val_store(c, ns + d->voff, pv, 1, NULL));
	T->fp[s] = fp;
	pc__ml_order_add(c, T, s, pk, -1);
	T->bitmap |= 1ull << s;
	return pc__m_inner_insert(c, p, (int)h - 1, sep, roff, nodes);
}

static inline pc_err pc__m_split(const pc__mctx *c, const pc__mpath *p,
				 const void *pk, const void *pv, uint8_t fp)
{
	pc__txj j;
	PC_TRY(pc__m_tx_enter(c, &j));
	return pc__m_tx_leave(c, &j, pc__m_split_tx(c, p, pk, pv, fp));
}

/* Unlink and free the (now empty) non-root leaf at the end of path p,
 * inside a transaction. */
static inline pc_err pc__m_unlink_leaf_tx(const pc__mctx *c, const pc__mpath *p)
{
	const pc__mapd *d = c->d;
	unsigned h = p->h;
	uint64_t loff = p->node[h];
	struct pc__mleaf *L = pc__ml(c, loff);
	int single = 1;
	for (unsigned l = 0; l < h; l++)
		if (pc__mi(c, p->node[l])->n)
			single = 0;
	if (single) { /* the only leaf: it becomes the root */
		PC_TRY(pc__m_snap(c, &c->h->root, 2 * sizeof(uint64_t)));
		for (unsigned l = 0; l < h; l++)
			PC_TRY(pc__m_free(c, p->node[l]));
		c->h->root = loff;
		c->h->height = 0;
		return PC_OK;
	}
	/* A synchronized map found and locked the leaf before (p->pred). */
	uint64_t poff = d->sync ? p->pred : pc__m_pred_leaf(c, p);
	if (poff) {
		struct pc__mleaf *P = pc__ml(c, poff);
		PC_TRY(pc__m_snap(c, &P->next, sizeof(P->next)));
		P->next = L->next;
	}
	PC_TRY(pc__m_free(c, loff));
	for (int l = (int)h - 1; l >= 0; l--) {
		struct pc__minner *N = pc__mi(c, p->node[l]);
		unsigned i = p->idx[l], n = N->n;
		if (n == 0) {
			PC_TRY(pc__m_free(c, p->node[l]));
			continue;
		}
		unsigned kd = i == 0 ? 0 : i - 1;
		PC_TRY(pc__m_snap(c, N, 8 + (size_t)(n + 1) * 8));
		PC_TRY(pc__m_snap(c, pc__mi_key(c, N, 0), (size_t)n * d->ksz));
		PC_TRY(pc__m_key_drop_tx(c, pc__mi_key(c, N, kd)));
		memmove(pc__mi_key(c, N, kd), pc__mi_key(c, N, kd + 1),
			(size_t)(n - kd - 1) * d->ksz);
		memmove(&N->child[i], &N->child[i + 1], (size_t)(n - i) * 8);
		N->n = n - 1;
		break;
	}
	/* An inner root left with one child is replaced by it. A
	 * synchronized map keeps it (a valid tree one level higher): the
	 * nodes below were not locked. */
	while (!d->sync && c->h->height > 0 && pc__mi(c, c->h->root)->n == 0) {
		uint64_t old = c->h->root;
		PC_TRY(pc__m_snap(c, &c->h->root, 2 * sizeof(uint64_t)));
		c->h->root = pc__mi(c, old)->child[0];
		c->h->height--;
		PC_TRY(pc__m_free(c, old));
	}
	return PC_OK;
}

/* ---------------------------------------------------------------- */
/* Operations                                                        */
/* ---------------------------------------------------------------- */

/* Update live slot o of leaf l with probe value pv in place, inside a
 * transaction (own or joined). */
static inline pc_err pc__m_update_tx(const pc__mctx *c, struct pc__mleaf *l,
				     unsigned o, const void *pv)
{
	unsigned char *v = pc__ml_slot(c, l, o) + c->d->voff;
	PC_TRY(pc__m_snap(c, v, c->d->vsz));
	if (c->d->vbytes) {
		unsigned char old[sizeof(pc_bytes)];
		memcpy(old, v, sizeof(old));
		PC_TRY(pc__m_val_store(c, v, pv, !c->d->dram, NULL));
		return pc__m_val_drop_tx(c, old);
	}
	memcpy(v, pv, c->d->vsz);
	return PC_OK;
}

/*
 * Insert (pk, pv) into leaf l at the end of path p (its fingerprint fp):
 * replace != 0 replaces an existing value (put), else fails with
 * PC_E_EXISTS (insert). *replaced (may be NULL) tells which. When the
 * key is absent and l is full, a split is needed: with `split` NULL it is
 * done here; otherwise *split is set and nothing changes (a synchronized
 * map locks the nodes the split changes first).
 */
__attribute__((always_inline)) static inline pc_err
pc__m_insert_at(const pc__mctx *c, const pc__mpath *p, struct pc__mleaf *l,
		const void *pk, const void *pv, uint8_t fp, int replace,
		int *replaced, int intx, int *split, const char *fn)
{
	const pc__mapd *d = c->d;
	{
		int o = pc__ml_find(c, l, pk, fp);
		if (o >= 0 && !replace)
			return pc__fail(PC_E_EXISTS, "%s: key exists", fn);
		uint64_t bm = l->bitmap;
		uint64_t fr = ~bm & pc__ml_capmask(c);
		if (o >= 0) {
			if (replaced)
				*replaced = 1;
			unsigned char *v =
				pc__ml_slot(c, l, (unsigned)o) + d->voff;
			if (intx)
				return pc__m_update_tx(c, l, (unsigned)o, pv);
			if (d->vinplace) {
				/* One aligned store of at most 8 bytes. */
				switch (d->vsz) {
				case 8: {
					uint64_t x;
					memcpy(&x, pv, 8);
					__atomic_store_n((uint64_t *)(void *)v,
							 x, __ATOMIC_RELAXED);
					break;
				}
				case 4: {
					uint32_t x;
					memcpy(&x, pv, 4);
					__atomic_store_n((uint32_t *)(void *)v,
							 x, __ATOMIC_RELAXED);
					break;
				}
				case 2: {
					uint16_t x;
					memcpy(&x, pv, 2);
					__atomic_store_n((uint16_t *)(void *)v,
							 x, __ATOMIC_RELAXED);
					break;
				}
				default:
					*v = *(const unsigned char *)pv;
					break;
				}
				pc__m_persist(c, v, d->vsz);
				return PC_OK;
			}
			if (!fr) {
				pc__txj j;
				PC_TRY(pc__m_tx_enter(c, &j));
				return pc__m_tx_leave(
					c, &j,
					pc__m_update_tx(c, l, (unsigned)o, pv));
			}
			/* Out of place: copy the key reference, new value
			 * in a free slot, then one bitmap store swaps. */
			unsigned s = (unsigned)__builtin_ctzll(fr);
			unsigned char *ns = pc__ml_slot(c, l, s);
			pc__macts a;
			a.n = a.ndnew = a.ndfree = 0;
			memcpy(ns, pc__ml_slot(c, l, (unsigned)o), d->ksz);
			pc_err e = pc__m_val_store(c, ns + d->voff, pv, 0, &a);
			if (e == PC_OK && d->vbytes)
				e = pc__m_str_drop(c, v, 0, &a);
			if (e != PC_OK) {
				pc__m_acts_cancel(c, &a);
				return e;
			}
			l->fp[s] = fp;
			pc__ml_order_add(c, l, s, pk, o);
			pc__m_flush(c, ns, d->slot);
			pc__m_flush(c, &l->fp[s], 1);
			pc__m_flush(c, l->order, sizeof(l->order));
			pc__m_drain(c);
			return pc__m_commit(c, l,
					    (bm | (1ull << s)) &
						    ~(1ull << (unsigned)o),
					    &a);
		}
		if (!fr) {
			if (split) {
				*split = 1;
				return PC_OK;
			}
			return pc__m_split(c, p, pk, pv, fp);
		}
		unsigned s = (unsigned)__builtin_ctzll(fr);
		unsigned char *ns = pc__ml_slot(c, l, s);
		if (intx) {
			/* bitmap, next, hint epoch */
			PC_TRY(pc__m_snap(c, l, 3 * sizeof(uint64_t)));
			PC_TRY(pc__m_snap(c, ns, d->slot));
			PC_TRY(pc__m_snap(c, &l->fp[s], 1));
			PC_TRY(pc__m_snap(c, l->order, sizeof(l->order)));
			PC_TRY(pc__m_key_store(c, ns, pk, 1, NULL));
			PC_TRY(pc__m_val_store(c, ns + d->voff, pv, 1, NULL));
			l->fp[s] = fp;
			pc__ml_order_add(c, l, s, pk, -1);
			l->bitmap = bm | (1ull << s);
			return PC_OK;
		}
		pc__macts a;
		a.n = a.ndnew = a.ndfree = 0;
		pc_err e = pc__m_key_store(c, ns, pk, 0, &a);
		if (e == PC_OK)
			e = pc__m_val_store(c, ns + d->voff, pv, 0, &a);
		if (e != PC_OK) {
			pc__m_acts_cancel(c, &a);
			return e;
		}
		l->fp[s] = fp;
		pc__ml_order_add(c, l, s, pk, -1);
		pc__m_flush(c, ns, d->slot);
		pc__m_flush(c, &l->fp[s], 1);
		pc__m_flush(c, l->order, sizeof(l->order));
		pc__m_drain(c);
		return pc__m_commit(c, l, bm | (1ull << s), &a);
	}
}

/*
 * Insert (pk, pv): replace != 0 replaces an existing value (put), else
 * fails with PC_E_EXISTS (insert). *replaced (may be NULL) tells which.
 */
__attribute__((always_inline)) static inline pc_err
pc__m_insert(const pc__mctx *c, const void *pk, const void *pv, int replace,
	     int *replaced, const char *fn)
{
	pc__txstate st = pc__m_txstate(c);
	if (st == PC__TX_DEAD)
		return pc__fail(PC_E_ABORTED, "%s: transaction aborted", fn);
	uint8_t fp = pc__mk_fp(c, pk);
	if (replaced)
		*replaced = 0;
	pc__mpath p;
	struct pc__mleaf *l = pc__m_descend(c, pk, &p);
	return pc__m_insert_at(c, &p, l, pk, pv, fp, replace, replaced,
			       st == PC__TX_WORK, NULL, fn);
}

static inline pc_err pc__m_remove_tx(const pc__mctx *c, struct pc__mleaf *l,
				     unsigned o, const pc__mpath *p)
{
	unsigned char *s = pc__ml_slot(c, l, o);
	PC_TRY(pc__m_snap(c, &l->bitmap, sizeof(l->bitmap)));
	l->bitmap &= ~(1ull << o);
	PC_TRY(pc__m_key_drop_tx(c, s));
	PC_TRY(pc__m_val_drop_tx(c, s + c->d->voff));
	if (l->bitmap == 0 && p->h > 0)
		return pc__m_unlink_leaf_tx(c, p);
	return PC_OK;
}

/*
 * Remove the entry in slot o of leaf l at the end of path p; its value
 * goes to vout. When that empties a leaf below the root, the leaf is
 * unlinked: with `unlink` NULL that is done here; otherwise, unless
 * *unlink is already 1, *unlink is set and nothing changes (a
 * synchronized map locks the nodes the unlink changes, then calls again
 * with *unlink == 1).
 */
__attribute__((always_inline)) static inline pc_err
pc__m_remove_at(const pc__mctx *c, const pc__mpath *p, struct pc__mleaf *l,
		unsigned o, void *vout, int intx, int *unlink)
{
	const pc__mapd *d = c->d;
	unsigned char *s = pc__ml_slot(c, l, o);
	uint64_t nbm = l->bitmap & ~(1ull << o);
	int empties = nbm == 0 && p->h > 0;
	if (unlink && empties && !*unlink) {
		*unlink = 1;
		return PC_OK;
	}
	pc__m_val_out(c, s + d->voff, vout);
	if (intx || empties) {
		pc__txj j;
		PC_TRY(pc__m_tx_enter(c, &j));
		return pc__m_tx_leave(c, &j, pc__m_remove_tx(c, l, o, p));
	}
	pc__macts a;
	a.n = a.ndnew = a.ndfree = 0;
	if (d->kkind == PC__MK_BYTES)
		(void)pc__m_str_drop(c, s, 0, &a);
	if (d->vbytes)
		(void)pc__m_str_drop(c, s + d->voff, 0, &a);
	return pc__m_commit(c, l, nbm, &a);
}

__attribute__((always_inline)) static inline pc_err
pc__m_remove(const pc__mctx *c, const void *pk, void *vout, const char *fn)
{
	pc__txstate st = pc__m_txstate(c);
	if (st == PC__TX_DEAD)
		return pc__fail(PC_E_ABORTED, "%s: transaction aborted", fn);
	pc__mpath p;
	struct pc__mleaf *l = pc__m_descend(c, pk, &p);
	int o = pc__ml_find(c, l, pk, pc__mk_fp(c, pk));
	if (o < 0)
		return pc__fail(PC_E_NOTFOUND, "%s: no such key", fn);
	return pc__m_remove_at(c, &p, l, (unsigned)o, vout, st == PC__TX_WORK,
			       NULL);
}

/** @endcond */

#endif /* PCOLL_DETAIL_MAP_COMMIT_H */
