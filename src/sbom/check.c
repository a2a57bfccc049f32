/*
 * Minimum-element checks of an SBOM document against a named profile.
 *
 * Profiles and what each element is decided on (the model fields; see
 * docs/check.md for the CycloneDX and SPDX fields behind them):
 *
 *   element                       ntia  cisa-2025  bsi-tr-03183  decided on
 *   ----------------------------  ----  ---------  ------------  ------------------------------
 *   supplier / producer            C       C                      component supplier; for the
 *                                                                 primary component also the
 *                                                                 document supplier/manufacturer
 *   creator (supplier or author)                      C           supplier, else author
 *   name                           C       C          C           name
 *   version                        C       C          C           version
 *   unique identifier              C       C          C           purl or CPE (hashes do not count)
 *   hash (any algorithm)                   C                      hashes[]
 *   SHA-512 hash                                      C           hashes[] with SHA-512
 *   licence                                C          C           license (not NOASSERTION)
 *   filename                                          C           files[] or type "file"
 *   dependencies                                      C           appears in the graph (as a node
 *                                                                 with edges or as a target)
 *   dependency relationship        D       D                      the primary component has edges
 *                                                                 (when there are other components)
 *   author of SBOM data            D       D                      authors, tools, supplier or
 *                                                                 manufacturer of the document
 *   creator of the SBOM                               D           an author with an email, or the
 *                                                                 manufacturer
 *   timestamp                      D       D          D           timestamp != 0
 *   tool name                              D                      a tool with a name
 *   generation context                     D                      lifecycle
 *
 *   C: per component (the primary component included), D: per document.
 *
 * A string made only of blanks, or "NOASSERTION" (SPDX), counts as absent.
 * The report has one line per missing element and a final summary line.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"
#include "trustline/sbom.h"

typedef struct {
	const char *name;
	tl_sbom_profile id;
} profile_name;

static const profile_name profiles[] = {
	{ "ntia", TL_PROFILE_NTIA },
	{ "cisa-2025", TL_PROFILE_CISA_2025 },
	{ "bsi-tr-03183", TL_PROFILE_BSI_TR_03183 },
};

bool tl_sbom_profile_parse(const char *name, tl_sbom_profile *out)
{
	if (!name)
		return false;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		if (strcmp(name, profiles[i].name) == 0) {
			*out = profiles[i].id;
			return true;
		}
	}
	return false;
}

static const char *profile_str(tl_sbom_profile p)
{
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		if (profiles[i].id == p)
			return profiles[i].name;
	}
	return "?";
}

/* True when s carries information: not NULL, not blank, not NOASSERTION. */
static bool present(const char *s)
{
	if (!s)
		return false;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if (!*s)
		return false;
	return strcmp(s, "NOASSERTION") != 0;
}

typedef struct {
	tl_buf *report;
	size_t missing;
	size_t incomplete; /* components with at least one missing element */
} checker;

static tl_err miss_doc(checker *ck, const char *element)
{
	ck->missing++;
	return tl_buf_printf(ck->report, "document: missing %s\n", element);
}

/* Prints the component's identity: kind "name" version (purl|cpe|ref). */
static tl_err put_component(tl_buf *b, const tl_sbom_component *c, bool primary)
{
	tl_err err;
	const char *id = present(c->purl) ? c->purl : present(c->cpe) ? c->cpe : c->ref;

	if ((err = tl_buf_printf(b, "%scomponent \"%s\"", primary ? "primary " : "",
	                         c->name ? c->name : "")) != TL_OK)
		return err;
	if (present(c->version) && (err = tl_buf_printf(b, " %s", c->version)) != TL_OK)
		return err;
	if (id && *id && (err = tl_buf_printf(b, " (%s)", id)) != TL_OK)
		return err;
	return TL_OK;
}

static tl_err miss_comp(checker *ck, const tl_sbom_component *c, bool primary, const char *element,
                        bool *any)
{
	tl_err err;

	ck->missing++;
	if (!*any) {
		*any = true;
		ck->incomplete++;
	}
	if ((err = put_component(ck->report, c, primary)) != TL_OK)
		return err;
	return tl_buf_printf(ck->report, ": missing %s\n", element);
}

static bool has_identifier(const tl_sbom_component *c)
{
	return present(c->purl) || present(c->cpe);
}

static bool has_hash(const tl_sbom_component *c, bool sha512_only)
{
	for (size_t i = 0; i < c->n_hashes; i++) {
		if (!present(c->hashes[i].hex))
			continue;
		if (!sha512_only || c->hashes[i].alg == TL_SBOM_HASH_SHA512)
			return true;
	}
	return false;
}

static bool has_filename(const tl_sbom_component *c)
{
	for (size_t i = 0; i < c->n_files; i++) {
		if (present(c->files[i]))
			return true;
	}
	return c->type == TL_COMP_FILE && present(c->name);
}

/*
 * Refs that appear in the dependency graph (as a node with edges, or as a
 * target), sorted for bsearch.  Entries borrow from doc.
 */
static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static tl_err graph_refs(const tl_sbom *doc, const char ***out, size_t *n)
{
	const char **v = NULL;
	size_t count = 0, total = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < doc->n_deps; i++) {
		if (!tl_size_add(&total, total, doc->deps[i].n_deps) || !tl_size_add(&total, total, 1))
			return tl__nomem();
	}
	if (total == 0)
		return TL_OK;
	if (!(v = calloc(total, sizeof(*v))))
		return tl__nomem();
	for (size_t i = 0; i < doc->n_deps; i++) {
		const tl_sbom_dependency *d = &doc->deps[i];
		if (d->n_deps > 0 && d->ref)
			v[count++] = d->ref;
		for (size_t j = 0; j < d->n_deps; j++) {
			if (d->deps[j])
				v[count++] = d->deps[j];
		}
	}
	qsort(v, count, sizeof(*v), cmp_strp);
	*out = v;
	*n = count;
	return TL_OK;
}

static bool in_graph(const char **refs, size_t n, const char *ref)
{
	if (!ref || n == 0)
		return false;
	return bsearch(&ref, refs, n, sizeof(*refs), cmp_strp) != NULL;
}

static tl_err check_component(checker *ck, const tl_sbom *doc, const tl_sbom_component *c,
                              bool primary, tl_sbom_profile profile, const char **refs, size_t n_refs)
{
	const char *miss[12];
	size_t n = 0;
	bool any = false;
	tl_err err;

	if (profile == TL_PROFILE_BSI_TR_03183) {
		if (!present(c->supplier) && !present(c->author) &&
		    !(primary && (present(doc->manufacturer) || present(doc->supplier))))
			miss[n++] = "creator (supplier or author)";
	} else if (!present(c->supplier) &&
	           !(primary && (present(doc->supplier) || present(doc->manufacturer)))) {
		miss[n++] = "supplier";
	}
	if (!present(c->name))
		miss[n++] = "name";
	if (!present(c->version))
		miss[n++] = "version";
	if (profile == TL_PROFILE_BSI_TR_03183) {
		if (!has_filename(c))
			miss[n++] = "filename";
		if (!in_graph(refs, n_refs, c->ref))
			miss[n++] = "dependencies";
	}
	if (profile != TL_PROFILE_NTIA && !present(c->license))
		miss[n++] = "licence";
	if (profile == TL_PROFILE_CISA_2025 && !has_hash(c, false))
		miss[n++] = "hash";
	if (profile == TL_PROFILE_BSI_TR_03183 && !has_hash(c, true))
		miss[n++] = "SHA-512 hash";
	if (!has_identifier(c))
		miss[n++] = "unique identifier (purl or CPE)";

	for (size_t i = 0; i < n; i++) {
		if ((err = miss_comp(ck, c, primary, miss[i], &any)) != TL_OK)
			return err;
	}
	return TL_OK;
}

/* The primary component has at least one edge, when there is anything
 * for it to depend on. */
static bool primary_has_edges(const tl_sbom *doc)
{
	if (doc->n_components == 0)
		return true;
	if (!doc->subject || !doc->subject->ref)
		return false;
	for (size_t i = 0; i < doc->n_deps; i++) {
		if (doc->deps[i].ref && strcmp(doc->deps[i].ref, doc->subject->ref) == 0 &&
		    doc->deps[i].n_deps > 0)
			return true;
	}
	return false;
}

static bool has_sbom_author(const tl_sbom *doc)
{
	for (size_t i = 0; i < doc->n_authors; i++) {
		if (present(doc->authors[i].name) || present(doc->authors[i].email))
			return true;
	}
	for (size_t i = 0; i < doc->n_tools; i++) {
		if (present(doc->tools[i].name))
			return true;
	}
	return present(doc->supplier) || present(doc->manufacturer);
}

static bool has_tool_name(const tl_sbom *doc)
{
	for (size_t i = 0; i < doc->n_tools; i++) {
		if (present(doc->tools[i].name))
			return true;
	}
	return false;
}

static bool has_bsi_creator(const tl_sbom *doc)
{
	for (size_t i = 0; i < doc->n_authors; i++) {
		if (present(doc->authors[i].email))
			return true;
	}
	return present(doc->manufacturer);
}

tl_err tl_sbom_check(const tl_sbom *doc, tl_sbom_profile profile, tl_buf *report, size_t *missing)
{
	checker ck = { report, 0, 0 };
	const char **refs = NULL;
	size_t n_refs = 0, n_checked;
	tl_err err = TL_OK;

	if (missing)
		*missing = 0;
	if (!doc || !report || !missing)
		return tl__error(TL_EINVAL, "sbom check: NULL argument");
	if (profile != TL_PROFILE_NTIA && profile != TL_PROFILE_CISA_2025 &&
	    profile != TL_PROFILE_BSI_TR_03183)
		return tl__error(TL_EINVAL, "sbom check: unknown profile %d", (int)profile);

	/* document-level elements first */
	if (profile == TL_PROFILE_BSI_TR_03183) {
		if (!has_bsi_creator(doc) &&
		    (err = miss_doc(&ck, "creator of the SBOM (an author with an email, or the manufacturer)")) != TL_OK)
			goto done;
	} else if (!has_sbom_author(doc) && (err = miss_doc(&ck, "author of SBOM data")) != TL_OK) {
		goto done;
	}
	if (doc->timestamp == 0 && (err = miss_doc(&ck, "timestamp")) != TL_OK)
		goto done;
	if (profile != TL_PROFILE_BSI_TR_03183 && !primary_has_edges(doc) &&
	    (err = miss_doc(&ck, doc->subject ? "dependency relationship of the primary component"
	                                      : "dependency relationship (no primary component)")) != TL_OK)
		goto done;
	if (profile == TL_PROFILE_CISA_2025) {
		if (!has_tool_name(doc) && (err = miss_doc(&ck, "tool name")) != TL_OK)
			goto done;
		if (!present(doc->lifecycle) && (err = miss_doc(&ck, "generation context")) != TL_OK)
			goto done;
	}

	if (profile == TL_PROFILE_BSI_TR_03183 && (err = graph_refs(doc, &refs, &n_refs)) != TL_OK)
		goto done;
	if (doc->subject &&
	    (err = check_component(&ck, doc, doc->subject, true, profile, refs, n_refs)) != TL_OK)
		goto done;
	for (size_t i = 0; i < doc->n_components; i++) {
		if ((err = check_component(&ck, doc, &doc->components[i], false, profile, refs, n_refs)) != TL_OK)
			goto done;
	}

	n_checked = doc->n_components + (doc->subject ? 1 : 0);
	if (ck.missing == 0)
		err = tl_buf_printf(report, "%s: all minimum elements present (%zu component%s)\n",
		                    profile_str(profile), n_checked, n_checked == 1 ? "" : "s");
	else
		err = tl_buf_printf(report, "%s: %zu missing element%s (%zu of %zu component%s incomplete)\n",
		                    profile_str(profile), ck.missing, ck.missing == 1 ? "" : "s",
		                    ck.incomplete, n_checked, n_checked == 1 ? "" : "s");
	if (err)
		goto done;
	*missing = ck.missing;
done:
	free(refs);
	return err;
}
