/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PLOG engine): the write paths: plog_append() and
 * plog_appendv() (plog__appendv), how one record is written (staging
 * buffer, in place, or non-temporal 64-byte line stores for large
 * records on pmem), and the placement setting (plog_set_packed()).
 * Relies on log_format.h, log_chain.h (planning, growth) and log_tail.h
 * (slots, publishing), and on the handle types of <pcoll/log.h>, which
 * includes it.
 *
 * An append or batch outside a transaction, with the log's mutex held:
 *   growth first when the batch does not fit (log_chain.h: a transaction);
 *   the records (header with checksum, payload, padding) are written and
 *   flushed, not fenced; records of form fence2 (log_form.h) with a zero
 *   tag;
 *   fence 1: one drain: the records are durable (records of forms sum and
 *            crc are the commit: recovery validates them by checksum),
 *            and so is a tail slot written by the previous append;
 *   only when the batch has fence2 records: their tags are stored and
 *   flushed (plog__put_tags), then
 *   fence 2: the tags are durable: those records are committed;
 *   then the new end is published to readers, and every PLOG__SLOT_EVERY
 *   appends (or when the batch moved to another chunk) the older tail
 *   slot is written and flushed, fenced by the next append (log_tail.h).
 * Inside a transaction: the mutex is held to its end, the writer state
 * and each record header are snapshotted, the records (fence2 ones with
 * their tags) are flushed and the commit fences them; nothing is
 * published before the commit.
 *
 * plog_set_packed(): fence 1 (when the setting changes): the header's
 * flags word, persisted.
 */
#ifndef PCOLL_DETAIL_LOG_APPEND_H
#define PCOLL_DETAIL_LOG_APPEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libpmemobj.h>

#include "../err.h"
#include "../persist.h"
#include "../pool.h"
#include "log_chain.h"
#include "log_form.h"
#include "log_format.h"
#include "log_tail.h"
#include "txcore.h"

#ifdef PC__X86 /* from persist.h */
#include <cpuid.h>
#include <immintrin.h>
#endif

#ifndef PCOLL_LOG_H
#error "internal PLOG header: include <pcoll/log.h>"
#endif

/** @cond PCOLL_INTERNAL */

#ifdef PC__X86
/* One 64-byte line, four 16-byte loads then four streaming stores. */
static inline void plog__nt_line_sse(unsigned char *dst,
				     const unsigned char *src)
{
	const __m128i *s = (const __m128i *)(const void *)src;
	__m128i *d = (__m128i *)(void *)dst;
	__m128i a = _mm_loadu_si128(s), b = _mm_loadu_si128(s + 1);
	__m128i c = _mm_loadu_si128(s + 2), e = _mm_loadu_si128(s + 3);
	_mm_stream_si128(d, a);
	_mm_stream_si128(d + 1, b);
	_mm_stream_si128(d + 2, c);
	_mm_stream_si128(d + 3, e);
}

/* n lines with 32-byte AVX loads and streaming stores (half the
 * instructions); chosen at run time, the build needs no -mavx. */
__attribute__((target("avx"))) static inline void
plog__nt_lines_avx(unsigned char *dst, const unsigned char *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const __m256i *s =
			(const __m256i *)(const void *)(src + 64 * i);
		__m256i *d = (__m256i *)(void *)(dst + 64 * i);
		__m256i a = _mm256_loadu_si256(s),
			b = _mm256_loadu_si256(s + 1);
		_mm256_stream_si256(d, a);
		_mm256_stream_si256(d + 1, b);
	}
}

enum { PLOG__VEC_UNKNOWN = 0, PLOG__VEC_SSE2 = 1, PLOG__VEC_AVX = 2 };
extern int plog__vec_sel;
PC__WEAK int plog__vec_sel; /* PLOG__VEC_*, detected on first use */

/* PLOG__VEC_AVX when the CPU has AVX and the OS saves its registers
 * (cpuid leaf 1: ecx bits 27 and 28; XCR0 bits 1 and 2). */
static inline int plog__vec_detect(void)
{
	unsigned a = 0, b = 0, c = 0, d = 0;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27)) ||
	    !(c & (1u << 28)))
		return PLOG__VEC_SSE2;
	unsigned lo = 0, hi = 0;
	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	(void)hi;
	return (lo & 6u) == 6u ? PLOG__VEC_AVX : PLOG__VEC_SSE2;
}
#endif

/* Stores n whole 64-byte lines non-temporally (dst 64-byte aligned). */
static inline void plog__nt_lines(unsigned char *dst, const unsigned char *src,
				  size_t n)
{
#ifdef PC__X86
	int v = plog__vec_sel;
	if (PC__UNLIKELY(v == PLOG__VEC_UNKNOWN)) {
		v = plog__vec_detect();
		plog__vec_sel = v;
	}
	if (v == PLOG__VEC_AVX && n > 1) {
		plog__nt_lines_avx(dst, src, n);
	} else {
		for (size_t i = 0; i < n; i++)
			plog__nt_line_sse(dst + 64 * i, src + 64 * i);
	}
	PC__COUNT(flushes, n);
#else
	if (n)
		pmem_memcpy(dst, src, 64 * n,
			    PMEM_F_MEM_NODRAIN | PMEM_F_MEM_NONTEMPORAL);
#endif
}

/* Stores one 64-byte line non-temporally (dst 64-byte aligned). */
static inline void plog__nt_line(unsigned char *dst, const unsigned char *src)
{
#ifdef PC__X86
	plog__nt_line_sse(dst, src);
	PC__COUNT(flushes, 1);
#else
	pmem_memcpy(dst, src, 64, PMEM_F_MEM_NODRAIN | PMEM_F_MEM_NONTEMPORAL);
#endif
}

/*
 * A large record on pmem (PLOG__NT_MIN bytes and more), written with
 * non-temporal stores only, so no line is read for ownership:
 * - the lines wholly inside the payload: for form sum in 256-byte pieces
 *   with the hash computed in between (hashing overlaps the stores
 *   draining); for form crc after the CRC lanes were computed over the
 *   payload (the crc32 unit keeps up with the stores); for form fence2
 *   right away;
 * - the first line (header and the start of the payload) once the
 *   checksum is known, composed in a buffer, when the record starts a
 *   line (the first record of an append or batch); otherwise cached and
 *   flushed. A fence2 record outside a transaction gets a zero tag here:
 *   plog__put_tag() stores the tag after the first fence;
 * - the last partial line padded with zeros when the record ends its
 *   batch (the rest of that line is padding); otherwise cached and
 *   flushed.
 * No fence.
 */
static inline void plog__put_large(const plog *log, uint64_t salt,
				   unsigned char *dst, const unsigned char *src,
				   uint32_t len, uint64_t seq, uint32_t batch,
				   int last, int form, int in_tx)
{
	const uint64_t *k = log->rt->k;
	const pc_pool *pool = log->pool;
	unsigned char *pay = dst + PLOG__REC_HDR;
	size_t head = (64 - ((uintptr_t)pay & 63)) & 63;
	size_t body = (len - head) & ~(size_t)63;
	size_t tail = len - head - body;
	uint64_t ph;
	if (form == PLOG__FORM_SUM) {
		struct plog__hst hs;
		plog__hash_init(k, &hs);
		size_t hashed = 0;
		for (size_t o = 0; o < body; o += 256) {
			size_t piece = body - o < 256 ? body - o : 256;
			size_t upto = (head + o + piece) & ~(size_t)31;
			plog__hash_blocks(k, &hs, src + hashed, upto - hashed);
			hashed = upto;
			plog__nt_lines(pay + head + o, src + head + o,
				       piece / 64);
		}
		size_t full = len & ~(size_t)31; /* hash_final: < 32 bytes */
		plog__hash_blocks(k, &hs, src + hashed, full - hashed);
		ph = plog__hash_final(k, &hs, src + full, len - full);
	} else {
		ph = plog__digest(k, form, src, len);
		plog__nt_lines(pay + head, src + head, body / 64);
	}
	struct plog__rec hd = plog__rec_make(k, salt, ph, seq,
					     plog__len_word(len, form), batch);
#ifndef PCOLL_TEST_BUG_LOG_FENCE2_ONE_FENCE
	if (form == PLOG__FORM_FENCE2 && !in_tx)
		hd.tag = 0; /* the commit comes after the first fence */
#else
	/* Broken test build: the tag goes out with the payload, under one
	 * fence, though the checksum does not cover the payload. */
	(void)in_tx;
#endif
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

/*
 * The commit of a fence2 record, after the first fence made its payload
 * and header (with a zero tag) durable: the tag. A record that starts a
 * line gets that line again, composed as before with the tag set and
 * stored non-temporally (no read of the line; the other words are
 * unchanged, so however much of the line reaches the media, only the tag
 * differs); otherwise the tag word is stored and flushed. No fence.
 */
static inline void plog__put_tag(const plog *log, uint64_t salt,
				 unsigned char *dst, const unsigned char *src,
				 uint32_t len, uint64_t seq, uint32_t batch)
{
	struct plog__rec hd =
		plog__rec_make(log->rt->k, salt, PLOG__PH_FENCE2, seq,
			       plog__len_word(len, PLOG__FORM_FENCE2), batch);
	if (((uintptr_t)dst & 63) == 0) {
		unsigned char line[64];
		memcpy(line, &hd, sizeof(hd));
		memcpy(line + PLOG__REC_HDR, src, 64 - PLOG__REC_HDR);
		plog__nt_line(dst, line);
		return;
	}
	__atomic_store_n((uint64_t *)(void *)dst, hd.tag, __ATOMIC_RELAXED);
	pc_pool_flush(log->pool, dst, sizeof(hd.tag));
}

/* Small records are assembled in a volatile staging buffer and copied to
 * the pool in one go, so each line is flushed once (storing into a line
 * right after flushing it stalls). From PLOG__NT_MIN bytes on, the copy
 * uses non-temporal stores (no read for ownership of lines that are not
 * cached); below, plain stores and a flush are faster (measured on the
 * test machine: 135 ns against 186 ns for 256 bytes, 350 ns against
 * 240 ns for 768). PLOG__NT_MIN is in log_form.h: it also bounds the
 * forms. */
#define PLOG__STAGE 4096

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

/* The form a record of len bytes is written in: large records on pmem
 * by cost (log_form.h), everything else with the payload hash. */
static inline int plog__form_at(const pc_pool *pool, uint32_t len)
{
	return pool->is_pmem && len >= PLOG__NT_MIN ? plog__form_of(len)
						    : PLOG__FORM_SUM;
}

/* Writes one record (header, payload, padding) at dst, through the
 * staging buffer or, for large payloads on pmem, non-temporally in the
 * form plog__form_at() gives. Returns that form. No fence. */
static inline int plog__put(const plog *log, uint64_t salt, unsigned char *dst,
			    const void *src, uint32_t len, uint64_t seq,
			    uint32_t batch, const uint64_t *phash, int last,
			    int in_tx, struct plog__dirty *d)
{
	const pc_pool *pool = log->pool;
	const uint64_t *k = log->rt->k;
	if (pool->is_pmem && len >= PLOG__NT_MIN) {
		int form = plog__form_of(len);
		plog__dirty_flush(pool, d);
		plog__put_large(log, salt, dst, (const unsigned char *)src, len,
				seq, batch, last, form, in_tx);
		return form;
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
		return PLOG__FORM_SUM;
	}
	if (d->n && (d->lo + d->n != dst || d->n + s > PLOG__STAGE))
		plog__dirty_flush(pool, d);
	if (s > PLOG__STAGE) {
		/* a large record on the msync path: directly, one msync */
		memcpy(dst, &hd, sizeof(hd));
		if (len)
			memcpy(dst + PLOG__REC_HDR, src, len);
		pc_pool_flush(pool, dst, PLOG__REC_HDR + (size_t)len);
		return PLOG__FORM_SUM;
	}
	if (!d->n)
		d->lo = dst;
	unsigned char *q = d->stage + d->n;
	memcpy(q, &hd, sizeof(hd));
	if (len)
		memcpy(q + PLOG__REC_HDR, src, len);
	memset(q + PLOG__REC_HDR + len, 0, (size_t)(s - PLOG__REC_HDR - len));
	d->n += (size_t)s;
	return PLOG__FORM_SUM;
}

/*
 * The second step of a batch with fence2 records, after its first fence:
 * walks the batch's places again, as plog__appendv placed them, and
 * stores the tag of each fence2 record (plog__put_tag). No fence.
 */
static inline void plog__put_tags(const plog *log, const plog_iovec *iov,
				  size_t n, struct plog__chunk *c, uint64_t p,
				  uint64_t seq)
{
	const pc_pool *pool = log->pool;
	for (size_t i = 0; i < n; i++, seq++) {
		uint32_t len = (uint32_t)iov[i].len;
		uint64_t s = plog__stride(len);
		while (!plog__fits(c, p, s)) {
			c = plog__chunk_at(pool, c->next);
			p = 0;
		}
		if (plog__form_at(pool, len) == PLOG__FORM_FENCE2)
			plog__put_tag(log, c->salt, plog__data(c) + p,
				      (const unsigned char *)iov[i].base, len,
				      seq, i == 0 ? (uint32_t)n : 0u);
		p += s;
	}
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
	int fence2 = 0;
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
		int form = plog__put(log, c->salt, dst, iov[i].base, len, seq,
				     i == 0 ? (uint32_t)n : 0u, phash0,
				     i + 1 == n, in_tx, &dirty);
		fence2 |= form == PLOG__FORM_FENCE2;
		p += s;
		seq++;
		bytes += len;
	}
	plog__dirty_flush(pool, &dirty);
	/* In a transaction, its commit fences (and the records must not be
	 * published before it). */
#ifndef PCOLL_TEST_BUG_LOG_NO_FENCE /* broken test build: no fence */
	if (!in_tx)
		pc_pool_drain(pool);
#endif
	/* fence2 records: their tags, then the second fence. In a
	 * transaction they were written with their tags: the commit is what
	 * makes them count, and it fences first. */
	if (fence2 && !in_tx) {
		plog__put_tags(log, iov, n, c0, w->pos, w->seq);
		pc_pool_drain(pool);
	}
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

/* plog_set_packed() after its checks. */
static inline pc_err plog__set_packed(plog *log, bool packed)
{
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

/** @endcond */

#endif /* PCOLL_DETAIL_LOG_APPEND_H */
