/* SPDX-License-Identifier: BSD-3-Clause */
/* Power-failure simulator: the driver (see sim.h). */
#define _GNU_SOURCE
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crsched.h"
#include "interpose.h"
#include "testutil.h"

#define LINE       64u
#define MAX_JOBS   8
#define KIND_LEN   32
#define PATH_LEN   300
#define MAX_LINES0 64 /* line indexes listed in a failure message */

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	return strtoull(v, NULL, 0);
}

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	return (int)strtol(v, NULL, 0);
}

/* One seed per process: every scenario of a run shares it. */
static uint64_t process_seed(void)
{
	static uint64_t seed;
	static int have;
	if (have)
		return seed;
	const char *v = getenv("PCOLL_CRASH_SEED");
	if (v && *v) {
		seed = strtoull(v, NULL, 0);
	} else if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
		       (uint64_t)getpid();
	}
	seed &= 0xFFFFFFFFFFFFull; /* 12 hex digits: easy to copy */
	have = 1;
	return seed;
}

/* Draw the run's seed at program start and put it in the environment, so
 * the test processes Criterion starts for each scenario share it. */
__attribute__((constructor)) static void seed_init(void)
{
	char buf[32];
	(void)snprintf(buf, sizeof(buf), "0x%llx",
		       (unsigned long long)process_seed());
	(void)setenv("PCOLL_CRASH_SEED", buf, 0);
}

void cr_opts_default(cr_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->full = env_u64("PCOLL_CRASH_FULL", 0) != 0;
	o->per_stratum = env_int("PCOLL_CRASH_STRATUM", 1);
	o->extra = env_int("PCOLL_CRASH_EXTRA", 8);
	o->images = env_int("PCOLL_CRASH_IMAGES", 1500);
	o->exhaustive_max = env_int("PCOLL_CRASH_EXHAUSTIVE", 8);
	if (o->exhaustive_max > 12)
		o->exhaustive_max = 12;
	o->max_one = env_int("PCOLL_CRASH_MAX_ONE", o->full ? 0 : 12);
	o->nrandom = env_int("PCOLL_CRASH_RANDOM", o->full ? 4 : 2);
	o->recovery_every = env_int("PCOLL_CRASH_RECOVERY", o->full ? 1 : 4);
	o->recovery_points =
		env_int("PCOLL_CRASH_RECOVERY_POINTS", o->full ? 0 : 2);
	o->continue_ops = env_int("PCOLL_CRASH_CONTINUE", 3);
	o->pmemobj_check = env_int("PCOLL_CRASH_PMEMOBJ_CHECK", o->full);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	o->jobs = env_int("PCOLL_CRASH_JOBS", ncpu > 0 ? (int)ncpu : 1);
	if (o->jobs < 1)
		o->jobs = 1;
	if (o->jobs > MAX_JOBS)
		o->jobs = MAX_JOBS;
	o->switch_every = (unsigned)env_int("PCOLL_CRASH_SWITCH", 3);
	o->seed = process_seed();
	o->budget = o->full ? 0 : (double)env_u64("PCOLL_CRASH_BUDGET", 150);
	o->only_fence = env_int("PCOLL_CRASH_FENCE", -1);
	o->keep = env_int("PCOLL_CRASH_KEEP", 0);
	o->debug = env_int("PCOLL_CRASH_DEBUG", 0);
}

static int read_all(int fd, void *buf, size_t n)
{
	char *p = (char *)buf;
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return got == 0 ? 0 : -1;
		got += (size_t)r;
	}
	return 1;
}

/* Write n bytes as a sparse file: pages of zeros stay holes (a pool is
 * mostly zeros; images are copied page by page from this one). */
static int write_sparse(const char *path, const void *buf, size_t n)
{
	static const unsigned char zero[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	int r = ftruncate(fd, (off_t)n);
	const unsigned char *b = (const unsigned char *)buf;
	for (size_t off = 0; r == 0 && off < n;) {
		size_t len = n - off < sizeof(zero) ? n - off : sizeof(zero);
		if (memcmp(b + off, zero, len) == 0) {
			off += len;
			continue;
		}
		size_t end = off + len;
		while (end < n &&
		       memcmp(b + end, zero,
			      n - end < sizeof(zero) ? n - end : sizeof(zero)))
			end += n - end < sizeof(zero) ? n - end : sizeof(zero);
		if (pwrite(fd, b + off, end - off, (off_t)off) !=
		    (ssize_t)(end - off))
			r = -1;
		off = end;
	}
	if (close(fd) != 0)
		r = -1;
	return r;
}

static int write_file(const char *path, const void *buf, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	int r = cr_write_all(fd, buf, n);
	if (close(fd) != 0)
		r = -1;
	return r;
}

/* ------------------------------------------------------------------ */
/* Messages from a tracked process (workload or recovery) to P          */
/* ------------------------------------------------------------------ */

enum { REQ_INFO = 1, REQ_POINT = 2, REQ_DONE = 3, REQ_ERROR = 4 };

struct cr_req {
	int type;
	int thread; /* the fencing thread */
	int ord;    /* fence ordinal within its operation */
	int same;   /* identical to the previous crash point */
	int final;  /* the point after the last operation */
	uint64_t fence;
	uint64_t site;
	uint64_t ndirty;
	uint64_t fences_total;
	uint64_t switches;
	cr_pos pos;
	char kind[KIND_LEN];
	char dpath[PATH_LEN]; /* durable image */
	char lpath[PATH_LEN]; /* dirty words: {offset, value} pairs */
	char msg[400];
};

/* ------------------------------------------------------------------ */
/* Tracked process: the workload W, or a recovery under test C          */
/* ------------------------------------------------------------------ */

struct wctx {
	const cr_scenario *s;
	const cr_opts *o;
	int req_fd, ack_fd;
	int counting; /* dry run: report every fence point, crash nowhere */
	int stopped;  /* P asked to stop crashing */
	const unsigned char *sel; /* selected fence points (NULL: all) */
	uint64_t nsel;
	pc_pool *pool; /* once open */
	cr_pos pos;    /* W: where the workload is; C: the image's */
	const char *kind[CR_MAX_THREADS];
	int ord[CR_MAX_THREADS];
	uint64_t last_sig;
	int have_sig;
	uint64_t *dirty; /* offset, value pairs */
	size_t ndirty, dcap;
	struct krange {
		size_t lo, hi;
	} * known; /* objects reachable from the directory, sorted */
	size_t nknown, kcap;
	size_t heap_off; /* libpmemobj's heap starts here */
	char dpath[PATH_LEN], lpath[PATH_LEN];
};

static struct wctx *g_w; /* the tracked process's context, for ops */

static void w_kind(const char *kind)
{
	if (g_w)
		g_w->kind[cr_sched_self()] = kind;
}

/* libpmemobj 1.12 keeps run-time state (pointers, locks, the pmem_ops
 * table) in the pool descriptor page, after the persistent descriptor:
 * from PMEMobjpool's pmem_reserved[] (offset 0x1a30) to the lanes. It is
 * rewritten at every open and never flushed: volatile. */
#define PMEMOBJ_RUNTIME_OFF 0x1a30u
#define PMEMOBJ_LANES_AT    (4096u + 1024u) /* lanes_offset in the file */

static void mark_pmemobj_runtime(void)
{
	uint64_t lanes = 0;
	memcpy(&lanes, cr_track_durable() + PMEMOBJ_LANES_AT, sizeof(lanes));
	if (lanes > PMEMOBJ_RUNTIME_OFF && lanes <= 65536)
		cr_track_volatile(PMEMOBJ_RUNTIME_OFF,
				  (size_t)lanes - PMEMOBJ_RUNTIME_OFF);
}

static void known_add(size_t off, size_t len, void *arg)
{
	struct wctx *w = (struct wctx *)arg;
	if (w->nknown == w->kcap) {
		size_t nc = w->kcap ? w->kcap * 2 : 256;
		struct krange *nk =
			(struct krange *)realloc(w->known, nc * sizeof(*nk));
		if (!nk)
			_exit(90);
		w->known = nk;
		w->kcap = nc;
	}
	w->known[w->nknown].lo = off;
	w->known[w->nknown].hi = off + len;
	w->nknown++;
}

static int by_lo(const void *a, const void *b)
{
	const struct krange *x = (const struct krange *)a;
	const struct krange *y = (const struct krange *)b;
	return (x->lo > y->lo) - (x->lo < y->lo);
}

/*
 * The objects the pool's directory reaches now (live memory). A dirty
 * word elsewhere in the heap (free space; libpmemobj's chunk headers and
 * run-time state it keeps in free blocks, never flushed) is left out of
 * the images: they take its durable value, which is a legal crash state
 * (the store was lost) and cannot hide a bug of pcoll's, whose data all
 * lies in reachable objects once linked.
 */
static void w_known(struct wctx *w)
{
	w->nknown = 0;
	if (!w->pool)
		return;
	uint64_t heap = 0;
	memcpy(&heap, cr_track_durable() + PMEMOBJ_LANES_AT + 16, 8);
	w->heap_off = heap < cr_track_size() ? (size_t)heap : 0;
	cr_known_ranges(w->pool, w->s, known_add, w);
	if (w->nknown > 1)
		qsort(w->known, w->nknown, sizeof(*w->known), by_lo);
}

/* 1 when word o is in the heap but in no reachable object. */
static int w_unreachable(const struct wctx *w, size_t o)
{
	if (!w->pool || !w->heap_off || o < w->heap_off)
		return 0;
	size_t lo = 0, hi = w->nknown;
	while (lo < hi) { /* the last range starting at or before o */
		size_t mid = lo + (hi - lo) / 2;
		if (w->known[mid].lo <= o)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Ranges may nest (an object and a string it shares nothing with
	 * do not, but be safe): look back a few. */
	for (size_t i = lo; i-- > 0 && lo - i <= 8;)
		if (o < w->known[i].hi)
			return 0;
	return 1;
}

static void w_collect_dirty(struct wctx *w)
{
	w_known(w);
	const unsigned char *live = cr_track_live();
	const unsigned char *dur = cr_track_durable();
	size_t size = cr_track_size();
	w->ndirty = 0;
	if (!live)
		return;
	for (size_t off = 0; off + LINE <= size; off += LINE) {
		if (memcmp(live + off, dur + off, LINE) == 0)
			continue;
		for (size_t o = off; o < off + LINE; o += 8) {
			if (memcmp(live + o, dur + o, 8) == 0 ||
			    cr_track_is_volatile(o) || w_unreachable(w, o))
				continue;
			if (w->ndirty == w->dcap) {
				size_t nc = w->dcap ? w->dcap * 2 : 4096;
				uint64_t *nd = (uint64_t *)realloc(
					w->dirty, nc * 2 * sizeof(uint64_t));
				if (!nd)
					_exit(90);
				w->dirty = nd;
				w->dcap = nc;
			}
			uint64_t v;
			memcpy(&v, live + o, 8);
			w->dirty[2 * w->ndirty] = o;
			w->dirty[2 * w->ndirty + 1] = v;
			w->ndirty++;
		}
	}
}

static uint64_t w_signature(const struct wctx *w)
{
	uint64_t h = 1469598103934665603ull ^ cr_track_durable_gen();
	for (size_t i = 0; i < 2 * w->ndirty; i++)
		h = (h ^ w->dirty[i]) * 1099511628211ull;
	return h;
}

static void w_send(const struct wctx *w, const struct cr_req *q)
{
	if (cr_write_all(w->req_fd, q, sizeof(*q)) != 0)
		_exit(92);
}

static void w_crash_here(struct wctx *w, uint64_t fence, int final)
{
	struct cr_req q;
	memset(&q, 0, sizeof(q));
	q.type = REQ_POINT;
	q.fence = fence;
	q.final = final;
	q.thread = cr_sched_self();
	q.pos = w->pos;
	if (final)
		memset(q.pos.inflight, 0, sizeof(q.pos.inflight));
	if (w->kind[q.thread])
		(void)snprintf(q.kind, sizeof(q.kind), "%s", w->kind[q.thread]);
	if (w->pool)
		cr_volatile_ranges(w->pool, cr_track_volatile);
	w_collect_dirty(w);
	uint64_t sig = w_signature(w);
	if (w->have_sig && sig == w->last_sig) {
		q.same = 1;
	} else {
		w->last_sig = sig;
		w->have_sig = 1;
		q.ndirty = w->ndirty;
		memcpy(q.dpath, w->dpath, sizeof(q.dpath));
		memcpy(q.lpath, w->lpath, sizeof(q.lpath));
		if (write_sparse(w->dpath, cr_track_durable(),
				 cr_track_size()) != 0 ||
		    write_file(w->lpath, w->dirty,
			       w->ndirty * 2 * sizeof(uint64_t)) != 0)
			_exit(91);
	}
	w_send(w, &q);
	int ack = 0;
	if (read_all(w->ack_fd, &ack, sizeof(ack)) != 1)
		_exit(93);
	if (ack == 0)
		w->stopped = 1;
}

static void w_hook(uint64_t fence, const void *site, void *arg)
{
	struct wctx *w = (struct wctx *)arg;
	int t = cr_sched_self();
	int ord = w->ord[t]++;
	if (w->counting) {
		struct cr_req q;
		memset(&q, 0, sizeof(q));
		q.type = REQ_INFO;
		q.fence = fence;
		q.thread = t;
		q.ord = ord;
		q.site = (uint64_t)(uintptr_t)site;
		q.pos = w->pos;
		(void)snprintf(q.kind, sizeof(q.kind), "%s",
			       w->kind[t] ? w->kind[t] : "?");
		if (w->pool)
			cr_volatile_ranges(w->pool, cr_track_volatile);
		w_collect_dirty(w);
		uint64_t cur = UINT64_MAX;
		for (size_t i = 0; i < w->ndirty; i++)
			if (w->dirty[2 * i] / LINE != cur) {
				cur = w->dirty[2 * i] / LINE;
				q.ndirty++; /* here: dirty lines */
			}
		w_send(w, &q);
		return;
	}
	if (w->stopped)
		return;
	if (w->sel &&
	    (fence >= w->nsel || !((w->sel[fence >> 3] >> (fence & 7)) & 1)))
		return;
	w_crash_here(w, fence, 0);
}

__attribute__((format(printf, 2, 3))) static void w_fail(struct wctx *w,
							 const char *fmt, ...)
{
	struct cr_req q;
	memset(&q, 0, sizeof(q));
	q.type = REQ_ERROR;
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(q.msg, sizeof(q.msg), fmt, ap);
	va_end(ap);
	(void)cr_write_all(w->req_fd, &q, sizeof(q));
	_exit(3);
}

/* Run operation i of thread t with the position bookkeeping. */
static void w_op(struct wctx *w, int t, int i)
{
	const cr_scenario *s = w->s;
	w->kind[t] = NULL;
	w->ord[t] = 0;
	w->pos.inflight[t] = 1;
	pc_err e = s->nthreads > 1 ? s->op_t(w->pool, t, i) : s->op(w->pool, i);
	if (e != PC_OK)
		w_fail(w, "%s: thread %d operation %d (%s) failed: %s", s->name,
		       t, i, w->kind[t] ? w->kind[t] : "?", pc_errmsg());
	w->pos.k[t] = i + 1;
	w->pos.inflight[t] = 0;
}

static void w_thread(int t, void *arg)
{
	struct wctx *w = (struct wctx *)arg;
	for (int i = 0; i < w->s->nops; i++)
		w_op(w, t, i);
}

/* A fresh file name in the test directory, owned by P (testutil.h: it is
 * removed when P exits or dies, whatever becomes of the process that
 * writes it). */
static void name_file(char *buf, const cr_scenario *s, const char *what,
		      const char *ext)
{
	char tag[160];
	(void)snprintf(tag, sizeof(tag), "crash-%s-%s", s->name, what);
	const char *path = tu_path_ext(tag, ext);
	if (strlen(path) >= PATH_LEN) {
		fprintf(stderr, "crash: path too long: %s\n", path);
		abort();
	}
	memcpy(buf, path, strlen(path) + 1);
}

/* Name the durable image and dirty-word files of a tracked process (in P,
 * before the fork). */
static void w_paths(struct wctx *w, const char *tag)
{
	char what[32];
	(void)snprintf(what, sizeof(what), "%s-dur", tag);
	name_file(w->dpath, w->s, what, "pool");
	(void)snprintf(what, sizeof(what), "%s-dirty", tag);
	name_file(w->lpath, w->s, what, "bin");
}

static void w_done(struct wctx *w)
{
	struct cr_req q;
	memset(&q, 0, sizeof(q));
	q.type = REQ_DONE;
	q.fences_total = cr_track_fences();
	q.switches = cr_sched_switches();
	cr_track_set_hook(NULL, NULL);
	cr_track_stop();
	(void)unlink(w->dpath);
	(void)unlink(w->lpath);
	w_send(w, &q);
}

static void workload(struct wctx *w, const char *pool_path)
{
	const cr_scenario *s = w->s;
	pc_pool *pool = NULL;
	size_t size = s->pool_size ? s->pool_size : PC_POOL_MIN_SIZE;
	g_w = w;
	cr_op_kind_hook(w_kind);
	if (pc_pool_create(pool_path, size, &pool) != PC_OK)
		w_fail(w, "%s: create: %s", pool_path, pc_errmsg());
	if (s->setup && s->setup(pool) != PC_OK)
		w_fail(w, "%s: setup: %s", s->name, pc_errmsg());
	if (pc_pool_close(pool) != PC_OK)
		w_fail(w, "%s: close: %s", s->name, pc_errmsg());
	if (pc_pool_open(pool_path, &pool) != PC_OK)
		w_fail(w, "%s: open: %s", pool_path, pc_errmsg());
	if (cr_track_start(pool->base, pool->size) != 0)
		w_fail(w, "%s: out of memory", s->name);
	w->pool = pool;
	mark_pmemobj_runtime();
	cr_volatile_ranges(pool, cr_track_volatile);
	cr_track_set_hook(w_hook, w);
	if (s->nthreads > 1) {
		uint64_t seed = w->o->seed ^ cr_val(0x7468726473ull, 1);
		for (const char *c = s->name; *c; c++)
			seed = seed * 31 + (unsigned char)*c;
		if (cr_mt_run(s->nthreads, w_thread, w, seed,
			      w->o->switch_every) != 0)
			w_fail(w, "%s: cannot start %d threads", s->name,
			       s->nthreads);
	} else {
		w_thread(0, w);
	}
	if (!w->counting)
		w_crash_here(w, cr_track_fences(), 1); /* after the last op */
	w_done(w);
	if (pc_pool_close(pool) != PC_OK)
		w_fail(w, "%s: close after the last operation: %s", s->name,
		       pc_errmsg());
	(void)unlink(pool_path);
	_exit(0);
}

/* C: recover the image at path under tracking (pc_pool_open, the
 * containers' opening and checks, the oracle), crashing at the selected
 * fence points; exits 0 after a correct recovery. */
static void recovery(struct wctx *w, const char *path)
{
	const cr_scenario *s = w->s;
	g_w = w;
	cr_op_kind_hook(w_kind);
	if (cr_track_arm_file(path) != 0)
		w_fail(w, "%s: cannot track the recovery of %s", s->name, path);
	mark_pmemobj_runtime();
	cr_track_set_hook(w_hook, w);
	pc_pool *pool = NULL;
	if (pc_pool_open(path, &pool) != PC_OK)
		w_fail(w, "recovery: pc_pool_open: %s", pc_errmsg());
	w->pool = pool;
	char why[1024];
	int r = cr_verify(s, pool, &w->pos, NULL, why, sizeof(why));
	w_done(w);
	(void)pc_pool_close(pool);
	if (r == CR_BAD)
		w_fail(w, "recovery: %s", why);
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* P: crash images and checkers                                         */
/* ------------------------------------------------------------------ */

/* One crash image: which dirty words of the point are on the media. */
struct img {
	char kind;         /* a b S M O L W */
	unsigned char *on; /* bit per dirty word */
};

/* The dirty words of one point, grouped in lines. */
struct point {
	const struct cr_req *q;
	uint64_t *words; /* offset, value pairs */
	size_t nw;
	size_t *line_first; /* first word of line j; line_first[nl] = nw */
	size_t nl;
	struct img *img;
	size_t nimg, icap;
};

struct pctx {
	const cr_scenario *s;
	const cr_opts *o;
	cr_result *r;
	uint64_t rng;
	double t0;
	int stop;
	pid_t wpid; /* the workload */
	struct {
		pid_t pid;
		int to, from;
		int busy;
		size_t img; /* the image it checks */
		int jobs;
	} srv[MAX_JOBS];
	char imgpath[MAX_JOBS][PATH_LEN];
};

static void point_free(struct point *pt)
{
	for (size_t i = 0; i < pt->nimg; i++)
		free(pt->img[i].on);
	free(pt->img);
	free(pt->words);
	free(pt->line_first);
	memset(pt, 0, sizeof(*pt));
}

static int point_load(struct point *pt, const struct cr_req *q)
{
	memset(pt, 0, sizeof(*pt));
	pt->q = q;
	pt->nw = q->ndirty;
	pt->words = (uint64_t *)malloc((pt->nw + 1) * 2 * sizeof(uint64_t));
	pt->line_first = (size_t *)malloc((pt->nw + 1) * sizeof(size_t));
	if (!pt->words || !pt->line_first)
		return -1;
	if (pt->nw) {
		int fd = open(q->lpath, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		int r = read_all(fd, pt->words, pt->nw * 2 * sizeof(uint64_t));
		close(fd);
		if (r != 1)
			return -1;
	}
	uint64_t cur = UINT64_MAX;
	for (size_t i = 0; i < pt->nw; i++) {
		uint64_t l = pt->words[2 * i] / LINE;
		if (l != cur) {
			pt->line_first[pt->nl++] = i;
			cur = l;
		}
	}
	pt->line_first[pt->nl] = pt->nw;
	return 0;
}

static size_t bits_bytes(size_t n)
{
	return (n + 7) / 8;
}

/* Add an image (takes ownership of on, or makes an empty one when NULL);
 * skips an image equal to one already there. */
static void img_add(struct point *pt, char kind, unsigned char *on)
{
	size_t nb = bits_bytes(pt->nw);
	if (!on) {
		on = (unsigned char *)calloc(nb ? nb : 1, 1);
		if (!on)
			abort();
	}
	for (size_t i = 0; i < pt->nimg; i++)
		if (memcmp(pt->img[i].on, on, nb) == 0) {
			free(on);
			return;
		}
	if (pt->nimg == pt->icap) {
		size_t nc = pt->icap ? pt->icap * 2 : 16;
		struct img *ni =
			(struct img *)realloc(pt->img, nc * sizeof(*ni));
		if (!ni)
			abort();
		pt->img = ni;
		pt->icap = nc;
	}
	pt->img[pt->nimg].kind = kind;
	pt->img[pt->nimg].on = on;
	pt->nimg++;
}

static unsigned char *bits_new(const struct point *pt)
{
	unsigned char *b = (unsigned char *)calloc(
		bits_bytes(pt->nw) ? bits_bytes(pt->nw) : 1, 1);
	if (!b)
		abort();
	return b;
}

static void set_line(const struct point *pt, unsigned char *b, size_t j, int on)
{
	for (size_t i = pt->line_first[j]; i < pt->line_first[j + 1]; i++) {
		if (on)
			b[i >> 3] |= (unsigned char)(1u << (i & 7));
		else
			b[i >> 3] &= (unsigned char)~(1u << (i & 7));
	}
}

/* Draw k distinct line indexes of n into out (k <= n). */
static void draw(uint64_t *rng, size_t n, size_t k, size_t *out)
{
	size_t *all = (size_t *)malloc(n * sizeof(size_t));
	if (!all)
		abort();
	for (size_t i = 0; i < n; i++)
		all[i] = i;
	for (size_t i = 0; i < k; i++) {
		size_t j = i + (size_t)(mix(rng) % (n - i));
		size_t t = all[i];
		all[i] = all[j];
		all[j] = t;
		out[i] = all[i];
	}
	free(all);
}

/* The images of a point (see sim.h). */
static void point_images(struct pctx *p, struct point *pt)
{
	const cr_opts *o = p->o;
	size_t n = pt->nl;
	img_add(pt, 'a', NULL);
	if (n == 0)
		return;
	unsigned char *all = bits_new(pt);
	for (size_t j = 0; j < n; j++)
		set_line(pt, all, j, 1);
	img_add(pt, 'b', all);
	if (n <= (size_t)o->exhaustive_max) {
		for (uint64_t m = 1; m + 1 < (1ull << n); m++) {
			unsigned char *b = bits_new(pt);
			for (size_t j = 0; j < n; j++)
				if ((m >> j) & 1)
					set_line(pt, b, j, 1);
			img_add(pt, 'S', b);
		}
		p->r->exhaustive++;
	} else {
		size_t k = o->max_one > 0 && (size_t)o->max_one < n
				   ? (size_t)o->max_one
				   : n;
		size_t *pick = (size_t *)malloc(n * sizeof(size_t));
		if (!pick)
			abort();
		draw(&p->rng, n, k, pick);
		for (size_t i = 0; i < k; i++) {
			unsigned char *b = bits_new(pt);
			for (size_t j = 0; j < n; j++)
				set_line(pt, b, j, j != pick[i]);
			img_add(pt, 'M', b);
		}
		draw(&p->rng, n, k, pick);
		for (size_t i = 0; i < k; i++) {
			unsigned char *b = bits_new(pt);
			set_line(pt, b, pick[i], 1);
			img_add(pt, 'O', b);
		}
		free(pick);
		for (int r = 0; r < o->nrandom; r++) {
			unsigned char *b = bits_new(pt);
			for (size_t j = 0; j < n; j++)
				if (mix(&p->rng) & 1)
					set_line(pt, b, j, 1);
			img_add(pt, 'L', b);
		}
	}
	/* Word subsets: a line whose words reach the media in part. */
	if (pt->nw > pt->nl) {
		for (int r = 0; r < o->nrandom; r++) {
			unsigned char *b = bits_new(pt);
			for (size_t i = 0; i < pt->nw; i++)
				if (mix(&p->rng) & 1)
					b[i >> 3] |=
						(unsigned char)(1u << (i & 7));
			img_add(pt, 'W', b);
		}
	}
}

/* Describe image im: which dirty lines it has. */
static void img_describe(const struct point *pt, const struct img *im,
			 char *buf, size_t n)
{
	size_t on = 0, part = 0, used = 0;
	char lines[1024] = "";
	for (size_t j = 0; j < pt->nl; j++) {
		size_t a = pt->line_first[j], b = pt->line_first[j + 1], c = 0;
		for (size_t i = a; i < b; i++)
			c += (im->on[i >> 3] >> (i & 7)) & 1;
		on += c == b - a;
		part += c && c < b - a;
		if (j < MAX_LINES0 && used < sizeof(lines) - 40) {
			int w = snprintf(lines + used, sizeof(lines) - used,
					 " %c0x%llx",
					 c == 0       ? '-'
					 : c == b - a ? '+'
						      : '~',
					 (unsigned long long)(pt->words[2 * a] &
							      ~(uint64_t)63));
			if (w > 0)
				used += (size_t)w;
		}
	}
	(void)snprintf(buf, n,
		       "image %c: %zu of %zu dirty lines on the media (%zu in "
		       "part); lines (+ on, - lost, ~ part):%s%s",
		       im->kind, on, pt->nl, part, lines,
		       pt->nl > MAX_LINES0 ? " ..." : "");
}

static void note_failure(struct pctx *p, const struct point *pt,
			 const struct img *im, const char *why,
			 const char *where)
{
	cr_result *r = p->r;
	const struct cr_req *q = pt->q;
	r->failures++;
	char desc[1400];
	img_describe(pt, im, desc, sizeof(desc));
	char at[160] = "";
	size_t used = 0;
	for (int t = 0; t < cr_nthreads(p->s); t++) {
		int w = snprintf(at + used, sizeof(at) - used, "%s%d%s",
				 t ? "," : "", q->pos.k[t],
				 q->pos.inflight[t] ? "+" : "");
		if (w > 0 && (size_t)w < sizeof(at) - used)
			used += (size_t)w;
	}
	if (!r->first_failure[0])
		(void)snprintf(
			r->first_failure, sizeof(r->first_failure),
			"%.30s fence %llu (thread %d, operations done "
			"%.100s, '%.31s' fence %d), %.900s: %.1000s\n  "
			"replay: PCOLL_CRASH_SEED=0x%llx "
			"PCOLL_CRASH_FENCE=%llu PCOLL_CRASH_KEEP=1 %.500s",
			where, (unsigned long long)q->fence, q->thread, at,
			q->kind[0] ? q->kind : "?", q->ord, desc, why,
			(unsigned long long)p->o->seed,
			(unsigned long long)q->fence, p->o->replay);
	if (!p->o->quiet && r->failures <= 5)
		fprintf(stderr,
			"crash[%s]: FAIL %s fence %llu (ops %s, '%s'), %s: "
			"%s\n",
			p->s->name, where, (unsigned long long)q->fence, at,
			q->kind[0] ? q->kind : "?", desc, why);
	if (p->o->stop_at_first)
		p->stop = 1;
}

/* ------------------------------------------------------------------ */
/* Checker servers                                                      */
/* ------------------------------------------------------------------ */

/*
 * A checker is a long-lived process forked from P that checks one image
 * after another: libpmemobj's open costs about a sixth in a process that
 * has opened pools before (its allocations no longer fault and copy pages
 * inherited from P). An image that crashes or hangs its checker (the
 * alarm) fails; P then starts a new one. Checkers restart every
 * SRV_JOBS images to bound what a leak could pile up.
 */
#define SRV_JOBS 400

struct cjob {
	int pmemobj_check;
	int continue_ops;
	cr_pos pos;
	uint64_t nwords;
	char dpath[PATH_LEN];
	char img[PATH_LEN];
};

struct cres {
	int res;
	char why[2048];
};

/* Copy the durable image dpath to path and write the words given. */
static int build_image(const char *dpath, const uint64_t *words, size_t nw,
		       const char *path)
{
	int in = open(dpath, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	int out = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return -1;
	}
	struct stat st;
	int r = fstat(in, &st);
	if (r == 0)
		r = ftruncate(out, st.st_size);
	/* Copy the data extents only: holes stay holes. */
	off_t pos = 0;
	while (r == 0 && pos < st.st_size) {
		off_t d = lseek(in, pos, SEEK_DATA);
		if (d < 0)
			break; /* no data after pos */
		off_t h = lseek(in, d, SEEK_HOLE);
		if (h < 0)
			h = st.st_size;
		loff_t src = d, dst = d;
		size_t left = (size_t)(h - d);
		while (left > 0) {
			ssize_t c =
				copy_file_range(in, &src, out, &dst, left, 0);
			if (c <= 0) {
				r = -1;
				break;
			}
			left -= (size_t)c;
		}
		pos = h;
	}
	for (size_t i = 0; r == 0 && i < nw; i++)
		if (pwrite(out, &words[2 * i + 1], 8, (off_t)words[2 * i]) != 8)
			r = -1;
	close(in);
	if (close(out) != 0)
		r = -1;
	return r;
}

/* The words of image im (offset, value pairs); returns their number. */
static size_t img_words(const struct point *pt, const struct img *im,
			uint64_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < pt->nw; i++)
		if ((im->on[i >> 3] >> (i & 7)) & 1) {
			out[2 * n] = pt->words[2 * i];
			out[2 * n + 1] = pt->words[2 * i + 1];
			n++;
		}
	return n;
}

static void server_main(const cr_scenario *s, int in, int out)
{
	struct cjob j;
	uint64_t *words = NULL;
	size_t cap = 0;
	while (read_all(in, &j, sizeof(j)) == 1) {
		if (j.nwords > cap) {
			cap = (size_t)j.nwords;
			words = (uint64_t *)realloc(words,
						    cap * 2 * sizeof(uint64_t));
			if (!words)
				_exit(90);
		}
		if (j.nwords &&
		    read_all(in, words, j.nwords * 2 * sizeof(uint64_t)) != 1)
			_exit(93);
		struct cres res;
		memset(&res, 0, sizeof(res));
		res.res = CR_BAD;
		alarm(120);
		if (build_image(j.dpath, words, (size_t)j.nwords, j.img) != 0) {
			(void)snprintf(res.why, sizeof(res.why),
				       "cannot write image %s", j.img);
		} else {
			cr_check_opts co;
			co.pmemobj_check = j.pmemobj_check;
			co.continue_ops = j.continue_ops;
			res.res = cr_check_image(s, j.img, &j.pos, &co, res.why,
						 sizeof(res.why));
		}
		alarm(0);
		if (cr_write_all(out, &res, sizeof(res)) != 0)
			_exit(92);
	}
	_exit(0);
}

static struct pctx *g_p; /* for closing the checkers' pipes in children */

static void close_servers(const struct pctx *p)
{
	for (int i = 0; p && i < MAX_JOBS; i++)
		if (p->srv[i].pid > 0) {
			close(p->srv[i].to);
			close(p->srv[i].from);
		}
}

static int server_start(struct pctx *p, int i)
{
	int a[2], b[2];
	if (pipe(a) != 0)
		return -1;
	if (pipe(b) != 0) {
		close(a[0]);
		close(a[1]);
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close_servers(p);
		close(a[1]);
		close(b[0]);
		server_main(p->s, a[0], b[1]);
	}
	close(a[0]);
	close(b[1]);
	p->srv[i].pid = pid;
	p->srv[i].to = a[1];
	p->srv[i].from = b[0];
	p->srv[i].busy = 0;
	p->srv[i].jobs = 0;
	return 0;
}

/* Stop checker i; returns its wait status. */
static int server_stop(struct pctx *p, int i)
{
	int st = 0;
	if (p->srv[i].pid <= 0)
		return 0;
	close(p->srv[i].to);
	close(p->srv[i].from);
	while (waitpid(p->srv[i].pid, &st, 0) < 0 && errno == EINTR)
		;
	p->srv[i].pid = 0;
	return st;
}

static void servers_stop(struct pctx *p)
{
	for (int i = 0; i < MAX_JOBS; i++)
		if (p->srv[i].pid > 0)
			close(p->srv[i].to);
	for (int i = 0; i < MAX_JOBS; i++)
		if (p->srv[i].pid > 0) {
			p->srv[i].to = -1;
			close(p->srv[i].from);
			while (waitpid(p->srv[i].pid, NULL, 0) < 0 &&
			       errno == EINTR)
				;
			p->srv[i].pid = 0;
		}
}

static void job_done(struct pctx *p, struct point *pt, size_t im,
		     const struct cres *res, int slot, const char *where,
		     int recovered)
{
	p->r->images++;
	p->r->rec_images += recovered;
	if (res->res == CR_STATE_K)
		p->r->at_k++;
	else if (res->res == CR_STATE_K1)
		p->r->at_k1++;
	else
		note_failure(p, pt, &pt->img[im], res->why, where);
	if (res->res == CR_BAD && p->o->keep) {
		/* Kept under its own name, outside testutil.h's clean-up: the
		 * next image reuses this one's path. */
		char kept[TU_PATH_MAX + 160];
		(void)snprintf(kept, sizeof(kept),
			       "%s/pcoll-crash-kept-%s-%ld-fence%llu.%zu.pool",
			       tu_dir(), p->s->name, (long)getpid(),
			       (unsigned long long)pt->q->fence, im);
		/* The checker changed it (recovery, continuation): keep the
		 * image as it was at the crash. */
		uint64_t *words =
			(uint64_t *)malloc((pt->nw + 1) * 2 * sizeof(uint64_t));
		if (!words)
			abort();
		size_t nw = img_words(pt, &pt->img[im], words);
		if (build_image(pt->q->dpath, words, nw, kept) == 0)
			fprintf(stderr,
				"crash[%s]: failing image kept (as at the "
				"crash): %s\n",
				p->s->name, kept);
		free(words);
	}
	(void)unlink(p->imgpath[slot]);
}

/* Collect the result of busy checker i (its death is the image's
 * failure). */
static void server_collect(struct pctx *p, struct point *pt, int i,
			   const char *where, int recovered)
{
	struct cres res;
	if (read_all(p->srv[i].from, &res, sizeof(res)) != 1) {
		int st = server_stop(p, i);
		memset(&res, 0, sizeof(res));
		res.res = CR_BAD;
		if (WIFSIGNALED(st))
			(void)snprintf(
				res.why, sizeof(res.why),
				"checker killed by signal %d%s", WTERMSIG(st),
				WTERMSIG(st) == SIGALRM ? " (hang)" : "");
		else
			(void)snprintf(res.why, sizeof(res.why),
				       "checker exited with status %d",
				       WEXITSTATUS(st));
	}
	res.why[sizeof(res.why) - 1] = '\0';
	p->srv[i].busy = 0;
	job_done(p, pt, p->srv[i].img, &res, i, where, recovered);
	if (p->srv[i].pid > 0 && ++p->srv[i].jobs >= SRV_JOBS)
		(void)server_stop(p, i);
}

/* Check every image of the point, p->o->jobs checkers at a time. */
static void check_images(struct pctx *p, struct point *pt, const char *where,
			 int recovered)
{
	int jmax = p->o->jobs;
	uint64_t *words =
		(uint64_t *)malloc((pt->nw + 1) * 2 * sizeof(uint64_t));
	if (!words)
		abort();
	size_t next = 0;
	for (;;) {
		int nbusy = 0, idle = -1;
		for (int i = 0; i < jmax; i++) {
			if (p->srv[i].pid > 0 && p->srv[i].busy)
				nbusy++;
			else if (idle < 0)
				idle = i;
		}
		if (next < pt->nimg && idle >= 0 && !p->stop) {
			if (p->srv[idle].pid <= 0 && server_start(p, idle) != 0)
				break;
			struct cjob j;
			memset(&j, 0, sizeof(j));
			const struct img *im = &pt->img[next];
			j.pmemobj_check = p->o->pmemobj_check ||
					  im->kind == 'a' || im->kind == 'b';
			j.continue_ops = p->o->continue_ops;
			j.pos = pt->q->pos;
			j.nwords = img_words(pt, im, words);
			memcpy(j.dpath, pt->q->dpath, sizeof(j.dpath));
			memcpy(j.img, p->imgpath[idle], sizeof(j.img));
			if (cr_write_all(p->srv[idle].to, &j, sizeof(j)) != 0 ||
			    (j.nwords &&
			     cr_write_all(p->srv[idle].to, words,
					  (size_t)j.nwords * 2 *
						  sizeof(uint64_t)) != 0)) {
				/* Dead already: the read below reports it. */
			}
			p->srv[idle].busy = 1;
			p->srv[idle].img = next++;
			continue;
		}
		if (nbusy == 0)
			break;
		struct pollfd fds[MAX_JOBS];
		int who[MAX_JOBS], nf = 0;
		for (int i = 0; i < jmax; i++)
			if (p->srv[i].pid > 0 && p->srv[i].busy) {
				fds[nf].fd = p->srv[i].from;
				fds[nf].events = POLLIN;
				fds[nf].revents = 0;
				who[nf++] = i;
			}
		if (poll(fds, (nfds_t)nf, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int f = 0; f < nf; f++)
			if (fds[f].revents)
				server_collect(p, pt, who[f], where, recovered);
	}
	free(words);
}

/* Fork a tracked process running fn; *req_rd and *ack_wr get P's ends. */
static pid_t start_tracked(struct wctx *w, int *req_rd, int *ack_wr,
			   void (*fn)(struct wctx *, const char *),
			   const char *arg)
{
	int req[2], ack[2];
	if (pipe(req) != 0)
		return -1;
	if (pipe(ack) != 0) {
		close(req[0]);
		close(req[1]);
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close_servers(g_p);
		close(req[0]);
		close(ack[1]);
		w->req_fd = req[1];
		w->ack_fd = ack[0];
		fn(w, arg);
		_exit(0);
	}
	close(req[1]);
	close(ack[0]);
	*req_rd = req[0];
	*ack_wr = ack[1];
	return pid;
}

static int wait_pid(pid_t pid, char *err, size_t n)
{
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (!err[0])
		(void)snprintf(err, n, "tracked process ended with %s %d",
			       WIFEXITED(st) ? "status" : "signal",
			       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return -1;
}

/* Count the fence points of a tracked process (dry run); returns their
 * records (REQ_INFO messages), *n of them, or NULL with err set. */
static struct cr_req *dry_run(struct wctx *w,
			      void (*fn)(struct wctx *, const char *),
			      const char *arg, size_t *n, char *err, size_t en)
{
	int req_rd, ack_wr;
	w->counting = 1;
	pid_t pid = start_tracked(w, &req_rd, &ack_wr, fn, arg);
	w->counting = 0;
	*n = 0;
	if (pid < 0) {
		(void)snprintf(err, en, "fork: %s", strerror(errno));
		return NULL;
	}
	size_t cap = 256;
	struct cr_req *info = (struct cr_req *)malloc(cap * sizeof(*info));
	struct cr_req q;
	while (info && read_all(req_rd, &q, sizeof(q)) == 1) {
		if (q.type == REQ_ERROR)
			(void)snprintf(err, en, "%s", q.msg);
		if (q.type != REQ_INFO)
			continue;
		if (*n == cap) {
			cap *= 2;
			struct cr_req *ni = (struct cr_req *)realloc(
				info, cap * sizeof(*info));
			if (!ni) {
				free(info);
				info = NULL;
				break;
			}
			info = ni;
		}
		info[(*n)++] = q;
	}
	close(req_rd);
	close(ack_wr);
	if (wait_pid(pid, err, en) != 0 || !info) {
		free(info);
		return NULL;
	}
	return info;
}

static void sel_set(unsigned char *sel, uint64_t i)
{
	sel[i >> 3] |= (unsigned char)(1u << (i & 7));
}

static int sel_has(const unsigned char *sel, uint64_t i)
{
	return (sel[i >> 3] >> (i & 7)) & 1;
}

/* Images point_images() makes for a point with this many dirty lines
 * (an upper bound: equal images are dropped). */
static double point_cost(const cr_opts *o, uint64_t lines)
{
	if (lines == 0)
		return 1;
	double c;
	if (lines <= (uint64_t)o->exhaustive_max) {
		c = (double)(1ull << lines);
	} else {
		uint64_t k = o->max_one > 0 && (uint64_t)o->max_one < lines
				     ? (uint64_t)o->max_one
				     : lines;
		c = 2.0 + 2.0 * (double)k + o->nrandom;
	}
	return c + o->nrandom; /* the W images */
}

/* Number the classes of points under eq(); cls[i] gets point i's class;
 * returns the number of classes. */
static size_t classify(const struct cr_req *info, size_t n, size_t *cls,
		       int (*eq)(const struct cr_req *, const struct cr_req *))
{
	size_t nc = 0;
	for (size_t i = 0; i < n; i++) {
		cls[i] = SIZE_MAX;
		for (size_t j = 0; j < i && cls[i] == SIZE_MAX; j++)
			if (eq(&info[i], &info[j]))
				cls[i] = cls[j];
		if (cls[i] == SIZE_MAX)
			cls[i] = nc++;
	}
	return nc;
}

static int eq_kind(const struct cr_req *a, const struct cr_req *b)
{
	return strcmp(a->kind, b->kind) == 0;
}

static int eq_kind_ord(const struct cr_req *a, const struct cr_req *b)
{
	return a->ord == b->ord && strcmp(a->kind, b->kind) == 0;
}

static int eq_site(const struct cr_req *a, const struct cr_req *b)
{
	return a->site == b->site;
}

struct chooser {
	struct pctx *p;
	const struct cr_req *info;
	size_t n;
	unsigned char *sel;
	double spent, budget;
};

static void choose(struct chooser *c, size_t i)
{
	if (sel_has(c->sel, c->info[i].fence))
		return;
	sel_set(c->sel, c->info[i].fence);
	c->spent += point_cost(c->p->o, c->info[i].ndirty);
}

/* One point of each class in cls (classes in random order) not covered
 * yet: the cheaper of two random members, or the cheapest member when
 * that one does not fit in the budget (none when even it does not fit,
 * unless force). Returns the classes covered. */
static size_t cover(struct chooser *c, const size_t *cls, size_t nc, int force)
{
	size_t n = c->n, hit = 0;
	size_t *order = (size_t *)malloc((nc + 1) * sizeof(size_t));
	size_t *mem = (size_t *)malloc((n + 1) * sizeof(size_t));
	if (!order || !mem)
		abort();
	draw(&c->p->rng, nc, nc, order);
	for (size_t k = 0; k < nc; k++) {
		size_t m = 0, cheap = SIZE_MAX;
		int covered = 0;
		for (size_t i = 0; i < n; i++) {
			if (cls[i] != order[k])
				continue;
			mem[m++] = i;
			covered |= sel_has(c->sel, c->info[i].fence);
			if (cheap == SIZE_MAX ||
			    c->info[i].ndirty < c->info[cheap].ndirty)
				cheap = i;
		}
		if (covered) {
			hit++;
			continue;
		}
		/* The cheaper of two random members: the budget reaches more
		 * strata, and expensive points still come up. */
		size_t i = mem[mix(&c->p->rng) % m];
		size_t i2 = mem[mix(&c->p->rng) % m];
		if (c->info[i2].ndirty < c->info[i].ndirty)
			i = i2;
		const cr_opts *o = c->p->o;
		if (!force &&
		    c->spent + point_cost(o, c->info[i].ndirty) > c->budget)
			i = cheap;
		if (force ||
		    c->spent + point_cost(o, c->info[i].ndirty) <= c->budget) {
			choose(c, i);
			hit++;
		}
	}
	free(order);
	free(mem);
	return hit;
}

/* Stratified choice over the dry run's points (see sim.h). */
static unsigned char *select_points(struct pctx *p, const struct cr_req *info,
				    size_t n, cr_result *r)
{
	struct chooser c;
	c.p = p;
	c.info = info;
	c.n = n;
	c.sel = (unsigned char *)calloc(n / 8 + 1, 1);
	c.spent = 0;
	c.budget = p->o->images > 0 ? (double)p->o->images : 1e300;
	size_t *cls = (size_t *)malloc((n + 1) * sizeof(size_t));
	if (!c.sel || !cls)
		abort();
	/* Every kind of operation, whatever the budget. */
	size_t nc = classify(info, n, cls, eq_kind);
	(void)cover(&c, cls, nc, 1);
	/* Then each (kind, fence ordinal) stratum, then each call site. */
	for (int round = 0; round < p->o->per_stratum; round++) {
		nc = classify(info, n, cls, eq_kind_ord);
		size_t hit = cover(&c, cls, nc, 0);
		if (round == 0) {
			r->strata = nc;
			r->strata_hit = hit;
		}
	}
	nc = classify(info, n, cls, eq_site);
	(void)cover(&c, cls, nc, 0);
	for (int e = 0; e < p->o->extra && n > 0; e++) {
		size_t i = (size_t)(mix(&p->rng) % n);
		if (c.spent + point_cost(p->o, info[i].ndirty) <= c.budget)
			choose(&c, i);
	}
	free(cls);
	return c.sel;
}

static void serve(struct pctx *p, struct wctx *w, int req_rd, int ack_wr,
		  int nested);

/* PCOLL_CRASH_DEBUG=1: each checked point's dirty lines (offset/words,
 * with the first word's durable and live value). */
static void point_print(const struct point *pt)
{
	const struct cr_req *q = pt->q;
	fprintf(stderr, "point %llu '%s' fence %d, %zu dirty lines:",
		(unsigned long long)q->fence, q->kind, q->ord, pt->nl);
	int fd = open(q->dpath, O_RDONLY | O_CLOEXEC);
	for (size_t j = 0; j < pt->nl; j++) {
		size_t w0 = pt->line_first[j];
		uint64_t dv = 0;
		if (fd < 0 || pread(fd, &dv, 8, (off_t)pt->words[2 * w0]) != 8)
			dv = 0;
		fprintf(stderr, " 0x%llx/%zu(%llx->%llx)",
			(unsigned long long)pt->words[2 * w0],
			pt->line_first[j + 1] - w0, (unsigned long long)dv,
			(unsigned long long)pt->words[2 * w0 + 1]);
	}
	if (fd >= 0)
		close(fd);
	fprintf(stderr, "\n");
}

/* Recover image im of point pt under tracking, crash that recovery at
 * some of its fence points and check those images. */
static void recovery_crash(struct pctx *p, struct point *pt, size_t im)
{
	char path[PATH_LEN];
	name_file(path, p->s, "rec", "pool");
	uint64_t *words =
		(uint64_t *)malloc((pt->nw + 1) * 2 * sizeof(uint64_t));
	if (!words)
		abort();
	size_t nw = img_words(pt, &pt->img[im], words);
	int built = build_image(pt->q->dpath, words, nw, path);
	free(words);
	if (built != 0)
		return;
	struct wctx w;
	memset(&w, 0, sizeof(w));
	w.s = p->s;
	w.o = p->o;
	w.pos = pt->q->pos;
	w_paths(&w, "r");
	char err[512] = "";
	size_t n = 0;
	struct cr_req *info = dry_run(&w, recovery, path, &n, err, sizeof(err));
	if (!info) {
		/* The plain checker already judged this image; a recovery
		 * that fails here fails there too. */
		(void)unlink(path);
		return;
	}
	unsigned char *sel = (unsigned char *)calloc(n / 8 + 1, 1);
	if (!sel)
		abort();
	size_t want =
		p->o->recovery_points > 0 && (size_t)p->o->recovery_points < n
			? (size_t)p->o->recovery_points
			: n;
	size_t *pick = (size_t *)malloc((n + 1) * sizeof(size_t));
	if (!pick)
		abort();
	draw(&p->rng, n, want, pick);
	for (size_t i = 0; i < want; i++)
		sel_set(sel, pick[i]);
	free(pick);
	free(info);
	w.sel = sel;
	w.nsel = n;
	int req_rd, ack_wr;
	pid_t pid = start_tracked(&w, &req_rd, &ack_wr, recovery, path);
	if (pid >= 0) {
		serve(p, &w, req_rd, ack_wr, 1);
		(void)wait_pid(pid, err, sizeof(err));
	}
	free(sel);
	(void)unlink(path);
}

/* Handle the requests of one tracked process until it is done. */
static void serve(struct pctx *p, struct wctx *w, int req_rd, int ack_wr,
		  int nested)
{
	cr_result *r = p->r;
	struct cr_req q;
	(void)w;
	while (read_all(req_rd, &q, sizeof(q)) == 1) {
		if (q.type == REQ_DONE) {
			if (!nested) {
				r->fences = q.fences_total;
				r->switches = q.switches;
			}
			continue;
		}
		if (q.type == REQ_ERROR) {
			(void)snprintf(r->error, sizeof(r->error), "%s%s",
				       nested ? "recovery under test: " : "",
				       q.msg);
			r->harness_error = 1;
			continue;
		}
		if (q.type != REQ_POINT)
			continue;
		if (nested)
			r->rec_crashes++;
		else
			r->tried++;
		int ack = 1;
		if (q.same) {
			r->same += !nested;
		} else {
			struct point pt;
			if (point_load(&pt, &q) != 0) {
				(void)snprintf(r->error, sizeof(r->error),
					       "cannot read %s", q.lpath);
				r->harness_error = 1;
				ack = 0;
			} else {
				if (pt.nl > r->max_lines)
					r->max_lines = pt.nl;
				if (p->o->debug)
					point_print(&pt);
				point_images(p, &pt);
				check_images(p, &pt,
					     nested ? "recovery crashed at"
						    : "at",
					     nested);
				if (!nested && !p->stop &&
				    p->o->recovery_every > 0 &&
				    mix(&p->rng) % (uint64_t)p->o
							    ->recovery_every ==
					    0)
					recovery_crash(p, &pt,
						       (size_t)(mix(&p->rng) %
								pt.nimg));
			}
			point_free(&pt);
		}
		if (p->stop ||
		    (p->o->budget > 0 && now_s() - p->t0 > p->o->budget))
			ack = 0;
		if (cr_write_all(ack_wr, &ack, sizeof(ack)) != 0)
			break;
	}
	close(req_rd);
	close(ack_wr);
}

int cr_run(const cr_scenario *s, const cr_opts *o, cr_result *r)
{
	memset(r, 0, sizeof(*r));
	struct pctx p;
	memset(&p, 0, sizeof(p));
	g_p = &p;
	/* A checker that died must not kill P when P writes to it. */
	struct sigaction ign, old_pipe;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &ign, &old_pipe);
	p.s = s;
	p.o = o;
	p.r = r;
	p.t0 = now_s();
	p.rng = o->seed ^ cr_val(0x6e616d65, strlen(s->name));
	for (const char *c = s->name; *c; c++)
		p.rng = p.rng * 31 + (unsigned char)*c;
	/* The pool, the images and W's files are named here, in P: they
	 * are P's to remove (testutil.h), whatever becomes of W. */
	for (int j = 0; j < MAX_JOBS; j++) {
		char what[16];
		(void)snprintf(what, sizeof(what), "img%d", j);
		name_file(p.imgpath[j], s, what, "pool");
	}
	char pool_path[PATH_LEN];
	name_file(pool_path, s, "pool", "pool");

	struct wctx w;
	memset(&w, 0, sizeof(w));
	w.s = s;
	w.o = o;
	w_paths(&w, "w");
	unsigned char *sel = NULL;
	uint64_t nsel = 0;
	if (o->only_fence >= 0) {
		nsel = (uint64_t)o->only_fence + 1;
		sel = (unsigned char *)calloc(nsel / 8 + 1, 1);
		if (sel)
			sel_set(sel, (uint64_t)o->only_fence);
	} else if (!o->full) {
		size_t n = 0;
		struct cr_req *info = dry_run(&w, workload, pool_path, &n,
					      r->error, sizeof(r->error));
		(void)unlink(pool_path);
		if (!info) {
			r->harness_error = 1;
			g_p = NULL;
			(void)sigaction(SIGPIPE, &old_pipe, NULL);
			return -1;
		}
		sel = select_points(&p, info, n, r);
		nsel = n;
		free(info);
	}
	w.sel = sel;
	w.nsel = nsel;
	int req_rd, ack_wr;
	p.wpid = start_tracked(&w, &req_rd, &ack_wr, workload, pool_path);
	if (p.wpid < 0) {
		free(sel);
		r->harness_error = 1;
		g_p = NULL;
		(void)sigaction(SIGPIPE, &old_pipe, NULL);
		return -1;
	}
	serve(&p, &w, req_rd, ack_wr, 0);
	servers_stop(&p);
	g_p = NULL;
	if (wait_pid(p.wpid, r->error, sizeof(r->error)) != 0)
		r->harness_error = 1;
	(void)sigaction(SIGPIPE, &old_pipe, NULL);
	(void)unlink(pool_path);
	free(sel);
	r->seconds = now_s() - p.t0;
	return r->harness_error ? -1 : 0;
}

void cr_report(const char *label, const cr_scenario *s, const cr_opts *o,
	       const cr_result *r)
{
	char line[1024];
	(void)snprintf(
		line, sizeof(line),
		"%s %-10s mode=%s seed=0x%llx fences=%llu strata=%llu/%llu "
		"points=%llu (same %llu) images=%llu exhaustive=%llu "
		"maxlines=%llu state_k=%llu state_k1=%llu recovery=%llu/%llu "
		"switches=%llu failures=%llu time=%.1fs%s%s\n",
		label, s->name,
		o->full              ? "full"
		: o->only_fence >= 0 ? "replay"
				     : "sample",
		(unsigned long long)o->seed, (unsigned long long)r->fences,
		(unsigned long long)r->strata_hit,
		(unsigned long long)r->strata, (unsigned long long)r->tried,
		(unsigned long long)r->same, (unsigned long long)r->images,
		(unsigned long long)r->exhaustive,
		(unsigned long long)r->max_lines, (unsigned long long)r->at_k,
		(unsigned long long)r->at_k1,
		(unsigned long long)r->rec_crashes,
		(unsigned long long)r->rec_images,
		(unsigned long long)r->switches,
		(unsigned long long)r->failures, r->seconds,
		r->error[0] ? " error: " : "", r->error);
	cr_report_line(line);
}
