#!/bin/sh
# Runs hello twice on one pool: the second run must greet by the name the
# first run was given.
set -u
exe=$1
. "$(dirname "$0")/../../tests/common/testutil.sh"
tu_setup hello
pool="$TU_DIR/hello.pool"
out1=$(echo "Ada" | "$exe" "$pool") || { echo "first run failed: $out1"; exit 1; }
out2=$("$exe" "$pool" </dev/null) || { echo "second run failed: $out2"; exit 1; }
out3=$("$exe" "$pool" </dev/null) || { echo "third run failed: $out3"; exit 1; }
rm -f "$pool" # the next check wants a fresh pool
echo "$out1"; echo "$out2"; echo "$out3"
case $out1 in *"Nice to meet you, Ada."*) ;; *) echo "FAIL: first greeting"; exit 1 ;; esac
case $out2 in *"Hello again, Ada! (visit 2)"*) ;; *) echo "FAIL: second greeting"; exit 1 ;; esac
case $out3 in *"Hello again, Ada! (visit 3)"*) ;; *) echo "FAIL: third greeting"; exit 1 ;; esac
# A missing name on a fresh pool is an error, not a crash.
if echo "" | "$exe" "$pool" >/dev/null 2>&1; then echo "FAIL: empty name accepted"; exit 1; fi
echo ok
