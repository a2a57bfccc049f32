/*
 * Unit tests of src/sbom/purl.c: the package-url specification's own test
 * suite (tests/data/purl/test-suite-data.json, see tests/data/SOURCES.md),
 * examples from the specification's documents, and hostile input.
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
#include "trustline/sbom.h"

static const char *test_data(void)
{
	const char *d = getenv("TL_TEST_DATA");
	return d ? d : "tests/data";
}

/* Parses s and builds it again; returns the built string (caller frees). */
static char *roundtrip(const char *s)
{
	tl_purl p;
	char *out = NULL;

	assert_int_equal(tl_purl_parse(&p, s), TL_OK);
	assert_int_equal(tl_purl_build(&out, &p), TL_OK);
	tl_purl_dispose(&p);
	return out;
}

static void assert_str_or_null(const char *got, const json_t *want, const char *what, const char *purl)
{
	if (json_is_null(want) || !want) {
		if (got)
			fail_msg("%s: %s: expected null, got \"%s\"", purl, what, got);
		return;
	}
	if (!got)
		fail_msg("%s: %s: expected \"%s\", got NULL", purl, what, json_string_value(want));
	if (strcmp(got, json_string_value(want)) != 0)
		fail_msg("%s: %s: expected \"%s\", got \"%s\"", purl, what, json_string_value(want), got);
}

/* Every case of the specification's test suite: parse, components,
 * canonical string, build from components, and invalid cases fail. */
static void test_purl__spec_test_suite(void **state)
{
	char path[4096];
	json_t *suite = NULL, *tc;
	size_t i, n_valid = 0, n_invalid = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/purl/test-suite-data.json", test_data());
	assert_int_equal(tl_json_load_file(&suite, path, NULL), TL_OK);
	assert_true(json_is_array(suite));
	json_array_foreach(suite, i, tc) {
		const char *purl = json_string_value(json_object_get(tc, "purl"));
		const char *canon = json_string_value(json_object_get(tc, "canonical_purl"));
		const json_t *quals = json_object_get(tc, "qualifiers");
		tl_purl p;
		char *built = NULL;
		tl_err err;

		assert_non_null(purl);
		err = tl_purl_parse(&p, purl);
		if (json_is_true(json_object_get(tc, "is_invalid"))) {
			if (err != TL_EPARSE)
				fail_msg("case %zu \"%s\": invalid purl parsed (err %d)", i, purl, err);
			assert_non_null(strstr(tl_error_last(), "not a valid purl (\""));
			assert_null(p.type);
			assert_null(p.name);
			n_invalid++;
			continue;
		}
		if (err != TL_OK)
			fail_msg("case %zu \"%s\": %s", i, purl, tl_error_last());
		assert_str_or_null(p.type, json_object_get(tc, "type"), "type", purl);
		assert_str_or_null(p.namespace, json_object_get(tc, "namespace"), "namespace", purl);
		assert_str_or_null(p.name, json_object_get(tc, "name"), "name", purl);
		assert_str_or_null(p.version, json_object_get(tc, "version"), "version", purl);
		assert_str_or_null(p.subpath, json_object_get(tc, "subpath"), "subpath", purl);
		if (json_is_null(quals)) {
			assert_int_equal(p.n_qualifiers, 0);
		} else {
			const char *k;
			json_t *v;
			assert_int_equal(p.n_qualifiers, json_object_size(quals));
			json_object_foreach((json_t *)quals, k, v)
				assert_str_or_null(tl_purl_get_qualifier(&p, k), v, k, purl);
			for (size_t j = 1; j < p.n_qualifiers; j++)
				assert_true(strcmp(p.qualifiers[j - 1].key, p.qualifiers[j].key) < 0);
		}
		assert_int_equal(tl_purl_build(&built, &p), TL_OK);
		if (strcmp(built, canon) != 0)
			fail_msg("case %zu \"%s\": built \"%s\", canonical is \"%s\"", i, purl, built, canon);
		free(built);
		tl_purl_dispose(&p);
		assert_null(p.type);

		/* The canonical form is a fixed point. */
		built = roundtrip(canon);
		assert_string_equal(built, canon);
		free(built);

		/* Build from the expected components alone. */
		{
			tl_purl q = { 0 };
			tl_purl_qualifier qs[16];
			const char *k;
			json_t *v;
			size_t nq = 0;
			q.type = (char *)json_string_value(json_object_get(tc, "type"));
			q.namespace = (char *)json_string_value(json_object_get(tc, "namespace"));
			q.name = (char *)json_string_value(json_object_get(tc, "name"));
			q.version = (char *)json_string_value(json_object_get(tc, "version"));
			q.subpath = (char *)json_string_value(json_object_get(tc, "subpath"));
			if (json_is_object(quals)) {
				json_object_foreach((json_t *)quals, k, v) {
					assert_true(nq < 16);
					qs[nq].key = (char *)k;
					qs[nq].value = (char *)json_string_value(v);
					nq++;
				}
			}
			q.qualifiers = qs;
			q.n_qualifiers = nq;
			assert_int_equal(tl_purl_build(&built, &q), TL_OK);
			assert_string_equal(built, canon);
			free(built);
		}
		n_valid++;
	}
	assert_true(n_valid >= 20);
	assert_true(n_invalid >= 10);
	json_decref(suite);
}

/*
 * Cases of later revisions of the specification's tests
 * (tests/spec/specification-test.json): purls that must not parse.
 */
static void test_purl__spec_invalid_inputs(void **state)
{
	static const char *const bad[] = {
		"pkg:n&g?inx/nginx@0.8.9",           /* invalid character in type */
		"pkg:3nginx/nginx@0.8.9",             /* type starts with a number */
		"pkg:nginx:a/nginx@0.8.9",            /* colon in type */
		"pkg%3Amaven/org.apache.commons/io",  /* encoded colon after scheme */
		"pkg:npm/myartifact@1.0.0?in%20production=true",
		"pkg:maven/@1.3.4",
		"",
		"pkg:",
		"pkg:/",
		"pkg:maven",
		"pkg:maven/",
		"pkg:maven//",
		"pkg:%6Daven/io",                     /* type is never encoded */
		"http://example.com/pkg:maven/a/b",
	};
	tl_purl p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (tl_purl_parse(&p, bad[i]) != TL_EPARSE)
			fail_msg("\"%s\" parsed", bad[i]);
		assert_null(p.type);
		assert_int_equal(p.n_qualifiers, 0);
	}
}

/*
 * Examples from the specification's documents, which are canonical as
 * written: PURL-TYPES "generic" examples, the checksum round trip of
 * tests/spec/specification-test.json, and DESIGN.md's identifiers.
 */
static void test_purl__spec_examples_are_canonical(void **state)
{
	static const char *const canon[] = {
		"pkg:generic/openssl@1.1.10g?checksum=sha256:de4d501267da&download_url=https://openssl.org/source/openssl-1.1.0g.tar.gz",
		"pkg:generic/bitwarderl?vcs_url=git%2Bhttps://git.fsfe.org/dxtr/bitwarderl%40cc55108da32",
		"pkg:generic/bitwarderl?checksum=sha1:ad9503c3e994a4f%2Csha256:41bf9088b3a1e6c1ef1d",
		"pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64&distro=debian-12",
		"pkg:generic/busybox@1.36.1",
		"pkg:npm/%40angular/animation@12.3.1",
		"pkg:golang/google.golang.org/genproto#googleapis/api/annotations",
		"pkg:docker/customer/dockerimage@sha256:244fd47e07d1004f0aed9c?repository_url=gcr.io",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(canon) / sizeof(canon[0]); i++) {
		char *b = roundtrip(canon[i]);
		if (strcmp(b, canon[i]) != 0)
			fail_msg("\"%s\" built as \"%s\"", canon[i], b);
		free(b);
	}
}

/*
 * The two cases that revision 01c25407 of test-suite-data.json added: their
 * components must parse as given; their canonical_purl there encodes ':'
 * as %3A, which the specification forbids ("the colon ':' ... MUST NOT be
 * percent-encoded", docs/standard/characters-and-encoding.md), so the
 * canonical form follows that rule instead.
 */
static void test_purl__encoded_url_qualifiers(void **state)
{
	tl_purl p;
	char *b = NULL;

	(void)state;
	assert_int_equal(tl_purl_parse(&p, "pkg:npm/packageurl-js@0.0.7?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Fpackage-url%2Fpackageurl-js.git"), TL_OK);
	assert_string_equal(p.name, "packageurl-js");
	assert_string_equal(p.version, "0.0.7");
	assert_string_equal(tl_purl_get_qualifier(&p, "vcs_url"), "git+https://github.com/package-url/packageurl-js.git");
	assert_int_equal(tl_purl_build(&b, &p), TL_OK);
	assert_string_equal(b, "pkg:npm/packageurl-js@0.0.7?vcs_url=git%2Bhttps://github.com/package-url/packageurl-js.git");
	free(b);
	tl_purl_dispose(&p);

	assert_int_equal(tl_purl_parse(&p, "pkg:npm/packageurl-js@0.0.7?download_url=https%3A%2F%2Fregistry.npmjs.org%2Fpackageurl-js%2F-%2Fpackageurl-js-0.0.7.tgz"), TL_OK);
	assert_string_equal(tl_purl_get_qualifier(&p, "download_url"), "https://registry.npmjs.org/packageurl-js/-/packageurl-js-0.0.7.tgz");
	tl_purl_dispose(&p);
}

static void test_purl__error_message_names_purl(void **state)
{
	tl_purl p;

	(void)state;
	assert_int_equal(tl_purl_parse(&p, "pkg:deb/"), TL_EPARSE);
	assert_string_equal(tl_error_last(), "not a valid purl (\"pkg:deb/\"): missing name");
	assert_int_equal(tl_purl_parse(&p, "deb/debian/curl"), TL_EPARSE);
	assert_string_equal(tl_error_last(), "not a valid purl (\"deb/debian/curl\"): expected the scheme \"pkg:\"");
	assert_int_equal(tl_purl_parse(&p, "pkg:generic/a%zz"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "name: '%' not followed by two hex digits"));
	assert_int_equal(tl_purl_parse(&p, "pkg:generic/a?x=1&X=2"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "qualifier key \"x\" appears twice"));
	/* Control bytes are not echoed into the message. */
	assert_int_equal(tl_purl_parse(&p, "pkg:\x1b[2J/x"), TL_EPARSE);
	assert_null(strchr(tl_error_last(), '\x1b'));
}

static void test_purl__percent_decoding(void **state)
{
	static const char *const bad[] = {
		"pkg:generic/a%", "pkg:generic/a%4", "pkg:generic/a%g1", "pkg:generic/a%00b",
		"pkg:generic/a@1%2", "pkg:generic/a?k=%zz", "pkg:generic/a#x/%", "pkg:generic/%zz/a",
	};
	tl_purl p;
	char *b = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (tl_purl_parse(&p, bad[i]) != TL_EPARSE)
			fail_msg("\"%s\" parsed", bad[i]);
	/* Lower-case hex decodes; build writes upper-case hex. */
	assert_int_equal(tl_purl_parse(&p, "pkg:generic/a%2fb%3a@1%2B2"), TL_OK);
	assert_string_equal(p.name, "a/b:");
	assert_string_equal(p.version, "1+2");
	assert_int_equal(tl_purl_build(&b, &p), TL_OK);
	assert_string_equal(b, "pkg:generic/a%2Fb:@1%2B2");
	free(b);
	tl_purl_dispose(&p);
}

static void test_purl__build_encodes(void **state)
{
	tl_purl_qualifier q[] = {
		{ "z", "a&b=c#d?e/f:g" },
		{ "A", "x y" },
		{ "empty", "" },
	};
	tl_purl p = {
		.type = "Generic", .namespace = "/my ns//sub/", .name = "n@me/\xc3\xa9#?",
		.version = "1.0 rc/1", .qualifiers = q, .n_qualifiers = 3,
		.subpath = "/./a b/../c/",
	};
	char *b = NULL;

	(void)state;
	assert_int_equal(tl_purl_build(&b, &p), TL_OK);
	/* unreserved and ':' as is; everything else %XX; qualifier values keep '/'. */
	assert_string_equal(b, "pkg:generic/my%20ns/sub/n%40me%2F%C3%A9%23%3F@1.0%20rc%2F1"
	                       "?a=x%20y&z=a%26b%3Dc%23d%3Fe/f:g#a%20b/c");
	free(b);
}

static void test_purl__build_rejects_bad_components(void **state)
{
	tl_purl_qualifier dup[] = { { "arch", "x" }, { "ARCH", "y" } };
	tl_purl_qualifier badkey[] = { { "in production", "true" } };
	tl_purl p = { .type = "npm", .name = "x" };
	char *b = NULL;

	(void)state;
	p.type = NULL;
	assert_int_equal(tl_purl_build(&b, &p), TL_EINVAL);
	p.type = "3nginx";
	assert_int_equal(tl_purl_build(&b, &p), TL_EINVAL);
	p.type = "n&g";
	assert_int_equal(tl_purl_build(&b, &p), TL_EINVAL);
	p.type = "npm";
	p.name = NULL;
	assert_int_equal(tl_purl_build(&b, &p), TL_EINVAL);
	p.name = "";
	assert_int_equal(tl_purl_build(&b, &p), TL_EINVAL);
	p.name = "x";
	p.qualifiers = dup;
	p.n_qualifiers = 2;
	assert_int_equal(tl_purl_build(&b, &p), TL_EINVAL);
	p.qualifiers = badkey;
	p.n_qualifiers = 1;
	assert_int_equal(tl_purl_build(&b, &p), TL_EINVAL);
	p.n_qualifiers = 0;
	p.type = "swift"; /* namespace and version required */
	assert_int_equal(tl_purl_build(&b, &p), TL_EINVAL);
	assert_null(b);
}

static void test_purl__qualifiers(void **state)
{
	tl_purl p;
	char *b = NULL;

	(void)state;
	assert_int_equal(tl_purl_parse(&p, "pkg:deb/debian/curl@7?distro=jessie&&Arch=i386&empty=&z=%26"), TL_OK);
	assert_int_equal(p.n_qualifiers, 3);
	assert_string_equal(p.qualifiers[0].key, "arch");
	assert_string_equal(p.qualifiers[1].key, "distro");
	assert_string_equal(p.qualifiers[2].key, "z");
	assert_string_equal(tl_purl_get_qualifier(&p, "arch"), "i386");
	assert_string_equal(tl_purl_get_qualifier(&p, "ARCH"), "i386");
	assert_string_equal(tl_purl_get_qualifier(&p, "z"), "&");
	assert_null(tl_purl_get_qualifier(&p, "empty"));
	assert_null(tl_purl_get_qualifier(&p, "nope"));
	assert_int_equal(tl_purl_build(&b, &p), TL_OK);
	assert_string_equal(b, "pkg:deb/debian/curl@7?arch=i386&distro=jessie&z=%26");
	free(b);
	tl_purl_dispose(&p);

	assert_int_equal(tl_purl_parse(&p, "pkg:deb/debian/curl?arch"), TL_EPARSE);
	assert_int_equal(tl_purl_parse(&p, "pkg:deb/debian/curl?1arch=x"), TL_EPARSE);
	assert_int_equal(tl_purl_parse(&p, "pkg:deb/debian/curl?a%62=x"), TL_EPARSE);
}

static void test_purl__subpath_and_namespace_segments(void **state)
{
	tl_purl p;

	(void)state;
	assert_int_equal(tl_purl_parse(&p, "pkg:golang//google.golang.org//genproto#/./a/../b//.%2E/c/"), TL_OK);
	assert_string_equal(p.namespace, "google.golang.org");
	assert_string_equal(p.subpath, "a/b/c");
	tl_purl_dispose(&p);
	assert_int_equal(tl_purl_parse(&p, "pkg:generic/x#/./../"), TL_OK);
	assert_null(p.subpath);
	assert_null(p.namespace);
	tl_purl_dispose(&p);
}

/* Type rules from PURL-TYPES: deb and apk namespace and name lower-cased,
 * rpm namespace only, pypi '_' to '-', generic and others left alone. */
static void test_purl__type_normalisation(void **state)
{
	static const char *const cases[][2] = {
		{ "pkg:DEB/Debian/OpenSSL@3.0.15-1", "pkg:deb/debian/openssl@3.0.15-1" },
		{ "pkg:apk/Alpine/BusyBox@1.36.1-r2?arch=x86_64", "pkg:apk/alpine/busybox@1.36.1-r2?arch=x86_64" },
		{ "pkg:rpm/Fedora/Curl@7", "pkg:rpm/fedora/Curl@7" },
		{ "pkg:pypi/Foo_Bar@1_0", "pkg:pypi/foo-bar@1_0" },
		{ "pkg:generic/BusyBox@1.36.1", "pkg:generic/BusyBox@1.36.1" },
		{ "pkg:opkg/OpenWrt/Dropbear@2022", "pkg:opkg/OpenWrt/Dropbear@2022" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *b = roundtrip(cases[i][0]);
		assert_string_equal(b, cases[i][1]);
		free(b);
	}
}

static void test_purl__limits(void **state)
{
	size_t max = 64 * 1024;
	char *s = malloc(max + 2);
	tl_purl p;
	char *b = NULL;

	(void)state;
	assert_non_null(s);
	memcpy(s, "pkg:generic/", 12);
	memset(s + 12, 'a', max + 1 - 12);
	s[max] = '\0'; /* exactly 64 KiB */
	assert_int_equal(tl_purl_parse(&p, s), TL_OK);
	assert_int_equal(strlen(p.name), max - 12);
	assert_int_equal(tl_purl_build(&b, &p), TL_OK);
	assert_string_equal(b, s);
	free(b);
	/* Encoding triples it past the limit. */
	memset(p.name, ' ', strlen(p.name));
	assert_int_equal(tl_purl_build(&b, &p), TL_ELIMIT);
	assert_null(b);
	tl_purl_dispose(&p);
	s[max] = 'a';
	s[max + 1] = '\0';
	assert_int_equal(tl_purl_parse(&p, s), TL_ELIMIT);
	assert_non_null(strstr(tl_error_last(), "longer than 65536 bytes"));
	assert_true(strlen(tl_error_last()) < 300);
	assert_null(p.name);
	free(s);
}

/* Every prefix of a full purl either parses or fails cleanly. */
static void test_purl__truncated_and_garbage(void **state)
{
	static const char full[] = "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie#usr/bin";
	char buf[sizeof(full)];
	tl_purl p;
	uint32_t x = 12345;

	(void)state;
	for (size_t n = 0; n < sizeof(full); n++) {
		tl_err err;
		memcpy(buf, full, n);
		buf[n] = '\0';
		err = tl_purl_parse(&p, buf);
		assert_true(err == TL_OK || err == TL_EPARSE);
		if (err == TL_OK) {
			char *b = NULL;
			assert_int_equal(tl_purl_build(&b, &p), TL_OK);
			free(b);
		} else {
			assert_null(p.name);
		}
		tl_purl_dispose(&p);
	}
	/* Pseudo-random bytes after the scheme. */
	for (int round = 0; round < 2000; round++) {
		char g[64] = "pkg:";
		size_t n = 4 + round % 50;
		tl_err err;
		for (size_t i = 4; i < n; i++) {
			x = x * 1103515245u + 12345u;
			g[i] = (char)(1 + (x >> 16) % 255);
		}
		g[n] = '\0';
		err = tl_purl_parse(&p, g);
		assert_true(err == TL_OK || err == TL_EPARSE);
		tl_purl_dispose(&p);
	}
	assert_int_equal(tl_purl_parse(&p, NULL), TL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_purl__spec_test_suite),
		cmocka_unit_test(test_purl__spec_invalid_inputs),
		cmocka_unit_test(test_purl__spec_examples_are_canonical),
		cmocka_unit_test(test_purl__encoded_url_qualifiers),
		cmocka_unit_test(test_purl__error_message_names_purl),
		cmocka_unit_test(test_purl__percent_decoding),
		cmocka_unit_test(test_purl__build_encodes),
		cmocka_unit_test(test_purl__build_rejects_bad_components),
		cmocka_unit_test(test_purl__qualifiers),
		cmocka_unit_test(test_purl__subpath_and_namespace_segments),
		cmocka_unit_test(test_purl__type_normalisation),
		cmocka_unit_test(test_purl__limits),
		cmocka_unit_test(test_purl__truncated_and_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
