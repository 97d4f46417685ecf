/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pools are removed however a test ends. Each test here runs one test of
 * cleanup_victim.c (a failed assertion, a segfault, abort(), a Criterion
 * timeout, a crashing child) or a shell driver using testutil.sh (a
 * failed check, SIGTERM) in an empty directory, checks that it failed the
 * way it should after making its pools, and that the directory is empty
 * afterwards. The same run with PCOLL_KEEP_POOLS=1 (removal off) must
 * leave files there: the check sees leftovers when there are some.
 * Except for the timeout, the victim runs with the end-of-run sweep off
 * (PCOLL_TU_NO_RUN_SWEEP=1, tu_hooks.c): what is removed there is removed
 * by the dying worker itself.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "testutil.h"

static char out[16384];

/* An empty directory of this test's own (removed with its pools). */
static const char *fresh_dir(const char *tag)
{
	const char *dir = tu_path_ext(tag, "dir");
	cr_assert_eq(mkdir(dir, 0700), 0, "mkdir %s", dir);
	return dir;
}

/* Runs cmd (a shell command) with PCOLL_TEST_DIR=dir and
 * PCOLL_KEEP_POOLS=keep; its output lands in out. Returns the wait status.
 * BXFI_MAP marks this process as Criterion's worker: a Criterion program
 * started with it would take itself for one. */
static int run_in(const char *dir, int keep, const char *cmd)
{
	const char *log = tu_path_ext("cleanup-out", "txt");
	char full[4096];
	(void)snprintf(
		full, sizeof(full),
		"env -u BXFI_MAP PCOLL_TEST_DIR='%s' PCOLL_KEEP_POOLS=%d "
		"%s >'%s' 2>&1",
		dir, keep, cmd, log);
	int st = system(full);
	FILE *f = fopen(log, "r");
	size_t n = f ? fread(out, 1, sizeof(out) - 1, f) : 0;
	out[n] = '\0';
	if (f)
		(void)fclose(f);
	tu_remove_pool(log);
	return st;
}

/* Names of what dir holds, space-separated, and how many. */
static int leftovers(const char *dir, char *names, size_t n)
{
	DIR *d = opendir(dir);
	cr_assert(d, "opendir %s", dir);
	int count = 0;
	size_t k = 0;
	names[0] = '\0';
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		count++;
		int w = snprintf(names + k, n - k, " %s", e->d_name);
		if (w > 0 && (size_t)w < n - k)
			k += (size_t)w;
	}
	(void)closedir(d);
	return count;
}

/* 1 when out holds one of the |-separated words of alts (or alts is
 * empty). */
static int printed_one_of(const char *alts)
{
	if (!*alts)
		return 1;
	char buf[256];
	(void)snprintf(buf, sizeof(buf), "%s", alts);
	char *save = NULL;
	for (char *w = strtok_r(buf, "|", &save); w;
	     w = strtok_r(NULL, "|", &save))
		if (strstr(out, w))
			return 1;
	return 0;
}

/* Runs cmd twice in fresh directories: with removal the directory ends
 * empty, with PCOLL_KEEP_POOLS=1 it holds at least min_kept entries. Both
 * runs must fail (exit status or signal as `failed` says) and print
 * `made`, which the command prints only once it made its files; the run
 * with removal must also print one of the |-separated words of `how` (how
 * it failed). */
static void expect_cleaned(const char *cmd, const char *made, const char *how,
			   int min_kept, int (*failed)(int st))
{
	char names[4096];
	for (int keep = 0; keep <= 1; keep++) {
		const char *dir = fresh_dir(keep ? "kept" : "cleaned");
		int st = run_in(dir, keep, cmd);
		cr_assert(failed(st), "%s: status %d, output:\n%s", cmd, st,
			  out);
		cr_assert(strstr(out, made), "%s: no \"%s\" in:\n%s", cmd, made,
			  out);
		cr_assert(keep || printed_one_of(how),
			  "%s: none of \"%s\" in:\n%s", cmd, how, out);
		int n = leftovers(dir, names, sizeof(names));
		if (keep)
			cr_assert_geq(n, min_kept,
				      "%s kept only:%s (removal was off)", cmd,
				      names);
		else
			cr_assert_eq(n, 0, "%s left:%s\noutput:\n%s", cmd,
				     names, out);
		tu_sweep(dir, "");
		(void)rmdir(dir);
	}
}

static int exited_1(int st)
{
	return WIFEXITED(st) && WEXITSTATUS(st) == 1;
}

static const char *victim(void)
{
	const char *v = getenv("PCOLL_CLEANUP_VICTIM");
	cr_assert(v, "PCOLL_CLEANUP_VICTIM is not set");
	return v;
}

/* The victim test `name`, alone; sweep: whether the runner's end-of-run
 * sweep is on. Criterion exits 1 when a test failed or crashed. Kept: the
 * fixed pool, the poolset file, its .parts directory and the copy. */
static void victim_case(const char *name, const char *how, int sweep)
{
	char cmd[1024];
	(void)snprintf(cmd, sizeof(cmd),
		       "PCOLL_TU_NO_RUN_SWEEP=%d '%s' --jobs=1 --filter "
		       "'victim/%s'",
		       !sweep, victim(), name);
	expect_cleaned(cmd, "victim: pools made", how, 4, exited_1);
}

Test(cleanup, failed_assertion)
{
	victim_case("assert_fails", "deliberate failure", 0);
}

Test(cleanup, segfault)
{
	/* Criterion's word for it, or the sanitizer's, which catches the
	 * fault in a sanitizer build (after the removal) and exits. */
	victim_case("segfaults", "CRASH|AddressSanitizer: SEGV", 0);
}

Test(cleanup, abort)
{
	victim_case("aborts", "CRASH", 0);
}

Test(cleanup, killed_by_criterion_timeout)
{
	victim_case("times_out", "Timed out", 1);
}

Test(cleanup, crashing_child_removes_only_its_own)
{
	victim_case("child_crashes", "deliberate failure after the child", 0);
}

/* Shell drivers (examples and tests) keep their pools in $TU_DIR. */
static void shell_case(const char *body, const char *how, int (*failed)(int st))
{
	const char *lib = getenv("PCOLL_TESTUTIL_SH");
	cr_assert(lib, "PCOLL_TESTUTIL_SH is not set");
	char cmd[2048];
	(void)snprintf(cmd, sizeof(cmd),
		       "sh -c '. \"%s\"; tu_setup case; "
		       ": > \"$TU_DIR/a.pool\"; mkdir \"$TU_DIR/b.parts\"; "
		       ": > \"$TU_DIR/b.parts/000000.pmem\"; "
		       "echo made; %s'",
		       lib, body);
	/* What is kept is the one directory tu_setup made. */
	expect_cleaned(cmd, "made", how, 1, failed);
}

static int killed_by_term(int st)
{
	/* system() runs sh -c CMD under /bin/sh, which reports a child
	 * killed by SIGTERM as status 128 + 15. */
	return (WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM) ||
	       (WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM);
}

Test(cleanup, shell_failed_check)
{
	shell_case("echo check FAILED; exit 1", "check FAILED", exited_1);
}

Test(cleanup, shell_killed)
{
	shell_case("kill -s TERM $$; sleep 5; exit 0", "", killed_by_term);
}
