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
#ifdef PC_SYNC
/* A synchronized map's engine calls are forced inline, so the
 * descriptor stays a constant in them. */
#define PC__M_EINLINE __attribute__((always_inline))
#define PC__M_SYNC    1
#define PC__M_SIGNAME "pmap_sync<"
#else
#define PC__M_EINLINE
#define PC__M_SYNC    0
#define PC__M_SIGNAME "pmap<"
#endif
#define PC__M_KS sizeof(PC__MK_T)
#define PC__M_KA _Alignof(PC__MK_T)
#define PC__M_VS sizeof(PC__MV_T)
#define PC__M_VA _Alignof(PC__MV_T)
/* The slot size, computed once (the MAX of two equal alignments is a
 * "branch clone" to clang-tidy at every use otherwise). */
/* NOLINTBEGIN(bugprone-branch-clone) */
enum {
	PC__M(_slot_size) = PC__MAP_SLOT(PC__M_KS, PC__M_KA, PC__M_VS, PC__M_VA)
};
/* NOLINTEND(bugprone-branch-clone) */
#define PC__M_SLOT ((size_t)PC__M(_slot_size))

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
	PC__M_SYNC,
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
#ifdef PC_SYNC
	c.tab = m->tab;
#else
	c.tab = NULL;
#endif
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
		PC__M_SIGNAME PC__STR(PC__MK_NAME) "," PC__STR(PC__MV_NAME) ">",
		PC_KIND_MAP, PC__MAP_VERSION, PC__M_KS, PC__M_KA, PC__M_VS,
		PC__M_VA);
}

static inline int PC__M(_bad)(const PC_NAME *m)
{
#ifdef PC_SYNC
	if (m && !m->tab)
		return 1;
#endif
	return !m || !m->h || (!PC__M_DRAM && !m->pool);
}

/*
 * The argument check of every public call, before anything is read: the
 * handle, then a key and a value given as byte strings (NULL: none to
 * check; a fixed-size key or value needs none). PC_E_INVAL or
 * PC_E_TOOBIG, recorded in pc_errmsg().
 */
static inline pc_err PC__M(_args)(const PC_NAME *m, const PC__M(key) * key,
				  const PC__M(val) * val, const char *fn)
{
	if (PC__M(_bad)(m))
		return pc__fail(PC_E_INVAL, "%s: NULL or unbound map", fn);
#ifdef PC_K_BYTES
	if (key)
		PC_TRY(pc__m_slice_arg(key, "key", fn));
#else
	(void)key;
#endif
#ifdef PC_V_BYTES
	if (val)
		PC_TRY(pc__m_slice_arg(val, "value", fn));
#else
	(void)val;
#endif
	return PC_OK;
}

/* What get() hands out for an absent key. */
static inline PC__M(vref) PC__M(_vnone)(void)
{
	PC__M(vref) r;
	memset(&r, 0, sizeof(r));
	return r;
}

/* range()'s bounds: each key is checked unless its end is unbounded. */
static inline pc_err PC__M(_range_args)(const PC_NAME *m, PC__M(iter) * it,
					const PC__M(key) * lo, pc_bound lob,
					const PC__M(key) * hi, pc_bound hib,
					const char *fn)
{
	if (it)
		memset(it, 0, sizeof(*it));
	if (!it)
		return pc__fail(PC_E_INVAL, "%s: NULL iterator", fn);
	if ((unsigned)lob > PC_EXCLUDED || (unsigned)hib > PC_EXCLUDED)
		return pc__fail(PC_E_INVAL, "%s: bad bound kind %d/%d", fn,
				(int)lob, (int)hib);
	PC_TRY(PC__M(_args)(m, lob == PC_UNBOUNDED ? NULL : lo, NULL, fn));
	return PC__M(_args)(m, hib == PC_UNBOUNDED ? NULL : hi, NULL, fn);
}
/** @endcond */

/** @cond PCOLL_INTERNAL */
#ifdef PC_SYNC
/* The copies of the current entry, as handed out. */
static inline bool PC__M(_itset)(PC__M(iter) * it, int ok)
{
	if (ok <= 0) { /* ended: nothing to keep */
#ifdef PC_K_BYTES
		pc__msbuf_free(&it->kc[0].b);
		pc__msbuf_free(&it->kc[1].b);
#endif
#ifdef PC_V_BYTES
		pc__msbuf_free(&it->vc.b);
#endif
		it->it.leaf = 0;
		return false;
	}
#if !defined(PC_K_BYTES) && !defined(PC_V_BYTES)
	if (it->it.bat) { /* batch mode: fixed keys and values */
		const unsigned char *e =
			it->it.bat +
			(size_t)it->it.ord[it->it.pos] * PC__M_SLOT;
		it->key = (PC__M(kref))(const void *)e;
		it->val = (PC__M(vref))(
			const void *)(e + PC__MAP_VOFF(PC__M_KS, PC__M_KA,
						       PC__M_VA));
		return true;
	}
#endif
#ifdef PC_K_BYTES
	it->key =
		pc_slice_make(it->kc[it->it.cur].b.p, it->kc[it->it.cur].b.len);
#else
	it->key = &it->kc[it->it.cur].k;
#endif
#ifdef PC_V_BYTES
	it->val = pc_slice_make(it->vc.b.p, it->vc.b.len);
#else
	it->val = &it->vc.v;
#endif
	return true;
}
#else
static inline bool PC__M(_itset)(PC__M(iter) * it, int ok)
{
	if (!ok)
		return false;
	const unsigned char *s = pc__mit_slot(&it->it);
	it->key = PC__M(_kref)(&it->it.c, s);
	it->val = PC__M(_vref)(&it->it.c, s + it->it.c.d->voff);
	return true;
}
#endif

static inline void PC__M(_itinit)(const PC_NAME *m, PC__M(iter) * it,
				  const PC__M(key) * lo, pc_bound lob,
				  const PC__M(key) * hi, pc_bound hib)
{
#ifdef PC_SYNC
	/* The engine state and the byte-string buffers start empty; the
	 * fixed copies and the batch need no clearing (large). */
	memset(&it->it, 0, sizeof(it->it));
	memset(&it->kc, 0, sizeof(it->kc));
	memset(&it->vc, 0, sizeof(it->vc));
	memset(&it->lo, 0, sizeof(it->lo));
	memset(&it->hi, 0, sizeof(it->hi));
#else
	memset(it, 0, sizeof(*it));
#endif
	it->it.c = PC__M(_ctx)(m);
	if (lo && lob != PC_UNBOUNDED)
		it->lo.k = *lo;
	if (hi && hib != PC_UNBOUNDED)
		it->hi.k = *hi;
	it->it.lob = (uint8_t)(lo ? lob : PC_UNBOUNDED);
	it->it.hib = (uint8_t)(hi ? hib : PC_UNBOUNDED);
}

static inline void PC__M(_itfix)(PC__M(iter) * it)
{
	it->it.lo = &it->lo;
	it->it.hi = &it->hi;
#ifdef PC_SYNC
	/* The engine's pointers into the iterator, set again at every call
	 * (the caller may have copied the iterator). */
	it->it.fn = "pmap iteration";
#ifdef PC_K_BYTES
	it->it.kb[0] = &it->kc[0].b;
	it->it.kb[1] = &it->kc[1].b;
#else
	it->it.kb[0] = &it->kc[0].k;
	it->it.kb[1] = &it->kc[1].k;
#endif
#if !defined(PC_K_BYTES) && !defined(PC_V_BYTES)
	it->it.bat = PC__M_SLOT <= PC__MSB_SLOT ? it->bat : NULL;
#endif
#ifdef PC_V_BYTES
	it->it.vc = &it->vc.b;
#else
	it->it.vc = &it->vc.v;
#endif
#endif
}
/** @endcond */

/* ---------------------------------------------------------------- */
/* The engine calls of this instance: plain or synchronized          */
/* ---------------------------------------------------------------- */

/** @cond PCOLL_INTERNAL */
__attribute__((always_inline)) static inline pc_err
PC__M(_e_insert)(const pc__mctx *c, const void *pk, const void *pv, int replace,
		 int *replaced, const char *fn)
{
#ifdef PC_SYNC
	return pc__ms_insert(c, &PC__M(_desc), pk, pv, replace, replaced, fn);
#else
	return pc__m_insert(c, pk, pv, replace, replaced, fn);
#endif
}

__attribute__((always_inline)) static inline pc_err
PC__M(_e_remove)(const pc__mctx *c, const void *pk, void *vout, const char *fn)
{
#ifdef PC_SYNC
	return pc__ms_remove(c, &PC__M(_desc), pk, vout, fn);
#else
	return pc__m_remove(c, pk, vout, fn);
#endif
}

#ifdef PC_SYNC
/* A synchronized map hands out copies. get()'s copy lives in this
 * thread's storage until its next get() of a synchronized map. */
#ifdef PC_V_BYTES
PC__M_EINLINE static inline PC__M(vref)
	PC__M(_e_get)(const pc__mctx *c, const void *pk)
{
	pc__msbuf *b = pc__ms_tlsbuf();
	pc__msout o = {NULL, NULL, b};
	if (!b || pc__msr_get(c, &PC__M(_desc), pk, &o, "pmap_get") <= 0)
		return pc_slice_make(NULL, 0);
	return pc_slice_make(b->len ? (const void *)b->p : (const void *)"",
			     b->len);
}
#else
static _Thread_local PC__MV_T PC__M(_tlsval);
PC__M_EINLINE static inline PC__M(vref)
	PC__M(_e_get)(const pc__mctx *c, const void *pk)
{
	pc__msout o = {&PC__M(_tlsval), NULL, NULL};
	if (pc__msr_get(c, &PC__M(_desc), pk, &o, "pmap_get") <= 0)
		return NULL;
	return &PC__M(_tlsval);
}
#endif
#else
PC__M_EINLINE static inline PC__M(vref)
	PC__M(_e_get)(const pc__mctx *c, const void *pk)
{
	return PC__M(_vref)(c, pc__m_get(c, pk));
}
#endif

/* Copy the value of pk to out (a V, or a pc_vbuf for byte strings): 1
 * present, 0 absent, -1 error. */
PC__M_EINLINE static inline int PC__M(_e_copy)(const pc__mctx *c,
					       const void *pk, PC__MV_OUT *out)
{
#ifdef PC_SYNC
#ifdef PC_V_BYTES
	pc__msout o = {NULL, out, NULL};
#else
	pc__msout o = {out, NULL, NULL};
#endif
	return pc__msr_get(c, &PC__M(_desc), pk, out ? &o : NULL,
			   "pmap_get_copy");
#else
	const void *sv = pc__m_get(c, pk);
	if (!sv)
		return 0;
	if (out)
		pc__m_val_out(c, sv, out);
	return 1;
#endif
}

PC__M_EINLINE static inline int PC__M(_e_contains)(const pc__mctx *c,
						   const void *pk)
{
#ifdef PC_SYNC
	return pc__msr_get(c, &PC__M(_desc), pk, NULL, "pmap_contains") > 0;
#else
	return pc__m_get(c, pk) != NULL;
#endif
}

PC__M_EINLINE static inline int PC__M(_e_is_empty)(const pc__mctx *c)
{
#ifdef PC_SYNC
	return pc__msr_is_empty(c, &PC__M(_desc), "pmap_is_empty");
#else
	return pc__m_is_empty(c);
#endif
}

static inline pc_err PC__M(_clear_ex)(const pc__mctx *c, void *arg)
{
	(void)arg;
	return pc__m_clear(c);
}

static inline pc_err PC__M(_check_ex)(const pc__mctx *c, void *arg)
{
	return pc__m_check(c, (const char *)arg);
}

PC__M_EINLINE static inline pc_err PC__M(_e_clear)(const pc__mctx *c)
{
#ifdef PC_SYNC
	return pc__ms_exclusive(c, PC__M(_clear_ex), NULL, "pmap_clear");
#else
	return PC__M(_clear_ex)(c, NULL);
#endif
}

PC__M_EINLINE static inline pc_err PC__M(_e_check)(const pc__mctx *c)
{
#ifdef PC_SYNC
	return pc__ms_exclusive(c, PC__M(_check_ex), (void *)"pmap_check",
				"pmap_check");
#else
	return PC__M(_check_ex)(c, (void *)"pmap_check");
#endif
}

/* Iterator moves: 1 positioned, 0 ended (or an error, in pc_errmsg()). */
PC__M_EINLINE static inline int PC__M(_e_first)(PC__M(iter) * it)
{
#ifdef PC_SYNC
	return pc__msit_first(&it->it, &PC__M(_desc));
#else
	return pc__mit_seek_first(&it->it);
#endif
}

PC__M_EINLINE static inline int PC__M(_e_last)(PC__M(iter) * it)
{
#ifdef PC_SYNC
	return pc__msit_last(&it->it, &PC__M(_desc));
#else
	return pc__mit_seek_last(&it->it);
#endif
}

PC__M_EINLINE static inline int PC__M(_e_next)(PC__M(iter) * it)
{
#ifdef PC_SYNC
	return pc__msit_next(&it->it, &PC__M(_desc));
#else
	return pc__mit_next(&it->it);
#endif
}

PC__M_EINLINE static inline int PC__M(_e_prev)(PC__M(iter) * it)
{
#ifdef PC_SYNC
	return pc__msit_prev(&it->it, &PC__M(_desc));
#else
	return pc__mit_prev(&it->it);
#endif
}

/* Number of keys in a range. */
PC__M_EINLINE static inline size_t PC__M(_e_count)(const pc__mctx *c,
						   const void *lo, pc_bound lob,
						   const void *hi, pc_bound hib)
{
#ifdef PC_SYNC
	PC__M(iter) it;
	memset(&it, 0, sizeof(it));
	PC__M(_itfix)(&it);
	it.it.c = *c;
	it.it.lo = lo;
	it.it.hi = hi;
	it.it.lob = (uint8_t)lob;
	it.it.hib = (uint8_t)hib;
	it.it.fn = "pmap_count";
	long long n = pc__ms_count(&it.it, &PC__M(_desc));
#ifdef PC_K_BYTES
	pc__msbuf_free(&it.kc[0].b);
	pc__msbuf_free(&it.kc[1].b);
#endif
	return n < 0 ? 0 : (size_t)n;
#else
	if (lob == PC_UNBOUNDED && hib == PC_UNBOUNDED)
		return pc__m_len(c);
	return pc__m_count_range(c, lo, lob, hi, hib);
#endif
}

/* next() without leaving the iterator's own batch (synchronized map,
 * small fixed entries): 1 or 0 when it could tell, -1 otherwise (the
 * general path then runs). Uses only the iterator's own fields, so a
 * copied iterator works too. */
static inline int PC__M(_e_fastnext)(PC__M(iter) * it)
{
#if defined(PC_SYNC) && !defined(PC_K_BYTES) && !defined(PC_V_BYTES)
	if (PC__M_SLOT > PC__MSB_SLOT || !it->it.leaf)
		return -1;
	unsigned p = it->it.pos + 1u;
	while (p < it->it.n && !pc__msit_live(&it->it, &PC__M(_desc), p))
		p++;
	if (p >= it->it.n)
		return -1;
	it->it.pos = (uint8_t)p;
	const unsigned char *e = it->bat + (size_t)it->it.ord[p] * PC__M_SLOT;
	if (it->it.hib != PC_UNBOUNDED &&
	    !pc__msit_inb(&it->it, &PC__M(_desc), &it->hi, it->it.hib, 1, e)) {
		it->it.leaf = 0;
		return 0;
	}
	it->key = (PC__M(kref))(const void *)e;
	it->val = (PC__M(vref))(
		const void *)(e + PC__MAP_VOFF(PC__M_KS, PC__M_KA, PC__M_VA));
	return 1;
#else
	(void)it;
	return -1;
#endif
}

/* Release what an iterator holds (copies of byte strings). */
PC__M_EINLINE static inline void PC__M(_e_itend)(PC__M(iter) * it)
{
#ifdef PC_SYNC
#ifdef PC_K_BYTES
	pc__msbuf_free(&it->kc[0].b);
	pc__msbuf_free(&it->kc[1].b);
#endif
#ifdef PC_V_BYTES
	pc__msbuf_free(&it->vc.b);
#endif
	it->it.leaf = 0;
#else
	it->it.leaf = 0;
#endif
}
/** @endcond */
