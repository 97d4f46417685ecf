# SPDX-License-Identifier: BSD-3-Clause
"""pmemkv-python's ``Database`` on a pcoll Map.

::

    from pcoll import pmemkv
    db = pmemkv.Database("cmap", '{"path": "/dev/shm/kv.pool", '
                                 '"size": 1073741824}')
    db.put("key1", "value1")
    assert db.get_string("key1") == "value1"
    db.get_keys(lambda k: print(k))
    db.stop()

Engines: the persistent ones ("cmap", "stree", "csmap", "radix",
"robinhood", "tree3") keep their data in the pool file at ``path``,
created with ``size`` bytes when missing; the volatile ones ("vsmap",
"vcmap") take a directory as ``path`` and keep their data in a pool file
of their own there that stop() removes, so, as with pmemkv, nothing
survives stop(). Every engine is the same ordered map (PMAP(bytes, bytes)
under the root "pmemkv"), so get_all() and friends visit keys in order for
all of them.

Differences from pmemkv-python: keys and values are bytes (str is stored
as UTF-8); the *_string methods decode to str; a callback's true return
value stops the iteration (as pmemkv's C API, where a nonzero result
stops); the config also accepts a dict; errors are pcoll errors
(:class:`Error` here, :class:`WrongEngineName` for an unknown engine).
"""
import json as _json
import os as _os
import tempfile as _tempfile

import pcoll as _pcoll

__all__ = ["Database", "Error", "WrongEngineName", "InvalidArgument",
           "PERSISTENT_ENGINES", "VOLATILE_ENGINES", "ROOT"]

PERSISTENT_ENGINES = ("cmap", "stree", "csmap", "radix", "robinhood",
                      "tree3")
VOLATILE_ENGINES = ("vsmap", "vcmap")
#: The root every engine keeps its map under.
ROOT = "pmemkv"


class Error(_pcoll.Error):
    """Base of this module's own errors."""


class WrongEngineName(Error, ValueError):
    """The engine name is not one of the known engines."""


class InvalidArgument(Error, ValueError):
    """The configuration is not usable."""


def _config(config):
    if isinstance(config, (str, bytes)):
        try:
            config = _json.loads(config)
        except ValueError as e:
            raise InvalidArgument("config is not valid JSON: %s" % e) from e
    if not isinstance(config, dict):
        raise InvalidArgument("config must be a JSON object or a dict, not "
                              "%s" % type(config).__name__)
    if "path" not in config:
        raise InvalidArgument("config has no \"path\"")
    return config


class Database(object):
    """A key-value store started on engine with config (JSON text or a
    dict with "path", "size" and optionally "force_create")."""

    def __init__(self, engine, config):
        self.__stopped = True
        self._tmp = None
        if engine not in PERSISTENT_ENGINES + VOLATILE_ENGINES:
            raise WrongEngineName("unknown engine %r (known: %s)" % (
                engine, ", ".join(PERSISTENT_ENGINES + VOLATILE_ENGINES)))
        cfg = _config(config)
        path = _os.fspath(cfg["path"])
        size = int(cfg.get("size", 0))
        if engine in VOLATILE_ENGINES:
            if not _os.path.isdir(path):
                raise InvalidArgument("engine %s needs a directory as path, "
                                      "not %r" % (engine, path))
            fd, self._tmp = _tempfile.mkstemp(prefix="pmemkv-%s-" % engine,
                                              suffix=".pool", dir=path)
            _os.close(fd)
            _os.unlink(self._tmp)
            self._pool = _pcoll.Pool.create(self._tmp,
                                            max(size, _pcoll.POOL_MIN_SIZE))
        elif cfg.get("force_create"):
            self._pool = _pcoll.Pool.create(path, size)
        elif _os.path.exists(path):
            self._pool = _pcoll.Pool.open(path)
        else:
            self._pool = _pcoll.Pool.create(path, size)
        try:
            self._map = self._pool.map(ROOT)
        except BaseException:
            self._shut()
            raise
        self.__stopped = False

    @property
    def stopped(self):
        """True once stop() was called."""
        return self.__stopped

    def _shut(self):
        self._pool.close()
        if self._tmp:
            _os.unlink(self._tmp)
            self._tmp = None

    def stop(self):
        """Stop the engine: close the pool (a volatile engine's data goes
        with it). Calls afterwards raise pcoll.ClosedError."""
        if not self.__stopped:
            self.__stopped = True
            self._shut()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    # -- single keys ------------------------------------------------------

    def put(self, key, value):
        """Store value under key (bytes, or str as UTF-8)."""
        self._map[key] = value

    def get(self, key, func=None):
        """The value of key as bytes, or None when absent. With func, call
        func(value) instead (when present) and return None."""
        v = self._map.get(key)
        if func is None:
            return v
        if v is not None:
            func(v)
        return None

    def get_string(self, key, encoding="utf-8"):
        """The value of key decoded as str, or None when absent."""
        v = self._map.get(key)
        return None if v is None else v.decode(encoding)

    def exists(self, key):
        """True when key is present."""
        return key in self._map

    def remove(self, key):
        """Remove key; True if it was present."""
        return self._map.pop(key, None) is not None

    def __getitem__(self, key):
        return self._map[key]

    def __setitem__(self, key, value):
        self._map[key] = value

    def __delitem__(self, key):
        del self._map[key]

    def __contains__(self, key):
        return key in self._map

    def __len__(self):
        return len(self._map)

    # -- counts -----------------------------------------------------------

    def count_all(self):
        """Number of keys."""
        return self._map.count_all()

    def count_above(self, key):
        """Number of keys greater than key."""
        return self._map.count_above(key)

    def count_below(self, key):
        """Number of keys less than key."""
        return self._map.count_below(key)

    def count_between(self, key1, key2):
        """Number of keys strictly between key1 and key2."""
        return self._map.count_between(key1, key2)

    # -- visits -----------------------------------------------------------

    def _visit(self, items, func, keys_only=False, encoding=None):
        for k, v in items:
            if encoding is not None:
                k = k.decode(encoding)
                v = v.decode(encoding)
            r = func(k) if keys_only else func(k, v)
            if r:
                return

    def _above(self, key):
        return self._map.range(key, None, inclusive=(False, False))

    def _below(self, key):
        return self._map.range(None, key, inclusive=(False, False))

    def _between(self, key1, key2):
        if self._key_ge(key1, key2):
            return iter(())
        return self._map.range(key1, key2, inclusive=(False, False))

    @staticmethod
    def _key_ge(a, b):
        a = a.encode() if isinstance(a, str) else bytes(a)
        b = b.encode() if isinstance(b, str) else bytes(b)
        return a >= b

    def get_all(self, func):
        """Call func(key, value) for every pair in key order; a true result
        stops."""
        self._visit(self._map.range(), func)

    def get_above(self, key, func):
        """func(key, value) for keys greater than key."""
        self._visit(self._above(key), func)

    def get_below(self, key, func):
        """func(key, value) for keys less than key."""
        self._visit(self._below(key), func)

    def get_between(self, key1, key2, func):
        """func(key, value) for keys strictly between key1 and key2."""
        self._visit(self._between(key1, key2), func)

    def get_keys(self, func):
        """Call func(key) for every key in order; a true result stops."""
        self._visit(self._map.range(), func, keys_only=True)

    def get_keys_above(self, key, func):
        """func(key) for keys greater than key."""
        self._visit(self._above(key), func, keys_only=True)

    def get_keys_below(self, key, func):
        """func(key) for keys less than key."""
        self._visit(self._below(key), func, keys_only=True)

    def get_keys_between(self, key1, key2, func):
        """func(key) for keys strictly between key1 and key2."""
        self._visit(self._between(key1, key2), func, keys_only=True)

    def get_keys_strings(self, func, encoding="utf-8"):
        """get_keys() with the keys decoded to str."""
        self._visit(self._map.range(), func, True, encoding)

    def get_keys_strings_above(self, key, func, encoding="utf-8"):
        """get_keys_above() with the keys decoded to str."""
        self._visit(self._above(key), func, True, encoding)

    def get_keys_strings_below(self, key, func, encoding="utf-8"):
        """get_keys_below() with the keys decoded to str."""
        self._visit(self._below(key), func, True, encoding)

    def get_keys_strings_between(self, key1, key2, func, encoding="utf-8"):
        """get_keys_between() with the keys decoded to str."""
        self._visit(self._between(key1, key2), func, True, encoding)

    def get_all_string(self, func, encoding="utf-8"):
        """get_all() with keys and values decoded to str."""
        self._visit(self._map.range(), func, False, encoding)

    get_all_strings = get_all_string

    def get_string_above(self, key, func, encoding="utf-8"):
        """get_above() with keys and values decoded to str."""
        self._visit(self._above(key), func, False, encoding)

    def get_string_below(self, key, func, encoding="utf-8"):
        """get_below() with keys and values decoded to str."""
        self._visit(self._below(key), func, False, encoding)

    def get_string_between(self, key1, key2, func, encoding="utf-8"):
        """get_between() with keys and values decoded to str."""
        self._visit(self._between(key1, key2), func, False, encoding)
