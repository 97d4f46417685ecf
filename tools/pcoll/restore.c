/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll dump / pcoll restore: the pool as JSON Lines (format in
 * docs/tool.md). Both stream: memory use is bounded by the largest single
 * record, whatever the size of the pool.
 */
#define _GNU_SOURCE
#include "pct.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Output: JSON strings and base64                                      */
/* ------------------------------------------------------------------ */

static const char pct_b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void pct_put_b64(FILE *f, const void *data, size_t n)
{
	const unsigned char *p = (const unsigned char *)data;
	char out[4096];
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		size_t left = n - i;
		if (left > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		out[o++] = pct_b64[(v >> 18) & 63];
		out[o++] = pct_b64[(v >> 12) & 63];
		out[o++] = left > 1 ? pct_b64[(v >> 6) & 63] : '=';
		out[o++] = left > 2 ? pct_b64[v & 63] : '=';
		if (o + 4 > sizeof(out)) {
			fwrite(out, 1, o, f);
			o = 0;
		}
	}
	fwrite(out, 1, o, f);
}

/* A JSON string holding arbitrary bytes: bytes outside printable ASCII,
 * '"' and '\' are escaped; \u00XX always means the single byte XX. */
static void pct_put_str(FILE *f, const char *s, size_t max)
{
	fputc('"', f);
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void pct_put_sig(FILE *f, const pc_typesig *s)
{
	fputs("{\"name\":", f);
	pct_put_str(f, s->name, sizeof(s->name));
	fprintf(f,
		",\"kind\":%u,\"version\":%u,\"size\":%u,\"align\":%u,"
		"\"size2\":%u,\"align2\":%u}",
		s->kind, s->version, s->size, s->align, s->size2, s->align2);
}

/* ------------------------------------------------------------------ */
/* Input: one flat JSON object per line (and one nested object: sig)    */
/* ------------------------------------------------------------------ */

enum { PCT_J_STR = 1, PCT_J_NUM, PCT_J_BOOL, PCT_J_OBJ };

#define PCT_J_MAX 16

typedef struct pct_jval {
	const char *key;
	int type;
	char *str; /* decoded in place (bytes; NUL-terminated) */
	size_t len;
	uint64_t num;
	int neg;
	int boolean;
	int sub; /* PCT_J_OBJ: index of the first nested field */
	int nsub;
} pct_jval;

typedef struct pct_jobj {
	pct_jval v[PCT_J_MAX * 2];
	int n;   /* top-level fields are v[0..top) */
	int top; /* nested fields follow them */
	const char *err;
} pct_jobj;

static void pct_j_ws(char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n')
		(*p)++;
}

static int pct_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse a string at *p (at the opening quote), decoding in place. */
static int pct_j_str(char **p, char **out, size_t *len)
{
	char *s = *p;
	if (*s != '"')
		return -1;
	s++;
	char *w = s, *start = s;
	for (;;) {
		char c = *s++;
		if (c == '\0')
			return -1;
		if (c == '"')
			break;
		if (c != '\\') {
			*w++ = c;
			continue;
		}
		c = *s++;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			*w++ = c;
			break;
		case 'n':
			*w++ = '\n';
			break;
		case 't':
			*w++ = '\t';
			break;
		case 'r':
			*w++ = '\r';
			break;
		case 'b':
			*w++ = '\b';
			break;
		case 'f':
			*w++ = '\f';
			break;
		case 'u': {
			int v = 0;
			for (int i = 0; i < 4; i++) {
				int h = pct_hex(s[i]);
				if (h < 0)
					return -1;
				v = v * 16 + h;
			}
			if (v > 255)
				return -1; /* only bytes are written */
			*w++ = (char)v;
			s += 4;
			break;
		}
		default:
			return -1;
		}
	}
	*len = (size_t)(w - start);
	*w = '\0';
	*out = start;
	*p = s;
	return 0;
}

static int pct_j_obj(char **p, pct_jobj *o, int nested, int *first, int *cnt)
{
	char *s = *p;
	pct_j_ws(&s);
	if (*s != '{')
		return -1;
	s++;
	pct_j_ws(&s);
	/* Nested fields are stored after the top-level ones: parse the
	 * nested object into a scratch area at the end. */
	int base = nested ? PCT_J_MAX : 0;
	int n = 0;
	if (*s == '}') {
		s++;
		goto done;
	}
	for (;;) {
		if (n >= PCT_J_MAX)
			return -1;
		pct_jval *v = &o->v[base + n];
		memset(v, 0, sizeof(*v));
		char *key;
		size_t klen;
		pct_j_ws(&s);
		if (pct_j_str(&s, &key, &klen) != 0)
			return -1;
		v->key = key;
		pct_j_ws(&s);
		if (*s++ != ':')
			return -1;
		pct_j_ws(&s);
		if (*s == '"') {
			v->type = PCT_J_STR;
			if (pct_j_str(&s, &v->str, &v->len) != 0)
				return -1;
		} else if (*s == '{') {
			if (nested)
				return -1;
			v->type = PCT_J_OBJ;
			if (pct_j_obj(&s, o, 1, &v->sub, &v->nsub) != 0)
				return -1;
		} else if (strncmp(s, "true", 4) == 0) {
			v->type = PCT_J_BOOL;
			v->boolean = 1;
			s += 4;
		} else if (strncmp(s, "false", 5) == 0) {
			v->type = PCT_J_BOOL;
			s += 5;
		} else if (*s == '-' || (*s >= '0' && *s <= '9')) {
			v->type = PCT_J_NUM;
			if (*s == '-') {
				v->neg = 1;
				s++;
			}
			char *end = NULL;
			errno = 0;
			v->num = strtoull(s, &end, 10);
			if (end == s || errno)
				return -1;
			s = end;
		} else {
			return -1;
		}
		n++;
		pct_j_ws(&s);
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '}') {
			s++;
			break;
		}
		return -1;
	}
done:
	*p = s;
	*first = base;
	*cnt = n;
	return 0;
}

static int pct_j_parse(char *line, pct_jobj *o)
{
	o->n = 0;
	o->top = 0;
	char *p = line;
	int first = 0, n = 0;
	if (pct_j_obj(&p, o, 0, &first, &n) != 0)
		return -1;
	pct_j_ws(&p);
	if (*p)
		return -1;
	o->n = n;
	o->top = n;
	return 0;
}

static const pct_jval *pct_j_get_in(const pct_jobj *o, int first, int n,
				    const char *key, int type)
{
	for (int i = first; i < first + n; i++)
		if (strcmp(o->v[i].key, key) == 0)
			return o->v[i].type == type ? &o->v[i] : NULL;
	return NULL;
}

static const pct_jval *pct_j_get(const pct_jobj *o, const char *key, int type)
{
	return pct_j_get_in(o, 0, o->top, key, type);
}

/* Decode base64 in place; returns the length or -1. */
static long pct_unb64(char *s, size_t n)
{
	if (n % 4)
		return -1;
	unsigned char *w = (unsigned char *)s;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t v = 0;
		int pad = 0;
		for (int j = 0; j < 4; j++) {
			char c = s[i + j];
			int d;
			if (c >= 'A' && c <= 'Z')
				d = c - 'A';
			else if (c >= 'a' && c <= 'z')
				d = c - 'a' + 26;
			else if (c >= '0' && c <= '9')
				d = c - '0' + 52;
			else if (c == '+')
				d = 62;
			else if (c == '/')
				d = 63;
			else if (c == '=' && i + 4 == n && j >= 2)
				d = 0, pad++;
			else
				return -1;
			if (pad && c != '=')
				return -1;
			v = v << 6 | (uint32_t)d;
		}
		w[o++] = (unsigned char)(v >> 16);
		if (pad < 2)
			w[o++] = (unsigned char)(v >> 8);
		if (pad < 1)
			w[o++] = (unsigned char)v;
	}
	return (long)o;
}

/* ------------------------------------------------------------------ */
/* dump                                                                 */
/* ------------------------------------------------------------------ */

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

static pc_err pct_dump_obj(pct_dump *d, const pc_root_info *ri)
{
	PMEMoid oid = {d->pool->uuid_lo, ri->off};
	if (!pc__pool_range_ok(d->pool, ri->off, ri->sig.size) ||
	    pmemobj_alloc_usable_size(oid) < ri->sig.size)
		return pc__fail(PC_E_CORRUPT, "root \"%s\": object is damaged",
				ri->name);
	const char *obj = pc_pool_ptr(d->pool, ri->off);
	uint64_t n = 1;
#ifdef PCT_HAVE_VEC
	/* Vectors embedded in the struct (NAME_init_in()): their headers
	 * hold offsets into this pool, so their elements are dumped after
	 * the object and the headers rebuilt by restore. */
	for (size_t o = 0; o + sizeof(struct pc__vec) <= ri->sig.size; o += 8) {
		const struct pc__vec *h =
			(const struct pc__vec *)(const void *)(obj + o);
		if (h->oh.magic != PC__OBJ_MAGIC ||
		    h->oh.sig.kind != PC_KIND_VEC)
			continue;
		PC_TRY(pc__vec_check(d->pool, h, &h->oh.sig, "pcoll dump"));
		n += h->len;
		o += sizeof(struct pc__vec) - 8;
	}
#endif
	char extra[64];
	(void)snprintf(extra, sizeof(extra), ",\"count\":%" PRIu64, n);
	pct_root_line(d, ri, extra);
	/* The data line holds the embedded headers as empty vectors (their
	 * length, capacity and array offset are this pool's business). */
	char *copy = malloc(ri->sig.size ? ri->sig.size : 1);
	if (!copy)
		return pc__fail(PC_E_NOMEM, "pcoll dump: out of memory");
	memcpy(copy, obj, ri->sig.size);
#ifdef PCT_HAVE_VEC
	for (size_t o = 0; o + sizeof(struct pc__vec) <= ri->sig.size; o += 8) {
		struct pc__vec *h = (struct pc__vec *)(void *)(copy + o);
		if (h->oh.magic != PC__OBJ_MAGIC ||
		    h->oh.sig.kind != PC_KIND_VEC)
			continue;
		h->len = h->cap = h->data_off = h->flags = 0;
		o += sizeof(struct pc__vec) - 8;
	}
#endif
	fputs("{\"data\":\"", d->out);
	pct_put_b64(d->out, copy, ri->sig.size);
	fputs("\"}\n", d->out);
	free(copy);
	pct_tick(d);
#ifdef PCT_HAVE_VEC
	for (size_t o = 0; o + sizeof(struct pc__vec) <= ri->sig.size; o += 8) {
		const struct pc__vec *h =
			(const struct pc__vec *)(const void *)(obj + o);
		if (h->oh.magic != PC__OBJ_MAGIC ||
		    h->oh.sig.kind != PC_KIND_VEC)
			continue;
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
		o += sizeof(struct pc__vec) - 8;
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
	PC_TRY(pc__vec_check(d->pool, h, &ri->sig, "pcoll dump"));
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
		return pc__fail(PC_E_NOMEM, "pcoll dump: out of memory");
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
	PC_TRY(pc__m_check(&m.c, "pcoll dump"));
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

int pct_cmd_dump(int argc, char **argv)
{
	const char *path = NULL, *outp = NULL;
	int progress = 1;
	char **names = calloc((size_t)argc, sizeof(char *));
	int nnames = 0;
	if (!names)
		return PCT_EXIT_FAIL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			outp = argv[++i];
		} else if (strcmp(argv[i], "--no-progress") == 0) {
			progress = 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "pcoll dump: unknown option %s\n",
				argv[i]);
			free(names);
			return PCT_EXIT_USAGE;
		} else if (!path) {
			path = argv[i];
		} else {
			names[nnames++] = argv[i];
		}
	}
	if (!path) {
		fprintf(stderr, "usage: pcoll dump POOL [ROOT...] [-o FILE] "
				"[--no-progress]\n");
		free(names);
		return PCT_EXIT_USAGE;
	}
	pc_pool *pool = pct_open_ro(path);
	if (!pool) {
		free(names);
		return PCT_EXIT_FAIL;
	}
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
	free(names);
	pc_pool_close(pool);
	return status;
}

/* ------------------------------------------------------------------ */
/* restore                                                              */
/* ------------------------------------------------------------------ */

typedef struct pct_rroot {
	int active;
	char name[PC_NAME_MAX + 1];
	pc_typesig sig;
	uint64_t count; /* records added */
	uint64_t off;
#ifdef PCT_HAVE_VEC
	struct pc__vec *vec; /* a vector root, or one embedded in an object */
	unsigned char *vbuf; /* elements waiting for one extend */
	size_t vfill, vcap;  /* in elements */
	size_t esz;          /* element size of vec */
#endif
#ifdef PCT_HAVE_LOG
	plog log;
#endif
#ifdef PCT_HAVE_BLKARR
	pblkarr blk;
	uint64_t nblock;
#endif
#ifdef PCT_HAVE_MAP
	pct_map map;
	unsigned char *kbuf, *vvbuf;
#endif
} pct_rroot;

static pc_err pct_obj_init(pc_pool *pool, void *obj, void *arg)
{
	(void)pool;
	const pct_jval *data = (const pct_jval *)arg;
	memcpy(obj, data->str, data->len);
	return PC_OK;
}

static pc_err pct_sig_from_json(const pct_jobj *o, const pct_jval *v,
				pc_typesig *sig)
{
	memset(sig, 0, sizeof(*sig));
	const pct_jval *nm =
		pct_j_get_in(o, v->sub, v->nsub, "name", PCT_J_STR);
	if (!nm || nm->len > PC_TYPENAME_MAX)
		return pc__fail(PC_E_CORRUPT, "bad signature name");
	memcpy(sig->name, nm->str, nm->len);
	static const char *const f[] = {"kind",  "version", "size",
					"align", "size2",   "align2"};
	uint32_t *dst[] = {&sig->kind,  &sig->version, &sig->size,
			   &sig->align, &sig->size2,   &sig->align2};
	for (int i = 0; i < 6; i++) {
		const pct_jval *x =
			pct_j_get_in(o, v->sub, v->nsub, f[i], PCT_J_NUM);
		if (!x || x->neg || x->num > UINT32_MAX)
			return pc__fail(PC_E_CORRUPT,
					"signature field \"%s\" missing or bad",
					f[i]);
		*dst[i] = (uint32_t)x->num;
	}
	return PC_OK;
}

#ifdef PCT_HAVE_VEC
static pc_err pct_vec_flush(pc_pool *pool, pct_rroot *r)
{
	if (r->vfill == 0)
		return PC_OK;
	pc_err e = pc__vec_extend(pool, r->vec, r->esz, r->vbuf, r->vfill,
				  "pcoll restore");
	r->vfill = 0;
	return e;
}
#endif

static void pct_rroot_free(pct_rroot *r)
{
#ifdef PCT_HAVE_VEC
	free(r->vbuf);
	r->vbuf = NULL;
#endif
#ifdef PCT_HAVE_MAP
	free(r->kbuf);
	free(r->vvbuf);
	r->kbuf = r->vvbuf = NULL;
#endif
	r->active = 0;
}

/* A root line: create the container. */
static pc_err pct_restore_begin(pc_pool *pool, const pct_jobj *o, pct_rroot *r)
{
	const pct_jval *nm = pct_j_get(o, "root", PCT_J_STR);
	const pct_jval *sv = pct_j_get(o, "sig", PCT_J_OBJ);
	if (!nm || !sv || nm->len == 0 || nm->len > PC_NAME_MAX ||
	    memchr(nm->str, 0, nm->len))
		return pc__fail(PC_E_CORRUPT, "bad root line");
	memset(r, 0, sizeof(*r));
	memcpy(r->name, nm->str, nm->len);
	PC_TRY(pct_sig_from_json(o, sv, &r->sig));
	const pc_typesig *sig = &r->sig;
	switch (sig->kind) {
	case PC_KIND_OBJ:
		break; /* made when its data line arrives */
#ifdef PCT_HAVE_VEC
	case PC_KIND_VEC: {
		if (sig->version != PC__VEC_VERSION || sig->size == 0)
			return pc__fail(PC_E_VERSION,
					"root \"%s\": vector layout version "
					"%u, this build writes %u",
					r->name, sig->version, PC__VEC_VERSION);
		PC_TRY(pc_root_obtain(
			pool, r->name, sig, sizeof(struct pc__vec), PC_CREATE,
			pc__vec_root_init, (void *)sig, &r->off, NULL));
		r->vec = (struct pc__vec *)pc_pool_ptr(pool, r->off);
		r->esz = sig->size;
		r->vcap = (1u << 20) / sig->size + 1;
		r->vbuf = malloc(r->vcap * sig->size);
		if (!r->vbuf)
			return pc__fail(PC_E_NOMEM, "out of memory");
		break;
	}
#endif
#ifdef PCT_HAVE_LOG
	case PC_KIND_LOG: {
		pc_typesig want = plog__sig();
		if (!pc__sig_eq(&want, sig))
			return pc__fail(PC_E_VERSION,
					"root \"%s\": log signature %s v%u, "
					"this build writes %s v%u",
					r->name, sig->name, sig->version,
					want.name, want.version);
		const pct_jval *b = pct_j_get(o, "bytes", PCT_J_NUM);
		const pct_jval *c = pct_j_get(o, "count", PCT_J_NUM);
		uint64_t need = (b ? b->num : 0) +
				(c ? c->num : 0) * (PLOG_REC_OVERHEAD + 8) +
				4096;
		if (need > (64u << 20))
			need = 64u << 20;
		PC_TRY(plog_root(pool, r->name, PC_CREATE, (size_t)need,
				 &r->log));
		break;
	}
#endif
#ifdef PCT_HAVE_BLKARR
	case PC_KIND_BLKARR: {
		pc_typesig want = pc__blk_sig();
		const pct_jval *bs = pct_j_get(o, "bsize", PCT_J_NUM);
		const pct_jval *nb = pct_j_get(o, "nblock", PCT_J_NUM);
		if (!pc__sig_eq(&want, sig))
			return pc__fail(PC_E_VERSION,
					"root \"%s\": block array signature "
					"%s v%u, this build writes %s v%u",
					r->name, sig->name, sig->version,
					want.name, want.version);
		if (!bs || !nb || bs->num == 0 || nb->num == 0)
			return pc__fail(PC_E_CORRUPT,
					"root \"%s\": bsize or nblock missing",
					r->name);
		PC_TRY(pblkarr_root(pool, r->name, PC_CREATE, (size_t)bs->num,
				    nb->num, &r->blk));
		r->nblock = nb->num;
		break;
	}
#endif
#ifdef PCT_HAVE_MAP
	case PC_KIND_MAP: {
		if (sig->version != PC__MAP_VERSION)
			return pc__fail(PC_E_VERSION,
					"root \"%s\": map layout version %u, "
					"this build writes %u",
					r->name, sig->version, PC__MAP_VERSION);
		PC_TRY(pct_map_desc(sig, &r->map));
		if (!r->map.kkind_known)
			return pc__fail(PC_E_TYPE,
					"root \"%s\": keys %s need the "
					"program's comparator",
					r->name, r->map.kname);
		struct pc__minit_arg a = {&r->map.d, sig};
		PC_TRY(pc_root_obtain(pool, r->name, sig,
				      sizeof(struct pc__maphdr), PC_CREATE,
				      pc__m_init_cb, &a, &r->off, NULL));
		PC_TRY(pct_map_bind(pool, r->off, sig, &r->map));
		r->kbuf = aligned_alloc(64, 1024);
		r->vvbuf =
			aligned_alloc(64, ((size_t)sig->size2 + 63) / 64 * 64);
		if (!r->kbuf || !r->vvbuf)
			return pc__fail(PC_E_NOMEM, "out of memory");
		break;
	}
#endif
	default:
		return pc__fail(PC_E_TYPE,
				"root \"%s\": this build of the tool cannot "
				"restore kind %u",
				r->name, sig->kind);
	}
	r->active = 1;
	return PC_OK;
}

/* Decode base64 field key of o in place; its bytes in *p, *n. */
static pc_err pct_field_bytes(const pct_jobj *o, const char *key, char **p,
			      size_t *n)
{
	const pct_jval *v = pct_j_get(o, key, PCT_J_STR);
	if (!v)
		return pc__fail(PC_E_CORRUPT, "field \"%s\" missing", key);
	long got = pct_unb64(v->str, v->len);
	if (got < 0)
		return pc__fail(PC_E_CORRUPT, "field \"%s\": bad base64", key);
	*p = v->str;
	*n = (size_t)got;
	return PC_OK;
}

/* One element/entry/record/block line. */
static pc_err pct_restore_item(pc_pool *pool, const pct_jobj *o, pct_rroot *r)
{
	char *p = NULL;
	size_t n = 0;
	switch (r->sig.kind) {
	case PC_KIND_OBJ: {
#ifdef PCT_HAVE_VEC
		const pct_jval *ev = pct_j_get(o, "embedded_vec", PCT_J_NUM);
		const pct_jval *es = pct_j_get(o, "sig", PCT_J_OBJ);
		if (ev) {
			/* A vector embedded at offset ev in the object: make
			 * its header an empty vector here, then the element
			 * lines that follow extend it. */
			pc_typesig vs;
			if (r->count != 1 || !es ||
			    ev->num + sizeof(struct pc__vec) > r->sig.size ||
			    ev->num % 8)
				return pc__fail(PC_E_CORRUPT,
						"bad embedded vector line");
			PC_TRY(pct_sig_from_json(o, es, &vs));
			if (vs.kind != PC_KIND_VEC ||
			    vs.version != PC__VEC_VERSION || vs.size == 0)
				return pc__fail(PC_E_VERSION,
						"embedded vector signature %s "
						"v%u not restorable",
						vs.name, vs.version);
			PC_TRY(pct_vec_flush(pool, r));
			r->vec = (struct pc__vec *)(void *)(pool->base +
							    r->off + ev->num);
			pc__vec_init_hdr(r->vec, &vs, 0);
			pc_pool_persist(pool, r->vec, sizeof(*r->vec));
			r->esz = vs.size;
			free(r->vbuf);
			r->vfill = 0;
			r->vcap = (1u << 20) / vs.size + 1;
			r->vbuf = malloc(r->vcap * vs.size);
			if (!r->vbuf)
				return pc__fail(PC_E_NOMEM, "out of memory");
			return PC_OK; /* not an item: not counted */
		}
		if (pct_j_get(o, "e", PCT_J_STR)) {
			if (!r->vec)
				return pc__fail(PC_E_CORRUPT,
						"element line without a "
						"vector");
			PC_TRY(pct_field_bytes(o, "e", &p, &n));
			if (n != r->esz)
				return pc__fail(PC_E_CORRUPT,
						"element of %zu bytes, the "
						"type has %zu",
						n, r->esz);
			memcpy(r->vbuf + r->vfill * n, p, n);
			if (++r->vfill == r->vcap)
				PC_TRY(pct_vec_flush(pool, r));
			break;
		}
#endif
		PC_TRY(pct_field_bytes(o, "data", &p, &n));
		if (n != r->sig.size || r->count)
			return pc__fail(PC_E_CORRUPT,
					"object data of %zu bytes, the type "
					"has %u",
					n, r->sig.size);
		pct_jval arg;
		memset(&arg, 0, sizeof(arg));
		arg.str = p;
		arg.len = n;
		PC_TRY(pc_root_obtain(pool, r->name, &r->sig, r->sig.size,
				      PC_CREATE, pct_obj_init, &arg, &r->off,
				      NULL));
		break;
	}
#ifdef PCT_HAVE_VEC
	case PC_KIND_VEC:
		PC_TRY(pct_field_bytes(o, "e", &p, &n));
		if (n != r->sig.size)
			return pc__fail(PC_E_CORRUPT,
					"element of %zu bytes, the type has %u",
					n, r->sig.size);
		memcpy(r->vbuf + r->vfill * n, p, n);
		if (++r->vfill == r->vcap)
			PC_TRY(pct_vec_flush(pool, r));
		break;
#endif
#ifdef PCT_HAVE_LOG
	case PC_KIND_LOG:
		PC_TRY(pct_field_bytes(o, "r", &p, &n));
		PC_TRY(plog_append(&r->log, p, n));
		break;
#endif
#ifdef PCT_HAVE_BLKARR
	case PC_KIND_BLKARR: {
		const pct_jval *b = pct_j_get(o, "b", PCT_J_NUM);
		const pct_jval *bad = pct_j_get(o, "bad", PCT_J_BOOL);
		if (!b || b->num >= r->nblock)
			return pc__fail(PC_E_CORRUPT, "bad block number");
		if (bad && bad->boolean) {
			PC_TRY(pblkarr_set_error(&r->blk, b->num));
			break;
		}
		PC_TRY(pct_field_bytes(o, "d", &p, &n));
		if (n != r->blk.bsize)
			return pc__fail(PC_E_CORRUPT,
					"block of %zu bytes, the array has %zu",
					n, r->blk.bsize);
		PC_TRY(pblkarr_write(&r->blk, b->num, p));
		break;
	}
#endif
#ifdef PCT_HAVE_MAP
	case PC_KIND_MAP: {
		char *kp = NULL, *vp = NULL;
		size_t kn = 0, vn = 0;
		PC_TRY(pct_field_bytes(o, "k", &kp, &kn));
		PC_TRY(pct_field_bytes(o, "v", &vp, &vn));
		pc_slice ks, vs;
		const void *pk, *pv;
		if (r->map.d.kkind == PC__MK_BYTES) {
			ks = pc_slice_make(kp, kn);
			pk = &ks;
		} else {
			if (kn != r->map.d.ksz)
				return pc__fail(PC_E_CORRUPT,
						"key of %zu bytes, the type "
						"has %u",
						kn, r->map.d.ksz);
			memcpy(r->kbuf, kp, kn);
			pk = r->kbuf;
		}
		if (r->map.d.vbytes) {
			vs = pc_slice_make(vp, vn);
			pv = &vs;
		} else {
			if (vn != r->map.d.vsz)
				return pc__fail(PC_E_CORRUPT,
						"value of %zu bytes, the type "
						"has %u",
						vn, r->map.d.vsz);
			memcpy(r->vvbuf, vp, vn);
			pv = r->vvbuf;
		}
		PC_TRY(pc__m_insert(&r->map.c, pk, pv, 0, NULL,
				    "pcoll restore"));
		break;
	}
#endif
	default:
		return pc__fail(PC_E_TYPE, "kind %u", r->sig.kind);
	}
	r->count++;
	return PC_OK;
}

static pc_err pct_restore_end(pc_pool *pool, const pct_jobj *o, pct_rroot *r)
{
	const pct_jval *nm = pct_j_get(o, "end_root", PCT_J_STR);
	const pct_jval *c = pct_j_get(o, "count", PCT_J_NUM);
	if (!nm || !c || nm->len > PC_NAME_MAX ||
	    strncmp(nm->str, r->name, sizeof(r->name)) != 0)
		return pc__fail(PC_E_CORRUPT,
				"end line does not match root "
				"\"%s\"",
				r->name);
#ifdef PCT_HAVE_VEC
	if (r->vec)
		PC_TRY(pct_vec_flush(pool, r));
#else
	(void)pool;
#endif
	if (c->num != r->count)
		return pc__fail(PC_E_CORRUPT,
				"root \"%s\": %" PRIu64
				" records restored, the dump says %" PRIu64,
				r->name, r->count, c->num);
	if (r->sig.kind == PC_KIND_OBJ && r->off == 0)
		return pc__fail(PC_E_CORRUPT, "root \"%s\": no object data",
				r->name);
	pct_rroot_free(r);
	return PC_OK;
}

/* Remove what restore created: the pool file, or a poolset and its
 * parts directory. */
static void pct_remove_pool(const char *path, int growable)
{
	(void)remove(path);
	if (!growable)
		return;
	char dir[PC_PATH_MAX + 16];
	(void)snprintf(dir, sizeof(dir), "%s.parts", path);
	DIR *dp = opendir(dir);
	if (dp) {
		struct dirent *de;
		while ((de = readdir(dp)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			char f[PC_PATH_MAX + 300];
			(void)snprintf(f, sizeof(f), "%s/%s", dir, de->d_name);
			(void)remove(f);
		}
		closedir(dp);
	}
	(void)rmdir(dir);
}

int pct_cmd_restore(int argc, char **argv)
{
	const char *in = NULL, *path = NULL;
	size_t size = 0, grow = 0, max = 0;
	int progress = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		size_t *dst = NULL;
		if (strcmp(a, "--size") == 0)
			dst = &size;
		else if (strcmp(a, "--grow") == 0)
			dst = &grow;
		else if (strcmp(a, "--max") == 0)
			dst = &max;
		if (dst) {
			if (i + 1 >= argc || pct_parse_size(argv[++i], dst)) {
				fprintf(stderr,
					"pcoll restore: %s needs a size such "
					"as 64M\n",
					a);
				return PCT_EXIT_USAGE;
			}
			continue;
		}
		if (strcmp(a, "--no-progress") == 0) {
			progress = 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "pcoll restore: unknown option %s\n",
				a);
			return PCT_EXIT_USAGE;
		} else if (!in) {
			in = a;
		} else if (!path) {
			path = a;
		} else {
			in = NULL;
			break;
		}
	}
	if (!in || !path || (max && !grow)) {
		fprintf(stderr, "usage: pcoll restore FILE NEWPOOL [--size N | "
				"--grow STEP [--max M]] [--no-progress]\n");
		return PCT_EXIT_USAGE;
	}
	FILE *f = strcmp(in, "-") == 0 ? stdin : fopen(in, "r");
	if (!f) {
		fprintf(stderr, "pcoll restore: %s: %s\n", in, strerror(errno));
		return PCT_EXIT_FAIL;
	}
	struct stat fst;
	uint64_t insize = 0;
	if (fstat(fileno(f), &fst) == 0 && S_ISREG(fst.st_mode))
		insize = (uint64_t)fst.st_size;

	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	uint64_t lineno = 0, readb = 0;
	pc_pool *pool = NULL;
	int status = PCT_EXIT_FAIL, created = 0;
	pct_jobj *o = malloc(sizeof(*o));
	pct_rroot *r = calloc(1, sizeof(*r));
	pct_progress prog;
	memset(&prog, 0, sizeof(prog));
	uint64_t roots_done = 0, roots_want = 0, records = 0;
	int ended = 0;
	pc_err e = PC_OK;
	if (!o || !r) {
		fprintf(stderr, "pcoll restore: out of memory\n");
		goto out;
	}
	/* Header. */
	len = getline(&line, &lcap, f);
	lineno++;
	if (len <= 0 || pct_j_parse(line, o) != 0) {
		fprintf(stderr,
			"pcoll restore: %s: not a pcoll dump (no "
			"header line)\n",
			in);
		goto out;
	}
	readb += (uint64_t)len;
	{
		const pct_jval *fm = pct_j_get(o, "format", PCT_J_STR);
		const pct_jval *ver = pct_j_get(o, "version", PCT_J_NUM);
		const pct_jval *ps = pct_j_get(o, "pool_size", PCT_J_NUM);
		const pct_jval *nr = pct_j_get(o, "roots", PCT_J_NUM);
		if (!fm || strcmp(fm->str, "pcoll-dump") != 0 || !ver || !nr) {
			fprintf(stderr,
				"pcoll restore: %s: not a pcoll dump (bad "
				"header line)\n",
				in);
			goto out;
		}
		if (ver->num != PCT_DUMP_FORMAT) {
			fprintf(stderr,
				"pcoll restore: %s: dump format version "
				"%" PRIu64 ", this tool reads %d\n",
				in, ver->num, PCT_DUMP_FORMAT);
			goto out;
		}
		roots_want = nr->num;
		if (size == 0) {
			size = ps ? (size_t)ps->num : 0;
			if (grow && size > PC_POOL_MIN_SIZE)
				size = PC_POOL_MIN_SIZE;
			if (size < PC_POOL_MIN_SIZE)
				size = PC_POOL_MIN_SIZE;
		}
	}
	pc_pool_opts opts;
	memset(&opts, 0, sizeof(opts));
	opts.size = size;
	opts.grow_step = grow;
	opts.max_size = max;
	e = pc_pool_open_opts(path, PC_CREATE, &opts, &pool);
	if (e != PC_OK) {
		pct_perr("restore", e);
		goto out;
	}
	created = 1;
	pct_progress_begin(&prog, "restore", insize, progress && insize);
	while ((len = getline(&line, &lcap, f)) > 0) {
		lineno++;
		readb += (uint64_t)len;
		if ((lineno & 1023) == 0)
			pct_progress_set(&prog, readb);
		if (ended) {
			e = pc__fail(PC_E_CORRUPT, "text after the end line");
			break;
		}
		if (pct_j_parse(line, o) != 0) {
			e = pc__fail(PC_E_CORRUPT, "not a JSON object");
			break;
		}
		if (r->active) {
			if (pct_j_get(o, "end_root", PCT_J_STR)) {
				e = pct_restore_end(pool, o, r);
				if (e == PC_OK) {
					roots_done++;
					records += r->count;
				}
			} else {
				e = pct_restore_item(pool, o, r);
			}
		} else if (pct_j_get(o, "root", PCT_J_STR)) {
			e = pct_restore_begin(pool, o, r);
		} else if (pct_j_get(o, "skipped", PCT_J_STR)) {
			const pct_jval *s = pct_j_get(o, "skipped", PCT_J_STR);
			fprintf(stderr,
				"pcoll restore: warning: the dump skipped "
				"root \"%s\"\n",
				s->str);
		} else if (pct_j_get(o, "end_dump", PCT_J_BOOL)) {
			const pct_jval *nr = pct_j_get(o, "roots", PCT_J_NUM);
			const pct_jval *nc = pct_j_get(o, "records", PCT_J_NUM);
			if (!nr || nr->num != roots_done || !nc ||
			    nc->num != records)
				e = pc__fail(PC_E_CORRUPT,
					     "end line counts (%" PRIu64
					     " roots, %" PRIu64
					     " records) do not match what "
					     "was restored (%" PRIu64
					     ", %" PRIu64 ")",
					     nr ? nr->num : 0, nc ? nc->num : 0,
					     roots_done, records);
			ended = 1;
		} else {
			e = pc__fail(PC_E_CORRUPT, "unexpected line");
		}
		if (e != PC_OK)
			break;
	}
	if (e == PC_OK && ferror(f))
		e = pc__fail(PC_E_IO, "read error: %s", strerror(errno));
	if (e == PC_OK && !ended)
		e = pc__fail(PC_E_CORRUPT,
			     "the dump ends early (no end line%s)",
			     r->active ? ", a root is cut short" : "");
	pct_progress_end(&prog);
	if (e != PC_OK) {
		fprintf(stderr, "pcoll restore: %s, line %" PRIu64 ": %s\n", in,
			lineno, pc_errmsg());
		goto out;
	}
	if (roots_done < roots_want)
		fprintf(stderr,
			"pcoll restore: warning: %" PRIu64 " of %" PRIu64
			" roots restored\n",
			roots_done, roots_want);
	status = PCT_EXIT_OK;
out:
	if (r)
		pct_rroot_free(r);
	free(r);
	free(o);
	free(line);
	if (pool)
		pc_pool_close(pool);
	if (status != PCT_EXIT_OK && created) {
		pct_remove_pool(path, grow != 0);
		fprintf(stderr, "pcoll restore: %s removed\n", path);
	}
	if (f != stdin)
		fclose(f);
	return status;
}
