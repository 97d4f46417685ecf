/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PMAP typed layer): the per-instance helpers behind the public
 * functions of <pcoll/map.h>: the default comparator, the instance's
 * descriptor (its sizes folded into constants), the context, the key and
 * value references handed out, the type signature, the handle check, and
 * the iterator glue.
 *
 * map.h includes this file once per instantiation, after the public types
 * (NAME, NAME_key .. NAME_iter) and with PC__M() and the PC__MK_* and
 * PC__MV_* macros defined: hence no include guard. map.h #undefs the
 * macros defined here.
 *
 * Relies on: detail/map_engine.h (pc__mapd, pc__mctx, pc__mit, key kinds).
 */
#ifndef PC__M
#error "detail/map_typed.h is included by <pcoll/map.h> only"
#endif

/** @cond PCOLL_INTERNAL */
#ifdef PC_CMP
static inline int PC__M(_cmp)(const void *a, const void *b)
{
	return PC_CMP((const PC__MK_T *)a, (const PC__MK_T *)b);
}
#define PC__M_KKIND PC__MK_FN
#define PC__M_CMPFN PC__M(_cmp)
#elif defined(PC_K_BYTES)
#define PC__M_KKIND PC__MK_BYTES
#define PC__M_CMPFN NULL
#else
/* Default: compare with < and >. Integer types take the inline fast path
 * (PC__MAP_KIND); other arithmetic types (double, _Bool) use this
 * function; a struct key without PC_CMP fails to compile here. */
static inline int PC__M(_cmp)(const void *a, const void *b)
{
	const PC_K *x = (const PC_K *)a, *y = (const PC_K *)b;
	return (*x > *y) - (*x < *y);
}
#define PC__M_KKIND PC__MAP_KIND(PC_K)
#define PC__M_CMPFN PC__M(_cmp)
#endif
#ifdef PC_V_BYTES
#define PC__M_VBYTES 1
#else
#define PC__M_VBYTES 0
#endif
#ifdef PC_DRAM
#define PC__M_DRAM 1
#else
#define PC__M_DRAM 0
#endif
#define PC__M_KS   sizeof(PC__MK_T)
#define PC__M_KA   _Alignof(PC__MK_T)
#define PC__M_VS   sizeof(PC__MV_T)
#define PC__M_VA   _Alignof(PC__MV_T)
#define PC__M_SLOT PC__MAP_SLOT(PC__M_KS, PC__M_KA, PC__M_VS, PC__M_VA)

/* The descriptor folds the instance's sizes into constants; for some
 * K and V the compared sizes coincide, which clang-tidy flags. */
/* NOLINTBEGIN(misc-redundant-expression,bugprone-branch-clone) */
static const pc__mapd PC__M(_desc) = {
	PC__M_KKIND,
	(uint32_t)PC__M_KS,
	(uint32_t)PC__M_VS,
	PC__M_VBYTES,
	PC__M_DRAM,
	!PC__M_VBYTES &&
		(PC__M_VS == 1 || PC__M_VS == 2 || PC__M_VS == 4 ||
		 PC__M_VS == 8) &&
		PC__M_VA == PC__M_VS,
	(uint32_t)PC__MAP_VOFF(PC__M_KS, PC__M_KA, PC__M_VA),
	(uint32_t)PC__M_SLOT,
	(uint32_t)PC__MAP_LCAP(PC__M_SLOT),
	(uint32_t)(PC__ML_HDR + PC__MAP_LCAP(PC__M_SLOT) * PC__M_SLOT),
	(uint32_t)PC__MAP_ICAP(PC__M_KS),
	(uint32_t)PC__MAP_IKOFF(PC__M_KS, PC__M_KA),
	(uint32_t)(PC__MAP_IKOFF(PC__M_KS, PC__M_KA) +
		   PC__MAP_ICAP(PC__M_KS) * PC__M_KS),
	PC__M_CMPFN,
};
/* NOLINTEND(misc-redundant-expression,bugprone-branch-clone) */

static inline pc__mctx PC__M(_ctx)(const PC_NAME *m)
{
	pc__mctx c;
	c.d = &PC__M(_desc);
	c.pool = m->pool;
	c.base = PC__M_DRAM ? 0 : (uintptr_t)m->pool->base;
	c.h = m->h;
	return c;
}

static inline PC__M(kref) PC__M(_kref)(const pc__mctx *c, const void *sk)
{
#ifdef PC_K_BYTES
	return pc__mk_bview(c, sk);
#else
	(void)c;
	return (const PC_K *)sk;
#endif
}

static inline PC__M(vref) PC__M(_vref)(const pc__mctx *c, const void *sv)
{
#ifdef PC_V_BYTES
	if (!sv)
		return pc_slice_make(NULL, 0);
	return pc__mk_bview(c, sv);
#else
	(void)c;
	return (const PC_V *)sv;
#endif
}

static inline pc_typesig PC__M(_sig)(void)
{
	return pc__sig_make(
		"pmap<" PC__STR(PC__MK_NAME) "," PC__STR(PC__MV_NAME) ">",
		PC_KIND_MAP, PC__MAP_VERSION, PC__M_KS, PC__M_KA, PC__M_VS,
		PC__M_VA);
}

static inline int PC__M(_bad)(const PC_NAME *m)
{
	return !m || !m->h || (!PC__M_DRAM && !m->pool);
}
/** @endcond */

/** @cond PCOLL_INTERNAL */
static inline bool PC__M(_itset)(PC__M(iter) * it, int ok)
{
	if (!ok)
		return false;
	const unsigned char *s = pc__mit_slot(&it->it);
	it->key = PC__M(_kref)(&it->it.c, s);
	it->val = PC__M(_vref)(&it->it.c, s + it->it.c.d->voff);
	return true;
}

static inline void PC__M(_itinit)(const PC_NAME *m, PC__M(iter) * it,
				  const PC__M(key) * lo, pc_bound lob,
				  const PC__M(key) * hi, pc_bound hib)
{
	memset(it, 0, sizeof(*it));
	it->it.c = PC__M(_ctx)(m);
	if (lo && lob != PC_UNBOUNDED)
		it->lo = *lo;
	if (hi && hib != PC_UNBOUNDED)
		it->hi = *hi;
	it->it.lob = (uint8_t)(lo ? lob : PC_UNBOUNDED);
	it->it.hib = (uint8_t)(hi ? hib : PC_UNBOUNDED);
}

static inline void PC__M(_itfix)(PC__M(iter) * it)
{
	it->it.lo = &it->lo;
	it->it.hi = &it->hi;
}
/** @endcond */
