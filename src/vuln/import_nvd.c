/*
 * NVD CVE records: API 2.0 (a CVE object, bare or as {"cve": ...}, or a
 * response page) and the legacy 1.1 JSON feed.
 *
 * API 2.0 (cve-api-json 2.x):
 *   vulnerabilities[] {cve}                  page; each as below
 *   cve.id                  string, required vulns.id (source "nvd")
 *   cve.published, lastModified   strings    vulns.published / modified (newer wins)
 *   cve.vulnStatus          "Rejected"       vulns.withdrawn = lastModified
 *   cve.descriptions[] {lang, value}         vulns.summary (lang "en")
 *   cve.metrics.cvssMetricV31|V30|V40|V2[] {type, cvssData {vectorString, baseScore, baseSeverity}}
 *                                            Primary first; v3.x and v4.0 stored
 *   cve.configurations[] {operator, negate, nodes[]}          nvd_configs
 *     nodes[] {operator AND|OR, negate, cpeMatch[]}           nvd_nodes
 *       cpeMatch[] {vulnerable bool, criteria cpe:2.3, matchCriteriaId,
 *                   versionStartIncluding|Excluding, versionEndIncluding|Excluding}
 *                                                             nvd_cpe
 * Legacy 1.1 ({"CVE_Items": [...]}):
 *   cve.CVE_data_meta.ID, cve.description.description_data[], publishedDate,
 *   lastModifiedDate, impact.baseMetricV3.cvssV3 {vectorString, baseScore, baseSeverity},
 *   configurations.nodes[] {operator, negate, children[] (a tree), cpe_match[]
 *   {vulnerable, cpe23Uri, version*}}: each top-level node is one configuration.
 *
 * Limits: TL__VULN_MAX_STR per string, TL__VULN_MAX_ITEMS per array, node
 * trees at most NODE_MAX_DEPTH deep.
 */
#include <string.h>

#include "vuln_int.h"

#define NODE_MAX_DEPTH 16

static tl_err cpe_matches(tl__import *im, int64_t vuln, int64_t node, const json_t *n,
                          const char *path, const char *key, const char *crit_key, bool store)
{
	const json_t *arr;
	char p[512];
	tl_err err;

	if ((err = tl__jarr(im, n, path, key, false, &arr)) != TL_OK || !arr)
		return err;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *m = json_array_get(arr, i);
		tl__cpe_match cm;
		tl__pathf(p, sizeof(p), "%s.%s[%zu]", path, key, i);
		if (!json_is_object(m))
			return tl__jerr(im, p, "expected an object");
		if (!json_is_boolean(json_object_get(m, "vulnerable")))
			return tl__jerr(im, p, "vulnerable: expected true or false");
		cm.vulnerable = json_is_true(json_object_get(m, "vulnerable"));
		if ((err = tl__jstr(im, m, p, crit_key, true, &cm.criteria)) != TL_OK ||
		    (err = tl__jstr(im, m, p, "matchCriteriaId", false, &cm.match_id)) != TL_OK ||
		    (err = tl__jstr(im, m, p, "versionStartIncluding", false, &cm.start_incl)) != TL_OK ||
		    (err = tl__jstr(im, m, p, "versionStartExcluding", false, &cm.start_excl)) != TL_OK ||
		    (err = tl__jstr(im, m, p, "versionEndIncluding", false, &cm.end_incl)) != TL_OK ||
		    (err = tl__jstr(im, m, p, "versionEndExcluding", false, &cm.end_excl)) != TL_OK)
			return err;
		if (!store)
			continue;
		{
			char pc[600];
			tl__pathf(pc, sizeof(pc), "%s.%s", p, crit_key);
			if ((err = tl__db_nvd_cpe(im, vuln, node, (int)i, &cm, pc)) != TL_OK)
				return err;
		}
	}
	return TL_OK;
}

static tl_err node_op(tl__import *im, const json_t *n, const char *path, bool required,
                      const char **op, bool *negate)
{
	tl_err err;

	if ((err = tl__jstr(im, n, path, "operator", required, op)) != TL_OK ||
	    (err = tl__jbool(im, n, path, "negate", false, negate)) != TL_OK)
		return err;
	if (*op && strcmp(*op, "AND") && strcmp(*op, "OR")) {
		char p[600];
		tl__pathf(p, sizeof(p), "%s.operator", path);
		return tl__jerr(im, p, "expected \"AND\" or \"OR\"");
	}
	return TL_OK;
}

/* One node (and, for 1.1, its children). */
static tl_err node(tl__import *im, int64_t vuln, int64_t config, int64_t parent, int seq,
                   const json_t *n, const char *path, bool legacy, unsigned depth, bool store)
{
	const char *op;
	bool negate;
	const json_t *children;
	int64_t row = 0;
	char p[512];
	tl_err err;

	if (!json_is_object(n))
		return tl__jerr(im, path, "expected an object");
	if (depth > NODE_MAX_DEPTH)
		return tl__error(TL_ELIMIT, "%s: %s: nodes nested deeper than %d", im->name, path,
		                 NODE_MAX_DEPTH);
	if ((err = node_op(im, n, path, true, &op, &negate)) != TL_OK)
		return err;
	if (store && (err = tl__db_nvd_node(im, vuln, config, parent, seq, op, negate, &row)) != TL_OK)
		return err;
	if ((err = cpe_matches(im, vuln, row, n, path, legacy ? "cpe_match" : "cpeMatch",
	                       legacy ? "cpe23Uri" : "criteria", store)) != TL_OK)
		return err;
	if (!legacy)
		return TL_OK;
	if ((err = tl__jarr(im, n, path, "children", false, &children)) != TL_OK || !children)
		return err;
	for (size_t i = 0; i < json_array_size(children); i++) {
		tl__pathf(p, sizeof(p), "%s.children[%zu]", path, i);
		if ((err = node(im, vuln, config, row, (int)i, json_array_get(children, i), p, true,
		                depth + 1, store)) != TL_OK)
			return err;
	}
	return TL_OK;
}

static tl_err configs2(tl__import *im, int64_t vuln, const json_t *cve, const char *path, bool store)
{
	const json_t *arr, *nodes;
	char p[512], pn[600];
	tl_err err;

	if ((err = tl__jarr(im, cve, path, "configurations", false, &arr)) != TL_OK || !arr)
		return err;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *c = json_array_get(arr, i);
		const char *op;
		bool negate;
		int64_t row = 0;
		tl__pathf(p, sizeof(p), "%s.configurations[%zu]", path, i);
		if (!json_is_object(c))
			return tl__jerr(im, p, "expected an object");
		if ((err = node_op(im, c, p, false, &op, &negate)) != TL_OK ||
		    (err = tl__jarr(im, c, p, "nodes", true, &nodes)) != TL_OK)
			return err;
		if (store && (err = tl__db_nvd_config(im, vuln, (int)i, op, negate, &row)) != TL_OK)
			return err;
		for (size_t k = 0; k < json_array_size(nodes); k++) {
			tl__pathf(pn, sizeof(pn), "%s.nodes[%zu]", p, k);
			if ((err = node(im, vuln, row, 0, (int)k, json_array_get(nodes, k), pn, false, 0,
			                store)) != TL_OK)
				return err;
		}
	}
	return TL_OK;
}

static tl_err configs11(tl__import *im, int64_t vuln, const json_t *item, const char *path, bool store)
{
	const json_t *conf, *nodes;
	char p[512], pn[600];
	tl_err err;

	if ((err = tl__jobj(im, item, path, "configurations", false, &conf)) != TL_OK || !conf)
		return err;
	tl__pathf(p, sizeof(p), "%s.configurations", path);
	if ((err = tl__jarr(im, conf, p, "nodes", false, &nodes)) != TL_OK || !nodes)
		return err;
	for (size_t k = 0; k < json_array_size(nodes); k++) {
		int64_t row = 0;
		tl__pathf(pn, sizeof(pn), "%s.nodes[%zu]", p, k);
		if (store && (err = tl__db_nvd_config(im, vuln, (int)k, NULL, false, &row)) != TL_OK)
			return err;
		if ((err = node(im, vuln, row, 0, 0, json_array_get(nodes, k), pn, true, 0, store)) != TL_OK)
			return err;
	}
	return TL_OK;
}

/* English text of [{lang, value}] at path.key. */
static tl_err english(tl__import *im, const json_t *obj, const char *path, const char *key,
                      const char **out)
{
	const json_t *arr;
	char p[512];
	tl_err err;

	*out = NULL;
	if ((err = tl__jarr(im, obj, path, key, false, &arr)) != TL_OK || !arr)
		return err;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *d = json_array_get(arr, i);
		const char *lang, *value;
		tl__pathf(p, sizeof(p), "%s.%s[%zu]", path, key, i);
		if (!json_is_object(d))
			return tl__jerr(im, p, "expected an object");
		if ((err = tl__jstr(im, d, p, "lang", true, &lang)) != TL_OK ||
		    (err = tl__jstr(im, d, p, "value", true, &value)) != TL_OK)
			return err;
		if (!*out && !strcmp(lang, "en"))
			*out = value;
	}
	return TL_OK;
}

/* cvssData-like object {vectorString, baseScore, baseSeverity}. */
static tl_err cvss_data(tl__import *im, const json_t *d, const char *path, const char **vec,
                        double *score, const char **sev)
{
	bool present;
	tl_err err;

	if ((err = tl__jstr(im, d, path, "vectorString", true, vec)) != TL_OK ||
	    (err = tl__jnum(im, d, path, "baseScore", score, &present)) != TL_OK)
		return err;
	if (!present)
		*score = -1;
	return tl__jstr(im, d, path, "baseSeverity", false, sev);
}

/* metrics.<key>[]: the Primary entry, else the first. */
static tl_err metric2(tl__import *im, const json_t *metrics, const char *path, const char *key,
                      const char **vec, double *score, const char **sev)
{
	const json_t *arr, *pick = NULL;
	bool primary, pick_primary = false;
	char p[512];
	tl_err err;

	if ((err = tl__jarr(im, metrics, path, key, false, &arr)) != TL_OK || !arr)
		return err;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *m = json_array_get(arr, i), *d;
		const char *type, *v, *s;
		double sc;
		tl__pathf(p, sizeof(p), "%s.%s[%zu]", path, key, i);
		if (!json_is_object(m))
			return tl__jerr(im, p, "expected an object");
		if ((err = tl__jstr(im, m, p, "type", false, &type)) != TL_OK ||
		    (err = tl__jobj(im, m, p, "cvssData", true, &d)) != TL_OK)
			return err;
		{
			char pd[600];
			tl__pathf(pd, sizeof(pd), "%s.cvssData", p);
			if ((err = cvss_data(im, d, pd, &v, &sc, &s)) != TL_OK)
				return err;
			/* v2 puts baseSeverity beside cvssData */
			if (!s && (err = tl__jstr(im, m, p, "baseSeverity", false, &s)) != TL_OK)
				return err;
		}
		primary = type && !strcmp(type, "Primary");
		if (!pick || (primary && !pick_primary)) {
			pick = m;
			pick_primary = primary;
			*vec = v;
			*score = sc;
			*sev = s;
		}
	}
	return TL_OK;
}

static tl_err cve2(tl__import *im, const json_t *cve, const char *path)
{
	tl__vuln_rec rec = { .source = "nvd", .cvss3_score = -1, .cvss4_score = -1 };
	const json_t *metrics;
	const char *status, *sev3 = NULL, *sev4 = NULL, *sev2 = NULL, *vec2 = NULL;
	double score2 = -1;
	int64_t vuln;
	char p[512];
	tl_err err;

	if (!json_is_object(cve))
		return tl__jerr(im, path, "expected a CVE object");
	if ((err = tl__jstr(im, cve, path, "id", true, &rec.id)) != TL_OK ||
	    (err = tl__jstr(im, cve, path, "published", false, &rec.published)) != TL_OK ||
	    (err = tl__jstr(im, cve, path, "lastModified", false, &rec.modified)) != TL_OK ||
	    (err = tl__jstr(im, cve, path, "vulnStatus", false, &status)) != TL_OK ||
	    (err = english(im, cve, path, "descriptions", &rec.summary)) != TL_OK ||
	    (err = tl__jobj(im, cve, path, "metrics", false, &metrics)) != TL_OK)
		return err;
	if (strncmp(rec.id, "CVE-", 4))
		return tl__jerr(im, path, "id: expected a CVE id (\"CVE-YYYY-N\")");
	if (status && !strcmp(status, "Rejected"))
		rec.withdrawn = rec.modified ? rec.modified : "";
	if (metrics) {
		tl__pathf(p, sizeof(p), "%s.metrics", path);
		if ((err = metric2(im, metrics, p, "cvssMetricV31", &rec.cvss3_vector, &rec.cvss3_score,
		                   &sev3)) != TL_OK)
			return err;
		if (!rec.cvss3_vector &&
		    (err = metric2(im, metrics, p, "cvssMetricV30", &rec.cvss3_vector, &rec.cvss3_score,
		                   &sev3)) != TL_OK)
			return err;
		if ((err = metric2(im, metrics, p, "cvssMetricV40", &rec.cvss4_vector, &rec.cvss4_score,
		                   &sev4)) != TL_OK ||
		    (err = metric2(im, metrics, p, "cvssMetricV2", &vec2, &score2, &sev2)) != TL_OK)
			return err;
		rec.severity = sev4 ? sev4 : sev3 ? sev3 : sev2;
	}
	if ((err = configs2(im, 0, cve, path, false)) != TL_OK)
		return err;
	if ((err = tl__db_vuln_begin(im, &rec, &vuln)) != TL_OK || !vuln)
		return err;
	return configs2(im, vuln, cve, path, true);
}

static tl_err item11(tl__import *im, const json_t *item, const char *path)
{
	tl__vuln_rec rec = { .source = "nvd", .cvss3_score = -1, .cvss4_score = -1 };
	const json_t *cve, *meta, *desc, *impact, *bm3, *c3;
	int64_t vuln;
	char p[512], p2[600];
	tl_err err;

	if (!json_is_object(item))
		return tl__jerr(im, path, "expected an object");
	if ((err = tl__jobj(im, item, path, "cve", true, &cve)) != TL_OK ||
	    (err = tl__jstr(im, item, path, "publishedDate", false, &rec.published)) != TL_OK ||
	    (err = tl__jstr(im, item, path, "lastModifiedDate", false, &rec.modified)) != TL_OK ||
	    (err = tl__jobj(im, item, path, "impact", false, &impact)) != TL_OK)
		return err;
	tl__pathf(p, sizeof(p), "%s.cve", path);
	if ((err = tl__jobj(im, cve, p, "CVE_data_meta", true, &meta)) != TL_OK ||
	    (err = tl__jobj(im, cve, p, "description", false, &desc)) != TL_OK)
		return err;
	tl__pathf(p2, sizeof(p2), "%s.CVE_data_meta", p);
	if ((err = tl__jstr(im, meta, p2, "ID", true, &rec.id)) != TL_OK)
		return err;
	if (strncmp(rec.id, "CVE-", 4))
		return tl__jerr(im, p2, "ID: expected a CVE id (\"CVE-YYYY-N\")");
	if (desc) {
		tl__pathf(p2, sizeof(p2), "%s.description", p);
		if ((err = english(im, desc, p2, "description_data", &rec.summary)) != TL_OK)
			return err;
	}
	if (impact) {
		tl__pathf(p, sizeof(p), "%s.impact", path);
		if ((err = tl__jobj(im, impact, p, "baseMetricV3", false, &bm3)) != TL_OK)
			return err;
		if (bm3) {
			tl__pathf(p2, sizeof(p2), "%s.baseMetricV3", p);
			if ((err = tl__jobj(im, bm3, p2, "cvssV3", true, &c3)) != TL_OK)
				return err;
			tl__pathf(p, sizeof(p), "%s.cvssV3", p2);
			if ((err = cvss_data(im, c3, p, &rec.cvss3_vector, &rec.cvss3_score,
			                     &rec.severity)) != TL_OK)
				return err;
		}
	}
	if ((err = configs11(im, 0, item, path, false)) != TL_OK)
		return err;
	if ((err = tl__db_vuln_begin(im, &rec, &vuln)) != TL_OK || !vuln)
		return err;
	return configs11(im, vuln, item, path, true);
}

tl_err tl__import_nvd(tl__import *im, const json_t *root, tl__doc_kind kind)
{
	const json_t *arr, *cve;
	char p[512];
	tl_err err;

	if (kind == TL__DOC_NVD2_CVE) {
		if (json_is_object(json_object_get(root, "cve")))
			return cve2(im, json_object_get(root, "cve"), "$.cve");
		return cve2(im, root, "$");
	}
	if (kind == TL__DOC_NVD2_PAGE) {
		if ((err = tl__jarr(im, root, "$", "vulnerabilities", true, &arr)) != TL_OK)
			return err;
		for (size_t i = 0; i < json_array_size(arr); i++) {
			tl__pathf(p, sizeof(p), "$.vulnerabilities[%zu]", i);
			if (!json_is_object(json_array_get(arr, i)))
				return tl__jerr(im, p, "expected an object");
			if ((err = tl__jobj(im, json_array_get(arr, i), p, "cve", true, &cve)) != TL_OK)
				return err;
			tl__pathf(p, sizeof(p), "$.vulnerabilities[%zu].cve", i);
			if ((err = cve2(im, cve, p)) != TL_OK)
				return err;
		}
		return TL_OK;
	}
	if ((err = tl__jarr(im, root, "$", "CVE_Items", true, &arr)) != TL_OK)
		return err;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		tl__pathf(p, sizeof(p), "$.CVE_Items[%zu]", i);
		if ((err = item11(im, json_array_get(arr, i), p)) != TL_OK)
			return err;
	}
	return TL_OK;
}
