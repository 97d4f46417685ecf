#!/usr/bin/env bash
# Builds pcoll and runs the demo, installing missing Debian packages first;
# then shows what the pool holds with `pcoll info`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
if [ ! -f build/build.ninja ]; then
  meson setup build >/dev/null
fi
ninja -C build examples/demo/pcoll-demo tools/pcoll/pcoll >/dev/null
export PMEM_IS_PMEM_FORCE=${PMEM_IS_PMEM_FORCE:-1}
pool=${PCOLL_DEMO_POOL:-/dev/shm/pcoll-demo.pool}
build/examples/demo/pcoll-demo "$pool"
echo
echo "4. what the pool holds now, as the pcoll tool sees it:"
echo "   \$ pcoll info $pool"
build/tools/pcoll/pcoll info "$pool" | sed 's/^/   /'
