#!/bin/bash
# pcoll as a consumer sees it: (1) a meson subproject found through
# dependency('pcoll', fallback : ...), (2) an install whose pcoll.pc lets a
# plain cc build a program. Each builds and runs a tiny program.
set -eu
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sub/subprojects"
# The working tree as it is (committed or not), without build directories.
(cd "$src" && tar --exclude='./build*' --exclude='./.git' -cf - .) |
  (mkdir -p "$work/sub/subprojects/pcoll" && cd "$work/sub/subprojects/pcoll" && tar xf -)
cat > "$work/sub/meson.build" <<'MESON'
project('consumer', 'c', default_options : ['c_std=c11', 'warning_level=3', 'werror=true'])
pcoll_dep = dependency('pcoll', fallback : ['pcoll', 'pcoll_dep'])
executable('app', 'app.c', dependencies : pcoll_dep)
MESON
cat > "$work/sub/app.c" <<'C'
#include <pcoll/pcoll.h>
int main(void)
{
	return pc_strerror(PC_E_TYPE)[0] == 'w' ? 0 : 1;
}
C
(cd "$work/sub" && meson setup b -Dpcoll:tests=false -Dpcoll:bench=false \
   -Dpcoll:examples=false -Dpcoll:docs=false >/dev/null && ninja -C b >/dev/null && ./b/app)
echo "subproject: ok"

(cd "$src" && meson setup "$work/ib" --prefix=/usr -Dtests=false -Dbench=false \
   -Dexamples=false -Ddocs=false >/dev/null &&
 DESTDIR="$work/root" meson install -C "$work/ib" >/dev/null)
pcdir=$(dirname "$(find "$work/root" -name pcoll.pc | head -1)")
test -f "$work/root/usr/include/pcoll/pcoll.h"
export PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$work/root
cc -std=c11 -Wall -Wextra -Wpedantic -Werror "$work/sub/app.c" -o "$work/app2" \
   -I"$work/root/usr/include" $(pkg-config --libs pcoll)
"$work/app2"
pkg-config --print-requires pcoll | grep -q libpmemobj
echo "install + pkg-config: ok"
