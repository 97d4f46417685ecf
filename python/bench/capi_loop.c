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
 *   pcoll-py-capi-loop POOL N SCANS    prints one JSON line of ns per op
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

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: pcoll-py-capi-loop POOL N SCANS\n");
		return 2;
	}
	const char *path = argv[1];
	size_t n = strtoul(argv[2], NULL, 10);
	size_t scans = strtoul(argv[3], NULL, 10);
	if (n == 0 || n % 7919 == 0 || n > 1000000000) {
		fprintf(stderr, "pcoll-py-capi-loop: N must be 1 to 10^9 and "
				"not a multiple of 7919\n");
		return 2;
	}
	pc_pool *pool;
	pc_err e = pc_pool_create(path, (size_t)512 << 20, &pool);
	if (e != PC_OK) {
		fprintf(stderr, "pcoll-py-capi-loop: %s\n", pc_errmsg());
		return 1;
	}
	pyc_map m;
	e = pyc_map_root(pool, "kv", PC_CREATE, &m);
	if (e != PC_OK) {
		fprintf(stderr, "pcoll-py-capi-loop: %s\n", pc_errmsg());
		pc_pool_close(pool);
		return 1;
	}
	char val[100];
	memset(val, 'v', sizeof(val));
	/* The keys are made before the clock starts, as python/bench.py
	 * makes its list of keys first. */
	char(*keys)[24] = (char(*)[24])malloc(n * sizeof(*keys));
	if (!keys) {
		fprintf(stderr, "pcoll-py-capi-loop: out of memory\n");
		pc_pool_close(pool);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		key_of(i, n, keys[i]);
	char copy[256];
	size_t sink = 0;

	double t0 = now_ns();
	for (size_t i = 0; i < n && e == PC_OK; i++) {
		e = pyc_map_put(&m, pc_slice_make(keys[i], 16),
				pc_slice_make(val, sizeof(val)), NULL);
	}
	double t1 = now_ns();
	for (size_t i = 0; i < n && e == PC_OK; i++) {
		pc_slice v = pyc_map_get(&m, pc_slice_make(keys[i], 16));
		if (!v.ptr) {
			fprintf(stderr, "pcoll-py-capi-loop: key missing\n");
			e = PC_E_NOTFOUND;
			break;
		}
		memcpy(copy, v.ptr, v.len);
		sink += (unsigned char)copy[0];
	}
	double t2 = now_ns();
	size_t visited = 0;
	for (size_t s = 0; s < scans && e == PC_OK; s++) {
		pyc_map_iter it;
		size_t got = 0;
		for (bool ok = pyc_map_range(
			     &m, pc_slice_make(keys[s % n], 16), PC_INCLUDED,
			     pc_slice_make(NULL, 0), PC_UNBOUNDED, &it);
		     ok && got < 100; ok = pyc_map_next(&it), got++) {
			memcpy(copy, it.key.ptr, it.key.len);
			memcpy(copy + 16, it.val.ptr, it.val.len);
			sink += (unsigned char)copy[16];
		}
		visited += got;
	}
	double t3 = now_ns();
	free(keys);
	if (e != PC_OK) {
		fprintf(stderr, "pcoll-py-capi-loop: %s\n", pc_errmsg());
		pc_pool_close(pool);
		return 1;
	}
	printf("{\"put_ns\": %.1f, \"get_ns\": %.1f, \"scan_ns\": %.1f, "
	       "\"visited\": %zu, \"sink\": %zu}\n",
	       (t1 - t0) / (double)n, (t2 - t1) / (double)n,
	       scans ? (t3 - t2) / (double)scans : 0.0, visited, sink);
	pc_pool_close(pool);
	return 0;
}
