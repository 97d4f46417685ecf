/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll-bench's harness: what its own files share. Workload files see only
 * bench.h and fixture.h.
 *
 *   run.c     the registry, the running case (bench_begin()/bench_end(),
 *             its pools, its messages), one run of one case
 *   child.c   the counting pass (pcoll-bench-count under the LD_PRELOAD
 *             counter) and the callgrind pass: the parent that spawns a
 *             child per case and reads its figures, and the child side
 *   report.c  the table on stdout and the JSON lines
 *   main.c    options, case selection, the run loop
 *
 * run.c depends on nothing else of the harness; child.c and report.c on
 * run.c only; main.c on all three.
 */
#ifndef PCOLL_BENCH_HARNESS_H
#define PCOLL_BENCH_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench.h"

/* What a run of a case measures besides time. */
enum mode { MODE_TIME, MODE_COUNT, MODE_CALLGRIND };

/* The figures of one run of one case. */
typedef struct run_result {
	uint64_t ops;
	uint64_t elapsed_ns;
	uint64_t pc_fences, pc_flushes;
	uint64_t lib_fences, lib_flushes, lib_msyncs;
	double bytes_per_elem;
	char note[128];
	int prefault;
} run_result;

/* ---- run.c --------------------------------------------------------------- */

/* Every registered case (BENCH_CASE()), in registration order until main
 * sorts them. */
extern const bench_case **bench_reg;
extern size_t bench_nreg;

/* The case registered as workload/impl (exact names); NULL when none. */
const bench_case *bench_find(const char *workload, const char *impl);

/* The preload module's counter reader (pcoll_bench_preload_get), read at
 * bench_begin() and bench_end() in MODE_COUNT. */
typedef void (*preload_get_fn)(uint64_t out[4]);
void run_set_preload(preload_get_fn get);

/* Runs case c once with N = n, removes its pools. Returns 0 on success. */
int run_once(const bench_case *c, uint64_t n, enum mode mode, run_result *res);

/* Directory of the pools: $PCOLL_BENCH_DIR or /dev/shm. */
const char *bench_dir(void);
/* 1 when PMEM_IS_PMEM_FORCE=1 (the flush path on tmpfs). */
int env_is_pmem(void);

/* ---- child.c ------------------------------------------------------------- */

/* Locates pcoll-bench-count and the preload module next to this program;
 * call once before count_case() or callgrind_case(). */
void find_exe_dir(void);

/* The child side (--child count|callgrind): runs case workload/impl once
 * with N = n (0: the case's N) and writes its figures to result. Returns
 * the exit status. */
int child_main(const char *kind, const char *workload, const char *impl,
	       uint64_t n, const char *result);

/* Counting pass of case c with N = n in a child process. */
int count_case(const bench_case *c, uint64_t n, run_result *r);

/* Instructions between bench_begin and bench_end under callgrind. */
int callgrind_case(const bench_case *c, uint64_t n, uint64_t *instr,
		   uint64_t *ops);

/* ---- report.c ------------------------------------------------------------ */

/* The figures of one case over all its runs and passes. */
typedef struct case_stat {
	const bench_case *c;
	uint64_t n;
	int ok;
	int nruns;
	double *ns; /* per run ns/op */
	double median;
	uint64_t ops;
	double bytes_per_elem;
	char note[128];
	int prefault;
	int counted;
	uint64_t count_n, count_ops;
	run_result cnt;
	int has_instr;
	uint64_t instr_n;
	double instr_per_op;
} case_stat;

/* Reads the CPU model and the time stamp every JSON record carries. */
void report_init(void);

double median_of(const double *v, int n);

/* The table: header once, then one row per case with its ratios to the
 * anchors among grp[0..ng) (the cases of its workload). */
void print_header(void);
void print_row(const case_stat *s, const case_stat *grp, size_t ng);

/* One JSON line for case s (ratios to the anchors among grp[0..ng)). */
void write_json(FILE *f, const case_stat *s, const case_stat *grp, size_t ng);

#endif /* PCOLL_BENCH_HARNESS_H */
