/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the engine behind PLOG, all of its parts in dependency order.
 * <pcoll/log.h> includes this file after its public macros and handle
 * types (plog, plog_iovec, plog_iter, plog_walk_fn), which the parts use;
 * nothing here is public API. docs/log.md ("Source files") says which
 * part holds which concern.
 */
#ifndef PCOLL_DETAIL_LOG_ENGINE_H
#define PCOLL_DETAIL_LOG_ENGINE_H

/* 1. persistent format, checksums, record placement */
#include "log_format.h"
/* 1b. commit forms: CRC32C lanes, the form a record is written in */
#include "log_form.h"
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
