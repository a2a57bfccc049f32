#!/bin/bash
# trustline sbom check: minimum elements (NTIA, CISA 2025, BSI TR-03183-2)
# on hand-written gateway firmware SBOMs and the official CycloneDX example.
. "$(dirname "$0")/lib.sh"
D=$TL_TEST_DATA/ops
OSSH='component "openssh-server" 1:9\.2p1-2\+deb12u5 \(pkg:deb/debian/openssh-server@1:9\.2p1-2\+deb12u5\?arch=amd64&distro=debian-12\)'

expect_exit 0 "check --help" "$TRUSTLINE" sbom check --help
expect_grep "check --help: usage first" '^usage: trustline sbom check ' <(head -1 "$TMP/out")

# release 1.0 is complete for every profile
for p in ntia cisa-2025 bsi-tr-03183; do
	expect_exit 0 "gateway-1.0 --profile $p" "$TRUSTLINE" sbom check "$D/gateway-1.0.cdx.json" --profile "$p"
	expect_one_line "gateway-1.0 $p: only the summary" "$TMP/out"
	expect_grep "gateway-1.0 $p: summary" "^$p: all minimum elements present \(7 components\)$" "$TMP/out"
done

# release 1.1: openssh-server was added by hand, without supplier or hash
expect_exit 1 "gateway-1.1 ntia" "$TRUSTLINE" sbom check "$D/gateway-1.1.cdx.json" --profile ntia
expect_grep "ntia: openssh-server supplier" "^$OSSH: missing supplier$" "$TMP/out"
expect_grep "ntia: one missing" '^ntia: 1 missing element \(1 of 7 components incomplete\)$' "$TMP/out"
[ "$(wc -l <"$TMP/out")" -eq 2 ] && ok || not_ok "ntia: two lines expected"

expect_exit 1 "gateway-1.1 cisa-2025" "$TRUSTLINE" sbom check "$D/gateway-1.1.cdx.json" --profile cisa-2025
expect_grep "cisa: supplier" "^$OSSH: missing supplier$" "$TMP/out"
expect_grep "cisa: hash" "^$OSSH: missing hash$" "$TMP/out"
expect_grep "cisa: two missing" '^cisa-2025: 2 missing elements' "$TMP/out"

expect_exit 1 "gateway-1.1 bsi" "$TRUSTLINE" sbom check "$D/gateway-1.1.cdx.json" --profile=bsi-tr-03183
expect_grep "bsi: creator" "^$OSSH: missing creator \(supplier or author\)$" "$TMP/out"
expect_grep "bsi: sha-512" "^$OSSH: missing SHA-512 hash$" "$TMP/out"
expect_grep "bsi: two missing" '^bsi-tr-03183: 2 missing elements' "$TMP/out"

# --json: the same findings, machine-readable
expect_exit 1 "gateway-1.1 ntia --json" "$TRUSTLINE" sbom check "$D/gateway-1.1.cdx.json" --profile ntia --json
expect_grep "json: missing count" '"missing": 1,' "$TMP/out"
expect_grep "json: profile" '"profile": "ntia"' "$TMP/out"
expect_grep "json: finding" 'openssh-server.*missing supplier' "$TMP/out"

# a bare document: no timestamp, no author or tool, no graph, a version missing
expect_exit 1 "bare ntia" "$TRUSTLINE" sbom check "$D/bare.cdx.json" --profile ntia
expect_grep "bare: author" '^document: missing author of SBOM data$' "$TMP/out"
expect_grep "bare: timestamp" '^document: missing timestamp$' "$TMP/out"
expect_grep "bare: relationship" '^document: missing dependency relationship \(no primary component\)$' "$TMP/out"
expect_grep "bare: busybox version" '^component "busybox" \(cpe:2\.3:a:busybox:busybox:\*:\*:\*:\*:\*:\*:\*:\*\): missing version$' "$TMP/out"
expect_grep "bare: 4 missing" '^ntia: 4 missing elements' "$TMP/out"

# The official CycloneDX 1.6 example: the subject (a SWID tag, no purl/CPE)
# has no identifier and no dependencies; tomcat-catalina (publisher only)
# and myframework (author only) have no supplier.
V=$TL_SHARED_DATA/cyclonedx/test-boms/1.6/valid-bom-1.6.json
expect_exit 1 "valid-bom-1.6 ntia" "$TRUSTLINE" sbom check "$V" --profile ntia
expect_grep "valid-bom: relationship" '^document: missing dependency relationship of the primary component$' "$TMP/out"
expect_grep "valid-bom: subject identifier" '^primary component "Acme Application" 9\.1\.1.*: missing unique identifier \(purl or CPE\)$' "$TMP/out"
expect_grep "valid-bom: myframework supplier" '^component "myframework" 1\.0\.0 .*: missing supplier$' "$TMP/out"
if grep -q 'mylibrary' "$TMP/out"; then not_ok "valid-bom: mylibrary is complete for ntia"; else ok; fi
if grep -q 'timestamp\|author of SBOM' "$TMP/out"; then not_ok "valid-bom: has timestamp and authors"; else ok; fi
expect_exit 1 "valid-bom-1.6 cisa" "$TRUSTLINE" sbom check "$V" --profile cisa-2025
expect_grep "valid-bom cisa: no lifecycle" '^document: missing generation context$' "$TMP/out"

# usage and input errors: exit 2, one line
expect_exit 2 "no profile" "$TRUSTLINE" sbom check "$D/gateway-1.0.cdx.json"
expect_one_line "no profile: one line" "$TMP/err"
expect_exit 2 "unknown profile" "$TRUSTLINE" sbom check "$D/gateway-1.0.cdx.json" --profile ntia-2099
expect_one_line "unknown profile: one line" "$TMP/err"
expect_exit 2 "no file" "$TRUSTLINE" sbom check --profile ntia
expect_exit 2 "two files" "$TRUSTLINE" sbom check "$D/bare.cdx.json" "$D/bare.cdx.json" --profile ntia
expect_exit 2 "unknown option" "$TRUSTLINE" sbom check "$D/bare.cdx.json" --profile ntia --frob
expect_exit 2 "missing file" "$TRUSTLINE" sbom check "$TMP/nope.json" --profile ntia
expect_one_line "missing file: one line" "$TMP/err"
printf '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [' >"$TMP/trunc.json"
expect_exit 2 "truncated JSON" "$TRUSTLINE" sbom check "$TMP/trunc.json" --profile ntia
expect_one_line "truncated JSON: one line" "$TMP/err"
expect_grep "truncated JSON: names the file" 'trunc\.json' "$TMP/err"
finish
