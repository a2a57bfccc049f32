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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cyclonedx__model_name_tables),
		cmocka_unit_test(test_cyclonedx__model_build_and_free),
		cmocka_unit_test(test_cyclonedx__model_dependency_no_duplicate_edges),
		cmocka_unit_test(test_cyclonedx__model_normalize_orders_and_dedupes),
		cmocka_unit_test(test_cyclonedx__model_component_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
