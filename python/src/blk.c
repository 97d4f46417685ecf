/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll.Blocks: PBLKARR, an array of fixed-size blocks, each written
 * atomically.
 */
#include "pyc.h"

struct pyc_blk_root_arg {
	pblkarr a;
	size_t bsize;
	uint64_t nblock;
};

static pc_err pyc_blk_root_fn(pc_pool *pool, const char *name,
			      pc_open_mode mode, void *arg)
{
	struct pyc_blk_root_arg *b = (struct pyc_blk_root_arg *)arg;
	return pblkarr_root(pool, name, mode, b->bsize, b->nblock, &b->a);
}

PyObject *pyc_blk_open(PoolObject *p, PyObject *name, Py_ssize_t bsize,
		       Py_ssize_t nblock, int create)
{
	PyObject *o = pyc_registry_typed(p, name, &BlkType, "blocks");
	if (o || PyErr_Occurred()) {
		if (o && bsize && (size_t)bsize != ((BlkObject *)o)->a.bsize) {
			size_t have = ((BlkObject *)o)->a.bsize;
			Py_DECREF(o);
			return pyc_raise_msg(PC_E_TYPE,
					     "%R: blocks %R are of %zu bytes, "
					     "asked for %zd",
					     p->path, name, have, bsize);
		}
		return o;
	}
	struct pyc_blk_root_arg arg;
	memset(&arg, 0, sizeof(arg));
	arg.bsize = (size_t)bsize;
	arg.nblock = (uint64_t)nblock;
	const char *cname = PyUnicode_AsUTF8(name);
	pc_err e = pyc_blk_root_fn(p->pp, cname, PC_OPEN, &arg);
	int created = 0;
	if (e == PC_E_NOTFOUND && create) {
		if (bsize == 0) {
			PyErr_Format(PyExc_ValueError,
				     "creating blocks %R needs bsize", name);
			return NULL;
		}
		e = pyc_blk_root_fn(p->pp, cname, PC_CREATE, &arg);
		created = e == PC_OK;
	}
	if (e != PC_OK)
		return pyc_raise(e, 0);
	BlkObject *bo = (BlkObject *)pyc_cont_alloc(&BlkType, p, name);
	if (!bo)
		return NULL;
	bo->a = arg.a;
	if (pyc_registry_add(p, &bo->c, created)) {
		Py_DECREF(bo);
		return NULL;
	}
	return (PyObject *)bo;
}

/* A block number: an int in [0, nblock). -1 with an exception if not.
 * Converting may run Python code (__index__), so this is also where the
 * object is checked (pyc_guard), after it. */
static int pyc_blkno(BlkObject *b, PyObject *o, uint64_t *out)
{
	if (!PyIndex_Check(o)) {
		PyErr_Format(PyExc_TypeError,
			     "a block number must be an int, not %.100s",
			     Py_TYPE(o)->tp_name);
		return -1;
	}
	PyObject *ix = PyNumber_Index(o);
	if (!ix)
		return -1;
	int overflow = 0;
	long long n = PyLong_AsLongLongAndOverflow(ix, &overflow);
	Py_DECREF(ix);
	if (n == -1 && PyErr_Occurred())
		return -1;
	if (pyc_guard(&b->c))
		return -1;
	if (overflow || n < 0 || (uint64_t)n >= b->a.nblock) {
		pyc_raise_msg(PC_E_RANGE,
			      "blocks %R: block number %R is out of range "
			      "(%llu blocks)",
			      b->c.name, o, (unsigned long long)b->a.nblock);
		return -1;
	}
	*out = (uint64_t)n;
	return 0;
}

static PyObject *Blk_read(BlkObject *b, PyObject *n)
{
	uint64_t i;
	if (pyc_blkno(b, n, &i))
		return NULL;
	PyObject *r = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)b->a.bsize);
	if (!r)
		return NULL;
	pc_err e = pblkarr_read(&b->a, i, PyBytes_AS_STRING(r));
	if (e != PC_OK) {
		Py_DECREF(r);
		return pyc_raise(e, 0);
	}
	return r;
}

static PyObject *Blk_readinto(BlkObject *b, PyObject *const *args, Py_ssize_t n)
{
	uint64_t i;
	if (!pyc_nargs("readinto", n, 2, 2) || pyc_blkno(b, args[0], &i))
		return NULL;
	Py_buffer buf;
	if (PyObject_GetBuffer(args[1], &buf, PyBUF_WRITABLE) != 0) {
		PyErr_Format(PyExc_TypeError,
			     "readinto(): the buffer must be writable, not "
			     "%.100s",
			     Py_TYPE(args[1])->tp_name);
		return NULL;
	}
	PyObject *res = NULL;
	if ((size_t)buf.len < b->a.bsize) {
		PyErr_Format(PyExc_ValueError,
			     "readinto(): the buffer has %zd bytes, a block "
			     "%zu",
			     buf.len, b->a.bsize);
	} else {
		pc_err e = pblkarr_read(&b->a, i, buf.buf);
		res = e == PC_OK ? PyLong_FromSize_t(b->a.bsize)
				 : pyc_raise(e, 0);
	}
	PyBuffer_Release(&buf);
	return res;
}

/* Writes data (at most bsize bytes; shorter data is padded with zeros)
 * to block i. */
static int pyc_blk_write(BlkObject *b, uint64_t i, PyObject *data)
{
	Py_buffer view;
	pc_slice s;
	if (pyc_get_bytes(data, &view, &s, "block data"))
		return -1;
	int r = -1;
	if (s.len > b->a.bsize) {
		PyErr_Format(PyExc_ValueError,
			     "blocks %R: %zu bytes do not fit a block of %zu",
			     b->c.name, s.len, b->a.bsize);
		goto out;
	}
	const void *src = s.ptr;
	void *pad = NULL;
	if (s.len < b->a.bsize) {
		pad = PyMem_Calloc(1, b->a.bsize);
		if (!pad) {
			PyErr_NoMemory();
			goto out;
		}
		if (s.len)
			memcpy(pad, s.ptr, s.len);
		src = pad;
	}
	pc_err e = pblkarr_write(&b->a, i, src);
	PyMem_Free(pad);
	if (e != PC_OK)
		pyc_raise(e, 0);
	else
		r = 0;
out:
	PyBuffer_Release(&view);
	return r;
}

static PyObject *Blk_write(BlkObject *b, PyObject *const *args, Py_ssize_t n)
{
	uint64_t i;
	if (!pyc_nargs("write", n, 2, 2) || pyc_blkno(b, args[0], &i) ||
	    pyc_blk_write(b, i, args[1]))
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *Blk_set_zero(BlkObject *b, PyObject *n)
{
	uint64_t i;
	if (pyc_blkno(b, n, &i))
		return NULL;
	pc_err e = pblkarr_set_zero(&b->a, i);
	if (e != PC_OK)
		return pyc_raise(e, 0);
	Py_RETURN_NONE;
}

static PyObject *Blk_set_error(BlkObject *b, PyObject *n)
{
	uint64_t i;
	if (pyc_blkno(b, n, &i))
		return NULL;
	pc_err e = pblkarr_set_error(&b->a, i);
	if (e != PC_OK)
		return pyc_raise(e, 0);
	Py_RETURN_NONE;
}

static Py_ssize_t Blk_length(BlkObject *b)
{
	if (pyc_guard(&b->c))
		return -1;
	return (Py_ssize_t)b->a.nblock;
}

static PyObject *Blk_subscript(BlkObject *b, PyObject *n)
{
	return Blk_read(b, n);
}

static int Blk_ass_subscript(BlkObject *b, PyObject *n, PyObject *data)
{
	uint64_t i;
	if (pyc_blkno(b, n, &i))
		return -1;
	if (!data) {
		pc_err e = pblkarr_set_zero(&b->a, i);
		if (e != PC_OK) {
			pyc_raise(e, 0);
			return -1;
		}
		return 0;
	}
	return pyc_blk_write(b, i, data);
}

static PyObject *Blk_get_bsize(BlkObject *b, void *c)
{
	(void)c;
	return PyLong_FromSize_t(b->a.bsize);
}

static PyObject *Blk_get_nblock(BlkObject *b, void *c)
{
	(void)c;
	return PyLong_FromUnsignedLongLong(b->a.nblock);
}

static PyObject *Blk_repr(BlkObject *b)
{
	return PyUnicode_FromFormat(
		"<pcoll.Blocks %R of pool %R: %llu blocks of %zu bytes%s>",
		b->c.name, b->c.pool->path, (unsigned long long)b->a.nblock,
		b->a.bsize, b->c.dead ? " (unusable)" : "");
}

static PyMethodDef Blk_methods[] = {
	{"read", (PyCFunction)Blk_read, METH_O,
	 "read(n)\n--\n\nA copy of block n (bsize bytes; zeros if never "
	 "written). BadBlockError after set_error(n)."},
	{"readinto", (PyCFunction)(void (*)(void))Blk_readinto, METH_FASTCALL,
	 "readinto(n, buffer)\n--\n\nRead block n into a writable buffer of "
	 "at least bsize bytes; returns bsize."},
	{"write", (PyCFunction)(void (*)(void))Blk_write, METH_FASTCALL,
	 "write(n, data)\n--\n\nWrite block n atomically: after a crash it "
	 "holds the old or the new data. data has at most bsize bytes; "
	 "shorter data is padded with zeros."},
	{"set_zero", (PyCFunction)Blk_set_zero, METH_O,
	 "set_zero(n)\n--\n\nMake block n read as zeros."},
	{"set_error", (PyCFunction)Blk_set_error, METH_O,
	 "set_error(n)\n--\n\nMark block n bad: reads fail until it is "
	 "written."},
	PYC_CONT_CHECK_METHOD,
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef Blk_getset[] = {
	{"bsize", (getter)Blk_get_bsize, NULL, "Block size in bytes.", NULL},
	{"nblock", (getter)Blk_get_nblock, NULL, "Number of blocks.", NULL},
	PYC_CONT_GETSET,
	{NULL, NULL, NULL, NULL, NULL},
};

static PyMappingMethods Blk_as_mapping = {
	(lenfunc)Blk_length,
	(binaryfunc)Blk_subscript,
	(objobjargproc)Blk_ass_subscript,
};

PyTypeObject BlkType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pcoll.Blocks",
	.tp_basicsize = sizeof(BlkObject),
	.tp_dealloc = (destructor)pyc_cont_dealloc,
	.tp_repr = (reprfunc)Blk_repr,
	.tp_as_mapping = &Blk_as_mapping,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A persistent array of fixed-size blocks (PBLKARR), from "
		  "Pool.blocks(). Each write is atomic under power failure. "
		  "b[n] reads block n, b[n] = data writes it, del b[n] zeroes "
		  "it.",
	.tp_weaklistoffset = offsetof(ContObject, weakreflist),
	.tp_methods = Blk_methods,
	.tp_getset = Blk_getset,
};

/* ------------------------------------------------------------------ */
/* Dispatch by type, and the module's types                             */
/* ------------------------------------------------------------------ */

pc_err pyc_cont_check(ContObject *o)
{
	if (Py_IS_TYPE(o, &MapType))
		return pyc_map_check(&((MapObject *)o)->m);
	if (Py_IS_TYPE(o, &VecType))
		return ((VecObject *)o)->ops->check(&((VecObject *)o)->v);
	if (Py_IS_TYPE(o, &LogType))
		return plog_check(&((LogObject *)o)->log);
	return pblkarr_check(&((BlkObject *)o)->a);
}

pc_err pyc_cont_free(ContObject *o)
{
	if (Py_IS_TYPE(o, &MapType))
		return pyc_map_free(&((MapObject *)o)->m);
	if (Py_IS_TYPE(o, &VecType))
		return ((VecObject *)o)->ops->free(&((VecObject *)o)->v);
	if (Py_IS_TYPE(o, &LogType))
		return plog_free(&((LogObject *)o)->log);
	return pblkarr_free(&((BlkObject *)o)->a);
}

int pyc_add_types(PyObject *m)
{
	static struct {
		PyTypeObject *t;
		const char *name;
	} types[] = {
		{&PoolType, "Pool"},
		{&TxType, "Transaction"},
		{&MapType, "Map"},
		{&MapIterType, "MapIterator"},
		{&MapViewType, "MapView"},
		{&VecType, "Vector"},
		{&VecIterType, "VectorIterator"},
		{&LogType, "Log"},
		{&LogIterType, "LogIterator"},
		{&BlkType, "Blocks"},
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (PyType_Ready(types[i].t) < 0)
			return -1;
		if (PyModule_AddObjectRef(m, types[i].name,
					  (PyObject *)types[i].t) < 0)
			return -1;
	}
	return 0;
}
