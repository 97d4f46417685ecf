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
 * returned by pc_tx_last() until the next TX() on this thread ends. When
 * it is an error, pc_errmsg() holds the message of the first failure in
 * the body, followed by how the scope ended ("...; then TX(): ..."): the
 * calls that fail afterwards because the transaction aborted,
 * pc_tx_abort() and the end of the scope do not replace it.
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
/* How the running TX() scope ended early, for its message (pc_tx_abort). */
extern _Thread_local const char *pc__tx_how;
PC__WEAK _Thread_local const char *pc__tx_how;

typedef struct pc__txscope {
	pc_err *out;
	int state;   /* 0: not started, 1: body running, 2: finished */
	int counted; /* counted in pc__tx_scopes (err.h) */
} pc__txscope;

/*
 * The message of a scope whose outcome is an error: the first failure
 * recorded in the body (err.h keeps it), then how the scope ended, so
 * the reason is not replaced by the outcome.
 */
static inline void pc__txs_outcome(pc_err e, const char *how)
{
	char first[PC_ERRMSG_MAX];
	int had = pc__tx_first_set;
	if (!how)
		how = pc__tx_how ? pc__tx_how : "the transaction was aborted";
	int n;
	/* A long first message is cut; the outcome's suffix still fits. */
	if (had) {
		memcpy(first, pc__tx_first, sizeof(first));
		n = snprintf(pc__errmsg_buf, sizeof(pc__errmsg_buf) - 64,
			     "%s; then TX(): %s", first, how);
	} else {
		n = snprintf(pc__errmsg_buf, sizeof(pc__errmsg_buf) - 64,
			     "TX(): %s", how);
	}
	if (n < 0)
		pc__errmsg_buf[0] = '\0';
	pc__errmsg_suffix(e, 0);
}

static inline void pc__txs_finish(pc__txscope *s, pc_err e, const char *how)
{
	s->state = 2;
	if (s->counted) {
		if (e != PC_OK)
			pc__txs_outcome(e, how);
		s->counted = 0;
		pc__tx_scopes--;
	}
	pc__tx_last_err = e;
	if (s->out)
		*s->out = e;
}

static inline pc__txscope pc__txs_begin(pc_pool *pool, pc_err *out)
{
	pc__txscope s = {out, 0, 0};
	if (!pool) {
		pc__txs_finish(&s, pc__fail(PC_E_INVAL, "TX(): NULL pool"),
			       NULL);
		return s;
	}
	pc__txstate st = pc__tx_state();
	if (st == PC__TX_DEAD) {
		pc__txs_finish(&s,
			       pc__fail(PC_E_ABORTED,
					"TX(): the enclosing transaction "
					"has aborted"),
			       NULL);
		return s;
	}
	if (pmemobj_tx_begin(pool->pop, NULL, TX_PARAM_NONE) != 0) {
		pc_err e = pc__fail(PC_E_ABORTED, "TX(): %s: cannot begin: %s",
				    pool->path, pmemobj_errormsg());
		if (st == PC__TX_NONE && pmemobj_tx_stage() != TX_STAGE_NONE)
			(void)pmemobj_tx_end();
		pc__tx_ended();
		pc__txs_finish(&s, e, NULL);
		return s;
	}
	if (st == PC__TX_NONE)
		pc__tx_ours = 1;
	if (pc__tx_scopes++ == 0) {
		pc__tx_first_set = 0;
		pc__tx_first_last = 0;
		pc__tx_how = NULL;
	}
	s.counted = 1;
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
	pc__txs_finish(s, e, NULL);
}

static inline void pc__txs_cleanup(pc__txscope *s)
{
	if (s->state != 1)
		return;
	/* The body was left by break, return or goto. */
	const char *how = NULL;
	if (pmemobj_tx_stage() == TX_STAGE_WORK) {
		how = "the body was left by break, return or goto: the "
		      "transaction was aborted";
		pmemobj_tx_abort(PC__TXERR_BASE + (int)PC_E_ESCAPED);
	}
	pc_err e = pc__tx_errnum_to_pc(pmemobj_tx_end());
	pc__tx_ended();
	pc__txs_finish(s, e, how);
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
		if (pc__tx_scopes && pc__tx_first_set)
			/* Keep why: the first failure of the scope. */
			memcpy(pc__errmsg_buf, pc__tx_first,
			       sizeof(pc__errmsg_buf));
		else
			(void)pc__fail(e, "pc_tx_abort: the program aborted "
					  "the transaction");
		pc__tx_how = "aborted by pc_tx_abort()";
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
 * @return ::PC_OK, ::PC_E_NEEDTX, ::PC_E_ABORTED, ::PC_E_INVAL (NULL, a
 * range outside the pool or outside libpmemobj's heap; does not abort),
 * ::PC_E_FULL (no room for the undo log; aborts).
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
	if (!pool || !addr)
		return pc__fail(PC_E_INVAL, "pc_tx_snapshot: NULL %s",
				pool ? "address" : "pool");
	const char *p = (const char *)addr;
	if (p < pool->base ||
	    !pc__pool_range_ok(pool, (uint64_t)(p - pool->base), len))
		return pc__fail(PC_E_INVAL,
				"pc_tx_snapshot: %s: %zu bytes at %p are "
				"outside the pool",
				pool->path, len, addr);
	/* libpmemobj refuses memory outside its heap (EINVAL): an argument
	 * error, which does not abort the transaction; no room for the undo
	 * log does. */
	if (pmemobj_tx_xadd_range_direct(addr, len, POBJ_XADD_NO_ABORT) != 0) {
		if (errno != ENOMEM)
			return pc__fail(PC_E_INVAL,
					"pc_tx_snapshot: %s: %zu bytes at %p: "
					"%s",
					pool->path, len, addr,
					pc__pmdk_errormsg());
		return pc__pool_full_ctx(
			pool,
			pc__tx_abort_with(pc__fail(
				PC_E_FULL,
				"pc_tx_snapshot: no room for the undo log (a "
				"snapshot of %zu bytes)",
				len)),
			"pc_tx_snapshot");
	}
	return PC_OK;
}

#endif /* PCOLL_TX_H */
