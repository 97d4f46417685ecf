/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll._pcoll: module set-up, errors, the Pool and Transaction types and
 * the per-pool registry of container objects.
 */
#include "pyc.h"

#include <pythread.h>
#include <stdarg.h>
#include <structmember.h>

_Thread_local PoolObject *pyc_tls_tx;

/* The context manager of Pool.transaction(). */
typedef struct TxObject {
	PyObject ob_base; /* PyObject_HEAD */
	PoolObject *pool;
	int entered;
} TxObject;

PyObject *pyc_exc_closed;
static PyObject *pyc_err_factory; /* pcoll._errors._from_c */

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

/* When the thread's transaction has just been aborted by a failing call,
 * remember why: the block's end reports it if the program swallowed the
 * exception. */
static void pyc_note_tx_cause(PyObject *exc)
{
	PoolObject *p = pyc_tls_tx;
	if (!p || p->tx_cause || pmemobj_tx_stage() == TX_STAGE_WORK)
		return;
	p->tx_cause = PyObject_Str(exc);
	if (!p->tx_cause)
		PyErr_Clear();
}

static PyObject *pyc_raise_obj(pc_err e, int pool_path, PyObject *msg)
{
	PyObject *exc = PyObject_CallFunction(pyc_err_factory, "isOi", (int)e,
					      pyc_err_name(e), msg, pool_path);
	Py_DECREF(msg);
	if (!exc)
		return NULL;
	pyc_note_tx_cause(exc);
	PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
	Py_DECREF(exc);
	return NULL;
}

PyObject *pyc_raise_text(pc_err e, int pool_path, const char *m)
{
	/* Paths need not be UTF-8: decode as the file system does. */
	PyObject *msg = PyUnicode_DecodeFSDefault(*m ? m : pc_strerror(e));
	if (!msg)
		return NULL;
	return pyc_raise_obj(e, pool_path, msg);
}

PyObject *pyc_raise(pc_err e, int pool_path)
{
	return pyc_raise_text(e, pool_path, pc_errmsg());
}

PyObject *pyc_raise_msg(pc_err e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	PyObject *m = PyUnicode_FromFormatV(fmt, ap);
	va_end(ap);
	if (!m)
		return NULL;
	PyObject *msg = PyUnicode_FromFormat("%U [%s]", m, pc_strerror(e));
	Py_DECREF(m);
	if (!msg)
		return NULL;
	return pyc_raise_obj(e, 0, msg);
}

int pyc_pool_guard(PoolObject *p)
{
	if (!p->pp) {
		PyErr_Format(pyc_exc_closed, "pool %R is closed", p->path);
		return -1;
	}
	if (PYC_LIKELY(pyc_tls_tx == p || (!pyc_tls_tx && !p->tx_depth)))
		return 0;
	if (p->tx_depth && pyc_tls_tx != p) {
		pyc_raise_msg(PC_E_BUSY,
			      "pool %R: a transaction is open on it in another "
			      "thread",
			      p->path);
		return -1;
	}
	pyc_raise_msg(PC_E_INTX,
		      "pool %R: this thread has a transaction open on pool "
		      "%R; a transaction covers one pool",
		      p->path, pyc_tls_tx->path);
	return -1;
}

int pyc_guard_slow(ContObject *o)
{
	if (o->dead) {
		static const char *const why[] = {
			"", "its pool was closed",
			"it was created by a transaction that aborted",
			"its root was deleted"};
		PyErr_Format(pyc_exc_closed, "%s %R of pool %R: %s",
			     Py_TYPE(o)->tp_name, o->name, o->pool->path,
			     why[o->dead]);
		return -1;
	}
	return pyc_pool_guard(o->pool);
}

int pyc_get_bytes(PyObject *o, Py_buffer *view, pc_slice *s, const char *what)
{
	if (PyUnicode_Check(o)) {
		Py_ssize_t n;
		const char *u = PyUnicode_AsUTF8AndSize(o, &n);
		if (!u)
			return -1;
		/* The str object keeps its UTF-8 form as long as it lives;
		 * the view holds a reference to it. */
		view->obj = Py_NewRef(o);
		view->buf = (void *)u;
		view->len = n;
		view->readonly = 1;
		view->itemsize = 1;
		view->format = NULL;
		view->ndim = 1;
		view->shape = NULL;
		view->strides = NULL;
		view->suboffsets = NULL;
		view->internal = NULL;
		s->ptr = u;
		s->len = (size_t)n;
		return 0;
	}
	if (PyObject_GetBuffer(o, view, PyBUF_SIMPLE) != 0) {
		PyErr_Format(PyExc_TypeError,
			     "%s must be bytes, a bytes-like object or str, "
			     "not %.100s",
			     what, Py_TYPE(o)->tp_name);
		return -1;
	}
	s->ptr = view->buf;
	s->len = (size_t)view->len;
	return 0;
}

int pyc_nargs(const char *fn, Py_ssize_t n, Py_ssize_t min, Py_ssize_t max)
{
	if (n >= min && n <= max)
		return 1;
	if (min == max)
		PyErr_Format(PyExc_TypeError,
			     "%s() takes %zd arguments (%zd given)", fn, min,
			     n);
	else
		PyErr_Format(PyExc_TypeError,
			     "%s() takes %zd to %zd arguments (%zd given)", fn,
			     min, max, n);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Registry of container objects                                        */
/* ------------------------------------------------------------------ */

PyObject *pyc_registry_get(PoolObject *p, PyObject *name)
{
	PyObject *ref = PyDict_GetItemWithError(p->objects, name);
	if (!ref)
		return NULL;
	PyObject *o = PyWeakref_GetObject(ref);
	if (o == Py_None || ((ContObject *)o)->dead)
		return NULL;
	return Py_NewRef(o);
}

PyObject *pyc_registry_typed(PoolObject *p, PyObject *name, PyTypeObject *t,
			     const char *what)
{
	PyObject *o = pyc_registry_get(p, name);
	if (o && !Py_IS_TYPE(o, t)) {
		pyc_raise_msg(PC_E_TYPE, "%R: root %R holds a %s, asked for %s",
			      p->path, name, Py_TYPE(o)->tp_name, what);
		Py_CLEAR(o);
	}
	return o;
}

void *pyc_cont_alloc(PyTypeObject *t, PoolObject *p, PyObject *name)
{
	ContObject *o = PyObject_New(ContObject, t);
	if (!o)
		return NULL;
	o->pool = (PoolObject *)Py_NewRef(p);
	o->name = Py_NewRef(name);
	o->dead = PYC_ALIVE;
	o->weakreflist = NULL;
	return o;
}

void pyc_cont_dealloc(ContObject *o)
{
	if (o->weakreflist)
		PyObject_ClearWeakRefs((PyObject *)o);
	Py_XDECREF(o->pool);
	Py_XDECREF(o->name);
	PyObject_Free(o);
}

PyObject *pyc_cont_get_name(ContObject *o, void *unused)
{
	(void)unused;
	return Py_NewRef(o->name);
}

PyObject *pyc_cont_get_pool(ContObject *o, void *unused)
{
	(void)unused;
	return Py_NewRef(o->pool);
}

PyObject *pyc_cont_check_meth(ContObject *o, PyObject *unused)
{
	(void)unused;
	if (pyc_guard(o))
		return NULL;
	pc_err e = pyc_cont_check(o);
	if (e != PC_OK)
		return pyc_raise(e, 0);
	Py_RETURN_NONE;
}

int pyc_registry_add(PoolObject *p, ContObject *o, int created)
{
	PyObject *ref = PyWeakref_NewRef((PyObject *)o, NULL);
	if (!ref)
		return -1;
	int r = PyDict_SetItem(p->objects, o->name, ref);
	if (r == 0 && created && pyc_tls_tx == p)
		r = PyList_Append(p->tx_born, ref);
	Py_DECREF(ref);
	return r;
}

void pyc_registry_drop(PoolObject *p, ContObject *o, int why)
{
	o->dead = why;
	PyObject *ref = PyDict_GetItemWithError(p->objects, o->name);
	if (ref && PyWeakref_GetObject(ref) == (PyObject *)o) {
		if (PyDict_DelItem(p->objects, o->name) != 0)
			PyErr_Clear();
	}
	if (!ref && PyErr_Occurred())
		PyErr_Clear();
}

int pyc_obtain_root(PoolObject *p, const char *name, int create, pyc_root_fn fn,
		    void *arg, int *created)
{
	*created = 0;
	pc_err e = fn(p->pp, name, PC_OPEN, arg);
	if (e == PC_E_NOTFOUND && create) {
		e = fn(p->pp, name, PC_CREATE, arg);
		*created = e == PC_OK;
	}
	if (e != PC_OK) {
		pyc_raise(e, 0);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Pool                                                                 */
/* ------------------------------------------------------------------ */

/* A root name: str, at most PC_NAME_MAX bytes of UTF-8, no NUL. */
static const char *pyc_root_name(PyObject *name)
{
	if (!PyUnicode_Check(name)) {
		PyErr_Format(PyExc_TypeError,
			     "a root name must be str, not %.100s",
			     Py_TYPE(name)->tp_name);
		return NULL;
	}
	Py_ssize_t n;
	const char *s = PyUnicode_AsUTF8AndSize(name, &n);
	if (!s)
		return NULL;
	if (n == 0 || n > PC_NAME_MAX || strlen(s) != (size_t)n) {
		PyErr_Format(PyExc_ValueError,
			     "root name %R: must be 1 to %d bytes of UTF-8 "
			     "without NUL characters (it is %zd)",
			     name, PC_NAME_MAX, n);
		return NULL;
	}
	return s;
}

static PyObject *pyc_pool_new(pc_pool *pp, PyObject *path)
{
	PoolObject *p = PyObject_GC_New(PoolObject, &PoolType);
	if (!p) {
		pc_pool_close(pp);
		return NULL;
	}
	p->pp = pp;
	p->path = Py_NewRef(path);
	p->objects = PyDict_New();
	p->tx_born = NULL;
	p->tx_cause = NULL;
	p->tx_thread = 0;
	p->tx_depth = 0;
	p->busy = 0;
	p->aborts = 0;
	p->weakreflist = NULL;
	PyObject_GC_Track(p);
	if (!p->objects) {
		Py_DECREF(p);
		return NULL;
	}
	return (PyObject *)p;
}

static int pyc_size_arg(PyObject *o, const char *what, size_t *out)
{
	if (o == NULL || o == Py_None) {
		*out = 0;
		return 0;
	}
	if (!PyLong_Check(o)) {
		PyErr_Format(PyExc_TypeError, "%s must be an int, not %.100s",
			     what, Py_TYPE(o)->tp_name);
		return -1;
	}
	PyObject *zero = PyLong_FromLong(0);
	int neg = zero ? PyObject_RichCompareBool(o, zero, Py_LT) : -1;
	Py_XDECREF(zero);
	if (neg < 0)
		return -1;
	if (neg) {
		PyErr_Format(PyExc_ValueError, "%s must not be negative: %R",
			     what, o);
		return -1;
	}
	size_t v = PyLong_AsSize_t(o);
	if (v == (size_t)-1 && PyErr_Occurred())
		return -1;
	*out = v;
	return 0;
}

static PyObject *pyc_pool_make(PyObject *args, PyObject *kw, pc_open_mode mode)
{
	static char *kw_size[] = {"path",     "size", "grow_step",
				  "max_size", "mode", NULL};
	static char *kw_open[] = {"path", NULL};
	PyObject *path = NULL, *size = NULL, *grow = NULL, *max = NULL;
	unsigned int fmode = 0600;
	if (mode == PC_OPEN) {
		if (!PyArg_ParseTupleAndKeywords(args, kw, "O&:open", kw_open,
						 PyUnicode_FSDecoder, &path))
			return NULL;
	} else if (!PyArg_ParseTupleAndKeywords(args, kw, "O&O|$OOI", kw_size,
						PyUnicode_FSDecoder, &path,
						&size, &grow, &max, &fmode)) {
		return NULL;
	}
	pc_pool_opts o;
	memset(&o, 0, sizeof(o));
	o.file_mode = fmode;
	PyObject *bpath = NULL, *res = NULL;
	if (pyc_size_arg(size, "size", &o.size) ||
	    pyc_size_arg(grow, "grow_step", &o.grow_step) ||
	    pyc_size_arg(max, "max_size", &o.max_size))
		goto out;
	if (!PyUnicode_FSConverter(path, &bpath))
		goto out;
	const char *cpath = PyBytes_AS_STRING(bpath);
	if (strlen(cpath) != (size_t)PyBytes_GET_SIZE(bpath)) {
		PyErr_SetString(PyExc_ValueError, "embedded NUL in the path");
		goto out;
	}
	pc_pool *pp = NULL;
	pc_err e;
	Py_BEGIN_ALLOW_THREADS e = pc_pool_open_opts(
		cpath, mode, mode == PC_OPEN ? NULL : &o, &pp);
	Py_END_ALLOW_THREADS if (e != PC_OK) pyc_raise(e, 1);
	else res = pyc_pool_new(pp, path);
out:
	Py_XDECREF(bpath);
	Py_XDECREF(path);
	return res;
}

static PyObject *Pool_create(PyObject *cls, PyObject *args, PyObject *kw)
{
	(void)cls;
	return pyc_pool_make(args, kw, PC_CREATE);
}

static PyObject *Pool_open(PyObject *cls, PyObject *args, PyObject *kw)
{
	(void)cls;
	return pyc_pool_make(args, kw, PC_OPEN);
}

static PyObject *Pool_open_or_create(PyObject *cls, PyObject *args,
				     PyObject *kw)
{
	(void)cls;
	return pyc_pool_make(args, kw, PC_OPEN_OR_CREATE);
}

/* Calls fn on every live container object of @p p; stops at a nonzero
 * result and returns it. */
static int pyc_each_object(PoolObject *p, int (*fn)(ContObject *, void *),
			   void *arg)
{
	PyObject *vals = PyDict_Values(p->objects);
	if (!vals)
		return -1;
	int r = 0;
	for (Py_ssize_t i = 0; r == 0 && i < PyList_GET_SIZE(vals); i++) {
		PyObject *o = PyWeakref_GetObject(PyList_GET_ITEM(vals, i));
		if (o == Py_None || ((ContObject *)o)->dead)
			continue;
		/* fn may release the last buffer holding the object */
		Py_INCREF(o);
		r = fn((ContObject *)o, arg);
		Py_DECREF(o);
	}
	Py_DECREF(vals);
	return r;
}

static int pyc_close_check(ContObject *o, void *arg)
{
	(void)arg;
	if (Py_IS_TYPE(o, &VecType))
		return pyc_vec_drop_views((VecObject *)o, "close the pool");
	return 0;
}

static int pyc_close_kill(ContObject *o, void *arg)
{
	(void)arg;
	o->dead = PYC_DEAD_CLOSED;
	return 0;
}

static PyObject *Pool_close(PoolObject *p, PyObject *unused)
{
	(void)unused;
	if (!p->pp)
		Py_RETURN_NONE;
	if (pyc_tls_tx == p)
		return pyc_raise_msg(PC_E_INTX,
				     "%R: cannot close a pool inside its "
				     "transaction",
				     p->path);
	if (pyc_pool_guard(p))
		return NULL;
	if (p->busy)
		return pyc_raise_msg(PC_E_BUSY,
				     "%R: cannot close the pool while a walk "
				     "is calling back into Python",
				     p->path);
	/* Buffers of vectors point into the mapping: release the views,
	 * and refuse when something else still holds a buffer. */
	if (pyc_each_object(p, pyc_close_check, NULL))
		return NULL;
	(void)pyc_each_object(p, pyc_close_kill, NULL);
	PyDict_Clear(p->objects);
	pc_pool *pp = p->pp;
	p->pp = NULL;
	(void)pc_pool_close(pp);
	Py_RETURN_NONE;
}

static PyObject *Pool_enter(PoolObject *p, PyObject *unused)
{
	(void)unused;
	if (pyc_pool_guard(p))
		return NULL;
	return Py_NewRef(p);
}

static PyObject *Pool_exit(PoolObject *p, PyObject *args)
{
	(void)args;
	return Pool_close(p, NULL);
}

static PyObject *Pool_transaction(PoolObject *p, PyObject *unused)
{
	(void)unused;
	if (pyc_pool_guard(p))
		return NULL;
	TxObject *t = PyObject_New(TxObject, &TxType);
	if (!t)
		return NULL;
	t->pool = (PoolObject *)Py_NewRef(p);
	t->entered = 0;
	return (PyObject *)t;
}

static PyObject *Pool_map(PoolObject *p, PyObject *args, PyObject *kw)
{
	static char *kwl[] = {"name", "create", NULL};
	PyObject *name;
	int create = 1;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "U|p:map", kwl, &name,
					 &create))
		return NULL;
	if (pyc_pool_guard(p) || !pyc_root_name(name))
		return NULL;
	return pyc_map_open(p, name, create);
}

static PyObject *Pool_vector(PoolObject *p, PyObject *args, PyObject *kw)
{
	static char *kwl[] = {"name", "typecode", "create", NULL};
	PyObject *name, *tc = Py_None;
	int create = 1;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "U|Op:vector", kwl, &name,
					 &tc, &create))
		return NULL;
	if (pyc_pool_guard(p) || !pyc_root_name(name))
		return NULL;
	int code = 0;
	if (tc != Py_None) {
		if (!PyUnicode_Check(tc) || PyUnicode_GetLength(tc) != 1) {
			PyErr_Format(PyExc_TypeError,
				     "typecode must be a one-character str, "
				     "not %R",
				     tc);
			return NULL;
		}
		code = (int)PyUnicode_READ_CHAR(tc, 0);
	}
	return pyc_vec_open(p, name, code, create);
}

static PyObject *Pool_log(PoolObject *p, PyObject *args, PyObject *kw)
{
	static char *kwl[] = {"name", "capacity", "create", NULL};
	PyObject *name;
	Py_ssize_t cap = (Py_ssize_t)64 * 1024;
	int create = 1;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "U|np:log", kwl, &name, &cap,
					 &create))
		return NULL;
	if (pyc_pool_guard(p) || !pyc_root_name(name))
		return NULL;
	if (cap < 0) {
		PyErr_Format(PyExc_ValueError,
			     "log capacity must not be negative: %zd", cap);
		return NULL;
	}
	return pyc_log_open(p, name, cap, create);
}

static PyObject *Pool_blocks(PoolObject *p, PyObject *args, PyObject *kw)
{
	static char *kwl[] = {"name", "bsize", "nblocks", "create", NULL};
	PyObject *name, *bs = Py_None;
	Py_ssize_t nb = 0;
	int create = 1;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "U|Onp:blocks", kwl, &name,
					 &bs, &nb, &create))
		return NULL;
	Py_ssize_t bsize = 0;
	if (bs != Py_None) {
		bsize = PyNumber_AsSsize_t(bs, PyExc_OverflowError);
		if (bsize == -1 && PyErr_Occurred())
			return NULL;
		if (bsize <= 0) {
			PyErr_Format(PyExc_ValueError,
				     "block size must be positive: %zd", bsize);
			return NULL;
		}
	}
	if (nb < 0) {
		PyErr_Format(PyExc_ValueError,
			     "number of blocks must not be negative: %zd", nb);
		return NULL;
	}
	/* after converting bsize, which may run Python code */
	if (pyc_pool_guard(p) || !pyc_root_name(name))
		return NULL;
	return pyc_blk_open(p, name, bsize, nb, create);
}

static PyObject *Pool_roots(PoolObject *p, PyObject *unused)
{
	(void)unused;
	if (pyc_pool_guard(p))
		return NULL;
	/* Copy the directory first: building the dict may run the
	 * collector, and finalizers could close the pool. */
	size_t n = pc_root_count(p->pp);
	pc_root_info *ri = (pc_root_info *)PyMem_Calloc(n + 1, sizeof(*ri));
	if (!ri)
		return PyErr_NoMemory();
	for (size_t i = 0; i < n; i++)
		if (pc_root_at(p->pp, i, &ri[i]) != PC_OK) {
			PyMem_Free(ri);
			return pyc_raise(PC_E_CORRUPT, 0);
		}
	PyObject *d = PyDict_New();
	for (size_t i = 0; d && i < n; i++) {
		ri[i].name[sizeof(ri[i].name) - 1] = '\0';
		ri[i].sig.name[sizeof(ri[i].sig.name) - 1] = '\0';
		PyObject *k = PyUnicode_DecodeUTF8(
			ri[i].name, (Py_ssize_t)strlen(ri[i].name),
			"surrogateescape");
		PyObject *v = PyUnicode_FromString(ri[i].sig.name);
		if (!k || !v || PyDict_SetItem(d, k, v))
			Py_CLEAR(d);
		Py_XDECREF(k);
		Py_XDECREF(v);
	}
	PyMem_Free(ri);
	return d;
}

/* The signature of root @p name, or PC_E_NOTFOUND. */
static pc_err pyc_root_sig(PoolObject *p, const char *name, pc_typesig *sig)
{
	size_t n = pc_root_count(p->pp);
	for (size_t i = 0; i < n; i++) {
		pc_root_info ri;
		if (pc_root_at(p->pp, i, &ri) == PC_OK &&
		    strncmp(ri.name, name, sizeof(ri.name)) == 0) {
			*sig = ri.sig;
			return PC_OK;
		}
	}
	return PC_E_NOTFOUND;
}

/* The container object of root @p name, of whatever kind it holds. */
static PyObject *pyc_open_any(PoolObject *p, PyObject *name)
{
	const char *cname = pyc_root_name(name);
	if (!cname)
		return NULL;
	pc_typesig sig;
	if (pyc_root_sig(p, cname, &sig) != PC_OK)
		return pyc_raise_msg(PC_E_NOTFOUND, "%R: no root named %R",
				     p->path, name);
	switch (sig.kind) {
	case PC_KIND_MAP:
		return pyc_map_open(p, name, 0);
	case PC_KIND_VEC: {
		const pyc_vec_ops *o = pyc_vec_ops_for_sig(sig.name);
		if (o)
			return pyc_vec_open(p, name, o->code, 0);
		break;
	}
	case PC_KIND_LOG:
		return pyc_log_open(p, name, 0, 0);
	case PC_KIND_BLKARR:
		return pyc_blk_open(p, name, 0, 0, 0);
	default:
		break;
	}
	sig.name[sizeof(sig.name) - 1] = '\0';
	return pyc_raise_msg(PC_E_TYPE,
			     "%R: root %R holds %s, which the Python package "
			     "does not handle",
			     p->path, name, sig.name);
}

static PyObject *Pool_getitem(PoolObject *p, PyObject *name)
{
	if (pyc_pool_guard(p))
		return NULL;
	return pyc_open_any(p, name);
}

static PyObject *Pool_delete(PoolObject *p, PyObject *name)
{
	if (pyc_pool_guard(p))
		return NULL;
	PyObject *o = pyc_open_any(p, name);
	if (!o)
		return NULL;
	ContObject *c = (ContObject *)o;
	pc_err e = PC_OK;
	if (Py_IS_TYPE(o, &VecType) &&
	    pyc_vec_drop_views((VecObject *)o, "delete it")) {
		Py_DECREF(o);
		return NULL;
	}
	if (Py_IS_TYPE(o, &LogType) && ((LogObject *)o)->walking) {
		Py_DECREF(o);
		return pyc_raise_msg(PC_E_BUSY,
				     "%R: cannot delete log %R while a walk of "
				     "it is running",
				     p->path, name);
	}
	e = pyc_cont_free(c);
	if (e != PC_OK) {
		Py_DECREF(o);
		return pyc_raise(e, 0);
	}
	pyc_registry_drop(p, c, PYC_DEAD_DELETED);
	Py_DECREF(o);
	Py_RETURN_NONE;
}

static PyObject *Pool_check(PoolObject *p, PyObject *unused)
{
	(void)unused;
	if (pyc_pool_guard(p))
		return NULL;
	PyObject *roots = Pool_roots(p, NULL);
	if (!roots)
		return NULL;
	PyObject *name, *sig;
	Py_ssize_t pos = 0;
	int r = 0;
	while (r == 0 && PyDict_Next(roots, &pos, &name, &sig)) {
		PyObject *o = pyc_open_any(p, name);
		if (!o) {
			/* Roots of types the package does not handle are
			 * left to `pcoll check`. */
			if (PyErr_ExceptionMatches(PyExc_TypeError)) {
				PyErr_Clear();
				continue;
			}
			r = -1;
			break;
		}
		PyObject *res = pyc_cont_check_meth((ContObject *)o, NULL);
		r = res ? 0 : -1;
		Py_XDECREF(res);
		Py_DECREF(o);
	}
	Py_DECREF(roots);
	if (r)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *Pool_stats(PoolObject *p, PyObject *unused)
{
	(void)unused;
	if (pyc_pool_guard(p))
		return NULL;
	pc_pool_stats st;
	pc_err e = pc_pool_stats_get(p->pp, &st);
	if (e != PC_OK)
		return pyc_raise(e, 0);
	return Py_BuildValue("{sKsKsKsK}", "size", (unsigned long long)st.size,
			     "used", (unsigned long long)st.used, "free",
			     (unsigned long long)st.free, "nroots",
			     (unsigned long long)st.nroots);
}

static PyObject *Pool_get_closed(PoolObject *p, void *c)
{
	(void)c;
	return PyBool_FromLong(p->pp == NULL);
}

static PyObject *Pool_get_is_pmem(PoolObject *p, void *c)
{
	(void)c;
	if (pyc_pool_guard(p))
		return NULL;
	return PyBool_FromLong(pc_pool_is_pmem(p->pp));
}

static PyObject *Pool_get_in_transaction(PoolObject *p, void *c)
{
	(void)c;
	return PyBool_FromLong(pyc_tls_tx == p);
}

static PyObject *Pool_repr(PoolObject *p)
{
	return PyUnicode_FromFormat("<pcoll.Pool %R%s>", p->path,
				    p->pp ? "" : " (closed)");
}

static int Pool_traverse(PoolObject *p, visitproc visit, void *arg)
{
	Py_VISIT(p->objects);
	Py_VISIT(p->tx_born);
	return 0;
}

static int Pool_clear(PoolObject *p)
{
	Py_CLEAR(p->objects);
	Py_CLEAR(p->tx_born);
	return 0;
}

static void Pool_dealloc(PoolObject *p)
{
	PyObject_GC_UnTrack(p);
	if (p->weakreflist)
		PyObject_ClearWeakRefs((PyObject *)p);
	/* No container object is alive (each holds the pool), nor a
	 * transaction (the thread's holds it too): closing is safe. */
	if (p->pp)
		(void)pc_pool_close(p->pp);
	Py_XDECREF(p->path);
	Py_XDECREF(p->tx_cause);
	Pool_clear(p);
	PyObject_GC_Del(p);
}

static PyMethodDef Pool_methods[] = {
	{"create", (PyCFunction)(void (*)(void))Pool_create,
	 METH_VARARGS | METH_KEYWORDS | METH_CLASS,
	 "create(path, size, *, grow_step=0, max_size=0, mode=0o600)\n--\n\n"
	 "Create a pool file of size bytes (at least POOL_MIN_SIZE); fails "
	 "with PoolExistsError if path exists. With grow_step the pool is "
	 "growable: it starts at size and grows by grow_step bytes, up to "
	 "max_size (0: 1 TiB)."},
	{"open", (PyCFunction)(void (*)(void))Pool_open,
	 METH_VARARGS | METH_KEYWORDS | METH_CLASS,
	 "open(path)\n--\n\nOpen an existing pool; PoolNotFoundError if "
	 "missing, BusyError if another process has it open."},
	{"open_or_create", (PyCFunction)(void (*)(void))Pool_open_or_create,
	 METH_VARARGS | METH_KEYWORDS | METH_CLASS,
	 "open_or_create(path, size, *, grow_step=0, max_size=0, "
	 "mode=0o600)\n--\n\nOpen the pool at path, or create it as "
	 "create() does."},
	{"close", (PyCFunction)Pool_close, METH_NOARGS,
	 "close()\n--\n\nClose the pool. Everything committed is durable "
	 "already. Container objects and view() memoryviews of the pool "
	 "become unusable; BufferError if other buffers of a vector are "
	 "still held. Closing a closed pool does nothing."},
	{"__enter__", (PyCFunction)Pool_enter, METH_NOARGS, NULL},
	{"__exit__", (PyCFunction)Pool_exit, METH_VARARGS, NULL},
	{"transaction", (PyCFunction)Pool_transaction, METH_NOARGS,
	 "transaction()\n--\n\nA context manager: the changes made in its "
	 "block commit together at its end, or none of them if the block "
	 "raises (the exception propagates). Nested blocks join the "
	 "outer one."},
	{"map", (PyCFunction)(void (*)(void))Pool_map,
	 METH_VARARGS | METH_KEYWORDS,
	 "map(name, create=True)\n--\n\nThe ordered map of byte strings "
	 "under root name (PMAP(bytes, bytes))."},
	{"vector", (PyCFunction)(void (*)(void))Pool_vector,
	 METH_VARARGS | METH_KEYWORDS,
	 "vector(name, typecode=None, create=True)\n--\n\nThe vector of "
	 "numbers under root name; typecode is one of the array module's "
	 "'bBhHiIlLqQfd' (needed to create it; checked when given)."},
	{"log", (PyCFunction)(void (*)(void))Pool_log,
	 METH_VARARGS | METH_KEYWORDS,
	 "log(name, capacity=65536, create=True)\n--\n\nThe append-only "
	 "log under root name; capacity is the first chunk's size in bytes "
	 "(the log grows by chaining chunks)."},
	{"blocks", (PyCFunction)(void (*)(void))Pool_blocks,
	 METH_VARARGS | METH_KEYWORDS,
	 "blocks(name, bsize=None, nblocks=0, create=True)\n--\n\nThe array "
	 "of atomically written blocks under root name. Creating it needs "
	 "bsize; nblocks 0 makes as many blocks as fit. When it exists, a "
	 "given bsize must match."},
	{"roots", (PyCFunction)Pool_roots, METH_NOARGS,
	 "roots()\n--\n\nA dict of every root name to the type it holds "
	 "(for example 'pvec<double>')."},
	{"delete", (PyCFunction)Pool_delete, METH_O,
	 "delete(name)\n--\n\nFree the container under root name and the "
	 "name itself, all or nothing (inside a transaction, undone if it "
	 "aborts)."},
	{"check", (PyCFunction)Pool_check, METH_NOARGS,
	 "check()\n--\n\nRun every container's consistency check; raises "
	 "CorruptError naming the first problem."},
	{"stats", (PyCFunction)Pool_stats, METH_NOARGS,
	 "stats()\n--\n\nA dict with the pool's size, used and free bytes "
	 "and number of roots (walks every allocation)."},
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef Pool_getset[] = {
	{"closed", (getter)Pool_get_closed, NULL, "True once closed.", NULL},
	{"is_pmem", (getter)Pool_get_is_pmem, NULL,
	 "True when pcoll flushes with CPU instructions (persistent "
	 "memory), False on the msync path.",
	 NULL},
	{"in_transaction", (getter)Pool_get_in_transaction, NULL,
	 "True inside a transaction() block of this pool on this thread.",
	 NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef Pool_members[] = {
	{"path", T_OBJECT, offsetof(PoolObject, path), READONLY,
	 "The path the pool was opened with."},
	{NULL, 0, 0, 0, NULL},
};

static PyMappingMethods Pool_as_mapping = {
	NULL,
	(binaryfunc)Pool_getitem,
	NULL,
};

PyTypeObject PoolType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pcoll.Pool",
	.tp_basicsize = sizeof(PoolObject),
	.tp_dealloc = (destructor)Pool_dealloc,
	.tp_repr = (reprfunc)Pool_repr,
	.tp_as_mapping = &Pool_as_mapping,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
	.tp_doc = "An open pcoll pool: a file holding named containers.\n\n"
		  "Make one with Pool.create(), Pool.open() or "
		  "Pool.open_or_create(); use it as a context manager to "
		  "close it. pool[name] is the container under a root name, "
		  "whatever its kind.",
	.tp_traverse = (traverseproc)Pool_traverse,
	.tp_clear = (inquiry)Pool_clear,
	.tp_weaklistoffset = offsetof(PoolObject, weakreflist),
	.tp_methods = Pool_methods,
	.tp_members = Pool_members,
	.tp_getset = Pool_getset,
};

/* ------------------------------------------------------------------ */
/* Transaction                                                          */
/* ------------------------------------------------------------------ */

/* The outermost block ended (committed or not): forget the thread's
 * transaction; after an abort, objects it created are dead. */
static void pyc_tx_finish(PoolObject *p, int aborted)
{
	PyObject *born = p->tx_born;
	p->tx_born = NULL;
	p->tx_depth = 0;
	p->tx_thread = 0;
	pyc_tls_tx = NULL;
	if (aborted) {
		p->aborts++;
		for (Py_ssize_t i = 0; born && i < PyList_GET_SIZE(born); i++) {
			PyObject *o =
				PyWeakref_GetObject(PyList_GET_ITEM(born, i));
			if (o != Py_None)
				pyc_registry_drop(p, (ContObject *)o,
						  PYC_DEAD_ABORTED);
		}
	}
	Py_XDECREF(born);
	Py_DECREF(p); /* the thread's reference */
}

static PyObject *Tx_enter(TxObject *t, PyObject *unused)
{
	(void)unused;
	PoolObject *p = t->pool;
	if (t->entered) {
		PyErr_SetString(PyExc_RuntimeError,
				"this transaction() block is already entered");
		return NULL;
	}
	if (pyc_pool_guard(p))
		return NULL;
	if (pyc_tls_tx == p) {
		/* Nested: join. */
		if (pmemobj_tx_stage() != TX_STAGE_WORK)
			return pyc_raise_msg(PC_E_ABORTED,
					     "%R: the enclosing transaction "
					     "has aborted",
					     p->path);
		p->tx_depth++;
		t->entered = 1;
		return Py_NewRef(t);
	}
	PyObject *born = PyList_New(0);
	if (!born)
		return NULL;
	if (pmemobj_tx_begin(p->pp->pop, NULL, TX_PARAM_NONE) != 0) {
		const char *why = pmemobj_errormsg();
		if (pmemobj_tx_stage() != TX_STAGE_NONE)
			(void)pmemobj_tx_end();
		Py_DECREF(born);
		return pyc_raise_msg(PC_E_ABORTED,
				     "%R: cannot begin a transaction: %s",
				     p->path, why);
	}
	Py_INCREF(p);
	pyc_tls_tx = p;
	p->tx_born = born;
	Py_CLEAR(p->tx_cause);
	p->tx_thread = PyThread_get_thread_ident();
	p->tx_depth = 1;
	t->entered = 1;
	return Py_NewRef(t);
}

static PyObject *Tx_exit(TxObject *t, PyObject *args)
{
	PyObject *et, *ev, *tb;
	if (!PyArg_UnpackTuple(args, "__exit__", 3, 3, &et, &ev, &tb))
		return NULL;
	PoolObject *p = t->pool;
	if (!t->entered || pyc_tls_tx != p) {
		PyErr_SetString(PyExc_RuntimeError,
				"transaction() block exited without being "
				"entered on this thread");
		return NULL;
	}
	t->entered = 0;
	int failed = et != Py_None;
	if (failed && pmemobj_tx_stage() == TX_STAGE_WORK)
		(void)pc_tx_abort(PC_E_ABORTED);
	if (--p->tx_depth > 0) {
		if (!failed && pmemobj_tx_stage() != TX_STAGE_WORK)
			goto aborted_quietly;
		Py_RETURN_FALSE;
	}
	if (failed) {
		(void)pmemobj_tx_end();
		pyc_tx_finish(p, 1);
		Py_RETURN_FALSE; /* the exception propagates */
	}
	if (pmemobj_tx_stage() == TX_STAGE_WORK)
		pmemobj_tx_commit();
	int errnum = pmemobj_tx_end();
	if (errnum == 0) {
		pyc_tx_finish(p, 0);
		Py_RETURN_FALSE;
	}
	{
		PyObject *cause = p->tx_cause ? Py_NewRef(p->tx_cause) : NULL;
		PyObject *path = Py_NewRef(p->path);
		pyc_tx_finish(p, 1);
		if (cause)
			pyc_raise_msg(PC_E_ABORTED,
				      "%R: the transaction was aborted by an "
				      "earlier error: %U",
				      path, cause);
		else
			pyc_raise_msg(PC_E_ABORTED,
				      "%R: the transaction was aborted "
				      "(libpmemobj error %d)",
				      path, errnum);
		Py_XDECREF(cause);
		Py_DECREF(path);
		return NULL;
	}
aborted_quietly:
	if (p->tx_cause)
		return pyc_raise_msg(PC_E_ABORTED,
				     "%R: the transaction was aborted by an "
				     "earlier error: %U",
				     p->path, p->tx_cause);
	return pyc_raise_msg(PC_E_ABORTED, "%R: the transaction was aborted",
			     p->path);
}

static void Tx_dealloc(TxObject *t)
{
	Py_XDECREF(t->pool);
	PyObject_Free(t);
}

static PyMethodDef Tx_methods[] = {
	{"__enter__", (PyCFunction)Tx_enter, METH_NOARGS, NULL},
	{"__exit__", (PyCFunction)Tx_exit, METH_VARARGS, NULL},
	{NULL, NULL, 0, NULL},
};

PyTypeObject TxType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pcoll.Transaction",
	.tp_basicsize = sizeof(TxObject),
	.tp_dealloc = (destructor)Tx_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "The context manager returned by Pool.transaction().",
	.tp_methods = Tx_methods,
};

/* ------------------------------------------------------------------ */
/* Module                                                               */
/* ------------------------------------------------------------------ */

static PyObject *mod_check(PyObject *m, PyObject *arg)
{
	(void)m;
	PyObject *b = NULL;
	if (!PyUnicode_FSConverter(arg, &b))
		return NULL;
	pc_err e;
	Py_BEGIN_ALLOW_THREADS e = pc_pool_check(PyBytes_AS_STRING(b));
	Py_END_ALLOW_THREADS Py_DECREF(b);
	if (e != PC_OK)
		return pyc_raise(e, 1);
	Py_RETURN_NONE;
}

static PyObject *mod_error_names(PyObject *m, PyObject *unused)
{
	(void)m;
	(void)unused;
	PyObject *d = PyDict_New();
	for (int i = 0; d && i < (int)PC_E__COUNT; i++) {
		PyObject *k = PyLong_FromLong(i);
		PyObject *v = PyUnicode_FromString(pyc_err_name((pc_err)i));
		if (!k || !v || PyDict_SetItem(d, k, v)) {
			Py_CLEAR(d);
		}
		Py_XDECREF(k);
		Py_XDECREF(v);
	}
	return d;
}

static PyMethodDef mod_methods[] = {
	{"check", mod_check, METH_O,
	 "check(path)\n--\n\nCheck a closed pool file: libpmemobj's check "
	 "and pcoll's root directory. Raises the error found."},
	{"error_names", mod_error_names, METH_NOARGS,
	 "error_names()\n--\n\nA dict of every pc_err value to its name."},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {
	PyModuleDef_HEAD_INIT,
	.m_name = "pcoll._pcoll",
	.m_doc = "The compiled core of the pcoll package (use `import "
		 "pcoll`).",
	.m_size = -1,
	.m_methods = mod_methods,
};

PyMODINIT_FUNC PyInit__pcoll(void);

PyMODINIT_FUNC PyInit__pcoll(void)
{
	PyObject *errors = PyImport_ImportModule("pcoll._errors");
	if (!errors)
		return NULL;
	pyc_err_factory = PyObject_GetAttrString(errors, "_from_c");
	pyc_exc_closed = PyObject_GetAttrString(errors, "ClosedError");
	Py_DECREF(errors);
	if (!pyc_err_factory || !pyc_exc_closed)
		return NULL;
	PyObject *m = PyModule_Create(&moddef);
	if (!m)
		return NULL;
	if (pyc_add_types(m) ||
	    PyModule_AddIntConstant(m, "POOL_MIN_SIZE",
				    (long)PC_POOL_MIN_SIZE) ||
	    PyModule_AddIntConstant(m, "NAME_MAX", PC_NAME_MAX) ||
	    PyModule_AddIntConstant(m, "BYTES_MAX", (long)PC_BYTES_MAX) ||
	    PyModule_AddIntConstant(m, "RECORD_MAX", (long)PLOG_REC_MAX) ||
	    PyModule_AddIntConstant(m, "BSIZE_MAX", (long)PBLKARR_MAX_BSIZE) ||
	    PyModule_AddStringConstant(m, "TYPECODES", "bBhHiIlLqQfd") ||
	    PyModule_AddStringConstant(m, "PCOLL_VERSION",
				       PCOLL_VERSION_STRING)) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
