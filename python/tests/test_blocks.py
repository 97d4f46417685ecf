# SPDX-License-Identifier: BSD-3-Clause
"""pcoll.Blocks: read, write, set_zero, set_error, sizes, bad arguments,
a full pool, persistence."""
import errno

import pytest

import pcoll


def test_read_write(pool):
    b = pool.blocks("b", 512, 100)
    assert b.bsize == 512 and b.nblock == 100 and len(b) == 100
    assert b.read(0) == b"\0" * 512        # never written: zeros
    b.write(3, b"x" * 512)
    b.write(4, "short")                    # padded with zeros
    assert b.read(3) == b"x" * 512
    assert b.read(4) == b"short" + b"\0" * 507
    b[5] = bytearray(b"y" * 10)
    assert b[5][:11] == b"y" * 10 + b"\0"
    buf = bytearray(600)
    assert b.readinto(3, buf) == 512 and buf[:512] == b"x" * 512
    with pytest.raises(ValueError):
        b.readinto(3, bytearray(100))
    with pytest.raises(TypeError):
        b.readinto(3, b"immutable" * 100)


def test_set_zero_and_set_error(pool):
    b = pool.blocks("b", 64, 10)
    b.write(1, b"a" * 64)
    b.set_zero(1)
    assert b.read(1) == b"\0" * 64
    b.write(2, b"b" * 64)
    b.set_error(2)
    with pytest.raises(pcoll.BadBlockError) as ei:
        b.read(2)
    assert ei.value.errno == errno.EIO
    with pytest.raises(pcoll.BadBlockError):
        b.readinto(2, bytearray(64))
    b.write(2, b"c")                       # a write clears the mark
    assert b.read(2)[:1] == b"c"
    b.write(3, b"d")
    del b[3]
    assert b.read(3) == b"\0" * 64


def test_block_numbers(pool):
    b = pool.blocks("b", 64, 10)
    for bad in (10, 1 << 70, -1):
        with pytest.raises(pcoll.RangeError) as ei:
            b.read(bad)
        assert isinstance(ei.value, IndexError)
        with pytest.raises(IndexError):
            b.write(bad, b"x")
        with pytest.raises(IndexError):
            b.set_zero(bad)
        with pytest.raises(IndexError):
            b.set_error(bad)
    for bad in ("1", 1.0, None):
        with pytest.raises(TypeError):
            b.read(bad)
    with pytest.raises(ValueError, match="do not fit"):
        b.write(0, b"z" * 65)
    with pytest.raises(TypeError):
        b.write(0, 5)
    assert b.read(0) == b"\0" * 64


def test_sizes_at_creation_and_open(pool_path):
    with pcoll.Pool.create(pool_path, 16 << 20) as pool:
        with pytest.raises(ValueError, match="needs bsize"):
            pool.blocks("b")
        with pytest.raises(ValueError):
            pool.blocks("b", 0)
        with pytest.raises(ValueError):
            pool.blocks("b", -512)
        with pytest.raises(ValueError):
            pool.blocks("b", 512, -1)
        with pytest.raises(pcoll.InvalidError):
            pool.blocks("b", pcoll.BSIZE_MAX + 1, 1)
        with pytest.raises(pcoll.FullError):
            pool.blocks("b", 4096, 1 << 20)     # 4 GiB in 16 MiB
        assert pool.roots() == {}
        b = pool.blocks("b", 100)               # as many as fit
        assert b.nblock > 1000
        b.write(7, b"seven")
    with pcoll.Pool.open(pool_path) as pool:
        with pytest.raises(pcoll.TypeMismatch):
            pool.blocks("b", 512)
        b = pool.blocks("b")
        assert b.bsize == 100
        assert pool.blocks("b", 100) is b
        with pytest.raises(pcoll.TypeMismatch):
            pool.blocks("b", 200)
        assert b.read(7)[:5] == b"seven"
        b.check()


def test_full_pool(pool_path):
    with pcoll.Pool.create(pool_path, pcoll.POOL_MIN_SIZE) as pool:
        b = pool.blocks("b", 4096)
        n = b.nblock
        for i in range(n):
            b.write(i, bytes([i % 256]) * 4096)
        for i in range(n):
            assert b.read(i) == bytes([i % 256]) * 4096
        b.check()


def test_persistence(pool_path):
    with pcoll.Pool.create(pool_path, 16 << 20) as pool:
        b = pool.blocks("b", 256, 64)
        for i in range(64):
            b.write(i, bytes([i]) * 256)
        b.set_error(5)
    with pcoll.Pool.open(pool_path) as pool:
        b = pool.blocks("b", 256, create=False)
        for i in range(64):
            if i == 5:
                with pytest.raises(pcoll.BadBlockError):
                    b.read(i)
            else:
                assert b.read(i) == bytes([i]) * 256
        b.check()
