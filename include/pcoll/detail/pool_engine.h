/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the type-erased parts of pools, in dependency order.
 * <pcoll/pool.h> includes this file once its public types, pc_pool and
 * the pool-level persistence and offset helpers are defined; the public
 * functions after that include call into these parts. docs/guide.md
 * ("Source files") says which part holds which concern.
 */
#ifndef PCOLL_DETAIL_POOL_ENGINE_H
#define PCOLL_DETAIL_POOL_ENGINE_H

/* 1. type signatures, object headers */
#include "pool_typesig.h"
/* 2. classification of bad files, libpmemobj refusals */
#include "pool_classify.h"
/* 3. flush instructions or msync */
#include "pool_pmem.h"
/* 4. growable pools (poolsets) */
#include "pool_grow.h"
/* 5. root object and directory of named roots */
#include "pool_rootdir.h"
/* 5b. prefaulting the mapping (used by the open sequence) */
#include "pool_prefault.h"
/* 6. the open and create sequence */
#include "pool_open.h"
/* 7. space accounting, pool-level check */
#include "pool_stats.h"

#endif /* PCOLL_DETAIL_POOL_ENGINE_H */
