/*
 * YAML to JSON, over libyaml's event parser, for the YAML forms of OSV
 * records (oss-fuzz-vulns) and the Alpine secdb.
 *
 *   YAML                              JSON
 *   mapping (keys: scalars)           object (duplicate keys refused)
 *   sequence                          array
 *   plain scalar ~, null, Null, NULL,
 *     or empty                        null
 *   plain scalar true/false (any case
 *     of the first letter)            true/false
 *   any other scalar (quoted or not)  string, as written (no number typing:
 *                                     secdb keys like 1.10 stay "1.10")
 *   anchors, aliases, tags            alias refused (no billion laughs);
 *                                     anchors and tags ignored
 *   more than one document            refused
 *
 * Limits: TL__YAML_MAX_DEPTH nesting, TL__YAML_MAX_NODES values,
 * TL__VULN_MAX_STR bytes per scalar, the caller's bound on len.
 */
#include <string.h>
#include <yaml.h>

#include "vuln_int.h"

typedef struct {
	json_t *v;    /* container being filled */
	char *key;    /* pending mapping key, or NULL */
} frame;

static bool is_null(const yaml_event_t *e)
{
	const char *s = (const char *)e->data.scalar.value;
	size_t n = e->data.scalar.length;

	if (e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return n == 0 || (n == 1 && s[0] == '~') ||
	       (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

static int is_bool(const yaml_event_t *e)
{
	const char *s = (const char *)e->data.scalar.value;
	size_t n = e->data.scalar.length;

	if (e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return -1;
	if (n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4)))
		return 1;
	if (n == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5)))
		return 0;
	return -1;
}

/* Adds v (taken) to the top frame; for a mapping with no key yet, v must
 * be a string and becomes the key. */
static tl_err add(frame *top, json_t *v, const char *name, const yaml_event_t *e, bool *is_key)
{
	tl_err err = TL_OK;

	*is_key = false;
	if (json_is_array(top->v)) {
		if (json_array_append_new(top->v, v) != 0)
			return tl__nomem();
		return TL_OK;
	}
	if (!top->key) {
		if (!json_is_string(v)) {
			err = tl__error(TL_EUNSUPPORTED, "%s: line %zu column %zu: mapping keys must be scalars",
			                name, (size_t)e->start_mark.line + 1, (size_t)e->start_mark.column + 1);
			json_decref(v);
			return err;
		}
		top->key = tl_strdup(json_string_value(v));
		json_decref(v);
		if (!top->key)
			return tl__nomem();
		*is_key = true;
		return TL_OK;
	}
	if (json_object_get(top->v, top->key)) {
		err = tl__error(TL_EPARSE, "%s: line %zu column %zu: duplicate key \"%.64s\"", name,
		                (size_t)e->start_mark.line + 1, (size_t)e->start_mark.column + 1, top->key);
		json_decref(v);
		return err;
	}
	if (json_object_set_new(top->v, top->key, v) != 0)
		err = tl__nomem();
	free(top->key);
	top->key = NULL;
	return err;
}

tl_err tl__yaml_parse(json_t **out, const char *data, size_t len, const char *name)
{
	yaml_parser_t p;
	yaml_event_t e;
	frame stack[TL__YAML_MAX_DEPTH + 1];
	size_t depth = 0, nodes = 0, docs = 0;
	json_t *root = NULL, *v;
	bool have_event = false, done = false, is_key;
	tl_err err = TL_OK;

	*out = NULL;
	memset(stack, 0, sizeof(stack));
	if (!yaml_parser_initialize(&p))
		return tl__nomem();
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &e)) {
			err = tl__error(p.error == YAML_MEMORY_ERROR ? TL_ENOMEM : TL_EPARSE,
			                "%s: line %zu column %zu: YAML: %s", name,
			                (size_t)p.problem_mark.line + 1, (size_t)p.problem_mark.column + 1,
			                p.problem ? p.problem : "invalid");
			goto done;
		}
		have_event = true;
		v = NULL;
		switch (e.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				err = tl__error(TL_EUNSUPPORTED, "%s: line %zu: more than one YAML document",
				                name, (size_t)e.start_mark.line + 1);
				goto done;
			}
			break;
		case YAML_ALIAS_EVENT:
			err = tl__error(TL_EUNSUPPORTED, "%s: line %zu column %zu: YAML aliases are not supported",
			                name, (size_t)e.start_mark.line + 1, (size_t)e.start_mark.column + 1);
			goto done;
		case YAML_SCALAR_EVENT:
			if (e.data.scalar.length > TL__VULN_MAX_STR) {
				err = tl__error(TL_ELIMIT, "%s: line %zu: scalar longer than %u bytes", name,
				                (size_t)e.start_mark.line + 1, TL__VULN_MAX_STR);
				goto done;
			}
			if (depth && json_is_object(stack[depth - 1].v) && !stack[depth - 1].key)
				v = json_stringn((const char *)e.data.scalar.value, e.data.scalar.length);
			else if (is_null(&e))
				v = json_null();
			else if (is_bool(&e) >= 0)
				v = json_boolean(is_bool(&e));
			else
				v = json_stringn((const char *)e.data.scalar.value, e.data.scalar.length);
			if (!v) {
				/* json_stringn refuses invalid UTF-8 and NUL bytes */
				err = tl__error(TL_EPARSE, "%s: line %zu column %zu: scalar is not valid UTF-8 text",
				                name, (size_t)e.start_mark.line + 1, (size_t)e.start_mark.column + 1);
				goto done;
			}
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth && json_is_object(stack[depth - 1].v) && !stack[depth - 1].key) {
				err = tl__error(TL_EUNSUPPORTED, "%s: line %zu column %zu: mapping keys must be scalars",
				                name, (size_t)e.start_mark.line + 1, (size_t)e.start_mark.column + 1);
				goto done;
			}
			if (depth >= TL__YAML_MAX_DEPTH) {
				err = tl__error(TL_ELIMIT, "%s: line %zu: nesting deeper than %d levels", name,
				                (size_t)e.start_mark.line + 1, TL__YAML_MAX_DEPTH);
				goto done;
			}
			v = e.type == YAML_SEQUENCE_START_EVENT ? json_array() : json_object();
			if (!v) {
				err = tl__nomem();
				goto done;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			/* libyaml guarantees balance; depth > 0 here */
			depth--;
			v = stack[depth].v;
			free(stack[depth].key);
			stack[depth].key = NULL;
			stack[depth].v = NULL;
			if (depth == 0) {
				root = v;
				v = NULL;
			} else if ((err = add(&stack[depth - 1], v, name, &e, &is_key)) != TL_OK) {
				goto done;
			}
			v = NULL;
			break;
		default:
			break;
		}
		if (v) {
			if (++nodes > TL__YAML_MAX_NODES) {
				json_decref(v);
				err = tl__error(TL_ELIMIT, "%s: more than %u YAML values", name, TL__YAML_MAX_NODES);
				goto done;
			}
			if (e.type == YAML_SEQUENCE_START_EVENT || e.type == YAML_MAPPING_START_EVENT) {
				stack[depth++].v = v;
			} else if (depth == 0) {
				json_decref(root);
				root = v;
			} else if ((err = add(&stack[depth - 1], v, name, &e, &is_key)) != TL_OK) {
				goto done;
			}
		}
		yaml_event_delete(&e);
		have_event = false;
	}
	if (!root) {
		err = tl__error(TL_EPARSE, "%s: empty YAML document", name);
		goto done;
	}
	*out = root;
	root = NULL;
done:
	if (have_event)
		yaml_event_delete(&e);
	for (size_t i = 0; i < TL__YAML_MAX_DEPTH + 1; i++) {
		json_decref(stack[i].v);
		free(stack[i].key);
	}
	json_decref(root);
	yaml_parser_delete(&p);
	return err;
}
