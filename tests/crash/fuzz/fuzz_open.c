/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzzing pcoll's open path: seed pool, patches, walk (see fuzz_open.h). */
#define _GNU_SOURCE
#include "fuzz_open.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcoll/pcoll.h>

#include "testutil.h"

#ifdef CR_HAVE_VEC
#define PC_T    uint64_t
#define PC_NAME fz_vec
#include <pcoll/vec.h>
#endif

#ifdef CR_HAVE_MAP
#define PC_K    uint64_t
#define PC_V    uint64_t
#define PC_NAME fz_mapu
#include <pcoll/map.h>

#define PC_K_BYTES
#define PC_V_BYTES
#define PC_NAME fz_maps
#include <pcoll/map.h>
#endif

#ifdef CR_HAVE_LOG
#include <pcoll/log.h>
#endif

#ifdef CR_HAVE_BLK
#include <pcoll/blkarr.h>
#endif

/* A view that passed its check but does not hold together: a real bug.
 * abort() makes libFuzzer (and the replay test) report it. */
#define FUZZ_BUG(...)                                         \
	do {                                                  \
		fprintf(stderr, "fuzz: inconsistent view: "); \
		fprintf(stderr, __VA_ARGS__);                 \
		fprintf(stderr, "\n");                        \
		abort();                                      \
	} while (0)

typedef struct fz_obj {
	uint64_t magic;
	uint64_t n;
	PC_PTR(uint64_t) p[4];
} fz_obj;
PC_DECLARE(fz_obj);

#define FZ_MAGIC 0x7a7a7a7a5a5a5a5aull

/*
 * Pool handles: libpmemobj's pmemobj_open/_create/_close, interposed to
 * count the handles that are open. After each input every handle pcoll
 * got must be closed again, whatever the input did. This is what tells a
 * handle pcoll forgot on an error path from libpmemobj 1.12.1's own leak
 * in a refused pmemobj_open() (docs/crash.md), which the LeakSanitizer
 * suppressions of the crash-fuzz test leave out.
 */
static long fz_handles;

static void *fz_real(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	if (!p) {
		fprintf(stderr, "fuzz: dlsym(%s) failed\n", name);
		abort();
	}
	return p;
}

PMEMobjpool *pmemobj_open(const char *path, const char *layout)
{
	static PMEMobjpool *(*real)(const char *, const char *);
	if (!real) {
		void *p = fz_real("pmemobj_open");
		memcpy(&real, &p, sizeof(p));
	}
	PMEMobjpool *pop = real(path, layout);
	fz_handles += pop != NULL;
	return pop;
}

PMEMobjpool *pmemobj_create(const char *path, const char *layout,
			    size_t poolsize, mode_t mode)
{
	static PMEMobjpool *(*real)(const char *, const char *, size_t, mode_t);
	if (!real) {
		void *p = fz_real("pmemobj_create");
		memcpy(&real, &p, sizeof(p));
	}
	PMEMobjpool *pop = real(path, layout, poolsize, mode);
	fz_handles += pop != NULL;
	return pop;
}

void pmemobj_close(PMEMobjpool *pop)
{
	static void (*real)(PMEMobjpool *);
	if (!real) {
		void *p = fz_real("pmemobj_close");
		memcpy(&real, &p, sizeof(p));
	}
	fz_handles -= pop != NULL;
	real(pop);
}

/* After @p what every pool handle must be closed again. */
static void fz_handles_closed(const char *what)
{
	if (fz_handles != 0) {
		fprintf(stderr,
			"fuzz: %ld pool handle(s) still open after %s\n",
			fz_handles, what);
		abort();
	}
}

static struct {
	int ready;
	unsigned char *seed;
	size_t size;
	struct {
		uint64_t off, len;
	} obj[256];
	size_t nobj;
	char seed_path[600], img_path[600];
	int precheck;
	int known;
} S;

static pc_err build_seed(pc_pool *pool)
{
	PC_PTR(fz_obj) o;
	PC_TRY(PC_ROOT(pool, "obj", fz_obj, PC_CREATE, &o));
	pc_err err = PC_OK;
	TX(pool, &err) {
		fz_obj *w = PC_RW(pool, fz_obj, o);
		if (!w)
			break;
		w->magic = FZ_MAGIC;
		w->n = 4;
		for (int j = 0; j < 4; j++) {
			uint64_t v = 100u + (uint64_t)j;
			if (PC_NEW_INIT(pool, uint64_t, &w->p[j], &v) != PC_OK)
				break;
		}
	}
	PC_TRY(err);
#ifdef CR_HAVE_VEC
	fz_vec v;
	PC_TRY(fz_vec_root(pool, "vec", PC_CREATE, &v));
	for (uint64_t j = 0; j < 20; j++)
		PC_TRY(fz_vec_push(&v, j * 3));
#endif
#ifdef CR_HAVE_MAP
	fz_mapu mu;
	PC_TRY(fz_mapu_root(pool, "mapu", PC_CREATE, &mu));
	for (uint64_t j = 0; j < 80; j++) /* more than a leaf: a split */
		PC_TRY(fz_mapu_insert(&mu, j * 7, j));
	fz_maps ms;
	PC_TRY(fz_maps_root(pool, "maps", PC_CREATE, &ms));
	for (int j = 0; j < 12; j++) {
		char k[48], val[64];
		int kl = snprintf(k, sizeof(k),
				  j % 2 ? "k%d" : "a-long-key-%030d", j);
		int vl = snprintf(val, sizeof(val), "value-%d-%0*d", j, j * 4,
				  j);
		PC_TRY(fz_maps_insert(&ms, pc_slice_make(k, (size_t)kl),
				      pc_slice_make(val, (size_t)vl)));
	}
#endif
#ifdef CR_HAVE_LOG
	plog l;
	PC_TRY(plog_root(pool, "log", PC_CREATE, PLOG_MIN_CAPACITY, &l));
	for (int j = 0; j < 30; j++) {
		char rec[300];
		memset(rec, 'a' + j % 26, sizeof(rec));
		PC_TRY(plog_append(&l, rec, (size_t)(j * 37) % sizeof(rec)));
	}
#endif
#ifdef CR_HAVE_BLK
	pblkarr b;
	PC_TRY(pblkarr_root(pool, "blk", PC_CREATE, 64, 8, &b));
	/* A buffer larger than the block: with a 64-byte one gcc 12 warns
	 * (-Wstringop-overread) about the never-taken non-temporal branch
	 * of pc_memcpy_nodrain() once everything is inlined. */
	static unsigned char blk[4096];
	pc_err be = PC_OK;
	for (uint64_t j = 0; j < 8 && be == PC_OK; j += 2) {
		memset(blk, (int)j + 1, 64);
		be = pblkarr_write(&b, j, blk);
	}
	PC_TRY(be);
	PC_TRY(pblkarr_set_error(&b, 3));
#endif
	return PC_OK;
}

int cr_fuzz_init(void)
{
	if (S.ready)
		return 0;
	const char *pc = getenv("PCOLL_FUZZ_PRECHECK");
	S.precheck = pc && *pc == '1';
	const char *kn = getenv("PCOLL_FUZZ_KNOWN");
	S.known = kn && *kn == '1';
	(void)snprintf(S.seed_path, sizeof(S.seed_path), "%s",
		       tu_path("fuzz-seed"));
	(void)snprintf(S.img_path, sizeof(S.img_path), "%s",
		       tu_path("fuzz-img"));
	pc_pool *pool = NULL;
	if (pc_pool_create(S.seed_path, PC_POOL_MIN_SIZE, &pool) != PC_OK) {
		fprintf(stderr, "fuzz: seed pool: %s\n", pc_errmsg());
		return -1;
	}
	if (build_seed(pool) != PC_OK) {
		fprintf(stderr, "fuzz: seed content: %s\n", pc_errmsg());
		return -1;
	}
	S.nobj = 0;
	for (PMEMoid o = pmemobj_first(pool->pop);
	     !OID_IS_NULL(o) && S.nobj < 256; o = pmemobj_next(o)) {
		S.obj[S.nobj].off = o.off;
		S.obj[S.nobj].len = pmemobj_alloc_usable_size(o);
		S.nobj++;
	}
	/* pcoll's own root object (the directory's anchor) too. */
	if (S.nobj < 256) {
		S.obj[S.nobj].off = pc_pool_off(pool, pool->root);
		S.obj[S.nobj].len = sizeof(*pool->root);
		S.nobj++;
	}
	if (pc_pool_close(pool) != PC_OK)
		return -1;
	FILE *f = fopen(S.seed_path, "rb");
	if (!f)
		return -1;
	struct stat st;
	if (fstat(fileno(f), &st) != 0) {
		fclose(f);
		return -1;
	}
	S.size = (size_t)st.st_size;
	S.seed = (unsigned char *)malloc(S.size);
	if (!S.seed || fread(S.seed, 1, S.size, f) != S.size) {
		fclose(f);
		return -1;
	}
	fclose(f);
	(void)unlink(S.seed_path);
	S.ready = 1;
	return 0;
}

size_t cr_fuzz_nobjs(void)
{
	return S.nobj;
}

void cr_fuzz_cleanup(void)
{
	(void)unlink(S.img_path);
	(void)unlink(S.seed_path);
}

/* ------------------------------------------------------------------ */
/* Walkers: each root by kind                                           */
/* ------------------------------------------------------------------ */

static int walk_obj(pc_pool *pool, const pc_root_info *ri)
{
	PC_PTR(fz_obj) o;
	if (PC_ROOT(pool, ri->name, fz_obj, PC_OPEN, &o) != PC_OK)
		return 0;
	if (PC_PTR_CHECK(pool, fz_obj, o) != PC_OK)
		return 0;
	const fz_obj *r = PC_RO(pool, fz_obj, o);
	uint64_t sum = 0;
	for (int j = 0; j < 4; j++) {
		if (PC_PTR_CHECK(pool, uint64_t, r->p[j]) != PC_OK)
			return 0;
		if (!PC_PTR_IS_NULL(r->p[j]))
			sum += *PC_RO(pool, uint64_t, r->p[j]);
	}
	return sum != UINT64_MAX;
}

#ifdef CR_HAVE_VEC
static int walk_vec(pc_pool *pool, const pc_root_info *ri)
{
	fz_vec v;
	if (fz_vec_root(pool, ri->name, PC_OPEN, &v) != PC_OK)
		return 0;
	if (fz_vec_check(&v) != PC_OK)
		return 0;
	size_t n = fz_vec_len(&v), seen = 0;
	uint64_t sum = 0;
	PVEC_FOREACH(fz_vec, &v, p) {
		sum += *p;
		seen++;
	}
	if (seen != n)
		FUZZ_BUG("vec %s: %zu elements walked, len %zu", ri->name, seen,
			 n);
	for (size_t j = 0; j < n; j++)
		if (!fz_vec_get(&v, j))
			FUZZ_BUG("vec %s: get(%zu) NULL below len %zu",
				 ri->name, j, n);
	return sum != 1;
}
#endif

#ifdef CR_HAVE_MAP
static int walk_mapu(pc_pool *pool, const pc_root_info *ri)
{
	fz_mapu m;
	if (fz_mapu_root(pool, ri->name, PC_OPEN, &m) != PC_OK)
		return 0;
	if (fz_mapu_check(&m) != PC_OK)
		return 0;
	size_t n = fz_mapu_len(&m), seen = 0;
	fz_mapu_iter it;
	uint64_t prev = 0;
	for (bool ok = fz_mapu_first(&m, &it); ok; ok = fz_mapu_next(&it)) {
		if (seen && *it.key <= prev)
			FUZZ_BUG("map %s: keys out of order", ri->name);
		prev = *it.key;
		const uint64_t *g = fz_mapu_get(&m, *it.key);
		if (!g || *g != *it.val)
			FUZZ_BUG("map %s: get disagrees with the walk",
				 ri->name);
		if (++seen > n)
			FUZZ_BUG("map %s: walk longer than len %zu", ri->name,
				 n);
	}
	if (seen != n)
		FUZZ_BUG("map %s: %zu entries walked, len %zu", ri->name, seen,
			 n);
	return 1;
}

static int walk_maps(pc_pool *pool, const pc_root_info *ri)
{
	fz_maps m;
	if (fz_maps_root(pool, ri->name, PC_OPEN, &m) != PC_OK)
		return 0;
	if (fz_maps_check(&m) != PC_OK)
		return 0;
	size_t n = fz_maps_len(&m), seen = 0;
	fz_maps_iter it;
	for (bool ok = fz_maps_first(&m, &it); ok; ok = fz_maps_next(&it)) {
		pc_slice g = fz_maps_get(&m, it.key);
		if (!g.ptr || g.len != it.val.len ||
		    memcmp(g.ptr, it.val.ptr, g.len) != 0)
			FUZZ_BUG("map %s: get disagrees with the walk",
				 ri->name);
		if (++seen > n)
			FUZZ_BUG("map %s: walk longer than len %zu", ri->name,
				 n);
	}
	if (seen != n)
		FUZZ_BUG("map %s: %zu entries walked, len %zu", ri->name, seen,
			 n);
	return 1;
}
#endif

#ifdef CR_HAVE_LOG
static int walk_log(pc_pool *pool, const pc_root_info *ri)
{
	plog l;
	if (plog_root(pool, ri->name, PC_OPEN, 0, &l) != PC_OK)
		return 0;
	if (plog_check(&l) != PC_OK)
		return 0;
	plog_iter it;
	if (plog_iter_begin(&l, &it) != PC_OK)
		return 0;
	const void *d;
	size_t len, seen = 0;
	uint64_t bytes = 0;
	unsigned sum = 0;
	while (plog_iter_next(&it, &d, &len)) {
		if (len)
			sum += ((const unsigned char *)d)[len - 1];
		bytes += len;
		seen++;
	}
	pc_err e = plog_iter_error(&it);
	plog_iter_end(&it);
	if (e == PC_OK && seen != plog_count(&l))
		FUZZ_BUG("log %s: %zu records walked, count %llu", ri->name,
			 seen, (unsigned long long)plog_count(&l));
	if (e == PC_OK && bytes != plog_tell(&l))
		FUZZ_BUG("log %s: %llu bytes walked, tell %llu", ri->name,
			 (unsigned long long)bytes,
			 (unsigned long long)plog_tell(&l));
	return sum != 1;
}
#endif

#ifdef CR_HAVE_BLK
static int walk_blk(pc_pool *pool, const pc_root_info *ri)
{
	pblkarr b;
	if (pblkarr_root(pool, ri->name, PC_OPEN, 0, 0, &b) != PC_OK)
		return 0;
	if (pblkarr_check(&b) != PC_OK)
		return 0;
	size_t bs = pblkarr_bsize(&b);
	if (bs == 0 || bs > (1u << 20))
		FUZZ_BUG("blk %s: block size %zu passed the check", ri->name,
			 bs);
	unsigned char *buf = (unsigned char *)malloc(bs);
	if (!buf)
		return 0;
	uint64_t n = pblkarr_nblock(&b);
	for (uint64_t j = 0; j < n && j < 4096; j++) {
		pc_err e = pblkarr_read(&b, j, buf);
		if (e != PC_OK && e != PC_E_BADBLOCK)
			FUZZ_BUG("blk %s: read %llu: %s", ri->name,
				 (unsigned long long)j, pc_errmsg());
	}
	free(buf);
	return 1;
}
#endif

static int walk_root(pc_pool *pool, const pc_root_info *ri)
{
	switch (ri->sig.kind) {
	case PC_KIND_OBJ:
		return walk_obj(pool, ri);
#ifdef CR_HAVE_VEC
	case PC_KIND_VEC:
		return walk_vec(pool, ri);
#endif
#ifdef CR_HAVE_MAP
	case PC_KIND_MAP:
		/* Try both instantiations: the wrong one is PC_E_TYPE. */
		return walk_mapu(pool, ri) | walk_maps(pool, ri);
#endif
#ifdef CR_HAVE_LOG
	case PC_KIND_LOG:
		return walk_log(pool, ri);
#endif
#ifdef CR_HAVE_BLK
	case PC_KIND_BLKARR:
		return walk_blk(pool, ri);
#endif
	default:
		return 0;
	}
}

int cr_fuzz_one(const uint8_t *data, size_t size, int *opened)
{
	if (opened)
		*opened = 0;
	if (cr_fuzz_init() != 0)
		abort(); /* the seed itself failed: not an input's fault */
	unsigned char *img = (unsigned char *)malloc(S.size);
	if (!img)
		return 0;
	memcpy(img, S.seed, S.size);
	size_t p = 0;
	while (p + 6 <= size) {
		unsigned where = data[p];
		uint32_t off = (uint32_t)data[p + 1] |
			       (uint32_t)data[p + 2] << 8 |
			       (uint32_t)data[p + 3] << 16 |
			       (uint32_t)data[p + 4] << 24;
		size_t len = data[p + 5] % 17;
		p += 6;
		if (p + len > size)
			break;
		/* Region 0 is the pool and object-store headers only (the
		 * first 8 KiB, checksummed by libpmemobj): libpmemobj 1.12.1
		 * itself crashes on some corrupted lane and heap metadata,
		 * in pmemobj_open and in pmemobj_check alike (see
		 * fuzz/known/ and docs/crash.md); pcoll cannot guard that. */
		uint64_t base = 0, span = S.size < 8192 ? S.size : 8192;
		if (getenv("PCOLL_FUZZ_WHOLE_FILE"))
			span = S.size;
		if (where != 0 && S.nobj > 0) {
			size_t k = (where - 1) % S.nobj;
			base = S.obj[k].off;
			span = S.obj[k].len;
		}
		if (span == 0) {
			p += len;
			continue;
		}
		uint64_t at = base + off % span;
		if (getenv("PCOLL_FUZZ_DEBUG"))
			fprintf(stderr,
				"patch: region %u (object at %llu, %llu bytes) "
				"file offset %llu, %zu bytes\n",
				where, (unsigned long long)base,
				(unsigned long long)span,
				(unsigned long long)at, len);
		/* A patch stays inside its region: spilling past an object
		 * would hit libpmemobj's allocation headers, past 8 KiB its
		 * lane area (see fuzz/known/pmdk-lane-area-segv). */
		for (size_t j = 0; j < len && at + j < base + span; j++)
			img[at + j] = data[p + j];
		p += len;
	}
	int fd = open(S.img_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		      0600);
	if (fd < 0) {
		free(img);
		return 0;
	}
	size_t w = 0;
	while (w < S.size) {
		ssize_t r = write(fd, img + w, S.size - w);
		if (r <= 0)
			break;
		w += (size_t)r;
	}
	close(fd);
	free(img);
	if (w != S.size)
		return 0;
	pc_pool *pool = NULL;
	if (S.precheck && pc_pool_check(S.img_path) != PC_OK) {
		fz_handles_closed("a failed pc_pool_check");
		return 0;
	}
	if (pc_pool_open(S.img_path, &pool) != PC_OK) {
		fz_handles_closed("a refused pc_pool_open");
		return 0;
	}
	if (opened)
		*opened = 1;
	size_t nroots = pc_root_count(pool);
	int all = 1;
	for (size_t i = 0; i < nroots && i < 1024; i++) {
		pc_root_info ri;
		if (pc_root_at(pool, i, &ri) != PC_OK) {
			all = 0;
			continue;
		}
		all &= walk_root(pool, &ri) != 0;
	}
	if (pc_pool_close(pool) != PC_OK)
		abort();
	fz_handles_closed("pc_pool_close");
	if (opened && all)
		*opened = 2;
	return 0;
}
