/* SPDX-License-Identifier: BSD-3-Clause */
/* Power-failure simulator: the driver (see sim.h). */
#define _GNU_SOURCE
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "interpose.h"
#include "testutil.h"

#define LINE       64u
#define MAX_IMAGES 16

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

void cr_opts_default(cr_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->full = env_u64("PCOLL_CRASH_FULL", 0) != 0;
	o->sample = (int)env_u64("PCOLL_CRASH_SAMPLE", 16);
	o->nrandom = (int)env_u64("PCOLL_CRASH_RANDOM", o->full ? 4 : 2);
	if (o->nrandom > MAX_IMAGES - 2)
		o->nrandom = MAX_IMAGES - 2;
	o->seed = env_u64("PCOLL_CRASH_SEED", 0x5eedc0113c7ull);
	o->budget = o->full ? 0 : (double)env_u64("PCOLL_CRASH_BUDGET", 20);
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

/* ------------------------------------------------------------------ */
/* Workload process W                                                   */
/* ------------------------------------------------------------------ */

enum { REQ_IMAGES = 1, REQ_DONE = 2, REQ_ERROR = 3 };

struct cr_req {
	int type;
	int k;
	int allow_next;
	int nimg;
	int same;
	uint64_t fence;
	uint64_t fences_total;
	char kind[MAX_IMAGES];
	char msg[400];
};

struct wctx {
	const cr_scenario *s;
	const cr_opts *o;
	int req_fd, ack_fd;
	int cur_k;
	int counting;
	int stopped;
	const unsigned char *sel; /* bitmap of selected fence points */
	uint64_t nsel_bits;
	uint64_t rng;
	uint64_t last_sig;
	int have_sig;
	uint64_t *dirty; /* offsets of dirty 8-byte words */
	size_t ndirty, dcap;
	unsigned char *img;
	char paths[MAX_IMAGES][600];
};

static void w_collect_dirty(struct wctx *w)
{
	const unsigned char *live = cr_track_live();
	const unsigned char *dur = cr_track_durable();
	size_t size = cr_track_size();
	w->ndirty = 0;
	for (size_t off = 0; off + LINE <= size; off += LINE) {
		if (memcmp(live + off, dur + off, LINE) == 0)
			continue;
		for (size_t o = off; o < off + LINE; o += 8) {
			if (memcmp(live + o, dur + o, 8) == 0)
				continue;
			if (w->ndirty == w->dcap) {
				size_t nc = w->dcap ? w->dcap * 2 : 4096;
				uint64_t *nd = (uint64_t *)realloc(
					w->dirty, nc * sizeof(uint64_t));
				if (!nd)
					_exit(90);
				w->dirty = nd;
				w->dcap = nc;
			}
			w->dirty[w->ndirty++] = o;
		}
	}
}

static uint64_t w_signature(struct wctx *w)
{
	const unsigned char *live = cr_track_live();
	uint64_t h = 1469598103934665603ull ^ cr_track_durable_gen();
	for (size_t i = 0; i < w->ndirty; i++) {
		uint64_t v;
		memcpy(&v, live + w->dirty[i], 8);
		h = (h ^ w->dirty[i]) * 1099511628211ull;
		h = (h ^ v) * 1099511628211ull;
	}
	return h;
}

/* Write one image: durable plus the dirty words whose bit in pick is set
 * (pick NULL: all, or none when all == 0). */
static int w_write_image(struct wctx *w, const char *path,
			 const unsigned char *pick, int all)
{
	const unsigned char *live = cr_track_live();
	size_t size = cr_track_size();
	memcpy(w->img, cr_track_durable(), size);
	for (size_t i = 0; i < w->ndirty; i++) {
		int take = pick ? (pick[i >> 3] >> (i & 7)) & 1 : all;
		if (take)
			memcpy(w->img + w->dirty[i], live + w->dirty[i], 8);
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	int r = cr_write_all(fd, w->img, size);
	if (close(fd) != 0)
		r = -1;
	return r;
}

/* Choose a random subset of the dirty words, by line (whole lines) or by
 * word. Returns the number chosen. */
static size_t w_pick(struct wctx *w, unsigned char *pick, int by_line)
{
	size_t chosen = 0;
	memset(pick, 0, (w->ndirty + 7) / 8);
	uint64_t cur_line = UINT64_MAX;
	int take = 0;
	for (size_t i = 0; i < w->ndirty; i++) {
		if (by_line) {
			uint64_t l = w->dirty[i] / LINE;
			if (l != cur_line) {
				cur_line = l;
				take = (int)(mix(&w->rng) & 1);
			}
		} else {
			take = (int)(mix(&w->rng) & 1);
		}
		if (take) {
			pick[i >> 3] |= (unsigned char)(1u << (i & 7));
			chosen++;
		}
	}
	return chosen;
}

static void w_crash_here(struct wctx *w, uint64_t fence, int allow_next)
{
	struct cr_req q;
	memset(&q, 0, sizeof(q));
	q.type = REQ_IMAGES;
	q.k = w->cur_k;
	q.allow_next = allow_next;
	q.fence = fence;
	w_collect_dirty(w);
	uint64_t sig = w_signature(w);
	if (w->have_sig && sig == w->last_sig) {
		q.same = 1;
	} else {
		w->last_sig = sig;
		w->have_sig = 1;
		int n = 0;
		if (w_write_image(w, w->paths[n], NULL, 0) != 0)
			_exit(91);
		q.kind[n++] = 'a';
		if (w->ndirty > 0) {
			if (w_write_image(w, w->paths[n], NULL, 1) != 0)
				_exit(91);
			q.kind[n++] = 'b';
		}
		if (w->ndirty > 1) {
			unsigned char *pick =
				(unsigned char *)malloc((w->ndirty + 7) / 8);
			if (!pick)
				_exit(90);
			for (int j = 0; j < w->o->nrandom; j++) {
				int by_line = (j % 2) == 0;
				size_t c = 0;
				for (int t = 0; t < 4; t++) {
					c = w_pick(w, pick, by_line);
					if (c > 0 && c < w->ndirty)
						break;
				}
				if (c == 0 || c == w->ndirty)
					continue;
				if (w_write_image(w, w->paths[n], pick, 0) != 0)
					_exit(91);
				q.kind[n++] = by_line ? 'L' : 'W';
			}
			free(pick);
		}
		q.nimg = n;
	}
	if (cr_write_all(w->req_fd, &q, sizeof(q)) != 0)
		_exit(92);
	int ack = 0;
	if (read_all(w->ack_fd, &ack, sizeof(ack)) != 1)
		_exit(93);
	if (ack == 0)
		w->stopped = 1;
}

static void w_hook(uint64_t fence, void *arg)
{
	struct wctx *w = (struct wctx *)arg;
	if (w->counting || w->stopped)
		return;
	if (!w->o->full) {
		if (fence >= w->nsel_bits ||
		    !((w->sel[fence >> 3] >> (fence & 7)) & 1))
			return;
	}
	w_crash_here(w, fence, 1);
}

static void w_fail(struct wctx *w, const char *fmt, const char *a, int i)
{
	struct cr_req q;
	memset(&q, 0, sizeof(q));
	q.type = REQ_ERROR;
	q.k = i;
	(void)snprintf(q.msg, sizeof(q.msg), fmt, a, i, pc_errmsg());
	(void)cr_write_all(w->req_fd, &q, sizeof(q));
	_exit(3);
}

static void workload(struct wctx *w, const char *pool_path)
{
	const cr_scenario *s = w->s;
	pc_pool *pool = NULL;
	size_t size = s->pool_size ? s->pool_size : PC_POOL_MIN_SIZE;
	if (pc_pool_create(pool_path, size, &pool) != PC_OK)
		w_fail(w, "%s: create %d: %s", pool_path, 0);
	if (s->setup && s->setup(pool) != PC_OK)
		w_fail(w, "%s: setup %d: %s", s->name, 0);
	if (pc_pool_close(pool) != PC_OK)
		w_fail(w, "%s: close %d: %s", s->name, 0);
	if (pc_pool_open(pool_path, &pool) != PC_OK)
		w_fail(w, "%s: open %d: %s", pool_path, 0);
	w->img = (unsigned char *)malloc(pool->size);
	if (!w->img || cr_track_start(pool->base, pool->size) != 0)
		w_fail(w, "%s: out of memory %d %s", s->name, 0);
	cr_track_set_hook(w_hook, w);
	for (int i = 0; i < s->nops; i++) {
		w->cur_k = i;
		if (s->op(pool, i) != PC_OK)
			w_fail(w, "%s: operation %d failed: %s", s->name, i);
	}
	w->cur_k = s->nops;
	if (!w->counting)
		w_crash_here(w, cr_track_fences(), 0); /* after the last op */
	struct cr_req q;
	memset(&q, 0, sizeof(q));
	q.type = REQ_DONE;
	q.fences_total = cr_track_fences();
	cr_track_set_hook(NULL, NULL);
	cr_track_stop();
	if (pc_pool_close(pool) != PC_OK)
		w_fail(w, "%s: close after op %d: %s", s->name, s->nops);
	(void)unlink(pool_path);
	if (cr_write_all(w->req_fd, &q, sizeof(q)) != 0)
		_exit(92);
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* Parent P                                                             */
/* ------------------------------------------------------------------ */

/* Fork W; returns its pid and the pipe ends in *req_rd / *ack_wr. */
static pid_t start_w(struct wctx *w, const char *pool_path, int *req_rd,
		     int *ack_wr)
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
		close(req[0]);
		close(ack[1]);
		w->req_fd = req[1];
		w->ack_fd = ack[0];
		workload(w, pool_path);
		_exit(0);
	}
	close(req[1]);
	close(ack[0]);
	*req_rd = req[0];
	*ack_wr = ack[1];
	return pid;
}

static int wait_w(pid_t pid, cr_result *r)
{
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (!r->error[0])
		(void)snprintf(r->error, sizeof(r->error),
			       "workload process ended with %s %d",
			       WIFEXITED(st) ? "status" : "signal",
			       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return -1;
}

int cr_run(const cr_scenario *s, const cr_opts *o, cr_result *r)
{
	memset(r, 0, sizeof(*r));
	double t0 = now_s();
	/* The pool and W's crash images are named here, in P: they are P's
	 * to remove (testutil.h), whatever becomes of W. */
	char pool_path[600], tag[120];
	(void)snprintf(tag, sizeof(tag), "crash-%s", s->name);
	(void)snprintf(pool_path, sizeof(pool_path), "%s", tu_path(tag));

	struct wctx w;
	memset(&w, 0, sizeof(w));
	for (int j = 0; j < MAX_IMAGES; j++) {
		(void)snprintf(tag, sizeof(tag), "crash-%s-img%d", s->name, j);
		(void)snprintf(w.paths[j], sizeof(w.paths[j]), "%s",
			       tu_path(tag));
	}
	w.s = s;
	w.o = o;
	w.rng = o->seed ^ cr_val(0x6e616d65, strlen(s->name));
	for (const char *c = s->name; *c; c++)
		w.rng = w.rng * 31 + (unsigned char)*c;

	unsigned char *sel = NULL;
	uint64_t dry_fences = 0;
	int req_rd, ack_wr;
	if (!o->full) {
		/* Dry run: count the fence points. */
		w.counting = 1;
		pid_t pid = start_w(&w, pool_path, &req_rd, &ack_wr);
		if (pid < 0) {
			(void)snprintf(r->error, sizeof(r->error), "fork");
			r->harness_error = 1;
			return -1;
		}
		struct cr_req q;
		while (read_all(req_rd, &q, sizeof(q)) == 1) {
			if (q.type == REQ_DONE)
				dry_fences = q.fences_total;
			else if (q.type == REQ_ERROR)
				(void)snprintf(r->error, sizeof(r->error), "%s",
					       q.msg);
		}
		close(req_rd);
		close(ack_wr);
		if (wait_w(pid, r) != 0) {
			r->harness_error = 1;
			(void)unlink(pool_path);
			return -1;
		}
		w.counting = 0;
		uint64_t want = (uint64_t)(o->sample > 0 ? o->sample : 0);
		sel = (unsigned char *)calloc(dry_fences / 8 + 1, 1);
		if (!sel) {
			r->harness_error = 1;
			return -1;
		}
		uint64_t rng = w.rng ^ 0xfeedull;
		uint64_t have = 0;
		if (want >= dry_fences) {
			for (uint64_t i = 0; i < dry_fences; i++)
				sel[i >> 3] |= (unsigned char)(1u << (i & 7));
		} else {
			while (have < want) {
				uint64_t i = mix(&rng) % dry_fences;
				if ((sel[i >> 3] >> (i & 7)) & 1)
					continue;
				sel[i >> 3] |= (unsigned char)(1u << (i & 7));
				have++;
			}
		}
		w.sel = sel;
		w.nsel_bits = dry_fences;
	}

	pid_t pid = start_w(&w, pool_path, &req_rd, &ack_wr);
	if (pid < 0) {
		free(sel);
		r->harness_error = 1;
		return -1;
	}
	double tcheck = now_s();
	struct cr_req q;
	char why[2048];
	while (read_all(req_rd, &q, sizeof(q)) == 1) {
		if (q.type == REQ_DONE) {
			r->fences = q.fences_total;
			continue;
		}
		if (q.type == REQ_ERROR) {
			(void)snprintf(r->error, sizeof(r->error), "%s", q.msg);
			r->harness_error = 1;
			continue;
		}
		r->tried++;
		if (q.same)
			r->same++;
		for (int j = 0; j < q.nimg; j++) {
			const char *path = w.paths[j];
			int res = cr_check_in_child(s, path, q.k, q.allow_next,
						    why, sizeof(why));
			(void)unlink(path);
			r->images++;
			if (res == CR_STATE_K)
				r->at_k++;
			else if (res == CR_STATE_K1)
				r->at_k1++;
			else {
				r->failures++;
				if (!r->first_failure[0])
					(void)snprintf(
						r->first_failure,
						sizeof(r->first_failure),
						"fence %llu (op %d in flight), "
						"image %c: %.1900s",
						(unsigned long long)q.fence,
						q.k, q.kind[j], why);
				if (!o->quiet && r->failures <= 5)
					fprintf(stderr,
						"crash[%s]: FAIL fence %llu op "
						"%d image %c: %s\n",
						s->name,
						(unsigned long long)q.fence,
						q.k, q.kind[j], why);
			}
		}
		int ack = 1;
		if (o->budget > 0 && now_s() - tcheck > o->budget)
			ack = 0;
		if (cr_write_all(ack_wr, &ack, sizeof(ack)) != 0)
			break;
	}
	close(req_rd);
	close(ack_wr);
	if (wait_w(pid, r) != 0)
		r->harness_error = 1;
	(void)unlink(pool_path);
	free(sel);
	if (!o->full && dry_fences != r->fences && !o->quiet)
		fprintf(stderr,
			"crash[%s]: note: dry run had %llu fence points, the "
			"crash run %llu\n",
			s->name, (unsigned long long)dry_fences,
			(unsigned long long)r->fences);
	r->seconds = now_s() - t0;
	return r->harness_error ? -1 : 0;
}

void cr_report(const char *label, const cr_scenario *s, const cr_opts *o,
	       const cr_result *r)
{
	char line[1024];
	(void)snprintf(
		line, sizeof(line),
		"%s %-14s mode=%s fences=%llu tried=%llu (same %llu) "
		"images=%llu state_k=%llu state_k1=%llu failures=%llu "
		"time=%.1fs seed=0x%llx%s%s\n",
		label, s->name, o->full ? "full" : "sample",
		(unsigned long long)r->fences, (unsigned long long)r->tried,
		(unsigned long long)r->same, (unsigned long long)r->images,
		(unsigned long long)r->at_k, (unsigned long long)r->at_k1,
		(unsigned long long)r->failures, r->seconds,
		(unsigned long long)o->seed, r->error[0] ? " error: " : "",
		r->error);
	cr_report_line(line);
}
