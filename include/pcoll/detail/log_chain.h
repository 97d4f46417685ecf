/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PLOG engine): the chain of chunks: allocating a chunk,
 * finding a record across chunks (plog__locate), planning where a batch
 * goes, and growth. Relies on log_format.h and on the handle types and
 * PLOG_LAYOUT_VERSION of <pcoll/log.h>, which includes it.
 *
 * Chaining a chunk (plog__grow) is one libpmemobj transaction, the
 * caller's or an own one, which also snapshots the volatile writer state
 * so an abort restores it:
 *   fence 1: the new chunk's header (magic, capacity, index, salt),
 *            persisted inside the transaction; its data is not zeroed
 *            (the salt in every record checksum invalidates old bytes);
 *   then the previous last chunk's next is snapshotted and set, and the
 *   commit's fences make the link durable. A crash before the commit
 *   frees the chunk and restores the link.
 */
#ifndef PCOLL_DETAIL_LOG_CHAIN_H
#define PCOLL_DETAIL_LOG_CHAIN_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <libpmemobj.h>

#include "../err.h"
#include "../pool.h"
#include "log_form.h"
#include "log_format.h"
#include "txcore.h"

#ifndef PCOLL_LOG_H
#error "internal PLOG header: include <pcoll/log.h>"
#endif

/** @cond PCOLL_INTERNAL */

static inline uint64_t plog__chunk_typenum(void)
{
	pc_typesig s = pc__sig_make("plog_chunk", PC_KIND_LOG,
				    PLOG_LAYOUT_VERSION, 1, 1, 0, 0);
	return pc__sig_typenum(&s);
}

/* Allocates a chunk of cap data bytes (not zeroed) in the running transaction
 * without aborting it on failure (errno ENOMEM gives PC_E_FULL). */
static inline pc_err plog__chunk_new(pc_pool *pool, uint64_t cap,
				     uint64_t index, uint64_t *off)
{
	size_t size = sizeof(struct plog__chunk) + PLOG__CHUNK_ALIGN + cap;
	/* NO_FLUSH: libpmemobj would otherwise flush the whole chunk at
	 * commit; only its header needs to be durable (persisted below). */
	PMEMoid oid =
		pmemobj_tx_xalloc(size, plog__chunk_typenum(),
				  POBJ_XALLOC_NO_ABORT | POBJ_XALLOC_NO_FLUSH);
	int err = errno;
	if (OID_IS_NULL(oid) && err == ENOMEM)
		return pc__fail(PC_E_FULL,
				"plog: no room for a chunk of %llu "
				"bytes",
				(unsigned long long)cap);
	if (OID_IS_NULL(oid))
		return pc__fail(PC_E_TOOBIG,
				"plog: cannot allocate a chunk of %llu bytes: "
				"%s",
				(unsigned long long)cap, pc__pmdk_errormsg());
	struct plog__chunk *c = plog__chunk_at(pool, oid.off);
	uint64_t data = oid.off + sizeof(*c);
	data = (data + PLOG__CHUNK_ALIGN - 1) &
	       ~(uint64_t)(PLOG__CHUNK_ALIGN - 1);
	c->magic = PLOG__CHUNK_MAGIC;
	c->next = 0;
	c->cap = cap;
	c->dataoff = data - oid.off;
	c->index = index;
	/* Chunks are not zeroed: the random salt, part of every record's
	 * checksum, makes whatever the memory held before invalid. */
	c->salt = plog__random();
	pc_pool_persist(pool, c, sizeof(*c));
	*off = oid.off;
	return PC_OK;
}

/*
 * Finds the record with sequence number seq: at (*c, *pos) (the next
 * record of a batch), at the next 64-byte boundary (the first record of
 * the next batch), or else at the start of a later chunk (an appender
 * moves on when a batch does not fit in the rest of a chunk). With
 * verify, the checksum must match too, in the record's form
 * (plog__rec_ok). On success updates *c and *pos to
 * the record's place and returns it. Sequence numbers are never reused,
 * so a stale record cannot match.
 */
static inline struct plog__rec *
plog__locate(const pc_pool *pool, const uint64_t k[4], struct plog__chunk **c,
	     uint64_t *pos, uint64_t seq, int verify)
{
	struct plog__chunk *ch = *c;
	uint64_t p = *pos;
	for (;;) {
		uint64_t at = p;
		struct plog__rec *r = plog__rec_next(plog__data(ch), ch->cap,
						     &at, seq ^ ch->salt);
		if (r && (!verify || plog__rec_ok(k, ch->salt, r, seq))) {
			*c = ch;
			*pos = at;
			return r;
		}
		if (!ch->next || !plog__chunk_ok(pool, ch->next))
			return NULL;
		ch = plog__chunk_at(pool, ch->next);
		p = 0;
	}
}

static inline int plog__fits(const struct plog__chunk *c, uint64_t p,
			     uint64_t s)
{
	return p <= c->cap && c->cap - p >= s;
}

/* Simulates placing the records; returns the bytes the ones that do not
 * fit in the chain need (0: all fit). */
static inline uint64_t plog__plan(const plog *log, const plog_iovec *iov,
				  size_t n)
{
	const pc_pool *pool = log->pool;
	struct plog__chunk *c = plog__chunk_at(pool, log->rt->w.chunk);
	uint64_t p = log->rt->w.pos;
	for (size_t i = 0; i < n; i++) {
		uint64_t s = plog__stride(iov[i].len);
		while (!plog__fits(c, p, s)) {
			if (!c->next) {
				uint64_t need = 0;
				for (size_t j = i; j < n; j++)
					need += plog__stride(iov[j].len);
				return need;
			}
			c = plog__chunk_at(pool, c->next);
			p = 0;
		}
		p += s;
	}
	return 0;
}

/* Chains a new chunk of at least need bytes, in the running transaction
 * (joined or own); the writer state is snapshotted by the caller. */
static inline pc_err plog__grow(const plog *log, uint64_t need, int in_tx)
{
	pc_pool *pool = log->pool;
	struct plog__rtw *w = &log->rt->w;
	pc__txj j;
	PC_TRY(pc__tx_enter(pool->pop, &j));
	pc_err e = pc__tx_snap(w, sizeof(*w));
	uint64_t want = w->nbyte;
	if (want < PLOG__GROW_MIN)
		want = PLOG__GROW_MIN;
	if (want > PLOG__GROW_MAX)
		want = PLOG__GROW_MAX;
	if (want < need)
		want = need;
	want = (want + 4095) & ~(uint64_t)4095;
	uint64_t off = 0;
	if (e == PC_OK) {
		e = plog__chunk_new(pool, want, w->nchunks, &off);
		/* Short of room: halve down to what this append needs. */
		uint64_t min = (need + 63) & ~(uint64_t)63;
		while (e == PC_E_FULL && want > min) {
			want = want / 2 > min ? (want / 2 + 63) & ~(uint64_t)63
					      : min;
			e = plog__chunk_new(pool, want, w->nchunks, &off);
		}
	}
	if (e == PC_OK) {
		struct plog__chunk *last = plog__chunk_at(pool, w->last);
		e = pc__tx_snap(&last->next, sizeof(last->next));
		if (e == PC_OK) {
			last->next = off;
			w->nbyte += plog__chunk_at(pool, off)->cap;
			w->last = off;
			w->nchunks++;
		}
	}
	if (e != PC_OK && in_tx)
		(void)pc__tx_abort_with(e); /* resource errors abort */
	return pc__tx_leave(&j, e);
}

/** @endcond */

#endif /* PCOLL_DETAIL_LOG_CHAIN_H */
