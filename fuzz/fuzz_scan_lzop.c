/*
 * Fuzz target for the lzop decoder (src/scan/lzop.c).  Odd first byte: the
 * rest is handed over as it is (header parsing, truncation).  Even: the
 * rest is a recipe for a file with right checksums, so the fuzzer gets past
 * them to the block loop and the LZO1X decoder: flags from the next byte,
 * then blocks of (dst_len u16, src_len u16, src_len bytes); each block's
 * data checksums are made from what liblzo2 decodes of those bytes.  The
 * output must never pass max, and an error must leave nothing allocated;
 * output cut at max must be the head of what a larger max gives.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lzo/lzo1x.h>

#include "scan/scan_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* An lzop file from the recipe in data; its length, or 0. */
static size_t build(const uint8_t *data, size_t size, uint8_t *out, size_t cap)
{
	static const uint8_t magic[9] = { 0x89, 'L', 'Z', 'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a };
	static uint8_t dec[65536];
	uint32_t flags;
	size_t o = 0, h0, i = 1;

	if (size < 1 || cap < 64)
		return 0;
	flags = (data[0] & 1 ? 0x1u : 0) | (data[0] & 2 ? 0x100u : 0) | (data[0] & 4 ? 0x2u : 0) |
	        (data[0] & 8 ? 0x200u : 0) | (data[0] & 16 ? 0x1000u : 0);
	memcpy(out, magic, 9);
	o = 9;
	h0 = o;
	out[o++] = 0x10, out[o++] = 0x40; /* version 1.040 */
	out[o++] = 0x20, out[o++] = 0xa0; /* lib version */
	out[o++] = 0x09, out[o++] = 0x40; /* version needed */
	out[o++] = 1;                     /* LZO1X-1 */
	out[o++] = 5;                     /* level */
	put32(out + o, flags), o += 4;
	put32(out + o, 0100644), o += 4;  /* mode */
	put32(out + o, 0), o += 4;        /* mtime */
	put32(out + o, 0), o += 4;        /* mtime high */
	out[o++] = 0;                     /* no name */
	put32(out + o, flags & 0x1000u ? lzo_crc32(0, out + h0, o - h0) : lzo_adler32(1, out + h0, o - h0));
	o += 4;
	while (i + 4 <= size) {
		uint32_t dst = (uint32_t)(data[i] << 8 | data[i + 1]) + 1, src = (uint32_t)(data[i + 2] << 8 | data[i + 3]);
		lzo_uint n = dst;
		i += 4;
		if (src > size - i)
			src = (uint32_t)(size - i);
		if (src > dst)
			src = dst;
		if (o + 24 + src > cap)
			break;
		if (src == dst)
			memcpy(dec, data + i, src), n = src;
		else if (lzo1x_decompress_safe(data + i, src, dec, &n, NULL) != LZO_E_OK)
			n = 0;
		put32(out + o, dst), o += 4;
		put32(out + o, src), o += 4;
		if (flags & 0x1u)
			put32(out + o, lzo_adler32(1, dec, n)), o += 4;
		if (flags & 0x100u)
			put32(out + o, lzo_crc32(0, dec, n)), o += 4;
		if (src < dst) {
			if (flags & 0x2u)
				put32(out + o, 0), o += 4;
			if (flags & 0x200u)
				put32(out + o, 0), o += 4;
		}
		memcpy(out + o, data + i, src);
		o += src;
		i += src;
	}
	if (o + 4 <= cap && !(data[0] & 32))
		put32(out + o, 0), o += 4; /* the end marker, mostly */
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = NULL, *out = NULL;
	size_t len = 0, n;
	uint64_t max;
	tl__range r;
	tl_err err;

	if (size < 2 || lzo_init() != LZO_E_OK)
		return 0;
	max = data[0] & 2 ? 4096 : (uint64_t)1 << 20;
	if (data[0] & 1) {
		n = size - 1;
		if (!(buf = malloc(n)))
			return 0;
		memcpy(buf, data + 1, n);
	} else {
		size_t cap = size * 2 + 128;
		if (!(buf = malloc(cap)))
			return 0;
		n = build(data + 1, size - 1, buf, cap);
	}
	r = (tl__range){ -1, buf, 0, n };
	err = tl__lzop_decode(&r, "fuzz", max, &out, &len);
	if (len > max || (err != TL_OK && err != TL_ELIMIT && (out || len)))
		abort();
	if (err == TL_ELIMIT) {
		/* what a smaller max gives is the head of what a larger one does
		 * (a block cut at max is decoded only so far) */
		uint8_t *all = NULL;
		size_t all_len = 0;
		tl_err e2 = tl__lzop_decode(&r, "fuzz", (uint64_t)64 << 20, &all, &all_len);
		if ((e2 == TL_OK || e2 == TL_ELIMIT) && (all_len < len || memcmp(all, out, len) != 0))
			abort();
		free(all);
	}
	free(out);
	free(buf);
	tl_error_clear();
	return 0;
}
