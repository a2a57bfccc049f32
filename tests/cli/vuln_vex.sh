#!/bin/bash
# trustline vuln --vex: VEX documents (OpenVEX written by trustline vex,
# CycloneDX VEX) applied to the findings before the report and before
# --fail-on, and the SARIF, CycloneDX VDR and HTML reports of the command
# on the hand-written SBOM tests/data/vuln/mixed.cdx.json against real
# NVD and KEV records.
. "$(dirname "$0")/lib.sh"
D=$TL_SHARED_DATA
T=$TRUSTLINE
DB=$TMP/v.db
S=$TL_TEST_DATA/vuln/mixed.cdx.json

expect_exit 0 "import" "$T" db import --db "$DB" "$D/nvd/api2/targeted-embedded" \
	"$D/kev/known_exploited_vulnerabilities.json"
# CVE-2024-1086 (kernel, in CISA KEV since 2024-05-30) affects linux 6.1.70:
# --fail-on kev fails without triage
expect_exit 1 "no VEX: --fail-on kev fails" "$T" vuln --db "$DB" --format json --fail-on kev -o "$TMP/plain.json" "$S"
f() { jq -r --arg id "$1" --arg ref "$2" ".findings[] | select(.id == \$id and .component_ref == \$ref) | $3" "$4"; }
[ "$(f CVE-2024-1086 linux-6.1.70 .vex_status "$TMP/plain.json")" = none ] && ok || not_ok "no VEX: status none"

# triage written by trustline vex with a version-less purl: it covers 6.1.70
export SOURCE_DATE_EPOCH=1700000000
expect_exit 0 "vex not_affected" "$T" vex --finding CVE-2024-1086@pkg:generic/linux \
	--status not_affected --justification vulnerable_code_not_present \
	--impact 'nf_tables is not built into this kernel' --author QA -o "$TMP/na.openvex.json"
expect_exit 0 "--vex: --fail-on kev passes" "$T" vuln --db "$DB" --format json --fail-on kev \
	--vex "$TMP/na.openvex.json" -o "$TMP/vex.json" "$S"
[ "$(f CVE-2024-1086 linux-6.1.70 '.vex_status + " " + .vex_justification + " " + (.active|tostring)' "$TMP/vex.json")" = \
  "not_affected vulnerable_code_not_present false" ] && ok || not_ok "--vex: not_affected applied"
[ "$(f CVE-2024-1086 linux-6.1.70 .vex_source "$TMP/vex.json")" = "$TMP/na.openvex.json" ] && ok || not_ok "--vex: source"
[ "$(f CVE-2024-1086 linux-6.1.70 .vex_impact "$TMP/vex.json")" = 'nf_tables is not built into this kernel' ] \
  && ok || not_ok "--vex: impact"
# other findings are untouched
[ "$(f CVE-2023-38545 curl-7.88.1 .vex_status "$TMP/vex.json")" = none ] && ok || not_ok "--vex: other findings untouched"

# a later statement wins, whatever order the files come in
export SOURCE_DATE_EPOCH=1700086400
expect_exit 0 "vex affected, a day later" "$T" vex --finding CVE-2024-1086@pkg:generic/linux@6.1.70 \
	--status affected --action 'Upgrade the kernel to 6.1.76' -o "$TMP/a.openvex.json"
unset SOURCE_DATE_EPOCH
for order in "$TMP/na.openvex.json $TMP/a.openvex.json" "$TMP/a.openvex.json $TMP/na.openvex.json"; do
	set -- $order
	expect_exit 1 "later statement wins ($order)" "$T" vuln --db "$DB" --format json --fail-on kev \
		--vex "$1" --vex "$2" -o "$TMP/two.json" "$S"
	[ "$(f CVE-2024-1086 linux-6.1.70 .vex_status "$TMP/two.json")" = affected ] && ok || not_ok "later statement wins ($order)"
done

# CycloneDX VEX: analysis resolved for the curl-7.88.1 bom-ref only
cat >"$TMP/triage.cdx.json" <<'EOF'
{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
 "vulnerabilities": [{"id": "CVE-2023-38545", "analysis": {"state": "resolved",
   "detail": "SOCKS5 support patched out"}, "affects": [{"ref": "curl-7.88.1"}]}]}
EOF
expect_exit 0 "CycloneDX VEX" "$T" vuln --db "$DB" --format json --vex "$TMP/triage.cdx.json" -o "$TMP/cdx.json" "$S"
[ "$(f CVE-2023-38545 curl-7.88.1 '.vex_status + " " + (.active|tostring)' "$TMP/cdx.json")" = "fixed false" ] \
  && ok || not_ok "CycloneDX VEX: curl-7.88.1 fixed"
[ "$(f CVE-2023-38545 curl-7.69.0 .vex_status "$TMP/cdx.json")" = none ] && ok || not_ok "CycloneDX VEX: curl-7.69.0 untouched"

# the reports of the command pass their official schemas
expect_exit 0 "sarif" "$T" vuln --db "$DB" --format sarif --vex "$TMP/na.openvex.json" -o "$TMP/r.sarif.json" "$S"
ajv_validate sarif-2.1.0 "$TMP/r.sarif.json"
[ "$(jq -r '[.runs[0].results[] | select(.ruleId == "CVE-2024-1086" and .suppressions) ] | length' "$TMP/r.sarif.json")" -ge 1 ] \
  && ok || not_ok "sarif: the VEX'd finding is suppressed"
expect_exit 0 "cyclonedx" "$T" vuln --db "$DB" --format cyclonedx --vex "$TMP/na.openvex.json" -o "$TMP/r.vdr.json" "$S"
ajv_validate cyclonedx-1.6 "$TMP/r.vdr.json"
[ "$(jq -r '[.vulnerabilities[] | select(.id == "CVE-2024-1086") | .analysis.state] | unique | join(" ")' "$TMP/r.vdr.json")" = not_affected ] \
  && ok || not_ok "VDR: analysis from VEX"
expect_exit 0 "html" "$T" vuln --db "$DB" --format html -o "$TMP/r.html" "$S"
expect_grep "html: a page" '^<!DOCTYPE html>' "$TMP/r.html"

# a bad VEX file: exit 2, one line naming the file and the JSON path
printf '{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "author": "a", "statements": [{"vulnerability": {"name": "CVE-1"}, "status": "safe"}]}' >"$TMP/bad.json"
expect_exit 2 "bad VEX" "$T" vuln --db "$DB" --vex "$TMP/bad.json" "$S"
expect_one_line "bad VEX: one line" "$TMP/err"
expect_grep "bad VEX: file and path" 'bad.json: \$.statements\[0\].status: expected' "$TMP/err"
expect_exit 2 "missing VEX" "$T" vuln --db "$DB" --vex "$TMP/none.json" "$S"
expect_one_line "missing VEX: one line" "$TMP/err"
finish
