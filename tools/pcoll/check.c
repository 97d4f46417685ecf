/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll check: libpmemobj's check of the pool, pcoll's root and
 * directory, then every container's own check. Read-only
 * (pct_open_ro()). Relies on the core only (pool open, the map binding).
 */
#define _GNU_SOURCE
#include "cmds.h"
#include "pct.h"

#include <string.h>

/* Runs the container's own check; returns 1 pass, 0 fail, -1 skipped. */
static int pct_check_root(pc_pool *pool, const pc_root_info *ri,
			  const char **why)
{
	pc_err e = PC_OK;
	*why = NULL;
	switch (ri->sig.kind) {
	case PC_KIND_OBJ: {
		PMEMoid oid = {pool->uuid_lo, ri->off};
		if (!pc__pool_range_ok(pool, ri->off, ri->sig.size))
			e = pc__fail(PC_E_CORRUPT, "object out of range");
		else if (pmemobj_type_num(oid) != pc__sig_typenum(&ri->sig))
			e = pc__fail(PC_E_CORRUPT,
				     "allocation's type number does not match "
				     "the signature");
		else if (pmemobj_alloc_usable_size(oid) < ri->sig.size)
			e = pc__fail(PC_E_CORRUPT,
				     "allocation is smaller than the type");
		break;
	}
#ifdef PCT_HAVE_VEC
	case PC_KIND_VEC:
		e = pc__vec_check(
			pool,
			(const struct pc__vec *)pc_pool_ptr(pool, ri->off),
			&ri->sig, "pvec check");
		break;
#endif
#ifdef PCT_HAVE_MAP
	case PC_KIND_MAP: {
		pct_map m;
		e = pct_map_bind(pool, ri->off, &ri->sig, &m);
		if (e == PC_OK && !m.kkind_known) {
			uint64_t len, leaves;
			e = pct_map_len(&m, &len, &leaves);
			if (e == PC_OK) {
				*why = "keys are ordered by the program's "
				       "comparator; only the header and leaf "
				       "chain were checked";
				return -1;
			}
		} else if (e == PC_OK) {
			e = pc__m_check(&m.c, "pmap check");
		}
		break;
	}
#endif
#ifdef PCT_HAVE_LOG
	case PC_KIND_LOG: {
		plog log;
		e = plog_root(pool, ri->name, PC_OPEN, 0, &log);
		if (e == PC_OK)
			e = plog_check(&log);
		break;
	}
#endif
#ifdef PCT_HAVE_BLKARR
	case PC_KIND_BLKARR: {
		pblkarr a;
		e = pblkarr_root(pool, ri->name, PC_OPEN, 0, 0, &a);
		if (e == PC_OK)
			e = pblkarr_check(&a);
		break;
	}
#endif
	default:
		*why = "this build of the tool has no check for this kind";
		return -1;
	}
	if (e != PC_OK) {
		*why = pc_errmsg();
		return 0;
	}
	return 1;
}

static int pct_check_opt(int code, const char *arg, void *ctx)
{
	(void)arg;
	if (code == 'q')
		*(int *)ctx = 1;
	return 0;
}

int pct_cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"quiet", no_argument, NULL, 'q'}, {NULL, 0, NULL, 0}};
	static const pct_cmd_spec spec = {
		"check",
		"check [-q] POOL",
		"libpmemobj's check and every container's check of POOL.\n"
		"Reads only. Exit status 0 when everything passed.\n"
		"  -q, --quiet  print only failures and the summary\n"
		"  -h, --help   this text\n",
		"q",
		longopts,
		1,
		1};
	int quiet = 0, status;
	int first =
		pct_getopt(&spec, argc, argv, pct_check_opt, &quiet, &status);
	if (first < 0)
		return status;
	const char *path = argv[first];
	/* Opening first gives the most precise diagnosis of a bad file
	 * (truncated, wrong layout, newer version...). */
	pc_pool *pool = pct_open_ro(path);
	if (!pool) {
		printf("%s: FAILED: cannot open the pool\n", path);
		return PCT_EXIT_FAIL;
	}
	pc_pool_close(pool);
	pc_err e = pc_pool_check(path);
	if (e != PC_OK) {
		printf("%s: FAILED: pool: %s\n", path, pc_errmsg());
		return PCT_EXIT_FAIL;
	}
	if (!quiet)
		printf("pool: ok (libpmemobj check, pcoll root and "
		       "directory)\n");
	pool = pct_open_ro(path);
	if (!pool)
		return PCT_EXIT_FAIL;
	size_t n = pc_root_count(pool);
	size_t pass = 0, fail = 0, skip = 0;
	for (size_t i = 0; i < n; i++) {
		pc_root_info ri;
		if (pc_root_at(pool, i, &ri) != PC_OK) {
			fail++;
			printf("root %zu: FAILED: %s\n", i, pc_errmsg());
			continue;
		}
		const char *why = NULL;
		int r = pct_check_root(pool, &ri, &why);
		if (r > 0) {
			pass++;
			if (!quiet)
				printf("root \"%s\" (%s): ok\n", ri.name,
				       ri.sig.name);
		} else if (r < 0) {
			skip++;
			printf("root \"%s\" (%s): not fully checked: %s\n",
			       ri.name, ri.sig.name, why);
		} else {
			fail++;
			printf("root \"%s\" (%s): FAILED: %s\n", ri.name,
			       ri.sig.name, why);
		}
	}
	pc_pool_close(pool);
	printf("%s: %s: %zu roots, %zu passed, %zu failed, %zu not fully "
	       "checked\n",
	       path, fail ? "FAILED" : "ok", n, pass, fail, skip);
	return fail ? PCT_EXIT_FAIL : PCT_EXIT_OK;
}
