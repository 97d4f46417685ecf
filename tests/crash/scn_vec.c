/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crash scenarios for PVEC with 8-byte elements (vec) and with 24- and
 * 40-byte elements (vec24, vec40), which straddle cache lines: pushes
 * through growth (capacity doubling), set (an own transaction when the
 * element is not one 8-byte word), pop, insert, remove, swap_remove,
 * truncate, reserve, extend of 3 to 40 elements (cached copy below 256
 * bytes, non-temporal above, with every head and tail alignment), clear,
 * free and re-create, and TX() scopes that commit or abort several
 * changes (pushes written non-temporally, insert, remove, extend, pop).
 * Operation i is a function of i and the current length, so the kill soak
 * and the checker's continuation can run it for any i.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

typedef struct cr_e24 {
	uint64_t w[3];
} cr_e24;
PC_DECLARE(cr_e24);

typedef struct cr_e40 {
	uint64_t w[5];
} cr_e40;
PC_DECLARE(cr_e40);

#define PC_T    uint64_t
#define PC_NAME cr_vec
#include <pcoll/vec.h>

#define PC_T    cr_e24
#define PC_NAME cr_vec24
#include <pcoll/vec.h>

#define PC_T    cr_e40
#define PC_NAME cr_vec40
#include <pcoll/vec.h>

#define VEC_CYCLE 60
#define VEC_NAME  "vec"
#define EMAX      40 /* largest element */
#define XMAX      40 /* largest extend */

/* ------------------------------------------------------------------ */
/* The three instantiations behind one interface                        */
/* ------------------------------------------------------------------ */

typedef union vh {
	cr_vec u;
	cr_vec24 e24;
	cr_vec40 e40;
} vh;

typedef struct vops {
	size_t esz;
	pc_err (*root)(pc_pool *, const char *, pc_open_mode, vh *);
	size_t (*len)(const vh *);
	const void *(*get)(const vh *, size_t);
	pc_err (*push)(vh *, const void *);
	pc_err (*set)(vh *, size_t, const void *);
	bool (*pop)(vh *, void *);
	pc_err (*insert)(vh *, size_t, const void *);
	pc_err (*remove)(vh *, size_t);
	pc_err (*swap_remove)(vh *, size_t);
	pc_err (*truncate)(vh *, size_t);
	pc_err (*reserve)(vh *, size_t);
	pc_err (*extend)(vh *, const void *, size_t);
	pc_err (*clear)(vh *);
	pc_err (*free)(vh *);
	pc_err (*check)(const vh *);
} vops;

#define VOPS(N, F, T)                                                       \
	static pc_err N##_o_root(pc_pool *p, const char *n, pc_open_mode m, \
				 vh *h)                                     \
	{                                                                   \
		return N##_root(p, n, m, &h->F);                            \
	}                                                                   \
	static size_t N##_o_len(const vh *h)                                \
	{                                                                   \
		return N##_len(&h->F);                                      \
	}                                                                   \
	static const void *N##_o_get(const vh *h, size_t i)                 \
	{                                                                   \
		return N##_get(&h->F, i);                                   \
	}                                                                   \
	static pc_err N##_o_push(vh *h, const void *e)                      \
	{                                                                   \
		T x;                                                        \
		memcpy(&x, e, sizeof(x));                                   \
		return N##_push(&h->F, x);                                  \
	}                                                                   \
	static pc_err N##_o_set(vh *h, size_t i, const void *e)             \
	{                                                                   \
		T x;                                                        \
		memcpy(&x, e, sizeof(x));                                   \
		return N##_set(&h->F, i, x);                                \
	}                                                                   \
	static bool N##_o_pop(vh *h, void *out)                             \
	{                                                                   \
		return N##_pop(&h->F, (T *)out);                            \
	}                                                                   \
	static pc_err N##_o_insert(vh *h, size_t i, const void *e)          \
	{                                                                   \
		T x;                                                        \
		memcpy(&x, e, sizeof(x));                                   \
		return N##_insert(&h->F, i, x);                             \
	}                                                                   \
	static pc_err N##_o_remove(vh *h, size_t i)                         \
	{                                                                   \
		return N##_remove(&h->F, i, NULL);                          \
	}                                                                   \
	static pc_err N##_o_swap_remove(vh *h, size_t i)                    \
	{                                                                   \
		return N##_swap_remove(&h->F, i, NULL);                     \
	}                                                                   \
	static pc_err N##_o_truncate(vh *h, size_t n)                       \
	{                                                                   \
		return N##_truncate(&h->F, n);                              \
	}                                                                   \
	static pc_err N##_o_reserve(vh *h, size_t n)                        \
	{                                                                   \
		return N##_reserve(&h->F, n);                               \
	}                                                                   \
	static pc_err N##_o_extend(vh *h, const void *src, size_t n)        \
	{                                                                   \
		return N##_extend(&h->F, (const T *)src, n);                \
	}                                                                   \
	static pc_err N##_o_clear(vh *h)                                    \
	{                                                                   \
		return N##_clear(&h->F);                                    \
	}                                                                   \
	static pc_err N##_o_free(vh *h)                                     \
	{                                                                   \
		return N##_free(&h->F);                                     \
	}                                                                   \
	static pc_err N##_o_check(const vh *h)                              \
	{                                                                   \
		return N##_check(&h->F);                                    \
	}                                                                   \
	static const vops N##_ops =                                         \
		{                                                           \
			sizeof(T),         N##_o_root,     N##_o_len,       \
			N##_o_get,         N##_o_push,     N##_o_set,       \
			N##_o_pop,         N##_o_insert,   N##_o_remove,    \
			N##_o_swap_remove, N##_o_truncate, N##_o_reserve,   \
			N##_o_extend,      N##_o_clear,    N##_o_free,      \
			N##_o_check,                                        \
	}

VOPS(cr_vec, u, uint64_t);
VOPS(cr_vec24, e24, cr_e24);
VOPS(cr_vec40, e40, cr_e40);

/* The bytes of element id (esz bytes). */
static void elem(uint64_t id, size_t esz, unsigned char *out)
{
	for (size_t w = 0; w < esz / 8; w++) {
		uint64_t v = cr_val(id, w);
		memcpy(out + 8 * w, &v, 8);
	}
}

/* ------------------------------------------------------------------ */
/* Plan and model                                                       */
/* ------------------------------------------------------------------ */

enum {
	V_CREATE,
	V_PUSH,
	V_SET,
	V_POP,
	V_EXTEND,
	V_TXCOMMIT,
	V_TXABORT,
	V_INSERT,
	V_REMOVE,
	V_SWAPREM,
	V_TRUNC,
	V_RESERVE,
	V_CLEAR,
	V_FREE,
	V_TXMIX
};

static const char *const vec_kind[] = {
	"create",    "push",     "set",    "pop",    "extend",
	"tx-commit", "tx-abort", "insert", "remove", "swap-remove",
	"truncate",  "reserve",  "clear",  "free",   "tx-mix"};

/* What operation i does to a vector of length len (exists: it is there). */
static int vec_plan(int i, size_t len, int exists, size_t *arg)
{
	*arg = 0;
	if (!exists)
		return V_CREATE;
	int c = i % VEC_CYCLE;
	uint64_t h = cr_val(10, (uint64_t)i);
	switch (c) {
	case 5:
		*arg = 7;
		return V_EXTEND;
	case 10:
		*arg = 40;
		return V_EXTEND;
	case 15:
		return V_TXCOMMIT;
	case 16:
		return V_TXABORT;
	case 18:
		*arg = 13;
		return V_EXTEND;
	case 20:
		*arg = len < 1 ? len : 1;
		return V_INSERT;
	case 21:
		if (len > 2) {
			*arg = 2;
			return V_REMOVE;
		}
		return V_PUSH;
	case 22:
		if (len > 1)
			return V_SWAPREM;
		return V_PUSH;
	case 25:
		*arg = len / 2;
		return V_TRUNC;
	case 28:
		return len > 3 ? V_TXMIX : V_PUSH;
	case 30:
		*arg = 300;
		return V_RESERVE;
	case 33:
		*arg = 11;
		return V_EXTEND;
	case 35:
		return V_CLEAR;
	case 38:
		*arg = 3;
		return V_EXTEND;
	case 41:
		return len > 3 ? V_TXMIX : V_PUSH;
	case 45:
		return V_FREE;
	default:
		break;
	}
	if (c % 7 == 3 && len > 0) {
		*arg = (size_t)(h % len);
		return V_SET;
	}
	if (c % 11 == 5 && len > 0)
		return V_POP;
	if (c % 13 == 6 && len > 1) {
		*arg = (size_t)(h % len);
		return V_INSERT;
	}
	return V_PUSH;
}

/* Each extend size is a kind of its own: the sizes take different
 * copy paths (cached below 256 bytes, non-temporal with or without a
 * cached head and tail above), and each must be sampled. */
static const char *extend_kind(size_t n)
{
	switch (n) {
	case 3:
		return "extend-3";
	case 7:
		return "extend-7";
	case 11:
		return "extend-11";
	case 13:
		return "extend-13";
	default:
		return "extend-40";
	}
}

/* Element ids: element j of extend i, and the tx-mix pieces. */
static uint64_t xid(int i, size_t j)
{
	return (uint64_t)i * 1000 + j + 1;
}

struct vmodel {
	int exists;
	size_t len, cap;
	uint64_t *a; /* element ids */
};

static void vm_insert(struct vmodel *m, size_t at, uint64_t x)
{
	if (m->len == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->a = (uint64_t *)realloc(m->a, m->cap * sizeof(uint64_t));
		if (!m->a)
			abort();
	}
	memmove(&m->a[at + 1], &m->a[at], (m->len - at) * sizeof(uint64_t));
	m->a[at] = x;
	m->len++;
}

static void vm_remove(struct vmodel *m, size_t at)
{
	memmove(&m->a[at], &m->a[at + 1], (m->len - 1 - at) * sizeof(uint64_t));
	m->len--;
}

static void vmodel_apply(struct vmodel *m, int i)
{
	size_t arg;
	int kind = vec_plan(i, m->len, m->exists, &arg);
	uint64_t x = cr_val(11, (uint64_t)i);
	switch (kind) {
	case V_CREATE:
		m->exists = 1;
		m->len = 0;
		break;
	case V_PUSH:
		vm_insert(m, m->len, x);
		break;
	case V_SET:
		m->a[arg] = x;
		break;
	case V_POP:
		m->len--;
		break;
	case V_EXTEND:
		for (size_t j = 0; j < arg; j++)
			vm_insert(m, m->len, xid(i, j));
		break;
	case V_TXCOMMIT:
		vm_insert(m, m->len, cr_val(13, (uint64_t)i));
		vm_insert(m, m->len, cr_val(14, (uint64_t)i));
		m->a[0] = cr_val(15, (uint64_t)i);
		break;
	case V_TXMIX:
		vm_insert(m, 1, x);
		vm_remove(m, m->len / 2);
		for (size_t j = 0; j < 5; j++)
			vm_insert(m, m->len, xid(i, j));
		m->len--; /* pop */
		break;
	case V_INSERT:
		vm_insert(m, arg, x);
		break;
	case V_REMOVE:
		vm_remove(m, arg);
		break;
	case V_SWAPREM:
		m->a[0] = m->a[m->len - 1];
		m->len--;
		break;
	case V_TRUNC:
		if (arg < m->len)
			m->len = arg;
		break;
	case V_CLEAR:
		m->len = 0;
		break;
	case V_FREE:
		m->exists = 0;
		m->len = 0;
		break;
	default: /* V_TXABORT, V_RESERVE: no visible change */
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Scenario functions                                                   */
/* ------------------------------------------------------------------ */

static pc_err vops_op(const vops *v, pc_pool *pool, int i)
{
	vh h;
	pc_err e = v->root(pool, VEC_NAME, PC_OPEN, &h);
	if (e != PC_OK && e != PC_E_NOTFOUND)
		return e;
	int exists = e == PC_OK;
	size_t arg;
	int kind = vec_plan(i, exists ? v->len(&h) : 0, exists, &arg);
	size_t esz = v->esz;
	unsigned char x[EMAX], y[EMAX], z[EMAX];
	static unsigned char src[XMAX * EMAX];
	elem(cr_val(11, (uint64_t)i), esz, x);
	pc_err err = PC_OK;
	cr_op_kind(kind == V_EXTEND ? extend_kind(arg) : vec_kind[kind]);
	switch (kind) {
	case V_CREATE:
		return v->root(pool, VEC_NAME, PC_CREATE, &h);
	case V_PUSH:
		return v->push(&h, x);
	case V_SET:
		return v->set(&h, arg, x);
	case V_POP: {
		unsigned char out[EMAX], want[EMAX];
		memcpy(want, v->get(&h, v->len(&h) - 1), esz);
		if (!v->pop(&h, out))
			return pc__fail(PC_E_INVAL, "vec: pop failed: %s",
					pc_errmsg());
		return memcmp(out, want, esz) == 0
			       ? PC_OK
			       : pc__fail(PC_E_INVAL, "vec: pop value");
	}
	case V_EXTEND:
		for (size_t j = 0; j < arg; j++)
			elem(xid(i, j), esz, src + j * esz);
		return v->extend(&h, src, arg);
	case V_TXCOMMIT:
		elem(cr_val(13, (uint64_t)i), esz, x);
		elem(cr_val(14, (uint64_t)i), esz, y);
		elem(cr_val(15, (uint64_t)i), esz, z);
		TX(pool, &err) {
			if (v->push(&h, x) != PC_OK ||
			    v->push(&h, y) != PC_OK ||
			    v->set(&h, 0, z) != PC_OK)
				break;
		}
		return err;
	case V_TXMIX:
		for (size_t j = 0; j < 5; j++)
			elem(xid(i, j), esz, src + j * esz);
		TX(pool, &err) {
			if (v->insert(&h, 1, x) != PC_OK ||
			    v->remove(&h, v->len(&h) / 2) != PC_OK ||
			    v->extend(&h, src, 5) != PC_OK || !v->pop(&h, y))
				break;
		}
		return err;
	case V_TXABORT:
		elem(77, esz, y);
		TX(pool, &err) {
			if (v->push(&h, y) != PC_OK ||
			    v->set(&h, 0, y) != PC_OK ||
			    v->truncate(&h, 1) != PC_OK ||
			    v->push(&h, y) != PC_OK)
				break;
			(void)pc_tx_abort(PC_E_ABORTED);
			break;
		}
		return err == PC_E_ABORTED
			       ? PC_OK
			       : pc__fail(PC_E_INVAL, "vec: abort gave %s",
					  pc_strerror(err));
	case V_INSERT:
		return v->insert(&h, arg, x);
	case V_REMOVE:
		return v->remove(&h, arg);
	case V_SWAPREM:
		return v->swap_remove(&h, 0);
	case V_TRUNC:
		return v->truncate(&h, arg);
	case V_RESERVE:
		return v->reserve(&h, arg);
	case V_CLEAR:
		return v->clear(&h);
	case V_FREE:
		return v->free(&h);
	default:
		return pc__fail(PC_E_INVAL, "vec: bad op %d", i);
	}
}

static int vops_state_is(const vops *v, pc_pool *pool, int k, char *why,
			 size_t n)
{
	struct vmodel m;
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < k; i++)
		vmodel_apply(&m, i);
	int r = 0;
	vh h;
	pc_err e = v->root(pool, VEC_NAME, PC_OPEN, &h);
	if (!m.exists) {
		if (e != PC_E_NOTFOUND)
			r = cr_why(why, n, "vector present (%s), expected none",
				   pc_strerror(e));
		else if (pc_root_count(pool) != 0)
			r = cr_why(why, n, "%zu roots left",
				   pc_root_count(pool));
		free(m.a);
		return r;
	}
	if (e != PC_OK) {
		r = cr_why(why, n, "vector root: %s", pc_errmsg());
	} else if (v->len(&h) != m.len) {
		r = cr_why(why, n, "len %zu, expected %zu", v->len(&h), m.len);
	} else {
		unsigned char want[EMAX];
		for (size_t j = 0; j < m.len; j++) {
			const unsigned char *p =
				(const unsigned char *)v->get(&h, j);
			elem(m.a[j], v->esz, want);
			if (!p || memcmp(p, want, v->esz) != 0) {
				uint64_t w0 = 0;
				if (p)
					memcpy(&w0, p, 8);
				r = cr_why(
					why, n,
					"element %zu (of %zu bytes) starts "
					"%llx, expected %llx",
					j, v->esz, (unsigned long long)w0,
					(unsigned long long)cr_val(m.a[j], 0));
				break;
			}
		}
	}
	free(m.a);
	return r;
}

static pc_err vops_check(const vops *v, pc_pool *pool)
{
	vh h;
	pc_err e = v->root(pool, VEC_NAME, PC_OPEN, &h);
	if (e == PC_E_NOTFOUND)
		return PC_OK;
	PC_TRY(e);
	return v->check(&h);
}

#define VEC_SCENARIO(VAR, NAME, OPS)                                         \
	static pc_err VAR##_op(pc_pool *pool, int i)                         \
	{                                                                    \
		return vops_op(&OPS, pool, i);                               \
	}                                                                    \
	static int VAR##_state_is(pc_pool *pool, int k, char *why, size_t n) \
	{                                                                    \
		return vops_state_is(&OPS, pool, k, why, n);                 \
	}                                                                    \
	static pc_err VAR##_check(pc_pool *pool)                             \
	{                                                                    \
		return vops_check(&OPS, pool);                               \
	}                                                                    \
	const cr_scenario cr_scn_##VAR = {                                   \
		.name = NAME,                                                \
		.nops = VEC_CYCLE,                                           \
		.soak_nops = 1000000,                                        \
		.op = VAR##_op,                                              \
		.state_is = VAR##_state_is,                                  \
		.check = VAR##_check,                                        \
	}

VEC_SCENARIO(vec, "vec", cr_vec_ops);
VEC_SCENARIO(vec24, "vec24", cr_vec24_ops);
VEC_SCENARIO(vec40, "vec40", cr_vec40_ops);
