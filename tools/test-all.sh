#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs missing packages, then
# builds and runs `meson test` four times on the system's PMDK 1.12.1
# (gcc, clang, clang with AddressSanitizer + UndefinedBehaviorSanitizer,
# clang with ThreadSanitizer on the concurrency suite) and once on PMDK
# 1.13.1 (gcc; tools/test-pmdk.sh), all warnings as
# errors, plus clang-tidy and clang-format on include/. Ends with one line
# "N passed, N failed" counting every test of every build.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
echo "=== packages checked in $SECONDS s"

pass=0
fail=0
jobs=${PCOLL_JOBS:-2}

. tools/ci-lib.sh

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
# The crash harness runs in the gcc build; clang compiles it (for its
# warnings) without the deliberately broken builds, and runs its fuzzers
# (libFuzzer needs clang) below; the other builds leave it out.
# It also builds as on PMDK 2.x, without libpmemlog and libpmemblk
# (-Dlegacy_pmdk=disabled): their anchors and compat comparisons run in
# the gcc, ASan and 1.13.1 builds.
build_and_test clang clang "${once[@]}" -- -Dcrash_tests=harness \
    -Dlegacy_pmdk=disabled &&
  ci_test clang crash-fuzz crash-fuzz-known crash-fuzz-known-map
# Sanitizers: the bench counter preloads its own shared object, which ASan
# does not allow.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:malloc_context_size=2} \
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tools/lsan.supp:print_suppressions=0} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
build_and_test asan-ubsan clang "${once[@]}" --no-suite bench -- \
  -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug \
  -Dcrash_tests=none

# ThreadSanitizer: the concurrency suites (threads sharing one
# synchronized map), with the documented suppressions of tools/tsan.supp;
# only their program is built.
TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:suppressions=$PWD/tools/tsan.supp} \
CI_NINJA_TARGETS=tests/map/test_map_sync_mini \
build_and_test tsan clang --suite concurrency -- \
  -Db_sanitize=thread -Db_lundef=false -Dbuildtype=debugoptimized \
  -Dexamples=false -Dbench=false -Dpython=disabled -Dcrash_tests=none

# PMDK 1.13.1 (Debian trixie's packages, unpacked into a cache, never
# installed): the whole suite but the docs (which do not depend on PMDK)
# built against it with gcc and warnings as errors, its libraries checked
# with ldd, and pools moved between it and the gcc build's 1.12.1 both
# ways (tools/test-pmdk.sh --move). PCOLL_CI_PMDK=0 skips this part.
if [ "${PCOLL_CI_PMDK:-1}" != 0 ]; then
  echo "=== PMDK 1.13.1: Debian trixie's packages (tools/pmdk-debian.sh)"
  if prefix=$(bash tools/pmdk-debian.sh trixie); then
    # The crash simulator runs pcoll's own code over its own model of the
    # media; it ran above on 1.12.1. Every other suite runs again here.
    # The consumer matrix's compiler x optimization cells ran above; here
    # one cell per way and compiler (tests/packaging).
    PCOLL_PACKAGING=quick \
    bash tools/test-pmdk.sh "$prefix" --move build-ci-gcc --no-crash \
      --no-suite docs \
      2>&1 | tee "build-ci-pmdk.log" | grep -vE '^ *[0-9]+/[0-9]+ .* OK |^ok: ' | tail -40
    last=$(tail -1 build-ci-pmdk.log)
    if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
      pass=$((pass + BASH_REMATCH[1]))
      fail=$((fail + BASH_REMATCH[2]))
    else
      echo "=== PMDK 1.13.1: tools/test-pmdk.sh ended with '$last'"
      fail=$((fail + 1))
    fi
  else
    echo "=== PMDK 1.13.1: could not obtain Debian trixie's packages"
    fail=$((fail + 1))
  fi
fi

echo "=== lint: clang-tidy on include/"
t0=$SECONDS
if bash tools/lint.sh tidy; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
echo "=== lint: clang-tidy took $((SECONDS - t0)) s"
echo "=== lint: clang-format on include/, tests/, examples/, bench/, tools/"
if bash tools/lint.sh format; then pass=$((pass + 1)); else fail=$((fail + 1)); fi

echo "=== total time: $(( $(date +%s) - start )) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
