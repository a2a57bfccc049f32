/*
 * Unit tests of the vulnerability database and its importers
 * (src/vuln/db.c, yaml.c, import_*.c).
 *
 * Expectations come from the records themselves (TL_SHARED_DATA) and from
 * the specifications: the CVSS v3.1 specification's example scores, the
 * OSV schema's event kinds, YAML 1.1's alias syntax.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>
#include <unistd.h>

#include "trustline/core.h"
#include "trustline/vuln.h"
#include "vuln/feed_int.h"

static tl_vulndb *mem_db(void)
{
	tl_vulndb *db = NULL;

	if (tl_vulndb_open(&db, ":memory:") != TL_OK)
		fail_msg("open: %s", tl_error_last());
	return db;
}

static tl_err import_str(tl_vulndb *db, const char *s, const char *name)
{
	return tl_vulndb_import_mem(db, s, strlen(s), name, NULL);
}

/* Integer result of a one-row query. */
static long long q1(tl_vulndb *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	assert_int_equal(sqlite3_prepare_v2(tl_vulndb_handle(db), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Text result of a one-row query (static buffer). */
static const char *qs(tl_vulndb *db, const char *sql)
{
	static char buf[1024];
	sqlite3_stmt *st = NULL;

	buf[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(tl_vulndb_handle(db), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, sizeof(buf), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return buf;
}

static const char osv_v1[] =
	"{\"id\": \"OSV-TEST-1\", \"modified\": \"2023-01-01T00:00:00Z\", \"aliases\": [\"CVE-2099-0001\"],"
	" \"summary\": \"first\","
	" \"severity\": [{\"type\": \"CVSS_V3\", \"score\": \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}],"
	" \"affected\": [{\"package\": {\"ecosystem\": \"Debian:12\", \"name\": \"curl\"},"
	"   \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"7.88.1-10\"}]}],"
	"   \"versions\": [\"7.88.1-9\", \"7.88.1-8\"]}]}";

static void test_vulndb__osv_fields_stored(void **state)
{
	tl_vulndb *db = mem_db();

	assert_int_equal(import_str(db, osv_v1, "v1.json"), TL_OK);
	assert_int_equal(q1(db, "SELECT count(*) FROM vulns WHERE id = 'OSV-TEST-1' AND source = 'osv'"), 1);
	assert_string_equal(qs(db, "SELECT a.ecosystem || '/' || a.package FROM affected a"), "Debian:12/curl");
	assert_string_equal(qs(db, "SELECT group_concat(kind || '=' || version, ',') FROM (SELECT * FROM events ORDER BY seq)"),
	                    "introduced=0,fixed=7.88.1-10");
	assert_int_equal(q1(db, "SELECT count(*) FROM versions"), 2);
	/* CVSS v3.1 specification: AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H scores 9.8 */
	assert_string_equal(qs(db, "SELECT printf('%.1f %s', cvss3_score, severity) FROM vulns"), "9.8 CRITICAL");
	tl_vulndb_close(db);
}

static void test_vulndb__cvss3_scope_changed(void **state)
{
	/* CVSS v3.1 specification examples: CVE-2014-0160 (Heartbleed) 7.5,
	 * S:C with PR:L (CVE-2013-1937-like) AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N 6.1 */
	tl_vulndb *db = mem_db();

	assert_int_equal(import_str(db,
		"{\"id\": \"A\", \"modified\": \"2020-01-01T00:00:00Z\", \"severity\": [{\"type\": \"CVSS_V3\","
		" \"score\": \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N\"}]}", "a.json"), TL_OK);
	assert_int_equal(import_str(db,
		"{\"id\": \"B\", \"modified\": \"2020-01-01T00:00:00Z\", \"severity\": [{\"type\": \"CVSS_V3\","
		" \"score\": \"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N\"}]}", "b.json"), TL_OK);
	assert_string_equal(qs(db, "SELECT printf('%.1f', cvss3_score) FROM vulns WHERE id = 'A'"), "7.5");
	assert_string_equal(qs(db, "SELECT printf('%.1f', cvss3_score) FROM vulns WHERE id = 'B'"), "6.1");
	tl_vulndb_close(db);
}

static void test_vulndb__newer_modified_wins(void **state)
{
	tl_vulndb *db = mem_db();
	char newer[sizeof(osv_v1) + 16], *p;
	tl_vulndb_import_stats st;

	/* same record, a year newer, another summary */
	snprintf(newer, sizeof(newer), "%s", osv_v1);
	p = strstr(newer, "2023-01-01");
	memcpy(p, "2024", 4);
	p = strstr(newer, "\"first\"");
	memcpy(p, "\"secnd\"", 7);
	assert_int_equal(import_str(db, newer, "new.json"), TL_OK);
	assert_int_equal(tl_vulndb_import_mem(db, osv_v1, strlen(osv_v1), "old.json", &st), TL_OK);
	assert_int_equal(st.older, 1);
	assert_int_equal(st.records, 0);
	assert_string_equal(qs(db, "SELECT summary FROM vulns"), "secnd");
	/* re-importing the same record replaces it: no duplicate children */
	assert_int_equal(import_str(db, newer, "new.json"), TL_OK);
	assert_int_equal(q1(db, "SELECT count(*) FROM vulns"), 1);
	assert_int_equal(q1(db, "SELECT count(*) FROM affected"), 1);
	assert_int_equal(q1(db, "SELECT count(*) FROM events"), 2);
	assert_int_equal(q1(db, "SELECT count(*) FROM aliases"), 1);
	tl_vulndb_close(db);
}

static void test_vulndb__wrong_type_names_path(void **state)
{
	tl_vulndb *db = mem_db();

	assert_int_equal(import_str(db,
		"{\"id\": \"X\", \"modified\": \"2020-01-01T00:00:00Z\", \"affected\": [{\"package\":"
		" {\"ecosystem\": \"PyPI\", \"name\": \"x\"}, \"ranges\": [{\"type\": \"SEMVER\", \"events\":"
		" [{\"introduced\": \"0\"}, {\"fixed\": 2}]}]}]}", "x.json"), TL_EPARSE);
	assert_string_equal(tl_error_last(), "x.json: $.affected[0].ranges[0].events[1].fixed: expected a string");
	assert_int_equal(import_str(db,
		"{\"id\": \"X\", \"modified\": \"2020-01-01T00:00:00Z\", \"affected\": [{\"ranges\": [{\"type\":"
		" \"GIT\", \"repo\": \"r\", \"events\": [{\"introduced\": \"a\", \"fixed\": \"b\"}]}]}]}", "y.json"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "y.json: $.affected[0].ranges[0].events[0]: expected exactly one"));
	assert_int_equal(import_str(db, "{\"id\": \"X\", \"affected\": []}", "z.json"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "z.json: $.modified: missing"));
	/* nothing of the failed imports was written */
	assert_int_equal(q1(db, "SELECT count(*) FROM vulns"), 0);
	tl_vulndb_close(db);
}

static void test_vulndb__yaml_limits(void **state)
{
	tl_vulndb *db = mem_db();
	char deep[600];
	size_t n = 0;

	assert_int_equal(import_str(db, "id: &x OSV-1\nmodified: *x\n", "alias.yaml"), TL_EUNSUPPORTED);
	assert_non_null(strstr(tl_error_last(), "alias.yaml: line 2"));
	assert_int_equal(import_str(db, "id: a\nid: b\nmodified: c\n", "dup.yaml"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "duplicate key"));
	n += (size_t)snprintf(deep + n, sizeof(deep) - n, "id: x\nmodified: y\nz: ");
	for (int i = 0; i < 200; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	assert_int_equal(import_str(db, deep, "deep.yaml"), TL_ELIMIT);
	assert_int_equal(import_str(db, "id: [unclosed\n", "bad.yaml"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "bad.yaml: line"));
	assert_int_equal(import_str(db, "a: 1\n---\nb: 2\n", "two.yaml"), TL_EUNSUPPORTED);
	/* a secdb key that a YAML 1.1 resolver would make a float stays as written */
	assert_int_equal(import_str(db, "distroversion: v3.9\nreponame: main\npackages:\n  - pkg:\n"
	                                "      name: p\n      secfixes:\n        1.10:\n          - CVE-2020-1 XSA-9\n",
	                            "secdb.yaml"), TL_OK);
	assert_string_equal(qs(db, "SELECT group_concat(fixed || ' ' || vuln_id, ',') FROM (SELECT * FROM alpine_secfixes ORDER BY vuln_id)"),
	                    "1.10 CVE-2020-1,1.10 XSA-9");
	tl_vulndb_close(db);
}

static void test_vulndb__atomic_across_files(void **state)
{
	char dir[] = "/tmp/tl-vulndb-XXXXXX", good[64], bad[64], dbp[64];
	const char *paths[2];
	tl_vulndb *db = NULL;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(good, sizeof(good), "%s/good.json", dir);
	snprintf(bad, sizeof(bad), "%s/bad.json", dir);
	snprintf(dbp, sizeof(dbp), "%s/sub/v.db", dir);
	assert_non_null(f = fopen(good, "w"));
	fputs(osv_v1, f);
	fclose(f);
	assert_non_null(f = fopen(bad, "w"));
	fputs("{\"id\": 5, \"modified\": \"x\"}", f);
	fclose(f);
	assert_int_equal(tl_vulndb_open(&db, dbp), TL_OK);
	paths[0] = good;
	paths[1] = bad;
	assert_int_equal(tl_vulndb_import(db, paths, 2, NULL), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "bad.json: $.id: expected a string"));
	assert_int_equal(q1(db, "SELECT count(*) FROM vulns"), 0);
	assert_int_equal(tl_vulndb_import(db, paths, 1, NULL), TL_OK);
	assert_int_equal(q1(db, "SELECT count(*) FROM vulns"), 1);
	/* a schema from the future is refused, not migrated down */
	assert_int_equal(sqlite3_exec(tl_vulndb_handle(db), "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	tl_vulndb_close(db);
	db = NULL;
	assert_int_equal(tl_vulndb_open(&db, dbp), TL_EUNSUPPORTED);
	assert_null(db);
	unlink(good);
	unlink(bad);
	unlink(dbp);
	{
		char p[80];
		snprintf(p, sizeof(p), "%s-wal", dbp);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", dbp);
		unlink(p);
		snprintf(p, sizeof(p), "%s/sub", dir);
		rmdir(p);
	}
	rmdir(dir);
}

static void test_vulndb__aliases_grouped(void **state)
{
	tl_vulndb *db = mem_db();
	json_t *g = NULL;
	tl_buf b = TL_BUF_INIT;

	assert_int_equal(import_str(db, osv_v1, "v1.json"), TL_OK);
	assert_int_equal(import_str(db, "{\"id\": \"GHSA-xxxx\", \"modified\": \"2023-01-01T00:00:00Z\","
	                                " \"aliases\": [\"CVE-2099-0001\"]}", "g.json"), TL_OK);
	assert_int_equal(tl_vulndb_aliases(db, "OSV-TEST-1", &g), TL_OK);
	assert_int_equal(tl_json_dump(&b, g), TL_OK);
	assert_non_null(strstr(b.ptr, "\"CVE-2099-0001\""));
	assert_non_null(strstr(b.ptr, "\"GHSA-xxxx\""));
	assert_int_equal(json_array_size(g), 3);
	json_decref(g);
	tl_buf_dispose(&b);
	tl_vulndb_close(db);
}

/* The group of id as tl_vulndb_aliases gives it, ids joined by spaces (static buffer). */
static const char *group_str(tl_vulndb *db, const char *id)
{
	static char buf[1024];
	json_t *g = NULL;
	size_t n = 0;

	buf[0] = '\0';
	assert_int_equal(tl_vulndb_aliases(db, id, &g), TL_OK);
	for (size_t i = 0; i < json_array_size(g); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "",
		                      json_string_value(json_array_get(g, i)));
	json_decref(g);
	return buf;
}

/* Re-importing a record with other aliases regroups: the stored groups
 * follow the records, and a group splits when its link goes. */
static void test_vulndb__alias_groups_follow_imports(void **state)
{
	tl_vulndb *db = mem_db();
	char newer[sizeof(osv_v1) + 16];

	assert_int_equal(import_str(db, osv_v1, "v1.json"), TL_OK);
	assert_int_equal(import_str(db, "{\"id\": \"GHSA-xxxx\", \"modified\": \"2023-01-01T00:00:00Z\","
	                                " \"aliases\": [\"CVE-2099-0001\"]}", "g.json"), TL_OK);
	assert_string_equal(group_str(db, "GHSA-xxxx"), "CVE-2099-0001 GHSA-xxxx OSV-TEST-1");
	/* a year newer, naming another CVE: OSV-TEST-1 leaves the group */
	snprintf(newer, sizeof(newer), "%s", osv_v1);
	memcpy(strstr(newer, "2023-01-01"), "2024", 4);
	memcpy(strstr(newer, "CVE-2099-0001"), "CVE-2099-0002", 13);
	assert_int_equal(import_str(db, newer, "new.json"), TL_OK);
	assert_string_equal(group_str(db, "GHSA-xxxx"), "CVE-2099-0001 GHSA-xxxx");
	assert_string_equal(group_str(db, "OSV-TEST-1"), "CVE-2099-0002 OSV-TEST-1");
	assert_string_equal(group_str(db, "CVE-2099-0009"), "CVE-2099-0009");
	/* every record id and alias has its row, with the rowid of its record */
	assert_int_equal(q1(db, "SELECT count(*) FROM alias_groups"), 4);
	assert_int_equal(q1(db, "SELECT count(*) FROM alias_groups g JOIN vulns v ON v.rowid = g.osv"
	                        " AND v.id = g.id AND v.source = 'osv'"), 2);
	tl_vulndb_close(db);
}

/* Imports one file of the shared data (path relative to TL_SHARED_DATA). */
static void import_shared(tl_vulndb *db, const char *d, const char *rel)
{
	char path[1024];
	const char *paths[1] = { path };

	snprintf(path, sizeof(path), "%s/%s", d, rel);
	if (tl_vulndb_import(db, paths, 1, NULL) != TL_OK)
		fail_msg("%s: %s", rel, tl_error_last());
}

/* A schema-1 database (no alias_groups) opened by this library is
 * migrated to 2 in one transaction, and its groups are those the records
 * state: Bitnami's BIT-sqlite-2022-35737 names CVE-2022-35737 (whose NVD
 * record is there too), DSA-3029-1 names CVE-2014-3616; UBUNTU-CVE-2022-48174
 * names no alias (its CVE is only "related") but is named after
 * CVE-2022-48174, which joins it (docs/matching.md).  A migration that
 * fails leaves the database at version 1, records intact. */
static void test_vulndb__migrates_v1_alias_groups(void **state)
{
	const char *d = getenv("TL_SHARED_DATA");
	char dir[] = "/tmp/tl-vulndb-XXXXXX", dbp[64], p[80];
	tl_vulndb *db = NULL;
	sqlite3 *h = NULL;

	if (!d)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(dbp, sizeof(dbp), "%s/v.db", dir);
	assert_int_equal(tl_vulndb_open(&db, dbp), TL_OK);
	import_shared(db, d, "osv/bitnami-c-components/sqlite/BIT-sqlite-2022-35737.json");
	import_shared(db, d, "nvd/api2/targeted-embedded/CVE-2022-35737.json");
	import_shared(db, d, "osv/distro-samples/DSA-3029-1.json");
	import_shared(db, d, "osv/ubuntu-samples/UBUNTU-CVE-2022-48174.json");
	tl_vulndb_close(db);
	db = NULL;
	/* back to what schema 1 was: no alias_groups */
	assert_int_equal(sqlite3_open(dbp, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "DROP TABLE alias_groups; PRAGMA user_version = 1", NULL, NULL, NULL),
	                 SQLITE_OK);
	/* a migration that cannot run (the name is taken) changes nothing */
	assert_int_equal(sqlite3_exec(h, "CREATE VIEW alias_groups AS SELECT 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(h), SQLITE_OK);
	assert_int_equal(tl_vulndb_open(&db, dbp), TL_EIO);
	assert_null(db);
	assert_int_equal(sqlite3_open(dbp, &h), SQLITE_OK);
	{
		sqlite3_stmt *st = NULL;
		assert_int_equal(sqlite3_prepare_v2(h, "SELECT (SELECT user_version FROM pragma_user_version),"
		                                    " (SELECT count(*) FROM vulns)", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 1);
		assert_int_equal(sqlite3_column_int(st, 1), 4);
		sqlite3_finalize(st);
	}
	assert_int_equal(sqlite3_exec(h, "DROP VIEW alias_groups", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(h), SQLITE_OK);
	/* now it migrates */
	assert_int_equal(tl_vulndb_open(&db, dbp), TL_OK);
	assert_int_equal(q1(db, "PRAGMA user_version"), TL_VULNDB_SCHEMA_VERSION);
	assert_string_equal(group_str(db, "BIT-sqlite-2022-35737"), "BIT-sqlite-2022-35737 CVE-2022-35737");
	assert_string_equal(group_str(db, "CVE-2022-35737"), "BIT-sqlite-2022-35737 CVE-2022-35737");
	assert_string_equal(group_str(db, "CVE-2014-3616"), "CVE-2014-3616 DSA-3029-1");
	assert_string_equal(group_str(db, "UBUNTU-CVE-2022-48174"), "CVE-2022-48174 UBUNTU-CVE-2022-48174");
	/* the rowids stored with the members are those of their records */
	assert_int_equal(q1(db, "SELECT count(*) FROM alias_groups g JOIN vulns v ON v.rowid = g.nvd"
	                        " WHERE g.id = 'CVE-2022-35737' AND v.id = g.id AND v.source = 'nvd'"), 1);
	assert_int_equal(q1(db, "SELECT count(*) FROM alias_groups WHERE id = 'CVE-2022-35737' AND osv IS NULL"), 1);
	assert_int_equal(q1(db, "SELECT count(*) FROM alias_groups g JOIN vulns v ON v.rowid = g.osv"
	                        " WHERE g.id = 'DSA-3029-1' AND v.id = g.id"), 1);
	tl_vulndb_close(db);
	unlink(dbp);
	snprintf(p, sizeof(p), "%s-wal", dbp);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbp);
	unlink(p);
	rmdir(dir);
}

/* Opening a current database takes no write lock: a reader opens it while
 * an import holds the write lock (before, the open waited out the 10 s busy
 * timeout and failed with "database is locked"). */
static void test_vulndb__open_while_importing(void **state)
{
	char dir[] = "/tmp/tl-vulndb-XXXXXX", dbp[64], p[80];
	tl_vulndb *writer = NULL, *reader = NULL;

	assert_non_null(mkdtemp(dir));
	snprintf(dbp, sizeof(dbp), "%s/v.db", dir);
	assert_int_equal(tl_vulndb_open(&writer, dbp), TL_OK);
	assert_int_equal(import_str(writer, osv_v1, "v1.json"), TL_OK);
	assert_int_equal(sqlite3_exec(tl_vulndb_handle(writer), "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(tl_vulndb_open(&reader, dbp), TL_OK);
	assert_int_equal(q1(reader, "SELECT count(*) FROM vulns"), 1);
	tl_vulndb_close(reader);
	assert_int_equal(sqlite3_exec(tl_vulndb_handle(writer), "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	tl_vulndb_close(writer);
	unlink(dbp);
	snprintf(p, sizeof(p), "%s-wal", dbp);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbp);
	unlink(p);
	rmdir(dir);
}

/* Every NVD file of the shared data imports; CVE-2023-38545's libcurl
 * range is stored as the record gives it. */
static void test_vulndb__nvd_curl_range(void **state)
{
	const char *d = getenv("TL_SHARED_DATA");
	char path[1024];
	const char *paths[1] = { path };
	tl_vulndb *db = mem_db();
	json_t *rec = NULL, *m;
	tl_json_limits lim = { 0, 0 };

	if (!d)
		skip();
	snprintf(path, sizeof(path), "%s/nvd/api2/targeted-embedded/CVE-2023-38545.json", d);
	assert_int_equal(tl_vulndb_import(db, paths, 1, NULL), TL_OK);
	assert_int_equal(tl_json_load_file(&rec, path, &lim), TL_OK);
	m = json_array_get(json_object_get(json_array_get(json_object_get(json_array_get(
		json_object_get(rec, "configurations"), 0), "nodes"), 0), "cpeMatch"), 0);
	assert_string_equal(qs(db, "SELECT criteria FROM nvd_cpe WHERE vendor = 'haxx' AND product = 'libcurl'"),
	                    json_string_value(json_object_get(m, "criteria")));
	assert_string_equal(qs(db, "SELECT start_incl FROM nvd_cpe WHERE vendor = 'haxx' AND product = 'libcurl'"),
	                    json_string_value(json_object_get(m, "versionStartIncluding")));
	assert_string_equal(qs(db, "SELECT end_excl FROM nvd_cpe WHERE vendor = 'haxx' AND product = 'libcurl'"),
	                    json_string_value(json_object_get(m, "versionEndExcluding")));
	assert_int_equal(q1(db, "SELECT count(*) FROM nvd_cpe WHERE vendor = 'haxx' AND end_incl IS NOT NULL"), 0);
	json_decref(rec);
	snprintf(path, sizeof(path), "%s/nvd", d);
	assert_int_equal(tl_vulndb_import(db, paths, 1, NULL), TL_OK);
	assert_true(q1(db, "SELECT count(*) FROM vulns WHERE source = 'nvd'") > 600);
	tl_vulndb_close(db);
}

/* ---- db update: the parsers of what a feed server sends (feed_http.c) -- */

/* Feeds header lines (NUL-terminated, CRLF added) to r. */
static tl_err hdr(tl__http_resp *r, const char *line)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s\r\n", line);
	return tl__http_header(r, buf, strlen(buf), "http://x/f");
}

/* The CRC-32C check value (RFC 3720 B.4 / the Castagnoli "123456789"). */
static void test_vulndb__crc32c_check_value(void **state)
{
	(void)state;
	assert_int_equal(tl__crc32c(0, "123456789", 9), 0xE3069283u);
	assert_int_equal(tl__crc32c(tl__crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
	assert_int_equal(tl__crc32c(0, "", 0), 0u);
}

/* GCS sends the digests base64-encoded (crc32c big-endian), in one
 * x-goog-hash header or two; values of "123456789" computed with
 * Python's hashlib and the check value above. */
static void test_vulndb__goog_hash_header(void **state)
{
	static const uint8_t md5[16] = { 0x25, 0xf9, 0xe7, 0x94, 0x32, 0x3b, 0x45, 0x38,
	                                 0x85, 0xf5, 0x18, 0x1f, 0x1b, 0x62, 0x4d, 0x0b };
	tl__http_resp r, saved;

	(void)state;
	tl__http_resp_reset(&r);
	assert_int_equal(hdr(&r, "HTTP/1.1 200 OK"), TL_OK);
	assert_int_equal(r.status, 200);
	assert_int_equal(hdr(&r, "x-goog-hash: crc32c=4waSgw=="), TL_OK);
	assert_int_equal(hdr(&r, "X-Goog-Hash: md5=JfnnlDI7RTiF9RgfG2JNCw=="), TL_OK);
	assert_true(r.has_crc32c && r.has_md5);
	assert_int_equal(r.crc32c, 0xE3069283u);
	assert_memory_equal(r.md5, md5, 16);
	tl__http_resp_reset(&r);
	assert_int_equal(hdr(&r, "x-goog-hash: crc32c=4waSgw==, md5=JfnnlDI7RTiF9RgfG2JNCw=="), TL_OK);
	assert_true(r.has_crc32c && r.has_md5);
	/* malformed digests fail and leave r as it was */
	saved = r;
	assert_int_equal(hdr(&r, "x-goog-hash: crc32c=4waSgw="), TL_EPARSE);
	assert_int_equal(hdr(&r, "x-goog-hash: crc32c=4waSg==="), TL_EPARSE);
	assert_int_equal(hdr(&r, "x-goog-hash: md5=JfnnlDI7RTiF9RgfG2JNC"), TL_EPARSE);
	assert_int_equal(hdr(&r, "x-goog-hash: crc32c"), TL_EPARSE);
	assert_int_equal(hdr(&r, "x-goog-hash: crc32c=AAAAAA=="), TL_EPARSE); /* disagrees */
	assert_memory_equal(&r, &saved, sizeof(r));
	assert_non_null(strstr(tl_error_last(), "http://x/f: header x-goog-hash"));
	/* unknown algorithms are ignored */
	assert_int_equal(hdr(&r, "x-goog-hash: sha512=xyz"), TL_OK);
}

static void test_vulndb__http_sizes_and_validators(void **state)
{
	tl__http_resp r, saved;

	(void)state;
	tl__http_resp_reset(&r);
	assert_int_equal(hdr(&r, "HTTP/1.1 206 Partial Content"), TL_OK);
	assert_int_equal(hdr(&r, "Content-Length: 100"), TL_OK);
	assert_int_equal(hdr(&r, "Content-Range: bytes 100-199/300"), TL_OK);
	assert_true(r.has_length && r.length == 100);
	assert_true(r.has_range && r.range_first == 100 && r.range_last == 199);
	assert_true(r.has_range_total && r.range_total == 300);
	assert_int_equal(hdr(&r, "ETag: \"abc-1\""), TL_OK);
	assert_string_equal(r.etag, "\"abc-1\"");
	assert_int_equal(hdr(&r, "ETag: W/\"weak\""), TL_OK);
	assert_string_equal(r.etag, ""); /* weak validators cannot be used with If-Range */
	assert_int_equal(hdr(&r, "Retry-After: 30"), TL_OK);
	assert_true(r.has_retry_after && r.retry_after == 30);
	assert_int_equal(hdr(&r, "Content-Range: bytes 0-9/*"), TL_OK);
	assert_false(r.has_range_total);
	saved = r;
	assert_int_equal(hdr(&r, "Content-Length: 12x"), TL_EPARSE);
	assert_int_equal(hdr(&r, "Content-Length: 101"), TL_EPARSE); /* a second, different one */
	assert_int_equal(hdr(&r, "Content-Length: 9999999999999999999"), TL_EPARSE);
	assert_int_equal(hdr(&r, "Content-Range: bytes 5-4/10"), TL_EPARSE);
	assert_int_equal(hdr(&r, "Content-Range: bytes 0-10/10"), TL_EPARSE);
	assert_int_equal(hdr(&r, "Content-Range: items 0-1/2"), TL_EPARSE);
	assert_int_equal(hdr(&r, "HTTP/1.1 2x0 OK"), TL_EPARSE);
	assert_memory_equal(&r, &saved, sizeof(r));
	/* a new status line (a redirect hop) starts over */
	assert_int_equal(hdr(&r, "HTTP/2 302"), TL_OK);
	assert_int_equal(r.status, 302);
	assert_false(r.has_length || r.has_range);
}

/* The envelope of a real API 2.0 page (anchore/vunnel's test data). */
static void test_vulndb__nvd_envelope(void **state)
{
	static const char neg[] = "{\"resultsPerPage\": 1, \"startIndex\": -1, \"totalResults\": 0,"
	                          " \"format\": \"NVD_CVE\", \"vulnerabilities\": []}";
	const char *d = getenv("TL_SHARED_DATA");
	char path[4096];
	tl_buf b = TL_BUF_INIT;
	tl__nvd_envelope e;

	(void)state;
	assert_non_null(d);
	snprintf(path, sizeof(path), "%s/nvd/api2/vunnel-pages/single-entry.json", d);
	assert_int_equal(tl_file_read(&b, path, 0), TL_OK);
	assert_int_equal(tl__nvd_envelope_read(&e, b.ptr, b.len, "page"), TL_OK);
	assert_true(e.results_per_page == 1 && e.start_index == 0 && e.total_results == 1 &&
	            e.count == 1);
	tl_buf_dispose(&b);
	assert_int_equal(tl__nvd_envelope_read(&e, neg, strlen(neg), "p"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "p: $.startIndex: expected a non-negative integer"));
	assert_int_equal(tl__nvd_envelope_read(&e, "[]", 2, "p"), TL_EPARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vulndb__osv_fields_stored),
		cmocka_unit_test(test_vulndb__cvss3_scope_changed),
		cmocka_unit_test(test_vulndb__newer_modified_wins),
		cmocka_unit_test(test_vulndb__wrong_type_names_path),
		cmocka_unit_test(test_vulndb__yaml_limits),
		cmocka_unit_test(test_vulndb__atomic_across_files),
		cmocka_unit_test(test_vulndb__aliases_grouped),
		cmocka_unit_test(test_vulndb__alias_groups_follow_imports),
		cmocka_unit_test(test_vulndb__migrates_v1_alias_groups),
		cmocka_unit_test(test_vulndb__open_while_importing),
		cmocka_unit_test(test_vulndb__nvd_curl_range),
		cmocka_unit_test(test_vulndb__crc32c_check_value),
		cmocka_unit_test(test_vulndb__goog_hash_header),
		cmocka_unit_test(test_vulndb__http_sizes_and_validators),
		cmocka_unit_test(test_vulndb__nvd_envelope),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
