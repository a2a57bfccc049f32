#!/bin/bash
# trustline sbom diff and merge on two releases of a gateway firmware SBOM
# and the SBOM of its recovery partition.
. "$(dirname "$0")/lib.sh"
D=$TL_TEST_DATA/ops
A=$D/gateway-1.0.cdx.json
B=$D/gateway-1.1.cdx.json
R=$D/recovery-1.0.cdx.json

for c in diff merge; do
	expect_exit 0 "$c --help" "$TRUSTLINE" sbom "$c" --help
	expect_grep "$c --help: usage first" "^usage: trustline sbom $c " <(head -1 "$TMP/out")
done

# 1.0 -> 1.1: openssl, libssl3 and libc6 updated, dropbear replaced by openssh
expect_exit 0 "diff 1.0 1.1" "$TRUSTLINE" sbom diff "$A" "$B"
cat >"$TMP/want" <<'WANT'
- dropbear-bin 2022.83-1+deb12u1
~ libc6 2.36-9+deb12u9 -> 2.36-9+deb12u10
~ libssl3 3.0.15-1~deb12u1 -> 3.0.16-1~deb12u1
+ openssh-server 1:9.2p1-2+deb12u5
~ openssl 3.0.15-1~deb12u1 -> 3.0.16-1~deb12u1
1 added, 1 removed, 3 changed
WANT
if cmp -s "$TMP/want" "$TMP/out"; then ok; else not_ok "diff 1.0 1.1 table"; diff "$TMP/want" "$TMP/out" | head; fi

# the other way round: added and removed swap
expect_exit 0 "diff 1.1 1.0" "$TRUSTLINE" sbom diff "$B" "$A"
expect_grep "reverse: dropbear added" '^\+ dropbear-bin 2022\.83-1\+deb12u1$' "$TMP/out"
expect_grep "reverse: openssh removed" '^- openssh-server ' "$TMP/out"
expect_grep "reverse: openssl down" '^~ openssl 3\.0\.16-1~deb12u1 -> 3\.0\.15-1~deb12u1$' "$TMP/out"

# a document against itself: nothing
expect_exit 0 "diff A A" "$TRUSTLINE" sbom diff "$A" "$A"
expect_grep "diff A A: nothing" '^0 added, 0 removed, 0 changed$' "$TMP/out"
expect_one_line "diff A A: one line" "$TMP/out"

# --json: sorted keys, the three arrays; parsed independently when python3 is there
expect_exit 0 "diff --json" "$TRUSTLINE" sbom diff "$A" "$B" --json
cp "$TMP/out" "$TMP/diff.json"
expect_grep "json: added array" '^  "added": \[' "$TMP/diff.json"
if command -v python3 >/dev/null; then
	if python3 - "$TMP/diff.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(d) == ["added", "changed", "removed"], d.keys()
assert [e["name"] for e in d["added"]] == ["openssh-server"]
assert [e["name"] for e in d["removed"]] == ["dropbear-bin"]
assert [(e["name"], e["from"], e["to"]) for e in d["changed"]] == [
    ("libc6", "2.36-9+deb12u9", "2.36-9+deb12u10"),
    ("libssl3", "3.0.15-1~deb12u1", "3.0.16-1~deb12u1"),
    ("openssl", "3.0.15-1~deb12u1", "3.0.16-1~deb12u1")]
PY
	then ok; else not_ok "diff --json content"; fi
fi
# byte-stable
"$TRUSTLINE" sbom diff "$A" "$B" --json >"$TMP/diff2.json"
if cmp -s "$TMP/diff.json" "$TMP/diff2.json"; then ok; else not_ok "diff --json not byte-stable"; fi

expect_exit 2 "diff one file" "$TRUSTLINE" sbom diff "$A"
expect_one_line "diff one file: one line" "$TMP/err"
expect_exit 2 "diff missing file" "$TRUSTLINE" sbom diff "$A" "$TMP/nope.json"
expect_one_line "diff missing file: one line" "$TMP/err"

# merge the main image and the recovery partition of release 1.0
expect_exit 0 "merge" "$TRUSTLINE" sbom merge "$A" "$R" -o "$TMP/merged.json"
expect_exit 0 "merged validates" "$TRUSTLINE" sbom validate "$TMP/merged.json"
ajv_validate cyclonedx-1.6 "$TMP/merged.json"
# against release 1.0: the recovery subject, its older openssl and u-boot
# are new; busybox (same purl) is not
expect_exit 0 "diff A merged" "$TRUSTLINE" sbom diff "$A" "$TMP/merged.json"
expect_grep "merged: u-boot" '^\+ u-boot 2023\.01$' "$TMP/out"
expect_grep "merged: old openssl" '^\+ openssl 3\.0\.11-1~deb12u2$' "$TMP/out"
expect_grep "merged: recovery subject" '^\+ gateway-recovery 1\.0\.0$' "$TMP/out"
expect_grep "merged: three added" '^3 added, 0 removed, 0 changed$' "$TMP/out"
# still complete: the merged document keeps every minimum element
expect_exit 0 "merged ntia" "$TRUSTLINE" sbom check "$TMP/merged.json" --profile ntia
if command -v python3 >/dev/null; then
	if python3 - "$TMP/merged.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
md = d["metadata"]
assert md["component"]["name"] == "gateway-fw", md["component"]
assert md["timestamp"] == "2025-01-14T09:45:00Z", md["timestamp"]  # the latest
assert d["serialNumber"] not in ("urn:uuid:0b6e1c52-3f7a-4d6e-9a51-6f1f3c2a1000",
                                 "urn:uuid:0b6e1c52-3f7a-4d6e-9a51-6f1f3c2a1001")
comps = d["components"]
refs = {c["bom-ref"]: c for c in comps}
assert len(comps) == 9, [c["name"] for c in comps]  # 6 + recovery, old openssl, u-boot
assert [c["name"] for c in comps].count("busybox") == 1
# the recovery "openssl" ref clashed with the main image's: renamed
assert refs["openssl"]["version"] == "3.0.15-1~deb12u1"
assert refs["openssl-2"]["version"] == "3.0.11-1~deb12u2"
deps = {x["ref"]: sorted(x.get("dependsOn", [])) for x in d["dependencies"]}
assert deps["gateway-recovery"] == ["busybox", "openssl-2", "u-boot"], deps["gateway-recovery"]
assert deps["gateway-fw"] == ["busybox", "dropbear-bin", "openssl"], deps["gateway-fw"]
assert deps["openssl"] == ["libc6", "libssl3"], deps["openssl"]
assert deps["busybox"] == ["libc6"], deps["busybox"]
PY
	then ok; else not_ok "merged document content"; fi
fi
# the same inputs give the same bytes
"$TRUSTLINE" sbom merge "$A" "$R" -o "$TMP/merged2.json"
if cmp -s "$TMP/merged.json" "$TMP/merged2.json"; then ok; else not_ok "merge not byte-stable"; fi

# SPDX output
expect_exit 0 "merge --to spdx" "$TRUSTLINE" sbom merge "$A" "$R" -o "$TMP/merged.spdx.json" --to spdx
expect_exit 0 "merged spdx validates" "$TRUSTLINE" sbom validate "$TMP/merged.spdx.json"
ajv_validate spdx-2.3 "$TMP/merged.spdx.json"
expect_exit 0 "spdx vs cdx merge" "$TRUSTLINE" sbom diff "$TMP/merged.json" "$TMP/merged.spdx.json"
expect_grep "spdx and cdx merges hold the same components" '^0 added, 0 removed, 0 changed$' "$TMP/out"

expect_exit 2 "merge without -o" "$TRUSTLINE" sbom merge "$A" "$R"
expect_one_line "merge without -o: one line" "$TMP/err"
expect_exit 2 "merge one file" "$TRUSTLINE" sbom merge "$A" -o "$TMP/x.json"
expect_exit 2 "merge bad --to" "$TRUSTLINE" sbom merge "$A" "$R" -o "$TMP/x.json" --to xml
expect_one_line "merge bad --to: one line" "$TMP/err"
expect_exit 2 "merge missing file" "$TRUSTLINE" sbom merge "$A" "$TMP/nope.json" -o "$TMP/x.json"
[ ! -e "$TMP/x.json" ] && ok || not_ok "merge wrote output despite errors"
finish
