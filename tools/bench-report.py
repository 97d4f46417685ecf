#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Summarise pcoll-bench results (JSON lines) as Markdown tables and,
optionally, an SVG chart of pcoll against its anchors.

usage: tools/bench-report.py [--svg chart.svg] results.jsonl [more.jsonl ...]

Each (workload, impl, pmem) keeps its last record. The tables list ns/op
(median), the ratio to every anchor of the same run, fences/op, flushes/op,
instructions/op and pool bytes per element. The chart shows, per workload
and path (flush or msync), the ns/op ratio of every non-anchor
implementation to each anchor that is not the DRAM one (1.0 = as fast as
the anchor; below 1 is faster), on a logarithmic axis.
"""
import argparse
import json
import math
import re
import sys


def wl_key(w):
    m = re.match(r"[Ww](\d+)(.*)", w)
    return (int(m.group(1)), m.group(2)) if m else (1 << 30, w)


def fmt(v, digits=3):
    if v is None:
        return "-"
    if isinstance(v, float):
        if v == 0:
            return "0"
        if abs(v) >= 100:
            return f"{v:.0f}"
        return f"{v:.{digits}g}"
    return str(v)


def load(paths):
    recs = {}
    for p in paths:
        with open(p) as f:
            for ln, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    r = json.loads(line)
                except json.JSONDecodeError as e:
                    sys.exit(f"{p}:{ln}: bad JSON: {e}")
                recs[(r["workload"], r["impl"], r.get("pmem", 1))] = r
    return recs


def tables(recs):
    out = []
    groups = {}
    for (w, _impl, pm), r in recs.items():
        groups.setdefault((w, pm), []).append(r)
    for (w, pm) in sorted(groups, key=lambda k: (wl_key(k[0]), -k[1])):
        rows = sorted(groups[(w, pm)], key=lambda r: (r.get("anchor", 0), r["impl"]))
        path = "flush path (PMEM_IS_PMEM_FORCE=1)" if pm else "msync path (plain file)"
        out.append(f"### {w} {rows[0]['name']}, {path}\n")
        out.append("| impl | n | ns/op | ratios to anchors (ns/op) | fences/op | "
                   "flushes/op | instr/op | instr ratios | B/elem |")
        out.append("|---|---:|---:|---|---:|---:|---:|---|---:|")
        for r in rows:
            ratios = ", ".join(f"{k} {fmt(v)}" for k, v in r.get("ratio_vs", {}).items())
            iratios = ", ".join(f"{k} {fmt(v)}" for k, v in r.get("instr_ratio_vs", {}).items())
            name = r["impl"] + (" (anchor)" if r.get("anchor") else "")
            out.append(
                f"| {name} | {r['n']} | {fmt(r['ns_per_op'], 4)} | {ratios or '-'} | "
                f"{fmt(r.get('fences_per_op'))} | {fmt(r.get('flushes_per_op'))} | "
                f"{fmt(r.get('instructions_per_op'), 4)} | {iratios or '-'} | "
                f"{fmt(r.get('bytes_per_elem'))} |")
        out.append("")
    return "\n".join(out)


def svg_chart(recs, path):
    bars = []
    for (w, impl, pm), r in recs.items():
        if r.get("anchor"):
            continue
        for anchor, v in r.get("ratio_vs", {}).items():
            if anchor == "dram" or not v or v <= 0:
                continue
            label = f"{w} {impl} vs {anchor}" + ("" if pm else " (msync)")
            bars.append((wl_key(w), -pm, impl, anchor, label, v))
    bars.sort()
    if not bars:
        sys.exit("bench-report: no ratios to chart")
    lo = min(0.1, min(b[5] for b in bars) / 1.5)
    hi = max(10.0, max(b[5] for b in bars) * 1.5)
    left, width, bar_h, gap, top = 260, 480, 18, 6, 40
    height = top + len(bars) * (bar_h + gap) + 40

    def x(v):
        return left + width * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" '
         f'height="{height}" font-family="sans-serif" font-size="12">',
         f'<text x="{left}" y="20" font-size="14">ns/op ratio to the anchor '
         f'(log scale; left of 1 = pcoll faster)</text>']
    for d in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        v = 10.0 ** d
        if lo <= v <= hi:
            s.append(f'<line x1="{x(v):.1f}" y1="{top - 5}" x2="{x(v):.1f}" '
                     f'y2="{height - 35}" stroke="#ccc"/>')
            s.append(f'<text x="{x(v):.1f}" y="{height - 20}" '
                     f'text-anchor="middle">{v:g}</text>')
    s.append(f'<line x1="{x(1):.1f}" y1="{top - 5}" x2="{x(1):.1f}" '
             f'y2="{height - 35}" stroke="#000"/>')
    for i, b in enumerate(bars):
        y = top + i * (bar_h + gap)
        v = b[5]
        x0, x1 = sorted((x(1), x(v)))
        color = "#3a7" if v <= 1 else "#d64"
        s.append(f'<text x="{left - 6}" y="{y + bar_h - 5}" text-anchor="end">{b[4]}</text>')
        s.append(f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" '
                 f'height="{bar_h}" fill="{color}"/>')
        s.append(f'<text x="{max(x(v), x(1)) + 4:.1f}" y="{y + bar_h - 5}">{v:.3g}x</text>')
    s.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(s) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--svg", help="write a ratio chart to this SVG file")
    ap.add_argument("results", nargs="+")
    a = ap.parse_args()
    recs = load(a.results)
    print(tables(recs))
    if a.svg:
        svg_chart(recs, a.svg)


if __name__ == "__main__":
    main()
