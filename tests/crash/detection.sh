#!/usr/bin/env bash
# Detection table of the deliberately broken builds (docs/crash.md):
# runs every test-crash-broken-* program of a build directory N times,
# each with a fresh random seed, and prints one Markdown row per broken
# build: runs that caught it, the scenarios that did, and the wall time
# of the program (it stops at the first failing image; median and largest).
#
#   bash tests/crash/detection.sh BUILD_DIR [N]        # CI mode
#   PCOLL_CRASH_FULL=1 bash tests/crash/detection.sh BUILD_DIR 1
#
# Pools go to $PCOLL_TEST_DIR (default /dev/shm/pcoll-detect-$$), removed
# at the end.
set -uo pipefail
build=${1:?usage: detection.sh BUILD_DIR [N]}
n=${2:-10}
dir=${PCOLL_TEST_DIR:-/dev/shm/pcoll-detect-$$}
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT
export PCOLL_TEST_DIR=$dir PMEM_IS_PMEM_FORCE=1
unset PCOLL_CRASH_SEED

echo "| broken build | caught | by scenario | wall seconds (median / max) |"
echo "|---|---:|---|---:|"
for exe in "$build"/tests/crash/test-crash-broken-*; do
  [ -f "$exe" ] && [ -x "$exe" ] || continue
  name=${exe##*/test-crash-broken-}
  caught=0
  times=()
  who=()
  for ((i = 0; i < n; i++)); do
    t0=$(date +%s.%N)
    out=$("$exe" 2>&1)
    t1=$(date +%s.%N)
    line=$(grep -m1 "caught by" <<<"$out")
    if [ -n "$line" ]; then
      caught=$((caught + 1))
      who+=("$(sed -E 's/.*caught by ([^ ]+) after.*/\1/' <<<"$line")")
      times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')")
    else
      seed=$(grep -m1 -oE 'seed=0x[0-9a-f]+' <<<"$out")
      echo "  missed: $name $seed" >&2
    fi
  done
  by=$(printf '%s\n' "${who[@]}" | sort | uniq -c | sort -rn |
       awk '{printf "%s%s %s", (NR>1?", ":""), $2, "("$1")"}')
  stat=$(printf '%s\n' "${times[@]}" | sort -g |
         awk '{a[NR]=$1} END {if (NR) printf "%.1f / %.1f", a[int((NR+1)/2)], a[NR]; else printf "-"}')
  echo "| $name | $caught/$n | $by | $stat |"
done
