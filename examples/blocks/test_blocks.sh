#!/bin/sh
# Runs the blocks example on a fresh pool and checks what it printed; a
# second run on the same pool must refuse to create it again.
set -u
exe=$1
. "$(dirname "$0")/../../tests/common/testutil.sh"
tu_setup blocks
pool="$TU_DIR/blocks.pool"
out=$("$exe" "$pool" 32) || { echo "run failed: $out"; exit 1; }
echo "$out"
case $out in *"the pool holds "*" blocks of 1024 bytes"*) ;; *) echo "FAIL: block count"; exit 1 ;; esac
n=$(echo "$out" | sed -n 's/the pool holds \([0-9]*\) blocks.*/\1/p')
[ "$n" -gt 20000 ] || { echo "FAIL: only $n blocks in 32 MiB"; exit 1; }
case $out in *'read block 20 after reopening: "hello, world"'*) ;; *) echo "FAIL: block 20"; exit 1 ;; esac
case $out in *"block 10 (never written): 0 nonzero bytes"*) ;; *) echo "FAIL: block 10"; exit 1 ;; esac
if "$exe" "$pool" 32 >/dev/null 2>&1; then echo "FAIL: created over an existing pool"; exit 1; fi
echo ok
