#!/bin/sh
# Runs the log example twice on one pool: the first run shows two records
# before and after reopening, the second run four.
set -u
exe=$1
. "$(dirname "$0")/../../tests/common/testutil.sh"
tu_setup log
pool="$TU_DIR/log.pool"
out1=$("$exe" "$pool") || { echo "first run failed: $out1"; exit 1; }
out2=$("$exe" "$pool") || { echo "second run failed: $out2"; exit 1; }
echo "$out1"; echo "$out2"
n1=$(echo "$out1" | grep -c "^  record")
n2=$(echo "$out2" | grep -c "^  record")
[ "$n1" -eq 4 ] || { echo "FAIL: first run printed $n1 records, want 2+2"; exit 1; }
[ "$n2" -eq 8 ] || { echo "FAIL: second run printed $n2 records, want 4+4"; exit 1; }
case $out2 in *"after reopening: 4 records, 134 bytes"*) ;; *) echo "FAIL: reopen summary"; exit 1 ;; esac
case $out2 in *"record 4 (34 bytes): This is the second string appended"*) ;; *) echo "FAIL: record 4"; exit 1 ;; esac
# A bad path is an error message, not a crash.
if "$exe" /nonexistent-dir/x.pool >/dev/null 2>&1; then echo "FAIL: bad path accepted"; exit 1; fi
echo ok
