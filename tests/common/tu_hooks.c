/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Criterion report hooks linked into every test program (tests/meson.build
 * adds this file to test_deps). They run in the runner process, which
 * outlives every worker:
 *   PRE_ALL   names the run: $PCOLL_TU_RUN = the runner's pid, inherited
 *             by the workers, goes into every tu_path() name;
 *   POST_ALL  removes every entry of the run left in the test directory,
 *             whatever ended its worker: also SIGKILL (a .timeout), which
 *             no handler in the worker can see. PCOLL_TU_NO_RUN_SWEEP=1
 *             turns this off, so that test_cleanup.c can show the removal
 *             inside the worker working on its own.
 * See testutil.h for the removal inside the worker itself.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"

ReportHook(PRE_ALL)(struct criterion_test_set *tests)
{
	(void)tests;
	char run[24];
	(void)snprintf(run, sizeof(run), "%ld", (long)getpid());
	(void)setenv("PCOLL_TU_RUN", run, 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	const char *keep = getenv("PCOLL_KEEP_POOLS");
	const char *off = getenv("PCOLL_TU_NO_RUN_SWEEP");
	if ((keep && strcmp(keep, "1") == 0) || (off && strcmp(off, "1") == 0))
		return;
	char prefix[96];
	const char *dir = tu_dir();
	tu__prefix(prefix, sizeof(prefix), 0);
	tu_sweep(dir, prefix);
}
