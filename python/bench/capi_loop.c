/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The C side of python/bench.py's overhead measurement: the map workload
 * of the benchmark (durable puts, gets, 100-key range scans of 16-byte
 * keys and 100-byte values) through the same C layer the extension uses,
 * in a C loop. python/bench.py runs the same calls from Python; the
 * difference per operation is what the Python layer costs.
 *
 * What a C caller keeps of a lookup is a copy (the slices point into the
 * pool), so gets and scans copy each key and value into a buffer, as the
 * extension copies them into bytes objects.
 *
 *   pcoll-py-capi-loop POOL N SCANS [ROUNDS]
 *
 * prints one JSON line of ns per operation: the first pass (N inserts, N
 * gets, SCANS scans), and with ROUNDS the fastest of ROUNDS further passes
 * of the same calls (puts then replace values of the same size).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layer.h"

/* The key of the i-th operation: the decimal of (i * 7919) mod n, 16
 * digits, as python/bench.py makes them (7919 is prime: a permutation
 * for every n it does not divide). */
static void key_of(size_t i, size_t n, char out[24])
{
	(void)snprintf(out, 24, "%016zu", (i * 7919u) % n);
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct work {
	pyc_map m;
	char (*keys)[24];
	size_t n, scans;
	char val[100];
	char copy[256];
	size_t sink, visited;
};

/* n puts (inserts the first time, replacements after); ns per put. */
static double run_put(struct work *w, pc_err *e)
{
	double t = now_ns();
	for (size_t i = 0; i < w->n && *e == PC_OK; i++)
		*e = pyc_map_put(&w->m, pc_slice_make(w->keys[i], 16),
				 pc_slice_make(w->val, sizeof(w->val)), NULL);
	return (now_ns() - t) / (double)w->n;
}

/* n gets, each value copied out; ns per get. */
static double run_get(struct work *w, pc_err *e)
{
	double t = now_ns();
	for (size_t i = 0; i < w->n && *e == PC_OK; i++) {
		pc_slice v = pyc_map_get(&w->m, pc_slice_make(w->keys[i], 16));
		if (!v.ptr) {
			*e = PC_E_NOTFOUND; /* the map lost a key */
			break;
		}
		memcpy(w->copy, v.ptr, v.len);
		w->sink += (unsigned char)w->copy[0];
	}
	return (now_ns() - t) / (double)w->n;
}

/* scans of up to 100 keys from the i-th key, each pair copied out; ns per
 * scan. */
static double run_scan(struct work *w)
{
	double t = now_ns();
	w->visited = 0;
	for (size_t s = 0; s < w->scans; s++) {
		pyc_map_iter it;
		size_t got = 0;
		for (bool ok = pyc_map_range(
			     &w->m, pc_slice_make(w->keys[s % w->n], 16),
			     PC_INCLUDED, pc_slice_make(NULL, 0), PC_UNBOUNDED,
			     &it);
		     ok && got < 100; ok = pyc_map_next(&it), got++) {
			memcpy(w->copy, it.key.ptr, it.key.len);
			memcpy(w->copy + 16, it.val.ptr, it.val.len);
			w->sink += (unsigned char)w->copy[16];
		}
		w->visited += got;
	}
	return w->scans ? (now_ns() - t) / (double)w->scans : 0.0;
}

static double min2(double a, double b)
{
	return a < b ? a : b;
}

int main(int argc, char **argv)
{
	if (argc != 4 && argc != 5) {
		fprintf(stderr,
			"usage: pcoll-py-capi-loop POOL N SCANS [ROUNDS]\n");
		return 2;
	}
	struct work *w = (struct work *)calloc(1, sizeof(*w));
	if (!w)
		return 1;
	w->n = strtoul(argv[2], NULL, 10);
	w->scans = strtoul(argv[3], NULL, 10);
	size_t rounds = argc == 5 ? strtoul(argv[4], NULL, 10) : 0;
	if (w->n == 0 || w->n % 7919 == 0 || w->n > 1000000000) {
		fprintf(stderr, "pcoll-py-capi-loop: N must be 1 to 10^9 and "
				"not a multiple of 7919\n");
		free(w);
		return 2;
	}
	/* The keys are made before the clock starts, as python/bench.py
	 * makes its list of keys first. */
	w->keys = (char(*)[24])malloc(w->n * sizeof(*w->keys));
	pc_pool *pool = NULL;
	int status = 1;
	pc_err e = w->keys ? pc_pool_create(argv[1], (size_t)512 << 20, &pool)
			   : PC_E_NOMEM;
	if (e == PC_OK)
		e = pyc_map_root(pool, "kv", PC_CREATE, &w->m);
	if (e != PC_OK)
		goto out;
	for (size_t i = 0; i < w->n; i++)
		key_of(i, w->n, w->keys[i]);
	memset(w->val, 'v', sizeof(w->val));

	/* The first pass (inserts), then rounds of the same calls whose
	 * fastest is the overhead measurement's reference. */
	double put = run_put(w, &e);
	double get = e == PC_OK ? run_get(w, &e) : 0;
	double scan = e == PC_OK ? run_scan(w) : 0;
	double rput = 1e300, rget = 1e300, rscan = 1e300;
	for (size_t r = 0; r < rounds && e == PC_OK; r++) {
		rput = min2(rput, run_put(w, &e));
		rget = min2(rget, run_get(w, &e));
		rscan = min2(rscan, run_scan(w));
	}
	if (e != PC_OK)
		goto out;
	printf("{\"put_ns\": %.1f, \"get_ns\": %.1f, \"scan_ns\": %.1f", put,
	       get, scan);
	if (rounds)
		printf(", \"min_put_ns\": %.1f, \"min_get_ns\": %.1f, "
		       "\"min_scan_ns\": %.1f",
		       rput, rget, rscan);
	printf(", \"visited\": %zu, \"sink\": %zu}\n", w->visited, w->sink);
	status = 0;
out:
	if (status)
		fprintf(stderr, "pcoll-py-capi-loop: %s\n",
			*pc_errmsg() ? pc_errmsg() : pc_strerror(e));
	pc_pool_close(pool);
	free(w->keys);
	free(w);
	return status;
}
