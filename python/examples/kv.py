#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""pmemkv-python's basic example, running on pcoll: only the import line
differs (``from pcoll import pmemkv`` instead of ``import pmemkv``).

    kv.py [DIRECTORY [SIZE]]

The "vsmap" engine is volatile, as in pmemkv: its pool lives in DIRECTORY
(default /dev/shm) while the database runs and is removed by stop().
"""
import sys

from pcoll import pmemkv


def callback(key):
    print(memoryview(key).tobytes().decode())


directory = sys.argv[1] if len(sys.argv) > 1 else "/dev/shm"
size = int(sys.argv[2]) if len(sys.argv) > 2 else 64 << 20

print("Starting engine")
db = pmemkv.Database("vsmap", '{"path": "%s", "size": %d}' % (directory,
                                                               size))
print("Put new key")
db.put("key1", "value1")
assert db.count_all() == 1

print("Reading key back")
assert db.get_string("key1") == "value1"

print("Iterating existing keys")
db.put("key2", "value2")
db.put("key3", "value3")
db.get_keys(lambda k: print("visited: %s" % memoryview(k).tobytes().decode()))

print("Get single value")
db.get("key1", callback)

print("Counting keys above key1 and below key3")
print(db.count_above("key1"), db.count_below("key3"))

print("Removing existing key")
db.remove("key1")
assert not db.exists("key1")

print("Stopping engine")
db.stop()
