/*
 * Unit tests of src/sbom/cpe.c: the CPE 2.3 formatted string binding of
 * NISTIR 7695, its examples, every `criteria` string of the NVD API 2.0
 * records in TL_SHARED_DATA (and a copy in tests/data/cpe), and malformed
 * names.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <jansson.h>

#include "trustline/core.h"
#include "trustline/sbom.h"

static const char *test_data(void)
{
	const char *d = getenv("TL_TEST_DATA");
	return d ? d : "tests/data";
}

/* Parses s, checks build gives s back. */
static void assert_roundtrip(const char *s)
{
	tl_cpe c;
	char *b = NULL;

	if (tl_cpe_parse(&c, s) != TL_OK)
		fail_msg("\"%s\" does not parse: %s", s, tl_error_last());
	assert_int_equal(tl_cpe_build(&b, &c), TL_OK);
	if (strcmp(b, s) != 0)
		fail_msg("\"%s\" built as \"%s\"", s, b);
	free(b);
	tl_cpe_dispose(&c);
}

/* NISTIR 7695 section 6.2 examples (binding and unbinding the FS). */
static void test_cpe__nistir7695_examples(void **state)
{
	tl_cpe c;

	(void)state;
	/* 6.2.2.3 Example 1 */
	assert_int_equal(tl_cpe_parse(&c, "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*"), TL_OK);
	assert_string_equal(c.part, "a");
	assert_string_equal(c.vendor, "microsoft");
	assert_string_equal(c.product, "internet_explorer");
	assert_string_equal(c.version, "8.0.6001");
	assert_string_equal(c.update, "beta");
	assert_string_equal(c.edition, "*");
	assert_string_equal(c.language, "*");
	assert_string_equal(c.sw_edition, "*");
	assert_string_equal(c.target_sw, "*");
	assert_string_equal(c.target_hw, "*");
	assert_string_equal(c.other, "*");
	tl_cpe_dispose(&c);
	assert_null(c.part);

	/* Example 2: wildcards at the end of values */
	assert_int_equal(tl_cpe_parse(&c, "cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*"), TL_OK);
	assert_string_equal(c.version, "8.*");
	assert_string_equal(c.update, "sp?");
	tl_cpe_dispose(&c);

	/* Example 3: NA */
	assert_int_equal(tl_cpe_parse(&c, "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*"), TL_OK);
	assert_string_equal(c.update, "-");
	assert_string_equal(c.sw_edition, "online");
	assert_string_equal(c.target_sw, "win2003");
	assert_string_equal(c.target_hw, "x64");
	tl_cpe_dispose(&c);

	/* Example 4: quoted characters; a quoted '\' stays quoted */
	assert_int_equal(tl_cpe_parse(&c, "cpe:2.3:a:foo\\\\bar:big\\$money_manager_2010:*:*:*:*:special:ipod_touch:80gb:*"), TL_OK);
	assert_string_equal(c.vendor, "foo\\\\bar");
	assert_string_equal(c.product, "big$money_manager_2010");
	assert_string_equal(c.sw_edition, "special");
	assert_string_equal(c.target_sw, "ipod_touch");
	assert_string_equal(c.target_hw, "80gb");
	tl_cpe_dispose(&c);

	/* 6.2.3 unbinding examples */
	assert_int_equal(tl_cpe_parse(&c, "cpe:2.3:a:microsoft:internet_explorer:8.\\*:sp?:*:*:*:*:*:*"), TL_OK);
	assert_string_equal(c.version, "8.\\*"); /* a literal '*', not a wildcard */
	tl_cpe_dispose(&c);
	assert_int_equal(tl_cpe_parse(&c, "cpe:2.3:a:hp:openview_network_manager:7.51:*:*:*:*:linux:*:*"), TL_OK);
	assert_string_equal(c.target_sw, "linux");
	tl_cpe_dispose(&c);

	assert_roundtrip("cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*");
	assert_roundtrip("cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*");
	assert_roundtrip("cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*");
	assert_roundtrip("cpe:2.3:a:foo\\\\bar:big\\$money_manager_2010:*:*:*:*:special:ipod_touch:80gb:*");
	assert_roundtrip("cpe:2.3:a:microsoft:internet_explorer:8.\\*:sp?:*:*:*:*:*:*");
	assert_roundtrip("cpe:2.3:a:hp:openview_network_manager:7.51:*:*:*:*:linux:*:*");
	assert_roundtrip("cpe:2.3:o:microsoft:windows_xp:*:sp2:*:en-us:*:*:*:*");
	assert_roundtrip("cpe:2.3:h:*:*:*:*:*:*:*:*:*:*");
	assert_roundtrip("cpe:2.3:a:??foo*:*bar??:\\?:\\:x\\::*:*:*:*:*:*");
}

static size_t check_file_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	size_t n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!*line)
			continue;
		assert_roundtrip(line);
		n++;
	}
	fclose(f);
	return n;
}

/* Copy of the NVD criteria strings, always present. */
static void test_cpe__nvd_criteria_fixture(void **state)
{
	char path[4096];

	(void)state;
	snprintf(path, sizeof(path), "%s/cpe/nvd-criteria.txt", test_data());
	assert_true(check_file_lines(path) >= 200);
}

static void walk_criteria(const json_t *v, size_t *n)
{
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x) {
			if (strcmp(k, "criteria") == 0 && json_is_string(x)) {
				assert_roundtrip(json_string_value(x));
				(*n)++;
			} else {
				walk_criteria(x, n);
			}
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
			walk_criteria(x, n);
	}
}

static void walk_dir(const char *dir, size_t *files, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		size_t len;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		len = strlen(e->d_name);
		if (S_ISDIR(st.st_mode)) {
			walk_dir(path, files, n);
		} else if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
			json_t *root = NULL;
			if (tl_json_load_file(&root, path, NULL) != TL_OK)
				continue;
			walk_criteria(root, n);
			json_decref(root);
			(*files)++;
		}
	}
	closedir(d);
}

/* Every criteria string of the NVD API 2.0 records parses and round-trips. */
static void test_cpe__nvd_api2_criteria(void **state)
{
	const char *shared = getenv("TL_SHARED_DATA");
	char dir[4096];
	size_t files = 0, n = 0;

	(void)state;
	if (!shared) {
		skip();
		return;
	}
	snprintf(dir, sizeof(dir), "%s/nvd/api2", shared);
	walk_dir(dir, &files, &n);
	assert_true(files > 0);
	assert_true(n >= 200);
}

static void test_cpe__invalid_names(void **state)
{
	static const char *const bad[] = {
		"",
		"cpe:2.3",
		"cpe:2.3:",
		"cpe:/a:microsoft:internet_explorer:8.0.6001:beta",  /* 2.2 URI binding */
		"cpe:2.2:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*",
		"CPE:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*",
		" cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*",
		"cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*",     /* 10 */
		"cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*:*", /* 12 */
		"cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*:",
		"cpe:2.3:a:microsoft:internet_explorer:8.0.6001::*:*:*:*:*:*",       /* empty */
		"cpe:2.3::microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*",
		"cpe:2.3:x:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*",   /* part */
		"cpe:2.3:-:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*",
		"cpe:2.3:ao:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*",
		"cpe:2.3:a:micro*soft:ie:8:*:*:*:*:*:*:*",      /* wildcard inside */
		"cpe:2.3:a:micro?soft:ie:8:*:*:*:*:*:*:*",
		"cpe:2.3:a:microsoft:ie:**:*:*:*:*:*:*:*",
		"cpe:2.3:a:microsoft:ie:8**:*:*:*:*:*:*:*",
		"cpe:2.3:a:microsoft:ie:8*?:*:*:*:*:*:*:*",
		"cpe:2.3:a:microsoft:ie:?*:*:*:*:*:*:*:*",
		"cpe:2.3:a:microsoft:ie:??:*:*:*:*:*:*:*",
		"cpe:2.3:a:microsoft:ie:*?8:*:*:*:*:*:*:*",
		"cpe:2.3:a:microsoft:ie:8\\q:*:*:*:*:*:*:*",     /* bad escape */
		"cpe:2.3:a:microsoft:ie:8\\.0:*:*:*:*:*:*:*",    /* '.' is never quoted */
		"cpe:2.3:a:microsoft:ie:8\\-:*:*:*:*:*:*:*",
		"cpe:2.3:a:microsoft:ie:8:*:*:*:*:*:*:x\\",      /* '\' at the end */
		"cpe:2.3:a:micro soft:ie:8:*:*:*:*:*:*:*",       /* unquoted space */
		"cpe:2.3:a:micro$oft:ie:8:*:*:*:*:*:*:*",        /* unquoted punctuation */
		"cpe:2.3:a:micr\xc3\xb6soft:ie:8:*:*:*:*:*:*:*", /* not ASCII */
		"cpe:2.3:a:microsoft:ie:8:*:*:english:*:*:*:*",  /* language tag */
		"cpe:2.3:a:microsoft:ie:8:*:*:en-u:*:*:*:*",
		"cpe:2.3:a:microsoft:ie:8:*:*:e:*:*:*:*",
		"cpe:2.3:a:microsoft:ie:8:*:*:en-us*:*:*:*:*",
	};
	tl_cpe c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (tl_cpe_parse(&c, bad[i]) != TL_EPARSE)
			fail_msg("\"%s\" parsed", bad[i]);
		assert_null(c.part);
		assert_null(c.other);
		assert_non_null(strstr(tl_error_last(), "not a valid CPE 2.3 name (\""));
	}
	assert_int_equal(tl_cpe_parse(&c, NULL), TL_EINVAL);
}

static void test_cpe__error_messages(void **state)
{
	tl_cpe c;

	(void)state;
	assert_int_equal(tl_cpe_parse(&c, "cpe:2.3:a:b:c"), TL_EPARSE);
	assert_string_equal(tl_error_last(), "not a valid CPE 2.3 name (\"cpe:2.3:a:b:c\"): "
	                    "3 attributes after \"cpe:2.3:\", expected 11");
	assert_int_equal(tl_cpe_parse(&c, "cpe:2.3:a:v:p:1*2:*:*:*:*:*:*:*"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "version: unquoted '*' is allowed only at the start or end"));
	assert_int_equal(tl_cpe_parse(&c, "cpe:2.3:a:v:p:1\\x:*:*:*:*:*:*:*"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "version: bad escape"));
	assert_int_equal(tl_cpe_parse(&c, "cpe:2.3:a:v\x1b:p:1:*:*:*:*:*:*:*"), TL_EPARSE);
	assert_null(strchr(tl_error_last(), '\x1b'));
}

static void test_cpe__build(void **state)
{
	tl_cpe c = { 0 };
	char *b = NULL;

	(void)state;
	/* NULL attributes are ANY. */
	c.part = "o";
	c.vendor = "linux";
	c.product = "linux_kernel";
	c.version = "5.10";
	assert_int_equal(tl_cpe_build(&b, &c), TL_OK);
	assert_string_equal(b, "cpe:2.3:o:linux:linux_kernel:5.10:*:*:*:*:*:*:*");
	free(b);

	/* Punctuation is quoted; '.', '-', '_' are not; kept quoting stays. */
	c.vendor = "wp_maintenance_mode_&_coming_soon";
	c.product = "a/b:c@d+e~f,g";
	c.version = "\\*1.0-rc_2*";
	c.update = "\\\\";
	assert_int_equal(tl_cpe_build(&b, &c), TL_OK);
	assert_string_equal(b, "cpe:2.3:o:wp_maintenance_mode_\\&_coming_soon:a\\/b\\:c\\@d\\+e\\~f\\,g:"
	                       "\\*1.0-rc_2*:\\\\:*:*:*:*:*:*");
	free(b);

	/* Values the binding cannot express. */
	c.update = NULL;
	c.version = "1*0";
	assert_int_equal(tl_cpe_build(&b, &c), TL_EINVAL);
	c.version = "";
	assert_int_equal(tl_cpe_build(&b, &c), TL_EINVAL);
	c.version = "1\\.0";
	assert_int_equal(tl_cpe_build(&b, &c), TL_EINVAL);
	c.version = "caf\xc3\xa9";
	assert_int_equal(tl_cpe_build(&b, &c), TL_EINVAL);
	c.version = "1 0";
	assert_int_equal(tl_cpe_build(&b, &c), TL_EINVAL);
	c.version = "1";
	c.part = "x";
	assert_int_equal(tl_cpe_build(&b, &c), TL_EINVAL);
	c.part = "a";
	c.language = "english";
	assert_int_equal(tl_cpe_build(&b, &c), TL_EINVAL);
	assert_null(b);
}

static void test_cpe__limits_and_truncation(void **state)
{
	static const char full[] = "cpe:2.3:a:foo\\\\bar:big\\$money_manager_2010:*:*:*:*:special:ipod_touch:80gb:*";
	size_t max = 64 * 1024;
	char *s = malloc(max + 2);
	char buf[sizeof(full)];
	tl_cpe c;

	(void)state;
	assert_non_null(s);
	memset(s, 'a', max + 1);
	s[max + 1] = '\0';
	memcpy(s, "cpe:2.3:a:", 10);
	assert_int_equal(tl_cpe_parse(&c, s), TL_ELIMIT);
	assert_true(strlen(tl_error_last()) < 400);
	free(s);

	for (size_t n = 0; n + 1 < sizeof(full); n++) {
		tl_err err;
		memcpy(buf, full, n);
		buf[n] = '\0';
		err = tl_cpe_parse(&c, buf);
		/* Only the full name is valid: every shorter one lacks attributes
		 * or ends in a lone '\'. */
		if (err != TL_EPARSE)
			fail_msg("prefix \"%s\": %d", buf, err);
		assert_null(c.part);
	}
	assert_roundtrip(full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpe__nistir7695_examples),
		cmocka_unit_test(test_cpe__nvd_criteria_fixture),
		cmocka_unit_test(test_cpe__nvd_api2_criteria),
		cmocka_unit_test(test_cpe__invalid_names),
		cmocka_unit_test(test_cpe__error_messages),
		cmocka_unit_test(test_cpe__build),
		cmocka_unit_test(test_cpe__limits_and_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
