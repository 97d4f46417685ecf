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

/* Snapshot [addr, addr+len) in the running transaction. On failure the
 * transaction is aborted (sticky) and the error returned. */
static inline pc_err pc__tx_snap(const void *addr, size_t len)
{
	if (pmemobj_tx_xadd_range_direct(addr, len, POBJ_XADD_NO_ABORT) != 0) {
		int err = errno;
		pc_err e = err == ENOMEM ? PC_E_FULL : PC_E_INVAL;
		(void)pc__fail(e, "snapshot of %zu bytes failed: %s", len,
			       pmemobj_errormsg());
		return pc__tx_abort_with(e);
	}
	return PC_OK;
}

/* Allocate len bytes (zeroed if zero != 0) in the running transaction;
 * the offset goes to *off. Failure aborts the transaction. */
static inline pc_err pc__tx_alloc(size_t len, uint64_t type_num, int zero,
				  uint64_t *off)
{
	uint64_t flags = POBJ_XALLOC_NO_ABORT | (zero ? POBJ_XALLOC_ZERO : 0);
	PMEMoid oid = pmemobj_tx_xalloc(len, type_num, flags);
	if (OID_IS_NULL(oid)) {
		int err = errno;
		pc_err e = (err == ENOMEM) ? PC_E_FULL : PC_E_TOOBIG;
		if (err == EINVAL)
			e = PC_E_TOOBIG;
		(void)pc__fail(e, "allocation of %zu bytes failed: %s", len,
			       pmemobj_errormsg());
		return pc__tx_abort_with(e);
	}
	*off = oid.off;
	return PC_OK;
}

/* Free the object at offset off in the running transaction (off 0: no-op). */
static inline pc_err pc__tx_free(uint64_t pool_uuid_lo, uint64_t off)
{
	if (off == 0)
		return PC_OK;
	PMEMoid oid = {pool_uuid_lo, off};
	if (pmemobj_tx_xfree(oid, POBJ_XFREE_NO_ABORT) != 0) {
		(void)pc__fail(PC_E_CORRUPT,
			       "free of object at offset %llu failed: %s",
			       (unsigned long long)off, pmemobj_errormsg());
		return pc__tx_abort_with(PC_E_CORRUPT);
	}
	return PC_OK;
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
		return pc__fail(PC_E_ABORTED, "cannot begin a transaction: %s",
				strerror(err));
	}
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
		return e;
	}
	if (pmemobj_tx_stage() == TX_STAGE_WORK)
		pmemobj_tx_commit();
	int errnum = pmemobj_tx_end();
	return pc__tx_errnum_to_pc(errnum);
}

/** @endcond */

#endif /* PCOLL_DETAIL_TXCORE_H */
