/*
 * VEX out: an OpenVEX 0.2.0 document from triaged findings (docs/vex.md).
 *
 *   @context      "https://openvex.dev/ns/v0.2.0"
 *   @id           opts->id, else urn:uuid:<RFC 9562 version 8 UUID from
 *                 SHA-256 of the document written without @id>
 *   author, role  opts
 *   timestamp     opts->timestamp, else tl_now() (SOURCE_DATE_EPOCH)
 *   version       1
 *   tooling       opts->tooling, else "trustline <version>"
 *   statements[]  one per distinct (vulnerability id, status, justification,
 *                 impact, action), sorted by those; each with
 *     vulnerability {name, aliases[] (the union over its findings)}
 *     products[]    {"@id": purl} or {"identifiers": {"cpe23": cpe}}, sorted
 *     status, justification, impact_statement, action_statement, timestamp
 *
 * The OpenVEX rules are checked before anything is written: not_affected
 * needs a justification or an impact statement, affected an action
 * statement, and a justification goes only with not_affected.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vuln_int.h"

static tl_err put(json_t *obj, const char *key, json_t *value)
{
	if (!value || json_object_set_new(obj, key, value) != 0)
		return tl__nomem();
	return TL_OK;
}

static tl_err put_str(json_t *obj, const char *key, const char *s)
{
	return s ? put(obj, key, json_string(s)) : TL_OK;
}

static tl_err append(json_t *arr, json_t *value)
{
	if (!value || json_array_append_new(arr, value) != 0)
		return tl__nomem();
	return TL_OK;
}

static int cmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* The statement key of a finding: what makes two findings one statement. */
static int stmt_cmp(const tl_finding *a, const tl_finding *b)
{
	int c;

	if ((c = cmp_null(a->id, b->id)) || (c = (int)a->vex_status - (int)b->vex_status) ||
	    (c = cmp_null(a->vex_justification, b->vex_justification)) ||
	    (c = cmp_null(a->vex_impact, b->vex_impact)) || (c = cmp_null(a->vex_action, b->vex_action)))
		return c;
	return 0;
}

static const tl_finding *sort_base;

static int order_cmp(const void *x, const void *y)
{
	const tl_finding *a = &sort_base[*(const size_t *)x], *b = &sort_base[*(const size_t *)y];
	int c = stmt_cmp(a, b);

	return c ? c : cmp_null(a->component_id, b->component_id);
}

static bool is_purl(const char *s)
{
	return s && !strncmp(s, "pkg:", 4);
}

static bool is_cpe(const char *s)
{
	return s && !strncasecmp(s, "cpe:2.3:", 8);
}

static tl_err check(const tl_finding *f, size_t i)
{
	const char *id = f->id ? f->id : "?";

	if (!f->id || !*f->id)
		return tl__error(TL_EINVAL, "finding %zu: no vulnerability id", i);
	if (!is_purl(f->component_id) && !is_cpe(f->component_id))
		return tl__error(TL_EINVAL, "finding %zu (%.80s): no purl or CPE to name the product", i, id);
	if (f->vex_justification && !tl_vex_justification_valid(f->vex_justification))
		return tl__error(TL_EINVAL, "finding %zu (%.80s): \"%.80s\" is not an OpenVEX justification",
		                 i, id, f->vex_justification);
	if (f->vex_justification && f->vex_status != TL_VEX_NOT_AFFECTED)
		return tl__error(TL_EINVAL, "finding %zu (%.80s): a justification goes only with status "
		                 "not_affected", i, id);
	if (f->vex_status == TL_VEX_NOT_AFFECTED && !f->vex_justification && !f->vex_impact)
		return tl__error(TL_EINVAL, "finding %zu (%.80s): status not_affected needs a justification "
		                 "or an impact statement", i, id);
	if (f->vex_status == TL_VEX_AFFECTED && !f->vex_action)
		return tl__error(TL_EINVAL, "finding %zu (%.80s): status affected needs an action statement",
		                 i, id);
	return TL_OK;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One statement from findings order[lo..hi) (same statement key). */
static tl_err statement(json_t **out, const tl_finding *v, const size_t *order, size_t lo, size_t hi,
                        const char *ts)
{
	json_t *st = json_object(), *vuln = json_object(), *products = json_array(), *aliases = NULL;
	const tl_finding *f0 = &v[order[lo]];
	const char **names = NULL;
	size_t n = 0, cap = 0;
	tl_err err = TL_OK;

	if (!st || !vuln || !products) {
		err = tl__nomem();
		goto done;
	}
	/* aliases: the union over the findings, sorted, without the id */
	for (size_t k = lo; k < hi; k++) {
		const tl_finding *f = &v[order[k]];
		for (size_t a = 0; a < f->n_aliases; a++) {
			if (!f->aliases[a] || !strcmp(f->aliases[a], f0->id))
				continue;
			if (n == cap) {
				const char **nn = realloc(names, (cap ? cap * 2 : 8) * sizeof(*nn));
				if (!nn) {
					err = tl__nomem();
					goto done;
				}
				names = nn;
				cap = cap ? cap * 2 : 8;
			}
			names[n++] = f->aliases[a];
		}
	}
	if (n)
		qsort(names, n, sizeof(*names), str_cmp);
	if ((err = put_str(vuln, "name", f0->id)) != TL_OK)
		goto done;
	if (n) {
		if (!(aliases = json_array())) {
			err = tl__nomem();
			goto done;
		}
		for (size_t k = 0; k < n; k++)
			if ((k == 0 || strcmp(names[k], names[k - 1])) &&
			    (err = append(aliases, json_string(names[k]))) != TL_OK)
				goto done;
		err = put(vuln, "aliases", aliases);
		aliases = NULL;
		if (err != TL_OK)
			goto done;
	}
	/* products, sorted by identifier (order is), each once */
	for (size_t k = lo; k < hi; k++) {
		const tl_finding *f = &v[order[k]];
		json_t *p;
		if (k > lo && !strcmp(f->component_id, v[order[k - 1]].component_id))
			continue;
		if (!(p = json_object())) {
			err = tl__nomem();
			goto done;
		}
		if (is_purl(f->component_id)) {
			err = put_str(p, "@id", f->component_id);
		} else {
			json_t *ids = json_object();
			/* put() takes ids, also when it fails */
			err = ids ? put_str(ids, "cpe23", f->component_id) : tl__nomem();
			if (err == TL_OK)
				err = put(p, "identifiers", ids);
			else
				json_decref(ids);
		}
		if (err != TL_OK) {
			json_decref(p);
			goto done;
		}
		if ((err = append(products, p)) != TL_OK) /* append() takes p */
			goto done;
	}
	if ((err = put(st, "vulnerability", vuln)) != TL_OK) {
		vuln = NULL;
		goto done;
	}
	vuln = NULL;
	err = put(st, "products", products);
	products = NULL;
	if (err != TL_OK ||
	    (err = put_str(st, "status", tl_vex_status_name(f0->vex_status))) != TL_OK ||
	    (err = put_str(st, "justification", f0->vex_justification)) != TL_OK ||
	    (err = put_str(st, "impact_statement", f0->vex_impact)) != TL_OK ||
	    (err = put_str(st, "action_statement", f0->vex_action)) != TL_OK ||
	    (err = put_str(st, "timestamp", ts)) != TL_OK)
		goto done;
	*out = st;
	st = NULL;
done:
	free(names);
	json_decref(aliases);
	json_decref(products);
	json_decref(vuln);
	json_decref(st);
	return err;
}

tl_err tl__json_urn_uuid(char out[46], const json_t *doc)
{
	tl_buf b = TL_BUF_INIT;
	uint8_t d[TL_HASH_MAX_LEN];
	size_t dlen;
	char hex[33];
	tl_err err;

	if ((err = tl_json_dump(&b, doc)) != TL_OK)
		return err;
	err = tl_hash_buf(TL_HASH_SHA256, b.ptr, b.len, d, &dlen);
	tl_buf_dispose(&b);
	if (err != TL_OK)
		return err;
	d[6] = (uint8_t)((d[6] & 0x0f) | 0x80);
	d[8] = (uint8_t)((d[8] & 0x3f) | 0x80);
	tl_hex(hex, d, 16);
	snprintf(out, 46, "urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
	         hex + 20);
	return TL_OK;
}

tl_err tl_vex_write_openvex(tl_buf *out, const tl_findings *f, const tl_vex_out_opts *o)
{
	json_t *doc = NULL, *stmts = NULL;
	size_t *order = NULL, n = 0;
	int64_t now;
	char ts[32], id[46], tooling[64];
	tl_err err;

	if (!out || !f || !o)
		return TL_EINVAL;
	if (!o->author || !*o->author)
		return tl__error(TL_EINVAL, "OpenVEX needs an author");
	for (size_t i = 0; i < f->n; i++) {
		if (f->v[i].vex_status == TL_VEX_NONE)
			continue;
		if ((err = check(&f->v[i], i)) != TL_OK)
			return err;
		n++;
	}
	if (!n)
		return tl__error(TL_EINVAL, "no finding has a VEX status: nothing to state");
	if (o->timestamp) {
		now = o->timestamp;
	} else if ((err = tl_now(&now)) != TL_OK) {
		return err;
	}
	tl_time_iso8601(ts, now);
	if (!(order = malloc(n * sizeof(*order))))
		return tl__nomem();
	n = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].vex_status != TL_VEX_NONE)
			order[n++] = i;
	sort_base = f->v;
	qsort(order, n, sizeof(*order), order_cmp);

	if (!(doc = json_object()) || !(stmts = json_array())) {
		err = tl__nomem();
		goto done;
	}
	for (size_t lo = 0, hi; lo < n; lo = hi) {
		json_t *st = NULL;
		for (hi = lo + 1; hi < n && !stmt_cmp(&f->v[order[lo]], &f->v[order[hi]]); hi++)
			;
		if ((err = statement(&st, f->v, order, lo, hi, ts)) != TL_OK ||
		    (err = append(stmts, st)) != TL_OK)
			goto done;
	}
	snprintf(tooling, sizeof(tooling), "trustline %s", TL_VERSION);
	if ((err = put_str(doc, "@context", "https://openvex.dev/ns/v0.2.0")) != TL_OK ||
	    (err = put_str(doc, "author", o->author)) != TL_OK ||
	    (err = put_str(doc, "role", o->role)) != TL_OK ||
	    (err = put_str(doc, "timestamp", ts)) != TL_OK ||
	    (err = put(doc, "version", json_integer(1))) != TL_OK ||
	    (err = put_str(doc, "tooling", o->tooling ? o->tooling : tooling)) != TL_OK)
		goto done;
	err = put(doc, "statements", stmts);
	stmts = NULL;
	if (err != TL_OK)
		goto done;
	if (o->id) {
		err = put_str(doc, "@id", o->id);
	} else if ((err = tl__json_urn_uuid(id, doc)) == TL_OK) {
		err = put_str(doc, "@id", id);
	}
	if (err != TL_OK)
		goto done;
	err = tl_json_dump(out, doc);
done:
	free(order);
	json_decref(stmts);
	json_decref(doc);
	return err;
}
