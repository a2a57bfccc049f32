/*
 * Internal interface of the vulnerability database: the importers
 * (import_*.c) write through the helpers of db.c inside the one
 * transaction tl_vulndb_import opened.
 */
#ifndef TL_VULN_INT_H
#define TL_VULN_INT_H

#include <jansson.h>
#include <sqlite3.h>

#include "core/core_int.h"
#include "trustline/vuln.h"

/* Limits of the importers (docs/vulndb.md). */
#define TL__VULN_MAX_STR      (1u << 20)  /* one string field, bytes */
#define TL__VULN_MAX_ITEMS    1000000u    /* entries of one array or map */
#define TL__VULN_ZIP_MAX_ENTRIES 2000000u /* members of one zip */
#define TL__VULN_ZIP_MAX_ENTRY (64u << 20) /* one zip member, bytes */
#define TL__VULN_DIR_MAX_DEPTH 32
#define TL__YAML_MAX_DEPTH     128
#define TL__YAML_MAX_NODES     (1u << 24)

/* The kinds of document the importers know. */
typedef enum {
	TL__DOC_UNKNOWN = 0,
	TL__DOC_OSV,
	TL__DOC_NVD2_CVE,   /* one CVE object, bare or {"cve": {...}} */
	TL__DOC_NVD2_PAGE,  /* API 2.0 response: {"vulnerabilities": [{"cve": ...}]} */
	TL__DOC_NVD11,      /* legacy 1.1 feed: {"CVE_Items": [...]} */
	TL__DOC_KEV,
	TL__DOC_ALPINE,
} tl__doc_kind;

/* Context of one import (one transaction). */
typedef struct {
	tl_vulndb *db;
	tl_vulndb_import_stats st;
	const char *name; /* the file being read, for messages (borrowed) */
} tl__import;

/* Extra read connections a database keeps for the matching threads. */
#define TL__VULNDB_READERS 7

/*
 * The k-th extra read connection to the file of db (k <
 * TL__VULNDB_READERS), opened on first use and closed by
 * tl_vulndb_close; NULL when it cannot be opened or db is in memory.
 * Used by one thread at a time.
 */
sqlite3 *tl__vulndb_reader(tl_vulndb *db, unsigned k);

/* Classifies a parsed document (borrowed). */
tl__doc_kind tl__doc_detect(const json_t *root);

/*
 * Parses YAML (one document; anchors and aliases are refused; plain
 * scalars become strings except null/~/empty -> null and true/false)
 * into a new JSON value.  Returns TL_EPARSE (name, line, column),
 * TL_ELIMIT (depth, node count, size), TL_ENOMEM.
 */
tl_err tl__yaml_parse(json_t **out, const char *data, size_t len, const char *name);

/* Importers: root borrowed.  Return TL_EPARSE with file and JSON path. */
/* "DEBIAN-CVE-2023-38545" -> "CVE-2023-38545": the CVE a distro record
 * (DEBIAN-, UBUNTU-, ALPINE-) is named after, which joins its alias group;
 * NULL for other ids.  Points into id. */
const char *tl__distro_cve(const char *id);
tl_err tl__import_osv(tl__import *im, const json_t *root, const char *path);
tl_err tl__import_nvd(tl__import *im, const json_t *root, tl__doc_kind kind);
tl_err tl__import_kev(tl__import *im, const json_t *root);
tl_err tl__import_alpine(tl__import *im, const json_t *root);

/* ---- field access with error messages "<file>: <path>: expected ..." ---- */

/* Gets member key of obj (at JSON path `path`).  *out is NULL when absent
 * (or JSON null) and the field is optional; wrong types are TL_EPARSE. */
tl_err tl__jstr(tl__import *im, const json_t *obj, const char *path, const char *key,
                bool required, const char **out);
tl_err tl__jobj(tl__import *im, const json_t *obj, const char *path, const char *key,
                bool required, const json_t **out);
tl_err tl__jarr(tl__import *im, const json_t *obj, const char *path, const char *key,
                bool required, const json_t **out);
tl_err tl__jbool(tl__import *im, const json_t *obj, const char *path, const char *key,
                 bool dflt, bool *out);
/* A number (integer or real); *present says whether it was there. */
tl_err tl__jnum(tl__import *im, const json_t *obj, const char *path, const char *key,
                double *out, bool *present);
/* Formats a JSON path into out (n bytes); a path too long for out is cut,
 * which only shortens a message. */
void tl__pathf(char *out, size_t n, const char *fmt, ...) TL_PRINTF(3, 4);
/* TL_EPARSE "<file>: <path>: <what>". */
tl_err tl__jerr(tl__import *im, const char *path, const char *what);

/* ---- writes (db.c) ----------------------------------------------------- */

/* A vulnerability record to store. Every string borrowed. */
typedef struct {
	const char *source;    /* "osv", "nvd" */
	const char *id;
	const char *summary, *details;
	const char *published, *modified, *withdrawn;
	const char *severity;  /* textual: CRITICAL/HIGH/..., or NULL */
	const char *cvss3_vector, *cvss4_vector;
	double cvss3_score, cvss4_score; /* < 0: unknown */
} tl__vuln_rec;

/*
 * Starts writing rec: if a record (source, id) exists and is newer, sets
 * *rowid to 0 (skip the rest); otherwise replaces it and sets *rowid.
 */
tl_err tl__db_vuln_begin(tl__import *im, const tl__vuln_rec *rec, int64_t *rowid);
tl_err tl__db_alias(tl__import *im, int64_t vuln, const char *alias);
tl_err tl__db_affected(tl__import *im, int64_t vuln, const char *ecosystem, const char *package,
                       const char *purl, int64_t *rowid);
tl_err tl__db_range(tl__import *im, int64_t affected, const char *type, const char *repo,
                    int64_t *rowid);
tl_err tl__db_event(tl__import *im, int64_t range, int seq, const char *kind, const char *version);
tl_err tl__db_version(tl__import *im, int64_t affected, const char *version);
tl_err tl__db_nvd_config(tl__import *im, int64_t vuln, int seq, const char *op, bool negate,
                         int64_t *rowid);
tl_err tl__db_nvd_node(tl__import *im, int64_t vuln, int64_t config, int64_t parent, int seq,
                       const char *op, bool negate, int64_t *rowid);
/* One cpeMatch entry; version bounds may be NULL. */
typedef struct {
	bool vulnerable;
	const char *criteria, *match_id;
	const char *start_incl, *start_excl, *end_incl, *end_excl;
} tl__cpe_match;
tl_err tl__db_nvd_cpe(tl__import *im, int64_t vuln, int64_t node, int seq, const tl__cpe_match *m,
                      const char *path);
tl_err tl__db_kev(tl__import *im, const char *cve, const char *vendor, const char *product,
                  const char *name, const char *date_added, const char *due_date,
                  const char *ransomware, const char *action, const char *notes);
/*
 * Splits a CPE 2.3 formatted string (buf, modified in place) into its 13
 * colon-separated fields, backslash escapes kept as written: f[0] "cpe",
 * f[1] "2.3", f[2] part, f[3] vendor, f[4] product, f[5] version, ...
 * Returns false unless it is "cpe:2.3:" followed by 11 fields with part,
 * vendor, product and version non-empty.  The importer stores nvd_cpe
 * with it and the matcher splits component CPEs with it, so both sides
 * compare the same way.
 */
bool tl__cpe_split(char *buf, char *f[13]);

tl_err tl__db_secfix(tl__import *im, const char *distro, const char *repo, const char *package,
                     const char *fixed, const char *id);

/* ---- reports (report_sarif.c, report_cdx.c, report_html.c, report_util.c;
 * docs/reports.md) ------------------------------------------------------- */

#include "trustline/sbom.h"

/*
 * Report writers: each appends one document about the findings f to out.
 * sbom (may be NULL) is the SBOM the findings were matched in; it names
 * the components (file evidence, purl) and, for the VDR, gives the
 * components and dependencies written.  f and sbom are borrowed.  The same
 * input gives the same bytes (timestamps: SOURCE_DATE_EPOCH when set).
 * Return TL_OK, TL_EINVAL (NULL out or f), TL_ENOMEM.
 *
 *   tl__report_sarif      SARIF 2.1.0: one rule per vulnerability, one
 *                         result per finding, suppressions for findings
 *                         that VEX or patch evidence dispose of
 *   tl__report_cyclonedx  CycloneDX 1.6 vulnerability disclosure report
 *                         (VDR): the SBOM's components plus vulnerabilities[]
 *   tl__report_html       one self-contained HTML page (no external
 *                         resources) with a severity chart and a table
 */
tl_err tl__report_sarif(tl_buf *out, const tl_findings *f, const tl_sbom *sbom);
tl_err tl__report_cyclonedx(tl_buf *out, const tl_findings *f, const tl_sbom *sbom);
/* "urn:uuid:..." from the SHA-256 of doc as tl_json_dump writes it
 * (RFC 9562 version 8, variant 10): the same document, the same id. */
tl_err tl__json_urn_uuid(char out[46], const json_t *doc);
tl_err tl__report_html(tl_buf *out, const tl_findings *f, const tl_sbom *sbom);

/* The advisory page of vulnerability id (borrowed), appended to out:
 * NVD for CVE-, GitHub for GHSA-, OSV otherwise; characters outside the
 * URI unreserved set are percent-encoded. */
tl_err tl__vuln_url(tl_buf *out, const char *id);
/* The finding's highest CVSS base score, or -1 when it has none. */
double tl__finding_score(const tl_finding *f);
/* Appends s percent-encoded for a URI path: unreserved characters and
 * "/:@!$&'()*+,;=" stay, everything else becomes %XX. */
tl_err tl__uri_path(tl_buf *out, const char *s);

/* Length of the first line of s, at most max bytes, not cutting a UTF-8
 * sequence. */
size_t tl__utf8_line(const char *s, size_t max);
/* A copy of s (caller frees) in which each byte that is not part of valid
 * UTF-8 is U+FFFD; NULL when out of memory. */
char *tl__utf8_dup(const char *s);

/* Building a JSON tree without checking every call: the first allocation
 * failure sets oom, and the writer reports TL_ENOMEM once at the end.
 * tl__jb_set and tl__jb_push take v, also when they fail (jansson frees
 * it); a NULL s is left out by tl__jb_set_str and written "" by tl__jb_str,
 * and bytes that are not UTF-8 become U+FFFD. */
typedef struct {
	bool oom;
} tl__jb;
json_t *tl__jb_obj(tl__jb *b);
json_t *tl__jb_arr(tl__jb *b);
json_t *tl__jb_str(tl__jb *b, const char *s);
json_t *tl__jb_text(tl__jb *b, const char *t); /* {"text": t} */
void tl__jb_set(tl__jb *b, json_t *obj, const char *key, json_t *v);
void tl__jb_set_str(tl__jb *b, json_t *obj, const char *key, const char *s);
void tl__jb_push(tl__jb *b, json_t *arr, json_t *v);

#endif
