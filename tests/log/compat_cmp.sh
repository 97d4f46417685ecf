#!/bin/sh
# Runs the libpmemlog program built against Debian's libpmemlog and built
# against pcoll's compat header, and requires identical output.
# usage: compat_cmp.sh <prog-libpmemlog> <prog-pcoll>
set -u
real=$1
pcoll=$2
. "$(dirname "$0")/../common/testutil.sh"
tu_setup log-compat
dir=$TU_DIR
tmp=$TU_DIR
"$real" "$dir" > "$tmp/real.txt" || { echo "libpmemlog build failed"; cat "$tmp/real.txt"; exit 1; }
"$pcoll" "$dir" > "$tmp/pcoll.txt" || { echo "pcoll build failed"; cat "$tmp/pcoll.txt"; exit 1; }
if ! diff -u "$tmp/real.txt" "$tmp/pcoll.txt"; then
	echo "FAIL: outputs differ"
	exit 1
fi
echo "identical output: $(wc -l < "$tmp/real.txt") lines"
