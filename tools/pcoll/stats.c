/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll stats: allocation statistics of a pool, by libpmemobj type
 * number, each labelled with what pcoll allocates under it. Read-only
 * (pct_open_ro()). Relies on the core only.
 */
#define _GNU_SOURCE
#include "cmds.h"
#include "pct.h"

#include <stdlib.h>
#include <string.h>

typedef struct pct_tstat {
	uint64_t type_num;
	uint64_t count, bytes, largest;
} pct_tstat;

/* A label for libpmemobj type number tn: what pcoll allocates with it. */
static void pct_type_label(pc_pool *pool, uint64_t tn, char *buf, size_t len)
{
	if (tn == (PC__DIR_MAGIC >> 1)) {
		(void)snprintf(buf, len, "pcoll root directory");
		return;
	}
	if (tn == 0) {
		(void)snprintf(buf, len, "libpmemobj root object");
		return;
	}
#ifdef PCT_HAVE_MAP
	if (tn == PC__MAP_TN_LEAF) {
		(void)snprintf(buf, len, "map leaves");
		return;
	}
	if (tn == PC__MAP_TN_INNER) {
		(void)snprintf(buf, len, "map inner nodes");
		return;
	}
	if (tn == PC__MAP_TN_STR) {
		(void)snprintf(buf, len, "map byte strings");
		return;
	}
#endif
#ifdef PCT_HAVE_LOG
	if (tn == plog__chunk_typenum()) {
		(void)snprintf(buf, len, "log chunks");
		return;
	}
#endif
	size_t n = pc_root_count(pool);
	for (size_t i = 0; i < n; i++) {
		pc_root_info ri;
		if (pc_root_at(pool, i, &ri) != PC_OK)
			continue;
		uint64_t t = pc__sig_typenum(&ri.sig);
		if (tn == t) {
			(void)snprintf(buf, len, "%s (headers/objects)",
				       ri.sig.name);
			return;
		}
		if (ri.sig.kind == PC_KIND_BLKARR && tn == (t ^ 1)) {
			(void)snprintf(buf, len, "%s (block area)",
				       ri.sig.name);
			return;
		}
		if (ri.sig.kind == PC_KIND_VEC && tn == (t ^ 1)) {
			(void)snprintf(buf, len, "%s (element arrays)",
				       ri.sig.name);
			return;
		}
	}
	(void)snprintf(buf, len, "-");
}

int pct_cmd_stats(int argc, char **argv)
{
	static const pct_cmd_spec spec = {
		"stats",
		"stats POOL",
		"Allocation statistics of POOL. Reads only.\n"
		"  -h, --help   this text\n",
		"",
		NULL,
		1,
		1};
	int status;
	int first = pct_getopt(&spec, argc, argv, NULL, NULL, &status);
	if (first < 0)
		return status;
	argv += first - 1; /* argv[1] is POOL below */
	pc_pool *pool = pct_open_ro(argv[1]);
	if (!pool)
		return PCT_EXIT_FAIL;
	pct_tstat *ts = NULL;
	size_t nts = 0, cap = 0;
	uint64_t objs = 0, bytes = 0, largest = 0;
	for (PMEMoid o = pmemobj_first(pool->pop); !OID_IS_NULL(o);
	     o = pmemobj_next(o)) {
		uint64_t tn = pmemobj_type_num(o);
		uint64_t sz = pmemobj_alloc_usable_size(o);
		size_t i = 0;
		while (i < nts && ts[i].type_num != tn)
			i++;
		if (i == nts) {
			if (nts == cap) {
				cap = cap ? cap * 2 : 16;
				pct_tstat *n = realloc(ts, cap * sizeof(*ts));
				if (!n) {
					fprintf(stderr,
						"pcoll stats: out of memory\n");
					free(ts);
					pc_pool_close(pool);
					return PCT_EXIT_FAIL;
				}
				ts = n;
			}
			memset(&ts[nts], 0, sizeof(ts[0]));
			ts[nts++].type_num = tn;
		}
		ts[i].count++;
		ts[i].bytes += sz;
		if (sz > ts[i].largest)
			ts[i].largest = sz;
		objs++;
		bytes += sz;
		if (sz > largest)
			largest = sz;
	}
	pc_pool_stats st;
	pc_err e = pct_stats(pool, &st);
	if (e != PC_OK) {
		pct_perr("stats", e);
		free(ts);
		pc_pool_close(pool);
		return PCT_EXIT_FAIL;
	}
	char b1[64], b2[64], b3[64];
	printf("pool:        %s\n", argv[1]);
	printf("size:        %llu bytes (%s)\n", (unsigned long long)st.size,
	       pct_human(st.size, b1, sizeof(b1)));
	printf("used:        %llu bytes (%s)\n", (unsigned long long)st.used,
	       pct_human(st.used, b2, sizeof(b2)));
	printf("free:        %llu bytes (%s, an upper bound)\n",
	       (unsigned long long)st.free, pct_human(st.free, b3, sizeof(b3)));
	printf("objects:     %llu\n", (unsigned long long)objs);
	printf("allocated:   %llu bytes (usable sizes)\n",
	       (unsigned long long)bytes);
	printf("largest:     %llu bytes\n", (unsigned long long)largest);
	printf("mean:        %.1f bytes\n",
	       objs ? (double)bytes / (double)objs : 0.0);
	printf("roots:       %llu\n", (unsigned long long)st.nroots);
	printf("by libpmemobj type number:\n");
	printf("  %-20s %10s %14s %12s  %s\n", "type", "objects", "bytes",
	       "largest", "what");
	for (size_t i = 0; i < nts; i++) {
		char lab[128];
		pct_type_label(pool, ts[i].type_num, lab, sizeof(lab));
		printf("  %#-20llx %10llu %14llu %12llu  %s\n",
		       (unsigned long long)ts[i].type_num,
		       (unsigned long long)ts[i].count,
		       (unsigned long long)ts[i].bytes,
		       (unsigned long long)ts[i].largest, lab);
	}
	free(ts);
	pc_pool_close(pool);
	return PCT_EXIT_OK;
}
