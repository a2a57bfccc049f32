/*
 * trustline vex: writes an OpenVEX 0.2.0 document stating the status of
 * chosen vulnerabilities in chosen products (docs/vex.md).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "trustline/vuln.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: trustline vex --finding ID[@PRODUCT]... [--product PRODUCT]... [--from FINDINGS]\n"
	        "                     --status STATUS [--justification LABEL] [--impact TEXT] [--action TEXT]\n"
	        "                     [--author NAME] [--role ROLE] [--id IRI] [-o FILE]\n"
	        "\n"
	        "Writes an OpenVEX 0.2.0 document with one statement per vulnerability.\n"
	        "\n"
	        "  --finding ID[@PRODUCT]  a vulnerability id (CVE-2023-38545, GHSA-..., an OSV id),\n"
	        "                          with the product it is about: a purl or a CPE 2.3 name\n"
	        "                          (repeatable; an ID without @PRODUCT is stated for every\n"
	        "                          --product). A purl without a version covers every version.\n"
	        "  --product PRODUCT       a product for the findings given without one (repeatable)\n"
	        "  --from FINDINGS         the JSON of 'trustline vuln --format json': an ID given\n"
	        "                          without @PRODUCT is stated for the component of every\n"
	        "                          finding with that id or alias, with its aliases\n"
	        "  --status STATUS         not_affected, affected, fixed or under_investigation\n"
	        "  --justification LABEL   why not affected: component_not_present,\n"
	        "                          vulnerable_code_not_present,\n"
	        "                          vulnerable_code_not_in_execute_path,\n"
	        "                          vulnerable_code_cannot_be_controlled_by_adversary,\n"
	        "                          inline_mitigations_already_exist\n"
	        "  --impact TEXT           impact statement (not_affected needs it or a justification)\n"
	        "  --action TEXT           action statement (affected needs it)\n"
	        "  --author NAME           who makes the statements (default \"Unknown Author\")\n"
	        "  --role ROLE             the author's role\n"
	        "  --id IRI                the document's @id (default: a urn:uuid from its content)\n"
	        "  -o, --output FILE       where to write (default: standard output)\n"
	        "\n"
	        "Timestamps are SOURCE_DATE_EPOCH when set, so the same command writes the same bytes.\n"
	        "Exit status: 0 written, 2 usage or I/O error.\n");
}

static bool product_ok(const char *p)
{
	tl_purl purl;
	tl_cpe cpe;

	if (!strncmp(p, "pkg:", 4)) {
		if (tl_purl_parse(&purl, p) != TL_OK)
			return false;
		tl_purl_dispose(&purl);
		return true;
	}
	if (!strncasecmp(p, "cpe:2.3:", 8)) {
		if (tl_cpe_parse(&cpe, p) != TL_OK)
			return false;
		tl_cpe_dispose(&cpe);
		return true;
	}
	return false;
}

/* Adds the finding (id, product) with the triage fields to f. */
static tl_err add(tl_findings *f, const char *id, size_t idlen, const char *product,
                  const json_t *aliases, tl_vex_status st, const char *just, const char *impact,
                  const char *action)
{
	tl_finding *x;
	size_t na = json_array_size(aliases);

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		tl_finding *v = realloc(f->v, cap * sizeof(*v));
		if (!v)
			return TL_ENOMEM;
		f->v = v;
		f->cap = cap;
	}
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->cvss3_score = x->cvss4_score = -1;
	x->vex_status = st;
	if (!(x->id = strndup(id, idlen)) || !(x->component_id = strdup(product)) ||
	    (just && !(x->vex_justification = strdup(just))) ||
	    (impact && !(x->vex_impact = strdup(impact))) ||
	    (action && !(x->vex_action = strdup(action))))
		return TL_ENOMEM;
	if (na && !(x->aliases = calloc(na, sizeof(char *))))
		return TL_ENOMEM;
	for (size_t k = 0; k < na; k++) {
		const char *a = json_string_value(json_array_get(aliases, k));
		if (a && !(x->aliases[x->n_aliases++] = strdup(a)))
			return TL_ENOMEM;
	}
	return TL_OK;
}

/* Whether finding object o (of a trustline-findings document) is about
 * vulnerability id: its id or one of its aliases. */
static bool names(const json_t *o, const char *id, size_t idlen)
{
	const json_t *v = json_object_get(o, "id"), *a = json_object_get(o, "aliases");

	if (json_is_string(v) && strlen(json_string_value(v)) == idlen &&
	    !strncmp(json_string_value(v), id, idlen))
		return true;
	for (size_t k = 0; k < json_array_size(a); k++) {
		const char *s = json_string_value(json_array_get(a, k));
		if (s && strlen(s) == idlen && !strncmp(s, id, idlen))
			return true;
	}
	return false;
}

/* Adds one finding per finding of the findings document that names id and
 * has a purl or CPE; *n counts them. */
static tl_err add_from(tl_findings *f, const json_t *doc, const char *id, size_t idlen,
                       tl_vex_status st, const char *just, const char *impact, const char *action,
                       size_t *n)
{
	const json_t *arr = json_object_get(doc, "findings");
	tl_err err = TL_OK;

	*n = 0;
	for (size_t k = 0; k < json_array_size(arr) && err == TL_OK; k++) {
		const json_t *o = json_array_get(arr, k), *aliases = json_object_get(o, "aliases");
		const char *fid = json_string_value(json_object_get(o, "id"));
		const char *cid = json_string_value(json_object_get(o, "component_id"));
		if (!fid || !cid || !names(o, id, idlen) || !product_ok(cid))
			continue;
		err = add(f, fid, strlen(fid), cid, json_is_array(aliases) ? aliases : NULL, st, just,
		          impact, action);
		(*n)++;
	}
	return err;
}

int cmd_vex(int argc, char **argv)
{
	const char **findings = NULL, **products = NULL;
	size_t nf = 0, np = 0;
	const char *status = NULL, *just = NULL, *impact = NULL, *action = NULL, *author = NULL;
	const char *role = NULL, *id = NULL, *output = NULL, *from = NULL;
	json_t *doc = NULL;
	tl_findings f = { 0 };
	tl_vex_out_opts o = { 0 };
	tl_vex_status st;
	tl_buf out = TL_BUF_INIT;
	int rc = 2;
	tl_err err;

	findings = calloc((size_t)argc, sizeof(*findings));
	products = calloc((size_t)argc, sizeof(*products));
	if (!findings || !products) {
		rc = cli_usage_error("out of memory");
		goto done;
	}
	for (int i = 1; i < argc; i++) {
		const struct {
			const char *name;
			const char **one;  /* single value */
			const char **many; /* repeatable: appended, count in *n */
			size_t *n;
		} opts[] = {
			{ "--finding", NULL, findings, &nf },    { "--product", NULL, products, &np },
			{ "--status", &status, NULL, NULL },     { "--justification", &just, NULL, NULL },
			{ "--impact", &impact, NULL, NULL },     { "--action", &action, NULL, NULL },
			{ "--author", &author, NULL, NULL },     { "--role", &role, NULL, NULL },
			{ "--id", &id, NULL, NULL },             { "--output", &output, NULL, NULL },
			{ "-o", &output, NULL, NULL },           { "--from", &from, NULL, NULL },
		};
		const char *a = argv[i], *v = NULL;
		bool missing = false, known = false;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			rc = 0;
			goto done;
		}
		for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]) && !known; k++) {
			v = cli_opt_value(argc, argv, &i, opts[k].name, &missing);
			if (missing) {
				rc = cli_usage_error("vex: %s needs a value", opts[k].name);
				goto done;
			}
			if (!v)
				continue;
			known = true;
			if (opts[k].one)
				*opts[k].one = v;
			else
				opts[k].many[(*opts[k].n)++] = v;
		}
		if (!known) {
			rc = cli_usage_error("vex: unexpected argument '%s' (see trustline vex --help)", a);
			goto done;
		}
	}
	if (!nf) {
		rc = cli_usage_error("vex: give at least one --finding ID[@PRODUCT]");
		goto done;
	}
	if (!status) {
		rc = cli_usage_error("vex: --status is required (not_affected, affected, fixed, "
		                     "under_investigation)");
		goto done;
	}
	if (tl_vex_status_parse(status, &st) != TL_OK) {
		rc = cli_usage_error("vex: --status '%s': expected not_affected, affected, fixed or "
		                     "under_investigation", status);
		goto done;
	}
	if (just && !tl_vex_justification_valid(just)) {
		rc = cli_usage_error("vex: --justification '%s': not an OpenVEX justification (see --help)",
		                     just);
		goto done;
	}
	if (just && st != TL_VEX_NOT_AFFECTED) {
		rc = cli_usage_error("vex: --justification goes only with --status not_affected");
		goto done;
	}
	if (st == TL_VEX_NOT_AFFECTED && !just && !impact) {
		rc = cli_usage_error("vex: --status not_affected needs --justification or --impact");
		goto done;
	}
	if (st == TL_VEX_AFFECTED && !action) {
		rc = cli_usage_error("vex: --status affected needs --action (what to do about it)");
		goto done;
	}
	for (size_t k = 0; k < np; k++) {
		if (!product_ok(products[k])) {
			rc = cli_usage_error("vex: --product '%s': expected a purl (pkg:...) or a CPE 2.3 name",
			                     products[k]);
			goto done;
		}
	}
	if (from) {
		const json_t *fmt;
		tl_json_limits lim = cli_json_limits();
		if ((err = tl_json_load_file(&doc, from, &lim)) != TL_OK) {
			rc = cli_fail(err);
			goto done;
		}
		fmt = json_object_get(doc, "format");
		if (!json_is_string(fmt) || strcmp(json_string_value(fmt), "trustline-findings") ||
		    !json_is_array(json_object_get(doc, "findings"))) {
			rc = cli_usage_error("vex: --from %s: $.format: expected the \"trustline-findings\" JSON "
			                     "of trustline vuln --format json", from);
			goto done;
		}
	}
	for (size_t k = 0; k < nf; k++) {
		/* vulnerability ids have no '@'; the product (a purl) may */
		const char *at = strchr(findings[k], '@');
		size_t idlen = at ? (size_t)(at - findings[k]) : strlen(findings[k]);
		if (idlen == 0) {
			rc = cli_usage_error("vex: --finding '%s': no vulnerability id", findings[k]);
			goto done;
		}
		if (at) {
			if (!product_ok(at + 1)) {
				rc = cli_usage_error("vex: --finding '%s': after '@', expected a purl (pkg:...) "
				                     "or a CPE 2.3 name", findings[k]);
				goto done;
			}
			err = add(&f, findings[k], idlen, at + 1, NULL, st, just, impact, action);
		} else if (doc) {
			size_t n;
			err = add_from(&f, doc, findings[k], idlen, st, just, impact, action, &n);
			for (size_t p = 0; p < np && err == TL_OK; p++)
				err = add(&f, findings[k], idlen, products[p], NULL, st, just, impact, action);
			if (err == TL_OK && !n && !np) {
				rc = cli_usage_error("vex: --finding '%s': no finding with that id and a purl or "
				                     "CPE in %s", findings[k], from);
				goto done;
			}
		} else if (!np) {
			rc = cli_usage_error("vex: --finding '%s' names no product: write ID@PURL, or add "
			                     "--product or --from", findings[k]);
			goto done;
		} else {
			err = TL_OK;
			for (size_t p = 0; p < np && err == TL_OK; p++)
				err = add(&f, findings[k], idlen, products[p], NULL, st, just, impact, action);
		}
		if (err != TL_OK) {
			rc = cli_usage_error("out of memory");
			goto done;
		}
	}
	o.author = author ? author : "Unknown Author";
	o.role = role;
	o.id = id;
	if ((err = tl_vex_write_openvex(&out, &f, &o)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	rc = cli_write_output(output, &out);
done:
	json_decref(doc);
	tl_buf_dispose(&out);
	tl_findings_free(&f);
	free(findings);
	free(products);
	return rc;
}
