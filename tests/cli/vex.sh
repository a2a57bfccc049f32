#!/bin/bash
# trustline vex: OpenVEX 0.2.0 documents that pass the official OpenVEX
# schema under ajv, carry what the command line said, are the same bytes
# for the same input, and refuse statements the OpenVEX spec forbids.
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1700000000
WHEN=$(date -u -d @1700000000 +%Y-%m-%dT%H:%M:%SZ)

expect_exit 0 "--help" "$TRUSTLINE" vex --help
expect_grep "--help shows usage" '^usage: trustline vex ' "$TMP/out"
expect_exit 0 "top-level --help" "$TRUSTLINE" --help
expect_grep "top-level --help lists vex" '^  vex ' "$TMP/out"

# not_affected for curl in two products: one statement, both products
expect_exit 0 "not_affected" "$TRUSTLINE" vex \
	--finding CVE-2023-38545@pkg:deb/debian/curl --finding CVE-2023-38545@pkg:generic/curl@7.88.1 \
	--status not_affected --justification vulnerable_code_not_in_execute_path \
	--impact 'SOCKS5 proxies are never used' --author 'ACME PSIRT' -o "$TMP/na.json"
ajv_validate openvex-0.2.0 "$TMP/na.json"
q() { jq -r "$1" "$2"; }
[ "$(q '.statements | length' "$TMP/na.json")" = 1 ] && ok || not_ok "one statement"
[ "$(q '[.statements[0].products[]."@id"] | join(" ")' "$TMP/na.json")" = \
  "pkg:deb/debian/curl pkg:generic/curl@7.88.1" ] && ok || not_ok "both products"
[ "$(q '.statements[0].vulnerability.name' "$TMP/na.json")" = CVE-2023-38545 ] && ok || not_ok "vulnerability name"
[ "$(q '.statements[0].status + " " + .statements[0].justification' "$TMP/na.json")" = \
  "not_affected vulnerable_code_not_in_execute_path" ] && ok || not_ok "status and justification"
[ "$(q '.statements[0].impact_statement' "$TMP/na.json")" = 'SOCKS5 proxies are never used' ] && ok || not_ok "impact"
[ "$(q '.author + " " + .timestamp + " " + (.version|tostring)' "$TMP/na.json")" = "ACME PSIRT $WHEN 1" ] \
  && ok || not_ok "author, timestamp from SOURCE_DATE_EPOCH, version"
[ "$(q '."@context"' "$TMP/na.json")" = https://openvex.dev/ns/v0.2.0 ] && ok || not_ok "context"
# same input, same bytes
"$TRUSTLINE" vex --finding CVE-2023-38545@pkg:generic/curl@7.88.1 --finding CVE-2023-38545@pkg:deb/debian/curl \
	--status not_affected --justification vulnerable_code_not_in_execute_path \
	--impact 'SOCKS5 proxies are never used' --author 'ACME PSIRT' -o "$TMP/na2.json"
cmp -s "$TMP/na.json" "$TMP/na2.json" && ok || not_ok "not the same bytes for the same statements"

# affected, a CPE product and --product for several findings; a given @id
expect_exit 0 "affected" "$TRUSTLINE" vex --finding CVE-2022-48174 --finding CVE-2021-42386 \
	--product cpe:2.3:a:busybox:busybox:1.34.1:*:*:*:*:*:*:* --status affected \
	--action 'Upgrade busybox to 1.36.1' --id https://example.com/vex/busybox-1 --output "$TMP/a.json"
ajv_validate openvex-0.2.0 "$TMP/a.json"
[ "$(q '.statements | length' "$TMP/a.json")" = 2 ] && ok || not_ok "two statements"
[ "$(q '.statements[0].products[0].identifiers.cpe23' "$TMP/a.json")" = 'cpe:2.3:a:busybox:busybox:1.34.1:*:*:*:*:*:*:*' ] \
  && ok || not_ok "CPE as identifiers.cpe23"
[ "$(q '.statements[1].action_statement' "$TMP/a.json")" = 'Upgrade busybox to 1.36.1' ] && ok || not_ok "action"
[ "$(q '."@id"' "$TMP/a.json")" = https://example.com/vex/busybox-1 ] && ok || not_ok "--id"

# the schema check is a real one: it passes a document written by the
# OpenVEX project's own tool and refuses a status outside the enum
ajv_validate openvex-0.2.0 "$TL_SHARED_DATA/openvex/go-vex-testdata/v0.2.0.json"
# and one the schema must refuse (status outside the enum)
jq '.statements[0].status = "safe"' "$TMP/na.json" >"$TMP/bad.json"
if [ -n "${TL_AJV:-}" ]; then
	if "$TL_AJV" validate --spec=draft2020 -c ajv-formats --strict=false \
		-s "$TL_SHARED_DATA/openvex/schema/openvex_json_schema.json" -d "$TMP/bad.json" >/dev/null 2>&1; then
		not_ok "ajv accepted status \"safe\""; else ok; fi
fi

# --from: the products and aliases of the findings that name the id (a
# document in the format of trustline vuln --format json, docs/matching.md)
cat >"$TMP/findings.json" <<'EOF2'
{"format": "trustline-findings", "version": 1, "findings": [
 {"id": "CVE-2022-35737", "aliases": ["BIT-sqlite-2022-35737"], "component_ref": "a",
  "component_id": "pkg:generic/sqlite@3.39.1"},
 {"id": "CVE-2022-35737", "aliases": ["BIT-sqlite-2022-35737"], "component_ref": "b",
  "component_id": "cpe:2.3:a:sqlite:sqlite:3.39.1:*:*:*:*:*:*:*"},
 {"id": "CVE-2023-38545", "aliases": [], "component_ref": "c", "component_id": null}]}
EOF2
expect_exit 0 "--from" "$TRUSTLINE" vex --from "$TMP/findings.json" --finding BIT-sqlite-2022-35737 \
	--status fixed -o "$TMP/from.json"
ajv_validate openvex-0.2.0 "$TMP/from.json"
[ "$(q '.statements[0].vulnerability.name + " " + (.statements[0].vulnerability.aliases | join(","))' "$TMP/from.json")" = \
  "CVE-2022-35737 BIT-sqlite-2022-35737" ] && ok || not_ok "--from: the finding's id and aliases"
[ "$(q '.statements[0].products | length' "$TMP/from.json")" = 2 ] && ok || not_ok "--from: both components"
expect_exit 2 "--from: no such finding" "$TRUSTLINE" vex --from "$TMP/findings.json" --finding CVE-2023-38545 --status fixed
expect_grep "--from: says which" "no finding with that id and a purl or CPE" "$TMP/err"
expect_exit 2 "--from: not a findings document" "$TRUSTLINE" vex --from "$TMP/na.json" --finding CVE-1 --status fixed
expect_one_line "--from: not a findings document: one line" "$TMP/err"

# what OpenVEX requires, and usage errors: exit 2, one line
bad() { # bad DESC PATTERN ARGS...
	local desc=$1 pat=$2; shift 2
	expect_exit 2 "$desc" "$TRUSTLINE" vex "$@"
	expect_one_line "$desc: one line" "$TMP/err"
	expect_grep "$desc: says what" "$pat" "$TMP/err"
}
bad "affected without action" 'needs --action' --finding CVE-1@pkg:generic/x@1 --status affected -o "$TMP/none.json"
bad "not_affected without why" 'needs --justification or --impact' --finding CVE-1@pkg:generic/x@1 --status not_affected
bad "justification with fixed" 'only with --status not_affected' --finding CVE-1@pkg:generic/x@1 --status fixed \
	--justification component_not_present
bad "unknown status" "expected not_affected, affected, fixed or under_investigation" --finding CVE-1@pkg:generic/x@1 --status safe
bad "unknown justification" 'not an OpenVEX justification' --finding CVE-1@pkg:generic/x@1 --status not_affected \
	--justification because
bad "no product" 'names no product' --finding CVE-1 --status fixed
bad "bad purl" 'expected a purl' --finding 'CVE-1@pkg:' --status fixed
bad "no finding" 'at least one --finding' --status fixed
bad "no status" '--status is required' --finding CVE-1@pkg:generic/x@1
bad "missing value" '--author needs a value' --finding CVE-1@pkg:generic/x@1 --status fixed --author
[ ! -e "$TMP/none.json" ] && ok || not_ok "an output file after an error"
finish
