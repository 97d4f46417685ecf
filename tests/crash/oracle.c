/* SPDX-License-Identifier: BSD-3-Clause */
/* Crash oracle shared by the simulator and the kill soak: value streams,
 * the report line, the one-shot checker process, object counts,
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

int cr_check_in_child(const cr_scenario *s, const char *path, const cr_pos *at,
		      const cr_check_opts *co, char *why, size_t n)
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
		int r = cr_check_image(s, path, at, co, msg, sizeof(msg));
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

static void (*kind_hook)(const char *);

void cr_op_kind_hook(void (*fn)(const char *kind))
{
	kind_hook = fn;
}

void cr_op_kind(const char *kind)
{
	if (kind_hook)
		kind_hook(kind);
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

uint64_t cr_scratch_typenum(void);
uint64_t cr_scratch_typenum(void)
{
	pc_typesig ss = PC_SIG_OBJ(cr_scratch);
	return pc__sig_typenum(&ss);
}

size_t cr_count_all_objs(pc_pool *pool)
{
	/* The usability probe's scratch objects do not count. */
	uint64_t tn = cr_scratch_typenum();
	size_t n = 0;
	for (PMEMoid o = pmemobj_first(pool->pop); !OID_IS_NULL(o);
	     o = pmemobj_next(o))
		n += pmemobj_type_num(o) != tn;
	return n;
}

static int state_of(const cr_scenario *s, pc_pool *pool, int t, int k,
		    char *why, size_t n)
{
	if (s->nthreads > 1)
		return s->state_t(pool, t, k, why, n);
	return s->state_is(pool, k, why, n);
}

int cr_verify(const cr_scenario *s, pc_pool *pool, const cr_pos *at,
	      cr_pos *found, char *why, size_t n)
{
	if (s->check) {
		pc_err e = s->check(pool);
		if (e != PC_OK) {
			(void)cr_why(why, n, "container check: %s",
				     pc_errmsg());
			return CR_BAD;
		}
	}
	int res = CR_STATE_K;
	cr_pos f;
	memset(&f, 0, sizeof(f));
	for (int t = 0; t < cr_nthreads(s); t++) {
		char w1[700] = "", w2[700] = "", pre[32] = "";
		int k = at->k[t];
		if (s->nthreads > 1)
			(void)snprintf(pre, sizeof(pre), "thread %d: ", t);
		if (state_of(s, pool, t, k, w1, sizeof(w1)) == 0) {
			f.k[t] = k;
			continue;
		}
		if (at->inflight[t] &&
		    state_of(s, pool, t, k + 1, w2, sizeof(w2)) == 0) {
			f.k[t] = k + 1;
			res = CR_STATE_K1;
			continue;
		}
		if (at->inflight[t])
			(void)cr_why(why, n,
				     "%snot state(%d): %s; not state(%d): %s",
				     pre, k, w1, k + 1, w2);
		else
			(void)cr_why(why, n, "%snot state(%d): %s", pre, k, w1);
		return CR_BAD;
	}
	if (found)
		*found = f;
	return res;
}

/* Run up to m more operations per thread from position *at (every
 * thread's operations in turn, single-threaded) and move *at past them. */
static int continue_workload(const cr_scenario *s, pc_pool *pool, cr_pos *at,
			     int m, char *why, size_t n)
{
	int limit = s->soak_nops > s->nops ? s->soak_nops : s->nops;
	for (int t = 0; t < cr_nthreads(s); t++) {
		for (int j = 0; j < m && at->k[t] < limit; j++) {
			int i = at->k[t];
			pc_err e = s->nthreads > 1 ? s->op_t(pool, t, i)
						   : s->op(pool, i);
			if (e != PC_OK)
				return cr_why(why, n,
					      "continuing on the recovered "
					      "pool: thread %d operation %d "
					      "failed: %s",
					      t, i, pc_errmsg());
			at->k[t] = i + 1;
		}
		at->inflight[t] = 0;
	}
	return 0;
}

/* The recovered pool must be usable: new objects must not overlap live
 * ones, and freeing them restores the state. */
static int probe(const cr_scenario *s, pc_pool *pool, const cr_pos *at,
		 char *why, size_t n)
{
	static cr_scratch pat;
	memset(pat.b, 0xA5, sizeof(pat.b));
	PC_PTR(cr_scratch) p1 = PC_PTR_NULL(cr_scratch);
	PC_PTR(cr_scratch) p2 = PC_PTR_NULL(cr_scratch);
	pc_err te = PC_OK;
	pc_err e = PC_NEW_INIT(pool, cr_scratch, &p1, &pat);
	if (e == PC_OK) {
		TX(pool, &te) {
			if (PC_NEW_INIT(pool, cr_scratch, &p2, &pat) != PC_OK)
				break;
		}
	}
	if (e != PC_OK || te != PC_OK)
		return cr_why(why, n,
			      "recovered pool unusable: allocation failed: %s",
			      pc_errmsg());
	char w[1500];
	int r = 0;
	if (cr_verify(s, pool, at, NULL, w, sizeof(w)) != CR_STATE_K)
		r = cr_why(why, n,
			   "state changed by allocating in the recovered "
			   "pool: %s",
			   w);
	if (PC_FREE(pool, cr_scratch, &p1) != PC_OK ||
	    PC_FREE(pool, cr_scratch, &p2) != PC_OK)
		r = cr_why(why, n, "free failed: %s", pc_errmsg());
	return r;
}

int cr_check_image(const cr_scenario *s, const char *path, const cr_pos *at,
		   const cr_check_opts *co, char *why, size_t n)
{
	if (co->pmemobj_check) {
		pc_err e = pc_pool_check(path);
		if (e != PC_OK) {
			(void)cr_why(why, n, "pc_pool_check: %s", pc_errmsg());
			return CR_BAD;
		}
	}
	pc_pool *pool = NULL;
	pc_err e = pc_pool_open(path, &pool);
	if (e != PC_OK) {
		(void)cr_why(why, n, "pc_pool_open: %s", pc_errmsg());
		return CR_BAD;
	}
	cr_pos found;
	int r = cr_verify(s, pool, at, &found, why, n);
	char w[1500];
	if (r != CR_BAD && cr_heap_check(pool, s, w, sizeof(w))) {
		(void)cr_why(why, n, "heap: %s", w);
		r = CR_BAD;
	}
	if (r != CR_BAD && co->continue_ops > 0 && !s->no_continue) {
		cr_pos next = found;
		if (continue_workload(s, pool, &next, co->continue_ops, w,
				      sizeof(w)) ||
		    cr_verify(s, pool, &next, NULL, w, sizeof(w)) !=
			    CR_STATE_K) {
			(void)cr_why(
				why, n,
				"after recovery to %s, the next "
				"operations: %s",
				r == CR_STATE_K ? "state(k)" : "state(k+1)", w);
			r = CR_BAD;
		} else if (cr_heap_check(pool, s, w, sizeof(w))) {
			(void)cr_why(why, n,
				     "heap after continuing on the recovered "
				     "pool: %s",
				     w);
			r = CR_BAD;
		} else {
			found = next;
		}
	}
	if (r != CR_BAD && probe(s, pool, &found, w, sizeof(w))) {
		(void)cr_why(why, n, "%s", w);
		r = CR_BAD;
	}
	if (pc_pool_close(pool) != PC_OK && r != CR_BAD) {
		(void)cr_why(why, n, "pc_pool_close: %s", pc_errmsg());
		r = CR_BAD;
	}
	return r;
}
