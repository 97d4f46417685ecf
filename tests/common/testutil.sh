# SPDX-License-Identifier: BSD-3-Clause
# The shell side of testutil.h, for test drivers (POSIX sh):
#   . "$(dirname "$0")/.../tests/common/testutil.sh"
#   tu_setup NAME
# makes a fresh directory $TU_DIR in $PCOLL_TEST_DIR (default /dev/shm)
# for the script's pools and removes it with everything in it when the
# script ends: normally, by `exit` after a failed check, or by SIGHUP,
# SIGINT or SIGTERM (then the script dies of that signal). Programs the
# script runs put their pools in $TU_DIR. PCOLL_KEEP_POOLS=1 keeps it.

tu_cleanup() {
	if [ -n "${TU_DIR:-}" ] && [ "${PCOLL_KEEP_POOLS:-}" != 1 ]; then
		rm -rf "$TU_DIR"
	fi
}

tu_setup() {
	_tu_base=${PCOLL_TEST_DIR:-/dev/shm}
	mkdir -p "$_tu_base" || exit 1
	TU_DIR=$(mktemp -d "$_tu_base/pcoll-test-sh-$1-XXXXXX") || exit 1
	trap 'tu_cleanup' EXIT
	for _tu_sig in HUP INT TERM; do
		# shellcheck disable=SC2064 # the signal name is meant to expand now
		trap "tu_cleanup; trap - EXIT $_tu_sig; kill -s $_tu_sig \$\$" "$_tu_sig"
	done
}
