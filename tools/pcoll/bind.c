/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll tool core: container binding. A map's descriptor (sizes, key
 * kind, node layout) rebuilt from its signature alone, as the typed layer
 * would build it, so that the commands can read a map whose types they do
 * not know; its binding to a header in a pool; its length counted along
 * the leaf chain with every offset checked. Relies on the map engine
 * (detail/map_impl.h). The other containers need no binding: their
 * signatures are fixed and their public *_root() functions open them.
 */
#define _GNU_SOURCE
#include "pct.h"

#include <string.h>

#ifdef PCT_HAVE_MAP
/* Key kind of an integer type name, 0 when the name is not one. */
static uint32_t pct_int_kind(const char *n)
{
	static const char *const sints[] = {"short",   "int",       "long",
					    "int8_t",  "int16_t",   "int32_t",
					    "int64_t", "intptr_t",  "intmax_t",
					    "ssize_t", "ptrdiff_t", "off_t"};
	static const char *const uints[] = {"unsigned",  "size_t",   "uint8_t",
					    "uint16_t",  "uint32_t", "uint64_t",
					    "uintptr_t", "uintmax_t"};
	for (size_t i = 0; i < sizeof(sints) / sizeof(sints[0]); i++)
		if (strcmp(n, sints[i]) == 0)
			return PC__MK_SINT;
	for (size_t i = 0; i < sizeof(uints) / sizeof(uints[0]); i++)
		if (strcmp(n, uints[i]) == 0)
			return PC__MK_UINT;
	if (strcmp(n, "char") == 0)
		return (char)-1 < 0 ? PC__MK_SINT : PC__MK_UINT;
	return 0;
}

pc_err pct_map_desc(const pc_typesig *sig, pct_map *m)
{
	memset(m, 0, sizeof(*m));
	char name[PC_TYPENAME_MAX + 1];
	memcpy(name, sig->name, sizeof(name));
	name[PC_TYPENAME_MAX] = '\0';
	char *lt = strchr(name, '<');
	char *comma = lt ? strchr(lt, ',') : NULL;
	char *gt = comma ? strrchr(comma, '>') : NULL;
	if (strncmp(name, "pmap<", 5) != 0 || !comma || !gt)
		return pc__fail(PC_E_TYPE,
				"map signature name \"%s\" is not pmap<K,V>",
				name);
	*comma = '\0';
	*gt = '\0';
	(void)snprintf(m->kname, sizeof(m->kname), "%s", lt + 1);
	(void)snprintf(m->vname, sizeof(m->vname), "%s", comma + 1);
	uint32_t ks = sig->size, ka = sig->align;
	uint32_t vs = sig->size2, va = sig->align2;
	if (ks == 0 || ks > PC__MAP_KMAX || vs == 0 || ka == 0 || ka > 64 ||
	    va == 0 || va > 64 || (ka & (ka - 1)) || (va & (va - 1)))
		return pc__fail(PC_E_CORRUPT,
				"map signature has impossible sizes %u/%u, "
				"alignments %u/%u",
				ks, vs, ka, va);
	pc__mapd *d = &m->d;
	if (strcmp(m->kname, "bytes") == 0) {
		d->kkind = PC__MK_BYTES;
	} else {
		d->kkind = pct_int_kind(m->kname);
		if (d->kkind && ks != 1 && ks != 2 && ks != 4 && ks != 8)
			d->kkind = 0;
	}
	m->kkind_known = d->kkind != 0;
	if (!d->kkind)
		d->kkind = PC__MK_FN;
	d->ksz = ks;
	d->vsz = vs;
	d->vbytes = strcmp(m->vname, "bytes") == 0;
	d->dram = 0;
	d->vinplace = !d->vbytes &&
		      (vs == 1 || vs == 2 || vs == 4 || vs == 8) && va == vs;
	d->voff = (uint32_t)PC__MAP_VOFF(ks, ka, va);
	d->slot = (uint32_t)PC__MAP_SLOT(ks, ka, vs, va);
	d->lcap = (uint32_t)PC__MAP_LCAP(d->slot);
	d->lsize = (uint32_t)(PC__ML_HDR + d->lcap * d->slot);
	d->icap = (uint32_t)PC__MAP_ICAP(ks);
	d->ikoff = (uint32_t)PC__MAP_IKOFF(ks, ka);
	d->isize = (uint32_t)(d->ikoff + d->icap * ks);
	d->cmp = NULL; /* the program's comparator is not available */
	return PC_OK;
}

pc_err pct_map_bind(pc_pool *pool, uint64_t off, const pc_typesig *sig,
		    pct_map *m)
{
	PC_TRY(pct_map_desc(sig, m));
	PC_TRY(pc__m_open_check(pool, off, &m->d, sig, "map"));
	m->c.d = &m->d;
	m->c.pool = pool;
	m->c.base = (uintptr_t)pool->base;
	m->c.h = (struct pc__maphdr *)pc_pool_ptr(pool, off);
	return PC_OK;
}

/* Entries counted along the leaf chain, every offset checked first (so a
 * damaged map gives an error, not a crash). */
pc_err pct_map_len(const pct_map *m, uint64_t *len, uint64_t *leaves)
{
	const pc__mctx *c = &m->c;
	uint64_t off = c->h->root;
	for (unsigned l = 0; l < c->h->height; l++) {
		if (!pc__pool_range_ok(c->pool, off, m->d.isize))
			return pc__fail(PC_E_CORRUPT,
					"map: inner node offset out of range");
		const struct pc__minner *n = pc__mi(c, off);
		off = n->child[0];
	}
	uint64_t cnt = 0, nl = 0;
	while (off) {
		if (!pc__pool_range_ok(c->pool, off, m->d.lsize) ||
		    ++nl > (c->pool->size ? c->pool->size / m->d.lsize + 1
					  : ((uint64_t)1 << 40)))
			return pc__fail(PC_E_CORRUPT,
					"map: leaf chain is damaged");
		const struct pc__mleaf *l = pc__ml(c, off);
		cnt += (uint64_t)__builtin_popcountll(l->bitmap);
		off = l->next;
	}
	*len = cnt;
	*leaves = nl;
	return PC_OK;
}
#endif
