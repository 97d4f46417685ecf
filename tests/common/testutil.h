/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the test programs: pool paths and their removal, file
 * surgery, random streams. Criterion helpers built on these are in
 * tu_pool.h; the shell side is testutil.sh.
 *
 * Pool paths. tu_path(tag) names a fresh file in $PCOLL_TEST_DIR (default
 * /dev/shm):
 *
 *     pcoll-test-<run>-<pid>-<n>-<tag>.pool
 *
 * <run> is the Criterion run (the runner's pid, which tu_hooks.c puts in
 * $PCOLL_TU_RUN; 0 outside Criterion), <pid> the process that asked, <n> a
 * counter. Every entry of the directory whose name starts with
 * "pcoll-test-<run>-<pid>-" belongs to that process: the pool, a growable
 * pool's ".parts" directory, any copy a test names after the pool. They
 * are all removed
 *   - when the process exits: a failed cr_assert() ends the test but its
 *     worker process still exits normally, through atexit();
 *   - when it dies of SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTERM,
 *     SIGINT, SIGQUIT or SIGHUP: a handler removes them with
 *     async-signal-safe calls only, puts the previous disposition back and
 *     lets the signal take its course (re-raised, or for a fault the
 *     instruction faults again), so Criterion, a sanitizer or a core dump
 *     see the same death;
 *   - at the end of a Criterion run, every entry of the run (tu_hooks.c):
 *     this covers a worker killed with SIGKILL (Criterion's .timeout).
 * A forked child owns only what it named itself: when it exits, its
 * parent's pools stay. PCOLL_KEEP_POOLS=1 keeps everything, to look at
 * after a failure. tests/core/test_cleanup.c shows each case working.
 *
 * Every includer defines _GNU_SOURCE before its first include. The state
 * below is shared by all translation units of a program (weak symbols).
 */
#ifndef PCOLL_TESTUTIL_H
#define PCOLL_TESTUTIL_H

#ifndef _GNU_SOURCE
#error "testutil.h: define _GNU_SOURCE before the first #include"
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <pcoll/pcoll.h>

#define TU_PATH_MAX 512

/* The signals after which a process's pools are removed. */
#define TU_NSIGS 9
static const int tu__sigs[TU_NSIGS] = {SIGSEGV, SIGBUS,  SIGILL,
				       SIGFPE,  SIGABRT, SIGTERM,
				       SIGINT,  SIGQUIT, SIGHUP};

/* One copy per program: the directory, the run id, the name counter,
 * whether removal is armed in this process image, and the dispositions
 * the signal handler replaced. */
__attribute__((weak)) char tu__dir[TU_PATH_MAX];
__attribute__((weak)) char tu__run[24];
__attribute__((weak)) unsigned tu__counter;
__attribute__((weak)) int tu__armed;
__attribute__((weak)) int tu__keep;
__attribute__((weak)) struct sigaction tu__old[TU_NSIGS];

/* Decimal digits of v at the end of buf[0..n); returns the first. No
 * library calls: usable in a signal handler. */
static inline char *tu__utoa(unsigned long v, char *buf, size_t n)
{
	char *p = buf + n - 1;
	*p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v && p > buf);
	return p;
}

/* "pcoll-test-<run>-" (pid 0) or "pcoll-test-<run>-<pid>-" into buf. */
static inline void tu__prefix(char *buf, size_t n, long pid)
{
	char num[24];
	const char *parts[5] = {"pcoll-test-", tu__run[0] ? tu__run : "0", "-",
				NULL, NULL};
	if (pid) {
		parts[3] = tu__utoa((unsigned long)pid, num, sizeof(num));
		parts[4] = "-";
	}
	size_t k = 0;
	for (int i = 0; i < 5 && parts[i]; i++)
		for (const char *s = parts[i]; *s && k + 1 < n; s++)
			buf[k++] = *s;
	buf[k] = '\0';
}

static inline void tu__sweep_fd(int fd, const char *prefix, int depth);

/* Removes entry name of directory dirfd: a file, or a directory with
 * what is in it, up to depth levels down. Async-signal-safe. */
static inline void tu__rm_entry(int dirfd, const char *name, int depth)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT || depth == 0)
		return;
	int fd = openat(dirfd, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	tu__sweep_fd(fd, "", depth - 1);
	(void)close(fd);
	(void)unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* Removes every entry of directory fd whose name starts with prefix.
 * getdents64 rather than readdir: no allocation, so it is safe in a
 * signal handler. Passes again while a pass removed something. */
static inline void tu__sweep_fd(int fd, const char *prefix, int depth)
{
	size_t plen = strlen(prefix);
	char buf[8192];
	for (int pass = 0; pass < 8; pass++) {
		int removed = 0;
		long n;
		if (lseek(fd, 0, SEEK_SET) != 0)
			return;
		while ((n = (long)getdents64(fd, buf, sizeof(buf))) > 0) {
			for (long off = 0; off < n;) {
				struct dirent64 *d =
					(struct dirent64 *)(void *)(buf + off);
				off += d->d_reclen;
				if (strcmp(d->d_name, ".") == 0 ||
				    strcmp(d->d_name, "..") == 0 ||
				    strncmp(d->d_name, prefix, plen) != 0)
					continue;
				tu__rm_entry(fd, d->d_name, depth);
				removed = 1;
			}
		}
		if (!removed)
			return;
	}
}

/* Removes every entry of dir starting with prefix (pools, their .parts
 * directories, copies). Async-signal-safe. */
static inline void tu_sweep(const char *dir, const char *prefix)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	tu__sweep_fd(fd, prefix, 2);
	(void)close(fd);
}

/* Removes what the calling process named with tu_path(). */
static inline void tu__remove_own(void)
{
	char prefix[96];
	if (tu__keep || !tu__dir[0])
		return;
	tu__prefix(prefix, sizeof(prefix), (long)getpid());
	tu_sweep(tu__dir, prefix);
}

static inline void tu__on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	int saved = errno;
	tu__remove_own();
	for (int i = 0; i < TU_NSIGS; i++)
		if (tu__sigs[i] == sig)
			(void)sigaction(sig, &tu__old[i], NULL);
	errno = saved;
	/* A fault (SIGSEGV, SIGBUS, SIGILL or SIGFPE that the kernel raised
	 * for this instruction: si_code > 0) happens again on return, now
	 * with the previous handler; any other signal is sent again. */
	int fault = (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
		     sig == SIGFPE) &&
		    si && si->si_code > 0;
	if (!fault)
		(void)raise(sig);
}

/* Once per process image (a forked child inherits both): removal at exit
 * and on the signals above, unless PCOLL_KEEP_POOLS=1. A signal the
 * process ignores stays ignored. */
static inline void tu__arm(void)
{
	if (__atomic_exchange_n(&tu__armed, 1, __ATOMIC_ACQ_REL))
		return;
	const char *keep = getenv("PCOLL_KEEP_POOLS");
	tu__keep = keep && strcmp(keep, "1") == 0;
	if (tu__keep)
		return;
	(void)atexit(tu__remove_own);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = tu__on_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < TU_NSIGS; i++) {
		if (sigaction(tu__sigs[i], NULL, &tu__old[i]) != 0 ||
		    (!(tu__old[i].sa_flags & SA_SIGINFO) &&
		     tu__old[i].sa_handler == SIG_IGN))
			continue;
		(void)sigaction(tu__sigs[i], &sa, NULL);
	}
}

/* The test directory: $PCOLL_TEST_DIR, default /dev/shm (made if missing). */
static inline const char *tu_dir(void)
{
	if (!tu__dir[0]) {
		const char *dir = getenv("PCOLL_TEST_DIR");
		(void)snprintf(tu__dir, sizeof(tu__dir), "%s",
			       dir && *dir ? dir : "/dev/shm");
		const char *run = getenv("PCOLL_TU_RUN");
		(void)snprintf(tu__run, sizeof(tu__run), "%s",
			       run && *run ? run : "0");
	}
	(void)mkdir(tu__dir, 0700);
	return tu__dir;
}

/* Removes path, or path.parts/ and its files (growable pools). */
static inline void tu_remove_pool(const char *path)
{
	char parts[PC_PATH_MAX + 8];
	(void)unlink(path);
	int n = snprintf(parts, sizeof(parts), "%s.parts", path);
	if (n > 0 && (size_t)n < sizeof(parts))
		tu__rm_entry(AT_FDCWD, parts, 1);
}

/* Writes into buf[0..n) a fresh path in the test directory with the
 * given extension, owned by this process (see the top of this file); any
 * old file of that name is removed. */
static inline const char *tu_path_into(char *buf, size_t n, const char *tag,
				       const char *ext)
{
	const char *dir = tu_dir();
	char prefix[96];
	tu__prefix(prefix, sizeof(prefix), (long)getpid());
	int w = snprintf(buf, n, "%s/%s%u-%s.%s", dir, prefix,
			 __atomic_fetch_add(&tu__counter, 1, __ATOMIC_RELAXED),
			 tag, ext);
	if (w < 0 || (size_t)w >= n) {
		fprintf(stderr, "tu_path: %s/%s...%s: longer than %zu bytes\n",
			dir, prefix, tag, n - 1);
		abort();
	}
	tu_remove_pool(buf);
	tu__arm();
	return buf;
}

/* As tu_path_into(), in a buffer of this thread that stays valid for the
 * next 7 calls of tu_path_ext() or tu_path(). */
static inline const char *tu_path_ext(const char *tag, const char *ext)
{
	static _Thread_local char buf[8][TU_PATH_MAX];
	static _Thread_local unsigned next;
	return tu_path_into(buf[next++ % 8], TU_PATH_MAX, tag, ext);
}

/* A fresh pool path (see the top of this file). */
static inline const char *tu_path(const char *tag)
{
	return tu_path_ext(tag, "pool");
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
