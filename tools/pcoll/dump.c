/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll dump: the pool as JSON Lines (format in docs/tool.md). Streams:
 * memory use is bounded by the largest single record, whatever the size
 * of the pool. Never writes to the pool (pct_open_ro()).
 *
 * Relies on the core only: pct_open_ro(), the map binding (bind.c), the
 * codec's writing half (json.c) and the progress bar (core.c). The
 * reading half of the same format is restore.c's.
 */
#define _GNU_SOURCE
#include "cmds.h"
#include "pct.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct pct_dump {
	FILE *out;
	pc_pool *pool;
	pct_progress prog;
	uint64_t done;
	uint64_t records;
} pct_dump;

/* Records a root will produce (for the progress bar); 0 when unknown. */
static uint64_t pct_root_records(pc_pool *pool, const pc_root_info *ri)
{
	switch (ri->sig.kind) {
	case PC_KIND_OBJ:
		return 1;
#ifdef PCT_HAVE_VEC
	case PC_KIND_VEC: {
		const struct pc__vec *h =
			(const struct pc__vec *)pc_pool_ptr(pool, ri->off);
		if (pc__vec_check(pool, h, &ri->sig, "vec") == PC_OK)
			return h->len;
		return 0;
	}
#endif
#ifdef PCT_HAVE_LOG
	case PC_KIND_LOG: {
		plog log;
		if (plog_root(pool, ri->name, PC_OPEN, 0, &log) == PC_OK)
			return plog_count(&log);
		return 0;
	}
#endif
#ifdef PCT_HAVE_BLKARR
	case PC_KIND_BLKARR: {
		pblkarr a;
		if (pblkarr_root(pool, ri->name, PC_OPEN, 0, 0, &a) == PC_OK)
			return a.nblock;
		return 0;
	}
#endif
	default:
		return 0;
	}
}

static void pct_root_line(pct_dump *d, const pc_root_info *ri,
			  const char *extra)
{
	fputs("{\"root\":", d->out);
	pct_put_str(d->out, ri->name, sizeof(ri->name));
	fprintf(d->out,
		",\"kind\":\"%s\",\"sig\":", pct_kind_name(ri->sig.kind));
	pct_put_sig(d->out, &ri->sig);
	fprintf(d->out, "%s}\n", extra);
}

static void pct_end_root(pct_dump *d, const pc_root_info *ri, uint64_t n)
{
	fputs("{\"end_root\":", d->out);
	pct_put_str(d->out, ri->name, sizeof(ri->name));
	fprintf(d->out, ",\"count\":%" PRIu64 "}\n", n);
	d->records += n;
}

static void pct_tick(pct_dump *d)
{
	d->done++;
	if ((d->done & 1023) == 0)
		pct_progress_set(&d->prog, d->done);
}

#ifdef PCT_HAVE_VEC
/* A vector header embedded at offset o of an object. */
static const struct pc__vec *pct_evec(const char *obj, size_t o)
{
	return (const struct pc__vec *)(const void *)(obj + o);
}

/* Offset of the next vector header embedded in the object of size bytes
 * at obj, at o or after it in steps of 8 bytes; size when there is none. */
static size_t pct_evec_next(const char *obj, size_t size, size_t o)
{
	for (; o + sizeof(struct pc__vec) <= size; o += 8) {
		const struct pc__vec *h = pct_evec(obj, o);
		if (h->oh.magic == PC__OBJ_MAGIC &&
		    h->oh.sig.kind == PC_KIND_VEC)
			return o;
	}
	return size;
}
#endif

static pc_err pct_dump_obj(pct_dump *d, const pc_root_info *ri)
{
	PMEMoid oid = {d->pool->uuid_lo, ri->off};
	if (!pc__pool_range_ok(d->pool, ri->off, ri->sig.size) ||
	    pmemobj_alloc_usable_size(oid) < ri->sig.size)
		return pc__fail(PC_E_CORRUPT, "root \"%s\": object is damaged",
				ri->name);
	const char *obj = pc_pool_ptr(d->pool, ri->off);
	const size_t size = ri->sig.size;
	uint64_t n = 1;
#ifdef PCT_HAVE_VEC
	/* Vectors embedded in the struct (NAME_init_in()): their headers
	 * hold offsets into this pool, so their elements are dumped after
	 * the object and the headers rebuilt by restore. */
	for (size_t o = pct_evec_next(obj, size, 0); o < size;
	     o = pct_evec_next(obj, size, o + sizeof(struct pc__vec))) {
		const struct pc__vec *h = pct_evec(obj, o);
		PC_TRY(pc__vec_check(d->pool, h, &h->oh.sig,
				     "embedded vector"));
		n += h->len;
	}
#endif
	char extra[64];
	(void)snprintf(extra, sizeof(extra), ",\"count\":%" PRIu64, n);
	pct_root_line(d, ri, extra);
	/* The data line holds the embedded headers as empty vectors (their
	 * length, capacity and array offset are this pool's business). */
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return pc__fail(PC_E_NOMEM, "out of memory");
	memcpy(copy, obj, size);
#ifdef PCT_HAVE_VEC
	for (size_t o = pct_evec_next(obj, size, 0); o < size;
	     o = pct_evec_next(obj, size, o + sizeof(struct pc__vec))) {
		struct pc__vec *h = (struct pc__vec *)(void *)(copy + o);
		h->len = h->cap = h->data_off = h->flags = 0;
	}
#endif
	fputs("{\"data\":\"", d->out);
	pct_put_b64(d->out, copy, size);
	fputs("\"}\n", d->out);
	free(copy);
	pct_tick(d);
#ifdef PCT_HAVE_VEC
	for (size_t o = pct_evec_next(obj, size, 0); o < size;
	     o = pct_evec_next(obj, size, o + sizeof(struct pc__vec))) {
		const struct pc__vec *h = pct_evec(obj, o);
		fprintf(d->out, "{\"embedded_vec\":%zu,\"sig\":", o);
		pct_put_sig(d->out, &h->oh.sig);
		fprintf(d->out, ",\"count\":%" PRIu64 "}\n", h->len);
		const char *data = pc_pool_ptr(d->pool, h->data_off);
		size_t esz = h->oh.sig.size;
		for (uint64_t i = 0; i < h->len; i++) {
			fputs("{\"e\":\"", d->out);
			pct_put_b64(d->out, data + i * esz, esz);
			fputs("\"}\n", d->out);
		}
	}
#endif
	pct_end_root(d, ri, n);
	return PC_OK;
}

#ifdef PCT_HAVE_VEC
static pc_err pct_dump_vec(pct_dump *d, const pc_root_info *ri)
{
	const struct pc__vec *h =
		(const struct pc__vec *)pc_pool_ptr(d->pool, ri->off);
	PC_TRY(pc__vec_check(d->pool, h, &ri->sig, "vector check"));
	char extra[64];
	(void)snprintf(extra, sizeof(extra), ",\"count\":%" PRIu64, h->len);
	pct_root_line(d, ri, extra);
	const char *data = pc_pool_ptr(d->pool, h->data_off);
	size_t esz = ri->sig.size;
	for (uint64_t i = 0; i < h->len; i++) {
		fputs("{\"e\":\"", d->out);
		pct_put_b64(d->out, data + i * esz, esz);
		fputs("\"}\n", d->out);
		pct_tick(d);
	}
	pct_end_root(d, ri, h->len);
	return PC_OK;
}
#endif

#ifdef PCT_HAVE_LOG
static pc_err pct_dump_log(pct_dump *d, const pc_root_info *ri)
{
	plog log;
	PC_TRY(plog_root(d->pool, ri->name, PC_OPEN, 0, &log));
	PC_TRY(plog_check(&log));
	char extra[128];
	(void)snprintf(extra, sizeof(extra),
		       ",\"count\":%" PRIu64 ",\"bytes\":%" PRIu64,
		       plog_count(&log), plog_tell(&log));
	pct_root_line(d, ri, extra);
	plog_iter it;
	PC_TRY(plog_iter_begin(&log, &it));
	const void *rec;
	size_t len;
	uint64_t n = 0;
	while (plog_iter_next(&it, &rec, &len)) {
		fputs("{\"r\":\"", d->out);
		pct_put_b64(d->out, rec, len);
		fputs("\"}\n", d->out);
		n++;
		pct_tick(d);
	}
	pc_err e = plog_iter_error(&it);
	plog_iter_end(&it);
	if (e != PC_OK)
		return e;
	pct_end_root(d, ri, n);
	return PC_OK;
}
#endif

#ifdef PCT_HAVE_BLKARR
static pc_err pct_dump_blkarr(pct_dump *d, const pc_root_info *ri)
{
	pblkarr a;
	PC_TRY(pblkarr_root(d->pool, ri->name, PC_OPEN, 0, 0, &a));
	PC_TRY(pblkarr_check(&a));
	char extra[128];
	(void)snprintf(extra, sizeof(extra),
		       ",\"bsize\":%zu,\"nblock\":%" PRIu64, a.bsize, a.nblock);
	pct_root_line(d, ri, extra);
	unsigned char *buf = malloc(a.bsize ? a.bsize : 1);
	if (!buf)
		return pc__fail(PC_E_NOMEM, "out of memory");
	uint64_t n = 0;
	pc_err e = PC_OK;
	for (uint64_t i = 0; i < a.nblock; i++) {
		pct_tick(d);
		e = pblkarr_read(&a, i, buf);
		if (e == PC_E_BADBLOCK) {
			fprintf(d->out, "{\"b\":%" PRIu64 ",\"bad\":true}\n",
				i);
			n++;
			e = PC_OK;
			continue;
		}
		if (e != PC_OK)
			break;
		size_t k = 0;
		while (k < a.bsize && buf[k] == 0)
			k++;
		if (k == a.bsize)
			continue; /* reads as zeros: a new array does too */
		fprintf(d->out, "{\"b\":%" PRIu64 ",\"d\":\"", i);
		pct_put_b64(d->out, buf, a.bsize);
		fputs("\"}\n", d->out);
		n++;
	}
	free(buf);
	if (e == PC_OK)
		pct_end_root(d, ri, n);
	return e;
}
#endif

#ifdef PCT_HAVE_MAP
static pc_err pct_dump_map(pct_dump *d, const pc_root_info *ri)
{
	pct_map m;
	PC_TRY(pct_map_bind(d->pool, ri->off, &ri->sig, &m));
	if (!m.kkind_known)
		return pc__fail(PC_E_TYPE,
				"root \"%s\": the keys (%s) are ordered by the "
				"program's comparator, which the tool does "
				"not have; not dumped",
				ri->name, m.kname);
	PC_TRY(pc__m_check(&m.c, "map check"));
	uint64_t len = pc__m_len(&m.c);
	const char *kk = m.d.kkind == PC__MK_BYTES  ? "bytes"
			 : m.d.kkind == PC__MK_SINT ? "sint"
						    : "uint";
	char extra[160];
	(void)snprintf(extra, sizeof(extra),
		       ",\"count\":%" PRIu64 ",\"key\":\"%s\",\"value\":\"%s\"",
		       len, kk, m.d.vbytes ? "bytes" : "raw");
	pct_root_line(d, ri, extra);
	const pc__mctx *c = &m.c;
	uint64_t n = 0;
	for (uint64_t off = pc__m_edge_leaf(c, 0); off;
	     off = pc__ml(c, off)->next) {
		const struct pc__mleaf *l = pc__ml(c, off);
		uint8_t ord[64];
		unsigned cnt = pc__ml_sorted(c, l, ord);
		for (unsigned i = 0; i < cnt; i++) {
			const unsigned char *slot = pc__ml_slot(c, l, ord[i]);
			fputs("{\"k\":\"", d->out);
			if (m.d.kkind == PC__MK_BYTES) {
				pc_slice s = pc__mk_bview(c, slot);
				pct_put_b64(d->out, s.ptr, s.len);
			} else {
				pct_put_b64(d->out, slot, m.d.ksz);
			}
			fputs("\",\"v\":\"", d->out);
			if (m.d.vbytes) {
				pc_slice s = pc__mk_bview(c, slot + m.d.voff);
				pct_put_b64(d->out, s.ptr, s.len);
			} else {
				pct_put_b64(d->out, slot + m.d.voff, m.d.vsz);
			}
			fputs("\"}\n", d->out);
			n++;
			pct_tick(d);
		}
	}
	pct_end_root(d, ri, n);
	return PC_OK;
}
#endif

static pc_err pct_dump_root(pct_dump *d, const pc_root_info *ri)
{
	switch (ri->sig.kind) {
	case PC_KIND_OBJ:
		return pct_dump_obj(d, ri);
#ifdef PCT_HAVE_VEC
	case PC_KIND_VEC:
		return pct_dump_vec(d, ri);
#endif
#ifdef PCT_HAVE_LOG
	case PC_KIND_LOG:
		return pct_dump_log(d, ri);
#endif
#ifdef PCT_HAVE_BLKARR
	case PC_KIND_BLKARR:
		return pct_dump_blkarr(d, ri);
#endif
#ifdef PCT_HAVE_MAP
	case PC_KIND_MAP:
		return pct_dump_map(d, ri);
#endif
	default:
		return pc__fail(PC_E_TYPE,
				"root \"%s\": this build of the tool cannot "
				"dump kind %u (%s)",
				ri->name, ri->sig.kind,
				pct_kind_name(ri->sig.kind));
	}
}

struct pct_dump_opts {
	const char *out;
	int progress;
};

static int pct_dump_opt(int code, const char *arg, void *ctx)
{
	struct pct_dump_opts *o = (struct pct_dump_opts *)ctx;
	if (code == 'o')
		o->out = arg;
	else if (code == 'P')
		o->progress = 0;
	return 0;
}

int pct_cmd_dump(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"no-progress", no_argument, NULL, 'P'},
		{NULL, 0, NULL, 0}};
	static const pct_cmd_spec spec = {
		"dump",
		"dump POOL [ROOT...] [-o FILE] [--no-progress]",
		"Write POOL, or only the roots named, as JSON Lines (format "
		"in\n"
		"docs/tool.md). Reads only.\n"
		"  -o, --output=FILE  write to FILE instead of standard "
		"output\n"
		"  --no-progress      no progress bar on a terminal\n"
		"  -h, --help         this text\n",
		"o:",
		longopts,
		1,
		-1};
	struct pct_dump_opts o = {NULL, 1};
	int pst;
	int first = pct_getopt(&spec, argc, argv, pct_dump_opt, &o, &pst);
	if (first < 0)
		return pst;
	const char *path = argv[first], *outp = o.out;
	int progress = o.progress;
	char **names = argv + first + 1;
	int nnames = argc - first - 1;
	pc_pool *pool = pct_open_ro(path);
	if (!pool)
		return PCT_EXIT_FAIL;
	int status = PCT_EXIT_OK;
	size_t n = pc_root_count(pool);
	pc_root_info *sel = calloc(n ? n : 1, sizeof(*sel));
	size_t nsel = 0;
	if (!sel) {
		fprintf(stderr, "pcoll dump: out of memory\n");
		status = PCT_EXIT_FAIL;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		pc_root_info ri;
		if (pc_root_at(pool, i, &ri) != PC_OK) {
			pct_perr("dump", PC_E_CORRUPT);
			status = PCT_EXIT_FAIL;
			goto out;
		}
		int want = nnames == 0;
		for (int k = 0; k < nnames && !want; k++)
			want = strcmp(names[k], ri.name) == 0;
		if (want)
			sel[nsel++] = ri;
	}
	for (int k = 0; k < nnames; k++) {
		int found = 0;
		for (size_t i = 0; i < nsel && !found; i++)
			found = strcmp(names[k], sel[i].name) == 0;
		if (!found) {
			fprintf(stderr,
				"pcoll dump: %s: no root named \"%s\"\n", path,
				names[k]);
			status = PCT_EXIT_FAIL;
			goto out;
		}
	}
	pct_dump d;
	memset(&d, 0, sizeof(d));
	d.pool = pool;
	d.out = stdout;
	if (outp && strcmp(outp, "-") != 0) {
		d.out = fopen(outp, "w");
		if (!d.out) {
			fprintf(stderr, "pcoll dump: %s: %s\n", outp,
				strerror(errno));
			status = PCT_EXIT_FAIL;
			goto out;
		}
	}
	uint64_t total = 0;
	for (size_t i = 0; i < nsel; i++)
		total += pct_root_records(pool, &sel[i]);
	pc_pool_stats st;
	if (pc_pool_stats_get(pool, &st) != PC_OK)
		memset(&st, 0, sizeof(st));
	fprintf(d.out,
		"{\"format\":\"pcoll-dump\",\"version\":%d,\"pcoll\":\"%s\","
		"\"pool_size\":%" PRIu64 ",\"pool_used\":%" PRIu64
		",\"grow_step\":%" PRIu64 ",\"roots\":%zu}\n",
		PCT_DUMP_FORMAT, PCOLL_VERSION_STRING, st.size, st.used,
		(uint64_t)pool->root->grow_step, nsel);
	pct_progress_begin(&d.prog, "dump", total, progress);
	size_t written = 0, skipped = 0;
	for (size_t i = 0; i < nsel; i++) {
		long pos = ftell(d.out);
		pc_err e = pct_dump_root(&d, &sel[i]);
		if (e == PC_OK) {
			written++;
			continue;
		}
		/* Roll back a partly written root when the output is a
		 * file; on a pipe, mark it. */
		if (pos >= 0 && fflush(d.out) == 0 &&
		    fseek(d.out, pos, SEEK_SET) == 0 &&
		    ftruncate(fileno(d.out), pos) == 0) {
			/* rolled back */
		} else {
			fputs("{\"error\":\"root cut short\"}\n", d.out);
		}
		if (d.prog.on)
			fputc('\n', stderr);
		fprintf(stderr, "pcoll dump: root \"%s\" skipped: %s\n",
			sel[i].name, pc_errmsg());
		fputs("{\"skipped\":", d.out);
		pct_put_str(d.out, sel[i].name, sizeof(sel[i].name));
		fputs(",\"reason\":", d.out);
		pct_put_str(d.out, pc_errmsg(), PC_ERRMSG_MAX);
		fputs("}\n", d.out);
		skipped++;
		status = PCT_EXIT_FAIL;
	}
	fprintf(d.out,
		"{\"end_dump\":true,\"roots\":%zu,\"skipped\":%zu,"
		"\"records\":%" PRIu64 "}\n",
		written, skipped, d.records);
	pct_progress_end(&d.prog);
	if (fflush(d.out) != 0 || ferror(d.out)) {
		fprintf(stderr, "pcoll dump: write error: %s\n",
			strerror(errno));
		status = PCT_EXIT_FAIL;
	}
	if (d.out != stdout)
		fclose(d.out);
	if (skipped)
		fprintf(stderr,
			"pcoll dump: incomplete: %zu of %zu roots skipped\n",
			skipped, nsel);
out:
	free(sel);
	pc_pool_close(pool);
	return status;
}
