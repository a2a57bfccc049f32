#!/bin/bash
# Vulnerability database import: records per second, database size, peak RSS.
#  1. every record of the shared data (OSV YAML/JSON, NVD, KEV, Alpine secdb),
#     into a fresh database, in one transaction;
#  2. an ecosystem dump: an all.zip of the shared AlmaLinux and Bitnami OSV
#     JSON records scaled SCALE times (ids renamed), read in memory.
#  3. `db update` of that all.zip from a loopback server (tests/cli/feed_server.py,
#     x-goog-hash sent, so the download is size- and digest-checked).
# Peer, same records, same figures: Python 3's sqlite3 storing each record of
# the all.zip as one row (id, modified, the JSON text) in one transaction, the
# simplest database of OSV records; floor: Python's json.loads of the members.
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

# line NAME RECORDS SECONDS DB_KIB RSS_KIB
line() {
	printf '%-34s %8d records %7.2f s %9.0f records/s  db %6.1f MB  peak RSS %6.1f MB\n' \
		"$1" "$2" "$3" "$(awk "BEGIN{print $2 / ($3 > 0 ? $3 : 0.01)}")" \
		"$(awk "BEGIN{print $4 / 1024}")" "$(awk "BEGIN{print $5 / 1024}")"
}
peer() { # peer NAME SCRIPT: best of 3 of a python3 script over the all.zip
	local name=$1 best= rss=; shift
	for _ in 1 2 3; do
		rm -f "$W/peer.db"
		/usr/bin/time -f '%e %M' -o "$W/time" python3 -c "$1" "$W/all.zip" "$W/peer.db" >"$W/n"
		read -r s m <"$W/time"
		if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; rss=$m; fi
	done
	line "$name" "$(cat "$W/n")" "$best" "$( [ -f "$W/peer.db" ] && du -k "$W/peer.db" | cut -f1 || echo 0)" "$rss"
}
peer "peer: python3 sqlite3, JSON rows" '
import json, sqlite3, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
db = sqlite3.connect(sys.argv[2])
db.execute("CREATE TABLE vulns(id TEXT PRIMARY KEY, modified TEXT, json TEXT NOT NULL)")
n = 0
with db:
    for m in z.namelist():
        t = z.read(m)
        r = json.loads(t)
        db.execute("INSERT OR REPLACE INTO vulns VALUES (?, ?, ?)", (r["id"], r.get("modified"), t))
        n += 1
print(n)'
peer "floor: python3 json.loads only" '
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
n = 0
for m in z.namelist():
    json.loads(z.read(m)); n += 1
print(n)'

# 3. db update from a loopback server (download, size and digest checks, import)
python3 - "$W/config.json" "$W/all.zip" <<'PY'
import json, sys
json.dump({"files": {"/osv/Bench/all.zip": {"path": sys.argv[2], "etag": "\"b1\"", "goog_hash": "ok"}}},
          open(sys.argv[1], "w"))
PY
python3 "$ROOT/tests/cli/feed_server.py" "$W/config.json" "$W/port" "$W/log" &
SRV=$!
trap 'kill $SRV 2>/dev/null; rm -rf "$W"' EXIT
for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
best= rss=
for _ in 1 2 3; do
	rm -rf "$W/upd.db"*
	/usr/bin/time -f '%e %M' -o "$W/time" "$T" -q db update --db "$W/upd.db" --feeds osv \
		--osv-url "http://127.0.0.1:$(cat "$W/port")/osv" --osv-ecosystem Bench
	read -r s m <"$W/time"
	if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; rss=$m; fi
done
line "db update, loopback, crc32c+md5" "$(sqlite3 "$W/upd.db" 'SELECT count(*) FROM vulns')" "$best" \
	"$(du -k "$W/upd.db" | cut -f1)" "$rss"
echo "all.zip: $(du -k "$W/all.zip" | cut -f1) KiB"
