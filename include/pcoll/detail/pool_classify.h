/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: telling a bad pool file by its kind, so every refusal names
 * what was found. Before libpmemobj is called, pc__pool_classify_file()
 * reads the file's first bytes: missing (PC_E_NOTFOUND, or fine when
 * creating), existing when creating (PC_E_EXISTS), a directory, empty,
 * a libpmemlog or libpmemblk pool, no PMEMOBJ signature (PC_E_NOTPOOL),
 * shorter than the smallest pool (PC_E_TRUNCATED), another program's
 * layout (PC_E_LAYOUT); poolset files and device dax go on to libpmemobj.
 * After libpmemobj refused a pool, pc__pool_open_failed() maps its errno
 * and message to a pcoll error; pc__pool_heap_end() reads libpmemobj's
 * heap header to tell a file that was cut short (PC_E_TRUNCATED) from a
 * damaged one (PC_E_CORRUPT).
 *
 * Part of detail/pool_engine.h, included by <pcoll/pool.h> after its
 * public types. Relies on: pool.h (PC_LAYOUT, PC_POOL_MIN_SIZE), err.h
 * (pc__fail), libpmemobj (PMEMOBJ_MAX_LAYOUT).
 */
#ifndef PCOLL_DETAIL_POOL_CLASSIFY_H
#define PCOLL_DETAIL_POOL_CLASSIFY_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <libpmemobj.h>

#include "../err.h"

/** @cond PCOLL_INTERNAL */
/* The NUL-ended string at s (at most n bytes) for a message: bytes that
 * are not printable ASCII as \xNN, at most 24 bytes, "..." when longer. */
static inline void pc__pool_printable(const char *s, size_t n, char *out,
				      size_t cap)
{
	size_t k = 0, i = 0;
	for (; i < n && s[i] && i < 24 && k + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			out[k++] = (char)c;
		else
			k += (size_t)snprintf(out + k, cap - k, "\\x%02x", c);
	}
	if (i < n && s[i] && k + 4 <= cap) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k < cap ? k : cap - 1] = '\0';
}

static inline pc_err pc__pool_classify_file(const char *path, int creating)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		int err = errno;
		if (err == ENOENT)
			return creating ? PC_OK
					: pc__fail(PC_E_NOTFOUND,
						   "%s: no such file", path);
		return pc__fail(PC_E_IO, "%s: %s", path, strerror(err));
	}
	if (creating)
		return pc__fail(PC_E_EXISTS, "%s: file exists", path);
	if (S_ISDIR(st.st_mode))
		return pc__fail(PC_E_NOTPOOL, "%s: is a directory", path);
	if (!S_ISREG(st.st_mode))
		return PC_OK; /* device dax: let libpmemobj judge */
	FILE *f = fopen(path, "rbe");
	if (!f) {
		int err = errno;
		return pc__fail(PC_E_IO, "%s: %s", path, strerror(err));
	}
	char sig[16] = {0};
	char layout[PMEMOBJ_MAX_LAYOUT] = {0};
	size_t n1 = fread(sig, 1, sizeof(sig), f);
	if (fseek(f, 4096, SEEK_SET) == 0)
		(void)fread(layout, 1, sizeof(layout) - 1, f);
	int rerr = ferror(f);
	(void)fclose(f);
	if (rerr)
		return pc__fail(PC_E_IO, "%s: cannot read the pool header",
				path);
	if (n1 == 0)
		return pc__fail(PC_E_NOTPOOL, "%s: empty file, not a pool",
				path);
	if (memcmp(sig, "PMEMPOOLSET", 11) == 0)
		return PC_OK; /* a poolset: libpmemobj reads the parts */
	if (memcmp(sig, "PMEMOBJ", 8) != 0) {
		if (memcmp(sig, "PMEMLOG", 8) == 0 ||
		    memcmp(sig, "PMEMBLK", 8) == 0)
			return pc__fail(
				PC_E_NOTPOOL,
				"%s: a %s pool, not a libpmemobj pool: pcoll "
				"cannot read it (its compat headers give "
				"%s's API on pcoll pools; they do not read "
				"%s files)",
				path,
				sig[4] == 'L' ? "libpmemlog" : "libpmemblk",
				sig[4] == 'L' ? "libpmemlog" : "libpmemblk",
				sig[4] == 'L' ? "libpmemlog" : "libpmemblk");
		return pc__fail(
			PC_E_NOTPOOL,
			"%s: not a libpmemobj pool (no PMEMOBJ signature)",
			path);
	}
	if ((size_t)st.st_size < PC_POOL_MIN_SIZE)
		return pc__fail(
			PC_E_TRUNCATED,
			"%s: %lld bytes, shorter than the smallest pool "
			"(%zu bytes)",
			path, (long long)st.st_size, PC_POOL_MIN_SIZE);
	if (strncmp(layout, PC_LAYOUT, sizeof(layout)) != 0) {
		char shown[4 * 24 + 4];
		pc__pool_printable(layout, sizeof(layout) - 1, shown,
				   sizeof(shown));
		return pc__fail(
			PC_E_LAYOUT,
			"%s: wrong layout: expected \"%s\", found \"%s\"", path,
			PC_LAYOUT, shown);
	}
	return PC_OK;
}

/* After libpmemobj refused a pool: does its heap extend past the end of
 * the file? Reads libpmemobj's on-media format (stable within major
 * version 6): heap_offset in the pool descriptor, then the first zone's
 * chunk count. Returns the bytes the heap needs, or 0 when unknown. */
static inline uint64_t pc__pool_heap_end(const char *path)
{
	FILE *f = fopen(path, "rbe");
	if (!f)
		return 0;
	uint64_t heap_off = 0, need = 0;
	uint32_t zone[2] = {0, 0};
	char sig[16] = {0};
	if (fseek(f, 4096 + 1024 + 16, SEEK_SET) == 0 &&
	    fread(&heap_off, sizeof(heap_off), 1, f) == 1 && heap_off > 0 &&
	    heap_off < (1ull << 40) &&
	    fseek(f, (long)heap_off, SEEK_SET) == 0 &&
	    fread(sig, 1, sizeof(sig), f) == sizeof(sig) &&
	    memcmp(sig, "MEMORY_HEAP_HDR", 16) == 0 &&
	    fseek(f, (long)(heap_off + 1024), SEEK_SET) == 0 &&
	    fread(zone, sizeof(zone), 1, f) == 1 && zone[0] == 0xC3F0A2D2u)
		need = heap_off + 1024 + 64 + 65528ull * 8 +
		       (uint64_t)zone[1] * (256u << 10);
	(void)fclose(f);
	return need;
}

/* libpmemobj refused to create or open path, with errno err and message
 * msg: the pcoll error that says why. */
static inline pc_err pc__pool_open_failed(const char *path, int creating,
					  int err, const char *msg)
{
	if (err == EAGAIN || err == EWOULDBLOCK)
		return pc__fail(PC_E_BUSY, "%s: pool is open already (%s)",
				path, msg);
	if (err == EEXIST)
		return pc__fail(PC_E_EXISTS, "%s: file exists", path);
	if (err == ENOENT)
		return pc__fail(PC_E_NOTFOUND, "%s: %s", path, msg);
	if (err == ENOMEM || err == ENOSPC)
		return pc__fail(PC_E_FULL, "%s: %s", path, msg);
	if (err == EACCES || err == EPERM || err == EIO)
		return pc__fail(PC_E_IO, "%s: %s", path, msg);
	if (creating)
		return pc__fail(PC_E_INVAL, "%s: cannot create: %s", path, msg);
	if (strstr(msg, "layout"))
		return pc__fail(PC_E_LAYOUT, "%s: %s", path, msg);
	struct stat fst;
	uint64_t need = pc__pool_heap_end(path);
	if (need && stat(path, &fst) == 0 && (uint64_t)fst.st_size < need)
		return pc__fail(PC_E_TRUNCATED,
				"%s: file is %lld bytes, its heap needs "
				"%llu: the pool was cut short (%s)",
				path, (long long)fst.st_size,
				(unsigned long long)need, msg);
	if (strstr(msg, "size") || strstr(msg, "truncat"))
		return pc__fail(PC_E_TRUNCATED, "%s: %s", path, msg);
	return pc__fail(PC_E_CORRUPT, "%s: cannot open: %s", path, msg);
}
/** @endcond */

#endif /* PCOLL_DETAIL_POOL_CLASSIFY_H */
