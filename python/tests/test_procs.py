# SPDX-License-Identifier: BSD-3-Clause
"""Processes: a child killed with SIGKILL inside pool.transaction() leaves
no trace; a writer killed at random moments always leaves a consistent
pool; two processes cannot open one pool."""
import os
import random
import signal
import subprocess
import textwrap
import time

import pytest

import pcoll
from conftest import PYTHON, child_env

# A child that opens the pool, changes every container inside one
# transaction, says "inside" and waits to be killed.
KILLED_INSIDE = textwrap.dedent("""
    import sys, pcoll
    pool = pcoll.Pool.open(sys.argv[1])
    m, v, lg, b = (pool.map("m"), pool.vector("v"), pool.log("l"),
                   pool.blocks("b"))
    with pool.transaction():
        m["k"] = b"changed"
        del m["gone"]
        for i in range(2000):
            m[b"new%05d" % i] = b"x" * 100
        v.extend(range(100000))           # grows the array
        w = pool.vector("w")
        w[0] = -1.0
        w.pop()
        w.extend([5.0] * 1000)
        lg.append(b"in tx")
        lg.appendv([b"a", b"b"])
        b.write(1, b"changed")
        b.set_error(2)
        pool.delete("d")
        pool.map("created")["x"] = b"y"
        print("inside", flush=True)
        sys.stdin.read()
""")

# A writer of consistent transactions: after n committed transactions,
# count == n, the map holds the last 1000 entries k<i>, the vector is
# range(n), the log has records 0..n-1 and block i % nblock holds i.
WRITER = textwrap.dedent("""
    import sys, pcoll
    pool = pcoll.Pool.open(sys.argv[1])
    use_tx = sys.argv[2] == "tx"
    KEEP = 1000
    m, v, lg, b = (pool.map("m"), pool.vector("v"), pool.log("l"),
                   pool.blocks("b"))
    n = len(v)
    print("ready", flush=True)
    while True:
        if use_tx:
            with pool.transaction():
                m["count"] = b"%d" % (n + 1)
                m[b"k%d" % n] = b"v" * (n % 200)
                if n >= KEEP:
                    del m[b"k%d" % (n - KEEP)]
                v.append(n)
                lg.append(b"%d" % n)
                b.write(n % b.nblock, b"%d" % n)
        else:
            m["count"] = b"%d" % (n + 1)
            print("half", flush=True)
            sys.stdin.read()
        n += 1
""")


def make_pool(path):
    with pcoll.Pool.create(path, 64 << 20) as pool:
        m = pool.map("m")
        m["k"] = b"orig"
        m["gone"] = b"here"
        m["count"] = b"0"
        pool.vector("v", "q")
        pool.vector("w", "d").extend([1.0, 2.0, 3.0])
        pool.log("l")
        pool.blocks("b", 64, 16).write(1, b"orig")
        pool.map("d")["x"] = b"1"


def snapshot(path):
    with pcoll.Pool.open(path) as pool:
        pool.check()
        b = pool.blocks("b")
        return (pool.roots(), dict(pool.map("m").items()),
                pool.vector("v").tolist(), pool.vector("w").tolist(),
                list(pool.log("l")),
                [b.read(i) for i in range(b.nblock)],
                dict(pool.map("d").items()), pool.stats()["used"])


def start(script, *args):
    p = subprocess.Popen([PYTHON, "-c", script] + list(args),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=child_env())
    return p


def wait_line(p, want, timeout=60):
    line = p.stdout.readline().decode().strip()
    assert line == want, (line, p.stderr.read().decode())


def kill(p):
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=60)
    err = p.stderr.read().decode()
    p.stdin.close()
    p.stdout.close()
    p.stderr.close()
    assert p.returncode == -signal.SIGKILL, err


def test_sigkill_inside_transaction_leaves_no_trace(pool_path):
    make_pool(pool_path)
    before = snapshot(pool_path)
    for _ in range(3):
        p = start(KILLED_INSIDE, pool_path)
        wait_line(p, "inside")
        kill(p)
        assert snapshot(pool_path) == before


def check_consistent(path):
    """The problems of a pool the writer was killed on (empty: none)."""
    problems = []
    with pcoll.Pool.open(path) as pool:
        try:
            pool.check()
        except pcoll.CorruptError as e:
            problems.append(str(e))
        m, v, lg, b = (pool.map("m"), pool.vector("v"), pool.log("l"),
                       pool.blocks("b"))
        n = int(m["count"])
        if v.tolist() != list(range(n)):
            problems.append("vector has %d elements, count %d" % (len(v), n))
        if list(lg) != [b"%d" % i for i in range(n)]:
            problems.append("log has %d records, count %d" % (len(lg), n))
        keep = range(max(0, n - 1000), n)
        want = {b"k%d" % i: b"v" * (i % 200) for i in keep}
        want.update({b"k": b"orig", b"gone": b"here", b"count": b"%d" % n})
        if dict(m.items()) != want:
            problems.append("map entries do not match count %d" % n)
        for i in range(max(0, n - b.nblock), n):
            if b.read(i % b.nblock).rstrip(b"\0") != b"%d" % i:
                problems.append("block %d" % (i % b.nblock))
    return problems, n


def test_writer_killed_at_random_moments(pool_path):
    make_pool(pool_path)
    rnd = random.Random(os.getpid())
    last = 0
    for _ in range(8):
        p = start(WRITER, pool_path, "tx")
        wait_line(p, "ready")
        time.sleep(rnd.uniform(0.05, 0.4))
        kill(p)
        problems, n = check_consistent(pool_path)
        assert problems == []
        assert n >= last
        last = n
    assert last > 0
    # nothing leaked: emptying the containers frees what they held
    with pcoll.Pool.open(pool_path) as pool:
        pool.map("keep")
        base = pool.stats()["used"]
        for name in ("m", "v", "w", "l", "b", "d"):
            pool.delete(name)
        assert list(pool.roots()) == ["keep"]
        used = pool.stats()["used"]
    with pcoll.Pool.create(pool_path + ".fresh", 64 << 20) as fresh:
        fresh.map("keep")
        empty = fresh.stats()["used"]
    os.remove(pool_path + ".fresh")
    assert used == empty < base


def test_checker_catches_a_writer_without_transactions(pool_path):
    # the same writer, changing the containers one call at a time: killed
    # between two calls, it leaves them disagreeing, and the check says so
    make_pool(pool_path)
    p = start(WRITER, pool_path, "notx")
    wait_line(p, "ready")
    wait_line(p, "half")
    kill(p)
    problems, n = check_consistent(pool_path)
    assert n == 1
    assert "vector has 0 elements, count 1" in problems


BUSY_CHILD = textwrap.dedent("""
    import sys, pcoll
    try:
        pool = pcoll.Pool.open(sys.argv[1])
    except pcoll.BusyError as e:
        print("busy", e.name, flush=True)
        sys.exit(3)
    print("open", flush=True)
    sys.stdin.read()
""")


def test_two_processes_on_one_pool(pool_path):
    make_pool(pool_path)
    p = start(BUSY_CHILD, pool_path)
    wait_line(p, "open")
    with pytest.raises(pcoll.BusyError) as ei:
        pcoll.Pool.open(pool_path)
    assert ei.value.name == "PC_E_BUSY" and pool_path in str(ei.value)
    kill(p)
    # the other way round, and the lock goes with the process
    with pcoll.Pool.open(pool_path):
        q = start(BUSY_CHILD, pool_path)
        out, err = q.communicate(timeout=60)
        assert q.returncode == 3 and out.decode().split() == \
            ["busy", "PC_E_BUSY"], err
    assert snapshot(pool_path)[1][b"k"] == b"orig"
