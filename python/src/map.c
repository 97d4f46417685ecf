/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll.Map: PMAP(bytes, bytes) with the dict protocol, ranges and
 * pmemkv's counts; its iterators and key/value/item views.
 *
 * Iterators hold a pcoll iterator, which any change to the map
 * invalidates. Every change made through the Map object bumps its `mods`
 * counter (there is one object per root, see the registry), and an abort
 * bumps the pool's `aborts`; an iterator that sees either move seeks again
 * just past the last key it returned, so iterating while changing the map
 * is safe and continues in key order.
 */
#include "pyc.h"

enum { PYC_KEYS = 0, PYC_VALUES = 1, PYC_ITEMS = 2 };

/* Key or value bytes; the fast path for exact bytes needs no buffer. */
static inline int pyc_slice_of(PyObject *o, Py_buffer *view, pc_slice *s,
			       const char *what)
{
	if (PYC_LIKELY(PyBytes_CheckExact(o))) {
		view->obj = NULL;
		s->ptr = PyBytes_AS_STRING(o);
		s->len = (size_t)PyBytes_GET_SIZE(o);
		return 0;
	}
	return pyc_get_bytes(o, view, s, what);
}

static inline void pyc_slice_done(Py_buffer *view)
{
	if (view->obj)
		PyBuffer_Release(view);
}

static inline PyObject *pyc_bytes(pc_slice s)
{
	return PyBytes_FromStringAndSize((const char *)s.ptr,
					 (Py_ssize_t)s.len);
}

static pc_err pyc_map_root_fn(pc_pool *pool, const char *name,
			      pc_open_mode mode, void *arg)
{
	return pyc_map_root(pool, name, mode, (pyc_map *)arg);
}

PyObject *pyc_map_open(PoolObject *p, PyObject *name, int create)
{
	PyObject *o = pyc_registry_typed(p, name, &MapType, "a map");
	if (o || PyErr_Occurred())
		return o;
	pyc_map m;
	int created;
	if (pyc_obtain_root(p, PyUnicode_AsUTF8(name), create, pyc_map_root_fn,
			    &m, &created))
		return NULL;
	MapObject *mo = (MapObject *)pyc_cont_alloc(&MapType, p, name);
	if (!mo)
		return NULL;
	mo->m = m;
	mo->mods = 0;
	if (pyc_registry_add(p, &mo->c, created)) {
		Py_DECREF(mo);
		return NULL;
	}
	return (PyObject *)mo;
}

static PyObject *Map_repr(MapObject *m)
{
	return PyUnicode_FromFormat("<pcoll.Map %R of pool %R%s>", m->c.name,
				    m->c.pool->path,
				    m->c.dead ? " (unusable)" : "");
}

/* m[key] */
static PyObject *Map_subscript(MapObject *m, PyObject *key)
{
	if (pyc_guard(&m->c))
		return NULL;
	Py_buffer kb;
	pc_slice k;
	if (pyc_slice_of(key, &kb, &k, "a key"))
		return NULL;
	pc_slice v = pyc_map_get(&m->m, k);
	pyc_slice_done(&kb);
	if (!v.ptr) {
		PyErr_SetObject(PyExc_KeyError, key);
		return NULL;
	}
	return pyc_bytes(v);
}

static int pyc_map_put_obj(MapObject *m, PyObject *key, PyObject *val)
{
	Py_buffer kb, vb;
	pc_slice k, v;
	if (pyc_slice_of(key, &kb, &k, "a key"))
		return -1;
	if (pyc_slice_of(val, &vb, &v, "a value")) {
		pyc_slice_done(&kb);
		return -1;
	}
	pc_err e = pyc_map_put(&m->m, k, v, NULL);
	pyc_slice_done(&kb);
	pyc_slice_done(&vb);
	m->mods++;
	if (PYC_UNLIKELY(e != PC_OK)) {
		pyc_raise(e, 0);
		return -1;
	}
	return 0;
}

/* Removes key; 1 when it was there, 0 when not, -1 on error. */
static int pyc_map_del_obj(MapObject *m, PyObject *key)
{
	Py_buffer kb;
	pc_slice k;
	if (pyc_slice_of(key, &kb, &k, "a key"))
		return -1;
	pc_err e = pyc_map_remove(&m->m, k, NULL);
	pyc_slice_done(&kb);
	m->mods++;
	if (e == PC_E_NOTFOUND)
		return 0;
	if (e != PC_OK) {
		pyc_raise(e, 0);
		return -1;
	}
	return 1;
}

/* m[key] = val, del m[key] */
static int Map_ass_subscript(MapObject *m, PyObject *key, PyObject *val)
{
	if (pyc_guard(&m->c))
		return -1;
	if (val)
		return pyc_map_put_obj(m, key, val);
	int r = pyc_map_del_obj(m, key);
	if (r == 0)
		PyErr_SetObject(PyExc_KeyError, key);
	return r > 0 ? 0 : -1;
}

static Py_ssize_t Map_length(MapObject *m)
{
	if (pyc_guard(&m->c))
		return -1;
	return (Py_ssize_t)pyc_map_len(&m->m);
}

static int Map_contains(MapObject *m, PyObject *key)
{
	if (pyc_guard(&m->c))
		return -1;
	Py_buffer kb;
	pc_slice k;
	if (pyc_slice_of(key, &kb, &k, "a key"))
		return -1;
	int r = pyc_map_contains(&m->m, k);
	pyc_slice_done(&kb);
	return r;
}

static int Map_bool(MapObject *m)
{
	if (pyc_guard(&m->c))
		return -1;
	return !pyc_map_is_empty(&m->m);
}

static PyObject *Map_get(MapObject *m, PyObject *const *args, Py_ssize_t n)
{
	if (!pyc_nargs("get", n, 1, 2) || pyc_guard(&m->c))
		return NULL;
	Py_buffer kb;
	pc_slice k;
	if (pyc_slice_of(args[0], &kb, &k, "a key"))
		return NULL;
	pc_slice v = pyc_map_get(&m->m, k);
	pyc_slice_done(&kb);
	if (v.ptr)
		return pyc_bytes(v);
	return Py_NewRef(n > 1 ? args[1] : Py_None);
}

static PyObject *Map_pop(MapObject *m, PyObject *const *args, Py_ssize_t n)
{
	if (!pyc_nargs("pop", n, 1, 2) || pyc_guard(&m->c))
		return NULL;
	Py_buffer kb;
	pc_slice k;
	if (pyc_slice_of(args[0], &kb, &k, "a key"))
		return NULL;
	PyObject *res = NULL;
	pc_slice v = pyc_map_get(&m->m, k);
	if (!v.ptr) {
		if (n > 1)
			res = Py_NewRef(args[1]);
		else
			PyErr_SetObject(PyExc_KeyError, args[0]);
		goto out;
	}
	res = pyc_bytes(v); /* copied before the entry goes */
	if (!res)
		goto out;
	pc_err e = pyc_map_remove(&m->m, k, NULL);
	m->mods++;
	if (e != PC_OK) {
		Py_CLEAR(res);
		pyc_raise(e, 0);
	}
out:
	pyc_slice_done(&kb);
	return res;
}

static PyObject *Map_popitem(MapObject *m, PyObject *unused)
{
	(void)unused;
	if (pyc_guard(&m->c))
		return NULL;
	pyc_map_iter it;
	if (!pyc_map_last(&m->m, &it)) {
		PyErr_Format(PyExc_KeyError, "popitem(): map %R is empty",
			     m->c.name);
		return NULL;
	}
	PyObject *k = pyc_bytes(it.key);
	PyObject *v = pyc_bytes(it.val);
	if (!k || !v)
		goto fail;
	pc_err e = pyc_map_remove(&m->m,
				  pc_slice_make(PyBytes_AS_STRING(k),
						(size_t)PyBytes_GET_SIZE(k)),
				  NULL);
	m->mods++;
	if (e != PC_OK) {
		pyc_raise(e, 0);
		goto fail;
	}
	return Py_BuildValue("(NN)", k, v);
fail:
	Py_XDECREF(k);
	Py_XDECREF(v);
	return NULL;
}

static PyObject *Map_setdefault(MapObject *m, PyObject *const *args,
				Py_ssize_t n)
{
	if (!pyc_nargs("setdefault", n, 1, 2) || pyc_guard(&m->c))
		return NULL;
	Py_buffer kb;
	pc_slice k;
	if (pyc_slice_of(args[0], &kb, &k, "a key"))
		return NULL;
	pc_slice v = pyc_map_get(&m->m, k);
	pyc_slice_done(&kb);
	if (v.ptr)
		return pyc_bytes(v);
	PyObject *dflt = n > 1 ? args[1] : Py_None;
	if (pyc_map_put_obj(m, args[0], dflt))
		return NULL;
	return Map_subscript(m, args[0]);
}

/* update(other=(), **kw): every pair is converted first (so a bad one
 * changes nothing), then all are put in one transaction. */
static PyObject *Map_update(MapObject *m, PyObject *args, PyObject *kw)
{
	PyObject *other = NULL;
	if (!PyArg_UnpackTuple(args, "update", 0, 1, &other) ||
	    pyc_guard(&m->c))
		return NULL;
	PyObject *pairs = PyList_New(0);
	if (!pairs)
		return NULL;
	Py_buffer *bufs = NULL;
	Py_ssize_t nbuf = 0;
	PyObject *res = NULL;
	if (other) {
		PyObject *items = NULL;
		if (PyDict_Check(other)) {
			items = PyDict_Items(other);
		} else if (PyObject_HasAttrString(other, "keys")) {
			PyObject *kc = PyObject_CallMethod(other, "keys", NULL);
			PyObject *keys = kc ? PySequence_List(kc) : NULL;
			Py_XDECREF(kc);
			items = keys ? PyList_New(0) : NULL;
			for (Py_ssize_t i = 0;
			     items && i < PyList_GET_SIZE(keys); i++) {
				PyObject *kk = PyList_GET_ITEM(keys, i);
				PyObject *vv = PyObject_GetItem(other, kk);
				PyObject *t =
					vv ? PyTuple_Pack(2, kk, vv) : NULL;
				Py_XDECREF(vv);
				if (!t || PyList_Append(items, t))
					Py_CLEAR(items);
				Py_XDECREF(t);
			}
			Py_XDECREF(keys);
		} else {
			items = PySequence_List(other);
		}
		if (!items)
			goto out;
		for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
			PyObject *t =
				PySequence_Tuple(PyList_GET_ITEM(items, i));
			if (!t || PyTuple_GET_SIZE(t) != 2) {
				if (t ||
				    PyErr_ExceptionMatches(PyExc_TypeError)) {
					PyErr_Clear();
					PyErr_Format(PyExc_ValueError,
						     "update(): element %zd is "
						     "not a (key, value) pair",
						     i);
				}
				Py_XDECREF(t);
				Py_DECREF(items);
				goto out;
			}
			int r = PyList_Append(pairs, t);
			Py_DECREF(t);
			if (r) {
				Py_DECREF(items);
				goto out;
			}
		}
		Py_DECREF(items);
	}
	if (kw) {
		PyObject *kv = PyDict_Items(kw);
		if (!kv)
			goto out;
		for (Py_ssize_t i = 0; i < PyList_GET_SIZE(kv); i++)
			if (PyList_Append(pairs, PyList_GET_ITEM(kv, i))) {
				Py_DECREF(kv);
				goto out;
			}
		Py_DECREF(kv);
	}
	/* Collecting ran Python code (keys(), __getitem__, iterators): check
	 * the map again. */
	if (pyc_guard(&m->c))
		goto out;
	Py_ssize_t n = PyList_GET_SIZE(pairs);
	bufs = (Py_buffer *)PyMem_Calloc((size_t)(2 * n + 1),
					 sizeof(Py_buffer));
	pc_slice *sl =
		(pc_slice *)PyMem_Calloc((size_t)(2 * n + 1), sizeof(pc_slice));
	if (!bufs || !sl) {
		PyMem_Free(sl);
		PyErr_NoMemory();
		goto out;
	}
	for (; nbuf < 2 * n; nbuf++) {
		PyObject *t = PyList_GET_ITEM(pairs, nbuf / 2);
		if (pyc_get_bytes(PyTuple_GET_ITEM(t, nbuf % 2), &bufs[nbuf],
				  &sl[nbuf], nbuf % 2 ? "a value" : "a key")) {
			PyMem_Free(sl);
			goto out;
		}
	}
	pc_err err = PC_OK, e = PC_OK;
	char why[PC_ERRMSG_MAX] = "";
	TX(m->m.pool, &err) {
		for (Py_ssize_t i = 0; e == PC_OK && i < n; i++)
			e = pyc_map_put(&m->m, sl[2 * i], sl[2 * i + 1], NULL);
		if (e != PC_OK) {
			/* the scope's end writes its own message */
			(void)snprintf(why, sizeof(why), "%s", pc_errmsg());
			(void)pc_tx_abort(e);
			break;
		}
	}
	PyMem_Free(sl);
	m->mods++;
	if (err != PC_OK) {
		if (e != PC_OK)
			pyc_raise_text(e, 0, why);
		else
			pyc_raise(err, 0);
		goto out;
	}
	res = Py_NewRef(Py_None);
out:
	for (Py_ssize_t i = 0; i < nbuf; i++)
		PyBuffer_Release(&bufs[i]);
	PyMem_Free(bufs);
	Py_DECREF(pairs);
	return res;
}

static PyObject *Map_clear(MapObject *m, PyObject *unused)
{
	(void)unused;
	if (pyc_guard(&m->c))
		return NULL;
	pc_err e = pyc_map_clear(&m->m);
	m->mods++;
	if (e != PC_OK)
		return pyc_raise(e, 0);
	Py_RETURN_NONE;
}

static PyObject *Map_count_all(MapObject *m, PyObject *unused)
{
	(void)unused;
	if (pyc_guard(&m->c))
		return NULL;
	return PyLong_FromSize_t(pyc_map_count_all(&m->m));
}

/* count_above(key) and count_below(key) */
static PyObject *pyc_map_count1(MapObject *m, PyObject *key, int above)
{
	if (pyc_guard(&m->c))
		return NULL;
	Py_buffer kb;
	pc_slice k;
	if (pyc_slice_of(key, &kb, &k, "a key"))
		return NULL;
	size_t c = above ? pyc_map_count_above(&m->m, k)
			 : pyc_map_count_below(&m->m, k);
	pyc_slice_done(&kb);
	return PyLong_FromSize_t(c);
}

static PyObject *Map_count_above(MapObject *m, PyObject *key)
{
	return pyc_map_count1(m, key, 1);
}

static PyObject *Map_count_below(MapObject *m, PyObject *key)
{
	return pyc_map_count1(m, key, 0);
}

static PyObject *Map_count_between(MapObject *m, PyObject *const *args,
				   Py_ssize_t n)
{
	if (!pyc_nargs("count_between", n, 2, 2) || pyc_guard(&m->c))
		return NULL;
	Py_buffer b1, b2;
	pc_slice k1, k2;
	if (pyc_slice_of(args[0], &b1, &k1, "a key"))
		return NULL;
	if (pyc_slice_of(args[1], &b2, &k2, "a key")) {
		pyc_slice_done(&b1);
		return NULL;
	}
	size_t c = pyc_map_count_between(&m->m, k1, k2);
	pyc_slice_done(&b1);
	pyc_slice_done(&b2);
	return PyLong_FromSize_t(c);
}

/* ------------------------------------------------------------------ */
/* Iterators                                                            */
/* ------------------------------------------------------------------ */

typedef struct MapIterObject {
	PyObject ob_base; /* PyObject_HEAD */
	MapObject *map;
	int kind;    /* PYC_KEYS, PYC_VALUES, PYC_ITEMS */
	int reverse; /* from the last key of the range down */
	int state;   /* 0 not started, 1 on an entry, 2 exhausted */
	pc_bound lob, hib;
	PyObject *lo, *hi; /* bytes of the bounds (kept alive), or NULL */
	pyc_map_iter it;
	unsigned long long mods, aborts;
	char *last; /* the last key returned */
	size_t nlast, caplast;
	char *seek; /* the bound the iterator was re-seeked with */
	size_t nseek, capseek;
} MapIterObject;

static int pyc_keep(char **buf, size_t *n, size_t *cap, pc_slice s)
{
	if (s.len > *cap) {
		size_t nc = s.len < 64 ? 64 : s.len;
		char *b = (char *)PyMem_Realloc(*buf, nc);
		if (!b) {
			PyErr_NoMemory();
			return -1;
		}
		*buf = b;
		*cap = nc;
	}
	if (s.len)
		memcpy(*buf, s.ptr, s.len);
	*n = s.len;
	return 0;
}

static pc_slice pyc_bound_slice(PyObject *b)
{
	return b ? pc_slice_make(PyBytes_AS_STRING(b),
				 (size_t)PyBytes_GET_SIZE(b))
		 : pc_slice_make(NULL, 0);
}

static PyObject *pyc_map_iter_new(MapObject *m, int kind, int reverse,
				  PyObject *lo, pc_bound lob, PyObject *hi,
				  pc_bound hib)
{
	MapIterObject *it = PyObject_New(MapIterObject, &MapIterType);
	if (!it)
		return NULL;
	it->map = (MapObject *)Py_NewRef(m);
	it->kind = kind;
	it->reverse = reverse;
	it->state = 0;
	it->lob = lob;
	it->hib = hib;
	it->lo = Py_XNewRef(lo);
	it->hi = Py_XNewRef(hi);
	it->mods = 0;
	it->aborts = 0;
	it->last = it->seek = NULL;
	it->nlast = it->caplast = it->nseek = it->capseek = 0;
	return (PyObject *)it;
}

static void MapIter_dealloc(MapIterObject *it)
{
	Py_XDECREF(it->map);
	Py_XDECREF(it->lo);
	Py_XDECREF(it->hi);
	PyMem_Free(it->last);
	PyMem_Free(it->seek);
	PyObject_Free(it);
}

static PyObject *MapIter_next(MapIterObject *it)
{
	MapObject *m = it->map;
	if (it->state == 2)
		return NULL;
	if (pyc_guard(&m->c))
		return NULL;
	pc_slice lo = pyc_bound_slice(it->lo), hi = pyc_bound_slice(it->hi);
	bool ok;
	if (it->state == 0) {
		ok = it->reverse ? pyc_map_range_back(&m->m, lo, it->lob, hi,
						      it->hib, &it->it)
				 : pyc_map_range(&m->m, lo, it->lob, hi,
						 it->hib, &it->it);
	} else if (it->mods != m->mods || it->aborts != m->c.pool->aborts) {
		/* The map changed: continue after the last key returned. */
		if (pyc_keep(&it->seek, &it->nseek, &it->capseek,
			     pc_slice_make(it->last, it->nlast)))
			return NULL;
		pc_slice s = pc_slice_make(it->seek, it->nseek);
		ok = it->reverse ? pyc_map_range_back(&m->m, lo, it->lob, s,
						      PC_EXCLUDED, &it->it)
				 : pyc_map_range(&m->m, s, PC_EXCLUDED, hi,
						 it->hib, &it->it);
	} else {
		ok = it->reverse ? pyc_map_prev(&it->it)
				 : pyc_map_next(&it->it);
	}
	if (!ok) {
		it->state = 2;
		return NULL;
	}
	it->state = 1;
	it->mods = m->mods;
	it->aborts = m->c.pool->aborts;
	if (pyc_keep(&it->last, &it->nlast, &it->caplast, it->it.key))
		return NULL;
	switch (it->kind) {
	case PYC_KEYS:
		return pyc_bytes(it->it.key);
	case PYC_VALUES:
		return pyc_bytes(it->it.val);
	default: {
		PyObject *k = pyc_bytes(it->it.key);
		PyObject *v = k ? pyc_bytes(it->it.val) : NULL;
		if (!v) {
			Py_XDECREF(k);
			return NULL;
		}
		PyObject *t = PyTuple_New(2);
		if (!t) {
			Py_DECREF(k);
			Py_DECREF(v);
			return NULL;
		}
		PyTuple_SET_ITEM(t, 0, k);
		PyTuple_SET_ITEM(t, 1, v);
		return t;
	}
	}
}

static PyObject *Map_iter(MapObject *m)
{
	if (pyc_guard(&m->c))
		return NULL;
	return pyc_map_iter_new(m, PYC_KEYS, 0, NULL, PC_UNBOUNDED, NULL,
				PC_UNBOUNDED);
}

/* A bound: None (unbounded) or a key, copied into a bytes object the
 * iterator keeps. */
static int pyc_bound_arg(PyObject *o, int incl, PyObject **out, pc_bound *b)
{
	*out = NULL;
	if (o == Py_None) {
		*b = PC_UNBOUNDED;
		return 0;
	}
	Py_buffer view;
	pc_slice s;
	if (pyc_get_bytes(o, &view, &s, "a range bound"))
		return -1;
	*out = PyBytes_FromStringAndSize((const char *)s.ptr,
					 (Py_ssize_t)s.len);
	PyBuffer_Release(&view);
	*b = incl ? PC_INCLUDED : PC_EXCLUDED;
	return *out ? 0 : -1;
}

static PyObject *Map_range(MapObject *m, PyObject *args, PyObject *kw)
{
	static char *kwl[] = {"lo", "hi", "inclusive", "reverse", NULL};
	PyObject *lo = Py_None, *hi = Py_None, *incl = NULL;
	int reverse = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO$Op:range", kwl, &lo,
					 &hi, &incl, &reverse) ||
	    pyc_guard(&m->c))
		return NULL;
	int il = 1, ih = 0;
	if (incl) {
		PyObject *t = PySequence_Tuple(incl);
		if (!t || PyTuple_GET_SIZE(t) != 2) {
			Py_XDECREF(t);
			PyErr_SetString(PyExc_TypeError,
					"inclusive must be a pair of bools "
					"(lo_inclusive, hi_inclusive)");
			return NULL;
		}
		il = PyObject_IsTrue(PyTuple_GET_ITEM(t, 0));
		ih = PyObject_IsTrue(PyTuple_GET_ITEM(t, 1));
		Py_DECREF(t);
		if (il < 0 || ih < 0)
			return NULL;
	}
	PyObject *blo, *bhi;
	pc_bound lob, hib;
	if (pyc_bound_arg(lo, il, &blo, &lob))
		return NULL;
	if (pyc_bound_arg(hi, ih, &bhi, &hib)) {
		Py_XDECREF(blo);
		return NULL;
	}
	PyObject *r =
		pyc_map_iter_new(m, PYC_ITEMS, reverse, blo, lob, bhi, hib);
	Py_XDECREF(blo);
	Py_XDECREF(bhi);
	return r;
}

static PyObject *Map_reversed(MapObject *m, PyObject *unused)
{
	(void)unused;
	if (pyc_guard(&m->c))
		return NULL;
	return pyc_map_iter_new(m, PYC_KEYS, 1, NULL, PC_UNBOUNDED, NULL,
				PC_UNBOUNDED);
}

PyTypeObject MapIterType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pcoll.MapIterator",
	.tp_basicsize = sizeof(MapIterObject),
	.tp_dealloc = (destructor)MapIter_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Iterator over a Map in key order (keys, values or items). "
		  "Changing the map meanwhile is allowed: the iterator goes on "
		  "after the last key it returned.",
	.tp_iter = PyObject_SelfIter,
	.tp_iternext = (iternextfunc)MapIter_next,
};

/* ------------------------------------------------------------------ */
/* Views                                                                */
/* ------------------------------------------------------------------ */

typedef struct MapViewObject {
	PyObject ob_base; /* PyObject_HEAD */
	MapObject *map;
	int kind;
} MapViewObject;

static PyObject *pyc_map_view(MapObject *m, int kind)
{
	if (pyc_guard(&m->c))
		return NULL;
	MapViewObject *v = PyObject_New(MapViewObject, &MapViewType);
	if (!v)
		return NULL;
	v->map = (MapObject *)Py_NewRef(m);
	v->kind = kind;
	return (PyObject *)v;
}

static PyObject *Map_keys(MapObject *m, PyObject *unused)
{
	(void)unused;
	return pyc_map_view(m, PYC_KEYS);
}

static PyObject *Map_values(MapObject *m, PyObject *unused)
{
	(void)unused;
	return pyc_map_view(m, PYC_VALUES);
}

static PyObject *Map_items(MapObject *m, PyObject *unused)
{
	(void)unused;
	return pyc_map_view(m, PYC_ITEMS);
}

static void MapView_dealloc(MapViewObject *v)
{
	Py_XDECREF(v->map);
	PyObject_Free(v);
}

static PyObject *MapView_iter(MapViewObject *v)
{
	if (pyc_guard(&v->map->c))
		return NULL;
	return pyc_map_iter_new(v->map, v->kind, 0, NULL, PC_UNBOUNDED, NULL,
				PC_UNBOUNDED);
}

static PyObject *MapView_reversed(MapViewObject *v, PyObject *unused)
{
	(void)unused;
	if (pyc_guard(&v->map->c))
		return NULL;
	return pyc_map_iter_new(v->map, v->kind, 1, NULL, PC_UNBOUNDED, NULL,
				PC_UNBOUNDED);
}

static Py_ssize_t MapView_length(MapViewObject *v)
{
	return Map_length(v->map);
}

static int MapView_contains(MapViewObject *v, PyObject *x)
{
	if (v->kind == PYC_KEYS)
		return Map_contains(v->map, x);
	if (pyc_guard(&v->map->c))
		return -1;
	if (v->kind == PYC_ITEMS) {
		if (!PyTuple_Check(x) || PyTuple_GET_SIZE(x) != 2)
			return 0;
		PyObject *args[2] = {PyTuple_GET_ITEM(x, 0), Py_None};
		PyObject *cur = Map_get(v->map, args, 1);
		if (!cur) {
			if (!PyErr_ExceptionMatches(PyExc_TypeError))
				return -1;
			PyErr_Clear();
			return 0;
		}
		int r = cur == Py_None
				? 0
				: PyObject_RichCompareBool(
					  cur, PyTuple_GET_ITEM(x, 1), Py_EQ);
		Py_DECREF(cur);
		return r;
	}
	/* Values: a scan, as for dict.values(). */
	PyObject *it = MapView_iter(v);
	if (!it)
		return -1;
	int r = 0;
	PyObject *val;
	while (r == 0 && (val = PyIter_Next(it))) {
		r = PyObject_RichCompareBool(val, x, Py_EQ);
		Py_DECREF(val);
	}
	Py_DECREF(it);
	if (r == 0 && PyErr_Occurred())
		return -1;
	return r;
}

static PyObject *MapView_repr(MapViewObject *v)
{
	static const char *const kinds[] = {"keys", "values", "items"};
	return PyUnicode_FromFormat("<pcoll.Map %R %s>", v->map->c.name,
				    kinds[v->kind]);
}

static PySequenceMethods MapView_as_sequence = {
	.sq_length = (lenfunc)MapView_length,
	.sq_contains = (objobjproc)MapView_contains,
};

static PyMethodDef MapView_methods[] = {
	{"__reversed__", (PyCFunction)MapView_reversed, METH_NOARGS,
	 "Iterate from the largest key down."},
	{NULL, NULL, 0, NULL},
};

PyTypeObject MapViewType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pcoll.MapView",
	.tp_basicsize = sizeof(MapViewObject),
	.tp_dealloc = (destructor)MapView_dealloc,
	.tp_repr = (reprfunc)MapView_repr,
	.tp_as_sequence = &MapView_as_sequence,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "The keys, values or items of a Map, in key order (what "
		  "Map.keys(), values() and items() return): iterable, "
		  "sized, supports `in`, and reflects later changes.",
	.tp_iter = (getiterfunc)MapView_iter,
	.tp_methods = MapView_methods,
};

/* ------------------------------------------------------------------ */
/* The Map type                                                         */
/* ------------------------------------------------------------------ */

static PyMethodDef Map_methods[] = {
	{"get", (PyCFunction)(void (*)(void))Map_get, METH_FASTCALL,
	 "get(key, default=None)\n--\n\nThe value of key (bytes), or "
	 "default."},
	{"pop", (PyCFunction)(void (*)(void))Map_pop, METH_FASTCALL,
	 "pop(key[, default])\n--\n\nRemove key and return its value; "
	 "default (or KeyError) when absent."},
	{"popitem", (PyCFunction)Map_popitem, METH_NOARGS,
	 "popitem()\n--\n\nRemove and return the (key, value) pair with the "
	 "largest key; KeyError when empty."},
	{"setdefault", (PyCFunction)(void (*)(void))Map_setdefault,
	 METH_FASTCALL,
	 "setdefault(key, default)\n--\n\nThe value of key; when absent, "
	 "first store default (bytes or str) under it."},
	{"update", (PyCFunction)(void (*)(void))Map_update,
	 METH_VARARGS | METH_KEYWORDS,
	 "update(other=(), /, **kw)\n--\n\nPut every pair of other (a "
	 "mapping or an iterable of pairs) and kw, all in one transaction: "
	 "all or none."},
	{"clear", (PyCFunction)Map_clear, METH_NOARGS,
	 "clear()\n--\n\nRemove every entry, in one transaction."},
	{"keys", (PyCFunction)Map_keys, METH_NOARGS,
	 "keys()\n--\n\nA view of the keys in order."},
	{"values", (PyCFunction)Map_values, METH_NOARGS,
	 "values()\n--\n\nA view of the values in key order."},
	{"items", (PyCFunction)Map_items, METH_NOARGS,
	 "items()\n--\n\nA view of the (key, value) pairs in key order."},
	{"range", (PyCFunction)(void (*)(void))Map_range,
	 METH_VARARGS | METH_KEYWORDS,
	 "range(lo=None, hi=None, *, inclusive=(True, False), "
	 "reverse=False)\n--\n\nIterate the (key, value) pairs with keys "
	 "between lo and hi (None: unbounded), each end included as "
	 "inclusive says; reverse=True starts at the largest."},
	{"__reversed__", (PyCFunction)Map_reversed, METH_NOARGS,
	 "Iterate the keys from the largest down."},
	{"count_all", (PyCFunction)Map_count_all, METH_NOARGS,
	 "count_all()\n--\n\nNumber of entries (as len())."},
	{"count_above", (PyCFunction)Map_count_above, METH_O,
	 "count_above(key)\n--\n\nNumber of keys greater than key."},
	{"count_below", (PyCFunction)Map_count_below, METH_O,
	 "count_below(key)\n--\n\nNumber of keys less than key."},
	{"count_between", (PyCFunction)(void (*)(void))Map_count_between,
	 METH_FASTCALL,
	 "count_between(key1, key2)\n--\n\nNumber of keys strictly between "
	 "key1 and key2 (0 when key1 >= key2)."},
	PYC_CONT_CHECK_METHOD,
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef Map_getset[] = {
	PYC_CONT_GETSET,
	{NULL, NULL, NULL, NULL, NULL},
};

static PyMappingMethods Map_as_mapping = {
	(lenfunc)Map_length,
	(binaryfunc)Map_subscript,
	(objobjargproc)Map_ass_subscript,
};

static PySequenceMethods Map_as_sequence = {
	.sq_contains = (objobjproc)Map_contains,
};

static PyNumberMethods Map_as_number = {
	.nb_bool = (inquiry)Map_bool,
};

PyTypeObject MapType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pcoll.Map",
	.tp_basicsize = sizeof(MapObject),
	.tp_dealloc = (destructor)pyc_cont_dealloc,
	.tp_repr = (reprfunc)Map_repr,
	.tp_as_number = &Map_as_number,
	.tp_as_sequence = &Map_as_sequence,
	.tp_as_mapping = &Map_as_mapping,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "An ordered persistent map of byte strings (PMAP(bytes, "
		  "bytes)), from Pool.map().\n\nKeys and values are bytes "
		  "(str is stored as UTF-8); lookups return bytes copies. "
		  "Iteration is in key order (bytes compared as unsigned, a "
		  "prefix first). Every change is durable when the call "
		  "returns, or at the end of the enclosing transaction.",
	.tp_weaklistoffset = offsetof(ContObject, weakreflist),
	.tp_iter = (getiterfunc)Map_iter,
	.tp_methods = Map_methods,
	.tp_getset = Map_getset,
};
