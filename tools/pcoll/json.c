/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll tool core: the codec of the dump format (docs/tool.md), both ways.
 *
 * Writing (used by dump): JSON strings that carry arbitrary bytes, base64,
 * type signatures. Reading (used by restore): one flat JSON object per
 * line with at most one nested object (a signature), decoded in place;
 * base64 decoded in place; a signature back from its JSON object. The two
 * directions sit together so that what dump escapes is what restore
 * unescapes. Relies on nothing but the C library and pct.h.
 */
#define _GNU_SOURCE
#include "pct.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Output: JSON strings and base64                                      */
/* ------------------------------------------------------------------ */

static const char pct_b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void pct_put_b64(FILE *f, const void *data, size_t n)
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

/* Length of the well-formed UTF-8 sequence at p (n bytes available), or
 * 0 when p does not start one (overlong forms, surrogates and code points
 * above U+10FFFF are not well-formed). */
static size_t pct_utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

void pct_put_str(FILE *f, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strnlen(s, max);
	fputc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t u = c >= 0x80 ? pct_utf8_len(p + i, n - i) : 0;
		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if (c < 0x80) {
			fputc(c, f);
		} else if (u) {
			fwrite(p + i, 1, u, f); /* UTF-8 text as it is */
			i += u;
			continue;
		} else {
			/* A byte that is not part of UTF-8 text: the lone
			 * surrogate U+DC00 + byte (Python's surrogateescape),
			 * which JSON tools carry through unchanged. */
			fprintf(f, "\\udc%02x", c);
		}
		i++;
	}
	fputc('"', f);
}

void pct_put_sig(FILE *f, const pc_typesig *s)
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

/* Set by pct_j_format(): \u00XX escapes are bytes (dump format 1). */
static int pct_j_bytes_u00;

void pct_j_format(int version)
{
	pct_j_bytes_u00 = version < 2;
}

/* The four hex digits at s, or -1. */
static long pct_j_u4(const char *s)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int h = pct_hex(s[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Code point cp as UTF-8 at w; returns the end. */
static char *pct_utf8_put(char *w, long cp)
{
	if (cp < 0x80) {
		*w++ = (char)cp;
	} else if (cp < 0x800) {
		*w++ = (char)(0xc0 | (cp >> 6));
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*w++ = (char)(0xe0 | (cp >> 12));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*w++ = (char)(0xf0 | (cp >> 18));
		*w++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	}
	return w;
}

/* Parse a string at *p (at the opening quote), decoding in place (never
 * longer than the escapes it replaces). */
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
			long v = pct_j_u4(s);
			if (v < 0)
				return -1;
			s += 4;
			if (pct_j_bytes_u00 && v <= 0xff) {
				*w++ = (char)
					v; /* format 1: \u00XX is byte XX */
				break;
			}
			if (v >= 0xdc80 && v <= 0xdcff) {
				*w++ = (char)(v & 0xff); /* a raw byte */
				break;
			}
			if (v >= 0xd800 && v <= 0xdbff) {
				/* A surrogate pair: one code point. */
				long lo = s[0] == '\\' && s[1] == 'u'
						  ? pct_j_u4(s + 2)
						  : -1;
				if (lo < 0xdc00 || lo > 0xdfff)
					return -1;
				v = 0x10000 + ((v - 0xd800) << 10) +
				    (lo - 0xdc00);
				s += 6;
			} else if (v >= 0xdc00 && v <= 0xdfff) {
				return -1;
			}
			w = pct_utf8_put(w, v);
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

int pct_j_parse(char *line, pct_jobj *o)
{
	o->top = 0;
	char *p = line;
	int first = 0, n = 0;
	if (pct_j_obj(&p, o, 0, &first, &n) != 0)
		return -1;
	pct_j_ws(&p);
	if (*p)
		return -1;
	o->top = n;
	return 0;
}

const pct_jval *pct_j_get_in(const pct_jobj *o, int first, int n,
			     const char *key, int type)
{
	for (int i = first; i < first + n; i++)
		if (strcmp(o->v[i].key, key) == 0)
			return o->v[i].type == type ? &o->v[i] : NULL;
	return NULL;
}

const pct_jval *pct_j_get(const pct_jobj *o, const char *key, int type)
{
	return pct_j_get_in(o, 0, o->top, key, type);
}

long pct_unb64(char *s, size_t n)
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

pc_err pct_sig_from_json(const pct_jobj *o, const pct_jval *v, pc_typesig *sig)
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
