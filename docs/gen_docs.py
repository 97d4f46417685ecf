#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Build the installed reference (meson option install_docs).

usage: gen_docs.py DOXYFILE OUTDIR HEADER...

Runs Doxygen with DOXYFILE's settings into OUTDIR/doxygen, then leaves in
OUTDIR the HTML reference (OUTDIR/html) and one section-3 man page per
HEADER, named pcoll_HEADER.3 (pcoll_vec.h.3 ...) with that name in its
title line, so that `man pcoll_vec.h` finds it.
"""
import os
import re
import shutil
import subprocess
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    doxyfile, outdir, headers = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3:]
    work = os.path.join(outdir, "doxygen")
    os.makedirs(work, exist_ok=True)
    with open(doxyfile) as f:
        conf = f.read() + f"\nOUTPUT_DIRECTORY = {work}\nGENERATE_XML = NO\n"
    r = subprocess.run(["doxygen", "-"], input=conf, text=True, cwd=work)
    if r.returncode != 0:
        sys.exit("gen_docs: doxygen failed")
    html = os.path.join(outdir, "html")
    shutil.rmtree(html, ignore_errors=True)
    shutil.copytree(os.path.join(work, "html"), html)
    for h in headers:
        src = os.path.join(work, "man", "man3", h + ".3")
        try:
            with open(src) as f:
                page = f.read()
        except OSError:
            sys.exit(f"gen_docs: Doxygen wrote no man page for {h}")
        name = "pcoll_" + h
        page = re.sub(r'^\.TH "[^"]*"', f'.TH "{name}"', page, count=1, flags=re.M)
        page = re.sub(r"^(\.SH NAME\n)\S+", lambda m: m.group(1) + name, page,
                      count=1, flags=re.M)
        with open(os.path.join(outdir, name + ".3"), "w") as f:
            f.write(page)


if __name__ == "__main__":
    main()
