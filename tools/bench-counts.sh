#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Prints the fence, flush and msync counts of every pcoll-bench case at a
# small N as one stable, sorted table, so that two builds (before and after
# a refactoring, or before and after a merge) can be compared with diff:
#
#   tools/bench-counts.sh build 20000 > before.txt
#   ... change, rebuild ...
#   tools/bench-counts.sh build 20000 > after.txt && diff before.txt after.txt
#
# Each case of `pcoll-bench --list` runs once in the counting child
# (`pcoll-bench-count --child count` under LD_PRELOAD of
# pcoll-bench-preload.so, docs/bench.md), which reports exact integers, not
# rounded per-operation figures: on the flush path (PMEM_IS_PMEM_FORCE=1)
# for every case, and on the msync path (the variable unset) for the log
# and block cases (W9*, W10*), as tools/bench.sh does. Columns: path,
# workload, impl, N, ops, fences, flushes, msyncs (totals: pcoll's own plus
# libpmem's), fences/op, flushes/op.
#
# The case "W12 pcoll-crash" opens a pool after a writer was killed at a
# moment chosen by the clock, so its recovery work (and its counts) can
# differ from run to run; its row is marked "(crash point)" to say so.
#
# Usage: tools/bench-counts.sh [BUILD_DIR [N]]   (defaults: build 20000)
# Pools go to $PCOLL_BENCH_DIR (default /dev/shm). Exit status 1 when a
# case fails (its row then says FAILED).
set -uo pipefail
build=${1:-build}
n=${2:-20000}
bench=$build/bench/pcoll-bench
count_exe=$build/bench/pcoll-bench-count
preload=$build/bench/pcoll-bench-preload.so
for f in "$bench" "$count_exe"; do
	if [ ! -x "$f" ]; then
		echo "bench-counts.sh: $f is not an executable (build first)" >&2
		exit 2
	fi
done
if [ ! -r "$preload" ]; then
	echo "bench-counts.sh: $preload is missing (build first)" >&2
	exit 2
fi
case $n in
'' | *[!0-9]*)
	echo "bench-counts.sh: N must be a positive integer, not '$n'" >&2
	exit 2
	;;
esac

tmp=$(mktemp "${TMPDIR:-/tmp}/bench-counts-XXXXXX") || exit 2
trap 'rm -f "$tmp"' EXIT
status=0

# count PATH WORKLOAD IMPL: one row.
count() {
	local path=$1 wl=$2 impl=$3 rc
	: >"$tmp"
	if [ "$path" = flush ]; then
		LD_PRELOAD=$preload PMEM_IS_PMEM_FORCE=1 "$count_exe" \
			--child count --workload "$wl" --impl "$impl" \
			--n "$n" --result "$tmp" >/dev/null
	else
		(unset PMEM_IS_PMEM_FORCE
		 LD_PRELOAD=$preload "$count_exe" --child count \
			--workload "$wl" --impl "$impl" --n "$n" \
			--result "$tmp" >/dev/null)
	fi
	rc=$?
	if [ $rc -ne 0 ]; then
		printf '%-6s %-6s %-20s %8s FAILED (exit %d)\n' \
			"$path" "$wl" "$impl" "$n" "$rc"
		status=1
		return
	fi
	awk -v path="$path" -v wl="$wl" -v impl="$impl" -v n="$n" '
		{ v[$1] = $2 }
		END {
			ops = v["ops"]
			fen = v["pc_fences"] + v["lib_fences"]
			fl = v["pc_flushes"] + v["lib_flushes"]
			note = (wl == "W12" && impl == "pcoll-crash") ? \
				"  (crash point)" : ""
			printf "%-6s %-6s %-20s %8d %8d %10d %10d %8d %10.4f %10.4f%s\n",
				path, wl, impl, n, ops, fen, fl, v["lib_msyncs"],
				ops ? fen / ops : 0, ops ? fl / ops : 0, note
		}' "$tmp"
}

printf '%-6s %-6s %-20s %8s %8s %10s %10s %8s %10s %10s\n' path workload \
	impl n ops fences flushes msyncs fences/op flushes/op
cases=$("$bench" --list | cut -f1,3 | LC_ALL=C sort -u) || exit 2
while IFS=$'\t' read -r wl impl; do
	count flush "$wl" "$impl"
	case $wl in
	W9* | W10*) count msync "$wl" "$impl" ;;
	esac
done <<<"$cases"
exit $status
