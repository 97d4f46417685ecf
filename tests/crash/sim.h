/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Power-failure simulator, part 2: the driver.
 *
 * cr_run() runs a scenario's workload in a child process W with the
 * interposer tracking the pool mapping. At each selected fence point W
 * writes crash images (copies of the pool file) and asks the parent P to
 * check them; P has never opened the pool (libpmemobj refuses a second pool
 * with the same UUID in one process), so it forks one checker per image,
 * which opens the image with pcoll and runs cr_verify().
 *
 * Images at a fence point (taken just before the fence takes effect):
 *   a  the durable image only;
 *   b  durable plus every dirty 8-byte word (live memory);
 *   cL random subsets of the dirty cache lines (whole lines);
 *   cW random subsets of the dirty 8-byte words.
 * Dirty means live memory differs from the durable image.
 *
 * Sampling: unless full, a dry run counts the fence points first and a
 * seeded random sample of them is crashed at.
 */
#ifndef PCOLL_CRASH_SIM_H
#define PCOLL_CRASH_SIM_H

#include <stdint.h>

#include "scenario.h"

typedef struct cr_opts {
	int full;      /* every fence point (PCOLL_CRASH_FULL=1) */
	int sample;    /* fence points crashed at otherwise */
	int nrandom;   /* random-subset images per fence point */
	uint64_t seed; /* PCOLL_CRASH_SEED, else fixed */
	double budget; /* seconds of checking when sampling; 0: none */
	int quiet;
} cr_opts;

typedef struct cr_result {
	uint64_t fences;   /* fence points in the run */
	uint64_t tried;    /* fence points crashed at (plus the final point) */
	uint64_t same;     /* of those, identical to the previous one */
	uint64_t images;   /* crash images checked */
	uint64_t at_k;     /* images holding state(k) */
	uint64_t at_k1;    /* images holding state(k+1) */
	uint64_t failures; /* images that failed a check or the oracle */
	int harness_error; /* the workload or the harness failed */
	double seconds;
	char first_failure[2048];
	char error[512];
} cr_result;

/* Defaults from the environment: PCOLL_CRASH_FULL, PCOLL_CRASH_SAMPLE,
 * PCOLL_CRASH_RANDOM, PCOLL_CRASH_SEED, PCOLL_CRASH_BUDGET. */
void cr_opts_default(cr_opts *o);

/* Run scenario @p s; 0 when the harness ran (check r->failures), -1 on a
 * harness error (r->error says what). */
int cr_run(const cr_scenario *s, const cr_opts *o, cr_result *r);

/* Print one summary line (stdout, and appended to $PCOLL_CRASH_REPORT). */
void cr_report(const char *label, const cr_scenario *s, const cr_opts *o,
	       const cr_result *r);

/* Print line as it is, to stdout and appended to $PCOLL_CRASH_REPORT. */
void cr_report_line(const char *line);

/* Run cr_check_image() in a fresh process (alarm: 60 s); its message, or
 * the signal that ended it, in why. Returns CR_STATE_K, CR_STATE_K1,
 * CR_BAD, or -2 when the process could not be started. */
int cr_check_in_child(const cr_scenario *s, const char *path, int k,
		      int allow_next, char *why, size_t n);

/* write() all n bytes (retrying on EINTR); 0, or -1 on an error. */
int cr_write_all(int fd, const void *buf, size_t n);

/* Open the image at @p path, run pc_pool_check, cr_verify and a usability
 * probe (allocate, re-verify, free). Returns CR_STATE_K, CR_STATE_K1 or
 * CR_BAD with why. Used by the checker processes and the kill soak. */
int cr_check_image(const cr_scenario *s, const char *path, int k,
		   int allow_next, char *why, size_t n);

#endif
