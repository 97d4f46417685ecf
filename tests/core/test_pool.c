/* SPDX-License-Identifier: BSD-3-Clause */
/* Pool create/open/close and every open error, with real bad files. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tu_pool.h"

static void make_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	if (len)
		cr_assert_eq(fwrite(buf, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static void copy_file(const char *from, const char *to)
{
	FILE *a = fopen(from, "rb");
	FILE *b = fopen(to, "wb");
	cr_assert(a && b);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), a)) > 0)
		cr_assert_eq(fwrite(buf, 1, n, b), n);
	cr_assert_eq(fclose(a), 0);
	cr_assert_eq(fclose(b), 0);
}

/* A pool made and closed at tu_path(tag); *root_off (unless NULL)
 * receives the file offset of pcoll's root object. */
static const char *closed_pool(const char *tag, long *root_off)
{
	const char *path = tu_path(tag);
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create(path, TU_POOL_SIZE, &p), PC_OK, "%s",
		     pc_errmsg());
	if (root_off)
		*root_off = (long)((char *)p->root - p->base);
	cr_assert_eq(pc_pool_close(p), PC_OK);
	return path;
}

Test(pool, create_open_close_keeps_content)
{
	const char *path = tu_path("pool-basic");
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create(path, TU_POOL_SIZE, &p), PC_OK, "%s",
		     pc_errmsg());
	cr_assert_eq(pc_pool_is_pmem(p), tu_forced_pmem());
	PC_PTR(uint64_t) v;
	cr_assert_eq(PC_ROOT(p, "answer", uint64_t, PC_CREATE, &v), PC_OK);
	TX(p) {
		*PC_RW(p, uint64_t, v) = 42;
	}
	cr_assert_eq(pc_tx_last(), PC_OK);
	cr_assert_eq(pc_pool_close(p), PC_OK);

	p = NULL;
	cr_assert_eq(pc_pool_open(path, &p), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(PC_ROOT(p, "answer", uint64_t, PC_OPEN, &v), PC_OK);
	cr_assert_eq(*PC_RO(p, uint64_t, v), 42);
	cr_assert_eq(pc_pool_close(p), PC_OK);
	cr_assert_eq(pc_pool_check(path), PC_OK, "%s", pc_errmsg());
	unlink(path);
}

Test(pool, open_or_create_both_ways)
{
	const char *path = tu_path("pool-ooc");
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_open_or_create(path, TU_POOL_SIZE, &p), PC_OK);
	PC_PTR(int) v;
	cr_assert_eq(PC_ROOT(p, "x", int, PC_OPEN_OR_CREATE, &v), PC_OK);
	cr_assert_eq(pc_pool_close(p), PC_OK);
	cr_assert_eq(pc_pool_open_or_create(path, TU_POOL_SIZE, &p), PC_OK);
	cr_assert_eq(PC_ROOT(p, "x", int, PC_OPEN, &v), PC_OK);
	cr_assert_eq(pc_pool_close(p), PC_OK);
	unlink(path);
}

/* Creation killed at many points (SIGKILL after 0-220 ms of a 256 MiB
 * create): the path is then absent or a whole pool, never a header-less
 * file that would block every later open or create; the next create
 * removes the killed process's temporary file. */
Test(pool, create_killed_leaves_no_half_made_file)
{
	const char *path = tu_path("pool-killed-create");
	char tmpl[PC_PATH_MAX + 64];
	int whole = 0, absent = 0;
	for (int i = 0; i < 24; i++) {
		pid_t pid = fork();
		cr_assert_geq(pid, 0);
		if (pid == 0) {
			pc_pool *q = NULL;
			_exit(pc_pool_create(path, 256u << 20, &q) == PC_OK
				      ? 0
				      : 1);
		}
		/* 0-38 ms, then 0-220 ms (some creates complete) */
		long ns = i < 12 ? i * 3500000L : (i - 12) * 20000000L;
		struct timespec ts = {0, ns};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int st;
		cr_assert_eq(waitpid(pid, &st, 0), pid);
		(void)snprintf(tmpl, sizeof(tmpl), "%s.pcoll-new.%ld", path,
			       (long)pid);
		struct stat sb;
		if (stat(path, &sb) != 0) {
			absent++;
		} else {
			cr_assert_eq(pc_pool_check(path), PC_OK,
				     "round %d: a file at the path that is not "
				     "a whole pool: %s",
				     i, pc_errmsg());
			whole++;
		}
		pc_pool *p = NULL;
		cr_assert_eq(pc_pool_open_or_create(path, TU_POOL_SIZE, &p),
			     PC_OK, "round %d: %s", i, pc_errmsg());
		cr_assert_eq(pc_pool_close(p), PC_OK);
		cr_assert_neq(stat(tmpl, &sb), 0, "round %d: %s left behind", i,
			      tmpl);
		unlink(path);
	}
	cr_log_info("killed creates: %d left a whole pool, %d nothing", whole,
		    absent);
}

Test(pool, missing_file_is_notfound)
{
	const char *path = tu_path("pool-missing");
	pc_pool *p = (pc_pool *)0x1;
	cr_assert_eq(pc_pool_open(path, &p), PC_E_NOTFOUND);
	cr_assert_eq(p, (pc_pool *)0x1, "out must stay untouched on error");
	cr_assert(strstr(pc_errmsg(), path) != NULL, "message names the path");
	cr_assert_eq(pc_pool_check(path), PC_E_NOTFOUND);
}

Test(pool, create_over_existing_file_is_exists)
{
	const char *path = tu_path("pool-exists");
	make_file(path, "hello", 5);
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create(path, TU_POOL_SIZE, &p), PC_E_EXISTS);
	/* The file is left as it was. */
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, 5);
	unlink(path);
}

Test(pool, size_below_minimum_is_inval)
{
	const char *path = tu_path("pool-small");
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create(path, PC_POOL_MIN_SIZE - 1, &p),
		     PC_E_INVAL);
	cr_assert(strstr(pc_errmsg(), "minimum") != NULL);
	cr_assert_neq(access(path, F_OK), 0, "nothing created");
}

Test(pool, bad_arguments_are_inval)
{
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_open(NULL, &p), PC_E_INVAL);
	cr_assert_eq(pc_pool_open("", &p), PC_E_INVAL);
	cr_assert_eq(pc_pool_open("/dev/shm/x", NULL), PC_E_INVAL);
	cr_assert_eq(pc_pool_open_mode("/dev/shm/x", TU_POOL_SIZE,
				       (pc_open_mode)9, &p),
		     PC_E_INVAL);
	cr_assert_eq(pc_pool_close(NULL), PC_OK);
}

Test(pool, random_bytes_are_not_a_pool)
{
	const char *path = tu_path("pool-random");
	static char buf[1 << 20];
	uint64_t s = 7;
	for (size_t i = 0; i < sizeof(buf); i += 8) {
		uint64_t r = tu_splitmix64(&s);
		memcpy(buf + i, &r, 8);
	}
	make_file(path, buf, sizeof(buf));
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_open(path, &p), PC_E_NOTPOOL);
	cr_assert(strstr(pc_errmsg(), "not a libpmemobj pool") != NULL);
	unlink(path);
}

Test(pool, empty_file_and_directory_are_not_pools)
{
	const char *path = tu_path("pool-empty");
	make_file(path, NULL, 0);
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_open(path, &p), PC_E_NOTPOOL);
	cr_assert(strstr(pc_errmsg(), "empty") != NULL);
	unlink(path);
	cr_assert_eq(mkdir(path, 0700), 0);
	cr_assert_eq(pc_pool_open(path, &p), PC_E_NOTPOOL);
	rmdir(path);
}

Test(pool, libpmemlog_signature_is_named)
{
	const char *path = tu_path("pool-log");
	static char buf[16384];
	memcpy(buf, "PMEMLOG", 8);
	make_file(path, buf, sizeof(buf));
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_open(path, &p), PC_E_NOTPOOL);
	cr_assert(strstr(pc_errmsg(), "libpmemlog") != NULL, "%s", pc_errmsg());
	unlink(path);
}

Test(pool, other_layout_is_layout_error)
{
	const char *path = tu_path("pool-layout");
	PMEMobjpool *pop =
		pc__pmemobj_create(path, "someone-else", TU_POOL_SIZE, 0600);
	cr_assert_not_null(pop);
	pmemobj_close(pop);
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_open(path, &p), PC_E_LAYOUT);
	cr_assert(strstr(pc_errmsg(), "someone-else") != NULL, "%s",
		  pc_errmsg());
	cr_assert(strstr(pc_errmsg(), "\"pcoll\"") != NULL);
	cr_assert_eq(pc_pool_check(path), PC_E_LAYOUT);
	unlink(path);
}

Test(pool, truncated_pool_is_truncated)
{
	const char *path = closed_pool("pool-trunc", NULL);
	pc_pool *p = NULL;
	cr_assert_eq(tu_truncate(path, 1 << 20), 0);
	cr_assert_eq(pc_pool_open(path, &p), PC_E_TRUNCATED);
	cr_assert(strstr(pc_errmsg(), "shorter") != NULL, "%s", pc_errmsg());
	unlink(path);
}

Test(pool, truncated_to_half_is_truncated)
{
	const char *path = tu_path("pool-half");
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create(path, TU_POOL_SIZE, &p), PC_OK);
	PC_PTR(uint64_t) v;
	cr_assert_eq(PC_ROOT(p, "v", uint64_t, PC_CREATE, &v), PC_OK);
	cr_assert_eq(pc_pool_close(p), PC_OK);
	cr_assert_eq(tu_truncate(path, TU_POOL_SIZE / 2), 0);
	cr_assert_eq(pc_pool_open(path, &p), PC_E_TRUNCATED, "%s", pc_errmsg());
	cr_assert(strstr(pc_errmsg(), "cut short") != NULL, "%s", pc_errmsg());
	unlink(path);
}

Test(pool, corrupt_header_is_corrupt)
{
	const char *path = closed_pool("pool-corrupt", NULL);
	pc_pool *p = NULL;
	/* Damage the pool header's UUID; the checksum no longer matches. */
	char junk[16] = "garbage-garbage";
	cr_assert_eq(tu_poke(path, 40, junk, sizeof(junk)), 0);
	cr_assert_eq(pc_pool_open(path, &p), PC_E_CORRUPT);
	cr_assert(strlen(pc_errmsg()) > 10);
	cr_assert_eq(pc_pool_check(path), PC_E_CORRUPT);
	unlink(path);
}

Test(pool, corrupt_pcoll_root_is_corrupt)
{
	long root_off = 0;
	const char *path = closed_pool("pool-root", &root_off);
	pc_pool *p = NULL;
	uint64_t bad = 0x1234;
	cr_assert_eq(tu_poke(path, root_off, &bad, sizeof(bad)), 0);
	cr_assert_eq(pc_pool_open(path, &p), PC_E_CORRUPT);
	cr_assert(strstr(pc_errmsg(), "root") != NULL);
	unlink(path);
}

Test(pool, newer_layout_version_is_version_error)
{
	long root_off = 0;
	const char *path = closed_pool("pool-ver", &root_off);
	long ver_off = root_off + (long)offsetof(struct pc__root, version);
	pc_pool *p = NULL;
	uint32_t v = PC_POOL_LAYOUT_VERSION + 1;
	cr_assert_eq(tu_poke(path, ver_off, &v, sizeof(v)), 0);
	cr_assert_eq(pc_pool_open(path, &p), PC_E_VERSION);
	unlink(path);
}

Test(pool, second_open_is_busy)
{
	const char *path = tu_path("pool-busy");
	pc_pool *p = NULL, *q = NULL;
	cr_assert_eq(pc_pool_create(path, TU_POOL_SIZE, &p), PC_OK);
	cr_assert_eq(pc_pool_open(path, &q), PC_E_BUSY);
	cr_assert_null(q);
	/* ... and from another process too. */
	pid_t pid = tu_fork();
	if (pid == 0) {
		pc_pool *r = NULL;
		_exit(pc_pool_open(path, &r) == PC_E_BUSY ? 0 : 1);
	}
	int st = 0;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cr_assert_eq(pc_pool_close(p), PC_OK);
	cr_assert_eq(pc_pool_open(path, &q), PC_OK, "free again after close");
	cr_assert_eq(pc_pool_close(q), PC_OK);
	unlink(path);
}

Test(pool, open_and_close_inside_tx_are_refused)
{
	const char *path2 = tu_path("pool-intx2");
	pc_pool *p = tu_mkpool("pool-intx", TU_POOL_SIZE), *q = NULL;
	pc_err in_open = PC_OK, in_close = PC_OK;
	TX(p) {
		in_open = pc_pool_create(path2, TU_POOL_SIZE, &q);
		in_close = pc_pool_close(p);
	}
	cr_assert_eq(in_open, PC_E_INTX);
	cr_assert_eq(in_close, PC_E_INTX);
	tu_close_rm(p);
}

Test(pool, stats_count_used_bytes)
{
	pc_pool *p = tu_mkpool("pool-stats", TU_POOL_SIZE);
	pc_pool_stats a, b;
	cr_assert_eq(pc_pool_stats_get(p, &a), PC_OK);
	cr_assert_eq(a.size, TU_POOL_SIZE);
	PMEMoid o;
	cr_assert_eq(pmemobj_zalloc(p->pop, &o, 100000, 1), 0);
	cr_assert_eq(pc_pool_stats_get(p, &b), PC_OK);
	cr_assert_geq(b.used, a.used + 100000, "used %llu -> %llu",
		      (unsigned long long)a.used, (unsigned long long)b.used);
	cr_assert_lt(b.free, a.free);
	cr_assert_lt(b.used + b.free, b.size);
	cr_assert_eq(pc_pool_stats_get(NULL, &b), PC_E_INVAL);
	tu_close_rm(p);
}

Test(pool, a_copy_of_a_closed_pool_opens)
{
	const char *path = tu_path("pool-copy-a");
	const char *path2 = tu_path("pool-copy-b");
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create(path, TU_POOL_SIZE, &p), PC_OK);
	PC_PTR(int) v;
	cr_assert_eq(PC_ROOT(p, "v", int, PC_CREATE, &v), PC_OK);
	TX(p) {
		*PC_RW(p, int, v) = 5;
	}
	cr_assert_eq(pc_pool_close(p), PC_OK);
	copy_file(path, path2);
	cr_assert_eq(pc_pool_open(path2, &p), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(PC_ROOT(p, "v", int, PC_OPEN, &v), PC_OK);
	cr_assert_eq(*PC_RO(p, int, v), 5);
	cr_assert_eq(pc_pool_close(p), PC_OK);
	unlink(path);
	unlink(path2);
}
