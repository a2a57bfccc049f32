# Helpers for the end-to-end tests of the command; sourced by each test.
# Environment (set by meson): TRUSTLINE, TL_SHARED_DATA, TL_TEST_DATA.
set -u
: "${TRUSTLINE:?}" "${TL_SHARED_DATA:?}" "${TL_TEST_DATA:?}"
# the clock is the real one unless a test sets it (certificates and CRLs
# issued at a SOURCE_DATE_EPOCH in the past would be expired)
unset SOURCE_DATE_EPOCH
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PASS=0
FAIL=0

ok() { PASS=$((PASS + 1)); }
not_ok() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

# expect_exit CODE DESC CMD...: runs CMD, stdout to $TMP/out, stderr to $TMP/err.
expect_exit() {
	local want=$1 desc=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	if [ "$got" -eq "$want" ]; then ok; else
		not_ok "$desc: exit $got, expected $want"; sed 's/^/  stderr: /' "$TMP/err" | head -5
	fi
}

# expect_grep DESC PATTERN FILE
expect_grep() {
	if grep -qE -- "$2" "$3"; then ok; else not_ok "$1: /$2/ not in $3"; head -5 "$3" | sed 's/^/  /'; fi
}

# expect_one_line DESC FILE: the file holds exactly one line.
expect_one_line() {
	local n; n=$(wc -l <"$2")
	if [ "$n" -eq 1 ]; then ok; else not_ok "$1: $n lines, expected one"; head -5 "$2" | sed 's/^/  /'; fi
}

finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}

# ajv_validate KIND FILE: validates FILE with the independent validator ajv
# against the official schema (KIND: cyclonedx-1.5, cyclonedx-1.6, spdx-2.3,
# sarif-2.1.0, openvex-0.2.0).
# Without ajv (TL_AJV unset) this is a visible skip, or a failure when
# TL_REQUIRE_AJV=1 (as in CI).
ajv_validate() {
	local kind=$1 file=$2 s="$TL_SCHEMA_DIR"
	if [ -z "${TL_AJV:-}" ]; then
		if [ "${TL_REQUIRE_AJV:-0}" = 1 ]; then not_ok "ajv required but not installed ($file)"; else
			echo "note: ajv not installed (script/bootstrap installs it); $file not checked by ajv"; fi
		return
	fi
	case $kind in
	cyclonedx-1.5|cyclonedx-1.6)
		"$TL_AJV" validate --spec=draft7 -c ajv-formats --strict=false \
			-s "$s/bom-${kind#cyclonedx-}.schema.json" -r "$s/spdx.schema.json" \
			-r "$s/jsf-0.82.schema.json" -d "$file" >"$TMP/ajv.out" 2>&1 ;;
	spdx-2.3)
		"$TL_AJV" validate --spec=draft2019 -c ajv-formats --strict=false \
			-s "$s/spdx-2.3.schema.json" -d "$file" >"$TMP/ajv.out" 2>&1 ;;
	sarif-2.1.0)
		# the official schema is JSON Schema draft-04: ajv through ajv-draft-04
		node "$TL_SOURCE_ROOT/tests/cli/ajv_draft04.js" "$(dirname "$(dirname "$TL_AJV")")" \
			"$s/sarif-schema-2.1.0.json" "$file" >"$TMP/ajv.out" 2>&1 ;;
	openvex-0.2.0)
		"$TL_AJV" validate --spec=draft2020 -c ajv-formats --strict=false \
			-s "$TL_SHARED_DATA/openvex/schema/openvex_json_schema.json" -d "$file" >"$TMP/ajv.out" 2>&1 ;;
	*) not_ok "ajv_validate: unknown kind $kind"; return ;;
	esac
	if grep -q ' valid$' "$TMP/ajv.out"; then ok; else
		not_ok "ajv: $file does not pass the official $kind schema"; grep -v '^unknown format' "$TMP/ajv.out" | head -20 | sed 's/^/  /'
	fi
}

# start_swtpm: a fresh swtpm (state in $TMP/state) on two free adjacent
# loopback ports, stopped when the test exits; sets $port (the server port;
# the control port is port + 1, as the swtpm TCTI expects).  Another
# process may take the ports before swtpm binds, so it tries a few times.
# On failure: a FAIL line, the summary, exit 1.
start_swtpm() {
	local started=0 cport
	mkdir -p "$TMP/state"
	swtpm_setup --tpm2 --tpmstate "$TMP/state" --createek --overwrite >"$TMP/setup.log" 2>&1 ||
		{ not_ok "swtpm_setup failed"; cat "$TMP/setup.log"; finish; exit 1; }
	for _ in 1 2 3 4 5; do
		# the probe sockets are closed before the ports are printed
		read -r port cport < <(python3 -c 'import socket
while True:
    a, b = socket.socket(), socket.socket(); a.bind(("127.0.0.1", 0)); p = a.getsockname()[1]
    try:
        b.bind(("127.0.0.1", p + 1)); break
    except OSError:
        pass
a.close(); b.close()
print(p, p + 1)')
		if swtpm socket --tpm2 --tpmstate dir="$TMP/state" --server type=tcp,port="$port",bindaddr=127.0.0.1 \
			--ctrl type=tcp,port="$cport",bindaddr=127.0.0.1 --flags not-need-init,startup-clear \
			--pid file="$TMP/swtpm.pid" --daemon 2>"$TMP/swtpm.err"; then started=1; break; fi
	done
	[ "$started" = 1 ] || { not_ok "swtpm did not start"; cat "$TMP/swtpm.err"; finish; exit 1; }
	trap 'kill "$(cat "$TMP/swtpm.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$TMP"' EXIT
	for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$TMP/swtpm.pid" ] && break; sleep 0.2; done
}

# start_swtpm_openssl: for tests of TPM keys through the tpm2-openssl
# provider: exits 77 (skipped; .ci/run counts that as failed) without swtpm
# or the provider, then start_swtpm and TPM2OPENSSL_TCTI / TPM2TOOLS_TCTI
# naming it.
start_swtpm_openssl() {
	local c moddir
	for c in swtpm swtpm_setup; do
		command -v $c >/dev/null || { echo "$c not installed: skipped"; exit 77; }
	done
	moddir=$(openssl version -m | sed 's/^MODULESDIR: "\(.*\)"$/\1/')
	[ -f "$moddir/tpm2.so" ] || { echo "tpm2-openssl not installed: skipped"; exit 77; }
	start_swtpm
	export TPM2OPENSSL_TCTI="swtpm:host=127.0.0.1,port=$port"
	export TPM2TOOLS_TCTI=$TPM2OPENSSL_TCTI
}

# start_softhsm: a SoftHSM2 token of this test's own (SOFTHSM2_CONF in
# $TMP), labelled tl-test with user PIN 1234 and SO PIN 5678; sets $MOD to
# the PKCS#11 module.  Exits 77 (skipped; .ci/run counts that as failed)
# when softhsm2 is not installed.
start_softhsm() {
	command -v softhsm2-util >/dev/null || { echo "softhsm2 not installed: skipped"; exit 77; }
	MOD=$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -1)
	[ -n "$MOD" ] || { echo "libsofthsm2.so not found: skipped"; exit 77; }
	# SoftHSM2's own EdDSA leak, for sanitizer builds (see the file).
	# The slow unwinder reaches our frame through the module's and OpenSSL's.
	export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$TL_TEST_DATA/trust/lsan-softhsm.supp"
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
	mkdir -p "$TMP/tokens"
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$TMP" >"$TMP/softhsm2.conf"
	export SOFTHSM2_CONF=$TMP/softhsm2.conf
	softhsm2-util --init-token --free --label tl-test --pin 1234 --so-pin 5678 >/dev/null ||
		{ not_ok "softhsm2-util --init-token failed"; finish; exit 1; }
}
