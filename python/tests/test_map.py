# SPDX-License-Identifier: BSD-3-Clause
"""pcoll.Map: the dict protocol, order, ranges, counts, views, iteration
while changing, bad arguments, a full pool, persistence."""
import collections.abc
import os
import random

import pytest

import pcoll


def test_dict_protocol(pool):
    m = pool.map("m")
    assert isinstance(m, collections.abc.MutableMapping)
    assert len(m) == 0 and not m
    m[b"a"] = b"1"
    m["b"] = "zwei"                      # str is stored as UTF-8
    m[bytearray(b"c")] = memoryview(b"3")
    assert m
    assert len(m) == 3
    assert m["a"] == b"1" and m[b"b"] == b"zwei" and m[b"c"] == b"3"
    assert "a" in m and b"b" in m and "z" not in m
    m["a"] = b"one"                      # replace
    assert m["a"] == b"one" and len(m) == 3
    del m["b"]
    assert "b" not in m and len(m) == 2
    with pytest.raises(KeyError) as ei:
        m["b"]
    assert ei.value.args == ("b",)
    with pytest.raises(KeyError):
        del m["b"]
    assert list(m) == [b"a", b"c"]
    assert dict(m) == {b"a": b"one", b"c": b"3"}


def test_returned_values_are_copies(pool):
    m = pool.map("m")
    m["k"] = b"x" * 100
    v = m["k"]
    m["k"] = b"y" * 100
    del m["k"]
    assert v == b"x" * 100
    assert type(v) is bytes


def test_get_pop_popitem_setdefault(pool):
    m = pool.map("m")
    assert m.get("x") is None
    assert m.get("x", b"d") == b"d"
    m["x"] = b"1"
    assert m.get("x", b"d") == b"1"
    assert m.pop("x") == b"1"
    assert "x" not in m
    assert m.pop("x", None) is None
    with pytest.raises(KeyError):
        m.pop("x")
    assert m.setdefault("s", b"first") == b"first"
    assert m.setdefault("s", b"second") == b"first"
    with pytest.raises(TypeError):
        m.setdefault("t")                # None is not a value
    assert "t" not in m
    m.update({"a": b"1", "z": b"26"})
    assert m.popitem() == (b"z", b"26")  # the largest key
    with pytest.raises(TypeError):
        m.get()
    with pytest.raises(TypeError):
        m.get(1, 2, 3)
    m.clear()
    with pytest.raises(KeyError):
        m.popitem()


def test_update_forms_and_atomicity(pool):
    m = pool.map("m")
    m.update({"a": b"1"}, b=b"2")
    m.update([(b"c", b"3"), ("d", "4")])

    class Mapping:
        def keys(self):
            return ["e"]

        def __getitem__(self, k):
            return b"5"
    m.update(Mapping())
    assert dict(m.items()) == {b"a": b"1", b"b": b"2", b"c": b"3",
                               b"d": b"4", b"e": b"5"}
    before = dict(m.items())
    with pytest.raises(TypeError):
        m.update([(b"x", b"1"), (b"y", 2)])      # a bad value: nothing put
    with pytest.raises(ValueError):
        m.update([(b"x", b"1"), (b"y",)])
    with pytest.raises(TypeError):
        m.update(42)
    assert dict(m.items()) == before


def test_key_order(pool):
    m = pool.map("m")
    keys = [b"", b"\x00", b"\x00\x00", b"a", b"ab", b"abc", b"b",
            b"\x7f", b"\x80", b"\xff", b"\xff\xff", "é".encode()]
    shuffled = keys[:]
    random.Random(1).shuffle(shuffled)
    for k in shuffled:
        m[k] = k
    assert list(m) == sorted(keys)
    assert list(m.values()) == sorted(keys)
    assert list(reversed(m)) == sorted(keys, reverse=True)
    assert list(reversed(m.items()))[0] == (b"\xff\xff", b"\xff\xff")


def test_long_and_empty_values(pool):
    m = pool.map("m")
    m[b""] = b""
    m["23"] = b"x" * 23                  # inline
    m["24"] = b"y" * 24                  # out of line
    m["big"] = bytes(range(256)) * 4096  # 1 MiB
    m["k" * 1000] = b"long key"
    assert m[b""] == b""
    assert m["23"] == b"x" * 23
    assert m["24"] == b"y" * 24
    assert m["big"] == bytes(range(256)) * 4096
    assert m["k" * 1000] == b"long key"
    pool.check()


def test_range(pool):
    m = pool.map("m")
    for i in range(100):
        m[b"%03d" % i] = b"v%d" % i
    def keys(*a, **kw):
        return [k for k, _ in m.range(*a, **kw)]
    assert keys() == [b"%03d" % i for i in range(100)]
    assert keys(b"010", b"015") == [b"010", b"011", b"012", b"013", b"014"]
    assert keys(b"010", b"015", inclusive=(False, True)) == \
        [b"011", b"012", b"013", b"014", b"015"]
    assert keys(b"010", b"013", inclusive=(True, True), reverse=True) == \
        [b"013", b"012", b"011", b"010"]
    assert keys("095") == [b"095", b"096", b"097", b"098", b"099"]
    assert keys(None, "003") == [b"000", b"001", b"002"]
    assert keys(hi="003", reverse=True) == [b"002", b"001", b"000"]
    assert keys(b"050", b"040") == []
    assert keys(b"050", b"050") == []
    assert keys(b"050", b"050", inclusive=(True, True)) == [b"050"]
    assert keys(b"0105", b"012") == [b"011"]
    assert next(m.range(b"050")) == (b"050", b"v50")
    with pytest.raises(TypeError):
        m.range(1, 2)
    with pytest.raises(TypeError):
        m.range(inclusive=True)
    with pytest.raises(TypeError):
        m.range(inclusive=(True,))


def test_counts(pool):
    m = pool.map("m")
    for i in range(1, 11):
        m[b"%02d" % i] = b""
    assert m.count_all() == 10 == len(m)
    assert m.count_above(b"05") == 5
    assert m.count_below(b"05") == 4
    assert m.count_between(b"02", b"06") == 3
    assert m.count_between(b"06", b"02") == 0
    assert m.count_above("99") == 0
    assert m.count_below("") == 0
    with pytest.raises(TypeError):
        m.count_above(5)


def test_views(pool):
    m = pool.map("m")
    ks, vs, its = m.keys(), m.values(), m.items()
    m.update({b"a": b"1", b"b": b"2"})
    assert len(ks) == len(vs) == len(its) == 2     # views follow the map
    assert b"a" in ks and b"z" not in ks
    assert b"2" in vs and b"9" not in vs
    assert (b"a", b"1") in its and (b"a", b"2") not in its
    assert ("a", b"1") in its
    assert 5 not in its and (1,) not in its
    assert list(its) == [(b"a", b"1"), (b"b", b"2")]
    assert list(reversed(vs)) == [b"2", b"1"]
    assert "keys" in repr(ks)


def test_iterate_while_changing(pool):
    m = pool.map("m")
    for i in range(0, 200, 2):
        m[b"%03d" % i] = b"x"
    seen = []
    for k in m:
        seen.append(k)
        i = int(k)
        if i % 4 == 0:
            del m[k]                        # remove the current key
        if i < 100:
            m[b"%03d" % (i + 1)] = b"y"     # insert just after it
    # every original key once, in order, and the inserted ones after
    # their predecessor
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert [k for k in seen if int(k) % 2 == 0] == \
        [b"%03d" % i for i in range(0, 200, 2)]
    assert b"001" in seen and b"099" in seen
    # reverse too
    it = m.range(reverse=True)
    first = next(it)
    m.clear()
    m[b"000"] = b"z"
    assert list(it) == [(b"000", b"z")]
    assert first[0] == b"198"


def test_iterator_across_abort(pool):
    m = pool.map("m")
    for i in range(10):
        m[b"%d" % i] = b""
    it = iter(m)
    assert next(it) == b"0"
    with pytest.raises(KeyError):
        with pool.transaction():
            del m[b"1"]
            raise KeyError()
    assert list(it) == [b"%d" % i for i in range(1, 10)]


def test_bad_arguments(pool):
    m = pool.map("m")
    for bad in (1, 1.5, None, [b"x"], object()):
        with pytest.raises(TypeError):
            m[bad] = b"v"
        with pytest.raises(TypeError):
            m[b"k"] = bad
        with pytest.raises(TypeError):
            m[bad]
        with pytest.raises(TypeError):
            bad in m
    with pytest.raises(UnicodeEncodeError):
        m["\udc80"] = b"v"
    assert len(m) == 0


def test_value_over_the_limit(pool):
    m = pool.map("m")
    big = memoryview(bytearray(1))  # the size check happens before use
    m["k"] = big
    with pytest.raises(pcoll.InvalidError) as ei:
        m["huge"] = b"\0" * (pcoll.BYTES_MAX + 1)
    assert ei.value.name == "PC_E_TOOBIG"
    assert "huge" not in m


def test_full_pool_loses_nothing(pool_path):
    with pcoll.Pool.create(pool_path, pcoll.POOL_MIN_SIZE) as pool:
        m = pool.map("m")
        n = 0
        with pytest.raises(pcoll.FullError):
            while True:
                m[b"%06d" % n] = bytes([n % 256]) * 1000
                n += 1
        for i in range(n):
            assert m[b"%06d" % i] == bytes([i % 256]) * 1000
        assert len(m) == n
        pool.check()


def test_persistence_and_check(pool_path):
    rnd = random.Random(7)
    ref = {}
    with pcoll.Pool.create(pool_path, 64 << 20) as pool:
        m = pool.map("m")
        for _ in range(20000):
            k = rnd.randbytes(rnd.randrange(1, 40))
            if ref and rnd.random() < 0.3:
                k = rnd.choice(list(ref))
                del m[k]
                del ref[k]
            else:
                v = rnd.randbytes(rnd.randrange(0, 120))
                m[k] = v
                ref[k] = v
        pool.check()
    with pcoll.Pool.open(pool_path) as pool:
        m = pool.map("m", create=False)
        assert dict(m.items()) == ref
        assert list(m) == sorted(ref)
        m.check()


def test_persistence_path_matches_environment(pool):
    # the python suite runs on emulated pmem (flush instructions), the
    # python-msync suite on the msync path
    force = os.environ.get("PMEM_IS_PMEM_FORCE")
    if force is None:
        pytest.skip("PMEM_IS_PMEM_FORCE not set")
    assert pool.is_pmem == (force == "1")
