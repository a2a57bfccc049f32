/*
 * The source layer: one virtual file tree over a directory or an image,
 * recognised by content (sniff.c), with images inside images opened in
 * place.
 *
 *   content of the target (or of a region)   source           file
 *   ---------------------------------------  ---------------  -------------------
 *   (a directory)                            directory        source_dir.c
 *   "hsqs" (squashfs, little-endian)         squashfs         source_squashfs.c
 *   0xEF53 at 1080, a plausible super block  ext2/3/4         source_ext.c
 *   a uImage header (CRC checked)            uimage           source_blob.c
 *   a device tree with /images (FIT)         fit              source_blob.c
 *   anything libarchive bids on:             archive          source_archive.c
 *   tar, cpio (newc, odc, bin), zip,
 *   ar; compressed with gzip, xz,
 *   lzma, zstd, bzip2, lz4, compress
 *   anything else (the target only):         blob             source_blob.c
 *   file systems and archives found by
 *   their magic at any offset
 *
 * Nesting.  Every regular file of 64 bytes or more is sniffed as it is
 * walked (its first TL__SNIFF_LEN bytes are read and handed back to the
 * walker before the rest).  A file that is a squashfs, ext2/3/4, uImage,
 * FIT, tar or cpio image, or a gzip/xz/zstd/bzip2/lz4 stream holding one,
 * is given to the walker as a file, then held in memory (max_memory in
 * all, across levels) and walked as an image whose paths start with the
 * file's path and "!/": "rootfs.tar!/usr/bin/x".  Package archives (ar:
 * .deb, .ipk) and zip files (.jar, .apk) inside an image are files, not
 * opened; as the target they are.  Regions of a blob and payloads of a
 * uImage or FIT image are read in place from the target's file (no
 * memory), named "@0x<offset>.<kind>" and by payload ("ramdisk",
 * "images/ramdisk-1").  The target is level 0; levels past max_depth are
 * not opened.
 *
 * Limits (tl__limits; zero means the default of include/trustline/scan.h),
 * counted in the top source over every level: max_entries entries handed
 * to the walker, max_bytes content bytes read or decompressed (archives
 * count every decompressed byte, skipped ones too, so a decompression bomb
 * stops there), max_path bytes per path (the prefix included), max_depth,
 * max_memory.  Entries, bytes and path length end the walk early with
 * top->limit naming the limit; depth and memory leave one image unopened
 * and add a note.  A corrupt nested image adds a note; the walk goes on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "scan/scan_int.h"

#define MIN_SNIFF 64 /* smaller files are not images */
#define MAX_NOTES 1000

static tl_err source_new(tl__source **out, const char *name, const tl__limits *lim)
{
	tl__source *src = calloc(1, sizeof(*src));

	if (!src)
		return tl__nomem();
	if (!(src->name = strdup(name)) || !(src->prefix = strdup(""))) {
		free(src->name);
		free(src);
		return tl__nomem();
	}
	if (lim)
		src->lim = *lim;
	if (!src->lim.max_entries)
		src->lim.max_entries = TL_SCAN_DEFAULT_MAX_ENTRIES;
	if (!src->lim.max_bytes)
		src->lim.max_bytes = TL_SCAN_DEFAULT_MAX_BYTES;
	if (!src->lim.max_path)
		src->lim.max_path = TL_SCAN_DEFAULT_MAX_PATH;
	if (!src->lim.max_depth)
		src->lim.max_depth = TL_SCAN_DEFAULT_MAX_DEPTH;
	if (!src->lim.max_memory)
		src->lim.max_memory = TL_SCAN_DEFAULT_MAX_MEMORY;
	src->top = src;
	src->own_fd = -1;
	src->range.fd = -1;
	*out = src;
	return TL_OK;
}

static bool compressed(tl__kind k)
{
	return k == TL__KIND_GZIP || k == TL__KIND_XZ || k == TL__KIND_ZSTD || k == TL__KIND_BZIP2 ||
	       k == TL__KIND_LZ4 || k == TL__KIND_LZMA || k == TL__KIND_LZOP;
}

/* Up to max bytes of the compressed stream r decompressed (TL_ELIMIT past it). */
static tl_err decompress(tl__source *src, tl__kind k, const tl__range *r, uint64_t max, uint8_t **out, size_t *len)
{
	if (k == TL__KIND_LZOP)
		return tl__lzop_decode(r, src->name, max, out, len);
	return tl__source_decompress(src, r, max, out, len);
}

/* Opens src->range as an image of kind k; blob: carve an unknown one. */
static tl_err open_range(tl__source *src, tl__kind k, bool blob)
{
	tl_err err;

	switch (k) {
	case TL__KIND_SQUASHFS:
		return tl__source_squashfs_open_range(src);
	case TL__KIND_EXT:
		return tl__source_ext_open(src);
	case TL__KIND_UIMAGE:
	case TL__KIND_FDT:
		err = tl__source_blob_open(src, k);
		if (err == TL_ENOTFOUND && blob) {
			if (src->ops && src->impl)
				src->ops->free(src);
			src->ops = NULL;
			err = tl__source_blob_open(src, TL__KIND_NONE); /* a device tree: look past it */
		}
		return err;
	case TL__KIND_SQUASHFS_BE:
		return tl__error(TL_EUNSUPPORTED, "%s: a big-endian squashfs image (version 3 or older): not supported",
		                 src->name);
	default:
		break;
	}
	if (blob) {
		/* libarchive takes zeros for an empty tar: a blob that starts with
		 * zero padding (a disk image, a flash dump) is searched instead */
		uint8_t head[1024];
		bool zero = src->range.len >= sizeof(head) && tl__range_read(&src->range, 0, head, sizeof(head)) == TL_OK;
		for (size_t i = 0; zero && i < sizeof(head); i++)
			zero = head[i] == 0;
		if (zero)
			return tl__source_blob_open(src, TL__KIND_NONE);
	}
	err = tl__source_archive_open_range(src);
	if (err == TL_EUNSUPPORTED && blob) {
		char *msg = tl_strdup(tl_error_last());
		if (src->ops && src->impl)
			src->ops->free(src);
		src->ops = NULL;
		err = tl__source_blob_open(src, TL__KIND_NONE);
		if (err == TL_EUNSUPPORTED && msg)
			err = tl__error(TL_EUNSUPPORTED, "%s", msg); /* nothing found: the plain answer */
		free(msg);
	}
	return err;
}

tl_err tl__source_open(tl__source **out, const char *target, const tl__limits *lim)
{
	tl_err err = TL_OK;
	tl__source *src = NULL;
	struct stat st;
	uint8_t head[TL__SNIFF_LEN];
	ssize_t n;
	off_t size;

	*out = NULL;
	if ((err = source_new(&src, target, lim)) != TL_OK)
		goto done;
	if (stat(target, &st) != 0) {
		err = tl__error(TL_EIO, "%s: %s", target, strerror(errno));
		goto done;
	}
	if (S_ISDIR(st.st_mode)) {
		err = tl__source_dir_open(src, target);
		goto done;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		err = tl__error(TL_EUNSUPPORTED, "%s: not a directory, a file or a block device", target);
		goto done;
	}
	if ((src->own_fd = open(target, O_RDONLY | O_CLOEXEC)) < 0) {
		err = tl__error(TL_EIO, "%s: %s", target, strerror(errno));
		goto done;
	}
	if ((size = lseek(src->own_fd, 0, SEEK_END)) < 0) {
		err = tl__error(TL_EIO, "%s: %s", target, strerror(errno));
		goto done;
	}
	src->range = (tl__range){ src->own_fd, NULL, 0, (uint64_t)size };
	n = pread(src->own_fd, head, sizeof(head), 0);
	if (n < 0) {
		err = tl__error(TL_EIO, "%s: %s", target, strerror(errno));
		goto done;
	}
	err = open_range(src, tl__sniff(head, (size_t)n), true);
done:
	if (err == TL_OK) {
		*out = src;
		src = NULL;
	}
	tl__source_free(src);
	return err;
}

tl_err tl__source_open_mem(tl__source **out, const void *data, size_t len, const char *name,
                           const tl__limits *lim)
{
	tl_err err = TL_OK;
	tl__source *src = NULL;

	*out = NULL;
	if ((err = source_new(&src, name, lim)) != TL_OK)
		goto done;
	src->range = (tl__range){ -1, data, 0, len };
	err = open_range(src, tl__sniff(data, len < TL__SNIFF_LEN ? len : TL__SNIFF_LEN), true);
done:
	if (err == TL_OK) {
		*out = src;
		src = NULL;
	}
	tl__source_free(src);
	return err;
}

tl_err tl__source_note(tl__source *src, const char *fmt, ...)
{
	tl__source *top = src->top;
	tl_buf b = TL_BUF_INIT;
	tl_err err;
	char **slot;
	va_list ap;

	if (top->n_notes >= MAX_NOTES)
		return TL_OK;
	va_start(ap, fmt);
	err = tl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (!err && (err = tl__array_grow((void **)&top->notes, &top->n_notes, sizeof(char *), (void **)&slot)) == TL_OK)
		*slot = tl_buf_detach(&b);
	tl_buf_dispose(&b);
	return err;
}

/* Reads the head of the current file into src->peek (*n bytes). */
static tl_err peek_head(tl__source *src, size_t *n)
{
	tl_err err = TL_OK;
	size_t got;

	*n = 0;
	if (!src->peek && !(src->peek = malloc(TL__SNIFF_LEN)))
		return tl__nomem();
	while (*n < TL__SNIFF_LEN) {
		if ((err = src->ops->read(src, src->peek + *n, TL__SNIFF_LEN - *n, &got)) != TL_OK || got == 0)
			break;
		*n += got;
	}
	return err;
}

/* Kinds opened when met as a file inside an image. */
static bool nestable(tl__kind k)
{
	return k == TL__KIND_SQUASHFS || k == TL__KIND_EXT || k == TL__KIND_UIMAGE || k == TL__KIND_FDT ||
	       k == TL__KIND_CPIO || k == TL__KIND_TAR || (compressed(k) && k != TL__KIND_LZMA);
}

static tl_err nest_entry(tl__source *src, const tl__entry *e, void *unused)
{
	tl__source *top = src->top;
	tl_err err = TL_OK;
	tl_buf path = TL_BUF_INIT, link = TL_BUF_INIT;
	tl__entry pe = *e;
	uint8_t *mem = NULL;
	size_t n = 0, have = 0;
	tl__kind k = TL__KIND_NONE;

	(void)unused;
	if (src->prefix[0]) {
		if ((err = tl_buf_printf(&path, "%s%s", src->prefix, e->path)) != TL_OK)
			goto done;
		if (e->path[0] == '\0')
			path.ptr[path.len - 2] = '\0'; /* the root of a nested image: "x.img!" */
		if (path.len > src->lim.max_path) {
			err = tl__source_limit_hit(src, "path longer than %zu bytes", src->lim.max_path);
			goto done;
		}
		pe.path = path.ptr;
		if (e->type == TL__ENT_HARDLINK && e->link) {
			if ((err = tl_buf_printf(&link, "%s%s", src->prefix, e->link)) != TL_OK)
				goto done;
			pe.link = link.ptr;
		}
	}
	if (e->type != TL__ENT_FILE || e->size < MIN_SNIFF || src->tried) {
		err = top->user_fn(src, &pe, top->user_ctx);
		goto done;
	}
	if ((err = peek_head(src, &n)) != TL_OK)
		goto done;
	k = tl__sniff(src->peek, n);
	if (!nestable(k)) {
		k = TL__KIND_NONE;
	} else if (src->depth + 1 > top->lim.max_depth) {
		if (!compressed(k) && (err = tl__source_note(src, "--max-depth: /%s (%s) not opened: more than %u levels of "
		                                             "images", pe.path, tl__kind_name(k), top->lim.max_depth)) != TL_OK)
			goto done;
		k = TL__KIND_NONE;
	} else if (e->size > top->lim.max_memory - top->memory || top->memory > top->lim.max_memory) {
		if ((err = tl__source_note(src, "--max-memory: /%s (%s, %llu bytes) not opened: nested images in memory "
		                           "would pass %llu bytes", pe.path, tl__kind_name(k), (unsigned long long)e->size,
		                           (unsigned long long)top->lim.max_memory)) != TL_OK)
			goto done;
		k = TL__KIND_NONE;
	}
	if (k == TL__KIND_NONE) {
		src->pb = src->peek;
		src->pb_len = n;
		src->pb_off = 0;
		err = top->user_fn(src, &pe, top->user_ctx);
		goto done;
	}
	/* an image: held whole (the size the entry declares, at most), handed
	 * to the walker from memory, then opened */
	if (!(mem = malloc((size_t)e->size))) {
		err = tl__nomem();
		goto done;
	}
	memcpy(mem, src->peek, n);
	have = n;
	while (have < e->size) {
		size_t got;
		if ((err = src->ops->read(src, mem + have, (size_t)e->size - have, &got)) != TL_OK)
			goto done;
		if (got == 0)
			break;
		have += got;
	}
	top->memory += e->size;
	src->pb = mem;
	src->pb_len = have;
	src->pb_off = 0;
	err = top->user_fn(src, &pe, top->user_ctx);
	src->pb = NULL;
	if (err) {
		top->memory -= e->size;
		goto done;
	}
	{
		tl__range r = { -1, mem, 0, have };
		err = tl__source_nest(src, &r, e->path, k, mem, e->size, NULL);
		mem = NULL;
	}
done:
	src->pb = NULL;
	src->pb_len = src->pb_off = 0;
	free(mem);
	tl_buf_dispose(&path);
	tl_buf_dispose(&link);
	return err;
}

tl__range tl__range_sub(const tl__range *r, uint64_t off, uint64_t len)
{
	if (r->fd >= 0)
		return (tl__range){ r->fd, NULL, r->off + off, len };
	return (tl__range){ -1, r->mem + r->off + off, 0, len };
}

/*
 * Most gzip files inside a root file system are compressed text (manual
 * pages, changelogs), and asking libarchive whether one holds a tar or
 * cpio archive costs an archive reader and a 64 KiB inflate per file.  The
 * head of the stream settles it for nearly all of them.
 *
 * gz_head inflates the first gzip member in r into out (at most cap
 * bytes).  It answers (returns true) only when zlib read the stream
 * without complaint and either filled out or reached the member's end with
 * nothing after it (*whole); anything else (a header zlib rejects, a bad
 * CRC, a second member, a read error) returns false and the caller asks
 * libarchive, as before.  zlib accepts a subset of the gzip headers
 * libarchive's gzip filter accepts, so where gz_head answers, libarchive
 * inflates the same bytes.
 */
/* A zlib inflater kept from one gz_head to the next (its state and window
 * allocated once): inflateReset2 makes it what inflateInit2 makes. */
struct tl__gz_inflater {
	z_stream z;
};

void tl__gz_inflater_free(tl__gz_inflater *g)
{
	if (!g)
		return;
	inflateEnd(&g->z);
	free(g);
}

static bool gz_head(const tl__range *r, uint8_t *out, size_t cap, size_t *n, bool *whole, tl__gz_inflater **keep)
{
	z_stream local, *zp = &local;
	uint8_t in[16384];
	uint64_t pos = 0;
	bool ok = false;
	int zr = Z_OK;

	*n = 0;
	*whole = false;
	if (keep && *keep) {
		zp = &(*keep)->z;
		if (inflateReset2(zp, 15 + 16) != Z_OK)
			return false;
		/* the reset leaves the input where the last stream stopped */
		zp->next_in = Z_NULL;
		zp->avail_in = 0;
	} else {
		if (keep && (*keep = calloc(1, sizeof(**keep))) != NULL)
			zp = &(*keep)->z;
		memset(zp, 0, sizeof(*zp));
		if (inflateInit2(zp, 15 + 16) != Z_OK) {
			if (keep) {
				free(*keep);
				*keep = NULL;
			}
			return false;
		}
	}
	zp->next_out = out;
	zp->avail_out = (uInt)cap;
	while (zp->avail_out > 0) {
		if (zp->avail_in == 0) {
			size_t take = r->len - pos > sizeof(in) ? sizeof(in) : (size_t)(r->len - pos);
			if (take == 0)
				break; /* truncated: libarchive says what */
			if (r->fd < 0) {
				zp->next_in = (Bytef *)(r->mem + r->off + pos);
			} else {
				if (tl__range_read(r, pos, in, take) != TL_OK) {
					tl_error_clear();
					break;
				}
				zp->next_in = in;
			}
			zp->avail_in = (uInt)take;
			pos += take;
		}
		zr = inflate(zp, Z_NO_FLUSH);
		if (zr == Z_STREAM_END) {
			ok = zp->avail_in == 0 && pos == r->len;
			*whole = ok;
			break;
		}
		if (zr != Z_OK)
			break;
	}
	if (zp->avail_out == 0 && zr != Z_STREAM_END)
		ok = true;
	*n = cap - zp->avail_out;
	if (zp == &local)
		inflateEnd(&local);
	return ok;
}

/* tar_atol of libarchive's tar reader, for the checksum field: leading
 * blanks, an optional '-', octal digits. */
static long tar_field(const uint8_t *p, size_t n)
{
	long v = 0, sign = 1;

	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	if (n && *p == '-')
		sign = -1, p++, n--;
	while (n && *p >= '0' && *p <= '7')
		v = v * 8 + (*p++ - '0'), n--;
	return sign * v;
}

/*
 * Whether the n bytes a compressed stream starts with could be opened by
 * libarchive as a nested archive (the formats of archive_new below depth
 * 0: tar, cpio) or as another filter's stream: a superset of what its
 * bidders accept.  tar: the header checksum (unsigned or signed bytes, the
 * field read as libarchive reads it; a base-256 field, or any NUL, is a
 * maybe); cpio: "07" or the binary magic; filters: their magic, and any
 * NUL in the first 512 bytes (lzma's header, xz's, a zero tar block).
 */
static bool may_be_archive(const uint8_t *p, size_t n)
{
	size_t m = n < 512 ? n : 512;

	if (n < 6 || memchr(p, 0, m))
		return true;
	if (!memcmp(p, "07", 2) || (p[0] == 0xc7 && p[1] == 0x71) || (p[0] == 0x71 && p[1] == 0xc7) ||
	    (p[0] == 0x1f && (p[1] == 0x8b || p[1] == 0x9d)) || !memcmp(p, "BZ", 2) || (p[0] == 0x28 && p[1] == 0xb5) ||
	    (p[0] == 0xfd && p[1] == '7') || (p[0] == 0x04 && p[1] == 0x22) || (p[0] == 0x02 && p[1] == 0x21) ||
	    ((p[0] & 0xf0) == 0x50 && p[1] == 0x2a))
		return true;
	if (n >= 512) {
		long sum = tar_field(p + 148, 8), u = 0, s = 0;
		if (p[148] & 0x80)
			return true;
		for (size_t i = 0; i < 512; i++) {
			unsigned char c = i >= 148 && i < 156 ? ' ' : p[i];
			u += c;
			s += (signed char)c;
		}
		if (sum == u || sum == s)
			return true;
	}
	return false;
}

bool tl__gz_text(const tl__range *r, size_t *gn, tl__kind *inner, tl__gz_inflater **keep)
{
	uint8_t gz[TL__SNIFF_LEN + 1];
	bool whole = false;

	*gn = 0;
	*inner = TL__KIND_NONE;
	if (!gz_head(r, gz, sizeof(gz), gn, &whole, keep) || !(*gn == sizeof(gz) || (whole && *gn > 0)) ||
	    may_be_archive(gz, *gn))
		return false;
	*inner = tl__sniff(gz, *gn < TL__SNIFF_LEN ? *gn : TL__SNIFF_LEN);
	return true;
}

tl_err tl__source_nest(tl__source *parent, const tl__range *r, const char *name, tl__kind kind, uint8_t *mem,
                       uint64_t mem_held, bool *opened)
{
	tl__source *top = parent->top, *child = NULL;
	tl_err err = TL_OK;
	tl_buf b = TL_BUF_INIT;
	char **slot;

	if (opened)
		*opened = false;
	if (parent->depth + 1 > top->lim.max_depth) {
		err = tl__source_note(parent, "--max-depth: /%s%s (%s) not opened: more than %u levels of images",
		                      parent->prefix, name, tl__kind_name(kind), top->lim.max_depth);
		goto done;
	}
	if ((err = tl_buf_printf(&b, "%s!/%s", parent->name, name)) != TL_OK ||
	    (err = source_new(&child, b.ptr, &top->lim)) != TL_OK)
		goto done;
	child->top = top;
	child->depth = parent->depth + 1;
	child->range = *r;
	child->own_mem = mem;
	child->mem_held = mem_held;
	mem = NULL;
	mem_held = 0;
	free(child->prefix);
	tl_buf_clear(&b);
	if ((err = tl_buf_printf(&b, "%s%s!/", parent->prefix, name)) != TL_OK)
		goto done;
	child->prefix = tl_buf_detach(&b);
	if (compressed(kind)) {
		/* a tar or cpio is streamed; a file system is decompressed into memory */
		uint8_t *head = NULL, *whole = NULL;
		size_t hlen = 0, wlen = 0;
		tl__kind inner, gz_inner = TL__KIND_NONE;
		size_t gn = 0;
		bool in_memory, text = false;
		if (kind == TL__KIND_GZIP) {
			/* the directory source's read-ahead may have answered it
			 * for these very bytes */
			int hint = tl__source_dir_gz_hint(parent, r, &gn, &gz_inner);
			text = hint >= 0 ? hint == 1 : tl__gz_text(r, &gn, &gz_inner, &top->gz);
		}
		if (!text) {
			if (kind != TL__KIND_LZOP) { /* libarchive has no lzop of its own */
				err = tl__source_archive_open_range(child);
				if (err != TL_EUNSUPPORTED)
					goto open_done;
				tl_error_clear();
				if (child->ops && child->impl)
					child->ops->free(child);
				child->ops = NULL;
			}
			err = decompress(child, kind, r, TL__SNIFF_LEN, &head, &hlen);
			inner = err == TL_OK || err == TL_ELIMIT ? tl__sniff(head, hlen) : TL__KIND_NONE;
			free(head);
		} else {
			/* what tl__source_decompress would have counted and kept:
			 * all of it, up to TL__SNIFF_LEN + 1 bytes */
			err = tl__source_count(child, gn);
			inner = err == TL_OK ? gz_inner : TL__KIND_NONE;
		}
		if (err == TL_ENOMEM)
			goto done;
		if (err == TL_EPARSE && kind == TL__KIND_LZOP) { /* checksummed: corrupt, not some other data */
			err = tl__source_note(parent, "/%s%s: not opened: %s", parent->prefix, name, tl_error_last());
			goto done;
		}
		tl_error_clear();
		err = TL_OK;
		in_memory = inner == TL__KIND_SQUASHFS || inner == TL__KIND_EXT || inner == TL__KIND_UIMAGE ||
		            inner == TL__KIND_FDT ||
		            (kind == TL__KIND_LZOP && (inner == TL__KIND_TAR || inner == TL__KIND_CPIO));
		if (!in_memory)
			goto done; /* not an image: an ordinary compressed file */
		if (top->memory > top->lim.max_memory) {
			err = tl__source_note(parent, "--max-memory: /%s%s (%s in %s) not opened", parent->prefix, name,
			                      tl__kind_name(inner), tl__kind_name(kind));
			goto done;
		}
		err = decompress(child, kind, r, top->lim.max_memory - top->memory, &whole, &wlen);
		if (err == TL_ELIMIT && !top->limit) {
			free(whole);
			tl_error_clear();
			err = tl__source_note(parent, "--max-memory: /%s%s (%s in %s) not opened: more than %llu bytes "
			                      "decompressed", parent->prefix, name, tl__kind_name(inner), tl__kind_name(kind),
			                      (unsigned long long)(top->lim.max_memory - top->memory));
			goto done;
		}
		if (err) {
			free(whole);
			goto open_done;
		}
		free(child->own_mem);
		if (child->mem_held) {
			top->memory -= child->mem_held;
			child->mem_held = 0;
		}
		child->own_mem = whole;
		child->mem_held = wlen;
		top->memory += wlen;
		child->range = (tl__range){ -1, whole, 0, wlen };
		kind = inner;
	}
	err = open_range(child, kind, false);
open_done:
	if (err == TL_ENOMEM || (err == TL_ELIMIT && top->limit))
		goto done;
	if (err == TL_ENOTFOUND) { /* a plain device tree, not a FIT image */
		tl_error_clear();
		err = TL_OK;
		goto done;
	}
	if (err) {
		err = tl__source_note(parent, "/%s%s: not opened: %s", parent->prefix, name, tl_error_last());
		goto done;
	}
	if ((err = tl__array_grow((void **)&top->roots, &top->n_roots, sizeof(char *), (void **)&slot)) != TL_OK)
		goto done;
	if (!(*slot = strdup(child->prefix))) {
		top->n_roots--;
		err = tl__nomem();
		goto done;
	}
	top->n_nested++;
	if (opened)
		*opened = true;
	err = child->ops->walk(child, nest_entry, NULL);
	if (err == TL_ENOMEM || (err == TL_ELIMIT && top->limit))
		goto done;
	if (err)
		err = tl__source_note(parent, "/%s%s: walk stopped: %s", parent->prefix, name, tl_error_last());
done:
	if (mem && mem_held)
		top->memory -= mem_held;
	free(mem);
	tl__source_free(child);
	tl_buf_dispose(&b);
	return err;
}

tl_err tl__source_walk(tl__source *src, tl__entry_fn fn, void *ctx)
{
	tl_err err;
	char **slot;

	src->user_fn = fn;
	src->user_ctx = ctx;
	if (src->n_roots == 0) {
		if ((err = tl__array_grow((void **)&src->roots, &src->n_roots, sizeof(char *), (void **)&slot)) != TL_OK)
			return err;
		if (!(*slot = strdup(""))) {
			src->n_roots--;
			return tl__nomem();
		}
	}
	err = src->ops->walk(src, nest_entry, NULL);
	if (err == TL_ELIMIT && src->top->limit)
		err = TL_OK; /* reported through src->limit */
	return err;
}

tl_err tl__source_read(tl__source *src, void *buf, size_t len, size_t *got)
{
	if (src->pb && src->pb_off < src->pb_len) {
		size_t n = src->pb_len - src->pb_off;
		if (n > len)
			n = len;
		memcpy(buf, src->pb + src->pb_off, n);
		src->pb_off += n;
		*got = n;
		return TL_OK;
	}
	return src->ops->read(src, buf, len, got);
}

int tl__source_dup_rest(tl__source *src, char **label)
{
	*label = NULL;
	if (src->pb && src->pb_off < src->pb_len)
		return -1;
	return tl__source_dir_dup_rest(src, label);
}

void tl__source_free(tl__source *src)
{
	if (!src)
		return;
	if (src->ops && src->impl)
		src->ops->free(src);
	if (src->mem_held && src->top && src->top != src)
		src->top->memory -= src->mem_held;
	free(src->own_mem);
	if (src->own_fd >= 0)
		close(src->own_fd);
	free(src->name);
	free(src->prefix);
	free(src->limit);
	free(src->detail);
	free(src->peek);
	tl__gz_inflater_free(src->gz);
	for (size_t i = 0; i < src->n_notes; i++)
		free(src->notes[i]);
	free(src->notes);
	for (size_t i = 0; i < src->n_roots; i++)
		free(src->roots[i]);
	free(src->roots);
	free(src);
}

tl_err tl__source_limit_hit(tl__source *src, const char *fmt, ...)
{
	tl__source *top = src->top;
	va_list ap;
	tl_buf b = TL_BUF_INIT;

	if (!top->limit) {
		va_start(ap, fmt);
		if (tl_buf_vprintf(&b, fmt, ap) == TL_OK)
			top->limit = tl_buf_detach(&b);
		va_end(ap);
		tl_buf_dispose(&b);
	}
	return tl__error(TL_ELIMIT, "%s: %s", src->name, top->limit ? top->limit : "limit reached");
}

tl_err tl__source_count(tl__source *src, uint64_t n)
{
	tl__source *top = src->top;

	if (n > top->lim.max_bytes - top->bytes || top->bytes > top->lim.max_bytes) {
		top->bytes = top->lim.max_bytes;
		return tl__source_limit_hit(src, "--max-bytes: more than %llu bytes of content read",
		                            (unsigned long long)top->lim.max_bytes);
	}
	top->bytes += n;
	return TL_OK;
}

tl_err tl__source_count_entry(tl__source *src)
{
	tl__source *top = src->top;

	if (top->entries >= top->lim.max_entries)
		return tl__source_limit_hit(src, "--max-entries: more than %llu entries",
		                            (unsigned long long)top->lim.max_entries);
	top->entries++;
	return TL_OK;
}
