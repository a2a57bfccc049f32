/*
 * SPDX 2.3 JSON writer: tl_sbom -> JSON that passes the official SPDX 2.3
 * schema.  The mapping (docs/formats.md, "## SPDX", has the full table;
 * spdx_read.c reads every field back):
 *
 *   spdxVersion "SPDX-2.3", dataLicense "CC0-1.0", SPDXID "SPDXRef-DOCUMENT"
 *   name               doc->name, else the subject's name, else "sbom"
 *   documentNamespace  https://spdx.org/spdxdocs/<name>-<uuid> from a
 *                      "urn:uuid:<uuid>" serial; without one,
 *                      https://spdx.org/spdxdocs/<name>-<sha256 of the rest
 *                      of the document> (not a UUID: reads back as no serial)
 *   creationInfo       created: doc->timestamp, else tl_now()
 *                      creators: "Tool: name-version", "Person: name (email)",
 *                      "Organization: <doc->supplier>"; when there are none,
 *                      "Tool: trustline-<version>" (the schema wants one)
 *   packages           the subject, then the components (canonical order):
 *                      SPDXID "SPDXRef-" + ref sanitised to [A-Za-z0-9.-],
 *                      made unique with "-2", "-3"...; name, versionInfo,
 *                      description, supplier "Organization: X" | NOASSERTION,
 *                      originator "Organization: <manufacturer>" (subject) or
 *                      "Person: <author>", downloadLocation NOASSERTION,
 *                      filesAnalyzed false, checksums, licenseDeclared =
 *                      license, licenseConcluded NOASSERTION, copyrightText,
 *                      primaryPackagePurpose, externalRefs (purl, cpe23Type),
 *                      annotations "file evidence: PATH" for file evidence
 *   relationships      DOCUMENT DESCRIBES subject (no subject: every package
 *                      nothing depends on, or every package when fewer than
 *                      two are top-level, or none when there is only one
 *                      package, which would read back as the subject);
 *                      A DEPENDS_ON B per edge;
 *                      A DEPENDS_ON NONE for a node without edges
 *
 *   hasExtractedLicensingInfos  one entry (extractedText NOASSERTION) per
 *                      LicenseRef-x the licences use, so every reference
 *                      is defined in the document
 *
 * Not representable in SPDX 2.3 and dropped: group, scope, properties,
 * lifecycle, tool vendor.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core_int.h"
#include "read_int.h"
#include "trustline/sbom.h"

#define TOOL_AGENT "Tool: trustline-" TL_VERSION
#define FILE_EVIDENCE_PREFIX "file evidence: "

typedef struct {
	tl_sbom *doc;
	tl__strtab ids;      /* SPDXIDs in use (keys in cands or extra) */
	tl__strtab counters; /* sanitised base (owned) -> next suffix to try (n) */
	tl_buf cands;        /* each package's first-choice SPDXID, '\0' after each */
	char **extra;        /* SPDXIDs made with a suffix (owned) */
	size_t n_extra;
	tl__strtab refmap;   /* ref (borrowed from doc) -> SPDXID (p, in ids) */
	char created[32];
	struct rel { const char *a, *type, *b; } *rels; /* borrowed strings */
	size_t n_rels;
	const char **pkg_ids;
	size_t n_pkgs;
} wr;

/* ---- JSON building with checked results -------------------------------- */

static tl_err set_new(json_t *obj, const char *key, json_t *v)
{
	if (!v)
		return tl__error(TL_EINVAL, "SPDX writer: %s: not valid UTF-8 (or out of memory)", key);
	if (json_object_set_new(obj, key, v) != 0)
		return tl__error(TL_EINVAL, "SPDX writer: \"%.80s\": not valid UTF-8 (or out of memory)", key);
	return TL_OK;
}

static tl_err set_str(json_t *obj, const char *key, const char *s)
{
	return set_new(obj, key, json_string(s));
}

static tl_err append_new(json_t *arr, json_t *v, const char *what)
{
	if (!v)
		return tl__error(TL_EINVAL, "SPDX writer: %s: not valid UTF-8 (or out of memory)", what);
	if (json_array_append_new(arr, v) != 0)
		return tl__nomem();
	return TL_OK;
}

static bool ends_with_paren(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return n > 0 && s[n - 1] == ')';
}

/* "Kind: name", "Kind: name (email)"; a name ending in ')' gets an empty
 * "()" so the reader does not take its last parenthesis for an email. */
static tl_err agent_str(char **out, const char *kind, const char *name, const char *email)
{
	tl_buf b = TL_BUF_INIT;
	tl_err err;

	*out = NULL;
	/* "%s: %s (%s)", without printf: one per package */
	if ((err = tl_buf_puts(&b, kind)) == TL_OK && (err = tl_buf_put(&b, ": ", 2)) == TL_OK &&
	    (err = tl_buf_puts(&b, name)) == TL_OK) {
		if (email && *email) {
			if ((err = tl_buf_put(&b, " (", 2)) == TL_OK && (err = tl_buf_puts(&b, email)) == TL_OK)
				err = tl_buf_putc(&b, ')');
		} else if (ends_with_paren(name)) {
			err = tl_buf_put(&b, " ()", 3);
		}
	}
	if (!err && !(*out = tl_buf_detach(&b)))
		err = tl__nomem();
	tl_buf_dispose(&b);
	return err;
}

/* RFC 3339 UTC with a four-digit year (what tl_time_parse reads back);
 * years outside 0000-9999 cannot be written. */
static tl_err format_time(char out[32], int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if ((int64_t)tt != t || !gmtime_r(&tt, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
		return tl__error(TL_EINVAL, "SPDX writer: timestamp %lld is outside the years 0000-9999",
		                 (long long)t);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return TL_OK;
}

/* ---- identifiers ------------------------------------------------------- */

/* A string jansson would refuse (not UTF-8) fails, as when the value was a json_string. */
static tl_err check_str(const char *key, const char *s)
{
	if (s && tl__json_utf8_valid(s, strlen(s)))
		return TL_OK;
	return tl__error(TL_EINVAL, "SPDX writer: %s: not valid UTF-8", key);
}

static bool id_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-';
}

/* Appends package c's first-choice SPDXID to w->cands: "SPDXRef-" and its
 * ref (else its name, else "Package") without a leading "SPDXRef-", each
 * byte outside [A-Za-z0-9.-] made '-'; then '\0'. */
static tl_err put_candidate(wr *w, const tl_sbom_component *c)
{
	const char *raw = c->ref ? c->ref : c->name, *body = raw ? raw : "";
	size_t at = w->cands.len + 8;
	tl_err err;

	if (strncmp(body, "SPDXRef-", 8) == 0)
		body += 8;
	if ((err = tl_buf_put(&w->cands, "SPDXRef-", 8)) != TL_OK ||
	    (err = tl_buf_puts(&w->cands, *body ? body : "Package")) != TL_OK)
		return err;
	for (char *p = w->cands.ptr + at; *p; p++)
		if (!id_char(*p))
			*p = '-';
	return tl_buf_put(&w->cands, "", 1);
}

/* Claims an unused SPDXID for a package whose first choice b (in
 * w->cands) is taken: b-2, b-3, ... (the next suffix to try is kept per
 * b); *out is borrowed from w->extra. */
static tl_err claim_suffixed(wr *w, const char *b, const char **out)
{
	tl_buf cand = TL_BUF_INIT;
	tl__strtab_slot *e, *counter;
	size_t next;
	char *id = NULL;
	void *slot;
	tl_err err;

	counter = tl__strtab_get(&w->counters, b);
	next = counter ? counter->n : 2;
	for (;; next++) {
		tl_buf_clear(&cand);
		if ((err = tl_buf_printf(&cand, "%s-%zu", b, next)) != TL_OK)
			goto done;
		if (!tl__strtab_get(&w->ids, cand.ptr))
			break;
	}
	if (!counter && (err = tl__strtab_put(&w->counters, b, &counter, NULL)) != TL_OK)
		goto done;
	counter->n = next + 1;
	if (!(id = tl_buf_detach(&cand))) {
		err = tl__nomem();
		goto done;
	}
	if ((err = tl__array_grow((void **)&w->extra, &w->n_extra, sizeof(*w->extra), &slot)) != TL_OK)
		goto done;
	*(char **)slot = id;
	if ((err = tl__strtab_put(&w->ids, id, &e, NULL)) == TL_OK)
		*out = e->key;
	id = NULL;
done:
	free(id);
	tl_buf_dispose(&cand);
	return err;
}

/*
 * Gives each package its SPDXID (pkg_ids, in package order: the first
 * free one of its first choice, then -2, -3...) and maps each ref to it
 * (w->refmap).  The first choices are made in one pass, with their hashes
 * and those of the refs, so that the claims, in order, can fetch the
 * table slots a few packages ahead: the tables are far bigger than the
 * cache at tens of thousands of packages.
 */
static tl_err claim_ids(wr *w, const char **pkg_ids, size_t n_pkgs)
{
	enum { AHEAD = 8 };
	const tl_sbom *doc = w->doc;
	uint64_t *h = NULL, *rh = NULL;
	size_t *off = NULL, bytes;
	tl__strtab_slot *e;
	tl_err err = TL_OK;

	if (!tl_size_mul(&bytes, n_pkgs ? n_pkgs : 1, sizeof(uint64_t)) || !(h = malloc(bytes)) ||
	    !(rh = malloc(bytes)) || !(off = malloc(n_pkgs ? n_pkgs * sizeof(*off) : 1))) {
		err = tl__nomem();
		goto done;
	}
	for (size_t i = 0; i < n_pkgs; i++) {
		const tl_sbom_component *c = doc->subject ? (i ? &doc->components[i - 1] : doc->subject)
		                                          : &doc->components[i];
		off[i] = w->cands.len;
		if ((err = put_candidate(w, c)) != TL_OK)
			goto done;
		h[i] = tl__strhash(w->cands.ptr + off[i], w->cands.len - off[i] - 1);
		rh[i] = c->ref ? tl__strhash(c->ref, strlen(c->ref)) : 0;
	}
	for (size_t i = 0; i < n_pkgs; i++) {
		const tl_sbom_component *c = doc->subject ? (i ? &doc->components[i - 1] : doc->subject)
		                                          : &doc->components[i];
		const char *b = w->cands.ptr + off[i];
		bool added;
		if (i + AHEAD < n_pkgs) {
			tl__strtab_prefetch(&w->ids, h[i + AHEAD]);
			tl__strtab_prefetch(&w->refmap, rh[i + AHEAD]);
		}
		if ((err = tl__strtab_put_hashed(&w->ids, b, h[i], &e, &added)) != TL_OK)
			goto done;
		if (added)
			pkg_ids[i] = e->key;
		else if ((err = claim_suffixed(w, b, &pkg_ids[i])) != TL_OK)
			goto done;
		if (c->ref) {
			if ((err = tl__strtab_put_hashed(&w->refmap, c->ref, rh[i], &e, &added)) != TL_OK)
				goto done;
			/* a key jansson would refuse (not UTF-8) fails as it did
			 * when the map was a JSON object */
			if (added && check_str("refmap", c->ref) != TL_OK) {
				err = tl__error(TL_EINVAL, "SPDX writer: \"%.80s\": not valid UTF-8", c->ref);
				goto done;
			}
			if (added)
				e->p = pkg_ids[i];
		}
	}
done:
	free(h);
	free(rh);
	free(off);
	return err;
}

/* ---- packages ---------------------------------------------------------- */

static const char *const spdx_alg[] = {
	[TL_SBOM_HASH_MD5] = "MD5",
	[TL_SBOM_HASH_SHA1] = "SHA1",
	[TL_SBOM_HASH_SHA256] = "SHA256",
	[TL_SBOM_HASH_SHA384] = "SHA384",
	[TL_SBOM_HASH_SHA512] = "SHA512",
	[TL_SBOM_HASH_SHA3_256] = "SHA3-256",
	[TL_SBOM_HASH_SHA3_384] = "SHA3-384",
	[TL_SBOM_HASH_SHA3_512] = "SHA3-512",
	[TL_SBOM_HASH_BLAKE2B_256] = "BLAKE2b-256",
	[TL_SBOM_HASH_BLAKE2B_384] = "BLAKE2b-384",
	[TL_SBOM_HASH_BLAKE2B_512] = "BLAKE2b-512",
	[TL_SBOM_HASH_BLAKE3] = "BLAKE3",
};

static const char *purpose_of(tl_sbom_comp_type t)
{
	switch (t) {
	case TL_COMP_LIBRARY: return "LIBRARY";
	case TL_COMP_APPLICATION: return "APPLICATION";
	case TL_COMP_FRAMEWORK: return "FRAMEWORK";
	case TL_COMP_CONTAINER: return "CONTAINER";
	case TL_COMP_OPERATING_SYSTEM: return "OPERATING_SYSTEM";
	case TL_COMP_DEVICE: return "DEVICE";
	case TL_COMP_FIRMWARE: return "FIRMWARE";
	case TL_COMP_FILE: return "FILE";
	default: return "OTHER";
	}
}

/* ---- licence references ------------------------------------------------ */

/*
 * Every "LicenseRef-x" of the licences written (not "DocumentRef-d:LicenseRef-x",
 * which another document defines) needs a hasExtractedLicensingInfos entry;
 * the model has no licence text, so it says NOASSERTION.
 */
static tl_err collect_license_refs(json_t *seen, const char *expr)
{
	const char *p = expr;

	while (expr && (p = strstr(p, "LicenseRef-")) != NULL) {
		size_t n = strlen("LicenseRef-");
		bool local = p == expr || (p[-1] != ':' && !id_char(p[-1]));
		char *id;
		while (id_char(p[n]))
			n++;
		if (local && n > strlen("LicenseRef-")) {
			if (!(id = strndup(p, n)))
				return tl__nomem();
			if (!json_object_get(seen, id) && json_object_set_new(seen, id, json_true()) != 0) {
				free(id);
				return tl__nomem();
			}
			free(id);
		}
		p += n;
	}
	return TL_OK;
}

static tl_err build_license_infos(json_t *root, json_t *seen)
{
	json_t *arr, *o;
	const char *key;
	json_t *v;
	tl_err err;

	if (json_object_size(seen) == 0)
		return TL_OK;
	if (!(arr = json_array()))
		return tl__nomem();
	json_object_foreach(seen, key, v) {
		if (!(o = json_object())) {
			json_decref(arr);
			return tl__nomem();
		}
		if ((err = append_new(arr, o, "hasExtractedLicensingInfos")) != TL_OK ||
		    (err = set_str(o, "licenseId", key)) != TL_OK ||
		    (err = set_str(o, "extractedText", "NOASSERTION")) != TL_OK) {
			json_decref(arr);
			return err;
		}
	}
	return set_new(root, "hasExtractedLicensingInfos", arr);
}

/* ---- relationships ----------------------------------------------------- */

/* Relationships are kept as three borrowed strings and made into objects
 * as the document is written. */
static tl_err relationship(wr *w, const char *a, const char *type, const char *b)
{
	void *slot;
	tl_err err;

	if ((err = tl__array_grow((void **)&w->rels, &w->n_rels, sizeof(*w->rels), &slot)) != TL_OK)
		return err;
	((struct rel *)slot)->a = a;
	((struct rel *)slot)->type = type;
	((struct rel *)slot)->b = b;
	return TL_OK;
}

/* The SPDXIDs of every dependency node's ref, each followed by those of
 * its edges' targets (NULL: not a package), in doc->deps order: one batch
 * of lookups, their cache misses overlapped. *out is freed by the caller. */
static tl_err map_dependencies(const wr *w, const char ***out)
{
	const tl_sbom *doc = w->doc;
	const char **keys = NULL;
	tl__strtab_slot **slots = NULL;
	size_t n = doc->n_deps, at = 0, bytes, sbytes;

	*out = NULL;
	for (size_t i = 0; i < doc->n_deps; i++)
		if (!tl_size_add(&n, n, doc->deps[i].n_deps))
			return tl__nomem();
	if (!tl_size_mul(&bytes, n ? n : 1, sizeof(*keys)) || !tl_size_mul(&sbytes, n ? n : 1, sizeof(*slots)) ||
	    !(keys = malloc(bytes)) || !(slots = malloc(sbytes))) {
		free(keys);
		return tl__nomem();
	}
	for (size_t i = 0; i < doc->n_deps; i++) {
		keys[at++] = doc->deps[i].ref;
		for (size_t k = 0; k < doc->deps[i].n_deps; k++)
			keys[at++] = doc->deps[i].deps[k];
	}
	tl__strtab_get_batch(&w->refmap, keys, n, slots);
	for (size_t i = 0; i < n; i++)
		keys[i] = slots[i] ? slots[i]->p : NULL;
	free(slots);
	*out = keys;
	return TL_OK;
}

static tl_err build_relationships(wr *w, const char **pkg_ids, size_t n_pkgs)
{
	tl_sbom *doc = w->doc;
	tl__strtab targets = { 0 }; /* SPDXIDs something depends on (borrowed) */
	tl__strtab_slot *e;
	const char **ids, **id;
	size_t top = 0;
	tl_err err;

	if ((err = map_dependencies(w, &ids)) != TL_OK)
		return err;
	if (doc->subject) {
		if ((err = relationship(w, "SPDXRef-DOCUMENT", "DESCRIBES", pkg_ids[0])) != TL_OK)
			goto done;
	} else {
		id = ids;
		for (size_t i = 0; i < doc->n_deps; id += 1 + doc->deps[i].n_deps, i++) {
			const char *from = id[0];
			if (!from)
				continue;
			for (size_t k = 0; k < doc->deps[i].n_deps; k++) {
				const char *to = id[1 + k];
				if (to && strcmp(to, from) != 0 && (err = tl__strtab_put(&targets, to, &e, NULL)) != TL_OK)
					goto done;
			}
		}
		for (size_t i = 0; i < n_pkgs; i++)
			top += !tl__strtab_get(&targets, pkg_ids[i]);
		/* one package alone described would read back as the subject */
		for (size_t i = 0; i < n_pkgs && n_pkgs >= 2; i++) {
			if (top >= 2 && tl__strtab_get(&targets, pkg_ids[i]))
				continue;
			if ((err = relationship(w, "SPDXRef-DOCUMENT", "DESCRIBES", pkg_ids[i])) != TL_OK)
				goto done;
		}
	}
	id = ids;
	for (size_t i = 0; i < doc->n_deps; id += 1 + doc->deps[i].n_deps, i++) {
		const char *from = id[0];
		if (!from)
			continue;
		if (doc->deps[i].n_deps == 0) {
			if ((err = relationship(w, from, "DEPENDS_ON", "NONE")) != TL_OK)
				goto done;
			continue;
		}
		for (size_t k = 0; k < doc->deps[i].n_deps; k++) {
			const char *to = id[1 + k];
			if (to && (err = relationship(w, from, "DEPENDS_ON", to)) != TL_OK)
				goto done;
		}
	}
done:
	free(ids);
	tl__strtab_dispose(&targets);
	return err;
}

/* ---- document ---------------------------------------------------------- */

static tl_err build_creation_info(wr *w, json_t *root)
{
	tl_sbom *doc = w->doc;
	json_t *ci = json_object(), *creators = json_array();
	char *s = NULL;
	tl_err err = TL_OK;

	if (!ci || !creators) {
		err = tl__nomem();
		goto done;
	}
	for (size_t i = 0; i < doc->n_tools; i++) {
		tl_buf b = TL_BUF_INIT;
		const tl_sbom_party *t = &doc->tools[i];
		if (!t->name)
			continue;
		if (t->version)
			err = tl_buf_printf(&b, "Tool: %s-%s", t->name, t->version);
		else
			err = tl_buf_printf(&b, "Tool: %s", t->name);
		if (!err)
			err = append_new(creators, json_string(b.ptr), "creators");
		tl_buf_dispose(&b);
		if (err)
			goto done;
	}
	for (size_t i = 0; i < doc->n_authors; i++) {
		if (!doc->authors[i].name)
			continue;
		if ((err = agent_str(&s, "Person", doc->authors[i].name, doc->authors[i].email)) != TL_OK ||
		    (err = append_new(creators, json_string(s), "creators")) != TL_OK)
			goto done;
		free(s);
		s = NULL;
	}
	if (doc->supplier) {
		if ((err = agent_str(&s, "Organization", doc->supplier, NULL)) != TL_OK ||
		    (err = append_new(creators, json_string(s), "creators")) != TL_OK)
			goto done;
	}
	if (json_array_size(creators) == 0 &&
	    (err = append_new(creators, json_string(TOOL_AGENT), "creators")) != TL_OK)
		goto done;
	if ((err = set_str(ci, "created", w->created)) != TL_OK)
		goto done;
	err = set_new(ci, "creators", creators);
	creators = NULL;
	if (err)
		goto done;
	err = set_new(root, "creationInfo", ci);
	ci = NULL;
done:
	free(s);
	json_decref(ci);
	json_decref(creators);
	return err;
}

static bool is_uuid(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
			return false;
		}
	}
	return true;
}

/* ---- packages and relationships written as text ------------------------
 *
 * The bytes tl_json_dump would write for the same objects: keys in its
 * order (bytes), its indentation and escapes.  A package's strings are all
 * checked before any of it is written, so a string jansson would refuse
 * (not UTF-8) fails the item, as it would in a jansson value. */


static tl_err put_kv(tl_buf *o, unsigned depth, bool *first, const char *key, const char *v)
{
	tl_err err = tl__json_put_key(o, depth, first, key);

	return err ? err : tl__json_put_string(o, v, strlen(v));
}

/* closes an object or array opened at depth (not empty) */
static tl_err put_close(tl_buf *o, unsigned depth, char c)
{
	tl_err err = tl__json_put_indent(o, depth);

	return err ? err : tl_buf_putc(o, c);
}

/* what a package writes, made and checked before anything is written */
typedef struct {
	char *supplier, *originator; /* agent strings, or NULL */
	tl_buf files;                /* "file evidence: x\0" for each file */
} pkg_text;

static tl_err package_prepare(const wr *w, const tl_sbom_component *c, const char *id, bool is_subject,
                              pkg_text *t)
{
	tl_err err;

	if ((err = check_str("SPDXID", id)) != TL_OK ||
	    (err = check_str("name", c->name ? c->name : "NOASSERTION")) != TL_OK ||
	    (err = check_str("licenseDeclared", c->license ? c->license : "NOASSERTION")) != TL_OK ||
	    (err = check_str("copyrightText", c->copyright ? c->copyright : "NOASSERTION")) != TL_OK)
		return err;
	if (c->version && (err = check_str("versionInfo", c->version)) != TL_OK)
		return err;
	if (c->description && (err = check_str("description", c->description)) != TL_OK)
		return err;
	if (c->supplier && ((err = agent_str(&t->supplier, "Organization", c->supplier, NULL)) != TL_OK ||
	                    (err = check_str("supplier", t->supplier)) != TL_OK))
		return err;
	if (is_subject && w->doc->manufacturer)
		err = agent_str(&t->originator, "Organization", w->doc->manufacturer, NULL);
	else if (c->author)
		err = agent_str(&t->originator, "Person", c->author, NULL);
	if (err || (t->originator && (err = check_str("originator", t->originator)) != TL_OK))
		return err;
	for (size_t i = 0; i < c->n_hashes; i++) {
		if ((unsigned)c->hashes[i].alg >= sizeof(spdx_alg) / sizeof(spdx_alg[0]) || !c->hashes[i].hex)
			continue;
		if ((err = check_str("algorithm", spdx_alg[c->hashes[i].alg])) != TL_OK ||
		    (err = check_str("checksumValue", c->hashes[i].hex)) != TL_OK)
			return err;
	}
	if (c->purl && (err = check_str("referenceLocator", c->purl)) != TL_OK)
		return err;
	if (c->cpe && (err = check_str("referenceLocator", c->cpe)) != TL_OK)
		return err;
	for (size_t i = 0; i < c->n_files; i++) {
		size_t at = t->files.len;
		if ((err = tl_buf_puts(&t->files, FILE_EVIDENCE_PREFIX)) != TL_OK ||
		    (err = tl_buf_puts(&t->files, c->files[i] ? c->files[i] : "")) != TL_OK ||
		    (err = check_str("comment", t->files.ptr + at)) != TL_OK ||
		    (err = check_str("annotationDate", w->created)) != TL_OK ||
		    (err = tl_buf_put(&t->files, "", 1)) != TL_OK)
			return err;
	}
	return TL_OK;
}

static tl_err external_ref_text(tl_buf *o, bool *first_item, const char *cat, const char *type, const char *loc)
{
	bool first = true;
	tl_err err = TL_OK;

	if (!*first_item)
		err = tl_buf_putc(o, ',');
	*first_item = false;
	if (err || (err = tl__json_put_indent(o, 4)) != TL_OK || (err = tl_buf_putc(o, '{')) != TL_OK ||
	    (err = put_kv(o, 5, &first, "referenceCategory", cat)) != TL_OK ||
	    (err = put_kv(o, 5, &first, "referenceLocator", loc)) != TL_OK ||
	    (err = put_kv(o, 5, &first, "referenceType", type)) != TL_OK)
		return err;
	return put_close(o, 4, '}');
}

/* the package at depth 2: its keys at 3, their arrays' items at 4 */
static tl_err package_text(tl_buf *o, const wr *w, const tl_sbom_component *c, const char *id,
                           const pkg_text *t)
{
	bool first = true, fi;
	const char *f;
	tl_err err;

	if ((err = tl_buf_putc(o, '{')) != TL_OK || (err = put_kv(o, 3, &first, "SPDXID", id)) != TL_OK)
		return err;
	if (c->n_files) {
		if ((err = tl__json_put_key(o, 3, &first, "annotations")) != TL_OK || (err = tl_buf_putc(o, '[')) != TL_OK)
			return err;
		f = t->files.ptr;
		for (size_t i = 0; i < c->n_files; i++, f += strlen(f) + 1) {
			bool fa = true;
			if ((i && (err = tl_buf_putc(o, ',')) != TL_OK) || (err = tl__json_put_indent(o, 4)) != TL_OK ||
			    (err = tl_buf_putc(o, '{')) != TL_OK ||
			    (err = put_kv(o, 5, &fa, "annotationDate", w->created)) != TL_OK ||
			    (err = put_kv(o, 5, &fa, "annotationType", "OTHER")) != TL_OK ||
			    (err = put_kv(o, 5, &fa, "annotator", TOOL_AGENT)) != TL_OK ||
			    (err = put_kv(o, 5, &fa, "comment", f)) != TL_OK || (err = put_close(o, 4, '}')) != TL_OK)
				return err;
		}
		if ((err = put_close(o, 3, ']')) != TL_OK)
			return err;
	}
	if (c->n_hashes) {
		if ((err = tl__json_put_key(o, 3, &first, "checksums")) != TL_OK || (err = tl_buf_putc(o, '[')) != TL_OK)
			return err;
		fi = true;
		for (size_t i = 0; i < c->n_hashes; i++) {
			bool fa = true;
			if ((unsigned)c->hashes[i].alg >= sizeof(spdx_alg) / sizeof(spdx_alg[0]) || !c->hashes[i].hex)
				continue;
			if ((!fi && (err = tl_buf_putc(o, ',')) != TL_OK) || (err = tl__json_put_indent(o, 4)) != TL_OK ||
			    (err = tl_buf_putc(o, '{')) != TL_OK ||
			    (err = put_kv(o, 5, &fa, "algorithm", spdx_alg[c->hashes[i].alg])) != TL_OK ||
			    (err = put_kv(o, 5, &fa, "checksumValue", c->hashes[i].hex)) != TL_OK ||
			    (err = put_close(o, 4, '}')) != TL_OK)
				return err;
			fi = false;
		}
		if ((err = fi ? tl_buf_putc(o, ']') : put_close(o, 3, ']')) != TL_OK)
			return err;
	}
	if ((err = put_kv(o, 3, &first, "copyrightText", c->copyright ? c->copyright : "NOASSERTION")) != TL_OK ||
	    (c->description && (err = put_kv(o, 3, &first, "description", c->description)) != TL_OK) ||
	    (err = put_kv(o, 3, &first, "downloadLocation", "NOASSERTION")) != TL_OK)
		return err;
	if (c->purl || c->cpe) {
		fi = true;
		if ((err = tl__json_put_key(o, 3, &first, "externalRefs")) != TL_OK || (err = tl_buf_putc(o, '[')) != TL_OK ||
		    (c->purl && (err = external_ref_text(o, &fi, "PACKAGE-MANAGER", "purl", c->purl)) != TL_OK) ||
		    (c->cpe && (err = external_ref_text(o, &fi, "SECURITY", "cpe23Type", c->cpe)) != TL_OK) ||
		    (err = put_close(o, 3, ']')) != TL_OK)
			return err;
	}
	if ((err = tl__json_put_key(o, 3, &first, "filesAnalyzed")) != TL_OK || (err = tl_buf_put(o, "false", 5)) != TL_OK ||
	    (err = put_kv(o, 3, &first, "licenseConcluded", "NOASSERTION")) != TL_OK ||
	    (err = put_kv(o, 3, &first, "licenseDeclared", c->license ? c->license : "NOASSERTION")) != TL_OK ||
	    (err = put_kv(o, 3, &first, "name", c->name ? c->name : "NOASSERTION")) != TL_OK ||
	    (t->originator && (err = put_kv(o, 3, &first, "originator", t->originator)) != TL_OK) ||
	    (err = put_kv(o, 3, &first, "primaryPackagePurpose", purpose_of(c->type))) != TL_OK ||
	    (err = put_kv(o, 3, &first, "supplier", t->supplier ? t->supplier : "NOASSERTION")) != TL_OK ||
	    (c->version && (err = put_kv(o, 3, &first, "versionInfo", c->version)) != TL_OK))
		return err;
	return put_close(o, 2, '}');
}

/* ---- the same package text in one piece ---------------------------------
 *
 * Almost every package has only ASCII strings with nothing to escape.
 * For those, the bytes package_text writes are made here with one reserve
 * and plain copies: the keys, indentation and punctuation as literals, the
 * strings as they are (such a string is valid UTF-8, so nothing to check).
 * A package with any other string goes the way above.  The text is made
 * twice, once to count it and once to write it, so the reserve is exact.
 * tests/unit/test_spdx.c compares the two ways on every kind of package. */

bool tl__spdx_no_fast_text;
bool tl__spdx_count_fast;
size_t tl__spdx_fast_packages;

typedef struct {
	char *o;  /* NULL: only counting */
	size_t n; /* bytes counted or written */
} emit;

static inline void em(emit *e, const char *s, size_t n)
{
	if (e->o)
		memcpy(e->o + e->n, s, n);
	e->n += n;
}

#define EM(e, lit) em(e, lit, sizeof(lit) - 1)

/* a string and its length */
typedef struct {
	const char *s;
	size_t n;
} sv;

typedef struct {
	sv id, name, license, copyright, version, description, supplier, originator, purl, cpe;
	const char *originator_kind; /* "Organization" or "Person" (originator.s set) */
	bool supplier_paren, originator_paren; /* the agent string gets " ()" */
} fast_pkg;

/* s (may be NULL: absent) as an sv when it is plain ASCII: false if not */
static bool plain_sv(const char *s, sv *out)
{
	out->s = s;
	out->n = s ? strlen(s) : 0;
	return !s || tl__json_ascii_len(s, out->n) == out->n;
}

/* "\"value\"" */
static void em_str(emit *e, const char *s, size_t n)
{
	EM(e, "\"");
	em(e, s, n);
	EM(e, "\"");
}

/* "Kind: name" or "Kind: name ()", quoted (agent_str without an email) */
static void em_agent(emit *e, const char *kind, const sv *name, bool paren)
{
	EM(e, "\"");
	em(e, kind, strlen(kind));
	EM(e, ": ");
	em(e, name->s, name->n);
	if (paren)
		EM(e, " ()");
	EM(e, "\"");
}

static void em_external_ref(emit *e, bool first, const char *cat, const char *type, const sv *loc)
{
	if (!first)
		EM(e, ",");
	EM(e, "\n        {\n          \"referenceCategory\": ");
	em_str(e, cat, strlen(cat));
	EM(e, ",\n          \"referenceLocator\": ");
	em_str(e, loc->s, loc->n);
	EM(e, ",\n          \"referenceType\": ");
	em_str(e, type, strlen(type));
	EM(e, "\n        }");
}

/* package_text's bytes for a package fast_prepare accepted */
static void fast_emit(emit *e, const wr *w, const tl_sbom_component *c, const fast_pkg *f)
{
	bool first;

	EM(e, "{\n      \"SPDXID\": ");
	em_str(e, f->id.s, f->id.n);
	if (c->n_files) {
		EM(e, ",\n      \"annotations\": [");
		for (size_t i = 0; i < c->n_files; i++) {
			const char *file = c->files[i] ? c->files[i] : "";
			if (i)
				EM(e, ",");
			EM(e, "\n        {\n          \"annotationDate\": ");
			em_str(e, w->created, strlen(w->created));
			EM(e, ",\n          \"annotationType\": \"OTHER\",\n          \"annotator\": \"" TOOL_AGENT
			      "\",\n          \"comment\": \"" FILE_EVIDENCE_PREFIX);
			em(e, file, strlen(file));
			EM(e, "\"\n        }");
		}
		EM(e, "\n      ]");
	}
	if (c->n_hashes) {
		EM(e, ",\n      \"checksums\": [");
		first = true;
		for (size_t i = 0; i < c->n_hashes; i++) {
			const char *alg;
			if ((unsigned)c->hashes[i].alg >= sizeof(spdx_alg) / sizeof(spdx_alg[0]) || !c->hashes[i].hex)
				continue;
			alg = spdx_alg[c->hashes[i].alg];
			if (!first)
				EM(e, ",");
			first = false;
			EM(e, "\n        {\n          \"algorithm\": ");
			em_str(e, alg, strlen(alg));
			EM(e, ",\n          \"checksumValue\": ");
			em_str(e, c->hashes[i].hex, strlen(c->hashes[i].hex));
			EM(e, "\n        }");
		}
		if (first)
			EM(e, "]");
		else
			EM(e, "\n      ]");
	}
	EM(e, ",\n      \"copyrightText\": ");
	em_str(e, f->copyright.s, f->copyright.n);
	if (f->description.s) {
		EM(e, ",\n      \"description\": ");
		em_str(e, f->description.s, f->description.n);
	}
	EM(e, ",\n      \"downloadLocation\": \"NOASSERTION\"");
	if (f->purl.s || f->cpe.s) {
		EM(e, ",\n      \"externalRefs\": [");
		if (f->purl.s)
			em_external_ref(e, true, "PACKAGE-MANAGER", "purl", &f->purl);
		if (f->cpe.s)
			em_external_ref(e, !f->purl.s, "SECURITY", "cpe23Type", &f->cpe);
		EM(e, "\n      ]");
	}
	EM(e, ",\n      \"filesAnalyzed\": false,\n      \"licenseConcluded\": \"NOASSERTION\",\n      \"licenseDeclared\": ");
	em_str(e, f->license.s, f->license.n);
	EM(e, ",\n      \"name\": ");
	em_str(e, f->name.s, f->name.n);
	if (f->originator.s) {
		EM(e, ",\n      \"originator\": ");
		em_agent(e, f->originator_kind, &f->originator, f->originator_paren);
	}
	EM(e, ",\n      \"primaryPackagePurpose\": ");
	em_str(e, purpose_of(c->type), strlen(purpose_of(c->type)));
	EM(e, ",\n      \"supplier\": ");
	if (f->supplier.s)
		em_agent(e, "Organization", &f->supplier, f->supplier_paren);
	else
		EM(e, "\"NOASSERTION\"");
	if (f->version.s) {
		EM(e, ",\n      \"versionInfo\": ");
		em_str(e, f->version.s, f->version.n);
	}
	EM(e, "\n    }");
}

/* The package's strings when every one is plain ASCII (the fast way
 * applies), else false. */
static bool fast_prepare(const wr *w, const tl_sbom_component *c, const char *id, bool is_subject, fast_pkg *f)
{
	sv tmp;

	if (!plain_sv(id, &f->id) || !plain_sv(c->name ? c->name : "NOASSERTION", &f->name) ||
	    !plain_sv(c->license ? c->license : "NOASSERTION", &f->license) ||
	    !plain_sv(c->copyright ? c->copyright : "NOASSERTION", &f->copyright) ||
	    !plain_sv(c->version, &f->version) || !plain_sv(c->description, &f->description) ||
	    !plain_sv(c->supplier, &f->supplier) || !plain_sv(c->purl, &f->purl) || !plain_sv(c->cpe, &f->cpe))
		return false;
	f->originator_kind = NULL;
	if (is_subject && w->doc->manufacturer) {
		f->originator_kind = "Organization";
		if (!plain_sv(w->doc->manufacturer, &f->originator))
			return false;
	} else if (c->author) {
		f->originator_kind = "Person";
		if (!plain_sv(c->author, &f->originator))
			return false;
	} else {
		f->originator.s = NULL;
	}
	f->supplier_paren = f->supplier.s && ends_with_paren(f->supplier.s);
	f->originator_paren = f->originator.s && ends_with_paren(f->originator.s);
	for (size_t i = 0; i < c->n_hashes; i++) {
		if ((unsigned)c->hashes[i].alg >= sizeof(spdx_alg) / sizeof(spdx_alg[0]) || !c->hashes[i].hex)
			continue;
		if (!plain_sv(c->hashes[i].hex, &tmp))
			return false;
	}
	for (size_t i = 0; i < c->n_files; i++)
		if (!plain_sv(c->files[i], &tmp))
			return false;
	return true;
}

/* package_write's text the fast way: false (nothing written) when it
 * does not apply */
static bool package_write_fast(const wr *w, const tl_sbom_component *c, const char *id, bool is_subject,
                               tl_buf *out, tl_err *err)
{
	fast_pkg f;
	emit e = { NULL, 0 };

	*err = TL_OK;
	if (tl__spdx_no_fast_text || !fast_prepare(w, c, id, is_subject, &f))
		return false;
	fast_emit(&e, w, c, &f);
	if ((*err = tl__buf_reserve(out, e.n)) != TL_OK)
		return true;
	e.o = out->ptr + out->len;
	e.n = 0;
	fast_emit(&e, w, c, &f);
	out->len += e.n;
	out->ptr[out->len] = '\0';
	if (tl__spdx_count_fast)
		__atomic_fetch_add(&tl__spdx_fast_packages, 1, __ATOMIC_RELAXED);
	return true;
}

/* item i of "packages" as text (tl__json_gen.write: reads only) */
static tl_err package_write(void *ctx, size_t i, tl_buf *out, bool *wrote)
{
	const wr *w = ctx;
	const tl_sbom *doc = w->doc;
	const tl_sbom_component *c = doc->subject ? (i ? &doc->components[i - 1] : doc->subject)
	                                          : &doc->components[i];
	pkg_text t = { NULL, NULL, TL_BUF_INIT };
	tl_err err;

	*wrote = false;
	if (package_write_fast(w, c, w->pkg_ids[i], doc->subject && i == 0, out, &err)) {
		*wrote = !err;
		return err;
	}
	if ((err = package_prepare(w, c, w->pkg_ids[i], doc->subject && i == 0, &t)) == TL_OK &&
	    (err = package_text(out, w, c, w->pkg_ids[i], &t)) == TL_OK)
		*wrote = true;
	free(t.supplier);
	free(t.originator);
	tl_buf_dispose(&t.files);
	return err;
}

static tl_err relationship_write(void *ctx, size_t i, tl_buf *out, bool *wrote)
{
	const wr *w = ctx;
	const struct rel *r = &w->rels[i];
	bool first = true;
	tl_err err;

	*wrote = false;
	if ((err = check_str("spdxElementId", r->a)) != TL_OK ||
	    (err = check_str("relationshipType", r->type)) != TL_OK ||
	    (err = check_str("relatedSpdxElement", r->b)) != TL_OK)
		return err;
	/* the three are SPDXIDs this writer made or constants, so nothing to
	 * escape: the item in one piece (the same bytes as below) */
	{
		static const char k1[] = "{\n      \"relatedSpdxElement\": \"", k2[] = "\",\n      \"relationshipType\": \"",
		                  k3[] = "\",\n      \"spdxElementId\": \"", k4[] = "\"\n    }";
		size_t la = strlen(r->a), lt = strlen(r->type), lb = strlen(r->b), n;
		char *o;
		if (tl__json_plain_len(r->a, la) == la && tl__json_plain_len(r->type, lt) == lt &&
		    tl__json_plain_len(r->b, lb) == lb) {
			n = sizeof(k1) - 1 + lb + sizeof(k2) - 1 + lt + sizeof(k3) - 1 + la + sizeof(k4) - 1;
			if ((err = tl__buf_reserve(out, n)) != TL_OK)
				return err;
			o = out->ptr + out->len;
			memcpy(o, k1, sizeof(k1) - 1);
			o += sizeof(k1) - 1;
			memcpy(o, r->b, lb);
			o += lb;
			memcpy(o, k2, sizeof(k2) - 1);
			o += sizeof(k2) - 1;
			memcpy(o, r->type, lt);
			o += lt;
			memcpy(o, k3, sizeof(k3) - 1);
			o += sizeof(k3) - 1;
			memcpy(o, r->a, la);
			o += la;
			memcpy(o, k4, sizeof(k4) - 1);
			out->len += n;
			out->ptr[out->len] = '\0';
			*wrote = true;
			return TL_OK;
		}
	}
	if ((err = tl_buf_putc(out, '{')) != TL_OK ||
	    (err = put_kv(out, 3, &first, "relatedSpdxElement", r->b)) != TL_OK ||
	    (err = put_kv(out, 3, &first, "relationshipType", r->type)) != TL_OK ||
	    (err = put_kv(out, 3, &first, "spdxElementId", r->a)) != TL_OK || (err = put_close(out, 2, '}')) != TL_OK)
		return err;
	*wrote = true;
	return TL_OK;
}

static tl_err dump_document(tl_buf *out, const tl_sink *sink, const json_t *root, wr *w)
{
	const tl__json_gen gens[] = {
		{ "packages", NULL, w, NULL, w->n_pkgs, package_write },
		{ "relationships", NULL, w, NULL, w->n_rels, relationship_write },
	};

	return tl__json_dump_gen(out, sink, root, gens, 2);
}

/* documentNamespace: from the serial's UUID, else from a digest of the
 * document built so far (the same model gives the same namespace). */
static tl_err build_namespace(wr *w, json_t *root, const char *name)
{
	const char *serial = w->doc->serial;
	tl_buf ns = TL_BUF_INIT, dump = TL_BUF_INIT;
	tl_hash_ctx *h = NULL;
	tl_sink sink;
	uint8_t md[TL_HASH_MAX_LEN];
	char hex[2 * TL_HASH_MAX_LEN + 1];
	size_t mdlen, n = 0;
	tl_err err;

	if ((err = tl_buf_puts(&ns, "https://spdx.org/spdxdocs/")) != TL_OK)
		goto done;
	for (const char *p = name; *p && n < 64; p++, n++) {
		char c = *p;
		if (!(id_char(c) || c == '_'))
			c = '-';
		if ((err = tl_buf_putc(&ns, c)) != TL_OK)
			goto done;
	}
	if (n == 0 && (err = tl_buf_puts(&ns, "sbom")) != TL_OK)
		goto done;
	if (serial && strncmp(serial, "urn:uuid:", 9) == 0 && is_uuid(serial + 9)) {
		err = tl_buf_printf(&ns, "-%s", serial + 9);
	} else {
		/* the digest of the text, made as the text is, never held whole */
		if ((err = tl_hash_new(&h, TL_HASH_SHA256)) != TL_OK)
			goto done;
		sink = tl__hash_sink(h);
		if ((err = dump_document(&dump, &sink, root, w)) != TL_OK ||
		    (err = tl_hash_final(h, md, &mdlen)) != TL_OK)
			goto done;
		tl_hex(hex, md, mdlen);
		err = tl_buf_printf(&ns, "-%s", hex);
	}
	if (!err)
		err = set_str(root, "documentNamespace", ns.ptr);
done:
	tl_hash_free(h);
	tl_buf_dispose(&ns);
	tl_buf_dispose(&dump);
	return err;
}

static tl_err write_spdx(tl_buf *out, const tl_sink *sink, tl_sbom *doc, const tl_sbom_write_opts *opts)
{
	wr w;
	json_t *root = NULL, *pkgs = NULL, *rels = NULL, *lrefs = NULL;
	const char **pkg_ids = NULL;
	const char *name;
	tl__strtab_slot *e;
	size_t n_pkgs, bytes;
	int64_t t;
	tl_err err;

	(void)opts;
	memset(&w, 0, sizeof(w));
	if (!doc)
		return tl__error(TL_EINVAL, "SPDX writer: NULL argument");
	if ((err = tl_sbom_normalize(doc)) != TL_OK)
		return err;
	w.doc = doc;
	if (doc->timestamp) {
		t = doc->timestamp;
	} else if ((err = tl_now(&t)) != TL_OK) {
		return err;
	}
	if ((err = format_time(w.created, t)) != TL_OK)
		return err;
	n_pkgs = doc->n_components + (doc->subject != NULL);
	if (!tl_size_mul(&bytes, n_pkgs ? n_pkgs : 1, sizeof(*pkg_ids)) || !(pkg_ids = calloc(1, bytes)))
		return tl__nomem();
	w.counters.own_keys = true;
	if (!(root = json_object()) || !(pkgs = json_array()) || !(rels = json_array()) ||
	    !(lrefs = json_object())) {
		err = tl__nomem();
		goto done;
	}
	if ((err = tl__strtab_reserve(&w.ids, n_pkgs + 1)) != TL_OK ||
	    (err = tl__strtab_reserve(&w.refmap, n_pkgs)) != TL_OK ||
	    (err = tl__strtab_put(&w.ids, "SPDXRef-DOCUMENT", &e, NULL)) != TL_OK)
		goto done;
	if ((err = claim_ids(&w, pkg_ids, n_pkgs)) != TL_OK)
		goto done;
	for (size_t i = 0; i < n_pkgs; i++) {
		const tl_sbom_component *c = doc->subject ? (i ? &doc->components[i - 1] : doc->subject)
		                                          : &doc->components[i];
		if ((err = collect_license_refs(lrefs, c->license)) != TL_OK)
			goto done;
	}
	w.pkg_ids = pkg_ids;
	w.n_pkgs = n_pkgs;
	if ((err = build_relationships(&w, pkg_ids, n_pkgs)) != TL_OK)
		goto done;
	name = doc->name ? doc->name : doc->subject && doc->subject->name ? doc->subject->name : "sbom";
	if ((err = set_str(root, "spdxVersion", "SPDX-2.3")) != TL_OK ||
	    (err = set_str(root, "dataLicense", "CC0-1.0")) != TL_OK ||
	    (err = set_str(root, "SPDXID", "SPDXRef-DOCUMENT")) != TL_OK ||
	    (err = set_str(root, "name", name)) != TL_OK ||
	    (err = build_creation_info(&w, root)) != TL_OK ||
	    (err = build_license_infos(root, lrefs)) != TL_OK)
		goto done;
	err = set_new(root, "packages", pkgs);
	pkgs = NULL;
	if (err)
		goto done;
	err = set_new(root, "relationships", rels);
	rels = NULL;
	if (err)
		goto done;
	if ((err = build_namespace(&w, root, name)) != TL_OK)
		goto done;
	err = dump_document(out, sink, root, &w);
done:
	free(pkg_ids);
	free(w.rels);
	json_decref(root);
	json_decref(pkgs);
	json_decref(rels);
	json_decref(lrefs);
	tl__strtab_dispose(&w.ids);
	tl__strtab_dispose(&w.counters);
	tl__strtab_dispose(&w.refmap);
	tl_buf_dispose(&w.cands);
	for (size_t i = 0; i < w.n_extra; i++)
		free(w.extra[i]);
	free(w.extra);
	return err;
}

tl_err tl_sbom_write_spdx(tl_buf *out, tl_sbom *doc, const tl_sbom_write_opts *opts)
{
	if (!out)
		return tl__error(TL_EINVAL, "SPDX writer: NULL argument");
	return write_spdx(out, NULL, doc, opts);
}

tl_err tl_sbom_write_spdx_sink(const tl_sink *sink, tl_sbom *doc, const tl_sbom_write_opts *opts)
{
	tl_buf stage = TL_BUF_INIT;
	tl_err err;

	if (!sink || !sink->write)
		return tl__error(TL_EINVAL, "SPDX writer: NULL argument");
	err = write_spdx(&stage, sink, doc, opts);
	tl_buf_dispose(&stage);
	return err;
}
