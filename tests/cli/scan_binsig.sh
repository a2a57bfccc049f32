#!/bin/bash
# Binary signatures end to end: a tree without a package database, made from
# real Debian packages (the unit test's cache, else apt-get download), must
# give pkg:generic components whose versions are the packages' upstream versions.
. "$(dirname "$0")/lib.sh"

CACHE=${TL_BINSIG_CACHE:-binsig-debs}
mkdir -p "$CACHE"
T=$TMP
mkdir -p "$T/root"
for p in dnsmasq-base lighttpd; do
	deb=$(ls "$CACHE"/${p}_*.deb 2>/dev/null | head -1)
	if [ -z "$deb" ]; then
		(cd "$CACHE" && apt-get download "$p" >/dev/null 2>&1) || { echo "SKIP: apt-get download $p failed"; exit 77; }
		deb=$(ls "$CACHE"/${p}_*.deb | head -1)
	fi
	dpkg-deb -x "$deb" "$T/root"
	v=$(dpkg-deb -f "$deb" Version); v=${v#*:}; v=${v%-*}
	echo "$p $v" >> "$T/expect"
done
expect_exit 0 "scan without a package database" "$TRUSTLINE" scan "$T/root" -o "$T/sbom.json"
while read -r p v; do
	name=${p%-base}
	got=$(jq -r --arg n "$name" '.components[] | select(.purl != null and (.purl|startswith("pkg:generic/"+$n+"@"))) | .version' "$T/sbom.json")
	if [ "$got" = "$v" ]; then ok; else not_ok "$name: got '$got', expected '$v'"; fi
done < "$T/expect"
# evidence: the file and the offset of the matched text
expect_grep "evidence offset" '"trustline:evidence:offset"' "$T/sbom.json"
expect_grep "evidence location" '"location": "/usr/sbin/dnsmasq"' "$T/sbom.json"
ajv_validate cyclonedx-1.6 "$T/sbom.json"
finish
