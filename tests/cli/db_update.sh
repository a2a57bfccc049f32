#!/bin/bash
# trustline db update against a local feed server (tests/cli/feed_server.py,
# 127.0.0.1, a free port): OSV all.zip dumps built here from the real
# AlmaLinux and Bitnami records, NVD API 2.0 pages cut from the real CVE
# objects, the real KEV catalog.  Counts are computed with jq, not with
# trustline; what went over the wire is read from the server's log.
. "$(dirname "$0")/lib.sh"
D="$TL_SHARED_DATA"
T="$TRUSTLINE"
HERE=$(cd "$(dirname "$0")" && pwd)
S="$TMP/srv"
mkdir -p "$S"
q() { sqlite3 -batch -noheader "$1" "$2"; }
for c in sqlite3 jq python3; do
	command -v $c >/dev/null || { not_ok "$c is needed (deps/debian.txt)"; finish; exit 1; }
done

# ---- the data the server holds -----------------------------------------
python3 - "$S" "$D/osv" <<'PY'
import glob, json, os, sys, zipfile
out, osv = sys.argv[1:3]
def dump(name, files):
    with zipfile.ZipFile(os.path.join(out, name), 'w', zipfile.ZIP_DEFLATED) as z:
        for f in sorted(files):
            z.write(f, os.path.basename(f))
dump('alma8.zip', glob.glob(osv + '/almalinux-selected/almalinux8/*.json'))
dump('bitnami.zip', glob.glob(osv + '/bitnami-c-components/*/*.json'))
PY
NVD_FILES=$(ls "$D"/nvd/api2/targeted-embedded/*.json "$D"/nvd/api2/osv.dev-nvdcve-2.0/*.json)
alma_n=$(jq -r .id "$D"/osv/almalinux-selected/almalinux8/*.json | sort -u | wc -l)
bit_n=$(find "$D"/osv/bitnami-c-components -name '*.json' -exec jq -r .id {} + | sort -u | wc -l)
osv_n=$((alma_n + bit_n))
nvd_n=$(for f in $NVD_FILES; do jq -r '(.vulnerabilities[]?.cve.id), (.cve.id? // empty), (.id? // empty)' "$f"; done | sort -u | wc -l)
kev_n=$(jq '.vulnerabilities | map(.cveID) | unique | length' "$D"/kev/known_exploited_vulnerabilities.json)
PAGE=10
echo "served: osv=$osv_n (AlmaLinux:8 $alma_n, Bitnami $bit_n) nvd=$nvd_n kev=$kev_n"
[ "$alma_n" -gt 100 ] && [ "$bit_n" -gt 100 ] && [ "$nvd_n" -gt $((2 * PAGE)) ] && [ "$kev_n" -gt 1000 ] &&
	ok || not_ok "the served data looks wrong"
cp "$D"/kev/known_exploited_vulnerabilities.json "$S/kev.json"

# config: file entries (path, etag, extra JSON) and the NVD endpoint
config() { # config [JSON merged into the file entries]
	local extra='{}'
	[ $# -gt 0 ] && extra=$1
	jq -n --arg s "$S" --argjson page $PAGE --argjson nvd "$(printf '%s\n' $NVD_FILES | jq -R . | jq -s .)" \
		--argjson extra "$extra" '{
		files: ({
			"/osv/AlmaLinux%3A8/all.zip": {path: "\($s)/alma8.zip", etag: "\"alma-1\"", goog_hash: "ok"},
			"/osv/Bitnami/all.zip": {path: "\($s)/bitnami.zip", etag: "\"bit-1\"", goog_hash: "ok"},
			"/kev.json": {path: "\($s)/kev.json", etag: "\"kev-1\""},
			"/moved/kev.json": {redirect: "/kev.json"}
		} * $extra),
		nvd: {path: "/rest/json/cves/2.0", records: $nvd, page_cap: $page}}' >"$S/config.json"
}
config
python3 "$HERE/feed_server.py" "$S/config.json" "$S/port" "$S/log" &
SRV=$!
trap 'kill $SRV 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do [ -s "$S/port" ] && break; sleep 0.1; done
P=$(cat "$S/port")
U="http://127.0.0.1:$P"
ss -ltn 2>/dev/null | grep -q "127.0.0.1:$P " && ok || not_ok "the server is not on 127.0.0.1:$P"

BASE=(--osv-url "$U/osv" --nvd-url "$U/rest/json/cves/2.0" --kev-url "$U/kev.json" --nvd-delay 0 --timeout 5)
ARGS=("${BASE[@]}" --osv-ecosystem AlmaLinux:8 --osv-ecosystem Bitnami)
# the server writes a request's line when its handler ends: wait (at most
# 5 s) until no request is in flight, so a finished run's lines are all there
settle() {
	for _ in $(seq 100); do
		[ "$(cat "$S/log.busy" 2>/dev/null || echo 0)" = 0 ] && return
		sleep 0.05
	done
}
log_since() { settle; tail -n +"$(($1 + 1))" "$S/log"; } # server log lines after line $1
mark() { settle; if [ -f "$S/log" ]; then wc -l <"$S/log"; else echo 0; fi; }
counts() { jq -c '.sources | {osv: .osv.records, nvd: .nvd.records, kev: .kev.records}' "$1"; }
status() { "$T" db status --db "$1" --json >"$TMP/st.json" && counts "$TMP/st.json"; }
WANT="{\"osv\":$osv_n,\"nvd\":$nvd_n,\"kev\":$kev_n}"

# ---- 1. a full update ----------------------------------------------------
DB="$TMP/db/v.db"
m=$(mark)
expect_exit 0 "full update" env NVD_API_KEY=test-key-1 "$T" db update --db "$DB" "${ARGS[@]}"
got=$(status "$DB")
[ "$got" = "$WANT" ] && ok || not_ok "counts after the update: $got, served $WANT"
for f in osv nvd kev; do
	jq -e ".sources.$f.last_update | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T\")" "$TMP/st.json" >/dev/null &&
		ok || not_ok "status: no last_update for $f"
done
expect_exit 0 "status table" "$T" db status --db "$DB"
expect_grep "table: last update" "NVD CVEs +$nvd_n .*last update [0-9]{4}-" "$TMP/out"
log_since "$m" >"$TMP/l1"
# the ecosystem name is percent-encoded in the path
[ "$(jq -r 'select(.path | test("AlmaLinux")) | .path' "$TMP/l1")" = "/osv/AlmaLinux%3A8/all.zip" ] &&
	ok || not_ok "AlmaLinux:8 not fetched as /osv/AlmaLinux%3A8/all.zip"
# NVD paged across the server's page size: startIndex 0, 10, 20 ...
want_starts=$(seq 0 $PAGE $((nvd_n - 1)) | tr '\n' ' ')
got_starts=$(jq -r 'select(.path == "/rest/json/cves/2.0") | .query' "$TMP/l1" |
	sed -n 's/.*startIndex=\([0-9]*\).*/\1/p' | tr '\n' ' ')
[ "$got_starts" = "$want_starts" ] && ok || not_ok "NVD pages: startIndex '$got_starts', expected '$want_starts'"
[ "$(jq -r 'select(.path == "/rest/json/cves/2.0") | .query' "$TMP/l1" | grep -c lastMod)" = 0 ] &&
	ok || not_ok "a first update asked NVD for a date window"
[ "$(jq -r 'select(.path == "/rest/json/cves/2.0") | .api_key' "$TMP/l1" | sort -u)" = test-key-1 ] &&
	ok || not_ok "the NVD API key (from \$NVD_API_KEY) was not sent as apiKey"
jq -e -s 'map(select(.path == "/kev.json")) | length == 1 and .[0].status == 200' "$TMP/l1" >/dev/null &&
	ok || not_ok "KEV not fetched once: $(grep kev.json "$TMP/l1")"
[ "$(ls "$DB.update")" = lock ] && ok || not_ok "staging not cleaned: $(ls "$DB.update" | tr '\n' ' ')"
# values read back: a KEV entry of the served catalog
want=$(jq -r '.vulnerabilities[] | select(.cveID == "CVE-2025-48384") | .dateAdded' "$S/kev.json")
[ "$(q "$DB" "SELECT date_added FROM kev WHERE cve = 'CVE-2025-48384'")" = "$want" ] && ok ||
	not_ok "KEV CVE-2025-48384 not as served"

# ---- 2. again: nothing re-downloaded (ETag, 304), NVD asked for changes only --
m=$(mark)
before_end=$(q "$DB" "SELECT value FROM meta WHERE key = 'nvd.last_mod_end'")
# the window runs from the last update's start to this one's, to the
# second: an update started in the same second has nothing to ask NVD
# (which is right), so this one starts in a later second
while [ "$(date -u +%Y-%m-%dT%H:%M:%SZ)" = "$before_end" ]; do sleep 0.1; done
expect_exit 0 "second update" "$T" db update --db "$DB" "${ARGS[@]}"
log_since "$m" >"$TMP/l2"
jq -e -s '[.[] | select(.path | test("all.zip|kev.json"))] | length == 3 and
	all(.status == 304 and .sent == 0 and .if_none_match != null)' "$TMP/l2" >/dev/null &&
	ok || not_ok "second update: OSV/KEV not answered 304 to If-None-Match: $(jq -c 'select(.path | test("zip|kev")) | [.path, .status, .if_none_match]' "$TMP/l2" | tr '\n' ' ')"
nq=$(jq -r 'select(.path == "/rest/json/cves/2.0") | .query' "$TMP/l2")
python3 - "$nq" "$before_end" <<'PY' && ok || not_ok "second update: NVD query '$nq' (last end $before_end)"
import datetime, sys, urllib.parse
qs = [urllib.parse.parse_qs(l) for l in sys.argv[1].splitlines()]
assert qs, "no NVD request"
t = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
q = qs[0]
a, b = t(q["lastModStartDate"][0]), t(q["lastModEndDate"][0])
assert a == t(sys.argv[2]), (a, sys.argv[2])
assert datetime.timedelta(0) <= b - a <= datetime.timedelta(days=120)
PY
[ "$(status "$DB")" = "$WANT" ] && ok || not_ok "counts changed on a no-op update"

# ---- 3. NVD state 250 days old: windows of at most 120 days, contiguous --
old=$(date -u -d '250 days ago' +%Y-%m-%dT%H:%M:%SZ)
q "$DB" "UPDATE meta SET value = '$old' WHERE key = 'nvd.last_mod_end'"
m=$(mark)
expect_exit 0 "update after 250 days" "$T" db update --db "$DB" "${ARGS[@]}" --feeds nvd
nq=$(log_since "$m" | jq -r 'select(.path == "/rest/json/cves/2.0") | .query')
python3 - "$nq" "$old" <<'PY' && ok || not_ok "windows: $nq"
import datetime, sys, urllib.parse
t = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
# sorted: the server logs a request when its handler ends, and two
# handlers' lines can swap when the machine is busy
w = sorted((t(q["lastModStartDate"][0]), t(q["lastModEndDate"][0]))
           for q in map(urllib.parse.parse_qs, sys.argv[1].splitlines()))
assert len(w) == 3, w
assert w[0][0] == t(sys.argv[2])
for (a, b), (c, _) in zip(w, w[1:]):
    assert b == c
for a, b in w:
    assert datetime.timedelta(0) < b - a <= datetime.timedelta(days=120)
now = datetime.datetime.now(datetime.timezone.utc)
assert abs((now - w[-1][1]).total_seconds()) < 600
PY

# ---- 4. the connection drops mid-body: resumed with Range + If-Range -----
config '{"/osv/AlmaLinux%3A8/all.zip": {"cut_first": 20000}}'
DB2="$TMP/db2/v.db"
m=$(mark)
expect_exit 0 "update with a dropped connection" "$T" db update --db "$DB2" "${ARGS[@]}" --feeds osv
log_since "$m" | jq -c 'select(.path == "/osv/AlmaLinux%3A8/all.zip")' >"$TMP/l4"
size=$(stat -c %s "$S/alma8.zip")
jq -e -s --argjson size "$size" 'sort_by(.status) | length == 2 and .[0].status == 200 and .[0].sent == 20000 and
	.[1].status == 206 and .[1].range == "bytes=20000-" and .[1].if_range == "\"alma-1\"" and
	.[1].sent == $size - 20000' "$TMP/l4" >/dev/null && ok || not_ok "not resumed: $(cat "$TMP/l4")"
[ "$(q "$DB2" "SELECT count(*) FROM vulns WHERE source = 'osv'")" = "$osv_n" ] && ok ||
	not_ok "resumed download: wrong OSV count"
expect_grep "summary says resumed" "1 resumed" "$TMP/err"

# ---- 5. SIGKILL mid-download, then the next run resumes -------------------
config '{"/osv/Bitnami/all.zip": {"slow": 60000}}'
DB3="$TMP/db3/v.db"
expect_exit 0 "seed" "$T" db import --db "$DB3" "$D"/kev
old3=$(status "$DB3")
m0=$(mark)
"$T" -q db update --db "$DB3" "${BASE[@]}" --feeds osv --osv-ecosystem Bitnami >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ -s "$DB3.update/osv-Bitnami.zip.part" ] && [ "$(stat -c %s "$DB3.update/osv-Bitnami.zip.part")" -gt 30000 ] && break
	sleep 0.1
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
part=$(stat -c %s "$DB3.update/osv-Bitnami.zip.part" 2>/dev/null || echo 0)
[ "$part" -gt 0 ] && [ "$part" -lt "$(stat -c %s "$S/bitnami.zip")" ] && ok || not_ok "no partial file after kill ($part bytes)"
[ "$(q "$DB3" 'PRAGMA integrity_check')" = ok ] && [ "$(status "$DB3")" = "$old3" ] && ok ||
	not_ok "after kill -9 mid-download: $(status "$DB3"), before $old3"
config
# the server logs a request when its handler ends: the killed one's slow
# handler may still be sending; wait for its line so it is not taken for
# the next run's
for _ in $(seq 100); do
	log_since "$m0" | grep -q '"/osv/Bitnami/all.zip"' && break
	sleep 0.1
done
m=$(mark)
expect_exit 0 "update after the kill" "$T" db update --db "$DB3" "${BASE[@]}" --feeds osv --osv-ecosystem Bitnami
jq -e -s --argjson p "$part" '.[-1].path == "/osv/Bitnami/all.zip" and .[-1].status == 206 and
	.[-1].range == "bytes=\($p)-"' <(log_since "$m") >/dev/null && ok ||
	not_ok "the run after the kill did not resume at $part: $(log_since "$m" | tail -1)"
[ "$(q "$DB3" "SELECT count(*) FROM vulns WHERE source = 'osv'")" = "$bit_n" ] && ok || not_ok "after resume: wrong count"

# ---- 5b. SIGKILL at random instants of whole updates (download or import) --
config
K="$TMP/dbk/v.db"
expect_exit 0 "seed kill db" "$T" db import --db "$K" "$D"/kev
oldk=$(status "$K")
newk="{\"osv\":$osv_n,\"nvd\":0,\"kev\":$kev_n}"
for i in 1 2 3 4 5; do
	"$T" -q db update --db "$K" "${ARGS[@]}" --feeds osv >/dev/null 2>&1 &
	pid=$!
	sleep "0.$((RANDOM % 9 + 1))"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	got=$(status "$K")
	if [ "$(q "$K" 'PRAGMA integrity_check')" = ok ] && { [ "$got" = "$oldk" ] || [ "$got" = "$newk" ]; }; then ok; else
		not_ok "after kill -9 #$i of an update: $got (old $oldk, new $newk)"; fi
done
expect_exit 0 "update after the kills" "$T" db update --db "$K" "${ARGS[@]}" --feeds osv
[ "$(status "$K")" = "$newk" ] && ok || not_ok "after the kills: $(status "$K"), expected $newk"

# ---- 6. rejected downloads leave the database as it was ---------------------
before=$(status "$DB")
rejected() { # rejected DESC PATTERN CONFIG ARGS...
	local desc=$1 pat=$2; config "$3"; shift 3
	rm -rf "$DB.update" # no complete download left from the previous case
	expect_exit 2 "$desc" "$T" db update --db "$DB" "${ARGS[@]}" "$@"
	expect_one_line "$desc: one line" "$TMP/err"
	expect_grep "$desc: message" "$pat" "$TMP/err"
	[ "$(status "$DB")" = "$before" ] && ok || not_ok "$desc: the database changed"
}
rejected "crc32c mismatch" "Bitnami/all.zip: digest mismatch: x-goog-hash crc32c" \
	'{"/osv/Bitnami/all.zip": {"goog_hash": "bad-crc32c"}}' --full
[ ! -e "$DB.update/osv-Bitnami.zip.part" ] && [ ! -e "$DB.update/osv-Bitnami.zip" ] && ok ||
	not_ok "a file with a wrong digest was kept"
rejected "md5 mismatch" "Bitnami/all.zip: digest mismatch: x-goog-hash md5" \
	'{"/osv/Bitnami/all.zip": {"goog_hash": "bad-md5"}}' --full
rejected "size changed while resuming" "AlmaLinux%3A8/all.zip: size changed from [0-9]+ to [0-9]+ bytes" \
	'{"/osv/AlmaLinux%3A8/all.zip": {"cut_first": 5000, "range_total_delta": 7}}' --full
rejected "body shorter than Content-Length" "AlmaLinux%3A8/all.zip: .*(closed|remaining)" \
	'{"/osv/AlmaLinux%3A8/all.zip": {"short": 1000, "etag": null}}' --full --retries 1
rejected "HTTP 404" "/osv/NoSuchEcosystem/all.zip: HTTP 404" '{}' --osv-ecosystem NoSuchEcosystem
rejected "HTTP 500" "kev.json: HTTP 500" '{"/kev.json": {"status": 500}}' --full
config
rm -rf "$DB.update"
expect_exit 2 "max size" "$T" --max-input-size 10000 db update --db "$DB" "${ARGS[@]}" --full
expect_grep "max size: message" "AlmaLinux%3A8/all.zip: larger than the limit of 10000 bytes" "$TMP/err"
[ "$(status "$DB")" = "$before" ] && ok || not_ok "max size: the database changed"
# none of those runs wrote the update state either
[ "$(q "$DB" "SELECT value FROM meta WHERE key = 'etag.$U/osv/Bitnami/all.zip'")" = '"bit-1"' ] && ok ||
	not_ok "the stored ETag changed"

# ---- 7. a redirect is followed ------------------------------------------------
m=$(mark)
expect_exit 0 "redirect" "$T" db update --db "$TMP/db4/v.db" "${ARGS[@]}" --feeds kev --kev-url "$U/moved/kev.json"
jq -e -s 'sort_by(.status) | .[0].path == "/kev.json" and .[0].status == 200 and
	.[1].path == "/moved/kev.json" and .[1].status == 302' <(log_since "$m") >/dev/null && ok || not_ok "redirect not followed"
[ "$(q "$TMP/db4/v.db" "SELECT count(*) FROM kev")" = "$kev_n" ] && ok || not_ok "redirect: wrong KEV count"

# ---- 8. NVD rate limit (403 + Retry-After): waited and retried ------------
jq '.nvd.status_first = 403' "$S/config.json" >"$S/c2" && mv "$S/c2" "$S/config.json"
m=$(mark)
expect_exit 0 "NVD 403 then 200" "$T" db update --db "$TMP/db5/v.db" "${ARGS[@]}" --feeds nvd
jq -e -s '.[0].status == 403 and .[1].status == 200' <(log_since "$m") >/dev/null && ok || not_ok "403 not retried"
[ "$(q "$TMP/db5/v.db" "SELECT count(*) FROM vulns WHERE source = 'nvd'")" = "$nvd_n" ] && ok || not_ok "NVD after 403: wrong count"

# ---- TLS is verified: a self-signed server is refused ------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$S/key.pem" -out "$S/cert.pem" >/dev/null 2>&1
python3 "$HERE/feed_server.py" "$S/config.json" "$S/tport" "$S/tlog" "$S/cert.pem" "$S/key.pem" &
TSRV=$!
for _ in $(seq 50); do [ -s "$S/tport" ] && break; sleep 0.1; done
expect_exit 2 "self-signed HTTPS" "$T" db update --db "$TMP/db6/v.db" --feeds kev --retries 1 \
	--kev-url "https://127.0.0.1:$(cat "$S/tport")/kev.json"
expect_one_line "self-signed: one line" "$TMP/err"
expect_grep "self-signed: certificate named" "https://127.0.0.1:[0-9]+/kev.json: .*certificate" "$TMP/err"
kill $TSRV 2>/dev/null

# ---- usage errors ------------------------------------------------------------
expect_exit 2 "unknown feed" "$T" db update --db "$DB" --feeds osv,foo
expect_grep "unknown feed: message" "--feeds: expected a list of osv, nvd, kev" "$TMP/err"
expect_exit 2 "not a URL we fetch" "$T" db update --db "$DB" --feeds kev --kev-url file:///etc/passwd
expect_grep "file URL refused" "only http:// and https://" "$TMP/err"
expect_exit 0 "help" "$T" db update --help

finish
