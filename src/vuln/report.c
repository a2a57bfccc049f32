/*
 * Reports of findings: the format dispatch, the aligned table and the
 * JSON document ("trustline-findings/1", docs/matching.md).  SARIF,
 * CycloneDX VDR and HTML live in their own files (report_sarif.c,
 * report_cdx.c, report_html.c; docs/reports.md).
 *
 * JSON document:
 *   { "format": "trustline-findings", "version": 1,
 *     "summary": { "findings": N, "active": N, "kev": N,
 *                  "by_severity": { "critical": N, ... "unknown": N } },   (active ones)
 *     "findings": [ { every field of tl_finding; absent values are null,
 *                     scores < 0 are null, aliases an array } ... ] }
 * Keys sorted, two-space indentation: the same findings give the same bytes.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln_int.h"

tl_err tl_report_format_parse(const char *name, tl_report_format *out)
{
	static const struct {
		const char *name;
		tl_report_format fmt;
	} names[] = {
		{ "table", TL_REPORT_TABLE },   { "json", TL_REPORT_JSON }, { "sarif", TL_REPORT_SARIF },
		{ "cyclonedx", TL_REPORT_CYCLONEDX }, { "html", TL_REPORT_HTML },
	};

	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i].name)) {
			*out = names[i].fmt;
			return TL_OK;
		}
	}
	return tl__error(TL_EINVAL, "unknown report format \"%.40s\" (expected table, json, sarif, cyclonedx or html)",
	                 name ? name : "");
}

/* The status column: patched, a VEX status, or open. */
static const char *status_of(const tl_finding *f)
{
	if (f->patched)
		return "patched";
	if (f->vex_status != TL_VEX_NONE)
		return tl_vex_status_name(f->vex_status);
	return "open";
}

static double best_score(const tl_finding *f)
{
	return f->cvss4_score > f->cvss3_score ? f->cvss4_score : f->cvss3_score;
}

/* Counts of active findings by severity (index tl_severity). */
static void counts(const tl_findings *f, size_t by_sev[6], size_t *active, size_t *kev)
{
	memset(by_sev, 0, 6 * sizeof(size_t));
	*active = *kev = 0;
	for (size_t i = 0; i < f->n; i++) {
		const tl_finding *x = &f->v[i];
		if (!tl_finding_is_active(x))
			continue;
		(*active)++;
		if ((unsigned)x->severity < 6)
			by_sev[x->severity]++;
		if (x->kev)
			(*kev)++;
	}
}

static const char *or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

/* One table cell padded to width w and two spaces; w 0: the last cell and a newline. */
static tl_err cell_put(tl_buf *out, const char *s, size_t w)
{
	static const char spaces[] = "                                                                ";
	size_t n = strlen(s);
	tl_err err = tl_buf_put(out, s, n);

	if (w == 0)
		return err == TL_OK ? tl_buf_putc(out, '\n') : err;
	for (n = w - n + 2; err == TL_OK && n > 0;) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
		err = tl_buf_put(out, spaces, k);
		n -= k;
	}
	return err;
}

static tl_err report_table(tl_buf *out, const tl_findings *f)
{
	static const char *const head[8] = { "ID", "SEVERITY", "CVSS", "KEV", "COMPONENT", "VERSION",
	                                     "FIXED", "STATUS" };
	size_t w[8], by_sev[6], active, kev;
	char score[16];
	tl_err err = TL_OK;

	for (int k = 0; k < 8; k++)
		w[k] = strlen(head[k]);
	for (int pass = 0; pass < 2 && err == TL_OK; pass++) {
		if (pass == 1 && f->n) {
			for (int k = 0; k < 8 && err == TL_OK; k++)
				err = cell_put(out, head[k], k < 7 ? w[k] : 0);
		}
		for (size_t i = 0; i < f->n && err == TL_OK; i++) {
			const tl_finding *x = &f->v[i];
			const char *cell[8];
			double s = best_score(x);
			if (s >= 0)
				snprintf(score, sizeof(score), "%.1f", s);
			else
				snprintf(score, sizeof(score), "-");
			cell[0] = x->id;
			cell[1] = tl_severity_name(x->severity);
			cell[2] = score;
			cell[3] = x->kev ? "yes" : "-";
			cell[4] = or_dash(x->component_name ? x->component_name : x->component_ref);
			cell[5] = or_dash(x->component_version);
			cell[6] = or_dash(x->fixed_version);
			cell[7] = status_of(x);
			for (int k = 0; k < 8 && err == TL_OK; k++) {
				if (pass == 0) {
					size_t n = strlen(cell[k]);
					w[k] = n > w[k] ? n : w[k];
				} else {
					err = cell_put(out, cell[k], k < 7 ? w[k] : 0);
				}
			}
		}
	}
	if (err != TL_OK)
		return err;
	counts(f, by_sev, &active, &kev);
	return tl_buf_printf(out,
	                     "%zu active finding%s (critical %zu, high %zu, medium %zu, low %zu, none %zu,"
	                     " unknown %zu; %zu in KEV); %zu patched or resolved by VEX\n",
	                     active, active == 1 ? "" : "s", by_sev[TL_SEV_CRITICAL], by_sev[TL_SEV_HIGH],
	                     by_sev[TL_SEV_MEDIUM], by_sev[TL_SEV_LOW], by_sev[TL_SEV_NONE],
	                     by_sev[TL_SEV_UNKNOWN], kev, f->n - active);
}

/* Sets key to a string or null; false when out of memory. */
static bool set_str(json_t *o, const char *key, const char *v)
{
	return json_object_set_new(o, key, v ? json_string(v) : json_null()) == 0;
}

static bool set_score(json_t *o, const char *key, double v)
{
	return json_object_set_new(o, key, v >= 0 ? json_real(v) : json_null()) == 0;
}

static json_t *finding_json(const tl_finding *x)
{
	json_t *o = json_object(), *al = json_array();
	bool ok = o && al;

	for (size_t k = 0; ok && k < x->n_aliases; k++)
		ok = json_array_append_new(al, json_string(x->aliases[k])) == 0;
	ok = ok && json_object_set_new(o, "aliases", al) == 0;
	al = NULL;
	ok = ok && set_str(o, "id", x->id) && set_str(o, "summary", x->summary) &&
	     set_str(o, "severity", tl_severity_name(x->severity)) &&
	     set_score(o, "cvss3_score", x->cvss3_score) && set_str(o, "cvss3_vector", x->cvss3_vector) &&
	     set_score(o, "cvss4_score", x->cvss4_score) && set_str(o, "cvss4_vector", x->cvss4_vector) &&
	     json_object_set_new(o, "kev", json_boolean(x->kev)) == 0 &&
	     set_str(o, "kev_date_added", x->kev_date_added) && set_str(o, "kev_due_date", x->kev_due_date) &&
	     set_str(o, "component_ref", x->component_ref) && set_str(o, "component_name", x->component_name) &&
	     set_str(o, "component_version", x->component_version) &&
	     set_str(o, "component_id", x->component_id) && set_str(o, "source", x->source) &&
	     set_str(o, "record", x->record) && set_str(o, "fixed_version", x->fixed_version) &&
	     set_str(o, "evidence", x->evidence) &&
	     json_object_set_new(o, "patched", json_boolean(x->patched)) == 0 &&
	     set_str(o, "patch_evidence", x->patch_evidence) &&
	     set_str(o, "vex_status", tl_vex_status_name(x->vex_status)) &&
	     set_str(o, "vex_justification", x->vex_justification) && set_str(o, "vex_impact", x->vex_impact) &&
	     set_str(o, "vex_action", x->vex_action) && set_str(o, "vex_source", x->vex_source) &&
	     json_object_set_new(o, "active", json_boolean(tl_finding_is_active(x))) == 0;
	json_decref(al);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static tl_err report_json(tl_buf *out, const tl_findings *f)
{
	json_t *root = json_object(), *arr = json_array(), *sum = json_object(), *sev = json_object();
	size_t by_sev[6], active, kev;
	bool ok = root && arr && sum && sev;
	tl_err err;

	counts(f, by_sev, &active, &kev);
	for (int s = TL_SEV_UNKNOWN; ok && s <= TL_SEV_CRITICAL; s++)
		ok = json_object_set_new(sev, tl_severity_name((tl_severity)s), json_integer((json_int_t)by_sev[s])) == 0;
	ok = ok && json_object_set_new(sum, "findings", json_integer((json_int_t)f->n)) == 0 &&
	     json_object_set_new(sum, "active", json_integer((json_int_t)active)) == 0 &&
	     json_object_set_new(sum, "kev", json_integer((json_int_t)kev)) == 0 &&
	     json_object_set_new(sum, "by_severity", sev) == 0;
	sev = NULL;
	for (size_t i = 0; ok && i < f->n; i++) {
		json_t *o = finding_json(&f->v[i]);
		ok = o && json_array_append_new(arr, o) == 0;
	}
	ok = ok && json_object_set_new(root, "format", json_string("trustline-findings")) == 0 &&
	     json_object_set_new(root, "version", json_integer(1)) == 0 &&
	     json_object_set_new(root, "summary", sum) == 0;
	sum = NULL;
	ok = ok && json_object_set_new(root, "findings", arr) == 0;
	arr = NULL;
	/* scores have one decimal: 4 significant digits print them exactly */
	if (ok) {
		char *txt = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(4));
		err = !txt ? tl__nomem() : tl_buf_puts(out, txt);
		if (err == TL_OK)
			err = tl_buf_putc(out, '\n');
		free(txt);
	} else {
		err = tl__nomem();
	}
	json_decref(root);
	json_decref(arr);
	json_decref(sum);
	json_decref(sev);
	return err;
}

tl_err tl_vuln_report(tl_buf *out, tl_report_format fmt, const tl_findings *f, const tl_sbom *sbom)
{
	if (!out || !f)
		return tl__error(TL_EINVAL, "tl_vuln_report: NULL argument");
	switch (fmt) {
	case TL_REPORT_TABLE:
		return report_table(out, f);
	case TL_REPORT_JSON:
		return report_json(out, f);
	case TL_REPORT_SARIF:
		return tl__report_sarif(out, f, sbom);
	case TL_REPORT_CYCLONEDX:
		return tl__report_cyclonedx(out, f, sbom);
	case TL_REPORT_HTML:
		return tl__report_html(out, f, sbom);
	}
	return tl__error(TL_EUNSUPPORTED, "report format %d is not known", (int)fmt);
}
