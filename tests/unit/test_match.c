/*
 * Unit tests of the matcher (src/vuln/match.c) and the reports (report.c).
 *
 * Every expectation is read off the real records in TL_SHARED_DATA (the
 * comment above each case quotes the range that decides it): a version on
 * each side of each boundary, so that a wrong comparison or a loose rule
 * fails a case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "trustline/core.h"
#include "trustline/sbom.h"
#include "trustline/vuln.h"

static const char *shared(void)
{
	const char *d = getenv("TL_SHARED_DATA");

	if (!d)
		fail_msg("TL_SHARED_DATA is not set");
	return d;
}

/* A fresh in-memory database holding the named files (relative to the shared data). */
static tl_vulndb *db_with(const char *const *rel)
{
	tl_vulndb *db = NULL;
	char paths[16][1024];
	const char *p[16];
	size_t n = 0;

	if (tl_vulndb_open(&db, ":memory:") != TL_OK)
		fail_msg("open: %s", tl_error_last());
	for (; rel[n]; n++) {
		snprintf(paths[n], sizeof(paths[n]), "%s/%s", shared(), rel[n]);
		p[n] = paths[n];
	}
	if (tl_vulndb_import(db, p, n, NULL) != TL_OK)
		fail_msg("import: %s", tl_error_last());
	return db;
}

/* Adds a component; props are name, value pairs ending in NULL. */
static tl_sbom_component *add(tl_sbom *s, const char *ref, const char *name, const char *version,
                              const char *purl, const char *cpe, ...)
{
	tl_sbom_component *c;
	va_list ap;
	const char *k;

	assert_int_equal(tl_sbom_add_component(s, &c), TL_OK);
	c->ref = strdup(ref);
	c->name = strdup(name);
	c->version = version ? strdup(version) : NULL;
	c->purl = purl ? strdup(purl) : NULL;
	c->cpe = cpe ? strdup(cpe) : NULL;
	va_start(ap, cpe);
	while ((k = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);
		assert_int_equal(tl_sbom_component_add_prop(c, k, v), TL_OK);
	}
	va_end(ap);
	return c;
}

static tl_sbom *new_sbom(void)
{
	tl_sbom *s = NULL;

	assert_int_equal(tl_sbom_new(&s), TL_OK);
	return s;
}

static void run(tl_vulndb *db, const tl_sbom *s, tl_findings *f, tl_match_stats *st)
{
	tl_match_opts o = { .stats = st };

	memset(f, 0, sizeof(*f));
	if (tl_vuln_match(db, s, &o, f) != TL_OK)
		fail_msg("match: %s", tl_error_last());
}

/* The finding (id, component ref), or NULL. */
static const tl_finding *find(const tl_findings *f, const char *id, const char *ref)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].id, id) && f->v[i].component_ref && !strcmp(f->v[i].component_ref, ref))
			return &f->v[i];
	return NULL;
}

static size_t count_ref(const tl_findings *f, const char *ref)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += f->v[i].component_ref && !strcmp(f->v[i].component_ref, ref);
	return n;
}

#define CPE(part, vendor, product, v) "cpe:2.3:" part ":" vendor ":" product ":" v ":*:*:*:*:*:*:*"

/* CVE-2023-38545: cpe:2.3:a:haxx:libcurl:* versionStartIncluding 7.69.0,
 * versionEndExcluding 8.4.0 (nvd/api2/targeted-embedded). */
static void test_match__nvd_curl_range_boundaries(void **state)
{
	static const char *const files[] = { "nvd/api2/targeted-embedded/CVE-2023-38545.json", NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *s = new_sbom();
	tl_findings f;
	const tl_finding *x;

	add(s, "c7881", "curl", "7.88.1", "pkg:generic/curl@7.88.1", CPE("a", "haxx", "libcurl", "7.88.1"), NULL);
	add(s, "c840", "curl", "8.4.0", "pkg:generic/curl@8.4.0", CPE("a", "haxx", "libcurl", "8.4.0"), NULL);
	add(s, "c7690", "curl", "7.69.0", "pkg:generic/curl@7.69.0", CPE("a", "haxx", "libcurl", "7.69.0"), NULL);
	add(s, "c7680", "curl", "7.68.0", "pkg:generic/curl@7.68.0", CPE("a", "haxx", "libcurl", "7.68.0"), NULL);
	add(s, "c8399", "curl", "8.3.99", "pkg:generic/curl@8.3.99", CPE("a", "haxx", "libcurl", "8.3.99"), NULL);
	run(db, s, &f, NULL);
	assert_non_null(x = find(&f, "CVE-2023-38545", "c7881"));
	assert_string_equal(x->source, "nvd");
	assert_string_equal(x->record, "CVE-2023-38545");
	assert_string_equal(x->fixed_version, "8.4.0");
	assert_string_equal(x->component_id, CPE("a", "haxx", "libcurl", "7.88.1"));
	assert_non_null(strstr(x->evidence, "7.69.0 <= 7.88.1 < 8.4.0"));
	/* NVD gives CVSS 3.1 9.8 for it */
	assert_true(x->cvss3_score > 9.7 && x->cvss3_score < 9.9);
	assert_int_equal(x->severity, TL_SEV_CRITICAL);
	assert_non_null(find(&f, "CVE-2023-38545", "c7690"));  /* Including: the start itself */
	assert_non_null(find(&f, "CVE-2023-38545", "c8399"));
	assert_null(find(&f, "CVE-2023-38545", "c840"));       /* Excluding: the end itself */
	assert_null(find(&f, "CVE-2023-38545", "c7680"));
	tl_findings_free(&f);
	tl_sbom_free(s);
	tl_vulndb_close(db);
}

/* CVE-2016-7406 dropbear_ssh versionEndIncluding 2016.73; CVE-2021-3448
 * dnsmasq versionEndExcluding 2.85. */
static void test_match__nvd_end_including_vs_excluding(void **state)
{
	static const char *const files[] = { "nvd/api2/targeted-embedded/CVE-2016-7406.json",
	                                     "nvd/api2/targeted-embedded/CVE-2021-3448.json", NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *s = new_sbom();
	tl_findings f;

	add(s, "db73", "dropbear", "2016.73", NULL, CPE("a", "dropbear_ssh_project", "dropbear_ssh", "2016.73"), NULL);
	add(s, "db74", "dropbear", "2016.74", NULL, CPE("a", "dropbear_ssh_project", "dropbear_ssh", "2016.74"), NULL);
	add(s, "dn284", "dnsmasq", "2.84", NULL, CPE("a", "thekelleys", "dnsmasq", "2.84"), NULL);
	add(s, "dn285", "dnsmasq", "2.85", NULL, CPE("a", "thekelleys", "dnsmasq", "2.85"), NULL);
	run(db, s, &f, NULL);
	assert_non_null(find(&f, "CVE-2016-7406", "db73"));
	assert_null(find(&f, "CVE-2016-7406", "db74"));
	assert_non_null(find(&f, "CVE-2021-3448", "dn284"));
	assert_null(find(&f, "CVE-2021-3448", "dn285"));
	tl_findings_free(&f);
	tl_sbom_free(s);
	tl_vulndb_close(db);
}

/* No version decision, no finding: a component CPE with "*" and no version,
 * and the CPE of another vendor with the same product name. */
static void test_match__nvd_needs_a_version_decision(void **state)
{
	static const char *const files[] = { "nvd/api2/targeted-embedded/CVE-2023-38545.json", NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *s = new_sbom();
	tl_match_stats st;
	tl_findings f;

	add(s, "any", "curl", NULL, "pkg:generic/curl", CPE("a", "haxx", "libcurl", "*"), NULL);
	add(s, "other", "libcurl", "7.88.1", NULL, CPE("a", "other_vendor", "libcurl", "7.88.1"), NULL);
	add(s, "word", "curl", "7.88.1", NULL, "cpe:2.3:a:haxx:libcurl:7.88.1:*:*:*:*:*:*:*", NULL);
	run(db, s, &f, &st);
	assert_null(find(&f, "CVE-2023-38545", "any"));
	assert_null(find(&f, "CVE-2023-38545", "other"));
	assert_non_null(find(&f, "CVE-2023-38545", "word"));
	assert_true(st.undecided >= 1);
	tl_findings_free(&f);
	tl_sbom_free(s);
	tl_vulndb_close(db);
}

/* CVE-2024-1086 (versionStartIncluding 3.15, versionEndExcluding 6.1.76)
 * is in the KEV catalog of 2025-08-25, dateAdded 2024-05-30. */
static void test_match__kev_flag_and_dates(void **state)
{
	static const char *const files[] = { "nvd/api2/targeted-embedded/CVE-2024-1086.json",
	                                     "kev/known_exploited_vulnerabilities.json", NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *s = new_sbom();
	tl_findings f;
	const tl_finding *x;

	add(s, "k70", "linux", "6.1.70", NULL, CPE("o", "linux", "linux_kernel", "6.1.70"), NULL);
	add(s, "k76", "linux", "6.1.76", NULL, CPE("o", "linux", "linux_kernel", "6.1.76"), NULL);
	run(db, s, &f, NULL);
	assert_non_null(x = find(&f, "CVE-2024-1086", "k70"));
	assert_true(x->kev);
	assert_string_equal(x->kev_date_added, "2024-05-30");
	assert_non_null(x->kev_due_date);
	assert_null(find(&f, "CVE-2024-1086", "k76"));
	tl_findings_free(&f);
	tl_sbom_free(s);
	tl_vulndb_close(db);
}

/* CVE-2020-13595 (legacy 1.1 feed): AND of esp-idf 4.0.0..4.2 (vulnerable)
 * and cpe:2.3:h:espressif:esp32:- (platform). */
static void test_match__and_configuration_platform(void **state)
{
	static const char *const files[] = { "nvd/legacy-1.1/nvdcve-1.1-test-data.json", NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *with = new_sbom(), *without = new_sbom(), *plat_only = new_sbom();
	tl_match_stats st;
	tl_findings f;
	const tl_finding *x;

	add(with, "idf41", "esp-idf", "4.1.0", NULL, CPE("a", "espressif", "esp-idf", "4.1.0"), NULL);
	add(with, "idf43", "esp-idf", "4.3", NULL, CPE("a", "espressif", "esp-idf", "4.3"), NULL);
	add(with, "chip", "esp32", NULL, NULL, CPE("h", "espressif", "esp32", "-"), NULL);
	run(db, with, &f, NULL);
	assert_non_null(x = find(&f, "CVE-2020-13595", "idf41"));
	assert_non_null(strstr(x->evidence, "platform cpe:2.3:h:espressif:esp32"));
	assert_null(find(&f, "CVE-2020-13595", "idf43"));
	/* the platform alone is never a finding */
	assert_null(find(&f, "CVE-2020-13595", "chip"));
	tl_findings_free(&f);

	add(without, "idf41", "esp-idf", "4.1.0", NULL, CPE("a", "espressif", "esp-idf", "4.1.0"), NULL);
	run(db, without, &f, &st);
	assert_null(find(&f, "CVE-2020-13595", "idf41"));
	assert_true(st.undecided >= 1);
	tl_findings_free(&f);

	add(plat_only, "chip", "esp32", NULL, NULL, CPE("h", "espressif", "esp32", "-"), NULL);
	run(db, plat_only, &f, NULL);
	assert_int_equal(f.n, 0);
	tl_findings_free(&f);
	tl_sbom_free(with);
	tl_sbom_free(without);
	tl_sbom_free(plat_only);
	tl_vulndb_close(db);
}

/* DSA-3029-1: Debian:7 nginx, introduced 0, fixed 1.2.1-2.2+wheezy3;
 * the record names the SOURCE package. */
static void test_match__debian_epochs_and_source_package(void **state)
{
	static const char *const files[] = { "osv/distro-samples/DSA-3029-1.json", NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *s = new_sbom();
	tl_findings f;
	const tl_finding *x;

	add(s, "e0", "nginx", "0:1.2.1-2.2+wheezy2",
	    "pkg:deb/debian/nginx@0%3A1.2.1-2.2%2Bwheezy2?arch=amd64&distro=debian-7", NULL, NULL);
	add(s, "e1", "nginx", "1:1.2.1-2.2+wheezy2",
	    "pkg:deb/debian/nginx@1%3A1.2.1-2.2%2Bwheezy2?arch=amd64&distro=debian-7", NULL, NULL);
	add(s, "fix", "nginx", "1.2.1-2.2+wheezy3",
	    "pkg:deb/debian/nginx@1.2.1-2.2%2Bwheezy3?arch=amd64&distro=debian-7", NULL, NULL);
	add(s, "bin", "nginx-full", "1.2.1-2.2+wheezy2",
	    "pkg:deb/debian/nginx-full@1.2.1-2.2%2Bwheezy2?arch=amd64&distro=debian-7", NULL,
	    "trustline:deb:source", "nginx", NULL);
	add(s, "nosrc", "nginx-full", "1.2.1-2.2+wheezy2",
	    "pkg:deb/debian/nginx-full@1.2.1-2.2%2Bwheezy2?arch=arm64&distro=debian-7", NULL, NULL);
	add(s, "deb8", "nginx", "1.2.1-2.2+wheezy2",
	    "pkg:deb/debian/nginx@1.2.1-2.2%2Bwheezy2?arch=amd64&distro=debian-8", NULL, NULL);
	/* a distro package with a CPE is still not matched against NVD */
	run(db, s, &f, NULL);
	assert_non_null(x = find(&f, "CVE-2014-3616", "e0"));
	assert_string_equal(x->record, "DSA-3029-1");
	assert_string_equal(x->source, "osv");
	assert_string_equal(x->fixed_version, "1.2.1-2.2+wheezy3");
	assert_int_equal(x->n_aliases, 1);
	assert_string_equal(x->aliases[0], "DSA-3029-1");
	assert_null(find(&f, "CVE-2014-3616", "e1"));
	assert_null(find(&f, "CVE-2014-3616", "fix"));
	assert_non_null(find(&f, "CVE-2014-3616", "bin"));
	assert_null(find(&f, "CVE-2014-3616", "nosrc"));
	assert_null(find(&f, "CVE-2014-3616", "deb8"));
	tl_findings_free(&f);
	tl_sbom_free(s);
	tl_vulndb_close(db);
}

/* Backports: a deb component with a CPE is never matched against NVD. */
static void test_match__distro_package_not_matched_by_nvd(void **state)
{
	static const char *const files[] = { "nvd/api2/targeted-embedded/CVE-2023-38545.json", NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *s = new_sbom();
	tl_findings f;

	add(s, "d", "curl", "7.88.1-10+deb12u4", "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u4?distro=debian-12",
	    CPE("a", "haxx", "libcurl", "7.88.1"), NULL);
	run(db, s, &f, NULL);
	assert_int_equal(f.n, 0);
	tl_findings_free(&f);
	tl_sbom_free(s);
	tl_vulndb_close(db);
}

/* ALSA-2022:4940: AlmaLinux:9 xz-libs fixed 5.2.5-8.el9_0 (rpm versions). */
static void test_match__almalinux_rpm(void **state)
{
	static const char *const files[] = { "osv/almalinux-selected/almalinux9/ALSA-2022:4940.json", NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *s = new_sbom();
	tl_findings f;
	const tl_finding *x;

	add(s, "old", "xz-libs", "5.2.5-7.el9", "pkg:rpm/almalinux/xz-libs@5.2.5-7.el9?arch=x86_64&distro=almalinux-9.0", NULL, NULL);
	add(s, "new", "xz-libs", "5.2.5-8.el9_0", "pkg:rpm/almalinux/xz-libs@5.2.5-8.el9_0?arch=x86_64&distro=almalinux-9.0", NULL, NULL);
	add(s, "el8", "xz-libs", "5.2.5-7.el9", "pkg:rpm/almalinux/xz-libs@5.2.5-7.el9?arch=x86_64&distro=almalinux-8.6", NULL, NULL);
	/* rpm orders 5.2.5-8.el9 below 5.2.5-8.el9_0 */
	add(s, "mid", "xz-libs", "5.2.5-8.el9", "pkg:rpm/almalinux/xz-libs@5.2.5-8.el9?arch=x86_64&distro=almalinux-9.0", NULL, NULL);
	run(db, s, &f, NULL);
	assert_int_equal(count_ref(&f, "old"), 1);
	x = &f.v[0];
	assert_string_equal(x->record, "ALSA-2022:4940");
	assert_string_equal(x->fixed_version, "5.2.5-8.el9_0");
	assert_int_equal(count_ref(&f, "new"), 0);
	assert_int_equal(count_ref(&f, "el8"), 0);
	assert_int_equal(count_ref(&f, "mid"), 1);
	tl_findings_free(&f);
	tl_sbom_free(s);
	tl_vulndb_close(db);
}

/* alpine-secdb/v3.11/main.yaml: ansible secfixes 2.9.3-r0: CVE-2019-14904,
 * CVE-2019-14905; the origin package names the secdb entry. */
static void test_match__alpine_secdb(void **state)
{
	static const char *const files[] = { "alpine-secdb/v3.11/main.yaml", NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *s = new_sbom();
	tl_findings f;
	const tl_finding *x;

	add(s, "a292", "ansible", "2.9.2-r0", "pkg:apk/alpine/ansible@2.9.2-r0?arch=x86_64&distro=alpine-3.11.5", NULL, NULL);
	add(s, "a293", "ansible", "2.9.3-r0", "pkg:apk/alpine/ansible@2.9.3-r0?arch=x86_64&distro=alpine-3.11.5", NULL, NULL);
	add(s, "sub", "ansible-doc", "2.9.2-r0", "pkg:apk/alpine/ansible-doc@2.9.2-r0?arch=x86_64&distro=alpine-3.11.5", NULL,
	    "trustline:apk:origin", "ansible", NULL);
	add(s, "v310", "ansible", "2.9.2-r0", "pkg:apk/alpine/ansible@2.9.2-r0?arch=x86_64&distro=alpine-3.10.2", NULL, NULL);
	run(db, s, &f, NULL);
	assert_non_null(x = find(&f, "CVE-2019-14904", "a292"));
	assert_string_equal(x->source, "alpine");
	assert_string_equal(x->fixed_version, "2.9.3-r0");
	assert_non_null(find(&f, "CVE-2019-14905", "a292"));
	assert_int_equal(count_ref(&f, "a293"), 0);
	assert_non_null(find(&f, "CVE-2019-14904", "sub"));
	assert_int_equal(count_ref(&f, "v310"), 0); /* v3.10 data is not imported */
	tl_findings_free(&f);
	tl_sbom_free(s);
	tl_vulndb_close(db);
}

/* BIT-sqlite-2020-11655: Bitnami sqlite SEMVER introduced 0, fixed 3.31.2. */
static void test_match__bitnami_semver(void **state)
{
	static const char *const files[] = { "osv/bitnami-c-components/sqlite/BIT-sqlite-2020-11655.json", NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *s = new_sbom();
	tl_findings f;
	const tl_finding *x;

	add(s, "s311", "sqlite", "3.31.1", "pkg:bitnami/sqlite@3.31.1", NULL, NULL);
	add(s, "s312", "sqlite", "3.31.2", "pkg:bitnami/sqlite@3.31.2", NULL, NULL);
	add(s, "gen", "sqlite", "3.31.1", "pkg:generic/sqlite@3.31.1", NULL, NULL); /* not Bitnami's */
	run(db, s, &f, NULL);
	assert_non_null(x = find(&f, "CVE-2020-11655", "s311"));
	assert_string_equal(x->record, "BIT-sqlite-2020-11655");
	assert_int_equal(x->severity, TL_SEV_HIGH); /* CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H = 7.5 */
	assert_null(find(&f, "CVE-2020-11655", "s312"));
	assert_int_equal(count_ref(&f, "gen"), 0);
	tl_findings_free(&f);
	tl_sbom_free(s);
	tl_vulndb_close(db);
}

/* BIT-sqlite-2022-35737 (alias CVE-2022-35737, SEMVER 1.0.12..3.39.2) and
 * NVD CVE-2022-35737 (sqlite 1.0.12 <= v < 3.39.2) are one finding. */
static void test_match__aliases_merged(void **state)
{
	static const char *const files[] = { "osv/bitnami-c-components/sqlite/BIT-sqlite-2022-35737.json",
	                                     "nvd/api2/targeted-embedded/CVE-2022-35737.json", NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *s = new_sbom();
	tl_findings f;
	const tl_finding *x;

	add(s, "sq", "sqlite", "3.39.1", "pkg:bitnami/sqlite@3.39.1", CPE("a", "sqlite", "sqlite", "3.39.1"), NULL);
	run(db, s, &f, NULL);
	assert_int_equal(f.n, 1);
	x = &f.v[0];
	assert_string_equal(x->id, "CVE-2022-35737");
	assert_int_equal(x->n_aliases, 1);
	assert_string_equal(x->aliases[0], "BIT-sqlite-2022-35737");
	assert_string_equal(x->record, "BIT-sqlite-2022-35737"); /* the ecosystem record names it */
	assert_non_null(strstr(x->evidence, "also matched by nvd CVE-2022-35737"));
	assert_string_equal(x->fixed_version, "3.39.2");
	tl_findings_free(&f);
	tl_sbom_free(s);
	tl_vulndb_close(db);
}

/* OSV-2017-79 (OSS-Fuzz curl) lists tags curl-7_57_0 ... curl-7_74_0. */
static void test_match__ossfuzz_release_tags(void **state)
{
	static const char *const files[] = { "osv/oss-fuzz-vulns/curl/OSV-2017-79.yaml", NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *s = new_sbom();
	tl_findings f;
	const tl_finding *x;

	add(s, "in", "curl", "7.71.1", "pkg:generic/curl@7.71.1", NULL, NULL);
	add(s, "out", "curl", "7.75.0", "pkg:generic/curl@7.75.0", NULL, NULL);
	add(s, "ns", "curl", "7.71.1", "pkg:generic/haxx/curl@7.71.1", NULL, NULL);
	add(s, "name", "libcurl", "7.71.1", "pkg:generic/libcurl@7.71.1", NULL, NULL);
	run(db, s, &f, NULL);
	assert_non_null(x = find(&f, "OSV-2017-79", "in"));
	assert_non_null(strstr(x->evidence, "curl-7_71_1"));
	assert_null(x->fixed_version);
	assert_int_equal(count_ref(&f, "out"), 0);
	assert_int_equal(count_ref(&f, "ns"), 0);
	assert_int_equal(count_ref(&f, "name"), 0);
	tl_findings_free(&f);
	tl_sbom_free(s);
	tl_vulndb_close(db);
}

/* UBUNTU-CVE-2022-48174: Ubuntu:22.04:LTS busybox fixed 1:1.30.1-7ubuntu3.1;
 * the id is the CVE it is named after, severity from its CVSS 3.1 9.8. */
static void test_match__ubuntu(void **state)
{
	static const char *const files[] = { "osv/ubuntu-samples/UBUNTU-CVE-2022-48174.json", NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *s = new_sbom();
	tl_findings f;
	const tl_finding *x;

	add(s, "u", "busybox", "1:1.30.1-7ubuntu3", "pkg:deb/ubuntu/busybox@1%3A1.30.1-7ubuntu3?distro=ubuntu-22.04", NULL, NULL);
	add(s, "f", "busybox", "1:1.30.1-7ubuntu3.1", "pkg:deb/ubuntu/busybox@1%3A1.30.1-7ubuntu3.1?distro=ubuntu-22.04", NULL, NULL);
	run(db, s, &f, NULL);
	assert_non_null(x = find(&f, "CVE-2022-48174", "u"));
	assert_string_equal(x->record, "UBUNTU-CVE-2022-48174");
	assert_string_equal(x->fixed_version, "1:1.30.1-7ubuntu3.1");
	assert_int_equal(x->severity, TL_SEV_CRITICAL);
	assert_int_equal(count_ref(&f, "f"), 0);
	tl_findings_free(&f);
	tl_sbom_free(s);
	tl_vulndb_close(db);
}

/* Patch evidence: the changelog names CVE-2014-3616 fixed at or before the installed version. */
static void test_match__changelog_patch_evidence(void **state)
{
	static const char *const files[] = { "osv/distro-samples/DSA-3029-1.json", NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *s = new_sbom();
	tl_findings f;
	const tl_finding *x;

	add(s, "p", "nginx", "1.2.1-2.2+wheezy2", "pkg:deb/debian/nginx@1.2.1-2.2%2Bwheezy2?distro=debian-7", NULL,
	    TL_PROP_CHANGELOG_CVES, "CVE-2013-0001=1.0-1 CVE-2014-3616=1.2.1-2.2+wheezy2", NULL);
	add(s, "later", "nginx", "1.2.1-2.2+wheezy1", "pkg:deb/debian/nginx@1.2.1-2.2%2Bwheezy1?distro=debian-7", NULL,
	    TL_PROP_CHANGELOG_CVES, "CVE-2014-3616=1.2.1-2.2+wheezy2", NULL);
	add(s, "other", "nginx", "1.2.1-2.2+wheezy0", "pkg:deb/debian/nginx@1.2.1-2.2%2Bwheezy0?distro=debian-7", NULL,
	    TL_PROP_CHANGELOG_CVES, "CVE-2014-3615=1.0-1", NULL);
	run(db, s, &f, NULL);
	assert_non_null(x = find(&f, "CVE-2014-3616", "p"));
	assert_true(x->patched);
	assert_false(tl_finding_is_active(x));
	assert_string_equal(x->patch_evidence,
	                    "changelog.Debian.gz: CVE-2014-3616 fixed in 1.2.1-2.2+wheezy2 (installed 1.2.1-2.2+wheezy2)");
	assert_non_null(x = find(&f, "CVE-2014-3616", "later"));
	assert_false(x->patched);
	assert_non_null(x = find(&f, "CVE-2014-3616", "other"));
	assert_false(x->patched);
	tl_findings_free(&f);
	tl_sbom_free(s);
	tl_vulndb_close(db);
}

/* GHSA-fhjf-83wg-r2j9 (ghsa-converter example): npm mixin-deep, one SEMVER
 * range with two branches: introduced 0, introduced 2.0.0, fixed 2.0.1,
 * fixed 1.3.2.  pypi_normalize: PyPI products-pluggableauthservice
 * ECOSYSTEM introduced 0, fixed 2.6.1 (PEP 503 name). */
static void test_match__language_ecosystems(void **state)
{
	static const char *const files[] = { "osv/schema-examples/ghsa-converter/equals_with_patch.osv.json",
	                                     "osv/schema-examples/ghsa-converter/pypi_normalize.osv.json", NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *s = new_sbom();
	tl_findings f;
	const tl_finding *x;

	add(s, "m131", "mixin-deep", "1.3.1", "pkg:npm/mixin-deep@1.3.1", NULL, NULL);
	add(s, "m132", "mixin-deep", "1.3.2", "pkg:npm/mixin-deep@1.3.2", NULL, NULL);
	add(s, "m200", "mixin-deep", "2.0.0", "pkg:npm/mixin-deep@2.0.0", NULL, NULL);
	add(s, "m201", "mixin-deep", "2.0.1", "pkg:npm/mixin-deep@2.0.1", NULL, NULL);
	add(s, "p260", "Products.PluggableAuthService", "2.6.0", "pkg:pypi/Products.PluggableAuthService@2.6.0", NULL, NULL);
	add(s, "p261", "Products.PluggableAuthService", "2.6.1", "pkg:pypi/Products.PluggableAuthService@2.6.1", NULL, NULL);
	add(s, "prc", "Products.PluggableAuthService", "2.6.1rc1", "pkg:pypi/Products.PluggableAuthService@2.6.1rc1", NULL, NULL);
	run(db, s, &f, NULL);
	assert_int_equal(count_ref(&f, "m131"), 1);
	x = &f.v[0];
	for (size_t i = 0; i < f.n; i++)
		if (!strcmp(f.v[i].component_ref, "m131"))
			x = &f.v[i];
	assert_string_equal(x->fixed_version, "1.3.2");
	assert_int_equal(count_ref(&f, "m132"), 0);
	assert_int_equal(count_ref(&f, "m200"), 1);
	assert_int_equal(count_ref(&f, "m201"), 0);
	assert_int_equal(count_ref(&f, "p260"), 1);
	assert_int_equal(count_ref(&f, "p261"), 0);
	assert_int_equal(count_ref(&f, "prc"), 0); /* PEP 440 pre-release: no decision */
	tl_findings_free(&f);
	tl_sbom_free(s);
	tl_vulndb_close(db);
}

static int warned;
static char last_warning[1024];

static void capture(tl_log_level level, const char *msg, void *ctx)
{
	if (level == TL_LOG_WARN) {
		warned++;
		snprintf(last_warning, sizeof(last_warning), "%s", msg);
	}
}

/* A distro ecosystem with no records is a warning, and no finding. */
static void test_match__warns_without_distro_data(void **state)
{
	static const char *const files[] = { "osv/distro-samples/DSA-3029-1.json", NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *s = new_sbom();
	tl_match_stats st;
	tl_findings f;

	add(s, "d12", "nginx", "1.22.1-9", "pkg:deb/debian/nginx@1.22.1-9?distro=debian-12", NULL, NULL);
	warned = 0;
	tl_log_set_handler(capture, NULL);
	tl_log_set_level(TL_LOG_WARN);
	run(db, s, &f, &st);
	tl_log_set_handler(NULL, NULL);
	assert_int_equal(f.n, 0);
	assert_int_equal(warned, 1);
	assert_non_null(strstr(last_warning, "Debian:12"));
	assert_int_equal(st.no_data, 1);
	tl_findings_free(&f);
	tl_sbom_free(s);
	tl_vulndb_close(db);
}

/* Sorted by severity (highest first), then id; the same input gives the same JSON bytes. */
static void test_match__sorted_and_deterministic(void **state)
{
	static const char *const files[] = { "nvd/api2/targeted-embedded", "kev/known_exploited_vulnerabilities.json",
	                                     NULL };
	tl_vulndb *db = db_with(files);
	tl_sbom *s = new_sbom();
	tl_findings f1, f2;
	tl_buf b1 = TL_BUF_INIT, b2 = TL_BUF_INIT, t = TL_BUF_INIT;
	json_t *root;

	add(s, "k", "linux", "6.1.70", NULL, CPE("o", "linux", "linux_kernel", "6.1.70"), NULL);
	add(s, "c", "curl", "7.88.1", NULL, CPE("a", "haxx", "libcurl", "7.88.1"), NULL);
	add(s, "b", "busybox", "1.33.0", NULL, CPE("a", "busybox", "busybox", "1.33.0"), NULL);
	run(db, s, &f1, NULL);
	run(db, s, &f2, NULL);
	assert_true(f1.n >= 3);
	for (size_t i = 1; i < f1.n; i++) {
		assert_true(f1.v[i - 1].severity >= f1.v[i].severity);
		if (f1.v[i - 1].severity == f1.v[i].severity)
			assert_true(strcmp(f1.v[i - 1].id, f1.v[i].id) <= 0);
	}
	assert_int_equal(tl_vuln_report(&b1, TL_REPORT_JSON, &f1, s), TL_OK);
	assert_int_equal(tl_vuln_report(&b2, TL_REPORT_JSON, &f2, s), TL_OK);
	assert_int_equal(b1.len, b2.len);
	assert_memory_equal(b1.ptr, b2.ptr, b1.len);
	/* the JSON has every finding with its fields */
	assert_int_equal(tl_json_parse(&root, b1.ptr, b1.len, "report", NULL), TL_OK);
	assert_int_equal(json_array_size(json_object_get(root, "findings")), f1.n);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(root, "findings"), 0), "id")),
	                    f1.v[0].id);
	json_decref(root);
	assert_int_equal(tl_vuln_report(&t, TL_REPORT_TABLE, &f1, s), TL_OK);
	assert_non_null(strstr(t.ptr, "CVE-2024-1086"));
	tl_buf_clear(&t);
	assert_int_equal(tl_vuln_report(&t, TL_REPORT_SARIF, &f1, s), TL_OK);
	assert_non_null(strstr(t.ptr, "\"version\": \"2.1.0\""));
	assert_int_equal(tl_vuln_report(&t, (tl_report_format)99, &f1, s), TL_EUNSUPPORTED);
	tl_buf_dispose(&b1);
	tl_buf_dispose(&b2);
	tl_buf_dispose(&t);
	tl_findings_free(&f1);
	tl_findings_free(&f2);
	tl_sbom_free(s);
	tl_vulndb_close(db);
}

/*
 * The JSON report is written directly; its bytes must be what jansson's
 * json_dumps (JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(4))
 * gives for the same document, escapes and UTF-8 included (RFC 8259
 * section 7), and every string must read back unchanged.
 */
static void test_match__json_report_bytes(void **state)
{
	char id[] = "CVE-2024-0001", al1[] = "GHSA-\"q\"\\x", al2[] = "OSV-2024-1";
	char summary[] = "tab\there, nl\nthere, cr\r bs\b ff\f \x01\x1f del\x7f caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92 /";
	char ref[] = "pkg:deb/debian/a@1?x=y&z=1", name[] = "a", ver[] = "1:2.0-1", src[] = "osv";
	char bad[] = "ok \xc0\xaf overlong";
	char *aliases[] = { al1, al2 };
	tl_finding v[3];
	tl_findings f = { v, 3, 3 }, none = { NULL, 0, 0 };
	tl_buf b = TL_BUF_INIT;
	json_t *root;
	char *again;

	(void)state;
	memset(v, 0, sizeof(v));
	v[0].id = id;
	v[0].aliases = aliases;
	v[0].n_aliases = 2;
	v[0].summary = summary;
	v[0].severity = TL_SEV_CRITICAL;
	v[0].cvss3_score = 10.0;
	v[0].cvss4_score = 0.0;
	v[0].kev = true;
	v[0].component_ref = ref;
	v[0].component_name = name;
	v[0].component_version = ver;
	v[0].source = src;
	v[1] = v[0];
	v[1].aliases = NULL;
	v[1].n_aliases = 0;
	v[1].cvss3_score = 9.8;
	v[1].cvss4_score = -1;
	v[1].patched = true;
	v[1].vex_status = TL_VEX_NOT_AFFECTED;
	v[2] = v[1];
	v[2].summary = NULL;
	v[2].cvss3_score = 5.25;
	for (int k = 0; k < 2; k++) {
		const tl_findings *x = k ? &none : &f;
		tl_buf_clear(&b);
		assert_int_equal(tl_vuln_report(&b, TL_REPORT_JSON, x, NULL), TL_OK);
		assert_int_equal(tl_json_parse(&root, b.ptr, b.len, "report", NULL), TL_OK);
		again = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(4));
		assert_non_null(again);
		assert_int_equal(strlen(again) + 1, b.len);
		assert_memory_equal(again, b.ptr, b.len - 1);
		assert_int_equal(b.ptr[b.len - 1], '\n');
		free(again);
		if (!k) {
			json_t *f0 = json_array_get(json_object_get(root, "findings"), 0);
			assert_string_equal(json_string_value(json_object_get(f0, "summary")), summary);
			assert_string_equal(json_string_value(json_array_get(json_object_get(f0, "aliases"), 0)), al1);
			assert_true(json_real_value(json_object_get(f0, "cvss3_score")) == 10.0);
			assert_non_null(strstr(b.ptr, "\\u0001\\u001F del\x7f"));
		} else {
			assert_int_equal(json_array_size(json_object_get(root, "findings")), 0);
		}
		json_decref(root);
	}
	/* json_string refuses invalid UTF-8; so does the writer */
	v[2].summary = bad;
	tl_buf_clear(&b);
	assert_int_equal(tl_vuln_report(&b, TL_REPORT_JSON, &f, NULL), TL_EINVAL);
	tl_buf_dispose(&b);
}

/* Every log message of a run, "level:message" one a line. */
static void log_all(tl_log_level level, const char *msg, void *ctx)
{
	tl_buf *b = ctx;

	assert_int_equal(tl_buf_printf(b, "%d:%s\n", (int)level, msg), TL_OK);
}

/*
 * One thread or several (tl_match_opts.threads): the same findings in the
 * same order (the JSON report's bytes, evidence included), the same
 * counts and the same log messages in the same order.  The database is
 * a file (a second connection needs one); the SBOM repeats 14 components
 * of the cases above 30 times, so its 420 components go out in many
 * chunks: distro packages matched and not, Alpine secdb, NVD with and
 * without a version decision, a purl that does not parse, 30 Debian
 * releases with no data (a warning each, in component order) and a
 * distro no ecosystem is known for.
 */
static void test_match__threads_same_result(void **state)
{
	static const char *const rel[] = {
		"osv/distro-samples/DSA-3029-1.json", "alpine-secdb/v3.11/main.yaml",
		"osv/almalinux-selected/almalinux9/ALSA-2022:4940.json", "osv/ubuntu-samples/UBUNTU-CVE-2022-48174.json",
		"nvd/api2/targeted-embedded", "kev/known_exploited_vulnerabilities.json",
	};
	char dir[] = "/tmp/tl-match-XXXXXX", path[1100], paths[6][1024], ref[32], purl[128];
	const char *p[6];
	tl_vulndb *db = NULL;
	tl_sbom *s = new_sbom();
	tl_buf first = TL_BUF_INIT, first_log = TL_BUF_INIT;
	tl_match_stats st0 = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/v.db", dir);
	for (int i = 0; i < 6; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", shared(), rel[i]);
		p[i] = paths[i];
	}
	assert_int_equal(tl_vulndb_open(&db, path), TL_OK);
	assert_int_equal(tl_vulndb_import(db, p, 6, NULL), TL_OK);
	for (int k = 0; k < 30; k++) {
#define REF(x) (snprintf(ref, sizeof(ref), "%s-%d", x, k), ref)
		add(s, REF("e0"), "nginx", "0:1.2.1-2.2+wheezy2",
		    "pkg:deb/debian/nginx@0%3A1.2.1-2.2%2Bwheezy2?arch=amd64&distro=debian-7", NULL, NULL);
		add(s, REF("fix"), "nginx", "1.2.1-2.2+wheezy3",
		    "pkg:deb/debian/nginx@1.2.1-2.2%2Bwheezy3?arch=amd64&distro=debian-7", NULL, NULL);
		snprintf(purl, sizeof(purl), "pkg:deb/debian/nginx@1.22.1-9?distro=debian-%d", 100 + k);
		add(s, REF("d1xx"), "nginx", "1.22.1-9", purl, NULL, NULL); /* Debian:1xx, no data */
		add(s, REF("odd"), "nginx", "1.0", "pkg:deb/nginx@1.0?distro=plan9-4", NULL, NULL);
		add(s, REF("a292"), "ansible", "2.9.2-r0",
		    "pkg:apk/alpine/ansible@2.9.2-r0?arch=x86_64&distro=alpine-3.11.5", NULL, NULL);
		add(s, REF("a293"), "ansible", "2.9.3-r0",
		    "pkg:apk/alpine/ansible@2.9.3-r0?arch=x86_64&distro=alpine-3.11.5", NULL, NULL);
		add(s, REF("old"), "xz-libs", "5.2.5-7.el9",
		    "pkg:rpm/almalinux/xz-libs@5.2.5-7.el9?arch=x86_64&distro=almalinux-9.0", NULL, NULL);
		add(s, REF("u"), "busybox", "1:1.30.1-7ubuntu3",
		    "pkg:deb/ubuntu/busybox@1%3A1.30.1-7ubuntu3?distro=ubuntu-22.04", NULL, NULL);
		add(s, REF("c7881"), "curl", "7.88.1", "pkg:generic/curl@7.88.1",
		    CPE("a", "haxx", "libcurl", "7.88.1"), NULL);
		add(s, REF("c840"), "curl", "8.4.0", "pkg:generic/curl@8.4.0", CPE("a", "haxx", "libcurl", "8.4.0"), NULL);
		add(s, REF("any"), "curl", NULL, "pkg:generic/curl", CPE("a", "haxx", "libcurl", "*"), NULL);
		add(s, REF("k"), "linux", "6.1.70", NULL, CPE("o", "linux", "linux_kernel", "6.1.70"), NULL);
		add(s, REF("bad"), "x", "1", "pkg:", NULL, NULL);
		add(s, REF("b"), "busybox", "1.33.0", NULL, CPE("a", "busybox", "busybox", "1.33.0"), NULL);
#undef REF
	}
	tl_log_set_level(TL_LOG_DEBUG);
	for (unsigned threads = 1, attempt = 0; threads <= 4; threads++) {
		tl_buf rep = TL_BUF_INIT, log = TL_BUF_INIT;
		tl_match_stats st = { 0 };
		tl_match_opts o = { .stats = &st, .threads = threads };
		tl_findings f = { 0 };
		tl_log_set_handler(log_all, &log);
		assert_int_equal(tl_vuln_match(db, s, &o, &f), TL_OK);
		tl_log_set_handler(NULL, NULL);
		assert_int_equal(tl_vuln_report(&rep, TL_REPORT_JSON, &f, s), TL_OK);
		assert_int_equal(tl_buf_cstr(&log), TL_OK);
		if (threads == 1) {
			/* what the cases above say, 30 times over */
			assert_int_equal(count_ref(&f, "e0-29"), 1);
			assert_non_null(find(&f, "CVE-2014-3616", "e0-17"));
			assert_int_equal(count_ref(&f, "fix-3"), 0);
			assert_non_null(find(&f, "CVE-2019-14904", "a292-29"));
			assert_int_equal(count_ref(&f, "a293-0"), 0);
			assert_non_null(find(&f, "CVE-2022-48174", "u-11"));
			assert_non_null(find(&f, "CVE-2023-38545", "c7881-5"));
			assert_null(find(&f, "CVE-2023-38545", "c840-5"));
			assert_null(find(&f, "CVE-2023-38545", "any-5"));
			assert_non_null(find(&f, "CVE-2024-1086", "k-0"));
			assert_int_equal(st.components, 420);
			assert_int_equal(st.threads, 1);
			assert_true(st.undecided >= 30);
			assert_int_equal(st.no_data, 60);
			/* the unparsable purl of each copy, in component order */
			assert_non_null(strstr(log.ptr, "1:component bad-0: purl"));
			assert_true(strstr(log.ptr, "component bad-28: purl") < strstr(log.ptr, "component bad-29: purl"));
			/* one warning per ecosystem, in the order the components name them */
			assert_non_null(strstr(log.ptr, "no records for ecosystem Debian:100 in the database: 1 component(s)"));
			for (int k = 101; k < 130; k++) {
				char a[64], b[64];
				snprintf(a, sizeof(a), "ecosystem Debian:%d ", k - 1);
				snprintf(b, sizeof(b), "ecosystem Debian:%d ", k);
				assert_true(strstr(log.ptr, a) && strstr(log.ptr, b) && strstr(log.ptr, a) < strstr(log.ptr, b));
			}
			assert_non_null(strstr(log.ptr, "30 component(s) of pkg:deb distro=plan9-4"));
			first = rep;
			first_log = log;
			st0 = st;
			tl_findings_free(&f);
			continue;
		}
		assert_int_equal(rep.len, first.len);
		assert_memory_equal(rep.ptr, first.ptr, rep.len);
		assert_string_equal(log.ptr, first_log.ptr);
		/* the work was shared: 53 chunks of 8 components, more than one
		 * thread took some (not only the caller).  On a loaded machine
		 * the caller may take them all before the others run: then the
		 * same run again (each one checked as above), up to 50 times */
		if (st.threads < 2 && ++attempt < 50) {
			tl_buf_dispose(&rep);
			tl_buf_dispose(&log);
			tl_findings_free(&f);
			threads--;
			continue;
		}
		attempt = 0;
		if (st.threads < 2 || st.threads > threads)
			fail_msg("%u threads asked, %u matched chunks", threads, st.threads);
		assert_true(st.components == st0.components && st.checked == st0.checked &&
		            st.no_data == st0.no_data && st.unmatchable == st0.unmatchable &&
		            st.undecided == st0.undecided && st.findings == st0.findings);
		tl_buf_dispose(&rep);
		tl_buf_dispose(&log);
		tl_findings_free(&f);
	}
	tl_log_set_level(TL_LOG_WARN);
	tl_buf_dispose(&first);
	tl_buf_dispose(&first_log);
	tl_sbom_free(s);
	tl_vulndb_close(db);
	for (int i = 0; i < 3; i++) {
		static const char *const sfx[] = { "", "-wal", "-shm" };
		snprintf(path, sizeof(path), "%s/v.db%s", dir, sfx[i]);
		unlink(path);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match__nvd_curl_range_boundaries),
		cmocka_unit_test(test_match__nvd_end_including_vs_excluding),
		cmocka_unit_test(test_match__nvd_needs_a_version_decision),
		cmocka_unit_test(test_match__kev_flag_and_dates),
		cmocka_unit_test(test_match__and_configuration_platform),
		cmocka_unit_test(test_match__debian_epochs_and_source_package),
		cmocka_unit_test(test_match__distro_package_not_matched_by_nvd),
		cmocka_unit_test(test_match__almalinux_rpm),
		cmocka_unit_test(test_match__alpine_secdb),
		cmocka_unit_test(test_match__bitnami_semver),
		cmocka_unit_test(test_match__aliases_merged),
		cmocka_unit_test(test_match__ossfuzz_release_tags),
		cmocka_unit_test(test_match__ubuntu),
		cmocka_unit_test(test_match__language_ecosystems),
		cmocka_unit_test(test_match__changelog_patch_evidence),
		cmocka_unit_test(test_match__warns_without_distro_data),
		cmocka_unit_test(test_match__sorted_and_deterministic),
		cmocka_unit_test(test_match__json_report_bytes),
		cmocka_unit_test(test_match__threads_same_result),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
