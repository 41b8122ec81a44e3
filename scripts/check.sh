#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Runs every test suite of the tree and ends with one line
# "N passed, N failed, N skipped". Each suite prints KTAP/TAP; the column-0
# "ok"/"not ok" lines of all suites are what is counted. A suite that exits
# non-zero without printing a failing line counts as one failure of its own,
# so a crash can never pass silently.
#
# Usage: scripts/check.sh [SUITE...]   (default: every suite; see list below)
# Environment: BUILD (default ./build), QACCEL_TEST_SERIES ("6.1 6.12"),
# QACCEL_TEST_VM (y), QACCEL_TEST_SANITIZERS (y), QACCEL_REQUIRE_URING (y:
# the vm-lib-* suites fail when the driver has no io_uring command; n: those
# runs are skipped with the library's reason).
#
# VM suites per kernel series S: vm-S (the driver's kselftests) and vm-lib-S
# (libqaccel's unit tests, qaccel-selftest and qaccel-bench submit on the
# device backend, scripts/vm-lib.sh).

set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-$top/build}
logdir=$BUILD/check
mkdir -p "$logdir"

series=${QACCEL_TEST_SERIES:-6.1 6.12}
want_vm=${QACCEL_TEST_VM:-y}
require_uring=${QACCEL_REQUIRE_URING:-y}
vm_lib_opts=()
[ "$require_uring" = y ] && vm_lib_opts+=(--require-uring)

passed=0
failed=0
skipped=0
failures=()

# run_suite NAME COMMAND...: run one suite, echo its output, count its lines.
run_suite() {
	local name=$1 log rc t0 t1 p f s
	shift
	log=$logdir/$name.log
	echo "# ---- suite $name: $*"
	t0=$(date +%s)
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	t1=$(date +%s)
	p=$(grep -cE '^ok [0-9]+' "$log" | head -1)
	s=$(grep -cE '^ok [0-9]+.*# *SKIP' "$log" | head -1)
	f=$(grep -cE '^not ok [0-9]+' "$log" | head -1)
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok 1 $name: suite exited with status $rc"
		f=1
	fi
	if [ "$f" -gt 0 ]; then
		while IFS= read -r line; do
			failures+=("$name: $line")
		done < <(grep -E '^not ok [0-9]+' "$log")
		[ "$rc" -ne 0 ] && [ "$(grep -cE '^not ok [0-9]+' "$log")" -eq 0 ] &&
			failures+=("$name: exited with status $rc")
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	echo "# ---- suite $name: $p passed, $f failed, $s skipped ($((t1 - t0)) s)"
}

suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
	suites=(engine lib onnx tools selftest install lint)
	if [ "$want_vm" = y ]; then
		for s in $series; do
			suites+=("vm-$s" "vm-lib-$s")
		done
		suites+=(harness)
	fi
fi

first_series=${series%% *}

for suite in "${suites[@]}"; do
	case $suite in
	engine)
		run_suite engine make -s -C tests/unit BUILD="$BUILD" run ;;
	lib)
		run_suite lib make -s -C tests/lib BUILD="$BUILD" run ;;
	onnx)
		run_suite onnx make -s -C tests/onnx BUILD="$BUILD" run ;;
	tools)
		run_suite tools make -s -C tests/tools BUILD="$BUILD" run ;;
	selftest)
		run_suite selftest tests/tools/selftest.sh ;;
	install)
		run_suite install tests/install/run.sh ;;
	lint)
		run_suite lint scripts/lint.sh ;;
	vm-lib-*)
		s=${suite#vm-lib-}
		run_suite "$suite" scripts/vm-lib.sh ${vm_lib_opts[@]+"${vm_lib_opts[@]}"} "$s" ;;
	vm-*)
		s=${suite#vm-}
		run_suite "$suite" scripts/vm-check.sh "$s" ;;
	harness)
		run_suite harness tests/vm/selftest-harness.sh --series "$first_series" ;;
	*)
		echo "check.sh: unknown suite '$suite'" >&2
		exit 2 ;;
	esac
done

if [ ${#failures[@]} -gt 0 ]; then
	echo "# failures:"
	printf '#   %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
