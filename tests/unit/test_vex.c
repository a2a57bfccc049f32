/*
 * Unit tests of VEX in and out (src/vuln/vex.c, vex_write.c).
 *
 * The documents are the real ones in TL_SHARED_DATA/openvex (OpenVEX
 * spec examples, go-vex and vexctl test data) and the CycloneDX
 * specification's vulnerability test BOMs; what each statement says is
 * read from those files, and the rules from the OpenVEX 0.2.0 and
 * purl specifications.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>

#include "trustline/core.h"
#include "trustline/vuln.h"

static char *data_path(const char *rel)
{
	const char *root = getenv("TL_SHARED_DATA");
	char *p;

	assert_non_null(root);
	p = malloc(strlen(root) + strlen(rel) + 2);
	assert_non_null(p);
	sprintf(p, "%s/%s", root, rel);
	return p;
}

static tl_vex *load(const char *rel)
{
	tl_vex *vex = NULL;
	char *p = data_path(rel);

	if (tl_vex_load(&vex, p, NULL) != TL_OK)
		fail_msg("%s: %s", rel, tl_error_last());
	free(p);
	return vex;
}

static void add(tl_vex *vex, const char *rel)
{
	char *p = data_path(rel);

	if (tl_vex_add_file(vex, p, NULL) != TL_OK)
		fail_msg("%s: %s", rel, tl_error_last());
	free(p);
}

/* Appends a finding of vulnerability id (aliases NULL-terminated) in the
 * component named by purl or CPE cid. */
static tl_finding *finding(tl_findings *f, const char *id, const char *cid, const char *ref, ...)
{
	tl_finding *x;
	va_list ap;
	const char *a;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->v = realloc(f->v, f->cap * sizeof(*f->v));
		assert_non_null(f->v);
	}
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->id = strdup(id);
	x->component_id = cid ? strdup(cid) : NULL;
	x->component_ref = ref ? strdup(ref) : NULL;
	x->cvss3_score = x->cvss4_score = -1;
	va_start(ap, ref);
	while ((a = va_arg(ap, const char *))) {
		x->aliases = realloc(x->aliases, (x->n_aliases + 1) * sizeof(char *));
		x->aliases[x->n_aliases++] = strdup(a);
	}
	va_end(ap);
	return x;
}

static tl_err add_str(tl_vex *vex, const char *s, const char *name)
{
	return tl_vex_add_mem(vex, s, strlen(s), name, NULL);
}

/* Counts the statements of a JSON document independently of the reader. */
static size_t count_json_statements(const char *path)
{
	json_t *root = json_load_file(path, 0, NULL);
	size_t n = 0;

	assert_non_null(root);
	if (json_is_array(json_object_get(root, "statements")))
		n = json_array_size(json_object_get(root, "statements"));
	json_decref(root);
	return n;
}

static void walk(const char *dir, size_t *docs)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[4096];
		size_t len = strlen(e->d_name);
		tl_vex *vex = NULL;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR) {
			if (strcmp(e->d_name, "schema") != 0) /* the schema and JSON-LD context */
				walk(path, docs);
			continue;
		}
		if (tl_vex_load(&vex, path, NULL) != TL_OK)
			fail_msg("%s: %s", path, tl_error_last());
		if (len > 5 && !strcmp(e->d_name + len - 5, ".json"))
			assert_int_equal(tl_vex_count(vex), count_json_statements(path));
		else /* vex.yaml: two statements, CVE-2022-31030 and CVE-2021-44228 */
			assert_int_equal(tl_vex_count(vex), 2);
		tl_vex_free(vex);
		(*docs)++;
	}
	closedir(d);
}

/* Every document in ../shared/data/openvex is read, each statement kept. */
static void test_vex__reads_every_openvex_document(void **state)
{
	char *root = data_path("openvex");
	size_t docs = 0;

	walk(root, &docs);
	free(root);
	assert_int_equal(docs, 17); /* the files under openvex/ but schema/ */
}

/* go-vex v0.2.0.json: products with subcomponents; statuses per CVE. */
static void test_vex__subcomponents_and_status(void **state)
{
	tl_vex *vex = load("openvex/go-vex-testdata/v0.2.0.json");
	tl_findings f = { 0 };

	finding(&f, "CVE-2023-3446", "pkg:apk/alpine/libssl3@3.0.8-r3?arch=x86_64", "c1", NULL);
	finding(&f, "CVE-2023-1255", "pkg:apk/alpine/libcrypto3@3.0.8-r3", "c2", NULL);
	/* another version of the package: the statement names 3.0.8-r3 only */
	finding(&f, "CVE-2023-3446", "pkg:apk/alpine/libssl3@3.0.9-r0", "c3", NULL);
	/* a vulnerability the document does not mention */
	finding(&f, "CVE-2023-0464", "pkg:apk/alpine/libssl3@3.0.8-r3", "c4", NULL);
	assert_int_equal(tl_vex_apply(vex, &f), TL_OK);
	assert_int_equal(f.v[0].vex_status, TL_VEX_NOT_AFFECTED);
	assert_string_equal(f.v[0].vex_justification, "vulnerable_code_not_present");
	assert_string_equal(f.v[0].vex_impact, "affected functions were removed before packaging");
	assert_non_null(strstr(f.v[0].vex_source, "v0.2.0.json"));
	assert_false(tl_finding_is_active(&f.v[0]));
	assert_int_equal(f.v[1].vex_status, TL_VEX_FIXED);
	assert_null(f.v[1].vex_justification);
	assert_int_equal(f.v[2].vex_status, TL_VEX_NONE);
	assert_true(tl_finding_is_active(&f.v[2]));
	assert_int_equal(f.v[3].vex_status, TL_VEX_NONE);
	tl_findings_free(&f);
	tl_vex_free(vex);
}

/* OpenVEX: the latest statement wins, whatever order the documents come in. */
static void test_vex__latest_statement_wins(void **state)
{
	/* v001-1: under_investigation at 16:36:43-05:00; v001-2: fixed at 20:56:05-05:00 */
	const char *pairs[][2] = {
		{ "openvex/go-vex-testdata/v001-1.vex.json", "openvex/go-vex-testdata/v001-2.vex.json" },
		{ "openvex/go-vex-testdata/v001-2.vex.json", "openvex/go-vex-testdata/v001-1.vex.json" },
		/* vexctl: under_investigation at 05:04:34.78, fixed at 05:06:38.10 */
		{ "openvex/vexctl-examples/examples/openvex/document1.vex.json",
		  "openvex/vexctl-examples/examples/openvex/document2.vex.json" },
		{ "openvex/vexctl-examples/examples/openvex/document2.vex.json",
		  "openvex/vexctl-examples/examples/openvex/document1.vex.json" },
	};

	for (size_t i = 0; i < 4; i++) {
		tl_vex *vex = load(pairs[i][0]);
		tl_findings f = { 0 };
		add(vex, pairs[i][1]);
		assert_int_equal(tl_vex_count(vex), 2);
		finding(&f, "CVE-1234-5678", "pkg:apk/wolfi/bash@1.0.0", "bash", NULL);
		assert_int_equal(tl_vex_apply(vex, &f), TL_OK);
		assert_int_equal(f.v[0].vex_status, TL_VEX_FIXED);
		assert_non_null(strstr(f.v[0].vex_source, i < 2 ? "v001-2" : "document2"));
		tl_findings_free(&f);
		tl_vex_free(vex);
	}
}

/* A statement without a timestamp loses to one with; equal times go to the
 * document added last. */
static void test_vex__ties_go_to_the_later_document(void **state)
{
	static const char a[] =
		"{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"urn:a\",\"author\":\"a\","
		"\"statements\":[{\"vulnerability\":{\"name\":\"CVE-2023-38545\"},"
		"\"products\":[{\"@id\":\"pkg:generic/curl\"}],\"status\":\"under_investigation\"}]}";
	static const char b[] =
		"{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"urn:b\",\"author\":\"b\","
		"\"statements\":[{\"vulnerability\":{\"name\":\"CVE-2023-38545\"},"
		"\"products\":[{\"@id\":\"pkg:generic/curl\"}],\"status\":\"fixed\"}]}";
	static const char c[] =
		"{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"urn:c\",\"author\":\"c\","
		"\"timestamp\":\"2020-01-01T00:00:00Z\",\"statements\":[{\"vulnerability\":"
		"{\"name\":\"CVE-2023-38545\"},\"products\":[{\"@id\":\"pkg:generic/curl\"}],"
		"\"status\":\"affected\",\"action_statement\":\"upgrade to 8.4.0\"}]}";
	tl_vex *vex = NULL;
	tl_findings f = { 0 };

	assert_int_equal(tl_vex_new(&vex), TL_OK);
	assert_int_equal(add_str(vex, a, "a.json"), TL_OK);
	assert_int_equal(add_str(vex, b, "b.json"), TL_OK);
	finding(&f, "CVE-2023-38545", "pkg:generic/curl@7.88.1", "curl", NULL);
	assert_int_equal(tl_vex_apply(vex, &f), TL_OK);
	assert_int_equal(f.v[0].vex_status, TL_VEX_FIXED);
	assert_string_equal(f.v[0].vex_source, "b.json");
	/* c is timestamped (the document's time, inherited): it wins over both */
	assert_int_equal(add_str(vex, c, "c.json"), TL_OK);
	assert_int_equal(tl_vex_apply(vex, &f), TL_OK);
	assert_int_equal(f.v[0].vex_status, TL_VEX_AFFECTED);
	assert_string_equal(f.v[0].vex_action, "upgrade to 8.4.0");
	tl_findings_free(&f);
	tl_vex_free(vex);
}

/* A purl without a version covers every version: triage carries over. */
static void test_vex__versionless_purl_covers_every_version(void **state)
{
	tl_vex *vex = load("openvex/vexctl-examples/pkg/ctl/testdata/templates/oci-vexctl.openvex.json");
	tl_findings f = { 0 };

	finding(&f, "CVE-2014-12345678", "pkg:oci/vexctl@sha256%3A0123456789abcdef", "a", NULL);
	finding(&f, "CVE-2014-12345678", "pkg:oci/vexctl?tag=v0.2.6", "b", NULL);
	finding(&f, "CVE-2014-12345678", "pkg:oci/vexctl-other@1", "c", NULL);
	finding(&f, "CVE-2014-12345678", "pkg:docker/vexctl@1", "d", NULL);
	assert_int_equal(tl_vex_apply(vex, &f), TL_OK);
	assert_int_equal(f.v[0].vex_status, TL_VEX_NOT_AFFECTED);
	assert_int_equal(f.v[1].vex_status, TL_VEX_NOT_AFFECTED);
	assert_int_equal(f.v[2].vex_status, TL_VEX_NONE); /* another name */
	assert_int_equal(f.v[3].vex_status, TL_VEX_NONE); /* another type */
	tl_findings_free(&f);
	tl_vex_free(vex);

	/* qualifiers: the statement's must be present in the component's purl */
	vex = load("openvex/spec-examples/OPENVEX-SPEC-example-05.json"); /* git@2.39.0-r1?arch=armv7 */
	finding(&f, "CVE-2023-12345", "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7&distro=wolfi", "a", NULL);
	finding(&f, "CVE-2023-12345", "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64", "b", NULL);
	finding(&f, "CVE-2023-12345", "pkg:apk/wolfi/git@2.39.0-r1", "c", NULL);
	assert_int_equal(tl_vex_apply(vex, &f), TL_OK);
	assert_int_equal(f.v[0].vex_status, TL_VEX_UNDER_INVESTIGATION);
	assert_int_equal(f.v[1].vex_status, TL_VEX_NONE);
	assert_int_equal(f.v[2].vex_status, TL_VEX_NONE);
	tl_findings_free(&f);
	tl_vex_free(vex);
}

/* Vulnerability names: the id or any alias, on either side; case counts. */
static void test_vex__aliases_and_case(void **state)
{
	tl_vex *vex = load("openvex/vexctl-examples/examples/sarif/sample-history.openvex.json");
	tl_findings f = { 0 };
	const char *img = "pkg:oci/nginx@sha256%3A13d22ec63300e16014d4a42aed735207a8b33c223cff19627dd3042e5a10a3a0";

	finding(&f, "SNYK-DEBIAN12-LIBDE265-3361563", img, "a", NULL); /* the statement's alias */
	finding(&f, "DSA-5000-1", img, "b", "CVE-2023-27103", NULL);    /* the finding's alias */
	finding(&f, "cve-2023-27103", img, "c", NULL);                  /* not the same id */
	assert_int_equal(tl_vex_apply(vex, &f), TL_OK);
	assert_int_equal(f.v[0].vex_status, TL_VEX_NOT_AFFECTED);
	assert_string_equal(f.v[0].vex_justification, "component_not_present");
	assert_int_equal(f.v[1].vex_status, TL_VEX_NOT_AFFECTED);
	assert_int_equal(f.v[2].vex_status, TL_VEX_NONE);
	tl_findings_free(&f);
	tl_vex_free(vex);
}

/* CycloneDX VEX: the specification's vulnerability test BOMs. */
static void test_vex__cyclonedx_analysis(void **state)
{
	const char *files[] = { "cyclonedx/test-boms/1.6/valid-vulnerability-1.6.json",
		"cyclonedx/test-boms/1.5/valid-vulnerability-1.5.json" };

	for (size_t i = 0; i < 2; i++) {
		tl_vex *vex = load(files[i]);
		tl_findings f = { 0 };
		/* the BOM names the vulnerability SNYK-...-32111 with reference
		 * CVE-2018-7489, affecting the component whose bom-ref is its purl */
		finding(&f, "CVE-2018-7489", "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4",
		        "some-other-ref", NULL);
		finding(&f, "CVE-2018-7489", "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.5",
		        "x", NULL);
		assert_int_equal(tl_vex_count(vex), 1);
		assert_int_equal(tl_vex_apply(vex, &f), TL_OK);
		/* state not_affected, justification code_not_reachable */
		assert_int_equal(f.v[0].vex_status, TL_VEX_NOT_AFFECTED);
		assert_string_equal(f.v[0].vex_justification, "vulnerable_code_not_in_execute_path");
		assert_string_equal(f.v[0].vex_impact, "An optional explanation of why the application is "
		                                       "not affected by the vulnerable component.");
		assert_string_equal(f.v[0].vex_action, "response: will_not_fix, update");
		assert_int_equal(f.v[1].vex_status, TL_VEX_NONE);
		tl_findings_free(&f);
		tl_vex_free(vex);
	}
}

/* CycloneDX VEX by bom-ref, BOM-Link, and a referenced component's purl. */
static void test_vex__cyclonedx_refs(void **state)
{
	static const char doc[] =
		"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,"
		"\"metadata\":{\"timestamp\":\"2024-05-01T00:00:00Z\"},"
		"\"components\":[{\"type\":\"library\",\"bom-ref\":\"busybox-1\",\"name\":\"busybox\","
		"\"purl\":\"pkg:generic/busybox\"}],"
		"\"vulnerabilities\":["
		"{\"id\":\"CVE-2022-48174\",\"analysis\":{\"state\":\"exploitable\",\"response\":[\"update\"],"
		"\"detail\":\"upgrade to 1.36.1\"},\"affects\":[{\"ref\":\"busybox-1\"}]},"
		"{\"id\":\"CVE-2021-42386\",\"analysis\":{\"state\":\"in_triage\"},"
		"\"affects\":[{\"ref\":\"urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#dropbear%2D2\"}]},"
		"{\"id\":\"CVE-2019-5747\"}]}";
	tl_vex *vex = NULL;
	tl_findings f = { 0 };

	assert_int_equal(tl_vex_new(&vex), TL_OK);
	if (add_str(vex, doc, "triage.cdx.json") != TL_OK)
		fail_msg("%s", tl_error_last());
	assert_int_equal(tl_vex_count(vex), 2); /* the third has no analysis */
	finding(&f, "CVE-2022-48174", "pkg:generic/busybox@1.35.0", "other", NULL); /* by purl */
	finding(&f, "CVE-2022-48174", NULL, "busybox-1", NULL);                      /* by bom-ref */
	finding(&f, "CVE-2021-42386", "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2020.81:*:*:*:*:*:*:*",
	        "dropbear-2", NULL);
	assert_int_equal(tl_vex_apply(vex, &f), TL_OK);
	assert_int_equal(f.v[0].vex_status, TL_VEX_AFFECTED);
	assert_string_equal(f.v[0].vex_action, "response: update; upgrade to 1.36.1");
	assert_int_equal(f.v[1].vex_status, TL_VEX_AFFECTED);
	assert_int_equal(f.v[2].vex_status, TL_VEX_UNDER_INVESTIGATION);
	tl_findings_free(&f);
	tl_vex_free(vex);
}

/* CPE 2.3 and 2.2 identifiers: ANY matches anything, the rest must equal. */
static void test_vex__cpe_identifiers(void **state)
{
	static const char doc[] =
		"{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"urn:x\",\"author\":\"x\","
		"\"statements\":[{\"vulnerability\":{\"name\":\"CVE-2023-38545\"},\"products\":["
		"{\"identifiers\":{\"cpe23\":\"cpe:2.3:a:haxx:curl:7.88.1:*:*:*:*:*:*:*\"}}],"
		"\"status\":\"fixed\"},"
		"{\"vulnerability\":{\"name\":\"CVE-2023-38546\"},\"products\":["
		"{\"identifiers\":{\"cpe22\":\"cpe:/a:haxx:libcurl\"}}],\"status\":\"fixed\"}]}";
	tl_vex *vex = NULL;
	tl_findings f = { 0 };

	assert_int_equal(tl_vex_new(&vex), TL_OK);
	if (add_str(vex, doc, "cpe.json") != TL_OK)
		fail_msg("%s", tl_error_last());
	finding(&f, "CVE-2023-38545", "cpe:2.3:a:haxx:curl:7.88.1:*:*:*:*:*:*:*", "a", NULL);
	finding(&f, "CVE-2023-38545", "cpe:2.3:a:haxx:curl:8.0.0:*:*:*:*:*:*:*", "b", NULL);
	finding(&f, "CVE-2023-38546", "cpe:2.3:a:haxx:libcurl:8.3.0:*:*:*:*:*:*:*", "c", NULL);
	finding(&f, "CVE-2023-38546", "cpe:2.3:a:haxx:curl:8.3.0:*:*:*:*:*:*:*", "d", NULL);
	assert_int_equal(tl_vex_apply(vex, &f), TL_OK);
	assert_int_equal(f.v[0].vex_status, TL_VEX_FIXED);
	assert_int_equal(f.v[1].vex_status, TL_VEX_NONE);
	assert_int_equal(f.v[2].vex_status, TL_VEX_FIXED);
	assert_int_equal(f.v[3].vex_status, TL_VEX_NONE);
	tl_findings_free(&f);
	tl_vex_free(vex);
}

/* Statements without products (allowed in the 0.0.1 test data) apply to nothing. */
static void test_vex__no_products_applies_to_nothing(void **state)
{
	tl_vex *vex = load("openvex/vexctl-examples/pkg/ctl/testdata/test.vex.json");
	tl_findings f = { 0 };

	finding(&f, "CVE-2021-44228", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "a", NULL);
	assert_int_equal(tl_vex_apply(vex, &f), TL_OK);
	assert_int_equal(f.v[0].vex_status, TL_VEX_NONE);
	tl_findings_free(&f);
	tl_vex_free(vex);
}

/* With the SBOM, a finding matched by CPE answers to a statement about its
 * component's purl (and the reverse). */
static void test_vex__sbom_identifiers(void **state)
{
	static const char doc[] =
		"{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"urn:x\",\"author\":\"x\","
		"\"statements\":[{\"vulnerability\":{\"name\":\"CVE-2024-1086\"},\"products\":"
		"[{\"@id\":\"pkg:generic/linux\"}],\"status\":\"not_affected\","
		"\"justification\":\"vulnerable_code_not_present\"},"
		"{\"vulnerability\":{\"name\":\"CVE-2023-38545\"},\"products\":"
		"[{\"identifiers\":{\"cpe23\":\"cpe:2.3:a:haxx:libcurl:*:*:*:*:*:*:*:*\"}}],\"status\":\"fixed\"}]}";
	tl_vex *vex = NULL;
	tl_sbom *sbom = NULL;
	tl_sbom_component *c;
	tl_findings f = { 0 };

	assert_int_equal(tl_vex_new(&vex), TL_OK);
	assert_int_equal(add_str(vex, doc, "x.json"), TL_OK);
	assert_int_equal(tl_sbom_new(&sbom), TL_OK);
	assert_int_equal(tl_sbom_add_component(sbom, &c), TL_OK);
	c->ref = strdup("linux-6.1.70");
	c->name = strdup("linux");
	c->purl = strdup("pkg:generic/linux@6.1.70");
	c->cpe = strdup("cpe:2.3:o:linux:linux_kernel:6.1.70:*:*:*:*:*:*:*");
	assert_int_equal(tl_sbom_add_component(sbom, &c), TL_OK);
	c->ref = strdup("curl-7.88.1");
	c->name = strdup("curl");
	c->purl = strdup("pkg:generic/curl@7.88.1");
	c->cpe = strdup("cpe:2.3:a:haxx:libcurl:7.88.1:*:*:*:*:*:*:*");
	finding(&f, "CVE-2024-1086", "cpe:2.3:o:linux:linux_kernel:6.1.70:*:*:*:*:*:*:*", "linux-6.1.70", NULL);
	finding(&f, "CVE-2023-38545", "pkg:generic/curl@7.88.1", "curl-7.88.1", NULL);
	assert_int_equal(tl_vex_apply(vex, &f), TL_OK); /* without the SBOM: no match */
	assert_int_equal(f.v[0].vex_status, TL_VEX_NONE);
	assert_int_equal(f.v[1].vex_status, TL_VEX_NONE);
	assert_int_equal(tl_vex_apply_sbom(vex, &f, sbom), TL_OK);
	assert_int_equal(f.v[0].vex_status, TL_VEX_NOT_AFFECTED);
	assert_int_equal(f.v[1].vex_status, TL_VEX_FIXED);
	tl_findings_free(&f);
	tl_sbom_free(sbom);
	tl_vex_free(vex);
}

/* Malformed documents: TL_EPARSE (or ELIMIT/EUNSUPPORTED) with one line
 * naming the file and JSON path, and the set left as it was. */
static void test_vex__malformed(void **state)
{
	static const struct {
		const char *doc, *want;
		tl_err err;
	} cases[] = {
		{ "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"u\",\"author\":\"a\",\"statements\":[",
		  "bad.json", TL_EPARSE },
		{ "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"u\",\"author\":\"a\",\"statements\":"
		  "[{\"vulnerability\":{\"name\":\"CVE-1\"},\"status\":5}]}",
		  "bad.json: $.statements[0].status: expected a string", TL_EPARSE },
		{ "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"u\",\"author\":\"a\",\"statements\":"
		  "[{\"vulnerability\":{\"name\":\"CVE-1\"},\"status\":\"safe\"}]}",
		  "$.statements[0].status: expected not_affected", TL_EPARSE },
		{ "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"u\",\"author\":\"a\",\"statements\":"
		  "[{\"vulnerability\":{\"name\":\"CVE-1\"},\"status\":\"not_affected\"}]}",
		  "$.statements[0]: status not_affected needs a justification or an impact_statement", TL_EPARSE },
		{ "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"u\",\"author\":\"a\",\"statements\":"
		  "[{\"vulnerability\":{\"name\":\"CVE-1\"},\"status\":\"affected\"}]}",
		  "status affected needs an action_statement", TL_EPARSE },
		{ "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"u\",\"author\":\"a\",\"statements\":"
		  "[{\"vulnerability\":\"CVE-1\",\"status\":\"fixed\"}]}",
		  "$.statements[0].vulnerability: expected an object", TL_EPARSE },
		{ "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"u\",\"author\":\"a\",\"statements\":"
		  "[{\"vulnerability\":{\"name\":\"CVE-1\"},\"status\":\"fixed\",\"products\":[{\"@id\":\"pkg:\"}]}]}",
		  "$.statements[0].products[0].@id: not a valid purl", TL_EPARSE },
		{ "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"u\",\"author\":\"a\",\"statements\":"
		  "[{\"vulnerability\":{\"name\":\"CVE-1\"},\"status\":\"fixed\",\"products\":"
		  "[{\"identifiers\":{\"prl\":\"pkg:generic/x\"}}]}]}",
		  "$.statements[0].products[0].identifiers: expected at least one of purl, cpe22, cpe23", TL_EPARSE },
		{ "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"u\",\"author\":\"a\",\"statements\":"
		  "[{\"vulnerability\":{\"name\":\"CVE-1\"},\"status\":\"fixed\",\"timestamp\":\"2023-02-30T00:00:00Z\"}]}",
		  "$.statements[0].timestamp: expected an RFC 3339 date-time", TL_EPARSE },
		{ "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"u\",\"statements\":[]}",
		  "$.author: missing", TL_EPARSE },
		{ "{\"@context\":\"https://openvex.dev/ns/v9\",\"@id\":\"u\",\"author\":\"a\",\"statements\":[]}",
		  "unknown OpenVEX context", TL_EUNSUPPORTED },
		{ "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"vulnerabilities\":[{\"id\":\"CVE-1\","
		  "\"analysis\":{\"state\":\"ok\"}}]}",
		  "$.vulnerabilities[0].analysis.state: expected resolved", TL_EPARSE },
		{ "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[]}",
		  "not a VEX document", TL_EPARSE },
		{ "{\"spdxVersion\":\"SPDX-2.3\"}", "not a VEX document", TL_EUNSUPPORTED },
		{ "[1,2]", "$: expected an object", TL_EPARSE },
	};
	tl_vex *vex = load("openvex/spec-examples/OPENVEX-SPEC-example-00.json");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tl_err err = add_str(vex, cases[i].doc, "bad.json");
		if (err != cases[i].err || !strstr(tl_error_last(), cases[i].want) ||
		    strchr(tl_error_last(), '\n'))
			fail_msg("case %zu: %d \"%s\", expected %d with \"%s\"", i, err, tl_error_last(),
			         cases[i].err, cases[i].want);
		assert_int_equal(tl_vex_count(vex), 1); /* unchanged */
	}
	tl_vex_free(vex);
}

/* Limits: nesting depth and file size. */
static void test_vex__limits(void **state)
{
	tl_json_limits lim = { .max_bytes = 64, .max_depth = 4 };
	const char *deep = "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"a\":[[[[[[1]]]]]]}";
	tl_vex *vex = NULL;

	assert_int_equal(tl_vex_new(&vex), TL_OK);
	assert_int_equal(tl_vex_add_mem(vex, deep, strlen(deep), "deep.json", &lim), TL_ELIMIT);
	lim.max_bytes = 16;
	assert_int_equal(tl_vex_add_mem(vex, deep, strlen(deep), "big.json", &lim), TL_ELIMIT);
	assert_int_equal(tl_vex_count(vex), 0);
	tl_vex_free(vex);
}

/* VEX out: what is written reads back and applies to the same findings. */
static void test_vex__write_reads_back(void **state)
{
	tl_findings f = { 0 }, g = { 0 };
	tl_vex_out_opts o = { .author = "ACME PSIRT", .timestamp = 1700000000 };
	tl_buf out = TL_BUF_INIT, again = TL_BUF_INIT;
	tl_vex *vex = NULL;
	tl_finding *x;
	json_t *root;

	x = finding(&f, "CVE-2023-38545", "pkg:deb/debian/curl", "a", "GHSA-wcf6-f5qm-6h8p", NULL);
	x->vex_status = TL_VEX_NOT_AFFECTED;
	x->vex_justification = strdup("vulnerable_code_not_in_execute_path");
	x = finding(&f, "CVE-2023-38545", "pkg:generic/curl@7.88.1", "b", NULL);
	x->vex_status = TL_VEX_NOT_AFFECTED;
	x->vex_justification = strdup("vulnerable_code_not_in_execute_path");
	x = finding(&f, "CVE-2022-48174", "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*", "c", NULL);
	x->vex_status = TL_VEX_AFFECTED;
	x->vex_action = strdup("upgrade busybox to 1.36.1");
	finding(&f, "CVE-2019-5747", "pkg:generic/busybox@1.35.0", "d", NULL); /* no status: left out */
	if (tl_vex_write_openvex(&out, &f, &o) != TL_OK)
		fail_msg("%s", tl_error_last());
	assert_int_equal(tl_vex_write_openvex(&again, &f, &o), TL_OK);
	assert_string_equal(out.ptr, again.ptr); /* same bytes */
	root = json_loads(out.ptr, 0, NULL);
	assert_non_null(root);
	/* two statements: the two curl findings share one */
	assert_int_equal(json_array_size(json_object_get(root, "statements")), 2);
	assert_string_equal(json_string_value(json_object_get(root, "timestamp")), "2023-11-14T22:13:20Z");
	json_decref(root);

	assert_int_equal(tl_vex_new(&vex), TL_OK);
	if (add_str(vex, out.ptr, "out.json") != TL_OK)
		fail_msg("%s", tl_error_last());
	/* the next release: curl's Debian version moved on, the statement is version-less */
	finding(&g, "CVE-2023-38545", "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u8?arch=amd64", "a", NULL);
	finding(&g, "GHSA-wcf6-f5qm-6h8p", "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5", "b", NULL);
	finding(&g, "CVE-2022-48174", "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*", "c", NULL);
	finding(&g, "CVE-2023-38545", "pkg:generic/curl@8.0.1", "d", NULL);
	assert_int_equal(tl_vex_apply(vex, &g), TL_OK);
	assert_int_equal(g.v[0].vex_status, TL_VEX_NOT_AFFECTED);
	assert_int_equal(g.v[1].vex_status, TL_VEX_NOT_AFFECTED);
	assert_int_equal(g.v[2].vex_status, TL_VEX_AFFECTED);
	assert_string_equal(g.v[2].vex_action, "upgrade busybox to 1.36.1");
	assert_int_equal(g.v[3].vex_status, TL_VEX_NONE); /* 7.88.1 was stated, not 8.0.1 */
	tl_vex_free(vex);
	tl_buf_dispose(&out);
	tl_buf_dispose(&again);
	tl_findings_free(&f);
	tl_findings_free(&g);
}

/* VEX out refuses statements OpenVEX does not allow. */
static void test_vex__write_checks_required_fields(void **state)
{
	tl_findings f = { 0 };
	tl_vex_out_opts o = { .author = "a", .timestamp = 1 };
	tl_buf out = TL_BUF_INIT;
	tl_finding *x;

	x = finding(&f, "CVE-2023-38545", "pkg:generic/curl@7.88.1", "a", NULL);
	assert_int_equal(tl_vex_write_openvex(&out, &f, &o), TL_EINVAL); /* no status */
	x->vex_status = TL_VEX_NOT_AFFECTED;
	assert_int_equal(tl_vex_write_openvex(&out, &f, &o), TL_EINVAL);
	assert_non_null(strstr(tl_error_last(), "needs a justification or an impact statement"));
	x->vex_status = TL_VEX_AFFECTED;
	assert_int_equal(tl_vex_write_openvex(&out, &f, &o), TL_EINVAL);
	assert_non_null(strstr(tl_error_last(), "needs an action statement"));
	x->vex_status = TL_VEX_FIXED;
	x->vex_justification = strdup("component_not_present");
	assert_int_equal(tl_vex_write_openvex(&out, &f, &o), TL_EINVAL);
	free(x->vex_justification);
	x->vex_justification = NULL;
	free(x->component_id);
	x->component_id = strdup("busybox");
	assert_int_equal(tl_vex_write_openvex(&out, &f, &o), TL_EINVAL);
	assert_non_null(strstr(tl_error_last(), "no purl or CPE"));
	o.author = NULL;
	assert_int_equal(tl_vex_write_openvex(&out, &f, &o), TL_EINVAL);
	assert_int_equal(out.len, 0);
	tl_findings_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vex__reads_every_openvex_document),
		cmocka_unit_test(test_vex__subcomponents_and_status),
		cmocka_unit_test(test_vex__latest_statement_wins),
		cmocka_unit_test(test_vex__ties_go_to_the_later_document),
		cmocka_unit_test(test_vex__versionless_purl_covers_every_version),
		cmocka_unit_test(test_vex__aliases_and_case),
		cmocka_unit_test(test_vex__cyclonedx_analysis),
		cmocka_unit_test(test_vex__cyclonedx_refs),
		cmocka_unit_test(test_vex__cpe_identifiers),
		cmocka_unit_test(test_vex__no_products_applies_to_nothing),
		cmocka_unit_test(test_vex__sbom_identifiers),
		cmocka_unit_test(test_vex__malformed),
		cmocka_unit_test(test_vex__limits),
		cmocka_unit_test(test_vex__write_reads_back),
		cmocka_unit_test(test_vex__write_checks_required_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
