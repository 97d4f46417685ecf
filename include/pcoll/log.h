/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file log.h
 * @brief PLOG: a persistent append-only log of byte records, the
 * replacement for PMDK's removed libpmemlog.
 *
 * @code
 * plog log;
 * PC_TRY(plog_root(pool, "events", PC_OPEN_OR_CREATE, 1 << 20, &log));
 * PC_TRY(plog_append(&log, "hello", 5));     // durable on return, 1 fence
 * PC_TRY(plog_walk(&log, 0, print_record, NULL)); // one call per record
 * @endcode
 *
 * A record is a byte string of 0 to #PLOG_REC_MAX bytes; records keep their
 * boundaries. Each is written once with its length, a sequence number and
 * a keyed 64-bit checksum and made durable with one fence; the durable
 * tail is advanced lazily, and opening the pool validates the records
 * after it, so a torn record is never returned and an append that returned
 * is never lost. The log grows by chaining chunks until the pool is full.
 *
 * Threads: any number of threads may append at once (a mutex in the log
 * serializes the short write-and-fence step) while others walk or
 * iterate; a walk sees the records published when it started. Handles
 * are cheap views: every handle of one log in one process shares the
 * same state. plog_rewind() waits for walks to finish; plog_free() needs
 * the log to be idle. See docs/log.md for the format and the argument.
 *
 * Transactions: appends inside TX() join the transaction (the records
 * vanish if it aborts) and keep other appenders out until it ends; they
 * become visible to readers when it commits.
 */
#ifndef PCOLL_LOG_H
#define PCOLL_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpmemobj.h>

#include "detail/log_engine.h"
#include "detail/txcore.h"
#include "err.h"
#include "pool.h"

/** @brief Layout version of PLOG's persistent format. */
#define PLOG_LAYOUT_VERSION 2

/** @brief Largest record, in bytes. */
#define PLOG_REC_MAX ((size_t)0x7fffffffu)

/** @brief Bytes a record takes beyond its payload (header; payload is
 * padded to 8 bytes; each append or batch also starts a 64-byte line). */
#define PLOG_REC_OVERHEAD PLOG__REC_HDR

/** @brief Smallest first chunk plog_root() creates (bytes). */
#define PLOG_MIN_CAPACITY 4096u

/**
 * @brief A handle to a log in a pool; obtain with plog_root().
 *
 * A plain value: copy it freely. It stays valid until the pool is closed
 * or the log freed. The fields are private.
 */
typedef struct plog {
	pc_pool *pool;       /**< @private */
	struct plog__hdr *h; /**< @private */
	struct plog__rt *rt; /**< @private shared volatile state */
} plog;

/** @brief One record for plog_appendv(): @p len bytes at @p base. */
typedef struct plog_iovec {
	const void *base; /**< Payload (may be NULL when len is 0). */
	size_t len;       /**< Payload bytes, at most #PLOG_REC_MAX. */
} plog_iovec;

/**
 * @brief Callback of plog_walk(): one record (chunk size 0) or one chunk
 * of the concatenated payloads. Return nonzero to go on, 0 to stop (as
 * libpmemlog's process_chunk).
 */
typedef int (*plog_walk_fn)(const void *buf, size_t len, void *arg);

/** @brief Record iterator; see plog_iter_begin(). Fields are private. */
typedef struct plog_iter {
	const plog *log;       /**< @private */
	struct plog__chunk *c; /**< @private */
	uint64_t pos;          /**< @private */
	uint64_t seq;          /**< @private */
	uint64_t end;          /**< @private */
	pc_err err;            /**< @private */
	int active;            /**< @private */
} plog_iter;

/** @cond PCOLL_INTERNAL */
static inline pc_typesig plog__sig(void)
{
	return pc__sig_make("plog", PC_KIND_LOG, PLOG_LAYOUT_VERSION, 1, 1, 0,
			    0);
}

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
	if (OID_IS_NULL(oid))
		return pc__fail(err == ENOMEM ? PC_E_FULL : PC_E_TOOBIG,
				"plog: cannot allocate a chunk of %llu bytes: "
				"%s",
				(unsigned long long)cap, pmemobj_errormsg());
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

struct plog__init_arg {
	uint64_t cap;
};

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
		b += r->len;
		p += plog__stride(r->len);
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
			uint64_t len = r->len;
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

/* Stores one 64-byte line non-temporally (dst 64-byte aligned). */
static inline void plog__nt_line(unsigned char *dst, const unsigned char *src)
{
#ifdef PC__X86
	for (size_t i = 0; i < 64; i += 16)
		_mm_stream_si128(
			(__m128i *)(void *)(dst + i),
			_mm_loadu_si128(
				(const __m128i *)(const void *)(src + i)));
	PC__COUNT(flushes, 1);
#else
	pmem_memcpy(dst, src, 64, PMEM_F_MEM_NODRAIN | PMEM_F_MEM_NONTEMPORAL);
#endif
}

/*
 * A large record on pmem (PLOG__NT_MIN bytes and more), written with
 * non-temporal stores only, so no line is read for ownership:
 * - the lines wholly inside the payload, in 256-byte pieces with the hash
 *   computed in between (hashing overlaps the stores draining);
 * - the first line (header and the start of the payload) once the
 *   checksum is known, composed in a buffer, when the record starts a
 *   line (the first record of an append or batch); otherwise cached and
 *   flushed;
 * - the last partial line padded with zeros when the record ends its
 *   batch (the rest of that line is padding); otherwise cached and
 *   flushed.
 * No fence.
 */
static inline void plog__put_large(const plog *log, uint64_t salt,
				   unsigned char *dst, const unsigned char *src,
				   uint32_t len, uint64_t seq, uint32_t batch,
				   int last)
{
	const uint64_t *k = log->rt->k;
	const pc_pool *pool = log->pool;
	unsigned char *pay = dst + PLOG__REC_HDR;
	size_t head = (64 - ((uintptr_t)pay & 63)) & 63;
	size_t body = (len - head) & ~(size_t)63;
	size_t tail = len - head - body;
	struct plog__hst hs;
	plog__hash_init(k, &hs);
	size_t hashed = 0;
	for (size_t o = 0; o < body; o += 256) {
		size_t piece = body - o < 256 ? body - o : 256;
		size_t upto = (head + o + piece) & ~(size_t)31;
		plog__hash_blocks(k, &hs, src + hashed, upto - hashed);
		hashed = upto;
		for (size_t l = 0; l < piece; l += 64)
			plog__nt_line(pay + head + o + l, src + head + o + l);
	}
	size_t full = len & ~(size_t)31; /* hash_final takes < 32 bytes */
	plog__hash_blocks(k, &hs, src + hashed, full - hashed);
	uint64_t ph = plog__hash_final(k, &hs, src + full, len - full);
	struct plog__rec hd = plog__rec_make(k, salt, ph, seq, len, batch);
	unsigned char line[64];
	if (((uintptr_t)dst & 63) == 0) {
		memcpy(line, &hd, sizeof(hd));
		memcpy(line + PLOG__REC_HDR, src, head);
		plog__nt_line(dst, line);
	} else {
		memcpy(dst, &hd, sizeof(hd));
		memcpy(pay, src, head);
		pc_pool_flush(pool, dst, PLOG__REC_HDR + head);
	}
	if (!tail)
		return;
	unsigned char *t = pay + head + body;
	if (last) {
		memset(line, 0, sizeof(line));
		memcpy(line, src + head + body, tail);
		plog__nt_line(t, line);
	} else {
		/* The next record of the batch continues this line: cached,
		 * flushed with it. */
		size_t pad = (size_t)(plog__stride(len) - PLOG__REC_HDR - len);
		memcpy(t, src + head + body, tail);
		memset(t + tail, 0, pad);
		pc_pool_flush(pool, t, tail + pad);
	}
}

/* Small records are assembled in a volatile staging buffer and copied to
 * the pool in one go, so each line is flushed once (storing into a line
 * right after flushing it stalls). From PLOG__NT_MIN bytes on, the copy
 * uses non-temporal stores (no read for ownership of lines that are not
 * cached); below, plain stores and a flush are faster (measured on the
 * test machine: 135 ns against 186 ns for 256 bytes, 350 ns against
 * 240 ns for 768). */
#define PLOG__STAGE  4096
#define PLOG__NT_MIN 768

struct plog__dirty {
	unsigned char *lo; /* pool address of stage[0]; NULL when empty */
	size_t n;          /* staged bytes */
	unsigned char stage[PLOG__STAGE];
};

static inline void plog__dirty_flush(const pc_pool *pool, struct plog__dirty *d)
{
	if (d->n >= PLOG__NT_MIN) {
		pc_pool_memcpy_nodrain(pool, d->lo, d->stage, d->n);
	} else if (d->n) {
		memcpy(d->lo, d->stage, d->n);
		pc_pool_flush(pool, d->lo, d->n);
	}
	d->lo = NULL;
	d->n = 0;
}

/* Writes one record (header, payload, padding) at dst, through the
 * staging buffer or, for large payloads on pmem, non-temporally with the
 * hash computed on the way. No fence. */
static inline void plog__put(const plog *log, uint64_t salt, unsigned char *dst,
			     const void *src, uint32_t len, uint64_t seq,
			     uint32_t batch, const uint64_t *phash, int last,
			     struct plog__dirty *d)
{
	const pc_pool *pool = log->pool;
	const uint64_t *k = log->rt->k;
	if (pool->is_pmem && len >= PLOG__NT_MIN) {
		plog__dirty_flush(pool, d);
		plog__put_large(log, salt, dst, (const unsigned char *)src, len,
				seq, batch, last);
		return;
	}
	uint64_t s = plog__stride(len);
	uint64_t ph = phash ? *phash : plog__hash(k, src, len);
	struct plog__rec hd = plog__rec_make(k, salt, ph, seq, len, batch);
	if (!d->n && last && s <= PLOG__STAGE) {
		/* A lone small record (a single append): in place, one flush,
		 * no staging copy. The padding word is zeroed first, then the
		 * payload overwrites its valid part. */
		if (s - PLOG__REC_HDR > len) {
			uint64_t z = 0;
			memcpy(dst + s - sizeof(z), &z, sizeof(z));
		}
		memcpy(dst, &hd, sizeof(hd));
		if (len)
			memcpy(dst + PLOG__REC_HDR, src, len);
		pc_pool_flush(pool, dst, (size_t)s);
		return;
	}
	if (d->n && (d->lo + d->n != dst || d->n + s > PLOG__STAGE))
		plog__dirty_flush(pool, d);
	if (s > PLOG__STAGE) {
		/* a large record on the msync path: directly, one msync */
		memcpy(dst, &hd, sizeof(hd));
		if (len)
			memcpy(dst + PLOG__REC_HDR, src, len);
		pc_pool_flush(pool, dst, PLOG__REC_HDR + (size_t)len);
		return;
	}
	if (!d->n)
		d->lo = dst;
	unsigned char *q = d->stage + d->n;
	memcpy(q, &hd, sizeof(hd));
	if (len)
		memcpy(q + PLOG__REC_HDR, src, len);
	memset(q + PLOG__REC_HDR + len, 0, (size_t)(s - PLOG__REC_HDR - len));
	d->n += (size_t)s;
}

static inline pc_err plog__check_args(const plog *log, const plog_iovec *iov,
				      size_t n, const char *fn)
{
	if (!log || !log->h || !log->rt || (n && !iov))
		return pc__fail(PC_E_INVAL, "%s: NULL argument", fn);
	if (n > UINT32_MAX)
		return pc__fail(PC_E_TOOBIG,
				"%s: %zu records in one batch, the limit is "
				"%u",
				fn, n, UINT32_MAX);
	for (size_t i = 0; i < n; i++) {
		if (iov[i].len > PLOG_REC_MAX)
			return pc__fail(PC_E_TOOBIG,
					"%s: record %zu is %zu bytes, the "
					"limit is %zu",
					fn, i, iov[i].len, PLOG_REC_MAX);
		if (iov[i].len && !iov[i].base)
			return pc__fail(PC_E_INVAL,
					"%s: record %zu has a NULL buffer", fn,
					i);
	}
	return PC_OK;
}

/* Append n records as one all-or-nothing batch. */
static inline pc_err plog__appendv(plog *log, const plog_iovec *iov, size_t n,
				   const uint64_t *phash0, const char *fn)
{
	pc_pool *pool = log->pool;
	struct plog__hdr *h = log->h;
	struct plog__rt *rt = log->rt;
	struct plog__rtw *w = &rt->w;
	pc__txstate st = pc__tx_state();
	if (st == PC__TX_DEAD)
		return pc__fail(PC_E_ABORTED, "%s: transaction aborted", fn);
	int in_tx = st == PC__TX_WORK;
	if (in_tx) {
		int r = pmemobj_tx_xlock(TX_PARAM_MUTEX, &h->mtx,
					 POBJ_XLOCK_NO_ABORT);
		if (r != 0)
			return pc__fail(PC_E_INVAL, "%s: cannot lock: %s", fn,
					strerror(r));
		PC_TRY(pc__tx_snap(w, sizeof(*w)));
	} else {
		int r = pmemobj_mutex_lock(pool->pop, &h->mtx);
		if (r != 0)
			return pc__fail(PC_E_INVAL, "%s: cannot lock: %s", fn,
					strerror(r));
	}
	pc_err e = PC_OK;
	uint64_t need = plog__plan(log, iov, n);
	if (need)
		e = plog__grow(log, need, in_tx);
	if (e != PC_OK) {
		if (!in_tx)
			(void)pmemobj_mutex_unlock(pool->pop, &h->mtx);
		return e;
	}
	struct plog__chunk *c = plog__chunk_at(pool, w->chunk);
	struct plog__chunk *c0 = c;
	uint64_t p = w->pos, seq = w->seq, bytes = w->bytes;
	struct plog__dirty dirty;
	dirty.lo = NULL;
	dirty.n = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t len = (uint32_t)iov[i].len;
		uint64_t s = plog__stride(len);
		while (!plog__fits(c, p, s)) {
			c = plog__chunk_at(pool, c->next);
			p = 0;
		}
		unsigned char *dst = plog__data(c) + p;
		if (in_tx) {
			e = pc__tx_snap(dst, PLOG__REC_HDR);
			if (e != PC_OK)
				return e;
		}
		plog__put(log, c->salt, dst, iov[i].base, len, seq,
			  i == 0 ? (uint32_t)n : 0u, phash0, i + 1 == n,
			  &dirty);
		p += s;
		seq++;
		bytes += len;
	}
	plog__dirty_flush(pool, &dirty);
	/* In a transaction, its commit fences (and the records must not be
	 * published before it). */
	if (!in_tx)
		pc_pool_drain(pool);
	w->chunk = pc_pool_off(pool, c);
	w->pos = (h->flags & PLOG__F_PACKED) ? p : plog__batch_pos(p);
	w->bytes = bytes;
	__atomic_store_n(&w->seq, seq, __ATOMIC_RELAXED);
	if (!in_tx) {
		plog__publish(rt);
		w->slot_unfenced = 0;
		if (++w->since_slot >= PLOG__SLOT_EVERY || c != c0)
			plog__slot_write(log);
		(void)pmemobj_mutex_unlock(pool->pop, &h->mtx);
	}
	return PC_OK;
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
/** @endcond */

/**
 * @brief Find the log named @p name in @p pool, or create it, according
 * to @p mode, and bind @p out to it.
 *
 * The first call after the pool was opened runs recovery: it validates the
 * records after the last durable tail and stops at the first invalid one
 * (a torn record from a crash), so it reads only a few records.
 *
 * @param pool an open pool.
 * @param name root name (at most #PC_NAME_MAX bytes).
 * @param mode ::PC_OPEN, ::PC_CREATE or ::PC_OPEN_OR_CREATE.
 * @param initial_capacity bytes of the first chunk of a new log (at least
 *        #PLOG_MIN_CAPACITY is used); ignored when the log exists. Each
 *        record takes #PLOG_REC_OVERHEAD bytes plus its payload rounded up
 *        to 8, and each append or appendv batch starts a 64-byte line.
 * @param out receives the handle.
 * @return ::PC_OK, ::PC_E_NOTFOUND, ::PC_E_EXISTS, ::PC_E_TYPE (the root
 * holds something else), ::PC_E_VERSION, ::PC_E_FULL (no room for the
 * first chunk), ::PC_E_CORRUPT (damaged chain or tail), ::PC_E_INVAL,
 * ::PC_E_TOOBIG, ::PC_E_ABORTED.
 *
 * Transactions: joins one if open (a log created in it vanishes on abort);
 * otherwise runs its own when creating.
 */
PC_MUST_USE static inline pc_err plog_root(pc_pool *pool, const char *name,
					   pc_open_mode mode,
					   size_t initial_capacity, plog *out)
{
	if (!pool || !out)
		return pc__fail(PC_E_INVAL, "plog_root: NULL argument");
	pc_typesig sig = plog__sig();
	struct plog__init_arg a;
	a.cap = initial_capacity < PLOG_MIN_CAPACITY ? PLOG_MIN_CAPACITY
						     : initial_capacity;
	a.cap = (a.cap + 63) & ~(uint64_t)63;
	uint64_t off = 0;
	PC_TRY(pc_root_obtain(pool, name, &sig, sizeof(struct plog__hdr), mode,
			      plog__init, &a, &off, NULL));
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

/**
 * @brief Append one record of @p len bytes from @p buf.
 *
 * Outside a transaction the record is durable on return, with one fence
 * in the common case (a second cache line is flushed every 32 appends to
 * advance the durable tail; a new chunk costs a transaction).
 * @return ::PC_OK, ::PC_E_FULL (the pool has no room; the log is
 * unchanged), ::PC_E_TOOBIG (over #PLOG_REC_MAX), ::PC_E_INVAL,
 * ::PC_E_ABORTED.
 *
 * Transactions: joins one if open: the record vanishes if it aborts, other
 * appenders wait until it ends, readers see it once it commits; a full pool
 * aborts it.
 */
PC_MUST_USE static inline pc_err plog_append(plog *log, const void *buf,
					     size_t len)
{
	plog_iovec v;
	v.base = buf;
	v.len = len;
	PC_TRY(plog__check_args(log, &v, 1, "plog_append"));
	/* Small records are hashed before taking the lock; large ones on
	 * pmem while they are copied. */
	if (log->pool->is_pmem && len >= PLOG__NT_MIN)
		return plog__appendv(log, &v, 1, NULL, "plog_append");
	uint64_t ph = plog__hash(log->rt->k, buf, len);
	return plog__appendv(log, &v, 1, &ph, "plog_append");
}

/**
 * @brief Append @p n records as one batch: after a crash either all of
 * them are there or none. One fence for the whole batch.
 *
 * @p n == 0 is a no-op.
 * @return as plog_append(); ::PC_E_TOOBIG also for more than 2^32-1
 * records.
 *
 * Transactions: as plog_append().
 */
PC_MUST_USE static inline pc_err plog_appendv(plog *log, const plog_iovec *iov,
					      size_t n)
{
	PC_TRY(plog__check_args(log, iov, n, "plog_appendv"));
	if (n == 0)
		return PC_OK;
	return plog__appendv(log, iov, n, NULL, "plog_appendv");
}

/**
 * @brief Payload bytes in the log (the sum of the record lengths), as
 * libpmemlog's tell. Records appended by a transaction that has not
 * committed yet are not counted. Transactions: any.
 */
static inline uint64_t plog_tell(const plog *log)
{
	plog__sync_pub(log);
	return __atomic_load_n(&log->rt->pub_bytes, __ATOMIC_ACQUIRE);
}

/** @brief Number of records in the log (committed ones). Transactions: any. */
static inline uint64_t plog_count(const plog *log)
{
	plog__sync_pub(log);
	uint64_t end = __atomic_load_n(&log->rt->pub_seq, __ATOMIC_ACQUIRE);
	uint64_t first =
		__atomic_load_n(&log->rt->w.first_seq, __ATOMIC_RELAXED);
	return end > first ? end - first : 0;
}

/**
 * @brief Capacity: bytes of all chunks (records and their headers). It
 * grows as the log chains chunks; plog_rewind() keeps it.
 * Transactions: any.
 */
static inline uint64_t plog_nbyte(const plog *log)
{
	return __atomic_load_n(&log->rt->w.nbyte, __ATOMIC_RELAXED);
}

/**
 * @brief Call @p fn for the records of the log, oldest first.
 *
 * With @p chunk == 0, once per record with its payload and length (records
 * keep their boundaries). With @p chunk > 0, the payloads are seen as one
 * byte stream and @p fn gets pieces of exactly @p chunk bytes, the last one
 * possibly shorter, as libpmemlog's walk does. @p fn returns 0 to stop.
 * The walk covers the records committed when it starts; other threads may
 * append meanwhile, and @p fn may append too (but not rewind).
 * @return ::PC_OK, ::PC_E_INVAL, ::PC_E_NOMEM (chunk buffer),
 * ::PC_E_CORRUPT, ::PC_E_BUSY.
 *
 * Transactions: any (reads only).
 */
PC_MUST_USE static inline pc_err plog_walk(const plog *log, size_t chunk,
					   plog_walk_fn fn, void *arg)
{
	if (!log || !log->h || !fn)
		return pc__fail(PC_E_INVAL, "plog_walk: NULL argument");
	PC_TRY(plog__rdlock(log, "plog_walk"));
	plog__sync_pub(log);
	const pc_pool *pool = log->pool;
	const struct plog__rt *rt = log->rt;
	uint64_t end = __atomic_load_n(&rt->pub_seq, __ATOMIC_ACQUIRE);
	uint64_t seq = rt->w.first_seq;
	struct plog__chunk *c = plog__chunk_at(pool, log->h->first);
	uint64_t p = 0;
	unsigned char *buf = NULL;
	size_t fill = 0;
	pc_err e = PC_OK;
	int go = 1;
	/* The current chunk's fields, kept in locals for the fast path. */
	unsigned char *data = plog__data(c);
	uint64_t cap = c->cap, salt = c->salt;
	for (; go && seq < end; seq++) {
		struct plog__rec *r = plog__rec_next(data, cap, &p, seq ^ salt);
		if (PC__UNLIKELY(!r)) {
			r = plog__locate(pool, rt->k, &c, &p, seq, 0);
			if (!r) {
				e = pc__fail(
					PC_E_CORRUPT,
					"plog_walk: record %llu is missing",
					(unsigned long long)seq);
				break;
			}
			data = plog__data(c);
			cap = c->cap;
			salt = c->salt;
		}
		const unsigned char *q = (const unsigned char *)(r + 1);
		size_t len = r->len;
		/* The next header's place depends on this one: fetch ahead. */
		__builtin_prefetch(q + 4096);
		p += plog__stride(len);
		if (chunk == 0) {
			go = fn(q, len, arg);
			continue;
		}
		size_t o = 0;
		while (go && o < len) {
			if (fill == 0 && len - o >= chunk) {
				go = fn(q + o, chunk, arg);
				o += chunk;
				continue;
			}
			if (!buf) {
				buf = (unsigned char *)malloc(chunk);
				if (!buf) {
					e = pc__fail(PC_E_NOMEM,
						     "plog_walk: no memory "
						     "for a %zu-byte chunk",
						     chunk);
					go = 0;
					break;
				}
			}
			size_t take = chunk - fill;
			if (take > len - o)
				take = len - o;
			memcpy(buf + fill, q + o, take);
			fill += take;
			o += take;
			if (fill == chunk) {
				go = fn(buf, chunk, arg);
				fill = 0;
			}
		}
	}
	if (e == PC_OK && go && fill)
		(void)fn(buf, fill, arg);
	free(buf);
	plog__rdunlock(log);
	return e;
}

/**
 * @brief Start iterating over the records committed now, oldest first.
 *
 * Holds the log's read lock until plog_iter_end(), which must follow:
 * appends may go on meanwhile, plog_rewind() waits (and fails with
 * ::PC_E_BUSY on the iterating thread).
 * @return ::PC_OK, ::PC_E_INVAL, ::PC_E_BUSY.
 *
 * Transactions: any (reads only).
 */
PC_MUST_USE static inline pc_err plog_iter_begin(const plog *log, plog_iter *it)
{
	if (!log || !log->h || !it)
		return pc__fail(PC_E_INVAL, "plog_iter_begin: NULL argument");
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

/**
 * @brief Next record: sets @p *data and @p *len and returns true, or
 * returns false at the end (or on damage: see plog_iter_error()).
 * Transactions: any.
 */
static inline bool plog_iter_next(plog_iter *it, const void **data, size_t *len)
{
	if (!it || !it->active || !data || !len || it->seq >= it->end)
		return false;
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
	*len = r->len;
	it->pos += plog__stride(r->len);
	it->seq++;
	return true;
}

/** @brief ::PC_OK, or ::PC_E_CORRUPT when plog_iter_next() met damage. */
static inline pc_err plog_iter_error(const plog_iter *it)
{
	return it ? it->err : PC_E_INVAL;
}

/** @brief End an iteration: releases the read lock. Safe to call twice. */
static inline void plog_iter_end(plog_iter *it)
{
	if (it && it->active) {
		it->active = 0;
		plog__rdunlock(it->log);
	}
}

/**
 * @brief Choose how appends are placed: @p packed true puts each append
 * or batch right after the previous record (8-byte alignment), false (the
 * default) starts each on a 64-byte cache line of its own.
 *
 * Packed logs take less room (a 64-byte single append: 88 bytes instead
 * of 128) and walk faster (fewer bytes to read), but each append stores
 * into the cache line the previous one flushed, which costs a read from
 * memory on CPUs whose `clwb` evicts the line: appends of small records
 * are slower. See docs/log.md. Readers handle both placements, so the
 * choice may change at any time; it is stored in the log and kept across
 * opens. It takes effect with the next append.
 * @return ::PC_OK, ::PC_E_INVAL, ::PC_E_INTX, ::PC_E_BUSY (cannot lock).
 *
 * Transactions: forbidden (the setting is not transactional).
 */
PC_MUST_USE static inline pc_err plog_set_packed(plog *log, bool packed)
{
	if (!log || !log->h || !log->rt)
		return pc__fail(PC_E_INVAL, "plog_set_packed: NULL argument");
	if (pc__tx_state() != PC__TX_NONE)
		return pc__fail(PC_E_INTX, "plog_set_packed: not allowed "
					   "inside a transaction");
	pc_pool *pool = log->pool;
	struct plog__hdr *h = log->h;
	int r = pmemobj_mutex_lock(pool->pop, &h->mtx);
	if (r != 0)
		return pc__fail(PC_E_BUSY, "plog_set_packed: cannot lock: %s",
				strerror(r));
	uint64_t f = packed ? (h->flags | PLOG__F_PACKED)
			    : (h->flags & ~(uint64_t)PLOG__F_PACKED);
	if (f != h->flags) {
		__atomic_store_n(&h->flags, f, __ATOMIC_RELAXED);
		pc_pool_persist(pool, &h->flags, sizeof(h->flags));
	}
	(void)pmemobj_mutex_unlock(pool->pop, &h->mtx);
	return PC_OK;
}

/** @brief Whether appends are packed (see plog_set_packed()).
 * Transactions: any. */
static inline bool plog_packed(const plog *log)
{
	return log && log->h && (log->h->flags & PLOG__F_PACKED) != 0;
}

/**
 * @brief Empty the log atomically: after a crash it is either as before or
 * empty; records appended later never bring old ones back (sequence
 * numbers are never reused). The chunks stay: plog_nbyte() keeps its
 * value. One fence.
 *
 * Waits for walks and iterations of other threads to end.
 * @return ::PC_OK, ::PC_E_INVAL, ::PC_E_INTX, ::PC_E_BUSY (called from a
 * walk or iteration of this log on this thread).
 *
 * Transactions: forbidden (it must exclude readers, and holding that
 * exclusion until an enclosing transaction ends could deadlock a walk in
 * the same transaction).
 */
PC_MUST_USE static inline pc_err plog_rewind(plog *log)
{
	if (!log || !log->h)
		return pc__fail(PC_E_INVAL, "plog_rewind: NULL argument");
	if (pc__tx_state() != PC__TX_NONE)
		return pc__fail(PC_E_INTX, "plog_rewind: not allowed inside a "
					   "transaction");
	if (plog__holds(log->h))
		return pc__fail(PC_E_BUSY,
				"plog_rewind: this thread is walking or "
				"iterating the log");
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

/**
 * @brief Delete the log: unbind its root name and free its chunks and
 * header. No other thread may use the log meanwhile; the handle is
 * cleared.
 * @return ::PC_OK, ::PC_E_INVAL, ::PC_E_ABORTED, ::PC_E_CORRUPT.
 *
 * Transactions: joins one if open (the log comes back if it aborts);
 * otherwise runs its own.
 */
PC_MUST_USE static inline pc_err plog_free(plog *log)
{
	if (!log || !log->h)
		return pc__fail(PC_E_INVAL, "plog_free: NULL argument");
	pc_pool *pool = log->pool;
	uint64_t hoff = pc_pool_off(pool, log->h);
	pc__txj j;
	PC_TRY(pc__tx_enter(pool->pop, &j));
	pc_err e = pc_root_unbind_off(pool, hoff);
	uint64_t off = log->h->first;
	while (e == PC_OK && off) {
		if (!plog__chunk_ok(pool, off)) {
			e = pc__fail(PC_E_CORRUPT, "plog_free: damaged chunk");
			break;
		}
		uint64_t next = plog__chunk_at(pool, off)->next;
		e = pc__tx_free(pool->uuid_lo, off);
		off = next;
	}
	if (e == PC_OK)
		e = pc__tx_free(pool->uuid_lo, hoff);
	e = pc__tx_leave(&j, e);
	if (e == PC_OK) {
		log->h = NULL;
		log->rt = NULL;
	}
	return e;
}

/**
 * @brief Check the log's invariants: the chunk chain, at least one valid
 * tail slot, every live record present with a good checksum and
 * consecutive sequence numbers, the byte count, and that nothing valid
 * follows the tail (no stale or aborted record could come back).
 *
 * Used by the tests, the crash simulator and `pcoll check`. Waits for
 * appenders; run it while the log is quiet.
 * @return ::PC_OK, ::PC_E_CORRUPT (with the reason in pc_errmsg()),
 * ::PC_E_INVAL, ::PC_E_BUSY.
 *
 * Transactions: any (reads only; inside a transaction that appended it
 * checks the uncommitted state).
 */
PC_MUST_USE static inline pc_err plog_check(const plog *log)
{
	if (!log || !log->h || !log->rt)
		return pc__fail(PC_E_INVAL, "plog_check: NULL argument");
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

#endif /* PCOLL_LOG_H */
