#!/bin/bash
# trustline vuln: matching a 1,000-component SBOM against a database of
# >= 300,000 records, warm (best of N) and peak RSS.
#  1. bench/gen_vulndb.py scales the real OSV (AlmaLinux, Bitnami, OSS-Fuzz,
#     Debian, Ubuntu), NVD (API 2.0 and 1.1, AND/OR configurations) and
#     Alpine secdb records COPIES times with renamed ids and packages, and
#     writes an SBOM of 250 deb, 250 rpm, 250 apk and 250 pkg:generic+CPE
#     components named after packages of the data;
#  2. one `db import` of it all (time, database size);
#  3. `trustline vuln --format json` on the SBOM: one cold-cache-ish run,
#     then best of RUNS warm runs; peak RSS (GNU time %M); --format table
#     (perf stat); then the same components at versions past every fix.
# Usage: bench/vuln.sh [COPIES] (default 70: ~309,000 OSV+NVD records)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=${TRUSTLINE:-$ROOT/build/trustline}
D=${TL_SHARED_DATA:-$ROOT/../shared/data}
COPIES=${1:-70}
RUNS=${RUNS:-5}
W=${TL_BENCH_DIR:-$(mktemp -d)}
mkdir -p "$W"
[ -n "${TL_BENCH_DIR:-}" ] || trap 'rm -rf "$W"' EXIT
cp "$T" "$W/trustline"
T="$W/trustline"

echo "trustline $("$T" --version | cut -d' ' -f2), $(nproc) CPUs, $(date -u +%Y-%m-%d), load $(cut -d' ' -f1-3 /proc/loadavg)"
# start-up alone (dynamic linking of the shared libraries the binary needs)
perf stat -r 20 -e task-clock,page-faults "$T" --version 2>&1 >/dev/null |
	awk '/task-clock/ {t=$1} /page-faults/ {f=$1} END {printf "trustline --version: %s ms CPU, %s page faults (perf stat, mean of 20); %d shared libraries\n", t, f, n}' n="$(ldd "$T" | grep -c '=>')" || true
# REUSE_DB=1 (with TL_BENCH_DIR): time matching on the database of an earlier run
if [ "${REUSE_DB:-0}" = 1 ] && [ -s "$W/v.db" ]; then
	echo "database: reused from $W (import not timed)"
	s=0 m=0
	# a database of an older schema is migrated in place by the first
	# command that opens it (schema 2: alias_groups); timed here, not in
	# the first matching run
	if [ "$(sqlite3 "$W/v.db" 'PRAGMA user_version')" -lt 2 ]; then
		/usr/bin/time -f '%e %M' -o "$W/time" "$T" -q db status --db "$W/v.db" >/dev/null
		read -r ms mm <"$W/time"
		printf 'database: migrated to schema %s in %.2f s, peak RSS %.1f MB\n' \
			"$(sqlite3 "$W/v.db" 'PRAGMA user_version')" "$ms" "$(awk "BEGIN{print $mm / 1024}")"
	fi
else
	GEN_REUSE=${GEN_REUSE:-0} python3 "$ROOT/bench/gen_vulndb.py" "$D" "$W/data" "$COPIES"
	rm -f "$W/v.db"*
	/usr/bin/time -f '%e %M' -o "$W/time" "$T" -q db import --db "$W/v.db" "$W/data" "$D/kev/known_exploited_vulnerabilities.json"
	read -r s m <"$W/time"
fi
n=$(sqlite3 "$W/v.db" "SELECT count(*) FROM vulns")
nsec=$(sqlite3 "$W/v.db" "SELECT count(*) FROM alpine_secfixes")
ncpe=$(sqlite3 "$W/v.db" "SELECT count(*) FROM nvd_cpe")
printf 'database: %d OSV+NVD records, %d Alpine secfixes, %d NVD CPE matches; import %.1f s, %.1f MB, peak RSS %.1f MB\n' \
	"$n" "$nsec" "$ncpe" "$s" "$(du -k "$W/v.db" | awk '{print $1 / 1024}')" "$(awk "BEGIN{print $m / 1024}")"

best= rss= cpu=
for i in $(seq 0 "$RUNS"); do
	/usr/bin/time -f '%e %M %U %S' -o "$W/time" "$T" -q vuln --db "$W/v.db" --format json -o "$W/r.json" "$W/data/sbom.cdx.json" || true
	read -r s m u y <"$W/time"
	[ "$i" -eq 0 ] && { printf 'first run: %.3f s\n' "$s"; continue; }
	if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; fi
	c=$(awk "BEGIN{print $u + $y}")
	if [ -z "$cpu" ] || awk "BEGIN{exit !($c < $cpu)}"; then cpu=$c; fi
	if [ -z "$rss" ] || [ "$m" -gt "$rss" ]; then rss=$m; fi
done
nf=$(jq '.findings | length' "$W/r.json")
nc=$(jq '[.findings[].component_ref] | unique | length' "$W/r.json")
printf 'trustline vuln --format json, 1000 components: best of %d warm %.3f s wall (%.2f s CPU user+sys), peak RSS %.1f MB; %d findings on %d components; load %s\n' \
	"$RUNS" "$best" "$cpu" "$(awk "BEGIN{print $rss / 1024}")" "$nf" "$nc" "$(cut -d' ' -f1-3 /proc/loadavg)"
perf stat -r "$RUNS" -e task-clock "$T" -q vuln --db "$W/v.db" --format table -o "$W/r.txt" "$W/data/sbom.cdx.json" 2>&1 |
	awk '/task-clock/ {printf "trustline vuln --format table: %s ms CPU (perf stat task-clock, mean of '"$RUNS"')", $1} /elapsed/ {printf ", %s s wall\n", $1}' || true
# the realistic case: the same components at versions past every fix (all
# 1,000 still looked up, few findings)
python3 - "$W/data/sbom.cdx.json" "$W/sbom-fixed.cdx.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
new = {'1.0-1': '999:1.0-1', '1.0-1.el9': '999.0-1.el9', '0.1-r0': '999.0-r0', '1.0': '999.0'}
for c in d['components']:
    c['version'] = new[c['version']]
    p = c.get('purl', '')
    if p.startswith('pkg:deb/ubuntu'): p = p.replace('@1:1.0-1', '@999:1.0-1')
    elif p.startswith('pkg:deb'): p = p.replace('@1.0-1', '@999:1.0-1')
    elif p.startswith('pkg:rpm'): p = p.replace('@1.0-1.el', '@999.0-1.el')
    elif p.startswith('pkg:apk'): p = p.replace('@0.1-r0', '@999.0-r0')
    else: p = p.replace('@1.0', '@999.0')
    c['purl'] = p
    if 'cpe' in c: c['cpe'] = c['cpe'].replace(':1.0:', ':999.0:')
json.dump(d, open(sys.argv[2], 'w'), indent=1)
PY
best= rss= cpu=
for i in $(seq 1 "$RUNS"); do
	/usr/bin/time -f '%e %M %U %S' -o "$W/time" "$T" -q vuln --db "$W/v.db" --format json -o "$W/r-fixed.json" "$W/sbom-fixed.cdx.json" || true
	read -r s m u y <"$W/time"
	if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; fi
	c=$(awk "BEGIN{print $u + $y}")
	if [ -z "$cpu" ] || awk "BEGIN{exit !($c < $cpu)}"; then cpu=$c; fi
	if [ -z "$rss" ] || [ "$m" -gt "$rss" ]; then rss=$m; fi
done
printf 'same components past every fix, --format json: best of %d warm %.3f s wall (%.2f s CPU user+sys), peak RSS %.1f MB; %d findings\n' \
	"$RUNS" "$best" "$cpu" "$(awk "BEGIN{print $rss / 1024}")" "$(jq '.findings | length' "$W/r-fixed.json")"
perf stat -r "$RUNS" -e task-clock "$T" -q vuln --db "$W/v.db" --format table -o "$W/r-fixed.txt" "$W/sbom-fixed.cdx.json" 2>&1 |
	awk '/task-clock/ {printf "same components past every fix, --format table: %s ms CPU (perf stat task-clock, mean of '"$RUNS"')", $1} /elapsed/ {printf ", %s s wall\n", $1}' || true
echo "load $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "peer: none runnable offline against this data (see bench/README.md)"
