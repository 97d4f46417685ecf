/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The C layer under the Python package (see layer.h): the vector
 * instantiations and their table, slice replacement, the walk adapter and
 * the error names.
 */
#include "layer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 'L' is unsigned long, which needs a one-identifier name for PC_T; the
 * signature of such a vector is "pvec<unsigned_long>". */
typedef unsigned long unsigned_long;
PC_DECLARE(unsigned_long);

#define PC_T    int8_t
#define PC_NAME pyc_vec_b
#include <pcoll/vec.h>
#define PC_T    uint8_t
#define PC_NAME pyc_vec_B
#include <pcoll/vec.h>
#define PC_T    int16_t
#define PC_NAME pyc_vec_h
#include <pcoll/vec.h>
#define PC_T    uint16_t
#define PC_NAME pyc_vec_H
#include <pcoll/vec.h>
#define PC_T    int32_t
#define PC_NAME pyc_vec_i
#include <pcoll/vec.h>
#define PC_T    uint32_t
#define PC_NAME pyc_vec_I
#include <pcoll/vec.h>
#define PC_T    long
#define PC_NAME pyc_vec_l
#include <pcoll/vec.h>
#define PC_T    unsigned_long
#define PC_NAME pyc_vec_L
#include <pcoll/vec.h>
#define PC_T    int64_t
#define PC_NAME pyc_vec_q
#include <pcoll/vec.h>
#define PC_T    uint64_t
#define PC_NAME pyc_vec_Q
#include <pcoll/vec.h>
#define PC_T    float
#define PC_NAME pyc_vec_f
#include <pcoll/vec.h>
#define PC_T    double
#define PC_NAME pyc_vec_d
#include <pcoll/vec.h>

/* Ascending order; for floating point, NaN after every number (a total
 * order, so the merge sort is well defined). */
#define PYC_CMP_INT(a, b) (((a) > (b)) - ((a) < (b)))
#define PYC_CMP_FLT(a, b)                                           \
	((isnan(a) || isnan(b)) ? (isnan(a) != 0) - (isnan(b) != 0) \
				: PYC_CMP_INT(a, b))

/* The type-erased wrappers of one instantiation NAME of element type T. */
#define PYC_VEC_OPS(NAME, T, CMP)                                            \
	static NAME NAME##_of(const pyc_vec *g)                              \
	{                                                                    \
		NAME v;                                                      \
		v.pool = g->pool;                                            \
		v.h = g->h;                                                  \
		return v;                                                    \
	}                                                                    \
	static pc_err NAME##_w_root(pc_pool *pool, const char *name,         \
				    pc_open_mode mode, pyc_vec *out)         \
	{                                                                    \
		NAME v;                                                      \
		pc_err e = NAME##_root(pool, name, mode, &v);                \
		out->pool = v.pool;                                          \
		out->h = v.h;                                                \
		return e;                                                    \
	}                                                                    \
	static size_t NAME##_w_len(const pyc_vec *g)                         \
	{                                                                    \
		NAME v = NAME##_of(g);                                       \
		return NAME##_len(&v);                                       \
	}                                                                    \
	static size_t NAME##_w_cap(const pyc_vec *g)                         \
	{                                                                    \
		NAME v = NAME##_of(g);                                       \
		return NAME##_cap(&v);                                       \
	}                                                                    \
	static const void *NAME##_w_data(const pyc_vec *g)                   \
	{                                                                    \
		NAME v = NAME##_of(g);                                       \
		return NAME##_begin(&v);                                     \
	}                                                                    \
	static pc_err NAME##_w_push(pyc_vec *g, const void *x)               \
	{                                                                    \
		NAME v = NAME##_of(g);                                       \
		T val;                                                       \
		memcpy(&val, x, sizeof(val));                                \
		return NAME##_push(&v, val);                                 \
	}                                                                    \
	static pc_err NAME##_w_set(pyc_vec *g, size_t i, const void *x)      \
	{                                                                    \
		NAME v = NAME##_of(g);                                       \
		T val;                                                       \
		memcpy(&val, x, sizeof(val));                                \
		return NAME##_set(&v, i, val);                               \
	}                                                                    \
	static pc_err NAME##_w_pop(pyc_vec *g, void *out)                    \
	{                                                                    \
		NAME v = NAME##_of(g);                                       \
		T val;                                                       \
		if (NAME##_len(&v) == 0)                                     \
			return PC_E_RANGE;                                   \
		if (!NAME##_pop(&v, &val))                                   \
			return PC_E_ABORTED;                                 \
		memcpy(out, &val, sizeof(val));                              \
		return PC_OK;                                                \
	}                                                                    \
	static pc_err NAME##_w_insert(pyc_vec *g, size_t i, const void *x)   \
	{                                                                    \
		NAME v = NAME##_of(g);                                       \
		T val;                                                       \
		memcpy(&val, x, sizeof(val));                                \
		return NAME##_insert(&v, i, val);                            \
	}                                                                    \
	static pc_err NAME##_w_remove(pyc_vec *g, size_t i, void *out)       \
	{                                                                    \
		NAME v = NAME##_of(g);                                       \
		T val;                                                       \
		pc_err e = NAME##_remove(&v, i, &val);                       \
		if (e == PC_OK && out)                                       \
			memcpy(out, &val, sizeof(val));                      \
		return e;                                                    \
	}                                                                    \
	static pc_err NAME##_w_extend(pyc_vec *g, const void *src, size_t n) \
	{                                                                    \
		NAME v = NAME##_of(g);                                       \
		return NAME##_extend(&v, (const T *)src, n);                 \
	}                                                                    \
	static pc_err NAME##_w_truncate(pyc_vec *g, size_t n)                \
	{                                                                    \
		NAME v = NAME##_of(g);                                       \
		return NAME##_truncate(&v, n);                               \
	}                                                                    \
	static pc_err NAME##_w_reserve(pyc_vec *g, size_t k)                 \
	{                                                                    \
		NAME v = NAME##_of(g);                                       \
		return NAME##_reserve(&v, k);                                \
	}                                                                    \
	static int NAME##_w_cmp(const T *a, const T *b)                      \
	{                                                                    \
		return CMP(*a, *b);                                          \
	}                                                                    \
	static pc_err NAME##_w_sort(pyc_vec *g)                              \
	{                                                                    \
		NAME v = NAME##_of(g);                                       \
		return NAME##_sort(&v, NAME##_w_cmp);                        \
	}                                                                    \
	static pc_err NAME##_w_check(const pyc_vec *g)                       \
	{                                                                    \
		NAME v = NAME##_of(g);                                       \
		return NAME##_check(&v);                                     \
	}                                                                    \
	static pc_err NAME##_w_free(pyc_vec *g)                              \
	{                                                                    \
		NAME v = NAME##_of(g);                                       \
		pc_err e = NAME##_free(&v);                                  \
		g->h = v.h;                                                  \
		return e;                                                    \
	}

PYC_VEC_OPS(pyc_vec_b, int8_t, PYC_CMP_INT)
PYC_VEC_OPS(pyc_vec_B, uint8_t, PYC_CMP_INT)
PYC_VEC_OPS(pyc_vec_h, int16_t, PYC_CMP_INT)
PYC_VEC_OPS(pyc_vec_H, uint16_t, PYC_CMP_INT)
PYC_VEC_OPS(pyc_vec_i, int32_t, PYC_CMP_INT)
PYC_VEC_OPS(pyc_vec_I, uint32_t, PYC_CMP_INT)
PYC_VEC_OPS(pyc_vec_l, long, PYC_CMP_INT)
PYC_VEC_OPS(pyc_vec_L, unsigned_long, PYC_CMP_INT)
PYC_VEC_OPS(pyc_vec_q, int64_t, PYC_CMP_INT)
PYC_VEC_OPS(pyc_vec_Q, uint64_t, PYC_CMP_INT)
PYC_VEC_OPS(pyc_vec_f, float, PYC_CMP_FLT)
PYC_VEC_OPS(pyc_vec_d, double, PYC_CMP_FLT)

#define PYC_VEC_ENTRY(NAME, T, CODE)                                          \
	{                                                                     \
		CODE, #T, sizeof(T), NAME##_sig, NAME##_w_root, NAME##_w_len, \
			NAME##_w_cap, NAME##_w_data, NAME##_w_push,           \
			NAME##_w_set, NAME##_w_pop, NAME##_w_insert,          \
			NAME##_w_remove, NAME##_w_extend, NAME##_w_truncate,  \
			NAME##_w_reserve, NAME##_w_sort, NAME##_w_check,      \
			NAME##_w_free                                         \
	}

const pyc_vec_ops pyc_vec_table[] = {
	PYC_VEC_ENTRY(pyc_vec_b, int8_t, 'b'),
	PYC_VEC_ENTRY(pyc_vec_B, uint8_t, 'B'),
	PYC_VEC_ENTRY(pyc_vec_h, int16_t, 'h'),
	PYC_VEC_ENTRY(pyc_vec_H, uint16_t, 'H'),
	PYC_VEC_ENTRY(pyc_vec_i, int32_t, 'i'),
	PYC_VEC_ENTRY(pyc_vec_I, uint32_t, 'I'),
	PYC_VEC_ENTRY(pyc_vec_l, long, 'l'),
	PYC_VEC_ENTRY(pyc_vec_L, unsigned_long, 'L'),
	PYC_VEC_ENTRY(pyc_vec_q, int64_t, 'q'),
	PYC_VEC_ENTRY(pyc_vec_Q, uint64_t, 'Q'),
	PYC_VEC_ENTRY(pyc_vec_f, float, 'f'),
	PYC_VEC_ENTRY(pyc_vec_d, double, 'd'),
};
const size_t pyc_vec_ntypes = sizeof(pyc_vec_table) / sizeof(pyc_vec_table[0]);

const pyc_vec_ops *pyc_vec_ops_for_code(int code)
{
	for (size_t i = 0; i < pyc_vec_ntypes; i++)
		if (pyc_vec_table[i].code == code)
			return &pyc_vec_table[i];
	return NULL;
}

const pyc_vec_ops *pyc_vec_ops_for_sig(const char *sig_name)
{
	for (size_t i = 0; i < pyc_vec_ntypes; i++) {
		pc_typesig s = pyc_vec_table[i].sig();
		if (strncmp(s.name, sig_name, sizeof(s.name)) == 0)
			return &pyc_vec_table[i];
	}
	return NULL;
}

/*
 * Replacing [a, b) is truncate(a) then extend() with the new elements and
 * the old tail, in one transaction: the truncation snapshots the dropped
 * elements as one range and the extension writes past len without
 * snapshots, so the undo log holds len - a elements whatever the shape of
 * the change (element-wise sets would take one undo entry each).
 */
pc_err pyc_vec_splice(const pyc_vec_ops *o, pyc_vec *v, size_t a, size_t b,
		      const void *src, size_t n)
{
	size_t len = o->len(v);
	size_t es = o->size;
	size_t tail = len - b;
	size_t span = n + tail;
	unsigned char *fin = NULL;
	if (span) {
		fin = (unsigned char *)malloc(span * es);
		if (!fin)
			return PC_E_NOMEM;
		if (n)
			memcpy(fin, src, n * es);
		if (tail)
			memcpy(fin + n * es,
			       (const unsigned char *)o->data(v) + b * es,
			       tail * es);
	}
	pc_err err = PC_OK;
	TX(v->pool, &err) {
		pc_err e = o->truncate(v, a);
		if (e == PC_OK && span)
			e = o->extend(v, fin, span);
		if (e != PC_OK) {
			(void)pc_tx_abort(e);
			break;
		}
	}
	free(fin);
	return err;
}

pc_err pyc_vec_reverse(const pyc_vec_ops *o, pyc_vec *v)
{
	size_t len = o->len(v);
	size_t es = o->size;
	if (len < 2)
		return PC_OK;
	unsigned char *r = (unsigned char *)malloc(len * es);
	if (!r)
		return PC_E_NOMEM;
	const unsigned char *d = (const unsigned char *)o->data(v);
	for (size_t i = 0; i < len; i++)
		memcpy(r + i * es, d + (len - 1 - i) * es, es);
	pc_err e = pyc_vec_splice(o, v, 0, len, r, len);
	free(r);
	return e;
}

struct pyc__walk {
	pyc_walk_fn fn;
	void *arg;
	int stopped;
};

/* plog_walk()'s callbacks follow pcoll's rule, as pyc_walk_fn does (0
 * goes on, nonzero stops); the trampoline notes a stop, so that the
 * callback's value is not taken for an error. */
static int pyc__walk_tramp(const void *buf, size_t len, void *arg)
{
	struct pyc__walk *w = (struct pyc__walk *)arg;
	int r = w->fn(buf, len, w->arg);
	if (r)
		w->stopped = 1;
	return r;
}

pc_err pyc_log_walk(const plog *log, size_t chunk, pyc_walk_fn fn, void *arg)
{
	struct pyc__walk w = {fn, arg, 0};
	int r = plog_walk(log, chunk, pyc__walk_tramp, &w);
	return w.stopped ? PC_OK : (pc_err)r;
}

const char *pyc_err_name(pc_err e)
{
	/* A code added to err.h after this table reads "PC_E_UNKNOWN" until
	 * it is listed here (the Python tests check that none does). */
	static const char *const names[PC_E__COUNT] = {
		"PC_OK",        "PC_E_NOTFOUND",  "PC_E_EXISTS",
		"PC_E_LAYOUT",  "PC_E_TYPE",      "PC_E_CORRUPT",
		"PC_E_FULL",    "PC_E_RANGE",     "PC_E_INVAL",
		"PC_E_BUSY",    "PC_E_IO",        "PC_E_NEEDTX",
		"PC_E_INTX",    "PC_E_ABORTED",   "PC_E_ESCAPED",
		"PC_E_NOMEM",   "PC_E_TOOBIG",    "PC_E_NOTPOOL",
		"PC_E_VERSION", "PC_E_TRUNCATED", "PC_E_BADBLOCK",
	};
	if ((unsigned)e >= (unsigned)PC_E__COUNT || !names[e])
		return "PC_E_UNKNOWN";
	return names[e];
}
