/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PMAP with PC_SYNC: one map shared by threads. Linearizability of
 * get/put/remove against a sequential register, the scan promise under
 * writers, check() while writers run, transactions holding their leaves
 * (no uncommitted read, wait-die instead of deadlock), the mode in the
 * type signature, and no lock surviving a SIGKILL.
 */
#define _GNU_SOURCE
#ifndef TU_MINI
#include <criterion/criterion.h>
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../common/tu_pool.h"

#define PC_K    uint64_t
#define PC_V    uint64_t
#define PC_NAME smap
#define PC_SYNC
#include <pcoll/map.h>

#define PC_K_BYTES
#define PC_V_BYTES
#define PC_NAME sbmap
#define PC_SYNC
#include <pcoll/map.h>

#define PC_K    uint64_t
#define PC_V    uint64_t
#define PC_NAME pmap_plain
#include <pcoll/map.h>

static pc_pool *pool;

/* Criterion's assertions end the test from the test's own thread only;
 * worker threads report and abort (the test then fails on the signal). */
#define TA(cond, ...)                                                   \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                   \
			fprintf(stderr, " [%s]\n", pc_errmsg());        \
			abort();                                        \
		}                                                       \
	} while (0)

static void teardown(void)
{
	tu_drop(&pool);
}

TestSuite(map_sync, .fini = teardown, .timeout = 600);

static int small(void)
{
	const char *s = getenv("PCOLL_MAP_TEST_SMALL");
	return s && *s == '1';
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------------ */
/* Linearizability                                                      */
/* ------------------------------------------------------------------ */

enum { OP_GET, OP_PUT, OP_REMOVE };
#define ABSENT UINT64_MAX

typedef struct lop {
	uint64_t t0, t1; /* call and return */
	uint8_t kind;    /* OP_* */
	uint8_t thread;
	uint32_t key;
	uint64_t arg; /* put: the value written (unique) */
	uint64_t res; /* get/remove: value seen or ABSENT; put: 1 if
			     it replaced */
} lop;

#define LIN_THREADS 4
#define LIN_KEYS    6

typedef struct lin_arg {
	smap *m;
	int id;
	uint64_t seed;
	unsigned nops;
	lop *log;
	atomic_int *go;
} lin_arg;

static void *lin_worker(void *p)
{
	lin_arg *a = (lin_arg *)p;
	uint64_t s = a->seed;
	while (!atomic_load(a->go))
		;
	for (unsigned i = 0; i < a->nops; i++) {
		lop *o = &a->log[i];
		o->thread = (uint8_t)a->id;
		o->key = (uint32_t)(tu_splitmix64(&s) % LIN_KEYS);
		o->kind = (uint8_t)(tu_splitmix64(&s) % 3);
		o->arg = ((uint64_t)a->id << 40) | i;
		o->t0 = now_ns();
		if (o->kind == OP_GET) {
			uint64_t v;
			o->res = smap_get_copy(a->m, o->key, &v) ? v : ABSENT;
		} else if (o->kind == OP_PUT) {
			int rep = 0;
			pc_err e = smap_put(a->m, o->key, o->arg, &rep);
			TA((e) == (PC_OK), "%s", pc_errmsg());
			o->res = (uint64_t)rep;
		} else {
			uint64_t old = 0;
			pc_err e = smap_remove(a->m, o->key, &old);
			TA(e == PC_OK || e == PC_E_NOTFOUND, "%s", pc_errmsg());
			o->res = e == PC_OK ? old : ABSENT;
		}
		o->t1 = now_ns();
	}
	return NULL;
}

/* One key's history: the operations of each thread, in program order. */
typedef struct lin_hist {
	const lop *ops[LIN_THREADS][8192];
	unsigned n[LIN_THREADS];
} lin_hist;

/* Visited states (per-thread positions and register value), open
 * addressing. */
typedef struct lin_memo {
	uint64_t *keys;
	size_t cap, used;
} lin_memo;

static uint64_t lin_state(const unsigned *pos, uint64_t val)
{
	uint64_t h = val * 0x9E3779B97F4A7C15ull;
	for (int t = 0; t < LIN_THREADS; t++)
		h = (h ^ pos[t]) * 0x100000001b3ull + (uint64_t)t;
	return h | 1; /* 0 marks a free cell */
}

static int lin_seen(lin_memo *m, uint64_t k)
{
	if (m->used * 2 >= m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 1 << 16;
		uint64_t *nk = (uint64_t *)calloc(ncap, sizeof(*nk));
		cr_assert_not_null(nk);
		for (size_t i = 0; i < m->cap; i++)
			if (m->keys[i])
				for (size_t j = m->keys[i] & (ncap - 1);;
				     j = (j + 1) & (ncap - 1))
					if (!nk[j]) {
						nk[j] = m->keys[i];
						break;
					}
		free(m->keys);
		m->keys = nk;
		m->cap = ncap;
	}
	for (size_t j = k & (m->cap - 1);; j = (j + 1) & (m->cap - 1)) {
		if (m->keys[j] == k)
			return 1;
		if (!m->keys[j]) {
			m->keys[j] = k;
			m->used++;
			return 0;
		}
	}
}

/* Apply o to register value *val if its result fits; 1 when it does. */
static int lin_apply(const lop *o, uint64_t *val)
{
	switch (o->kind) {
	case OP_GET:
		return o->res == *val;
	case OP_PUT:
		if (o->res != (*val != ABSENT))
			return 0;
		*val = o->arg;
		return 1;
	default:
		if (o->res != *val)
			return 0;
		*val = ABSENT;
		return 1;
	}
}

/* Depth-first search for a linearization (Wing & Gong, with memo): an
 * operation may come next when no other remaining operation returned
 * before it was called. Iterative (histories are thousands of operations
 * deep): frame d holds the register value before the d-th step and the
 * next thread to try. */
typedef struct lin_frame {
	uint64_t val;
	int next, took, entered;
} lin_frame;

static int lin_search(const lin_hist *h, unsigned *pos, uint64_t val,
		      lin_memo *memo, unsigned left)
{
	lin_frame *f = (lin_frame *)calloc(left + 1, sizeof(*f));
	cr_assert_not_null(f);
	unsigned d = 0;
	f[0].val = val;
	int found = 0;
	for (;;) {
		if (d == left) {
			found = 1;
			break;
		}
		lin_frame *cur = &f[d];
		int pushed = 0;
		if (cur->entered || !lin_seen(memo, lin_state(pos, cur->val))) {
			cur->entered = 1;
			uint64_t minend = UINT64_MAX;
			for (int t = 0; t < LIN_THREADS; t++)
				if (pos[t] < h->n[t] &&
				    h->ops[t][pos[t]]->t1 < minend)
					minend = h->ops[t][pos[t]]->t1;
			for (int t = cur->next; t < LIN_THREADS; t++) {
				if (pos[t] >= h->n[t])
					continue;
				const lop *o = h->ops[t][pos[t]];
				uint64_t v = cur->val;
				if (o->t0 > minend || !lin_apply(o, &v))
					continue;
				cur->next = t + 1;
				cur->took = t;
				pos[t]++;
				f[d + 1] = (lin_frame){v, 0, -1, 0};
				d++;
				pushed = 1;
				break;
			}
		}
		if (pushed)
			continue;
		/* No way on from here: back to the previous step. */
		if (d == 0)
			break;
		d--;
		pos[f[d].took]--;
	}
	/* pos is back where it was unless a linearization was found */
	while (found && d > 0) {
		d--;
		pos[f[d].took]--;
	}
	free(f);
	return found;
}

static void lin_run(uint64_t seed, unsigned nops)
{
	pool = tu_mkpool("sync-lin", TU_POOL_SIZE);
	smap m;
	cr_assert_eq(smap_root(pool, "lin", PC_CREATE, &m), PC_OK, "%s",
		     pc_errmsg());
	/* Background keys make the tree several leaves deep, so splits
	 * and unlinks happen around the contested keys. */
	for (uint64_t k = 100; k < 3000; k++)
		cr_assert_eq(smap_insert(&m, k, k), PC_OK);
	lop *logs[LIN_THREADS];
	lin_arg args[LIN_THREADS];
	pthread_t th[LIN_THREADS];
	atomic_int go = 0;
	for (int t = 0; t < LIN_THREADS; t++) {
		logs[t] = (lop *)calloc(nops, sizeof(lop));
		cr_assert_not_null(logs[t]);
		args[t] = (lin_arg){&m,   t,       seed * 131 + (uint64_t)t,
				    nops, logs[t], &go};
		cr_assert_eq(pthread_create(&th[t], NULL, lin_worker, &args[t]),
			     0);
	}
	atomic_store(&go, 1);
	for (int t = 0; t < LIN_THREADS; t++)
		pthread_join(th[t], NULL);
	unsigned total = 0;
	for (uint32_t k = 0; k < LIN_KEYS; k++) {
		lin_hist *h = (lin_hist *)calloc(1, sizeof(*h));
		cr_assert_not_null(h);
		unsigned left = 0;
		for (int t = 0; t < LIN_THREADS; t++)
			for (unsigned i = 0; i < nops; i++)
				if (logs[t][i].key == k) {
					cr_assert_lt(h->n[t], 8192u);
					h->ops[t][h->n[t]++] = &logs[t][i];
					left++;
				}
		unsigned pos[LIN_THREADS] = {0};
		lin_memo memo = {NULL, 0, 0};
		int ok = lin_search(h, pos, ABSENT, &memo, left);
		free(memo.keys);
		free(h);
		cr_assert(ok,
			  "seed %llu: the history of key %u (%u operations) "
			  "has no linearization",
			  (unsigned long long)seed, k, left);
		total += left;
	}
	cr_assert_eq(total, LIN_THREADS * nops);
	cr_assert_eq(smap_check(&m), PC_OK, "%s", pc_errmsg());
	for (int t = 0; t < LIN_THREADS; t++)
		free(logs[t]);
}

Test(map_sync, linearizable_register_histories)
{
	unsigned nops = small() ? 1000 : 20000;
	for (uint64_t seed = 1; seed <= 4; seed++) {
		lin_run(seed, nops);
		tu_drop(&pool);
	}
}

/* The checker itself must be able to fail: a history with a stale read
 * after a completed put is rejected. */
Test(map_sync, linearizability_checker_rejects_a_stale_read)
{
	lin_hist *h = (lin_hist *)calloc(1, sizeof(*h));
	lop put = {10, 20, OP_PUT, 0, 0, 7, 0};
	lop get = {30, 40, OP_GET, 1, 0, 0, ABSENT}; /* after the put: stale */
	h->ops[0][h->n[0]++] = &put;
	h->ops[1][h->n[1]++] = &get;
	unsigned pos[LIN_THREADS] = {0};
	lin_memo memo = {NULL, 0, 0};
	cr_assert_not(lin_search(h, pos, ABSENT, &memo, 2));
	/* Overlapping, the same read is fine. */
	get.t0 = 15;
	free(memo.keys);
	memo = (lin_memo){NULL, 0, 0};
	cr_assert(lin_search(h, pos, ABSENT, &memo, 2));
	free(memo.keys);
	free(h);
}

/* ------------------------------------------------------------------ */
/* Scans and check() while writers run                                  */
/* ------------------------------------------------------------------ */

/* Stable keys (multiples of 4) are never touched; writers insert and
 * remove the others. Values are key * 3 + 1. */
typedef struct stress_arg {
	unsigned id;
	smap *m;
	sbmap *b;
	uint64_t seed;
	unsigned nops;
	atomic_int *stop;
	unsigned long scans, checks;
} stress_arg;

#define STRESS_RANGE 8016
#define STRESS_W     3

static void bkey(char *buf, size_t n, uint64_t k)
{
	(void)snprintf(buf, n, "key-%020llu", (unsigned long long)k);
}

static int bval(char *buf, size_t n, uint64_t k)
{
	return snprintf(buf, n, "value of %llu: %080llu", (unsigned long long)k,
			(unsigned long long)k * 3);
}

static void *stress_writer(void *p)
{
	stress_arg *a = (stress_arg *)p;
	uint64_t s = a->seed;
	char kb[64], vb[160];
	for (unsigned i = 0; i < a->nops; i++) {
		/* Each writer owns its keys (the two maps then agree at
		 * the end); none is a stable key. */
		uint64_t k = tu_splitmix64(&s) % (STRESS_RANGE / 4 / STRESS_W);
		k = (k * STRESS_W + a->id) * 4 + 1 + tu_splitmix64(&s) % 3;
		bkey(kb, sizeof(kb), k);
		if (tu_splitmix64(&s) & 1) {
			TA(smap_put(a->m, k, k * 3 + 1, NULL) == PC_OK, "put");
			int n = bval(vb, sizeof(vb), k);
			TA(sbmap_put(a->b, pc_slice_cstr(kb),
				     pc_slice_make(vb, (size_t)n),
				     NULL) == PC_OK,
			   "bytes put");
		} else {
			pc_err e = smap_remove(a->m, k, NULL);
			TA(e == PC_OK || e == PC_E_NOTFOUND, "remove");
			e = sbmap_remove(a->b, pc_slice_cstr(kb), NULL);
			TA(e == PC_OK || e == PC_E_NOTFOUND, "bytes remove");
		}
	}
	return NULL;
}

static void *stress_scanner(void *p)
{
	stress_arg *a = (stress_arg *)p;
	char vb[160];
	while (!atomic_load(a->stop)) {
		uint64_t prev = 0, stable = 0;
		int first = 1;
		smap_iter it;
		for (bool ok = smap_first(a->m, &it); ok; ok = smap_next(&it)) {
			TA(first || *it.key > prev,
			   "scan order: %llu after %llu",
			   (unsigned long long)*it.key,
			   (unsigned long long)prev);
			TA(*it.val == *it.key * 3 + 1, "torn value");
			if (*it.key % 4 == 0) {
				TA(*it.key == stable * 4,
				   "stable key %llu missing",
				   (unsigned long long)stable * 4);
				stable++;
			}
			prev = *it.key;
			first = 0;
		}
		TA(stable == STRESS_RANGE / 4,
		   "a scan saw %llu of the stable keys",
		   (unsigned long long)stable);
		/* Backwards over the fixed entries (served from leaf
		 * copies in both directions). */
		stable = 0;
		first = 1;
		for (bool ok = smap_last(a->m, &it); ok; ok = smap_prev(&it)) {
			TA(first || *it.key < prev,
			   "backward scan order: %llu after %llu",
			   (unsigned long long)*it.key,
			   (unsigned long long)prev);
			TA(*it.val == *it.key * 3 + 1, "torn value (backward)");
			stable += *it.key % 4 == 0;
			prev = *it.key;
			first = 0;
		}
		TA(stable == STRESS_RANGE / 4,
		   "a backward scan saw %llu of the stable keys",
		   (unsigned long long)stable);
		/* Backwards over the byte strings. */
		sbmap_iter bi;
		char last[64] = "~";
		stable = 0;
		for (bool ok = sbmap_last(a->b, &bi); ok;
		     ok = sbmap_prev(&bi)) {
			TA(pc_slice_cmp(bi.key, pc_slice_cstr(last)) < 0,
			   "backward scan order");
			TA(bi.key.len < sizeof(last), "key length");
			memcpy(last, bi.key.ptr, bi.key.len);
			last[bi.key.len] = 0;
			uint64_t k = strtoull(last + 4, NULL, 10);
			int n = bval(vb, sizeof(vb), k);
			TA(pc_slice_eq(bi.val, pc_slice_make(vb, (size_t)n)),
			   "torn byte-string value of %s", last);
			if (k % 4 == 0)
				stable++;
		}
		TA(stable == STRESS_RANGE / 4,
		   "a backward scan saw %llu of the stable keys",
		   (unsigned long long)stable);
		/* The counts include every stable key in the range. */
		TA(smap_count_between(a->m, 999, 2001) >= 250u, "count");
		a->scans++;
		if (a->scans % 4 == 0) {
			TA(smap_check(a->m) == PC_OK, "check");
			TA(sbmap_check(a->b) == PC_OK, "bytes check");
			a->checks++;
		}
	}
	return NULL;
}

Test(map_sync, scans_and_checks_while_writers_run)
{
	pool = tu_mkpool("sync-stress", 256u << 20);
	smap m;
	sbmap b;
	cr_assert_eq(smap_root(pool, "m", PC_CREATE, &m), PC_OK);
	cr_assert_eq(sbmap_root(pool, "b", PC_CREATE, &b), PC_OK);
	char kb[64], vb[160];
	for (uint64_t k = 0; k < STRESS_RANGE; k += 4) {
		cr_assert_eq(smap_insert(&m, k, k * 3 + 1), PC_OK);
		bkey(kb, sizeof(kb), k);
		int n = bval(vb, sizeof(vb), k);
		cr_assert_eq(sbmap_insert(&b, pc_slice_cstr(kb),
					  pc_slice_make(vb, (size_t)n)),
			     PC_OK);
	}
	atomic_int stop = 0;
	enum { W = STRESS_W };
	stress_arg wa[W], sa = {0, &m, &b, 0, 0, &stop, 0, 0};
	pthread_t wt[W], st;
	cr_assert_eq(pthread_create(&st, NULL, stress_scanner, &sa), 0);
	for (int i = 0; i < W; i++) {
		wa[i] = (stress_arg){(unsigned)i,
				     &m,
				     &b,
				     (uint64_t)i + 7,
				     small() ? 5000u : 40000u,
				     &stop,
				     0,
				     0};
		cr_assert_eq(
			pthread_create(&wt[i], NULL, stress_writer, &wa[i]), 0);
	}
	for (int i = 0; i < W; i++)
		pthread_join(wt[i], NULL);
	atomic_store(&stop, 1);
	pthread_join(st, NULL);
	cr_assert_gt(sa.scans, 0ul);
	cr_assert_eq(smap_check(&m), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(sbmap_check(&b), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(smap_len(&m), sbmap_len(&b));
	cr_log_info("scans %lu, checks %lu", sa.scans, sa.checks);
}

/* ------------------------------------------------------------------ */
/* Transactions                                                         */
/* ------------------------------------------------------------------ */

typedef struct tx_arg {
	smap *m;
	atomic_int step;
	uint64_t seen;
	int found;
	uint64_t waited_ns;
} tx_arg;

static void *tx_reader(void *p)
{
	tx_arg *a = (tx_arg *)p;
	while (atomic_load(&a->step) < 1)
		;
	atomic_store(&a->step, 2); /* about to read */
	uint64_t t0 = now_ns();
	uint64_t v = 0;
	a->found = smap_get_copy(a->m, 5, &v);
	a->seen = v;
	a->waited_ns = now_ns() - t0;
	atomic_store(&a->step, 3);
	return NULL;
}

/* A reader never sees a transaction's uncommitted value: it waits for
 * the leaf and then reads what the transaction left (aborted here, so
 * the old value; committed, the new one). */
static void tx_visibility(int commit)
{
	pool = tu_mkpool("sync-txvis", TU_POOL_SIZE);
	smap m;
	cr_assert_eq(smap_root(pool, "m", PC_CREATE, &m), PC_OK);
	cr_assert_eq(smap_insert(&m, 5, 50), PC_OK);
	tx_arg a = {&m, 0, 0, 0, 0};
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, tx_reader, &a), 0);
	pc_err err;
	TX(pool, &err) {
		cr_assert_eq(smap_put(&m, 5, 51, NULL), PC_OK);
		atomic_store(&a.step, 1);
		while (atomic_load(&a.step) < 2)
			;
		struct timespec d = {0, 200 * 1000 * 1000};
		nanosleep(&d, NULL);
		cr_assert_eq(atomic_load(&a.step), 2,
			     "the reader did not wait for the transaction");
		if (!commit)
			pc_tx_abort(PC_E_ABORTED);
	}
	pthread_join(th, NULL);
	cr_assert_eq(err, commit ? PC_OK : PC_E_ABORTED);
	cr_assert(a.found);
	cr_assert_eq(a.seen, commit ? 51u : 50u);
	cr_assert_geq(a.waited_ns, 50u * 1000 * 1000);
	cr_assert_eq(*smap_get(&m, 5), commit ? 51u : 50u);
}

Test(map_sync, reader_waits_for_an_aborted_transaction)
{
	tx_visibility(0);
}

Test(map_sync, reader_waits_for_a_committed_transaction)
{
	tx_visibility(1);
}

typedef struct dl_arg {
	pc_pool *pool;
	smap *m;
	uint64_t first, second;
	pthread_barrier_t *bar;
	pc_err outcome;
	int tries;
} dl_arg;

/* Two transactions lock two leaves in opposite orders. */
static void *dl_worker(void *p)
{
	dl_arg *a = (dl_arg *)p;
	pc_err err;
	TX(a->pool, &err) {
		TA(smap_put(a->m, a->first, 1, NULL) == PC_OK, "first put");
		pthread_barrier_wait(a->bar);
		pc_err e = smap_put(a->m, a->second, 2, NULL);
		if (e != PC_OK) {
			TA(e == PC_E_BUSY, "second put");
			break;
		}
	}
	a->outcome = err;
	return NULL;
}

Test(map_sync, crossing_transactions_end_with_one_busy_never_a_hang)
{
	pool = tu_mkpool("sync-dl", TU_POOL_SIZE);
	smap m;
	cr_assert_eq(smap_root(pool, "m", PC_CREATE, &m), PC_OK);
	/* Keys far apart land in different leaves. */
	for (uint64_t k = 0; k < 4000; k++)
		cr_assert_eq(smap_insert(&m, k, 0), PC_OK);
	for (int round = 0; round < 20; round++) {
		pthread_barrier_t bar;
		pthread_barrier_init(&bar, NULL, 2);
		dl_arg a = {pool, &m, 10, 3900, &bar, 0, 0};
		dl_arg b = {pool, &m, 3900, 10, &bar, 0, 0};
		pthread_t ta, tb;
		cr_assert_eq(pthread_create(&ta, NULL, dl_worker, &a), 0);
		cr_assert_eq(pthread_create(&tb, NULL, dl_worker, &b), 0);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&bar);
		int busy = (a.outcome == PC_E_BUSY) + (b.outcome == PC_E_BUSY);
		int ok = (a.outcome == PC_OK) + (b.outcome == PC_OK);
		cr_assert(busy == 1 && ok == 1, "round %d: outcomes %s and %s",
			  round, pc_strerror(a.outcome),
			  pc_strerror(b.outcome));
	}
	cr_assert_eq(smap_check(&m), PC_OK, "%s", pc_errmsg());
}

/* The documented retry loop: transfers between counters under
 * contention, every transaction retried until it commits; the sum is
 * conserved. */
typedef struct xfer_arg {
	pc_pool *pool;
	smap *m;
	uint64_t seed;
	unsigned n;
	unsigned busy;
} xfer_arg;

static void *xfer_worker(void *p)
{
	xfer_arg *a = (xfer_arg *)p;
	uint64_t s = a->seed;
	for (unsigned i = 0; i < a->n; i++) {
		uint64_t from = tu_splitmix64(&s) % 4 * 2000;
		uint64_t to = tu_splitmix64(&s) % 4 * 2000;
		pc_err err;
		do {
			TX(a->pool, &err) {
				uint64_t *f = smap_get_mut(a->m, from);
				if (!f)
					break;
				*f -= 1;
				uint64_t *t = smap_get_mut(a->m, to);
				if (!t)
					break;
				*t += 1;
			}
			if (err == PC_E_BUSY)
				a->busy++;
		} while (err == PC_E_BUSY);
		TA((err) == (PC_OK), "%s", pc_errmsg());
	}
	return NULL;
}

Test(map_sync, retried_transactions_conserve_a_sum)
{
	pool = tu_mkpool("sync-xfer", TU_POOL_SIZE);
	smap m;
	cr_assert_eq(smap_root(pool, "m", PC_CREATE, &m), PC_OK);
	for (uint64_t k = 0; k < 8000; k++)
		cr_assert_eq(smap_insert(&m, k, 1000000), PC_OK);
	enum { T = 4 };
	xfer_arg a[T];
	pthread_t th[T];
	for (int i = 0; i < T; i++) {
		a[i] = (xfer_arg){pool, &m, (uint64_t)i * 17 + 3,
				  small() ? 300u : 2000u, 0};
		cr_assert_eq(pthread_create(&th[i], NULL, xfer_worker, &a[i]),
			     0);
	}
	unsigned busy = 0;
	for (int i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		busy += a[i].busy;
	}
	uint64_t sum = 0;
	for (uint64_t k = 0; k < 4; k++)
		sum += *smap_get(&m, k * 2000);
	cr_assert_eq(sum, 4u * 1000000);
	cr_assert_eq(smap_check(&m), PC_OK, "%s", pc_errmsg());
	cr_log_info("transfers retried after PC_E_BUSY: %u", busy);
}

Test(map_sync, libpmemobj_transactions_are_refused)
{
	pool = tu_mkpool("sync-rawtx", TU_POOL_SIZE);
	smap m;
	cr_assert_eq(smap_root(pool, "m", PC_CREATE, &m), PC_OK);
	cr_assert_eq(pmemobj_tx_begin(pool->pop, NULL, TX_PARAM_NONE), 0);
	pc_err e = smap_insert(&m, 1, 1);
	pmemobj_tx_abort(ECANCELED);
	(void)pmemobj_tx_end();
	cr_assert_eq(e, PC_E_INVAL);
	cr_assert(strstr(pc_errmsg(), "TX()") != NULL, "%s", pc_errmsg());
	cr_assert_eq(smap_insert(&m, 1, 1), PC_OK);
}

/* ------------------------------------------------------------------ */
/* Mode, restarts                                                       */
/* ------------------------------------------------------------------ */

Test(map_sync, mode_is_part_of_the_type)
{
	pool = tu_mkpool("sync-mode", TU_POOL_SIZE);
	smap s;
	pmap_plain p;
	cr_assert_eq(smap_root(pool, "s", PC_CREATE, &s), PC_OK);
	cr_assert_eq(pmap_plain_root(pool, "p", PC_CREATE, &p), PC_OK);
	cr_assert_eq(pmap_plain_root(pool, "s", PC_OPEN, &p), PC_E_TYPE);
	cr_assert(strstr(pc_errmsg(), "pmap_sync<uint64_t,uint64_t>"), "%s",
		  pc_errmsg());
	cr_assert_eq(smap_root(pool, "p", PC_OPEN, &s), PC_E_TYPE);
	cr_assert_eq(smap_root(pool, "s", PC_OPEN, &s), PC_OK);
}

/* A child killed while its transaction holds leaves (and while single
 * operations run) leaves nothing locked: the reopened map takes every
 * operation at once. */
Test(map_sync, no_lock_survives_sigkill)
{
	pool = tu_mkpool("sync-kill", TU_POOL_SIZE);
	smap m;
	cr_assert_eq(smap_root(pool, "m", PC_CREATE, &m), PC_OK);
	for (uint64_t k = 0; k < 2000; k++)
		cr_assert_eq(smap_insert(&m, k, k), PC_OK);
	char path[PC_PATH_MAX];
	(void)snprintf(path, sizeof(path), "%s", pool->path);
	cr_assert_eq(pc_pool_close(pool), PC_OK);
	pool = NULL;
	int fd[2];
	cr_assert_eq(pipe(fd), 0);
	pid_t pid = tu_fork();
	if (pid == 0) {
		pc_pool *cp;
		smap cm;
		if (pc_pool_open(path, &cp) || smap_root(cp, "m", PC_OPEN, &cm))
			_exit(2);
		TX(cp) {
			for (uint64_t k = 0; k < 2000; k += 50)
				if (smap_put(&cm, k, k + 1, NULL))
					_exit(3);
			char c = 'x';
			if (write(fd[1], &c, 1) != 1)
				_exit(4);
			for (;;)
				pause();
		}
		_exit(0);
	}
	char c;
	cr_assert_eq(read(fd[0], &c, 1), 1);
	tu_kill9(pid);
	close(fd[0]);
	close(fd[1]);
	cr_assert_eq(pc_pool_open(path, &pool), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(smap_root(pool, "m", PC_OPEN, &m), PC_OK);
	for (uint64_t k = 0; k < 2000; k += 50) {
		uint64_t v = 0;
		cr_assert(smap_get_copy(&m, k, &v));
		cr_assert_eq(v, k, "the killed transaction's put is visible");
		cr_assert_eq(smap_put(&m, k, 7, NULL), PC_OK);
	}
	cr_assert_eq(smap_check(&m), PC_OK, "%s", pc_errmsg());
}

/* ------------------------------------------------------------------ */
/* kill -9 soak: four writer threads                                    */
/* ------------------------------------------------------------------ */

#define SOAK_T    4
#define SOAK_KEYS 64 /* keys per thread */

/* Operation i of thread t: a put of value i, or (every fifth) a remove,
 * of the thread's key t + SOAK_T * (i * 7 % SOAK_KEYS). */
static uint64_t soak_key(unsigned t, uint64_t i)
{
	return t + SOAK_T * (i * 7 % SOAK_KEYS);
}

static int soak_is_remove(uint64_t i)
{
	return i % 5 == 4;
}

typedef struct soak_shared {
	_Atomic uint64_t acked[SOAK_T]; /* operations that returned */
} soak_shared;

typedef struct soak_thr {
	smap *m;
	soak_shared *sh;
	unsigned t;
} soak_thr;

static void *soak_writer(void *p)
{
	soak_thr *a = (soak_thr *)p;
	for (uint64_t i = atomic_load(&a->sh->acked[a->t]);; i++) {
		uint64_t k = soak_key(a->t, i);
		pc_err e = soak_is_remove(i) ? smap_remove(a->m, k, NULL)
					     : smap_put(a->m, k, i, NULL);
		if (e != PC_OK && e != PC_E_NOTFOUND)
			_exit(3);
		atomic_store(&a->sh->acked[a->t], i + 1);
	}
	return NULL;
}

/* The value key k of thread t holds after its first n operations
 * (ABSENT when none put it, or it was removed last). */
static uint64_t soak_expect(unsigned t, uint64_t k, uint64_t n)
{
	uint64_t v = ABSENT;
	for (uint64_t i = 0; i < n; i++)
		if (soak_key(t, i) == k)
			v = soak_is_remove(i) ? ABSENT : i;
	return v;
}

Test(map_sync, kill9_soak_with_four_writer_threads)
{
	pool = tu_mkpool("sync-soak", TU_POOL_SIZE);
	smap m;
	cr_assert_eq(smap_root(pool, "m", PC_CREATE, &m), PC_OK);
	for (uint64_t k = 1000; k < 5000; k++) /* a tree with inner nodes */
		cr_assert_eq(smap_insert(&m, k, k), PC_OK);
	char path[PC_PATH_MAX];
	(void)snprintf(path, sizeof(path), "%s", pool->path);
	cr_assert_eq(pc_pool_close(pool), PC_OK);
	pool = NULL;
	soak_shared *sh =
		(soak_shared *)mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq((void *)sh, MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	uint64_t s = 4242;
	int rounds = small() ? 4 : 12;
	for (int r = 0; r < rounds; r++) {
		uint64_t before = 0;
		for (unsigned t = 0; t < SOAK_T; t++)
			before += atomic_load(&sh->acked[t]);
		pid_t pid = tu_fork();
		if (pid == 0) {
			pc_pool *cp;
			smap cm;
			if (pc_pool_open(path, &cp) ||
			    smap_root(cp, "m", PC_OPEN, &cm))
				_exit(2);
			soak_thr th[SOAK_T];
			pthread_t id[SOAK_T];
			for (unsigned t = 0; t < SOAK_T; t++) {
				th[t] = (soak_thr){&cm, sh, t};
				if (pthread_create(&id[t], NULL, soak_writer,
						   &th[t]))
					_exit(4);
			}
			for (;;)
				pause();
		}
		/* Kill after some progress, at a random moment. */
		for (;;) {
			uint64_t now = 0;
			for (unsigned t = 0; t < SOAK_T; t++)
				now += atomic_load(&sh->acked[t]);
			if (now >= before + 40)
				break;
			usleep(200);
		}
		usleep((useconds_t)(tu_splitmix64(&s) % 20000));
		tu_kill9(pid);
		cr_assert_eq(pc_pool_open(path, &pool), PC_OK, "%s",
			     pc_errmsg());
		cr_assert_eq(smap_root(pool, "m", PC_OPEN, &m), PC_OK);
		cr_assert_eq(smap_check(&m), PC_OK, "round %d: %s", r,
			     pc_errmsg());
		for (unsigned t = 0; t < SOAK_T; t++) {
			uint64_t n = atomic_load(&sh->acked[t]);
			for (uint64_t j = 0; j < SOAK_KEYS; j++) {
				uint64_t k = t + SOAK_T * j;
				uint64_t v = ABSENT,
					 want = soak_expect(t, k, n);
				/* the operation running at the kill may or may
				 * not have happened */
				uint64_t alt = soak_expect(t, k, n + 1);
				(void)smap_get_copy(&m, k, &v);
				cr_assert(v == want || v == alt,
					  "round %d thread %u key %llu: %llu, "
					  "acked %llu ops (want %llu)",
					  r, t, (unsigned long long)k,
					  (unsigned long long)v,
					  (unsigned long long)n,
					  (unsigned long long)want);
			}
		}
		for (uint64_t k = 1000; k < 5000; k += 97)
			cr_assert(smap_contains(&m, k));
		cr_assert_eq(pc_pool_close(pool), PC_OK);
		pool = NULL;
	}
	uint64_t total = 0;
	for (unsigned t = 0; t < SOAK_T; t++)
		total += atomic_load(&sh->acked[t]);
	cr_log_info("soak: %d kills, %llu acknowledged operations", rounds,
		    (unsigned long long)total);
	munmap(sh, sizeof(*sh));
	cr_assert_eq(pc_pool_open(path, &pool), PC_OK);
}

/* Single-threaded parity with the plain map: the same random operations
 * give the same contents (sync code on its own, byte strings included). */
Test(map_sync, same_results_as_the_plain_map)
{
	pool = tu_mkpool("sync-parity", 128u << 20);
	sbmap b;
	smap s;
	pmap_plain p;
	cr_assert_eq(sbmap_root(pool, "b", PC_CREATE, &b), PC_OK);
	cr_assert_eq(smap_root(pool, "s", PC_CREATE, &s), PC_OK);
	cr_assert_eq(pmap_plain_root(pool, "p", PC_CREATE, &p), PC_OK);
	uint64_t seed = 99;
	char kb[64], vb[160];
	unsigned n = small() ? 5000 : 40000;
	for (unsigned i = 0; i < n; i++) {
		uint64_t k = tu_splitmix64(&seed) % 3000;
		int op = (int)(tu_splitmix64(&seed) % 4);
		bkey(kb, sizeof(kb), k);
		if (op < 2) {
			cr_assert_eq(smap_put(&s, k, i, NULL), PC_OK);
			cr_assert_eq(pmap_plain_put(&p, k, i, NULL), PC_OK);
			int len = bval(vb, sizeof(vb), i);
			cr_assert_eq(sbmap_put(&b, pc_slice_cstr(kb),
					       pc_slice_make(vb, (size_t)len),
					       NULL),
				     PC_OK);
		} else if (op == 2) {
			uint64_t o1 = 0, o2 = 0;
			pc_err e1 = smap_remove(&s, k, &o1);
			pc_err e2 = pmap_plain_remove(&p, k, &o2);
			cr_assert_eq(e1, e2);
			cr_assert_eq(o1, o2);
			pc_err e3 = sbmap_remove(&b, pc_slice_cstr(kb), NULL);
			cr_assert_eq(e3, e1);
		} else {
			const uint64_t *v1 = smap_get(&s, k);
			const uint64_t *v2 = pmap_plain_get(&p, k);
			cr_assert_eq(v1 == NULL, v2 == NULL);
			if (v1)
				cr_assert_eq(*v1, *v2);
			cr_assert_eq(smap_count_below(&s, k),
				     pmap_plain_count_below(&p, k));
		}
		if (i % 5000 == 0) {
			tu_reopen(&pool);
			cr_assert_eq(smap_root(pool, "s", PC_OPEN, &s), PC_OK);
			cr_assert_eq(pmap_plain_root(pool, "p", PC_OPEN, &p),
				     PC_OK);
			cr_assert_eq(sbmap_root(pool, "b", PC_OPEN, &b), PC_OK);
		}
	}
	cr_assert_eq(smap_len(&s), pmap_plain_len(&p));
	cr_assert_eq(sbmap_len(&b), pmap_plain_len(&p));
	smap_iter a;
	pmap_plain_iter c;
	bool oa = smap_last(&s, &a), oc = pmap_plain_last(&p, &c);
	for (; oa && oc; oa = smap_prev(&a), oc = pmap_plain_prev(&c)) {
		cr_assert_eq(*a.key, *c.key);
		cr_assert_eq(*a.val, *c.val);
	}
	cr_assert_eq(oa, oc);
	/* Early stop of a byte-string iterator releases its copies. */
	sbmap_iter bi;
	cr_assert(sbmap_first(&b, &bi));
	cr_assert(sbmap_next(&bi));
	sbmap_iter_end(&bi);
	cr_assert_eq(smap_check(&s), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(sbmap_check(&b), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(sbmap_clear(&b), PC_OK);
	cr_assert(sbmap_is_empty(&b));
	cr_assert_eq(smap_free(&s), PC_OK);
}

#ifdef TU_MINI
TU_MINI_MAIN
#endif
