/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * W11 tx_floor: N one-word transactions, each durable on return.
 *
 * pcoll          TX(pool) { *PC_RW(pool, uint64_t, p) = i; }
 * raw-pmemobj    TX_BEGIN(pop) { pmemobj_tx_add_range_direct(w, 8);
 *                *w = i; } TX_END                               (anchor)
 * dram           a plain store to malloc'd memory               (anchor)
 * floor          one 8-byte store + pmemobj_persist()           (anchor)
 * pcoll-persist  one 8-byte store + pc_pool_persist(): pcoll's own
 *                inline flush and fence, no transaction (not an anchor)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <libpmemobj.h>
#include <pcoll/pcoll.h>

#include "bench.h"

#define W11_POOL_SIZE (32u * 1024 * 1024)

static void w11_close(pc_pool *pool)
{
	if (pc_pool_close(pool) != PC_OK)
		fprintf(stderr, "W11: close: %s\n", pc_errmsg());
}

static int w11_pcoll(const bench_env *env, bench_out *out)
{
	const char *path = bench_pool_path(env, "pcoll");
	pc_pool *pool = NULL;
	if (!path || pc_pool_create(path, W11_POOL_SIZE, &pool) != PC_OK) {
		fprintf(stderr, "W11 pcoll: %s\n", pc_errmsg());
		return 1;
	}
	PC_PTR(uint64_t) p;
	if (PC_ROOT(pool, "w11", uint64_t, PC_OPEN_OR_CREATE, &p) != PC_OK) {
		fprintf(stderr, "W11 pcoll: %s\n", pc_errmsg());
		w11_close(pool);
		return 1;
	}
	uint64_t n = env->n;
	pc_err err = PC_OK;
	bench_begin();
	for (uint64_t i = 0; i < n; i++) {
		TX(pool, &err) {
			uint64_t *w = PC_RW(pool, uint64_t, p);
			if (!w)
				break;
			*w = i;
		}
		if (err != PC_OK)
			break;
	}
	bench_end();
	int rc = 0;
	if (err != PC_OK) {
		fprintf(stderr, "W11 pcoll: %s\n", pc_errmsg());
		rc = 1;
	} else if (n && *PC_RO(pool, uint64_t, p) != n - 1) {
		fprintf(stderr, "W11 pcoll: wrong final value\n");
		rc = 1;
	}
	out->ops = n;
	if (pc_pool_close(pool) != PC_OK)
		rc = 1;
	return rc;
}
BENCH_CASE(w11_pcoll, "W11", "tx_floor", "pcoll", 0, 1000000, w11_pcoll)

static PMEMobjpool *w11_raw_open(const bench_env *env, const char *tag,
				 uint64_t **word)
{
	const char *path = bench_pool_path(env, tag);
	PMEMobjpool *pop =
		path ? pmemobj_create(path, "w11", W11_POOL_SIZE, 0600) : NULL;
	if (!pop) {
		fprintf(stderr, "W11 %s: pmemobj_create: %s\n", tag,
			pmemobj_errormsg());
		return NULL;
	}
	PMEMoid root = pmemobj_root(pop, sizeof(uint64_t));
	if (OID_IS_NULL(root)) {
		fprintf(stderr, "W11 %s: pmemobj_root: %s\n", tag,
			pmemobj_errormsg());
		pmemobj_close(pop);
		return NULL;
	}
	*word = (uint64_t *)pmemobj_direct(root);
	return pop;
}

static int w11_raw(const bench_env *env, bench_out *out)
{
	uint64_t *word = NULL;
	PMEMobjpool *pop = w11_raw_open(env, "raw", &word);
	if (!pop)
		return 1;
	PMEMoid root = pmemobj_root(pop, sizeof(uint64_t));
	uint64_t n = env->n;
	volatile int failed = 0;
	bench_begin();
	for (uint64_t i = 0; i < n && !failed; i++) {
		TX_BEGIN(pop) {
			uint64_t *w = (uint64_t *)pmemobj_direct(root);
			pmemobj_tx_add_range_direct(w, sizeof(*w));
			*w = i;
		}
		TX_ONABORT
		{
			failed = 1;
		}
		TX_END
	}
	bench_end();
	int rc = 0;
	if (failed || (n && *word != n - 1)) {
		fprintf(stderr, "W11 raw-pmemobj: transaction failed: %s\n",
			pmemobj_errormsg());
		rc = 1;
	}
	out->ops = n;
	pmemobj_close(pop);
	return rc;
}
BENCH_CASE(w11_raw, "W11", "tx_floor", "raw-pmemobj", 1, 1000000, w11_raw)

static int w11_dram(const bench_env *env, bench_out *out)
{
	volatile uint64_t *w = (volatile uint64_t *)malloc(sizeof(uint64_t));
	if (!w)
		return 1;
	uint64_t n = env->n;
	bench_begin();
	for (uint64_t i = 0; i < n; i++)
		*w = i;
	bench_end();
	int rc = n && *w != n - 1;
	free((void *)(uintptr_t)w);
	out->ops = n;
	return rc;
}
BENCH_CASE(w11_dram, "W11", "tx_floor", "dram", 1, 1000000, w11_dram)

static int w11_floor(const bench_env *env, bench_out *out)
{
	uint64_t *word = NULL;
	PMEMobjpool *pop = w11_raw_open(env, "floor", &word);
	if (!pop)
		return 1;
	volatile uint64_t *w = word;
	uint64_t n = env->n;
	bench_begin();
	for (uint64_t i = 0; i < n; i++) {
		*w = i;
		pmemobj_persist(pop, word, sizeof(*word));
	}
	bench_end();
	int rc = n && *word != n - 1;
	out->ops = n;
	pmemobj_close(pop);
	return rc;
}
BENCH_CASE(w11_floor, "W11", "tx_floor", "floor", 1, 1000000, w11_floor)

static int w11_pcoll_persist(const bench_env *env, bench_out *out)
{
	const char *path = bench_pool_path(env, "persist");
	pc_pool *pool = NULL;
	if (!path || pc_pool_create(path, W11_POOL_SIZE, &pool) != PC_OK) {
		fprintf(stderr, "W11 pcoll-persist: %s\n", pc_errmsg());
		return 1;
	}
	PC_PTR(uint64_t) p;
	if (PC_ROOT(pool, "w11", uint64_t, PC_OPEN_OR_CREATE, &p) != PC_OK) {
		fprintf(stderr, "W11 pcoll-persist: %s\n", pc_errmsg());
		w11_close(pool);
		return 1;
	}
	/* Outside a transaction a root word is written in place and made
	 * durable with pcoll's pool-level persist (inline flush + fence). */
	volatile uint64_t *w =
		(volatile uint64_t *)(uintptr_t)PC_RO(pool, uint64_t, p);
	uint64_t n = env->n;
	bench_begin();
	for (uint64_t i = 0; i < n; i++) {
		*w = i;
		pc_pool_persist(pool, (const void *)(uintptr_t)w, sizeof(*w));
	}
	bench_end();
	int rc = n && *w != n - 1;
	out->ops = n;
	if (pc_pool_close(pool) != PC_OK)
		rc = 1;
	return rc;
}
BENCH_CASE(w11_pcoll_persist, "W11", "tx_floor", "pcoll-persist", 0, 1000000,
	   w11_pcoll_persist)
