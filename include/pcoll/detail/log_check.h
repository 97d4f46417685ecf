/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PLOG engine): the invariant check behind plog_check() (tests,
 * the crash simulator, `pcoll check`): the chain, the tail slots, every
 * live record and nothing valid past the tail. Reads only. Relies on
 * log_format.h, log_chain.h, log_tail.h and log_lifecycle.h (the batch
 * validation of recovery), and on the handle types of <pcoll/log.h>,
 * which includes it.
 */
#ifndef PCOLL_DETAIL_LOG_CHECK_H
#define PCOLL_DETAIL_LOG_CHECK_H

#include <stdint.h>

#include <libpmemobj.h>

#include "../err.h"
#include "../pool.h"
#include "log_chain.h"
#include "log_format.h"
#include "log_lifecycle.h"
#include "log_tail.h"
#include "txcore.h"

#ifndef PCOLL_LOG_H
#error "internal PLOG header: include <pcoll/log.h>"
#endif

/** @cond PCOLL_INTERNAL */

/* plog_check() after its argument check. */
static inline pc_err plog__check(const plog *log)
{
	const pc_pool *pool = log->pool;
	const struct plog__hdr *h = log->h;
	const struct plog__rt *rt = log->rt;
	int locked = 0;
	if (pc__tx_state() == PC__TX_NONE) {
		if (pmemobj_mutex_lock(pool->pop, &log->h->mtx) != 0)
			return pc__fail(PC_E_BUSY, "plog_check: cannot lock");
		locked = 1;
	}
	pc_err e = PC_OK;
	const struct plog__rtw *w = &rt->w;
	uint64_t off = h->first, n = 0, nbyte = 0, last = 0;
	int tail_in_chain = 0;
	while (off) {
		if (!plog__chunk_ok(pool, off) ||
		    plog__chunk_at(pool, off)->index != n) {
			e = pc__fail(PC_E_CORRUPT,
				     "plog_check: chunk %llu is damaged",
				     (unsigned long long)n);
			goto out;
		}
		const struct plog__chunk *c = plog__chunk_at(pool, off);
		if (off == w->chunk)
			tail_in_chain = w->pos <= c->cap;
		nbyte += c->cap;
		last = off;
		off = c->next;
		n++;
	}
	if (nbyte != w->nbyte || last != w->last || n != w->nchunks ||
	    !tail_in_chain) {
		e = pc__fail(PC_E_CORRUPT,
			     "plog_check: chain (%llu chunks, %llu bytes) does "
			     "not match the log state",
			     (unsigned long long)n, (unsigned long long)nbyte);
		goto out;
	}
	if (plog__slot_pick(pool, h, rt->k) < 0) {
		e = pc__fail(PC_E_CORRUPT, "plog_check: no valid tail slot");
		goto out;
	}
	{
		struct plog__chunk *c = plog__chunk_at(pool, h->first);
		uint64_t p = 0, seq = w->first_seq, bytes = 0;
		while (seq < w->seq) {
			uint64_t before = seq;
			if (!plog__take_batch(pool, rt->k, &c, &p, &seq, &bytes,
					      1) ||
			    seq > w->seq) {
				e = pc__fail(PC_E_CORRUPT,
					     "plog_check: record %llu is "
					     "missing or damaged",
					     (unsigned long long)before);
				goto out;
			}
		}
		if (bytes != w->bytes) {
			e = pc__fail(PC_E_CORRUPT,
				     "plog_check: %llu payload bytes, the log "
				     "says %llu",
				     (unsigned long long)bytes,
				     (unsigned long long)w->bytes);
			goto out;
		}
		/* The tail is right after the last record. */
		if (w->seq > w->first_seq &&
		    !(pc_pool_off(pool, c) == w->chunk &&
		      (p == w->pos || plog__batch_pos(p) == w->pos))) {
			e = pc__fail(PC_E_CORRUPT,
				     "plog_check: tail position does not "
				     "follow the last record");
			goto out;
		}
		struct plog__chunk *tc = plog__chunk_at(pool, w->chunk);
		uint64_t tp = w->pos;
		if (plog__locate(pool, rt->k, &tc, &tp, w->seq, 0)) {
			e = pc__fail(PC_E_CORRUPT,
				     "plog_check: a valid record %llu lies "
				     "past the tail",
				     (unsigned long long)w->seq);
			goto out;
		}
	}
out:
	if (locked)
		(void)pmemobj_mutex_unlock(pool->pop, &log->h->mtx);
	return e;
}

/** @endcond */

#endif /* PCOLL_DETAIL_LOG_CHECK_H */
