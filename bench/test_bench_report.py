#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""tools/bench-report.py as a user reads its output (suite `bench`).

usage: test_bench_report.py REPORT_PY RESULTS.jsonl...

Writes the report of the given result files (docs/bench-report's records)
plus two made-up records that stress the layout (a W13 case with a long
implementation name and threads, an anchor of it) into a temporary
directory, then checks:
  - report.md names the machine, the CPU, the date, the runs and N;
  - every SVG chart parses, carries the CPU, the date and the runs per
    case, has a legend telling pcoll's variants ("(pcoll)") from the
    anchors ("(anchor)"), names N on every row;
  - no text of any chart runs past its edges (each text's extent at the
    report's own character width, by its text-anchor).
Prints one line per problem; exit status 1 when there is any.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

MACHINE = "test machine (2 vCPU)"
SVG = "{http://www.w3.org/2000/svg}"


def made_up(first):
    """Two W13 records derived from a real one: a long pcoll variant with
    4 threads and its anchor."""
    base = dict(first)
    out = []
    for impl, anchor, ns in (("pcoll-sync-with-a-rather-long-variant-name", 0, 1234.5),
                             ("pcoll-rwlock", 1, 2345.6)):
        r = dict(base, workload="W13m", name="conc_get_put", impl=impl, anchor=anchor,
                 threads=4, ns_per_op=ns, ns_per_op_runs=[ns, ns * 1.1, ns * 0.9],
                 ratio_vs={})
        out.append(r)
    return out


def check_svg(path, char_w, cpu):
    probs = []
    name = os.path.basename(path)
    root = ET.parse(path).getroot()
    width = float(root.get("width"))
    texts = [(t, "".join(t.itertext())) for t in root.iter(SVG + "text")]
    body = "\n".join(s for _, s in texts)
    for want, what in ((cpu, "the CPU"), ("date 20", "the date"),
                       ("runs per case", "the runs per case")):
        if want not in body:
            probs.append(f"{name}: does not show {what}")
    if "(pcoll)" not in body:
        probs.append(f"{name}: no legend entry for pcoll's variants")
    rows = [s for t, s in texts if t.get("text-anchor") == "end"]
    if not rows or any("N=" not in s for s in rows):
        probs.append(f"{name}: a row without its N")
    for t, s in texts:
        size = float(t.get("font-size", "12"))
        w = len(s) * char_w * size / 12
        x = float(t.get("x"))
        anchor = t.get("text-anchor", "start")
        lo, hi = {"start": (x, x + w), "end": (x - w, x),
                  "middle": (x - w / 2, x + w / 2)}[anchor]
        if lo < 0 or hi > width:
            probs.append(f"{name}: text clipped ({lo:.0f}..{hi:.0f} of {width:.0f}): {s!r}")
    return probs


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    report_py, results = sys.argv[1], sys.argv[2:]
    with open(report_py) as f:
        char_w = float(re.search(r"^CHAR_W = ([0-9.]+)", f.read(), re.M).group(1))
    probs = []
    with tempfile.TemporaryDirectory() as d:
        with open(results[0]) as f:
            first = json.loads(f.readline())
        cpu = first.get("cpu", "?")
        extra = os.path.join(d, "extra.jsonl")
        with open(extra, "w") as f:
            for r in made_up(first):
                f.write(json.dumps(r) + "\n")
        out = os.path.join(d, "out")
        r = subprocess.run([sys.executable, report_py, "--out", out, "--machine", MACHINE]
                           + results + [extra], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"bench-report.py failed:\n{r.stdout}{r.stderr}")
            sys.exit(1)
        with open(os.path.join(out, "report.md")) as f:
            md = f.read()
        for want, what in ((MACHINE, "the machine"), (cpu, "the CPU"),
                           (first.get("time", "?")[:10], "the date"), ("runs", "the runs"),
                           ("N", "N")):
            if want not in md:
                probs.append(f"report.md: does not show {what} ({want!r})")
        svgs = sorted(f for f in os.listdir(out) if f.endswith(".svg"))
        if "conc.svg" not in svgs:
            probs.append("no chart of the W13 records (conc.svg)")
        for s in svgs:
            probs += check_svg(os.path.join(out, s), char_w, cpu)
        conc = os.path.join(out, "conc.svg")
        if os.path.exists(conc):
            with open(conc) as f:
                c = f.read()
            if "(anchor)" not in c or "4thr" not in c:
                probs.append("conc.svg: the anchor's legend entry or the thread count is missing")
    for p in probs:
        print(p)
    print(f"bench-report: {len(svgs)} charts, {len(probs)} problems")
    sys.exit(1 if probs else 0)


if __name__ == "__main__":
    main()
