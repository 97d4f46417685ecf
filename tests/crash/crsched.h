/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Power-failure simulator: deterministic scheduling of the threads of a
 * multi-threaded scenario.
 *
 * cr_mt_run() starts n threads and lets exactly one of them run at a time.
 * The running thread may hand over to another (chosen by a seeded random
 * stream) at every scheduling point:
 *
 *  - every flush, fence and non-temporal store the interposer sees (so
 *    fence points can come from any thread, and other threads run between
 *    one thread's stores and its flush or fence);
 *  - sched_yield() and thrd_yield() (pcoll's spin locks and libpmemobj's
 *    lane wait call them);
 *  - a pthread_mutex_lock() or pthread_rwlock_rd/wrlock() that would block
 *    (libpmemobj's PMEMmutex/PMEMrwlock and its heap locks use these): the
 *    waiter tries the lock, and while it is taken lets another thread run.
 *
 * The interleaving is therefore a function of the seed and the program:
 * the dry run and the crash run of the simulator see the same fence
 * points, and a failure replays from its seed. A thread must not wait for
 * another by any other means (a condition variable, a futex, a busy loop
 * without yielding): it would wait forever.
 *
 * Outside cr_mt_run() the interposed functions behave as the real ones.
 */
#ifndef PCOLL_CRASH_SCHED_H
#define PCOLL_CRASH_SCHED_H

#include <stdint.h>

#define CR_MAX_THREADS 8

typedef void (*cr_thread_fn)(int t, void *arg);

/* Run fn(t, arg) for t = 0..n-1 in n threads, one at a time, switching at
 * scheduling points with probability 1/switch_every (seeded by seed).
 * Returns 0 when every thread returned, -1 if threads could not start. */
int cr_mt_run(int n, cr_thread_fn fn, void *arg, uint64_t seed,
	      unsigned switch_every);

/* A scheduling point (a no-op outside cr_mt_run()). */
void cr_sched_point(void);
/* 1 inside cr_mt_run(). */
int cr_sched_active(void);
/* The calling thread's index in cr_mt_run(), else 0. */
int cr_sched_self(void);
/* Thread switches so far in this process. */
uint64_t cr_sched_switches(void);

#endif
