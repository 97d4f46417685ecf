/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Power-failure simulator, part 2: the driver.
 *
 * cr_run() runs a scenario's workload in a child process W with the
 * interposer tracking the pool mapping. At each selected fence point W
 * writes the durable image and the list of dirty words (live memory that
 * differs from it) and waits; the parent P, which never opens a pool
 * (libpmemobj refuses a second pool with the same UUID in one process),
 * builds crash images from them and forks one checker per image (up to
 * `jobs` at once). A checker writes its image to a file, opens it with
 * pcoll and checks it (oracle.c).
 *
 * Images at a fence point, over its n dirty cache lines:
 *   a    the durable image only;
 *   b    durable plus every dirty word;
 *   S    n <= exhaustive_max: every other subset of the dirty lines;
 *   M/O  otherwise: each image with one dirty line missing, and each with
 *        only one dirty line (at most max_one of each, chosen at random);
 *   L/W  random subsets of the dirty lines / of the dirty 8-byte words.
 *
 * Sampling (unless full): a dry run records every fence point with the
 * operation in flight, its kind (cr_op_kind()), the fence's ordinal within
 * the operation and its call site; strata are (kind, ordinal) pairs and
 * call sites, and every stratum gets `per_stratum` points drawn with the
 * seed, plus `extra` random points. A new seed per run (printed) makes
 * coverage accumulate over CI runs; a failure prints the seed and the
 * command that replays it.
 *
 * Recovery crashes: for a share of the crash points one image is also
 * recovered under tracking, that recovery is crashed at some of its own
 * fence points, and those images are recovered and checked again.
 */
#ifndef PCOLL_CRASH_SIM_H
#define PCOLL_CRASH_SIM_H

#include <stdint.h>

#include "scenario.h"

typedef struct cr_opts {
	int full;           /* every fence point (PCOLL_CRASH_FULL=1) */
	int per_stratum;    /* points per stratum when sampling */
	int extra;          /* random points on top when sampling */
	int images;         /* image budget per scenario when sampling */
	int exhaustive_max; /* every subset up to this many dirty lines */
	int max_one;        /* cap of one-missing / one-only images (0: all) */
	int nrandom;        /* random L and W images per point */
	int recovery_every; /* recovery crash at 1 of this many points (0: no) */
	int recovery_points;   /* recovery fence points crashed at (0: all) */
	int continue_ops;      /* operations run on a recovered image */
	int pmemobj_check;     /* 1: pmemobj_check on every image; 0: a and b */
	int jobs;              /* checkers at once */
	int stop_at_first;     /* stop at the first failing image */
	unsigned switch_every; /* multi-threaded: switch at 1 of N points */
	uint64_t seed;         /* PCOLL_CRASH_SEED, else random */
	double budget;         /* seconds per scenario when sampling; 0: none */
	int only_fence;        /* PCOLL_CRASH_FENCE: only this point (-1) */
	int keep;              /* PCOLL_CRASH_KEEP: keep failing images */
	int debug;             /* PCOLL_CRASH_DEBUG: print every point */
	int quiet;
	char replay[512]; /* how to rerun this program for one scenario */
} cr_opts;

typedef struct cr_result {
	uint64_t fences;      /* fence points in the run */
	uint64_t strata;      /* strata found by the dry run */
	uint64_t strata_hit;  /* strata with a crash point checked */
	uint64_t tried;       /* fence points crashed at (plus the final) */
	uint64_t same;        /* of those, identical to the previous one */
	uint64_t images;      /* crash images checked */
	uint64_t exhaustive;  /* points whose every line subset was checked */
	uint64_t max_lines;   /* most dirty lines at a crash point */
	uint64_t at_k;        /* images holding state(k) */
	uint64_t at_k1;       /* images holding state(k+1) somewhere */
	uint64_t rec_images;  /* images of crashed recoveries checked */
	uint64_t rec_crashes; /* recovery fence points crashed at */
	uint64_t failures;    /* images that failed a check or the oracle */
	uint64_t switches;    /* thread switches (multi-threaded) */
	int harness_error;    /* the workload or the harness failed */
	double seconds;
	char first_failure[3072];
	char error[512];
} cr_result;

/* Defaults from the environment: PCOLL_CRASH_FULL, _SEED, _STRATUM,
 * _EXTRA, _EXHAUSTIVE, _MAX_ONE, _RANDOM, _RECOVERY, _CONTINUE, _JOBS,
 * _BUDGET, _FENCE, _KEEP (see docs/crash.md). The seed is drawn at random
 * once per process unless PCOLL_CRASH_SEED is set. */
void cr_opts_default(cr_opts *o);

/* Run scenario @p s; 0 when the harness ran (check r->failures), -1 on a
 * harness error (r->error says what). */
int cr_run(const cr_scenario *s, const cr_opts *o, cr_result *r);

/* Print one summary line (stdout, and appended to $PCOLL_CRASH_REPORT). */
void cr_report(const char *label, const cr_scenario *s, const cr_opts *o,
	       const cr_result *r);

/* How cr_check_image() checks. */
typedef struct cr_check_opts {
	int pmemobj_check; /* run pc_pool_check() first */
	int continue_ops;  /* then run this many operations and check again */
} cr_check_opts;

/* Open the image at @p path and check it at position @p at: pc_pool_check
 * (if asked), pc_pool_open, cr_verify, the heap oracle, continue the
 * workload for a few operations and check again, and a usability probe
 * (allocate, re-verify, free). Returns CR_STATE_K, CR_STATE_K1 or CR_BAD
 * with why. Used by the checker processes and the kill soak. */
int cr_check_image(const cr_scenario *s, const char *path, const cr_pos *at,
		   const cr_check_opts *co, char *why, size_t n);

/* Run cr_check_image() in a fresh process (alarm: 60 s); its message, or
 * the signal that ended it, in why. Returns CR_STATE_K, CR_STATE_K1,
 * CR_BAD, or -2 when the process could not be started. */
int cr_check_in_child(const cr_scenario *s, const char *path, const cr_pos *at,
		      const cr_check_opts *co, char *why, size_t n);

/* Print line as it is, to stdout and appended to $PCOLL_CRASH_REPORT. */
void cr_report_line(const char *line);

/* write() all n bytes (retrying on EINTR); 0, or -1 on an error. */
int cr_write_all(int fd, const void *buf, size_t n);

/* Heap oracle (heap.c): every allocated object is reachable from the root
 * directory (no leak) and every reference in every container and user
 * root points to an allocated object of the right type (no dangling or
 * mistyped reference, none owned twice). 0, or 1 with why. */
int cr_heap_check(pc_pool *pool, const cr_scenario *s, char *why, size_t n);

/* Report the volatile parts of every container in @p pool (locks,
 * run-time state rebuilt at open) to add(pool offset, length) (heap.c). */
void cr_volatile_ranges(pc_pool *pool, void (*add)(size_t off, size_t len));

/* Report the extent of every object the pool's root directory reaches
 * (pcoll's root, the directory, containers and their nodes, arrays,
 * chunks and strings, user objects through obj_refs) to add() (heap.c). */
void cr_known_ranges(pc_pool *pool, const cr_scenario *s,
		     void (*add)(size_t off, size_t len, void *arg), void *arg);

/* Where cr_op_kind() reports to (the tracked process sets it). */
void cr_op_kind_hook(void (*fn)(const char *kind));

#endif
