/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pcoll tool's commands: one entry point each, called by main
 * (pcoll.c) with argv[0] the command's name. Each returns an exit status
 * (PCT_EXIT_* of pct.h). Each is defined in the file of its name and
 * relies only on the core (pct.h).
 */
#ifndef PCOLL_TOOL_CMDS_H
#define PCOLL_TOOL_CMDS_H

int pct_cmd_info(int argc, char **argv);    /* info.c */
int pct_cmd_stats(int argc, char **argv);   /* stats.c */
int pct_cmd_check(int argc, char **argv);   /* check.c */
int pct_cmd_dump(int argc, char **argv);    /* dump.c */
int pct_cmd_restore(int argc, char **argv); /* restore.c */

#endif /* PCOLL_TOOL_CMDS_H */
