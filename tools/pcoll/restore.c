/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll restore: a new pool from a dump (format in docs/tool.md). Streams:
 * memory use is bounded by the largest single record, whatever the size
 * of the dump. On any error the new pool is removed again.
 *
 * Relies on the core only: the codec's reading half (json.c), the map
 * binding (bind.c), sizes and the progress bar (core.c). What it reads is
 * what dump.c writes.
 */
#define _GNU_SOURCE
#include "cmds.h"
#include "pct.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
		/* A dump holds the records only: a log of an older PLOG
		 * layout restores into this build's. */
		pc_typesig want = plog__sig(), as = *sig;
		as.version = want.version;
		if (!pc__sig_eq(&want, &as) || sig->version > want.version)
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

struct pct_restore_opts {
	size_t size, grow, max;
	int progress;
};

static int pct_restore_opt(int code, const char *arg, void *ctx)
{
	struct pct_restore_opts *o = (struct pct_restore_opts *)ctx;
	size_t *dst = code == 's'   ? &o->size
		      : code == 'g' ? &o->grow
		      : code == 'm' ? &o->max
				    : NULL;
	if (code == 'P')
		o->progress = 0;
	if (dst && pct_parse_size(arg, dst) != 0) {
		fprintf(stderr,
			"pcoll restore: --%s needs a size such as 64M, not "
			"\"%s\"\n",
			code == 's'   ? "size"
			: code == 'g' ? "grow"
				      : "max",
			arg);
		return -1;
	}
	return 0;
}

int pct_cmd_restore(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"size", required_argument, NULL, 's'},
		{"grow", required_argument, NULL, 'g'},
		{"max", required_argument, NULL, 'm'},
		{"no-progress", no_argument, NULL, 'P'},
		{NULL, 0, NULL, 0}};
	static const pct_cmd_spec spec = {
		"restore",
		"restore FILE NEWPOOL [--size N | --grow STEP [--max M]] "
		"[--no-progress]",
		"Create NEWPOOL (it must not exist) from the dump FILE (- "
		"reads\n"
		"standard input). Sizes take K, M, G, T suffixes (powers of "
		"1024).\n"
		"  --size=N       a fixed-size pool of N bytes (default: the\n"
		"                 dumped pool's size, at least 8 MiB); with\n"
		"                 --grow, the starting size\n"
		"  --grow=STEP    a growable pool growing by STEP (>= 2 MiB)\n"
		"  --max=M        a growable pool's limit (default 1 TiB)\n"
		"  --no-progress  no progress bar on a terminal\n"
		"  -h, --help     this text\n",
		"",
		longopts,
		2,
		2};
	struct pct_restore_opts ro = {0, 0, 0, 1};
	int pst;
	int first = pct_getopt(&spec, argc, argv, pct_restore_opt, &ro, &pst);
	if (first < 0)
		return pst;
	const char *in = argv[first], *path = argv[first + 1];
	size_t size = ro.size, grow = ro.grow, max = ro.max;
	int progress = ro.progress;
	if (max && !grow) {
		fprintf(stderr,
			"pcoll restore: --max needs --grow\nusage: "
			"pcoll %s\n",
			spec.usage);
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
		if (ver->num < 1 || ver->num > PCT_DUMP_FORMAT) {
			fprintf(stderr,
				"pcoll restore: %s: dump format version "
				"%" PRIu64 ", this tool reads 1 to %d\n",
				in, ver->num, PCT_DUMP_FORMAT);
			goto out;
		}
		pct_j_format((int)ver->num);
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
			e = pc__fail(PC_E_CORRUPT,
				     "not a JSON object: the dump is damaged "
				     "or not a pcoll dump");
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
