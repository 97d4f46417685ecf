#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""pcoll-bench results (JSON lines) as a Markdown report and SVG charts.

usage:
  tools/bench-report.py --run BUILD_DIR --out DIR [--quick] [--machine NAME]
      run the suite (tools/bench.sh with BUILD_DIR's pcoll-bench) into
      DIR/results.jsonl, then write DIR/report.md and DIR/*.svg
  tools/bench-report.py --out DIR [--machine NAME] results.jsonl ...
      only the report, from result files
  tools/bench-report.py [--svg chart.svg] results.jsonl ...
      the tables on standard output (and a ratio chart)

--quick runs every case at N = 20000 (the msync path at 2000), 3 runs,
counting at N = 5000: a few minutes, for trying the command; its figures
are not the ones to quote. `ninja -C build bench-report` is the full
run, `ninja -C build bench-report-quick` the quick one; both write to
build/bench-report/.

Each (workload, impl, path, threads) keeps its last record. The report
names the machine, CPU, date, runs and N of every figure, gives the
median ns/op with the spread of the runs, the ratios to the anchors of
the same run, fences, flushes, instructions and bytes per element, and
says what the records say about prefaulting and threads. The charts (one
per container family) show ns/op on a log scale, the median as a bar
and the runs' spread as a whisker; pcoll's variants are blue, anchors
grey and orange, with a legend; every chart carries CPU, date and runs.
Standard library only (run it with /usr/bin/python3).
"""
import argparse
import json
import math
import os
import platform
import re
import subprocess
import sys
from html import escape

FAMILIES = [  # (first, last workload number, title, file)
    (1, 4, "PVEC: vector workloads W1-W4", "vec"),
    (5, 8, "PMAP: map workloads W5-W8", "map"),
    (9, 9, "PLOG: log workloads W9", "log"),
    (10, 10, "PBLKARR: block workloads W10", "blk"),
    (11, 11, "TX(): one-word transactions W11", "tx"),
    (12, 12, "PMAP recovery W12", "recovery"),
    (13, 99, "Concurrent map W13", "conc"),
]
SUBJECT_COLORS = ["#1f5fa8", "#4f8fd8", "#8ab8ee", "#0b3a6e", "#6aa0c8"]
ANCHOR_COLORS = ["#8c8c8c", "#e08a2c", "#b8b8b8", "#c0642a", "#5a5a5a"]


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
                key = (r["workload"], r["impl"], r.get("pmem", 1), r.get("threads", 1))
                recs[key] = r
    return recs


def groups_of(recs):
    """{(workload, pmem, threads): [records]}, subjects first."""
    groups = {}
    for (w, _impl, pm, th), r in recs.items():
        groups.setdefault((w, pm, th), []).append(r)
    for g in groups.values():
        g.sort(key=lambda r: (r.get("anchor", 0), r["impl"]))
    return dict(sorted(groups.items(), key=lambda kv: (wl_key(kv[0][0]), -kv[0][1], kv[0][2])))


def path_name(pm):
    return "flush path (PMEM_IS_PMEM_FORCE=1)" if pm else "msync path (plain file)"


def spread(r):
    runs = r.get("ns_per_op_runs") or []
    if len(runs) < 2:
        return "-"
    return f"{fmt(min(runs), 4)}-{fmt(max(runs), 4)}"


def prefault_text(r):
    """What one record says about prefaulting (the field may be absent)."""
    if "prefault" not in r:
        return None
    v = r["prefault"]
    if v in (0, False, None, "", "no", "none"):
        return "no"
    return "yes" if v in (1, True) else str(v)


def tables(recs, with_spread=True):
    out = []
    for (w, pm, th), rows in groups_of(recs).items():
        thr = f", {th} threads" if th and th > 1 else ""
        out.append(f"### {w} {rows[0]['name']}, {path_name(pm)}{thr}\n")
        pf = any(prefault_text(r) is not None for r in rows)
        head = "| impl | N | runs | ns/op (median) |"
        rule = "|---|---:|---:|---:|"
        if with_spread:
            head += " spread of the runs |"
            rule += "---:|"
        head += " ratios to anchors (ns/op) | fences/op | flushes/op | instr/op | instr ratios | B/elem |"
        rule += "---|---:|---:|---:|---|---:|"
        if pf:
            head += " prefaulted |"
            rule += "---|"
        out += [head, rule]
        for r in rows:
            ratios = ", ".join(f"{k} {fmt(v)}" for k, v in r.get("ratio_vs", {}).items())
            iratios = ", ".join(f"{k} {fmt(v)}" for k, v in r.get("instr_ratio_vs", {}).items())
            name = r["impl"] + (" (anchor)" if r.get("anchor") else "")
            line = f"| {name} | {r['n']} | {r.get('runs', '-')} | {fmt(r['ns_per_op'], 4)} |"
            if with_spread:
                line += f" {spread(r)} |"
            line += (f" {ratios or '-'} | {fmt(r.get('fences_per_op'))} | "
                     f"{fmt(r.get('flushes_per_op'))} | {fmt(r.get('instructions_per_op'), 4)} | "
                     f"{iratios or '-'} | {fmt(r.get('bytes_per_elem'))} |")
            if pf:
                line += f" {prefault_text(r) or 'not recorded'} |"
            out.append(line)
        notes = sorted({r["note"] for r in rows if r.get("note")})
        if notes:
            out.append("")
            out.append("Notes: " + "; ".join(notes) + ".")
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------- SVG

CHAR_W = 7.3  # monospace 12px: width of one character, with room to spare
ROW_H, GAP = 18, 6


def text_w(s):
    return len(s) * CHAR_W


def family_chart(title, rows, stamp, path):
    """rows: [(label, impl, anchor, median, lo, hi)] -> one SVG file."""
    impls = []
    for r in rows:
        if (r[1], r[2]) not in impls:
            impls.append((r[1], r[2]))
    colors = {}
    ns = na = 0
    for impl, anchor in impls:
        if anchor:
            colors[(impl, anchor)] = ANCHOR_COLORS[na % len(ANCHOR_COLORS)]
            na += 1
        else:
            colors[(impl, anchor)] = SUBJECT_COLORS[ns % len(SUBJECT_COLORS)]
            ns += 1
    vals = [v for r in rows for v in r[3:6] if v and v > 0]
    lo = 10 ** math.floor(math.log10(min(vals)))
    hi = 10 ** math.ceil(math.log10(max(vals)))
    if hi <= lo:
        hi = lo * 10
    label_w = max(text_w(r[0]) for r in rows) + 16
    plot_w = 520
    value_w = text_w("99999999 ns") + 16
    legend_rows = [f"{impl} ({'anchor' if anchor else 'pcoll'})" for impl, anchor in impls]
    legend_w = max(text_w(t) for t in legend_rows) + 40
    width = int(max(label_w + plot_w + value_w, text_w(title) + 20,
                    max(text_w(s) for s in stamp) + 20, legend_w + 20))
    top = 30 + 16 * len(stamp) + 10
    plot_h = len(rows) * (ROW_H + GAP)
    axis_y = top + plot_h + 4
    legend_y = axis_y + 40
    height = legend_y + 18 * len(legend_rows) + 16

    def x(v):
        return label_w + plot_w * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'viewBox="0 0 {width} {height}" font-family="monospace" font-size="12">',
         f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
         f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>']
    for i, line in enumerate(stamp):
        s.append(f'<text x="10" y="{38 + 16 * i}" fill="#333">{escape(line)}</text>')
    d = round(math.log10(lo))
    while 10 ** d <= hi * 1.0001:
        v = 10 ** d
        s.append(f'<line x1="{x(v):.1f}" y1="{top - 4}" x2="{x(v):.1f}" y2="{axis_y}" stroke="#ddd"/>')
        s.append(f'<text x="{x(v):.1f}" y="{axis_y + 14}" text-anchor="middle">{v:g}</text>')
        d += 1
    s.append(f'<text x="{label_w + plot_w / 2:.1f}" y="{axis_y + 30}" text-anchor="middle">'
             f'ns per operation (log scale; bar = median, whisker = slowest to fastest run)</text>')
    for i, (label, impl, anchor, med, rlo, rhi) in enumerate(rows):
        y = top + i * (ROW_H + GAP)
        c = colors[(impl, anchor)]
        s.append(f'<text x="{label_w - 8}" y="{y + ROW_H - 5}" text-anchor="end">{escape(label)}</text>')
        x0 = label_w
        s.append(f'<rect x="{x0}" y="{y}" width="{max(x(med) - x0, 1):.1f}" height="{ROW_H}" fill="{c}"/>')
        if rlo and rhi and rhi > rlo:
            ym = y + ROW_H / 2
            s.append(f'<line x1="{x(rlo):.1f}" y1="{ym}" x2="{x(rhi):.1f}" y2="{ym}" stroke="#000"/>')
            for xv in (x(rlo), x(rhi)):
                s.append(f'<line x1="{xv:.1f}" y1="{ym - 4}" x2="{xv:.1f}" y2="{ym + 4}" stroke="#000"/>')
        tx = max(x(med), x(rhi) if rhi else 0) + 6
        s.append(f'<text x="{tx:.1f}" y="{y + ROW_H - 5}">{fmt(med, 4)} ns</text>')
    for i, t in enumerate(legend_rows):
        y = legend_y + 18 * i
        c = colors[impls[i]]
        s.append(f'<rect x="10" y="{y - 11}" width="20" height="12" fill="{c}"/>')
        s.append(f'<text x="36" y="{y}">{escape(t)}</text>')
    s.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(s) + "\n")


def charts(recs, outdir, machine):
    made = []
    groups = groups_of(recs)
    for first, last, title, fname in FAMILIES:
        rows, cpus, times, runs = [], set(), set(), set()
        for (w, pm, th), recs_w in groups.items():
            if not first <= wl_key(w)[0] <= last:
                continue
            for r in recs_w:
                if not r.get("ns_per_op"):
                    continue
                label = f"{w} {r['impl']}" + ("" if pm else " msync") + \
                        (f" {th}thr" if th and th > 1 else "") + f"  N={r['n']}"
                rr = r.get("ns_per_op_runs") or [r["ns_per_op"]]
                rows.append((label, r["impl"], r.get("anchor", 0), r["ns_per_op"],
                             min(rr), max(rr)))
                cpus.add(r.get("cpu", "?"))
                times.add(r.get("time", "?")[:10])
                runs.add(r.get("runs"))
        if not rows:
            continue
        stamp = [f"{machine}: {', '.join(sorted(cpus))}",
                 f"date {', '.join(sorted(times))}; runs per case: "
                 f"{', '.join(str(x) for x in sorted(runs, key=str))}; N on each row"]
        path = os.path.join(outdir, fname + ".svg")
        family_chart(title, rows, stamp, path)
        made.append((title, fname + ".svg"))
    return made


def ratio_svg(recs, path):
    """The older single chart: ns/op ratios of every subject to its anchors."""
    rows = []
    for (w, impl, pm, th), r in sorted(recs.items(), key=lambda kv: (wl_key(kv[0][0]), kv[0][1])):
        if r.get("anchor"):
            continue
        for anchor, v in r.get("ratio_vs", {}).items():
            if anchor != "dram" and v and v > 0:
                rows.append((f"{w} {impl} / {anchor}" + ("" if pm else " msync"),
                             impl, 0, v, v, v))
    if not rows:
        sys.exit("bench-report: no ratios to chart")
    cpus = sorted({r.get("cpu", "?") for r in recs.values()})
    family_chart("ns/op ratio to the anchor (below 1: pcoll faster)", rows,
                 [", ".join(cpus)], path)


def machine_facts(build):
    facts = {"host": platform.node(), "cores": os.cpu_count()}
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        facts["memory"] = f"{kb / (1 << 20):.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    tool = os.path.join(build, "tools", "pcoll", "pcoll") if build else None
    if tool and os.access(tool, os.X_OK):
        out = subprocess.run([tool, "version"], capture_output=True, text=True).stdout
        m = re.search(r"^PMDK (\S+)", out, re.M)
        if m:
            facts["pmdk"] = m.group(1)
    return facts


def write_report(recs, outdir, machine, facts, command):
    os.makedirs(outdir, exist_ok=True)
    made = charts(recs, outdir, machine)
    cpus = sorted({r.get("cpu", "?") for r in recs.values()})
    times = sorted({r.get("time", "?") for r in recs.values()})
    runs = sorted({r.get("runs") for r in recs.values()}, key=str)
    pf = {prefault_text(r) for r in recs.values()}
    threads = sorted({r.get("threads", 1) for r in recs.values()})
    L = [f"# pcoll-bench report: {machine}", ""]
    L.append(f"- Machine: {machine} ({facts.get('host', '?')}), {', '.join(cpus)}, "
             f"{facts.get('cores', '?')} cores, {facts.get('memory', '?')} memory")
    L.append(f"- Date (UTC, start of each pcoll-bench invocation): {times[0]} to {times[-1]}")
    if facts.get("pmdk"):
        L.append(f"- PMDK {facts['pmdk']}")
    L.append(f"- Runs per case: {', '.join(str(x) for x in runs)} (the median is reported, "
             "with the slowest and fastest run as the spread); N per case in every table")
    if command:
        L.append(f"- Command: `{command}`")
    if pf == {None}:
        L.append("- Prefaulting: no record carries a `prefault` field, so this pcoll-bench "
                 "does not prefault: every implementation's pools are fresh files and pay "
                 "their first-touch page faults inside the timed region (W9s/W9vs/W9ks are "
                 "the log cases on a log filled once and rewound).")
    else:
        L.append("- Prefaulting: as each record says (column `prefaulted`; `not recorded` "
                 "where a record has no `prefault` field).")
    if threads != [1]:
        L.append(f"- Threads: {', '.join(str(t) for t in threads)} (W13 cases; the table "
                 "titles name the thread count where it is above 1)")
    L.append("")
    L.append("Shared machines are noisy: compare ratios taken in the same run, and the "
             "counted fences, flushes and instructions, rather than absolute times.")
    L.append("")
    for title, f in made:
        L.append(f"![{title}]({f})")
        L.append("")
    L.append("## Tables")
    L.append("")
    L.append(tables(recs))
    with open(os.path.join(outdir, "report.md"), "w") as f:
        f.write("\n".join(L) + "\n")
    return [f for _, f in made]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--svg", help="write a ratio chart to this SVG file (tables mode)")
    ap.add_argument("--out", help="write report.md and the charts into this directory")
    ap.add_argument("--run", metavar="BUILD_DIR", help="run the suite with this build first")
    ap.add_argument("--quick", action="store_true", help="small N and 3 runs (with --run)")
    ap.add_argument("--machine", default=None, help="the machine's name in the report")
    ap.add_argument("results", nargs="*")
    a = ap.parse_args()
    machine = a.machine or os.environ.get("PCOLL_BENCH_MACHINE") or platform.node()
    command = None
    if a.run:
        if not a.out:
            ap.error("--run needs --out")
        os.makedirs(a.out, exist_ok=True)
        res = os.path.join(a.out, "results.jsonl")
        bench = os.path.join(a.run, "bench", "pcoll-bench")
        here = os.path.dirname(os.path.abspath(__file__))
        args = ["sh", os.path.join(here, "bench.sh"), bench, res]
        env = dict(os.environ)
        if a.quick:
            args += ["--n", "20000", "--runs", "3", "--count-n", "5000"]
            env["PCOLL_BENCH_MSYNC_N"] = "2000"
        command = " ".join(args[1:]).replace(here + "/", "tools/")
        if env.get("PCOLL_BENCH_WORKLOADS"):
            command = f"PCOLL_BENCH_WORKLOADS='{env['PCOLL_BENCH_WORKLOADS']}' " + command
        r = subprocess.run(args, env=env)
        if r.returncode != 0:
            print("bench-report: some cases failed (see above); reporting the rest",
                  file=sys.stderr)
        a.results = [res] + a.results
    if not a.results:
        ap.error("no result files")
    recs = load(a.results)
    if not recs:
        sys.exit("bench-report: no records")
    if a.out:
        files = write_report(recs, a.out, machine, machine_facts(a.run), command)
        print(f"bench-report: {os.path.join(a.out, 'report.md')} and {len(files)} charts "
              f"({', '.join(files)})")
        return
    print(tables(recs, with_spread=False))
    if a.svg:
        ratio_svg(recs, a.svg)


if __name__ == "__main__":
    main()
