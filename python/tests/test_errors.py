# SPDX-License-Identifier: BSD-3-Clause
"""pcoll.Error and its subclasses: what they carry and what they derive
from."""
import errno

import pytest

import pcoll


def test_every_code_has_a_name():
    names = pcoll.error_names()
    assert names[0] == "PC_OK"
    assert names[6] == "PC_E_FULL"
    assert names[20] == "PC_E_BADBLOCK"
    # err.h may grow: every value this build knows must have a name
    assert "PC_E_UNKNOWN" not in names.values()
    assert len(set(names.values())) == len(names)


@pytest.mark.parametrize("cls, bases", [
    (pcoll.FullError, ()),
    (pcoll.TypeMismatch, (TypeError,)),
    (pcoll.CorruptError, ()),
    (pcoll.BusyError, ()),
    (pcoll.NotFoundError, (LookupError,)),
    (pcoll.PoolNotFoundError, (LookupError, FileNotFoundError)),
    (pcoll.ExistsError, ()),
    (pcoll.PoolExistsError, (FileExistsError,)),
    (pcoll.RangeError, (IndexError,)),
    (pcoll.InvalidError, (ValueError,)),
    (pcoll.TransactionError, ()),
    (pcoll.ClosedError, (ValueError,)),
    (pcoll.BadBlockError, (OSError,)),
    (pcoll.FormatError, ()),
    (pcoll.NoMemoryError, (MemoryError,)),
])
def test_hierarchy(cls, bases):
    assert issubclass(cls, pcoll.Error)
    for b in bases:
        assert issubclass(cls, b)


def test_error_carries_code_name_and_message(pool):
    pool.vector("v", "d")
    with pytest.raises(pcoll.TypeMismatch) as ei:
        pool.vector("v", "q")
    e = ei.value
    assert e.code == 4
    assert e.name == "PC_E_TYPE"
    assert "'v'" in e.message and "typecode 'q'" in e.message
    assert str(e).startswith("PC_E_TYPE: ")
    assert pool.path in str(e)


def test_pcoll_message_from_the_c_library(pool_path):
    with pytest.raises(pcoll.PoolNotFoundError) as ei:
        pcoll.Pool.open(pool_path)
    e = ei.value
    assert e.errno == errno.ENOENT
    assert pool_path in e.message
    assert e.message.endswith("[not found]")


def test_bad_block_is_an_oserror_with_eio(pool):
    b = pool.blocks("b", 64, 4)
    b.set_error(2)
    with pytest.raises(OSError) as ei:
        b.read(2)
    assert isinstance(ei.value, pcoll.BadBlockError)
    assert ei.value.errno == errno.EIO
    assert ei.value.name == "PC_E_BADBLOCK"
