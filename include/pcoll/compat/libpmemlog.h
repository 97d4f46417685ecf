/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file compat/libpmemlog.h
 * @brief Forwarding header: with `-I<prefix>/include/pcoll/compat`, a
 * program's `#include <libpmemlog.h>` gets pcoll's compat layer
 * (pcoll/compat/pmemlog.h) instead of PMDK's removed library.
 */
#ifndef PCOLL_COMPAT_LIBPMEMLOG_FWD_H
#define PCOLL_COMPAT_LIBPMEMLOG_FWD_H
#include "../detail/lang.h"
#include "pmemlog.h"
#endif
