/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Power-failure simulator, part 1: what reaches the media.
 *
 * interpose.c sees every flush, fence and non-temporal store of the test
 * program while tracking is on:
 *
 *  - libpmemobj's: the program defines libpmem's flush, drain, persist,
 *    msync, deep_* and memcpy/memmove/memset (every variant); the dynamic
 *    linker binds libpmemobj's references to them, and each call is also
 *    forwarded to the real libpmem (dlsym(RTLD_NEXT));
 *  - pcoll's own: the simulator programs are built with
 *    PCOLL_PERSIST_HOOKS, so pcoll's inline flush, fence and non-temporal
 *    loops run as in production and only the single instruction in them
 *    calls pc__hook_flush_line(), pc__hook_fence() or pc__hook_nt_store()
 *    (see persist.h). A program built with PCOLL_CHECKED instead reaches
 *    the libpmem functions above.
 *
 * The model, per thread (threads of a multi-threaded scenario run one at
 * a time under crsched.c, so memory is quiet whenever this code runs):
 *
 *  - a flush of a line records the line's content at that moment in the
 *    flushing thread's pending set (a later store is not covered by it);
 *  - a non-temporal store of 8 or 16 bytes stores them and records only
 *    those words as pending;
 *  - a copy with flags counts as flushed unless PMEM_F_MEM_NOFLUSH and
 *    fences unless PMEM_F_MEM_NODRAIN or NOFLUSH; msync is flush + fence;
 *  - a fence ("fence point") first calls the hook, then makes the fencing
 *    thread's pending words durable. Where two threads flushed the same
 *    word, the later flush wins (each durable word keeps the stamp of the
 *    flush that wrote it), so a late fence never brings back older data.
 *
 * Everything else stored since is "dirty": on the media or not, at the
 * crash's whim. The durable image starts as a copy of the tracked mapping
 * (or of the pool file, for a recovery that is tracked from the start).
 */
#ifndef PCOLL_CRASH_INTERPOSE_H
#define PCOLL_CRASH_INTERPOSE_H

#include <stddef.h>
#include <stdint.h>

/* Calls seen since the last reset (tracking or not). */
typedef struct cr_calls {
	uint64_t flush, drain, persist, msync;
	uint64_t deep_flush, deep_drain, deep_persist;
	uint64_t memcpy, memmove, memset;    /* every variant */
	uint64_t copy_nodrain, copy_noflush; /* copies by flag */
	uint64_t hook_lines, hook_fences;    /* pcoll's own (hook build) */
	uint64_t hook_nt_stores, hook_nt_bytes;
	uint64_t fences; /* fence points while tracking */
} cr_calls;

/* Called at every fence point while tracking, in the fencing thread,
 * before the fence takes effect. site: the return address of the fence
 * call (pcoll's inlined pc_fence() or libpmemobj's pmem_drain caller). */
typedef void (*cr_fence_hook)(uint64_t fence_no, const void *site, void *arg);

/* Start tracking [base, base+size): durable image := current contents.
 * Returns 0, or -1 when out of memory. */
int cr_track_start(void *base, size_t size);
/* Track a pool that is not open yet: durable image := the file at path;
 * the mapping is found (in /proc/self/maps) at the first flush or fence
 * inside it. Used to crash recovery itself. Returns 0 or -1. */
int cr_track_arm_file(const char *path);
/* Stop tracking and free the images. */
void cr_track_stop(void);
/* 1 while tracking (armed or running). */
int cr_tracking(void);
void cr_track_set_hook(cr_fence_hook hook, void *arg);
/* The durable image (size bytes, same layout as the mapping). */
const unsigned char *cr_track_durable(void);
/* The live mapping; NULL while an armed pool is not mapped yet. */
const unsigned char *cr_track_live(void);
size_t cr_track_size(void);
/* Fence points so far in this tracking session. */
uint64_t cr_track_fences(void);
/* Number of fences that changed the durable image so far. */
uint64_t cr_track_durable_gen(void);
/* Lines flushed and not yet fenced, over all threads. */
size_t cr_track_pending(void);

/* Volatile data inside the pool (locks, run-time state rebuilt at every
 * open, never flushed): its words are not counted as dirty, so crash
 * images do not multiply over them. Offsets are pool offsets. */
void cr_track_volatile(size_t off, size_t len);
/* 1 when the 8-byte word at pool offset off is volatile. */
int cr_track_is_volatile(size_t off);
void cr_track_volatile_clear(void);

void cr_calls_get(cr_calls *out);
void cr_calls_reset(void);

/* Per-line hook observer for unit tests of the flush loops: called for
 * every line pcoll's hooked code flushes or stores non-temporally
 * (nt != 0), tracking or not. NULL to remove. */
typedef void (*cr_line_observer)(const void *addr, size_t len, int nt);
void cr_track_observe(cr_line_observer fn);

#endif
