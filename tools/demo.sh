#!/usr/bin/env bash
# Builds pcoll and runs the demo, installing missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
if [ ! -f build/build.ninja ]; then
  meson setup build >/dev/null
fi
ninja -C build examples/demo/pcoll-demo >/dev/null
export PMEM_IS_PMEM_FORCE=${PMEM_IS_PMEM_FORCE:-1}
exec build/examples/demo/pcoll-demo "${PCOLL_DEMO_POOL:-/dev/shm/pcoll-demo.pool}"
