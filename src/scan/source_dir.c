/*
 * Directory source: walks a directory tree with openat(2) relative to the
 * directory it is in, never following a symbolic link (entries are taken
 * with AT_SYMLINK_NOFOLLOW, files opened with O_NOFOLLOW), and staying on
 * the file system of the root (like find -xdev).  Entries of a directory
 * are handed out sorted by name.
 *
 * System calls per entry, as few as the walk needs: a directory is read
 * with getdents64 on the descriptor it was opened with (no opendir copy),
 * an entry is taken with one fstatat, a file opened on its first read, and
 * its end seen without a read returning 0 when a short read has brought
 * exactly the size fstatat gave (a file that grows after that is read on
 * as before, and one whose size says nothing, 0 in /proc, too).  The rest
 * of a file (tl__source_dup_rest) is handed over as the descriptor itself.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan/scan_int.h"

typedef struct {
	int rootfd;
	dev_t dev;
	int cur_dfd;          /* directory of the current entry */
	const char *cur_name; /* its name there */
	int cur_fd;           /* opened on the first read, -1 before */
	bool cur_eof;
	uint64_t cur_size;    /* the size fstatat gave */
	uint64_t cur_got;     /* bytes read from it */
	char *dents;          /* getdents64 buffer */
} dir_impl;

#define DENTS_SIZE ((size_t)32 << 10)

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void close_cur(dir_impl *d)
{
	if (d->cur_fd >= 0)
		close(d->cur_fd);
	d->cur_fd = -1;
	d->cur_eof = false;
	d->cur_got = 0;
}

static tl_err walk_dir(tl__source *src, dir_impl *d, int dfd, tl_buf *path, tl__entry_fn fn, void *ctx)
{
	tl_err err = TL_OK;
	char **names = NULL, *link = NULL;
	size_t n = 0, base = path->len;

	for (;;) {
		ssize_t got = getdents64(dfd, d->dents, DENTS_SIZE);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = tl__error(TL_EIO, "%s/%s: %s", src->name, path->ptr, strerror(errno));
			goto done;
		}
		if (got == 0)
			break;
		for (size_t off = 0; off < (size_t)got;) {
			const struct dirent64 *de = (const struct dirent64 *)(d->dents + off);
			char **slot;
			off += de->d_reclen;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if ((err = tl__array_grow((void **)&names, &n, sizeof(char *), (void **)&slot)) != TL_OK)
				goto done;
			if (!(*slot = strdup(de->d_name))) {
				n--;
				err = tl__nomem();
				goto done;
			}
		}
	}
	if (n)
		qsort(names, n, sizeof(char *), cmp_names);

	for (size_t i = 0; i < n; i++) {
		struct stat st;
		tl__entry e = { 0 };

		path->len = base;
		path->ptr[base] = '\0';
		if ((base && (err = tl_buf_putc(path, '/')) != TL_OK) || (err = tl_buf_puts(path, names[i])) != TL_OK)
			goto done;
		if (path->len > src->lim.max_path) {
			err = tl__source_limit_hit(src, "path longer than %zu bytes", src->lim.max_path);
			goto done;
		}
		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0) {
			err = tl__error(TL_EIO, "%s/%s: %s", src->name, path->ptr, strerror(errno));
			goto done;
		}
		if ((err = tl__source_count_entry(src)) != TL_OK)
			goto done;
		e.path = path->ptr;
		e.mode = (uint32_t)st.st_mode & 07777;
		d->cur_size = 0;
		if (S_ISREG(st.st_mode)) {
			e.type = TL__ENT_FILE;
			e.size = (uint64_t)st.st_size;
			d->cur_size = e.size;
		} else if (S_ISDIR(st.st_mode)) {
			e.type = TL__ENT_DIR;
		} else if (S_ISLNK(st.st_mode)) {
			size_t cap = (size_t)st.st_size + 1;
			ssize_t got;
			e.type = TL__ENT_SYMLINK;
			if (cap < 256)
				cap = 256;
			if (cap > src->lim.max_path + 1)
				cap = src->lim.max_path + 1;
			free(link);
			if (!(link = malloc(cap))) {
				err = tl__nomem();
				goto done;
			}
			if ((got = readlinkat(dfd, names[i], link, cap - 1)) < 0) {
				err = tl__error(TL_EIO, "%s/%s: %s", src->name, path->ptr, strerror(errno));
				goto done;
			}
			link[got] = '\0';
			e.link = link;
		} else {
			e.type = TL__ENT_OTHER;
		}
		d->cur_dfd = dfd;
		d->cur_name = names[i];
		close_cur(d);
		err = fn(src, &e, ctx);
		close_cur(d);
		d->cur_name = NULL;
		if (err)
			goto done;
		if (e.type == TL__ENT_DIR && st.st_dev == d->dev) {
			int sub = openat(dfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				err = tl__error(TL_EIO, "%s/%s: %s", src->name, path->ptr, strerror(errno));
				goto done;
			}
			err = walk_dir(src, d, sub, path, fn, ctx);
			close(sub);
			if (err)
				goto done;
		}
	}
done:
	path->len = base;
	if (path->ptr)
		path->ptr[base] = '\0';
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(link);
	return err;
}

static tl_err dir_walk(tl__source *src, tl__entry_fn fn, void *ctx)
{
	dir_impl *d = src->impl;
	tl_buf path = TL_BUF_INIT;
	tl_err err;

	if ((err = tl_buf_cstr(&path)) == TL_OK)
		err = walk_dir(src, d, d->rootfd, &path, fn, ctx);
	tl_buf_dispose(&path);
	return err;
}

static tl_err dir_read(tl__source *src, void *buf, size_t len, size_t *got)
{
	dir_impl *d = src->impl;
	tl_err err = TL_OK;
	ssize_t n;

	*got = 0;
	if (!d->cur_name || d->cur_eof || len == 0)
		goto done;
	if (d->cur_fd < 0) {
		d->cur_fd = openat(d->cur_dfd, d->cur_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (d->cur_fd < 0) {
			err = tl__error(TL_EIO, "%s: %s: %s", src->name, d->cur_name, strerror(errno));
			goto done;
		}
	}
	do
		n = read(d->cur_fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		err = tl__error(TL_EIO, "%s: %s: %s", src->name, d->cur_name, strerror(errno));
		goto done;
	}
	d->cur_got += (uint64_t)n;
	/* short, and the size it said: the end (see the top) */
	if (n == 0 || ((size_t)n < len && d->cur_size && d->cur_got == d->cur_size))
		d->cur_eof = true;
	if ((err = tl__source_count(src, (uint64_t)n)) != TL_OK)
		goto done;
	*got = (size_t)n;
done:
	return err;
}

static int dir_dup_rest(tl__source *src, char **label)
{
	dir_impl *d = src->impl;
	tl_buf b = TL_BUF_INIT;
	int fd;

	/* opened by the head's read, not at its end: the offset is after the head */
	if (!d->cur_name || d->cur_eof || d->cur_fd < 0)
		return -1;
	if (tl_buf_printf(&b, "%s: %s", src->name, d->cur_name) != TL_OK) {
		tl_buf_dispose(&b);
		return -1;
	}
	fd = d->cur_fd; /* handed over: no copy */
	d->cur_fd = -1;
	*label = tl_buf_detach(&b);
	d->cur_eof = true; /* the rest is the caller's */
	return fd;
}

static void dir_free(tl__source *src)
{
	dir_impl *d = src->impl;

	close_cur(d);
	if (d->rootfd >= 0)
		close(d->rootfd);
	free(d->dents);
	free(d);
	src->impl = NULL;
}

static const tl__source_ops dir_ops = { "directory", dir_walk, dir_read, dir_free };

int tl__source_dir_dup_rest(tl__source *src, char **label)
{
	return src->ops == &dir_ops ? dir_dup_rest(src, label) : -1;
}

tl_err tl__source_dir_open(tl__source *src, const char *path)
{
	dir_impl *d = calloc(1, sizeof(*d));
	struct stat st;

	if (!d || !(d->dents = malloc(DENTS_SIZE))) {
		free(d);
		return tl__nomem();
	}
	d->cur_fd = -1;
	if ((d->rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fstat(d->rootfd, &st) != 0) {
		tl_err err = tl__error(TL_EIO, "%s: %s", path, strerror(errno));
		if (d->rootfd >= 0)
			close(d->rootfd);
		free(d->dents);
		free(d);
		return err;
	}
	d->dev = st.st_dev;
	src->impl = d;
	src->ops = &dir_ops;
	return TL_OK;
}
