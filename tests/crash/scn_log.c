/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crash scenario for PLOG: appends of 0 to 1500 bytes into a log whose
 * first chunk is the minimum (4 KiB), so chunks chain every few records;
 * single appends and batches (appendv) in runs of packed and of
 * line-aligned placement, appends in TX() that commit or abort, rewind,
 * free and re-create. PLOG's commit forms: seven of eight single
 * appends write a large record in a form forced through the engine's test
 * hook (half of them fence2, the two-fence protocol), the eighth one's
 * size lies on one side of a form threshold (chosen by cost), and one
 * batch per cycle holds a record of each form (by cost: fence2, sum,
 * crc). Operation i depends only on i and whether the log exists, so the
 * kill soak can run it for any i.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <pcoll/log.h>

#include "scenario.h"

#define LOG_CYCLE 50
#define LOG_NAME  "log"
#define LOG_RMAX  (PLOG_FENCE2_MIN + 64)

enum { L_CREATE, L_APPEND, L_BATCH, L_TXCOMMIT, L_TXABORT, L_REWIND, L_FREE };

static int log_plan(int i, int exists)
{
	if (!exists)
		return L_CREATE;
	switch (i % LOG_CYCLE) {
	case 12:
	case 37:
		return L_BATCH;
	case 18:
		return L_TXCOMMIT;
	case 19:
		return L_TXABORT;
	case 30:
		return L_REWIND;
	case 44:
		return L_FREE;
	default:
		return L_APPEND;
	}
}

/* The commit form forced on single appends of operation i. */
static const int log_forms[8] = {PLOG__FORM_BY_COST, PLOG__FORM_FENCE2,
				 PLOG__FORM_CRC,     PLOG__FORM_FENCE2,
				 PLOG__FORM_SUM,     PLOG__FORM_FENCE2,
				 PLOG__FORM_CRC,     PLOG__FORM_FENCE2};

/* Length and bytes of record j of operation i. */
static size_t rec_len(int i, int j)
{
	static const size_t lens[] = {8, 100, 0, 700, 1500, 24, 333};
	static const size_t large[] = {800, 1500, 2500, 4000};
	static const size_t edge[] = {
		PLOG__NT_MIN - 8,      PLOG__NT_MIN,        PLOG_CRC_MIN + 8,
		PLOG_FENCE2_MIN_NOCRC, PLOG_FENCE2_MIN - 8, PLOG_FENCE2_MIN};
	static const size_t mixed[] = {PLOG_FENCE2_MIN + 8, 100, 1500};
	uint64_t h = cr_val(20, (uint64_t)i * 8 + (uint64_t)j);
	if (i % LOG_CYCLE == 37)
		return mixed[j];
	if (j == 0 && i % 8 == 0)
		return edge[(i / 8) % 6];
	if (j == 0 && log_forms[i % 8] != PLOG__FORM_BY_COST &&
	    log_plan(i, 1) == L_APPEND)
		return large[h % 4];
	return lens[h % 7];
}

static void rec_fill(unsigned char *buf, int i, int j, size_t len)
{
	for (size_t p = 0; p < len; p++)
		buf[p] = (unsigned char)(i * 31 + j * 7 + (int)p);
}

static int recs_of(int kind)
{
	return kind == L_BATCH ? 3 : kind == L_TXCOMMIT ? 2 : 1;
}

struct lmodel {
	int exists;
	size_t n, cap;
	uint32_t *op,
		*sub; /* record r came from operation op[r], part sub[r] */
};

static void lm_add(struct lmodel *m, int i, int j)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		m->op = (uint32_t *)realloc(m->op, m->cap * sizeof(uint32_t));
		m->sub = (uint32_t *)realloc(m->sub, m->cap * sizeof(uint32_t));
		if (!m->op || !m->sub)
			abort();
	}
	m->op[m->n] = (uint32_t)i;
	m->sub[m->n] = (uint32_t)j;
	m->n++;
}

static void lmodel_apply(struct lmodel *m, int i)
{
	int kind = log_plan(i, m->exists);
	switch (kind) {
	case L_CREATE:
		m->exists = 1;
		m->n = 0;
		break;
	case L_APPEND:
	case L_BATCH:
	case L_TXCOMMIT:
		for (int j = 0; j < recs_of(kind); j++)
			lm_add(m, i, j);
		break;
	case L_REWIND:
		m->n = 0;
		break;
	case L_FREE:
		m->exists = 0;
		m->n = 0;
		break;
	default: /* L_TXABORT */
		break;
	}
}

static pc_err log_op(pc_pool *pool, int i)
{
	plog log;
	pc_err e = plog_root(pool, LOG_NAME, PC_OPEN, 0, &log);
	if (e != PC_OK && e != PC_E_NOTFOUND)
		return e;
	int kind = log_plan(i, e == PC_OK);
	static unsigned char buf[3][LOG_RMAX];
	plog_iovec iov[3];
	for (int j = 0; j < 3; j++) {
		iov[j].len = rec_len(i, j);
		rec_fill(buf[j], i, j, iov[j].len);
		iov[j].base = buf[j];
	}
	pc_err err = PC_OK;
	switch (kind) {
	case L_CREATE:
		return plog_root(pool, LOG_NAME, PC_CREATE, PLOG_MIN_CAPACITY,
				 &log);
	case L_APPEND:
		/* Runs of packed and of line-aligned appends (the setting is
		 * one persisted word; crashes land on it too). */
		PC_TRY(plog_set_packed(&log, (i / 4) % 2 != 0));
		/* Large records in the commit forms in turn. */
		plog__form_force = log_forms[i % 8];
		err = plog_append(&log, buf[0], iov[0].len);
		plog__form_force = PLOG__FORM_BY_COST;
		return err;
	case L_BATCH:
		PC_TRY(plog_set_packed(&log, (i / 4) % 2 != 0));
		return plog_appendv(&log, iov, 3);
	case L_TXCOMMIT:
		TX(pool, &err) {
			if (plog_append(&log, buf[0], iov[0].len) != PC_OK ||
			    plog_append(&log, buf[1], iov[1].len) != PC_OK)
				break;
		}
		return err;
	case L_TXABORT:
		TX(pool, &err) {
			if (plog_append(&log, buf[0], iov[0].len) != PC_OK)
				break;
			(void)pc_tx_abort(PC_E_ABORTED);
			break;
		}
		return err == PC_E_ABORTED
			       ? PC_OK
			       : pc__fail(PC_E_INVAL, "log: abort gave %s",
					  pc_strerror(err));
	case L_REWIND:
		return plog_rewind(&log);
	case L_FREE:
		return plog_free(&log);
	default:
		return pc__fail(PC_E_INVAL, "log: bad op %d", i);
	}
}

static int log_state_is(pc_pool *pool, int k, char *why, size_t n)
{
	struct lmodel m;
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < k; i++)
		lmodel_apply(&m, i);
	int r = 0;
	plog log;
	pc_err e = plog_root(pool, LOG_NAME, PC_OPEN, 0, &log);
	if (!m.exists) {
		if (e != PC_E_NOTFOUND)
			r = cr_why(why, n, "log present (%s), expected none",
				   pc_strerror(e));
		else if (cr_count_all_objs(pool) > 1)
			r = cr_why(why, n, "%zu objects leaked",
				   cr_count_all_objs(pool) - 1);
		goto out;
	}
	if (e != PC_OK) {
		r = cr_why(why, n, "log root: %s", pc_errmsg());
		goto out;
	}
	if (plog_count(&log) != m.n) {
		r = cr_why(why, n, "%llu records, expected %zu",
			   (unsigned long long)plog_count(&log), m.n);
		goto out;
	}
	plog_iter it;
	if (plog_iter_begin(&log, &it) != PC_OK) {
		r = cr_why(why, n, "iter: %s", pc_errmsg());
		goto out;
	}
	const void *data;
	size_t len;
	size_t idx = 0;
	uint64_t bytes = 0;
	static unsigned char want[LOG_RMAX];
	while (plog_iter_next(&it, &data, &len)) {
		if (idx >= m.n) {
			r = cr_why(why, n, "extra record %zu", idx);
			break;
		}
		int oi = (int)m.op[idx], oj = (int)m.sub[idx];
		size_t wl = rec_len(oi, oj);
		rec_fill(want, oi, oj, wl);
		if (len != wl || memcmp(data, want, wl) != 0) {
			r = cr_why(why, n,
				   "record %zu: %zu bytes, expected %zu "
				   "(op %d part %d)%s",
				   idx, len, wl, oi, oj,
				   len == wl ? ", content differs" : "");
			break;
		}
		bytes += wl;
		idx++;
	}
	if (!r && plog_iter_error(&it) != PC_OK)
		r = cr_why(why, n, "iter: %s", pc_errmsg());
	plog_iter_end(&it);
	if (!r && idx != m.n)
		r = cr_why(why, n, "iterated %zu records, expected %zu", idx,
			   m.n);
	if (!r && plog_tell(&log) != bytes)
		r = cr_why(why, n, "tell %llu, expected %llu",
			   (unsigned long long)plog_tell(&log),
			   (unsigned long long)bytes);
out:
	free(m.op);
	free(m.sub);
	return r;
}

static pc_err log_check(pc_pool *pool)
{
	plog log;
	pc_err e = plog_root(pool, LOG_NAME, PC_OPEN, 0, &log);
	if (e == PC_E_NOTFOUND)
		return PC_OK;
	PC_TRY(e);
	return plog_check(&log);
}

const cr_scenario cr_scn_log = {
	.name = "log",
	.nops = LOG_CYCLE,
	.soak_nops = 1000000,
	.op = log_op,
	.state_is = log_state_is,
	.check = log_check,
};
