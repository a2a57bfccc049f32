#!/bin/bash
# trustline scan: Debian changelog patch evidence and dpkg md5sums, on a tree
# made here from real Debian packages (apt-get download, cached next to the
# build): curl, gcc-12-base and libgcc-s1 (whose usr/share/doc/libgcc-s1 is
# a link to gcc-12-base, as Debian ships it).  The status file, info/*.list
# and info/*.md5sums come from the packages' own control data (dpkg-deb).
# Expected values are derived here from the real changelogs with zcat and
# awk, not from trustline.
. "$(dirname "$0")/lib.sh"

CACHE=${TL_SCAN_CACHE:-$(dirname "$TRUSTLINE")/scan-test-cache}
PKGS="curl gcc-12-base libgcc-s1"
mkdir -p "$CACHE"
for p in $PKGS; do
	ls "$CACHE/${p}"_*.deb >/dev/null 2>&1 || (cd "$CACHE" && apt-get download "$p" >/dev/null 2>&1)
	if ! ls "$CACHE/${p}"_*.deb >/dev/null 2>&1; then
		echo "SKIP: cannot download $p (no network or apt sources)"
		exit 77
	fi
done

R=$TMP/root
mkdir -p "$R/var/lib/dpkg/info" "$R/etc"
: >"$TMP/status"
for p in $PKGS; do
	deb=$(ls "$CACHE/${p}"_*.deb | tail -1)
	dpkg-deb -x "$deb" "$R"
	{ dpkg-deb -f "$deb" Package Version Architecture Maintainer Source Depends Pre-Depends
	  echo "Status: install ok installed"; echo; } >>"$TMP/status"
	dpkg-deb -c "$deb" | awk '{ $1=$2=$3=$4=$5=""; sub(/^ +/, ""); sub(/^\./, ""); sub(/ -> .*/, ""); sub(/\/$/, ""); if ($0 != "") print }' \
		>"$R/var/lib/dpkg/info/$p.list"
	rm -rf "$TMP/ctrl" && dpkg-deb -e "$deb" "$TMP/ctrl"
	[ -f "$TMP/ctrl/md5sums" ] && cp "$TMP/ctrl/md5sums" "$R/var/lib/dpkg/info/$p.md5sums"
done
cp "$TMP/status" "$R/var/lib/dpkg/status"
printf 'ID=debian\nVERSION_ID=12\n' >"$R/etc/os-release"

# the oldest changelog entry naming an id: the last header seen before its last mention
oldest() {
	zcat "$1" | awk -v id="$2" '
		/^[a-z0-9][a-z0-9+.-]* \([^)]*\) .*;/ { v = $2; gsub(/[()]/, "", v) }
		/^Old Changelog:/ { exit }
		/^[ \t]/ && index($0, id) { last = v }
		END { print last }'
}
ids() {
	zcat "$1" | awk '/^Old Changelog:/ { exit } /^[ \t]/' |
		grep -oE '(^|[^A-Za-z0-9])CVE-[0-9]{4}-[0-9]{4,9}($|[^A-Za-z0-9])' | grep -oE 'CVE-[0-9]{4}-[0-9]+' | sort -u
}
prop() { # component name, property name
	jq -r --arg n "$1" --arg p "$2" '.components[] | select(.name == $n) | (.properties // [])[] | select(.name == $p) | .value' "$3"
}

expect_exit 0 "scan the tree" "$TRUSTLINE" scan "$R" -o "$TMP/a.json"
ajv_validate cyclonedx-1.6 "$TMP/a.json"
cl=$R/usr/share/doc/curl/changelog.Debian.gz
want=$(oldest "$cl" CVE-2023-38545)
[ -n "$want" ] || { not_ok "curl's changelog names CVE-2023-38545 (the test's premise)"; finish; }
prop curl trustline:debian:changelog-cves "$TMP/a.json" | tr ' ' '\n' >"$TMP/curl.cves"
expect_grep "curl: CVE-2023-38545 at its oldest entry ($want)" "^CVE-2023-38545=${want//+/\\+}\$" "$TMP/curl.cves"
# bookworm's curl: the SOCKS5 heap overflow was fixed in 7.88.1-10+deb12u4 (DSA-5523-1)
case "$(dpkg-deb -f "$(ls "$CACHE"/curl_*.deb | tail -1)" Version)" in
7.88.1-10+deb12u*) expect_grep "curl: CVE-2023-38545=7.88.1-10+deb12u4 (DSA-5523-1)" '^CVE-2023-38545=7\.88\.1-10\+deb12u4$' "$TMP/curl.cves" ;;
esac
ids "$cl" >"$TMP/curl.want"
cut -d= -f1 "$TMP/curl.cves" >"$TMP/curl.got"
if cmp -s "$TMP/curl.want" "$TMP/curl.got"; then ok; else not_ok "curl: ids differ from grep's"; diff "$TMP/curl.want" "$TMP/curl.got" | head -5; fi
if sort -c "$TMP/curl.got" 2>/dev/null; then ok; else not_ok "ids not sorted"; fi
# every id at the version awk finds
bad=0
while IFS== read -r id v; do [ "$(oldest "$cl" "$id")" = "$v" ] || { bad=1; echo "  $id=$v, awk: $(oldest "$cl" "$id")"; }; done <"$TMP/curl.cves"
if [ $bad = 0 ]; then ok; else not_ok "curl: a version differs from the oldest entry"; fi
# libgcc-s1's doc directory links to gcc-12-base: the same evidence through the link
if [ -L "$R/usr/share/doc/libgcc-s1" ]; then
	a=$(prop gcc-12-base trustline:debian:changelog-cves "$TMP/a.json")
	b=$(prop libgcc-s1 trustline:debian:changelog-cves "$TMP/a.json")
	g=$(ids "$R/usr/share/doc/gcc-12-base/changelog.Debian.gz" | head -1)
	if [ -n "$g" ]; then
		if [ -n "$b" ] && [ "$a" = "$b" ]; then ok; else not_ok "libgcc-s1: changelog through the doc link ('$b' vs '$a')"; fi
	fi
fi
expect_grep "summary counts the packages with changelog ids" 'packages name fixed CVE ids' "$TMP/err"
if grep -q 'md5sums:' "$TMP/err"; then not_ok "md5sums checked without --verify-md5sums"; else ok; fi

# md5sums: intact, then one file modified and one removed
n=$(cat "$R"/var/lib/dpkg/info/*.md5sums | grep -c .)
expect_exit 0 "--verify-md5sums, intact" "$TRUSTLINE" scan "$R" --verify-md5sums -o "$TMP/b.json"
expect_grep "all $n listed files match" "md5sums: $n package files checked, 0 modified, 0 missing" "$TMP/err"
printf 'x' >>"$R/usr/bin/curl"
rm "$R/usr/share/doc/curl/copyright"
expect_exit 0 "--verify-md5sums, modified" "$TRUSTLINE" scan "$R" --verify-md5sums -o "$TMP/c.json"
expect_grep "one modified, one missing" "md5sums: $((n - 1)) package files checked, 1 modified, 1 missing" "$TMP/err"
expect_grep "summary names the modified file" 'modified: /usr/bin/curl$' "$TMP/err"
[ "$(prop curl trustline:file:modified "$TMP/c.json")" = /usr/bin/curl ] && ok || not_ok "curl: trustline:file:modified /usr/bin/curl"
[ "$(prop curl trustline:file:missing "$TMP/c.json")" = /usr/share/doc/curl/copyright ] && ok || not_ok "curl: trustline:file:missing"
# the same from a tar.gz
tar -C "$R" -czf "$TMP/r.tgz" .
expect_exit 0 "--verify-md5sums on a tar.gz" "$TRUSTLINE" scan "$TMP/r.tgz" --verify-md5sums -o "$TMP/d.json"
expect_grep "tar.gz: one modified, one missing" "md5sums: $((n - 1)) package files checked, 1 modified, 1 missing" "$TMP/err"
# a corrupt changelog is a warning, not a failure
printf '\037\213garbage' >"$R/usr/share/doc/curl/changelog.Debian.gz"
expect_exit 0 "corrupt changelog" "$TRUSTLINE" -v scan "$R" -o "$TMP/e.json"
expect_grep "corrupt changelog reported" 'changelog.Debian.gz: gzip' "$TMP/err"
finish
