/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll-bench: the harness interface every workload file uses.
 *
 * A workload file (bench/w_*.c) registers one case per (workload,
 * implementation) with BENCH_CASE() (or BENCH_CASE_CALL(), one function for
 * several cases), and takes its pools from fixture.h. The harness
 * (bench/main.c and the files harness.h lists) runs each case several
 * times, takes the median ns/op, computes the ratio to every
 * anchor of the same workload measured in the same run, and obtains
 * fences/op and flushes/op from a counting pass: the same sources built as
 * pcoll-bench-count with PCOLL_COUNT (pcoll's own inline flushes) and run
 * under the libpmem counting preload (libpmemobj's, libpmemlog's and
 * libpmemblk's flushes). bench_begin()/bench_end() delimit what is timed
 * and counted.
 */
#ifndef PCOLL_BENCH_H
#define PCOLL_BENCH_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct bench_env {
	const char *dir;  /* directory for pools ($PCOLL_BENCH_DIR, /dev/shm) */
	uint64_t n;       /* operations asked for (--n, or the case default) */
	int counting;     /* 1 in the counting pass */
	int is_pmem;      /* 1 when PMEM_IS_PMEM_FORCE=1 (flush path) */
	unsigned threads; /* --threads (default 1): workloads that run
			     threads (W13) start this many */
} bench_env;

/* --threads of this run (1 unless given). */
extern unsigned bench_threads;

typedef struct bench_out {
	uint64_t ops;          /* operations done between begin and end */
	double bytes_per_elem; /* pool bytes per element, 0 when n/a */
	char note[128];        /* free text for the table, may be empty */
	int prefault;          /* 1: the case's pools were prefaulted (pcoll's
			 pc_pool_opts.prefault, libpmem*'s prefault ctl) */
} bench_out;

/* Returns 0 on success; nonzero fails the case (with a message on stderr). */
typedef int (*bench_fn)(const bench_env *env, bench_out *out);

typedef struct bench_case {
	const char *workload; /* "W1" ... "W12", "W5s" ... */
	const char *name;     /* "vec_push" */
	const char *impl;     /* "pcoll", "raw-pmemobj", "dram", "floor",
				 "libpmemlog", "libpmemblk", ... */
	int is_anchor;        /* 1 for anchors: others get ratios to it */
	uint64_t default_n;   /* N of WORKLOADS.md */
	bench_fn fn;
	int single_thread; /* runs only when --threads is 1 */
} bench_case;

void bench_register(const bench_case *c);

/* Register a case from file scope:
 *   BENCH_CASE(w1_pcoll, "W1", "vec_push", "pcoll", 0, 1000000, run_w1);
 */
#define BENCH_CASE(id, wl, nm, im, anchor, n, f) \
	BENCH_CASE_ST(id, wl, nm, im, anchor, n, f, 0)

/* The same, with st = 1 for a case that runs only when --threads is 1. */
#define BENCH_CASE_ST(id, wl, nm, im, anchor, n, f, st)                \
	static const bench_case bench_case_##id = {wl, nm, im, anchor, \
						   n,  f,  st};        \
	__attribute__((constructor)) static void bench_reg_##id(void)  \
	{                                                              \
		bench_register(&bench_case_##id);                      \
	}

/* Register a case whose function serves several cases through constant
 * arguments after env and out:
 *   BENCH_CASE_CALL(w5_dram, "W5", "map_insert", "dram", 1, 1000000,
 *                   w5_run, 1);
 * defines id_case(env, out) { return w5_run(env, out, 1); }. The arguments
 * stay compile-time constants in the call, so the compiler can specialize
 * the measured loop for them (a record size, a modulus, which of two
 * loops), as it would for a function written for that case alone. */
#define BENCH_CASE_CALL(id, wl, nm, im, anchor, n, f, ...)         \
	static int id##_case(const bench_env *env, bench_out *out) \
	{                                                          \
		return f(env, out, __VA_ARGS__);                   \
	}                                                          \
	BENCH_CASE(id, wl, nm, im, anchor, n, id##_case)

/* Timed (and counted) section of a case: call once each, in order. */
void bench_begin(void);
void bench_end(void);

/* A fresh pool path in env->dir for this case; an old file is removed.
 * The harness removes it again after the case. */
const char *bench_pool_path(const bench_env *env, const char *tag);
/* SIGINT, SIGTERM, SIGHUP: remove the running case's pools (those of
 * bench_pool_path()), then end by the signal. Called once by main(). */
void bench_remove_pools_on_signals(void);

/* A message on stderr naming the running case ("W5 pcoll: " + fmt). */
void bench_msgv(const char *fmt, va_list ap);

/* The same; returns 1, a case's failure status (inline, so that the
 * compiler and the analyzer see that it is never 0):
 *   return bench_fail("wrong sum"); */
static inline int bench_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline int bench_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bench_msgv(fmt, ap);
	va_end(ap);
	return 1;
}

/* WORKLOADS.md inputs. */
static inline uint64_t bench_splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Fisher-Yates as WORKLOADS.md: for i = n down to 2: j = next() % i;
 * swap a[i-1] and a[j]; the stream starts from s = seed. */
static inline void bench_shuffle(uint64_t *a, size_t n, uint64_t seed)
{
	uint64_t s = seed;
	for (size_t i = n; i >= 2; i--) {
		size_t j = (size_t)(bench_splitmix64(&s) % i);
		uint64_t t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

/* Keep the compiler from discarding a computed value. */
static inline void bench_consume(uint64_t v)
{
	__asm__ __volatile__("" : : "r"(v) : "memory");
}

#endif
