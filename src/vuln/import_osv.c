/*
 * OSV records (https://ossf.github.io/osv-schema/), from JSON or YAML.
 *
 *   field                         type                    stored
 *   id                            string, required        vulns.id (source "osv")
 *   modified                      string, required        vulns.modified (newer wins)
 *   published, withdrawn          string                  vulns.*
 *   summary, details              string                  vulns.*
 *   aliases[]                     strings                 aliases
 *   related[], upstream[]         strings                 checked, not stored
 *   severity[] {type, score}      CVSS_V3 / CVSS_V4 / ... vulns.cvss3_* / cvss4_* (v3 score computed)
 *   database_specific.severity    string (any other type ignored)  vulns.severity
 *   affected[]                    objects
 *     package {ecosystem, name, purl}  strings; ecosystem+name required when present
 *     severity[]                  as above (checked)
 *     ranges[] {type, repo, events[]}  type ECOSYSTEM/SEMVER/GIT (others kept as written)
 *       events[] {introduced|fixed|last_affected|limit: string}  exactly one key known
 *     versions[]                  strings                 versions
 *     ecosystem_specific, database_specific  objects      severity hint only
 *
 * Limits: TL__VULN_MAX_STR per string, TL__VULN_MAX_ITEMS per array.
 */
#include <string.h>

#include "vuln_int.h"

/* CVSS v3.x base score from a vector ("CVSS:3.1/AV:N/..."), or -1. */
static double cvss3_score(const char *v)
{
	double av = -1, ac = -1, pr = -1, ui = -1, c = -1, in = -1, a = -1, iss, imp, expl, x;
	int scope = -1;
	char prv = 0;
	const char *p;

	if (strncmp(v, "CVSS:3.1/", 9) && strncmp(v, "CVSS:3.0/", 9))
		return -1;
	for (p = v + 9; *p;) {
		const char *colon = strchr(p, ':'), *slash;
		char val;
		size_t kl;
		if (!colon || !colon[1])
			return -1;
		kl = (size_t)(colon - p);
		val = colon[1];
		slash = colon + 2;
		if (*slash && *slash != '/')
			return -1;
#define K(s) (kl == sizeof(s) - 1 && !memcmp(p, s, kl))
		if (K("AV"))
			av = val == 'N' ? 0.85 : val == 'A' ? 0.62 : val == 'L' ? 0.55 : val == 'P' ? 0.2 : -2;
		else if (K("AC"))
			ac = val == 'L' ? 0.77 : val == 'H' ? 0.44 : -2;
		else if (K("PR"))
			prv = val;
		else if (K("UI"))
			ui = val == 'N' ? 0.85 : val == 'R' ? 0.62 : -2;
		else if (K("S"))
			scope = val == 'U' ? 0 : val == 'C' ? 1 : -2;
		else if (K("C"))
			c = val == 'H' ? 0.56 : val == 'L' ? 0.22 : val == 'N' ? 0 : -2;
		else if (K("I"))
			in = val == 'H' ? 0.56 : val == 'L' ? 0.22 : val == 'N' ? 0 : -2;
		else if (K("A"))
			a = val == 'H' ? 0.56 : val == 'L' ? 0.22 : val == 'N' ? 0 : -2;
#undef K
		p = *slash ? slash + 1 : slash;
	}
	if (scope < 0)
		return -1;
	pr = prv == 'N' ? 0.85 : prv == 'L' ? (scope ? 0.68 : 0.62) : prv == 'H' ? (scope ? 0.5 : 0.27) : -1;
	if (av < 0 || ac < 0 || pr < 0 || ui < 0 || c < 0 || in < 0 || a < 0)
		return -1;
	iss = 1 - (1 - c) * (1 - in) * (1 - a);
	if (scope) {
		double t = iss - 0.02, t15 = 1;
		for (int i = 0; i < 15; i++)
			t15 *= t;
		imp = 7.52 * (iss - 0.029) - 3.25 * t15;
	} else {
		imp = 6.42 * iss;
	}
	expl = 8.22 * av * ac * pr * ui;
	if (imp <= 0)
		return 0;
	x = scope ? 1.08 * (imp + expl) : imp + expl;
	if (x > 10)
		x = 10;
	/* CVSS 3.1 Roundup, on integers to avoid floating-point surprises */
	{
		long long i = (long long)(x * 100000 + 0.5);
		if (i % 10000 == 0)
			return (double)i / 100000.0;
		return (double)(i / 10000 + 1) / 10.0;
	}
}

static const char *severity_of(double score)
{
	if (score < 0)
		return NULL;
	return score == 0 ? "NONE" : score < 4 ? "LOW" : score < 7 ? "MEDIUM" : score < 9 ? "HIGH" :
	       "CRITICAL";
}

/* Checks an array of strings at path.key; *out the array or NULL. */
static tl_err str_array(tl__import *im, const json_t *obj, const char *path, const char *key,
                        const json_t **out)
{
	const json_t *arr;
	char p[512];
	tl_err err;

	if ((err = tl__jarr(im, obj, path, key, false, &arr)) != TL_OK)
		return err;
	*out = arr;
	for (size_t i = 0; arr && i < json_array_size(arr); i++) {
		const json_t *v = json_array_get(arr, i);
		if (!json_is_string(v)) {
			tl__pathf(p, sizeof(p), "%s.%s[%zu]", path, key, i);
			return tl__jerr(im, p, "expected a string");
		}
		if (json_string_length(v) > TL__VULN_MAX_STR) {
			tl__pathf(p, sizeof(p), "%s.%s[%zu]", path, key, i);
			return tl__error(TL_ELIMIT, "%s: %s: string longer than %u bytes", im->name, p,
			                 TL__VULN_MAX_STR);
		}
	}
	return TL_OK;
}

/* Reads severity[] at path into rec (first CVSS v3 and v4 vectors). */
static tl_err severities(tl__import *im, const json_t *obj, const char *path, tl__vuln_rec *rec)
{
	const json_t *arr;
	char p[512];
	tl_err err;

	if ((err = tl__jarr(im, obj, path, "severity", false, &arr)) != TL_OK || !arr)
		return err;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *s = json_array_get(arr, i);
		const char *type, *score;
		tl__pathf(p, sizeof(p), "%s.severity[%zu]", path, i);
		if (!json_is_object(s))
			return tl__jerr(im, p, "expected an object");
		if ((err = tl__jstr(im, s, p, "type", true, &type)) != TL_OK ||
		    (err = tl__jstr(im, s, p, "score", true, &score)) != TL_OK)
			return err;
		if (!rec)
			continue;
		if (!strcmp(type, "CVSS_V3") && !rec->cvss3_vector) {
			rec->cvss3_vector = score;
			rec->cvss3_score = cvss3_score(score);
		} else if (!strcmp(type, "CVSS_V4") && !rec->cvss4_vector) {
			rec->cvss4_vector = score;
		}
	}
	return TL_OK;
}

/* A textual severity in a database_specific/ecosystem_specific object. */
static const char *severity_hint(const json_t *obj)
{
	const json_t *s = json_object_get(obj, "severity");

	return json_is_string(s) ? json_string_value(s) : NULL;
}

static tl_err ranges(tl__import *im, int64_t affected, const json_t *af, const char *path,
                     bool store)
{
	static const char *const kinds[] = { "introduced", "fixed", "last_affected", "limit" };
	const json_t *arr, *events;
	char p[512], pe[600];
	tl_err err;

	if ((err = tl__jarr(im, af, path, "ranges", false, &arr)) != TL_OK || !arr)
		return err;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *r = json_array_get(arr, i);
		const char *type, *repo;
		int64_t range = 0;
		tl__pathf(p, sizeof(p), "%s.ranges[%zu]", path, i);
		if (!json_is_object(r))
			return tl__jerr(im, p, "expected an object");
		if ((err = tl__jstr(im, r, p, "type", true, &type)) != TL_OK ||
		    (err = tl__jstr(im, r, p, "repo", !strcmp(type, "GIT"), &repo)) != TL_OK ||
		    (err = tl__jarr(im, r, p, "events", true, &events)) != TL_OK)
			return err;
		if (store && (err = tl__db_range(im, affected, type, repo, &range)) != TL_OK)
			return err;
		for (size_t k = 0; k < json_array_size(events); k++) {
			const json_t *ev = json_array_get(events, k);
			const char *kind = NULL, *ver = NULL;
			tl__pathf(pe, sizeof(pe), "%s.events[%zu]", p, k);
			if (!json_is_object(ev))
				return tl__jerr(im, pe, "expected an object");
			for (size_t j = 0; j < sizeof(kinds) / sizeof(kinds[0]); j++) {
				const char *v;
				if ((err = tl__jstr(im, ev, pe, kinds[j], false, &v)) != TL_OK)
					return err;
				if (!v)
					continue;
				if (kind)
					return tl__jerr(im, pe, "expected exactly one of introduced, fixed, last_affected, limit");
				kind = kinds[j];
				ver = v;
			}
			if (!kind)
				return tl__jerr(im, pe, "expected one of introduced, fixed, last_affected, limit");
			if (store && (err = tl__db_event(im, range, (int)k, kind, ver)) != TL_OK)
				return err;
		}
	}
	return TL_OK;
}

tl_err tl__import_osv(tl__import *im, const json_t *root, const char *path)
{
	tl__vuln_rec rec = { .source = "osv", .cvss3_score = -1, .cvss4_score = -1 };
	const json_t *aliases, *other, *affected, *obj;
	int64_t vuln = 0;
	char p[512];
	tl_err err;

	if (!json_is_object(root))
		return tl__jerr(im, path, "expected an OSV record (an object)");
	if ((err = tl__jstr(im, root, path, "id", true, &rec.id)) != TL_OK ||
	    (err = tl__jstr(im, root, path, "modified", true, &rec.modified)) != TL_OK ||
	    (err = tl__jstr(im, root, path, "published", false, &rec.published)) != TL_OK ||
	    (err = tl__jstr(im, root, path, "withdrawn", false, &rec.withdrawn)) != TL_OK ||
	    (err = tl__jstr(im, root, path, "summary", false, &rec.summary)) != TL_OK ||
	    (err = tl__jstr(im, root, path, "details", false, &rec.details)) != TL_OK ||
	    (err = tl__jstr(im, root, path, "schema_version", false, &(const char *){ NULL })) != TL_OK ||
	    (err = str_array(im, root, path, "aliases", &aliases)) != TL_OK ||
	    (err = str_array(im, root, path, "related", &other)) != TL_OK ||
	    (err = str_array(im, root, path, "upstream", &other)) != TL_OK ||
	    (err = severities(im, root, path, &rec)) != TL_OK ||
	    (err = tl__jobj(im, root, path, "database_specific", false, &obj)) != TL_OK ||
	    (err = tl__jarr(im, root, path, "affected", false, &affected)) != TL_OK)
		return err;
	if (!rec.id[0])
		return tl__jerr(im, path, "id: expected a non-empty string");
	rec.severity = severity_hint(obj);
	if (!rec.severity)
		rec.severity = severity_of(rec.cvss3_score);
	/* check every affected entry first, so a record is stored whole or not at all */
	for (size_t i = 0; affected && i < json_array_size(affected); i++) {
		const json_t *af = json_array_get(affected, i), *pkg, *vers, *o;
		const char *s;
		tl__pathf(p, sizeof(p), "%s.affected[%zu]", path, i);
		if (!json_is_object(af))
			return tl__jerr(im, p, "expected an object");
		if ((err = tl__jobj(im, af, p, "package", false, &pkg)) != TL_OK)
			return err;
		if (pkg) {
			char pp[600];
			tl__pathf(pp, sizeof(pp), "%s.package", p);
			if ((err = tl__jstr(im, pkg, pp, "ecosystem", true, &s)) != TL_OK ||
			    (err = tl__jstr(im, pkg, pp, "name", true, &s)) != TL_OK ||
			    (err = tl__jstr(im, pkg, pp, "purl", false, &s)) != TL_OK)
				return err;
		}
		if ((err = severities(im, af, p, NULL)) != TL_OK ||
		    (err = ranges(im, 0, af, p, false)) != TL_OK ||
		    (err = str_array(im, af, p, "versions", &vers)) != TL_OK ||
		    (err = tl__jobj(im, af, p, "ecosystem_specific", false, &o)) != TL_OK)
			return err;
		if (!rec.severity && o)
			rec.severity = severity_hint(o);
		if ((err = tl__jobj(im, af, p, "database_specific", false, &o)) != TL_OK)
			return err;
		if (!rec.severity && o)
			rec.severity = severity_hint(o);
	}
	if ((err = tl__db_vuln_begin(im, &rec, &vuln)) != TL_OK || !vuln)
		return err;
	for (size_t i = 0; aliases && i < json_array_size(aliases); i++)
		if ((err = tl__db_alias(im, vuln, json_string_value(json_array_get(aliases, i)))) != TL_OK)
			return err;
	for (size_t i = 0; affected && i < json_array_size(affected); i++) {
		const json_t *af = json_array_get(affected, i), *pkg = json_object_get(af, "package");
		const json_t *vers = json_object_get(af, "versions");
		const char *eco = "", *name = "", *purl = NULL;
		int64_t row;
		tl__pathf(p, sizeof(p), "%s.affected[%zu]", path, i);
		if (json_is_object(pkg)) {
			eco = json_string_value(json_object_get(pkg, "ecosystem"));
			name = json_string_value(json_object_get(pkg, "name"));
			purl = json_string_value(json_object_get(pkg, "purl"));
		}
		if ((err = tl__db_affected(im, vuln, eco, name, purl, &row)) != TL_OK ||
		    (err = ranges(im, row, af, p, true)) != TL_OK)
			return err;
		for (size_t k = 0; json_is_array(vers) && k < json_array_size(vers); k++)
			if ((err = tl__db_version(im, row, json_string_value(json_array_get(vers, k)))) != TL_OK)
				return err;
	}
	return TL_OK;
}
