/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vec_bulk.h
 * @brief PVEC(T), second part: whole-vector operations of an instantiated
 * vector: truncate, clear, reserve, extend, sort and free.
 *
 * Not included by users: <pcoll/vec.h> includes it inside each
 * instantiation (it uses that instantiation's names and types). The
 * generated names are documented with the instance name `NAME`, as in
 * vec.h.
 */
#ifndef PC__VN
#error "include <pcoll/vec.h>, which includes pcoll/vec_bulk.h for each vector"
#endif
/**
 * @brief Shorten the vector to @p n elements; no-op when @p n >= len.
 * Capacity is kept.
 *
 * Outside a transaction: one 8-byte store, 1 fence. Inside: snapshots len
 * and the dropped elements (a later push in the same transaction may
 * reuse their slots), so clearing a large vector inside a transaction
 * copies it to the undo log.
 * @return ::PC_OK, ::PC_E_FULL (snapshot; aborts), ::PC_E_ABORTED.
 *
 * Transactions: joins one if open.
 * @param v the vector's handle.
 * @param n the new length.
 *
 * Fences: 1 outside a transaction (none when @p n >= len); none of its own inside one.
 */
PC_MUST_USE static inline pc_err PC__VN(_truncate)(PC_NAME *v, size_t n)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_truncate"))
		return PC_E_INVAL;
	pc_err e = pc__vec_truncate(v->pool, v->h, sizeof(PC_T), n,
				    PC__STR(PC_NAME) "_truncate");
	return PC__VN(_done_)(v, e, PC__STR(PC_NAME) "_truncate");
}

/**
 * @brief Remove every element (NAME_truncate() to 0); capacity is kept.
 * @return as NAME_truncate(). Transactions: joins one if open.
 * @param v the vector's handle.
 *
 * Fences: as NAME_truncate(): 1 outside a transaction.
 */
PC_MUST_USE static inline pc_err PC__VN(_clear)(PC_NAME *v)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_clear"))
		return PC_E_INVAL;
	pc_err e = pc__vec_truncate(v->pool, v->h, sizeof(PC_T), 0,
				    PC__STR(PC_NAME) "_clear");
	return PC__VN(_done_)(v, e, PC__STR(PC_NAME) "_clear");
}

/**
 * @brief Make room for at least @p additional more elements (capacity
 * becomes the next power of two at or above len + additional, or more).
 *
 * Growth runs in an own transaction outside one (allocate, copy, switch,
 * free the old array); no-op when the room is there.
 * @return ::PC_OK, ::PC_E_FULL, ::PC_E_TOOBIG, ::PC_E_ABORTED.
 *
 * Transactions: joins one if open; otherwise runs its own.
 * @param v the vector's handle.
 * @param additional the elements to make room for beyond len.
 *
 * Fences: none when the room is there; else those of an own transaction outside one (about 12); none of its own inside one.
 */
PC_MUST_USE static inline pc_err PC__VN(_reserve)(PC_NAME *v, size_t additional)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_reserve"))
		return PC_E_INVAL;
	pc_err e = pc__vec_reserve(v->pool, v->h, sizeof(PC_T), additional,
				   PC__STR(PC_NAME) "_reserve");
	return PC__VN(_done_)(v, e, PC__STR(PC_NAME) "_reserve");
}

/**
 * @brief Append the @p n elements of @p src, all or nothing.
 *
 * Outside a transaction: grows once if needed (own transaction), copies
 * the elements past len (non-temporal stores for large copies), fences,
 * stores the new len, persists: 2 fences. Inside: snapshots len only.
 * @p n == 0 is a no-op (@p src may then be NULL).
 * @return ::PC_OK, ::PC_E_INVAL (@p src NULL with n > 0), ::PC_E_FULL,
 * ::PC_E_TOOBIG, ::PC_E_ABORTED. On error the vector is unchanged.
 *
 * Transactions: joins one if open.
 * @param v the vector's handle.
 * @param src the elements to append (volatile or pool memory).
 * @param n how many.
 *
 * Fences: 2 for any @p n outside a transaction (growth adds an own transaction); none of its own inside one.
 */
PC_MUST_USE static inline pc_err PC__VN(_extend)(PC_NAME *v, const PC_T *src,
						 size_t n)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_extend"))
		return PC_E_INVAL;
	pc_err e = pc__vec_extend(v->pool, v->h, sizeof(PC_T), src, n,
				  PC__STR(PC_NAME) "_extend");
	return PC__VN(_done_)(v, e, PC__STR(PC_NAME) "_extend");
}

/** @cond PCOLL_INTERNAL */
static inline int PC__VN(_cmp_tramp_)(const void *a, const void *b, void *ctx)
{
	PC__VN(_cmp) cmp = *(const PC__VN(_cmp) *)ctx;
	return cmp((const PC_T *)a, (const PC_T *)b);
}
/** @endcond */

/**
 * @brief Sort the elements with @p cmp. The sort is stable: elements that
 * compare equal keep their order.
 *
 * A merge sort in volatile memory (2 x len x sizeof(T) bytes of malloc),
 * then one transactional write-back that snapshots the len elements
 * (an own transaction outside one).
 * @return ::PC_OK, ::PC_E_INVAL (@p cmp NULL), ::PC_E_NOMEM,
 * ::PC_E_FULL (snapshot), ::PC_E_ABORTED.
 *
 * Transactions: joins one if open; otherwise runs its own.
 * @param v the vector's handle.
 * @param cmp the comparator.
 *
 * Fences: those of an own transaction outside one (about 7); none of its own inside one.
 */
PC_MUST_USE static inline pc_err PC__VN(_sort)(PC_NAME *v, PC__VN(_cmp) cmp)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_sort"))
		return PC_E_INVAL;
	if (!cmp)
		return pc__fail(PC_E_INVAL, "%s_sort: NULL comparator",
				PC__STR(PC_NAME));
	return PC__VN(_done_)(v,
			      pc__vec_sort(v->pool, v->h, sizeof(PC_T),
					   PC__VN(_cmp_tramp_), &cmp,
					   PC__STR(PC_NAME) "_sort"),
			      PC__STR(PC_NAME) "_sort");
}

/**
 * @brief Free the vector's array. A vector made by NAME_root() is also
 * unbound from its root name and its header freed (the handle becomes
 * invalid: `v->h` is set to NULL); an embedded one (NAME_init_in()) stays
 * a valid, empty vector.
 * @return ::PC_OK, ::PC_E_INVAL (NULL handle), ::PC_E_FULL, ::PC_E_CORRUPT,
 * ::PC_E_ABORTED.
 *
 * Transactions: joins one if open (the free happens at commit); otherwise
 * runs its own.
 * @param v the vector's handle.
 *
 * Fences: those of an own transaction outside one; none of its own inside one.
 */
PC_MUST_USE static inline pc_err PC__VN(_free)(PC_NAME *v)
{
	if (PC__VN(_bad_)(v, PC__STR(PC_NAME) "_free"))
		return PC_E_INVAL;
	pc__txj j;
	PC_TRY(pc__tx_enter(v->pool->pop, &j));
	int standalone = (v->h->flags & PC__VEC_STANDALONE) != 0;
	pc_err e = pc__tx_leave(&j, pc__vec_free_tx(v->pool, v->h));
	if (e == PC_OK && standalone)
		v->h = NULL;
	return e;
}
