/*
 * Archive source through libarchive, streamed once: tar (ustar, pax, GNU),
 * zip and ar, under any filter libarchive has (gzip, bzip2, xz, lzma, zstd,
 * lz4, compress...).  Formats are bid on by content; the file name plays no
 * part.  cpio (newc, crc, odc, binary) is read by cpio.c from libarchive's
 * "raw" format, the filters' output: libarchive's own cpio reader reads a
 * whole name of the header's size into memory at once, whatever its size.
 *
 * A gzip target is inflated in a second thread by ISA-L (gzpipe.c) and
 * libarchive reads the inflated bytes; the rest goes to libarchive as is.
 *
 * Every content byte of every entry is read through here, whether the
 * walker wanted it or not (the rest of an entry is drained, not skipped),
 * so max_bytes bounds the decompressed bytes and a decompression bomb
 * stops at the limit.  Entry names are normalised (path.c): an absolute
 * name or one with ".." stays inside the root.  Hard links name an
 * earlier entry, normalised the same way.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

/* libarchive's input: a byte range of the target or of memory. */
typedef struct {
	tl__range r;
	uint64_t pos;
	uint8_t buf[65536];
} ar_input;

typedef struct {
	struct archive *a;
	tl__gzpipe *gz;  /* a gzip file inflated in a second thread, or NULL */
	bool in_entry;
	/* the first header, read at open to tell raw (cpio or nothing) from the rest */
	bool pending;
	int pending_r;
	struct archive_entry *pending_ae;
	tl__cpio *cpio;  /* a cpio stream read by cpio.c, or NULL */
	uint8_t cpio_head[6];
	ar_input in;
	char scratch[65536];
} ar_impl;

static la_ssize_t in_read(struct archive *a, void *cd, const void **out)
{
	ar_input *in = cd;
	uint64_t left = in->r.len - in->pos;
	size_t n;

	if (left == 0)
		return 0;
	if (in->r.fd < 0) {
		/* memory: the rest at once, in pieces a ssize_t holds */
		n = left > ((size_t)1 << 30) ? (size_t)1 << 30 : (size_t)left;
		*out = in->r.mem + in->pos;
		in->pos += n;
		return (la_ssize_t)n;
	}
	n = left > sizeof(in->buf) ? sizeof(in->buf) : (size_t)left;
	if (tl__range_read(&in->r, in->pos, in->buf, n) != TL_OK) {
		archive_set_error(a, EIO, "%s", tl_error_last());
		return -1;
	}
	*out = in->buf;
	in->pos += n;
	return (la_ssize_t)n;
}

static la_int64_t in_skip(struct archive *a, void *cd, la_int64_t req)
{
	ar_input *in = cd;
	uint64_t left = in->r.len - in->pos;

	(void)a;
	if (req <= 0)
		return 0;
	if ((uint64_t)req > left)
		req = (la_int64_t)left;
	in->pos += (uint64_t)req;
	return req;
}

static la_int64_t in_seek(struct archive *a, void *cd, la_int64_t off, int whence)
{
	ar_input *in = cd;
	la_int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (la_int64_t)in->pos : (la_int64_t)in->r.len;

	if (off > (la_int64_t)in->r.len - base || off < -base) {
		archive_set_error(a, EINVAL, "seek outside the image");
		return ARCHIVE_FATAL;
	}
	in->pos = (uint64_t)(base + off);
	return (la_int64_t)in->pos;
}

/* Registers the filters trustline trusts: named ones only, since
 * filter_all would also run external programs (lrzip, lzop, grzip) on
 * untrusted input. */
static void add_filters(struct archive *a)
{
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_lz4(a);
	archive_read_support_filter_compress(a);
}

static int open_input(struct archive *a, ar_input *in)
{
	archive_read_set_read_callback(a, in_read);
	archive_read_set_skip_callback(a, in_skip);
	archive_read_set_seek_callback(a, in_seek);
	archive_read_set_callback_data(a, in);
	return archive_read_open1(a);
}

static tl_err ar_error(tl__source *src, ar_impl *d, const char *what)
{
	const char *msg = archive_error_string(d->a);

	return tl__error(TL_EPARSE, "%s: offset %lld: %s: %s", src->name,
	                 (long long)archive_filter_bytes(d->a, -1), what, msg ? msg : "corrupt archive");
}

static tl_err ar_read(tl__source *src, void *buf, size_t len, size_t *got)
{
	ar_impl *d = src->impl;
	la_ssize_t n;
	tl_err err = TL_OK;

	*got = 0;
	if (!d->in_entry || len == 0)
		goto done;
	if (d->cpio) {
		if ((err = tl__cpio_read(d->cpio, buf, len, got)) != TL_OK)
			goto done;
		if (*got == 0)
			d->in_entry = false;
		err = tl__source_count(src, (uint64_t)*got);
		goto done;
	}
	n = archive_read_data(d->a, buf, len);
	if (n < 0) {
		err = ar_error(src, d, "reading entry data");
		goto done;
	}
	if (n == 0)
		d->in_entry = false;
	if ((err = tl__source_count(src, (uint64_t)n)) != TL_OK)
		goto done;
	*got = (size_t)n;
done:
	return err;
}

static tl_err ar_walk(tl__source *src, tl__entry_fn fn, void *ctx)
{
	ar_impl *d = src->impl;
	tl_err err = TL_OK;
	struct archive_entry *ae;
	tl_buf path = TL_BUF_INIT, hard = TL_BUF_INIT;
	int r;

	for (;;) {
		tl__entry e = { 0 };
		const char *name, *hl, *symlink = NULL;
		bool escaped = false, size_set;
		unsigned ft;
		int64_t size;
		size_t got;

		if (d->cpio) {
			tl__cpio_entry ce;
			bool end;
			r = ARCHIVE_EOF;
			if ((err = tl__cpio_next(d->cpio, &ce, &end)) != TL_OK) {
				if (err == TL_ELIMIT)
					err = tl__source_limit_hit(src, "%s", tl_error_last());
				goto done;
			}
			if (end)
				break;
			name = ce.name;
			hl = ce.type == TL__ENT_HARDLINK ? ce.link : NULL;
			ft = ce.type == TL__ENT_FILE || ce.type == TL__ENT_HARDLINK ? AE_IFREG :
			     ce.type == TL__ENT_DIR                                 ? AE_IFDIR :
			     ce.type == TL__ENT_SYMLINK                             ? AE_IFLNK : 0;
			symlink = ce.type == TL__ENT_SYMLINK ? ce.link : NULL;
			e.mode = ce.mode & 07777;
			size_set = true;
			size = (int64_t)ce.size;
		} else {
			r = d->pending ? d->pending_r : archive_read_next_header(d->a, &ae);
			if (d->pending)
				ae = d->pending_ae;
			d->pending = false;
			if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
				break;
			name = archive_entry_pathname(ae);
			hl = archive_entry_hardlink(ae);
			ft = archive_entry_filetype(ae);
			symlink = ft == AE_IFLNK ? archive_entry_symlink(ae) : NULL;
			e.mode = (uint32_t)archive_entry_perm(ae);
			size_set = archive_entry_size_is_set(ae);
			size = archive_entry_size(ae);
		}

		if (src->entries == 0) {
			tl_buf det = TL_BUF_INIT;
			const char *fmt = d->cpio ? "cpio" : archive_format_name(d->a);
			if (tl_buf_puts(&det, fmt ? fmt : "archive") == TL_OK) {
				for (int i = archive_filter_count(d->a) - 1; i >= 0; i--) {
					const char *f = archive_filter_name(d->a, i);
					if (f && strcmp(f, "none") != 0 && tl_buf_printf(&det, ", %s", f) != TL_OK)
						break;
				}
				(void)(d->gz && tl_buf_puts(&det, ", gzip") != TL_OK);
				free(src->detail);
				src->detail = tl_buf_detach(&det);
			}
			tl_buf_dispose(&det);
		}
		if ((err = tl__source_count_entry(src)) != TL_OK)
			goto done;
		if (!name) {
			err = tl__error(TL_EPARSE, "%s: offset %lld: an entry without a name", src->name,
			                (long long)archive_filter_bytes(d->a, -1));
			goto done;
		}
		if ((err = tl__path_norm(&path, name, src->lim.max_path, &escaped)) != TL_OK) {
			if (err == TL_ELIMIT)
				err = tl__source_limit_hit(src, "path longer than %zu bytes", src->lim.max_path);
			goto done;
		}
		if (escaped)
			src->n_escaped++;
		e.path = path.ptr;
		if (hl) {
			if ((err = tl__path_norm(&hard, hl, src->lim.max_path, NULL)) != TL_OK) {
				if (err == TL_ELIMIT)
					err = tl__source_limit_hit(src, "path longer than %zu bytes", src->lim.max_path);
				goto done;
			}
			e.type = TL__ENT_HARDLINK;
			e.link = hard.ptr;
			/* cpio (newc) stores a hard-linked file's body with its last
			 * name, which libarchive reports as a link carrying data */
			e.size = size_set && size > 0 ? (uint64_t)size : 0;
		} else if (ft == AE_IFREG) {
			e.type = TL__ENT_FILE;
			e.size = size_set && size > 0 ? (uint64_t)size : 0;
		} else if (ft == AE_IFDIR) {
			e.type = TL__ENT_DIR;
		} else if (ft == AE_IFLNK) {
			e.type = TL__ENT_SYMLINK;
			e.link = symlink;
			if (!e.link)
				e.link = "";
		} else {
			e.type = TL__ENT_OTHER;
		}
		if (path.len == 0 && e.type == TL__ENT_DIR)
			continue; /* "./", the root itself */
		d->in_entry = e.type == TL__ENT_FILE || (e.type == TL__ENT_HARDLINK && e.size > 0);
		if ((err = fn(src, &e, ctx)) != TL_OK)
			goto done;
		/* drain what the walker left, counted: no unbounded skip */
		while (d->in_entry) {
			if ((err = ar_read(src, d->scratch, sizeof(d->scratch), &got)) != TL_OK)
				goto done;
		}
	}
	if (r == ARCHIVE_EOF && d->gz) {
		/* libarchive stops at the archive's end marker: the rest of the
		 * gzip stream (padding, its trailer, more members) is inflated and
		 * counted too, so a CRC-32 mismatch is an error here as it is for
		 * gzip -t and tar -xz */
		const void *p;
		la_ssize_t n;
		while ((n = tl__gzpipe_read(d->a, d->gz, &p)) > 0) {
			if ((err = tl__source_count(src, (uint64_t)n)) != TL_OK)
				goto done;
		}
		if (n < 0)
			err = ar_error(src, d, "after the end of the archive");
	} else if (!d->cpio && r != ARCHIVE_EOF) {
		if (src->entries == 0)
			err = tl__error(TL_EUNSUPPORTED, "%s: not a directory or an image trustline reads (%s)",
			                src->name, archive_error_string(d->a) ? archive_error_string(d->a) : "unknown format");
		else
			err = ar_error(src, d, "reading the next entry");
	}
done:
	d->in_entry = false;
	tl_buf_dispose(&path);
	tl_buf_dispose(&hard);
	return err;
}

static void ar_free(tl__source *src)
{
	ar_impl *d = src->impl;

	tl__cpio_free(d->cpio);
	if (d->a)
		archive_read_free(d->a);
	tl__gzpipe_free(d->gz); /* after libarchive: it reads from the pipe until freed */
	free(d);
	src->impl = NULL;
}

static const tl__source_ops ar_ops = { "archive", ar_walk, ar_read, ar_free };

static tl_err archive_new(tl__source *src, ar_impl **out)
{
	ar_impl *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (!d || !(d->a = archive_read_new())) {
		free(d);
		return tl__nomem();
	}
	src->impl = d;
	src->ops = &ar_ops;
	add_filters(d->a);
	archive_read_support_format_tar(d->a);
	archive_read_support_format_gnutar(d->a);
	archive_read_support_format_raw(d->a); /* bids last: cpio, or nothing we read */
	/* package archives and zip files are opened as the target, not inside one */
	if (src->depth == 0) {
		archive_read_support_format_zip(d->a);
		archive_read_support_format_ar(d->a);
	}
	*out = d;
	return TL_OK;
}

/* cpio.c's input: the raw format's data, the filters' output. */
static tl_err cpio_in(void *ctx, void *buf, size_t len, size_t *got)
{
	tl__source *src = ctx;
	ar_impl *d = src->impl;
	la_ssize_t n = archive_read_data(d->a, buf, len);

	*got = 0;
	if (n < 0)
		return ar_error(src, d, "decompressing");
	*got = (size_t)n;
	return TL_OK;
}

/*
 * After a successful open: reads the first header.  libarchive's raw
 * format means no archive format bid: a cpio stream goes to cpio.c,
 * anything else is not an image trustline reads.  Another format's first
 * header (or its error) is kept for the walk.
 */
static tl_err first_header(tl__source *src, ar_impl *d)
{
	size_t n = 0;
	la_ssize_t k;

	d->pending_r = archive_read_next_header(d->a, &d->pending_ae);
	d->pending = true;
	if ((d->pending_r != ARCHIVE_OK && d->pending_r != ARCHIVE_WARN) || archive_format(d->a) != ARCHIVE_FORMAT_RAW)
		return TL_OK;
	d->pending = false;
	while (n < sizeof(d->cpio_head) &&
	       (k = archive_read_data(d->a, d->cpio_head + n, sizeof(d->cpio_head) - n)) > 0)
		n += (size_t)k;
	if (!tl__cpio_magic(d->cpio_head, n))
		return tl__error(TL_EUNSUPPORTED, "%s: not a directory or an image trustline reads (%s)", src->name,
		                 "Unrecognized archive format");
	return tl__cpio_new(&d->cpio, src->name, src->lim.max_path, cpio_in, src, d->cpio_head, n);
}

static tl_err open_failed(tl__source *src, ar_impl *d, bool io)
{
	const char *msg = archive_error_string(d->a);

	return tl__error(io && archive_errno(d->a) == EIO ? TL_EIO : TL_EUNSUPPORTED,
	                 "%s: not a directory or an image trustline reads (%s)", src->name,
	                 msg ? msg : "unknown format");
}

tl_err tl__source_archive_open(tl__source *src, const char *path, const void *mem, size_t len)
{
	tl_err err;
	ar_impl *d;

	if ((err = archive_new(src, &d)) != TL_OK)
		return err;
	if ((path ? archive_read_open_filename(d->a, path, 65536) : archive_read_open_memory(d->a, mem, len)) != ARCHIVE_OK)
		err = open_failed(src, d, path && !archive_error_string(d->a));
	else
		err = first_header(src, d);
	return err;
}

tl_err tl__source_archive_open_range(tl__source *src)
{
	tl_err err;
	ar_impl *d;

	if ((err = archive_new(src, &d)) != TL_OK)
		return err;
	d->in.r = src->range;
	if (src->depth == 0) {
		/* the target itself: gzip is inflated in a second thread while
		 * this one walks (gzpipe.c) */
		tl_err gerr = tl__gzpipe_open(&d->gz, &src->range, src->name);
		if (gerr && gerr != TL_ENOTFOUND)
			return gerr;
	}
	if ((d->gz ? archive_read_open(d->a, d->gz, NULL, tl__gzpipe_read, NULL) : open_input(d->a, &d->in)) != ARCHIVE_OK)
		err = open_failed(src, d, true);
	else
		err = first_header(src, d);
	return err;
}

tl_err tl__source_decompress(tl__source *src, const tl__range *r, uint64_t max, uint8_t **out, size_t *len)
{
	tl_err err = TL_OK;
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	ar_input *in = calloc(1, sizeof(*in));
	uint8_t *buf = NULL;
	size_t cap = 0, got = 0;
	la_ssize_t n;

	*out = NULL;
	*len = 0;
	if (!a || !in) {
		err = tl__nomem();
		goto done;
	}
	in->r = *r;
	add_filters(a);
	archive_read_support_format_raw(a);
	if (open_input(a, in) != ARCHIVE_OK || archive_read_next_header(a, &ae) != ARCHIVE_OK ||
	    archive_filter_count(a) < 2) {
		const char *msg = archive_error_string(a);
		err = tl__error(TL_EUNSUPPORTED, "%s: not a compressed stream (%s)", src->name, msg ? msg : "no filter");
		goto done;
	}
	for (;;) {
		size_t want;
		if (cap - got < 65536 + 1) {
			size_t ncap = cap ? cap * 2 : 65536 * 2;
			uint8_t *np;
			if (ncap > max + 2)
				ncap = (size_t)max + 2;
			if (ncap < got + 2 || !(np = realloc(buf, ncap))) {
				err = tl__nomem();
				goto done;
			}
			buf = np;
			cap = ncap;
		}
		want = cap - got - 1;
		n = archive_read_data(a, buf + got, want);
		if (n < 0) {
			const char *msg = archive_error_string(a);
			err = tl__error(TL_EPARSE, "%s: offset %lld: decompressing: %s", src->name,
			                (long long)archive_filter_bytes(a, -1), msg ? msg : "corrupt stream");
			goto done;
		}
		if (n == 0)
			break;
		if ((err = tl__source_count(src, (uint64_t)n)) != TL_OK)
			goto done;
		got += (size_t)n;
		if (got > max) {
			got = (size_t)max;
			err = tl__error(TL_ELIMIT, "%s: more than %llu bytes decompressed", src->name, (unsigned long long)max);
			break;
		}
	}
	*len = got;
	*out = buf;
	buf = NULL;
done:
	free(buf);
	if (a)
		archive_read_free(a);
	free(in);
	return err;
}
