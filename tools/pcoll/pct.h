/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pcoll command-line tool: what its source files share.
 *
 * The tool cannot instantiate the typed containers for element types it
 * does not know, so it reads the named-root directory (name, signature,
 * offset of every root) and drives each container through its type-erased
 * functions, which take the element size from the signature.
 */
#ifndef PCOLL_TOOL_PCT_H
#define PCOLL_TOOL_PCT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pcoll/pcoll.h>

#if __has_include(<pcoll/detail/vec_engine.h>)
#include <pcoll/detail/vec_engine.h>
#define PCT_HAVE_VEC 1
#endif
#if __has_include(<pcoll/detail/map_impl.h>)
#include <pcoll/detail/map_impl.h>
#define PCT_HAVE_MAP 1
#endif
#if __has_include(<pcoll/log.h>)
#include <pcoll/log.h>
#define PCT_HAVE_LOG 1
#endif
#if __has_include(<pcoll/blkarr.h>)
#include <pcoll/blkarr.h>
#define PCT_HAVE_BLKARR 1
#endif

/* Exit statuses (documented in docs/tool.md). */
enum {
	PCT_EXIT_OK = 0,
	PCT_EXIT_FAIL = 1,  /* the pool is bad, or the operation failed */
	PCT_EXIT_USAGE = 2, /* bad command line */
};

/* Version of the dump format written by `pcoll dump`. */
#define PCT_DUMP_FORMAT 1

/* Short name of a pc_kind ("vec", "map", ...); "?" when unknown. */
const char *pct_kind_name(uint32_t kind);
/* The pc_kind of a short name, 0 when unknown. */
uint32_t pct_kind_from_name(const char *s);

/* Open the pool at path so that nothing is ever written to it: the file
 * is mapped copy-on-write (libpmemobj's copy_on_write.at_open), so the
 * recovery libpmemobj runs at open, and anything the containers' open
 * paths rebuild, stay in private memory. Prints the error and returns
 * NULL on failure. */
pc_pool *pct_open_ro(const char *path);

/* Print "pcoll: <message>" for the last pcoll error. */
void pct_perr(const char *what, pc_err e);

/* Parse a size with an optional K, M, G or T suffix (powers of 1024). */
int pct_parse_size(const char *s, size_t *out);

/* Human-readable bytes into buf ("12.0 MiB"). */
const char *pct_human(uint64_t n, char *buf, size_t len);

/* Progress bar on stderr, shown only when stderr is a terminal. */
typedef struct pct_progress {
	int on;
	uint64_t total, done;
	double last;
	const char *label;
} pct_progress;
void pct_progress_begin(pct_progress *p, const char *label, uint64_t total,
			int allowed);
void pct_progress_set(pct_progress *p, uint64_t done);
void pct_progress_end(pct_progress *p);

/* ---- maps: the descriptor the typed layer would build ---------------- */

#ifdef PCT_HAVE_MAP
/* Key kinds the tool can handle without the program's comparator. */
typedef struct pct_map {
	pc__mapd d;
	pc__mctx c;
	int kkind_known; /* 0: the keys need the program's comparator */
	char kname[PC_TYPENAME_MAX + 1];
	char vname[PC_TYPENAME_MAX + 1];
} pct_map;

/* Build the descriptor of the map whose signature is sig (from its name
 * "pmap<K,V>" and its sizes). Returns PC_OK, or PC_E_TYPE when the name
 * does not parse. */
pc_err pct_map_desc(const pc_typesig *sig, pct_map *m);
/* Bind m to the map header at off in pool (checked as pmap_root does). */
pc_err pct_map_bind(pc_pool *pool, uint64_t off, const pc_typesig *sig,
		    pct_map *m);
#endif

/* ---- commands --------------------------------------------------------- */

int pct_cmd_dump(int argc, char **argv);
int pct_cmd_restore(int argc, char **argv);

#endif /* PCOLL_TOOL_PCT_H */
