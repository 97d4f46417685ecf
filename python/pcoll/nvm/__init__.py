# SPDX-License-Identifier: BSD-3-Clause
"""pynvm's modules on pcoll: :mod:`pcoll.nvm.pmemlog` (libpmemlog's API on
PLOG) and :mod:`pcoll.nvm.pmemblk` (libpmemblk's API on PBLKARR).

A program written for pynvm runs with its import line changed from
``from nvm import pmemlog`` to ``from pcoll.nvm import pmemlog``. The pool
files are pcoll pools, the same as those of pcoll's C compatibility
headers (a PLOG root named "pmemlog", a PBLKARR root named "pmemblk").
"""
import errno as _errno
import os as _os

import pcoll as _pcoll
from pcoll._errors import _set_oserror

__all__ = ["NvmError"]


class NvmError(_pcoll.Error, RuntimeError, OSError):
    """What the compatibility modules raise: a :class:`pcoll.Error` that is
    also the RuntimeError pynvm raised and an OSError whose ``errno`` is
    the one libpmemlog or libpmemblk would have set."""


def _errno_of(err, full_errno):
    code = getattr(err, "code", None)
    return {
        1: _errno.ENOENT, 2: _errno.EEXIST, 6: full_errno,
        9: _errno.EAGAIN, 10: _errno.EIO, 15: _errno.ENOMEM,
        20: _errno.EIO,
    }.get(code, _errno.EINVAL)


def _raise(err, full_errno):
    """Re-raise pcoll error ``err`` as an NvmError with its errno."""
    num = _errno_of(err, full_errno)
    e = NvmError(num, "%s: %s" % (_os.strerror(num), err))
    _set_oserror(e, num, "%s: %s" % (_os.strerror(num), err))
    e.code = getattr(err, "code", None)
    e.name = getattr(err, "name", None)
    e.message = getattr(err, "message", str(err))
    raise e from err


def _check_version(lib, major_required, minor_required):
    """check_version() of both modules: this package provides 1.1."""
    if major_required != 1:
        raise RuntimeError("%s major version mismatch (pcoll provides 1)"
                           % lib)
    if minor_required > 1:
        raise RuntimeError("%s minor version mismatch (pcoll provides 1.1)"
                           % lib)
    return True


def _invalid(msg):
    text = "%s: %s" % (_os.strerror(_errno.EINVAL), msg)
    e = NvmError(_errno.EINVAL, text)
    _set_oserror(e, _errno.EINVAL, text)
    e.code = 8
    e.name = "PC_E_INVAL"
    e.message = msg
    return e
