/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the engine behind PBLKARR, all of its parts in dependency
 * order. <pcoll/blkarr.h> includes this file after its public macros and
 * the handle type (pblkarr), which the parts use; nothing here is public
 * API. docs/blkarr.md ("Source files") says which part holds which
 * concern.
 */
#ifndef PCOLL_DETAIL_BLKARR_ENGINE_H
#define PCOLL_DETAIL_BLKARR_ENGINE_H

/* 1. constants, structures, checksums, lane records */
#include "blkarr_layout.h"
/* 2. stripe locks, lanes, the dense allocator */
#include "blkarr_alloc.h"
/* 3. create, ownership scan, recovery, open, free */
#include "blkarr_lifecycle.h"
/* 4. the lock-free read */
#include "blkarr_read.h"
/* 5. writes, set_zero, set_error, their commit protocols */
#include "blkarr_write.h"
/* 6. invariant check */
#include "blkarr_check.h"

#endif /* PCOLL_DETAIL_BLKARR_ENGINE_H */
