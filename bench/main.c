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
 *
 * This file holds the options, the selection of cases and the run loop;
 * harness.h lists the other files of the harness.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcoll/persist.h>

#include "harness.h"

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
		"  --threads T         threads of the multi-threaded "
		"workloads (W13; default 1)\n"
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
		} else if (strcmp(a, "--threads") == 0) {
			NEEDU(x);
			if (x < 1 || x > 64) {
				fprintf(stderr, "pcoll-bench: --threads takes "
						"1 to 64\n");
				return -1;
			}
			bench_threads = (unsigned)x;
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
			s->prefault = res.prefault;
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
	bench_remove_pools_on_signals();
	if (opt.child)
		return child_main(opt.child, opt.workloads, opt.impls, opt.n,
				  opt.result);

	qsort(bench_reg, bench_nreg, sizeof(*bench_reg), case_cmp);
	if (opt.list) {
		for (size_t i = 0; i < bench_nreg; i++)
			printf("%s\t%s\t%s\t%s\t%llu\n", bench_reg[i]->workload,
			       bench_reg[i]->name, bench_reg[i]->impl,
			       bench_reg[i]->is_anchor ? "anchor" : "subject",
			       (unsigned long long)bench_reg[i]->default_n);
		return 0;
	}
	find_exe_dir();
	report_init();

	case_stat *st =
		(case_stat *)calloc(bench_nreg ? bench_nreg : 1, sizeof(*st));
	size_t ns = 0;
	for (size_t i = 0; i < bench_nreg; i++) {
		if (!in_list(opt.workloads, bench_reg[i]->workload) ||
		    !in_list(opt.impls, bench_reg[i]->impl))
			continue;
		if (bench_reg[i]->single_thread && bench_threads > 1)
			continue; /* an anchor of --threads 1 only */
		st[ns].c = bench_reg[i];
		st[ns].n = opt.n ? opt.n : bench_reg[i]->default_n;
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
