#!/bin/bash
# Two writers push 20000 elements each into one PVEC behind a rwlock
# while two readers sum it; the final sum is that of both sequences.
set -u
exe=$1
. "$(dirname "$0")/../../tests/common/testutil.sh"
tu_setup sharedvec
n=20000
out=$("$exe" "$TU_DIR/v.pool" "$n") || { echo "FAIL: $out"; exit 1; }
echo "$out"
want=$(( (n * (n - 1) / 2) * 2 + 1000000000 * n ))
echo "$out" | grep -q "^$((2 * n)) elements, sum $want " ||
  { echo "FAIL: want $((2 * n)) elements summing to $want"; exit 1; }
echo ok
