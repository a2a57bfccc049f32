/*
 * Archive source through libarchive, streamed once: tar (ustar, pax, GNU),
 * cpio (newc, odc, bin), zip and ar, under any filter libarchive has
 * (gzip, bzip2, xz, lzma, zstd, lz4, compress...).  Formats are bid on by
 * content; the file name plays no part.
 *
 * A gzip file (named by path) is inflated in a second thread (gzpipe.c)
 * and libarchive reads the inflated bytes; the rest goes to libarchive as is.
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
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

typedef struct {
	struct archive *a;
	tl__gzpipe *gz;  /* a gzip file inflated in a second thread, or NULL */
	bool in_entry;
	char scratch[65536];
} ar_impl;

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

	while ((r = archive_read_next_header(d->a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		tl__entry e = { 0 };
		const char *name = archive_entry_pathname(ae), *hl = archive_entry_hardlink(ae);
		bool escaped = false;
		unsigned ft = archive_entry_filetype(ae);
		size_t got;

		if (src->entries == 0) {
			tl_buf det = TL_BUF_INIT;
			const char *fmt = archive_format_name(d->a);
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
		e.mode = (uint32_t)archive_entry_perm(ae);
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
			e.size = archive_entry_size_is_set(ae) && archive_entry_size(ae) > 0 ?
			         (uint64_t)archive_entry_size(ae) : 0;
		} else if (ft == AE_IFREG) {
			e.type = TL__ENT_FILE;
			e.size = archive_entry_size_is_set(ae) && archive_entry_size(ae) > 0 ?
			         (uint64_t)archive_entry_size(ae) : 0;
		} else if (ft == AE_IFDIR) {
			e.type = TL__ENT_DIR;
		} else if (ft == AE_IFLNK) {
			e.type = TL__ENT_SYMLINK;
			e.link = archive_entry_symlink(ae);
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
	if (r != ARCHIVE_EOF) {
		if (src->entries == 0)
			err = tl__error(TL_EUNSUPPORTED, "%s: not a directory, a squashfs image or an archive (%s)",
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

	if (d->a)
		archive_read_free(d->a);
	tl__gzpipe_free(d->gz); /* after libarchive: it reads from the pipe until freed */
	free(d);
	src->impl = NULL;
}

static const tl__source_ops ar_ops = { "archive", ar_walk, ar_read, ar_free };

tl_err tl__source_archive_open(tl__source *src, const char *path, const void *mem, size_t len)
{
	tl_err err = TL_OK;
	ar_impl *d = calloc(1, sizeof(*d));
	int r;

	if (!d || !(d->a = archive_read_new())) {
		free(d);
		return tl__nomem();
	}
	src->impl = d;
	src->ops = &ar_ops;
	/* Named filters only: filter_all would also run external programs
	 * (lrzip, lzop, grzip) on untrusted input. */
	archive_read_support_filter_gzip(d->a);
	archive_read_support_filter_bzip2(d->a);
	archive_read_support_filter_xz(d->a);
	archive_read_support_filter_lzma(d->a);
	archive_read_support_filter_zstd(d->a);
	archive_read_support_filter_lz4(d->a);
	archive_read_support_filter_compress(d->a);
	archive_read_support_format_tar(d->a);
	archive_read_support_format_gnutar(d->a);
	archive_read_support_format_cpio(d->a);
	archive_read_support_format_zip(d->a);
	archive_read_support_format_ar(d->a);
	if (path) {
		/* gzip: inflated in a second thread while this one walks */
		tl_err gerr = tl__gzpipe_open(&d->gz, path);
		if (gerr && gerr != TL_ENOTFOUND)
			return gerr;
	}
	if (d->gz)
		r = archive_read_open(d->a, d->gz, NULL, tl__gzpipe_read, NULL);
	else
		r = path ? archive_read_open_filename(d->a, path, 65536) : archive_read_open_memory(d->a, mem, len);
	if (r != ARCHIVE_OK) {
		const char *msg = archive_error_string(d->a);
		err = tl__error(path && archive_errno(d->a) > 0 && !msg ? TL_EIO : TL_EUNSUPPORTED,
		                "%s: not a directory, a squashfs image or an archive (%s)", src->name,
		                msg ? msg : "unknown format");
	}
	return err;
}
