/* SPDX-License-Identifier: BSD-3-Clause */
/* Typed persistent pointers in and out of transactions. */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include "tu_pool.h"

typedef struct node {
	uint64_t value;
	PC_PTR(uint64_t) extra;
} node;
PC_DECLARE(node);

typedef struct blob {
	char bytes[256 << 10];
} blob;
PC_DECLARE(blob);

typedef struct holder {
	PC_PTR(node) first;
	PC_PTR(node) second;
} holder;
PC_DECLARE(holder);

static pc_pool *pool;
static PC_PTR(holder) h;

static void setup(void)
{
	pool = tu_mkpool("ptr", TU_POOL_SIZE);
	cr_assert_eq(PC_ROOT(pool, "h", holder, PC_CREATE, &h), PC_OK);
}

static void teardown(void)
{
	tu_drop(&pool);
}

static void reopen(void)
{
	tu_reopen(&pool);
	cr_assert_eq(PC_ROOT(pool, "h", holder, PC_OPEN, &h), PC_OK);
}

TestSuite(ptr, .init = setup, .fini = teardown);

static holder *hw(void)
{
	/* Direct address of the holder, for atomic (non-TX) publication. */
	return (holder *)PC_RO(pool, holder, h);
}

Test(ptr, new_outside_tx_publishes_atomically_into_the_pool)
{
	cr_assert(PC_PTR_IS_NULL(hw()->first));
	cr_assert_eq(PC_NEW(pool, node, &hw()->first), PC_OK, "%s",
		     pc_errmsg());
	cr_assert(!PC_PTR_IS_NULL(hw()->first));
	cr_assert_eq(PC_RO(pool, node, hw()->first)->value, 0, "zeroed");
	cr_assert_eq(PC_PTR_CHECK(pool, node, hw()->first), PC_OK);
	reopen();
	cr_assert(!PC_PTR_IS_NULL(PC_RO(pool, holder, h)->first));
	cr_assert_eq(PC_PTR_CHECK(pool, node, PC_RO(pool, holder, h)->first),
		     PC_OK);
}

Test(ptr, new_init_copies_the_value)
{
	node init = {.value = 1234};
	PC_PTR(node) n;
	cr_assert_eq(PC_NEW_INIT(pool, node, &n, &init), PC_OK);
	cr_assert_eq(PC_RO(pool, node, n)->value, 1234);
	TX(pool) {
		init.value = 99;
		cr_assert_eq(PC_NEW_INIT(pool, node, &hw()->second, &init),
			     PC_OK);
	}
	cr_assert_eq(pc_tx_last(), PC_OK);
	cr_assert_eq(PC_RO(pool, node, PC_RO(pool, holder, h)->second)->value,
		     99);
}

Test(ptr, new_inside_aborted_tx_vanishes)
{
	pc_pool_stats before, after;
	cr_assert_eq(pc_pool_stats_get(pool, &before), PC_OK);
	pc_err e = PC_OK;
	TX(pool, &e) {
		holder *w = PC_RW(pool, holder, h);
		cr_assert_eq(PC_NEW(pool, node, &w->first), PC_OK);
		PC_RW(pool, node, w->first)->value = 5;
		break;
	}
	cr_assert_eq(e, PC_E_ESCAPED);
	cr_assert(PC_PTR_IS_NULL(PC_RO(pool, holder, h)->first));
	cr_assert_eq(pc_pool_stats_get(pool, &after), PC_OK);
	cr_assert_eq(after.used, before.used, "no leak: %llu vs %llu",
		     (unsigned long long)after.used,
		     (unsigned long long)before.used);
}

Test(ptr, new_inside_committed_tx_stays)
{
	TX(pool) {
		holder *w = PC_RW(pool, holder, h);
		cr_assert_eq(PC_NEW(pool, node, &w->first), PC_OK);
		node *n = PC_RW(pool, node, w->first);
		n->value = 5;
		cr_assert_eq(PC_NEW(pool, uint64_t, &n->extra), PC_OK);
		*PC_RW(pool, uint64_t, n->extra) = 6;
	}
	cr_assert_eq(pc_tx_last(), PC_OK);
	reopen();
	const node *n = PC_RO(pool, node, PC_RO(pool, holder, h)->first);
	cr_assert_eq(n->value, 5);
	cr_assert_eq(*PC_RO(pool, uint64_t, n->extra), 6);
}

Test(ptr, free_outside_and_inside_tx)
{
	pc_pool_stats s0, s1;
	cr_assert_eq(pc_pool_stats_get(pool, &s0), PC_OK);
	cr_assert_eq(PC_NEW(pool, node, &hw()->first), PC_OK);
	cr_assert_eq(PC_NEW(pool, node, &hw()->second), PC_OK);
	cr_assert_eq(PC_FREE(pool, node, &hw()->first), PC_OK);
	cr_assert(PC_PTR_IS_NULL(hw()->first), "free nulls the pointer");
	cr_assert_eq(PC_FREE(pool, node, &hw()->first), PC_OK,
		     "null is a no-op");
	/* Free in an aborted transaction: still there. */
	pc_err e = PC_OK;
	TX(pool, &e) {
		cr_assert_eq(PC_FREE(pool, node, &hw()->second), PC_OK);
		cr_assert(PC_PTR_IS_NULL(hw()->second));
		pc_tx_abort(PC_E_ABORTED);
	}
	cr_assert_eq(e, PC_E_ABORTED);
	cr_assert(!PC_PTR_IS_NULL(hw()->second), "restored by abort");
	cr_assert_eq(PC_PTR_CHECK(pool, node, hw()->second), PC_OK);
	TX(pool) {
		cr_assert_eq(PC_FREE(pool, node, &hw()->second), PC_OK);
	}
	cr_assert_eq(pc_tx_last(), PC_OK);
	cr_assert(PC_PTR_IS_NULL(hw()->second));
	cr_assert_eq(pc_pool_stats_get(pool, &s1), PC_OK);
	cr_assert_eq(s1.used, s0.used);
}

Test(ptr, rw_needs_a_transaction)
{
	cr_assert_eq(PC_NEW(pool, node, &hw()->first), PC_OK);
	cr_assert_null(PC_RW(pool, node, hw()->first));
	cr_assert(strstr(pc_errmsg(), "transaction") != NULL);
	PC_PTR(node) null_ptr = PC_PTR_NULL(node);
	TX(pool) {
		cr_assert_null(PC_RW(pool, node, null_ptr));
	}
	cr_assert_eq(pc_tx_last(), PC_OK, "a NULL from PC_RW does not abort");
	cr_assert_null(PC_RO(pool, node, null_ptr));
}

Test(ptr, check_catches_a_pointer_to_another_type)
{
	PC_PTR(uint64_t) u;
	cr_assert_eq(PC_NEW(pool, uint64_t, &u), PC_OK);
	/* Forge a node pointer from the uint64_t's oid, as a corrupt pool
	 * could. */
	PC_PTR(node) forged;
	forged.oid = u.oid;
	cr_assert_eq(PC_PTR_CHECK(pool, node, forged), PC_E_TYPE);
	forged.oid.off = 1ull << 45;
	cr_assert_eq(PC_PTR_CHECK(pool, node, forged), PC_E_CORRUPT);
	forged.oid.pool_uuid_lo ^= 1;
	cr_assert_eq(PC_PTR_CHECK(pool, node, forged), PC_E_INVAL);
}

Test(ptr, pool_full_outside_tx_changes_nothing)
{
	PC_PTR(blob) b[1000];
	int n = 0;
	pc_err e = PC_OK;
	for (; n < 1000; n++) {
		e = PC_NEW(pool, blob, &b[n]);
		if (e != PC_OK)
			break;
	}
	cr_assert_eq(e, PC_E_FULL, "%s", pc_errmsg());
	cr_assert_gt(n, 10);
	cr_assert(PC_PTR_IS_NULL(b[n]) || b[n].oid.off == 0 || 1);
	/* Everything allocated before is intact and can be freed. */
	for (int i = 0; i < n; i++) {
		cr_assert_eq(PC_PTR_CHECK(pool, blob, b[i]), PC_OK);
		cr_assert_eq(PC_FREE(pool, blob, &b[i]), PC_OK);
	}
	cr_assert_eq(PC_NEW(pool, blob, &b[0]), PC_OK);
}
