#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Builds qaccel.ko for one kernel series in a copy of driver/ under
# build/kmod/<name>/ (the source tree stays free of build outputs), with W=1,
# and fails on any compiler, sparse or modpost warning.
#
# Usage: scripts/build-kmod.sh SERIES [NAME]
#   SERIES  a kernel series of the test matrix (6.1, 6.12): the module is
#           built against $QACCEL_CACHE/kernels/SERIES/headers, which
#           scripts/deps.sh fills; any name works when KDIR is given.
#   NAME    build directory name under build/kmod/ (default: SERIES).
# Environment:
#   KDIR=DIR       kernel build tree to use instead of the cached headers
#   SPARSE=1       also run sparse on every source file (C=2)
#   BUILD=DIR      build root (default: ./build)
#   QACCEL_CACHE   cache root (default: ~/.cache/qaccel)
#   JOBS=N         parallel jobs (default: number of CPUs)
# Output: build/kmod/NAME/qaccel.ko, the log in build/kmod/NAME/build.log and
# the feature probe results in build/kmod/NAME/qaccel_conftest.h.

set -euo pipefail

usage() {
	sed -n '4,21p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
series=$1
name=${2:-$series}
case $name in
*/* | . | .. | '') echo "build-kmod.sh: bad build name '$name'" >&2; exit 2 ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
cache=${QACCEL_CACHE:-$HOME/.cache/qaccel}
kdir=${KDIR:-$cache/kernels/$series/headers}
out=$BUILD/kmod/$name

if [ ! -f "$kdir/Makefile" ]; then
	echo "build-kmod.sh: no kernel build tree at $kdir" >&2
	echo "build-kmod.sh: run scripts/deps.sh --all, or set KDIR=" >&2
	exit 1
fi
kdir=$(cd "$kdir" && pwd)

src=$top/driver
for f in Kbuild qaccel_engine.c qaccel_hw.h; do
	if [ ! -f "$src/$f" ]; then
		echo "build-kmod.sh: driver/$f is missing" >&2
		exit 1
	fi
done

# Mirror the module sources (and only them) into the build copy. cp -p keeps
# modification times, so kbuild recompiles only what changed.
mkdir -p "$out/conftest" "$out/uapi/drm"
out=$(cd "$out" && pwd)
for f in "$out"/*.c "$out"/*.h "$out"/conftest/*; do
	[ -e "$f" ] || continue
	rel=${f#"$out"/}
	case $rel in
	qaccel_conftest.h | *.mod.c) continue ;;
	esac
	[ -e "$src/$rel" ] || rm -f "$f"
done
cp -p "$src"/Kbuild "$src"/Makefile "$src"/*.c "$src"/*.h "$out"/
cp -p "$src"/conftest/* "$out"/conftest/
cp -p "$top"/uapi/drm/qaccel_accel.h "$out"/uapi/drm/

args=(-C "$kdir" M="$out" W=1 -j"${JOBS:-$(nproc)}")
if [ "${SPARSE:-0}" = 1 ]; then
	args+=(C=2)
fi

echo "  KMOD    $name: $kdir -> $out"
log=$out/build.log
set +e
# A standalone kbuild run: the flags of a calling make (its jobserver, -s,
# variable overrides such as BUILD=) are not passed on; -j above sets the
# parallelism, and a "-jN forced in submake" warning would fail the check.
MAKEFLAGS= MFLAGS= make "${args[@]}" modules 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -ne 0 ]; then
	echo "build-kmod.sh: module build failed (exit $rc), see $log" >&2
	exit "$rc"
fi
if grep -E 'warning:|error:|WARNING:' "$log" >/dev/null; then
	echo "build-kmod.sh: the build printed warnings (W=1${SPARSE:+, sparse}):" >&2
	grep -E 'warning:|error:|WARNING:' "$log" >&2
	exit 1
fi

echo "  PROBES  $(grep -c '^#define QACCEL_HAVE_' "$out/qaccel_conftest.h") of" \
	"$(ls "$out"/conftest/*.c | wc -l) kernel features present" \
	"(see $out/qaccel_conftest.h)"
echo "  MODULE  $out/qaccel.ko"
