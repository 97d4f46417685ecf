/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll: inspect, check, dump and restore pcoll pools.
 *
 *   pcoll info POOL          layout, sizes, every named root
 *   pcoll stats POOL         allocation statistics
 *   pcoll check POOL         libpmemobj's check + every container's check
 *   pcoll dump POOL [ROOT...] [-o FILE]
 *   pcoll restore FILE NEWPOOL [--size N | --grow STEP [--max M]]
 *
 * info, stats, check and dump never write to the pool: it is opened
 * copy-on-write (see pct_open_ro()). docs/tool.md is the manual.
 */
#define _GNU_SOURCE
#include "cmds.h"
#include "pct.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Shared helpers                                                       */
/* ------------------------------------------------------------------ */

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
		return NULL;
	}
	return pool;
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

/* ------------------------------------------------------------------ */
/* Maps: the descriptor the typed layer would build                    */
/* ------------------------------------------------------------------ */

#ifdef PCT_HAVE_MAP
/* Key kind of an integer type name, 0 when the name is not one. */
static uint32_t pct_int_kind(const char *n)
{
	static const char *const sints[] = {"short",   "int",       "long",
					    "int8_t",  "int16_t",   "int32_t",
					    "int64_t", "intptr_t",  "intmax_t",
					    "ssize_t", "ptrdiff_t", "off_t"};
	static const char *const uints[] = {"unsigned",  "size_t",   "uint8_t",
					    "uint16_t",  "uint32_t", "uint64_t",
					    "uintptr_t", "uintmax_t"};
	for (size_t i = 0; i < sizeof(sints) / sizeof(sints[0]); i++)
		if (strcmp(n, sints[i]) == 0)
			return PC__MK_SINT;
	for (size_t i = 0; i < sizeof(uints) / sizeof(uints[0]); i++)
		if (strcmp(n, uints[i]) == 0)
			return PC__MK_UINT;
	if (strcmp(n, "char") == 0)
		return (char)-1 < 0 ? PC__MK_SINT : PC__MK_UINT;
	return 0;
}

pc_err pct_map_desc(const pc_typesig *sig, pct_map *m)
{
	memset(m, 0, sizeof(*m));
	char name[PC_TYPENAME_MAX + 1];
	memcpy(name, sig->name, sizeof(name));
	name[PC_TYPENAME_MAX] = '\0';
	char *lt = strchr(name, '<');
	char *comma = lt ? strchr(lt, ',') : NULL;
	char *gt = comma ? strrchr(comma, '>') : NULL;
	if (strncmp(name, "pmap<", 5) != 0 || !comma || !gt)
		return pc__fail(PC_E_TYPE,
				"map signature name \"%s\" is not pmap<K,V>",
				name);
	*comma = '\0';
	*gt = '\0';
	(void)snprintf(m->kname, sizeof(m->kname), "%s", lt + 1);
	(void)snprintf(m->vname, sizeof(m->vname), "%s", comma + 1);
	uint32_t ks = sig->size, ka = sig->align;
	uint32_t vs = sig->size2, va = sig->align2;
	if (ks == 0 || ks > PC__MAP_KMAX || vs == 0 || ka == 0 || ka > 64 ||
	    va == 0 || va > 64 || (ka & (ka - 1)) || (va & (va - 1)))
		return pc__fail(PC_E_CORRUPT,
				"map signature has impossible sizes %u/%u, "
				"alignments %u/%u",
				ks, vs, ka, va);
	pc__mapd *d = &m->d;
	if (strcmp(m->kname, "bytes") == 0) {
		d->kkind = PC__MK_BYTES;
	} else {
		d->kkind = pct_int_kind(m->kname);
		if (d->kkind && ks != 1 && ks != 2 && ks != 4 && ks != 8)
			d->kkind = 0;
	}
	m->kkind_known = d->kkind != 0;
	if (!d->kkind)
		d->kkind = PC__MK_FN;
	d->ksz = ks;
	d->vsz = vs;
	d->vbytes = strcmp(m->vname, "bytes") == 0;
	d->dram = 0;
	d->vinplace = !d->vbytes &&
		      (vs == 1 || vs == 2 || vs == 4 || vs == 8) && va == vs;
	d->voff = (uint32_t)PC__MAP_VOFF(ks, ka, va);
	d->slot = (uint32_t)PC__MAP_SLOT(ks, ka, vs, va);
	d->lcap = (uint32_t)PC__MAP_LCAP(d->slot);
	d->lsize = (uint32_t)(PC__ML_HDR + d->lcap * d->slot);
	d->icap = (uint32_t)PC__MAP_ICAP(ks);
	d->ikoff = (uint32_t)PC__MAP_IKOFF(ks, ka);
	d->isize = (uint32_t)(d->ikoff + d->icap * ks);
	d->cmp = NULL; /* the program's comparator is not available */
	return PC_OK;
}

pc_err pct_map_bind(pc_pool *pool, uint64_t off, const pc_typesig *sig,
		    pct_map *m)
{
	PC_TRY(pct_map_desc(sig, m));
	PC_TRY(pc__m_open_check(pool, off, &m->d, sig, "map"));
	m->c.d = &m->d;
	m->c.pool = pool;
	m->c.base = (uintptr_t)pool->base;
	m->c.h = (struct pc__maphdr *)pc_pool_ptr(pool, off);
	return PC_OK;
}

/* Entries counted along the leaf chain, every offset checked first (so a
 * damaged map gives an error, not a crash). */
pc_err pct_map_len(const pct_map *m, uint64_t *len, uint64_t *leaves)
{
	const pc__mctx *c = &m->c;
	uint64_t off = c->h->root;
	for (unsigned l = 0; l < c->h->height; l++) {
		if (!pc__pool_range_ok(c->pool, off, m->d.isize))
			return pc__fail(PC_E_CORRUPT,
					"map: inner node offset out of range");
		const struct pc__minner *n = pc__mi(c, off);
		off = n->child[0];
	}
	uint64_t cnt = 0, nl = 0;
	while (off) {
		if (!pc__pool_range_ok(c->pool, off, m->d.lsize) ||
		    ++nl > (c->pool->size ? c->pool->size / m->d.lsize + 1
					  : ((uint64_t)1 << 40)))
			return pc__fail(PC_E_CORRUPT,
					"map: leaf chain is damaged");
		const struct pc__mleaf *l = pc__ml(c, off);
		cnt += (uint64_t)__builtin_popcountll(l->bitmap);
		off = l->next;
	}
	*len = cnt;
	*leaves = nl;
	return PC_OK;
}
#endif

/* ------------------------------------------------------------------ */
/* info                                                                 */
/* ------------------------------------------------------------------ */

static int pct_is_poolset(const char *path)
{
	char head[12] = {0};
	FILE *f = fopen(path, "rb");
	size_t got = f ? fread(head, 1, sizeof(head), f) : 0;
	if (f)
		fclose(f);
	return got >= 11 && memcmp(head, "PMEMPOOLSET", 11) == 0;
}

/* One root's details; returns 0 when it could be read. */
static int pct_info_root(pc_pool *pool, const pc_root_info *ri)
{
	char b[64], sigs[200];
	printf("  \"%s\": %s\n", ri->name,
	       pc__sig_str(&ri->sig, sigs, sizeof(sigs)));
	printf("      kind %s, offset %llu\n", pct_kind_name(ri->sig.kind),
	       (unsigned long long)ri->off);
	pc_err e = PC_OK;
	switch (ri->sig.kind) {
	case PC_KIND_OBJ: {
		PMEMoid oid = {pool->uuid_lo, ri->off};
		printf("      object of %u bytes (allocation %zu bytes)\n",
		       ri->sig.size, pmemobj_alloc_usable_size(oid));
		break;
	}
#ifdef PCT_HAVE_VEC
	case PC_KIND_VEC: {
		const struct pc__vec *h =
			(const struct pc__vec *)pc_pool_ptr(pool, ri->off);
		e = pc__vec_check(pool, h, &ri->sig, "vec");
		if (e == PC_OK)
			printf("      %llu elements of %u bytes (%s), capacity "
			       "%llu\n",
			       (unsigned long long)h->len, ri->sig.size,
			       pct_human(h->len * ri->sig.size, b, sizeof(b)),
			       (unsigned long long)h->cap);
		break;
	}
#endif
#ifdef PCT_HAVE_MAP
	case PC_KIND_MAP: {
		pct_map m;
		uint64_t len = 0, leaves = 0;
		e = pct_map_bind(pool, ri->off, &ri->sig, &m);
		if (e == PC_OK)
			e = pct_map_len(&m, &len, &leaves);
		if (e == PC_OK)
			printf("      %llu entries, %llu levels, %llu leaves "
			       "(%s of leaves); keys %s%s, values %s\n",
			       (unsigned long long)len,
			       (unsigned long long)m.c.h->height + 1,
			       (unsigned long long)leaves,
			       pct_human(leaves * m.d.lsize, b, sizeof(b)),
			       m.kname,
			       m.kkind_known ? "" : " (program comparator)",
			       m.vname);
		break;
	}
#endif
#ifdef PCT_HAVE_LOG
	case PC_KIND_LOG: {
		plog log;
		e = plog_root(pool, ri->name, PC_OPEN, 0, &log);
		if (e == PC_OK)
			printf("      %llu records, %llu payload bytes, "
			       "capacity "
			       "%s\n",
			       (unsigned long long)plog_count(&log),
			       (unsigned long long)plog_tell(&log),
			       pct_human(plog_nbyte(&log), b, sizeof(b)));
		break;
	}
#endif
#ifdef PCT_HAVE_BLKARR
	case PC_KIND_BLKARR: {
		pblkarr a;
		e = pblkarr_root(pool, ri->name, PC_OPEN, 0, 0, &a);
		if (e == PC_OK)
			printf("      %llu blocks of %zu bytes (%s)\n",
			       (unsigned long long)pblkarr_nblock(&a),
			       pblkarr_bsize(&a),
			       pct_human(pblkarr_nblock(&a) * pblkarr_bsize(&a),
					 b, sizeof(b)));
		break;
	}
#endif
	default:
		printf("      (this build of the tool does not read kind %u)\n",
		       ri->sig.kind);
		break;
	}
	if (e != PC_OK) {
		printf("      unreadable: %s\n", pc_errmsg());
		return 1;
	}
	return 0;
}

int pct_cmd_info(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: pcoll info POOL\n");
		return PCT_EXIT_USAGE;
	}
	const char *path = argv[1];
	pc_pool *pool = pct_open_ro(path);
	if (!pool)
		return PCT_EXIT_FAIL;
	pc_pool_stats st;
	pc_err e = pct_stats(pool, &st);
	if (e != PC_OK) {
		pct_perr("info", e);
		pc_pool_close(pool);
		return PCT_EXIT_FAIL;
	}
	char b1[64], b2[64], b3[64];
	printf("pool:     %s\n", path);
	printf("layout:   %s, pool layout version %u\n", PC_LAYOUT,
	       pool->root->version);
	if (pool->root->grow_step)
		printf("type:     growable (poolset; grows by %s; parts in "
		       "%s.parts/)\n",
		       pct_human(pool->root->grow_step, b1, sizeof(b1)), path);
	else
		printf("type:     %s\n",
		       pct_is_poolset(path) ? "poolset" : "fixed-size file");
	if (pc_pool_is_pmem(pool))
		printf("persist:  persistent memory (flush with %s)\n",
		       pc_flush_kind_name(pc_flush_kind_get()));
	else
		printf("persist:  msync (not persistent memory)\n");
	printf("size:     %llu bytes (%s)\n", (unsigned long long)st.size,
	       pct_human(st.size, b1, sizeof(b1)));
	printf("used:     %llu bytes (%s)\n", (unsigned long long)st.used,
	       pct_human(st.used, b2, sizeof(b2)));
	printf("free:     %llu bytes (%s, an upper bound%s)\n",
	       (unsigned long long)st.free, pct_human(st.free, b3, sizeof(b3)),
	       pool->root->grow_step ? "; the pool grows when full" : "");
	size_t n = pc_root_count(pool);
	printf("roots:    %zu\n", n);
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		pc_root_info ri;
		if (pc_root_at(pool, i, &ri) != PC_OK) {
			pct_perr("info", PC_E_CORRUPT);
			bad = 1;
			continue;
		}
		bad |= pct_info_root(pool, &ri);
	}
	pc_pool_close(pool);
	return bad ? PCT_EXIT_FAIL : PCT_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* stats                                                                */
/* ------------------------------------------------------------------ */

typedef struct pct_tstat {
	uint64_t type_num;
	uint64_t count, bytes, largest;
} pct_tstat;

/* A label for libpmemobj type number tn: what pcoll allocates with it. */
static void pct_type_label(pc_pool *pool, uint64_t tn, char *buf, size_t len)
{
	if (tn == (PC__DIR_MAGIC >> 1)) {
		(void)snprintf(buf, len, "pcoll root directory");
		return;
	}
	if (tn == 0) {
		(void)snprintf(buf, len, "libpmemobj root object");
		return;
	}
#ifdef PCT_HAVE_MAP
	if (tn == PC__MAP_TN_LEAF) {
		(void)snprintf(buf, len, "map leaves");
		return;
	}
	if (tn == PC__MAP_TN_INNER) {
		(void)snprintf(buf, len, "map inner nodes");
		return;
	}
	if (tn == PC__MAP_TN_STR) {
		(void)snprintf(buf, len, "map byte strings");
		return;
	}
#endif
#ifdef PCT_HAVE_LOG
	if (tn == plog__chunk_typenum()) {
		(void)snprintf(buf, len, "log chunks");
		return;
	}
#endif
	size_t n = pc_root_count(pool);
	for (size_t i = 0; i < n; i++) {
		pc_root_info ri;
		if (pc_root_at(pool, i, &ri) != PC_OK)
			continue;
		uint64_t t = pc__sig_typenum(&ri.sig);
		if (tn == t) {
			(void)snprintf(buf, len, "%s (headers/objects)",
				       ri.sig.name);
			return;
		}
		if (ri.sig.kind == PC_KIND_BLKARR && tn == (t ^ 1)) {
			(void)snprintf(buf, len, "%s (block area)",
				       ri.sig.name);
			return;
		}
	}
	(void)snprintf(buf, len, "-");
}

int pct_cmd_stats(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: pcoll stats POOL\n");
		return PCT_EXIT_USAGE;
	}
	pc_pool *pool = pct_open_ro(argv[1]);
	if (!pool)
		return PCT_EXIT_FAIL;
	pct_tstat *ts = NULL;
	size_t nts = 0, cap = 0;
	uint64_t objs = 0, bytes = 0, largest = 0;
	for (PMEMoid o = pmemobj_first(pool->pop); !OID_IS_NULL(o);
	     o = pmemobj_next(o)) {
		uint64_t tn = pmemobj_type_num(o);
		uint64_t sz = pmemobj_alloc_usable_size(o);
		size_t i = 0;
		while (i < nts && ts[i].type_num != tn)
			i++;
		if (i == nts) {
			if (nts == cap) {
				cap = cap ? cap * 2 : 16;
				pct_tstat *n = realloc(ts, cap * sizeof(*ts));
				if (!n) {
					fprintf(stderr,
						"pcoll stats: out of memory\n");
					free(ts);
					pc_pool_close(pool);
					return PCT_EXIT_FAIL;
				}
				ts = n;
			}
			memset(&ts[nts], 0, sizeof(ts[0]));
			ts[nts++].type_num = tn;
		}
		ts[i].count++;
		ts[i].bytes += sz;
		if (sz > ts[i].largest)
			ts[i].largest = sz;
		objs++;
		bytes += sz;
		if (sz > largest)
			largest = sz;
	}
	pc_pool_stats st;
	pc_err e = pct_stats(pool, &st);
	if (e != PC_OK) {
		pct_perr("stats", e);
		free(ts);
		pc_pool_close(pool);
		return PCT_EXIT_FAIL;
	}
	char b1[64], b2[64], b3[64];
	printf("pool:        %s\n", argv[1]);
	printf("size:        %llu bytes (%s)\n", (unsigned long long)st.size,
	       pct_human(st.size, b1, sizeof(b1)));
	printf("used:        %llu bytes (%s)\n", (unsigned long long)st.used,
	       pct_human(st.used, b2, sizeof(b2)));
	printf("free:        %llu bytes (%s, an upper bound)\n",
	       (unsigned long long)st.free, pct_human(st.free, b3, sizeof(b3)));
	printf("objects:     %llu\n", (unsigned long long)objs);
	printf("allocated:   %llu bytes (usable sizes)\n",
	       (unsigned long long)bytes);
	printf("largest:     %llu bytes\n", (unsigned long long)largest);
	printf("mean:        %.1f bytes\n",
	       objs ? (double)bytes / (double)objs : 0.0);
	printf("roots:       %llu\n", (unsigned long long)st.nroots);
	printf("by libpmemobj type number:\n");
	printf("  %-20s %10s %14s %12s  %s\n", "type", "objects", "bytes",
	       "largest", "what");
	for (size_t i = 0; i < nts; i++) {
		char lab[128];
		pct_type_label(pool, ts[i].type_num, lab, sizeof(lab));
		printf("  %#-20llx %10llu %14llu %12llu  %s\n",
		       (unsigned long long)ts[i].type_num,
		       (unsigned long long)ts[i].count,
		       (unsigned long long)ts[i].bytes,
		       (unsigned long long)ts[i].largest, lab);
	}
	free(ts);
	pc_pool_close(pool);
	return PCT_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* check                                                                */
/* ------------------------------------------------------------------ */

/* Runs the container's own check; returns 1 pass, 0 fail, -1 skipped. */
static int pct_check_root(pc_pool *pool, const pc_root_info *ri,
			  const char **why)
{
	pc_err e = PC_OK;
	*why = NULL;
	switch (ri->sig.kind) {
	case PC_KIND_OBJ: {
		PMEMoid oid = {pool->uuid_lo, ri->off};
		if (!pc__pool_range_ok(pool, ri->off, ri->sig.size))
			e = pc__fail(PC_E_CORRUPT, "object out of range");
		else if (pmemobj_type_num(oid) != pc__sig_typenum(&ri->sig))
			e = pc__fail(PC_E_CORRUPT,
				     "allocation's type number does not match "
				     "the signature");
		else if (pmemobj_alloc_usable_size(oid) < ri->sig.size)
			e = pc__fail(PC_E_CORRUPT,
				     "allocation is smaller than the type");
		break;
	}
#ifdef PCT_HAVE_VEC
	case PC_KIND_VEC:
		e = pc__vec_check(
			pool,
			(const struct pc__vec *)pc_pool_ptr(pool, ri->off),
			&ri->sig, "pvec check");
		break;
#endif
#ifdef PCT_HAVE_MAP
	case PC_KIND_MAP: {
		pct_map m;
		e = pct_map_bind(pool, ri->off, &ri->sig, &m);
		if (e == PC_OK && !m.kkind_known) {
			uint64_t len, leaves;
			e = pct_map_len(&m, &len, &leaves);
			if (e == PC_OK) {
				*why = "keys are ordered by the program's "
				       "comparator; only the header and leaf "
				       "chain were checked";
				return -1;
			}
		} else if (e == PC_OK) {
			e = pc__m_check(&m.c, "pmap check");
		}
		break;
	}
#endif
#ifdef PCT_HAVE_LOG
	case PC_KIND_LOG: {
		plog log;
		e = plog_root(pool, ri->name, PC_OPEN, 0, &log);
		if (e == PC_OK)
			e = plog_check(&log);
		break;
	}
#endif
#ifdef PCT_HAVE_BLKARR
	case PC_KIND_BLKARR: {
		pblkarr a;
		e = pblkarr_root(pool, ri->name, PC_OPEN, 0, 0, &a);
		if (e == PC_OK)
			e = pblkarr_check(&a);
		break;
	}
#endif
	default:
		*why = "this build of the tool has no check for this kind";
		return -1;
	}
	if (e != PC_OK) {
		*why = pc_errmsg();
		return 0;
	}
	return 1;
}

int pct_cmd_check(int argc, char **argv)
{
	int quiet = 0;
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-q") == 0 ||
		    strcmp(argv[i], "--quiet") == 0)
			quiet = 1;
		else if (!path)
			path = argv[i];
		else
			path = NULL, i = argc;
	}
	if (!path || argc > 3) {
		fprintf(stderr, "usage: pcoll check [-q] POOL\n");
		return PCT_EXIT_USAGE;
	}
	/* Opening first gives the most precise diagnosis of a bad file
	 * (truncated, wrong layout, newer version...). */
	pc_pool *pool = pct_open_ro(path);
	if (!pool) {
		printf("%s: FAILED: cannot open the pool\n", path);
		return PCT_EXIT_FAIL;
	}
	pc_pool_close(pool);
	pc_err e = pc_pool_check(path);
	if (e != PC_OK) {
		printf("%s: FAILED: pool: %s\n", path, pc_errmsg());
		return PCT_EXIT_FAIL;
	}
	if (!quiet)
		printf("pool: ok (libpmemobj check, pcoll root and "
		       "directory)\n");
	pool = pct_open_ro(path);
	if (!pool)
		return PCT_EXIT_FAIL;
	size_t n = pc_root_count(pool);
	size_t pass = 0, fail = 0, skip = 0;
	for (size_t i = 0; i < n; i++) {
		pc_root_info ri;
		if (pc_root_at(pool, i, &ri) != PC_OK) {
			fail++;
			printf("root %zu: FAILED: %s\n", i, pc_errmsg());
			continue;
		}
		const char *why = NULL;
		int r = pct_check_root(pool, &ri, &why);
		if (r > 0) {
			pass++;
			if (!quiet)
				printf("root \"%s\" (%s): ok\n", ri.name,
				       ri.sig.name);
		} else if (r < 0) {
			skip++;
			printf("root \"%s\" (%s): not fully checked: %s\n",
			       ri.name, ri.sig.name, why);
		} else {
			fail++;
			printf("root \"%s\" (%s): FAILED: %s\n", ri.name,
			       ri.sig.name, why);
		}
	}
	pc_pool_close(pool);
	printf("%s: %s: %zu roots, %zu passed, %zu failed, %zu not fully "
	       "checked\n",
	       path, fail ? "FAILED" : "ok", n, pass, fail, skip);
	return fail ? PCT_EXIT_FAIL : PCT_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* main                                                                 */
/* ------------------------------------------------------------------ */

static void pct_usage(FILE *f)
{
	fprintf(f, "usage: pcoll COMMAND ARGS\n"
		   "  info POOL                  layout, sizes and every named "
		   "root\n"
		   "  stats POOL                 allocation statistics\n"
		   "  check [-q] POOL            libpmemobj's check and every "
		   "container's\n"
		   "  dump POOL [ROOT...] [-o FILE] [--no-progress]\n"
		   "                             write the pool as JSON Lines\n"
		   "  restore FILE NEWPOOL [--size N | --grow STEP [--max M]]\n"
		   "                             [--no-progress]\n"
		   "                             make a new pool from a dump "
		   "(FILE - is stdin)\n"
		   "  version                    print the versions\n"
		   "info, stats, check and dump never write to POOL.\n"
		   "See docs/tool.md (or man pcoll).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		pct_usage(stderr);
		return PCT_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "info") == 0)
		return pct_cmd_info(argc - 1, argv + 1);
	if (strcmp(cmd, "stats") == 0)
		return pct_cmd_stats(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return pct_cmd_check(argc - 1, argv + 1);
	if (strcmp(cmd, "dump") == 0)
		return pct_cmd_dump(argc - 1, argv + 1);
	if (strcmp(cmd, "restore") == 0)
		return pct_cmd_restore(argc - 1, argv + 1);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("pcoll %s (dump format %d, pool layout version %d, "
		       "libpmemobj %d.%d)\n",
		       PCOLL_VERSION_STRING, PCT_DUMP_FORMAT,
		       PC_POOL_LAYOUT_VERSION, PMEMOBJ_MAJOR_VERSION,
		       PMEMOBJ_MINOR_VERSION);
		return PCT_EXIT_OK;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "-h") == 0) {
		pct_usage(stdout);
		return PCT_EXIT_OK;
	}
	fprintf(stderr, "pcoll: unknown command \"%s\"\n", cmd);
	pct_usage(stderr);
	return PCT_EXIT_USAGE;
}
