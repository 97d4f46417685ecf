#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Drives examples/kv: every command, checked output, reopen between calls.
set -u
kv=$1
. "$(dirname "$0")/../../tests/common/testutil.sh"
tu_setup kv
pool="$TU_DIR/kv.pool"
failed=0
# expect WANT CMD...: stdout of kv must equal WANT (exit status ignored)
expect() {
	want=$1
	shift
	got=$("$kv" "$pool" "$@" 2>/dev/null)
	if [ "$got" != "$want" ]; then
		echo "FAIL: kv $*: got '$got', want '$want'"
		failed=$((failed + 1))
	fi
}
status() {
	want=$1
	shift
	"$kv" "$pool" "$@" >/dev/null 2>&1
	st=$?
	if [ "$st" -ne "$want" ]; then
		echo "FAIL: kv $*: exit $st, want $want"
		failed=$((failed + 1))
	fi
}

status 0 put banana yellow
status 0 put apple red
status 0 put cherry dark-red
status 0 put date brown
status 0 put "a long key that does not fit inline in 23 bytes" \
	"and a value that is also longer than twenty-three bytes"
expect "yellow" get banana
expect "red" get apple
status 1 get durian
expect "yes" exists cherry
status 1 exists durian
expect "no" exists durian
expect "5" count all
expect "3" count above b
expect "2" count below b
expect "1" count between apple cherry
expect "0" count between cherry apple
expect "0" count between apple apple
expect "a long key that does not fit inline in 23 bytes
apple
banana
cherry
date" list all
expect "banana
cherry
date" list keys above b
expect "apple=red
banana=yellow" list pairs between ab c
expect "a long key that does not fit inline in 23 bytes=and a value that is also longer than twenty-three bytes" list pairs below apple
status 0 put banana green
expect "green" get banana
expect "green" remove banana
status 1 remove banana
expect "4" count all
expect "" list all above zzz
status 2 count sideways
status 2 frobnicate
# many keys, then ranges over them
i=0
while [ $i -lt 200 ]; do
	"$kv" "$pool" put "k$(printf %03d $i)" "v$i" || failed=$((failed + 1))
	i=$((i + 2))
done
expect "100" count between k k999
expect "49" count between k000 k099
expect "k196
k198" list keys above k195
if [ "$failed" -ne 0 ]; then
	echo "$failed checks failed"
	exit 1
fi
echo "all kv checks passed"
exit 0
