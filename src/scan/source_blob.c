/*
 * Container sources: a uImage's payloads, a FIT image's /images, or the
 * regions of an unknown blob (a header, a kernel, a file system...) found
 * by their magic at any offset.  Each part is read in place from the
 * source's range: one that is an image is walked as a nested source
 * (tl__source_nest: "ramdisk!/usr/bin/x", "@0x1f000.squashfs!/etc/..."),
 * any other part (a kernel, a device tree) is handed out as one file.
 *
 * Carving (a blob), at every byte offset, a candidate validated before use:
 *
 *   magic                        start      validated by                      extent
 *   "hsqs"                       at         version 4, block size and log,    bytes_used (4 KiB
 *                                           compression 1-6, bytes_used fits  padded)
 *   53 ef                        at - 1080  tl__ext_super_ok                  blocks * block size
 *   27 05 19 56                  at         header CRC, sizes (uimage.c)      64 + data size
 *   d0 0d fe ed                  at         the tree parses, has /images      tree + external data
 *   "070701" "070702" "070707"   at         every header up to TRAILER!!!     to the trailer
 *   "ustar"                      at - 257   every header's checksum           to two zero blocks
 *   gzip, xz, zstd, bzip2, lz4   at         its first 4 KiB decompress to     the rest of the blob
 *                                           a cpio, tar, squashfs or ext
 *
 * A region's bytes are not searched again (a squashfs holding a tar is
 * opened as a squashfs, the tar found inside it by nesting), except a
 * compressed stream's (its end is not known without decompressing it).
 * Limits: TL__MAX_PAYLOADS regions (the rest noted), every byte searched
 * counts against max_bytes, headers walked count against max_entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

#define CHUNK ((size_t)1 << 20)
#define OVERLAP 16

typedef struct {
	char name[80];
	uint64_t off, len;
	tl__kind kind; /* to open, or TL__KIND_NONE: a file */
} region;

typedef struct {
	region regs[TL__MAX_PAYLOADS];
	size_t n;
	const region *cur; /* region handed out as a file */
	uint64_t cur_off;
} blob_impl;

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

bool tl__digits(const uint8_t *p, size_t n, unsigned base, uint64_t *out)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned c = p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		if (d >= base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static uint64_t pad4(uint64_t n)
{
	return (n + 3) & ~(uint64_t)3;
}

/* Bytes of the cpio archive at start (0: not one), walking its headers to "TRAILER!!!". */
static tl_err cpio_extent(tl__source *src, const tl__range *r, uint64_t start, uint64_t *ext)
{
	uint64_t off = start;
	uint8_t h[110 + 11];

	*ext = 0;
	for (;;) {
		uint64_t namesize, filesize, hlen, next;
		bool newc;
		if (110 > r->len - off && 76 > r->len - off)
			return TL_OK;
		if (tl__range_read(r, off, h, 76 < r->len - off ? (110 < r->len - off ? 110 : 76) : 76) != TL_OK)
			return TL_OK;
		newc = !memcmp(h, "070701", 6) || !memcmp(h, "070702", 6);
		if (newc) {
			if (110 > r->len - off || !tl__digits(h + 94, 8, 16, &namesize) || !tl__digits(h + 54, 8, 16, &filesize))
				return TL_OK;
			hlen = 110;
		} else if (!memcmp(h, "070707", 6)) {
			if (!tl__digits(h + 59, 6, 8, &namesize) || !tl__digits(h + 65, 11, 8, &filesize))
				return TL_OK;
			hlen = 76;
		} else {
			return TL_OK;
		}
		if (namesize == 0 || namesize > 4096 || namesize > r->len - off - hlen)
			return TL_OK;
		if (namesize == 11 && tl__range_read(r, off + hlen, h, 11) == TL_OK && !memcmp(h, "TRAILER!!!", 11)) {
			next = newc ? pad4(off + hlen + namesize) : off + hlen + namesize;
			*ext = (next < r->len ? next : r->len) - start;
			return TL_OK;
		}
		next = newc ? pad4(off + hlen + namesize) : off + hlen + namesize;
		if (next > r->len || filesize > r->len - next)
			return TL_OK;
		next = newc ? pad4(next + filesize) : next + filesize;
		if (next > r->len)
			return TL_OK;
		off = next;
		if (tl__source_count_entry(src) != TL_OK)
			return TL_ELIMIT;
	}
}

static bool tar_header_ok(const uint8_t *p, uint64_t *size)
{
	unsigned long sum = 0;
	uint64_t want = 0, v = 0;
	size_t i;

	for (i = 0; i < 512; i++)
		sum += (i >= 148 && i < 156) ? ' ' : p[i];
	for (i = 148; i < 156 && (p[i] == ' ' || p[i] == '\0'); i++)
		;
	for (; i < 156 && p[i] >= '0' && p[i] <= '7'; i++)
		want = want * 8 + (uint64_t)(p[i] - '0');
	if (sum != want)
		return false;
	if (p[124] & 0x80) { /* base-256 size */
		for (i = 125; i < 136; i++) {
			if (v >> 55)
				return false;
			v = v << 8 | p[i];
		}
	} else {
		for (i = 124; i < 136 && (p[i] == ' ' || p[i] == '\0'); i++)
			;
		for (; i < 136 && p[i] >= '0' && p[i] <= '7'; i++)
			v = v * 8 + (uint64_t)(p[i] - '0');
	}
	*size = v;
	return true;
}

/* Bytes of the tar archive at start (0: not one): headers to two zero blocks (or the end). */
static tl_err tar_extent(tl__source *src, const tl__range *r, uint64_t start, uint64_t *ext)
{
	uint64_t off = start;
	uint8_t h[512];
	static const uint8_t zero[512];

	*ext = 0;
	for (;;) {
		uint64_t size, blocks;
		if (512 > r->len - off || tl__range_read(r, off, h, 512) != TL_OK) {
			*ext = off > start ? off - start : 0;
			return TL_OK;
		}
		if (!memcmp(h, zero, 512)) {
			off += 512;
			if (512 <= r->len - off)
				off += 512;
			*ext = off - start;
			return TL_OK;
		}
		if (!tar_header_ok(h, &size)) {
			*ext = off > start ? off - start : 0;
			return TL_OK;
		}
		blocks = (size + 511) / 512;
		if (blocks > (r->len - off - 512) / 512)
			return TL_OK; /* a member past the end: not a tar here */
		off += 512 + blocks * 512;
		if (tl__source_count_entry(src) != TL_OK)
			return TL_ELIMIT;
	}
}

static tl_err add_region(tl__source *src, blob_impl *d, const char *name, uint64_t off, uint64_t len, tl__kind kind)
{
	region *g;

	if (d->n == TL__MAX_PAYLOADS)
		return tl__source_note(src, "%s: more than %d regions; @0x%llx.%s and later ones not opened", src->name,
		                       TL__MAX_PAYLOADS, (unsigned long long)off, tl__kind_name(kind));
	g = &d->regs[d->n++];
	memset(g, 0, sizeof(*g));
	if (name)
		snprintf(g->name, sizeof(g->name), "%s", name);
	else
		snprintf(g->name, sizeof(g->name), "@0x%llx.%s", (unsigned long long)off, tl__kind_name(kind));
	g->off = off;
	g->len = len;
	g->kind = kind;
	return TL_OK;
}

/* The head of the region at off, sniffed (*kind) */
static tl_err head_at(const tl__range *r, uint64_t off, uint8_t *head, size_t *n)
{
	*n = r->len - off < TL__SNIFF_LEN ? (size_t)(r->len - off) : TL__SNIFF_LEN;
	return tl__range_read(r, off, head, *n);
}

/*
 * Tries a candidate of kind k starting at start; *skip: bytes of it not to
 * search again (0: the candidate failed, go on after the magic).
 */
static tl_err try_at(tl__source *src, blob_impl *d, uint64_t start, tl__kind k, uint8_t *head, uint64_t *skip)
{
	const tl__range *r = &src->range;
	tl_err err = TL_OK;
	size_t n;
	uint64_t ext = 0, avail = r->len - start;

	*skip = 0;
	if ((err = head_at(r, start, head, &n)) != TL_OK)
		return err;
	switch (k) {
	case TL__KIND_SQUASHFS: {
		uint32_t bs;
		uint16_t comp, blog, major;
		if (n < 96)
			return TL_OK;
		bs = le32(head + 12);
		comp = (uint16_t)(head[20] | head[21] << 8);
		blog = (uint16_t)(head[22] | head[23] << 8);
		major = (uint16_t)(head[28] | head[29] << 8);
		ext = le64(head + 40);
		if (major != 4 || blog < 12 || blog > 20 || bs != (1u << blog) || comp < 1 || comp > 6 || ext < 96 ||
		    ext > avail)
			return TL_OK;
		ext = (ext + 4095) & ~(uint64_t)4095;
		if (ext > avail)
			ext = avail;
		break;
	}
	case TL__KIND_SQUASHFS_BE:
		if (n >= 30 && head[28] == 0 && head[29] >= 1 && head[29] <= 3)
			return tl__source_note(src, "%s: @0x%llx: a big-endian squashfs (version %u): not supported", src->name,
			                       (unsigned long long)start, head[29]);
		return TL_OK;
	case TL__KIND_EXT:
		if (n < 2048 || !tl__ext_super_ok(head + 1024, avail, &ext))
			return TL_OK;
		if (ext > avail)
			ext = avail; /* unused blocks left out at the end */
		break;
	case TL__KIND_UIMAGE: {
		tl__payload pl[TL__MAX_PAYLOADS];
		size_t np;
		tl__range sub = tl__range_sub(r, start, avail);
		if (tl__uimage_parse(&sub, pl, &np, &ext, src->name) != TL_OK) {
			err = tl__source_note(src, "%s: @0x%llx: uImage not followed: %s", src->name, (unsigned long long)start,
			                      tl_error_last());
			tl_error_clear();
			return err;
		}
		break;
	}
	case TL__KIND_FDT: {
		tl__payload pl[TL__MAX_PAYLOADS];
		size_t np;
		tl__range sub = tl__range_sub(r, start, avail);
		tl_err perr = tl__fit_parse(&sub, pl, &np, &ext, src->name);
		tl_error_clear();
		if (perr == TL_ENOTFOUND) { /* a plain device tree: not searched again */
			*skip = n >= 8 ? (uint64_t)(head[4] << 24 | head[5] << 16 | head[6] << 8 | head[7]) : 0;
			return TL_OK;
		}
		if (perr)
			return TL_OK;
		break;
	}
	case TL__KIND_CPIO:
		if ((err = cpio_extent(src, r, start, &ext)) != TL_OK || ext == 0)
			return err;
		break;
	case TL__KIND_TAR:
		if ((err = tar_extent(src, r, start, &ext)) != TL_OK || ext == 0)
			return err;
		break;
	case TL__KIND_GZIP:
	case TL__KIND_XZ:
	case TL__KIND_ZSTD:
	case TL__KIND_BZIP2:
	case TL__KIND_LZ4: {
		uint8_t *out = NULL;
		size_t len = 0;
		tl__range sub = tl__range_sub(r, start, avail);
		tl__kind inner;
		err = tl__source_decompress(src, &sub, TL__SNIFF_LEN, &out, &len);
		inner = err == TL_OK || (err == TL_ELIMIT && !src->top->limit) || err == TL_EPARSE ? tl__sniff(out, len) :
		        TL__KIND_NONE;
		free(out);
		if (err == TL_ENOMEM || (err == TL_ELIMIT && src->top->limit))
			return err;
		tl_error_clear();
		if (inner != TL__KIND_CPIO && inner != TL__KIND_TAR && inner != TL__KIND_SQUASHFS && inner != TL__KIND_EXT)
			return TL_OK;
		if ((err = add_region(src, d, NULL, start, avail, k)) != TL_OK)
			return err;
		return TL_OK; /* its end is not known: the search goes on inside it */
	}
	default:
		return TL_OK;
	}
	if ((err = add_region(src, d, NULL, start, ext, k)) != TL_OK)
		return err;
	*skip = ext;
	return TL_OK;
}

/* Searches the whole range for images. */
static tl_err carve(tl__source *src, blob_impl *d)
{
	const tl__range *r = &src->range;
	tl_err err = TL_OK;
	uint8_t *buf = malloc(CHUNK + OVERLAP), *head = malloc(TL__SNIFF_LEN);
	uint64_t pos = 0, floor = 0; /* no region starts before floor */

	if (!buf || !head) {
		err = tl__nomem();
		goto done;
	}
	while (pos < r->len && d->n < TL__MAX_PAYLOADS) {
		size_t n = r->len - pos < CHUNK + OVERLAP ? (size_t)(r->len - pos) : CHUNK + OVERLAP;
		size_t lim = n < CHUNK ? n : CHUNK;
		uint64_t next = pos + lim;

		if ((err = tl__source_count(src, lim)) != TL_OK || (err = tl__range_read(r, pos, buf, n)) != TL_OK)
			goto done;
		for (size_t i = 0; i < lim; i++) {
			const uint8_t *p = buf + i;
			size_t left = n - i;
			uint64_t at = pos + i, start = at, skip = 0;
			tl__kind k = TL__KIND_NONE;

			switch (p[0]) {
			case 'h':
				if (left >= 4 && !memcmp(p, "hsqs", 4))
					k = TL__KIND_SQUASHFS;
				break;
			case 's':
				if (left >= 4 && !memcmp(p, "sqsh", 4))
					k = TL__KIND_SQUASHFS_BE;
				break;
			case 0x53:
				if (left >= 2 && p[1] == 0xef && at >= 1080 && at - 1080 >= floor) {
					k = TL__KIND_EXT;
					start = at - 1080;
				}
				break;
			case 0x27:
				if (left >= 4 && !memcmp(p, "\x27\x05\x19\x56", 4))
					k = TL__KIND_UIMAGE;
				break;
			case 0xd0:
				if (left >= 4 && !memcmp(p, "\xd0\x0d\xfe\xed", 4))
					k = TL__KIND_FDT;
				break;
			case '0':
				if (left >= 6 && (!memcmp(p, "070701", 6) || !memcmp(p, "070702", 6) || !memcmp(p, "070707", 6)))
					k = TL__KIND_CPIO;
				break;
			case 'u':
				if (left >= 5 && !memcmp(p, "ustar", 5) && at >= 257 && at - 257 >= floor) {
					k = TL__KIND_TAR;
					start = at - 257;
				}
				break;
			case 0x1f:
				if (left >= 4 && p[1] == 0x8b && p[2] == 8 && p[3] < 0x20)
					k = TL__KIND_GZIP;
				break;
			case 0xfd:
				if (left >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
					k = TL__KIND_XZ;
				break;
			case 0x28:
				if (left >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
					k = TL__KIND_ZSTD;
				break;
			case 'B':
				if (left >= 10 && !memcmp(p, "BZh", 3) && p[3] >= '1' && p[3] <= '9' && !memcmp(p + 4, "1AY&SY", 6))
					k = TL__KIND_BZIP2;
				break;
			case 0x04:
				if (left >= 4 && !memcmp(p, "\x04\x22\x4d\x18", 4))
					k = TL__KIND_LZ4;
				break;
			default:
				break;
			}
			if (k == TL__KIND_NONE)
				continue;
			if ((err = try_at(src, d, start, k, head, &skip)) != TL_OK)
				goto done;
			if (skip && start + skip > at + 1) {
				floor = start + skip;
				next = floor;
				break;
			}
			if (d->n >= TL__MAX_PAYLOADS)
				break;
		}
		pos = next;
	}
done:
	free(buf);
	free(head);
	return err;
}

static tl__kind comp_kind(uint8_t comp)
{
	switch (comp) {
	case TL__UIMG_COMP_GZIP: return TL__KIND_GZIP;
	case TL__UIMG_COMP_BZIP2: return TL__KIND_BZIP2;
	case TL__UIMG_COMP_LZMA: return TL__KIND_LZMA;
	case TL__UIMG_COMP_LZ4: return TL__KIND_LZ4;
	case TL__UIMG_COMP_ZSTD: return TL__KIND_ZSTD;
	case TL__UIMG_COMP_LZO: return TL__KIND_LZOP;
	default: return TL__KIND_NONE;
	}
}

/* Regions from the payloads of a uImage or a FIT image. */
static tl_err from_payloads(tl__source *src, blob_impl *d, const tl__payload *pl, size_t np)
{
	tl_err err = TL_OK;
	uint8_t head[TL__SNIFF_LEN];
	size_t n;

	for (size_t i = 0; i < np; i++) {
		tl__kind k = TL__KIND_NONE;
		if (pl[i].comp == TL__UIMG_COMP_NONE) {
			if ((err = head_at(&src->range, pl[i].off, head, &n)) != TL_OK)
				return err;
			if (n > pl[i].len)
				n = (size_t)pl[i].len;
			k = tl__sniff(head, n);
		} else if ((k = comp_kind(pl[i].comp)) == TL__KIND_NONE &&
		           (err = tl__source_note(src, "%s: %s: %s compression not supported; read as it is", src->name,
		                                  pl[i].name, tl__uimage_comp_name(pl[i].comp))) != TL_OK) {
			return err;
		}
		if ((err = add_region(src, d, pl[i].name, pl[i].off, pl[i].len, k)) != TL_OK)
			return err;
	}
	return TL_OK;
}

static tl_err blob_read(tl__source *src, void *buf, size_t len, size_t *got)
{
	blob_impl *d = src->impl;
	tl_err err;

	*got = 0;
	if (!d->cur || d->cur_off >= d->cur->len || len == 0)
		return TL_OK;
	if (len > d->cur->len - d->cur_off)
		len = (size_t)(d->cur->len - d->cur_off);
	if ((err = tl__range_read(&src->range, d->cur->off + d->cur_off, buf, len)) != TL_OK ||
	    (err = tl__source_count(src, len)) != TL_OK)
		return err;
	d->cur_off += len;
	*got = len;
	return TL_OK;
}

static tl_err blob_walk(tl__source *src, tl__entry_fn fn, void *ctx)
{
	blob_impl *d = src->impl;
	tl_err err = TL_OK;

	for (size_t i = 0; i < d->n; i++) {
		const region *g = &d->regs[i];
		bool opened = false;
		tl__entry e = { 0 };

		if (g->kind != TL__KIND_NONE && g->kind != TL__KIND_AR && g->kind != TL__KIND_ZIP) {
			tl__range sub = tl__range_sub(&src->range, g->off, g->len);
			if ((err = tl__source_nest(src, &sub, g->name, g->kind, NULL, 0, &opened)) != TL_OK)
				return err;
			if (opened)
				continue;
		}
		/* not an image: one file (a kernel, a device tree, a script) */
		if ((err = tl__source_count_entry(src)) != TL_OK)
			return err;
		e.path = g->name;
		e.type = TL__ENT_FILE;
		e.mode = 0444;
		e.size = g->len;
		d->cur = g;
		d->cur_off = 0;
		src->tried = g->kind != TL__KIND_NONE && g->kind != TL__KIND_AR && g->kind != TL__KIND_ZIP;
		err = fn(src, &e, ctx);
		src->tried = false;
		d->cur = NULL;
		if (err)
			return err;
	}
	return TL_OK;
}

static void blob_free(tl__source *src)
{
	free(src->impl);
	src->impl = NULL;
}

static const tl__source_ops blob_ops = { "blob", blob_walk, blob_read, blob_free };
static const tl__source_ops uimage_ops = { "uimage", blob_walk, blob_read, blob_free };
static const tl__source_ops fit_ops = { "fit", blob_walk, blob_read, blob_free };

tl_err tl__source_blob_open(tl__source *src, tl__kind kind)
{
	tl_err err = TL_OK;
	blob_impl *d = calloc(1, sizeof(*d));
	tl__payload pl[TL__MAX_PAYLOADS];
	size_t np = 0;
	uint64_t total;
	tl_buf det = TL_BUF_INIT;

	if (!d)
		return tl__nomem();
	src->impl = d;
	if (kind == TL__KIND_UIMAGE) {
		src->ops = &uimage_ops;
		if ((err = tl__uimage_parse(&src->range, pl, &np, &total, src->name)) != TL_OK ||
		    (err = from_payloads(src, d, pl, np)) != TL_OK)
			goto done;
	} else if (kind == TL__KIND_FDT) {
		src->ops = &fit_ops;
		if ((err = tl__fit_parse(&src->range, pl, &np, &total, src->name)) != TL_OK ||
		    (err = from_payloads(src, d, pl, np)) != TL_OK)
			goto done;
	} else {
		src->ops = &blob_ops;
		if ((err = carve(src, d)) != TL_OK)
			goto done;
		if (d->n == 0) {
			err = tl__error(TL_EUNSUPPORTED, "%s: no file system or archive found at any offset", src->name);
			goto done;
		}
	}
	for (size_t i = 0; i < d->n && !err; i++)
		err = tl_buf_printf(&det, "%s%s", i ? ", " : "", d->regs[i].name);
	if (!err) {
		free(src->detail);
		src->detail = tl_buf_detach(&det);
	}
done:
	tl_buf_dispose(&det);
	return err;
}
