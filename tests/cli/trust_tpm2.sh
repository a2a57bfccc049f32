#!/bin/bash
# End-to-end tests of TPM 2.0 keys against swtpm (started here, on a free
# local port, with its state in the test's temporary directory) through
# the tpm2-openssl provider: key blobs and a persistent handle; signatures
# made in the TPM verify with trustline and with the openssl command line.
# Skipped (exit 77) when swtpm or tpm2-openssl is not installed.
. "$(dirname "$0")/lib.sh"
T=$TRUSTLINE
cd "$TMP" || exit 2
start_swtpm_openssl
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

# check_key URI TYPE PUB: sign with the TPM key, verify with trustline and openssl.
check_key() {
	local U=$1 t=$2 pub=$3 name=$4
	expect_exit 0 "tpm2 sign ($name)" "$T" sign --key "$U" fw.bin -o "$name.env"
	expect_exit 0 "verify a TPM signature ($name)" "$T" verify "$name.env" --key "$pub" --artifact fw.bin
	expect_exit 1 "TPM envelope, other artifact ($name)" "$T" verify "$name.env" --key "$pub" --artifact fw-other.bin
	expect_grep "digest mismatch reason ($name)" 'digest mismatch' "$TMP/err"
	envelope_pae_sig "$name.env" "$name.pae" "$name.sig"
	case $t in
	p256) openssl dgst -sha256 -verify "$pub" -signature "$name.sig" "$name.pae" ;;
	# The TPM chooses the PSS salt length; openssl's "auto" accepts any.
	rsa3072) openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:auto \
		-sigopt rsa_mgf1_md:sha256 -verify "$pub" -signature "$name.sig" "$name.pae" ;;
	esac >/dev/null 2>&1 && ok || not_ok "openssl does not verify the TPM's $name signature over the PAE"
}

for t in p256 rsa3072; do
	U="tpm2:file=$TMP/$t.tpmkey"
	expect_exit 0 "tpm2 key generate $t" "$T" key generate --key "$U" --type "$t" -o "$t.pub"
	want=$(openssl pkey -pubin -in "$t.pub" -outform DER | sha256sum | cut -d' ' -f1)
	expect_grep "tpm2 key id ($t)" "^keyid: $want\$" "$TMP/out"
	grep -q 'BEGIN TSS2 PRIVATE KEY' "$t.tpmkey" && ok || not_ok "$t.tpmkey is not a TPM key blob"
	mode=$(stat -c %a "$t.tpmkey")
	[ "$mode" = 600 ] && ok || not_ok "$t.tpmkey mode $mode, expected 600"
	# The blob is no private key outside the TPM.
	openssl pkey -in "$t.tpmkey" -noout >/dev/null 2>&1 && not_ok "openssl read $t.tpmkey without the TPM" || ok
	expect_exit 2 "tpm2 generate never overwrites ($t)" "$T" key generate --key "$U" --type "$t"
	expect_exit 0 "tpm2 key public ($t)" "$T" key public --key "tpm2:$TMP/$t.tpmkey"
	expect_grep "tpm2 key public id ($t)" "^keyid: $want\$" "$TMP/out"
	check_key "$U" "$t" "$t.pub" "$t"
done
expect_exit 2 "no Ed25519 in a TPM" "$T" key generate --key "tpm2:file=$TMP/ed.tpmkey" --type ed25519
expect_grep "Ed25519 refusal reason" 'wrong key type' "$TMP/err"
expect_exit 2 "missing key blob" "$T" sign --key "tpm2:file=$TMP/none.tpmkey" fw.bin
expect_exit 2 "bad handle" "$T" sign --key "tpm2:handle=zzz" fw.bin

# A persistent handle, made with tpm2-tools (a real key in the TPM's NV).
if command -v tpm2_createprimary >/dev/null; then
	tpm2_createprimary -Q -C o -c prim.ctx && tpm2_create -Q -C prim.ctx -G ecc256:ecdsa-sha256 -u k.pub -r k.priv &&
		tpm2_flushcontext -t && tpm2_load -Q -C prim.ctx -u k.pub -r k.priv -c k.ctx &&
		tpm2_evictcontrol -Q -C o -c k.ctx 0x81000010 >/dev/null && tpm2_flushcontext -t &&
		ok || not_ok "tpm2-tools could not make a persistent key"
	expect_exit 0 "tpm2 key public (handle)" "$T" key public --key tpm2:handle=0x81000010 -o handle.pub
	check_key tpm2:handle=0x81000010 p256 handle.pub handle
	expect_exit 0 "verify with the handle as --key" "$T" verify handle.env --key tpm2:handle=0x81000010
else
	echo "note: tpm2-tools not installed; persistent handle not tested"
fi

finish
