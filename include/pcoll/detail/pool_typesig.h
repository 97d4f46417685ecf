/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: type signatures and the object header. A pc_typesig says what
 * a pcoll object holds (kind, type name, layout version, element sizes and
 * alignments); the root directory stores one per named root and every
 * container starts with a struct pc__objhdr carrying its own. This part
 * compares, prints and builds signatures, derives the libpmemobj type
 * number of an object from its signature, and checks an object header
 * against the signature the caller expects (::PC_E_TYPE / ::PC_E_VERSION
 * with both signatures in the message).
 *
 * Part of detail/pool_engine.h, included by <pcoll/pool.h> after its
 * public types and pc_pool. Relies on: pool.h (pc_typesig, pc_pool,
 * pc__pool_range_ok), err.h (pc__fail).
 */
#ifndef PCOLL_DETAIL_POOL_TYPESIG_H
#define PCOLL_DETAIL_POOL_TYPESIG_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../err.h"

/** @cond PCOLL_INTERNAL */
#define PC__OBJ_MAGIC 0x314a424f4c4f4350ull /* "PCOLOBJ1" */

/* The header at the start of every container object. */
struct pc__objhdr {
	uint64_t magic;
	pc_typesig sig;
};

static inline int pc__sig_eq(const pc_typesig *a, const pc_typesig *b)
{
	return a->kind == b->kind && a->version == b->version &&
	       a->size == b->size && a->align == b->align &&
	       a->size2 == b->size2 && a->align2 == b->align2 &&
	       strncmp(a->name, b->name, sizeof(a->name)) == 0;
}

/* Printable form of a signature for error messages. */
static inline const char *pc__sig_str(const pc_typesig *s, char *buf, size_t n)
{
	if (s->size2)
		(void)snprintf(buf, n, "%.*s (v%u, sizes %u/%u, align %u/%u)",
			       PC_TYPENAME_MAX, s->name, s->version, s->size,
			       s->size2, s->align, s->align2);
	else
		(void)snprintf(buf, n, "%.*s (v%u, size %u, align %u)",
			       PC_TYPENAME_MAX, s->name, s->version, s->size,
			       s->align);
	return buf;
}

static inline pc_typesig pc__sig_make(const char *name, pc_kind kind,
				      uint32_t version, size_t size,
				      size_t align, size_t size2, size_t align2)
{
	pc_typesig s;
	memset(&s, 0, sizeof(s));
	(void)snprintf(s.name, sizeof(s.name), "%s", name);
	s.kind = (uint32_t)kind;
	s.version = version;
	s.size = (uint32_t)size;
	s.align = (uint32_t)align;
	s.size2 = (uint32_t)size2;
	s.align2 = (uint32_t)align2;
	return s;
}

/* libpmemobj type number for objects of a signature (FNV-1a, 63 bits). */
static inline uint64_t pc__sig_typenum(const pc_typesig *s)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < sizeof(s->name) && s->name[i]; i++) {
		h ^= (unsigned char)s->name[i];
		h *= 1099511628211ull;
	}
	h ^= ((uint64_t)s->kind << 32) | s->size;
	h *= 1099511628211ull;
	return h >> 1;
}

/* Checks the object header at off against the expected signature. */
static inline pc_err pc__objhdr_check(const pc_pool *pool, uint64_t off,
				      size_t hdr_size, const pc_typesig *want,
				      const char *what)
{
	char b1[160], b2[160];
	if (!pc__pool_range_ok(pool, off, hdr_size))
		return pc__fail(PC_E_CORRUPT,
				"%s: object offset %llu is outside the pool",
				what, (unsigned long long)off);
	const struct pc__objhdr *h =
		(const struct pc__objhdr *)(const void *)(pool->base + off);
	if (h->magic != PC__OBJ_MAGIC)
		return pc__fail(PC_E_CORRUPT,
				"%s: no pcoll object header at offset %llu",
				what, (unsigned long long)off);
	if (!pc__sig_eq(&h->sig, want)) {
		if (h->sig.kind == want->kind &&
		    strncmp(h->sig.name, want->name, sizeof(h->sig.name)) ==
			    0 &&
		    h->sig.version != want->version)
			return pc__fail(
				PC_E_VERSION,
				"%s: layout version %u, this build reads %u",
				what, h->sig.version, want->version);
		return pc__fail(PC_E_TYPE, "%s: holds %s, asked for %s", what,
				pc__sig_str(&h->sig, b1, sizeof(b1)),
				pc__sig_str(want, b2, sizeof(b2)));
	}
	return PC_OK;
}
/** @endcond */

#endif /* PCOLL_DETAIL_POOL_TYPESIG_H */
