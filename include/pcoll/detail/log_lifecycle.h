/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PLOG engine): a log's life: its type signature, creation (the
 * header and the first chunk), opening with the recovery scan, and free.
 * Relies on log_format.h, log_chain.h and log_tail.h, and on the handle
 * types, PLOG_LAYOUT_VERSION and PLOG_MIN_CAPACITY of <pcoll/log.h>, which
 * includes it.
 *
 * Creation runs in pc_root_obtain()'s transaction (the first chunk's
 * header is persisted in it, as in log_chain.h; the rest at commit).
 * Recovery (plog__ctor, run by pmemobj_volatile() once per pool open)
 * starts at the newest valid tail slot, takes every whole batch whose
 * records all check, and scrubs what follows: each record a crash left
 * past the tail gets its tag cleared, one persist (fence) each.
 */
#ifndef PCOLL_DETAIL_LOG_LIFECYCLE_H
#define PCOLL_DETAIL_LOG_LIFECYCLE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libpmemobj.h>

#include "../err.h"
#include "../pool.h"
#include "log_chain.h"
#include "log_format.h"
#include "log_tail.h"
#include "txcore.h"

#ifndef PCOLL_LOG_H
#error "internal PLOG header: include <pcoll/log.h>"
#endif

/** @cond PCOLL_INTERNAL */

/* PLOG_MAX_CAPACITY leaves 128 bytes for a chunk's header and alignment. */
_Static_assert(sizeof(struct plog__chunk) + PLOG__CHUNK_ALIGN <= 128,
	       "PLOG_MAX_CAPACITY must leave room for the chunk header");

static inline pc_typesig plog__sig(void)
{
	return pc__sig_make("plog", PC_KIND_LOG, PLOG_LAYOUT_VERSION, 1, 1, 0,
			    0);
}

struct plog__init_arg {
	uint64_t cap;
};

/* pc_root_obtain() init: runs in the creating transaction. */
static inline pc_err plog__init(pc_pool *pool, void *obj, void *arg)
{
	const struct plog__init_arg *a = (const struct plog__init_arg *)arg;
	struct plog__hdr *h = (struct plog__hdr *)obj;
	h->oh.magic = PC__OBJ_MAGIC;
	h->oh.sig = plog__sig();
	h->key = plog__random();
	uint64_t off = 0;
	pc_err e = plog__chunk_new(pool, a->cap, 0, &off);
	if (e != PC_OK)
		return e;
	h->first = off;
	uint64_t k[4];
	plog__keys(h->key, k);
	struct plog__rtw w;
	memset(&w, 0, sizeof(w));
	w.seq = 1;
	w.first_seq = 1;
	w.chunk = off;
	plog__slot_fill(k, &h->slot[0], 1, &w);
	return PC_OK;
}

struct plog__ctx {
	pc_pool *pool;
	struct plog__hdr *h;
	pc_err err;
};

/*
 * Validates the batch starting with sequence seq at (*c, *pos): every one
 * of its records must be present with a good checksum. On success moves
 * (*c, *pos) past it, adds its records and bytes, and returns 1.
 */
static inline int plog__take_batch(const pc_pool *pool, const uint64_t k[4],
				   struct plog__chunk **c, uint64_t *pos,
				   uint64_t *seq, uint64_t *bytes, int verify)
{
	struct plog__chunk *ch = *c;
	uint64_t p = *pos, s = *seq, b = 0;
	struct plog__rec *r = plog__locate(pool, k, &ch, &p, s, verify);
	if (!r || r->batch == 0)
		return 0;
	uint32_t n = r->batch;
	for (uint32_t i = 0; i < n; i++) {
		if (i > 0) {
			r = plog__locate(pool, k, &ch, &p, s, verify);
			if (!r || r->batch != 0)
				return 0;
		}
		b += plog__rec_len(r);
		p += plog__stride(plog__rec_len(r));
		s++;
	}
	*c = ch;
	*pos = p;
	*seq = s;
	*bytes += b;
	return 1;
}

/* The recovery scan: pmemobj_volatile() runs it once per pool open. */
static inline int plog__ctor(void *ptr, void *arg)
{
	struct plog__rt *rt = (struct plog__rt *)ptr;
	struct plog__ctx *cx = (struct plog__ctx *)arg;
	const pc_pool *pool = cx->pool;
	const struct plog__hdr *h = cx->h;
	memset(rt, 0, sizeof(*rt));
	plog__keys(h->key, rt->k);
	/* The chain: magic, indexes, capacity. */
	uint64_t off = h->first, nbyte = 0, n = 0, last = 0;
	while (off) {
		if (!plog__chunk_ok(pool, off)) {
			cx->err = pc__fail(PC_E_CORRUPT,
					   "plog: chunk %llu at offset %llu is "
					   "damaged",
					   (unsigned long long)n,
					   (unsigned long long)off);
			return -1;
		}
		const struct plog__chunk *c = plog__chunk_at(pool, off);
		if (c->index != n) {
			cx->err = pc__fail(PC_E_CORRUPT,
					   "plog: chunk chain broken at chunk "
					   "%llu",
					   (unsigned long long)n);
			return -1;
		}
		nbyte += c->cap;
		last = off;
		off = c->next;
		n++;
	}
	if (n == 0) {
		cx->err = pc__fail(PC_E_CORRUPT, "plog: the log has no chunk");
		return -1;
	}
	int si = plog__slot_pick(pool, h, rt->k);
	if (si < 0) {
		cx->err = pc__fail(PC_E_CORRUPT,
				   "plog: both tail slots are damaged");
		return -1;
	}
	const struct plog__slot *s = &h->slot[si];
	struct plog__chunk *ch = plog__chunk_at(pool, s->chunk);
	uint64_t pos = s->pos, seq = s->seq, bytes = s->bytes;
	/* Forward from the durable tail to the first invalid record. */
	while (plog__take_batch(pool, rt->k, &ch, &pos, &seq, &bytes, 1))
		;
	/* Scrub what a crash left past the tail (a torn record, the rest of
	 * a torn batch): readers match records by tag only, so no record
	 * with a future sequence number may stay there. */
	{
		struct plog__chunk *sc = ch;
		uint64_t sp = pos;
		for (uint64_t sq = seq;; sq++) {
			struct plog__rec *r =
				plog__locate(pool, rt->k, &sc, &sp, sq, 0);
			if (!r)
				break;
			uint64_t len = plog__rec_len(r);
			r->tag = 0;
			pc_pool_persist(pool, &r->tag, sizeof(r->tag));
			sp += plog__stride(len);
		}
	}
	struct plog__rtw *w = &rt->w;
	w->seq = seq;
	w->first_seq = s->first_seq;
	w->chunk = pc_pool_off(pool, ch);
	/* Aligned whatever the mode: valid for both, at most 56 bytes. */
	w->pos = plog__batch_pos(pos);
	w->bytes = bytes;
	w->nbyte = nbyte;
	w->last = last;
	w->nchunks = n;
	w->gen = s->gen;
	w->cur_slot = (uint32_t)si;
	w->since_slot = 0;
	w->slot_unfenced = 1; /* fence before the next slot write */
	rt->pub_seq = seq;
	rt->pub_bytes = bytes;
	return 0;
}

/* The error for a root that holds a PLOG of another layout version. */
static inline pc_err plog__old_layout(const pc_pool *pool, const char *name)
{
	const struct pc__dirent *d = pc__dir_find(pool, name);
	unsigned v = d ? d->sig.version : 0;
	return pc__fail(PC_E_VERSION,
			"plog_root: %s: log \"%s\" has layout version %u, "
			"this build reads version %d%s",
			pool->path, name, v, PLOG_LAYOUT_VERSION,
			v < PLOG_LAYOUT_VERSION
				? " (copy its records into a new log: `pcoll "
				  "dump` with the build that wrote it, `pcoll "
				  "restore` with this one)"
				: " (written by a newer pcoll)");
}

/* plog_root() after its argument check: finds or creates the header,
 * runs the recovery scan once per pool open, binds out. */
static inline pc_err plog__open(pc_pool *pool, const char *name,
				pc_open_mode mode, size_t initial_capacity,
				plog *out)
{
	pc_typesig sig = plog__sig();
	struct plog__init_arg a;
	/* The first chunk is one allocation: its header, alignment slack
	 * and the capacity rounded up to 64 (checked before rounding). */
	if (initial_capacity > PLOG_MAX_CAPACITY)
		return pc__fail(PC_E_TOOBIG,
				"plog_root: initial capacity %zu is over the "
				"limit of %llu bytes (one libpmemobj "
				"allocation)",
				initial_capacity,
				(unsigned long long)PLOG_MAX_CAPACITY);
	a.cap = initial_capacity < PLOG_MIN_CAPACITY ? PLOG_MIN_CAPACITY
						     : initial_capacity;
	a.cap = (a.cap + 63) & ~(uint64_t)63;
	uint64_t off = 0;
	pc_err e = pc_root_obtain(pool, name, &sig, sizeof(struct plog__hdr),
				  mode, plog__init, &a, &off, NULL);
	if (e == PC_E_VERSION)
		return plog__old_layout(pool, name);
	if (e != PC_OK)
		return pc__pool_full_ctx(pool, e, "plog_root");
	PC_TRY(pc__objhdr_check(pool, off, sizeof(struct plog__hdr), &sig,
				"plog_root"));
	struct plog__hdr *h = (struct plog__hdr *)pc_pool_ptr(pool, off);
	struct plog__ctx cx = {pool, h, PC_OK};
	struct plog__rt *rt = (struct plog__rt *)pmemobj_volatile(
		pool->pop, &h->rt.vlt, &h->rt.value, sizeof(h->rt.value),
		plog__ctor, &cx);
	if (!rt)
		return cx.err != PC_OK
			       ? cx.err
			       : pc__fail(PC_E_CORRUPT,
					  "plog_root: %s: log \"%s\" cannot "
					  "be recovered",
					  pool->path, name);
	out->pool = pool;
	out->h = h;
	out->rt = rt;
	return PC_OK;
}

/* The whole log in one transaction (own or joined): root name, chunks,
 * header. */
static inline pc_err plog__free_tx(plog *log)
{
	pc_pool *pool = log->pool;
	uint64_t hoff = pc_pool_off(pool, log->h);
	pc__txj j;
	PC_TRY(pc__tx_enter(pool->pop, &j));
	pc_err e = pc_root_unbind_off(pool, hoff);
	uint64_t off = log->h->first;
	while (e == PC_OK && off) {
		if (!plog__chunk_ok(pool, off)) {
			e = pc__fail(PC_E_CORRUPT,
				     "plog_free: %s: damaged chunk at offset "
				     "%llu",
				     pool->path, (unsigned long long)off);
			break;
		}
		uint64_t next = plog__chunk_at(pool, off)->next;
		e = pc__tx_free(pool->uuid_lo, off);
		off = next;
	}
	if (e == PC_OK)
		e = pc__tx_free(pool->uuid_lo, hoff);
	return pc__tx_leave(&j, e);
}

/* Chunks one step frees at most (see PC__M_STEP_FREES in map_lifecycle.h:
 * a transaction's frees must fit the redo log of its lane in a full
 * pool). */
#define PLOG__STEP_FREES 24

/*
 * plog_free() in a pool too full for plog__free_tx() (outside a
 * transaction): the log is rewound (one fence: every record is gone, the
 * tail is at the start of the first chunk), then the chunks after the
 * first are cut off the end of the chain in steps, each a transaction
 * that sets the new last chunk's next to 0 and frees up to
 * PLOG__STEP_FREES chunks; a crash between steps leaves the log empty
 * with a shorter chain. Then the rest goes in one small transaction.
 */
static inline pc_err plog__free_steps(plog *log)
{
	pc_pool *pool = log->pool;
	PC_TRY(plog__rewind(log));
	uint64_t n = 0;
	for (uint64_t off = log->h->first; off && plog__chunk_ok(pool, off);
	     off = plog__chunk_at(pool, off)->next)
		n++;
	uint64_t *chunk = (uint64_t *)malloc((size_t)(n ? n : 1) * 8);
	if (!chunk)
		return pc__fail(PC_E_NOMEM,
				"plog_free: %s: no memory to list %llu chunks",
				pool->path, (unsigned long long)n);
	uint64_t k = 0;
	for (uint64_t off = log->h->first; k < n;
	     off = plog__chunk_at(pool, off)->next)
		chunk[k++] = off;
	pc_err e = PC_OK;
	while (e == PC_OK && n > 1) {
		uint64_t cut =
			n - 1 < PLOG__STEP_FREES ? n - 1 : PLOG__STEP_FREES;
		struct plog__chunk *last =
			plog__chunk_at(pool, chunk[n - cut - 1]);
		uint64_t bytes = 0;
		for (uint64_t i = n - cut; i < n; i++)
			bytes += plog__chunk_at(pool, chunk[i])->cap;
		pc__txj j;
		e = pc__tx_enter(pool->pop, &j);
		if (e != PC_OK)
			break;
		e = pc__tx_snap(&last->next, sizeof(last->next));
		if (e == PC_OK)
			last->next = 0;
		for (uint64_t i = n - cut; e == PC_OK && i < n; i++)
			e = pc__tx_free(pool->uuid_lo, chunk[i]);
		e = pc__tx_leave(&j, e);
		if (e != PC_OK)
			break;
		struct plog__rtw *w = &log->rt->w;
		w->nbyte -= bytes;
		w->last = chunk[n - cut - 1];
		w->nchunks -= cut;
		n -= cut;
	}
	free(chunk);
	return e != PC_OK ? e : plog__free_tx(log);
}

/* plog_free() after its argument check. */
static inline pc_err plog__free(plog *log)
{
	pc_err e = plog__free_tx(log);
	if (e == PC_E_FULL && pc__tx_state() == PC__TX_NONE)
		e = plog__free_steps(log);
	if (e == PC_OK) {
		log->h = NULL;
		log->rt = NULL;
	}
	return pc__pool_full_ctx(log->pool, e, "plog_free");
}

/** @endcond */

#endif /* PCOLL_DETAIL_LOG_LIFECYCLE_H */
