/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One regression test per defect of issue 14 (and the two found after
 * it), each failing on the code before its fix. They use only API that
 * existed before the fixes, so the file builds against the old headers
 * too (that is how each was seen to fail; see the report of issue 14).
 * Calls that used to crash run in a forked child: a crash is reported as
 * the test's failure with its signal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <pcoll/blkarr.h>
#include <pcoll/compat/pmemlog.h>
#include <pcoll/log.h>
#include <pcoll/pcoll.h>

#include "tu_pool.h"

typedef struct point {
	int64_t x, y;
} point;
PC_DECLARE(point);
typedef struct blob {
	char b[4096];
} blob;
PC_DECLARE(blob);

#define PC_T    uint64_t
#define PC_NAME dv64
#include <pcoll/vec.h>
#define PC_K    uint64_t
#define PC_V    uint64_t
#define PC_NAME dm64
#include <pcoll/map.h>
#define PC_K uint64_t
#define PC_V uint64_t
#define PC_SYNC
#define PC_NAME ds64
#include <pcoll/map.h>
#define PC_K_BYTES
#define PC_V_BYTES
#define PC_NAME dbb
#include <pcoll/map.h>

#define D_POOL ((size_t)16 << 20)

/* Runs fn(arg) in a child; the test fails if the child crashes or fails.
 * Returns after the child ended well. */
static void d_in_child(const char *what, void (*fn)(void *), void *arg)
{
	pid_t pid = tu_fork();
	if (pid == 0) {
		fn(arg);
		fflush(NULL);
		_exit(0);
	}
	int st = 0;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(!WIFSIGNALED(st), "%s: crashed with signal %d (%s)", what,
		  WTERMSIG(st), strsignal(WTERMSIG(st)));
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: failed", what);
}

#define D_CHECK(cond, ...)                                              \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                   \
			fprintf(stderr, " (%s)\n", pc_errmsg());        \
			fflush(stderr);                                 \
			_exit(1);                                       \
		}                                                       \
	} while (0)

/* ------------------------------------------------------------------------ */
/* 1. plog_root's capacity arithmetic wrapped: a tiny chunk, then appends  */
/*    overwrote other objects.                                             */
/* ------------------------------------------------------------------------ */

Test(defects, plog_root_capacity_overflow)
{
	pc_pool *pool = tu_mkpool("d1", D_POOL);
	dv64 v = {0};
	cr_assert_eq(dv64_root(pool, "v", PC_CREATE, &v), PC_OK);
	for (uint64_t i = 0; i < 1000; i++)
		cr_assert_eq(dv64_push(&v, i), PC_OK);
	const size_t huge[] = {(size_t)-64, SIZE_MAX, SIZE_MAX - 63,
			       (size_t)PTRDIFF_MAX, (size_t)1 << 62};
	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		plog l;
		pc_err e = plog_root(pool, "l", PC_CREATE, huge[i], &l);
		cr_assert_eq(e, PC_E_TOOBIG, "capacity %zu: %d (%s)", huge[i],
			     e, pc_errmsg());
		cr_assert_eq(pc_root_count(pool), 1, "a log root was made");
	}
	/* nothing was damaged */
	cr_assert_eq(dv64_check(&v), PC_OK, "%s", pc_errmsg());
	for (uint64_t i = 0; i < 1000; i++)
		cr_assert_eq(*dv64_get(&v, i), i);
	char path[PC_PATH_MAX];
	snprintf(path, sizeof(path), "%s", pool->path);
	cr_assert_eq(pc_pool_close(pool), PC_OK);
	cr_assert_eq(pc_pool_check(path), PC_OK, "%s", pc_errmsg());
}

/* ------------------------------------------------------------------------ */
/* 2. PC_PTR_CHECK crashed on the offsets it exists to validate and        */
/*    accepted interior pointers.                                          */
/* ------------------------------------------------------------------------ */

struct d2_arg {
	pc_pool *pool;
	PC_PTR(point) p;
	uint64_t off;
	pc_err want;
};

static void d2_check(void *argp)
{
	struct d2_arg *a = argp;
	PC_PTR(point) q = a->p;
	q.oid.off = a->off;
	pc_err e = PC_PTR_CHECK(a->pool, point, q);
	D_CHECK(e == a->want, "offset %llu: %d, want %d",
		(unsigned long long)a->off, e, a->want);
}

Test(defects, ptr_check_untrusted_offsets)
{
	pc_pool *pool = tu_mkpool("d2", D_POOL);
	struct d2_arg a = {pool, PC_PTR_NULL(point), 0, PC_OK};
	cr_assert_eq(PC_NEW(pool, point, &a.p), PC_OK);
	PC_PTR(blob) b;
	cr_assert_eq(PC_NEW(pool, blob, &b), PC_OK);
	const struct {
		uint64_t off;
		pc_err want;
	} cases[] = {
		{a.p.oid.off, PC_OK},
		{4096, PC_E_CORRUPT},
		{12345, PC_E_CORRUPT},
		{1u << 20, PC_E_CORRUPT},
		{pool->size - 16, PC_E_CORRUPT},
		{pool->size - 8, PC_E_CORRUPT},
		{a.p.oid.off + 8, PC_E_CORRUPT},  /* interior */
		{b.oid.off + 16, PC_E_CORRUPT},   /* interior */
		{b.oid.off + 2048, PC_E_CORRUPT}, /* interior */
		{b.oid.off, PC_E_TYPE},           /* another type */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a.off = cases[i].off;
		a.want = cases[i].want;
		char what[64];
		snprintf(what, sizeof(what), "offset %llu",
			 (unsigned long long)a.off);
		d_in_child(what, d2_check, &a);
	}
	tu_close_rm(pool);
}

/* ------------------------------------------------------------------------ */
/* 3. A full pool could not be emptied: clear() and free() failed with     */
/*    PC_E_CORRUPT. Fill with each container, empty it, fill it again.     */
/* ------------------------------------------------------------------------ */

static uint64_t d3_fill_map(dm64 *m)
{
	uint64_t k = 0;
	pc_err e;
	while ((e = dm64_insert(m, k, k)) == PC_OK)
		k++;
	cr_assert_eq(e, PC_E_FULL, "%s", pc_errmsg());
	return k;
}

Test(defects, full_pool_map, .timeout = 300)
{
	pc_pool *pool = tu_mkpool("d3m", D_POOL);
	dm64 m = {0};
	cr_assert_eq(dm64_root(pool, "m", PC_CREATE, &m), PC_OK);
	uint64_t n = d3_fill_map(&m);
	cr_assert_gt(n, 10000);
	pc_err e = dm64_clear(&m);
	cr_assert_eq(e, PC_OK, "clear: %d (%s)", e, pc_errmsg());
	cr_assert_eq(dm64_len(&m), 0);
	cr_assert_eq(dm64_check(&m), PC_OK, "%s", pc_errmsg());
	uint64_t again = d3_fill_map(&m);
	cr_assert_geq(again + again / 20, n, "reuse: %llu of %llu",
		      (unsigned long long)again, (unsigned long long)n);
	e = dm64_free(&m);
	cr_assert_eq(e, PC_OK, "free: %d (%s)", e, pc_errmsg());
	cr_assert_eq(pc_root_count(pool), 0);
	cr_assert_eq(dm64_root(pool, "m2", PC_CREATE, &m), PC_OK, "%s",
		     pc_errmsg());
	cr_assert_geq(d3_fill_map(&m) + again / 20, again);
	tu_reopen(&pool);
	cr_assert_eq(dm64_root(pool, "m2", PC_OPEN, &m), PC_OK);
	cr_assert_eq(dm64_check(&m), PC_OK, "%s", pc_errmsg());
	tu_close_rm(pool);
}

Test(defects, full_pool_sync_map, .timeout = 300)
{
	pc_pool *pool = tu_mkpool("d3s", D_POOL);
	ds64 m = {0};
	cr_assert_eq(ds64_root(pool, "s", PC_CREATE, &m), PC_OK);
	uint64_t n = 0;
	while (ds64_insert(&m, n, n) == PC_OK)
		n++;
	cr_assert_gt(n, 10000);
	cr_assert_eq(ds64_clear(&m), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(ds64_len(&m), 0);
	cr_assert_eq(ds64_check(&m), PC_OK, "%s", pc_errmsg());
	uint64_t again = 0;
	while (ds64_insert(&m, again, again) == PC_OK)
		again++;
	cr_assert_geq(again + again / 20, n);
	cr_assert_eq(ds64_free(&m), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(pc_root_count(pool), 0);
	tu_close_rm(pool);
}

Test(defects, full_pool_bytes_map, .timeout = 300)
{
	pc_pool *pool = tu_mkpool("d3b", D_POOL);
	dbb m = {0};
	cr_assert_eq(dbb_root(pool, "b", PC_CREATE, &m), PC_OK);
	char k[64], v[100];
	memset(v, 'v', sizeof(v));
	uint64_t n = 0;
	for (;; n++) {
		snprintf(k, sizeof(k), "key-out-of-line-%030llu",
			 (unsigned long long)n);
		if (dbb_insert(&m, pc_slice_cstr(k),
			       pc_slice_make(v, sizeof(v))) != PC_OK)
			break;
	}
	cr_assert_gt(n, 1000);
	cr_assert_eq(dbb_clear(&m), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(dbb_check(&m), PC_OK, "%s", pc_errmsg());
	uint64_t again = 0;
	for (;; again++) {
		snprintf(k, sizeof(k), "key-out-of-line-%030llu",
			 (unsigned long long)again);
		if (dbb_insert(&m, pc_slice_cstr(k),
			       pc_slice_make(v, sizeof(v))) != PC_OK)
			break;
	}
	cr_assert_geq(again + again / 20, n);
	cr_assert_eq(dbb_free(&m), PC_OK, "%s", pc_errmsg());
	pc_pool_stats st;
	cr_assert_eq(pc_pool_stats_get(pool, &st), PC_OK);
	cr_assert_lt(st.used, 64u << 10, "%llu bytes still used",
		     (unsigned long long)st.used);
	tu_close_rm(pool);
}

Test(defects, full_pool_log, .timeout = 300)
{
	pc_pool *pool = tu_mkpool("d3l", D_POOL);
	plog l = {0};
	cr_assert_eq(plog_root(pool, "l", PC_CREATE, 4096, &l), PC_OK);
	char rec[200];
	memset(rec, 'r', sizeof(rec));
	uint64_t n = 0;
	while (plog_append(&l, rec, sizeof(rec)) == PC_OK)
		n++;
	cr_assert_gt(n, 1000);
	pc_err e = plog_free(&l);
	cr_assert_eq(e, PC_OK, "free: %d (%s)", e, pc_errmsg());
	cr_assert_eq(pc_root_count(pool), 0);
	cr_assert_eq(plog_root(pool, "l", PC_CREATE, 4096, &l), PC_OK, "%s",
		     pc_errmsg());
	uint64_t again = 0;
	while (plog_append(&l, rec, sizeof(rec)) == PC_OK)
		again++;
	cr_assert_geq(again + again / 20, n);
	cr_assert_eq(plog_check(&l), PC_OK, "%s", pc_errmsg());
	tu_close_rm(pool);
}

Test(defects, full_pool_vec_and_blocks, .timeout = 300)
{
	pc_pool *pool = tu_mkpool("d3v", D_POOL);
	dv64 v = {0};
	cr_assert_eq(dv64_root(pool, "v", PC_CREATE, &v), PC_OK);
	uint64_t n = 0;
	while (dv64_push(&v, n) == PC_OK)
		n++;
	cr_assert_gt(n, 10000);
	cr_assert_eq(dv64_clear(&v), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(dv64_free(&v), PC_OK, "%s", pc_errmsg());
	pblkarr a = {0};
	cr_assert_eq(pblkarr_root(pool, "a", PC_CREATE, 512, 0, &a), PC_OK,
		     "%s", pc_errmsg());
	/* libpmemobj keeps the vector's old arrays' runs: fewer blocks fit
	 * than a fresh pool holds, but some do */
	cr_assert_gt(pblkarr_nblock(&a), 100);
	cr_assert_eq(pblkarr_free(&a), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(dv64_root(pool, "v", PC_CREATE, &v), PC_OK);
	uint64_t again = 0;
	while (dv64_push(&v, again) == PC_OK)
		again++;
	cr_assert_geq(again + again / 20, n);
	tu_close_rm(pool);
}

/* ------------------------------------------------------------------------ */
/* 4. compat pmemlog_create at libpmemlog's sizes (2 MiB on) failed with    */
/*    ENOSPC and left its file behind.                                     */
/* ------------------------------------------------------------------------ */

Test(defects, pmemlog_create_small_pools)
{
	const size_t mib[] = {2, 3, 4, 8};
	for (size_t i = 0; i < sizeof(mib) / sizeof(mib[0]); i++) {
		const char *path = tu_path("d4");
		errno = 0;
		PMEMlogpool *plp = pmemlog_create(path, mib[i] << 20, 0600);
		cr_assert(plp, "%zu MiB: errno %d, %s", mib[i], errno,
			  pmemlog_errormsg());
		cr_assert_gt(pmemlog_nbyte(plp), 1u << 20);
		uint64_t n = 0;
		while (pmemlog_append(plp, "0123456789", 10) == 0)
			n++;
		cr_assert_eq(errno, ENOSPC);
		cr_assert_gt(n, 30000u, "%zu MiB: %llu appends", mib[i],
			     (unsigned long long)n);
		cr_assert_eq(pmemlog_tell(plp), (long long)(n * 10));
		pmemlog_close(plp);
		cr_assert_eq(pmemlog_check(path), 1);
		tu_remove_pool(path);
	}
	/* a create that fails leaves no file, and no file is taken */
	const char *path = tu_path("d4-bad");
	cr_assert_null(pmemlog_create(path, (size_t)PTRDIFF_MAX, 0600));
	cr_assert_neq(access(path, F_OK), 0, "a file was left behind");
}

/* ------------------------------------------------------------------------ */
/* 5. Growable pools needed an absolute path, and a failed create left an  */
/*    empty `.parts/` directory.                                           */
/* ------------------------------------------------------------------------ */

Test(defects, growable_relative_path, .timeout = 120)
{
	char path[TU_PATH_MAX], dir[TU_PATH_MAX], name[TU_PATH_MAX];
	snprintf(path, sizeof(path), "%s", tu_path("d5"));
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	cr_assert(slash);
	*slash = '\0';
	snprintf(name, sizeof(name), "%s", slash + 1);
	char cwd[4096];
	cr_assert(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(chdir(dir), 0);
	pc_pool *pool = NULL;
	pc_err e = pc_pool_create_growable(name, 8u << 20, 4u << 20, 0, &pool);
	cr_assert_eq(e, PC_OK, "relative growable create: %s", pc_errmsg());
	/* grow well past the start */
	PC_PTR(blob) items[4000];
	for (int i = 0; i < 4000; i++)
		cr_assert_eq(PC_NEW(pool, blob, &items[i]), PC_OK, "%d: %s", i,
			     pc_errmsg());
	pc_pool_stats st;
	cr_assert_eq(pc_pool_stats_get(pool, &st), PC_OK);
	cr_assert_gt(st.size, 16u << 20);
	cr_assert_eq(pc_pool_close(pool), PC_OK);
	cr_assert_eq(pc_pool_open(name, &pool), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(pc_pool_close(pool), PC_OK);
	cr_assert_eq(chdir(cwd), 0);
	cr_assert_eq(pc_pool_open(path, &pool), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(pc_pool_close(pool), PC_OK);
	tu_remove_pool(path);

	/* a create that fails leaves no parts directory */
	const char *taken = tu_path("d5-taken");
	int fd = open(taken, O_CREAT | O_WRONLY, 0600);
	cr_assert_geq(fd, 0);
	close(fd);
	e = pc_pool_create_growable(taken, 8u << 20, 4u << 20, 0, &pool);
	cr_assert_eq(e, PC_E_EXISTS, "%s", pc_errmsg());
	char parts[TU_PATH_MAX + 8];
	snprintf(parts, sizeof(parts), "%s.parts", taken);
	cr_assert_neq(access(parts, F_OK), 0, "%s was left behind", parts);
	cr_assert_eq(access(taken, F_OK), 0, "the existing file was removed");
}

/* ------------------------------------------------------------------------ */
/* 6. Crashes instead of PC_E_INVAL: NULL and zeroed handles, byte-string  */
/*    slices with a NULL pointer, an over-long key read before its length  */
/*    was checked, accessors given NULL.                                   */
/* ------------------------------------------------------------------------ */

struct d6_arg {
	pc_pool *pool;
	dbb b;
};

static void d6_vec_push(void *arg)
{
	(void)arg;
	dv64 z;
	memset(&z, 0, sizeof(z));
	D_CHECK(dv64_push(NULL, 1) == PC_E_INVAL, "push(NULL)");
	D_CHECK(dv64_push(&z, 1) == PC_E_INVAL, "push(zeroed)");
}

static void d6_null_key(void *arg)
{
	struct d6_arg *a = arg;
	pc_err e = dbb_put(&a->b, pc_slice_make(NULL, 5), pc_slice_cstr("v"),
			   NULL);
	D_CHECK(e == PC_E_INVAL, "put({NULL, 5}, v): %d", e);
}

static void d6_null_value(void *arg)
{
	struct d6_arg *a = arg;
	pc_err e = dbb_put(&a->b, pc_slice_cstr("k"), pc_slice_make(NULL, 100),
			   NULL);
	D_CHECK(e == PC_E_INVAL, "put(k, {NULL, 100}): %d", e);
}

static void d6_long_key(void *arg)
{
	struct d6_arg *a = arg;
	char shortbuf[16] = "short";
	pc_slice k = pc_slice_make(shortbuf, PC_BYTES_MAX + 4096);
	pc_err e = dbb_put(&a->b, k, pc_slice_cstr("v"), NULL);
	D_CHECK(e == PC_E_TOOBIG, "put(long key): %d", e);
	D_CHECK(dbb_get(&a->b, k).ptr == NULL, "get(long key)");
}

static void d6_accessors(void *arg)
{
	(void)arg;
	D_CHECK(dv64_len(NULL) == 0, "len(NULL)");
	D_CHECK(dm64_len(NULL) == 0, "map len(NULL)");
	D_CHECK(dm64_get(NULL, 1) == NULL, "get(NULL)");
	D_CHECK(dbb_get(NULL, pc_slice_cstr("k")).ptr == NULL, "get(NULL)");
	D_CHECK(plog_tell(NULL) == 0, "plog_tell(NULL)");
	plog z;
	memset(&z, 0, sizeof(z));
	D_CHECK(plog_count(&z) == 0, "plog_count(zeroed)");
}

Test(defects, null_handles_and_bad_slices)
{
	struct d6_arg a;
	a.pool = tu_mkpool("d6", D_POOL);
	cr_assert_eq(dbb_root(a.pool, "b", PC_CREATE, &a.b), PC_OK);
	cr_assert_eq(
		dbb_put(&a.b, pc_slice_cstr("k"), pc_slice_cstr("v"), NULL),
		PC_OK);
	d_in_child("push on NULL and zeroed handles", d6_vec_push, &a);
	d_in_child("bytes key {NULL, 5}", d6_null_key, &a);
	d_in_child("bytes value {NULL, 100}", d6_null_value, &a);
	d_in_child("key over PC_BYTES_MAX with a short buffer", d6_long_key,
		   &a);
	d_in_child("accessors given NULL", d6_accessors, &a);
	cr_assert_eq(dbb_len(&a.b), 1);
	tu_close_rm(a.pool);
}

/* ------------------------------------------------------------------------ */
/* 7. pc_pool_check() inside a TX() gave PC_E_BUSY; the docs say INTX.      */
/* ------------------------------------------------------------------------ */

Test(defects, pool_check_in_tx)
{
	pc_pool *pool = tu_mkpool("d7", D_POOL);
	const char *other = tu_path("d7-other");
	pc_pool *p2 = NULL;
	cr_assert_eq(pc_pool_create(other, D_POOL, &p2), PC_OK);
	cr_assert_eq(pc_pool_close(p2), PC_OK);
	pc_err in_own = PC_OK, in_other = PC_OK, err = PC_OK;
	TX(pool, &err) {
		in_own = pc_pool_check(pool->path);
		in_other = pc_pool_check(other);
	}
	cr_assert_eq(err, PC_OK);
	cr_assert_eq(in_own, PC_E_INTX, "%d: %s", in_own, pc_errmsg());
	cr_assert_eq(in_other, PC_E_INTX, "%d", in_other);
	cr_assert_eq(pc_pool_check(other), PC_OK, "%s", pc_errmsg());
	tu_close_rm(pool);
}

/* ------------------------------------------------------------------------ */
/* 8. A crash between the two fences of a new pool's first open left a     */
/*    root with version 1 and magic 0, which reopened as PC_E_CORRUPT.     */
/* ------------------------------------------------------------------------ */

/* The file offset of pcoll's root object of the pool at path. */
static long d8_root_off(const char *path)
{
	pc_pool *pool = NULL;
	cr_assert_eq(pc_pool_open(path, &pool), PC_OK, "%s", pc_errmsg());
	long off = (long)pc_pool_off(pool, pool->root);
	cr_assert_eq(pc_pool_close(pool), PC_OK);
	return off;
}

Test(defects, root_initialisation_crash_gap)
{
	const char *path = tu_path("d8");
	pc_pool *pool = NULL;
	cr_assert_eq(pc_pool_create(path, D_POOL, &pool), PC_OK);
	cr_assert_eq(pc_pool_close(pool), PC_OK);
	long off = d8_root_off(path);
	/* The state after fence 1: version 1, flags 0, magic still 0; and
	 * the one a crash inside fence 1 can leave: magic and version 0. */
	const uint32_t versions[] = {1, 0};
	for (int i = 0; i < 2; i++) {
		uint64_t zero = 0;
		cr_assert_eq(tu_poke(path, off, &zero, 8), 0);
		cr_assert_eq(tu_poke(path, off + 8, &versions[i], 4), 0);
		pc_err e = pc_pool_open(path, &pool);
		cr_assert_eq(e, PC_OK, "version %u, magic 0: %d (%s)",
			     versions[i], e, pc_errmsg());
		PC_PTR(point) p;
		cr_assert_eq(PC_ROOT(pool, "p", point, PC_OPEN_OR_CREATE, &p),
			     PC_OK);
		cr_assert_eq(pc_pool_close(pool), PC_OK);
		cr_assert_eq(pc_pool_check(path), PC_OK, "%s", pc_errmsg());
		/* a pool with roots is never taken for an unfinished one */
		cr_assert_eq(tu_poke(path, off, &zero, 8), 0);
		cr_assert_eq(pc_pool_open(path, &pool), PC_E_CORRUPT);
		tu_remove_pool(path);
		cr_assert_eq(pc_pool_create(path, D_POOL, &pool), PC_OK);
		cr_assert_eq(pc_pool_close(pool), PC_OK);
	}
	/* A growable pool cut before its root's fence 1 still grows: the
	 * step is read back from its poolset file. */
	const char *gpath = tu_path("d8g");
	cr_assert_eq(
		pc_pool_create_growable(gpath, 8u << 20, 4u << 20, 0, &pool),
		PC_OK, "%s", pc_errmsg());
	long goff = (long)pc_pool_off(pool, pool->root);
	cr_assert_eq(pc_pool_close(pool), PC_OK);
	char part[TU_PATH_MAX + 32];
	snprintf(part, sizeof(part), "%s.parts/000000.pmem", gpath);
	/* the poolset's single header sits in the first part: same offset */
	uint64_t zeros[4] = {0, 0, 0, 0};
	cr_assert_eq(tu_poke(part, goff, zeros, sizeof(zeros)), 0);
	cr_assert_eq(pc_pool_open(gpath, &pool), PC_OK, "%s", pc_errmsg());
	PC_PTR(blob) items[3000];
	for (int i = 0; i < 3000; i++)
		cr_assert_eq(PC_NEW(pool, blob, &items[i]), PC_OK,
			     "growth after an unfinished first open: %d: %s", i,
			     pc_errmsg());
	cr_assert_eq(pc_pool_close(pool), PC_OK);
	tu_remove_pool(gpath);
}

/* ------------------------------------------------------------------------ */
/* 9. The end of a TX() scope and pc_tx_abort() replaced the message of    */
/*    the failure that made the program leave the transaction.             */
/* ------------------------------------------------------------------------ */

Test(defects, tx_keeps_the_first_message)
{
	pc_pool *pool = tu_mkpool("d9", D_POOL);
	dm64 m = {0};
	cr_assert_eq(dm64_root(pool, "m", PC_CREATE, &m), PC_OK);
	cr_assert_eq(dm64_insert(&m, 5, 50), PC_OK);
	pc_err err = PC_OK;
	TX(pool, &err) {
		if (dm64_insert(&m, 6, 60) != PC_OK)
			break;
		if (dm64_insert(&m, 5, 51) != PC_OK) /* exists */
			break;
	}
	cr_assert_eq(err, PC_E_ESCAPED);
	cr_assert(strstr(pc_errmsg(), "key exists"), "lost: %s", pc_errmsg());
	cr_assert(strstr(pc_errmsg(), "TX()"), "no outcome: %s", pc_errmsg());
	cr_assert(!dm64_contains(&m, 6));

	TX(pool, &err) {
		if (dm64_remove(&m, 77, NULL) != PC_OK) {
			pc_tx_abort(PC_E_NOTFOUND);
			break;
		}
	}
	cr_assert_eq(err, PC_E_NOTFOUND);
	cr_assert(strstr(pc_errmsg(), "no such key"), "lost: %s", pc_errmsg());

	/* a resource failure, then calls that fail because of it */
	dv64 v = {0};
	cr_assert_eq(dv64_root(pool, "v", PC_CREATE, &v), PC_OK);
	TX(pool, &err) {
		if (dv64_reserve(&v, (size_t)1 << 30) != PC_OK) {
			cr_assert_eq(dv64_push(&v, 1), PC_E_ABORTED);
			cr_assert_eq(dm64_insert(&m, 9, 9), PC_E_ABORTED);
		}
	}
	cr_assert_eq(err, PC_E_FULL, "%d: %s", err, pc_errmsg());
	cr_assert(strstr(pc_errmsg(), "[pool full]") &&
			  strstr(pc_errmsg(), "dv64_reserve"),
		  "the first failure is lost: %s", pc_errmsg());
	tu_close_rm(pool);
}

/* ------------------------------------------------------------------------ */
/* 10. Messages that misled.                                                */
/* ------------------------------------------------------------------------ */

Test(defects, messages_name_what_failed, .timeout = 120)
{
	/* a pool-full error names the container, the pool and the sizes,
	 * and no libpmemobj text about growing a fixed pool */
	pc_pool *pool = tu_mkpool("d10", D_POOL);
	dm64 m = {0};
	cr_assert_eq(dm64_root(pool, "m", PC_CREATE, &m), PC_OK);
	uint64_t k = 0;
	while (dm64_insert(&m, k, k) == PC_OK)
		k++;
	const char *msg = pc_errmsg();
	cr_assert(strstr(msg, "pmap<uint64_t,uint64_t>") &&
			  strstr(msg, pool->path) && strstr(msg, "bytes") &&
			  strstr(msg, "largest free block"),
		  "%s", msg);
	cr_assert(!strstr(msg, "appending parts"), "%s", msg);
	PC_PTR(blob) b;
	pc_err e;
	while ((e = PC_NEW(pool, blob, &b)) == PC_OK)
		;
	cr_assert_eq(e, PC_E_FULL);
	cr_assert(!strstr(pc_errmsg(), "appending parts"), "%s", pc_errmsg());
	cr_assert(strstr(pc_errmsg(), pool->path) &&
			  strstr(pc_errmsg(), "blob"),
		  "%s", pc_errmsg());
	char path[PC_PATH_MAX];
	snprintf(path, sizeof(path), "%s", pool->path);
	cr_assert_eq(pc_pool_close(pool), PC_OK);
	tu_remove_pool(path);

	/* the wrong layout of a random file is printed, not dumped raw */
	cr_assert_eq(pc_pool_create(path, D_POOL, &pool), PC_OK);
	cr_assert_eq(pc_pool_close(pool), PC_OK);
	unsigned char junk[24];
	for (int i = 0; i < 24; i++)
		junk[i] = (unsigned char)(0x80 + i * 5);
	junk[3] = '\n';
	cr_assert_eq(tu_poke(path, 4096, junk, sizeof(junk)), 0);
	cr_assert_eq(pc_pool_open(path, &pool), PC_E_LAYOUT);
	msg = pc_errmsg();
	for (const char *c = msg; *c; c++)
		cr_assert((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f,
			  "an unprintable byte in: %s", msg);
	cr_assert(strstr(msg, "\\x0a"), "%s", msg);
	tu_remove_pool(path);

	/* a libpmemlog file: pcoll cannot read it, its compat header either */
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs("PMEMLOG", f);
	fputc(0, f);
	for (int i = 0; i < 8192; i++)
		fputc(0, f);
	fclose(f);
	cr_assert_eq(pc_pool_open(path, &pool), PC_E_NOTPOOL);
	cr_assert(!strstr(pc_errmsg(), "reads it only through"), "%s",
		  pc_errmsg());
	cr_assert(strstr(pc_errmsg(), "cannot read it"), "%s", pc_errmsg());
	tu_remove_pool(path);

	/* a busy log is not a busy pool */
	cr_assert(!strstr(pc_strerror(PC_E_BUSY), "already open"), "%s",
		  pc_strerror(PC_E_BUSY));
}

/* ------------------------------------------------------------------------ */
/* 11. One callback rule: plog_walk went on while its callback returned    */
/*     nonzero, PMAP's visitors stopped then. Now both stop on nonzero and */
/*     return that value.                                                  */
/* ------------------------------------------------------------------------ */

static int d11_stop_at_2(const void *b, size_t l, void *arg)
{
	(void)b;
	(void)l;
	return ++*(int *)arg == 2 ? -42 : 0;
}

static int d11_visit(const uint64_t *k, const uint64_t *v, void *arg)
{
	(void)k;
	(void)v;
	return ++*(int *)arg == 2 ? -42 : 0;
}

Test(defects, one_callback_rule)
{
	pc_pool *pool = tu_mkpool("d11", D_POOL);
	plog l = {0};
	cr_assert_eq(plog_root(pool, "l", PC_CREATE, 4096, &l), PC_OK);
	dm64 m = {0};
	cr_assert_eq(dm64_root(pool, "m", PC_CREATE, &m), PC_OK);
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(plog_append(&l, "abc", 3), PC_OK);
		cr_assert_eq(dm64_insert(&m, (uint64_t)i, 0), PC_OK);
	}
	int calls = 0;
	int r = (int)plog_walk(&l, 0, d11_stop_at_2, &calls);
	cr_assert_eq(calls, 2, "the walk did not stop on nonzero: %d calls",
		     calls);
	cr_assert_eq(r, -42);
	calls = 0;
	cr_assert_eq(dm64_get_all(&m, d11_visit, &calls), -42);
	cr_assert_eq(calls, 2);
	tu_close_rm(pool);
}
