/*
 * Unit tests of the gzip pipe (src/scan/gzpipe.c, ISA-L in a second
 * thread).  This executable builds gzpipe.c with TL__GZ_IN_SIZE = 5, so
 * the compressed bytes reach the inflater five at a time and every gzip
 * header, deflate block boundary and trailer is split across reads.  The
 * gzip streams are made here by zlib (an independent implementation,
 * RFC 1952 headers with FEXTRA, FNAME, FCOMMENT and FHCRC through
 * deflateSetHeader), and each output is compared with the bytes that went
 * in, over memory and over a file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <archive.h>
#include <zlib.h>

#include "scan/scan_int.h"

#if !defined(TL__GZ_IN_SIZE) || TL__GZ_IN_SIZE > 16
#error "built with a small TL__GZ_IN_SIZE (tests/meson.build)"
#endif

/* Appends one gzip member of data[0..n) to *out (zlib, level 6). */
static void gz_member(uint8_t **out, size_t *len, const uint8_t *data, size_t n, bool full_header)
{
	z_stream zs;
	gz_header h;
	size_t cap = n + n / 2 + 256;
	static unsigned char extra[] = { 'A', 'p', 4, 0, 1, 2, 3, 4 };

	memset(&zs, 0, sizeof(zs));
	memset(&h, 0, sizeof(h));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	if (full_header) {
		h.extra = extra;
		h.extra_len = sizeof(extra);
		h.name = (Bytef *)"member-name.tar";
		h.comment = (Bytef *)"a comment";
		h.hcrc = 1;
		h.os = 3;
		assert_int_equal(deflateSetHeader(&zs, &h), Z_OK);
	}
	*out = realloc(*out, *len + cap);
	assert_non_null(*out);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)n;
	zs.next_out = *out + *len;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*len += cap - zs.avail_out;
	deflateEnd(&zs);
}

/* Deterministic content that compresses a little (text with numbers). */
static uint8_t *content(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	uint32_t x = 12345;

	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (x >> 16) % 7 == 0 ? (uint8_t)('0' + (x >> 8) % 10) : (uint8_t)("line of text\n"[i % 13]);
	}
	return p;
}

/* Everything the pipe gives for r; *err_out: libarchive's error or NULL. */
static tl_err drain(const tl__range *r, uint8_t **out, size_t *len, char **err_out)
{
	struct archive *a = archive_read_new();
	tl__gzpipe *g = NULL;
	tl_err err;
	la_ssize_t n;
	const void *p;

	*out = NULL;
	*len = 0;
	*err_out = NULL;
	if ((err = tl__gzpipe_open(&g, r, "test.gz")) != TL_OK) {
		archive_read_free(a);
		return err;
	}
	while ((n = tl__gzpipe_read(a, g, &p)) > 0) {
		*out = realloc(*out, *len + (size_t)n + 1);
		assert_non_null(*out);
		memcpy(*out + *len, p, (size_t)n);
		*len += (size_t)n;
	}
	if (n < 0)
		*err_out = strdup(archive_error_string(a));
	tl__gzpipe_free(g);
	archive_read_free(a);
	return TL_OK;
}

/* Runs the stream from memory and from a file: both must give want (or the error). */
static void expect(const uint8_t *gz, size_t gz_len, const uint8_t *want, size_t want_len, const char *want_err)
{
	for (int via_file = 0; via_file < 2; via_file++) {
		tl__range r = { -1, gz, 0, gz_len };
		FILE *f = NULL;
		uint8_t *got;
		size_t len;
		char *msg;

		if (via_file) {
			assert_non_null(f = tmpfile());
			assert_int_equal(fwrite(gz, 1, gz_len, f), gz_len);
			assert_int_equal(fflush(f), 0);
			r = (tl__range){ fileno(f), NULL, 0, gz_len };
		}
		assert_int_equal(drain(&r, &got, &len, &msg), TL_OK);
		if (want_err) {
			if (!msg)
				fail_msg("no error for a stream that should give \"%s\" (%zu bytes out)", want_err, len);
			if (!strstr(msg, want_err))
				fail_msg("error \"%s\", expected \"%s\"", msg, want_err);
		} else {
			if (msg)
				fail_msg("unexpected error: %s", msg);
			assert_int_equal(len, want_len);
			assert_true(want_len == 0 || memcmp(got, want, want_len) == 0);
		}
		free(got);
		free(msg);
		if (f)
			fclose(f);
	}
}

static void test_gzpipe__members_split_everywhere(void **state)
{
	uint8_t *a = content(200000), *gz = NULL, *all = malloc(203001);
	size_t gz_len = 0;

	(void)state;
	/* one member; then three more, one empty, one with every header field */
	gz_member(&gz, &gz_len, a, 200000, false);
	expect(gz, gz_len, a, 200000, NULL);
	gz_member(&gz, &gz_len, a, 0, true);
	gz_member(&gz, &gz_len, a + 7, 3000, true);
	gz_member(&gz, &gz_len, a, 1, false);
	memcpy(all, a, 200000);
	memcpy(all + 200000, a + 7, 3000);
	all[203000] = a[0];
	expect(gz, gz_len, all, 203001, NULL);
	/* zero padding after the last member is ignored, as gzip -d does */
	gz = realloc(gz, gz_len + 1024);
	memset(gz + gz_len, 0, 1024);
	expect(gz, gz_len + 1024, all, 203001, NULL);
	/* so is garbage that is not a gzip header */
	memcpy(gz + gz_len, "not gzip", 8);
	expect(gz, gz_len + 8, all, 203001, NULL);
	free(a);
	free(all);
	free(gz);
}

static void test_gzpipe__truncated_and_corrupt(void **state)
{
	uint8_t *a = content(5000), *gz = NULL, *bad;
	size_t gz_len = 0;

	(void)state;
	gz_member(&gz, &gz_len, a, 5000, true);
	expect(gz, gz_len, a, 5000, NULL);
	/* cut after the magic: truncated (every cut in the header, the first
	 * deflate bytes and the trailer, every 37th in between) */
	for (size_t cut = 3; cut < gz_len; cut += cut < 112 || cut + 64 > gz_len ? 1 : 37)
		expect(gz, cut, NULL, 0, "gzip: truncated stream");
	bad = malloc(gz_len);
	/* a wrong CRC-32, a wrong ISIZE (RFC 1952: both are checked) */
	memcpy(bad, gz, gz_len);
	bad[gz_len - 8] ^= 1;
	expect(bad, gz_len, NULL, 0, "gzip: CRC-32 or length in the trailer does not match");
	memcpy(bad, gz, gz_len);
	bad[gz_len - 1] ^= 0x80;
	expect(bad, gz_len, NULL, 0, "gzip: CRC-32 or length in the trailer does not match");
	/* a name byte changed: the header's CRC-16 (FHCRC) no longer matches */
	memcpy(bad, gz, gz_len);
	bad[10 + 2 + 8] ^= 1;
	expect(bad, gz_len, NULL, 0, "gzip: header CRC-16 does not match");
	/* reserved flags in the first member's header; after a member, bytes
	 * that are no member are ignored, but a bad member header is not */
	memcpy(bad, gz, gz_len);
	bad[3] |= 0x20;
	expect(bad, gz_len, NULL, 0, "gzip: reserved header flags set");
	{
		uint8_t *two = NULL;
		size_t two_len = 0, first;
		gz_member(&two, &two_len, a, 5000, false);
		first = two_len;
		gz_member(&two, &two_len, a, 5000, true);
		two[first + 10 + 2 + 8] ^= 1;
		expect(two, two_len, NULL, 0, "gzip: header CRC-16 does not match");
		two[first + 10 + 2 + 8] ^= 1;
		two[first + 2] = 7; /* not deflate: taken as trailing garbage */
		expect(two, two_len, a, 5000, NULL);
		free(two);
	}
	/* deflate data changed in the middle */
	memcpy(bad, gz, gz_len);
	memset(bad + gz_len / 2, 0xff, 4);
	expect(bad, gz_len, NULL, 0, "gzip: ");
	/* a file shorter than its range: the read fails (in the read-ahead
	 * thread), after what was inflated before it */
	{
		FILE *f;
		tl__range r;
		uint8_t *got;
		size_t len;
		char *msg;
		assert_non_null(f = tmpfile());
		assert_int_equal(fwrite(gz, 1, gz_len, f), gz_len);
		assert_int_equal(fflush(f), 0);
		r = (tl__range){ fileno(f), NULL, 0, gz_len + 100 };
		assert_int_equal(drain(&r, &got, &len, &msg), TL_OK);
		assert_non_null(msg);
		assert_non_null(strstr(msg, "gzip: read error"));
		free(got);
		free(msg);
		fclose(f);
	}
	/* not gzip at all: nothing started */
	{
		tl__range r = { -1, (const uint8_t *)"BZh91AY", 0, 7 };
		tl__gzpipe *g = (tl__gzpipe *)1;
		assert_int_equal(tl__gzpipe_open(&g, &r, "x"), TL_ENOTFOUND);
		assert_null(g);
	}
	free(a);
	free(bad);
	free(gz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzpipe__members_split_everywhere),
		cmocka_unit_test(test_gzpipe__truncated_and_corrupt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
