#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Self-test of the VM harness: prove that vm-test.sh fails a run on a
# kernel WARNING, reports guest test results and enforces the per-test
# timeout.
#
#   tests/vm/selftest-harness.sh [--series "6.1 6.12"] [--timeout SECS]
#
# For each series it builds tests/vm/splat-module (warns at load time,
# depends on drm_shmem_helper and gpu-sched) in build/vm/selftest/<series>/,
# builds the static guest program tests/vm/selftest/vmtest_probe.c as
# /tests/10_results and /tests/20_hang, boots the kernel with vm-test.sh and
# checks its report. Result lines:
#   ok N <series>:harness-detects-splat   dmesg-clean failed on the WARNING
#   ok N <series>:harness-boot-clean      no splat before the module loaded;
#                                         module load, unload and boot ok
#   ok N <series>:harness-test-results    the guest's ok / not ok lines and
#                                         the failing exit came through
#   ok N <series>:harness-test-timeout    the hanging binary was killed
set -euo pipefail

# shellcheck source=tests/vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

series_list="6.1 6.12"
timeout=300
while [ $# -gt 0 ]; do
	case $1 in
	--series) series_list=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	-h|--help) awk 'NR > 3 && /^#/ { sub(/^# ?/, ""); print; next } NR > 3 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
	*) vm_die "unknown argument: $1" ;;
	esac
	shift
done

base=$vm_top/build/vm/selftest
tests=$base/tests
mkdir -p "$tests"
gcc -static -O2 -Wall -Wextra -Werror -o "$tests/10_results" \
	"$vm_top/tests/vm/selftest/vmtest_probe.c"
cp "$tests/10_results" "$tests/20_hang"

n=0 failed=0
check() {	# check NAME CONDITION-STATUS [DETAIL]
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $n $1"
	else
		failed=$((failed + 1))
		echo "not ok $n $1${3:+ # $3}"
	fi
}

for s in $series_list; do
	vm_kernel_dir "$s" >/dev/null
	out=$base/$s
	rm -rf "$out/module"
	vm_build_module "$vm_top/tests/vm/splat-module" "$s" "$out/module"
	rc=0
	"$vm_top/tests/vm/vm-test.sh" --series "$s" --ko "$out/module/vmtest_splat.ko" \
		--tests "$tests" --test-timeout 5 --timeout "$timeout" --outdir "$out" \
		> "$out/vm-test.out" 2>&1 || rc=$?
	report=$out/vm-test.out
	has() { grep -qE "$1" "$report"; }

	# 1. The WARNING fails the run through dmesg-clean, and the splat
	#    lines shown are the module's.
	st=1
	if [ "$rc" -eq 1 ] && has "^not ok [0-9]+ $s:dmesg-clean" &&
		has '^#   .*WARNING:.*vmtest_splat' && has '^#   .*Call Trace:'; then
		st=0
	fi
	check "$s:harness-detects-splat" "$st" "vm-test.sh exit $rc, see $report"

	# 2. The kernel log up to the module load is clean (so the check above
	#    is not failing on everything), and the run itself worked.
	st=1
	if [ -s "$out/dmesg.log" ] &&
		grep -q 'vmtest: loading modules' "$out/dmesg.log" &&
		sed '/vmtest: loading modules/q' "$out/dmesg.log" > "$out/dmesg-boot.log" &&
		vm_scan_splats "$out/dmesg-boot.log" > /dev/null &&
		has "^ok [0-9]+ $s:module-load$" && has "^ok [0-9]+ $s:module-unload$" &&
		has "^ok [0-9]+ $s:vm-boot$"; then
		st=0
	fi
	check "$s:harness-boot-clean" "$st" "see $out/dmesg.log and $report"

	# 3. Guest KTAP lines are relayed, renumbered and prefixed.
	st=1
	if has "^ok [0-9]+ $s:10_results:probe.module_listed$" &&
		has "^not ok [0-9]+ $s:10_results:probe.deliberate_failure$"; then
		st=0
	fi
	check "$s:harness-test-results" "$st" "see $report"

	# 4. The per-test timeout stops a hanging binary and fails it.
	st=1
	has "^not ok [0-9]+ $s:20_hang # killed" && st=0
	check "$s:harness-test-timeout" "$st" "see $report"

	[ "$failed" -eq 0 ] || sed 's/^/#   /' "$report"
	echo "# selftest $s (3 failures are expected): $(tail -n 1 "$report" | sed 's/^# //')"
done
echo "1..$n"
[ "$failed" -eq 0 ]
