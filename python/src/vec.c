/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll.Vector: one PVEC(T) per numeric typecode of the array module, with
 * the mutable sequence protocol and a read-only buffer.
 *
 * Buffers point into the pool. A buffer stays valid while the element
 * array stays where it is, which it does except when the vector grows past
 * its capacity, is deleted, or the pool closes. Before any of those the
 * memoryviews handed out by view() are released (they then raise
 * ValueError on use); any other buffer still held (memoryview(v), a numpy
 * array, a slice of a view) makes the operation fail with BufferError and
 * change nothing, as a bytearray refuses to resize. No buffer is handed
 * out inside a transaction: an abort could free an array grown in it.
 *
 * Arguments are converted before pyc_guard(): a conversion may run Python
 * code (__index__, __float__, an iterator) that closes the pool or changes
 * the vector, so nothing read from the vector before it is used after it.
 */
#include "pyc.h"

#include <math.h>

/* ------------------------------------------------------------------ */
/* Element conversion                                                   */
/* ------------------------------------------------------------------ */

static int pyc_range_err(int code, PyObject *o)
{
	PyErr_Format(PyExc_OverflowError,
		     "%R does not fit a vector of typecode '%c'", o, code);
	return -1;
}

/* Python number -> element of typecode @p code at @p out. */
static int pyc_to_elem(int code, PyObject *o, void *out)
{
	switch (code) {
	case 'f':
	case 'd': {
		double d = PyFloat_AsDouble(o);
		if (d == -1.0 && PyErr_Occurred())
			return -1;
		if (code == 'd') {
			memcpy(out, &d, sizeof(d));
		} else {
			float f = (float)d;
			memcpy(out, &f, sizeof(f));
		}
		return 0;
	}
	case 'B':
	case 'H':
	case 'I':
	case 'L':
	case 'Q': {
		PyObject *ix = PyNumber_Index(o);
		if (!ix)
			return -1;
		unsigned long long u = PyLong_AsUnsignedLongLong(ix);
		Py_DECREF(ix);
		if (u == (unsigned long long)-1 && PyErr_Occurred()) {
			if (!PyErr_ExceptionMatches(PyExc_OverflowError))
				return -1;
			PyErr_Clear();
			return pyc_range_err(code, o);
		}
		uint8_t u8 = (uint8_t)u;
		uint16_t u16 = (uint16_t)u;
		uint32_t u32 = (uint32_t)u;
		unsigned long ul = (unsigned long)u;
		switch (code) {
		case 'B':
			if (u > UINT8_MAX)
				return pyc_range_err(code, o);
			memcpy(out, &u8, 1);
			break;
		case 'H':
			if (u > UINT16_MAX)
				return pyc_range_err(code, o);
			memcpy(out, &u16, 2);
			break;
		case 'I':
			if (u > UINT32_MAX)
				return pyc_range_err(code, o);
			memcpy(out, &u32, 4);
			break;
		case 'L':
			if (u > ULONG_MAX)
				return pyc_range_err(code, o);
			memcpy(out, &ul, sizeof(ul));
			break;
		default:
			memcpy(out, &u, sizeof(u));
			break;
		}
		return 0;
	}
	default: {
		long long s = PyLong_AsLongLong(o);
		if (s == -1 && PyErr_Occurred()) {
			if (!PyErr_ExceptionMatches(PyExc_OverflowError))
				return -1;
			PyErr_Clear();
			return pyc_range_err(code, o);
		}
		int8_t s8 = (int8_t)s;
		int16_t s16 = (int16_t)s;
		int32_t s32 = (int32_t)s;
		long sl = (long)s;
		switch (code) {
		case 'b':
			if (s < INT8_MIN || s > INT8_MAX)
				return pyc_range_err(code, o);
			memcpy(out, &s8, 1);
			break;
		case 'h':
			if (s < INT16_MIN || s > INT16_MAX)
				return pyc_range_err(code, o);
			memcpy(out, &s16, 2);
			break;
		case 'i':
			if (s < INT32_MIN || s > INT32_MAX)
				return pyc_range_err(code, o);
			memcpy(out, &s32, 4);
			break;
		case 'l':
			if (s < LONG_MIN || s > LONG_MAX)
				return pyc_range_err(code, o);
			memcpy(out, &sl, sizeof(sl));
			break;
		default:
			memcpy(out, &s, sizeof(s));
			break;
		}
		return 0;
	}
	}
}

/* Element at @p p -> Python number. */
static PyObject *pyc_from_elem(int code, const void *p)
{
	switch (code) {
	case 'b': {
		int8_t x;
		memcpy(&x, p, sizeof(x));
		return PyLong_FromLong(x);
	}
	case 'B': {
		uint8_t x;
		memcpy(&x, p, sizeof(x));
		return PyLong_FromLong(x);
	}
	case 'h': {
		int16_t x;
		memcpy(&x, p, sizeof(x));
		return PyLong_FromLong(x);
	}
	case 'H': {
		uint16_t x;
		memcpy(&x, p, sizeof(x));
		return PyLong_FromLong(x);
	}
	case 'i': {
		int32_t x;
		memcpy(&x, p, sizeof(x));
		return PyLong_FromLong(x);
	}
	case 'I': {
		uint32_t x;
		memcpy(&x, p, sizeof(x));
		return PyLong_FromUnsignedLong(x);
	}
	case 'l': {
		long x;
		memcpy(&x, p, sizeof(x));
		return PyLong_FromLong(x);
	}
	case 'L': {
		unsigned long x;
		memcpy(&x, p, sizeof(x));
		return PyLong_FromUnsignedLong(x);
	}
	case 'q': {
		int64_t x;
		memcpy(&x, p, sizeof(x));
		return PyLong_FromLongLong(x);
	}
	case 'Q': {
		uint64_t x;
		memcpy(&x, p, sizeof(x));
		return PyLong_FromUnsignedLongLong(x);
	}
	case 'f': {
		float x;
		memcpy(&x, p, sizeof(x));
		return PyFloat_FromDouble(x);
	}
	default: {
		double x;
		memcpy(&x, p, sizeof(x));
		return PyFloat_FromDouble(x);
	}
	}
}

/* Elements compare as numbers (so NaN equals nothing, 0.0 equals -0.0). */
static int pyc_elem_eq(int code, size_t size, const void *a, const void *b)
{
	if (code == 'f') {
		float x, y;
		memcpy(&x, a, sizeof(x));
		memcpy(&y, b, sizeof(y));
		return x == y;
	}
	if (code == 'd') {
		double x, y;
		memcpy(&x, a, sizeof(x));
		memcpy(&y, b, sizeof(y));
		return x == y;
	}
	return memcmp(a, b, size) == 0;
}

/* ------------------------------------------------------------------ */
/* Objects, buffers and views                                           */
/* ------------------------------------------------------------------ */

struct pyc_vec_root_arg {
	const pyc_vec_ops *ops;
	pyc_vec *v;
};

static pc_err pyc_vec_root_fn(pc_pool *pool, const char *name,
			      pc_open_mode mode, void *arg)
{
	struct pyc_vec_root_arg *a = (struct pyc_vec_root_arg *)arg;
	return a->ops->root(pool, name, mode, a->v);
}

/* The typecode of the vector under @p name, 0 when there is no root. */
static int pyc_vec_code_of(PoolObject *p, PyObject *name, const char *cname)
{
	size_t n = pc_root_count(p->pp);
	for (size_t i = 0; i < n; i++) {
		pc_root_info ri;
		if (pc_root_at(p->pp, i, &ri) != PC_OK ||
		    strncmp(ri.name, cname, sizeof(ri.name)) != 0)
			continue;
		ri.sig.name[sizeof(ri.sig.name) - 1] = '\0';
		const pyc_vec_ops *o = pyc_vec_ops_for_sig(ri.sig.name);
		if (!o) {
			pyc_raise_msg(PC_E_TYPE,
				      "%R: root %R holds %s, not a vector of "
				      "one of the typecodes bBhHiIlLqQfd",
				      p->path, name, ri.sig.name);
			return -1;
		}
		return o->code;
	}
	return 0;
}

static PyObject *pyc_vec_mismatch(PoolObject *p, PyObject *name, int have,
				  int code)
{
	return pyc_raise_msg(PC_E_TYPE,
			     "%R: root %R holds pvec<%s> (typecode '%c'), "
			     "asked for typecode '%c' (pvec<%s>)",
			     p->path, name, pyc_vec_ops_for_code(have)->ctype,
			     have, code, pyc_vec_ops_for_code(code)->ctype);
}

PyObject *pyc_vec_open(PoolObject *p, PyObject *name, int code, int create)
{
	const char *cname = PyUnicode_AsUTF8(name);
	if (!cname)
		return NULL;
	if (code && !pyc_vec_ops_for_code(code)) {
		PyErr_Format(PyExc_ValueError,
			     "bad typecode '%c': must be one of bBhHiIlLqQfd",
			     code);
		return NULL;
	}
	PyObject *o = pyc_registry_typed(p, name, &VecType, "a vector");
	if (!o && PyErr_Occurred())
		return NULL;
	if (o) {
		int have = ((VecObject *)o)->ops->code;
		if (code && code != have) {
			Py_DECREF(o);
			return pyc_vec_mismatch(p, name, have, code);
		}
		return o;
	}
	int stored = pyc_vec_code_of(p, name, cname);
	if (stored < 0)
		return NULL;
	if (!code && !stored) {
		if (create) {
			PyErr_Format(PyExc_ValueError,
				     "creating vector %R needs a typecode "
				     "(one of bBhHiIlLqQfd)",
				     name);
			return NULL;
		}
		return pyc_raise_msg(PC_E_NOTFOUND, "%R: no root named %R",
				     p->path, name);
	}
	if (code && stored && code != stored)
		return pyc_vec_mismatch(p, name, stored, code);
	const pyc_vec_ops *ops = pyc_vec_ops_for_code(code ? code : stored);
	pyc_vec v = {NULL, NULL};
	struct pyc_vec_root_arg arg = {ops, &v};
	int created;
	if (pyc_obtain_root(p, cname, create, pyc_vec_root_fn, &arg, &created))
		return NULL;
	VecObject *vo = (VecObject *)pyc_cont_alloc(&VecType, p, name);
	if (!vo)
		return NULL;
	vo->ops = ops;
	vo->v = v;
	vo->exports = 0;
	vo->views = PyList_New(0);
	if (!vo->views || pyc_registry_add(p, &vo->c, created)) {
		Py_DECREF(vo);
		return NULL;
	}
	return (PyObject *)vo;
}

static void Vec_dealloc(VecObject *v)
{
	Py_XDECREF(v->views);
	pyc_cont_dealloc(&v->c);
}

int pyc_vec_drop_views(VecObject *v, const char *why)
{
	if (v->exports == 0)
		return 0;
	/* release() fails (BufferError) for a view that is re-exported, for
	 * example wrapped by numpy: it stays, and so does our export. */
	Py_ssize_t n = PyList_GET_SIZE(v->views);
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *mv =
			PyWeakref_GetObject(PyList_GET_ITEM(v->views, i));
		if (mv == Py_None)
			continue;
		PyObject *r = PyObject_CallMethod(mv, "release", NULL);
		if (!r) {
			if (!PyErr_ExceptionMatches(PyExc_BufferError))
				return -1;
			PyErr_Clear();
		}
		Py_XDECREF(r);
	}
	if (v->exports > 0) {
		PyErr_Format(PyExc_BufferError,
			     "vector %R of pool %R: cannot %s while %zd "
			     "buffer(s) of it are held (memoryview(v), numpy "
			     "arrays, slices of a view()): release them first",
			     v->c.name, v->c.pool->path, why, v->exports);
		return -1;
	}
	return PyList_SetSlice(v->views, 0, n, NULL);
}

/* Before a change that makes the vector hold @p newlen elements: when
 * that needs a larger array, the buffers must go first. */
static int pyc_vec_may_grow(VecObject *v, size_t newlen)
{
	if (PYC_LIKELY(v->exports == 0 || newlen <= v->ops->cap(&v->v)))
		return 0;
	return pyc_vec_drop_views(v, "grow it");
}

static const char pyc_vec_formats[][2] = {"b", "B", "h", "H", "i", "I",
					  "l", "L", "q", "Q", "f", "d"};

static int Vec_getbuffer(VecObject *v, Py_buffer *view, int flags)
{
	view->obj = NULL;
	if (pyc_guard(&v->c))
		return -1;
	if (flags & PyBUF_WRITABLE) {
		PyErr_Format(PyExc_BufferError,
			     "vector %R: buffers are read-only (write "
			     "elements with v[i] = x)",
			     v->c.name);
		return -1;
	}
	if (pyc_tls_tx == v->c.pool) {
		PyErr_Format(PyExc_BufferError,
			     "vector %R: no buffer inside a transaction (an "
			     "abort could free the array); take it outside",
			     v->c.name);
		return -1;
	}
	static const char empty[16];
	const pyc_vec_ops *o = v->ops;
	size_t len = o->len(&v->v);
	const void *data = o->data(&v->v);
	Py_ssize_t *shape = (Py_ssize_t *)PyMem_Malloc(sizeof(Py_ssize_t));
	if (!shape) {
		PyErr_NoMemory();
		return -1;
	}
	*shape = (Py_ssize_t)len;
	view->obj = Py_NewRef(v);
	view->buf = (void *)(len ? data : empty);
	view->len = (Py_ssize_t)(len * o->size);
	view->readonly = 1;
	view->itemsize = (Py_ssize_t)o->size;
	view->format = (flags & PyBUF_FORMAT)
			       ? (char *)pyc_vec_formats[o - pyc_vec_table]
			       : NULL;
	view->ndim = 1;
	view->shape = (flags & PyBUF_ND) ? shape : NULL;
	view->strides = ((flags & PyBUF_STRIDES) == PyBUF_STRIDES)
				? &view->itemsize
				: NULL;
	view->suboffsets = NULL;
	view->internal = shape;
	v->exports++;
	return 0;
}

static void Vec_releasebuffer(VecObject *v, Py_buffer *view)
{
	PyMem_Free(view->internal);
	v->exports--;
}

static PyObject *Vec_view(VecObject *v, PyObject *unused)
{
	(void)unused;
	PyObject *mv = PyMemoryView_FromObject((PyObject *)v);
	if (!mv)
		return NULL;
	/* Forget views that are gone, then remember this one. */
	Py_ssize_t n = PyList_GET_SIZE(v->views);
	for (Py_ssize_t i = n; i-- > 0;)
		if (PyWeakref_GetObject(PyList_GET_ITEM(v->views, i)) ==
			    Py_None &&
		    PyList_SetSlice(v->views, i, i + 1, NULL)) {
			Py_DECREF(mv);
			return NULL;
		}
	PyObject *ref = PyWeakref_NewRef(mv, NULL);
	if (!ref || PyList_Append(v->views, ref)) {
		Py_XDECREF(ref);
		Py_DECREF(mv);
		return NULL;
	}
	Py_DECREF(ref);
	return mv;
}

/* ------------------------------------------------------------------ */
/* Sequence protocol                                                    */
/* ------------------------------------------------------------------ */

static Py_ssize_t Vec_length(VecObject *v)
{
	if (pyc_guard(&v->c))
		return -1;
	return (Py_ssize_t)v->ops->len(&v->v);
}

static PyObject *pyc_vec_at(VecObject *v, size_t i)
{
	const unsigned char *d = (const unsigned char *)v->ops->data(&v->v);
	return pyc_from_elem(v->ops->code, d + i * v->ops->size);
}

/* Index @p i (may be negative) -> position, or -1 with IndexError. */
static Py_ssize_t pyc_vec_index(VecObject *v, Py_ssize_t i, const char *what)
{
	Py_ssize_t len = (Py_ssize_t)v->ops->len(&v->v);
	if (i < 0)
		i += len;
	if (i < 0 || i >= len) {
		PyErr_Format(PyExc_IndexError, "%s: index out of range", what);
		return -1;
	}
	return i;
}

static PyObject *Vec_item(VecObject *v, Py_ssize_t i)
{
	if (pyc_guard(&v->c))
		return NULL;
	Py_ssize_t k = pyc_vec_index(v, i, "vector index");
	if (k < 0)
		return NULL;
	return pyc_vec_at(v, (size_t)k);
}

/* The elements of @p src converted into a PyMem buffer (*out, *n). A
 * buffer of the same format is copied as it is; anything else is
 * iterated. */
static int pyc_vec_collect(VecObject *v, PyObject *src, void **out, size_t *n)
{
	const pyc_vec_ops *o = v->ops;
	*out = NULL;
	*n = 0;
	if (PyObject_CheckBuffer(src)) {
		Py_buffer b;
		if (PyObject_GetBuffer(
			    src, &b, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) == 0) {
			const char *f = b.format ? b.format : "B";
			if (f[0] == '@' || f[0] == '=')
				f++;
			int same = f[0] == o->code && f[1] == '\0' &&
				   (size_t)b.itemsize == o->size;
			if (same) {
				*out = PyMem_Malloc(b.len ? (size_t)b.len : 1);
				if (!*out) {
					PyBuffer_Release(&b);
					PyErr_NoMemory();
					return -1;
				}
				memcpy(*out, b.buf, (size_t)b.len);
				*n = (size_t)b.len / o->size;
				PyBuffer_Release(&b);
				return 0;
			}
			PyBuffer_Release(&b);
		} else {
			PyErr_Clear();
		}
	}
	PyObject *seq = PySequence_Fast(src, "expected an iterable of numbers");
	if (!seq)
		return -1;
	Py_ssize_t cnt = PySequence_Fast_GET_SIZE(seq);
	unsigned char *buf =
		(unsigned char *)PyMem_Malloc(cnt ? (size_t)cnt * o->size : 1);
	if (!buf) {
		Py_DECREF(seq);
		PyErr_NoMemory();
		return -1;
	}
	PyObject **items = PySequence_Fast_ITEMS(seq);
	for (Py_ssize_t i = 0; i < cnt; i++)
		if (pyc_to_elem(o->code, items[i], buf + (size_t)i * o->size)) {
			PyMem_Free(buf);
			Py_DECREF(seq);
			return -1;
		}
	Py_DECREF(seq);
	*out = buf;
	*n = (size_t)cnt;
	return 0;
}

static int pyc_vec_fail(pc_err e)
{
	if (e == PC_E_NOMEM)
		PyErr_NoMemory();
	else
		pyc_raise(e, 0);
	return -1;
}

/* Replace [a, b) by the n elements at src. */
static int pyc_vec_splice_obj(VecObject *v, size_t a, size_t b, const void *src,
			      size_t n)
{
	size_t len = v->ops->len(&v->v);
	if (pyc_vec_may_grow(v, len - (b - a) + n))
		return -1;
	pc_err e = pyc_vec_splice(v->ops, &v->v, a, b, src, n);
	return e == PC_OK ? 0 : pyc_vec_fail(e);
}

static PyObject *Vec_subscript(VecObject *v, PyObject *key)
{
	if (PyIndex_Check(key)) {
		Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
		if (i == -1 && PyErr_Occurred())
			return NULL;
		return Vec_item(v, i);
	}
	if (!PySlice_Check(key)) {
		PyErr_Format(PyExc_TypeError,
			     "vector indices must be integers or slices, not "
			     "%.100s",
			     Py_TYPE(key)->tp_name);
		return NULL;
	}
	Py_ssize_t start, stop, step;
	if (PySlice_Unpack(key, &start, &stop, &step) < 0 || pyc_guard(&v->c))
		return NULL;
	Py_ssize_t cnt = PySlice_AdjustIndices((Py_ssize_t)v->ops->len(&v->v),
					       &start, &stop, step);
	/* The elements are copied out first; then the array.array of the
	 * same typecode is made from the copy. */
	size_t es = v->ops->size;
	PyObject *bytes = PyBytes_FromStringAndSize(NULL, cnt * (Py_ssize_t)es);
	if (!bytes)
		return NULL;
	unsigned char *tmp = (unsigned char *)PyBytes_AS_STRING(bytes);
	const unsigned char *d = (const unsigned char *)v->ops->data(&v->v);
	for (Py_ssize_t i = 0, j = start; i < cnt; i++, j += step)
		memcpy(tmp + (size_t)i * es, d + (size_t)j * es, es);
	PyObject *arraymod = PyImport_ImportModule("array");
	PyObject *arr = arraymod ? PyObject_CallMethod(arraymod, "array", "C",
						       v->ops->code)
				 : NULL;
	Py_XDECREF(arraymod);
	PyObject *r =
		arr ? PyObject_CallMethod(arr, "frombytes", "O", bytes) : NULL;
	Py_DECREF(bytes);
	if (!r) {
		Py_XDECREF(arr);
		return NULL;
	}
	Py_DECREF(r);
	return arr;
}

static int pyc_vec_set_slice(VecObject *v, PyObject *key, PyObject *val)
{
	Py_ssize_t start, stop, step;
	if (PySlice_Unpack(key, &start, &stop, &step) < 0)
		return -1;
	void *src = NULL;
	size_t n = 0;
	if (val && pyc_vec_collect(v, val, &src, &n))
		return -1;
	if (pyc_guard(&v->c)) {
		PyMem_Free(src);
		return -1;
	}
	size_t len = v->ops->len(&v->v);
	Py_ssize_t cnt =
		PySlice_AdjustIndices((Py_ssize_t)len, &start, &stop, step);
	int r = 0;
	if (step == 1) {
		if (stop < start)
			stop = start;
		r = pyc_vec_splice_obj(v, (size_t)start, (size_t)stop, src, n);
	} else if (val) {
		/* Extended slice: same length, one transaction. */
		if ((size_t)cnt != n) {
			PyErr_Format(PyExc_ValueError,
				     "attempt to assign a sequence of size %zu "
				     "to an extended slice of size %zd",
				     n, cnt);
			r = -1;
		} else {
			pc_err err = PC_OK, e = PC_OK;
			TX(v->v.pool, &err) {
				for (Py_ssize_t i = 0, j = start;
				     e == PC_OK && i < cnt; i++, j += step)
					e = v->ops->set(
						&v->v, (size_t)j,
						(const unsigned char *)src +
							(size_t)i *
								v->ops->size);
				if (e != PC_OK) {
					(void)pc_tx_abort(e);
					break;
				}
			}
			if (err != PC_OK)
				r = pyc_vec_fail(e != PC_OK ? e : err);
		}
	} else if (cnt > 0) {
		/* del v[a:b:k]: keep the others, rebuild from the first. */
		size_t es = v->ops->size;
		if (step < 0) {
			start = start + (cnt - 1) * step;
			step = -step;
		}
		const unsigned char *d =
			(const unsigned char *)v->ops->data(&v->v);
		unsigned char *keep = (unsigned char *)PyMem_Malloc(len * es);
		if (!keep) {
			PyErr_NoMemory();
			return -1;
		}
		size_t k = 0;
		for (size_t i = (size_t)start; i < len; i++)
			if (i >= (size_t)(start + cnt * step) ||
			    (i - (size_t)start) % (size_t)step != 0)
				memcpy(keep + (k++) * es, d + i * es, es);
		r = pyc_vec_splice_obj(v, (size_t)start, len, keep, k);
		PyMem_Free(keep);
	}
	PyMem_Free(src);
	return r;
}

static int Vec_ass_subscript(VecObject *v, PyObject *key, PyObject *val)
{
	if (PyIndex_Check(key)) {
		Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
		if (i == -1 && PyErr_Occurred())
			return -1;
		uint64_t x[2];
		if ((val && pyc_to_elem(v->ops->code, val, x)) ||
		    pyc_guard(&v->c))
			return -1;
		Py_ssize_t k = pyc_vec_index(v, i, "vector assignment");
		if (k < 0)
			return -1;
		pc_err e = val ? v->ops->set(&v->v, (size_t)k, x)
			       : v->ops->remove(&v->v, (size_t)k, NULL);
		return e == PC_OK ? 0 : pyc_vec_fail(e);
	}
	if (!PySlice_Check(key)) {
		PyErr_Format(PyExc_TypeError,
			     "vector indices must be integers or slices, not "
			     "%.100s",
			     Py_TYPE(key)->tp_name);
		return -1;
	}
	return pyc_vec_set_slice(v, key, val);
}

/* Position of the first element equal to @p x in [lo, hi) (hi clipped to
 * the length), -1 if none, -2 on error (also a failed pyc_guard(), which
 * this does after converting x). Values that do not convert equal
 * nothing. */
static Py_ssize_t pyc_vec_find(VecObject *v, PyObject *x, size_t lo, size_t hi)
{
	int code = v->ops->code;
	uint64_t want[2];
	PyObject *conv = NULL;
	if (PyFloat_Check(x) && code != 'f' && code != 'd') {
		/* As list.index: 2.0 finds 2, 2.5 finds nothing. */
		double d = PyFloat_AS_DOUBLE(x);
		if (!isfinite(d) || d != floor(d))
			return -1;
		conv = PyLong_FromDouble(d);
		if (!conv)
			return -2;
		x = conv;
	}
	int r = pyc_to_elem(code, x, want);
	Py_XDECREF(conv);
	if (r) {
		if (!PyErr_ExceptionMatches(PyExc_TypeError) &&
		    !PyErr_ExceptionMatches(PyExc_OverflowError))
			return -2;
		PyErr_Clear();
		return -1;
	}
	if (pyc_guard(&v->c))
		return -2;
	size_t len = v->ops->len(&v->v);
	if (hi > len)
		hi = len;
	const unsigned char *d = (const unsigned char *)v->ops->data(&v->v);
	size_t es = v->ops->size;
	for (size_t i = lo; i < hi; i++)
		if (pyc_elem_eq(code, es, d + i * es, want))
			return (Py_ssize_t)i;
	return -1;
}

static int Vec_contains(VecObject *v, PyObject *x)
{
	Py_ssize_t i = pyc_vec_find(v, x, 0, SIZE_MAX);
	return i == -2 ? -1 : i >= 0;
}

static PyObject *Vec_append(VecObject *v, PyObject *x)
{
	uint64_t e[2];
	if (pyc_to_elem(v->ops->code, x, e) || pyc_guard(&v->c) ||
	    pyc_vec_may_grow(v, v->ops->len(&v->v) + 1))
		return NULL;
	pc_err r = v->ops->push(&v->v, e);
	if (PYC_UNLIKELY(r != PC_OK))
		return pyc_raise(r, 0);
	Py_RETURN_NONE;
}

static PyObject *Vec_extend(VecObject *v, PyObject *src)
{
	void *buf;
	size_t n;
	if (pyc_vec_collect(v, src, &buf, &n))
		return NULL;
	PyObject *res = NULL;
	if (pyc_guard(&v->c) ||
	    (n && pyc_vec_may_grow(v, v->ops->len(&v->v) + n)))
		goto out;
	pc_err e = n ? v->ops->extend(&v->v, buf, n) : PC_OK;
	if (e != PC_OK) {
		pyc_vec_fail(e);
		goto out;
	}
	res = Py_NewRef(Py_None);
out:
	PyMem_Free(buf);
	return res;
}

static PyObject *Vec_inplace_concat(VecObject *v, PyObject *src)
{
	PyObject *r = Vec_extend(v, src);
	if (!r)
		return NULL;
	Py_DECREF(r);
	return Py_NewRef(v);
}

static PyObject *Vec_insert(VecObject *v, PyObject *const *args, Py_ssize_t n)
{
	if (!pyc_nargs("insert", n, 2, 2))
		return NULL;
	Py_ssize_t i = PyNumber_AsSsize_t(args[0], PyExc_OverflowError);
	if (i == -1 && PyErr_Occurred())
		return NULL;
	uint64_t e[2];
	if (pyc_to_elem(v->ops->code, args[1], e) || pyc_guard(&v->c))
		return NULL;
	Py_ssize_t len = (Py_ssize_t)v->ops->len(&v->v);
	if (i < 0)
		i = i + len < 0 ? 0 : i + len;
	if (i > len)
		i = len;
	if (pyc_vec_may_grow(v, (size_t)len + 1))
		return NULL;
	pc_err r = v->ops->insert(&v->v, (size_t)i, e);
	if (r != PC_OK)
		return pyc_raise(r, 0);
	Py_RETURN_NONE;
}

static PyObject *Vec_pop(VecObject *v, PyObject *const *args, Py_ssize_t n)
{
	if (!pyc_nargs("pop", n, 0, 1))
		return NULL;
	Py_ssize_t i = -1;
	if (n) {
		i = PyNumber_AsSsize_t(args[0], PyExc_IndexError);
		if (i == -1 && PyErr_Occurred())
			return NULL;
	}
	if (pyc_guard(&v->c))
		return NULL;
	Py_ssize_t len = (Py_ssize_t)v->ops->len(&v->v);
	if (len == 0) {
		PyErr_SetString(PyExc_IndexError, "pop from an empty vector");
		return NULL;
	}
	Py_ssize_t k = pyc_vec_index(v, i, "pop");
	if (k < 0)
		return NULL;
	uint64_t e[2];
	pc_err r = k == len - 1 ? v->ops->pop(&v->v, e)
				: v->ops->remove(&v->v, (size_t)k, e);
	if (r != PC_OK)
		return pyc_raise(r, 0);
	return pyc_from_elem(v->ops->code, e);
}

static PyObject *Vec_remove(VecObject *v, PyObject *x)
{
	Py_ssize_t i = pyc_vec_find(v, x, 0, SIZE_MAX);
	if (i == -2)
		return NULL;
	if (i < 0) {
		PyErr_Format(PyExc_ValueError,
			     "vector.remove(x): %R not in "
			     "vector",
			     x);
		return NULL;
	}
	pc_err r = v->ops->remove(&v->v, (size_t)i, NULL);
	if (r != PC_OK)
		return pyc_raise(r, 0);
	Py_RETURN_NONE;
}

static PyObject *Vec_index(VecObject *v, PyObject *const *args, Py_ssize_t n)
{
	if (!pyc_nargs("index", n, 1, 3))
		return NULL;
	Py_ssize_t lo = 0, hi = PY_SSIZE_T_MAX;
	if (n > 1) {
		lo = PyNumber_AsSsize_t(args[1], NULL); /* clamps */
		if (lo == -1 && PyErr_Occurred())
			return NULL;
	}
	if (n > 2) {
		hi = PyNumber_AsSsize_t(args[2], NULL);
		if (hi == -1 && PyErr_Occurred())
			return NULL;
	}
	if (pyc_guard(&v->c))
		return NULL;
	PySlice_AdjustIndices((Py_ssize_t)v->ops->len(&v->v), &lo, &hi, 1);
	Py_ssize_t i =
		hi > lo ? pyc_vec_find(v, args[0], (size_t)lo, (size_t)hi) : -1;
	if (i == -2)
		return NULL;
	if (i < 0) {
		PyErr_Format(PyExc_ValueError, "%R is not in vector", args[0]);
		return NULL;
	}
	return PyLong_FromSsize_t(i);
}

static PyObject *Vec_count(VecObject *v, PyObject *x)
{
	size_t c = 0;
	for (size_t lo = 0;;) {
		Py_ssize_t i = pyc_vec_find(v, x, lo, SIZE_MAX);
		if (i == -2)
			return NULL;
		if (i < 0)
			break;
		c++;
		lo = (size_t)i + 1;
	}
	return PyLong_FromSize_t(c);
}

static PyObject *Vec_reverse(VecObject *v, PyObject *unused)
{
	(void)unused;
	if (pyc_guard(&v->c))
		return NULL;
	pc_err e = pyc_vec_reverse(v->ops, &v->v);
	if (e != PC_OK)
		return pyc_vec_fail(e), NULL;
	Py_RETURN_NONE;
}

static PyObject *Vec_sort(VecObject *v, PyObject *args, PyObject *kw)
{
	static char *kwl[] = {"reverse", NULL};
	int reverse = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|$p:sort", kwl, &reverse) ||
	    pyc_guard(&v->c))
		return NULL;
	pc_err e = PC_OK, err = PC_OK;
	TX(v->v.pool, &err) {
		e = v->ops->sort(&v->v);
		if (e == PC_OK && reverse)
			e = pyc_vec_reverse(v->ops, &v->v);
		if (e != PC_OK) {
			(void)pc_tx_abort(e);
			break;
		}
	}
	if (err != PC_OK)
		return pyc_vec_fail(e != PC_OK ? e : err), NULL;
	Py_RETURN_NONE;
}

static PyObject *Vec_clear(VecObject *v, PyObject *unused)
{
	(void)unused;
	if (pyc_guard(&v->c))
		return NULL;
	pc_err e = v->ops->truncate(&v->v, 0);
	if (e != PC_OK)
		return pyc_raise(e, 0);
	Py_RETURN_NONE;
}

static PyObject *Vec_reserve(VecObject *v, PyObject *arg)
{
	Py_ssize_t k = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
	if (k == -1 && PyErr_Occurred())
		return NULL;
	if (k < 0) {
		PyErr_Format(PyExc_ValueError,
			     "reserve(n): n must not be negative: %zd", k);
		return NULL;
	}
	if (pyc_guard(&v->c) ||
	    pyc_vec_may_grow(v, v->ops->len(&v->v) + (size_t)k))
		return NULL;
	pc_err e = v->ops->reserve(&v->v, (size_t)k);
	if (e != PC_OK)
		return pyc_raise(e, 0);
	Py_RETURN_NONE;
}

static PyObject *Vec_tolist(VecObject *v, PyObject *unused)
{
	(void)unused;
	if (pyc_guard(&v->c))
		return NULL;
	size_t len = v->ops->len(&v->v);
	PyObject *l = PyList_New((Py_ssize_t)len);
	/* making the list may run the collector, and finalizers with it */
	if (l && (pyc_guard(&v->c) || v->ops->len(&v->v) != len)) {
		Py_DECREF(l);
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_RuntimeError,
					"vector changed during tolist()");
		return NULL;
	}
	for (size_t i = 0; l && i < len; i++) {
		PyObject *x = pyc_vec_at(v, i);
		if (!x) {
			Py_CLEAR(l);
			break;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, x);
	}
	return l;
}

static PyObject *Vec_tobytes(VecObject *v, PyObject *unused)
{
	(void)unused;
	if (pyc_guard(&v->c))
		return NULL;
	size_t len = v->ops->len(&v->v);
	return PyBytes_FromStringAndSize(len ? (const char *)v->ops->data(&v->v)
					     : "",
					 (Py_ssize_t)(len * v->ops->size));
}

static PyObject *Vec_richcompare(VecObject *v, PyObject *other, int op)
{
	if ((op != Py_EQ && op != Py_NE) || !PySequence_Check(other) ||
	    PyUnicode_Check(other) || PyBytes_Check(other))
		Py_RETURN_NOTIMPLEMENTED;
	/* Compare copies: comparing elements runs Python code. */
	PyObject *mine = Vec_tolist(v, NULL);
	PyObject *theirs = mine ? PySequence_List(other) : NULL;
	PyObject *r = theirs ? PyObject_RichCompare(mine, theirs, op) : NULL;
	Py_XDECREF(mine);
	Py_XDECREF(theirs);
	return r;
}

static PyObject *Vec_repr(VecObject *v)
{
	if (v->c.dead || !v->c.pool->pp)
		return PyUnicode_FromFormat("<pcoll.Vector %R (unusable)>",
					    v->c.name);
	return PyUnicode_FromFormat(
		"<pcoll.Vector %R of pool %R: typecode '%c', %zu elements>",
		v->c.name, v->c.pool->path, v->ops->code, v->ops->len(&v->v));
}

static PyObject *Vec_get_typecode(VecObject *v, void *c)
{
	(void)c;
	return PyUnicode_FromOrdinal(v->ops->code);
}

static PyObject *Vec_get_itemsize(VecObject *v, void *c)
{
	(void)c;
	return PyLong_FromSize_t(v->ops->size);
}

static PyObject *Vec_get_capacity(VecObject *v, void *c)
{
	(void)c;
	if (pyc_guard(&v->c))
		return NULL;
	return PyLong_FromSize_t(v->ops->cap(&v->v));
}

/* ------------------------------------------------------------------ */
/* Iterator                                                             */
/* ------------------------------------------------------------------ */

typedef struct VecIterObject {
	PyObject ob_base; /* PyObject_HEAD */
	VecObject *vec;
	size_t next; /* forward: the next index; reverse: one past it */
	int reverse;
	int done;
} VecIterObject;

static PyObject *pyc_vec_iter_new(VecObject *v, int reverse)
{
	if (pyc_guard(&v->c))
		return NULL;
	VecIterObject *it = PyObject_New(VecIterObject, &VecIterType);
	if (!it)
		return NULL;
	it->vec = (VecObject *)Py_NewRef(v);
	it->reverse = reverse;
	it->done = 0;
	it->next = reverse ? v->ops->len(&v->v) : 0;
	return (PyObject *)it;
}

static PyObject *Vec_iter(VecObject *v)
{
	return pyc_vec_iter_new(v, 0);
}

static PyObject *Vec_reversed(VecObject *v, PyObject *unused)
{
	(void)unused;
	return pyc_vec_iter_new(v, 1);
}

static PyObject *VecIter_next(VecIterObject *it)
{
	VecObject *v = it->vec;
	if (it->done || pyc_guard(&v->c))
		return NULL;
	size_t len = v->ops->len(&v->v);
	if (it->reverse) {
		if (it->next > len)
			it->next = len;
		if (it->next == 0) {
			it->done = 1;
			return NULL;
		}
		return pyc_vec_at(v, --it->next);
	}
	if (it->next >= len) {
		it->done = 1;
		return NULL;
	}
	return pyc_vec_at(v, it->next++);
}

static void VecIter_dealloc(VecIterObject *it)
{
	Py_XDECREF(it->vec);
	PyObject_Free(it);
}

PyTypeObject VecIterType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pcoll.VectorIterator",
	.tp_basicsize = sizeof(VecIterObject),
	.tp_dealloc = (destructor)VecIter_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Iterator over a Vector's elements (by index).",
	.tp_iter = PyObject_SelfIter,
	.tp_iternext = (iternextfunc)VecIter_next,
};

/* ------------------------------------------------------------------ */
/* The Vector type                                                      */
/* ------------------------------------------------------------------ */

static PyMethodDef Vec_methods[] = {
	{"append", (PyCFunction)Vec_append, METH_O,
	 "append(x)\n--\n\nAdd x at the end (durable on return: 2 "
	 "fences)."},
	{"extend", (PyCFunction)Vec_extend, METH_O,
	 "extend(iterable)\n--\n\nAdd every element, all or none (one "
	 "append of the whole batch)."},
	{"insert", (PyCFunction)(void (*)(void))Vec_insert, METH_FASTCALL,
	 "insert(i, x)\n--\n\nInsert x before index i (as list.insert)."},
	{"pop", (PyCFunction)(void (*)(void))Vec_pop, METH_FASTCALL,
	 "pop(i=-1)\n--\n\nRemove and return element i."},
	{"remove", (PyCFunction)Vec_remove, METH_O,
	 "remove(x)\n--\n\nRemove the first element equal to x; ValueError "
	 "if none."},
	{"index", (PyCFunction)(void (*)(void))Vec_index, METH_FASTCALL,
	 "index(x[, start[, stop]])\n--\n\nIndex of the first element equal "
	 "to x."},
	{"count", (PyCFunction)Vec_count, METH_O,
	 "count(x)\n--\n\nNumber of elements equal to x."},
	{"reverse", (PyCFunction)Vec_reverse, METH_NOARGS,
	 "reverse()\n--\n\nReverse in place, all or nothing."},
	{"sort", (PyCFunction)(void (*)(void))Vec_sort,
	 METH_VARARGS | METH_KEYWORDS,
	 "sort(*, reverse=False)\n--\n\nSort in place (stable; NaN last), "
	 "all or nothing."},
	{"clear", (PyCFunction)Vec_clear, METH_NOARGS,
	 "clear()\n--\n\nRemove every element (the capacity stays)."},
	{"reserve", (PyCFunction)Vec_reserve, METH_O,
	 "reserve(n)\n--\n\nMake room for n more elements without growing "
	 "again."},
	{"tolist", (PyCFunction)Vec_tolist, METH_NOARGS,
	 "tolist()\n--\n\nThe elements as a list."},
	{"tobytes", (PyCFunction)Vec_tobytes, METH_NOARGS,
	 "tobytes()\n--\n\nA copy of the elements' bytes."},
	{"view", (PyCFunction)Vec_view, METH_NOARGS,
	 "view()\n--\n\nA read-only memoryview of the elements, without "
	 "copying (numpy.asarray() wraps it). It is released (raises "
	 "ValueError on use) when the vector grows past its capacity, is "
	 "deleted, or the pool closes."},
	PYC_CONT_CHECK_METHOD,
	{"__reversed__", (PyCFunction)Vec_reversed, METH_NOARGS, NULL},
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef Vec_getset[] = {
	{"typecode", (getter)Vec_get_typecode, NULL,
	 "The array module's typecode of the elements.", NULL},
	{"itemsize", (getter)Vec_get_itemsize, NULL, "Bytes per element.",
	 NULL},
	{"capacity", (getter)Vec_get_capacity, NULL,
	 "Elements the vector holds before it must grow.", NULL},
	PYC_CONT_GETSET,
	{NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods Vec_as_sequence = {
	.sq_length = (lenfunc)Vec_length,
	.sq_item = (ssizeargfunc)Vec_item,
	.sq_contains = (objobjproc)Vec_contains,
	.sq_inplace_concat = (binaryfunc)Vec_inplace_concat,
};

static PyMappingMethods Vec_as_mapping = {
	(lenfunc)Vec_length,
	(binaryfunc)Vec_subscript,
	(objobjargproc)Vec_ass_subscript,
};

static PyBufferProcs Vec_as_buffer = {
	(getbufferproc)Vec_getbuffer,
	(releasebufferproc)Vec_releasebuffer,
};

PyTypeObject VecType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pcoll.Vector",
	.tp_basicsize = sizeof(VecObject),
	.tp_dealloc = (destructor)Vec_dealloc,
	.tp_repr = (reprfunc)Vec_repr,
	.tp_as_sequence = &Vec_as_sequence,
	.tp_as_mapping = &Vec_as_mapping,
	.tp_as_buffer = &Vec_as_buffer,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_SEQUENCE,
	.tp_doc = "A persistent vector of numbers of one array-module "
		  "typecode (PVEC(T)), from Pool.vector().\n\nThe mutable "
		  "sequence protocol; slices read as array.array copies; a "
		  "read-only buffer (memoryview(v), v.view()) without "
		  "copying.",
	.tp_richcompare = (richcmpfunc)Vec_richcompare,
	.tp_weaklistoffset = offsetof(ContObject, weakreflist),
	.tp_iter = (getiterfunc)Vec_iter,
	.tp_methods = Vec_methods,
	.tp_getset = Vec_getset,
};
