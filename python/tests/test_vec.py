# SPDX-License-Identifier: BSD-3-Clause
"""pcoll.Vector: every typecode, the mutable sequence protocol, slices,
buffers and their invalidation, bad arguments, a full pool."""
import array
import collections.abc
import math

import pytest

import pcoll

INTS = {"b": (-128, 127), "B": (0, 255), "h": (-2**15, 2**15 - 1),
        "H": (0, 2**16 - 1), "i": (-2**31, 2**31 - 1), "I": (0, 2**32 - 1),
        "l": (-2**63, 2**63 - 1), "L": (0, 2**64 - 1),
        "q": (-2**63, 2**63 - 1), "Q": (0, 2**64 - 1)}
SIGS = {"b": "int8_t", "B": "uint8_t", "h": "int16_t", "H": "uint16_t",
        "i": "int32_t", "I": "uint32_t", "l": "long", "L": "unsigned_long",
        "q": "int64_t", "Q": "uint64_t", "f": "float", "d": "double"}


@pytest.mark.parametrize("tc", sorted(INTS))
def test_integer_typecodes(pool, tc):
    lo, hi = INTS[tc]
    v = pool.vector("v", tc)
    assert v.typecode == tc
    assert v.itemsize == array.array(tc).itemsize
    v.extend([lo, 0, hi])
    v.append(1)
    assert v.tolist() == [lo, 0, hi, 1]
    for bad in (lo - 1, hi + 1):
        with pytest.raises(OverflowError, match="typecode '%s'" % tc):
            v.append(bad)
        with pytest.raises(OverflowError):
            v[0] = bad
        with pytest.raises(OverflowError):
            v.extend([1, bad])
    with pytest.raises(TypeError):
        v.append(1.5)
    with pytest.raises(TypeError):
        v.append("1")
    assert v.tolist() == [lo, 0, hi, 1]
    assert pool.roots() == {"v": "pvec<%s>" % SIGS[tc]}
    assert v.tobytes() == array.array(tc, [lo, 0, hi, 1]).tobytes()


@pytest.mark.parametrize("tc", ["f", "d"])
def test_float_typecodes(pool, tc):
    v = pool.vector("v", tc)
    v.extend([1.5, -0.0, math.inf, 2])
    v.append(3)                     # ints are numbers too
    assert v.tolist() == [1.5, -0.0, math.inf, 2.0, 3.0]
    v.append(math.nan)
    assert math.isnan(v[-1])
    with pytest.raises(TypeError):
        v.append("x")
    assert pool.roots() == {"v": "pvec<%s>" % SIGS[tc]}


def test_typecode_is_recorded(pool_path):
    with pcoll.Pool.create(pool_path, 16 << 20) as pool:
        pool.vector("v", "l").extend([1, 2])
        pool.vector("w", "q").extend([3])
    with pcoll.Pool.open(pool_path) as pool:
        v = pool.vector("v")             # typecode from the signature
        assert v.typecode == "l" and v.tolist() == [1, 2]
        with pytest.raises(pcoll.TypeMismatch) as ei:
            pool.vector("w", "l")        # same size, another typecode
        assert "typecode 'q'" in str(ei.value)
        assert isinstance(ei.value, TypeError)
        with pytest.raises(pcoll.TypeMismatch):
            pool.vector("v", "d")
    with pcoll.Pool.open(pool_path) as pool:
        with pytest.raises(pcoll.TypeMismatch):
            pool.vector("w", "d")        # checked against the pool, too


def test_bad_typecodes(pool):
    with pytest.raises(ValueError, match="typecode"):
        pool.vector("v", "u")
    with pytest.raises(ValueError, match="typecode"):
        pool.vector("v", "x")
    with pytest.raises(TypeError):
        pool.vector("v", "dd")
    with pytest.raises(TypeError):
        pool.vector("v", 100)
    with pytest.raises(ValueError, match="needs a typecode"):
        pool.vector("v")
    assert pool.roots() == {}


def test_sequence_protocol(pool):
    v = pool.vector("v", "i")
    assert isinstance(v, collections.abc.MutableSequence)
    v.extend(range(10))
    assert len(v) == 10 and v[0] == 0 and v[-1] == 9
    with pytest.raises(IndexError):
        v[10]
    with pytest.raises(IndexError):
        v[-11]
    with pytest.raises(TypeError):
        v["0"]
    v[-1] = 90
    assert v[9] == 90
    del v[0]
    assert v.tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 90]
    v.insert(0, -1)
    v.insert(100, 100)
    v.insert(-1, 99)
    assert v.tolist() == [-1, 1, 2, 3, 4, 5, 6, 7, 8, 90, 99, 100]
    assert v.pop() == 100 and v.pop(0) == -1 and v.pop(-2) == 90
    with pytest.raises(IndexError):
        v.pop(50)
    v.remove(5)
    with pytest.raises(ValueError):
        v.remove(5)
    assert v.index(7) == 5 and v.index(7, 5) == 5
    with pytest.raises(ValueError):
        v.index(7, 6)
    assert 3 in v and 3.0 in v and 3.5 not in v and "x" not in v
    assert v.index(3.0) == 2
    v.extend([3, 3])
    assert v.count(3) == 3
    v.reverse()
    assert v.tolist() == [3, 3, 99, 8, 7, 6, 4, 3, 2, 1]
    v.sort()
    assert v.tolist() == [1, 2, 3, 3, 3, 4, 6, 7, 8, 99]
    v.sort(reverse=True)
    assert v.tolist() == [99, 8, 7, 6, 4, 3, 3, 3, 2, 1]
    v += [5]
    assert v[-1] == 5
    assert list(reversed(v))[:2] == [5, 1]
    assert v == v.tolist() and v != [1]
    v.clear()
    assert len(v) == 0 and v.capacity >= 11
    with pytest.raises(IndexError):
        v.pop()


def test_slices(pool):
    v = pool.vector("v", "q")
    v.extend(range(10))
    s = v[2:5]
    assert isinstance(s, array.array) and s.typecode == "q"
    assert s.tolist() == [2, 3, 4]
    assert v[::3].tolist() == [0, 3, 6, 9]
    assert v[::-4].tolist() == [9, 5, 1]
    assert v[8:2].tolist() == []
    v[2:5] = [20, 30]                       # shorter
    assert v.tolist() == [0, 1, 20, 30, 5, 6, 7, 8, 9]
    v[0:1] = array.array("q", [100, 101, 102])   # longer, from a buffer
    assert v.tolist() == [100, 101, 102, 1, 20, 30, 5, 6, 7, 8, 9]
    v[::2] = [0] * 6
    assert v.tolist() == [0, 101, 0, 1, 0, 30, 0, 6, 0, 8, 0]
    with pytest.raises(ValueError):
        v[::2] = [1, 2]
    del v[1::2]
    assert v.tolist() == [0] * 6
    v[:] = range(5)
    del v[1:3]
    assert v.tolist() == [0, 3, 4]
    del v[::-1]
    assert v.tolist() == []
    v[:] = v                                # from itself
    v.extend([1, 2])
    v[len(v):] = v
    assert v.tolist() == [1, 2, 1, 2]
    with pytest.raises(TypeError):
        v[1:2] = [1.5]
    assert v.tolist() == [1, 2, 1, 2]


def test_extend_is_all_or_nothing(pool):
    v = pool.vector("v", "h")
    v.extend([1, 2])
    with pytest.raises(OverflowError):
        v.extend([3, 4, 1 << 20])
    with pytest.raises(TypeError):
        v.extend(5)
    with pytest.raises(TypeError):
        v.extend([1, None])
    assert v.tolist() == [1, 2]
    v.extend(x for x in (5, 6))
    v.extend(array.array("h", [7]))
    v.extend(array.array("i", [8]))         # another format: converted
    assert v.tolist() == [1, 2, 5, 6, 7, 8]


def test_sort_nan_last(pool):
    v = pool.vector("v", "d")
    v.extend([3.0, math.nan, -1.0, math.inf, -math.inf, 0.5])
    v.sort()
    r = v.tolist()
    assert r[:5] == [-math.inf, -1.0, 0.5, 3.0, math.inf]
    assert math.isnan(r[5])


def test_memoryview_without_copy(pool):
    v = pool.vector("v", "d")
    v.extend([1.0, 2.0, 3.0])
    mv = memoryview(v)
    assert mv.readonly and mv.format == "d" and mv.itemsize == 8
    assert mv.shape == (3,) and mv.tolist() == [1.0, 2.0, 3.0]
    v[0] = 10.0                             # no copy: the view sees it
    assert mv[0] == 10.0
    with pytest.raises(TypeError):
        mv[0] = 5.0
    mv.release()
    empty = pool.vector("e", "B")
    with memoryview(empty) as m2:
        assert m2.tobytes() == b"" and m2.shape == (0,)


def test_numpy_wraps_the_vector(pool):
    np = pytest.importorskip("numpy")
    v = pool.vector("v", "q")
    v.extend(range(1000))
    a = np.asarray(v.view())
    assert a.dtype == np.int64 and a.shape == (1000,)
    assert int(a.sum()) == sum(range(1000))
    v[0] = 7
    assert a[0] == 7                        # the same memory
    assert not a.flags.writeable
    b = np.frombuffer(v, dtype=np.int64)
    assert b[999] == 999
    del b
    # numpy keeps the view: growing is refused, nothing changes
    cap = v.capacity
    with pytest.raises(BufferError):
        v.extend(range(cap))
    assert len(v) == 1000
    del a
    v.extend(range(cap))
    assert len(v) == 1000 + cap


def test_view_released_when_the_vector_grows(pool):
    v = pool.vector("v", "i")
    v.reserve(4)
    cap = v.capacity
    v.extend(range(cap))
    mv = v.view()
    assert mv.tolist() == list(range(cap))
    v[0] = 5                                # no growth: the view stays
    v.pop()
    assert mv[0] == 5
    v.append(1)
    v.append(2)                             # over capacity: released
    with pytest.raises(ValueError, match="released"):
        mv.tolist()
    assert len(v) == cap + 1


def test_view_released_when_the_pool_closes(pool_path):
    pool = pcoll.Pool.create(pool_path, 16 << 20)
    v = pool.vector("v", "d")
    v.append(1.0)
    mv = v.view()
    pool.close()
    with pytest.raises(ValueError):
        mv[0]


def test_held_buffer_blocks_growth_and_close(pool_path):
    pool = pcoll.Pool.create(pool_path, 16 << 20)
    v = pool.vector("v", "B")
    v.extend(b"abc")
    mv = memoryview(v)                      # not a view(): cannot be
    with pytest.raises(BufferError):        # released by pcoll
        v.extend(b"x" * 1000)
    assert v.tobytes() == b"abc"
    with pytest.raises(BufferError):
        pool.close()
    assert not pool.closed
    assert mv.tobytes() == b"abc"
    mv.release()
    v.extend(b"x" * 1000)
    pool.close()


def test_slice_of_a_view_blocks_growth(pool):
    v = pool.vector("v", "H")
    v.extend(range(4))
    mv = v.view()
    part = mv[1:3]
    with pytest.raises(BufferError):
        v.extend(range(1000))
    assert part.tolist() == [1, 2]          # still valid
    part.release()
    v.extend(range(1000))
    assert len(v) == 1004


def test_no_buffer_inside_a_transaction(pool):
    v = pool.vector("v", "d")
    v.append(1.0)
    with pool.transaction():
        v.append(2.0)
        with pytest.raises(BufferError):
            memoryview(v)
        with pytest.raises(BufferError):
            v.view()
    assert memoryview(v).tolist() == [1.0, 2.0]


def test_writable_buffer_refused(pool):
    import ctypes
    v = pool.vector("v", "B")
    v.extend(b"ab")
    with pytest.raises(TypeError, match="not writable"):
        (ctypes.c_char * 2).from_buffer(v)
    assert v.tobytes() == b"ab"


def test_reserve_and_capacity(pool):
    v = pool.vector("v", "Q")
    assert v.capacity == 0
    v.reserve(1000)
    assert v.capacity >= 1000
    with pytest.raises(ValueError):
        v.reserve(-1)
    with pytest.raises(TypeError):
        v.reserve("1")
    with pytest.raises(pcoll.Error):
        v.reserve(1 << 60)
    assert len(v) == 0


def test_full_pool_loses_nothing(pool_path):
    with pcoll.Pool.create(pool_path, pcoll.POOL_MIN_SIZE) as pool:
        v = pool.vector("v", "Q")
        n = 0
        with pytest.raises(pcoll.FullError):
            while True:
                v.append(n)
                n += 1
        assert len(v) == n
        assert v.tolist() == list(range(n))
        with pytest.raises(pcoll.FullError):
            v.extend(range(n * 4))
        assert len(v) == n
        v.check()


def test_persistence(pool_path):
    with pcoll.Pool.create(pool_path, 16 << 20) as pool:
        v = pool.vector("v", "d")
        v.extend(x / 3 for x in range(10000))
    with pcoll.Pool.open(pool_path) as pool:
        v = pool.vector("v", "d", create=False)
        assert v.tolist() == [x / 3 for x in range(10000)]
        v.check()


def test_iteration(pool):
    v = pool.vector("v", "b")
    v.extend([1, 2, 3, 4])
    it = iter(v)
    assert next(it) == 1
    v.pop()
    v.pop()
    assert list(it) == [2]                  # stops at the new end
    assert list(reversed(v)) == [2, 1]



def test_close_releases_the_last_reference(pool_path):
    # the view is the only thing keeping the vector object alive: closing
    # the pool releases it, and with it the vector
    pool = pcoll.Pool.create(pool_path, 16 << 20)
    mv = pool.vector("v", "q").view()
    pool.close()
    with pytest.raises(ValueError):
        mv.tolist()
    pool = pcoll.Pool.open(pool_path)
    v = pool.vector("v")
    v.extend([1, 2])
    mv = v.view()
    del v
    pool.vector("v").extend(range(1000))     # growth releases it
    with pytest.raises(ValueError):
        mv[0]
    pool.close()
