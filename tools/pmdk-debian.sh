#!/usr/bin/env bash
# tools/pmdk-debian.sh [SUITE]: Debian's PMDK packages of SUITE (default
# trixie, PMDK 1.13.1) as a private prefix for tools/test-pmdk.sh. Prints
# that prefix (its usr/ directory) on standard output; messages go to
# standard error.
#
# The .deb files are fetched with apt-get download through a private apt
# configuration (its own source list and package lists; the machine's apt
# state is not touched), checked against the version asked for, and
# unpacked with dpkg -x into the cache; nothing is installed. The .pc files
# are rewritten to point into the unpacked tree. The cache survives between
# runs: ${PCOLL_PMDK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pcoll}/SUITE.
set -euo pipefail
suite=${1:-trixie}
case $suite in
  trixie) want=1.13.1 ;;
  *) echo "pmdk-debian: no known PMDK version for suite '$suite'" >&2; exit 2 ;;
esac
pkgs=(libpmem1 libpmem-dev libpmemobj1 libpmemobj-dev
      libpmemlog1 libpmemlog-dev libpmemblk1 libpmemblk-dev)
cache=${PCOLL_PMDK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pcoll}/pmdk-debian-$suite
prefix=$cache/root/usr
stamp=$cache/root/.pcoll-pmdk-version

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
   [ -f "$prefix/include/libpmemobj.h" ]; then
  echo "$prefix"
  exit 0
fi

echo "pmdk-debian: fetching Debian $suite's PMDK $want packages into $cache" >&2
rm -rf "$cache/root" "$cache/debs"
mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial" "$cache/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
# The Debian mirror this machine's apt already uses for its main archive.
mirror=${PCOLL_DEBIAN_MIRROR:-$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
  awk '$2 !~ /-(security|updates|backports)$/ { print $1; exit }')}
if [ -z "$mirror" ]; then
  echo "pmdk-debian: no Debian mirror in this machine's apt sources (run apt-get update, or set PCOLL_DEBIAN_MIRROR)" >&2
  exit 1
fi
printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$suite" \
  > "$cache/apt/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$cache/apt/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$cache/apt/lists"
  -o "Dir::Cache=$cache/apt/cache"
  -o "APT::Get::List-Cleanup=0" -o "Debug::NoLocking=1"
  -o "APT::Sandbox::User=root")
apt-get "${apt_opts[@]}" -qq update >&2
# One policy query for all packages: "PACKAGE:" lines, then "Candidate:".
mapfile -t cands < <(apt-cache "${apt_opts[@]}" policy "${pkgs[@]}" |
  awk '/^[^ ].*:$/ { p = substr($1, 1, length($1) - 1) }
       /^ *Candidate:/ { print p "=" $2 }')
for c in "${cands[@]}"; do
  case ${c#*=} in
    "$want"-*) ;;
    *) echo "pmdk-debian: $suite offers ${c%%=*} version '${c#*=}', not $want" >&2
       exit 1 ;;
  esac
done
if [ ${#cands[@]} -ne ${#pkgs[@]} ]; then
  echo "pmdk-debian: $suite lacks some of ${pkgs[*]} (found: ${cands[*]})" >&2
  exit 1
fi
(cd "$cache/debs" && apt-get "${apt_opts[@]}" -qq download "${cands[@]}" >&2)
mkdir -p "$cache/root"
for d in "$cache"/debs/*.deb; do
  dpkg -x "$d" "$cache/root"
done
# Debian's .pc files name /usr; point them at the unpacked tree.
find "$cache/root" -name '*.pc' -print0 |
  xargs -0 sed -i -E "s#^(prefix|libdir|includedir)=/usr#\\1=$prefix#"
echo "$want" > "$stamp"
echo "$prefix"
