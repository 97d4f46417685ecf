/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crash scenario for PVEC(uint64_t): pushes through growth (capacity
 * doubling), set, pop, insert, remove, swap_remove, truncate, reserve,
 * extend (non-temporal copy), clear, free and re-create, and TX() scopes
 * that commit or abort several changes. Operation i is a function of i and
 * the current length, so the kill soak can run it for any i.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define PC_T    uint64_t
#define PC_NAME cr_vec
#include <pcoll/vec.h>

#define VEC_CYCLE 60
#define VEC_NAME  "vec"

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
	V_FREE
};

static const char *const vec_kind[] = {
	"create", "push",	  "set",     "pop",	     "extend",
	"tx-commit", "tx-abort", "insert",  "remove",    "swap-remove",
	"truncate",  "reserve",  "clear",   "free"};

/* What operation i does to a vector of length len (exists: it is there). */
static int vec_plan(int i, size_t len, int exists, size_t *arg)
{
	*arg = 0;
	if (!exists)
		return V_CREATE;
	int c = i % VEC_CYCLE;
	uint64_t h = cr_val(10, (uint64_t)i);
	switch (c) {
	case 10:
		*arg = 40;
		return V_EXTEND;
	case 15:
		return V_TXCOMMIT;
	case 16:
		return V_TXABORT;
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
	case 30:
		*arg = 300;
		return V_RESERVE;
	case 35:
		return V_CLEAR;
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
	return V_PUSH;
}

struct vmodel {
	int exists;
	size_t len, cap;
	uint64_t *a;
};

static void vm_push(struct vmodel *m, uint64_t x)
{
	if (m->len == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->a = (uint64_t *)realloc(m->a, m->cap * sizeof(uint64_t));
		if (!m->a)
			abort();
	}
	m->a[m->len++] = x;
}

static void vmodel_apply(struct vmodel *m, int i)
{
	size_t arg;
	int kind = vec_plan(i, m->len, m->exists, &arg);
	switch (kind) {
	case V_CREATE:
		m->exists = 1;
		m->len = 0;
		break;
	case V_PUSH:
		vm_push(m, cr_val(11, (uint64_t)i));
		break;
	case V_SET:
		m->a[arg] = cr_val(11, (uint64_t)i);
		break;
	case V_POP:
		m->len--;
		break;
	case V_EXTEND:
		for (size_t j = 0; j < arg; j++)
			vm_push(m, cr_val(12, (uint64_t)i * 1000 + j));
		break;
	case V_TXCOMMIT:
		vm_push(m, cr_val(13, (uint64_t)i));
		vm_push(m, cr_val(14, (uint64_t)i));
		m->a[0] = cr_val(15, (uint64_t)i);
		break;
	case V_INSERT:
		vm_push(m, 0);
		memmove(&m->a[arg + 1], &m->a[arg],
			(m->len - 1 - arg) * sizeof(uint64_t));
		m->a[arg] = cr_val(11, (uint64_t)i);
		break;
	case V_REMOVE:
		memmove(&m->a[arg], &m->a[arg + 1],
			(m->len - 1 - arg) * sizeof(uint64_t));
		m->len--;
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

static pc_err vec_op(pc_pool *pool, int i)
{
	cr_vec v;
	pc_err e = cr_vec_root(pool, VEC_NAME, PC_OPEN, &v);
	if (e != PC_OK && e != PC_E_NOTFOUND)
		return e;
	int exists = e == PC_OK;
	size_t arg;
	int kind = vec_plan(i, exists ? cr_vec_len(&v) : 0, exists, &arg);
	uint64_t x = cr_val(11, (uint64_t)i);
	pc_err err = PC_OK;
	cr_op_kind(vec_kind[kind]);
	switch (kind) {
	case V_CREATE:
		return cr_vec_root(pool, VEC_NAME, PC_CREATE, &v);
	case V_PUSH:
		return cr_vec_push(&v, x);
	case V_SET:
		return cr_vec_set(&v, arg, x);
	case V_POP: {
		uint64_t out = 0;
		uint64_t want = *cr_vec_last(&v);
		if (!cr_vec_pop(&v, &out))
			return pc__fail(PC_E_INVAL, "vec: pop failed: %s",
					pc_errmsg());
		return out == want ? PC_OK
				   : pc__fail(PC_E_INVAL, "vec: pop value");
	}
	case V_EXTEND: {
		uint64_t src[64];
		for (size_t j = 0; j < arg; j++)
			src[j] = cr_val(12, (uint64_t)i * 1000 + j);
		return cr_vec_extend(&v, src, arg);
	}
	case V_TXCOMMIT:
		TX(pool, &err) {
			if (cr_vec_push(&v, cr_val(13, (uint64_t)i)) != PC_OK ||
			    cr_vec_push(&v, cr_val(14, (uint64_t)i)) != PC_OK ||
			    cr_vec_set(&v, 0, cr_val(15, (uint64_t)i)) != PC_OK)
				break;
		}
		return err;
	case V_TXABORT:
		TX(pool, &err) {
			if (cr_vec_push(&v, 77) != PC_OK ||
			    cr_vec_set(&v, 0, 78) != PC_OK ||
			    cr_vec_truncate(&v, 1) != PC_OK)
				break;
			(void)pc_tx_abort(PC_E_ABORTED);
			break;
		}
		return err == PC_E_ABORTED
			       ? PC_OK
			       : pc__fail(PC_E_INVAL, "vec: abort gave %s",
					  pc_strerror(err));
	case V_INSERT:
		return cr_vec_insert(&v, arg, x);
	case V_REMOVE:
		return cr_vec_remove(&v, arg, NULL);
	case V_SWAPREM:
		return cr_vec_swap_remove(&v, 0, NULL);
	case V_TRUNC:
		return cr_vec_truncate(&v, arg);
	case V_RESERVE:
		return cr_vec_reserve(&v, arg);
	case V_CLEAR:
		return cr_vec_clear(&v);
	case V_FREE:
		return cr_vec_free(&v);
	default:
		return pc__fail(PC_E_INVAL, "vec: bad op %d", i);
	}
}

static int vec_state_is(pc_pool *pool, int k, char *why, size_t n)
{
	struct vmodel m;
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < k; i++)
		vmodel_apply(&m, i);
	int r = 0;
	cr_vec v;
	pc_err e = cr_vec_root(pool, VEC_NAME, PC_OPEN, &v);
	if (!m.exists) {
		if (e != PC_E_NOTFOUND)
			r = cr_why(why, n, "vector present (%s), expected none",
				   pc_strerror(e));
		else if (pc_root_count(pool) != 0)
			r = cr_why(why, n, "%zu roots left",
				   pc_root_count(pool));
		else if (cr_count_all_objs(pool) > 1)
			/* Only pcoll's root directory may remain. */
			r = cr_why(why, n, "%zu objects leaked",
				   cr_count_all_objs(pool) - 1);
		free(m.a);
		return r;
	}
	if (e != PC_OK) {
		r = cr_why(why, n, "vector root: %s", pc_errmsg());
	} else if (cr_vec_len(&v) != m.len) {
		r = cr_why(why, n, "len %zu, expected %zu", cr_vec_len(&v),
			   m.len);
	} else {
		for (size_t j = 0; j < m.len; j++) {
			const uint64_t *p = cr_vec_get(&v, j);
			if (!p || *p != m.a[j]) {
				r = cr_why(why, n,
					   "element %zu is %llx, expected "
					   "%llx",
					   j, p ? (unsigned long long)*p : 0ull,
					   (unsigned long long)m.a[j]);
				break;
			}
		}
	}
	free(m.a);
	return r;
}

static pc_err vec_check(pc_pool *pool)
{
	cr_vec v;
	pc_err e = cr_vec_root(pool, VEC_NAME, PC_OPEN, &v);
	if (e == PC_E_NOTFOUND)
		return PC_OK;
	PC_TRY(e);
	return cr_vec_check(&v);
}

const cr_scenario cr_scn_vec = {
	.name = "vec",
	.nops = VEC_CYCLE,
	.soak_nops = 1000000,
	.op = vec_op,
	.state_is = vec_state_is,
	.check = vec_check,
};
