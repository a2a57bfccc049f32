#!/bin/bash
# The manufacturer PKI with keys in a TPM 2.0 (swtpm, started here on a
# free local port, through the tpm2-openssl provider): the device builds
# its CSR with a key that never leaves the TPM, the issuing CA's key is in
# the TPM too and signs the device certificate and the CRL there; openssl
# verify accepts the chain and the CRL.  Skipped (exit 77) without swtpm
# or tpm2-openssl.
. "$(dirname "$0")/lib.sh"
T=$TRUSTLINE
cd "$TMP" || exit 2
start_swtpm_openssl
printf 'firmware image\n' >fw.bin

D="tpm2:file=$TMP/dev.tpmkey"
I="tpm2:file=$TMP/issuing.tpmkey"
expect_exit 0 "device key in the TPM" "$T" key generate --key "$D" --type p256 -o dev.pub
expect_exit 0 "issuing CA key in the TPM" "$T" key generate --key "$I" --type p256 -o issuing.pub
expect_exit 0 "root key (file)" "$T" key generate --key root.key --type p256
expect_exit 0 "ca init, issuing key in the TPM" "$T" ca init --dir ca --root-key root.key --issuing-key "$I" \
	--subject "/O=Acme/CN=Acme Root" --issuing-subject "/O=Acme/CN=Acme TPM Issuing CA"
[ "$(openssl x509 -in ca/issuing.pem -noout -pubkey)" = "$(cat issuing.pub)" ] && ok ||
	not_ok "issuing CA certificate does not carry the TPM key"
expect_exit 0 "device csr with the TPM key" "$T" device csr --key "$D" --serial TPM-0042 --product "Sensor S2" -o dev.csr
openssl req -in dev.csr -noout -verify >/dev/null 2>&1 && ok || not_ok "openssl: the TPM-signed CSR does not verify"
[ "$(openssl req -in dev.csr -noout -pubkey)" = "$(cat dev.pub)" ] && ok || not_ok "the CSR does not carry the TPM key"
expect_exit 0 "ca issue signed in the TPM" "$T" ca issue --dir ca --csr dev.csr -o dev.pem
openssl x509 -in dev.pem -noout -subject >subj.txt
expect_grep "802.1AR subject" 'subject=O = Acme, OU = Sensor S2, serialNumber = TPM-0042' subj.txt
expect_exit 0 "ca crl signed in the TPM" "$T" ca crl --dir ca -o crl.pem
openssl verify -CAfile ca/root.pem -untrusted ca/issuing.pem -crl_check_all -CRLfile crl.pem dev.pem >ov.txt 2>&1 &&
	ok || not_ok "openssl verify -crl_check_all: $(cat ov.txt)"
expect_exit 0 "sign with the TPM device key" "$T" sign --key "$D" fw.bin -o fw.dsse
expect_exit 0 "verify --cert (TPM device)" "$T" verify fw.dsse --cert dev.pem --roots ca/root.pem \
	--untrusted ca/issuing.pem --crl crl.pem --artifact fw.bin
serial=$(openssl x509 -in dev.pem -noout -serial | cut -d= -f2)
expect_exit 0 "ca revoke" "$T" ca revoke --dir ca --serial "$serial" --reason keyCompromise
expect_exit 0 "ca crl after revocation" "$T" ca crl --dir ca -o crl2.pem
openssl verify -CAfile ca/root.pem -untrusted ca/issuing.pem -crl_check_all -CRLfile crl2.pem dev.pem 2>&1 |
	grep -q 'certificate revoked' && ok || not_ok "openssl does not see the TPM device revoked"
expect_exit 1 "revoked TPM device" "$T" verify fw.dsse --cert dev.pem --roots ca/root.pem --untrusted ca/issuing.pem --crl crl2.pem
expect_grep "revoked reason" 'dev.pem: revoked: certificate revoked' "$TMP/err"

# An RSA-3072 root key in the TPM (RSA-PSS: the TPM picks the salt length,
# which must match the 32 the certificate's AlgorithmIdentifier states).
R="tpm2:file=$TMP/root-rsa.tpmkey"
expect_exit 0 "RSA-3072 root key in the TPM" "$T" key generate --key "$R" --type rsa3072
expect_exit 0 "ca init, RSA root in the TPM" "$T" ca init --dir ca-rsa --root-key "$R" --issuing-key "$I" \
	--subject "/O=Acme/CN=Acme RSA Root" --issuing-subject "/O=Acme/CN=Acme Issuing 2"
openssl verify -CAfile ca-rsa/root.pem ca-rsa/issuing.pem >ov.txt 2>&1 && ok ||
	not_ok "openssl: issuing CA signed by the TPM's RSA key: $(cat ov.txt)"
openssl x509 -in ca-rsa/root.pem -noout -text | grep -q 'Salt Length: 0x20' && ok || not_ok "RSA-PSS salt length is not 32"

finish
