/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the lock and version words of synchronized containers
 * (`#define PC_SYNC` before <pcoll/map.h>). Nothing here is public API.
 *
 * Where the words live. A pool opened in this process gets one table of
 * 2^PC__SY_BITS 64-bit words in DRAM, allocated at the first synchronized
 * bind and freed by pc_pool_close(). The node at pool offset `off` is
 * guarded by the word pc__sy_word(pool, off); two nodes may share a word
 * (a stripe), which costs a false conflict now and then, never
 * correctness. Nothing of a lock reaches the pool, so a crash or SIGKILL
 * leaves no node locked, and a freed node's word keeps counting when its
 * memory is reused, so a reader holding a stale offset always sees the
 * version move.
 *
 * The word. Even: unlocked, the value is the version (+2 at each unlock).
 * Odd: locked, the owner in the upper bits:
 *   bit 1 set:   a transaction; bits 2.. its ticket (smaller is older;
 *                ticket 0 is check() and clear(), the oldest of all);
 *   bit 1 clear: a single operation; bits 2.. the thread's token.
 * A holder remembers the version it replaced and stores version + 2 when
 * it unlocks.
 *
 * Readers (optimistic): v = pc__sy_rbegin(w); read; pc__sy_rok(w, v) or
 * retry. A word held by this thread's own transaction reads as itself, so
 * its validation passes: a transaction reads what it wrote.
 *
 * Writers: upgrade the version a read saw (pc__sy_upgrade), or wait for
 * the word (pc__sy_acquire). A single operation never waits while it
 * holds a word: when an upgrade fails it releases everything and starts
 * again, so single operations take part in no deadlock. A transaction
 * keeps its words until its outermost TX() ends (strict two-phase
 * locking: no other thread reads its uncommitted changes) and follows
 * wait-die: it waits for a younger holder and gives up (::PC_E_BUSY,
 * the transaction aborts) before an older one. Waits therefore only ever
 * go from older to younger transactions: no cycle, no hang.
 */
#ifndef PCOLL_DETAIL_SYNC_H
#define PCOLL_DETAIL_SYNC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "../err.h"
#include "txcore.h"

/** @cond PCOLL_INTERNAL */

#define PC__SY_BITS  16
#define PC__SY_WORDS ((size_t)1 << PC__SY_BITS)
#define PC__SY_MAXLK 48   /* words one single operation may hold */
#define PC__SY_DIE   1ull /* rbegin/acquire: give up (wait-die) */
#define PC__SY_SPINS 256  /* pause loops before yielding */

/* Per-pool state of this process: the word table and the maps whose
 * epoch this open has bumped. */
struct pc__sync {
	uint64_t *tab;   /* PC__SY_WORDS words, 64-byte aligned */
	mtx_t mu;        /* guards the fields below */
	uint64_t *bound; /* header offsets bound since the pool opened */
	size_t nbound, capbound;
};

/* The calling thread's token (1, 2, ...), shared by every translation
 * unit (weak symbols). */
PC__WEAK uint64_t pc__sy_ntok;
PC__WEAK _Thread_local uint64_t pc__sy_tok;

__attribute__((always_inline)) static inline uint64_t pc__sy_token(void)
{
	uint64_t t = pc__sy_tok;
	if (PC__UNLIKELY(!t)) {
		t = __atomic_add_fetch(&pc__sy_ntok, 1, __ATOMIC_RELAXED);
		pc__sy_tok = t;
	}
	return t;
}

/* The word a single operation of this thread stores to lock. */
__attribute__((always_inline)) static inline uint64_t pc__sy_opword(void)
{
	return (pc__sy_token() << 2) | 1u;
}

/* The word of a transaction with ticket t. */
static inline uint64_t pc__sy_txword(uint64_t t)
{
	return (t << 2) | 3u;
}

static inline void pc__sy_pause(unsigned *spins)
{
	if (++*spins < PC__SY_SPINS) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
		return;
	}
	*spins = 0;
	thrd_yield();
}

static inline void pc__sync_free(struct pc__sync *s)
{
	if (!s)
		return;
	mtx_destroy(&s->mu);
	free(s->bound);
	free(s->tab);
	free(s);
}

/* The pool's state, made at the first call (any thread). */
static inline pc_err pc__sync_get(struct pc__sync **slot, struct pc__sync **out)
{
	struct pc__sync *s = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (s) {
		*out = s;
		return PC_OK;
	}
	s = (struct pc__sync *)calloc(1, sizeof(*s));
	if (s)
		s->tab = (uint64_t *)aligned_alloc(64, PC__SY_WORDS * 8);
	if (!s || !s->tab || mtx_init(&s->mu, mtx_plain) != thrd_success) {
		if (s)
			free(s->tab);
		free(s);
		return pc__fail(PC_E_NOMEM,
				"synchronized map: no memory for the lock "
				"table (%zu bytes)",
				PC__SY_WORDS * 8);
	}
	memset(s->tab, 0, PC__SY_WORDS * 8);
	struct pc__sync *prev = NULL;
	if (!__atomic_compare_exchange_n(slot, &prev, s, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		pc__sync_free(s); /* another thread was first */
		s = prev;
	}
	*out = s;
	return PC_OK;
}

/* 1 when the header at offset off is bound for the first time since the
 * pool opened (the caller then starts a new epoch); records it. */
static inline pc_err pc__sync_first_bind(struct pc__sync *s, uint64_t off,
					 int *first)
{
	pc_err e = PC_OK;
	*first = 0;
	if (mtx_lock(&s->mu) != thrd_success)
		return pc__fail(PC_E_INVAL, "synchronized map: lock failed");
	size_t i = 0;
	while (i < s->nbound && s->bound[i] != off)
		i++;
	if (i == s->nbound) {
		if (s->nbound == s->capbound) {
			size_t ncap = s->capbound ? 2 * s->capbound : 8;
			uint64_t *nb = (uint64_t *)realloc(s->bound,
							   ncap * sizeof(*nb));
			if (!nb) {
				e = pc__fail(PC_E_NOMEM,
					     "synchronized map: out of memory");
				goto out;
			}
			s->bound = nb;
			s->capbound = ncap;
		}
		s->bound[s->nbound++] = off;
		*first = 1;
	}
out:
	(void)mtx_unlock(&s->mu);
	return e;
}

/* Forget a header offset (the map was freed; its memory may hold another
 * map later). */
static inline void pc__sync_unbind(struct pc__sync *s, uint64_t off)
{
	if (!s || mtx_lock(&s->mu) != thrd_success)
		return;
	for (size_t i = 0; i < s->nbound; i++)
		if (s->bound[i] == off) {
			s->bound[i] = s->bound[--s->nbound];
			break;
		}
	(void)mtx_unlock(&s->mu);
}

/* The word guarding the node at offset off. */
static inline uint64_t *pc__sy_word(uint64_t *tab, uint64_t off)
{
	return tab +
	       (((off >> 6) * 0x9E3779B97F4A7C15ull) >> (64 - PC__SY_BITS));
}

/* ---------------------------------------------------------------- */
/* Optimistic readers                                                */
/* ---------------------------------------------------------------- */

/* Wait until w is not held by another thread. Returns the word to
 * validate against, or PC__SY_DIE when this thread's transaction holds
 * words and an older transaction holds w (wait-die). */
static inline uint64_t pc__sy_rwait(uint64_t *w, uint64_t v)
{
	uint64_t mine = pc__tx_ticket ? pc__sy_txword(pc__tx_ticket) : 0;
	unsigned spins = 0;
	while (v & 1) {
		if (v == mine)
			return v;
		if (mine && (v & 2) && (v >> 2) < pc__tx_ticket)
			return PC__SY_DIE;
		pc__sy_pause(&spins);
		v = __atomic_load_n(w, __ATOMIC_ACQUIRE);
	}
	return v;
}

/* Start an optimistic read of what w guards. */
static inline uint64_t pc__sy_rbegin(uint64_t *w)
{
	uint64_t v = __atomic_load_n(w, __ATOMIC_ACQUIRE);
	if (PC__LIKELY(!(v & 1)))
		return v;
	return pc__sy_rwait(w, v);
}

/* 1 when nothing changed what w guards since pc__sy_rbegin gave v. */
static inline int pc__sy_rok(const uint64_t *w, uint64_t v)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
#ifdef PCOLL_TEST_BUG_SYNC_NO_VALIDATE
	/* Deliberately broken (tests must catch it): readers trust what they
	 * read unless it was locked when they began. */
	return __atomic_load_n(w, __ATOMIC_RELAXED) == v || !(v & 1);
#else
	return __atomic_load_n(w, __ATOMIC_RELAXED) == v;
#endif
}

/* ---------------------------------------------------------------- */
/* Writers                                                           */
/* ---------------------------------------------------------------- */

/* Words held by one single operation, released together. */
typedef struct pc__sylk {
	unsigned n;
	uint64_t *w[PC__SY_MAXLK];
	uint64_t v[PC__SY_MAXLK]; /* version each replaced */
} pc__sylk;

/* The word this thread locks with now: its transaction's (a ticket is
 * drawn at its first lock) or its single-operation word. */
__attribute__((always_inline)) static inline uint64_t pc__sy_me(int intx)
{
	if (!intx)
		return pc__sy_opword();
	if (!pc__tx_ticket)
		pc__tx_ticket = __atomic_add_fetch(&pc__tx_nticket, 1,
						   __ATOMIC_RELAXED);
	return pc__sy_txword(pc__tx_ticket);
}

__attribute__((always_inline)) static inline int pc__sy_held(const pc__sylk *k,
							     const uint64_t *w)
{
	for (unsigned i = 0; i < k->n; i++)
		if (k->w[i] == w)
			return 1;
	return 0;
}

/* Record a word just locked (replacing version v): in the operation's
 * set, or, in a transaction, in the list released when it ends. */
__attribute__((always_inline)) static inline pc_err
pc__sy_note(pc__sylk *k, int intx, uint64_t *w, uint64_t v)
{
	if (intx)
		return pc__txrel_push(w, v + 2);
	k->w[k->n] = w;
	k->v[k->n] = v;
	k->n++;
	return PC_OK;
}

/*
 * Lock w if it still holds version v (seen by an optimistic read). 1 on
 * success (also when this thread's transaction holds it already), 0 when
 * it changed. A single operation holds at most PC__SY_MAXLK words.
 */
__attribute__((always_inline)) static inline int
pc__sy_upgrade(pc__sylk *k, int intx, uint64_t *w, uint64_t v)
{
	uint64_t me = pc__sy_me(intx);
	if (v == me || (!intx && pc__sy_held(k, w)))
		return 1;
	if (v & 1)
		return 0;
	if (!intx && k->n >= PC__SY_MAXLK)
		return 0;
	if (!__atomic_compare_exchange_n(w, &v, me, 0, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return 0;
	if (pc__sy_note(k, intx, w, v) != PC_OK) {
		__atomic_store_n(w, v, __ATOMIC_RELEASE);
		return 0;
	}
	return 1;
}

/*
 * Lock w, waiting for its holder. A single operation calls it holding
 * nothing; a transaction follows wait-die. PC_OK, or ::PC_E_BUSY (the
 * transaction must abort: an older one holds w), or ::PC_E_NOMEM.
 */
static inline pc_err pc__sy_acquire(pc__sylk *k, int intx, uint64_t *w)
{
	uint64_t me = pc__sy_me(intx);
	unsigned spins = 0;
	for (;;) {
		uint64_t v = __atomic_load_n(w, __ATOMIC_ACQUIRE);
		if (v == me || (!intx && pc__sy_held(k, w)))
			return PC_OK;
		if (v & 1) {
			if (intx && (v & 2) && (v >> 2) < (me >> 2))
				return PC_E_BUSY;
			pc__sy_pause(&spins);
			continue;
		}
		if (__atomic_compare_exchange_n(w, &v, me, 0, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED)) {
			pc_err e = pc__sy_note(k, intx, w, v);
			if (e != PC_OK)
				__atomic_store_n(w, v, __ATOMIC_RELEASE);
			return e;
		}
	}
}

/* Unlock every word of a single operation (versions move on). */
__attribute__((always_inline)) static inline void pc__sy_release(pc__sylk *k)
{
	for (unsigned i = k->n; i-- > 0;)
		__atomic_store_n(k->w[i], k->v[i] + 2, __ATOMIC_RELEASE);
	k->n = 0;
}

/*
 * Lock every word of the table: the whole pool's synchronized maps stand
 * still (check(), clear(), free()). A transaction follows wait-die and
 * keeps the words until it ends. Otherwise the words are taken as the
 * oldest transaction (ticket 0), so a transaction in the way gives up
 * rather than waits, and the replaced versions go to *saved for
 * pc__sy_unlock_all(). PC_OK, ::PC_E_BUSY (the transaction must abort),
 * ::PC_E_NOMEM.
 */
static inline pc_err pc__sy_lock_all(uint64_t *tab, int intx, uint64_t **saved)
{
	*saved = NULL;
	if (intx) {
		for (size_t i = 0; i < PC__SY_WORDS; i++)
			PC_TRY(pc__sy_acquire(NULL, 1, tab + i));
		return PC_OK;
	}
	uint64_t *sv = (uint64_t *)malloc(PC__SY_WORDS * 8);
	if (!sv)
		return pc__fail(PC_E_NOMEM,
				"synchronized map: no memory to lock the "
				"table");
	const uint64_t me = pc__sy_txword(0);
	for (size_t i = 0; i < PC__SY_WORDS; i++) {
		unsigned spins = 0;
		for (;;) {
			uint64_t v = __atomic_load_n(tab + i, __ATOMIC_ACQUIRE);
			if (!(v & 1) &&
			    __atomic_compare_exchange_n(tab + i, &v, me, 0,
							__ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED)) {
				sv[i] = v;
				break;
			}
			pc__sy_pause(&spins);
		}
	}
	*saved = sv;
	return PC_OK;
}

/* Undo pc__sy_lock_all() outside a transaction. */
static inline void pc__sy_unlock_all(uint64_t *tab, uint64_t *saved)
{
	if (!saved)
		return;
	for (size_t i = 0; i < PC__SY_WORDS; i++)
		__atomic_store_n(tab + i, saved[i] + 2, __ATOMIC_RELEASE);
	free(saved);
}

/** @endcond */

#endif /* PCOLL_DETAIL_SYNC_H */
