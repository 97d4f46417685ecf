/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: flush instructions or msync. After libpmemobj mapped a pool,
 * pc__detect_pmem() decides which persistence path the pool-level helpers
 * of pool.h take (pc_pool.is_pmem): with PMEM_IS_PMEM_FORCE set, what
 * libpmem's pmem_is_pmem() says (it honours the variable; the tests use
 * it); a character device (device dax): flush; an fsdax mapping made with
 * MAP_SYNC (the "sf" flag of its VMA in /proc/self/smaps): flush;
 * otherwise pmem_is_pmem().
 *
 * Part of detail/pool_engine.h, included by <pcoll/pool.h>. Relies on:
 * libpmem (pmem_is_pmem).
 */
#ifndef PCOLL_DETAIL_POOL_PMEM_H
#define PCOLL_DETAIL_POOL_PMEM_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libpmem.h>

/** @cond PCOLL_INTERNAL */
static inline int pc__detect_pmem(const char *path, void *base, size_t len)
{
	const char *force = getenv("PMEM_IS_PMEM_FORCE");
	if (force)
		return pmem_is_pmem(base, len ? len : 4096);
	struct stat st;
	if (stat(path, &st) == 0 && S_ISCHR(st.st_mode))
		return 1; /* device dax */
	/* fsdax mapped with MAP_SYNC shows "sf" in the VMA's flags. */
	FILE *f = fopen("/proc/self/smaps", "re");
	if (!f)
		return pmem_is_pmem(base, len ? len : 4096);
	char line[512];
	int in_vma = 0, sync = 0;
	uintptr_t b = (uintptr_t)base;
	while (fgets(line, sizeof(line), f)) {
		/* A VMA header line is "lo-hi perms ..." in hex. */
		char *end = NULL;
		unsigned long lo = strtoul(line, &end, 16);
		if (end != line && *end == '-') {
			char *end2 = NULL;
			unsigned long hi = strtoul(end + 1, &end2, 16);
			if (end2 != end + 1 && *end2 == ' ') {
				in_vma = (b >= lo && b < hi);
				continue;
			}
		}
		if (in_vma && strncmp(line, "VmFlags:", 8) == 0) {
			sync = strstr(line, " sf") != NULL;
			break;
		}
	}
	(void)fclose(f);
	return sync || pmem_is_pmem(base, len ? len : 4096);
}
/** @endcond */

#endif /* PCOLL_DETAIL_POOL_PMEM_H */
