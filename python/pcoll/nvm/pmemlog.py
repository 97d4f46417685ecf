# SPDX-License-Identifier: BSD-3-Clause
"""pynvm's ``nvm.pmemlog`` (libpmemlog's pmem-resident log file) on PLOG.

::

    from pcoll.nvm import pmemlog
    log = pmemlog.create("/dev/shm/my.pmemlog")
    log.append("persistent logging!")
    log.walk(lambda data: print(data) or 1)
    log.close()

Differences from pynvm with libpmemlog: the pool file is a pcoll pool
(the same as pcoll's C compat header makes); pools are at least
``pcoll.POOL_MIN_SIZE`` (8 MiB, libpmemobj's minimum: smaller requests
from libpmemlog's 2 MiB are rounded up; the log's first chunk takes the
pool's free space);
nbyte() is the log's capacity plus the pool's free space; walk() passes
every chunk whole as bytes (pynvm cut it at the first NUL byte) and lets
an exception of the callback propagate; errors are :class:`NvmError`
(a RuntimeError, as in pynvm, and an OSError with libpmemlog's errno).
"""
import errno as _errno
import os as _os

import pcoll as _pcoll
from pcoll.nvm import NvmError, _check_version, _invalid, _raise

__all__ = ["LogPool", "create", "open", "check", "check_version", "NvmError",
           "MIN_POOL", "ROOT"]

#: Smallest pool create() accepts (libpmemlog's PMEMLOG_MIN_POOL).
MIN_POOL = 2 * 1024 * 1024
#: The PLOG root of a log pool (as in pcoll/compat/pmemlog.h).
ROOT = "pmemlog"
#: Smallest first chunk a new log is given when the pool has room (as in
#: pcoll/compat/pmemlog.h); a new log takes the pool's free space, and
#: grows as needed.
FIRST_CHUNK = 1024 * 1024
#: The smallest first chunk tried (pcoll's PLOG_MIN_CAPACITY).
_SMALLEST_CHUNK = 4096

_open = open


class LogPool(object):
    """A log pool made by :func:`create` or :func:`open`."""

    def __init__(self, pool, log):
        self._pool = pool
        self._log = log

    def close(self):
        """Close the pool; the log lives on in its file."""
        self._pool.close()

    def __len__(self):
        return self.nbyte()

    def nbyte(self):
        """Usable space: the log's capacity plus the pool's free space."""
        try:
            return self._log.nbyte() + self._pool.stats()["free"]
        except _pcoll.Error as e:
            _raise(e, _errno.ENOSPC)

    def rewind(self):
        """Empty the log; the next append starts it again."""
        try:
            self._log.rewind()
        except _pcoll.Error as e:
            _raise(e, _errno.ENOSPC)

    def tell(self):
        """Bytes of data in the log (the sum of the appended lengths)."""
        try:
            return self._log.tell()
        except _pcoll.Error as e:
            _raise(e, _errno.ENOSPC)

    def append(self, buf):
        """Append buf (bytes-like or str, as UTF-8) atomically; returns 0.
        A full pool raises NvmError with errno ENOSPC."""
        try:
            self._log.append(buf)
        except _pcoll.Error as e:
            _raise(e, _errno.ENOSPC)
        return 0

    def walk(self, func, chunk_size=0):
        """Call func(bytes) for each chunk_size piece of the log's data, or
        once with all of it when chunk_size is 0 (also for an empty log).
        func returns a true value to go on, a false one (0) to stop."""
        if chunk_size < 0:
            raise _invalid("walk: negative chunk size %d" % chunk_size)

        def step(data):
            return bool(func(data))
        try:
            if chunk_size == 0:
                total = self._log.tell()
                if total == 0:
                    func(b"")
                    return
                chunk_size = total
            self._log.walk(step, chunk_size)
        except _pcoll.Error as e:
            _raise(e, _errno.ENOSPC)


def check_version(major_required, minor_required):
    """True when this module provides libpmemlog's API 1.1 or the
    asked-for older minor; RuntimeError otherwise."""
    return _check_version("libpmemlog", major_required, minor_required)


def check(filename):
    """True when the file is a consistent log pool (it must be closed)."""
    try:
        _pcoll.check(filename)
        with _pcoll.Pool.open(filename) as pool:
            pool.log(ROOT, create=False).check()
        return True
    except (_pcoll.Error, OSError):
        return False


def open(filename):
    """Open the log pool in filename."""
    try:
        pool = _pcoll.Pool.open(filename)
    except _pcoll.Error as e:
        _raise(e, _errno.ENOSPC)
    try:
        return LogPool(pool, pool.log(ROOT, create=False))
    except _pcoll.Error as e:
        pool.close()
        if isinstance(e, (_pcoll.NotFoundError, _pcoll.TypeMismatch)):
            raise _invalid("%s: not a log pool (%s)" % (filename, e)) from e
        _raise(e, _errno.ENOSPC)


def create(filename, pool_size=MIN_POOL, mode=0o666):
    """Create a log pool of pool_size bytes in filename (which must not
    exist)."""
    if pool_size < MIN_POOL:
        raise _invalid("create: pool size %d is below %d" %
                       (pool_size, MIN_POOL))
    try:
        pool = _pcoll.Pool.create(filename,
                                  max(pool_size, _pcoll.POOL_MIN_SIZE),
                                  mode=mode)
    except _pcoll.Error as e:
        _raise(e, _errno.ENOSPC)
    # The log fills its pool, as libpmemlog's does: its first chunk is
    # the pool's free space less room for its header (a quarter of that,
    # and so on, when it does not fit).
    try:
        chunk = max(FIRST_CHUNK, pool.stats()["free"] - FIRST_CHUNK // 2)
    except _pcoll.Error:
        chunk = FIRST_CHUNK
    while True:
        try:
            return LogPool(pool, pool.log(ROOT, capacity=chunk))
        except _pcoll.FullError as e:
            if chunk // 4 >= _SMALLEST_CHUNK:
                chunk //= 4
                continue
            err = e
        except _pcoll.Error as e:
            err = e
        # The pool was made by this call: a failed create leaves no file.
        pool.close()
        _os.remove(filename)
        _raise(err, _errno.ENOSPC)
