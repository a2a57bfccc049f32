#!/bin/bash
# The SARIF 2.1.0, CycloneDX 1.6 VDR and HTML vulnerability reports
# (src/vuln/report_*.c), written by tests/report_sample from findings built
# out of real NVD, KEV and OSV records: each passes its official schema
# under ajv, says what the records say, and the HTML page renders in
# headless Chromium to a picture that is not blank and loads nothing.
. "$(dirname "$0")/lib.sh"
: "${TL_REPORT_SAMPLE:?}"
export SOURCE_DATE_EPOCH=1700000000
D=$TL_SHARED_DATA
NVD=$D/nvd/api2/targeted-embedded
KEV=$D/kev/known_exploited_vulnerabilities.json

expect_exit 0 "sample SARIF" "$TL_REPORT_SAMPLE" sarif "$TMP/r.sarif.json" "$TMP/sbom.cdx.json"
expect_exit 0 "sample VDR" "$TL_REPORT_SAMPLE" cyclonedx "$TMP/r.vdr.json"
expect_exit 0 "sample HTML" "$TL_REPORT_SAMPLE" html "$TMP/r.html"

# ---- SARIF ------------------------------------------------------------------
ajv_validate sarif-2.1.0 "$TMP/r.sarif.json"
# the validator can fail: a level SARIF does not have
jq '.runs[0].results[0].level = "severe"' "$TMP/r.sarif.json" >"$TMP/bad.sarif.json"
if [ -n "${TL_AJV:-}" ]; then
	if node "$TL_SOURCE_ROOT/tests/cli/ajv_draft04.js" "$(dirname "$(dirname "$TL_AJV")")" \
		"$TL_SCHEMA_DIR/sarif-schema-2.1.0.json" "$TMP/bad.sarif.json" >/dev/null 2>&1; then
		not_ok "ajv accepted a SARIF result with level \"severe\""; else ok; fi
fi
q() { jq -r "$1" "$2"; }
# one rule per vulnerability, sorted
[ "$(q '[.runs[0].tool.driver.rules[].id] | join(" ")' "$TMP/r.sarif.json")" = \
  "CVE-2022-3602 CVE-2022-48174 CVE-2023-38545 CVE-2024-1086" ] && ok || not_ok "SARIF rules"
# security-severity is the NVD record's CVSS v3.1 base score
for cve in CVE-2022-48174 CVE-2023-38545 CVE-2024-1086 CVE-2022-3602; do
	want=$(jq -r '[.cve // . | .metrics.cvssMetricV31[] | select(.type == "Primary") | .cvssData.baseScore][0]' "$NVD/$cve.json")
	got=$(jq -r --arg id "$cve" '.runs[0].tool.driver.rules[] | select(.id == $id) | .properties["security-severity"]' "$TMP/r.sarif.json")
	[ "$(printf '%.1f' "$want")" = "$got" ] && ok || not_ok "$cve security-severity $got, NVD says $want"
done
# levels: 9.8 and 7.x are error (critical, high)
[ "$(q '[.runs[0].results[].level] | unique | join(" ")' "$TMP/r.sarif.json")" = "error" ] && ok || not_ok "SARIF levels"
# suppressed: the VEX not_affected one and the patched one, nothing else
[ "$(q '[.runs[0].results[] | select(.suppressions) | .ruleId] | sort | join(" ")' "$TMP/r.sarif.json")" = \
  "CVE-2022-3602 CVE-2023-38545" ] && ok || not_ok "SARIF suppressions"
expect_grep "suppression says VEX and why" 'VEX not_affected \(vulnerable_code_not_in_execute_path\)' "$TMP/r.sarif.json"
# the location is the component's file in the image (the SBOM's evidence)
[ "$(q '.runs[0].results[] | select(.ruleId == "CVE-2022-48174") | .locations[0].physicalLocation.artifactLocation.uri' "$TMP/r.sarif.json")" = \
  "bin/busybox" ] && ok || not_ok "SARIF location of busybox"
# KEV dates are CISA's
want=$(jq -r '.vulnerabilities[] | select(.cveID == "CVE-2024-1086") | .dateAdded' "$KEV")
[ "$(q '.runs[0].results[] | select(.ruleId == "CVE-2024-1086") | .properties.kevDateAdded' "$TMP/r.sarif.json")" = "$want" ] \
  && ok || not_ok "SARIF KEV date (want $want)"
# fixed version: the end of the NVD range holding 6.1.0
[ "$(q '.runs[0].results[] | select(.ruleId == "CVE-2024-1086") | .properties.fixedVersion' "$TMP/r.sarif.json")" = "6.1.76" ] \
  && ok || not_ok "SARIF fixed version of CVE-2024-1086"
"$TL_REPORT_SAMPLE" sarif "$TMP/r2.sarif.json"
cmp -s "$TMP/r.sarif.json" "$TMP/r2.sarif.json" && ok || not_ok "SARIF is not the same bytes twice"

# ---- CycloneDX 1.6 VDR ------------------------------------------------------
ajv_validate cyclonedx-1.6 "$TMP/r.vdr.json"
"$TRUSTLINE" sbom validate "$TMP/r.vdr.json" >"$TMP/out" 2>&1 && ok || not_ok "trustline sbom validate rejects the VDR"
[ "$(q '[.components[]."bom-ref"] | sort | join(" ")' "$TMP/r.vdr.json")" = \
  "$(q '[.components[]."bom-ref"] | sort | join(" ")' "$TMP/sbom.cdx.json")" ] && ok || not_ok "VDR components are the SBOM's"
[ "$(q '.vulnerabilities | length' "$TMP/r.vdr.json")" = 4 ] && ok || not_ok "VDR: 4 vulnerabilities"
v() { jq -r --arg id "$1" ".vulnerabilities[] | select(.id == \$id) | $2" "$TMP/r.vdr.json"; }
want=$(jq -r '.cve // . | .metrics.cvssMetricV31[] | select(.type == "Primary") | .cvssData.vectorString' "$NVD/CVE-2023-38545.json")
[ "$(v CVE-2023-38545 '.ratings[0].vector')" = "$want" ] && ok || not_ok "VDR vector is NVD's"
[ "$(v CVE-2023-38545 '.ratings[0].method')" = CVSSv31 ] && ok || not_ok "VDR rating method"
[ "$(v CVE-2023-38545 '.analysis.state + " " + .analysis.justification')" = "not_affected code_not_reachable" ] \
  && ok || not_ok "VDR analysis from VEX"
[ "$(v CVE-2022-3602 '.analysis.state')" = resolved ] && ok || not_ok "VDR: patched is resolved"
[ "$(v CVE-2023-38545 '.affects[0].ref')" = curl ] && ok || not_ok "VDR affects the curl bom-ref"
[ "$(v CVE-2022-48174 '[.references[].id] | join(" ")')" = UBUNTU-CVE-2022-48174 ] && ok || not_ok "VDR references: the OSV alias"
[ "$(v CVE-2024-1086 '.properties[] | select(.name == "trustline:kev") | .value')" = true ] && ok || not_ok "VDR KEV property"
# the validator can fail: an analysis state CycloneDX does not have
jq '.vulnerabilities[0].analysis = {"state": "fine"}' "$TMP/r.vdr.json" >"$TMP/bad.vdr.json"
if [ -n "${TL_AJV:-}" ]; then
	s=$TL_SCHEMA_DIR
	if "$TL_AJV" validate --spec=draft7 -c ajv-formats --strict=false -s "$s/bom-1.6.schema.json" \
		-r "$s/spdx.schema.json" -r "$s/jsf-0.82.schema.json" -d "$TMP/bad.vdr.json" >/dev/null 2>&1; then
		not_ok "ajv accepted a VDR with analysis.state \"fine\""; else ok; fi
fi

# ---- HTML -------------------------------------------------------------------
H=$TMP/r.html
# self-contained: nothing that makes a browser fetch
for pat in '<script' '<link' '<img' '<iframe' '<object' '<embed' '@import' 'url\(' \
	'(src|href|action|srcset|poster|data)[[:space:]]*=[[:space:]]*["'"'"']?[[:space:]]*([a-z]+:)?//'; do
	if grep -Eiq "$pat" "$H"; then not_ok "HTML has /$pat/"; grep -Eio ".{0,40}$pat.{0,40}" "$H" | head -3; else ok; fi
done
expect_grep "HTML: a CSP that forbids loading" "default-src 'none'" "$H"
expect_grep "HTML: inline SVG chart" '<svg width="[0-9]+"' "$H"
# escaping: NVD's summary of CVE-2023-38545 quotes "let the host resolve the name"
expect_grep "HTML escapes quotes" '&quot;let the host resolve the name&quot;' "$H"
if grep -q '"let the host resolve' "$H"; then not_ok "HTML has an unescaped quote from the summary"; else ok; fi
expect_grep "HTML: KEV date" "since $(jq -r '.vulnerabilities[] | select(.cveID == "CVE-2024-1086") | .dateAdded' "$KEV")" "$H"

# render it: headless Chromium, then look at the pixels
render() { # render HTMLFILE PNG
	timeout 120 chromium --headless --disable-gpu --no-sandbox --no-first-run --hide-scrollbars \
		--user-data-dir="$TMP/chromium" --window-size=1000,700 --screenshot="$2" "file://$1" \
		>"$TMP/chromium.log" 2>&1
}
if ! command -v chromium >/dev/null 2>&1; then
	not_ok "chromium is not installed (script/bootstrap installs it from deps/debian.txt)"
else
	if render "$H" "$TMP/r.png" && [ -s "$TMP/r.png" ]; then ok; else
		not_ok "chromium did not render the report"; tail -5 "$TMP/chromium.log"; fi
	# a blank page, to show the check below tells the difference
	printf '<!DOCTYPE html><html><body></body></html>\n' >"$TMP/blank.html"
	render "$TMP/blank.html" "$TMP/blank.png"
	# the chart's colours: critical and high bars, suppressed segments
	python3 "$TL_SOURCE_ROOT/tests/cli/png_stats.py" "$TMP/r.png" b71c1c e65100 cfd8dc >"$TMP/png" 2>&1
	python3 "$TL_SOURCE_ROOT/tests/cli/png_stats.py" "$TMP/blank.png" >"$TMP/blankpng" 2>&1
	echo "screenshot: $(tr '\n' ' ' <"$TMP/png")"
	nonwhite=$(sed -n 's/.* nonwhite=\([0-9.]*\).*/\1/p' "$TMP/png")
	distinct=$(sed -n 's/.* distinct=\([0-9]*\).*/\1/p' "$TMP/png")
	blank=$(sed -n 's/.* nonwhite=\([0-9.]*\).*/\1/p' "$TMP/blankpng")
	awk -v n="${nonwhite:-0}" 'BEGIN { exit !(n > 5) }' && ok || not_ok "screenshot is blank (nonwhite ${nonwhite:-?}%)"
	[ "${distinct:-0}" -gt 20 ] && ok || not_ok "screenshot has ${distinct:-?} colours"
	awk -v n="${blank:-100}" 'BEGIN { exit !(n < 1) }' && ok || not_ok "the blank page is not blank to the check (${blank:-?}%)"
	for c in b71c1c e65100 cfd8dc; do
		cnt=$(sed -n "s/^$c=//p" "$TMP/png")
		[ "${cnt:-0}" -gt 500 ] && ok || not_ok "chart colour #$c: ${cnt:-0} pixels"
	done
fi
finish
