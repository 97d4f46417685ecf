/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A program written against libpmemlog's API only. It is built twice:
 * against Debian's libpmemlog and against pcoll's compat header; both
 * builds must print the same lines (compat_cmp.sh compares them).
 * usage: compat_prog <directory for the pool>
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <libpmemlog.h>

#define POOL_SIZE ((size_t)16 << 20)

static unsigned long long fnv(const void *b, size_t n)
{
	const unsigned char *p = b;
	unsigned long long h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

struct walkstat {
	int calls;
	size_t total;
	unsigned long long h;
	int stop_after;
};

static int print_chunk(const void *buf, size_t len, void *arg)
{
	struct walkstat *w = arg;
	w->calls++;
	w->total += len;
	w->h = w->h * 31 + fnv(buf, len);
	if (w->calls <= 3)
		printf("  chunk %d: %zu bytes, \"%.*s\"\n", w->calls, len,
		       (int)(len < 24 ? len : 24), (const char *)buf);
	return w->stop_after == 0 || w->calls < w->stop_after;
}

static void walk(PMEMlogpool *plp, size_t chunk, int stop_after)
{
	struct walkstat w = {0, 0, 0, stop_after};
	pmemlog_walk(plp, chunk, print_chunk, &w);
	printf("walk chunksize=%zu stop=%d: %d calls, %zu bytes, hash %llx\n",
	       chunk, stop_after, w.calls, w.total, w.h);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/dev/shm";
	char path[4096];
	snprintf(path, sizeof(path), "%s/pmemlog-compat-%ld.log", dir,
		 (long)getpid());
	unlink(path);

	printf("version check: %s\n",
	       pmemlog_check_version(PMEMLOG_MAJOR_VERSION,
				     PMEMLOG_MINOR_VERSION)
		       ? "mismatch"
		       : "ok");
	printf("version 99: %s\n",
	       pmemlog_check_version(99, 0) ? "mismatch" : "ok");

	errno = 0;
	PMEMlogpool *bad = pmemlog_create(path, 1024, 0600);
	printf("create too small: %s errno=%s\n", bad ? "pool" : "NULL",
	       errno == EINVAL ? "EINVAL" : "other");
	errno = 0;
	bad = pmemlog_open(path);
	printf("open missing: %s errno=%s\n", bad ? "pool" : "NULL",
	       errno == ENOENT ? "ENOENT" : "other");

	/* The smallest pools libpmemlog accepts (issue 14): the same answer
	 * from both builds, the log usable, and no file after a refusal. */
	const size_t small[] = {PMEMLOG_MIN_POOL - 1, PMEMLOG_MIN_POOL,
				PMEMLOG_MIN_POOL + 4096, (size_t)4 << 20,
				(size_t)8 << 20};
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		errno = 0;
		PMEMlogpool *sp = pmemlog_create(path, small[i], 0600);
		int err = errno;
		int left = access(path, F_OK) == 0;
		int app = sp ? pmemlog_append(sp, "abc", 3) : -1;
		long long tell = sp ? pmemlog_tell(sp) : -1;
		printf("create MIN_POOL%+lld: %s errno=%s file=%s append=%d "
		       "tell=%lld\n",
		       (long long)small[i] - (long long)PMEMLOG_MIN_POOL,
		       sp ? "pool" : "NULL",
		       sp ? "-" : (err == EINVAL ? "EINVAL" : "other"),
		       left ? "yes" : "no", app, tell);
		if (sp)
			pmemlog_close(sp);
		unlink(path);
	}

	PMEMlogpool *plp = pmemlog_create(path, POOL_SIZE, 0600);
	if (!plp) {
		perror("pmemlog_create");
		return 1;
	}
	errno = 0;
	bad = pmemlog_create(path, POOL_SIZE, 0600);
	printf("create existing: %s errno=%s\n", bad ? "pool" : "NULL",
	       errno == EEXIST ? "EEXIST" : "other");
	printf("nbyte at least 1 MiB: %s\n",
	       pmemlog_nbyte(plp) >= ((size_t)1 << 20) ? "yes" : "no");
	printf("tell empty: %lld\n", pmemlog_tell(plp));
	walk(plp, 0, 0);
	walk(plp, 16, 0);

	/* the classic example: a few strings */
	const char *strs[] = {"hello, world", "", "persistent memory",
			      "log record four"};
	for (int i = 0; i < 4; i++) {
		int r = pmemlog_append(plp, strs[i], strlen(strs[i]));
		printf("append \"%s\": %d\n", strs[i], r);
	}
	struct iovec iov[3];
	iov[0].iov_base = "vec-a ";
	iov[0].iov_len = 6;
	iov[1].iov_base = "vec-bb ";
	iov[1].iov_len = 7;
	iov[2].iov_base = "vec-ccc";
	iov[2].iov_len = 7;
	printf("appendv 3: %d\n", pmemlog_appendv(plp, iov, 3));
	printf("appendv 0: %d\n", pmemlog_appendv(plp, iov, 0));
	printf("tell: %lld\n", pmemlog_tell(plp));
	walk(plp, 0, 0);
	walk(plp, 5, 0);
	walk(plp, 5, 2);
	walk(plp, 1000, 0);

	/* larger data: 3000 records of varying sizes (300 on the msync
	 * path, where every append is an msync) */
	const char *force = getenv("PMEM_IS_PMEM_FORCE");
	int bulk = force && strcmp(force, "1") == 0 ? 3000 : 300;
	char buf[5000];
	for (int i = 0; i < bulk; i++) {
		size_t len = (size_t)(i * 37 % 4000);
		for (size_t k = 0; k < len; k++)
			buf[k] = (char)('a' + (i + k) % 26);
		if (pmemlog_append(plp, buf, len) != 0) {
			printf("append %d failed\n", i);
			break;
		}
	}
	printf("tell after bulk: %lld\n", pmemlog_tell(plp));
	walk(plp, 0, 0);
	walk(plp, 4096, 0);
	walk(plp, 333, 0);
	pmemlog_close(plp);

	printf("check closed pool: %d\n", pmemlog_check(path));

	plp = pmemlog_open(path);
	if (!plp) {
		perror("pmemlog_open");
		return 1;
	}
	printf("reopened, tell: %lld\n", pmemlog_tell(plp));
	walk(plp, 0, 0);
	walk(plp, 4096, 0);

	pmemlog_rewind(plp);
	printf("rewound, tell: %lld\n", pmemlog_tell(plp));
	walk(plp, 0, 0);
	printf("append after rewind: %d\n", pmemlog_append(plp, "again", 5));
	walk(plp, 0, 0);
	pmemlog_close(plp);
	plp = pmemlog_open(path);
	printf("reopened after rewind, tell: %lld\n", pmemlog_tell(plp));
	walk(plp, 0, 0);

	/* fill the pool: an append that does not fit fails and changes
	 * nothing */
	static char big[1 << 20];
	memset(big, 'z', sizeof(big));
	int appended = 0, r = 0;
	while ((r = pmemlog_append(plp, big, sizeof(big))) == 0)
		appended++;
	long long t = pmemlog_tell(plp);
	printf("full: append returned %d, some appended: %s\n", r,
	       appended > 0 ? "yes" : "no");
	printf("full: failed append changed nothing: %s\n",
	       pmemlog_tell(plp) == t ? "yes" : "no");
	iov[0].iov_base = big;
	iov[0].iov_len = sizeof(big);
	r = pmemlog_appendv(plp, iov, 1);
	printf("full: appendv returned %d, tell unchanged: %s\n", r,
	       pmemlog_tell(plp) == t ? "yes" : "no");
	pmemlog_rewind(plp);
	printf("rewound full pool, tell: %lld\n", pmemlog_tell(plp));
	printf("append: %d\n", pmemlog_append(plp, "x", 1));
	walk(plp, 0, 0);
	pmemlog_close(plp);
	printf("check: %d\n", pmemlog_check(path));
	unlink(path);
	return 0;
}
