/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Criterion report hooks linked into every test program (tests/meson.build
 * adds this file to test_deps). They run in the runner process, which
 * outlives every worker:
 *   PRE_ALL   names the run: $PCOLL_TU_RUN = the runner's pid, inherited
 *             by the workers, goes into every tu_path() name; and removes
 *             what earlier runs whose runner is gone left behind (a runner
 *             killed itself, by a meson timeout or by hand, never reaches
 *             its POST_ALL); for names of run 0 (no Criterion runner) the
 *             owning process decides;
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
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

/* 1 when process pid is gone (no /proc/<pid>; /proc itself present). */
static int tu__dead(long pid)
{
	char proc[48];
	struct stat st;
	(void)snprintf(proc, sizeof(proc), "/proc/%ld", pid);
	return pid > 0 && stat("/proc/self", &st) == 0 && stat(proc, &st) != 0;
}

/* Remove the entries "pcoll-test-<run>-<pid>-..." whose owner is gone:
 * the runner <run>, or for run 0 the process <pid>. */
static void tu__sweep_dead(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		long run, pid;
		if (sscanf(de->d_name, "pcoll-test-%ld-%ld-", &run, &pid) != 2)
			continue;
		if (!tu__dead(run ? run : pid))
			continue;
		char prefix[96];
		(void)snprintf(prefix, sizeof(prefix),
			       run ? "pcoll-test-%ld-" : "pcoll-test-0-%ld-",
			       run ? run : pid);
		tu_sweep(dir, prefix);
		rewinddir(d);
	}
	(void)closedir(d);
}

ReportHook(PRE_ALL)(struct criterion_test_set *tests)
{
	(void)tests;
	char run[24];
	(void)snprintf(run, sizeof(run), "%ld", (long)getpid());
	(void)setenv("PCOLL_TU_RUN", run, 1);
	/* After the run is named: tu_dir() takes the run id once. */
	const char *keep = getenv("PCOLL_KEEP_POOLS");
	if (!keep || strcmp(keep, "1") != 0)
		tu__sweep_dead(tu_dir());
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
