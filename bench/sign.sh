#!/bin/bash
# Benchmark: signs and verifies per second through trustline's key
# interface (file backend) for Ed25519, ECDSA P-256 and RSA-3072, printed
# next to `openssl speed` for the same algorithms in the same run.
#
#   bench/sign.sh [BUILD_DIR] [SECONDS]   (default: build, 3 s per measurement)
#
# Notes on what is compared: `openssl speed` signs a precomputed 20- or
# 36-byte digest with a context set up once (and RSA with PKCS#1 v1.5);
# trustline signs a 64-byte message end to end as a caller would: SHA-256,
# a fresh EVP context per call, RSA-PSS.  The ratio is trustline/openssl.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
secs=${2:-3}
out=bench/out
mkdir -p "$out"
[ -f "$build/libtrustline.so" ] || { echo "build first: ninja -C $build" >&2; exit 2; }

cc -O2 -std=c17 -D_GNU_SOURCE -Iinclude bench/sign_bench.c -o "$out/sign_bench" \
	-L"$build" -ltrustline -Wl,-rpath,"$PWD/$build"
keys=$(mktemp -d)
trap 'rm -rf "$keys"' EXIT

echo "openssl: $(openssl version)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//') ($(nproc) cores, shared)"
"$out/sign_bench" "$keys" "$secs" >"$out/trustline.txt"
openssl speed -seconds "$secs" ed25519 ecdsap256 rsa3072 >"$out/openssl.txt" 2>/dev/null

# openssl speed's summary lines:  "253 bits EdDSA (Ed25519) 0.0000s 0.0001s 21000.0 8000.0",
# " 256 bits ecdsa (nistp256) ... sign/s verify/s", "rsa 3072 bits ... sign/s verify/s".
ossl() {
	case $1 in
	ed25519) grep -E 'EdDSA \(Ed25519\)' "$out/openssl.txt" | tail -1 | awk '{print $(NF-1), $NF}' ;;
	p256) grep -E 'ecdsa \(nistp256\)' "$out/openssl.txt" | tail -1 | awk '{print $(NF-1), $NF}' ;;
	rsa3072) grep -E '^rsa +3072 bits' "$out/openssl.txt" | tail -1 | awk '{print $(NF-1), $NF}' ;;
	esac
}

printf '%-9s %14s %14s %7s   %14s %14s %7s\n' alg "trustline s/s" "openssl s/s" ratio \
	"trustline v/s" "openssl v/s" ratio
while read -r alg ts tv; do
	read -r os ov <<<"$(ossl "$alg")"
	awk -v a="$alg" -v ts="$ts" -v tv="$tv" -v os="$os" -v ov="$ov" 'BEGIN {
		printf "%-9s %14.0f %14.0f %6.0f%%   %14.0f %14.0f %6.0f%%\n",
		       a, ts, os, (os > 0 ? 100 * ts / os : 0), tv, ov, (ov > 0 ? 100 * tv / ov : 0) }'
done <"$out/trustline.txt"
