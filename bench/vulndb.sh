#!/bin/bash
# Vulnerability database import: records per second, database size, peak RSS.
#  1. every record of the shared data (OSV YAML/JSON, NVD, KEV, Alpine secdb),
#     into a fresh database, in one transaction;
#  2. an ecosystem dump: an all.zip of the shared AlmaLinux and Bitnami OSV
#     JSON records scaled SCALE times (ids renamed), read in memory.
# Peer/floor: Python's json.load of the same JSON files (parsing alone).
# Usage: bench/vulndb.sh [SCALE] (default 100: ~74,000 records)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=${TRUSTLINE:-$ROOT/build/trustline}
D=${TL_SHARED_DATA:-$ROOT/../shared/data}
SCALE=${1:-100}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

run() { # run NAME DB ARGS...: best of 3 wall seconds; peak RSS in KiB
	local name=$1 db=$2 best= rss=; shift 2
	for _ in 1 2 3; do
		rm -f "$db" "$db-wal" "$db-shm"
		/usr/bin/time -f '%e %M' -o "$W/time" "$T" -q db import --db "$db" "$@"
		read -r s m <"$W/time"
		if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; rss=$m; fi
	done
	local n; n=$(sqlite3 "$db" "SELECT (SELECT count(*) FROM vulns) + (SELECT count(*) FROM kev) + (SELECT count(*) FROM alpine_secfixes)")
	local size; size=$(du -k "$db" | cut -f1)
	printf '%-34s %8d records %7.2f s %9.0f records/s  db %6.1f MB  peak RSS %6.1f MB\n' \
		"$name" "$n" "$best" "$(awk "BEGIN{print $n / ($best > 0 ? $best : 0.01)}")" \
		"$(awk "BEGIN{print $size / 1024}")" "$(awk "BEGIN{print $rss / 1024}")"
}

echo "trustline $("$T" --version | cut -d' ' -f2), $(nproc) CPUs, $(date -u +%Y-%m-%d)"
run "shared data (all formats)" "$W/all.db" "$D/osv" "$D/nvd" "$D/kev" "$D/alpine-secdb"

python3 - "$W/all.zip" "$SCALE" "$D/osv/almalinux-selected" "$D/osv/bitnami-c-components" <<'PY'
import json, os, sys, zipfile
out, scale, dirs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
recs = []
for d in dirs:
    for root, _, files in os.walk(d):
        for f in files:
            if f.endswith('.json'):
                recs.append(json.load(open(os.path.join(root, f))))
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    for k in range(scale):
        for r in recs:
            r2 = dict(r, id='%s-x%d' % (r['id'], k))
            z.writestr(r2['id'] + '.json', json.dumps(r2))
PY
run "all.zip, $SCALE x AlmaLinux+Bitnami" "$W/zip.db" "$W/all.zip"
s=$( { /usr/bin/time -f '%e' python3 -c '
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for n in z.namelist(): json.loads(z.read(n))' "$W/all.zip"; } 2>&1 | tail -1)
echo "floor: python3 json.loads of the same all.zip members: $s s"
