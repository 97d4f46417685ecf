/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PLOG's commit forms (detail/log_form.h) and the resumable read position
 * (plog_iter_tell/plog_iter_seek): records of every form in one log,
 * sizes on both sides of each threshold, batches mixing the forms, the
 * form chosen by cost with and without the crc32 instruction, torn
 * records of each form, the CRC against a reference, logs of layout 2,
 * and reading in batches that resume where the last one stopped.
 * Linked into the log suite next to test_log.c.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pcoll/log.h>
#include <pcoll/pcoll.h>

#include "tu_pool.h"

#define F_SUM    PLOG__FORM_SUM
#define F_CRC    PLOG__FORM_CRC
#define F_FENCE2 PLOG__FORM_FENCE2

/* Deterministic payload of record id. */
static void fill_rec(unsigned char *buf, size_t len, uint64_t id)
{
	uint64_t s = id * 0x9E3779B97F4A7C15ull + 11;
	for (size_t k = 0; k < len; k += 8) {
		uint64_t v = tu_splitmix64(&s);
		memcpy(buf + k, &v, len - k < 8 ? len - k : 8);
	}
}

/* The hooks are process-wide: every test leaves them as it found them. */
static void hooks_reset(void)
{
	plog__form_force = PLOG__FORM_BY_COST;
	plog__crc_sel = PLOG__CRC_UNKNOWN;
}

TestSuite(log_forms, .fini = hooks_reset);

static pc_pool *fresh(const char *tag, plog *log, size_t cap)
{
	pc_pool *p = tu_mkpool(tag, 64u << 20);
	cr_assert_eq(plog_root(p, "l", PC_CREATE, cap, log), PC_OK, "%s",
		     pc_errmsg());
	return p;
}

static void reopen_log(pc_pool **p, plog *log)
{
	tu_reopen(p);
	cr_assert_eq(plog_root(*p, "l", PC_OPEN, 0, log), PC_OK, "%s",
		     pc_errmsg());
	cr_assert_eq(plog_check(log), PC_OK, "%s", pc_errmsg());
}

/* The form the record just returned by plog_iter_next() (data) was
 * written in, read back from its header. */
static int form_of(const plog_iter *it, const void *data)
{
	const struct plog__rec *r = (const struct plog__rec *)data - 1;
	if (!(r->len & PLOG__LEN_ALT))
		return F_SUM;
	uint64_t seq = it->seq - 1;
	const uint64_t *k = it->log->rt->k;
	uint64_t f2 = plog__rec_sum(k, it->c->salt, PLOG__PH_FENCE2, seq,
				    r->len, r->batch);
	return r->sum == f2 ? F_FENCE2 : F_CRC;
}

/* What a test appended: lengths, ids and the form each record must be
 * in (0: any). */
typedef struct expect {
	size_t n;
	size_t len[256];
	uint64_t id[256];
	int form[256];
} expect;

static void ex_add(expect *e, size_t len, uint64_t id, int form)
{
	cr_assert_lt(e->n, 256);
	e->len[e->n] = len;
	e->id[e->n] = id;
	e->form[e->n] = form;
	e->n++;
}

/* The log holds exactly e's records, each in its form. */
static void expect_log(const plog *log, const expect *e)
{
	cr_assert_eq(plog_count(log), e->n);
	plog_iter it;
	cr_assert_eq(plog_iter_begin(log, &it), PC_OK, "%s", pc_errmsg());
	const void *d;
	size_t len, i = 0;
	static unsigned char want[1 << 18];
	while (plog_iter_next(&it, &d, &len)) {
		cr_assert_lt(i, e->n, "more records than appended");
		cr_assert_eq(len, e->len[i], "record %zu: %zu bytes, want %zu",
			     i, len, e->len[i]);
		fill_rec(want, len, e->id[i]);
		cr_assert(memcmp(d, want, len) == 0, "record %zu differs", i);
		if (e->form[i])
			cr_assert_eq(form_of(&it, d), e->form[i],
				     "record %zu (%zu bytes): form %d, want %d",
				     i, len, form_of(&it, d), e->form[i]);
		i++;
	}
	cr_assert_eq(plog_iter_error(&it), PC_OK, "%s", pc_errmsg());
	plog_iter_end(&it);
	cr_assert_eq(i, e->n);
}

static unsigned char bufs[6][1 << 18];

/* Appends one record of len bytes (id) in the given form (forced). */
static void append_in(plog *log, expect *e, size_t len, uint64_t id, int form)
{
	plog__form_force = form;
	fill_rec(bufs[0], len, id);
	cr_assert_eq(plog_append(log, bufs[0], len), PC_OK, "%s", pc_errmsg());
	plog__form_force = PLOG__FORM_BY_COST;
	int pmem_large = tu_forced_pmem() && len >= PLOG__NT_MIN;
	ex_add(e, len, id, pmem_large ? form : F_SUM);
}

Test(log_forms, every_form_in_one_log_with_batches_mixing_them)
{
	plog log;
	pc_pool *pool = fresh("forms-mix", &log, 1 << 20);
	expect e = {0};
	static const size_t lens[] = {767,  768,   769,   1000,  4095, 4096,
				      4097, 65535, 65536, 65537, 100};
	uint64_t id = 1;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (int f = F_SUM; f <= F_FENCE2; f++)
			append_in(&log, &e, lens[i], id++, f);
	/* Batches whose records are in different forms, chosen by cost:
	 * small (hash), large (crc or fence2 without crc32), largest
	 * (fence2); a fence2 record first, inside and last. */
	static const size_t bl[][6] = {
		{64, PLOG_FENCE2_MIN, 2000, 8, PLOG_FENCE2_MIN + 8, 900},
		{PLOG_FENCE2_MIN + 1, 70, 4096, PLOG_FENCE2_MIN_NOCRC, 0, 33},
	};
	for (int b = 0; b < 2; b++) {
		plog_iovec v[6];
		for (int j = 0; j < 6; j++) {
			fill_rec(bufs[j], bl[b][j], id);
			v[j].base = bufs[j];
			v[j].len = bl[b][j];
			ex_add(&e, bl[b][j], id++, 0);
		}
		cr_assert_eq(plog_appendv(&log, v, 6), PC_OK, "%s",
			     pc_errmsg());
	}
	cr_assert_eq(plog_check(&log), PC_OK, "%s", pc_errmsg());
	expect_log(&log, &e);
	reopen_log(&pool, &log);
	expect_log(&log, &e);
	/* Packed placement: records start inside a line. */
	cr_assert_eq(plog_set_packed(&log, true), PC_OK);
	for (int f = F_SUM; f <= F_FENCE2; f++) {
		append_in(&log, &e, 100, id++, f);
		append_in(&log, &e, 5000, id++, f);
	}
	reopen_log(&pool, &log);
	expect_log(&log, &e);
	tu_close_rm(pool);
}

Test(log_forms, form_chosen_by_cost)
{
	if (!tu_forced_pmem())
		cr_skip_test("forms other than sum are for persistent memory");
	for (int hw = 0; hw < 2; hw++) {
		plog__crc_sel = hw ? PLOG__CRC_UNKNOWN : PLOG__CRC_SW;
		int crc = plog__crc_hw();
		if (hw && !crc)
			cr_skip_test("this CPU has no crc32 instruction");
		plog log;
		pc_pool *pool =
			fresh(hw ? "forms-hw" : "forms-sw", &log, 1 << 20);
		expect e = {0};
		size_t lens[] = {
			PLOG__NT_MIN - 1,      PLOG__NT_MIN,
			PLOG_CRC_MIN,          PLOG_FENCE2_MIN_NOCRC - 1,
			PLOG_FENCE2_MIN_NOCRC, PLOG_FENCE2_MIN - 1,
			PLOG_FENCE2_MIN};
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			size_t l = lens[i];
			int want;
			if (l < PLOG__NT_MIN)
				want = F_SUM;
			else if (crc)
				want = l >= PLOG_FENCE2_MIN ? F_FENCE2
				       : l >= PLOG_CRC_MIN  ? F_CRC
							    : F_SUM;
			else
				want = l >= PLOG_FENCE2_MIN_NOCRC ? F_FENCE2
								  : F_SUM;
			fill_rec(bufs[0], l, i);
			cr_assert_eq(plog_append(&log, bufs[0], l), PC_OK);
			ex_add(&e, l, i, want);
		}
		expect_log(&log, &e);
		reopen_log(&pool, &log);
		expect_log(&log, &e);
		tu_close_rm(pool);
	}
}

/* Bitwise CRC32C over bytes, the reference for the table and the
 * instruction. */
static uint32_t crc_ref(uint32_t c, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int b = 0; b < 8; b++)
			c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
	}
	return c;
}

Test(log_forms, crc_matches_reference_and_instruction)
{
	/* The standard check value of CRC-32C. */
	cr_assert_eq(~crc_ref(~0u, (const unsigned char *)"123456789", 9),
		     0xE3069283u);
	uint64_t s = 5;
	for (int i = 0; i < 1000; i++) {
		uint32_t c = (uint32_t)tu_splitmix64(&s);
		uint64_t v = tu_splitmix64(&s);
		unsigned char b[8];
		memcpy(b, &v, 8);
		cr_assert_eq(plog__crc_u64_sw(c, v), crc_ref(c, b, 8));
	}
	plog__crc_sel = PLOG__CRC_UNKNOWN;
	if (!plog__crc_hw())
		cr_skip_test("this CPU has no crc32 instruction");
#if defined(__x86_64__)
	uint64_t k[4];
	plog__keys(42, k);
	for (size_t len = 0; len < 5000; len += len < 300 ? 1 : 97) {
		fill_rec(bufs[0], len, len);
		cr_assert_eq(plog__crc_payload_hw(k, bufs[0], len),
			     plog__crc_payload_sw(k, bufs[0], len),
			     "CRC lanes of %zu bytes differ", len);
	}
	/* A torn line changes every lane's result. */
	fill_rec(bufs[0], 4096, 1);
	uint64_t a = plog__crc_payload_hw(k, bufs[0], 4096);
	memset(bufs[0] + 1024, 0, 64);
	cr_assert_neq(plog__crc_payload_hw(k, bufs[0], 4096), a);
#endif
}

/* File offset of the header of the next record (as log_test.c's). */
static long next_off(const plog *log)
{
	const struct plog__chunk *c =
		plog__chunk_at(log->pool, log->rt->w.chunk);
	return (long)(log->rt->w.chunk + c->dataoff + log->rt->w.pos);
}

static void poke(pc_pool **pool, plog *log, long off, const void *b, size_t n)
{
	char path[PC_PATH_MAX];
	snprintf(path, sizeof(path), "%s", (*pool)->path);
	cr_assert_eq(pc_pool_close(*pool), PC_OK);
	cr_assert_eq(tu_poke(path, off, b, n), 0);
	cr_assert_eq(pc_pool_open(path, pool), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(plog_root(*pool, "l", PC_OPEN, 0, log), PC_OK, "%s",
		     pc_errmsg());
	cr_assert_eq(plog_check(log), PC_OK, "%s", pc_errmsg());
}

Test(log_forms, torn_records_of_each_form_are_dropped)
{
	if (!tu_forced_pmem())
		cr_skip_test("forms other than sum are for persistent memory");
	plog log;
	pc_pool *pool = fresh("forms-torn", &log, 1 << 20);
	expect e = {0};
	for (uint64_t i = 0; i < 5; i++)
		append_in(&log, &e, 2000, i, F_CRC);
	/* A crc record whose payload lost one line (old bytes). */
	long off = next_off(&log);
	append_in(&log, &e, 4096, 50, F_CRC);
	e.n--;
	unsigned char junk[64];
	memset(junk, 0xA5, sizeof(junk));
	poke(&pool, &log, off + 64 * 20, junk, sizeof(junk));
	expect_log(&log, &e);
	/* A fence2 record whose second fence never came: its tag is still
	 * zero on the media. */
	off = next_off(&log);
	append_in(&log, &e, 70000, 51, F_FENCE2);
	e.n--;
	uint64_t zero = 0;
	poke(&pool, &log, off, &zero, sizeof(zero));
	expect_log(&log, &e);
	/* A fence2 record with its tag but a torn length word. */
	off = next_off(&log);
	append_in(&log, &e, 5000, 52, F_FENCE2);
	e.n--;
	uint32_t badlen = 5008 | PLOG__LEN_ALT;
	poke(&pool, &log, off + 8, &badlen, sizeof(badlen));
	expect_log(&log, &e);
	/* A batch of two fence2 records and a crc one, the second fence2
	 * record untagged: the whole batch goes. */
	plog__form_force = F_FENCE2;
	off = next_off(&log);
	plog_iovec v[3];
	size_t bl[3] = {3000, 3000, 3000};
	for (int j = 0; j < 3; j++) {
		fill_rec(bufs[j], bl[j], 60 + (uint64_t)j);
		v[j].base = bufs[j];
		v[j].len = bl[j];
	}
	cr_assert_eq(plog_appendv(&log, v, 3), PC_OK);
	plog__form_force = PLOG__FORM_BY_COST;
	poke(&pool, &log, off + (long)plog__stride(3000), &zero, sizeof(zero));
	expect_log(&log, &e);
	/* The log goes on over the remains; they never come back. */
	for (uint64_t i = 0; i < 3; i++)
		append_in(&log, &e, 3000, 70 + i, F_FENCE2);
	reopen_log(&pool, &log);
	expect_log(&log, &e);
	tu_close_rm(pool);
}

Test(log_forms, layout_2_log_is_refused_with_version)
{
	plog log;
	pc_pool *pool = fresh("forms-v2", &log, 1 << 16);
	cr_assert_eq(plog_append(&log, "x", 1), PC_OK);
	/* Make it look written by the previous layout: the version in the
	 * root directory and in the log's header. */
	struct pc__dirent *d = pc__dir_find(pool, "l");
	cr_assert_not_null(d);
	d->sig.version = 2;
	pc_pool_persist(pool, &d->sig.version, sizeof(d->sig.version));
	log.h->oh.sig.version = 2;
	pc_pool_persist(pool, &log.h->oh.sig.version, sizeof(uint32_t));
	tu_reopen(&pool);
	cr_assert_eq(plog_root(pool, "l", PC_OPEN, 0, &log), PC_E_VERSION);
	cr_assert(strstr(pc_errmsg(), "layout version 2") &&
			  strstr(pc_errmsg(), "reads version 3") &&
			  strstr(pc_errmsg(), "pcoll restore"),
		  "%s", pc_errmsg());
	cr_assert_eq(plog_root(pool, "l", PC_OPEN_OR_CREATE, 0, &log),
		     PC_E_VERSION);
	tu_close_rm(pool);
}

/* ---- resumable position ---- */

/* Reads up to max records from pos (NULL: the start) into e's order,
 * checking them against e from index *i; updates pos. */
static size_t read_batch(const plog *log, plog_pos *pos, int have_pos,
			 size_t max, const expect *e, size_t *i)
{
	plog_iter it;
	cr_assert_eq(plog_iter_begin(log, &it), PC_OK, "%s", pc_errmsg());
	if (have_pos)
		cr_assert_eq(plog_iter_seek(&it, pos), PC_OK, "%s",
			     pc_errmsg());
	const void *d;
	size_t len, got = 0;
	static unsigned char want[1 << 16];
	while (got < max && plog_iter_next(&it, &d, &len)) {
		cr_assert_lt(*i, e->n);
		cr_assert_eq(len, e->len[*i], "record %zu", *i);
		fill_rec(want, len, e->id[*i]);
		cr_assert(memcmp(d, want, len) == 0, "record %zu differs", *i);
		(*i)++;
		got++;
	}
	cr_assert_eq(plog_iter_error(&it), PC_OK);
	cr_assert_eq(plog_iter_tell(&it, pos), PC_OK);
	plog_iter_end(&it);
	return got;
}

Test(log_forms, iter_seek_resumes_batches)
{
	plog log;
	/* A small first chunk: the records span several chunks. */
	pc_pool *pool = fresh("forms-seek", &log, 4096);
	expect e = {0};
	for (uint64_t i = 0; i < 200; i++) {
		size_t l = (size_t)(i * 37 % 3000);
		append_in(&log, &e, l, i, PLOG__FORM_BY_COST);
	}
	plog_pos pos;
	size_t i = 0, rounds = 0;
	int have = 0;
	while (i < 150) {
		read_batch(&log, &pos, have, 17, &e, &i);
		have = 1;
		rounds++;
	}
	cr_assert_geq(rounds, 9);
	/* Appends between two batches: the next batch goes on with the
	 * rest, then the new records. */
	for (uint64_t k = 0; k < 40; k++)
		append_in(&log, &e, 100 + k, 1000 + k, PLOG__FORM_BY_COST);
	while (read_batch(&log, &pos, 1, 23, &e, &i) > 0)
		;
	cr_assert_eq(i, e.n);
	/* At the end: nothing, then what is appended next. */
	cr_assert_eq(read_batch(&log, &pos, 1, 5, &e, &i), 0);
	append_in(&log, &e, 64, 2000, PLOG__FORM_BY_COST);
	cr_assert_eq(read_batch(&log, &pos, 1, 5, &e, &i), 1);
	/* Positions survive reopening the pool. */
	reopen_log(&pool, &log);
	append_in(&log, &e, 5000, 2001, PLOG__FORM_BY_COST);
	cr_assert_eq(read_batch(&log, &pos, 1, 5, &e, &i), 1);
	cr_assert_eq(i, e.n);
	tu_close_rm(pool);
}

Test(log_forms, iter_seek_errors)
{
	plog log, other;
	pc_pool *pool = fresh("forms-seekerr", &log, 4096);
	cr_assert_eq(plog_root(pool, "o", PC_CREATE, 4096, &other), PC_OK);
	expect e = {0};
	for (uint64_t i = 0; i < 30; i++)
		append_in(&log, &e, 300, i, PLOG__FORM_BY_COST);
	cr_assert_eq(plog_append(&other, "o", 1), PC_OK);
	plog_pos mid, end, opos;
	size_t i = 0;
	read_batch(&log, &mid, 0, 3, &e, &i);
	plog_iter it;
	cr_assert_eq(plog_iter_begin(&other, &it), PC_OK);
	cr_assert_eq(plog_iter_tell(&it, &opos), PC_OK);
	plog_iter_end(&it);
	cr_assert_eq(plog_iter_tell(&it, &opos), PC_E_INVAL, "ended iteration");
	cr_assert_eq(plog_iter_seek(&it, &mid), PC_E_INVAL, "ended iteration");
	cr_assert_eq(plog_iter_seek(NULL, &mid), PC_E_INVAL);
	cr_assert_eq(plog_iter_tell(NULL, &mid), PC_E_INVAL);

	cr_assert_eq(plog_iter_begin(&log, &it), PC_OK);
	/* Another log's position. */
	cr_assert_eq(plog_iter_seek(&it, &opos), PC_E_INVAL);
	cr_assert(strstr(pc_errmsg(), "another log"), "%s", pc_errmsg());
	/* Forged places: no chunk there; no record there. */
	plog_pos bad = mid;
	bad.chunk += 64;
	cr_assert_eq(plog_iter_seek(&it, &bad), PC_E_INVAL);
	bad = mid; /* record 4 looked for where record 1 is */
	bad.off = 0;
	cr_assert_eq(plog_iter_seek(&it, &bad), PC_E_CORRUPT);
	cr_assert(strstr(pc_errmsg(), "not where"), "%s", pc_errmsg());
	/* The iterator is unchanged by the failed seeks. */
	const void *d;
	size_t len, n = 0;
	while (plog_iter_next(&it, &d, &len))
		n++;
	cr_assert_eq(n, 30);
	cr_assert_eq(plog_iter_tell(&it, &end), PC_OK);
	plog_iter_end(&it);

	/* A position past the records an iteration covers: one taken
	 * after an append that an older iteration does not see. */
	plog_iter older;
	cr_assert_eq(plog_iter_begin(&log, &older), PC_OK);
	append_in(&log, &e, 10, 99, PLOG__FORM_BY_COST);
	plog_pos later = end;
	i = 30;
	cr_assert_eq(read_batch(&log, &later, 1, 10, &e, &i), 1);
	cr_assert_eq(plog_iter_seek(&older, &later), PC_E_RANGE);
	cr_assert(strstr(pc_errmsg(), "past"), "%s", pc_errmsg());
	cr_assert_eq(plog_iter_seek(&older, &end), PC_OK);
	plog_iter_end(&older);

	/* Rewound: the middle position's records are gone; the position
	 * at the end is the start of what comes after the rewind. */
	cr_assert_eq(plog_rewind(&log), PC_OK);
	e.n = 0;
	for (uint64_t k = 0; k < 3; k++)
		append_in(&log, &e, 200, 500 + k, PLOG__FORM_BY_COST);
	cr_assert_eq(plog_iter_begin(&log, &it), PC_OK);
	cr_assert_eq(plog_iter_seek(&it, &mid), PC_E_RANGE);
	cr_assert(strstr(pc_errmsg(), "rewound"), "%s", pc_errmsg());
	plog_iter_end(&it);
	i = 0;
	cr_assert_eq(read_batch(&log, &later, 1, 10, &e, &i), 3);
	tu_close_rm(pool);
}

#if defined(PCOLL_COUNT)
Test(log, fences_per_append_forms)
{
	if (!tu_forced_pmem())
		cr_skip_test("fences are counted on the flush path only");
	plog log;
	pc_pool *pool = fresh("forms-fence", &log, 1 << 22);
	fill_rec(bufs[0], 8192, 1);
	static const int forms[] = {F_SUM, F_CRC, F_FENCE2};
	for (int f = 0; f < 3; f++) {
		plog__form_force = forms[f];
		cr_assert_eq(plog_append(&log, bufs[0], 8192), PC_OK);
		pc_persist_counters_reset();
		for (int i = 0; i < 100; i++)
			cr_assert_eq(plog_append(&log, bufs[0], 8192), PC_OK);
		pc_persist_counters c = pc_persist_counters_get();
		unsigned want = forms[f] == F_FENCE2 ? 200 : 100;
		cr_assert_eq(c.fences, want,
			     "form %d: %llu fences for 100 appends, want %u",
			     forms[f], (unsigned long long)c.fences, want);
		/* A batch with fence2 records: two fences in all. */
		plog_iovec v[4] = {{bufs[0], 8192},
				   {bufs[0], 64},
				   {bufs[0], 8192},
				   {bufs[0], 1000}};
		pc_persist_counters_reset();
		cr_assert_eq(plog_appendv(&log, v, 4), PC_OK);
		c = pc_persist_counters_get();
		cr_assert_eq(c.fences, forms[f] == F_FENCE2 ? 2u : 1u);
	}
	plog__form_force = PLOG__FORM_BY_COST;
	tu_close_rm(pool);
}
#endif
