/*
 * Flattened device tree (FDT, "DTB") reader for FIT images, our own.
 *
 *   header (big-endian u32 each)
 *   offset  field
 *   0       magic 0xd00dfeed
 *   4       totalsize
 *   8       off_dt_struct
 *   12      off_dt_strings
 *   16      off_mem_rsvmap
 *   20      version (16 and later have the sizes below; 17 here)
 *   24      last_comp_version
 *   28      boot_cpuid_phys
 *   32      size_dt_strings
 *   36      size_dt_struct
 *
 *   structure block: 4-byte aligned tokens
 *   1 BEGIN_NODE  name, NUL-terminated, padded to 4
 *   2 END_NODE
 *   3 PROP        u32 len, u32 nameoff (into the strings block), value padded to 4
 *   4 NOP
 *   9 END
 *
 * A FIT image is a tree with /images/<name> nodes.  Each holds its payload
 * in a "data" property, or outside the tree: "data-offset" (from the end
 * of the tree, rounded up to 4 bytes) or "data-position" (from the start
 * of the image), with "data-size".  "type" ("kernel", "ramdisk",
 * "filesystem", "flat_dt", "firmware", "script"...) and "compression"
 * ("none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd") are strings.
 *
 * Read through tl__range_read, never a struct over input: every offset is
 * checked against totalsize and the range.  Limits: 100,000 tokens, node
 * depth 16, names of 256 bytes, TL__MAX_PAYLOADS images.
 */
#include <stdio.h>
#include <string.h>

#include "scan/scan_int.h"

#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u
#define MAX_TOKENS 100000u
#define MAX_DEPTH 16u
#define MAX_NAME 256u

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

typedef struct {
	const tl__range *r;
	uint64_t s_off, s_end;   /* structure block */
	uint64_t str_off, str_len;
	const char *name;
} fdt;

/* Reads a NUL-terminated string of at most MAX_NAME - 1 bytes at off (< end) into buf. */
static tl_err read_str(const fdt *f, uint64_t off, uint64_t end, char *buf, size_t *len)
{
	size_t want = MAX_NAME;

	if (off >= end)
		return tl__error(TL_EPARSE, "%s: FIT: offset %llu: a name past its block", f->name, (unsigned long long)off);
	if (want > end - off)
		want = (size_t)(end - off);
	if (tl__range_read(f->r, off, buf, want) != TL_OK)
		return tl__error(TL_EPARSE, "%s: FIT: offset %llu: truncated", f->name, (unsigned long long)off);
	for (size_t i = 0; i < want; i++) {
		if (buf[i] == '\0') {
			*len = i;
			return TL_OK;
		}
	}
	return tl__error(TL_EPARSE, "%s: FIT: offset %llu: a name without its end (at most %u bytes)", f->name,
	                 (unsigned long long)off, MAX_NAME - 1);
}

typedef struct {
	bool has_data, has_off, has_pos, has_size;
	uint64_t data_off, data_len;  /* "data": its value in the image */
	uint32_t ext_off, ext_pos, ext_size;
	char type[32], comp[16];
	char node[48];
} image_node;

static uint8_t type_of(const char *s)
{
	if (!strcmp(s, "kernel"))
		return TL__UIMG_KERNEL;
	if (!strcmp(s, "kernel_noload"))
		return TL__UIMG_KERNEL_NOLOAD;
	if (!strcmp(s, "ramdisk"))
		return TL__UIMG_RAMDISK;
	if (!strcmp(s, "filesystem"))
		return TL__UIMG_FILESYSTEM;
	if (!strcmp(s, "flat_dt"))
		return TL__UIMG_FLATDT;
	if (!strcmp(s, "firmware"))
		return TL__UIMG_FIRMWARE;
	if (!strcmp(s, "script"))
		return TL__UIMG_SCRIPT;
	if (!strcmp(s, "standalone"))
		return TL__UIMG_STANDALONE;
	return 0;
}

static uint8_t comp_of(const char *s)
{
	static const char *names[] = { "none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd" };

	if (!s[0])
		return TL__UIMG_COMP_NONE;
	for (uint8_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i]))
			return i;
	}
	return TL__UIMG_COMP_UNKNOWN;
}

/* Copies a string property value (at most cap - 1 bytes, NUL-terminated). */
static tl_err prop_str(const fdt *f, uint64_t off, uint32_t len, char *out, size_t cap)
{
	size_t n = len < cap - 1 ? len : cap - 1;

	if (tl__range_read(f->r, off, out, n) != TL_OK)
		return tl__error(TL_EPARSE, "%s: FIT: offset %llu: truncated", f->name, (unsigned long long)off);
	out[n] = '\0';
	return TL_OK;
}

static tl_err prop_u32(const fdt *f, uint64_t off, uint32_t len, const char *prop, uint32_t *out)
{
	uint8_t w[4];

	if (len != 4 || tl__range_read(f->r, off, w, 4) != TL_OK)
		return tl__error(TL_EPARSE, "%s: FIT: offset %llu: \"%s\" is not one 32-bit cell", f->name,
		                 (unsigned long long)off, prop);
	*out = be32(w);
	return TL_OK;
}

tl_err tl__fit_parse(const tl__range *r, tl__payload *out, size_t *n_out, uint64_t *total, const char *name)
{
	tl_err err = TL_OK;
	uint8_t h[40];
	fdt f = { r, 0, 0, 0, 0, name };
	uint32_t totalsize, version;
	uint64_t pos, data_base, end;
	unsigned depth = 0, tokens = 0;
	bool in_images = false, found_images = false, in_image = false;
	unsigned images_depth = 0;
	image_node img;
	char nm[MAX_NAME];
	size_t nlen;

	*n_out = 0;
	*total = 0;
	if (r->len < sizeof(h) || tl__range_read(r, 0, h, sizeof(h)) != TL_OK)
		return tl__error(TL_EPARSE, "%s: FIT: offset 0: a header of %llu bytes, expected 40", name,
		                 (unsigned long long)r->len);
	if (be32(h) != TL__FDT_MAGIC)
		return tl__error(TL_EPARSE, "%s: FIT: offset 0: bad magic", name);
	totalsize = be32(h + 4);
	version = be32(h + 20);
	if (totalsize < sizeof(h) || totalsize > r->len)
		return tl__error(TL_EPARSE, "%s: FIT: offset 4: totalsize %u, the image has %llu bytes", name,
		                 (unsigned)totalsize, (unsigned long long)r->len);
	if (version < 16)
		return tl__error(TL_EPARSE, "%s: FIT: offset 20: version %u, expected 16 or later", name, (unsigned)version);
	f.s_off = be32(h + 8);
	f.str_off = be32(h + 12);
	f.str_len = be32(h + 32);
	f.s_end = f.s_off + be32(h + 36);
	if (f.s_off > totalsize || f.s_end > totalsize || f.s_off < sizeof(h) || (f.s_off & 3) ||
	    f.str_off > totalsize || f.str_len > totalsize - f.str_off)
		return tl__error(TL_EPARSE, "%s: FIT: offset 8: structure or strings block outside the %u-byte tree", name,
		                 (unsigned)totalsize);
	data_base = ((uint64_t)totalsize + 3) & ~(uint64_t)3;
	end = totalsize;
	pos = f.s_off;
	for (;;) {
		uint8_t w[8];
		uint32_t tok;

		if (++tokens > MAX_TOKENS) {
			err = tl__error(TL_EPARSE, "%s: FIT: more than %u tokens", name, MAX_TOKENS);
			goto done;
		}
		if (4 > f.s_end - pos || tl__range_read(r, pos, w, 4) != TL_OK) {
			err = tl__error(TL_EPARSE, "%s: FIT: offset %llu: structure block ends without FDT_END", name,
			                (unsigned long long)pos);
			goto done;
		}
		tok = be32(w);
		pos += 4;
		if (tok == FDT_END)
			break;
		if (tok == FDT_NOP)
			continue;
		if (tok == FDT_BEGIN_NODE) {
			if ((err = read_str(&f, pos, f.s_end, nm, &nlen)) != TL_OK)
				goto done;
			pos += (nlen + 1 + 3) & ~(size_t)3;
			if (pos > f.s_end) {
				err = tl__error(TL_EPARSE, "%s: FIT: a node name past the structure block", name);
				goto done;
			}
			if (++depth > MAX_DEPTH) {
				err = tl__error(TL_EPARSE, "%s: FIT: nodes nested deeper than %u", name, MAX_DEPTH);
				goto done;
			}
			if (depth == 2 && !strcmp(nm, "images")) {
				in_images = found_images = true;
				images_depth = depth;
			} else if (in_images && depth == images_depth + 1) {
				in_image = true;
				memset(&img, 0, sizeof(img));
				snprintf(img.node, sizeof(img.node), "%.47s", nm);
			}
			continue;
		}
		if (tok == FDT_END_NODE) {
			if (depth == 0) {
				err = tl__error(TL_EPARSE, "%s: FIT: offset %llu: FDT_END_NODE without a node", name,
				                (unsigned long long)(pos - 4));
				goto done;
			}
			if (in_image && depth == images_depth + 1) {
				tl__payload *pl;
				uint64_t off, len;
				in_image = false;
				if (img.has_data) {
					off = img.data_off;
					len = img.data_len;
				} else if ((img.has_off || img.has_pos) && img.has_size) {
					off = img.has_pos ? img.ext_pos : data_base + img.ext_off;
					len = img.ext_size;
					if (off > r->len || len > r->len - off) {
						err = tl__error(TL_EPARSE, "%s: FIT: /images/%s: external data at %llu (%llu bytes) past the "
						                "%llu-byte image", name, img.node, (unsigned long long)off,
						                (unsigned long long)len, (unsigned long long)r->len);
						goto done;
					}
					if (off + len > end)
						end = off + len;
				} else {
					depth--;
					continue; /* no data: nothing to follow */
				}
				if (*n_out == TL__MAX_PAYLOADS) {
					err = tl__error(TL_EPARSE, "%s: FIT: more than %d images", name, TL__MAX_PAYLOADS);
					goto done;
				}
				pl = &out[(*n_out)++];
				memset(pl, 0, sizeof(*pl));
				snprintf(pl->name, sizeof(pl->name), "images/%s", img.node);
				pl->type = type_of(img.type);
				pl->comp = comp_of(img.comp);
				pl->off = off;
				pl->len = len;
			}
			if (in_images && depth == images_depth)
				in_images = false;
			depth--;
			continue;
		}
		if (tok == FDT_PROP) {
			uint32_t len, nameoff;
			uint64_t val;
			if (8 > f.s_end - pos || tl__range_read(r, pos, w, 8) != TL_OK) {
				err = tl__error(TL_EPARSE, "%s: FIT: offset %llu: truncated property", name, (unsigned long long)pos);
				goto done;
			}
			len = be32(w);
			nameoff = be32(w + 4);
			pos += 8;
			val = pos;
			if (len > f.s_end - pos) {
				err = tl__error(TL_EPARSE, "%s: FIT: offset %llu: a %u-byte property past the structure block",
				                name, (unsigned long long)(pos - 8), (unsigned)len);
				goto done;
			}
			pos += ((uint64_t)len + 3) & ~(uint64_t)3;
			if (pos > f.s_end)
				pos = f.s_end; /* the last value may end unpadded: FDT_END is then missing */
			if (!in_image || depth != images_depth + 1)
				continue;
			if ((err = read_str(&f, f.str_off + nameoff, f.str_off + f.str_len, nm, &nlen)) != TL_OK)
				goto done;
			if (!strcmp(nm, "data")) {
				img.has_data = true;
				img.data_off = val;
				img.data_len = len;
			} else if (!strcmp(nm, "data-offset")) {
				if ((err = prop_u32(&f, val, len, nm, &img.ext_off)) != TL_OK)
					goto done;
				img.has_off = true;
			} else if (!strcmp(nm, "data-position")) {
				if ((err = prop_u32(&f, val, len, nm, &img.ext_pos)) != TL_OK)
					goto done;
				img.has_pos = true;
			} else if (!strcmp(nm, "data-size")) {
				if ((err = prop_u32(&f, val, len, nm, &img.ext_size)) != TL_OK)
					goto done;
				img.has_size = true;
			} else if (!strcmp(nm, "type")) {
				if ((err = prop_str(&f, val, len, img.type, sizeof(img.type))) != TL_OK)
					goto done;
			} else if (!strcmp(nm, "compression")) {
				if ((err = prop_str(&f, val, len, img.comp, sizeof(img.comp))) != TL_OK)
					goto done;
			}
			continue;
		}
		err = tl__error(TL_EPARSE, "%s: FIT: offset %llu: unknown token %u", name, (unsigned long long)(pos - 4),
		                (unsigned)tok);
		goto done;
	}
	if (!found_images) {
		err = tl__error(TL_ENOTFOUND, "%s: a device tree without /images (not a FIT image)", name);
		goto done;
	}
	*total = end;
done:
	if (err)
		*n_out = 0;
	return err;
}
