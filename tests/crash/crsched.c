/* SPDX-License-Identifier: BSD-3-Clause */
/* Power-failure simulator: deterministic thread scheduling (crsched.h). */
#define _GNU_SOURCE
#include "crsched.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <threads.h>
#include <unistd.h>

/* The real functions behind the ones this file interposes. */
typedef int (*mutex_fn)(pthread_mutex_t *);
typedef int (*rw_fn)(pthread_rwlock_t *);
typedef int (*yield_fn)(void);

static mutex_fn real_mutex_lock, real_mutex_trylock;
static rw_fn real_rdlock, real_tryrdlock, real_wrlock, real_trywrlock;
static yield_fn real_sched_yield;

static void resolve(const char *name, void *fnp)
{
	void *p = dlsym(RTLD_NEXT, name);
	if (p)
		memcpy(fnp, &p, sizeof(p));
}

static void resolve_all(void)
{
	if (real_mutex_lock)
		return;
	resolve("pthread_mutex_trylock", &real_mutex_trylock);
	resolve("pthread_rwlock_rdlock", &real_rdlock);
	resolve("pthread_rwlock_tryrdlock", &real_tryrdlock);
	resolve("pthread_rwlock_wrlock", &real_wrlock);
	resolve("pthread_rwlock_trywrlock", &real_trywrlock);
	resolve("sched_yield", &real_sched_yield);
	resolve("pthread_mutex_lock", &real_mutex_lock);
}

__attribute__((constructor)) static void sched_init(void)
{
	resolve_all();
}

/* ------------------------------------------------------------------ */
/* The baton                                                            */
/* ------------------------------------------------------------------ */

static struct {
	int active;
	int n;
	int turn; /* the thread allowed to run; -1: none yet */
	int done[CR_MAX_THREADS];
	int ndone;
	uint64_t rng;
	unsigned every;
	uint64_t switches;
	cr_thread_fn fn;
	void *arg;
	pthread_mutex_t mu;
	pthread_cond_t cv;
} S = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static _Thread_local int self = -1;

static uint64_t next_rand(void)
{
	uint64_t z = (S.rng += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A runnable thread other than `not` (or any when not < 0); -1: none. */
static int pick(int not )
{
	int cand[CR_MAX_THREADS], n = 0;
	for (int t = 0; t < S.n; t++)
		if (!S.done[t] && t != not )
			cand[n++] = t;
	if (n == 0)
		return -1;
	return cand[next_rand() % (uint64_t)n];
}

static void lock_mu(void)
{
	resolve_all();
	real_mutex_lock(&S.mu);
}

/* With S.mu held: wait for our turn. */
static void wait_turn(void)
{
	while (S.turn != self)
		pthread_cond_wait(&S.cv, &S.mu);
}

/* Hand over to `to` (with S.mu held) and wait for our next turn. */
static void hand_over(int to)
{
	if (to < 0 || to == self)
		return;
	S.switches++;
	S.turn = to;
	pthread_cond_broadcast(&S.cv);
	wait_turn();
}

/* force: the caller cannot go on (a taken lock), let someone else run. */
static void sched_switch(int force)
{
	if (!S.active || self < 0)
		return;
	lock_mu();
	if (force) {
		hand_over(pick(self));
	} else if (S.every <= 1 || next_rand() % S.every == 0) {
		hand_over(pick(-1));
	}
	pthread_mutex_unlock(&S.mu);
}

void cr_sched_point(void)
{
	sched_switch(0);
}

int cr_sched_active(void)
{
	return S.active;
}

int cr_sched_self(void)
{
	return self < 0 ? 0 : self;
}

uint64_t cr_sched_switches(void)
{
	return S.switches;
}

static void *thread_main(void *p)
{
	self = (int)(intptr_t)p;
	lock_mu();
	wait_turn();
	pthread_mutex_unlock(&S.mu);
	S.fn(self, S.arg);
	lock_mu();
	S.done[self] = 1;
	S.ndone++;
	int to = pick(-1);
	S.turn = to;
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
	return NULL;
}

int cr_mt_run(int n, cr_thread_fn fn, void *arg, uint64_t seed,
	      unsigned switch_every)
{
	if (n < 1 || n > CR_MAX_THREADS || S.active)
		return -1;
	resolve_all();
	pthread_t th[CR_MAX_THREADS];
	lock_mu();
	S.n = n;
	S.turn = -1;
	S.ndone = 0;
	memset(S.done, 0, sizeof(S.done));
	S.rng = seed;
	S.every = switch_every;
	S.fn = fn;
	S.arg = arg;
	S.active = 1;
	pthread_mutex_unlock(&S.mu);
	int started = 0;
	for (; started < n; started++)
		if (pthread_create(&th[started], NULL, thread_main,
				   (void *)(intptr_t)started) != 0)
			break;
	lock_mu();
	if (started < n) {
		/* Let the started ones finish; the rest count as done. */
		for (int t = started; t < n; t++)
			S.done[t] = 1;
		S.ndone += n - started;
	}
	S.turn = pick(-1);
	pthread_cond_broadcast(&S.cv);
	while (S.ndone < n)
		pthread_cond_wait(&S.cv, &S.mu);
	S.active = 0;
	pthread_mutex_unlock(&S.mu);
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	return started == n ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Interposed waiting                                                   */
/* ------------------------------------------------------------------ */

int pthread_mutex_lock(pthread_mutex_t *m)
{
	resolve_all();
	if (!S.active || self < 0)
		return real_mutex_lock(m);
	for (;;) {
		int r = real_mutex_trylock(m);
		if (r != EBUSY)
			return r;
		sched_switch(1);
	}
}

int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	resolve_all();
	if (!S.active || self < 0)
		return real_rdlock(l);
	for (;;) {
		int r = real_tryrdlock(l);
		if (r != EBUSY)
			return r;
		sched_switch(1);
	}
}

int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	resolve_all();
	if (!S.active || self < 0)
		return real_wrlock(l);
	for (;;) {
		int r = real_trywrlock(l);
		if (r != EBUSY)
			return r;
		sched_switch(1);
	}
}

int sched_yield(void)
{
	resolve_all();
	if (S.active && self >= 0) {
		sched_switch(1);
		return 0;
	}
	return real_sched_yield ? real_sched_yield()
				: (int)syscall(SYS_sched_yield);
}

void thrd_yield(void)
{
	(void)sched_yield();
}
