#!/bin/bash
# The manufacturer PKI with keys in a PKCS#11 token (SoftHSM2, a token of
# its own in a temporary SOFTHSM2_CONF): root and issuing CA keys in the
# token sign the CA certificates, device certificates and CRLs with C_Sign;
# a device key in the token signs its CSR.  openssl verify accepts the
# chains and CRLs.  Skipped (exit 77) when softhsm2 is not installed.
. "$(dirname "$0")/lib.sh"
T=$TRUSTLINE
cd "$TMP" || exit 2
start_softhsm
printf '1234\n' >pin.txt
printf 'firmware image\n' >fw.bin
printf 'firmware imagf\n' >fw-other.bin
P="pkcs11:token=tl-test;object="
Q="?pin-value=1234"

# One CA per root key type: P-256, Ed25519 and RSA-3072 (RSA-PSS), with
# the issuing key of another type each time.
i=0
for pair in "p256 ed25519" "ed25519 rsa3072" "rsa3072 p256"; do
	set -- $pair; rt=$1; it=$2; i=$((i + 1))
	R="${P}root-$i$Q"; I="${P}issuing-$i$Q"; D="${P}dev-$i$Q"
	expect_exit 0 "root key $rt in the token" "$T" key generate --key "$R" --type "$rt"
	expect_exit 0 "issuing key $it in the token" "$T" key generate --key "$I" --type "$it"
	expect_exit 0 "device key $it in the token" "$T" key generate --key "$D" --type "$it" -o dev-$i.pub
	expect_exit 0 "ca init ($rt/$it in the token)" "$T" ca init --dir ca$i --root-key "$R" --issuing-key "$I" \
		--subject "/O=Acme/CN=Acme Root $i" --issuing-subject "/O=Acme/CN=Acme Issuing $i"
	openssl verify -CAfile ca$i/root.pem ca$i/issuing.pem >/dev/null 2>&1 && ok ||
		not_ok "openssl: token-signed issuing CA ($rt root) does not verify"
	expect_exit 0 "device csr with the token key ($it)" "$T" device csr --key "$D" --serial "HSM-$i" -o dev-$i.csr
	openssl req -in dev-$i.csr -noout -verify >/dev/null 2>&1 && ok || not_ok "openssl: token-signed CSR ($it)"
	expect_exit 0 "ca issue ($it issuing key in the token)" "$T" ca issue --dir ca$i --csr dev-$i.csr -o dev-$i.pem
	expect_exit 0 "ca crl ($rt/$it)" "$T" ca crl --dir ca$i -o crl-$i.pem
	openssl verify -CAfile ca$i/root.pem -untrusted ca$i/issuing.pem -crl_check_all -CRLfile crl-$i.pem dev-$i.pem \
		>ov.txt 2>&1 && ok || not_ok "openssl verify -crl_check_all ($rt/$it): $(cat ov.txt)"
	expect_exit 0 "sign with the token device key ($it)" "$T" sign --key "$D" fw.bin -o fw-$i.dsse
	expect_exit 0 "verify --cert ($rt/$it)" "$T" verify fw-$i.dsse --cert dev-$i.pem --roots ca$i/root.pem \
		--untrusted ca$i/issuing.pem --crl crl-$i.pem --artifact fw.bin
done
# Certificates from one token CA do not chain to another's root.
expect_exit 1 "chain to another root" "$T" verify fw-1.dsse --cert dev-1.pem --roots ca2/root.pem --untrusted ca1/issuing.pem
expect_grep "other root reason" 'unknown issuer' "$TMP/err"

finish
