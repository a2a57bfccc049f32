#!/bin/bash
# Benchmark: signs and verifies per second through trustline's key
# interface for Ed25519, ECDSA P-256 and RSA-3072, for each backend we can
# run here (file keys; a SoftHSM2 token through PKCS#11 when softhsm2 is
# installed; swtpm through the TPM backend when swtpm and tpm2-openssl are
# installed), printed next to `openssl speed` for the same algorithms in
# the same run.
#
#   bench/sign.sh [BUILD_DIR] [SECONDS]   (default: build, 3 s per measurement)
#
# What is compared: `openssl speed` signs a precomputed 20- or 36-byte
# digest with a context set up once (RSA with PKCS#1 v1.5); trustline
# signs a 64-byte message end to end as a caller would: SHA-256 where the
# algorithm has one, a fresh context per call, RSA-PSS.  Both count per
# second of process CPU time.  Verification always runs in software with
# the public key, whatever the backend.  Ratio = trustline / openssl.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
secs=${2:-3}
out=bench/out
mkdir -p "$out"
[ -f "$build/libtrustline.so" ] || { echo "build first: ninja -C $build" >&2; exit 2; }

cc -O2 -std=c17 -D_GNU_SOURCE -Iinclude bench/sign_bench.c -o "$out/sign_bench" \
	-L"$build" -ltrustline -Wl,-rpath,"$PWD/$build"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

keys=()
for t in ed25519 p256 rsa3072; do keys+=("file:$t:$work/$t.pem"); done
if command -v softhsm2-util >/dev/null; then
	mkdir "$work/tokens"
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$work" >"$work/softhsm2.conf"
	export SOFTHSM2_CONF=$work/softhsm2.conf
	softhsm2-util --init-token --free --label bench --pin 1234 --so-pin 5678 >/dev/null
	for t in ed25519 p256 rsa3072; do keys+=("softhsm2:$t:pkcs11:token=bench;object=$t?pin-value=1234"); done
else
	echo "note: softhsm2 not installed; PKCS#11 not measured"
fi

tpmkeys=()
moddir=$(openssl version -m | sed 's/^MODULESDIR: "\(.*\)"$/\1/')
if command -v swtpm >/dev/null && command -v swtpm_setup >/dev/null && [ -f "$moddir/tpm2.so" ]; then
	mkdir "$work/tpm"
	swtpm_setup --tpm2 --tpmstate "$work/tpm" --createek --overwrite >/dev/null 2>&1
	read -r port cport < <(python3 -c 'import socket
# The swtpm TCTI takes the control port to be the server port + 1.
while True:
    a, b = socket.socket(), socket.socket(); a.bind(("127.0.0.1", 0)); p = a.getsockname()[1]
    try:
        b.bind(("127.0.0.1", p + 1)); break
    except OSError:
        pass
a.close(); b.close()
print(p, p + 1)')
	swtpm socket --tpm2 --tpmstate dir="$work/tpm" --server type=tcp,port="$port",bindaddr=127.0.0.1 \
		--ctrl type=tcp,port="$cport",bindaddr=127.0.0.1 --flags not-need-init,startup-clear \
		--pid file="$work/swtpm.pid" --daemon
	trap 'kill "$(cat "$work/swtpm.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$work"' EXIT
	sleep 0.5
	export TPM2OPENSSL_TCTI="swtpm:host=127.0.0.1,port=$port"
	for t in p256 rsa3072; do tpmkeys+=("swtpm:$t:tpm2:file=$work/$t.tpm"); done
else
	echo "note: swtpm or tpm2-openssl not installed; TPM not measured"
fi

echo "openssl: $(openssl version)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//') ($(nproc) cores, shared)"
"$out/sign_bench" "$secs" "${keys[@]}" >"$out/trustline.txt"
# swtpm signs in its own process: signing by wall time (verification is software, CPU time).
[ ${#tpmkeys[@]} -eq 0 ] || "$out/sign_bench" -w "$secs" "${tpmkeys[@]}" >>"$out/trustline.txt"
openssl speed -seconds "$secs" ed25519 ecdsap256 rsa3072 >"$out/openssl.txt" 2>/dev/null

# openssl speed's summary lines end in "sign/s verify/s".
ossl() {
	case $1 in
	ed25519) grep -E 'EdDSA \(Ed25519\)' "$out/openssl.txt" | tail -1 | awk '{print $(NF-1), $NF}' ;;
	p256) grep -E 'ecdsa \(nistp256\)' "$out/openssl.txt" | tail -1 | awk '{print $(NF-1), $NF}' ;;
	rsa3072) grep -E '^rsa +3072 bits' "$out/openssl.txt" | tail -1 | awk '{print $(NF-1), $NF}' ;;
	esac
}

printf '%-9s %-8s %13s %13s %6s   %13s %13s %6s\n' backend alg "trustline s/s" "openssl s/s" ratio \
	"trustline v/s" "openssl v/s" ratio
while read -r backend alg ts tv; do
	read -r os ov <<<"$(ossl "$alg")"
	awk -v b="$backend" -v a="$alg" -v ts="$ts" -v tv="$tv" -v os="$os" -v ov="$ov" 'BEGIN {
		printf "%-9s %-8s %13.0f %13.0f %5.0f%%   %13.0f %13.0f %5.0f%%\n",
		       b, a, ts, os, (os > 0 ? 100 * ts / os : 0), tv, ov, (ov > 0 ? 100 * tv / ov : 0) }'
done <"$out/trustline.txt"
