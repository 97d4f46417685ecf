/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file pcoll.h
 * @brief Umbrella header: errors, persistence primitives, pools, typed
 * pointers and TX(). Containers are instantiated from their own headers
 * (vec.h, map.h, log.h, blkarr.h).
 */
#ifndef PCOLL_PCOLL_H
#define PCOLL_PCOLL_H

/** @brief pcoll version as a string. */
#define PCOLL_VERSION_STRING "0.1.0"
/** @brief pcoll version as a number: major * 10000 + minor * 100 + patch. */
#define PCOLL_VERSION 100

#include "detail/lang.h"
#include "err.h"
#include "persist.h"
#include "pool.h"
#include "ptr.h"
#include "tx.h"

#endif /* PCOLL_PCOLL_H */
