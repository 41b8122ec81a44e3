#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Static checks of the kernel side, as KTAP: checkpatch --strict on every
# driver and uapi source (one test per file), and a sparse build (C=1) of the
# module against the first kernel series of the test matrix, which must print
# no sparse or compiler warning. (scripts/build-kmod.sh already fails on any
# W=1 compiler warning; scripts/vm-check.sh builds for every series.)

set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-$top/build}
cache=${QACCEL_CACHE:-$HOME/.cache/qaccel}
checkpatch=$cache/linux-source-6.1/scripts/checkpatch.pl
series=${QACCEL_TEST_SERIES:-6.1 6.12}
series=${series%% *}

files=(driver/*.c driver/*.h uapi/drm/*.h)
echo "TAP version 13"
echo "1..$((${#files[@]} + 1))"

n=0
for f in "${files[@]}"; do
	n=$((n + 1))
	if [ ! -f "$checkpatch" ]; then
		echo "ok $n checkpatch $f # SKIP checkpatch missing: run scripts/deps.sh --all"
		continue
	fi
	out=$(perl "$checkpatch" --strict --no-tree --no-summary --terse -f "$f" 2>&1)
	if [ -z "$out" ]; then
		echo "ok $n checkpatch $f"
	else
		printf '%s\n' "$out" | sed 's/^/# /'
		echo "not ok $n checkpatch $f"
	fi
done

n=$((n + 1))
log=$BUILD/lint-sparse-$series.log
mkdir -p "$BUILD"
if ! command -v sparse >/dev/null; then
	echo "ok $n sparse build ($series) # SKIP sparse missing: run scripts/deps.sh --all"
elif SPARSE=1 scripts/build-kmod.sh "$series" sparse-"$series" > "$log" 2>&1 &&
	! grep -E 'warning:|error:' "$log" >/dev/null; then
	echo "ok $n sparse build ($series)"
else
	grep -E 'warning:|error:' "$log" | sed 's/^/# /'
	tail -n 5 "$log" | sed 's/^/# /'
	echo "not ok $n sparse build ($series)"
fi
