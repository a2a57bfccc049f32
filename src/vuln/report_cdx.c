/*
 * CycloneDX 1.6 vulnerability disclosure report (VDR): the SBOM's
 * components and dependencies, written by the CycloneDX writer, plus
 * vulnerabilities[] (docs/reports.md).
 *
 *   serialNumber   urn:uuid from SHA-256 of the report written without it
 *   metadata       timestamp (SOURCE_DATE_EPOCH), tools: trustline, the
 *                  SBOM's subject; property trustline:vdr:sbom-serial
 *   components     the SBOM's, plus one for each finding whose
 *                  component_ref the SBOM does not have
 *   vulnerabilities[]  one per finding, in the findings' order:
 *     id, source {name, url}    the advisory (NVD, GitHub, OSV)
 *     references[]              aliases, each {id, source}
 *     ratings[]                 CVSS v3.x and v4 {method, score, severity,
 *                               vector}; the qualitative rating when there
 *                               is no score
 *     description, recommendation ("Upgrade NAME to VERSION or later")
 *     analysis                  VEX: state (not_affected, resolved,
 *                               exploitable, in_triage), justification,
 *                               response, detail; patch evidence: resolved
 *     affects[0]                {ref: bom-ref, versions: [installed version
 *                               (affected/unaffected), fixed version
 *                               (unaffected)]}
 *     properties                trustline:kev, trustline:kev:date-added,
 *                               trustline:kev:due-date, trustline:match:*,
 *                               trustline:patch:evidence, trustline:vex:source
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln_int.h"

/* maxLength of a 1.6 version (code points; the writer cuts longer ones) */
#define CDX16_VERSION_MAX 1024

static const char *source_name(const char *id)
{
	if (!strncmp(id, "CVE-", 4))
		return "NVD";
	if (!strncmp(id, "GHSA-", 5))
		return "GitHub Advisory Database";
	return "OSV";
}

static json_t *source_json(tl__jb *b, const char *id)
{
	json_t *s = tl__jb_obj(b);
	tl_buf url = TL_BUF_INIT;

	if (tl__vuln_url(&url, id) != TL_OK)
		b->oom = true;
	tl__jb_set_str(b, s, "name", source_name(id));
	tl__jb_set_str(b, s, "url", url.ptr);
	tl_buf_dispose(&url);
	return s;
}

static const char *rating_severity(double score)
{
	if (score >= 9.0)
		return "critical";
	if (score >= 7.0)
		return "high";
	if (score >= 4.0)
		return "medium";
	if (score > 0.0)
		return "low";
	return "none";
}

static void rating(tl__jb *b, json_t *ratings, const char *id, double score, const char *vector,
                   bool v4)
{
	json_t *r = tl__jb_obj(b);
	const char *method = "other";

	if (v4)
		method = "CVSSv4";
	else if (vector && !strncmp(vector, "CVSS:3.1/", 9))
		method = "CVSSv31";
	else if (vector && !strncmp(vector, "CVSS:3.0/", 9))
		method = "CVSSv3";
	tl__jb_set(b, r, "source", source_json(b, id));
	tl__jb_set(b, r, "score", json_real(score));
	tl__jb_set_str(b, r, "severity", rating_severity(score));
	tl__jb_set_str(b, r, "method", method);
	tl__jb_set_str(b, r, "vector", vector);
	tl__jb_push(b, ratings, r);
}

/* OpenVEX justification -> CycloneDX impactAnalysisJustification (the
 * reverse of what vex.c reads). */
static const char *cdx_justification(const char *j)
{
	static const struct {
		const char *openvex, *cdx;
	} map[] = {
		{ "component_not_present", "requires_dependency" },
		{ "vulnerable_code_not_present", "code_not_present" },
		{ "vulnerable_code_not_in_execute_path", "code_not_reachable" },
		{ "vulnerable_code_cannot_be_controlled_by_adversary", "requires_environment" },
		{ "inline_mitigations_already_exist", "protected_by_mitigating_control" },
	};
	for (size_t i = 0; j && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(j, map[i].openvex))
			return map[i].cdx;
	return NULL;
}

static json_t *analysis_json(tl__jb *b, const tl_finding *f)
{
	json_t *a = tl__jb_obj(b), *resp = NULL;
	tl_buf detail = TL_BUF_INIT;
	const char *state = NULL;
	tl_err err = TL_OK;

	switch (f->vex_status) {
	case TL_VEX_NOT_AFFECTED: state = "not_affected"; break;
	case TL_VEX_FIXED: state = "resolved"; break;
	case TL_VEX_AFFECTED: state = "exploitable"; break;
	case TL_VEX_UNDER_INVESTIGATION: state = "in_triage"; break;
	case TL_VEX_NONE: state = "resolved"; break; /* patched */
	}
	tl__jb_set_str(b, a, "state", state);
	if (f->vex_status == TL_VEX_NOT_AFFECTED)
		tl__jb_set_str(b, a, "justification", cdx_justification(f->vex_justification));
	if (f->vex_status == TL_VEX_AFFECTED && f->fixed_version) {
		resp = tl__jb_arr(b);
		tl__jb_push(b, resp, tl__jb_str(b, "update"));
		tl__jb_set(b, a, "response", resp);
	}
	if (f->vex_impact)
		err = tl_buf_puts(&detail, f->vex_impact);
	if (err == TL_OK && f->vex_action)
		err = tl_buf_printf(&detail, "%s%s", detail.len ? " " : "", f->vex_action);
	if (err == TL_OK && f->patched)
		err = tl_buf_printf(&detail, "%sPatched: %s", detail.len ? " " : "",
		                    f->patch_evidence ? f->patch_evidence : "the image's changelog names the fix");
	if (err != TL_OK)
		b->oom = true;
	if (detail.len)
		tl__jb_set_str(b, a, "detail", detail.ptr);
	tl_buf_dispose(&detail);
	return a;
}

static void prop(tl__jb *b, json_t *props, const char *name, const char *value)
{
	json_t *p;

	if (!value)
		return;
	p = tl__jb_obj(b);
	tl__jb_set_str(b, p, "name", name);
	tl__jb_set_str(b, p, "value", value);
	tl__jb_push(b, props, p);
}

/* A version as the 1.6 schema takes it (at most 1024 code points). */
static json_t *version_json(tl__jb *b, const char *v, const char *status)
{
	json_t *o = tl__jb_obj(b);
	size_t n = 0, cps = 0;

	while (v[n] && cps < CDX16_VERSION_MAX) {
		n++;
		while (((unsigned char)v[n] & 0xc0) == 0x80)
			n++;
		cps++;
	}
	{
		json_t *s = json_stringn(v, n);
		if (!s)
			b->oom = true;
		tl__jb_set(b, o, "version", s);
	}
	tl__jb_set_str(b, o, "status", status);
	return o;
}

static json_t *vuln_json(tl__jb *b, const tl_finding *f, const char *ref)
{
	json_t *v = tl__jb_obj(b), *refs, *ratings, *affects, *aff, *versions, *props;
	double s3 = f->cvss3_score, s4 = f->cvss4_score;

	tl__jb_set_str(b, v, "id", f->id);
	tl__jb_set(b, v, "source", source_json(b, f->id));
	if (f->n_aliases) {
		refs = tl__jb_arr(b);
		for (size_t i = 0; i < f->n_aliases; i++) {
			json_t *r = tl__jb_obj(b);
			tl__jb_set_str(b, r, "id", f->aliases[i]);
			tl__jb_set(b, r, "source", source_json(b, f->aliases[i]));
			tl__jb_push(b, refs, r);
		}
		tl__jb_set(b, v, "references", refs);
	}
	ratings = tl__jb_arr(b);
	if (s3 >= 0)
		rating(b, ratings, f->id, s3, f->cvss3_vector, false);
	if (s4 >= 0)
		rating(b, ratings, f->id, s4, f->cvss4_vector, true);
	if (s3 < 0 && s4 < 0 && f->severity != TL_SEV_UNKNOWN) {
		json_t *r = tl__jb_obj(b);
		tl__jb_set(b, r, "source", source_json(b, f->id));
		tl__jb_set_str(b, r, "severity", f->severity == TL_SEV_NONE ? "none" :
		                                 tl_severity_name(f->severity));
		tl__jb_set_str(b, r, "method", "other");
		tl__jb_push(b, ratings, r);
	}
	if (json_array_size(ratings))
		tl__jb_set(b, v, "ratings", ratings);
	else
		json_decref(ratings);
	tl__jb_set_str(b, v, "description", f->summary);
	if (f->fixed_version) {
		tl_buf rec = TL_BUF_INIT;
		if (tl_buf_printf(&rec, "Upgrade %s to %s or later.",
		                  f->component_name ? f->component_name : ref, f->fixed_version) != TL_OK)
			b->oom = true;
		tl__jb_set_str(b, v, "recommendation", rec.ptr);
		tl_buf_dispose(&rec);
	}
	if (f->vex_status != TL_VEX_NONE || f->patched)
		tl__jb_set(b, v, "analysis", analysis_json(b, f));
	affects = tl__jb_arr(b);
	aff = tl__jb_obj(b);
	tl__jb_set_str(b, aff, "ref", ref);
	versions = tl__jb_arr(b);
	if (f->component_version && *f->component_version)
		tl__jb_push(b, versions, version_json(b, f->component_version,
		                                      tl_finding_is_active(f) ? "affected" : "unaffected"));
	if (f->fixed_version && *f->fixed_version &&
	    (!f->component_version || strcmp(f->fixed_version, f->component_version)))
		tl__jb_push(b, versions, version_json(b, f->fixed_version, "unaffected"));
	if (json_array_size(versions))
		tl__jb_set(b, aff, "versions", versions);
	else
		json_decref(versions);
	tl__jb_push(b, affects, aff);
	tl__jb_set(b, v, "affects", affects);
	props = tl__jb_arr(b);
	if (f->kev) {
		prop(b, props, "trustline:kev", "true");
		prop(b, props, "trustline:kev:date-added", f->kev_date_added);
		prop(b, props, "trustline:kev:due-date", f->kev_due_date);
	}
	prop(b, props, "trustline:match:evidence", f->evidence);
	prop(b, props, "trustline:match:record", f->record);
	prop(b, props, "trustline:match:source", f->source);
	if (f->patched)
		prop(b, props, "trustline:patch:evidence", f->patch_evidence ? f->patch_evidence : "");
	prop(b, props, "trustline:vex:source", f->vex_source);
	if (json_array_size(props))
		tl__jb_set(b, v, "properties", props);
	else
		json_decref(props);
	return v;
}

/* A component for a finding whose bom-ref the SBOM lacks (or no SBOM). */
static tl_err add_finding_component(tl_sbom *doc, const tl_finding *f, const char *ref)
{
	tl_sbom_component *c;
	tl_err err;

	if ((err = tl_sbom_add_component(doc, &c)) != TL_OK)
		return err;
	/* the finding's strings may come from a binary: valid UTF-8 only */
	if (!(c->ref = tl__utf8_dup(ref)) ||
	    !(c->name = tl__utf8_dup(f->component_name ? f->component_name : ref)) ||
	    (f->component_version && !(c->version = tl__utf8_dup(f->component_version))))
		return tl__nomem();
	if (f->component_id && !strncmp(f->component_id, "pkg:", 4)) {
		if (!(c->purl = tl__utf8_dup(f->component_id)))
			return tl__nomem();
	} else if (f->component_id && !strncmp(f->component_id, "cpe:2.3:", 8)) {
		if (!(c->cpe = tl__utf8_dup(f->component_id)))
			return tl__nomem();
	}
	return TL_OK;
}

/* The bom-ref of a finding's component in the report. */
static const char *finding_ref(const tl_finding *f, size_t i, char *buf, size_t n)
{
	if (f->component_ref && *f->component_ref)
		return f->component_ref;
	snprintf(buf, n, "trustline-finding-%zu", i);
	return buf;
}

/* The document the report starts from: a copy of the SBOM's components,
 * subject and dependencies (the writer sorts them; the SBOM is borrowed). */
static tl_err base_doc(tl_sbom **out, const tl_findings *f, const tl_sbom *sbom)
{
	tl_sbom *doc = NULL;
	tl_err err;

	if ((err = tl_sbom_new(&doc)) != TL_OK)
		return err;
	if ((err = tl_sbom_add_tool(doc, "trustline", "trustline", TL_VERSION)) != TL_OK)
		goto fail;
	if (sbom) {
		if (sbom->subject) {
			if (!(doc->subject = calloc(1, sizeof(*doc->subject)))) {
				err = tl__nomem();
				goto fail;
			}
			if ((err = tl_sbom_component_copy(doc->subject, sbom->subject)) != TL_OK)
				goto fail;
		}
		for (size_t i = 0; i < sbom->n_components; i++) {
			tl_sbom_component *c;
			if ((err = tl_sbom_add_component(doc, &c)) != TL_OK ||
			    (err = tl_sbom_component_copy(c, &sbom->components[i])) != TL_OK)
				goto fail;
		}
		for (size_t i = 0; i < sbom->n_deps; i++) {
			for (size_t k = 0; k < sbom->deps[i].n_deps; k++)
				if ((err = tl_sbom_add_dependency(doc, sbom->deps[i].ref,
				                                  sbom->deps[i].deps[k])) != TL_OK)
					goto fail;
		}
		if (sbom->serial) {
			tl_sbom_property *p = realloc(doc->props, sizeof(*p));
			if (!p) {
				err = tl__nomem();
				goto fail;
			}
			doc->props = p;
			p->name = strdup("trustline:vdr:sbom-serial");
			p->value = strdup(sbom->serial);
			doc->n_props = 1;
			if (!p->name || !p->value) {
				err = tl__nomem();
				goto fail;
			}
		}
	}
	for (size_t i = 0; i < f->n; i++) {
		char buf[48];
		const char *ref = finding_ref(&f->v[i], i, buf, sizeof(buf));
		if (tl_sbom_find_ref(doc, ref))
			continue;
		if ((err = add_finding_component(doc, &f->v[i], ref)) != TL_OK)
			goto fail;
	}
	*out = doc;
	return TL_OK;
fail:
	tl_sbom_free(doc);
	return err;
}

/* serialNumber: a urn:uuid of the document without one (tl__json_urn_uuid). */
static tl_err derive_serial(json_t *root)
{
	char serial[46];
	json_t *s;
	tl_err err;

	json_object_del(root, "serialNumber");
	if ((err = tl__json_urn_uuid(serial, root)) != TL_OK)
		return err;
	if (!(s = json_string(serial)) || json_object_set_new(root, "serialNumber", s) != 0)
		return tl__nomem();
	return TL_OK;
}

tl_err tl__report_cyclonedx(tl_buf *out, const tl_findings *f, const tl_sbom *sbom)
{
	tl_sbom *doc = NULL;
	tl_sbom_write_opts o = { .cdx_spec_version = "1.6" };
	tl_buf bom = TL_BUF_INIT;
	json_t *root = NULL, *vulns;
	tl__jb b = { false };
	tl_err err;

	if (!out || !f)
		return TL_EINVAL;
	for (size_t i = 0; i < f->n; i++)
		if (!f->v[i].id)
			return tl__error(TL_EINVAL, "finding %zu has no vulnerability id", i);
	if ((err = base_doc(&doc, f, sbom)) != TL_OK)
		return err;
	if ((err = tl_sbom_write_cyclonedx(&bom, doc, &o)) != TL_OK ||
	    (err = tl_json_parse(&root, bom.ptr, bom.len, "VDR", NULL)) != TL_OK)
		goto done;
	vulns = tl__jb_arr(&b);
	for (size_t i = 0; i < f->n; i++) {
		char buf[48];
		tl__jb_push(&b, vulns, vuln_json(&b, &f->v[i], finding_ref(&f->v[i], i, buf, sizeof(buf))));
	}
	tl__jb_set(&b, root, "vulnerabilities", vulns);
	if (b.oom) {
		err = tl__nomem();
		goto done;
	}
	if ((err = derive_serial(root)) != TL_OK)
		goto done;
	err = tl_json_dump(out, root);
done:
	json_decref(root);
	tl_buf_dispose(&bom);
	tl_sbom_free(doc);
	return err;
}
