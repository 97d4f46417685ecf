# SPDX-License-Identifier: BSD-3-Clause
"""The programs in python/examples, run as a user runs them."""
import os
import subprocess

import pcoll
from conftest import PYTHON, SRC_DIR, child_env

EXAMPLES = os.path.join(SRC_DIR, "examples")


def run(script, *args, stdin=None, cwd=None):
    r = subprocess.run([PYTHON, os.path.join(EXAMPLES, script)] +
                       list(args), input=stdin, capture_output=True,
                       text=True, env=child_env(), cwd=cwd, timeout=120)
    assert r.stderr == "", r.stderr
    return r.returncode, r.stdout


def number_of(path):
    with pcoll.Pool.open(path) as pool:
        return int(pool.map("game")["number"])


def test_guess_win(pool_dir):
    path = os.path.join(pool_dir, "game.pool")
    rc, out = run("guess.py", "--pool", path, "start", stdin="David\n")
    assert rc == 0
    assert "David, I've picked a number between 1 and 50." in out
    rc, out = run("guess.py", "--pool", path, "status")
    assert "No guesses yet" in out
    n = number_of(path)
    low = 1 if n > 1 else None
    if low:
        rc, out = run("guess.py", "--pool", path, "guess", str(low))
        assert out.strip() == "Your guess is too low."
        rc, out = run("guess.py", "--pool", path, "guess", str(low))
        assert out.strip() == "You already tried %d." % low
    rc, out = run("guess.py", "--pool", path, "status")
    assert ("Guesses so far" in out) == bool(low)
    rc, out = run("guess.py", "--pool", path, "guess", "x")
    assert rc == 1 and "integer" in out
    rc, out = run("guess.py", "--pool", path, "guess", "51")
    assert rc == 1 and "outside" in out
    rc, out = run("guess.py", "--pool", path, "guess", str(n))
    assert "You guessed my number in %d tries, David." % (3 if low else 1) \
        in out
    assert not os.path.exists(path)            # the game is over
    rc, out = run("guess.py", "--pool", path, "status")
    assert rc == 1 and "No game in progress" in out


def test_guess_lose(pool_dir):
    path = os.path.join(pool_dir, "game.pool")
    run("guess.py", "--pool", path, "start", "Ann")
    n = number_of(path)
    wrong = [g for g in range(1, 51) if g != n][:6]
    for g in wrong[:5]:
        rc, out = run("guess.py", "--pool", path, "guess", str(g))
        assert "too" in out
        assert os.path.exists(path)
    rc, out = run("guess.py", "--pool", path, "guess", str(wrong[5]))
    assert "Too many guesses, Ann! The number I was thinking of was %d." \
        % n in out
    assert not os.path.exists(path)


def test_guess_aborted_start(pool_dir):
    path = os.path.join(pool_dir, "game.pool")
    # a start that died before its transaction committed leaves a pool
    # without the game
    pcoll.Pool.create(path, 16 << 20).close()
    rc, out = run("guess.py", "--pool", path, "guess", "3")
    assert rc == 1 and "start was aborted" in out
    assert not os.path.exists(path)
    rc, out = run("guess.py", "--pool", path, "start", "Bo")
    assert rc == 0
    rc, out = run("guess.py", "--pool", path, "start", "Bo")
    assert rc == 1 and "already a game" in out


def test_kv(pool_dir):
    rc, out = run("kv.py", pool_dir, str(16 << 20))
    assert rc == 0
    assert out.splitlines() == [
        "Starting engine", "Put new key", "Reading key back",
        "Iterating existing keys", "visited: key1", "visited: key2",
        "visited: key3", "Get single value", "value1",
        "Counting keys above key1 and below key3", "2 2",
        "Removing existing key", "Stopping engine"]
    assert os.listdir(pool_dir) == []          # vsmap is volatile


def test_log(pool_dir):
    path = os.path.join(pool_dir, "my.pmemlog")
    rc, out = run("log.py", path)
    assert rc == 0
    lines = out.splitlines()
    assert int(lines[0]) > 2 << 20
    # the second walk is in chunks of 8 bytes over both records
    assert lines[1:] == ["Data: persistent logging!",
                         "Data: persiste", "Data: nt loggi", "Data: ng!and a",
                         "Data: fter reo", "Data: pening", "tell: 38"]


def test_blocks(pool_dir):
    path = os.path.join(pool_dir, "happy.pmemblk")
    rc, out = run("blocks.py", path, str(32 << 20))
    assert rc == 0
    lines = out.splitlines()
    assert int(lines[0]) > 20
    assert lines[1] == "persistent block!"
