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
#include "cmds.h"
#include "pct.h"

#include <string.h>

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
		printf("pcoll %s (dump format %d, pool layout version %d, "
		       "libpmemobj %d.%d)\n",
		       PCOLL_VERSION_STRING, PCT_DUMP_FORMAT,
		       PC_POOL_LAYOUT_VERSION, PMEMOBJ_MAJOR_VERSION,
		       PMEMOBJ_MINOR_VERSION);
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
