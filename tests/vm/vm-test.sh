#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Boot a cached Debian kernel under QEMU (TCG), load a module, run test
# binaries in the guest and report KTAP results on stdout.
#
#   tests/vm/vm-test.sh --series 6.1|6.12 --ko PATH [--tests DIR] [options]
#
#   --series S         kernel series from the cache (scripts/deps.sh --all)
#   --ko PATH          module under test (built for that kernel)
#   --tests DIR        directory copied to /tests in the guest; its
#                      executables run in name order
#   --only "a b"       run only these binaries of DIR, in this order
#   --args "k=v ..."   module parameters (passed as <module>.k=v on the
#                      kernel command line; values without spaces)
#   --modules "m ..."  extra kernel modules to load first
#                      (default $VMTEST_EXTRA_MODULES or "udmabuf vgem")
#   --timeout SECS     hard limit for the whole VM run (default 900)
#   --test-timeout S   limit per test binary in the guest (default 300)
#   --outdir DIR       where image and logs go (default build/vm/<series>)
#   --append "..."     extra kernel command line
#   --first N          number the result lines from N (default 1), to
#                      follow lines a calling script printed itself
#   --shell            interactive: load the modules, then a shell on the
#                      serial console (Ctrl-A X quits QEMU)
#
# Result lines (column 0, numbered from 1, names prefixed "<series>:"):
#   <series>:module-load, one line per guest test result as
#   <series>:<binary>:<name> (plus <series>:<binary> when a binary fails
#   without saying which test, times out or crashes), <series>:module-unload,
#   <series>:dmesg-clean (no kernel splat in the whole kernel log) and
#   <series>:vm-boot (the guest reached its end marker in time).
# Exit status: 0 when everything passed, 1 when something failed, 2 on a
# usage or setup error. Serial log: <outdir>/serial.log, kernel log:
# <outdir>/dmesg.log.
set -euo pipefail

# shellcheck source=tests/vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

series='' ko='' tests='' only='' args='' outdir='' append=''
extra=${VMTEST_EXTRA_MODULES-udmabuf vgem}
timeout=900
test_timeout=300
shell=0
first=1

need() { [ $# -ge 2 ] || vm_die "$1 needs a value"; }
while [ $# -gt 0 ]; do
	case $1 in
	--series) need "$@"; series=$2; shift ;;
	--ko) need "$@"; ko=$2; shift ;;
	--tests) need "$@"; tests=$2; shift ;;
	--only) need "$@"; only=$2; shift ;;
	--args) need "$@"; args=$2; shift ;;
	--modules) need "$@"; extra=$2; shift ;;
	--timeout) need "$@"; timeout=$2; shift ;;
	--test-timeout) need "$@"; test_timeout=$2; shift ;;
	--outdir) need "$@"; outdir=$2; shift ;;
	--append) need "$@"; append=$2; shift ;;
	--first) need "$@"; first=$2; shift ;;
	--shell) shell=1 ;;
	-h|--help) awk 'NR > 3 && /^#/ { sub(/^# ?/, ""); print; next } NR > 3 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
	*) vm_die "unknown argument: $1 (see --help)" ;;
	esac
	shift
done
[ -n "$series" ] || vm_die "--series is required"
[ -n "$ko" ] || vm_die "--ko is required"
case $timeout in ''|*[!0-9]*) vm_die "--timeout needs seconds" ;; esac
case $first in ''|*[!0-9]*) vm_die "--first needs a number" ;; esac

kdir=$(vm_kernel_dir "$series")
command -v qemu-system-x86_64 >/dev/null ||
	vm_die "qemu-system-x86_64 not found: run scripts/deps.sh --all"
outdir=${outdir:-$vm_top/build/vm/$series}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
initrd=$outdir/initramfs.cpio.gz
log=$outdir/serial.log
dmesg_log=$outdir/dmesg.log
main=$(vm_ko_name "$ko")

t_start=$(date +%s.%N)
mk=(--series "$series" --ko "$ko" --out "$initrd" --modules "$extra"
	--test-timeout "$test_timeout")
[ -z "$tests" ] || mk+=(--tests "$tests")
[ -z "$only" ] || mk+=(--only "$only")
"$vm_top/tests/vm/mkinitramfs.sh" "${mk[@]}" 2> "$outdir/initramfs.log" || {
	cat "$outdir/initramfs.log" >&2
	exit 2
}
cat "$outdir/initramfs.log"

cmdline="console=ttyS0,115200 loglevel=3 panic=-1 oops=panic panic_print=0x20"
for a in $args; do
	case $a in
	*=*) cmdline+=" $main.$a" ;;
	*) cmdline+=" $main.$a=1" ;;
	esac
done
[ "$shell" = 0 ] || cmdline+=" vmtest.shell=1"
[ -z "$append" ] || cmdline+=" $append"

qemu=(qemu-system-x86_64 -machine q35 -accel tcg -cpu max -smp 2 -m 2G
	-no-reboot -nic none -kernel "$kdir/vmlinuz" -initrd "$initrd"
	-append "$cmdline")

if [ "$shell" = 1 ]; then
	echo "# vm-test: interactive shell on $series; Ctrl-A X quits QEMU" >&2
	exec "${qemu[@]}" -nographic
fi

echo "# vm-test $series: $(cat "$kdir/release"), module $main${args:+ ($args)}, timeout ${timeout}s"
# A kernel that crashes before /init ran has not loaded the module under
# test yet: that is the kernel or the emulator (seen once in many boots: an
# int3 text-patching oops in 6.12's early init under TCG), not what is being
# tested. Such a boot is shown and retried once; a crash once /init runs is
# never retried.
for attempt in 1 2; do
	rm -f "$log" "$dmesg_log"
	qrc=0
	timeout --kill-after=10 "$timeout" "${qemu[@]}" -display none -monitor none \
		-serial "file:$log" < /dev/null > "$outdir/qemu.log" 2>&1 || qrc=$?
	t_end=$(date +%s.%N)
	touch "$log"
	if [ "$attempt" = 2 ] || grep -q '^@@VMTEST BOOTED' <(tr -d '\r' < "$log"); then
		break
	fi
	echo "# vm-test $series: the kernel did not reach /init (module not loaded yet); booting once more. Last serial lines:"
	tr -d '\r' < "$log" | tail -n 15 | sed 's/^/#   /'
	cp "$log" "$log.boot1"
done
if [ "$qrc" -ne 0 ]; then
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		echo "# vm-test $series: QEMU killed after the ${timeout}s timeout"
	else
		echo "# vm-test $series: QEMU exited with status $qrc:"
		sed 's/^/#   /' "$outdir/qemu.log"
	fi
fi

# Parse the serial log. Guest lines end in CR LF.
# A marker glued to unterminated test output goes on a line of its own.
tr -d '\r' < "$log" | sed 's/\(.\)@@VMTEST /\1\n@@VMTEST /' > "$log.txt"
results=$outdir/results.txt
awk -v S="$series" -v MOD="$main" -v DMESG="$dmesg_log" -v n="$((first - 1))" '
function result(ok, name, rest) {
	n++
	printf "%s %d %s:%s%s\n", ok ? "ok" : "not ok", n, S, name, rest
	if (!ok) failed++
}
function flush_diag(   i) {
	for (i = 1; i <= nd; i++) print "# " t ": " diag[i]
	nd = 0
}
function end_test(rc, detail,   bad) {
	bad = 0
	if (rc != 0 && nbad == 0) {
		if (rc == 4 && nres == 0) result(1, t, " # SKIP exit status 4")
		else { result(0, t, " # " detail); bad = 1 }
	} else if (rc == 0 && nres == 0) {
		result(1, t, "")
	} else if (plan > nres) {
		result(0, t, " # only " nres " of " plan " planned results"); bad = 1
	}
	if (bad || nbad) flush_diag()
	intest = 0; nd = 0
}
/^@@VMTEST BOOTED/ { booted = 1; for (i = 3; i <= NF; i++) if ($i ~ /^uptime=/) boot = substr($i, 8); next }
/^@@VMTEST INSMOD / {
	split($4, a, "="); insmod = a[2]
	result(insmod == 0, "module-load", insmod == 0 ? "" : " # insmod " MOD ".ko failed: " a[2])
	next
}
/^@@VMTEST NOTE / { print "# guest: " substr($0, 15); next }
/^@@VMTEST BEGIN / { t = $3; intest = 1; nres = 0; nbad = 0; plan = 0; nd = 0; run = ""; next }
/^@@VMTEST END / && intest {
	split($4, a, "="); rc = a[2] + 0
	split($5, b, "="); split($6, c, "=")
	secs = c[2] - b[2]
	if (rc == 137) detail = sprintf("killed (timeout?) after %.0fs", secs)
	else if (rc > 128) detail = "killed by signal " (rc - 128)
	else detail = "exit status " rc
	end_test(rc, detail)
	next
}
/^@@VMTEST RMMOD / {
	split($4, a, "="); rmmod_seen = 1
	result(a[2] == 0, "module-unload", a[2] == 0 ? "" : " # rmmod " MOD " failed: " a[2])
	next
}
/^@@VMTEST DMESG BEGIN/ { indmesg = 1; printf "" > DMESG; next }
/^@@VMTEST DMESG END/ { indmesg = 0; dmesg_done = 1; next }
/^@@VMTEST END-OF-RUN/ { finished = 1; for (i = 3; i <= NF; i++) if ($i ~ /^uptime=/) up = substr($i, 8); next }
indmesg { print > DMESG; next }
intest {
	if ($0 ~ /^(not )?ok [0-9]+/) {
		ok = ($0 !~ /^not /)
		line = $0; sub(/^(not )?ok [0-9]+ *(- *)?/, "", line)
		# kselftest_harness prints "ok 2 # SKIP reason" without a name:
		# take the name of the last "#  RUN  name ..." line.
		if (line == "" || line ~ /^#/) line = (run != "" ? run : "test" (nres + 1)) (line == "" ? "" : " " line)
		nres++; if (!ok) nbad++
		result(ok, t ":" line, "")
	} else {
		if ($0 ~ /^1\.\.[0-9]+/) plan = substr($0, 4) + 0
		if ($0 ~ /^# +RUN +[^ ]+/) { split($0, r, " +"); run = r[3] }
		diag[++nd] = $0
	}
	next
}
END {
	if (intest) { detail = "no end marker: the VM died or timed out"; nbad = 0; end_test(1, detail) }
	if (!booted) result(0, "module-load", " # the guest did not reach /init")
	else if (insmod == "") result(0, "module-load", " # no insmod marker (crash while loading?)")
	if (!rmmod_seen) result(insmod == "0" ? 0 : 1, "module-unload", insmod == "0" ? " # not reached" : " # SKIP module not loaded")
	printf "%d %d %d %s %s\n", n, failed + 0, finished + 0, boot, up > "/dev/stderr"
}
' "$log.txt" > "$results" 2> "$outdir/summary.txt"
cat "$results"
read -r n failed finished boot up < "$outdir/summary.txt" || true

# Kernel splats: in the dmesg section, or anywhere in the serial log when the
# guest did not get that far (a panic replays the kernel log there).
scan=$dmesg_log
[ -s "$dmesg_log" ] || scan=$log.txt
n=$((n + 1))
if splats=$(vm_scan_splats "$scan"); then
	echo "ok $n $series:dmesg-clean"
else
	failed=$((failed + 1))
	echo "not ok $n $series:dmesg-clean # kernel splat in ${scan##*/}:"
	awk '!seen[$0]++' <<<"$splats" | head -n 50 | sed 's/^/#   /'
fi
n=$((n + 1))
if [ "$finished" = 1 ]; then
	echo "ok $n $series:vm-boot"
else
	failed=$((failed + 1))
	echo "not ok $n $series:vm-boot # no end marker (timeout ${timeout}s or guest crash); last serial lines:"
	tail -n 30 "$log.txt" | sed 's/^/#   /'
fi
echo "1..$n"
total=$(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.1f", b - a }')
echo "# vm-test $series: boot ${boot:-?}s (guest uptime at /init), run ${up:-?}s, total ${total}s wall; $failed failed; log $log"
[ "$failed" -eq 0 ]
