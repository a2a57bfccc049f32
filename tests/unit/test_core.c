/*
 * Unit tests of src/core: buffers, the bounded reader, JSON limits,
 * hashing, time.
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

#include <unistd.h>

#include "trustline/core.h"
#include "core/core_int.h"

static void test_core__buf_grows_and_caps(void **state)
{
	tl_buf b = TL_BUF_INIT;

	(void)state;
	for (int i = 0; i < 1000; i++)
		assert_int_equal(tl_buf_printf(&b, "%d,", i), TL_OK);
	assert_int_equal(strncmp(b.ptr, "0,1,2,", 6), 0);
	assert_int_equal(b.ptr[b.len], '\0');
	tl_buf_dispose(&b);

	b.max = 4;
	assert_int_equal(tl_buf_puts(&b, "abcd"), TL_OK);
	assert_int_equal(tl_buf_putc(&b, 'e'), TL_ELIMIT);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.ptr, "abcd");
	tl_buf_dispose(&b);
}

static void test_core__reader_unchanged_after_error(void **state)
{
	static const uint8_t bytes[] = { 0x12, 0x34, 0x56 };
	tl_reader r;
	uint16_t v16;
	uint32_t v32;

	(void)state;
	tl_reader_init(&r, bytes, sizeof(bytes), "t.bin");
	assert_int_equal(tl_reader_be16(&r, &v16), TL_OK);
	assert_int_equal(v16, 0x1234);
	assert_int_equal(tl_reader_be32(&r, &v32), TL_EPARSE);
	assert_int_equal(r.off, 2);
	assert_non_null(strstr(tl_error_last(), "t.bin: offset 2: truncated"));
	tl_reader_init(&r, bytes, sizeof(bytes), "t.bin");
	assert_int_equal(tl_reader_le16(&r, &v16), TL_OK);
	assert_int_equal(v16, 0x3412);
}

static void test_core__array_grow(void **state)
{
	int *arr = NULL, *slot;
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(tl__array_grow((void **)&arr, &n, sizeof(int), (void **)&slot), TL_OK);
		*slot = i;
	}
	for (int i = 0; i < 1000; i++)
		assert_int_equal(arr[i], i);
	free(arr);
}

static void test_core__json_rejects_duplicates_and_depth(void **state)
{
	json_t *v = NULL;
	tl_json_limits lim = { 0, 8 };
	char deep[64];

	(void)state;
	assert_int_equal(tl_json_parse(&v, "{\"a\":1,\"a\":2}", 13, "d.json", NULL), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "d.json: line 1"));
	assert_non_null(strstr(tl_error_last(), "duplicate"));
	memset(deep, '[', 9);
	memset(deep + 9, ']', 9);
	assert_int_equal(tl_json_parse(&v, deep, 18, "deep.json", &lim), TL_ELIMIT);
	assert_non_null(strstr(tl_error_last(), "offset 8: nesting deeper than 8"));
	/* brackets inside strings do not count */
	assert_int_equal(tl_json_parse(&v, "[\"[[[[[[[[[[[[\"]", 16, "s.json", &lim), TL_OK);
	json_decref(v);
	assert_int_equal(tl_json_parse(&v, "\"\xff\"", 3, "u.json", NULL), TL_EPARSE);
	assert_int_equal(tl_json_parse(&v, "{\"a\":1", 6, "t.json", NULL), TL_EPARSE);
	lim.max_bytes = 4;
	assert_int_equal(tl_json_parse(&v, "[1,2]", 5, "big.json", &lim), TL_ELIMIT);
}

static void test_core__json_dump_is_sorted(void **state)
{
	json_t *v = NULL;
	tl_buf b = TL_BUF_INIT;

	(void)state;
	assert_int_equal(tl_json_parse(&v, "{\"b\":1,\"a\":{\"d\":2,\"c\":3}}", 25, "x", NULL), TL_OK);
	assert_int_equal(tl_json_dump(&b, v), TL_OK);
	assert_string_equal(b.ptr, "{\n  \"a\": {\n    \"c\": 3,\n    \"d\": 2\n  },\n  \"b\": 1\n}\n");
	json_decref(v);
	tl_buf_dispose(&b);
}

/*
 * Strings are written as jansson writes them (RFC 8259 escapes: \" \\ \b
 * \f \n \r \t, \u00XX for the other bytes below 0x20; nothing else
 * escaped), whether the byte to escape comes in the first block the scan
 * reads (sixteen bytes with SSE2, else eight), a later one or the tail,
 * and whatever follows it (DEL, UTF-8); and the scans' prefixes stop
 * where a byte-at-a-time scan stops, bytes from 0x80 on included.
 */
static void test_core__json_string_escapes(void **state)
{
	static const char specials[] = { '"', '\\', '\b', '\f', '\n', '\r', '\t', 0x01, 0x1f, 0x7f, '/', ' ',
		                               (char)0x80, (char)0xff };
	tl_buf b = TL_BUF_INIT;
	char s[40];

	(void)state;
	for (size_t len = 1; len < sizeof(s); len++) {
		for (size_t at = 0; at < len; at++) {
			for (size_t k = 0; k < sizeof(specials); k++) {
				json_t *v;
				char *want;
				for (size_t i = 0; i < len; i++)
					s[i] = (char)('a' + i % 26);
				if (len > 3 && at != len - 2) { /* some UTF-8 after the byte: \u00e9 */
					s[len - 2] = (char)0xc3;
					s[len - 1] = (char)0xa9;
				}
				s[at] = specials[k];
				s[len] = '\0';
				{ /* the ASCII-only prefix also stops at the first byte from 0x80 on */
					size_t hi = 0, plain = tl__json_plain_len(s, len);
					while (hi < len && (unsigned char)s[hi] < 0x80)
						hi++;
					assert_int_equal(tl__json_ascii_len(s, len), plain < hi ? plain : hi);
				}
				assert_int_equal(tl__json_plain_len(s, len),
				                 strcspn(s, "\"\\\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d"
				                            "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b"
				                            "\x1c\x1d\x1e\x1f"));
				if (!(v = json_stringn(s, len)))
					continue; /* the é cut in two, or a lone 0x80 or 0xff: not a string */
				assert_non_null(want = json_dumps(v, JSON_ENCODE_ANY));
				tl_buf_clear(&b);
				assert_int_equal(tl__json_put_string(&b, s, len), TL_OK);
				assert_string_equal(b.ptr, want);
				free(want);
				json_decref(v);
			}
		}
	}
	tl_buf_dispose(&b);
}

static void test_core__sha256_known_answer(void **state)
{
	uint8_t d[TL_HASH_MAX_LEN];
	size_t n;
	char hex[2 * TL_HASH_MAX_LEN + 1];

	(void)state;
	/* FIPS 180-2 example "abc" */
	assert_int_equal(tl_hash_buf(TL_HASH_SHA256, "abc", 3, d, &n), TL_OK);
	assert_int_equal(n, 32);
	tl_hex(hex, d, n);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(tl_hash_buf(TL_HASH_SHA512, "abc", 3, d, &n), TL_OK);
	tl_hex(hex, d, n);
	assert_string_equal(hex, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	                         "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

static void test_core__hash_file_streams(void **state)
{
	char path[] = "/tmp/tl_test_hashXXXXXX";
	int fd = mkstemp(path);
	uint8_t d1[TL_HASH_MAX_LEN], d2[TL_HASH_MAX_LEN];
	size_t n1, n2;
	tl_buf content = TL_BUF_INIT;

	(void)state;
	assert_true(fd >= 0);
	for (int i = 0; i < 200000; i++)
		assert_int_equal(tl_buf_printf(&content, "%d\n", i), TL_OK);
	assert_int_equal(write(fd, content.ptr, content.len), (ssize_t)content.len);
	close(fd);
	assert_int_equal(tl_hash_file(TL_HASH_SHA512, path, d1, &n1), TL_OK);
	assert_int_equal(tl_hash_buf(TL_HASH_SHA512, content.ptr, content.len, d2, &n2), TL_OK);
	assert_int_equal(n1, n2);
	assert_memory_equal(d1, d2, n1);
	unlink(path);
	tl_buf_dispose(&content);
	assert_int_equal(tl_hash_file(TL_HASH_SHA256, "/nonexistent/x", d1, &n1), TL_EIO);
}

static void test_core__time(void **state)
{
	int64_t t;
	char s[32];

	(void)state;
	assert_int_equal(tl_time_parse(&t, "2023-06-01T12:34:56Z"), TL_OK);
	assert_int_equal(t, 1685622896);
	tl_time_iso8601(s, t);
	assert_string_equal(s, "2023-06-01T12:34:56Z");
	assert_int_equal(tl_time_parse(&t, "2023-06-01T14:34:56.123+02:00"), TL_OK);
	assert_int_equal(t, 1685622896);
	/* years before 1000 keep four digits, so they read back */
	assert_int_equal(tl_time_parse(&t, "0220-02-03T04:05:06Z"), TL_OK);
	tl_time_iso8601(s, t);
	assert_string_equal(s, "0220-02-03T04:05:06Z");
	assert_int_equal(tl_time_parse(&t, "2023-13-01T00:00:00Z"), TL_EPARSE);
	assert_int_equal(tl_time_parse(&t, "yesterday"), TL_EPARSE);
	/* strict: real calendar days, 'T' only, leap seconds only at 23:59:60 UTC */
	assert_int_equal(tl_time_parse(&t, "2023-02-30T00:00:00Z"), TL_EPARSE);
	assert_int_equal(tl_time_parse(&t, "2023-02-29T00:00:00Z"), TL_EPARSE);
	assert_int_equal(tl_time_parse(&t, "2024-02-29T00:00:00Z"), TL_OK);
	assert_int_equal(tl_time_parse(&t, "2023-06-01 12:34:56Z"), TL_EPARSE);
	assert_int_equal(tl_time_parse(&t, "2016-12-31T23:59:60Z"), TL_OK);
	assert_int_equal(tl_time_parse(&t, "2016-12-31T18:59:60-05:00"), TL_OK);
	assert_int_equal(tl_time_parse(&t, "2016-12-31T12:00:60Z"), TL_EPARSE);
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	assert_int_equal(tl_now(&t), TL_OK);
	assert_int_equal(t, 1700000000);
	setenv("SOURCE_DATE_EPOCH", "17x", 1);
	assert_int_equal(tl_now(&t), TL_EINVAL);
	unsetenv("SOURCE_DATE_EPOCH");
}

static void test_core__quote_untrusted_text(void **state)
{
	char q[10];

	(void)state;
	tl__quote(q, sizeof(q), "ab\"c\nd");
	assert_string_equal(q, "ab?c?d");
	tl__quote(q, sizeof(q), "0123456789");
	assert_string_equal(q, "012345...");
	tl__quote(q, sizeof(q), "012345");
	assert_string_equal(q, "012345");
}

static void test_core__parse_u64(void **state)
{
	uint64_t v;

	(void)state;
	assert_true(tl_parse_u64("18446744073709551615", &v));
	assert_true(v == UINT64_MAX);
	assert_false(tl_parse_u64("18446744073709551616", &v));
	assert_false(tl_parse_u64("", &v));
	assert_false(tl_parse_u64("12a", &v));
}

/* tl__strtab against a plain list: every key found with its value, absent
 * keys not found, batch lookups the same as single ones, keys that differ
 * only past the first eight bytes or by length kept apart. */
static void test_core__strtab(void **state)
{
	enum { N = 20000 };
	tl__strtab own = { .own_keys = true }, borrowed = { 0 };
	char **keys = calloc(N, sizeof(*keys));
	const char **q = calloc(2 * N + 1, sizeof(*q));
	tl__strtab_slot *e, **res = calloc(2 * N + 1, sizeof(*res));
	bool added;

	(void)state;
	assert_non_null(keys);
	assert_non_null(q);
	assert_non_null(res);
	for (size_t i = 0; i < N; i++) {
		char k[64];
		/* a long common prefix, and keys that are prefixes of others */
		snprintf(k, sizeof(k), "pkg:deb/debian/name@%zu%s", i / 2, i % 2 ? "x" : "");
		assert_non_null(keys[i] = strdup(k));
		assert_int_equal(tl__strtab_put(&own, k, &e, &added), TL_OK);
		assert_true(added);
		assert_ptr_not_equal(e->key, k); /* copied */
		e->n = i;
		assert_int_equal(tl__strtab_put(&borrowed, keys[i], &e, NULL), TL_OK);
		assert_ptr_equal(e->key, keys[i]);
		e->p = keys[i];
	}
	assert_int_equal(own.n, N);
	for (size_t i = 0; i < N; i++) {
		char k[64];
		assert_non_null(e = tl__strtab_get(&own, keys[i]));
		assert_int_equal(e->n, i);
		assert_string_equal(e->key, keys[i]);
		assert_int_equal(tl__strtab_put(&own, keys[i], &e, &added), TL_OK);
		assert_false(added);
		assert_int_equal(e->n, i);
		snprintf(k, sizeof(k), "pkg:deb/debian/name@%zuy", i);
		assert_null(tl__strtab_get(&own, k));
		q[2 * i] = keys[i];
		q[2 * i + 1] = keys[i] + 1; /* absent */
	}
	q[2 * N] = NULL;
	tl__strtab_get_batch(&borrowed, q, 2 * N + 1, res);
	for (size_t i = 0; i < N; i++) {
		assert_non_null(res[2 * i]);
		assert_ptr_equal(res[2 * i]->p, keys[i]);
		assert_null(res[2 * i + 1]);
	}
	assert_null(res[2 * N]);
	assert_null(tl__strtab_get(&borrowed, NULL));
	/* the hash reads words: the bytes past the end of a short tail do not count */
	assert_true(tl__strhash("abcdefghij", 9) == tl__strhash("abcdefghiX", 9));
	assert_true(tl__strhash("abcdefghij", 9) != tl__strhash("abcdefghij", 10));
	assert_true(tl__strhash("", 0) != tl__strhash("\0", 1));
	tl__strtab_dispose(&own);
	tl__strtab_dispose(&borrowed);
	assert_null(tl__strtab_get(&own, keys[0]));
	tl__strtab_get_batch(&own, q, 1, res);
	assert_null(res[0]);
	for (size_t i = 0; i < N; i++)
		free(keys[i]);
	free(keys);
	free(q);
	free(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_core__buf_grows_and_caps),
		cmocka_unit_test(test_core__reader_unchanged_after_error),
		cmocka_unit_test(test_core__array_grow),
		cmocka_unit_test(test_core__json_rejects_duplicates_and_depth),
		cmocka_unit_test(test_core__json_dump_is_sorted),
		cmocka_unit_test(test_core__json_string_escapes),
		cmocka_unit_test(test_core__sha256_known_answer),
		cmocka_unit_test(test_core__hash_file_streams),
		cmocka_unit_test(test_core__time),
		cmocka_unit_test(test_core__quote_untrusted_text),
		cmocka_unit_test(test_core__parse_u64),
		cmocka_unit_test(test_core__strtab),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
