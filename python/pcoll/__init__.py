# SPDX-License-Identifier: BSD-3-Clause
"""pcoll: typed containers in persistent memory, for Python.

A pool is a file (on a DAX file system, on tmpfs with PMEM_IS_PMEM_FORCE=1,
or anywhere, with msync) holding named containers::

    import pcoll
    with pcoll.Pool.open_or_create("/dev/shm/app.pool", 64 << 20) as pool:
        m = pool.map("users")            # ordered map of byte strings
        m["alice"] = b"admin"            # durable when the call returns
        v = pool.vector("scores", "d")   # vector of doubles
        v.append(1.5)
        with pool.transaction():         # all or nothing
            m["bob"] = b"user"
            v.append(2.5)

Containers: :class:`Map` (PMAP(bytes, bytes)), :class:`Vector` (PVEC(T)
for the array module's numeric typecodes), :class:`Log` (PLOG, the
libpmemlog replacement), :class:`Blocks` (PBLKARR, the libpmemblk
replacement). Errors are :class:`Error` subclasses. The compatibility
modules :mod:`pcoll.pmemkv`, :mod:`pcoll.nvm.pmemlog` and
:mod:`pcoll.nvm.pmemblk` offer the APIs of pmemkv-python and pynvm.
See docs/python.md.
"""
import collections.abc as _abc

from ._errors import (  # noqa: F401
    Error, FullError, TypeMismatch, CorruptError, BusyError, NotFoundError,
    PoolNotFoundError, ExistsError, PoolExistsError, RangeError,
    InvalidError, TransactionError, ClosedError, BadBlockError, FormatError,
    NoMemoryError,
)
from ._pcoll import (  # noqa: F401
    Pool, Transaction, Map, MapView, MapIterator, Vector, VectorIterator,
    Log, LogIterator, Blocks, check, error_names,
    POOL_MIN_SIZE, NAME_MAX, BYTES_MAX, RECORD_MAX, BSIZE_MAX, TYPECODES,
    PCOLL_VERSION,
)

__version__ = PCOLL_VERSION

_abc.MutableMapping.register(Map)
_abc.MutableSequence.register(Vector)

__all__ = [
    "Pool", "Transaction", "Map", "MapView", "MapIterator", "Vector",
    "VectorIterator", "Log", "LogIterator", "Blocks", "check",
    "error_names", "POOL_MIN_SIZE", "NAME_MAX", "BYTES_MAX", "RECORD_MAX",
    "BSIZE_MAX", "TYPECODES", "Error", "FullError", "TypeMismatch",
    "CorruptError", "BusyError", "NotFoundError", "PoolNotFoundError",
    "ExistsError", "PoolExistsError", "RangeError", "InvalidError",
    "TransactionError", "ClosedError", "BadBlockError", "FormatError",
    "NoMemoryError",
]
