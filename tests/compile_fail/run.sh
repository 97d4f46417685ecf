#!/bin/sh
# Usage: run.sh CC INCLUDE_DIR FILE
# (-c, not -fsyntax-only: gcc warns about unused results only when it
# generates code.)
# FILE must compile with -DCONTROL (proving the test itself is sound) and
# must fail to compile without it (the type rule under test).
cc=$1; inc=$2; file=$3
flags="-std=c11 -Wall -Wextra -Wpedantic -Werror -c -o /dev/null -I$inc"
if ! $cc $flags $(pkg-config --cflags libpmemobj) -DCONTROL "$file" 2>control.err; then
	echo "FAIL: the control version of $file does not compile:"; cat control.err
	exit 1
fi
if $cc $flags $(pkg-config --cflags libpmemobj) "$file" 2>bad.err; then
	echo "FAIL: $file compiled, but it breaks a type rule"
	exit 1
fi
echo "ok: rejected as expected:"; head -n 5 bad.err
exit 0
