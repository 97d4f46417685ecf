# SPDX-License-Identifier: BSD-3-Clause
"""The exceptions of pcoll.

Every error of the library is a :class:`pcoll.Error` carrying the
``pc_err`` value of the C library (``code``), its name (``name``, for
example ``"PC_E_FULL"``) and pcoll's message with context (``message``:
the pool path, the container, what was expected and found). Subclasses
also derive from the built-in exception a Python program expects, so
``except KeyError``, ``except TypeError``, ``except FileNotFoundError``
and so on work too.
"""
import errno as _errno

__all__ = [
    "Error", "FullError", "TypeMismatch", "CorruptError", "BusyError",
    "NotFoundError", "PoolNotFoundError", "ExistsError", "PoolExistsError",
    "RangeError", "InvalidError", "TransactionError", "ClosedError",
    "BadBlockError", "FormatError", "NoMemoryError",
]


class Error(Exception):
    """Base class of pcoll's errors.

    Attributes: ``code`` (the ``pc_err`` value, an int, or None for errors
    of the Python layer), ``name`` (``"PC_E_FULL"`` ...) and ``message``
    (pcoll's message with context).
    """
    code = None
    name = None
    message = ""


class FullError(Error):
    """The pool has no room (PC_E_FULL). The container is unchanged; a
    transaction that hit it is aborted."""


class TypeMismatch(Error, TypeError):
    """A root holds another type than asked for (PC_E_TYPE), for example
    a vector of doubles opened with typecode 'q'."""


class CorruptError(Error):
    """A consistency check failed, or the pool file is damaged or cut
    short (PC_E_CORRUPT, PC_E_TRUNCATED)."""


class BusyError(Error):
    """The pool is open in another process, or the object is in use
    (a walk running, another thread's transaction) (PC_E_BUSY)."""


class NotFoundError(Error, LookupError):
    """No such root (PC_E_NOTFOUND)."""


class PoolNotFoundError(NotFoundError, FileNotFoundError):
    """The pool file does not exist (PC_E_NOTFOUND)."""


class ExistsError(Error):
    """The root already exists (PC_E_EXISTS)."""


class PoolExistsError(ExistsError, FileExistsError):
    """The pool file already exists (PC_E_EXISTS)."""


class RangeError(Error, IndexError):
    """An index or block number is past the end (PC_E_RANGE)."""


class InvalidError(Error, ValueError):
    """An argument is invalid or over a limit (PC_E_INVAL, PC_E_TOOBIG)."""


class TransactionError(Error):
    """A transaction rule was broken, or the transaction aborted
    (PC_E_NEEDTX, PC_E_INTX, PC_E_ABORTED, PC_E_ESCAPED)."""


class ClosedError(Error, ValueError):
    """The pool is closed, or the object can no longer be used (its root
    was deleted, or created by a transaction that aborted). No pc_err."""

    def __init__(self, *args):
        super().__init__(*args)
        self.message = str(args[0]) if args else ""


class BadBlockError(Error, OSError):
    """The block was marked bad with set_error() (PC_E_BADBLOCK, errno
    EIO)."""


class FormatError(Error):
    """The file is not a pool this build can open: not a libpmemobj pool,
    another program's layout, or a newer pcoll layout (PC_E_NOTPOOL,
    PC_E_LAYOUT, PC_E_VERSION)."""


class NoMemoryError(Error, MemoryError):
    """Volatile memory ran out (PC_E_NOMEM)."""


for _c in __all__:
    globals()[_c].__module__ = "pcoll"
del _c

_BY_CODE = {
    1: NotFoundError, 2: ExistsError, 3: FormatError, 4: TypeMismatch,
    5: CorruptError, 6: FullError, 7: RangeError, 8: InvalidError,
    9: BusyError, 11: TransactionError, 12: TransactionError,
    13: TransactionError, 14: TransactionError, 15: NoMemoryError,
    16: InvalidError, 17: FormatError, 18: FormatError, 19: CorruptError,
    20: BadBlockError,
}


def _set_oserror(e, num, text):
    """Fill errno and strerror of an OSError subclass that also derives
    from another exception (whose __init__ then runs instead of
    OSError's, which leaves them unset)."""
    e.errno = num
    e.strerror = text


def _from_c(code, name, message, pool_path):
    """Build the exception for pc_err ``code`` (called by the extension).

    ``pool_path`` is true when a NOTFOUND or EXISTS is about the pool file.
    """
    cls = _BY_CODE.get(code, Error)
    if pool_path and cls is NotFoundError:
        cls = PoolNotFoundError
    elif pool_path and cls is ExistsError:
        cls = PoolExistsError
    text = "%s: %s" % (name, message)
    num = {PoolNotFoundError: _errno.ENOENT, PoolExistsError: _errno.EEXIST,
           BadBlockError: _errno.EIO}.get(cls)
    if num is None:
        e = cls(text)
    else:
        e = cls(num, text)
        _set_oserror(e, num, text)
    e.code = code
    e.name = name
    e.message = message
    return e
