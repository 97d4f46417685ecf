/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crash scenarios: a workload of numbered operations plus an oracle.
 *
 * A single-threaded scenario gives
 *  - setup(pool): optional, runs on the fresh pool before tracking starts;
 *  - op(pool, i): operation i (0 <= i < nops), PC_OK when it behaved as the
 *    model says (an operation that must abort returns PC_OK when it did);
 *  - state_is(pool, k, why, n): 0 when the pool holds exactly state(k), the
 *    state after operations 0..k-1; otherwise nonzero with the difference
 *    written to why;
 *  - check(pool): optional structural check (the containers' check
 *    functions), run before state_is;
 *  - obj_refs: optional, for the heap oracle: the objects a user struct
 *    (a PC_ROOT of kind PC_KIND_OBJ) points to.
 *
 * A multi-threaded scenario (nthreads > 1) gives op_t(pool, t, i) and
 * state_t(pool, t, k, why, n) instead: thread t runs op_t(pool, t, 0..)
 * and owns a part of the pool state that no other thread changes;
 * state_t() checks that part alone. The simulator runs the threads under
 * a deterministic scheduler (crsched.h), so fence points come from every
 * thread, and accepts, for every thread, state_t(k_t) or, when operation
 * k_t was in flight, state_t(k_t + 1).
 *
 * Operations call cr_op_kind("name") first, naming what they do (the
 * simulator samples fence points from every kind). They must find their
 * objects from the pool every time (named roots), never from volatile
 * state kept across calls: the kill soak and the checker's continuation
 * run them in a fresh process that continues from whatever the pool holds.
 * Operations past nops must be defined when soak_nops > nops.
 */
#ifndef PCOLL_CRASH_SCENARIO_H
#define PCOLL_CRASH_SCENARIO_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <pcoll/pcoll.h>

#include "crsched.h"

/* References collected by the heap oracle (heap.c). */
typedef struct cr_refs cr_refs;
/* Record that the object at pool offset off, of libpmemobj type number
 * typenum, is owned by what (a short description). */
void cr_refs_add(cr_refs *r, uint64_t off, uint64_t typenum, const char *what);

typedef struct cr_scenario {
	const char *name;
	size_t pool_size; /* 0: the smallest pool (8 MiB) */
	int nops;         /* operations in the simulator run (per thread) */
	int soak_nops;    /* operations the kill soak may run (0: not used) */
	int nthreads;     /* 0 or 1: single-threaded */
	int no_continue;  /* the checker does not continue the workload */
	pc_err (*setup)(pc_pool *pool);
	pc_err (*op)(pc_pool *pool, int i);
	int (*state_is)(pc_pool *pool, int k, char *why, size_t n);
	pc_err (*check)(pc_pool *pool);
	pc_err (*op_t)(pc_pool *pool, int t, int i);
	int (*state_t)(pc_pool *pool, int t, int k, char *why, size_t n);
	void (*obj_refs)(pc_pool *pool, const char *root, uint64_t off,
			 cr_refs *r);
} cr_scenario;

/* Where a workload stands: per thread, operations returned (k) and
 * whether operation k had started (inflight). */
typedef struct cr_pos {
	int k[CR_MAX_THREADS];
	int inflight[CR_MAX_THREADS];
} cr_pos;

/* Result of cr_verify(). */
enum { CR_STATE_K = 0, CR_STATE_K1 = 1, CR_BAD = -1 };

static inline int cr_nthreads(const cr_scenario *s)
{
	return s->nthreads > 1 ? s->nthreads : 1;
}

/* Check @p pool against @p s at position @p at: every thread's part must
 * be state(k) or, if in flight, state(k+1). The state found goes to
 * *found (may be NULL). Returns CR_STATE_K (every thread at k),
 * CR_STATE_K1 (some thread at k+1) or CR_BAD with why. */
int cr_verify(const cr_scenario *s, pc_pool *pool, const cr_pos *at,
	      cr_pos *found, char *why, size_t n);

/* Name what the running operation does (for the simulator's sampling);
 * call first in op / op_t. Stored, not copied: pass a string literal. */
void cr_op_kind(const char *kind);

/* printf into why and return 1: `return cr_why(why, n, "...", ...)`. */
__attribute__((format(printf, 3, 4))) static inline int
cr_why(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return 1;
}

/* Number of heap objects in @p pool whose libpmemobj type number is that
 * of signature @p sig. */
size_t cr_count_objs(pc_pool *pool, const pc_typesig *sig);
/* Total number of heap objects (without the checker's scratch ones). */
size_t cr_count_all_objs(pc_pool *pool);

/* Deterministic value for (seed, i). */
uint64_t cr_val(uint64_t seed, uint64_t i);

/* The scenarios (each defined in its scn_*.c file). */
extern const cr_scenario cr_scn_ptr;
extern const cr_scenario cr_scn_tx;
extern const cr_scenario cr_scn_rawpush;
extern const cr_scenario cr_scn_rawpush_bug;
extern const cr_scenario cr_scn_vec;          /* CR_HAVE_VEC */
extern const cr_scenario cr_scn_vec24;        /* CR_HAVE_VEC */
extern const cr_scenario cr_scn_vec40;        /* CR_HAVE_VEC */
extern const cr_scenario cr_scn_map_u64;      /* CR_HAVE_MAP */
extern const cr_scenario cr_scn_map_str;      /* CR_HAVE_MAP */
extern const cr_scenario cr_scn_map_big;      /* CR_HAVE_MAP */
extern const cr_scenario cr_scn_map_vals;     /* CR_HAVE_MAP */
extern const cr_scenario cr_scn_map_sync;     /* CR_HAVE_MAP_SYNC */
extern const cr_scenario cr_scn_map_sync_str; /* CR_HAVE_MAP_SYNC */
extern const cr_scenario cr_scn_log;          /* CR_HAVE_LOG */
extern const cr_scenario cr_scn_blk;          /* CR_HAVE_BLK */
extern const cr_scenario cr_scn_blk_mt;       /* CR_HAVE_BLK */
/* blk-mt: 1 lets TX() write never-written blocks (the known race). */
void cr_blk_mt_tx_first(int on);
extern const cr_scenario cr_scn_multi; /* CR_HAVE_MULTI */

#endif
