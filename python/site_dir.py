# SPDX-License-Identifier: BSD-3-Clause
"""Used by python/meson.build: print the directory to install the package
in, for the interpreter running this and the install prefix argv[1].

meson proposes argv[2]; when the interpreter does not search it (Debian
searches <prefix>/lib/python3/dist-packages only for the prefix /usr),
the interpreter's own site directory under the prefix is taken, if any.
"""
import os
import sys

prefix, proposed = (os.path.abspath(a) for a in sys.argv[1:3])
path = [os.path.abspath(p) for p in sys.path if p]
under = [p for p in path if p.startswith(prefix + os.sep)
         and p.endswith(("site-packages", "dist-packages"))]
print(proposed if proposed in path or not under else under[0])
