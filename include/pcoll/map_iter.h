/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file map_iter.h
 * @brief PMAP(K,V), second part: iterators, ranges, pmemkv-style counts and
 * visits of an instantiated map.
 *
 * Not included by users: <pcoll/map.h> includes it inside each
 * instantiation (it uses that instantiation's names and types). The
 * generated names are documented with the instance name `NAME`, as in
 * map.h; the iteration promise of a synchronized map (`PC_SYNC`) is in
 * docs/map.md, "Concurrency: PC_SYNC".
 */
#ifndef PC__M
#error "include <pcoll/map.h>, which includes pcoll/map_iter.h for each map"
#endif
/* ---------------------------------------------------------------- */
/* Iteration                                                         */
/* ---------------------------------------------------------------- */

/**
 * @brief Position @p it on the first key of the range from @p lo to
 * @p hi, each end bounded as its `pc_bound` says (PC_UNBOUNDED ignores
 * the key). next() and prev() stay inside the range.
 * @return true when positioned; false when the range is empty (also when
 * lo > hi, or lo == hi with an excluded end).
 *
 * Transactions: any; changes nothing.
 * @param m the map's handle.
 * @param lo the lower end's key (ignored when @p lob is PC_UNBOUNDED).
 * @param lob how @p lo bounds the range.
 * @param hi the upper end's key (ignored when @p hib is PC_UNBOUNDED).
 * @param hib how @p hi bounds the range.
 * @param it the iterator to position.
 *
 * Fences: none (reads only).
 */
static inline bool PC__M(range)(const PC_NAME *m, PC__M(key) lo, pc_bound lob,
				PC__M(key) hi, pc_bound hib, PC__M(iter) * it)
{
	if (PC__M(_range_args)(m, it, &lo, lob, &hi, hib, "pmap_range"))
		return false;
	PC__M(_itinit)(m, it, &lo, lob, &hi, hib);
	PC__M(_itfix)(it);
	return PC__M(_itset)(it, PC__M(_e_first)(it));
}

/** @brief As range(), positioned on the last key of the range (for
 * backward iteration with prev()).
 * @param m the map's handle.
 * @param lo the lower end's key (ignored when @p lob is PC_UNBOUNDED).
 * @param lob how @p lo bounds the range.
 * @param hi the upper end's key (ignored when @p hib is PC_UNBOUNDED).
 * @param hib how @p hi bounds the range.
 * @param it the iterator to position.
 * @return true when positioned; false when the range is empty.
 *
 * Fences: none (reads only).
 * Transactions: any; changes nothing.
 */
static inline bool PC__M(range_back)(const PC_NAME *m, PC__M(key) lo,
				     pc_bound lob, PC__M(key) hi, pc_bound hib,
				     PC__M(iter) * it)
{
	if (PC__M(_range_args)(m, it, &lo, lob, &hi, hib, "pmap_range_back"))
		return false;
	PC__M(_itinit)(m, it, &lo, lob, &hi, hib);
	PC__M(_itfix)(it);
	return PC__M(_itset)(it, PC__M(_e_last)(it));
}

/**
 * @brief Position on the smallest key; false when empty.
 * @param m the map's handle.
 * @param it the iterator to position.
 * @return true when positioned; false when the map is empty.
 *
 * Fences: none (reads only).
 * Transactions: any; changes nothing.
 */
static inline bool PC__M(first)(const PC_NAME *m, PC__M(iter) * it)
{
	if (PC__M(_range_args)(m, it, NULL, PC_UNBOUNDED, NULL, PC_UNBOUNDED,
			       "pmap_first"))
		return false;
	PC__M(_itinit)(m, it, NULL, PC_UNBOUNDED, NULL, PC_UNBOUNDED);
	PC__M(_itfix)(it);
	return PC__M(_itset)(it, PC__M(_e_first)(it));
}

/**
 * @brief Position on the largest key; false when empty.
 * @param m the map's handle.
 * @param it the iterator to position.
 * @return true when positioned; false when the map is empty.
 *
 * Fences: none (reads only).
 * Transactions: any; changes nothing.
 */
static inline bool PC__M(last)(const PC_NAME *m, PC__M(iter) * it)
{
	if (PC__M(_range_args)(m, it, NULL, PC_UNBOUNDED, NULL, PC_UNBOUNDED,
			       "pmap_last"))
		return false;
	PC__M(_itinit)(m, it, NULL, PC_UNBOUNDED, NULL, PC_UNBOUNDED);
	PC__M(_itfix)(it);
	return PC__M(_itset)(it, PC__M(_e_last)(it));
}

/** @brief Position on the first key >= @p key (unbounded afterwards);
 * false when there is none.
 * @param m the map's handle.
 * @param key the key (a ::pc_slice for byte-string keys).
 * @param it the iterator to position.
 * @return true when positioned.
 *
 * Fences: none (reads only).
 * Transactions: any; changes nothing.
 */
static inline bool PC__M(lower_bound)(const PC_NAME *m, PC__M(key) key,
				      PC__M(iter) * it)
{
	if (PC__M(_range_args)(m, it, &key, PC_INCLUDED, NULL, PC_UNBOUNDED,
			       "pmap_lower_bound"))
		return false;
	PC__M(_itinit)(m, it, &key, PC_INCLUDED, NULL, PC_UNBOUNDED);
	PC__M(_itfix)(it);
	bool ok = PC__M(_itset)(it, PC__M(_e_first)(it));
	it->it.lob = PC_UNBOUNDED;
	return ok;
}

/** @brief Position on the first key > @p key (unbounded afterwards);
 * false when there is none.
 * @param m the map's handle.
 * @param key the key (a ::pc_slice for byte-string keys).
 * @param it the iterator to position.
 * @return true when positioned.
 *
 * Fences: none (reads only).
 * Transactions: any; changes nothing.
 */
static inline bool PC__M(upper_bound)(const PC_NAME *m, PC__M(key) key,
				      PC__M(iter) * it)
{
	if (PC__M(_range_args)(m, it, &key, PC_EXCLUDED, NULL, PC_UNBOUNDED,
			       "pmap_upper_bound"))
		return false;
	PC__M(_itinit)(m, it, &key, PC_EXCLUDED, NULL, PC_UNBOUNDED);
	PC__M(_itfix)(it);
	bool ok = PC__M(_itset)(it, PC__M(_e_first)(it));
	it->it.lob = PC_UNBOUNDED;
	return ok;
}

/**
 * @brief Move to the next key; false at the end (of the range).
 * @param it a positioned iterator; its key and val then name the next entry.
 * @return true when moved; false at the end.
 *
 * Fences: none (reads only).
 * Transactions: any; changes nothing. The map must not change while @p it is in use.
 */
static inline bool PC__M(next)(PC__M(iter) * it)
{
	if (!it) {
		(void)pc__fail(PC_E_INVAL, "pmap_next: NULL iterator");
		return false;
	}
	int r = PC__M(_e_fastnext)(it);
	if (r >= 0)
		return r != 0;
	PC__M(_itfix)(it);
	return PC__M(_itset)(it, PC__M(_e_next)(it));
}

/**
 * @brief Move to the previous key; false at the start (of the range).
 * @param it a positioned iterator; its key and val then name the previous entry.
 * @return true when moved; false at the start.
 *
 * Fences: none (reads only).
 * Transactions: any; changes nothing. The map must not change while @p it is in use.
 */
static inline bool PC__M(prev)(PC__M(iter) * it)
{
	if (!it) {
		(void)pc__fail(PC_E_INVAL, "pmap_prev: NULL iterator");
		return false;
	}
	PC__M(_itfix)(it);
	return PC__M(_itset)(it, PC__M(_e_prev)(it));
}

/**
 * @brief Stop using @p it before a move has returned false: releases the
 * copies a synchronized byte-string map's iterator holds (nothing to do
 * otherwise, but always allowed). The iterator is then ended.
 * @param it the iterator; may be NULL.
 *
 * Fences: none.
 * Transactions: any.
 */
static inline void PC__M(iter_end)(PC__M(iter) * it)
{
	if (it)
		PC__M(_e_itend)(it);
}

/**
 * @brief Iterator over all keys, from the smallest (same as first()).
 * @param m the map's handle.
 * @param it the iterator to position.
 * @return true when positioned; false when the map is empty.
 *
 * Fences: none (reads only).
 * Transactions: any; changes nothing.
 */
static inline bool PC__M(iter_all)(const PC_NAME *m, PC__M(iter) * it)
{
	return PC__M(first)(m, it);
}

/**
 * @brief Iterator over the keys > @p key, ascending.
 * @param m the map's handle.
 * @param key the keys visited are greater.
 * @param it the iterator to position.
 * @return true when positioned; false when no key is greater.
 *
 * Fences: none (reads only).
 * Transactions: any; changes nothing.
 */
static inline bool PC__M(iter_above)(const PC_NAME *m, PC__M(key) key,
				     PC__M(iter) * it)
{
	return PC__M(range)(m, key, PC_EXCLUDED, key, PC_UNBOUNDED, it);
}

/**
 * @brief Iterator over the keys < @p key, ascending.
 * @param m the map's handle.
 * @param key the keys visited are smaller.
 * @param it the iterator to position.
 * @return true when positioned; false when no key is smaller.
 *
 * Fences: none (reads only).
 * Transactions: any; changes nothing.
 */
static inline bool PC__M(iter_below)(const PC_NAME *m, PC__M(key) key,
				     PC__M(iter) * it)
{
	return PC__M(range)(m, key, PC_UNBOUNDED, key, PC_EXCLUDED, it);
}

/**
 * @brief Iterator over the keys k with @p k1 < k < @p k2, ascending.
 * @param m the map's handle.
 * @param k1 the lower key (excluded).
 * @param k2 the upper key (excluded).
 * @param it the iterator to position.
 * @return true when positioned; false when the range is empty.
 *
 * Fences: none (reads only).
 * Transactions: any; changes nothing.
 */
static inline bool PC__M(iter_between)(const PC_NAME *m, PC__M(key) k1,
				       PC__M(key) k2, PC__M(iter) * it)
{
	return PC__M(range)(m, k1, PC_EXCLUDED, k2, PC_EXCLUDED, it);
}

/* ---------------------------------------------------------------- */
/* pmemkv-style counts and visits                                    */
/* ---------------------------------------------------------------- */

/**
 * @brief Number of entries (same as len()). Transactions: any.
 * @param m the map's handle.
 * @return the number of entries.
 *
 * Fences: none (reads only).
 */
static inline size_t PC__M(count_all)(const PC_NAME *m)
{
	return PC__M(len)(m);
}

/** @brief Number of keys > @p key. Cost: two descents and the leaves in
 * between (popcount each). Transactions: any.
 * @param m the map's handle.
 * @param key the keys counted are greater.
 * @return the count.
 *
 * Fences: none (reads only).
 */
static inline size_t PC__M(count_above)(const PC_NAME *m, PC__M(key) key)
{
	if (PC__M(_args)(m, &key, NULL, "pmap_count_above") != PC_OK)
		return 0;
	pc__mctx c = PC__M(_ctx)(m);
	return PC__M(_e_count)(&c, PC__M_KP(key), PC_EXCLUDED, PC__M_KP(key),
			       PC_UNBOUNDED);
}

/**
 * @brief Number of keys < @p key. Transactions: any.
 * @param m the map's handle.
 * @param key the keys counted are smaller.
 * @return the count.
 *
 * Fences: none (reads only).
 */
static inline size_t PC__M(count_below)(const PC_NAME *m, PC__M(key) key)
{
	if (PC__M(_args)(m, &key, NULL, "pmap_count_below") != PC_OK)
		return 0;
	pc__mctx c = PC__M(_ctx)(m);
	return PC__M(_e_count)(&c, PC__M_KP(key), PC_UNBOUNDED, PC__M_KP(key),
			       PC_EXCLUDED);
}

/** @brief Number of keys k with @p k1 < k < @p k2 (0 when k1 >= k2).
 * Transactions: any.
 * @param m the map's handle.
 * @param k1 the lower key (excluded).
 * @param k2 the upper key (excluded).
 * @return the count.
 *
 * Fences: none (reads only).
 */
static inline size_t PC__M(count_between)(const PC_NAME *m, PC__M(key) k1,
					  PC__M(key) k2)
{
	if (PC__M(_args)(m, &k1, NULL, "pmap_count_between") != PC_OK ||
	    PC__M(_args)(m, &k2, NULL, "pmap_count_between") != PC_OK)
		return 0;
	pc__mctx c = PC__M(_ctx)(m);
	return PC__M(_e_count)(&c, PC__M_KP(k1), PC_EXCLUDED, PC__M_KP(k2),
			       PC_EXCLUDED);
}

/**
 * @brief Number of keys in a range bounded as in range().
 * @param m the map's handle.
 * @param lo the lower end's key (ignored when @p lob is PC_UNBOUNDED).
 * @param lob how @p lo bounds the range.
 * @param hi the upper end's key (ignored when @p hib is PC_UNBOUNDED).
 * @param hib how @p hi bounds the range.
 * @return the count.
 *
 * Fences: none (reads only).
 * Transactions: any; changes nothing.
 */
static inline size_t PC__M(count_range)(const PC_NAME *m, PC__M(key) lo,
					pc_bound lob, PC__M(key) hi,
					pc_bound hib)
{
	PC__M(iter) chk;
	if (PC__M(_range_args)(m, &chk, &lo, lob, &hi, hib,
			       "pmap_count_range") != PC_OK)
		return 0;
	pc__mctx c = PC__M(_ctx)(m);
	return PC__M(_e_count)(&c, PC__M_KP(lo), lob, PC__M_KP(hi), hib);
}

/** @cond PCOLL_INTERNAL */
static inline int PC__M(_visit)(PC__M(iter) * it, bool ok, PC__M(visit_fn) fn,
				void *arg)
{
	if (!fn) {
		PC__M(_e_itend)(it);
		return pc__fail(PC_E_INVAL, "pmap_get_*: NULL visitor");
	}
	for (; ok; ok = PC__M(next)(it)) {
		int r = fn(it->key, it->val, arg);
		if (r) {
			PC__M(_e_itend)(it);
			return r;
		}
	}
	return 0;
}
/** @endcond */

/**
 * @brief Call @p fn on every entry in key order until it returns nonzero.
 * @return 0 when all were visited, else @p fn's nonzero value;
 * ::PC_E_INVAL for a NULL @p fn (a NULL or unbound map, or a key it
 * cannot hold, visits nothing: 0, with pc_errmsg() saying why).
 * @p fn must not change the map. Transactions: any.
 * @param m the map's handle.
 * @param fn the visitor, called with each key and value and @p arg.
 * @param arg passed to @p fn.
 *
 * Fences: none (reads only).
 */
static inline int PC__M(get_all)(const PC_NAME *m, PC__M(visit_fn) fn,
				 void *arg)
{
	PC__M(iter) it;
	return PC__M(_visit)(&it, PC__M(first)(m, &it), fn, arg);
}

/**
 * @brief As get_all(), over the keys > @p key.
 * @param m the map's handle.
 * @param key the keys visited are greater.
 * @param fn the visitor, called with each key and value and @p arg.
 * @param arg passed to @p fn.
 * @return 0 when all were visited, else @p fn's nonzero value.
 *
 * Fences: none (reads only).
 * Transactions: any; changes nothing.
 */
static inline int PC__M(get_above)(const PC_NAME *m, PC__M(key) key,
				   PC__M(visit_fn) fn, void *arg)
{
	PC__M(iter) it;
	return PC__M(_visit)(&it, PC__M(iter_above)(m, key, &it), fn, arg);
}

/**
 * @brief As get_all(), over the keys < @p key.
 * @param m the map's handle.
 * @param key the keys visited are smaller.
 * @param fn the visitor, called with each key and value and @p arg.
 * @param arg passed to @p fn.
 * @return 0 when all were visited, else @p fn's nonzero value.
 *
 * Fences: none (reads only).
 * Transactions: any; changes nothing.
 */
static inline int PC__M(get_below)(const PC_NAME *m, PC__M(key) key,
				   PC__M(visit_fn) fn, void *arg)
{
	PC__M(iter) it;
	return PC__M(_visit)(&it, PC__M(iter_below)(m, key, &it), fn, arg);
}

/**
 * @brief As get_all(), over the keys k with @p k1 < k < @p k2.
 * @param m the map's handle.
 * @param k1 the lower key (excluded).
 * @param k2 the upper key (excluded).
 * @param fn the visitor, called with each key and value and @p arg.
 * @param arg passed to @p fn.
 * @return 0 when all were visited, else @p fn's nonzero value.
 *
 * Fences: none (reads only).
 * Transactions: any; changes nothing.
 */
static inline int PC__M(get_between)(const PC_NAME *m, PC__M(key) k1,
				     PC__M(key) k2, PC__M(visit_fn) fn,
				     void *arg)
{
	PC__M(iter) it;
	return PC__M(_visit)(&it, PC__M(iter_between)(m, k1, k2, &it), fn, arg);
}
