/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PLOG engine): the readers: the read lock (shared by walks and
 * iterations, taken exclusively by rewind) with the per-thread record of
 * held locks that lets a rewind from a walk callback fail instead of
 * deadlocking, plog_walk() and the record iterator. No fences: readers
 * see the records published when they start. Relies on log_format.h,
 * log_chain.h (plog__locate) and log_tail.h (the published end), and on
 * the handle types of <pcoll/log.h>, which includes it.
 */
#ifndef PCOLL_DETAIL_LOG_WALK_H
#define PCOLL_DETAIL_LOG_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpmemobj.h>

#include "../err.h"
#include "../pool.h"
#include "log_chain.h"
#include "log_format.h"
#include "log_tail.h"

#ifndef PCOLL_LOG_H
#error "internal PLOG header: include <pcoll/log.h>"
#endif

/** @cond PCOLL_INTERNAL */

/* Threads' held read locks (walk/iterate), so that a rewind from inside
 * a walk callback fails instead of deadlocking. */
#define PLOG__HELD_MAX 8
PC__WEAK _Thread_local const void *plog__held[PLOG__HELD_MAX];
PC__WEAK _Thread_local unsigned plog__nheld;

static inline int plog__holds(const void *h)
{
	for (unsigned i = 0; i < plog__nheld && i < PLOG__HELD_MAX; i++)
		if (plog__held[i] == h)
			return 1;
	return 0;
}

static inline void plog__hold(const void *h)
{
	if (plog__nheld < PLOG__HELD_MAX)
		plog__held[plog__nheld] = h;
	plog__nheld++;
}

static inline void plog__release(const void *h)
{
	unsigned n =
		plog__nheld < PLOG__HELD_MAX ? plog__nheld : PLOG__HELD_MAX;
	for (unsigned i = n; i-- > 0;)
		if (plog__held[i] == h) {
			plog__held[i] = plog__held[n - 1];
			break;
		}
	if (plog__nheld)
		plog__nheld--;
}

/* Takes the read lock (shared with other readers, excludes rewind). */
static inline pc_err plog__rdlock(const plog *log, const char *fn)
{
	int r = pmemobj_rwlock_rdlock(log->pool->pop, &log->h->rw);
	if (r != 0)
		return pc__fail(PC_E_BUSY, "%s: cannot lock the log: %s", fn,
				strerror(r));
	plog__hold(log->h);
	return PC_OK;
}

static inline void plog__rdunlock(const plog *log)
{
	plog__release(log->h);
	(void)pmemobj_rwlock_unlock(log->pool->pop, &log->h->rw);
}
/** @endcond */

/** @endcond */

#endif /* PCOLL_DETAIL_LOG_WALK_H */
