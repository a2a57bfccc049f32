/*
 * Tests of the SBOM model (src/sbom/model.c) and the CycloneDX reader and
 * writer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <jansson.h>

#include "trustline/sbom.h"

/* ---- model ------------------------------------------------------------- */

static void test_cyclonedx__model_name_tables(void **state)
{
	/* CycloneDX 1.6 schema, definitions.hash-alg.enum */
	static const char *const algs[] = {
		"MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512", "SHA3-256", "SHA3-384",
		"SHA3-512", "BLAKE2b-256", "BLAKE2b-384", "BLAKE2b-512", "BLAKE3",
	};
	/* CycloneDX 1.6 schema, definitions.component.properties.type.enum */
	static const char *const types[] = {
		"application", "framework", "library", "container", "platform",
		"operating-system", "device", "device-driver", "firmware", "file",
		"machine-learning-model", "data", "cryptographic-asset",
	};
	tl_sbom_hash_alg a;
	tl_sbom_comp_type t;

	(void)state;
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		assert_true(tl_sbom_hash_alg_parse(algs[i], &a));
		assert_string_equal(tl_sbom_hash_alg_name(a), algs[i]);
	}
	assert_true(tl_sbom_hash_alg_parse("SHA-256", &a));
	assert_int_equal(a, TL_SBOM_HASH_SHA256);
	assert_true(tl_sbom_hash_alg_parse("sha-256", &a));
	assert_int_equal(a, TL_SBOM_HASH_SHA256);
	assert_false(tl_sbom_hash_alg_parse("SHA-257", &a));
	assert_false(tl_sbom_hash_alg_parse("", &a));
	assert_null(tl_sbom_hash_alg_name((tl_sbom_hash_alg)99));

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		assert_true(tl_sbom_comp_type_parse(types[i], &t));
		assert_string_equal(tl_sbom_comp_type_name(t), types[i]);
	}
	assert_true(tl_sbom_comp_type_parse("operating-system", &t));
	assert_int_equal(t, TL_COMP_OPERATING_SYSTEM);
	assert_false(tl_sbom_comp_type_parse("Library", &t));
	assert_false(tl_sbom_comp_type_parse("service", &t));
	assert_null(tl_sbom_comp_type_name((tl_sbom_comp_type)-1));
}

static tl_sbom_component *add(tl_sbom *doc, const char *ref, const char *name, const char *version,
                              const char *purl)
{
	tl_sbom_component *c;

	assert_int_equal(tl_sbom_add_component(doc, &c), TL_OK);
	c->ref = ref ? strdup(ref) : NULL;
	c->name = name ? strdup(name) : NULL;
	c->version = version ? strdup(version) : NULL;
	c->purl = purl ? strdup(purl) : NULL;
	return c;
}

static void test_cyclonedx__model_build_and_free(void **state)
{
	tl_sbom *doc = NULL;
	tl_sbom_component *c;

	(void)state;
	assert_int_equal(tl_sbom_new(&doc), TL_OK);
	assert_non_null(doc);
	assert_int_equal(doc->n_components, 0);
	for (int i = 0; i < 100; i++) {
		char ref[16];
		snprintf(ref, sizeof(ref), "c%d", i);
		c = add(doc, ref, "busybox", "1.36.1", NULL);
		assert_int_equal(tl_sbom_component_add_hash(c, TL_SBOM_HASH_SHA256, "ABCDEF0123"), TL_OK);
		assert_int_equal(tl_sbom_component_add_file(c, "/bin/busybox"), TL_OK);
		assert_int_equal(tl_sbom_component_add_prop(c, "k", "v"), TL_OK);
	}
	assert_int_equal(doc->n_components, 100);
	/* hex is stored lower-case */
	assert_string_equal(doc->components[7].hashes[0].hex, "abcdef0123");
	assert_int_equal(doc->components[7].hashes[0].alg, TL_SBOM_HASH_SHA256);
	assert_string_equal(doc->components[99].ref, "c99");

	assert_int_equal(tl_sbom_add_tool(doc, "acme", "trustline", "0.1.0"), TL_OK);
	assert_int_equal(tl_sbom_add_author(doc, "Jane", "jane@example.com"), TL_OK);
	assert_string_equal(doc->tools[0].vendor, "acme");
	assert_string_equal(doc->tools[0].version, "0.1.0");
	assert_null(doc->tools[0].email);
	assert_string_equal(doc->authors[0].email, "jane@example.com");

	doc->lifecycle = strdup("build");
	doc->subject = calloc(1, sizeof(*doc->subject));
	doc->subject->ref = strdup("fw");
	doc->subject->name = strdup("router-fw");
	doc->serial = strdup("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79");
	assert_ptr_equal(tl_sbom_find_ref(doc, "fw"), doc->subject);
	assert_ptr_equal(tl_sbom_find_ref(doc, "c42"), &doc->components[42]);
	assert_null(tl_sbom_find_ref(doc, "nope"));
	assert_null(tl_sbom_find_ref(doc, NULL));
	tl_sbom_free(doc); /* ASan checks everything is freed */
	tl_sbom_free(NULL);
}

static void test_cyclonedx__model_dependency_no_duplicate_edges(void **state)
{
	tl_sbom *doc = NULL;

	(void)state;
	assert_int_equal(tl_sbom_new(&doc), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(doc, "a", "b"), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(doc, "a", "c"), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(doc, "a", "b"), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(doc, "b", NULL), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(doc, "b", NULL), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(doc, "a", "c"), TL_OK);
	assert_int_equal(doc->n_deps, 2);
	assert_string_equal(doc->deps[0].ref, "a");
	assert_int_equal(doc->deps[0].n_deps, 2);
	assert_string_equal(doc->deps[0].deps[0], "b");
	assert_string_equal(doc->deps[0].deps[1], "c");
	assert_string_equal(doc->deps[1].ref, "b");
	assert_int_equal(doc->deps[1].n_deps, 0);
	tl_sbom_free(doc);
}

static void test_cyclonedx__model_normalize_orders_and_dedupes(void **state)
{
	tl_sbom *doc = NULL;
	tl_sbom_component *c;
	void *slot;

	(void)state;
	assert_int_equal(tl_sbom_new(&doc), TL_OK);
	add(doc, "r3", "zlib", "1.3", "pkg:deb/debian/zlib@1.3");
	add(doc, "r2", "busybox", "1.36", NULL);
	add(doc, "r1", "busybox", "1.35", NULL);
	c = add(doc, "r0", "apk", "2.0", "pkg:apk/alpine/apk@2.0");
	assert_int_equal(tl_sbom_component_add_hash(c, TL_SBOM_HASH_SHA512, "ff"), TL_OK);
	assert_int_equal(tl_sbom_component_add_hash(c, TL_SBOM_HASH_SHA1, "bb"), TL_OK);
	assert_int_equal(tl_sbom_component_add_hash(c, TL_SBOM_HASH_SHA1, "BB"), TL_OK);
	assert_int_equal(tl_sbom_component_add_hash(c, TL_SBOM_HASH_SHA1, "aa"), TL_OK);
	assert_int_equal(tl_sbom_component_add_file(c, "/z"), TL_OK);
	assert_int_equal(tl_sbom_component_add_file(c, "/a"), TL_OK);
	assert_int_equal(tl_sbom_component_add_file(c, "/z"), TL_OK);
	assert_int_equal(tl_sbom_component_add_prop(c, "b", "1"), TL_OK);
	assert_int_equal(tl_sbom_component_add_prop(c, "a", "2"), TL_OK);
	assert_int_equal(tl_sbom_component_add_prop(c, "a", "1"), TL_OK);
	assert_int_equal(tl_sbom_component_add_prop(c, "b", "1"), TL_OK);

	/* duplicate nodes and edges, as a reader appending directly may leave them */
	assert_int_equal(tl_sbom_add_dependency(doc, "r3", "r1"), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(doc, "r0", "r2"), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(doc, "r0", "r1"), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(doc, "r1", NULL), TL_OK);
	assert_int_equal(doc->n_deps, 3);
	slot = realloc(doc->deps, 4 * sizeof(*doc->deps)); /* capacity 4, as the model grows */
	assert_non_null(slot);
	doc->deps = slot;
	doc->deps[3].ref = strdup("r3");
	doc->deps[3].deps = calloc(2, sizeof(char *));
	doc->deps[3].deps[0] = strdup("r2");
	doc->deps[3].deps[1] = strdup("r1");
	doc->deps[3].n_deps = 2;
	doc->n_deps = 4;

	assert_int_equal(tl_sbom_normalize(doc), TL_OK);
	/* components by purl (none first), then name, version */
	assert_int_equal(doc->n_components, 4);
	assert_string_equal(doc->components[0].ref, "r1");
	assert_string_equal(doc->components[1].ref, "r2");
	assert_string_equal(doc->components[2].ref, "r0");
	assert_string_equal(doc->components[3].ref, "r3");
	c = &doc->components[2];
	assert_int_equal(c->n_hashes, 3);
	assert_int_equal(c->hashes[0].alg, TL_SBOM_HASH_SHA1);
	assert_string_equal(c->hashes[0].hex, "aa");
	assert_string_equal(c->hashes[1].hex, "bb");
	assert_int_equal(c->hashes[2].alg, TL_SBOM_HASH_SHA512);
	assert_int_equal(c->n_files, 2);
	assert_string_equal(c->files[0], "/a");
	assert_string_equal(c->files[1], "/z");
	assert_int_equal(c->n_props, 3);
	assert_string_equal(c->props[0].name, "a");
	assert_string_equal(c->props[0].value, "1");
	assert_string_equal(c->props[1].value, "2");
	assert_string_equal(c->props[2].name, "b");
	assert_int_equal(doc->n_deps, 3);
	assert_string_equal(doc->deps[0].ref, "r0");
	assert_int_equal(doc->deps[0].n_deps, 2);
	assert_string_equal(doc->deps[0].deps[0], "r1");
	assert_string_equal(doc->deps[0].deps[1], "r2");
	assert_string_equal(doc->deps[1].ref, "r1");
	assert_int_equal(doc->deps[1].n_deps, 0);
	assert_string_equal(doc->deps[2].ref, "r3");
	assert_int_equal(doc->deps[2].n_deps, 2);
	assert_string_equal(doc->deps[2].deps[0], "r1");
	assert_string_equal(doc->deps[2].deps[1], "r2");
	/* idempotent, and the merged arrays can still grow */
	assert_int_equal(tl_sbom_normalize(doc), TL_OK);
	assert_int_equal(tl_sbom_add_dependency(doc, "r3", "r0"), TL_OK);
	assert_int_equal(doc->deps[2].n_deps, 3);
	tl_sbom_free(doc);
}

static void test_cyclonedx__model_component_copy(void **state)
{
	tl_sbom *doc = NULL;
	tl_sbom_component *c, copy;

	(void)state;
	assert_int_equal(tl_sbom_new(&doc), TL_OK);
	c = add(doc, "r", "openssl", "3.0.15", "pkg:deb/debian/openssl@3.0.15");
	c->license = strdup("Apache-2.0");
	c->type = TL_COMP_APPLICATION;
	c->scope = TL_SCOPE_OPTIONAL;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(tl_sbom_component_add_hash(c, TL_SBOM_HASH_SHA256, "00"), TL_OK);
		assert_int_equal(tl_sbom_component_add_file(c, "/usr/lib/libssl.so.3"), TL_OK);
		assert_int_equal(tl_sbom_component_add_prop(c, "p", NULL), TL_OK);
	}
	assert_int_equal(tl_sbom_component_copy(&copy, c), TL_OK);
	assert_ptr_not_equal(copy.name, c->name);
	assert_string_equal(copy.name, "openssl");
	assert_string_equal(copy.purl, c->purl);
	assert_string_equal(copy.license, "Apache-2.0");
	assert_null(copy.group);
	assert_int_equal(copy.type, TL_COMP_APPLICATION);
	assert_int_equal(copy.scope, TL_SCOPE_OPTIONAL);
	assert_int_equal(copy.n_hashes, 3);
	assert_int_equal(copy.n_files, 3);
	assert_int_equal(copy.n_props, 3);
	assert_null(copy.props[2].value);
	/* the copy's arrays keep growing after the exact-size copy */
	for (int i = 0; i < 10; i++)
		assert_int_equal(tl_sbom_component_add_file(&copy, "/x"), TL_OK);
	assert_int_equal(copy.n_files, 13);
	tl_sbom_component_dispose(&copy);
	assert_null(copy.name);
	assert_int_equal(copy.n_files, 0);
	tl_sbom_free(doc);
}


/* ---- reader and writer ------------------------------------------------- */

static json_t *parse(const char *text)
{
	json_t *root = NULL;

	assert_int_equal(tl_json_parse(&root, text, strlen(text), "t.json", NULL), TL_OK);
	return root;
}

static tl_sbom *read_text(const char *text)
{
	json_t *root = parse(text);
	tl_sbom *doc = NULL;
	tl_err err = tl_sbom_read_cyclonedx(&doc, root, "t.json");

	if (err)
		fail_msg("read: %s", tl_error_last());
	json_decref(root);
	return doc;
}

/* Reads text, expecting failure err whose message contains want. */
static void expect_read_error(const char *text, tl_err want_err, const char *want)
{
	json_t *root = parse(text);
	tl_sbom *doc = (tl_sbom *)1;
	tl_err err = tl_sbom_read_cyclonedx(&doc, root, "t.json");

	json_decref(root);
	if (err != want_err || !strstr(tl_error_last(), want))
		fail_msg("expected error %d with \"%s\", got %d \"%s\"", want_err, want, err, tl_error_last());
	assert_null(doc);
}

static char *write_doc(tl_sbom *doc, const char *spec)
{
	tl_sbom_write_opts opts = { spec };
	tl_buf b = TL_BUF_INIT;
	tl_err err = tl_sbom_write_cyclonedx(&b, doc, &opts);

	if (err)
		fail_msg("write: %s", tl_error_last());
	return tl_buf_detach(&b);
}

static tl_sbom *reread(const char *text)
{
	json_t *root = NULL;
	tl_sbom *doc = NULL;

	assert_int_equal(tl_json_parse(&root, text, strlen(text), "out.json", NULL), TL_OK);
	if (tl_sbom_read_cyclonedx(&doc, root, "out.json") != TL_OK)
		fail_msg("re-read: %s", tl_error_last());
	json_decref(root);
	return doc;
}

static void assert_str_eq_null(const char *a, const char *b, const char *what, const char *file)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
		fail_msg("%s: %s differs: \"%s\" vs \"%s\"", file, what, a ? a : "(null)", b ? b : "(null)");
}

static void assert_component_equal(const tl_sbom_component *a, const tl_sbom_component *b, const char *file)
{
	assert_str_eq_null(a->ref, b->ref, "ref", file);
	assert_str_eq_null(a->name, b->name, "name", file);
	assert_str_eq_null(a->group, b->group, "group", file);
	assert_str_eq_null(a->version, b->version, "version", file);
	assert_str_eq_null(a->description, b->description, "description", file);
	assert_str_eq_null(a->supplier, b->supplier, "supplier", file);
	assert_str_eq_null(a->author, b->author, "author", file);
	assert_str_eq_null(a->purl, b->purl, "purl", file);
	assert_str_eq_null(a->cpe, b->cpe, "cpe", file);
	assert_str_eq_null(a->license, b->license, "license", file);
	assert_str_eq_null(a->copyright, b->copyright, "copyright", file);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->scope, b->scope);
	assert_int_equal(a->n_hashes, b->n_hashes);
	for (size_t i = 0; i < a->n_hashes; i++) {
		assert_int_equal(a->hashes[i].alg, b->hashes[i].alg);
		assert_string_equal(a->hashes[i].hex, b->hashes[i].hex);
	}
	assert_int_equal(a->n_files, b->n_files);
	for (size_t i = 0; i < a->n_files; i++)
		assert_string_equal(a->files[i], b->files[i]);
	assert_int_equal(a->n_props, b->n_props);
	for (size_t i = 0; i < a->n_props; i++) {
		assert_string_equal(a->props[i].name, b->props[i].name);
		assert_str_eq_null(a->props[i].value, b->props[i].value, "property value", file);
	}
}

static void assert_doc_equal(const tl_sbom *a, const tl_sbom *b, const char *file)
{
	assert_int_equal(a->n_components, b->n_components);
	for (size_t i = 0; i < a->n_components; i++)
		assert_component_equal(&a->components[i], &b->components[i], file);
	assert_int_equal(a->subject != NULL, b->subject != NULL);
	if (a->subject)
		assert_component_equal(a->subject, b->subject, file);
	assert_int_equal(a->n_deps, b->n_deps);
	for (size_t i = 0; i < a->n_deps; i++) {
		assert_string_equal(a->deps[i].ref, b->deps[i].ref);
		assert_int_equal(a->deps[i].n_deps, b->deps[i].n_deps);
		for (size_t j = 0; j < a->deps[i].n_deps; j++)
			assert_string_equal(a->deps[i].deps[j], b->deps[i].deps[j]);
	}
	assert_int_equal(a->n_authors, b->n_authors);
	for (size_t i = 0; i < a->n_authors; i++) {
		assert_str_eq_null(a->authors[i].name, b->authors[i].name, "author name", file);
		assert_str_eq_null(a->authors[i].email, b->authors[i].email, "author email", file);
	}
	assert_str_eq_null(a->supplier, b->supplier, "metadata supplier", file);
	assert_str_eq_null(a->manufacturer, b->manufacturer, "manufacturer", file);
	assert_str_eq_null(a->lifecycle, b->lifecycle, "lifecycle", file);
	assert_int_equal(a->n_props, b->n_props);
	if (a->timestamp)
		assert_int_equal(a->timestamp, b->timestamp);
}

/* Components in the JSON, nested ones included, counted independently of
 * the reader; every purl seen is checked to be in doc. */
static size_t count_json_components(const json_t *parent, const tl_sbom *doc, const char *file)
{
	const json_t *arr = json_object_get(parent, "components"), *c;
	size_t i, n = 0;

	json_array_foreach(arr, i, c) {
		const char *purl = json_string_value(json_object_get(c, "purl"));
		const char *name = json_string_value(json_object_get(c, "name"));
		bool found = false;
		for (size_t k = 0; k < doc->n_components && !found; k++) {
			const tl_sbom_component *m = &doc->components[k];
			found = strcmp(m->name, name) == 0 && (!purl || (m->purl && strcmp(m->purl, purl) == 0));
		}
		if (!found)
			fail_msg("%s: component %s (%s) not in the model", file, name, purl ? purl : "-");
		n += 1 + count_json_components(c, doc, file);
	}
	return n;
}

static size_t count_json_edges(const json_t *root)
{
	const json_t *arr = json_object_get(root, "dependencies"), *d;
	size_t i, n = 0;

	json_array_foreach(arr, i, d)
		n += json_array_size(json_object_get(d, "dependsOn"));
	return n;
}

static void roundtrip_dir(const char *version)
{
	const char *shared = getenv("TL_SHARED_DATA");
	char dir[4096];
	size_t files = 0;

	if (!shared)
		skip();
	snprintf(dir, sizeof(dir), "%s/cyclonedx/test-boms/%s", shared, version);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char file[8192];
		json_t *root = NULL;
		tl_sbom *doc = NULL, *doc2 = NULL;
		char *out, *out2;
		size_t edges = 0;

		if (strncmp(e->d_name, "valid-", 6) != 0 || !strstr(e->d_name, ".json"))
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, e->d_name);
		assert_int_equal(tl_json_load_file(&root, file, NULL), TL_OK);
		if (tl_sbom_read_cyclonedx(&doc, root, file) != TL_OK)
			fail_msg("%s", tl_error_last());
		/* independent facts from the JSON itself */
		size_t want = count_json_components(root, doc, file);
		const json_t *meta_comp = json_object_get(json_object_get(root, "metadata"), "component");
		if (meta_comp) {
			assert_non_null(doc->subject);
			assert_string_equal(doc->subject->name, json_string_value(json_object_get(meta_comp, "name")));
			want += count_json_components(meta_comp, doc, file);
		}
		assert_int_equal(doc->n_components, want);
		for (size_t i = 0; i < doc->n_deps; i++)
			edges += doc->deps[i].n_deps;
		/* the model de-duplicates edges; it never invents any */
		assert_true(edges <= count_json_edges(root));
		if (count_json_edges(root))
			assert_true(edges > 0);

		assert_int_equal(tl_sbom_normalize(doc), TL_OK);
		out = write_doc(doc, "1.6");
		doc2 = reread(out);
		assert_int_equal(tl_sbom_normalize(doc2), TL_OK);
		assert_doc_equal(doc, doc2, file);
		/* byte-stable: the re-read document writes the same bytes */
		out2 = write_doc(doc2, "1.6");
		if (doc->timestamp && strcmp(out, out2) != 0)
			fail_msg("%s: output not stable across a round trip", file);
		free(out2);
		tl_sbom_free(doc2);
		/* 1.5 output reads back too */
		out2 = write_doc(doc, "1.5");
		doc2 = reread(out2);
		assert_int_equal(doc2->n_components, doc->n_components);
		tl_sbom_free(doc2);
		free(out2);
		free(out);
		tl_sbom_free(doc);
		json_decref(root);
		files++;
	}
	closedir(d);
	assert_true(files >= 20);
}

static void test_cyclonedx__official_1_6_round_trip(void **state)
{
	(void)state;
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	roundtrip_dir("1.6");
}

static void test_cyclonedx__official_1_5_round_trip(void **state)
{
	(void)state;
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	roundtrip_dir("1.5");
}

/* Official invalid BOMs whose fault is in a field the reader keeps. */
static void test_cyclonedx__official_invalid_rejected(void **state)
{
	static const struct { const char *file, *want; } cases[] = {
		{ "1.5/invalid-component-ref-1.5.json", "duplicate bom-ref" },
		{ "1.5/invalid-component-type-1.5.json", ".type: unknown component type" },
		{ "1.5/invalid-dependency-1.5.json", "$.dependencies[0]: missing \"ref\"" },
		{ "1.5/invalid-empty-component-1.5.json", "missing \"name\"" },
		{ "1.5/invalid-hash-alg-1.5.json", "unknown hash algorithm" },
		{ "1.5/invalid-hash-sha512-1.5.json", "hex digits" },
		{ "1.5/invalid-scope-1.5.json", ".scope: expected" },
		{ "1.6/invalid-bomformat-1.6.json", "$.bomFormat" },
		{ "1.6/invalid-hash-md5-1.6.json", "hex digits" },
		{ "1.6/invalid-hash-sha256-1.6.json", "hex digits" },
		{ "1.6/invalid-license-missing-id-and-name-1.6.json", "expected an \"id\" or a \"name\"" },
		{ "1.6/invalid-metadata-timestamp-1.6.json", "$.metadata.timestamp" },
	};
	const char *shared = getenv("TL_SHARED_DATA");

	(void)state;
	if (!shared)
		skip();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char file[4096];
		json_t *root = NULL;
		tl_sbom *doc = NULL;
		tl_err err;
		snprintf(file, sizeof(file), "%s/cyclonedx/test-boms/%s", shared, cases[i].file);
		assert_int_equal(tl_json_load_file(&root, file, NULL), TL_OK);
		err = tl_sbom_read_cyclonedx(&doc, root, file);
		json_decref(root);
		if (err != TL_EPARSE || !strstr(tl_error_last(), cases[i].want))
			fail_msg("%s: got %d \"%s\"", cases[i].file, err, tl_error_last());
		assert_null(doc);
	}
}

static char *slurp_fixture(const char *rel)
{
	const char *dir = getenv("TL_TEST_DATA");
	char path[4096];
	tl_buf b = TL_BUF_INIT;

	if (!dir)
		dir = "tests/data";
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(tl_file_read(&b, path, 0), TL_OK);
	return tl_buf_detach(&b);
}

static void test_cyclonedx__read_legacy_fixture(void **state)
{
	char *text = slurp_fixture("cyclonedx/legacy-1.4.json");
	tl_sbom *doc = read_text(text);
	tl_sbom_component *c;

	(void)state;
	/* 2024-03-01T12:30:00+01:00 is 11:30Z: 19783 days * 86400 + 41400 */
	assert_int_equal(doc->timestamp, (int64_t)19783 * 86400 + 41400);
	assert_int_equal(doc->n_tools, 1);
	assert_string_equal(doc->tools[0].vendor, "OWASP");
	assert_string_equal(doc->tools[0].name, "cyclonedx-cli");
	assert_string_equal(doc->tools[0].version, "0.25.0");
	assert_int_equal(doc->n_authors, 1);
	assert_string_equal(doc->authors[0].email, "jane@example.com");
	assert_string_equal(doc->supplier, "Example Routers Ltd");
	assert_string_equal(doc->manufacturer, "Example Factory");
	assert_non_null(doc->subject);
	assert_string_equal(doc->subject->ref, "fw");
	assert_int_equal(doc->subject->type, TL_COMP_FIRMWARE);
	/* openwrt (nested in the subject), busybox, ash, libbb, zlib */
	assert_int_equal(doc->n_components, 5);
	assert_string_equal(doc->components[0].name, "openwrt");
	assert_int_equal(doc->components[0].type, TL_COMP_OPERATING_SYSTEM);
	assert_string_equal(doc->components[0].ref, "component-1"); /* no purl */
	assert_string_equal(doc->components[1].name, "busybox");
	assert_string_equal(doc->components[1].license, "GPL-2.0-only");
	c = &doc->components[2];
	assert_string_equal(c->name, "ash");
	assert_int_equal(c->n_hashes, 1);
	assert_string_equal(c->hashes[0].hex, "a74f733635a19aefb1f73e5947cef59cd7440c6952ef0f03d09d974274cbd6df");
	c = &doc->components[3];
	assert_string_equal(c->name, "libbb");
	/* its purl was free as a ref */
	assert_string_equal(c->ref, "pkg:generic/busybox@1.36.1");
	assert_string_equal(c->license, "LicenseRef-Acme-Proprietary-License-v1--c- AND (MIT OR Apache-2.0)");
	c = &doc->components[4];
	assert_string_equal(c->ref, "pkg:generic/zlib@1.3");
	assert_int_equal(c->scope, TL_SCOPE_OPTIONAL);
	assert_string_equal(c->author, "Jean-loup Gailly, Mark Adler");
	assert_string_equal(c->cpe, "cpe:2.3:a:zlib:zlib:1.3:*:*:*:*:*:*:*");
	assert_int_equal(c->n_files, 2);
	assert_int_equal(c->n_props, 2);

	/* fw appears twice and busybox -> zlib twice in the input */
	assert_int_equal(tl_sbom_normalize(doc), TL_OK);
	assert_int_equal(doc->n_deps, 2);
	assert_string_equal(doc->deps[0].ref, "busybox");
	assert_int_equal(doc->deps[0].n_deps, 1);
	assert_string_equal(doc->deps[1].ref, "fw");
	assert_int_equal(doc->deps[1].n_deps, 2);
	assert_string_equal(doc->deps[1].deps[0], "busybox");
	assert_string_equal(doc->deps[1].deps[1], "pkg:generic/zlib@1.3");

	/* 1.5 output: "manufacture", author as a string; 1.6: manufacturer, authors[] */
	char *out = write_doc(doc, "1.5");
	json_t *root = parse(out);
	json_t *meta = json_object_get(root, "metadata");
	assert_string_equal(json_string_value(json_object_get(root, "specVersion")), "1.5");
	assert_string_equal(json_string_value(json_object_get(json_object_get(meta, "manufacture"), "name")),
	                    "Example Factory");
	assert_null(json_object_get(meta, "manufacturer"));
	assert_string_equal(json_string_value(json_object_get(meta, "timestamp")), "2024-03-01T11:30:00Z");
	json_t *tool = json_array_get(json_object_get(json_object_get(meta, "tools"), "components"), 0);
	assert_string_equal(json_string_value(json_object_get(tool, "group")), "OWASP");
	json_decref(root);
	free(out);
	out = write_doc(doc, NULL);
	root = parse(out);
	meta = json_object_get(root, "metadata");
	assert_string_equal(json_string_value(json_object_get(root, "specVersion")), "1.6");
	assert_string_equal(json_string_value(json_object_get(json_object_get(meta, "manufacturer"), "name")),
	                    "Example Factory");
	json_t *comps = json_object_get(root, "components");
	size_t i;
	json_t *jc;
	bool seen = false;
	json_array_foreach(comps, i, jc) {
		if (strcmp(json_string_value(json_object_get(jc, "name")), "zlib") != 0)
			continue;
		seen = true;
		assert_null(json_object_get(jc, "author"));
		assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(jc, "authors"), 0),
		                                                      "name")),
		                    "Jean-loup Gailly, Mark Adler");
		assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
		                        json_object_get(jc, "evidence"), "occurrences"), 0), "location")),
		                    "/lib/libz.so.1");
	}
	assert_true(seen);
	json_decref(root);
	free(out);
	tl_sbom_free(doc);
	free(text);
}

static bool is_uuid_urn(const char *s)
{
	const char *hex = "0123456789abcdef";

	if (!s || strncmp(s, "urn:uuid:", 9) != 0 || strlen(s) != 45)
		return false;
	s += 9;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!strchr(hex, s[i]) || !s[i]) {
			return false;
		}
	}
	return s[14] == '5' && strchr("89ab", s[19]);
}

static void test_cyclonedx__write_byte_stable(void **state)
{
	static const char text[] =
		"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":["
		"{\"type\":\"library\",\"name\":\"b\",\"version\":\"2\"},"
		"{\"type\":\"library\",\"name\":\"a\",\"version\":\"1\"}]}";
	tl_sbom *doc, *doc2;
	char *o1, *o2, *o3;
	json_t *root;

	(void)state;
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	doc = read_text(text);
	assert_int_equal(doc->timestamp, 0);
	o1 = write_doc(doc, NULL);
	o2 = write_doc(doc, NULL);
	assert_string_equal(o1, o2);
	root = parse(o1);
	/* date -u -d @1700000000 */
	assert_string_equal(json_string_value(json_object_get(json_object_get(root, "metadata"), "timestamp")),
	                    "2023-11-14T22:13:20Z");
	const char *serial = json_string_value(json_object_get(root, "serialNumber"));
	if (!is_uuid_urn(serial))
		fail_msg("serial %s", serial ? serial : "(none)");
	{
		/* the text is jansson's of the same tree (indent 2, keys sorted),
		 * serialNumber in its place; the serial is the SHA-256 of the
		 * document without it (RFC 4122 layout, version 5) */
		char *again = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
		char *without, hex[65], want[46];
		uint8_t md[TL_HASH_MAX_LEN];
		size_t mdlen, o = 9;
		assert_non_null(again);
		assert_int_equal(strlen(o1), strlen(again) + 1);
		assert_memory_equal(o1, again, strlen(again));
		free(again);
		json_t *copy = json_deep_copy(root);
		json_object_del(copy, "serialNumber");
		without = json_dumps(copy, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
		json_decref(copy);
		{
			size_t n = strlen(without);
			char *nl = malloc(n + 2);
			memcpy(nl, without, n);
			memcpy(nl + n, "\n", 2);
			assert_int_equal(tl_hash_buf(TL_HASH_SHA256, nl, n + 1, md, &mdlen), TL_OK);
			free(nl);
		}
		free(without);
		md[6] = (uint8_t)((md[6] & 0x0f) | 0x50);
		md[8] = (uint8_t)((md[8] & 0x3f) | 0x80);
		tl_hex(hex, md, 16);
		memcpy(want, "urn:uuid:", 9);
		for (size_t i = 0; i < 32; i++) {
			if (i == 8 || i == 12 || i == 16 || i == 20)
				want[o++] = '-';
			want[o++] = hex[i];
		}
		want[o] = '\0';
		assert_string_equal(serial, want);
	}
	json_decref(root);
	/* a different document gets a different serial */
	doc2 = read_text(text);
	free(doc2->components[0].version);
	doc2->components[0].version = strdup("3");
	o3 = write_doc(doc2, NULL);
	root = parse(o3);
	assert_true(strcmp(serial = json_string_value(json_object_get(root, "serialNumber")), "") != 0);
	assert_null(strstr(o1, serial));
	json_decref(root);
	/* the output ends in a newline */
	assert_int_equal(o1[strlen(o1) - 1], '\n');
	free(o1);
	free(o2);
	free(o3);
	tl_sbom_free(doc);
	tl_sbom_free(doc2);
	/* a different epoch, a different timestamp */
	setenv("SOURCE_DATE_EPOCH", "0", 1);
	doc = read_text(text);
	o1 = write_doc(doc, NULL);
	assert_non_null(strstr(o1, "\"1970-01-01T00:00:00Z\""));
	free(o1);
	tl_sbom_free(doc);
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
}

static void test_cyclonedx__wrong_types_name_the_path(void **state)
{
	(void)state;
	expect_read_error("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":["
	                  "{\"type\":\"library\",\"name\":\"a\"},{\"type\":\"library\",\"name\":\"b\",\"purl\":5}]}",
	                  TL_EPARSE, "t.json: $.components[1].purl: expected a string");
	expect_read_error("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":{}}",
	                  TL_EPARSE, "t.json: $.components: expected an array");
	expect_read_error("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":["
	                  "{\"name\":\"a\",\"components\":[{\"name\":\"b\",\"hashes\":[{\"alg\":\"SHA-1\",\"content\":[]}]}]}]}",
	                  TL_EPARSE, "$.components[0].components[0].hashes[0].content: expected a string");
	expect_read_error("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":["
	                  "{\"name\":\"a\",\"hashes\":[{\"alg\":\"SHA-1\",\"content\":\"abc\"}]}]}",
	                  TL_EPARSE, "$.components[0].hashes[0].content: expected 32, 40, 64, 96 or 128 hex digits");
	expect_read_error("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{\"type\":\"library\"}]}",
	                  TL_EPARSE, "$.components[0]: missing \"name\"");
	expect_read_error("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":["
	                  "{\"name\":\"a\",\"type\":\"gizmo\"}]}",
	                  TL_EPARSE, "$.components[0].type: unknown component type \"gizmo\"");
	expect_read_error("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":["
	                  "{\"name\":\"a\",\"scope\":\"sometimes\"}]}",
	                  TL_EPARSE, "$.components[0].scope: expected");
	expect_read_error("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":["
	                  "{\"name\":\"a\",\"licenses\":[{\"license\":{\"url\":\"x\"}}]}]}",
	                  TL_EPARSE, "$.components[0].licenses[0].license: expected an \"id\" or a \"name\"");
	expect_read_error("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"metadata\":{\"timestamp\":\"yesterday\"}}",
	                  TL_EPARSE, "$.metadata.timestamp: expected an RFC 3339 date-time");
	expect_read_error("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"metadata\":{\"tools\":\"x\"}}",
	                  TL_EPARSE, "$.metadata.tools: expected an array or an object");
	expect_read_error("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"metadata\":{\"component\":"
	                  "{\"name\":\"fw\",\"supplier\":{\"name\":1}}}}",
	                  TL_EPARSE, "$.metadata.component.supplier.name: expected a string");
	expect_read_error("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"dependencies\":[{\"ref\":\"a\",\"dependsOn\":[1]}]}",
	                  TL_EPARSE, "$.dependencies[0].dependsOn[0]: expected a non-empty bom-ref string");
	expect_read_error("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"dependencies\":[{\"dependsOn\":[]}]}",
	                  TL_EPARSE, "$.dependencies[0]: missing \"ref\"");
	expect_read_error("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":["
	                  "{\"name\":\"a\",\"bom-ref\":\"x\"},{\"name\":\"b\",\"bom-ref\":\"x\"}]}",
	                  TL_EPARSE, "$.components[1].bom-ref: duplicate bom-ref \"x\"");
	expect_read_error("{\"bomFormat\":\"SPDX\",\"specVersion\":\"1.6\"}", TL_EPARSE, "$.bomFormat: expected");
	expect_read_error("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.7\"}", TL_EUNSUPPORTED,
	                  "$.specVersion: CycloneDX \"1.7\" is not supported");
	expect_read_error("[1,2]", TL_EPARSE, "t.json: $: expected a JSON object");
}

static void test_cyclonedx__truncated_input_fails_cleanly(void **state)
{
	char *text = slurp_fixture("cyclonedx/legacy-1.4.json");
	size_t len = strlen(text);

	(void)state;
	for (size_t n = 0; n < len; n++) {
		json_t *root = NULL;
		tl_sbom *doc = NULL;
		tl_err err = tl_json_parse(&root, text, n, "t.json", NULL);
		if (err == TL_OK) {
			/* a prefix that is valid JSON (none here but whitespace-trimmed) must read or fail cleanly */
			err = tl_sbom_read_cyclonedx(&doc, root, "t.json");
			tl_sbom_free(doc);
			json_decref(root);
			continue;
		}
		assert_int_equal(err, TL_EPARSE);
		assert_non_null(strstr(tl_error_last(), "t.json: "));
		assert_non_null(strstr(tl_error_last(), "offset"));
	}
	free(text);
}

static void test_cyclonedx__limits(void **state)
{
	tl_buf b = TL_BUF_INIT;

	(void)state;
	/* a 64 KiB + 1 string in a kept field */
	assert_int_equal(tl_buf_puts(&b, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":"
	                                 "[{\"name\":\"a\",\"description\":\""), TL_OK);
	for (int i = 0; i < 64 * 1024 + 1; i++)
		assert_int_equal(tl_buf_putc(&b, 'x'), TL_OK);
	assert_int_equal(tl_buf_puts(&b, "\"}]}"), TL_OK);
	expect_read_error(b.ptr, TL_ELIMIT, "$.components[0].description: string of 65537 bytes exceeds");
	/* exactly 64 KiB is fine */
	tl_buf_clear(&b);
	assert_int_equal(tl_buf_puts(&b, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":"
	                                 "[{\"name\":\"a\",\"description\":\""), TL_OK);
	for (int i = 0; i < 64 * 1024; i++)
		assert_int_equal(tl_buf_putc(&b, 'x'), TL_OK);
	assert_int_equal(tl_buf_puts(&b, "\"}]}"), TL_OK);
	tl_sbom_free(read_text(b.ptr));
	/* nested components deeper than 64 levels */
	tl_buf_clear(&b);
	assert_int_equal(tl_buf_puts(&b, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\""), TL_OK);
	for (int i = 0; i < 70; i++)
		assert_int_equal(tl_buf_puts(&b, ",\"components\":[{\"name\":\"n\""), TL_OK);
	for (int i = 0; i < 70; i++)
		assert_int_equal(tl_buf_puts(&b, "}]"), TL_OK);
	assert_int_equal(tl_buf_puts(&b, "}"), TL_OK);
	json_t *root = NULL;
	tl_json_limits lim = { 0, 1000 };
	tl_sbom *doc = NULL;
	assert_int_equal(tl_json_parse(&root, b.ptr, b.len, "t.json", &lim), TL_OK);
	assert_int_equal(tl_sbom_read_cyclonedx(&doc, root, "t.json"), TL_ELIMIT);
	assert_non_null(strstr(tl_error_last(), "nested deeper than 64 levels"));
	assert_null(doc);
	json_decref(root);
	tl_buf_dispose(&b);
}

static void test_cyclonedx__writer_keeps_output_schema_valid(void **state)
{
	tl_sbom *doc = NULL;
	tl_sbom_component *c;
	char *out, big[2100];
	json_t *root, *jc;

	(void)state;
	assert_int_equal(tl_sbom_new(&doc), TL_OK);
	assert_int_equal(tl_sbom_add_component(doc, &c), TL_OK);
	c->name = strdup("x");
	c->ref = strdup("");
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	c->version = strdup(big);
	c->type = TL_COMP_CRYPTOGRAPHIC_ASSET;
	assert_int_equal(tl_sbom_component_add_hash(c, TL_SBOM_HASH_SHA256, "abc"), TL_OK);
	assert_int_equal(tl_sbom_add_tool(doc, "v", "t", "1"), TL_OK);
	assert_int_equal(tl_sbom_add_tool(doc, "v", "t", "1"), TL_OK);
	/* no name and an empty name both write "name": "" (the schema requires it) */
	assert_int_equal(tl_sbom_add_tool(doc, NULL, NULL, NULL), TL_OK);
	assert_int_equal(tl_sbom_add_tool(doc, NULL, "", NULL), TL_OK);
	doc->serial = strdup("urn:uuid:NOT-A-UUID");
	doc->lifecycle = strdup("post-build");
	out = write_doc(doc, "1.6");
	root = parse(out);
	jc = json_array_get(json_object_get(root, "components"), 0);
	assert_null(json_object_get(jc, "bom-ref"));     /* minLength 1 */
	assert_null(json_object_get(jc, "hashes"));      /* hash-content pattern */
	assert_int_equal(json_string_length(json_object_get(jc, "version")), 1024); /* 1.6 maxLength */
	assert_string_equal(json_string_value(json_object_get(jc, "type")), "cryptographic-asset");
	assert_int_equal(json_array_size(json_object_get(json_object_get(json_object_get(root, "metadata"), "tools"),
	                                                 "components")), 2); /* uniqueItems */
	assert_true(is_uuid_urn(json_string_value(json_object_get(root, "serialNumber"))));
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
	                        json_object_get(root, "metadata"), "lifecycles"), 0), "phase")), "post-build");
	json_decref(root);
	free(out);
	out = write_doc(doc, "1.5");
	root = parse(out);
	jc = json_array_get(json_object_get(root, "components"), 0);
	assert_string_equal(json_string_value(json_object_get(jc, "type")), "data"); /* no crypto type in 1.5 */
	assert_int_equal(json_string_length(json_object_get(jc, "version")), sizeof(big) - 1);
	json_decref(root);
	free(out);
	tl_buf b = TL_BUF_INIT;
	tl_sbom_write_opts bad = { "1.4" };
	assert_int_equal(tl_sbom_write_cyclonedx(&b, doc, &bad), TL_EUNSUPPORTED);
	tl_buf_dispose(&b);
	tl_sbom_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cyclonedx__model_name_tables),
		cmocka_unit_test(test_cyclonedx__model_build_and_free),
		cmocka_unit_test(test_cyclonedx__model_dependency_no_duplicate_edges),
		cmocka_unit_test(test_cyclonedx__model_normalize_orders_and_dedupes),
		cmocka_unit_test(test_cyclonedx__model_component_copy),
		cmocka_unit_test(test_cyclonedx__official_1_6_round_trip),
		cmocka_unit_test(test_cyclonedx__official_1_5_round_trip),
		cmocka_unit_test(test_cyclonedx__official_invalid_rejected),
		cmocka_unit_test(test_cyclonedx__read_legacy_fixture),
		cmocka_unit_test(test_cyclonedx__write_byte_stable),
		cmocka_unit_test(test_cyclonedx__wrong_types_name_the_path),
		cmocka_unit_test(test_cyclonedx__truncated_input_fails_cleanly),
		cmocka_unit_test(test_cyclonedx__limits),
		cmocka_unit_test(test_cyclonedx__writer_keeps_output_schema_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
