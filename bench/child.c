/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll-bench: the child processes that count.
 *
 * Fences and flushes are counted in pcoll-bench-count (these sources built
 * with PCOLL_COUNT) run under LD_PRELOAD of pcoll-bench-preload.so;
 * instructions in pcoll-bench run under valgrind --tool=callgrind. The
 * parent (count_case(), callgrind_case()) spawns one child per case with
 * --child and a temporary result file, waits, removes the pools of a
 * child that died, and reads the figures back; the child side
 * (child_main()) runs the case once and writes them. Relies on run.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#ifdef PCOLL_COUNT
#define BENCH_COUNTING_BUILD 1
#else
#define BENCH_COUNTING_BUILD 0
#endif

/* ------------------------------------------------------------------ */
/* The child side                                                       */
/* ------------------------------------------------------------------ */

int child_main(const char *kind, const char *workload, const char *impl,
	       uint64_t n, const char *result)
{
	enum mode mode;
	if (strcmp(kind, "count") == 0) {
		mode = MODE_COUNT;
		if (!BENCH_COUNTING_BUILD) {
			fprintf(stderr, "pcoll-bench: --child count needs "
					"pcoll-bench-count\n");
			return 2;
		}
		void *sym = dlsym(RTLD_DEFAULT, "pcoll_bench_preload_get");
		preload_get_fn get;
		memcpy(&get, &sym, sizeof(sym));
		if (!get) {
			fprintf(stderr, "pcoll-bench: counting pass without "
					"the LD_PRELOAD counter\n");
			return 2;
		}
		run_set_preload(get);
	} else if (strcmp(kind, "callgrind") == 0) {
		mode = MODE_CALLGRIND;
	} else {
		fprintf(stderr, "pcoll-bench: bad --child %s\n", kind);
		return 2;
	}
	if (!workload || !impl || !result) {
		fprintf(stderr, "pcoll-bench: child needs --workload, --impl "
				"and --result\n");
		return 2;
	}
	const bench_case *c = bench_find(workload, impl);
	if (!c) {
		fprintf(stderr, "pcoll-bench: no case %s/%s\n", workload, impl);
		return 2;
	}
	run_result r;
	if (run_once(c, n ? n : c->default_n, mode, &r) != 0)
		return 1;
	FILE *f = fopen(result, "w");
	if (!f) {
		perror(result);
		return 2;
	}
	fprintf(f,
		"ops %llu\nelapsed_ns %llu\npc_fences %llu\npc_flushes %llu\n"
		"lib_fences %llu\nlib_flushes %llu\nlib_msyncs %llu\n",
		(unsigned long long)r.ops, (unsigned long long)r.elapsed_ns,
		(unsigned long long)r.pc_fences,
		(unsigned long long)r.pc_flushes,
		(unsigned long long)r.lib_fences,
		(unsigned long long)r.lib_flushes,
		(unsigned long long)r.lib_msyncs);
	return fclose(f) == 0 ? 0 : 2;
}

/* ------------------------------------------------------------------ */
/* The parent side                                                      */
/* ------------------------------------------------------------------ */

static char exe_dir[PATH_MAX];

void find_exe_dir(void)
{
	ssize_t k = readlink("/proc/self/exe", exe_dir, sizeof(exe_dir) - 1);
	if (k <= 0) {
		strcpy(exe_dir, ".");
		return;
	}
	exe_dir[k] = '\0';
	char *s = strrchr(exe_dir, '/');
	if (s)
		*s = '\0';
}

static const char *sibling(const char *envvar, const char *name, char *buf,
			   size_t n)
{
	const char *e = getenv(envvar);
	if (e && *e)
		return e;
	if (snprintf(buf, n, "%s/%s", exe_dir, name) >= (int)n)
		return name;
	return buf;
}

/* A child that died in a case leaves its pools: remove them. */
static void remove_child_pools(pid_t pid)
{
	char prefix[64], path[PATH_MAX];
	snprintf(prefix, sizeof(prefix), "pcoll-bench-%ld-", (long)pid);
	DIR *d = opendir(bench_dir());
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", bench_dir(),
			     e->d_name) < (int)sizeof(path))
			(void)unlink(path);
	}
	closedir(d);
}

/* Runs argv (argv[0] searched in PATH when it has no slash) with
 * LD_PRELOAD=preload when preload != NULL; waits. 0: exit status 0. */
static int spawn(char **argv, const char *preload, int quiet)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return -1;
	}
	if (pid == 0) {
		if (preload) {
			const char *old = getenv("LD_PRELOAD");
			char buf[2 * PATH_MAX];
			if (old && *old)
				snprintf(buf, sizeof(buf), "%s:%s", preload,
					 old);
			else
				snprintf(buf, sizeof(buf), "%s", preload);
			setenv("LD_PRELOAD", buf, 1);
		}
		if (quiet) {
			FILE *dn = freopen("/dev/null", "w", stdout);
			(void)dn;
		}
		execvp(argv[0], argv);
		fprintf(stderr, "pcoll-bench: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			perror("waitpid");
			return -1;
		}
	}
	remove_child_pools(pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFSIGNALED(st))
		fprintf(stderr, "pcoll-bench: %s killed by signal %d\n",
			argv[0], WTERMSIG(st));
	return -1;
}

static int make_temp(char *buf, size_t n, const char *what)
{
	const char *t = getenv("TMPDIR");
	snprintf(buf, n, "%s/pcoll-bench-%s-XXXXXX", t && *t ? t : "/tmp",
		 what);
	int fd = mkstemp(buf);
	if (fd < 0) {
		perror("mkstemp");
		return -1;
	}
	close(fd);
	return 0;
}

static int read_result(const char *path, run_result *r)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	memset(r, 0, sizeof(*r));
	char key[64];
	unsigned long long v;
	int got = 0;
	while (fscanf(f, "%63s %llu", key, &v) == 2) {
		got++;
		if (strcmp(key, "ops") == 0)
			r->ops = v;
		else if (strcmp(key, "elapsed_ns") == 0)
			r->elapsed_ns = v;
		else if (strcmp(key, "pc_fences") == 0)
			r->pc_fences = v;
		else if (strcmp(key, "pc_flushes") == 0)
			r->pc_flushes = v;
		else if (strcmp(key, "lib_fences") == 0)
			r->lib_fences = v;
		else if (strcmp(key, "lib_flushes") == 0)
			r->lib_flushes = v;
		else if (strcmp(key, "lib_msyncs") == 0)
			r->lib_msyncs = v;
	}
	fclose(f);
	return got > 0 && r->ops > 0 ? 0 : -1;
}

/* Runs case c once with N = n in a child: the command pre[0..npre) (the
 * child program, or a tool and its options before it) followed by the
 * --child arguments; LD_PRELOAD=preload when not NULL. Its figures in *r.
 * Returns 0 on success. */
static int run_child(const char *const *pre, int npre, const char *kind,
		     const bench_case *c, uint64_t n, const char *preload,
		     run_result *r)
{
	char tmp[PATH_MAX], nbuf[32], tbuf[16];
	const char *tail[] = {"--child",   kind,    "--workload", c->workload,
			      "--impl",    c->impl, "--n",        nbuf,
			      "--threads", tbuf,    "--result",   tmp};
	enum { NTAIL = sizeof(tail) / sizeof(tail[0]) };
	char *argv[16 + NTAIL + 1];
	if (npre > 16 || make_temp(tmp, sizeof(tmp), kind) != 0)
		return -1;
	snprintf(nbuf, sizeof(nbuf), "%llu", (unsigned long long)n);
	snprintf(tbuf, sizeof(tbuf), "%u", bench_threads);
	int k = 0;
	for (int i = 0; i < npre; i++)
		argv[k++] = (char *)pre[i];
	for (int i = 0; i < NTAIL; i++)
		argv[k++] = (char *)tail[i];
	argv[k] = NULL;
	int rc = spawn(argv, preload, 1);
	if (rc == 0)
		rc = read_result(tmp, r);
	unlink(tmp);
	return rc;
}

/* Counting pass of case c with N = n. */
int count_case(const bench_case *c, uint64_t n, run_result *r)
{
	char exe[PATH_MAX], pre[PATH_MAX];
	const char *e = sibling("PCOLL_BENCH_COUNT_EXE", "pcoll-bench-count",
				exe, sizeof(exe));
	const char *p = sibling("PCOLL_BENCH_PRELOAD", "pcoll-bench-preload.so",
				pre, sizeof(pre));
	if (access(e, X_OK) != 0 || access(p, R_OK) != 0) {
		fprintf(stderr,
			"pcoll-bench: counting needs %s and %s (or "
			"--no-count)\n",
			e, p);
		return -1;
	}
	int rc = run_child(&e, 1, "count", c, n, p, r);
	if (rc != 0)
		fprintf(stderr, "pcoll-bench: counting pass of %s/%s failed\n",
			c->workload, c->impl);
	return rc;
}

/* Instructions between bench_begin and bench_end under callgrind. */
int callgrind_case(const bench_case *c, uint64_t n, uint64_t *instr,
		   uint64_t *ops)
{
#ifndef BENCH_HAVE_CALLGRIND
	(void)c;
	(void)n;
	(void)instr;
	(void)ops;
	fprintf(stderr, "pcoll-bench: built without valgrind/callgrind.h; "
			"--callgrind is not available\n");
	return -1;
#else
	char exe[PATH_MAX], out[PATH_MAX], outopt[PATH_MAX + 32];
	if (snprintf(exe, sizeof(exe), "%s/pcoll-bench", exe_dir) >=
	    (int)sizeof(exe))
		return -1;
	if (make_temp(out, sizeof(out), "cgout") != 0)
		return -1;
	snprintf(outopt, sizeof(outopt), "--callgrind-out-file=%s", out);
	const char *pre[] = {"valgrind",
			     "-q",
			     "--tool=callgrind",
			     outopt,
			     "--collect-atstart=no",
			     "--instr-atstart=no",
			     exe};
	run_result r;
	int rc = run_child(pre, (int)(sizeof(pre) / sizeof(pre[0])),
			   "callgrind", c, n, NULL, &r);
	*instr = 0;
	if (rc == 0) {
		FILE *f = fopen(out, "r");
		char line[512];
		int found = 0;
		while (f && fgets(line, sizeof(line), f)) {
			unsigned long long v;
			/* With --collect-atstart=no callgrind 3.19 writes
			 * "summary: 0"; "totals:" holds the collected
			 * events. */
			if (sscanf(line, "totals: %llu", &v) == 1) {
				*instr = v;
				found = 2;
			} else if (found < 2 &&
				   sscanf(line, "summary: %llu", &v) == 1) {
				*instr = v;
				found = 1;
			}
		}
		if (f)
			fclose(f);
		rc = found ? 0 : -1;
		*ops = r.ops;
	}
	unlink(out);
	if (rc != 0)
		fprintf(stderr, "pcoll-bench: callgrind pass of %s/%s failed\n",
			c->workload, c->impl);
	return rc;
#endif
}
