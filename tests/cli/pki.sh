#!/bin/bash
# End-to-end tests of the manufacturer PKI with file keys: trustline ca
# init/issue/revoke/crl, device csr, and verify --cert.  Facts are checked
# with the openssl command line (openssl verify -crl_check_all, x509 -text,
# asn1parse, req -verify, crl -text), not with our own output; every forged
# input must fail with its reason.
. "$(dirname "$0")/lib.sh"
T=$TRUSTLINE
cd "$TMP" || exit 2
printf 'firmware image\n' >fw.bin

# flip FILE.pem OUT.pem OFFSET_FROM_END KIND [TEXT]: flips the low bit of
# one DER byte counted from the end (inside the signature), or of the last
# byte of TEXT, and writes PEM again.
flip() {
	python3 - "$@" <<'EOF'
import base64, sys, re
src, dst, back, kind = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
m = re.search(r"-----BEGIN %s-----(.*?)-----END %s-----" % (kind, kind), open(src).read(), re.S)
der = bytearray(base64.b64decode("".join(m.group(1).split())))
# With a 5th argument, the byte flipped is the last of that text instead.
i = der.index(sys.argv[5].encode()) + len(sys.argv[5]) - 1 if len(sys.argv) > 5 else len(der) - back
der[i] ^= 1
b = base64.b64encode(bytes(der)).decode()
open(dst, "w").write("-----BEGIN %s-----\n%s\n-----END %s-----\n" % (kind, "\n".join(b[i:i+64] for i in range(0, len(b), 64)), kind))
EOF
}

for k in root issuing dev other; do
	expect_exit 0 "key generate $k" "$T" key generate --key $k.key --type p256
done
expect_exit 0 "key generate ed25519" "$T" key generate --key dev-ed.key --type ed25519
expect_exit 0 "key generate rsa3072" "$T" key generate --key dev-rsa.key --type rsa3072

# ---- ca init: root and issuing CA -------------------------------------------
expect_exit 0 "ca init" "$T" ca init --dir ca --root-key root.key --issuing-key issuing.key \
	--subject "/O=Acme Corp/CN=Acme Root CA" --issuing-subject "/O=Acme Corp/CN=Acme Device CA" \
	--crl-url http://crl.example/acme-device-ca.crl
for f in root.pem issuing.pem chain.pem index.json ca.json; do
	[ -s ca/$f ] && ok || not_ok "ca init did not write ca/$f"
done
expect_exit 2 "ca init refuses an existing CA" "$T" ca init --dir ca --root-key root.key --issuing-key issuing.key
expect_grep "existing CA reason" 'already a CA directory' "$TMP/err"
openssl verify -CAfile ca/root.pem ca/issuing.pem >/dev/null 2>&1 && ok || not_ok "openssl: issuing CA does not chain to the root"
openssl x509 -in ca/root.pem -noout -text >root.txt
expect_grep "root is a CA" 'CA:TRUE' root.txt
expect_grep "root signs certificates and CRLs" 'Certificate Sign, CRL Sign' root.txt
expect_grep "root subject" 'Subject: O = Acme Corp, CN = Acme Root CA' root.txt
openssl x509 -in ca/issuing.pem -noout -text >issuing.txt
expect_grep "issuing CA path length 0" 'CA:TRUE, pathlen:0' issuing.txt
expect_grep "issuing CA issuer" 'Issuer: O = Acme Corp, CN = Acme Root CA' issuing.txt
# The root's key is the one in root.key.
[ "$(openssl x509 -in ca/root.pem -noout -pubkey)" = "$(openssl pkey -in root.key -pubout)" ] && ok ||
	not_ok "root certificate key is not root.key's"

# A ca.json whose key URIs were swapped is caught before anything is signed.
cp -r ca ca-swapped
python3 -c 'import json, sys; p = sys.argv[1]; c = json.load(open(p))
c["rootKey"], c["issuingKey"] = c["issuingKey"], c["rootKey"]; json.dump(c, open(p, "w"))' ca-swapped/ca.json
expect_exit 2 "ca crl with swapped keys" "$T" ca crl --dir ca-swapped -o swapped.pem
expect_grep "swapped keys reason" 'ca.json: issuingKey .*root.key is not the key of the issuing CA certificate' "$TMP/err"

# ---- device csr and ca issue ---------------------------------------------------
expect_exit 0 "device csr" "$T" device csr --key dev.key --serial SN-0001 --product "Gateway X1" -o dev.csr
openssl req -in dev.csr -noout -verify >/dev/null 2>&1 && ok || not_ok "openssl: the CSR's signature does not verify"
openssl req -in dev.csr -noout -subject >csr.txt
expect_grep "CSR subject" 'OU = Gateway X1, serialNumber = SN-0001' csr.txt
expect_exit 0 "ca issue" "$T" ca issue --dir ca --csr dev.csr -o dev.pem
expect_grep "ca issue prints the serial" '^serial: [0-9a-f]{32}$' "$TMP/out"
serial=$(openssl x509 -in dev.pem -noout -serial | cut -d= -f2)
[ ${#serial} -eq 32 ] && ok || not_ok "serial $serial is not 128 bits"
[ -s "ca/certs/$(echo "$serial" | tr A-F a-f).pem" ] && ok || not_ok "ca/certs has no copy of $serial"
openssl x509 -in dev.pem -noout -text >dev.txt
expect_grep "802.1AR subject serialNumber and product" 'Subject: O = Acme Corp, OU = Gateway X1, serialNumber = SN-0001' dev.txt
expect_grep "device certificate issuer" 'Issuer: O = Acme Corp, CN = Acme Device CA' dev.txt
expect_grep "keyUsage critical" 'X509v3 Key Usage: critical' dev.txt
grep -A1 'X509v3 Key Usage: critical' dev.txt | grep -qx ' *Digital Signature' && ok || not_ok "keyUsage is not digitalSignature alone"
expect_grep "not a CA" 'CA:FALSE' dev.txt
expect_grep "CRL distribution point" 'URI:http://crl.example/acme-device-ca.crl' dev.txt
expect_grep "no expiry (openssl text)" 'Not After : Dec 31 23:59:59 9999 GMT' dev.txt
# 802.1AR / RFC 5280 4.1.2.5: notAfter is the GeneralizedTime 99991231235959Z.
openssl x509 -in dev.pem -outform DER | openssl asn1parse -inform DER >dev.asn1
expect_grep "notAfter GeneralizedTime 99991231235959Z" 'GENERALIZEDTIME +:99991231235959Z' dev.asn1
expect_grep "serialNumber attribute 2.5.4.5 is a PrintableString" 'serialNumber *$' dev.asn1
grep -A1 ':serialNumber *$' dev.asn1 | grep -q 'PRINTABLESTRING *:SN-0001' && ok || not_ok "serialNumber value not PRINTABLESTRING SN-0001"
# AKID of the device certificate = SKID of the issuing CA.
skid=$(grep -A1 'Subject Key Identifier' issuing.txt | tail -1 | tr -d ' ')
akid=$(grep -A1 'Authority Key Identifier' dev.txt | tail -1 | tr -d ' ' | sed 's/^keyid://')
[ -n "$skid" ] && [ "$skid" = "$akid" ] && ok || not_ok "device AKID $akid != issuing SKID $skid"
grep -q 'Subject Key Identifier' dev.txt && ok || not_ok "device certificate has no SKID"

# ---- chains and CRLs verify with openssl ---------------------------------------
expect_exit 0 "ca crl" "$T" ca crl --dir ca -o crl1.pem
n=$(grep -c 'BEGIN X509 CRL' crl1.pem)
[ "$n" = 2 ] && ok || not_ok "ca crl wrote $n CRLs, expected the issuing CA's and the root's"
openssl verify -CAfile ca/root.pem -untrusted ca/issuing.pem -crl_check_all -CRLfile crl1.pem dev.pem >ov.txt 2>&1 &&
	ok || not_ok "openssl verify -crl_check_all rejects the device certificate: $(cat ov.txt)"
openssl crl -in crl1.pem -noout -text >crl1.txt
expect_grep "v2 CRL" 'Version 2 \(0x1\)' crl1.txt
grep -A1 'CRL Number' crl1.txt | grep -qx ' *1' && ok || not_ok "first CRL number is not 1"
expect_exit 0 "sign with the device key" "$T" sign --key dev.key fw.bin -o fw.dsse
expect_exit 0 "verify --cert with chain and CRLs" "$T" verify fw.dsse --cert dev.pem --roots ca/root.pem \
	--untrusted ca/issuing.pem --crl crl1.pem --artifact fw.bin
expect_grep "verify --cert says the chain verified" 'chain to ca/root.pem verified, not revoked' "$TMP/out"
expect_exit 0 "verify --cert without CRLs" "$T" verify fw.dsse --cert dev.pem --roots ca/root.pem --untrusted ca/issuing.pem
# Ed25519 and RSA-3072 device keys too.
for t in ed rsa; do
	expect_exit 0 "device csr ($t)" "$T" device csr --key dev-$t.key --serial SN-$t -o dev-$t.csr
	expect_exit 0 "ca issue ($t)" "$T" ca issue --dir ca --csr dev-$t.csr -o dev-$t.pem
	openssl verify -CAfile ca/root.pem -untrusted ca/issuing.pem dev-$t.pem >/dev/null 2>&1 && ok ||
		not_ok "openssl verify rejects the $t device certificate"
	expect_exit 0 "sign ($t)" "$T" sign --key dev-$t.key fw.bin -o fw-$t.dsse
	expect_exit 0 "verify --cert ($t)" "$T" verify fw-$t.dsse --cert dev-$t.pem --roots ca/root.pem --untrusted ca/issuing.pem
done

# ---- forged inputs ----------------------------------------------------------------
# A flipped bit in the certificate's signature.
flip dev.pem dev-flip.pem 3 CERTIFICATE
openssl verify -CAfile ca/root.pem -untrusted ca/issuing.pem dev-flip.pem >/dev/null 2>&1 &&
	not_ok "openssl accepts the flipped certificate" || ok
expect_exit 1 "flipped bit in the certificate" "$T" verify fw.dsse --cert dev-flip.pem --roots ca/root.pem --untrusted ca/issuing.pem
expect_grep "flipped certificate reason" 'not verified: certificate: dev-flip.pem: bad signature: certificate signature failure' "$TMP/err"
expect_one_line "one line for the flipped certificate" "$TMP/err"
# A flipped bit in the subject (signed part: SN-0001 becomes SN-0000) too.
flip dev.pem dev-flip2.pem 0 CERTIFICATE SN-0001
grep -q 'serialNumber = SN-0000' <(openssl x509 -in dev-flip2.pem -noout -subject) && ok || not_ok "flip in the subject missed"
expect_exit 1 "flipped bit in the signed part" "$T" verify fw.dsse --cert dev-flip2.pem --roots ca/root.pem --untrusted ca/issuing.pem
expect_grep "flipped signed part reason" 'bad signature' "$TMP/err"

# A chain to another root.
expect_exit 0 "second CA" "$T" ca init --dir ca2 --root-key other.key --issuing-key issuing.key \
	--subject "/O=Other/CN=Other Root" --issuing-subject "/O=Other/CN=Other Device CA"
expect_exit 0 "second CA issues" "$T" ca issue --dir ca2 --csr dev.csr -o dev2.pem
openssl verify -CAfile ca/root.pem -untrusted ca2/issuing.pem dev2.pem >/dev/null 2>&1 &&
	not_ok "openssl accepts a chain to another root" || ok
expect_exit 1 "chain to another root" "$T" verify fw.dsse --cert dev2.pem --roots ca/root.pem --untrusted ca2/issuing.pem
expect_grep "other root reason" 'dev2.pem: unknown issuer' "$TMP/err"
expect_exit 1 "no intermediate" "$T" verify fw.dsse --cert dev.pem --roots ca/root.pem
expect_grep "missing intermediate reason" 'unknown issuer: unable to get local issuer certificate' "$TMP/err"
# Roots are the only anchors: the issuing CA given as untrusted is not one.
expect_exit 1 "an untrusted CA is no anchor" "$T" verify fw.dsse --cert dev.pem --roots ca2/root.pem --untrusted ca/chain.pem
expect_grep "untrusted anchor reason" 'unknown issuer' "$TMP/err"

# An expired certificate.
expect_exit 0 "ca issue with a past validity" "$T" ca issue --dir ca --csr dev.csr \
	--not-before 2020-01-01T00:00:00Z --not-after 2021-01-01T00:00:00Z -o dev-old.pem
openssl verify -CAfile ca/root.pem -untrusted ca/issuing.pem dev-old.pem 2>&1 | grep -q 'certificate has expired' &&
	ok || not_ok "openssl does not call dev-old.pem expired"
expect_exit 1 "expired certificate" "$T" verify fw.dsse --cert dev-old.pem --roots ca/root.pem --untrusted ca/issuing.pem
expect_grep "expired reason" 'dev-old.pem: expired: certificate has expired \(certificate at depth 0' "$TMP/err"
expect_exit 0 "verify --at a later time in the CA's life" "$T" verify fw.dsse --cert dev.pem \
	--roots ca/root.pem --untrusted ca/issuing.pem --at 2040-06-01T00:00:00Z
expect_exit 1 "at 2020 the CA certificates are not valid yet" "$T" verify fw.dsse --cert dev-old.pem \
	--roots ca/root.pem --untrusted ca/issuing.pem --at 2020-06-01T00:00:00Z
expect_grep "CA not yet valid reason" 'not yet valid' "$TMP/err"

# Wrong key types: a CSR the CA refuses, and a certificate whose key did not sign.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout p384.key \
	-subj /serialNumber=SN-384 -out p384.csr 2>/dev/null
expect_exit 1 "CSR with a P-384 key" "$T" ca issue --dir ca --csr p384.csr -o p384.pem
expect_grep "P-384 reason" 'p384.csr: wrong key type: EC curve secp384r1' "$TMP/err"
[ ! -e p384.pem ] && ok || not_ok "a refused CSR left a certificate"
expect_exit 1 "certificate of another key type" "$T" verify fw.dsse --cert dev-ed.pem --roots ca/root.pem --untrusted ca/issuing.pem
expect_grep "other key type reason" 'wrong key type' "$TMP/err"
expect_exit 1 "certificate of another key" "$T" verify fw-rsa.dsse --cert dev.pem --roots ca/root.pem --untrusted ca/issuing.pem
expect_grep "other key reason" 'not verified: (no signature by key|wrong key type)' "$TMP/err"
expect_exit 0 "sign with another P-256 key" "$T" sign --key other.key fw.bin -o fw-other.dsse
expect_exit 1 "certificate of another key of the same type" "$T" verify fw-other.dsse --cert dev.pem --roots ca/root.pem --untrusted ca/issuing.pem
expect_grep "same-type other key reason" 'not verified: no signature by key [0-9a-f]{64}' "$TMP/err"
flip dev.csr dev-flip.csr 3 'CERTIFICATE REQUEST'
expect_exit 1 "CSR with a flipped bit" "$T" ca issue --dir ca --csr dev-flip.csr
expect_grep "forged CSR reason" 'dev-flip.csr: bad signature: the certificate request is not signed by its own key' "$TMP/err"
expect_exit 1 "serial mismatch" "$T" ca issue --dir ca --csr dev.csr --serial-number SN-0002
expect_grep "serial mismatch reason" 'serial mismatch' "$TMP/err"
expect_exit 1 "a CA certificate is no signer" "$T" verify fw.dsse --cert ca/issuing.pem --roots ca/root.pem
expect_grep "CA as leaf reason" 'key usage' "$TMP/err"

# CRLs: a missing one fails closed, a flipped bit fails, revocation works.
openssl crl -in crl1.pem >crl-issuing-only.pem 2>/dev/null
expect_exit 1 "root CRL missing" "$T" verify fw.dsse --cert dev.pem --roots ca/root.pem --untrusted ca/issuing.pem --crl crl-issuing-only.pem
expect_grep "missing CRL reason" 'no CRL: unable to get certificate CRL \(certificate at depth 1' "$TMP/err"
flip crl-issuing-only.pem crl-flip.pem 3 'X509 CRL'
python3 -c 'import sys; t=open(sys.argv[1]).read(); i=t.index("-----END X509 CRL-----")+23; print(t[i:].strip())' crl1.pem >crl-root-only.pem
cat crl-flip.pem crl-root-only.pem >crl-forged.pem
openssl verify -CAfile ca/root.pem -untrusted ca/issuing.pem -crl_check_all -CRLfile crl-forged.pem dev.pem >/dev/null 2>&1 &&
	not_ok "openssl accepts the flipped CRL" || ok
expect_exit 1 "flipped bit in the CRL" "$T" verify fw.dsse --cert dev.pem --roots ca/root.pem --untrusted ca/issuing.pem --crl crl-forged.pem
expect_grep "flipped CRL reason" 'bad CRL signature: CRL signature failure' "$TMP/err"
expect_exit 0 "two CRL files" "$T" verify fw.dsse --cert dev.pem --roots ca/root.pem --untrusted ca/issuing.pem \
	--crl crl-issuing-only.pem --crl crl-root-only.pem

expect_exit 0 "ca revoke" "$T" ca revoke --dir ca --serial "$serial" --reason keyCompromise
expect_exit 2 "revoke twice" "$T" ca revoke --dir ca --serial "$serial"
expect_exit 2 "revoke an unknown serial" "$T" ca revoke --dir ca --serial 0123456789abcdef
expect_grep "unknown serial reason" 'no certificate with serial 123456789abcdef was issued here' "$TMP/err"
expect_exit 2 "bad reason" "$T" ca revoke --dir ca --serial "$serial" --reason lost
expect_exit 0 "ca crl after revocation" "$T" ca crl --dir ca -o crl2.pem --days 7
openssl crl -in crl2.pem -noout -text >crl2.txt
grep -A1 'CRL Number' crl2.txt | head -2 | grep -qx ' *2' && ok || not_ok "second CRL number is not 2"
expect_grep "revoked serial listed" "Serial Number: $serial" crl2.txt
expect_grep "reason code" 'Key Compromise' crl2.txt
openssl verify -CAfile ca/root.pem -untrusted ca/issuing.pem -crl_check_all -CRLfile crl2.pem dev.pem 2>&1 |
	grep -q 'certificate revoked' && ok || not_ok "openssl does not see dev.pem revoked"
expect_exit 1 "revoked certificate" "$T" verify fw.dsse --cert dev.pem --roots ca/root.pem --untrusted ca/issuing.pem --crl crl2.pem
expect_grep "revoked reason" 'dev.pem: revoked: certificate revoked \(certificate at depth 0: "serialNumber=SN-0001,OU=Gateway X1,O=Acme Corp"\)' "$TMP/err"
expect_one_line "one line for the revoked certificate" "$TMP/err"
expect_exit 0 "others stay valid" "$T" verify fw-ed.dsse --cert dev-ed.pem --roots ca/root.pem --untrusted ca/issuing.pem --crl crl2.pem
# Revoking the issuing CA (root CRL) revokes every device under it.
iss=$(openssl x509 -in ca/issuing.pem -noout -serial | cut -d= -f2)
expect_exit 0 "revoke the issuing CA" "$T" ca revoke --dir ca --serial "$iss" --reason cACompromise
expect_exit 0 "ca crl 3" "$T" ca crl --dir ca -o crl3.pem
expect_exit 1 "device under a revoked CA" "$T" verify fw-ed.dsse --cert dev-ed.pem --roots ca/root.pem --untrusted ca/issuing.pem --crl crl3.pem
expect_grep "revoked CA reason" 'revoked: certificate revoked \(certificate at depth 1: "CN=Acme Device CA,O=Acme Corp"\)' "$TMP/err"
openssl crl -in crl-root-only.pem -noout >/dev/null 2>&1 && ok || not_ok "root CRL split failed"
python3 - ca/index.json "$serial" <<'EOF' && ok || not_ok "index.json does not record the revocations"
import json, sys
ix = json.load(open(sys.argv[1])); s = sys.argv[2].lower()
st = {c["serial"]: c for c in ix["certificates"]}
assert ix["crlNumber"] == 3, ix["crlNumber"]
assert st[s]["status"] == "revoked" and st[s]["reason"] == "keyCompromise"
assert sum(1 for c in ix["certificates"] if c["issuer"] == "issuing") == 4
EOF

# Usage and input errors.
expect_exit 2 "verify --cert without --roots" "$T" verify fw.dsse --cert dev.pem
expect_exit 2 "verify --key and --cert" "$T" verify fw.dsse --cert dev.pem --key dev.key --roots ca/root.pem
expect_exit 2 "not a certificate" "$T" verify fw.dsse --cert fw.bin --roots ca/root.pem
expect_grep "not a certificate reason" 'fw.bin: certificate 1: not a valid X.509 certificate' "$TMP/err"
expect_exit 2 "not a CRL" "$T" verify fw.dsse --cert dev.pem --roots ca/root.pem --crl dev.pem
expect_grep "not a CRL reason" 'dev.pem: PEM block 1: expected "X509 CRL", got CERTIFICATE' "$TMP/err"
expect_exit 2 "missing roots file" "$T" verify fw.dsse --cert dev.pem --roots nonexistent.pem
expect_exit 2 "device csr bad serial" "$T" device csr --key dev.key --serial 'SN_1*' -o x.csr
expect_exit 2 "ca issue without a CA" "$T" ca issue --dir nonexistent --csr dev.csr
# -o to a FIFO (as to /dev/null) writes into it and leaves it a FIFO.
mkfifo out.fifo
timeout 20 cat out.fifo >fifo.txt &
expect_exit 0 "device csr -o FIFO" "$T" device csr --key dev.key --serial SN-9 -o out.fifo
wait
[ -p out.fifo ] && ok || not_ok "-o replaced the FIFO with a file"
expect_grep "CSR written through the FIFO" 'BEGIN CERTIFICATE REQUEST' fifo.txt

finish
