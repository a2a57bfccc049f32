# Helpers for the end-to-end tests of the command; sourced by each test.
# Environment (set by meson): TRUSTLINE, TL_SHARED_DATA, TL_TEST_DATA.
set -u
: "${TRUSTLINE:?}" "${TL_SHARED_DATA:?}" "${TL_TEST_DATA:?}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PASS=0
FAIL=0

ok() { PASS=$((PASS + 1)); }
not_ok() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

# expect_exit CODE DESC CMD...: runs CMD, stdout to $TMP/out, stderr to $TMP/err.
expect_exit() {
	local want=$1 desc=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	if [ "$got" -eq "$want" ]; then ok; else
		not_ok "$desc: exit $got, expected $want"; sed 's/^/  stderr: /' "$TMP/err" | head -5
	fi
}

# expect_grep DESC PATTERN FILE
expect_grep() {
	if grep -qE -- "$2" "$3"; then ok; else not_ok "$1: /$2/ not in $3"; head -5 "$3" | sed 's/^/  /'; fi
}

# expect_one_line DESC FILE: the file holds exactly one line.
expect_one_line() {
	local n; n=$(wc -l <"$2")
	if [ "$n" -eq 1 ]; then ok; else not_ok "$1: $n lines, expected one"; head -5 "$2" | sed 's/^/  /'; fi
}

finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}

# ajv_validate KIND FILE: validates FILE with the independent validator ajv
# against the official schema (KIND: cyclonedx-1.5, cyclonedx-1.6, spdx-2.3,
# sarif-2.1.0, openvex-0.2.0).
# Without ajv (TL_AJV unset) this is a visible skip, or a failure when
# TL_REQUIRE_AJV=1 (as in CI).
ajv_validate() {
	local kind=$1 file=$2 s="$TL_SCHEMA_DIR"
	if [ -z "${TL_AJV:-}" ]; then
		if [ "${TL_REQUIRE_AJV:-0}" = 1 ]; then not_ok "ajv required but not installed ($file)"; else
			echo "note: ajv not installed (script/bootstrap installs it); $file not checked by ajv"; fi
		return
	fi
	case $kind in
	cyclonedx-1.5|cyclonedx-1.6)
		"$TL_AJV" validate --spec=draft7 -c ajv-formats --strict=false \
			-s "$s/bom-${kind#cyclonedx-}.schema.json" -r "$s/spdx.schema.json" \
			-r "$s/jsf-0.82.schema.json" -d "$file" >"$TMP/ajv.out" 2>&1 ;;
	spdx-2.3)
		"$TL_AJV" validate --spec=draft2019 -c ajv-formats --strict=false \
			-s "$s/spdx-2.3.schema.json" -d "$file" >"$TMP/ajv.out" 2>&1 ;;
	sarif-2.1.0)
		# the official schema is JSON Schema draft-04: ajv through ajv-draft-04
		node "$TL_SOURCE_ROOT/tests/cli/ajv_draft04.js" "$(dirname "$(dirname "$TL_AJV")")" \
			"$s/sarif-schema-2.1.0.json" "$file" >"$TMP/ajv.out" 2>&1 ;;
	openvex-0.2.0)
		"$TL_AJV" validate --spec=draft2020 -c ajv-formats --strict=false \
			-s "$TL_SHARED_DATA/openvex/schema/openvex_json_schema.json" -d "$file" >"$TMP/ajv.out" 2>&1 ;;
	*) not_ok "ajv_validate: unknown kind $kind"; return ;;
	esac
	if grep -q ' valid$' "$TMP/ajv.out"; then ok; else
		not_ok "ajv: $file does not pass the official $kind schema"; grep -v '^unknown format' "$TMP/ajv.out" | head -20 | sed 's/^/  /'
	fi
}
