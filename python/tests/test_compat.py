# SPDX-License-Identifier: BSD-3-Clause
"""The compatibility modules, with the seeds' examples ported to Python 3:
pcoll.pmemkv (pmemkv-python's Database), pcoll.nvm.pmemlog and
pcoll.nvm.pmemblk (pynvm). The seeds made 1 GiB pools; these tests use
small ones (tmpfs is shared)."""
import errno
import json
import os

import pytest

import pcoll
from pcoll import pmemkv
from pcoll.nvm import NvmError, pmemblk, pmemlog

# --------------------------------------------------------------------------
# pmemkv


def test_pmemkv_seed_example(pool_dir):
    # the seed's calls, with a directory and a small size
    db = pmemkv.Database("vsmap",
                         '{"path":"%s/","size":%d}' % (pool_dir, 16 << 20))
    db.put("key1", "value1")
    assert db.count_all() == 1
    assert db.get_string("key1") == "value1"
    db.put("key2", "value2")
    db.put("key3", "value3")
    seen = []
    db.get_keys(lambda k: seen.append(memoryview(k).tobytes().decode()))
    assert seen == ["key1", "key2", "key3"]
    got = []
    db.get("key1", got.append)
    assert got == [b"value1"]
    db.remove("key1")
    assert not db.exists("key1")
    db.stop()
    assert db.stopped
    assert os.listdir(pool_dir) == []       # volatile: gone with stop()


def test_pmemkv_api(pool_dir):
    path = os.path.join(pool_dir, "kv.pool")
    cfg = {"path": path, "size": 16 << 20}
    with pmemkv.Database("cmap", cfg) as db:
        for i in range(10):
            db.put("k%d" % i, "v%d" % i)
        assert db.get("k3") == b"v3" and db.get("nope") is None
        assert db.get_string("nope") is None
        assert db.exists("k9") and not db.exists("k10")
        assert db.count_above("k5") == 4 and db.count_below("k5") == 5
        assert db.count_between("k2", "k6") == 3
        assert db.count_between("k6", "k2") == 0
        pairs = []
        db.get_all(lambda k, v: pairs.append((k, v)))
        assert pairs == [(b"k%d" % i, b"v%d" % i) for i in range(10)]
        out = []
        db.get_above("k7", lambda k, v: out.append(k))
        assert out == [b"k8", b"k9"]
        out = []
        db.get_below("k2", lambda k, v: out.append(k))
        assert out == [b"k0", b"k1"]
        out = []
        db.get_between("k2", "k5", lambda k, v: out.append(v))
        assert out == [b"v3", b"v4"]
        out = []
        db.get_between("k5", "k2", lambda k, v: out.append(v))
        assert out == []
        out = []
        db.get_keys_above("k8", out.append)
        db.get_keys_below("k1", out.append)
        db.get_keys_between("k3", "k5", out.append)
        assert out == [b"k9", b"k0", b"k4"]
        out = []
        db.get_keys_strings(out.append)
        assert out[0] == "k0" and len(out) == 10
        out = []
        db.get_keys_strings_above("k8", out.append)
        db.get_keys_strings_below("k1", out.append)
        db.get_keys_strings_between("k3", "k5", out.append)
        assert out == ["k9", "k0", "k4"]
        out = []
        db.get_all_string(lambda k, v: out.append((k, v)))
        assert out[1] == ("k1", "v1")
        out = []
        db.get_string_above("k8", lambda k, v: out.append(v))
        db.get_string_below("k1", lambda k, v: out.append(v))
        db.get_string_between("k3", "k5", lambda k, v: out.append(v))
        assert out == ["v9", "v0", "v4"]
        # a true result stops a visit
        out = []
        db.get_all(lambda k, v: out.append(k) or len(out) == 3)
        assert len(out) == 3
        assert db.remove("k0") is True and db.remove("k0") is False
        db["x"] = b"y"
        assert db["x"] == b"y" and "x" in db and len(db) == 10
        del db["x"]
        with pytest.raises(KeyError):
            db["x"]
    assert db.stopped
    with pytest.raises(pcoll.ClosedError):
        db.get("k1")
    # persistent engines keep their data
    with pmemkv.Database("stree", json.dumps({"path": path})) as db:
        assert db.count_all() == 9 and db.get("k1") == b"v1"


def test_pmemkv_bad_config(pool_dir):
    path = os.path.join(pool_dir, "kv.pool")
    with pytest.raises(pmemkv.WrongEngineName):
        pmemkv.Database("nosuch", {"path": path, "size": 16 << 20})
    with pytest.raises(pmemkv.InvalidArgument):
        pmemkv.Database("cmap", "{not json")
    with pytest.raises(pmemkv.InvalidArgument):
        pmemkv.Database("cmap", {"size": 1})
    with pytest.raises(pmemkv.InvalidArgument):
        pmemkv.Database("cmap", [1, 2])
    with pytest.raises(pmemkv.InvalidArgument):
        pmemkv.Database("vsmap", {"path": path, "size": 16 << 20})
    with pytest.raises(pcoll.InvalidError):
        pmemkv.Database("cmap", {"path": path})      # no size to create
    assert os.listdir(pool_dir) == []
    db = pmemkv.Database("cmap", {"path": path, "size": 16 << 20})
    with pytest.raises(pcoll.BusyError):
        pmemkv.Database("cmap", {"path": path})      # open already
    db.stop()
    with pytest.raises(pcoll.PoolExistsError):
        pmemkv.Database("cmap", {"path": path, "size": 16 << 20,
                                 "force_create": True})


# --------------------------------------------------------------------------
# nvm.pmemlog


def test_pmemlog_seed_example(pool_dir):
    path = os.path.join(pool_dir, "mylogging.pmemlog")
    log = pmemlog.create(path)
    assert log.nbyte() > 0
    log.append("persistent logging!")
    seen = []

    def take_walk(data):
        seen.append(data)
        return 1
    log.walk(take_walk)
    log.close()
    assert seen == [b"persistent logging!"]


def test_pmemlog_small_pools(pool_dir):
    # libpmemlog accepts 2 MiB; an 8 MiB libpmemobj pool (what 2 to 8 MiB
    # round up to) has no room for a 1 MiB first chunk: the log starts
    # smaller and grows (issue 14; the module used to make 16 MiB pools).
    for mib in (2, 4, 8, 9):
        path = os.path.join(pool_dir, "small-%d.pmemlog" % mib)
        log = pmemlog.create(path, mib << 20)
        assert os.path.getsize(path) == max(mib << 20, pcoll.POOL_MIN_SIZE)
        n = 0
        with pytest.raises(NvmError) as ei:
            while True:
                log.append(b"x" * 1000)
                n += 1
        assert ei.value.errno == errno.ENOSPC
        assert n > 1000 and log.tell() == n * 1000
        log.close()
        log = pmemlog.open(path)
        assert log.tell() == n * 1000
        log.close()


def test_pmemlog_api(pool_dir):
    path = os.path.join(pool_dir, "l.pmemlog")
    assert pmemlog.check_version(1, 0) and pmemlog.check_version(1, 1)
    with pytest.raises(RuntimeError):
        pmemlog.check_version(2, 0)
    with pytest.raises(RuntimeError):
        pmemlog.check_version(1, 2)
    with pytest.raises(NvmError) as ei:
        pmemlog.create(path, 1 << 20)               # below 2 MiB
    assert ei.value.errno == errno.EINVAL
    assert isinstance(ei.value, RuntimeError)
    log = pmemlog.create(path, 16 << 20)
    assert len(log) == log.nbyte()
    assert log.append(b"abc") == 0
    log.append("def")
    assert log.tell() == 6
    chunks = []
    log.walk(lambda d: chunks.append(d) or True, 4)
    assert chunks == [b"abcd", b"ef"]
    chunks = []
    log.walk(lambda d: chunks.append(d) or 0, 2)    # 0 stops
    assert chunks == [b"ab"]
    chunks = []
    log.walk(chunks.append)                           # None stops too
    assert chunks == [b"abcdef"]
    with pytest.raises(NvmError):
        log.walk(chunks.append, -1)
    log.rewind()
    assert log.tell() == 0
    chunks = []
    log.walk(lambda d: chunks.append(d))
    assert chunks == [b""]                            # once, empty
    log.append(b"after")
    log.close()
    assert pmemlog.check(path)
    with pytest.raises(NvmError) as ei:
        pmemlog.create(path)
    assert ei.value.errno == errno.EEXIST
    log = pmemlog.open(path)
    assert log.tell() == 5
    with pytest.raises(NvmError) as ei:
        pmemlog.open(path)
    assert ei.value.errno == errno.EAGAIN
    log.close()
    with pytest.raises(NvmError) as ei:
        pmemlog.open(path + ".missing")
    assert ei.value.errno == errno.ENOENT
    assert not pmemlog.check(path + ".missing")


def test_pmemlog_full_pool(pool_dir):
    path = os.path.join(pool_dir, "full.pmemlog")
    log = pmemlog.create(path, 16 << 20)
    n = 0
    with pytest.raises(NvmError) as ei:
        while True:
            log.append(b"x" * 65536)
            n += 1
    assert ei.value.errno == errno.ENOSPC
    assert log.tell() == n * 65536
    log.close()
    assert pmemlog.check(path)


def test_pmemlog_rejects_other_pools(pool_dir):
    path = os.path.join(pool_dir, "other.pool")
    with pcoll.Pool.create(path, 16 << 20) as pool:
        pool.map("pmemlog")                         # wrong kind
    with pytest.raises(NvmError) as ei:
        pmemlog.open(path)
    assert ei.value.errno == errno.EINVAL
    assert not pmemlog.check(path)


# --------------------------------------------------------------------------
# nvm.pmemblk


def test_pmemblk_seed_example(pool_dir):
    path = os.path.join(pool_dir, "happy_blocks.pmemblk")
    blockpool = pmemblk.create(path, 256, 32 << 20)
    assert blockpool.nblock() > 20
    blockpool.write("persistent block!", 20)
    assert blockpool.read(20) == b"persistent block!"
    blockpool.close()
    blockpool = pmemblk.open(path)
    assert blockpool.read(20) == b"persistent block!"
    blockpool.close()


def test_pmemblk_api(pool_dir):
    path = os.path.join(pool_dir, "b.pmemblk")
    assert pmemblk.check_version(1, 1)
    with pytest.raises(RuntimeError):
        pmemblk.check_version(0, 9)
    with pytest.raises(NvmError) as ei:
        pmemblk.create(path, 512)                   # pynvm's 2 MiB default
    assert ei.value.errno == errno.EINVAL
    with pytest.raises(NvmError):
        pmemblk.create(path, 0, 32 << 20)
    bp = pmemblk.create(path, 512, pmemblk.MIN_POOL)
    assert bp.bsize() == 512 == bp.block_size
    n = bp.nblock()
    assert n > 1000
    assert bp.read(0) == b""                        # never written
    assert bp.write(b"a\0b", 1) == 0
    assert bp.read(1) == b"a"                       # pynvm: up to a NUL
    assert bp.set_zero(1) == 0 and bp.read(1) == b""
    assert bp.set_error(2) == 0
    with pytest.raises(NvmError) as ei:
        bp.read(2)
    assert ei.value.errno == errno.EIO
    for bad in (n, -1):
        with pytest.raises(NvmError) as ei:
            bp.read(bad)
        assert ei.value.errno == errno.EINVAL
        with pytest.raises(NvmError):
            bp.write(b"x", bad)
    with pytest.raises(NvmError) as ei:
        bp.write(b"x" * 513, 3)
    assert ei.value.errno == errno.EINVAL and "do not fit" in str(ei.value)
    bp.close()
    assert pmemblk.check(path) and pmemblk.check(path, 512)
    assert not pmemblk.check(path, 1024)
    with pytest.raises(NvmError) as ei:
        pmemblk.open(path, 1024)
    assert ei.value.errno == errno.EINVAL
    with pytest.raises(NvmError):
        pmemblk.open(path, -1)
    bp = pmemblk.open(path, 512)
    assert bp.nblock() == n
    with pytest.raises(NvmError) as ei:
        bp.read(2)                                  # still bad
    bp.close()
