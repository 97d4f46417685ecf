/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll-bench: runs the standard workloads (WORKLOADS.md) against their
 * anchors in one run and reports ns/op, ratios, fences/op, flushes/op and,
 * on request, instructions/op. See docs/bench.md.
 *
 * One process measures time. Counting and instruction counts come from
 * child processes running one case each:
 * - pcoll-bench-count (these sources built with PCOLL_COUNT) under
 *   LD_PRELOAD of pcoll-bench-preload.so counts fences and flushes;
 * - pcoll-bench under valgrind --tool=callgrind counts instructions
 *   between bench_begin() and bench_end().
 * A child writes its figures to a temporary file named by the parent.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pcoll/persist.h>

#ifdef BENCH_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#endif

#include "bench.h"

#ifdef PCOLL_COUNT
#define BENCH_COUNTING_BUILD 1
#else
#define BENCH_COUNTING_BUILD 0
#endif

#define MAX_PATHS 16

enum mode { MODE_TIME, MODE_COUNT, MODE_CALLGRIND };

/* ------------------------------------------------------------------ */
/* Registry                                                             */
/* ------------------------------------------------------------------ */

static const bench_case **reg;
static size_t nreg, capreg;

void bench_register(const bench_case *c)
{
	if (nreg == capreg) {
		size_t ncap = capreg ? capreg * 2 : 32;
		const bench_case **n =
			(const bench_case **)realloc(reg, ncap * sizeof(*reg));
		if (!n) {
			fprintf(stderr, "pcoll-bench: out of memory\n");
			exit(2);
		}
		reg = n;
		capreg = ncap;
	}
	reg[nreg++] = c;
}

/* ------------------------------------------------------------------ */
/* The running case                                                     */
/* ------------------------------------------------------------------ */

typedef void (*preload_get_fn)(uint64_t out[4]);

static struct {
	enum mode mode;
	const bench_case *c;
	int began, ended;
	struct timespec t0, t1;
	pc_persist_counters pc0, pc1;
	uint64_t pre0[4], pre1[4];
	preload_get_fn preload_get;
	char *paths[MAX_PATHS];
	int npaths;
} cur;

/* The figures of one run of one case. */
typedef struct run_result {
	uint64_t ops;
	uint64_t elapsed_ns;
	uint64_t pc_fences, pc_flushes;
	uint64_t lib_fences, lib_flushes, lib_msyncs;
	double bytes_per_elem;
	char note[128];
} run_result;

__attribute__((noinline)) void bench_begin(void)
{
	if (cur.began)
		fprintf(stderr, "pcoll-bench: %s/%s: bench_begin() twice\n",
			cur.c->workload, cur.c->impl);
	cur.began = 1;
	if (cur.mode == MODE_COUNT) {
		if (cur.preload_get)
			cur.preload_get(cur.pre0);
		cur.pc0 = pc_persist_counters_get();
	}
#ifdef BENCH_HAVE_CALLGRIND
	if (cur.mode == MODE_CALLGRIND) {
		CALLGRIND_START_INSTRUMENTATION;
		CALLGRIND_TOGGLE_COLLECT;
	}
#endif
	clock_gettime(CLOCK_MONOTONIC, &cur.t0);
}

__attribute__((noinline)) void bench_end(void)
{
	clock_gettime(CLOCK_MONOTONIC, &cur.t1);
#ifdef BENCH_HAVE_CALLGRIND
	if (cur.mode == MODE_CALLGRIND) {
		CALLGRIND_TOGGLE_COLLECT;
		CALLGRIND_STOP_INSTRUMENTATION;
	}
#endif
	if (cur.mode == MODE_COUNT) {
		cur.pc1 = pc_persist_counters_get();
		if (cur.preload_get)
			cur.preload_get(cur.pre1);
	}
	if (!cur.began || cur.ended)
		fprintf(stderr,
			"pcoll-bench: %s/%s: bench_end() without "
			"bench_begin()\n",
			cur.c->workload, cur.c->impl);
	cur.ended = 1;
}

const char *bench_pool_path(const bench_env *env, const char *tag)
{
	char buf[PATH_MAX];
	char t[64];
	size_t k = 0;
	for (const char *s = tag ? tag : "pool"; *s && k + 1 < sizeof(t); s++)
		t[k++] = (char)((*s == '/' || *s == ' ') ? '_' : *s);
	t[k] = '\0';
	snprintf(buf, sizeof(buf), "%s/pcoll-bench-%ld-%s-%s-%s.pool", env->dir,
		 (long)getpid(), cur.c ? cur.c->workload : "x",
		 cur.c ? cur.c->impl : "x", t);
	(void)unlink(buf);
	char *p = strdup(buf);
	if (!p)
		return NULL;
	if (cur.npaths < MAX_PATHS) {
		cur.paths[cur.npaths++] = p;
	} else {
		fprintf(stderr, "pcoll-bench: more than %d pools in one case\n",
			MAX_PATHS);
	}
	return p;
}

static void remove_pools(void)
{
	for (int i = 0; i < cur.npaths; i++) {
		(void)unlink(cur.paths[i]);
		free(cur.paths[i]);
	}
	cur.npaths = 0;
}

static uint64_t ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ull + (uint64_t)t->tv_nsec;
}

static const char *bench_dir(void)
{
	const char *d = getenv("PCOLL_BENCH_DIR");
	return d && *d ? d : "/dev/shm";
}

static int env_is_pmem(void)
{
	const char *f = getenv("PMEM_IS_PMEM_FORCE");
	return f && strcmp(f, "1") == 0;
}

/* Runs case c once with N = n. Returns 0 on success. */
static int run_once(const bench_case *c, uint64_t n, enum mode mode,
		    run_result *res)
{
	memset(&cur.t0, 0, sizeof(cur.t0));
	cur.mode = mode;
	cur.c = c;
	cur.began = cur.ended = 0;
	memset(cur.pre0, 0, sizeof(cur.pre0));
	memset(cur.pre1, 0, sizeof(cur.pre1));
	bench_env env = {bench_dir(), n, mode == MODE_COUNT, env_is_pmem()};
	bench_out out;
	memset(&out, 0, sizeof(out));
	int r = c->fn(&env, &out);
	remove_pools();
	if (r != 0) {
		fprintf(stderr, "pcoll-bench: %s/%s failed (%d)\n", c->workload,
			c->impl, r);
		return -1;
	}
	if (!cur.began || !cur.ended) {
		fprintf(stderr,
			"pcoll-bench: %s/%s did not call bench_begin() and "
			"bench_end()\n",
			c->workload, c->impl);
		return -1;
	}
	memset(res, 0, sizeof(*res));
	res->ops = out.ops ? out.ops : n;
	res->elapsed_ns = ts_ns(&cur.t1) - ts_ns(&cur.t0);
	res->bytes_per_elem = out.bytes_per_elem;
	out.note[sizeof(out.note) - 1] = '\0';
	memcpy(res->note, out.note, sizeof(res->note));
	if (mode == MODE_COUNT) {
		res->pc_fences = cur.pc1.fences - cur.pc0.fences;
		res->pc_flushes = cur.pc1.flushes - cur.pc0.flushes;
		res->lib_fences = cur.pre1[0] - cur.pre0[0];
		res->lib_flushes = cur.pre1[1] - cur.pre0[1];
		res->lib_msyncs = cur.pre1[2] - cur.pre0[2];
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Options and case selection                                           */
/* ------------------------------------------------------------------ */

static struct {
	const char *workloads; /* comma list or NULL: all */
	const char *impls;     /* comma list or NULL: all */
	uint64_t n;            /* 0: each case's default */
	int runs;
	const char *json;
	int list;
	int count;
	uint64_t count_n;
	int callgrind;
	uint64_t callgrind_n;
	const char *child; /* "count" or "callgrind" */
	const char *result;
} opt = {NULL, NULL, 0, 5, NULL, 0, 1, 100000, 0, 20000, NULL, NULL};

static int in_list(const char *list, const char *s)
{
	if (!list || strcmp(list, "all") == 0)
		return 1;
	size_t n = strlen(s);
	const char *p = list;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncasecmp(p, s, n) == 0)
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

/* Order W1 < W2 < ... < W10 < W11; "W5s" after "W5". */
static int wl_cmp(const char *a, const char *b)
{
	char *ea, *eb;
	long na = strtol(a + (*a == 'W' || *a == 'w'), &ea, 10);
	long nb = strtol(b + (*b == 'W' || *b == 'w'), &eb, 10);
	if (na != nb)
		return na < nb ? -1 : 1;
	return strcmp(ea, eb);
}

/* Stable order: workload, then non-anchors before anchors. */
static int case_cmp(const void *pa, const void *pb)
{
	const bench_case *a = *(const bench_case *const *)pa;
	const bench_case *b = *(const bench_case *const *)pb;
	int c = wl_cmp(a->workload, b->workload);
	if (c)
		return c;
	if (a->is_anchor != b->is_anchor)
		return a->is_anchor - b->is_anchor;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pcoll-bench [options]\n"
		"  --list              list the registered cases and exit\n"
		"  --workload IDS      comma list of workloads (W1,W11,...; "
		"default all)\n"
		"  --impl NAMES        comma list of implementations "
		"(pcoll,raw-pmemobj,dram,...)\n"
		"  --n N               operations per case (default: each "
		"case's N)\n"
		"  --runs R            timed runs per case, median reported "
		"(default 5)\n"
		"  --json FILE         append one JSON line per case to FILE\n"
		"  --no-count          skip the fence/flush counting pass\n"
		"  --count-n N         N of the counting pass (default "
		"min(N, 100000))\n"
		"  --callgrind         also count instructions under "
		"valgrind --tool=callgrind\n"
		"  --callgrind-n N     N of the callgrind pass (default "
		"min(N, 20000))\n"
		"Pools go to $PCOLL_BENCH_DIR (default /dev/shm); set "
		"PMEM_IS_PMEM_FORCE=1 for the flush path.\n");
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *e;
	errno = 0;
	unsigned long long x = strtoull(s, &e, 10);
	if (errno || e == s || *e)
		return -1;
	*v = (uint64_t)x;
	return 0;
}

static int parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t x = 0;
#define NEEDV()                                                                \
	do {                                                                   \
		if (!v) {                                                      \
			fprintf(stderr, "pcoll-bench: %s needs a value\n", a); \
			return -1;                                             \
		}                                                              \
		i++;                                                           \
	} while (0)
#define NEEDU(dst)                                                             \
	do {                                                                   \
		NEEDV();                                                       \
		if (parse_u64(v, &x) != 0) {                                   \
			fprintf(stderr, "pcoll-bench: %s: bad number %s\n", a, \
				v);                                            \
			return -1;                                             \
		}                                                              \
		dst = x;                                                       \
	} while (0)
		if (strcmp(a, "--list") == 0) {
			opt.list = 1;
		} else if (strcmp(a, "--workload") == 0) {
			NEEDV();
			opt.workloads = v;
		} else if (strcmp(a, "--impl") == 0) {
			NEEDV();
			opt.impls = v;
		} else if (strcmp(a, "--n") == 0) {
			NEEDU(opt.n);
		} else if (strcmp(a, "--runs") == 0) {
			NEEDU(opt.runs);
			if (opt.runs < 1)
				opt.runs = 1;
		} else if (strcmp(a, "--json") == 0) {
			NEEDV();
			opt.json = v;
		} else if (strcmp(a, "--no-count") == 0) {
			opt.count = 0;
		} else if (strcmp(a, "--count-n") == 0) {
			NEEDU(opt.count_n);
		} else if (strcmp(a, "--callgrind") == 0) {
			opt.callgrind = 1;
		} else if (strcmp(a, "--callgrind-n") == 0) {
			NEEDU(opt.callgrind_n);
		} else if (strcmp(a, "--child") == 0) {
			NEEDV();
			opt.child = v;
		} else if (strcmp(a, "--result") == 0) {
			NEEDV();
			opt.result = v;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			exit(0);
		} else {
			fprintf(stderr, "pcoll-bench: unknown option %s\n", a);
			return -1;
		}
#undef NEEDU
#undef NEEDV
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Child processes                                                      */
/* ------------------------------------------------------------------ */

/* The child side: run one case once and write its figures. */
static int child_main(void)
{
	enum mode mode;
	if (strcmp(opt.child, "count") == 0) {
		mode = MODE_COUNT;
		if (!BENCH_COUNTING_BUILD) {
			fprintf(stderr, "pcoll-bench: --child count needs "
					"pcoll-bench-count\n");
			return 2;
		}
		void *sym = dlsym(RTLD_DEFAULT, "pcoll_bench_preload_get");
		memcpy(&cur.preload_get, &sym, sizeof(sym));
		if (!cur.preload_get) {
			fprintf(stderr, "pcoll-bench: counting pass without "
					"the LD_PRELOAD counter\n");
			return 2;
		}
	} else if (strcmp(opt.child, "callgrind") == 0) {
		mode = MODE_CALLGRIND;
	} else {
		fprintf(stderr, "pcoll-bench: bad --child %s\n", opt.child);
		return 2;
	}
	if (!opt.workloads || !opt.impls || !opt.result) {
		fprintf(stderr, "pcoll-bench: child needs --workload, --impl "
				"and --result\n");
		return 2;
	}
	const bench_case *c = NULL;
	for (size_t i = 0; i < nreg; i++)
		if (strcmp(reg[i]->workload, opt.workloads) == 0 &&
		    strcmp(reg[i]->impl, opt.impls) == 0)
			c = reg[i];
	if (!c) {
		fprintf(stderr, "pcoll-bench: no case %s/%s\n", opt.workloads,
			opt.impls);
		return 2;
	}
	run_result r;
	if (run_once(c, opt.n ? opt.n : c->default_n, mode, &r) != 0)
		return 1;
	FILE *f = fopen(opt.result, "w");
	if (!f) {
		perror(opt.result);
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

static char exe_dir[PATH_MAX];

static void find_exe_dir(void)
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

/* Counting pass of case c with N = n. */
static int count_case(const bench_case *c, uint64_t n, run_result *r)
{
	char exe[PATH_MAX], pre[PATH_MAX], tmp[PATH_MAX], nbuf[32];
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
	if (make_temp(tmp, sizeof(tmp), "count") != 0)
		return -1;
	snprintf(nbuf, sizeof(nbuf), "%llu", (unsigned long long)n);
	char *argv[] = {(char *)e,
			"--child",
			"count",
			"--workload",
			(char *)c->workload,
			"--impl",
			(char *)c->impl,
			"--n",
			nbuf,
			"--result",
			tmp,
			NULL};
	int rc = spawn(argv, p, 1);
	if (rc == 0)
		rc = read_result(tmp, r);
	unlink(tmp);
	if (rc != 0)
		fprintf(stderr, "pcoll-bench: counting pass of %s/%s failed\n",
			c->workload, c->impl);
	return rc;
}

/* Instructions between bench_begin and bench_end under callgrind. */
static int callgrind_case(const bench_case *c, uint64_t n, uint64_t *instr,
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
	char exe[PATH_MAX], tmp[PATH_MAX], out[PATH_MAX], outopt[PATH_MAX + 32],
		nbuf[32];
	if (snprintf(exe, sizeof(exe), "%s/pcoll-bench", exe_dir) >=
	    (int)sizeof(exe))
		return -1;
	if (make_temp(tmp, sizeof(tmp), "cg") != 0 ||
	    make_temp(out, sizeof(out), "cgout") != 0)
		return -1;
	snprintf(outopt, sizeof(outopt), "--callgrind-out-file=%s", out);
	snprintf(nbuf, sizeof(nbuf), "%llu", (unsigned long long)n);
	char *argv[] = {"valgrind",
			"-q",
			"--tool=callgrind",
			outopt,
			"--collect-atstart=no",
			"--instr-atstart=no",
			exe,
			"--child",
			"callgrind",
			"--workload",
			(char *)c->workload,
			"--impl",
			(char *)c->impl,
			"--n",
			nbuf,
			"--result",
			tmp,
			NULL};
	run_result r;
	int rc = spawn(argv, NULL, 1);
	if (rc == 0)
		rc = read_result(tmp, &r);
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
	unlink(tmp);
	unlink(out);
	if (rc != 0)
		fprintf(stderr, "pcoll-bench: callgrind pass of %s/%s failed\n",
			c->workload, c->impl);
	return rc;
#endif
}

/* ------------------------------------------------------------------ */
/* Reporting                                                            */
/* ------------------------------------------------------------------ */

typedef struct case_stat {
	const bench_case *c;
	uint64_t n;
	int ok;
	int nruns;
	double *ns; /* per run ns/op */
	double median;
	uint64_t ops;
	double bytes_per_elem;
	char note[128];
	int counted;
	uint64_t count_n, count_ops;
	run_result cnt;
	int has_instr;
	uint64_t instr_n;
	double instr_per_op;
} case_stat;

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median_of(const double *v, int n)
{
	double *t = (double *)malloc((size_t)n * sizeof(double));
	if (!t)
		return v[0];
	memcpy(t, v, (size_t)n * sizeof(double));
	qsort(t, (size_t)n, sizeof(double), dbl_cmp);
	double m = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	free(t);
	return m;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void json_u64(FILE *f, uint64_t v, int ok)
{
	if (ok)
		fprintf(f, "%llu", (unsigned long long)v);
	else
		fputs("null", f);
}

static void json_num(FILE *f, double v, int ok)
{
	if (ok)
		fprintf(f, "%.6g", v);
	else
		fputs("null", f);
}

static char run_stamp[32];
static char cpu_model[128];

static void read_cpu_model(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	strcpy(cpu_model, "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) == 0) {
			char *p = strchr(line, ':');
			if (p) {
				p++;
				while (*p == ' ')
					p++;
				p[strcspn(p, "\n")] = '\0';
				snprintf(cpu_model, sizeof(cpu_model), "%s", p);
			}
			break;
		}
	}
	if (f)
		fclose(f);
}

static double per_op(uint64_t v, uint64_t ops)
{
	return ops ? (double)v / (double)ops : 0;
}

static void write_json(FILE *f, const case_stat *s, const case_stat *grp,
		       size_t ng)
{
	const char *force = getenv("PMEM_IS_PMEM_FORCE");
	fprintf(f, "{\"workload\":");
	json_str(f, s->c->workload);
	fprintf(f, ",\"name\":");
	json_str(f, s->c->name);
	fprintf(f, ",\"impl\":");
	json_str(f, s->c->impl);
	fprintf(f, ",\"anchor\":%d,\"n\":%llu,\"ops\":%llu,\"runs\":%d",
		s->c->is_anchor, (unsigned long long)s->n,
		(unsigned long long)s->ops, s->nruns);
	fprintf(f, ",\"ns_per_op\":");
	json_num(f, s->median, 1);
	fprintf(f, ",\"ns_per_op_runs\":[");
	for (int i = 0; i < s->nruns; i++) {
		if (i)
			fputc(',', f);
		json_num(f, s->ns[i], 1);
	}
	fprintf(f, "],\"ratio_vs\":{");
	int first = 1;
	for (size_t i = 0; i < ng; i++) {
		const case_stat *a = &grp[i];
		if (a == s || !a->ok || !a->c->is_anchor || a->median <= 0)
			continue;
		if (!first)
			fputc(',', f);
		first = 0;
		json_str(f, a->c->impl);
		fputc(':', f);
		json_num(f, s->median / a->median, 1);
	}
	fprintf(f, "}");
	uint64_t cops = s->count_ops;
	fprintf(f, ",\"fences_per_op\":");
	json_num(f, per_op(s->cnt.pc_fences + s->cnt.lib_fences, cops),
		 s->counted);
	fprintf(f, ",\"flushes_per_op\":");
	json_num(f, per_op(s->cnt.pc_flushes + s->cnt.lib_flushes, cops),
		 s->counted);
	fprintf(f, ",\"fences_per_op_pcoll\":");
	json_num(f, per_op(s->cnt.pc_fences, cops), s->counted);
	fprintf(f, ",\"fences_per_op_libpmem\":");
	json_num(f, per_op(s->cnt.lib_fences, cops), s->counted);
	fprintf(f, ",\"flushes_per_op_pcoll\":");
	json_num(f, per_op(s->cnt.pc_flushes, cops), s->counted);
	fprintf(f, ",\"flushes_per_op_libpmem\":");
	json_num(f, per_op(s->cnt.lib_flushes, cops), s->counted);
	fprintf(f, ",\"msyncs_per_op\":");
	json_num(f, per_op(s->cnt.lib_msyncs, cops), s->counted);
	fprintf(f, ",\"count_n\":");
	json_u64(f, s->count_n, s->counted);
	fprintf(f, ",\"instructions_per_op\":");
	json_num(f, s->instr_per_op, s->has_instr);
	fprintf(f, ",\"instr_ratio_vs\":{");
	first = 1;
	for (size_t i = 0; s->has_instr && i < ng; i++) {
		const case_stat *a = &grp[i];
		if (a == s || !a->has_instr || !a->c->is_anchor ||
		    a->instr_per_op <= 0)
			continue;
		if (!first)
			fputc(',', f);
		first = 0;
		json_str(f, a->c->impl);
		fputc(':', f);
		json_num(f, s->instr_per_op / a->instr_per_op, 1);
	}
	fprintf(f, "},\"callgrind_n\":");
	json_u64(f, s->instr_n, s->has_instr);
	fprintf(f, ",\"bytes_per_elem\":");
	json_num(f, s->bytes_per_elem, s->bytes_per_elem > 0);
	fprintf(f, ",\"pmem\":%d,\"pmem_is_pmem_force\":", env_is_pmem());
	if (force)
		json_str(f, force);
	else
		fputs("null", f);
	fprintf(f, ",\"dir\":");
	json_str(f, bench_dir());
	fprintf(f, ",\"flush_kind\":");
	json_str(f, pc_flush_kind_name(pc_flush_kind_get()));
	fprintf(f, ",\"note\":");
	json_str(f, s->note);
	fprintf(f, ",\"cpu\":");
	json_str(f, cpu_model);
	fprintf(f, ",\"time\":");
	json_str(f, run_stamp);
	fprintf(f, "}\n");
}

static void print_header(void)
{
	printf("%-5s %-16s %-14s %9s %11s %9s %9s %10s %8s  %s\n", "wl", "name",
	       "impl", "n", "ns/op", "fences/op", "flush/op", "instr/op",
	       "B/elem", "ratios to anchors (ns/op; instr/op)");
}

static void print_row(const case_stat *s, const case_stat *grp, size_t ng)
{
	char fen[32] = "-", fl[32] = "-", ins[32] = "-", bpe[32] = "-";
	if (s->counted) {
		uint64_t ops = s->count_ops;
		snprintf(fen, sizeof(fen), "%.2f",
			 per_op(s->cnt.pc_fences + s->cnt.lib_fences, ops));
		snprintf(fl, sizeof(fl), "%.2f",
			 per_op(s->cnt.pc_flushes + s->cnt.lib_flushes, ops));
	}
	if (s->has_instr)
		snprintf(ins, sizeof(ins), "%.0f", s->instr_per_op);
	if (s->bytes_per_elem > 0)
		snprintf(bpe, sizeof(bpe), "%.1f", s->bytes_per_elem);
	printf("%-5s %-16s %-14s %9llu %11.1f %9s %9s %10s %8s ",
	       s->c->workload, s->c->name, s->c->impl, (unsigned long long)s->n,
	       s->median, fen, fl, ins, bpe);
	for (size_t i = 0; i < ng; i++) {
		const case_stat *a = &grp[i];
		if (a == s || !a->ok || !a->c->is_anchor || a->median <= 0)
			continue;
		printf(" %s %.3gx", a->c->impl, s->median / a->median);
	}
	if (s->has_instr) {
		printf("  instr:");
		for (size_t i = 0; i < ng; i++) {
			const case_stat *a = &grp[i];
			if (a == s || !a->has_instr || !a->c->is_anchor ||
			    a->instr_per_op <= 0)
				continue;
			printf(" %s %.3gx", a->c->impl,
			       s->instr_per_op / a->instr_per_op);
		}
	}
	if (s->note[0])
		printf("  [%s]", s->note);
	printf("\n");
}

/* Runs one workload's cases (grp[0..ng)), interleaving the runs so every
 * implementation sees the same machine noise. Returns failures. */
static int run_group(case_stat *grp, size_t ng, FILE *json)
{
	int fails = 0;
	for (int r = 0; r < opt.runs; r++) {
		for (size_t i = 0; i < ng; i++) {
			case_stat *s = &grp[i];
			if (r > 0 && !s->ok)
				continue;
			run_result res;
			if (run_once(s->c, s->n, MODE_TIME, &res) != 0) {
				s->ok = 0;
				continue;
			}
			s->ok = 1;
			s->ns[s->nruns++] =
				(double)res.elapsed_ns / (double)res.ops;
			s->ops = res.ops;
			s->bytes_per_elem = res.bytes_per_elem;
			memcpy(s->note, res.note, sizeof(s->note));
		}
	}
	for (size_t i = 0; i < ng; i++) {
		case_stat *s = &grp[i];
		if (!s->ok) {
			fails++;
			continue;
		}
		s->median = median_of(s->ns, s->nruns);
		if (opt.count) {
			uint64_t cn = opt.count_n && opt.count_n < s->n
					      ? opt.count_n
					      : s->n;
			if (count_case(s->c, cn, &s->cnt) == 0) {
				s->counted = 1;
				s->count_n = cn;
				s->count_ops = s->cnt.ops;
			} else {
				fails++;
			}
		}
		if (opt.callgrind) {
			uint64_t gn = opt.callgrind_n && opt.callgrind_n < s->n
					      ? opt.callgrind_n
					      : s->n;
			uint64_t ins = 0, ops = 0;
			if (callgrind_case(s->c, gn, &ins, &ops) == 0 && ops) {
				s->has_instr = 1;
				s->instr_n = gn;
				s->instr_per_op = (double)ins / (double)ops;
			} else {
				fails++;
			}
		}
	}
	for (size_t i = 0; i < ng; i++) {
		if (!grp[i].ok)
			continue;
		print_row(&grp[i], grp, ng);
		if (json)
			write_json(json, &grp[i], grp, ng);
	}
	fflush(stdout);
	if (json)
		fflush(json);
	return fails;
}

int main(int argc, char **argv)
{
	if (parse_args(argc, argv) != 0) {
		usage(stderr);
		return 2;
	}
	if (opt.child)
		return child_main();

	qsort(reg, nreg, sizeof(*reg), case_cmp);
	if (opt.list) {
		for (size_t i = 0; i < nreg; i++)
			printf("%s\t%s\t%s\t%s\t%llu\n", reg[i]->workload,
			       reg[i]->name, reg[i]->impl,
			       reg[i]->is_anchor ? "anchor" : "subject",
			       (unsigned long long)reg[i]->default_n);
		return 0;
	}
	find_exe_dir();
	read_cpu_model();
	time_t now = time(NULL);
	struct tm tmv;
	gmtime_r(&now, &tmv);
	strftime(run_stamp, sizeof(run_stamp), "%Y-%m-%dT%H:%M:%SZ", &tmv);

	case_stat *st = (case_stat *)calloc(nreg ? nreg : 1, sizeof(*st));
	size_t ns = 0;
	for (size_t i = 0; i < nreg; i++) {
		if (!in_list(opt.workloads, reg[i]->workload) ||
		    !in_list(opt.impls, reg[i]->impl))
			continue;
		st[ns].c = reg[i];
		st[ns].n = opt.n ? opt.n : reg[i]->default_n;
		st[ns].ns = (double *)calloc((size_t)opt.runs, sizeof(double));
		if (!st[ns].ns) {
			fprintf(stderr, "pcoll-bench: out of memory\n");
			return 2;
		}
		ns++;
	}
	if (ns == 0) {
		fprintf(stderr, "pcoll-bench: no case matches (see --list)\n");
		return 2;
	}
	FILE *json = NULL;
	if (opt.json) {
		json = fopen(opt.json, "a");
		if (!json) {
			perror(opt.json);
			return 2;
		}
	}
	const char *force = getenv("PMEM_IS_PMEM_FORCE");
	printf("pcoll-bench: dir %s, PMEM_IS_PMEM_FORCE=%s, flush %s, "
	       "%d runs (median)%s%s\n",
	       bench_dir(), force ? force : "(unset)",
	       pc_flush_kind_name(pc_flush_kind_get()), opt.runs,
	       opt.count ? ", counted" : "",
	       opt.callgrind ? ", callgrind" : "");
	print_header();
	int fails = 0;
	for (size_t i = 0; i < ns;) {
		size_t j = i + 1;
		while (j < ns &&
		       strcmp(st[j].c->workload, st[i].c->workload) == 0)
			j++;
		fails += run_group(&st[i], j - i, json);
		i = j;
	}
	if (json && fclose(json) != 0) {
		perror(opt.json);
		fails++;
	}
	for (size_t i = 0; i < ns; i++)
		free(st[i].ns);
	free(st);
	if (fails)
		fprintf(stderr, "pcoll-bench: %d failure(s)\n", fails);
	return fails ? 1 : 0;
}
