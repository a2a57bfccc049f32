/*
 * The source layer: one virtual file tree over a directory, an archive or
 * a squashfs image, recognised by content.
 *
 *   first bytes of the target          source           file
 *   ---------------------------------  ---------------  -------------------
 *   (a directory)                      directory        source_dir.c
 *   "hsqs" (squashfs, little-endian)   squashfs         source_squashfs.c
 *   anything libarchive bids on:       archive          source_archive.c
 *   tar, cpio (newc, odc, bin), zip,
 *   ar; compressed with gzip, xz,
 *   lzma, zstd, bzip2, lz4, compress
 *
 * Limits (tl__limits; zero means the default of include/trustline/scan.h):
 * max_entries entries handed to the walker, max_bytes content bytes read
 * or decompressed (archives count every decompressed byte, skipped ones
 * too, so a decompression bomb stops there), max_path bytes per path.
 * Hitting one ends the walk early with src->limit naming it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan/scan_int.h"

static tl_err source_new(tl__source **out, const char *name, const tl__limits *lim)
{
	tl__source *src = calloc(1, sizeof(*src));

	if (!src)
		return tl__nomem();
	if (!(src->name = strdup(name))) {
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
	*out = src;
	return TL_OK;
}

tl_err tl__source_open(tl__source **out, const char *target, const tl__limits *lim)
{
	tl_err err = TL_OK;
	tl__source *src = NULL;
	struct stat st;
	uint8_t magic[4] = { 0 };
	int fd = -1;
	ssize_t n;

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
	if ((fd = open(target, O_RDONLY | O_CLOEXEC)) < 0) {
		err = tl__error(TL_EIO, "%s: %s", target, strerror(errno));
		goto done;
	}
	n = read(fd, magic, sizeof(magic));
	if (n < 0) {
		err = tl__error(TL_EIO, "%s: %s", target, strerror(errno));
		goto done;
	}
	if (n == 4 && memcmp(magic, "hsqs", 4) == 0)
		err = tl__source_squashfs_open(src, target, NULL, 0);
	else
		err = tl__source_archive_open(src, target, NULL, 0);
done:
	if (fd >= 0)
		close(fd);
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
	if (len >= 4 && memcmp(data, "hsqs", 4) == 0)
		err = tl__source_squashfs_open(src, NULL, data, len);
	else
		err = tl__source_archive_open(src, NULL, data, len);
done:
	if (err == TL_OK) {
		*out = src;
		src = NULL;
	}
	tl__source_free(src);
	return err;
}

tl_err tl__source_walk(tl__source *src, tl__entry_fn fn, void *ctx)
{
	tl_err err = src->ops->walk(src, fn, ctx);

	if (err == TL_ELIMIT && src->limit)
		err = TL_OK; /* reported through src->limit */
	return err;
}

tl_err tl__source_read(tl__source *src, void *buf, size_t len, size_t *got)
{
	return src->ops->read(src, buf, len, got);
}

void tl__source_free(tl__source *src)
{
	if (!src)
		return;
	if (src->ops && src->impl)
		src->ops->free(src);
	free(src->name);
	free(src->limit);
	free(src->detail);
	free(src);
}

tl_err tl__source_limit_hit(tl__source *src, const char *fmt, ...)
{
	va_list ap;
	tl_buf b = TL_BUF_INIT;

	if (!src->limit) {
		va_start(ap, fmt);
		if (tl_buf_vprintf(&b, fmt, ap) == TL_OK)
			src->limit = tl_buf_detach(&b);
		va_end(ap);
		tl_buf_dispose(&b);
	}
	return tl__error(TL_ELIMIT, "%s: %s", src->name, src->limit ? src->limit : "limit reached");
}

tl_err tl__source_count(tl__source *src, uint64_t n)
{
	if (n > src->lim.max_bytes - src->bytes || src->bytes > src->lim.max_bytes) {
		src->bytes = src->lim.max_bytes;
		return tl__source_limit_hit(src, "--max-bytes: more than %llu bytes of content read",
		                            (unsigned long long)src->lim.max_bytes);
	}
	src->bytes += n;
	return TL_OK;
}

tl_err tl__source_count_entry(tl__source *src)
{
	if (src->entries >= src->lim.max_entries)
		return tl__source_limit_hit(src, "--max-entries: more than %llu entries",
		                            (unsigned long long)src->lim.max_entries);
	src->entries++;
	return TL_OK;
}
