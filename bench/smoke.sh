#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Smoke test of pcoll-bench: W11 at N=2000 (or N), one run, counted; checks the
# JSON records. Usage: smoke.sh path/to/pcoll-bench [N]
set -u
bench=$1
n=${2:-2000}
dir=${PCOLL_TEST_DIR:-/dev/shm}
mkdir -p "$dir" || exit 1
export PCOLL_BENCH_DIR="$dir"
tmp=$(mktemp "${TMPDIR:-/tmp}/pcoll-bench-smoke-XXXXXX") || exit 1
trap 'rm -f "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }

if "$bench" --workload W11 --n "$n" --runs 1 --json "$tmp"; then
	ok
else
	bad "pcoll-bench exited $?"
fi

# field IMPL KEY: the value of KEY in the record of IMPL.
field() {
	grep "\"impl\":\"$1\"" "$tmp" | head -n 1 |
		sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p"
}
# gt A B: A > B as numbers.
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }
eq() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 == b + 0) }'; }

for impl in pcoll raw-pmemobj dram floor; do
	if grep -q "\"impl\":\"$impl\"" "$tmp"; then ok; else bad "no record for $impl"; fi
done
for key in workload name impl n ns_per_op ratio_vs fences_per_op \
	flushes_per_op bytes_per_elem prefault pmem instructions_per_op; do
	n=$(grep -c "\"$key\":" "$tmp")
	lines=$(wc -l <"$tmp")
	if [ "$n" -eq "$lines" ] && [ "$lines" -gt 0 ]; then ok; else bad "key $key in $n of $lines records"; fi
done

v=$(field raw-pmemobj fences_per_op)
if gt "$v" 0; then ok; else bad "raw-pmemobj fences_per_op is '$v', want > 0 (LD_PRELOAD counting)"; fi
v=$(field pcoll fences_per_op)
if gt "$v" 0; then ok; else bad "pcoll fences_per_op is '$v', want > 0"; fi
v=$(field floor fences_per_op)
if eq "$v" 1; then ok; else bad "floor fences_per_op is '$v', want exactly 1"; fi
v=$(field floor flushes_per_op)
if eq "$v" 1; then ok; else bad "floor flushes_per_op is '$v', want exactly 1"; fi
v=$(field dram fences_per_op)
if eq "$v" 0; then ok; else bad "dram fences_per_op is '$v', want 0"; fi
v=$(field pcoll ns_per_op)
if gt "$v" 0; then ok; else bad "pcoll ns_per_op is '$v'"; fi
for a in raw-pmemobj dram floor; do
	if grep "\"impl\":\"pcoll\"" "$tmp" | grep -q "\"ratio_vs\":{[^}]*\"$a\":[0-9]"; then
		ok
	else
		bad "pcoll has no ratio to $a"
	fi
done
want=0
[ "${PMEM_IS_PMEM_FORCE:-}" = 1 ] && want=1
v=$(field pcoll pmem)
if [ "$v" = "$want" ]; then ok; else bad "pmem is '$v', want $want"; fi
if ls "$dir"/pcoll-bench-*W11* >/dev/null 2>&1; then bad "pool files left in $dir"; else ok; fi

# SIGTERM in the middle of a case: pcoll-bench removes its pools, then
# ends by the signal (status 143).
sdir=$(mktemp -d "$dir/pcoll-bench-sig-XXXXXX") || exit 1
trap 'rm -f "$tmp"; rm -rf "$sdir"' EXIT
PCOLL_BENCH_DIR=$sdir "$bench" --workload W1 --impl pcoll --n 100000000 \
	--runs 1 >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 500); do # up to ~10 s for the pool to appear
	ls "$sdir"/pcoll-bench-*.pool >/dev/null 2>&1 && break
	sleep 0.02
done
if ls "$sdir"/pcoll-bench-*.pool >/dev/null 2>&1; then ok; else bad "no pool appeared in $sdir"; fi
kill -TERM "$pid"
wait "$pid"
st=$?
if [ "$st" -eq 143 ]; then ok; else bad "pcoll-bench ended with status $st after SIGTERM, want 143"; fi
if ls "$sdir"/pcoll-bench-* >/dev/null 2>&1; then
	bad "SIGTERM left $(ls "$sdir")"
else
	ok
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
