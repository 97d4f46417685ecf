/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Heap oracle: after recovery, every object libpmemobj has allocated must
 * be owned by something reachable from the pool's root directory, and
 * everything the containers and user roots point to must be an allocated
 * object of the right type, owned once.
 *
 * The heap side is libpmemobj's own object walk (pmemobj_first/next). The
 * reference side walks the root directory and, by kind, each container's
 * persistent layout: a PVEC's element array, every PMAP node and every
 * out-of-line byte string of a live entry or separator, a PLOG's chunk
 * chain, a PBLKARR's area; user structs report their pointers through the
 * scenario's obj_refs. It reads pcoll's internal layouts (the structs of
 * the container headers), checked first by the containers' own check
 * functions; every offset is still bounds-checked here.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#ifdef CR_HAVE_VEC
#define PC_T    uint64_t
#define PC_NAME cr_heap_vec
#include <pcoll/vec.h>
#endif
#ifdef CR_HAVE_MAP
#include <pcoll/map.h>
#endif
#ifdef CR_HAVE_LOG
#include <pcoll/log.h>
#endif
#ifdef CR_HAVE_BLK
#include <pcoll/blkarr.h>
#endif

struct cr_ref {
	uint64_t off, tn;
	char what[80];
};

struct cr_refs {
	struct cr_ref *v;
	size_t n, cap;
	const pc_pool *pool;
	int bad; /* a reference outside the pool was seen */
	char badwhy[200];
};

void cr_refs_add(cr_refs *r, uint64_t off, uint64_t typenum, const char *what)
{
	if (off == 0)
		return;
	if (r->pool->size && (off < 4096 || off >= r->pool->size)) {
		if (!r->bad)
			(void)snprintf(r->badwhy, sizeof(r->badwhy),
				       "%s: offset %llu is outside the pool",
				       what, (unsigned long long)off);
		r->bad = 1;
		return;
	}
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 256;
		struct cr_ref *nv =
			(struct cr_ref *)realloc(r->v, nc * sizeof(*nv));
		if (!nv)
			abort();
		r->v = nv;
		r->cap = nc;
	}
	r->v[r->n].off = off;
	r->v[r->n].tn = typenum;
	(void)snprintf(r->v[r->n].what, sizeof(r->v[r->n].what), "%s", what);
	r->n++;
}

/* A pointer to len bytes at offset off, or NULL when outside the pool. */
static const void *at(const pc_pool *pool, uint64_t off, size_t len)
{
	if (off < 4096 || (pool->size && off + len > pool->size))
		return NULL;
	return pool->base + off;
}

/* ------------------------------------------------------------------ */
/* Containers                                                           */
/* ------------------------------------------------------------------ */

#ifdef CR_HAVE_MAP
struct mwalk {
	cr_refs *r;
	const pc_pool *pool;
	const char *name;
	uint32_t ks, vs, ikoff, voff, slot, lcap, icap, isize;
	int kbytes, vbytes;
	uint64_t nodes;
};

static void map_str(struct mwalk *m, const void *stored, const char *what)
{
	pc_bytes b;
	memcpy(&b, stored, sizeof(b));
	char w[80];
	(void)snprintf(w, sizeof(w), "%s: %s string", m->name, what);
	cr_refs_add(m->r, pc__bytes_off(&b), PC__MAP_TN_STR, w);
}

static void map_node(struct mwalk *m, uint64_t off, unsigned lvl)
{
	char w[80];
	if (++m->nodes > 10000000)
		return;
	if (lvl == 0) {
		(void)snprintf(w, sizeof(w), "%s: leaf", m->name);
		cr_refs_add(m->r, off, PC__MAP_TN_LEAF, w);
		const struct pc__mleaf *l = (const struct pc__mleaf *)at(
			m->pool, off, PC__ML_HDR + (size_t)m->lcap * m->slot);
		if (!l)
			return;
		for (uint64_t b = l->bitmap; b; b &= b - 1) {
			unsigned i = (unsigned)__builtin_ctzll(b);
			if (i >= m->lcap)
				break;
			const unsigned char *s = l->slots + (size_t)i * m->slot;
			if (m->kbytes)
				map_str(m, s, "key");
			if (m->vbytes)
				map_str(m, s + m->voff, "value");
		}
		return;
	}
	(void)snprintf(w, sizeof(w), "%s: inner node", m->name);
	cr_refs_add(m->r, off, PC__MAP_TN_INNER, w);
	const struct pc__minner *n =
		(const struct pc__minner *)at(m->pool, off, m->isize);
	if (!n || n->n > m->icap)
		return;
	if (m->kbytes)
		for (unsigned i = 0; i < n->n; i++)
			map_str(m,
				(const unsigned char *)n + m->ikoff +
					(size_t)i * m->ks,
				"separator");
	for (unsigned i = 0; i <= n->n; i++)
		map_node(m, n->child[i], lvl - 1);
}

static void walk_map(const pc_pool *pool, const struct pc__dirent *e,
		     cr_refs *r)
{
	const struct pc__maphdr *h =
		(const struct pc__maphdr *)at(pool, e->off, sizeof(*h));
	if (!h || h->height >= PC__MAP_MAXH)
		return;
	struct mwalk m;
	memset(&m, 0, sizeof(m));
	m.r = r;
	m.pool = pool;
	m.name = e->name;
	m.ks = e->sig.size;
	m.vs = e->sig.size2;
	uint32_t ka = e->sig.align, va = e->sig.align2;
	/* "pmap<K,V>" or, synchronized, "pmap_sync<K,V>". */
	const char *kv = strchr(e->sig.name, '<');
	m.kbytes = kv && strncmp(kv, "<bytes,", 7) == 0;
	size_t nl = strlen(e->sig.name);
	m.vbytes = nl > 7 && strcmp(e->sig.name + nl - 7, ",bytes>") == 0;
	if (ka == 0 || va == 0)
		return;
	m.ikoff = (uint32_t)PC__MAP_IKOFF(m.ks, ka);
	m.voff = (uint32_t)PC__MAP_VOFF(m.ks, ka, va);
	m.slot = h->slot;
	m.lcap = h->lcap;
	m.icap = h->icap;
	m.isize = h->isize;
	if (m.lcap > 64 || m.slot == 0)
		return;
	map_node(&m, h->root, (unsigned)h->height);
}
#endif

static void walk_vec(const pc_pool *pool, const struct pc__dirent *e,
		     cr_refs *r)
{
#ifdef CR_HAVE_VEC
	const struct pc__vec *h =
		(const struct pc__vec *)at(pool, e->off, sizeof(*h));
	char w[80];
	(void)snprintf(w, sizeof(w), "%s: element array", e->name);
	if (h)
		cr_refs_add(r, h->data_off, pc__sig_typenum(&e->sig) ^ 1u, w);
#else
	(void)pool;
	(void)e;
	(void)r;
#endif
}

static void walk_log(const pc_pool *pool, const struct pc__dirent *e,
		     cr_refs *r)
{
#ifdef CR_HAVE_LOG
	const struct plog__hdr *h =
		(const struct plog__hdr *)at(pool, e->off, sizeof(*h));
	uint64_t c = h ? h->first : 0;
	for (uint64_t i = 0; c && i < 1000000; i++) {
		char w[80];
		(void)snprintf(w, sizeof(w), "%s: chunk %llu", e->name,
			       (unsigned long long)i);
		cr_refs_add(r, c, plog__chunk_typenum(), w);
		const struct plog__chunk *ch =
			(const struct plog__chunk *)at(pool, c, sizeof(*ch));
		c = ch ? ch->next : 0;
	}
#else
	(void)pool;
	(void)e;
	(void)r;
#endif
}

static void walk_blk(const pc_pool *pool, const struct pc__dirent *e,
		     cr_refs *r)
{
#ifdef CR_HAVE_BLK
	const struct pc__blkhdr *h =
		(const struct pc__blkhdr *)at(pool, e->off, sizeof(*h));
	char w[80];
	(void)snprintf(w, sizeof(w), "%s: block area", e->name);
	if (h)
		cr_refs_add(r, h->area_off, pc__sig_typenum(&e->sig) ^ 1u, w);
#else
	(void)pool;
	(void)e;
	(void)r;
#endif
}

/* ------------------------------------------------------------------ */
/* The check                                                            */
/* ------------------------------------------------------------------ */

struct hobj {
	uint64_t off, tn;
	size_t size;
};

static int by_off_h(const void *a, const void *b)
{
	const struct hobj *x = (const struct hobj *)a;
	const struct hobj *y = (const struct hobj *)b;
	return (x->off > y->off) - (x->off < y->off);
}

static int by_off_r(const void *a, const void *b)
{
	const struct cr_ref *x = (const struct cr_ref *)a;
	const struct cr_ref *y = (const struct cr_ref *)b;
	return (x->off > y->off) - (x->off < y->off);
}

uint64_t cr_scratch_typenum(void);

static const char *tn_name(uint64_t tn)
{
#ifdef CR_HAVE_MAP
	if (tn == PC__MAP_TN_LEAF)
		return "a map leaf";
	if (tn == PC__MAP_TN_INNER)
		return "a map inner node";
	if (tn == PC__MAP_TN_STR)
		return "a map byte string";
#endif
#ifdef CR_HAVE_LOG
	if (tn == plog__chunk_typenum())
		return "a log chunk";
#endif
	if (tn == (PC__DIR_MAGIC >> 1))
		return "the root directory";
	return NULL;
}

static void describe(uint64_t tn, char *buf, size_t n)
{
	const char *nm = tn_name(tn);
	if (nm)
		(void)snprintf(buf, n, "%s", nm);
	else
		(void)snprintf(buf, n, "type %llx", (unsigned long long)tn);
}

/* Every reference held by the root directory, the containers and the
 * user roots (through the scenario's obj_refs). */
static void collect_refs(pc_pool *pool, const cr_scenario *s, cr_refs *r)
{
	memset(r, 0, sizeof(*r));
	r->pool = pool;
	const struct pc__dir *d =
		pool->root->dir_off
			? (const struct pc__dir *)at(pool, pool->root->dir_off,
						     sizeof(*d))
			: NULL;
	if (d) {
		cr_refs_add(r, pool->root->dir_off, PC__DIR_MAGIC >> 1,
			    "the root directory");
		if (!at(pool, pool->root->dir_off,
			sizeof(*d) + d->count * sizeof(d->ent[0])))
			d = NULL;
	}
	for (uint64_t i = 0; d && i < d->count; i++) {
		const struct pc__dirent *e = &d->ent[i];
		char w[80];
		(void)snprintf(w, sizeof(w), "root \"%.40s\"", e->name);
		cr_refs_add(r, e->off, pc__sig_typenum(&e->sig), w);
		switch (e->sig.kind) {
		case PC_KIND_VEC:
			walk_vec(pool, e, r);
			break;
#ifdef CR_HAVE_MAP
		case PC_KIND_MAP:
			walk_map(pool, e, r);
			break;
#endif
		case PC_KIND_LOG:
			walk_log(pool, e, r);
			break;
		case PC_KIND_BLKARR:
			walk_blk(pool, e, r);
			break;
		case PC_KIND_OBJ:
			if (s && s->obj_refs)
				s->obj_refs(pool, e->name, e->off, r);
			break;
		default:
			break;
		}
	}
}

int cr_heap_check(pc_pool *pool, const cr_scenario *s, char *why, size_t n)
{
	size_t hn = 0, hcap = 256;
	struct hobj *h = (struct hobj *)malloc(hcap * sizeof(*h));
	if (!h)
		abort();
	uint64_t scratch = cr_scratch_typenum();
	for (PMEMoid o = pmemobj_first(pool->pop); !OID_IS_NULL(o);
	     o = pmemobj_next(o)) {
		uint64_t tn = pmemobj_type_num(o);
		if (tn == scratch)
			continue;
		if (hn == hcap) {
			hcap *= 2;
			struct hobj *nh =
				(struct hobj *)realloc(h, hcap * sizeof(*h));
			if (!nh)
				abort();
			h = nh;
		}
		h[hn].off = o.off;
		h[hn].tn = tn;
		h[hn].size = pmemobj_alloc_usable_size(o);
		hn++;
	}
	cr_refs r;
	collect_refs(pool, s, &r);
	int bad = 0;
	if (r.bad) {
		bad = cr_why(why, n, "%s", r.badwhy);
		goto out;
	}
	/* (qsort() must not see a null array, even an empty one.) */
	if (hn > 1)
		qsort(h, hn, sizeof(*h), by_off_h);
	if (r.n > 1)
		qsort(r.v, r.n, sizeof(*r.v), by_off_r);
	for (size_t i = 1; i < r.n && !bad; i++)
		if (r.v[i].off == r.v[i - 1].off)
			bad = cr_why(
				why, n,
				"the object at offset %llu is owned twice: "
				"by %s and by %s",
				(unsigned long long)r.v[i].off, r.v[i - 1].what,
				r.v[i].what);
	size_t a = 0, b = 0;
	while (!bad && (a < hn || b < r.n)) {
		char t1[64], t2[64];
		if (b == r.n || (a < hn && h[a].off < r.v[b].off)) {
			describe(h[a].tn, t1, sizeof(t1));
			bad = cr_why(why, n,
				     "leak: the object at offset %llu (%s, %zu "
				     "bytes) is allocated but nothing owns it",
				     (unsigned long long)h[a].off, t1,
				     h[a].size);
		} else if (a == hn || r.v[b].off < h[a].off) {
			describe(r.v[b].tn, t1, sizeof(t1));
			bad = cr_why(why, n,
				     "dangling reference: %s points to offset "
				     "%llu, which is not an allocated object "
				     "(expected %s)",
				     r.v[b].what,
				     (unsigned long long)r.v[b].off, t1);
		} else if (h[a].tn != r.v[b].tn) {
			describe(h[a].tn, t1, sizeof(t1));
			describe(r.v[b].tn, t2, sizeof(t2));
			bad = cr_why(
				why, n,
				"%s points to offset %llu, which holds %s, "
				"expected %s",
				r.v[b].what, (unsigned long long)r.v[b].off, t1,
				t2);
		} else {
			a++;
			b++;
		}
	}
out:
	free(h);
	free(r.v);
	return bad;
}

void cr_volatile_ranges(pc_pool *pool, void (*add)(size_t off, size_t len))
{
	const struct pc__dir *d =
		pool->root && pool->root->dir_off
			? (const struct pc__dir *)at(pool, pool->root->dir_off,
						     sizeof(*d))
			: NULL;
	if (d && !at(pool, pool->root->dir_off,
		     sizeof(*d) + d->count * sizeof(d->ent[0])))
		d = NULL;
	for (uint64_t i = 0; d && i < d->count; i++) {
		const struct pc__dirent *e = &d->ent[i];
		switch (e->sig.kind) {
#ifdef CR_HAVE_LOG
		case PC_KIND_LOG: {
			/* The appenders' mutex, the readers' lock and the
			 * run-time state, at the end of the header. */
			size_t lo = offsetof(struct plog__hdr, mtx);
			if (at(pool, e->off, sizeof(struct plog__hdr)))
				add(e->off + lo, sizeof(struct plog__hdr) - lo);
			break;
		}
#endif
#ifdef CR_HAVE_BLK
		case PC_KIND_BLKARR: {
			const struct pc__blkhdr *h =
				(const struct pc__blkhdr *)at(pool, e->off,
							      sizeof(*h));
			if (!h)
				break;
			add(e->off + offsetof(struct pc__blkhdr, vlt),
			    sizeof(h->vlt));
			if (at(pool, h->vol_off, sizeof(struct pc__blkvol)))
				add(h->vol_off, sizeof(struct pc__blkvol));
			break;
		}
#endif
		default:
			break;
		}
	}
}

void cr_known_ranges(pc_pool *pool, const cr_scenario *s,
		     void (*add)(size_t off, size_t len, void *arg), void *arg)
{
	cr_refs r;
	collect_refs(pool, s, &r);
	add((size_t)((char *)pool->root - pool->base), sizeof(struct pc__root),
	    arg);
	for (size_t i = 0; i < r.n; i++) {
		PMEMoid o = {pool->uuid_lo, r.v[i].off};
		size_t len = pmemobj_alloc_usable_size(o);
		if (pool->size &&
		    (len > pool->size || r.v[i].off + len > pool->size))
			len = (size_t)(pool->size - r.v[i].off);
		add((size_t)r.v[i].off, len, arg);
	}
	free(r.v);
}
