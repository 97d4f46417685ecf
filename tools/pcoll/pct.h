/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pcoll command-line tool: the interface of its shared core.
 *
 * Files and who includes whom (no cycles):
 *   pct.h      this interface; includes only pcoll's headers
 *   core.c     pools (read-only open), errors, sizes, statistics, progress
 *   bind.c     container binding: a map's descriptor from its signature
 *   json.c     the dump format's codec: JSON strings, base64, line reader
 *   info.c, stats.c, check.c, dump.c, restore.c
 *              one command each; include pct.h and cmds.h, never each
 *              other
 *   cmds.h     the five commands' entry points
 *   pcoll.c    main: usage, version, dispatch (includes pct.h and cmds.h)
 *
 * The tool cannot instantiate the typed containers for element types it
 * does not know, so it reads the named-root directory (name, signature,
 * offset of every root) and drives each container through its type-erased
 * functions, which take the element size from the signature.
 */
#ifndef PCOLL_TOOL_PCT_H
#define PCOLL_TOOL_PCT_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pcoll/pcoll.h>

#if __has_include(<pcoll/detail/vec_engine.h>)
#include <pcoll/detail/vec_engine.h>
#define PCT_HAVE_VEC 1
#endif
#if __has_include(<pcoll/detail/map_engine.h>)
#include <pcoll/detail/map_engine.h>
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
#define PCT_DUMP_FORMAT 2

/* ---- pools, errors, sizes, progress (core.c) -------------------------- */

/* Short name of a pc_kind ("vec", "map", ...); "?" when unknown. */
const char *pct_kind_name(uint32_t kind);

/* Open the pool at path so that nothing is ever written to it: the file
 * is mapped copy-on-write (libpmemobj's copy_on_write.at_open), so the
 * recovery libpmemobj runs at open, and anything the containers' open
 * paths rebuild, stay in private memory. Prints the error and returns
 * NULL on failure. */
pc_pool *pct_open_ro(const char *path);

/* As pct_open_ro(), and when another process holds the pool open (its
 * libpmemobj lock refuses every open, copy-on-write ones too), says so
 * and opens a copy of the file taken now instead (in $TMPDIR, default
 * /tmp; removed again by pct_close_copy()). copy receives the copy's
 * path, or "" when the pool itself was opened. */
pc_pool *pct_open_ro_or_copy(const char *what, const char *path, char *copy,
			     size_t n);
/* Close pool and remove the copy pct_open_ro_or_copy() made, if any. */
void pct_close_copy(pc_pool *pool, const char *copy);

/* A command's command line, parsed with getopt_long (core.c). */
typedef struct pct_cmd_spec {
	const char *name;  /* "dump" */
	const char *usage; /* after "usage: pcoll " */
	const char *help;  /* the options and operands, for --help */
	const char *shortopts;
	const struct option *longopts; /* without "help"; zero-terminated */
	int min_operands, max_operands; /* max -1: any number */
} pct_cmd_spec;

/* Parse argv (argv[0] is the command's name) with getopt_long: options
 * may come before and after operands, "--opt=value" and "--opt value"
 * both work, "--" ends the options, and -h/--help is added to every
 * command. Calls on_opt(code, optarg, ctx) for every option; on_opt
 * returns nonzero for a bad value (after its message). Returns the index
 * of the first operand in argv, or -1 with *status set: PCT_EXIT_OK after
 * --help (usage on stdout), PCT_EXIT_USAGE after a bad command line
 * (message and usage on stderr). */
int pct_getopt(const pct_cmd_spec *spec, int argc, char **argv,
	       int (*on_opt)(int code, const char *arg, void *ctx), void *ctx,
	       int *status);

/* Print "pcoll <what>: <message>" for the last pcoll error (or e). */
void pct_perr(const char *what, pc_err e);

/* Parse a size with an optional K, M, G or T suffix (powers of 1024). */
int pct_parse_size(const char *s, size_t *out);

/* Human-readable bytes into buf ("12.0 MiB"). */
const char *pct_human(uint64_t n, char *buf, size_t len);

/* pc_pool_stats_get() plus a free estimate for growable pools (whose
 * mapped size is unknown to the core, which then reports 0 free). */
pc_err pct_stats(pc_pool *pool, pc_pool_stats *st);

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

/* ---- container binding: maps (bind.c) ---------------------------------- */

#ifdef PCT_HAVE_MAP
/* The descriptor the typed layer would build, for the key kinds the tool
 * can handle without the program's comparator. */
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
/* Entries (and leaves) counted along the leaf chain, every offset checked
 * first (so a damaged map gives an error, not a crash). */
pc_err pct_map_len(const pct_map *m, uint64_t *len, uint64_t *leaves);
#endif

/* ---- the dump format's codec (json.c) ---------------------------------- */

/* base64 of n bytes at data. */
void pct_put_b64(FILE *f, const void *data, size_t n);
/* A JSON string holding arbitrary bytes (at most max, up to a NUL):
 * well-formed UTF-8 as it is, '"' and '\' escaped, control bytes as
 * \u00XX, and every byte that is not part of UTF-8 text as the lone
 * surrogate \udcXX (dump format 2; docs/tool.md). */
void pct_put_str(FILE *f, const char *s, size_t max);
/* A type signature as a JSON object. */
void pct_put_sig(FILE *f, const pc_typesig *s);

/* A parsed line: one flat JSON object, with at most one nested object. */
enum { PCT_J_STR = 1, PCT_J_NUM, PCT_J_BOOL, PCT_J_OBJ };

#define PCT_J_MAX 16

typedef struct pct_jval {
	const char *key;
	int type;
	char *str; /* decoded in place (bytes; NUL-terminated) */
	size_t len;
	uint64_t num;
	int neg;
	int boolean;
	int sub; /* PCT_J_OBJ: index of the first nested field */
	int nsub;
} pct_jval;

typedef struct pct_jobj {
	pct_jval v[PCT_J_MAX * 2];
	int top; /* top-level fields are v[0..top); nested ones follow */
} pct_jobj;

/* How later pct_j_parse() calls read \u escapes: format 2 (code points;
 * \udcXX a raw byte) or format 1 (\u00XX the byte XX). */
void pct_j_format(int version);
/* Parse line (modified in place: strings are decoded where they stand)
 * into o. Returns 0, or -1 when it is not one such object. */
int pct_j_parse(char *line, pct_jobj *o);
/* The field key of type type among v[first..first+n); NULL when absent or
 * of another type. */
const pct_jval *pct_j_get_in(const pct_jobj *o, int first, int n,
			     const char *key, int type);
/* The same among the top-level fields. */
const pct_jval *pct_j_get(const pct_jobj *o, const char *key, int type);
/* Decode base64 in place; returns the length or -1. */
long pct_unb64(char *s, size_t n);
/* The signature written by pct_put_sig(), from the nested object v. */
pc_err pct_sig_from_json(const pct_jobj *o, const pct_jval *v, pc_typesig *sig);

#endif /* PCOLL_TOOL_PCT_H */
