#!/bin/bash
# trustline db import / status: every record of the shared data imports,
# the counts equal the records on disk (counted here with jq, grep and
# PyYAML, not with trustline), every record of each collection (OSS-Fuzz,
# AlmaLinux, Bitnami, NVD, KEV, Alpine secdb) is in the database by id, values read back equal the records, bad
# input fails with one line and leaves the database as it was, and an
# import killed with SIGKILL leaves the old or the new database.
. "$(dirname "$0")/lib.sh"
D="$TL_SHARED_DATA"
T="$TRUSTLINE"
DB="$TMP/v.db"

if ! command -v sqlite3 >/dev/null || ! command -v jq >/dev/null; then
	not_ok "sqlite3 and jq are needed (deps/debian.txt)"; finish; exit 1
fi
q() { sqlite3 -batch -noheader "$1" "$2"; }

# ---- independent counts -------------------------------------------------
osv_expected=$( {
	grep -h '^id: ' "$D"/osv/oss-fuzz-vulns/*/*.yaml | sed 's/^id: //'
	find "$D"/osv/almalinux-selected "$D"/osv/bitnami-c-components "$D"/osv/distro-samples \
		"$D"/osv/ubuntu-samples "$D"/osv/schema-examples/osv-linter "$D"/osv/schema-examples/redhat \
		-name '*.json' -exec jq -r .id {} +
	find "$D"/osv/schema-examples/ghsa-converter -name '*.osv.json' -exec jq -r .id {} +
} | sort -u | wc -l)
nvd_expected=$( {
	find "$D"/nvd/api2 -name '*.json' -exec jq -r '(.vulnerabilities[]?.cve.id), (.cve.id? // empty), (.id? // empty)' {} +
	jq -r '.CVE_Items[].cve.CVE_data_meta.ID' "$D"/nvd/legacy-1.1/*.json
} | sort -u | wc -l)
kev_expected=$(jq '.vulnerabilities | map(.cveID) | unique | length' "$D"/kev/known_exploited_vulnerabilities.json)
alpine_expected=$(python3 - "$D/alpine-secdb" <<'PY'
import glob, json, sys, yaml
s = set()
for f in glob.glob(sys.argv[1] + '/*/*.yaml') + glob.glob(sys.argv[1] + '/json-samples/*/*.json'):
    d = json.load(open(f)) if f.endswith('.json') else yaml.load(open(f), Loader=yaml.BaseLoader)
    for p in d.get('packages') or []:
        for ver, ids in (p['pkg'].get('secfixes') or {}).items():
            for x in ids or []:
                for i in (x or '').split():
                    s.add((d['distroversion'], d['reponame'], p['pkg']['name'], ver, i))
print(len(s))
PY
)
echo "on disk: osv=$osv_expected nvd=$nvd_expected kev=$kev_expected alpine=$alpine_expected"
[ "$osv_expected" -gt 3000 ] && [ "$nvd_expected" -gt 600 ] && [ "$kev_expected" -gt 1000 ] &&
	[ "$alpine_expected" -gt 5000 ] && ok || not_ok "independent counts look wrong"

# ---- import everything ---------------------------------------------------
expect_exit 0 "import all shared data" "$T" db import --db "$DB" "$D"/osv "$D"/nvd "$D"/kev "$D"/alpine-secdb
expect_exit 0 "status --json" "$T" db status --db "$DB" --json
cp "$TMP/out" "$TMP/status.json"
for s in osv:$osv_expected nvd:$nvd_expected kev:$kev_expected alpine:$alpine_expected; do
	got=$(jq ".sources.${s%%:*}.records" "$TMP/status.json")
	[ "$got" = "${s#*:}" ] && ok || not_ok "status ${s%%:*}: $got records, on disk ${s#*:}"
	jq -e ".sources.${s%%:*}.last_import | test(\"^[0-9]{4}-\")" "$TMP/status.json" >/dev/null &&
		ok || not_ok "status ${s%%:*}: no last_import"
done
[ "$(jq .schema_version "$TMP/status.json")" = "$(q "$DB" 'PRAGMA user_version')" ] && ok ||
	not_ok "schema_version differs from PRAGMA user_version"
[ "$(q "$DB" 'PRAGMA journal_mode')" = wal ] && ok || not_ok "database not in WAL mode"
# per collection, by identity and not only by count: every record on disk
# (read here with json/PyYAML) is in the database (read with Python's
# sqlite3), and the per-ecosystem counts of `db status` equal the records
# of that ecosystem on disk
python3 - "$D" "$DB" "$TMP/status.json" <<'PY' && ok || not_ok "per-collection completeness (above)"
import glob, json, sqlite3, sys, yaml
d, dbp, stp = sys.argv[1:4]
db = sqlite3.connect(dbp)
ids = lambda src: {r[0] for r in db.execute("SELECT id FROM vulns WHERE source = ?", (src,))}
osv_db, nvd_db = ids("osv"), ids("nvd")
kev_db = {r[0] for r in db.execute("SELECT cve FROM kev")}
sec_db = set(db.execute("SELECT distro, repo, package, fixed, vuln_id FROM alpine_secfixes"))
status = json.load(open(stp))
bad = []
def y(f): return yaml.load(open(f), Loader=yaml.BaseLoader)
coll = {
    "OSS-Fuzz": [y(f) for f in glob.glob(d + "/osv/oss-fuzz-vulns/*/*.yaml")],
    "AlmaLinux": [json.load(open(f)) for f in glob.glob(d + "/osv/almalinux-selected/*/*.json")],
    "Bitnami": [json.load(open(f)) for f in glob.glob(d + "/osv/bitnami-c-components/*/*.json")],
}
eco = {}
for name, recs in coll.items():
    got = {r["id"] for r in recs}
    if not recs or got - osv_db:
        bad.append("%s: %d of %d ids missing, e.g. %s" % (name, len(got - osv_db), len(got), sorted(got - osv_db)[:3]))
    for r in recs:
        for e in {a["package"]["ecosystem"] for a in r.get("affected") or [] if a.get("package")}:
            eco.setdefault(e, set()).add(r["id"])
for e, s in eco.items():
    # other folders (schema examples) add PyPI, npm ... records: compare
    # the ecosystems that only these collections hold
    if not e.startswith(("OSS-Fuzz", "AlmaLinux", "Bitnami")):
        continue
    if status["osv_ecosystems"].get(e) != len(s):
        bad.append("ecosystem %s: status %s, on disk %d" % (e, status["osv_ecosystems"].get(e), len(s)))
nvd = set()
for f in glob.glob(d + "/nvd/api2/**/*.json", recursive=True):
    j = json.load(open(f))
    if "vulnerabilities" in j:
        nvd |= {v["cve"]["id"] for v in j["vulnerabilities"]}
    elif "cve" in j:
        nvd.add(j["cve"]["id"])
    elif str(j.get("id", "")).startswith("CVE-"):
        nvd.add(j["id"])
for f in glob.glob(d + "/nvd/legacy-1.1/*.json"):
    nvd |= {i["cve"]["CVE_data_meta"]["ID"] for i in json.load(open(f))["CVE_Items"]}
if nvd != nvd_db:
    bad.append("NVD: %d on disk, %d stored, differing: %s" % (len(nvd), len(nvd_db), sorted(nvd ^ nvd_db)[:3]))
kev = {v["cveID"] for v in json.load(open(d + "/kev/known_exploited_vulnerabilities.json"))["vulnerabilities"]}
if kev != kev_db:
    bad.append("KEV: %d on disk, %d stored" % (len(kev), len(kev_db)))
sec = set()
for f in glob.glob(d + "/alpine-secdb/*/*.yaml") + glob.glob(d + "/alpine-secdb/json-samples/*/*.json"):
    j = json.load(open(f)) if f.endswith(".json") else y(f)
    for p in j.get("packages") or []:
        for ver, xs in (p["pkg"].get("secfixes") or {}).items():
            for x in xs or []:
                for i in (x or "").split():
                    sec.add((j["distroversion"], j["reponame"], p["pkg"]["name"], ver, i))
if sec != sec_db:
    bad.append("Alpine: %d on disk, %d stored, differing: %s" % (len(sec), len(sec_db), sorted(sec ^ sec_db)[:3]))
print("\n".join("completeness: " + b for b in bad))
sys.exit(1 if bad else 0)
PY
expect_exit 0 "status (table)" "$T" db status --db "$DB"
expect_grep "status table names OSV" "OSV records +$osv_expected" "$TMP/out"

# ---- values read back equal the records ----------------------------------
f="$D"/nvd/api2/targeted-embedded/CVE-2023-38545.json
want=$(jq -r '.configurations[].nodes[].cpeMatch[] | select(.criteria | test(":haxx:libcurl:")) |
	[.criteria, .versionStartIncluding, .versionEndExcluding, .vulnerable] | @tsv' "$f")
got=$(q "$DB" "SELECT c.criteria, c.start_incl, c.end_excl, CASE c.vulnerable WHEN 1 THEN 'true' ELSE 'false' END
	FROM nvd_cpe c JOIN vulns v ON v.rowid = c.vuln
	WHERE v.source = 'nvd' AND v.id = 'CVE-2023-38545' AND c.vendor = 'haxx' AND c.product = 'libcurl'" | tr '|' '\t')
[ -n "$want" ] && [ "$want" = "$got" ] && ok || not_ok "CVE-2023-38545 libcurl range: got '$got', record '$want'"
want=$(jq '[.configurations[].nodes[].cpeMatch[]] | length' "$f")
got=$(q "$DB" "SELECT count(*) FROM nvd_cpe c JOIN vulns v ON v.rowid = c.vuln WHERE v.id = 'CVE-2023-38545' AND v.source = 'nvd'")
[ "$want" = "$got" ] && ok || not_ok "CVE-2023-38545: $got CPE matches stored, record has $want"
want=$(jq -r '.metrics.cvssMetricV31[0].cvssData | "\(.vectorString)|\(.baseScore)"' "$f")
got=$(q "$DB" "SELECT cvss3_vector || '|' || cvss3_score FROM vulns WHERE id = 'CVE-2023-38545' AND source = 'nvd'")
[ "$want" = "$got" ] && ok || not_ok "CVE-2023-38545 CVSS: '$got', record '$want'"
# an AND configuration (firmware running on hardware) keeps its operator and both children
want=$(jq -r '[.CVE_Items[] | select(.configurations.nodes[]?.operator == "AND")][0] | .cve.CVE_data_meta.ID' "$D"/nvd/legacy-1.1/*.json)
wantn=$(jq -r --arg id "$want" '[.CVE_Items[] | select(.cve.CVE_data_meta.ID == $id) | .. | objects | select(has("cpe23Uri"))] | length' "$D"/nvd/legacy-1.1/*.json)
got=$(q "$DB" "SELECT count(*) FROM nvd_cpe c JOIN vulns v ON v.rowid = c.vuln WHERE v.id = '$want'")
gotand=$(q "$DB" "SELECT count(*) FROM nvd_nodes n JOIN vulns v ON v.rowid = n.vuln WHERE v.id = '$want' AND n.operator = 'AND' AND n.parent IS NULL")
[ "$wantn" = "$got" ] && [ "$gotand" -ge 1 ] && ok || not_ok "1.1 AND tree of $want: $got matches (record $wantn), $gotand AND roots"
# KEV
want=$(jq -r '.vulnerabilities[] | select(.cveID == "CVE-2025-48384") | "\(.dateAdded)|\(.dueDate)|\(.knownRansomwareCampaignUse)"' "$D"/kev/known_exploited_vulnerabilities.json)
got=$(q "$DB" "SELECT date_added || '|' || due_date || '|' || ransomware FROM kev WHERE cve = 'CVE-2025-48384'")
[ -n "$want" ] && [ "$want" = "$got" ] && ok || not_ok "KEV CVE-2025-48384: '$got', record '$want'"
# Alpine: v3.8/main ansible, fixed in 2.6.19-r0 for CVE-2019-10206 (the record's first secfix)
want=$(python3 -c 'import sys, yaml; d = yaml.load(open(sys.argv[1]), Loader=yaml.BaseLoader)
p = [p for p in d["packages"] if p["pkg"]["name"] == "ansible"][0]["pkg"]["secfixes"]
v = list(p)[0]; print(d["distroversion"], v, p[v][0])' "$D"/alpine-secdb/v3.8/main.yaml)
got=$(q "$DB" "SELECT distro || ' ' || fixed || ' ' || vuln_id FROM alpine_secfixes WHERE repo = 'main' AND package = 'ansible' AND distro = 'v3.8' AND vuln_id = '${want##* }'")
[ -n "$want" ] && [ "$want" = "$got" ] && ok || not_ok "Alpine secfix: '$got', record '$want'"
# OSV: an OSS-Fuzz GIT range and its versions list; a Bitnami record's aliases
f="$D"/osv/oss-fuzz-vulns/curl/OSV-2017-79.yaml
id=$(sed -n 's/^id: //p' "$f")
want=$(python3 -c 'import sys, yaml; d = yaml.load(open(sys.argv[1]), Loader=yaml.BaseLoader)
print(len(d["affected"][0].get("versions") or []))' "$f")
got=$(q "$DB" "SELECT count(*) FROM versions x JOIN affected a ON a.rowid = x.affected JOIN vulns v ON v.rowid = a.vuln WHERE v.id = '$id'")
[ "$want" -gt 0 ] && [ "$want" = "$got" ] && ok || not_ok "$id: $got versions stored, record has $want"
fa="$D"/osv/bitnami-c-components/redis/BIT-redis-2022-24736.json
ida=$(jq -r .id "$fa")
want=$(jq -r '.aliases | sort | join(" ")' "$fa")
got=$(q "$DB" "SELECT group_concat(alias, ' ') FROM (SELECT alias FROM aliases a JOIN vulns v ON v.rowid = a.vuln WHERE v.id = '$ida' ORDER BY alias)")
[ -n "$want" ] && [ "$want" = "$got" ] && ok || not_ok "$ida: aliases '$got', record '$want'"
want=$(python3 -c 'import sys, yaml; d = yaml.load(open(sys.argv[1]), Loader=yaml.BaseLoader)
r = d["affected"][0]["ranges"][0]; print(r["type"], r["repo"], " ".join(k + "=" + v for e in r["events"] for k, v in e.items()))' "$f")
got=$(q "$DB" "SELECT r.type || ' ' || r.repo || ' ' || (SELECT group_concat(kind || '=' || version, ' ') FROM (SELECT * FROM events WHERE range = r.rowid ORDER BY seq))
	FROM ranges r JOIN affected a ON a.rowid = r.affected JOIN vulns v ON v.rowid = a.vuln WHERE v.id = '$id' ORDER BY r.rowid LIMIT 1")
[ "$want" = "$got" ] && ok || not_ok "$id: range '$got', record '$want'"

# ---- re-import: nothing doubles -------------------------------------------
expect_exit 0 "re-import" "$T" db import --db "$DB" "$D"/osv "$D"/kev "$D"/alpine-secdb
expect_exit 0 "status after re-import" "$T" db status --db "$DB" --json
jq -e --slurpfile a "$TMP/status.json" '.sources | map_values(.records) == ($a[0].sources | map_values(.records))' "$TMP/out" >/dev/null &&
	ok || not_ok "re-import changed the counts"

# ---- an ecosystem dump (all.zip), read in memory --------------------------
python3 - "$TMP/all.zip" "$D"/osv/bitnami-c-components <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    for root, _, files in os.walk(sys.argv[2]):
        for f in sorted(files):
            z.write(os.path.join(root, f), f)
PY
want=$(find "$D"/osv/bitnami-c-components -name '*.json' -exec jq -r .id {} + | sort -u | wc -l)
expect_exit 0 "import all.zip" "$T" db import --db "$TMP/zip.db" "$TMP/all.zip"
got=$(q "$TMP/zip.db" "SELECT count(*) FROM vulns WHERE source = 'osv'")
[ "$want" = "$got" ] && ok || not_ok "all.zip: $got records, zip holds $want"

# ---- bad input: one line naming file and JSON path, exit 2, nothing written --
before=$(q "$DB" "SELECT count(*) FROM vulns")
jq '.affected[0].ranges[0].events[1] = {"fixed": 7}' "$D"/osv/bitnami-c-components/redis/BIT-redis-2022-24736.json >"$TMP/bad-type.json"
expect_exit 2 "wrong type in OSV" "$T" db import --db "$DB" "$D"/kev "$TMP/bad-type.json"
expect_one_line "wrong type: one line" "$TMP/err"
expect_grep "wrong type: file and path" 'bad-type.json: \$\.affected\[0\]\.ranges\[0\]\.events\[1\]\.fixed: expected a string' "$TMP/err"
jq '.vulnerabilities[3].dateAdded = null' "$D"/kev/known_exploited_vulnerabilities.json >"$TMP/bad-kev.json"
expect_exit 2 "KEV without dateAdded" "$T" db import --db "$DB" "$TMP/bad-kev.json"
expect_grep "KEV: path" 'bad-kev.json: \$\.vulnerabilities\[3\]\.dateAdded: missing' "$TMP/err"
jq '.configurations[0].nodes[0].operator = "XOR"' "$D"/nvd/api2/targeted-embedded/CVE-2023-38545.json >"$TMP/bad-nvd.json"
expect_exit 2 "NVD bad operator" "$T" db import --db "$DB" "$TMP/bad-nvd.json"
expect_grep "NVD: path" 'bad-nvd.json: \$\.configurations\[0\]\.nodes\[0\]\.operator: expected' "$TMP/err"
printf 'distroversion: v3.8\nreponame: main\npackages:\n  - pkg:\n      name: x\n      secfixes:\n        1.0-r0: CVE-2020-1\n' >"$TMP/bad-secdb.yaml"
expect_exit 2 "secdb: secfix not a list" "$T" db import --db "$DB" "$TMP/bad-secdb.yaml"
expect_grep "secdb: path" 'bad-secdb.yaml: \$\.packages\[0\]\.pkg\.secfixes\["1.0-r0"\]: expected an array' "$TMP/err"
printf 'id: &a OSV-1\nmodified: *a\n' >"$TMP/alias.yaml"
expect_exit 2 "YAML alias refused" "$T" db import --db "$DB" "$TMP/alias.yaml"
echo '{"hello": 1}' >"$TMP/unknown.json"
expect_exit 2 "a file in no known format, named directly" "$T" db import --db "$DB" "$TMP/unknown.json"
expect_exit 2 "a missing file" "$T" db import --db "$DB" "$TMP/nope.json"
[ "$(q "$DB" "SELECT count(*) FROM vulns")" = "$before" ] && ok || not_ok "a failed import changed the database"
[ "$(q "$DB" 'PRAGMA integrity_check')" = ok ] && ok || not_ok "integrity_check after failures"
expect_exit 2 "import without files" "$T" db import --db "$DB"

# ---- default path under XDG_DATA_HOME -------------------------------------
expect_exit 0 "default path" env XDG_DATA_HOME="$TMP/xdg" "$T" db import "$D"/kev
[ -f "$TMP/xdg/trustline/vulns.db" ] && ok || not_ok "no database at \$XDG_DATA_HOME/trustline/vulns.db"

# ---- SIGKILL at random instants: the old database or the new one ----------
K="$TMP/kill.db"
expect_exit 0 "seed kill db" "$T" db import --db "$K" "$D"/kev
old=$(q "$K" "SELECT count(*) FROM vulns")
expect_exit 0 "reference import" "$T" db import --db "$TMP/ref.db" "$D"/kev "$D"/osv
new=$(q "$TMP/ref.db" "SELECT count(*) FROM vulns")
for i in 1 2 3 4 5 6; do
	"$T" -q db import --db "$K" "$D"/osv >/dev/null 2>&1 &
	pid=$!
	sleep "0.$((RANDOM % 9 + 1))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	ic=$(q "$K" 'PRAGMA integrity_check')
	n=$(q "$K" "SELECT count(*) FROM vulns")
	k=$(q "$K" "SELECT count(*) FROM kev")
	if [ "$ic" = ok ] && { [ "$n" = "$old" ] || [ "$n" = "$new" ]; } && [ "$k" = "$kev_expected" ]; then ok; else
		not_ok "after kill -9 #$i: integrity '$ic', $n records (old $old, new $new), $k KEV"; fi
	[ "$n" = "$new" ] && old=$new
done

finish
