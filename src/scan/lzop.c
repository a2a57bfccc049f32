/*
 * lzop files (what `lzop` writes and `mkimage -C lzo` expects as a uImage
 * or FIT payload), decoded into memory with liblzo2's bounds-checked LZO1X
 * decoder.  libarchive would run the external lzop program for these.
 *
 * Layout (the lzop file format, all integers big-endian):
 *
 *   magic 89 4c 5a 4f 00 0d 0a 1a 0a
 *   version u16, lib_version u16, [version_needed u16 if version >= 0x0940]
 *   method u8 (1 LZO1X-1, 2 LZO1X-1(15), 3 LZO1X-999: all LZO1X on the wire)
 *   [level u8 if version >= 0x0940]
 *   flags u32, [filter u32 if flags & 0x800], mode u32, mtime u32,
 *   [mtime_high u32 if version >= 0x0940], name length u8 + name,
 *   header checksum u32 (Adler-32, or CRC-32 with flags & 0x1000, of the
 *   header from version through the name),
 *   [extra field: length u32, bytes, checksum u32 if flags & 0x40]
 *   blocks: dst_len u32 (0 ends the file), src_len u32,
 *     [Adler-32 of the decompressed block if flags & 0x1]
 *     [CRC-32 of the decompressed block if flags & 0x100]
 *     [when src_len < dst_len: Adler-32 / CRC-32 of the compressed block if
 *      flags & 0x2 / 0x200]
 *     src_len bytes: stored as they are when src_len == dst_len, else LZO1X
 *
 * Checksums of the header and of the decompressed blocks are verified.  A
 * block's dst_len is at most 64 MiB (lzop's own limit) and the output is
 * bounded by the caller's max: past it, TL_ELIMIT with what was decoded.
 */
#include <stdlib.h>
#include <string.h>

#include <lzo/lzo1x.h>

#include "scan/scan_int.h"

#define F_ADLER32_D 0x1u
#define F_ADLER32_C 0x2u
#define F_H_EXTRA 0x40u
#define F_CRC32_D 0x100u
#define F_CRC32_C 0x200u
#define F_H_FILTER 0x800u
#define F_H_CRC32 0x1000u
#define MAX_BLOCK ((uint32_t)64 << 20)

static const uint8_t magic[9] = { 0x89, 'L', 'Z', 'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a };

bool tl__lzop_magic(const uint8_t *p, size_t n)
{
	return n >= sizeof(magic) && memcmp(p, magic, sizeof(magic)) == 0;
}

typedef struct {
	const tl__range *r;
	uint64_t off;
	const char *label;
} reader;

static tl_err get(reader *rd, void *buf, size_t n, const char *what)
{
	if (n > rd->r->len || rd->off > rd->r->len - n)
		return tl__error(TL_EPARSE, "%s: lzop: offset %llu: truncated %s", rd->label, (unsigned long long)rd->off,
		                 what);
	if (n && tl__range_read(rd->r, rd->off, buf, n) != TL_OK)
		return TL_EIO;
	rd->off += n;
	return TL_OK;
}

static tl_err get32(reader *rd, uint32_t *v, const char *what)
{
	uint8_t b[4];
	tl_err err = get(rd, b, 4, what);

	if (err == TL_OK)
		*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return err;
}

static tl_err bad(reader *rd, uint64_t off, const char *what)
{
	return tl__error(TL_EPARSE, "%s: lzop: offset %llu: %s", rd->label, (unsigned long long)off, what);
}

tl_err tl__lzop_decode(const tl__range *r, const char *label, uint64_t max, uint8_t **out, size_t *len)
{
	reader rd = { r, 0, label };
	uint8_t h[300], *buf = NULL, *cbuf = NULL;
	size_t hl = 0, got = 0, cap = 0;
	uint32_t flags, sum, want, dst, src, dsum[2] = { 0 };
	uint16_t version;
	tl_err err;

	*out = NULL;
	*len = 0;
	if (lzo_init() != LZO_E_OK)
		return tl__error(TL_EUNSUPPORTED, "%s: lzop: liblzo2 did not initialise", label);
	if ((err = get(&rd, h, sizeof(magic), "magic")) != TL_OK)
		return err;
	if (memcmp(h, magic, sizeof(magic)) != 0)
		return bad(&rd, 0, "expected the lzop magic");
	/* the checksummed header: version .. name */
	if ((err = get(&rd, h, 5, "header")) != TL_OK)
		return err;
	hl = 5;
	version = (uint16_t)(h[0] << 8 | h[1]);
	if (version >= 0x0940) {
		if ((err = get(&rd, h + hl, 3, "header")) != TL_OK) /* version_needed, then level after method */
			return err;
		hl += 3;
	}
	/* method is h[4] in both layouts (after version_needed it is h[6]) */
	{
		uint8_t method = version >= 0x0940 ? h[6] : h[4];
		if (method < 1 || method > 3)
			return bad(&rd, sizeof(magic) + (version >= 0x0940 ? 6 : 4),
			           "method is not LZO1X (1, 2 or 3)");
	}
	if ((err = get(&rd, h + hl, 4, "flags")) != TL_OK)
		return err;
	flags = (uint32_t)h[hl] << 24 | (uint32_t)h[hl + 1] << 16 | (uint32_t)h[hl + 2] << 8 | h[hl + 3];
	hl += 4;
	if (flags & F_H_FILTER)
		return bad(&rd, rd.off - 4, "a filtered file (flags 0x800) is not supported");
	/* mode, mtime, [mtime_high], name length */
	{
		size_t n = version >= 0x0940 ? 13 : 9;
		if ((err = get(&rd, h + hl, n, "header")) != TL_OK)
			return err;
		hl += n;
	}
	if ((err = get(&rd, h + hl, h[hl - 1], "name")) != TL_OK)
		return err;
	hl += h[hl - 1];
	if ((err = get32(&rd, &want, "header checksum")) != TL_OK)
		return err;
	sum = flags & F_H_CRC32 ? lzo_crc32(0, h, (lzo_uint)hl) : lzo_adler32(1, h, (lzo_uint)hl);
	if (sum != want)
		return bad(&rd, rd.off - 4, "header checksum mismatch");
	if (flags & F_H_EXTRA) {
		uint32_t xl;
		if ((err = get32(&rd, &xl, "extra field length")) != TL_OK)
			return err;
		if (xl > r->len - rd.off || r->len - rd.off - xl < 4)
			return bad(&rd, rd.off - 4, "extra field longer than the file");
		rd.off += (uint64_t)xl + 4;
	}
	for (;;) {
		uint64_t at = rd.off;
		if ((err = get32(&rd, &dst, "block header")) != TL_OK)
			goto fail;
		if (dst == 0)
			break;
		if ((err = get32(&rd, &src, "block header")) != TL_OK)
			goto fail;
		if (dst > MAX_BLOCK || src > dst) {
			err = bad(&rd, at, "block sizes out of range (at most 64 MiB, compressed no larger)");
			goto fail;
		}
		for (int i = 0, k = 0; i < 2; i++) {
			if (flags & (i ? F_CRC32_D : F_ADLER32_D)) {
				if ((err = get32(&rd, &dsum[k++], "block checksum")) != TL_OK)
					goto fail;
			}
		}
		if (src < dst) {
			uint32_t skip = (flags & F_ADLER32_C ? 4u : 0u) + (flags & F_CRC32_C ? 4u : 0u);
			uint8_t tmp[8];
			if ((err = get(&rd, tmp, skip, "block checksum")) != TL_OK)
				goto fail;
		}
		if (got >= max) {
			err = tl__error(TL_ELIMIT, "%s: more than %llu bytes decompressed", label, (unsigned long long)max);
			break;
		}
		if (cap - got < dst) {
			size_t ncap = cap ? cap : 65536;
			uint8_t *nb;
			while (ncap - got < dst)
				ncap *= 2;
			if (!(nb = realloc(buf, ncap))) {
				err = tl__nomem();
				goto fail;
			}
			buf = nb;
			cap = ncap;
		}
		if (src == dst) {
			if ((err = get(&rd, buf + got, src, "block data")) != TL_OK)
				goto fail;
		} else {
			lzo_uint n = dst;
			uint8_t *nc = realloc(cbuf, src ? src : 1);
			if (!nc) {
				err = tl__nomem();
				goto fail;
			}
			cbuf = nc;
			if ((err = get(&rd, cbuf, src, "block data")) != TL_OK)
				goto fail;
			if (lzo1x_decompress_safe(cbuf, src, buf + got, &n, NULL) != LZO_E_OK || n != dst) {
				err = bad(&rd, at, "corrupt LZO1X block");
				goto fail;
			}
		}
		{
			int k = 0;
			if ((flags & F_ADLER32_D) && lzo_adler32(1, buf + got, dst) != dsum[k++]) {
				err = bad(&rd, at, "block Adler-32 mismatch");
				goto fail;
			}
			if ((flags & F_CRC32_D) && lzo_crc32(0, buf + got, dst) != dsum[k]) {
				err = bad(&rd, at, "block CRC-32 mismatch");
				goto fail;
			}
		}
		got += dst;
		if (got > max) {
			got = (size_t)max;
			err = tl__error(TL_ELIMIT, "%s: more than %llu bytes decompressed", label, (unsigned long long)max);
			break;
		}
	}
	free(cbuf);
	*out = buf;
	*len = got;
	return err;
fail:
	free(cbuf);
	free(buf);
	return err;
}
