#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Install the Debian packages qaccel needs and cache the kernel test matrix.
#
#   scripts/deps.sh [--build|--check|--all] [options]
#
#   --build         packages to build qaccel and run the demo (default)
#   --check         --build + packages for `make check`, then cache the kernel
#                   matrix (6.1 and 6.12) and the linux-source-6.1 extract
#   --all           --check + lint tools (shellcheck)
#   --no-kernels    with --check/--all: packages only, no kernel cache
#   --kernels-only  only the kernel cache (no package check)
#   --series LIST   kernel series to cache (default "6.1 6.12")
#   --refresh       re-resolve the kernel versions through apt (network) and
#                   fetch again if Debian moved on; otherwise a filled cache
#                   is trusted without network access
#   --list          print the packages of the chosen mode and exit
#
# Package list: scripts/packages.txt (sections [build] [check] [lint]).
# Missing packages are installed with apt-get as root; other users get the
# exact command to run and a non-zero exit.
#
# Kernel cache, root ${QACCEL_CACHE:-$HOME/.cache/qaccel}:
#   kernels/<series>/{vmlinuz,release,headers/,modules/,config,versions,pkg/}
#     headers  usable KDIR for `make -C headers M=... modules`
#     modules  lib/modules/<release> of the image package, with modules.dep
#     pkg      the extracted linux-image/-headers/-common/linux-kbuild debs
#   linux-source-6.1/  checkpatch.pl, kernel-doc, kselftest headers
#   apt/               private apt state (the machine's Debian mirror plus
#                      <codename>-backports; the system's apt sources are
#                      never changed)
set -euo pipefail

export LC_ALL=C
export PATH="$PATH:/usr/sbin:/sbin"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pkgfile=$here/packages.txt
prog=deps.sh

mode=build
do_packages=1
do_kernels=auto
refresh=0
list_only=0
series_list="6.1 6.12"

die() { echo "$prog: error: $*" >&2; exit 1; }
say() { echo "$prog: $*"; }

usage() {
	awk 'NR > 3 && /^#/ { sub(/^# ?/, ""); print; next } NR > 3 { exit }' "${BASH_SOURCE[0]}"
}

while [ $# -gt 0 ]; do
	case $1 in
	--build) mode=build ;;
	--check) mode=check ;;
	--all) mode=all ;;
	--no-kernels) do_kernels=0 ;;
	--kernels-only) do_packages=0; do_kernels=1 ;;
	--series) [ $# -ge 2 ] || die "--series needs a value"; series_list=$2; shift ;;
	--series=*) series_list=${1#--series=} ;;
	--refresh) refresh=1 ;;
	--list) list_only=1 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
	shift
done

case $mode in
build) sections="build" ;;
check) sections="build check" ;;
all) sections="build check lint" ;;
esac
if [ "$do_kernels" = auto ]; then
	if [ "$mode" = build ]; then do_kernels=0; else do_kernels=1; fi
fi

# Packages of the given sections, in file order.
packages_of() {
	awk -v want=" $* " '
		{ sub(/#.*/, ""); gsub(/[ \t]+/, " "); sub(/^ /, ""); sub(/ $/, "") }
		/^\[.*\]$/ { sec = substr($0, 2, length($0) - 2); next }
		$0 != "" && index(want, " " sec " ") { print }
	' "$pkgfile"
}

# ---------------------------------------------------------------------------
# Debian packages

install_packages() {
	local -a want missing=()
	local p status
	# shellcheck disable=SC2086  # sections is a word list
	mapfile -t want < <(packages_of $sections)
	[ ${#want[@]} -gt 0 ] || die "no packages found in $pkgfile"
	declare -A st=()
	while read -r p status; do
		st[$p]=$status
	done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${want[@]}" 2>/dev/null || true)
	for p in "${want[@]}"; do
		case ${st[$p]:-} in
		ii*) ;;
		*) missing+=("$p") ;;
		esac
	done
	if [ ${#missing[@]} -eq 0 ]; then
		say "packages ($mode): all ${#want[@]} installed"
		return 0
	fi
	say "missing packages: ${missing[*]}"
	local cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "$prog: run as root:" >&2
		echo "  $cmd" >&2
		exit 1
	fi
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
	# Verify: a package that apt could not provide is an error.
	local still=()
	for p in "${missing[@]}"; do
		dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || still+=("$p")
	done
	[ ${#still[@]} -eq 0 ] || die "still missing after apt-get install: ${still[*]}"
}

# ---------------------------------------------------------------------------
# Private apt state for kernel packages

cache=
aptdir=
apt_opts=()
apt_updated=0
codename=

setup_private_apt() {
	[ -n "$aptdir" ] && return 0
	aptdir=$cache/apt
	mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" \
		"$aptdir/sources.list.d" "$aptdir/preferences.d"
	: > "$aptdir/status"
	# shellcheck disable=SC1091
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "cannot read VERSION_CODENAME from /etc/os-release"

	# The mirror comes from the machine's own apt sources: ask apt which
	# Release files it would fetch (no network, works as any user).
	local uris main="" security=""
	uris=$(apt-get update --print-uris -o Dir::State::Lists="$aptdir/lists" 2>/dev/null |
		sed -n "s|^'\(.*\)/dists/\([^/]*\)/InRelease'.*|\2 \1|p" | sort -u)
	main=$(awk -v s="$codename" '$1 == s { print $2; exit }' <<<"$uris")
	security=$(awk -v s="$codename-security" '$1 == s { print $2; exit }' <<<"$uris")
	[ -n "$main" ] || die "no '$codename' suite in the machine's apt sources (/etc/apt/sources.list*)"

	local signed=""
	[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] &&
		signed="[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
	{
		echo "# generated by scripts/deps.sh from the machine's apt sources"
		echo "deb $signed$main/ $codename main"
		echo "deb $signed$main/ $codename-updates main"
		echo "deb $signed$main/ $codename-backports main"
		[ -z "$security" ] || echo "deb $signed$security/ $codename-security main"
	} > "$aptdir/sources.list"

	apt_opts=(
		-o Dir::Etc::SourceList="$aptdir/sources.list"
		-o Dir::Etc::SourceParts="$aptdir/sources.list.d"
		-o Dir::Etc::Preferences="$aptdir/preferences"
		-o Dir::Etc::PreferencesParts="$aptdir/preferences.d"
		-o Dir::State::Lists="$aptdir/lists"
		-o Dir::State::status="$aptdir/status"
		-o Dir::Cache="$aptdir/cache"
		-o APT::Get::List-Cleanup=1
		-o Acquire::PDiffs=false
	)
	# Downloads go to a directory the _apt sandbox user cannot write.
	[ "$(id -u)" -ne 0 ] || apt_opts+=(-o APT::Sandbox::User=root)
}

private_apt_update() {
	[ "$apt_updated" = 1 ] && return 0
	setup_private_apt
	say "updating private apt lists ($aptdir)"
	apt-get "${apt_opts[@]}" -qq update >&2 || die "apt-get update (private state in $aptdir) failed"
	apt_updated=1
}

# show_field PKG-SPEC FIELD: one field of the candidate (or given) version.
show_field() {
	apt-cache "${apt_opts[@]}" show --no-all-versions "$1" 2>/dev/null |
		awk -v f="$2" 'index($0, f ": ") == 1 { print substr($0, length(f) + 3); exit }'
}

# ---------------------------------------------------------------------------
# Kernel matrix

# resolve SERIES: sets r_release r_version r_pkgs (pkg=version list)
resolve_kernel() {
	local series=$1 meta deps img hdr common kbuild
	case $series in
	6.1) meta=linux-image-amd64 ;;                       # bookworm's own kernel
	6.12) meta=linux-image-amd64/$codename-backports ;;  # backports kernel
	*) die "unknown kernel series '$series' (known: 6.1 6.12)" ;;
	esac
	r_version=$(show_field "$meta" Version)
	[ -n "$r_version" ] || die "apt knows no $meta"
	deps=$(show_field "$meta" Depends)
	img=$(grep -o 'linux-image-[^ ,|]*' <<<"$deps" | head -n1)
	[ -n "$img" ] || die "cannot find the kernel image package in '$deps'"
	r_release=${img#linux-image-}
	case $r_release in
	"$series".*) ;;
	*) echo "$prog: warning: $meta ($r_version) is kernel $r_release, not series $series" >&2 ;;
	esac
	hdr=linux-headers-$r_release
	deps=$(show_field "$hdr=$r_version" Depends)
	common=$(grep -o 'linux-headers-[^ ,|]*-common' <<<"$deps" | head -n1)
	kbuild=$(grep -o 'linux-kbuild-[^ ,|]*' <<<"$deps" | head -n1)
	if [ -z "$common" ] || [ -z "$kbuild" ]; then
		die "cannot parse the Depends of $hdr: '$deps'"
	fi
	local kv
	kv=$(show_field "$kbuild=$r_version" Version)
	[ -n "$kv" ] || kv=$(show_field "$kbuild" Version)
	[ -n "$kv" ] || die "apt knows no $kbuild"
	r_pkgs="$img=$r_version $hdr=$r_version $common=$r_version $kbuild=$kv"
}

# Point the extracted headers at their location in the cache (again after
# the cache moved): Debian's arch Makefile is the single line
# "include /usr/src/linux-headers-<abi>-common/Makefile".
fix_kernel_paths() {
	local dir=$1 rel mk inc common want
	rel=$(cat "$dir/release")
	mk=$dir/pkg/usr/src/linux-headers-$rel/Makefile
	inc=$(awk '/^include /{ print $2; exit }' "$mk")
	[ -n "$inc" ] || die "unexpected headers Makefile $mk"
	common=${inc%/Makefile}
	common=${common##*/}
	want=$dir/pkg/usr/src/$common/Makefile
	[ -f "$want" ] || die "headers tree $common missing in $dir/pkg/usr/src"
	if [ "$inc" != "$want" ]; then
		case $want in *[\#\&\\]*) die "unsupported character in cache path $dir" ;; esac
		sed -i "s#^include .*#include $want#" "$mk"
	fi
	# Absolute links in lib/modules/<rel> become relative.
	ln -sfn "../../../usr/src/linux-headers-$rel" "$dir/pkg/lib/modules/$rel/build"
	ln -sfn "../../../usr/src/$common" "$dir/pkg/lib/modules/$rel/source"
}

kernel_complete() {
	local dir=$1 f
	for f in release versions vmlinuz headers/Makefile modules/modules.dep config; do
		[ -e "$dir/$f" ] || return 1
	done
}

fetch_kernel() {
	local series=$1 dir=$cache/kernels/$1
	if [ "$refresh" = 0 ] && kernel_complete "$dir"; then
		fix_kernel_paths "$dir"
		say "kernel $series: up to date ($(cat "$dir/release"); --refresh to re-check Debian)"
		return 0
	fi
	private_apt_update
	resolve_kernel "$series"
	local want
	want=$(tr ' ' '\n' <<<"$r_pkgs")
	if kernel_complete "$dir" && [ "$want" = "$(cat "$dir/versions")" ]; then
		fix_kernel_paths "$dir"
		say "kernel $series: up to date ($r_release, $r_version)"
		return 0
	fi

	say "kernel $series: fetching $r_release ($r_version)"
	local t0=$SECONDS tmp debs
	tmp=$cache/kernels/.$series.new
	debs=$cache/kernels/.$series.debs
	rm -rf "$tmp" "$debs"
	mkdir -p "$tmp/pkg" "$debs"
	# shellcheck disable=SC2086  # r_pkgs is a word list
	(cd "$debs" && apt-get "${apt_opts[@]}" -qq download $r_pkgs) ||
		die "apt-get download $r_pkgs failed"
	local deb
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$tmp/pkg"
	done
	rm -rf "$debs"

	local rel=$r_release
	[ -d "$tmp/pkg/lib/modules/$rel" ] || die "image package has no lib/modules/$rel"
	[ -f "$tmp/pkg/boot/vmlinuz-$rel" ] || die "image package has no boot/vmlinuz-$rel"
	[ -f "$tmp/pkg/usr/src/linux-headers-$rel/Makefile" ] || die "headers package has no Makefile"
	depmod -b "$tmp/pkg" "$rel" || die "depmod failed for $rel"

	echo "$rel" > "$tmp/release"
	tr ' ' '\n' <<<"$r_pkgs" > "$tmp/versions"
	ln -s "pkg/boot/vmlinuz-$rel" "$tmp/vmlinuz"
	ln -s "pkg/boot/config-$rel" "$tmp/config"
	ln -s "pkg/boot/System.map-$rel" "$tmp/System.map"
	ln -s "pkg/usr/src/linux-headers-$rel" "$tmp/headers"
	ln -s "pkg/lib/modules/$rel" "$tmp/modules"

	rm -rf "$dir.old"
	[ ! -e "$dir" ] || mv "$dir" "$dir.old"
	mv "$tmp" "$dir"
	rm -rf "$dir.old"
	fix_kernel_paths "$dir"
	say "kernel $series: $rel ready in $dir ($((SECONDS - t0)) s)"
}

# The few files of the 6.1 source tarball the project uses.
linux_source_files=(
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
	scripts/kernel-doc
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/kselftest_harness.h
)

fetch_linux_source() {
	local dir=$cache/linux-source-6.1 tarball=/usr/src/linux-source-6.1.tar.xz ver
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
	if [ -z "$ver" ] || [ ! -f "$tarball" ]; then
		die "package linux-source-6.1 is not installed: run scripts/deps.sh --check as root"
	fi
	if [ -f "$dir/.version" ] && [ "$(cat "$dir/.version")" = "$ver" ]; then
		local f ok=1
		for f in "${linux_source_files[@]}"; do [ -f "$dir/$f" ] || ok=0; done
		if [ "$ok" = 1 ]; then
			say "linux-source-6.1: up to date ($ver)"
			return 0
		fi
	fi
	local t0=$SECONDS tmp=$cache/.linux-source-6.1.new f
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xJf "$tarball" -C "$tmp" --strip-components=1 \
		"${linux_source_files[@]/#/linux-source-6.1/}"
	# Replace file by file: users of the old extract never see it missing.
	for f in "${linux_source_files[@]}"; do
		mkdir -p "$dir/$(dirname "$f")"
		mv -f "$tmp/$f" "$dir/$f"
	done
	echo "$ver" > "$dir/.version"
	rm -rf "$tmp"
	say "linux-source-6.1: extracted $ver to $dir ($((SECONDS - t0)) s)"
}

# ---------------------------------------------------------------------------

if [ "$list_only" = 1 ]; then
	# shellcheck disable=SC2086
	packages_of $sections
	exit 0
fi

start=$SECONDS
[ "$do_packages" = 0 ] || install_packages

if [ "$do_kernels" = 1 ]; then
	cache=${QACCEL_CACHE:-$HOME/.cache/qaccel}
	mkdir -p "$cache/kernels"
	cache=$(cd "$cache" && pwd -P)
	for tool in apt-get apt-cache dpkg-deb depmod tar xz; do
		command -v "$tool" >/dev/null || die "$tool not found: run scripts/deps.sh --check as root"
	done
	# One run at a time per cache.
	exec 9>"$cache/.deps.lock"
	flock 9
	setup_private_apt
	fetch_linux_source
	for s in $series_list; do
		fetch_kernel "$s"
	done
	say "kernel cache: $cache"
fi
say "done in $((SECONDS - start)) s"
