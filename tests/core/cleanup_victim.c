/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests that fail on purpose, each after making pools through tu_path():
 * a fixed pool and a growable one (a poolset file and its .parts
 * directory), both left open, and a file named after the first. Not a
 * meson test: test_cleanup.c runs each one alone in an empty directory
 * and checks that nothing is left there afterwards.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tu_pool.h"

static void make_pools(const char *tag)
{
	pc_pool *p = NULL, *g = NULL;
	cr_assert_eq(pc_pool_create(tu_path(tag), PC_POOL_MIN_SIZE, &p), PC_OK,
		     "%s", pc_errmsg());
	cr_assert_eq(pc_pool_create_growable(tu_path(tag), PC_POOL_MIN_SIZE,
					     PC_POOL_MIN_GROW_STEP, 0, &g),
		     PC_OK, "%s", pc_errmsg());
	char copy[PC_PATH_MAX + 8];
	(void)snprintf(copy, sizeof(copy), "%s.copy", p->path);
	FILE *f = fopen(copy, "w");
	cr_assert(f, "%s", copy);
	(void)fclose(f);
	fprintf(stderr, "victim: pools made\n");
}

Test(victim, assert_fails)
{
	make_pools("assert");
	cr_assert_fail("deliberate failure");
}

Test(victim, segfaults)
{
	make_pools("segv");
	volatile int *volatile nowhere = NULL;
	*nowhere = 1;
}

Test(victim, aborts)
{
	make_pools("abort");
	abort();
}

Test(victim, times_out, .timeout = 4)
{
	make_pools("hang");
	for (;;)
		pause();
}

/* A forked child that crashes removes its own pool (its signal handler)
 * and leaves its parent's alone. */
Test(victim, child_crashes)
{
	make_pools("parent");
	char mine[PC_PATH_MAX], theirs[PC_PATH_MAX] = "";
	(void)snprintf(mine, sizeof(mine), "%s", tu_path("parent-own"));
	FILE *f = fopen(mine, "w");
	cr_assert(f);
	(void)fclose(f);
	int pfd[2];
	cr_assert_eq(pipe(pfd), 0);
	pid_t pid = tu_fork();
	if (pid == 0) {
		pc_pool *c = NULL;
		const char *path = tu_path("child");
		if (pc_pool_create(path, PC_POOL_MIN_SIZE, &c) != PC_OK ||
		    write(pfd[1], path, strlen(path) + 1) < 0)
			_exit(3);
		abort();
	}
	(void)close(pfd[1]);
	ssize_t got = read(pfd[0], theirs, sizeof(theirs) - 1);
	(void)close(pfd[0]);
	int st = 0;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "child status %d",
		  st);
	cr_assert_gt(got, 0, "the child made no pool");
	cr_assert_neq(access(theirs, F_OK), 0, "the child left %s", theirs);
	cr_assert_eq(access(mine, F_OK), 0, "the child removed %s", mine);
	cr_assert_fail("deliberate failure after the child");
}
