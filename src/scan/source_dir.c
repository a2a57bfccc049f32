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
 *
 * Read-ahead (with more than one CPU): a thread of the source takes the
 * entries of the directory being walked in order, ahead of the walker:
 * their fstatat, a symlink's readlinkat, and a regular file of at most
 * RA_MAX bytes read whole (RA_BUDGET bytes waiting at most); when it is
 * through that directory, it goes on with the ones it is in, where the
 * walker comes back (a quarter of the budget).  The walker then takes what
 * it found instead of making those calls; an entry the thread has not
 * finished the walker does itself (it never waits for the thread), and
 * anything that went wrong there (a call failing, a file larger than
 * fstatat said) is done again by the walker as without read-ahead, so
 * errors and content are what they were.  Leaving a directory, the walker
 * waits for an entry of it in progress and drops the rest.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan/scan_int.h"

#define RA_MAX ((uint64_t)64 << 10)   /* files read ahead: at most this large */
#define RA_BUDGET ((size_t)4 << 20)   /* bytes read ahead, not yet taken */
#define RA_ITEMS 8192                 /* entries of a directory read ahead: its first ones */

enum { RA_PENDING, RA_LOADING, RA_READY, RA_WALKER };

/* One entry of a directory, as the read-ahead thread found it. */
typedef struct {
	int state;       /* RA_*, under ra_mu */
	bool ok;         /* READY: st (and link, data) are good; else the walker does it all */
	struct stat st;
	char *link;      /* a symlink's target */
	uint8_t *data;   /* a regular file of up to RA_MAX bytes: all of it */
	size_t len;
	int gz;          /* data is gzip: tl__gz_text's answer (1, 0), else -1 */
	size_t gz_n;
	tl__kind gz_inner;
} ra_item;

/* The entries of a directory being walked; a stack, the innermost on top. */
typedef struct ra_list {
	int dfd;
	char **names;
	ra_item *items;
	size_t n, next;  /* next: the first item the thread has not looked at */
	struct ra_list *up;
} ra_list;

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
	size_t max_path;
	/* the current file's content from read-ahead, when cur_ra */
	bool cur_ra;
	const uint8_t *cur_data;
	size_t cur_len, cur_off;
	int cur_gz;           /* its tl__gz_text answer, -1: none */
	size_t cur_gz_n;
	tl__kind cur_gz_inner;
	/* read-ahead */
	bool ra_on;
	pthread_t ra_thread;
	pthread_mutex_t ra_mu;
	pthread_cond_t ra_wake;  /* to the thread: a list, budget freed, stop */
	pthread_cond_t ra_ready; /* to the walker: an item loaded */
	bool ra_stop, ra_idle, ra_waiting;
	ra_list *ra_top;
	const ra_list *ra_busy;  /* the list of the item being loaded, or NULL */
	size_t ra_held;
	tl__gz_inflater *ra_gz;  /* the thread's */
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
	d->cur_ra = false;
	d->cur_data = NULL;
	d->cur_len = d->cur_off = 0;
	d->cur_gz = -1;
}

/* The target of the symlink name in dfd, read as the walk reads it (a
 * buffer of its size, at least 256 bytes, at most max_path + 1); NULL with
 * errno set. */
static char *read_link(int dfd, const char *name, const struct stat *st, size_t max_path)
{
	size_t cap = (size_t)st->st_size + 1;
	ssize_t got;
	char *link;

	if (cap < 256)
		cap = 256;
	if (cap > max_path + 1)
		cap = max_path + 1;
	if (!(link = malloc(cap)))
		return NULL;
	if ((got = readlinkat(dfd, name, link, cap - 1)) < 0) {
		int e = errno;
		free(link);
		errno = e;
		return NULL;
	}
	link[got] = '\0';
	return link;
}

/* What the walker would learn of one entry (the read-ahead thread). */
static void ra_load(dir_impl *d, int dfd, const char *name, ra_item *it)
{
	it->ok = false;
	if (fstatat(dfd, name, &it->st, AT_SYMLINK_NOFOLLOW) != 0)
		return;
	if (S_ISLNK(it->st.st_mode)) {
		if (!(it->link = read_link(dfd, name, &it->st, d->max_path)))
			return;
	} else if (S_ISREG(it->st.st_mode) && (uint64_t)it->st.st_size <= RA_MAX) {
		size_t size = (size_t)it->st.st_size, want = size + 1, got = 0;
		uint8_t *p = malloc(want);
		int fd = p ? openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK) : -1;
		bool ok = fd >= 0;
		while (ok) {
			ssize_t n = read(fd, p + got, want - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				ok = n == 0;
				break;
			}
			got += (size_t)n;
			if (got == want)
				ok = false; /* larger than it said: the walker reads it */
			else if (got == size)
				break;      /* short, at the size: the end (see the top) */
		}
		if (fd >= 0)
			close(fd);
		if (!ok) {
			free(p);
			return;
		}
		it->data = p;
		it->len = got;
		/* a gzip file: whether it is text, as tl__source_nest asks */
		if (got >= 64 && tl__sniff(p, got < TL__SNIFF_LEN ? got : TL__SNIFF_LEN) == TL__KIND_GZIP) {
			tl__range r = { -1, p, 0, got };
			it->gz = tl__gz_text(&r, &it->gz_n, &it->gz_inner, &d->ra_gz) ? 1 : 0;
		}
	}
	it->ok = true;
}

static void *ra_main(void *arg)
{
	dir_impl *d = arg;

	pthread_mutex_lock(&d->ra_mu);
	for (;;) {
		ra_list *l = NULL;
		ra_item *it = NULL;
		size_t i = 0;
		while (!d->ra_stop) {
			/* the directory being walked, then (a quarter of the budget)
			 * the ones it is in, where the walker returns */
			for (l = d->ra_top; l && !it; l = l->up) {
				if (d->ra_held >= (l == d->ra_top ? RA_BUDGET : RA_BUDGET / 4))
					break;
				while (l->next < l->n && l->items[l->next].state != RA_PENDING)
					l->next++;
				if (l->next < l->n) {
					i = l->next++;
					it = &l->items[i];
					break;
				}
			}
			if (it)
				break;
			d->ra_idle = true;
			pthread_cond_wait(&d->ra_wake, &d->ra_mu);
			d->ra_idle = false;
		}
		if (d->ra_stop)
			break;
		it->state = RA_LOADING;
		d->ra_busy = l;
		pthread_mutex_unlock(&d->ra_mu);
		ra_load(d, l->dfd, l->names[i], it);
		pthread_mutex_lock(&d->ra_mu);
		it->state = RA_READY;
		d->ra_busy = NULL;
		d->ra_held += it->len;
		if (d->ra_waiting)
			pthread_cond_signal(&d->ra_ready);
	}
	pthread_mutex_unlock(&d->ra_mu);
	return NULL;
}

/* The entries of a directory, for the thread to read ahead. */
static void ra_push(dir_impl *d, ra_list *l)
{
	pthread_mutex_lock(&d->ra_mu);
	l->up = d->ra_top;
	d->ra_top = l;
	if (d->ra_idle)
		pthread_cond_signal(&d->ra_wake);
	pthread_mutex_unlock(&d->ra_mu);
}

/* Frees what the thread found for an item (ra_mu held). */
static void ra_drop(dir_impl *d, ra_item *it)
{
	if (it->state == RA_READY) {
		bool full = d->ra_held >= RA_BUDGET;
		d->ra_held -= it->len;
		free(it->data);
		free(it->link);
		it->data = NULL;
		it->link = NULL;
		it->len = 0;
		it->state = RA_WALKER;
		if (d->ra_idle && full && d->ra_held < RA_BUDGET)
			pthread_cond_signal(&d->ra_wake); /* it waits on the budget */
	}
}

/* Leaving the directory: waits for its item in progress, drops the rest. */
static void ra_pop(dir_impl *d, ra_list *l)
{
	pthread_mutex_lock(&d->ra_mu);
	l->next = l->n;
	while (d->ra_busy == l) {
		d->ra_waiting = true;
		pthread_cond_wait(&d->ra_ready, &d->ra_mu);
		d->ra_waiting = false;
	}
	for (size_t i = 0; i < l->n; i++)
		ra_drop(d, &l->items[i]);
	d->ra_top = l->up;
	pthread_mutex_unlock(&d->ra_mu);
}

/* Whether the thread has item it ready; if not (not started, or being
 * loaded), the walker does the entry itself. */
static bool ra_take(dir_impl *d, ra_item *it)
{
	bool ok;

	pthread_mutex_lock(&d->ra_mu);
	if (it->state == RA_PENDING)
		it->state = RA_WALKER;
	/* one the thread is loading: done here too, rather than waited for */
	ok = it->state == RA_READY && it->ok;
	pthread_mutex_unlock(&d->ra_mu);
	return ok;
}

/* Done with an item's findings. */
static void ra_done(dir_impl *d, ra_item *it)
{
	pthread_mutex_lock(&d->ra_mu);
	ra_drop(d, it);
	pthread_mutex_unlock(&d->ra_mu);
}

static tl_err walk_dir(tl__source *src, dir_impl *d, int dfd, tl_buf *path, tl__entry_fn fn, void *ctx)
{
	tl_err err = TL_OK;
	char **names = NULL, *link = NULL;
	size_t n = 0, base = path->len;
	ra_list ra = { 0 };
	bool pushed = false;

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
	if (d->ra_on && n) {
		/* a huge directory: its first entries (the memory is per entry) */
		ra.n = n < RA_ITEMS ? n : RA_ITEMS;
		if (!(ra.items = calloc(ra.n, sizeof(*ra.items)))) {
			err = tl__nomem();
			goto done;
		}
		for (size_t i = 0; i < ra.n; i++)
			ra.items[i].gz = -1;
		ra.dfd = dfd;
		ra.names = names;
		ra_push(d, &ra);
		pushed = true;
	}

	for (size_t i = 0; i < n; i++) {
		struct stat st;
		tl__entry e = { 0 };
		ra_item *it = pushed && i < ra.n ? &ra.items[i] : NULL;
		bool have = false;

		path->len = base;
		path->ptr[base] = '\0';
		if ((base && (err = tl_buf_putc(path, '/')) != TL_OK) || (err = tl_buf_puts(path, names[i])) != TL_OK)
			goto done;
		if (path->len > src->lim.max_path) {
			err = tl__source_limit_hit(src, "path longer than %zu bytes", src->lim.max_path);
			goto done;
		}
		if (it && (have = ra_take(d, it)))
			st = it->st;
		else if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0) {
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
			e.type = TL__ENT_SYMLINK;
			free(link);
			link = NULL;
			if (have) {
				e.link = it->link;
			} else if (!(link = read_link(dfd, names[i], &st, src->lim.max_path))) {
				err = errno == ENOMEM ? tl__nomem() : tl__error(TL_EIO, "%s/%s: %s", src->name, path->ptr, strerror(errno));
				goto done;
			} else {
				e.link = link;
			}
		} else {
			e.type = TL__ENT_OTHER;
		}
		d->cur_dfd = dfd;
		d->cur_name = names[i];
		close_cur(d);
		if (have && it->data) {
			d->cur_ra = true;
			d->cur_data = it->data;
			d->cur_len = it->len;
			d->cur_gz = it->gz;
			d->cur_gz_n = it->gz_n;
			d->cur_gz_inner = it->gz_inner;
		}
		err = fn(src, &e, ctx);
		close_cur(d);
		d->cur_name = NULL;
		if (it)
			ra_done(d, it);
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
	if (pushed)
		ra_pop(d, &ra);
	free(ra.items);
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
	if (d->cur_ra) {
		size_t k = d->cur_len - d->cur_off < len ? d->cur_len - d->cur_off : len;
		memcpy(buf, d->cur_data + d->cur_off, k);
		d->cur_off += k;
		if ((err = tl__source_count(src, (uint64_t)k)) != TL_OK)
			goto done;
		*got = k;
		goto done;
	}
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
	if (d->ra_on) {
		pthread_mutex_lock(&d->ra_mu);
		d->ra_stop = true;
		pthread_cond_signal(&d->ra_wake);
		pthread_mutex_unlock(&d->ra_mu);
		pthread_join(d->ra_thread, NULL);
		pthread_mutex_destroy(&d->ra_mu);
		pthread_cond_destroy(&d->ra_wake);
		pthread_cond_destroy(&d->ra_ready);
	}
	tl__gz_inflater_free(d->ra_gz);
	if (d->rootfd >= 0)
		close(d->rootfd);
	free(d->dents);
	free(d);
	src->impl = NULL;
}

static const tl__source_ops dir_ops = { "directory", dir_walk, dir_read, dir_free };

bool tl__source_is_dir(const tl__source *src)
{
	return src->ops == &dir_ops;
}

int tl__source_dir_dup_rest(tl__source *src, char **label)
{
	return src->ops == &dir_ops ? dir_dup_rest(src, label) : -1;
}

int tl__source_dir_gz_hint(tl__source *src, const tl__range *r, size_t *gn, tl__kind *inner)
{
	const dir_impl *d = src->ops == &dir_ops ? src->impl : NULL;

	if (!d || !d->cur_ra || d->cur_gz < 0 || r->fd >= 0 || !r->mem || r->len != d->cur_len ||
	    memcmp(r->mem + r->off, d->cur_data, d->cur_len) != 0)
		return -1;
	*gn = d->cur_gz_n;
	*inner = d->cur_gz_inner;
	return d->cur_gz;
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
	d->cur_gz = -1;
	if ((d->rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fstat(d->rootfd, &st) != 0) {
		tl_err err = tl__error(TL_EIO, "%s: %s", path, strerror(errno));
		if (d->rootfd >= 0)
			close(d->rootfd);
		free(d->dents);
		free(d);
		return err;
	}
	d->dev = st.st_dev;
	d->max_path = src->lim.max_path;
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1 && pthread_mutex_init(&d->ra_mu, NULL) == 0) {
		if (pthread_cond_init(&d->ra_wake, NULL) == 0) {
			if (pthread_cond_init(&d->ra_ready, NULL) == 0) {
				if (pthread_create(&d->ra_thread, NULL, ra_main, d) == 0)
					d->ra_on = true;
				else
					pthread_cond_destroy(&d->ra_ready);
			}
			if (!d->ra_on)
				pthread_cond_destroy(&d->ra_wake);
		}
		if (!d->ra_on)
			pthread_mutex_destroy(&d->ra_mu);
	}
	src->impl = d;
	src->ops = &dir_ops;
	return TL_OK;
}
