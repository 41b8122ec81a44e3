#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Static checks of the kernel side, as KTAP: checkpatch --strict on every
# driver and uapi source (one test per file), and a sparse build of the
# module against each kernel series of the test matrix, which must print no
# sparse or compiler warning (scripts/build-kmod.sh builds with W=1 and fails
# on any compiler warning).

set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-$top/build}
cache=${QACCEL_CACHE:-$HOME/.cache/qaccel}
checkpatch=$cache/linux-source-6.1/scripts/checkpatch.pl
series=${QACCEL_TEST_SERIES:-6.1 6.12}
read -r -a series_list <<< "$series"

files=(driver/*.c driver/*.h driver/conftest/*.c uapi/drm/*.h)
echo "TAP version 13"
echo "1..$((${#files[@]} + ${#series_list[@]}))"

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

mkdir -p "$BUILD"
for s in "${series_list[@]}"; do
	n=$((n + 1))
	log=$BUILD/lint-sparse-$s.log
	if ! command -v sparse >/dev/null; then
		echo "ok $n sparse build ($s) # SKIP sparse missing: run scripts/deps.sh --all"
	elif SPARSE=1 scripts/build-kmod.sh "$s" sparse-"$s" > "$log" 2>&1 &&
		! grep -E 'warning:|error:' "$log" >/dev/null; then
		echo "ok $n sparse build ($s)"
	else
		grep -E 'warning:|error:' "$log" | sed 's/^/# /'
		tail -n 5 "$log" | sed 's/^/# /'
		echo "not ok $n sparse build ($s)"
	fi
done
