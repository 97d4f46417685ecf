/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kv: a persistent key-value store on the command line, over
 * PMAP(bytes, bytes) (string keys and values, kept in key order).
 *
 *   kv POOL put KEY VALUE        insert or replace
 *   kv POOL get KEY              print the value
 *   kv POOL remove KEY           remove (prints the old value)
 *   kv POOL exists KEY           prints yes or no (exit status 0 or 1)
 *   kv POOL count all | above K | below K | between K1 K2
 *   kv POOL list [keys|pairs] all | above K | below K | between K1 K2
 *
 * above K means keys > K, below K keys < K, between K1 K2 keys strictly
 * between them (pmemkv's definitions). The pool is created (32 MiB, or
 * $KV_POOL_SIZE bytes) when missing. Exit status: 0 success, 1 key not
 * found or "no", 2 usage, 3 other errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcoll/pcoll.h>

#define PC_K_BYTES
#define PC_V_BYTES
#define PC_NAME kvmap
#include <pcoll/map.h>

static int usage(void)
{
	fprintf(stderr,
		"usage: kv POOL put KEY VALUE | get KEY | remove KEY | "
		"exists KEY\n"
		"       kv POOL count all|above K|below K|between K1 K2\n"
		"       kv POOL list [keys|pairs] all|above K|below K|between "
		"K1 K2\n");
	return 2;
}

static int fail(const char *what)
{
	fprintf(stderr, "kv: %s: %s\n", what, pc_errmsg());
	return 3;
}

static void put_slice(pc_slice s)
{
	fwrite(s.ptr, 1, s.len, stdout);
}

static int print_key(pc_slice k, pc_slice v, void *arg)
{
	(void)v;
	(void)arg;
	put_slice(k);
	putchar('\n');
	return 0;
}

static int print_pair(pc_slice k, pc_slice v, void *arg)
{
	(void)arg;
	put_slice(k);
	putchar('=');
	put_slice(v);
	putchar('\n');
	return 0;
}

/* Runs a count or list over the selector in argv[0..]: all, above K,
 * below K, between K1 K2. */
static int select_run(const kvmap *m, int argc, char **argv, int list,
		      kvmap_visit_fn fn)
{
	if (argc < 1)
		return usage();
	const char *sel = argv[0];
	size_t n = 0;
	if (strcmp(sel, "all") == 0 && argc == 1) {
		if (list)
			(void)kvmap_get_all(m, fn, NULL);
		else
			n = kvmap_count_all(m);
	} else if (strcmp(sel, "above") == 0 && argc == 2) {
		pc_slice k = pc_slice_cstr(argv[1]);
		if (list)
			(void)kvmap_get_above(m, k, fn, NULL);
		else
			n = kvmap_count_above(m, k);
	} else if (strcmp(sel, "below") == 0 && argc == 2) {
		pc_slice k = pc_slice_cstr(argv[1]);
		if (list)
			(void)kvmap_get_below(m, k, fn, NULL);
		else
			n = kvmap_count_below(m, k);
	} else if (strcmp(sel, "between") == 0 && argc == 3) {
		pc_slice k1 = pc_slice_cstr(argv[1]);
		pc_slice k2 = pc_slice_cstr(argv[2]);
		if (list)
			(void)kvmap_get_between(m, k1, k2, fn, NULL);
		else
			n = kvmap_count_between(m, k1, k2);
	} else {
		return usage();
	}
	if (!list)
		printf("%zu\n", n);
	return 0;
}

static int run(kvmap *m, int argc, char **argv)
{
	const char *cmd = argv[0];
	if (strcmp(cmd, "put") == 0 && argc == 3) {
		if (kvmap_put(m, pc_slice_cstr(argv[1]), pc_slice_cstr(argv[2]),
			      NULL) != PC_OK)
			return fail("put");
		return 0;
	}
	if (strcmp(cmd, "get") == 0 && argc == 2) {
		pc_slice v = kvmap_get(m, pc_slice_cstr(argv[1]));
		if (!v.ptr) {
			fprintf(stderr, "kv: %s: not found\n", argv[1]);
			return 1;
		}
		put_slice(v);
		putchar('\n');
		return 0;
	}
	if (strcmp(cmd, "remove") == 0 && argc == 2) {
		char buf[4096];
		pc_vbuf old = {buf, sizeof(buf), 0};
		pc_err e = kvmap_remove(m, pc_slice_cstr(argv[1]), &old);
		if (e == PC_E_NOTFOUND) {
			fprintf(stderr, "kv: %s: not found\n", argv[1]);
			return 1;
		}
		if (e != PC_OK)
			return fail("remove");
		fwrite(buf, 1, old.len < sizeof(buf) ? old.len : sizeof(buf),
		       stdout);
		putchar('\n');
		return 0;
	}
	if (strcmp(cmd, "exists") == 0 && argc == 2) {
		bool yes = kvmap_contains(m, pc_slice_cstr(argv[1]));
		puts(yes ? "yes" : "no");
		return yes ? 0 : 1;
	}
	if (strcmp(cmd, "count") == 0)
		return select_run(m, argc - 1, argv + 1, 0, NULL);
	if (strcmp(cmd, "list") == 0) {
		kvmap_visit_fn fn = print_key;
		int skip = 1;
		if (argc > 1 && strcmp(argv[1], "pairs") == 0) {
			fn = print_pair;
			skip = 2;
		} else if (argc > 1 && strcmp(argv[1], "keys") == 0) {
			skip = 2;
		}
		return select_run(m, argc - skip, argv + skip, 1, fn);
	}
	return usage();
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	size_t size = (size_t)32 << 20;
	const char *env = getenv("KV_POOL_SIZE");
	if (env && *env)
		size = (size_t)strtoull(env, NULL, 0);
	pc_pool *pool = NULL;
	if (pc_pool_open_or_create(argv[1], size, &pool) != PC_OK)
		return fail(argv[1]);
	kvmap m;
	int rc;
	if (kvmap_root(pool, "kv", PC_OPEN_OR_CREATE, &m) != PC_OK)
		rc = fail("root");
	else
		rc = run(&m, argc - 2, argv + 2);
	if (pc_pool_close(pool) != PC_OK && rc == 0)
		rc = fail("close");
	return rc;
}
