/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PLOG engine): the durable tail and what readers see: the two
 * tail slots (fill, pick the newest valid one, write the older one), the
 * published end (pub_seq, pub_bytes) and rewind. Relies on log_format.h
 * and on the handle types of <pcoll/log.h>, which includes it.
 *
 * The tail is lazy: an append does not write it each time (recovery scans
 * forward from it, records are validated by checksum). plog__slot_write writes
 * the older slot every PLOG__SLOT_EVERY appends and when a batch moved to
 * another chunk; it flushes without a fence, and the next fence (the next
 * append's, or its own before the following slot write) makes it durable.
 *
 * Rewind (plog__rewind), with readers excluded and the mutex held:
 *   fence 0 (only when the last slot write is not fenced yet): that slot;
 *   fence 1: the other slot, saying first_seq = seq (the log is empty);
 *   then the new end is published. Sequence numbers are never reused, so
 *   the old records cannot come back.
 */
#ifndef PCOLL_DETAIL_LOG_TAIL_H
#define PCOLL_DETAIL_LOG_TAIL_H

#include <stdint.h>
#include <string.h>

#include <libpmemobj.h>

#include "../err.h"
#include "../pool.h"
#include "log_format.h"

#ifndef PCOLL_LOG_H
#error "internal PLOG header: include <pcoll/log.h>"
#endif

/** @cond PCOLL_INTERNAL */

static inline void plog__slot_fill(const uint64_t k[4], struct plog__slot *s,
				   uint64_t gen, const struct plog__rtw *w)
{
	memset(s, 0, sizeof(*s));
	s->gen = gen;
	s->seq = w->seq;
	s->first_seq = w->first_seq;
	s->chunk = w->chunk;
	s->pos = w->pos;
	s->bytes = w->bytes;
	s->sum = plog__slot_sum(k, s);
}

/* Picks the newest valid slot; -1 when neither is valid. */
static inline int plog__slot_pick(const pc_pool *pool,
				  const struct plog__hdr *h,
				  const uint64_t k[4])
{
	int best = -1;
	for (int i = 0; i < 2; i++) {
		const struct plog__slot *s = &h->slot[i];
		if (s->gen == 0 || s->sum != plog__slot_sum(k, s) ||
		    s->first_seq > s->seq || s->seq == 0)
			continue;
		/* The slot's chunk must be in the chain. */
		int found = 0;
		uint64_t off = h->first;
		for (uint64_t n = 0; off && n < (1u << 24); n++) {
			if (!plog__chunk_ok(pool, off))
				break;
			const struct plog__chunk *c = plog__chunk_at(pool, off);
			if (off == s->chunk) {
				found = s->pos <= c->cap;
				break;
			}
			off = c->next;
		}
		if (!found)
			continue;
		if (best < 0 || s->gen > h->slot[best].gen)
			best = i;
	}
	return best;
}

static inline void plog__publish(struct plog__rt *rt)
{
	__atomic_store_n(&rt->pub_bytes, rt->w.bytes, __ATOMIC_RELEASE);
	__atomic_store_n(&rt->pub_seq, rt->w.seq, __ATOMIC_RELEASE);
}

/* Writes the older slot with the current tail; flushes, does not fence
 * (unless the previous slot write is not fenced yet: then first that). */
static inline void plog__slot_write(const plog *log)
{
	struct plog__rtw *w = &log->rt->w;
	if (w->slot_unfenced)
		pc_pool_drain(log->pool);
	uint32_t idx = w->cur_slot ^ 1u;
	struct plog__slot s;
	plog__slot_fill(log->rt->k, &s, w->gen + 1, w);
	memcpy(&log->h->slot[idx], &s, sizeof(s));
	pc_pool_flush(log->pool, &log->h->slot[idx], sizeof(s));
	w->gen++;
	w->cur_slot = idx;
	w->since_slot = 0;
	w->slot_unfenced = 1;
}

/* Readers catch up with records committed by transactions. */
static inline void plog__sync_pub(const plog *log)
{
	struct plog__rt *rt = log->rt;
	if (__atomic_load_n(&rt->pub_seq, __ATOMIC_ACQUIRE) ==
	    __atomic_load_n(&rt->w.seq, __ATOMIC_RELAXED))
		return;
	if (pmemobj_mutex_trylock(log->pool->pop, &log->h->mtx) != 0)
		return; /* an appender or a transaction holds the log */
	plog__publish(rt);
	(void)pmemobj_mutex_unlock(log->pool->pop, &log->h->mtx);
}

/* plog_rewind() after its checks: takes the read lock exclusively and the
 * mutex, then empties the log with one slot write (see the top). */
static inline pc_err plog__rewind(plog *log)
{
	PMEMobjpool *pop = log->pool->pop;
	struct plog__hdr *h = log->h;
	/* Readers may append (mutex after read lock), so never wait for the
	 * read lock while holding the mutex. */
	for (;;) {
		int r = pmemobj_rwlock_wrlock(pop, &h->rw);
		if (r != 0)
			return pc__fail(PC_E_BUSY, "plog_rewind: lock: %s",
					strerror(r));
		if (pmemobj_mutex_trylock(pop, &h->mtx) == 0)
			break;
		(void)pmemobj_rwlock_unlock(pop, &h->rw);
		if (pmemobj_mutex_lock(pop, &h->mtx) == 0)
			(void)pmemobj_mutex_unlock(pop, &h->mtx);
	}
	struct plog__rtw *w = &log->rt->w;
	w->first_seq = w->seq;
	w->chunk = h->first;
	w->pos = 0;
	w->bytes = 0;
	plog__slot_write(log);
	pc_pool_drain(log->pool);
	w->slot_unfenced = 0;
	plog__publish(log->rt);
	(void)pmemobj_mutex_unlock(pop, &h->mtx);
	(void)pmemobj_rwlock_unlock(pop, &h->rw);
	return PC_OK;
}

/** @endcond */

#endif /* PCOLL_DETAIL_LOG_TAIL_H */
