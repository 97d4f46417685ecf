/* SPDX-License-Identifier: BSD-3-Clause */
/* Power-failure simulator: libpmem interposer and durable-image tracking.
 * See interpose.h for the model. */
#define _GNU_SOURCE
#include "interpose.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <libpmem.h>

#define LINE 64u

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

static struct {
	int on;
	unsigned char *base;
	size_t size;
	unsigned char *durable;
	/* Pending (flushed, not fenced) lines: slot_of[line] is 1 + index
	 * into line_no/snap, 0 when the line is not pending. */
	uint32_t *slot_of;
	uint32_t *line_no;
	unsigned char *snap;
	size_t npend, cap;
	uint64_t fences;
	uint64_t gen;
	cr_fence_hook hook;
	void *hook_arg;
	int in_hook;
} T;

static cr_calls C;

int cr_track_start(void *base, size_t size)
{
	cr_track_stop();
	size_t nlines = (size + LINE - 1) / LINE;
	T.durable = (unsigned char *)malloc(size);
	T.slot_of = (uint32_t *)calloc(nlines, sizeof(uint32_t));
	if (!T.durable || !T.slot_of) {
		cr_track_stop();
		return -1;
	}
	memcpy(T.durable, base, size);
	T.base = (unsigned char *)base;
	T.size = size;
	T.npend = 0;
	T.fences = 0;
	T.gen = 0;
	T.on = 1;
	return 0;
}

void cr_track_stop(void)
{
	T.on = 0;
	free(T.durable);
	free(T.slot_of);
	free(T.line_no);
	free(T.snap);
	T.durable = NULL;
	T.slot_of = NULL;
	T.line_no = NULL;
	T.snap = NULL;
	T.npend = T.cap = 0;
	T.base = NULL;
	T.size = 0;
}

int cr_tracking(void)
{
	return T.on;
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
	return T.npend;
}

void cr_calls_get(cr_calls *out)
{
	*out = C;
}

void cr_calls_reset(void)
{
	memset(&C, 0, sizeof(C));
}

/* Snapshot the lines covering [addr, addr+len) into the pending set. */
static void track_flush(const void *addr, size_t len)
{
	if (!T.on || T.in_hook || len == 0)
		return;
	const unsigned char *a = (const unsigned char *)addr;
	const unsigned char *end = a + len;
	if (end <= T.base || a >= T.base + T.size)
		return;
	if (a < T.base)
		a = T.base;
	if (end > T.base + T.size)
		end = T.base + T.size;
	size_t first = (size_t)(a - T.base) / LINE;
	size_t last = ((size_t)(end - T.base) + LINE - 1) / LINE;
	for (size_t l = first; l < last; l++) {
		uint32_t s = T.slot_of[l];
		if (s == 0) {
			if (T.npend == T.cap) {
				size_t ncap = T.cap ? T.cap * 2 : 1024;
				uint32_t *nl = (uint32_t *)realloc(
					T.line_no, ncap * sizeof(uint32_t));
				if (!nl)
					abort(); /* test harness: no way on */
				T.line_no = nl;
				unsigned char *ns = (unsigned char *)realloc(
					T.snap, ncap * LINE);
				if (!ns)
					abort();
				T.snap = ns;
				T.cap = ncap;
			}
			s = (uint32_t)(++T.npend);
			T.slot_of[l] = s;
			T.line_no[s - 1] = (uint32_t)l;
		}
		size_t off = l * LINE;
		size_t n = T.size - off < LINE ? T.size - off : LINE;
		memcpy(T.snap + (size_t)(s - 1) * LINE, T.base + off, n);
	}
}

/* A fence point: the hook sees the state before the fence, then the
 * pending lines become durable. */
static void track_fence(void)
{
	if (!T.on || T.in_hook)
		return;
	uint64_t k = T.fences++;
	C.fences++;
	if (T.hook) {
		T.in_hook = 1;
		T.hook(k, T.hook_arg);
		T.in_hook = 0;
	}
	int changed = 0;
	for (size_t i = 0; i < T.npend; i++) {
		size_t l = T.line_no[i];
		size_t off = l * LINE;
		size_t n = T.size - off < LINE ? T.size - off : LINE;
		const unsigned char *src = T.snap + i * LINE;
		if (memcmp(T.durable + off, src, n) != 0) {
			memcpy(T.durable + off, src, n);
			changed = 1;
		}
		T.slot_of[l] = 0;
	}
	T.npend = 0;
	if (changed)
		T.gen++;
}

/* ------------------------------------------------------------------ */
/* The interposed libpmem functions                                     */
/* ------------------------------------------------------------------ */

void pmem_flush(const void *addr, size_t len)
{
	resolve_all();
	C.flush++;
	if (real_flush)
		real_flush(addr, len);
	track_flush(addr, len);
}

void pmem_drain(void)
{
	resolve_all();
	C.drain++;
	if (real_drain)
		real_drain();
	track_fence();
}

void pmem_persist(const void *addr, size_t len)
{
	resolve_all();
	C.persist++;
	if (real_flush)
		real_flush(addr, len);
	track_flush(addr, len);
	if (real_drain)
		real_drain();
	track_fence();
}

int pmem_msync(const void *addr, size_t len)
{
	resolve_all();
	C.msync++;
	int r = real_msync ? real_msync(addr, len) : 0;
	track_flush(addr, len);
	track_fence();
	return r;
}

void pmem_deep_flush(const void *addr, size_t len)
{
	resolve_all();
	C.deep_flush++;
	if (real_deep_flush)
		real_deep_flush(addr, len);
	track_flush(addr, len);
}

int pmem_deep_drain(const void *addr, size_t len)
{
	resolve_all();
	C.deep_drain++;
	int r = real_deep_drain ? real_deep_drain(addr, len) : 0;
	track_fence();
	return r;
}

int pmem_deep_persist(const void *addr, size_t len)
{
	resolve_all();
	C.deep_persist++;
	if (real_deep_flush)
		real_deep_flush(addr, len);
	track_flush(addr, len);
	int r = real_deep_drain ? real_deep_drain(addr, len) : 0;
	track_fence();
	return r;
}

/* After a copy or fill of [dst, dst+len): flush and fence by flags. A
 * non-temporal copy counts as flushed, like a cached copy plus flush. */
static void after_copy(void *dst, size_t len, unsigned flags)
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
	track_fence();
}

void *pmem_memmove(void *dst, const void *src, size_t len, unsigned flags)
{
	resolve_all();
	C.memmove++;
	memmove(dst, src, len);
	after_copy(dst, len, flags);
	return dst;
}

void *pmem_memcpy(void *dst, const void *src, size_t len, unsigned flags)
{
	resolve_all();
	C.memcpy++;
	memmove(dst, src, len);
	after_copy(dst, len, flags);
	return dst;
}

void *pmem_memset(void *dst, int c, size_t len, unsigned flags)
{
	resolve_all();
	C.memset++;
	memset(dst, c, len);
	after_copy(dst, len, flags);
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
