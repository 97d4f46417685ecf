#!/usr/bin/env bash
# Installs the Debian 12 packages pcoll needs for building, testing,
# benchmarking and its docs; does nothing when all are present.
# Run as root (or with sudo available).
set -euo pipefail
pkgs=(
  gcc clang meson ninja-build pkg-config         # build
  libpmemobj-dev libpmem-dev                     # what pcoll stands on
  libpmemlog-dev libpmemblk-dev                  # compat tests, bench anchors
  libcriterion-dev                               # tests
  libclang-rt-14-dev                             # sanitizers, libFuzzer
  doxygen                                        # docs
  clang-tidy clang-format                        # hygiene
  valgrind                                       # instructions per op
  python3-dev python3-pytest python3-gdbm        # Python package, its tests, bench
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "pcoll: installing missing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
