/*
 * Squashfs source through libsquashfs (squashfs-tools-ng), read in place:
 * super block, then the directory tree from the root inode, depth first.
 * File content is decompressed here, block by block, by libsquashfs's
 * compressor, on every core: the directory tree is listed first (sq_walk),
 * so the order in which the walk will read the data blocks and fragment
 * tails ("units") is known, and decompression threads work ahead of the
 * walk in that order, at most SQ_AHEAD_BYTES ahead, into a ring of slots:
 *
 *   workers: claim unit u (in order), decompress into slot u % n_slots
 *   walk:    read unit u from its slot (or decompress it itself when no
 *            worker has taken it yet), release it, go on to u + 1
 *
 * A file's data blocks follow one another from blocks_start; each size
 * word is as stored (bit 24: stored uncompressed, 0: a sparse block of
 * zeros) and must decompress to exactly the block size, or to the rest of
 * the file for its last block.  The tail of a file may be in a fragment
 * block, which several small files share: the last SQ_N_FRAGS fragment
 * blocks stay decompressed.
 *
 *   offset  size  field (little-endian)
 *   0       4     magic "hsqs"
 *   20      2     compression id (gzip, lzma, lzo, xz, lz4, zstd)
 *   16      4     fragment entry count: checked against the image size
 *                 (libsquashfs would allocate a table from it unchecked)
 *   ...           (libsquashfs checks the rest of the super block)
 *
 * A hostile image can make a directory list an ancestor: the walk ends at
 * max_path (every level adds to the path) or max_entries.  Symlink targets
 * are handed out as stored and resolved later inside the root (tree.c).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqfs/block.h>
#include <sqfs/compressor.h>
#include <sqfs/frag_table.h>
#include <sqfs/dir.h>
#include <sqfs/dir_reader.h>
#include <sqfs/error.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/super.h>

#include "scan/scan_int.h"

/* Most fragments an image may declare (a 256 MiB fragment table). */
#define TL__SQFS_MAX_FRAGMENTS (1u << 24)

/* A read-only sqfs_file_t over bytes in memory (borrowed) or a range of a file. */
typedef struct {
	sqfs_file_t base;
	const uint8_t *p;
	size_t len;
	tl__range r; /* used when r.fd >= 0 */
} mem_file;

static void mem_destroy(sqfs_object_t *o)
{
	free(o);
}

static sqfs_object_t *mem_copy(const sqfs_object_t *o)
{
	mem_file *m = malloc(sizeof(*m));

	if (m)
		memcpy(m, o, sizeof(*m));
	return (sqfs_object_t *)m;
}

static int mem_read_at(sqfs_file_t *f, sqfs_u64 off, void *buf, size_t size)
{
	mem_file *m = (mem_file *)f;

	if (off > m->len || size > m->len - off)
		return SQFS_ERROR_OUT_OF_BOUNDS;
	if (m->r.fd >= 0)
		return tl__range_read(&m->r, off, buf, size) == TL_OK ? 0 : SQFS_ERROR_IO;
	memcpy(buf, m->p + off, size);
	return 0;
}

static int mem_write_at(sqfs_file_t *f, sqfs_u64 off, const void *buf, size_t size)
{
	return SQFS_ERROR_IO;
}

static sqfs_u64 mem_get_size(const sqfs_file_t *f)
{
	return ((const mem_file *)f)->len;
}

static int mem_truncate(sqfs_file_t *f, sqfs_u64 size)
{
	return SQFS_ERROR_IO;
}

/* Content units: one data block, or the tail of a file in a fragment block. */
typedef struct {
	char *name;
	size_t base;                 /* bytes of the parent's path */
	tl__ent_type type;
	uint32_t mode;
	uint64_t size;               /* regular file: content bytes */
	char *link;                  /* symlink target, or NULL */
	sqfs_inode_generic_t *inode; /* regular file: holds the block list; else NULL */
	uint64_t blocks_start;       /* image offset of the first data block */
	uint32_t frag_index, frag_offset;
	uint64_t unit0;              /* its first content unit */
	uint64_t n_blocks;           /* units that are data blocks */
	uint64_t n_units;            /* n_blocks, plus one for a tail in a fragment */
	uint64_t counted;            /* directory entries listed just before it */
	uint64_t escaped;            /* names skipped just before it */
} sq_ent;

/* What a thread needs to decompress: its own compressor (libsquashfs's
 * keep stream state) and a buffer for a block as stored. */
typedef struct {
	sqfs_compressor_t *cmp;
	uint8_t *in;
} sq_ctx;

enum { SLOT_FREE, SLOT_BUSY, SLOT_DONE };

/* The decompressed unit u lives in slot u % n_slots until it is released. */
typedef struct {
	uint8_t *buf;  /* block_size bytes */
	uint32_t len;
	int state;
	tl_err err;
	char msg[200];
} sq_slot;

/* A decompressed fragment block, shared by the small files it holds. */
typedef struct {
	uint32_t index;
	bool loading, ready;
	unsigned pins;
	uint64_t used;  /* for least-recently-used replacement */
	uint8_t *buf;
	uint32_t len;
} sq_frag;

/* The unit a thread claimed: entry, block (n_blocks: the fragment), image offset. */
typedef struct {
	const sq_ent *e;
	uint64_t blk;
	uint64_t loc;
} sq_unit;

#define SQ_MAX_WORKERS 4
#define SQ_N_FRAGS 8
/* Bytes of decompressed blocks held ahead of the walk (4 to 256 blocks). */
#define SQ_AHEAD_BYTES ((size_t)8 << 20)

typedef struct sq_impl sq_impl;

typedef struct {
	sq_impl *d;
	sq_ctx ctx;
	pthread_t thread;
} sq_worker;

enum { ST_OK, ST_ERROR, ST_PATH, ST_ENTRIES };

struct sq_impl {
	sqfs_file_t *file;
	sqfs_super_t super;
	sqfs_compressor_config_t cfg;
	sqfs_compressor_t *cmp;
	sqfs_dir_reader_t *dr;
	sqfs_frag_table_t *ftab;
	uint32_t bs;                 /* block size */
	/* the listing (first pass), in the order the walk hands entries out */
	sq_ent *ents;
	size_t n_ents;
	uint64_t n_units;
	uint64_t pend_count, pend_escaped, listed, budget;
	int status;                  /* how the listing ended: ST_* */
	tl_err status_err;
	char *status_msg;
	/* the pipeline; mu guards everything below up to "consumer" */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool sync_ready;
	sq_slot *slots;
	unsigned n_slots;
	uint64_t claim;              /* next unit to claim */
	uint64_t released;           /* units below it are released */
	size_t c_ent;                /* the claim cursor: entry, block, offset */
	uint64_t c_blk, c_loc;
	bool stop;
	sq_frag frags[SQ_N_FRAGS];
	uint64_t frag_clock;
	sq_worker workers[SQ_MAX_WORKERS];
	unsigned n_workers;
	/* consumer (the walk's thread) */
	sq_ctx own;
	const sq_ent *cur;           /* current regular file, or NULL */
	const char *cur_path;
	uint64_t cur_off;
	sq_slot *held;               /* the unit being read, not released yet */
	uint64_t held_unit;
};

typedef struct {
	char *name;
	sqfs_inode_generic_t *inode;
} sq_child;

static tl_err sq_error(tl__source *src, int r, const char *what)
{
	return tl__error(r == SQFS_ERROR_ALLOC ? TL_ENOMEM : r == SQFS_ERROR_IO ? TL_EIO : TL_EPARSE,
	                 "%s: squashfs: %s (error %d)", src->name, what, r);
}

/* ---- decompressing units (any thread) ---------------------------------- */

static void ctx_dispose(sq_ctx *x)
{
	sqfs_destroy(x->cmp);
	free(x->in);
	x->cmp = NULL;
	x->in = NULL;
}

static bool ctx_init(sq_impl *d, sq_ctx *x)
{
	if (tl__sqfs_compressor_create(&d->cfg, &x->cmp) != 0 || !(x->in = malloc(d->bs))) {
		ctx_dispose(x);
		return false;
	}
	return true;
}

static tl_err slot_fail(sq_slot *s, tl_err err, const char *fmt, ...) TL_PRINTF(3, 4);
static tl_err slot_fail(sq_slot *s, tl_err err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->msg, sizeof(s->msg), fmt, ap);
	va_end(ap);
	s->err = err;
	return err;
}

/* Reads the block stored at loc with size word w (bit 24: stored as is)
 * into out (block_size bytes); *len: its decompressed bytes. */
static tl_err load_block(sq_impl *d, sq_ctx *x, uint64_t loc, uint32_t w, uint8_t *out, uint32_t *len, sq_slot *s,
                         const char *what)
{
	uint32_t disk = SQFS_ON_DISK_BLOCK_SIZE(w);
	sqfs_s32 n;
	int r;

	if (disk > d->bs)
		return slot_fail(s, TL_EPARSE, "%s at offset %llu: %u bytes stored, more than the block size %u", what,
		                 (unsigned long long)loc, (unsigned)disk, (unsigned)d->bs);
	if (!SQFS_IS_BLOCK_COMPRESSED(w)) {
		if ((r = d->file->read_at(d->file, loc, out, disk)) != 0)
			return slot_fail(s, r == SQFS_ERROR_IO ? TL_EIO : TL_EPARSE, "%s at offset %llu: cannot read %u bytes "
			                 "(error %d)", what, (unsigned long long)loc, (unsigned)disk, r);
		*len = disk;
		return TL_OK;
	}
	if ((r = d->file->read_at(d->file, loc, x->in, disk)) != 0)
		return slot_fail(s, r == SQFS_ERROR_IO ? TL_EIO : TL_EPARSE, "%s at offset %llu: cannot read %u bytes "
		                 "(error %d)", what, (unsigned long long)loc, (unsigned)disk, r);
	n = x->cmp->do_block(x->cmp, x->in, disk, out, d->bs);
	if (n <= 0)
		return slot_fail(s, n == SQFS_ERROR_ALLOC ? TL_ENOMEM : TL_EPARSE, "%s at offset %llu: does not decompress "
		                 "(error %d)", what, (unsigned long long)loc, (int)n);
	*len = (uint32_t)n;
	return TL_OK;
}

/* The fragment block index, decompressed and pinned (called and returns with mu held). */
static sq_frag *frag_get(sq_impl *d, sq_ctx *x, uint32_t index, sq_slot *s)
{
	for (;;) {
		sq_frag *f = NULL, *victim = NULL;
		for (int i = 0; i < SQ_N_FRAGS; i++) {
			sq_frag *c = &d->frags[i];
			if ((c->ready || c->loading) && c->index == index) {
				f = c;
				break;
			}
			if (!c->loading && !c->pins && (!victim || c->used < victim->used))
				victim = c;
		}
		if (f && f->ready) {
			f->pins++;
			f->used = ++d->frag_clock;
			return f;
		}
		if (f || !victim) {
			/* another thread is loading it, or every block is in use */
			pthread_cond_wait(&d->cv, &d->mu);
			continue;
		}
		{
			sqfs_fragment_t fr;
			tl_err err = TL_OK;
			int r;
			victim->index = index;
			victim->ready = false;
			victim->loading = true;
			victim->pins = 1;
			if ((r = sqfs_frag_table_lookup(d->ftab, index, &fr)) != 0)
				err = slot_fail(s, TL_EPARSE, "fragment %u: not in the fragment table (error %d)", (unsigned)index, r);
			pthread_mutex_unlock(&d->mu);
			if (!err && !victim->buf && !(victim->buf = malloc(d->bs)))
				err = slot_fail(s, TL_ENOMEM, "out of memory");
			if (!err) {
				char what[48];
				snprintf(what, sizeof(what), "fragment block %u", (unsigned)index);
				err = load_block(d, x, fr.start_offset, fr.size, victim->buf, &victim->len, s, what);
			}
			pthread_mutex_lock(&d->mu);
			victim->loading = false;
			victim->ready = err == TL_OK;
			victim->used = ++d->frag_clock;
			pthread_cond_broadcast(&d->cv);
			if (err) {
				victim->pins = 0;
				return NULL;
			}
			return victim;
		}
	}
}

/* Decompresses unit u into slot s (mu not held). */
static void run_unit(sq_impl *d, sq_ctx *x, const sq_unit *u, sq_slot *s)
{
	const sq_ent *e = u->e;
	uint64_t at = u->blk * d->bs;  /* < e->size: set by the listing */
	uint32_t want = e->size - at < d->bs ? (uint32_t)(e->size - at) : d->bs;
	char what[48];

	s->err = TL_OK;
	s->msg[0] = '\0';
	s->len = 0;
	if (u->blk < e->n_blocks) {
		uint32_t w = e->inode->extra[u->blk];
		uint32_t got = 0;
		if (SQFS_ON_DISK_BLOCK_SIZE(w) == 0) {
			memset(s->buf, 0, want); /* a sparse block */
			s->len = want;
			return;
		}
		snprintf(what, sizeof(what), "data block %llu", (unsigned long long)u->blk);
		if (load_block(d, x, u->loc, w, s->buf, &got, s, what) != TL_OK)
			return;
		if (got != want) {
			slot_fail(s, TL_EPARSE, "%s at offset %llu: %u bytes, expected %u", what, (unsigned long long)u->loc,
			          (unsigned)got, (unsigned)want);
			return;
		}
		s->len = want;
		return;
	}
	/* the tail, in a fragment block */
	{
		sq_frag *f;
		pthread_mutex_lock(&d->mu);
		f = frag_get(d, x, e->frag_index, s);
		pthread_mutex_unlock(&d->mu);
		if (!f)
			return;
		if (e->frag_offset > f->len || want > f->len - e->frag_offset)
			slot_fail(s, TL_EPARSE, "fragment block %u: %u bytes at %u are past its %u bytes", (unsigned)e->frag_index,
			          (unsigned)want, (unsigned)e->frag_offset, (unsigned)f->len);
		else {
			memcpy(s->buf, f->buf + e->frag_offset, want);
			s->len = want;
		}
		pthread_mutex_lock(&d->mu);
		f->pins--;
		pthread_cond_broadcast(&d->cv);
		pthread_mutex_unlock(&d->mu);
	}
}

/* Takes the next unit in walk order (mu held; d->claim < d->n_units). */
static void claim_next(sq_impl *d, sq_unit *u)
{
	const sq_ent *e;

	while (d->c_blk >= d->ents[d->c_ent].n_units) {
		d->c_ent++;
		d->c_blk = 0;
	}
	e = &d->ents[d->c_ent];
	if (d->c_blk == 0)
		d->c_loc = e->blocks_start;
	u->e = e;
	u->blk = d->c_blk;
	u->loc = d->c_loc;
	if (d->c_blk < e->n_blocks) {
		uint32_t disk = SQFS_ON_DISK_BLOCK_SIZE(e->inode->extra[d->c_blk]);
		/* a hostile size list may run past 2^64: read_at rejects that offset */
		d->c_loc = d->c_loc > UINT64_MAX - disk ? UINT64_MAX : d->c_loc + disk;
	}
	d->c_blk++;
	d->claim++;
}

static void *worker_main(void *arg)
{
	sq_worker *w = arg;
	sq_impl *d = w->d;

	pthread_mutex_lock(&d->mu);
	for (;;) {
		sq_unit u;
		sq_slot *s;
		while (!d->stop && !(d->claim < d->n_units && d->claim < d->released + d->n_slots))
			pthread_cond_wait(&d->cv, &d->mu);
		if (d->stop)
			break;
		s = &d->slots[d->claim % d->n_slots];
		claim_next(d, &u);
		s->state = SLOT_BUSY;
		pthread_mutex_unlock(&d->mu);
		run_unit(d, &w->ctx, &u, s);
		pthread_mutex_lock(&d->mu);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&d->cv);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

/* Stops and joins the workers, frees the slots (the walk's end). */
static void pipeline_stop(sq_impl *d)
{
	if (d->sync_ready) {
		pthread_mutex_lock(&d->mu);
		d->stop = true;
		pthread_cond_broadcast(&d->cv);
		pthread_mutex_unlock(&d->mu);
		for (unsigned i = 0; i < d->n_workers; i++) {
			pthread_join(d->workers[i].thread, NULL);
			ctx_dispose(&d->workers[i].ctx);
		}
		d->n_workers = 0;
		pthread_cond_destroy(&d->cv);
		pthread_mutex_destroy(&d->mu);
		d->sync_ready = false;
	}
	if (d->slots) {
		for (unsigned i = 0; i < d->n_slots; i++)
			free(d->slots[i].buf);
		free(d->slots);
		d->slots = NULL;
	}
	for (int i = 0; i < SQ_N_FRAGS; i++) {
		free(d->frags[i].buf);
		memset(&d->frags[i], 0, sizeof(d->frags[i]));
	}
	ctx_dispose(&d->own);
	d->held = NULL;
}

/* Sets up the slots and starts the decompression threads: one per CPU
 * (at most SQ_MAX_WORKERS); the walk's thread decompresses a unit itself
 * when it gets to it first. */
static tl_err pipeline_start(tl__source *src, sq_impl *d)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned want = cpus > 1 ? (unsigned)(cpus < SQ_MAX_WORKERS ? cpus : SQ_MAX_WORKERS) : 0;

	d->n_slots = (unsigned)(SQ_AHEAD_BYTES / d->bs);
	if (d->n_slots < 4)
		d->n_slots = 4;
	if (d->n_slots > 256)
		d->n_slots = 256; /* 4 KiB blocks: 1 MiB ahead is plenty */
	if (!(d->slots = calloc(d->n_slots, sizeof(*d->slots))) || !ctx_init(d, &d->own))
		return tl__nomem();
	for (unsigned i = 0; i < d->n_slots; i++) {
		if (!(d->slots[i].buf = malloc(d->bs)))
			return tl__nomem();
	}
	if (pthread_mutex_init(&d->mu, NULL) != 0)
		return tl__error(TL_ENOMEM, "%s: squashfs: cannot create a mutex", src->name);
	if (pthread_cond_init(&d->cv, NULL) != 0) {
		pthread_mutex_destroy(&d->mu);
		return tl__error(TL_ENOMEM, "%s: squashfs: cannot create a condition variable", src->name);
	}
	d->sync_ready = true;
	if (d->n_units < 2)
		want = 0; /* nothing to overlap */
	for (unsigned i = 0; i < want; i++) {
		sq_worker *w = &d->workers[d->n_workers];
		w->d = d;
		if (!ctx_init(d, &w->ctx))
			break;
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			ctx_dispose(&w->ctx);
			break; /* fewer threads: the walk's thread does the rest */
		}
		d->n_workers++;
	}
	return TL_OK;
}

/* The decompressed unit u for the walk's thread: earlier units are
 * released (those no thread took are skipped, not decompressed). */
static tl_err get_unit(tl__source *src, sq_impl *d, uint64_t u, sq_slot **out)
{
	sq_slot *s;
	sq_unit un;

	*out = NULL;
	pthread_mutex_lock(&d->mu);
	while (d->released < u) {
		if (d->released >= d->claim) {
			claim_next(d, &un); /* nobody took it: skipped */
		} else {
			sq_slot *r = &d->slots[d->released % d->n_slots];
			while (r->state == SLOT_BUSY)
				pthread_cond_wait(&d->cv, &d->mu);
			r->state = SLOT_FREE;
		}
		d->released++;
		pthread_cond_broadcast(&d->cv);
	}
	s = &d->slots[u % d->n_slots];
	if (u >= d->claim) {
		claim_next(d, &un);
		s->state = SLOT_BUSY;
		pthread_mutex_unlock(&d->mu);
		run_unit(d, &d->own, &un, s);
		pthread_mutex_lock(&d->mu);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&d->cv);
	} else {
		while (s->state == SLOT_BUSY)
			pthread_cond_wait(&d->cv, &d->mu);
	}
	pthread_mutex_unlock(&d->mu);
	if (s->err)
		return tl__error(s->err, "%s: squashfs: /%s: %s", src->name, d->cur_path, s->msg);
	*out = s;
	return TL_OK;
}

static tl_err sq_read(tl__source *src, void *buf, size_t len, size_t *got)
{
	sq_impl *d = src->impl;
	const sq_ent *e = d->cur;
	tl_err err = TL_OK;
	uint64_t k, u, pos, left;
	size_t n;

	*got = 0;
	if (!e || d->cur_off >= e->size || len == 0)
		goto done;
	k = d->cur_off / d->bs;
	if (k >= e->n_units) {
		err = tl__error(TL_EPARSE, "%s: squashfs: /%s: %llu bytes, but data for only %llu", src->name,
		                d->cur_path, (unsigned long long)e->size, (unsigned long long)d->cur_off);
		goto done;
	}
	u = e->unit0 + k;
	if (!d->held || d->held_unit != u) {
		if ((err = get_unit(src, d, u, &d->held)) != TL_OK)
			goto done;
		d->held_unit = u;
	}
	pos = d->cur_off - k * d->bs;
	left = d->held->len - pos; /* len is the unit's full size: pos < len */
	n = len < left ? len : (size_t)left;
	if ((err = tl__source_count(src, (uint64_t)n)) != TL_OK)
		goto done;
	memcpy(buf, d->held->buf + pos, n);
	d->cur_off += n;
	*got = n;
done:
	return err;
}

/* ---- the listing: every entry in walk order, before any is handed out --- */

/* Fills e's content units from its inode (the listing's thread). */
static void file_units(sq_impl *d, sq_ent *e)
{
	const sqfs_inode_generic_t *ino = e->inode;
	uint64_t nb = sqfs_inode_get_file_block_count(ino), need;

	sqfs_inode_get_file_block_start(ino, &e->blocks_start);
	sqfs_inode_get_frag_location(ino, &e->frag_index, &e->frag_offset);
	need = e->size / d->bs + (e->size % d->bs != 0);
	e->n_blocks = nb < need ? nb : need;
	e->n_units = e->n_blocks;
	/* the rest, at most one block, in a fragment; without one the data
	 * ends early and reading past it is an error */
	if (e->n_blocks * d->bs < e->size && e->frag_index != 0xFFFFFFFFu && e->size - e->n_blocks * d->bs <= d->bs)
		e->n_units++;
	e->unit0 = d->n_units;
	d->n_units += e->n_units;
}

/* Records how the listing stopped, for the walk to hand out at that point. */
static tl_err list_stop(sq_impl *d, int status, tl_err err)
{
	d->status = status;
	d->status_err = err;
	if (status == ST_ERROR)
		d->status_msg = tl_strdup(tl_error_last());
	return err;
}

static tl_err list_dir(tl__source *src, sq_impl *d, const sqfs_inode_generic_t *dir, size_t base)
{
	tl_err err = TL_OK;
	sq_child *kids = NULL;
	size_t n = 0;
	sqfs_dir_entry_t *ent = NULL;
	int r;

	if ((r = sqfs_dir_reader_open_dir(d->dr, dir, 0)) != 0) {
		err = list_stop(d, ST_ERROR, sq_error(src, r, "opening a directory"));
		goto done;
	}
	while ((r = sqfs_dir_reader_read(d->dr, &ent)) == 0) {
		sq_child *k;
		/* counted against max_entries when handed out; the listing stops
		 * where that count must have failed */
		d->pend_count++;
		if (++d->listed >= d->budget) {
			err = list_stop(d, ST_ENTRIES, TL_ELIMIT);
			goto done;
		}
		if ((err = tl__array_grow((void **)&kids, &n, sizeof(*kids), (void **)&k)) != TL_OK) {
			list_stop(d, ST_ERROR, err);
			goto done;
		}
		if (!(k->name = strndup((const char *)ent->name, (size_t)ent->size + 1))) {
			err = list_stop(d, ST_ERROR, tl__nomem());
			goto done;
		}
		sqfs_free(ent);
		ent = NULL;
		if ((r = sqfs_dir_reader_get_inode(d->dr, &k->inode)) != 0) {
			err = list_stop(d, ST_ERROR, sq_error(src, r, "reading an inode"));
			goto done;
		}
	}
	if (r < 0) {
		err = list_stop(d, ST_ERROR, sq_error(src, r, "reading a directory"));
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		sqfs_inode_generic_t *ino = kids[i].inode;
		sq_ent *e;
		size_t len;

		if (!kids[i].name[0] || strchr(kids[i].name, '/') || !strcmp(kids[i].name, ".") ||
		    !strcmp(kids[i].name, "..")) {
			d->pend_escaped++;
			continue; /* not a name a directory can hold */
		}
		len = base + (base ? 1 : 0) + strlen(kids[i].name);
		if (len > src->lim.max_path) {
			err = list_stop(d, ST_PATH, TL_ELIMIT);
			goto done;
		}
		if ((err = tl__array_grow((void **)&d->ents, &d->n_ents, sizeof(*d->ents), (void **)&e)) != TL_OK) {
			list_stop(d, ST_ERROR, err);
			goto done;
		}
		e->name = kids[i].name;
		kids[i].name = NULL;
		e->base = base;
		e->mode = ino->base.mode & 07777;
		e->counted = d->pend_count;
		e->escaped = d->pend_escaped;
		d->pend_count = d->pend_escaped = 0;
		switch (ino->base.type) {
		case SQFS_INODE_FILE:
		case SQFS_INODE_EXT_FILE:
			e->type = TL__ENT_FILE;
			sqfs_inode_get_file_size(ino, &e->size);
			e->inode = ino;
			kids[i].inode = NULL;
			file_units(d, e);
			break;
		case SQFS_INODE_DIR:
		case SQFS_INODE_EXT_DIR:
			e->type = TL__ENT_DIR;
			break;
		case SQFS_INODE_SLINK:
		case SQFS_INODE_EXT_SLINK: {
			size_t tlen = ino->base.type == SQFS_INODE_SLINK ? ino->data.slink.target_size :
			              ino->data.slink_ext.target_size;
			if (tlen > ino->payload_bytes_available)
				tlen = ino->payload_bytes_available;
			if (tlen > src->lim.max_path)
				tlen = src->lim.max_path;
			e->type = TL__ENT_SYMLINK;
			if (!(e->link = strndup((const char *)ino->extra, tlen))) {
				err = list_stop(d, ST_ERROR, tl__nomem());
				goto done;
			}
			break;
		}
		default:
			e->type = TL__ENT_OTHER;
			break;
		}
		if (e->type == TL__ENT_DIR && (err = list_dir(src, d, ino, len)) != TL_OK)
			goto done;
	}
done:
	sqfs_free(ent);
	for (size_t i = 0; i < n; i++) {
		free(kids[i].name);
		sqfs_free(kids[i].inode);
	}
	free(kids);
	return err;
}

static void list_free(sq_impl *d)
{
	for (size_t i = 0; i < d->n_ents; i++) {
		free(d->ents[i].name);
		free(d->ents[i].link);
		sqfs_free(d->ents[i].inode);
	}
	free(d->ents);
	d->ents = NULL;
	d->n_ents = 0;
	d->n_units = 0;
	free(d->status_msg);
	d->status_msg = NULL;
}

/* Counts what the listing saw just before an entry, as the walk would have. */
static tl_err replay(tl__source *src, uint64_t counted, uint64_t escaped)
{
	tl_err err = TL_OK;

	for (uint64_t i = 0; i < counted && !err; i++)
		err = tl__source_count_entry(src);
	src->n_escaped += escaped;
	return err;
}

/*
 * Two passes.  The listing reads every directory and inode first (metadata
 * only), in the order the entries are handed out: a depth-first walk that
 * lists a directory right after handing it out.  It knows which blocks the
 * walk will read, in which order, so the decompression threads can work
 * ahead of it.  Entry counts, skipped names and the point where a limit or
 * a corrupt directory stopped the listing are replayed as the entries are
 * handed out, so limits and errors land where a single pass puts them.
 */
static tl_err sq_walk(tl__source *src, tl__entry_fn fn, void *ctx)
{
	sq_impl *d = src->impl;
	sqfs_inode_generic_t *root = NULL;
	tl_buf path = TL_BUF_INIT;
	tl_err err = TL_OK;
	int r;

	if ((r = sqfs_dir_reader_get_root_inode(d->dr, &root)) != 0) {
		err = sq_error(src, r, "reading the root inode");
		goto done;
	}
	if (root->base.type != SQFS_INODE_DIR && root->base.type != SQFS_INODE_EXT_DIR) {
		err = tl__error(TL_EPARSE, "%s: squashfs: the root inode is not a directory", src->name);
		goto done;
	}
	list_free(d);
	d->status = ST_OK;
	d->pend_count = d->pend_escaped = d->listed = 0;
	d->budget = src->top->entries >= src->top->lim.max_entries ? 1 :
	            src->top->lim.max_entries - src->top->entries == UINT64_MAX ? UINT64_MAX :
	            src->top->lim.max_entries - src->top->entries + 1;
	(void)list_dir(src, d, root, 0);
	if ((err = tl_buf_cstr(&path)) != TL_OK || (err = pipeline_start(src, d)) != TL_OK)
		goto done;
	for (size_t i = 0; i < d->n_ents; i++) {
		const sq_ent *ent = &d->ents[i];
		tl__entry e = { 0 };

		if ((err = replay(src, ent->counted, ent->escaped)) != TL_OK)
			goto done;
		path.len = ent->base;
		path.ptr[ent->base] = '\0';
		if ((ent->base && (err = tl_buf_putc(&path, '/')) != TL_OK) || (err = tl_buf_puts(&path, ent->name)) != TL_OK)
			goto done;
		e.path = path.ptr;
		e.type = ent->type;
		e.mode = ent->mode;
		e.size = ent->size;
		e.link = ent->link;
		d->cur = ent->type == TL__ENT_FILE ? ent : NULL;
		d->cur_path = path.ptr;
		d->cur_off = 0;
		err = fn(src, &e, ctx);
		d->cur = NULL;
		if (err)
			goto done;
	}
	if ((err = replay(src, d->pend_count, d->pend_escaped)) != TL_OK)
		goto done;
	switch (d->status) {
	case ST_ERROR:
		err = tl__error(d->status_err, "%s", d->status_msg ? d->status_msg : "squashfs: listing failed");
		break;
	case ST_PATH:
		err = tl__source_limit_hit(src, "path longer than %zu bytes", src->lim.max_path);
		break;
	case ST_ENTRIES:
		/* the replayed counts stop the walk before this */
		err = tl__source_limit_hit(src, "--max-entries: more than %llu entries",
		                           (unsigned long long)src->top->lim.max_entries);
		break;
	default:
		break;
	}
done:
	pipeline_stop(d);
	list_free(d);
	sqfs_free(root);
	tl_buf_dispose(&path);
	return err;
}

static void sq_free(tl__source *src)
{
	sq_impl *d = src->impl;

	pipeline_stop(d);
	list_free(d);
	sqfs_destroy(d->ftab);
	sqfs_destroy(d->dr);
	sqfs_destroy(d->cmp);
	sqfs_destroy(d->file);
	free(d);
	src->impl = NULL;
}

static const tl__source_ops sq_ops = { "squashfs", sq_walk, sq_read, sq_free };

tl_err tl__source_squashfs_open_range(tl__source *src)
{
	return tl__source_squashfs_open(src, NULL, src->range.fd < 0 ? src->range.mem : NULL,
	                                 src->range.fd < 0 ? (size_t)src->range.len : 0);
}

tl_err tl__source_squashfs_open(tl__source *src, const char *path, const void *mem, size_t len)
{
	tl_err err = TL_OK;
	sq_impl *d = calloc(1, sizeof(*d));
	const char *cname;
	int r;

	if (!d)
		return tl__nomem();
	src->impl = d;
	src->ops = &sq_ops;
	if (path) {
		if (!(d->file = sqfs_open_file(path, SQFS_FILE_OPEN_READ_ONLY))) {
			err = tl__error(TL_EIO, "%s: cannot open", path);
			goto done;
		}
	} else {
		mem_file *m = calloc(1, sizeof(*m));
		if (!m) {
			err = tl__nomem();
			goto done;
		}
		m->base.base.destroy = mem_destroy;
		m->base.base.copy = mem_copy;
		m->base.read_at = mem_read_at;
		m->base.write_at = mem_write_at;
		m->base.get_size = mem_get_size;
		m->base.truncate = mem_truncate;
		m->p = mem;
		m->len = len;
		m->r = src->range;
		if (m->r.fd < 0)
			m->r = (tl__range){ -1, mem, 0, len };
		else
			m->len = (size_t)m->r.len;
		d->file = &m->base;
	}
	if ((r = sqfs_super_read(&d->super, d->file)) != 0) {
		err = sq_error(src, r, "bad super block");
		goto done;
	}
	/* libsquashfs sizes its fragment table from the super block alone: a
	 * hostile count would make it allocate gigabytes.  Every fragment is
	 * at least one byte of the image, so the count cannot exceed its size. */
	if (d->super.fragment_entry_count > d->file->get_size(d->file) ||
	    d->super.fragment_entry_count > TL__SQFS_MAX_FRAGMENTS) {
		err = tl__error(TL_EPARSE, "%s: squashfs: offset 0: %u fragments in a %llu-byte image", src->name,
		                (unsigned)d->super.fragment_entry_count,
		                (unsigned long long)d->file->get_size(d->file));
		goto done;
	}
	if ((r = sqfs_compressor_config_init(&d->cfg, d->super.compression_id, d->super.block_size,
	                                     SQFS_COMP_FLAG_UNCOMPRESS)) != 0 ||
	    (r = tl__sqfs_compressor_create(&d->cfg, &d->cmp)) != 0) {
		err = tl__error(TL_EUNSUPPORTED, "%s: squashfs: compressor %u not supported", src->name,
		                (unsigned)d->super.compression_id);
		goto done;
	}
	d->bs = d->super.block_size;
	if (!(d->dr = sqfs_dir_reader_create(&d->super, d->cmp, d->file, 0)) || !(d->ftab = sqfs_frag_table_create(0))) {
		err = tl__nomem();
		goto done;
	}
	if ((r = sqfs_frag_table_read(d->ftab, d->file, &d->super, d->cmp)) != 0) {
		err = sq_error(src, r, "reading the fragment table");
		goto done;
	}
	cname = sqfs_compressor_name_from_id(d->super.compression_id);
	free(src->detail);
	src->detail = tl_strdup(cname ? cname : "unknown compression");
done:
	return err;
}
