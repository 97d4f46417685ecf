#!/usr/bin/env bash
# tools/pmdk-source.sh PMDK_SOURCE PREFIX: build libpmem and libpmemobj
# from a PMDK 2.x source tree (a git checkout of a release tag, or a
# release tarball) and install them, their headers and .pc files under
# PREFIX, for tools/test-pmdk.sh PREFIX. Only those two libraries are
# built (no tools, libpmempool, libpmem2, examples, benchmarks or man
# pages), without ndctl: PMEMOBJ_IGNORE_DIRTY_SHUTDOWN/BAD_BLOCKS=y accept
# that such a libpmemobj cannot detect dirty shutdowns and bad blocks,
# which the tests do not need. Nothing goes outside PREFIX and the source
# tree.
#
# Example:
#   git clone https://github.com/pmem/pmdk && git -C pmdk checkout 2.1.1
#   tools/pmdk-source.sh pmdk build-pmdk21/prefix
#   tools/test-pmdk.sh build-pmdk21/prefix --move build
set -euo pipefail
case ${1:-} in -h|--help) sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
if [ $# -ne 2 ] || [ ! -f "$1/src/libpmemobj/Makefile" ]; then
  echo "usage: pmdk-source.sh PMDK_SOURCE PREFIX (PMDK_SOURCE: a PMDK source tree)" >&2
  exit 2
fi
src=$(realpath -e "$1")
mkdir -p "$2"
prefix=$(realpath -e "$2")
opts=(NDCTL_ENABLE=n PMEMOBJ_IGNORE_DIRTY_SHUTDOWN=y PMEMOBJ_IGNORE_BAD_BLOCKS=y
      DOC=n BUILD_EXAMPLES=n BUILD_BENCHMARKS=n "prefix=$prefix")
make -C "$src/src" -j "${PCOLL_JOBS:-2}" "${opts[@]}" libpmem libpmemobj
for lib in libpmem libpmemobj; do
  make -C "$src/src/$lib" "${opts[@]}" install
done
# The .pc files name PREFIX: generate them afresh (a previous run may
# have left ones naming another prefix).
rm -f "$src"/src/*.pc
make -C "$src/src" "${opts[@]}" pkg-config
inc=$src/src/include
install -d "$prefix/include/libpmemobj" "$prefix/lib/pkgconfig"
install -m 0644 "$inc/libpmem.h" "$inc/libpmemobj.h" "$prefix/include"
install -m 0644 "$inc"/libpmemobj/*.h "$prefix/include/libpmemobj"
install -m 0644 "$src/src/libpmem.pc" "$src/src/libpmemobj.pc" "$prefix/lib/pkgconfig"
echo "pmdk-source: PMDK $(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --modversion libpmemobj) installed under $prefix" >&2
