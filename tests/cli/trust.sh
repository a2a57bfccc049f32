#!/bin/bash
# End-to-end tests of key generate/public, sign and verify, including
# interop with the openssl command line in both directions over the DSSE
# PAE bytes, the DSSE spec vector, and forged inputs that must fail.
. "$(dirname "$0")/lib.sh"
T=$TRUSTLINE
V=$TL_SHARED_DATA/vectors
cd "$TMP" || exit 2

# py: small independent helpers (no trustline code): envelope fields, PAE.
py() { python3 - "$@"; }

# envelope_part ENV payload|sig|pae OUT: writes raw bytes of a part.
envelope_part() {
	py "$1" "$2" "$3" <<'EOF'
import base64, json, sys
env = json.load(open(sys.argv[1]))
payload = base64.b64decode(env["payload"])
t = env["payloadType"].encode()
part = {"payload": payload,
        "sig": base64.b64decode(env["signatures"][0]["sig"]),
        "pae": b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)}[sys.argv[2]]
open(sys.argv[3], "wb").write(part)
EOF
}

# make_envelope TYPE PAYLOADFILE SIGFILE OUT: an envelope from raw parts.
make_envelope() {
	py "$@" <<'EOF'
import base64, json, sys
t, p, s, out = sys.argv[1:5]
env = {"payloadType": t, "payload": base64.b64encode(open(p, "rb").read()).decode(),
       "signatures": [{"keyid": "", "sig": base64.b64encode(open(s, "rb").read()).decode()}]}
json.dump(env, open(out, "w"))
EOF
}

# mutate ENV payload|sig OUT: flips one bit in the decoded part.
mutate() {
	py "$@" <<'EOF'
import base64, json, sys
env = json.load(open(sys.argv[1]))
if sys.argv[2] == "payload":
    b = bytearray(base64.b64decode(env["payload"])); b[len(b) // 2] ^= 0x01
    env["payload"] = base64.b64encode(bytes(b)).decode()
else:
    s = env["signatures"][0]
    b = bytearray(base64.b64decode(s["sig"])); b[len(b) // 2] ^= 0x01
    s["sig"] = base64.b64encode(bytes(b)).decode()
json.dump(env, open(sys.argv[3], "w"))
EOF
}

printf 'firmware image v1.2.3\n' >fw.bin
printf 'firmware image v1.2.4\n' >fw-other.bin

# ---- keys ---------------------------------------------------------------
for t in ed25519 p256 rsa3072; do
	expect_exit 0 "key generate $t" "$T" key generate --key "$t.key" --type "$t" -o "$t.pub"
	expect_grep "generate prints the key id ($t)" '^keyid: [0-9a-f]{64}$' "$TMP/out"
	mode=$(stat -c %a "$t.key")
	[ "$mode" = 600 ] && ok || not_ok "$t.key mode $mode, expected 600"
	# key id = SHA-256 of the DER SubjectPublicKeyInfo, computed by openssl
	want=$(openssl pkey -pubin -in "$t.pub" -outform DER | sha256sum | cut -d' ' -f1)
	expect_exit 0 "key public $t" "$T" key public --key "file://$TMP/$t.key"
	expect_grep "key public id matches openssl ($t)" "^keyid: $want\$" "$TMP/out"
	expect_grep "key public is PEM ($t)" '^-----BEGIN PUBLIC KEY-----$' "$TMP/out"
	expect_grep "key public type ($t)" "^type: $t\$" "$TMP/out"
	# The private key is a PKCS#8 key openssl reads.
	openssl pkey -in "$t.key" -noout 2>/dev/null && ok || not_ok "openssl cannot read $t.key"
	grep -q 'BEGIN PRIVATE KEY' "$t.key" && ok || not_ok "$t.key is not PKCS#8 PEM"
done
cp ed25519.key before.key
expect_exit 2 "generate never overwrites" "$T" key generate --key ed25519.key --type ed25519
expect_grep "overwrite refused, said why" 'already exists' "$TMP/err"
cmp -s ed25519.key before.key && ok || not_ok "existing key file changed"
expect_exit 2 "unknown key type" "$T" key generate --key x.key --type rsa2048
[ ! -e x.key ] && ok || not_ok "x.key created for a bad type"
expect_exit 2 "unsupported key URI scheme" "$T" key public --key "awskms:///alias/release"
expect_grep "unsupported scheme named" 'awskms:.*not supported' "$TMP/err"
expect_exit 2 "generate needs --type" "$T" key generate --key y.key

# ---- sign and verify, each algorithm --------------------------------------
for t in ed25519 p256 rsa3072; do
	expect_exit 0 "sign $t" "$T" sign --key "$t.key" fw.bin -o "$t.env"
	expect_exit 0 "verify $t" "$T" verify "$t.env" --key "$t.pub" --artifact fw.bin
	expect_grep "verify says verified ($t)" '^verified: ' "$TMP/out"
	# The envelope holds an in-toto Statement v1 about fw.bin (checked by python).
	envelope_part "$t.env" payload "$t.payload"
	py "$t.payload" fw.bin <<'EOF' && ok || not_ok "statement of $t.env is not about fw.bin"
import hashlib, json, sys
st = json.load(open(sys.argv[1])); data = open(sys.argv[2], "rb").read()
assert st["_type"] == "https://in-toto.io/Statement/v1"
s, = st["subject"]
assert s["name"] == "fw.bin"
assert s["digest"] == {"sha256": hashlib.sha256(data).hexdigest(), "sha512": hashlib.sha512(data).hexdigest()}
assert isinstance(st["predicateType"], str) and isinstance(st["predicate"], dict)
EOF
	# openssl verifies our signature over the PAE bytes.
	envelope_part "$t.env" pae "$t.pae"
	envelope_part "$t.env" sig "$t.sig"
	case $t in
	ed25519) ossl() { openssl pkeyutl -verify -pubin -inkey "$t.pub" -rawin -in "$1" -sigfile "$t.sig"; } ;;
	p256) ossl() { openssl dgst -sha256 -verify "$t.pub" -signature "$t.sig" "$1"; } ;;
	rsa3072) ossl() { openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
		-sigopt rsa_mgf1_md:sha256 -verify "$t.pub" -signature "$t.sig" "$1"; } ;;
	esac
	ossl "$t.pae" >/dev/null 2>&1 && ok || not_ok "openssl does not verify our $t signature over the PAE"
	cp "$t.pae" "$t.pae.bad"; printf 'x' >>"$t.pae.bad"
	ossl "$t.pae.bad" >/dev/null 2>&1 && not_ok "openssl verified a changed PAE ($t)" || ok

	# ...and we verify an envelope openssl signed over the PAE.
	case $t in
	ed25519) openssl pkeyutl -sign -inkey "$t.key" -rawin -in "$t.pae" -out "$t.osig" ;;
	p256) openssl dgst -sha256 -sign "$t.key" -out "$t.osig" "$t.pae" ;;
	rsa3072) openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:max \
		-sign "$t.key" -out "$t.osig" "$t.pae" ;;
	esac
	make_envelope application/vnd.in-toto+json "$t.payload" "$t.osig" "$t.oenv"
	expect_exit 0 "verify an openssl-made $t envelope" "$T" verify "$t.oenv" --key "$t.pub" --artifact fw.bin

	# Forgeries, each with its reason.
	mutate "$t.env" payload "$t.fp"
	expect_exit 1 "flipped payload bit ($t)" "$T" verify "$t.fp" --key "$t.pub"
	expect_grep "payload forgery reason ($t)" 'bad signature' "$TMP/err"
	mutate "$t.env" sig "$t.fs"
	expect_exit 1 "flipped signature bit ($t)" "$T" verify "$t.fs" --key "$t.pub"
	expect_grep "signature forgery reason ($t)" 'bad signature' "$TMP/err"
	expect_exit 1 "artifact digest mismatch ($t)" "$T" verify "$t.env" --key "$t.pub" --artifact fw-other.bin
	expect_grep "digest mismatch reason ($t)" 'digest mismatch' "$TMP/err"
done

# A wrong key of the same type: no signature by that key.
"$T" key generate --key other.key --type ed25519 -o other.pub >/dev/null
expect_exit 1 "wrong key" "$T" verify ed25519.env --key other.pub
expect_grep "wrong key reason" 'no signature by key' "$TMP/err"
# Wrong key type: an RSA signature checked with an Ed25519 key and back.
expect_exit 1 "wrong key type (rsa env, ed25519 key)" "$T" verify rsa3072.env --key ed25519.pub
expect_grep "wrong key type reason" 'wrong key type' "$TMP/err"
expect_exit 1 "wrong key type (p256 env, rsa key)" "$T" verify p256.env --key rsa3072.pub
expect_grep "wrong key type reason (rsa)" 'wrong key type' "$TMP/err"
# A key of a type we do not verify with at all.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.key 2>/dev/null
openssl pkey -in p384.key -pubout -out p384.pub 2>/dev/null
expect_exit 1 "unsupported key type (P-384)" "$T" verify p256.env --key p384.pub
expect_grep "P-384 reason" 'wrong key type' "$TMP/err"
# A private key works as --key (its public half).
expect_exit 0 "verify with the private key file" "$T" verify p256.env --key p256.key

# ---- predicates and plain DSSE --------------------------------------------
printf '{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}\n' >sbom.cdx.json
expect_exit 0 "sign with a CycloneDX predicate" "$T" sign --key p256.key fw.bin --predicate sbom.cdx.json -o cdx.env
expect_exit 0 "verify the CycloneDX attestation" "$T" verify cdx.env --key p256.pub --artifact fw.bin
expect_grep "CycloneDX predicate type detected" '^predicateType: https://cyclonedx.org/bom$' "$TMP/out"
printf '{"spdxVersion":"SPDX-2.3"}\n' >sbom.spdx.json
expect_exit 0 "sign with --predicate-type spdx" "$T" sign --key ed25519.key fw.bin --predicate sbom.spdx.json --predicate-type spdx -o spdx.env
expect_exit 0 "verify the SPDX attestation" "$T" verify spdx.env --key ed25519.pub
expect_grep "SPDX predicate type" '^predicateType: https://spdx.dev/Document$' "$TMP/out"
printf '{"buildDefinition":{},"runDetails":{}}\n' >prov.json
expect_exit 0 "sign with --predicate-type slsa-provenance" "$T" sign --key ed25519.key fw.bin --predicate prov.json --predicate-type slsa-provenance -o slsa.env
expect_exit 0 "verify the SLSA attestation" "$T" verify slsa.env --key ed25519.pub
expect_grep "SLSA predicate type" '^predicateType: https://slsa.dev/provenance/v1$' "$TMP/out"
printf '{"x":1}\n' >unknown.json
expect_exit 2 "a predicate of unknown kind needs --predicate-type" "$T" sign --key ed25519.key fw.bin --predicate unknown.json
printf '[1]\n' >array.json
expect_exit 2 "a predicate must be an object" "$T" sign --key ed25519.key fw.bin --predicate array.json --predicate-type spdx
expect_exit 0 "plain DSSE over any payload" "$T" sign --key ed25519.key fw.bin --payload-type application/octet-stream -o plain.env
expect_exit 0 "verify plain DSSE against its artifact" "$T" verify plain.env --key ed25519.pub --artifact fw.bin
expect_exit 1 "plain DSSE, other artifact" "$T" verify plain.env --key ed25519.pub --artifact fw-other.bin
expect_grep "plain mismatch reason" 'digest mismatch' "$TMP/err"
envelope_part plain.env payload plain.payload
cmp -s plain.payload fw.bin && ok || not_ok "plain DSSE payload is not the file's bytes"
expect_exit 2 "--payload-type with --predicate is a usage error" "$T" sign --key ed25519.key fw.bin --payload-type x --predicate sbom.cdx.json
expect_exit 2 "sign with a public key" "$T" sign --key ed25519.pub fw.bin -o x.env

# ---- the DSSE spec vector -------------------------------------------------
py "$V/dsse/dsse-protocol-test-vector.json" vec <<'EOF'
import json, sys
v = json.load(open(sys.argv[1])); k = v["key"]
spki = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200") + b"\x04" + \
       int(k["x_dec"]).to_bytes(32, "big") + int(k["y_dec"]).to_bytes(32, "big")
open(sys.argv[2] + ".pub.der", "wb").write(spki)
json.dump(v["envelope"], open(sys.argv[2] + ".env", "w"))
EOF
expect_exit 0 "DSSE spec vector verifies" "$T" verify vec.env --key vec.pub.der
mutate vec.env payload vec.bad
expect_exit 1 "DSSE spec vector with a flipped payload bit" "$T" verify vec.bad --key vec.pub.der

# ---- malformed input: exit 2 ---------------------------------------------
printf '{"payloadType":"t","payload":"aGk=","signatures":[{"sig":"not base64!"}]}' >bad64.env
expect_exit 2 "bad base64 signature" "$T" verify bad64.env --key p256.pub
expect_grep "bad base64 names the path" 'signatures\[0\]\.sig' "$TMP/err"
expect_one_line "one-line error" "$TMP/err"
printf '{"payloadType":"t",' >trunc.env
expect_exit 2 "truncated envelope" "$T" verify trunc.env --key p256.pub
printf 'not json' >junk.env
expect_exit 2 "not JSON" "$T" verify junk.env --key p256.pub
expect_exit 2 "missing envelope file" "$T" verify nonexist.env --key p256.pub
expect_exit 2 "verify needs --key" "$T" verify p256.env
expect_exit 2 "unreadable key" "$T" verify p256.env --key nonexist.pub

finish
