#!/bin/sh
# Runs a libpmemlog or libpmemblk program built against Debian's library
# and built against pcoll's compat header, and compares their output: it
# must be identical. With a third argument `nblock` (libpmemblk), lines
# starting with NBLOCK (the number of blocks, which legitimately differs)
# are compared separately: pcoll's count may fall short of libpmemblk's
# only by what libpmemobj's fixed pool overhead (lanes and headers, under
# 6 MiB) takes, and must not fall short otherwise.
# usage: compat_cmp.sh <prog-pmdk> <prog-pcoll> [nblock]
set -u
real=$1
pcoll=$2
nblock=${3:-}
. "$(dirname "$0")/testutil.sh"
tu_setup compat
dir=$TU_DIR
tmp=$TU_DIR
"$real" "$dir" > "$tmp/real.txt" || { echo "PMDK build failed"; cat "$tmp/real.txt"; exit 1; }
"$pcoll" "$dir" > "$tmp/pcoll.txt" || { echo "pcoll build failed"; cat "$tmp/pcoll.txt"; exit 1; }
if [ "$nblock" = nblock ]; then
	grep -v '^NBLOCK' "$tmp/real.txt" > "$tmp/real.cmp"
	grep -v '^NBLOCK' "$tmp/pcoll.txt" > "$tmp/pcoll.cmp"
else
	cp "$tmp/real.txt" "$tmp/real.cmp"
	cp "$tmp/pcoll.txt" "$tmp/pcoll.cmp"
fi
if ! diff -u "$tmp/real.cmp" "$tmp/pcoll.cmp"; then
	echo "FAIL: outputs differ"
	exit 1
fi
echo "identical output: $(wc -l < "$tmp/real.cmp") lines"
[ "$nblock" = nblock ] || exit 0
grep '^NBLOCK' "$tmp/real.txt" > "$tmp/real.nb"
grep '^NBLOCK' "$tmp/pcoll.txt" > "$tmp/pcoll.nb"
paste "$tmp/real.nb" "$tmp/pcoll.nb" | awk '
{
	bsize = $2; real = $3; pc = $6
	stride = int((bsize + 63) / 64) * 64
	allowance = int(6 * 1048576 / (stride + 4))
	printf "bsize %6d: libpmemblk %8d blocks, pcoll %8d (%+.2f%%)\n", bsize, real, pc, (pc - real) * 100.0 / real
	if ($2 != $5 || pc + allowance < real) { bad = 1; print "FAIL: pcoll holds too few blocks" }
}
END { exit bad }'
