#!/usr/bin/env bash
# tools/pool-move.sh BUILD_A LIBDIR_A BUILD_B LIBDIR_B: pools made by one
# build open, check and change in the other, both ways. Each build runs
# with LD_LIBRARY_PATH=LIBDIR (empty: unset, its run path or the system's
# libraries). For each direction X -> Y:
#   1. X's pcoll-demo makes a pool with objects, a PMAP, a PVEC, a PLOG and
#      a PBLKARR (and a transaction killed half-way, rolled back by X);
#   2. Y's pcoll check passes and Y's dump equals X's dump;
#   3. Y's kv example writes a new map entry in a transaction; X's check
#      passes and X's kv reads the entry back;
#   4. Y's pcoll restore rebuilds X's dump into a new pool; X checks it and
#      X's dump of it equals the original after the header line.
# Prints one line per step; exit status 0 when all passed.
set -uo pipefail
[ $# -eq 4 ] || { echo "usage: $0 BUILD_A LIBDIR_A BUILD_B LIBDIR_B" >&2; exit 2; }
dir=$(mktemp -d "${PCOLL_TEST_DIR:-/dev/shm}/pcoll-move.XXXXXX")
trap 'rm -rf "$dir"' EXIT
bad=0

run() { # LIBDIR PROGRAM ARGS...
  local ld=$1; shift
  if [ -n "$ld" ]; then LD_LIBRARY_PATH=$ld "$@"; else env -u LD_LIBRARY_PATH "$@"; fi
}
step() { # message, status
  if [ "$2" -eq 0 ]; then echo "ok: $1"; else echo "FAILED: $1"; bad=$((bad + 1)); fi
}
pmdk_of() { # BUILD LIBDIR -> the PMDK release the build's pcoll loads
  run "$2" "$1/tools/pcoll/pcoll" version | sed -n 's/^PMDK \([^ ]*\) .*/\1/p'
}

one_way() { # BUILD_X LIBDIR_X BUILD_Y LIBDIR_Y
  local x=$1 lx=$2 y=$3 ly=$4 vx vy p=$dir/move.pool
  vx=$(pmdk_of "$x" "$lx")
  vy=$(pmdk_of "$y" "$ly")
  local what="PMDK $vx -> $vy"
  rm -f "$p" "$p.new"
  PMEM_IS_PMEM_FORCE=1 run "$lx" "$x/examples/demo/pcoll-demo" "$p" >/dev/null 2>&1
  step "$what: $vx's demo made a pool" $?
  run "$lx" "$x/tools/pcoll/pcoll" dump "$p" -o "$dir/x.jsonl" --no-progress
  step "$what: $vx dumps it" $?
  run "$ly" "$y/tools/pcoll/pcoll" check -q "$p" >/dev/null
  step "$what: $vy checks it" $?
  run "$ly" "$y/tools/pcoll/pcoll" dump "$p" -o "$dir/y.jsonl" --no-progress &&
    cmp -s "$dir/x.jsonl" "$dir/y.jsonl"
  step "$what: $vy's dump equals $vx's" $?
  PMEM_IS_PMEM_FORCE=1 run "$ly" "$y/examples/kv/kv" "$p" put moved "by $vy" >/dev/null
  step "$what: $vy writes to it" $?
  run "$lx" "$x/tools/pcoll/pcoll" check -q "$p" >/dev/null &&
    [ "$(run "$lx" "$x/examples/kv/kv" "$p" get moved)" = "by $vy" ]
  step "$what: $vx checks it and reads $vy's entry" $?
  run "$ly" "$y/tools/pcoll/pcoll" restore "$dir/x.jsonl" "$p.new" --no-progress >/dev/null &&
    run "$lx" "$x/tools/pcoll/pcoll" check -q "$p.new" >/dev/null &&
    run "$lx" "$x/tools/pcoll/pcoll" dump "$p.new" -o "$dir/r.jsonl" --no-progress &&
    cmp -s <(tail -n +2 "$dir/x.jsonl") <(tail -n +2 "$dir/r.jsonl")
  step "$what: $vy restores $vx's dump, $vx checks and dumps the same" $?
}

one_way "$1" "$2" "$3" "$4"
one_way "$3" "$4" "$1" "$2"
[ "$bad" -eq 0 ]
