/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log: the classic libpmemlog example, on PLOG.
 *
 * Creates the pool (or opens it if it exists), appends two strings, walks
 * the log printing every record, closes the pool, opens it again and
 * walks once more (prefaulted): the records survived. Run it twice and the log holds
 * four records.
 *
 *   usage: log <pool-file>
 *
 * With libpmemlog this was pmemlog_create / pmemlog_append / pmemlog_walk;
 * docs/log.md has the full migration table.
 */
#include <stdio.h>
#include <string.h>

#include <pcoll/log.h>
#include <pcoll/pcoll.h>

#define POOL_SIZE ((size_t)32 << 20)

/* Called once per record (walk with chunk size 0): records keep their
 * boundaries, unlike libpmemlog's walk. Return 0 to go on (nonzero would
 * stop the walk, and plog_walk() would return that value). */
static int print_record(const void *buf, size_t len, void *arg)
{
	unsigned *n = arg;
	printf("  record %u (%zu bytes): %.*s\n", ++*n, len, (int)len,
	       (const char *)buf);
	return 0;
}

static pc_err show(const plog *log, const char *when)
{
	unsigned n = 0;
	printf("%s: %llu records, %llu bytes used of %llu\n", when,
	       (unsigned long long)plog_count(log),
	       (unsigned long long)plog_tell(log),
	       (unsigned long long)plog_nbyte(log));
	return (pc_err)plog_walk(log, 0, print_record, &n);
}

static pc_err run(const char *path)
{
	pc_pool *pool = NULL;
	plog log;

	/* create the pool, or open it if it already exists */
	PC_TRY(pc_pool_open_or_create(path, POOL_SIZE, &pool));
	pc_err e = plog_root(pool, "log", PC_OPEN_OR_CREATE, 64 * 1024, &log);

	/* append to the log: each record is durable when append returns */
	const char *first = "This is the first string appended";
	const char *second = "This is the second string appended";
	if (e == PC_OK)
		e = plog_append(&log, first, strlen(first));
	if (e == PC_OK)
		e = plog_append(&log, second, strlen(second));
	if (e == PC_OK)
		e = show(&log, "after appending");
	if (e != PC_OK) {
		(void)pc_pool_close(pool);
		return e;
	}
	PC_TRY(pc_pool_close(pool));

	/* open it again: everything appended is still there. Prefaulting
	 * maps every page of the pool now, so later appends take no
	 * first-touch page faults (docs/log.md, "Prefaulting"); the same as
	 * pc_pool_opts.prefault at open. */
	PC_TRY(pc_pool_open(path, &pool));
	e = pc_pool_prefault(pool);
	if (e == PC_OK)
		e = plog_root(pool, "log", PC_OPEN, 0, &log);
	if (e == PC_OK)
		e = show(&log, "after reopening");
	pc_err c = pc_pool_close(pool);
	return e != PC_OK ? e : c;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <pool-file>\n", argv[0]);
		return 2;
	}
	pc_err e = run(argv[1]);
	if (e != PC_OK) {
		fprintf(stderr, "log: %s\n", pc_errmsg());
		return 1;
	}
	return 0;
}
