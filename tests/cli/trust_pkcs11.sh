#!/bin/bash
# End-to-end tests of PKCS#11 keys (RFC 7512 URIs) against SoftHSM2: each
# test run creates its own token in a temporary SOFTHSM2_CONF, so no
# service is needed.  Signatures made in the token verify with trustline
# and with the openssl command line over the PAE bytes.  Skipped (exit 77)
# when softhsm2 is not installed.
. "$(dirname "$0")/lib.sh"
T=$TRUSTLINE
cd "$TMP" || exit 2
start_softhsm
printf '1234\n' >pin.txt
printf 'firmware image\n' >fw.bin
printf 'firmware imagf\n' >fw-other.bin

envelope_pae_sig() {
	python3 - "$@" <<'EOF'
import base64, json, sys
env = json.load(open(sys.argv[1])); p = base64.b64decode(env["payload"]); t = env["payloadType"].encode()
open(sys.argv[2], "wb").write(b"DSSEv1 %d %s %d %s" % (len(t), t, len(p), p))
open(sys.argv[3], "wb").write(base64.b64decode(env["signatures"][0]["sig"]))
EOF
}

for t in ed25519 p256 rsa3072; do
	# Three ways to give the PIN and the module.
	case $t in
	ed25519) U="pkcs11:token=tl-test;object=fw-$t?pin-value=1234" ;;
	p256) U="pkcs11:token=tl-test;object=fw-$t?pin-source=file:$TMP/pin.txt&module-path=$MOD" ;;
	rsa3072) U="pkcs11:token=tl-test;object=fw-$t"; export TRUSTLINE_PKCS11_PIN=1234 ;;
	esac
	expect_exit 0 "pkcs11 key generate $t" "$T" key generate --key "$U" --type "$t" -o "$t.pub"
	want=$(openssl pkey -pubin -in "$t.pub" -outform DER | sha256sum | cut -d' ' -f1)
	expect_grep "pkcs11 key id ($t)" "^keyid: $want\$" "$TMP/out"
	expect_exit 2 "pkcs11 generate never overwrites ($t)" "$T" key generate --key "$U" --type "$t"
	expect_grep "pkcs11 overwrite reason ($t)" 'already exists' "$TMP/err"
	expect_exit 0 "pkcs11 key public ($t)" "$T" key public --key "$U"
	expect_grep "pkcs11 key public id ($t)" "^keyid: $want\$" "$TMP/out"
	expect_exit 0 "pkcs11 sign ($t)" "$T" sign --key "$U" fw.bin -o "$t.env"
	expect_exit 0 "verify a pkcs11 signature ($t)" "$T" verify "$t.env" --key "$t.pub" --artifact fw.bin
	expect_exit 1 "pkcs11 envelope, other artifact ($t)" "$T" verify "$t.env" --key "$t.pub" --artifact fw-other.bin
	envelope_pae_sig "$t.env" "$t.pae" "$t.sig"
	case $t in
	ed25519) openssl pkeyutl -verify -pubin -inkey "$t.pub" -rawin -in "$t.pae" -sigfile "$t.sig" ;;
	p256) openssl dgst -sha256 -verify "$t.pub" -signature "$t.sig" "$t.pae" ;;
	rsa3072) openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
		-sigopt rsa_mgf1_md:sha256 -verify "$t.pub" -signature "$t.sig" "$t.pae" ;;
	esac >/dev/null 2>&1 && ok || not_ok "openssl does not verify the token's $t signature over the PAE"
	unset TRUSTLINE_PKCS11_PIN
done

# Errors: wrong PIN, no such token, no such object, not a PKCS#11 URI.
expect_exit 2 "wrong PIN" "$T" sign --key "pkcs11:token=tl-test;object=fw-p256?pin-value=9999" fw.bin
expect_grep "wrong PIN reason" 'C_Login' "$TMP/err"
expect_exit 2 "no such token" "$T" key public --key "pkcs11:token=nope;object=fw-p256?pin-value=1234"
expect_grep "no token reason" 'no PKCS#11 token' "$TMP/err"
expect_exit 2 "no such object" "$T" key public --key "pkcs11:token=tl-test;object=nope?pin-value=1234"
expect_grep "no object reason" 'no private key object' "$TMP/err"
expect_exit 2 "generate needs a label" "$T" key generate --key "pkcs11:token=tl-test?pin-value=1234" --type p256
expect_exit 2 "a bad PKCS#11 URI" "$T" key public --key "pkcs11:token=%zz"
# A token key verifies through its URI as --key too.
expect_exit 0 "verify with the token key URI" "$T" verify p256.env --key "pkcs11:token=tl-test;object=fw-p256?pin-value=1234"

finish
