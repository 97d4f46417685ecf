# SPDX-License-Identifier: BSD-3-Clause
"""pynvm's ``nvm.pmemblk`` (libpmemblk's arrays of atomically written
blocks) on PBLKARR.

::

    from pcoll.nvm import pmemblk
    bp = pmemblk.create("/dev/shm/blocks.pmemblk", 256, 1 << 30)
    bp.write("persistent block!", 20)
    print(bp.read(20))
    bp.close()

Differences from pynvm with libpmemblk: the pool file is a pcoll pool (the
same as pcoll's C compat header makes); the number of blocks a pool of a
given size holds differs (docs/blkarr.md); write() takes at most bsize
bytes and pads shorter data with zeros (libpmemblk read bsize bytes from
whatever buffer it got); errors are :class:`NvmError` (a RuntimeError, as
in pynvm, and an OSError with libpmemblk's errno). As in pynvm, read()
returns the block up to its first NUL byte; pcoll.Pool.blocks() gives the
whole block.
"""
import errno as _errno

import pcoll as _pcoll
from pcoll.nvm import NvmError, _check_version, _invalid, _raise

__all__ = ["BlockPool", "create", "open", "check", "check_version",
           "NvmError", "MIN_POOL", "ROOT"]

#: Smallest pool create() accepts (libpmemblk's PMEMBLK_MIN_POOL on x86-64).
MIN_POOL = (1 << 20) * 16 + (1 << 10) * 8
#: The PBLKARR root of a block pool (as in pcoll/compat/pmemblk.h).
ROOT = "pmemblk"


def _blk_call(fn, *args):
    try:
        return fn(*args)
    except _pcoll.RangeError as e:
        raise _invalid(str(e)) from e
    except _pcoll.Error as e:
        _raise(e, _errno.ENOMEM)
    except ValueError as e:          # data longer than a block
        raise _invalid(str(e)) from e


class BlockPool(object):
    """A block pool made by :func:`create` or :func:`open`."""

    def __init__(self, pool, blocks):
        self._pool = pool
        self._blocks = blocks
        self.block_size = blocks.bsize

    def close(self):
        """Close the pool; the blocks live on in its file."""
        self._pool.close()

    def bsize(self):
        """The block size given to create()."""
        return _blk_call(lambda: self._blocks.bsize)

    def nblock(self):
        """The number of blocks."""
        return _blk_call(lambda: self._blocks.nblock)

    def read(self, block_num):
        """Block block_num up to its first NUL byte (pynvm's behaviour: a
        block never written reads as b"")."""
        data = _blk_call(self._blocks.read, block_num)
        end = data.find(b"\0")
        return data if end < 0 else data[:end]

    def write(self, data, block_num):
        """Write data (at most bsize bytes, padded with zeros; str as
        UTF-8) to block block_num atomically; returns 0."""
        _blk_call(self._blocks.write, block_num, data)
        return 0

    def set_zero(self, block_num):
        """Make block block_num read as zeros; returns 0."""
        _blk_call(self._blocks.set_zero, block_num)
        return 0

    def set_error(self, block_num):
        """Mark block block_num bad (reads raise errno EIO until it is
        written); returns 0."""
        _blk_call(self._blocks.set_error, block_num)
        return 0


def check_version(major_required, minor_required):
    """True when this module provides libpmemblk's API 1.1 or the
    asked-for older minor; RuntimeError otherwise."""
    return _check_version("libpmemblk", major_required, minor_required)


def _open_blocks(pool, filename, block_size):
    try:
        return BlockPool(pool, pool.blocks(ROOT, bsize=block_size or None,
                                           create=False))
    except _pcoll.Error as e:
        pool.close()
        if isinstance(e, (_pcoll.NotFoundError, _pcoll.TypeMismatch)):
            raise _invalid("%s: not a block pool of block size %s (%s)" %
                           (filename, block_size or "any", e)) from e
        _raise(e, _errno.ENOMEM)


def check(filename, block_size=0):
    """True when the file is a consistent block pool (of block_size, when
    not 0); it must be closed."""
    try:
        _pcoll.check(filename)
        with _pcoll.Pool.open(filename) as pool:
            pool.blocks(ROOT, bsize=block_size or None,
                        create=False).check()
        return True
    except (_pcoll.Error, OSError):
        return False


def open(filename, block_size=0):
    """Open the block pool in filename; a nonzero block_size must match."""
    if block_size < 0:
        raise _invalid("open: negative block size %d" % block_size)
    try:
        pool = _pcoll.Pool.open(filename)
    except _pcoll.Error as e:
        _raise(e, _errno.ENOMEM)
    return _open_blocks(pool, filename, block_size)


def create(filename, block_size, pool_size=1024 * 1024 * 2, mode=0o666):
    """Create a block pool of pool_size bytes (at least MIN_POOL) in
    filename with as many blocks of block_size bytes as fit."""
    if block_size <= 0 or pool_size < MIN_POOL:
        raise _invalid("create: %s: block size %d, pool size %d (the "
                       "minimum is %d)" % (filename, block_size, pool_size,
                                           MIN_POOL))
    try:
        pool = _pcoll.Pool.create(filename, pool_size, mode=mode)
    except _pcoll.Error as e:
        _raise(e, _errno.ENOMEM)
    try:
        return BlockPool(pool, pool.blocks(ROOT, bsize=block_size))
    except _pcoll.Error as e:
        pool.close()
        _raise(e, _errno.ENOMEM)
