#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The API reference, checked against the code (suite `docs`).

usage: check_docs.py api|html|selftest DOXYFILE SOURCE_DIR CC

api       Every public function a sample instantiation of each container
          defines (compiled with -fkeep-inline-functions, read with nm;
          the map instantiated plain and synchronized, PC_SYNC) must have
          a Doxygen entry (Doxygen's XML) in its header with a
          description, every parameter (@param), the return value
          (@return unless void), its fence cost ("Fences:") and its
          transaction rule ("Transactions:"). Every other public function
          of the core headers must at least be documented.
html      The main page (README.md) renders as written: no en dashes for
          `--`, no list made of a year, the meson snippet intact.
selftest  api on a copy of the headers with two entries removed (one of
          PVEC, one of PMAP) must fail and name exactly those two.

Doxygen runs into a temporary directory with DOXYFILE's settings
(OUTPUT_DIRECTORY and, for selftest, INPUT overridden).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

CONTAINERS = {"vec.h", "map.h", "log.h", "blkarr.h"}

# Translation units per generic container (each uses the instance name
# NAME; the map's twice: plain and synchronized, PC_SYNC) and one for
# everything else.
_MAP = "#define PC_K uint64_t\n#define PC_V uint64_t\n#define PC_NAME NAME\n" \
       "#include <pcoll/map.h>\n"
SAMPLES = {
    "vec.h": ["#define PC_T uint64_t\n#define PC_NAME NAME\n#include <pcoll/vec.h>\n"],
    "map.h": [_MAP, "#define PC_SYNC\n" + _MAP],
    None: ["#include <pcoll/log.h>\n#include <pcoll/blkarr.h>\n"],
}
# Headers that hold the rest of a container's public layer.
PARTS = {"map.h": ["map_iter.h"], "vec.h": ["vec_bulk.h"]}
PUBLIC = {"vec.h": re.compile(r"^NAME_(?!_)\w+(?<!_)$"),
          "map.h": re.compile(r"^NAME_(?!_)\w+(?<!_)$"),
          None: re.compile(r"^(pc|plog|pblkarr)_(?!_)\w+(?<!_)$")}


def defined_functions(src, cc, key):
    """Names of the public functions KEY's sample translation units define."""
    names = set()
    for sample in SAMPLES[key]:
        names |= sample_functions(src, cc, key, sample)
    return names


def sample_functions(src, cc, key, sample):
    """Names of the public functions one sample translation unit defines."""
    with tempfile.TemporaryDirectory() as d:
        tu = os.path.join(d, "sample.c")
        with open(tu, "w") as f:
            f.write("#include <stdint.h>\n#include <pcoll/pcoll.h>\n" + sample)
        obj = os.path.join(d, "sample.o")
        cflags = subprocess.run(["pkg-config", "--cflags", "libpmemobj", "libpmem"],
                                capture_output=True, text=True, check=True).stdout.split()
        subprocess.run([cc, "-std=c11", "-O0", "-fkeep-inline-functions", "-c", tu,
                        "-o", obj, "-I" + os.path.join(src, "include")] + cflags,
                       check=True)
        out = subprocess.run(["nm", "--defined-only", obj], capture_output=True,
                             text=True, check=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT" and PUBLIC[key].match(parts[2]):
            names.add(parts[2])
    return names


def run_doxygen(doxyfile, outdir, extra=()):
    with open(doxyfile) as f:
        conf = f.read()
    conf += f"\nOUTPUT_DIRECTORY = {outdir}\nWARN_AS_ERROR = NO\nQUIET = YES\n"
    conf += "".join(f"{line}\n" for line in extra)
    r = subprocess.run(["doxygen", "-"], input=conf, text=True, cwd=outdir,
                       capture_output=True)
    if r.returncode != 0:
        sys.exit(f"doxygen failed:\n{r.stderr}")


def text(e):
    return "".join(e.itertext()) if e is not None else ""


def documented(xmldir):
    """{header file name: {function name: memberdef}} from Doxygen's XML."""
    out = {}
    for fn in os.listdir(xmldir):
        if not fn.endswith("_8h.xml"):
            continue
        root = ET.parse(os.path.join(xmldir, fn)).getroot()
        for cd in root.iter("compounddef"):
            if cd.get("kind") != "file":
                continue
            header = cd.findtext("compoundname")
            funcs = out.setdefault(header, {})
            for m in cd.iter("memberdef"):
                if m.get("kind") == "function":
                    funcs[m.findtext("name")] = m
    return out


def entry_problems(m, complete):
    """What a function's entry lacks (empty list: nothing)."""
    desc = text(m.find("briefdescription")).strip() + text(m.find("detaileddescription")).strip()
    if not desc:
        return ["no documentation"]
    if not complete:
        return []
    probs = []
    params = [p.findtext("declname") for p in m.findall("param")]
    params = [p for p in params if p]
    have = {text(n).strip() for n in m.iter("parametername")}
    missing = [p for p in params if p not in have]
    if missing:
        probs.append("no @param for " + ", ".join(missing))
    rtype = text(m.find("type")).strip()
    if rtype != "void" and m.find(".//simplesect[@kind='return']") is None:
        probs.append("no @return")
    if "Fences:" not in desc:
        probs.append('no fence cost ("Fences:")')
    if "Transactions:" not in desc:
        probs.append('no transaction rule ("Transactions:")')
    return probs


def check_api(doxyfile, src, cc, extra=()):
    """Returns {function: [problems]} for every public function."""
    with tempfile.TemporaryDirectory() as out:
        run_doxygen(doxyfile, out, extra)
        docs = documented(os.path.join(out, "xml"))
    problems = {}
    for key in SAMPLES:
        for name in sorted(defined_functions(src, cc, key)):
            if key is not None:
                # The map's public layer is map.h and map_iter.h; the vector's
                # vec.h and vec_bulk.h.
                parts = [key] + PARTS.get(key, [])
                hits = [(h, docs.get(h, {})[name]) for h in parts
                        if name in docs.get(h, {})]
                entry = hits[0][1] if hits else None
                where = hits[0][0] if hits else " or ".join(parts)
                complete = True
            else:
                hits = [(h, f[name]) for h, f in docs.items() if name in f]
                entry = hits[0][1] if hits else None
                where = hits[0][0] if hits else "any header"
                complete = bool(hits) and where in CONTAINERS
            if entry is None:
                problems[f"{name} ({where})"] = ["no entry in the reference"]
                continue
            p = entry_problems(entry, complete)
            if p:
                problems[f"{name} ({where})"] = p
    return problems


def report(problems):
    for name, p in sorted(problems.items()):
        print(f"{name}: {'; '.join(p)}")


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    mode, doxyfile, src, cc = sys.argv[1:]
    doxyfile = os.path.abspath(doxyfile)
    if mode == "api":
        problems = check_api(doxyfile, src, cc)
        report(problems)
        print(f"api: {len(problems)} public functions with incomplete entries")
        sys.exit(1 if problems else 0)
    if mode == "html":
        with tempfile.TemporaryDirectory() as out:
            run_doxygen(doxyfile, out, ["GENERATE_XML = NO", "GENERATE_MAN = NO"])
            with open(os.path.join(out, "html", "index.html")) as f:
                page = f.read()
        broken = {
            "an en dash for --": r"&ndash;(cflags|libs)|–(cflags|libs)",
            "a year made a numbered list": r'<ol[^>]*start="20\d\d"|<ol type="1">\s*<li>libpmemobj-cpp',
            "the meson snippet garbled": r"&lsquo;pcoll_dep",
        }
        wanted = {
            "--cflags --libs": r"--cflags --libs",
            "the meson snippet": r"dependency\(&#39;pcoll&#39;, fallback : \[&#39;pcoll&#39;, &#39;pcoll_dep&#39;\]\)"
                                 r"|dependency\('pcoll', fallback : \['pcoll', 'pcoll_dep'\]\)",
            "the supported-versions table": r"Supported PMDK versions",
        }
        bad = [k for k, rx in broken.items() if re.search(rx, page)]
        bad += [f"{k} missing" for k, rx in wanted.items()
                if not re.search(rx, re.sub(r"<[^>]+>", "", page))]
        for b in bad:
            print(f"main page: {b}")
        print(f"html: {len(bad)} rendering problems")
        sys.exit(1 if bad else 0)
    if mode == "selftest":
        victims = {"vec.h": "PC__VN(_swap_remove)", "map_iter.h": "PC__M(count_between)"}
        with tempfile.TemporaryDirectory() as tmp:
            inc = os.path.join(tmp, "include")
            shutil.copytree(os.path.join(src, "include"), inc)
            for h, sig in victims.items():
                p = os.path.join(inc, "pcoll", h)
                with open(p) as f:
                    s = f.read()
                at = s.index(sig + "(")
                start = s.rindex("/**", 0, at)
                end = s.index("*/", start) + 2
                with open(p, "w") as f:
                    f.write(s[:start] + s[end:])
            problems = check_api(doxyfile, tmp, cc, [
                f"INPUT = {inc}/pcoll {src}/README.md {src}/docs",
                f"EXCLUDE = {inc}/pcoll/detail", f"STRIP_FROM_PATH = {tmp}",
                "GENERATE_HTML = NO", "GENERATE_MAN = NO"])
        report(problems)
        got = {k.split()[0] for k in problems}
        want = {"NAME_swap_remove", "NAME_count_between"}
        if got != want:
            print(f"selftest: expected exactly {sorted(want)} reported, got {sorted(got)}")
            sys.exit(1)
        print("selftest: the check fails on the two removed entries and names them")
        sys.exit(0)
    sys.exit(__doc__)


if __name__ == "__main__":
    main()
