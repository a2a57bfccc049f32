/*
 * A gzip stream inflated in a second thread, for the archive source:
 * inflating is most of the CPU time of a .tar.gz scan, and the walk
 * (hashing, ELF, signatures) runs beside it on another core.  The inflater
 * is Intel ISA-L's igzip (isal_inflate), two to three times zlib's speed
 * on the same stream; it checks the trailer's CRC-32 and ISIZE.  The
 * member header (FEXTRA, FNAME, FCOMMENT, FHCRC) is parsed here.
 *
 *   worker thread                      libarchive (the walk's thread)
 *   read the range, inflate  -> ring of NBUF buffers ->  read callback
 *   (several gzip members one after the other, like gzip -d)
 *
 *   gzip member (RFC 1952)
 *   offset  size  field
 *   0       2     magic 1f 8b
 *   2       1     method (8: deflate)
 *   3       1     flags, then mtime, xfl, os; optional fields per flag
 *   ...           deflate blocks (RFC 1951)
 *   end-8   4     CRC-32 of the member's output (little-endian)
 *   end-4   4     ISIZE: its length mod 2^32
 *
 * After a member, bytes that do not start a valid gzip header (zero
 * padding, trailing garbage) end the stream, as gzip -d and libarchive
 * treat them; anything wrong inside a member is an error.
 *
 * A file's compressed bytes are read ahead by a third thread into NIN
 * buffers, so the copy out of the page cache is not on the inflater's
 * core, which bounds the scan's time.
 *
 * The ring bounds what is inflated ahead of the walk to NBUF * BUF_SIZE
 * bytes, so a decompression bomb is still stopped by the walk's max_bytes.
 * An error in the worker (corrupt or truncated stream, CRC mismatch, read
 * error) is handed to the reader at the point it happened, as libarchive's
 * error, after the bytes inflated before it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include "scan/scan_int.h"

#define NBUF 4
#define NIN 3 /* compressed pieces read ahead */
#define BUF_SIZE ((size_t)1 << 20)
/* Compressed bytes handed to the inflater at a time (a test builds this
 * file with a few bytes, so that every header and trailer is split). */
#ifndef TL__GZ_IN_SIZE
#define TL__GZ_IN_SIZE ((size_t)1 << 20)
#endif

struct tl__gzpipe {
	tl__range r;          /* borrowed: the compressed bytes */
	uint64_t pos;         /* next byte of r to hand to the inflater */
	pthread_t thread;
	bool started;         /* the inflating thread runs */
	bool sync;            /* mu, cv and in_cv are initialised */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned char *buf[NBUF];
	size_t len[NBUF];
	unsigned head, tail;  /* filled slots: tail..head-1 (mod NBUF) */
	unsigned count;
	bool held;            /* the reader still uses the slot at tail */
	bool done, stop;
	char error[160];      /* set by the worker with done */
	/* the read-ahead of a file's compressed bytes (reader_main) */
	pthread_t reader;
	bool reader_started;
	pthread_cond_t in_cv;
	unsigned char *in[NIN];
	size_t in_len[NIN];   /* 0: the end of the range */
	bool in_bad[NIN];     /* the read failed */
	unsigned in_head, in_tail, in_count;
	bool in_held;         /* the inflater reads the piece at in_tail */
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

static const char *isal_msg(int rc)
{
	switch (rc) {
	case ISAL_INVALID_BLOCK: return "invalid deflate block";
	case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
	case ISAL_INVALID_LOOKBACK: return "invalid distance too far back";
	case ISAL_INCORRECT_CHECKSUM: return "CRC-32 or length in the trailer does not match the data";
	default: return "corrupt deflate stream";
	}
}

/*
 * The member header, parsed here as it arrives (ISA-L 2.30 computes the
 * FHCRC check wrongly when the header is split across calls, so it is
 * given the deflate data only, with ISAL_GZIP_NO_HDR_VER: it still checks
 * the trailer's CRC-32 and ISIZE).
 */
enum { H_FIXED, H_XLEN, H_EXTRA, H_NAME, H_COMMENT, H_HCRC, H_DONE };
enum { FTEXT = 1, FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16 };

typedef struct {
	int state;
	uint8_t b[10];    /* the fixed part, then XLEN or the header CRC */
	unsigned have;    /* bytes of b filled */
	uint32_t skip;    /* FEXTRA bytes left */
	uint32_t crc;     /* CRC-32 of the header so far */
	uint64_t seen;    /* header bytes consumed */
} member_header;

static void header_start(member_header *h)
{
	memset(h, 0, sizeof(*h));
	h->crc = (uint32_t)crc32(0, Z_NULL, 0);
}

/* Consumes header bytes; 1 when the header is complete, 0 when more input
 * is needed, -1 with *why on a header that is not valid gzip (*early: the
 * fault is in the first ten bytes, as padding or garbage would be). */
static int header_step(member_header *h, struct inflate_state *st, const char **why, bool *early)
{
	while (st->avail_in && h->state != H_DONE) {
		uint8_t c = *st->next_in;
		if (h->state != H_HCRC)
			h->crc = (uint32_t)crc32(h->crc, &c, 1);
		st->next_in++;
		st->avail_in--;
		h->seen++;
		switch (h->state) {
		case H_FIXED:
			h->b[h->have++] = c;
			if ((h->have == 1 && c != 0x1f) || (h->have == 2 && c != 0x8b)) {
				*why = "not a gzip member";
				*early = true;
				return -1;
			}
			if (h->have == 3 && c != 8) {
				*why = "unknown compression method";
				*early = true;
				return -1;
			}
			if (h->have == 4 && (c & 0xe0)) {
				*why = "reserved header flags set";
				*early = true;
				return -1;
			}
			if (h->have == 10) {
				h->have = 0;
				h->state = H_XLEN;
			}
			break;
		case H_XLEN:
			h->b[h->have++] = c;
			if (h->have == 2) {
				h->skip = (uint32_t)h->b[0] | (uint32_t)h->b[1] << 8;
				h->have = 0;
				h->state = H_EXTRA;
			}
			break;
		case H_EXTRA:
			h->skip--;
			break;
		case H_NAME:
		case H_COMMENT:
			if (c == 0)
				h->state++;
			break;
		case H_HCRC:
			h->b[h->have++] = c;
			if (h->have == 2) {
				if (((uint32_t)h->b[0] | (uint32_t)h->b[1] << 8) != (h->crc & 0xffff)) {
					*why = "header CRC-16 does not match";
					*early = false;
					return -1;
				}
				h->state = H_DONE;
			}
			break;
		}
		/* skip the optional parts the flags (b[3] of the fixed part) leave out */
		for (;;) {
			uint8_t flg = h->b[3];
			if (h->state == H_XLEN && !(flg & FEXTRA))
				h->state = H_NAME;
			else if (h->state == H_EXTRA && h->skip == 0)
				h->state = H_NAME;
			else if (h->state == H_NAME && !(flg & FNAME))
				h->state = H_COMMENT;
			else if (h->state == H_COMMENT && !(flg & FCOMMENT))
				h->state = H_HCRC;
			else if (h->state == H_HCRC && !(flg & FHCRC))
				h->state = H_DONE;
			else
				break;
		}
	}
	return h->state == H_DONE;
}

/* Reads the range's pieces in order into the in ring, then one of length
 * 0 (the end) or a failed one, and ends. */
static void *reader_main(void *arg)
{
	tl__gzpipe *g = arg;
	uint64_t pos = 0;

	for (;;) {
		uint64_t left = g->r.len - pos;
		size_t n = left > TL__GZ_IN_SIZE ? TL__GZ_IN_SIZE : (size_t)left;
		unsigned slot;
		bool ok, stop;
		pthread_mutex_lock(&g->mu);
		while (!g->stop && g->in_count == NIN)
			pthread_cond_wait(&g->in_cv, &g->mu);
		slot = g->in_head;
		stop = g->stop;
		pthread_mutex_unlock(&g->mu);
		if (stop)
			break;
		ok = n == 0 || tl__range_read(&g->r, pos, g->in[slot], n) == TL_OK;
		pthread_mutex_lock(&g->mu);
		g->in_len[slot] = n;
		g->in_bad[slot] = !ok;
		g->in_head = (g->in_head + 1) % NIN;
		g->in_count++;
		pthread_cond_broadcast(&g->in_cv);
		pthread_mutex_unlock(&g->mu);
		pos += n;
		if (n == 0 || !ok)
			break;
	}
	return NULL;
}

/* The next piece from the reader: false on a read error or a stop. */
static bool refill_ahead(tl__gzpipe *g, struct inflate_state *st, bool *eof)
{
	bool ok;
	size_t n;
	unsigned slot;

	pthread_mutex_lock(&g->mu);
	if (g->in_held) {
		g->in_held = false;
		g->in_tail = (g->in_tail + 1) % NIN;
		g->in_count--;
		pthread_cond_broadcast(&g->in_cv);
	}
	while (!g->stop && g->in_count == 0)
		pthread_cond_wait(&g->in_cv, &g->mu);
	slot = g->in_tail;
	ok = !g->stop && !g->in_bad[slot];
	n = g->in_len[slot];
	pthread_mutex_unlock(&g->mu);
	if (!ok)
		return false;
	if (n == 0) {
		*eof = true; /* the reader has ended; the slot stays */
		return true;
	}
	g->in_held = true;
	st->next_in = g->in[slot];
	st->avail_in = (uint32_t)n;
	g->pos += n;
	return true;
}

/* Hands the inflater the next compressed bytes: memory in place, a file
 * through the reader or in.  *eof when the range is exhausted; false on a
 * read error. */
static bool refill(tl__gzpipe *g, struct inflate_state *st, uint8_t *in, bool *eof)
{
	uint64_t left = g->r.len - g->pos;
	size_t n = left > TL__GZ_IN_SIZE ? TL__GZ_IN_SIZE : (size_t)left;

	if (g->reader_started)
		return refill_ahead(g, st, eof);
	if (n == 0) {
		*eof = true;
		return true;
	}
	if (g->r.fd < 0) {
		st->next_in = (uint8_t *)(uintptr_t)(g->r.mem + g->r.off + g->pos);
	} else {
		if (tl__range_read(&g->r, g->pos, in, n) != TL_OK)
			return false;
		st->next_in = in;
	}
	st->avail_in = (uint32_t)n;
	g->pos += n;
	return true;
}

static void *worker(void *arg)
{
	tl__gzpipe *g = arg;
	struct inflate_state *st = malloc(sizeof(*st));
	uint8_t *in = g->r.fd >= 0 && !g->reader_started ? malloc(TL__GZ_IN_SIZE) : NULL;
	const char *error = NULL;
	char msg[128];
	bool end = false, eof = false, later_member = false, in_header = true;
	member_header h;
	unsigned slot;

	if (!st || (g->r.fd >= 0 && !g->reader_started && !in)) {
		free(st);
		free(in);
		finish(g, "gzip: out of memory");
		return NULL;
	}
	isal_inflate_init(st);
	header_start(&h);
	while (!end && next_free(g, &slot)) {
		st->next_out = g->buf[slot];
		st->avail_out = (uint32_t)BUF_SIZE;
		while (st->avail_out) {
			uint32_t in0, out0;
			int rc;
			if (st->avail_in == 0 && !eof && !refill(g, st, in, &eof)) {
				error = "gzip: read error";
				end = true;
				break;
			}
			if (in_header) {
				const char *why = NULL;
				bool early = false;
				if (st->avail_in == 0) {
					/* the input ends: fine between members, not inside a header */
					if (!later_member || h.seen)
						error = "gzip: truncated stream";
					end = true;
					break;
				}
				rc = header_step(&h, st, &why, &early);
				if (rc < 0) {
					/* after a member, bytes that are not one (padding,
					 * garbage) end the stream, as gzip -d and libarchive
					 * take them */
					if (!later_member || !early) {
						snprintf(msg, sizeof(msg), "gzip: %s", why);
						error = msg;
					}
					end = true;
					break;
				}
				if (rc == 1) {
					uint8_t *next = st->next_in;
					uint32_t avail = st->avail_in;
					isal_inflate_reset(st);
					st->next_in = next;
					st->avail_in = avail;
					st->crc_flag = ISAL_GZIP_NO_HDR_VER;
					in_header = false;
				}
				continue;
			}
			in0 = st->avail_in;
			out0 = st->avail_out;
			rc = isal_inflate(st);
			if (rc < 0) {
				snprintf(msg, sizeof(msg), "gzip: %s", isal_msg(rc));
				error = msg;
				end = true;
				break;
			}
			if (st->block_state == ISAL_BLOCK_FINISH) {
				/* a member ended, its trailer checked; another may follow */
				in_header = true;
				later_member = true;
				header_start(&h);
				continue;
			}
			if (eof && st->avail_in == 0 && in0 == 0 && out0 == st->avail_out) {
				/* no input left and nothing more came out */
				error = "gzip: truncated stream";
				end = true;
				break;
			}
		}
		if (BUF_SIZE - st->avail_out)
			publish(g, BUF_SIZE - st->avail_out);
	}
	free(st);
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
	if (g->sync) {
		pthread_mutex_lock(&g->mu);
		g->stop = true;
		pthread_cond_broadcast(&g->cv);
		pthread_cond_broadcast(&g->in_cv);
		pthread_mutex_unlock(&g->mu);
		if (g->started)
			pthread_join(g->thread, NULL);
		if (g->reader_started)
			pthread_join(g->reader, NULL);
		pthread_cond_destroy(&g->in_cv);
		pthread_cond_destroy(&g->cv);
		pthread_mutex_destroy(&g->mu);
	}
	for (int i = 0; i < NBUF; i++)
		free(g->buf[i]);
	for (int i = 0; i < NIN; i++)
		free(g->in[i]);
	free(g);
}

tl_err tl__gzpipe_open(tl__gzpipe **out, const tl__range *r, const char *name)
{
	tl_err err = TL_OK;
	tl__gzpipe *g = NULL;
	unsigned char magic[3];

	*out = NULL;
	/* gzip, deflate: anything else is libarchive's to recognise */
	if (r->len < 3 || tl__range_read(r, 0, magic, 3) != TL_OK || magic[0] != 0x1f || magic[1] != 0x8b ||
	    magic[2] != 8)
		return TL_ENOTFOUND;
	if (!(g = calloc(1, sizeof(*g))))
		return tl__nomem();
	g->r = *r;
	for (int i = 0; i < NBUF; i++) {
		if (!(g->buf[i] = malloc(BUF_SIZE))) {
			err = tl__nomem();
			goto done;
		}
	}
	if (pthread_mutex_init(&g->mu, NULL) != 0) {
		err = tl__error(TL_ENOMEM, "%s: cannot start the decompression thread", name);
		goto done;
	}
	if (pthread_cond_init(&g->cv, NULL) != 0) {
		pthread_mutex_destroy(&g->mu);
		err = tl__error(TL_ENOMEM, "%s: cannot start the decompression thread", name);
		goto done;
	}
	if (pthread_cond_init(&g->in_cv, NULL) != 0) {
		pthread_cond_destroy(&g->cv);
		pthread_mutex_destroy(&g->mu);
		err = tl__error(TL_ENOMEM, "%s: cannot start the decompression thread", name);
		goto done;
	}
	g->sync = true; /* from here on, tl__gzpipe_free stops and joins what was started */
	/* a file: its pieces read ahead, when the buffers and the thread can be had */
	if (r->fd >= 0) {
		bool have = true;
		for (int i = 0; i < NIN && have; i++)
			have = (g->in[i] = malloc(TL__GZ_IN_SIZE)) != NULL;
		g->reader_started = have && pthread_create(&g->reader, NULL, reader_main, g) == 0;
	}
	if (pthread_create(&g->thread, NULL, worker, g) != 0) {
		err = tl__error(TL_ENOMEM, "%s: cannot start the decompression thread", name);
		goto done;
	}
	g->started = true;
	*out = g;
	g = NULL;
done:
	tl__gzpipe_free(g);
	return err;
}
