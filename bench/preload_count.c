/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll-bench-preload: counts libpmem's flushes and fences.
 *
 * Loaded with LD_PRELOAD into pcoll-bench-count. It defines libpmem's
 * flush, drain, persist, msync and copy functions; the dynamic linker binds
 * every call from libpmemobj, libpmemlog, libpmemblk and pcoll's own msync
 * path to these definitions, which count and then call the real function
 * found with dlsym(RTLD_NEXT).
 *
 * What is counted:
 * - fences: pmem_drain, pmem_persist, pmem_msync, pmem_deep_drain,
 *   pmem_deep_persist, the *_persist copies and the flags copies without
 *   PMEM_F_MEM_NODRAIN (or PMEM_F_MEM_NOFLUSH, which implies it);
 * - flushes: the 64-byte cache lines covered by pmem_flush, pmem_persist,
 *   pmem_deep_flush, pmem_deep_persist and every copy (nodrain or not,
 *   except PMEM_F_MEM_NOFLUSH); for pmem_msync the 4 KiB pages covered.
 *
 * libpmem calls some of its own exported functions through its PLT (for
 * example pmem_deep_persist calls pmem_deep_flush), so those calls land
 * here too; a per-thread depth counter makes only the outermost call
 * count.
 *
 * PCOLL_BENCH_PRELOAD_TRACE=1 in the environment logs every call (nested
 * ones too, with their depth) on stderr.
 *
 * The counts are read by the harness with dlsym(RTLD_DEFAULT,
 * "pcoll_bench_preload_get").
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <libpmem.h>

#define LINE 64u
#define PAGE 4096u

enum { C_FENCES, C_FLUSHES, C_MSYNCS, C_CALLS, C__N };

static uint64_t counts[C__N];
static _Thread_local int depth;
static int tracing = -1; /* PCOLL_BENCH_PRELOAD_TRACE=1: log every call */

static void trace(const char *fn, const void *addr, size_t len, unsigned flags)
{
	if (tracing < 0) {
		const char *t = getenv("PCOLL_BENCH_PRELOAD_TRACE");
		tracing = t && *t == '1';
	}
	if (tracing)
		fprintf(stderr, "preload: %s(%p, %zu, 0x%x) depth %d\n", fn,
			addr, len, flags, depth);
}

static void add(int which, uint64_t n)
{
	__atomic_fetch_add(&counts[which], n, __ATOMIC_RELAXED);
}

static uint64_t units(const void *addr, size_t len, uintptr_t unit)
{
	if (len == 0)
		return 0;
	uintptr_t a = (uintptr_t)addr & ~(unit - 1);
	uintptr_t end = (uintptr_t)addr + len;
	return (uint64_t)((end - a + unit - 1) / unit);
}

/* Count one call at the outermost level only. */
static int enter(void)
{
	return depth++ == 0;
}

static void leave(void)
{
	depth--;
}

static void *real(const char *name)
{
	void *f = dlvsym(RTLD_NEXT, name, "LIBPMEM_1.0");
	if (!f)
		f = dlsym(RTLD_NEXT, name);
	if (!f) {
		fprintf(stderr, "pcoll-bench-preload: %s not found: %s\n", name,
			dlerror());
		_exit(127);
	}
	return f;
}

/* Resolve a real function once: REAL(fnvar, "name"). */
#define REAL(var, name)                              \
	do {                                         \
		if (!var)                            \
			*(void **)&var = real(name); \
	} while (0)

/* Exported for the harness. out[0] fences, out[1] flushes, out[2] msync
 * calls, out[3] counted calls. */
void pcoll_bench_preload_get(uint64_t out[4]);
void pcoll_bench_preload_get(uint64_t out[4])
{
	for (int i = 0; i < C__N; i++)
		out[i] = __atomic_load_n(&counts[i], __ATOMIC_RELAXED);
}

static void count_flush(const void *addr, size_t len, int fence)
{
	add(C_CALLS, 1);
	add(C_FLUSHES, units(addr, len, LINE));
	if (fence)
		add(C_FENCES, 1);
}

/* Copies with flags: NOFLUSH means neither flush nor fence. */
static void count_flags(const void *addr, size_t len, unsigned flags)
{
	if (flags & PMEM_F_MEM_NOFLUSH) {
		add(C_CALLS, 1);
		return;
	}
	count_flush(addr, len, !(flags & PMEM_F_MEM_NODRAIN));
}

void pmem_flush(const void *addr, size_t len)
{
	static void (*f)(const void *, size_t);
	REAL(f, "pmem_flush");
	trace("pmem_flush", addr, len, 0);
	if (enter())
		count_flush(addr, len, 0);
	f(addr, len);
	leave();
}

void pmem_drain(void)
{
	static void (*f)(void);
	REAL(f, "pmem_drain");
	trace("pmem_drain", NULL, 0, 0);
	if (enter()) {
		add(C_CALLS, 1);
		add(C_FENCES, 1);
	}
	f();
	leave();
}

void pmem_persist(const void *addr, size_t len)
{
	static void (*f)(const void *, size_t);
	REAL(f, "pmem_persist");
	trace("pmem_persist", addr, len, 0);
	if (enter())
		count_flush(addr, len, 1);
	f(addr, len);
	leave();
}

int pmem_msync(const void *addr, size_t len)
{
	static int (*f)(const void *, size_t);
	REAL(f, "pmem_msync");
	trace("pmem_msync", addr, len, 0);
	if (enter()) {
		add(C_CALLS, 1);
		add(C_MSYNCS, 1);
		add(C_FENCES, 1);
		add(C_FLUSHES, units(addr, len, PAGE));
	}
	int r = f(addr, len);
	leave();
	return r;
}

void pmem_deep_flush(const void *addr, size_t len)
{
	static void (*f)(const void *, size_t);
	REAL(f, "pmem_deep_flush");
	trace("pmem_deep_flush", addr, len, 0);
	if (enter())
		count_flush(addr, len, 0);
	f(addr, len);
	leave();
}

int pmem_deep_drain(const void *addr, size_t len)
{
	static int (*f)(const void *, size_t);
	REAL(f, "pmem_deep_drain");
	trace("pmem_deep_drain", addr, len, 0);
	if (enter()) {
		add(C_CALLS, 1);
		add(C_FENCES, 1);
	}
	int r = f(addr, len);
	leave();
	return r;
}

int pmem_deep_persist(const void *addr, size_t len)
{
	static int (*f)(const void *, size_t);
	REAL(f, "pmem_deep_persist");
	trace("pmem_deep_persist", addr, len, 0);
	if (enter())
		count_flush(addr, len, 1);
	int r = f(addr, len);
	leave();
	return r;
}

void *pmem_memmove_persist(void *dst, const void *src, size_t len)
{
	static void *(*f)(void *, const void *, size_t);
	REAL(f, "pmem_memmove_persist");
	trace("pmem_memmove_persist", dst, len, 0);
	if (enter())
		count_flush(dst, len, 1);
	void *r = f(dst, src, len);
	leave();
	return r;
}

void *pmem_memcpy_persist(void *dst, const void *src, size_t len)
{
	static void *(*f)(void *, const void *, size_t);
	REAL(f, "pmem_memcpy_persist");
	trace("pmem_memcpy_persist", dst, len, 0);
	if (enter())
		count_flush(dst, len, 1);
	void *r = f(dst, src, len);
	leave();
	return r;
}

void *pmem_memset_persist(void *dst, int c, size_t len)
{
	static void *(*f)(void *, int, size_t);
	REAL(f, "pmem_memset_persist");
	trace("pmem_memset_persist", dst, len, 0);
	if (enter())
		count_flush(dst, len, 1);
	void *r = f(dst, c, len);
	leave();
	return r;
}

void *pmem_memmove_nodrain(void *dst, const void *src, size_t len)
{
	static void *(*f)(void *, const void *, size_t);
	REAL(f, "pmem_memmove_nodrain");
	trace("pmem_memmove_nodrain", dst, len, 0);
	if (enter())
		count_flush(dst, len, 0);
	void *r = f(dst, src, len);
	leave();
	return r;
}

void *pmem_memcpy_nodrain(void *dst, const void *src, size_t len)
{
	static void *(*f)(void *, const void *, size_t);
	REAL(f, "pmem_memcpy_nodrain");
	trace("pmem_memcpy_nodrain", dst, len, 0);
	if (enter())
		count_flush(dst, len, 0);
	void *r = f(dst, src, len);
	leave();
	return r;
}

void *pmem_memset_nodrain(void *dst, int c, size_t len)
{
	static void *(*f)(void *, int, size_t);
	REAL(f, "pmem_memset_nodrain");
	trace("pmem_memset_nodrain", dst, len, 0);
	if (enter())
		count_flush(dst, len, 0);
	void *r = f(dst, c, len);
	leave();
	return r;
}

void *pmem_memmove(void *dst, const void *src, size_t len, unsigned flags)
{
	static void *(*f)(void *, const void *, size_t, unsigned);
	REAL(f, "pmem_memmove");
	trace("pmem_memmove", dst, len, flags);
	if (enter())
		count_flags(dst, len, flags);
	void *r = f(dst, src, len, flags);
	leave();
	return r;
}

void *pmem_memcpy(void *dst, const void *src, size_t len, unsigned flags)
{
	static void *(*f)(void *, const void *, size_t, unsigned);
	REAL(f, "pmem_memcpy");
	trace("pmem_memcpy", dst, len, flags);
	if (enter())
		count_flags(dst, len, flags);
	void *r = f(dst, src, len, flags);
	leave();
	return r;
}

void *pmem_memset(void *dst, int c, size_t len, unsigned flags)
{
	static void *(*f)(void *, int, size_t, unsigned);
	REAL(f, "pmem_memset");
	trace("pmem_memset", dst, len, flags);
	if (enter())
		count_flags(dst, len, flags);
	void *r = f(dst, c, len, flags);
	leave();
	return r;
}
