/* SPDX-License-Identifier: BSD-3-Clause */
/* Power-failure simulator: libpmem interposer, pcoll's persist hooks and
 * durable-image tracking. See interpose.h for the model. */
#define _GNU_SOURCE
#include "interpose.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpmem.h>

#include "crsched.h"

#define LINE  64u
#define WORDS (LINE / 8u)

/* ------------------------------------------------------------------ */
/* The real libpmem                                                     */
/* ------------------------------------------------------------------ */

typedef void (*flush_fn)(const void *, size_t);
typedef void (*drain_fn)(void);
typedef int (*msync_fn)(const void *, size_t);
typedef int (*deep_fn)(const void *, size_t);

static flush_fn real_flush;
static drain_fn real_drain;
static msync_fn real_msync;
static flush_fn real_deep_flush;
static deep_fn real_deep_drain;

/* dlsym returns an object pointer; copy it into a function pointer without
 * the cast ISO C does not define. */
static void resolve(const char *name, void *fnp, size_t fnsize)
{
	void *p = dlsym(RTLD_NEXT, name);
	if (p && fnsize == sizeof(p))
		memcpy(fnp, &p, sizeof(p));
}

static void resolve_all(void)
{
	if (real_flush)
		return;
	resolve("pmem_drain", &real_drain, sizeof(real_drain));
	resolve("pmem_msync", &real_msync, sizeof(real_msync));
	resolve("pmem_deep_flush", &real_deep_flush, sizeof(real_deep_flush));
	resolve("pmem_deep_drain", &real_deep_drain, sizeof(real_deep_drain));
	resolve("pmem_flush", &real_flush, sizeof(real_flush));
}

/* ------------------------------------------------------------------ */
/* Tracking state                                                       */
/* ------------------------------------------------------------------ */

/* One thread's pending (flushed, not fenced) words, by line: slot_of[l]
 * is 1 + the entry of line l, 0 when nothing of it is pending. */
struct pend {
	uint32_t *slot_of;
	uint32_t *line_no;
	unsigned char *snap; /* LINE bytes per entry */
	uint8_t *mask;       /* words of the line recorded */
	uint32_t *wst;       /* WORDS stamps per entry */
	size_t n, cap;
};

struct vrange {
	size_t lo, hi;
};

static struct {
	int on;
	int armed; /* durable image loaded, mapping not found yet */
	char path[PATH_MAX];
	unsigned char *base;
	size_t size;
	unsigned char *durable;
	uint32_t *dstamp; /* stamp of the flush that wrote each durable word */
	uint32_t clock;
	struct pend pend[CR_MAX_THREADS];
	uint64_t fences;
	uint64_t gen;
	cr_fence_hook hook;
	void *hook_arg;
	int in_hook;
	struct vrange *vol;
	size_t nvol, vcap;
	cr_line_observer observe;
} T;

static cr_calls C;

static void pend_free(struct pend *p)
{
	free(p->slot_of);
	free(p->line_no);
	free(p->snap);
	free(p->mask);
	free(p->wst);
	memset(p, 0, sizeof(*p));
}

void cr_track_stop(void)
{
	T.on = 0;
	T.armed = 0;
	free(T.durable);
	free(T.dstamp);
	T.durable = NULL;
	T.dstamp = NULL;
	for (int t = 0; t < CR_MAX_THREADS; t++)
		pend_free(&T.pend[t]);
	T.base = NULL;
	T.size = 0;
	T.clock = 0;
	cr_track_volatile_clear();
}

static int track_alloc(size_t size)
{
	T.durable = (unsigned char *)malloc(size);
	T.dstamp = (uint32_t *)calloc(size / 8, sizeof(uint32_t));
	if (!T.durable || !T.dstamp)
		return -1;
	T.size = size;
	T.fences = 0;
	T.gen = 0;
	T.clock = 0;
	return 0;
}

int cr_track_start(void *base, size_t size)
{
	cr_track_stop();
	size -= size % LINE;
	if (track_alloc(size) != 0) {
		cr_track_stop();
		return -1;
	}
	memcpy(T.durable, base, size);
	T.base = (unsigned char *)base;
	T.on = 1;
	return 0;
}

int cr_track_arm_file(const char *path)
{
	cr_track_stop();
	if (!realpath(path, T.path))
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || st.st_size < (off_t)LINE ||
	    track_alloc((size_t)st.st_size - (size_t)st.st_size % LINE) != 0) {
		close(fd);
		cr_track_stop();
		return -1;
	}
	size_t got = 0;
	while (got < T.size) {
		ssize_t r =
			pread(fd, T.durable + got, T.size - got, (off_t)got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != T.size) {
		cr_track_stop();
		return -1;
	}
	T.armed = 1;
	return 0;
}

/* Armed: look for the mapping of the pool file. */
static void find_mapping(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	if (!f)
		return;
	char line[PATH_MAX + 256];
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo = 0, hi = 0, off = 0;
		int name_at = 0;
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %n", &lo, &hi, &off,
			   &name_at) < 3 ||
		    name_at <= 0)
			continue;
		char *name = line + name_at;
		name[strcspn(name, "\n")] = '\0';
		if (off == 0 && strcmp(name, T.path) == 0 &&
		    hi - lo >= T.size) {
			T.base = (unsigned char *)lo;
			T.armed = 0;
			T.on = 1;
			break;
		}
	}
	(void)fclose(f);
}

static int tracking_now(void)
{
	if (T.armed)
		find_mapping();
	return T.on && !T.in_hook;
}

int cr_tracking(void)
{
	return T.on || T.armed;
}

void cr_track_set_hook(cr_fence_hook hook, void *arg)
{
	T.hook = hook;
	T.hook_arg = arg;
}

const unsigned char *cr_track_durable(void)
{
	return T.durable;
}

const unsigned char *cr_track_live(void)
{
	return T.base;
}

size_t cr_track_size(void)
{
	return T.size;
}

uint64_t cr_track_fences(void)
{
	return T.fences;
}

uint64_t cr_track_durable_gen(void)
{
	return T.gen;
}

size_t cr_track_pending(void)
{
	size_t n = 0;
	for (int t = 0; t < CR_MAX_THREADS; t++)
		n += T.pend[t].n;
	return n;
}

void cr_track_volatile(size_t off, size_t len)
{
	if (len == 0)
		return;
	for (size_t i = 0; i < T.nvol; i++)
		if (T.vol[i].lo == off && T.vol[i].hi == off + len)
			return;
	if (T.nvol == T.vcap) {
		size_t nc = T.vcap ? T.vcap * 2 : 16;
		struct vrange *nv = (struct vrange *)realloc(
			T.vol, nc * sizeof(struct vrange));
		if (!nv)
			abort(); /* test harness: no way on */
		T.vol = nv;
		T.vcap = nc;
	}
	T.vol[T.nvol].lo = off;
	T.vol[T.nvol].hi = off + len;
	T.nvol++;
}

int cr_track_is_volatile(size_t off)
{
	for (size_t i = 0; i < T.nvol; i++)
		if (off + 8 > T.vol[i].lo && off < T.vol[i].hi)
			return 1;
	return 0;
}

void cr_track_volatile_clear(void)
{
	free(T.vol);
	T.vol = NULL;
	T.nvol = T.vcap = 0;
}

void cr_calls_get(cr_calls *out)
{
	*out = C;
}

void cr_calls_reset(void)
{
	memset(&C, 0, sizeof(C));
}

void cr_track_observe(cr_line_observer fn)
{
	T.observe = fn;
}

/* The pending entry of line l for thread th (created when missing). */
static size_t pend_entry(struct pend *p, size_t l)
{
	if (!p->slot_of) {
		p->slot_of =
			(uint32_t *)calloc(T.size / LINE, sizeof(uint32_t));
		if (!p->slot_of)
			abort();
	}
	uint32_t s = p->slot_of[l];
	if (s)
		return s - 1;
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 1024;
		uint32_t *nl =
			(uint32_t *)realloc(p->line_no, nc * sizeof(uint32_t));
		if (nl)
			p->line_no = nl;
		unsigned char *ns =
			(unsigned char *)realloc(p->snap, nc * LINE);
		if (ns)
			p->snap = ns;
		uint8_t *nm = (uint8_t *)realloc(p->mask, nc);
		if (nm)
			p->mask = nm;
		uint32_t *nw = (uint32_t *)realloc(
			p->wst, nc * WORDS * sizeof(uint32_t));
		if (nw)
			p->wst = nw;
		if (!nl || !ns || !nm || !nw)
			abort();
		p->cap = nc;
	}
	size_t e = p->n++;
	p->slot_of[l] = (uint32_t)(e + 1);
	p->line_no[e] = (uint32_t)l;
	p->mask[e] = 0;
	return e;
}

static uint32_t tick(void)
{
	if (++T.clock == 0)
		abort(); /* more than 2^32 flushes in one session */
	return T.clock;
}

/* Record the words of line l selected by wmask as pending for the calling
 * thread, with their content now. */
static void record_line(size_t l, uint8_t wmask)
{
	struct pend *p = &T.pend[cr_sched_self()];
	size_t e = pend_entry(p, l);
	uint32_t now = tick();
	const unsigned char *src = T.base + l * LINE;
	for (unsigned w = 0; w < WORDS; w++) {
		if (!((wmask >> w) & 1))
			continue;
		memcpy(p->snap + e * LINE + w * 8, src + w * 8, 8);
		p->wst[e * WORDS + w] = now;
	}
	p->mask[e] |= wmask;
}

/* Clip [addr, addr+len) to the mapping: 0 when outside. */
static int clip(const void *addr, size_t len, size_t *lo, size_t *hi)
{
	const unsigned char *a = (const unsigned char *)addr;
	const unsigned char *end = a + len;
	if (len == 0 || end <= T.base || a >= T.base + T.size)
		return 0;
	*lo = a < T.base ? 0 : (size_t)(a - T.base);
	*hi = end > T.base + T.size ? T.size : (size_t)(end - T.base);
	return 1;
}

/* A flush of the lines covering [addr, addr+len). */
static void track_flush(const void *addr, size_t len)
{
	size_t lo, hi;
	if (!tracking_now() || !clip(addr, len, &lo, &hi))
		return;
	for (size_t l = lo / LINE; l < (hi + LINE - 1) / LINE; l++)
		record_line(l, 0xFF);
}

/* A non-temporal store of [addr, addr+len): only the words written. */
static void track_words(const void *addr, size_t len)
{
	size_t lo, hi;
	if (!tracking_now() || !clip(addr, len, &lo, &hi))
		return;
	lo &= ~(size_t)7;
	hi = (hi + 7) & ~(size_t)7;
	while (lo < hi) {
		size_t l = lo / LINE;
		size_t lend = (l + 1) * LINE < hi ? (l + 1) * LINE : hi;
		uint8_t m = 0;
		for (size_t o = lo; o < lend; o += 8)
			m |= (uint8_t)(1u << ((o % LINE) / 8));
		record_line(l, m);
		lo = lend;
	}
}

/* A fence point: the hook sees the state before the fence, then the
 * calling thread's pending words become durable (unless a later flush
 * already wrote them). */
static void track_fence(const void *site)
{
	if (!tracking_now())
		return;
	uint64_t k = T.fences++;
	C.fences++;
	if (T.hook) {
		T.in_hook = 1;
		T.hook(k, site, T.hook_arg);
		T.in_hook = 0;
	}
	struct pend *p = &T.pend[cr_sched_self()];
	int changed = 0;
	for (size_t i = 0; i < p->n; i++) {
		size_t l = p->line_no[i];
		for (unsigned w = 0; w < WORDS; w++) {
			if (!((p->mask[i] >> w) & 1))
				continue;
			size_t word = l * WORDS + w;
			uint32_t st = p->wst[i * WORDS + w];
			if (st <= T.dstamp[word])
				continue;
			T.dstamp[word] = st;
			const unsigned char *src = p->snap + i * LINE + w * 8;
			if (memcmp(T.durable + word * 8, src, 8) != 0) {
				memcpy(T.durable + word * 8, src, 8);
				changed = 1;
			}
		}
		p->slot_of[l] = 0;
	}
	p->n = 0;
	if (changed)
		T.gen++;
}

/* ------------------------------------------------------------------ */
/* pcoll's own persistence (PCOLL_PERSIST_HOOKS, see persist.h)         */
/* ------------------------------------------------------------------ */

void pc__hook_flush_line(const void *line);
void pc__hook_fence(void);
void pc__hook_nt_store(void *dst, const void *src, size_t len);

void pc__hook_flush_line(const void *line)
{
	C.hook_lines++;
	if (T.observe)
		T.observe(line, LINE, 0);
	cr_sched_point();
	track_flush(line, 1);
}

void pc__hook_fence(void)
{
	C.hook_fences++;
	cr_sched_point();
	track_fence(__builtin_return_address(0));
}

void pc__hook_nt_store(void *dst, const void *src, size_t len)
{
	C.hook_nt_stores++;
	C.hook_nt_bytes += len;
	memcpy(dst, src, len);
	if (T.observe)
		T.observe(dst, len, 1);
	track_words(dst, len);
}

/* ------------------------------------------------------------------ */
/* The interposed libpmem functions                                     */
/* ------------------------------------------------------------------ */

void pmem_flush(const void *addr, size_t len)
{
	resolve_all();
	C.flush++;
	cr_sched_point();
	if (real_flush)
		real_flush(addr, len);
	track_flush(addr, len);
}

void pmem_drain(void)
{
	resolve_all();
	C.drain++;
	cr_sched_point();
	if (real_drain)
		real_drain();
	track_fence(__builtin_return_address(0));
}

void pmem_persist(const void *addr, size_t len)
{
	resolve_all();
	C.persist++;
	cr_sched_point();
	if (real_flush)
		real_flush(addr, len);
	track_flush(addr, len);
	if (real_drain)
		real_drain();
	track_fence(__builtin_return_address(0));
}

int pmem_msync(const void *addr, size_t len)
{
	resolve_all();
	C.msync++;
	cr_sched_point();
	int r = real_msync ? real_msync(addr, len) : 0;
	track_flush(addr, len);
	track_fence(__builtin_return_address(0));
	return r;
}

void pmem_deep_flush(const void *addr, size_t len)
{
	resolve_all();
	C.deep_flush++;
	cr_sched_point();
	if (real_deep_flush)
		real_deep_flush(addr, len);
	track_flush(addr, len);
}

int pmem_deep_drain(const void *addr, size_t len)
{
	resolve_all();
	C.deep_drain++;
	cr_sched_point();
	int r = real_deep_drain ? real_deep_drain(addr, len) : 0;
	track_fence(__builtin_return_address(0));
	return r;
}

int pmem_deep_persist(const void *addr, size_t len)
{
	resolve_all();
	C.deep_persist++;
	cr_sched_point();
	if (real_deep_flush)
		real_deep_flush(addr, len);
	track_flush(addr, len);
	int r = real_deep_drain ? real_deep_drain(addr, len) : 0;
	track_fence(__builtin_return_address(0));
	return r;
}

/* After a copy or fill of [dst, dst+len): flush and fence by flags. A
 * non-temporal copy counts as flushed, like a cached copy plus flush. */
static void after_copy(void *dst, size_t len, unsigned flags, const void *site)
{
	if (flags & PMEM_F_MEM_NOFLUSH) {
		C.copy_noflush++;
		return;
	}
	if (real_flush)
		real_flush(dst, len);
	track_flush(dst, len);
	if (flags & PMEM_F_MEM_NODRAIN) {
		C.copy_nodrain++;
		return;
	}
	if (real_drain)
		real_drain();
	track_fence(site);
}

void *pmem_memmove(void *dst, const void *src, size_t len, unsigned flags)
{
	resolve_all();
	C.memmove++;
	cr_sched_point();
	memmove(dst, src, len);
	after_copy(dst, len, flags, __builtin_return_address(0));
	return dst;
}

void *pmem_memcpy(void *dst, const void *src, size_t len, unsigned flags)
{
	resolve_all();
	C.memcpy++;
	cr_sched_point();
	memmove(dst, src, len);
	after_copy(dst, len, flags, __builtin_return_address(0));
	return dst;
}

void *pmem_memset(void *dst, int c, size_t len, unsigned flags)
{
	resolve_all();
	C.memset++;
	cr_sched_point();
	memset(dst, c, len);
	after_copy(dst, len, flags, __builtin_return_address(0));
	return dst;
}

void *pmem_memmove_persist(void *dst, const void *src, size_t len)
{
	return pmem_memmove(dst, src, len, 0);
}

void *pmem_memcpy_persist(void *dst, const void *src, size_t len)
{
	return pmem_memcpy(dst, src, len, 0);
}

void *pmem_memset_persist(void *dst, int c, size_t len)
{
	return pmem_memset(dst, c, len, 0);
}

void *pmem_memmove_nodrain(void *dst, const void *src, size_t len)
{
	return pmem_memmove(dst, src, len, PMEM_F_MEM_NODRAIN);
}

void *pmem_memcpy_nodrain(void *dst, const void *src, size_t len)
{
	return pmem_memcpy(dst, src, len, PMEM_F_MEM_NODRAIN);
}

void *pmem_memset_nodrain(void *dst, int c, size_t len)
{
	return pmem_memset(dst, c, len, PMEM_F_MEM_NODRAIN);
}
