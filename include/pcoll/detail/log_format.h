/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PLOG engine): the persistent format: constants, the record,
 * tail slot, chunk and header layouts, the volatile state kept in the
 * header, the keyed hash and the record and slot checksums, where records
 * are placed in a chunk (stride, batch alignment) and how one is found
 * at a place. Also the random key and salt source. Relies on the pool
 * (pool.h) only; nothing here is public API. docs/log.md explains the
 * format and the recovery argument.
 */
#ifndef PCOLL_DETAIL_LOG_FORMAT_H
#define PCOLL_DETAIL_LOG_FORMAT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libpmemobj.h>

#include "../err.h"
#include "../pool.h"

/** @cond PCOLL_INTERNAL */

#define PLOG__CHUNK_MAGIC 0x4b4e4843474f4c50ull /* "PLOGCHNK" */
#define PLOG__REC_HDR     24u                   /* sizeof(struct plog__rec) */
#define PLOG__SLOT_EVERY  32u /* lazy tail: write a slot every N appends */
#define PLOG__GROW_MIN    (256ull * 1024)       /* smallest grown chunk */
#define PLOG__GROW_MAX    (64ull * 1024 * 1024) /* largest grown chunk */
#define PLOG__CHUNK_ALIGN 64u
/* Every append (or appendv batch) starts on a cache line of its own; the
 * records of one batch are packed at 8 bytes. See docs/log.md. */
#define PLOG__BATCH_ALIGN 64u
/* Header flag: the writer packs batches too (plog_set_packed()). */
#define PLOG__F_PACKED 1u

/* A record: this header, then len payload bytes, padded to 8 bytes. */
struct plog__rec {
	uint64_t tag;   /* sequence number (1 for the first) ^ chunk salt */
	uint32_t len;   /* payload bytes; PLOG__LEN_ALT: form crc or fence2 */
	uint32_t batch; /* records in the batch starting here; 0: inside */
	uint64_t sum;   /* plog__rec_sum(key, seq, len, batch, digest) */
};

/* In a record's len word: its checksum holds the digest of form crc or
 * fence2 (log_form.h) instead of the payload hash. Records are at most
 * PLOG_REC_MAX (2^31 - 1) bytes, so the bit is free. */
#define PLOG__LEN_ALT  0x80000000u
#define PLOG__LEN_MASK 0x7fffffffu

/* Payload bytes of a record (its len word without the form bit). */
static inline uint32_t plog__rec_len(const struct plog__rec *r)
{
	return r->len & PLOG__LEN_MASK;
}

/* One of the two durable tail slots (a cache line). */
struct plog__slot {
	uint64_t gen;       /* the slot with the larger valid gen is newer */
	uint64_t seq;       /* sequence number of the next record */
	uint64_t first_seq; /* sequence number of the first live record */
	uint64_t chunk;     /* offset of the chunk holding the next record */
	uint64_t pos;       /* byte position of it in that chunk's data */
	uint64_t bytes;     /* payload bytes of the live records before it */
	uint64_t sum;       /* checksum of the six words above */
	uint64_t pad;
};

/* A chunk of the chain; records live in data, 64-byte aligned. */
struct plog__chunk {
	uint64_t magic;
	uint64_t next;    /* offset of the next chunk, 0 for the last */
	uint64_t cap;     /* bytes of data */
	uint64_t dataoff; /* data starts at chunk + dataoff */
	uint64_t index;   /* 0 for the first chunk */
	uint64_t salt;    /* random per allocation; in every record's sum */
	uint64_t reserved[2];
};

/*
 * Volatile state of an open log. It lives in the header (so every handle
 * of the process shares it) inside a PMEMvlt, which libpmemobj
 * re-initializes once per pool open: the constructor is the recovery scan.
 * The writer part is changed under the log's mutex; a transaction
 * snapshots it so an abort restores it.
 */
struct plog__rtw {
	uint64_t seq;       /* next sequence number */
	uint64_t first_seq; /* first live record */
	uint64_t chunk;     /* tail chunk offset */
	uint64_t pos;       /* tail position in it */
	uint64_t bytes;     /* payload bytes of live records */
	uint64_t nbyte;     /* sum of chunk capacities */
	uint64_t last;      /* offset of the last chunk */
	uint64_t nchunks;
	uint64_t gen;           /* gen of the newest slot written */
	uint32_t cur_slot;      /* index of that slot */
	uint32_t since_slot;    /* appends since the last slot write */
	uint32_t slot_unfenced; /* a slot was flushed but not fenced yet */
	uint32_t pad;
};

struct plog__rt {
	struct plog__rtw w;
	/* Published end for readers: atomic loads and stores only. */
	uint64_t pub_seq;
	uint64_t pub_bytes;
	uint64_t k[4]; /* checksum keys derived from the header's key */
};

struct plog__hdr {
	struct pc__objhdr oh;
	uint64_t key;   /* random, chosen at creation; keys the checksum */
	uint64_t first; /* offset of the first chunk */
	uint64_t flags; /* PLOG__F_PACKED */
	uint64_t reserved[5];
	struct plog__slot slot[2];
	PMEMmutex mtx; /* appenders (held to the end of a transaction) */
	PMEMrwlock rw; /* readers share it; rewind takes it exclusively */
	PMEMvlt(struct plog__rt) rt;
};

__extension__ typedef unsigned __int128 plog__u128;

static inline uint64_t plog__mum(uint64_t a, uint64_t b)
{
	plog__u128 r = (plog__u128)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t plog__ld64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t plog__mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static inline void plog__keys(uint64_t key, uint64_t k[4])
{
	uint64_t s = key;
	for (int i = 0; i < 4; i++) {
		s += 0x9E3779B97F4A7C15ull;
		k[i] = plog__mix64(s) | 1u; /* odd: never a zero factor */
	}
}

/* Streaming form of plog__hash(): init, blocks (a multiple of 32 bytes),
 * final (the rest, under 32 bytes). */
struct plog__hst {
	uint64_t a, b, kb;
};

#define PLOG__STEP 0x9E3779B97F4A7C15ull

static inline void plog__hash_init(const uint64_t k[4], struct plog__hst *s)
{
	s->a = k[0];
	s->b = k[1];
	s->kb = k[2];
}

static inline void plog__hash_blocks(const uint64_t k[4], struct plog__hst *s,
				     const unsigned char *p, size_t n)
{
	uint64_t a = s->a, b = s->b, kb = s->kb;
	for (size_t i = 0; i + 32 <= n; i += 32) {
		a += plog__mum(plog__ld64(p + i) ^ kb,
			       plog__ld64(p + i + 8) ^ k[3]);
		b += plog__mum(plog__ld64(p + i + 16) ^ (kb + PLOG__STEP),
			       plog__ld64(p + i + 24) ^ k[3]);
		kb += 2 * PLOG__STEP;
	}
	s->a = a;
	s->b = b;
	s->kb = kb;
}

static inline uint64_t plog__hash_final(const uint64_t k[4],
					struct plog__hst *s,
					const unsigned char *p, size_t n)
{
	uint64_t a = s->a, b = s->b, kb = s->kb;
	size_t i = 0;
	if (n >= 16) {
		a += plog__mum(plog__ld64(p) ^ kb, plog__ld64(p + 8) ^ k[3]);
		kb += PLOG__STEP;
		i = 16;
	}
	if (i < n) {
		unsigned char t[16] = {0};
		memcpy(t, p + i, n - i);
		b += plog__mum(plog__ld64(t) ^ kb, plog__ld64(t + 8) ^ k[3]);
	}
	return a ^ (b * PLOG__STEP);
}

/*
 * Keyed 64-bit hash of a payload. Each 16-byte block contributes
 * mum(w0 ^ kb, w1 ^ k3), where kb changes with the block's position, and
 * the contributions are summed in two independent lanes: about one
 * 64x64->128 multiply per 16 bytes and no long dependency chain.
 */
static inline uint64_t plog__hash(const uint64_t k[4], const void *buf,
				  size_t len)
{
	static const unsigned char empty[1] = {0};
	/* A 0-byte record may come with a NULL buffer. */
	const unsigned char *p = buf ? (const unsigned char *)buf : empty;
	struct plog__hst s;
	plog__hash_init(k, &s);
	size_t full = len & ~(size_t)31;
	plog__hash_blocks(k, &s, p, full);
	return plog__hash_final(k, &s, p + full, len - full);
}

/* The record checksum from the payload hash and the header fields. */
static inline uint64_t plog__rec_sum(const uint64_t k[4], uint64_t salt,
				     uint64_t phash, uint64_t seq, uint32_t len,
				     uint32_t batch)
{
	uint64_t h = plog__mum(phash ^ k[1] ^ salt, seq ^ k[2]);
	h = plog__mum(h ^ k[3], (((uint64_t)len << 32) | batch) ^ k[0]);
	return plog__mix64(h ^ seq);
}

/* A record header: tag, length, batch count and checksum. */
static inline struct plog__rec plog__rec_make(const uint64_t k[4],
					      uint64_t salt, uint64_t phash,
					      uint64_t seq, uint32_t len,
					      uint32_t batch)
{
	struct plog__rec r;
	r.tag = seq ^ salt;
	r.len = len;
	r.batch = batch;
	r.sum = plog__rec_sum(k, salt, phash, seq, len, batch);
	return r;
}

static inline uint64_t plog__slot_sum(const uint64_t k[4],
				      const struct plog__slot *s)
{
	const uint64_t *w = &s->gen;
	uint64_t h = k[0];
	for (int i = 0; i < 6; i++)
		h = plog__mum(h ^ w[i], k[(i + 1) & 3]);
	return plog__mix64(h);
}

/* Bytes a record of len payload bytes takes in a chunk. */
static inline uint64_t plog__stride(uint64_t len)
{
	return PLOG__REC_HDR + ((len + 7) & ~(uint64_t)7);
}

/* Where the batch after one ending at p starts. */
static inline uint64_t plog__batch_pos(uint64_t p)
{
	return (p + PLOG__BATCH_ALIGN - 1) & ~(uint64_t)(PLOG__BATCH_ALIGN - 1);
}

/* The record at p of a chunk's data if its tag is tag and it fits. */
static inline struct plog__rec *plog__rec_at(unsigned char *data, uint64_t cap,
					     uint64_t p, uint64_t tag)
{
	if (p > cap || cap - p < PLOG__REC_HDR)
		return NULL;
	struct plog__rec *r = (struct plog__rec *)(void *)(data + p);
	if (r->tag != tag || plog__stride(plog__rec_len(r)) > cap - p)
		return NULL;
	return r;
}

/* The record with tag where the next one may be: at *p (the next record
 * of a batch) or at the next 64-byte boundary (the first of the next
 * batch); moves *p there. The record with a given sequence number is
 * written at one place of its chunk only, so the first match is it. */
static inline struct plog__rec *
plog__rec_next(unsigned char *data, uint64_t cap, uint64_t *p, uint64_t tag)
{
	struct plog__rec *r = plog__rec_at(data, cap, *p, tag);
	if (r)
		return r;
	uint64_t a = plog__batch_pos(*p);
	if (a == *p || !(r = plog__rec_at(data, cap, a, tag)))
		return NULL;
	*p = a;
	return r;
}

static inline struct plog__chunk *plog__chunk_at(const pc_pool *pool,
						 uint64_t off)
{
	return (struct plog__chunk *)pc_pool_ptr(pool, off);
}

static inline unsigned char *plog__data(struct plog__chunk *c)
{
	return (unsigned char *)c + c->dataoff;
}

/* 1 when the chunk at off looks sane (magic, bounds). */
static inline int plog__chunk_ok(const pc_pool *pool, uint64_t off)
{
	if (!pc__pool_range_ok(pool, off, sizeof(struct plog__chunk)))
		return 0;
	const struct plog__chunk *c = plog__chunk_at(pool, off);
	if (c->magic != PLOG__CHUNK_MAGIC || c->dataoff < sizeof(*c) ||
	    c->dataoff > sizeof(*c) + PLOG__CHUNK_ALIGN)
		return 0;
	return pc__pool_range_ok(pool, off, c->dataoff + c->cap);
}

/* A random 64-bit value for a new log's checksum key (not secret). */
static inline uint64_t plog__random(void)
{
	uint64_t v = 0;
	FILE *f = fopen("/dev/urandom", "rb");
	if (f) {
		if (fread(&v, 1, sizeof(v), f) != sizeof(v))
			v = 0;
		(void)fclose(f);
	}
	static uint64_t counter;
	uint64_t c = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
	v ^= plog__mix64((uint64_t)time(NULL) ^ (uint64_t)clock() ^
			 (uint64_t)(uintptr_t)&v ^ (c << 32));
	return v ? v : 0x9E3779B97F4A7C15ull;
}

/** @endcond */

#endif /* PCOLL_DETAIL_LOG_FORMAT_H */
