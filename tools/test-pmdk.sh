#!/usr/bin/env bash
# tools/test-pmdk.sh PREFIX [--move BUILD] [--no-crash] [meson test args...]
#
# The test suite against the PMDK installed under PREFIX (headers,
# libraries and .pc files, as `make install prefix=PREFIX` of PMDK's
# source or an unpacked Debian package leave them): configures
# build-ci-pmdk-VERSION with gcc and warnings as errors through PREFIX's
# .pc files, checks with ldd that every program of the build loads
# PREFIX's libpmemobj and libpmem (and libpmemlog/libpmemblk where PREFIX
# has them), then runs meson test (every suite, or the ones the extra
# arguments select). With --move BUILD it also moves pools between this
# build and BUILD, another build directory of this tree, both ways
# (tools/pool-move.sh). --no-crash neither builds nor runs the crash
# harness (-Dcrash_tests=none; it runs pcoll's code over its own model of
# the media, so one PMDK version covers it). Ends with "N passed, N
# failed".
#
# Examples:
#   tools/test-pmdk.sh /opt/pmdk-2.1.1
#   tools/test-pmdk.sh "$(tools/pmdk-debian.sh)" --move build --suite core
set -uo pipefail
usage() { sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit "${1:-2}"; }
[ $# -ge 1 ] || usage
case $1 in -h|--help) usage 0 ;; esac
prefix=$(realpath -e "$1") || { echo "test-pmdk: no such directory: $1" >&2; exit 2; }
shift
move=
if [ "${1:-}" = --move ]; then
  [ $# -ge 2 ] || usage
  move=$(realpath -e "$2") || exit 2
  shift 2
fi
setup=()
if [ "${1:-}" = --no-crash ]; then
  setup+=(-Dcrash_tests=none)
  shift
fi
cd "$(dirname "$0")/.."
pass=0
fail=0
jobs=${PCOLL_JOBS:-2}
. tools/ci-lib.sh

pc=$(find "$prefix" -name libpmemobj.pc -print -quit)
if [ -z "$pc" ]; then
  echo "test-pmdk: no libpmemobj.pc under $prefix"
  echo "0 passed, 1 failed"
  exit 1
fi
export PKG_CONFIG_PATH=$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
version=$(pkg-config --modversion libpmemobj)
libdir=$(realpath "$(pkg-config --variable=libdir libpmemobj)")
# The programs find PREFIX's libraries through the run path meson gives
# them; LD_LIBRARY_PATH covers what meson does not link (the Python
# extension's interpreter, programs the tests start).
export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
name=pmdk-$version
echo "=== PMDK $version from $prefix (libraries in $libdir)"

# ldd_check DIR: every ELF file in DIR that needs a PMDK library must
# resolve it to LIBDIR.
ldd_check() {
  local dir=$1 bad=0 n=0 f line lib path
  while IFS= read -r -d '' f; do
    head -c 4 "$f" 2>/dev/null | grep -q 'ELF' || continue
    local out
    out=$(ldd "$f" 2>/dev/null | grep -E 'libpmem(obj|log|blk)?\.so') || continue
    n=$((n + 1))
    while IFS= read -r line; do
      lib=$(echo "$line" | awk '{print $1}')
      path=$(echo "$line" | awk '{print $3}')
      if [ -z "$path" ] || [ "$(dirname "$(realpath "$path")")" != "$libdir" ]; then
        echo "ldd: ${f#"$dir"/} loads $lib from '${path:-nowhere}', not $libdir"
        bad=$((bad + 1))
      fi
    done <<<"$out"
  done < <(find "$dir" -type f \( -perm -u+x -o -name '*.so' \) -print0)
  echo "ldd: $n programs and modules of $dir need PMDK libraries; $bad resolved elsewhere"
  [ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
}

if ci_build "$name" gcc -Dbuildtype=debugoptimized "${setup[@]}"; then
  echo "=== $name: ldd"
  if ldd_check "build-ci-$name"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
  got=$("build-ci-$name/tools/pcoll/pcoll" version | sed -n 's/^PMDK \([^ ]*\) .*/\1/p')
  if [ "$got" = "$version" ]; then
    echo "pcoll version: PMDK $got"
    pass=$((pass + 1))
  else
    echo "pcoll version says PMDK '$got', expected $version"
    fail=$((fail + 1))
  fi
  ci_test "$name" "$@"
  if [ -n "$move" ]; then
    echo "=== pools between $move and build-ci-$name"
    # The other build runs with the system's (or its own run path's)
    # libraries: LD_LIBRARY_PATH only for this build's side.
    t0=$SECONDS
    if bash tools/pool-move.sh "$move" "" "build-ci-$name" "$libdir"; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
    fi
    echo "=== pools moved in $((SECONDS - t0)) s"
  fi
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
