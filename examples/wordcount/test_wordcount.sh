#!/bin/bash
# Counts the words of a few copies of the docs with 4 threads, killing the
# program with SIGKILL while it counts and starting it again each time,
# and checks that the final counts equal those of sort | uniq -c. Each
# run is killed once it has committed a random 1-20 more chunks (it
# prints a line per commit with -v), so the kill lands mid-run however
# fast the machine is (a random sleep missed every run on a fast one).
set -u
exe=$1
docs=$2
kills=${3:-5}
. "$(dirname "$0")/../../tests/common/testutil.sh"
tu_setup wordcount
pool="$TU_DIR/words.pool"
files=()
for i in 1 2 3 4 5 6; do
  for f in "$docs"/*.md; do
    cp "$f" "$TU_DIR/$i-$(basename "$f")"
    files+=("$TU_DIR/$i-$(basename "$f")")
  done
done
want="$TU_DIR/want.txt"
got="$TU_DIR/got.txt"
cat "${files[@]}" | LC_ALL=C tr -cs 'A-Za-z0-9' '\n' | LC_ALL=C tr 'A-Z' 'a-z' |
  grep -v '^$' | LC_ALL=C sort | uniq -c >"$want"
RANDOM=$$
killed=0
progress="$TU_DIR/progress"
for ((k = 0; k < kills; k++)); do
  "$exe" -v -t 4 "$pool" "${files[@]}" >/dev/null 2>"$progress" &
  pid=$!
  after=$((1 + RANDOM % 20))
  for ((w = 0; w < 20000; w++)); do # at most ~20-40 s
    [ "$(grep -c '^counted ' "$progress")" -ge "$after" ] && break
    sleep 0.001
  done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  st=$?
  if [ "$st" -eq 137 ]; then
    killed=$((killed + 1))
  else
    echo "run $k ended by itself with status $st before the kill:"
    cat "$progress" | grep -v '^counted ' | head -5
  fi
done
"$exe" -t 4 -d "$pool" "${files[@]}" >"$got" 2>"$TU_DIR/err" ||
  { echo "FAIL: final run"; cat "$TU_DIR/err"; exit 1; }
echo "killed $killed times; final run: $(cat "$TU_DIR/err")"
echo "$(wc -l <"$want") distinct words, $(awk '{s += $1} END {print s}' "$want") in all"
[ "$killed" -ge 1 ] || { echo "FAIL: no run was killed (too fast?)"; exit 1; }
if ! cmp -s "$want" "$got"; then
  echo "FAIL: counts differ"; diff "$want" "$got" | head -20; exit 1
fi
echo ok
