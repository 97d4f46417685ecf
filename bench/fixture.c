/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll-bench: fresh pools for the workloads, bytes per element, closing
 * with a message (fixture.h). Relies on the harness for the pool paths
 * and the messages (bench.h) and on pcoll's and libpmemobj's APIs.
 */
#include <stdio.h>

#include "fixture.h"

pc_pool *bench_pc_fresh(const bench_env *env, const char *tag, size_t size,
			bench_bind_fn bind, void *root)
{
	const char *path = bench_pool_path(env, tag);
	pc_pool *pool = NULL;
	if (!path) {
		bench_fail("%s: no pool path (out of memory)", tag);
		return NULL;
	}
	if (pc_pool_create(path, size, &pool) != PC_OK) {
		bench_pc_fail("create");
		return NULL;
	}
	if (bind && bind(pool, root) != PC_OK) {
		bench_pc_fail("root");
		(void)pc_pool_close(pool);
		return NULL;
	}
	return pool;
}

void bench_pc_bytes(pc_pool *pool, uint64_t n, bench_out *out)
{
	pc_pool_stats st;
	if (n && pc_pool_stats_get(pool, &st) == PC_OK)
		out->bytes_per_elem = (double)st.used / (double)n;
}

int bench_pc_close(pc_pool *pool, int rc)
{
	if (pool && pc_pool_close(pool) != PC_OK)
		rc = bench_pc_fail("close");
	return rc;
}

PMEMobjpool *bench_obj_fresh(const bench_env *env, const char *tag,
			     const char *layout, size_t size, size_t root_size,
			     void **root)
{
	const char *path = bench_pool_path(env, tag);
	PMEMobjpool *pop =
		path ? pc__pmemobj_create(path, layout, size, 0600) : NULL;
	if (!pop) {
		bench_fail("pmemobj_create: %s", pmemobj_errormsg());
		return NULL;
	}
	PMEMoid r = pmemobj_root(pop, root_size);
	if (OID_IS_NULL(r)) {
		bench_fail("pmemobj_root: %s", pmemobj_errormsg());
		pmemobj_close(pop);
		return NULL;
	}
	*root = pmemobj_direct(r);
	return pop;
}

int bench_obj_floor(const bench_env *env, bench_out *out, const char *note)
{
	void *r = NULL;
	PMEMobjpool *pop = bench_obj_fresh(env, "floor", "floor", 32u << 20,
					   sizeof(uint64_t), &r);
	if (!pop)
		return 1;
	uint64_t *word = (uint64_t *)r;
	volatile uint64_t *w = word;
	uint64_t n = env->n;
	bench_begin();
	for (uint64_t i = 0; i < n; i++) {
		*w = i;
		pmemobj_persist(pop, word, sizeof(*word));
	}
	bench_end();
	int rc = n && *word != n - 1;
	if (note)
		(void)snprintf(out->note, sizeof(out->note), "%s", note);
	out->ops = n;
	pmemobj_close(pop);
	return rc;
}
