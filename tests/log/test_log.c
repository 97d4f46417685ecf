/* SPDX-License-Identifier: BSD-3-Clause */
/* PLOG: record sizes, walk modes, iterator, a differential test against an
 * in-memory model with reopen points, rewind, pool full, torn records and
 * torn batches, stale records after rewind, transactions, concurrent
 * appenders and a walker during appends. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include <pcoll/log.h>
#include <pcoll/pcoll.h>

#include "tu_pool.h"

/* The msync group runs on a plain file: fewer operations there. */
static unsigned scale(unsigned n)
{
	return tu_forced_pmem() ? n : (n / 8 ? n / 8 : 1);
}

/* Deterministic payload of record `id`, len bytes. */
static void fill(unsigned char *buf, size_t len, uint64_t id)
{
	uint64_t s = id * 0x100000001b3ull + 7;
	for (size_t k = 0; k < len; k += 8) {
		uint64_t v = tu_splitmix64(&s);
		size_t n = len - k < 8 ? len - k : 8;
		memcpy(buf + k, &v, n);
	}
}

/* A new pool of psize bytes holding the log root `name` (chunks of
 * chunk bytes) in *log. */
static pc_pool *log_fresh(const char *tag, size_t psize, const char *name,
			  size_t chunk, plog *log)
{
	pc_pool *p = tu_mkpool(tag, psize);
	cr_assert_eq(plog_root(p, name, PC_CREATE, chunk, log), PC_OK, "%s: %s",
		     tag, pc_errmsg());
	return p;
}

/* Reopen the pool and root `name`; the log must pass its check. */
static void reopen(pc_pool **p, plog *log, const char *name)
{
	tu_reopen(p);
	cr_assert_eq(plog_root(*p, name, PC_OPEN, 0, log), PC_OK, "%s",
		     pc_errmsg());
	cr_assert_eq(plog_check(log), PC_OK, "%s", pc_errmsg());
}

/* ---- the in-memory model ---- */
typedef struct model {
	size_t n, cap;
	unsigned char **rec;
	size_t *len;
} model;

static void model_push(model *m, const void *buf, size_t len)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->rec = realloc(m->rec, m->cap * sizeof(*m->rec));
		m->len = realloc(m->len, m->cap * sizeof(*m->len));
		cr_assert(m->rec && m->len);
	}
	m->rec[m->n] = malloc(len ? len : 1);
	cr_assert(m->rec[m->n]);
	if (len)
		memcpy(m->rec[m->n], buf, len);
	m->len[m->n] = len;
	m->n++;
}

static void model_clear(model *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->rec[i]);
	m->n = 0;
}

static void model_free(model *m)
{
	model_clear(m);
	free(m->rec);
	free(m->len);
}

static uint64_t model_bytes(const model *m)
{
	uint64_t b = 0;
	for (size_t i = 0; i < m->n; i++)
		b += m->len[i];
	return b;
}

/* The log equals the model: iterator, record walk, counts. */
static void expect_model(const plog *log, const model *m)
{
	cr_assert_eq(plog_count(log), m->n);
	cr_assert_eq(plog_tell(log), model_bytes(m));
	plog_iter it;
	cr_assert_eq(plog_iter_begin(log, &it), PC_OK, "%s", pc_errmsg());
	const void *d;
	size_t len, i = 0;
	while (plog_iter_next(&it, &d, &len)) {
		cr_assert_lt(i, m->n, "more records than the model");
		cr_assert_eq(len, m->len[i], "record %zu: len %zu != %zu", i,
			     len, m->len[i]);
		cr_assert(len == 0 || memcmp(d, m->rec[i], len) == 0,
			  "record %zu differs", i);
		i++;
	}
	cr_assert_eq(plog_iter_error(&it), PC_OK);
	plog_iter_end(&it);
	cr_assert_eq(i, m->n, "iterator saw %zu records, model %zu", i, m->n);
}

/* Reopen the pool and root `name` (checked), then compare with m. */
static void reopen_expect(pc_pool **p, plog *log, const char *name,
			  const model *m)
{
	reopen(p, log, name);
	expect_model(log, m);
}

/* ---- walk helpers ---- */
typedef struct collect {
	unsigned char *buf;
	size_t used, cap, calls, maxlen, stop_after;
	size_t lens[64];
} collect;

static int collect_fn(const void *b, size_t l, void *arg)
{
	collect *c = arg;
	if (c->used + l > c->cap) {
		c->cap = (c->used + l) * 2 + 64;
		c->buf = realloc(c->buf, c->cap);
		cr_assert(c->buf);
	}
	if (l)
		memcpy(c->buf + c->used, b, l);
	c->used += l;
	if (c->calls < 64)
		c->lens[c->calls] = l;
	c->calls++;
	if (l > c->maxlen)
		c->maxlen = l;
	/* pcoll's callback rule: 0 goes on, nonzero stops (and is returned) */
	return c->stop_after && c->calls >= c->stop_after ? -7 : 0;
}

Test(log, sizes_and_walk_modes)
{
	pc_pool *pool = tu_mkpool("log-sizes", TU_POOL_SIZE);
	plog log;
	const size_t chunk = 4096;
	cr_assert_eq(plog_root(pool, "l", PC_CREATE, chunk, &log), PC_OK, "%s",
		     pc_errmsg());
	cr_assert_eq(plog_count(&log), 0);
	cr_assert_eq(plog_tell(&log), 0);
	cr_assert_geq(plog_nbyte(&log), chunk);
	/* 0 bytes, 1 byte, exactly the chunk's data size, larger than a
	 * chunk, and one that fills the rest of a chunk exactly. */
	size_t sizes[] = {0, 1,     chunk - PLOG_REC_OVERHEAD, 3 * chunk + 5, 7,
			  0, 300000};
	size_t ns = sizeof(sizes) / sizeof(sizes[0]);
	model m = {0};
	unsigned char *buf = malloc(300000);
	cr_assert(buf);
	for (size_t i = 0; i < ns; i++) {
		fill(buf, sizes[i], i);
		cr_assert_eq(plog_append(&log, buf, sizes[i]), PC_OK, "%s",
			     pc_errmsg());
		model_push(&m, buf, sizes[i]);
	}
	expect_model(&log, &m);
	cr_assert_gt(plog_nbyte(&log), chunk, "the log grew");
	cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());

	/* chunk 0: one call per record, with its length */
	collect c = {0};
	cr_assert_eq(plog_walk(&log, 0, collect_fn, &c), PC_OK);
	cr_assert_eq(c.calls, ns);
	for (size_t i = 0; i < ns; i++)
		cr_assert_eq(c.lens[i], sizes[i]);
	/* chunked: the concatenated stream in pieces of exactly k bytes */
	size_t ks[] = {1, 7, 64, 4096, 1000000};
	for (size_t j = 0; j < sizeof(ks) / sizeof(ks[0]); j++) {
		collect d = {0};
		cr_assert_eq(plog_walk(&log, ks[j], collect_fn, &d), PC_OK);
		cr_assert_eq(d.used, c.used);
		cr_assert(memcmp(d.buf, c.buf, c.used) == 0);
		size_t want = (c.used + ks[j] - 1) / ks[j];
		cr_assert_eq(d.calls, want, "k=%zu: %zu calls, want %zu", ks[j],
			     d.calls, want);
		cr_assert_leq(d.maxlen, ks[j]);
		free(d.buf);
	}
	/* stop early: the callback's value comes back */
	collect e = {0};
	e.stop_after = 2;
	cr_assert_eq(plog_walk(&log, 0, collect_fn, &e), -7);
	cr_assert_eq(e.calls, 2);
	e.calls = e.used = 0;
	cr_assert_eq(plog_walk(&log, 64, collect_fn, &e), -7);
	cr_assert_eq(e.calls, 2);
	free(e.buf);
	free(c.buf);

	reopen_expect(&pool, &log, "l", &m);
	free(buf);
	model_free(&m);
	tu_close_rm(pool);
}

Test(log, appendv_batches)
{
	plog log;
	pc_pool *pool = log_fresh("log-v", TU_POOL_SIZE, "l", 8192, &log);
	model m = {0};
	unsigned char bufs[40][700];
	plog_iovec v[40];
	for (int round = 0; round < 30; round++) {
		size_t n = (size_t)(round % 7) * 6 + 1;
		for (size_t i = 0; i < n; i++) {
			size_t len = (size_t)((round * 131 + i * 17) % 700);
			fill(bufs[i], len, (uint64_t)round * 100 + i);
			v[i].base = bufs[i];
			v[i].len = len;
			model_push(&m, bufs[i], len);
		}
		cr_assert_eq(plog_appendv(&log, v, n), PC_OK, "%s",
			     pc_errmsg());
	}
	cr_assert_eq(plog_appendv(&log, v, 0), PC_OK);
	expect_model(&log, &m);
	cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());
	reopen_expect(&pool, &log, "l", &m);
	model_free(&m);
	tu_close_rm(pool);
}

/* Large records (the non-temporal path on pmem) inside and at the ends of
 * batches; every append or batch starts on a cache line of its own, the
 * records of a batch are packed. */
Test(log, batches_of_large_records_layout)
{
	plog log;
	pc_pool *pool = log_fresh("log-vl", TU_POOL_SIZE, "l", 1 << 16, &log);
	model m = {0};
	enum { MAXN = 6, MAXLEN = 5000, ROUNDS = 40 };
	static unsigned char bufs[MAXN][MAXLEN];
	plog_iovec v[MAXN];
	size_t first[ROUNDS], nrec[ROUNDS];
	for (size_t round = 0; round < ROUNDS; round++) {
		size_t n = 1 + round % MAXN;
		first[round] = m.n;
		nrec[round] = n;
		for (size_t i = 0; i < n; i++) {
			/* alternate large (768..4999) and small lengths */
			size_t len =
				(round + i) % 2
					? 768 + (round * 977 + i * 131) % 4232
					: (round * 37 + i * 11) % 300;
			fill(bufs[i], len, round * 100 + i);
			v[i].base = bufs[i];
			v[i].len = len;
			model_push(&m, bufs[i], len);
		}
		cr_assert_eq(plog_appendv(&log, v, n), PC_OK, "%s",
			     pc_errmsg());
	}
	for (int pass = 0; pass < 2; pass++) {
		expect_model(&log, &m);
		cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());
		plog_iter it;
		cr_assert_eq(plog_iter_begin(&log, &it), PC_OK);
		const unsigned char *prev = NULL;
		size_t prevlen = 0, idx = 0, packed = 0, inner = 0;
		for (size_t round = 0; round < ROUNDS; round++) {
			for (size_t i = 0; i < nrec[round]; i++, idx++) {
				const void *d;
				size_t len;
				cr_assert(plog_iter_next(&it, &d, &len));
				const unsigned char *q = d;
				uintptr_t hdr =
					(uintptr_t)q - PLOG_REC_OVERHEAD;
				if (i == 0)
					cr_assert_eq(
						hdr % 64, 0,
						"batch %zu starts mid-line",
						round);
				else if ((size_t)(q - prev) ==
					 PLOG_REC_OVERHEAD +
						 ((prevlen + 7) & ~7ul))
					packed++;
				else /* moved on to the next chunk */
					cr_assert_eq(hdr % 64, 0,
						     "record %zu misplaced",
						     idx);
				inner += i > 0;
				cr_assert_eq(idx >= first[round], 1);
				prev = q;
				prevlen = len;
			}
		}
		plog_iter_end(&it);
		/* a chunk boundary splits a few batches, no more */
		cr_assert_geq(packed * 10, inner * 8, "%zu of %zu packed",
			      packed, inner);
		if (pass == 0)
			reopen(&pool, &log, "l");
	}
	model_free(&m);
	tu_close_rm(pool);
}

/* plog_set_packed(): single appends follow each other at 8-byte
 * alignment, the setting survives reopening, switching back aligns again,
 * and it is refused in a transaction. */
Test(log, packed_placement)
{
	plog log;
	pc_pool *pool = log_fresh("log-pk", TU_POOL_SIZE, "l", 1 << 20, &log);
	cr_assert(!plog_packed(&log), "aligned by default");
	cr_assert_eq(plog_set_packed(NULL, true), PC_E_INVAL);
	pc_err te = PC_OK;
	TX(pool, &te) {
		cr_assert_eq(plog_set_packed(&log, true), PC_E_INTX);
	}
	cr_assert(!plog_packed(&log));
	model m = {0};
	unsigned char buf[2000];
	enum { N = 300 };
	for (int phase = 0; phase < 3; phase++) {
		bool pk = phase != 1; /* packed, aligned, packed */
		cr_assert_eq(plog_set_packed(&log, pk), PC_OK);
		if (phase == 2)
			reopen(&pool, &log, "l");
		cr_assert_eq(plog_packed(&log), pk);
		for (int i = 0; i < N; i++) {
			/* small ones and some over the NT threshold */
			size_t len = i % 10 == 9 ? 1000 + (size_t)i
						 : (size_t)(i * 7 % 120);
			fill(buf, len, (uint64_t)phase * 1000 + (uint64_t)i);
			cr_assert_eq(plog_append(&log, buf, len), PC_OK, "%s",
				     pc_errmsg());
			model_push(&m, buf, len);
		}
	}
	expect_model(&log, &m);
	cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());
	/* Placement per phase, from the records' addresses. */
	plog_iter it;
	cr_assert_eq(plog_iter_begin(&log, &it), PC_OK);
	const unsigned char *prev = NULL;
	size_t prevlen = 0;
	size_t packed[3] = {0}, aligned[3] = {0};
	for (size_t idx = 0; idx < m.n; idx++) {
		const void *d;
		size_t len;
		cr_assert(plog_iter_next(&it, &d, &len));
		const unsigned char *q = d;
		size_t phase = idx / N;
		if (prev && idx % N != 0) {
			size_t gap = (size_t)(q - prev);
			size_t stride =
				PLOG_REC_OVERHEAD + ((prevlen + 7) & ~7ul);
			packed[phase] += gap == stride;
			aligned[phase] +=
				((uintptr_t)q - PLOG_REC_OVERHEAD) % 64 == 0;
		}
		prev = q;
		prevlen = len;
	}
	plog_iter_end(&it);
	cr_assert_geq(packed[0], N * 9 / 10, "%zu packed", packed[0]);
	cr_assert_geq(packed[2], N * 9 / 10, "%zu packed", packed[2]);
	cr_assert_eq(aligned[1], N - 1, "%zu aligned", aligned[1]);
	reopen_expect(&pool, &log, "l", &m);
	model_free(&m);
	tu_close_rm(pool);
}

Test(log, differential_with_reopen)
{
	plog log;
	pc_pool *pool = log_fresh("log-diff", 64u << 20, "d", 4096, &log);
	model m = {0};
	uint64_t s = 42;
	unsigned char *buf = malloc(70000);
	cr_assert(buf);
	unsigned ops = scale(4000);
	for (unsigned op = 0; op < ops; op++) {
		uint64_t r = tu_splitmix64(&s) % 1000;
		if (r < 700) {
			size_t len = (size_t)(tu_splitmix64(&s) % 200);
			if (r < 10)
				len = 20000 +
				      (size_t)(tu_splitmix64(&s) % 50000);
			fill(buf, len, op);
			cr_assert_eq(plog_append(&log, buf, len), PC_OK, "%s",
				     pc_errmsg());
			model_push(&m, buf, len);
		} else if (r < 900) {
			plog_iovec v[8];
			unsigned char b[8][100];
			size_t n = 1 + (size_t)(tu_splitmix64(&s) % 8);
			for (size_t i = 0; i < n; i++) {
				size_t len = (size_t)(tu_splitmix64(&s) % 100);
				fill(b[i], len, op * 8 + i);
				v[i].base = b[i];
				v[i].len = len;
				model_push(&m, b[i], len);
			}
			cr_assert_eq(plog_appendv(&log, v, n), PC_OK);
		} else if (r < 910) {
			cr_assert_eq(plog_rewind(&log), PC_OK);
			model_clear(&m);
		} else if (r < 960) {
			reopen_expect(&pool, &log, "d", &m);
		} else if (r < 975) {
			/* switch placement; readers handle both */
			bool pk = !plog_packed(&log);
			cr_assert_eq(plog_set_packed(&log, pk), PC_OK);
			cr_assert_eq(plog_packed(&log), pk);
		} else {
			expect_model(&log, &m);
		}
	}
	expect_model(&log, &m);
	cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());
	reopen_expect(&pool, &log, "d", &m);
	free(buf);
	model_free(&m);
	tu_close_rm(pool);
}

Test(log, rewind_then_append_and_reopen)
{
	plog log;
	pc_pool *pool = log_fresh("log-rw", TU_POOL_SIZE, "l", 4096, &log);
	unsigned char buf[64];
	for (unsigned i = 0; i < 200; i++) {
		fill(buf, sizeof(buf), i);
		cr_assert_eq(plog_append(&log, buf, sizeof(buf)), PC_OK);
	}
	uint64_t cap = plog_nbyte(&log);
	cr_assert_eq(plog_rewind(&log), PC_OK);
	cr_assert_eq(plog_count(&log), 0);
	cr_assert_eq(plog_tell(&log), 0);
	cr_assert_eq(plog_nbyte(&log), cap, "rewind keeps the chunks");
	cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());
	/* Fewer, shorter records than before: the old ones lie after them
	 * in the same chunks, with valid checksums of their own. */
	model m = {0};
	for (unsigned i = 0; i < 5; i++) {
		fill(buf, 40, 1000 + i);
		cr_assert_eq(plog_append(&log, buf, 40), PC_OK);
		model_push(&m, buf, 40);
	}
	expect_model(&log, &m);
	reopen_expect(&pool, &log, "l", &m);
	/* Rewind and reopen with nothing appended: empty. */
	cr_assert_eq(plog_rewind(&log), PC_OK);
	model_clear(&m);
	reopen_expect(&pool, &log, "l", &m);
	model_free(&m);
	tu_close_rm(pool);
}

/* Makes the older slot the only valid one (as if the newest slot write
 * was torn by a crash): recovery then starts from further back. */
/* Close the pool, overwrite len bytes at file offset off (a write that
 * never reached the media), open it and root `name` again. */
static void poke_reopen(pc_pool **pool, plog *log, const char *name, long off,
			const void *bytes, size_t len)
{
	char path[PC_PATH_MAX];
	snprintf(path, sizeof(path), "%s", (*pool)->path);
	cr_assert_eq(pc_pool_close(*pool), PC_OK);
	cr_assert_eq(tu_poke(path, off, bytes, len), 0);
	cr_assert_eq(pc_pool_open(path, pool), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(plog_root(*pool, name, PC_OPEN, 0, log), PC_OK, "%s",
		     pc_errmsg());
}

static void tear_newest_slot(plog *log, pc_pool **pool, const char *name)
{
	uint32_t idx = log->rt->w.cur_slot;
	long off = (long)pc_pool_off(*pool, &log->h->slot[idx]);
	uint64_t junk = 0x0123456789abcdefull;
	poke_reopen(pool, log, name, off + 8, &junk, sizeof(junk));
}

Test(log, stale_records_not_resurrected)
{
	plog log;
	pc_pool *pool =
		log_fresh("log-stale", TU_POOL_SIZE, "l", 1 << 16, &log);
	unsigned char buf[64];
	for (unsigned i = 0; i < 100; i++) {
		fill(buf, sizeof(buf), i);
		cr_assert_eq(plog_append(&log, buf, sizeof(buf)), PC_OK);
	}
	cr_assert_eq(plog_rewind(&log), PC_OK);
	/* Same sizes as before: the new records overwrite the old ones in
	 * place; the old ones after them still look like records. */
	model m = {0};
	for (unsigned i = 0; i < 40; i++) {
		fill(buf, sizeof(buf), 500 + i);
		cr_assert_eq(plog_append(&log, buf, sizeof(buf)), PC_OK);
		model_push(&m, buf, sizeof(buf));
	}
	/* Lose the newest tail slot: recovery scans from the rewind's slot
	 * (or the one before) and must stop after the 40 new records. */
	tear_newest_slot(&log, &pool, "l");
	cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());
	expect_model(&log, &m);
	model_free(&m);
	tu_close_rm(pool);
}

/* File offset of the next record's header, before appending it. */
static long next_rec_off(const plog *log)
{
	const struct plog__chunk *c =
		plog__chunk_at(log->pool, log->rt->w.chunk);
	return (long)(log->rt->w.chunk + c->dataoff + log->rt->w.pos);
}

Test(log, torn_last_record)
{
	plog log;
	pc_pool *pool = log_fresh("log-torn", TU_POOL_SIZE, "l", 1 << 16, &log);
	model m = {0};
	unsigned char buf[300];
	/* 10 records: fewer than a slot period, so the durable tail is
	 * before them and recovery must validate each. */
	for (unsigned i = 0; i < 9; i++) {
		fill(buf, 100 + i, i);
		cr_assert_eq(plog_append(&log, buf, 100 + i), PC_OK);
		model_push(&m, buf, 100 + i);
	}
	long off = next_rec_off(&log);
	fill(buf, 300, 99);
	cr_assert_eq(plog_append(&log, buf, 300), PC_OK);
	cr_assert_eq(plog_count(&log), 10);
	/* Tear its payload: one 8-byte word never reached the media. */
	uint64_t junk = 0xdeadbeefdeadbeefull;
	poke_reopen(&pool, &log, "l", off + 24 + 200, &junk, 8);
	cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());
	expect_model(&log, &m);
	/* Appending goes on where the torn one was; reopen keeps it. */
	fill(buf, 50, 77);
	cr_assert_eq(plog_append(&log, buf, 50), PC_OK);
	model_push(&m, buf, 50);
	reopen_expect(&pool, &log, "l", &m);

	/* A torn header (length word) is caught the same way. */
	off = next_rec_off(&log);
	fill(buf, 64, 78);
	cr_assert_eq(plog_append(&log, buf, 64), PC_OK);
	uint32_t badlen = 65;
	poke_reopen(&pool, &log, "l", off + 8, &badlen, 4);
	cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());
	expect_model(&log, &m);
	model_free(&m);
	tu_close_rm(pool);
}

Test(log, torn_batch_is_all_or_nothing)
{
	plog log;
	pc_pool *pool =
		log_fresh("log-tornv", TU_POOL_SIZE, "l", 1 << 16, &log);
	model m = {0};
	unsigned char b[5][64];
	plog_iovec v[5];
	for (unsigned i = 0; i < 3; i++) {
		fill(b[0], 64, i);
		cr_assert_eq(plog_append(&log, b[0], 64), PC_OK);
		model_push(&m, b[0], 64);
	}
	long off = next_rec_off(&log);
	for (unsigned i = 0; i < 5; i++) {
		fill(b[i], 64, 100 + i);
		v[i].base = b[i];
		v[i].len = 64;
	}
	cr_assert_eq(plog_appendv(&log, v, 5), PC_OK);
	cr_assert_eq(plog_count(&log), 8);
	/* Tear the 4th record of the batch: the first three are intact
	 * but the batch must vanish as a whole. */
	uint64_t junk = 0x5555aaaa5555aaaaull;
	long rec4 = off + 3 * (24 + 64);
	poke_reopen(&pool, &log, "l", rec4 + 24 + 8, &junk, 8);
	cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());
	expect_model(&log, &m);
	/* A later, longer record must not pick up the batch's remains:
	 * records after the torn one that still carry valid tags. */
	unsigned char big[200];
	fill(big, sizeof(big), 555);
	cr_assert_eq(plog_append(&log, big, sizeof(big)), PC_OK);
	model_push(&m, big, sizeof(big));
	fill(b[0], 64, 556);
	cr_assert_eq(plog_append(&log, b[0], 64), PC_OK);
	model_push(&m, b[0], 64);
	expect_model(&log, &m);
	reopen_expect(&pool, &log, "l", &m);
	model_free(&m);
	tu_close_rm(pool);
}

Test(log, pool_full_leaves_log_unchanged)
{
	plog log;
	pc_pool *pool =
		log_fresh("log-full", PC_POOL_MIN_SIZE, "l", 4096, &log);
	model m = {0};
	unsigned char *buf = malloc(100000);
	cr_assert(buf);
	pc_err e = PC_OK;
	unsigned i;
	for (i = 0; i < 10000; i++) {
		fill(buf, 100000, i);
		e = plog_append(&log, buf, 100000);
		if (e != PC_OK)
			break;
		model_push(&m, buf, 100000);
	}
	cr_assert_eq(e, PC_E_FULL, "got %d: %s", e, pc_errmsg());
	cr_assert_gt(i, 0);
	uint64_t nb = plog_nbyte(&log);
	expect_model(&log, &m);
	cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());
	/* A batch that cannot fit changes nothing either. */
	plog_iovec v[3] = {{buf, 10}, {buf, 5000000}, {buf, 10}};
	unsigned char *huge = malloc(5000000);
	cr_assert(huge);
	v[1].base = huge;
	cr_assert_eq(plog_appendv(&log, v, 3), PC_E_FULL);
	cr_assert_eq(plog_nbyte(&log), nb);
	expect_model(&log, &m);
	/* Small records still fit in what is left of the last chunk (or a
	 * small new chunk). */
	fill(buf, 16, 9999);
	if (plog_append(&log, buf, 16) == PC_OK)
		model_push(&m, buf, 16);
	reopen_expect(&pool, &log, "l", &m);
	free(huge);
	free(buf);
	model_free(&m);
	tu_close_rm(pool);
}

Test(log, tx_abort_drops_appends)
{
	plog log;
	pc_pool *pool = log_fresh("log-tx", TU_POOL_SIZE, "l", 4096, &log);
	model m = {0};
	unsigned char buf[5000];
	for (unsigned i = 0; i < 3; i++) {
		fill(buf, 30, i);
		cr_assert_eq(plog_append(&log, buf, 30), PC_OK);
		model_push(&m, buf, 30);
	}
	uint64_t nb = plog_nbyte(&log);
	pc_err err = PC_OK;
	TX(pool, &err) {
		fill(buf, 40, 10);
		cr_assert_eq(plog_append(&log, buf, 40), PC_OK);
		fill(buf, 5000, 11); /* needs a new chunk */
		cr_assert_eq(plog_append(&log, buf, 5000), PC_OK);
		plog_iovec v[2] = {{buf, 7}, {buf, 9}};
		cr_assert_eq(plog_appendv(&log, v, 2), PC_OK);
		/* not visible to readers before commit */
		cr_assert_eq(plog_count(&log), 3);
		cr_assert_eq(plog_rewind(&log), PC_E_INTX);
		pc_tx_abort(PC_E_ABORTED);
	}
	cr_assert_eq(err, PC_E_ABORTED);
	cr_assert_eq(plog_nbyte(&log), nb, "the new chunk is gone");
	cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());
	expect_model(&log, &m);
	/* break out of TX() aborts too */
	TX(pool, &err) {
		cr_assert_eq(plog_append(&log, buf, 12), PC_OK);
		break;
	}
	cr_assert_eq(err, PC_E_ESCAPED);
	expect_model(&log, &m);
	/* A shorter record now takes the aborted one's place; the aborted
	 * records after it must not come back, live or after reopen. */
	fill(buf, 8, 20);
	cr_assert_eq(plog_append(&log, buf, 8), PC_OK);
	model_push(&m, buf, 8);
	expect_model(&log, &m);
	reopen_expect(&pool, &log, "l", &m);
	/* Commit keeps them, in order, visible after the commit. */
	TX(pool, &err) {
		fill(buf, 33, 30);
		cr_assert_eq(plog_append(&log, buf, 33), PC_OK);
		model_push(&m, buf, 33);
		fill(buf, 4500, 31);
		cr_assert_eq(plog_append(&log, buf, 4500), PC_OK);
		model_push(&m, buf, 4500);
	}
	cr_assert_eq(err, PC_OK, "%s", pc_errmsg());
	expect_model(&log, &m);
	fill(buf, 3, 32);
	cr_assert_eq(plog_append(&log, buf, 3), PC_OK);
	model_push(&m, buf, 3);
	reopen_expect(&pool, &log, "l", &m);
	model_free(&m);
	tu_close_rm(pool);
}

Test(log, errors)
{
	pc_pool *pool = tu_mkpool("log-err", TU_POOL_SIZE);
	plog log;
	cr_assert_eq(plog_root(pool, "nope", PC_OPEN, 0, &log), PC_E_NOTFOUND);
	PC_PTR(uint64_t) p;
	cr_assert_eq(PC_ROOT(pool, "u64", uint64_t, PC_CREATE, &p), PC_OK);
	cr_assert_eq(plog_root(pool, "u64", PC_OPEN_OR_CREATE, 0, &log),
		     PC_E_TYPE);
	cr_assert_eq(plog_root(pool, "l", PC_CREATE, 0, &log), PC_OK);
	cr_assert_eq(plog_root(pool, "l", PC_CREATE, 0, &log), PC_E_EXISTS);
	cr_assert_eq(plog_append(&log, NULL, 5), PC_E_INVAL);
	cr_assert_eq(plog_append(NULL, "x", 1), PC_E_INVAL);
	cr_assert_eq(plog_append(&log, "x", PLOG_REC_MAX + (size_t)1),
		     PC_E_TOOBIG);
	cr_assert_eq(plog_append(&log, NULL, 0), PC_OK);
	cr_assert_eq(plog_walk(&log, 0, NULL, NULL), PC_E_INVAL);
	cr_assert_eq(plog_count(&log), 1);
	tu_close_rm(pool);
}

static int rewind_in_walk(const void *b, size_t l, void *arg)
{
	(void)b;
	(void)l;
	plog *log = arg;
	cr_assert_eq(plog_rewind(log), PC_E_BUSY);
	/* appending from a walk is fine; the walk does not see it */
	cr_assert_eq(plog_append(log, "z", 1), PC_OK);
	return 0;
}

Test(log, walk_callback_rules)
{
	plog log;
	pc_pool *pool = log_fresh("log-cb", TU_POOL_SIZE, "l", 0, &log);
	cr_assert_eq(plog_append(&log, "a", 1), PC_OK);
	cr_assert_eq(plog_append(&log, "b", 1), PC_OK);
	cr_assert_eq(plog_walk(&log, 0, rewind_in_walk, &log), PC_OK);
	cr_assert_eq(plog_count(&log), 4);
	cr_assert_eq(plog_rewind(&log), PC_OK);
	cr_assert_eq(plog_count(&log), 0);
	tu_close_rm(pool);
}

Test(log, free_and_recreate)
{
	plog log;
	pc_pool *pool = log_fresh("log-free", TU_POOL_SIZE, "l", 1 << 20, &log);
	unsigned char buf[1000];
	fill(buf, sizeof(buf), 1);
	for (int i = 0; i < 2000; i++)
		cr_assert_eq(plog_append(&log, buf, sizeof(buf)), PC_OK);
	pc_pool_stats st1 = {0}, st2 = {0};
	cr_assert_eq(pc_pool_stats_get(pool, &st1), PC_OK);
	cr_assert_eq(plog_free(&log), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(pc_pool_stats_get(pool, &st2), PC_OK);
	cr_assert_lt(st2.used + 2000000, st1.used, "chunks freed");
	cr_assert_eq(plog_root(pool, "l", PC_OPEN, 0, &log), PC_E_NOTFOUND);
	cr_assert_eq(plog_root(pool, "l", PC_CREATE, 0, &log), PC_OK);
	cr_assert_eq(plog_count(&log), 0);
	tu_close_rm(pool);
}

/* ---- threads ---- */
#define NTHREADS 4

struct thr {
	plog *log;
	unsigned id, n;
};

/* Record of thread t, number i: {t, i, len} then a pattern. */
static size_t thr_rec(unsigned char *buf, unsigned t, unsigned i)
{
	size_t len = 12 + (size_t)((t * 7 + i * 13) % 150);
	uint32_t h[3] = {t, i, (uint32_t)len};
	fill(buf, len, ((uint64_t)t << 32) | i);
	memcpy(buf, h, sizeof(h));
	return len;
}

static void *appender(void *arg)
{
	struct thr *a = arg;
	unsigned char buf[200];
	for (unsigned i = 0; i < a->n; i++) {
		size_t len = thr_rec(buf, a->id, i);
		if (i % 10 == 9) {
			plog_iovec v[2] = {{buf, len}, {buf, len}};
			/* a batch of the same record twice, marked */
			buf[11] = 0xBB;
			if (plog_appendv(a->log, v, 2) != PC_OK)
				return (void *)1;
			continue;
		}
		if (plog_append(a->log, buf, len) != PC_OK)
			return (void *)1;
	}
	return NULL;
}

/* Checks one record of the concurrent tests; returns its (t, i). */
static void check_thr_rec(const void *d, size_t len, unsigned *t, unsigned *i)
{
	cr_assert_geq(len, 12);
	uint32_t h[3];
	memcpy(h, d, sizeof(h));
	cr_assert_lt(h[0], NTHREADS);
	unsigned char want[200];
	size_t wl = thr_rec(want, h[0], h[1]);
	if (h[1] % 10 == 9)
		want[11] = 0xBB;
	cr_assert_eq(len, wl, "record (%u,%u) has length %zu, want %zu", h[0],
		     h[1], len, wl);
	cr_assert(memcmp(d, want, wl) == 0, "record (%u,%u) is torn", h[0],
		  h[1]);
	*t = h[0];
	*i = h[1];
}

static void verify_threads(const plog *log, unsigned n)
{
	unsigned next[NTHREADS] = {0};
	unsigned pending[NTHREADS] = {0};
	plog_iter it;
	cr_assert_eq(plog_iter_begin(log, &it), PC_OK);
	const void *d;
	size_t len;
	while (plog_iter_next(&it, &d, &len)) {
		unsigned t, i;
		check_thr_rec(d, len, &t, &i);
		if (i % 10 == 9) {
			/* batch: two identical records back to back */
			if (pending[t]) {
				pending[t] = 0;
				cr_assert_eq(i, next[t]);
				next[t]++;
				continue;
			}
			cr_assert_eq(i, next[t], "thread %u: %u after %u", t, i,
				     next[t]);
			pending[t] = 1;
			continue;
		}
		cr_assert_eq(pending[t], 0, "a batch was split");
		cr_assert_eq(i, next[t], "thread %u: record %u, expected %u", t,
			     i, next[t]);
		next[t]++;
	}
	plog_iter_end(&it);
	for (unsigned t = 0; t < NTHREADS; t++)
		cr_assert_eq(next[t], n, "thread %u: %u records of %u", t,
			     next[t], n);
}

Test(log, concurrent_appenders)
{
	plog log;
	pc_pool *pool = log_fresh("log-mt", 64u << 20, "l", 4096, &log);
	unsigned n = scale(3000);
	pthread_t th[NTHREADS];
	struct thr a[NTHREADS];
	for (unsigned t = 0; t < NTHREADS; t++) {
		/* each thread its own handle: they share the log's state */
		plog *h = malloc(sizeof(*h));
		cr_assert(h);
		cr_assert_eq(plog_root(pool, "l", PC_OPEN, 0, h), PC_OK);
		a[t] = (struct thr){h, t, n};
		cr_assert_eq(pthread_create(&th[t], NULL, appender, &a[t]), 0);
	}
	for (unsigned t = 0; t < NTHREADS; t++) {
		void *r;
		cr_assert_eq(pthread_join(th[t], &r), 0);
		cr_assert_null(r, "thread %u failed: %s", t, pc_errmsg());
		free(a[t].log);
	}
	uint64_t per = n + n / 10; /* batches add one record */
	cr_assert_eq(plog_count(&log), per * NTHREADS);
	cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());
	verify_threads(&log, n);
	reopen(&pool, &log, "l");
	verify_threads(&log, n);
	tu_close_rm(pool);
}

struct walker {
	plog *log;
	volatile int *stop;
	unsigned walks;
	uint64_t last_count;
	int bad;
};

static int walk_check(const void *d, size_t len, void *arg)
{
	uint64_t *cnt = arg;
	unsigned t, i;
	check_thr_rec(d, len, &t, &i);
	(*cnt)++;
	return 0;
}

static void *walker_fn(void *arg)
{
	struct walker *w = arg;
	/* At least one walk, even if the appender finishes before this
	 * thread is first scheduled (a loaded machine). */
	do {
		uint64_t cnt = 0;
		if (plog_walk(w->log, 0, walk_check, &cnt) != PC_OK) {
			w->bad = 1;
			break;
		}
		if (cnt < w->last_count)
			w->bad = 2;
		w->last_count = cnt;
		w->walks++;
	} while (!__atomic_load_n(w->stop, __ATOMIC_ACQUIRE));
	return NULL;
}

Test(log, walker_during_appends)
{
	plog log;
	pc_pool *pool = log_fresh("log-walk", 64u << 20, "l", 4096, &log);
	volatile int stop = 0;
	struct walker w = {&log, &stop, 0, 0, 0};
	struct thr a = {&log, 0, scale(6000)};
	pthread_t tw, ta;
	cr_assert_eq(pthread_create(&tw, NULL, walker_fn, &w), 0);
	cr_assert_eq(pthread_create(&ta, NULL, appender, &a), 0);
	void *r;
	cr_assert_eq(pthread_join(ta, &r), 0);
	cr_assert_null(r);
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	cr_assert_eq(pthread_join(tw, NULL), 0);
	cr_assert_eq(w.bad, 0);
	cr_assert_gt(w.walks, 0);
	cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());
	tu_close_rm(pool);
}

#if defined(PCOLL_COUNT)
Test(log, fences_per_append)
{
	if (!tu_forced_pmem())
		cr_skip_test("fences are counted on the flush path only");
	plog log;
	pc_pool *pool =
		log_fresh("log-fence", TU_POOL_SIZE, "l", 1 << 20, &log);
	unsigned char buf[64] = {1};
	cr_assert_eq(plog_append(&log, buf, 64), PC_OK);
	pc_persist_counters_reset();
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(plog_append(&log, buf, 64), PC_OK);
	pc_persist_counters c = pc_persist_counters_get();
	cr_assert_eq(c.fences, 1000, "%llu fences for 1000 appends",
		     (unsigned long long)c.fences);
	plog_iovec v[16];
	for (int i = 0; i < 16; i++)
		v[i] = (plog_iovec){buf, 64};
	pc_persist_counters_reset();
	for (int i = 0; i < 100; i++)
		cr_assert_eq(plog_appendv(&log, v, 16), PC_OK);
	c = pc_persist_counters_get();
	cr_assert_eq(c.fences, 100, "%llu fences for 100 batches",
		     (unsigned long long)c.fences);
	tu_close_rm(pool);
}
#endif

/* ---- lock order: rewind against a walk whose callback appends ---- */
struct slow_walk {
	plog *log;
	int appended;
	int started; /* set by the first callback: the walk holds its lock */
};

static int append_and_linger(const void *b, size_t l, void *arg)
{
	(void)b;
	(void)l;
	struct slow_walk *w = arg;
	if (plog_append(w->log, "cb", 2) == PC_OK)
		w->appended++;
	__atomic_store_n(&w->started, 1, __ATOMIC_RELEASE);
	usleep(2000);
	return 0;
}

static void *walk_slowly(void *arg)
{
	struct slow_walk *w = arg;
	return plog_walk(w->log, 0, append_and_linger, w) == PC_OK ? NULL
								   : (void *)1;
}

static void *rewind_repeatedly(void *arg)
{
	plog *log = arg;
	for (int i = 0; i < 5; i++) {
		if (plog_rewind(log) != PC_OK)
			return (void *)1;
		if (plog_append(log, "r", 1) != PC_OK)
			return (void *)1;
		usleep(1000);
	}
	return NULL;
}

Test(log, rewind_during_walk_that_appends, .timeout = 60)
{
	pc_pool *pool = tu_mkpool("log-lockorder", TU_POOL_SIZE);
	plog log, log2;
	cr_assert_eq(plog_root(pool, "l", PC_CREATE, 0, &log), PC_OK);
	cr_assert_eq(plog_root(pool, "l", PC_OPEN, 0, &log2), PC_OK);
	for (int i = 0; i < 20; i++)
		cr_assert_eq(plog_append(&log, "x", 1), PC_OK);
	struct slow_walk w = {&log, 0, 0};
	pthread_t a, b;
	cr_assert_eq(pthread_create(&a, NULL, walk_slowly, &w), 0);
	/* The rewinds must come during the walk: wait until it has begun
	 * (a fixed sleep was too short on a loaded machine). */
	while (!__atomic_load_n(&w.started, __ATOMIC_ACQUIRE))
		usleep(500);
	cr_assert_eq(pthread_create(&b, NULL, rewind_repeatedly, &log2), 0);
	void *ra, *rb;
	cr_assert_eq(pthread_join(a, &ra), 0);
	cr_assert_eq(pthread_join(b, &rb), 0);
	cr_assert_null(ra);
	cr_assert_null(rb);
	cr_assert_eq(w.appended, 20,
		     "the walk saw the 20 records it began "
		     "with and appended after each");
	/* the last rewind came after the walk: one "r" at least, then only
	 * 1-byte "r" records or 2-byte "cb" ones */
	cr_assert_geq(plog_count(&log), 1);
	cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());
	tu_close_rm(pool);
}

/* ---- a transaction keeps other appenders out until it ends ---- */
struct tx_other {
	plog *log;
	volatile int done;
};

static void *append_other(void *arg)
{
	struct tx_other *o = arg;
	pc_err e = plog_append(o->log, "other", 5);
	__atomic_store_n(&o->done, 1, __ATOMIC_RELEASE);
	return e == PC_OK ? NULL : (void *)1;
}

Test(log, tx_excludes_other_appenders, .timeout = 60)
{
	pc_pool *pool = tu_mkpool("log-txmt", TU_POOL_SIZE);
	plog log, log2;
	cr_assert_eq(plog_root(pool, "l", PC_CREATE, 0, &log), PC_OK);
	cr_assert_eq(plog_root(pool, "l", PC_OPEN, 0, &log2), PC_OK);
	cr_assert_eq(plog_append(&log, "first", 5), PC_OK);
	struct tx_other o = {&log2, 0};
	pthread_t t;
	pc_err err = PC_OK;
	TX(pool, &err) {
		cr_assert_eq(plog_append(&log, "in-tx", 5), PC_OK);
		cr_assert_eq(pthread_create(&t, NULL, append_other, &o), 0);
		usleep(20000);
		/* the other thread waits for this transaction */
		cr_assert_eq(__atomic_load_n(&o.done, __ATOMIC_ACQUIRE), 0);
		pc_tx_abort(PC_E_ABORTED);
	}
	cr_assert_eq(err, PC_E_ABORTED);
	void *r;
	cr_assert_eq(pthread_join(t, &r), 0);
	cr_assert_null(r);
	model m = {0};
	model_push(&m, "first", 5);
	model_push(&m, "other", 5);
	expect_model(&log, &m);
	reopen_expect(&pool, &log, "l", &m);
	model_free(&m);
	tu_close_rm(pool);
}

/* ---- process kill: a writer killed with SIGKILL at random moments ---- */
static size_t kill_rec(unsigned char *buf, uint64_t k)
{
	size_t len = (size_t)(k * 37 % 300);
	fill(buf, len, k);
	if (len >= 8)
		memcpy(buf, &k, 8);
	return len;
}

static void kill_child(const char *path, volatile uint64_t *committed)
{
	pc_pool *pool = NULL;
	plog log;
	if (pc_pool_open(path, &pool) != PC_OK ||
	    plog_root(pool, "k", PC_OPEN, 0, &log) != PC_OK)
		_exit(3);
	unsigned char buf[300];
	__atomic_store_n(&committed[1], 1, __ATOMIC_RELEASE); /* ready */
	for (uint64_t k = plog_count(&log);; k++) {
		size_t len = kill_rec(buf, k);
		pc_err e;
		if (k % 7 == 3) {
			/* a batch of two: k and k+1 */
			unsigned char b2[300];
			size_t l2 = kill_rec(b2, k + 1);
			plog_iovec v[2] = {{buf, len}, {b2, l2}};
			e = plog_appendv(&log, v, 2);
			k++;
		} else {
			e = plog_append(&log, buf, len);
		}
		if (e != PC_OK)
			_exit(4);
		__atomic_store_n(committed, k + 1, __ATOMIC_RELEASE);
	}
}

Test(log, kill9_soak, .timeout = 120)
{
	const char *path = tu_path("log-kill");
	pc_pool *pool = NULL;
	plog log;
	cr_assert_eq(pc_pool_create(path, 64u << 20, &pool), PC_OK);
	cr_assert_eq(plog_root(pool, "k", PC_CREATE, 4096, &log), PC_OK);
	cr_assert_eq(pc_pool_close(pool), PC_OK);
	volatile uint64_t *committed = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq((void *)committed, MAP_FAILED);
	uint64_t seed = 7;
	unsigned rounds = tu_forced_pmem() ? 12 : 4;
	uint64_t total = 0;
	for (unsigned round = 0; round < rounds; round++) {
		committed[0] = 0;
		committed[1] = 0;
		pid_t pid = tu_fork();
		if (pid == 0)
			kill_child(path, committed);
		/* wait until the child has opened the pool */
		for (int i = 0; i < 10000 && !__atomic_load_n(&committed[1],
							      __ATOMIC_ACQUIRE);
		     i++)
			usleep(1000);
		struct timespec ts = {0, (long)(1 + tu_splitmix64(&seed) % 10) *
						 1000000L};
		nanosleep(&ts, NULL);
		tu_kill9(pid);
		uint64_t c = __atomic_load_n(committed, __ATOMIC_ACQUIRE);
		cr_assert_eq(pc_pool_open(path, &pool), PC_OK, "%s",
			     pc_errmsg());
		cr_assert_eq(plog_root(pool, "k", PC_OPEN, 0, &log), PC_OK,
			     "%s", pc_errmsg());
		cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());
		uint64_t n = plog_count(&log);
		/* every append that returned is there (and everything from
		 * earlier rounds); at most the one (or the batch of two) in
		 * flight more */
		if (c < total)
			c = total;
		cr_assert_geq(n, c, "round %u: %llu records, %llu committed",
			      round, (unsigned long long)n,
			      (unsigned long long)c);
		cr_assert_leq(n, c + 2);
		cr_log_info("kill9 round %u: %llu committed, %llu present",
			    round, (unsigned long long)c,
			    (unsigned long long)n);
		total = n;
		plog_iter it;
		cr_assert_eq(plog_iter_begin(&log, &it), PC_OK);
		const void *d;
		size_t len;
		uint64_t k = 0;
		unsigned char want[300];
		while (plog_iter_next(&it, &d, &len)) {
			size_t wl = kill_rec(want, k);
			cr_assert_eq(len, wl, "record %llu: length",
				     (unsigned long long)k);
			cr_assert(memcmp(d, want, wl) == 0,
				  "record %llu differs", (unsigned long long)k);
			k++;
		}
		plog_iter_end(&it);
		cr_assert_eq(k, n);
		cr_assert_eq(pc_pool_close(pool), PC_OK);
	}
	cr_assert_gt(total, rounds, "the writer got to append");
	munmap((void *)committed, 4096);
	(void)unlink(path);
}
