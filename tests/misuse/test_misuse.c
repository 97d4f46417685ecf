/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The misuse suite (issue 14): every public function of every container,
 * the pool, typed pointers, transactions, byte strings and the compat
 * headers, called as a careless program would: NULL and zeroed handles,
 * sizes of 0 and sizes that overflow (SIZE_MAX, SIZE_MAX - 63 which is
 * (size_t)-64, PTRDIFF_MAX), wrong types, calls inside and outside TX(),
 * closed pools, full pools. Every case runs in a forked child on its own
 * copy of a template pool (mu.h), asserts the exact code of each call and
 * then that everything the template committed is intact. A crash is one
 * failed case, reported with its signal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <pcoll/blkarr.h>
#include <pcoll/compat/pmemblk.h>
#include <pcoll/compat/pmemlog.h>
#include <pcoll/log.h>
#include <pcoll/pcoll.h>

#include "mu.h"

typedef struct point {
	int64_t x, y;
} point;
PC_DECLARE(point);
typedef struct other {
	int64_t a;
} other;
PC_DECLARE(other);

#define PC_T    uint64_t
#define PC_NAME vu64
#include <pcoll/vec.h>
#define PC_T    uint32_t
#define PC_NAME vu32
#include <pcoll/vec.h>
#define PC_K    uint64_t
#define PC_V    uint64_t
#define PC_NAME mu64
#include <pcoll/map.h>
#define PC_K uint64_t
#define PC_V uint64_t
#define PC_SYNC
#define PC_NAME ms64
#include <pcoll/map.h>
#define PC_K_BYTES
#define PC_V_BYTES
#define PC_NAME mbb
#include <pcoll/map.h>
#define PC_K uint64_t
#define PC_V uint64_t
#define PC_DRAM
#define PC_NAME md64
#include <pcoll/map.h>

/* The sizes every size-taking function is called with. SIZE_MAX - 63
 * and (size_t)-64 are the same number; both are listed as the issue
 * names them. */
static const size_t mu_huge[] = {SIZE_MAX, SIZE_MAX - 63, (size_t)-64,
				 (size_t)PTRDIFF_MAX};
#define MU_NHUGE (sizeof(mu_huge) / sizeof(mu_huge[0]))

#define MU_POOL_SIZE ((size_t)16 << 20)
#define MU_NV        100u
#define MU_NM        200u
#define MU_NB        50u
#define MU_NL        20u
#define MU_NA        16u

/* What a case works on: its pool copy and a handle for every root. */
typedef struct mu_env {
	char path[TU_PATH_MAX];  /* the case's pool (or a free path) */
	char other[TU_PATH_MAX]; /* a second free path */
	pc_pool *pool;
	vu64 v, fv;
	mu64 m, fm;
	ms64 s;
	mbb b;
	plog l, fl;
	pblkarr a;
	PC_PTR(point) o;
} mu_env;

/* ---- template contents ------------------------------------------------ */

static void mu_bkey(uint64_t i, char *k, size_t n)
{
	/* Every fifth key is long enough to live out of line. */
	(void)snprintf(k, n,
		       i % 5 ? "k%03llu"
			     : "a-long-key-stored-out-of-line-%03llu",
		       (unsigned long long)i);
}

static void mu_bval(uint64_t i, char *v, size_t n)
{
	(void)snprintf(
		v, n,
		i % 5 ? "v%llu"
		      : "a value long enough for its own allocation %llu",
		(unsigned long long)i);
}

static void mu_rec(uint64_t i, char *r, size_t n)
{
	(void)snprintf(r, n, "record %llu", (unsigned long long)i);
}

#define MU_TRY(expr)                                                 \
	do {                                                         \
		pc_err mu_e_ = (expr);                               \
		if (mu_e_ != PC_OK) {                                \
			fprintf(stderr, "template: %s: %s\n", #expr, \
				pc_errmsg());                        \
			return mu_e_;                                \
		}                                                    \
	} while (0)

static pc_err mu_bind(mu_env *x, int create)
{
	pc_open_mode md = create ? PC_CREATE : PC_OPEN;
	MU_TRY(vu64_root(x->pool, "v", md, &x->v));
	MU_TRY(mu64_root(x->pool, "m", md, &x->m));
	MU_TRY(ms64_root(x->pool, "s", md, &x->s));
	MU_TRY(mbb_root(x->pool, "b", md, &x->b));
	MU_TRY(plog_root(x->pool, "l", md, 4096, &x->l));
	MU_TRY(pblkarr_root(x->pool, "a", md, 512, MU_NA, &x->a));
	MU_TRY(PC_ROOT(x->pool, "o", point, md, &x->o));
	return PC_OK;
}

/* The full template's extra roots, bound when present. */
static void mu_bind_full(mu_env *x)
{
	pc_err e = vu64_root(x->pool, "fv", PC_OPEN, &x->fv);
	if (e == PC_OK)
		e = mu64_root(x->pool, "fm", PC_OPEN, &x->fm);
	if (e == PC_OK)
		e = plog_root(x->pool, "fl", PC_OPEN, 0, &x->fl);
	MU_CHECK(e == PC_OK, "bind the full template's roots");
}

static pc_err mu_fill(mu_env *x)
{
	for (uint64_t i = 0; i < MU_NV; i++)
		MU_TRY(vu64_push(&x->v, i * 3));
	for (uint64_t k = 0; k < MU_NM; k++) {
		MU_TRY(mu64_insert(&x->m, k, k * 7));
		MU_TRY(ms64_insert(&x->s, k, k * 7));
	}
	char k[64], v[96];
	for (uint64_t i = 0; i < MU_NB; i++) {
		mu_bkey(i, k, sizeof(k));
		mu_bval(i, v, sizeof(v));
		MU_TRY(mbb_insert(&x->b, pc_slice_cstr(k), pc_slice_cstr(v)));
	}
	for (uint64_t i = 0; i < MU_NL; i++) {
		mu_rec(i, k, sizeof(k));
		MU_TRY(plog_append(&x->l, k, strlen(k)));
	}
	unsigned char blk[512];
	for (uint64_t i = 0; i < MU_NA; i += 2) {
		memset(blk, (int)i + 1, sizeof(blk));
		MU_TRY(pblkarr_write(&x->a, i, blk));
	}
	TX(x->pool) {
		point *p = PC_RW(x->pool, point, x->o);
		if (!p)
			break;
		p->x = 1;
		p->y = 2;
	}
	return pc_tx_last();
}

/* Allocations of decreasing sizes until not even 1 byte fits: then
 * every allocation of any size fails. */
static void mu_exhaust(pc_pool *pool)
{
	for (size_t sz = (size_t)1 << 22; sz >= 1; sz /= 2) {
		PMEMoid o;
		while (pmemobj_alloc(pool->pop, &o, sz, 0x4d55, NULL, NULL) ==
		       0)
			;
	}
}

static pc_err mu_make_template(const char *path, int full)
{
	mu_env x;
	memset(&x, 0, sizeof(x));
	MU_TRY(pc_pool_create(path, MU_POOL_SIZE, &x.pool));
	pc_err e = mu_bind(&x, 1);
	if (e == PC_OK)
		e = mu_fill(&x);
	if (e == PC_OK && full) {
		/* fv: a vector whose array is full, so its next push must
		 * grow; fm and fl: empty, to be filled by the cases. */
		e = vu64_root(x.pool, "fv", PC_CREATE, &x.fv);
		while (e == PC_OK && vu64_len(&x.fv) < vu64_cap(&x.fv) + 1 &&
		       (vu64_len(&x.fv) == 0 ||
			vu64_len(&x.fv) < vu64_cap(&x.fv)))
			e = vu64_push(&x.fv, 42);
		if (e == PC_OK)
			e = mu64_root(x.pool, "fm", PC_CREATE, &x.fm);
		if (e == PC_OK)
			e = plog_root(x.pool, "fl", PC_CREATE, 4096, &x.fl);
		if (e == PC_OK)
			mu_exhaust(x.pool);
	}
	(void)pc_pool_close(x.pool);
	return e;
}

/* The templates of this Criterion run: made by the first worker that
 * needs one (a private file renamed into place, so that workers running
 * in parallel never see half a template); removed at the end of the run
 * with everything else of the run (tu_hooks.c). */
static const char *mu_template(int full)
{
	static char path[2][TU_PATH_MAX + 128];
	if (path[full][0])
		return path[full];
	char prefix[96];
	tu_dir();
	tu__prefix(prefix, sizeof(prefix), 0);
	int w = snprintf(path[full], sizeof(path[full]),
			 "%s/%stemplate-%s.pool", tu_dir(), prefix,
			 full ? "full" : "data");
	cr_assert(w > 0 && (size_t)w < sizeof(path[full]), "template path");
	if (access(path[full], F_OK) == 0)
		return path[full];
	const char *tmp = tu_path(full ? "tmpl-full" : "tmpl-data");
	cr_assert_eq(mu_make_template(tmp, full), PC_OK, "template: %s",
		     pc_errmsg());
	cr_assert_eq(rename(tmp, path[full]), 0, "rename: %s", strerror(errno));
	return path[full];
}

static int mu_copy(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int ok = in >= 0 && out >= 0;
	static char buf[1 << 20];
	ssize_t n;
	while (ok && (n = read(in, buf, sizeof(buf))) > 0)
		ok = write(out, buf, (size_t)n) == n;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ok ? 0 : -1;
}

/* ---- the committed data is intact --------------------------------------- */

static void mu_verify(mu_env *x)
{
	unsigned long cases_checks = mu_nchecks; /* not the case's own */
	MU_CHECK(vu64_check(&x->v) == PC_OK, "vector check");
	MU_CHECK(vu64_len(&x->v) == MU_NV, "vector length %zu",
		 vu64_len(&x->v));
	for (uint64_t i = 0; i < MU_NV; i++)
		MU_CHECK(*vu64_get(&x->v, i) == i * 3, "vector element %llu",
			 (unsigned long long)i);
	MU_CHECK(mu64_check(&x->m) == PC_OK, "map check");
	MU_CHECK(ms64_check(&x->s) == PC_OK, "sync map check");
	MU_CHECK(mu64_len(&x->m) == MU_NM && ms64_len(&x->s) == MU_NM,
		 "map lengths %zu %zu", mu64_len(&x->m), ms64_len(&x->s));
	for (uint64_t k = 0; k < MU_NM; k++) {
		const uint64_t *v = mu64_get(&x->m, k);
		MU_CHECK(v && *v == k * 7, "map key %llu",
			 (unsigned long long)k);
		uint64_t w = 0;
		MU_CHECK(ms64_get_copy(&x->s, k, &w) && w == k * 7,
			 "sync map key %llu", (unsigned long long)k);
	}
	MU_CHECK(mbb_check(&x->b) == PC_OK, "bytes map check");
	MU_CHECK(mbb_len(&x->b) == MU_NB, "bytes map length %zu",
		 mbb_len(&x->b));
	char k[64], v[96];
	for (uint64_t i = 0; i < MU_NB; i++) {
		mu_bkey(i, k, sizeof(k));
		mu_bval(i, v, sizeof(v));
		pc_slice got = mbb_get(&x->b, pc_slice_cstr(k));
		MU_CHECK(got.ptr && pc_slice_eq(got, pc_slice_cstr(v)),
			 "bytes map key %s", k);
	}
	MU_CHECK(plog_check(&x->l) == PC_OK, "log check");
	MU_CHECK(plog_count(&x->l) == MU_NL, "log count %llu",
		 (unsigned long long)plog_count(&x->l));
	plog_iter it;
	MU_CHECK(plog_iter_begin(&x->l, &it) == PC_OK, "log iterator");
	const void *d;
	size_t len;
	for (uint64_t i = 0; i < MU_NL; i++) {
		mu_rec(i, k, sizeof(k));
		MU_CHECK(plog_iter_next(&it, &d, &len) && len == strlen(k) &&
				 memcmp(d, k, len) == 0,
			 "log record %llu", (unsigned long long)i);
	}
	MU_CHECK(!plog_iter_next(&it, &d, &len), "a record too many");
	plog_iter_end(&it);
	MU_CHECK(pblkarr_check(&x->a) == PC_OK, "block array check");
	unsigned char blk[512];
	for (uint64_t i = 0; i < MU_NA; i++) {
		MU_CHECK(pblkarr_read(&x->a, i, blk) == PC_OK, "block %llu",
			 (unsigned long long)i);
		for (size_t j = 0; j < sizeof(blk); j++)
			MU_CHECK(blk[j] == (i % 2 ? 0 : (unsigned char)(i + 1)),
				 "block %llu byte %zu", (unsigned long long)i,
				 j);
	}
	const point *p = PC_RO(x->pool, point, x->o);
	MU_CHECK(p && p->x == 1 && p->y == 2, "user struct");
	mu_nchecks = cases_checks;
}

/* ---- running a case ------------------------------------------------------ */

static int mu_run(const mu_case *c)
{
	mu_env x;
	memset(&x, 0, sizeof(x));
	(void)snprintf(x.path, sizeof(x.path), "%s", tu_path(c->name));
	(void)snprintf(x.other, sizeof(x.other), "%s",
		       tu_path_ext(c->name, "other"));
	if (c->tmpl != MU_NONE &&
	    mu_copy(mu_template(c->tmpl == MU_FULL), x.path) != 0) {
		fprintf(stderr, "  %s: cannot copy the template\n", c->name);
		return 1;
	}
	pid_t pid = tu_fork();
	if (pid == 0) {
		if (c->tmpl != MU_NONE) {
			MU_CHECK(pc_pool_open(x.path, &x.pool) == PC_OK,
				 "open the case's pool");
			MU_CHECK(mu_bind(&x, 0) == PC_OK, "bind the roots");
			if (c->tmpl == MU_FULL) {
				mu_bind_full(&x);
				mu_exhaust(x.pool);
			}
		}
		c->fn(&x);
		if (getenv("MU_VERBOSE"))
			fprintf(stderr, "  case %s: %lu checks passed\n",
				c->name, mu_nchecks);
		if (c->tmpl != MU_NONE && !(c->flags & MU_CHANGES)) {
			MU_CHECK(x.pool, "the case left no open pool");
			mu_verify(&x);
		}
		if (x.pool)
			(void)pc_pool_close(x.pool);
		fflush(NULL);
		_exit(0);
	}
	int st = 0;
	(void)waitpid(pid, &st, 0);
	tu_remove_pool(x.path);
	tu_remove_pool(x.other);
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "  case %s: CRASHED with signal %d (%s)\n",
			c->name, WTERMSIG(st), strsignal(WTERMSIG(st)));
		return 1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "  case %s: FAILED\n", c->name);
		return 1;
	}
	return 0;
}

static void mu_run_all(const mu_case *cases, size_t n)
{
	size_t failed = 0;
	for (size_t i = 0; i < n; i++)
		failed += (size_t)mu_run(&cases[i]);
	cr_assert_eq(failed, 0, "%zu of %zu cases failed (see above)", failed,
		     n);
}

#define MU_CASES(group, ...)                                         \
	Test(misuse, group, .timeout = 600)                          \
	{                                                            \
		static const mu_case cases[] = {__VA_ARGS__};        \
		mu_run_all(cases, sizeof(cases) / sizeof(cases[0])); \
	}

/* Handles of each kind: NULL, zeroed. */
static const vu64 mu_zv;
static const mu64 mu_zm;
static const ms64 mu_zs;
static const mbb mu_zb;
static const plog mu_zl;
static const pblkarr mu_za;

/* ======================================================================== */
/* The pool, named roots, typed pointers, transactions, byte strings        */
/* ======================================================================== */

static void c_pool_open_args(mu_env *x)
{
	pc_pool *p = (pc_pool *)&p;
	MU_CODE(pc_pool_open(NULL, &p), PC_E_INVAL);
	MU_CHECK(p == (pc_pool *)&p, "the handle is untouched on error");
	p = NULL;
	MU_CODE(pc_pool_open(x->path, NULL), PC_E_INVAL);
	MU_CODE(pc_pool_open("", &p), PC_E_INVAL);
	MU_CODE(pc_pool_open_mode(x->path, MU_POOL_SIZE, (pc_open_mode)0, &p),
		PC_E_INVAL);
	MU_CODE(pc_pool_open_mode(x->path, MU_POOL_SIZE, (pc_open_mode)99, &p),
		PC_E_INVAL);
	MU_CODE(pc_pool_open_opts(x->path, PC_CREATE, NULL, &p), PC_E_INVAL);
	static char longp[PC_PATH_MAX + 10];
	memset(longp, 'a', sizeof(longp) - 1);
	MU_CODE(pc_pool_open(longp, &p), PC_E_INVAL);
	MU_CODE(pc_pool_open(x->path, &p), PC_E_NOTFOUND);
	MU_CODE(pc_pool_create(x->path, 0, &p), PC_E_INVAL);
	MU_CODE(pc_pool_create(x->path, PC_POOL_MIN_SIZE - 1, &p), PC_E_INVAL);
	MU_CHECK(access(x->path, F_OK) != 0, "a failed create left a file");
}

static void c_pool_create_sizes(mu_env *x)
{
	pc_pool *p = NULL;
	for (size_t i = 0; i < MU_NHUGE; i++) {
		MU_CODE(pc_pool_create(x->path, mu_huge[i], &p), PC_E_TOOBIG);
		MU_CODE(pc_pool_open_or_create(x->path, mu_huge[i], &p),
			PC_E_TOOBIG);
		MU_CODE(pc_pool_open_mode(x->path, mu_huge[i], PC_CREATE, &p),
			PC_E_TOOBIG);
		MU_CHECK(access(x->path, F_OK) != 0, "file left behind");
		/* growable: initial size, step, maximum */
		MU_CODE(pc_pool_create_growable(x->path, mu_huge[i],
						PC_POOL_MIN_GROW_STEP, 0, &p),
			PC_E_TOOBIG);
		MU_CODE(pc_pool_create_growable(x->path, 8u << 20, mu_huge[i],
						0, &p),
			PC_E_INVAL);
		MU_CODE(pc_pool_create_growable(x->path, 8u << 20,
						PC_POOL_MIN_GROW_STEP,
						mu_huge[i], &p),
			PC_E_TOOBIG);
		MU_CODE(pc_pool_create_growable(x->path, mu_huge[i], mu_huge[i],
						mu_huge[i], &p),
			PC_E_TOOBIG);
		char parts[TU_PATH_MAX + 8];
		(void)snprintf(parts, sizeof(parts), "%s.parts", x->path);
		MU_CHECK(access(x->path, F_OK) != 0 && access(parts, F_OK) != 0,
			 "a failed growable create left a file or parts");
	}
	MU_CODE(pc_pool_create_growable(x->path, 8u << 20, 1, 0, &p),
		PC_E_INVAL);
	MU_CODE(pc_pool_create_growable(x->path, 64u << 20, 4u << 20, 32u << 20,
					&p),
		PC_E_INVAL);
}

static void c_pool_in_tx(mu_env *x)
{
	pc_pool *p = NULL;
	pc_err err = PC_E_IO;
	TX(x->pool, &err) {
		MU_CODE(pc_pool_open(x->other, &p), PC_E_INTX);
		MU_CODE(pc_pool_create(x->other, MU_POOL_SIZE, &p), PC_E_INTX);
		MU_CODE(pc_pool_close(x->pool), PC_E_INTX);
		MU_CODE(pc_pool_check(x->path), PC_E_INTX);
		MU_CHECK(pc_tx_active(), "an argument error aborted the TX");
	}
	MU_CODE(err, PC_OK);
	MU_CHECK(access(x->other, F_OK) != 0, "a pool was created in a TX");
}

static void c_pool_busy(mu_env *x)
{
	pc_pool *p = NULL;
	MU_CODE(pc_pool_open(x->path, &p), PC_E_BUSY);
	MU_CHECK(p == NULL, "a handle after BUSY");
	MU_CODE(pc_pool_check(x->path), PC_E_BUSY);
	MU_CODE(pc_pool_create(x->path, MU_POOL_SIZE, &p), PC_E_EXISTS);
}

static void c_pool_closed(mu_env *x)
{
	MU_CODE(pc_pool_close(x->pool), PC_OK);
	x->pool = NULL;
	MU_CODE(pc_pool_close(NULL), PC_OK);
	MU_CODE(pc_pool_check(x->path), PC_OK);
	MU_CODE(pc_pool_open(x->path, &x->pool), PC_OK);
	MU_CODE(mu_bind(x, 0), PC_OK);
	/* handles of a closed pool are cleared by the program: zeroed */
	vu64 v = mu_zv;
	MU_CODE(vu64_push(&v, 1), PC_E_INVAL);
}

static void c_pool_accessors(mu_env *x)
{
	pc_pool_stats st;
	MU_INVAL(pc_pool_is_pmem(NULL), 0);
	MU_INVAL(pc_root_count(NULL), 0);
	MU_CHECK(pc_pool_ptr(NULL, 4096) == NULL, "pc_pool_ptr(NULL)");
	MU_CHECK(pc_pool_off(NULL, x) == 0, "pc_pool_off(NULL)");
	MU_CHECK(pc_pool_ptr(x->pool, 0) == NULL, "offset 0");
	MU_CODE(pc_pool_stats_get(NULL, &st), PC_E_INVAL);
	MU_CODE(pc_pool_stats_get(x->pool, NULL), PC_E_INVAL);
	MU_CODE(pc_pool_stats_get(x->pool, &st), PC_OK);
	MU_CHECK(st.nroots == 7, "nroots %llu", (unsigned long long)st.nroots);
	/* the persistence helpers: no crash, nothing done, a message */
	char *in = x->pool->base + 8192;
	for (size_t i = 0; i < MU_NHUGE; i++) {
		mu_clear_msg();
		pc_pool_persist(x->pool, in, mu_huge[i]);
		MU_MSG_HAS("[invalid argument]");
		mu_clear_msg();
		pc_pool_flush(x->pool, in, mu_huge[i]);
		MU_MSG_HAS("[invalid argument]");
		mu_clear_msg();
		pc_pool_memcpy_nodrain(x->pool, in, x, mu_huge[i]);
		MU_MSG_HAS("[invalid argument]");
		/* The raw primitives know no pool: a wrapping range is
		 * refused, a mapped one is the caller's (as memcpy). */
		mu_clear_msg();
		if (mu_huge[i] != (size_t)PTRDIFF_MAX) {
			pc_flush(in, mu_huge[i]);
			MU_MSG_HAS("[invalid argument]");
		}
		mu_clear_msg();
		pc_memcpy_nodrain(NULL, x, mu_huge[i]);
		MU_MSG_HAS("[invalid argument]");
	}
	mu_clear_msg();
	pc_pool_persist(NULL, in, 8);
	MU_MSG_HAS("[invalid argument]");
	mu_clear_msg();
	pc_pool_persist(x->pool, NULL, 8);
	MU_MSG_HAS("[invalid argument]");
	pc_pool_persist(x->pool, (char *)x, 8); /* not in the pool */
	pc_pool_flush(NULL, in, 8);
	pc_pool_drain(NULL);
	pc_pool_memcpy_nodrain(x->pool, NULL, x, 8);
	pc_pool_memcpy_nodrain(x->pool, in, NULL, 8);
	pc_flush(NULL, 64);
	pc_persist(NULL, 64);
	pc_pool_persist(x->pool, in, 0);
}

static void c_roots_args(mu_env *x)
{
	pc_typesig sig = vu64_sig();
	uint64_t off = 1;
	pc_root_info ri;
	int created = 7;
	MU_CODE(pc_root_lookup(NULL, "v", &sig, &off), PC_E_INVAL);
	MU_CODE(pc_root_lookup(x->pool, NULL, &sig, &off), PC_E_INVAL);
	MU_CODE(pc_root_lookup(x->pool, "", &sig, &off), PC_E_INVAL);
	MU_CODE(pc_root_lookup(x->pool, "v", NULL, &off), PC_E_INVAL);
	MU_CODE(pc_root_lookup(x->pool, "v", &sig, NULL), PC_E_INVAL);
	char longn[PC_NAME_MAX + 2];
	memset(longn, 'n', sizeof(longn) - 1);
	longn[sizeof(longn) - 1] = '\0';
	MU_CODE(pc_root_lookup(x->pool, longn, &sig, &off), PC_E_TOOBIG);
	MU_CODE(pc_root_lookup(x->pool, "nope", &sig, &off), PC_E_NOTFOUND);
	MU_CODE(pc_root_at(NULL, 0, &ri), PC_E_INVAL);
	MU_CODE(pc_root_at(x->pool, 0, NULL), PC_E_INVAL);
	for (size_t i = 0; i < MU_NHUGE; i++) {
		MU_CODE(pc_root_at(x->pool, mu_huge[i], &ri), PC_E_RANGE);
		MU_CODE(pc_root_obtain(x->pool, "x", &sig, mu_huge[i],
				       PC_CREATE, NULL, NULL, &off, &created),
			PC_E_TOOBIG);
	}
	MU_CHECK(off == 0 && created == 0, "outputs on error");
	MU_CODE(pc_root_obtain(x->pool, "x", &sig, 0, PC_CREATE, NULL, NULL,
			       &off, NULL),
		PC_E_INVAL);
	MU_CODE(pc_root_obtain(x->pool, "x", &sig, 64, (pc_open_mode)9, NULL,
			       NULL, &off, NULL),
		PC_E_INVAL);
	MU_CODE(pc_root_obtain(NULL, "x", &sig, 64, PC_CREATE, NULL, NULL, &off,
			       NULL),
		PC_E_INVAL);
	MU_CODE(pc_root_obtain(x->pool, "v", &sig, sizeof(struct pc__vec),
			       PC_CREATE, NULL, NULL, &off, NULL),
		PC_E_EXISTS);
	MU_CODE(pc_root_unbind(NULL, "v"), PC_E_INVAL);
	MU_CODE(pc_root_unbind(x->pool, NULL), PC_E_INVAL);
	MU_CODE(pc_root_unbind(x->pool, "nope"), PC_E_NOTFOUND);
	MU_CODE(pc_root_unbind_off(NULL, 4096), PC_E_INVAL);
	MU_CODE(pc_root_unbind_off(x->pool, 12345), PC_OK); /* none bound */
	MU_CHECK(pc_root_count(x->pool) == 7, "roots %zu",
		 pc_root_count(x->pool));
}

static void c_roots_wrong_types(mu_env *x)
{
	vu32 v32;
	mu64 m = mu_zm;
	ms64 s = mu_zs;
	mbb b = mu_zb;
	plog l = mu_zl;
	pblkarr a;
	vu64 v;
	PC_PTR(other) po;
	PC_PTR(point) pp;
	MU_CODE(vu32_root(x->pool, "v", PC_OPEN, &v32), PC_E_TYPE);
	MU_CODE(vu64_root(x->pool, "m", PC_OPEN, &v), PC_E_TYPE);
	MU_CODE(mu64_root(x->pool, "v", PC_OPEN, &m), PC_E_TYPE);
	MU_CODE(mu64_root(x->pool, "s", PC_OPEN, &m), PC_E_TYPE);
	MU_CODE(ms64_root(x->pool, "m", PC_OPEN, &s), PC_E_TYPE);
	MU_CODE(mbb_root(x->pool, "m", PC_OPEN_OR_CREATE, &b), PC_E_TYPE);
	MU_CODE(plog_root(x->pool, "m", PC_OPEN, 0, &l), PC_E_TYPE);
	MU_CODE(pblkarr_root(x->pool, "l", PC_OPEN, 0, 0, &a), PC_E_TYPE);
	MU_CODE(pblkarr_root(x->pool, "a", PC_OPEN, 1024, 0, &a), PC_E_TYPE);
	MU_CODE(PC_ROOT(x->pool, "o", other, PC_OPEN, &po), PC_E_TYPE);
	MU_CODE(PC_ROOT(x->pool, "v", point, PC_OPEN_OR_CREATE, &pp),
		PC_E_TYPE);
	MU_CHECK(PC_PTR_IS_NULL(po) && PC_PTR_IS_NULL(pp), "null on error");
	/* vector and block array handles are zeroed on error, the others
	 * untouched (zeroed here) */
	MU_CHECK(v32.h == NULL && m.h == NULL && s.h == NULL && b.h == NULL &&
			 l.h == NULL && a.h == NULL && v.h == NULL,
		 "a handle was bound on error");
	m = x->m;
	MU_CODE(mu64_root(x->pool, "v", PC_OPEN, &m), PC_E_TYPE);
	MU_CHECK(m.h == x->m.h, "a bound map handle changed on error");
	/* the other pointer type through PC_PTR_CHECK */
	PC_PTR(other) op;
	op.oid = x->o.oid;
	MU_CODE(PC_PTR_CHECK(x->pool, other, op), PC_E_TYPE);
	MU_CODE(PC_PTR_CHECK(x->pool, point, x->o), PC_OK);
}

static void c_ptr_args(mu_env *x)
{
	PC_PTR(point) *none = NULL;
	PC_PTR(point) p = PC_PTR_NULL(point);
	MU_CODE(PC_NEW(NULL, point, &p), PC_E_INVAL);
	MU_CODE(PC_NEW(x->pool, point, none), PC_E_INVAL);
	const point init = {5, 6};
	MU_CODE(PC_NEW_INIT(NULL, point, &p, &init), PC_E_INVAL);
	MU_CODE(PC_NEW_INIT(x->pool, point, none, &init), PC_E_INVAL);
	MU_CHECK(PC_PTR_IS_NULL(p), "a refused PC_NEW_INIT set the pointer");
	MU_CODE(PC_FREE(NULL, point, &p), PC_E_INVAL);
	MU_CODE(PC_FREE(x->pool, point, none), PC_E_INVAL);
	MU_CODE(PC_FREE(x->pool, point, &p), PC_OK); /* null: no-op */
	MU_CODE(PC_ROOT(x->pool, "o", point, PC_OPEN, none), PC_E_INVAL);
	MU_CODE(PC_ROOT(NULL, "o", point, PC_OPEN, &p), PC_E_INVAL);
	MU_CHECK(PC_RO(NULL, point, x->o) == NULL, "PC_RO(NULL pool)");
	MU_CHECK(PC_RO(x->pool, point, p) == NULL, "PC_RO(null pointer)");
	mu_clear_msg();
	MU_CHECK(PC_RW(x->pool, point, x->o) == NULL, "PC_RW outside TX");
	MU_MSG_HAS("[needs a transaction]");
	pc_err err;
	TX(x->pool, &err) {
		mu_clear_msg();
		MU_CHECK(PC_RW(NULL, point, x->o) == NULL, "PC_RW(NULL)");
		MU_MSG_HAS("[invalid argument]");
		MU_CHECK(PC_RW(x->pool, point, p) == NULL, "PC_RW(null)");
		MU_CHECK(pc_tx_active(), "argument errors do not abort");
		pc_tx_abort(PC_E_ABORTED);
	}
	MU_CODE(err, PC_E_ABORTED);
	MU_CODE(PC_PTR_CHECK(NULL, point, x->o), PC_E_INVAL);
	MU_CODE(PC_PTR_CHECK(x->pool, point, p), PC_OK); /* null passes */
	PC_PTR(point) bad = x->o;
	bad.oid.pool_uuid_lo ^= 1;
	MU_CODE(PC_PTR_CHECK(x->pool, point, bad), PC_E_INVAL);
	static const uint64_t offs[] = {
		1, 8, 4096, 12345, 1 << 20, UINT64_MAX, UINT64_MAX - 63};
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		bad = x->o;
		bad.oid.off = offs[i];
		MU_CODE(PC_PTR_CHECK(x->pool, point, bad), PC_E_CORRUPT);
	}
	bad = x->o;
	bad.oid.off = x->pool->size - 16;
	MU_CODE(PC_PTR_CHECK(x->pool, point, bad), PC_E_CORRUPT);
	/* every interior offset of the object */
	size_t usable = pmemobj_alloc_usable_size(x->o.oid);
	MU_CHECK(usable >= sizeof(point), "usable size %zu", usable);
	for (uint64_t d = 1; d < usable; d++) {
		bad = x->o;
		bad.oid.off += d;
		MU_CODE(PC_PTR_CHECK(x->pool, point, bad), PC_E_CORRUPT);
	}
}

static void c_tx_args(mu_env *x)
{
	pc_err err = PC_OK;
	TX(NULL, &err) {
		MU_FAIL("TX(NULL) ran its body");
	}
	MU_CODE(err, PC_E_INVAL);
	MU_CODE(pc_tx_abort(PC_E_FULL), PC_E_NEEDTX);
	MU_CODE(pc_tx_snapshot(x->pool, x->pool->base + 8192, 8), PC_E_NEEDTX);
	MU_CHECK(!pc_tx_active(), "active outside");
	/* an object of the heap; libpmemobj snapshots nothing else */
	char *in = x->pool->base + x->o.oid.off;
	TX(x->pool, &err) {
		MU_CODE(pc_tx_snapshot(x->pool, x->pool->base + 8192, 8),
			PC_E_INVAL);
		MU_CODE(pc_tx_snapshot(NULL, in, 8), PC_E_INVAL);
		MU_CODE(pc_tx_snapshot(x->pool, NULL, 8), PC_E_INVAL);
		MU_CODE(pc_tx_snapshot(x->pool, (char *)x, 8), PC_E_INVAL);
		for (size_t i = 0; i < MU_NHUGE; i++)
			MU_CODE(pc_tx_snapshot(x->pool, in, mu_huge[i]),
				PC_E_INVAL);
		MU_CODE(pc_tx_snapshot(x->pool, in, sizeof(point)), PC_OK);
		MU_CHECK(pc_tx_active(), "argument errors do not abort");
	}
	MU_CODE(err, PC_OK);
	/* calls in an aborted transaction */
	TX(x->pool, &err) {
		MU_CODE(pc_tx_abort(PC_E_RANGE), PC_E_RANGE);
		MU_CODE(vu64_push(&x->v, 9), PC_E_ABORTED);
		MU_CODE(mu64_insert(&x->m, 999, 1), PC_E_ABORTED);
		MU_CODE(plog_append(&x->l, "x", 1), PC_E_ABORTED);
		MU_CODE(pc_tx_snapshot(x->pool, in, 8), PC_E_ABORTED);
		pc_err inner = PC_OK;
		TX(x->pool, &inner) {
			MU_FAIL("a TX inside an aborted one ran");
		}
		MU_CODE(inner, PC_E_ABORTED);
		MU_CHECK(PC_RW(x->pool, point, x->o) == NULL, "PC_RW");
	}
	MU_CODE(err, PC_E_RANGE);
	/* leaving by break rolls everything back */
	TX(x->pool, &err) {
		MU_CODE(vu64_push(&x->v, 9), PC_OK);
		MU_CODE(mu64_insert(&x->m, 999, 1), PC_OK);
		MU_CODE(plog_append(&x->l, "x", 1), PC_OK);
		break;
	}
	MU_CODE(err, PC_E_ESCAPED);
	MU_CODE(pc_tx_last(), PC_E_ESCAPED);
}

static int mu_stop_at_3(const void *b, size_t l, void *arg)
{
	(void)b;
	(void)l;
	return ++*(int *)arg == 3 ? -3 : 0;
}

static void c_bytes_helpers(mu_env *x)
{
	(void)x;
	pc_slice bad = pc_slice_make(NULL, 5);
	MU_INVAL(pc_bytes_len(NULL), 0);
	mu_clear_msg();
	MU_CHECK(pc_bytes_slice(NULL, NULL).len == 0, "pc_bytes_slice(NULL)");
	MU_MSG_HAS("[invalid argument]");
	MU_CHECK(pc_slice_cstr(NULL).len == 0, "pc_slice_cstr(NULL)");
	MU_CHECK(pc_slice_cmp(bad, pc_slice_cstr("a")) < 0, "cmp");
	MU_CHECK(pc_slice_cmp(bad, pc_slice_make(NULL, 0)) == 0, "cmp empty");
	MU_CHECK(!pc_slice_eq(bad, pc_slice_cstr("abcde")), "eq");
	pc_vbuf vb = {NULL, 100, 0};
	pc_vbuf_fill(&vb, pc_slice_cstr("hello"));
	MU_CHECK(vb.len == 5, "vbuf length");
	pc_vbuf_fill(NULL, pc_slice_cstr("hello"));
	char small[4];
	pc_vbuf vs = {small, sizeof(small), 0};
	pc_vbuf_fill(&vs, bad);
	MU_CHECK(vs.len == 5, "vbuf of a bad slice");
	pc_vbuf_fill(&vs, pc_slice_cstr("hello"));
	MU_CHECK(vs.len == 5 && memcmp(small, "hell", 4) == 0, "truncated");
	pc_bytes in;
	memset(&in, 0, sizeof(in));
	MU_CHECK(pc_bytes_slice(NULL, &in).len == 0, "a zeroed reference");
}

MU_CASES(pool, {"pool_open_args", c_pool_open_args, MU_NONE, 0},
	 {"pool_create_sizes", c_pool_create_sizes, MU_NONE, 0},
	 {"pool_in_tx", c_pool_in_tx, MU_DATA, 0},
	 {"pool_busy", c_pool_busy, MU_DATA, 0},
	 {"pool_closed", c_pool_closed, MU_DATA, 0},
	 {"pool_accessors", c_pool_accessors, MU_DATA, 0},
	 {"roots_args", c_roots_args, MU_DATA, 0},
	 {"roots_wrong_types", c_roots_wrong_types, MU_DATA, 0},
	 {"ptr_args", c_ptr_args, MU_DATA, 0},
	 {"tx_args", c_tx_args, MU_DATA, 0},
	 {"bytes_helpers", c_bytes_helpers, MU_NONE, 0})

/* ======================================================================== */
/* PVEC                                                                     */
/* ======================================================================== */

static void mu_vec_bad(vu64 *v)
{
	uint64_t e = 0;
	MU_CODE(vu64_push(v, 1), PC_E_INVAL);
	MU_CODE(vu64_set(v, 0, 1), PC_E_INVAL);
	MU_CODE(vu64_insert(v, 0, 1), PC_E_INVAL);
	MU_CODE(vu64_remove(v, 0, &e), PC_E_INVAL);
	MU_CODE(vu64_swap_remove(v, 0, &e), PC_E_INVAL);
	MU_CODE(vu64_truncate(v, 0), PC_E_INVAL);
	MU_CODE(vu64_clear(v), PC_E_INVAL);
	MU_CODE(vu64_reserve(v, 10), PC_E_INVAL);
	MU_CODE(vu64_extend(v, &e, 1), PC_E_INVAL);
	MU_CODE(vu64_check(v), PC_E_INVAL);
	MU_CODE(vu64_free(v), PC_E_INVAL);
	MU_INVAL(vu64_pop(v, &e), false);
	MU_INVAL(vu64_len(v), 0);
	MU_INVAL(vu64_cap(v), 0);
	MU_INVAL(vu64_is_empty(v), true);
	MU_INVAL(vu64_get(v, 0), NULL);
	MU_INVAL(vu64_first(v), NULL);
	MU_INVAL(vu64_last(v), NULL);
	MU_INVAL(vu64_begin(v), NULL);
	MU_INVAL(vu64_end(v), NULL);
	MU_INVAL(vu64_as_slice(v).ptr, NULL);
	uint64_t n = 0;
	PVEC_FOREACH(vu64, v, it)
		n += *it;
	MU_CHECK(n == 0, "iteration over a bad handle");
}

static int mu_cmp_u64(const uint64_t *a, const uint64_t *b)
{
	return (*a > *b) - (*a < *b);
}

static void c_vec_handles(mu_env *x)
{
	vu64 z = mu_zv;
	mu_vec_bad(NULL);
	mu_vec_bad(&z);
	MU_CODE(vu64_sort(NULL, mu_cmp_u64), PC_E_INVAL);
	MU_CODE(vu64_sort(&x->v, NULL), PC_E_INVAL);
	pc_err err;
	TX(x->pool, &err) {
		MU_INVAL(vu64_get_mut(NULL, 0), NULL);
		MU_INVAL(vu64_get_mut(&z, 0), NULL);
		MU_CHECK(pc_tx_active(), "argument errors do not abort");
	}
	MU_CODE(err, PC_OK);
}

static void c_vec_sizes(mu_env *x)
{
	uint64_t one = 5, e = 0;
	for (size_t i = 0; i < MU_NHUGE; i++) {
		size_t n = mu_huge[i];
		MU_CHECK(vu64_get(&x->v, n) == NULL, "get(%zu)", n);
		MU_CODE(vu64_set(&x->v, n, 1), PC_E_RANGE);
		MU_CODE(vu64_insert(&x->v, n, 1), PC_E_RANGE);
		MU_CODE(vu64_remove(&x->v, n, &e), PC_E_RANGE);
		MU_CODE(vu64_swap_remove(&x->v, n, &e), PC_E_RANGE);
		MU_CODE(vu64_truncate(&x->v, n), PC_OK); /* n >= len */
		MU_CODE(vu64_reserve(&x->v, n), PC_E_TOOBIG);
		/* the one-element buffer is not read: the size is refused */
		MU_CODE(vu64_extend(&x->v, &one, n), PC_E_TOOBIG);
	}
	MU_CODE(vu64_extend(&x->v, NULL, 5), PC_E_INVAL);
	MU_CODE(vu64_extend(&x->v, NULL, 0), PC_OK);
	MU_CODE(vu64_reserve(&x->v, 0), PC_OK);
	MU_CODE(vu64_set(&x->v, MU_NV, 1), PC_E_RANGE);
	MU_CODE(vu64_insert(&x->v, MU_NV + 1, 1), PC_E_RANGE);
	pc_err err;
	TX(x->pool, &err) {
		for (size_t i = 0; i < MU_NHUGE; i++)
			MU_CHECK(vu64_get_mut(&x->v, mu_huge[i]) == NULL,
				 "get_mut");
		MU_MSG_HAS("[index out of range]");
		MU_CODE(vu64_set(&x->v, SIZE_MAX, 1), PC_E_RANGE);
		MU_CHECK(pc_tx_active(), "range errors do not abort");
	}
	MU_CODE(err, PC_OK);
}

static void c_vec_root_args(mu_env *x)
{
	vu64 v;
	vu64_pm stack;
	memset(&stack, 0, sizeof(stack));
	MU_CODE(vu64_root(NULL, "v", PC_OPEN, &v), PC_E_INVAL);
	MU_CODE(vu64_root(x->pool, "v", PC_OPEN, NULL), PC_E_INVAL);
	MU_CODE(vu64_root(x->pool, NULL, PC_OPEN, &v), PC_E_INVAL);
	MU_CODE(vu64_root(x->pool, "v", (pc_open_mode)0, &v), PC_E_INVAL);
	MU_CODE(vu64_root(x->pool, "v", PC_CREATE, &v), PC_E_EXISTS);
	MU_CODE(vu64_root(x->pool, "nope", PC_OPEN, &v), PC_E_NOTFOUND);
	MU_CODE(vu64_init_in(NULL, &stack), PC_E_INVAL);
	MU_CODE(vu64_init_in(x->pool, NULL), PC_E_INVAL);
	MU_CODE(vu64_init_in(x->pool, &stack), PC_E_INVAL);
	MU_CODE(vu64_from(x->pool, &stack, &v), PC_E_INVAL);
	MU_CODE(vu64_from(x->pool, NULL, &v), PC_E_INVAL);
	MU_CODE(vu64_from(NULL, &stack, &v), PC_E_INVAL);
	MU_CHECK(v.h == NULL, "handle zeroed on error");
	/* a user struct's bytes are not a vector header */
	vu64_pm *pm = (vu64_pm *)(void *)(x->pool->base + x->o.oid.off);
	MU_CODE(vu64_from(x->pool, pm, &v), PC_E_CORRUPT);
}

static void c_vec_in_tx(mu_env *x)
{
	mu_clear_msg();
	MU_CHECK(vu64_get_mut(&x->v, 0) == NULL, "get_mut outside a TX");
	MU_MSG_HAS("[needs a transaction]");
	pc_err err;
	TX(x->pool, &err) {
		uint64_t *p = vu64_get_mut(&x->v, 0);
		MU_CHECK(p != NULL, "get_mut");
		*p = 77;
		MU_CODE(vu64_push(&x->v, 1), PC_OK);
		MU_CODE(vu64_insert(&x->v, 0, 1), PC_OK);
		MU_CODE(vu64_truncate(&x->v, 3), PC_OK);
		MU_CODE(vu64_reserve(&x->v, 1000), PC_OK);
		MU_CODE(vu64_sort(&x->v, mu_cmp_u64), PC_OK);
		pc_tx_abort(PC_E_ABORTED);
	}
	MU_CODE(err, PC_E_ABORTED);
}

static void c_vec_full(mu_env *x)
{
	size_t len = vu64_len(&x->fv);
	MU_CHECK(len && len == vu64_cap(&x->fv), "fv is not at capacity");
	MU_CODE(vu64_push(&x->fv, 1), PC_E_FULL);
	MU_MSG_HAS("vu64_push");
	MU_MSG_HAS(x->path);
	MU_MSG_HAS("largest free block");
	MU_CHECK(!strstr(pc_errmsg(), "appending parts"), "PMDK's text");
	MU_CODE(vu64_insert(&x->fv, 0, 1), PC_E_FULL);
	MU_CODE(vu64_reserve(&x->fv, 1000), PC_E_FULL);
	MU_CODE(vu64_extend(&x->fv, &len, 1), PC_E_FULL);
	vu64 nv;
	MU_CODE(vu64_root(x->pool, "new", PC_CREATE, &nv), PC_E_FULL);
	pc_err err;
	TX(x->pool, &err) {
		MU_CODE(vu64_push(&x->fv, 1), PC_E_FULL);
		MU_CODE(vu64_push(&x->v, 1), PC_E_ABORTED);
	}
	MU_CODE(err, PC_E_FULL);
	MU_CHECK(vu64_len(&x->fv) == len && vu64_check(&x->fv) == PC_OK,
		 "fv changed");
	MU_CHECK(pc_root_count(x->pool) == 10, "a root appeared");
}

static void c_vec_full_free(mu_env *x)
{
	MU_CODE(vu64_truncate(&x->fv, 1), PC_OK);
	MU_CODE(vu64_clear(&x->fv), PC_OK);
	MU_CODE(vu64_free(&x->fv), PC_OK);
	MU_CHECK(x->fv.h == NULL, "handle cleared");
	mu_verify(x);
	/* the space is reusable */
	vu64 nv;
	MU_CODE(vu64_root(x->pool, "new", PC_CREATE, &nv), PC_OK);
	MU_CODE(vu64_push(&nv, 1), PC_OK);
}

MU_CASES(vec, {"vec_handles", c_vec_handles, MU_DATA, 0},
	 {"vec_sizes", c_vec_sizes, MU_DATA, 0},
	 {"vec_root_args", c_vec_root_args, MU_DATA, 0},
	 {"vec_in_tx", c_vec_in_tx, MU_DATA, 0},
	 {"vec_full", c_vec_full, MU_FULL, 0},
	 {"vec_full_free", c_vec_full_free, MU_FULL, MU_CHANGES})

/* ======================================================================== */
/* PMAP: plain, synchronized, byte strings                                  */
/* ======================================================================== */

static int mu_visit_u64(const uint64_t *k, const uint64_t *v, void *arg)
{
	(void)k;
	(void)v;
	return ++*(int *)arg == 5 ? 55 : 0;
}

/* One map type's calls on a bad handle (NULL or zeroed). */
#define MU_MAP_BAD(P, h)                                                     \
	do {                                                                 \
		uint64_t val_ = 0;                                           \
		P##_iter it_;                                                \
		int n_ = 0;                                                  \
		MU_CODE(P##_insert(h, 1, 1), PC_E_INVAL);                    \
		MU_CODE(P##_put(h, 1, 1, NULL), PC_E_INVAL);                 \
		MU_CODE(P##_remove(h, 1, &val_), PC_E_INVAL);                \
		MU_CODE(P##_clear(h), PC_E_INVAL);                           \
		MU_CODE(P##_check(h), PC_E_INVAL);                           \
		MU_CODE(P##_free(h), PC_E_INVAL);                            \
		MU_INVAL(P##_get(h, 1), NULL);                               \
		MU_INVAL(P##_get_copy(h, 1, &val_), false);                  \
		MU_INVAL(P##_contains(h, 1), false);                         \
		MU_INVAL(P##_len(h), 0);                                     \
		MU_INVAL(P##_is_empty(h), true);                             \
		MU_INVAL(P##_count_all(h), 0);                               \
		MU_INVAL(P##_count_above(h, 1), 0);                          \
		MU_INVAL(P##_count_below(h, 1), 0);                          \
		MU_INVAL(P##_count_between(h, 1, 9), 0);                     \
		MU_INVAL(P##_count_range(h, 1, PC_INCLUDED, 9, PC_INCLUDED), \
			 0);                                                 \
		MU_INVAL(P##_first(h, &it_), false);                         \
		MU_CHECK(!P##_next(&it_) && !P##_prev(&it_), "moves");       \
		MU_INVAL(P##_last(h, &it_), false);                          \
		MU_INVAL(P##_range(h, 1, PC_INCLUDED, 9, PC_INCLUDED, &it_), \
			 false);                                             \
		MU_INVAL(P##_range_back(h, 1, PC_INCLUDED, 9, PC_INCLUDED,   \
					&it_),                               \
			 false);                                             \
		MU_INVAL(P##_lower_bound(h, 1, &it_), false);                \
		MU_INVAL(P##_upper_bound(h, 1, &it_), false);                \
		MU_INVAL(P##_iter_all(h, &it_), false);                      \
		MU_INVAL(P##_iter_above(h, 1, &it_), false);                 \
		MU_INVAL(P##_iter_below(h, 1, &it_), false);                 \
		MU_INVAL(P##_iter_between(h, 1, 9, &it_), false);            \
		MU_CODE(P##_get_all(h, mu_visit_u64, &n_), 0);               \
		MU_CODE(P##_get_above(h, 1, mu_visit_u64, &n_), 0);          \
		MU_CODE(P##_get_below(h, 9, mu_visit_u64, &n_), 0);          \
		MU_CODE(P##_get_between(h, 1, 9, mu_visit_u64, &n_), 0);     \
		MU_CHECK(n_ == 0, "a visitor ran");                          \
		P##_iter_end(NULL);                                          \
		MU_INVAL(P##_next(NULL), false);                             \
		MU_INVAL(P##_prev(NULL), false);                             \
	} while (0)

/* One map type's calls with bad iterators, bounds and visitors. */
#define MU_MAP_ARGS(P, h)                                                     \
	do {                                                                  \
		P##_iter it_;                                                 \
		int n_ = 0;                                                   \
		MU_INVAL(P##_first(h, NULL), false);                          \
		MU_INVAL(P##_range(h, 1, (pc_bound)7, 9, PC_INCLUDED, &it_),  \
			 false);                                              \
		MU_CHECK(!P##_next(&it_), "a refused iterator moves");        \
		MU_CODE(P##_get_all(h, NULL, NULL), PC_E_INVAL);              \
		MU_CODE(P##_get_below(h, 10, NULL, NULL), PC_E_INVAL);        \
		MU_CODE(P##_get_between(h, 1, 10, NULL, NULL), PC_E_INVAL);   \
		n_ = 0;                                                       \
		MU_CODE(P##_get_between(h, 9, 1, mu_visit_u64, &n_), 0);      \
		MU_CHECK(n_ == 0, "a visitor ran on an empty range");         \
		MU_CODE(P##_get_all(h, mu_visit_u64, &n_), 55);               \
		MU_CHECK(n_ == 5, "the visitor stops on nonzero");            \
		MU_CODE(P##_insert(h, 3, 1), PC_E_EXISTS);                    \
		uint64_t o_ = 0;                                              \
		MU_CODE(P##_remove(h, 100000, &o_), PC_E_NOTFOUND);           \
		MU_CHECK(P##_count_above(h, UINT64_MAX) == 0, "count_above"); \
		MU_CHECK(P##_count_between(h, 9, 1) == 0, "between");         \
		MU_CHECK(!P##_range(h, 9, PC_INCLUDED, 1, PC_INCLUDED, &it_), \
			 "reversed range");                                   \
		MU_CODE(P##_root(NULL, "m", PC_OPEN, NULL), PC_E_INVAL);      \
	} while (0)

static void c_map_handles(mu_env *x)
{
	mu64 z = mu_zm;
	MU_MAP_BAD(mu64, NULL);
	MU_MAP_BAD(mu64, &z);
	MU_MAP_ARGS(mu64, &x->m);
	pc_err err;
	TX(x->pool, &err) {
		MU_INVAL(mu64_get_mut(NULL, 1), NULL);
		MU_INVAL(mu64_get_mut(&z, 1), NULL);
		MU_CODE(mu64_insert(&x->m, 3, 1), PC_E_EXISTS);
		MU_CODE(mu64_remove(&x->m, 100000, NULL), PC_E_NOTFOUND);
		MU_CHECK(mu64_get_mut(&x->m, 100000) == NULL, "absent");
		MU_CHECK(pc_tx_active(), "lookup errors do not abort");
	}
	MU_CODE(err, PC_OK);
	mu_clear_msg();
	MU_CHECK(mu64_get_mut(&x->m, 3) == NULL, "get_mut outside a TX");
	MU_MSG_HAS("[needs a transaction]");
}

static void c_smap_handles(mu_env *x)
{
	ms64 z = mu_zs;
	MU_MAP_BAD(ms64, NULL);
	MU_MAP_BAD(ms64, &z);
	MU_MAP_ARGS(ms64, &x->s);
	z.pool = x->pool;
	z.h = x->s.h; /* no lock words: not bound by ms64_root() */
	MU_CODE(ms64_insert(&z, 1, 1), PC_E_INVAL);
}

static void c_map_full(mu_env *x)
{
	pc_err e = PC_OK;
	uint64_t k = 0;
	while ((e = mu64_insert(&x->fm, k, k)) == PC_OK)
		k++;
	MU_CODE(e, PC_E_FULL);
	MU_MSG_HAS("pmap<uint64_t,uint64_t>");
	MU_MSG_HAS(x->path);
	MU_CHECK(!strstr(pc_errmsg(), "appending parts"), "PMDK's text");
	MU_CHECK(!mu64_contains(&x->fm, k), "the failed key is there");
	MU_CHECK(mu64_len(&x->fm) == k && mu64_check(&x->fm) == PC_OK,
		 "fm: %zu of %llu keys", mu64_len(&x->fm),
		 (unsigned long long)k);
	char big[100];
	memset(big, 'x', sizeof(big));
	MU_CODE(mbb_insert(&x->b, pc_slice_make(big, sizeof(big)),
			   pc_slice_cstr("v")),
		PC_E_FULL);
	MU_CODE(mbb_put(&x->b, pc_slice_cstr("k001"),
			pc_slice_make(big, sizeof(big)), NULL),
		PC_E_FULL);
	mu64 nm;
	MU_CODE(mu64_root(x->pool, "nm", PC_CREATE, &nm), PC_E_FULL);
}

static void c_map_full_clear(mu_env *x)
{
	uint64_t k = 0;
	while (mu64_insert(&x->fm, k, k) == PC_OK)
		k++;
	MU_CHECK(k > 0, "no key fits");
	MU_CODE(mu64_clear(&x->fm), PC_OK);
	MU_CHECK(mu64_len(&x->fm) == 0 && mu64_check(&x->fm) == PC_OK,
		 "cleared");
	uint64_t again = 0;
	while (mu64_insert(&x->fm, again, again) == PC_OK)
		again++;
	MU_CHECK(again + again / 10 >= k, "reuse: %llu of %llu keys",
		 (unsigned long long)again, (unsigned long long)k);
	MU_CODE(mu64_free(&x->fm), PC_OK);
	MU_CHECK(x->fm.h == NULL, "handle cleared");
	mu_verify(x);
	MU_CODE(ms64_clear(&x->s), PC_OK);
	MU_CODE(mbb_free(&x->b), PC_OK);
	MU_CODE(mu64_free(&x->m), PC_OK);
}

static void c_bmap_slices(mu_env *x)
{
	mbb z = mu_zb;
	pc_slice k = pc_slice_cstr("k001"), v = pc_slice_cstr("v");
	pc_slice nk = pc_slice_make(NULL, 5), nv = pc_slice_make(NULL, 100);
	/* a short buffer that claims to be over the limit: never read */
	char shortb[8] = "k001";
	pc_slice longk = pc_slice_make(shortb, PC_BYTES_MAX + 1);
	mbb_iter it;
	pc_vbuf vb = {NULL, 0, 0};
	MU_CODE(mbb_insert(NULL, k, v), PC_E_INVAL);
	MU_CODE(mbb_put(&z, k, v, NULL), PC_E_INVAL);
	MU_INVAL(mbb_get(NULL, k).ptr, NULL);
	MU_INVAL(mbb_len(&z), 0);
	MU_CODE(mbb_put(&x->b, nk, v, NULL), PC_E_INVAL);
	MU_CODE(mbb_insert(&x->b, nk, v), PC_E_INVAL);
	MU_CODE(mbb_put(&x->b, k, nv, NULL), PC_E_INVAL);
	MU_CODE(mbb_insert(&x->b, pc_slice_cstr("new"), nv), PC_E_INVAL);
	MU_CODE(mbb_remove(&x->b, nk, &vb), PC_E_INVAL);
	MU_INVAL(mbb_get(&x->b, nk).ptr, NULL);
	MU_INVAL(mbb_contains(&x->b, nk), false);
	MU_INVAL(mbb_count_above(&x->b, nk), 0);
	MU_INVAL(mbb_range(&x->b, nk, PC_INCLUDED, k, PC_INCLUDED, &it), false);
	MU_CHECK(mbb_range(&x->b, nk, PC_UNBOUNDED, k, PC_INCLUDED, &it),
		 "an unbounded end's key is not looked at");
	mbb_iter_end(&it);
	MU_CODE(mbb_put(&x->b, longk, v, NULL), PC_E_TOOBIG);
	MU_CODE(mbb_insert(&x->b, longk, v), PC_E_TOOBIG);
	MU_CODE(mbb_remove(&x->b, longk, NULL), PC_E_TOOBIG);
	mu_clear_msg();
	MU_CHECK(mbb_get(&x->b, longk).ptr == NULL, "long key");
	MU_MSG_HAS("[size over the limit]");
	MU_CHECK(!mbb_contains(&x->b, longk), "long key");
	MU_CHECK(mbb_count_below(&x->b, longk) == 0, "long key");
	MU_CHECK(!mbb_lower_bound(&x->b, longk, &it), "long key");
	MU_CODE(mbb_put(&x->b, k, pc_slice_make(shortb, PC_BYTES_MAX + 1),
			NULL),
		PC_E_TOOBIG);
	for (size_t i = 0; i < MU_NHUGE; i++) {
		pc_slice h = pc_slice_make(shortb, mu_huge[i]);
		MU_CODE(mbb_put(&x->b, h, v, NULL), PC_E_TOOBIG);
		MU_CODE(mbb_put(&x->b, k, h, NULL), PC_E_TOOBIG);
		MU_CHECK(mbb_get(&x->b, h).ptr == NULL, "huge key");
		MU_CHECK(mbb_count_between(&x->b, k, h) == 0, "huge key");
	}
	/* a NULL copy buffer only receives the length */
	pc_vbuf nb = {NULL, 100, 0};
	MU_CHECK(mbb_get_copy(&x->b, k, &nb) && nb.len == 2, "get_copy");
	MU_CODE(mbb_root(x->pool, "b", PC_OPEN, NULL), PC_E_INVAL);
}

MU_CASES(map, {"map_handles", c_map_handles, MU_DATA, 0},
	 {"smap_handles", c_smap_handles, MU_DATA, 0},
	 {"bmap_slices", c_bmap_slices, MU_DATA, 0},
	 {"map_full", c_map_full, MU_FULL, 0},
	 {"map_full_clear", c_map_full_clear, MU_FULL, MU_CHANGES})

/* ======================================================================== */
/* PLOG                                                                     */
/* ======================================================================== */

static int mu_walk_count(const void *b, size_t l, void *arg)
{
	(void)b;
	*(size_t *)arg += l;
	return 0;
}

static void mu_log_bad(plog *l)
{
	plog_iovec iov = {"x", 1};
	plog_iter it;
	size_t n = 0;
	MU_CODE(plog_append(l, "x", 1), PC_E_INVAL);
	MU_CODE(plog_appendv(l, &iov, 1), PC_E_INVAL);
	MU_CODE(plog_walk(l, 0, mu_walk_count, &n), PC_E_INVAL);
	MU_CODE(plog_iter_begin(l, &it), PC_E_INVAL);
	MU_CHECK(!plog_iter_next(&it, NULL, NULL), "a refused iterator");
	plog_iter_end(&it);
	MU_CODE(plog_rewind(l), PC_E_INVAL);
	MU_CODE(plog_set_packed(l, true), PC_E_INVAL);
	MU_CODE(plog_check(l), PC_E_INVAL);
	MU_CODE(plog_free(l), PC_E_INVAL);
	MU_INVAL(plog_tell(l), 0);
	MU_INVAL(plog_count(l), 0);
	MU_INVAL(plog_nbyte(l), 0);
	MU_INVAL(plog_packed(l), false);
}

static void c_log_handles(mu_env *x)
{
	plog z = mu_zl;
	mu_log_bad(NULL);
	mu_log_bad(&z);
	const void *d;
	size_t len;
	MU_CHECK(!plog_iter_next(NULL, &d, &len), "iter_next(NULL)");
	MU_CODE(plog_iter_error(NULL), PC_E_INVAL);
	plog_iter_end(NULL);
	MU_CODE(plog_root(NULL, "l", PC_OPEN, 0, &z), PC_E_INVAL);
	MU_CODE(plog_root(x->pool, "l", PC_OPEN, 0, NULL), PC_E_INVAL);
	MU_CODE(plog_root(x->pool, NULL, PC_OPEN, 0, &z), PC_E_INVAL);
	MU_CODE(plog_root(x->pool, "l", PC_CREATE, 0, &z), PC_E_EXISTS);
	MU_CODE(plog_walk(&x->l, 0, NULL, NULL), PC_E_INVAL);
	plog_iter it;
	MU_CODE(plog_iter_begin(&x->l, NULL), PC_E_INVAL);
	MU_CODE(plog_iter_begin(&x->l, &it), PC_OK);
	MU_CHECK(!plog_iter_next(&it, NULL, &len), "NULL data pointer");
	plog_iter_end(&it);
	plog_iter_end(&it); /* twice */
	/* Read positions: NULLs, an ended iteration, positions not made by
	 * plog_iter_tell() (zeroed, bytes flipped), then a real one. */
	plog_pos pos, bad;
	memset(&bad, 0, sizeof(bad));
	MU_CODE(plog_iter_tell(NULL, &pos), PC_E_INVAL);
	MU_CODE(plog_iter_seek(NULL, &pos), PC_E_INVAL);
	MU_CODE(plog_iter_tell(&it, &pos), PC_E_INVAL); /* ended */
	MU_CODE(plog_iter_seek(&it, &pos), PC_E_INVAL);
	MU_CODE(plog_iter_begin(&x->l, &it), PC_OK);
	MU_CODE(plog_iter_tell(&it, NULL), PC_E_INVAL);
	MU_CODE(plog_iter_seek(&it, NULL), PC_E_INVAL);
	MU_CODE(plog_iter_seek(&it, &bad), PC_E_INVAL);
	MU_CHECK(plog_iter_next(&it, &d, &len), "first record");
	MU_CODE(plog_iter_tell(&it, &pos), PC_OK);
	memcpy(&bad, &pos, sizeof(bad));
	((unsigned char *)&bad)[0] ^= 0x5a;
	pc_err e = plog_iter_seek(&it, &bad);
	MU_CHECK(e == PC_E_INVAL || e == PC_E_RANGE || e == PC_E_CORRUPT,
		 "forged position: %d", (int)e);
	MU_CODE(plog_iter_seek(&it, &pos), PC_OK);
	plog_iter_end(&it);
}

static void c_log_sizes(mu_env *x)
{
	char buf[8] = "x";
	plog nl = mu_zl;
	for (size_t i = 0; i < MU_NHUGE; i++) {
		MU_CODE(plog_root(x->pool, "nl", PC_CREATE, mu_huge[i], &nl),
			PC_E_TOOBIG);
		MU_CHECK(nl.h == NULL, "handle bound on error");
		MU_CODE(plog_append(&x->l, buf, mu_huge[i]), PC_E_TOOBIG);
		plog_iovec iov[2] = {{buf, 1}, {buf, mu_huge[i]}};
		MU_CODE(plog_appendv(&x->l, iov, 2), PC_E_TOOBIG);
		/* the count is refused before the array is read */
		MU_CODE(plog_appendv(&x->l, iov, mu_huge[i]), PC_E_TOOBIG);
		size_t n = 0;
		MU_CODE(plog_walk(&x->l, mu_huge[i], mu_walk_count, &n), 0);
		MU_CHECK(n == plog_tell(&x->l), "walked %zu bytes", n);
	}
	MU_CODE(plog_root(x->pool, "nl", PC_CREATE, PLOG_MAX_CAPACITY + 1, &nl),
		PC_E_TOOBIG);
	MU_CODE(plog_append(&x->l, buf, PLOG_REC_MAX + 1), PC_E_TOOBIG);
	MU_CODE(plog_append(&x->l, NULL, 5), PC_E_INVAL);
	plog_iovec nv = {NULL, 5};
	MU_CODE(plog_appendv(&x->l, &nv, 1), PC_E_INVAL);
	MU_CODE(plog_appendv(&x->l, NULL, 1), PC_E_INVAL);
	MU_CODE(plog_appendv(&x->l, NULL, 0), PC_OK);
	MU_CHECK(pc_root_count(x->pool) == 7, "a root appeared");
}

static void c_log_rules(mu_env *x)
{
	int calls = 0;
	MU_CODE(plog_walk(&x->l, 0, mu_stop_at_3, &calls), -3);
	MU_CHECK(calls == 3, "the walk went on after a stop: %d", calls);
	calls = 0;
	MU_CODE(plog_walk(&x->l, 4, mu_stop_at_3, &calls), -3);
	MU_CHECK(calls == 3, "chunked: %d", calls);
	pc_err err;
	TX(x->pool, &err) {
		MU_CODE(plog_rewind(&x->l), PC_E_INTX);
		MU_CODE(plog_set_packed(&x->l, true), PC_E_INTX);
		MU_CODE(plog_append(&x->l, "in tx", 5), PC_OK);
		MU_CHECK(pc_tx_active(), "INTX errors do not abort");
		break;
	}
	MU_CODE(err, PC_E_ESCAPED);
}

static void c_log_full(mu_env *x)
{
	char rec[200];
	memset(rec, 'r', sizeof(rec));
	pc_err e = PC_OK;
	uint64_t n = 0;
	while ((e = plog_append(&x->fl, rec, sizeof(rec))) == PC_OK)
		n++;
	MU_CODE(e, PC_E_FULL);
	MU_MSG_HAS("plog_append");
	MU_MSG_HAS(x->path);
	MU_CHECK(plog_count(&x->fl) == n && plog_check(&x->fl) == PC_OK,
		 "fl: %llu of %llu records", (unsigned long long)n,
		 (unsigned long long)plog_count(&x->fl));
	plog_iovec iov[3] = {{rec, 10}, {rec, 20}, {rec, 30}};
	MU_CODE(plog_appendv(&x->fl, iov, 3), PC_E_FULL);
	MU_CHECK(plog_count(&x->fl) == n, "a partial batch");
	plog nl;
	MU_CODE(plog_root(x->pool, "nl", PC_CREATE, 4096, &nl), PC_E_FULL);
	MU_MSG_HAS("plog");
	MU_CODE(plog_free(&x->fl), PC_OK);
	MU_CODE(plog_root(x->pool, "nl", PC_CREATE, 4096, &nl), PC_OK);
	MU_CODE(plog_append(&nl, rec, sizeof(rec)), PC_OK);
	MU_CODE(plog_free(&nl), PC_OK);
}

MU_CASES(log, {"log_handles", c_log_handles, MU_DATA, 0},
	 {"log_sizes", c_log_sizes, MU_DATA, 0},
	 {"log_rules", c_log_rules, MU_DATA, 0},
	 {"log_full", c_log_full, MU_FULL, 0})

/* ======================================================================== */
/* PBLKARR                                                                  */
/* ======================================================================== */

static void mu_blk_bad(pblkarr *a)
{
	char buf[512];
	MU_CODE(pblkarr_read(a, 0, buf), PC_E_INVAL);
	MU_CODE(pblkarr_write(a, 0, buf), PC_E_INVAL);
	MU_CODE(pblkarr_set_zero(a, 0), PC_E_INVAL);
	MU_CODE(pblkarr_set_error(a, 0), PC_E_INVAL);
	MU_CODE(pblkarr_check(a), PC_E_INVAL);
	MU_CODE(pblkarr_free(a), PC_E_INVAL);
	MU_INVAL(pblkarr_bsize(a), 0);
	MU_INVAL(pblkarr_nblock(a), 0);
}

static void c_blk_args(mu_env *x)
{
	pblkarr z = mu_za, na;
	char buf[512];
	mu_blk_bad(NULL);
	mu_blk_bad(&z);
	for (size_t i = 0; i < MU_NHUGE; i++) {
		MU_CODE(pblkarr_root(x->pool, "na", PC_CREATE, mu_huge[i], 4,
				     &na),
			PC_E_TOOBIG);
		MU_CODE(pblkarr_root(x->pool, "na", PC_CREATE, 512, mu_huge[i],
				     &na),
			PC_E_TOOBIG);
		MU_CODE(pblkarr_read(&x->a, mu_huge[i], buf), PC_E_RANGE);
		MU_CODE(pblkarr_write(&x->a, mu_huge[i], buf), PC_E_RANGE);
		MU_CODE(pblkarr_set_zero(&x->a, mu_huge[i]), PC_E_RANGE);
		MU_CODE(pblkarr_set_error(&x->a, mu_huge[i]), PC_E_RANGE);
	}
	MU_CODE(pblkarr_root(x->pool, "na", PC_CREATE, 0, 4, &na), PC_E_INVAL);
	MU_CODE(pblkarr_root(x->pool, "na", PC_CREATE, PBLKARR_MAX_BSIZE + 1, 4,
			     &na),
		PC_E_TOOBIG);
	MU_CODE(pblkarr_root(NULL, "na", PC_CREATE, 512, 4, &na), PC_E_INVAL);
	MU_CODE(pblkarr_root(x->pool, "na", PC_CREATE, 512, 4, NULL),
		PC_E_INVAL);
	MU_CODE(pblkarr_root(x->pool, "a", PC_CREATE, 512, 4, &na),
		PC_E_EXISTS);
	MU_CODE(pblkarr_read(&x->a, 0, NULL), PC_E_INVAL);
	MU_CODE(pblkarr_write(&x->a, 0, NULL), PC_E_INVAL);
	MU_CODE(pblkarr_read(&x->a, MU_NA, buf), PC_E_RANGE);
	MU_CHECK(pc_root_count(x->pool) == 7, "a root appeared");
	pc_err err;
	TX(x->pool, &err) {
		MU_CODE(pblkarr_write(&x->a, MU_NA, buf), PC_E_RANGE);
		MU_CODE(pblkarr_write(&x->a, 1, buf), PC_OK);
		MU_CODE(pblkarr_set_error(&x->a, 0), PC_OK);
		MU_CHECK(pc_tx_active(), "range errors do not abort");
		break;
	}
	MU_CODE(err, PC_E_ESCAPED);
}

static void c_blk_full(mu_env *x)
{
	pblkarr na;
	MU_CODE(pblkarr_root(x->pool, "na", PC_CREATE, 512, 0, &na), PC_E_FULL);
	MU_MSG_HAS(x->path);
	MU_CODE(pblkarr_root(x->pool, "na", PC_CREATE, 512, 100, &na),
		PC_E_FULL);
	MU_CHECK(pc_root_count(x->pool) == 10, "a root appeared");
	PC_PTR(point) np = PC_PTR_NULL(point);
	MU_CODE(PC_NEW(x->pool, point, &np), PC_E_FULL);
	MU_MSG_HAS("PC_NEW");
	MU_CHECK(PC_PTR_IS_NULL(np), "a pointer after a failed PC_NEW");
	PC_PTR(other) po;
	MU_CODE(PC_ROOT(x->pool, "po", other, PC_CREATE, &po), PC_E_FULL);
	MU_MSG_HAS("other");
	pc_err err;
	TX(x->pool, &err) {
		PC_PTR(point) p;
		MU_CODE(PC_NEW(x->pool, point, &p), PC_E_FULL);
	}
	MU_CODE(err, PC_E_FULL);
	MU_MSG_HAS("PC_NEW");
	MU_MSG_HAS("then TX()");
}

static void c_blk_full_free(mu_env *x)
{
	MU_CODE(pblkarr_free(&x->a), PC_OK);
	MU_CHECK(x->a.h == NULL, "handle cleared");
	/* libpmemobj hands blocks freed in a run out again once it has
	 * rebuilt the run (at the latest at the next open) */
	MU_CODE(pc_pool_close(x->pool), PC_OK);
	MU_CODE(pc_pool_open(x->path, &x->pool), PC_OK);
	pblkarr na;
	MU_CODE(pblkarr_root(x->pool, "na", PC_CREATE, 512, 16, &na), PC_OK);
	MU_CODE(pblkarr_write(&na, 3, x), PC_OK);
	MU_CODE(pblkarr_check(&na), PC_OK);
}

MU_CASES(blk, {"blk_args", c_blk_args, MU_DATA, 0},
	 {"blk_full", c_blk_full, MU_FULL, 0},
	 {"blk_full_free", c_blk_full_free, MU_FULL, MU_CHANGES})

/* ======================================================================== */
/* compat/pmemlog.h and compat/pmemblk.h                                    */
/* ======================================================================== */

static int mu_pl_count(const void *b, size_t l, void *arg)
{
	(void)b;
	*(size_t *)arg += l;
	return 1; /* libpmemlog's rule: nonzero goes on */
}

static void c_compat_log(mu_env *x)
{
	errno = 0;
	MU_CHECK(!pmemlog_create(NULL, PMEMLOG_MIN_POOL, 0600) &&
			 errno == EINVAL,
		 "create(NULL)");
	MU_CHECK(!pmemlog_create(x->path, PMEMLOG_MIN_POOL - 1, 0600) &&
			 errno == EINVAL,
		 "create below the minimum");
	for (size_t i = 0; i < MU_NHUGE; i++)
		MU_CHECK(!pmemlog_create(x->path, mu_huge[i], 0600) &&
				 errno == EINVAL,
			 "create(%zu)", mu_huge[i]);
	MU_CHECK(access(x->path, F_OK) != 0, "a failed create left a file");
	MU_CHECK(!pmemlog_open(NULL) && errno == EINVAL, "open(NULL)");
	MU_CHECK(!pmemlog_open(x->path) && errno == ENOENT, "open(missing)");
	MU_CHECK(pmemlog_append(NULL, "x", 1) == -1 && errno == EINVAL,
		 "append(NULL)");
	MU_CHECK(pmemlog_appendv(NULL, NULL, 0) == -1, "appendv(NULL)");
	MU_CHECK(pmemlog_tell(NULL) == -1 && errno == EINVAL, "tell(NULL)");
	MU_CHECK(pmemlog_nbyte(NULL) == 0 && errno == EINVAL, "nbyte(NULL)");
	size_t n = 0;
	pmemlog_walk(NULL, 0, mu_pl_count, &n);
	pmemlog_rewind(NULL);
	pmemlog_close(NULL);
	MU_CHECK(pmemlog_check(NULL) == -1, "check(NULL)");
	PMEMlogpool *plp = pmemlog_create(x->path, PMEMLOG_MIN_POOL, 0600);
	MU_CHECK(plp, "create at PMEMLOG_MIN_POOL: %s", pmemlog_errormsg());
	MU_CHECK(pmemlog_append(plp, "abc", 3) == 0, "append");
	for (size_t i = 0; i < MU_NHUGE; i++) {
		MU_CHECK(pmemlog_append(plp, "x", mu_huge[i]) == -1 &&
				 errno == EINVAL,
			 "append(%zu)", mu_huge[i]);
		struct iovec iov = {(void *)"x", mu_huge[i]};
		MU_CHECK(pmemlog_appendv(plp, &iov, 1) == -1, "appendv");
		n = 0;
		pmemlog_walk(plp, mu_huge[i], mu_pl_count, &n);
		MU_CHECK(n == 3, "walk(%zu): %zu bytes", mu_huge[i], n);
	}
	MU_CHECK(pmemlog_appendv(plp, NULL, 1) == -1 && errno == EINVAL,
		 "appendv(NULL iov)");
	MU_CHECK(pmemlog_appendv(plp, NULL, -1) == -1 && errno == EINVAL,
		 "appendv(-1)");
	pmemlog_walk(plp, 0, NULL, NULL);
	MU_CHECK(pmemlog_tell(plp) == 3, "tell");
	pmemlog_close(plp);
	MU_CHECK(pmemlog_check(x->path) == 1, "check");
}

static void c_compat_blk(mu_env *x)
{
	char buf[512];
	errno = 0;
	MU_CHECK(!pmemblk_create(NULL, 512, PMEMBLK_MIN_POOL, 0600) &&
			 errno == EINVAL,
		 "create(NULL)");
	MU_CHECK(!pmemblk_create(x->path, 0, PMEMBLK_MIN_POOL, 0600) &&
			 errno == EINVAL,
		 "bsize 0");
	MU_CHECK(!pmemblk_create(x->path, 512, PMEMBLK_MIN_POOL - 1, 0600) &&
			 errno == EINVAL,
		 "below the minimum");
	for (size_t i = 0; i < MU_NHUGE; i++) {
		MU_CHECK(!pmemblk_create(x->path, 512, mu_huge[i], 0600),
			 "create(%zu)", mu_huge[i]);
		MU_CHECK(!pmemblk_create(x->path, mu_huge[i], PMEMBLK_MIN_POOL,
					 0600),
			 "bsize %zu", mu_huge[i]);
	}
	MU_CHECK(access(x->path, F_OK) != 0, "a failed create left a file");
	MU_CHECK(!pmemblk_open(NULL, 512), "open(NULL)");
	MU_CHECK(pmemblk_bsize(NULL) == 0 && pmemblk_nblock(NULL) == 0,
		 "accessors");
	MU_CHECK(pmemblk_read(NULL, buf, 0) == -1 && errno == EINVAL, "read");
	MU_CHECK(pmemblk_write(NULL, buf, 0) == -1 && errno == EINVAL, "write");
	MU_CHECK(pmemblk_set_zero(NULL, 0) == -1, "set_zero");
	MU_CHECK(pmemblk_set_error(NULL, 0) == -1, "set_error");
	pmemblk_close(NULL);
	MU_CHECK(pmemblk_check(NULL, 512) == -1, "check(NULL)");
	PMEMblkpool *pbp = pmemblk_create(x->path, 512, PMEMBLK_MIN_POOL, 0600);
	MU_CHECK(pbp, "create at PMEMBLK_MIN_POOL: %s", pmemblk_errormsg());
	long long bad[] = {-1, LLONG_MIN, LLONG_MAX,
			   (long long)pmemblk_nblock(pbp)};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		MU_CHECK(pmemblk_read(pbp, buf, bad[i]) == -1 &&
				 errno == EINVAL,
			 "read(%lld)", bad[i]);
		MU_CHECK(pmemblk_write(pbp, buf, bad[i]) == -1, "write");
		MU_CHECK(pmemblk_set_zero(pbp, bad[i]) == -1, "set_zero");
		MU_CHECK(pmemblk_set_error(pbp, bad[i]) == -1, "set_error");
	}
	MU_CHECK(pmemblk_read(pbp, NULL, 0) == -1 && errno == EINVAL, "NULL");
	MU_CHECK(pmemblk_write(pbp, NULL, 0) == -1 && errno == EINVAL, "NULL");
	pmemblk_close(pbp);
	MU_CHECK(!pmemblk_open(x->path, 4096) && errno == EINVAL, "bsize");
	MU_CHECK(pmemblk_check(x->path, 512) == 1, "check");
}

/* The rest of the public functions: the DRAM map of the benchmark, the
 * flush and counter helpers, the compat headers' version, ctl and
 * allocator calls, and the sizes of the calls not covered above. */
static void c_rest(mu_env *x)
{
	MU_CODE(md64_dram_new(NULL), PC_E_INVAL);
	md64 d;
	MU_CODE(md64_dram_new(&d), PC_OK);
	MU_CODE(md64_insert(&d, 1, 2), PC_OK);
	MU_CODE(md64_insert(&d, 1, 3), PC_E_EXISTS);
	MU_CHECK(md64_len(&d) == 1, "DRAM map length");
	md64_dram_delete(&d);
	MU_CHECK(d.h == NULL, "dram_delete clears the handle");
	MU_CODE(md64_insert(&d, 1, 2), PC_E_INVAL);
	md64_dram_delete(&d);
	md64_dram_delete(NULL);

	MU_CHECK(pc_flush_kind_get() != PC_FLUSH_UNKNOWN, "flush kind");
	MU_CHECK(strcmp(pc_flush_kind_name((pc_flush_kind)99), "unknown") == 0,
		 "name of a bad kind");
	pc_persist_counters_reset();
	pc_fence();
	pc_persist_counters c = pc_persist_counters_get();
	MU_CHECK(c.flushes == 0, "no flush counted");
	/* pc_persist() refuses a wrapping range as pc_flush() does */
	char *in = x->pool->base + 8192;
	for (size_t i = 0; i < MU_NHUGE; i++) {
		if (mu_huge[i] == (size_t)PTRDIFF_MAX)
			continue; /* mapped or not: the caller's, as memcpy */
		mu_clear_msg();
		pc_persist(in, mu_huge[i]);
		MU_MSG_HAS("[invalid argument]");
		MU_CODE(pc_root_unbind_off(x->pool, mu_huge[i]), PC_OK);
	}

	PMEMblkpool *pbp =
		pmemblk_create(x->other, 512, PMEMBLK_MIN_POOL, 0600);
	MU_CHECK(pbp, "create: %s", pmemblk_errormsg());
	pmemblk_close(pbp);
	for (size_t i = 0; i < MU_NHUGE; i++) {
		errno = 0;
		MU_CHECK(!pmemblk_open(x->other, mu_huge[i]) && errno == EINVAL,
			 "open with bsize %zu", mu_huge[i]);
		MU_CHECK(pmemblk_check(x->other, mu_huge[i]) == -1 &&
				 errno == EINVAL,
			 "check with bsize %zu", mu_huge[i]);
	}
	MU_CHECK(pmemblk_check(x->other, 512) == 1, "the pool is intact");
	MU_CHECK(pmemblk_check_version(PMEMBLK_MAJOR_VERSION + 1, 0) != NULL &&
			 pmemblk_check_version(PMEMBLK_MAJOR_VERSION, 99) &&
			 !pmemblk_check_version(PMEMBLK_MAJOR_VERSION, 0),
		 "pmemblk_check_version");
	MU_CHECK(pmemlog_check_version(PMEMLOG_MAJOR_VERSION + 1, 0) != NULL &&
			 pmemlog_check_version(PMEMLOG_MAJOR_VERSION, 99) &&
			 !pmemlog_check_version(PMEMLOG_MAJOR_VERSION, 0),
		 "pmemlog_check_version");
	pmemblk_set_funcs(NULL, NULL, NULL, NULL);
	pmemlog_set_funcs(NULL, NULL, NULL, NULL);
	int arg = 0;
	errno = 0;
	MU_CHECK(pmemblk_ctl_get(NULL, NULL, NULL) == -1 && errno == EINVAL,
		 "pmemblk_ctl_get");
	MU_CHECK(pmemblk_ctl_set(NULL, "x", &arg) == -1 && errno == EINVAL,
		 "pmemblk_ctl_set");
	MU_CHECK(pmemblk_ctl_exec(NULL, NULL, &arg) == -1 && errno == EINVAL,
		 "pmemblk_ctl_exec");
	MU_CHECK(pmemlog_ctl_get(NULL, NULL, NULL) == -1 && errno == EINVAL,
		 "pmemlog_ctl_get");
	MU_CHECK(pmemlog_ctl_set(NULL, "x", &arg) == -1 && errno == EINVAL,
		 "pmemlog_ctl_set");
	MU_CHECK(pmemlog_ctl_exec(NULL, NULL, &arg) == -1 && errno == EINVAL,
		 "pmemlog_ctl_exec");
}

MU_CASES(compat, {"compat_log", c_compat_log, MU_NONE, 0},
	 {"compat_blk", c_compat_blk, MU_NONE, 0}, {"rest", c_rest, MU_DATA, 0})

/* The harness itself: a crash and a failed check are each reported as a
 * failed case, and a passing case as passing. */
static void c_crashes(mu_env *x)
{
	(void)x;
	(void)raise(SIGSEGV);
}

static void c_fails(mu_env *x)
{
	MU_CODE(pc_pool_open(x->path, NULL), PC_OK);
}

static void c_passes(mu_env *x)
{
	MU_CODE(pc_pool_open(x->path, NULL), PC_E_INVAL);
}

Test(misuse, harness_reports_crashes_and_failures)
{
	const mu_case c[] = {{"crashes", c_crashes, MU_NONE, 0},
			     {"fails", c_fails, MU_NONE, 0},
			     {"passes", c_passes, MU_DATA, 0}};
	cr_assert_eq(mu_run(&c[0]), 1, "a crash was not reported");
	cr_assert_eq(mu_run(&c[1]), 1, "a failed check was not reported");
	cr_assert_eq(mu_run(&c[2]), 0, "a good case failed");
}
