/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PMAP engine, PC_SYNC): changes to a map shared by threads.
 *
 * A change descends optimistically (map_sync_read.h), then locks the
 * leaf by upgrading the version it read: success proves the leaf is still
 * the one covering the key. The change itself is the single-threaded
 * map's code (map_commit.h) with the same commit protocol and fences; it
 * runs while the leaf's word is held, so no reader validates a
 * half-done or not yet durable leaf. A split first locks, bottom-up, the
 * full inner nodes it will change, the first one with room, and the
 * header when the root splits; an unlink locks the inner nodes it frees
 * or changes, the header when the leaf becomes the root, and the leaf
 * before it. Every one of those locks is an upgrade of the version the
 * descent saw, so it also proves the path is unchanged.
 *
 * A single operation never waits while it holds a word: a failed upgrade
 * releases everything and the operation starts again (after waiting,
 * holding nothing, for a word it found locked). In a transaction the
 * words are kept until the outermost TX() ends and a wait follows
 * wait-die (detail/sync.h); a transaction that must die is aborted with
 * ::PC_E_BUSY.
 *
 * The inner root of a synchronized map is never replaced by its only
 * child (that child is not locked); the tree stays valid one level
 * higher.
 *
 * Relies on: map_sync_read.h (descent with versions), map_commit.h
 * (changes), map_lifecycle.h and map_check.h (clear, check).
 */
#ifndef PCOLL_DETAIL_MAP_SYNC_WRITE_H
#define PCOLL_DETAIL_MAP_SYNC_WRITE_H

#include <stdint.h>

#include "map_check.h"
#include "map_commit.h"
#include "map_lifecycle.h"
#include "map_sync_read.h"

/** @cond PCOLL_INTERNAL */

/* Where a synchronized change stands with respect to a transaction.
 * PC_OK and *intx, or an error. */
__attribute__((always_inline)) static inline pc_err
pc__ms_txcheck(int *intx, const char *fn)
{
	pc__txstate st = pc__tx_state();
	if (st == PC__TX_DEAD)
		return pc__fail(PC_E_ABORTED, "%s: transaction aborted", fn);
	*intx = st == PC__TX_WORK;
	if (*intx && !pc__tx_ours)
		return pc__fail(
			PC_E_INVAL,
			"%s: a synchronized map joins only transactions "
			"begun by TX(), not libpmemobj's TX_BEGIN",
			fn);
	return PC_OK;
}

/*
 * Lock the word of entry i of sp (0: the header, l + 1: node l) by
 * upgrading the version the descent saw; the entry then holds the lock
 * word, so later validations against it pass. 1: locked; 0: changed
 * (start again; a transaction has waited for the word first); -e: the
 * transaction is aborted with error e (::PC_E_BUSY: wait-die).
 */
__attribute__((always_inline)) static inline int
pc__ms_lock(pc__sylk *k, int intx, pc__mspath *sp, unsigned i, const char *fn)
{
	uint64_t *w = sp->w[i];
#ifdef PCOLL_TEST_BUG_SYNC_NO_LEAF_LOCK
	/* Deliberately broken (tests must catch it): single operations
	 * change their leaf without locking it. */
	if (i == sp->p.h + 1 && !intx)
		return 1;
#endif
	if (pc__sy_upgrade(k, intx, w, sp->v[i])) {
		sp->v[i] = __atomic_load_n(w, __ATOMIC_RELAXED);
		return 1;
	}
	if (intx) {
		pc_err e = pc__sy_acquire(k, 1, w);
		if (e != PC_OK)
			return -(int)(e == PC_E_BUSY ? pc__ms_die(fn)
						     : pc__tx_abort_with(e));
		return 0;
	}
	return 0;
}

/* Before starting again: a single operation releases what it holds and
 * waits, holding nothing, until the word that stopped it is free (a
 * transaction keeps its words; it has waited already). */
static inline void pc__ms_backoff(pc__sylk *k, int intx, const uint64_t *w)
{
	if (intx)
		return;
	pc__sy_release(k);
	unsigned spins = 0;
	while (w && (__atomic_load_n(w, __ATOMIC_ACQUIRE) & 1))
		pc__sy_pause(&spins);
}

/* Lock what splitting the leaf of sp changes (its leaf is locked): full
 * inner nodes bottom-up, the first with room, the header when the root
 * splits. Codes as pc__ms_lock; *stop is the word that failed. */
static inline int pc__ms_lock_split(const pc__mctx *c, const pc__mapd *d,
				    pc__sylk *k, int intx, pc__mspath *sp,
				    uint64_t **stop, const char *fn)
{
	for (int l = (int)sp->p.h - 1; l >= -1; l--) {
		unsigned i = (unsigned)(l + 1);
		int r = pc__ms_lock(k, intx, sp, i, fn);
		if (r <= 0) {
			*stop = sp->w[i];
			return r;
		}
		if (l >= 0 && pc__mi(c, sp->p.node[l])->n < d->icap)
			return 1;
	}
	return 1;
}

/* Lock what unlinking the (emptied) leaf of sp changes: the inner nodes
 * it frees and the first it changes, the header when the leaf becomes the
 * root, and the leaf before it (sp->p.pred). Codes as pc__ms_lock. */
static inline int pc__ms_lock_unlink(const pc__mctx *c, const pc__mapd *d,
				     pc__sylk *k, int intx, pc__mspath *sp,
				     uint64_t **stop, const char *fn)
{
	int l = (int)sp->p.h - 1;
	for (; l >= 0; l--) {
		int r = pc__ms_lock(k, intx, sp, (unsigned)l + 1, fn);
		if (r <= 0) {
			*stop = sp->w[l + 1];
			return r;
		}
		if (pc__mi(c, sp->p.node[l])->n)
			break;
	}
	if (l < 0) { /* the only leaf: it becomes the root */
		int r = pc__ms_lock(k, intx, sp, 0, fn);
		if (r <= 0)
			*stop = sp->w[0];
		return r;
	}
	uint64_t poff;
	uint64_t *pw = NULL;
	uint64_t pv = 0;
	int r = pc__msr_pred(c, d, sp, &poff, &pw, &pv, fn);
	if (r < 0)
		return -(int)PC_E_BUSY;
	if (r == 0)
		return 0;
	sp->p.pred = poff;
	if (!poff)
		return 1;
	if (!pc__sy_upgrade(k, intx, pw, pv)) {
		*stop = pw;
		if (intx) {
			pc_err e = pc__sy_acquire(k, 1, pw);
			if (e != PC_OK)
				return -(int)(e == PC_E_BUSY
						      ? pc__ms_die(fn)
						      : pc__tx_abort_with(e));
		}
		return 0;
	}
	/* Locked: its successor is stable now. */
	return pc__ml(c, poff)->next == sp->p.node[sp->p.h];
}

/* Descend to pk's leaf and lock it. PC_OK with the leaf locked, or an
 * error (no lock held by a single operation then). */
__attribute__((always_inline)) static inline pc_err
pc__ms_lock_leaf(const pc__mctx *c, const pc__mapd *d, pc__sylk *k, int intx,
		 const void *pk, pc__mspath *sp, const char *fn)
{
	for (;;) {
		PC_TRY(pc__msr_descend(c, d, pk, -1, sp, fn));
		int r = pc__ms_lock(k, intx, sp, sp->p.h + 1, fn);
		if (r > 0)
			return PC_OK;
		if (r < 0)
			return (pc_err)-r;
		pc__ms_backoff(k, intx, sp->w[sp->p.h + 1]);
	}
}

/* insert/put of a synchronized map (pc__m_insert's contract). */
__attribute__((always_inline)) static inline pc_err
pc__ms_insert(const pc__mctx *c, const pc__mapd *d, const void *pk,
	      const void *pv, int replace, int *replaced, const char *fn)
{
	int intx;
	PC_TRY(pc__ms_txcheck(&intx, fn));
	uint8_t fp = pc__mk_fp(c, pk);
	for (;;) {
		if (replaced)
			*replaced = 0;
		pc__mspath sp;
		pc__sylk k;
		k.n = 0;
		PC_TRY(pc__ms_lock_leaf(c, d, &k, intx, pk, &sp, fn));
		struct pc__mleaf *l = pc__ml(c, sp.p.node[sp.p.h]);
		int split = 0;
		/* A fresh context: its descriptor is the constant d again for
		 * the single-threaded code (the loop above let c escape). */
		pc__mctx lc = *c;
		lc.d = d;
		pc_err e = pc__m_insert_at(&lc, &sp.p, l, pk, pv, fp, replace,
					   replaced, intx, &split, fn);
		if (split) {
			uint64_t *stop = NULL;
			int r = pc__ms_lock_split(c, d, &k, intx, &sp, &stop,
						  fn);
			if (r < 0) {
				pc__sy_release(&k);
				return (pc_err)-r;
			}
			if (r == 0) {
				pc__ms_backoff(&k, intx, stop);
				continue;
			}
			e = pc__m_split(&lc, &sp.p, pk, pv, fp);
		}
		pc__sy_release(&k);
		return e;
	}
}

/* remove of a synchronized map (pc__m_remove's contract). */
__attribute__((always_inline)) static inline pc_err
pc__ms_remove(const pc__mctx *c, const pc__mapd *d, const void *pk, void *vout,
	      const char *fn)
{
	int intx;
	PC_TRY(pc__ms_txcheck(&intx, fn));
	uint8_t fp = pc__mk_fp(c, pk);
	for (;;) {
		pc__mspath sp;
		pc__sylk k;
		k.n = 0;
		PC_TRY(pc__ms_lock_leaf(c, d, &k, intx, pk, &sp, fn));
		struct pc__mleaf *l = pc__ml(c, sp.p.node[sp.p.h]);
		pc__mctx lc = *c; /* d constant again (see pc__ms_insert) */
		lc.d = d;
		int o = pc__ml_find(&lc, l, pk, fp);
		if (o < 0) {
			pc__sy_release(&k);
			return pc__fail(PC_E_NOTFOUND, "%s: no such key", fn);
		}
		int unlink = 0;
		pc_err e = pc__m_remove_at(&lc, &sp.p, l, (unsigned)o, vout,
					   intx, &unlink);
		if (unlink) {
			uint64_t *stop = NULL;
			int r = pc__ms_lock_unlink(c, d, &k, intx, &sp, &stop,
						   fn);
			if (r < 0) {
				pc__sy_release(&k);
				return (pc_err)-r;
			}
			if (r == 0) {
				pc__ms_backoff(&k, intx, stop);
				continue;
			}
			e = pc__m_remove_at(&lc, &sp.p, l, (unsigned)o, vout,
					    intx, &unlink);
		}
		pc__sy_release(&k);
		return e;
	}
}

/* The leaf holding pk, locked by the running transaction, and the slot
 * (-1: absent). For get_mut(). */
static inline pc_err pc__ms_tx_slot(const pc__mctx *c, const pc__mapd *d,
				    const void *pk, struct pc__mleaf **leaf,
				    int *slot, const char *fn)
{
	int intx;
	PC_TRY(pc__ms_txcheck(&intx, fn));
	if (!intx)
		return pc__fail(PC_E_NEEDTX, "%s: needs a running transaction",
				fn);
	pc__mspath sp;
	sp.p.h = 0;
	sp.p.node[0] = 0;
	pc__sylk k;
	k.n = 0;
	PC_TRY(pc__ms_lock_leaf(c, d, &k, 1, pk, &sp, fn));
	*leaf = pc__ml(c, sp.p.node[sp.p.h]);
	*slot = pc__ml_find(c, *leaf, pk, pc__mk_fp(c, pk));
	return PC_OK;
}

/*
 * Run fn_ex(c, arg) with the whole lock table held (every synchronized
 * map of the pool stands still): check(), clear(), free(). In a
 * transaction the words stay held until it ends.
 */
static inline pc_err pc__ms_exclusive(const pc__mctx *c,
				      pc_err (*fn_ex)(const pc__mctx *, void *),
				      void *arg, const char *fn)
{
	int intx;
	PC_TRY(pc__ms_txcheck(&intx, fn));
	uint64_t *saved = NULL;
	pc_err e = pc__sy_lock_all(c->tab, intx, &saved);
	if (e == PC_E_BUSY)
		return pc__ms_die(fn);
	if (e != PC_OK)
		return intx ? pc__tx_abort_with(e) : e;
	e = fn_ex(c, arg);
	pc__sy_unlock_all(c->tab, saved);
	return e;
}

/** @endcond */

#endif /* PCOLL_DETAIL_MAP_SYNC_WRITE_H */
