#!/bin/sh
# Runs the libpmemlog program built against Debian's libpmemlog and built
# against pcoll's compat header, and requires identical output.
# usage: compat_cmp.sh <prog-libpmemlog> <prog-pcoll> [pool directory]
set -u
real=$1
pcoll=$2
dir=${3:-${PCOLL_TEST_DIR:-/dev/shm}}
mkdir -p "$dir" || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$real" "$dir" > "$tmp/real.txt" || { echo "libpmemlog build failed"; cat "$tmp/real.txt"; exit 1; }
"$pcoll" "$dir" > "$tmp/pcoll.txt" || { echo "pcoll build failed"; cat "$tmp/pcoll.txt"; exit 1; }
if ! diff -u "$tmp/real.txt" "$tmp/pcoll.txt"; then
	echo "FAIL: outputs differ"
	exit 1
fi
echo "identical output: $(wc -l < "$tmp/real.txt") lines"
