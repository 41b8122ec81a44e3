#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Packaging checks of the built library, as TAP: the exported dynamic
# symbols are exactly the ones listed in the version map (all in node
# QACCEL_1.0), the soname is libqaccel.so.1, the symlinks and the static
# archive exist, and the generated pkg-config file carries the version.
#
# usage: check-exports.sh LIBDIR MAPFILE

libdir=$1
map=$2
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); echo "not ok $n $1"; fail=1; }

echo "TAP version 13"
echo "1..6"
so=$libdir/libqaccel.so.1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only "$so" | awk '$2 == "T" || $2 == "D" || $2 == "B" || $2 == "R" { print $3 }' \
	| sed 's/@.*//' | sort > "$tmp/exported"
sed -n '/global:/,/local:/p' "$map" | grep -o 'qaccel_[a-z0-9_]*' | sort > "$tmp/listed"
if cmp -s "$tmp/exported" "$tmp/listed"; then
	ok "exported symbols match libqaccel.map ($(wc -l < "$tmp/exported") symbols)"
else
	diff "$tmp/listed" "$tmp/exported" | sed 's/^/# /'
	notok "exported symbols match libqaccel.map"
fi
if nm -D --defined-only "$so" | grep ' T ' | grep -v '@@QACCEL_1.0' | grep -q .; then
	notok "every exported function is versioned QACCEL_1.0"
else
	ok "every exported function is versioned QACCEL_1.0"
fi
if readelf -d "$so" | grep -q 'SONAME.*\[libqaccel.so.1\]'; then
	ok "soname is libqaccel.so.1"
else
	notok "soname is libqaccel.so.1"
fi
if [ -L "$libdir/libqaccel.so" ] && [ -L "$libdir/libqaccel.so.1" ] && [ -f "$libdir/libqaccel.a" ]; then
	ok "symlinks and static archive present"
else
	notok "symlinks and static archive present"
fi
if grep -q '^Version: [0-9]*\.[0-9]*\.[0-9]*$' "$libdir/pkgconfig/libqaccel.pc" &&
   ! grep -q '@' "$libdir/pkgconfig/libqaccel.pc"; then
	ok "pkg-config file generated"
else
	notok "pkg-config file generated"
fi
if nm -D --undefined-only "$so" | grep -q ' U qa1e_\| U qa_'; then
	notok "no unresolved internal symbols"
else
	ok "no unresolved internal symbols"
fi
exit $fail
