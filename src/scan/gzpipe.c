/*
 * A gzip file inflated in a second thread, for the archive source: zlib
 * decompression is more than half the CPU time of a .tar.gz scan, and the
 * walk (hashing, ELF, signatures) can run beside it on another core.
 *
 *   worker thread                      libarchive (the walk's thread)
 *   read the file, inflate   -> ring of NBUF buffers ->  read callback
 *   (several gzip members one after the other, like gzip -d)
 *
 * The ring bounds what is inflated ahead of the walk to NBUF * BUF_SIZE
 * bytes, so a decompression bomb is still stopped by the walk's max_bytes.
 * An error in the worker (corrupt or truncated stream, read error) is
 * handed to the reader at the point it happened, as libarchive's error.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <archive.h>

#include "scan/scan_int.h"

#define NBUF 4
#define BUF_SIZE ((size_t)1 << 20)

struct tl__gzpipe {
	FILE *f;
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned char *buf[NBUF];
	size_t len[NBUF];
	unsigned head, tail;  /* filled slots: tail..head-1 (mod NBUF) */
	unsigned count;
	bool held;            /* the reader still uses the slot at tail */
	bool done, stop;
	char error[160];      /* set by the worker with done */
};

/* Waits for a free slot; false when told to stop. */
static bool next_free(tl__gzpipe *g, unsigned *slot)
{
	bool ok;

	pthread_mutex_lock(&g->mu);
	while (!g->stop && g->count == NBUF)
		pthread_cond_wait(&g->cv, &g->mu);
	ok = !g->stop;
	*slot = g->head;
	pthread_mutex_unlock(&g->mu);
	return ok;
}

static void publish(tl__gzpipe *g, size_t len)
{
	pthread_mutex_lock(&g->mu);
	g->len[g->head] = len;
	g->head = (g->head + 1) % NBUF;
	g->count++;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

static void finish(tl__gzpipe *g, const char *error)
{
	pthread_mutex_lock(&g->mu);
	if (error)
		snprintf(g->error, sizeof(g->error), "%s", error);
	g->done = true;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

static void *worker(void *arg)
{
	tl__gzpipe *g = arg;
	z_stream zs;
	unsigned char *in = malloc(BUF_SIZE);
	const char *error = NULL;
	char msg[128];
	bool end = false, after_member = false;
	unsigned slot;

	memset(&zs, 0, sizeof(zs));
	if (!in || inflateInit2(&zs, 15 + 16) != Z_OK) {
		free(in);
		finish(g, "gzip: out of memory");
		return NULL;
	}
	while (!end && next_free(g, &slot)) {
		zs.next_out = g->buf[slot];
		zs.avail_out = (uInt)BUF_SIZE;
		while (zs.avail_out) {
			int rc;
			if (zs.avail_in == 0) {
				size_t n = fread(in, 1, BUF_SIZE, g->f);
				if (n == 0) {
					if (ferror(g->f))
						error = "gzip: read error";
					else if (!end)
						error = "gzip: truncated stream";
					end = true;
					break;
				}
				zs.next_in = in;
				zs.avail_in = (uInt)n;
			}
			rc = inflate(&zs, Z_NO_FLUSH);
			if (rc == Z_STREAM_END) {
				/* another member may follow; the file may also end here */
				if (zs.avail_in == 0) {
					int ch = fgetc(g->f);
					if (ch == EOF) {
						end = true;
						break;
					}
					ungetc(ch, g->f);
				}
				if (inflateReset(&zs) != Z_OK) {
					error = "gzip: inflateReset failed";
					end = true;
					break;
				}
				after_member = true;
				continue;
			}
			if (rc == Z_DATA_ERROR && after_member && zs.total_out == 0 && zs.total_in <= 10) {
				/* trailing bytes that are not a gzip member (padding):
				 * ignored, as gzip -d and libarchive do */
				end = true;
				break;
			}
			if (rc != Z_OK && !(rc == Z_BUF_ERROR && zs.avail_in == 0)) {
				snprintf(msg, sizeof(msg), "gzip: %s", zs.msg ? zs.msg : "corrupt stream");
				error = msg;
				end = true;
				break;
			}
		}
		if (BUF_SIZE - zs.avail_out)
			publish(g, BUF_SIZE - zs.avail_out);
	}
	inflateEnd(&zs);
	free(in);
	finish(g, error);
	return NULL;
}

la_ssize_t tl__gzpipe_read(struct archive *a, void *client, const void **out)
{
	tl__gzpipe *g = client;
	la_ssize_t n = 0;

	pthread_mutex_lock(&g->mu);
	if (g->held) {
		/* libarchive is done with the buffer it had last */
		g->held = false;
		g->tail = (g->tail + 1) % NBUF;
		g->count--;
		pthread_cond_broadcast(&g->cv);
	}
	while (g->count == 0 && !g->done)
		pthread_cond_wait(&g->cv, &g->mu);
	if (g->count) {
		*out = g->buf[g->tail];
		n = (la_ssize_t)g->len[g->tail];
		g->held = true;
	} else if (g->error[0]) {
		archive_set_error(a, EINVAL, "%s", g->error);
		n = -1;
	}
	pthread_mutex_unlock(&g->mu);
	return n;
}

void tl__gzpipe_free(tl__gzpipe *g)
{
	if (!g)
		return;
	if (g->started) {
		pthread_mutex_lock(&g->mu);
		g->stop = true;
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->thread, NULL);
		pthread_cond_destroy(&g->cv);
		pthread_mutex_destroy(&g->mu);
	}
	for (int i = 0; i < NBUF; i++)
		free(g->buf[i]);
	if (g->f)
		fclose(g->f);
	free(g);
}

tl_err tl__gzpipe_open(tl__gzpipe **out, const char *path)
{
	tl_err err = TL_OK;
	tl__gzpipe *g = calloc(1, sizeof(*g));
	unsigned char magic[3];

	*out = NULL;
	if (!g)
		return tl__nomem();
	if (!(g->f = fopen(path, "rb"))) {
		err = tl__error(TL_EIO, "%s: %s", path, strerror(errno));
		goto done;
	}
	/* gzip, deflate: anything else is libarchive's to recognise */
	if (fread(magic, 1, 3, g->f) != 3 || magic[0] != 0x1f || magic[1] != 0x8b || magic[2] != 8) {
		err = TL_ENOTFOUND;
		goto done;
	}
	rewind(g->f);
	for (int i = 0; i < NBUF; i++) {
		if (!(g->buf[i] = malloc(BUF_SIZE))) {
			err = tl__nomem();
			goto done;
		}
	}
	if (pthread_mutex_init(&g->mu, NULL) != 0 || pthread_cond_init(&g->cv, NULL) != 0 ||
	    pthread_create(&g->thread, NULL, worker, g) != 0) {
		err = tl__error(TL_ENOMEM, "%s: cannot start the decompression thread", path);
		goto done;
	}
	g->started = true;
	*out = g;
	g = NULL;
done:
	tl__gzpipe_free(g);
	return err;
}
