#!/bin/bash
# trustline version compare: output, exit codes, and agreement with this
# machine's dpkg --compare-versions on pairs from the Debian corpus.
. "$(dirname "$0")/lib.sh"

# expect_cmp SCHEME A OP B: the command prints OP for A B, and exits 0.
expect_cmp() {
	local out
	out=$("$TRUSTLINE" version compare --scheme "$1" "$2" "$4" 2>"$TMP/err")
	local rc=$?
	if [ "$rc" -eq 0 ] && [ "$out" = "$3" ]; then ok; else
		not_ok "version compare --scheme $1 '$2' '$4': got '$out' (exit $rc), expected '$3'"; fi
}

expect_exit 0 "--help" "$TRUSTLINE" version compare --help
expect_grep "--help shows usage" '^usage: trustline version compare ' "$TMP/out"
expect_exit 0 "top-level --help" "$TRUSTLINE" --help
expect_grep "top-level --help lists version compare" 'version compare' "$TMP/out"

# One example per scheme and outcome, from the specifications.
expect_cmp deb 1.0~rc1 '<' 1.0
expect_cmp deb 1:0.9 '>' 2.0
expect_cmp deb 1.0 '=' 1.0-0
expect_cmp apk 1.2_rc1 '<' 1.2
expect_cmp apk 1.2_p1 '>' 1.2
expect_cmp apk 3.0.8-r0 '=' 3.0.8
expect_cmp rpm 1.0^git1 '>' 1.0
expect_cmp rpm 1:1.0 '>' 2.0
expect_cmp rpm 2_0 '=' 2.0
expect_cmp semver 1.0.0-rc.1 '<' 1.0.0
expect_cmp semver 1.0.0-beta.11 '>' 1.0.0-beta.2
expect_cmp semver 1.0.0+a '=' 1.0.0+b
expect_cmp generic 1.1.1w '>' 1.1.1t
expect_cmp generic 7.88.1 '<' 8.4.0
expect_cmp generic 1.0.2k-fips '=' 1.0.2k
expect_cmp alpine 1.0 '<' 1.0.1

# Invalid versions and usage errors: one line on stderr, exit 2.
expect_exit 2 "invalid deb version" "$TRUSTLINE" version compare --scheme deb '1.0!' 1.0
expect_one_line "invalid deb version: one line" "$TMP/err"
expect_grep "invalid deb version: says what" 'deb version "1.0!": offset 3: invalid character' "$TMP/err"
expect_exit 2 "semver leading zero" "$TRUSTLINE" version compare --scheme semver 1.02.3 1.2.3
expect_one_line "semver leading zero: one line" "$TMP/err"
expect_grep "semver leading zero: says what" 'leading zero' "$TMP/err"
expect_exit 2 "generic wildcard" "$TRUSTLINE" version compare --scheme generic '*' 1.0
expect_one_line "generic wildcard: one line" "$TMP/err"
expect_exit 2 "unknown scheme" "$TRUSTLINE" version compare --scheme maven 1 2
expect_one_line "unknown scheme: one line" "$TMP/err"
expect_exit 2 "no scheme" "$TRUSTLINE" version compare 1 2
expect_one_line "no scheme: one line" "$TMP/err"
expect_exit 2 "one version" "$TRUSTLINE" version compare --scheme deb 1
expect_exit 2 "three versions" "$TRUSTLINE" version compare --scheme deb 1 2 3
expect_exit 2 "unknown option" "$TRUSTLINE" version compare --scheme deb --frob 1 2
expect_exit 0 "--scheme=deb" "$TRUSTLINE" version compare --scheme=deb 1 2
expect_grep "--scheme=deb prints <" '^<$' "$TMP/out"
expect_one_line "a result is one line" "$TMP/out"

# Against dpkg: 300 pairs of versions from the Debian corpus, chosen by a
# seeded generator so every run checks the same pairs.
if command -v dpkg >/dev/null; then
	corpus="$TL_SHARED_DATA/version-compare/debian-versions-generated.txt"
	awk '{print $1; print $3}' "$corpus" | sort -u >"$TMP/versions"
	awk 'BEGIN { srand(20251125) } { v[NR] = $0 } END {
		for (i = 0; i < 300; i++) {
			a = int(rand() * NR) + 1
			b = (i % 2) ? a + 1 + int(rand() * 5) : int(rand() * NR) + 1
			if (b > NR) b = NR
			print v[a], v[b]
		} }' "$TMP/versions" >"$TMP/pairs"
	n=0 disagree=0
	while read -r a b; do
		if dpkg --compare-versions "$a" lt "$b"; then want='<'
		elif dpkg --compare-versions "$a" eq "$b"; then want='='
		else want='>'; fi
		got=$("$TRUSTLINE" version compare --scheme deb "$a" "$b")
		n=$((n + 1))
		if [ "$got" != "$want" ]; then
			disagree=$((disagree + 1)); echo "  dpkg: $a $want $b; trustline: $got"
		fi
	done <"$TMP/pairs"
	echo "dpkg cross-check: $n pairs, $disagree disagree"
	if [ "$n" -eq 300 ] && [ "$disagree" -eq 0 ]; then ok; else not_ok "dpkg cross-check"; fi
else
	echo "note: dpkg not installed; cross-check skipped"
fi
# Against rpm's own rpmvercmp, when rpm is installed (it is not part of a
# Debian base system, so this is a visible skip otherwise): 200 pairs of
# version-release strings from the AlmaLinux advisories.
if command -v rpm >/dev/null && rpm --eval '%{lua: print(rpm.vercmp("1","2"))}' 2>/dev/null | grep -q -- -1; then
	grep -rhoE '"(fixed|introduced)": *"[^"]*"' "$TL_SHARED_DATA/osv/almalinux-selected" |
		sed 's/.*: *"//; s/"$//' | grep -v '^0$' | grep -vE '[^A-Za-z0-9._+~^:-]' | sort -u >"$TMP/rpmvers"
	awk 'BEGIN { srand(4242) } { v[NR] = $0 } END {
		for (i = 0; i < 200; i++) {
			a = int(rand() * NR) + 1
			b = (i % 2) ? a + 1 + int(rand() * 3) : int(rand() * NR) + 1
			if (b > NR) b = NR
			print v[a], v[b]
		} }' "$TMP/rpmvers" >"$TMP/rpmpairs"
	lua=$(awk '{ printf "print(rpm.vercmp(\"%s\",\"%s\")..\"\\n\") ", $1, $2 }' "$TMP/rpmpairs")
	rpm --eval "%{lua: $lua}" | grep -v '^$' >"$TMP/rpmres"
	n=0 disagree=0
	while read -r a b && read -r r <&3; do
		case $r in -1) want='<' ;; 0) want='=' ;; *) want='>' ;; esac
		got=$("$TRUSTLINE" version compare --scheme rpm "$a" "$b")
		n=$((n + 1))
		if [ "$got" != "$want" ]; then
			disagree=$((disagree + 1)); echo "  rpm: $a $want $b; trustline: $got"
		fi
	done <"$TMP/rpmpairs" 3<"$TMP/rpmres"
	echo "rpm cross-check: $n pairs, $disagree disagree"
	if [ "$n" -eq 200 ] && [ "$disagree" -eq 0 ]; then ok; else not_ok "rpm cross-check"; fi
else
	echo "note: rpm not installed; rpmvercmp cross-check skipped"
fi
finish
