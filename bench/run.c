/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll-bench: the registry and the running case.
 *
 * Workload files register their cases here (bench_register()) and, while
 * a case runs, call bench_begin()/bench_end() around what they measure
 * and bench_pool_path() for their pools. run_once() runs a case once and
 * collects its figures: time always; in MODE_COUNT the fences and flushes
 * between bench_begin() and bench_end(), from pcoll's own counters
 * (PCOLL_COUNT) and the preload module's; in MODE_CALLGRIND callgrind
 * collects only between the two. Relies on nothing else of the harness.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcoll/persist.h>

#ifdef BENCH_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#endif

#include "harness.h"

#define MAX_PATHS 16

/* ------------------------------------------------------------------ */
/* Registry                                                             */
/* ------------------------------------------------------------------ */

const bench_case **bench_reg;
size_t bench_nreg;
static size_t capreg;

void bench_register(const bench_case *c)
{
	if (bench_nreg == capreg) {
		size_t ncap = capreg ? capreg * 2 : 32;
		const bench_case **n = (const bench_case **)realloc(
			bench_reg, ncap * sizeof(*bench_reg));
		if (!n) {
			fprintf(stderr, "pcoll-bench: out of memory\n");
			exit(2);
		}
		bench_reg = n;
		capreg = ncap;
	}
	bench_reg[bench_nreg++] = c;
}

const bench_case *bench_find(const char *workload, const char *impl)
{
	const bench_case *c = NULL;
	for (size_t i = 0; i < bench_nreg; i++)
		if (strcmp(bench_reg[i]->workload, workload) == 0 &&
		    strcmp(bench_reg[i]->impl, impl) == 0)
			c = bench_reg[i];
	return c;
}

/* ------------------------------------------------------------------ */
/* The running case                                                     */
/* ------------------------------------------------------------------ */

static struct {
	enum mode mode;
	const bench_case *c;
	int began, ended;
	struct timespec t0, t1;
	pc_persist_counters pc0, pc1;
	uint64_t pre0[4], pre1[4];
	preload_get_fn preload_get;
	char *paths[MAX_PATHS];
	int npaths;
} cur;

void run_set_preload(preload_get_fn get)
{
	cur.preload_get = get;
}

__attribute__((noinline)) void bench_begin(void)
{
	if (cur.began)
		fprintf(stderr, "pcoll-bench: %s/%s: bench_begin() twice\n",
			cur.c->workload, cur.c->impl);
	cur.began = 1;
	if (cur.mode == MODE_COUNT) {
		if (cur.preload_get)
			cur.preload_get(cur.pre0);
		cur.pc0 = pc_persist_counters_get();
	}
#ifdef BENCH_HAVE_CALLGRIND
	if (cur.mode == MODE_CALLGRIND) {
		CALLGRIND_START_INSTRUMENTATION;
		CALLGRIND_TOGGLE_COLLECT;
	}
#endif
	clock_gettime(CLOCK_MONOTONIC, &cur.t0);
}

__attribute__((noinline)) void bench_end(void)
{
	clock_gettime(CLOCK_MONOTONIC, &cur.t1);
#ifdef BENCH_HAVE_CALLGRIND
	if (cur.mode == MODE_CALLGRIND) {
		CALLGRIND_TOGGLE_COLLECT;
		CALLGRIND_STOP_INSTRUMENTATION;
	}
#endif
	if (cur.mode == MODE_COUNT) {
		cur.pc1 = pc_persist_counters_get();
		if (cur.preload_get)
			cur.preload_get(cur.pre1);
	}
	if (!cur.began || cur.ended)
		fprintf(stderr,
			"pcoll-bench: %s/%s: bench_end() without "
			"bench_begin()\n",
			cur.c->workload, cur.c->impl);
	cur.ended = 1;
}

unsigned bench_threads = 1;

const char *bench_pool_path(const bench_env *env, const char *tag)
{
	char buf[PATH_MAX];
	char t[64];
	size_t k = 0;
	for (const char *s = tag ? tag : "pool"; *s && k + 1 < sizeof(t); s++)
		t[k++] = (char)((*s == '/' || *s == ' ') ? '_' : *s);
	t[k] = '\0';
	snprintf(buf, sizeof(buf), "%s/pcoll-bench-%ld-%s-%s-%s.pool", env->dir,
		 (long)getpid(), cur.c ? cur.c->workload : "x",
		 cur.c ? cur.c->impl : "x", t);
	(void)unlink(buf);
	char *p = strdup(buf);
	if (!p)
		return NULL;
	if (cur.npaths < MAX_PATHS) {
		cur.paths[cur.npaths++] = p;
	} else {
		fprintf(stderr, "pcoll-bench: more than %d pools in one case\n",
			MAX_PATHS);
	}
	return p;
}

void bench_msgv(const char *fmt, va_list ap)
{
	if (cur.c)
		fprintf(stderr, "%s %s: ", cur.c->workload, cur.c->impl);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void remove_pools(void)
{
	int n = cur.npaths;
	cur.npaths = 0; /* the signal handler no longer sees them */
	for (int i = 0; i < n; i++) {
		(void)unlink(cur.paths[i]);
		free(cur.paths[i]);
		cur.paths[i] = NULL;
	}
}

/* Only unlink() and raise(), both async-signal-safe. A path is in
 * cur.paths before cur.npaths counts it (bench_pool_path). */
static void remove_pools_and_die(int sig)
{
	int n = cur.npaths;
	for (int i = 0; i < n && i < MAX_PATHS; i++)
		if (cur.paths[i])
			(void)unlink(cur.paths[i]);
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

void bench_remove_pools_on_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = remove_pools_and_die;
	sigemptyset(&sa.sa_mask);
	const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)sigaction(sigs[i], &sa, NULL);
}

static uint64_t ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ull + (uint64_t)t->tv_nsec;
}

const char *bench_dir(void)
{
	const char *d = getenv("PCOLL_BENCH_DIR");
	return d && *d ? d : "/dev/shm";
}

int env_is_pmem(void)
{
	const char *f = getenv("PMEM_IS_PMEM_FORCE");
	return f && strcmp(f, "1") == 0;
}

/* Runs case c once with N = n. Returns 0 on success. */
int run_once(const bench_case *c, uint64_t n, enum mode mode, run_result *res)
{
	memset(&cur.t0, 0, sizeof(cur.t0));
	cur.mode = mode;
	cur.c = c;
	cur.began = cur.ended = 0;
	memset(cur.pre0, 0, sizeof(cur.pre0));
	memset(cur.pre1, 0, sizeof(cur.pre1));
	bench_env env = {bench_dir(), n, mode == MODE_COUNT, env_is_pmem(),
			 bench_threads};
	bench_out out;
	memset(&out, 0, sizeof(out));
	int r = c->fn(&env, &out);
	remove_pools();
	if (r != 0) {
		fprintf(stderr, "pcoll-bench: %s/%s failed (%d)\n", c->workload,
			c->impl, r);
		return -1;
	}
	if (!cur.began || !cur.ended) {
		fprintf(stderr,
			"pcoll-bench: %s/%s did not call bench_begin() and "
			"bench_end()\n",
			c->workload, c->impl);
		return -1;
	}
	memset(res, 0, sizeof(*res));
	res->ops = out.ops ? out.ops : n;
	res->elapsed_ns = ts_ns(&cur.t1) - ts_ns(&cur.t0);
	res->bytes_per_elem = out.bytes_per_elem;
	res->prefault = out.prefault;
	out.note[sizeof(out.note) - 1] = '\0';
	memcpy(res->note, out.note, sizeof(res->note));
	if (mode == MODE_COUNT) {
		res->pc_fences = cur.pc1.fences - cur.pc0.fences;
		res->pc_flushes = cur.pc1.flushes - cur.pc0.flushes;
		res->lib_fences = cur.pre1[0] - cur.pre0[0];
		res->lib_flushes = cur.pre1[1] - cur.pre0[1];
		res->lib_msyncs = cur.pre1[2] - cur.pre0[2];
	}
	return 0;
}
