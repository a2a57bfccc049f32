#!/bin/bash
# Builds a small, real root file system from Debian packages, as a device
# maker's build would leave it: the packages' files (dpkg-deb -x), a dpkg
# status database and info/*.list files written from the packages' own
# control data, and /etc/os-release.
#
#   tools/sample-root.sh OUT_DIR CACHE_DIR PACKAGE...
#
# Packages are fetched with `apt-get download` into CACHE_DIR (kept between
# runs).  OUT_DIR is replaced.  Exit 77 when a package cannot be had.
set -euo pipefail
out=$1 cache=$2
shift 2
mkdir -p "$cache"
for p in "$@"; do
	if ! ls "$cache/${p}"_*.deb >/dev/null 2>&1; then
		(cd "$cache" && apt-get download "$p" >/dev/null 2>&1) || true
	fi
	if ! ls "$cache/${p}"_*.deb >/dev/null 2>&1; then
		echo "sample-root: cannot download $p (apt-get download)" >&2
		exit 77
	fi
done

rm -rf "$out"
mkdir -p "$out/var/lib/dpkg/info" "$out/etc"
status="$out/var/lib/dpkg/status"
: >"$status"
for p in "$@"; do
	for deb in "$cache/${p}"_*.deb; do
		[ "$(dpkg-deb -f "$deb" Package)" = "$p" ] || continue
		dpkg-deb -x "$deb" "$out"
		# (with several field names dpkg-deb prints "Field: value" lines)
		{ dpkg-deb -f "$deb" Package Version Architecture Maintainer Source Depends Pre-Depends Provides Multi-Arch
		  echo "Status: install ok installed"
		  echo; } >>"$status"
		dpkg-deb -c "$deb" | awk '{ $1=$2=$3=$4=$5=""; sub(/^ +/, ""); sub(/^\./, "");
			sub(/ -> .*/, ""); sub(/ link to .*/, ""); sub(/\/$/, ""); if ($0 != "") print }' \
			>"$out/var/lib/dpkg/info/$p.list"
	done
done
. /etc/os-release 2>/dev/null || true
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n' \
	>"$out/etc/os-release"
