#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Plays scripted games of guess, one process per move, and checks every
# answer: a won game, a lost game, and the errors in between.
set -u
exe=$1
. "$(dirname "$0")/../../tests/common/testutil.sh"
tu_setup guess
pool="$TU_DIR/guess.pool"
failed=0

# expect RC TEXT ARGS...: run guess on the pool, check exit status and
# that TEXT appears in its output (stdout and stderr).
expect() {
	want_rc=$1
	want=$2
	shift 2
	out=$("$exe" --pool "$pool" "$@" 2>&1)
	rc=$?
	echo "\$ guess $*"
	echo "$out"
	if [ "$rc" -ne "$want_rc" ]; then
		echo "FAIL: exit status $rc, expected $want_rc"
		failed=$((failed + 1))
	fi
	case $out in
	*"$want"*) ;;
	*)
		echo "FAIL: expected \"$want\""
		failed=$((failed + 1))
		;;
	esac
}

# No game yet.
expect 1 "no game is running" status
expect 1 "no game is running" guess 5
[ -e "$pool" ] && { echo "FAIL: a guess without a game made a pool"; failed=$((failed + 1)); }

# Game 1: Ada guesses 42 on the third try.
expect 1 "secret must be a number" start Ada 0
expect 1 "secret must be a number" start Ada 101
expect 0 "Ada, your game has started: guess a number from 1 to 100 (7 guesses)." start Ada 42
expect 0 "Ada: 0 of 7 guesses used: none yet" status
expect 1 "Ada's game is running: finish it first" start Bob 3
expect 0 "50 is too high. 6 guesses left." guess 50
expect 0 "25 is too low. 5 guesses left." guess 25
expect 0 "25: already tried." guess 25
expect 1 "\"abc\" is not a number" guess abc
expect 1 "\"0\" is not a number from 1 to 100" guess 0
expect 0 "Ada: 2 of 7 guesses used: 50 (high) 25 (low)" status
expect 0 "42 is correct! Ada wins after 3 guesses." guess 42
[ -e "$pool" ] && { echo "FAIL: the pool is still there after the win"; failed=$((failed + 1)); }
expect 1 "no game is running" status

# Game 2: Eve never finds 1 and loses after 7 guesses.
expect 0 "Eve, your game has started" start Eve 1
for n in 100 99 98 97 96 95; do
	expect 0 "$n is too high." guess $n
done
expect 0 "Eve: 6 of 7 guesses used: 100 (high) 99 (high) 98 (high) 97 (high) 96 (high) 95 (high)" status
expect 0 "94 is too high. No guesses left: the number was 1. Game over." guess 94
[ -e "$pool" ] && { echo "FAIL: the pool is still there after the loss"; failed=$((failed + 1)); }

# Usage errors.
expect 2 "usage: guess" start OnlyName
expect 2 "usage: guess" frobnicate

if [ "$failed" -ne 0 ]; then
	echo "$failed check(s) failed"
	exit 1
fi
echo ok
