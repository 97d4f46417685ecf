/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pcoll tool, run as a program: info, stats, check, dump, restore on
 * good pools (every container kind), round trips into fixed-size and
 * growable pools, bad pools and bad dumps. $PCOLL_TOOL is the executable.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#include <pcoll/blkarr.h>
#include <pcoll/log.h>
#include <pcoll/pcoll.h>

#define PC_T    uint64_t
#define PC_NAME tv_u64
#include <pcoll/vec.h>

typedef struct tpoint {
	int32_t x, y;
	uint8_t tag;
} tpoint;
PC_DECLARE(tpoint);

#define PC_T    tpoint
#define PC_NAME tv_pt
#include <pcoll/vec.h>

#define PC_K    uint64_t
#define PC_V    uint64_t
#define PC_NAME tm_u64
#include <pcoll/map.h>

#define PC_K    int32_t
#define PC_V    tpoint
#define PC_NAME tm_i32
#include <pcoll/map.h>

#define PC_K_BYTES
#define PC_V_BYTES
#define PC_NAME tm_str
#include <pcoll/map.h>

typedef struct tkey {
	uint32_t hi, lo;
} tkey;
PC_DECLARE(tkey);
static int tkey_cmp(const tkey *a, const tkey *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}
#define PC_K    tkey
#define PC_V    uint64_t
#define PC_CMP  tkey_cmp
#define PC_NAME tm_key
#include <pcoll/map.h>

typedef struct tconf {
	uint64_t version;
	char label[40];
	double ratio;
} tconf;
PC_DECLARE(tconf);

/* ------------------------------------------------------------------ */
/* Running the tool                                                     */
/* ------------------------------------------------------------------ */

static char t_out[1 << 20], t_err[1 << 16];

static void t_slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
}

/* Runs `pcoll ARGS`; stdout and stderr land in t_out and t_err. Returns
 * the exit status (-1 if it did not exit normally). */
static int t_run(const char *fmt, ...)
{
	const char *tool = getenv("PCOLL_TOOL");
	cr_assert(tool, "PCOLL_TOOL is not set");
	char args[4096], cmd[8192], o[600], e[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	tu_path_into(o, sizeof(o), "tool", "out");
	tu_path_into(e, sizeof(e), "tool", "err");
	snprintf(cmd, sizeof(cmd), "'%s' %s >'%s' 2>'%s'", tool, args, o, e);
	int st = system(cmd);
	t_slurp(o, t_out, sizeof(t_out));
	t_slurp(e, t_err, sizeof(t_err));
	unlink(o);
	unlink(e);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* FNV-1a of a whole file (with its size), to see that it did not change. */
static uint64_t t_file_hash(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f, "open %s", path);
	uint64_t h = 1469598103934665603ull;
	unsigned char buf[1 << 16];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		for (size_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211ull;
	fclose(f);
	return h;
}

static long t_file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Byte-for-byte comparison of two dumps after their header lines (the
 * header names the source pool's size, which differs by design). */
static void t_same_dump(const char *a, const char *b)
{
	FILE *fa = fopen(a, "r"), *fb = fopen(b, "r");
	cr_assert(fa && fb);
	char *la = NULL, *lb = NULL;
	size_t ca = 0, cb = 0;
	ssize_t na = getline(&la, &ca, fa), nb = getline(&lb, &cb, fb);
	cr_assert(na > 0 && nb > 0);
	cr_assert(strstr(la, "\"format\":\"pcoll-dump\"") &&
		  strstr(lb, "\"format\":\"pcoll-dump\""));
	long line = 1;
	for (;;) {
		na = getline(&la, &ca, fa);
		nb = getline(&lb, &cb, fb);
		line++;
		if (na <= 0 || nb <= 0)
			break;
		cr_assert(na == nb && memcmp(la, lb, (size_t)na) == 0,
			  "dumps differ at line %ld:\n%s\n%s", line, la, lb);
	}
	cr_assert(na <= 0 && nb <= 0, "dumps differ in length (line %ld)",
		  line);
	free(la);
	free(lb);
	fclose(fa);
	fclose(fb);
}

/* ------------------------------------------------------------------ */
/* A pool holding every kind                                            */
/* ------------------------------------------------------------------ */

/* Element counts; the msync group (every operation an msync on a plain
 * file) runs a twentieth of them unless $PCOLL_TOOL_FULL is set. */
#define T_NVEC (5000u / t_div())
#define T_NMAP (3000u / t_div())
#define T_NLOG (700u / t_div())
#define T_NSTR (500u / t_div())

static unsigned t_div(void)
{
	return tu_forced_pmem() || getenv("PCOLL_TOOL_FULL") ? 1u : 20u;
}
#define T_NBLK  64u
#define T_BSIZE 512u

static void t_fill(const char *path, size_t size, uint64_t seed)
{
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create(path, size, &p), PC_OK, "%s", pc_errmsg());
	uint64_t s = seed;

	tv_u64 v = {0};
	cr_assert_eq(tv_u64_root(p, "numbers", PC_CREATE, &v), PC_OK);
	for (uint64_t i = 0; i < T_NVEC; i++)
		cr_assert_eq(tv_u64_push(&v, tu_splitmix64(&s)), PC_OK);

	tv_pt vp = {0};
	cr_assert_eq(tv_pt_root(p, "points", PC_CREATE, &vp), PC_OK);
	for (int i = 0; i < 100; i++) {
		tpoint pt;
		memset(&pt, 0, sizeof(pt));
		pt.x = i;
		pt.y = -i * 3;
		pt.tag = (uint8_t)i;
		cr_assert_eq(tv_pt_push(&vp, pt), PC_OK);
	}

	tm_u64 m = {0};
	cr_assert_eq(tm_u64_root(p, "index", PC_CREATE, &m), PC_OK);
	for (uint64_t i = 0; i < T_NMAP; i++) {
		uint64_t k = tu_splitmix64(&s);
		cr_assert_eq(tm_u64_put(&m, k, k ^ 0x5555, NULL), PC_OK);
	}

	tm_i32 mi = {0};
	cr_assert_eq(tm_i32_root(p, "signed", PC_CREATE, &mi), PC_OK);
	for (int32_t i = -200; i < 200; i += 3) {
		tpoint pt = {i, 2 * i, 7};
		cr_assert_eq(tm_i32_insert(&mi, i, pt), PC_OK);
	}

	tm_str ms = {0};
	cr_assert_eq(tm_str_root(p, "names", PC_CREATE, &ms), PC_OK);
	for (int i = 0; i < (int)T_NSTR; i++) {
		char k[64], val[200];
		snprintf(k, sizeof(k), "key-%05d", i * 7);
		int vl = snprintf(val, sizeof(val),
				  "value %d with \"quotes\", \\ and a long "
				  "tail to leave the inline form %d",
				  i, i * i);
		if (i % 5 == 0)
			vl = 3; /* short, inline */
		if (i == 17)
			vl = 0; /* empty */
		cr_assert_eq(tm_str_insert(&ms, pc_slice_cstr(k),
					   pc_slice_make(val, (size_t)vl)),
			     PC_OK);
	}

	plog lg = {0};
	cr_assert_eq(plog_root(p, "events", PC_CREATE, 8192, &lg), PC_OK);
	for (unsigned i = 0; i < T_NLOG; i++) {
		unsigned char rec[300];
		size_t n = i % 257;
		for (size_t j = 0; j < n; j++)
			rec[j] = (unsigned char)(i + j);
		cr_assert_eq(plog_append(&lg, rec, n), PC_OK);
	}

	pblkarr ba = {0};
	cr_assert_eq(pblkarr_root(p, "disk", PC_CREATE, T_BSIZE, T_NBLK, &ba),
		     PC_OK);
	unsigned char blk[T_BSIZE];
	for (unsigned i = 0; i < T_NBLK; i += 3) {
		memset(blk, (int)(i + 1), sizeof(blk));
		blk[0] = (unsigned char)i;
		cr_assert_eq(pblkarr_write(&ba, i, blk), PC_OK);
	}
	cr_assert_eq(pblkarr_set_error(&ba, 10), PC_OK);

	PC_PTR(tconf) c;
	cr_assert_eq(PC_ROOT(p, "config", tconf, PC_CREATE, &c), PC_OK);
	TX(p) {
		tconf *w = PC_RW(p, tconf, c);
		cr_assert(w);
		w->version = 42;
		snprintf(w->label, sizeof(w->label), "restored config");
		w->ratio = 0.625;
	}
	cr_assert_eq(pc_tx_last(), PC_OK);
	pc_pool_close(p);
}

/* Checks the content t_fill(seed) made, through the typed API. */
static void t_verify(const char *path, uint64_t seed)
{
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_open(path, &p), PC_OK, "%s", pc_errmsg());
	uint64_t s = seed;

	tv_u64 v = {0};
	cr_assert_eq(tv_u64_root(p, "numbers", PC_OPEN, &v), PC_OK, "%s",
		     pc_errmsg());
	cr_assert_eq(tv_u64_len(&v), T_NVEC);
	for (uint64_t i = 0; i < T_NVEC; i++)
		cr_assert_eq(*tv_u64_get(&v, i), tu_splitmix64(&s));

	tv_pt vp = {0};
	cr_assert_eq(tv_pt_root(p, "points", PC_OPEN, &vp), PC_OK);
	cr_assert_eq(tv_pt_len(&vp), 100);
	cr_assert_eq(tv_pt_get(&vp, 99)->y, -297);

	tm_u64 m = {0};
	cr_assert_eq(tm_u64_root(p, "index", PC_OPEN, &m), PC_OK);
	cr_assert_eq(tm_u64_len(&m), T_NMAP);
	for (uint64_t i = 0; i < T_NMAP; i++) {
		uint64_t k = tu_splitmix64(&s);
		const uint64_t *x = tm_u64_get(&m, k);
		cr_assert(x && *x == (k ^ 0x5555));
	}
	cr_assert_eq(tm_u64_check(&m), PC_OK);

	tm_i32 mi = {0};
	cr_assert_eq(tm_i32_root(p, "signed", PC_OPEN, &mi), PC_OK);
	const tpoint *pt = tm_i32_get(&mi, -200);
	cr_assert(pt && pt->y == -400 && pt->tag == 7);
	cr_assert_null(tm_i32_get(&mi, -199));
	cr_assert_eq(tm_i32_check(&mi), PC_OK);

	tm_str ms = {0};
	cr_assert_eq(tm_str_root(p, "names", PC_OPEN, &ms), PC_OK);
	cr_assert_eq(tm_str_len(&ms), T_NSTR);
	pc_slice sv = tm_str_get(&ms, pc_slice_cstr("key-00119"));
	const char *want = "value 17";
	cr_assert(sv.ptr && sv.len == 0, "empty value kept");
	sv = tm_str_get(&ms, pc_slice_cstr("key-00126"));
	cr_assert(sv.ptr && sv.len > strlen(want) &&
		  memcmp(sv.ptr, "value 18 with \"quotes\"", 22) == 0);
	cr_assert_eq(tm_str_check(&ms), PC_OK);

	plog lg = {0};
	cr_assert_eq(plog_root(p, "events", PC_OPEN, 0, &lg), PC_OK);
	cr_assert_eq(plog_count(&lg), T_NLOG);
	plog_iter it;
	cr_assert_eq(plog_iter_begin(&lg, &it), PC_OK);
	const void *rec;
	size_t len;
	unsigned i = 0;
	while (plog_iter_next(&it, &rec, &len)) {
		cr_assert_eq(len, i % 257);
		for (size_t j = 0; j < len; j++)
			cr_assert_eq(((const unsigned char *)rec)[j],
				     (unsigned char)(i + j));
		i++;
	}
	plog_iter_end(&it);
	cr_assert_eq(i, T_NLOG);

	pblkarr ba = {0};
	cr_assert_eq(pblkarr_root(p, "disk", PC_OPEN, T_BSIZE, 0, &ba), PC_OK);
	cr_assert_eq(pblkarr_nblock(&ba), T_NBLK);
	unsigned char blk[T_BSIZE];
	for (unsigned b = 0; b < T_NBLK; b++) {
		pc_err e = pblkarr_read(&ba, b, blk);
		if (b == 10) {
			cr_assert_eq(e, PC_E_BADBLOCK);
			continue;
		}
		cr_assert_eq(e, PC_OK);
		unsigned char fill = b % 3 == 0 ? (unsigned char)(b + 1) : 0;
		cr_assert_eq(blk[0], b % 3 == 0 ? (unsigned char)b : 0);
		cr_assert_eq(blk[T_BSIZE - 1], fill);
	}
	cr_assert_eq(pblkarr_check(&ba), PC_OK);

	PC_PTR(tconf) c;
	cr_assert_eq(PC_ROOT(p, "config", tconf, PC_OPEN, &c), PC_OK);
	const tconf *r = PC_RO(p, tconf, c);
	cr_assert(r->version == 42 && r->ratio == 0.625 &&
		  strcmp(r->label, "restored config") == 0);
	cr_assert_eq(pc_root_count(p), 8);
	pc_pool_close(p);
}

/* ------------------------------------------------------------------ */
/* Round trips                                                          */
/* ------------------------------------------------------------------ */

Test(tool, roundtrip_fixed_and_growable, .timeout = 120)
{
	const char *src = tu_path("src");
	t_fill(src, 32u << 20, 7);
	char d1[600], d2[600], d3[600];
	snprintf(d1, sizeof(d1), "%s.d1", src);
	snprintf(d2, sizeof(d2), "%s.d2", src);
	snprintf(d3, sizeof(d3), "%s.d3", src);

	cr_assert_eq(t_run("dump '%s' -o '%s'", src, d1), 0, "%.3000s", t_err);

	/* Into a fixed pool of another size. */
	const char *dst = tu_path("dst");
	cr_assert_eq(t_run("restore '%s' '%s' --size 20M", d1, dst), 0, "%s",
		     t_err);
	cr_assert_eq(t_file_size(dst), 20l << 20);
	t_verify(dst, 7);
	cr_assert_eq(t_run("dump '%s' -o '%s'", dst, d2), 0, "%.3000s", t_err);
	t_same_dump(d1, d2);
	cr_assert_eq(t_run("check '%s'", dst), 0, "%.2000s%.2000s", t_out,
		     t_err);

	/* Into a growable pool. */
	const char *gp = tu_path("grow");
	cr_assert_eq(t_run("restore '%s' '%s' --grow 4M", d1, gp), 0, "%s",
		     t_err);
	t_verify(gp, 7);
	cr_assert_eq(t_run("dump '%s' -o '%s'", gp, d3), 0, "%.3000s", t_err);
	t_same_dump(d1, d3);
	cr_assert_eq(t_run("info '%s'", gp), 0, "%.3000s", t_err);
	cr_assert(strstr(t_out, "growable") &&
			  strstr(t_out, "the pool grows when full") &&
			  !strstr(t_out, "free:     0 bytes"),
		  "%.3000s", t_out);
	cr_assert_eq(t_run("check '%s'", gp), 0, "%.3000s", t_out);

	/* The dump format: header, root lines with signatures, end line. */
	FILE *f = fopen(d1, "r");
	char line[4096];
	cr_assert(fgets(line, sizeof(line), f));
	cr_assert(strstr(line, "\"version\":2") &&
		  strstr(line, "\"pcoll\":\"" PCOLL_VERSION_STRING "\""));
	int roots = 0, ends = 0;
	char last[4096] = "";
	while (fgets(line, sizeof(line), f)) {
		roots += strncmp(line, "{\"root\":", 8) == 0;
		ends += strncmp(line, "{\"end_root\":", 12) == 0;
		if (line[strlen(line) - 1] == '\n')
			snprintf(last, sizeof(last), "%s", line);
	}
	fclose(f);
	cr_assert_eq(roots, 8);
	cr_assert_eq(ends, 8);
	cr_assert(strstr(last, "\"end_dump\":true") &&
			  strstr(last, "\"roots\":8"),
		  "%s", last);
}

/* A pool bigger than the new pool's start: restore must grow it. */
Test(tool, restore_grows_pool, .timeout = 120)
{
	const char *src = tu_path("big");
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create(src, 48u << 20, &p), PC_OK);
	tv_u64 v = {0};
	cr_assert_eq(tv_u64_root(p, "big", PC_CREATE, &v), PC_OK);
	static uint64_t buf[1 << 16];
	for (int r = 0; r < 20; r++) { /* 1.3 M elements, 10 MiB */
		for (size_t i = 0; i < sizeof(buf) / 8; i++)
			buf[i] = (uint64_t)r << 32 | i;
		cr_assert_eq(tv_u64_extend(&v, buf, sizeof(buf) / 8), PC_OK);
	}
	pc_pool_close(p);
	char d1[600];
	snprintf(d1, sizeof(d1), "%s.d", src);
	cr_assert_eq(t_run("dump '%s' big -o '%s'", src, d1), 0, "%.3000s",
		     t_err);
	const char *gp = tu_path("bigg");
	cr_assert_eq(t_run("restore '%s' '%s' --grow 2M", d1, gp), 0, "%s",
		     t_err);
	cr_assert_eq(pc_pool_open(gp, &p), PC_OK, "%s", pc_errmsg());
	cr_assert_eq(tv_u64_root(p, "big", PC_OPEN, &v), PC_OK);
	cr_assert_eq(tv_u64_len(&v), 20u << 16);
	cr_assert_eq(*tv_u64_get(&v, (19u << 16) + 5), (19ull << 32) | 5);
	pc_pool_stats st;
	cr_assert_eq(pc_pool_stats_get(p, &st), PC_OK);
	cr_assert_gt(st.size, (uint64_t)PC_POOL_MIN_SIZE, "the pool grew");
	pc_pool_close(p);
	/* A fixed pool that is too small: a clear error, nothing left. */
	const char *small = tu_path("small");
	cr_assert_neq(t_run("restore '%s' '%s' --size 8M", d1, small), 0);
	cr_assert(strstr(t_err, "full") || strstr(t_err, "FULL") ||
			  strstr(t_err, "room"),
		  "%.3000s", t_err);
	cr_assert_eq(access(small, F_OK), -1, "partial pool removed");
}

/* A user struct with a vector embedded in it: the vector's header holds
 * offsets into the pool, so restore must rebuild it. */
typedef struct tholder {
	uint64_t id;
	tv_u64_pm items;
	uint32_t tail;
} tholder;
PC_DECLARE(tholder);

Test(tool, roundtrip_embedded_vector)
{
	const char *src = tu_path("emb");
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create(src, 16u << 20, &p), PC_OK);
	PC_PTR(tholder) hp;
	cr_assert_eq(PC_ROOT(p, "holder", tholder, PC_CREATE, &hp), PC_OK);
	pc_err e = PC_OK;
	TX(p, &e) {
		tholder *w = PC_RW(p, tholder, hp);
		if (!w || tv_u64_init_in(p, &w->items) != PC_OK)
			break;
		w->id = 5;
		w->tail = 0xabcd;
	}
	cr_assert_eq(e, PC_OK, "%s", pc_errmsg());
	tv_u64 v = {0};
	tholder *raw = (tholder *)(void *)(p->base + hp.oid.off);
	cr_assert_eq(tv_u64_from(p, &raw->items, &v), PC_OK);
	for (uint64_t i = 0; i < 3000; i++)
		cr_assert_eq(tv_u64_push(&v, i * i), PC_OK);
	/* A second pool content the dump must not confuse with it. */
	tv_u64 other = {0};
	cr_assert_eq(tv_u64_root(p, "other", PC_CREATE, &other), PC_OK);
	cr_assert_eq(tv_u64_push(&other, 1), PC_OK);
	pc_pool_close(p);

	char d1[600], d2[600];
	snprintf(d1, sizeof(d1), "%s.d1", src);
	snprintf(d2, sizeof(d2), "%s.d2", src);
	cr_assert_eq(t_run("dump '%s' -o '%s'", src, d1), 0, "%.3000s", t_err);
	const char *dst = tu_path("embdst");
	cr_assert_eq(t_run("restore '%s' '%s' --size 9M", d1, dst), 0,
		     "%.3000s", t_err);
	cr_assert_eq(t_run("dump '%s' -o '%s'", dst, d2), 0, "%.3000s", t_err);
	t_same_dump(d1, d2);
	cr_assert_eq(pc_pool_open(dst, &p), PC_OK);
	cr_assert_eq(PC_ROOT(p, "holder", tholder, PC_OPEN, &hp), PC_OK);
	const tholder *r = PC_RO(p, tholder, hp);
	cr_assert_eq(r->id, 5);
	cr_assert_eq(r->tail, 0xabcd);
	raw = (tholder *)(void *)(p->base + hp.oid.off);
	cr_assert_eq(tv_u64_from(p, &raw->items, &v), PC_OK);
	cr_assert_eq(tv_u64_check(&v), PC_OK);
	cr_assert_eq(tv_u64_len(&v), 3000);
	for (uint64_t i = 0; i < 3000; i++)
		cr_assert_eq(*tv_u64_get(&v, i), i * i);
	pc_pool_close(p);
}

/* Root names that are any bytes: UTF-8 text, bytes that are not UTF-8,
 * quotes, backslashes, control bytes. The dump is valid JSON for Python's
 * json module, which sees UTF-8 names as the text they are; a round trip
 * through it (ASCII-escaped, and UTF-8 with surrogateescape) restores the
 * same bytes. */
static const char *const t_names[] = {
	"plain",
	"caf\xc3\xa9",                   /* UTF-8 */
	"smile \xf0\x9f\x98\x80",        /* UTF-8 beyond the BMP */
	"\xff\xfe not utf-8",            /* bytes that start nothing */
	"cut \xe2\x82 and \xc3(",        /* truncated sequences */
	"over\xc0\xaflong \xed\xa0\x80", /* overlong form, a surrogate */
	"q\"uote\\back/slash",
	"ctl\x01\x1f\x7f\t\n",
};
#define T_NNAMES (sizeof(t_names) / sizeof(t_names[0]))

Test(tool, root_names_survive_a_json_round_trip)
{
	const char *src = tu_path("names");
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create(src, 16u << 20, &p), PC_OK);
	for (size_t i = 0; i < T_NNAMES; i++) {
		tv_u64 v;
		cr_assert_eq(tv_u64_root(p, t_names[i], PC_CREATE, &v), PC_OK,
			     "%s", pc_errmsg());
		cr_assert_eq(tv_u64_push(&v, 100 + i), PC_OK);
	}
	pc_pool_close(p);
	char d[600], py[600], cmd[4096];
	snprintf(d, sizeof(d), "%s.d", src);
	snprintf(py, sizeof(py), "%s.py", src);
	cr_assert_eq(t_run("dump '%s' -o '%s'", src, d), 0, "%.3000s", t_err);
	/* Every line parses; the UTF-8 names are text; both ways of writing
	 * the objects back out. */
	FILE *f = fopen(py, "w");
	cr_assert(f);
	fputs("import json, sys\n"
	      "src, a, b = sys.argv[1:]\n"
	      "objs = [json.loads(l) for l in open(src, encoding='utf-8',"
	      " errors='surrogateescape')]\n"
	      "names = {o['root'] for o in objs if 'root' in o}\n"
	      "assert 'caf\\u00e9' in names and 'smile \\U0001F600' in names,"
	      " names\n"
	      "with open(a, 'w') as f:\n"
	      "    for o in objs: f.write(json.dumps(o) + '\\n')\n"
	      "with open(b, 'w', encoding='utf-8', errors='surrogateescape')"
	      " as f:\n"
	      "    for o in objs: f.write(json.dumps(o, ensure_ascii=False)"
	      " + '\\n')\n",
	      f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 '%s' '%s' '%s.a' '%s.b'",
		 py, d, d, d);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	for (int k = 0; k < 2; k++) {
		char in[700];
		snprintf(in, sizeof(in), "%s.%c", d, k ? 'b' : 'a');
		const char *dst = tu_path(k ? "names-b" : "names-a");
		cr_assert_eq(t_run("restore '%s' '%s'", in, dst), 0, "%.3000s",
			     t_err);
		cr_assert_eq(pc_pool_open(dst, &p), PC_OK, "%s", pc_errmsg());
		for (size_t i = 0; i < T_NNAMES; i++) {
			tv_u64 v;
			cr_assert_eq(tv_u64_root(p, t_names[i], PC_OPEN, &v),
				     PC_OK, "name %zu: %s", i, pc_errmsg());
			cr_assert_eq(*tv_u64_get(&v, 0), 100 + i);
		}
		pc_pool_close(p);
		unlink(in);
	}
	unlink(py);
	unlink(d);
}

/* Every command parses with getopt_long: --help (exit 0, usage on
 * stdout), unknown options and missing operands (exit 2), --opt=value,
 * and -- before an operand that starts with a dash. */
Test(tool, command_lines)
{
	static const char *const cmds[] = {"info", "stats", "check", "dump",
					   "restore"};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char want[64];
		snprintf(want, sizeof(want), "usage: pcoll %s", cmds[i]);
		cr_assert_eq(t_run("%s --help", cmds[i]), 0, "%s", cmds[i]);
		cr_assert(strstr(t_out, want), "%s: %s", cmds[i], t_out);
		cr_assert_eq(t_run("%s -h", cmds[i]), 0, "%s", cmds[i]);
		cr_assert_eq(t_run("%s --no-such-option x y", cmds[i]), 2, "%s",
			     cmds[i]);
		cr_assert(strstr(t_err, "unknown option --no-such-option"),
			  "%s: %s", cmds[i], t_err);
		cr_assert_eq(t_run("%s", cmds[i]), 2, "%s", cmds[i]);
		cr_assert(strstr(t_err, "missing operand"), "%s", t_err);
	}
	cr_assert_eq(t_run("nosuchcommand"), 2);
	cr_assert_eq(t_run("--help"), 0);

	/* A pool whose name starts with a dash, reached after "--"; the
	 * options in their --opt=value form, also after the operands. */
	char dir[600], cmd[1400];
	tu_path_into(dir, sizeof(dir), "dash", "dir");
	cr_assert_eq(mkdir(dir, 0700), 0);
	pc_pool *p = NULL;
	char src[700];
	snprintf(src, sizeof(src), "%s/-dash.pool", dir);
	cr_assert_eq(pc_pool_create(src, 16u << 20, &p), PC_OK);
	tv_u64 v;
	cr_assert_eq(tv_u64_root(p, "v", PC_CREATE, &v), PC_OK);
	cr_assert_eq(tv_u64_push(&v, 7), PC_OK);
	pc_pool_close(p);
	cr_assert_eq(chdir(dir), 0);
	cr_assert_eq(t_run("info -- -dash.pool"), 0, "%s", t_err);
	cr_assert_eq(t_run("check -q -- -dash.pool"), 0, "%s", t_err);
	cr_assert_eq(t_run("dump --no-progress --output=-dash.jsonl -- "
			   "-dash.pool v"),
		     0, "%s", t_err);
	cr_assert_eq(t_run("restore -- -dash.jsonl -copy.pool --size=9M "
			   "--no-progress"),
		     2, "options after -- are operands: %s", t_err);
	cr_assert_eq(t_run("restore --size=9M --no-progress -- -dash.jsonl "
			   "-copy.pool"),
		     0, "%s", t_err);
	cr_assert_eq(t_run("restore --size 9M -- -dash.jsonl -copy2.pool"), 0,
		     "%s", t_err);
	cr_assert_eq(t_run("restore --size=lots -- -dash.jsonl -c3.pool"), 2);
	cr_assert(strstr(t_err, "--size needs a size"), "%s", t_err);
	cr_assert_eq(t_file_size("-copy.pool"), 9l << 20);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(chdir("/"), 0);
	cr_assert_eq(system(cmd), 0);
}

/* A pool another process holds open: libpmemobj's lock refuses every
 * open, copy-on-write ones too. info says so and shows a copy; the other
 * commands say so and suggest the copy. */
Test(tool, pool_open_elsewhere)
{
	const char *path = tu_path("held");
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create(path, 16u << 20, &p), PC_OK);
	tv_u64 v;
	cr_assert_eq(tv_u64_root(p, "held-vec", PC_CREATE, &v), PC_OK);
	cr_assert_eq(tv_u64_push(&v, 7), PC_OK);
	uint64_t h = t_file_hash(path);
	/* This process keeps it open while the tool runs. */
	cr_assert_eq(t_run("info '%s'", path), 0, "%s", t_err);
	cr_assert(strstr(t_err, "open in another process"), "%s", t_err);
	cr_assert(strstr(t_out, "held-vec") && strstr(t_out, "1 elements"),
		  "%s", t_out);
	cr_assert_eq(t_run("check '%s'", path), 1);
	cr_assert(strstr(t_err, "another process has") &&
			  strstr(t_err, "pcoll info"),
		  "%s", t_err);
	cr_assert_eq(t_file_hash(path), h, "the tool wrote nothing");
	pc_pool_close(p);
	cr_assert_eq(t_run("info '%s'", path), 0, "%s", t_err);
	cr_assert(!strstr(t_err, "another process"), "%s", t_err);
}

Test(tool, dump_selected_roots)
{
	const char *src = tu_path("sel");
	t_fill(src, 32u << 20, 3);
	cr_assert_eq(t_run("dump '%s' config events", src), 0, "%.3000s",
		     t_err);
	cr_assert(strstr(t_out, "\"root\":\"config\"") &&
		  strstr(t_out, "\"root\":\"events\""));
	cr_assert_null(strstr(t_out, "\"root\":\"numbers\""));
	cr_assert(strstr(t_out, "\"roots\":2"));
	cr_assert_eq(t_run("dump '%s' nosuch", src), 1);
	cr_assert(strstr(t_err, "nosuch"), "%.3000s", t_err);
}

Test(tool, comparator_map_is_reported)
{
	const char *src = tu_path("cmp");
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create(src, 16u << 20, &p), PC_OK);
	tm_key m = {0};
	cr_assert_eq(tm_key_root(p, "pairs", PC_CREATE, &m), PC_OK);
	for (uint32_t i = 0; i < 100; i++) {
		tkey k = {i % 7, i};
		cr_assert_eq(tm_key_insert(&m, k, i), PC_OK);
	}
	tv_u64 v = {0};
	cr_assert_eq(tv_u64_root(p, "v", PC_CREATE, &v), PC_OK);
	cr_assert_eq(tv_u64_push(&v, 9), PC_OK);
	pc_pool_close(p);
	cr_assert_eq(t_run("info '%s'", src), 0, "%.3000s", t_err);
	cr_assert(strstr(t_out, "100 entries"), "%.3000s", t_out);
	cr_assert(strstr(t_out, "program comparator"), "%.3000s", t_out);
	cr_assert_eq(t_run("check '%s'", src), 0, "%.3000s", t_out);
	cr_assert(strstr(t_out, "not fully checked"), "%.3000s", t_out);
	/* Dump writes the rest and says the dump is incomplete. */
	char d[600];
	snprintf(d, sizeof(d), "%s.d", src);
	cr_assert_eq(t_run("dump '%s' -o '%s'", src, d), 1);
	cr_assert(strstr(t_err, "comparator"), "%.3000s", t_err);
	const char *dst = tu_path("cmpdst");
	cr_assert_eq(t_run("restore '%s' '%s'", d, dst), 0, "%.3000s", t_err);
	cr_assert(strstr(t_err, "skipped"), "%.3000s", t_err);
	cr_assert_eq(pc_pool_open(dst, &p), PC_OK);
	cr_assert_eq(pc_root_count(p), 1);
	pc_pool_close(p);
}

/* ------------------------------------------------------------------ */
/* info, stats, check                                                   */
/* ------------------------------------------------------------------ */

Test(tool, info_and_stats)
{
	const char *src = tu_path("info");
	t_fill(src, 32u << 20, 5);
	cr_assert_eq(t_run("info '%s'", src), 0, "%.3000s", t_err);
	cr_assert(strstr(t_out, "layout:   pcoll"), "%.3000s", t_out);
	cr_assert(strstr(t_out, "roots:    8"), "%.3000s", t_out);
	cr_assert(strstr(t_out, "size:     33554432"), "%.3000s", t_out);
	cr_assert(strstr(t_out, "\"numbers\": pvec<uint64_t>"), "%.3000s",
		  t_out);
	char want[3][64];
	snprintf(want[0], 64, "%u elements of 8 bytes", T_NVEC);
	snprintf(want[1], 64, "%u entries", T_NMAP);
	snprintf(want[2], 64, "%u records", T_NLOG);
	for (int i = 0; i < 3; i++)
		cr_assert(strstr(t_out, want[i]), "%s: %.3000s", want[i],
			  t_out);
	cr_assert(strstr(t_out, "64 blocks of 512 bytes"), "%.3000s", t_out);
	cr_assert(strstr(t_out, "object of"), "%.3000s", t_out);
	cr_assert(
		strstr(t_out, tu_forced_pmem() ? "persistent memory" : "msync"),
		"%.3000s", t_out);
	cr_assert_eq(t_run("stats '%s'", src), 0, "%.3000s", t_err);
	cr_assert(strstr(t_out, "objects:"), "%.3000s", t_out);
	cr_assert(strstr(t_out, "map leaves"), "%.3000s", t_out);
	cr_assert(strstr(t_out, "log chunks"), "%.3000s", t_out);
	cr_assert(strstr(t_out, "pcoll root directory"), "%.3000s", t_out);
}

Test(tool, readonly_commands_write_nothing)
{
	const char *src = tu_path("ro");
	t_fill(src, 32u << 20, 9);
	uint64_t h = t_file_hash(src);
	cr_assert_eq(t_run("info '%s'", src), 0);
	cr_assert_eq(t_run("stats '%s'", src), 0);
	cr_assert_eq(t_run("check '%s'", src), 0, "%.3000s", t_out);
	cr_assert_eq(t_run("dump '%s'", src), 0);
	cr_assert_eq(t_file_hash(src), h, "the pool file changed");
}

/* A pool killed in the middle of a transaction: the read-only commands
 * show the rolled-back state, yet leave the unrecovered file as it is. */
Test(tool, readonly_on_a_pool_that_needs_recovery)
{
	const char *src = tu_path("rec");
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_create(src, 16u << 20, &p), PC_OK);
	tv_u64 v = {0};
	cr_assert_eq(tv_u64_root(p, "v", PC_CREATE, &v), PC_OK);
	for (uint64_t i = 0; i < 10; i++)
		cr_assert_eq(tv_u64_push(&v, i), PC_OK);
	pc_pool_close(p);
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		if (pc_pool_open(src, &p) != PC_OK ||
		    tv_u64_root(p, "v", PC_OPEN, &v) != PC_OK)
			_exit(3);
		TX(p) {
			for (uint64_t i = 0; i < 1000; i++)
				if (tv_u64_push(&v, 100 + i) != PC_OK)
					_exit(4);
			if (tv_u64_set(&v, 0, 77) != PC_OK)
				_exit(5);
			kill(getpid(), SIGKILL); /* dies inside the TX */
		}
		_exit(6);
	}
	int st = 0;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		  "the child must die in its transaction (status %d)", st);
	uint64_t h = t_file_hash(src);
	cr_assert_eq(t_run("info '%s'", src), 0, "%.3000s", t_err);
	cr_assert(strstr(t_out, "10 elements"), "%.3000s", t_out);
	cr_assert_eq(t_run("check '%s'", src), 0, "%.3000s", t_out);
	cr_assert_eq(t_run("dump '%s'", src), 0, "%.3000s", t_err);
	cr_assert(strstr(t_out, "\"count\":10") &&
			  strstr(t_out, "{\"e\":\"AAAAAAAAAAA=\"}"),
		  "element 0 is 0 again: %.3000s", t_out);
	cr_assert_eq(t_file_hash(src), h, "a read-only command wrote");
	/* A real open recovers: the same state. */
	cr_assert_eq(pc_pool_open(src, &p), PC_OK);
	cr_assert_eq(tv_u64_root(p, "v", PC_OPEN, &v), PC_OK);
	cr_assert_eq(tv_u64_len(&v), 10);
	cr_assert_eq(*tv_u64_get(&v, 0), 0);
	pc_pool_close(p);
}

/* Overwrite len bytes at offset delta of root name's object. */
static void t_damage_root(const char *path, const char *name, long delta,
			  const void *bytes, size_t len)
{
	pc_pool *p = NULL;
	cr_assert_eq(pc_pool_open(path, &p), PC_OK);
	uint64_t off = 0;
	for (size_t i = 0; i < pc_root_count(p); i++) {
		pc_root_info ri;
		cr_assert_eq(pc_root_at(p, i, &ri), PC_OK);
		if (strcmp(ri.name, name) == 0)
			off = ri.off;
	}
	pc_pool_close(p);
	cr_assert_neq(off, 0);
	cr_assert_eq(tu_poke(path, (long)off + delta, bytes, len), 0);
}

Test(tool, check_passes_then_fails_on_damaged_headers)
{
	const char *src = tu_path("chk");
	t_fill(src, 32u << 20, 11);
	cr_assert_eq(t_run("check '%s'", src), 0, "%.3000s", t_out);
	cr_assert(strstr(t_out, "8 passed, 0 failed"), "%.3000s", t_out);
	cr_assert_eq(t_run("check -q '%s'", src), 0);

	/* The vector's length beyond its capacity. */
	uint64_t huge = 1ull << 40;
	t_damage_root(src, "numbers", sizeof(struct pc__objhdr), &huge, 8);
	cr_assert_eq(t_run("check '%s'", src), 1, "%.3000s", t_out);
	cr_assert(strstr(t_out, "root \"numbers\" (pvec<uint64_t>): FAILED"),
		  "%.3000s", t_out);
	cr_assert(strstr(t_out, "7 passed, 1 failed"), "%.3000s", t_out);
	/* info reports it too, and says so in its status. */
	cr_assert_eq(t_run("info '%s'", src), 1);
	cr_assert(strstr(t_out, "unreadable"), "%.3000s", t_out);

	/* A map header's magic. */
	uint64_t junk = 0x0123456789abcdefull;
	t_damage_root(src, "index", 0, &junk, 8);
	cr_assert_eq(t_run("check '%s'", src), 1);
	cr_assert(strstr(t_out, "root \"index\""), "%.3000s", t_out);
	cr_assert(strstr(t_out, "2 failed"), "%.3000s", t_out);
	/* The dump refuses damaged roots and says so. */
	cr_assert_eq(t_run("dump '%s'", src), 1);
	cr_assert(strstr(t_err, "numbers") && strstr(t_err, "index"), "%s",
		  t_err);
}

Test(tool, check_fails_on_damaged_log_and_blocks)
{
	const char *src = tu_path("chk2");
	t_fill(src, 32u << 20, 13);
	/* The block array's block size, then the log's magic. */
	uint64_t bs = 100;
	t_damage_root(src, "disk", sizeof(struct pc__objhdr), &bs, 8);
	cr_assert_eq(t_run("check '%s'", src), 1);
	cr_assert(strstr(t_out, "root \"disk\" (pblkarr): FAILED"), "%s",
		  t_out);
	uint64_t junk = 0;
	t_damage_root(src, "events", 0, &junk, 8);
	cr_assert_eq(t_run("check '%s'", src), 1);
	cr_assert(strstr(t_out, "root \"events\" (plog): FAILED"), "%s", t_out);
}

/* ------------------------------------------------------------------ */
/* Bad pools and bad dumps                                              */
/* ------------------------------------------------------------------ */

static void t_all_fail(const char *path, const char *what)
{
	static const char *const cmds[] = {"info", "stats", "check", "dump"};
	for (int i = 0; i < 4; i++) {
		int st = t_run("%s '%s'", cmds[i], path);
		cr_assert_eq(st, 1, "%s on %s: status %d", cmds[i], what, st);
		cr_assert(strstr(t_err, path) || strstr(t_out, path),
			  "%s on %s names the file: %.2000s%.2000s", cmds[i],
			  what, t_out, t_err);
		cr_assert(strstr(t_err, what) || strstr(t_out, what),
			  "%s on %s says \"%s\": %.2000s%.2000s", cmds[i], what,
			  what, t_out, t_err);
	}
}

Test(tool, bad_pools)
{
	/* Missing. */
	const char *p = tu_path("missing");
	t_all_fail(p, "not found");

	/* Random bytes. */
	p = tu_path("random");
	FILE *f = fopen(p, "wb");
	uint64_t s = 99;
	for (int i = 0; i < (1 << 20) / 8; i++) {
		uint64_t x = tu_splitmix64(&s);
		fwrite(&x, 8, 1, f);
	}
	fclose(f);
	t_all_fail(p, "not a libpmemobj pool");
	unlink(p);

	/* Empty. */
	p = tu_path("empty");
	f = fopen(p, "wb");
	fclose(f);
	t_all_fail(p, "empty");
	unlink(p);

	/* Another program's layout. */
	p = tu_path("other");
	PMEMobjpool *pop = pc__pmemobj_create(p, "other", 8u << 20, 0600);
	cr_assert(pop);
	pmemobj_close(pop);
	t_all_fail(p, "layout");
	unlink(p);

	/* Truncated. */
	p = tu_path("trunc");
	t_fill(p, 32u << 20, 1);
	cr_assert_eq(tu_truncate(p, 12l << 20), 0);
	t_all_fail(p, "truncated");
	unlink(p);

	/* The pool header damaged. */
	p = tu_path("hdr");
	t_fill(p, 32u << 20, 1);
	char junk[64];
	memset(junk, 0x5a, sizeof(junk));
	cr_assert_eq(tu_poke(p, 4096 + 64, junk, sizeof(junk)), 0);
	for (int i = 0; i < 4; i++) {
		static const char *const cmds[] = {"info", "stats", "check",
						   "dump"};
		cr_assert_eq(t_run("%s '%s'", cmds[i], p), 1, "%s", cmds[i]);
		cr_assert(strlen(t_err) + strlen(t_out) > 10);
	}
	unlink(p);

	/* A pool of a newer pcoll version. */
	p = tu_path("newer");
	pc_pool *pool = NULL;
	cr_assert_eq(pc_pool_create(p, 8u << 20, &pool), PC_OK);
	long roff = (long)((char *)pool->root - pool->base);
	pc_pool_close(pool);
	uint32_t ver = PC_POOL_LAYOUT_VERSION + 1;
	cr_assert_eq(tu_poke(p, roff + 8, &ver, 4), 0);
	t_all_fail(p, "version");
}

Test(tool, bad_dumps)
{
	const char *src = tu_path("bd");
	t_fill(src, 32u << 20, 21);
	char d[600], cut[600];
	snprintf(d, sizeof(d), "%s.d", src);
	snprintf(cut, sizeof(cut), "%s.cut", src);
	cr_assert_eq(t_run("dump '%s' -o '%s'", src, d), 0);

	/* Cut short: an error, and the new pool is removed. */
	cr_assert_eq(tu_truncate(d, t_file_size(d) * 2 / 3) == 0 ? 0 : -1, 0);
	const char *dst = tu_path("bddst");
	cr_assert_eq(t_run("restore '%s' '%s'", d, dst), 1);
	cr_assert(strstr(t_err, "ends early") || strstr(t_err, "line"), "%s",
		  t_err);
	cr_assert_eq(access(dst, F_OK), -1);

	/* Not a dump at all. */
	FILE *f = fopen(cut, "w");
	fputs("hello world\n", f);
	fclose(f);
	cr_assert_eq(t_run("restore '%s' '%s'", cut, dst), 1);
	cr_assert(strstr(t_err, "not a pcoll dump"), "%.3000s", t_err);
	cr_assert_eq(access(dst, F_OK), -1);

	/* A newer format version. */
	f = fopen(cut, "w");
	fputs("{\"format\":\"pcoll-dump\",\"version\":99,\"pcoll\":\"9\","
	      "\"roots\":0}\n{\"end_dump\":true,\"roots\":0,\"records\":0}\n",
	      f);
	fclose(f);
	cr_assert_eq(t_run("restore '%s' '%s'", cut, dst), 1);
	cr_assert(strstr(t_err, "format version 99"), "%.3000s", t_err);

	/* A damaged element (bad base64). */
	f = fopen(cut, "w");
	fputs("{\"format\":\"pcoll-dump\",\"version\":1,\"pcoll\":\"0\","
	      "\"roots\":1}\n"
	      "{\"root\":\"v\",\"kind\":\"vec\",\"sig\":{\"name\":"
	      "\"pvec<uint64_t>\",\"kind\":2,\"version\":1,\"size\":8,"
	      "\"align\":8,\"size2\":0,\"align2\":0},\"count\":1}\n"
	      "{\"e\":\"!!!!\"}\n",
	      f);
	fclose(f);
	cr_assert_eq(t_run("restore '%s' '%s'", cut, dst), 1);
	cr_assert(strstr(t_err, "base64") && strstr(t_err, "line 3"), "%s",
		  t_err);

	/* An existing target is never overwritten. */
	cr_assert_eq(t_run("dump '%s' -o '%s'", src, d), 0);
	uint64_t h = t_file_hash(src);
	cr_assert_eq(t_run("restore '%s' '%s'", d, src), 1);
	cr_assert(strstr(t_err, "exists"), "%.3000s", t_err);
	cr_assert_eq(t_file_hash(src), h);

	/* Usage errors. */
	cr_assert_eq(t_run("restore '%s'", d), 2);
	cr_assert_eq(t_run("restore '%s' '%s' --size lots", d, dst), 2);
	cr_assert_eq(t_run("frobnicate"), 2);
	cr_assert_eq(t_run(""), 2);
}

Test(tool, restore_from_stdin)
{
	const char *src = tu_path("pipe");
	t_fill(src, 32u << 20, 23);
	const char *dst = tu_path("pipedst");
	const char *tool = getenv("PCOLL_TOOL");
	char cmd[2000];
	snprintf(cmd, sizeof(cmd), "'%s' dump '%s' | '%s' restore - '%s'", tool,
		 src, tool, dst);
	cr_assert_eq(system(cmd), 0);
	t_verify(dst, 23);
}

/* Issue 14: `restore --grow` into a relative path (libpmemobj wants an
 * absolute one in the poolset), messages that do not repeat their
 * prefix, and the stats label of vector arrays. */
Test(tool, relative_growable_and_messages, .timeout = 120)
{
	const char *src = tu_path("rel");
	t_fill(src, 32u << 20, 29);
	char d[600], dir[600];
	snprintf(d, sizeof(d), "%s.d", src);
	cr_assert_eq(t_run("dump '%s' -o '%s'", src, d), 0, "%.3000s", t_err);
	const char *gp = tu_path("relgrow");
	snprintf(dir, sizeof(dir), "%s", gp);
	char *slash = strrchr(dir, '/');
	cr_assert(slash);
	*slash = '\0';
	const char *tool = getenv("PCOLL_TOOL");
	char cmd[2400];
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && '%s' restore '%s' '%s' --grow 4M >/dev/null", dir,
		 tool, d, slash + 1);
	cr_assert_eq(system(cmd), 0, "restore --grow to a relative path");
	t_verify(gp, 29);

	cr_assert_eq(t_run("stats '%s'", src), 0, "%.3000s", t_err);
	cr_assert(strstr(t_out, "pvec<uint64_t> (element arrays)"), "%.3000s",
		  t_out);

	uint64_t huge = 1ull << 40;
	t_damage_root(src, "numbers", sizeof(struct pc__objhdr), &huge, 8);
	cr_assert_eq(t_run("dump '%s' -o '%s'", src, d), 1);
	cr_assert(strstr(t_err, "root \"numbers\" skipped"), "%s", t_err);
	cr_assert(!strstr(t_err, "skipped: pcoll dump:"), "%s", t_err);
	unlink(d);
}

/* Writes a one-root dump of a log whose signature has layout version ver,
 * holding the records "abc" and "defgh". */
static void t_log_dump(const char *path, unsigned ver)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f,
		"{\"format\":\"pcoll-dump\",\"version\":1,\"pcoll\":\"0\","
		"\"roots\":1}\n"
		"{\"root\":\"lg\",\"kind\":\"log\",\"sig\":{\"name\":\"plog\","
		"\"kind\":4,\"version\":%u,\"size\":1,\"align\":1,\"size2\":0,"
		"\"align2\":0},\"count\":2,\"bytes\":8}\n"
		"{\"r\":\"YWJj\"}\n{\"r\":\"ZGVmZ2g=\"}\n"
		"{\"end_root\":\"lg\",\"count\":2}\n"
		"{\"end_dump\":true,\"roots\":1,\"skipped\":0,\"records\":2}\n",
		ver);
	fclose(f);
}

/* A dump of a log of an older PLOG layout (the way over a layout change,
 * which plog_root() names when it refuses such a log) restores into this
 * build's layout with every record; a newer layout is refused. */
Test(tool, restore_older_log_layout)
{
	const char *d = tu_path("oldlog.d");
	const char *dst = tu_path("oldlog");
	for (unsigned ver = 1; ver < plog__sig().version; ver++) {
		t_log_dump(d, ver);
		cr_assert_eq(t_run("restore '%s' '%s'", d, dst), 0, "v%u: %s",
			     ver, t_err);
		pc_pool *pool = NULL;
		plog log;
		cr_assert_eq(pc_pool_open(dst, &pool), PC_OK);
		cr_assert_eq(plog_root(pool, "lg", PC_OPEN, 0, &log), PC_OK,
			     "%s", pc_errmsg());
		static const char *const want[] = {"abc", "defgh"};
		plog_iter it;
		cr_assert_eq(plog_iter_begin(&log, &it), PC_OK);
		const void *p;
		size_t len, n = 0;
		while (plog_iter_next(&it, &p, &len)) {
			cr_assert_lt(n, 2u);
			cr_assert_eq(len, strlen(want[n]));
			cr_assert_eq(memcmp(p, want[n], len), 0);
			n++;
		}
		cr_assert_eq(plog_iter_error(&it), PC_OK);
		plog_iter_end(&it);
		cr_assert_eq(n, 2u);
		pc_pool_close(pool);
		cr_assert_eq(unlink(dst), 0);
	}
	t_log_dump(d, plog__sig().version + 1);
	cr_assert_eq(t_run("restore '%s' '%s'", d, dst), 1);
	cr_assert(strstr(t_err, "log signature") && strstr(t_err, "plog"), "%s",
		  t_err);
	cr_assert_eq(access(dst, F_OK), -1);
}
