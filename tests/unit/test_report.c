/*
 * Unit tests of the report writers (src/vuln/report_*.c) on edge cases:
 * untrusted text in the HTML page, no findings, no SBOM, one
 * vulnerability in several components.  The full reports are validated
 * against the official schemas by tests/cli/report.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "trustline/core.h"
#include "trustline/vuln.h"
#include "vuln/vuln_int.h"

static tl_finding *add(tl_findings *f, const char *id, const char *ref, const char *cid)
{
	tl_finding *x;

	f->v = realloc(f->v, (f->n + 1) * sizeof(*f->v));
	assert_non_null(f->v);
	f->cap = f->n + 1;
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->id = strdup(id);
	x->component_ref = ref ? strdup(ref) : NULL;
	x->component_id = cid ? strdup(cid) : NULL;
	x->cvss3_score = x->cvss4_score = -1;
	return x;
}

/* Every string from a finding is escaped; nothing runs or loads. */
static void test_report__html_escapes(void **state)
{
	tl_findings f = { 0 };
	tl_buf out = TL_BUF_INIT;
	tl_finding *x = add(&f, "CVE-2024-0001", "c1", "pkg:generic/x@1");

	x->summary = strdup("<script>alert('x')</script> & <img src=https://evil.example/a.png>");
	x->component_name = strdup("\"><svg onload=alert(1)>");
	x->evidence = strdup("a<b");
	assert_int_equal(tl__report_html(&out, &f, NULL), TL_OK);
	assert_null(strstr(out.ptr, "<script"));
	assert_null(strstr(out.ptr, "<img"));
	assert_null(strstr(out.ptr, "onload=alert(1)>"));
	assert_non_null(strstr(out.ptr, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;img"));
	assert_non_null(strstr(out.ptr, "&quot;&gt;&lt;svg onload=alert(1)&gt;"));
	assert_non_null(strstr(out.ptr, "a&lt;b"));
	tl_buf_dispose(&out);
	tl_findings_free(&f);
}

/* No findings: every writer still writes a document. */
static void test_report__no_findings(void **state)
{
	tl_findings f = { 0 };
	tl_buf out = TL_BUF_INIT;
	json_t *j;

	assert_int_equal(tl__report_sarif(&out, &f, NULL), TL_OK);
	j = json_loads(out.ptr, 0, NULL);
	assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(j, "runs"), 0), "results")), 0);
	json_decref(j);
	tl_buf_clear(&out);
	assert_int_equal(tl__report_cyclonedx(&out, &f, NULL), TL_OK);
	j = json_loads(out.ptr, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "specVersion")), "1.6");
	assert_int_equal(json_array_size(json_object_get(j, "vulnerabilities")), 0);
	json_decref(j);
	tl_buf_clear(&out);
	assert_int_equal(tl__report_html(&out, &f, NULL), TL_OK);
	assert_non_null(strstr(out.ptr, "No known vulnerabilities"));
	tl_buf_dispose(&out);
}

/* One vulnerability in two components: one SARIF rule, two results; the
 * VDR without an SBOM gets a component for each finding's bom-ref. */
static void test_report__one_rule_per_vulnerability(void **state)
{
	tl_findings f = { 0 };
	tl_buf out = TL_BUF_INIT;
	json_t *j, *run, *comps;
	tl_finding *x;

	x = add(&f, "CVE-2023-38545", "curl-a", "pkg:generic/curl@7.88.1");
	x->severity = TL_SEV_CRITICAL;
	x->cvss3_score = 9.8;
	x->cvss3_vector = strdup("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	x = add(&f, "CVE-2023-38545", "curl-b", "pkg:deb/debian/curl@7.88.1-10");
	x->severity = TL_SEV_CRITICAL;
	x->cvss3_score = 9.8;
	assert_int_equal(tl__report_sarif(&out, &f, NULL), TL_OK);
	j = json_loads(out.ptr, 0, NULL);
	run = json_array_get(json_object_get(j, "runs"), 0);
	assert_int_equal(json_array_size(json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules")), 1);
	assert_int_equal(json_array_size(json_object_get(run, "results")), 2);
	json_decref(j);
	tl_buf_clear(&out);
	assert_int_equal(tl__report_cyclonedx(&out, &f, NULL), TL_OK);
	j = json_loads(out.ptr, 0, NULL);
	comps = json_object_get(j, "components");
	assert_int_equal(json_array_size(comps), 2);
	assert_int_equal(json_array_size(json_object_get(j, "vulnerabilities")), 2);
	json_decref(j);
	tl_buf_dispose(&out);
	tl_findings_free(&f);
}

/* Text that is not ASCII: a summary cut for SARIF's short description
 * stays valid UTF-8, and a name that is not UTF-8 at all does not fail the
 * report. */
static void test_report__utf8(void **state)
{
	tl_findings f = { 0 };
	tl_buf out = TL_BUF_INIT;
	tl_finding *x = add(&f, "CVE-2024-0002", "c1", "pkg:generic/x@1");
	char summary[400];
	json_t *j, *rule;
	const char *sd;

	/* 150 two-byte characters: 300 bytes, cut at 200 bytes */
	summary[0] = 0;
	for (int i = 0; i < 150; i++)
		strcat(summary, "\xc3\xa9");
	x->summary = strdup(summary);
	x->component_name = strdup("busy\xff" "box");
	assert_int_equal(tl__report_sarif(&out, &f, NULL), TL_OK);
	j = json_loads(out.ptr, 0, NULL);
	assert_non_null(j);
	rule = json_array_get(json_object_get(json_object_get(json_object_get(json_array_get(
	                      json_object_get(j, "runs"), 0), "tool"), "driver"), "rules"), 0);
	sd = json_string_value(json_object_get(json_object_get(rule, "shortDescription"), "text"));
	assert_int_equal(strlen(sd), 200);
	assert_non_null(strstr(out.ptr, "busy\xef\xbf\xbd" "box"));
	json_decref(j);
	tl_buf_clear(&out);
	assert_int_equal(tl__report_html(&out, &f, NULL), TL_OK);
	tl_buf_clear(&out);
	assert_int_equal(tl__report_cyclonedx(&out, &f, NULL), TL_OK);
	tl_buf_dispose(&out);
	tl_findings_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report__html_escapes),
		cmocka_unit_test(test_report__no_findings),
		cmocka_unit_test(test_report__one_rule_per_vulnerability),
		cmocka_unit_test(test_report__utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
