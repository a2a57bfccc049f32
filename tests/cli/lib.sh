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
