#!/bin/bash
# trustline sbom validate: every official CycloneDX 1.5/1.6 test BOM with its
# verdict, SPDX 2.3 examples, unsupported versions, bad input, options.
. "$(dirname "$0")/lib.sh"

BOMS="$TL_SHARED_DATA/cyclonedx/test-boms"

for v in 1.5 1.6; do
	for f in "$BOMS/$v"/valid-*.json; do
		b=$(basename "$f")
		expect_exit 0 "$b is valid" "$TRUSTLINE" sbom validate "$f"
		expect_grep "$b: valid line" "^$f: valid \\(CycloneDX $v\\)\$" "$TMP/out"
	done
	for f in "$BOMS/$v"/invalid-*.json; do
		b=$(basename "$f")
		expect_exit 1 "$b is invalid" "$TRUSTLINE" sbom validate "$f"
		# every stderr line is "FILE: $<path>: <what>"
		if grep -qvF "$f: \$" "$TMP/err"; then
			not_ok "$b: a stderr line does not start with the file and a JSON path"; head -3 "$TMP/err"
		else ok; fi
		[ -s "$TMP/out" ] && not_ok "$b: stdout not empty" || ok
	done
done

# what the messages say, for errors whose place the test files make plain
check_msg() { # FILE PATTERN
	expect_exit 1 "$1" "$TRUSTLINE" sbom validate "$BOMS/$1"
	expect_grep "$1 message" "$2" "$TMP/err"
}
check_msg 1.6/invalid-metadata-timestamp-1.6.json ': \$\.metadata\.timestamp: "2020-04-13" is not a valid date-time \(format\)$'
check_msg 1.6/invalid-hash-md5-1.6.json ': \$\.components\[0\]\.hashes\[0\]\.content: "foo" does not match the pattern .*\(pattern\)$'
check_msg 1.6/invalid-bomformat-1.6.json ': \$\.bomFormat: "AnotherFormat" is not one of "CycloneDX" \(enum\)$'
check_msg 1.6/invalid-scope-1.6.json ': \$\.components\[0\]\.scope: "foo" is not one of "required", "optional", "excluded" \(enum\)$'
check_msg 1.5/invalid-license-id-1.5.json ': \$\.components\[0\]\.licenses\[0\]\.license\.id: "Apache-2" is not one of the [0-9]+ allowed values \(enum\)$'
check_msg 1.5/invalid-missing-component-type-1.5.json ': \$\.components\[0\]: missing required property "type" \(required\)$'
check_msg 1.6/invalid-license-missing-id-and-name-1.6.json ': \$\.components\[0\]\.licenses\[0\]\.license: does not match any of the 2 alternatives \(oneOf\)'

# --schema forces a schema; --quiet prints nothing when valid
f="$BOMS/1.6/valid-bom-1.6.json"
expect_exit 0 "--schema cyclonedx-1.6" "$TRUSTLINE" sbom validate "$f" --schema cyclonedx-1.6
expect_grep "--schema label" "valid \\(CycloneDX 1\\.6\\)" "$TMP/out"
expect_exit 0 "--quiet" "$TRUSTLINE" sbom validate --quiet "$f"
[ -s "$TMP/out" ] && not_ok "--quiet printed something" || ok
expect_exit 1 "--schema spdx-2.3 on CycloneDX" "$TRUSTLINE" sbom validate --schema=spdx-2.3 "$f"
expect_grep "--schema spdx-2.3 names the missing field" 'missing required property "spdxVersion"' "$TMP/err"
expect_exit 2 "--schema unknown" "$TRUSTLINE" sbom validate --schema cyclonedx-1.3 "$f"
expect_one_line "--schema unknown: one line" "$TMP/err"

# SPDX 2.3
for f in "$TL_SHARED_DATA"/spdx/spec-examples-2.3/*.json \
         "$TL_SHARED_DATA"/spdx/examples-2.x/*/*/spdx2.3/*.json \
         "$TL_SHARED_DATA"/spdx/examples-2.x/presentations/*/SPDXVersion2.3/*.json; do
	[ -e "$f" ] || continue
	expect_exit 0 "$(basename "$f") is valid SPDX 2.3" "$TRUSTLINE" sbom validate "$f"
	expect_grep "$(basename "$f") label" 'valid \(SPDX 2\.3\)$' "$TMP/out"
done

# versions without a schema: one line, exit 2
for f in "$BOMS"/1.7/valid-bom-1.7.json; do
	[ -e "$f" ] || continue
	expect_exit 2 "CycloneDX 1.7 is unsupported" "$TRUSTLINE" sbom validate "$f"
	expect_one_line "unsupported: one line" "$TMP/err"
	expect_grep "unsupported names the supported versions" '1\.7.*CycloneDX 1\.5, CycloneDX 1\.6, SPDX-2\.3' "$TMP/err"
done
printf '{"spdxVersion":"SPDX-2.2","SPDXID":"SPDXRef-DOCUMENT"}' >"$TMP/spdx22.json"
expect_exit 2 "SPDX 2.2 is unsupported" "$TRUSTLINE" sbom validate "$TMP/spdx22.json"
expect_one_line "SPDX 2.2: one line" "$TMP/err"

# bad input: one line, exit 2
printf '{"bomFormat":"CycloneDX",' >"$TMP/trunc.json"
expect_exit 2 "truncated JSON" "$TRUSTLINE" sbom validate "$TMP/trunc.json"
expect_one_line "truncated JSON: one line" "$TMP/err"
expect_exit 2 "missing file" "$TRUSTLINE" sbom validate "$TMP/none.json"
expect_one_line "missing file: one line" "$TMP/err"
expect_exit 2 "no FILE" "$TRUSTLINE" sbom validate
expect_exit 2 "two FILEs" "$TRUSTLINE" sbom validate a.json b.json
expect_exit 0 "--help" "$TRUSTLINE" sbom validate --help
expect_grep "--help usage" '^usage: trustline sbom validate' "$TMP/out"

# standard input, and several errors each on its own line
printf '{"bomFormat":"CycloneDX","specVersion":"1.6","version":0,"components":[{"name":"a"},{"type":"library","name":"b","bom-ref":""}]}' \
	>"$TMP/multi.json"
expect_exit 1 "several errors" "$TRUSTLINE" sbom validate - <"$TMP/multi.json"
expect_grep "error 1" '^-: \$\.version: 0 is less than the minimum 1 \(minimum\)$' "$TMP/err"
expect_grep "error 2" '^-: \$\.components\[0\]: missing required property "type" \(required\)$' "$TMP/err"
expect_grep "error 3" '^-: \$\.components\[1\]\.bom-ref: "" is shorter than 1 characters \(minLength\)$' "$TMP/err"
n=$(wc -l <"$TMP/err")
[ "$n" -eq 3 ] && ok || not_ok "several errors: $n lines, expected 3"

finish
