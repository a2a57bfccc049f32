/*
 * VEX in: OpenVEX and CycloneDX VEX documents, and applying their
 * statements to findings (docs/vex.md).
 *
 * OpenVEX 0.2.0 (@context "https://openvex.dev/ns/v0.2.0"); keys outside
 * these are refused, as the 0.2.0 schema does:
 *
 *   field                        type                 use
 *   @context                     string, required     selects the rules below
 *   @id                          string, required     -
 *   author                       string, required     -
 *   role, tooling, supplier      string               checked
 *   timestamp, last_updated      RFC 3339             statement time when the
 *                                                     statement has none
 *   version                      integer >= 1         checked
 *   statements[]                 objects, required    one statement each
 *     @id, supplier, status_notes  string             checked
 *     version                    integer >= 1         checked
 *     vulnerability              object, required     {name (required), @id,
 *                                                     description, aliases[]}
 *     products[]                 objects              {@id, identifiers {purl,
 *                                                     cpe22, cpe23}, hashes {},
 *                                                     subcomponents[] (same,
 *                                                     without subcomponents)}
 *     status                     string, required     not_affected, affected,
 *                                                     fixed, under_investigation
 *     justification              string               one of the five labels
 *     impact_statement           string              \  not_affected needs one
 *     action_statement           string               affected needs it
 *     timestamp, last_updated,   RFC 3339             statement time
 *     action_statement_timestamp
 *
 * Earlier OpenVEX (@context "https://openvex.dev/ns" or ".../ns/v0.0.1",
 * and go-vex's YAML "format: vex_attestation" with no @context) also
 * allows: a document "format" and "id", a string "version", a
 * vulnerability given as a bare string, products and statement-level
 * "subcomponents" given as bare identifier strings, "vuln_description".
 *
 * CycloneDX VEX: a CycloneDX BOM (bomFormat "CycloneDX", specVersion
 * 1.4-1.7) with vulnerabilities[]; each one with an analysis is a
 * statement:
 *
 *   vulnerabilities[].id               string, required   the vulnerability
 *   vulnerabilities[].references[].id  string             its aliases
 *   vulnerabilities[].analysis.state   string, required   resolved,
 *       resolved_with_pedigree -> fixed; exploitable -> affected;
 *       in_triage -> under_investigation; false_positive, not_affected ->
 *       not_affected
 *   .analysis.justification            string             mapped to OpenVEX
 *   .analysis.response[]               strings            action (with detail)
 *   .analysis.detail                   string             impact or action
 *   .analysis.lastUpdated, firstIssued RFC 3339           statement time, else
 *   vulnerabilities[].updated, metadata.timestamp
 *   vulnerabilities[].affects[].ref    string, required   a bom-ref of this BOM
 *       (its purl, CPE and bom-ref identify the component), a BOM-Link
 *       (urn:cdx:serial/version#bom-ref: the bom-ref), or a purl or CPE
 *
 * Limits: the JSON limits given (file size, depth), TL__VULN_MAX_STR per
 * string, TL_VEX_MAX_STATEMENTS per set, TL_VEX_MAX_PRODUCTS identifiers
 * per statement, TL_VEX_MAX_ALIASES aliases per vulnerability.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trustline/sbom.h"
#include "vuln_int.h"

typedef enum { ID_REF, ID_PURL, ID_CPE } id_kind;

/* One identifier a statement names a product or subcomponent by. */
typedef struct {
	id_kind kind;
	char *raw;
	tl_purl purl; /* ID_PURL */
	tl_cpe cpe;   /* ID_CPE */
} vex_ident;

typedef struct {
	char **names;    /* the vulnerability's name, then its aliases */
	size_t n_names;
	vex_ident *ids;
	size_t n_ids;
	tl_vex_status status;
	char *justification, *impact, *action;
	bool has_time;
	int64_t sec;
	int32_t nsec;
	size_t doc;      /* index into tl_vex.docs */
} vex_stmt;

typedef struct {
	const char *name; /* borrowed from a statement */
	size_t st;
} vex_key;

struct tl_vex {
	char **docs;
	size_t n_docs;
	vex_stmt *st;
	size_t n_st;
	vex_key *index; /* every statement name, sorted by (name, st) */
	size_t n_index;
};

/* What one document is being read into. */
typedef struct {
	tl__import im;  /* only .name: for the field helpers' messages */
	vex_stmt *st;
	size_t n_st;
	size_t doc;
	bool legacy;    /* OpenVEX before 0.2.0 */
	bool warned;    /* an unknown member was reported */
	bool yaml;      /* read from YAML: every scalar is a string */
	const json_t *components; /* CycloneDX: the BOM's root, for bom-refs */
} rd;

/* ---- small helpers ----------------------------------------------------- */

static void ident_dispose(vex_ident *id)
{
	free(id->raw);
	if (id->kind == ID_PURL)
		tl_purl_dispose(&id->purl);
	else if (id->kind == ID_CPE)
		tl_cpe_dispose(&id->cpe);
}

static void stmt_dispose(vex_stmt *s)
{
	for (size_t i = 0; i < s->n_names; i++)
		free(s->names[i]);
	free(s->names);
	for (size_t i = 0; i < s->n_ids; i++)
		ident_dispose(&s->ids[i]);
	free(s->ids);
	free(s->justification);
	free(s->impact);
	free(s->action);
	memset(s, 0, sizeof(*s));
}

static tl_err perr(rd *r, const char *path, const char *what)
{
	return tl__jerr(&r->im, path, what);
}

static tl_err dupstr(char **out, const char *s)
{
	*out = NULL;
	if (!s)
		return TL_OK;
	if (!(*out = strdup(s)))
		return tl__nomem();
	return TL_OK;
}

static bool key_in(const char *key, const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++)
		if (!strcmp(key, keys[i]))
			return true;
	return false;
}

/* A member of obj not named in keys (then extra, when not NULL) is not in
 * the OpenVEX schema: JSON-LD lets documents carry more (vexctl writes a
 * "statement"), so it is ignored, with one warning per document. */
static tl_err only_keys(rd *r, const json_t *obj, const char *path, const char *const *keys,
                        const char *const *extra)
{
	const char *key;
	json_t *v;
	char q[64];

	json_object_foreach((json_t *)obj, key, v) {
		if (key_in(key, keys) || (extra && key_in(key, extra)) || r->warned)
			continue;
		tl__quote(q, sizeof(q), key);
		tl__log(TL_LOG_WARN, "%s: %s: member \"%s\" is not in the OpenVEX schema; ignored",
		        r->im.name, path, q);
		r->warned = true;
	}
	return TL_OK;
}

/* An RFC 3339 date-time member: *sec and *nsec set when present. */
static tl_err jtime(rd *r, const json_t *obj, const char *path, const char *key, bool *present,
                    int64_t *sec, int32_t *nsec)
{
	const char *s;
	char p[512];
	tl_err err;

	*present = false;
	if ((err = tl__jstr(&r->im, obj, path, key, false, &s)) != TL_OK || !s)
		return err;
	if (tl_time_parse(sec, s) != TL_OK) {
		tl__pathf(p, sizeof(p), "%s.%s", path, key);
		return perr(r, p, "expected an RFC 3339 date-time (2023-01-08T18:02:03Z)");
	}
	/* the fraction, to nanoseconds: statements seconds apart are common */
	*nsec = 0;
	if (strlen(s) > 19 && s[19] == '.') {
		int32_t scale = 100000000;
		for (const char *c = s + 20; *c >= '0' && *c <= '9'; c++) {
			*nsec += (int32_t)(*c - '0') * scale;
			scale /= 10;
		}
	}
	*present = true;
	return TL_OK;
}

/* A positive integer member (or, for legacy documents, its decimal string). */
static tl_err jversion(rd *r, const json_t *obj, const char *path)
{
	const json_t *v = json_object_get(obj, "version");
	uint64_t n;
	char p[512];

	if (!v)
		return TL_OK;
	tl__pathf(p, sizeof(p), "%s.version", path);
	if (json_is_integer(v) && json_integer_value(v) >= 1)
		return TL_OK;
	if ((r->legacy || r->yaml) && json_is_string(v) && tl_parse_u64(json_string_value(v), &n) &&
	    n >= 1)
		return TL_OK;
	return perr(r, p, "expected an integer >= 1");
}

/* The statement's names: the vulnerability's name first, then aliases
 * other than it, each once. */
static tl_err add_name(vex_stmt *s, const char *name)
{
	char *c;
	void *slot;
	tl_err err;

	for (size_t i = 0; i < s->n_names; i++)
		if (!strcmp(s->names[i], name))
			return TL_OK;
	if (!(c = strdup(name)))
		return tl__nomem();
	if ((err = tl__array_grow((void **)&s->names, &s->n_names, sizeof(char *), &slot)) != TL_OK) {
		free(c);
		return err;
	}
	*(char **)slot = c;
	return TL_OK;
}

/* ---- identifiers ------------------------------------------------------- */

static int hexval(char h)
{
	if (h >= '0' && h <= '9')
		return h - '0';
	if (h >= 'a' && h <= 'f')
		return h - 'a' + 10;
	if (h >= 'A' && h <= 'F')
		return h - 'A' + 10;
	return -1;
}

/* CPE 2.2 URI (cpe:/part:vendor:product:version:update:edition:language)
 * as a CPE 2.3 formatted string (a new string); NULL when it is not one.
 * An empty 2.2 field, and the four attributes 2.2 does not have, are ANY. */
static char *cpe22_to_23(const char *s)
{
	tl_buf b = TL_BUF_INIT;
	const char *p;
	int field = 0;

	if (strncmp(s, "cpe:/", 5) != 0 || !s[5])
		return NULL;
	if (tl_buf_puts(&b, "cpe:2.3") != TL_OK)
		goto fail;
	p = s + 5;
	for (;;) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (++field > 7 || tl_buf_putc(&b, ':') != TL_OK)
			goto fail;
		if (n == 0 && tl_buf_putc(&b, '*') != TL_OK)
			goto fail;
		for (size_t i = 0; i < n; i++) {
			int c = (unsigned char)p[i];
			if (c == '%') { /* %xx of the 2.2 binding */
				int hi = i + 1 < n ? hexval(p[i + 1]) : -1;
				int lo = i + 2 < n ? hexval(p[i + 2]) : -1;
				if (hi < 0 || lo < 0)
					goto fail;
				c = hi * 16 + lo;
				i += 2;
			}
			if (c < 0x21 || c > 0x7e)
				goto fail;
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			      c == '-' || c == '.' || c == '_') &&
			    tl_buf_putc(&b, '\\') != TL_OK)
				goto fail;
			if (tl_buf_putc(&b, (char)c) != TL_OK)
				goto fail;
		}
		if (!end)
			break;
		p = end + 1;
	}
	for (; field < 11; field++)
		if (tl_buf_puts(&b, ":*") != TL_OK)
			goto fail;
	return tl_buf_detach(&b);
fail:
	tl_buf_dispose(&b);
	return NULL;
}

/* Classifies an identifier string: purl, CPE 2.3 or 2.2, else a plain
 * reference (bom-ref, or an IRI compared as it is). */
static tl_err ident_make(rd *r, vex_ident *out, const char *s, const char *path, bool cpe22)
{
	vex_ident id = { 0 };
	char *conv = NULL;
	tl_err err;

	if (!(id.raw = strdup(s)))
		return tl__nomem();
	if (!strncmp(s, "pkg:", 4)) {
		if ((err = tl_purl_parse(&id.purl, s)) != TL_OK) {
			free(id.raw);
			return perr(r, path, "not a valid purl");
		}
		id.kind = ID_PURL;
	} else if (!strncasecmp(s, "cpe:2.3:", 8) || !strncmp(s, "cpe:/", 5) || cpe22) {
		const char *c = s;
		if (strncasecmp(s, "cpe:2.3:", 8) != 0) {
			if (!(conv = cpe22_to_23(s))) {
				free(id.raw);
				return perr(r, path, "not a valid CPE 2.2 URI (cpe:/part:vendor:product:...)");
			}
			c = conv;
		}
		err = tl_cpe_parse(&id.cpe, c);
		free(conv);
		if (err != TL_OK) {
			free(id.raw);
			return perr(r, path, "not a valid CPE name");
		}
		id.kind = ID_CPE;
	} else {
		id.kind = ID_REF;
	}
	tl_error_clear();
	*out = id;
	return TL_OK;
}

static tl_err add_ident(rd *r, vex_stmt *s, const char *value, const char *path, bool cpe22)
{
	vex_ident id;
	void *slot;
	tl_err err;

	if (s->n_ids >= TL_VEX_MAX_PRODUCTS)
		return tl__error(TL_ELIMIT, "%s: %s: more than %u product identifiers in one statement",
		                 r->im.name, path, TL_VEX_MAX_PRODUCTS);
	if ((err = ident_make(r, &id, value, path, cpe22)) != TL_OK)
		return err;
	if ((err = tl__array_grow((void **)&s->ids, &s->n_ids, sizeof(vex_ident), &slot)) != TL_OK) {
		ident_dispose(&id);
		return err;
	}
	*(vex_ident *)slot = id;
	return TL_OK;
}

/* ---- OpenVEX ----------------------------------------------------------- */

static const char *const hash_keys[] = { "md5", "sha1", "sha-256", "sha-384", "sha-512",
	"sha3-224", "sha3-256", "sha3-384", "sha3-512", "blake2s-256", "blake2b-256",
	"blake2b-512", NULL };

/* A product or subcomponent object (or, legacy, a bare string). */
static tl_err ov_component(rd *r, vex_stmt *s, const json_t *c, const char *path, bool sub)
{
	static const char *const keys[] = { "@id", "identifiers", "hashes", "subcomponents", NULL };
	static const char *const idkeys[] = { "purl", "cpe22", "cpe23", NULL };
	const json_t *ids, *hashes, *subs;
	const char *at, *v;
	char p[512];
	tl_err err;

	if (json_is_string(c) && r->legacy) {
		if (json_string_length(c) == 0 || json_string_length(c) > TL__VULN_MAX_STR)
			return perr(r, path, "expected a product identifier");
		return add_ident(r, s, json_string_value(c), path, false);
	}
	if (!json_is_object(c))
		return perr(r, path, r->legacy ? "expected an object or a string" : "expected an object");
	if ((err = only_keys(r, c, path, keys, NULL)) != TL_OK)
		return err;
	if (sub && json_object_get(c, "subcomponents"))
		return perr(r, path, "unexpected member \"subcomponents\" in a subcomponent");
	if ((err = tl__jstr(&r->im, c, path, "@id", false, &at)) != TL_OK ||
	    (err = tl__jobj(&r->im, c, path, "identifiers", false, &ids)) != TL_OK ||
	    (err = tl__jobj(&r->im, c, path, "hashes", false, &hashes)) != TL_OK ||
	    (err = tl__jarr(&r->im, c, path, "subcomponents", false, &subs)) != TL_OK)
		return err;
	if (!at && !ids)
		return perr(r, path, "expected \"@id\" or \"identifiers\"");
	if (at) {
		if (!*at) {
			tl__pathf(p, sizeof(p), "%s.@id", path);
			return perr(r, p, "expected an IRI, not an empty string");
		}
		tl__pathf(p, sizeof(p), "%s.@id", path);
		if ((err = add_ident(r, s, at, p, false)) != TL_OK)
			return err;
	}
	if (ids) {
		tl__pathf(p, sizeof(p), "%s.identifiers", path);
		if ((err = only_keys(r, ids, p, idkeys, NULL)) != TL_OK)
			return err;
		if (!json_object_get(ids, "purl") && !json_object_get(ids, "cpe22") &&
		    !json_object_get(ids, "cpe23"))
			return perr(r, p, "expected at least one of purl, cpe22, cpe23");
		for (size_t k = 0; idkeys[k]; k++) {
			char pk[600];
			if ((err = tl__jstr(&r->im, ids, p, idkeys[k], false, &v)) != TL_OK)
				return err;
			if (!v)
				continue;
			tl__pathf(pk, sizeof(pk), "%s.%s", p, idkeys[k]);
			if (k == 0 && strncmp(v, "pkg:", 4) != 0)
				return perr(r, pk, "expected a purl (pkg:type/...)");
			if (k == 2 && strncasecmp(v, "cpe:2.3:", 8) != 0)
				return perr(r, pk, "expected a CPE 2.3 name (cpe:2.3:...)");
			if (k == 1 && strncmp(v, "cpe:/", 5) != 0)
				return perr(r, pk, "expected a CPE 2.2 URI (cpe:/...)");
			if ((err = add_ident(r, s, v, pk, k == 1)) != TL_OK)
				return err;
		}
	}
	if (hashes) {
		const char *key;
		json_t *hv;
		tl__pathf(p, sizeof(p), "%s.hashes", path);
		if ((err = only_keys(r, hashes, p, hash_keys, NULL)) != TL_OK)
			return err;
		json_object_foreach((json_t *)hashes, key, hv) {
			if (!json_is_string(hv))
				return perr(r, p, "expected string values");
		}
	}
	for (size_t i = 0; subs && i < json_array_size(subs); i++) {
		tl__pathf(p, sizeof(p), "%s.subcomponents[%zu]", path, i);
		if ((err = ov_component(r, s, json_array_get(subs, i), p, true)) != TL_OK)
			return err;
	}
	return TL_OK;
}

static tl_err ov_vulnerability(rd *r, vex_stmt *s, const json_t *st, const char *path)
{
	static const char *const keys[] = { "@id", "name", "description", "aliases", NULL };
	const json_t *v = json_object_get(st, "vulnerability"), *aliases;
	const char *name, *str;
	char p[512], pa[600];
	tl_err err;

	tl__pathf(p, sizeof(p), "%s.vulnerability", path);
	if (!v || json_is_null(v))
		return perr(r, p, "missing (expected an object with a name)");
	if (json_is_string(v) && r->legacy) {
		if (json_string_length(v) == 0 || json_string_length(v) > TL__VULN_MAX_STR)
			return perr(r, p, "expected a vulnerability id");
		return add_name(s, json_string_value(v));
	}
	if (!json_is_object(v))
		return perr(r, p, r->legacy ? "expected an object or a string" : "expected an object");
	if ((err = only_keys(r, v, p, keys, NULL)) != TL_OK ||
	    (err = tl__jstr(&r->im, v, p, "name", true, &name)) != TL_OK ||
	    (err = tl__jstr(&r->im, v, p, "@id", false, &str)) != TL_OK ||
	    (err = tl__jstr(&r->im, v, p, "description", false, &str)) != TL_OK ||
	    (err = tl__jarr(&r->im, v, p, "aliases", false, &aliases)) != TL_OK)
		return err;
	if (!*name) {
		tl__pathf(pa, sizeof(pa), "%s.name", p);
		return perr(r, pa, "expected a vulnerability id, not an empty string");
	}
	if ((err = add_name(s, name)) != TL_OK)
		return err;
	if (aliases && json_array_size(aliases) > TL_VEX_MAX_ALIASES)
		return tl__error(TL_ELIMIT, "%s: %s.aliases: more than %u aliases", r->im.name, p,
		                 TL_VEX_MAX_ALIASES);
	for (size_t i = 0; aliases && i < json_array_size(aliases); i++) {
		const json_t *a = json_array_get(aliases, i);
		tl__pathf(pa, sizeof(pa), "%s.aliases[%zu]", p, i);
		if (!json_is_string(a) || json_string_length(a) == 0 ||
		    json_string_length(a) > TL__VULN_MAX_STR)
			return perr(r, pa, "expected a vulnerability id (a non-empty string)");
		if ((err = add_name(s, json_string_value(a))) != TL_OK)
			return err;
	}
	return TL_OK;
}

static tl_err stmt_push(rd *r, vex_stmt *s)
{
	void *slot;
	tl_err err;

	if (r->n_st >= TL_VEX_MAX_STATEMENTS)
		return tl__error(TL_ELIMIT, "%s: more than %u VEX statements", r->im.name,
		                 TL_VEX_MAX_STATEMENTS);
	if ((err = tl__array_grow((void **)&r->st, &r->n_st, sizeof(vex_stmt), &slot)) != TL_OK)
		return err;
	*(vex_stmt *)slot = *s;
	memset(s, 0, sizeof(*s));
	return TL_OK;
}

static tl_err ov_statement(rd *r, const json_t *st, const char *path, bool doc_time, int64_t dsec,
                           int32_t dnsec)
{
	static const char *const keys[] = { "@id", "version", "vulnerability", "timestamp",
		"last_updated", "products", "status", "supplier", "status_notes", "justification",
		"impact_statement", "action_statement", "action_statement_timestamp", NULL };
	static const char *const legacy_keys[] = { "subcomponents", "vuln_description", NULL };
	vex_stmt s = { 0 };
	const json_t *products, *subs;
	const char *status, *just, *impact, *action, *str;
	bool has_ts, has_lu, has_at;
	int64_t ts = 0, lu = 0, at;
	int32_t tsn = 0, lun = 0, atn;
	char p[512];
	tl_err err;

	if (!json_is_object(st))
		return perr(r, path, "expected an object");
	if ((err = only_keys(r, st, path, keys, r->legacy ? legacy_keys : NULL)) != TL_OK ||
	    (err = ov_vulnerability(r, &s, st, path)) != TL_OK ||
	    (err = tl__jstr(&r->im, st, path, "status", true, &status)) != TL_OK ||
	    (err = tl__jstr(&r->im, st, path, "justification", false, &just)) != TL_OK ||
	    (err = tl__jstr(&r->im, st, path, "impact_statement", false, &impact)) != TL_OK ||
	    (err = tl__jstr(&r->im, st, path, "action_statement", false, &action)) != TL_OK ||
	    (err = tl__jstr(&r->im, st, path, "@id", false, &str)) != TL_OK ||
	    (err = tl__jstr(&r->im, st, path, "supplier", false, &str)) != TL_OK ||
	    (err = tl__jstr(&r->im, st, path, "status_notes", false, &str)) != TL_OK ||
	    (err = tl__jstr(&r->im, st, path, "vuln_description", false, &str)) != TL_OK ||
	    (err = jversion(r, st, path)) != TL_OK ||
	    (err = jtime(r, st, path, "timestamp", &has_ts, &ts, &tsn)) != TL_OK ||
	    (err = jtime(r, st, path, "last_updated", &has_lu, &lu, &lun)) != TL_OK ||
	    (err = jtime(r, st, path, "action_statement_timestamp", &has_at, &at, &atn)) != TL_OK ||
	    (err = tl__jarr(&r->im, st, path, "products", false, &products)) != TL_OK ||
	    (err = tl__jarr(&r->im, st, path, "subcomponents", false, &subs)) != TL_OK)
		goto done;
	tl__pathf(p, sizeof(p), "%s.status", path);
	if (tl_vex_status_parse(status, &s.status) != TL_OK) {
		err = perr(r, p, "expected not_affected, affected, fixed or under_investigation");
		goto done;
	}
	tl__pathf(p, sizeof(p), "%s.justification", path);
	if (just && !tl_vex_justification_valid(just)) {
		err = perr(r, p, "expected component_not_present, vulnerable_code_not_present, "
		                 "vulnerable_code_not_in_execute_path, "
		                 "vulnerable_code_cannot_be_controlled_by_adversary or "
		                 "inline_mitigations_already_exist");
		goto done;
	}
	if (s.status == TL_VEX_NOT_AFFECTED && !just && !impact) {
		err = perr(r, path, "status not_affected needs a justification or an impact_statement");
		goto done;
	}
	if (s.status == TL_VEX_AFFECTED && !action) {
		err = perr(r, path, "status affected needs an action_statement");
		goto done;
	}
	for (size_t i = 0; products && i < json_array_size(products); i++) {
		tl__pathf(p, sizeof(p), "%s.products[%zu]", path, i);
		if ((err = ov_component(r, &s, json_array_get(products, i), p, false)) != TL_OK)
			goto done;
	}
	for (size_t i = 0; subs && i < json_array_size(subs); i++) {
		tl__pathf(p, sizeof(p), "%s.subcomponents[%zu]", path, i);
		if ((err = ov_component(r, &s, json_array_get(subs, i), p, true)) != TL_OK)
			goto done;
	}
	if ((err = dupstr(&s.justification, just)) != TL_OK ||
	    (err = dupstr(&s.impact, impact)) != TL_OK || (err = dupstr(&s.action, action)) != TL_OK)
		goto done;
	/* the statement's own time, else the document's */
	if (has_lu || has_ts) {
		s.has_time = true;
		s.sec = has_lu ? lu : ts;
		s.nsec = has_lu ? lun : tsn;
	} else if (doc_time) {
		s.has_time = true;
		s.sec = dsec;
		s.nsec = dnsec;
	}
	s.doc = r->doc;
	err = stmt_push(r, &s);
done:
	stmt_dispose(&s);
	return err;
}

static tl_err read_openvex(rd *r, const json_t *root, bool yaml_attestation)
{
	static const char *const keys[] = { "@context", "@id", "author", "role", "timestamp",
		"last_updated", "version", "tooling", "statements", NULL };
	static const char *const legacy_keys[] = { "format", "id", "supplier", NULL };
	const char *ctx = NULL, *str;
	const json_t *stmts;
	bool has_ts, has_lu;
	int64_t ts = 0, lu = 0;
	int32_t tsn = 0, lun = 0;
	char p[512];
	tl_err err;

	if (!yaml_attestation) {
		if ((err = tl__jstr(&r->im, root, "$", "@context", true, &ctx)) != TL_OK)
			return err;
		if (!strcmp(ctx, "https://openvex.dev/ns/v0.2.0"))
			r->legacy = false;
		else if (!strcmp(ctx, "https://openvex.dev/ns") ||
		         !strcmp(ctx, "https://openvex.dev/ns/v0.0.1"))
			r->legacy = true;
		else {
			char q[96];
			tl__quote(q, sizeof(q), ctx);
			return tl__error(TL_EUNSUPPORTED,
			                 "%s: $.@context: unknown OpenVEX context \"%s\" (expected "
			                 "https://openvex.dev/ns/v0.2.0 or an earlier one)",
			                 r->im.name, q);
		}
	} else {
		r->legacy = true;
	}
	if ((err = only_keys(r, root, "$", keys, r->legacy ? legacy_keys : NULL)) != TL_OK ||
	    (err = tl__jstr(&r->im, root, "$", yaml_attestation ? "id" : "@id", !r->legacy, &str)) != TL_OK ||
	    (err = tl__jstr(&r->im, root, "$", "author", true, &str)) != TL_OK ||
	    (err = tl__jstr(&r->im, root, "$", "role", false, &str)) != TL_OK ||
	    (err = tl__jstr(&r->im, root, "$", "tooling", false, &str)) != TL_OK ||
	    (err = tl__jstr(&r->im, root, "$", "supplier", false, &str)) != TL_OK ||
	    (err = tl__jstr(&r->im, root, "$", "format", false, &str)) != TL_OK ||
	    (err = jversion(r, root, "$")) != TL_OK ||
	    (err = jtime(r, root, "$", "timestamp", &has_ts, &ts, &tsn)) != TL_OK ||
	    (err = jtime(r, root, "$", "last_updated", &has_lu, &lu, &lun)) != TL_OK ||
	    (err = tl__jarr(&r->im, root, "$", "statements", true, &stmts)) != TL_OK)
		return err;
	if (!r->legacy && json_object_get(root, "@id") && !*json_string_value(json_object_get(root, "@id")))
		return perr(r, "$.@id", "expected an IRI, not an empty string");
	if (json_array_size(stmts) == 0)
		return perr(r, "$.statements", "expected at least one statement");
	for (size_t i = 0; i < json_array_size(stmts); i++) {
		tl__pathf(p, sizeof(p), "$.statements[%zu]", i);
		if ((err = ov_statement(r, json_array_get(stmts, i), p, has_lu || has_ts,
		                        has_lu ? lu : ts, has_lu ? lun : tsn)) != TL_OK)
			return err;
	}
	return TL_OK;
}

/* ---- CycloneDX VEX ----------------------------------------------------- */

/* The component with bom-ref ref in the BOM (metadata.component,
 * components[] and their nested components), or NULL. */
static const json_t *cdx_find(const json_t *comps, const char *ref, unsigned depth)
{
	if (!json_is_array(comps) || depth > TL_JSON_DEFAULT_DEPTH)
		return NULL;
	for (size_t i = 0; i < json_array_size(comps); i++) {
		const json_t *c = json_array_get(comps, i), *br, *hit;
		if (!json_is_object(c))
			continue;
		br = json_object_get(c, "bom-ref");
		if (json_is_string(br) && !strcmp(json_string_value(br), ref))
			return c;
		if ((hit = cdx_find(json_object_get(c, "components"), ref, depth + 1)))
			return hit;
	}
	return NULL;
}

static tl_err cdx_ref(rd *r, vex_stmt *s, const char *ref, const char *path)
{
	const json_t *meta = json_object_get(r->components, "metadata"), *c = NULL, *mc;
	const char *frag = NULL;
	char *dec = NULL;
	tl_err err = TL_OK;

	/* a BOM-Link names a bom-ref after '#' (percent-encoded) */
	if (!strncmp(ref, "urn:cdx:", 8) && (frag = strchr(ref, '#')) && frag[1]) {
		size_t n = strlen(frag + 1), j = 0;
		if (!(dec = malloc(n + 1)))
			return tl__nomem();
		for (size_t i = 0; i < n; i++) {
			const char *h = frag + 1 + i;
			int hi = h[0] == '%' && i + 2 < n ? hexval(h[1]) : -1;
			int lo = hi >= 0 ? hexval(h[2]) : -1;
			if (hi >= 0 && lo >= 0) {
				dec[j++] = (char)(hi * 16 + lo);
				i += 2;
			} else {
				dec[j++] = h[0];
			}
		}
		dec[j] = 0;
		if (!dec[0] || memchr(dec, 0, j)) {
			free(dec);
			return perr(r, path, "BOM-Link with an empty or NUL bom-ref");
		}
		ref = dec;
	}
	mc = json_is_object(meta) ? json_object_get(meta, "component") : NULL;
	if (json_is_object(mc) && json_is_string(json_object_get(mc, "bom-ref")) &&
	    !strcmp(json_string_value(json_object_get(mc, "bom-ref")), ref))
		c = mc;
	if (!c)
		c = cdx_find(json_object_get(r->components, "components"), ref, 0);
	if (c) {
		const json_t *purl = json_object_get(c, "purl"), *cpe = json_object_get(c, "cpe");
		vex_ident id = { 0 };
		void *slot;
		/* the bom-ref itself, compared as it is */
		if (!(id.raw = strdup(ref))) {
			err = tl__nomem();
			goto done;
		}
		id.kind = ID_REF;
		if ((err = tl__array_grow((void **)&s->ids, &s->n_ids, sizeof(vex_ident), &slot)) != TL_OK) {
			free(id.raw);
			goto done;
		}
		*(vex_ident *)slot = id;
		/* the component's purl and CPE; one that does not parse is left out
		 * (the SBOM reader is the place to complain about it) */
		if (json_is_string(purl) && !strncmp(json_string_value(purl), "pkg:", 4) &&
		    add_ident(r, s, json_string_value(purl), path, false) != TL_OK)
			tl_error_clear();
		if (json_is_string(cpe) && !strncasecmp(json_string_value(cpe), "cpe:", 4) &&
		    add_ident(r, s, json_string_value(cpe), path, false) != TL_OK)
			tl_error_clear();
	} else {
		err = add_ident(r, s, ref, path, false);
	}
done:
	free(dec);
	return err;
}

static const char *cdx_justification(const char *j)
{
	static const struct {
		const char *cdx, *openvex;
	} map[] = {
		{ "code_not_present", "vulnerable_code_not_present" },
		{ "code_not_reachable", "vulnerable_code_not_in_execute_path" },
		{ "requires_configuration", "vulnerable_code_cannot_be_controlled_by_adversary" },
		{ "requires_dependency", "component_not_present" },
		{ "requires_environment", "vulnerable_code_cannot_be_controlled_by_adversary" },
		{ "protected_by_compiler", "inline_mitigations_already_exist" },
		{ "protected_at_runtime", "inline_mitigations_already_exist" },
		{ "protected_at_perimeter", "inline_mitigations_already_exist" },
		{ "protected_by_mitigating_control", "inline_mitigations_already_exist" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(j, map[i].cdx))
			return map[i].openvex;
	return NULL;
}

static tl_err cdx_vuln(rd *r, const json_t *v, const char *path, bool doc_time, int64_t dsec,
                       int32_t dnsec)
{
	static const char *const responses[] = { "can_not_fix", "will_not_fix", "update", "rollback",
		"workaround_available", NULL };
	vex_stmt s = { 0 };
	const json_t *analysis, *refs, *affects, *resp;
	const char *id, *state, *just, *detail;
	bool has_lu, has_fi, has_up;
	int64_t lu = 0, fi = 0, up = 0;
	int32_t lun = 0, fin = 0, upn = 0;
	tl_buf action = TL_BUF_INIT;
	char p[512], pa[600];
	tl_err err;

	if (!json_is_object(v))
		return perr(r, path, "expected an object");
	if ((err = tl__jobj(&r->im, v, path, "analysis", false, &analysis)) != TL_OK ||
	    (err = tl__jstr(&r->im, v, path, "id", false, &id)) != TL_OK ||
	    (err = tl__jarr(&r->im, v, path, "references", false, &refs)) != TL_OK ||
	    (err = tl__jarr(&r->im, v, path, "affects", false, &affects)) != TL_OK ||
	    (err = jtime(r, v, path, "updated", &has_up, &up, &upn)) != TL_OK)
		return err;
	if (!analysis)
		return TL_OK; /* a vulnerability without triage: nothing to apply */
	if (!id || !*id)
		return perr(r, path, "a vulnerability with an analysis needs an id");
	tl__pathf(p, sizeof(p), "%s.analysis", path);
	if ((err = tl__jstr(&r->im, analysis, p, "state", true, &state)) != TL_OK ||
	    (err = tl__jstr(&r->im, analysis, p, "justification", false, &just)) != TL_OK ||
	    (err = tl__jstr(&r->im, analysis, p, "detail", false, &detail)) != TL_OK ||
	    (err = tl__jarr(&r->im, analysis, p, "response", false, &resp)) != TL_OK ||
	    (err = jtime(r, analysis, p, "lastUpdated", &has_lu, &lu, &lun)) != TL_OK ||
	    (err = jtime(r, analysis, p, "firstIssued", &has_fi, &fi, &fin)) != TL_OK)
		goto done;
	tl__pathf(pa, sizeof(pa), "%s.state", p);
	if (!strcmp(state, "resolved") || !strcmp(state, "resolved_with_pedigree"))
		s.status = TL_VEX_FIXED;
	else if (!strcmp(state, "exploitable"))
		s.status = TL_VEX_AFFECTED;
	else if (!strcmp(state, "in_triage"))
		s.status = TL_VEX_UNDER_INVESTIGATION;
	else if (!strcmp(state, "false_positive") || !strcmp(state, "not_affected"))
		s.status = TL_VEX_NOT_AFFECTED;
	else {
		err = perr(r, pa, "expected resolved, resolved_with_pedigree, exploitable, in_triage, "
		                  "false_positive or not_affected");
		goto done;
	}
	if (just) {
		const char *ov = cdx_justification(just);
		tl__pathf(pa, sizeof(pa), "%s.justification", p);
		if (!ov) {
			err = perr(r, pa, "expected a CycloneDX impactAnalysisJustification "
			                  "(code_not_present, code_not_reachable, requires_configuration, ...)");
			goto done;
		}
		if (s.status == TL_VEX_NOT_AFFECTED && (err = dupstr(&s.justification, ov)) != TL_OK)
			goto done;
	}
	for (size_t i = 0; resp && i < json_array_size(resp); i++) {
		const json_t *e = json_array_get(resp, i);
		tl__pathf(pa, sizeof(pa), "%s.response[%zu]", p, i);
		if (!json_is_string(e) || !key_in(json_string_value(e), responses)) {
			err = perr(r, pa, "expected can_not_fix, will_not_fix, update, rollback or "
			                  "workaround_available");
			goto done;
		}
		if ((err = tl_buf_puts(&action, i ? ", " : "response: ")) != TL_OK ||
		    (err = tl_buf_puts(&action, json_string_value(e))) != TL_OK)
			goto done;
	}
	if (s.status == TL_VEX_NOT_AFFECTED) {
		if ((err = dupstr(&s.impact, detail)) != TL_OK)
			goto done;
		if (action.len && !(s.action = tl_buf_detach(&action))) {
			err = tl__nomem();
			goto done;
		}
	} else {
		if (detail && ((err = tl_buf_puts(&action, action.len ? "; " : "")) != TL_OK ||
		               (err = tl_buf_puts(&action, detail)) != TL_OK))
			goto done;
		if (action.len && !(s.action = tl_buf_detach(&action))) {
			err = tl__nomem();
			goto done;
		}
	}
	if ((err = add_name(&s, id)) != TL_OK)
		goto done;
	if (refs && json_array_size(refs) > TL_VEX_MAX_ALIASES) {
		err = tl__error(TL_ELIMIT, "%s: %s.references: more than %u references", r->im.name,
		                path, TL_VEX_MAX_ALIASES);
		goto done;
	}
	for (size_t i = 0; refs && i < json_array_size(refs); i++) {
		const json_t *ref = json_array_get(refs, i);
		const char *rid;
		tl__pathf(pa, sizeof(pa), "%s.references[%zu]", path, i);
		if (!json_is_object(ref)) {
			err = perr(r, pa, "expected an object");
			goto done;
		}
		if ((err = tl__jstr(&r->im, ref, pa, "id", true, &rid)) != TL_OK)
			goto done;
		if (*rid && (err = add_name(&s, rid)) != TL_OK)
			goto done;
	}
	for (size_t i = 0; affects && i < json_array_size(affects); i++) {
		const json_t *a = json_array_get(affects, i), *versions;
		const char *ref;
		tl__pathf(pa, sizeof(pa), "%s.affects[%zu]", path, i);
		if (!json_is_object(a)) {
			err = perr(r, pa, "expected an object");
			goto done;
		}
		if ((err = tl__jstr(&r->im, a, pa, "ref", true, &ref)) != TL_OK ||
		    (err = tl__jarr(&r->im, a, pa, "versions", false, &versions)) != TL_OK)
			goto done;
		if (!*ref) {
			err = perr(r, pa, "ref: expected a bom-ref, not an empty string");
			goto done;
		}
		if (s.n_ids >= TL_VEX_MAX_PRODUCTS) {
			err = tl__error(TL_ELIMIT, "%s: %s: more than %u product identifiers in one "
			                "statement", r->im.name, pa, TL_VEX_MAX_PRODUCTS);
			goto done;
		}
		tl__pathf(pa, sizeof(pa), "%s.affects[%zu].ref", path, i);
		if ((err = cdx_ref(r, &s, ref, pa)) != TL_OK)
			goto done;
	}
	if (has_lu || has_fi || has_up) {
		s.has_time = true;
		s.sec = has_lu ? lu : has_fi ? fi : up;
		s.nsec = has_lu ? lun : has_fi ? fin : upn;
	} else if (doc_time) {
		s.has_time = true;
		s.sec = dsec;
		s.nsec = dnsec;
	}
	s.doc = r->doc;
	err = stmt_push(r, &s);
done:
	tl_buf_dispose(&action);
	stmt_dispose(&s);
	return err;
}

static tl_err read_cyclonedx(rd *r, const json_t *root)
{
	static const char *const specs[] = { "1.4", "1.5", "1.6", "1.7", NULL };
	const json_t *vulns, *meta;
	const char *spec;
	bool has_ts = false;
	int64_t ts = 0;
	int32_t tsn = 0;
	char p[512];
	tl_err err;

	if ((err = tl__jstr(&r->im, root, "$", "specVersion", true, &spec)) != TL_OK ||
	    (err = tl__jobj(&r->im, root, "$", "metadata", false, &meta)) != TL_OK ||
	    (err = tl__jarr(&r->im, root, "$", "vulnerabilities", false, &vulns)) != TL_OK)
		return err;
	if (!key_in(spec, specs))
		return tl__error(TL_EUNSUPPORTED, "%s: $.specVersion: CycloneDX %.16s has no VEX "
		                 "(expected 1.4 to 1.7)", r->im.name, spec);
	if (!vulns)
		return perr(r, "$", "no vulnerabilities[]: a CycloneDX BOM, but not a VEX document");
	if (meta && (err = jtime(r, meta, "$.metadata", "timestamp", &has_ts, &ts, &tsn)) != TL_OK)
		return err;
	r->components = root;
	for (size_t i = 0; i < json_array_size(vulns); i++) {
		tl__pathf(p, sizeof(p), "$.vulnerabilities[%zu]", i);
		if ((err = cdx_vuln(r, json_array_get(vulns, i), p, has_ts, ts, tsn)) != TL_OK)
			return err;
	}
	return TL_OK;
}

/* ---- the set ----------------------------------------------------------- */

tl_err tl_vex_new(tl_vex **out)
{
	if (!out)
		return TL_EINVAL;
	if (!(*out = calloc(1, sizeof(**out))))
		return tl__nomem();
	return TL_OK;
}

void tl_vex_free(tl_vex *vex)
{
	if (!vex)
		return;
	for (size_t i = 0; i < vex->n_st; i++)
		stmt_dispose(&vex->st[i]);
	free(vex->st);
	for (size_t i = 0; i < vex->n_docs; i++)
		free(vex->docs[i]);
	free(vex->docs);
	free(vex->index);
	free(vex);
}

size_t tl_vex_count(const tl_vex *vex)
{
	return vex ? vex->n_st : 0;
}

static int key_cmp(const void *a, const void *b)
{
	const vex_key *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->st < y->st ? -1 : x->st > y->st;
}

static tl_err reindex(tl_vex *vex)
{
	size_t n = 0, k = 0;
	vex_key *idx;

	for (size_t i = 0; i < vex->n_st; i++)
		n += vex->st[i].n_names;
	if (!(idx = calloc(n ? n : 1, sizeof(*idx))))
		return tl__nomem();
	for (size_t i = 0; i < vex->n_st; i++)
		for (size_t j = 0; j < vex->st[i].n_names; j++)
			idx[k++] = (vex_key){ vex->st[i].names[j], i };
	qsort(idx, n, sizeof(*idx), key_cmp);
	free(vex->index);
	vex->index = idx;
	vex->n_index = n;
	return TL_OK;
}

/* Whether root (borrowed) is go-vex's YAML "vex_attestation" document. */
static bool is_attestation(const json_t *root)
{
	const json_t *f = json_object_get(root, "format");

	return !json_object_get(root, "@context") && json_is_string(f) &&
	       !strcmp(json_string_value(f), "vex_attestation");
}

tl_err tl_vex_add_mem(tl_vex *vex, const void *data, size_t len, const char *name,
                      const tl_json_limits *lim)
{
	rd r = { 0 };
	json_t *root = NULL;
	const unsigned char *c = data;
	size_t i = 0, max = lim && lim->max_bytes ? lim->max_bytes : TL_FILE_DEFAULT_MAX;
	char *docname = NULL;
	void *slot;
	tl_err err;

	if (!vex || (!data && len) || !name)
		return TL_EINVAL;
	if (len > max)
		return tl__error(TL_ELIMIT, "%s: larger than %zu bytes", name, max);
	r.im.name = name;
	r.doc = vex->n_docs;
	while (i < len && (c[i] == ' ' || c[i] == '\t' || c[i] == '\r' || c[i] == '\n'))
		i++;
	r.yaml = !(i < len && c[i] == '{');
	if (r.yaml)
		err = tl__yaml_parse(&root, data, len, name);
	else
		err = tl_json_parse(&root, data, len, name, lim);
	if (err != TL_OK)
		goto done;
	if (!json_is_object(root)) {
		err = perr(&r, "$", "expected an object (an OpenVEX or CycloneDX VEX document)");
		goto done;
	}
	if (json_object_get(root, "@context") || is_attestation(root)) {
		err = read_openvex(&r, root, is_attestation(root));
	} else if (json_is_string(json_object_get(root, "bomFormat")) &&
	           !strcmp(json_string_value(json_object_get(root, "bomFormat")), "CycloneDX")) {
		err = read_cyclonedx(&r, root);
	} else {
		err = tl__error(TL_EUNSUPPORTED, "%s: $: neither OpenVEX (@context) nor CycloneDX "
		                "(bomFormat): not a VEX document", name);
	}
	if (err != TL_OK)
		goto done;
	if (vex->n_st + r.n_st > TL_VEX_MAX_STATEMENTS) {
		err = tl__error(TL_ELIMIT, "%s: more than %u VEX statements in the set", name,
		                TL_VEX_MAX_STATEMENTS);
		goto done;
	}
	/* append the document and its statements, or nothing */
	if (!(docname = strdup(name))) {
		err = tl__nomem();
		goto done;
	}
	{
		size_t need = vex->n_st + r.n_st;
		vex_stmt *st = realloc(vex->st, (need ? need : 1) * sizeof(*st));
		if (!st) {
			err = tl__nomem();
			goto done;
		}
		vex->st = st;
	}
	if ((err = tl__array_grow((void **)&vex->docs, &vex->n_docs, sizeof(char *), &slot)) != TL_OK)
		goto done;
	*(char **)slot = docname;
	docname = NULL;
	if (r.n_st) /* a document may hold no statement to apply */
		memcpy(vex->st + vex->n_st, r.st, r.n_st * sizeof(*r.st));
	vex->n_st += r.n_st;
	free(r.st);
	r.st = NULL;
	r.n_st = 0;
	if ((err = reindex(vex)) != TL_OK)
		goto done;
	tl_error_clear();
done:
	for (size_t k = 0; k < r.n_st; k++)
		stmt_dispose(&r.st[k]);
	free(r.st);
	free(docname);
	json_decref(root);
	return err;
}

tl_err tl_vex_add_file(tl_vex *vex, const char *path, const tl_json_limits *lim)
{
	tl_buf data = TL_BUF_INIT;
	tl_err err;

	if (!vex || !path)
		return TL_EINVAL;
	if ((err = tl_file_read(&data, path, lim ? lim->max_bytes : 0)) != TL_OK)
		return err;
	err = tl_vex_add_mem(vex, data.ptr ? data.ptr : "", data.len, path, lim);
	tl_buf_dispose(&data);
	return err;
}

tl_err tl_vex_load(tl_vex **out, const char *path, const tl_json_limits *lim)
{
	tl_vex *vex = NULL;
	tl_err err;

	if (!out)
		return TL_EINVAL;
	if ((err = tl_vex_new(&vex)) != TL_OK)
		return err;
	if ((err = tl_vex_add_file(vex, path, lim)) != TL_OK) {
		tl_vex_free(vex);
		return err;
	}
	*out = vex;
	return TL_OK;
}

/* ---- applying ---------------------------------------------------------- */

tl_err tl_vex_status_parse(const char *name, tl_vex_status *out)
{
	static const char *const names[] = { "affected", "not_affected", "fixed",
		"under_investigation" };
	static const tl_vex_status values[] = { TL_VEX_AFFECTED, TL_VEX_NOT_AFFECTED, TL_VEX_FIXED,
		TL_VEX_UNDER_INVESTIGATION };

	if (!name || !out)
		return TL_EINVAL;
	for (size_t i = 0; i < 4; i++) {
		if (!strcmp(name, names[i])) {
			*out = values[i];
			return TL_OK;
		}
	}
	return TL_EINVAL;
}

bool tl_vex_justification_valid(const char *name)
{
	static const char *const labels[] = { "component_not_present", "vulnerable_code_not_present",
		"vulnerable_code_not_in_execute_path",
		"vulnerable_code_cannot_be_controlled_by_adversary",
		"inline_mitigations_already_exist", NULL };

	return name && key_in(name, labels);
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

/* Whether statement purl s covers component purl f: same type, namespace
 * and name; s's version, qualifiers and subpath, where given, equal f's. */
static bool purl_covers(const tl_purl *s, const tl_purl *f)
{
	if (strcmp(s->type, f->type) || !str_eq(s->namespace, f->namespace) || strcmp(s->name, f->name))
		return false;
	if (s->version && !str_eq(s->version, f->version))
		return false;
	for (size_t i = 0; i < s->n_qualifiers; i++) {
		const char *v = tl_purl_get_qualifier(f, s->qualifiers[i].key);
		if (!v || strcmp(v, s->qualifiers[i].value))
			return false;
	}
	if (s->subpath && !str_eq(s->subpath, f->subpath))
		return false;
	return true;
}

/* Whether statement CPE s covers component CPE f: every attribute of s
 * is ANY ("*") or equal, ignoring case, to f's. */
static bool cpe_covers(const tl_cpe *s, const tl_cpe *f)
{
	const char *const sa[] = { s->part, s->vendor, s->product, s->version, s->update,
		s->edition, s->language, s->sw_edition, s->target_sw, s->target_hw, s->other };
	const char *const fa[] = { f->part, f->vendor, f->product, f->version, f->update,
		f->edition, f->language, f->sw_edition, f->target_sw, f->target_hw, f->other };

	for (size_t i = 0; i < 11; i++) {
		const char *a = sa[i] ? sa[i] : "*", *b = fa[i] ? fa[i] : "*";
		if (strcmp(a, "*") && strcasecmp(a, b))
			return false;
	}
	return true;
}

/* The finding's component, parsed once: the identifiers of the finding
 * and, when the SBOM is known, those of its component there (a finding
 * matched by CPE still answers to a statement about its purl). */
typedef struct {
	const char *ref, *id;
	size_t n_purl, n_cpe;
	tl_purl purl[3];
	tl_cpe cpe[2];
} target;

static void add_purl(target *t, const char *s)
{
	if (s && !strncmp(s, "pkg:", 4) && t->n_purl < 3 && tl_purl_parse(&t->purl[t->n_purl], s) == TL_OK)
		t->n_purl++;
}

static void add_cpe(target *t, const char *s)
{
	if (s && !strncasecmp(s, "cpe:2.3:", 8) && t->n_cpe < 2 && tl_cpe_parse(&t->cpe[t->n_cpe], s) == TL_OK)
		t->n_cpe++;
}

static void target_init(target *t, const tl_finding *f, const tl_sbom *sbom)
{
	const tl_sbom_component *c = NULL;

	memset(t, 0, sizeof(*t));
	t->ref = f->component_ref;
	t->id = f->component_id;
	add_purl(t, t->id);
	add_purl(t, t->ref); /* many tools make the purl the bom-ref */
	add_cpe(t, t->id);
	if (sbom && t->ref)
		c = tl_sbom_find_ref(sbom, t->ref);
	if (c) {
		add_purl(t, c->purl);
		add_cpe(t, c->cpe);
	}
	tl_error_clear();
}

static void target_dispose(target *t)
{
	for (size_t i = 0; i < t->n_purl; i++)
		tl_purl_dispose(&t->purl[i]);
	for (size_t i = 0; i < t->n_cpe; i++)
		tl_cpe_dispose(&t->cpe[i]);
}

static bool stmt_covers(const vex_stmt *s, const target *t)
{
	for (size_t i = 0; i < s->n_ids; i++) {
		const vex_ident *id = &s->ids[i];
		switch (id->kind) {
		case ID_REF:
			if (str_eq(id->raw, t->ref) || str_eq(id->raw, t->id))
				return true;
			break;
		case ID_PURL:
			for (size_t k = 0; k < t->n_purl; k++)
				if (purl_covers(&id->purl, &t->purl[k]))
					return true;
			break;
		case ID_CPE:
			for (size_t k = 0; k < t->n_cpe; k++)
				if (cpe_covers(&id->cpe, &t->cpe[k]))
					return true;
			break;
		}
	}
	return false;
}

/* Whether statement a wins over statement b (indices into vex->st). */
static bool later(const tl_vex *vex, size_t a, size_t b)
{
	const vex_stmt *x = &vex->st[a], *y = &vex->st[b];

	if (x->has_time != y->has_time)
		return x->has_time;
	if (x->has_time && (x->sec != y->sec || x->nsec != y->nsec))
		return x->sec > y->sec || (x->sec == y->sec && x->nsec > y->nsec);
	return a > b; /* the document added later; in it, the statement written later */
}

static void consider(const tl_vex *vex, const char *name, const target *t, size_t *best,
                     bool *found)
{
	size_t lo = 0, hi = vex->n_index;

	if (!name)
		return;
	while (lo < hi) { /* first key >= name */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(vex->index[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < vex->n_index && !strcmp(vex->index[lo].name, name); lo++) {
		size_t st = vex->index[lo].st;
		if (*found && !later(vex, st, *best))
			continue;
		if (stmt_covers(&vex->st[st], t)) {
			*best = st;
			*found = true;
		}
	}
}

static tl_err replace(char **dst, const char *src)
{
	char *c = NULL;

	if (src && !(c = strdup(src)))
		return tl__nomem();
	free(*dst);
	*dst = c;
	return TL_OK;
}

tl_err tl_vex_apply(const tl_vex *vex, tl_findings *f)
{
	return tl_vex_apply_sbom(vex, f, NULL);
}

tl_err tl_vex_apply_sbom(const tl_vex *vex, tl_findings *f, const tl_sbom *sbom)
{
	tl_err err = TL_OK;

	if (!vex || !f)
		return TL_EINVAL;
	for (size_t i = 0; i < f->n && err == TL_OK; i++) {
		tl_finding *fi = &f->v[i];
		target t;
		size_t best = 0;
		bool found = false;

		target_init(&t, fi, sbom);
		consider(vex, fi->id, &t, &best, &found);
		for (size_t a = 0; a < fi->n_aliases; a++)
			consider(vex, fi->aliases[a], &t, &best, &found);
		target_dispose(&t);
		if (!found)
			continue;
		{
			const vex_stmt *s = &vex->st[best];
			if ((err = replace(&fi->vex_justification, s->justification)) != TL_OK ||
			    (err = replace(&fi->vex_impact, s->impact)) != TL_OK ||
			    (err = replace(&fi->vex_action, s->action)) != TL_OK ||
			    (err = replace(&fi->vex_source, vex->docs[s->doc])) != TL_OK)
				break;
			fi->vex_status = s->status;
		}
	}
	return err;
}
