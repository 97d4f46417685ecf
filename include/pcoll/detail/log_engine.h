/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the engine behind PLOG, all of its parts in dependency order.
 * <pcoll/log.h> includes this file after its public macros and handle
 * types (plog, plog_iovec, plog_iter, plog_walk_fn), which the parts use;
 * nothing here is public API. docs/log.md ("Source files") says which
 * part holds which concern.
 *
 * The functions that hold the body of one public call after its argument
 * checks (plog__open, plog__walk, plog__check, ...) are always inlined
 * into it: each public call compiles as one function, as if the body
 * were written in it.
 */
#ifndef PCOLL_DETAIL_LOG_ENGINE_H
#define PCOLL_DETAIL_LOG_ENGINE_H

/* 1. persistent format, checksums, record placement */
#include "log_format.h"
/* 2. the chunk chain: allocation, locate, growth */
#include "log_chain.h"
/* 3. tail slots, the published end, rewind */
#include "log_tail.h"
/* 4. signature, create, open and recovery, free */
#include "log_lifecycle.h"
/* 5. append and appendv, the packed setting */
#include "log_append.h"
/* 6. read lock, walk, iterator */
#include "log_walk.h"
/* 7. invariant check */
#include "log_check.h"

#endif /* PCOLL_DETAIL_LOG_ENGINE_H */
