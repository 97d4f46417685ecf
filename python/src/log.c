/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll.Log: PLOG, an append-only log of byte records.
 *
 * PLOG's record iterator holds the log's read lock, a per-thread lock that
 * must be released by the thread that took it, so it cannot stay open
 * between two calls from Python (the next call may come from another
 * thread, or never). The Python iterator therefore reads in batches: each
 * refill is one short iteration that seeks to where the last one stopped
 * (plog_iter_seek()), copies the next batch (up to 64 Ki records or
 * 4 MiB) and keeps its position (plog_iter_tell()). walk() reads in one
 * pass.
 */
#include "pyc.h"

struct pyc_log_root_arg {
	plog log;
	size_t cap;
};

static pc_err pyc_log_root_fn(pc_pool *pool, const char *name,
			      pc_open_mode mode, void *arg)
{
	struct pyc_log_root_arg *a = (struct pyc_log_root_arg *)arg;
	return plog_root(pool, name, mode, a->cap, &a->log);
}

PyObject *pyc_log_open(PoolObject *p, PyObject *name, Py_ssize_t capacity,
		       int create)
{
	PyObject *o = pyc_registry_typed(p, name, &LogType, "a log");
	if (o || PyErr_Occurred())
		return o;
	struct pyc_log_root_arg arg;
	memset(&arg, 0, sizeof(arg));
	arg.cap = (size_t)capacity;
	int created;
	if (pyc_obtain_root(p, PyUnicode_AsUTF8(name), create, pyc_log_root_fn,
			    &arg, &created))
		return NULL;
	LogObject *lo = (LogObject *)pyc_cont_alloc(&LogType, p, name);
	if (!lo)
		return NULL;
	lo->log = arg.log;
	lo->walking = 0;
	lo->rewinds = 0;
	if (pyc_registry_add(p, &lo->c, created)) {
		Py_DECREF(lo);
		return NULL;
	}
	return (PyObject *)lo;
}

static PyObject *Log_append(LogObject *l, PyObject *data)
{
	if (pyc_guard(&l->c))
		return NULL;
	Py_buffer b;
	pc_slice s;
	if (pyc_get_bytes(data, &b, &s, "a record"))
		return NULL;
	pc_err e = plog_append(&l->log, s.ptr, s.len);
	PyBuffer_Release(&b);
	if (e != PC_OK)
		return pyc_raise(e, 0);
	Py_RETURN_NONE;
}

static PyObject *Log_appendv(LogObject *l, PyObject *records)
{
	PyObject *seq =
		PySequence_Fast(records, "appendv() takes an iterable of "
					 "records");
	if (!seq)
		return NULL;
	Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
	Py_buffer *bufs =
		(Py_buffer *)PyMem_Calloc((size_t)n + 1, sizeof(Py_buffer));
	plog_iovec *iov =
		(plog_iovec *)PyMem_Calloc((size_t)n + 1, sizeof(plog_iovec));
	PyObject *res = NULL;
	Py_ssize_t got = 0;
	if (!bufs || !iov) {
		PyErr_NoMemory();
		goto out;
	}
	for (; got < n; got++) {
		pc_slice s;
		if (pyc_get_bytes(PySequence_Fast_GET_ITEM(seq, got),
				  &bufs[got], &s, "a record"))
			goto out;
		iov[got].base = s.ptr;
		iov[got].len = s.len;
	}
	if (pyc_guard(&l->c)) /* collecting may have run Python code */
		goto out;
	pc_err e = plog_appendv(&l->log, iov, (size_t)n);
	if (e != PC_OK) {
		pyc_raise(e, 0);
		goto out;
	}
	res = Py_NewRef(Py_None);
out:
	for (Py_ssize_t i = 0; i < got; i++)
		PyBuffer_Release(&bufs[i]);
	PyMem_Free(bufs);
	PyMem_Free(iov);
	Py_DECREF(seq);
	return res;
}

struct pyc_walk_ctx {
	PyObject *fn;
	int failed;
};

static int pyc_walk_cb(const void *buf, size_t len, void *arg)
{
	struct pyc_walk_ctx *w = (struct pyc_walk_ctx *)arg;
	PyObject *data =
		PyBytes_FromStringAndSize((const char *)buf, (Py_ssize_t)len);
	PyObject *r = data ? PyObject_CallOneArg(w->fn, data) : NULL;
	Py_XDECREF(data);
	if (!r) {
		w->failed = 1;
		return 1;
	}
	/* None goes on; a false value (False, 0) stops. */
	int stop = r != Py_None && !PyObject_IsTrue(r);
	Py_DECREF(r);
	return stop;
}

static PyObject *Log_walk(LogObject *l, PyObject *args, PyObject *kw)
{
	static char *kwl[] = {"fn", "chunk", NULL};
	PyObject *fn;
	Py_ssize_t chunk = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|n:walk", kwl, &fn,
					 &chunk) ||
	    pyc_guard(&l->c))
		return NULL;
	if (!PyCallable_Check(fn)) {
		PyErr_Format(PyExc_TypeError,
			     "walk(fn): fn must be callable, not %.100s",
			     Py_TYPE(fn)->tp_name);
		return NULL;
	}
	if (chunk < 0) {
		PyErr_Format(PyExc_ValueError,
			     "walk(): chunk must not be negative: %zd", chunk);
		return NULL;
	}
	struct pyc_walk_ctx w = {fn, 0};
	PoolObject *p = (PoolObject *)Py_NewRef(l->c.pool);
	Py_INCREF(l);
	l->walking++;
	p->busy++;
	pc_err e = pyc_log_walk(&l->log, (size_t)chunk, pyc_walk_cb, &w);
	p->busy--;
	l->walking--;
	Py_DECREF(l);
	Py_DECREF(p);
	if (w.failed)
		return NULL;
	if (e != PC_OK)
		return pyc_raise(e, 0);
	Py_RETURN_NONE;
}

static PyObject *Log_rewind(LogObject *l, PyObject *unused)
{
	(void)unused;
	if (pyc_guard(&l->c))
		return NULL;
	if (l->walking)
		return pyc_raise_msg(PC_E_BUSY,
				     "log %R: cannot rewind while a walk of it "
				     "is running",
				     l->c.name);
	pc_err e = plog_rewind(&l->log);
	if (e != PC_OK)
		return pyc_raise(e, 0);
	l->rewinds++;
	Py_RETURN_NONE;
}

static PyObject *Log_tell(LogObject *l, PyObject *unused)
{
	(void)unused;
	if (pyc_guard(&l->c))
		return NULL;
	return PyLong_FromUnsignedLongLong(plog_tell(&l->log));
}

static PyObject *Log_nbyte(LogObject *l, PyObject *unused)
{
	(void)unused;
	if (pyc_guard(&l->c))
		return NULL;
	return PyLong_FromUnsignedLongLong(plog_nbyte(&l->log));
}

static Py_ssize_t Log_length(LogObject *l)
{
	if (pyc_guard(&l->c))
		return -1;
	return (Py_ssize_t)plog_count(&l->log);
}

static PyObject *Log_count(LogObject *l, PyObject *unused)
{
	(void)unused;
	Py_ssize_t n = Log_length(l);
	return n < 0 ? NULL : PyLong_FromSsize_t(n);
}

static PyObject *Log_get_packed(LogObject *l, void *c)
{
	(void)c;
	if (pyc_guard(&l->c))
		return NULL;
	return PyBool_FromLong(plog_packed(&l->log));
}

static int Log_set_packed(LogObject *l, PyObject *v, void *c)
{
	(void)c;
	if (!v) {
		PyErr_SetString(PyExc_AttributeError, "cannot delete packed");
		return -1;
	}
	int b = PyObject_IsTrue(v);
	if (b < 0 || pyc_guard(&l->c))
		return -1;
	pc_err e = plog_set_packed(&l->log, b != 0);
	if (e != PC_OK) {
		pyc_raise(e, 0);
		return -1;
	}
	return 0;
}

static PyObject *Log_repr(LogObject *l)
{
	return PyUnicode_FromFormat("<pcoll.Log %R of pool %R%s>", l->c.name,
				    l->c.pool->path,
				    l->c.dead ? " (unusable)" : "");
}

/* ------------------------------------------------------------------ */
/* Iterator                                                             */
/* ------------------------------------------------------------------ */

typedef struct LogIterObject {
	PyObject ob_base; /* PyObject_HEAD */
	LogObject *log;
	uint64_t pos; /* records returned or batched so far */
	uint64_t end; /* the records committed when iteration began */
	plog_pos at;  /* where the next refill starts (pos > 0) */
	unsigned long long rewinds;
	PyObject *batch; /* list of bytes */
	Py_ssize_t bi;
} LogIterObject;

#define PYC_LOG_BATCH_MIN   256
#define PYC_LOG_BATCH_MAX   65536
#define PYC_LOG_BATCH_BYTES ((size_t)4 << 20)

/* A batch refill: one iteration from where the last one stopped. */
static int pyc_log_refill(LogIterObject *it)
{
	PyObject *list = PyList_New(0);
	if (!list)
		return -1;
	uint64_t want =
		it->pos < PYC_LOG_BATCH_MIN ? PYC_LOG_BATCH_MIN : it->pos;
	if (want > PYC_LOG_BATCH_MAX)
		want = PYC_LOG_BATCH_MAX;
	if (want > it->end - it->pos)
		want = it->end - it->pos;
	/* Copies may run Python code (a collection): the pool must not be
	 * closed, nor the log rewound, under the read lock. */
	LogObject *l = it->log;
	PoolObject *p = l->c.pool;
	plog_iter pi = {0};
	pc_err e = plog_iter_begin(&l->log, &pi);
	l->walking++;
	p->busy++;
	if (e == PC_OK && it->pos)
		e = plog_iter_seek(&pi, &it->at);
	size_t bytes = 0;
	const void *d;
	size_t len;
	int failed = 0;
	while (e == PC_OK && !failed && want && bytes < PYC_LOG_BATCH_BYTES &&
	       plog_iter_next(&pi, &d, &len)) {
		PyObject *b = PyBytes_FromStringAndSize((const char *)d,
							(Py_ssize_t)len);
		failed = !b || PyList_Append(list, b) != 0;
		Py_XDECREF(b);
		bytes += len;
		want--;
	}
	if (e == PC_OK) {
		e = plog_iter_error(&pi);
		if (e == PC_OK)
			(void)plog_iter_tell(&pi, &it->at);
	}
	plog_iter_end(&pi);
	p->busy--;
	l->walking--;
	if (failed || e != PC_OK) {
		if (!failed)
			pyc_raise(e, 0);
		Py_DECREF(list);
		return -1;
	}
	Py_XSETREF(it->batch, list);
	it->bi = 0;
	it->pos += (uint64_t)PyList_GET_SIZE(list);
	if (PyList_GET_SIZE(list) == 0)
		it->end = it->pos; /* fewer records than counted: done */
	return 0;
}

static PyObject *LogIter_next(LogIterObject *it)
{
	LogObject *l = it->log;
	if (it->pos >= it->end &&
	    !(it->batch && it->bi < PyList_GET_SIZE(it->batch)))
		return NULL;
	if (pyc_guard(&l->c))
		return NULL;
	if (it->rewinds != l->rewinds) {
		PyErr_Format(PyExc_RuntimeError,
			     "log %R was rewound during iteration", l->c.name);
		return NULL;
	}
	if (it->batch && it->bi < PyList_GET_SIZE(it->batch))
		return Py_NewRef(PyList_GET_ITEM(it->batch, it->bi++));
	Py_CLEAR(it->batch);
	if (pyc_log_refill(it))
		return NULL;
	if (it->bi < PyList_GET_SIZE(it->batch))
		return Py_NewRef(PyList_GET_ITEM(it->batch, it->bi++));
	return NULL;
}

static void LogIter_dealloc(LogIterObject *it)
{
	Py_XDECREF(it->log);
	Py_XDECREF(it->batch);
	PyObject_Free(it);
}

static PyObject *Log_iter(LogObject *l)
{
	if (pyc_guard(&l->c))
		return NULL;
	LogIterObject *it = PyObject_New(LogIterObject, &LogIterType);
	if (!it)
		return NULL;
	it->log = (LogObject *)Py_NewRef(l);
	it->pos = 0;
	it->end = plog_count(&l->log);
	it->rewinds = l->rewinds;
	it->batch = NULL;
	it->bi = 0;
	return (PyObject *)it;
}

PyTypeObject LogIterType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pcoll.LogIterator",
	.tp_basicsize = sizeof(LogIterObject),
	.tp_dealloc = (destructor)LogIter_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Iterator over the records of a Log committed when it "
		  "started (bytes copies, oldest first).",
	.tp_iter = PyObject_SelfIter,
	.tp_iternext = (iternextfunc)LogIter_next,
};

/* ------------------------------------------------------------------ */
/* The Log type                                                         */
/* ------------------------------------------------------------------ */

static PyMethodDef Log_methods[] = {
	{"append", (PyCFunction)Log_append, METH_O,
	 "append(data)\n--\n\nAppend one record (bytes-like or str); "
	 "durable on return (one fence)."},
	{"appendv", (PyCFunction)Log_appendv, METH_O,
	 "appendv(records)\n--\n\nAppend every record of the iterable as "
	 "one batch: after a crash all of them are there or none."},
	{"walk", (PyCFunction)(void (*)(void))Log_walk,
	 METH_VARARGS | METH_KEYWORDS,
	 "walk(fn, chunk=0)\n--\n\nCall fn(bytes) for each record (chunk 0), "
	 "or for each piece of chunk bytes of the records' concatenated "
	 "payloads (libpmemlog's walk). fn returning False (or 0) stops; "
	 "None goes on. An exception in fn stops the walk and "
	 "propagates."},
	{"rewind", (PyCFunction)Log_rewind, METH_NOARGS,
	 "rewind()\n--\n\nEmpty the log atomically (not inside a "
	 "transaction)."},
	{"tell", (PyCFunction)Log_tell, METH_NOARGS,
	 "tell()\n--\n\nPayload bytes in the log (the sum of the record "
	 "lengths)."},
	{"nbyte", (PyCFunction)Log_nbyte, METH_NOARGS,
	 "nbyte()\n--\n\nCapacity of the log's chunks in bytes (it grows "
	 "while the pool has room)."},
	{"count", (PyCFunction)Log_count, METH_NOARGS,
	 "count()\n--\n\nNumber of records (as len())."},
	PYC_CONT_CHECK_METHOD,
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef Log_getset[] = {
	{"packed", (getter)Log_get_packed, (setter)Log_set_packed,
	 "True: appends are placed right after each other (denser, slower "
	 "small appends); False (default): each append starts a cache "
	 "line.",
	 NULL},
	PYC_CONT_GETSET,
	{NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods Log_as_sequence = {
	.sq_length = (lenfunc)Log_length,
};

PyTypeObject LogType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pcoll.Log",
	.tp_basicsize = sizeof(LogObject),
	.tp_dealloc = (destructor)pyc_cont_dealloc,
	.tp_repr = (reprfunc)Log_repr,
	.tp_as_sequence = &Log_as_sequence,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A persistent append-only log of byte records (PLOG), "
		  "from Pool.log(). Records keep their boundaries; iteration "
		  "yields them oldest first.",
	.tp_weaklistoffset = offsetof(ContObject, weakreflist),
	.tp_iter = (getiterfunc)Log_iter,
	.tp_methods = Log_methods,
	.tp_getset = Log_getset,
};
