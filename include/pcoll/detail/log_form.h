/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal (PLOG engine): a record's commit form, chosen per record by
 * cost (docs/log.md, "Commit forms"), and what each form puts in the
 * record's checksum:
 *
 *   sum     the keyed 64-bit hash of the payload (log_format.h) is in the
 *           checksum; the record is durable with the append's one fence.
 *           Records under PLOG__NT_MIN, every record on the msync path,
 *           and large records where neither form below is cheaper.
 *   crc     four interleaved CRC32C lanes of the payload, computed with
 *           the SSE4.2 crc32 instruction, are in the checksum; one fence.
 *           Large records on CPUs that have the instruction.
 *   fence2  the checksum covers the header only (a form constant instead
 *           of a payload digest): the payload and the header, with a
 *           zero tag, are made durable by a first fence, then the tag is
 *           stored and a second fence issued. The tag, one aligned 8-byte
 *           word, is the commit. The largest records, where a second
 *           fence costs less than reading the payload again.
 *
 * Forms crc and fence2 set PLOG__LEN_ALT in the record's len word, so a
 * reader knows not to look for a payload hash; it then accepts the
 * fence2 checksum (no payload read) or the crc one. The two cannot be
 * confused: their checksums mix different constants.
 *
 * The writer picks the form from the record's length, whether the pool is
 * persistent memory, and whether the CPU has crc32 (detected once with
 * cpuid; the build needs no -msse4.2: the one function that uses it has
 * a target attribute). Readers compute the CRC in software where the CPU
 * lacks the instruction (a log may move between machines).
 *
 * Test hooks (internal, never set by the library): plog__form_force makes
 * every record of PLOG__NT_MIN bytes or more on persistent memory take
 * the given form; plog__crc_sel = PLOG__CRC_SW behaves as a CPU without
 * crc32 (no crc form written, CRCs computed by the table).
 *
 * Relies on log_format.h (keys, the keyed hash, plog__mum) and on
 * PLOG_CRC_MIN, PLOG_FENCE2_MIN and PLOG_FENCE2_MIN_NOCRC of
 * <pcoll/log.h>, which includes it.
 */
#ifndef PCOLL_DETAIL_LOG_FORM_H
#define PCOLL_DETAIL_LOG_FORM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../err.h"
#include "log_format.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>
#endif

#ifndef PCOLL_LOG_H
#error "internal PLOG header: include <pcoll/log.h>"
#endif

/** @cond PCOLL_INTERNAL */

/* Cached stores through the staging buffer below this many bytes;
 * non-temporal stores from here on (log_append.h). Below it every record
 * is of form sum. */
#define PLOG__NT_MIN 768

enum plog__form {
	PLOG__FORM_BY_COST = 0, /* plog__form_force: no forcing */
	PLOG__FORM_SUM = 1,
	PLOG__FORM_CRC = 2,
	PLOG__FORM_FENCE2 = 3
};

/* What takes the place of the payload hash in the checksum of a fence2
 * record, and the constant a crc record's lanes are mixed with. */
#define PLOG__PH_FENCE2 0x46454e4345324844ull /* "FENCE2HD" */
#define PLOG__PH_CRC    0x4352433332434c4eull /* "CRC32CLN" */

enum { PLOG__CRC_UNKNOWN = 0, PLOG__CRC_HW = 1, PLOG__CRC_SW = 2 };

/* Weak: one copy across translation units; declared first (users'
 * -Wmissing-variable-declarations). */
extern int plog__form_force;
extern int plog__crc_sel;
PC__WEAK int plog__form_force; /* test hook, see the top */
PC__WEAK int plog__crc_sel;    /* PLOG__CRC_*, detected on first use */

/* CRC32C (Castagnoli, reflected 0x82F63B78) of one byte, by table. */
static const uint32_t plog__crc_tab[256] = {
	0x00000000u, 0xf26b8303u, 0xe13b70f7u, 0x1350f3f4u, 0xc79a971fu,
	0x35f1141cu, 0x26a1e7e8u, 0xd4ca64ebu, 0x8ad958cfu, 0x78b2dbccu,
	0x6be22838u, 0x9989ab3bu, 0x4d43cfd0u, 0xbf284cd3u, 0xac78bf27u,
	0x5e133c24u, 0x105ec76fu, 0xe235446cu, 0xf165b798u, 0x030e349bu,
	0xd7c45070u, 0x25afd373u, 0x36ff2087u, 0xc494a384u, 0x9a879fa0u,
	0x68ec1ca3u, 0x7bbcef57u, 0x89d76c54u, 0x5d1d08bfu, 0xaf768bbcu,
	0xbc267848u, 0x4e4dfb4bu, 0x20bd8edeu, 0xd2d60dddu, 0xc186fe29u,
	0x33ed7d2au, 0xe72719c1u, 0x154c9ac2u, 0x061c6936u, 0xf477ea35u,
	0xaa64d611u, 0x580f5512u, 0x4b5fa6e6u, 0xb93425e5u, 0x6dfe410eu,
	0x9f95c20du, 0x8cc531f9u, 0x7eaeb2fau, 0x30e349b1u, 0xc288cab2u,
	0xd1d83946u, 0x23b3ba45u, 0xf779deaeu, 0x05125dadu, 0x1642ae59u,
	0xe4292d5au, 0xba3a117eu, 0x4851927du, 0x5b016189u, 0xa96ae28au,
	0x7da08661u, 0x8fcb0562u, 0x9c9bf696u, 0x6ef07595u, 0x417b1dbcu,
	0xb3109ebfu, 0xa0406d4bu, 0x522bee48u, 0x86e18aa3u, 0x748a09a0u,
	0x67dafa54u, 0x95b17957u, 0xcba24573u, 0x39c9c670u, 0x2a993584u,
	0xd8f2b687u, 0x0c38d26cu, 0xfe53516fu, 0xed03a29bu, 0x1f682198u,
	0x5125dad3u, 0xa34e59d0u, 0xb01eaa24u, 0x42752927u, 0x96bf4dccu,
	0x64d4cecfu, 0x77843d3bu, 0x85efbe38u, 0xdbfc821cu, 0x2997011fu,
	0x3ac7f2ebu, 0xc8ac71e8u, 0x1c661503u, 0xee0d9600u, 0xfd5d65f4u,
	0x0f36e6f7u, 0x61c69362u, 0x93ad1061u, 0x80fde395u, 0x72966096u,
	0xa65c047du, 0x5437877eu, 0x4767748au, 0xb50cf789u, 0xeb1fcbadu,
	0x197448aeu, 0x0a24bb5au, 0xf84f3859u, 0x2c855cb2u, 0xdeeedfb1u,
	0xcdbe2c45u, 0x3fd5af46u, 0x7198540du, 0x83f3d70eu, 0x90a324fau,
	0x62c8a7f9u, 0xb602c312u, 0x44694011u, 0x5739b3e5u, 0xa55230e6u,
	0xfb410cc2u, 0x092a8fc1u, 0x1a7a7c35u, 0xe811ff36u, 0x3cdb9bddu,
	0xceb018deu, 0xdde0eb2au, 0x2f8b6829u, 0x82f63b78u, 0x709db87bu,
	0x63cd4b8fu, 0x91a6c88cu, 0x456cac67u, 0xb7072f64u, 0xa457dc90u,
	0x563c5f93u, 0x082f63b7u, 0xfa44e0b4u, 0xe9141340u, 0x1b7f9043u,
	0xcfb5f4a8u, 0x3dde77abu, 0x2e8e845fu, 0xdce5075cu, 0x92a8fc17u,
	0x60c37f14u, 0x73938ce0u, 0x81f80fe3u, 0x55326b08u, 0xa759e80bu,
	0xb4091bffu, 0x466298fcu, 0x1871a4d8u, 0xea1a27dbu, 0xf94ad42fu,
	0x0b21572cu, 0xdfeb33c7u, 0x2d80b0c4u, 0x3ed04330u, 0xccbbc033u,
	0xa24bb5a6u, 0x502036a5u, 0x4370c551u, 0xb11b4652u, 0x65d122b9u,
	0x97baa1bau, 0x84ea524eu, 0x7681d14du, 0x2892ed69u, 0xdaf96e6au,
	0xc9a99d9eu, 0x3bc21e9du, 0xef087a76u, 0x1d63f975u, 0x0e330a81u,
	0xfc588982u, 0xb21572c9u, 0x407ef1cau, 0x532e023eu, 0xa145813du,
	0x758fe5d6u, 0x87e466d5u, 0x94b49521u, 0x66df1622u, 0x38cc2a06u,
	0xcaa7a905u, 0xd9f75af1u, 0x2b9cd9f2u, 0xff56bd19u, 0x0d3d3e1au,
	0x1e6dcdeeu, 0xec064eedu, 0xc38d26c4u, 0x31e6a5c7u, 0x22b65633u,
	0xd0ddd530u, 0x0417b1dbu, 0xf67c32d8u, 0xe52cc12cu, 0x1747422fu,
	0x49547e0bu, 0xbb3ffd08u, 0xa86f0efcu, 0x5a048dffu, 0x8ecee914u,
	0x7ca56a17u, 0x6ff599e3u, 0x9d9e1ae0u, 0xd3d3e1abu, 0x21b862a8u,
	0x32e8915cu, 0xc083125fu, 0x144976b4u, 0xe622f5b7u, 0xf5720643u,
	0x07198540u, 0x590ab964u, 0xab613a67u, 0xb831c993u, 0x4a5a4a90u,
	0x9e902e7bu, 0x6cfbad78u, 0x7fab5e8cu, 0x8dc0dd8fu, 0xe330a81au,
	0x115b2b19u, 0x020bd8edu, 0xf0605beeu, 0x24aa3f05u, 0xd6c1bc06u,
	0xc5914ff2u, 0x37faccf1u, 0x69e9f0d5u, 0x9b8273d6u, 0x88d28022u,
	0x7ab90321u, 0xae7367cau, 0x5c18e4c9u, 0x4f48173du, 0xbd23943eu,
	0xf36e6f75u, 0x0105ec76u, 0x12551f82u, 0xe03e9c81u, 0x34f4f86au,
	0xc69f7b69u, 0xd5cf889du, 0x27a40b9eu, 0x79b737bau, 0x8bdcb4b9u,
	0x988c474du, 0x6ae7c44eu, 0xbe2da0a5u, 0x4c4623a6u, 0x5f16d052u,
	0xad7d5351u};

/* The crc32 instruction's step on 8 bytes (little-endian), by table. */
static inline uint32_t plog__crc_u64_sw(uint32_t c, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		c = plog__crc_tab[(c ^ (uint32_t)v) & 0xffu] ^ (c >> 8);
		v >>= 8;
	}
	return c;
}

/*
 * The payload digest of form crc: the payload as 8-byte words (the last
 * one zero-padded), word i into lane i % 4, each lane a CRC32C started
 * from a key word; the four lanes are then mixed into 64 bits with the
 * keys. Four independent lanes keep the crc32 unit busy (one result per
 * cycle, three cycles each), and a torn record changes whole cache lines,
 * so every lane sees the damage. Equal results on every machine: the
 * software form below computes the same.
 */
static inline uint64_t plog__crc_mix(const uint64_t k[4], const uint32_t c[4])
{
	uint64_t lo = ((uint64_t)c[1] << 32) | c[0];
	uint64_t hi = ((uint64_t)c[3] << 32) | c[2];
	return plog__mix64(plog__mum(lo ^ k[0], hi ^ k[1]) ^ PLOG__PH_CRC);
}

static inline void plog__crc_init(const uint64_t k[4], uint32_t c[4])
{
	c[0] = (uint32_t)k[2];
	c[1] = (uint32_t)(k[2] >> 32);
	c[2] = (uint32_t)k[3];
	c[3] = (uint32_t)(k[3] >> 32);
}

/* The last len % 32 bytes as up to four words, zero-padded. */
static inline size_t plog__crc_tail(const unsigned char *p, size_t n,
				    uint64_t w[4])
{
	unsigned char t[32] = {0};
	memcpy(t, p, n);
	for (size_t i = 0; i < 4; i++)
		w[i] = plog__ld64(t + 8 * i);
	return (n + 7) / 8;
}

static inline uint64_t plog__crc_payload_sw(const uint64_t k[4],
					    const unsigned char *p, size_t len)
{
	uint32_t c[4];
	plog__crc_init(k, c);
	size_t full = len & ~(size_t)31;
	for (size_t i = 0; i < full; i += 32)
		for (size_t j = 0; j < 4; j++)
			c[j] = plog__crc_u64_sw(c[j],
						plog__ld64(p + i + 8 * j));
	uint64_t w[4];
	size_t nw = plog__crc_tail(p + full, len - full, w);
	for (size_t j = 0; j < nw; j++)
		c[j] = plog__crc_u64_sw(c[j], w[j]);
	return plog__crc_mix(k, c);
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static inline uint64_t
plog__crc_payload_hw(const uint64_t k[4], const unsigned char *p, size_t len)
{
	uint32_t c[4];
	plog__crc_init(k, c);
	uint64_t c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];
	size_t full = len & ~(size_t)31, i = 0;
/* One 32-byte step: a word into each lane. */
#define PLOG__CRC_STEP(q)                                     \
	do {                                                  \
		c0 = _mm_crc32_u64(c0, plog__ld64((q)));      \
		c1 = _mm_crc32_u64(c1, plog__ld64((q) + 8));  \
		c2 = _mm_crc32_u64(c2, plog__ld64((q) + 16)); \
		c3 = _mm_crc32_u64(c3, plog__ld64((q) + 24)); \
	} while (0)
	/* 128 bytes per round, written out (compilers roll a nested
	 * loop back up): 3 loop instructions per 16 crc32. */
	for (; i + 128 <= full; i += 128) {
		PLOG__CRC_STEP(p + i);
		PLOG__CRC_STEP(p + i + 32);
		PLOG__CRC_STEP(p + i + 64);
		PLOG__CRC_STEP(p + i + 96);
	}
	for (; i < full; i += 32)
		PLOG__CRC_STEP(p + i);
#undef PLOG__CRC_STEP
	uint64_t w[4];
	size_t nw = plog__crc_tail(p + full, len - full, w);
	/* Lanes in registers (no array of pointers to them). */
	if (nw > 0)
		c0 = _mm_crc32_u64(c0, w[0]);
	if (nw > 1)
		c1 = _mm_crc32_u64(c1, w[1]);
	if (nw > 2)
		c2 = _mm_crc32_u64(c2, w[2]);
	if (nw > 3)
		c3 = _mm_crc32_u64(c3, w[3]);
	c[0] = (uint32_t)c0;
	c[1] = (uint32_t)c1;
	c[2] = (uint32_t)c2;
	c[3] = (uint32_t)c3;
	return plog__crc_mix(k, c);
}
#endif

/* PLOG__CRC_HW when the CPU has crc32 (cpuid leaf 1, ecx bit 20). */
static inline int plog__crc_detect(void)
{
#if defined(__x86_64__)
	unsigned a = 0, b = 0, c = 0, d = 0;
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 20)))
		return PLOG__CRC_HW;
#endif
	return PLOG__CRC_SW;
}

static inline int plog__crc_hw(void)
{
	int s = plog__crc_sel;
	if (PC__UNLIKELY(s == PLOG__CRC_UNKNOWN)) {
		s = plog__crc_detect();
		plog__crc_sel = s;
	}
	return s == PLOG__CRC_HW;
}

/* The digest of form crc, by the instruction where the CPU has it. */
static inline uint64_t plog__crc_payload(const uint64_t k[4], const void *buf,
					 size_t len)
{
	const unsigned char *p = (const unsigned char *)buf;
#if defined(__x86_64__)
	if (plog__crc_hw())
		return plog__crc_payload_hw(k, p, len);
#endif
	return plog__crc_payload_sw(k, p, len);
}

/*
 * The form a record of len bytes is written in (len >= PLOG__NT_MIN on
 * persistent memory; everything else is of form sum). The thresholds are
 * the crossovers measured on the test machine (docs/log.md).
 */
static inline int plog__form_of(uint64_t len)
{
	int f = plog__form_force;
	if (PC__UNLIKELY(f != PLOG__FORM_BY_COST))
		return f;
	if (plog__crc_hw()) {
		if (len >= PLOG_FENCE2_MIN)
			return PLOG__FORM_FENCE2;
		return len >= PLOG_CRC_MIN ? PLOG__FORM_CRC : PLOG__FORM_SUM;
	}
	return len >= PLOG_FENCE2_MIN_NOCRC ? PLOG__FORM_FENCE2
					    : PLOG__FORM_SUM;
}

/* The payload digest a record's checksum mixes in, by its form. */
static inline uint64_t plog__digest(const uint64_t k[4], int form,
				    const void *buf, size_t len)
{
	if (form == PLOG__FORM_FENCE2)
		return PLOG__PH_FENCE2;
	if (form == PLOG__FORM_CRC)
		return plog__crc_payload(k, buf, len);
	return plog__hash(k, buf, len);
}

/* The len word of a record of the form. */
static inline uint32_t plog__len_word(uint32_t len, int form)
{
	return form == PLOG__FORM_SUM ? len : len | PLOG__LEN_ALT;
}

/*
 * 1 when the record r, whose tag and length the caller matched for
 * sequence number seq in a chunk of salt, carries a good checksum in
 * any form: the payload hash (form sum), the header alone (fence2: its
 * payload was durable before its tag was stored), or the CRC lanes.
 */
static inline int plog__rec_ok(const uint64_t k[4], uint64_t salt,
			       const struct plog__rec *r, uint64_t seq)
{
	uint32_t len = plog__rec_len(r);
	const void *pay = r + 1;
	if (!(r->len & PLOG__LEN_ALT))
		return r->sum == plog__rec_sum(k, salt, plog__hash(k, pay, len),
					       seq, r->len, r->batch);
	if (r->sum ==
	    plog__rec_sum(k, salt, PLOG__PH_FENCE2, seq, r->len, r->batch))
		return 1;
	return r->sum == plog__rec_sum(k, salt, plog__crc_payload(k, pay, len),
				       seq, r->len, r->batch);
}

/** @endcond */

#endif /* PCOLL_DETAIL_LOG_FORM_H */
