#!/bin/bash
# Kills resume with SIGKILL several times at random moments, restarts it
# each time, and checks that the final result equals an uninterrupted run.
set -u
exe=$1
steps=${2:-400000}
kills=${3:-6}
. "$(dirname "$0")/../../tests/common/testutil.sh"
tu_setup resume
pool="$TU_DIR/resume.pool"
err="$TU_DIR/resume.err"
want=$("$exe" - "$steps") || { echo "FAIL: DRAM run"; exit 1; }
RANDOM=$$
killed=0
for ((k = 0; k < kills; k++)); do
  "$exe" "$pool" "$steps" >/dev/null 2>&1 &
  pid=$!
  sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null
done
got=$("$exe" "$pool" "$steps" 2>"$err") || { echo "FAIL: final run"; cat "$err"; exit 1; }
echo "killed $killed times; $(cat "$err")"
echo "uninterrupted: $want"
echo "with kills:    $got"
[ "$killed" -ge 1 ] || { echo "FAIL: no run was killed (too fast?)"; exit 1; }
[ "$got" = "$want" ] || { echo "FAIL: results differ"; exit 1; }
echo ok
