#!/bin/bash
# The command's front door: help, version, unknown commands, exit codes.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "--version" "$TRUSTLINE" --version
expect_grep "--version prints the version" '^trustline [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/out"
expect_exit 0 "--help" "$TRUSTLINE" --help
expect_grep "--help lists sbom validate" 'sbom validate' "$TMP/out"
expect_exit 2 "no command" "$TRUSTLINE"
expect_exit 2 "unknown command" "$TRUSTLINE" frobnicate
expect_one_line "unknown command: one line" "$TMP/err"
expect_exit 2 "unknown global option" "$TRUSTLINE" --frob sbom validate x
expect_exit 2 "bad --max-json-depth" "$TRUSTLINE" --max-json-depth 0 sbom validate x
for c in validate check convert diff merge; do
	expect_exit 0 "sbom $c --help" "$TRUSTLINE" sbom "$c" --help
	expect_grep "sbom $c --help shows usage" "usage: trustline sbom $c" "$TMP/out"
done
finish
