/* SPDX-License-Identifier: BSD-3-Clause */
/* TX(): commit, abort, escape by break/return/goto, nesting, sticky
 * errors, joining a raw libpmemobj transaction. */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include "tu_pool.h"

typedef struct pair {
	uint64_t a, b;
} pair;
PC_DECLARE(pair);

typedef struct chunk {
	char bytes[1 << 20];
} chunk;
PC_DECLARE(chunk);

static pc_pool *pool;
static PC_PTR(pair) pp;

static void setup(void)
{
	pool = tu_mkpool("tx", TU_POOL_SIZE);
	cr_assert_eq(PC_ROOT(pool, "pair", pair, PC_CREATE, &pp), PC_OK);
}

static void teardown(void)
{
	cr_assert_eq(pc_tx_active(), 0, "no transaction may be left open");
	cr_assert_eq(pmemobj_tx_stage(), TX_STAGE_NONE);
	tu_close_rm(pool);
}

TestSuite(tx, .init = setup, .fini = teardown);

static const pair *cur(void)
{
	return PC_RO(pool, pair, pp);
}

Test(tx, end_of_body_commits)
{
	pc_err e = PC_E_IO;
	int runs = 0;
	TX(pool, &e) {
		runs++;
		pair *w = PC_RW(pool, pair, pp);
		cr_assert_not_null(w);
		w->a = 1;
		w->b = 2;
	}
	cr_assert_eq(e, PC_OK);
	cr_assert_eq(runs, 1);
	cr_assert_eq(cur()->a, 1);
	cr_assert_eq(cur()->b, 2);
	cr_assert_eq(pc_tx_last(), PC_OK);
}

Test(tx, continue_commits)
{
	pc_err e = PC_E_IO;
	TX(pool, &e) {
		PC_RW(pool, pair, pp)->a = 9;
		continue;
	}
	cr_assert_eq(e, PC_OK);
	cr_assert_eq(cur()->a, 9);
}

Test(tx, break_aborts_and_never_reruns)
{
	pc_err e = PC_OK;
	int runs = 0;
	TX(pool, &e) {
		runs++;
		PC_RW(pool, pair, pp)->a = 7;
		break;
	}
	cr_assert_eq(runs, 1);
	cr_assert_eq(e, PC_E_ESCAPED);
	cr_assert_eq(cur()->a, 0, "rolled back");
}

static pc_err set_and_return(uint64_t v, int fail)
{
	TX(pool) {
		PC_RW(pool, pair, pp)->a = v;
		if (fail)
			return PC_E_INVAL; /* leaves the scope: aborts */
	}
	return pc_tx_last();
}

Test(tx, return_aborts_cleanly)
{
	cr_assert_eq(set_and_return(5, 1), PC_E_INVAL);
	cr_assert_eq(pc_tx_last(), PC_E_ESCAPED);
	cr_assert_eq(cur()->a, 0);
	cr_assert_eq(pc_tx_active(), 0);
	cr_assert_eq(set_and_return(6, 0), PC_OK);
	cr_assert_eq(cur()->a, 6);
}

Test(tx, goto_out_aborts)
{
	pc_err e = PC_OK;
	TX(pool, &e) {
		PC_RW(pool, pair, pp)->b = 3;
		goto out;
	}
	cr_assert_fail("goto must leave the scope");
out:
	cr_assert_eq(e, PC_E_ESCAPED);
	cr_assert_eq(cur()->b, 0);
	cr_assert_eq(pc_tx_active(), 0);
}

Test(tx, explicit_abort_gives_its_code)
{
	pc_err e = PC_OK;
	int after = 0;
	TX(pool, &e) {
		PC_RW(pool, pair, pp)->a = 1;
		cr_assert_eq(pc_tx_abort(PC_E_RANGE), PC_E_RANGE);
		/* Later calls fail, nothing is kept. */
		cr_assert_null(PC_RW(pool, pair, pp));
		cr_assert_eq(pc_tx_snapshot(pool, PC_RO(pool, pair, pp), 8),
			     PC_E_ABORTED);
		after = 1;
	}
	cr_assert_eq(after, 1, "the body continues to its end after abort");
	cr_assert_eq(e, PC_E_RANGE);
	cr_assert_eq(cur()->a, 0);
	cr_assert_eq(pc_tx_abort(PC_E_RANGE), PC_E_NEEDTX);
}

Test(tx, nested_joins_outer)
{
	pc_err outer = PC_E_IO, inner = PC_E_IO;
	TX(pool, &outer) {
		PC_RW(pool, pair, pp)->a = 1;
		TX(pool, &inner) {
			PC_RW(pool, pair, pp)->b = 2;
		}
		cr_assert_eq(inner, PC_OK);
		cr_assert_eq(pc_tx_active(), 1, "still inside the outer");
	}
	cr_assert_eq(outer, PC_OK);
	cr_assert_eq(cur()->a, 1);
	cr_assert_eq(cur()->b, 2);
}

Test(tx, inner_escape_aborts_everything)
{
	pc_err outer = PC_OK, inner = PC_OK;
	int after_inner = 0;
	TX(pool, &outer) {
		PC_RW(pool, pair, pp)->a = 1;
		TX(pool, &inner) {
			PC_RW(pool, pair, pp)->b = 2;
			break;
		}
		after_inner = 1;
		cr_assert_null(PC_RW(pool, pair, pp), "outer is dead too");
	}
	cr_assert_eq(after_inner, 1);
	cr_assert_eq(inner, PC_E_ESCAPED);
	cr_assert_eq(outer, PC_E_ESCAPED);
	cr_assert_eq(cur()->a, 0);
	cr_assert_eq(cur()->b, 0);
}

Test(tx, tx_inside_dead_tx_skips_its_body)
{
	pc_err outer = PC_OK, inner = PC_OK;
	int ran = 0;
	TX(pool, &outer) {
		pc_tx_abort(PC_E_INVAL);
		TX(pool, &inner) {
			ran = 1;
		}
	}
	cr_assert_eq(ran, 0);
	cr_assert_eq(inner, PC_E_ABORTED);
	cr_assert_eq(outer, PC_E_INVAL);
}

Test(tx, pool_full_is_sticky)
{
	pc_err e = PC_OK;
	pc_err first = PC_OK;
	PC_PTR(chunk) tmp;
	PC_PTR(pair) small;
	TX(pool, &e) {
		PC_RW(pool, pair, pp)->a = 11;
		PMEMoid o =
			pmemobj_tx_xalloc(1ull << 40, 1, POBJ_XALLOC_NO_ABORT);
		cr_assert(OID_IS_NULL(o));
		/* A pcoll allocation that cannot fit aborts the transaction. */
		for (int i = 0; i < 1000 && first == PC_OK; i++)
			first = PC_NEW(pool, chunk, &tmp);
		cr_assert_eq(first, PC_E_FULL, "%s", pc_errmsg());
		cr_assert_eq(PC_NEW(pool, pair, &small), PC_E_ABORTED);
	}
	cr_assert_eq(e, PC_E_FULL);
	cr_assert_eq(cur()->a, 0);
	/* The pool is usable afterwards: the aborted allocations are gone. */
	for (int i = 0; i < 8; i++)
		cr_assert_eq(PC_NEW(pool, chunk, &tmp), PC_OK, "%s",
			     pc_errmsg());
}

Test(tx, lookup_errors_do_not_abort)
{
	pc_err e = PC_E_IO;
	PC_PTR(pair) other;
	TX(pool, &e) {
		PC_RW(pool, pair, pp)->a = 4;
		cr_assert_eq(PC_ROOT(pool, "missing", pair, PC_OPEN, &other),
			     PC_E_NOTFOUND);
		cr_assert_eq(PC_ROOT(pool, "pair", pair, PC_CREATE, &other),
			     PC_E_EXISTS);
		cr_assert_eq(pc_tx_active(), 1);
	}
	cr_assert_eq(e, PC_OK);
	cr_assert_eq(cur()->a, 4);
}

Test(tx, joins_a_raw_libpmemobj_transaction)
{
	PC_PTR(pair) fresh = PC_PTR_NULL(pair);
	volatile int aborted = 0;
	TX_BEGIN(pool->pop) {
		cr_assert_eq(PC_NEW(pool, pair, &fresh), PC_OK);
		PC_RW(pool, pair, pp)->a = 8;
		pmemobj_tx_abort(ECANCELED);
	}
	TX_ONABORT
	{
		aborted = 1;
	}
	TX_END
	cr_assert_eq(aborted, 1);
	cr_assert_eq(cur()->a, 0);
	cr_assert_eq(pmemobj_tx_stage(), TX_STAGE_NONE);
}

Test(tx, null_pool_reports_inval_and_skips_body)
{
	pc_err e = PC_OK;
	int ran = 0;
	TX(NULL, &e) {
		ran = 1;
	}
	cr_assert_eq(ran, 0);
	cr_assert_eq(e, PC_E_INVAL);
}

Test(tx, snapshot_checks_range)
{
	uint64_t local = 0;
	cr_assert_eq(pc_tx_snapshot(pool, PC_RO(pool, pair, pp), 8),
		     PC_E_NEEDTX);
	pc_err e = PC_E_IO, s = PC_OK;
	TX(pool, &e) {
		s = pc_tx_snapshot(pool, &local, sizeof(local));
		pair *w = (pair *)PC_RO(pool, pair, pp);
		cr_assert_eq(pc_tx_snapshot(pool, &w->b, sizeof(w->b)), PC_OK);
		w->b = 77;
	}
	cr_assert_eq(s, PC_E_INVAL);
	cr_assert_eq(e, PC_OK);
	cr_assert_eq(cur()->b, 77);
}

Test(tx, many_transactions_in_a_loop)
{
	for (uint64_t i = 1; i <= 2000; i++) {
		pc_err e = PC_E_IO;
		TX(pool, &e) {
			pair *w = PC_RW(pool, pair, pp);
			w->a += 1;
			if (i % 3 == 0)
				break; /* every third one aborts */
			w->b += 1;
		}
		cr_assert_eq(e, i % 3 == 0 ? PC_E_ESCAPED : PC_OK);
	}
	cr_assert_eq(cur()->a, 2000 - 2000 / 3);
	cr_assert_eq(cur()->b, 2000 - 2000 / 3);
}
