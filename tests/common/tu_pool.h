/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Criterion helpers for the pool a test works on: make it, reopen it,
 * close and remove it. Each asserts and shows pcoll's message on failure.
 * Paths come from tu_path() (testutil.h), so the files go away even when
 * the test does not get to tu_close_rm().
 */
#ifndef PCOLL_TU_POOL_H
#define PCOLL_TU_POOL_H

#ifdef TU_MINI
#include "tu_mini.h"
#else
#include <criterion/criterion.h>
#endif
#include <signal.h>
#include <sys/wait.h>

#include "testutil.h"

/* A new pool of size bytes at tu_path(tag). */
static inline pc_pool *tu_mkpool(const char *tag, size_t size)
{
	pc_pool *p = NULL;
	pc_err e = pc_pool_create(tu_path(tag), size, &p);
	cr_assert_eq(e, PC_OK, "pool %s: %s", tag, pc_errmsg());
	return p;
}

/* Close *p and open the same path again. */
static inline void tu_reopen(pc_pool **p)
{
	char path[PC_PATH_MAX];
	(void)snprintf(path, sizeof(path), "%s", (*p)->path);
	cr_assert_eq(pc_pool_close(*p), PC_OK, "%s", pc_errmsg());
	*p = NULL;
	cr_assert_eq(pc_pool_open(path, p), PC_OK, "%s", pc_errmsg());
}

/* Close p and remove its file. */
static inline void tu_close_rm(pc_pool *p)
{
	char path[PC_PATH_MAX];
	(void)snprintf(path, sizeof(path), "%s", p->path);
	cr_assert_eq(pc_pool_close(p), PC_OK, "%s", pc_errmsg());
	tu_remove_pool(path);
}

/* A suite's teardown: close *p if it is open and remove its file; a pool
 * that a failed reopen left closed goes when the process exits. */
static inline void tu_drop(pc_pool **p)
{
	if (*p)
		tu_close_rm(*p);
	*p = NULL;
}

/* Bytes held by live allocations of p. */
static inline uint64_t tu_used(pc_pool *p)
{
	pc_pool_stats st;
	cr_assert_eq(pc_pool_stats_get(p, &st), PC_OK, "%s", pc_errmsg());
	return st.used;
}

/* fork(), with stdio flushed first so that the child does not write the
 * parent's buffered output again. */
static inline pid_t tu_fork(void)
{
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
	return pid;
}

/* Kill the child pid with SIGKILL and reap it: it must die of that kill,
 * not end on its own before it. */
static inline void tu_kill9(pid_t pid)
{
	cr_assert_eq(kill(pid, SIGKILL), 0);
	int st = 0;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		  "the child ended on its own, status %d", st);
}

#endif
