#!/bin/bash
# pcoll as its users build it. tests/packaging/consumer.c (every container
# in one TX()) is built with gcc and clang at -O0, -O2 and -O3 under
#   -std=c11 -Wall -Wextra -Wpedantic -Wconversion -Werror
# three ways, and every build is run:
#   subproject  a meson project with pcoll in subprojects/ (found through
#               dependency('pcoll', fallback : ...)); its install must
#               contain the consumer only, nothing of pcoll;
#   installed   `meson install` of pcoll (headers, share/pkgconfig/pcoll.pc)
#               and cc $(pkg-config --cflags --libs pcoll);
#   vendored    include/pcoll copied into the consumer's tree.
# The install with -Dinstall_docs=true has the man pages and the HTML
# reference. Then clang's -Weverything checks that matter must pass, and C++ and C99
# compilers must stop at pcoll's one #error.
# The caller's PKG_CONFIG_PATH is kept (a PMDK outside the default path,
# tools/test-pmdk.sh). With PCOLL_PACKAGING=quick (CI's second PMDK
# version: what differs there is PMDK's headers and libraries, not the
# compilers) the matrix is one cell per way and compiler (gcc -O2 and
# clang -O3) and the docs install is left out.
# usage: test_packaging.sh SOURCE_DIR
set -u
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pooldir=${PCOLL_TEST_DIR:-/dev/shm}
export PMEM_IS_PMEM_FORCE=1
flags=(-std=c11 -Wall -Wextra -Wpedantic -Wconversion -Werror)
fail=0
pass=0
quick=0
[ "${PCOLL_PACKAGING:-}" = quick ] && quick=1
# levels CC: the optimization levels to build with CC
levels() {
  if [ $quick = 0 ]; then echo 0 2 3; elif [ "$1" = gcc ]; then echo 2; else echo 3; fi
}
# ok|bad LABEL: count and print one line per matrix cell
ok() { pass=$((pass + 1)); echo "ok: $1"; }
bad() { fail=$((fail + 1)); echo "FAILED: $1"; [ -f "$work/log" ] && tail -30 "$work/log"; }
run_consumer() { # LABEL EXE
  if "$2" "$pooldir/pcoll-consumer-$$.pool" >"$work/log" 2>&1; then ok "$1"; else bad "$1"; fi
  rm -f "$pooldir/pcoll-consumer-$$.pool"
}

# The working tree as it is (committed or not), without build directories.
copy_tree() {
  mkdir -p "$1"
  (cd "$src" && tar --exclude='./build*' --exclude='./.git' -cf - .) | (cd "$1" && tar xf -)
}

# 1. Subproject.
copy_tree "$work/sub/subprojects/pcoll"
cp "$src/tests/packaging/consumer.c" "$work/sub/app.c"
cat > "$work/sub/meson.build" <<'MESON'
project('consumer', 'c', default_options : ['c_std=c11', 'warning_level=3', 'werror=true'])
add_project_arguments('-Wconversion', language : 'c')
pcoll_dep = dependency('pcoll', fallback : ['pcoll', 'pcoll_dep'])
executable('app', 'app.c', dependencies : pcoll_dep, install : true)
MESON
for cc in gcc clang; do
  for o in $(levels $cc); do
    b=$work/sub/b-$cc-$o
    label="subproject $cc -O$o"
    if (cd "$work/sub" && CC=$cc meson setup "$b" -Doptimization=$o -Ddebug=false \
          -Dpcoll:tests=false -Dpcoll:bench=false -Dpcoll:examples=false \
          -Dpcoll:docs=false -Dpcoll:python=disabled && ninja -C "$b") >"$work/log" 2>&1; then
      run_consumer "$label" "$b/app"
    else
      bad "$label: build"
    fi
  done
done
# Installing the parent installs the consumer and nothing of pcoll.
b=$work/sub/b-gcc-2
if DESTDIR=$work/subinst meson install -C "$b" >"$work/log" 2>&1; then
  extra=$(cd "$work/subinst" && find . -type f ! -name app)
  if [ -z "$extra" ] && [ -n "$(find "$work/subinst" -type f -name app)" ]; then
    ok "subproject: the parent's install has the consumer only"
  else
    echo "$extra" >"$work/log"
    bad "subproject: the parent's install also has pcoll's files"
  fi
else
  bad "subproject: meson install"
fi

# 2. Installed: headers and share/pkgconfig/pcoll.pc under a prefix.
inst=$work/inst
if (cd "$src" && meson setup "$work/ib" --prefix="$inst" -Dtests=false -Dbench=false \
      -Dexamples=false -Ddocs=false -Dpython=disabled &&
    meson install -C "$work/ib") >"$work/log" 2>&1 &&
   [ -f "$inst/share/pkgconfig/pcoll.pc" ] && [ -f "$inst/include/pcoll/pcoll.h" ]; then
  ok "install: include/pcoll and share/pkgconfig/pcoll.pc"
else
  bad "install: include/pcoll and share/pkgconfig/pcoll.pc"
fi
pkgpath=$inst/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
if PKG_CONFIG_PATH=$pkgpath pkg-config --print-requires pcoll | grep -q libpmemobj; then
  ok "pcoll.pc requires libpmemobj"
else
  bad "pcoll.pc requires libpmemobj"
fi

# With -Dinstall_docs=true the install also has the reference: one
# section-3 man page per container and core header, and the HTML pages.
dinst=$work/dinst
if [ $quick = 1 ]; then
  echo "quick: the docs install is not checked"
elif (cd "$src" && meson setup "$work/db" --prefix="$dinst" -Dtests=false -Dbench=false \
      -Dexamples=false -Ddocs=true -Dinstall_docs=true -Dpython=disabled &&
    meson install -C "$work/db") >"$work/log" 2>&1; then
  missing=
  for h in pcoll vec vec_bulk map map_iter log blkarr pool root tx ptr err persist bytes; do
    [ -s "$dinst/share/man/man3/pcoll_$h.h.3" ] || missing+=" pcoll_$h.h.3"
  done
  [ -f "$dinst/share/doc/pcoll/html/index.html" ] || missing+=" share/doc/pcoll/html/index.html"
  # The map's page lists its generated functions under the instance name.
  man -l "$dinst/share/man/man3/pcoll_map_iter.h.3" 2>/dev/null | grep -q 'NAME_count_between' ||
    missing+=" NAME_count_between in pcoll_map_iter.h(3)"
  if [ -z "$missing" ]; then
    ok "install_docs: man3 pages and share/doc/pcoll/html"
  else
    echo "missing:$missing" >"$work/log"
    bad "install_docs: man3 pages and share/doc/pcoll/html"
  fi
else
  bad "install_docs: meson install"
fi

# 3. Vendored.
mkdir -p "$work/vendor/include"
cp -r "$src/include/pcoll" "$work/vendor/include/"

for cc in gcc clang; do
  for o in $(levels $cc); do
    label="installed $cc -O$o"
    # shellcheck disable=SC2046
    if $cc "${flags[@]}" -O$o "$src/tests/packaging/consumer.c" -o "$work/app-i" \
         $(PKG_CONFIG_PATH=$pkgpath pkg-config --cflags --libs pcoll) >"$work/log" 2>&1; then
      run_consumer "$label" "$work/app-i"
    else
      bad "$label: build"
    fi
    label="vendored $cc -O$o"
    # shellcheck disable=SC2046
    if $cc "${flags[@]}" -O$o -I"$work/vendor/include" "$src/tests/packaging/consumer.c" \
         -o "$work/app-v" $(pkg-config --cflags --libs libpmemobj libpmem) >"$work/log" 2>&1; then
      run_consumer "$label" "$work/app-v"
    else
      bad "$label: build"
    fi
  done
done

# clang -Weverything's warnings that name real problems in the headers
# (casts dropping const, function casts, weak thread-locals without a
# declaration) stay errors; the rest of -Weverything (C++98 compatibility,
# declarations after statements, padding) is not checked.
label="clang -Wcast-qual -Wcast-function-type -Wmissing-variable-declarations"
# shellcheck disable=SC2046
if clang "${flags[@]}" -Wcast-qual -Wcast-function-type -Wmissing-variable-declarations \
     -O2 -c -I"$src/include" $(pkg-config --cflags libpmemobj) \
     "$src/tests/packaging/consumer.c" -o "$work/app-w.o" >"$work/log" 2>&1; then
  ok "$label"
else
  bad "$label"
fi

# 4. C++ and pre-C11 compilers: one #error that names the requirement,
# then the compiler stops (the fatal include), nothing else.
cp "$src/tests/packaging/consumer.c" "$work/app.cpp"
lang_case() { # LABEL WANT COMPILER ARGS...
  local label=$1 want=$2; shift 2
  "$@" -fsyntax-only -I"$src/include" $(pkg-config --cflags libpmemobj) >"$work/log" 2>&1
  local st=$? errs
  errs=$(grep -E '(error|fatal error):' "$work/log" | grep -vE 'pcoll: C11 required' | wc -l)
  if [ $st -ne 0 ] && [ "$errs" -eq 1 ] && grep -q "$want" "$work/log"; then
    ok "$label: one #error"
  else
    bad "$label: expected one #error naming '$want' (exit $st, $errs errors)"
  fi
}
lang_case "g++" "not C++" g++ "$work/app.cpp"
lang_case "clang++" "not C++" clang++ "$work/app.cpp"
lang_case "gcc -std=c99" "needs C11 or later" gcc -std=c99 "$src/tests/packaging/consumer.c"
lang_case "clang -std=c99" "needs C11 or later" clang -std=c99 "$src/tests/packaging/consumer.c"

echo "packaging: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
