/*
 * trustline SBOM: a format-neutral model, CycloneDX 1.5/1.6 and SPDX 2.3
 * JSON readers and writers, purl and CPE 2.3 identifiers, schema
 * validation, minimum-element checks, diff and merge.
 *
 * Ownership: every char * in the model is owned by the struct that holds
 * it and freed by tl_sbom_free().  Arrays are (pointer, count) pairs.
 */
#ifndef TRUSTLINE_SBOM_H
#define TRUSTLINE_SBOM_H

#include <stdbool.h>

#include "common.h"
#include "core.h"

/* ---- model ------------------------------------------------------------- */

typedef enum {
	TL_COMP_LIBRARY = 0, /* default */
	TL_COMP_APPLICATION,
	TL_COMP_FRAMEWORK,
	TL_COMP_CONTAINER,
	TL_COMP_OPERATING_SYSTEM,
	TL_COMP_DEVICE,
	TL_COMP_FIRMWARE,
	TL_COMP_FILE,
	TL_COMP_PLATFORM,
	TL_COMP_DEVICE_DRIVER,
	TL_COMP_DATA,
	TL_COMP_MACHINE_LEARNING_MODEL,
	TL_COMP_CRYPTOGRAPHIC_ASSET,
} tl_sbom_comp_type;

typedef enum {
	TL_SCOPE_UNSET = 0,
	TL_SCOPE_REQUIRED,
	TL_SCOPE_OPTIONAL,
	TL_SCOPE_EXCLUDED,
} tl_sbom_scope;

/* Hash algorithms as both formats name them. */
typedef enum {
	TL_SBOM_HASH_MD5 = 0,
	TL_SBOM_HASH_SHA1,
	TL_SBOM_HASH_SHA256,
	TL_SBOM_HASH_SHA384,
	TL_SBOM_HASH_SHA512,
	TL_SBOM_HASH_SHA3_256,
	TL_SBOM_HASH_SHA3_384,
	TL_SBOM_HASH_SHA3_512,
	TL_SBOM_HASH_BLAKE2B_256,
	TL_SBOM_HASH_BLAKE2B_384,
	TL_SBOM_HASH_BLAKE2B_512,
	TL_SBOM_HASH_BLAKE3,
} tl_sbom_hash_alg;

typedef struct {
	tl_sbom_hash_alg alg;
	char *hex; /* lower-case hex */
} tl_sbom_hash;

typedef struct {
	char *name;
	char *value;
} tl_sbom_property;

/* A person (author) or tool. */
typedef struct {
	char *name;
	char *email;   /* may be NULL */
	char *version; /* tools only; may be NULL */
	char *vendor;  /* tools only; may be NULL */
} tl_sbom_party;

/* A component: a package, library, application, firmware, file... */
typedef struct {
	char *ref;               /* CycloneDX bom-ref / SPDX SPDXID (unique in the doc) */
	tl_sbom_comp_type type;
	char *group;             /* may be NULL */
	char *name;              /* required */
	char *version;           /* may be NULL */
	char *description;       /* may be NULL */
	char *supplier;          /* organisation name; may be NULL */
	char *author;            /* may be NULL */
	char *purl;              /* may be NULL */
	char *cpe;               /* CPE 2.3 formatted string; may be NULL */
	char *license;           /* SPDX licence expression; may be NULL */
	char *copyright;         /* may be NULL */
	tl_sbom_scope scope;
	tl_sbom_hash *hashes;
	size_t n_hashes;
	char **files;            /* file evidence: paths inside the subject */
	size_t n_files;
	tl_sbom_property *props; /* sorted by name, then value, on write */
	size_t n_props;
} tl_sbom_component;

/* One node of the dependency graph: ref depends on each of deps. */
typedef struct {
	char *ref;
	char **deps;
	size_t n_deps;
} tl_sbom_dependency;

typedef struct {
	char *serial;        /* "urn:uuid:..."; SPDX namespace maps to/from it */
	char *name;          /* document name (SPDX name); may be NULL */
	int64_t timestamp;   /* seconds since the epoch; 0: unknown */
	tl_sbom_party *tools;
	size_t n_tools;
	tl_sbom_party *authors;
	size_t n_authors;
	char *supplier;      /* organisation supplying the subject; may be NULL */
	char *manufacturer;  /* organisation that made the subject; may be NULL */
	char *lifecycle;     /* generation context: CycloneDX lifecycle phase
	                      * ("build", "post-build", ...); may be NULL */
	tl_sbom_component *subject; /* what the document describes; may be NULL */
	tl_sbom_component *components;
	size_t n_components;
	tl_sbom_dependency *deps;
	size_t n_deps;
	tl_sbom_property *props; /* document-level properties; may be empty */
	size_t n_props;
} tl_sbom;

/* Allocates an empty document.  Caller frees with tl_sbom_free. */
TL_EXTERN tl_err tl_sbom_new(tl_sbom **out);
TL_EXTERN void tl_sbom_free(tl_sbom *doc);
/* Empties a caller-owned component (frees its strings and arrays). */
TL_EXTERN void tl_sbom_component_dispose(tl_sbom_component *c);
/* Deep copy of src into *dst (caller-owned struct). */
TL_EXTERN tl_err tl_sbom_component_copy(tl_sbom_component *dst, const tl_sbom_component *src);

/* Appends a zeroed component and returns it in *out (owned by doc). */
TL_EXTERN tl_err tl_sbom_add_component(tl_sbom *doc, tl_sbom_component **out);
TL_EXTERN tl_err tl_sbom_component_add_hash(tl_sbom_component *c, tl_sbom_hash_alg alg, const char *hex);
TL_EXTERN tl_err tl_sbom_component_add_file(tl_sbom_component *c, const char *path);
TL_EXTERN tl_err tl_sbom_component_add_prop(tl_sbom_component *c, const char *name, const char *value);
/* Adds the edge from -> to (creates the node for from if needed; ignores duplicates). */
TL_EXTERN tl_err tl_sbom_add_dependency(tl_sbom *doc, const char *from, const char *to);
TL_EXTERN tl_err tl_sbom_add_tool(tl_sbom *doc, const char *vendor, const char *name, const char *version);
TL_EXTERN tl_err tl_sbom_add_author(tl_sbom *doc, const char *name, const char *email);

/* The component whose ref is ref (subject included), or NULL. */
TL_EXTERN tl_sbom_component *tl_sbom_find_ref(const tl_sbom *doc, const char *ref);

/*
 * Puts the document in canonical order: components by (purl, name, version,
 * ref), hashes by algorithm, files and properties sorted, dependency nodes
 * and their edges sorted.  Writers call it, so output is byte-stable.
 */
TL_EXTERN tl_err tl_sbom_normalize(tl_sbom *doc);

/* Name of a hash algorithm as CycloneDX spells it ("SHA-256"), and back. */
TL_EXTERN const char *tl_sbom_hash_alg_name(tl_sbom_hash_alg alg);
TL_EXTERN bool tl_sbom_hash_alg_parse(const char *name, tl_sbom_hash_alg *out);
/* Component type as CycloneDX spells it ("operating-system"), and back. */
TL_EXTERN const char *tl_sbom_comp_type_name(tl_sbom_comp_type t);
TL_EXTERN bool tl_sbom_comp_type_parse(const char *name, tl_sbom_comp_type *out);

/* ---- formats ----------------------------------------------------------- */

typedef enum {
	TL_SBOM_FORMAT_UNKNOWN = 0,
	TL_SBOM_FORMAT_CYCLONEDX,
	TL_SBOM_FORMAT_SPDX,
} tl_sbom_format;

typedef struct {
	/* CycloneDX spec version to write: "1.6" (default when NULL) or "1.5". */
	const char *cdx_spec_version;
} tl_sbom_write_opts;

/* Which format a parsed JSON document is (bomFormat / spdxVersion). */
TL_EXTERN tl_sbom_format tl_sbom_detect(const json_t *root);

/*
 * Readers: build a model from parsed JSON.  name is used in messages,
 * which name the JSON path ("$.components[3].purl: expected a string").
 * Return TL_EPARSE on malformed or wrong-typed input.
 */
TL_EXTERN tl_err tl_sbom_read_cyclonedx(tl_sbom **out, const json_t *root, const char *name);
TL_EXTERN tl_err tl_sbom_read_spdx(tl_sbom **out, const json_t *root, const char *name);
/* Reads a file in either format (detected by content). */
TL_EXTERN tl_err tl_sbom_load(tl_sbom **out, const char *path, const tl_json_limits *lim);

/* Writers: normalise doc and append the JSON (ending in a newline) to out. */
TL_EXTERN tl_err tl_sbom_write_cyclonedx(tl_buf *out, tl_sbom *doc, const tl_sbom_write_opts *opts);
TL_EXTERN tl_err tl_sbom_write_spdx(tl_buf *out, tl_sbom *doc, const tl_sbom_write_opts *opts);
/*
 * The same bytes, passed to sink as they are made instead of held whole
 * (for large documents written to a file, tl_file_out_sink).  On an
 * error, part of the document may have gone to the sink already.
 */
TL_EXTERN tl_err tl_sbom_write_cyclonedx_sink(const tl_sink *sink, tl_sbom *doc,
                                              const tl_sbom_write_opts *opts);
TL_EXTERN tl_err tl_sbom_write_spdx_sink(const tl_sink *sink, tl_sbom *doc, const tl_sbom_write_opts *opts);

/* ---- identifiers: purl ------------------------------------------------- */

typedef struct {
	char *key;
	char *value; /* decoded */
} tl_purl_qualifier;

typedef struct {
	char *type;      /* lower-cased */
	char *namespace; /* decoded, segments joined by '/'; may be NULL */
	char *name;      /* decoded */
	char *version;   /* decoded; may be NULL */
	tl_purl_qualifier *qualifiers; /* sorted by key */
	size_t n_qualifiers;
	char *subpath;   /* decoded; may be NULL */
} tl_purl;

/* Parses a purl string per the purl specification.  TL_EPARSE if invalid. */
TL_EXTERN tl_err tl_purl_parse(tl_purl *out, const char *s);
/* Builds the canonical string (percent-encoding, sorted qualifiers). */
TL_EXTERN tl_err tl_purl_build(char **out, const tl_purl *p);
TL_EXTERN void tl_purl_dispose(tl_purl *p);
/* The value of qualifier key, or NULL. */
TL_EXTERN const char *tl_purl_get_qualifier(const tl_purl *p, const char *key);

/* ---- identifiers: CPE 2.3 formatted string ----------------------------- */

/* The eleven attributes after "cpe:2.3:", in the binding's escaped form
 * unescaped: "*" is ANY, "-" is NA. */
typedef struct {
	char *part, *vendor, *product, *version, *update, *edition;
	char *language, *sw_edition, *target_sw, *target_hw, *other;
} tl_cpe;

TL_EXTERN tl_err tl_cpe_parse(tl_cpe *out, const char *s);
TL_EXTERN tl_err tl_cpe_build(char **out, const tl_cpe *c);
TL_EXTERN void tl_cpe_dispose(tl_cpe *c);

/* ---- validation against the official schemas --------------------------- */

typedef enum {
	TL_SCHEMA_AUTO = 0,     /* from the document itself */
	TL_SCHEMA_CYCLONEDX_1_5,
	TL_SCHEMA_CYCLONEDX_1_6,
	TL_SCHEMA_SPDX_2_3,
} tl_schema_id;

/*
 * Validates root against the official schema (embedded in the library).
 * Returns TL_OK when valid, TL_ECHECK when not (the message names the
 * failing JSON path and keyword), TL_EUNSUPPORTED when no schema applies.
 * On TL_ECHECK, *errors (if not NULL) receives every error, one per line.
 */
TL_EXTERN tl_err tl_schema_validate(const json_t *root, tl_schema_id id, tl_buf *errors);

/*
 * The fast path for large files: validates the JSON file at path without
 * holding its whole tree.  The big arrays (CycloneDX components and
 * dependencies; SPDX packages, files, relationships, snippets) are parsed
 * and checked one element at a time against their items' schema, and
 * their uniqueItems through hashes.  Returns TL_OK only when the document
 * is valid (*used then names the schema applied, which TL_SCHEMA_AUTO
 * picks as tl_schema_validate does); anything else decides nothing (not a
 * regular file, malformed, invalid, a limit, a hash collision): load the
 * file with tl_json_load_file and call tl_schema_validate for the verdict
 * and its messages.  A document valid one way is valid the other.
 */
TL_EXTERN tl_err tl_schema_validate_streamed(const char *path, tl_schema_id id, const tl_json_limits *lim,
                                             tl_schema_id *used);

/* ---- minimum elements -------------------------------------------------- */

typedef enum {
	TL_PROFILE_NTIA = 0,
	TL_PROFILE_CISA_2025,
	TL_PROFILE_BSI_TR_03183,
} tl_sbom_profile;

TL_EXTERN bool tl_sbom_profile_parse(const char *name, tl_sbom_profile *out);

/*
 * Checks doc against a minimum-elements profile.  Appends a report (one
 * line per missing element, naming the component) to report.  Sets
 * *missing to the number of missing elements.  Returns TL_OK if it ran.
 */
TL_EXTERN tl_err tl_sbom_check(const tl_sbom *doc, tl_sbom_profile profile, tl_buf *report, size_t *missing);

/* ---- diff and merge ---------------------------------------------------- */

typedef enum { TL_DIFF_ADDED, TL_DIFF_REMOVED, TL_DIFF_CHANGED } tl_diff_kind;

typedef struct {
	tl_diff_kind kind;
	const tl_sbom_component *a; /* borrowed from doc a; NULL when added */
	const tl_sbom_component *b; /* borrowed from doc b; NULL when removed */
} tl_sbom_diff_entry;

/*
 * Components added, removed and version-changed from a to b, matched by
 * purl without version (or type+name when there is no purl).  *out is
 * an array the caller frees with free(); entries borrow from a and b.
 */
TL_EXTERN tl_err tl_sbom_diff(tl_sbom_diff_entry **out, size_t *n, const tl_sbom *a, const tl_sbom *b);

/*
 * Union of docs into a new document: components de-duplicated by purl
 * (by type+name+version when there is none), dependency graphs combined
 * with refs rewritten to the kept component.
 */
TL_EXTERN tl_err tl_sbom_merge(tl_sbom **out, tl_sbom *const *docs, size_t n);

#endif
