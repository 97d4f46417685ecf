# SPDX-License-Identifier: BSD-3-Clause
"""pcoll.Log: append, appendv, iteration, walk, tell/nbyte/count, rewind,
packed, bad arguments, a full pool, persistence."""
import pytest

import pcoll


def test_append_iterate_and_sizes(pool):
    lg = pool.log("l")
    assert len(lg) == 0 and lg.tell() == 0 and list(lg) == []
    assert lg.nbyte() >= 65536
    lg.append(b"one")
    lg.append("two")                       # str as UTF-8
    lg.append(bytearray(b"three"))
    lg.append(b"")                         # empty records count
    assert list(lg) == [b"one", b"two", b"three", b""]
    assert len(lg) == 4 == lg.count()
    assert lg.tell() == 11


def test_appendv_all_or_none(pool):
    lg = pool.log("l")
    lg.appendv([b"a", "b", memoryview(b"c")])
    assert list(lg) == [b"a", b"b", b"c"]
    with pytest.raises(TypeError):
        lg.appendv([b"d", 5, b"e"])        # a bad record: none appended
    with pytest.raises(TypeError):
        lg.appendv(5)
    lg.appendv([])
    assert list(lg) == [b"a", b"b", b"c"]


def test_walk_records_and_chunks(pool):
    lg = pool.log("l")
    lg.appendv([b"abc", b"defg", b"h"])
    got = []
    assert lg.walk(got.append) is None
    assert got == [b"abc", b"defg", b"h"]
    got = []
    lg.walk(got.append, chunk=3)           # libpmemlog's chunked walk
    assert got == [b"abc", b"def", b"gh"]
    got = []
    lg.walk(lambda d: got.append(d) or len(got) < 2)  # False stops
    assert got == [b"abc", b"defg"]
    got = []
    lg.walk(lambda d: got.append(d) or 0, chunk=2)    # 0 stops too
    assert got == [b"ab"]

    def boom(d):
        raise ZeroDivisionError()
    with pytest.raises(ZeroDivisionError):
        lg.walk(boom)
    with pytest.raises(TypeError):
        lg.walk(5)
    with pytest.raises(ValueError):
        lg.walk(got.append, chunk=-1)


def test_walk_may_append_but_not_rewind(pool):
    lg = pool.log("l")
    lg.appendv([b"1", b"2"])

    def cb(d):
        lg.append(b"x" + d)
        with pytest.raises(pcoll.BusyError):
            lg.rewind()
        with pytest.raises(pcoll.BusyError):
            pool.close()
        with pytest.raises(pcoll.BusyError):
            pool.delete("l")
    lg.walk(cb)
    assert list(lg) == [b"1", b"2", b"x1", b"x2"]


def test_iteration_in_batches(pool_path):
    with pcoll.Pool.create(pool_path, 64 << 20) as pool:
        lg = pool.log("l")
        recs = [b"%07d" % i for i in range(70000)]
        for i in range(0, len(recs), 1000):
            lg.appendv(recs[i:i + 1000])
        it = iter(lg)
        assert next(it) == recs[0]
        lg.append(b"later")                # after the iterator started
        assert list(it) == recs[1:]
        assert len(lg) == 70001


def test_iteration_resumes_where_it_stopped(pool):
    lg = pool.log("l")
    recs = [bytes([i % 251]) * (i % 3000) for i in range(2000)]
    lg.appendv(recs[:1000])
    for r in recs[1000:]:                  # single appends, large ones too
        lg.append(r)
    it = iter(lg)
    got = [next(it) for _ in range(300)]   # more than the first batch
    lg.append(b"after")                    # not in this iteration
    got += list(it)
    assert got == recs
    # A rewind between two batches: the next refill says so.
    it = iter(lg)
    for _ in range(256):                   # exactly the first batch
        next(it)
    pool.log("l").rewind()
    with pytest.raises(RuntimeError, match="rewound"):
        next(it)


def test_rewind(pool):
    lg = pool.log("l")
    lg.appendv([b"x" * 100] * 50)
    cap = lg.nbyte()
    it = iter(lg)
    next(it)
    lg.rewind()
    assert len(lg) == 0 and lg.tell() == 0 and list(lg) == []
    assert lg.nbyte() == cap               # chunks are kept
    with pytest.raises(RuntimeError, match="rewound"):
        list(it)
    lg.append(b"new")
    assert list(lg) == [b"new"]


def test_packed(pool):
    lg = pool.log("l")
    assert lg.packed is False
    lg.packed = True
    lg.appendv([b"a"])
    for i in range(100):
        lg.append(b"%d" % i)
    lg.packed = False
    lg.append(b"end")
    assert list(lg) == [b"a"] + [b"%d" % i for i in range(100)] + [b"end"]
    lg.check()


def test_full_pool_loses_nothing(pool_path):
    with pcoll.Pool.create(pool_path, pcoll.POOL_MIN_SIZE) as pool:
        lg = pool.log("l", capacity=4096)
        n = 0
        with pytest.raises(pcoll.FullError):
            while True:
                lg.append(b"%08d" % n + b"." * 1000)
                n += 1
        assert len(lg) == n
        assert [r[:8] for r in lg] == [b"%08d" % i for i in range(n)]
        lg.check()


def test_bad_arguments(pool):
    lg = pool.log("l")
    for bad in (None, 5, [b"x"], object()):
        with pytest.raises(TypeError):
            lg.append(bad)
    with pytest.raises(ValueError):
        pool.log("l2", capacity=-1)
    with pytest.raises(TypeError):
        pool.log("l3", capacity="big")
    assert list(lg) == []


def test_persistence(pool_path):
    with pcoll.Pool.create(pool_path, 16 << 20) as pool:
        lg = pool.log("l")
        for i in range(1000):
            lg.append(b"r%d" % i)
    with pcoll.Pool.open(pool_path) as pool:
        lg = pool.log("l", create=False)
        assert list(lg) == [b"r%d" % i for i in range(1000)]
        lg.check()
