/* SPDX-License-Identifier: BSD-3-Clause */
/* Named roots: the directory, type signatures, type mismatch errors. */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include "tu_pool.h"

typedef struct account {
	uint64_t id;
	int64_t balance;
} account;
PC_DECLARE(account);

typedef struct account_v2 {
	uint64_t id;
	int64_t balance;
	uint64_t flags;
} account_v2;
PC_DECLARE(account_v2);

static pc_pool *pool;
static char path[PC_PATH_MAX];

static void setup(void)
{
	pool = tu_mkpool("roots", TU_POOL_SIZE);
	(void)snprintf(path, sizeof(path), "%s", pool->path);
}

static void teardown(void)
{
	tu_drop(&pool);
}

TestSuite(roots, .init = setup, .fini = teardown);

Test(roots, modes_create_open_and_both)
{
	PC_PTR(account) a, b;
	cr_assert_eq(PC_ROOT(pool, "acct", account, PC_OPEN, &a),
		     PC_E_NOTFOUND);
	cr_assert(strstr(pc_errmsg(), "acct") != NULL);
	cr_assert_eq(PC_ROOT(pool, "acct", account, PC_CREATE, &a), PC_OK);
	cr_assert_eq(PC_ROOT(pool, "acct", account, PC_CREATE, &b),
		     PC_E_EXISTS);
	cr_assert_eq(PC_ROOT(pool, "acct", account, PC_OPEN, &b), PC_OK);
	cr_assert_eq(a.oid.off, b.oid.off);
	cr_assert_eq(PC_ROOT(pool, "acct", account, PC_OPEN_OR_CREATE, &b),
		     PC_OK);
	cr_assert_eq(a.oid.off, b.oid.off);
	cr_assert_eq(pc_root_count(pool), 1);
	/* New roots are zeroed. */
	cr_assert_eq(PC_RO(pool, account, a)->balance, 0);
}

Test(roots, wrong_type_names_both_types)
{
	PC_PTR(account) a;
	PC_PTR(account_v2) b;
	PC_PTR(double) d;
	cr_assert_eq(PC_ROOT(pool, "acct", account, PC_CREATE, &a), PC_OK);
	cr_assert_eq(PC_ROOT(pool, "acct", account_v2, PC_OPEN, &b), PC_E_TYPE);
	cr_assert(strstr(pc_errmsg(), "holds account (") != NULL, "%s",
		  pc_errmsg());
	cr_assert(strstr(pc_errmsg(), "asked for account_v2 (") != NULL, "%s",
		  pc_errmsg());
	cr_assert_eq(PC_ROOT(pool, "acct", double, PC_OPEN_OR_CREATE, &d),
		     PC_E_TYPE);
	cr_assert_eq(pc_root_count(pool), 1, "a failed open adds nothing");
}

Test(roots, directory_grows_and_survives_reopen)
{
	char name[32];
	for (int i = 0; i < 100; i++) {
		PC_PTR(account) a;
		snprintf(name, sizeof(name), "acct-%03d", i);
		cr_assert_eq(PC_ROOT(pool, name, account, PC_CREATE, &a), PC_OK,
			     "%s", pc_errmsg());
		TX(pool) {
			PC_RW(pool, account, a)->id = (uint64_t)i;
		}
		cr_assert_eq(pc_tx_last(), PC_OK);
	}
	tu_reopen(&pool);
	cr_assert_eq(pc_root_count(pool), 100);
	for (int i = 0; i < 100; i++) {
		PC_PTR(account) a;
		snprintf(name, sizeof(name), "acct-%03d", i);
		cr_assert_eq(PC_ROOT(pool, name, account, PC_OPEN, &a), PC_OK);
		cr_assert_eq(PC_RO(pool, account, a)->id, (uint64_t)i);
	}
	pc_root_info info;
	cr_assert_eq(pc_root_at(pool, 99, &info), PC_OK);
	cr_assert_eq(info.sig.kind, PC_KIND_OBJ);
	cr_assert_str_eq(info.sig.name, "account");
	cr_assert_eq(info.sig.size, sizeof(account));
	cr_assert_eq(pc_root_at(pool, 100, &info), PC_E_RANGE);
}

Test(roots, unbind_removes_only_that_name)
{
	PC_PTR(int) a, b, c;
	cr_assert_eq(PC_ROOT(pool, "a", int, PC_CREATE, &a), PC_OK);
	cr_assert_eq(PC_ROOT(pool, "b", int, PC_CREATE, &b), PC_OK);
	cr_assert_eq(PC_ROOT(pool, "c", int, PC_CREATE, &c), PC_OK);
	cr_assert_eq(pc_root_unbind(pool, "a"), PC_OK);
	cr_assert_eq(pc_root_unbind(pool, "a"), PC_E_NOTFOUND);
	tu_reopen(&pool);
	cr_assert_eq(pc_root_count(pool), 2);
	cr_assert_eq(PC_ROOT(pool, "a", int, PC_OPEN, &a), PC_E_NOTFOUND);
	cr_assert_eq(PC_ROOT(pool, "b", int, PC_OPEN, &a), PC_OK);
	cr_assert_eq(a.oid.off, b.oid.off);
	cr_assert_eq(PC_ROOT(pool, "c", int, PC_OPEN, &a), PC_OK);
	cr_assert_eq(a.oid.off, c.oid.off);
	cr_assert_eq(pc_root_unbind_off(pool, c.oid.off), PC_OK);
	cr_assert_eq(pc_root_count(pool), 1);
}

Test(roots, bad_names)
{
	PC_PTR(int) a;
	char longname[PC_NAME_MAX + 2];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	cr_assert_eq(PC_ROOT(pool, longname, int, PC_CREATE, &a), PC_E_TOOBIG);
	longname[PC_NAME_MAX] = '\0';
	cr_assert_eq(PC_ROOT(pool, longname, int, PC_CREATE, &a), PC_OK,
		     "exactly PC_NAME_MAX bytes is fine");
	cr_assert_eq(PC_ROOT(pool, "", int, PC_CREATE, &a), PC_E_INVAL);
	cr_assert_eq(PC_ROOT(pool, NULL, int, PC_CREATE, &a), PC_E_INVAL);
}

Test(roots, root_made_in_aborted_tx_disappears)
{
	PC_PTR(int) a;
	pc_err out = PC_OK;
	TX(pool, &out) {
		cr_assert_eq(PC_ROOT(pool, "ghost", int, PC_CREATE, &a), PC_OK);
		pc_tx_abort(PC_E_INVAL);
		break;
	}
	cr_assert_eq(out, PC_E_INVAL);
	cr_assert_eq(PC_ROOT(pool, "ghost", int, PC_OPEN, &a), PC_E_NOTFOUND);
	cr_assert_eq(pc_root_count(pool), 0);
}

Test(roots, damaged_directory_entry_is_corrupt)
{
	PC_PTR(int) a;
	cr_assert_eq(PC_ROOT(pool, "a", int, PC_CREATE, &a), PC_OK);
	const struct pc__dir *d = pc__dir_get(pool);
	long off = (long)((const char *)&d->ent[0].off - pool->base);
	cr_assert_eq(pc_pool_close(pool), PC_OK);
	pool = NULL;
	uint64_t bad = 1ull << 50;
	cr_assert_eq(tu_poke(path, off, &bad, sizeof(bad)), 0);
	cr_assert_eq(pc_pool_open(path, &pool), PC_E_CORRUPT);
	cr_assert(strstr(pc_errmsg(), "directory") != NULL, "%s", pc_errmsg());
	pool = NULL;
}
