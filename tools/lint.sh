#!/usr/bin/env bash
# tools/lint.sh tidy|format: clang-tidy over every public header (through
# one translation unit per header) and the Python extension's C sources, or
# a clang-format check of the C files. clang-tidy runs PCOLL_JOBS (2)
# files at a time.
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-tidy}
status=0
if [ "$mode" = tidy ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  flags=(-std=c11 -Iinclude $(pkg-config --cflags libpmemobj libpmem))
  jobs=${PCOLL_JOBS:-2}
  n=0
  # tidy NAME FILE [clang-tidy args...] -- [compiler args...]: runs in the
  # background; findings go to $tmp/NAME.out, and the file's name to
  # $tmp/NAME.bad.
  tidy() {
    local name=$1 file=$2; shift 2
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
    (
      out=$(clang-tidy --quiet --config-file="$PWD/.clang-tidy" "$@" 2>&1)
      if echo "$out" | grep -qE '(warning|error):'; then
        echo "$out" | grep -E -A3 '(warning|error):' | head -40 >"$tmp/$name.out"
        echo "$file" >"$tmp/$name.bad"
      fi
    ) &
  }
  for h in include/pcoll/*.h include/pcoll/compat/*.h; do
    [ -f "$h" ] || continue
    tu=$tmp/$(basename "$h" .h).c
    case $h in
      */vec.h) printf '#define PC_T uint64_t\n#include <stdint.h>\n#include <pcoll/pcoll.h>\n' > "$tu" ;;
      */map.h) printf '#define PC_K uint64_t\n#define PC_V uint64_t\n#include <stdint.h>\n#include <pcoll/pcoll.h>\n' > "$tu" ;;
      # map_iter.h is part of every map instantiation: checked here
      # through a synchronized map (PC_SYNC), map.h's TU has the plain one.
      */vec_bulk.h) printf '#define PC_T uint64_t\n#include <stdint.h>\n#include <pcoll/pcoll.h>\n' > "$tu"
                    h=include/pcoll/vec.h ;;
      */map_iter.h) printf '#define PC_SYNC\n#define PC_K uint64_t\n#define PC_V uint64_t\n#include <stdint.h>\n#include <pcoll/pcoll.h>\n' > "$tu"
                    h=include/pcoll/map.h ;;
      *) : > "$tu" ;;
    esac
    echo "#include <${h#include/}>" >> "$tu"
    n=$((n + 1))
    tidy "h$n" "$h" "$tu" -- "${flags[@]}"
  done
  # The Python extension's C layer and module (needs Python.h).
  pyinc=$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null)
  if [ -n "$pyinc" ] && [ -f "$pyinc/Python.h" ]; then
    for c in python/src/*.c python/bench/*.c; do
      n=$((n + 1))
      tidy "c$n" "$c" --header-filter='python/src/.*' \
        "$c" -- "${flags[@]}" -Ipython/src -I"$pyinc"
    done
  fi
  wait
  for bad in "$tmp"/*.bad; do
    [ -f "$bad" ] || continue
    cat "${bad%.bad}.out"
    echo "clang-tidy: $(cat "$bad") has findings"
    status=1
  done
  [ $status -eq 0 ] && echo "clang-tidy: clean"
else
  files=$(git ls-files 'include/*.h' 'tests/*.c' 'tests/*.h' 'examples/*.c' 'bench/*.c' 'bench/*.h' 'tools/*.c' 'python/*.c' 'python/*.h' 2>/dev/null)
  for f in $files; do
    case $f in tests/compile_fail/*) continue ;; esac
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
      echo "clang-format would change $f"
      status=1
    fi
  done
  [ $status -eq 0 ] && echo "clang-format: clean"
fi
exit $status
