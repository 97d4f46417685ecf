/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll info: a pool's type, sizes and every named root with its
 * container's figures. Read-only (pct_open_ro()). Relies on the core
 * only (pool open, statistics, sizes, the map binding).
 */
#define _GNU_SOURCE
#include "cmds.h"
#include "pct.h"

#include <string.h>

static int pct_is_poolset(const char *path)
{
	char head[12] = {0};
	FILE *f = fopen(path, "rb");
	size_t got = f ? fread(head, 1, sizeof(head), f) : 0;
	if (f)
		fclose(f);
	return got >= 11 && memcmp(head, "PMEMPOOLSET", 11) == 0;
}

/* One root's details; returns 0 when it could be read. */
static int pct_info_root(pc_pool *pool, const pc_root_info *ri)
{
	char b[64], sigs[200];
	printf("  \"%s\": %s\n", ri->name,
	       pc__sig_str(&ri->sig, sigs, sizeof(sigs)));
	printf("      kind %s, offset %llu\n", pct_kind_name(ri->sig.kind),
	       (unsigned long long)ri->off);
	pc_err e = PC_OK;
	switch (ri->sig.kind) {
	case PC_KIND_OBJ: {
		PMEMoid oid = {pool->uuid_lo, ri->off};
		printf("      object of %u bytes (allocation %zu bytes)\n",
		       ri->sig.size, pmemobj_alloc_usable_size(oid));
		break;
	}
#ifdef PCT_HAVE_VEC
	case PC_KIND_VEC: {
		const struct pc__vec *h =
			(const struct pc__vec *)pc_pool_ptr(pool, ri->off);
		e = pc__vec_check(pool, h, &ri->sig, "vec");
		if (e == PC_OK)
			printf("      %llu elements of %u bytes (%s), capacity "
			       "%llu\n",
			       (unsigned long long)h->len, ri->sig.size,
			       pct_human(h->len * ri->sig.size, b, sizeof(b)),
			       (unsigned long long)h->cap);
		break;
	}
#endif
#ifdef PCT_HAVE_MAP
	case PC_KIND_MAP: {
		pct_map m;
		uint64_t len = 0, leaves = 0;
		e = pct_map_bind(pool, ri->off, &ri->sig, &m);
		if (e == PC_OK)
			e = pct_map_len(&m, &len, &leaves);
		if (e == PC_OK)
			printf("      %llu entries, %llu levels, %llu leaves "
			       "(%s of leaves); keys %s%s, values %s\n",
			       (unsigned long long)len,
			       (unsigned long long)m.c.h->height + 1,
			       (unsigned long long)leaves,
			       pct_human(leaves * m.d.lsize, b, sizeof(b)),
			       m.kname,
			       m.kkind_known ? "" : " (program comparator)",
			       m.vname);
		break;
	}
#endif
#ifdef PCT_HAVE_LOG
	case PC_KIND_LOG: {
		plog log;
		e = plog_root(pool, ri->name, PC_OPEN, 0, &log);
		if (e == PC_OK)
			printf("      %llu records, %llu payload bytes, "
			       "capacity "
			       "%s\n",
			       (unsigned long long)plog_count(&log),
			       (unsigned long long)plog_tell(&log),
			       pct_human(plog_nbyte(&log), b, sizeof(b)));
		break;
	}
#endif
#ifdef PCT_HAVE_BLKARR
	case PC_KIND_BLKARR: {
		pblkarr a;
		e = pblkarr_root(pool, ri->name, PC_OPEN, 0, 0, &a);
		if (e == PC_OK)
			printf("      %llu blocks of %zu bytes (%s)\n",
			       (unsigned long long)pblkarr_nblock(&a),
			       pblkarr_bsize(&a),
			       pct_human(pblkarr_nblock(&a) * pblkarr_bsize(&a),
					 b, sizeof(b)));
		break;
	}
#endif
	default:
		printf("      (this build of the tool does not read kind %u)\n",
		       ri->sig.kind);
		break;
	}
	if (e != PC_OK) {
		printf("      unreadable: %s\n", pc_errmsg());
		return 1;
	}
	return 0;
}

int pct_cmd_info(int argc, char **argv)
{
	static const pct_cmd_spec spec = {
		"info",
		"info POOL",
		"Layout, sizes and every named root of POOL. Reads only; a "
		"pool\n"
		"another process has open is shown from a copy taken now.\n"
		"  -h, --help   this text\n",
		"",
		NULL,
		1,
		1};
	int status;
	int first = pct_getopt(&spec, argc, argv, NULL, NULL, &status);
	if (first < 0)
		return status;
	const char *path = argv[first];
	char copy[4096];
	pc_pool *pool = pct_open_ro_or_copy("info", path, copy, sizeof(copy));
	if (!pool)
		return PCT_EXIT_FAIL;
	pc_pool_stats st;
	pc_err e = pct_stats(pool, &st);
	if (e != PC_OK) {
		pct_perr("info", e);
		pct_close_copy(pool, copy);
		return PCT_EXIT_FAIL;
	}
	char b1[64], b2[64], b3[64];
	printf("pool:     %s\n", path);
	printf("layout:   %s, pool layout version %u\n", PC_LAYOUT,
	       pool->root->version);
	if (pool->root->grow_step)
		printf("type:     growable (poolset; grows by %s; parts in "
		       "%s.parts/)\n",
		       pct_human(pool->root->grow_step, b1, sizeof(b1)), path);
	else
		printf("type:     %s\n",
		       pct_is_poolset(path) ? "poolset" : "fixed-size file");
	if (pc_pool_is_pmem(pool))
		printf("persist:  persistent memory (flush with %s)\n",
		       pc_flush_kind_name(pc_flush_kind_get()));
	else
		printf("persist:  msync (not persistent memory)\n");
	printf("size:     %llu bytes (%s)\n", (unsigned long long)st.size,
	       pct_human(st.size, b1, sizeof(b1)));
	printf("used:     %llu bytes (%s)\n", (unsigned long long)st.used,
	       pct_human(st.used, b2, sizeof(b2)));
	printf("free:     %llu bytes (%s, an upper bound%s)\n",
	       (unsigned long long)st.free, pct_human(st.free, b3, sizeof(b3)),
	       pool->root->grow_step ? "; the pool grows when full" : "");
	size_t n = pc_root_count(pool);
	printf("roots:    %zu\n", n);
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		pc_root_info ri;
		if (pc_root_at(pool, i, &ri) != PC_OK) {
			pct_perr("info", PC_E_CORRUPT);
			bad = 1;
			continue;
		}
		bad |= pct_info_root(pool, &ri);
	}
	pct_close_copy(pool, copy);
	return bad ? PCT_EXIT_FAIL : PCT_EXIT_OK;
}
