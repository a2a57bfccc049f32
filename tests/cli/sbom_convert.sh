#!/bin/bash
# trustline sbom convert: CycloneDX <-> SPDX, byte-stable output, errors.
. "$(dirname "$0")/lib.sh"

CDX="$TL_SHARED_DATA/cyclonedx/test-boms"
BOM16="$CDX/1.6/valid-bom-1.6.json"
SPDX="$TL_SHARED_DATA/spdx/spec-examples-2.3/SPDXJSONExample-v2.3.spdx.json"
LEGACY="$TL_TEST_DATA/cyclonedx/legacy-1.4.json"
export SOURCE_DATE_EPOCH=1700000000

# help
expect_exit 0 "--help" "$TRUSTLINE" sbom convert --help
expect_grep "--help usage line" '^usage: trustline sbom convert ' "$TMP/out"

# CycloneDX -> CycloneDX 1.6 on stdout (default), 1.5 on request
expect_exit 0 "cdx -> cdx 1.6 stdout" "$TRUSTLINE" sbom convert "$BOM16" --to cyclonedx
expect_grep "1.6 by default" '"specVersion": "1.6"' "$TMP/out"
expect_grep "component kept" '"purl": "pkg:maven/com.acme/tomcat-catalina@9.0.14\?packaging=jar"' "$TMP/out"
expect_exit 0 "cdx -> cdx 1.5" "$TRUSTLINE" sbom convert "$BOM16" --to cyclonedx --spec-version 1.5 -o "$TMP/a15.json"
expect_grep "1.5 when asked" '"specVersion": "1.5"' "$TMP/a15.json"
expect_exit 0 "legacy 1.4 -> 1.5" "$TRUSTLINE" sbom convert "$LEGACY" --to cyclonedx --spec-version=1.5 -o "$TMP/l15.json"
expect_grep "1.5 spells it manufacture" '"manufacture": \{' "$TMP/l15.json"
expect_exit 0 "legacy 1.4 -> 1.6" "$TRUSTLINE" sbom convert "$LEGACY" --to cyclonedx -o "$TMP/l16.json"
expect_grep "1.6 spells it manufacturer" '"manufacturer": \{' "$TMP/l16.json"

# byte-stable: same input, same bytes; SOURCE_DATE_EPOCH is the timestamp
# when the input has none (date -u -d @1700000000)
printf '{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"zlib","version":"1.3"},{"type":"application","name":"busybox","version":"1.36.1","purl":"pkg:generic/busybox@1.36.1"}]}' >"$TMP/plain.json"
expect_exit 0 "first write" "$TRUSTLINE" sbom convert "$TMP/plain.json" --to cyclonedx -o "$TMP/s1.json"
expect_exit 0 "second write" "$TRUSTLINE" sbom convert "$TMP/plain.json" --to cyclonedx --output "$TMP/s2.json"
if cmp -s "$TMP/s1.json" "$TMP/s2.json"; then ok; else not_ok "output differs between runs"; fi
expect_grep "timestamp from SOURCE_DATE_EPOCH" '"timestamp": "2023-11-14T22:13:20Z"' "$TMP/s1.json"
expect_grep "deterministic serial" '"serialNumber": "urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"' "$TMP/s1.json"
# converting our own output again gives the same bytes
expect_exit 0 "idempotent" "$TRUSTLINE" sbom convert "$TMP/s1.json" --to cyclonedx -o "$TMP/s3.json"
if cmp -s "$TMP/s1.json" "$TMP/s3.json"; then ok; else not_ok "converting the output again changed it"; fi

# standard input
expect_exit 0 "stdin" bash -c "'$TRUSTLINE' sbom convert - --to cyclonedx <'$BOM16'"
expect_grep "stdin read" '"bomFormat": "CycloneDX"' "$TMP/out"

# to and from SPDX
expect_exit 0 "cdx -> spdx" "$TRUSTLINE" sbom convert "$BOM16" --to spdx -o "$TMP/b.spdx.json"
expect_grep "SPDX written" '"spdxVersion": "SPDX-2.3"' "$TMP/b.spdx.json"
expect_exit 0 "spdx -> cdx" "$TRUSTLINE" sbom convert "$TMP/b.spdx.json" --to cyclonedx -o "$TMP/b2.json"
expect_grep "purl survives cdx -> spdx -> cdx" 'pkg:maven/com.acme/tomcat-catalina@9.0.14' "$TMP/b2.json"
if [ -f "$SPDX" ]; then
	expect_exit 0 "official SPDX example -> cdx" "$TRUSTLINE" sbom convert "$SPDX" --to cyclonedx -o "$TMP/x.json"
	expect_grep "SPDX package becomes a component" '"name": "glibc"' "$TMP/x.json"
fi

# usage errors: exit 2, one line
expect_exit 2 "no input" "$TRUSTLINE" sbom convert --to cyclonedx
expect_one_line "no input: one line" "$TMP/err"
expect_exit 2 "no --to" "$TRUSTLINE" sbom convert "$BOM16"
expect_one_line "no --to: one line" "$TMP/err"
expect_exit 2 "bad --to" "$TRUSTLINE" sbom convert "$BOM16" --to swid
expect_grep "bad --to named" "expected cyclonedx or spdx" "$TMP/err"
expect_exit 2 "bad --spec-version" "$TRUSTLINE" sbom convert "$BOM16" --to cyclonedx --spec-version 1.4
expect_one_line "bad --spec-version: one line" "$TMP/err"
expect_exit 2 "-o without value" "$TRUSTLINE" sbom convert "$BOM16" --to cyclonedx -o
expect_exit 2 "unknown option" "$TRUSTLINE" sbom convert "$BOM16" --to cyclonedx --frob

# input errors: exit 2, one line naming file and JSON path; nothing written
expect_exit 2 "missing file" "$TRUSTLINE" sbom convert "$TMP/nope.json" --to cyclonedx -o "$TMP/o.json"
expect_one_line "missing file: one line" "$TMP/err"
printf '{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"a"},{"name":"b","purl":5}]}' >"$TMP/wrong.json"
expect_exit 2 "wrong type" "$TRUSTLINE" sbom convert "$TMP/wrong.json" --to cyclonedx -o "$TMP/o.json"
expect_one_line "wrong type: one line" "$TMP/err"
expect_grep "wrong type: path" 'wrong.json: \$\.components\[1\]\.purl: expected a string' "$TMP/err"
if [ -e "$TMP/o.json" ]; then not_ok "output written despite an input error"; else ok; fi
head -c 300 "$BOM16" >"$TMP/trunc.json"
expect_exit 2 "truncated" "$TRUSTLINE" sbom convert "$TMP/trunc.json" --to cyclonedx
expect_one_line "truncated: one line" "$TMP/err"
expect_grep "truncated: file named" 'trunc.json' "$TMP/err"
printf '{"hello":"world"}' >"$TMP/neither.json"
expect_exit 2 "neither format" "$TRUSTLINE" sbom convert "$TMP/neither.json" --to spdx
expect_one_line "neither format: one line" "$TMP/err"
expect_exit 2 "over --max-input-size" "$TRUSTLINE" --max-input-size 100 sbom convert "$BOM16" --to cyclonedx
expect_one_line "over the size limit: one line" "$TMP/err"

# -o FILE: the document goes into a temporary file as it is made, renamed
# over FILE at the end.  3,000 components (bench/gen_sbom.py): the writers'
# worker threads run.  The file gets what standard output gets, byte for
# byte; a write that fails half-way (the file-size limit, SIGXFSZ ignored so
# write(2) says EFBIG) leaves FILE as it was and no temporary file.
GEN="${TL_SOURCE_ROOT:-$(dirname "$0")/../..}/bench/gen_sbom.py"
python3 "$GEN" 3000 >"$TMP/gen.json"
for to in cyclonedx spdx; do
	expect_exit 0 "3000 components -> $to, file" "$TRUSTLINE" sbom convert "$TMP/gen.json" --to $to -o "$TMP/gen.$to.json"
	expect_exit 0 "3000 components -> $to, stdout" "$TRUSTLINE" sbom convert "$TMP/gen.json" --to $to
	if cmp -s "$TMP/out" "$TMP/gen.$to.json"; then ok; else not_ok "$to: the file differs from standard output"; fi
	expect_grep "$to: 3000 components written" 'pkg:deb/debian/pkg02999@' "$TMP/gen.$to.json"
	mkdir "$TMP/cut" && printf 'old\n' >"$TMP/cut/out.json"
	expect_exit 2 "$to: write fails half-way" bash -c "trap '' XFSZ; ulimit -f 512; exec '$TRUSTLINE' sbom convert '$TMP/gen.json' --to $to -o '$TMP/cut/out.json'"
	expect_one_line "$to: write failure, one line" "$TMP/err"
	expect_grep "$to: says the write failed" 'out\.json\.tmp\.[A-Za-z0-9]{6}: write failed: File too large' "$TMP/err"
	if [ "$(cat "$TMP/cut/out.json")" = old ]; then ok; else not_ok "$to: the old file was replaced by a failed write"; fi
	if [ "$(ls "$TMP/cut")" = out.json ]; then ok; else not_ok "$to: left behind: $(ls "$TMP/cut" | tr '\n' ' ')"; fi
	rm -rf "$TMP/cut"
done

# schema validation of what we write, when ajv is available
AJV=${TL_AJV:-}
SCHEMAS=${TL_SCHEMA_DIR:-${TL_SOURCE_ROOT:-$(dirname "$0")/../..}/data/schema}
if [ -n "$AJV" ] && [ -x "$AJV" ]; then
	n=0
	for f in "$CDX"/1.6/valid-*.json "$CDX"/1.5/valid-*.json "$LEGACY"; do
		n=$((n + 1))
		for v in 1.6 1.5; do
			if ! "$TRUSTLINE" sbom convert "$f" --to cyclonedx --spec-version $v -o "$TMP/v$v-$n.json" 2>"$TMP/err"; then
				not_ok "convert $f to $v"; continue
			fi
		done
	done
	# one ajv run per schema version: node starts slowly
	for v in 1.6 1.5; do
		"$AJV" validate --spec=draft7 -c ajv-formats --strict=false \
			-s "$SCHEMAS/bom-$v.schema.json" -r "$SCHEMAS/spdx.schema.json" \
			-r "$SCHEMAS/jsf-0.82.schema.json" -d "$TMP/v$v-*.json" >"$TMP/ajv.log" 2>&1
		valid=$(grep -c ' valid$' "$TMP/ajv.log")
		if [ "$valid" -eq "$n" ]; then ok; else
			not_ok "ajv: $valid of $n outputs are valid CycloneDX $v"
			grep -v 'unknown format' "$TMP/ajv.log" | grep -v ' valid$' | head -20
		fi
	done
else
	echo "NOTE: TL_AJV not set (or not executable): schema validation of outputs with ajv skipped"
fi

finish
