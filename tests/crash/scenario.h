/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crash scenarios: a workload of numbered operations plus an oracle.
 *
 * A scenario gives
 *  - setup(pool): optional, runs on the fresh pool before tracking starts;
 *  - op(pool, i): operation i (0 <= i < nops), PC_OK when it behaved as the
 *    model says (an operation that must abort returns PC_OK when it did);
 *  - state_is(pool, k, why, n): 0 when the pool holds exactly state(k), the
 *    state after operations 0..k-1; otherwise nonzero with the difference
 *    written to why;
 *  - check(pool): optional structural check (the containers' check
 *    functions), run before state_is.
 *
 * cr_verify() accepts exactly state(k) or state(k+1) when k operations had
 * returned and operation k was in flight.
 *
 * Operations must find their objects from the pool every time (named roots),
 * never from volatile state kept across calls: the kill soak runs them in a
 * fresh process that continues from whatever state the pool holds.
 */
#ifndef PCOLL_CRASH_SCENARIO_H
#define PCOLL_CRASH_SCENARIO_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <pcoll/pcoll.h>

typedef struct cr_scenario {
	const char *name;
	size_t pool_size; /* 0: the smallest pool (8 MiB) */
	int nops;         /* operations in the simulator run */
	int soak_nops;    /* operations the kill soak may run (0: not used) */
	pc_err (*setup)(pc_pool *pool);
	pc_err (*op)(pc_pool *pool, int i);
	int (*state_is)(pc_pool *pool, int k, char *why, size_t n);
	pc_err (*check)(pc_pool *pool);
} cr_scenario;

/* Result of cr_verify(). */
enum { CR_STATE_K = 0, CR_STATE_K1 = 1, CR_BAD = -1 };

/* Check @p pool against @p s with k operations returned. @p allow_next:
 * operation k may be present too. Writes why on CR_BAD. */
int cr_verify(const cr_scenario *s, pc_pool *pool, int k, int allow_next,
	      char *why, size_t n);

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
extern const cr_scenario cr_scn_vec;     /* CR_HAVE_VEC */
extern const cr_scenario cr_scn_vec_bug; /* the broken build only */
extern const cr_scenario cr_scn_map_u64; /* CR_HAVE_MAP */
extern const cr_scenario cr_scn_map_str; /* CR_HAVE_MAP */
extern const cr_scenario cr_scn_log;     /* CR_HAVE_LOG */
extern const cr_scenario cr_scn_blk;     /* CR_HAVE_BLK */
extern const cr_scenario cr_scn_multi;   /* CR_HAVE_MULTI */

#endif
