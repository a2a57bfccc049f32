#!/bin/bash
# trustline vuln: the command end to end on a hand-written SBOM
# (tests/data/vuln/mixed.cdx.json) against real records of the shared
# data.  Expectations are read off the records (quoted beside each check);
# --fail-on exit codes; JSON fields checked with jq; usage errors exit 2.
. "$(dirname "$0")/lib.sh"
D="$TL_SHARED_DATA"
T="$TRUSTLINE"
DB="$TMP/v.db"
S="$TL_TEST_DATA/vuln/mixed.cdx.json"

if ! command -v jq >/dev/null; then not_ok "jq is needed (deps/debian.txt)"; finish; exit 1; fi

expect_exit 0 "import" "$T" db import --db "$DB" "$D/nvd/api2/targeted-embedded" "$D/nvd/legacy-1.1" \
	"$D/osv/distro-samples" "$D/osv/ubuntu-samples" "$D/osv/almalinux-selected/almalinux9" \
	"$D/osv/bitnami-c-components/sqlite" "$D/osv/oss-fuzz-vulns/curl" "$D/alpine-secdb/v3.11" \
	"$D/alpine-secdb/v3.8" "$D/osv/schema-examples/osv-linter/CVE-2018-5407.json" \
	"$D/kev/known_exploited_vulnerabilities.json"

# ---- JSON report: facts from the records --------------------------------
expect_exit 1 "vuln json, --fail-on high" "$T" vuln --db "$DB" --format json --fail-on high -o "$TMP/r.json" "$S"
expect_grep "summary on stderr" 'findings .* active.*--fail-on high: FAILED' "$TMP/err"
J="$TMP/r.json"
has() { # has DESC JQ-FILTER: the filter yields true
	if [ "$(jq -r "$2" "$J")" = true ]; then ok; else not_ok "$1: $2"; fi
}
f() { echo ".findings | map(select(.id == \"$1\" and .component_ref == \"$2\"))"; }
# CVE-2023-38545: libcurl versionStartIncluding 7.69.0, versionEndExcluding 8.4.0
has "curl 7.88.1 vulnerable" "$(f CVE-2023-38545 curl-7.88.1) | length == 1 and .[0].fixed_version == \"8.4.0\" and .[0].source == \"nvd\""
has "curl 7.69.0 (start, including)" "$(f CVE-2023-38545 curl-7.69.0) | length == 1"
has "curl 8.4.0 (end, excluding)" "$(f CVE-2023-38545 curl-8.4.0) | length == 0"
has "curl 7.68.0 (below start)" "$(f CVE-2023-38545 curl-7.68.0) | length == 0"
# CVE-2016-7406: dropbear versionEndIncluding 2016.73
has "dropbear 2016.73" "$(f CVE-2016-7406 dropbear-2016.73) | length == 1"
has "dropbear 2016.74" "$(f CVE-2016-7406 dropbear-2016.74) | length == 0"
# CVE-2024-1086 is in KEV (dateAdded 2024-05-30); fixed 6.1.76
has "kernel KEV" "$(f CVE-2024-1086 linux-6.1.70) | .[0].kev == true and .[0].kev_date_added == \"2024-05-30\""
has "kernel 6.1.76" "$(f CVE-2024-1086 linux-6.1.76) | length == 0"
# CVE-2020-13595: esp-idf AND platform esp32 (the SBOM's metadata.component)
has "AND platform" "$(f CVE-2020-13595 esp-idf-4.1) | length == 1"
# DSA-3029-1: Debian:7 nginx fixed 1.2.1-2.2+wheezy3
has "deb epoch 0" "$(f CVE-2014-3616 nginx-0:1.2.1-2.2+wheezy2) | length == 1 and .[0].record == \"DSA-3029-1\""
has "deb epoch 1" "$(f CVE-2014-3616 nginx-1:1.2.1-2.2+wheezy2) | length == 0"
has "deb fixed" "$(f CVE-2014-3616 nginx-1.2.1-2.2+wheezy3) | length == 0"
has "changelog patched" "$(f CVE-2014-3616 nginx-full) | .[0].patched == true and .[0].active == false"
has "changelog too late" "$(f CVE-2014-3616 nginx-light) | .[0].patched == false"
# ALSA-2022:4940 xz-libs fixed 5.2.5-8.el9_0
has "alma" "$(f ALSA-2022:4940 xz-libs-5.2.5-7.el9) | length == 1"
has "alma fixed" "$(f ALSA-2022:4940 xz-libs-5.2.5-8.el9_0) | length == 0"
# secdb v3.11 ansible 2.9.3-r0: CVE-2019-14904
has "alpine" "$(f CVE-2019-14904 ansible-2.9.2-r0) | length == 1 and .[0].source == \"alpine\""
has "alpine fixed" "$(f CVE-2019-14904 ansible-2.9.3-r0) | length == 0"
# CVE-2018-5407: Alpine:v3.8 OSV record (osv-linter example) and secdb v3.8 (origin openssl): one finding
has "alpine merged" "$(f CVE-2018-5407 openssl-apk) | length == 1 and (.[0].evidence | test(\"also matched by alpine CVE-2018-5407\"))"
# BIT-sqlite-2022-35737 + NVD CVE-2022-35737: one finding, alias listed
has "aliases merged" "$(f CVE-2022-35737 sqlite-3.39.1) | length == 1 and .[0].aliases == [\"BIT-sqlite-2022-35737\"]"
has "sqlite 3.39.2" "$(f CVE-2022-35737 sqlite-3.39.2) | length == 0"
# OSV-2017-79 (OSS-Fuzz curl) lists curl-7_71_1
has "oss-fuzz tag" "$(f OSV-2017-79 curl-7.71.1) | length == 1"
has "rhel not mapped" "[.findings[] | select(.component_ref == \"openssl-rhel\")] | length == 0"
expect_grep "warning for the rhel distro" 'pkg:rpm distro=rhel-9.2: no vulnerability ecosystem' "$TMP/err"
expect_grep "warning for Debian:12" 'no records for ecosystem Debian:12' "$TMP/err"
has "every finding has evidence" "[.findings[] | select(.evidence == null)] | length == 0"

# ---- --fail-on ----------------------------------------------------------
expect_exit 1 "--fail-on critical" "$T" vuln --db "$DB" --fail-on critical "$S"
expect_exit 1 "--fail-on kev" "$T" vuln --db "$DB" --fail-on kev "$S"
expect_exit 0 "no --fail-on" "$T" vuln --db "$DB" "$S"
expect_grep "table header" '^ID +SEVERITY +CVSS +KEV +COMPONENT +VERSION +FIXED +STATUS$' "$TMP/out"
expect_grep "table summary" '^[0-9]+ active findings \(critical [0-9]+, high' "$TMP/out"
# only the changelog-patched nginx-full finding: not active, so no failure
cat >"$TMP/patched.cdx.json" <<'J'
{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [
 {"type": "library", "bom-ref": "n", "name": "nginx", "version": "1.2.1-2.2+wheezy1",
  "purl": "pkg:deb/debian/nginx@1.2.1-2.2%2Bwheezy1?distro=debian-7",
  "properties": [{"name": "trustline:debian:changelog-cves", "value": "CVE-2014-3616=1.2.1-2.2+wheezy1"}]}]}
J
expect_exit 0 "patched finding does not fail --fail-on low" "$T" vuln --db "$DB" --fail-on low "$TMP/patched.cdx.json"
expect_grep "patched status" 'CVE-2014-3616 .* patched$' "$TMP/out"
sed 's/wheezy1"}]}]}/wheezy3"}]}]}/' "$TMP/patched.cdx.json" >"$TMP/unpatched.cdx.json"
expect_exit 1 "unpatched finding fails --fail-on low" "$T" vuln --db "$DB" --fail-on low "$TMP/unpatched.cdx.json"
expect_exit 0 "below --fail-on" "$T" vuln --db "$DB" --fail-on kev "$TMP/unpatched.cdx.json"

# ---- errors -------------------------------------------------------------
expect_exit 2 "--vex file missing" "$T" vuln --db "$DB" --vex "$TMP/x.json" "$S"
expect_one_line "--vex file missing: one line" "$TMP/err"
expect_exit 2 "bad format" "$T" vuln --db "$DB" --format xml "$S"
expect_exit 2 "bad --fail-on" "$T" vuln --db "$DB" --fail-on severe "$S"
expect_exit 2 "--fail-on without value" "$T" vuln --db "$DB" "$S" --fail-on
expect_exit 2 "no SBOM" "$T" vuln --db "$DB"
expect_exit 2 "missing SBOM" "$T" vuln --db "$DB" "$TMP/nope.json"
echo '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": 5}]}' >"$TMP/bad.json"
expect_exit 2 "bad SBOM" "$T" vuln --db "$DB" "$TMP/bad.json"
expect_one_line "bad SBOM one line" "$TMP/err"
expect_exit 0 "help" "$T" vuln --help
finish
