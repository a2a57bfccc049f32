/*
 * The format-neutral SBOM model: allocation, deep copy, building helpers,
 * canonical order, and the name tables both formats share.
 *
 * Arrays in the model grow with tl__array_grow, which assumes a capacity of
 * the next power of two at or above the count; every array this file
 * allocates itself (deep copies) is sized the same way so callers can keep
 * appending to it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core_int.h"
#include "trustline/sbom.h"

/* ---- name tables ------------------------------------------------------- */

static const char *const hash_names[] = {
	[TL_SBOM_HASH_MD5] = "MD5",
	[TL_SBOM_HASH_SHA1] = "SHA-1",
	[TL_SBOM_HASH_SHA256] = "SHA-256",
	[TL_SBOM_HASH_SHA384] = "SHA-384",
	[TL_SBOM_HASH_SHA512] = "SHA-512",
	[TL_SBOM_HASH_SHA3_256] = "SHA3-256",
	[TL_SBOM_HASH_SHA3_384] = "SHA3-384",
	[TL_SBOM_HASH_SHA3_512] = "SHA3-512",
	[TL_SBOM_HASH_BLAKE2B_256] = "BLAKE2b-256",
	[TL_SBOM_HASH_BLAKE2B_384] = "BLAKE2b-384",
	[TL_SBOM_HASH_BLAKE2B_512] = "BLAKE2b-512",
	[TL_SBOM_HASH_BLAKE3] = "BLAKE3",
};

static const char *const type_names[] = {
	[TL_COMP_LIBRARY] = "library",
	[TL_COMP_APPLICATION] = "application",
	[TL_COMP_FRAMEWORK] = "framework",
	[TL_COMP_CONTAINER] = "container",
	[TL_COMP_OPERATING_SYSTEM] = "operating-system",
	[TL_COMP_DEVICE] = "device",
	[TL_COMP_FIRMWARE] = "firmware",
	[TL_COMP_FILE] = "file",
	[TL_COMP_PLATFORM] = "platform",
	[TL_COMP_DEVICE_DRIVER] = "device-driver",
	[TL_COMP_DATA] = "data",
	[TL_COMP_MACHINE_LEARNING_MODEL] = "machine-learning-model",
	[TL_COMP_CRYPTOGRAPHIC_ASSET] = "cryptographic-asset",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *tl_sbom_hash_alg_name(tl_sbom_hash_alg alg)
{
	if ((unsigned)alg >= COUNT(hash_names))
		return NULL;
	return hash_names[alg];
}

/* Exact CycloneDX spelling first, then any case ("sha-256"). */
bool tl_sbom_hash_alg_parse(const char *name, tl_sbom_hash_alg *out)
{
	if (!name)
		return false;
	for (size_t i = 0; i < COUNT(hash_names); i++) {
		if (strcmp(name, hash_names[i]) == 0) {
			*out = (tl_sbom_hash_alg)i;
			return true;
		}
	}
	for (size_t i = 0; i < COUNT(hash_names); i++) {
		if (strcasecmp(name, hash_names[i]) == 0) {
			*out = (tl_sbom_hash_alg)i;
			return true;
		}
	}
	return false;
}

const char *tl_sbom_comp_type_name(tl_sbom_comp_type t)
{
	if ((unsigned)t >= COUNT(type_names))
		return NULL;
	return type_names[t];
}

bool tl_sbom_comp_type_parse(const char *name, tl_sbom_comp_type *out)
{
	if (!name)
		return false;
	for (size_t i = 0; i < COUNT(type_names); i++) {
		if (strcmp(name, type_names[i]) == 0) {
			*out = (tl_sbom_comp_type)i;
			return true;
		}
	}
	return false;
}

/* ---- allocation -------------------------------------------------------- */

tl_err tl_sbom_new(tl_sbom **out)
{
	tl_sbom *doc;

	*out = NULL;
	doc = calloc(1, sizeof(*doc));
	if (!doc)
		return tl__nomem();
	*out = doc;
	return TL_OK;
}

static void party_dispose(tl_sbom_party *p)
{
	free(p->name);
	free(p->email);
	free(p->version);
	free(p->vendor);
	memset(p, 0, sizeof(*p));
}

static void props_free(tl_sbom_property *props, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(props[i].name);
		free(props[i].value);
	}
	free(props);
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void tl_sbom_component_dispose(tl_sbom_component *c)
{
	if (!c)
		return;
	free(c->ref);
	free(c->group);
	free(c->name);
	free(c->version);
	free(c->description);
	free(c->supplier);
	free(c->author);
	free(c->purl);
	free(c->cpe);
	free(c->license);
	free(c->copyright);
	for (size_t i = 0; i < c->n_hashes; i++)
		free(c->hashes[i].hex);
	free(c->hashes);
	strv_free(c->files, c->n_files);
	props_free(c->props, c->n_props);
	memset(c, 0, sizeof(*c));
}

void tl_sbom_free(tl_sbom *doc)
{
	if (!doc)
		return;
	free(doc->serial);
	free(doc->name);
	for (size_t i = 0; i < doc->n_tools; i++)
		party_dispose(&doc->tools[i]);
	free(doc->tools);
	for (size_t i = 0; i < doc->n_authors; i++)
		party_dispose(&doc->authors[i]);
	free(doc->authors);
	free(doc->supplier);
	free(doc->manufacturer);
	free(doc->lifecycle);
	if (doc->subject) {
		tl_sbom_component_dispose(doc->subject);
		free(doc->subject);
	}
	for (size_t i = 0; i < doc->n_components; i++)
		tl_sbom_component_dispose(&doc->components[i]);
	free(doc->components);
	for (size_t i = 0; i < doc->n_deps; i++) {
		free(doc->deps[i].ref);
		strv_free(doc->deps[i].deps, doc->deps[i].n_deps);
	}
	free(doc->deps);
	props_free(doc->props, doc->n_props);
	free(doc);
}

/* ---- deep copy --------------------------------------------------------- */

/* Bytes for an array of n elements, sized to the capacity tl__array_grow
 * expects (next power of two), so the copy can grow further. */
static void *array_alloc(size_t n, size_t elem)
{
	size_t cap = 1, bytes;

	while (cap < n) {
		if (!tl_size_mul(&cap, cap, 2))
			return NULL;
	}
	if (!tl_size_mul(&bytes, cap, elem))
		return NULL;
	return calloc(1, bytes);
}

/* *dst = copy of src (NULL stays NULL); false when out of memory. */
static bool dup_field(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return true;
	*dst = strdup(src);
	return *dst != NULL;
}

tl_err tl_sbom_component_copy(tl_sbom_component *dst, const tl_sbom_component *src)
{
	tl_sbom_component c;
	tl_err err = TL_OK;

	memset(&c, 0, sizeof(c));
	c.type = src->type;
	c.scope = src->scope;
	if (!dup_field(&c.ref, src->ref) || !dup_field(&c.group, src->group) ||
	    !dup_field(&c.name, src->name) || !dup_field(&c.version, src->version) ||
	    !dup_field(&c.description, src->description) ||
	    !dup_field(&c.supplier, src->supplier) || !dup_field(&c.author, src->author) ||
	    !dup_field(&c.purl, src->purl) || !dup_field(&c.cpe, src->cpe) ||
	    !dup_field(&c.license, src->license) || !dup_field(&c.copyright, src->copyright)) {
		err = tl__nomem();
		goto done;
	}
	if (src->n_hashes) {
		if (!(c.hashes = array_alloc(src->n_hashes, sizeof(*c.hashes)))) {
			err = tl__nomem();
			goto done;
		}
		for (; c.n_hashes < src->n_hashes; c.n_hashes++) {
			c.hashes[c.n_hashes].alg = src->hashes[c.n_hashes].alg;
			if (!dup_field(&c.hashes[c.n_hashes].hex, src->hashes[c.n_hashes].hex)) {
				err = tl__nomem();
				goto done;
			}
		}
	}
	if (src->n_files) {
		if (!(c.files = array_alloc(src->n_files, sizeof(*c.files)))) {
			err = tl__nomem();
			goto done;
		}
		for (; c.n_files < src->n_files; c.n_files++) {
			if (!dup_field(&c.files[c.n_files], src->files[c.n_files])) {
				err = tl__nomem();
				goto done;
			}
		}
	}
	if (src->n_props) {
		if (!(c.props = array_alloc(src->n_props, sizeof(*c.props)))) {
			err = tl__nomem();
			goto done;
		}
		for (; c.n_props < src->n_props; c.n_props++) {
			tl_sbom_property *p = &c.props[c.n_props];
			if (!dup_field(&p->name, src->props[c.n_props].name) ||
			    !dup_field(&p->value, src->props[c.n_props].value)) {
				/* count the half-filled entry so dispose frees it */
				c.n_props++;
				err = tl__nomem();
				goto done;
			}
		}
	}
	*dst = c;
	memset(&c, 0, sizeof(c));
done:
	if (err) {
		/* a hash whose hex failed is counted out; free it with the rest */
		tl_sbom_component_dispose(&c);
	}
	return err;
}

/* ---- building ---------------------------------------------------------- */

tl_err tl_sbom_add_component(tl_sbom *doc, tl_sbom_component **out)
{
	void *slot;
	tl_err err;

	*out = NULL;
	if ((err = tl__array_grow((void **)&doc->components, &doc->n_components,
	                          sizeof(*doc->components), &slot)) != TL_OK)
		return err;
	*out = slot;
	return TL_OK;
}

tl_err tl_sbom_component_add_hash(tl_sbom_component *c, tl_sbom_hash_alg alg, const char *hex)
{
	tl_sbom_hash *h;
	char *copy;
	void *slot;
	tl_err err;

	if (!hex || (unsigned)alg >= COUNT(hash_names))
		return tl__error(TL_EINVAL, "component hash: bad algorithm or NULL digest");
	if (!(copy = strdup(hex)))
		return tl__nomem();
	for (char *p = copy; *p; p++) {
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	}
	if ((err = tl__array_grow((void **)&c->hashes, &c->n_hashes, sizeof(*c->hashes), &slot)) != TL_OK) {
		free(copy);
		return err;
	}
	h = slot;
	h->alg = alg;
	h->hex = copy;
	return TL_OK;
}

tl_err tl_sbom_component_add_file(tl_sbom_component *c, const char *path)
{
	char *copy;
	void *slot;
	tl_err err;

	if (!path)
		return tl__error(TL_EINVAL, "component file: NULL path");
	if (!(copy = strdup(path)))
		return tl__nomem();
	if ((err = tl__array_grow((void **)&c->files, &c->n_files, sizeof(*c->files), &slot)) != TL_OK) {
		free(copy);
		return err;
	}
	*(char **)slot = copy;
	return TL_OK;
}

static tl_err props_add(tl_sbom_property **props, size_t *n, const char *name, const char *value)
{
	char *nc = NULL, *vc = NULL;
	tl_sbom_property *p;
	void *slot;
	tl_err err = TL_OK;

	if (!name)
		return tl__error(TL_EINVAL, "property: NULL name");
	if (!(nc = strdup(name)) || !dup_field(&vc, value)) {
		err = tl__nomem();
		goto done;
	}
	if ((err = tl__array_grow((void **)props, n, sizeof(**props), &slot)) != TL_OK)
		goto done;
	p = slot;
	p->name = nc;
	p->value = vc;
	nc = vc = NULL;
done:
	free(nc);
	free(vc);
	return err;
}

tl_err tl_sbom_component_add_prop(tl_sbom_component *c, const char *name, const char *value)
{
	return props_add(&c->props, &c->n_props, name, value);
}

static tl_err strv_add(char ***v, size_t *n, const char *s)
{
	char *copy;
	void *slot;
	tl_err err;

	if (!(copy = strdup(s)))
		return tl__nomem();
	if ((err = tl__array_grow((void **)v, n, sizeof(**v), &slot)) != TL_OK) {
		free(copy);
		return err;
	}
	*(char **)slot = copy;
	return TL_OK;
}

/*
 * Linear in the number of nodes and edges: fine for building by hand.
 * Readers with large graphs may append nodes directly; tl_sbom_normalize
 * merges duplicate nodes and edges.  The node for from is searched from
 * the end, where a builder adding all edges of one node finds it at once.
 */
tl_err tl_sbom_add_dependency(tl_sbom *doc, const char *from, const char *to)
{
	tl_sbom_dependency *node = NULL;
	void *slot;
	tl_err err;

	if (!from)
		return tl__error(TL_EINVAL, "dependency: NULL ref");
	for (size_t i = doc->n_deps; i-- > 0;) {
		if (strcmp(doc->deps[i].ref, from) == 0) {
			node = &doc->deps[i];
			break;
		}
	}
	if (!node) {
		char *copy = strdup(from);
		if (!copy)
			return tl__nomem();
		if ((err = tl__array_grow((void **)&doc->deps, &doc->n_deps, sizeof(*doc->deps), &slot)) != TL_OK) {
			free(copy);
			return err;
		}
		node = slot;
		node->ref = copy;
	}
	if (!to)
		return TL_OK; /* a node with no edges */
	for (size_t i = 0; i < node->n_deps; i++) {
		if (strcmp(node->deps[i], to) == 0)
			return TL_OK;
	}
	return strv_add(&node->deps, &node->n_deps, to);
}

static tl_err party_add(tl_sbom_party **arr, size_t *n, const char *vendor, const char *name,
                        const char *version, const char *email)
{
	tl_sbom_party p;
	void *slot;
	tl_err err = TL_OK;

	memset(&p, 0, sizeof(p));
	if (!dup_field(&p.vendor, vendor) || !dup_field(&p.name, name) ||
	    !dup_field(&p.version, version) || !dup_field(&p.email, email)) {
		err = tl__nomem();
		goto done;
	}
	if ((err = tl__array_grow((void **)arr, n, sizeof(**arr), &slot)) != TL_OK)
		goto done;
	*(tl_sbom_party *)slot = p;
	memset(&p, 0, sizeof(p));
done:
	party_dispose(&p);
	return err;
}

tl_err tl_sbom_add_tool(tl_sbom *doc, const char *vendor, const char *name, const char *version)
{
	return party_add(&doc->tools, &doc->n_tools, vendor, name, version, NULL);
}

tl_err tl_sbom_add_author(tl_sbom *doc, const char *name, const char *email)
{
	return party_add(&doc->authors, &doc->n_authors, NULL, name, NULL, email);
}

tl_sbom_component *tl_sbom_find_ref(const tl_sbom *doc, const char *ref)
{
	if (!ref)
		return NULL;
	if (doc->subject && doc->subject->ref && strcmp(doc->subject->ref, ref) == 0)
		return doc->subject;
	for (size_t i = 0; i < doc->n_components; i++) {
		if (doc->components[i].ref && strcmp(doc->components[i].ref, ref) == 0)
			return &doc->components[i];
	}
	return NULL;
}

/* ---- canonical order --------------------------------------------------- */

/* NULL sorts before any string. */
static int strcmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp_null(*(char *const *)a, *(char *const *)b);
}

static int cmp_hash(const void *pa, const void *pb)
{
	const tl_sbom_hash *a = pa, *b = pb;

	if (a->alg != b->alg)
		return a->alg < b->alg ? -1 : 1;
	return strcmp_null(a->hex, b->hex);
}

static int cmp_prop(const void *pa, const void *pb)
{
	const tl_sbom_property *a = pa, *b = pb;
	int r = strcmp_null(a->name, b->name);

	return r ? r : strcmp_null(a->value, b->value);
}

static int cmp_component(const void *pa, const void *pb)
{
	const tl_sbom_component *a = pa, *b = pb;
	int r;

	if ((r = strcmp_null(a->purl, b->purl)) != 0)
		return r;
	if ((r = strcmp_null(a->name, b->name)) != 0)
		return r;
	if ((r = strcmp_null(a->version, b->version)) != 0)
		return r;
	if ((r = strcmp_null(a->ref, b->ref)) != 0)
		return r;
	/* refs are unique in a valid document; this only keeps a broken one stable */
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return strcmp_null(a->group, b->group);
}

static int cmp_dep(const void *pa, const void *pb)
{
	const tl_sbom_dependency *a = pa, *b = pb;

	return strcmp_null(a->ref, b->ref);
}

/*
 * qsort, after one pass that finds most inputs already in order: every
 * document trustline writes, and many other tools', is sorted, and a
 * conversion or merge reads it back.
 */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	const char *p = base;

	for (size_t i = 1; i < n; i++, p += size) {
		if (cmp(p, p + size) > 0) {
			qsort(base, n, size, cmp);
			return;
		}
	}
}

/* Sorts and drops adjacent duplicates from a string array. */
static void strv_normalize(char **v, size_t *n)
{
	size_t out = 0;

	if (*n < 2)
		return;
	sort(v, *n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < *n; i++) {
		if (out > 0 && strcmp_null(v[out - 1], v[i]) == 0) {
			free(v[i]);
			continue;
		}
		v[out++] = v[i];
	}
	*n = out;
}

static void props_normalize(tl_sbom_property *p, size_t *n)
{
	size_t out = 0;

	if (*n < 2)
		return;
	sort(p, *n, sizeof(*p), cmp_prop);
	for (size_t i = 0; i < *n; i++) {
		if (out > 0 && cmp_prop(&p[out - 1], &p[i]) == 0) {
			free(p[i].name);
			free(p[i].value);
			continue;
		}
		p[out++] = p[i];
	}
	*n = out;
}

static void component_normalize(tl_sbom_component *c)
{
	size_t out = 0;

	if (c->n_hashes > 1) {
		sort(c->hashes, c->n_hashes, sizeof(*c->hashes), cmp_hash);
		for (size_t i = 0; i < c->n_hashes; i++) {
			if (out > 0 && cmp_hash(&c->hashes[out - 1], &c->hashes[i]) == 0) {
				free(c->hashes[i].hex);
				continue;
			}
			c->hashes[out++] = c->hashes[i];
		}
		c->n_hashes = out;
	}
	strv_normalize(c->files, &c->n_files);
	props_normalize(c->props, &c->n_props);
}

/*
 * After a failed merge of node i into the nodes [0, out): drops the edges
 * of node i already moved (now NULL) and closes the gap, so the document
 * stays valid (every node once, nothing freed twice).
 */
static void deps_repair(tl_sbom *doc, size_t out, size_t i)
{
	tl_sbom_dependency *d = &doc->deps[i];
	size_t k = 0;

	for (size_t j = 0; j < d->n_deps; j++) {
		if (d->deps[j])
			d->deps[k++] = d->deps[j];
	}
	d->n_deps = k;
	memmove(&doc->deps[out], &doc->deps[i], (doc->n_deps - i) * sizeof(*doc->deps));
	doc->n_deps = out + (doc->n_deps - i);
}

/*
 * Merging duplicate nodes may need to move edges from one node to another,
 * which allocates; everything else only reorders and frees.
 */
static tl_err deps_normalize(tl_sbom *doc)
{
	size_t out = 0;
	tl_err err;

	if (doc->n_deps > 1)
		sort(doc->deps, doc->n_deps, sizeof(*doc->deps), cmp_dep);
	for (size_t i = 0; i < doc->n_deps; i++) {
		tl_sbom_dependency *d = &doc->deps[i];
		if (out > 0 && strcmp_null(doc->deps[out - 1].ref, d->ref) == 0) {
			tl_sbom_dependency *keep = &doc->deps[out - 1];
			for (size_t j = 0; j < d->n_deps; j++) {
				void *slot;
				if ((err = tl__array_grow((void **)&keep->deps, &keep->n_deps,
				                          sizeof(*keep->deps), &slot)) != TL_OK) {
					deps_repair(doc, out, i);
					return err;
				}
				*(char **)slot = d->deps[j];
				d->deps[j] = NULL;
			}
			strv_free(d->deps, d->n_deps);
			free(d->ref);
			continue;
		}
		doc->deps[out++] = *d;
	}
	doc->n_deps = out;
	for (size_t i = 0; i < doc->n_deps; i++)
		strv_normalize(doc->deps[i].deps, &doc->deps[i].n_deps);
	return TL_OK;
}

tl_err tl_sbom_normalize(tl_sbom *doc)
{
	if (!doc)
		return tl__error(TL_EINVAL, "normalize: NULL document");
	if (doc->subject)
		component_normalize(doc->subject);
	for (size_t i = 0; i < doc->n_components; i++)
		component_normalize(&doc->components[i]);
	if (doc->n_components > 1)
		sort(doc->components, doc->n_components, sizeof(*doc->components), cmp_component);
	props_normalize(doc->props, &doc->n_props);
	return deps_normalize(doc);
}
