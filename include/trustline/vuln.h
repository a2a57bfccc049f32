/*
 * trustline: known vulnerabilities.  For now, the version comparators
 * that vulnerability ranges are decided with.
 */
#ifndef TRUSTLINE_VULN_H
#define TRUSTLINE_VULN_H

#include "trustline/common.h"

/*
 * Version schemes.  Each follows its specification (docs/versions.md):
 *   TL_VSCHEME_DEB     Debian Policy 5.6.12, as dpkg --compare-versions
 *   TL_VSCHEME_APK     Alpine apk-tools, as apk version -t
 *   TL_VSCHEME_RPM     rpmvercmp over [epoch:]version[-release]
 *   TL_VSCHEME_SEMVER  SemVer 2.0.0 section 11 precedence
 *   TL_VSCHEME_GENERIC upstream versions as NVD ranges use them
 *                      (1.1.1w, 7.88.1, 2022.83, 1.0.2k-fips)
 */
typedef enum {
	TL_VSCHEME_DEB,
	TL_VSCHEME_APK,
	TL_VSCHEME_RPM,
	TL_VSCHEME_SEMVER,
	TL_VSCHEME_GENERIC,
} tl_version_scheme;

/* Longest version string accepted, in bytes (TL_ELIMIT beyond). */
#define TL_VERSION_MAX_LEN 1024

/*
 * Parses a scheme name ("deb", "apk", "rpm", "semver", "generic"; also
 * "debian", "dpkg", "alpine", "redhat") into *out.  name is borrowed.
 * Returns TL_OK, or TL_EINVAL for an unknown name.
 */
TL_EXTERN tl_err tl_version_scheme_parse(const char *name, tl_version_scheme *out);

/* The canonical name of a scheme ("deb", ...), or "?" for an unknown value. */
TL_EXTERN const char *tl_version_scheme_name(tl_version_scheme s);

/*
 * Compares versions a and b (both borrowed, NUL-terminated) under scheme s
 * and sets *out to a negative number, 0 or a positive number as a sorts
 * before, equal to or after b.  *out is only written on success.
 * Returns TL_OK; TL_EPARSE when a or b is not a valid version in that
 * scheme (the message names the version, the offset and what was
 * expected); TL_ELIMIT when one is longer than TL_VERSION_MAX_LEN;
 * TL_EINVAL for a NULL argument or an unknown scheme.
 */
TL_EXTERN tl_err tl_version_compare(int *out, tl_version_scheme s, const char *a, const char *b);

/*
 * Checks that v (borrowed) is a valid version in scheme s.  Returns TL_OK
 * or the errors of tl_version_compare.
 */
TL_EXTERN tl_err tl_version_check(tl_version_scheme s, const char *v);

/* ---- vulnerability database (src/vuln/db.c; docs/vulndb.md) ------------ */

#include <stdbool.h>

typedef struct json_t json_t;

/* An open vulnerability database (one SQLite file in WAL mode). */
typedef struct tl_vulndb tl_vulndb;

/* Schema version this library writes (PRAGMA user_version). */
#define TL_VULNDB_SCHEMA_VERSION 1

/*
 * The default database path: $XDG_DATA_HOME/trustline/vulns.db, or
 * ~/.local/share/trustline/vulns.db.  *out is a new string the caller
 * frees.  Returns TL_OK, TL_ENOMEM, or TL_EINVAL when neither
 * XDG_DATA_HOME nor HOME is set.
 */
TL_EXTERN tl_err tl_vulndb_default_path(char **out);

/*
 * Opens (creating it and its parent directories if needed) the database
 * at path (borrowed; ":memory:" for a private in-memory one) and migrates
 * its schema to TL_VULNDB_SCHEMA_VERSION.  *out is freed with
 * tl_vulndb_close.  Returns TL_OK, TL_EIO (cannot open or not a
 * database), TL_EUNSUPPORTED (schema newer than this library), TL_ENOMEM.
 */
TL_EXTERN tl_err tl_vulndb_open(tl_vulndb **out, const char *path);

/* Closes db (taken; NULL is fine). */
TL_EXTERN void tl_vulndb_close(tl_vulndb *db);

/* What an import did. */
typedef struct {
	uint64_t files;    /* files (and zip members) read */
	uint64_t skipped;  /* files in a directory in no known format */
	uint64_t records;  /* records written (OSV, NVD, KEV, Alpine secfix) */
	uint64_t older;    /* records not written: the stored one is newer */
} tl_vulndb_import_stats;

/*
 * Imports the n files or directories in paths (borrowed) in ONE
 * transaction: on any error nothing is written, and a process killed at
 * any instant leaves the database as it was before or after.  The format
 * of each file is detected from its content: OSV (JSON, YAML, or a zip of
 * OSV JSON such as an ecosystem's all.zip), NVD CVE API 2.0 (a CVE object
 * or a response page), NVD 1.1 feeds, CISA KEV, Alpine secdb (JSON or
 * YAML).  Directories are walked recursively (.json .yaml .yml .zip);
 * there a file in no known format is skipped and counted, while a file
 * named directly must be in a known format.  st (may be NULL) is filled.
 * Returns TL_OK, TL_EPARSE/TL_ELIMIT (message: file, JSON path, what was
 * expected), TL_EUNSUPPORTED, TL_EIO, TL_ENOMEM.
 */
TL_EXTERN tl_err tl_vulndb_import(tl_vulndb *db, const char *const *paths, size_t n,
                                  tl_vulndb_import_stats *st);

/*
 * Imports one in-memory document (data borrowed, name used in messages)
 * in one transaction, like tl_vulndb_import on a file holding it.
 */
TL_EXTERN tl_err tl_vulndb_import_mem(tl_vulndb *db, const void *data, size_t len,
                                      const char *name, tl_vulndb_import_stats *st);

/*
 * Database status as a new JSON object in *out: {"schema_version": N,
 * "sources": {"osv": {"records": N, "last_import": "...", "newest_modified":
 * "..."}, "nvd": ..., "kev": ..., "alpine": ...}, "osv_ecosystems": {...},
 * "aliases": N, "nvd_cpe_matches": N}.  Returns TL_OK, TL_EIO, TL_ENOMEM.
 */
TL_EXTERN tl_err tl_vulndb_status(tl_vulndb *db, json_t **out);

/*
 * All ids known to be the same vulnerability as id (borrowed): the
 * connected group over the stored aliases, id included, sorted, as a new
 * JSON array in *out.  Returns TL_OK, TL_EIO, TL_ENOMEM.
 */
TL_EXTERN tl_err tl_vulndb_aliases(tl_vulndb *db, const char *id, json_t **out);

/*
 * The underlying sqlite3 handle (borrowed, valid until tl_vulndb_close),
 * for the matcher and tests; the schema is described in docs/vulndb.md.
 */
TL_EXTERN void *tl_vulndb_handle(tl_vulndb *db);

#endif
