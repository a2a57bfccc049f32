/*
 * Unit tests of the SPDX 2.2/2.3 JSON reader and the SPDX 2.3 writer.
 *
 * Expected values come from the input files themselves (the official SPDX
 * examples under $TL_SHARED_DATA/spdx, read here with jansson directly) or
 * from documents the tests build by hand; every written document is also
 * checked against the official SPDX 2.3 schema.  The round trip through
 * CycloneDX uses the official CycloneDX 1.6 test BOMs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <jansson.h>

#include "trustline/sbom.h"
#include "sbom/read_int.h"

/* ---- helpers ----------------------------------------------------------- */

typedef struct {
	char **v;
	size_t n;
} strlist;

static void strlist_add(strlist *l, const char *s)
{
	char **p = realloc(l->v, (l->n + 1) * sizeof(*p));
	assert_non_null(p);
	l->v = p;
	l->v[l->n] = strdup(s);
	assert_non_null(l->v[l->n]);
	l->n++;
}

static void strlist_free(strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Every file under dir whose name ends in suffix, sorted; skips "schema". */
static void find_files(strlist *out, const char *dir, const char *prefix, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		if (e->d_name[0] == '.' || strcmp(e->d_name, "schema") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			find_files(out, path, prefix, suffix);
		else if (ends_with(e->d_name, suffix) && strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			strlist_add(out, path);
	}
	closedir(d);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_strp);
}

static const char *shared(void)
{
	const char *s = getenv("TL_SHARED_DATA");
	return s ? s : "../shared/data";
}

static void shared_path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", shared(), rel);
}

static json_t *load(const char *path)
{
	json_t *root = NULL;
	tl_err err = tl_json_load_file(&root, path, NULL);
	if (err)
		fail_msg("%s: %s", path, tl_error_last());
	return root;
}

static tl_sbom *read_spdx_file(const char *path, json_t **root_out)
{
	json_t *root = load(path);
	tl_sbom *doc = NULL;
	tl_err err = tl_sbom_read_spdx(&doc, root, path);

	if (err)
		fail_msg("%s: %s", path, tl_error_last());
	if (root_out)
		*root_out = root;
	else
		json_decref(root);
	return doc;
}

static tl_err read_spdx_text(const char *text, tl_sbom **out)
{
	json_t *root = NULL;
	tl_err err = tl_json_parse(&root, text, strlen(text), "t.json", NULL);

	*out = NULL;
	if (err)
		return err;
	err = tl_sbom_read_spdx(out, root, "t.json");
	json_decref(root);
	return err;
}

/* Writes doc as SPDX, checks it against the official schema, parses it. */
static json_t *write_valid(tl_sbom *doc, tl_buf *text)
{
	tl_buf errors = TL_BUF_INIT;
	json_t *root = NULL;
	tl_err err;

	tl_buf_clear(text);
	err = tl_sbom_write_spdx(text, doc, NULL);
	if (err)
		fail_msg("write: %s", tl_error_last());
	assert_true(text->len > 0 && text->ptr[text->len - 1] == '\n');
	assert_int_equal(tl_json_parse(&root, text->ptr, text->len, "out.json", NULL), TL_OK);
	err = tl_schema_validate(root, TL_SCHEMA_SPDX_2_3, &errors);
	if (err)
		fail_msg("written SPDX fails the schema (%s): %s\n%s", tl_err_name(err), tl_error_last(),
		         errors.ptr ? errors.ptr : "");
	tl_buf_dispose(&errors);
	return root;
}

static tl_sbom *reread(tl_sbom *doc, tl_buf *text)
{
	json_t *root = write_valid(doc, text);
	tl_sbom *back = NULL;

	if (tl_sbom_read_spdx(&back, root, "out.json") != TL_OK)
		fail_msg("re-read: %s\n%s", tl_error_last(), text->ptr);
	json_decref(root);
	return back;
}

static void assert_str_eq_null(const char *a, const char *b)
{
	if (!a || !b) {
		if (a != b)
			fail_msg("\"%s\" != \"%s\"", a ? a : "(null)", b ? b : "(null)");
		return;
	}
	assert_string_equal(a, b);
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static tl_sbom_component *find_comp(tl_sbom *doc, const char *ref)
{
	tl_sbom_component *c = tl_sbom_find_ref(doc, ref);
	if (!c)
		fail_msg("no component with ref %s", ref);
	return c;
}

static bool has_edge(const tl_sbom *doc, const char *from, const char *to)
{
	for (size_t i = 0; i < doc->n_deps; i++) {
		if (strcmp(doc->deps[i].ref, from) != 0)
			continue;
		for (size_t k = 0; k < doc->deps[i].n_deps; k++) {
			if (strcmp(doc->deps[i].deps[k], to) == 0)
				return true;
		}
	}
	return false;
}

static size_t n_edges(const tl_sbom *doc)
{
	size_t n = 0;
	for (size_t i = 0; i < doc->n_deps; i++)
		n += doc->deps[i].n_deps;
	return n;
}

static bool is_pkg(const json_t *root, const char *id)
{
	json_t *pkgs = json_object_get(root, "packages");
	for (size_t i = 0; i < json_array_size(pkgs); i++) {
		if (strcmp(jstr(json_array_get(pkgs, i), "SPDXID"), id) == 0)
			return true;
	}
	return false;
}

static const char *spdx_alg_name(tl_sbom_hash_alg alg)
{
	static const char *const names[] = {
		"MD5", "SHA1", "SHA256", "SHA384", "SHA512", "SHA3-256", "SHA3-384", "SHA3-512",
		"BLAKE2b-256", "BLAKE2b-384", "BLAKE2b-512", "BLAKE3",
	};
	return (unsigned)alg < sizeof(names) / sizeof(names[0]) ? names[alg] : "?";
}

static bool none(const char *s)
{
	return !s || strcmp(s, "NOASSERTION") == 0 || strcmp(s, "NONE") == 0;
}

/*
 * Checks every package of an SPDX JSON document against the component
 * the reader made of it, with the values taken from the JSON.
 */
static void check_packages_against_json(const json_t *root, tl_sbom *doc, const char *path)
{
	json_t *pkgs = json_object_get(root, "packages");

	assert_int_equal(json_array_size(pkgs), doc->n_components + (doc->subject != NULL));
	for (size_t i = 0; i < json_array_size(pkgs); i++) {
		json_t *p = json_array_get(pkgs, i), *cks = json_object_get(p, "checksums");
		json_t *refs = json_object_get(p, "externalRefs");
		tl_sbom_component *c = find_comp(doc, jstr(p, "SPDXID"));
		const char *lic = jstr(p, "licenseConcluded"), *purl = NULL;
		size_t known = 0;

		assert_str_eq_null(c->name, jstr(p, "name"));
		assert_str_eq_null(c->version, jstr(p, "versionInfo"));
		if (none(lic))
			lic = jstr(p, "licenseDeclared");
		assert_str_eq_null(c->license, none(lic) ? NULL : lic);
		for (size_t k = 0; k < json_array_size(cks); k++) {
			json_t *ck = json_array_get(cks, k);
			bool found = false;
			for (size_t h = 0; h < c->n_hashes; h++) {
				if (strcmp(spdx_alg_name(c->hashes[h].alg), jstr(ck, "algorithm")) == 0 &&
				    strcmp(c->hashes[h].hex, jstr(ck, "checksumValue")) == 0)
					found = true;
			}
			if (!found)
				fail_msg("%s: %s: checksum %s missing", path, c->name, jstr(ck, "algorithm"));
			known++;
		}
		assert_int_equal(c->n_hashes, known);
		for (size_t k = 0; k < json_array_size(refs); k++) {
			json_t *r = json_array_get(refs, k);
			if (!purl && strcmp(jstr(r, "referenceType"), "purl") == 0)
				purl = jstr(r, "referenceLocator");
		}
		assert_str_eq_null(c->purl, purl);
	}
}

/* ---- reading the official examples -------------------------------------- */

static void test_spdx__reads_every_example(void **state)
{
	strlist files = { 0 };
	char dir[4096];
	tl_buf text = TL_BUF_INIT;

	(void)state;
	shared_path(dir, sizeof(dir), "spdx");
	find_files(&files, dir, "", ".json");
	/* 3 OSS-NA-2023, 8 from spdx-examples, the spec example */
	assert_true(files.n >= 12);
	for (size_t i = 0; i < files.n; i++) {
		json_t *root;
		tl_sbom *doc = read_spdx_file(files.v[i], &root), *back;

		check_packages_against_json(root, doc, files.v[i]);
		/* and what we write from it reads back with the same packages */
		back = reread(doc, &text);
		assert_int_equal(back->n_components, doc->n_components);
		assert_int_equal(back->subject != NULL, doc->subject != NULL);
		assert_int_equal(n_edges(back), n_edges(doc));
		tl_sbom_free(back);
		tl_sbom_free(doc);
		json_decref(root);
	}
	tl_buf_dispose(&text);
	strlist_free(&files);
}

static void test_spdx__spec_example_values(void **state)
{
	char path[4096];
	json_t *root;
	tl_sbom *doc;
	tl_sbom_component *glibc;
	int64_t created;

	(void)state;
	shared_path(path, sizeof(path), "spdx/spec-examples-2.3/SPDXJSONExample-v2.3.spdx.json");
	doc = read_spdx_file(path, &root);
	assert_string_equal(doc->name, jstr(root, "name"));
	/* documentNamespace ".../spdx-example-444504E0-4F89-41D3-9A0C-0305E82C3301" */
	assert_string_equal(doc->serial, "urn:uuid:444504e0-4f89-41d3-9a0c-0305e82c3301");
	/* "created" : "2010-01-29T18:30:22Z" */
	assert_int_equal(doc->timestamp, 1264789822);
	assert_int_equal(tl_time_parse(&created, jstr(json_object_get(root, "creationInfo"), "created")), TL_OK);
	assert_int_equal(doc->timestamp, created);
	/* "Tool: LicenseFind-1.0", "Organization: ExampleCodeInspect ()", "Person: Jane Doe ()" */
	assert_int_equal(doc->n_tools, 1);
	assert_string_equal(doc->tools[0].name, "LicenseFind");
	assert_string_equal(doc->tools[0].version, "1.0");
	assert_int_equal(doc->n_authors, 1);
	assert_string_equal(doc->authors[0].name, "Jane Doe");
	assert_null(doc->authors[0].email);
	assert_string_equal(doc->supplier, "ExampleCodeInspect");
	/* documentDescribes: SPDXRef-File (a file) and SPDXRef-Package: one package */
	assert_non_null(doc->subject);
	glibc = doc->subject;
	assert_string_equal(glibc->ref, "SPDXRef-Package");
	assert_string_equal(glibc->name, "glibc");
	assert_string_equal(glibc->version, "2.11.1");
	assert_string_equal(glibc->license, "(LGPL-2.0-only OR LicenseRef-3)");
	assert_string_equal(glibc->copyright, "Copyright 2008-2010 John Smith");
	assert_string_equal(glibc->supplier, "Jane Doe");
	assert_string_equal(doc->manufacturer, "ExampleCodeInspect");
	assert_string_equal(glibc->cpe, "cpe:2.3:a:pivotal_software:spring_framework:4.1.0:*:*:*:*:*:*:*");
	/* four checksums, BLAKE2b-384 among them */
	assert_int_equal(glibc->n_hashes, 4);
	/* hasFiles lists four distinct files, some several times */
	assert_int_equal(glibc->n_files, 4);
	for (size_t i = 0; i < glibc->n_files; i++) {
		assert_true(strcmp(glibc->files[i], "./docs/myspec.pdf") == 0 ||
		            strcmp(glibc->files[i], "./lib-source/commons-lang3-3.1-sources.jar") == 0 ||
		            strcmp(glibc->files[i], "./lib-source/jena-2.6.3-sources.jar") == 0 ||
		            strcmp(glibc->files[i], "./src/org/spdx/parser/DOAPProject.java") == 0);
	}
	/* SPDXRef-Package DYNAMIC_LINK SPDXRef-Saxon */
	assert_true(has_edge(doc, "SPDXRef-Package", "SPDXRef-Saxon"));
	assert_int_equal(n_edges(doc), 1);
	assert_string_equal(find_comp(doc, "SPDXRef-fromDoap-0")->purl, "pkg:maven/org.apache.jena/apache-jena@3.12.0");
	assert_null(find_comp(doc, "SPDXRef-fromDoap-1")->license); /* NOASSERTION twice */
	assert_null(find_comp(doc, "SPDXRef-fromDoap-1")->copyright);
	assert_string_equal(find_comp(doc, "SPDXRef-Saxon")->license, "MPL-1.0");
	tl_sbom_free(doc);
	json_decref(root);
}

/* Every dependency relationship between packages, in the JSON, is an edge. */
static void check_relationship_edges(const char *rel)
{
	char path[4096];
	json_t *root, *rels;
	tl_sbom *doc;
	size_t expect = 0;

	shared_path(path, sizeof(path), rel);
	doc = read_spdx_file(path, &root);
	rels = json_object_get(root, "relationships");
	for (size_t i = 0; i < json_array_size(rels); i++) {
		json_t *r = json_array_get(rels, i);
		const char *a = jstr(r, "spdxElementId"), *t = jstr(r, "relationshipType");
		const char *b = jstr(r, "relatedSpdxElement");
		if (!is_pkg(root, a) || !is_pkg(root, b))
			continue;
		if (strcmp(t, "DEPENDS_ON") == 0 || strcmp(t, "DYNAMIC_LINK") == 0 ||
		    strcmp(t, "STATIC_LINK") == 0 || strcmp(t, "CONTAINS") == 0) {
			assert_true(has_edge(doc, a, b));
			expect++;
		} else if (strcmp(t, "DEPENDENCY_OF") == 0 || strcmp(t, "RUNTIME_DEPENDENCY_OF") == 0 ||
		           strcmp(t, "CONTAINED_BY") == 0) {
			assert_true(has_edge(doc, b, a));
			expect++;
		}
	}
	assert_true(expect > 0);
	assert_int_equal(n_edges(doc), expect);
	tl_sbom_free(doc);
	json_decref(root);
}

static void test_spdx__relationships_become_edges(void **state)
{
	(void)state;
	/* three DEPENDS_ON from hello-server-src */
	check_relationship_edges("spdx/examples-2.x/software/example11/spdx2.3/sbom.spdx.json");
	/* DEPENDENCY_OF, inverted */
	check_relationship_edges("spdx/examples-2.x/software/example9/spdx2.2/appbomination.spdx.json");
	check_relationship_edges("spdx/examples-2.x/presentations/OSS-NA-2023/SPDXVersion2.3/03-SBOMwDependency.json");
}

static void test_spdx__files_by_contains(void **state)
{
	char path[4096];
	tl_sbom *doc;

	(void)state;
	/* SPDXRef-Package CONTAINS SPDXRef-Source, fileName "./src/tools-java-1.1.5-sources.zip"? read it */
	shared_path(path, sizeof(path), "spdx/examples-2.x/presentations/OSS-NA-2023/SPDXVersion2.3/02-SBOMwSource.json");
	{
		json_t *root;
		json_t *files, *rels;
		const char *fname = NULL, *fid;
		doc = read_spdx_file(path, &root);
		files = json_object_get(root, "files");
		rels = json_object_get(root, "relationships");
		fid = jstr(json_array_get(files, 0), "SPDXID");
		for (size_t i = 0; i < json_array_size(rels); i++) {
			json_t *r = json_array_get(rels, i);
			if (strcmp(jstr(r, "relationshipType"), "CONTAINS") == 0 &&
			    strcmp(jstr(r, "relatedSpdxElement"), fid) == 0)
				fname = jstr(json_array_get(files, 0), "fileName");
		}
		assert_non_null(fname);
		assert_non_null(doc->subject);
		assert_int_equal(doc->subject->n_files, 1);
		assert_string_equal(doc->subject->files[0], fname);
		json_decref(root);
	}
	tl_sbom_free(doc);
}

/* tests/data/spdx/relationships-2.2.spdx.json: a hand-written SPDX 2.2
 * document with every relationship and agent form the reader maps. */
static void test_spdx__fixture_mapping(void **state)
{
	char path[4096];
	const char *dir = getenv("TL_TEST_DATA");
	tl_sbom *doc;
	tl_sbom_component *c;

	(void)state;
	snprintf(path, sizeof(path), "%s/spdx/relationships-2.2.spdx.json", dir ? dir : "tests/data");
	doc = read_spdx_file(path, NULL);
	assert_string_equal(doc->name, "router-fw-relationships");
	assert_string_equal(doc->serial, "urn:uuid:0b7a3b5e-5c1f-4d6e-9a4b-2f6c1d8e9a10");
	assert_int_equal(doc->timestamp, 1709290800); /* 2024-03-01T12:00:00+01:00 */
	assert_int_equal(doc->n_tools, 2);
	assert_string_equal(doc->tools[0].name, "fwbuild");
	assert_string_equal(doc->tools[0].version, "2.1.0-rc1");
	assert_string_equal(doc->tools[1].name, "sigs.k8s.io/bom/pkg/spdx");
	assert_null(doc->tools[1].version);
	assert_int_equal(doc->n_authors, 1);
	assert_string_equal(doc->authors[0].name, "Alice Example");
	assert_string_equal(doc->authors[0].email, "alice@example.org");
	assert_string_equal(doc->supplier, "Example Routers (Europe)");
	assert_string_equal(doc->manufacturer, "Example Manufacturing");
	c = doc->subject;
	assert_non_null(c);
	assert_string_equal(c->ref, "SPDXRef-fw");
	assert_int_equal(c->type, TL_COMP_FIRMWARE);
	assert_string_equal(c->supplier, "Example Routers");
	assert_string_equal(c->description, "Router firmware");
	assert_int_equal(c->n_files, 2); /* hasFiles (twice the same) and one annotation */
	assert_true((strcmp(c->files[0], "./sbin/init") == 0 && strcmp(c->files[1], "/etc/fw-release") == 0) ||
	            (strcmp(c->files[1], "./sbin/init") == 0 && strcmp(c->files[0], "/etc/fw-release") == 0));
	assert_int_equal(doc->n_components, 4);
	c = find_comp(doc, "SPDXRef-busybox");
	assert_int_equal(c->type, TL_COMP_APPLICATION);
	assert_string_equal(c->supplier, "Erik Andersen");
	assert_string_equal(c->license, "GPL-2.0-only"); /* concluded NONE: the declared one */
	assert_null(c->copyright);
	assert_int_equal(c->n_hashes, 1); /* SHA224 and MD2 are not in the model */
	assert_int_equal(c->hashes[0].alg, TL_SBOM_HASH_SHA256);
	assert_string_equal(c->hashes[0].hex, "b3254b9b1cd5e4b47c4e7f5c8e2a5b1e7a2d42f3d2b7c9e91f6c5b1a9e8d7c6b");
	assert_string_equal(c->purl, "pkg:generic/busybox@1.36.1");
	assert_string_equal(c->cpe, "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*");
	assert_int_equal(c->n_files, 1);
	assert_string_equal(c->files[0], "./bin/busybox");
	c = find_comp(doc, "SPDXRef-musl");
	assert_string_equal(c->license, "MIT");
	assert_string_equal(c->author, "Rich Felker");
	assert_int_equal(c->n_files, 1);
	assert_string_equal(c->files[0], "./lib/ld-musl-armhf.so.1");
	assert_int_equal(find_comp(doc, "SPDXRef-zlib")->type, TL_COMP_LIBRARY); /* SOURCE */
	assert_true(has_edge(doc, "SPDXRef-fw", "SPDXRef-busybox"));      /* CONTAINS */
	assert_true(has_edge(doc, "SPDXRef-busybox", "SPDXRef-musl"));    /* DEPENDENCY_OF */
	assert_true(has_edge(doc, "SPDXRef-dropbear", "SPDXRef-zlib"));   /* RUNTIME_DEPENDENCY_OF, STATIC_LINK */
	assert_true(has_edge(doc, "SPDXRef-fw", "SPDXRef-dropbear"));     /* CONTAINED_BY */
	assert_int_equal(n_edges(doc), 4);                                /* BUILD_DEPENDENCY_OF is not one */
	assert_int_equal(doc->n_deps, 4);                                 /* musl DEPENDS_ON NONE: a node */
	tl_sbom_free(doc);
}

/* ---- write -> read ------------------------------------------------------ */

#define SHA1_X "85ed0817af83a24ad8da68c2b5094de69833983c"
#define SHA256_X "11b6d3ee554eedf79299905a98f9b9a04e498210b59f15094c916c91d150efcd"

static char *xdup(const char *s)
{
	char *p = strdup(s);
	assert_non_null(p);
	return p;
}

static tl_sbom_component *comp(tl_sbom *doc, const char *ref, const char *name, const char *version)
{
	tl_sbom_component *c;
	assert_int_equal(tl_sbom_add_component(doc, &c), TL_OK);
	c->ref = xdup(ref);
	c->name = xdup(name);
	if (version)
		c->version = xdup(version);
	return c;
}

/* A firmware SBOM using every field SPDX can hold. */
static tl_sbom *full_doc(bool reversed)
{
	static const char *const hexes[] = {
		"624c1abb3664f4b35547e7c73864ad24",
		SHA1_X,
		SHA256_X,
	};
	tl_sbom *doc;
	tl_sbom_component *c;

	assert_int_equal(tl_sbom_new(&doc), TL_OK);
	doc->serial = xdup("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79");
	doc->name = xdup("gateway firmware 2.4.0");
	doc->timestamp = 1700000000;
	doc->supplier = xdup("Acme Devices (Europe)");
	doc->manufacturer = xdup("Acme Manufacturing");
	assert_int_equal(tl_sbom_add_tool(doc, NULL, "trustline", "0.1.0"), TL_OK);
	assert_int_equal(tl_sbom_add_tool(doc, NULL, "mkfw", NULL), TL_OK);
	assert_int_equal(tl_sbom_add_author(doc, "Jane Doe", "jane@example.com"), TL_OK);
	assert_int_equal(tl_sbom_add_author(doc, "Build Bot", NULL), TL_OK);
	doc->subject = calloc(1, sizeof(*doc->subject));
	assert_non_null(doc->subject);
	doc->subject->ref = xdup("SPDXRef-gateway");
	doc->subject->name = xdup("gateway-fw");
	doc->subject->version = xdup("2.4.0");
	doc->subject->type = TL_COMP_FIRMWARE;
	doc->subject->supplier = xdup("Acme");
	assert_int_equal(tl_sbom_component_add_hash(doc->subject, TL_SBOM_HASH_SHA256, SHA256_X), TL_OK);
	for (int k = 0; k < 3; k++) {
		int i = reversed ? 2 - k : k;
		if (i == 0) {
			c = comp(doc, "SPDXRef-openssl", "openssl", "3.0.15-1~deb12u1");
			c->purl = xdup("pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64");
			c->cpe = xdup("cpe:2.3:a:openssl:openssl:3.0.15:*:*:*:*:*:*:*");
			c->license = xdup("Apache-2.0");
			c->copyright = xdup("Copyright (c) 1998-2024 The OpenSSL Project");
			c->description = xdup("TLS library");
			c->supplier = xdup("Debian");
			c->author = xdup("The OpenSSL Project");
			for (int h = 0; h <= (int)TL_SBOM_HASH_BLAKE3; h++)
				assert_int_equal(tl_sbom_component_add_hash(c, (tl_sbom_hash_alg)h, hexes[h % 3]), TL_OK);
			assert_int_equal(tl_sbom_component_add_file(c, "/usr/lib/libssl.so.3"), TL_OK);
			assert_int_equal(tl_sbom_component_add_file(c, "/usr/lib/libcrypto.so.3"), TL_OK);
		} else if (i == 1) {
			c = comp(doc, "SPDXRef-zlib", "zlib", "1.3");
			c->type = TL_COMP_LIBRARY;
			c->license = xdup("Zlib");
		} else {
			c = comp(doc, "SPDXRef-busybox", "busybox", "1.36.1");
			c->type = TL_COMP_APPLICATION;
			c->license = xdup("GPL-2.0-only");
			c->purl = xdup("pkg:generic/busybox@1.36.1");
		}
	}
	assert_int_equal(tl_sbom_add_dependency(doc, "SPDXRef-gateway", "SPDXRef-openssl"), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(doc, "SPDXRef-gateway", "SPDXRef-busybox"), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(doc, "SPDXRef-openssl", "SPDXRef-zlib"), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(doc, "SPDXRef-zlib", NULL), TL_OK);
	return doc;
}

static void assert_comp_equal(const tl_sbom_component *a, const tl_sbom_component *b)
{
	assert_str_eq_null(a->ref, b->ref);
	assert_str_eq_null(a->name, b->name);
	assert_str_eq_null(a->version, b->version);
	assert_str_eq_null(a->description, b->description);
	assert_str_eq_null(a->supplier, b->supplier);
	assert_str_eq_null(a->author, b->author);
	assert_str_eq_null(a->purl, b->purl);
	assert_str_eq_null(a->cpe, b->cpe);
	assert_str_eq_null(a->license, b->license);
	assert_str_eq_null(a->copyright, b->copyright);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->n_hashes, b->n_hashes);
	for (size_t i = 0; i < a->n_hashes; i++) {
		assert_int_equal(a->hashes[i].alg, b->hashes[i].alg);
		assert_string_equal(a->hashes[i].hex, b->hashes[i].hex);
	}
	assert_int_equal(a->n_files, b->n_files);
	for (size_t i = 0; i < a->n_files; i++)
		assert_string_equal(a->files[i], b->files[i]);
}

static void test_spdx__write_read_keeps_fields(void **state)
{
	tl_sbom *doc = full_doc(false), *back;
	tl_buf text = TL_BUF_INIT;

	(void)state;
	back = reread(doc, &text);
	assert_int_equal(tl_sbom_normalize(back), TL_OK);
	assert_string_equal(back->serial, doc->serial);
	assert_string_equal(back->name, doc->name);
	assert_int_equal(back->timestamp, doc->timestamp);
	assert_string_equal(back->supplier, doc->supplier); /* a name ending in ')' */
	assert_string_equal(back->manufacturer, doc->manufacturer);
	assert_int_equal(back->n_tools, 2);
	assert_string_equal(back->tools[0].name, "trustline");
	assert_string_equal(back->tools[0].version, "0.1.0");
	assert_string_equal(back->tools[1].name, "mkfw");
	assert_null(back->tools[1].version);
	assert_int_equal(back->n_authors, 2);
	assert_string_equal(back->authors[0].name, "Jane Doe");
	assert_string_equal(back->authors[0].email, "jane@example.com");
	assert_string_equal(back->authors[1].name, "Build Bot");
	assert_null(back->authors[1].email);
	assert_non_null(back->subject);
	assert_comp_equal(back->subject, doc->subject);
	assert_int_equal(back->n_components, doc->n_components);
	for (size_t i = 0; i < doc->n_components; i++)
		assert_comp_equal(&back->components[i], &doc->components[i]);
	assert_int_equal(back->n_deps, doc->n_deps);
	for (size_t i = 0; i < doc->n_deps; i++) {
		assert_string_equal(back->deps[i].ref, doc->deps[i].ref);
		assert_int_equal(back->deps[i].n_deps, doc->deps[i].n_deps);
		for (size_t k = 0; k < doc->deps[i].n_deps; k++)
			assert_string_equal(back->deps[i].deps[k], doc->deps[i].deps[k]);
	}
	tl_sbom_free(back);
	tl_sbom_free(doc);
	tl_buf_dispose(&text);
}

static void test_spdx__component_types(void **state)
{
	/* representable types survive; the rest come back as library */
	static const struct { tl_sbom_comp_type in, out; } cases[] = {
		{ TL_COMP_LIBRARY, TL_COMP_LIBRARY },
		{ TL_COMP_APPLICATION, TL_COMP_APPLICATION },
		{ TL_COMP_FRAMEWORK, TL_COMP_FRAMEWORK },
		{ TL_COMP_CONTAINER, TL_COMP_CONTAINER },
		{ TL_COMP_OPERATING_SYSTEM, TL_COMP_OPERATING_SYSTEM },
		{ TL_COMP_DEVICE, TL_COMP_DEVICE },
		{ TL_COMP_FIRMWARE, TL_COMP_FIRMWARE },
		{ TL_COMP_FILE, TL_COMP_FILE },
		{ TL_COMP_PLATFORM, TL_COMP_LIBRARY },
		{ TL_COMP_DATA, TL_COMP_LIBRARY },
	};
	tl_buf text = TL_BUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tl_sbom *doc, *back;
		tl_sbom_component *c;
		assert_int_equal(tl_sbom_new(&doc), TL_OK);
		c = comp(doc, "a", "a", "1");
		c->type = cases[i].in;
		comp(doc, "b", "b", "1");
		back = reread(doc, &text);
		assert_null(back->subject); /* two top-level packages */
		assert_int_equal(back->n_components, 2);
		assert_int_equal(find_comp(back, "SPDXRef-a")->type, cases[i].out);
		tl_sbom_free(back);
		tl_sbom_free(doc);
	}
	tl_buf_dispose(&text);
}

static void test_spdx__ids_sanitised_and_unique(void **state)
{
	tl_sbom *doc, *back;
	tl_buf text = TL_BUF_INIT;
	json_t *root, *pkgs;
	strlist ids = { 0 };

	(void)state;
	assert_int_equal(tl_sbom_new(&doc), TL_OK);
	comp(doc, "pkg:deb/debian/zlib@1.3", "zlib", "1.3");
	comp(doc, "pkg:deb/debian/zlib/1.3", "zlib", "1.3.1");
	comp(doc, "SPDXRef-DOCUMENT", "doc-lookalike", "1");
	assert_int_equal(tl_sbom_add_dependency(doc, "pkg:deb/debian/zlib/1.3", "pkg:deb/debian/zlib@1.3"), TL_OK);
	root = write_valid(doc, &text);
	pkgs = json_object_get(root, "packages");
	for (size_t i = 0; i < json_array_size(pkgs); i++) {
		const char *id = jstr(json_array_get(pkgs, i), "SPDXID");
		assert_true(strncmp(id, "SPDXRef-", 8) == 0);
		for (const char *p = id + 8; *p; p++)
			assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-", *p));
		assert_string_not_equal(id, "SPDXRef-DOCUMENT");
		strlist_add(&ids, id);
	}
	qsort(ids.v, ids.n, sizeof(*ids.v), cmp_strp);
	for (size_t i = 1; i < ids.n; i++)
		assert_string_not_equal(ids.v[i - 1], ids.v[i]);
	assert_int_equal(tl_sbom_read_spdx(&back, root, "out.json"), TL_OK);
	/* the edge between the two colliding refs survives, renamed */
	assert_int_equal(n_edges(back), 1);
	assert_string_equal(tl_sbom_find_ref(back, back->deps[0].ref)->version, "1.3.1");
	assert_string_equal(tl_sbom_find_ref(back, back->deps[0].deps[0])->version, "1.3");
	tl_sbom_free(back);
	json_decref(root);
	strlist_free(&ids);
	tl_sbom_free(doc);
	tl_buf_dispose(&text);
}

static void test_spdx__license_refs_defined(void **state)
{
	tl_sbom *doc;
	tl_buf text = TL_BUF_INIT;
	json_t *root, *infos;

	(void)state;
	assert_int_equal(tl_sbom_new(&doc), TL_OK);
	comp(doc, "a", "a", "1")->license = xdup("MIT AND (LicenseRef-acme-1.0 OR DocumentRef-x:LicenseRef-y)");
	comp(doc, "b", "b", "1")->license = xdup("LicenseRef-acme-1.0");
	root = write_valid(doc, &text);
	/* one definition for the local reference, none for the other document's */
	infos = json_object_get(root, "hasExtractedLicensingInfos");
	assert_int_equal(json_array_size(infos), 1);
	assert_string_equal(jstr(json_array_get(infos, 0), "licenseId"), "LicenseRef-acme-1.0");
	assert_non_null(jstr(json_array_get(infos, 0), "extractedText"));
	json_decref(root);
	tl_sbom_free(doc);
	tl_buf_dispose(&text);
}

static void test_spdx__byte_stable(void **state)
{
	tl_sbom *a = full_doc(false), *b = full_doc(true), *c;
	tl_buf ta = TL_BUF_INIT, tb = TL_BUF_INIT, tc = TL_BUF_INIT;
	char *saved = getenv("SOURCE_DATE_EPOCH") ? strdup(getenv("SOURCE_DATE_EPOCH")) : NULL;

	(void)state;
	assert_int_equal(tl_sbom_write_spdx(&ta, a, NULL), TL_OK);
	assert_int_equal(tl_sbom_write_spdx(&tb, b, NULL), TL_OK);
	assert_int_equal(ta.len, tb.len);
	assert_memory_equal(ta.ptr, tb.ptr, ta.len);
	/* written again: the same bytes */
	tl_buf_clear(&tb);
	assert_int_equal(tl_sbom_write_spdx(&tb, a, NULL), TL_OK);
	assert_string_equal(ta.ptr, tb.ptr);
	/* no timestamp, no serial: SOURCE_DATE_EPOCH and a content-derived namespace */
	c = full_doc(false);
	c->timestamp = 0;
	free(c->serial);
	c->serial = NULL;
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	assert_int_equal(tl_sbom_write_spdx(&tc, c, NULL), TL_OK);
	assert_non_null(strstr(tc.ptr, "\"created\": \"2023-11-14T22:13:20Z\""));
	tl_buf_clear(&tb);
	assert_int_equal(tl_sbom_write_spdx(&tb, c, NULL), TL_OK);
	assert_string_equal(tc.ptr, tb.ptr);
	{
		tl_sbom *back;
		assert_int_equal(read_spdx_text(tc.ptr, &back), TL_OK);
		assert_null(back->serial); /* a digest, not a UUID: no serial invented */
		assert_int_equal(back->timestamp, 1700000000);
		tl_sbom_free(back);
	}
	if (saved)
		setenv("SOURCE_DATE_EPOCH", saved, 1);
	else
		unsetenv("SOURCE_DATE_EPOCH");
	free(saved);
	tl_sbom_free(a);
	tl_sbom_free(b);
	tl_sbom_free(c);
	tl_buf_dispose(&ta);
	tl_buf_dispose(&tb);
	tl_buf_dispose(&tc);
}

static void test_spdx__no_subject_describes_top_level(void **state)
{
	tl_sbom *doc, *back;
	tl_buf text = TL_BUF_INIT;

	(void)state;
	/* one top-level package (a -> b -> c) but no subject: must not read back as one */
	assert_int_equal(tl_sbom_new(&doc), TL_OK);
	comp(doc, "a", "a", "1");
	comp(doc, "b", "b", "1");
	comp(doc, "c", "c", "1");
	assert_int_equal(tl_sbom_add_dependency(doc, "a", "b"), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(doc, "b", "c"), TL_OK);
	back = reread(doc, &text);
	assert_null(back->subject);
	assert_int_equal(back->n_components, 3);
	assert_true(has_edge(back, "SPDXRef-a", "SPDXRef-b"));
	assert_true(has_edge(back, "SPDXRef-b", "SPDXRef-c"));
	tl_sbom_free(back);
	tl_sbom_free(doc);
	tl_buf_dispose(&text);
}

/* Found by fuzzing: a year before 1000 must be written with four digits. */
static void test_spdx__early_year_round_trips(void **state)
{
	tl_sbom *doc, *back;
	tl_buf text = TL_BUF_INIT;
	int64_t t;

	(void)state;
	assert_int_equal(read_spdx_text("{\"spdxVersion\":\"SPDX-2.3\",\"creationInfo\":"
	                                "{\"created\":\"0220-11-24T01:12:27Z\",\"creators\":[\"Tool: x-1\"]}}", &doc), TL_OK);
	assert_int_equal(tl_time_parse(&t, "0220-11-24T01:12:27Z"), TL_OK);
	assert_int_equal(doc->timestamp, t);
	back = reread(doc, &text);
	assert_non_null(strstr(text.ptr, "\"created\": \"0220-11-24T01:12:27Z\""));
	assert_int_equal(back->timestamp, t);
	tl_sbom_free(back);
	tl_sbom_free(doc);
	tl_buf_dispose(&text);
}

/* Strings at the 64 KiB limit, written inside agents and annotations,
 * still read back (the limit applies to what the model keeps). */
static void test_spdx__longest_strings_round_trip(void **state)
{
	const size_t n = 64 * 1024;
	char *big = malloc(n + 1), *ver = malloc(n + 1);
	tl_sbom *doc, *back;
	tl_sbom_component *c;
	tl_buf text = TL_BUF_INIT;

	(void)state;
	assert_non_null(big);
	assert_non_null(ver);
	memset(big, 'x', n);
	big[n] = '\0';
	memset(ver, '7', n);
	ver[n] = '\0';
	assert_int_equal(tl_sbom_new(&doc), TL_OK);
	doc->supplier = xdup(big);
	assert_int_equal(tl_sbom_add_tool(doc, NULL, big, ver), TL_OK);
	assert_int_equal(tl_sbom_add_author(doc, big, big), TL_OK);
	c = comp(doc, "a", big, big);
	c->supplier = xdup(big);
	c->author = xdup(big);
	assert_int_equal(tl_sbom_component_add_file(c, big), TL_OK);
	comp(doc, "b", "b", "1");
	back = reread(doc, &text);
	assert_string_equal(back->supplier, big);
	assert_string_equal(back->tools[0].name, big);
	assert_string_equal(back->tools[0].version, ver);
	assert_string_equal(back->authors[0].email, big);
	c = find_comp(back, "SPDXRef-a");
	assert_string_equal(c->supplier, big);
	assert_string_equal(c->author, big);
	assert_int_equal(c->n_files, 1);
	assert_string_equal(c->files[0], big);
	tl_sbom_free(back);
	tl_sbom_free(doc);
	tl_buf_dispose(&text);
	free(big);
	free(ver);
}

/* ---- malformed input --------------------------------------------------- */

static void test_spdx__wrong_types_name_the_path(void **state)
{
	static const struct { const char *json; tl_err err; const char *msg; } cases[] = {
		{ "[]", TL_EPARSE, "t.json: $: expected an object" },
		{ "{}", TL_EPARSE, "$.spdxVersion: expected a string" },
		{ "{\"spdxVersion\":\"SPDX-3.0\"}", TL_EUNSUPPORTED, "$.spdxVersion" },
		{ "{\"spdxVersion\":\"SPDX-2.3\",\"name\":7}", TL_EPARSE, "$.name: expected a string" },
		{ "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":{}}", TL_EPARSE, "$.packages: expected an array" },
		{ "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[{\"SPDXID\":\"SPDXRef-a\",\"name\":\"a\"},1]}",
		  TL_EPARSE, "$.packages[1]: expected an object" },
		{ "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[{\"SPDXID\":\"SPDXRef-a\",\"name\":\"a\"},"
		  "{\"SPDXID\":\"SPDXRef-b\",\"name\":\"b\"},{\"SPDXID\":\"SPDXRef-c\",\"name\":\"c\"},"
		  "{\"SPDXID\":\"SPDXRef-d\",\"name\":\"d\",\"versionInfo\":4}]}",
		  TL_EPARSE, "t.json: $.packages[3].versionInfo: expected a string" },
		{ "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[{\"SPDXID\":\"SPDXRef-a\"}]}",
		  TL_EPARSE, "$.packages[0].name: expected a string" },
		{ "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[{\"SPDXID\":\"SPDXRef-a\",\"name\":\"a\","
		  "\"checksums\":[{\"algorithm\":\"SHA1\",\"checksumValue\":\"xyz\"}]}]}",
		  TL_EPARSE, "$.packages[0].checksums[0].checksumValue: expected a hex digest" },
		{ "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[{\"SPDXID\":\"SPDXRef-a\",\"name\":\"a\","
		  "\"externalRefs\":[{\"referenceCategory\":\"OTHER\",\"referenceType\":\"x\"}]}]}",
		  TL_EPARSE, "$.packages[0].externalRefs[0].referenceLocator: expected a string" },
		{ "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[{\"SPDXID\":\"SPDXRef-a\",\"name\":\"a\"},"
		  "{\"SPDXID\":\"SPDXRef-a\",\"name\":\"b\"}]}",
		  TL_EPARSE, "$.packages[1].SPDXID: duplicate identifier" },
		{ "{\"spdxVersion\":\"SPDX-2.3\",\"creationInfo\":{\"created\":\"yesterday\"}}",
		  TL_EPARSE, "$.creationInfo.created: expected an RFC 3339 date-time" },
		{ "{\"spdxVersion\":\"SPDX-2.3\",\"creationInfo\":{\"creators\":[\"Tool: x\",false]}}",
		  TL_EPARSE, "$.creationInfo.creators[1]: expected a string" },
		{ "{\"spdxVersion\":\"SPDX-2.3\",\"relationships\":[{\"spdxElementId\":\"a\",\"relationshipType\":\"DESCRIBES\"}]}",
		  TL_EPARSE, "$.relationships[0].relatedSpdxElement: expected a string" },
		{ "{\"spdxVersion\":\"SPDX-2.3\",\"files\":[{\"SPDXID\":\"SPDXRef-f\"}]}",
		  TL_EPARSE, "$.files[0].fileName: expected a string" },
		{ "{\"spdxVersion\":\"SPDX-2.3\",\"documentDescribes\":[null]}",
		  TL_EPARSE, "$.documentDescribes[0]: expected a string" },
		{ "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[{\"SPDXID\":\"SPDXRef-a\",\"name\":\"a\",\"hasFiles\":[1]}]}",
		  TL_EPARSE, "$.packages[0].hasFiles[0]: expected a string" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tl_sbom *doc = (tl_sbom *)1;
		tl_err err = read_spdx_text(cases[i].json, &doc);
		if (err != cases[i].err || !strstr(tl_error_last(), cases[i].msg))
			fail_msg("case %zu: got %d \"%s\", want %d \"%s\"", i, err, tl_error_last(),
			         cases[i].err, cases[i].msg);
		assert_null(doc);
	}
}

static void test_spdx__long_string_is_a_limit(void **state)
{
	size_t n = 70 * 1024;
	tl_buf b = TL_BUF_INIT;
	tl_sbom *doc;

	(void)state;
	assert_int_equal(tl_buf_puts(&b, "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[{\"SPDXID\":\"SPDXRef-a\",\"name\":\""), TL_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(tl_buf_putc(&b, 'x'), TL_OK);
	assert_int_equal(tl_buf_puts(&b, "\"}]}"), TL_OK);
	assert_int_equal(read_spdx_text(b.ptr, &doc), TL_ELIMIT);
	assert_non_null(strstr(tl_error_last(), "$.packages[0].name"));
	assert_null(doc);
	tl_buf_dispose(&b);
}

static void test_spdx__truncated_input(void **state)
{
	char path[4096];
	tl_buf file = TL_BUF_INIT;

	(void)state;
	shared_path(path, sizeof(path), "spdx/spec-examples-2.3/SPDXJSONExample-v2.3.spdx.json");
	assert_int_equal(tl_file_read(&file, path, 0), TL_OK);
	for (size_t cut = 0; cut < file.len - 2; cut += 97) {
		json_t *root = NULL;
		tl_err err = tl_json_parse(&root, file.ptr, cut, "cut.json", NULL);
		assert_int_equal(err, TL_EPARSE);
		assert_null(root);
	}
	tl_buf_dispose(&file);
}

/* Unknown fields and relationship types are ignored; edges to things that
 * are not packages are not edges. */
static void test_spdx__ignores_unknowns(void **state)
{
	tl_sbom *doc;

	(void)state;
	assert_int_equal(read_spdx_text(
		"{\"spdxVersion\":\"SPDX-2.2\",\"x-extra\":{\"a\":[1,2]},"
		"\"packages\":[{\"SPDXID\":\"SPDXRef-a\",\"name\":\"a\",\"futureField\":true,"
		"\"checksums\":[{\"algorithm\":\"SHA224\",\"checksumValue\":\"zz\"}]},"
		"{\"SPDXID\":\"SPDXRef-b\",\"name\":\"b\"}],"
		"\"relationships\":[{\"spdxElementId\":\"SPDXRef-a\",\"relationshipType\":\"VARIANT_OF\",\"relatedSpdxElement\":\"SPDXRef-b\"},"
		"{\"spdxElementId\":\"SPDXRef-a\",\"relationshipType\":\"DEPENDS_ON\",\"relatedSpdxElement\":\"DocumentRef-x:SPDXRef-y\"},"
		"{\"spdxElementId\":\"SPDXRef-b\",\"relationshipType\":\"DEPENDS_ON\",\"relatedSpdxElement\":\"NONE\"}]}",
		&doc), TL_OK);
	assert_null(doc->subject);
	assert_int_equal(doc->n_components, 2);
	assert_int_equal(doc->components[0].n_hashes, 0);
	assert_int_equal(n_edges(doc), 0);
	assert_int_equal(doc->n_deps, 1); /* b DEPENDS_ON NONE: a node with no edges */
	assert_string_equal(doc->deps[0].ref, "SPDXRef-b");
	tl_sbom_free(doc);
}

/* ---- CycloneDX -> SPDX -> CycloneDX ------------------------------------ */

static bool spdx_type(tl_sbom_comp_type t)
{
	return t <= TL_COMP_FILE;
}

static void sig_add(tl_buf *b, const char *k, const char *v)
{
	assert_int_equal(tl_buf_printf(b, "%s=%s;", k, v ? v : "-"), TL_OK);
}

/* A line describing c by every field both formats hold. */
static char *signature(const tl_sbom_component *c)
{
	tl_buf b = TL_BUF_INIT;
	strlist hashes = { 0 };

	sig_add(&b, "name", c->name);
	sig_add(&b, "version", c->version);
	sig_add(&b, "purl", c->purl);
	sig_add(&b, "cpe", c->cpe);
	sig_add(&b, "license", c->license);
	sig_add(&b, "supplier", c->supplier);
	sig_add(&b, "type", tl_sbom_comp_type_name(spdx_type(c->type) ? c->type : TL_COMP_LIBRARY));
	for (size_t i = 0; i < c->n_hashes; i++) {
		char h[1024];
		snprintf(h, sizeof(h), "%s:%s", tl_sbom_hash_alg_name(c->hashes[i].alg), c->hashes[i].hex);
		strlist_add(&hashes, h);
	}
	if (hashes.n > 1)
		qsort(hashes.v, hashes.n, sizeof(*hashes.v), cmp_strp);
	for (size_t i = 0; i < hashes.n; i++)
		sig_add(&b, "hash", hashes.v[i]);
	strlist_free(&hashes);
	assert_int_equal(tl_buf_cstr(&b), TL_OK);
	return tl_buf_detach(&b);
}

/* Short identity of the component a ref names (for edges). */
static void identity(tl_buf *b, const tl_sbom *doc, const char *ref)
{
	const tl_sbom_component *c = tl_sbom_find_ref(doc, ref);
	assert_int_equal(tl_buf_printf(b, "%s@%s#%s", c->name ? c->name : "-", c->version ? c->version : "-",
	                               c->purl ? c->purl : "-"), TL_OK);
}

/* Sorted signatures of the components and of the edges between them. */
static void summarise(const tl_sbom *doc, strlist *comps, strlist *edges)
{
	for (size_t i = 0; i < doc->n_components; i++) {
		char *s = signature(&doc->components[i]);
		strlist_add(comps, s);
		free(s);
	}
	for (size_t i = 0; i < doc->n_deps; i++) {
		if (!tl_sbom_find_ref(doc, doc->deps[i].ref))
			continue;
		for (size_t k = 0; k < doc->deps[i].n_deps; k++) {
			tl_buf b = TL_BUF_INIT;
			if (!tl_sbom_find_ref(doc, doc->deps[i].deps[k]) ||
			    strcmp(doc->deps[i].ref, doc->deps[i].deps[k]) == 0)
				continue;
			identity(&b, doc, doc->deps[i].ref);
			assert_int_equal(tl_buf_puts(&b, " -> "), TL_OK);
			identity(&b, doc, doc->deps[i].deps[k]);
			strlist_add(edges, b.ptr);
			tl_buf_dispose(&b);
		}
	}
	if (comps->n > 1)
		qsort(comps->v, comps->n, sizeof(*comps->v), cmp_strp);
	if (edges->n > 1)
		qsort(edges->v, edges->n, sizeof(*edges->v), cmp_strp);
}

static void assert_lists_equal(const strlist *a, const strlist *b, const char *what, const char *file)
{
	if (a->n != b->n)
		fail_msg("%s: %s: %zu before, %zu after the round trip", file, what, a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->v[i], b->v[i]) != 0)
			fail_msg("%s: %s differ:\n  %s\n  %s", file, what, a->v[i], b->v[i]);
	}
}

static bool has_tool(const tl_sbom *doc, const tl_sbom_party *t)
{
	for (size_t i = 0; i < doc->n_tools; i++) {
		const tl_sbom_party *u = &doc->tools[i];
		if (u->name && t->name && strcmp(u->name, t->name) == 0 &&
		    ((!u->version && !t->version) || (u->version && t->version && strcmp(u->version, t->version) == 0)))
			return true;
	}
	return false;
}

static void compare_round_trip(const tl_sbom *a, const tl_sbom *b, const char *file)
{
	strlist ca = { 0 }, cb = { 0 }, ea = { 0 }, eb = { 0 };

	summarise(a, &ca, &ea);
	summarise(b, &cb, &eb);
	assert_lists_equal(&ca, &cb, "components", file);
	assert_lists_equal(&ea, &eb, "dependency edges", file);
	if ((a->subject != NULL) != (b->subject != NULL))
		fail_msg("%s: subject %s before, %s after", file, a->subject ? "present" : "absent",
		         b->subject ? "present" : "absent");
	if (a->subject) {
		char *sa = signature(a->subject), *sb = signature(b->subject);
		if (strcmp(sa, sb) != 0)
			fail_msg("%s: subject differs:\n  %s\n  %s", file, sa, sb);
		free(sa);
		free(sb);
		if (a->manufacturer)
			assert_str_eq_null(a->manufacturer, b->manufacturer);
	}
	if (a->serial)
		assert_str_eq_null(a->serial, b->serial);
	if (a->timestamp)
		assert_int_equal(a->timestamp, b->timestamp);
	if (a->supplier)
		assert_str_eq_null(a->supplier, b->supplier);
	/* every tool (name, version) is kept; a writer may add itself */
	for (size_t i = 0; i < a->n_tools; i++) {
		if (a->tools[i].name && !has_tool(b, &a->tools[i]))
			fail_msg("%s: tool %s lost", file, a->tools[i].name);
	}
	for (size_t i = 0; i < b->n_tools; i++) {
		if (!has_tool(a, &b->tools[i]) && strcmp(b->tools[i].name, "trustline") != 0)
			fail_msg("%s: tool %s appeared", file, b->tools[i].name);
	}
	{
		size_t na = 0, nb = 0;
		for (size_t i = 0; i < a->n_authors; i++)
			na += a->authors[i].name != NULL;
		for (size_t i = 0; i < b->n_authors; i++)
			nb += b->authors[i].name != NULL;
		assert_int_equal(na, nb);
		for (size_t i = 0, j = 0; i < a->n_authors; i++) {
			if (!a->authors[i].name)
				continue;
			while (!b->authors[j].name)
				j++;
			assert_string_equal(a->authors[i].name, b->authors[j].name);
			assert_str_eq_null(a->authors[i].email, b->authors[j].email);
			j++;
		}
	}
	strlist_free(&ca);
	strlist_free(&cb);
	strlist_free(&ea);
	strlist_free(&eb);
}

/*
 * The writer's fast way (every string plain ASCII: literals and copies)
 * writes the bytes of its general way, package by package: documents
 * whose components take every combination of the optional fields, agent
 * names ending in ')' (with and without trailing blanks), empty strings,
 * hashes the writer skips, NULL file names, a subject with and without a
 * manufacturer; some strings are not plain (an escape, UTF-8) so that
 * package goes the general way among fast ones.  Written with the fast
 * way allowed and then forbidden, the texts are equal, and the fast way
 * was taken (the count), also by the two generating threads (200
 * packages).
 */
static void test_spdx__fast_text_is_the_general_text(void **state)
{
	static const char *const plain[] = { "Acme", "Acme (EU)", "Acme (EU)  ", "", "a b/c:d@e?f=g#h" };
	static const char *const odd[] = { "quote \" here", "Acme (EU) \t", "caf\xc3\xa9", "back\\slash" };
	tl_buf fast = TL_BUF_INIT, general = TL_BUF_INIT;

	(void)state;
	tl__spdx_count_fast = true;
	for (int variant = 0; variant < 4; variant++) {
		tl_sbom *doc;
		size_t n = variant < 2 ? 64 : 200, before;
		bool with_odd = variant & 1;

		assert_int_equal(tl_sbom_new(&doc), TL_OK);
		doc->timestamp = 1700000000;
		doc->serial = xdup("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79");
		if (variant != 2)
			doc->manufacturer = xdup(plain[variant % 3]);
		doc->subject = calloc(1, sizeof(*doc->subject));
		assert_non_null(doc->subject);
		doc->subject->ref = xdup("fw");
		doc->subject->name = xdup("fw");
		doc->subject->author = xdup("Jane (x)");
		doc->subject->type = TL_COMP_FIRMWARE;
		for (size_t k = 0; k < n; k++) {
			char ref[32], name[32];
			tl_sbom_component *c;
			const char *p = plain[k % 5];
			snprintf(ref, sizeof(ref), "c%zu", k);
			snprintf(name, sizeof(name), "n%zu", k);
			c = comp(doc, ref, k % 7 == 3 ? "" : name, k & 1 ? p : NULL);
			c->type = (tl_sbom_comp_type)(k % 10);
			if (k & 2)
				c->description = xdup(p);
			if (k & 4)
				c->supplier = xdup(plain[(k / 4) % 5]);
			if (k & 8)
				c->author = xdup(plain[(k / 8) % 5]);
			if (k & 16)
				c->purl = xdup("pkg:generic/x@1?a=b");
			if (k & 32)
				c->cpe = xdup("cpe:2.3:a:x:y:1:*:*:*:*:*:*:*");
			if (k % 3 == 1)
				c->license = xdup("MIT OR Apache-2.0");
			if (k % 5 == 2)
				c->copyright = xdup(p);
			for (size_t h = 0; h < k % 4; h++)
				assert_int_equal(tl_sbom_component_add_hash(c, (tl_sbom_hash_alg)(h * 3 % 12), SHA256_X), TL_OK);
			if (k % 11 == 5 && c->n_hashes)
				c->hashes[0].alg = (tl_sbom_hash_alg)99; /* skipped by the writer */
			if (k % 13 == 6 && c->n_hashes) {
				free(c->hashes[0].hex);
				c->hashes[0].hex = NULL; /* skipped too */
			}
			for (size_t f = 0; f < k % 3; f++)
				assert_int_equal(tl_sbom_component_add_file(c, f ? "/usr/lib/x.so" : "/bin/y"), TL_OK);
			if (k % 17 == 9 && c->n_files) {
				free(c->files[0]);
				c->files[0] = NULL;
			}
			if (with_odd && k % 9 == 4) {
				/* one string that is not plain ASCII, in a field chosen by k */
				const char *o = odd[(k / 9) % 4];
				switch ((k / 9) % 6) {
				case 0: free(c->name); c->name = xdup(o); break;
				case 1: free(c->supplier); c->supplier = xdup(o); break;
				case 2: free(c->copyright); c->copyright = xdup(o); break;
				case 3: free(c->purl); c->purl = xdup(o); break;
				case 4: assert_int_equal(tl_sbom_component_add_file(c, o), TL_OK); break;
				default: free(c->author); c->author = xdup(o); break;
				}
			}
			if (k)
				assert_int_equal(tl_sbom_add_dependency(doc, "fw", ref), TL_OK);
		}
		tl__spdx_no_fast_text = false;
		before = tl__spdx_fast_packages;
		tl_buf_clear(&fast);
		if (tl_sbom_write_spdx(&fast, doc, NULL) != TL_OK)
			fail_msg("variant %d: %s", variant, tl_error_last());
		/* every package but the odd ones went the fast way */
		if (with_odd)
			assert_true(tl__spdx_fast_packages - before > n / 2 && tl__spdx_fast_packages - before < n + 1);
		else
			assert_int_equal(tl__spdx_fast_packages - before, n + 1);
		tl__spdx_no_fast_text = true;
		before = tl__spdx_fast_packages;
		tl_buf_clear(&general);
		if (tl_sbom_write_spdx(&general, doc, NULL) != TL_OK)
			fail_msg("variant %d (general): %s", variant, tl_error_last());
		tl__spdx_no_fast_text = false;
		assert_int_equal(tl__spdx_fast_packages, before);
		assert_int_equal(fast.len, general.len);
		assert_string_equal(fast.ptr, general.ptr);
		tl_sbom_free(doc);
	}
	tl__spdx_count_fast = false;
	tl_buf_dispose(&fast);
	tl_buf_dispose(&general);
}

static void test_spdx__cyclonedx_round_trip(void **state)
{
	strlist files = { 0 };
	char dir[4096];
	tl_buf text = TL_BUF_INIT, cdx = TL_BUF_INIT;
	char *saved = getenv("SOURCE_DATE_EPOCH") ? strdup(getenv("SOURCE_DATE_EPOCH")) : NULL;
	size_t done = 0, n_comps = 0, n_edges_total = 0, n_subjects = 0, n_tools = 0;

	(void)state;
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	shared_path(dir, sizeof(dir), "cyclonedx/test-boms/1.6");
	find_files(&files, dir, "valid-", ".json");
	assert_true(files.n >= 30);
	for (size_t i = 0; i < files.n; i++) {
		json_t *root = load(files.v[i]), *root2 = NULL;
		tl_sbom *first = NULL, *mid = NULL, *last = NULL;
		tl_err err = tl_sbom_read_cyclonedx(&first, root, files.v[i]);

		json_decref(root);
		if (err == TL_EUNSUPPORTED && strstr(tl_error_last(), "not written yet")) {
			strlist_free(&files);
			tl_buf_dispose(&text);
			free(saved);
			skip(); /* the CycloneDX reader is still a placeholder */
		}
		if (err)
			fail_msg("%s: %s", files.v[i], tl_error_last());
		mid = reread(first, &text);
		tl_buf_clear(&cdx);
		if ((err = tl_sbom_write_cyclonedx(&cdx, mid, NULL)) != TL_OK)
			fail_msg("%s: CycloneDX write: %s", files.v[i], tl_error_last());
		assert_int_equal(tl_json_parse(&root2, cdx.ptr, cdx.len, "rt.cdx.json", NULL), TL_OK);
		if ((err = tl_sbom_read_cyclonedx(&last, root2, "rt.cdx.json")) != TL_OK)
			fail_msg("%s: CycloneDX re-read: %s", files.v[i], tl_error_last());
		json_decref(root2);
		compare_round_trip(first, last, files.v[i]);
		{
			strlist c = { 0 }, e = { 0 };
			summarise(first, &c, &e);
			n_comps += c.n;
			n_edges_total += e.n;
			n_subjects += first->subject != NULL;
			n_tools += first->n_tools;
			strlist_free(&c);
			strlist_free(&e);
		}
		tl_sbom_free(first);
		tl_sbom_free(mid);
		tl_sbom_free(last);
		done++;
	}
	assert_int_equal(done, files.n);
	/* the comparison had something to compare */
	print_message("round trip: %zu files, %zu components, %zu edges, %zu subjects, %zu tools\n",
	              done, n_comps, n_edges_total, n_subjects, n_tools);
	assert_true(n_comps > 30 && n_edges_total > 0 && n_subjects > 0 && n_tools > 0);
	if (saved)
		setenv("SOURCE_DATE_EPOCH", saved, 1);
	else
		unsetenv("SOURCE_DATE_EPOCH");
	free(saved);
	strlist_free(&files);
	tl_buf_dispose(&text);
	tl_buf_dispose(&cdx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spdx__reads_every_example),
		cmocka_unit_test(test_spdx__spec_example_values),
		cmocka_unit_test(test_spdx__relationships_become_edges),
		cmocka_unit_test(test_spdx__files_by_contains),
		cmocka_unit_test(test_spdx__fixture_mapping),
		cmocka_unit_test(test_spdx__write_read_keeps_fields),
		cmocka_unit_test(test_spdx__component_types),
		cmocka_unit_test(test_spdx__ids_sanitised_and_unique),
		cmocka_unit_test(test_spdx__license_refs_defined),
		cmocka_unit_test(test_spdx__byte_stable),
		cmocka_unit_test(test_spdx__no_subject_describes_top_level),
		cmocka_unit_test(test_spdx__early_year_round_trips),
		cmocka_unit_test(test_spdx__longest_strings_round_trip),
		cmocka_unit_test(test_spdx__wrong_types_name_the_path),
		cmocka_unit_test(test_spdx__long_string_is_a_limit),
		cmocka_unit_test(test_spdx__truncated_input),
		cmocka_unit_test(test_spdx__ignores_unknowns),
		cmocka_unit_test(test_spdx__fast_text_is_the_general_text),
		cmocka_unit_test(test_spdx__cyclonedx_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
