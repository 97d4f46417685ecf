/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the test suites: pool paths and file surgery. */
#ifndef PCOLL_TESTUTIL_H
#define PCOLL_TESTUTIL_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <pcoll/pcoll.h>

/* Removes path, or path.parts/ and its files (growable pools). */
static inline void tu_remove_pool(const char *path)
{
	char parts[600];
	(void)unlink(path);
	(void)snprintf(parts, sizeof(parts), "%s.parts", path);
	DIR *d = opendir(parts);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char f[900];
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		(void)snprintf(f, sizeof(f), "%s/%s", parts, e->d_name);
		(void)unlink(f);
	}
	(void)closedir(d);
	(void)rmdir(parts);
}

/* Every path tu_path() handed out in this process, removed when the
 * process exits (a failed assertion ends a test before its own cleanup).
 * Entries remember the process that made them: a forked child that exits
 * leaves its parent's pools alone. PCOLL_KEEP_POOLS=1 keeps them all, to
 * look at after a failure. */
#define TU_MAX_POOLS 512
static char tu__pools[TU_MAX_POOLS][512];
static pid_t tu__pool_pid[TU_MAX_POOLS];
static unsigned tu__npools;

static inline void tu__cleanup(void)
{
	const char *keep = getenv("PCOLL_KEEP_POOLS");
	if (keep && strcmp(keep, "1") == 0)
		return;
	unsigned n = __atomic_load_n(&tu__npools, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; i < n && i < TU_MAX_POOLS; i++)
		if (tu__pool_pid[i] == getpid())
			tu_remove_pool(tu__pools[i]);
}

/* A fresh pool path in $PCOLL_TEST_DIR (default /dev/shm), unique per
 * process and call; any old file of that name is removed, and the pool is
 * removed again when the process exits. */
static inline const char *tu_path(const char *tag)
{
	static _Thread_local char buf[8][512];
	static _Thread_local unsigned next;
	static unsigned counter;
	static pid_t registered;
	const char *dir = getenv("PCOLL_TEST_DIR");
	if (!dir || !*dir)
		dir = "/dev/shm";
	(void)mkdir(dir, 0700);
	char *p = buf[next++ % 8];
	(void)snprintf(p, 512, "%s/pcoll-test-%s-%ld-%u.pool", dir, tag,
		       (long)getpid(),
		       __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
	tu_remove_pool(p);
	pid_t me = getpid();
	if (__atomic_exchange_n(&registered, me, __ATOMIC_ACQ_REL) != me)
		(void)atexit(tu__cleanup);
	unsigned i = __atomic_fetch_add(&tu__npools, 1, __ATOMIC_ACQ_REL);
	if (i < TU_MAX_POOLS) {
		(void)snprintf(tu__pools[i], sizeof(tu__pools[i]), "%s", p);
		tu__pool_pid[i] = me;
	}
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
