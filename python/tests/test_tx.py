# SPDX-License-Identifier: BSD-3-Clause
"""pool.transaction(): commit, abort, nesting, and the rules around it."""
import threading

import pytest

import pcoll


def fill(pool):
    m = pool.map("m")
    v = pool.vector("v", "q")
    lg = pool.log("l")
    b = pool.blocks("b", 64, 8)
    m["k"] = b"old"
    v.extend([1, 2, 3])
    lg.append(b"r0")
    b.write(1, b"old")
    return m, v, lg, b


def state(pool):
    m, v, lg, b = (pool.map("m"), pool.vector("v"), pool.log("l"),
                   pool.blocks("b"))
    return (dict(m.items()), v.tolist(), list(lg), b.read(1)[:3],
            b.read(2)[:3])


def test_commit(pool):
    m, v, lg, b = fill(pool)
    with pool.transaction() as tx:
        assert isinstance(tx, pcoll.Transaction)
        assert pool.in_transaction
        m["k"] = b"new"
        m["k2"] = b"x" * 100
        v.append(4)
        v[0] = 10
        lg.append(b"r1")
        b.write(2, b"new")
    assert not pool.in_transaction
    assert state(pool) == ({b"k": b"new", b"k2": b"x" * 100}, [10, 2, 3, 4],
                           [b"r0", b"r1"], b"old", b"new")
    pool.check()


def test_abort_on_exception_restores_everything(pool):
    m, v, lg, b = fill(pool)
    before = state(pool)

    class Boom(Exception):
        pass
    with pytest.raises(Boom):
        with pool.transaction():
            m["k"] = b"new"
            m["k2"] = b"x" * 100
            del m["k"]
            v.append(4)
            v[1] = 20
            v.pop(0)
            v.extend(range(1000))
            lg.append(b"r1")
            lg.appendv([b"a", b"b"])
            b.write(1, b"new")
            b.set_zero(2)
            raise Boom()
    assert state(pool) == before
    pool.check()


def test_nested_blocks_join(pool):
    m, v, lg, b = fill(pool)
    with pool.transaction():
        m["a"] = b"1"
        with pool.transaction():
            m["b"] = b"2"
        # the inner block's end does not commit: an error now undoes both
        assert pool.in_transaction
    assert m["a"] == b"1" and m["b"] == b"2"

    with pytest.raises(KeyError):
        with pool.transaction():
            m["c"] = b"3"
            with pool.transaction():
                m["d"] = b"4"
                raise KeyError("inner")
    assert "c" not in m and "d" not in m


def test_swallowed_error_aborts_at_the_end(pool):
    m, v, lg, b = fill(pool)
    with pytest.raises(pcoll.TransactionError) as ei:
        with pool.transaction():
            m["a"] = b"1"
            try:
                with pool.transaction():
                    m["b"] = b"2"
                    raise ValueError("caught below")
            except ValueError:
                pass
            # the transaction is dead: further calls fail
            with pytest.raises(pcoll.TransactionError):
                m["c"] = b"3"
    assert ei.value.name == "PC_E_ABORTED"
    assert "a" not in m and "b" not in m and "c" not in m
    assert not pool.in_transaction


def test_full_pool_inside_transaction_aborts_and_keeps_the_rest(pool_path):
    with pcoll.Pool.create(pool_path, pcoll.POOL_MIN_SIZE) as pool:
        m = pool.map("m")
        m["keep"] = b"yes"
        with pytest.raises(pcoll.TransactionError) as ei:
            with pool.transaction():
                i = 0
                try:
                    while True:
                        m[b"%08d" % i] = b"v" * 500
                        i += 1
                except pcoll.FullError:
                    pass
        assert "PC_E_FULL" in str(ei.value)
        assert dict(m.items()) == {b"keep": b"yes"}
        pool.check()
        m["after"] = b"ok"


def test_full_error_propagates_from_transaction(pool_path):
    with pcoll.Pool.create(pool_path, pcoll.POOL_MIN_SIZE) as pool:
        v = pool.vector("v", "d")
        v.append(1.0)
        with pytest.raises(pcoll.FullError):
            with pool.transaction():
                v.append(2.0)
                v.extend([0.0] * (16 << 20))
        assert v.tolist() == [1.0]


def test_objects_created_in_an_aborted_transaction_die(pool):
    with pytest.raises(RuntimeError):
        with pool.transaction():
            m = pool.map("new")
            m["x"] = b"y"
            v = pool.vector("newv", "i")
            raise RuntimeError()
    assert pool.roots() == {}
    with pytest.raises(pcoll.ClosedError, match="aborted"):
        m["x"]
    with pytest.raises(pcoll.ClosedError):
        v.append(1)
    # a new object for the name works
    assert len(pool.map("new")) == 0


def test_objects_created_in_a_committed_transaction_live(pool):
    with pool.transaction():
        m = pool.map("new")
        m["x"] = b"y"
    assert m["x"] == b"y"
    assert pool.map("new") is m


def test_delete_in_transaction_is_undone_by_abort(pool):
    m, v, lg, b = fill(pool)
    with pytest.raises(ZeroDivisionError):
        with pool.transaction():
            pool.delete("m")
            assert "m" not in pool.roots()
            1 / 0
    assert "m" in pool.roots()
    assert pool.map("m")["k"] == b"old"


def test_one_pool_per_transaction(pool, pool_dir):
    other = pcoll.Pool.create(pool_dir + "/other.pool", 16 << 20)
    try:
        om = other.map("m")
        with pool.transaction():
            with pytest.raises(pcoll.TransactionError, match="one pool"):
                om["x"] = b"1"
            with pytest.raises(pcoll.TransactionError):
                with other.transaction():
                    pass
        om["x"] = b"1"
    finally:
        other.close()


def test_not_allowed_inside(pool, pool_dir):
    lg = pool.log("l")
    lg.append(b"x")
    with pytest.raises(pcoll.TransactionError):
        with pool.transaction():
            try:
                lg.rewind()
            except pcoll.TransactionError as e:
                assert e.name == "PC_E_INTX"
                raise
    with pool.transaction():
        with pytest.raises(pcoll.TransactionError):
            pool.close()
        with pytest.raises(pcoll.TransactionError):
            pcoll.Pool.create(pool_dir + "/x.pool", 16 << 20)
        with pytest.raises(pcoll.TransactionError):
            lg.packed = True
        lg.append(b"y")
    assert list(lg) == [b"x", b"y"]


def test_another_thread_is_kept_out(pool):
    m = pool.map("m")
    seen = []

    def other():
        try:
            m["t"] = b"1"
            seen.append("ok")
        except pcoll.BusyError as e:
            seen.append(e.name)
    with pool.transaction():
        m["a"] = b"1"
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert seen == ["PC_E_BUSY"]
    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen == ["PC_E_BUSY", "ok"]


def test_transaction_object_misuse(pool):
    tx = pool.transaction()
    with pytest.raises(RuntimeError):
        tx.__exit__(None, None, None)
    with tx:
        with pytest.raises(RuntimeError):
            tx.__enter__()
    with tx:  # reusable once exited
        pool.map("m")["x"] = b"1"
    assert pool.map("m")["x"] == b"1"


def test_many_transactions(pool):
    v = pool.vector("v", "l")
    for i in range(2000):
        with pool.transaction():
            v.append(i)
            v[0] = i
    assert len(v) == 2000 and v[0] == 1999
    for i in range(200):
        with pytest.raises(IndexError):
            with pool.transaction():
                v.append(-1)
                v[5000]
    assert len(v) == 2000
