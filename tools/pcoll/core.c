/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll tool core: what every command shares and nothing of any command:
 * kind names, the copy-on-write (read-only) open, error printing, size
 * parsing and printing, pool statistics, the progress bar. Relies on
 * pcoll's API and libpmemobj's ctl interface only.
 */
#define _GNU_SOURCE
#include "pct.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

const char *pct_kind_name(uint32_t kind)
{
	switch (kind) {
	case PC_KIND_OBJ:
		return "obj";
	case PC_KIND_VEC:
		return "vec";
	case PC_KIND_MAP:
		return "map";
	case PC_KIND_LOG:
		return "log";
	case PC_KIND_BLKARR:
		return "blkarr";
	case PC_KIND_BYTES:
		return "bytes";
	default:
		return "?";
	}
}

void pct_perr(const char *what, pc_err e)
{
	const char *m = pc_errmsg();
	if (m && *m)
		fprintf(stderr, "pcoll %s: %s\n", what, m);
	else
		fprintf(stderr, "pcoll %s: %s\n", what, pc_strerror(e));
}

pc_pool *pct_open_ro(const char *path)
{
	/* Copy-on-write mapping: libpmemobj may replay an unfinished
	 * transaction and bumps its run id when it opens a pool; with this
	 * control those writes land in private pages and never reach the
	 * file. Not available on device DAX. */
	int one = 1;
	if (pmemobj_ctl_set(NULL, "copy_on_write.at_open", &one) != 0) {
		fprintf(stderr,
			"pcoll: cannot open %s read-only (libpmemobj has no "
			"copy-on-write open: %s)\n",
			path, pmemobj_errormsg());
		return NULL;
	}
	pc_pool *pool = NULL;
	pc_err e = pc_pool_open(path, &pool);
	if (e != PC_OK) {
		pct_perr("open", e);
		if (e == PC_E_BUSY)
			fprintf(stderr,
				"pcoll: another process has %s open; `pcoll "
				"info` reads a copy of it, or copy it yourself "
				"(cp) and run this command on the copy\n",
				path);
		return NULL;
	}
	return pool;
}

/* Copy the file src to a new file in $TMPDIR; its path goes to dst. */
static int pct_copy_file(const char *src, char *dst, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	(void)snprintf(dst, n, "%s/pcoll-copy-XXXXXX",
		       tmp && *tmp ? tmp : "/tmp");
	int out = mkstemp(dst);
	if (out < 0)
		return -1;
	FILE *in = fopen(src, "rbe");
	int rc = in ? 0 : -1;
	static char buf[1 << 20];
	size_t got;
	while (rc == 0 && (got = fread(buf, 1, sizeof(buf), in)) > 0)
		if (write(out, buf, got) != (ssize_t)got)
			rc = -1;
	if (in && ferror(in))
		rc = -1;
	if (in)
		(void)fclose(in);
	if (close(out) != 0)
		rc = -1;
	if (rc != 0)
		(void)unlink(dst);
	return rc;
}

pc_pool *pct_open_ro_or_copy(const char *what, const char *path, char *copy,
			     size_t n)
{
	copy[0] = '\0';
	int one = 1;
	(void)pmemobj_ctl_set(NULL, "copy_on_write.at_open", &one);
	pc_pool *pool = NULL;
	pc_err e = pc_pool_open(path, &pool);
	if (e == PC_OK)
		return pool;
	if (e != PC_E_BUSY)
		return pct_open_ro(path); /* prints why */
	/* A poolset's parts are separate files: copying the set file alone
	 * would not do. */
	char head[12] = {0};
	FILE *hf = fopen(path, "rbe");
	size_t got = hf ? fread(head, 1, 11, hf) : 0;
	if (hf)
		(void)fclose(hf);
	struct stat st;
	if (got == 11 && memcmp(head, "PMEMPOOLSET", 11) == 0) {
		fprintf(stderr,
			"pcoll %s: %s is open in another process (libpmemobj "
			"locks an open pool, for copy-on-write opens too) and "
			"is a poolset: copy the set file and its parts, edit "
			"the copy's part paths, and run pcoll on the copy\n",
			what, path);
		return NULL;
	}
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    pct_copy_file(path, copy, n) != 0) {
		fprintf(stderr,
			"pcoll %s: %s is open in another process (libpmemobj "
			"locks an open pool, for copy-on-write opens too) and "
			"a copy could not be made (%s); copy the file yourself "
			"and run pcoll on the copy\n",
			what, path, strerror(errno));
		copy[0] = '\0';
		return NULL;
	}
	fprintf(stderr,
		"pcoll %s: %s is open in another process (libpmemobj locks an "
		"open pool, for copy-on-write opens too): showing a copy "
		"taken now; writes in progress may make it differ from what "
		"that process sees\n",
		what, path);
	pool = pct_open_ro(copy);
	if (!pool) {
		(void)unlink(copy);
		copy[0] = '\0';
	}
	return pool;
}

void pct_close_copy(pc_pool *pool, const char *copy)
{
	(void)pc_pool_close(pool);
	if (copy && copy[0])
		(void)unlink(copy);
}

int pct_getopt(const pct_cmd_spec *spec, int argc, char **argv,
	       int (*on_opt)(int code, const char *arg, void *ctx), void *ctx,
	       int *status)
{
	struct option opts[16];
	int n = 0;
	while (spec->longopts && spec->longopts[n].name && n < 14) {
		opts[n] = spec->longopts[n];
		n++;
	}
	opts[n++] = (struct option){"help", no_argument, NULL, 'h'};
	opts[n] = (struct option){NULL, 0, NULL, 0};
	char shortopts[32];
	(void)snprintf(shortopts, sizeof(shortopts), ":%sh",
		       spec->shortopts ? spec->shortopts : "");
	opterr = 0;
	optind = 1;
	int c;
	*status = PCT_EXIT_USAGE;
	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: pcoll %s\n%s", spec->usage, spec->help);
			*status = PCT_EXIT_OK;
			return -1;
		}
		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];
			char shortbuf[3] = {'-', (char)optopt, '\0'};
			if (optopt && bad[0] == '-' && bad[1] != '-')
				bad = shortbuf;
			fprintf(stderr, "pcoll %s: %s %s\nusage: pcoll %s\n",
				spec->name,
				c == '?' ? "unknown option"
					 : "missing value for",
				bad, spec->usage);
			return -1;
		}
		if (!on_opt || on_opt(c, optarg, ctx) != 0) {
			fprintf(stderr, "usage: pcoll %s\n", spec->usage);
			return -1;
		}
	}
	int ops = argc - optind;
	if (ops < spec->min_operands ||
	    (spec->max_operands >= 0 && ops > spec->max_operands)) {
		fprintf(stderr, "pcoll %s: %s\nusage: pcoll %s\n", spec->name,
			ops < spec->min_operands ? "missing operand"
						 : "too many operands",
			spec->usage);
		return -1;
	}
	*status = PCT_EXIT_OK;
	return optind;
}

int pct_parse_size(const char *s, size_t *out)
{
	if (!s || !*s)
		return -1;
	errno = 0;
	char *end = NULL;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -1;
	unsigned shift = 0;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case 't':
	case 'T':
		shift = 40;
		break;
	default:
		return -1;
	}
	if (*end) {
		end++;
		if (*end == 'i')
			end++;
		if (*end == 'B' || *end == 'b')
			end++;
		if (*end)
			return -1;
	}
	if (shift && v > (~0ull >> shift))
		return -1;
	*out = (size_t)(v << shift);
	return 0;
}

const char *pct_human(uint64_t n, char *buf, size_t len)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	unsigned u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		(void)snprintf(buf, len, "%llu B", (unsigned long long)n);
	else
		(void)snprintf(buf, len, "%.1f %s", v, unit[u]);
	return buf;
}

/* pc_pool_stats_get() plus a free estimate for growable pools (whose
 * mapped size is unknown to the core, which then reports 0 free): the
 * parts created so far, less the fixed overhead and what is used. */
pc_err pct_stats(pc_pool *pool, pc_pool_stats *st)
{
	PC_TRY(pc_pool_stats_get(pool, st));
	if (pool->root->grow_step && st->free == 0 &&
	    st->size > PC__POOL_OVERHEAD + st->used)
		st->free = st->size - PC__POOL_OVERHEAD - st->used;
	return PC_OK;
}

static double pct_now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

void pct_progress_begin(pct_progress *p, const char *label, uint64_t total,
			int allowed)
{
	p->on = allowed && isatty(STDERR_FILENO);
	p->total = total;
	p->done = 0;
	p->last = 0;
	p->label = label;
}

static void pct_progress_draw(pct_progress *p)
{
	const int width = 40;
	uint64_t t = p->total ? p->total : 1;
	uint64_t d = p->done > t ? t : p->done;
	int fill = (int)((double)d / (double)t * width);
	char bar[64];
	for (int i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[width] = '\0';
	fprintf(stderr, "\r%s [%s] %3d%%", p->label, bar,
		(int)((double)d * 100.0 / (double)t));
	fflush(stderr);
}

void pct_progress_set(pct_progress *p, uint64_t done)
{
	p->done = done;
	if (!p->on)
		return;
	double now = pct_now();
	if (now - p->last < 0.1)
		return;
	p->last = now;
	pct_progress_draw(p);
}

void pct_progress_end(pct_progress *p)
{
	if (!p->on)
		return;
	p->done = p->total;
	pct_progress_draw(p);
	fputc('\n', stderr);
}
