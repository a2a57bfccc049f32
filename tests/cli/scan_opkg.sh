#!/bin/bash
# trustline scan on an OpenWrt-style tree: the opkg status file of
# tests/data/opkg/status (opkg's own format), info/<pkg>.list files with the
# absolute paths opkg writes, and OpenWrt's os-release.  Packages, purls,
# ownership and the Depends edge are checked, and the same tree as a tar.gz.
. "$(dirname "$0")/lib.sh"

R=$TMP/root
mkdir -p "$R/usr/lib/opkg/info" "$R/etc/config" "$R/bin" "$R/usr/sbin" "$R/lib"
cp "$TL_TEST_DATA/opkg/status" "$R/usr/lib/opkg/status"
printf 'NAME="OpenWrt"\nVERSION="23.05.3"\nID="openwrt"\nID_LIKE="lede openwrt"\nPRETTY_NAME="OpenWrt 23.05.3"\nVERSION_ID="23.05.3"\n' \
	>"$R/usr/lib/os-release"
ln -s ../usr/lib/os-release "$R/etc/os-release"
printf 'busybox\n' >"$R/bin/busybox"
printf 'dropbear\n' >"$R/usr/sbin/dropbear"
printf 'cfg\n' >"$R/etc/config/dropbear"
printf 'musl\n' >"$R/lib/libc.so"
printf '/bin/busybox\n' >"$R/usr/lib/opkg/info/busybox.list"
printf '/usr/sbin/dropbear\n/etc/config/dropbear\n' >"$R/usr/lib/opkg/info/dropbear.list"
printf '/lib/libc.so\n' >"$R/usr/lib/opkg/info/libc.list"

check() { # json
	jq -r '.components[] | select(.purl // "" | startswith("pkg:opkg/")) | .purl' "$1" | sort >"$TMP/purls"
	printf '%s\n' \
		'pkg:opkg/openwrt/busybox@1.36.1-1?arch=x86_64&distro=openwrt-23.05.3' \
		'pkg:opkg/openwrt/dropbear@2022.82-6?arch=x86_64&distro=openwrt-23.05.3' \
		'pkg:opkg/openwrt/libc@1.2.4-4?arch=x86_64&distro=openwrt-23.05.3' | sort >"$TMP/want"
	if cmp -s "$TMP/purls" "$TMP/want"; then ok; else not_ok "opkg purls"; diff "$TMP/want" "$TMP/purls"; fi
	jq -r '.components[] | select(.name == "dropbear") | .evidence.occurrences[].location' "$1" | sort | tr '\n' ' ' >"$TMP/files"
	expect_grep "dropbear owns its listed files" '^/etc/config/dropbear /usr/sbin/dropbear $' "$TMP/files"
	jq -r '.dependencies[] | .ref + " " + (.dependsOn // [] | join(" "))' "$1" >"$TMP/deps"
	expect_grep "busybox depends on libc" '^pkg:opkg/openwrt/busybox@[^ ]* pkg:opkg/openwrt/libc@' "$TMP/deps"
	if grep -q luci-app-firewall "$1"; then not_ok "an unpacked package is reported"; else ok; fi
}
expect_exit 0 "scan the OpenWrt tree" "$TRUSTLINE" scan "$R" -o "$TMP/a.json"
expect_grep "summary counts 3 opkg packages" 'components: 0 dpkg, 0 apk, 3 opkg' "$TMP/err"
expect_grep "distribution from os-release" 'distribution openwrt-23.05.3' "$TMP/err"
ajv_validate cyclonedx-1.6 "$TMP/a.json"
check "$TMP/a.json"
tar -C "$R" -czf "$TMP/r.tgz" .
expect_exit 0 "scan it as a tar.gz" "$TRUSTLINE" scan "$TMP/r.tgz" -o "$TMP/b.json"
check "$TMP/b.json"
finish
