# SPDX-License-Identifier: BSD-3-Clause
"""Reference counting: 100,000 calls of each kind leak no object, no
reference to their arguments and no memory.

sys.getallocatedblocks() counts the objects and PyMem blocks alive: a
call that leaked one would leave 100,000 behind (the threshold is 1,000:
free lists keep some). The arguments' reference
counts must come back to where they were. The process's resident size
catches leaks of malloc'd memory (the C layer's scratch buffers)."""
import gc
import sys

import pytest

import pcoll

N = 100_000


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4


def no_leak(fn, *args, n=N):
    for _ in range(100):
        fn(*args)
    gc.collect()
    # None, small ints and the like are shared by the whole interpreter
    tracked = [a for a in args if sys.getrefcount(a) < 1000]
    refs = [sys.getrefcount(a) for a in tracked]
    blocks = sys.getallocatedblocks()
    rss = rss_kib()
    for _ in range(n):
        fn(*args)
    gc.collect()
    grown = sys.getallocatedblocks() - blocks
    # free lists (floats, tuples) keep up to ~100 blocks each; a leak of
    # one block per call would leave N
    assert grown < 1000, "%d blocks left by %d calls of %s" % (grown, n, fn)
    assert [sys.getrefcount(a) for a in tracked] == refs
    assert rss_kib() - rss < 8192, "resident size grew by %d KiB" % (
        rss_kib() - rss)


def raises(exc, fn, *args):
    try:
        fn(*args)
    except exc:
        return
    raise AssertionError("no %s" % exc)


@pytest.fixture
def big_pool(pool_path):
    p = pcoll.Pool.create(pool_path, 128 << 20)
    yield p
    gc.collect()
    p.close()


def test_map_calls(big_pool):
    m = big_pool.map("m")
    key, val, missing = b"k" * 16, b"v" * 100, b"missing"
    skey = "stringkey"
    for i in range(50):
        m[b"%02d" % i] = b"x" * 30
    no_leak(m.__setitem__, key, val)
    no_leak(m.__setitem__, skey, memoryview(val))
    no_leak(m.__getitem__, key)
    no_leak(m.get, missing)
    no_leak(m.__contains__, key)
    no_leak(raises, KeyError, m.__getitem__, missing)
    no_leak(raises, TypeError, m.__setitem__, 5, val)
    no_leak(raises, TypeError, m.__setitem__, key, None)

    def put_del(k, v):
        m[k] = v
        del m[k]
    no_leak(put_del, b"tmp" * 10, val)
    no_leak(lambda k: m.pop(k, None) or m.setdefault(k, b"d"), b"pd")
    no_leak(lambda: list(m.range(b"10", b"20")), n=N // 10)
    no_leak(lambda: list(m.items())[:3], n=N // 10)
    no_leak(lambda: sum(1 for _ in m.values()), n=N // 10)
    no_leak(m.count_between, b"10", b"20")
    no_leak(m.count_above, b"10")
    no_leak(len, m, n=N // 10)
    no_leak(m.update, {b"u1": b"1", b"u2": b"2"}, n=N // 10)
    no_leak(big_pool.map, "m")


def test_vector_calls(big_pool):
    v = big_pool.vector("v", "d")
    v.extend(range(100))
    x = 1.5

    def push_pop(a):
        v.append(a)
        v.pop()
    no_leak(push_pop, x)
    no_leak(v.__getitem__, 5)
    no_leak(v.__setitem__, 5, x)
    no_leak(v.__getitem__, slice(2, 10))
    no_leak(raises, IndexError, v.__getitem__, 1000)
    no_leak(raises, TypeError, v.append, "x")
    no_leak(v.__contains__, x)
    no_leak(v.index, x)

    def view_release():
        mv = v.view()
        mv.release()
    no_leak(view_release)

    def memoryview_release():
        with memoryview(v) as mv:
            mv[3]
    no_leak(memoryview_release)

    def ext_trunc(items):
        v.extend(items)
        del v[100:]
    no_leak(ext_trunc, [1.0, 2.0, 3.0])
    no_leak(lambda: v.tolist(), n=N // 10)
    no_leak(lambda: list(v), n=N // 10)
    no_leak(raises, pcoll.TypeMismatch, big_pool.vector, "v", "q", n=N // 10)


def test_log_and_blocks_calls(big_pool):
    lg = big_pool.log("l")
    rec = b"r" * 16
    count = [0]

    def append(r):
        lg.append(r)
        count[0] += 1
        if count[0] % 10000 == 0:
            lg.rewind()
    no_leak(append, rec)
    lg.rewind()
    lg.appendv([b"a", b"b", b"c"])
    no_leak(lambda: list(lg), n=N // 10)
    got = []
    no_leak(lambda: lg.walk(lambda d: None), n=N // 10)
    no_leak(lambda: lg.walk(got.append, 2) or got.clear(), n=N // 10)
    no_leak(raises, ZeroDivisionError, lg.walk, lambda d: 1 / 0, n=N // 10)
    b = big_pool.blocks("b", 512, 64)
    data, buf = b"d" * 512, bytearray(512)
    no_leak(b.write, 3, data)
    no_leak(b.read, 3)
    no_leak(b.readinto, 3, buf)
    b.set_error(5)
    no_leak(raises, pcoll.BadBlockError, b.read, 5)
    no_leak(raises, IndexError, b.read, 64)


def test_transactions(big_pool):
    m = big_pool.map("m")
    v = big_pool.vector("v", "q")

    def tx(k, val):
        with big_pool.transaction():
            m[k] = val
            v.append(1)
            v.pop()
    no_leak(tx, b"k", b"v" * 40, n=N // 5)

    def aborted(k):
        try:
            with big_pool.transaction():
                m[k] = b"x"
                raise LookupError(k)
        except LookupError:
            pass
    no_leak(aborted, b"k2", n=N // 5)
    assert b"k2" not in m


def test_the_check_catches_leaks():
    # a function keeping an object per call, or a reference to its
    # argument, must fail the check
    kept = []
    with pytest.raises(AssertionError, match="blocks left"):
        no_leak(lambda: kept.append(object()), n=10000)
    kept.clear()
    arg = b"argument"
    with pytest.raises(AssertionError):
        no_leak(kept.append, arg, n=10000)
    kept.clear()
    with pytest.raises(AssertionError, match="resident"):
        no_leak(lambda: kept.append(bytearray(1 << 20)), n=16)
