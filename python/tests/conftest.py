# SPDX-License-Identifier: BSD-3-Clause
"""Fixtures of the pcoll Python tests.

Pools go to $PCOLL_TEST_DIR (meson sets it, with PMEM_IS_PMEM_FORCE=1 for
the python suite and 0 for python-msync); every pool a test makes is
removed when it ends, passed or failed.
"""
import gc
import os
import shutil
import sys
import uuid

import pytest

import pcoll

TEST_DIR = os.environ.get("PCOLL_TEST_DIR", "/dev/shm")
SRC_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD_DIR = os.environ.get("PCOLL_PY_BUILD", "")


def remove_pool(path):
    """Remove a pool file, its growable parts and compat leftovers."""
    for p in (path, path + ".parts"):
        if os.path.isdir(p):
            shutil.rmtree(p, ignore_errors=True)
        elif os.path.exists(p):
            os.remove(p)


@pytest.fixture
def pool_dir():
    """A directory of this test's own, removed afterwards."""
    os.makedirs(TEST_DIR, exist_ok=True)
    d = os.path.join(TEST_DIR, "pcoll-py-%d-%s" % (os.getpid(),
                                                  uuid.uuid4().hex[:8]))
    os.mkdir(d)
    yield d
    gc.collect()
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def pool_path(pool_dir):
    """A path for a pool (not created)."""
    return os.path.join(pool_dir, "test.pool")


@pytest.fixture
def pool(pool_path):
    """An open 32 MiB pool, closed afterwards."""
    p = pcoll.Pool.create(pool_path, 32 << 20)
    yield p
    gc.collect()
    try:
        p.close()
    except Exception:
        pass


def child_env():
    """The environment for child Python processes: the package on
    PYTHONPATH as the tests see it."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in [os.path.dirname(os.path.dirname(pcoll.__file__)),
                    env.get("PYTHONPATH", "")] if p)
    return env


PYTHON = sys.executable
