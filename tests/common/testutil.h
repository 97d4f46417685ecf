/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the test suites: pool paths and file surgery. */
#ifndef PCOLL_TESTUTIL_H
#define PCOLL_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcoll/pcoll.h>

/* A fresh pool path in $PCOLL_TEST_DIR (default /dev/shm), unique per
 * process and call; any old file of that name is removed. */
static inline const char *tu_path(const char *tag)
{
	static _Thread_local char buf[8][512];
	static _Thread_local unsigned next;
	static unsigned counter;
	const char *dir = getenv("PCOLL_TEST_DIR");
	if (!dir || !*dir)
		dir = "/dev/shm";
	(void)mkdir(dir, 0700);
	char *p = buf[next++ % 8];
	(void)snprintf(p, 512, "%s/pcoll-test-%s-%ld-%u.pool", dir, tag,
		       (long)getpid(),
		       __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
	(void)unlink(p);
	return p;
}

/* 1 when the test group runs on persistent memory (flush path). */
static inline int tu_forced_pmem(void)
{
	const char *f = getenv("PMEM_IS_PMEM_FORCE");
	return f && strcmp(f, "1") == 0;
}

/* Overwrite len bytes at offset off of the file at path. */
static inline int tu_poke(const char *path, long off, const void *buf,
			  size_t len)
{
	FILE *f = fopen(path, "r+b");
	if (!f)
		return -1;
	int r = fseek(f, off, SEEK_SET) == 0 && fwrite(buf, 1, len, f) == len
			? 0
			: -1;
	(void)fclose(f);
	return r;
}

/* Truncate the file at path to len bytes. */
static inline int tu_truncate(const char *path, long len)
{
	return truncate(path, len);
}

/* splitmix64 of WORKLOADS.md: deterministic random streams. */
static inline uint64_t tu_splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

#define TU_POOL_SIZE (32u << 20)

#endif
