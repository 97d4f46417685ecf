/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PLOG engine): the readers: the read lock (shared by walks and
 * iterations, taken exclusively by rewind) with the per-thread record of
 * held locks that lets a rewind from a walk callback fail instead of
 * deadlocking, plog_walk() and the record iterator with its resumable
 * position (plog_iter_tell/_seek). No fences: readers
 * see the records published when they start. Relies on log_format.h,
 * log_chain.h (plog__locate) and log_tail.h (the published end), and on
 * the handle types of <pcoll/log.h>, which includes it.
 */
#ifndef PCOLL_DETAIL_LOG_WALK_H
#define PCOLL_DETAIL_LOG_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpmemobj.h>

#include "../err.h"
#include "../pool.h"
#include "log_chain.h"
#include "log_format.h"
#include "log_tail.h"

#ifndef PCOLL_LOG_H
#error "internal PLOG header: include <pcoll/log.h>"
#endif

/** @cond PCOLL_INTERNAL */

/* Threads' held read locks (walk/iterate), so that a rewind from inside
 * a walk callback fails instead of deadlocking. */
#define PLOG__HELD_MAX 8
/* Declared, then defined weak: one object across the program's
 * translation units (-Wmissing-variable-declarations). */
extern _Thread_local const void *plog__held[PLOG__HELD_MAX];
extern _Thread_local unsigned plog__nheld;
PC__WEAK _Thread_local const void *plog__held[PLOG__HELD_MAX];
PC__WEAK _Thread_local unsigned plog__nheld;

static inline int plog__holds(const void *h)
{
	for (unsigned i = 0; i < plog__nheld && i < PLOG__HELD_MAX; i++)
		if (plog__held[i] == h)
			return 1;
	return 0;
}

static inline void plog__hold(const void *h)
{
	if (plog__nheld < PLOG__HELD_MAX)
		plog__held[plog__nheld] = h;
	plog__nheld++;
}

static inline void plog__release(const void *h)
{
	unsigned n =
		plog__nheld < PLOG__HELD_MAX ? plog__nheld : PLOG__HELD_MAX;
	for (unsigned i = n; i-- > 0;)
		if (plog__held[i] == h) {
			plog__held[i] = plog__held[n - 1];
			break;
		}
	if (plog__nheld)
		plog__nheld--;
}

/* Takes the read lock (shared with other readers, excludes rewind). */
static inline pc_err plog__rdlock(const plog *log, const char *fn)
{
	int r = pmemobj_rwlock_rdlock(log->pool->pop, &log->h->rw);
	if (r != 0)
		return pc__fail(PC_E_BUSY, "%s: cannot lock the log: %s", fn,
				strerror(r));
	plog__hold(log->h);
	return PC_OK;
}

static inline void plog__rdunlock(const plog *log)
{
	plog__release(log->h);
	(void)pmemobj_rwlock_unlock(log->pool->pop, &log->h->rw);
}

/* Room for at least need bytes (need <= chunk) in the walk's chunk
 * buffer, which grows with what it must hold, so a chunk size larger
 * than the log costs no more than the log. */
static inline int plog__walk_room(unsigned char **buf, size_t *cap, size_t need,
				  size_t chunk)
{
	if (need <= *cap)
		return 1;
	size_t ncap = *cap ? *cap : 4096;
	while (ncap < need)
		ncap = ncap > chunk / 2 ? chunk : ncap * 2;
	if (ncap > chunk)
		ncap = chunk;
	unsigned char *nb = (unsigned char *)realloc(*buf, ncap);
	if (!nb)
		return 0;
	*buf = nb;
	*cap = ncap;
	return 1;
}

/* plog_walk() after its argument check: 0 when every record was passed,
 * fn's nonzero value when it stopped the walk, else the error. */
static inline int plog__walk(const plog *log, size_t chunk, plog_walk_fn fn,
			     void *arg)
{
	pc_err le = plog__rdlock(log, "plog_walk");
	if (le != PC_OK)
		return (int)le;
	plog__sync_pub(log);
	const pc_pool *pool = log->pool;
	const struct plog__rt *rt = log->rt;
	uint64_t end = __atomic_load_n(&rt->pub_seq, __ATOMIC_ACQUIRE);
	uint64_t seq = rt->w.first_seq;
	struct plog__chunk *c = plog__chunk_at(pool, log->h->first);
	uint64_t p = 0;
	unsigned char *buf = NULL;
	size_t fill = 0, bcap = 0;
	pc_err e = PC_OK;
	int stop = 0;
	/* The current chunk's fields, kept in locals for the fast path. */
	unsigned char *data = plog__data(c);
	uint64_t cap = c->cap, salt = c->salt;
	for (; !stop && seq < end; seq++) {
		struct plog__rec *r = plog__rec_next(data, cap, &p, seq ^ salt);
		if (PC__UNLIKELY(!r)) {
			r = plog__locate(pool, rt->k, &c, &p, seq, 0);
			if (!r) {
				e = pc__fail(
					PC_E_CORRUPT,
					"plog_walk: %s: record %llu is missing",
					pool->path, (unsigned long long)seq);
				break;
			}
			data = plog__data(c);
			cap = c->cap;
			salt = c->salt;
		}
		const unsigned char *q = (const unsigned char *)(r + 1);
		size_t len = plog__rec_len(r);
		/* The next header's place depends on this one: fetch ahead. */
		__builtin_prefetch(q + 4096);
		p += plog__stride(len);
		if (chunk == 0) {
			stop = fn(q, len, arg);
			continue;
		}
		size_t o = 0;
		while (!stop && o < len) {
			if (fill == 0 && len - o >= chunk) {
				stop = fn(q + o, chunk, arg);
				o += chunk;
				continue;
			}
			size_t take = chunk - fill;
			if (take > len - o)
				take = len - o;
			/* !buf: never after a success (clang-tidy's analyzer
			 * cannot see that) */
			if (!plog__walk_room(&buf, &bcap, fill + take, chunk) ||
			    !buf) {
				e = pc__fail(PC_E_NOMEM,
					     "plog_walk: no memory for a "
					     "%zu-byte chunk",
					     fill + take);
				break;
			}
			memcpy(buf + fill, q + o, take);
			fill += take;
			o += take;
			if (fill == chunk) {
				stop = fn(buf, chunk, arg);
				fill = 0;
			}
		}
		if (e != PC_OK)
			break;
	}
	if (e == PC_OK && !stop && fill)
		stop = fn(buf, fill, arg);
	free(buf);
	plog__rdunlock(log);
	return e != PC_OK ? (int)e : stop;
}

/* plog_iter_begin() after its argument check. */
static inline pc_err plog__iter_begin(const plog *log, plog_iter *it)
{
	memset(it, 0, sizeof(*it));
	PC_TRY(plog__rdlock(log, "plog_iter_begin"));
	plog__sync_pub(log);
	it->log = log;
	it->c = plog__chunk_at(log->pool, log->h->first);
	it->pos = 0;
	it->seq = log->rt->w.first_seq;
	it->end = __atomic_load_n(&log->rt->pub_seq, __ATOMIC_ACQUIRE);
	it->err = PC_OK;
	it->active = 1;
	return PC_OK;
}

/* plog_iter_next() once it knows a record is due. */
static inline bool plog__iter_next(plog_iter *it, const void **data,
				   size_t *len)
{
	struct plog__rec *r = plog__locate(it->log->pool, it->log->rt->k,
					   &it->c, &it->pos, it->seq, 0);
	if (!r) {
		it->err = pc__fail(PC_E_CORRUPT,
				   "plog_iter_next: record %llu is missing",
				   (unsigned long long)it->seq);
		it->end = it->seq;
		return false;
	}
	*data = r + 1;
	*len = plog__rec_len(r);
	it->pos += plog__stride(*len);
	it->seq++;
	return true;
}

/* plog_iter_tell() after its argument check. */
static inline void plog__iter_tell(const plog_iter *it, plog_pos *pos)
{
	pos->seq = it->seq;
	pos->chunk = pc_pool_off(it->log->pool, it->c);
	pos->off = it->pos;
	pos->key = it->log->h->key;
}

/* plog_iter_seek() after its argument check: the position must belong to
 * this log, lie within what the iteration covers and name a chunk of the
 * chain; the record it names must be found from there. */
static inline pc_err plog__iter_seek(plog_iter *it, const plog_pos *pos)
{
	const plog *log = it->log;
	const pc_pool *pool = log->pool;
	const struct plog__hdr *h = log->h;
	if (pos->key != h->key)
		return pc__fail(PC_E_INVAL,
				"plog_iter_seek: the position is of another "
				"log");
	uint64_t first =
		__atomic_load_n(&log->rt->w.first_seq, __ATOMIC_RELAXED);
	if (pos->seq < first)
		return pc__fail(PC_E_RANGE,
				"plog_iter_seek: record %llu was rewound "
				"away (the log starts at %llu)",
				(unsigned long long)pos->seq,
				(unsigned long long)first);
	if (pos->seq > it->end)
		return pc__fail(PC_E_RANGE,
				"plog_iter_seek: record %llu is past the %llu "
				"records this iteration covers",
				(unsigned long long)pos->seq,
				(unsigned long long)it->end);
	struct plog__chunk *c = NULL;
	uint64_t off = h->first;
	if (pos->seq == first) {
		/* The first live record is at the start of the first chunk;
		 * the position may be from before a rewind that made its
		 * record the first. */
		it->c = plog__chunk_at(pool, off);
		it->pos = 0;
		it->seq = first;
		it->err = PC_OK;
		return PC_OK;
	}
	for (uint64_t n = 0; off && n < (1u << 24); n++) {
		if (!plog__chunk_ok(pool, off))
			break;
		if (off == pos->chunk) {
			c = plog__chunk_at(pool, off);
			break;
		}
		off = plog__chunk_at(pool, off)->next;
	}
	if (!c || pos->off > c->cap)
		return pc__fail(PC_E_INVAL,
				"plog_iter_seek: the position does not name "
				"a place in the log");
	uint64_t p = pos->off;
	if (pos->seq < it->end) {
		struct plog__chunk *rc = c;
		if (!plog__locate(pool, log->rt->k, &rc, &p, pos->seq, 0))
			return pc__fail(PC_E_CORRUPT,
					"plog_iter_seek: record %llu is not "
					"where the position says",
					(unsigned long long)pos->seq);
		c = rc;
	}
	it->c = c;
	it->pos = p;
	it->seq = pos->seq;
	it->err = PC_OK;
	return PC_OK;
}

/** @endcond */

#endif /* PCOLL_DETAIL_LOG_WALK_H */
