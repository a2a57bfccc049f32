/*
 * CycloneDX 1.6 (default) and 1.5 JSON writer.
 *
 * Output, with keys sorted by tl_json_dump:
 *
 *   bomFormat      "CycloneDX"
 *   specVersion    "1.6" | "1.5"
 *   serialNumber   doc->serial when it is a urn:uuid, else urn:uuid derived
 *                  from SHA-256 of the document written without it
 *   version        1
 *   metadata       timestamp (doc->timestamp, else tl_now()),
 *                  lifecycles [{phase}] or [{name}], tools {components:[...]},
 *                  authors [{name,email}], component (subject), supplier {name},
 *                  manufacturer {name} (1.6) / manufacture {name} (1.5),
 *                  properties [{name,value}]
 *   components     [{type, bom-ref, group, name, version, description,
 *                  supplier {name}, authors [{name}] (1.6) / author (1.5),
 *                  purl, cpe, hashes [{alg,content}], licenses [{expression}],
 *                  copyright, scope, evidence {occurrences [{location}]},
 *                  properties}]
 *   dependencies   [{ref, dependsOn [...]}] for every node of the graph
 *
 * On 1.5, a cryptographic-asset component is written with type "data".
 *
 * Every document written validates against the official schema: values the
 * schema would reject (a hash that is not 32/40/64/96/128 hex digits, an
 * empty bom-ref) are left out, a 1.6 version longer than 1024 characters is
 * cut there, and tools or authors that come out identical are written once.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"
#include "trustline/sbom.h"

/* maxLength of definitions.version in the 1.6 schema (code points) */
#define CDX16_VERSION_MAX 1024

typedef struct {
	bool v16; /* writing 1.6; else 1.5 */
} wctx;

/* Adds key: value (taken) to obj; NULL value is an allocation failure. */
static tl_err put(json_t *obj, const char *key, json_t *value)
{
	if (!value || json_object_set_new(obj, key, value) != 0)
		return tl__nomem();
	return TL_OK;
}

static tl_err put_str(json_t *obj, const char *key, const char *s)
{
	if (!s)
		return TL_OK;
	return put(obj, key, json_string(s));
}

static tl_err append(json_t *arr, json_t *value)
{
	if (!value || json_array_append_new(arr, value) != 0)
		return tl__nomem();
	return TL_OK;
}

/* {"name": name}, for organizationalEntity and organizationalContact. */
static tl_err put_named(json_t *obj, const char *key, const char *name)
{
	json_t *o;
	tl_err err;

	if (!name)
		return TL_OK;
	if (!(o = json_object()))
		return tl__nomem();
	if ((err = put_str(o, "name", name)) != TL_OK) {
		json_decref(o);
		return err;
	}
	return put(obj, key, o);
}

/* The hash-content pattern of the schema: 32, 40, 64, 96 or 128 hex digits. */
static bool hex_ok(const char *s)
{
	static const char digits[] = "0123456789abcdefABCDEF";
	size_t n = strspn(s, digits);

	if (s[n])
		return false;
	return n == 32 || n == 40 || n == 64 || n == 96 || n == 128;
}

/* The version string to write: s itself, or on 1.6 a copy cut after
 * CDX16_VERSION_MAX code points.  *copy receives what to free. */
static const char *version_for(const wctx *w, const char *s, char **copy)
{
	size_t cps = 0, i;

	*copy = NULL;
	if (!s || !w->v16)
		return s;
	for (i = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (cps == CDX16_VERSION_MAX)
				break;
			cps++;
		}
	}
	if (!s[i])
		return s;
	*copy = strndup(s, i);
	return *copy;
}

static tl_err props_json(json_t *obj, const tl_sbom_property *props, size_t n)
{
	json_t *arr;
	tl_err err = TL_OK;

	if (n == 0)
		return TL_OK;
	if (!(arr = json_array()))
		return tl__nomem();
	for (size_t i = 0; i < n && !err; i++) {
		json_t *p = json_object();
		if (!p) {
			err = tl__nomem();
			break;
		}
		if ((err = put_str(p, "name", props[i].name)) == TL_OK)
			err = put_str(p, "value", props[i].value);
		if (err) {
			json_decref(p);
			break;
		}
		err = append(arr, p);
	}
	if (err) {
		json_decref(arr);
		return err;
	}
	return put(obj, "properties", arr);
}

static const char *scope_name(tl_sbom_scope s)
{
	switch (s) {
	case TL_SCOPE_REQUIRED: return "required";
	case TL_SCOPE_OPTIONAL: return "optional";
	case TL_SCOPE_EXCLUDED: return "excluded";
	default: return NULL;
	}
}

/* Builds the JSON of one component into *out (new reference). */
static tl_err component_json(json_t **out, const wctx *w, const tl_sbom_component *c)
{
	json_t *o = NULL, *arr = NULL, *x = NULL;
	/* 1.5 has no cryptographic-asset type; "data" is its nearest kin there */
	const char *type = !w->v16 && c->type == TL_COMP_CRYPTOGRAPHIC_ASSET ? "data" :
	                   tl_sbom_comp_type_name(c->type);
	char *vcopy = NULL;
	const char *version;
	tl_err err = TL_OK;

	*out = NULL;
	if (!(o = json_object())) {
		err = tl__nomem();
		goto done;
	}
	version = version_for(w, c->version, &vcopy);
	if (c->version && !version) {
		err = tl__nomem();
		goto done;
	}
	if ((err = put_str(o, "type", type ? type : "library")) ||
	    (c->ref && *c->ref && (err = put_str(o, "bom-ref", c->ref))) ||
	    (err = put_str(o, "group", c->group)) ||
	    (err = put_str(o, "name", c->name ? c->name : "")) ||
	    (err = put_str(o, "version", version)) ||
	    (err = put_str(o, "description", c->description)) ||
	    (err = put_named(o, "supplier", c->supplier)) ||
	    (err = put_str(o, "purl", c->purl)) ||
	    (err = put_str(o, "cpe", c->cpe)) ||
	    (err = put_str(o, "copyright", c->copyright)) ||
	    (err = put_str(o, "scope", scope_name(c->scope))))
		goto done;
	if (c->author && *c->author) {
		if (w->v16) {
			if (!(arr = json_array()) || !(x = json_object())) {
				err = tl__nomem();
				goto done;
			}
			if ((err = put_str(x, "name", c->author)) != TL_OK)
				goto done;
			err = append(arr, x);
			x = NULL;
			if (err)
				goto done;
			err = put(o, "authors", arr);
			arr = NULL;
			if (err)
				goto done;
		} else if ((err = put_str(o, "author", c->author)) != TL_OK) {
			goto done;
		}
	}
	if (c->n_hashes) {
		if (!(arr = json_array())) {
			err = tl__nomem();
			goto done;
		}
		for (size_t i = 0; i < c->n_hashes; i++) {
			const char *alg = tl_sbom_hash_alg_name(c->hashes[i].alg);
			if (!alg || !c->hashes[i].hex || !hex_ok(c->hashes[i].hex)) {
				tl__log(TL_LOG_WARN, "component %s: hash left out: not a hex digest the schema accepts",
				        c->ref ? c->ref : "(no ref)");
				continue;
			}
			if (!(x = json_object())) {
				err = tl__nomem();
				goto done;
			}
			if ((err = put_str(x, "alg", alg)) || (err = put_str(x, "content", c->hashes[i].hex)))
				goto done;
			err = append(arr, x);
			x = NULL;
			if (err)
				goto done;
		}
		if (json_array_size(arr))
			err = put(o, "hashes", arr);
		else
			json_decref(arr);
		arr = NULL;
		if (err)
			goto done;
	}
	if (c->license) {
		if (!(arr = json_array()) || !(x = json_object())) {
			err = tl__nomem();
			goto done;
		}
		if ((err = put_str(x, "expression", c->license)) != TL_OK)
			goto done;
		err = append(arr, x);
		x = NULL;
		if (!err)
			err = put(o, "licenses", arr);
		arr = NULL;
		if (err)
			goto done;
	}
	if (c->n_files) {
		json_t *ev;
		if (!(arr = json_array())) {
			err = tl__nomem();
			goto done;
		}
		for (size_t i = 0; i < c->n_files; i++) {
			if (!(x = json_object())) {
				err = tl__nomem();
				goto done;
			}
			if ((err = put_str(x, "location", c->files[i])) != TL_OK)
				goto done;
			err = append(arr, x);
			x = NULL;
			if (err)
				goto done;
		}
		if (!(ev = json_object())) {
			err = tl__nomem();
			goto done;
		}
		err = put(ev, "occurrences", arr);
		arr = NULL;
		if (err) {
			json_decref(ev);
			goto done;
		}
		if ((err = put(o, "evidence", ev)) != TL_OK) /* put took ev */
			goto done;
	}
	if ((err = props_json(o, c->props, c->n_props)) != TL_OK)
		goto done;
	*out = o;
	o = NULL;
done:
	json_decref(x);
	json_decref(arr);
	json_decref(o);
	free(vcopy);
	return err;
}

/* Appends item (taken) to arr unless an identical one is there. */
/* seen: the compact JSON texts of arr's items (own_keys), so items that
 * come out identical (the schema wants unique tools) are written once, in
 * linear time however many there are. */
static tl_err append_unique(json_t *arr, tl__strtab *seen, json_t *item)
{
	char *text;
	tl__strtab_slot *e;
	bool added;
	tl_err err;

	if (!item)
		return tl__nomem();
	if (!(text = json_dumps(item, JSON_COMPACT | JSON_SORT_KEYS))) {
		json_decref(item);
		return tl__nomem();
	}
	err = tl__strtab_put(seen, text, &e, &added);
	free(text);
	if (err || !added) {
		json_decref(item);
		return err;
	}
	return append(arr, item);
}

/* tools: the 1.5+ object form; the schema wants unique items. */
static tl_err tools_json(json_t *meta, const wctx *w, const tl_sbom *doc)
{
	json_t *tools = NULL, *arr = NULL, *t = NULL;
	tl__strtab seen = { .own_keys = true };
	char *vcopy = NULL;
	tl_err err = TL_OK;

	if (doc->n_tools == 0)
		return TL_OK;
	if (!(tools = json_object()) || !(arr = json_array())) {
		err = tl__nomem();
		goto done;
	}
	for (size_t i = 0; i < doc->n_tools; i++) {
		const tl_sbom_party *p = &doc->tools[i];
		const char *version;
		free(vcopy);
		version = version_for(w, p->version, &vcopy);
		if (p->version && !version) {
			err = tl__nomem();
			goto done;
		}
		if (!(t = json_object())) {
			err = tl__nomem();
			goto done;
		}
		if ((err = put_str(t, "type", "application")) ||
		    (err = put_str(t, "group", p->vendor)) ||
		    (err = put_str(t, "name", p->name ? p->name : "")) ||
		    (err = put_str(t, "version", version)))
			goto done;
		err = append_unique(arr, &seen, t);
		t = NULL;
		if (err)
			goto done;
	}
	err = put(tools, "components", arr);
	arr = NULL;
	if (err)
		goto done;
	err = put(meta, "tools", tools);
	tools = NULL;
done:
	tl__strtab_dispose(&seen);
	free(vcopy);
	json_decref(t);
	json_decref(arr);
	json_decref(tools);
	return err;
}

static tl_err authors_json(json_t *meta, const tl_sbom *doc)
{
	json_t *arr = NULL, *a = NULL;
	tl__strtab seen = { .own_keys = true };
	tl_err err = TL_OK;

	if (doc->n_authors == 0)
		return TL_OK;
	if (!(arr = json_array()))
		return tl__nomem();
	for (size_t i = 0; i < doc->n_authors; i++) {
		const tl_sbom_party *p = &doc->authors[i];
		if (!(a = json_object())) {
			err = tl__nomem();
			goto done;
		}
		if ((err = put_str(a, "name", p->name)) || (err = put_str(a, "email", p->email)))
			goto done;
		err = append_unique(arr, &seen, a);
		a = NULL;
		if (err)
			goto done;
	}
	err = put(meta, "authors", arr);
	arr = NULL;
done:
	tl__strtab_dispose(&seen);
	json_decref(a);
	json_decref(arr);
	return err;
}

static bool is_phase(const char *s)
{
	static const char *const phases[] = {
		"design", "pre-build", "build", "post-build", "operations", "discovery", "decommission",
	};

	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		if (strcmp(s, phases[i]) == 0)
			return true;
	}
	return false;
}

static tl_err metadata_json(json_t *root, const wctx *w, const tl_sbom *doc)
{
	json_t *meta = NULL, *x = NULL, *arr = NULL;
	char ts[32];
	int64_t t = doc->timestamp;
	tl_err err = TL_OK;

	if (!(meta = json_object()))
		return tl__nomem();
	if (t == 0 && (err = tl_now(&t)) != TL_OK)
		goto done;
	tl_time_iso8601(ts, t);
	if ((err = put_str(meta, "timestamp", ts)) != TL_OK)
		goto done;
	if (doc->lifecycle) {
		if (!(arr = json_array()) || !(x = json_object())) {
			err = tl__nomem();
			goto done;
		}
		err = put_str(x, is_phase(doc->lifecycle) ? "phase" : "name", doc->lifecycle);
		if (err)
			goto done;
		err = append(arr, x);
		x = NULL;
		if (!err)
			err = put(meta, "lifecycles", arr);
		arr = NULL;
		if (err)
			goto done;
	}
	if ((err = tools_json(meta, w, doc)) || (err = authors_json(meta, doc)))
		goto done;
	if (doc->subject) {
		if ((err = component_json(&x, w, doc->subject)) != TL_OK)
			goto done;
		err = put(meta, "component", x);
		x = NULL;
		if (err)
			goto done;
	}
	if ((err = put_named(meta, "supplier", doc->supplier)) ||
	    (err = put_named(meta, w->v16 ? "manufacturer" : "manufacture", doc->manufacturer)) ||
	    (err = props_json(meta, doc->props, doc->n_props)))
		goto done;
	err = put(root, "metadata", meta);
	meta = NULL;
done:
	json_decref(x);
	json_decref(arr);
	json_decref(meta);
	return err;
}

/* The items of "components" and "dependencies", made one at a time while
 * the document is written (tl__json_dump_gen). */
typedef struct {
	const wctx *w;
	const tl_sbom *doc;
	size_t next;
} gen_state;

static tl_err next_component(void *ctx, json_t **out)
{
	gen_state *g = ctx;

	*out = NULL;
	if (g->next >= g->doc->n_components)
		return TL_OK;
	return component_json(out, g->w, &g->doc->components[g->next++]);
}

/* ---- components and dependencies written as text ------------------------
 *
 * The bytes tl_json_dump would write for the same objects (component_json
 * makes a component's, for the serial path): keys in its order (bytes),
 * its indentation and escapes.  A string jansson would refuse (not UTF-8)
 * fails as json_string's NULL does in component_json. */

static bool text_ok(const char *s)
{
	return !s || tl__json_utf8_valid(s, strlen(s)); /* NULL: left out */
}

/* key: "v"; nothing when v is NULL (as put_str) */
static tl_err put_kv(tl_buf *o, unsigned depth, bool *first, const char *key, const char *v)
{
	tl_err err;

	if (!v)
		return TL_OK;
	if ((err = tl__json_put_key(o, depth, first, key)) != TL_OK)
		return err;
	return tl__json_put_string(o, v, strlen(v));
}

/* an item of an array at depth - 1 opens: ",\n<indent>" */
static tl_err put_item(tl_buf *o, unsigned depth, bool *first)
{
	tl_err err = TL_OK;

	if (!*first)
		err = tl_buf_putc(o, ',');
	*first = false;
	return err ? err : tl__json_put_indent(o, depth);
}

/* an object at depth with one member key: v, "{}" when v is NULL */
static tl_err put_one(tl_buf *o, unsigned depth, const char *key, const char *v)
{
	bool first = true;
	tl_err err;

	if (!v)
		return tl_buf_put(o, "{}", 2);
	if ((err = tl_buf_putc(o, '{')) != TL_OK || (err = put_kv(o, depth + 1, &first, key, v)) != TL_OK ||
	    (err = tl__json_put_indent(o, depth)) != TL_OK)
		return err;
	return tl_buf_putc(o, '}');
}

static tl_err put_close(tl_buf *o, unsigned depth, char c)
{
	tl_err err = tl__json_put_indent(o, depth);

	return err ? err : tl_buf_putc(o, c);
}

static bool hash_written(const tl_sbom_hash *h)
{
	return tl_sbom_hash_alg_name(h->alg) && h->hex && hex_ok(h->hex);
}

/* the component at depth 2: its keys at 3, their items at 4 */
static tl_err component_text(tl_buf *o, const wctx *w, const tl_sbom_component *c, const char *type,
                             const char *version)
{
	bool first = true, fi;
	size_t n_hashes = 0;
	tl_err err;

	for (size_t i = 0; i < c->n_hashes; i++)
		n_hashes += hash_written(&c->hashes[i]);
	if ((err = tl_buf_putc(o, '{')) != TL_OK)
		return err;
	if (c->author && *c->author) {
		if (!w->v16) {
			err = put_kv(o, 3, &first, "author", c->author);
		} else {
			fi = true;
			if ((err = tl__json_put_key(o, 3, &first, "authors")) == TL_OK && (err = tl_buf_putc(o, '[')) == TL_OK &&
			    (err = put_item(o, 4, &fi)) == TL_OK && (err = put_one(o, 4, "name", c->author)) == TL_OK)
				err = put_close(o, 3, ']');
		}
		if (err)
			return err;
	}
	if ((c->ref && *c->ref && (err = put_kv(o, 3, &first, "bom-ref", c->ref)) != TL_OK) ||
	    (err = put_kv(o, 3, &first, "copyright", c->copyright)) != TL_OK ||
	    (err = put_kv(o, 3, &first, "cpe", c->cpe)) != TL_OK ||
	    (err = put_kv(o, 3, &first, "description", c->description)) != TL_OK)
		return err;
	if (c->n_files) {
		fi = true;
		if ((err = tl__json_put_key(o, 3, &first, "evidence")) != TL_OK || (err = tl_buf_putc(o, '{')) != TL_OK ||
		    (err = tl__json_put_indent(o, 4)) != TL_OK ||
		    (err = tl__json_put_string(o, "occurrences", 11)) != TL_OK || (err = tl_buf_put(o, ": [", 3)) != TL_OK)
			return err;
		for (size_t i = 0; i < c->n_files; i++)
			if ((err = put_item(o, 5, &fi)) != TL_OK || (err = put_one(o, 5, "location", c->files[i])) != TL_OK)
				return err;
		if ((err = put_close(o, 4, ']')) != TL_OK || (err = put_close(o, 3, '}')) != TL_OK)
			return err;
	}
	if ((err = put_kv(o, 3, &first, "group", c->group)) != TL_OK)
		return err;
	if (n_hashes) {
		fi = true;
		if ((err = tl__json_put_key(o, 3, &first, "hashes")) != TL_OK || (err = tl_buf_putc(o, '[')) != TL_OK)
			return err;
		for (size_t i = 0; i < c->n_hashes; i++) {
			bool fa = true;
			if (!hash_written(&c->hashes[i]))
				continue;
			if ((err = put_item(o, 4, &fi)) != TL_OK || (err = tl_buf_putc(o, '{')) != TL_OK ||
			    (err = put_kv(o, 5, &fa, "alg", tl_sbom_hash_alg_name(c->hashes[i].alg))) != TL_OK ||
			    (err = put_kv(o, 5, &fa, "content", c->hashes[i].hex)) != TL_OK ||
			    (err = put_close(o, 4, '}')) != TL_OK)
				return err;
		}
		if ((err = put_close(o, 3, ']')) != TL_OK)
			return err;
	}
	if (c->license) {
		fi = true;
		if ((err = tl__json_put_key(o, 3, &first, "licenses")) != TL_OK || (err = tl_buf_putc(o, '[')) != TL_OK ||
		    (err = put_item(o, 4, &fi)) != TL_OK || (err = put_one(o, 4, "expression", c->license)) != TL_OK ||
		    (err = put_close(o, 3, ']')) != TL_OK)
			return err;
	}
	if ((err = put_kv(o, 3, &first, "name", c->name ? c->name : "")) != TL_OK)
		return err;
	if (c->n_props) {
		fi = true;
		if ((err = tl__json_put_key(o, 3, &first, "properties")) != TL_OK || (err = tl_buf_putc(o, '[')) != TL_OK)
			return err;
		for (size_t i = 0; i < c->n_props; i++) {
			const tl_sbom_property *p = &c->props[i];
			bool fa = true;
			if ((err = put_item(o, 4, &fi)) != TL_OK)
				return err;
			if (!p->name && !p->value) {
				err = tl_buf_put(o, "{}", 2);
			} else if ((err = tl_buf_putc(o, '{')) == TL_OK && (err = put_kv(o, 5, &fa, "name", p->name)) == TL_OK &&
			           (err = put_kv(o, 5, &fa, "value", p->value)) == TL_OK) {
				err = put_close(o, 4, '}');
			}
			if (err)
				return err;
		}
		if ((err = put_close(o, 3, ']')) != TL_OK)
			return err;
	}
	if ((err = put_kv(o, 3, &first, "purl", c->purl)) != TL_OK ||
	    (err = put_kv(o, 3, &first, "scope", scope_name(c->scope))) != TL_OK)
		return err;
	if (c->supplier) {
		if ((err = tl__json_put_key(o, 3, &first, "supplier")) != TL_OK ||
		    (err = put_one(o, 3, "name", c->supplier)) != TL_OK)
			return err;
	}
	if ((err = put_kv(o, 3, &first, "type", type)) != TL_OK ||
	    (err = put_kv(o, 3, &first, "version", version)) != TL_OK)
		return err;
	return put_close(o, 2, '}');
}

/* item i of "components" as text (tl__json_gen.write: reads only) */
static tl_err component_write(void *ctx, size_t i, tl_buf *out, bool *wrote)
{
	const gen_state *g = ctx;
	const tl_sbom_component *c = &g->doc->components[i];
	const char *type = !g->w->v16 && c->type == TL_COMP_CRYPTOGRAPHIC_ASSET ? "data" :
	                   tl_sbom_comp_type_name(c->type);
	char *vcopy = NULL;
	const char *version = version_for(g->w, c->version, &vcopy);
	bool ok;
	tl_err err;

	*wrote = false;
	if (c->version && !version)
		return tl__nomem();
	/* every string component_json would make: one jansson refuses fails */
	ok = text_ok(c->ref && *c->ref ? c->ref : NULL) && text_ok(c->group) && text_ok(c->name) &&
	     text_ok(version) && text_ok(c->description) && text_ok(c->supplier) && text_ok(c->purl) &&
	     text_ok(c->cpe) && text_ok(c->copyright) && text_ok(c->author && *c->author ? c->author : NULL) &&
	     text_ok(c->license);
	for (size_t k = 0; ok && k < c->n_files; k++)
		ok = text_ok(c->files[k]);
	for (size_t k = 0; ok && k < c->n_props; k++)
		ok = text_ok(c->props[k].name) && text_ok(c->props[k].value);
	for (size_t k = 0; ok && k < c->n_hashes; k++)
		ok = !hash_written(&c->hashes[k]) || text_ok(c->hashes[k].hex);
	if (!ok) {
		free(vcopy);
		return tl__nomem();
	}
	err = component_text(out, g->w, c, type ? type : "library", version);
	free(vcopy);
	*wrote = err == TL_OK;
	return err;
}

/* Whether writing some component logs a warning (a hash left out): then
 * the components are made in order on this thread, so that the warnings
 * come in order. */
static bool components_warn(const tl_sbom *doc)
{
	for (size_t i = 0; i < doc->n_components; i++) {
		const tl_sbom_component *c = &doc->components[i];
		for (size_t j = 0; j < c->n_hashes; j++)
			if (!tl_sbom_hash_alg_name(c->hashes[j].alg) || !c->hashes[j].hex || !hex_ok(c->hashes[j].hex))
				return true;
	}
	return false;
}

static tl_err dependency_write(void *ctx, size_t i, tl_buf *out, bool *wrote)
{
	const gen_state *g = ctx;
	const tl_sbom_dependency *d = &g->doc->deps[i];
	bool first = true, fi = true;
	tl_err err;

	*wrote = false;
	if (!d->ref || !*d->ref)
		return TL_OK; /* refLinkType has minLength 1: nodes without a ref are left out */
	for (size_t j = 0; j < d->n_deps; j++)
		if (d->deps[j] && *d->deps[j] && !text_ok(d->deps[j]))
			return tl__nomem();
	if (!text_ok(d->ref))
		return tl__nomem();
	if ((err = tl_buf_putc(out, '{')) != TL_OK || (err = tl__json_put_key(out, 3, &first, "dependsOn")) != TL_OK ||
	    (err = tl_buf_putc(out, '[')) != TL_OK)
		return err;
	for (size_t j = 0; j < d->n_deps; j++) {
		if (!d->deps[j] || !*d->deps[j])
			continue;
		if ((err = put_item(out, 4, &fi)) != TL_OK ||
		    (err = tl__json_put_string(out, d->deps[j], strlen(d->deps[j]))) != TL_OK)
			return err;
	}
	if ((err = fi ? tl_buf_putc(out, ']') : put_close(out, 3, ']')) != TL_OK ||
	    (err = put_kv(out, 3, &first, "ref", d->ref)) != TL_OK || (err = put_close(out, 2, '}')) != TL_OK)
		return err;
	*wrote = true;
	return TL_OK;
}

/* Writes root with its components and dependencies made as they are
 * written: appended to out, or passed to sink (tl__json_dump_gen). */
static tl_err dump_document(tl_buf *out, const tl_sink *sink, const json_t *root, const wctx *w,
                            const tl_sbom *doc)
{
	gen_state cs = { w, doc, 0 }, ds = { w, doc, 0 };
	bool warn = components_warn(doc);
	const tl__json_gen gens[] = {
		{ "components", next_component, &cs, NULL, doc->n_components, warn ? NULL : component_write },
		{ "dependencies", NULL, &ds, NULL, doc->n_deps, dependency_write },
	};

	return tl__json_dump_gen(out, sink, root, gens, 2);
}

/* "^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$" */
static bool serial_ok(const char *s)
{
	static const char prefix[] = "urn:uuid:";
	size_t n = sizeof(prefix) - 1;

	if (!s || strncmp(s, prefix, n) != 0 || strlen(s) != n + 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		char c = s[n + i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return false;
		}
	}
	return true;
}

/* urn:uuid from a digest of the content: RFC 4122 layout, version 5 and
 * variant bits set, so the same document always gets the same serial. */
static tl_err derive_serial(char out[46], const json_t *root, const wctx *w, const tl_sbom *doc)
{
	tl_buf b = TL_BUF_INIT;
	tl_hash_ctx *h = NULL;
	tl_sink sink;
	uint8_t md[TL_HASH_MAX_LEN];
	char hex[33];
	size_t mdlen, o = 0;
	tl_err err;

	/* the digest of the text, made as the text is, never held whole */
	if ((err = tl_hash_new(&h, TL_HASH_SHA256)) != TL_OK)
		goto done;
	sink = tl__hash_sink(h);
	if ((err = dump_document(&b, &sink, root, w, doc)) != TL_OK)
		goto done;
	if ((err = tl_hash_final(h, md, &mdlen)) != TL_OK)
		goto done;
	md[6] = (uint8_t)((md[6] & 0x0f) | 0x50);
	md[8] = (uint8_t)((md[8] & 0x3f) | 0x80);
	tl_hex(hex, md, 16);
	memcpy(out, "urn:uuid:", 9);
	o = 9;
	for (size_t i = 0; i < 32; i++) {
		if (i == 8 || i == 12 || i == 16 || i == 20)
			out[o++] = '-';
		out[o++] = hex[i];
	}
	out[o] = '\0';
done:
	tl_hash_free(h);
	tl_buf_dispose(&b);
	return err;
}

static tl_err write_cyclonedx(tl_buf *out, const tl_sink *sink, tl_sbom *doc, const tl_sbom_write_opts *opts)
{
	json_t *root = NULL;
	const char *spec = opts && opts->cdx_spec_version ? opts->cdx_spec_version : "1.6";
	char serial[46];
	wctx w;
	tl_err err;

	if (!doc)
		return tl__error(TL_EINVAL, "CycloneDX writer: NULL argument");
	if (strcmp(spec, "1.6") == 0)
		w.v16 = true;
	else if (strcmp(spec, "1.5") == 0)
		w.v16 = false;
	else
		return tl__error(TL_EUNSUPPORTED, "CycloneDX spec version \"%.20s\": expected 1.5 or 1.6", spec);
	if ((err = tl_sbom_normalize(doc)) != TL_OK)
		return err;
	if (!(root = json_object())) {
		err = tl__nomem();
		goto done;
	}
	if ((err = put_str(root, "bomFormat", "CycloneDX")) || (err = put_str(root, "specVersion", spec)) ||
	    (err = put(root, "version", json_integer(1))))
		goto done;
	if ((err = metadata_json(root, &w, doc)) != TL_OK)
		goto done;
	/* placeholders: the items are made while the document is written */
	if ((err = put(root, "components", json_array())) != TL_OK ||
	    (err = put(root, "dependencies", json_array())) != TL_OK)
		goto done;
	if (serial_ok(doc->serial)) {
		err = put_str(root, "serialNumber", doc->serial);
	} else {
		if ((err = derive_serial(serial, root, &w, doc)) != TL_OK)
			goto done;
		err = put_str(root, "serialNumber", serial);
	}
	if (err)
		goto done;
	err = dump_document(out, sink, root, &w, doc);
done:
	json_decref(root);
	return err;
}

tl_err tl_sbom_write_cyclonedx(tl_buf *out, tl_sbom *doc, const tl_sbom_write_opts *opts)
{
	if (!out)
		return tl__error(TL_EINVAL, "CycloneDX writer: NULL argument");
	return write_cyclonedx(out, NULL, doc, opts);
}

tl_err tl_sbom_write_cyclonedx_sink(const tl_sink *sink, tl_sbom *doc, const tl_sbom_write_opts *opts)
{
	tl_buf stage = TL_BUF_INIT;
	tl_err err;

	if (!sink || !sink->write)
		return tl__error(TL_EINVAL, "CycloneDX writer: NULL argument");
	err = write_cyclonedx(&stage, sink, doc, opts);
	tl_buf_dispose(&stage);
	return err;
}
