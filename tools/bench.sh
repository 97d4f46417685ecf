#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Runs the full pcoll benchmark suite (docs/bench.md):
#   1. every registered workload with PMEM_IS_PMEM_FORCE=1 on /dev/shm
#      (or $PCOLL_BENCH_DIR): the flush path;
#   2. the log and block workloads (W9*, W10*) on a plain file without
#      PMEM_IS_PMEM_FORCE: the msync path. Pools go to
#      $PCOLL_BENCH_MSYNC_DIR, default /dev/shm: a tmpfs file is not
#      persistent memory to libpmem or pcoll, so every persist is an msync
#      call, without the noise of a disk (point the variable at a disk
#      directory to include the device). N is $PCOLL_BENCH_MSYNC_N
#      (default 100000; 0 keeps each case's N).
# Results are appended to OUT (default bench-results.jsonl), truncated
# first. PCOLL_BENCH_WORKLOADS (a list of workload ids) runs only those. Extra arguments go to every pcoll-bench call (e.g. --runs 3,
# --callgrind).
# Usage: tools/bench.sh [path/to/pcoll-bench [OUT [pcoll-bench options]]]
set -eu
bench=${1:-build/bench/pcoll-bench}
out=${2:-bench-results.jsonl}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
if [ ! -x "$bench" ]; then
	echo "bench.sh: $bench is not an executable (build first)" >&2
	exit 2
fi
: >"$out"

workloads=$("$bench" --list | cut -f1 | uniq)
# PCOLL_BENCH_WORKLOADS="W1 W3 W11" (spaces or commas) keeps only those.
if [ -n "${PCOLL_BENCH_WORKLOADS:-}" ]; then
	keep=$(echo "$PCOLL_BENCH_WORKLOADS" | tr ',' ' ')
	sel=
	for w in $workloads; do
		for k in $keep; do
			[ "$w" = "$k" ] && sel="$sel $w"
		done
	done
	workloads=$sel
fi
echo "== flush path: PMEM_IS_PMEM_FORCE=1, dir ${PCOLL_BENCH_DIR:-/dev/shm}"
status=0
for w in $workloads; do
	PMEM_IS_PMEM_FORCE=1 "$bench" --workload "$w" --json "$out" "$@" ||
		status=1
done

msync_dir=${PCOLL_BENCH_MSYNC_DIR:-/dev/shm}
mkdir -p "$msync_dir"
echo "== msync path: plain file, dir $msync_dir"
msync_n=
m=${PCOLL_BENCH_MSYNC_N:-100000}
[ "$m" != 0 ] && msync_n="--n $m"
for w in $workloads; do
	case $w in
	W9* | W10*)
		# shellcheck disable=SC2086 # msync_n is two words or none
		(unset PMEM_IS_PMEM_FORCE
		 PCOLL_BENCH_DIR=$msync_dir "$bench" --workload "$w" \
			--json "$out" "$@" $msync_n) || status=1
		;;
	esac
done
echo "results: $out ($(wc -l <"$out") records)"
exit $status
