/*
 * Union of SBOM documents.
 *
 *   what                 how
 *   -------------------  ---------------------------------------------------
 *   components           de-duplicated by the full purl (canonical form,
 *                        version and qualifiers included); without a purl by
 *                        type + group + name + version.  The first one seen
 *                        is kept; the later duplicates fill its empty fields
 *                        and add their hashes, files and properties.
 *   subject              the first document's; later documents' subjects
 *                        become ordinary components (or merge into a kept
 *                        one when they are the same).
 *   refs                 a component keeps its ref unless an earlier kept
 *                        component took it: then "<ref>-2", "<ref>-3", ...,
 *                        the first free one, in document order.  Every edge
 *                        is rewritten to the kept component's ref.
 *   dependencies         all edges of all documents, rewritten, self-edges
 *                        of merged duplicates dropped, de-duplicated.
 *   tools, authors,      union, de-duplicated by all their fields.
 *   properties
 *   name, supplier,      the first document that has one.
 *   manufacturer,
 *   lifecycle
 *   timestamp            the latest.
 *   serial               cleared: the writer derives one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"
#include "trustline/sbom.h"

/* Inserts or overwrites key (copied: the maps own their keys). */
static tl_err map_put(tl__strtab *m, const char *key, size_t num, const char *str)
{
	tl__strtab_slot *s;
	tl_err err;

	if ((err = tl__strtab_put(m, key, &s, NULL)) != TL_OK)
		return err;
	s->n = num;
	s->p = str;
	return TL_OK;
}

/* ---- merging ----------------------------------------------------------- */

typedef struct {
	const char *from; /* borrowed */
	const char *to;   /* borrowed; NULL: a node without edges */
} edge;

typedef struct {
	tl_sbom *out;
	tl__strtab keys; /* dedup key -> 0 (subject) or index + 1 in out->components (n) */
	tl__strtab used; /* refs taken in out */
	tl__strtab refs; /* this document's ref -> ref in out (p) */
	edge *edges;
	size_t n_edges;
} merger;

static const char *nz(const char *s)
{
	return s ? s : "";
}

static bool streq(const char *a, const char *b)
{
	return strcmp(nz(a), nz(b)) == 0;
}

/* The de-duplication key of c (caller frees), or NULL when out of memory. */
static char *dedup_key(const tl_sbom_component *c)
{
	tl_buf b = TL_BUF_INIT;
	char *canon = NULL, *out = NULL;
	tl_purl p;
	tl_err err;

	if (c->purl && *c->purl) {
		memset(&p, 0, sizeof(p));
		if (tl_purl_parse(&p, c->purl) == TL_OK) {
			if (tl_purl_build(&canon, &p) != TL_OK)
				canon = NULL;
			tl_purl_dispose(&p);
		}
		tl_error_clear(); /* an unparsable purl is compared as text */
		err = tl_buf_printf(&b, "p\n%s", canon ? canon : c->purl);
	} else {
		const char *t = tl_sbom_comp_type_name(c->type);
		err = tl_buf_printf(&b, "n\n%s\n%s\n%s\n%s", nz(t), nz(c->group), nz(c->name),
		                    nz(c->version));
	}
	if (err == TL_OK && tl_buf_cstr(&b) == TL_OK)
		out = tl_buf_detach(&b);
	tl_buf_dispose(&b);
	free(canon);
	return out;
}

/* A ref not yet used in out, derived from ref (caller frees). */
static tl_err unique_ref(merger *m, const char *ref, char **out)
{
	tl_buf b = TL_BUF_INIT;
	tl_err err = TL_OK;

	*out = NULL;
	if (!tl__strtab_get(&m->used, ref)) {
		if (!(*out = strdup(ref)))
			return tl__nomem();
		return map_put(&m->used, ref, 0, NULL);
	}
	for (size_t k = 2;; k++) {
		tl_buf_clear(&b);
		if ((err = tl_buf_printf(&b, "%s-%zu", ref, k)) != TL_OK)
			goto done;
		if (!tl__strtab_get(&m->used, b.ptr))
			break;
	}
	if ((err = map_put(&m->used, b.ptr, 0, NULL)) != TL_OK)
		goto done;
	if (!(*out = tl_buf_detach(&b)))
		err = tl__nomem();
done:
	tl_buf_dispose(&b);
	return err;
}

static tl_err fill(char **dst, const char *src)
{
	if (*dst && **dst)
		return TL_OK;
	if (!src || !*src)
		return TL_OK;
	free(*dst);
	if (!(*dst = strdup(src)))
		return tl__nomem();
	return TL_OK;
}

/* Adds what dup knows and kept does not.  Borrows dup. */
static tl_err merge_into(tl_sbom_component *kept, const tl_sbom_component *dup)
{
	tl_err err;
	bool have;

	if ((err = fill(&kept->group, dup->group)) != TL_OK ||
	    (err = fill(&kept->version, dup->version)) != TL_OK ||
	    (err = fill(&kept->description, dup->description)) != TL_OK ||
	    (err = fill(&kept->supplier, dup->supplier)) != TL_OK ||
	    (err = fill(&kept->author, dup->author)) != TL_OK ||
	    (err = fill(&kept->purl, dup->purl)) != TL_OK ||
	    (err = fill(&kept->cpe, dup->cpe)) != TL_OK ||
	    (err = fill(&kept->license, dup->license)) != TL_OK ||
	    (err = fill(&kept->copyright, dup->copyright)) != TL_OK)
		return err;
	if (kept->scope == TL_SCOPE_UNSET)
		kept->scope = dup->scope;
	for (size_t i = 0; i < dup->n_hashes; i++) {
		have = false;
		for (size_t j = 0; j < kept->n_hashes && !have; j++)
			have = kept->hashes[j].alg == dup->hashes[i].alg && streq(kept->hashes[j].hex, dup->hashes[i].hex);
		if (!have && dup->hashes[i].hex &&
		    (err = tl_sbom_component_add_hash(kept, dup->hashes[i].alg, dup->hashes[i].hex)) != TL_OK)
			return err;
	}
	for (size_t i = 0; i < dup->n_files; i++) {
		have = false;
		for (size_t j = 0; j < kept->n_files && !have; j++)
			have = streq(kept->files[j], dup->files[i]);
		if (!have && dup->files[i] && (err = tl_sbom_component_add_file(kept, dup->files[i])) != TL_OK)
			return err;
	}
	for (size_t i = 0; i < dup->n_props; i++) {
		have = false;
		for (size_t j = 0; j < kept->n_props && !have; j++)
			have = streq(kept->props[j].name, dup->props[i].name) &&
			       streq(kept->props[j].value, dup->props[i].value);
		if (!have && dup->props[i].name &&
		    (err = tl_sbom_component_add_prop(kept, dup->props[i].name, dup->props[i].value)) != TL_OK)
			return err;
	}
	return TL_OK;
}

static tl_sbom_component *kept_at(merger *m, size_t num)
{
	return num == 0 ? m->out->subject : &m->out->components[num - 1];
}

/* Adds c (from one input document) to out, or merges it into its twin. */
static tl_err take_component(merger *m, const tl_sbom_component *c, bool as_subject)
{
	tl_sbom_component *kept, *slot;
	tl__strtab_slot *s;
	char *key = NULL, *ref = NULL;
	size_t num;
	tl_err err = TL_OK;

	if (!(key = dedup_key(c)))
		return tl__nomem();
	if ((s = tl__strtab_get(&m->keys, key)) != NULL) {
		kept = kept_at(m, s->n);
		if ((err = merge_into(kept, c)) != TL_OK)
			goto done;
		if (c->ref && !kept->ref) {
			if ((err = unique_ref(m, c->ref, &kept->ref)) != TL_OK)
				goto done;
		}
		if (c->ref)
			err = map_put(&m->refs, c->ref, 0, kept->ref);
		goto done;
	}
	if (as_subject) {
		if (!(slot = calloc(1, sizeof(*slot)))) {
			err = tl__nomem();
			goto done;
		}
		if ((err = tl_sbom_component_copy(slot, c)) != TL_OK) {
			free(slot);
			goto done;
		}
		m->out->subject = slot;
		num = 0;
	} else {
		if ((err = tl_sbom_add_component(m->out, &slot)) != TL_OK)
			goto done;
		if ((err = tl_sbom_component_copy(slot, c)) != TL_OK) {
			/* drop the zeroed slot again */
			tl_sbom_component_dispose(slot);
			m->out->n_components--;
			goto done;
		}
		num = m->out->n_components;
	}
	kept = kept_at(m, num);
	if (c->ref) {
		if ((err = unique_ref(m, c->ref, &ref)) != TL_OK)
			goto done;
		free(kept->ref);
		kept->ref = ref;
		ref = NULL;
		if ((err = map_put(&m->refs, c->ref, 0, kept->ref)) != TL_OK)
			goto done;
	}
	err = map_put(&m->keys, key, num, NULL);
done:
	free(key);
	free(ref);
	return err;
}

static const char *map_ref(merger *m, const char *ref)
{
	tl__strtab_slot *s = tl__strtab_get(&m->refs, ref);

	return s && s->p ? s->p : ref;
}

static tl_err add_edge(merger *m, const char *from, const char *to)
{
	void *slot;
	tl_err err;

	if ((err = tl__array_grow((void **)&m->edges, &m->n_edges, sizeof(*m->edges), &slot)) != TL_OK)
		return err;
	((edge *)slot)->from = from;
	((edge *)slot)->to = to;
	return TL_OK;
}

static tl_err take_edges(merger *m, const tl_sbom *d)
{
	tl_err err;

	for (size_t i = 0; i < d->n_deps; i++) {
		const tl_sbom_dependency *node = &d->deps[i];
		const char *from;
		if (!node->ref)
			continue;
		from = map_ref(m, node->ref);
		if ((err = add_edge(m, from, NULL)) != TL_OK)
			return err;
		for (size_t j = 0; j < node->n_deps; j++) {
			const char *to;
			if (!node->deps[j])
				continue;
			to = map_ref(m, node->deps[j]);
			if (strcmp(to, from) == 0)
				continue; /* two merged duplicates */
			if ((err = add_edge(m, from, to)) != TL_OK)
				return err;
		}
	}
	return TL_OK;
}

static int cmp_edge(const void *pa, const void *pb)
{
	const edge *a = pa, *b = pb;
	int r = strcmp(a->from, b->from);

	if (r)
		return r;
	if (!a->to || !b->to)
		return (a->to != NULL) - (b->to != NULL);
	return strcmp(a->to, b->to);
}

/* Builds out->deps from the collected edges: sorted, de-duplicated. */
static tl_err build_graph(merger *m)
{
	tl_sbom_dependency *node = NULL;
	void *slot;
	tl_err err;

	if (m->n_edges > 1)
		qsort(m->edges, m->n_edges, sizeof(*m->edges), cmp_edge);
	for (size_t i = 0; i < m->n_edges; i++) {
		const edge *e = &m->edges[i];
		if (!node || strcmp(node->ref, e->from) != 0) {
			if ((err = tl__array_grow((void **)&m->out->deps, &m->out->n_deps,
			                          sizeof(*m->out->deps), &slot)) != TL_OK)
				return err;
			node = slot;
			if (!(node->ref = strdup(e->from))) {
				m->out->n_deps--;
				return tl__nomem();
			}
		}
		if (!e->to || (i > 0 && m->edges[i - 1].to && strcmp(m->edges[i - 1].from, e->from) == 0 &&
		               strcmp(m->edges[i - 1].to, e->to) == 0))
			continue;
		if ((err = tl__array_grow((void **)&node->deps, &node->n_deps, sizeof(*node->deps), &slot)) != TL_OK)
			return err;
		if (!(*(char **)slot = strdup(e->to))) {
			node->n_deps--;
			return tl__nomem();
		}
	}
	return TL_OK;
}

static tl_err merge_parties(tl_sbom *out, const tl_sbom *d)
{
	tl_err err;
	bool have;

	for (size_t i = 0; i < d->n_tools; i++) {
		const tl_sbom_party *t = &d->tools[i];
		have = false;
		for (size_t j = 0; j < out->n_tools && !have; j++)
			have = streq(out->tools[j].vendor, t->vendor) && streq(out->tools[j].name, t->name) &&
			       streq(out->tools[j].version, t->version);
		if (!have && (err = tl_sbom_add_tool(out, t->vendor, t->name, t->version)) != TL_OK)
			return err;
	}
	for (size_t i = 0; i < d->n_authors; i++) {
		const tl_sbom_party *a = &d->authors[i];
		have = false;
		for (size_t j = 0; j < out->n_authors && !have; j++)
			have = streq(out->authors[j].name, a->name) && streq(out->authors[j].email, a->email);
		if (!have && (err = tl_sbom_add_author(out, a->name, a->email)) != TL_OK)
			return err;
	}
	for (size_t i = 0; i < d->n_props; i++) {
		const tl_sbom_property *p = &d->props[i];
		void *slot;
		tl_sbom_property *np;
		have = false;
		if (!p->name)
			continue;
		for (size_t j = 0; j < out->n_props && !have; j++)
			have = streq(out->props[j].name, p->name) && streq(out->props[j].value, p->value);
		if (have)
			continue;
		if ((err = tl__array_grow((void **)&out->props, &out->n_props, sizeof(*out->props), &slot)) != TL_OK)
			return err;
		np = slot;
		np->name = strdup(p->name);
		np->value = p->value ? strdup(p->value) : NULL;
		if (!np->name || (p->value && !np->value))
			return tl__nomem(); /* the half-filled property is freed with out */
	}
	return TL_OK;
}

tl_err tl_sbom_merge(tl_sbom **out, tl_sbom *const *docs, size_t n)
{
	merger m;
	tl_err err;

	memset(&m, 0, sizeof(m));
	m.keys.own_keys = m.used.own_keys = m.refs.own_keys = true;
	if (out)
		*out = NULL;
	if (!out || (!docs && n > 0))
		return tl__error(TL_EINVAL, "sbom merge: NULL argument");
	for (size_t k = 0; k < n; k++) {
		if (!docs[k])
			return tl__error(TL_EINVAL, "sbom merge: document %zu is NULL", k + 1);
	}
	if ((err = tl_sbom_new(&m.out)) != TL_OK)
		goto done;

	for (size_t k = 0; k < n; k++) {
		const tl_sbom *d = docs[k];

		tl__strtab_dispose(&m.refs);
		if (d->subject && (err = take_component(&m, d->subject, k == 0)) != TL_OK)
			goto done;
		for (size_t i = 0; i < d->n_components; i++) {
			if ((err = take_component(&m, &d->components[i], false)) != TL_OK)
				goto done;
		}
		if ((err = take_edges(&m, d)) != TL_OK)
			goto done;
		if ((err = merge_parties(m.out, d)) != TL_OK)
			goto done;
		if ((err = fill(&m.out->name, d->name)) != TL_OK ||
		    (err = fill(&m.out->supplier, d->supplier)) != TL_OK ||
		    (err = fill(&m.out->manufacturer, d->manufacturer)) != TL_OK ||
		    (err = fill(&m.out->lifecycle, d->lifecycle)) != TL_OK)
			goto done;
		if (d->timestamp > m.out->timestamp)
			m.out->timestamp = d->timestamp;
	}
	if ((err = build_graph(&m)) != TL_OK)
		goto done;
	*out = m.out;
	m.out = NULL;
done:
	tl__strtab_dispose(&m.keys);
	tl__strtab_dispose(&m.used);
	tl__strtab_dispose(&m.refs);
	free(m.edges);
	tl_sbom_free(m.out);
	return err;
}
