/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tx.h
 * @brief The TX() scope: all-or-nothing changes across containers.
 *
 * @code
 * pc_err err;
 * TX(pool, &err) {
 *     if (vec_u64_push(&v, 1) != PC_OK)
 *         break;              // leaving early aborts: nothing is kept
 *     if (vec_u64_push(&w, 2) != PC_OK)
 *         break;
 * }                            // reaching the end commits
 * if (err != PC_OK) ...        // PC_OK, or why it aborted
 * @endcode
 *
 * Rules:
 * - Reaching the end of the body (or `continue`) commits.
 * - `break`, `return` or `goto` out of the body aborts the transaction; the
 *   outcome is ::PC_E_ESCAPED (or the error that aborted it earlier). The
 *   body never runs twice, and no transaction is left open.
 * - A pcoll call that fails for lack of resources (pool full, snapshot
 *   failure, corruption) aborts the transaction at once: the error is
 *   sticky, later pcoll calls in the body fail with ::PC_E_ABORTED, and the
 *   outcome is that first error. Calls that fail on their arguments or on a
 *   lookup (::PC_E_NOTFOUND, ::PC_E_EXISTS, ::PC_E_RANGE, ::PC_E_INVAL,
 *   ::PC_E_TYPE) change nothing and leave the transaction running.
 * - pc_tx_abort() aborts explicitly.
 * - A TX() inside another joins it: nothing commits until the outermost
 *   scope ends, and an abort anywhere aborts all of it.
 * - A raw libpmemobj TX_BEGIN around pcoll calls works too: they join it.
 *   Leaving a TX() by longjmp (for example a raw TX_BEGIN's abort
 *   unwinding through it) is not supported.
 *
 * The outcome is written to the optional second argument and is also
 * returned by pc_tx_last() until the next TX() on this thread ends.
 * Volatile variables changed in the body are not rolled back; pcoll uses
 * no setjmp, so they keep their values as in ordinary C.
 */
#ifndef PCOLL_TX_H
#define PCOLL_TX_H

#include "detail/lang.h"
#include "detail/txcore.h"
#include "err.h"
#include "pool.h"

/** @cond PCOLL_INTERNAL */
/* Declared, then defined weak: one object across the program's
 * translation units (-Wmissing-variable-declarations). */
extern _Thread_local pc_err pc__tx_last_err;
PC__WEAK _Thread_local pc_err pc__tx_last_err;

typedef struct pc__txscope {
	pc_err *out;
	int state; /* 0: not started, 1: body running, 2: finished */
} pc__txscope;

static inline void pc__txs_finish(pc__txscope *s, pc_err e)
{
	s->state = 2;
	pc__tx_last_err = e;
	if (s->out)
		*s->out = e;
}

static inline pc__txscope pc__txs_begin(pc_pool *pool, pc_err *out)
{
	pc__txscope s = {out, 0};
	if (!pool) {
		pc__txs_finish(&s, pc__fail(PC_E_INVAL, "TX(): NULL pool"));
		return s;
	}
	pc__txstate st = pc__tx_state();
	if (st == PC__TX_DEAD) {
		pc__txs_finish(&s, pc__fail(PC_E_ABORTED,
					    "TX(): the enclosing transaction "
					    "has aborted"));
		return s;
	}
	if (pmemobj_tx_begin(pool->pop, NULL, TX_PARAM_NONE) != 0) {
		int err = errno;
		pc_err e = pc__fail(PC_E_ABORTED, "TX(): cannot begin: %s",
				    pmemobj_errormsg());
		if (st == PC__TX_NONE && pmemobj_tx_stage() != TX_STAGE_NONE)
			(void)pmemobj_tx_end();
		pc__tx_ended();
		(void)err;
		pc__txs_finish(&s, e);
	} else if (st == PC__TX_NONE) {
		pc__tx_ours = 1;
	}
	return s;
}

static inline int pc__txs_cond(pc__txscope *s)
{
	if (s->state == 0) {
		s->state = 1;
		return 1;
	}
	return 0;
}

static inline void pc__txs_commit(pc__txscope *s)
{
	if (s->state != 1)
		return;
	if (pmemobj_tx_stage() == TX_STAGE_WORK)
		pmemobj_tx_commit();
	pc_err e = pc__tx_errnum_to_pc(pmemobj_tx_end());
	pc__tx_ended();
	pc__txs_finish(s, e);
}

static inline void pc__txs_cleanup(pc__txscope *s)
{
	if (s->state != 1)
		return;
	/* The body was left by break, return or goto. */
	if (pmemobj_tx_stage() == TX_STAGE_WORK) {
		(void)pc__fail(
			PC_E_ESCAPED,
			"TX(): the body was left by break, return or goto");
		pmemobj_tx_abort(PC__TXERR_BASE + (int)PC_E_ESCAPED);
	}
	pc_err e = pc__tx_errnum_to_pc(pmemobj_tx_end());
	pc__tx_ended();
	pc__txs_finish(s, e);
}

#define PC__TX_IMPL(pool, outp, id)                                     \
	for (pc__txscope id __attribute__((cleanup(pc__txs_cleanup))) = \
		     pc__txs_begin((pool), (outp));                     \
	     pc__txs_cond(&id); pc__txs_commit(&id))
#define PC__TX1(pool) PC__TX_IMPL(pool, NULL, PC__CAT(pc__txs_, __COUNTER__))
#define PC__TX2(pool, outp) \
	PC__TX_IMPL(pool, outp, PC__CAT(pc__txs_, __COUNTER__))
#define PC__TX_PICK(a, b, name, ...) name
/** @endcond */

/**
 * @brief `TX(pool) { body }` or `TX(pool, &err) { body }`: run the body as
 * one transaction on @p pool (a `pc_pool *`).
 *
 * The optional second argument is a `pc_err *` that receives the outcome:
 * ::PC_OK when committed, otherwise why it aborted (::PC_E_ESCAPED,
 * ::PC_E_ABORTED, ::PC_E_FULL, the code given to pc_tx_abort(), ...).
 * See the file description for the rules.
 */
#define TX(...) PC__TX_PICK(__VA_ARGS__, PC__TX2, PC__TX1, unused)(__VA_ARGS__)

/**
 * @brief Abort the running transaction with @p e (::PC_E_ABORTED if
 * @p e is ::PC_OK). Leave the body afterwards with `break`; later pcoll
 * calls in it fail with ::PC_E_ABORTED. The scope's outcome is @p e.
 * @return the code the transaction was aborted with, or ::PC_E_NEEDTX
 * when no transaction is running.
 *
 * Transactions: needs one.
 */
static inline pc_err pc_tx_abort(pc_err e)
{
	if (e == PC_OK)
		e = PC_E_ABORTED;
	pc__txstate st = pc__tx_state();
	if (st == PC__TX_NONE)
		return pc__fail(PC_E_NEEDTX, "pc_tx_abort: no transaction");
	if (st == PC__TX_WORK) {
		(void)pc__fail(e, "pc_tx_abort: aborted by the program");
		pmemobj_tx_abort(PC__TXERR_BASE + (int)e);
	}
	return e;
}

/** @brief 1 when this thread is inside a running transaction (one that
 * has not aborted). Transactions: any. */
static inline int pc_tx_active(void)
{
	return pc__tx_state() == PC__TX_WORK;
}

/**
 * @brief Outcome of the last TX() scope that ended on this thread
 * (::PC_OK before any). Transactions: any.
 */
static inline pc_err pc_tx_last(void)
{
	return pc__tx_last_err;
}

/**
 * @brief Snapshot [addr, addr+len) of @p pool's memory so the running
 * transaction restores it on abort. Use before changing user data in
 * place (PC_RW() does it for you).
 * @return ::PC_OK, ::PC_E_NEEDTX, ::PC_E_ABORTED, ::PC_E_INVAL (range
 * outside the pool), ::PC_E_FULL (no room for the undo log; aborts).
 *
 * Transactions: needs one.
 */
PC_MUST_USE static inline pc_err pc_tx_snapshot(const pc_pool *pool,
						const void *addr, size_t len)
{
	pc__txstate st = pc__tx_state();
	if (st == PC__TX_NONE)
		return pc__fail(PC_E_NEEDTX, "pc_tx_snapshot: no transaction");
	if (st == PC__TX_DEAD)
		return pc__fail(PC_E_ABORTED,
				"pc_tx_snapshot: transaction aborted");
	const char *p = (const char *)addr;
	if (p < pool->base + 4096 ||
	    (pool->size && (size_t)(p - pool->base) + len > pool->size))
		return pc__fail(PC_E_INVAL,
				"pc_tx_snapshot: range is outside the pool");
	return pc__tx_snap(addr, len);
}

#endif /* PCOLL_TX_H */
