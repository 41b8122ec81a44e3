# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# Helpers shared by the VM harness scripts (sourced, not run).

# Repository top and the kernel test cache.
# shellcheck disable=SC2034  # used by the scripts that source this file
vm_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vm_cache=${QACCEL_CACHE:-$HOME/.cache/qaccel}

vm_die() { echo "${0##*/}: error: $*" >&2; exit 2; }

# vm_kernel_dir SERIES: print the cached kernel directory or fail clearly.
vm_kernel_dir() {
	local series=$1 dir=$vm_cache/kernels/$1 f
	case $series in
	6.1|6.12) ;;
	*) vm_die "unknown kernel series '$series' (known: 6.1 6.12)" ;;
	esac
	for f in vmlinuz release modules/modules.dep headers/Makefile; do
		[ -e "$dir/$f" ] ||
			vm_die "kernel $series is not in the cache ($dir/$f missing): run scripts/deps.sh --all"
	done
	echo "$dir"
}

# Kernel log lines that fail a run: BUG/WARN/Oops, lockdep, refcount and
# list corruption, sleeping in atomic context, sanitizers, hung tasks and
# any stack dump.
vm_splat_regex='BUG:|WARNING:|Oops|general protection fault|Kernel panic|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|DEBUG_LOCKS_WARN_ON|refcount_t:|list_add corruption|list_del corruption|sleeping function called from invalid context|kmemleak|UBSAN:|KASAN:|Call Trace:|INFO: task .* blocked'

# vm_scan_splats FILE: print the offending lines; status 0 when there are none.
vm_scan_splats() {
	! grep -aE -- "$vm_splat_regex" "$1"
}

# vm_ko_name KO: the module name of a .ko file (as lsmod/rmmod know it).
vm_ko_name() {
	local n
	n=$(modinfo -F name "$1" 2>/dev/null || true)
	if [ -z "$n" ]; then
		n=${1##*/}
		n=${n%%.ko*}
	fi
	echo "${n//-/_}"
}

# vm_build_module SRC_DIR SERIES OUT_DIR: build an out-of-tree module in a
# copy of SRC_DIR against the cached headers of SERIES (W=1).
vm_build_module() {
	local src=$1 series=$2 out=$3 kdir
	kdir=$(vm_kernel_dir "$series")/headers
	mkdir -p "$out"
	cp -a "$src/." "$out/"
	make -s -C "$kdir" M="$out" W=1 modules >&2 ||
		vm_die "module build of $src for $series failed"
}
