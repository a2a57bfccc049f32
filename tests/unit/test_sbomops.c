/*
 * Unit tests of the SBOM operations: minimum-element checks (NTIA, CISA
 * 2025, BSI TR-03183-2), diff and merge.  Documents are built through the
 * model API; the official CycloneDX example is read when the reader is there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "trustline/sbom.h"

#define OPENSSL_PURL "pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64&distro=debian-12"
#define ZLIB_PURL "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12"
#define SHA512_A "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
#define SHA256_A "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static char *xstrdup(const char *s)
{
	char *p = s ? strdup(s) : NULL;
	if (s)
		assert_non_null(p);
	return p;
}

static tl_sbom_component *add_comp(tl_sbom *doc, const char *ref, const char *name, const char *version,
                                   const char *purl)
{
	tl_sbom_component *c;

	assert_int_equal(tl_sbom_add_component(doc, &c), TL_OK);
	c->ref = xstrdup(ref);
	c->name = xstrdup(name);
	c->version = xstrdup(version);
	c->purl = xstrdup(purl);
	return c;
}

static void complete_component(tl_sbom_component *c, const char *file)
{
	c->supplier = xstrdup("Debian");
	c->license = xstrdup("Apache-2.0");
	assert_int_equal(tl_sbom_component_add_hash(c, TL_SBOM_HASH_SHA512, SHA512_A), TL_OK);
	assert_int_equal(tl_sbom_component_add_file(c, file), TL_OK);
}

/*
 * A gateway firmware SBOM with every element of every profile: subject
 * "gateway-fw" 2.4.0 depending on openssl and zlib1g, openssl on zlib1g.
 */
static tl_sbom *complete_doc(void)
{
	tl_sbom *doc;
	tl_sbom_component *c;

	assert_int_equal(tl_sbom_new(&doc), TL_OK);
	doc->timestamp = 1735689600; /* 2025-01-01T00:00:00Z */
	doc->manufacturer = xstrdup("Example Gateways GmbH");
	doc->supplier = xstrdup("Example Gateways GmbH");
	doc->lifecycle = xstrdup("build");
	assert_int_equal(tl_sbom_add_author(doc, "Release Team", "release@gateways.example"), TL_OK);
	assert_int_equal(tl_sbom_add_tool(doc, "trustline", "trustline", "0.1.0"), TL_OK);

	doc->subject = calloc(1, sizeof(*doc->subject));
	assert_non_null(doc->subject);
	c = doc->subject;
	c->ref = xstrdup("fw");
	c->type = TL_COMP_FIRMWARE;
	c->name = xstrdup("gateway-fw");
	c->version = xstrdup("2.4.0");
	c->cpe = xstrdup("cpe:2.3:o:example:gateway-fw:2.4.0:*:*:*:*:*:*:*");
	complete_component(c, "gateway-fw-2.4.0.img");

	complete_component(add_comp(doc, "openssl", "openssl", "3.0.15-1~deb12u1", OPENSSL_PURL),
	                   "/usr/lib/x86_64-linux-gnu/libssl.so.3");
	complete_component(add_comp(doc, "zlib", "zlib1g", "1:1.2.13.dfsg-1", ZLIB_PURL),
	                   "/usr/lib/x86_64-linux-gnu/libz.so.1");
	assert_int_equal(tl_sbom_add_dependency(doc, "fw", "openssl"), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(doc, "fw", "zlib"), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(doc, "openssl", "zlib"), TL_OK);
	return doc;
}

static tl_sbom_component *openssl_of(tl_sbom *doc)
{
	return &doc->components[0];
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Some line of r starts with a and ends with b. */
static bool line_with(const char *r, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	for (const char *p = r; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= la + lb && !strncmp(p, a, la) && !strncmp(p + len - lb, b, lb))
			return true;
		if (!nl)
			break;
		p = nl + 1;
	}
	return false;
}

/* Runs the check; returns the report (caller frees) and *missing. */
static char *run_check(tl_sbom *doc, tl_sbom_profile p, size_t *missing)
{
	tl_buf b = TL_BUF_INIT;

	*missing = 12345;
	assert_int_equal(tl_sbom_check(doc, p, &b, missing), TL_OK);
	assert_int_equal(tl_buf_cstr(&b), TL_OK);
	return tl_buf_detach(&b);
}

static void test_sbomops__profile_parse(void **state)
{
	tl_sbom_profile p;

	(void)state;
	assert_true(tl_sbom_profile_parse("ntia", &p));
	assert_int_equal(p, TL_PROFILE_NTIA);
	assert_true(tl_sbom_profile_parse("cisa-2025", &p));
	assert_int_equal(p, TL_PROFILE_CISA_2025);
	assert_true(tl_sbom_profile_parse("bsi-tr-03183", &p));
	assert_int_equal(p, TL_PROFILE_BSI_TR_03183);
	assert_false(tl_sbom_profile_parse("NTIA2", &p));
	assert_false(tl_sbom_profile_parse("", &p));
	assert_false(tl_sbom_profile_parse(NULL, &p));
}

static void test_sbomops__complete_document_passes_every_profile(void **state)
{
	static const tl_sbom_profile all[] = { TL_PROFILE_NTIA, TL_PROFILE_CISA_2025, TL_PROFILE_BSI_TR_03183 };
	tl_sbom *doc = complete_doc();
	size_t missing;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char *r = run_check(doc, all[i], &missing);
		assert_int_equal(missing, 0);
		assert_int_equal(count_lines(r), 1);
		assert_non_null(strstr(r, "all minimum elements present (3 components)"));
		free(r);
	}
	tl_sbom_free(doc);
}

/* ---- one element missing at a time ------------------------------------ */

typedef void (*mutation)(tl_sbom *doc);

static void drop_supplier(tl_sbom *d) { free(openssl_of(d)->supplier); openssl_of(d)->supplier = NULL; }
static void noassert_supplier(tl_sbom *d) { free(openssl_of(d)->supplier); openssl_of(d)->supplier = xstrdup("NOASSERTION"); }
static void drop_version(tl_sbom *d) { free(openssl_of(d)->version); openssl_of(d)->version = NULL; }
static void drop_name(tl_sbom *d) { free(openssl_of(d)->name); openssl_of(d)->name = xstrdup(""); }
static void drop_purl(tl_sbom *d) { free(openssl_of(d)->purl); openssl_of(d)->purl = NULL; }
static void drop_license(tl_sbom *d) { free(openssl_of(d)->license); openssl_of(d)->license = NULL; }
static void drop_timestamp(tl_sbom *d) { d->timestamp = 0; }
static void drop_lifecycle(tl_sbom *d) { free(d->lifecycle); d->lifecycle = NULL; }
static void drop_files(tl_sbom *d)
{
	tl_sbom_component *c = openssl_of(d);
	for (size_t i = 0; i < c->n_files; i++)
		free(c->files[i]);
	free(c->files);
	c->files = NULL;
	c->n_files = 0;
}
/* The only hash becomes SHA-256: any hash is there, SHA-512 is not. */
static void sha256_only(tl_sbom *d)
{
	tl_sbom_component *c = openssl_of(d);
	c->hashes[0].alg = TL_SBOM_HASH_SHA256;
	free(c->hashes[0].hex);
	c->hashes[0].hex = xstrdup(SHA256_A);
}
static void drop_hashes(tl_sbom *d)
{
	tl_sbom_component *c = openssl_of(d);
	for (size_t i = 0; i < c->n_hashes; i++)
		free(c->hashes[i].hex);
	free(c->hashes);
	c->hashes = NULL;
	c->n_hashes = 0;
}
static void drop_tools(tl_sbom *d)
{
	for (size_t i = 0; i < d->n_tools; i++) {
		free(d->tools[i].name);
		free(d->tools[i].vendor);
		free(d->tools[i].version);
	}
	free(d->tools);
	d->tools = NULL;
	d->n_tools = 0;
}
static void drop_authors(tl_sbom *d)
{
	for (size_t i = 0; i < d->n_authors; i++) {
		free(d->authors[i].name);
		free(d->authors[i].email);
	}
	free(d->authors);
	d->authors = NULL;
	d->n_authors = 0;
}
/* No author, tool, supplier or manufacturer: nobody wrote the SBOM data. */
static void drop_all_authors(tl_sbom *d)
{
	drop_authors(d);
	drop_tools(d);
	free(d->supplier);
	free(d->manufacturer);
	d->supplier = d->manufacturer = NULL;
}
/* The author loses the email and there is no manufacturer (BSI creator). */
static void drop_creator_contact(tl_sbom *d)
{
	free(d->authors[0].email);
	d->authors[0].email = NULL;
	free(d->manufacturer);
	d->manufacturer = NULL;
}
/* The subject's edges go: the primary component has no relationship. */
static void drop_subject_edges(tl_sbom *d)
{
	for (size_t i = 0; i < d->n_deps; i++) {
		if (strcmp(d->deps[i].ref, "fw") == 0) {
			for (size_t j = 0; j < d->deps[i].n_deps; j++)
				free(d->deps[i].deps[j]);
			d->deps[i].n_deps = 0;
		}
	}
}
/* A fourth component outside the graph (but otherwise complete). */
static void add_orphan(tl_sbom *d)
{
	complete_component(add_comp(d, "busybox", "busybox", "1.36.1",
	                            "pkg:deb/debian/busybox@1:1.36.1-6?arch=amd64&distro=debian-12"),
	                   "/bin/busybox");
}

typedef struct {
	tl_sbom_profile profile;
	mutation mutate;
	const char *line; /* the one finding expected */
} one_missing;

#define OSSL "component \"openssl\" 3.0.15-1~deb12u1 (" OPENSSL_PURL ")"

static const one_missing cases[] = {
	/* NTIA 2021: supplier, name, version, other identifiers, relationship, author, timestamp */
	{ TL_PROFILE_NTIA, drop_supplier, OSSL ": missing supplier" },
	{ TL_PROFILE_NTIA, noassert_supplier, OSSL ": missing supplier" },
	{ TL_PROFILE_NTIA, drop_name, "component \"\" 3.0.15-1~deb12u1 (" OPENSSL_PURL "): missing name" },
	{ TL_PROFILE_NTIA, drop_version, "component \"openssl\" (" OPENSSL_PURL "): missing version" },
	{ TL_PROFILE_NTIA, drop_purl, "component \"openssl\" 3.0.15-1~deb12u1 (openssl): missing unique identifier (purl or CPE)" },
	{ TL_PROFILE_NTIA, drop_subject_edges, "document: missing dependency relationship of the primary component" },
	{ TL_PROFILE_NTIA, drop_all_authors, "document: missing author of SBOM data" },
	{ TL_PROFILE_NTIA, drop_timestamp, "document: missing timestamp" },
	/* the NTIA author may be a tool alone */
	/* CISA 2025 adds hash, licence, tool name, generation context */
	{ TL_PROFILE_CISA_2025, drop_hashes, OSSL ": missing hash" },
	{ TL_PROFILE_CISA_2025, drop_license, OSSL ": missing licence" },
	{ TL_PROFILE_CISA_2025, drop_tools, "document: missing tool name" },
	{ TL_PROFILE_CISA_2025, drop_lifecycle, "document: missing generation context" },
	{ TL_PROFILE_CISA_2025, drop_supplier, OSSL ": missing supplier" },
	{ TL_PROFILE_CISA_2025, drop_timestamp, "document: missing timestamp" },
	/* BSI TR-03183-2 */
	{ TL_PROFILE_BSI_TR_03183, drop_creator_contact,
	  "document: missing creator of the SBOM (an author with an email, or the manufacturer)" },
	{ TL_PROFILE_BSI_TR_03183, drop_timestamp, "document: missing timestamp" },
	{ TL_PROFILE_BSI_TR_03183, drop_supplier, OSSL ": missing creator (supplier or author)" },
	{ TL_PROFILE_BSI_TR_03183, drop_version, "component \"openssl\" (" OPENSSL_PURL "): missing version" },
	{ TL_PROFILE_BSI_TR_03183, drop_files, OSSL ": missing filename" },
	{ TL_PROFILE_BSI_TR_03183, drop_license, OSSL ": missing licence" },
	{ TL_PROFILE_BSI_TR_03183, sha256_only, OSSL ": missing SHA-512 hash" },
	{ TL_PROFILE_BSI_TR_03183, drop_purl, "component \"openssl\" 3.0.15-1~deb12u1 (openssl): missing unique identifier (purl or CPE)" },
	{ TL_PROFILE_BSI_TR_03183, add_orphan,
	  "component \"busybox\" 1.36.1 (pkg:deb/debian/busybox@1:1.36.1-6?arch=amd64&distro=debian-12): missing dependencies" },
};

static void test_sbomops__check_reports_exactly_the_missing_element(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tl_sbom *doc = complete_doc();
		size_t missing;
		char *r, *nl;

		cases[i].mutate(doc);
		r = run_check(doc, cases[i].profile, &missing);
		if (missing != 1 || count_lines(r) != 2 || strncmp(r, cases[i].line, strlen(cases[i].line)) != 0 ||
		    r[strlen(cases[i].line)] != '\n') {
			print_message("case %zu: expected \"%s\", got:\n%s", i, cases[i].line, r);
			fail();
		}
		nl = strchr(r, '\n');
		assert_non_null(strstr(nl + 1, "1 missing element ("));
		free(r);
		tl_sbom_free(doc);
	}
}

/* Elements a profile does not ask for are not reported by it. */
static void test_sbomops__check_profile_scope(void **state)
{
	tl_sbom *doc = complete_doc();
	size_t missing;
	char *r;

	(void)state;
	drop_hashes(doc);
	drop_license(doc);
	drop_lifecycle(doc);
	drop_files(doc);
	drop_authors(doc); /* the tool and the manufacturer remain */
	r = run_check(doc, TL_PROFILE_NTIA, &missing);
	assert_int_equal(missing, 0);
	free(r);
	r = run_check(doc, TL_PROFILE_CISA_2025, &missing);
	assert_int_equal(missing, 3); /* hash, licence, generation context */
	free(r);
	r = run_check(doc, TL_PROFILE_BSI_TR_03183, &missing);
	assert_int_equal(missing, 3); /* filename, licence, SHA-512 hash */
	assert_non_null(strstr(r, "3 missing elements (1 of 3 components incomplete)"));
	free(r);
	tl_sbom_free(doc);
}

/* An empty document: the document elements, nothing per component. */
static void test_sbomops__check_empty_document(void **state)
{
	tl_sbom *doc;
	size_t missing;
	char *r;

	(void)state;
	assert_int_equal(tl_sbom_new(&doc), TL_OK);
	r = run_check(doc, TL_PROFILE_NTIA, &missing);
	assert_int_equal(missing, 2);
	assert_string_equal(r, "document: missing author of SBOM data\n"
	                       "document: missing timestamp\n"
	                       "ntia: 2 missing elements (0 of 0 components incomplete)\n");
	free(r);
	tl_sbom_free(doc);
}

/*
 * The official CycloneDX 1.6 example (valid-bom-1.6.json), read as it is.
 * What it really lacks, element by element (from the file):
 *   metadata: timestamp, tools (Awesome Tool), authors (Samantha Wright,
 *   with email), supplier and manufacturer "Acme, Inc." are there; no
 *   lifecycles.  The subject "Acme Application" 9.1.1 has no purl or CPE
 *   (a SWID tag only), no supplier of its own (the document supplier
 *   counts for it), no hashes, licence or dependencies entry.
 *   tomcat-catalina 9.0.14: publisher and author, no supplier; purl,
 *     hashes (SHA-512 too), Apache-2.0.
 *   mylibrary 1.0.0: supplier, purl, cpe, hashes, licence expression.
 *   myframework 1.0.0: author only, no supplier; purl, hashes, a licence
 *     by name only ("Some random license").
 *   dependencies: only tomcat-catalina -> mylibrary; the subject has none.
 * NTIA then misses: the primary component's relationship, the subject's
 * identifier, and the suppliers of tomcat-catalina and myframework.
 */
static void test_sbomops__check_official_cyclonedx_example(void **state)
{
	const char *root = getenv("TL_SHARED_DATA");
	char path[4096];
	tl_json_limits lim = { 0, 0 };
	tl_sbom *doc = NULL;
	size_t missing, ntia_missing;
	tl_err err;
	char *r;

	(void)state;
	if (!root)
		skip();
	snprintf(path, sizeof(path), "%s/cyclonedx/test-boms/1.6/valid-bom-1.6.json", root);
	err = tl_sbom_load(&doc, path, &lim);
	if (err == TL_EUNSUPPORTED) {
		print_message("CycloneDX reader not there yet: %s\n", tl_error_last());
		skip();
	}
	assert_int_equal(err, TL_OK);
	r = run_check(doc, TL_PROFILE_NTIA, &missing);
	assert_non_null(strstr(r, "document: missing dependency relationship of the primary component\n"));
	assert_true(line_with(r, "primary component \"Acme Application\" 9.1.1", ": missing unique identifier (purl or CPE)"));
	assert_null(strstr(r, "document: missing timestamp"));
	assert_null(strstr(r, "author of SBOM data"));
	assert_null(strstr(r, "\"mylibrary\" 1.0.0 (pkg:maven/com.example/myapplication@1.0.0?packaging=war): missing"));
	assert_non_null(strstr(r, "component \"myframework\" 1.0.0 (pkg:maven/com.example/myframework@1.0.0?packaging=war): missing supplier\n"));
	/* tomcat-catalina has a publisher, which CycloneDX does not call the
	 * supplier: missing unless the reader maps one to the other */
	ntia_missing = 3 + (strstr(r, "\"tomcat-catalina\" 9.0.14 (pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar): missing supplier\n") != NULL);
	assert_int_equal(missing, ntia_missing);
	free(r);

	/* CISA adds: no lifecycle; the subject has no hash and no licence.
	 * The licence by name of myframework counts only if the reader keeps it. */
	r = run_check(doc, TL_PROFILE_CISA_2025, &missing);
	assert_non_null(strstr(r, "document: missing generation context\n"));
	assert_null(strstr(r, "document: missing tool name"));
	assert_true(line_with(r, "primary component \"Acme Application\" 9.1.1", ": missing hash"));
	assert_true(line_with(r, "primary component \"Acme Application\" 9.1.1", ": missing licence"));
	assert_null(strstr(r, "\"tomcat-catalina\" 9.0.14 (pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar): missing hash"));
	assert_int_equal(missing, ntia_missing + 3);
	free(r);

	/* BSI: the author has an email (the creator is there); no component
	 * lists files, so every filename is missing. */
	r = run_check(doc, TL_PROFILE_BSI_TR_03183, &missing);
	assert_null(strstr(r, "document: missing creator"));
	assert_non_null(strstr(r, "\"mylibrary\" 1.0.0 (pkg:maven/com.example/myapplication@1.0.0?packaging=war): missing filename\n"));
	assert_null(strstr(r, "\"mylibrary\" 1.0.0 (pkg:maven/com.example/myapplication@1.0.0?packaging=war): missing dependencies"));
	assert_null(strstr(r, "\"tomcat-catalina\" 9.0.14 (pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar): missing SHA-512"));
	assert_non_null(strstr(r, "\"myframework\" 1.0.0 (pkg:maven/com.example/myframework@1.0.0?packaging=war): missing dependencies\n"));
	/* the subject: filename, dependencies (not in the graph), licence,
	 * SHA-512, identifier; the three components: filename each;
	 * myframework: dependencies.  Every component has an author or a
	 * supplier (the BSI creator), a version and a licence. */
	assert_int_equal(missing, 9);
	free(r);
	tl_sbom_free(doc);
}

/* ---- diff --------------------------------------------------------------- */

static tl_sbom *new_doc(void)
{
	tl_sbom *doc;
	assert_int_equal(tl_sbom_new(&doc), TL_OK);
	return doc;
}

static void test_sbomops__diff_added_removed_changed(void **state)
{
	tl_sbom *a = new_doc(), *b = new_doc();
	tl_sbom_diff_entry *v = NULL;
	size_t n;

	(void)state;
	add_comp(a, "1", "openssl", "3.0.15-1~deb12u1", OPENSSL_PURL);
	add_comp(a, "2", "busybox", "1:1.36.1-6", "pkg:deb/debian/busybox@1:1.36.1-6?arch=amd64&distro=debian-12");
	add_comp(a, "3", "zlib1g", "1:1.2.13.dfsg-1", ZLIB_PURL);
	add_comp(b, "x", "zlib1g", "1:1.2.13.dfsg-1", ZLIB_PURL);
	add_comp(b, "y", "openssl", "3.0.16-1~deb12u1",
	         "pkg:deb/debian/openssl@3.0.16-1~deb12u1?arch=amd64&distro=debian-12");
	add_comp(b, "z", "curl", "7.88.1-10+deb12u8", "pkg:deb/debian/curl@7.88.1-10+deb12u8?arch=amd64&distro=debian-12");

	assert_int_equal(tl_sbom_diff(&v, &n, a, b), TL_OK);
	assert_int_equal(n, 3);
	/* sorted by name: busybox, curl, openssl */
	assert_int_equal(v[0].kind, TL_DIFF_REMOVED);
	assert_string_equal(v[0].a->name, "busybox");
	assert_null(v[0].b);
	assert_int_equal(v[1].kind, TL_DIFF_ADDED);
	assert_string_equal(v[1].b->name, "curl");
	assert_null(v[1].a);
	assert_int_equal(v[2].kind, TL_DIFF_CHANGED);
	assert_string_equal(v[2].a->version, "3.0.15-1~deb12u1");
	assert_string_equal(v[2].b->version, "3.0.16-1~deb12u1");
	free(v);

	/* the same documents: nothing */
	assert_int_equal(tl_sbom_diff(&v, &n, a, a), TL_OK);
	assert_int_equal(n, 0);
	free(v);
	tl_sbom_free(a);
	tl_sbom_free(b);
}

/* Qualifiers in another order are the same package; another arch is not. */
static void test_sbomops__diff_qualifiers(void **state)
{
	tl_sbom *a = new_doc(), *b = new_doc();
	tl_sbom_diff_entry *v = NULL;
	size_t n;

	(void)state;
	add_comp(a, "1", "openssl", "3.0.15-1~deb12u1", OPENSSL_PURL);
	add_comp(b, "1", "openssl", "3.0.16-1~deb12u1",
	         "pkg:deb/debian/openssl@3.0.16-1~deb12u1?distro=debian-12&arch=amd64");
	add_comp(b, "2", "openssl", "3.0.16-1~deb12u1",
	         "pkg:deb/debian/openssl@3.0.16-1~deb12u1?arch=arm64&distro=debian-12");
	assert_int_equal(tl_sbom_diff(&v, &n, a, b), TL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].kind, TL_DIFF_ADDED);
	assert_non_null(strstr(v[0].b->purl, "arch=arm64"));
	assert_int_equal(v[1].kind, TL_DIFF_CHANGED);
	assert_non_null(strstr(v[1].b->purl, "arch=amd64"));
	free(v);
	tl_sbom_free(a);
	tl_sbom_free(b);
}

static void test_sbomops__diff_multiple_versions(void **state)
{
	tl_sbom *a = new_doc(), *b = new_doc(), *c = new_doc();
	tl_sbom_diff_entry *v = NULL;
	size_t n;

	(void)state;
	/* a: libfoo 1.0 and 2.0; b: the same two, listed the other way round */
	add_comp(a, "1", "libfoo", "1.0", "pkg:generic/libfoo@1.0");
	add_comp(a, "2", "libfoo", "2.0", "pkg:generic/libfoo@2.0");
	add_comp(b, "1", "libfoo", "2.0", "pkg:generic/libfoo@2.0");
	add_comp(b, "2", "libfoo", "1.0", "pkg:generic/libfoo@1.0");
	assert_int_equal(tl_sbom_diff(&v, &n, a, b), TL_OK);
	assert_int_equal(n, 0);
	free(v);

	/* c: 2.0 kept, 1.0 replaced by 3.0: one change 1.0 -> 3.0, nothing else */
	add_comp(c, "1", "libfoo", "3.0", "pkg:generic/libfoo@3.0");
	add_comp(c, "2", "libfoo", "2.0", "pkg:generic/libfoo@2.0");
	assert_int_equal(tl_sbom_diff(&v, &n, a, c), TL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].kind, TL_DIFF_CHANGED);
	assert_string_equal(v[0].a->version, "1.0");
	assert_string_equal(v[0].b->version, "3.0");
	free(v);

	/* a third version appears: added, the two others unchanged */
	add_comp(b, "3", "libfoo", "4.0", "pkg:generic/libfoo@4.0");
	assert_int_equal(tl_sbom_diff(&v, &n, a, b), TL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].kind, TL_DIFF_ADDED);
	assert_string_equal(v[0].b->version, "4.0");
	free(v);
	tl_sbom_free(a);
	tl_sbom_free(b);
	tl_sbom_free(c);
}

static void test_sbomops__diff_without_purl(void **state)
{
	tl_sbom *a = new_doc(), *b = new_doc();
	tl_sbom_diff_entry *v = NULL;
	tl_sbom_component *c;
	size_t n;

	(void)state;
	add_comp(a, "1", "libgcc", "12.2.0", NULL);
	c = add_comp(a, "2", "u-boot", "2023.01", NULL);
	c->type = TL_COMP_FIRMWARE;
	add_comp(a, "3", "mylib", "1.0", NULL)->group = xstrdup("org.example");
	add_comp(b, "1", "libgcc", "13.1.0", NULL);
	c = add_comp(b, "2", "u-boot", "2023.01", NULL); /* a library now: another key */
	add_comp(b, "3", "mylib", "1.0", NULL)->group = xstrdup("com.example");
	assert_int_equal(tl_sbom_diff(&v, &n, a, b), TL_OK);
	assert_int_equal(n, 5);
	assert_int_equal(v[0].kind, TL_DIFF_CHANGED); /* libgcc */
	assert_string_equal(v[0].b->version, "13.1.0");
	assert_int_equal(v[1].kind, TL_DIFF_ADDED);   /* mylib com.example */
	assert_string_equal(v[1].b->group, "com.example");
	assert_int_equal(v[2].kind, TL_DIFF_REMOVED); /* mylib org.example */
	assert_string_equal(v[2].a->group, "org.example");
	assert_int_equal(v[3].kind, TL_DIFF_ADDED);   /* u-boot library */
	assert_int_equal(v[3].b->type, TL_COMP_LIBRARY);
	assert_int_equal(v[4].kind, TL_DIFF_REMOVED); /* u-boot firmware */
	assert_int_equal(v[4].a->type, TL_COMP_FIRMWARE);
	free(v);
	tl_sbom_free(a);
	tl_sbom_free(b);
}

/* ---- merge -------------------------------------------------------------- */

static const tl_sbom_component *find_name_version(const tl_sbom *d, const char *name, const char *version)
{
	for (size_t i = 0; i < d->n_components; i++) {
		if (!strcmp(d->components[i].name, name) && !strcmp(d->components[i].version, version))
			return &d->components[i];
	}
	return NULL;
}

static bool has_edge(const tl_sbom *d, const char *from, const char *to)
{
	for (size_t i = 0; i < d->n_deps; i++) {
		if (strcmp(d->deps[i].ref, from) != 0)
			continue;
		for (size_t j = 0; j < d->deps[i].n_deps; j++) {
			if (!strcmp(d->deps[i].deps[j], to))
				return true;
		}
	}
	return false;
}

static size_t count_edges(const tl_sbom *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n_deps; i++)
		n += d->deps[i].n_deps;
	return n;
}

static void test_sbomops__merge_dedup_and_edges(void **state)
{
	tl_sbom *a = complete_doc(), *b = new_doc(), *m = NULL;
	tl_sbom *docs[2];
	tl_sbom_component *c;
	const tl_sbom_component *k;

	(void)state;
	free(a->serial);
	a->serial = xstrdup("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79");
	/* b: a later scan of the same image: openssl again under another ref,
	 * with a SHA-256 and another file; and a new component, dropbear */
	b->timestamp = a->timestamp + 3600;
	assert_int_equal(tl_sbom_add_tool(b, "trustline", "trustline", "0.1.0"), TL_OK); /* same tool */
	assert_int_equal(tl_sbom_add_tool(b, "anchore", "syft", "1.18.1"), TL_OK);
	c = add_comp(b, "pkg:deb/openssl", "openssl", "3.0.15-1~deb12u1", OPENSSL_PURL);
	assert_int_equal(tl_sbom_component_add_hash(c, TL_SBOM_HASH_SHA256, SHA256_A), TL_OK);
	assert_int_equal(tl_sbom_component_add_hash(c, TL_SBOM_HASH_SHA512, SHA512_A), TL_OK); /* same */
	assert_int_equal(tl_sbom_component_add_file(c, "/usr/bin/openssl"), TL_OK);
	c->copyright = xstrdup("Copyright The OpenSSL Project Authors");
	add_comp(b, "pkg:deb/dropbear", "dropbear-bin", "2022.83-1+deb12u1",
	         "pkg:deb/debian/dropbear-bin@2022.83-1+deb12u1?arch=amd64&distro=debian-12");
	assert_int_equal(tl_sbom_add_dependency(b, "pkg:deb/dropbear", "pkg:deb/openssl"), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(b, "pkg:deb/openssl", "pkg:deb/openssl"), TL_OK);

	docs[0] = a;
	docs[1] = b;
	assert_int_equal(tl_sbom_merge(&m, docs, 2), TL_OK);
	assert_null(m->serial);
	assert_int_equal(m->timestamp, b->timestamp);
	assert_non_null(m->subject);
	assert_string_equal(m->subject->name, "gateway-fw");
	assert_int_equal(m->n_components, 3); /* openssl, zlib1g, dropbear-bin */
	assert_int_equal(m->n_tools, 2);
	assert_int_equal(m->n_authors, 1);

	k = find_name_version(m, "openssl", "3.0.15-1~deb12u1");
	assert_non_null(k);
	assert_string_equal(k->ref, "openssl");          /* the first one's ref */
	assert_int_equal(k->n_hashes, 2);                 /* SHA-512 once, SHA-256 */
	assert_int_equal(k->n_files, 2);
	assert_string_equal(k->copyright, "Copyright The OpenSSL Project Authors");
	assert_string_equal(k->supplier, "Debian");

	/* a's three edges, plus dropbear -> openssl rewritten; the self-edge gone */
	assert_int_equal(count_edges(m), 4);
	assert_true(has_edge(m, "fw", "openssl"));
	assert_true(has_edge(m, "fw", "zlib"));
	assert_true(has_edge(m, "openssl", "zlib"));
	assert_true(has_edge(m, "pkg:deb/dropbear", "openssl"));
	assert_false(has_edge(m, "openssl", "openssl"));
	tl_sbom_free(m);
	tl_sbom_free(a);
	tl_sbom_free(b);
}

static void test_sbomops__merge_ref_clash(void **state)
{
	tl_sbom *a = new_doc(), *b = new_doc(), *c = new_doc(), *m = NULL;
	tl_sbom *docs[3];
	const tl_sbom_component *k;

	(void)state;
	/* three documents, each calling its first component "c1": different
	 * packages, so the later ones are renamed c1-2 and c1-3 */
	add_comp(a, "c1", "busybox", "1.36.1", "pkg:generic/busybox@1.36.1");
	add_comp(a, "c2", "musl", "1.2.4", "pkg:generic/musl@1.2.4");
	assert_int_equal(tl_sbom_add_dependency(a, "c1", "c2"), TL_OK);
	add_comp(b, "c1", "dropbear", "2022.83", "pkg:generic/dropbear@2022.83");
	add_comp(b, "c2", "musl", "1.2.4", "pkg:generic/musl@1.2.4"); /* same as a's c2 */
	assert_int_equal(tl_sbom_add_dependency(b, "c1", "c2"), TL_OK);
	add_comp(c, "c1", "dnsmasq", "2.89", NULL);
	add_comp(c, "c1-2", "hostapd", "2.10", NULL); /* b's dropbear took "c1-2" first */
	assert_int_equal(tl_sbom_add_dependency(c, "c1", "c1-2"), TL_OK);

	docs[0] = a;
	docs[1] = b;
	docs[2] = c;
	assert_int_equal(tl_sbom_merge(&m, docs, 3), TL_OK);
	assert_null(m->subject);
	assert_int_equal(m->n_components, 5);
	k = find_name_version(m, "busybox", "1.36.1");
	assert_string_equal(k->ref, "c1");
	k = find_name_version(m, "dropbear", "2022.83");
	assert_string_equal(k->ref, "c1-2");
	k = find_name_version(m, "dnsmasq", "2.89");
	assert_string_equal(k->ref, "c1-3");
	k = find_name_version(m, "hostapd", "2.10");
	assert_string_equal(k->ref, "c1-2-2"); /* "c1-2" was taken by dropbear */
	k = find_name_version(m, "musl", "1.2.4");
	assert_string_equal(k->ref, "c2");

	assert_int_equal(count_edges(m), 3);
	assert_true(has_edge(m, "c1", "c2"));
	assert_true(has_edge(m, "c1-2", "c2"));
	assert_true(has_edge(m, "c1-3", "c1-2-2"));
	tl_sbom_free(m);
	tl_sbom_free(a);
	tl_sbom_free(b);
	tl_sbom_free(c);
}

/* Without purls, type+group+name+version decide; version differs: kept apart. */
static void test_sbomops__merge_without_purl(void **state)
{
	tl_sbom *a = new_doc(), *b = new_doc(), *m = NULL;
	tl_sbom *docs[2];

	(void)state;
	add_comp(a, "k", "linux", "6.1.0", NULL);
	add_comp(b, "k", "linux", "6.1.0", NULL)->license = xstrdup("GPL-2.0-only");
	add_comp(b, "k2", "linux", "6.6.0", NULL);
	docs[0] = a;
	docs[1] = b;
	assert_int_equal(tl_sbom_merge(&m, docs, 2), TL_OK);
	assert_int_equal(m->n_components, 2);
	assert_string_equal(find_name_version(m, "linux", "6.1.0")->license, "GPL-2.0-only");
	assert_string_equal(find_name_version(m, "linux", "6.1.0")->ref, "k");
	assert_string_equal(find_name_version(m, "linux", "6.6.0")->ref, "k2");
	tl_sbom_free(m);
	tl_sbom_free(a);
	tl_sbom_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sbomops__profile_parse),
		cmocka_unit_test(test_sbomops__complete_document_passes_every_profile),
		cmocka_unit_test(test_sbomops__check_reports_exactly_the_missing_element),
		cmocka_unit_test(test_sbomops__check_profile_scope),
		cmocka_unit_test(test_sbomops__check_empty_document),
		cmocka_unit_test(test_sbomops__check_official_cyclonedx_example),
		cmocka_unit_test(test_sbomops__diff_added_removed_changed),
		cmocka_unit_test(test_sbomops__diff_qualifiers),
		cmocka_unit_test(test_sbomops__diff_multiple_versions),
		cmocka_unit_test(test_sbomops__diff_without_purl),
		cmocka_unit_test(test_sbomops__merge_dedup_and_edges),
		cmocka_unit_test(test_sbomops__merge_ref_clash),
		cmocka_unit_test(test_sbomops__merge_without_purl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
