/* SPDX-License-Identifier: BSD-3-Clause */
/* Growable pools: a pool created at 16 MiB holds 200 MiB. */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include "testutil.h"

typedef struct mib {
	uint64_t tag;
	char fill[(1 << 20) - 8];
} mib;
PC_DECLARE(mib);

typedef struct index_ {
	uint64_t n;
	PC_PTR(mib) items[400];
} index_;
PC_DECLARE(index_);

static void rm_growable(const char *path)
{
	tu_remove_pool(path);
	cr_assert_neq(access(path, F_OK), 0, "%s is still there", path);
}

Test(grow, holds_200_mib_after_starting_at_16)
{
	const char *path = tu_path("grow");
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create_growable(path, 16u << 20, 16u << 20, 0, &p),
		     PC_OK, "%s", pc_errmsg());
	pc_pool_stats st0;
	cr_assert_eq(pc_pool_stats_get(p, &st0), PC_OK);
	cr_assert_leq(st0.size, 32u << 20, "starts small: %llu",
		      (unsigned long long)st0.size);
	PC_PTR(index_) ix;
	cr_assert_eq(PC_ROOT(p, "ix", index_, PC_CREATE, &ix), PC_OK);
	index_ *w = (index_ *)PC_RO(p, index_, ix);
	for (uint64_t i = 0; i < 200; i++) {
		mib init;
		init.tag = i * 31 + 7;
		init.fill[0] = (char)i;
		cr_assert_eq(PC_NEW_INIT(p, mib, &w->items[i], &init), PC_OK,
			     "item %llu: %s", (unsigned long long)i,
			     pc_errmsg());
		w->n = i + 1;
		pc_pool_persist(p, &w->n, sizeof(w->n));
	}
	pc_pool_stats st1;
	cr_assert_eq(pc_pool_stats_get(p, &st1), PC_OK);
	cr_assert_geq(st1.size, 200u << 20, "grew to %llu",
		      (unsigned long long)st1.size);
	cr_assert_geq(st1.used, 200u << 20);
	cr_assert_gt(st1.free, 0, "free counts the parts made so far");
	cr_assert_lt(st1.used + st1.free, st1.size);
	cr_assert_eq(pc_pool_close(p), PC_OK);

	cr_assert_eq(pc_pool_check(path), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(pc_pool_open(path, &p), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(PC_ROOT(p, "ix", index_, PC_OPEN, &ix), PC_OK);
	const index_ *r = PC_RO(p, index_, ix);
	cr_assert_eq(r->n, 200);
	for (uint64_t i = 0; i < 200; i++) {
		const mib *m = PC_RO(p, mib, r->items[i]);
		cr_assert_eq(m->tag, i * 31 + 7);
		cr_assert_eq(m->fill[0], (char)i);
	}
	/* Growth is remembered: the reopened pool still grows. */
	PC_PTR(mib) more;
	for (int i = 0; i < 40; i++)
		cr_assert_eq(PC_NEW(p, mib, &more), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(pc_pool_close(p), PC_OK);
	rm_growable(path);
}

Test(grow, stops_at_its_maximum_with_pool_full)
{
	const char *path = tu_path("grow-max");
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create_growable(path, 0, 8u << 20, 48u << 20, &p),
		     PC_OK, "%s", pc_errmsg());
	PC_PTR(mib) m;
	pc_err e = PC_OK;
	int n = 0;
	for (; n < 200 && e == PC_OK; n++)
		e = PC_NEW(p, mib, &m);
	cr_assert_eq(e, PC_E_FULL, "%s", pc_errmsg());
	cr_assert_gt(n, 20, "grew past the first part");
	cr_assert_lt(n, 60, "but not past the maximum");
	cr_assert_eq(pc_pool_close(p), PC_OK);
	rm_growable(path);
}

Test(grow, bad_options_are_refused)
{
	const char *path = tu_path("grow-bad");
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create_growable(path, 0, 4096, 0, &p), PC_E_INVAL);
	cr_assert(strstr(pc_errmsg(), "growth step") != NULL);
	cr_assert_eq(pc_pool_create_growable(path, 64u << 20, 8u << 20,
					     32u << 20, &p),
		     PC_E_INVAL);
	cr_assert_eq(pc_pool_open_opts(path, PC_CREATE, NULL, &p), PC_E_INVAL);
	cr_assert_neq(access(path, F_OK), 0, "nothing created");
}
