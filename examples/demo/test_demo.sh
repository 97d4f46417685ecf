#!/bin/sh
# Runs the demo on a pool of its own, removed afterwards however the run
# ends; the demo checks itself and exits non-zero on any failure.
set -u
exe=$1
. "$(dirname "$0")/../../tests/common/testutil.sh"
tu_setup demo
"$exe" "$TU_DIR/demo.pool"
