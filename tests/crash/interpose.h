/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Power-failure simulator, part 1: the libpmem interposer.
 *
 * interpose.c defines libpmem's flush, drain, persist, msync, deep_* and
 * memcpy/memmove/memset (every variant) in the test program itself. The
 * dynamic linker binds libpmemobj's references to them (the program's
 * definitions come first in the lookup order), and pcoll's checked build
 * (-DPCOLL_CHECKED=1) calls them for its own flushes and fences. Each call
 * is forwarded to the real libpmem (found with dlsym(RTLD_NEXT)) and, while
 * tracking is on, also recorded:
 *
 *  - a flush snapshots the 64-byte lines it covers (their content at the
 *    moment of the flush) into a pending set;
 *  - a fence ("fence point") first calls the hook, then copies the pending
 *    snapshots into the durable image and empties the pending set;
 *  - a copy with flags flushes its range unless PMEM_F_MEM_NOFLUSH, and
 *    fences unless PMEM_F_MEM_NODRAIN or NOFLUSH;
 *  - msync is flush + fence of its range.
 *
 * The durable image starts as a copy of the tracked mapping.
 */
#ifndef PCOLL_CRASH_INTERPOSE_H
#define PCOLL_CRASH_INTERPOSE_H

#include <stddef.h>
#include <stdint.h>

/* Calls seen by the interposer since the last reset (tracking or not). */
typedef struct cr_calls {
	uint64_t flush, drain, persist, msync;
	uint64_t deep_flush, deep_drain, deep_persist;
	uint64_t memcpy, memmove, memset;    /* every variant */
	uint64_t copy_nodrain, copy_noflush; /* copies by flag */
	uint64_t fences;                     /* fence points while tracking */
} cr_calls;

/* Called at every fence point while tracking, before the fence takes
 * effect: the durable image then still lacks the pending lines. */
typedef void (*cr_fence_hook)(uint64_t fence_no, void *arg);

/* Start tracking [base, base+size): durable image := current contents.
 * Returns 0, or -1 when out of memory. */
int cr_track_start(void *base, size_t size);
/* Stop tracking and free the images. */
void cr_track_stop(void);
/* 1 while tracking. */
int cr_tracking(void);
void cr_track_set_hook(cr_fence_hook hook, void *arg);
/* The durable image (size bytes, same layout as the mapping). */
const unsigned char *cr_track_durable(void);
const unsigned char *cr_track_live(void);
size_t cr_track_size(void);
/* Fence points so far in this tracking session. */
uint64_t cr_track_fences(void);
/* Number of fences that changed the durable image so far. */
uint64_t cr_track_durable_gen(void);
/* Lines flushed and not yet fenced. */
size_t cr_track_pending(void);

void cr_calls_get(cr_calls *out);
void cr_calls_reset(void);

#endif
