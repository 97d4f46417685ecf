#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The Python package's benchmark (issue 18): durable puts, gets and
100-key range scans with 16-byte keys and 100-byte values, on pcoll and on
what a Python programmer would use instead, on the same file system:

  pcoll    pcoll.Map (PMAP(bytes, bytes)); every put durable on return
  sqlite3  WAL, synchronous=FULL, one transaction per put
  gdbm     dbm.gnu with sync() after each put (Debian: python3-gdbm)
  shelve   shelve over dbm.gnu, sync() after each put
  C loop   the same pcoll calls from C through the extension's C layer
           (pcoll-py-capi-loop): python minus C is the Python layer's cost;
           after the first pass both repeat the calls --rounds times (puts
           then replace values) and the fastest pass of each gives a
           steadier difference than the first pass alone

Each run does every store once, in turn; several runs give the spread.
Pools are created on --dir (default /dev/shm) with PMEM_IS_PMEM_FORCE=1
(set here when missing; --msync sets 0, for a disk file system); the other
stores' files go to the same directory. Everything is removed afterwards.

    PYTHONPATH=build/python /usr/bin/python3 python/bench.py --build build
"""
import argparse
import json
import os
import platform
import shelve
import sqlite3
import statistics
import subprocess
import sys
import time
from itertools import islice

# This file sits next to the package's sources, which lack the compiled
# extension: import pcoll from PYTHONPATH (the build) or the installation.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]

try:
    import dbm.gnu as gdbm
except ImportError:  # pragma: no cover - python3-gdbm missing
    gdbm = None

KEY_STRIDE = 7919  # prime: i -> i * KEY_STRIDE mod n is a permutation
VALUE = b"v" * 100
SCAN = 100


def key_of(i, n):
    """The key of the i-th operation, as pcoll-py-capi-loop makes it (the
    i-th scan starts at key_of(i % n, n))."""
    return b"%016d" % ((i * KEY_STRIDE) % n)


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def bench_pcoll(path, keys, scan_keys, rounds):
    import pcoll
    res = {}
    with pcoll.Pool.create(path, 512 << 20) as pool:
        m = pool.map("kv")
        n = len(keys)

        def put():
            for k in keys:
                m[k] = VALUE

        def get():
            for k in keys:
                m[k]

        def scan():
            for k in scan_keys:
                for _ in islice(m.range(k), SCAN):
                    pass
        res["put"] = timed(put) / n
        res["get"] = timed(get) / n
        res["scan"] = timed(scan) / len(scan_keys)
        # the fastest of further passes: the overhead measurement
        if rounds:
            res["min_put"] = min(timed(put) for _ in range(rounds)) / n
            res["min_get"] = min(timed(get) for _ in range(rounds)) / n
            res["min_scan"] = min(timed(scan) for _ in range(rounds)) / \
                len(scan_keys)
        assert len(m) == n
    os.remove(path)
    return res


def bench_capi(exe, path, n, scans, rounds):
    out = subprocess.run([exe, path, str(n), str(scans), str(rounds)],
                         check=True, capture_output=True, text=True).stdout
    os.remove(path)
    r = json.loads(out)
    return {k[:-3]: v * 1e-9 for k, v in r.items() if k.endswith("_ns")}


def sqlite_files(path):
    return [path, path + "-wal", path + "-shm", path + "-journal"]


def bench_sqlite(path, keys, scan_keys):
    db = sqlite3.connect(path, isolation_level=None)  # autocommit
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB)")
    n = len(keys)
    res = {}

    def put():
        for k in keys:  # each statement is one transaction
            db.execute("INSERT OR REPLACE INTO kv VALUES (?, ?)", (k, VALUE))

    def get():
        for k in keys:
            db.execute("SELECT v FROM kv WHERE k = ?", (k,)).fetchone()

    def scan():
        for k in scan_keys:
            for _ in db.execute("SELECT k, v FROM kv WHERE k >= ? "
                                "ORDER BY k LIMIT %d" % SCAN, (k,)):
                pass
    res["put"] = timed(put) / n
    res["get"] = timed(get) / n
    res["scan"] = timed(scan) / len(scan_keys)
    db.close()
    for f in sqlite_files(path):
        if os.path.exists(f):
            os.remove(f)
    return res


def bench_dbm(path, keys, shelf):
    """dbm.gnu, or shelve over it (str keys, pickled values), with a sync
    after each put."""
    db = gdbm.open(path, "nf")  # n: new, f: no automatic sync
    if shelf:
        db = shelve.Shelf(db)
        keys = [k.decode() for k in keys]
    n = len(keys)
    res = {}

    def put():
        for k in keys:
            db[k] = VALUE
            db.sync()

    def get():
        for k in keys:
            db[k]
    res["put"] = timed(put) / n
    res["get"] = timed(get) / n
    db.close()
    os.remove(path)
    return res


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(),
            "kernel": platform.release(),
            "python": platform.python_version(),
            "executable": sys.executable,
            "load": os.getloadavg()}


def fmt(vals):
    """median [min-max] of seconds, in microseconds."""
    us = [v * 1e6 for v in vals]
    return "%.2f [%.2f-%.2f]" % (statistics.median(us), min(us), max(us))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build",
                    help="meson build directory (for pcoll-py-capi-loop)")
    ap.add_argument("--dir", default="/dev/shm",
                    help="directory of every store's files")
    ap.add_argument("--n", type=int, default=100000,
                    help="puts and gets per run")
    ap.add_argument("--scans", type=int, default=100000,
                    help="100-key range scans per run")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3,
                    help="further passes of pcoll and the C loop per run; "
                         "the fastest gives the Python layer's cost")
    ap.add_argument("--msync", action="store_true",
                    help="do not force persistent memory: pcoll takes the "
                         "msync path (for --dir on a disk file system)")
    ap.add_argument("--json", help="write the raw results here")
    a = ap.parse_args(argv)
    force = "0" if a.msync else "1"
    if os.environ.get("PMEM_IS_PMEM_FORCE") != force:
        os.environ["PMEM_IS_PMEM_FORCE"] = force
        os.execv(sys.executable, [sys.executable] + sys.argv)
    if a.n % KEY_STRIDE == 0:
        ap.error("--n must not be a multiple of %d" % KEY_STRIDE)
    exe = os.path.join(a.build, "python", "pcoll-py-capi-loop")
    if not os.access(exe, os.X_OK):
        ap.error("%s not found: build first (ninja -C %s)" % (exe, a.build))
    if gdbm is None:
        ap.error("dbm.gnu is missing (Debian: python3-gdbm)")
    keys = [key_of(i, a.n) for i in range(a.n)]
    scan_keys = [key_of(i % a.n, a.n) for i in range(a.scans)]
    base = os.path.join(a.dir, "pcoll-pybench-%d" % os.getpid())
    info = machine()
    runs = []
    try:
        for r in range(a.runs):
            one = {}
            # alternate which of the two goes first (the machine's noise
            # drifts)
            if r % 2:
                one["C loop"] = bench_capi(exe, base + ".c.pool", a.n,
                                           a.scans, a.rounds)
            one["pcoll"] = bench_pcoll(base + ".pool", keys, scan_keys,
                                       a.rounds)
            if r % 2 == 0:
                one["C loop"] = bench_capi(exe, base + ".c.pool", a.n,
                                           a.scans, a.rounds)
            one["sqlite3"] = bench_sqlite(base + ".sqlite", keys, scan_keys)
            one["gdbm"] = bench_dbm(base + ".gdbm", keys, False)
            one["shelve"] = bench_dbm(base + ".shelve", keys, True)
            runs.append(one)
            print("run %d done: pcoll put %.2f us, get %.2f us" % (
                r + 1, one["pcoll"]["put"] * 1e6, one["pcoll"]["get"] * 1e6),
                file=sys.stderr)
    finally:
        for f in [base + ".pool", base + ".c.pool", base + ".gdbm",
                  base + ".shelve"] + sqlite_files(base + ".sqlite"):
            if os.path.exists(f):
                os.remove(f)
    info["load_after"] = os.getloadavg()

    def col(store, op):
        return [run[store][op] for run in runs if op in run[store]]

    print("machine: %s, %d cores; Python %s (%s); kernel %s" % (
        info["cpu"], info["cores"], info["python"], info["executable"],
        info["kernel"]))
    print("load average before/after: %.2f / %.2f; %d runs of %d puts, %d "
          "gets, %d scans of %d keys; files on %s; PMEM_IS_PMEM_FORCE=%s" % (
              info["load"][0], info["load_after"][0], a.runs, a.n, a.n,
              a.scans, SCAN, a.dir, force))
    print()
    print("| store | put us/op | get us/op | 100-key scan us |")
    print("|---|---|---|---|")
    for store in ("pcoll", "C loop", "sqlite3", "gdbm", "shelve"):
        scan = col(store, "scan")
        print("| %s | %s | %s | %s |" % (store, fmt(col(store, "put")),
                                          fmt(col(store, "get")),
                                          fmt(scan) if scan else "n/a"))
    print()
    print("Values: median [min-max] over the runs, microseconds.")

    def ratios(other, op):
        return [run[other][op] / run["pcoll"][op] for run in runs]

    def rfmt(vals):
        return "%.2fx [%.2f-%.2f]" % (statistics.median(vals), min(vals),
                                      max(vals))
    checks = [
        ("puts vs sqlite3 (target >= 5x)", ratios("sqlite3", "put"), 5.0),
        ("puts vs gdbm+sync (target >= 2x)", ratios("gdbm", "put"), 2.0),
        ("gets vs gdbm (target >= 1x)", ratios("gdbm", "get"), 1.0),
        ("puts vs shelve+sync", ratios("shelve", "put"), None),
        ("scans vs sqlite3", ratios("sqlite3", "scan"), None),
    ]
    print()
    print("| pcoll speedup (their time / pcoll's, per run) | median [min-max] "
          "| target met in runs |")
    print("|---|---|---|")
    for name, vals, target in checks:
        met = ("%d/%d" % (sum(v >= target for v in vals), len(vals))
               if target else "")
        print("| %s | %s | %s |" % (name, rfmt(vals), met))
    print()
    print("| Python layer's cost over the C loop (target <= 1 us) | "
          "first pass | fastest of %d further passes |" % a.rounds)
    print("|---|---|---|")
    for op, label in (("put", "per put (then: replace)"), ("get", "per get"),
                      ("scan", "per 100-key scan"),
                      ("scan1", "per key of a scan")):
        src = "scan" if op == "scan1" else op
        div = SCAN if op == "scan1" else 1
        first = [(run["pcoll"][src] - run["C loop"][src]) / div
                 for run in runs]
        best = [(run["pcoll"]["min_" + src] - run["C loop"]["min_" + src]) /
                div for run in runs if "min_" + src in run["pcoll"]]
        print("| %s | %s | %s |" % (label, fmt(first),
                                    fmt(best) if best else "n/a"))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"machine": info, "args": vars(a), "runs": runs}, f,
                      indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
