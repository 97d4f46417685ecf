/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file compat/libpmemblk.h
 * @brief Forwarding header: with `-I<prefix>/include/pcoll/compat`, a
 * program's `#include <libpmemblk.h>` gets pcoll's compat layer
 * (pcoll/compat/pmemblk.h) instead of PMDK's removed library.
 */
#ifndef PCOLL_COMPAT_LIBPMEMBLK_H
#define PCOLL_COMPAT_LIBPMEMBLK_H
#include "../detail/lang.h"
#include "pmemblk.h"
#endif
