/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file bytes.h
 * @brief Persistent variable-length byte strings (::pc_bytes) and volatile
 * views of bytes (::pc_slice), used as keys and values of
 * `PMAP(bytes, bytes)`.
 *
 * A ::pc_bytes is a 24-byte persistent reference:
 * - strings of up to #PC_BYTES_INLINE_MAX (23) bytes are stored inline,
 *   inside the 24 bytes, and need no allocation;
 * - longer strings live in their own pool allocation; the reference holds
 *   its pool offset and length.
 *
 * A ::pc_bytes never holds a volatile pointer: read it through
 * pc_bytes_slice(), which resolves the offset against the pool's mapping.
 * The map owns the allocations of the strings it stores and frees them with
 * their entry (see docs/map.md for the crash argument).
 *
 * Nothing in this header needs, joins or forbids a transaction.
 */
#ifndef PCOLL_BYTES_H
#define PCOLL_BYTES_H

#include "detail/lang.h"
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "err.h"
#include "pool.h"
#include "ptr.h"

/** @brief Longest string stored inside the ::pc_bytes itself. */
#define PC_BYTES_INLINE_MAX 23

/** @brief Longest byte string a map accepts (1 GiB). */
#define PC_BYTES_MAX ((size_t)1 << 30)

/**
 * @brief A volatile view of bytes: @p len bytes at @p ptr.
 *
 * Keys and values of byte-string maps are passed in and handed out as
 * slices. A slice handed out by a map points into the pool and stays valid
 * until the map changes (any insert, put, remove or clear, of any entry:
 * a leaf split moves entries), as the map's other references.
 *
 * A slice whose @p ptr is NULL while @p len is not 0 is invalid: the maps
 * refuse it as a key or value (::PC_E_INVAL) and read nothing through it;
 * the helpers below treat it as empty and record ::PC_E_INVAL.
 */
typedef struct pc_slice {
	const void *ptr; /**< First byte; may be NULL only when len is 0. */
	size_t len;      /**< Number of bytes. */
} pc_slice;

/**
 * @brief A persistent byte string reference (24 bytes, 8-aligned).
 *
 * The layout is private; use pc_bytes_len() and pc_bytes_slice().
 */
typedef struct pc_bytes {
	uint64_t w[3]; /**< @private inline data, or {offset, length, 0}. */
} pc_bytes;

PC_DECLARE(pc_bytes);

/**
 * @brief Caller-provided buffer that receives a copy of a byte string
 * (for example the old value handed back by a map's remove).
 *
 * Up to @p cap bytes are copied to @p buf; @p len receives the full length
 * of the string, which may exceed @p cap (the copy is then truncated).
 */
typedef struct pc_vbuf {
	void *buf;  /**< Destination; may be NULL when cap is 0. */
	size_t cap; /**< Bytes available at buf. */
	size_t len; /**< Out: length of the string. */
} pc_vbuf;

/** @brief A slice of @p len bytes at @p ptr. */
static inline pc_slice pc_slice_make(const void *ptr, size_t len)
{
	pc_slice s;
	s.ptr = ptr;
	s.len = len;
	return s;
}

/** @brief A slice of the NUL-terminated string @p s (without the NUL). */
static inline pc_slice pc_slice_cstr(const char *s)
{
	return pc_slice_make(s, s ? strlen(s) : 0);
}

/**
 * @brief Lexicographic comparison of two slices: bytes compared as
 * unsigned, a proper prefix sorts first.
 * @return <0, 0 or >0.
 */
static inline int pc_slice_cmp(pc_slice a, pc_slice b)
{
	if (PC__UNLIKELY((!a.ptr && a.len) || (!b.ptr && b.len))) {
		(void)pc__fail(PC_E_INVAL, "pc_slice_cmp: a NULL slice with "
					   "a length is compared as empty");
		a.len = a.ptr ? a.len : 0;
		b.len = b.ptr ? b.len : 0;
	}
	size_t n = a.len < b.len ? a.len : b.len;
	int r = n ? memcmp(a.ptr, b.ptr, n) : 0;
	if (r)
		return r;
	return (a.len > b.len) - (a.len < b.len);
}

/** @brief 1 when @p a and @p b hold the same bytes. */
static inline int pc_slice_eq(pc_slice a, pc_slice b)
{
	if (PC__UNLIKELY((!a.ptr && a.len) || (!b.ptr && b.len)))
		return pc_slice_cmp(a, b) == 0;
	return a.len == b.len &&
	       (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/** @cond PCOLL_INTERNAL */
#define PC__BYTES_INLINE_TAG 0x80u

static inline unsigned char pc__bytes_tag(const pc_bytes *b)
{
	return ((const unsigned char *)b->w)[23];
}

static inline int pc__bytes_is_inline(const pc_bytes *b)
{
	return (pc__bytes_tag(b) & PC__BYTES_INLINE_TAG) != 0;
}

/* Pool offset of the out-of-line data (0 for inline strings). */
static inline uint64_t pc__bytes_off(const pc_bytes *b)
{
	return pc__bytes_is_inline(b) ? 0 : b->w[0];
}

/* Address of pool offset off; a NULL pool means offsets are addresses
 * (the DRAM build of the map). */
static inline void *pc__bytes_at(const pc_pool *pool, uint64_t off)
{
	uintptr_t base = pool ? (uintptr_t)pool->base : 0;
	return (void *)(base + (uintptr_t)off);
}

static inline void pc__bytes_set_inline(pc_bytes *b, pc_slice s)
{
	unsigned char tmp[24];
	memset(tmp, 0, sizeof(tmp));
	if (s.len)
		memcpy(tmp, s.ptr, s.len);
	tmp[23] = (unsigned char)(PC__BYTES_INLINE_TAG | s.len);
	memcpy(b->w, tmp, sizeof(tmp));
}

static inline void pc__bytes_set_ext(pc_bytes *b, uint64_t off, size_t len)
{
	b->w[0] = off;
	b->w[1] = (uint64_t)len;
	b->w[2] = 0;
}

/* 64-bit hash of bytes (FNV-1a over 8-byte words, then a final mix). */
static inline uint64_t pc__bytes_hash(const void *p, size_t n)
{
	const unsigned char *c = (const unsigned char *)p;
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, c, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
		c += 8;
		n -= 8;
	}
	uint64_t t = 0;
	if (n)
		memcpy(&t, c, n);
	h = (h ^ t) * 0x9E3779B97F4A7C15ull;
	return h ^ (h >> 32);
}
/** @endcond */

/** @brief Length in bytes of the string @p b refers to (0 for NULL). */
static inline size_t pc_bytes_len(const pc_bytes *b)
{
	if (!b) {
		(void)pc__fail(PC_E_INVAL, "pc_bytes_len: NULL reference");
		return 0;
	}
	if (pc__bytes_is_inline(b))
		return (size_t)(pc__bytes_tag(b) & 0x7f);
	return (size_t)b->w[1];
}

/**
 * @brief The bytes @p b refers to, as a slice into @p pool's mapping (or
 * into @p b itself for inline strings). Valid while @p b is unchanged.
 * An empty slice for a NULL @p b, or a NULL @p pool with a string that
 * is not inline.
 */
static inline pc_slice pc_bytes_slice(const pc_pool *pool, const pc_bytes *b)
{
	if (!b || (!pool && !pc__bytes_is_inline(b))) {
		(void)pc__fail(PC_E_INVAL, "pc_bytes_slice: NULL %s",
			       b ? "pool" : "reference");
		return pc_slice_make(NULL, 0);
	}
	if (pc__bytes_is_inline(b))
		return pc_slice_make((const void *)b->w, pc_bytes_len(b));
	return pc_slice_make(pc__bytes_at(pool, b->w[0]), (size_t)b->w[1]);
}

/** @brief Copy the bytes of @p s into @p out (see ::pc_vbuf). A NULL
 * buffer is taken as one of capacity 0 (only the length is set). */
static inline void pc_vbuf_fill(pc_vbuf *out, pc_slice s)
{
	if (!out)
		return;
	if (PC__UNLIKELY((!out->buf && out->cap) || (!s.ptr && s.len))) {
		(void)pc__fail(PC_E_INVAL, "pc_vbuf_fill: NULL %s",
			       s.ptr ? "buffer" : "slice");
		out->len = s.len;
		return;
	}
	size_t n = s.len < out->cap ? s.len : out->cap;
	if (n)
		memcpy(out->buf, s.ptr, n);
	out->len = s.len;
}

#endif /* PCOLL_BYTES_H */
