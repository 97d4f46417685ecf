#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs missing packages, then
# builds and runs `meson test` three times (gcc, clang, clang with
# AddressSanitizer + UndefinedBehaviorSanitizer), all warnings as errors,
# plus clang-tidy and clang-format on include/. Ends with one line
# "N passed, N failed" counting every test of every build.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh || { echo "0 passed, 1 failed"; exit 1; }

pass=0
fail=0
jobs=${PCOLL_JOBS:-2}

count() { # $1: meson testlog.txt summary -> adds to pass/fail
  local log=$1 ok f t up
  ok=$(grep -E '^Ok:' "$log" | tail -1 | grep -oE '[0-9]+' | head -1)
  f=$(grep -E '^Fail:' "$log" | tail -1 | grep -oE '[0-9]+' | head -1)
  t=$(grep -E '^Timeout:' "$log" | tail -1 | grep -oE '[0-9]+' | head -1)
  up=$(grep -E '^Unexpected Pass:' "$log" | tail -1 | grep -oE '[0-9]+' | head -1)
  pass=$((pass + ${ok:-0}))
  fail=$((fail + ${f:-0} + ${t:-0} + ${up:-0}))
}

build_and_test() { # name, CC, extra meson test args..., -- meson setup args...
  local name=$1 compiler=$2; shift 2
  local targs=() sargs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do targs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  sargs=("$@")
  local dir=build-ci-$name
  # Pools go to directories of this run only, removed afterwards, so a
  # failing test cannot leave pools behind in /dev/shm.
  local pools=/dev/shm/pcoll-ci-$$-$name
  echo "=== $name: configure and build"
  rm -rf "$dir" "$pools"
  if ! CC=$compiler meson setup "$dir" -Dwerror=true -Dtest_dir="$pools" \
       -Dmsync_test_dir="$pools-msync" "${sargs[@]}" >"$dir.setup.log" 2>&1 \
     || ! ninja -C "$dir" -j "$jobs" >"$dir.build.log" 2>&1; then
    cat "$dir.setup.log" "$dir.build.log" 2>/dev/null | tail -60
    echo "=== $name: BUILD FAILED"
    fail=$((fail + 1))
    return
  fi
  echo "=== $name: meson test"
  meson test -C "$dir" --num-processes "$jobs" --print-errorlogs "${targs[@]}" \
    | grep -vE '^ *[0-9]+/[0-9]+ .* OK ' | tail -40
  count "$dir/meson-logs/testlog.txt"
  rm -rf "$pools" "$pools-msync"
}

start=$(date +%s)
# gcc runs everything. clang and the sanitizer build run the suites on
# the flush path; the msync group, the crash simulator, packaging and the
# docs do not depend on the compiler and run once, in the gcc build.
once=(--no-suite docs --no-suite packaging --no-suite crash --no-suite crash-msync)
# The Python package's tests run the gcc build's extension (clang builds it
# too, warning-free); the ASan build's extension cannot be loaded into the
# uninstrumented interpreter without preloading libasan.
once+=(--no-suite python --no-suite python-msync)
for s in core vec map log blk tools examples bench; do once+=(--no-suite "$s-msync"); done
# gcc builds optimized (-O2 -g), as users do: gcc warns about some null
# and uninitialized paths in the headers only once it inlines them.
build_and_test gcc gcc -- -Dbuildtype=debugoptimized
build_and_test clang clang "${once[@]}" --
# Sanitizers: the bench counter preloads its own shared object, which ASan
# does not allow.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:malloc_context_size=2} \
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tools/lsan.supp:print_suppressions=0} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
build_and_test asan-ubsan clang "${once[@]}" --no-suite bench -- \
  -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

# ThreadSanitizer: the concurrency suites (threads sharing one
# synchronized map), with the documented suppressions of tools/tsan.supp.
TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:suppressions=$PWD/tools/tsan.supp} \
build_and_test tsan clang --suite concurrency -- \
  -Db_sanitize=thread -Db_lundef=false -Dbuildtype=debugoptimized \
  -Dexamples=false -Dbench=false -Dpython=disabled

echo "=== lint: clang-tidy on include/"
if bash tools/lint.sh tidy; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
echo "=== lint: clang-format on include/, tests/, examples/, bench/, tools/"
if bash tools/lint.sh format; then pass=$((pass + 1)); else fail=$((fail + 1)); fi

echo "=== total time: $(( $(date +%s) - start )) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
