/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll-bench: the report. One table row per case on stdout and, with
 * --json, one JSON line per case (the fields are listed in docs/bench.md):
 * the median ns/op and every run's, the ratios to the anchors of the same
 * workload, the counted fences, flushes and msyncs per operation, the
 * instructions per operation, bytes per element, the flush path and the
 * machine. Relies on run.c (the pool directory, the flush path).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcoll/persist.h>

#include "harness.h"

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double median_of(const double *v, int n)
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

/* s's ratio to a in *r when a is one of s's anchors (another case, an
 * anchor, measured): of ns/op, or of instructions/op when instr is set.
 * Returns 0 when there is no such ratio. */
static int ratio_to(const case_stat *s, const case_stat *a, int instr,
		    double *r)
{
	if (a == s || !a->c->is_anchor)
		return 0;
	if (instr) {
		if (!s->has_instr || !a->has_instr || a->instr_per_op <= 0)
			return 0;
		*r = s->instr_per_op / a->instr_per_op;
	} else {
		if (!a->ok || a->median <= 0)
			return 0;
		*r = s->median / a->median;
	}
	return 1;
}

/* The ratios of s to its anchors among grp[0..ng) as a JSON object. */
static void json_ratios(FILE *f, const case_stat *s, const case_stat *grp,
			size_t ng, int instr)
{
	fputc('{', f);
	int first = 1;
	double r;
	for (size_t i = 0; i < ng; i++) {
		if (!ratio_to(s, &grp[i], instr, &r))
			continue;
		if (!first)
			fputc(',', f);
		first = 0;
		json_str(f, grp[i].c->impl);
		fputc(':', f);
		json_num(f, r, 1);
	}
	fputc('}', f);
}

/* The same in the table: " impl 1.23x" each. */
static void print_ratios(const case_stat *s, const case_stat *grp, size_t ng,
			 int instr)
{
	double r;
	for (size_t i = 0; i < ng; i++)
		if (ratio_to(s, &grp[i], instr, &r))
			printf(" %s %.3gx", grp[i].c->impl, r);
}

static double per_op(uint64_t v, uint64_t ops)
{
	return ops ? (double)v / (double)ops : 0;
}

void write_json(FILE *f, const case_stat *s, const case_stat *grp, size_t ng)
{
	const char *force = getenv("PMEM_IS_PMEM_FORCE");
	fprintf(f, "{\"workload\":");
	json_str(f, s->c->workload);
	fprintf(f, ",\"name\":");
	json_str(f, s->c->name);
	fprintf(f, ",\"impl\":");
	json_str(f, s->c->impl);
	fprintf(f,
		",\"anchor\":%d,\"n\":%llu,\"ops\":%llu,\"runs\":%d,"
		"\"threads\":%u",
		s->c->is_anchor, (unsigned long long)s->n,
		(unsigned long long)s->ops, s->nruns, bench_threads);
	fprintf(f, ",\"ns_per_op\":");
	json_num(f, s->median, 1);
	fprintf(f, ",\"ns_per_op_runs\":[");
	for (int i = 0; i < s->nruns; i++) {
		if (i)
			fputc(',', f);
		json_num(f, s->ns[i], 1);
	}
	fprintf(f, "],\"ratio_vs\":");
	json_ratios(f, s, grp, ng, 0);
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
	fprintf(f, ",\"instr_ratio_vs\":");
	json_ratios(f, s, grp, ng, 1);
	fprintf(f, ",\"callgrind_n\":");
	json_u64(f, s->instr_n, s->has_instr);
	fprintf(f, ",\"bytes_per_elem\":");
	json_num(f, s->bytes_per_elem, s->bytes_per_elem > 0);
	fprintf(f, ",\"prefault\":%d", s->prefault);
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

void print_header(void)
{
	printf("%-5s %-16s %-14s %9s %11s %9s %9s %10s %8s  %s\n", "wl", "name",
	       "impl", "n", "ns/op", "fences/op", "flush/op", "instr/op",
	       "B/elem", "ratios to anchors (ns/op; instr/op)");
}

void print_row(const case_stat *s, const case_stat *grp, size_t ng)
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
	print_ratios(s, grp, ng, 0);
	if (s->has_instr) {
		printf("  instr:");
		print_ratios(s, grp, ng, 1);
	}
	if (s->note[0])
		printf("  [%s]", s->note);
	printf("\n");
}

void report_init(void)
{
	read_cpu_model();
	time_t now = time(NULL);
	struct tm tmv;
	gmtime_r(&now, &tmv);
	strftime(run_stamp, sizeof(run_stamp), "%Y-%m-%dT%H:%M:%SZ", &tmv);
}
