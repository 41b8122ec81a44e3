#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Builds qaccel.ko for one kernel series of the test matrix, builds the
# kselftests, and runs them in QEMU on that kernel (tests/vm/vm-test.sh).
# Prints KTAP; exits non-zero when anything failed.
#
# Usage: scripts/vm-check.sh SERIES     e.g. scripts/vm-check.sh 6.12

set -euo pipefail

series=${1:?usage: vm-check.sh SERIES}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-$top/build}

if ! scripts/build-kmod.sh "$series" > "$BUILD/kmod-$series.log" 2>&1; then
	cat "$BUILD/kmod-$series.log"
	echo "not ok 1 $series:module-build"
	exit 1
fi
echo "ok 1 $series:module-build"
make -s -C tests/kselftest BUILD="$BUILD"
exec tests/vm/vm-test.sh --series "$series" --ko "$BUILD/kmod/$series/qaccel.ko" \
	--tests "$BUILD/tests/kselftest" --args "${QACCEL_VM_ARGS:-emulated=2}" --first 2
