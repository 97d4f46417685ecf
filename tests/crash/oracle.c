/* SPDX-License-Identifier: BSD-3-Clause */
/* Crash oracle helpers shared by the simulator and the kill soak: value
 * streams, the report line, the checker process, object counts,
 * cr_verify() and cr_check_image(). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim.h"

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

uint64_t cr_val(uint64_t seed, uint64_t i)
{
	uint64_t s = seed * 0x100000001B3ull + i;
	return mix(&s);
}

void cr_report_line(const char *line)
{
	fputs(line, stdout);
	fflush(stdout);
	const char *rep = getenv("PCOLL_CRASH_REPORT");
	if (rep && *rep) {
		FILE *f = fopen(rep, "a");
		if (f) {
			fputs(line, f);
			(void)fclose(f);
		}
	}
}

int cr_write_all(int fd, const void *buf, size_t n)
{
	const char *p = (const char *)buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int cr_check_in_child(const cr_scenario *s, const char *path, int k,
		      int allow_next, char *why, size_t n)
{
	int pfd[2];
	if (pipe(pfd) != 0)
		return -2;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -2;
	if (pid == 0) {
		close(pfd[0]);
		alarm(60);
		char msg[2048] = "";
		int r = cr_check_image(s, path, k, allow_next, msg,
				       sizeof(msg));
		(void)cr_write_all(pfd[1], msg, strlen(msg));
		_exit(r == CR_STATE_K ? 0 : r == CR_STATE_K1 ? 1 : 2);
	}
	close(pfd[1]);
	size_t got = 0;
	for (;;) {
		ssize_t r = read(pfd[0], why + got, n - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		if (got >= n - 1)
			break;
	}
	why[got] = '\0';
	close(pfd[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) <= 1)
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		(void)snprintf(why + got, n - got,
			       " checker killed by signal %d%s", WTERMSIG(st),
			       WTERMSIG(st) == SIGALRM ? " (hang)" : "");
	return CR_BAD;
}

/* ------------------------------------------------------------------ */
/* Oracle helpers                                                       */
/* ------------------------------------------------------------------ */

size_t cr_count_objs(pc_pool *pool, const pc_typesig *sig)
{
	uint64_t tn = pc__sig_typenum(sig);
	size_t n = 0;
	for (PMEMoid o = pmemobj_first(pool->pop); !OID_IS_NULL(o);
	     o = pmemobj_next(o))
		if (pmemobj_type_num(o) == tn)
			n++;
	return n;
}

typedef struct cr_scratch {
	unsigned char b[1000];
} cr_scratch;
PC_DECLARE(cr_scratch);

size_t cr_count_all_objs(pc_pool *pool)
{
	/* The usability probe's scratch objects do not count. */
	pc_typesig ss = PC_SIG_OBJ(cr_scratch);
	uint64_t tn = pc__sig_typenum(&ss);
	size_t n = 0;
	for (PMEMoid o = pmemobj_first(pool->pop); !OID_IS_NULL(o);
	     o = pmemobj_next(o))
		n += pmemobj_type_num(o) != tn;
	return n;
}

int cr_verify(const cr_scenario *s, pc_pool *pool, int k, int allow_next,
	      char *why, size_t n)
{
	if (s->check) {
		pc_err e = s->check(pool);
		if (e != PC_OK) {
			(void)cr_why(why, n, "container check: %s",
				     pc_errmsg());
			return CR_BAD;
		}
	}
	char w1[700] = "", w2[700] = "";
	if (s->state_is(pool, k, w1, sizeof(w1)) == 0)
		return CR_STATE_K;
	if (allow_next && s->state_is(pool, k + 1, w2, sizeof(w2)) == 0)
		return CR_STATE_K1;
	if (allow_next)
		(void)cr_why(why, n, "not state(%d): %s; not state(%d): %s", k,
			     w1, k + 1, w2);
	else
		(void)cr_why(why, n, "not state(%d): %s", k, w1);
	return CR_BAD;
}

int cr_check_image(const cr_scenario *s, const char *path, int k,
		   int allow_next, char *why, size_t n)
{
	pc_err e = pc_pool_check(path);
	if (e != PC_OK) {
		(void)cr_why(why, n, "pc_pool_check: %s", pc_errmsg());
		return CR_BAD;
	}
	pc_pool *pool = NULL;
	e = pc_pool_open(path, &pool);
	if (e != PC_OK) {
		(void)cr_why(why, n, "pc_pool_open: %s", pc_errmsg());
		return CR_BAD;
	}
	int r = cr_verify(s, pool, k, allow_next, why, n);
	if (r != CR_BAD) {
		/* The recovered pool must be usable: new objects must not
		 * overlap live ones, and freeing them restores the state. */
		static cr_scratch pat;
		memset(pat.b, 0xA5, sizeof(pat.b));
		PC_PTR(cr_scratch) p1 = PC_PTR_NULL(cr_scratch);
		PC_PTR(cr_scratch) p2 = PC_PTR_NULL(cr_scratch);
		pc_err te = PC_OK;
		e = PC_NEW_INIT(pool, cr_scratch, &p1, &pat);
		if (e == PC_OK) {
			TX(pool, &te) {
				if (PC_NEW_INIT(pool, cr_scratch, &p2, &pat) !=
				    PC_OK)
					break;
			}
		}
		if (e != PC_OK || te != PC_OK) {
			(void)cr_why(why, n,
				     "recovered pool unusable: allocation "
				     "failed: %s",
				     pc_errmsg());
			r = CR_BAD;
		} else {
			int want = r == CR_STATE_K ? k : k + 1;
			char w[700];
			if (s->check && s->check(pool) != PC_OK) {
				(void)cr_why(why, n,
					     "check fails after allocating "
					     "in the recovered pool: %s",
					     pc_errmsg());
				r = CR_BAD;
			} else if (s->state_is(pool, want, w, sizeof(w))) {
				(void)cr_why(why, n,
					     "state changed by allocating in "
					     "the recovered pool: %s",
					     w);
				r = CR_BAD;
			}
			if (PC_FREE(pool, cr_scratch, &p1) != PC_OK ||
			    PC_FREE(pool, cr_scratch, &p2) != PC_OK) {
				(void)cr_why(why, n, "free failed: %s",
					     pc_errmsg());
				r = CR_BAD;
			}
		}
	}
	if (pc_pool_close(pool) != PC_OK && r != CR_BAD) {
		(void)cr_why(why, n, "pc_pool_close: %s", pc_errmsg());
		r = CR_BAD;
	}
	return r;
}
