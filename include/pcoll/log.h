/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file log.h
 * @brief PLOG: a persistent append-only log of byte records, the
 * replacement for PMDK's removed libpmemlog.
 *
 * @code
 * plog log;
 * PC_TRY(plog_root(pool, "events", PC_OPEN_OR_CREATE, 1 << 20, &log));
 * PC_TRY(plog_append(&log, "hello", 5));     // durable on return, 1 fence
 * PC_TRY(plog_walk(&log, 0, print_record, NULL)); // one call per record;
 *                                                 // print_record returns 0
 * @endcode
 *
 * A record is a byte string of 0 to #PLOG_REC_MAX bytes; records keep their
 * boundaries. Each is written once with its length, a sequence number and
 * a keyed 64-bit checksum and made durable with one fence; the durable
 * tail is advanced lazily, and opening the pool validates the records
 * after it, so a torn record is never returned and an append that returned
 * is never lost. The log grows by chaining chunks until the pool is full.
 *
 * Threads: any number of threads may append at once (a mutex in the log
 * serializes the short write-and-fence step) while others walk or
 * iterate; a walk sees the records published when it started. Handles
 * are cheap views: every handle of one log in one process shares the
 * same state. plog_rewind() waits for walks to finish; plog_free() needs
 * the log to be idle. See docs/log.md for the format and the argument.
 *
 * Transactions: appends inside TX() join the transaction (the records
 * vanish if it aborts) and keep other appenders out until it ends; they
 * become visible to readers when it commits.
 */
#ifndef PCOLL_LOG_H
#define PCOLL_LOG_H

#include "detail/lang.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpmemobj.h>

#include "detail/txcore.h"
#include "err.h"
#include "pool.h"

/** @brief Layout version of PLOG's persistent format (3: records carry
 * one of three commit forms; logs of version 2 get ::PC_E_VERSION). */
#define PLOG_LAYOUT_VERSION 3

/** @brief Largest record, in bytes. */
#define PLOG_REC_MAX ((size_t)0x7fffffffu)

/** @brief Bytes a record takes beyond its payload (header; payload is
 * padded to 8 bytes; each append or batch also starts a 64-byte line). */
#define PLOG_REC_OVERHEAD PLOG__REC_HDR

/** @brief Smallest first chunk plog_root() creates (bytes). */
#define PLOG_MIN_CAPACITY 4096u

/** @brief Largest initial capacity plog_root() accepts (bytes): a chunk
 * is one libpmemobj allocation (its 64-byte header and 64 bytes of
 * alignment slack included). */
#define PLOG_MAX_CAPACITY \
	((((uint64_t)PMEMOBJ_MAX_ALLOC_SIZE - 128u) / 64u) * 64u)

/**
 * @brief On persistent memory, on a CPU with the SSE4.2 `crc32`
 * instruction, records of at least this many bytes (and under
 * #PLOG_FENCE2_MIN) are checksummed with CRC32C lanes instead of the keyed
 * payload hash: still one fence per append. Smaller records keep the
 * keyed hash. 768 is also where large records start to be copied with
 * non-temporal stores, the smallest size that has a choice of form; the
 * crc form was faster than the hash there already (medians of three
 * pcoll-bench invocations on the test machine: 1357 against 1518 ns per
 * append). docs/log.md, "Commit forms".
 */
#define PLOG_CRC_MIN 768u

/**
 * @brief On persistent memory, on a CPU with `crc32`, records of at least
 * this many bytes are committed with two fences: the payload first, then
 * the header's tag, with a checksum over the header only. Measured on the
 * test machine (pcoll-bench W9x, three invocations): the CRC form was
 * faster at 4 KiB, the second fence at 8 KiB and above; a straight line
 * through the medians at 4 and 8 KiB crosses near 5.8 KiB. docs/log.md,
 * "Commit forms".
 */
#define PLOG_FENCE2_MIN 6144u

/**
 * @brief The same as #PLOG_FENCE2_MIN on a CPU without `crc32` (or not
 * x86-64): from this many bytes on, two fences cost no more than the
 * keyed payload hash (measured with the forms forced: the hash 10% faster
 * at 4 KiB, the second fence a third faster at 8 KiB, medians; a straight
 * line through them crosses near 4.5 KiB); smaller records keep the hash
 * and one fence.
 */
#define PLOG_FENCE2_MIN_NOCRC 4608u

/**
 * @brief A handle to a log in a pool; obtain with plog_root().
 *
 * A plain value: copy it freely. It stays valid until the pool is closed
 * or the log freed. The fields are private.
 */
typedef struct plog {
	pc_pool *pool;       /**< @private */
	struct plog__hdr *h; /**< @private */
	struct plog__rt *rt; /**< @private shared volatile state */
} plog;

/** @brief One record for plog_appendv(): @p len bytes at @p base. */
typedef struct plog_iovec {
	const void *base; /**< Payload (may be NULL when len is 0). */
	size_t len;       /**< Payload bytes, at most #PLOG_REC_MAX. */
} plog_iovec;

/**
 * @brief Callback of plog_walk(): one record (chunk size 0) or one chunk
 * of the concatenated payloads. Return 0 to go on, nonzero to stop the
 * walk (plog_walk() then returns that value): the rule of every pcoll
 * callback, as PMAP's visitors. (libpmemlog's process_chunk stops on 0;
 * compat/pmemlog.h keeps that rule for pmemlog_walk().)
 */
typedef int (*plog_walk_fn)(const void *buf, size_t len, void *arg);

/**
 * @brief A place in a log to resume reading from: the record a
 * plog_iter_next() would return next. Taken with plog_iter_tell(), used
 * with plog_iter_seek() by a later iteration of the same log. A plain
 * value (copy it, keep it in memory); fields are private.
 */
typedef struct plog_pos {
	uint64_t seq;   /**< @private sequence number of that record */
	uint64_t chunk; /**< @private pool offset of the chunk to look in */
	uint64_t off;   /**< @private place in that chunk's data */
	uint64_t key;   /**< @private the log's random key (identity) */
} plog_pos;

/** @brief Record iterator; see plog_iter_begin(). Fields are private. */
typedef struct plog_iter {
	const plog *log;       /**< @private */
	struct plog__chunk *c; /**< @private */
	uint64_t pos;          /**< @private */
	uint64_t seq;          /**< @private */
	uint64_t end;          /**< @private */
	pc_err err;            /**< @private */
	int active;            /**< @private */
} plog_iter;

/* The engine (detail/log_*.h) works on the handle types above. */
#include "detail/log_engine.h"

/** @cond PCOLL_INTERNAL */
static inline pc_err plog__check_args(const plog *log, const plog_iovec *iov,
				      size_t n, const char *fn)
{
	if (!log || !log->pool || !log->h || !log->rt || (n && !iov))
		return pc__fail(PC_E_INVAL, "%s: NULL argument or unbound log",
				fn);
	if (n > UINT32_MAX)
		return pc__fail(PC_E_TOOBIG,
				"%s: %zu records in one batch, the limit is "
				"%u",
				fn, n, UINT32_MAX);
	for (size_t i = 0; i < n; i++) {
		if (iov[i].len > PLOG_REC_MAX)
			return pc__fail(PC_E_TOOBIG,
					"%s: record %zu is %zu bytes, the "
					"limit is %zu",
					fn, i, iov[i].len, PLOG_REC_MAX);
		if (iov[i].len && !iov[i].base)
			return pc__fail(PC_E_INVAL,
					"%s: record %zu has a NULL buffer", fn,
					i);
	}
	return PC_OK;
}
/** @endcond */

/**
 * @brief Find the log named @p name in @p pool, or create it, according
 * to @p mode, and bind @p out to it.
 *
 * The first call after the pool was opened runs recovery: it validates the
 * records after the last durable tail and stops at the first invalid one
 * (a torn record from a crash), so it reads only a few records.
 *
 * @param pool an open pool.
 * @param name root name (at most #PC_NAME_MAX bytes).
 * @param mode ::PC_OPEN, ::PC_CREATE or ::PC_OPEN_OR_CREATE.
 * @param initial_capacity bytes of the first chunk of a new log (at least
 *        #PLOG_MIN_CAPACITY is used); ignored when the log exists. Each
 *        record takes #PLOG_REC_OVERHEAD bytes plus its payload rounded up
 *        to 8, and each append or appendv batch starts a 64-byte line.
 * @param out receives the handle.
 * @return ::PC_OK, ::PC_E_NOTFOUND, ::PC_E_EXISTS, ::PC_E_TYPE (the root
 * holds something else), ::PC_E_VERSION, ::PC_E_FULL (no room for the
 * first chunk), ::PC_E_CORRUPT (damaged chain or tail), ::PC_E_INVAL,
 * ::PC_E_TOOBIG, ::PC_E_ABORTED.
 *
 * Transactions: joins one if open (a log created in it vanishes on abort);
 * otherwise runs its own when creating.
 *
 * Fences: opening runs the recovery scan (it persists only what it repairs); creating costs one libpmemobj transaction.
 */
PC_MUST_USE static inline pc_err plog_root(pc_pool *pool, const char *name,
					   pc_open_mode mode,
					   size_t initial_capacity, plog *out)
{
	if (!pool || !out)
		return pc__fail(PC_E_INVAL, "plog_root: NULL argument");
	return plog__open(pool, name, mode, initial_capacity, out);
}

/**
 * @brief Append one record of @p len bytes from @p buf.
 *
 * Outside a transaction the record is durable on return, with one fence
 * in the common case (a second cache line is flushed every 32 appends to
 * advance the durable tail; a new chunk costs a transaction).
 * @return ::PC_OK, ::PC_E_FULL (the pool has no room; the log is
 * unchanged), ::PC_E_TOOBIG (over #PLOG_REC_MAX), ::PC_E_INVAL,
 * ::PC_E_ABORTED.
 *
 * Transactions: joins one if open: the record vanishes if it aborts, other
 * appenders wait until it ends, readers see it once it commits; a full pool
 * aborts it.
 * @param log the log's handle.
 * @param buf the record's bytes (may be NULL when @p len is 0).
 * @param len its length, 0 to #PLOG_REC_MAX.
 *
 * Fences: 1 outside a transaction (a new chunk adds a transaction); inside one the record becomes durable with the commit.
 */
PC_MUST_USE static inline pc_err plog_append(plog *log, const void *buf,
					     size_t len)
{
	plog_iovec v;
	v.base = buf;
	v.len = len;
	PC_TRY(plog__check_args(log, &v, 1, "plog_append"));
	/* Small records are hashed before taking the lock; large ones on
	 * pmem while they are copied. */
	pc_err e;
	if (log->pool->is_pmem && len >= PLOG__NT_MIN) {
		e = plog__appendv(log, &v, 1, NULL, "plog_append");
	} else {
		uint64_t ph = plog__hash(log->rt->k, buf, len);
		e = plog__appendv(log, &v, 1, &ph, "plog_append");
	}
	if (PC__UNLIKELY(e == PC_E_FULL))
		return pc__pool_full_ctx(log->pool, e, "plog_append");
	return e;
}

/**
 * @brief Append @p n records as one batch: after a crash either all of
 * them are there or none. One fence for the whole batch.
 *
 * @p n == 0 is a no-op.
 * @return as plog_append(); ::PC_E_TOOBIG also for more than 2^32-1
 * records.
 *
 * Transactions: as plog_append().
 * @param log the log's handle.
 * @param iov the records, one per element.
 * @param n how many.
 *
 * Fences: 1 for the whole batch outside a transaction (a new chunk adds a transaction); inside one, durable with the commit.
 */
PC_MUST_USE static inline pc_err plog_appendv(plog *log, const plog_iovec *iov,
					      size_t n)
{
	PC_TRY(plog__check_args(log, iov, n, "plog_appendv"));
	if (n == 0)
		return PC_OK;
	pc_err e = plog__appendv(log, iov, n, NULL, "plog_appendv");
	if (PC__UNLIKELY(e == PC_E_FULL))
		return pc__pool_full_ctx(log->pool, e, "plog_appendv");
	return e;
}

/** @cond PCOLL_INTERNAL */
/* The accessors' handle check: 1 (with PC_E_INVAL recorded) when log is
 * NULL or unbound. */
static inline int plog__bad(const plog *log, const char *fn)
{
	if (PC__LIKELY(log && log->pool && log->h && log->rt))
		return 0;
	(void)pc__fail(PC_E_INVAL, "%s: NULL or unbound log", fn);
	return 1;
}
/** @endcond */

/**
 * @brief Payload bytes in the log (the sum of the record lengths), as
 * libpmemlog's tell. Records appended by a transaction that has not
 * committed yet are not counted. Transactions: any.
 * @param log the log's handle.
 * @return the payload bytes of the committed records; 0 for a NULL or
 * unbound handle.
 *
 * Fences: none (reads only).
 */
static inline uint64_t plog_tell(const plog *log)
{
	if (plog__bad(log, "plog_tell"))
		return 0;
	plog__sync_pub(log);
	return __atomic_load_n(&log->rt->pub_bytes, __ATOMIC_ACQUIRE);
}

/**
 * @brief Number of records in the log (committed ones). Transactions: any.
 * @param log the log's handle.
 * @return the number of committed records; 0 for a NULL or unbound
 * handle.
 *
 * Fences: none (reads only).
 */
static inline uint64_t plog_count(const plog *log)
{
	if (plog__bad(log, "plog_count"))
		return 0;
	plog__sync_pub(log);
	uint64_t end = __atomic_load_n(&log->rt->pub_seq, __ATOMIC_ACQUIRE);
	uint64_t first =
		__atomic_load_n(&log->rt->w.first_seq, __ATOMIC_RELAXED);
	return end > first ? end - first : 0;
}

/**
 * @brief Capacity: bytes of all chunks (records and their headers). It
 * grows as the log chains chunks; plog_rewind() keeps it.
 * Transactions: any.
 * @param log the log's handle.
 * @return the capacity in bytes; 0 for a NULL or unbound handle.
 *
 * Fences: none (reads only).
 */
static inline uint64_t plog_nbyte(const plog *log)
{
	if (plog__bad(log, "plog_nbyte"))
		return 0;
	return __atomic_load_n(&log->rt->w.nbyte, __ATOMIC_RELAXED);
}

/**
 * @brief Call @p fn for the records of the log, oldest first.
 *
 * With @p chunk == 0, once per record with its payload and length (records
 * keep their boundaries). With @p chunk > 0, the payloads are seen as one
 * byte stream and @p fn gets pieces of exactly @p chunk bytes, the last one
 * possibly shorter, as libpmemlog's walk does; a chunk size larger than
 * the log gives one call with everything. @p fn returns 0 to go on and
 * nonzero to stop the walk. The walk covers the records committed when it
 * starts; other threads may append meanwhile, and @p fn may append too
 * (but not rewind).
 * @return 0 (::PC_OK) when every record was passed to @p fn; @p fn's
 * nonzero value when it stopped the walk; else the error: ::PC_E_INVAL,
 * ::PC_E_NOMEM (chunk buffer), ::PC_E_CORRUPT, ::PC_E_BUSY. pcoll's
 * errors are positive: a callback whose stop must be told from a failure
 * returns a negative value.
 *
 * Transactions: any (reads only).
 * @param log the log's handle.
 * @param chunk 0: @p fn once per record; above 0: the payloads as one stream in pieces of @p chunk bytes.
 * @param fn the callback; it returns 0 to go on, nonzero to stop.
 * @param arg passed to @p fn.
 *
 * Fences: none (reads only).
 */
PC_MUST_USE static inline int plog_walk(const plog *log, size_t chunk,
					plog_walk_fn fn, void *arg)
{
	if (plog__bad(log, "plog_walk"))
		return PC_E_INVAL;
	if (!fn)
		return pc__fail(PC_E_INVAL, "plog_walk: NULL callback");
	return plog__walk(log, chunk, fn, arg);
}

/**
 * @brief Start iterating over the records committed now, oldest first.
 *
 * Holds the log's read lock until plog_iter_end(), which must follow:
 * appends may go on meanwhile, plog_rewind() waits (and fails with
 * ::PC_E_BUSY on the iterating thread).
 * @return ::PC_OK, ::PC_E_INVAL, ::PC_E_BUSY.
 *
 * Transactions: any (reads only).
 * @param log the log's handle.
 * @param it the iterator to start.
 *
 * Fences: none (reads only).
 */
PC_MUST_USE static inline pc_err plog_iter_begin(const plog *log, plog_iter *it)
{
	if (it)
		memset(it, 0, sizeof(*it));
	if (plog__bad(log, "plog_iter_begin"))
		return PC_E_INVAL;
	if (!it)
		return pc__fail(PC_E_INVAL, "plog_iter_begin: NULL iterator");
	return plog__iter_begin(log, it);
}

/**
 * @brief Next record: sets @p *data and @p *len and returns true, or
 * returns false at the end (or on damage: see plog_iter_error()).
 * Transactions: any.
 * @param it a started iterator.
 * @param data receives the record's address (valid until the next call).
 * @param len receives the record's length.
 * @return true with a record; false at the end or on damage.
 *
 * Fences: none (reads only).
 */
static inline bool plog_iter_next(plog_iter *it, const void **data, size_t *len)
{
	if (!it || !it->active || !data || !len || it->seq >= it->end)
		return false;
	return plog__iter_next(it, data, len);
}

/**
 * @brief Where @p it stands: @p pos receives the place of the record
 * plog_iter_next() would return next (or of the next record appended, at
 * the end). Costs nothing; the position stays usable by later iterations
 * until the log is rewound past it or freed.
 *
 * With plog_iter_seek() this resumes reading without walking from the
 * start again: a reader that must release the read lock between batches
 * (it may not hold it across calls from other threads, for instance)
 * takes the position at the end of a batch and seeks to it at the start
 * of the next.
 * @param it the iterator.
 * @param pos receives the position.
 * @return ::PC_OK, ::PC_E_INVAL (NULL, or an iteration that ended).
 *
 * Fences: none (reads only).
 * Transactions: any.
 */
static inline pc_err plog_iter_tell(const plog_iter *it, plog_pos *pos)
{
	if (!it || !it->active || !pos)
		return pc__fail(PC_E_INVAL,
				"plog_iter_tell: NULL argument or an ended "
				"iteration");
	plog__iter_tell(it, pos);
	return PC_OK;
}

/**
 * @brief Move @p it to @p pos, taken by plog_iter_tell() on this or an
 * earlier iteration of the same log: the next plog_iter_next() returns
 * the record that was next there. One lookup, whatever the position's
 * distance from the start (the chunk chain is checked, not the records
 * before it).
 *
 * @return ::PC_OK; ::PC_E_INVAL (NULL, an ended iteration, a position of
 * another log or not made by plog_iter_tell()); ::PC_E_RANGE (the log was
 * rewound since the position was taken, so its records are gone, or the
 * position lies past the records this iteration covers: it began before
 * they were committed); ::PC_E_CORRUPT (the record is not where the
 * position says).
 * On an error the iterator is unchanged.
 * @param it the iterator.
 * @param pos a position plog_iter_tell() gave.
 *
 * Fences: none (reads only).
 * Transactions: any (reads only).
 */
PC_MUST_USE static inline pc_err plog_iter_seek(plog_iter *it,
						const plog_pos *pos)
{
	if (!it || !it->active || !pos)
		return pc__fail(PC_E_INVAL,
				"plog_iter_seek: NULL argument or an ended "
				"iteration");
	return plog__iter_seek(it, pos);
}

/**
 * @brief ::PC_OK, or ::PC_E_CORRUPT when plog_iter_next() met damage.
 * @param it the iterator.
 * @return ::PC_OK, ::PC_E_CORRUPT, or ::PC_E_INVAL for NULL.
 *
 * Fences: none (reads only).
 * Transactions: any.
 */
static inline pc_err plog_iter_error(const plog_iter *it)
{
	return it ? it->err : PC_E_INVAL;
}

/**
 * @brief End an iteration: releases the read lock. Safe to call twice.
 * @param it the iterator; may be NULL.
 *
 * Fences: none.
 * Transactions: any.
 */
static inline void plog_iter_end(plog_iter *it)
{
	if (it && it->active) {
		it->active = 0;
		plog__rdunlock(it->log);
	}
}

/**
 * @brief Choose how appends are placed: @p packed true puts each append
 * or batch right after the previous record (8-byte alignment), false (the
 * default) starts each on a 64-byte cache line of its own.
 *
 * Packed logs take less room (a 64-byte single append: 88 bytes instead
 * of 128) and walk faster (fewer bytes to read), but each append stores
 * into the cache line the previous one flushed, which costs a read from
 * memory on CPUs whose `clwb` evicts the line: appends of small records
 * are slower. See docs/log.md. Readers handle both placements, so the
 * choice may change at any time; it is stored in the log and kept across
 * opens. It takes effect with the next append.
 * @return ::PC_OK, ::PC_E_INVAL, ::PC_E_INTX, ::PC_E_BUSY (cannot lock).
 *
 * Transactions: forbidden (the setting is not transactional).
 * @param log the log's handle.
 * @param packed true: packed placement; false: one cache line per append.
 *
 * Fences: 1 (one word of the header).
 */
PC_MUST_USE static inline pc_err plog_set_packed(plog *log, bool packed)
{
	if (plog__bad(log, "plog_set_packed"))
		return PC_E_INVAL;
	if (pc__tx_state() != PC__TX_NONE)
		return pc__fail(PC_E_INTX, "plog_set_packed: not allowed "
					   "inside a transaction");
	return plog__set_packed(log, packed);
}

/** @brief Whether appends are packed (see plog_set_packed()).
 * Transactions: any.
 * @param log the log's handle.
 * @return true when appends are packed; false for a NULL or unbound
 * handle.
 *
 * Fences: none (reads only).
 */
static inline bool plog_packed(const plog *log)
{
	if (plog__bad(log, "plog_packed"))
		return false;
	return (log->h->flags & PLOG__F_PACKED) != 0;
}

/**
 * @brief Empty the log atomically: after a crash it is either as before or
 * empty; records appended later never bring old ones back (sequence
 * numbers are never reused). The chunks stay: plog_nbyte() keeps its
 * value. One fence.
 *
 * Waits for walks and iterations of other threads to end.
 * @return ::PC_OK, ::PC_E_INVAL, ::PC_E_INTX, ::PC_E_BUSY (called from a
 * walk or iteration of this log on this thread).
 *
 * Transactions: forbidden (it must exclude readers, and holding that
 * exclusion until an enclosing transaction ends could deadlock a walk in
 * the same transaction).
 * @param log the log's handle.
 *
 * Fences: 1.
 */
PC_MUST_USE static inline pc_err plog_rewind(plog *log)
{
	if (plog__bad(log, "plog_rewind"))
		return PC_E_INVAL;
	if (pc__tx_state() != PC__TX_NONE)
		return pc__fail(PC_E_INTX, "plog_rewind: not allowed inside a "
					   "transaction");
	if (plog__holds(log->h))
		return pc__fail(PC_E_BUSY,
				"plog_rewind: this thread is walking or "
				"iterating the log");
	return plog__rewind(log);
}

/**
 * @brief Delete the log: unbind its root name and free its chunks and
 * header. No other thread may use the log meanwhile; the handle is
 * cleared.
 *
 * Outside a transaction, in a pool too full for the transaction's log of
 * frees, the log is first rewound and its chain cut from the end in steps
 * of their own transactions: a crash then may leave the log bound, empty
 * and shorter (free it again). It works on a full pool.
 * @return ::PC_OK, ::PC_E_INVAL, ::PC_E_ABORTED, ::PC_E_CORRUPT,
 * ::PC_E_FULL (inside a transaction, in a full pool), ::PC_E_NOMEM.
 *
 * Transactions: joins one if open (the log comes back if it aborts);
 * otherwise runs its own.
 * @param log the log's handle.
 *
 * Fences: those of one libpmemobj transaction outside one; none of its own inside one.
 */
PC_MUST_USE static inline pc_err plog_free(plog *log)
{
	if (plog__bad(log, "plog_free"))
		return PC_E_INVAL;
	return plog__free(log);
}

/**
 * @brief Check the log's invariants: the chunk chain, at least one valid
 * tail slot, every live record present with a good checksum and
 * consecutive sequence numbers, the byte count, and that nothing valid
 * follows the tail (no stale or aborted record could come back).
 *
 * Used by the tests, the crash simulator and `pcoll check`. Waits for
 * appenders; run it while the log is quiet.
 * @return ::PC_OK, ::PC_E_CORRUPT (with the reason in pc_errmsg()),
 * ::PC_E_INVAL, ::PC_E_BUSY.
 *
 * Transactions: any (reads only; inside a transaction that appended it
 * checks the uncommitted state).
 * @param log the log's handle.
 *
 * Fences: none (reads only).
 */
PC_MUST_USE static inline pc_err plog_check(const plog *log)
{
	if (plog__bad(log, "plog_check"))
		return PC_E_INVAL;
	return plog__check(log);
}

#endif /* PCOLL_LOG_H */
