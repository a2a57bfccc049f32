/*
 * Unit tests of the JSON Schema evaluator: the official CycloneDX test BOMs
 * and SPDX 2.3 examples (verdicts fixed by their authors), and each keyword
 * on hand-written schemas, passing and failing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trustline/sbom.h"
#include "sbom/schema_int.h"

static const char *shared(void)
{
	const char *d = getenv("TL_SHARED_DATA");

	return d ? d : "../shared/data";
}

static json_t *load(const char *path)
{
	json_t *root = NULL;
	tl_json_limits lim = { 0, 0 };

	if (tl_json_load_file(&root, path, &lim) != TL_OK)
		fail_msg("%s: %s", path, tl_error_last());
	return root;
}

static json_t *js(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &e);

	if (!v)
		fail_msg("bad test JSON: %s: %s", text, e.text);
	return v;
}

/* Validates instance text against schema text; returns the code, errors in *out. */
static tl_err check(const char *schema, const char *instance, tl_buf *out)
{
	json_t *s = js(schema), *i = js(instance);
	tl_err err;

	tl_buf_clear(out);
	err = tl__schema_validate_with(s, i, out);
	json_decref(s);
	json_decref(i);
	return err;
}

static void expect_ok(const char *schema, const char *instance)
{
	tl_buf errors = TL_BUF_INIT;
	tl_err err = check(schema, instance, &errors);

	if (err != TL_OK)
		fail_msg("%s against %s: expected valid, got %d: %s", instance, schema, err,
		         errors.ptr ? errors.ptr : tl_error_last());
	tl_buf_dispose(&errors);
}

/* Expects invalid, and the first error line to contain want. */
static void expect_fail(const char *schema, const char *instance, const char *want)
{
	tl_buf errors = TL_BUF_INIT;
	tl_err err = check(schema, instance, &errors);

	if (err != TL_ECHECK)
		fail_msg("%s against %s: expected TL_ECHECK, got %d", instance, schema, err);
	if (!strstr(tl_error_last(), want))
		fail_msg("%s against %s: message \"%s\" lacks \"%s\"", instance, schema, tl_error_last(), want);
	assert_non_null(errors.ptr);
	assert_non_null(strstr(errors.ptr, want));
	tl_buf_dispose(&errors);
}

/* ---- official documents ------------------------------------------------ */

static void run_dir(const char *dir, size_t *n_valid, size_t *n_invalid)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[1024];
		json_t *root;
		tl_buf errors = TL_BUF_INIT;
		tl_err err;
		bool valid = !strncmp(e->d_name, "valid-", 6);
		if (!valid && strncmp(e->d_name, "invalid-", 8))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		root = load(path);
		err = tl_schema_validate(root, TL_SCHEMA_AUTO, &errors);
		if (valid && err != TL_OK)
			fail_msg("%s: expected valid: %s", path, tl_error_last());
		if (!valid) {
			if (err != TL_ECHECK)
				fail_msg("%s: expected TL_ECHECK, got %d", path, err);
			/* the message names the failing path */
			if (strncmp(tl_error_last(), "$", 1) || !strstr(tl_error_last(), ": "))
				fail_msg("%s: message \"%s\" names no path", path, tl_error_last());
			assert_non_null(errors.ptr);
			assert_true(errors.len > 0 && errors.ptr[errors.len - 1] == '\n');
		}
		if (valid)
			(*n_valid)++;
		else
			(*n_invalid)++;
		tl_buf_dispose(&errors);
		json_decref(root);
	}
	closedir(d);
}

static void test_schema__cyclonedx_official_test_boms(void **state)
{
	char dir[1024];
	size_t nv = 0, ni = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/cyclonedx/test-boms/1.5", shared());
	run_dir(dir, &nv, &ni);
	snprintf(dir, sizeof(dir), "%s/cyclonedx/test-boms/1.6", shared());
	run_dir(dir, &nv, &ni);
	assert_true(nv >= 40);
	assert_true(ni >= 30);
}

/* Expected paths of specific official invalid BOMs (read from the files). */
static void test_schema__cyclonedx_invalid_paths(void **state)
{
	static const struct { const char *file, *want; } cases[] = {
		{ "1.6/invalid-metadata-timestamp-1.6.json", "$.metadata.timestamp: \"2020-04-13\" is not a valid date-time (format)" },
		{ "1.6/invalid-hash-sha256-1.6.json", "$.components[0].hashes[2].content: \"foo\" does not match" },
		{ "1.6/invalid-bomformat-1.6.json", "$.bomFormat: \"AnotherFormat\" is not one of \"CycloneDX\" (enum)" },
		{ "1.5/invalid-license-id-1.5.json", "$.components[0].licenses[0].license.id: \"Apache-2\"" },
		{ "1.5/invalid-missing-component-type-1.5.json", "$.components[0]: missing required property \"type\"" },
		{ "1.6/invalid-serialnumber-1.6.json", "$.serialNumber:" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[1024];
		json_t *root;
		snprintf(path, sizeof(path), "%s/cyclonedx/test-boms/%s", shared(), cases[i].file);
		root = load(path);
		assert_int_equal(tl_schema_validate(root, TL_SCHEMA_AUTO, NULL), TL_ECHECK);
		if (strncmp(tl_error_last(), cases[i].want, strlen(cases[i].want)))
			fail_msg("%s: \"%s\" does not start with \"%s\"", path, tl_error_last(), cases[i].want);
		json_decref(root);
	}
}

static void walk_spdx(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[2048];
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR) {
			walk_spdx(path, n);
		} else if (len > 5 && !strcmp(e->d_name + len - 5, ".json") &&
		           (strstr(path, "/spdx2.3/") || strstr(path, "/SPDXVersion2.3/") ||
		            strstr(path, "/spec-examples-2.3/"))) {
			json_t *root = load(path);
			tl_buf errors = TL_BUF_INIT;
			if (tl_schema_validate(root, TL_SCHEMA_AUTO, &errors) != TL_OK)
				fail_msg("%s: expected valid SPDX 2.3: %s", path, errors.ptr ? errors.ptr : tl_error_last());
			/* forcing the schema gives the same verdict */
			assert_int_equal(tl_schema_validate(root, TL_SCHEMA_SPDX_2_3, NULL), TL_OK);
			(*n)++;
			tl_buf_dispose(&errors);
			json_decref(root);
		}
	}
	closedir(d);
}

static void test_schema__spdx_examples_valid(void **state)
{
	char dir[1024];
	size_t n = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/spdx", shared());
	walk_spdx(dir, &n);
	assert_true(n >= 7);
}

static void test_schema__spdx_forged_invalid(void **state)
{
	char path[1024];
	json_t *root, *pkgs;

	(void)state;
	snprintf(path, sizeof(path), "%s/spdx/spec-examples-2.3/SPDXJSONExample-v2.3.spdx.json", shared());
	root = load(path);
	pkgs = json_object_get(root, "packages");
	assert_true(json_is_array(pkgs));
	/* the schema requires SPDXID and name in a package */
	json_object_del(json_array_get(pkgs, 1), "name");
	assert_int_equal(tl_schema_validate(root, TL_SCHEMA_AUTO, NULL), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "$.packages[1]: missing required property \"name\""));
	json_decref(root);
}

static void test_schema__auto_unsupported(void **state)
{
	json_t *v;

	(void)state;
	v = js("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"version\":1}");
	assert_int_equal(tl_schema_validate(v, TL_SCHEMA_AUTO, NULL), TL_EUNSUPPORTED);
	assert_non_null(strstr(tl_error_last(), "1.4"));
	assert_non_null(strstr(tl_error_last(), "CycloneDX 1.6"));
	json_decref(v);
	v = js("{\"spdxVersion\":\"SPDX-2.2\"}");
	assert_int_equal(tl_schema_validate(v, TL_SCHEMA_AUTO, NULL), TL_EUNSUPPORTED);
	assert_non_null(strstr(tl_error_last(), "SPDX-2.3"));
	json_decref(v);
	v = js("[1,2]");
	assert_int_equal(tl_schema_validate(v, TL_SCHEMA_AUTO, NULL), TL_EUNSUPPORTED);
	json_decref(v);
	/* forced: the document is checked against the named schema */
	v = js("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"version\":1}");
	{
		tl_buf e = TL_BUF_INIT;
		assert_int_equal(tl_schema_validate(v, TL_SCHEMA_SPDX_2_3, &e), TL_ECHECK);
		assert_non_null(strstr(e.ptr, "$: missing required property \"spdxVersion\" (required)\n"));
		assert_non_null(strstr(e.ptr, "$.bomFormat: property is not allowed here (additionalProperties)\n"));
		tl_buf_dispose(&e);
	}
	json_decref(v);
	v = js("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1}");
	assert_int_equal(tl_schema_validate(v, TL_SCHEMA_AUTO, NULL), TL_OK);
	assert_int_equal(tl_schema_validate(v, TL_SCHEMA_CYCLONEDX_1_5, NULL), TL_OK);
	assert_int_equal(tl_schema_validate(v, (tl_schema_id)99, NULL), TL_EUNSUPPORTED);
	json_decref(v);
}

/* Every error is listed, one per line, each naming its path. */
static void test_schema__all_errors_listed(void **state)
{
	json_t *v = js("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":\"1\","
	               "\"metadata\":{\"timestamp\":\"2020-13-01T00:00:00Z\"},"
	               "\"components\":[{\"type\":\"library\",\"name\":\"a\"},"
	               "{\"type\":\"library\",\"name\":\"b\",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"xyz\"}]},"
	               "{\"type\":\"nope\",\"name\":\"c\"}]}");
	tl_buf errors = TL_BUF_INIT;
	size_t lines = 0;

	(void)state;
	assert_int_equal(tl_schema_validate(v, TL_SCHEMA_AUTO, &errors), TL_ECHECK);
	for (const char *p = errors.ptr; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	assert_int_equal(lines, 4);
	assert_non_null(strstr(errors.ptr, "$.version: expected integer, got a string (type)\n"));
	assert_non_null(strstr(errors.ptr, "$.metadata.timestamp: \"2020-13-01T00:00:00Z\" is not a valid date-time (format)\n"));
	assert_non_null(strstr(errors.ptr, "$.components[1].hashes[0].content: \"xyz\" does not match"));
	assert_non_null(strstr(errors.ptr, "$.components[2].type: \"nope\" is not one of"));
	/* the thread-local message is the first one */
	assert_true(!strncmp(errors.ptr, tl_error_last(), strlen(tl_error_last())));
	tl_buf_dispose(&errors);
	json_decref(v);
}

/* ---- keywords ---------------------------------------------------------- */

static void test_schema__type(void **state)
{
	(void)state;
	expect_ok("{\"type\":\"integer\"}", "3");
	expect_ok("{\"type\":\"integer\"}", "3.0");
	expect_fail("{\"type\":\"integer\"}", "3.5", "$: expected integer, got a number (type)");
	expect_ok("{\"type\":\"number\"}", "3");
	expect_fail("{\"type\":\"number\"}", "\"3\"", "expected number, got a string (type)");
	expect_ok("{\"type\":[\"string\",\"null\"]}", "null");
	expect_fail("{\"type\":[\"string\",\"null\"]}", "true", "expected null or string, got a boolean");
	expect_fail("{\"type\":\"object\"}", "[]", "got an array");
	expect_ok("{\"type\":\"array\"}", "[]");
}

static void test_schema__properties_required_additional(void **state)
{
	const char *s = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"b-c\":{\"type\":\"integer\"}},"
	                "\"required\":[\"a\"],\"additionalProperties\":false}";
	(void)state;
	expect_ok(s, "{\"a\":\"x\",\"b-c\":1}");
	expect_fail(s, "{\"b-c\":1}", "$: missing required property \"a\" (required)");
	expect_fail(s, "{\"a\":1}", "$.a: expected string, got an integer (type)");
	expect_fail(s, "{\"a\":\"x\",\"z\":1}", "$.z: property is not allowed here (additionalProperties)");
	expect_fail(s, "{\"a\":\"x\",\"b-c\":\"1\"}", "$.b-c: expected integer");
	expect_fail(s, "{\"a\":\"x\",\"b c\":1}", "$[\"b c\"]: property is not allowed");
	/* additionalProperties as a schema */
	expect_ok("{\"additionalProperties\":{\"type\":\"integer\"}}", "{\"x\":1,\"y\":2}");
	expect_fail("{\"additionalProperties\":{\"type\":\"integer\"}}", "{\"x\":1,\"y\":\"2\"}", "$.y: expected integer");
	/* non-objects are not constrained by object keywords */
	expect_ok("{\"required\":[\"a\"],\"additionalProperties\":false}", "\"str\"");
}

static void test_schema__pattern_properties(void **state)
{
	const char *s = "{\"patternProperties\":{\"^x-\":{\"type\":\"string\"},\"\\\\d$\":{\"type\":\"integer\"}},"
	                "\"additionalProperties\":false}";
	(void)state;
	expect_ok(s, "{\"x-a\":\"s\",\"n1\":1}");
	expect_fail(s, "{\"x-a\":1}", "$.x-a: expected string");
	expect_fail(s, "{\"na\":1}", "$.na: property is not allowed");
	/* both patterns apply to "x-1" */
	expect_fail(s, "{\"x-1\":\"s\"}", "$.x-1: expected integer");
}

static void test_schema__items(void **state)
{
	(void)state;
	expect_ok("{\"items\":{\"type\":\"integer\"}}", "[1,2,3]");
	expect_fail("{\"items\":{\"type\":\"integer\"}}", "[1,\"2\",3]", "$[1]: expected integer");
	expect_ok("{\"items\":[{\"type\":\"integer\"},{\"type\":\"string\"}]}", "[1,\"a\",null]");
	expect_fail("{\"items\":[{\"type\":\"integer\"},{\"type\":\"string\"}]}", "[1,2]", "$[1]: expected string");
	expect_fail("{\"items\":[{\"type\":\"integer\"}],\"additionalItems\":false}", "[1,2]",
	            "$[1]: no item is allowed past the 1 listed (additionalItems)");
	expect_fail("{\"items\":[{\"type\":\"integer\"}],\"additionalItems\":{\"type\":\"string\"}}", "[1,\"a\",3]",
	            "$[2]: expected string");
	expect_ok("{\"items\":[{\"type\":\"integer\"}],\"additionalItems\":false}", "[1]");
	expect_fail("{\"minItems\":2}", "[1]", "$: has 1 items, expected at least 2 (minItems)");
	expect_fail("{\"maxItems\":1}", "[1,2]", "expected at most 1 (maxItems)");
	expect_ok("{\"minItems\":1,\"maxItems\":2}", "[1,2]");
	expect_ok("{\"contains\":{\"const\":2}}", "[1,2]");
	expect_fail("{\"contains\":{\"const\":2}}", "[1,3]", "(contains)");
}

static void test_schema__unique_items(void **state)
{
	char big[4096];
	size_t o = 0;

	(void)state;
	expect_ok("{\"uniqueItems\":true}", "[1,\"1\",[1],{\"a\":1},{\"a\":2}]");
	expect_fail("{\"uniqueItems\":true}", "[{\"a\":1,\"b\":[1,2]},2,{\"b\":[1,2],\"a\":1}]",
	            "$: items 0 and 2 are equal, expected unique items (uniqueItems)");
	/* numbers compare by value */
	expect_fail("{\"uniqueItems\":true}", "[1,1.0]", "(uniqueItems)");
	expect_ok("{\"uniqueItems\":false}", "[1,1]");
	/* the hashed path (16 items or more) */
	o += (size_t)snprintf(big + o, sizeof(big) - o, "[");
	for (int i = 0; i < 40; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "%s{\"n\":%d,\"s\":\"v%d\"}", i ? "," : "", i, i);
	snprintf(big + o, sizeof(big) - o, "]");
	expect_ok("{\"uniqueItems\":true}", big);
	big[o] = 0;
	snprintf(big + o, sizeof(big) - o, ",{\"s\":\"v7\",\"n\":7}]");
	expect_fail("{\"uniqueItems\":true}", big, "items 7 and 40 are equal");
}

static void test_schema__enum_const(void **state)
{
	const char *many = "{\"enum\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\",\"m\",\"n\"]}";
	(void)state;
	expect_ok("{\"enum\":[\"a\",1,null,{\"x\":[1]}]}", "{\"x\":[1.0]}");
	expect_ok("{\"enum\":[\"a\",1,null]}", "null");
	expect_fail("{\"enum\":[\"a\",1]}", "\"b\"", "$: \"b\" is not one of \"a\", 1 (enum)");
	expect_ok(many, "\"k\"");
	expect_ok(many, "\"a\"");
	expect_ok(many, "\"n\"");
	expect_fail(many, "\"z\"", "is not one of the 14 allowed values (enum)");
	expect_fail(many, "1", "(enum)");
	expect_ok("{\"const\":\"EC\"}", "\"EC\"");
	expect_fail("{\"const\":\"EC\"}", "\"RSA\"", "$: \"RSA\" is not \"EC\" (const)");
	expect_ok("{\"const\":{\"a\":[1,2]}}", "{\"a\":[1,2]}");
	expect_fail("{\"const\":{\"a\":[1,2]}}", "{\"a\":[2,1]}", "(const)");
}

static void test_schema__combinators(void **state)
{
	const char *one = "{\"oneOf\":[{\"required\":[\"id\"]},{\"required\":[\"name\"]}]}";
	const char *any = "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\",\"minimum\":10}]}";
	(void)state;
	expect_ok(one, "{\"id\":1}");
	expect_ok(one, "{\"name\":1}");
	expect_fail(one, "{}", "$: does not match any of the 2 alternatives (oneOf): [1] missing required property \"id\"");
	expect_fail(one, "{\"id\":1,\"name\":2}", "$: matches alternatives 1 and 2, expected exactly one (oneOf)");
	expect_ok(any, "\"s\"");
	expect_ok(any, "12");
	expect_fail(any, "5", "(anyOf)");
	expect_ok("{\"allOf\":[{\"type\":\"integer\"},{\"minimum\":2}]}", "3");
	expect_fail("{\"allOf\":[{\"type\":\"integer\"},{\"minimum\":2}]}", "1", "$: 1 is less than the minimum 2 (minimum)");
	expect_ok("{\"not\":{\"type\":\"string\"}}", "1");
	expect_fail("{\"not\":{\"type\":\"string\"}}", "\"s\"", "$: matches a schema it must not match (not)");
	/* the deepest alternative explains the failure */
	expect_fail("{\"properties\":{\"l\":{\"oneOf\":[{\"type\":\"array\",\"items\":{\"properties\":{\"id\":{\"enum\":[\"MIT\"]}}}},"
	            "{\"type\":\"string\"}]}}}",
	            "{\"l\":[{\"id\":\"GPL\"}]}", "$.l[0].id: \"GPL\" is not one of \"MIT\" (enum)");
}

static void test_schema__if_then_else(void **state)
{
	const char *s = "{\"if\":{\"properties\":{\"kty\":{\"const\":\"EC\"}}},"
	                "\"then\":{\"required\":[\"crv\"]},\"else\":{\"required\":[\"n\"]}}";
	(void)state;
	expect_ok(s, "{\"kty\":\"EC\",\"crv\":\"P-256\"}");
	expect_fail(s, "{\"kty\":\"EC\"}", "missing required property \"crv\"");
	expect_ok(s, "{\"kty\":\"RSA\",\"n\":\"x\"}");
	expect_fail(s, "{\"kty\":\"RSA\"}", "missing required property \"n\"");
	expect_ok("{\"if\":{\"type\":\"string\"},\"then\":{\"minLength\":2}}", "5");
}

static void test_schema__ref(void **state)
{
	const char *s = "{\"definitions\":{\"a/b\":{\"type\":\"integer\"},\"t~n\":{\"$ref\":\"#/definitions/a~1b\"},"
	                "\"p q\":{\"minimum\":3},"
	                "\"node\":{\"type\":\"object\",\"properties\":{\"kids\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/definitions/node\"}}}}},"
	                "\"properties\":{\"x\":{\"$ref\":\"#/definitions/t~0n\"},\"y\":{\"$ref\":\"#/definitions/p%20q\"},"
	                "\"tree\":{\"$ref\":\"#/definitions/node\"}}}";
	(void)state;
	expect_ok(s, "{\"x\":1,\"y\":4,\"tree\":{\"kids\":[{\"kids\":[]},{}]}}");
	expect_fail(s, "{\"x\":\"1\"}", "$.x: expected integer");
	expect_fail(s, "{\"y\":2}", "$.y: 2 is less than the minimum 3");
	expect_fail(s, "{\"tree\":{\"kids\":[{\"kids\":[1]}]}}", "$.tree.kids[0].kids[0]: expected object");
	/* draft-07: $ref hides its siblings; 2019-09: both apply */
	expect_ok("{\"definitions\":{\"i\":{\"type\":\"integer\"}},\"properties\":{\"x\":{\"$ref\":\"#/definitions/i\",\"minimum\":5}}}",
	          "{\"x\":1}");
	expect_fail("{\"$schema\":\"https://json-schema.org/draft/2019-09/schema\",\"definitions\":{\"i\":{\"type\":\"integer\"}},"
	            "\"properties\":{\"x\":{\"$ref\":\"#/definitions/i\",\"minimum\":5}}}",
	            "{\"x\":1}", "(minimum)");
	/* a bad reference is an error in the schema, not in the instance */
	{
		tl_buf e = TL_BUF_INIT;
		assert_int_equal(check("{\"$ref\":\"#/definitions/none\"}", "1", &e), TL_EPARSE);
		assert_int_equal(check("{\"$ref\":\"other.json\"}", "1", &e), TL_EPARSE);
		assert_int_equal(check("{\"pattern\":\"(\"}", "1", &e), TL_EPARSE);
		tl_buf_dispose(&e);
	}
}

static void test_schema__strings(void **state)
{
	(void)state;
	/* code points, not bytes: "é" is 2 bytes, "😀" 4 */
	expect_ok("{\"maxLength\":2}", "\"\xc3\xa9\xf0\x9f\x98\x80\"");
	expect_fail("{\"maxLength\":1}", "\"\xc3\xa9\xf0\x9f\x98\x80\"", "is longer than 1 characters (maxLength)");
	expect_ok("{\"minLength\":2}", "\"\xc3\xa9\xc3\xa9\"");
	expect_fail("{\"minLength\":1}", "\"\"", "$: \"\" is shorter than 1 characters (minLength)");
	expect_ok("{\"pattern\":\"^[0-9a-f]{4}$\"}", "\"00af\"");
	expect_fail("{\"pattern\":\"^[0-9a-f]{4}$\"}", "\"00AF\"", "does not match the pattern \"^[0-9a-f]{4}$\" (pattern)");
	/* ECMA-262: $ is the end only, \d is ASCII, patterns are not anchored */
	expect_fail("{\"pattern\":\"^a$\"}", "\"a\\n\"", "(pattern)");
	expect_fail("{\"pattern\":\"^\\\\d+$\"}", "\"\xd9\xa3\"", "(pattern)");
	expect_ok("{\"pattern\":\"b\"}", "\"abc\"");
	expect_ok("{\"pattern\":\"^.$\"}", "\"\xf0\x9f\x98\x80\"");
	expect_ok("{\"pattern\":\"^CRE:[0-9]+-[0-9]+$\"}", "\"CRE:764-507\"");
}

static void test_schema__numbers(void **state)
{
	(void)state;
	expect_ok("{\"minimum\":0,\"maximum\":1}", "0");
	expect_ok("{\"minimum\":0,\"maximum\":1}", "1.0");
	expect_fail("{\"minimum\":0,\"maximum\":1}", "1.5", "$: 1.5 is greater than the maximum 1 (maximum)");
	expect_fail("{\"minimum\":0}", "-1", "less than the minimum 0");
	expect_fail("{\"exclusiveMinimum\":0}", "0", "must be greater than 0 (exclusiveMinimum)");
	expect_ok("{\"exclusiveMinimum\":0}", "0.1");
	expect_fail("{\"exclusiveMaximum\":1}", "1", "(exclusiveMaximum)");
	expect_ok("{\"multipleOf\":0.5}", "2.5");
	expect_fail("{\"multipleOf\":2}", "3", "(multipleOf)");
	expect_ok("{\"minimum\":5}", "\"not a number\"");
}

static void test_schema__objects_misc(void **state)
{
	(void)state;
	expect_fail("{\"minProperties\":1}", "{}", "(minProperties)");
	expect_fail("{\"maxProperties\":1}", "{\"a\":1,\"b\":2}", "(maxProperties)");
	expect_ok("{\"dependencies\":{\"a\":[\"b\"]}}", "{\"b\":1}");
	expect_fail("{\"dependencies\":{\"a\":[\"b\"]}}", "{\"a\":1}", "property \"a\" requires property \"b\" (dependencies)");
	expect_fail("{\"dependencies\":{\"a\":{\"required\":[\"c\"]}}}", "{\"a\":1}", "missing required property \"c\"");
	expect_fail("{\"dependentRequired\":{\"a\":[\"b\"]}}", "{\"a\":1}", "requires property \"b\"");
	expect_ok("{\"propertyNames\":{\"maxLength\":3}}", "{\"abc\":1}");
	expect_fail("{\"propertyNames\":{\"maxLength\":3}}", "{\"abcd\":1}", "$.abcd: \"abcd\" is longer than 3");
	expect_ok("true", "{\"any\":1}");
	expect_fail("false", "1", "$: no value is allowed here (false schema)");
	expect_fail("{\"properties\":{\"a\":false}}", "{\"a\":1}", "$.a: no value is allowed here");
}

static void test_schema__formats(void **state)
{
	static const char *good_dt[] = {
		"2020-04-13T20:20:39Z", "2020-04-13T20:20:39.123+02:00", "2024-02-29t00:00:00z",
		"1998-12-31T23:59:60Z", "1998-12-31T15:59:60-08:00",
	};
	static const char *bad_dt[] = {
		"2020-13-01T00:00:00Z", "2020-04-13", "2021-02-29T00:00:00Z", "2020-04-31T00:00:00Z",
		"2020-04-13 20:20:39Z", "2020-04-13T20:20:39", "2020-04-13T24:00:00Z", "2020-04-13T20:20:39.Z",
		"2020-04-13T20:20:39+0200", "2020-04-13T12:00:60Z", "2020-04-13T20:20:39Zjunk",
	};
	char s[256], inst[128];

	(void)state;
	for (size_t i = 0; i < sizeof(good_dt) / sizeof(good_dt[0]); i++) {
		snprintf(inst, sizeof(inst), "\"%s\"", good_dt[i]);
		expect_ok("{\"format\":\"date-time\"}", inst);
	}
	for (size_t i = 0; i < sizeof(bad_dt) / sizeof(bad_dt[0]); i++) {
		snprintf(inst, sizeof(inst), "\"%s\"", bad_dt[i]);
		snprintf(s, sizeof(s), "\"%s\" is not a valid date-time (format)", bad_dt[i]);
		expect_fail("{\"format\":\"date-time\"}", inst, s);
	}
	expect_ok("{\"format\":\"date\"}", "\"2000-02-29\"");
	expect_fail("{\"format\":\"date\"}", "\"1900-02-29\"", "valid date (format)");
	expect_ok("{\"format\":\"idn-email\"}", "\"j\xc3\xb6rg@b\xc3\xbc" "cher.example\"");
	expect_ok("{\"format\":\"email\"}", "\"first.last+tag@example.com\"");
	expect_fail("{\"format\":\"email\"}", "\"j\xc3\xb6rg@example.com\"", "valid email");
	expect_fail("{\"format\":\"idn-email\"}", "\"no-at-sign\"", "valid idn-email");
	expect_fail("{\"format\":\"idn-email\"}", "\"a..b@example.com\"", "valid idn-email");
	expect_fail("{\"format\":\"idn-email\"}", "\"a@-example.com\"", "valid idn-email");
	expect_ok("{\"format\":\"uri\"}", "\"https://example.com/a%20b?q=1#frag\"");
	expect_fail("{\"format\":\"uri\"}", "\"/relative/path\"", "valid uri");
	expect_fail("{\"format\":\"uri\"}", "\"http://exa mple.com\"", "valid uri");
	expect_fail("{\"format\":\"uri\"}", "\"http://example.com/%zz\"", "valid uri");
	expect_ok("{\"format\":\"iri-reference\"}", "\"../r\xc3\xa9sum\xc3\xa9.html#x\"");
	expect_ok("{\"format\":\"iri-reference\"}", "\"urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#ref\"");
	expect_ok("{\"format\":\"iri-reference\"}", "\"\"");
	expect_fail("{\"format\":\"iri-reference\"}", "\"a b\"", "valid iri-reference");
	expect_fail("{\"format\":\"iri-reference\"}", "\"http://x/#a#b\"", "valid iri-reference");
	expect_fail("{\"format\":\"uri-reference\"}", "\"r\xc3\xa9sum\xc3\xa9\"", "valid uri-reference");
	expect_ok("{\"format\":\"iri\"}", "\"http://\xc3\xa9.example/\"");
	expect_ok("{\"format\":\"uuid\"}", "\"3e671687-395b-41f5-a30f-a58921a69b79\"");
	expect_fail("{\"format\":\"uuid\"}", "\"3e671687395b41f5a30fa58921a69b79\"", "valid uuid");
	/* unknown formats are annotations */
	expect_ok("{\"format\":\"hostname-ish\"}", "\"anything\"");
	/* formats apply to strings only */
	expect_ok("{\"format\":\"date-time\"}", "12");
}

/* A deeply nested instance gives a limit error, not a stack overflow. */
static void test_schema__deep_nesting_is_an_error(void **state)
{
	size_t depth = 1800, len = 0, cap = depth * 30 + 200;
	char *text = malloc(cap);
	json_t *root = NULL;
	tl_json_limits lim = { 0, (unsigned)depth + 10 };
	tl_buf errors = TL_BUF_INIT;
	tl_err err;

	(void)state;
	assert_non_null(text);
	/* components nested in components: recursion that the schema follows */
	len += (size_t)snprintf(text + len, cap - len, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"components\":");
	for (size_t i = 0; i < depth / 2; i++)
		len += (size_t)snprintf(text + len, cap - len, "[{\"type\":\"library\",\"name\":\"n\",\"components\":");
	len += (size_t)snprintf(text + len, cap - len, "[]");
	for (size_t i = 0; i < depth / 2; i++)
		len += (size_t)snprintf(text + len, cap - len, "}]");
	len += (size_t)snprintf(text + len, cap - len, "}");
	/* (jansson itself stops at 2048 levels, so stay below that) */
	assert_int_equal(tl_json_parse(&root, text, len, "deep", &lim), TL_OK);
	err = tl_schema_validate(root, TL_SCHEMA_AUTO, &errors);
	assert_int_equal(err, TL_ELIMIT);
	assert_non_null(strstr(tl_error_last(), "$.components[0].components[0]"));
	assert_non_null(strstr(tl_error_last(), "limit"));
	json_decref(root);
	/* a deep free-form value the schema does not descend into is fine */
	{
		json_t *v = js("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,"
		               "\"components\":[{\"type\":\"library\",\"name\":\"n\",\"components\":"
		               "[{\"type\":\"library\",\"name\":\"m\"}]}]}");
		assert_int_equal(tl_schema_validate(v, TL_SCHEMA_AUTO, NULL), TL_OK);
		json_decref(v);
	}
	tl_buf_dispose(&errors);
	free(text);
}

/* The cache is built once and reused; results do not depend on history. */
static void test_schema__repeatable(void **state)
{
	json_t *good = js("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1}");
	json_t *bad = js("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":0}");

	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(tl_schema_validate(good, TL_SCHEMA_AUTO, NULL), TL_OK);
		assert_int_equal(tl_schema_validate(bad, TL_SCHEMA_AUTO, NULL), TL_ECHECK);
		assert_string_equal(tl_error_last(), "$.version: 0 is less than the minimum 1 (minimum)");
	}
	json_decref(good);
	json_decref(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema__cyclonedx_official_test_boms),
		cmocka_unit_test(test_schema__cyclonedx_invalid_paths),
		cmocka_unit_test(test_schema__spdx_examples_valid),
		cmocka_unit_test(test_schema__spdx_forged_invalid),
		cmocka_unit_test(test_schema__auto_unsupported),
		cmocka_unit_test(test_schema__all_errors_listed),
		cmocka_unit_test(test_schema__type),
		cmocka_unit_test(test_schema__properties_required_additional),
		cmocka_unit_test(test_schema__pattern_properties),
		cmocka_unit_test(test_schema__items),
		cmocka_unit_test(test_schema__unique_items),
		cmocka_unit_test(test_schema__enum_const),
		cmocka_unit_test(test_schema__combinators),
		cmocka_unit_test(test_schema__if_then_else),
		cmocka_unit_test(test_schema__ref),
		cmocka_unit_test(test_schema__strings),
		cmocka_unit_test(test_schema__numbers),
		cmocka_unit_test(test_schema__objects_misc),
		cmocka_unit_test(test_schema__formats),
		cmocka_unit_test(test_schema__deep_nesting_is_an_error),
		cmocka_unit_test(test_schema__repeatable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
