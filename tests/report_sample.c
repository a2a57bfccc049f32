/*
 * report_sample FORMAT OUT: writes the FORMAT (sarif, cyclonedx, html)
 * vulnerability report of a sample firmware, for tests/cli/report.sh.
 *
 * The findings are built from real records in TL_SHARED_DATA, not typed
 * in: each vulnerability's summary, CVSS v3.1 vector and score come from
 * its NVD API 2.0 record, the fixed version from the NVD range that holds
 * the installed version, the KEV dates from CISA's catalog, and an alias
 * from the OSV record that names the CVE.  The triage is the sample's:
 *
 *   CVE-2022-48174  busybox 1.34.1      open
 *   CVE-2023-38545  curl 7.88.1         VEX not_affected (not in execute path)
 *   CVE-2022-3602   libssl3 3.0.5-4     patched (changelog evidence)
 *   CVE-2024-1086   linux 6.1.0         open, known exploited, VEX under_investigation
 *
 * With a third argument SBOM, the sample SBOM is written there too
 * (CycloneDX 1.6).  Exit 0 on success, 1 otherwise (a message on stderr).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trustline/sbom.h"
#include "trustline/vuln.h"
#include "vuln/vuln_int.h"

static const char *data;

static json_t *load(const char *rel)
{
	char path[4096];
	json_error_t e;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", data, rel);
	if (!(j = json_load_file(path, 0, &e))) {
		fprintf(stderr, "report_sample: %s: %s\n", path, e.text);
		exit(1);
	}
	return j;
}

static char *dup(const char *s)
{
	char *c = s ? strdup(s) : NULL;

	if (s && !c)
		exit(1);
	return c;
}

/* Fills the vulnerability fields of x from CVE's NVD record; the fixed
 * version from the cpeMatch range for product that holds version. */
static void from_nvd(tl_finding *x, const char *cve, const char *product, const char *version)
{
	char rel[256];
	json_t *root, *c, *m;
	size_t i, k, n;

	snprintf(rel, sizeof(rel), "nvd/api2/targeted-embedded/%s.json", cve);
	root = load(rel);
	c = json_object_get(root, "cve") ? json_object_get(root, "cve") : root;
	x->id = dup(cve);
	json_array_foreach(json_object_get(c, "descriptions"), i, m) {
		if (!strcmp(json_string_value(json_object_get(m, "lang")), "en"))
			x->summary = dup(json_string_value(json_object_get(m, "value")));
	}
	json_array_foreach(json_object_get(json_object_get(c, "metrics"), "cvssMetricV31"), i, m) {
		const char *type = json_string_value(json_object_get(m, "type"));
		json_t *d = json_object_get(m, "cvssData");
		if (type && !strcmp(type, "Primary")) {
			x->cvss3_vector = dup(json_string_value(json_object_get(d, "vectorString")));
			x->cvss3_score = json_number_value(json_object_get(d, "baseScore"));
		}
	}
	x->severity = x->cvss3_score >= 9.0 ? TL_SEV_CRITICAL : x->cvss3_score >= 7.0 ? TL_SEV_HIGH :
	              x->cvss3_score >= 4.0 ? TL_SEV_MEDIUM : TL_SEV_LOW;
	json_array_foreach(json_object_get(c, "configurations"), i, m) {
		json_t *node;
		json_array_foreach(json_object_get(m, "nodes"), k, node) {
			json_t *cm;
			json_array_foreach(json_object_get(node, "cpeMatch"), n, cm) {
				const char *crit = json_string_value(json_object_get(cm, "criteria"));
				const char *start = json_string_value(json_object_get(cm, "versionStartIncluding"));
				const char *end = json_string_value(json_object_get(cm, "versionEndExcluding"));
				int lo = 0, hi = -1;
				char ev[512];
				if (x->fixed_version || !crit || !strstr(crit, product) || !end)
					continue;
				if (start && tl_version_compare(&lo, TL_VSCHEME_GENERIC, start, version) != TL_OK)
					continue;
				if (tl_version_compare(&hi, TL_VSCHEME_GENERIC, version, end) != TL_OK)
					continue;
				if (lo > 0 || hi >= 0)
					continue;
				x->fixed_version = dup(end);
				snprintf(ev, sizeof(ev), "NVD %s: %s, versions %s%s to %s (excluded); %s is inside",
				         cve, crit, start ? "from " : "", start ? start : "up", end, version);
				x->evidence = dup(ev);
			}
		}
	}
	json_decref(root);
}

/* The KEV entry of x->id, if any. */
static void from_kev(tl_finding *x, json_t *kev)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(kev, "vulnerabilities"), i, v) {
		if (strcmp(json_string_value(json_object_get(v, "cveID")), x->id))
			continue;
		x->kev = true;
		x->kev_date_added = dup(json_string_value(json_object_get(v, "dateAdded")));
		x->kev_due_date = dup(json_string_value(json_object_get(v, "dueDate")));
	}
}

/* An alias: the OSV record rel when it names x->id. */
static void alias_from_osv(tl_finding *x, const char *rel)
{
	json_t *r = load(rel), *v;
	size_t i;

	json_array_foreach(json_object_get(r, "related"), i, v) {
		if (!strcmp(json_string_value(v), x->id)) {
			x->aliases = calloc(1, sizeof(char *));
			if (!x->aliases)
				exit(1);
			x->aliases[0] = dup(json_string_value(json_object_get(r, "id")));
			x->n_aliases = 1;
		}
	}
	json_decref(r);
}

static void component(tl_sbom *doc, const char *ref, const char *name, const char *version,
                      const char *purl, const char *cpe, const char *file)
{
	tl_sbom_component *c;

	if (tl_sbom_add_component(doc, &c) != TL_OK)
		exit(1);
	c->ref = dup(ref);
	c->name = dup(name);
	c->version = dup(version);
	c->purl = dup(purl);
	c->cpe = dup(cpe);
	if (file && tl_sbom_component_add_file(c, file) != TL_OK)
		exit(1);
	if (tl_sbom_add_dependency(doc, "acme-gateway", ref) != TL_OK)
		exit(1);
}

static tl_finding *finding(tl_findings *f, const char *cve, const char *product, const char *ref,
                           const char *name, const char *version, const char *id)
{
	tl_finding *x;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		if (!(f->v = realloc(f->v, f->cap * sizeof(*f->v))))
			exit(1);
	}
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->cvss3_score = x->cvss4_score = -1;
	from_nvd(x, cve, product, version);
	x->component_ref = dup(ref);
	x->component_name = dup(name);
	x->component_version = dup(version);
	x->component_id = dup(id);
	x->source = dup("nvd");
	x->record = dup(cve);
	return x;
}

int main(int argc, char **argv)
{
	tl_sbom *doc = NULL;
	tl_findings f = { 0 };
	tl_buf out = TL_BUF_INIT;
	tl_finding *x;
	json_t *kev;
	tl_err err;

	if (argc < 3 || !(data = getenv("TL_SHARED_DATA"))) {
		fprintf(stderr, "usage: TL_SHARED_DATA=DIR report_sample sarif|cyclonedx|html OUT [SBOM]\n");
		return 1;
	}
	if (tl_sbom_new(&doc) != TL_OK || !(doc->subject = calloc(1, sizeof(*doc->subject))))
		return 1;
	doc->serial = dup("urn:uuid:6f1c2a8e-4b7d-4e0a-9c3f-2d5b8e1a7c40");
	doc->subject->ref = dup("acme-gateway");
	doc->subject->name = dup("acme-gateway");
	doc->subject->version = dup("2.4.1");
	doc->subject->type = TL_COMP_FIRMWARE;
	component(doc, "busybox", "busybox", "1.34.1", "pkg:generic/busybox@1.34.1",
	          "cpe:2.3:a:busybox:busybox:1.34.1:*:*:*:*:*:*:*", "/bin/busybox");
	component(doc, "curl", "curl", "7.88.1", "pkg:generic/curl@7.88.1",
	          "cpe:2.3:a:haxx:libcurl:7.88.1:*:*:*:*:*:*:*", "/usr/lib/libcurl.so.4.8.0");
	component(doc, "libssl3", "libssl3", "3.0.5-4",
	          "pkg:deb/debian/libssl3@3.0.5-4?arch=arm64&distro=debian-12", NULL,
	          "/usr/lib/aarch64-linux-gnu/libssl.so.3");
	component(doc, "linux", "linux", "6.1.0", "pkg:generic/linux@6.1.0",
	          "cpe:2.3:o:linux:linux_kernel:6.1.0:*:*:*:*:*:*:*", "/boot/vmlinuz-6.1.0");
	component(doc, "zlib", "zlib", "1.3.1", "pkg:generic/zlib@1.3.1", NULL, "/usr/lib/libz.so.1.3.1");

	kev = load("kev/known_exploited_vulnerabilities.json");
	/* sorted as the matcher sorts: severity (highest first), id, component */
	x = finding(&f, "CVE-2022-48174", ":busybox:busybox:", "busybox", "busybox", "1.34.1",
	            "cpe:2.3:a:busybox:busybox:1.34.1:*:*:*:*:*:*:*");
	alias_from_osv(x, "osv/ubuntu-samples/UBUNTU-CVE-2022-48174.json");
	x = finding(&f, "CVE-2023-38545", ":haxx:libcurl:", "curl", "curl", "7.88.1",
	            "pkg:generic/curl@7.88.1");
	x->vex_status = TL_VEX_NOT_AFFECTED;
	x->vex_justification = dup("vulnerable_code_not_in_execute_path");
	x->vex_impact = dup("The firmware never lets curl resolve host names through a SOCKS5 proxy.");
	x->vex_source = dup("triage.openvex.json");
	x = finding(&f, "CVE-2022-3602", ":openssl:openssl:", "libssl3", "libssl3", "3.0.5-4",
	            "pkg:deb/debian/libssl3@3.0.5-4?arch=arm64&distro=debian-12");
	x->patched = true;
	x->patch_evidence = dup("usr/share/doc/libssl3/changelog.Debian.gz names CVE-2022-3602 "
	                        "as fixed in 3.0.5-4");
	x = finding(&f, "CVE-2024-1086", ":linux:linux_kernel:", "linux", "linux", "6.1.0",
	            "cpe:2.3:o:linux:linux_kernel:6.1.0:*:*:*:*:*:*:*");
	x->vex_status = TL_VEX_UNDER_INVESTIGATION;
	x->vex_source = dup("triage.openvex.json");
	for (size_t i = 0; i < f.n; i++)
		from_kev(&f.v[i], kev);
	json_decref(kev);

	if (!strcmp(argv[1], "sarif"))
		err = tl__report_sarif(&out, &f, doc);
	else if (!strcmp(argv[1], "cyclonedx"))
		err = tl__report_cyclonedx(&out, &f, doc);
	else if (!strcmp(argv[1], "html"))
		err = tl__report_html(&out, &f, doc);
	else
		err = tl__error(TL_EINVAL, "unknown format %s", argv[1]);
	if (err == TL_OK)
		err = tl_file_write_atomic(argv[2], out.ptr, out.len);
	if (err == TL_OK && argc > 3) {
		tl_buf_clear(&out);
		if ((err = tl_sbom_write_cyclonedx(&out, doc, NULL)) == TL_OK)
			err = tl_file_write_atomic(argv[3], out.ptr, out.len);
	}
	if (err != TL_OK)
		fprintf(stderr, "report_sample: %s\n", tl_error_last());
	tl_buf_dispose(&out);
	tl_findings_free(&f);
	tl_sbom_free(doc);
	return err == TL_OK ? 0 : 1;
}
