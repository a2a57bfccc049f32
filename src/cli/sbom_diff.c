/*
 * trustline sbom diff: components added, removed and changed between two
 * SBOMs, as a table or as JSON.  Exit 0 whatever the differences; 2 on
 * usage or input errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

static const char usage_text[] =
	"usage: trustline sbom diff A B [--json]\n"
	"\n"
	"Compares the components of SBOM A with those of SBOM B (CycloneDX or SPDX\n"
	"JSON), matched by purl without its version (or by type, group and name):\n"
	"  + name version              only in B (added)\n"
	"  - name version              only in A (removed)\n"
	"  ~ name a-version -> b-version   version changed\n"
	"and a last line counting each kind.\n"
	"\n"
	"  --json        {\"added\": [...], \"removed\": [...], \"changed\": [...]}\n"
	"\n"
	"Exit status: 0 compared (differences or not), 2 usage or input error.\n";

static const char *nz(const char *s)
{
	return s ? s : "";
}

static tl_err put_name(tl_buf *b, const tl_sbom_component *c)
{
	if (c->group && *c->group)
		return tl_buf_printf(b, "%s/%s", c->group, nz(c->name));
	return tl_buf_puts(b, nz(c->name));
}

static tl_err text_entry(tl_buf *b, const tl_sbom_diff_entry *e)
{
	const tl_sbom_component *c = e->b ? e->b : e->a;
	tl_err err;

	if ((err = tl_buf_puts(b, e->kind == TL_DIFF_ADDED ? "+ " : e->kind == TL_DIFF_REMOVED ? "- " : "~ ")) ||
	    (err = put_name(b, c)))
		return err;
	if (e->kind == TL_DIFF_CHANGED)
		return tl_buf_printf(b, " %s -> %s\n", e->a->version ? e->a->version : "(none)",
		                     e->b->version ? e->b->version : "(none)");
	if (c->version)
		return tl_buf_printf(b, " %s\n", c->version);
	return tl_buf_putc(b, '\n');
}

/* Sets key to a string, or leaves it out when s is NULL. */
static int set_str(json_t *o, const char *key, const char *s)
{
	return s ? json_object_set_new(o, key, json_string(s)) : 0;
}

static json_t *json_entry(const tl_sbom_diff_entry *e)
{
	const tl_sbom_component *c = e->b ? e->b : e->a;
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (json_object_set_new(o, "name", json_string(nz(c->name))) != 0 ||
	    set_str(o, "group", c->group) != 0 ||
	    json_object_set_new(o, "type", json_string(nz(tl_sbom_comp_type_name(c->type)))) != 0)
		goto fail;
	if (e->kind == TL_DIFF_CHANGED) {
		if (set_str(o, "from", e->a->version) != 0 || set_str(o, "to", e->b->version) != 0 ||
		    set_str(o, "from_purl", e->a->purl) != 0 || set_str(o, "purl", e->b->purl) != 0)
			goto fail;
	} else if (set_str(o, "version", c->version) != 0 || set_str(o, "purl", c->purl) != 0) {
		goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

int cmd_sbom_diff(int argc, char **argv)
{
	const char *paths[2] = { NULL, NULL };
	tl_json_limits lim = cli_json_limits();
	tl_sbom *a = NULL, *b = NULL;
	tl_sbom_diff_entry *v = NULL;
	tl_buf out = TL_BUF_INIT;
	json_t *root = NULL;
	size_t n = 0, np = 0, count[3] = { 0, 0, 0 };
	bool json = false;
	int rc = 2;
	tl_err err = TL_OK;

	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(s, "--json")) {
			json = true;
		} else if (s[0] == '-' && s[1] != '\0') {
			return cli_usage_error("sbom diff: unknown option '%s' (see trustline sbom diff --help)", s);
		} else if (np == 2) {
			return cli_usage_error("sbom diff: two files expected, got '%s' too", s);
		} else {
			paths[np++] = s;
		}
	}
	if (np != 2)
		return cli_usage_error("sbom diff: two files expected (see trustline sbom diff --help)");

	if ((err = tl_sbom_load(&a, paths[0], &lim)) != TL_OK ||
	    (err = tl_sbom_load(&b, paths[1], &lim)) != TL_OK ||
	    (err = tl_sbom_diff(&v, &n, a, b)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		count[v[i].kind]++;

	if (json) {
		json_t *arr[3];
		static const char *const keys[3] = { "added", "removed", "changed" };
		if (!(root = json_object()))
			goto nomem;
		for (int k = 0; k < 3; k++) {
			if (!(arr[k] = json_array()) || json_object_set_new(root, keys[k], arr[k]) != 0)
				goto nomem;
		}
		for (size_t i = 0; i < n; i++) {
			json_t *o = json_entry(&v[i]);
			if (!o || json_array_append_new(arr[v[i].kind], o) != 0)
				goto nomem;
		}
		err = tl_json_dump(&out, root);
	} else {
		for (size_t i = 0; i < n && !err; i++)
			err = text_entry(&out, &v[i]);
		if (!err)
			err = tl_buf_printf(&out, "%zu added, %zu removed, %zu changed\n", count[TL_DIFF_ADDED],
			                    count[TL_DIFF_REMOVED], count[TL_DIFF_CHANGED]);
	}
	if (err) {
		rc = cli_fail(err);
		goto done;
	}
	rc = cli_write_output("-", &out);
	goto done;
nomem:
	rc = cli_usage_error("out of memory");
done:
	json_decref(root);
	tl_buf_dispose(&out);
	free(v);
	tl_sbom_free(a);
	tl_sbom_free(b);
	return rc;
}
