/*
 * SARIF 2.1.0 report of findings (docs/reports.md), for code scanning
 * dashboards such as GitHub's.
 *
 *   $schema, version "2.1.0"
 *   runs[0].tool.driver    name "trustline", version, rules[]: one per
 *                          vulnerability id, sorted by id
 *     rule                 id, name, shortDescription, fullDescription
 *                          (summary), help {text, markdown}, helpUri (the
 *                          advisory), defaultConfiguration.level,
 *                          properties {security-severity (highest CVSS
 *                          score, "0.0".."10.0", as GitHub reads it), tags,
 *                          precision}
 *   runs[0].results[]      one per finding, in the findings' order
 *     result               ruleId, ruleIndex, level, kind "fail",
 *                          message.text, locations[0] {physicalLocation:
 *                          the component's first file in the image, else
 *                          its purl/CPE, else its name; logicalLocations:
 *                          the component}, partialFingerprints (SHA-256 of
 *                          id and component), properties, and suppressions
 *                          [{kind "external", status "accepted",
 *                          justification}] when VEX says not_affected or
 *                          fixed, or the image's changelog shows the fix
 *
 * level: critical and high -> error; medium and unknown -> warning; low
 * and none -> note.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln_int.h"

#define SARIF_SCHEMA \
	"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

static const char *level(tl_severity s)
{
	switch (s) {
	case TL_SEV_CRITICAL:
	case TL_SEV_HIGH: return "error";
	case TL_SEV_LOW:
	case TL_SEV_NONE: return "note";
	case TL_SEV_MEDIUM:
	case TL_SEV_UNKNOWN: break;
	}
	return "warning";
}

/* The score GitHub ranks by: the highest CVSS score, else the middle of
 * the qualitative rating's CVSS band. */
static double severity_score(const tl_finding *f)
{
	double s = tl__finding_score(f);

	if (s >= 0)
		return s;
	switch (f->severity) {
	case TL_SEV_CRITICAL: return 9.5;
	case TL_SEV_HIGH: return 8.0;
	case TL_SEV_MEDIUM: return 5.5;
	case TL_SEV_LOW: return 2.0;
	case TL_SEV_NONE: return 0.0;
	case TL_SEV_UNKNOWN: break;
	}
	return -1;
}

static int id_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *component_label(const tl_finding *f)
{
	return f->component_name ? f->component_name : f->component_ref ? f->component_ref : "?";
}

static json_t *rule_json(tl__jb *b, const tl_finding *f)
{
	json_t *r = tl__jb_obj(b), *props = tl__jb_obj(b), *tags = tl__jb_arr(b), *help = tl__jb_obj(b), *cfg = tl__jb_obj(b);
	tl_buf t = TL_BUF_INIT, md = TL_BUF_INIT, url = TL_BUF_INIT, name = TL_BUF_INIT;
	double score = severity_score(f);
	char num[16];
	tl_err err = TL_OK;

	err = tl__vuln_url(&url, f->id);
	/* name: the id as an identifier (GitHub shows it) */
	for (const char *p = f->id; *p && err == TL_OK; p++)
		err = tl_buf_putc(&name, (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		                                 (*p >= '0' && *p <= '9') ? *p : '_');
	if (err == TL_OK)
		err = tl_buf_printf(&t, "%s%s%s\n", f->id, f->summary ? ": " : "",
		                    f->summary ? f->summary : "");
	if (err == TL_OK)
		err = tl_buf_printf(&md, "**%s**%s%s\n\n", f->id, f->summary ? ": " : "",
		                    f->summary ? f->summary : "");
	if (err == TL_OK && f->n_aliases) {
		err = tl_buf_puts(&t, "Also known as:");
		if (err == TL_OK)
			err = tl_buf_puts(&md, "Also known as:");
		for (size_t i = 0; i < f->n_aliases && err == TL_OK; i++) {
			err = tl_buf_printf(&t, " %s", f->aliases[i]);
			if (err == TL_OK)
				err = tl_buf_printf(&md, " `%s`", f->aliases[i]);
		}
		if (err == TL_OK)
			err = tl_buf_puts(&t, "\n");
		if (err == TL_OK)
			err = tl_buf_puts(&md, "\n\n");
	}
	if (err == TL_OK)
		err = tl_buf_printf(&t, "Severity: %s", tl_severity_name(f->severity));
	if (err == TL_OK)
		err = tl_buf_printf(&md, "| severity | %s |\n|---|---|\n", tl_severity_name(f->severity));
	if (err == TL_OK && f->cvss3_vector) {
		err = tl_buf_printf(&t, "; CVSS v3 %.1f %s", f->cvss3_score, f->cvss3_vector);
		if (err == TL_OK)
			err = tl_buf_printf(&md, "| CVSS v3 | %.1f `%s` |\n", f->cvss3_score, f->cvss3_vector);
	}
	if (err == TL_OK && f->cvss4_vector) {
		err = tl_buf_printf(&t, "; CVSS v4 %.1f %s", f->cvss4_score, f->cvss4_vector);
		if (err == TL_OK)
			err = tl_buf_printf(&md, "| CVSS v4 | %.1f `%s` |\n", f->cvss4_score, f->cvss4_vector);
	}
	if (err == TL_OK && f->kev) {
		err = tl_buf_printf(&t, "; in CISA's Known Exploited Vulnerabilities catalog since %s",
		                    f->kev_date_added ? f->kev_date_added : "?");
		if (err == TL_OK)
			err = tl_buf_printf(&md, "| known exploited (CISA KEV) | since %s%s%s |\n",
			                    f->kev_date_added ? f->kev_date_added : "?",
			                    f->kev_due_date ? ", due " : "", f->kev_due_date ? f->kev_due_date : "");
	}
	if (err == TL_OK)
		err = tl_buf_printf(&t, "\nAdvisory: %s", url.ptr);
	if (err == TL_OK)
		err = tl_buf_printf(&md, "\n[%s](%s)\n", f->id, url.ptr);
	if (err != TL_OK) {
		b->oom = true;
		goto done;
	}
	tl__jb_set_str(b, r, "id", f->id);
	tl__jb_set_str(b, r, "name", name.ptr);
	if (f->summary) {
		/* one line for the short description */
		char shortd[256];
		size_t n = tl__utf8_line(f->summary, 200);
		snprintf(shortd, sizeof(shortd), "%.*s", (int)n, f->summary);
		tl__jb_set(b, r, "shortDescription", tl__jb_text(b, *shortd ? shortd : f->id));
		tl__jb_set(b, r, "fullDescription", tl__jb_text(b, f->summary));
	} else {
		tl__jb_set(b, r, "shortDescription", tl__jb_text(b, f->id));
	}
	tl__jb_set_str(b, help, "text", t.ptr);
	tl__jb_set_str(b, help, "markdown", md.ptr);
	tl__jb_set(b, r, "help", help);
	help = NULL;
	tl__jb_set_str(b, r, "helpUri", url.ptr);
	tl__jb_set_str(b, cfg, "level", level(f->severity));
	tl__jb_set(b, r, "defaultConfiguration", cfg);
	cfg = NULL;
	tl__jb_push(b, tags, tl__jb_str(b, "security"));
	tl__jb_push(b, tags, tl__jb_str(b, "vulnerability"));
	tl__jb_push(b, tags, tl__jb_str(b, tl_severity_name(f->severity)));
	if (f->kev)
		tl__jb_push(b, tags, tl__jb_str(b, "known-exploited"));
	tl__jb_set(b, props, "tags", tags);
	tags = NULL;
	if (score >= 0) {
		snprintf(num, sizeof(num), "%.1f", score);
		tl__jb_set_str(b, props, "security-severity", num);
	}
	tl__jb_set_str(b, props, "precision", "high");
	tl__jb_set(b, r, "properties", props);
	props = NULL;
done:
	json_decref(props);
	json_decref(tags);
	json_decref(help);
	json_decref(cfg);
	tl_buf_dispose(&t);
	tl_buf_dispose(&md);
	tl_buf_dispose(&url);
	tl_buf_dispose(&name);
	return r;
}

/* Where a finding is: the component's first file, else its identifier. */
static tl_err location_uri(tl_buf *uri, const tl_finding *f, const tl_sbom *sbom)
{
	const tl_sbom_component *c = NULL;

	if (sbom && f->component_ref)
		c = tl_sbom_find_ref(sbom, f->component_ref);
	if (c && c->n_files && c->files[0][0]) {
		const char *p = c->files[0];
		while (*p == '/')
			p++;
		if (*p)
			return tl__uri_path(uri, p);
	}
	if (f->component_id && !strncmp(f->component_id, "pkg:", 4))
		return tl__uri_path(uri, f->component_id);
	/* a CPE or a name: a relative reference, so ':' must not start it */
	if (f->component_id)
		return tl_buf_puts(uri, "cpe/") != TL_OK ? TL_ENOMEM : tl__uri_path(uri, f->component_id);
	return tl__uri_path(uri, component_label(f));
}

static json_t *suppression_json(tl__jb *b, const tl_finding *f)
{
	json_t *arr_s = tl__jb_arr(b), *s = tl__jb_obj(b);
	tl_buf j = TL_BUF_INIT;
	tl_err err;

	if (f->vex_status == TL_VEX_NOT_AFFECTED || f->vex_status == TL_VEX_FIXED) {
		err = tl_buf_printf(&j, "VEX %s", tl_vex_status_name(f->vex_status));
		if (err == TL_OK && f->vex_justification)
			err = tl_buf_printf(&j, " (%s)", f->vex_justification);
		if (err == TL_OK && f->vex_impact)
			err = tl_buf_printf(&j, ": %s", f->vex_impact);
		if (err == TL_OK && f->vex_source)
			err = tl_buf_printf(&j, " [%s]", f->vex_source);
	} else {
		err = tl_buf_printf(&j, "patched: %s", f->patch_evidence ? f->patch_evidence :
		                    "the image's changelog names the fix");
	}
	if (err != TL_OK)
		b->oom = true;
	tl__jb_set_str(b, s, "kind", "external");
	tl__jb_set_str(b, s, "status", "accepted");
	tl__jb_set_str(b, s, "justification", j.ptr);
	tl__jb_push(b, arr_s, s);
	tl_buf_dispose(&j);
	return arr_s;
}

static json_t *result_json(tl__jb *b, const tl_finding *f, size_t rule, const tl_sbom *sbom)
{
	json_t *r = tl__jb_obj(b), *loc = tl__jb_obj(b), *phys = tl__jb_obj(b), *art = tl__jb_obj(b), *logical = tl__jb_obj(b);
	json_t *locs = tl__jb_arr(b), *logicals = tl__jb_arr(b), *props = tl__jb_obj(b), *fp = tl__jb_obj(b);
	tl_buf msg = TL_BUF_INIT, uri = TL_BUF_INIT, key = TL_BUF_INIT;
	uint8_t d[TL_HASH_MAX_LEN];
	size_t dlen;
	char hex[2 * TL_HASH_MAX_LEN + 1];
	double score = tl__finding_score(f);
	tl_err err;

	err = tl_buf_printf(&msg, "%s in %s%s%s", f->id, component_label(f),
	                    f->component_version ? " " : "", f->component_version ? f->component_version : "");
	if (err == TL_OK && f->component_id)
		err = tl_buf_printf(&msg, " (%s)", f->component_id);
	if (err == TL_OK)
		err = tl_buf_printf(&msg, ": %s", tl_severity_name(f->severity));
	if (err == TL_OK && score >= 0)
		err = tl_buf_printf(&msg, " (CVSS %.1f)", score);
	if (err == TL_OK && f->kev)
		err = tl_buf_puts(&msg, ", known exploited");
	if (err == TL_OK)
		err = f->fixed_version ? tl_buf_printf(&msg, "; fixed in %s", f->fixed_version) :
		                         tl_buf_puts(&msg, "; no fixed version known");
	if (err == TL_OK && f->evidence)
		err = tl_buf_printf(&msg, ". Match: %s", f->evidence);
	if (err == TL_OK && f->vex_status != TL_VEX_NONE)
		err = tl_buf_printf(&msg, ". VEX: %s", tl_vex_status_name(f->vex_status));
	if (err == TL_OK)
		err = tl_buf_putc(&msg, '.');
	if (err == TL_OK)
		err = location_uri(&uri, f, sbom);
	if (err == TL_OK)
		err = tl_buf_printf(&key, "%s\n%s\n%s", f->id, f->component_ref ? f->component_ref : "",
		                    f->component_id ? f->component_id : "");
	if (err == TL_OK)
		err = tl_hash_buf(TL_HASH_SHA256, key.ptr, key.len, d, &dlen);
	if (err != TL_OK) {
		b->oom = true;
		goto done;
	}
	tl_hex(hex, d, dlen);
	tl__jb_set_str(b, r, "ruleId", f->id);
	tl__jb_set(b, r, "ruleIndex", json_integer((json_int_t)rule));
	tl__jb_set_str(b, r, "level", level(f->severity));
	tl__jb_set_str(b, r, "kind", "fail");
	tl__jb_set(b, r, "message", tl__jb_text(b, msg.ptr));
	tl__jb_set_str(b, art, "uri", uri.ptr);
	tl__jb_set(b, phys, "artifactLocation", art);
	art = NULL;
	tl__jb_set(b, loc, "physicalLocation", phys);
	phys = NULL;
	tl__jb_set_str(b, logical, "name", component_label(f));
	tl__jb_set_str(b, logical, "fullyQualifiedName", f->component_id ? f->component_id : f->component_ref);
	tl__jb_set_str(b, logical, "kind", "package");
	tl__jb_push(b, logicals, logical);
	logical = NULL;
	tl__jb_set(b, loc, "logicalLocations", logicals);
	logicals = NULL;
	tl__jb_push(b, locs, loc);
	loc = NULL;
	tl__jb_set(b, r, "locations", locs);
	locs = NULL;
	tl__jb_set_str(b, fp, "vulnerabilityComponent/v1", hex);
	tl__jb_set(b, r, "partialFingerprints", fp);
	fp = NULL;
	tl__jb_set_str(b, props, "component", f->component_ref);
	tl__jb_set_str(b, props, "componentId", f->component_id);
	tl__jb_set_str(b, props, "installedVersion", f->component_version);
	tl__jb_set_str(b, props, "fixedVersion", f->fixed_version);
	tl__jb_set_str(b, props, "matchSource", f->source);
	tl__jb_set_str(b, props, "matchRecord", f->record);
	tl__jb_set_str(b, props, "cvss3Vector", f->cvss3_vector);
	tl__jb_set_str(b, props, "cvss4Vector", f->cvss4_vector);
	if (f->kev) {
		tl__jb_set(b, props, "kev", json_true());
		tl__jb_set_str(b, props, "kevDateAdded", f->kev_date_added);
		tl__jb_set_str(b, props, "kevDueDate", f->kev_due_date);
	}
	if (f->vex_status != TL_VEX_NONE) {
		tl__jb_set_str(b, props, "vexStatus", tl_vex_status_name(f->vex_status));
		tl__jb_set_str(b, props, "vexJustification", f->vex_justification);
		tl__jb_set_str(b, props, "vexImpact", f->vex_impact);
		tl__jb_set_str(b, props, "vexAction", f->vex_action);
		tl__jb_set_str(b, props, "vexSource", f->vex_source);
	}
	if (f->patched)
		tl__jb_set_str(b, props, "patchEvidence", f->patch_evidence ? f->patch_evidence : "");
	tl__jb_set(b, r, "properties", props);
	props = NULL;
	if (!tl_finding_is_active(f))
		tl__jb_set(b, r, "suppressions", suppression_json(b, f));
done:
	json_decref(loc);
	json_decref(phys);
	json_decref(art);
	json_decref(logical);
	json_decref(locs);
	json_decref(logicals);
	json_decref(props);
	json_decref(fp);
	tl_buf_dispose(&msg);
	tl_buf_dispose(&uri);
	tl_buf_dispose(&key);
	return r;
}

tl_err tl__report_sarif(tl_buf *out, const tl_findings *f, const tl_sbom *sbom)
{
	tl__jb b = { false };
	json_t *root = NULL, *run, *tool, *driver, *rules, *results, *runs;
	const char **ids = NULL;
	size_t n_ids = 0;
	tl_err err;

	if (!out || !f)
		return TL_EINVAL;
	for (size_t i = 0; i < f->n; i++)
		if (!f->v[i].id)
			return tl__error(TL_EINVAL, "finding %zu has no vulnerability id", i);
	/* the distinct ids, sorted: one rule each */
	if (f->n && !(ids = malloc(f->n * sizeof(*ids))))
		return tl__nomem();
	for (size_t i = 0; i < f->n; i++)
		ids[n_ids++] = f->v[i].id;
	if (n_ids)
		qsort(ids, n_ids, sizeof(*ids), id_cmp);
	{
		size_t k = 0;
		for (size_t i = 0; i < n_ids; i++)
			if (!k || strcmp(ids[k - 1], ids[i]))
				ids[k++] = ids[i];
		n_ids = k;
	}

	root = tl__jb_obj(&b);
	run = tl__jb_obj(&b);
	tool = tl__jb_obj(&b);
	driver = tl__jb_obj(&b);
	rules = tl__jb_arr(&b);
	results = tl__jb_arr(&b);
	runs = tl__jb_arr(&b);
	tl__jb_set_str(&b, root, "$schema", SARIF_SCHEMA);
	tl__jb_set_str(&b, root, "version", "2.1.0");
	tl__jb_set_str(&b, driver, "name", "trustline");
	tl__jb_set_str(&b, driver, "version", TL_VERSION);
	tl__jb_set_str(&b, driver, "semanticVersion", TL_VERSION);
	for (size_t k = 0; k < n_ids; k++) {
		/* the first finding of an id has its highest severity (findings are
		 * sorted by severity); every finding of it names the same record group */
		for (size_t i = 0; i < f->n; i++) {
			if (!strcmp(f->v[i].id, ids[k])) {
				tl__jb_push(&b, rules, rule_json(&b, &f->v[i]));
				break;
			}
		}
	}
	for (size_t i = 0; i < f->n; i++) {
		const char **hit = bsearch(&f->v[i].id, ids, n_ids, sizeof(*ids), id_cmp);
		tl__jb_push(&b, results, result_json(&b, &f->v[i], (size_t)(hit - ids), sbom));
	}
	tl__jb_set(&b, driver, "rules", rules);
	tl__jb_set(&b, tool, "driver", driver);
	tl__jb_set(&b, run, "tool", tool);
	tl__jb_set(&b, run, "results", results);
	tl__jb_set_str(&b, run, "columnKind", "unicodeCodePoints");
	tl__jb_push(&b, runs, run);
	tl__jb_set(&b, root, "runs", runs);
	err = b.oom ? tl__nomem() : tl_json_dump(out, root);
	json_decref(root);
	free(ids);
	return err;
}
