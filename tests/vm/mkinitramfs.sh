#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build the initramfs of the qaccel VM tests.
#
#   tests/vm/mkinitramfs.sh --series 6.1|6.12 --ko PATH --out FILE
#                           [--tests DIR] [--only "t1 t2"]
#                           [--modules "udmabuf vgem ..."] [--test-timeout SECS]
#
# Contents: busybox-static with its applets as symlinks, /init
# (tests/vm/init.sh), the module under test and the cached kernel's modules
# it depends on (resolved through modules.dep, decompressed), the extra
# kernel modules of --modules / $VMTEST_EXTRA_MODULES (default "udmabuf
# vgem", foreign dma-buf exporters for the PRIME tests; built-in or
# unconfigured ones are skipped), and the files of DIR under
# /tests. Dynamically linked test binaries get their shared libraries.
# The image is a gzip-compressed newc cpio archive.
set -euo pipefail

# shellcheck source=tests/vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

series='' ko='' out='' tests='' only=''
extra=${VMTEST_EXTRA_MODULES-udmabuf vgem}
test_timeout=300

while [ $# -gt 0 ]; do
	case $1 in
	--series) series=$2; shift ;;
	--ko) ko=$2; shift ;;
	--out) out=$2; shift ;;
	--tests) tests=$2; shift ;;
	--only) only=$2; shift ;;
	--modules) extra=$2; shift ;;
	--test-timeout) test_timeout=$2; shift ;;
	-h|--help) awk 'NR > 3 && /^#/ { sub(/^# ?/, ""); print; next } NR > 3 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
	*) vm_die "unknown argument: $1" ;;
	esac
	shift
done
if [ -z "$series" ] || [ -z "$ko" ] || [ -z "$out" ]; then
	vm_die "--series, --ko and --out are required"
fi
[ -f "$ko" ] || vm_die "module $ko not found"
[ -z "$tests" ] || [ -d "$tests" ] || vm_die "test directory $tests not found"
case $test_timeout in ''|*[!0-9]*) vm_die "--test-timeout needs seconds" ;; esac

kdir=$(vm_kernel_dir "$series")
release=$(cat "$kdir/release")
moddir=$kdir/modules

busybox=$(command -v busybox || true)
[ -n "$busybox" ] || vm_die "busybox not found: run scripts/deps.sh --all"
if ldd "$busybox" >/dev/null 2>&1; then
	vm_die "$busybox is dynamically linked: install busybox-static (scripts/deps.sh --all)"
fi

vermagic=$(modinfo -F vermagic "$ko")
[ "${vermagic%% *}" = "$release" ] ||
	vm_die "$ko was built for '${vermagic%% *}', not for the cached $series kernel $release"

stage=$(mktemp -d "${TMPDIR:-/tmp}/qaccel-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,lib/modules,tests}

# busybox and its applets
cp "$busybox" "$stage/bin/busybox"
while read -r applet; do
	[ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done < <("$busybox" --list-full | grep -v '^bin/busybox$')
install -m 0755 "$vm_top/tests/vm/init.sh" "$stage/init"

# --- kernel modules -------------------------------------------------------
# name -> "path: deps..." from modules.dep (names with '-' read as '_')
declare -A dep_line=() builtin=()
while IFS= read -r line; do
	path=${line%%:*}
	n=${path##*/}; n=${n%%.ko*}
	dep_line[${n//-/_}]=$line
done < "$moddir/modules.dep"
if [ -f "$moddir/modules.builtin" ]; then
	while IFS= read -r path; do
		n=${path##*/}; n=${n%%.ko*}
		builtin[${n//-/_}]=1
	done < "$moddir/modules.builtin"
fi
# bool options such as CONFIG_UDMABUF appear only in modules.builtin.modinfo
if [ -f "$moddir/modules.builtin.modinfo" ]; then
	while IFS= read -r n; do
		builtin[${n//-/_}]=1
	done < <(tr '\0' '\n' < "$moddir/modules.builtin.modinfo" | cut -d. -f1 | sort -u)
fi

load=()
declare -A seen=()
add_module() {	# depth-first: dependencies before their users
	local n=${1//-/_} line path d
	[ -z "${seen[$n]:-}" ] || return 0
	seen[$n]=1
	line=${dep_line[$n]:-}
	if [ -z "$line" ]; then
		if [ -n "${builtin[$n]:-}" ]; then
			echo "# initramfs: $n is built into $release" >&2
			return 0
		fi
		return 1
	fi
	path=${line%%:*}
	for d in ${line#*:}; do
		d=${d##*/}
		add_module "${d%%.ko*}" || vm_die "$n needs ${d%%.ko*}, missing from $moddir"
	done
	local file=${path##*/} base
	base=${file%%.ko*}.ko
	case $file in
	*.ko.xz) xz -dc "$moddir/$path" > "$stage/lib/modules/$base" ;;
	*.ko.zst) zstd -q -dc "$moddir/$path" > "$stage/lib/modules/$base" ;;
	*.ko.gz) gzip -dc "$moddir/$path" > "$stage/lib/modules/$base" ;;
	*.ko) cp "$moddir/$path" "$stage/lib/modules/$base" ;;
	*) vm_die "unexpected module file $path" ;;
	esac
	load+=("$base")
}

for m in $extra; do
	add_module "$m" || echo "# initramfs: $m is not available in $release (skipped)" >&2
done
main=$(vm_ko_name "$ko")
deps=$(modinfo -F depends "$ko")
for m in ${deps//,/ }; do
	add_module "$m" || vm_die "$ko needs $m, which $release does not have"
done
cp "$ko" "$stage/lib/modules/$main.ko"
load+=("$main.ko")

# --- tests ----------------------------------------------------------------
run=()
if [ -n "$tests" ]; then
	cp -rL "$tests/." "$stage/tests/"
	if [ -n "$only" ]; then
		read -r -a run <<<"$only"
	else
		while IFS= read -r f; do
			run+=("${f##*/}")
		done < <(find "$stage/tests" -maxdepth 1 -type f -perm -u+x | LC_ALL=C sort)
	fi
	# Shared libraries of dynamically linked binaries (static ones are
	# preferred: ldd answers "not a dynamic executable" for them).
	while IFS= read -r f; do
		libs=$(ldd "$f" 2>/dev/null | grep -oE '(^|[[:space:]])/[^ ]+' | tr -d ' \t' || true)
		for lib in $libs; do
			[ ! -e "$stage$lib" ] || continue
			mkdir -p "$stage$(dirname "$lib")"
			cp -L "$lib" "$stage$lib"
		done
	done < <(find "$stage/tests" -type f -perm -u+x)
fi
for t in "${run[@]}"; do
	case $t in
	*[!A-Za-z0-9._+-]*) vm_die "test name '$t': use letters, digits and ._+-" ;;
	esac
done

cat > "$stage/etc/vmtest.conf" <<EOF
# generated by tests/vm/mkinitramfs.sh
SERIES='$series'
MODULE='$main'
LOAD='${load[*]}'
TESTS='${run[*]}'
TEST_TIMEOUT='$test_timeout'
EOF

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --quiet -o -0 -H newc -R 0:0) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
echo "# initramfs: $out (modules: ${load[*]}; tests: ${#run[@]})" >&2
