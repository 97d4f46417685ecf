/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal header of the pcoll._pcoll extension: the object layouts shared
 * by its source files and the helpers every method uses.
 *
 * Rules every method follows:
 * - pyc_guard() first: the object is alive (its pool open, its root not
 *   deleted, not created by an aborted transaction) and no other thread,
 *   and no transaction on another pool, stands in the way.
 * - Nothing returned points into the pool (bytes, ints and floats are
 *   copies), except the memoryviews of a vector, which are released when
 *   its array could move (see vec.c).
 * - The GIL is held across every pcoll call: calls of one process are
 *   serialized, which is what the containers ask for (one thread at a time
 *   per container). Only walks call back into Python while inside pcoll.
 */
#ifndef PCOLL_PY_PYC_H
#define PCOLL_PY_PYC_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "layer.h"

#define PYC_LIKELY(x)   __builtin_expect(!!(x), 1)
#define PYC_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Why a container object can no longer be used. */
enum pyc_dead {
	PYC_ALIVE = 0,
	PYC_DEAD_CLOSED = 1,  /* its pool was closed */
	PYC_DEAD_ABORTED = 2, /* created by a transaction that aborted */
	PYC_DEAD_DELETED = 3  /* its root was deleted */
};

/* pcoll.Pool. */
typedef struct PoolObject {
	PyObject ob_base;        /* PyObject_HEAD */
	pc_pool *pp;             /* NULL once closed */
	PyObject *path;          /* str */
	PyObject *objects;       /* dict: root name -> weakref to its object */
	PyObject *tx_born;       /* list of weakrefs: created in the open tx */
	PyObject *tx_cause;      /* str: the error that aborted the open tx */
	unsigned long tx_thread; /* thread of the open transaction */
	int tx_depth;            /* nesting of transaction() blocks */
	int busy;                /* walks calling back into Python */
	unsigned long long aborts; /* aborted transactions so far */
	PyObject *weakreflist;
} PoolObject;

/* The part every container object starts with. */
typedef struct ContObject {
	PyObject ob_base; /* PyObject_HEAD */
	PoolObject *pool; /* strong reference */
	PyObject *name;   /* str: the root's name */
	int dead;         /* enum pyc_dead */
	PyObject *weakreflist;
} ContObject;

typedef struct MapObject {
	ContObject c;
	pyc_map m;
	unsigned long long mods; /* changes made through this object */
} MapObject;

typedef struct VecObject {
	ContObject c;
	const pyc_vec_ops *ops;
	pyc_vec v;
	Py_ssize_t exports; /* buffers handed out and not released */
	PyObject *views;    /* list of weakrefs to view() memoryviews */
} VecObject;

typedef struct LogObject {
	ContObject c;
	plog log;
	int walking;                /* walks in progress */
	unsigned long long rewinds; /* rewinds through this object */
} LogObject;

typedef struct BlkObject {
	ContObject c;
	pblkarr a;
} BlkObject;

/* The open transaction of this thread (a pool), or NULL. */
extern _Thread_local PoolObject *pyc_tls_tx;

extern PyTypeObject PoolType, TxType, MapType, MapIterType, MapViewType,
	VecType, VecIterType, LogType, LogIterType, BlkType;

/* Exception classes from pcoll._errors, by pc_err value, and the one for
 * closed pools and dead objects. */
extern PyObject *pyc_exc_closed;

/* Raise the pcoll.Error subclass for @p e with pc_errmsg() as message.
 * @p pool_path: a NOTFOUND or EXISTS is about the pool file itself (the
 * class then also derives from FileNotFoundError or FileExistsError).
 * Records the cause when the call aborted the thread's transaction.
 * Returns NULL. */
PyObject *pyc_raise(pc_err e, int pool_path);

/* As pyc_raise() with the message @p msg (a copy of pc_errmsg() taken
 * before a TX() scope's end overwrote it). Returns NULL. */
PyObject *pyc_raise_text(pc_err e, int pool_path, const char *msg);

/* As pyc_raise() with a message of our own. Returns NULL. */
PyObject *pyc_raise_msg(pc_err e, const char *fmt, ...);

/* Slow half of pyc_guard(). Returns 0, or -1 with an exception set. */
int pyc_guard_slow(ContObject *o);

static inline int pyc_guard(ContObject *o)
{
	if (PYC_LIKELY(!o->dead && !o->pool->tx_depth && !pyc_tls_tx))
		return 0;
	return pyc_guard_slow(o);
}

/* Checks for the pool itself (open, not used by another thread's
 * transaction). Returns 0 or -1 with an exception set. */
int pyc_pool_guard(PoolObject *p);

/* The bytes of a key, value or record: bytes-like (C-contiguous buffer)
 * or str (encoded as UTF-8). Fills @p view (release with
 * PyBuffer_Release) and the slice. Returns 0 or -1 with TypeError. */
int pyc_get_bytes(PyObject *o, Py_buffer *view, pc_slice *s, const char *what);

/* 1 when METH_FASTCALL method @p fn got min..max positional arguments;
 * else 0 with TypeError. */
int pyc_nargs(const char *fn, Py_ssize_t n, Py_ssize_t min, Py_ssize_t max);

/* Container objects per root name (module.c). */
PyObject *pyc_registry_get(PoolObject *p, PyObject *name);
/* The live object registered for @p name when it is a @p t (a new
 * reference); NULL without an exception when there is none; NULL with
 * TypeMismatch naming @p what when it is of another type. */
PyObject *pyc_registry_typed(PoolObject *p, PyObject *name, PyTypeObject *t,
			     const char *what);
/* A new container object of type @p t for root @p name of @p p with its
 * common part filled; the caller fills the rest, then registers it. */
void *pyc_cont_alloc(PyTypeObject *t, PoolObject *p, PyObject *name);
void pyc_cont_dealloc(ContObject *o);
PyObject *pyc_cont_get_name(ContObject *o, void *unused);
PyObject *pyc_cont_get_pool(ContObject *o, void *unused);
/* check(): the container's consistency check (every type has it). */
PyObject *pyc_cont_check_meth(ContObject *o, PyObject *unused);
#define PYC_CONT_CHECK_METHOD                                                \
	{                                                                    \
		"check", (PyCFunction)pyc_cont_check_meth, METH_NOARGS,      \
			"check()\n--\n\nVerify the container's invariants; " \
			"CorruptError names what is wrong."                  \
	}

/* The getset entries every container type has. */
#define PYC_CONT_GETSET                                                    \
	{"name", (getter)pyc_cont_get_name, NULL, "The root name.", NULL}, \
	{                                                                  \
		"pool", (getter)pyc_cont_get_pool, NULL, "The pool.", NULL \
	}
int pyc_registry_add(PoolObject *p, ContObject *o, int created);
void pyc_registry_drop(PoolObject *p, ContObject *o, int why);

/* Mode for creating a root: PC_OPEN when it must exist. Runs the root
 * function once or twice so that the caller learns whether it created
 * the root (created objects of an aborted transaction die with it). */
typedef pc_err (*pyc_root_fn)(pc_pool *pool, const char *name,
			      pc_open_mode mode, void *arg);
int pyc_obtain_root(PoolObject *p, const char *name, int create, pyc_root_fn fn,
		    void *arg, int *created);

/* Constructors used by Pool methods. */
PyObject *pyc_map_open(PoolObject *p, PyObject *name, int create);
PyObject *pyc_vec_open(PoolObject *p, PyObject *name, int typecode, int create);
PyObject *pyc_log_open(PoolObject *p, PyObject *name, Py_ssize_t capacity,
		       int create);
PyObject *pyc_blk_open(PoolObject *p, PyObject *name, Py_ssize_t bsize,
		       Py_ssize_t nblock, int create);

/* Vector exports (vec.c): release every view() of @p v; 0 when no buffer
 * of it remains exported, else -1 with BufferError naming @p why. */
int pyc_vec_drop_views(VecObject *v, const char *why);

/* Per-type checks for pool.check() and deletion. */
pc_err pyc_cont_check(ContObject *o);
pc_err pyc_cont_free(ContObject *o);

int pyc_add_types(PyObject *module);

#endif /* PCOLL_PY_PYC_H */
