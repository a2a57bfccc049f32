/*
 * Legacy U-Boot image (uImage) header, our own reader.
 *
 *   offset  size  field (big-endian)
 *   0       4     magic 0x27051956
 *   4       4     header CRC-32 (of these 64 bytes with this field zero)
 *   8       4     creation time
 *   12      4     data size (bytes after the header)
 *   16      4     load address
 *   20      4     entry point
 *   24      4     data CRC-32
 *   28      1     OS
 *   29      1     architecture
 *   30      1     image type: 1 standalone, 2 kernel, 3 ramdisk, 4 multi,
 *                 5 firmware, 6 script, 7 filesystem, 8 flat_dt, 14 kernel_noload
 *   31      1     compression: 0 none, 1 gzip, 2 bzip2, 3 lzma, 4 lzo, 5 lz4, 6 zstd
 *   32      32    name, NUL-padded
 *   64            data
 *
 * A multi-file image's data starts with a list of 32-bit sizes ending in a
 * zero word; the sub-images follow, each padded to 4 bytes.  A script
 * image's data has the same list (one entry).  Limits: TL__MAX_PAYLOADS
 * sub-images; every size is checked against the bytes that are there.
 */
#include <stdio.h>
#include <string.h>

#include "scan/scan_int.h"

static uint32_t crc_table[256];
static bool crc_ready;

uint32_t tl__crc32(const uint8_t *p, size_t n, uint32_t crc)
{
	if (!crc_ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			crc_table[i] = c;
		}
		crc_ready = true;
	}
	crc = ~crc;
	for (size_t i = 0; i < n; i++)
		crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

const char *tl__uimage_type_name(uint8_t type)
{
	switch (type) {
	case TL__UIMG_STANDALONE: return "standalone";
	case TL__UIMG_KERNEL: return "kernel";
	case TL__UIMG_RAMDISK: return "ramdisk";
	case TL__UIMG_MULTI: return "multi";
	case TL__UIMG_FIRMWARE: return "firmware";
	case TL__UIMG_SCRIPT: return "script";
	case TL__UIMG_FILESYSTEM: return "filesystem";
	case TL__UIMG_FLATDT: return "flat_dt";
	case TL__UIMG_KERNEL_NOLOAD: return "kernel_noload";
	default: return "data";
	}
}

const char *tl__uimage_comp_name(uint8_t comp)
{
	switch (comp) {
	case TL__UIMG_COMP_NONE: return "none";
	case TL__UIMG_COMP_GZIP: return "gzip";
	case TL__UIMG_COMP_BZIP2: return "bzip2";
	case TL__UIMG_COMP_LZMA: return "lzma";
	case TL__UIMG_COMP_LZO: return "lzo";
	case TL__UIMG_COMP_LZ4: return "lz4";
	case TL__UIMG_COMP_ZSTD: return "zstd";
	default: return "unknown";
	}
}

tl_err tl__uimage_parse(const tl__range *r, tl__payload *out, size_t *n_out, uint64_t *total, const char *name)
{
	uint8_t p[TL__UIMG_HDR], hdr[TL__UIMG_HDR];
	uint32_t size, hcrc;
	uint8_t type, comp;
	uint64_t avail = r->len;

	*n_out = 0;
	*total = 0;
	if (avail < TL__UIMG_HDR || tl__range_read(r, 0, p, sizeof(p)) != TL_OK)
		return tl__error(TL_EPARSE, "%s: uImage: offset 0: a header of %llu bytes, expected 64", name,
		                 (unsigned long long)avail);
	if (be32(p) != TL__UIMG_MAGIC)
		return tl__error(TL_EPARSE, "%s: uImage: offset 0: bad magic", name);
	memcpy(hdr, p, sizeof(hdr));
	hcrc = be32(hdr + 4);
	memset(hdr + 4, 0, 4);
	if (tl__crc32(hdr, sizeof(hdr), 0) != hcrc)
		return tl__error(TL_EPARSE, "%s: uImage: offset 4: header CRC mismatch (stored %08x)", name, (unsigned)hcrc);
	size = be32(p + 12);
	type = p[30];
	comp = p[31];
	if (size > avail - TL__UIMG_HDR)
		return tl__error(TL_EPARSE, "%s: uImage: offset 12: data size %u larger than the %llu bytes there", name,
		                 (unsigned)size, (unsigned long long)(avail - TL__UIMG_HDR));
	*total = (uint64_t)TL__UIMG_HDR + size;
	if (comp > TL__UIMG_COMP_ZSTD)
		comp = TL__UIMG_COMP_UNKNOWN;
	if (type == TL__UIMG_MULTI || type == TL__UIMG_SCRIPT) {
		uint64_t off = TL__UIMG_HDR, list_end, pos;
		size_t count = 0;
		uint32_t sizes[TL__MAX_PAYLOADS];

		for (;;) {
			uint8_t w[4];
			uint32_t s;
			if (4 > *total - off || tl__range_read(r, off, w, 4) != TL_OK)
				return tl__error(TL_EPARSE, "%s: uImage: offset %llu: the %s size list has no end", name,
				                 (unsigned long long)off, tl__uimage_type_name(type));
			s = be32(w);
			off += 4;
			if (s == 0)
				break;
			if (count == TL__MAX_PAYLOADS)
				return tl__error(TL_EPARSE, "%s: uImage: more than %d sub-images", name, TL__MAX_PAYLOADS);
			sizes[count++] = s;
		}
		list_end = off;
		pos = list_end;
		for (size_t i = 0; i < count; i++) {
			tl__payload *pl = &out[i];
			if (sizes[i] > *total - pos)
				return tl__error(TL_EPARSE, "%s: uImage: sub-image %zu: %u bytes at offset %llu past the data",
				                 name, i, (unsigned)sizes[i], (unsigned long long)pos);
			memset(pl, 0, sizeof(*pl));
			snprintf(pl->name, sizeof(pl->name), "%zu.%s", i, type == TL__UIMG_SCRIPT ? "script" : "image");
			pl->type = type == TL__UIMG_SCRIPT ? TL__UIMG_SCRIPT : 0; /* a multi's parts have no type */
			pl->comp = comp;
			pl->off = pos;
			pl->len = sizes[i];
			pos += sizes[i];
			if (i + 1 < count) {
				uint64_t pad = (4 - (pos & 3)) & 3;
				if (pad > *total - pos)
					return tl__error(TL_EPARSE, "%s: uImage: sub-image %zu: padding past the data", name, i);
				pos += pad;
			}
		}
		*n_out = count;
		return TL_OK;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", tl__uimage_type_name(type));
	out->type = type;
	out->comp = comp;
	out->off = TL__UIMG_HDR;
	out->len = size;
	*n_out = 1;
	return TL_OK;
}
