/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PMAP engine): byte strings and pending allocator actions.
 * Storing a probe key or value in its stored form (pc_bytes: inline up to
 * 23 bytes, else an allocation made in the transaction, or reserved as a
 * pending action that the commit point publishes), releasing a string an
 * entry owns (deferred free, or in the transaction), cancelling pending
 * actions, and the separator of a leaf split (for byte strings the
 * shortest prefix that separates). The commit point itself
 * (pc__m_commit) is in map_commit.h with the protocols that use it.
 *
 * Relies on: map_keys.h (byte-string views), map_layout.h (allocation,
 * pc__macts).
 */
#ifndef PCOLL_DETAIL_MAP_BYTES_H
#define PCOLL_DETAIL_MAP_BYTES_H

#include <stdlib.h>
#include <string.h>

#include <libpmemobj.h>

#include "map_keys.h"

/** @cond PCOLL_INTERNAL */

/* A byte string given to a public call: a NULL pointer with a length is
 * PC_E_INVAL, a length over PC_BYTES_MAX PC_E_TOOBIG; nothing is read. */
static inline pc_err pc__m_slice_arg(const pc_slice *s, const char *what,
				     const char *fn)
{
	if (PC__UNLIKELY(!s->ptr && s->len))
		return pc__fail(PC_E_INVAL,
				"%s: the %s is a NULL pointer with a length of "
				"%zu bytes",
				fn, what, s->len);
	if (PC__UNLIKELY(s->len > PC_BYTES_MAX))
		return pc__fail(PC_E_TOOBIG,
				"%s: a %s of %zu bytes, the limit is %zu "
				"(PC_BYTES_MAX)",
				fn, what, s->len, PC_BYTES_MAX);
	return PC_OK;
}

static inline pc_err pc__m_str_store(const pc__mctx *c, void *dst, pc_slice s,
				     int intx, pc__macts *a)
{
	pc_bytes b;
	if (s.len > PC_BYTES_MAX)
		return pc__fail(PC_E_TOOBIG,
				"pmap: byte string of %zu bytes, the limit is "
				"%zu",
				s.len, PC_BYTES_MAX);
	if (s.len <= PC_BYTES_INLINE_MAX) {
		pc__bytes_set_inline(&b, s);
		memcpy(dst, &b, sizeof(b));
		return PC_OK;
	}
	uint64_t off = 0;
	if (c->d->dram) {
		void *p = malloc(s.len);
		if (!p)
			return pc__fail(PC_E_NOMEM, "pmap: out of memory");
		memcpy(p, s.ptr, s.len);
		if (a)
			a->dnew[a->ndnew++] = p;
		off = (uint64_t)(uintptr_t)p;
	} else if (intx) {
		PC_TRY(pc__m_alloc(c, s.len, PC__MAP_TN_STR, &off));
		memcpy(pc__m_at(c, off), s.ptr, s.len);
	} else {
		PMEMoid o = pmemobj_xreserve(c->pool->pop, &a->act[a->n], s.len,
					     PC__MAP_TN_STR, 0);
		if (OID_IS_NULL(o))
			return pc__m_full(
				c, pc__fail(PC_E_FULL,
					    "no room for a byte string of %zu "
					    "bytes",
					    s.len));
		a->n++;
		off = o.off;
		pc_pool_memcpy_nodrain(c->pool, pc__m_at(c, off), s.ptr, s.len);
	}
	pc__bytes_set_ext(&b, off, s.len);
	memcpy(dst, &b, sizeof(b));
	return PC_OK;
}

/* Release the string a stored pc_bytes owns: at commit (non-TX, via an
 * action), inside the transaction, or now/at commit in DRAM. */
static inline pc_err pc__m_str_drop(const pc__mctx *c, const void *stored,
				    int intx, pc__macts *a)
{
	pc_bytes b;
	memcpy(&b, stored, sizeof(b));
	uint64_t off = pc__bytes_off(&b);
	if (!off)
		return PC_OK;
	if (c->d->dram) {
		if (a)
			a->dfree[a->ndfree++] = (void *)(uintptr_t)off;
		else
			free((void *)(uintptr_t)off);
		return PC_OK;
	}
	if (intx || !a)
		return pc__tx_free(c->pool->uuid_lo, off);
	PMEMoid o = {c->pool->uuid_lo, off};
#ifdef PCOLL_TEST_BUG_MAP_EARLY_FREE
	/* Deliberately broken test build: freed before the commit. */
	pmemobj_free(&o);
#else
	pmemobj_defer_free(c->pool->pop, o, &a->act[a->n++]);
#endif
	return PC_OK;
}

static inline void pc__m_acts_cancel(const pc__mctx *c, pc__macts *a)
{
	if (c->d->dram) {
		for (unsigned i = 0; i < a->ndnew; i++)
			free(a->dnew[i]);
		a->ndnew = 0;
		return;
	}
	if (a->n)
		pmemobj_cancel(c->pool->pop, a->act, a->n);
	a->n = 0;
}

/* Stored separator for a split between stored keys a < b: b itself for
 * fixed keys; for byte strings the shortest prefix of b greater than a
 * (inline when short, else a new allocation the inner node owns). */
static inline pc_err pc__m_sep_make(const pc__mctx *c, const void *a,
				    const void *b, unsigned char *out)
{
	if (c->d->kkind != PC__MK_BYTES) {
		memcpy(out, b, c->d->ksz);
		return PC_OK;
	}
	pc_slice sa = pc__mk_bview(c, a), sb = pc__mk_bview(c, b);
	size_t cp = 0, n = PC__MAP_MIN(sa.len, sb.len);
	const unsigned char *x = (const unsigned char *)sa.ptr;
	const unsigned char *y = (const unsigned char *)sb.ptr;
	while (cp < n && x[cp] == y[cp])
		cp++;
	size_t plen = PC__MAP_MIN(cp + 1, sb.len);
	pc_slice sep = pc_slice_make(sb.ptr, plen);
	pc_bytes r;
	if (plen <= PC_BYTES_INLINE_MAX) {
		pc__bytes_set_inline(&r, sep);
	} else {
		uint64_t off = 0;
		PC_TRY(pc__m_alloc(c, plen, PC__MAP_TN_STR, &off));
		memcpy(pc__m_at(c, off), sep.ptr, plen);
		pc__bytes_set_ext(&r, off, plen);
	}
	memcpy(out, &r, sizeof(r));
	return PC_OK;
}

/* Free a stored key owned by an inner node or an entry, in a
 * transaction (or at once in DRAM). */
static inline pc_err pc__m_key_drop_tx(const pc__mctx *c, const void *stored)
{
	if (c->d->kkind != PC__MK_BYTES)
		return PC_OK;
	return pc__m_str_drop(c, stored, 1, NULL);
}

static inline pc_err pc__m_val_drop_tx(const pc__mctx *c, const void *stored)
{
	if (!c->d->vbytes)
		return PC_OK;
	return pc__m_str_drop(c, stored, 1, NULL);
}

/* Write probe key pk / probe value pv in stored form at dst. */
static inline pc_err pc__m_key_store(const pc__mctx *c, void *dst,
				     const void *pk, int intx, pc__macts *a)
{
	if (c->d->kkind == PC__MK_BYTES)
		return pc__m_str_store(c, dst, *(const pc_slice *)pk, intx, a);
	memcpy(dst, pk, c->d->ksz);
	return PC_OK;
}

static inline pc_err pc__m_val_store(const pc__mctx *c, void *dst,
				     const void *pv, int intx, pc__macts *a)
{
	if (c->d->vbytes)
		return pc__m_str_store(c, dst, *(const pc_slice *)pv, intx, a);
	memcpy(dst, pv, c->d->vsz);
	return PC_OK;
}

/** @endcond */

#endif /* PCOLL_DETAIL_MAP_BYTES_H */
