# Sourced by tools/test-all.sh and tools/test-pmdk.sh: configure, build and
# test one build directory, and count what meson test reported.
# Callers set pass=0 fail=0 and jobs; the build directory is build-ci-NAME,
# its pools go to /dev/shm/pcoll-ci-PID-NAME (removed afterwards).

ci_count() { # $1: meson testlog.txt -> adds its summary to pass/fail
  local log=$1 ok f t up
  ok=$(grep -E '^Ok:' "$log" | tail -1 | grep -oE '[0-9]+' | head -1)
  f=$(grep -E '^Fail:' "$log" | tail -1 | grep -oE '[0-9]+' | head -1)
  t=$(grep -E '^Timeout:' "$log" | tail -1 | grep -oE '[0-9]+' | head -1)
  up=$(grep -E '^Unexpected Pass:' "$log" | tail -1 | grep -oE '[0-9]+' | head -1)
  pass=$((pass + ${ok:-0}))
  fail=$((fail + ${f:-0} + ${t:-0} + ${up:-0}))
}

# ci_build NAME CC [meson setup args...]: configure and build build-ci-NAME
# with warnings as errors; a failure counts as one failed test. Returns 1
# when the build failed. CI_NINJA_TARGETS (space-separated) builds those
# targets only, for a build that runs a few tests.
ci_build() {
  local name=$1 compiler=$2; shift 2
  local dir=build-ci-$name pools=/dev/shm/pcoll-ci-$$-$name
  echo "=== $name: configure and build"
  local t0=$SECONDS
  rm -rf "$dir" "$pools"
  if ! CC=$compiler meson setup "$dir" -Dwerror=true -Dtest_dir="$pools" \
       -Dmsync_test_dir="$pools-msync" "$@" >"$dir.setup.log" 2>&1 \
     || ! ninja -C "$dir" -j "$jobs" ${CI_NINJA_TARGETS:-} >"$dir.build.log" 2>&1; then
    cat "$dir.setup.log" "$dir.build.log" 2>/dev/null | tail -60
    echo "=== $name: BUILD FAILED"
    rm -rf "$pools" "$pools-msync" # meson setup made them
    fail=$((fail + 1))
    return 1
  fi
  echo "=== $name: built in $((SECONDS - t0)) s"
}

# ci_test NAME [meson test args...]: meson test in build-ci-NAME.
ci_test() {
  local name=$1; shift
  local dir=build-ci-$name pools=/dev/shm/pcoll-ci-$$-$name
  echo "=== $name: meson test"
  local t0=$SECONDS
  meson test -C "$dir" --num-processes "$jobs" --print-errorlogs "$@" \
    | grep -vE '^ *[0-9]+/[0-9]+ .* OK ' | tail -40
  ci_count "$dir/meson-logs/testlog.txt"
  rm -rf "$pools" "$pools-msync"
  echo "=== $name: tests took $((SECONDS - t0)) s"
}

# build_and_test NAME CC [meson test args...] -- [meson setup args...]
# Returns 1 when the build failed (counted as one failure already).
build_and_test() {
  local name=$1 compiler=$2; shift 2
  local targs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do targs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  ci_build "$name" "$compiler" "$@" || return 1
  ci_test "$name" "${targs[@]}"
}
