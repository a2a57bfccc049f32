/*
 * Unit tests of the fast JSON parser (src/core/json_fast.c).  Each case is
 * a rule of RFC 8259 as jansson 2.14 applies it, with the verdict that rule
 * gives (accepted or rejected), checked twice: against the rule, and
 * against json_loadb(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY) on the same
 * bytes, whose value the fast parser's must equal in types, bytes and key
 * order (json_same).  Then every .json file of the shared real data, both
 * ways; allocation failures (TL_ENOMEM, never a wrong verdict); and the
 * callers: tl_json_parse keeps jansson's message for an invalid text.
 */
#include <ftw.h>
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
#include "core/core_int.h"
#include "json_same.h"

/* Both parsers on data; fails the test if they disagree.  Returns the
 * verdict. */
static bool both_ways(const char *data, size_t len)
{
	json_t *fast = NULL, *ref;
	json_error_t jerr;
	tl_err err = tl__json_fast_parse(&fast, data, len);

	ref = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if ((err == TL_OK) != (ref != NULL)) {
		print_error("disagree on %zu bytes \"%.*s\": fast %d, jansson %s\n", len,
		            (int)(len < 80 ? len : 80), data, err, ref ? "accepts" : jerr.text);
		fail();
	}
	assert_true(err == TL_OK || err == TL_EPARSE);
	if (ref) {
		assert_true(json_equal(fast, ref));
		assert_true(json_same(fast, ref));
	} else {
		assert_null(fast);
	}
	json_decref(fast);
	json_decref(ref);
	return err == TL_OK;
}

typedef struct {
	const char *s;
	size_t len;
	bool valid; /* what the rule says */
} json_case;

/* C(text, verdict): the length of a literal, NUL bytes in it included */
#define C(text, ok) { text, sizeof(text) - 1, ok }

static void run_cases(const json_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool got = both_ways(cases[i].s, cases[i].len);
		if (got != cases[i].valid) {
			print_error("case %zu \"%.*s\": expected %s\n", i, (int)cases[i].len, cases[i].s,
			            cases[i].valid ? "valid" : "invalid");
			fail();
		}
	}
}

/* RFC 8259 section 2: ws = space, tab, LF, CR and nothing else; a text is
 * one value with ws around it, nothing after it; jansson: no BOM. */
static void test_json_fast__whitespace_and_text(void **state)
{
	static const json_case cases[] = {
		C(" \t\r\n1 \t\r\n", true), C("1", true), C("\"x\"", true), C("1 ", true),
		C("", false), C("   ", false), C("\f1", false), C("\v1", false),
		C("1\f", false), C("\xc2\xa0" "1", false), C("\xef\xbb\xbf{}", false),
		C("1 2", false), C("{} {}", false), C("[]x", false), C("[]]", false),
		C("true", true), C("false", true), C("null", true), C("True", false),
		C("nul", false), C("nulll", false), C("truex", false), C("[truefalse]", false),
		C("[true,false,null]", true), C("[true false]", false),
	};

	(void)state;
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(tl__json_fast_parse(&(json_t *){ NULL }, NULL, 0), TL_EPARSE);
}

/* Section 6: '-'? int frac? exp?, int without leading zeros; jansson: no
 * '.' and no exponent is an integer (strtoll: out of range is an error),
 * else a real (strtod: overflow an error, underflow not). */
static void test_json_fast__numbers(void **state)
{
	static const json_case cases[] = {
		C("0", true), C("-0", true), C("-0.0", true), C("01", false), C("-01", false),
		C("00", false), C("+1", false), C("1.", false), C(".1", false), C("1.5", true),
		C("1e5", true), C("1E+5", true), C("1e-5", true), C("1e", false), C("1e+", false),
		C("1.e5", false), C("-", false), C("--1", false), C("- 1", false), C("0x10", false),
		C("Infinity", false), C("-Infinity", false), C("NaN", false), C("1.5e3", true),
		C("9223372036854775807", true), C("9223372036854775808", false),
		C("-9223372036854775808", true), C("-9223372036854775809", false),
		C("100000000000000000000", false), C("18446744073709551616", false),
		C("1e308", true), C("1e309", false), C("-1e309", false), C("1e-400", true),
		C("-1e-400", true), C("4.9e-324", true), C("1.7976931348623157e308", true),
		C("1.7976931348623159e308", false), C("123456789012345678901234567890.5", true),
		C("[1,2.0,-3e1]", true), C("[1.5.3]", false), C("[1e5e5]", false),
	};
	json_t *v = NULL;

	(void)state;
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
	/* integer or real by the text alone, as jansson decides it */
	assert_int_equal(tl__json_fast_parse(&v, "[1,1.0,1e0,-0,-0.0]", 19), TL_OK);
	assert_true(json_is_integer(json_array_get(v, 0)));
	assert_true(json_is_real(json_array_get(v, 1)));
	assert_true(json_is_real(json_array_get(v, 2)));
	assert_true(json_is_integer(json_array_get(v, 3)));
	assert_int_equal(json_integer_value(json_array_get(v, 3)), 0);
	assert_true(json_is_real(json_array_get(v, 4)));
	json_decref(v);
	assert_int_equal(tl__json_fast_parse(&v, "-9223372036854775808", 20), TL_OK);
	assert_true(json_integer_value(v) == INT64_MIN);
	json_decref(v);
}

/* Section 7: control characters must be escaped; the escapes are \" \\ \/
 * \b \f \n \r \t \uXXXX; a character outside the BMP is a surrogate pair;
 * jansson: a lone surrogate and \u0000 are errors. */
static void test_json_fast__strings(void **state)
{
	static const json_case cases[] = {
		C("\"\"", true), C("\"abc\"", true), C("\"a\x01\"", false), C("\"a\x1f\"", false),
		C("\"a\x7f\"", true), C("\"a\nb\"", false), C("\"a\tb\"", false),
		C("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", true), C("\"\\a\"", false), C("\"\\x41\"", false),
		C("\"\\'\"", false), C("\"\\U0041\"", false), C("\"\\u0041\"", true),
		C("\"\\u00e9\\u00E9\"", true), C("\"\\u004\"", false), C("\"\\u004g\"", false),
		C("\"\\uD83D\\uDE00\"", true), C("\"\\ud83d\\ude00\"", true), C("\"\\uD83D\"", false),
		C("\"\\uDE00\"", false), C("\"\\uD83D\\u0041\"", false), C("\"\\uD83Dx\"", false),
		C("\"\\uD83D\\uD83D\"", false), C("\"\\uDBFF\\uDFFF\"", true), C("\"\\u0000\"", false),
		C("\"a\\u0000b\"", false), C("{\"\\u0000\":1}", false), C("{\"a\\u0000\":1}", false),
		C("\"abc", false), C("\"\\", false), C("\"\\u12", false), C("\"\\uD83D\\u", false),
		C("\"\\uffff\"", true), C("\"\\u0080\\u07ff\\u0800\"", true),
		C("[\"a\",\"b\\nc\",\"\\u00e9x\\\"y\"]", true),
	};
	json_t *v = NULL;

	(void)state;
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
	/* the escapes' bytes, from the RFC and UTF-8 (RFC 3629) */
	assert_int_equal(tl__json_fast_parse(&v, "\"\\u00e9\\uD83D\\uDE00\\/\\t\"", 24), TL_OK);
	assert_int_equal(json_string_length(v), 8);
	assert_memory_equal(json_string_value(v), "\xc3\xa9\xf0\x9f\x98\x80/\t", 8);
	json_decref(v);
}

/* RFC 3629: well-formed UTF-8 only (no overlong form, no surrogate, nothing
 * above U+10FFFF, no stray or missing continuation byte); jansson checks
 * every byte of the input. */
static void test_json_fast__utf8(void **state)
{
	static const json_case cases[] = {
		C("\"\xc3\xa9\"", true), C("\"\xe2\x82\xac\"", true), C("\"\xf0\x9f\x98\x80\"", true),
		C("\"\xc2\x80\"", true), C("\"\xdf\xbf\"", true), C("\"\xe0\xa0\x80\"", true),
		C("\"\xed\x9f\xbf\"", true), C("\"\xee\x80\x80\"", true), C("\"\xef\xbf\xbf\"", true),
		C("\"\xf0\x90\x80\x80\"", true), C("\"\xf4\x8f\xbf\xbf\"", true),
		C("\"\xf4\x90\x80\x80\"", false), C("\"\xc0\x80\"", false), C("\"\xc1\xbf\"", false),
		C("\"\xe0\x80\x80\"", false), C("\"\xe0\x9f\xbf\"", false), C("\"\xf0\x8f\xbf\xbf\"", false),
		C("\"\xed\xa0\x80\"", false), C("\"\xed\xbf\xbf\"", false), C("\"\x80\"", false),
		C("\"\xbf\"", false), C("\"\xf5\x80\x80\x80\"", false), C("\"\xf8\x88\x80\x80\x80\"", false),
		C("\"\xff\"", false), C("\"\xfe\"", false), C("\"\xc3\"", false), C("\"\xe2\x82\"", false),
		C("\"\xf0\x9f\x98\"", false), C("\"\xc3x\"", false), C("\"\xe2\x82x\"", false),
		C("\xc3\xa9", false), C("[1,\xc3\xa9]", false), C("{\"\xc3\xa9\":\"\xe2\x82\xac\"}", true),
		C("{\"\xc3\":1}", false), C("\"ascii then \xe2\x82\xac then more ascii text\"", true),
	};

	(void)state;
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* A NUL byte is no JSON anywhere; jansson 2.14 alone skips one NUL right
 * after a number or a literal (its lexer puts that byte back, and a NUL
 * put back looks like an empty buffer). */
static void test_json_fast__nul_bytes(void **state)
{
	static const json_case cases[] = {
		C("\0", false), C("1\0", true), C("1\0\0", false), C("[1\0,2]", true),
		C("[1\0 ,2]", true), C("[1 \0,2]", false), C("[1\0\0]", false), C("\"a\"\0", false),
		C("\"a\0b\"", false), C("true\0", true), C("null\0", true), C("false\0 ", true),
		C("[true\0]", true), C("1.5\0", true), C("-0\0", true), C("{\"a\":1\0}", true),
		C("{\"a\"\0:1}", false), C("[]\0", false), C("{}\0", false), C("1\0x", false),
		C("-\0", false), C("1.\0", false), C("1e\0", false), C("\0 1", false),
	};

	(void)state;
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Section 4 and 5: members and elements separated by commas, no trailing
 * comma; jansson: a repeated key is an error (JSON_REJECT_DUPLICATES), and
 * an object iterates in the order of its keys in the text. */
static void test_json_fast__objects_and_arrays(void **state)
{
	static const json_case cases[] = {
		C("{}", true), C("{ }", true), C("{\"a\":1}", true), C(" { \"a\" : 1 , \"b\" : [ ] } ", true),
		C("{\"a\":1,}", false), C("{,}", false), C("{\"a\"}", false), C("{\"a\" 1}", false),
		C("{\"a\":}", false), C("{1:1}", false), C("{\"a\":1 \"b\":2}", false),
		C("{\"a\":1,\"a\":2}", false), C("{\"a\":1,\"b\":{\"a\":2}}", true),
		C("{\"a\":1,\"\\u0061\":2}", false), C("{\"a\":[],\"a\":{}}", false),
		C("{\"a\":{\"b\":1,\"b\":2}}", false), C("{'a':1}", false), C("{\"a\":1}}", false),
		C("{\"a\":1", false), C("{\"a\"", false), C("{", false), C("[]", true), C("[ ]", true),
		C("[1,]", false), C("[,1]", false), C("[1 2]", false), C("[", false), C("]", false),
		C("[[]]", true), C("[1]]", false), C("[1,,2]", false), C("[{}]", true),
		C("[{\"a\":[{\"b\":null}]},[[]]]", true), C("{\"\":0}", true), C("{\"\":0,\"\":1}", false),
	};
	static const char *const order[] = { "zeta", "alpha", "\xc3\xa9", "mid", "a\nb" };
	const char *text = "{\"zeta\":1,\"alpha\":{},\"\\u00e9\":[],\"mid\":\"x\",\"a\\nb\":null}";
	json_t *v = NULL;
	size_t k = 0;
	void *it;

	(void)state;
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(tl__json_fast_parse(&v, text, strlen(text)), TL_OK);
	for (it = json_object_iter(v); it; it = json_object_iter_next(v, it), k++)
		assert_string_equal(json_object_iter_key(it), order[k]);
	assert_int_equal(k, 5);
	json_decref(v);
}

/* jansson: a value inside N containers is at depth N + 1, and depth above
 * JSON_PARSER_MAX_DEPTH (2048) is an error. */
static void test_json_fast__depth(void **state)
{
	const size_t max = JSON_PARSER_MAX_DEPTH;
	char *b = malloc(8 * max + 64); /* the deepest object text: 6 bytes a level */
	size_t n;

	(void)state;
	assert_non_null(b);
	for (size_t levels = max - 2; levels <= max + 1; levels++) {
		for (int inner = 0; inner < 2; inner++) {
			memset(b, '[', levels);
			n = levels;
			if (inner)
				b[n++] = '1';
			memset(b + n, ']', levels);
			n += levels;
			/* `levels` arrays, and a number at depth levels + 1 */
			assert_int_equal(both_ways(b, n), inner ? levels + 1 <= max : levels <= max);
		}
		/* objects: {"a":{"a":...{}...}} */
		n = 0;
		for (size_t i = 0; i + 1 < levels; i++) {
			memcpy(b + n, "{\"a\":", 5);
			n += 5;
		}
		b[n++] = '{';
		memset(b + n, '}', levels);
		n += levels;
		assert_int_equal(both_ways(b, n), levels <= max);
	}
	free(b);
}

static unsigned long n_files, n_valid;

static int each_json(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	tl_buf b = TL_BUF_INIT;
	size_t len = strlen(path);

	(void)st;
	(void)ftw;
	if (type != FTW_F || len < 5 || strcmp(path + len - 5, ".json") != 0)
		return 0;
	assert_int_equal(tl_file_read(&b, path, 0), TL_OK);
	n_files++;
	if (both_ways(b.ptr, b.len))
		n_valid++;
	tl_buf_dispose(&b);
	return 0;
}

/* Every .json file of ../shared/data (CycloneDX and SPDX examples, OSV,
 * NVD, OpenVEX, KEV, test vectors), valid or not, both ways. */
static void test_json_fast__shared_data(void **state)
{
	const char *dir = getenv("TL_SHARED_DATA");

	(void)state;
	if (!dir)
		skip();
	assert_int_equal(nftw(dir, each_json, 16, FTW_PHYS), 0);
	print_message("%lu files, %lu valid JSON\n", n_files, n_valid);
	assert_true(n_files > 1000);
	assert_true(n_valid > 1000);
	assert_true(n_valid < n_files); /* the test vectors hold invalid ones */
}

/* jansson's allocator failing at the k-th allocation, for every k until
 * the parse gets through: each attempt ends in TL_ENOMEM (no value, no
 * leak), never in "not valid". */
static size_t alloc_left;

static void *failing_malloc(size_t n)
{
	if (!alloc_left)
		return NULL;
	alloc_left--;
	return malloc(n);
}

static void test_json_fast__out_of_memory(void **state)
{
	const char *text = "{\"components\":[{\"name\":\"a\\u00e9\",\"v\":[1,2.5,true]},{\"k\":{}}],\"x\":\"y\"}";
	json_t *v = NULL;
	tl_err err = TL_ENOMEM;
	size_t k;

	(void)state;
	json_object_seed(1); /* before the allocator fails: the seed is set once */
	json_set_alloc_funcs(failing_malloc, free);
	for (k = 0; k < 1000 && err == TL_ENOMEM; k++) {
		alloc_left = k;
		err = tl__json_fast_parse(&v, text, strlen(text));
		if (err == TL_ENOMEM)
			assert_null(v);
	}
	json_set_alloc_funcs(malloc, free);
	assert_int_equal(err, TL_OK);
	assert_true(k > 10); /* it did fail on the way */
	assert_true(both_ways(text, strlen(text)));
	json_decref(v);
}

/* tl_json_parse: the fast parser's value when valid; jansson's message
 * (line, column, offset, text) when not, as before it existed. */
static void test_json_fast__tl_json_parse_keeps_messages(void **state)
{
	static const char *const bad[] = { "[1,]", "{\"a\":1,\"a\":2}", "\"\\ud800\"", "1e400",
	                                   "{\"a\" 1}", "\"\xc0\x80\"" };
	json_t *v = NULL;
	char want[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_error_t jerr;
		char quoted[JSON_ERROR_TEXT_LENGTH + 4];
		assert_null(json_loadb(bad[i], strlen(bad[i]), JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr));
		tl__quote(quoted, sizeof(quoted), jerr.text);
		snprintf(want, sizeof(want), "t.json: line %d column %d (offset %d): %s", jerr.line,
		         jerr.column, jerr.position, quoted);
		assert_int_equal(tl_json_parse(&v, bad[i], strlen(bad[i]), "t.json", NULL), TL_EPARSE);
		assert_null(v);
		assert_string_equal(tl_error_last(), want);
	}
	assert_int_equal(tl_json_parse(&v, "{\"b\":[1],\"a\":\"x\"}", 17, "t.json", NULL), TL_OK);
	assert_true(both_ways("{\"b\":[1],\"a\":\"x\"}", 17));
	assert_string_equal(json_object_iter_key(json_object_iter(v)), "b");
	json_decref(v);
}

/* tl__json_utf8_valid against json_stringn itself: every string of one and
 * two bytes, every lead byte with every second byte before ASCII, and
 * 300,000 pseudo-random strings of 3 to 6 bytes from the bytes that matter. */
static void test_json_fast__utf8_valid_as_jansson(void **state)
{
	static const unsigned char pick[] = { 0x00, 0x22, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
	                                      0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF,
	                                      0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF };
	unsigned char b[8];
	uint64_t x = 88172645463325252ull;

	(void)state;
	for (unsigned len = 1; len <= 2; len++) {
		for (unsigned v = 0; v < (1u << (8 * len)); v++) {
			json_t *j;
			b[0] = (unsigned char)v;
			b[1] = (unsigned char)(v >> 8);
			j = json_stringn((const char *)b, len);
			if ((j != NULL) != tl__json_utf8_valid((const char *)b, len))
				fail_msg("%u bytes %02x %02x: jansson %d", len, b[0], b[1], j != NULL);
			json_decref(j);
		}
	}
	for (int i = 0; i < 300000; i++) {
		size_t len = 3 + (size_t)(i % 4);
		json_t *j;
		for (size_t k = 0; k < len; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			b[k] = pick[x % sizeof(pick)];
		}
		j = json_stringn((const char *)b, len);
		if ((j != NULL) != tl__json_utf8_valid((const char *)b, len))
			fail_msg("%02x %02x %02x %02x %02x %02x (%zu bytes): jansson %d", b[0], b[1], b[2], b[3], b[4],
			         b[5], len, j != NULL);
		json_decref(j);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_fast__whitespace_and_text),
		cmocka_unit_test(test_json_fast__numbers),
		cmocka_unit_test(test_json_fast__strings),
		cmocka_unit_test(test_json_fast__utf8),
		cmocka_unit_test(test_json_fast__utf8_valid_as_jansson),
		cmocka_unit_test(test_json_fast__nul_bytes),
		cmocka_unit_test(test_json_fast__objects_and_arrays),
		cmocka_unit_test(test_json_fast__depth),
		cmocka_unit_test(test_json_fast__shared_data),
		cmocka_unit_test(test_json_fast__out_of_memory),
		cmocka_unit_test(test_json_fast__tl_json_parse_keeps_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
