# SPDX-License-Identifier: BSD-3-Clause
"""pcoll.Pool: creating, opening, closing, roots, growable pools and the
errors of each."""
import errno
import os
import pathlib

import pytest

import pcoll

MB = 1 << 20


def test_create_open_and_data_survives(pool_path):
    with pcoll.Pool.create(pool_path, 16 * MB) as pool:
        assert not pool.closed
        assert pool.path == pool_path
        pool.map("m")["k"] = b"v"
    assert pool.closed
    with pcoll.Pool.open(pool_path) as pool:
        assert pool.map("m", create=False)["k"] == b"v"


def test_open_or_create(pool_path):
    with pcoll.Pool.open_or_create(pool_path, 16 * MB) as pool:
        pool.vector("v", "q").append(7)
    with pcoll.Pool.open_or_create(pool_path, 16 * MB) as pool:
        assert pool.vector("v").tolist() == [7]


def test_pathlike_path(pool_dir):
    p = pathlib.Path(pool_dir) / "p.pool"
    with pcoll.Pool.create(p, 16 * MB) as pool:
        assert pool.path == str(p)
    assert p.exists()


def test_create_existing_file_fails(pool_path):
    pcoll.Pool.create(pool_path, 16 * MB).close()
    with pytest.raises(pcoll.PoolExistsError) as ei:
        pcoll.Pool.create(pool_path, 16 * MB)
    assert isinstance(ei.value, FileExistsError)
    assert ei.value.errno == errno.EEXIST
    assert ei.value.name == "PC_E_EXISTS"
    assert pool_path in ei.value.message


def test_open_missing_file_fails(pool_path):
    with pytest.raises(pcoll.PoolNotFoundError) as ei:
        pcoll.Pool.open(pool_path)
    assert isinstance(ei.value, FileNotFoundError)
    assert isinstance(ei.value, pcoll.NotFoundError)
    assert ei.value.code == 1
    assert pool_path in str(ei.value)


def test_open_not_a_pool(pool_path):
    with open(pool_path, "wb") as f:
        f.write(b"hello" * 100000)
    with pytest.raises(pcoll.Error) as ei:
        pcoll.Pool.open(pool_path)
    assert ei.value.name in ("PC_E_NOTPOOL", "PC_E_TRUNCATED")
    # nothing was changed
    with open(pool_path, "rb") as f:
        assert f.read(5) == b"hello"


def test_bad_sizes(pool_path):
    with pytest.raises(ValueError, match="negative"):
        pcoll.Pool.create(pool_path, -1)
    with pytest.raises(pcoll.InvalidError) as ei:
        pcoll.Pool.create(pool_path, 1024)
    assert "minimum" in ei.value.message
    with pytest.raises(TypeError):
        pcoll.Pool.create(pool_path, "16M")
    with pytest.raises(TypeError):
        pcoll.Pool.create(pool_path, 16.0 * MB)
    with pytest.raises(ValueError):
        pcoll.Pool.create(pool_path, 16 * MB, grow_step=-5)
    with pytest.raises(pcoll.InvalidError):
        pcoll.Pool.create(pool_path, 16 * MB, grow_step=1024)
    with pytest.raises(OverflowError):
        pcoll.Pool.create(pool_path, 1 << 80)
    assert not os.path.exists(pool_path)


def test_bad_paths(pool_dir):
    with pytest.raises(TypeError):
        pcoll.Pool.create(42, 16 * MB)
    with pytest.raises(ValueError):
        pcoll.Pool.create(pool_dir + "/a\0b", 16 * MB)
    with pytest.raises(pcoll.Error):
        pcoll.Pool.create(pool_dir + "/no/such/dir/x.pool", 16 * MB)
    with pytest.raises(pcoll.InvalidError):
        pcoll.Pool.open("")


def test_close_is_idempotent_and_objects_die(pool):
    m = pool.map("m")
    v = pool.vector("v", "i")
    lg = pool.log("l")
    b = pool.blocks("b", 64, 4)
    it = iter(m)
    pool.close()
    pool.close()
    for call in (lambda: m["x"], lambda: len(v), lambda: lg.append(b"x"),
                 lambda: b.read(0), lambda: next(it), lambda: pool.map("m"),
                 lambda: pool.transaction(), lambda: pool.roots(),
                 lambda: pool.stats(), lambda: v.view()):
        with pytest.raises(pcoll.ClosedError) as ei:
            call()
        assert "closed" in str(ei.value)
        assert isinstance(ei.value, ValueError)


def test_same_object_per_root(pool):
    assert pool.map("m") is pool.map("m")
    assert pool.vector("v", "d") is pool.vector("v")
    assert pool.log("l") is pool.log("l")
    assert pool.blocks("b", 64, 2) is pool.blocks("b")
    assert pool["m"] is pool.map("m")


def test_wrong_kind_of_root(pool):
    pool.map("m")
    pool.vector("v", "d")
    with pytest.raises(pcoll.TypeMismatch) as ei:
        pool.vector("m", "d")
    assert isinstance(ei.value, TypeError)
    with pytest.raises(pcoll.TypeMismatch):
        pool.log("v")
    with pytest.raises(pcoll.TypeMismatch):
        pool.blocks("m", 64)
    with pytest.raises(pcoll.TypeMismatch):
        pool.map("v")


def test_wrong_kind_after_reopen(pool_path):
    with pcoll.Pool.create(pool_path, 16 * MB) as pool:
        pool.vector("v", "d").append(1)
        pool.map("m")
    with pcoll.Pool.open(pool_path) as pool:
        with pytest.raises(pcoll.TypeMismatch) as ei:
            pool.map("v")
        assert "pvec<double>" in ei.value.message
        assert "pmap<bytes,bytes>" in ei.value.message
        with pytest.raises(pcoll.TypeMismatch):
            pool.log("m")


def test_root_names(pool):
    with pytest.raises(ValueError):
        pool.map("")
    with pytest.raises(ValueError):
        pool.map("x" * (pcoll.NAME_MAX + 1))
    with pytest.raises(ValueError):
        pool.map("a\0b")
    with pytest.raises(TypeError):
        pool.map(b"bytes")
    with pytest.raises(TypeError):
        pool.map(None)
    pool.map("x" * pcoll.NAME_MAX)["k"] = b"v"
    pool.map("ünïcode")["k"] = b"v"
    assert set(pool.roots()) == {"x" * pcoll.NAME_MAX, "ünïcode"}


def test_missing_root_without_create(pool):
    for call in (lambda: pool.map("nope", create=False),
                 lambda: pool.vector("nope", "d", create=False),
                 lambda: pool.vector("nope", create=False),
                 lambda: pool.log("nope", create=False),
                 lambda: pool.blocks("nope", 64, create=False),
                 lambda: pool["nope"], lambda: pool.delete("nope")):
        with pytest.raises(pcoll.NotFoundError) as ei:
            call()
        assert isinstance(ei.value, LookupError)
        assert "nope" in str(ei.value)
    assert pool.roots() == {}


def test_roots_and_getitem(pool):
    pool.map("m")
    pool.vector("v", "f")
    pool.log("l")
    pool.blocks("b", 100, 3)
    assert pool.roots() == {"m": "pmap<bytes,bytes>", "v": "pvec<float>",
                            "l": "plog", "b": "pblkarr"}
    assert isinstance(pool["v"], pcoll.Vector)
    assert pool["v"].typecode == "f"
    assert isinstance(pool["l"], pcoll.Log)
    assert isinstance(pool["b"], pcoll.Blocks)
    assert pool.stats()["nroots"] == 4


def test_delete_frees_everything(pool):
    pool.map("keep")  # the root directory's allocation stays
    before = pool.stats()["used"]
    m = pool.map("m")
    m.update({b"k%d" % i: b"v" * 100 for i in range(1000)})
    v = pool.vector("v", "q")
    v.extend(range(10000))
    pool.log("l").appendv([b"x" * 50] * 100)
    pool.blocks("b", 512, 64).write(3, b"z")
    assert pool.stats()["used"] > before
    for name in ("m", "v", "l", "b"):
        pool.delete(name)
    assert pool.roots() == {"keep": "pmap<bytes,bytes>"}
    assert pool.stats()["used"] == before
    with pytest.raises(pcoll.ClosedError, match="deleted"):
        m[b"k1"]
    with pytest.raises(pcoll.ClosedError):
        v.append(1)
    # the name can be used again, for anything
    pool.log("m").append(b"again")
    assert list(pool.log("m")) == [b"again"]


def test_delete_refused_while_a_buffer_is_held(pool):
    v = pool.vector("v", "d")
    v.extend([1.0, 2.0])
    mv = memoryview(v)
    with pytest.raises(BufferError):
        pool.delete("v")
    assert v.tolist() == [1.0, 2.0]
    mv.release()
    pool.delete("v")
    assert "v" not in pool.roots()


def test_growable_pool(pool_path):
    with pcoll.Pool.create(pool_path, 8 * MB, grow_step=4 * MB,
                           max_size=256 * MB) as pool:
        v = pool.vector("v", "Q")
        chunk = list(range(100000))
        for _ in range(20):  # 16 MB of data: more than the initial size
            v.extend(chunk)
        assert len(v) == 2000000
        assert pool.stats()["size"] > 8 * MB
    assert os.path.isdir(pool_path + ".parts")
    with pcoll.Pool.open(pool_path) as pool:
        v = pool.vector("v")
        assert len(v) == 2000000
        assert v[1999999] == 99999


def test_fixed_pool_full_then_usable(pool_path):
    with pcoll.Pool.create(pool_path, pcoll.POOL_MIN_SIZE) as pool:
        m = pool.map("m")
        n = 0
        with pytest.raises(pcoll.FullError) as ei:
            while True:
                m[b"%08d" % n] = b"v" * 200
                n += 1
        assert ei.value.name == "PC_E_FULL"
        assert n > 100
        # nothing lost, the pool still works
        assert len(m) == n
        assert m[b"%08d" % (n - 1)] == b"v" * 200
        for i in range(0, n, 2):
            del m[b"%08d" % i]
        m[b"again"] = b"x"
        assert len(m) == n - (n + 1) // 2 + 1
        pool.check()


def test_check(pool_path):
    with pcoll.Pool.create(pool_path, 16 * MB) as pool:
        pool.map("m")["a"] = "b"
        pool.vector("v", "i").extend([1, 2])
        pool.log("l").append("x")
        pool.blocks("b", 64, 8).write(1, b"1")
        pool.check()
    pcoll.check(pool_path)
    with pytest.raises(pcoll.PoolNotFoundError):
        pcoll.check(pool_path + ".missing")


def test_busy_in_same_process(pool_path):
    with pcoll.Pool.create(pool_path, 16 * MB):
        with pytest.raises(pcoll.BusyError):
            pcoll.Pool.open(pool_path)


def test_is_pmem_follows_environment(pool):
    expected = os.environ.get("PMEM_IS_PMEM_FORCE") == "1"
    if "PMEM_IS_PMEM_FORCE" in os.environ:
        assert pool.is_pmem == expected


def test_repr(pool):
    assert repr(pool) == "<pcoll.Pool %r>" % pool.path
    v = pool.vector("v", "d")
    assert "typecode 'd'" in repr(v)
    pool.close()
    assert "closed" in repr(pool)


def test_pool_cannot_be_instantiated():
    with pytest.raises(TypeError):
        pcoll.Pool()


def test_arguments_that_close_the_pool(pool_path):
    # converting an argument runs Python code; when that code closes the
    # pool, the call must notice instead of using the unmapped pool
    def fresh():
        pool = pcoll.Pool.open_or_create(pool_path, 16 * MB)
        if not pool.roots():
            pool.vector("v", "q").extend([1, 2, 3])
            pool.blocks("b", 64, 4)
        return pool

    class Closer:
        def __init__(self, pool, value):
            self.pool, self.value = pool, value

        def __index__(self):
            self.pool.close()
            return self.value

    def closing_gen(pool, items):
        yield items[0]
        pool.close()
        yield from items[1:]

    calls = [
        lambda p: p.vector("v").__setitem__(Closer(p, 0), 5),
        lambda p: p.vector("v").__setitem__(0, Closer(p, 5)),
        lambda p: p.vector("v").append(Closer(p, 5)),
        lambda p: p.vector("v").insert(Closer(p, 0), 5),
        lambda p: p.vector("v").pop(Closer(p, 0)),
        lambda p: p.vector("v").reserve(Closer(p, 100)),
        lambda p: p.vector("v").index(2, Closer(p, 0)),
        lambda p: p.vector("v").count(Closer(p, 2)),
        lambda p: p.vector("v")[Closer(p, 0):2],
        lambda p: p.vector("v").extend(closing_gen(p, [7, 8])),
        lambda p: p.vector("v").__setitem__(slice(0, 1),
                                            closing_gen(p, [7, 8])),
        lambda p: p.blocks("b").read(Closer(p, 1)),
        lambda p: p.blocks("b").write(Closer(p, 1), b"x"),
        lambda p: p.map("m").update(closing_gen(p, [(b"a", b"1"),
                                                    (b"b", b"2")])),
        lambda p: p.log("l").appendv(closing_gen(p, [b"a", b"b"])),
        lambda p: p.blocks(Closer(p, 0) and "b2", Closer(p, 64), 1),
    ]
    for call in calls:
        pool = fresh()
        with pytest.raises(pcoll.ClosedError):
            call(pool)
        assert pool.closed
    with pcoll.Pool.open(pool_path) as pool:
        assert pool.vector("v").tolist() == [1, 2, 3]   # nothing changed
        assert "m" not in pool.roots() or len(pool.map("m")) == 0
        pool.check()
