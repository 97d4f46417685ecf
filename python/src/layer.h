/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The C layer under the Python package: it instantiates the containers the
 * package offers and gives the extension (and the C benchmark loop that
 * measures the extension's overhead) plain C entry points. Nothing here
 * knows about Python; pcoll's headers stay header-only and are used only
 * through their public API.
 *
 *   map     PMAP(bytes, bytes), instance `pyc_map`: the static inline
 *           functions of map.h, called directly (the hot path)
 *   vectors one PVEC(T) per numeric typecode of the array module, behind
 *           a table of type-erased operations (pyc_vec_ops)
 *   log     PLOG; every walk goes through pyc_log_walk()
 *   blocks  PBLKARR
 */
#ifndef PCOLL_PY_LAYER_H
#define PCOLL_PY_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pcoll/blkarr.h>
#include <pcoll/bytes.h>
#include <pcoll/log.h>
#include <pcoll/pcoll.h>

/* PMAP(bytes, bytes) under the name pyc_map. Its type signature is
 * "pmap<bytes,bytes>", the same as a C program's PMAP(bytes, bytes). */
#define PC_K_BYTES
#define PC_V_BYTES
#define PC_NAME pyc_map
#include <pcoll/map.h> /* undefines PC_K_BYTES, PC_V_BYTES, PC_NAME */

/* A vector handle of any element type: every PVEC(T) handle is
 * {pool, header}. */
typedef struct pyc_vec {
	pc_pool *pool;
	void *h; /* the persistent header; NULL once freed */
} pyc_vec;

/* The operations of one PVEC(T) instantiation, element values passed by
 * address. Arguments are checked by the caller (indexes in range, n > 0
 * where it matters); the pcoll calls still check them again. */
typedef struct pyc_vec_ops {
	int code;          /* the array module's typecode */
	const char *ctype; /* the C element type, as in the signature */
	size_t size;       /* sizeof(T) */
	pc_typesig (*sig)(void);
	pc_err (*root)(pc_pool *pool, const char *name, pc_open_mode mode,
		       pyc_vec *out);
	size_t (*len)(const pyc_vec *v);
	size_t (*cap)(const pyc_vec *v);
	const void *(*data)(const pyc_vec *v); /* NULL when no array */
	pc_err (*push)(pyc_vec *v, const void *x);
	pc_err (*set)(pyc_vec *v, size_t i, const void *x);
	/* PC_OK, or PC_E_RANGE when empty, or the error that failed it. */
	pc_err (*pop)(pyc_vec *v, void *out);
	pc_err (*insert)(pyc_vec *v, size_t i, const void *x);
	pc_err (*remove)(pyc_vec *v, size_t i, void *out);
	pc_err (*extend)(pyc_vec *v, const void *src, size_t n);
	pc_err (*truncate)(pyc_vec *v, size_t n);
	pc_err (*reserve)(pyc_vec *v, size_t additional);
	pc_err (*sort)(pyc_vec *v); /* ascending; NaN last */
	pc_err (*check)(const pyc_vec *v);
	pc_err (*free)(pyc_vec *v);
} pyc_vec_ops;

/* The table, one entry per typecode, in the order "bBhHiIlLqQfd". */
extern const pyc_vec_ops pyc_vec_table[];
extern const size_t pyc_vec_ntypes;

/* The operations for typecode @p code, or NULL. */
const pyc_vec_ops *pyc_vec_ops_for_code(int code);

/* The operations whose signature name is @p sig_name ("pvec<int8_t>"),
 * or NULL. */
const pyc_vec_ops *pyc_vec_ops_for_sig(const char *sig_name);

/* Replace elements [a, b) of @p v by the @p n elements at @p src (which
 * must not point into the vector), all or nothing: one transaction, or
 * joining the caller's. Needs a <= b <= len. Returns PC_E_NOMEM when the
 * scratch copy cannot be allocated. */
pc_err pyc_vec_splice(const pyc_vec_ops *o, pyc_vec *v, size_t a, size_t b,
		      const void *src, size_t n);

/* Reverse the elements of @p v in place, all or nothing. */
pc_err pyc_vec_reverse(const pyc_vec_ops *o, pyc_vec *v);

/* Callback of pyc_log_walk(): one record (chunk 0) or one chunk of the
 * payload stream. Returns 0 to go on, nonzero to stop. */
typedef int (*pyc_walk_fn)(const void *buf, size_t len, void *arg);

/* plog_walk(), every walk of the package goes through here: PC_OK when
 * the walk ended or fn stopped it, else the walk's error. */
pc_err pyc_log_walk(const plog *log, size_t chunk, pyc_walk_fn fn, void *arg);

/* The enumerator name of @p e ("PC_E_FULL"); "PC_E_UNKNOWN" for values
 * this build does not know. */
const char *pyc_err_name(pc_err e);

#endif /* PCOLL_PY_LAYER_H */
