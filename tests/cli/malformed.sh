#!/bin/bash
# Hostile input to every command that reads an SBOM: truncated JSON, wrong
# types, 10,000-deep nesting, a 1 GB string, duplicate keys, invalid UTF-8,
# an empty file, a directory, a missing file.  Each must give exactly one
# line on stderr naming the file and exit 2; never a crash.
. "$(dirname "$0")/lib.sh"

valid="$TL_TEST_DATA/../../data/sample/gateway-1.0.cdx.json"
head -c 300 "$valid" > "$TMP/truncated.json"
printf '{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":42}]}' > "$TMP/wrongtype.json"
printf '{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":{"a":1}}' > "$TMP/wrongtype2.json"
printf '{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"x","packages":[{"SPDXID":7}]}' > "$TMP/wrongtype3.json"
{ printf '{"bomFormat":"CycloneDX","a":'; for _ in $(seq 10000); do printf '['; done; for _ in $(seq 10000); do printf ']'; done; printf '}'; } > "$TMP/deep.json"
printf '{"bomFormat":"CycloneDX","bomFormat":"CycloneDX","specVersion":"1.6"}' > "$TMP/dupkey.json"
printf '{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"name":"\xc3\x28"}}}' > "$TMP/badutf8.json"
printf '{"bomFormat":"CycloneDX","specVersion":"1.6","x":"a\\u0000b"}' > "$TMP/nul.json"
: > "$TMP/empty.json"
printf '[1,2,3]' > "$TMP/array.json"
printf '{"hello":"world"}' > "$TMP/notsbom.json"
# 1 GiB string: more than the default input limit, rejected before parsing.
{ printf '{"bomFormat":"CycloneDX","s":"'; head -c 1073741824 /dev/zero | tr '\0' a; printf '"}'; } > "$TMP/huge.json"

for f in truncated wrongtype wrongtype2 wrongtype3 deep dupkey badutf8 nul empty array notsbom huge; do
	for cmd in "sbom validate" "sbom convert --to spdx -o $TMP/o.json" "sbom check --profile ntia" "sbom diff $valid" "sbom merge $valid -o $TMP/m.json"; do
		# shellcheck disable=SC2086
		set -- $cmd
		c1=$1 c2=$2; shift 2
		# a well-formed document with wrong types is a schema failure for validate (exit 1, below)
		case "$f$c2" in wrongtype*validate) continue ;; esac
		expect_exit 2 "$c1 $c2 on $f.json" "$TRUSTLINE" "$c1" "$c2" "$TMP/$f.json" "$@"
		expect_one_line "$c1 $c2 on $f.json: one error line" "$TMP/err"
		expect_grep "$c1 $c2 on $f.json: names the file" "$f.json" "$TMP/err"
	done
done
for f in wrongtype wrongtype2 wrongtype3; do
	expect_exit 1 "sbom validate on $f.json: schema failure" "$TRUSTLINE" sbom validate "$TMP/$f.json"
done
# the error line says where and what
"$TRUSTLINE" sbom convert "$TMP/wrongtype.json" --to spdx -o "$TMP/o.json" 2>"$TMP/err"
expect_grep "wrong type names the JSON path" '\$\.components\[0\]\.name' "$TMP/err"
"$TRUSTLINE" sbom validate "$TMP/deep.json" 2>"$TMP/err"
expect_grep "deep nesting names the offset" 'offset [0-9]+: nesting deeper than' "$TMP/err"
"$TRUSTLINE" sbom validate "$TMP/dupkey.json" 2>"$TMP/err"
expect_grep "duplicate key is named" 'duplicate' "$TMP/err"
"$TRUSTLINE" sbom validate "$TMP/huge.json" 2>"$TMP/err"
expect_grep "huge input names the limit" 'limit' "$TMP/err"
# the limits can be raised or lowered
expect_exit 2 "--max-input-size lowers the limit" "$TRUSTLINE" --max-input-size 100 sbom validate "$valid"
expect_exit 2 "--max-json-depth lowers the limit" "$TRUSTLINE" --max-json-depth 3 sbom validate "$valid"
expect_exit 0 "the valid sample passes" "$TRUSTLINE" sbom validate "$valid"
# standard input is bounded too
head -c 2000 /dev/zero | tr '\0' '[' | "$TRUSTLINE" sbom validate - >"$TMP/out" 2>"$TMP/err"
if [ $? -eq 2 ]; then ok; else not_ok "deep JSON on stdin: exit 2"; fi
expect_exit 2 "a directory" "$TRUSTLINE" sbom validate "$TMP"
expect_one_line "a directory: one line" "$TMP/err"
expect_exit 2 "a missing file" "$TRUSTLINE" sbom validate "$TMP/nope.json"
expect_grep "a missing file: names it" 'nope.json' "$TMP/err"
rm -f "$TMP/huge.json"
finish
