/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PVEC(T): randomized comparison against a C array model, aborts, a full
 * pool, type checks, edge cases, embedding in a user struct, reopening,
 * and (on the flush path) the fence counts the docs promise.
 *
 * The size of the randomized test comes from $PCOLL_VEC_OPS; by default
 * 150,000 operations on the flush path and 20,000 on the msync path.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "tu_pool.h"

#define PC_T    uint64_t
#define PC_NAME vec_u64
#include <pcoll/vec.h>

#define PC_T double
#include <pcoll/vec.h>

#define PC_T int
#include <pcoll/vec.h>

/* A 24-byte element: set goes through an own transaction. */
typedef struct rec {
	uint64_t key;
	uint64_t seq;
	uint32_t tag;
	uint32_t pad;
} rec;
PC_DECLARE(rec);
#define PC_T rec
#include <pcoll/vec.h>

/* A 3-byte element: some lie across 8-byte words, some inside one. */
typedef struct tri {
	uint8_t b[3];
} tri;
PC_DECLARE(tri);
#define PC_T    tri
#define PC_NAME vec_tri
#include <pcoll/vec.h>

/* A user struct embedding a vector. */
typedef struct game {
	uint64_t moves;
	PVEC_PM(int) scores;
	uint64_t done;
} game;
PC_DECLARE(game);

static pc_pool *pool;
static char path[PC_PATH_MAX];

static void setup(void)
{
	pool = tu_mkpool("vec", TU_POOL_SIZE);
	(void)snprintf(path, sizeof(path), "%s", pool->path);
}

static void teardown(void)
{
	tu_drop(&pool);
}

TestSuite(vec, .init = setup, .fini = teardown);

/* ---- the model --------------------------------------------------------- */

typedef struct model {
	uint64_t *a;
	size_t n, cap;
} model;

static void m_reserve(model *m, size_t n)
{
	if (n <= m->cap)
		return;
	size_t c = m->cap ? m->cap : 16;
	while (c < n)
		c *= 2;
	m->a = realloc(m->a, c * sizeof(uint64_t));
	cr_assert_not_null(m->a);
	m->cap = c;
}

static void m_copy(model *dst, const model *src)
{
	m_reserve(dst, src->n);
	if (src->n)
		memcpy(dst->a, src->a, src->n * sizeof(uint64_t));
	dst->n = src->n;
}

static void expect_same(const vec_u64 *v, const model *m, const char *where)
{
	cr_assert_eq(vec_u64_len(v), m->n, "%s: len %zu, model %zu", where,
		     vec_u64_len(v), m->n);
	cr_assert_eq(vec_u64_check(v), PC_OK, "%s: %s", where, pc_errmsg());
	vec_u64_slice s = vec_u64_as_slice(v);
	cr_assert_eq(s.len, m->n);
	if (m->n)
		cr_assert(memcmp(s.ptr, m->a, m->n * sizeof(uint64_t)) == 0,
			  "%s: content differs", where);
	cr_assert(vec_u64_cap(v) >= vec_u64_len(v));
}

static int cmp_u64(const uint64_t *a, const uint64_t *b)
{
	return (*a > *b) - (*a < *b);
}

static int qcmp_u64(const void *a, const void *b)
{
	return cmp_u64(a, b);
}

static size_t ops_wanted(void)
{
	const char *e = getenv("PCOLL_VEC_OPS");
	if (e && *e)
		return (size_t)strtoull(e, NULL, 10);
	return tu_forced_pmem() ? 150000 : 3000;
}

/* Loop sizes of the other tests: on the msync path every durable call is
 * an msync of a file on disk (1 to 10 ms here), so they shrink. */
static size_t scaled(size_t n)
{
	if (tu_forced_pmem())
		return n;
	return n / 500 > 100 ? n / 500 : 100;
}

enum {
	OP_PUSH,
	OP_POP,
	OP_SET,
	OP_INSERT,
	OP_REMOVE,
	OP_SWAP_REMOVE,
	OP_TRUNCATE,
	OP_CLEAR,
	OP_RESERVE,
	OP_EXTEND,
	OP_SORT,
	OP_GET_MUT,
	OP_GET,
	OP_BAD_INDEX,
	OP__COUNT
};

/* Apply one random operation to v and the model and compare results. */
static void random_op(vec_u64 *v, model *m, uint64_t *rs, int in_tx,
		      uint64_t *counts)
{
	uint64_t r = tu_splitmix64(rs);
	int op = (int)(r % 100);
	/* Weights: growth-biased while small, shrink-biased when large. */
	if (op < 30)
		op = m->n > 3000 ? OP_POP : OP_PUSH;
	else if (op < 40)
		op = OP_POP;
	else if (op < 55)
		op = OP_SET;
	else if (op < 62)
		op = OP_INSERT;
	else if (op < 69)
		op = OP_REMOVE;
	else if (op < 75)
		op = OP_SWAP_REMOVE;
	else if (op < 77)
		op = OP_TRUNCATE;
	else if (op < 78)
		op = (tu_splitmix64(rs) % 8 == 0) ? OP_CLEAR : OP_GET;
	else if (op < 80)
		op = OP_RESERVE;
	else if (op < 86)
		op = OP_EXTEND;
	else if (op < 87)
		op = (tu_splitmix64(rs) % 4 == 0) ? OP_SORT : OP_GET;
	else if (op < 91)
		op = OP_GET_MUT;
	else if (op < 97)
		op = OP_GET;
	else
		op = OP_BAD_INDEX;
	counts[op]++;
	uint64_t x = tu_splitmix64(rs);
	size_t i = m->n ? (size_t)(tu_splitmix64(rs) % m->n) : 0;
	pc_err e;
	switch (op) {
	case OP_PUSH:
		e = vec_u64_push(v, x);
		cr_assert_eq(e, PC_OK, "push: %s", pc_errmsg());
		m_reserve(m, m->n + 1);
		m->a[m->n++] = x;
		break;
	case OP_POP: {
		uint64_t out = 7;
		bool got = vec_u64_pop(v, &out);
		cr_assert_eq(got, m->n > 0);
		if (m->n) {
			m->n--;
			cr_assert_eq(out, m->a[m->n]);
		} else {
			cr_assert_eq(out, 7, "pop on empty left out alone");
		}
		break;
	}
	case OP_SET:
		if (!m->n)
			break;
		cr_assert_eq(vec_u64_set(v, i, x), PC_OK, "%s", pc_errmsg());
		m->a[i] = x;
		break;
	case OP_INSERT:
		i = (size_t)(x % (m->n + 1));
		cr_assert_eq(vec_u64_insert(v, i, x), PC_OK, "%s", pc_errmsg());
		m_reserve(m, m->n + 1);
		memmove(m->a + i + 1, m->a + i, (m->n - i) * sizeof(uint64_t));
		m->a[i] = x;
		m->n++;
		break;
	case OP_REMOVE:
	case OP_SWAP_REMOVE: {
		if (!m->n)
			break;
		uint64_t out = 0;
		if (op == OP_REMOVE)
			e = vec_u64_remove(v, i, &out);
		else
			e = vec_u64_swap_remove(v, i, &out);
		cr_assert_eq(e, PC_OK, "%s", pc_errmsg());
		cr_assert_eq(out, m->a[i]);
		if (op == OP_REMOVE)
			memmove(m->a + i, m->a + i + 1,
				(m->n - i - 1) * sizeof(uint64_t));
		else
			m->a[i] = m->a[m->n - 1];
		m->n--;
		break;
	}
	case OP_TRUNCATE: {
		size_t n = (size_t)(x % (m->n + 10));
		cr_assert_eq(vec_u64_truncate(v, n), PC_OK);
		if (n < m->n)
			m->n = n;
		break;
	}
	case OP_CLEAR:
		cr_assert_eq(vec_u64_clear(v), PC_OK);
		m->n = 0;
		break;
	case OP_RESERVE: {
		size_t add = (size_t)(x % 200);
		cr_assert_eq(vec_u64_reserve(v, add), PC_OK, "%s", pc_errmsg());
		cr_assert_geq(vec_u64_cap(v), m->n + add);
		break;
	}
	case OP_EXTEND: {
		uint64_t arr[40];
		size_t k = (size_t)(x % 41);
		for (size_t j = 0; j < k; j++)
			arr[j] = tu_splitmix64(rs);
		cr_assert_eq(vec_u64_extend(v, k ? arr : NULL, k), PC_OK, "%s",
			     pc_errmsg());
		m_reserve(m, m->n + k);
		if (k)
			memcpy(m->a + m->n, arr, k * sizeof(uint64_t));
		m->n += k;
		break;
	}
	case OP_SORT:
		cr_assert_eq(vec_u64_sort(v, cmp_u64), PC_OK, "%s",
			     pc_errmsg());
		if (m->n)
			qsort(m->a, m->n, sizeof(uint64_t), qcmp_u64);
		break;
	case OP_GET_MUT: {
		uint64_t *p = vec_u64_get_mut(v, i);
		if (!in_tx || !m->n) {
			cr_assert_null(p);
			break;
		}
		cr_assert_not_null(p, "%s", pc_errmsg());
		*p = x;
		m->a[i] = x;
		break;
	}
	case OP_GET: {
		const uint64_t *p = vec_u64_get(v, i);
		if (!m->n) {
			cr_assert_null(p);
			cr_assert_null(vec_u64_first(v));
			cr_assert_null(vec_u64_last(v));
			cr_assert(vec_u64_is_empty(v));
			break;
		}
		cr_assert_not_null(p);
		cr_assert_eq(*p, m->a[i]);
		cr_assert_eq(*vec_u64_first(v), m->a[0]);
		cr_assert_eq(*vec_u64_last(v), m->a[m->n - 1]);
		break;
	}
	case OP_BAD_INDEX: {
		size_t bad = m->n + (size_t)(x % 3);
		cr_assert_null(vec_u64_get(v, bad));
		cr_assert_eq(vec_u64_set(v, bad, x), PC_E_RANGE);
		cr_assert_eq(vec_u64_remove(v, bad, NULL), PC_E_RANGE);
		cr_assert_eq(vec_u64_swap_remove(v, bad, NULL), PC_E_RANGE);
		cr_assert_eq(vec_u64_insert(v, bad + 1, x), PC_E_RANGE);
		break;
	}
	default:
		cr_assert_fail("unknown op");
	}
}

Test(vec, randomized_against_a_c_array_model, .timeout = 240)
{
	vec_u64 v;
	cr_assert_eq(vec_u64_root(pool, "diff", PC_CREATE, &v), PC_OK, "%s",
		     pc_errmsg());
	model m = {0}, saved = {0};
	uint64_t rs = 20261121;
	uint64_t counts[OP__COUNT] = {0};
	size_t want = ops_wanted();
	size_t done = 0, reopens = 0, commits = 0, aborts = 0;
	size_t every = want / 10 < 5000 ? want / 10 + 1 : 5000;
	size_t next_reopen = every;
	while (done < want) {
		uint64_t r = tu_splitmix64(&rs);
		if (r % 40 == 0) {
			/* A batch of operations in one transaction. */
			size_t k = 1 + (size_t)(tu_splitmix64(&rs) % 30);
			int how = (int)(tu_splitmix64(&rs) % 4);
			m_copy(&saved, &m);
			pc_err out = PC_OK;
			TX(pool, &out) {
				for (size_t j = 0; j < k; j++)
					random_op(&v, &m, &rs, 1, counts);
				if (how == 0) {
					(void)pc_tx_abort(PC_E_ABORTED);
					break;
				}
				if (how == 1)
					break;
			}
			done += k;
			if (how == 0 || how == 1) {
				cr_assert_eq(out, how == 0 ? PC_E_ABORTED
							   : PC_E_ESCAPED);
				m_copy(&m, &saved);
				aborts++;
			} else {
				cr_assert_eq(out, PC_OK, "%s", pc_errmsg());
				commits++;
			}
			expect_same(&v, &m, "after a transaction");
		} else {
			random_op(&v, &m, &rs, 0, counts);
			done++;
		}
		if (done >= next_reopen) {
			expect_same(&v, &m, "before reopen");
			tu_reopen(&pool);
			cr_assert_eq(vec_u64_root(pool, "diff", PC_OPEN, &v),
				     PC_OK, "%s", pc_errmsg());
			expect_same(&v, &m, "after reopen");
			reopens++;
			next_reopen += every;
		}
	}
	expect_same(&v, &m, "at the end");
	for (int op = 0; op < OP__COUNT; op++)
		cr_assert_gt(counts[op], 0, "op %d never ran", op);
	cr_assert_gt(commits, 0);
	cr_assert_gt(aborts, 0);
	cr_assert_geq(done, 100000 < want ? 100000 : want);
	cr_assert_gt(reopens, 0);
	cr_log_info("%zu ops, %zu reopens, %zu commits, %zu aborts", done,
		    reopens, commits, aborts);
	free(m.a);
	free(saved.a);
}

/* The same with a 24-byte element and a 3-byte one, smaller. */
Test(vec, randomized_struct_elements)
{
	PVEC(rec) v;
	vec_tri t;
	cr_assert_eq(pvec_rec_root(pool, "recs", PC_CREATE, &v), PC_OK);
	cr_assert_eq(vec_tri_root(pool, "tris", PC_CREATE, &t), PC_OK);
	size_t iters = scaled(20000);
	rec *m = calloc(iters, sizeof(rec));
	tri *mt = calloc(iters, sizeof(tri));
	size_t n = 0, nt = 0;
	uint64_t rs = 99;
	for (size_t k = 0; k < iters; k++) {
		uint64_t r = tu_splitmix64(&rs);
		rec x = {r, k, (uint32_t)(r >> 40), 0};
		tri y = {{(uint8_t)r, (uint8_t)(r >> 8), (uint8_t)(r >> 16)}};
		switch (r % 6) {
		case 0:
		case 1:
			cr_assert_eq(pvec_rec_push(&v, x), PC_OK);
			m[n++] = x;
			cr_assert_eq(vec_tri_push(&t, y), PC_OK);
			mt[nt++] = y;
			break;
		case 2:
			if (n) {
				size_t i = (size_t)((r >> 8) % n);
				cr_assert_eq(pvec_rec_set(&v, i, x), PC_OK);
				m[i] = x;
			}
			if (nt) {
				size_t i = (size_t)((r >> 8) % nt);
				cr_assert_eq(vec_tri_set(&t, i, y), PC_OK);
				mt[i] = y;
			}
			break;
		case 3: {
			rec o;
			tri ot;
			cr_assert_eq(pvec_rec_pop(&v, &o), n > 0);
			if (n)
				cr_assert_eq(memcmp(&o, &m[--n], sizeof(o)), 0);
			cr_assert_eq(vec_tri_pop(&t, &ot), nt > 0);
			if (nt)
				cr_assert_eq(memcmp(&ot, &mt[--nt], 3), 0);
			break;
		}
		case 4:
			if (n) {
				size_t i = (size_t)((r >> 8) % n);
				rec o;
				cr_assert_eq(pvec_rec_remove(&v, i, &o), PC_OK);
				cr_assert_eq(o.seq, m[i].seq);
				memmove(m + i, m + i + 1,
					(n - i - 1) * sizeof(rec));
				n--;
			}
			break;
		default: {
			size_t i = (size_t)((r >> 8) % (nt + 1));
			cr_assert_eq(vec_tri_insert(&t, i, y), PC_OK);
			memmove(mt + i + 1, mt + i, (nt - i) * sizeof(tri));
			mt[i] = y;
			nt++;
			break;
		}
		}
	}
	tu_reopen(&pool);
	cr_assert_eq(pvec_rec_root(pool, "recs", PC_OPEN, &v), PC_OK);
	cr_assert_eq(vec_tri_root(pool, "tris", PC_OPEN, &t), PC_OK);
	cr_assert_eq(pvec_rec_len(&v), n);
	cr_assert_eq(vec_tri_len(&t), nt);
	cr_assert_eq(pvec_rec_check(&v), PC_OK);
	cr_assert_eq(vec_tri_check(&t), PC_OK);
	cr_assert_eq(memcmp(pvec_rec_as_slice(&v).ptr, m, n * sizeof(rec)), 0);
	cr_assert_eq(memcmp(vec_tri_as_slice(&t).ptr, mt, nt * sizeof(tri)), 0);
	free(m);
	free(mt);
}

/* ---- aborts ---------------------------------------------------------- */

/* Append base, base+1, ... base+n-1 with one extend (pushes are tested
 * on their own elsewhere). */
static void fill(vec_u64 *v, size_t n, uint64_t base)
{
	uint64_t *a = malloc(n * sizeof(uint64_t));
	cr_assert_not_null(a);
	for (size_t i = 0; i < n; i++)
		a[i] = base + i;
	cr_assert_eq(vec_u64_extend(v, a, n), PC_OK, "%s", pc_errmsg());
	free(a);
}

static void expect_seq(const vec_u64 *v, size_t n, uint64_t base)
{
	cr_assert_eq(vec_u64_len(v), n);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(*vec_u64_get(v, i), base + i, "element %zu", i);
	cr_assert_eq(vec_u64_check(v), PC_OK, "%s", pc_errmsg());
}

Test(vec, abort_restores_every_kind_of_change)
{
	vec_u64 v;
	cr_assert_eq(vec_u64_root(pool, "a", PC_CREATE, &v), PC_OK);
	fill(&v, 100, 1000);
	size_t cap0 = vec_u64_cap(&v);
	uint64_t more[500];
	for (int i = 0; i < 500; i++)
		more[i] = (uint64_t)i;
	pc_err out = PC_OK;
	TX(pool, &out) {
		cr_assert_eq(vec_u64_push(&v, 1), PC_OK);
		cr_assert_eq(vec_u64_set(&v, 3, 2), PC_OK);
		cr_assert_eq(vec_u64_insert(&v, 0, 3), PC_OK);
		cr_assert_eq(vec_u64_remove(&v, 50, NULL), PC_OK);
		cr_assert_eq(vec_u64_swap_remove(&v, 10, NULL), PC_OK);
		uint64_t *p = vec_u64_get_mut(&v, 20);
		cr_assert_not_null(p);
		*p = 77;
		cr_assert_eq(vec_u64_extend(&v, more, 500), PC_OK);
		cr_assert_gt(vec_u64_cap(&v), cap0, "grew inside the TX");
		cr_assert_eq(vec_u64_sort(&v, cmp_u64), PC_OK);
		cr_assert(vec_u64_pop(&v, NULL));
		cr_assert_eq(vec_u64_truncate(&v, 5), PC_OK);
		cr_assert_eq(vec_u64_len(&v), 5);
		(void)pc_tx_abort(PC_E_ABORTED);
		break;
	}
	cr_assert_eq(out, PC_E_ABORTED);
	cr_assert_eq(vec_u64_cap(&v), cap0, "growth rolled back");
	expect_seq(&v, 100, 1000);
	tu_reopen(&pool);
	cr_assert_eq(vec_u64_root(pool, "a", PC_OPEN, &v), PC_OK);
	expect_seq(&v, 100, 1000);
}

Test(vec, break_out_of_tx_aborts_and_commit_keeps)
{
	vec_u64 v;
	cr_assert_eq(vec_u64_root(pool, "b", PC_CREATE, &v), PC_OK);
	fill(&v, 10, 0);
	pc_err out = PC_OK;
	TX(pool, &out) {
		cr_assert_eq(vec_u64_clear(&v), PC_OK);
		break;
	}
	cr_assert_eq(out, PC_E_ESCAPED);
	expect_seq(&v, 10, 0);
	TX(pool, &out) {
		cr_assert_eq(vec_u64_push(&v, 10), PC_OK);
		cr_assert_eq(vec_u64_push(&v, 11), PC_OK);
	}
	cr_assert_eq(out, PC_OK);
	tu_reopen(&pool);
	cr_assert_eq(vec_u64_root(pool, "b", PC_OPEN, &v), PC_OK);
	expect_seq(&v, 12, 0);
}

Test(vec, two_vectors_change_together_or_not_at_all)
{
	vec_u64 a, b;
	cr_assert_eq(vec_u64_root(pool, "x", PC_CREATE, &a), PC_OK);
	cr_assert_eq(vec_u64_root(pool, "y", PC_CREATE, &b), PC_OK);
	pc_err out;
	TX(pool, &out) {
		cr_assert_eq(vec_u64_push(&a, 1), PC_OK);
		cr_assert_eq(vec_u64_push(&b, 2), PC_OK);
		(void)pc_tx_abort(PC_E_RANGE);
		cr_assert_eq(vec_u64_push(&b, 3), PC_E_ABORTED,
			     "calls after an abort fail");
		break;
	}
	cr_assert_eq(out, PC_E_RANGE);
	cr_assert_eq(vec_u64_len(&a), 0);
	cr_assert_eq(vec_u64_len(&b), 0);
	TX(pool, &out) {
		cr_assert_eq(vec_u64_push(&a, 1), PC_OK);
		cr_assert_eq(vec_u64_push(&b, 2), PC_OK);
	}
	cr_assert_eq(out, PC_OK);
	cr_assert_eq(*vec_u64_get(&a, 0), 1);
	cr_assert_eq(*vec_u64_get(&b, 0), 2);
}

Test(vec, range_error_inside_tx_does_not_abort)
{
	vec_u64 v;
	cr_assert_eq(vec_u64_root(pool, "r", PC_CREATE, &v), PC_OK);
	pc_err out;
	TX(pool, &out) {
		cr_assert_eq(vec_u64_set(&v, 0, 1), PC_E_RANGE);
		cr_assert_null(vec_u64_get_mut(&v, 0));
		cr_assert_eq(vec_u64_push(&v, 5), PC_OK);
	}
	cr_assert_eq(out, PC_OK);
	expect_seq(&v, 1, 5);
}

/* ---- a full pool ------------------------------------------------------- */

Test(vec, full_pool_fails_cleanly_and_the_vector_stays_usable, .timeout = 120)
{
	tu_close_rm(pool);
	pool = tu_mkpool("vec-full", PC_POOL_MIN_SIZE);
	(void)snprintf(path, sizeof(path), "%s", pool->path);
	vec_u64 v;
	cr_assert_eq(vec_u64_root(pool, "full", PC_CREATE, &v), PC_OK);
	/* Push until the pool is full. Between growths, fill the capacity
	 * with one extend: the msync path pays a disk flush per call. */
	pc_err e = PC_OK;
	uint64_t n = 0, pushes = 0;
	uint64_t *buf = malloc((PC_POOL_MIN_SIZE / 8) * sizeof(uint64_t));
	cr_assert_not_null(buf);
	for (;;) {
		size_t room = vec_u64_cap(&v) - vec_u64_len(&v);
		cr_assert_lt(room, PC_POOL_MIN_SIZE / 8);
		for (size_t i = 0; i < room; i++)
			buf[i] = (n + i) * 3;
		cr_assert_eq(vec_u64_extend(&v, buf, room), PC_OK);
		n += room;
		e = vec_u64_push(&v, n * 3);
		if (e != PC_OK)
			break;
		n++;
		pushes++;
	}
	free(buf);
	cr_assert_gt(pushes, 5, "several growths by push");
	cr_assert_eq(e, PC_E_FULL, "push ends with %d: %s", e, pc_errmsg());
	cr_assert_gt(n, 1000);
	size_t cap = vec_u64_cap(&v);
	cr_assert_eq(vec_u64_len(&v), n, "the failing push changed nothing");
	cr_assert_eq(cap, n, "it failed while growing");
	cr_assert_eq(vec_u64_check(&v), PC_OK);
	/* extend and reserve fail the same way. */
	uint64_t arr[4] = {1, 2, 3, 4};
	cr_assert_eq(vec_u64_extend(&v, arr, 4), PC_E_FULL);
	cr_assert_eq(vec_u64_reserve(&v, 1), PC_E_FULL);
	cr_assert_eq(vec_u64_len(&v), n);
	cr_assert_eq(vec_u64_cap(&v), cap);
	/* Inside a TX the failure aborts the whole transaction. */
	pc_err out;
	TX(pool, &out) {
		cr_assert_eq(vec_u64_set(&v, 0, 12345), PC_OK);
		cr_assert_eq(vec_u64_push(&v, 1), PC_E_FULL);
		cr_assert_eq(vec_u64_set(&v, 1, 1), PC_E_ABORTED);
	}
	cr_assert_eq(out, PC_E_FULL);
	cr_assert_eq(*vec_u64_get(&v, 0), 0, "set rolled back");
	for (uint64_t i = 0; i < n; i += 97)
		cr_assert_eq(*vec_u64_get(&v, i), i * 3);
	/* Still usable: pop, set, push within the capacity. */
	uint64_t last;
	cr_assert(vec_u64_pop(&v, &last));
	cr_assert_eq(last, (n - 1) * 3);
	cr_assert_eq(vec_u64_set(&v, 5, 555), PC_OK);
	cr_assert_eq(vec_u64_push(&v, 999), PC_OK);
	cr_assert_eq(*vec_u64_last(&v), 999);
	tu_reopen(&pool);
	cr_assert_eq(vec_u64_root(pool, "full", PC_OPEN, &v), PC_OK);
	cr_assert_eq(vec_u64_len(&v), n);
	cr_assert_eq(*vec_u64_get(&v, 5), 555);
	cr_assert_eq(vec_u64_check(&v), PC_OK);
}

Test(vec, over_the_allocation_limit_is_toobig)
{
	vec_u64 v;
	cr_assert_eq(vec_u64_root(pool, "big", PC_CREATE, &v), PC_OK);
	fill(&v, 3, 0);
	cr_assert_eq(vec_u64_reserve(&v, SIZE_MAX), PC_E_TOOBIG);
	cr_assert(strstr(pc_errmsg(), "largest allocation") != NULL, "%s",
		  pc_errmsg());
	cr_assert_eq(vec_u64_reserve(&v, PMEMOBJ_MAX_ALLOC_SIZE / 8),
		     PC_E_TOOBIG);
	/* Within the limit but beyond the pool: full. */
	cr_assert_eq(vec_u64_reserve(&v, (64u << 20) / 8), PC_E_FULL);
	expect_seq(&v, 3, 0);
}

/* ---- types ----------------------------------------------------------- */

Test(vec, opening_as_another_type_is_a_type_error)
{
	PVEC(double) d;
	cr_assert_eq(pvec_double_root(pool, "d", PC_CREATE, &d), PC_OK);
	cr_assert_eq(pvec_double_push(&d, 1.5), PC_OK);
	PVEC(int) i;
	cr_assert_eq(pvec_int_root(pool, "d", PC_OPEN, &i), PC_E_TYPE);
	cr_assert(strstr(pc_errmsg(), "pvec<double>") != NULL, "%s",
		  pc_errmsg());
	cr_assert(strstr(pc_errmsg(), "pvec<int>") != NULL, "%s", pc_errmsg());
	vec_u64 u; /* same size and alignment, still another type */
	cr_assert_eq(vec_u64_root(pool, "d", PC_OPEN_OR_CREATE, &u), PC_E_TYPE);
	cr_assert_null(u.h, "no handle on failure");
	cr_assert_eq(pvec_double_root(pool, "d", PC_CREATE, &d), PC_E_EXISTS);
	cr_assert_eq(pvec_double_root(pool, "nope", PC_OPEN, &d),
		     PC_E_NOTFOUND);
	tu_reopen(&pool);
	cr_assert_eq(pvec_double_root(pool, "d", PC_OPEN, &d), PC_OK);
	cr_assert(*pvec_double_get(&d, 0) == 1.5);
	cr_assert_eq(pvec_int_root(pool, "d", PC_OPEN, &i), PC_E_TYPE);
}

Test(vec, signature_names_the_element_type)
{
	pc_typesig s = pvec_double_sig();
	cr_assert_str_eq(s.name, "pvec<double>");
	cr_assert_eq(s.kind, PC_KIND_VEC);
	cr_assert_eq(s.size, sizeof(double));
	s = vec_u64_sig();
	cr_assert_str_eq(s.name, "pvec<uint64_t>");
	cr_assert_eq(pvec_rec_sig().size, sizeof(rec));
}

/* ---- edges ------------------------------------------------------------ */

Test(vec, index_past_the_end)
{
	vec_u64 v;
	cr_assert_eq(vec_u64_root(pool, "e", PC_CREATE, &v), PC_OK);
	cr_assert_null(vec_u64_get(&v, 0));
	cr_assert_eq(vec_u64_set(&v, 0, 1), PC_E_RANGE);
	cr_assert(strstr(pc_errmsg(), "vec_u64_set") != NULL, "%s",
		  pc_errmsg());
	cr_assert_eq(vec_u64_insert(&v, 1, 1), PC_E_RANGE);
	cr_assert_eq(vec_u64_remove(&v, 0, NULL), PC_E_RANGE);
	cr_assert_eq(vec_u64_swap_remove(&v, 0, NULL), PC_E_RANGE);
	fill(&v, 3, 10);
	cr_assert_null(vec_u64_get(&v, 3));
	cr_assert_null(vec_u64_get(&v, SIZE_MAX));
	cr_assert_eq(vec_u64_set(&v, 3, 1), PC_E_RANGE);
	cr_assert_eq(vec_u64_insert(&v, 4, 1), PC_E_RANGE);
	cr_assert_eq(vec_u64_remove(&v, 3, NULL), PC_E_RANGE);
	cr_assert_eq(vec_u64_insert(&v, 3, 13), PC_OK, "insert at len");
	expect_seq(&v, 4, 10);
}

Test(vec, empty_extend_and_pop_on_empty)
{
	vec_u64 v;
	cr_assert_eq(vec_u64_root(pool, "x", PC_CREATE, &v), PC_OK);
	cr_assert_eq(vec_u64_extend(&v, NULL, 0), PC_OK);
	cr_assert_eq(vec_u64_len(&v), 0);
	cr_assert_eq(vec_u64_cap(&v), 0, "no array for nothing");
	cr_assert_eq(vec_u64_extend(&v, NULL, 3), PC_E_INVAL);
	uint64_t out = 42;
	cr_assert(!vec_u64_pop(&v, &out));
	cr_assert_eq(out, 42);
	cr_assert(!vec_u64_pop(&v, NULL));
	cr_assert(vec_u64_is_empty(&v));
	cr_assert_null(vec_u64_first(&v));
	cr_assert_null(vec_u64_last(&v));
	vec_u64_slice s = vec_u64_as_slice(&v);
	cr_assert_null(s.ptr);
	cr_assert_eq(s.len, 0);
	int iterations = 0;
	PVEC_FOREACH(vec_u64, &v, it) {
		(void)it;
		iterations++;
	}
	cr_assert_eq(iterations, 0);
	cr_assert_eq(vec_u64_truncate(&v, 10), PC_OK);
	cr_assert_eq(vec_u64_clear(&v), PC_OK);
	cr_assert_eq(vec_u64_sort(&v, cmp_u64), PC_OK);
	cr_assert_eq(vec_u64_sort(&v, NULL), PC_E_INVAL);
	uint64_t three[3] = {1, 2, 3};
	cr_assert_eq(vec_u64_extend(&v, three, 3), PC_OK);
	cr_assert(vec_u64_pop(&v, &out));
	cr_assert_eq(out, 3);
	cr_assert_eq(vec_u64_len(&v), 2);
}

Test(vec, iteration_first_last_slice)
{
	vec_u64 v;
	cr_assert_eq(vec_u64_root(pool, "it", PC_CREATE, &v), PC_OK);
	fill(&v, 1000, 1);
	uint64_t sum = 0, count = 0;
	PVEC_FOREACH(vec_u64, &v, p) {
		sum += *p;
		count++;
	}
	cr_assert_eq(count, 1000);
	cr_assert_eq(sum, 1000 * 1001 / 2);
	cr_assert_eq(*vec_u64_first(&v), 1);
	cr_assert_eq(*vec_u64_last(&v), 1000);
	vec_u64_slice s = vec_u64_as_slice(&v);
	cr_assert_eq(s.len, 1000);
	cr_assert_eq(s.ptr, vec_u64_get(&v, 0));
	cr_assert_eq(s.ptr + 999, vec_u64_get(&v, 999));
}

Test(vec, get_mut_needs_a_transaction)
{
	vec_u64 v;
	cr_assert_eq(vec_u64_root(pool, "m", PC_CREATE, &v), PC_OK);
	fill(&v, 4, 0);
	cr_assert_null(vec_u64_get_mut(&v, 1));
	cr_assert(strstr(pc_errmsg(), "needs a") != NULL, "%s", pc_errmsg());
	pc_err out;
	TX(pool, &out) {
		uint64_t *p = vec_u64_get_mut(&v, 1);
		cr_assert_not_null(p);
		*p = 100;
		cr_assert_null(vec_u64_get_mut(&v, 4));
	}
	cr_assert_eq(out, PC_OK);
	tu_reopen(&pool);
	cr_assert_eq(vec_u64_root(pool, "m", PC_OPEN, &v), PC_OK);
	cr_assert_eq(*vec_u64_get(&v, 1), 100);
}

/* ---- sort ----------------------------------------------------------- */

static int cmp_rec_key(const rec *a, const rec *b)
{
	return (a->key > b->key) - (a->key < b->key);
}

Test(vec, sort_is_stable)
{
	PVEC(rec) v;
	cr_assert_eq(pvec_rec_root(pool, "s", PC_CREATE, &v), PC_OK);
	uint64_t rs = 5;
	size_t n = scaled(5000);
	for (uint64_t i = 0; i < n; i++) {
		rec r = {tu_splitmix64(&rs) % 50, i, 0, 0};
		cr_assert_eq(pvec_rec_push(&v, r), PC_OK);
	}
	cr_assert_eq(pvec_rec_sort(&v, cmp_rec_key), PC_OK, "%s", pc_errmsg());
	tu_reopen(&pool);
	cr_assert_eq(pvec_rec_root(pool, "s", PC_OPEN, &v), PC_OK);
	cr_assert_eq(pvec_rec_len(&v), n);
	for (size_t i = 1; i < n; i++) {
		const rec *a = pvec_rec_get(&v, i - 1),
			  *b = pvec_rec_get(&v, i);
		cr_assert_leq(a->key, b->key, "sorted at %zu", i);
		if (a->key == b->key)
			cr_assert_lt(a->seq, b->seq, "stable at %zu", i);
	}
	/* Sorting inside an aborted transaction changes nothing. */
	rec first = *pvec_rec_get(&v, 0);
	pc_err out;
	TX(pool, &out) {
		cr_assert_eq(pvec_rec_set(&v, 0, (rec){999, 999, 0, 0}), PC_OK);
		cr_assert_eq(pvec_rec_sort(&v, cmp_rec_key), PC_OK);
		cr_assert_eq(pvec_rec_last(&v)->key, 999);
		break;
	}
	cr_assert_eq(out, PC_E_ESCAPED);
	cr_assert_eq(pvec_rec_get(&v, 0)->seq, first.seq);
	cr_assert_eq(pvec_rec_check(&v), PC_OK);
}

/* ---- embedding, freeing, checking ----------------------------------- */

Test(vec, embedded_in_a_user_struct)
{
	PC_PTR(game) g;
	cr_assert_eq(PC_ROOT(pool, "game", game, PC_CREATE, &g), PC_OK);
	game *gw = (game *)PC_RO(pool, game, g);
	PVEC(int) s;
	cr_assert_eq(pvec_int_from(pool, &gw->scores, &s), PC_E_INVAL,
		     "not initialised yet");
	pc_err out;
	TX(pool, &out) {
		cr_assert_eq(pvec_int_init_in(pool, &gw->scores), PC_OK);
		cr_assert_eq(pvec_int_from(pool, &gw->scores, &s), PC_OK);
		cr_assert_eq(pvec_int_push(&s, 7), PC_OK);
		game *w = PC_RW(pool, game, g);
		cr_assert_not_null(w);
		w->moves = 1;
	}
	cr_assert_eq(out, PC_OK, "%s", pc_errmsg());
	for (int i = 0; i < 100; i++)
		cr_assert_eq(pvec_int_push(&s, i), PC_OK);
	tu_reopen(&pool);
	cr_assert_eq(PC_ROOT(pool, "game", game, PC_OPEN, &g), PC_OK);
	gw = (game *)PC_RO(pool, game, g);
	cr_assert_eq(gw->moves, 1);
	cr_assert_eq(pvec_int_from(pool, &gw->scores, &s), PC_OK);
	cr_assert_eq(pvec_int_len(&s), 101);
	cr_assert_eq(*pvec_int_first(&s), 7);
	cr_assert_eq(*pvec_int_last(&s), 99);
	/* The header holds a PVEC(int); reading it as PVEC(double) fails. */
	PVEC(double) wrong;
	cr_assert_eq(
		pvec_double_from(pool, (pvec_double_pm *)&gw->scores, &wrong),
		PC_E_TYPE);
	/* Freeing an embedded vector leaves an empty, valid one. */
	cr_assert_eq(pvec_int_free(&s), PC_OK);
	cr_assert_not_null(s.h);
	cr_assert_eq(pvec_int_len(&s), 0);
	cr_assert_eq(pvec_int_cap(&s), 0);
	cr_assert_eq(pvec_int_check(&s), PC_OK);
	cr_assert_eq(pvec_int_push(&s, 3), PC_OK);
	uint64_t off;
	pc_typesig gs = PC_SIG_OBJ(game);
	cr_assert_eq(pc_root_lookup(pool, "game", &gs, &off), PC_OK,
		     "the user's root is untouched");
	/* A header outside the pool is refused. */
	pvec_int_pm local;
	memset(&local, 0, sizeof(local));
	cr_assert_eq(pvec_int_init_in(pool, &local), PC_E_INVAL);
	cr_assert_eq(pvec_int_from(pool, &local, &s), PC_E_INVAL);
}

Test(vec, free_unbinds_the_root_and_returns_the_space)
{
	pc_pool_stats st0, st1, st2;
	cr_assert_eq(pc_pool_stats_get(pool, &st0), PC_OK);
	vec_u64 v;
	cr_assert_eq(vec_u64_root(pool, "f", PC_CREATE, &v), PC_OK);
	size_t n = scaled(100000);
	fill(&v, n, 0);
	cr_assert_eq(pc_pool_stats_get(pool, &st1), PC_OK);
	cr_assert_geq(st1.used - st0.used, n * sizeof(uint64_t));
	cr_assert_eq(st1.nroots, st0.nroots + 1);
	cr_assert_eq(vec_u64_free(&v), PC_OK, "%s", pc_errmsg());
	cr_assert_null(v.h);
	cr_assert_eq(pc_pool_stats_get(pool, &st2), PC_OK);
	cr_assert_eq(st2.nroots, st0.nroots);
	cr_assert_lt(st2.used, st0.used + 4096, "space returned");
	cr_assert_eq(vec_u64_root(pool, "f", PC_OPEN, &v), PC_E_NOTFOUND);
	/* Free inside an aborted transaction keeps everything. */
	cr_assert_eq(vec_u64_root(pool, "g", PC_CREATE, &v), PC_OK);
	fill(&v, 10, 0);
	pc_err out;
	TX(pool, &out) {
		cr_assert_eq(vec_u64_free(&v), PC_OK);
		break;
	}
	cr_assert_eq(out, PC_E_ESCAPED);
	cr_assert_eq(vec_u64_root(pool, "g", PC_OPEN, &v), PC_OK);
	expect_seq(&v, 10, 0);
}

Test(vec, check_detects_broken_headers)
{
	vec_u64 v;
	cr_assert_eq(vec_u64_root(pool, "c", PC_CREATE, &v), PC_OK);
	fill(&v, 10, 0);
	cr_assert_eq(vec_u64_check(&v), PC_OK);
	uint64_t len = v.h->len, cap = v.h->cap, off = v.h->data_off;
	v.h->len = cap + 1;
	cr_assert_eq(vec_u64_check(&v), PC_E_CORRUPT);
	v.h->len = len;
	v.h->cap = cap * 1000;
	cr_assert_eq(vec_u64_check(&v), PC_E_CORRUPT);
	v.h->cap = cap;
	v.h->data_off = 1;
	cr_assert_eq(vec_u64_check(&v), PC_E_CORRUPT);
	v.h->data_off = off;
	v.h->oh.magic ^= 1;
	cr_assert_eq(vec_u64_check(&v), PC_E_CORRUPT);
	v.h->oh.magic ^= 1;
	v.h->oh.sig.size = 4;
	cr_assert_eq(vec_u64_check(&v), PC_E_CORRUPT);
	v.h->oh.sig.size = 8;
	cr_assert_eq(vec_u64_check(&v), PC_OK);
	/* A NULL handle is an argument error, as for every call (issue 14). */
	cr_assert_eq(vec_u64_check(NULL), PC_E_INVAL);
	/* A corrupt header is refused at open. */
	v.h->len = cap + 5;
	pc_pool_persist(pool, &v.h->len, 8);
	tu_reopen(&pool);
	cr_assert_eq(vec_u64_root(pool, "c", PC_OPEN, &v), PC_E_CORRUPT);
}

Test(vec, growth_doubles_and_keeps_data)
{
	vec_u64 v;
	cr_assert_eq(vec_u64_root(pool, "g", PC_CREATE, &v), PC_OK);
	size_t grows = 0, cap = 0;
	size_t n = scaled(100000);
	for (uint64_t i = 0; i < n; i++) {
		cr_assert_eq(vec_u64_push(&v, i), PC_OK);
		if (vec_u64_cap(&v) != cap) {
			grows++;
			cap = vec_u64_cap(&v);
			/* Doubling plus the allocator's rounding. */
			cr_assert_leq(cap, 2 * (i + 1) + (i + 1) / 16 + 64,
				      "slack bounded: cap %zu at len %llu", cap,
				      (unsigned long long)(i + 1));
		}
	}
	cr_assert_leq(grows, 20, "amortized: %zu growths", grows);
	expect_seq(&v, n, 0);
	cr_assert_eq(vec_u64_reserve(&v, 500000), PC_OK, "%s", pc_errmsg());
	cr_assert_geq(vec_u64_cap(&v), n + 500000);
	expect_seq(&v, n, 0);
}

/* ---- SIGKILL during pushes --------------------------------------------- */

/* Child: push len, len+1, ... forever, publishing the count after each
 * push returned. */
static void push_forever(const char *p, volatile uint64_t *done)
{
	pc_pool *cp = NULL;
	vec_u64 v;
	if (pc_pool_open(p, &cp) != PC_OK ||
	    vec_u64_root(cp, "k", PC_OPEN, &v) != PC_OK)
		_exit(3);
	for (;;) {
		uint64_t n = vec_u64_len(&v);
		if (vec_u64_push(&v, n) != PC_OK)
			_exit(4);
		*done = n + 1;
	}
}

Test(vec, sigkill_during_pushes_leaves_a_clean_prefix, .timeout = 120)
{
	vec_u64 v;
	cr_assert_eq(vec_u64_root(pool, "k", PC_CREATE, &v), PC_OK);
	cr_assert_eq(pc_pool_close(pool), PC_OK);
	pool = NULL;
	volatile uint64_t *done = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq((void *)done, MAP_FAILED);
	uint64_t rs = 77;
	for (int round = 0; round < 5; round++) {
		*done = 0;
		uint64_t target =
			scaled(2000) + tu_splitmix64(&rs) % scaled(5000);
		pid_t pid = tu_fork();
		if (pid == 0)
			push_forever(path, done);
		uint64_t before = 0;
		while ((before = *done) < target) {
			int st;
			cr_assert_eq(waitpid(pid, &st, WNOHANG), 0,
				     "the child died on its own");
			usleep(50);
		}
		tu_kill9(pid);
		uint64_t reported = *done;
		cr_assert_eq(pc_pool_open(path, &pool), PC_OK, "%s",
			     pc_errmsg());
		cr_assert_eq(vec_u64_root(pool, "k", PC_OPEN, &v), PC_OK);
		cr_assert_eq(vec_u64_check(&v), PC_OK, "%s", pc_errmsg());
		size_t len = vec_u64_len(&v);
		/* Every push that returned is there; at most the one that
		 * was running when the signal came is there too. */
		cr_assert_geq(len, reported, "round %d", round);
		cr_assert_leq(len, reported + 1, "round %d", round);
		for (size_t i = 0; i < len; i++)
			cr_assert_eq(*vec_u64_get(&v, i), i, "element %zu", i);
		cr_assert_eq(pc_pool_close(pool), PC_OK);
		pool = NULL;
	}
	munmap((void *)done, 4096);
	cr_assert_eq(pc_pool_open(path, &pool), PC_OK);
}

/* ---- fence counts (flush path only) ----------------------------------- */

#ifdef PCOLL_COUNT
static uint64_t fences_of_last(pc_persist_counters before)
{
	return pc_persist_counters_get().fences - before.fences;
}

Test(vec, fence_counts_as_documented)
{
	if (!pc_pool_is_pmem(pool))
		cr_skip_test("msync path: no fence counts");
	vec_u64 v;
	cr_assert_eq(vec_u64_root(pool, "fc", PC_CREATE, &v), PC_OK);
	cr_assert_eq(vec_u64_reserve(&v, 5000), PC_OK);
	pc_persist_counters c = pc_persist_counters_get();
	cr_assert_eq(vec_u64_push(&v, 1), PC_OK);
	cr_assert_eq(fences_of_last(c), 2, "push: 2 fences");
	c = pc_persist_counters_get();
	cr_assert_eq(vec_u64_set(&v, 0, 2), PC_OK);
	cr_assert_eq(fences_of_last(c), 1, "set: 1 fence");
	uint64_t arr[300] = {0};
	c = pc_persist_counters_get();
	cr_assert_eq(vec_u64_extend(&v, arr, 300), PC_OK);
	cr_assert_eq(fences_of_last(c), 2, "extend: 2 fences");
	c = pc_persist_counters_get();
	cr_assert(vec_u64_pop(&v, NULL));
	cr_assert_eq(fences_of_last(c), 1, "pop: 1 fence");
	c = pc_persist_counters_get();
	cr_assert_eq(vec_u64_truncate(&v, 1), PC_OK);
	cr_assert_eq(fences_of_last(c), 1, "truncate: 1 fence");
	/* The 3-byte set inside one word: 1 fence too. */
	vec_tri t;
	cr_assert_eq(vec_tri_root(pool, "tri", PC_CREATE, &t), PC_OK);
	for (int i = 0; i < 16; i++)
		cr_assert_eq(vec_tri_push(&t, (tri){{1, 2, 3}}), PC_OK);
	c = pc_persist_counters_get();
	cr_assert_eq(vec_tri_set(&t, 0, (tri){{4, 5, 6}}), PC_OK);
	cr_assert_eq(fences_of_last(c), 1, "3-byte set in one word");
	cr_assert_eq(vec_tri_get(&t, 0)->b[2], 6);
	cr_assert_eq(vec_tri_get(&t, 1)->b[0], 1, "neighbour intact");
	cr_assert_eq(vec_tri_set(&t, 2, (tri){{7, 8, 9}}), PC_OK,
		     "across words: own TX");
	cr_assert_eq(vec_tri_get(&t, 2)->b[1], 8);
	cr_assert_eq(vec_tri_get(&t, 3)->b[0], 1);
	/* 1000 pushes in one transaction: pcoll's own fences are zero, the
	 * commit's are libpmemobj's (not counted here). */
	c = pc_persist_counters_get();
	TX(pool) {
		for (uint64_t i = 0; i < 1000; i++)
			cr_assert_eq(vec_u64_push(&v, i), PC_OK);
	}
	cr_assert_eq(pc_tx_last(), PC_OK);
	cr_assert_eq(fences_of_last(c), 0, "pushes in a TX fence nothing");
	cr_assert_eq(vec_u64_len(&v), 1001);
}
#endif
