#!/bin/bash
# End-to-end tests of device attestation (trustline attest, attest verify).
# The PKI is made with the openssl command line (root, issuing CA, device
# certificates, an expired one, a CRL); evidence is made with a file key
# (no quote) and with keys in swtpm (started here on a free local port):
# the quote is checked independently (python reads the TPMS_ATTEST against
# the TPM 2.0 structure layout, tpm2_checkquote verifies it, tpm2_pcrread
# gives the PCR values), and forged evidence must fail with its reason.
# The TPM part is skipped when swtpm, tpm2-tools or tpm2-openssl is missing.
. "$(dirname "$0")/lib.sh"
T=$TRUSTLINE
cd "$TMP" || exit 2

# expect_reason DESC PATTERN CMD...: CMD exits 1 and its stderr matches PATTERN.
expect_reason() {
	local desc=$1 pat=$2; shift 2
	expect_exit 1 "$desc" "$@"
	expect_grep "$desc: reason" "$pat" "$TMP/err"
	[ -n "${SHOW_REASONS:-}" ] && echo "$desc => $(cat "$TMP/err")"
}

# ---- PKI (openssl command line) ------------------------------------------
mkca() { # mkca NAME: a self-signed root NAME.pem/NAME.key
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null &&
		openssl req -x509 -new -key "$1.key" -subj "/O=Test Maker/CN=$1" -days 3650 \
			-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
			-out "$1.pem" 2>/dev/null
}
mkca root && mkca otherroot || { not_ok "openssl could not make the roots"; finish; exit 1; }
# The issuing CA, signed by the root, run with `openssl ca` (database, CRL).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out issuing.key 2>/dev/null
openssl req -new -key issuing.key -subj "/O=Test Maker/CN=issuing" -out issuing.csr
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' >ca.ext
openssl x509 -req -in issuing.csr -CA root.pem -CAkey root.key -set_serial 2 -days 3650 \
	-extfile ca.ext -out issuing.pem 2>/dev/null || not_ok "issuing CA"
mkdir ca && : >ca/index.txt && echo 1000 >ca/serial && echo 1000 >ca/crlnumber
cat >ca.cnf <<EOF
[ca]
default_ca = issuing
[issuing]
dir = $TMP/ca
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $TMP/issuing.pem
private_key = $TMP/issuing.key
default_md = sha256
default_days = 3650
default_crl_days = 30
policy = any
x509_extensions = device
unique_subject = no
[any]
commonName = supplied
serialNumber = optional
organizationName = optional
[device]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
EOF
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n' >dev.ext
# devcert PUB OUT [SERIAL]: a device certificate for public key PUB from the issuing CA.
devcert() {
	openssl x509 -req -in throwaway.csr -force_pubkey "$1" -CA issuing.pem -CAkey issuing.key \
		-set_serial "${3:-$RANDOM$RANDOM}" -days 3650 -extfile dev.ext -out "$2" 2>/dev/null
}
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out throwaway.key 2>/dev/null
openssl req -new -key throwaway.key -subj "/CN=device" -out throwaway.csr

printf 'firmware image 1.2.3\n' >fw.bin
printf '{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}\n' >sbom.json
FW256=$(sha256sum fw.bin | cut -d' ' -f1)
FW512=$(sha512sum fw.bin | cut -d' ' -f1)
SB256=$(sha256sum sbom.json | cut -d' ' -f1)
NONCE=$(openssl rand -hex 16)

# ---- a file key: evidence without a quote ---------------------------------
expect_exit 0 "file key" "$T" key generate --key dev.key --type p256 -o dev.pub
devcert dev.pub dev.pem 4096 || not_ok "device certificate"
cat issuing.pem >chain.pem
V=(--cert dev.pem --roots root.pem --untrusted chain.pem)
expect_exit 0 "attest (file key)" "$T" attest --key dev.key --nonce "$NONCE" --firmware fw.bin \
	--sbom sbom.json -o ev.json
expect_exit 0 "attest verify (file key)" "$T" attest verify ev.json --nonce "$NONCE" "${V[@]}"
expect_grep "no quote, said so" '^quote: none \(a file key' "$TMP/out"
expect_grep "firmware digest reported" "^firmware: sha256:$FW256\$" "$TMP/out"
# The payload, read independently: the statement the specification describes.
python3 - ev.json "$NONCE" "$FW256" "$FW512" "$SB256" <<'EOF' && ok || not_ok "evidence payload"
import base64, json, sys
env = json.load(open(sys.argv[1])); nonce, fw256, fw512, sb256 = sys.argv[2:6]
assert env["payloadType"] == "application/vnd.in-toto+json"
st = json.loads(base64.b64decode(env["payload"]))
assert st["_type"] == "https://in-toto.io/Statement/v1"
assert st["predicateType"] == "https://trustline.dev/attestation/device/v1"
subj = {s["name"]: s["digest"] for s in st["subject"]}
assert subj["fw.bin"] == {"sha256": fw256, "sha512": fw512}, subj
assert subj["sbom.json"]["sha256"] == sb256
p = st["predicate"]
assert p["nonce"] == nonce and p["quote"] is None and p["key"]["backend"] == "file"
assert p["firmware"]["digest"]["sha256"] == fw256
EOF
expect_exit 0 "expected firmware sha256" "$T" attest verify ev.json --nonce "$NONCE" "${V[@]}" \
	--expect-firmware "$FW256" --expect-sbom "$SB256"
expect_exit 0 "expected firmware sha512 (upper case)" "$T" attest verify ev.json --nonce "$NONCE" \
	"${V[@]}" --expect-firmware "${FW512^^}"
expect_reason "--expect-firmware mismatch" 'firmware digest mismatch' \
	"$T" attest verify ev.json --nonce "$NONCE" "${V[@]}" --expect-firmware "$SB256"
expect_reason "--expect-sbom mismatch" 'sbom digest mismatch' \
	"$T" attest verify ev.json --nonce "$NONCE" "${V[@]}" --expect-sbom "$FW256"
expect_reason "quote required, none there" 'no TPM quote' \
	"$T" attest verify ev.json --nonce "$NONCE" "${V[@]}" --require-quote
expect_reason "wrong nonce" 'nonce mismatch' \
	"$T" attest verify ev.json --nonce "$(openssl rand -hex 16)" "${V[@]}"
# The nonce with its lowest bit flipped.
last=${NONCE: -1}; flipped=${NONCE%?}$(printf "\\x$(printf %x $(( $(printf %d "'$last") ^ 1 )))")
expect_reason "nonce with a flipped bit" 'nonce mismatch' \
	"$T" attest verify ev.json --nonce "$flipped" "${V[@]}"

# flipjson IN OUT FIELD: flips one bit in the middle of a base64 member of the envelope.
flipjson() {
	python3 - "$@" <<'EOF'
import base64, json, sys
env = json.load(open(sys.argv[1])); f = sys.argv[3]
obj = env if f == "payload" else env["signatures"][0]
b = bytearray(base64.b64decode(obj[f])); b[len(b) // 2] ^= 0x10
obj[f] = base64.b64encode(bytes(b)).decode()
json.dump(env, open(sys.argv[2], "w"))
EOF
}
flipjson ev.json ev-payload.json payload
expect_reason "flipped bit in the payload" 'bad signature' \
	"$T" attest verify ev-payload.json --nonce "$NONCE" "${V[@]}"
flipjson ev.json ev-sig.json sig
expect_reason "flipped bit in the signature" 'bad signature' \
	"$T" attest verify ev-sig.json --nonce "$NONCE" "${V[@]}"
# A flipped bit in the certificate's signed part (inside the subject's CN).
python3 - dev.pem devflip.pem <<'EOF' && ok || not_ok "flip certificate"
import base64, sys
pem = open(sys.argv[1]).read().split("\n")
der = bytearray(base64.b64decode("".join(l for l in pem if l and not l.startswith("-----"))))
i = der.index(b"device"); der[i] ^= 0x01
b = base64.b64encode(bytes(der)).decode()
open(sys.argv[2], "w").write("-----BEGIN CERTIFICATE-----\n" +
    "\n".join(b[k:k + 64] for k in range(0, len(b), 64)) + "\n-----END CERTIFICATE-----\n")
EOF
expect_reason "flipped bit in the certificate" 'not verified: certificate: .*(bad signature|invalid)' \
	"$T" attest verify ev.json --nonce "$NONCE" --cert devflip.pem --roots root.pem --untrusted chain.pem
expect_reason "chain to another root" 'unknown issuer' \
	"$T" attest verify ev.json --nonce "$NONCE" --cert dev.pem --roots otherroot.pem --untrusted chain.pem
expect_reason "no intermediate given" 'unknown issuer' \
	"$T" attest verify ev.json --nonce "$NONCE" --cert dev.pem --roots root.pem
# Another device's (valid) certificate.
expect_exit 0 "second file key" "$T" key generate --key dev2.key --type p256 -o dev2.pub
devcert dev2.pub dev2.pem || not_ok "second device certificate"
expect_reason "certificate of another key" 'signature by key|bad signature' \
	"$T" attest verify ev.json --nonce "$NONCE" --cert dev2.pem --roots root.pem --untrusted chain.pem
# Expired and revoked certificates from `openssl ca`.
openssl req -new -key dev.key -subj "/CN=device/serialNumber=SN-0001" -out dev.csr
openssl ca -config ca.cnf -batch -notext -startdate 20200101000000Z -enddate 20210101000000Z \
	-in dev.csr -out expired.pem 2>/dev/null || not_ok "openssl ca: expired certificate"
expect_reason "expired device certificate" 'expired' \
	"$T" attest verify ev.json --nonce "$NONCE" --cert expired.pem --roots root.pem --untrusted chain.pem
openssl ca -config ca.cnf -batch -notext -in dev.csr -out revoked.pem 2>/dev/null &&
	openssl ca -config ca.cnf -revoke revoked.pem 2>/dev/null &&
	openssl ca -config ca.cnf -gencrl -out issuing.crl 2>/dev/null || not_ok "openssl ca: CRL"
printf '' >root-index.txt
cat >root.cnf <<EOF
[ca]
default_ca = r
[r]
database = $TMP/root-index.txt
crlnumber = $TMP/ca/crlnumber
certificate = $TMP/root.pem
private_key = $TMP/root.key
default_md = sha256
default_crl_days = 30
EOF
openssl ca -config root.cnf -gencrl -out root.crl 2>/dev/null || not_ok "root CRL"
cat issuing.crl root.crl >crls.pem
expect_exit 0 "unrevoked certificate with CRLs" "$T" attest verify ev.json --nonce "$NONCE" \
	"${V[@]}" --crl crls.pem
expect_reason "revoked device certificate" 'revoked' \
	"$T" attest verify ev.json --nonce "$NONCE" --cert revoked.pem --roots root.pem \
	--untrusted chain.pem --crl crls.pem
# Other predicate types and malformed evidence.
expect_exit 0 "sign an artifact statement" "$T" sign --key dev.key fw.bin -o art.json
expect_reason "wrong predicate type" 'wrong predicate type' \
	"$T" attest verify art.json --nonce "$NONCE" "${V[@]}"
printf '{"x":1}' >junk.json
expect_exit 2 "not an envelope" "$T" attest verify junk.json --nonce "$NONCE" "${V[@]}"
expect_exit 2 "no nonce" "$T" attest verify ev.json "${V[@]}"
expect_exit 2 "nothing to attest" "$T" attest --key dev.key --nonce x
expect_exit 2 "bad PCR list" "$T" attest --key dev.key --nonce x --firmware fw.bin --pcrs 24
expect_exit 2 "control character in the nonce" "$T" attest --key dev.key --nonce $'a\tb' --firmware fw.bin
expect_exit 2 "bad --expect-pcr" "$T" attest verify ev.json --nonce "$NONCE" "${V[@]}" --expect-pcr 3=00

# ---- keys in swtpm: evidence with a TPM2_Quote ----------------------------
tpm_ok=1
for c in swtpm swtpm_setup tpm2_createprimary tpm2_checkquote; do
	command -v $c >/dev/null || { echo "note: $c not installed: TPM attestation not tested"; tpm_ok=0; }
done
moddir=$(openssl version -m | sed 's/^MODULESDIR: "\(.*\)"$/\1/')
[ -f "$moddir/tpm2.so" ] || { echo "note: tpm2-openssl not installed: TPM attestation not tested"; tpm_ok=0; }
[ "$tpm_ok" = 1 ] || { finish; exit; }

start_swtpm
TCTI="swtpm:host=127.0.0.1,port=$port"
export TPM2TOOLS_TCTI=$TCTI
unset TPM2OPENSSL_TCTI

# Persistent keys made with tpm2-tools: P-256 without a scheme of its own
# (we pick ECDSA-SHA256), a second P-256 (another key), RSA-3072 (RSA-PSS).
mkkey() { # mkkey ALG HANDLE
	# (each tool leaves its transient objects loaded: flush after each)
	tpm2_create -Q -C prim.ctx -G "$1" -u k.pub -r k.priv && tpm2_flushcontext -t &&
		tpm2_load -Q -C prim.ctx -u k.pub -r k.priv -c k.ctx && tpm2_flushcontext -t &&
		tpm2_evictcontrol -Q -C o -c k.ctx "$2" >/dev/null && tpm2_flushcontext -t
}
tpm2_createprimary -Q -C o -c prim.ctx && tpm2_flushcontext -t &&
	mkkey ecc256 0x81000020 && mkkey ecc256 0x81000021 && mkkey rsa3072 0x81000022 &&
	ok || not_ok "tpm2-tools could not make the persistent keys"
K=tpm2:handle=0x81000020
export TPM2OPENSSL_TCTI=$TCTI
expect_exit 0 "public key of the TPM key" "$T" key public --key $K -o tpm.pub
expect_exit 0 "public key of the second TPM key" "$T" key public --key tpm2:handle=0x81000021 -o tpm2.pub
expect_exit 0 "public key of the RSA TPM key" "$T" key public --key tpm2:handle=0x81000022 -o tpmrsa.pub
unset TPM2OPENSSL_TCTI # --tpm names the TPM from here on
devcert tpm.pub tpmdev.pem || not_ok "TPM device certificate"
devcert tpmrsa.pub tpmrsa.pem || not_ok "RSA TPM device certificate"
VT=(--cert tpmdev.pem --roots root.pem --untrusted chain.pem)
# Something measured into PCR 16 (the debug PCR, resettable): its value is
# SHA-256(32 zero bytes || digest), computed here independently.
MEAS=$(printf 'boot loader 2.1\n' | sha256sum | cut -d' ' -f1)
tpm2_pcrextend 16:sha256="$MEAS" || not_ok "tpm2_pcrextend"
PCR16=$(python3 -c "import hashlib,sys; print(hashlib.sha256(bytes(32)+bytes.fromhex(sys.argv[1])).hexdigest())" "$MEAS")

expect_exit 0 "attest with a TPM quote" "$T" attest --key $K --tpm "$TCTI" --nonce "$NONCE" \
	--firmware fw.bin --sbom sbom.json --pcrs 0-7,16 -o tev.json
expect_exit 0 "attest verify with a quote" "$T" attest verify tev.json --nonce "$NONCE" "${VT[@]}" \
	--require-quote --expect-pcr 16="$PCR16" --expect-firmware "$FW256"
expect_grep "quote reported" '^quote: ecdsa-sha256' "$TMP/out"
expect_grep "PCR 16 reported" "^pcr 16: sha256:$PCR16\$" "$TMP/out"
# The quote, read independently: layout from TPM 2.0 Part 2, PCRs from
# tpm2_pcrread, the nonce binding from hashlib, the signature by tpm2_checkquote.
tpm2_pcrread -o pcrs.bin sha256:0,1,2,3,4,5,6,7,16 >/dev/null || not_ok "tpm2_pcrread"
python3 - tev.json "$NONCE" pcrs.bin <<'EOF' && ok || not_ok "independent reading of the quote"
import base64, hashlib, json, struct, sys
env = json.load(open(sys.argv[1])); nonce = sys.argv[2]
q = json.loads(base64.b64decode(env["payload"]))["predicate"]["quote"]
a = base64.b64decode(q["attest"]); open("attest.bin", "wb").write(a)
open("sig.bin", "wb").write(base64.b64decode(q["signature"]))
magic, typ = struct.unpack(">IH", a[:6]); assert (magic, typ) == (0xff544347, 0x8018), hex(magic)
o = 6
n, = struct.unpack(">H", a[o:o + 2]); o += 2 + n          # qualifiedSigner
n, = struct.unpack(">H", a[o:o + 2]); extra = a[o + 2:o + 2 + n]; o += 2 + n
assert extra == hashlib.sha256(nonce.encode()).digest(), "extraData"
o += 17 + 8                                               # clockInfo, firmwareVersion
count, = struct.unpack(">I", a[o:o + 4]); o += 4; assert count == 1
alg, size = struct.unpack(">HB", a[o:o + 3]); bits = a[o + 3:o + 3 + size]; o += 3 + size
assert alg == 0x000b and bits == bytes([0xff, 0x00, 0x01]), bits.hex()
n, = struct.unpack(">H", a[o:o + 2]); pcr_digest = a[o + 2:o + 2 + n]; assert o + 2 + n == len(a)
vals = [bytes.fromhex(p["sha256"]) for p in q["pcrs"]]
assert [p["index"] for p in q["pcrs"]] == [0, 1, 2, 3, 4, 5, 6, 7, 16]
assert hashlib.sha256(b"".join(vals)).digest() == pcr_digest, "pcrDigest"
assert open(sys.argv[3], "rb").read() == b"".join(vals), "tpm2_pcrread values"
EOF
tpm2_checkquote -u tpm.pub -m attest.bin -s sig.bin -g sha256 \
	-q "$(printf %s "$NONCE" | sha256sum | cut -d' ' -f1)" >/dev/null 2>&1 &&
	ok || not_ok "tpm2_checkquote does not verify our quote"
expect_reason "PCR 16 not what was expected" 'PCR mismatch: PCR 16' \
	"$T" attest verify tev.json --nonce "$NONCE" "${VT[@]}" --expect-pcr 16="$MEAS"
expect_reason "PCR not quoted" 'PCR mismatch: PCR 9 is not in the quote' \
	"$T" attest verify tev.json --nonce "$NONCE" "${VT[@]}" --expect-pcr 9="$MEAS"
expect_reason "wrong nonce (TPM)" 'nonce mismatch' \
	"$T" attest verify tev.json --nonce "$(openssl rand -hex 16)" "${VT[@]}"
expect_reason "TPM evidence, another root" 'unknown issuer' \
	"$T" attest verify tev.json --nonce "$NONCE" --cert tpmdev.pem --roots otherroot.pem --untrusted chain.pem
expect_reason "TPM evidence, --expect-firmware mismatch" 'firmware digest mismatch' \
	"$T" attest verify tev.json --nonce "$NONCE" "${VT[@]}" --expect-firmware "$SB256"

# Forgeries signed by the genuine device key, so that only the quote checks
# can catch them: the predicate is edited and the statement signed again
# (trustline sign --payload-type, with the key in the TPM).
# forge IN OUT PYTHON: runs PYTHON on the predicate p (and q = p["quote"]), re-signs.
forge() {
	python3 - "$1" payload.json "$3" <<'EOF' || return 1
import base64, json, sys
st = json.loads(base64.b64decode(json.load(open(sys.argv[1]))["payload"]))
p = st["predicate"]; q = p["quote"]
def other(path):
    return json.loads(base64.b64decode(json.load(open(path))["payload"]))["predicate"]["quote"]
exec(sys.argv[3])
open(sys.argv[2], "w").write(json.dumps(st))
EOF
	TPM2OPENSSL_TCTI=$TCTI "$T" sign --key $K --payload-type application/vnd.in-toto+json \
		payload.json -o "$2"
}
forge tev.json f-resign.json 'pass' && ok || not_ok "re-signing"
expect_exit 0 "re-signed unchanged evidence verifies" "$T" attest verify f-resign.json --nonce "$NONCE" "${VT[@]}"
forge tev.json f-pcr.json 'q["pcrs"][3]["sha256"] = "ab" * 32' && ok || not_ok "forge PCR"
expect_reason "a PCR value changed (re-signed)" 'PCR mismatch: the reported PCR values' \
	"$T" attest verify f-pcr.json --nonce "$NONCE" "${VT[@]}"
forge tev.json f-drop.json 'q["pcrs"].pop()' && ok || not_ok "forge PCR list"
expect_reason "a PCR dropped (re-signed)" 'PCR selection mismatch' \
	"$T" attest verify f-drop.json --nonce "$NONCE" "${VT[@]}"
# A quote of the same key for another challenge, replayed.
N2=$(openssl rand -hex 16)
expect_exit 0 "attest for another nonce" "$T" attest --key $K --tpm "$TCTI" --nonce "$N2" \
	--firmware fw.bin --pcrs 0-7,16 -o tev2.json
forge tev.json f-replay.json 'o = other("tev2.json"); q["attest"], q["signature"] = o["attest"], o["signature"]' &&
	ok || not_ok "forge replay"
expect_reason "quote replayed from another nonce" 'nonce mismatch: extraData' \
	"$T" attest verify f-replay.json --nonce "$NONCE" "${VT[@]}"
# The quote of another key in the TPM for the same nonce and PCRs.
expect_exit 0 "second TPM key certificate" devcert tpm2.pub tpmdev2.pem
expect_exit 0 "attest with the second key" "$T" attest --key tpm2:handle=0x81000021 \
	--tpm "$TCTI" --nonce "$NONCE" --firmware fw.bin --pcrs 0-7,16 -o tev3.json
forge tev.json f-otherkey.json 'o = other("tev3.json"); q["attest"], q["signature"] = o["attest"], o["signature"]' &&
	ok || not_ok "forge other key"
expect_reason "quote by another TPM key" 'quote: bad signature' \
	"$T" attest verify f-otherkey.json --nonce "$NONCE" "${VT[@]}"
forge tev.json f-attest.json 'b = bytearray(base64.b64decode(q["attest"])); b[40] ^= 1; q["attest"] = base64.b64encode(bytes(b)).decode()' &&
	ok || not_ok "forge attest bit"
expect_reason "flipped bit in the TPMS_ATTEST (re-signed)" 'quote: (bad signature|malformed)' \
	"$T" attest verify f-attest.json --nonce "$NONCE" "${VT[@]}"
forge tev.json f-trunc.json 'q["attest"] = base64.b64encode(base64.b64decode(q["attest"])[:-1]).decode()' &&
	ok || not_ok "forge truncated attest"
expect_reason "truncated TPMS_ATTEST (re-signed)" 'quote: malformed: .*pcrDigest' \
	"$T" attest verify f-trunc.json --nonce "$NONCE" "${VT[@]}"
forge tev.json f-nonce.json 'p["nonce"] = "'"$N2"'"' && ok || not_ok "forge nonce"
expect_reason "predicate nonce changed to match the quote's challenge" 'nonce mismatch: extraData' \
	"$T" attest verify f-nonce.json --nonce "$N2" "${VT[@]}"
forge tev.json f-noquote.json 'p["quote"] = None' && ok || not_ok "forge no quote"
expect_reason "quote removed, PCRs expected" 'no TPM quote' \
	"$T" attest verify f-noquote.json --nonce "$NONCE" "${VT[@]}" --expect-pcr 16="$PCR16"
# Without re-signing, an edited PCR breaks the envelope's signature.
python3 - tev.json f-unsigned.json <<'EOF' && ok || not_ok "edit PCR"
import base64, json, sys
env = json.load(open(sys.argv[1])); st = json.loads(base64.b64decode(env["payload"]))
st["predicate"]["quote"]["pcrs"][0]["sha256"] = "11" * 32
env["payload"] = base64.b64encode(json.dumps(st).encode()).decode(); json.dump(env, open(sys.argv[2], "w"))
EOF
expect_reason "a PCR value changed (not re-signed)" 'bad signature' \
	"$T" attest verify f-unsigned.json --nonce "$NONCE" "${VT[@]}"
# The quote checked with the wrong certificate's key.
expect_reason "TPM evidence, certificate of another key" 'signature by key|bad signature' \
	"$T" attest verify tev.json --nonce "$NONCE" --cert tpmdev2.pem --roots root.pem --untrusted chain.pem

# RSA-3072 in the TPM: RSA-PSS quote and envelope.
expect_exit 0 "attest with an RSA TPM key" "$T" attest --key tpm2:handle=0x81000022 --tpm "$TCTI" \
	--nonce "$NONCE" --sbom sbom.json -o tevrsa.json
expect_exit 0 "verify RSA evidence" "$T" attest verify tevrsa.json --nonce "$NONCE" --cert tpmrsa.pem \
	--roots root.pem --untrusted chain.pem --expect-sbom "$SB256" --require-quote
expect_grep "RSA-PSS quote" '^quote: rsapss-sha256' "$TMP/out"

# A restricted signing key (an attestation key): the TPM signs the envelope
# (tpm2-openssl hashes in the TPM for a ticket) and quotes, but refuses to
# sign bytes that start with TPM_GENERATED_VALUE, so even software holding
# the key cannot forge a quote.  An unrestricted key signs such bytes.
tpm2_create -Q -C prim.ctx -G ecc:ecdsa-sha256:null -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign' \
	-u r.pub -r r.priv && tpm2_flushcontext -t && tpm2_load -Q -C prim.ctx -u r.pub -r r.priv -c r.ctx &&
	tpm2_flushcontext -t && tpm2_evictcontrol -Q -C o -c r.ctx 0x81000023 >/dev/null && tpm2_flushcontext -t &&
	ok || not_ok "tpm2-tools could not make a restricted key"
expect_exit 0 "public key of the restricted key" env TPM2OPENSSL_TCTI="$TCTI" "$T" key public \
	--key tpm2:handle=0x81000023 -o tpmak.pub
devcert tpmak.pub tpmak.pem || not_ok "restricted key certificate"
expect_exit 0 "attest with a restricted key" "$T" attest --key tpm2:handle=0x81000023 --tpm "$TCTI" \
	--nonce "$NONCE" --firmware fw.bin --pcrs 16 -o tevak.json
expect_exit 0 "verify restricted-key evidence" "$T" attest verify tevak.json --nonce "$NONCE" \
	--cert tpmak.pem --roots root.pem --untrusted chain.pem --expect-pcr 16="$PCR16"
tpmsign() { # tpmsign HANDLE IN: sign IN's SHA-256 with the TPM key through tpm2-openssl
	TPM2OPENSSL_TCTI=$TCTI openssl pkeyutl -provider tpm2 -provider default -propquery '?provider=tpm2' \
		-sign -inkey "handle:$1" -rawin -digest sha256 -in "$2" -out /dev/null 2>/dev/null
}
tpmsign 0x81000023 fw.bin && ok || not_ok "the restricted key does not sign other bytes"
tpmsign 0x81000023 attest.bin && not_ok "the restricted key signed a TPMS_ATTEST" || ok
tpmsign 0x81000020 attest.bin && ok || not_ok "the unrestricted key did not sign a TPMS_ATTEST"

# The whole flow with trustline's own CA: the device's request signed by
# its attestation key in the TPM, the certificate from `ca issue`, then
# revocation through `ca revoke` and `ca crl`.
export TPM2OPENSSL_TCTI=$TCTI
expect_exit 0 "CA root key" "$T" key generate --key caroot.key --type p256
expect_exit 0 "CA issuing key" "$T" key generate --key caissuing.key --type p256
expect_exit 0 "trustline ca init" "$T" ca init --dir tlca --root-key caroot.key --issuing-key caissuing.key \
	--subject "/O=Test Maker/CN=Root" --issuing-subject "/O=Test Maker/CN=Device CA"
expect_exit 0 "device csr in the TPM" "$T" device csr --key tpm2:handle=0x81000023 --serial AK-0001 -o ak.csr
expect_exit 0 "ca issue" "$T" ca issue --dir tlca --csr ak.csr -o tlak.pem
expect_exit 0 "ca crl" "$T" ca crl --dir tlca -o tlcrl.pem
unset TPM2OPENSSL_TCTI
TL=(--cert tlak.pem --roots tlca/root.pem --untrusted tlca/issuing.pem)
expect_exit 0 "verify with trustline's CA" "$T" attest verify tevak.json --nonce "$NONCE" "${TL[@]}" \
	--crl tlcrl.pem --expect-pcr 16="$PCR16"
expect_exit 0 "ca revoke" "$T" ca revoke --dir tlca --serial "$(openssl x509 -in tlak.pem -noout -serial | cut -d= -f2)"
expect_exit 0 "ca crl after revocation" "$T" ca crl --dir tlca -o tlcrl2.pem
expect_reason "device revoked by trustline's CA" 'tlak.pem: revoked' \
	"$T" attest verify tevak.json --nonce "$NONCE" "${TL[@]}" --crl tlcrl2.pem
expect_exit 0 "ca issue, expired" env TPM2OPENSSL_TCTI="$TCTI" "$T" ca issue --dir tlca --csr ak.csr \
	--not-before 2020-01-01T00:00:00Z --not-after 2021-01-01T00:00:00Z -o tlexp.pem
expect_reason "device certificate expired (trustline's CA)" 'tlexp.pem: expired' \
	"$T" attest verify tevak.json --nonce "$NONCE" --cert tlexp.pem --roots tlca/root.pem --untrusted tlca/issuing.pem

# A key blob has no persistent handle to quote with.
expect_exit 0 "TPM key blob" env TPM2OPENSSL_TCTI="$TCTI" "$T" key generate --key "tpm2:file=$TMP/blob.tpmkey" --type p256
expect_exit 2 "quote needs a persistent handle" "$T" attest --key "tpm2:file=$TMP/blob.tpmkey" \
	--tpm "$TCTI" --nonce "$NONCE" --firmware fw.bin
expect_grep "persistent handle reason" 'persistent handle' "$TMP/err"

finish
