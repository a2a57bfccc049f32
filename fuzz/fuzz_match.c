/*
 * Fuzz target: the matcher and the table/JSON reports over an untrusted
 * SBOM (CycloneDX JSON: purls, CPEs, versions, properties all from the
 * input), against a small database imported once from records shaped as
 * the real ones (an OSV Debian record, a Bitnami SEMVER record, an
 * OSS-Fuzz record with release tags, an NVD AND configuration with a
 * platform, an Alpine secdb).
 *
 * Oracle: matching succeeds (the input was a readable SBOM); every
 * finding has an id, a record, a source and an evidence line; findings
 * are sorted (severity, then id); the JSON report parses and lists them
 * all; a second run gives the same JSON bytes.  The other writers over
 * the same findings: SARIF parses, has one result per finding whose
 * ruleIndex names a rule of the same id; the CycloneDX VDR parses, has one
 * vulnerability per finding, in order, each affecting a non-empty ref, and
 * is the same bytes twice (its serial is derived from the content); the
 * HTML page has one row per finding (input strings that could open a tag
 * are escaped, so "<tr" counts rows), no script, and ends the document.
 * Violations abort().
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "trustline/sbom.h"
#include "trustline/vuln.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const records[] = {
	"{\"id\": \"DSA-3029-1\", \"modified\": \"2014-09-20T08:18:07Z\", \"aliases\": [\"CVE-2014-3616\"],"
	" \"affected\": [{\"package\": {\"ecosystem\": \"Debian:7\", \"name\": \"nginx\"}, \"ranges\": [{\"type\":"
	" \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"1.2.1-2.2+wheezy3\"}]}]}]}",
	"{\"id\": \"BIT-sqlite-2022-35737\", \"modified\": \"2025-01-01T00:00:00Z\", \"aliases\": [\"CVE-2022-35737\"],"
	" \"severity\": [{\"type\": \"CVSS_V3\", \"score\": \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\"}],"
	" \"affected\": [{\"package\": {\"ecosystem\": \"Bitnami\", \"name\": \"sqlite\"}, \"ranges\": [{\"type\":"
	" \"SEMVER\", \"events\": [{\"introduced\": \"1.0.12\"}, {\"fixed\": \"3.39.2\"}]}]}]}",
	"{\"id\": \"OSV-2017-79\", \"modified\": \"2022-04-13T03:04:42Z\", \"affected\": [{\"package\":"
	" {\"ecosystem\": \"OSS-Fuzz\", \"name\": \"curl\"}, \"ranges\": [{\"type\": \"GIT\", \"repo\":"
	" \"https://github.com/curl/curl.git\", \"events\": [{\"introduced\": \"7ee59512\"}, {\"fixed\": \"544bfdeb\"}]}],"
	" \"versions\": [\"curl-7_71_1\", \"v7.72.0\", \"tiny-curl-7_72_0\", \"release-7.73.0\", \"7.74.0-stable\"]}]}",
	"{\"id\": \"ALMA-1\", \"modified\": \"2022-06-01T00:00:00Z\", \"affected\": [{\"package\": {\"ecosystem\":"
	" \"AlmaLinux:9\", \"name\": \"xz-libs\"}, \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\":"
	" \"0\"}, {\"fixed\": \"5.2.5-8.el9_0\"}]}]}]}",
	"{\"cve\": {\"id\": \"CVE-2020-13595\", \"sourceIdentifier\": \"cve@mitre.org\", \"published\":"
	" \"2020-08-31T15:15:10.680\", \"lastModified\": \"2020-09-08T21:09:33.517\", \"descriptions\": [],"
	" \"configurations\": [{\"operator\": \"AND\", \"nodes\": [{\"operator\": \"OR\", \"negate\": false,"
	" \"cpeMatch\": [{\"vulnerable\": true, \"criteria\": \"cpe:2.3:a:espressif:esp-idf:*:*:*:*:*:*:*:*\","
	" \"versionStartIncluding\": \"4.0.0\", \"versionEndIncluding\": \"4.2\"}]}, {\"operator\": \"OR\","
	" \"negate\": false, \"cpeMatch\": [{\"vulnerable\": false, \"criteria\":"
	" \"cpe:2.3:h:espressif:esp32:-:*:*:*:*:*:*:*\"}]}]}, {\"nodes\": [{\"operator\": \"OR\", \"negate\": true,"
	" \"cpeMatch\": [{\"vulnerable\": true, \"criteria\": \"cpe:2.3:a:haxx:libcurl:7.88.1:*:*:*:*:*:*:*\"}]}]}]}}",
	"{\"distroversion\": \"v3.11\", \"reponame\": \"main\", \"urlprefix\": \"x\", \"apkurl\": \"x\", \"archs\": [],"
	" \"packages\": [{\"pkg\": {\"name\": \"ansible\", \"secfixes\": {\"2.9.3-r0\": [\"CVE-2019-14904\"],"
	" \"0\": [\"CVE-2019-0001\"]}}}]}",
};

static tl_vulndb *db;

static void report(const tl_findings *f, const tl_sbom *s, tl_buf *out)
{
	json_t *root = NULL;

	if (tl_vuln_report(out, TL_REPORT_JSON, f, s) != TL_OK)
		abort();
	if (tl_json_parse(&root, out->ptr, out->len, "report", NULL) != TL_OK ||
	    json_array_size(json_object_get(root, "findings")) != f->n)
		abort();
	json_decref(root);
}

static size_t count(const tl_buf *b, const char *needle)
{
	size_t n = 0, k = strlen(needle);

	for (const char *p = b->ptr; p && (p = memmem(p, b->len - (size_t)(p - b->ptr), needle, k)); p += k)
		n++;
	return n;
}

static void other_reports(const tl_findings *f, const tl_sbom *s)
{
	tl_buf sarif = TL_BUF_INIT, cdx = TL_BUF_INIT, cdx2 = TL_BUF_INIT, html = TL_BUF_INIT;
	json_t *root = NULL, *results, *rules, *vulns;
	static const char end[] = "</html>\n";

	if (tl_vuln_report(&sarif, TL_REPORT_SARIF, f, s) != TL_OK ||
	    tl_json_parse(&root, sarif.ptr, sarif.len, "sarif", NULL) != TL_OK)
		abort();
	results = json_object_get(json_array_get(json_object_get(root, "runs"), 0), "results");
	rules = json_object_get(json_object_get(json_object_get(json_array_get(json_object_get(root, "runs"), 0),
	                                                        "tool"), "driver"), "rules");
	if (json_array_size(results) != f->n)
		abort();
	for (size_t i = 0; i < f->n; i++) {
		json_t *r = json_array_get(results, i);
		json_int_t k = json_integer_value(json_object_get(r, "ruleIndex"));
		const char *rid = json_string_value(json_object_get(r, "ruleId")), *id;
		if (k < 0 || (size_t)k >= json_array_size(rules) || !rid || strcmp(rid, f->v[i].id))
			abort();
		id = json_string_value(json_object_get(json_array_get(rules, (size_t)k), "id"));
		if (!id || strcmp(id, rid))
			abort();
	}
	json_decref(root);
	root = NULL;
	if (tl_vuln_report(&cdx, TL_REPORT_CYCLONEDX, f, s) != TL_OK ||
	    tl_vuln_report(&cdx2, TL_REPORT_CYCLONEDX, f, s) != TL_OK || cdx.len != cdx2.len ||
	    memcmp(cdx.ptr, cdx2.ptr, cdx.len) != 0 ||
	    tl_json_parse(&root, cdx.ptr, cdx.len, "vdr", NULL) != TL_OK)
		abort();
	vulns = json_object_get(root, "vulnerabilities");
	if (json_array_size(vulns) != f->n)
		abort();
	for (size_t i = 0; i < f->n; i++) {
		json_t *v = json_array_get(vulns, i);
		const char *id = json_string_value(json_object_get(v, "id"));
		const char *ref = json_string_value(json_object_get(json_array_get(json_object_get(v, "affects"), 0),
		                                                    "ref"));
		if (!id || strcmp(id, f->v[i].id) || !ref || !ref[0])
			abort();
	}
	json_decref(root);
	if (tl_vuln_report(&html, TL_REPORT_HTML, f, s) != TL_OK || count(&html, "<tr class=\"") != f->n ||
	    count(&html, "<tr") != f->n + (f->n ? 1 : 0) || count(&html, "<script") ||
	    html.len < sizeof(end) - 1 || memcmp(html.ptr + html.len - (sizeof(end) - 1), end, sizeof(end) - 1))
		abort();
	tl_buf_dispose(&sarif);
	tl_buf_dispose(&cdx);
	tl_buf_dispose(&cdx2);
	tl_buf_dispose(&html);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *root = NULL;
	tl_sbom *doc = NULL;
	tl_findings f1 = { 0 }, f2 = { 0 };
	tl_buf a = TL_BUF_INIT, b = TL_BUF_INIT, t = TL_BUF_INIT;

	if (!db) {
		/* a fixed report time (CycloneDX metadata, HTML header) */
		setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
		if (tl_vulndb_open(&db, ":memory:") != TL_OK)
			abort();
		for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++)
			if (tl_vulndb_import_mem(db, records[i], strlen(records[i]), "seed.json", NULL) != TL_OK)
				abort();
	}
	if (tl_json_parse(&root, (const char *)data, size, "fuzz", NULL) != TL_OK ||
	    tl_sbom_read_cyclonedx(&doc, root, "fuzz") != TL_OK)
		goto done;
	if (tl_vuln_match(db, doc, NULL, &f1) != TL_OK || tl_vuln_match(db, doc, NULL, &f2) != TL_OK)
		abort();
	for (size_t i = 0; i < f1.n; i++) {
		const tl_finding *x = &f1.v[i];
		if (!x->id || !x->record || !x->source || !x->evidence)
			abort();
		if (i && (f1.v[i - 1].severity < x->severity ||
		          (f1.v[i - 1].severity == x->severity && strcmp(f1.v[i - 1].id, x->id) > 0)))
			abort();
	}
	report(&f1, doc, &a);
	report(&f2, doc, &b);
	if (a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0)
		abort();
	if (tl_vuln_report(&t, TL_REPORT_TABLE, &f1, doc) != TL_OK)
		abort();
	other_reports(&f1, doc);
done:
	tl_findings_free(&f1);
	tl_findings_free(&f2);
	tl_buf_dispose(&a);
	tl_buf_dispose(&b);
	tl_buf_dispose(&t);
	tl_sbom_free(doc);
	json_decref(root);
	return 0;
}
