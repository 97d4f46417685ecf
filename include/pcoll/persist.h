/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file persist.h
 * @brief Inline flush, fence, persist and non-temporal copy.
 *
 * On x86-64 the cache-line flush instruction is chosen once at run time
 * from cpuid: `clwb`, else `clflushopt`, else `clflush`; a fence is
 * `sfence`. Copies of #PC_NT_THRESHOLD bytes or more use non-temporal
 * stores. Where the memory is not persistent memory (a plain file), the
 * pool-level helpers in pool.h use libpmem's msync path instead.
 *
 * Build with `PCOLL_CHECKED` defined (meson option `checked=true`) and every
 * flush, fence and non-temporal copy goes through libpmem's `pmem_flush`,
 * `pmem_drain` and `pmem_memcpy`, so a test can interpose them. Build with
 * `PCOLL_COUNT` defined and pcoll counts its own flushes and fences in
 * pc_persist_counters(); the benchmark does.
 *
 * Test builds only: with `PCOLL_PERSIST_HOOKS` defined (x86-64, not
 * together with `PCOLL_CHECKED`) pcoll keeps its own flush, fence and
 * non-temporal loops, and only the single instruction inside them becomes
 * a call the test program defines: `pc__hook_flush_line()` for each
 * `clwb`/`clflushopt`/`clflush`, `pc__hook_fence()` for `sfence` and
 * `pc__hook_nt_store()` for each non-temporal store (the SSE2 streaming
 * intrinsics are redefined as macros, so every header that includes this
 * one is covered). The crash simulator (tests/crash) is built this way, so
 * it tests the flush ranges pcoll itself computes.
 *
 * None of these functions needs, joins or forbids a transaction.
 */
#ifndef PCOLL_PERSIST_H
#define PCOLL_PERSIST_H

#include "detail/lang.h"
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libpmem.h>

#include "err.h"

#if defined(__x86_64__) && !defined(PCOLL_CHECKED)
#include <cpuid.h>
#include <emmintrin.h>
/** @cond PCOLL_INTERNAL */
#define PC__X86 1
/** @endcond */
#endif

/** @cond PCOLL_INTERNAL */
#ifdef PCOLL_PERSIST_HOOKS
#ifndef PC__X86
#error "PCOLL_PERSIST_HOOKS needs x86-64 and excludes PCOLL_CHECKED"
#endif
#include <immintrin.h> /* (declared before the hooks rename them) */
/* Defined by the test program (tests/crash/interpose.c). */
void pc__hook_flush_line(const void *line);
void pc__hook_fence(void);
void pc__hook_nt_store(void *dst, const void *src, size_t len);
#define PC__FLUSH_LINE(insn, p) pc__hook_flush_line((const void *)(p))
#define PC__SFENCE()            pc__hook_fence()
static inline void pc__hook_stream16(__m128i *dst, __m128i v)
{
	pc__hook_nt_store(dst, &v, sizeof(v));
}
static inline void pc__hook_stream8(long long *dst, long long v)
{
	pc__hook_nt_store(dst, &v, sizeof(v));
}
/* AVX streaming stores (PLOG's large records): one hooked 32-byte store. */
__attribute__((target("avx"))) static inline void
pc__hook_stream32(__m256i *dst, __m256i v)
{
	pc__hook_nt_store(dst, &v, sizeof(v));
}
/* Every non-temporal store in pcoll's headers goes through these two; the
 * other SSE/SSE2 streaming stores, clflush and sfence intrinsics are
 * hooked or refused, so a new non-temporal path cannot escape the test. */
#define _mm_stream_si128(p, v)    pc__hook_stream16((p), (v))
#define _mm_stream_si64(p, v)     pc__hook_stream8((p), (v))
#define _mm256_stream_si256(p, v) pc__hook_stream32((p), (v))
#define _mm_stream_si32(p, v)     PC__HOOKS_UNSUPPORTED_NT_STORE
#define _mm_stream_pd(p, v)       PC__HOOKS_UNSUPPORTED_NT_STORE
#define _mm_stream_ps(p, v)       PC__HOOKS_UNSUPPORTED_NT_STORE
#define _mm_stream_pi(p, v)       PC__HOOKS_UNSUPPORTED_NT_STORE
#define _mm_clflush(p)            pc__hook_flush_line((const void *)(p))
#define _mm_sfence()              pc__hook_fence()
#else
#define PC__FLUSH_LINE(insn, p) \
	__asm__ __volatile__(insn " %0" : "+m"(*(volatile char *)(p)))
#define PC__SFENCE() __asm__ __volatile__("sfence" ::: "memory")
#endif
/** @endcond */

/** @brief Cache line size assumed for flushing (bytes). */
#define PC_CACHELINE 64

/** @brief Copies at least this long use non-temporal stores. */
#define PC_NT_THRESHOLD 256

/** @brief Which flush instruction pcoll uses (see pc_flush_kind()). */
typedef enum pc_flush_kind {
	PC_FLUSH_UNKNOWN = 0, /**< Not detected yet. */
	PC_FLUSH_CLWB,        /**< `clwb`: write back, keep the line cached. */
	PC_FLUSH_CLFLUSHOPT,  /**< `clflushopt`: weakly ordered flush. */
	PC_FLUSH_CLFLUSH,     /**< `clflush`: strongly ordered flush. */
	PC_FLUSH_LIBPMEM /**< libpmem's functions (checked build, non-x86). */
} pc_flush_kind;

/** @brief Flush and fence counts of this thread (with `PCOLL_COUNT`). */
typedef struct pc_persist_counters {
	uint64_t flushes; /**< Cache lines flushed (or pages msync'ed). */
	uint64_t fences;  /**< Fences (sfence, or one per msync call). */
} pc_persist_counters;

/** @cond PCOLL_INTERNAL */
/* Declared, then defined weak: one object across the program's
 * translation units (-Wmissing-variable-declarations). */
extern int pc__flush_sel;
extern _Thread_local pc_persist_counters pc__counters;
PC__WEAK int pc__flush_sel;
PC__WEAK _Thread_local pc_persist_counters pc__counters;

#ifdef PCOLL_COUNT
#define PC__COUNT(field, n) (pc__counters.field += (n))
#else
#define PC__COUNT(field, n) ((void)0)
#endif

static inline pc_flush_kind pc__detect_flush(void)
{
#ifdef PC__X86
	unsigned a = 0, b = 0, c = 0, d = 0;
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
		if (b & (1u << 24))
			return PC_FLUSH_CLWB;
		if (b & (1u << 23))
			return PC_FLUSH_CLFLUSHOPT;
	}
	return PC_FLUSH_CLFLUSH;
#else
	return PC_FLUSH_LIBPMEM;
#endif
}
/** @endcond */

/**
 * @brief The flush instruction in use, detected on first call.
 * @return never ::PC_FLUSH_UNKNOWN.
 */
static inline pc_flush_kind pc_flush_kind_get(void)
{
	if (PC__UNLIKELY(pc__flush_sel == PC_FLUSH_UNKNOWN)) {
		pc_flush_kind k = pc__detect_flush();
		pc__flush_sel = (int)k;
	}
	return (pc_flush_kind)pc__flush_sel;
}

/** @brief Name of a ::pc_flush_kind ("clwb", "clflushopt", ...). */
static inline const char *pc_flush_kind_name(pc_flush_kind k)
{
	switch (k) {
	case PC_FLUSH_CLWB:
		return "clwb";
	case PC_FLUSH_CLFLUSHOPT:
		return "clflushopt";
	case PC_FLUSH_CLFLUSH:
		return "clflush";
	case PC_FLUSH_LIBPMEM:
		return "libpmem";
	default:
		return "unknown";
	}
}

/**
 * @brief This thread's flush and fence counts.
 *
 * Counts only pcoll's own inline flushes and fences, and only in a build
 * with `PCOLL_COUNT` defined (otherwise both stay zero). libpmemobj's own
 * flushes are counted by the benchmark's LD_PRELOAD counter instead.
 */
static inline pc_persist_counters pc_persist_counters_get(void)
{
	return pc__counters;
}

/** @brief Reset this thread's counters to zero. */
static inline void pc_persist_counters_reset(void)
{
	pc__counters.flushes = 0;
	pc__counters.fences = 0;
}

/**
 * @brief Write back the cache lines covering [addr, addr+len) (no fence).
 *
 * Persistent only after a following pc_fence(). Memory mapped from a plain
 * file needs msync instead: use the pool-level pc_pool_persist(). The
 * range must be mapped (as for memcpy()): only a NULL @p addr and a range
 * that wraps around the address space are refused (nothing is flushed;
 * ::PC_E_INVAL in pc_errmsg()). The pool-level helpers check the range
 * against the pool.
 */
static inline void pc_flush(const void *addr, size_t len)
{
	if (PC__UNLIKELY(!addr || len > UINTPTR_MAX - (uintptr_t)addr)) {
		if (addr || len)
			(void)pc__fail(PC_E_INVAL,
				       "pc_flush: %zu bytes at %p: NULL or "
				       "wrapping range",
				       len, addr);
		return;
	}
#ifdef PC__X86
	uintptr_t end = (uintptr_t)addr + len;
	/* An empty range flushes nothing (not the line addr is in). */
	uintptr_t p =
		len ? (uintptr_t)addr & ~(uintptr_t)(PC_CACHELINE - 1) : end;
#ifdef PCOLL_TEST_BUG_SHORT_FLUSH
	/* Deliberately broken test build: a range over several lines is
	 * flushed one line short (the crash suite must catch it). */
	if (len && ((end - 1) & ~(uintptr_t)(PC_CACHELINE - 1)) > p)
		end = (end - 1) & ~(uintptr_t)(PC_CACHELINE - 1);
#endif
	int k = pc__flush_sel;
	if (PC__UNLIKELY(k == PC_FLUSH_UNKNOWN)) {
		pc_flush_kind kind = pc_flush_kind_get();
		k = (int)kind;
	}
	if (PC__LIKELY(k == PC_FLUSH_CLWB)) {
		for (; p < end; p += PC_CACHELINE) {
			PC__FLUSH_LINE("clwb", p);
			PC__COUNT(flushes, 1);
		}
	} else if (k == PC_FLUSH_CLFLUSHOPT) {
		for (; p < end; p += PC_CACHELINE) {
			PC__FLUSH_LINE("clflushopt", p);
			PC__COUNT(flushes, 1);
		}
	} else {
		for (; p < end; p += PC_CACHELINE) {
			PC__FLUSH_LINE("clflush", p);
			PC__COUNT(flushes, 1);
		}
	}
#else
	pmem_flush(addr, len);
#endif
}

/** @brief Store fence: earlier flushes and non-temporal stores are durable. */
static inline void pc_fence(void)
{
#ifdef PC__X86
	PC__SFENCE();
	PC__COUNT(fences, 1);
#else
	pmem_drain();
#endif
}

/** @brief pc_flush() then pc_fence(): [addr, addr+len) is durable on return. */
static inline void pc_persist(const void *addr, size_t len)
{
	pc_flush(addr, len);
	pc_fence();
}

/** @cond PCOLL_INTERNAL */
#ifdef PC__X86
/* The non-temporal copy of pc_memcpy_nodrain(), len >= PC_NT_THRESHOLD.
 * Not inlined: the copy is long enough that a call costs nothing, and
 * inlined into a caller with a small buffer gcc would warn about reads
 * past that buffer on this (then unreachable) path. */
__attribute__((noinline)) static void pc__memcpy_nt(void *dst, const void *src,
						    size_t len)
{
	char *d = (char *)dst;
	const char *s = (const char *)src;
	/* Head: up to the next 16-byte boundary, cached copy plus flush. */
	size_t head = (16 - ((uintptr_t)d & 15)) & 15;
	if (head) {
		memcpy(d, s, head);
		pc_flush(d, head);
		d += head;
		s += head;
		len -= head;
	}
	size_t nvec = len / 16;
	for (size_t i = 0; i < nvec; i++) {
		__m128i v = _mm_loadu_si128(
			(const __m128i *)(const void *)(s + 16 * i));
		_mm_stream_si128((__m128i *)(void *)(d + 16 * i), v);
	}
	PC__COUNT(flushes, (nvec * 16 + PC_CACHELINE - 1) / PC_CACHELINE);
	size_t tail = len - nvec * 16;
	if (tail) {
		memcpy(d + nvec * 16, s + nvec * 16, tail);
#ifndef PCOLL_TEST_BUG_NT_TAIL
		/* (The deliberately broken test build PCOLL_TEST_BUG_NT_TAIL
		 * forgets this flush; the crash suite must catch it.) */
		pc_flush(d + nvec * 16, tail);
#endif
	}
}
#endif
/** @endcond */

/**
 * @brief Copy @p len bytes to persistent memory and flush them, no fence.
 *
 * Uses non-temporal stores from #PC_NT_THRESHOLD bytes on, plain copy and
 * flush below. The caller issues pc_fence() (once, for any number of
 * copies). @p dst and @p src must not overlap; a NULL one (with a length)
 * copies nothing (::PC_E_INVAL in pc_errmsg()).
 */
static inline void pc_memcpy_nodrain(void *dst, const void *src, size_t len)
{
	if (PC__UNLIKELY(!dst || !src)) {
		if (len)
			(void)pc__fail(PC_E_INVAL,
				       "pc_memcpy_nodrain: NULL buffer");
		return;
	}
#ifdef PC__X86
	if (len < PC_NT_THRESHOLD) {
		memcpy(dst, src, len);
		pc_flush(dst, len);
		return;
	}
	pc__memcpy_nt(dst, src, len);
#else
	pmem_memcpy(dst, src, len, PMEM_F_MEM_NODRAIN);
#endif
}

#endif /* PCOLL_PERSIST_H */
