/*
 * SPDX 2.2 / 2.3 JSON reader: parsed JSON -> tl_sbom.
 *
 * What is read (everything else is ignored; a field of the wrong type is
 * an error naming its JSON path):
 *
 *   $.spdxVersion            string "SPDX-2.x" (2.2 and 2.3 are what we test)
 *   $.SPDXID                 document id, default "SPDXRef-DOCUMENT"
 *   $.name                   -> doc->name
 *   $.documentNamespace      -> doc->serial, when it ends in a UUID
 *                               (".../<name>-<uuid>" or "urn:uuid:<uuid>"):
 *                               "urn:uuid:<uuid in lower case>"
 *   $.creationInfo.created   RFC 3339 -> doc->timestamp
 *   $.creationInfo.creators  "Tool: name-version"       -> doc->tools
 *                            "Person: name (email)"     -> doc->authors
 *                            "Organization: name (...)" -> doc->supplier (first)
 *   $.documentDescribes[]    } the described packages: exactly one ->
 *   DESCRIBES / DESCRIBED_BY } doc->subject (not in components); else none
 *   $.packages[]             -> components, in document order
 *     SPDXID                 -> ref (required)
 *     name                   -> name (required)
 *     versionInfo            -> version
 *     description | summary  -> description
 *     copyrightText          -> copyright (NOASSERTION / NONE: none)
 *     licenseConcluded       -> license unless NOASSERTION / NONE,
 *     licenseDeclared           else licenseDeclared (same exception)
 *     supplier               "Organization: X" / "Person: Y" -> supplier
 *     originator             subject: "Organization: X" -> doc->manufacturer,
 *                            "Person: Y" -> author; others: author
 *     checksums[]            {algorithm, checksumValue} -> hashes (algorithms
 *                            the model lacks, e.g. MD2, SHA224, are skipped)
 *     externalRefs[]         PACKAGE-MANAGER/purl -> purl,
 *                            SECURITY/cpe23Type -> cpe (first of each)
 *     primaryPackagePurpose  -> type (OTHER, SOURCE, ARCHIVE, INSTALL: library)
 *     hasFiles[]             file ids -> files (their fileName)
 *     annotations[]          comment "file evidence: PATH" -> files (what
 *                            our writer emits; see docs/formats.md)
 *   $.files[]                SPDXID, fileName (both required)
 *   $.relationships[]        spdxElementId, relationshipType, relatedSpdxElement
 *     package CONTAINS file, file CONTAINED_BY package      -> files
 *     A DEPENDS_ON | DYNAMIC_LINK | STATIC_LINK | CONTAINS B -> edge A -> B
 *     A DEPENDENCY_OF | RUNTIME_DEPENDENCY_OF | CONTAINED_BY B -> edge B -> A
 *       (edges only between packages of this document)
 *     A DEPENDS_ON NONE                                     -> node A, no edges
 *
 * Limits: 1,000,000 packages, 1,000,000 files, 8,000,000 relationships,
 * 64 KiB per string kept in the model (TL_ELIMIT).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"
#include "trustline/sbom.h"

#define MAX_PACKAGES 1000000
#define MAX_FILES 1000000
#define MAX_RELATIONSHIPS 8000000
#define MAX_STRING (64 * 1024)

#define FILE_EVIDENCE_PREFIX "file evidence: "

typedef struct {
	const char *name;     /* for messages, borrowed */
	const char *doc_id;   /* the document's SPDXID, borrowed from the JSON */
	tl_sbom *doc;
	json_t *pkg_index;    /* SPDXID -> package index */
	json_t *file_index;   /* SPDXID -> file index */
	json_t *seen;         /* "pkg\nfile" and "from\nto" pairs already added */
	json_t *node_index;   /* ref -> index in doc->deps */
	size_t subject;       /* package index of the subject, or SIZE_MAX */
	size_t n_pkgs;
} rd;

/* ---- typed access with paths ------------------------------------------ */

static tl_err type_error(const rd *r, const char *path, const char *key, const char *what)
{
	if (key)
		return tl__error(TL_EPARSE, "%s: %s.%s: expected %s", r->name, path, key, what);
	return tl__error(TL_EPARSE, "%s: %s: expected %s", r->name, path, what);
}

/* The string at obj[key] (borrowed), NULL when absent. */
static tl_err opt_str(const rd *r, const json_t *obj, const char *key, const char *path,
                      const char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v)
		return TL_OK;
	if (!json_is_string(v))
		return type_error(r, path, key, "a string");
	*out = json_string_value(v);
	return TL_OK;
}

static tl_err req_str(const rd *r, const json_t *obj, const char *key, const char *path,
                      const char **out)
{
	tl_err err = opt_str(r, obj, key, path, out);

	if (!err && !*out)
		return type_error(r, path, key, "a string");
	return err;
}

/* Checks the length of a string the model will keep. */
static tl_err check_len(const rd *r, const char *path, const char *key, const char *s)
{
	if (s && strlen(s) > MAX_STRING)
		return tl__error(TL_ELIMIT, "%s: %s%s%s: string longer than %d bytes", r->name, path,
		                 key ? "." : "", key ? key : "", MAX_STRING);
	return TL_OK;
}

/* *dst = copy of s (a kept string). */
static tl_err keep(const rd *r, char **dst, const char *s, const char *path, const char *key)
{
	tl_err err;

	if (!s)
		return TL_OK;
	if ((err = check_len(r, path, key, s)) != TL_OK)
		return err;
	free(*dst);
	if (!(*dst = strdup(s)))
		return tl__nomem();
	return TL_OK;
}

static tl_err opt_array(const rd *r, const json_t *obj, const char *key, const char *path,
                        json_t **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v)
		return TL_OK;
	if (!json_is_array(v))
		return type_error(r, path, key, "an array");
	*out = v;
	return TL_OK;
}

static bool is_none(const char *s)
{
	return s && (strcmp(s, "NOASSERTION") == 0 || strcmp(s, "NONE") == 0);
}

/* ---- agents: "Type: name (email)" ------------------------------------- */

typedef enum { AGENT_NONE, AGENT_TOOL, AGENT_PERSON, AGENT_ORG } agent_kind;

typedef struct {
	agent_kind kind;
	char *name;
	char *email; /* NULL when absent or empty */
} agent;

static void agent_dispose(agent *a)
{
	free(a->name);
	free(a->email);
	a->name = a->email = NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Copy of s[b, e) with surrounding white space trimmed; NULL when empty. */
static tl_err dup_trim(char **out, const char *s, size_t b, size_t e)
{
	*out = NULL;
	while (b < e && is_space(s[b]))
		b++;
	while (e > b && is_space(s[e - 1]))
		e--;
	if (b == e)
		return TL_OK;
	if (!(*out = strndup(s + b, e - b)))
		return tl__nomem();
	return TL_OK;
}

/*
 * Parses an agent.  A string that is not "Tool:", "Person:" or
 * "Organization:" (NOASSERTION included) gives AGENT_NONE.  Tools keep the
 * email part in the name (tools have none).
 */
static tl_err agent_parse(agent *a, const char *s)
{
	static const struct { const char *prefix; agent_kind kind; } kinds[] = {
		{ "Tool:", AGENT_TOOL },
		{ "Person:", AGENT_PERSON },
		{ "Organization:", AGENT_ORG },
	};
	size_t len = strlen(s), b = 0, e = len;
	tl_err err;

	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i].prefix);
		if (strncmp(s, kinds[i].prefix, n) == 0) {
			a->kind = kinds[i].kind;
			b = n;
			break;
		}
	}
	if (a->kind == AGENT_NONE)
		return TL_OK;
	/* a trailing "(email)" */
	while (e > b && is_space(s[e - 1]))
		e--;
	if (a->kind != AGENT_TOOL && e > b && s[e - 1] == ')') {
		size_t open = e - 1;
		while (open > b && s[open] != '(')
			open--;
		if (s[open] == '(') {
			if ((err = dup_trim(&a->email, s, open + 1, e - 1)) != TL_OK)
				return err;
			e = open;
		}
	}
	if ((err = dup_trim(&a->name, s, b, e)) != TL_OK) {
		agent_dispose(a);
		return err;
	}
	if (!a->name) {
		agent_dispose(a);
		a->kind = AGENT_NONE;
	}
	return TL_OK;
}

/* The parts of an agent the model keeps are kept strings (a tool's name
 * and version are at most as long as its name here). */
static tl_err check_agent_len(const rd *r, const char *path, const char *key, const agent *a)
{
	tl_err err;

	if ((err = check_len(r, path, key, a->name)) != TL_OK)
		return err;
	return check_len(r, path, key, a->email);
}

/* Splits "name-1.2.3" at the last '-' followed by a digit. */
static tl_err tool_split(const char *s, char **name, char **version)
{
	size_t len = strlen(s), cut = 0;

	*name = *version = NULL;
	for (size_t i = len; i-- > 1;) {
		if (s[i] == '-' && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9') {
			cut = i;
			break;
		}
	}
	if (!cut) {
		*name = strdup(s);
		return *name ? TL_OK : tl__nomem();
	}
	*name = strndup(s, cut);
	*version = strdup(s + cut + 1);
	if (!*name || !*version) {
		free(*name);
		free(*version);
		*name = *version = NULL;
		return tl__nomem();
	}
	return TL_OK;
}

/* ---- document level ---------------------------------------------------- */

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* True when s (36 chars) is 8-4-4-4-12 hex digits. */
static bool is_uuid(const char *s)
{
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!is_hex(s[i])) {
			return false;
		}
	}
	return true;
}

static tl_err read_namespace(rd *r, const char *ns)
{
	size_t len = strlen(ns);
	const char *u;
	char buf[46];

	if (len < 36)
		return TL_OK;
	u = ns + len - 36;
	if (!is_uuid(u))
		return TL_OK;
	if (len > 36 && u[-1] != '-' && u[-1] != '/' && u[-1] != ':')
		return TL_OK;
	memcpy(buf, "urn:uuid:", 9);
	for (size_t i = 0; i < 36; i++)
		buf[9 + i] = (u[i] >= 'A' && u[i] <= 'F') ? (char)(u[i] - 'A' + 'a') : u[i];
	buf[45] = '\0';
	if (!(r->doc->serial = strdup(buf)))
		return tl__nomem();
	return TL_OK;
}

static tl_err read_creation_info(rd *r, const json_t *root)
{
	json_t *ci = json_object_get(root, "creationInfo"), *creators;
	const char *created;
	char path[64];
	agent a = { 0 };
	char *tname = NULL, *tversion = NULL;
	tl_err err;

	if (!ci)
		return TL_OK;
	if (!json_is_object(ci))
		return type_error(r, "$", "creationInfo", "an object");
	if ((err = opt_str(r, ci, "created", "$.creationInfo", &created)) != TL_OK)
		return err;
	if (created && tl_time_parse(&r->doc->timestamp, created) != TL_OK)
		return tl__error(TL_EPARSE, "%s: $.creationInfo.created: expected an RFC 3339 date-time (\"%.40s\")",
		                 r->name, created);
	if ((err = opt_array(r, ci, "creators", "$.creationInfo", &creators)) != TL_OK || !creators)
		return err;
	for (size_t i = 0; i < json_array_size(creators); i++) {
		json_t *v = json_array_get(creators, i);
		snprintf(path, sizeof(path), "$.creationInfo.creators[%zu]", i);
		if (!json_is_string(v))
			return type_error(r, path, NULL, "a string");
		if ((err = agent_parse(&a, json_string_value(v))) != TL_OK)
			goto done;
		if (a.kind != AGENT_TOOL && (err = check_agent_len(r, path, NULL, &a)) != TL_OK)
			goto done;
		switch (a.kind) {
		case AGENT_TOOL:
			if ((err = tool_split(a.name, &tname, &tversion)) != TL_OK)
				goto done;
			if ((err = check_len(r, path, NULL, tname)) == TL_OK &&
			    (err = check_len(r, path, NULL, tversion)) == TL_OK)
				err = tl_sbom_add_tool(r->doc, NULL, tname, tversion);
			free(tname);
			free(tversion);
			tname = tversion = NULL;
			break;
		case AGENT_PERSON:
			err = tl_sbom_add_author(r->doc, a.name, a.email);
			break;
		case AGENT_ORG:
			if (!r->doc->supplier) {
				r->doc->supplier = a.name;
				a.name = NULL;
			}
			break;
		case AGENT_NONE:
			break;
		}
		agent_dispose(&a);
		if (err)
			goto done;
	}
done:
	agent_dispose(&a);
	return err;
}

/* ---- packages ---------------------------------------------------------- */

static const struct { const char *name; tl_sbom_hash_alg alg; } spdx_algs[] = {
	{ "MD5", TL_SBOM_HASH_MD5 },
	{ "SHA1", TL_SBOM_HASH_SHA1 },
	{ "SHA256", TL_SBOM_HASH_SHA256 },
	{ "SHA384", TL_SBOM_HASH_SHA384 },
	{ "SHA512", TL_SBOM_HASH_SHA512 },
	{ "SHA3-256", TL_SBOM_HASH_SHA3_256 },
	{ "SHA3-384", TL_SBOM_HASH_SHA3_384 },
	{ "SHA3-512", TL_SBOM_HASH_SHA3_512 },
	{ "BLAKE2b-256", TL_SBOM_HASH_BLAKE2B_256 },
	{ "BLAKE2b-384", TL_SBOM_HASH_BLAKE2B_384 },
	{ "BLAKE2b-512", TL_SBOM_HASH_BLAKE2B_512 },
	{ "BLAKE3", TL_SBOM_HASH_BLAKE3 },
};

static const struct { const char *name; tl_sbom_comp_type type; } purposes[] = {
	{ "APPLICATION", TL_COMP_APPLICATION },
	{ "FRAMEWORK", TL_COMP_FRAMEWORK },
	{ "LIBRARY", TL_COMP_LIBRARY },
	{ "CONTAINER", TL_COMP_CONTAINER },
	{ "OPERATING_SYSTEM", TL_COMP_OPERATING_SYSTEM },
	{ "DEVICE", TL_COMP_DEVICE },
	{ "FIRMWARE", TL_COMP_FIRMWARE },
	{ "FILE", TL_COMP_FILE },
};

static tl_err read_checksums(rd *r, tl_sbom_component *c, const json_t *pkg, const char *path)
{
	json_t *arr;
	char sub[96];
	tl_err err;

	if ((err = opt_array(r, pkg, "checksums", path, &arr)) != TL_OK || !arr)
		return err;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *ck = json_array_get(arr, i);
		const char *alg, *val;
		size_t k, n = sizeof(spdx_algs) / sizeof(spdx_algs[0]);

		snprintf(sub, sizeof(sub), "%s.checksums[%zu]", path, i);
		if (!json_is_object(ck))
			return type_error(r, sub, NULL, "an object");
		if ((err = req_str(r, ck, "algorithm", sub, &alg)) != TL_OK ||
		    (err = req_str(r, ck, "checksumValue", sub, &val)) != TL_OK)
			return err;
		for (k = 0; k < n; k++) {
			if (strcmp(alg, spdx_algs[k].name) == 0)
				break;
		}
		if (k == n)
			continue; /* MD2, MD4, MD6, SHA224, ADLER32: not in the model */
		if ((err = check_len(r, sub, "checksumValue", val)) != TL_OK)
			return err;
		if (!*val)
			return type_error(r, sub, "checksumValue", "a hex digest");
		for (const char *p = val; *p; p++) {
			if (!is_hex(*p))
				return type_error(r, sub, "checksumValue", "a hex digest");
		}
		if ((err = tl_sbom_component_add_hash(c, spdx_algs[k].alg, val)) != TL_OK)
			return err;
	}
	return TL_OK;
}

static tl_err read_external_refs(rd *r, tl_sbom_component *c, const json_t *pkg, const char *path)
{
	json_t *arr;
	char sub[96];
	tl_err err;

	if ((err = opt_array(r, pkg, "externalRefs", path, &arr)) != TL_OK || !arr)
		return err;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *ref = json_array_get(arr, i);
		const char *cat, *type, *loc;

		snprintf(sub, sizeof(sub), "%s.externalRefs[%zu]", path, i);
		if (!json_is_object(ref))
			return type_error(r, sub, NULL, "an object");
		if ((err = req_str(r, ref, "referenceCategory", sub, &cat)) != TL_OK ||
		    (err = req_str(r, ref, "referenceType", sub, &type)) != TL_OK ||
		    (err = req_str(r, ref, "referenceLocator", sub, &loc)) != TL_OK)
			return err;
		if ((strcmp(cat, "PACKAGE-MANAGER") == 0 || strcmp(cat, "PACKAGE_MANAGER") == 0) &&
		    strcmp(type, "purl") == 0 && !c->purl) {
			if ((err = keep(r, &c->purl, loc, sub, "referenceLocator")) != TL_OK)
				return err;
		} else if (strcmp(cat, "SECURITY") == 0 && strcmp(type, "cpe23Type") == 0 && !c->cpe) {
			if ((err = keep(r, &c->cpe, loc, sub, "referenceLocator")) != TL_OK)
				return err;
		}
	}
	return TL_OK;
}

/* Adds file evidence to component c, once per (package id, key). */
static tl_err add_file_once(rd *r, tl_sbom_component *c, const char *key, const char *path)
{
	tl_buf k = TL_BUF_INIT;
	tl_err err;

	if ((err = tl_buf_puts(&k, c->ref)) != TL_OK || (err = tl_buf_putc(&k, '\n')) != TL_OK ||
	    (err = tl_buf_puts(&k, key)) != TL_OK)
		goto done;
	if (json_object_get(r->seen, k.ptr))
		goto done;
	if (json_object_set_new(r->seen, k.ptr, json_true()) != 0) {
		err = tl__nomem();
		goto done;
	}
	err = tl_sbom_component_add_file(c, path);
done:
	tl_buf_dispose(&k);
	return err;
}

static tl_err read_annotations(rd *r, tl_sbom_component *c, const json_t *pkg, const char *path)
{
	const size_t plen = strlen(FILE_EVIDENCE_PREFIX);
	json_t *arr;
	char sub[96];
	tl_err err;

	if ((err = opt_array(r, pkg, "annotations", path, &arr)) != TL_OK || !arr)
		return err;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *an = json_array_get(arr, i);
		const char *comment;

		snprintf(sub, sizeof(sub), "%s.annotations[%zu]", path, i);
		if (!json_is_object(an))
			return type_error(r, sub, NULL, "an object");
		if ((err = opt_str(r, an, "comment", sub, &comment)) != TL_OK)
			return err;
		if (!comment || strncmp(comment, FILE_EVIDENCE_PREFIX, plen) != 0 || !comment[plen])
			continue;
		if ((err = check_len(r, sub, "comment", comment + plen)) != TL_OK ||
		    (err = add_file_once(r, c, comment, comment + plen)) != TL_OK)
			return err;
	}
	return TL_OK;
}

static tl_err read_package(rd *r, tl_sbom_component *c, const json_t *pkg, size_t idx, bool is_subject)
{
	const char *id, *name, *version, *desc, *summary, *copyright, *concluded, *declared;
	const char *supplier, *originator, *purpose;
	agent a = { 0 };
	char path[48];
	tl_err err;

	snprintf(path, sizeof(path), "$.packages[%zu]", idx);
	if ((err = req_str(r, pkg, "SPDXID", path, &id)) != TL_OK ||
	    (err = req_str(r, pkg, "name", path, &name)) != TL_OK ||
	    (err = opt_str(r, pkg, "versionInfo", path, &version)) != TL_OK ||
	    (err = opt_str(r, pkg, "description", path, &desc)) != TL_OK ||
	    (err = opt_str(r, pkg, "summary", path, &summary)) != TL_OK ||
	    (err = opt_str(r, pkg, "copyrightText", path, &copyright)) != TL_OK ||
	    (err = opt_str(r, pkg, "licenseConcluded", path, &concluded)) != TL_OK ||
	    (err = opt_str(r, pkg, "licenseDeclared", path, &declared)) != TL_OK ||
	    (err = opt_str(r, pkg, "supplier", path, &supplier)) != TL_OK ||
	    (err = opt_str(r, pkg, "originator", path, &originator)) != TL_OK ||
	    (err = opt_str(r, pkg, "primaryPackagePurpose", path, &purpose)) != TL_OK)
		return err;
	if ((err = keep(r, &c->ref, id, path, "SPDXID")) != TL_OK ||
	    (err = keep(r, &c->name, name, path, "name")) != TL_OK ||
	    (err = keep(r, &c->version, version, path, "versionInfo")) != TL_OK)
		return err;
	if (desc)
		err = keep(r, &c->description, desc, path, "description");
	else
		err = keep(r, &c->description, summary, path, "summary");
	if (err)
		return err;
	if (!is_none(copyright) && (err = keep(r, &c->copyright, copyright, path, "copyrightText")) != TL_OK)
		return err;
	if (concluded && !is_none(concluded))
		err = keep(r, &c->license, concluded, path, "licenseConcluded");
	else if (declared && !is_none(declared))
		err = keep(r, &c->license, declared, path, "licenseDeclared");
	if (err)
		return err;
	if (purpose) {
		for (size_t k = 0; k < sizeof(purposes) / sizeof(purposes[0]); k++) {
			if (strcmp(purpose, purposes[k].name) == 0)
				c->type = purposes[k].type;
		}
	}
	if (supplier) {
		if ((err = agent_parse(&a, supplier)) != TL_OK)
			return err;
		if ((err = check_agent_len(r, path, "supplier", &a)) != TL_OK) {
			agent_dispose(&a);
			return err;
		}
		if (a.kind == AGENT_PERSON || a.kind == AGENT_ORG) {
			c->supplier = a.name;
			a.name = NULL;
		}
		agent_dispose(&a);
	}
	if (originator) {
		if ((err = agent_parse(&a, originator)) != TL_OK)
			return err;
		if ((err = check_agent_len(r, path, "originator", &a)) != TL_OK) {
			agent_dispose(&a);
			return err;
		}
		if (is_subject && a.kind == AGENT_ORG && !r->doc->manufacturer) {
			r->doc->manufacturer = a.name;
			a.name = NULL;
		} else if (a.kind == AGENT_PERSON || a.kind == AGENT_ORG) {
			c->author = a.name;
			a.name = NULL;
		}
		agent_dispose(&a);
	}
	if ((err = read_checksums(r, c, pkg, path)) != TL_OK ||
	    (err = read_external_refs(r, c, pkg, path)) != TL_OK ||
	    (err = read_annotations(r, c, pkg, path)) != TL_OK)
		return err;
	return TL_OK;
}

/* ---- identifiers and relationships ------------------------------------- */

/* Builds id -> index for the array at root[key]; each element needs an
 * object with a string SPDXID (and, for files, a string fileName). */
static tl_err index_ids(rd *r, const json_t *root, const char *key, size_t max, json_t *index,
                        json_t **out_arr)
{
	json_t *arr;
	char path[48];
	tl_err err;

	if ((err = opt_array(r, root, key, "$", &arr)) != TL_OK)
		return err;
	*out_arr = arr;
	if (!arr)
		return TL_OK;
	if (json_array_size(arr) > max)
		return tl__error(TL_ELIMIT, "%s: $.%s: more than %zu entries", r->name, key, max);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *v = json_array_get(arr, i), *n;
		const char *id, *fname;

		snprintf(path, sizeof(path), "$.%s[%zu]", key, i);
		if (!json_is_object(v))
			return type_error(r, path, NULL, "an object");
		if ((err = req_str(r, v, "SPDXID", path, &id)) != TL_OK)
			return err;
		if (strcmp(key, "files") == 0) {
			if ((err = req_str(r, v, "fileName", path, &fname)) != TL_OK ||
			    (err = check_len(r, path, "fileName", fname)) != TL_OK)
				return err;
		}
		if (json_object_get(index, id))
			return tl__error(TL_EPARSE, "%s: %s.SPDXID: duplicate identifier \"%.80s\"",
			                 r->name, path, id);
		if (!(n = json_integer((json_int_t)i)) || json_object_set_new(index, id, n) != 0)
			return tl__nomem();
	}
	return TL_OK;
}

static bool lookup(const json_t *index, const char *id, size_t *out)
{
	json_t *v = json_object_get(index, id);

	if (!v)
		return false;
	*out = (size_t)json_integer_value(v);
	return true;
}

static tl_sbom_component *component_of(rd *r, size_t pkg)
{
	if (pkg == r->subject)
		return r->doc->subject;
	return &r->doc->components[pkg - (r->subject != SIZE_MAX && pkg > r->subject)];
}

/* The dependency node for ref, created when missing. */
static tl_err node_for(rd *r, const char *ref, tl_sbom_dependency **out)
{
	json_t *v = json_object_get(r->node_index, ref), *n;
	void *slot;
	char *copy;
	tl_err err;

	if (v) {
		*out = &r->doc->deps[json_integer_value(v)];
		return TL_OK;
	}
	if (!(copy = strdup(ref)))
		return tl__nomem();
	if ((err = tl__array_grow((void **)&r->doc->deps, &r->doc->n_deps, sizeof(*r->doc->deps),
	                          &slot)) != TL_OK) {
		free(copy);
		return err;
	}
	((tl_sbom_dependency *)slot)->ref = copy;
	if (!(n = json_integer((json_int_t)(r->doc->n_deps - 1))) ||
	    json_object_set_new(r->node_index, ref, n) != 0)
		return tl__nomem();
	*out = slot;
	return TL_OK;
}

static tl_err add_edge(rd *r, const char *from, const char *to)
{
	tl_sbom_dependency *node = NULL;
	tl_buf k = TL_BUF_INIT;
	char *copy = NULL;
	void *slot;
	tl_err err;

	if ((err = node_for(r, from, &node)) != TL_OK)
		return err;
	if (!to)
		return TL_OK;
	if ((err = tl_buf_puts(&k, from)) != TL_OK || (err = tl_buf_putc(&k, '\n')) != TL_OK ||
	    (err = tl_buf_puts(&k, to)) != TL_OK)
		goto done;
	if (json_object_get(r->seen, k.ptr))
		goto done;
	if (json_object_set_new(r->seen, k.ptr, json_true()) != 0 || !(copy = strdup(to))) {
		err = tl__nomem();
		goto done;
	}
	if ((err = tl__array_grow((void **)&node->deps, &node->n_deps, sizeof(*node->deps), &slot)) != TL_OK)
		goto done;
	*(char **)slot = copy;
	copy = NULL;
done:
	free(copy);
	tl_buf_dispose(&k);
	return err;
}

typedef enum { REL_IGNORE, REL_FORWARD, REL_BACKWARD } rel_dir;

static rel_dir dependency_direction(const char *type)
{
	if (strcmp(type, "DEPENDS_ON") == 0 || strcmp(type, "DYNAMIC_LINK") == 0 ||
	    strcmp(type, "STATIC_LINK") == 0 || strcmp(type, "CONTAINS") == 0)
		return REL_FORWARD;
	if (strcmp(type, "DEPENDENCY_OF") == 0 || strcmp(type, "RUNTIME_DEPENDENCY_OF") == 0 ||
	    strcmp(type, "CONTAINED_BY") == 0)
		return REL_BACKWARD;
	return REL_IGNORE;
}

/* Relationship i's three strings. */
static tl_err rel_get(rd *r, const json_t *rels, size_t i, const char **a, const char **type,
                      const char **b)
{
	json_t *rel = json_array_get(rels, i);
	char path[48];
	tl_err err;

	snprintf(path, sizeof(path), "$.relationships[%zu]", i);
	if (!json_is_object(rel))
		return type_error(r, path, NULL, "an object");
	if ((err = req_str(r, rel, "spdxElementId", path, a)) != TL_OK ||
	    (err = req_str(r, rel, "relationshipType", path, type)) != TL_OK ||
	    (err = req_str(r, rel, "relatedSpdxElement", path, b)) != TL_OK)
		return err;
	return TL_OK;
}

/* Finds the one described package, if there is exactly one. */
static tl_err find_subject(rd *r, const json_t *root, const json_t *rels)
{
	size_t found = SIZE_MAX, idx;
	bool many = false;
	json_t *desc;
	char path[48];
	tl_err err;

	if ((err = opt_array(r, root, "documentDescribes", "$", &desc)) != TL_OK)
		return err;
	for (size_t i = 0; i < json_array_size(desc); i++) {
		json_t *v = json_array_get(desc, i);
		snprintf(path, sizeof(path), "$.documentDescribes[%zu]", i);
		if (!json_is_string(v))
			return type_error(r, path, NULL, "a string");
		if (lookup(r->pkg_index, json_string_value(v), &idx)) {
			if (found != SIZE_MAX && found != idx)
				many = true;
			found = idx;
		}
	}
	for (size_t i = 0; i < json_array_size(rels); i++) {
		const char *a, *type, *b, *pkg = NULL;
		if ((err = rel_get(r, rels, i, &a, &type, &b)) != TL_OK)
			return err;
		if (strcmp(type, "DESCRIBES") == 0 && strcmp(a, r->doc_id) == 0)
			pkg = b;
		else if (strcmp(type, "DESCRIBED_BY") == 0 && strcmp(b, r->doc_id) == 0)
			pkg = a;
		if (pkg && lookup(r->pkg_index, pkg, &idx)) {
			if (found != SIZE_MAX && found != idx)
				many = true;
			found = idx;
		}
	}
	r->subject = many ? SIZE_MAX : found;
	return TL_OK;
}

static tl_err add_file_by_id(rd *r, size_t pkg, const json_t *files, const char *file_id)
{
	size_t fidx;
	const char *fname;

	if (!lookup(r->file_index, file_id, &fidx))
		return TL_OK;
	fname = json_string_value(json_object_get(json_array_get(files, fidx), "fileName"));
	return add_file_once(r, component_of(r, pkg), file_id, fname);
}

static tl_err read_relationships(rd *r, const json_t *pkgs, const json_t *files, const json_t *rels)
{
	tl_err err = TL_OK;
	size_t ia = 0, ib = 0;

	/* hasFiles */
	for (size_t i = 0; i < r->n_pkgs; i++) {
		json_t *hf;
		char path[48];
		snprintf(path, sizeof(path), "$.packages[%zu]", i);
		if ((err = opt_array(r, json_array_get(pkgs, i), "hasFiles", path, &hf)) != TL_OK)
			return err;
		for (size_t k = 0; k < json_array_size(hf); k++) {
			json_t *v = json_array_get(hf, k);
			if (!json_is_string(v)) {
				char sub[80];
				snprintf(sub, sizeof(sub), "%s.hasFiles[%zu]", path, k);
				return type_error(r, sub, NULL, "a string");
			}
			if ((err = add_file_by_id(r, i, files, json_string_value(v))) != TL_OK)
				return err;
		}
	}
	for (size_t i = 0; i < json_array_size(rels); i++) {
		const char *a, *type, *b;
		bool pa, pb;
		rel_dir dir;

		if ((err = rel_get(r, rels, i, &a, &type, &b)) != TL_OK)
			return err;
		pa = lookup(r->pkg_index, a, &ia);
		pb = lookup(r->pkg_index, b, &ib);
		if (strcmp(type, "CONTAINS") == 0 && pa && !pb)
			err = add_file_by_id(r, ia, files, b);
		else if (strcmp(type, "CONTAINED_BY") == 0 && pb && !pa)
			err = add_file_by_id(r, ib, files, a);
		else if (strcmp(type, "DEPENDS_ON") == 0 && pa && strcmp(b, "NONE") == 0)
			err = add_edge(r, a, NULL);
		else if (pa && pb && ia != ib && (dir = dependency_direction(type)) != REL_IGNORE)
			err = dir == REL_FORWARD ? add_edge(r, a, b) : add_edge(r, b, a);
		if (err)
			break;
	}
	return err;
}

/* ---- entry point ------------------------------------------------------- */

tl_err tl_sbom_read_spdx(tl_sbom **out, const json_t *root, const char *name)
{
	rd r;
	json_t *pkgs = NULL, *files = NULL, *rels = NULL;
	const char *version, *doc_name, *ns;
	tl_err err;

	memset(&r, 0, sizeof(r));
	*out = NULL;
	r.name = name ? name : "input";
	r.subject = SIZE_MAX;
	if (!root || !json_is_object(root))
		return tl__error(TL_EPARSE, "%s: $: expected an object", r.name);
	if ((err = req_str(&r, root, "spdxVersion", "$", &version)) != TL_OK)
		return err;
	if (strncmp(version, "SPDX-2.", 7) != 0)
		return tl__error(TL_EUNSUPPORTED, "%s: $.spdxVersion: unsupported version \"%.40s\" (expected SPDX-2.2 or SPDX-2.3)",
		                 r.name, version);
	if ((err = tl_sbom_new(&r.doc)) != TL_OK)
		return err;
	if (!(r.pkg_index = json_object()) || !(r.file_index = json_object()) ||
	    !(r.seen = json_object()) || !(r.node_index = json_object())) {
		err = tl__nomem();
		goto done;
	}
	if ((err = opt_str(&r, root, "SPDXID", "$", &r.doc_id)) != TL_OK ||
	    (err = opt_str(&r, root, "name", "$", &doc_name)) != TL_OK ||
	    (err = opt_str(&r, root, "documentNamespace", "$", &ns)) != TL_OK)
		goto done;
	if (!r.doc_id)
		r.doc_id = "SPDXRef-DOCUMENT";
	if ((err = keep(&r, &r.doc->name, doc_name, "$", "name")) != TL_OK)
		goto done;
	if (ns && (err = read_namespace(&r, ns)) != TL_OK)
		goto done;
	if ((err = read_creation_info(&r, root)) != TL_OK)
		goto done;
	if ((err = index_ids(&r, root, "packages", MAX_PACKAGES, r.pkg_index, &pkgs)) != TL_OK ||
	    (err = index_ids(&r, root, "files", MAX_FILES, r.file_index, &files)) != TL_OK ||
	    (err = opt_array(&r, root, "relationships", "$", &rels)) != TL_OK)
		goto done;
	if (json_array_size(rels) > MAX_RELATIONSHIPS) {
		err = tl__error(TL_ELIMIT, "%s: $.relationships: more than %d entries", r.name, MAX_RELATIONSHIPS);
		goto done;
	}
	r.n_pkgs = json_array_size(pkgs);
	if ((err = find_subject(&r, root, rels)) != TL_OK)
		goto done;
	for (size_t i = 0; i < r.n_pkgs; i++) {
		tl_sbom_component *c;
		if (i == r.subject) {
			if (!(r.doc->subject = calloc(1, sizeof(*r.doc->subject)))) {
				err = tl__nomem();
				goto done;
			}
			c = r.doc->subject;
		} else if ((err = tl_sbom_add_component(r.doc, &c)) != TL_OK) {
			goto done;
		}
		if ((err = read_package(&r, c, json_array_get(pkgs, i), i, i == r.subject)) != TL_OK)
			goto done;
	}
	if ((err = read_relationships(&r, pkgs, files, rels)) != TL_OK)
		goto done;
	*out = r.doc;
	r.doc = NULL;
done:
	tl_sbom_free(r.doc);
	json_decref(r.pkg_index);
	json_decref(r.file_index);
	json_decref(r.seen);
	json_decref(r.node_index);
	return err;
}
