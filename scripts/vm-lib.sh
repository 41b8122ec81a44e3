#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Runs libqaccel's unit tests on the device backend inside the VM: builds
# qaccel.ko for one kernel series and the tests, qaccel-selftest and
# qaccel-bench as static binaries (make -C tests/lib vm), then boots the
# kernel with the module (emulated=2) and, once per submission mode
# (QACCEL_SUBMIT=ioctl, then =uring): every unit test on the device backend
# (QACCEL_TEST_BACKEND=device), the device self-test `qaccel-selftest
# --backend device`, and `qaccel-bench submit`. Prints KTAP; exits non-zero
# when anything failed.
#
# Usage: scripts/vm-lib.sh [--require-uring] [--bench-jobs N] [--bench-rounds R]
#                          [--bench-only] SERIES
#
#   --require-uring   a driver without the io_uring command fails the uring
#                     runs; without this option they are skipped with the
#                     library's reason. scripts/check.sh passes it unless
#                     QACCEL_REQUIRE_URING=n.
#   --bench-jobs N    jobs per qaccel-bench run (default 2000; TCG is slow)
#   --bench-rounds R  run the benchmark R times, the rounds one after the
#                     other and, within a round, ioctl then io_uring (default 1)
#   --bench-only      only the submission benchmark (what `make bench` runs):
#                     no unit tests, no self-test
#
# Result names: <series>:<mode>.<test>:<name> for the unit tests,
# <series>:selftest.<mode>:<name> for the self-test, and
# <series>:zbench.<round>.<mode>:<name> for the benchmark, whose lines carry their
# figures; the benchmark's JSON goes to build/bench/vm-<series>.jsonl.
# Environment: BUILD (default ./build), QACCEL_VM_ARGS (default emulated=2).

set -euo pipefail

require_uring=0
bench_jobs=2000
bench_rounds=1
bench_only=0
while [ $# -gt 1 ]; do
	case $1 in
	--require-uring) require_uring=1 ;;
	--bench-only) bench_only=1 ;;
	--bench-jobs) bench_jobs=$2; shift ;;
	--bench-rounds) bench_rounds=$2; shift ;;
	*) echo "vm-lib.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
series=${1:?usage: vm-lib.sh [--require-uring] [--bench-jobs N] [--bench-rounds R] [--bench-only] SERIES}
case $bench_jobs in ''|*[!0-9]*) echo "vm-lib.sh: --bench-jobs needs a number" >&2; exit 2 ;; esac
case $bench_rounds in ''|0|*[!0-9]*) echo "vm-lib.sh: --bench-rounds needs a number > 0" >&2; exit 2 ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-$top/build}
out=$BUILD/vm-lib/$series
mkdir -p "$out"
stage=$out/tests

if ! scripts/build-kmod.sh "$series" > "$BUILD/kmod-$series.log" 2>&1; then
	cat "$BUILD/kmod-$series.log"
	echo "not ok 1 $series:module-build"
	exit 1
fi
echo "ok 1 $series:module-build"
if ! make -s -C tests/lib BUILD="$BUILD" vm > "$out/build.log" 2>&1; then
	cat "$out/build.log"
	echo "not ok 2 $series:lib-tests-build"
	exit 1
fi
echo "ok 2 $series:lib-tests-build"

rm -rf "$stage"
mkdir -p "$stage/bin"
cp "$BUILD"/tests/lib-vm/bin/* "$stage/bin/"
tests=$(cd "$stage/bin" && ls test_*)

# One wrapper per (mode, test): the harness runs every executable of the
# directory with no arguments, in name order.
for mode in ioctl uring; do
	optional=0
	[ "$mode" = uring ] && [ "$require_uring" = 0 ] && optional=1
	[ "$bench_only" = 1 ] || for t in $tests; do
		cat > "$stage/$mode.$t" <<EOF
#!/bin/sh
export QACCEL_TEST_BACKEND=device QACCEL_SUBMIT=$mode QACCEL_TEST_OPTIONAL=$optional
exec /tests/bin/$t
EOF
		chmod +x "$stage/$mode.$t"
	done
	# The device self-test prints KTAP of its own. The guest has a device,
	# so "no device" (exit status 4, a skip on a host without one) is a
	# failure here; a driver without the io_uring command makes the uring
	# run a skip unless the command is required.
	[ "$bench_only" = 1 ] || {
		cat > "$stage/selftest.$mode" <<EOF
#!/bin/sh
export QACCEL_SUBMIT=$mode
out=/tmp/selftest.$mode.out
/tests/bin/qaccel-selftest --backend device --random 50 --time 0.1 > \$out 2>&1
rc=\$?
if [ \$rc = 1 ] && [ $optional = 1 ] && grep -q '^not ok 1 open' \$out &&
		grep -q 'io_uring' \$out; then
	echo "KTAP version 1"
	echo "1..1"
	echo "ok 1 open # SKIP \$(grep 'io_uring' \$out | head -n 1 | sed 's/^# *//')"
	exit 0
fi
cat \$out
if [ \$rc = 4 ]; then
	echo "not ok 1 device: qaccel-selftest found no qaccel device in the guest"
	exit 1
fi
exit \$rc
EOF
		chmod +x "$stage/selftest.$mode"
	}
	# The submission benchmark: small jobs, batches of 1, 16 and 64; the
	# harness runs the rounds in name order, each mode within a round.
	for round in $(seq 1 "$bench_rounds"); do
	cat > "$stage/zbench.$round.$mode" <<EOF
#!/bin/sh
echo "TAP version 13"
echo "1..3"
n=0
for b in 1 16 64; do
	n=\$((n + 1))
	if line=\$(/tests/bin/qaccel-bench submit --backend device --via $mode --batch \$b \\
			--jobs $bench_jobs --json 2>&1); then
		echo "# BENCH \$line"
		echo "ok \$n submit via $mode batch \$b: \$(echo "\$line" | sed -n \\
			's/.*"jobs_per_s": \\([0-9.]*\\).*"lat_mean_us": \\([0-9.]*\\).*"lat_p99_us": \\([0-9.]*\\).*/\\1 jobs\\/s, mean \\2 us, p99 \\3 us/p')"
	elif [ $optional = 1 ] && echo "\$line" | grep -q "io_uring"; then
		echo "ok \$n submit via $mode batch \$b # SKIP \$line"
	else
		echo "# \$line"
		echo "not ok \$n submit via $mode batch \$b"
	fi
done
EOF
	chmod +x "$stage/zbench.$round.$mode"
	done
done

# qaccel-info on the device, after everything else ran: the device is
# listed as usable with the driver's counters, which count the jobs of the
# runs before.
[ "$bench_only" = 1 ] || {
	cat > "$stage/zinfo" <<'EOF'
#!/bin/sh
echo "TAP version 13"
echo "1..3"
/tests/bin/qaccel-info > /tmp/info.txt 2>&1
rc=$?
sed 's/^/# /' /tmp/info.txt
if [ $rc = 0 ] && grep -q "device: /dev/" /tmp/info.txt && ! grep -q "unusable" /tmp/info.txt; then
	echo "ok 1 qaccel-info lists the device as usable"
else
	echo "not ok 1 qaccel-info lists the device as usable (exit $rc)"
fi
if grep -q "counters: jobs [1-9][0-9]* submitted" /tmp/info.txt; then
	echo "ok 2 qaccel-info shows the driver's counters with the jobs run so far"
else
	echo "not ok 2 qaccel-info shows the driver's counters with the jobs run so far"
fi
j=$(/tests/bin/qaccel-info --json 2>&1)
if echo "$j" | grep -q '"counters": {"jobs_submitted": [1-9]' &&
   echo "$j" | grep -q '"live_bo_bytes": [0-9]'; then
	echo "ok 3 qaccel-info --json carries the counters"
else
	echo "# $j"
	echo "not ok 3 qaccel-info --json carries the counters"
fi
EOF
	chmod +x "$stage/zinfo"
}

rc=0
tests/vm/vm-test.sh --series "$series" --ko "$BUILD/kmod/$series/qaccel.ko" \
	--tests "$stage" --args "${QACCEL_VM_ARGS:-emulated=2}" --first 3 \
	--outdir "$out" || rc=$?

mkdir -p "$BUILD/bench"
tr -d '\r' < "$out/serial.log" | sed -n 's/^# BENCH //p' > "$BUILD/bench/vm-$series.jsonl" || true
exit $rc
