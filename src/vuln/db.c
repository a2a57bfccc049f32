/*
 * The vulnerability database: one SQLite file in WAL mode, its schema and
 * migrations, and the import driver (files, directories, zip dumps; the
 * format of each file detected from its content; one transaction).
 *
 * Schema (user_version 2; docs/vulndb.md has the full description):
 *   meta(key, value)                       import and update times per source,
 *                                          the update's ETags and NVD window
 *   vulns(id, source, summary, details, published, modified, withdrawn,
 *         severity, cvss3_vector, cvss3_score, cvss4_vector, cvss4_score)
 *                                          UNIQUE(source, id)
 *   aliases(vuln -> vulns, alias)          ids the record names as the same
 *   alias_groups(id, grp, nvd, osv)        every record id and alias: its
 *                                          connected group over aliases and
 *                                          the rowids of its NVD and OSV
 *                                          records (v2; rebuilt by each
 *                                          import that changes records)
 *                                          index (grp, nvd, osv)
 *   affected(vuln, ecosystem, package, purl)    index (ecosystem, package)
 *   ranges(affected, type, repo)           ECOSYSTEM / SEMVER / GIT
 *   events(range, seq, kind, version)      introduced/fixed/last_affected/limit
 *   versions(affected, version)            explicit affected versions
 *   nvd_configs(vuln, seq, operator, negate)
 *   nvd_nodes(vuln, config, parent, seq, operator, negate)   (1.1: a tree)
 *   nvd_cpe(node, vuln, seq, vulnerable, criteria, part, vendor, product,
 *           version, start_incl, start_excl, end_incl, end_excl, match_id)
 *                                          index (vendor, product)
 *   kev(cve, vendor, product, name, date_added, due_date, ransomware, ...)
 *   alpine_secfixes(distro, repo, package, fixed, vuln_id)
 *                                          index (distro, package)
 * Children are deleted with their record (ON DELETE CASCADE).
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "feed_int.h"
#include "vuln_int.h"

enum {
	S_VULN_GET, S_VULN_DEL, S_VULN_INS, S_ALIAS, S_AFFECTED, S_RANGE, S_EVENT, S_VERSION,
	S_NVD_CONFIG, S_NVD_NODE, S_NVD_CPE, S_KEV, S_SECFIX, S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_VULN_GET] = "SELECT rowid, modified FROM vulns WHERE source = ?1 AND id = ?2",
	[S_VULN_DEL] = "DELETE FROM vulns WHERE rowid = ?1",
	[S_VULN_INS] = "INSERT INTO vulns(id, source, summary, details, published, modified, withdrawn,"
	               " severity, cvss3_vector, cvss3_score, cvss4_vector, cvss4_score)"
	               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[S_ALIAS] = "INSERT OR IGNORE INTO aliases(vuln, alias) VALUES (?1, ?2)",
	[S_AFFECTED] = "INSERT INTO affected(vuln, ecosystem, package, purl) VALUES (?1, ?2, ?3, ?4)",
	[S_RANGE] = "INSERT INTO ranges(affected, type, repo) VALUES (?1, ?2, ?3)",
	[S_EVENT] = "INSERT INTO events(range, seq, kind, version) VALUES (?1, ?2, ?3, ?4)",
	[S_VERSION] = "INSERT OR IGNORE INTO versions(affected, version) VALUES (?1, ?2)",
	[S_NVD_CONFIG] = "INSERT INTO nvd_configs(vuln, seq, operator, negate) VALUES (?1, ?2, ?3, ?4)",
	[S_NVD_NODE] = "INSERT INTO nvd_nodes(vuln, config, parent, seq, operator, negate)"
	               " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_NVD_CPE] = "INSERT INTO nvd_cpe(node, vuln, seq, vulnerable, criteria, part, vendor, product,"
	              " version, start_incl, start_excl, end_incl, end_excl, match_id)"
	              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	[S_KEV] = "INSERT OR REPLACE INTO kev(cve, vendor, product, name, date_added, due_date,"
	          " ransomware, required_action, notes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_SECFIX] = "INSERT OR IGNORE INTO alpine_secfixes(distro, repo, package, fixed, vuln_id)"
	             " VALUES (?1, ?2, ?3, ?4, ?5)",
};

struct tl_vulndb {
	sqlite3 *h;
	/* read connections of the matching threads (tl__vulndb_reader), kept
	 * open until the database is closed */
	sqlite3 *readers[TL__VULNDB_READERS];
	char *path;
	sqlite3_stmt *st[S_COUNT];
	/* which sources an import touched, for meta.last_import.<source> */
	bool touched[4];
	/* a vulns row was written or deleted: alias_groups is rebuilt */
	bool records_changed;
};

static const char *const source_names[4] = { "osv", "nvd", "kev", "alpine" };

/* Migrations: migrations[i] takes the schema from version i to i + 1. */
static const char *const migrations[] = {
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE vulns("
	" rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, source TEXT NOT NULL,"
	" summary TEXT, details TEXT, published TEXT, modified TEXT, withdrawn TEXT,"
	" severity TEXT, cvss3_vector TEXT, cvss3_score REAL, cvss4_vector TEXT, cvss4_score REAL,"
	" UNIQUE(source, id));"
	"CREATE TABLE aliases("
	" vuln INTEGER NOT NULL REFERENCES vulns(rowid) ON DELETE CASCADE,"
	" alias TEXT NOT NULL, PRIMARY KEY(vuln, alias)) WITHOUT ROWID;"
	"CREATE INDEX aliases_alias ON aliases(alias);"
	"CREATE TABLE affected("
	" rowid INTEGER PRIMARY KEY,"
	" vuln INTEGER NOT NULL REFERENCES vulns(rowid) ON DELETE CASCADE,"
	" ecosystem TEXT NOT NULL, package TEXT NOT NULL, purl TEXT);"
	"CREATE INDEX affected_pkg ON affected(ecosystem, package);"
	"CREATE INDEX affected_vuln ON affected(vuln);"
	"CREATE TABLE ranges("
	" rowid INTEGER PRIMARY KEY,"
	" affected INTEGER NOT NULL REFERENCES affected(rowid) ON DELETE CASCADE,"
	" type TEXT NOT NULL, repo TEXT);"
	"CREATE INDEX ranges_affected ON ranges(affected);"
	"CREATE TABLE events("
	" range INTEGER NOT NULL REFERENCES ranges(rowid) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL,"
	" kind TEXT NOT NULL CHECK(kind IN ('introduced', 'fixed', 'last_affected', 'limit')),"
	" version TEXT NOT NULL, PRIMARY KEY(range, seq)) WITHOUT ROWID;"
	"CREATE TABLE versions("
	" affected INTEGER NOT NULL REFERENCES affected(rowid) ON DELETE CASCADE,"
	" version TEXT NOT NULL, PRIMARY KEY(affected, version)) WITHOUT ROWID;"
	"CREATE TABLE nvd_configs("
	" rowid INTEGER PRIMARY KEY,"
	" vuln INTEGER NOT NULL REFERENCES vulns(rowid) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL, operator TEXT, negate INTEGER NOT NULL);"
	"CREATE INDEX nvd_configs_vuln ON nvd_configs(vuln);"
	"CREATE TABLE nvd_nodes("
	" rowid INTEGER PRIMARY KEY,"
	" vuln INTEGER NOT NULL REFERENCES vulns(rowid) ON DELETE CASCADE,"
	" config INTEGER NOT NULL REFERENCES nvd_configs(rowid) ON DELETE CASCADE,"
	" parent INTEGER REFERENCES nvd_nodes(rowid) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL, operator TEXT NOT NULL CHECK(operator IN ('AND', 'OR')),"
	" negate INTEGER NOT NULL);"
	"CREATE INDEX nvd_nodes_vuln ON nvd_nodes(vuln);"
	"CREATE INDEX nvd_nodes_config ON nvd_nodes(config);"
	"CREATE INDEX nvd_nodes_parent ON nvd_nodes(parent);"
	"CREATE TABLE nvd_cpe("
	" node INTEGER NOT NULL REFERENCES nvd_nodes(rowid) ON DELETE CASCADE,"
	" vuln INTEGER NOT NULL REFERENCES vulns(rowid) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL, vulnerable INTEGER NOT NULL, criteria TEXT NOT NULL,"
	" part TEXT NOT NULL, vendor TEXT NOT NULL, product TEXT NOT NULL, version TEXT NOT NULL,"
	" start_incl TEXT, start_excl TEXT, end_incl TEXT, end_excl TEXT, match_id TEXT,"
	" PRIMARY KEY(node, seq)) WITHOUT ROWID;"
	"CREATE INDEX nvd_cpe_product ON nvd_cpe(vendor, product);"
	"CREATE INDEX nvd_cpe_vuln ON nvd_cpe(vuln);"
	"CREATE TABLE kev("
	" cve TEXT PRIMARY KEY, vendor TEXT, product TEXT, name TEXT, date_added TEXT NOT NULL,"
	" due_date TEXT, ransomware TEXT, required_action TEXT, notes TEXT);"
	"CREATE TABLE alpine_secfixes("
	" distro TEXT NOT NULL, repo TEXT NOT NULL, package TEXT NOT NULL, fixed TEXT NOT NULL,"
	" vuln_id TEXT NOT NULL, PRIMARY KEY(distro, repo, package, fixed, vuln_id)) WITHOUT ROWID;"
	"CREATE INDEX alpine_secfixes_pkg ON alpine_secfixes(distro, package);"
	"CREATE INDEX alpine_secfixes_id ON alpine_secfixes(vuln_id);",
	/* 2: the alias groups resolved once per import instead of walked per
	 * id at match time (filled by alias_groups_rebuild) */
	"CREATE TABLE alias_groups(id TEXT PRIMARY KEY, grp INTEGER NOT NULL, nvd INTEGER, osv INTEGER)"
	" WITHOUT ROWID;"
	"CREATE INDEX alias_groups_grp ON alias_groups(grp, nvd, osv);",
};
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == TL_VULNDB_SCHEMA_VERSION,
               "one migration per schema version");

static tl_err alias_groups_rebuild(tl_vulndb *db);

static tl_err sqlerr(tl_vulndb *db, const char *what)
{
	int rc = sqlite3_extended_errcode(db->h);

	return tl__error(rc == SQLITE_NOMEM ? TL_ENOMEM : TL_EIO, "%s: %s: %s",
	                 db->path ? db->path : "vulns.db", what, sqlite3_errmsg(db->h));
}

static tl_err exec(tl_vulndb *db, const char *sql)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sqlerr(db, "SQL");
	return TL_OK;
}

tl_err tl_vulndb_default_path(char **out)
{
	const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	tl_buf b = TL_BUF_INIT;
	tl_err err;

	*out = NULL;
	if (x && x[0] == '/')
		err = tl_buf_printf(&b, "%s/trustline/vulns.db", x);
	else if (home && home[0])
		err = tl_buf_printf(&b, "%s/.local/share/trustline/vulns.db", home);
	else
		return tl__error(TL_EINVAL, "no database path: set XDG_DATA_HOME or HOME, or use --db");
	if (err == TL_OK && !(*out = tl_buf_detach(&b)))
		err = tl__nomem();
	tl_buf_dispose(&b);
	return err;
}

/* mkdir -p of the directory part of path. */
static tl_err make_parents(const char *path)
{
	char *p = tl_strdup(path), *s;
	tl_err err = TL_OK;

	if (!p)
		return tl__nomem();
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			err = tl__error(TL_EIO, "%s: cannot create directory: %s", p, strerror(errno));
			break;
		}
		*s = '/';
	}
	free(p);
	return err;
}

static tl_err schema_version(tl_vulndb *db, int *out)
{
	sqlite3_stmt *q = NULL;
	tl_err err = TL_OK;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_ROW)
		err = sqlerr(db, "reading the schema version");
	else
		*out = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return err;
}

static tl_err migrate(tl_vulndb *db)
{
	int version = 0;
	tl_err err = TL_OK;

	/* a current database is not locked for writing: a reader (vuln) opens
	 * it while an import holds the write lock */
	if ((err = schema_version(db, &version)) != TL_OK)
		return err;
	if (version == TL_VULNDB_SCHEMA_VERSION)
		return TL_OK;
	if ((err = exec(db, "BEGIN IMMEDIATE")) != TL_OK)
		return err;
	/* again under the lock: another process may have migrated meanwhile */
	if ((err = schema_version(db, &version)) != TL_OK)
		goto done;
	if (version > TL_VULNDB_SCHEMA_VERSION) {
		err = tl__error(TL_EUNSUPPORTED, "%s: schema version %d is newer than this trustline (%d)",
		                db->path, version, TL_VULNDB_SCHEMA_VERSION);
		goto done;
	}
	for (; version < TL_VULNDB_SCHEMA_VERSION; version++) {
		char pragma[64];
		if ((err = exec(db, migrations[version])) != TL_OK)
			goto done;
		/* 1 -> 2 on a database with records: their groups, in the
		 * same transaction as the new table */
		if (version + 1 == 2 && (err = alias_groups_rebuild(db)) != TL_OK)
			goto done;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", version + 1);
		if ((err = exec(db, pragma)) != TL_OK)
			goto done;
	}
	err = exec(db, "COMMIT");
done:
	if (err != TL_OK)
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

/*
 * SQLite's memory statistics (sqlite3_memory_used, which nothing here
 * reads) take one process-wide mutex on every allocation, which the
 * matching threads would pass between them thousands of times a run.
 * Only possible before SQLite is first used; later (an application that
 * opened a database first) the call fails and nothing changes.
 */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

tl_err tl_vulndb_open(tl_vulndb **out, const char *path)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	tl_vulndb *db = NULL;
	bool mem = !strcmp(path, ":memory:");
	tl_err err = TL_OK;

	*out = NULL;
	pthread_once(&once, sqlite_setup);
	if (!(db = calloc(1, sizeof(*db))) || !(db->path = tl_strdup(path))) {
		err = tl__nomem();
		goto done;
	}
	if (!mem && (err = make_parents(path)) != TL_OK)
		goto done;
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		err = db->h ? sqlerr(db, "cannot open") : tl__nomem();
		goto done;
	}
	sqlite3_busy_timeout(db->h, 10000);
	sqlite3_extended_result_codes(db->h, 1);
	/* WAL: readers go on during an import and a killed writer leaves only
	 * uncommitted frames, which recovery ignores.  synchronous=FULL makes a
	 * COMMIT durable, not only atomic. */
	if ((!mem && (err = exec(db, "PRAGMA journal_mode = WAL")) != TL_OK) ||
	    (err = exec(db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")) != TL_OK ||
	    (err = migrate(db)) != TL_OK)
		goto done;
	for (int i = 0; i < S_COUNT; i++) {
		if (sqlite3_prepare_v3(db->h, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &db->st[i],
		                       NULL) != SQLITE_OK) {
			err = sqlerr(db, "preparing a statement");
			goto done;
		}
	}
	*out = db;
	db = NULL;
done:
	tl_vulndb_close(db);
	return err;
}

void tl_vulndb_close(tl_vulndb *db)
{
	if (!db)
		return;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(db->st[i]);
	for (int i = 0; i < TL__VULNDB_READERS; i++)
		sqlite3_close(db->readers[i]);
	sqlite3_close(db->h);
	free(db->path);
	free(db);
}

sqlite3 *tl__vulndb_reader(tl_vulndb *db, unsigned k)
{
	sqlite3 *h = NULL;

	/* no second connection onto the same data: in memory, a private
	 * temporary database, a URI (which may name either) */
	if (k >= TL__VULNDB_READERS || !db->path[0] || !strcmp(db->path, ":memory:") ||
	    !strncmp(db->path, "file:", 5))
		return NULL;
	if (db->readers[k])
		return db->readers[k];
	/* the file the main connection opened (and migrated): no CREATE */
	if (sqlite3_open_v2(db->path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		sqlite3_close(h);
		return NULL;
	}
	sqlite3_busy_timeout(h, 10000);
	sqlite3_extended_result_codes(h, 1);
	return db->readers[k] = h;
}

void *tl_vulndb_handle(tl_vulndb *db)
{
	return db->h;
}

/* ---- JSON field access ------------------------------------------------- */

void tl__pathf(char *out, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, n, fmt, ap);
	va_end(ap);
}

tl_err tl__jerr(tl__import *im, const char *path, const char *what)
{
	return tl__error(TL_EPARSE, "%s: %s: %s", im->name, path, what);
}

static const json_t *member(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? NULL : v;
}

tl_err tl__jstr(tl__import *im, const json_t *obj, const char *path, const char *key,
                bool required, const char **out)
{
	const json_t *v = member(obj, key);

	*out = NULL;
	if (!v) {
		if (!required)
			return TL_OK;
		return tl__error(TL_EPARSE, "%s: %s.%s: missing (expected a string)", im->name, path, key);
	}
	if (!json_is_string(v))
		return tl__error(TL_EPARSE, "%s: %s.%s: expected a string", im->name, path, key);
	if (json_string_length(v) > TL__VULN_MAX_STR)
		return tl__error(TL_ELIMIT, "%s: %s.%s: string longer than %u bytes", im->name, path, key,
		                 TL__VULN_MAX_STR);
	*out = json_string_value(v);
	return TL_OK;
}

static tl_err jtyped(tl__import *im, const json_t *obj, const char *path, const char *key,
                     bool required, const json_t **out, json_type t, const char *tname)
{
	const json_t *v = member(obj, key);

	*out = NULL;
	if (!v) {
		if (!required)
			return TL_OK;
		return tl__error(TL_EPARSE, "%s: %s.%s: missing (expected %s)", im->name, path, key, tname);
	}
	if (json_typeof(v) != t)
		return tl__error(TL_EPARSE, "%s: %s.%s: expected %s", im->name, path, key, tname);
	if (t == JSON_ARRAY && json_array_size(v) > TL__VULN_MAX_ITEMS)
		return tl__error(TL_ELIMIT, "%s: %s.%s: more than %u entries", im->name, path, key,
		                 TL__VULN_MAX_ITEMS);
	*out = v;
	return TL_OK;
}

tl_err tl__jobj(tl__import *im, const json_t *obj, const char *path, const char *key,
                bool required, const json_t **out)
{
	return jtyped(im, obj, path, key, required, out, JSON_OBJECT, "an object");
}

tl_err tl__jarr(tl__import *im, const json_t *obj, const char *path, const char *key,
                bool required, const json_t **out)
{
	return jtyped(im, obj, path, key, required, out, JSON_ARRAY, "an array");
}

tl_err tl__jbool(tl__import *im, const json_t *obj, const char *path, const char *key,
                 bool dflt, bool *out)
{
	const json_t *v = member(obj, key);

	*out = dflt;
	if (!v)
		return TL_OK;
	if (!json_is_boolean(v))
		return tl__error(TL_EPARSE, "%s: %s.%s: expected true or false", im->name, path, key);
	*out = json_is_true(v);
	return TL_OK;
}

tl_err tl__jnum(tl__import *im, const json_t *obj, const char *path, const char *key,
                double *out, bool *present)
{
	const json_t *v = member(obj, key);

	*present = false;
	*out = 0;
	if (!v)
		return TL_OK;
	if (!json_is_number(v))
		return tl__error(TL_EPARSE, "%s: %s.%s: expected a number", im->name, path, key);
	*out = json_number_value(v);
	*present = true;
	return TL_OK;
}

/* ---- writes ------------------------------------------------------------ */

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/* Runs a bound insert statement; *rowid (may be NULL) gets the new row. */
static tl_err run(tl__import *im, int which, int64_t *rowid)
{
	sqlite3_stmt *s = im->db->st[which];
	int rc = sqlite3_step(s);
	tl_err err = TL_OK;

	if (rc != SQLITE_DONE)
		err = sqlerr(im->db, "writing");
	else if (rowid)
		*rowid = sqlite3_last_insert_rowid(im->db->h);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return err;
}

static void touch(tl__import *im, const char *source)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(source, source_names[i]))
			im->db->touched[i] = true;
}

/* Compares two timestamps on their first 19 characters
 * (YYYY-MM-DDTHH:MM:SS), so "Z" or fractions do not decide. */
static int ts_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strncmp(a, b, 19);
}

tl_err tl__db_vuln_begin(tl__import *im, const tl__vuln_rec *rec, int64_t *rowid)
{
	sqlite3_stmt *s = im->db->st[S_VULN_GET];
	int64_t old = 0;
	int rc;
	tl_err err;

	*rowid = 0;
	touch(im, rec->source);
	bind_text(s, 1, rec->source);
	bind_text(s, 2, rec->id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(s, 1);
		old = sqlite3_column_int64(s, 0);
		if (ts_cmp(m, rec->modified) > 0) {
			sqlite3_reset(s);
			im->st.older++;
			return TL_OK;
		}
	} else if (rc != SQLITE_DONE) {
		err = sqlerr(im->db, "reading");
		sqlite3_reset(s);
		return err;
	}
	sqlite3_reset(s);
	im->db->records_changed = true;
	if (old) {
		sqlite3_bind_int64(im->db->st[S_VULN_DEL], 1, old);
		if ((err = run(im, S_VULN_DEL, NULL)) != TL_OK)
			return err;
	}
	s = im->db->st[S_VULN_INS];
	bind_text(s, 1, rec->id);
	bind_text(s, 2, rec->source);
	bind_text(s, 3, rec->summary);
	bind_text(s, 4, rec->details);
	bind_text(s, 5, rec->published);
	bind_text(s, 6, rec->modified);
	bind_text(s, 7, rec->withdrawn);
	bind_text(s, 8, rec->severity);
	bind_text(s, 9, rec->cvss3_vector);
	if (rec->cvss3_score >= 0)
		sqlite3_bind_double(s, 10, rec->cvss3_score);
	bind_text(s, 11, rec->cvss4_vector);
	if (rec->cvss4_score >= 0)
		sqlite3_bind_double(s, 12, rec->cvss4_score);
	if ((err = run(im, S_VULN_INS, rowid)) != TL_OK)
		return err;
	im->st.records++;
	return TL_OK;
}

tl_err tl__db_alias(tl__import *im, int64_t vuln, const char *alias)
{
	sqlite3_bind_int64(im->db->st[S_ALIAS], 1, vuln);
	bind_text(im->db->st[S_ALIAS], 2, alias);
	return run(im, S_ALIAS, NULL);
}

tl_err tl__db_affected(tl__import *im, int64_t vuln, const char *ecosystem, const char *package,
                       const char *purl, int64_t *rowid)
{
	sqlite3_stmt *s = im->db->st[S_AFFECTED];

	sqlite3_bind_int64(s, 1, vuln);
	bind_text(s, 2, ecosystem);
	bind_text(s, 3, package);
	bind_text(s, 4, purl);
	return run(im, S_AFFECTED, rowid);
}

tl_err tl__db_range(tl__import *im, int64_t affected, const char *type, const char *repo,
                    int64_t *rowid)
{
	sqlite3_stmt *s = im->db->st[S_RANGE];

	sqlite3_bind_int64(s, 1, affected);
	bind_text(s, 2, type);
	bind_text(s, 3, repo);
	return run(im, S_RANGE, rowid);
}

tl_err tl__db_event(tl__import *im, int64_t range, int seq, const char *kind, const char *version)
{
	sqlite3_stmt *s = im->db->st[S_EVENT];

	sqlite3_bind_int64(s, 1, range);
	sqlite3_bind_int(s, 2, seq);
	bind_text(s, 3, kind);
	bind_text(s, 4, version);
	return run(im, S_EVENT, NULL);
}

tl_err tl__db_version(tl__import *im, int64_t affected, const char *version)
{
	sqlite3_bind_int64(im->db->st[S_VERSION], 1, affected);
	bind_text(im->db->st[S_VERSION], 2, version);
	return run(im, S_VERSION, NULL);
}

tl_err tl__db_nvd_config(tl__import *im, int64_t vuln, int seq, const char *op, bool negate,
                         int64_t *rowid)
{
	sqlite3_stmt *s = im->db->st[S_NVD_CONFIG];

	sqlite3_bind_int64(s, 1, vuln);
	sqlite3_bind_int(s, 2, seq);
	bind_text(s, 3, op);
	sqlite3_bind_int(s, 4, negate);
	return run(im, S_NVD_CONFIG, rowid);
}

tl_err tl__db_nvd_node(tl__import *im, int64_t vuln, int64_t config, int64_t parent, int seq,
                       const char *op, bool negate, int64_t *rowid)
{
	sqlite3_stmt *s = im->db->st[S_NVD_NODE];

	sqlite3_bind_int64(s, 1, vuln);
	sqlite3_bind_int64(s, 2, config);
	if (parent)
		sqlite3_bind_int64(s, 3, parent);
	sqlite3_bind_int(s, 4, seq);
	bind_text(s, 5, op);
	sqlite3_bind_int(s, 6, negate);
	return run(im, S_NVD_NODE, rowid);
}

/*
 * Splits a CPE 2.3 formatted string into its fields (backslash escapes
 * kept as written).  Fills f[0..12] with pointers into buf.  Returns
 * false unless it is "cpe:2.3:" followed by 11 fields.
 */
bool tl__cpe_split(char *buf, char *f[13])
{
	size_t n = 0;
	char *p = buf;

	f[n++] = p;
	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == ':') {
			*p = '\0';
			if (n == 13)
				return false;
			f[n++] = p + 1;
		}
	}
	return n == 13 && !strcmp(f[0], "cpe") && !strcmp(f[1], "2.3") && f[2][0] && f[3][0] &&
	       f[4][0] && f[5][0];
}

tl_err tl__db_nvd_cpe(tl__import *im, int64_t vuln, int64_t node, int seq, const tl__cpe_match *m,
                      const char *path)
{
	sqlite3_stmt *s = im->db->st[S_NVD_CPE];
	char *buf = tl_strdup(m->criteria), *f[13];
	tl_err err;

	if (!buf)
		return tl__nomem();
	if (!tl__cpe_split(buf, f)) {
		free(buf);
		return tl__jerr(im, path, "expected a CPE 2.3 formatted string (cpe:2.3:part:vendor:product:...)");
	}
	sqlite3_bind_int64(s, 1, node);
	sqlite3_bind_int64(s, 2, vuln);
	sqlite3_bind_int(s, 3, seq);
	sqlite3_bind_int(s, 4, m->vulnerable);
	bind_text(s, 5, m->criteria);
	bind_text(s, 6, f[2]);
	bind_text(s, 7, f[3]);
	bind_text(s, 8, f[4]);
	bind_text(s, 9, f[5]);
	bind_text(s, 10, m->start_incl);
	bind_text(s, 11, m->start_excl);
	bind_text(s, 12, m->end_incl);
	bind_text(s, 13, m->end_excl);
	bind_text(s, 14, m->match_id);
	err = run(im, S_NVD_CPE, NULL);
	free(buf);
	return err;
}

tl_err tl__db_kev(tl__import *im, const char *cve, const char *vendor, const char *product,
                  const char *name, const char *date_added, const char *due_date,
                  const char *ransomware, const char *action, const char *notes)
{
	sqlite3_stmt *s = im->db->st[S_KEV];
	tl_err err;

	touch(im, "kev");
	bind_text(s, 1, cve);
	bind_text(s, 2, vendor);
	bind_text(s, 3, product);
	bind_text(s, 4, name);
	bind_text(s, 5, date_added);
	bind_text(s, 6, due_date);
	bind_text(s, 7, ransomware);
	bind_text(s, 8, action);
	bind_text(s, 9, notes);
	if ((err = run(im, S_KEV, NULL)) == TL_OK)
		im->st.records++;
	return err;
}

tl_err tl__db_secfix(tl__import *im, const char *distro, const char *repo, const char *package,
                     const char *fixed, const char *id)
{
	sqlite3_stmt *s = im->db->st[S_SECFIX];
	tl_err err;

	touch(im, "alpine");
	bind_text(s, 1, distro);
	bind_text(s, 2, repo);
	bind_text(s, 3, package);
	bind_text(s, 4, fixed);
	bind_text(s, 5, id);
	if ((err = run(im, S_SECFIX, NULL)) == TL_OK)
		im->st.records++;
	return err;
}

/* ---- the import driver ------------------------------------------------- */

tl__doc_kind tl__doc_detect(const json_t *root)
{
	const json_t *v;

	if (!json_is_object(root))
		return TL__DOC_UNKNOWN;
	if (json_object_get(root, "catalogVersion") && json_object_get(root, "vulnerabilities"))
		return TL__DOC_KEV;
	if (json_object_get(root, "CVE_Items"))
		return TL__DOC_NVD11;
	if (json_object_get(root, "vulnerabilities") &&
	    (json_object_get(root, "resultsPerPage") || json_object_get(root, "format")))
		return TL__DOC_NVD2_PAGE;
	if (json_is_object(json_object_get(root, "cve")) && json_object_size(root) <= 2)
		return TL__DOC_NVD2_CVE;
	if (json_object_get(root, "distroversion") && json_object_get(root, "packages"))
		return TL__DOC_ALPINE;
	v = json_object_get(root, "id");
	if (json_is_string(v) && !strncmp(json_string_value(v), "CVE-", 4) &&
	    json_object_get(root, "sourceIdentifier"))
		return TL__DOC_NVD2_CVE;
	/* the id's type is the importer's to check, so a wrong one gets a path */
	if (v && (json_object_get(root, "modified") || json_object_get(root, "affected") ||
	          json_object_get(root, "schema_version")))
		return TL__DOC_OSV;
	return TL__DOC_UNKNOWN;
}

static bool is_zip(const void *data, size_t len)
{
	return len >= 4 && !memcmp(data, "PK\003\004", 4);
}

/* Parses data as JSON (first non-blank byte '{' or '[') or else YAML. */
static tl_err parse_doc(json_t **out, const char *data, size_t len, const char *name)
{
	size_t i = 0;

	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	if (i < len && (data[i] == '{' || data[i] == '['))
		return tl_json_parse(out, data, len, name, NULL);
	return tl__yaml_parse(out, data, len, name);
}

static tl_err import_zip(tl__import *im, const void *data, size_t len);

/*
 * Imports one document.  In a directory walk (in_dir), a document in no
 * known format is skipped; named directly it is an error.
 */
static tl_err import_doc(tl__import *im, const void *data, size_t len, bool in_dir)
{
	json_t *root = NULL;
	tl__doc_kind kind;
	tl_err err;

	im->st.files++;
	if (is_zip(data, len))
		return import_zip(im, data, len);
	if ((err = parse_doc(&root, data, len, im->name)) != TL_OK) {
		if (in_dir && err == TL_EPARSE && !len) {
			im->st.skipped++;
			err = TL_OK;
		}
		return err;
	}
	kind = tl__doc_detect(root);
	switch (kind) {
	case TL__DOC_OSV:
		err = tl__import_osv(im, root, "$");
		break;
	case TL__DOC_NVD2_CVE:
	case TL__DOC_NVD2_PAGE:
	case TL__DOC_NVD11:
		err = tl__import_nvd(im, root, kind);
		break;
	case TL__DOC_KEV:
		err = tl__import_kev(im, root);
		break;
	case TL__DOC_ALPINE:
		err = tl__import_alpine(im, root);
		break;
	default:
		if (in_dir) {
			im->st.skipped++;
			im->st.files--;
			tl__log(TL_LOG_INFO, "%s: skipped: not an OSV, NVD, KEV or Alpine secdb document",
			        im->name);
		} else {
			err = tl__error(TL_EUNSUPPORTED, "%s: $: not an OSV, NVD, KEV or Alpine secdb document",
			                im->name);
		}
		break;
	}
	json_decref(root);
	return err;
}

/* An ecosystem dump (all.zip): every *.json member is an OSV record. */
static tl_err import_zip(tl__import *im, const void *data, size_t len)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	const char *zipname = im->name;
	tl_buf member = TL_BUF_INIT, name = TL_BUF_INIT;
	uint64_t n = 0;
	tl_err err = TL_OK;
	int rc;

	if (!a)
		return tl__nomem();
	archive_read_support_format_zip(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		err = tl__error(TL_EPARSE, "%s: not a readable zip: %s", zipname, archive_error_string(a));
		goto done;
	}
	while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *p = archive_entry_pathname(e);
		size_t pl = p ? strlen(p) : 0;
		la_int64_t size = archive_entry_size(e);
		if (archive_entry_filetype(e) != AE_IFREG || pl < 5 || strcmp(p + pl - 5, ".json"))
			continue;
		if (++n > TL__VULN_ZIP_MAX_ENTRIES) {
			err = tl__error(TL_ELIMIT, "%s: more than %u members", zipname, TL__VULN_ZIP_MAX_ENTRIES);
			goto done;
		}
		if (archive_entry_size_is_set(e) && size > (la_int64_t)TL__VULN_ZIP_MAX_ENTRY) {
			err = tl__error(TL_ELIMIT, "%s: %s: member larger than %u bytes", zipname, p,
			                TL__VULN_ZIP_MAX_ENTRY);
			goto done;
		}
		tl_buf_clear(&member);
		tl_buf_clear(&name);
		member.max = TL__VULN_ZIP_MAX_ENTRY;
		if ((err = tl_buf_printf(&name, "%s: %s", zipname, p)) != TL_OK)
			goto done;
		for (;;) {
			char chunk[65536];
			la_ssize_t got = archive_read_data(a, chunk, sizeof(chunk));
			if (got < 0) {
				err = tl__error(TL_EPARSE, "%s: %s", name.ptr, archive_error_string(a));
				goto done;
			}
			if (got == 0)
				break;
			if ((err = tl_buf_put(&member, chunk, (size_t)got)) != TL_OK) {
				if (err == TL_ELIMIT)
					err = tl__error(TL_ELIMIT, "%s: member larger than %u bytes", name.ptr,
					                TL__VULN_ZIP_MAX_ENTRY);
				goto done;
			}
		}
		im->name = name.ptr;
		im->st.files++;
		{
			json_t *root = NULL;
			if ((err = tl_json_parse(&root, member.ptr ? member.ptr : "", member.len, name.ptr,
			                         NULL)) != TL_OK)
				goto done;
			if (tl__doc_detect(root) != TL__DOC_OSV)
				err = tl__error(TL_EPARSE, "%s: $: expected an OSV record (an object with \"id\")",
				                name.ptr);
			else
				err = tl__import_osv(im, root, "$");
			json_decref(root);
		}
		im->name = zipname;
		if (err != TL_OK)
			goto done;
	}
	if (rc != ARCHIVE_EOF) {
		err = tl__error(TL_EPARSE, "%s: %s", zipname, archive_error_string(a));
		goto done;
	}
done:
	im->name = zipname;
	archive_read_free(a);
	tl_buf_dispose(&member);
	tl_buf_dispose(&name);
	return err;
}

static bool wanted_ext(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (!strcmp(dot, ".json") || !strcmp(dot, ".yaml") || !strcmp(dot, ".yml") ||
	               !strcmp(dot, ".zip"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static tl_err import_path(tl__import *im, const char *path, bool in_dir, unsigned depth);

static tl_err import_dir(tl__import *im, const char *path, unsigned depth)
{
	DIR *d = NULL;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	tl_buf child = TL_BUF_INIT;
	tl_err err = TL_OK;

	if (depth > TL__VULN_DIR_MAX_DEPTH)
		return tl__error(TL_ELIMIT, "%s: directories nested deeper than %d", path,
		                 TL__VULN_DIR_MAX_DEPTH);
	if (!(d = opendir(path)))
		return tl__error(TL_EIO, "%s: cannot open directory: %s", path, strerror(errno));
	/* sorted, so the same tree imports in the same order */
	while ((de = readdir(d)) != NULL) {
		char **slot;
		if (de->d_name[0] == '.')
			continue;
		if ((err = tl__array_grow((void **)&names, &n, sizeof(*names), (void **)&slot)) != TL_OK)
			goto done;
		if (!(*slot = tl_strdup(de->d_name))) {
			err = tl__nomem();
			goto done;
		}
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		tl_buf_clear(&child);
		if ((err = tl_buf_printf(&child, "%s/%s", path, names[i])) != TL_OK ||
		    (err = import_path(im, child.ptr, true, depth + 1)) != TL_OK)
			goto done;
	}
done:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	tl_buf_dispose(&child);
	closedir(d);
	return err;
}

static tl_err import_path(tl__import *im, const char *path, bool in_dir, unsigned depth)
{
	struct stat sb;
	tl_buf data = TL_BUF_INIT;
	tl_err err;

	if ((in_dir ? lstat(path, &sb) : stat(path, &sb)) != 0)
		return tl__error(TL_EIO, "%s: %s", path, strerror(errno));
	if (S_ISDIR(sb.st_mode))
		return import_dir(im, path, depth);
	if (!S_ISREG(sb.st_mode)) {
		if (in_dir)
			return TL_OK;
		return tl__error(TL_EINVAL, "%s: not a file or directory", path);
	}
	if (in_dir && !wanted_ext(path))
		return TL_OK;
	if ((err = tl_file_read(&data, path, 0)) != TL_OK)
		goto done;
	im->name = path;
	err = import_doc(im, data.ptr ? data.ptr : "", data.len, in_dir);
	im->name = NULL;
	tl__progress("importing", im->st.files, 0);
done:
	tl_buf_dispose(&data);
	return err;
}

static tl_err import_begin(tl_vulndb *db)
{
	memset(db->touched, 0, sizeof(db->touched));
	db->records_changed = false;
	return exec(db, "BEGIN IMMEDIATE");
}

static tl_err import_end(tl_vulndb *db, tl_err err, const tl__meta_kv *meta, size_t n_meta)
{
	if (err == TL_OK) {
		char now[32], key[64];
		int64_t t;
		sqlite3_stmt *q = NULL;
		if ((err = tl_now(&t)) != TL_OK)
			goto done;
		tl_time_iso8601(now, t);
		if (sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
		                       -1, &q, NULL) != SQLITE_OK) {
			err = sqlerr(db, "preparing");
			goto done;
		}
		for (int i = 0; i < 4 && err == TL_OK; i++) {
			if (!db->touched[i])
				continue;
			snprintf(key, sizeof(key), "last_import.%s", source_names[i]);
			sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 2, now, -1, SQLITE_STATIC);
			if (sqlite3_step(q) != SQLITE_DONE)
				err = sqlerr(db, "writing");
			sqlite3_reset(q);
		}
		sqlite3_finalize(q);
		q = NULL;
		/* the update's own state (ETags, NVD window, last update), in
		 * the same transaction as the records it describes */
		for (size_t i = 0; i < n_meta && err == TL_OK; i++) {
			const char *sql = meta[i].value ?
				"INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)" :
				"DELETE FROM meta WHERE key = ?1";
			if (sqlite3_prepare_v2(db->h, sql, -1, &q, NULL) != SQLITE_OK) {
				err = sqlerr(db, "preparing");
				break;
			}
			sqlite3_bind_text(q, 1, meta[i].key, -1, SQLITE_STATIC);
			if (meta[i].value)
				sqlite3_bind_text(q, 2, meta[i].value, -1, SQLITE_STATIC);
			if (sqlite3_step(q) != SQLITE_DONE)
				err = sqlerr(db, "writing");
			sqlite3_finalize(q);
			q = NULL;
		}
		if (err == TL_OK && db->records_changed)
			err = alias_groups_rebuild(db);
		if (err == TL_OK)
			err = exec(db, "COMMIT");
	}
done:
	if (err != TL_OK)
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

tl_err tl__vulndb_import_meta(tl_vulndb *db, const char *const *paths, size_t n,
                              const tl__meta_kv *meta, size_t n_meta, tl_vulndb_import_stats *st)
{
	tl__import im = { .db = db };
	tl_err err;

	if (st)
		memset(st, 0, sizeof(*st));
	if ((err = import_begin(db)) != TL_OK)
		return err;
	for (size_t i = 0; i < n && err == TL_OK; i++)
		err = import_path(&im, paths[i], false, 0);
	err = import_end(db, err, meta, n_meta);
	if (err == TL_OK && st)
		*st = im.st;
	return err;
}

tl_err tl_vulndb_import(tl_vulndb *db, const char *const *paths, size_t n,
                        tl_vulndb_import_stats *st)
{
	return tl__vulndb_import_meta(db, paths, n, NULL, 0, st);
}

tl_err tl__vulndb_meta_get(tl_vulndb *db, const char *key, char **out)
{
	sqlite3_stmt *q = NULL;
	tl_err err = TL_OK;
	int rc;

	*out = NULL;
	if (sqlite3_prepare_v2(db->h, "SELECT value FROM meta WHERE key = ?1", -1, &q, NULL) !=
	    SQLITE_OK)
		return sqlerr(db, "preparing");
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		if (!(*out = tl_strdup((const char *)sqlite3_column_text(q, 0))))
			err = tl__nomem();
	} else if (rc != SQLITE_DONE) {
		err = sqlerr(db, "reading");
	}
	sqlite3_finalize(q);
	return err;
}

const char *tl__vulndb_path(const tl_vulndb *db)
{
	return db->path;
}

tl_err tl_vulndb_import_mem(tl_vulndb *db, const void *data, size_t len, const char *name,
                            tl_vulndb_import_stats *st)
{
	tl__import im = { .db = db, .name = name ? name : "input" };
	tl_err err;

	if (st)
		memset(st, 0, sizeof(*st));
	if ((err = import_begin(db)) != TL_OK)
		return err;
	err = import_doc(&im, data, len, false);
	err = import_end(db, err, NULL, 0);
	if (err == TL_OK && st)
		*st = im.st;
	return err;
}

/* ---- status and aliases ------------------------------------------------ */

/* Runs sql (one row, one integer column, optional text parameter). */
static tl_err count(tl_vulndb *db, const char *sql, const char *param, int64_t *out)
{
	sqlite3_stmt *q = NULL;
	tl_err err = TL_OK;

	*out = 0;
	if (sqlite3_prepare_v2(db->h, sql, -1, &q, NULL) != SQLITE_OK) {
		err = sqlerr(db, "preparing");
		goto done;
	}
	if (param)
		sqlite3_bind_text(q, 1, param, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW) {
		err = sqlerr(db, "reading");
		goto done;
	}
	*out = sqlite3_column_int64(q, 0);
done:
	sqlite3_finalize(q);
	return err;
}

/* Text of a one-row query, or NULL. */
static tl_err text1(tl_vulndb *db, const char *sql, const char *param, json_t **out)
{
	sqlite3_stmt *q = NULL;
	tl_err err = TL_OK;
	int rc;

	*out = NULL;
	if (sqlite3_prepare_v2(db->h, sql, -1, &q, NULL) != SQLITE_OK) {
		err = sqlerr(db, "preparing");
		goto done;
	}
	if (param)
		sqlite3_bind_text(q, 1, param, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) == SQLITE_TEXT) {
		if (!(*out = json_string((const char *)sqlite3_column_text(q, 0))))
			err = tl__nomem();
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		err = sqlerr(db, "reading");
	}
done:
	sqlite3_finalize(q);
	return err;
}

static tl_err set_new(json_t *obj, const char *key, json_t *v)
{
	if (!v || json_object_set_new(obj, key, v) != 0)
		return tl__nomem();
	return TL_OK;
}

tl_err tl_vulndb_status(tl_vulndb *db, json_t **out)
{
	static const char *const count_sql[4] = {
		"SELECT count(*) FROM vulns WHERE source = 'osv'",
		"SELECT count(*) FROM vulns WHERE source = 'nvd'",
		"SELECT count(*) FROM kev",
		"SELECT count(*) FROM alpine_secfixes",
	};
	static const char *const newest_sql[4] = {
		"SELECT max(modified) FROM vulns WHERE source = 'osv'",
		"SELECT max(modified) FROM vulns WHERE source = 'nvd'",
		"SELECT max(date_added) FROM kev",
		NULL,
	};
	json_t *root = json_object(), *sources = json_object(), *eco = json_object(), *v = NULL;
	sqlite3_stmt *q = NULL;
	int64_t n;
	tl_err err = TL_OK;
	int rc;

	*out = NULL;
	if (!root || !sources || !eco) {
		err = tl__nomem();
		goto done;
	}
	if ((err = count(db, "PRAGMA user_version", NULL, &n)) != TL_OK ||
	    (err = set_new(root, "schema_version", json_integer(n))) != TL_OK)
		goto done;
	for (int i = 0; i < 4; i++) {
		json_t *s = json_object();
		char key[64];
		if ((err = set_new(sources, source_names[i], s)) != TL_OK)
			goto done;
		if ((err = count(db, count_sql[i], NULL, &n)) != TL_OK ||
		    (err = set_new(s, "records", json_integer(n))) != TL_OK)
			goto done;
		snprintf(key, sizeof(key), "last_import.%s", source_names[i]);
		if ((err = text1(db, "SELECT value FROM meta WHERE key = ?1", key, &v)) != TL_OK)
			goto done;
		if (v && (err = set_new(s, "last_import", v)) != TL_OK)
			goto done;
		v = NULL;
		/* written by `db update` when it checked the feed (src/vuln/update.c) */
		snprintf(key, sizeof(key), "last_update.%s", source_names[i]);
		if ((err = text1(db, "SELECT value FROM meta WHERE key = ?1", key, &v)) != TL_OK)
			goto done;
		if (v && (err = set_new(s, "last_update", v)) != TL_OK)
			goto done;
		v = NULL;
		if (newest_sql[i]) {
			if ((err = text1(db, newest_sql[i], NULL, &v)) != TL_OK)
				goto done;
			if (v && (err = set_new(s, "newest", v)) != TL_OK)
				goto done;
			v = NULL;
		}
	}
	if ((err = set_new(root, "sources", sources)) != TL_OK)
		goto done;
	sources = NULL;
	if ((err = count(db, "SELECT count(*) FROM aliases", NULL, &n)) != TL_OK ||
	    (err = set_new(root, "aliases", json_integer(n))) != TL_OK ||
	    (err = count(db, "SELECT count(*) FROM nvd_cpe", NULL, &n)) != TL_OK ||
	    (err = set_new(root, "nvd_cpe_matches", json_integer(n))) != TL_OK)
		goto done;
	if (sqlite3_prepare_v2(db->h, "SELECT ecosystem, count(DISTINCT vuln) FROM affected"
	                       " GROUP BY ecosystem ORDER BY ecosystem", -1, &q, NULL) != SQLITE_OK) {
		err = sqlerr(db, "preparing");
		goto done;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((err = set_new(eco, (const char *)sqlite3_column_text(q, 0),
		                   json_integer(sqlite3_column_int64(q, 1)))) != TL_OK)
			goto done;
	}
	if (rc != SQLITE_DONE) {
		err = sqlerr(db, "reading");
		goto done;
	}
	if ((err = set_new(root, "osv_ecosystems", eco)) != TL_OK)
		goto done;
	eco = NULL;
	*out = root;
	root = NULL;
done:
	sqlite3_finalize(q);
	json_decref(v);
	json_decref(root);
	json_decref(sources);
	json_decref(eco);
	return err;
}

/* ---- alias groups ------------------------------------------------------ */

const char *tl__distro_cve(const char *id)
{
	static const char *const pre[] = { "DEBIAN-", "UBUNTU-", "ALPINE-" };

	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		size_t n = strlen(pre[i]);
		if (!strncmp(id, pre[i], n) && !strncmp(id + n, "CVE-", 4))
			return id + n;
	}
	return NULL;
}

/* Ids of the union-find over record ids and aliases: strings interned in an
 * open-addressing table, parent links by index. */
typedef struct {
	char **id;          /* node -> id (owned) */
	uint32_t *parent;   /* node -> parent node (a root is its own parent) */
	int64_t *rec;       /* node -> rowids of its NVD and OSV records (0: none), two each */
	size_t n, cap;
	uint32_t *slot;     /* hash slot -> node + 1 (0: empty) */
	size_t n_slots;     /* a power of two, at least twice n */
} idset;

static tl_err idset_grow(idset *u)
{
	size_t ns = u->n_slots ? u->n_slots * 2 : 1024;
	uint32_t *slot = calloc(ns, sizeof(*slot));

	if (!slot)
		return tl__nomem();
	for (size_t i = 0; i < u->n; i++) {
		size_t k = (size_t)tl__strhash(u->id[i], strlen(u->id[i])) & (ns - 1);
		while (slot[k])
			k = (k + 1) & (ns - 1);
		slot[k] = (uint32_t)i + 1;
	}
	free(u->slot);
	u->slot = slot;
	u->n_slots = ns;
	return TL_OK;
}

/* The node of s, added when new. */
static tl_err idset_node(idset *u, const char *s, uint32_t *out)
{
	size_t k;
	tl_err err;

	if (u->n >= UINT32_MAX - 1)
		return tl__error(TL_ELIMIT, "alias groups: more than %u ids", UINT32_MAX - 1);
	if ((u->n + 1) * 2 > u->n_slots && (err = idset_grow(u)) != TL_OK)
		return err;
	for (k = (size_t)tl__strhash(s, strlen(s)) & (u->n_slots - 1); u->slot[k]; k = (k + 1) & (u->n_slots - 1)) {
		if (!strcmp(u->id[u->slot[k] - 1], s)) {
			*out = u->slot[k] - 1;
			return TL_OK;
		}
	}
	if (u->n == u->cap) {
		size_t nc = u->cap ? u->cap * 2 : 1024;
		char **ni = realloc(u->id, nc * sizeof(*ni));
		uint32_t *np;
		int64_t *nr;
		if (!ni)
			return tl__nomem();
		u->id = ni;
		if (!(np = realloc(u->parent, nc * sizeof(*np))))
			return tl__nomem();
		u->parent = np;
		if (!(nr = realloc(u->rec, nc * 2 * sizeof(*nr))))
			return tl__nomem();
		u->rec = nr;
		u->cap = nc;
	}
	if (!(u->id[u->n] = tl_strdup(s)))
		return tl__nomem();
	u->parent[u->n] = (uint32_t)u->n;
	u->rec[2 * u->n] = u->rec[2 * u->n + 1] = 0;
	u->slot[k] = (uint32_t)u->n + 1;
	*out = (uint32_t)u->n++;
	return TL_OK;
}

static uint32_t idset_find(idset *u, uint32_t x)
{
	while (u->parent[x] != x) {
		u->parent[x] = u->parent[u->parent[x]]; /* path halving */
		x = u->parent[x];
	}
	return x;
}

/* Joins the groups of nodes x and y; the smaller node is the root, so a
 * group's number is its first id seen. */
static void idset_union(idset *u, uint32_t x, uint32_t y)
{
	x = idset_find(u, x);
	y = idset_find(u, y);
	if (x < y)
		u->parent[y] = x;
	else if (y < x)
		u->parent[x] = y;
}

static void idset_dispose(idset *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->id[i]);
	free(u->id);
	free(u->parent);
	free(u->rec);
	free(u->slot);
}

static const idset *sort_ids_by;

static int cmp_node(const void *a, const void *b)
{
	return strcmp(sort_ids_by->id[*(const uint32_t *)a], sort_ids_by->id[*(const uint32_t *)b]);
}

/*
 * Fills alias_groups from vulns and aliases: every record id and every
 * non-empty alias, with the smallest node number of its connected group
 * (edges: a record's id to each of its aliases, and a distro record's id
 * to the CVE it is named after, tl__distro_cve) and the rowids of the
 * records of that id.  This is the group the matcher used to walk per id
 * with three statements and two (source, id) lookups; resolved here once,
 * it is one indexed lookup at match time and a rowid per record.  Runs
 * inside the caller's transaction.
 */
static tl_err alias_groups_rebuild(tl_vulndb *db)
{
	idset u = { 0 };
	sqlite3_stmt *q = NULL;
	uint32_t *order = NULL;
	tl_err err = TL_OK;
	int rc;

	if ((err = exec(db, "DELETE FROM alias_groups")) != TL_OK)
		goto done;
	if (sqlite3_prepare_v2(db->h, "SELECT rowid, id, source FROM vulns", -1, &q, NULL) != SQLITE_OK) {
		err = sqlerr(db, "preparing");
		goto done;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(q, 1);
		const char *src = (const char *)sqlite3_column_text(q, 2);
		uint32_t x;
		if (!id || !id[0] || !src)
			continue;
		if ((err = idset_node(&u, id, &x)) != TL_OK)
			goto done;
		if (!strcmp(src, "nvd"))
			u.rec[2 * (size_t)x] = sqlite3_column_int64(q, 0);
		else if (!strcmp(src, "osv"))
			u.rec[2 * (size_t)x + 1] = sqlite3_column_int64(q, 0);
		/* a distro record named after a CVE is that CVE's, alias or not */
		if (tl__distro_cve(id)) {
			uint32_t y;
			if ((err = idset_node(&u, tl__distro_cve(id), &y)) != TL_OK)
				goto done;
			idset_union(&u, x, y);
		}
	}
	if (rc != SQLITE_DONE) {
		err = sqlerr(db, "reading records");
		goto done;
	}
	sqlite3_finalize(q);
	if (sqlite3_prepare_v2(db->h, "SELECT v.id, a.alias FROM aliases a JOIN vulns v ON v.rowid = a.vuln",
	                       -1, &q, NULL) != SQLITE_OK) {
		err = sqlerr(db, "preparing");
		goto done;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(q, 0);
		const char *alias = (const char *)sqlite3_column_text(q, 1);
		uint32_t x, y;
		if (!id || !id[0] || !alias || !alias[0])
			continue;
		if ((err = idset_node(&u, id, &x)) != TL_OK || (err = idset_node(&u, alias, &y)) != TL_OK)
			goto done;
		idset_union(&u, x, y);
	}
	if (rc != SQLITE_DONE) {
		err = sqlerr(db, "reading aliases");
		goto done;
	}
	sqlite3_finalize(q);
	q = NULL;
	/* in key order: the b-tree is appended to, not split at random */
	if (u.n && !(order = malloc(u.n * sizeof(*order)))) {
		err = tl__nomem();
		goto done;
	}
	for (size_t i = 0; i < u.n; i++)
		order[i] = (uint32_t)i;
	sort_ids_by = &u;
	if (u.n)
		qsort(order, u.n, sizeof(*order), cmp_node);
	if (sqlite3_prepare_v2(db->h, "INSERT INTO alias_groups(id, grp, nvd, osv) VALUES (?1, ?2, ?3, ?4)",
	                       -1, &q, NULL) != SQLITE_OK) {
		err = sqlerr(db, "preparing");
		goto done;
	}
	for (size_t i = 0; i < u.n; i++) {
		sqlite3_bind_text(q, 1, u.id[order[i]], -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, idset_find(&u, order[i]));
		for (int k = 0; k < 2; k++) {
			int64_t r = u.rec[2 * (size_t)order[i] + k];
			if (r)
				sqlite3_bind_int64(q, 3 + k, r);
			else
				sqlite3_bind_null(q, 3 + k);
		}
		if (sqlite3_step(q) != SQLITE_DONE) {
			err = sqlerr(db, "writing alias groups");
			goto done;
		}
		sqlite3_reset(q);
	}
done:
	sqlite3_finalize(q);
	free(order);
	idset_dispose(&u);
	return err;
}

/* Largest alias group returned (as the matcher's GROUP_MAX). */
#define ALIAS_GROUP_MAX 1024

tl_err tl_vulndb_aliases(tl_vulndb *db, const char *id, json_t **out)
{
	/* the group of ?1 in id order (alias_groups_grp holds (grp, id)) */
	static const char sql[] =
		"SELECT g2.id FROM alias_groups g1 JOIN alias_groups g2 ON g2.grp = g1.grp"
		" WHERE g1.id = ?1 ORDER BY g2.id";
	json_t *group = json_array();
	sqlite3_stmt *q = NULL;
	tl_err err = TL_OK;
	int rc;

	*out = NULL;
	if (!group) {
		err = tl__nomem();
		goto done;
	}
	if (sqlite3_prepare_v2(db->h, sql, -1, &q, NULL) != SQLITE_OK) {
		err = sqlerr(db, "preparing");
		goto done;
	}
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && json_array_size(group) < ALIAS_GROUP_MAX) {
		if (json_array_append_new(group, json_string((const char *)sqlite3_column_text(q, 0))) != 0) {
			err = tl__nomem();
			goto done;
		}
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		err = sqlerr(db, "reading");
		goto done;
	}
	/* an id no record names: a group of its own */
	if (!json_array_size(group) && json_array_append_new(group, json_string(id)) != 0) {
		err = tl__nomem();
		goto done;
	}
	*out = group;
	group = NULL;
done:
	sqlite3_finalize(q);
	json_decref(group);
	return err;
}
