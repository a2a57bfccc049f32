/*
 * trustline: known vulnerabilities.  For now, the version comparators
 * that vulnerability ranges are decided with.
 */
#ifndef TRUSTLINE_VULN_H
#define TRUSTLINE_VULN_H

#include "trustline/common.h"
#include "trustline/core.h"
#include "trustline/sbom.h"

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
#define TL_VULNDB_SCHEMA_VERSION 2

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

/* ---- db update: download the feeds and import them (src/vuln/update.c) -- */

#define TL_FEED_OSV 1u
#define TL_FEED_NVD 2u
#define TL_FEED_KEV 4u
#define TL_FEED_ALL (TL_FEED_OSV | TL_FEED_NVD | TL_FEED_KEV)

/* Default feed locations. */
#define TL_OSV_DEFAULT_BASE "https://osv-vulnerabilities.storage.googleapis.com"
#define TL_NVD_DEFAULT_URL "https://services.nvd.nist.gov/rest/json/cves/2.0"
#define TL_KEV_DEFAULT_URL \
	"https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
/* OSV ecosystems fetched when none are named: what firmware SBOMs hold. */
#define TL_OSV_DEFAULT_ECOSYSTEMS "Alpine,Debian,OSS-Fuzz"

/* What to update; zero-initialise and set what differs from the defaults.
 * Every pointer is borrowed. */
typedef struct {
	unsigned feeds;                      /* TL_FEED_* bits; 0: all */
	const char *const *osv_ecosystems;   /* OSV ecosystem names ("Debian", "Alpine:v3.19") */
	size_t n_osv_ecosystems;             /* 0: TL_OSV_DEFAULT_ECOSYSTEMS */
	const char *osv_base_url;            /* NULL: TL_OSV_DEFAULT_BASE; <base>/<eco>/all.zip */
	const char *nvd_url;                 /* NULL: TL_NVD_DEFAULT_URL */
	const char *kev_url;                 /* NULL: TL_KEV_DEFAULT_URL */
	const char *nvd_api_key;             /* NULL: none (slower rate limit) */
	int nvd_delay_ms;                    /* pause between NVD requests; < 0: 6000 without
	                                        a key, 600 with one (NVD's published limits) */
	unsigned nvd_page_size;              /* resultsPerPage asked for; 0: 2000 (the maximum) */
	bool full;                           /* ignore stored ETags and the NVD window */
	uint64_t max_bytes;                  /* largest download; 0: TL_FILE_DEFAULT_MAX */
	unsigned timeout_s;                  /* connect and stall timeout; 0: 30 */
	int retries;                         /* retries of a dropped transfer; 0: 3, < 0: none */
} tl_vulndb_update_opts;

/* What an update did. */
typedef struct {
	uint64_t downloads;      /* files downloaded (all.zip, KEV, NVD pages) */
	uint64_t unchanged;      /* feeds the server said were unchanged (304) */
	uint64_t bytes;          /* body bytes received */
	uint64_t resumed;        /* downloads continued from a partial file */
	tl_vulndb_import_stats import;
} tl_vulndb_update_stats;

/*
 * Downloads the configured feeds into a staging directory beside the
 * database (<db>.update/, partial files resumed on the next run) and
 * imports all of them in ONE transaction together with the update's state
 * (ETags, the NVD lastModified window, last update per feed): killed or
 * failing at any point, the database is the old one.  docs/vulndb.md says
 * what is checked.  st (may be NULL) is filled.  Returns TL_OK, TL_EIO
 * (network, HTTP status, size or digest mismatch: one line naming the
 * URL), TL_ELIMIT, TL_EPARSE, TL_EINVAL (bad option, another update
 * running), TL_ENOMEM.
 */
TL_EXTERN tl_err tl_vulndb_update(tl_vulndb *db, const tl_vulndb_update_opts *opts,
                                  tl_vulndb_update_stats *st);

/*
 * Database status as a new JSON object in *out: {"schema_version": N,
 * "sources": {"osv": {"records": N, "last_import": "...", "last_update":
 * "...", "newest": "..."}, "nvd": ..., "kev": ..., "alpine": ...}, "osv_ecosystems": {...},
 * "aliases": N, "nvd_cpe_matches": N}.  Returns TL_OK, TL_EIO, TL_ENOMEM.
 */
TL_EXTERN tl_err tl_vulndb_status(tl_vulndb *db, json_t **out);

/*
 * All ids known to be the same vulnerability as id (borrowed): the
 * connected group over the stored aliases (and the CVE a DEBIAN-, UBUNTU-
 * or ALPINE-CVE-… record is named after), id included, sorted, at most
 * 1,024 ids, as a new JSON array in *out; resolved at import
 * (alias_groups).  Returns TL_OK, TL_EIO, TL_ENOMEM.
 */
TL_EXTERN tl_err tl_vulndb_aliases(tl_vulndb *db, const char *id, json_t **out);

/*
 * The underlying sqlite3 handle (borrowed, valid until tl_vulndb_close),
 * for the matcher and tests; the schema is described in docs/vulndb.md.
 */
TL_EXTERN void *tl_vulndb_handle(tl_vulndb *db);


/* ---- findings: what matching produces, VEX and reports consume ---------
 * (src/vuln/match.c, vex.c, report*.c; docs/matching.md, docs/vex.md)
 * Every char * is owned by the struct holding it; tl_findings_free frees
 * all of it.  NULL means absent. */

typedef enum {
	TL_SEV_UNKNOWN = 0, /* no CVSS score and no qualitative rating */
	TL_SEV_NONE,        /* CVSS 0.0 */
	TL_SEV_LOW,         /* 0.1-3.9 */
	TL_SEV_MEDIUM,      /* 4.0-6.9 */
	TL_SEV_HIGH,        /* 7.0-8.9 */
	TL_SEV_CRITICAL,    /* 9.0-10.0 */
} tl_severity;

/* "unknown", "none", "low", "medium", "high", "critical". */
TL_EXTERN const char *tl_severity_name(tl_severity s);
/* Parses those names (case-insensitive; "moderate" is medium). */
TL_EXTERN tl_err tl_severity_parse(const char *name, tl_severity *out);

/* VEX status of a finding (OpenVEX 0.2.0 names; CycloneDX analysis states
 * map onto them: resolved -> fixed, false_positive/not_affected ->
 * not_affected, exploitable -> affected, in_triage -> under_investigation). */
typedef enum {
	TL_VEX_NONE = 0,            /* no statement applies */
	TL_VEX_AFFECTED,
	TL_VEX_NOT_AFFECTED,
	TL_VEX_FIXED,
	TL_VEX_UNDER_INVESTIGATION,
} tl_vex_status;

/* "none", "affected", "not_affected", "fixed", "under_investigation". */
TL_EXTERN const char *tl_vex_status_name(tl_vex_status s);

typedef struct {
	/* the vulnerability */
	char *id;                 /* CVE id when the record group has one, else the record id */
	char **aliases;           /* other ids of the same vulnerability, sorted, id excluded */
	size_t n_aliases;
	char *summary;
	tl_severity severity;     /* from the highest CVSS score, else the record's rating */
	double cvss3_score;       /* < 0: none */
	char *cvss3_vector;
	double cvss4_score;       /* < 0: none */
	char *cvss4_vector;
	bool kev;                 /* in CISA's Known Exploited Vulnerabilities catalog */
	char *kev_date_added;     /* YYYY-MM-DD when kev */
	char *kev_due_date;

	/* the component it was found in */
	char *component_ref;      /* bom-ref of the component in the SBOM */
	char *component_name;
	char *component_version;
	char *component_id;       /* the purl or CPE that matched */

	/* why: the match decision */
	char *source;             /* "osv", "nvd" or "alpine" */
	char *record;             /* id of the record that matched */
	char *fixed_version;      /* first fixed version on the matched branch, or NULL */
	char *evidence;           /* one line: the identifier, the range or list, the decision */

	/* patch evidence from the image (Debian changelog naming the id as
	 * fixed at or before the installed version) */
	bool patched;
	char *patch_evidence;

	/* triage */
	tl_vex_status vex_status;
	char *vex_justification;  /* OpenVEX justification label */
	char *vex_impact;         /* impact statement */
	char *vex_action;         /* action statement */
	char *vex_source;         /* the VEX document (path) that applied */
} tl_finding;

typedef struct {
	tl_finding *v;            /* sorted by severity (highest first), id, component_ref */
	size_t n;
	size_t cap;
} tl_findings;

/* Frees everything f holds and zeroes it (f itself is the caller's). */
TL_EXTERN void tl_findings_free(tl_findings *f);

/*
 * Whether a finding still counts for --fail-on and the report summary:
 * false when patched, or when VEX says not_affected or fixed.
 */
TL_EXTERN bool tl_finding_is_active(const tl_finding *f);

/* ---- VEX: triage statements in and out (src/vuln/vex.c, vex_write.c;
 * docs/vex.md) ------------------------------------------------------------ */

/* A set of VEX statements read from one or more documents. */
typedef struct tl_vex tl_vex;

/* Limits of the VEX reader (TL_ELIMIT beyond; docs/vex.md). */
#define TL_VEX_MAX_STATEMENTS 1000000u /* statements in one set */
#define TL_VEX_MAX_PRODUCTS   100000u  /* products + subcomponents of one statement */
#define TL_VEX_MAX_ALIASES    10000u   /* aliases of one vulnerability */

/* An empty set in *out (freed with tl_vex_free).  TL_OK or TL_ENOMEM. */
TL_EXTERN tl_err tl_vex_new(tl_vex **out);

/*
 * Reads the VEX document at path ("-": standard input) into a new set in
 * *out: OpenVEX 0.2.0 (and the earlier 0.0.1 / unversioned
 * "https://openvex.dev/ns" context, in JSON or YAML) or a CycloneDX VEX (a
 * CycloneDX 1.4-1.7 BOM whose vulnerabilities[] carry an analysis).  lim
 * (may be NULL: defaults) bounds the file size and nesting.  Returns
 * TL_OK; TL_EPARSE (one line: file, JSON path, what was expected);
 * TL_ELIMIT; TL_EUNSUPPORTED (a JSON document that is neither OpenVEX nor
 * CycloneDX, or an unknown OpenVEX context); TL_EIO; TL_ENOMEM.
 */
TL_EXTERN tl_err tl_vex_load(tl_vex **out, const char *path, const tl_json_limits *lim);

/*
 * Adds the statements of the document at path to vex, as tl_vex_load
 * reads it.  On error vex is unchanged.  Documents added later win ties
 * (see tl_vex_apply).
 */
TL_EXTERN tl_err tl_vex_add_file(tl_vex *vex, const char *path, const tl_json_limits *lim);

/* Adds an in-memory document (data borrowed; name is used in messages and
 * as the statements' source) as tl_vex_add_file does. */
TL_EXTERN tl_err tl_vex_add_mem(tl_vex *vex, const void *data, size_t len, const char *name,
                                const tl_json_limits *lim);

/* Number of statements in vex. */
TL_EXTERN size_t tl_vex_count(const tl_vex *vex);

/*
 * Sets the triage of each finding in f from the statements of vex that
 * apply to it: the statement names the finding's vulnerability (its id or
 * any alias, on either side; ids compare case-sensitively) and a product
 * or subcomponent that identifies the finding's component (purl, CPE, or
 * bom-ref; a statement purl without version or qualifiers covers every
 * version and qualifier set of that package).  When several apply, the
 * one with the latest timestamp wins; equal or missing timestamps go to
 * the document added last, then the statement written last.  The winner
 * sets vex_status, vex_justification, vex_impact, vex_action and
 * vex_source (the document's name); findings no statement applies to are
 * left as they are.  vex is borrowed.  Returns TL_OK, TL_EINVAL,
 * TL_ENOMEM (then f may be partly updated).
 */
TL_EXTERN tl_err tl_vex_apply(const tl_vex *vex, tl_findings *f);

/*
 * tl_vex_apply, knowing the SBOM (borrowed; may be NULL) the findings were
 * matched in: a finding's component is also identified by the purl and
 * CPE its SBOM component (found by component_ref) carries, so a statement
 * about a purl applies to a finding that matched by CPE, and the reverse.
 */
TL_EXTERN tl_err tl_vex_apply_sbom(const tl_vex *vex, tl_findings *f, const tl_sbom *sbom);

/* Frees vex (taken; NULL is fine). */
TL_EXTERN void tl_vex_free(tl_vex *vex);

/* Parses an OpenVEX status name ("not_affected", ...) into *out.
 * Returns TL_OK or TL_EINVAL. */
TL_EXTERN tl_err tl_vex_status_parse(const char *name, tl_vex_status *out);

/* Whether name is one of the five OpenVEX 0.2.0 justification labels. */
TL_EXTERN bool tl_vex_justification_valid(const char *name);

/* Options of tl_vex_write_openvex.  Every string borrowed. */
typedef struct {
	const char *author;   /* required: who makes the statements */
	const char *role;     /* may be NULL */
	const char *id;       /* document @id (an IRI); NULL: a urn:uuid derived
	                       * from the document's content */
	const char *tooling;  /* NULL: "trustline <version>" */
	int64_t timestamp;    /* document and statement time; 0: tl_now()
	                       * (SOURCE_DATE_EPOCH when set) */
} tl_vex_out_opts;

/*
 * Appends an OpenVEX 0.2.0 document (JSON, sorted keys, ending in a
 * newline) to out with one statement per distinct (vulnerability, status,
 * justification, impact, action) among the findings of f whose
 * vex_status is set, each listing the products of those findings:
 * "@id" the purl when component_id is a purl, identifiers.cpe23 when it
 * is a CPE.  The same input gives the same bytes.  f and o borrowed.
 * Returns TL_OK; TL_EINVAL when o->author is missing, no finding has a
 * status, a finding has no purl or CPE, or a statement lacks what OpenVEX
 * requires (not_affected: a justification or an impact statement;
 * affected: an action statement; a justification only with
 * not_affected); TL_ENOMEM.
 */
TL_EXTERN tl_err tl_vex_write_openvex(tl_buf *out, const tl_findings *f, const tl_vex_out_opts *o);

/* Scanner property naming the CVEs a Debian changelog says are fixed: on a
 * deb component, value "CVE-ID=VERSION CVE-ID=VERSION ..." (space
 * separated, sorted by id), VERSION being the oldest changelog entry that
 * names the CVE.  Written by the dpkg cataloger, read by the matcher. */
#define TL_PROP_CHANGELOG_CVES "trustline:debian:changelog-cves"

/* ---- matching (src/vuln/match.c; docs/matching.md) ---------------------- */

/* What a match run did (counts over the SBOM's components). */
typedef struct {
	uint64_t components; /* components looked at (the SBOM subject included) */
	uint64_t checked;    /* components for which some data source was consulted */
	uint64_t no_data;    /* distro components whose ecosystem has no records in the DB */
	uint64_t unmatchable;/* components with no usable purl or CPE */
	uint64_t undecided;  /* candidate records left without a version decision
	                      * (unparsable version, CPE "*" with no bounds, a
	                      * CPE attribute the component does not state, an AND
	                      * configuration whose platform is not in the SBOM) */
	uint64_t findings;
	unsigned threads;    /* threads that matched at least one chunk of components */
} tl_match_stats;

typedef struct {
	bool no_oss_fuzz;      /* skip OSS-Fuzz records (matched by release tag) */
	tl_match_stats *stats; /* filled when not NULL */
	unsigned threads;      /* matching threads, each with its own read
	                        * connection on the one snapshot: 0 automatic
	                        * (two for 64 components or more on a machine
	                        * with two CPUs or more), 1 one, at most 8; the
	                        * findings, their order and the log messages
	                        * are the same whatever the number */
} tl_match_opts;

/*
 * Matches every component of sbom (borrowed; the subject included) against
 * db (borrowed) by the rules of docs/matching.md and appends one finding
 * per (vulnerability alias group, component) to out (caller-owned; free
 * with tl_findings_free), sorted as tl_findings says.  opts may be NULL.
 * Warnings (a distro ecosystem with no records, an unparsable purl) go to
 * the tl log.  The same database and SBOM give the same findings in the
 * same order.  Returns TL_OK, TL_EIO (database), TL_ENOMEM; on error out
 * is left as it was.
 */
TL_EXTERN tl_err tl_vuln_match(tl_vulndb *db, const tl_sbom *sbom, const tl_match_opts *opts,
                               tl_findings *out);

/* ---- reports (src/vuln/report*.c) --------------------------------------- */

typedef enum {
	TL_REPORT_TABLE = 0,
	TL_REPORT_JSON,
	TL_REPORT_SARIF,
	TL_REPORT_CYCLONEDX,
	TL_REPORT_HTML,
} tl_report_format;

/* Parses "table", "json", "sarif", "cyclonedx", "html".  TL_EINVAL otherwise. */
TL_EXTERN tl_err tl_report_format_parse(const char *name, tl_report_format *out);

/*
 * Appends the report of findings f (borrowed) on sbom (borrowed; may be
 * NULL) in format fmt to out.  TABLE: aligned columns (id, severity, CVSS,
 * KEV, component, version, fixed, status) and a summary line; JSON: the
 * object of docs/matching.md ("trustline-findings/1"); SARIF 2.1.0,
 * CYCLONEDX (a CycloneDX 1.6 VDR with the SBOM's components) and HTML (one
 * self-contained page) as docs/reports.md describes.  Returns TL_OK,
 * TL_ENOMEM, TL_EINVAL, TL_EUNSUPPORTED for an unknown format.
 */
TL_EXTERN tl_err tl_vuln_report(tl_buf *out, tl_report_format fmt, const tl_findings *f,
                                const tl_sbom *sbom);

#endif
