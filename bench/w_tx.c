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
#include "fixture.h"

#define W11_POOL_SIZE ((size_t)32 << 20)

/* The root word of the pcoll cases. */
static pc_err w11_bind(pc_pool *pool, void *p)
{
	return PC_ROOT(pool, "w11", uint64_t, PC_OPEN_OR_CREATE,
		       (PC_PTR(uint64_t) *)p);
}

static int w11_pcoll(const bench_env *env, bench_out *out)
{
	PC_PTR(uint64_t) p;
	pc_pool *pool =
		bench_pc_fresh(env, "pcoll", W11_POOL_SIZE, w11_bind, &p);
	if (!pool)
		return 1;
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
	if (err != PC_OK)
		rc = bench_pc_fail("transaction");
	else if (n && *PC_RO(pool, uint64_t, p) != n - 1)
		rc = bench_fail("wrong final value");
	out->ops = n;
	return bench_pc_close(pool, rc);
}
BENCH_CASE(w11_pcoll, "W11", "tx_floor", "pcoll", 0, 1000000, w11_pcoll)

static int w11_raw(const bench_env *env, bench_out *out)
{
	void *r = NULL;
	PMEMobjpool *pop = bench_obj_fresh(env, "raw", "w11", W11_POOL_SIZE,
					   sizeof(uint64_t), &r);
	if (!pop)
		return 1;
	uint64_t *word = (uint64_t *)r;
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
	if (failed || (n && *word != n - 1))
		rc = bench_fail("transaction failed: %s", pmemobj_errormsg());
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

BENCH_CASE_CALL(w11_floor, "W11", "tx_floor", "floor", 1, 1000000,
		bench_obj_floor, NULL)

static int w11_pcoll_persist(const bench_env *env, bench_out *out)
{
	PC_PTR(uint64_t) p;
	pc_pool *pool =
		bench_pc_fresh(env, "persist", W11_POOL_SIZE, w11_bind, &p);
	if (!pool)
		return 1;
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
	out->ops = n;
	return bench_pc_close(pool, n && *w != n - 1);
}
BENCH_CASE(w11_pcoll_persist, "W11", "tx_floor", "pcoll-persist", 0, 1000000,
	   w11_pcoll_persist)
