/*
 * Whole-file reads with a size cap, and atomic writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_int.h"

tl_err tl_file_read(tl_buf *out, const char *path, size_t max)
{
	int fd = -1;
	tl_err err = TL_OK;
	char chunk[65536];
	ssize_t n;

	if (!max)
		max = TL_FILE_DEFAULT_MAX;
	out->max = max;
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return tl__error(TL_EIO, "%s: cannot open: %s", path, strerror(errno));
	} else {
		struct stat st;
		if (fstat(fd, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				err = tl__error(TL_EIO, "%s: is a directory, expected a file", path);
				goto done;
			}
			if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
				err = tl__error(TL_ELIMIT, "%s: %lld bytes exceeds the input limit of %zu bytes",
				                path, (long long)st.st_size, max);
				goto done;
			}
		}
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = tl__error(TL_EIO, "%s: read failed: %s", path, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		if ((size_t)n > max - out->len) {
			err = tl__error(TL_ELIMIT, "%s: exceeds the input limit of %zu bytes", path, max);
			goto done;
		}
		if ((err = tl_buf_put(out, chunk, (size_t)n)) != TL_OK)
			goto done;
	}
	err = tl_buf_cstr(out);
done:
	if (fd > STDIN_FILENO)
		close(fd);
	return err;
}

static tl_err write_all(int fd, const void *data, size_t len, const char *path)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return tl__error(TL_EIO, "%s: write failed: %s", path, strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
	return TL_OK;
}

tl_err tl_file_write_atomic(const char *path, const void *data, size_t len)
{
	tl_buf tmp = TL_BUF_INIT;
	struct stat st;
	int fd = -1;
	tl_err err;

	if (strcmp(path, "-") == 0)
		return write_all(STDOUT_FILENO, data, len, "<stdout>");
	/* A device or FIFO (-o /dev/null, -o /dev/stdout) is written in place:
	 * renaming over it would replace the device node with a plain file. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
			return tl__error(TL_EIO, "%s: cannot open: %s", path, strerror(errno));
		err = write_all(fd, data, len, path);
		close(fd);
		return err;
	}
	if ((err = tl_buf_printf(&tmp, "%s.tmp.XXXXXX", path)) != TL_OK)
		goto done;
	if ((fd = mkstemp(tmp.ptr)) < 0) {
		err = tl__error(TL_EIO, "%s: cannot create: %s", tmp.ptr, strerror(errno));
		goto done;
	}
	if ((err = write_all(fd, data, len, tmp.ptr)) != TL_OK)
		goto done;
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		err = tl__error(TL_EIO, "%s: cannot sync: %s", tmp.ptr, strerror(errno));
		goto done;
	}
	if (close(fd) != 0) {
		fd = -1;
		err = tl__error(TL_EIO, "%s: close failed: %s", tmp.ptr, strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp.ptr, path) != 0) {
		err = tl__error(TL_EIO, "%s: cannot rename into place: %s", path, strerror(errno));
		goto done;
	}
done:
	if (fd >= 0)
		close(fd);
	if (err && tmp.ptr)
		unlink(tmp.ptr);
	tl_buf_dispose(&tmp);
	return err;
}
