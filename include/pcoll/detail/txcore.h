/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the transaction primitives every container uses. Users include
 * <pcoll/tx.h> for TX(); nothing here is public API.
 *
 * pcoll begins libpmemobj transactions without a jmp_buf, so an abort
 * returns to the caller instead of longjmp'ing, and every snapshot and
 * allocation passes the NO_ABORT flag, so a failure comes back as a value.
 * A pcoll error is passed to pmemobj_tx_abort() as PC__TXERR_BASE + code,
 * so the outcome read back with pmemobj_tx_end() tells a pcoll error from
 * an errno value set by libpmemobj itself.
 */
#ifndef PCOLL_DETAIL_TXCORE_H
#define PCOLL_DETAIL_TXCORE_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpmemobj.h>

#include "../err.h"

/** @cond PCOLL_INTERNAL */

#define PC__TXERR_BASE 0x50430000

/* Where the calling thread stands with respect to a transaction. */
typedef enum pc__txstate {
	PC__TX_NONE = 0, /* no transaction open */
	PC__TX_WORK = 1, /* inside a running transaction: join it */
	PC__TX_DEAD = 2  /* inside a transaction that has aborted */
} pc__txstate;

static inline pc__txstate pc__tx_state(void)
{
	enum pobj_tx_stage s = pmemobj_tx_stage();
	if (PC__LIKELY(s == TX_STAGE_NONE))
		return PC__TX_NONE;
	return s == TX_STAGE_WORK ? PC__TX_WORK : PC__TX_DEAD;
}

/* Translate the errnum of an ended transaction into a pc_err. */
static inline pc_err pc__tx_errnum_to_pc(int errnum)
{
	if (errnum == 0)
		return PC_OK;
	if (errnum > PC__TXERR_BASE && errnum < PC__TXERR_BASE + PC_E__COUNT)
		return (pc_err)(errnum - PC__TXERR_BASE);
	switch (errnum) {
	case ENOMEM:
		return PC_E_FULL;
	case EINVAL:
		return PC_E_INVAL;
	default: /* ECANCELED and anything else */
		return PC_E_ABORTED;
	}
}

/* Abort the running transaction with pcoll error e (e != PC_OK); returns
 * e. A no-op on the transaction when it is not running. */
static inline pc_err pc__tx_abort_with(pc_err e)
{
	if (pmemobj_tx_stage() == TX_STAGE_WORK)
		pmemobj_tx_abort(PC__TXERR_BASE + (int)e);
	return e;
}

/*
 * libpmemobj's message for the last failure, or a correct one where its
 * text is wrong for pcoll's pools: a full fixed-size pool makes it try to
 * grow the heap and report that "extending the pool by appending parts
 * with headers is not supported".
 */
static inline const char *pc__pmdk_errormsg(void)
{
	const char *m = pmemobj_errormsg();
	if (!m || !*m)
		return "libpmemobj gave no reason";
	if (strstr(m, "appending parts"))
		return "the pool is full";
	return m;
}

/* Snapshot [addr, addr+len) in the running transaction. On failure the
 * transaction is aborted (sticky) and the error returned. */
static inline pc_err pc__tx_snap(const void *addr, size_t len)
{
	if (pmemobj_tx_xadd_range_direct(addr, len, POBJ_XADD_NO_ABORT) != 0) {
		int err = errno;
		if (err == ENOMEM)
			(void)pc__fail(PC_E_FULL,
				       "no room for the undo log of the "
				       "transaction (a snapshot of %zu bytes)",
				       len);
		else
			(void)pc__fail(PC_E_INVAL,
				       "cannot snapshot %zu bytes: %s", len,
				       pc__pmdk_errormsg());
		return pc__tx_abort_with(err == ENOMEM ? PC_E_FULL
						       : PC_E_INVAL);
	}
	return PC_OK;
}

/* Allocate len bytes (zeroed if zero != 0) in the running transaction;
 * the offset goes to *off. Failure aborts the transaction. */
static inline pc_err pc__tx_alloc(size_t len, uint64_t type_num, int zero,
				  uint64_t *off)
{
	if (len == 0 || len > PMEMOBJ_MAX_ALLOC_SIZE) {
		(void)pc__fail(PC_E_TOOBIG,
			       "an allocation of %zu bytes: libpmemobj "
			       "allocates 1 to %llu bytes",
			       len, (unsigned long long)PMEMOBJ_MAX_ALLOC_SIZE);
		return pc__tx_abort_with(PC_E_TOOBIG);
	}
	uint64_t flags = POBJ_XALLOC_NO_ABORT | (zero ? POBJ_XALLOC_ZERO : 0);
	PMEMoid oid = pmemobj_tx_xalloc(len, type_num, flags);
	if (OID_IS_NULL(oid)) {
		int err = errno;
		pc_err e = err == ENOMEM ? PC_E_FULL : PC_E_TOOBIG;
		if (e == PC_E_FULL)
			(void)pc__fail(e, "no room for %zu bytes", len);
		else
			(void)pc__fail(e, "cannot allocate %zu bytes: %s", len,
				       pc__pmdk_errormsg());
		return pc__tx_abort_with(e);
	}
	*off = oid.off;
	return PC_OK;
}

/* Free the object at offset off in the running transaction (off 0: no-op).
 * A free needs room in the transaction's redo log: a transaction that
 * frees more objects than the log of its lane holds needs an extension,
 * which a full pool cannot give (PC_E_FULL). */
static inline pc_err pc__tx_free(uint64_t pool_uuid_lo, uint64_t off)
{
	if (off == 0)
		return PC_OK;
	PMEMoid oid = {pool_uuid_lo, off};
	if (pmemobj_tx_xfree(oid, POBJ_XFREE_NO_ABORT) != 0) {
		int err = errno;
		pc_err e = err == ENOMEM ? PC_E_FULL : PC_E_CORRUPT;
		if (e == PC_E_FULL)
			(void)pc__fail(e,
				       "no room for the transaction's log to "
				       "free the object at offset %llu",
				       (unsigned long long)off);
		else
			(void)pc__fail(e,
				       "cannot free the object at offset %llu: "
				       "%s",
				       (unsigned long long)off,
				       pc__pmdk_errormsg());
		return pc__tx_abort_with(e);
	}
	return PC_OK;
}

/*
 * Strict two-phase locking for synchronized containers (detail/sync.h):
 * the lock words a transaction took, each with the value that unlocks it,
 * stored when this thread's outermost transaction has ended (committed
 * or rolled back), and the transaction's wait-die ticket (0: none drawn
 * yet). pc__tx_ours says whether pcoll began the outermost transaction:
 * only then does pcoll see its end.
 */
typedef struct pc__txrel {
	uint64_t *w;
	uint64_t v;
} pc__txrel;
/* Declared, then defined weak: one object across the program's
 * translation units (-Wmissing-variable-declarations). */
extern _Thread_local pc__txrel *pc__txrel_v;
extern _Thread_local size_t pc__txrel_n;
extern _Thread_local size_t pc__txrel_cap;
extern _Thread_local uint64_t pc__tx_ticket;
extern _Thread_local int pc__tx_ours;
extern uint64_t pc__tx_nticket;
PC__WEAK _Thread_local pc__txrel *pc__txrel_v;
PC__WEAK _Thread_local size_t pc__txrel_n;
PC__WEAK _Thread_local size_t pc__txrel_cap;
PC__WEAK _Thread_local uint64_t pc__tx_ticket;
PC__WEAK _Thread_local int pc__tx_ours;
PC__WEAK uint64_t pc__tx_nticket;

static inline pc_err pc__txrel_push(uint64_t *w, uint64_t v)
{
	if (pc__txrel_n == pc__txrel_cap) {
		size_t ncap = pc__txrel_cap ? 2 * pc__txrel_cap : 16;
		pc__txrel *nv =
			(pc__txrel *)realloc(pc__txrel_v, ncap * sizeof(*nv));
		if (!nv)
			return pc__fail(PC_E_NOMEM,
					"transaction: no memory to record "
					"%zu locks",
					ncap);
		pc__txrel_v = nv;
		pc__txrel_cap = ncap;
	}
	pc__txrel_v[pc__txrel_n].w = w;
	pc__txrel_v[pc__txrel_n].v = v;
	pc__txrel_n++;
	return PC_OK;
}

/* After pmemobj_tx_end(): once the outermost transaction is over, unlock
 * what it locked (in reverse order) and forget its ticket. */
static inline void pc__tx_ended(void)
{
	if (pmemobj_tx_stage() != TX_STAGE_NONE)
		return;
	pc__tx_ours = 0;
	if (PC__LIKELY(!pc__txrel_cap && !pc__tx_ticket))
		return;
	for (size_t i = pc__txrel_n; i-- > 0;)
		__atomic_store_n(pc__txrel_v[i].w, pc__txrel_v[i].v,
				 __ATOMIC_RELEASE);
	free(pc__txrel_v);
	pc__txrel_v = NULL;
	pc__txrel_n = pc__txrel_cap = 0;
	pc__tx_ticket = 0;
}

/*
 * A pcoll call that needs a transaction either joins the caller's running
 * one or opens its own. pc__tx_enter() says which; pc__tx_leave() commits
 * or aborts an own transaction and passes the result through. Inside a
 * joined transaction an error is returned as is: resource errors already
 * aborted it in pc__tx_snap()/pc__tx_alloc().
 */
typedef struct pc__txj {
	int own;
} pc__txj;

static inline pc_err pc__tx_enter(PMEMobjpool *pop, pc__txj *j)
{
	switch (pc__tx_state()) {
	case PC__TX_WORK:
		j->own = 0;
		return PC_OK;
	case PC__TX_DEAD:
		j->own = 0;
		return pc__fail(
			PC_E_ABORTED,
			"the enclosing transaction has already aborted");
	case PC__TX_NONE:
	default:
		break;
	}
	if (pmemobj_tx_begin(pop, NULL, TX_PARAM_NONE) != 0) {
		int err = errno;
		j->own = 0;
		if (pmemobj_tx_stage() != TX_STAGE_NONE)
			(void)pmemobj_tx_end();
		pc__tx_ended();
		return pc__fail(PC_E_ABORTED, "cannot begin a transaction: %s",
				strerror(err));
	}
	pc__tx_ours = 1;
	j->own = 1;
	return PC_OK;
}

static inline pc_err pc__tx_leave(pc__txj *j, pc_err e)
{
	if (!j->own)
		return e;
	if (e != PC_OK) {
		(void)pc__tx_abort_with(e);
		(void)pmemobj_tx_end();
		pc__tx_ended();
		return e;
	}
	if (pmemobj_tx_stage() == TX_STAGE_WORK)
		pmemobj_tx_commit();
	int errnum = pmemobj_tx_end();
	pc__tx_ended();
	return pc__tx_errnum_to_pc(errnum);
}

/** @endcond */

#endif /* PCOLL_DETAIL_TXCORE_H */
