#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The manual pages against the tree, as TAP (part of `make -C tests/tools
# run`, suite `tools` of make check):
#
#  - every symbol exported by libqaccel/libqaccel.map has a page in man/man3,
#    a real one or a ".so" link to one, and the page names the symbol in its
#    NAME section;
#  - every page renders without a warning: groff -man -ww (after soelim)
#    and, when man-db is installed, man --warnings -l;
#  - every qaccel page a page refers to (name(N)) exists;
#  - each tool's page in man/man1 documents every option the tool accepts:
#    the long options of its getopt table in tools/qaccel-*.c and every
#    --option its --help prints (when it is built), and qaccel-bench's page
#    every subcommand;
#  - qaccel(7) describes every environment variable libqaccel reads (bar the
#    test hooks) and the submission-mode API.
#
# Usage: tests/tools/man.sh   (BUILD defaults to ./build)

set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
man=$top/man
n=0
failed=0
echo "TAP version 13"
result() {	# result OK DESCRIPTION [DETAIL]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		[ -n "${3:-}" ] && echo "# $3"
		failed=1
	fi
}
# Page text with escapes removed: \- -> -, font changes and \& dropped.
plain() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' -e 's/\\(em/--/g' "$1"; }
# The page a man3 file stands for (resolving one .so link).
resolve() {
	local f=$1 t
	t=$(sed -n '1s/^\.so //p' "$f")
	if [ -n "$t" ]; then echo "$man/$t"; else echo "$f"; fi
}

# --- every exported symbol has a page ----------------------------------------
syms=$(sed -n 's/^[[:space:]]*\(qaccel_[a-z0-9_]*\);.*/\1/p' "$top/libqaccel/libqaccel.map")
nsyms=$(echo "$syms" | wc -w)
missing=""
undoc=""
for s in $syms; do
	f=$man/man3/$s.3
	if [ ! -f "$f" ]; then
		missing="$missing $s"
		continue
	fi
	page=$(resolve "$f")
	if [ ! -f "$page" ]; then
		missing="$missing $s(link to missing $(basename "$page"))"
		continue
	fi
	# The NAME section: from .SH NAME to the next .SH.
	plain "$page" | awk '/^\.SH NAME/ { on = 1; next } /^\.SH/ { on = 0 } on' |
		grep -qw "$s" || undoc="$undoc $s($(basename "$page"))"
done
result "$([ -z "$missing" ] && [ "$nsyms" -gt 40 ]; echo $?)" \
	"each of the $nsyms symbols of libqaccel.map has a man3 page or link" "missing:$missing"
result "$([ -z "$undoc" ]; echo $?)" \
	"each symbol's page names it in NAME" "not named:$undoc"
extra=""
for f in "$man"/man3/*.3; do
	b=$(basename "$f" .3)
	grep -qx -- "$b" <<<"$syms" || extra="$extra $b"
done
result "$([ -z "$extra" ]; echo $?)" "every man3 page is an exported symbol" "not exported:$extra"

# --- every page renders without warnings ---------------------------------------
pages=$(cd "$man" && ls man1/*.1 man3/*.3 man7/*.7)
bad=""
for p in $pages; do
	out=$(cd "$man" && soelim -r "$p" 2>&1 | groff -man -Tutf8 -ww -z 2>&1)
	[ -n "$out" ] && bad="$bad $p: $(echo "$out" | head -n 1);"
done
result "$([ -z "$bad" ]; echo $?)" "$(echo "$pages" | wc -w) pages render without warnings (groff -man -ww)" "$bad"
if command -v man >/dev/null 2>&1; then
	bad=""
	for p in $pages; do
		out=$(cd "$man" && MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
		[ -n "$out" ] && bad="$bad $p: $(echo "$out" | head -n 1);"
	done
	result "$([ -z "$bad" ]; echo $?)" "pages render without warnings (man --warnings -l)" "$bad"
else
	n=$((n + 1)); echo "ok $n man --warnings -l # SKIP man-db is not installed"
fi

# --- references to qaccel pages resolve ----------------------------------------
dangling=""
for p in $pages; do
	for ref in $(plain "$man/$p" | grep -oE '(qaccel[a-z0-9_-]*|libqaccel) ?\([1-8]\)' |
		     tr -d ' ()' | sort -u); do
		name=${ref%[0-9]}
		sec=${ref##*[!0-9]}
		[ -f "$man/man$sec/$name.$sec" ] || dangling="$dangling $p->$name($sec)"
	done
done
result "$([ -z "$dangling" ]; echo $?)" "every qaccel page referred to exists" "dangling:$dangling"

# --- section 1: every option of every tool ---------------------------------------
for src in "$top"/tools/qaccel-*.c; do
	t=$(basename "$src" .c)
	page=$man/man1/$t.1
	if [ ! -f "$page" ]; then
		result 1 "$t(1) exists"
		continue
	fi
	opts=$(grep -oE '\{ *"[a-z0-9-]+", *(no|required|optional)_argument' "$src" |
	       sed -E 's/\{ *"([a-z0-9-]+)".*/--\1/')
	if [ -x "$BUILD/bin/$t" ]; then
		opts="$opts $(LD_LIBRARY_PATH=$BUILD/lib "$BUILD/bin/$t" --help 2>&1 |
			      grep -oE -- '--[a-z0-9][a-z0-9-]*' || true)"
	fi
	text=$(plain "$page")
	undoc=""
	for o in $(echo "$opts" | tr ' ' '\n' | sort -u); do
		grep -qE -- "(^|[^a-z0-9-])$o([^a-z0-9-]|\$)" <<<"$text" || undoc="$undoc $o"
	done
	nopts=$(echo "$opts" | tr ' ' '\n' | grep -c . )
	result "$([ -z "$undoc" ] && [ "$nopts" -gt 0 ]; echo $?)" \
		"$t(1) documents every option of $t ($(echo "$opts" | tr ' ' '\n' | sort -u | grep -c .))" \
		"undocumented:$undoc"
done
sub_missing=""
for sub in gemm quant submit; do
	plain "$man/man1/qaccel-bench.1" | awk '/^\.SH SYNOPSIS/ { on = 1; next } /^\.SH/ { on = 0 } on' |
		grep -q "qaccel-bench $sub" || sub_missing="$sub_missing $sub"
done
result "$([ -z "$sub_missing" ]; echo $?)" "qaccel-bench(1) SYNOPSIS has every subcommand" \
	"missing:$sub_missing"

# --- qaccel(7): backend selection and the environment ---------------------------
page=$man/man7/qaccel.7
envs=$(grep -ohE 'getenv\("QACCEL_[A-Z_]+"\)' "$top"/libqaccel/src/*.c | grep -oE 'QACCEL_[A-Z_]+' |
       grep -v '^QACCEL_TEST_' | sort -u)
need="$envs QACCEL_BACKEND=cpu QACCEL_BACKEND=device QACCEL_BACKEND=auto
	qaccel_ctx_submit_mode qaccel_submit_mode_name qaccel_buffer_device_address
	qaccel_ctx_reason uring ioctl"
undoc=""
if [ -f "$page" ]; then
	text=$(plain "$page")
	for w in $need; do
		grep -q -- "$w" <<<"$text" || undoc="$undoc $w"
	done
else
	undoc=" (no man7/qaccel.7)"
fi
result "$([ -z "$undoc" ]; echo $?)" \
	"qaccel(7) describes backend selection, $(echo "$envs" | wc -w) environment variables and the submit-mode API" \
	"not mentioned:$undoc"

echo "1..$n"
exit $failed
