/*
 * CycloneDX 1.2 to 1.6 JSON reader into the format-neutral model.
 *
 * What is read (anything else is ignored; a field that is read must have
 * the type shown, else TL_EPARSE naming its JSON path):
 *
 *   $.bomFormat                      "CycloneDX" (required)
 *   $.specVersion                    "1.2" ... "1.6" (required)
 *   $.serialNumber                   string -> doc->serial
 *   $.metadata.timestamp             RFC 3339 date-time -> doc->timestamp
 *   $.metadata.lifecycles[0]         {phase} or {name} -> doc->lifecycle
 *   $.metadata.tools                 legacy [{vendor,name,version}] or
 *                                    {components:[{group|supplier.name|publisher,
 *                                    name,version}], services:[{provider.name|group,
 *                                    name,version}]} -> doc->tools
 *   $.metadata.authors[]             {name,email} -> doc->authors
 *   $.metadata.component             component -> doc->subject (its nested
 *                                    components go to doc->components)
 *   $.metadata.supplier.name         -> doc->supplier
 *   $.metadata.manufacturer.name     (1.6; else manufacture.name) -> doc->manufacturer
 *   $.metadata.properties[], $.properties[]  {name,value} -> doc->props
 *   $.components[]                   component, nested "components" flattened
 *                                    in pre-order -> doc->components
 *   $.dependencies[]                 {ref, dependsOn[]} -> doc->deps
 *
 *   component: type (enum; absent: library), bom-ref, group, name (required),
 *   version, description, supplier.name, authors[].name (joined with ", ")
 *   or author, purl, cpe, copyright, scope (enum), hashes[] {alg, content
 *   (32/40/64/96/128 hex digits)}, licenses[] {license:{id|name}} or
 *   {expression} (several joined with " AND "; a name becomes
 *   LicenseRef-<name with [^A-Za-z0-9.-] replaced by '-'>),
 *   evidence.occurrences[].location -> files, evidence.identity (object or
 *   array) {field:"purl"|"cpe", concludedValue} when purl/cpe is absent,
 *   properties[] {name, value}.
 *
 * bom-refs must be unique (TL_EPARSE otherwise).  A component without one
 * gets a deterministic ref: its purl when unused, else "component-<n>"
 * (n: position in document order), with "-<k>" added on collision.
 * JSON null counts as absent.
 *
 * Limits (TL_ELIMIT): 1,000,000 components, 64 KiB per string kept,
 * 64 levels of nested components.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"
#include "trustline/sbom.h"
#include "sbom/read_int.h"

#define MAX_COMPONENTS 1000000

const char *const tl__cyclonedx_stream_keys[] = { "components", "dependencies", NULL };
#define MAX_STRING (64 * 1024)
#define MAX_NESTING 64

/* Set of borrowed strings (open addressing), for bom-ref uniqueness. */
typedef struct {
	const char *name; /* file name for messages, borrowed */
	tl_buf path;      /* JSON path of the value being read */
	tl_sbom *doc;
	tl__strtab refs; /* bom-refs taken (borrowed from the components) */
	tl__json_stream *stream; /* not NULL: top-level arrays come from here */
} rctx;

/* ---- JSON path and typed access ---------------------------------------- */

static const char *path(const rctx *r)
{
	return r->path.ptr ? r->path.ptr : "$";
}

/* Appends to the path; returns the length to pop back to.  An allocation
 * failure here only shortens messages, so it is not reported. */
static size_t push(rctx *r, const char *fmt, ...) TL_PRINTF(2, 3);
static size_t push(rctx *r, const char *fmt, ...)
{
	size_t len = r->path.len;
	const char *pc = strchr(fmt, '%');
	va_list ap;

	va_start(ap, fmt);
	/* the forms every element of a large document takes, without printf */
	if (!pc) {
		(void)tl_buf_puts(&r->path, fmt);
	} else if (!strcmp(pc, "%zu]")) {
		char num[24], *p = num + sizeof(num);
		size_t v = va_arg(ap, size_t);
		*--p = ']';
		do
			*--p = (char)('0' + v % 10);
		while ((v /= 10) != 0);
		if (tl_buf_put(&r->path, fmt, (size_t)(pc - fmt)) == TL_OK)
			(void)tl_buf_put(&r->path, p, (size_t)(num + sizeof(num) - p));
	} else if (!strcmp(pc, "%s")) { /* ".%s": a member's name (entity_name) */
		const char *v = va_arg(ap, const char *);
		if (tl_buf_put(&r->path, fmt, (size_t)(pc - fmt)) == TL_OK)
			(void)tl_buf_puts(&r->path, v);
	} else {
		(void)tl_buf_vprintf(&r->path, fmt, ap);
	}
	va_end(ap);
	return len;
}

static void pop(rctx *r, size_t len)
{
	if (r->path.ptr && len <= r->path.len) {
		r->path.len = len;
		r->path.ptr[len] = '\0';
	}
}

static tl_err expected(const rctx *r, const char *key, const char *what)
{
	return tl__error(TL_EPARSE, "%s: %s%s%s: expected %s", r->name, path(r),
	                 key ? "." : "", key ? key : "", what);
}

/* obj[key], or NULL when absent or null. */
static json_t *field(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? NULL : v;
}

/* Borrowed string value of obj[key]; *out NULL when absent. */
static tl_err get_str(const rctx *r, const json_t *obj, const char *key, bool required, const char **out)
{
	json_t *v = field(obj, key);

	*out = NULL;
	if (!v) {
		if (required)
			return tl__error(TL_EPARSE, "%s: %s: missing \"%s\" (a string)", r->name, path(r), key);
		return TL_OK;
	}
	if (!json_is_string(v))
		return expected(r, key, "a string");
	if (json_string_length(v) > MAX_STRING)
		return tl__error(TL_ELIMIT, "%s: %s.%s: string of %zu bytes exceeds the limit of %d bytes",
		                 r->name, path(r), key, json_string_length(v), MAX_STRING);
	*out = json_string_value(v);
	return TL_OK;
}

/* Copy of the string obj[key] into *out (replacing nothing: *out is NULL). */
static tl_err dup_str(const rctx *r, const json_t *obj, const char *key, bool required, char **out)
{
	const char *s;
	tl_err err;

	if ((err = get_str(r, obj, key, required, &s)) != TL_OK || !s)
		return err;
	free(*out);
	if (!(*out = strdup(s)))
		return tl__nomem();
	return TL_OK;
}

static tl_err get_array(const rctx *r, const json_t *obj, const char *key, json_t **out)
{
	json_t *v = field(obj, key);

	*out = NULL;
	if (!v)
		return TL_OK;
	if (!json_is_array(v))
		return expected(r, key, "an array");
	*out = v;
	return TL_OK;
}

static tl_err get_object(const rctx *r, const json_t *obj, const char *key, json_t **out)
{
	json_t *v = field(obj, key);

	*out = NULL;
	if (!v)
		return TL_OK;
	if (!json_is_object(v))
		return expected(r, key, "an object");
	*out = v;
	return TL_OK;
}

/* Checks that item i of the array at path.key is an object. */
static tl_err item_object(rctx *r, const json_t *item)
{
	if (!json_is_object(item))
		return expected(r, NULL, "an object");
	return TL_OK;
}

/* {"name": ...} of an organizationalEntity at obj[key] into *out. */
static tl_err entity_name(rctx *r, const json_t *obj, const char *key, char **out)
{
	json_t *e;
	size_t mark;
	tl_err err;

	if ((err = get_object(r, obj, key, &e)) != TL_OK || !e)
		return err;
	mark = push(r, ".%s", key);
	err = dup_str(r, e, "name", false, out);
	pop(r, mark);
	return err;
}

/* ---- component --------------------------------------------------------- */

static tl_err read_props(rctx *r, const json_t *obj, tl_sbom_property **props, size_t *n)
{
	json_t *arr, *item;
	size_t i, mark;
	tl_err err;

	if ((err = get_array(r, obj, "properties", &arr)) != TL_OK || !arr)
		return err;
	json_array_foreach(arr, i, item) {
		const char *name, *value;
		tl_sbom_property *p;
		void *slot;
		mark = push(r, ".properties[%zu]", i);
		if ((err = item_object(r, item)) || (err = get_str(r, item, "name", true, &name)) ||
		    (err = get_str(r, item, "value", false, &value)))
			return err;
		pop(r, mark);
		if ((err = tl__array_grow((void **)props, n, sizeof(**props), &slot)) != TL_OK)
			return err;
		p = slot;
		if (!(p->name = strdup(name)) || (value && !(p->value = strdup(value))))
			return tl__nomem();
	}
	return TL_OK;
}

static bool is_hex_digest(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return n == 32 || n == 40 || n == 64 || n == 96 || n == 128;
}

static tl_err read_hashes(rctx *r, const json_t *jc, tl_sbom_component *c)
{
	json_t *arr, *item;
	size_t i, mark;
	tl_err err;

	if ((err = get_array(r, jc, "hashes", &arr)) != TL_OK || !arr)
		return err;
	json_array_foreach(arr, i, item) {
		const char *alg, *content;
		tl_sbom_hash_alg a;
		mark = push(r, ".hashes[%zu]", i);
		if ((err = item_object(r, item)) || (err = get_str(r, item, "alg", true, &alg)) ||
		    (err = get_str(r, item, "content", true, &content)))
			return err;
		if (!tl_sbom_hash_alg_parse(alg, &a))
			return tl__error(TL_EPARSE, "%s: %s.alg: unknown hash algorithm \"%.40s\"", r->name, path(r), alg);
		if (!is_hex_digest(content))
			return tl__error(TL_EPARSE, "%s: %s.content: expected 32, 40, 64, 96 or 128 hex digits",
			                 r->name, path(r));
		pop(r, mark);
		if ((err = tl_sbom_component_add_hash(c, a, content)) != TL_OK)
			return err;
	}
	return TL_OK;
}

/* Appends s to b, parenthesised when it is a compound expression. */
static tl_err put_license_part(tl_buf *b, const char *s, bool several)
{
	tl_err err;

	if (b->len && (err = tl_buf_puts(b, " AND ")) != TL_OK)
		return err;
	if (several && strchr(s, ' '))
		return tl_buf_printf(b, "(%s)", s);
	return tl_buf_puts(b, s);
}

static tl_err read_licenses(rctx *r, const json_t *jc, tl_sbom_component *c)
{
	json_t *arr, *item, *lic;
	tl_buf b = TL_BUF_INIT;
	size_t i, mark = 0;
	bool several;
	tl_err err = TL_OK;

	if ((err = get_array(r, jc, "licenses", &arr)) != TL_OK || !arr)
		return err;
	several = json_array_size(arr) > 1;
	json_array_foreach(arr, i, item) {
		const char *s;
		mark = push(r, ".licenses[%zu]", i);
		if ((err = item_object(r, item)) != TL_OK)
			goto done;
		if ((err = get_str(r, item, "expression", false, &s)) != TL_OK)
			goto done;
		if (s) {
			if ((err = put_license_part(&b, s, several)) != TL_OK)
				goto done;
			pop(r, mark);
			continue;
		}
		if ((err = get_object(r, item, "license", &lic)) != TL_OK)
			goto done;
		if (!lic) {
			err = expected(r, NULL, "a \"license\" object or an \"expression\"");
			goto done;
		}
		push(r, ".license");
		if ((err = get_str(r, lic, "id", false, &s)) != TL_OK)
			goto done;
		if (s) {
			err = put_license_part(&b, s, several);
		} else {
			if ((err = get_str(r, lic, "name", false, &s)) != TL_OK)
				goto done;
			if (!s) {
				err = expected(r, NULL, "an \"id\" or a \"name\"");
				goto done;
			}
			if (b.len && (err = tl_buf_puts(&b, " AND ")) != TL_OK)
				goto done;
			if ((err = tl_buf_puts(&b, "LicenseRef-")) != TL_OK)
				goto done;
			for (const char *p = s; *p && !err; p++) {
				char ch = *p;
				bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
				          (ch >= '0' && ch <= '9') || ch == '.' || ch == '-';
				err = tl_buf_putc(&b, ok ? ch : '-');
			}
			if (!err && !*s)
				err = tl_buf_puts(&b, "unnamed");
		}
		if (err)
			goto done;
		pop(r, mark);
		if (b.len > MAX_STRING) {
			err = tl__error(TL_ELIMIT, "%s: %s.licenses: combined expression exceeds %d bytes",
			                r->name, path(r), MAX_STRING);
			goto done;
		}
	}
	if (b.len) {
		if (!(c->license = tl_buf_detach(&b)))
			err = tl__nomem();
	}
done:
	tl_buf_dispose(&b);
	return err;
}

/* evidence.identity: an object (1.5) or array of objects (1.6). */
static tl_err read_identity(rctx *r, const json_t *id, tl_sbom_component *c)
{
	const char *f, *v;
	tl_err err;

	if ((err = item_object(r, id)) || (err = get_str(r, id, "field", false, &f)) ||
	    (err = get_str(r, id, "concludedValue", false, &v)))
		return err;
	if (!f || !v)
		return TL_OK;
	if (strcmp(f, "purl") == 0 && !c->purl && !(c->purl = strdup(v)))
		return tl__nomem();
	if (strcmp(f, "cpe") == 0 && !c->cpe && !(c->cpe = strdup(v)))
		return tl__nomem();
	return TL_OK;
}

static tl_err read_evidence(rctx *r, const json_t *jc, tl_sbom_component *c)
{
	json_t *ev, *arr, *item, *id;
	size_t i, mark, mark2;
	tl_err err;

	if ((err = get_object(r, jc, "evidence", &ev)) != TL_OK || !ev)
		return err;
	mark = push(r, ".evidence");
	if ((err = get_array(r, ev, "occurrences", &arr)) != TL_OK)
		return err;
	if (arr) {
		json_array_foreach(arr, i, item) {
			const char *loc;
			mark2 = push(r, ".occurrences[%zu]", i);
			if ((err = item_object(r, item)) || (err = get_str(r, item, "location", true, &loc)) ||
			    (err = tl_sbom_component_add_file(c, loc)))
				return err;
			pop(r, mark2);
		}
	}
	id = field(ev, "identity");
	if (json_is_array(id)) {
		json_array_foreach(id, i, item) {
			mark2 = push(r, ".identity[%zu]", i);
			if ((err = read_identity(r, item, c)) != TL_OK)
				return err;
			pop(r, mark2);
		}
	} else if (id) {
		mark2 = push(r, ".identity");
		if ((err = read_identity(r, id, c)) != TL_OK)
			return err;
		pop(r, mark2);
	}
	pop(r, mark);
	return TL_OK;
}

/* authors[] (1.6): names joined with ", "; else the legacy author string. */
static tl_err read_author(rctx *r, const json_t *jc, tl_sbom_component *c)
{
	json_t *arr, *item;
	tl_buf b = TL_BUF_INIT;
	size_t i, mark;
	tl_err err = TL_OK;

	if ((err = get_array(r, jc, "authors", &arr)) != TL_OK)
		return err;
	if (arr) {
		json_array_foreach(arr, i, item) {
			const char *name;
			mark = push(r, ".authors[%zu]", i);
			if ((err = item_object(r, item)) || (err = get_str(r, item, "name", false, &name)))
				goto done;
			pop(r, mark);
			if (!name)
				continue;
			if ((b.len && (err = tl_buf_puts(&b, ", "))) || (err = tl_buf_puts(&b, name)))
				goto done;
			if (b.len > MAX_STRING) {
				err = tl__error(TL_ELIMIT, "%s: %s.authors: names exceed %d bytes", r->name, path(r),
				                MAX_STRING);
				goto done;
			}
		}
	}
	if (b.len) {
		if (!(c->author = tl_buf_detach(&b)))
			err = tl__nomem();
		goto done;
	}
	/* an empty author is no author: 1.6 output would otherwise carry
	 * authors [{"name": ""}], which reads back as none */
	{
		const char *a;
		if ((err = get_str(r, jc, "author", false, &a)) == TL_OK && a && *a && !(c->author = strdup(a)))
			err = tl__nomem();
	}
done:
	tl_buf_dispose(&b);
	return err;
}

/* Reads the fields of one component (not its children) into *c. */
static tl_err read_fields(rctx *r, const json_t *jc, tl_sbom_component *c)
{
	const char *s;
	tl_err err;

	if ((err = item_object(r, jc)) != TL_OK)
		return err;
	if ((err = get_str(r, jc, "type", false, &s)) != TL_OK)
		return err;
	if (s && !tl_sbom_comp_type_parse(s, &c->type))
		return tl__error(TL_EPARSE, "%s: %s.type: unknown component type \"%.40s\"", r->name, path(r), s);
	if ((err = get_str(r, jc, "bom-ref", false, &s)) != TL_OK)
		return err;
	if (s && *s) { /* an empty bom-ref is invalid; treat it as absent */
		tl__strtab_slot *e;
		bool added;
		/* taken here, in one probe: the set borrows the copy, which stays
		 * where it is when the struct moves (on an error the whole read
		 * ends and the set is dropped unread) */
		if (!(c->ref = strdup(s)))
			return tl__nomem();
		if ((err = tl__strtab_put(&r->refs, c->ref, &e, &added)) != TL_OK)
			return err;
		if (!added)
			return tl__error(TL_EPARSE, "%s: %s.bom-ref: duplicate bom-ref \"%.80s\"", r->name, path(r), s);
	}
	if ((err = dup_str(r, jc, "name", true, &c->name)) ||
	    (err = dup_str(r, jc, "group", false, &c->group)) ||
	    (err = dup_str(r, jc, "version", false, &c->version)) ||
	    (err = dup_str(r, jc, "description", false, &c->description)) ||
	    (err = entity_name(r, jc, "supplier", &c->supplier)) ||
	    (err = read_author(r, jc, c)) ||
	    (err = dup_str(r, jc, "purl", false, &c->purl)) ||
	    (err = dup_str(r, jc, "cpe", false, &c->cpe)) ||
	    (err = dup_str(r, jc, "copyright", false, &c->copyright)))
		return err;
	if ((err = get_str(r, jc, "scope", false, &s)) != TL_OK)
		return err;
	if (s) {
		if (strcmp(s, "required") == 0)
			c->scope = TL_SCOPE_REQUIRED;
		else if (strcmp(s, "optional") == 0)
			c->scope = TL_SCOPE_OPTIONAL;
		else if (strcmp(s, "excluded") == 0)
			c->scope = TL_SCOPE_EXCLUDED;
		else
			return expected(r, "scope", "\"required\", \"optional\" or \"excluded\"");
	}
	if ((err = read_hashes(r, jc, c)) || (err = read_licenses(r, jc, c)) ||
	    (err = read_evidence(r, jc, c)) || (err = read_props(r, jc, &c->props, &c->n_props)))
		return err;
	return TL_OK;
}

static tl_err read_components(rctx *r, const json_t *parent, unsigned depth);

/* Reads one component at the current path into doc->components (or into
 * *subject when subject is not NULL), then its children. */
static tl_err read_component(rctx *r, const json_t *jc, tl_sbom_component **subject, unsigned depth)
{
	tl_sbom_component c, *slot;
	tl_err err;

	memset(&c, 0, sizeof(c));
	if ((err = read_fields(r, jc, &c)) != TL_OK)
		goto done;
	if (subject) {
		if (!(*subject = malloc(sizeof(**subject)))) {
			err = tl__nomem();
			goto done;
		}
		slot = *subject;
	} else {
		if (r->doc->n_components >= MAX_COMPONENTS) {
			err = tl__error(TL_ELIMIT, "%s: %s: more than %d components", r->name, path(r), MAX_COMPONENTS);
			goto done;
		}
		if ((err = tl_sbom_add_component(r->doc, &slot)) != TL_OK)
			goto done;
	}
	*slot = c;
	memset(&c, 0, sizeof(c));
	err = read_components(r, jc, depth + 1);
done:
	tl_sbom_component_dispose(&c);
	return err;
}

static tl_err read_components(rctx *r, const json_t *parent, unsigned depth)
{
	json_t *arr, *item;
	size_t i, mark;
	tl_err err;

	if ((err = get_array(r, parent, "components", &arr)) != TL_OK || !arr)
		return err;
	if (depth > MAX_NESTING)
		return tl__error(TL_ELIMIT, "%s: %s.components: nested deeper than %d levels", r->name, path(r),
		                 MAX_NESTING);
	if (depth == 1 && r->stream && tl__json_stream_has(r->stream, "components")) {
		/* the same reads in the same order, one parsed element at a time */
		size_t n = tl__json_stream_count(r->stream, "components");
		if ((err = tl__strtab_reserve(&r->refs, n)) != TL_OK)
			return err;
		for (i = 0; i < n; i++) {
			if ((err = tl__json_stream_item(r->stream, "components", i, &item)) != TL_OK)
				return err;
			mark = push(r, ".components[%zu]", i);
			err = read_component(r, item, NULL, depth);
			json_decref(item);
			if (err)
				return err;
			pop(r, mark);
		}
		return TL_OK;
	}
	json_array_foreach(arr, i, item) {
		mark = push(r, ".components[%zu]", i);
		if ((err = read_component(r, item, NULL, depth)) != TL_OK)
			return err;
		pop(r, mark);
	}
	return TL_OK;
}

/* Refs for components that have none (see the table at the top). */
static tl_err assign_ref(rctx *r, tl_sbom_component *c, size_t n)
{
	tl_buf b = TL_BUF_INIT;
	tl__strtab_slot *e;
	tl_err err = TL_OK;

	if (c->ref)
		return TL_OK;
	if (c->purl && *c->purl && !tl__strtab_get(&r->refs, c->purl)) {
		err = tl_buf_puts(&b, c->purl);
	} else {
		err = tl_buf_printf(&b, "component-%zu", n);
		for (unsigned k = 2; !err && tl__strtab_get(&r->refs, b.ptr); k++) {
			tl_buf_clear(&b);
			err = tl_buf_printf(&b, "component-%zu-%u", n, k);
		}
	}
	if (!err && !(c->ref = tl_buf_detach(&b)))
		err = tl__nomem();
	if (!err)
		err = tl__strtab_put(&r->refs, c->ref, &e, NULL);
	tl_buf_dispose(&b);
	return err;
}

/* ---- metadata ---------------------------------------------------------- */

static tl_err read_tools(rctx *r, const json_t *meta)
{
	json_t *tools = field(meta, "tools"), *arr, *item;
	size_t i, mark;
	tl_err err;

	if (!tools)
		return TL_OK;
	if (json_is_array(tools)) { /* legacy form, 1.2 to 1.4 (deprecated in 1.5) */
		json_array_foreach(tools, i, item) {
			const char *vendor, *name, *version;
			mark = push(r, ".tools[%zu]", i);
			if ((err = item_object(r, item)) || (err = get_str(r, item, "vendor", false, &vendor)) ||
			    (err = get_str(r, item, "name", false, &name)) ||
			    (err = get_str(r, item, "version", false, &version)))
				return err;
			pop(r, mark);
			if ((err = tl_sbom_add_tool(r->doc, vendor, name, version)) != TL_OK)
				return err;
		}
		return TL_OK;
	}
	if (!json_is_object(tools))
		return expected(r, "tools", "an array or an object");
	mark = push(r, ".tools");
	if ((err = get_array(r, tools, "components", &arr)) != TL_OK)
		return err;
	if (arr) {
		json_array_foreach(arr, i, item) {
			const char *vendor, *name, *version;
			char *supplier = NULL;
			size_t m2 = push(r, ".components[%zu]", i);
			if ((err = item_object(r, item)) || (err = get_str(r, item, "group", false, &vendor)) ||
			    (err = get_str(r, item, "name", false, &name)) ||
			    (err = get_str(r, item, "version", false, &version)) ||
			    (err = entity_name(r, item, "supplier", &supplier)) ||
			    (!vendor && !supplier && (err = get_str(r, item, "publisher", false, &vendor)))) {
				free(supplier);
				return err;
			}
			pop(r, m2);
			err = tl_sbom_add_tool(r->doc, vendor ? vendor : supplier, name, version);
			free(supplier);
			if (err)
				return err;
		}
	}
	if ((err = get_array(r, tools, "services", &arr)) != TL_OK)
		return err;
	if (arr) {
		json_array_foreach(arr, i, item) {
			const char *vendor, *name, *version;
			char *provider = NULL;
			size_t m2 = push(r, ".services[%zu]", i);
			if ((err = item_object(r, item)) || (err = get_str(r, item, "group", false, &vendor)) ||
			    (err = get_str(r, item, "name", false, &name)) ||
			    (err = get_str(r, item, "version", false, &version)) ||
			    (err = entity_name(r, item, "provider", &provider))) {
				free(provider);
				return err;
			}
			pop(r, m2);
			err = tl_sbom_add_tool(r->doc, provider ? provider : vendor, name, version);
			free(provider);
			if (err)
				return err;
		}
	}
	pop(r, mark);
	return TL_OK;
}

static tl_err read_metadata(rctx *r, const json_t *root)
{
	json_t *meta, *arr, *item, *comp;
	const char *s;
	size_t i, mark, m2;
	tl_err err;

	if ((err = get_object(r, root, "metadata", &meta)) != TL_OK || !meta)
		return err;
	mark = push(r, ".metadata");
	if ((err = get_str(r, meta, "timestamp", false, &s)) != TL_OK)
		return err;
	if (s) {
		int64_t t;
		if (tl_time_parse(&t, s) != TL_OK)
			return expected(r, "timestamp", "an RFC 3339 date-time");
		/* the model keeps seconds since 1970; 0 means unknown */
		if (t < 0 || t > (int64_t)253402300799)
			return expected(r, "timestamp", "a date-time from 1970 to 9999");
		r->doc->timestamp = t;
	}
	if ((err = get_array(r, meta, "lifecycles", &arr)) != TL_OK)
		return err;
	if (arr) {
		json_array_foreach(arr, i, item) {
			char *v = NULL;
			m2 = push(r, ".lifecycles[%zu]", i);
			if ((err = item_object(r, item)) || (err = dup_str(r, item, "phase", false, &v)) ||
			    (!v && (err = dup_str(r, item, "name", false, &v)))) {
				free(v);
				return err;
			}
			pop(r, m2);
			if (!r->doc->lifecycle)
				r->doc->lifecycle = v; /* the first one: the model holds one */
			else
				free(v);
		}
	}
	if ((err = read_tools(r, meta)) != TL_OK)
		return err;
	if ((err = get_array(r, meta, "authors", &arr)) != TL_OK)
		return err;
	if (arr) {
		json_array_foreach(arr, i, item) {
			const char *name, *email;
			m2 = push(r, ".authors[%zu]", i);
			if ((err = item_object(r, item)) || (err = get_str(r, item, "name", false, &name)) ||
			    (err = get_str(r, item, "email", false, &email)))
				return err;
			pop(r, m2);
			if ((err = tl_sbom_add_author(r->doc, name, email)) != TL_OK)
				return err;
		}
	}
	if ((err = get_object(r, meta, "component", &comp)) != TL_OK)
		return err;
	if (comp) {
		m2 = push(r, ".component");
		if ((err = read_component(r, comp, &r->doc->subject, 1)) != TL_OK)
			return err;
		pop(r, m2);
	}
	if ((err = entity_name(r, meta, "supplier", &r->doc->supplier)) ||
	    (err = entity_name(r, meta, "manufacturer", &r->doc->manufacturer)) ||
	    (!r->doc->manufacturer && (err = entity_name(r, meta, "manufacture", &r->doc->manufacturer))) ||
	    (err = read_props(r, meta, &r->doc->props, &r->doc->n_props)))
		return err;
	pop(r, mark);
	return TL_OK;
}

/* ---- dependencies ------------------------------------------------------ */

static tl_err read_dependency(rctx *r, const json_t *item, size_t i)
{
	json_t *on, *v;
	size_t j, mark, m2;
	tl_sbom_dependency *node;
	const char *ref;
	void *slot;
	tl_err err;

	mark = push(r, ".dependencies[%zu]", i);
	if ((err = item_object(r, item)) || (err = get_str(r, item, "ref", true, &ref)) ||
	    (err = get_array(r, item, "dependsOn", &on)))
		return err;
	if (!*ref)
		return expected(r, "ref", "a non-empty bom-ref");
	if ((err = tl__array_grow((void **)&r->doc->deps, &r->doc->n_deps, sizeof(*r->doc->deps),
	                          &slot)) != TL_OK)
		return err;
	node = slot;
	if (!(node->ref = strdup(ref)))
		return tl__nomem();
	if (!on) {
		pop(r, mark);
		return TL_OK;
	}
	json_array_foreach(on, j, v) {
		const char *to = json_string_value(v);
		m2 = push(r, ".dependsOn[%zu]", j);
		if (!to || !*to)
			return expected(r, NULL, "a non-empty bom-ref string");
		if (json_string_length(v) > MAX_STRING)
			return tl__error(TL_ELIMIT, "%s: %s: string exceeds the limit of %d bytes", r->name,
			                 path(r), MAX_STRING);
		pop(r, m2);
		if ((err = tl__array_grow((void **)&node->deps, &node->n_deps, sizeof(*node->deps),
		                          &slot)) != TL_OK)
			return err;
		if (!(*(char **)slot = strdup(to)))
			return tl__nomem();
	}
	pop(r, mark);
	return TL_OK;
}

/* Nodes are appended as they come; tl_sbom_normalize merges repeated
 * nodes and edges, so a large graph reads in linear time. */
static tl_err read_dependencies(rctx *r, const json_t *root)
{
	json_t *arr, *item;
	size_t i;
	tl_err err;

	if ((err = get_array(r, root, "dependencies", &arr)) != TL_OK || !arr)
		return err;
	if (r->stream && tl__json_stream_has(r->stream, "dependencies")) {
		size_t n = tl__json_stream_count(r->stream, "dependencies");
		for (i = 0; i < n; i++) {
			if ((err = tl__json_stream_item(r->stream, "dependencies", i, &item)) != TL_OK)
				return err;
			err = read_dependency(r, item, i);
			json_decref(item);
			if (err)
				return err;
		}
		return TL_OK;
	}
	json_array_foreach(arr, i, item) {
		if ((err = read_dependency(r, item, i)) != TL_OK)
			return err;
	}
	return TL_OK;
}

/* ---- document ---------------------------------------------------------- */

static tl_err check_header(rctx *r, const json_t *root)
{
	const char *fmt, *spec;
	tl_err err;

	if (!json_is_object(root))
		return expected(r, NULL, "a JSON object");
	if ((err = get_str(r, root, "bomFormat", true, &fmt)) != TL_OK)
		return err;
	if (strcmp(fmt, "CycloneDX") != 0)
		return expected(r, "bomFormat", "\"CycloneDX\"");
	if ((err = get_str(r, root, "specVersion", true, &spec)) != TL_OK)
		return err;
	if (strlen(spec) != 3 || spec[0] != '1' || spec[1] != '.' || spec[2] < '2' || spec[2] > '6')
		return tl__error(TL_EUNSUPPORTED, "%s: $.specVersion: CycloneDX \"%.20s\" is not supported (1.2 to 1.6)",
		                 r->name, spec);
	return TL_OK;
}

static tl_err read_document(tl_sbom **out, const json_t *root, const char *name, tl__json_stream *stream)
{
	rctx r;
	tl_err err;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.name = name ? name : "input";
	r.stream = stream;
	if ((err = tl_buf_puts(&r.path, "$")) != TL_OK)
		goto done;
	if ((err = check_header(&r, root)) != TL_OK)
		goto done;
	if ((err = tl_sbom_new(&r.doc)) != TL_OK)
		goto done;
	if ((err = dup_str(&r, root, "serialNumber", false, &r.doc->serial)) ||
	    (err = read_metadata(&r, root)) ||
	    (err = read_components(&r, root, 1)) ||
	    (err = read_props(&r, root, &r.doc->props, &r.doc->n_props)) ||
	    (err = read_dependencies(&r, root)))
		goto done;
	if (r.doc->subject && (err = assign_ref(&r, r.doc->subject, 0)) != TL_OK)
		goto done;
	for (size_t i = 0; i < r.doc->n_components; i++) {
		if ((err = assign_ref(&r, &r.doc->components[i], i + 1)) != TL_OK)
			goto done;
	}
	*out = r.doc;
	r.doc = NULL;
done:
	tl_sbom_free(r.doc);
	tl__strtab_dispose(&r.refs);
	tl_buf_dispose(&r.path);
	return err;
}

tl_err tl_sbom_read_cyclonedx(tl_sbom **out, const json_t *root, const char *name)
{
	return read_document(out, root, name, NULL);
}

tl_err tl__sbom_read_cyclonedx_stream(tl_sbom **out, tl__json_stream *s, const char *name)
{
	return read_document(out, tl__json_stream_root(s), name, s);
}
