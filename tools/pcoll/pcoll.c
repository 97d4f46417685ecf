/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll: inspect, check, dump and restore pcoll pools.
 *
 *   pcoll info POOL          layout, sizes, every named root
 *   pcoll stats POOL         allocation statistics
 *   pcoll check POOL         libpmemobj's check + every container's check
 *   pcoll dump POOL [ROOT...] [-o FILE]
 *   pcoll restore FILE NEWPOOL [--size N | --grow STEP [--max M]]
 *
 * info, stats, check and dump never write to the pool: it is opened
 * copy-on-write (see pct_open_ro()). docs/tool.md is the manual.
 *
 * This file only dispatches: each command is its own file (cmds.h) over
 * the shared core (pct.h).
 */
#define _GNU_SOURCE
#include "cmds.h"
#include "pct.h"

#include <dlfcn.h>
#include <limits.h>
#include <string.h>

#ifndef PCT_PMDK_BUILT
#define PCT_PMDK_BUILT "unknown"
#endif

/*
 * The PMDK release of the libpmemobj this process loaded: every release
 * since 1.0 carries the string "src version: X.Y.Z" in its library file.
 * Writes the release (or "unknown") to rel and the library's path to lib.
 */
static void pct_pmdk_release(char *rel, size_t rn, char *lib, size_t ln)
{
	static const char tag[] = "src version: ";
	Dl_info di;
	(void)snprintf(rel, rn, "unknown");
	(void)snprintf(lib, ln, "unknown");
	if (!dladdr((void *)(uintptr_t)pmemobj_open, &di) || !di.dli_fname)
		return;
	(void)snprintf(lib, ln, "%s", di.dli_fname);
	FILE *f = fopen(di.dli_fname, "rbe");
	if (!f)
		return;
	/* Chunks overlap by the tag's length plus a version's room. */
	char buf[65536 + 64];
	size_t keep = 0, got;
	while ((got = fread(buf + keep, 1, sizeof(buf) - keep - 1, f)) > 0) {
		size_t n = keep + got;
		buf[n] = '\0';
		for (size_t i = 0; i + sizeof(tag) - 1 < n; i++) {
			if (memcmp(buf + i, tag, sizeof(tag) - 1) != 0)
				continue;
			const char *v = buf + i + sizeof(tag) - 1;
			size_t len = strnlen(v, (size_t)(buf + n - v));
			if (v + len < buf + n && len > 0 && len < 32) {
				(void)snprintf(rel, rn, "%.*s", (int)len, v);
				(void)fclose(f);
				return;
			}
		}
		keep = n < 64 ? n : 64;
		memmove(buf, buf + n - keep, keep);
	}
	(void)fclose(f);
}

static void pct_usage(FILE *f)
{
	fprintf(f, "usage: pcoll COMMAND ARGS\n"
		   "  info POOL                  layout, sizes and every named "
		   "root\n"
		   "  stats POOL                 allocation statistics\n"
		   "  check [-q] POOL            libpmemobj's check and every "
		   "container's\n"
		   "  dump POOL [ROOT...] [-o FILE] [--no-progress]\n"
		   "                             write the pool as JSON Lines\n"
		   "  restore FILE NEWPOOL [--size N | --grow STEP [--max M]]\n"
		   "                             [--no-progress]\n"
		   "                             make a new pool from a dump "
		   "(FILE - is stdin)\n"
		   "  version                    print the versions\n"
		   "info, stats, check and dump never write to POOL.\n"
		   "See docs/tool.md (or man pcoll).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		pct_usage(stderr);
		return PCT_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "info") == 0)
		return pct_cmd_info(argc - 1, argv + 1);
	if (strcmp(cmd, "stats") == 0)
		return pct_cmd_stats(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return pct_cmd_check(argc - 1, argv + 1);
	if (strcmp(cmd, "dump") == 0)
		return pct_cmd_dump(argc - 1, argv + 1);
	if (strcmp(cmd, "restore") == 0)
		return pct_cmd_restore(argc - 1, argv + 1);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		char rel[40], lib[PATH_MAX];
		pct_pmdk_release(rel, sizeof(rel), lib, sizeof(lib));
		printf("pcoll %s (dump format %d, pool layout version %d)\n"
		       "PMDK %s (running %s; built against PMDK %s, "
		       "libpmemobj API %d.%d)\n",
		       PCOLL_VERSION_STRING, PCT_DUMP_FORMAT,
		       PC_POOL_LAYOUT_VERSION, rel, lib, PCT_PMDK_BUILT,
		       PMEMOBJ_MAJOR_VERSION, PMEMOBJ_MINOR_VERSION);
		return PCT_EXIT_OK;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "-h") == 0) {
		pct_usage(stdout);
		return PCT_EXIT_OK;
	}
	fprintf(stderr, "pcoll: unknown command \"%s\"\n", cmd);
	pct_usage(stderr);
	return PCT_EXIT_USAGE;
}
