/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll-bench: the set-up and tear-down the workloads share, so that a
 * workload file holds only its inputs, the loop it measures and the
 * checks of the result. The usual shape of a pcoll case:
 *
 *   pc_pool *pool = bench_pc_fresh(env, "w1", size, bind_vec, &v);
 *   if (!pool)
 *           return 1;
 *   ... inputs ...; bench_begin(); ... the loop ...; bench_end();
 *   ... checks (rc) ...
 *   bench_pc_bytes(pool, n, out);
 *   return bench_pc_close(pool, rc);
 *
 * Nothing here runs between bench_begin() and bench_end() but the
 * libpmemobj floor, an anchor of several workloads: the timed loops call
 * the measured functions directly, in the workload files. Messages name
 * the running case (bench_fail()).
 */
#ifndef PCOLL_BENCH_FIXTURE_H
#define PCOLL_BENCH_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <libpmemobj.h>
#include <pcoll/pcoll.h>

#include "bench.h"

/* Binds the case's root in a fresh pool, e.g.
 *   return wvec_root(pool, "v", PC_CREATE, (wvec *)root); */
typedef pc_err (*bench_bind_fn)(pc_pool *pool, void *root);

/* A fresh pcoll pool of size bytes (tag names the file, as for
 * bench_pool_path()) with bind(pool, root) done when bind is not NULL.
 * On failure: a message, nothing left open, NULL. */
pc_pool *bench_pc_fresh(const bench_env *env, const char *tag, size_t size,
			bench_bind_fn bind, void *root);

/* out->bytes_per_elem: the pool's live allocations divided by n (left 0
 * when n is 0 or the statistics fail). */
void bench_pc_bytes(pc_pool *pool, uint64_t n, bench_out *out);

/* Closes pool (NULL: nothing to close). Returns rc, or 1 when the close
 * failed (with a message). */
int bench_pc_close(pc_pool *pool, int rc);

/* "<case>: what: <pcoll's last error>", as an expression worth 1. */
#define bench_pc_fail(what) bench_fail("%s: %s", (what), pc_errmsg())

/* A fresh libpmemobj pool (layout, size bytes) and its root object of
 * root_size bytes (zeroed by libpmemobj) in *root. On failure: a message,
 * nothing left open, NULL. */
PMEMobjpool *bench_obj_fresh(const bench_env *env, const char *tag,
			     const char *layout, size_t size, size_t root_size,
			     void **root);

/* The libpmemobj floor, an anchor several workloads share (W1, W11): N
 * durable 8-byte stores, each one store and pmemobj_persist() of a root
 * word: one fence round trip. The one case function of this file that
 * measures; note is the table's note, or NULL. */
int bench_obj_floor(const bench_env *env, bench_out *out, const char *note);

#endif /* PCOLL_BENCH_FIXTURE_H */
