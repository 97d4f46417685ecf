/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A program written against libpmemblk's C API. The test builds it twice:
 * against Debian's libpmemblk (-lpmemblk) and against pcoll's compat layer
 * (-I include/pcoll/compat), runs both and compares what they print. The
 * number of blocks legitimately differs, so it is printed on lines of its
 * own starting with "NBLOCK", which the comparison leaves out.
 *
 * usage: compat_prog <directory for pools>
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpmemblk.h>

#define POOL_SIZE ((size_t)64 << 20)

static void fill(char *buf, size_t bsize, long long blockno, int round)
{
	for (size_t k = 0; k < bsize; k++)
		buf[k] = (char)((blockno * 31 + round * 7 + (long long)k) &
				0xff);
}

static unsigned sum(const char *buf, size_t bsize)
{
	unsigned s = 0;
	for (size_t k = 0; k < bsize; k++)
		s = s * 131 + (unsigned char)buf[k];
	return s;
}

static int is_zero(const char *buf, size_t bsize)
{
	for (size_t k = 0; k < bsize; k++)
		if (buf[k])
			return 0;
	return 1;
}

static const char *errname(int e)
{
	switch (e) {
	case 0:
		return "0";
	case EINVAL:
		return "EINVAL";
	case EIO:
		return "EIO";
	case EEXIST:
		return "EEXIST";
	case ENOENT:
		return "ENOENT";
	default:
		return "other";
	}
}

#define SHOW(label, call)                                                    \
	do {                                                                 \
		errno = 0;                                                   \
		int r_ = (call);                                             \
		printf("%s: %d %s\n", label, r_, r_ ? errname(errno) : "0"); \
	} while (0)

static int run(const char *dir, size_t bsize)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/compat-%ld-%zu.pool", dir,
		 (long)getpid(), bsize);
	unlink(path);
	printf("== bsize %zu\n", bsize);

	PMEMblkpool *pbp = pmemblk_create(path, bsize, POOL_SIZE, 0600);
	if (!pbp) {
		printf("create failed: %s\n", pmemblk_errormsg());
		return 1;
	}
	size_t nb = pmemblk_nblock(pbp);
	printf("NBLOCK %zu %zu\n", bsize, nb);
	printf("bsize: %zu\n", pmemblk_bsize(pbp));
	printf("enough blocks: %d\n", nb >= 1000);

	char *buf = malloc(bsize), *rd = malloc(bsize);
	if (!buf || !rd)
		return 1;
	SHOW("read never written", pmemblk_read(pbp, rd, 7));
	printf("  zero: %d\n", is_zero(rd, bsize));
	long long blocks[] = {0, 1, 5, 20, 999, (long long)nb - 1};
	for (int r = 0; r < 3; r++)
		for (size_t k = 0; k < sizeof(blocks) / sizeof(blocks[0]);
		     k++) {
			fill(buf, bsize, k, r);
			if (pmemblk_write(pbp, buf, blocks[k]) != 0)
				printf("write %zu failed\n", k);
		}
	for (size_t k = 0; k < sizeof(blocks) / sizeof(blocks[0]); k++) {
		SHOW("read", pmemblk_read(pbp, rd, blocks[k]));
		printf("  block #%zu sum %08x\n", k, sum(rd, bsize));
	}
	SHOW("read out of range", pmemblk_read(pbp, rd, (long long)nb));
	SHOW("read negative", pmemblk_read(pbp, rd, -1));
	SHOW("write out of range", pmemblk_write(pbp, buf, (long long)nb));
	SHOW("set_zero out of range", pmemblk_set_zero(pbp, (long long)nb));
	SHOW("set_error out of range", pmemblk_set_error(pbp, (long long)nb));
	SHOW("set_zero", pmemblk_set_zero(pbp, 1));
	SHOW("read zeroed", pmemblk_read(pbp, rd, 1));
	printf("  zero: %d\n", is_zero(rd, bsize));
	SHOW("set_error", pmemblk_set_error(pbp, 5));
	SHOW("read error block", pmemblk_read(pbp, rd, 5));
	SHOW("set_error never written", pmemblk_set_error(pbp, 30));
	SHOW("read error block 30", pmemblk_read(pbp, rd, 30));
	pmemblk_close(pbp);

	printf("check: %d\n", pmemblk_check(path, bsize));
	errno = 0;
	PMEMblkpool *again = pmemblk_create(path, bsize, POOL_SIZE, 0600);
	printf("create existing: %s %s\n", again ? "pool" : "NULL",
	       errname(errno));
	if (again)
		pmemblk_close(again);

	pbp = pmemblk_open(path, bsize);
	if (!pbp) {
		printf("open failed: %s\n", pmemblk_errormsg());
		return 1;
	}
	printf("reopen nblock same: %d\n", pmemblk_nblock(pbp) == nb);
	for (size_t k = 0; k < sizeof(blocks) / sizeof(blocks[0]); k++) {
		SHOW("read after reopen", pmemblk_read(pbp, rd, blocks[k]));
		printf("  block #%zu sum %08x zero %d\n", k, sum(rd, bsize),
		       is_zero(rd, bsize));
	}
	SHOW("read error block after reopen", pmemblk_read(pbp, rd, 5));
	fill(buf, bsize, 77, 9);
	SHOW("write error block", pmemblk_write(pbp, buf, 5));
	SHOW("read rewritten", pmemblk_read(pbp, rd, 5));
	printf("  same: %d\n", memcmp(buf, rd, bsize) == 0);
	pmemblk_close(pbp);

	errno = 0;
	pbp = pmemblk_open(path, bsize + 1);
	printf("open wrong bsize: %s %s\n", pbp ? "pool" : "NULL",
	       errname(errno));
	if (pbp)
		pmemblk_close(pbp);
	pbp = pmemblk_open(path, 0);
	printf("open bsize 0: %s\n", pbp ? "pool" : "NULL");
	if (pbp) {
		printf("  bsize: %zu\n", pmemblk_bsize(pbp));
		pmemblk_close(pbp);
	}
	unlink(path);
	free(buf);
	free(rd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/dev/shm";
	char path[512];
	snprintf(path, sizeof(path), "%s/compat-%ld-missing.pool", dir,
		 (long)getpid());
	unlink(path);
	errno = 0;
	PMEMblkpool *p = pmemblk_open(path, 512);
	printf("open missing: %s %s\n", p ? "pool" : "NULL", errname(errno));
	errno = 0;
	p = pmemblk_create(path, 512, PMEMBLK_MIN_POOL - 4096, 0600);
	printf("create too small: %s %s\n", p ? "pool" : "NULL",
	       errname(errno));
	unlink(path);
	/* The smallest pool libpmemblk accepts (issue 14), and no file left
	 * by a refusal. */
	const size_t small[] = {PMEMBLK_MIN_POOL - 1, PMEMBLK_MIN_POOL};
	for (size_t i = 0; i < 2; i++) {
		errno = 0;
		p = pmemblk_create(path, 512, small[i], 0600);
		int err = errno;
		int left = access(path, F_OK) == 0;
		char blk[512];
		memset(blk, 7, sizeof(blk));
		int w = p ? pmemblk_write(p, blk, 0) : -1;
		printf("create MIN_POOL%+d: %s %s file=%s write=%d\n",
		       (int)i - 1, p ? "pool" : "NULL", p ? "-" : errname(err),
		       left ? "yes" : "no", w);
		if (p)
			pmemblk_close(p);
		unlink(path);
	}
	printf("version ok: %d\n",
	       pmemblk_check_version(PMEMBLK_MAJOR_VERSION,
				     PMEMBLK_MINOR_VERSION) == NULL);
	printf("min blk: %zu\n", (size_t)PMEMBLK_MIN_BLK);
	size_t sizes[] = {512, 4096, 1000, 65536};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (run(dir, sizes[i]) != 0)
			return 1;
	return 0;
}
