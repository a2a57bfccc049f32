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

/* Start the write-back of the data written so far every this many bytes. */
#define SYNC_STEP ((size_t)8 << 20)

struct tl_file_out {
	int fd;
	bool own_fd;   /* fd is ours to close (not standard output) */
	bool in_place; /* stdout, a device or a FIFO: no temporary file */
	char *path;    /* in place: borrowed name for messages */
	char *tmp;     /* the temporary file, renamed to path on commit */
	uint64_t written, synced; /* bytes written; bytes handed to write-back */
};

bool tl_file_out_in_place(const char *path)
{
	struct stat st;

	return strcmp(path, "-") == 0 || (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode));
}

tl_err tl_file_out_open(tl_file_out **out, const char *path)
{
	tl_file_out *f;
	tl_buf tmp = TL_BUF_INIT;
	tl_err err = TL_OK;

	*out = NULL;
	if (!(f = calloc(1, sizeof(*f))))
		return tl__nomem();
	f->fd = -1;
	if (!(f->path = strdup(path))) {
		err = tl__nomem();
		goto done;
	}
	/* A device or FIFO (-o /dev/null, -o /dev/stdout) is written in place:
	 * renaming over it would replace the device node with a plain file. */
	if (tl_file_out_in_place(path)) {
		f->in_place = true;
		if (strcmp(path, "-") == 0) {
			f->fd = STDOUT_FILENO;
		} else if ((f->fd = open(path, O_WRONLY | O_CLOEXEC)) < 0) {
			err = tl__error(TL_EIO, "%s: cannot open: %s", path, strerror(errno));
			goto done;
		} else {
			f->own_fd = true;
		}
		goto done;
	}
	if ((err = tl_buf_printf(&tmp, "%s.tmp.XXXXXX", path)) != TL_OK)
		goto done;
	if ((f->fd = mkstemp(tmp.ptr)) < 0) {
		err = tl__error(TL_EIO, "%s: cannot create: %s", tmp.ptr, strerror(errno));
		goto done;
	}
	f->own_fd = true;
	if (!(f->tmp = strdup(tmp.ptr))) {
		unlink(tmp.ptr);
		err = tl__nomem();
		goto done;
	}
done:
	tl_buf_dispose(&tmp);
	if (err) {
		tl_file_out_abort(f);
		return err;
	}
	*out = f;
	return TL_OK;
}

tl_err tl_file_out_write(tl_file_out *f, const void *data, size_t len)
{
	const char *name = f->tmp ? f->tmp : strcmp(f->path, "-") == 0 ? "<stdout>" : f->path;
	tl_err err;

	if ((err = write_all(f->fd, data, len, name)) != TL_OK)
		return err;
	f->written += len;
#ifdef SYNC_FILE_RANGE_WRITE
	/* start writing back what is written (no wait): the commit's fsync
	 * then mostly waits for the last step and the metadata; where this
	 * is not supported, fsync does it all */
	if (f->tmp && f->written - f->synced >= SYNC_STEP) {
		(void)sync_file_range(f->fd, (off64_t)f->synced, (off64_t)(f->written - f->synced),
		                      SYNC_FILE_RANGE_WRITE);
		f->synced = f->written;
	}
#endif
	return TL_OK;
}

static void file_out_free(tl_file_out *f)
{
	if (f->own_fd && f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(f->tmp);
	free(f);
}

void tl_file_out_abort(tl_file_out *f)
{
	if (!f)
		return;
	if (f->tmp)
		unlink(f->tmp);
	file_out_free(f);
}

tl_err tl_file_out_commit(tl_file_out *f)
{
	tl_err err = TL_OK;
	int fd = f->fd;

	if (f->in_place) {
		if (f->own_fd) {
			f->fd = -1;
			if (close(fd) != 0)
				err = tl__error(TL_EIO, "%s: close failed: %s", f->path, strerror(errno));
		}
		file_out_free(f);
		return err;
	}
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		err = tl__error(TL_EIO, "%s: cannot sync: %s", f->tmp, strerror(errno));
		goto done;
	}
	f->fd = -1;
	if (close(fd) != 0) {
		err = tl__error(TL_EIO, "%s: close failed: %s", f->tmp, strerror(errno));
		goto done;
	}
	if (rename(f->tmp, f->path) != 0) {
		err = tl__error(TL_EIO, "%s: cannot rename into place: %s", f->path, strerror(errno));
		goto done;
	}
	free(f->tmp);
	f->tmp = NULL;
done:
	tl_file_out_abort(f);
	return err;
}

static tl_err file_out_sink_write(void *ctx, const void *data, size_t len)
{
	return tl_file_out_write(ctx, data, len);
}

tl_sink tl_file_out_sink(tl_file_out *f)
{
	tl_sink s = { file_out_sink_write, f };

	return s;
}

tl_err tl_file_write_atomic(const char *path, const void *data, size_t len)
{
	tl_file_out *f;
	tl_err err;

	if ((err = tl_file_out_open(&f, path)) != TL_OK)
		return err;
	if ((err = tl_file_out_write(f, data, len)) != TL_OK) {
		tl_file_out_abort(f);
		return err;
	}
	return tl_file_out_commit(f);
}
