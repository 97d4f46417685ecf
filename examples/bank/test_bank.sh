#!/bin/bash
# Kills `bank run` with SIGKILL at random moments, several times; after
# every kill `bank verify` must find the money conserved and the audit log
# in agreement with the balances. Finally a run to completion.
# usage: test_bank.sh BANK [KILLS]
set -u
exe=$1
kills=${2:-8}
. "$(dirname "$0")/../../tests/common/testutil.sh"
tu_setup bank
pool="$TU_DIR/bank.pool"
log="$TU_DIR/bank.log"
"$exe" "$pool" init 50 1000 || { echo "FAIL: init"; exit 1; }
RANDOM=$$
killed=0
before=0
for ((k = 0; k < kills; k++)); do
  "$exe" "$pool" run 100000000 >/dev/null 2>"$log" &
  pid=$!
  sleep "0.$((RANDOM % 3))$((RANDOM % 10))$((RANDOM % 10))"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null
  out=$("$exe" "$pool" verify 2>&1) || {
    echo "FAIL after kill $((k + 1)):"; echo "$out"; cat "$log"; exit 1; }
  echo "kill $((k + 1)): $out"
  now=$(echo "$out" | sed -n 's/.* \([0-9]*\) transfers.*/\1/p')
  [ -n "$now" ] && [ "$now" -ge "$before" ] || {
    echo "FAIL: transfer count went from $before to $now"; exit 1; }
  before=$now
done
"$exe" "$pool" run 500 42 || { echo "FAIL: final run"; exit 1; }
out=$("$exe" "$pool" verify 2>&1) || { echo "FAIL: final verify"; echo "$out"; exit 1; }
echo "final: $out"
[ "$killed" -ge 1 ] || { echo "FAIL: no run was killed"; exit 1; }
[ "$before" -gt 0 ] || { echo "FAIL: no transfer survived a kill"; exit 1; }
# verify is not a rubber stamp: a transfer without its audit record fails.
"$exe" "$pool" tamper || { echo "FAIL: tamper"; exit 1; }
if out=$("$exe" "$pool" verify 2>&1); then
  echo "FAIL: verify accepted a transfer without an audit record"; exit 1
fi
echo "after tampering: $out"
echo "killed $killed times; ok"
