/*
 * Differences between two SBOM documents: components added, removed and
 * whose version changed.
 *
 * Matching key of a component (the primary component is not compared):
 *   - with a purl: the purl without its version, in canonical form
 *     (tl_purl_build: lower-case type, sorted qualifiers), so
 *     "pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64&distro=debian-12"
 *     matches "pkg:deb/debian/openssl@3.0.16-1~deb12u1?distro=debian-12&arch=amd64".
 *     Only the version is dropped: qualifiers (arch, distro) and subpath
 *     stay, so an arm64 build never pairs with an amd64 one.  A purl that
 *     does not parse is compared as text with its "@version" cut off.
 *   - without a purl: type, group and name.
 * Within one key, versions present on both sides are unchanged; the rest
 * are paired in sorted order (changed), and what is left over is removed
 * (only in a) or added (only in b).  So two installed versions of a
 * package that are the same in both documents give no entry.
 *
 * Output is sorted by name, then kind (added, removed, changed), then
 * versions and purl: the same inputs give the same entries in the same order.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"
#include "trustline/sbom.h"

typedef struct {
	char *key;                    /* owned */
	const tl_sbom_component *c;   /* borrowed */
	int side;                     /* 0: a, 1: b */
	size_t idx;                   /* position in its document */
} item;

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* "pkg:type/ns/name@version?q#sub" without "@version", as text. */
static char *purl_cut_version(const char *purl)
{
	size_t len = strlen(purl), end = strcspn(purl, "?#"), slash = 0, at = end;
	tl_buf b = TL_BUF_INIT;

	for (size_t i = 0; i < end; i++) {
		if (purl[i] == '/')
			slash = i;
	}
	for (size_t i = slash; i < end; i++) {
		if (purl[i] == '@') {
			at = i;
			break;
		}
	}
	if (tl_buf_put(&b, purl, at) != TL_OK || tl_buf_put(&b, purl + end, len - end) != TL_OK ||
	    tl_buf_cstr(&b) != TL_OK) {
		tl_buf_dispose(&b);
		return NULL;
	}
	return tl_buf_detach(&b);
}

/* The matching key of c (caller frees), or NULL when out of memory. */
static char *match_key(const tl_sbom_component *c)
{
	tl_buf b = TL_BUF_INIT;
	char *s = NULL, *out = NULL;
	tl_purl p;
	tl_err err;

	if (c->purl && *c->purl) {
		memset(&p, 0, sizeof(p));
		if (tl_purl_parse(&p, c->purl) == TL_OK) {
			free(p.version);
			p.version = NULL;
			err = tl_purl_build(&s, &p);
			tl_purl_dispose(&p);
			if (err != TL_OK)
				s = NULL;
		}
		/* a purl that does not parse is still matched, as text */
		tl_error_clear();
		if (!s && !(s = purl_cut_version(c->purl)))
			return NULL;
		err = tl_buf_printf(&b, "p\n%s", s);
	} else {
		err = tl_buf_printf(&b, "n\n%s\n%s\n%s", tl_sbom_comp_type_name(c->type) ?
		                    tl_sbom_comp_type_name(c->type) : "", nz(c->group), nz(c->name));
	}
	if (err == TL_OK && tl_buf_cstr(&b) == TL_OK)
		out = tl_buf_detach(&b);
	tl_buf_dispose(&b);
	free(s);
	return out;
}

static int cmp_item(const void *pa, const void *pb)
{
	const item *a = pa, *b = pb;
	int r;

	if ((r = strcmp(a->key, b->key)) != 0)
		return r;
	if (a->side != b->side)
		return a->side - b->side;
	if ((r = strcmp(nz(a->c->version), nz(b->c->version))) != 0)
		return r;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static const char *entry_name(const tl_sbom_diff_entry *e)
{
	return nz(e->b ? e->b->name : e->a->name);
}

static int cmp_entry(const void *pa, const void *pb)
{
	const tl_sbom_diff_entry *a = pa, *b = pb;
	int r;

	if ((r = strcmp(entry_name(a), entry_name(b))) != 0)
		return r;
	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	if ((r = strcmp(nz(a->a ? a->a->version : NULL), nz(b->a ? b->a->version : NULL))) != 0)
		return r;
	if ((r = strcmp(nz(a->b ? a->b->version : NULL), nz(b->b ? b->b->version : NULL))) != 0)
		return r;
	if ((r = strcmp(nz(a->a ? a->a->purl : NULL), nz(b->a ? b->a->purl : NULL))) != 0)
		return r;
	if ((r = strcmp(nz(a->b ? a->b->purl : NULL), nz(b->b ? b->b->purl : NULL))) != 0)
		return r;
	if ((r = strcmp(nz(a->a ? a->a->group : NULL), nz(b->a ? b->a->group : NULL))) != 0)
		return r;
	return strcmp(nz(a->b ? a->b->group : NULL), nz(b->b ? b->b->group : NULL));
}

static tl_err add_entry(tl_sbom_diff_entry **v, size_t *n, tl_diff_kind kind,
                        const tl_sbom_component *a, const tl_sbom_component *b)
{
	void *slot;
	tl_sbom_diff_entry *e;
	tl_err err;

	if ((err = tl__array_grow((void **)v, n, sizeof(**v), &slot)) != TL_OK)
		return err;
	e = slot;
	e->kind = kind;
	e->a = a;
	e->b = b;
	return TL_OK;
}

/*
 * One key's items: as[0..na) from a and bs[0..nb) from b, each sorted by
 * version.  Equal versions cancel; the rest pair up in order.
 */
static tl_err diff_group(tl_sbom_diff_entry **v, size_t *n, const item *as, size_t na,
                         const item *bs, size_t nb, const tl_sbom_component **ra,
                         const tl_sbom_component **rb)
{
	size_t i = 0, j = 0, la = 0, lb = 0, k;
	tl_err err;

	while (i < na && j < nb) {
		int r = strcmp(nz(as[i].c->version), nz(bs[j].c->version));
		if (r == 0) {
			i++;
			j++;
		} else if (r < 0) {
			ra[la++] = as[i++].c;
		} else {
			rb[lb++] = bs[j++].c;
		}
	}
	while (i < na)
		ra[la++] = as[i++].c;
	while (j < nb)
		rb[lb++] = bs[j++].c;
	for (k = 0; k < la && k < lb; k++) {
		if ((err = add_entry(v, n, TL_DIFF_CHANGED, ra[k], rb[k])) != TL_OK)
			return err;
	}
	for (size_t x = k; x < la; x++) {
		if ((err = add_entry(v, n, TL_DIFF_REMOVED, ra[x], NULL)) != TL_OK)
			return err;
	}
	for (size_t x = k; x < lb; x++) {
		if ((err = add_entry(v, n, TL_DIFF_ADDED, NULL, rb[x])) != TL_OK)
			return err;
	}
	return TL_OK;
}

tl_err tl_sbom_diff(tl_sbom_diff_entry **out, size_t *n, const tl_sbom *a, const tl_sbom *b)
{
	item *items = NULL;
	const tl_sbom_component **ra = NULL, **rb = NULL;
	tl_sbom_diff_entry *v = NULL;
	size_t total, count = 0, nv = 0, i;
	tl_err err = TL_OK;

	if (out)
		*out = NULL;
	if (n)
		*n = 0;
	if (!out || !n || !a || !b)
		return tl__error(TL_EINVAL, "sbom diff: NULL argument");
	if (!tl_size_add(&total, a->n_components, b->n_components))
		return tl__nomem();
	if (total == 0)
		goto done;
	if (!(items = calloc(total, sizeof(*items))) || !(ra = calloc(total, sizeof(*ra))) ||
	    !(rb = calloc(total, sizeof(*rb)))) {
		err = tl__nomem();
		goto done;
	}
	for (int side = 0; side < 2; side++) {
		const tl_sbom *d = side ? b : a;
		for (i = 0; i < d->n_components; i++) {
			item *it = &items[count];
			if (!(it->key = match_key(&d->components[i]))) {
				err = tl__nomem();
				goto done;
			}
			it->c = &d->components[i];
			it->side = side;
			it->idx = i;
			count++;
		}
	}
	qsort(items, count, sizeof(*items), cmp_item);

	for (i = 0; i < count;) {
		size_t end = i, mid;
		while (end < count && strcmp(items[end].key, items[i].key) == 0)
			end++;
		for (mid = i; mid < end && items[mid].side == 0; mid++)
			;
		if ((err = diff_group(&v, &nv, items + i, mid - i, items + mid, end - mid, ra, rb)) != TL_OK)
			goto done;
		i = end;
	}
	if (nv > 1)
		qsort(v, nv, sizeof(*v), cmp_entry);
	*out = v;
	*n = nv;
	v = NULL;
done:
	for (i = 0; i < count; i++)
		free(items[i].key);
	free(items);
	free(ra);
	free(rb);
	free(v);
	return err;
}
