#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The `install` suite of make check, as TAP: `make install` into a temporary
# DESTDIR, then check what an application developer and a distribution get:
# the shared library with its soname links and only qaccel_* symbols, the
# static library, header, libqaccel.pc, tools, man pages and udev rule; build
# examples/hello.c out of tree against the staged install with pkg-config
# (shared and static) and run it; run the installed tools; stage the DKMS
# source tree and, when a kernel build tree is available, build the module
# from it and install it with `make install-module`.
#
# Usage: tests/install/run.sh   (BUILD defaults to ./build)

set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
prefix=/usr/local
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qaccel-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
lib=$root$prefix/lib

n=0
failed=0
echo "TAP version 13"
pass() { n=$((n + 1)); echo "ok $n $1"; }
fail() {
	n=$((n + 1))
	echo "not ok $n $1"
	failed=1
	[ -s "$tmp/log" ] && tail -n 15 "$tmp/log" | sed 's/^/#   /'
}
check() {	# check DESCRIPTION COMMAND...
	local desc=$1
	shift
	if "$@" > "$tmp/log" 2>&1; then pass "$desc"; else fail "$desc"; fi
}

# --- make install -----------------------------------------------------------
check "make install PREFIX=$prefix DESTDIR=..." \
	make -s -C "$top" install PREFIX="$prefix" DESTDIR="$root" BUILD="$BUILD"

check "shared library, soname links, static library" \
	test -f "$lib/libqaccel.so.1.0.0" -a -L "$lib/libqaccel.so.1" -a -L "$lib/libqaccel.so" \
	-a -f "$lib/libqaccel.a"
check "libqaccel.so.1 -> libqaccel.so.1.0.0, libqaccel.so -> libqaccel.so.1" \
	test "$(readlink "$lib/libqaccel.so.1")" = libqaccel.so.1.0.0 -a \
	"$(readlink "$lib/libqaccel.so")" = libqaccel.so.1
if readelf -d "$lib/libqaccel.so.1.0.0" 2>&1 | grep -q 'SONAME.*\[libqaccel.so.1\]'; then
	pass "soname is libqaccel.so.1"
else
	fail "soname is libqaccel.so.1"
fi
nm -D --defined-only "$lib/libqaccel.so.1.0.0" > "$tmp/syms" 2>&1
others=$(awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' "$tmp/syms" | grep -v '^qaccel_')
count=$(grep -c ' qaccel_' "$tmp/syms")
if [ -z "$others" ] && [ "$count" -gt 0 ]; then
	pass "only qaccel_* symbols exported ($count)"
else
	echo "# not qaccel_*: $others"
	fail "only qaccel_* symbols exported"
fi
for sym in qaccel_open qaccel_model_load qaccel_linear_create qaccel_submit; do
	grep -q " $sym@@QACCEL_" "$tmp/syms" || { fail "versioned $sym exported"; continue; }
	pass "versioned $sym exported"
done
check "header" test -f "$root$prefix/include/qaccel.h"
check "pkg-config file with the prefix" grep -q "^prefix=$prefix\$" "$lib/pkgconfig/libqaccel.pc"
for t in qaccel-info qaccel-bench qaccel-demo qaccel-quant qaccel-selftest; do
	check "tool $t installed" test -x "$root$prefix/bin/$t"
	check "man page $t(1) installed" test -f "$root$prefix/share/man/man1/$t.1"
done
check "overview page qaccel(7) installed" test -f "$root$prefix/share/man/man7/qaccel.7"
check "demo model installed" test -f "$root$prefix/share/qaccel/fashion_mnist_mlp.safetensors"
check "udev rule installed" test -f "$root$prefix/lib/udev/rules.d/70-qaccel.rules"

# Every man page renders without a warning, every .so link resolves.
bad=""
for f in "$root$prefix"/share/man/man[137]/*; do
	out=$(cd "$root$prefix/share/man" && soelim -r "$f" 2>&1 | groff -man -Tutf8 -ww -z 2>&1)
	[ -n "$out" ] && bad="$bad $(basename "$f")"
done
nman=$(find "$root$prefix/share/man" -type f | wc -l)
if [ -z "$bad" ] && [ "$nman" -gt 40 ]; then
	pass "$nman man pages render without warnings (groff -ww)"
else
	echo "# warnings in:$bad"
	fail "man pages render without warnings"
fi
missing=""
for f in qaccel_open qaccel_quantize qaccel_observer_create qaccel_pack_weights qaccel_submit \
	qaccel_linear_create qaccel_model_load; do
	[ -f "$root$prefix/share/man/man3/$f.3" ] || missing="$missing $f"
done
# Every public function and every exported symbol has a page (or a link to
# one); tests/tools/man.sh checks the same on the source tree, and more.
for f in $(grep -o 'QACCEL_API [^(]*(' "$top/libqaccel/include/qaccel.h" |
	   grep -o 'qaccel_[a-z0-9_]*(' | tr -d '(') \
	 $(sed -n 's/^[[:space:]]*\(qaccel_[a-z0-9_]*\);.*/\1/p' "$top/libqaccel/libqaccel.map"); do
	[ -f "$root$prefix/share/man/man3/$f.3" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then
	pass "every public function and exported symbol has a section 3 page"
else
	echo "# missing:$(echo "$missing" | tr ' ' '\n' | sort -u | tr '\n' ' ')"
	fail "every public function and exported symbol has a section 3 page"
fi

# The udev rule: both node kinds, only this driver, group render, 0660.
rules=$root$prefix/lib/udev/rules.d/70-qaccel.rules
if grep -Eq '^SUBSYSTEM=="accel".*DRIVERS=="qaccel".*GROUP="render".*MODE="0660"' "$rules" &&
	grep -Eq '^SUBSYSTEM=="drm".*KERNEL=="renderD\[0-9\]\*".*DRIVERS=="qaccel".*GROUP="render".*MODE="0660"' "$rules"; then
	pass "udev rule: accel and render nodes of driver qaccel, render 0660"
else
	fail "udev rule: accel and render nodes of driver qaccel, render 0660"
fi

# --- an application built against the staged install --------------------------
export PKG_CONFIG_PATH=$lib/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$root
if pkg-config --cflags --libs libqaccel | grep -q -- "-I$root$prefix/include"; then
	pass "pkg-config --cflags --libs libqaccel point into DESTDIR"
else
	fail "pkg-config --cflags --libs libqaccel point into DESTDIR"
fi
check "examples/hello.c builds against the installed library" \
	make -s -C "$top/examples" OUT="$tmp/app"
if LD_LIBRARY_PATH=$lib "$tmp/app/hello" > "$tmp/log" 2>&1 && grep -q '^libqaccel .*backend: ' "$tmp/log"; then
	pass "hello runs: $(grep -o 'backend: .*' "$tmp/log")"
else
	fail "hello runs"
fi
used=$(LD_LIBRARY_PATH=$lib ldd "$tmp/app/hello" | awk '/libqaccel/ { print $3 }')
if [ -n "$used" ] && [ "$(realpath "$used")" = "$(realpath "$lib/libqaccel.so.1")" ]; then
	pass "hello uses the installed libqaccel.so.1"
else
	LD_LIBRARY_PATH=$lib ldd "$tmp/app/hello" > "$tmp/log" 2>&1
	fail "hello uses the installed libqaccel.so.1"
fi
check "examples/hello.c links statically (pkg-config --static)" \
	make -s -C "$top/examples" OUT="$tmp/static" STATIC=1
if ! ldd "$tmp/static/hello" 2>&1 | grep -q libqaccel && "$tmp/static/hello" > "$tmp/log" 2>&1; then
	pass "static hello runs without libqaccel.so"
else
	fail "static hello runs without libqaccel.so"
fi
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

# --- the installed tools find the installed library and data --------------------
check "installed qaccel-info runs" env -u LD_LIBRARY_PATH "$root$prefix/bin/qaccel-info"
used=$(env -u LD_LIBRARY_PATH ldd "$root$prefix/bin/qaccel-info" | awk '/libqaccel/ { print $3 }')
if [ -n "$used" ] && [ "$(realpath "$used")" = "$(realpath "$lib/libqaccel.so.1")" ]; then
	pass "installed tools load the installed library (run path \$ORIGIN/../lib)"
else
	fail "installed tools load the installed library"
fi
if [ -e /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ]; then
	check "installed qaccel-demo finds its model in share/qaccel" \
		env -u LD_LIBRARY_PATH QACCEL_BACKEND=cpu "$root$prefix/bin/qaccel-demo" \
		--no-compare --limit 500 --time 0
else
	n=$((n + 1)); echo "ok $n installed qaccel-demo # SKIP no dataset-fashion-mnist"
fi

# --- DKMS source tree and the module -----------------------------------------
check "make dkms-source DESTDIR=..." make -s -C "$top" dkms-source DESTDIR="$root"
ver=$(sed -n 's/^QACCEL_VERSION := //p' "$top/Makefile")
src=$root/usr/src/qaccel-$ver
if [ -f "$src/dkms.conf" ] && grep -q "^PACKAGE_VERSION=\"$ver\"" "$src/dkms.conf" &&
	[ -f "$src/Kbuild" ] && [ -x "$src/conftest/conftest.sh" ] &&
	[ -f "$src/uapi/drm/qaccel_accel.h" ] && [ -f "$src/qaccel_engine.c" ]; then
	pass "DKMS tree /usr/src/qaccel-$ver with dkms.conf, Kbuild, conftest, uapi header"
else
	fail "DKMS tree /usr/src/qaccel-$ver complete"
fi
kdir=""
for d in "/lib/modules/$(uname -r)/build" "${QACCEL_CACHE:-$HOME/.cache/qaccel}/kernels/6.1/headers"; do
	[ -f "$d/Makefile" ] && { kdir=$d; break; }
done
if [ -n "$kdir" ]; then
	# What dkms build runs (dkms.conf MAKE[0]), in a copy as dkms does.
	cp -a "$src" "$tmp/dkms-build"
	check "the DKMS tree builds qaccel.ko (MAKE[0] of dkms.conf, $(basename "$(dirname "$kdir")"))" \
		sh -c "cd '$tmp/dkms-build' && make KDIR='$kdir' modules -j\"\$(nproc)\" && test -f qaccel.ko"
else
	n=$((n + 1)); echo "ok $n DKMS tree builds # SKIP no kernel build tree"
fi
if [ -f "$BUILD/kmod/host/qaccel.ko" ]; then
	check "make install-module DESTDIR=..." \
		make -s -C "$top" install-module DESTDIR="$root/mod" BUILD="$BUILD"
	if find "$root/mod/lib/modules" -path '*/updates/qaccel.ko*' | grep -q . &&
		find "$root/mod/lib/modules" -name modules.dep | grep -q .; then
		pass "module in lib/modules/<release>/updates, depmod ran"
	else
		find "$root/mod" > "$tmp/log" 2>&1
		fail "module in lib/modules/<release>/updates, depmod ran"
	fi
else
	n=$((n + 1)); echo "ok $n make install-module # SKIP no module built (no kernel headers)"
fi

echo "1..$n"
exit $failed
