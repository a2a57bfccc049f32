/*
 * Squashfs source through libsquashfs (squashfs-tools-ng), read in place:
 * super block, then the directory tree from the root inode, depth first,
 * file content through the data reader (blocks and fragments).
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
#include <stdlib.h>
#include <string.h>

#include <sqfs/compressor.h>
#include <sqfs/data_reader.h>
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

typedef struct {
	sqfs_file_t *file;
	sqfs_super_t super;
	sqfs_compressor_t *cmp;
	sqfs_dir_reader_t *dr;
	sqfs_data_reader_t *data;
	const sqfs_inode_generic_t *cur; /* current regular file, or NULL */
	uint64_t cur_off, cur_size;
} sq_impl;

typedef struct {
	char *name;
	sqfs_inode_generic_t *inode;
} sq_child;

static tl_err sq_error(tl__source *src, int r, const char *what)
{
	return tl__error(r == SQFS_ERROR_ALLOC ? TL_ENOMEM : r == SQFS_ERROR_IO ? TL_EIO : TL_EPARSE,
	                 "%s: squashfs: %s (error %d)", src->name, what, r);
}

static tl_err sq_read(tl__source *src, void *buf, size_t len, size_t *got)
{
	sq_impl *d = src->impl;
	tl_err err = TL_OK;
	sqfs_s32 n;

	*got = 0;
	if (!d->cur || d->cur_off >= d->cur_size || len == 0)
		goto done;
	if (len > (1u << 20))
		len = 1u << 20;
	if (len > d->cur_size - d->cur_off)
		len = (size_t)(d->cur_size - d->cur_off);
	n = sqfs_data_reader_read(d->data, d->cur, d->cur_off, buf, (sqfs_u32)len);
	if (n < 0) {
		err = sq_error(src, n, "reading file data");
		goto done;
	}
	if (n == 0) {
		d->cur_off = d->cur_size;
		goto done;
	}
	if ((err = tl__source_count(src, (uint64_t)n)) != TL_OK)
		goto done;
	d->cur_off += (uint64_t)n;
	*got = (size_t)n;
done:
	return err;
}

static tl_err walk_inode(tl__source *src, sq_impl *d, const sqfs_inode_generic_t *dir, tl_buf *path,
                         tl__entry_fn fn, void *ctx)
{
	tl_err err = TL_OK;
	sq_child *kids = NULL;
	size_t n = 0, base = path->len;
	sqfs_dir_entry_t *ent = NULL;
	char *link = NULL;
	int r;

	if ((r = sqfs_dir_reader_open_dir(d->dr, dir, 0)) != 0) {
		err = sq_error(src, r, "opening a directory");
		goto done;
	}
	while ((r = sqfs_dir_reader_read(d->dr, &ent)) == 0) {
		sq_child *k;
		if ((err = tl__source_count_entry(src)) != TL_OK)
			goto done;
		if ((err = tl__array_grow((void **)&kids, &n, sizeof(*kids), (void **)&k)) != TL_OK)
			goto done;
		if (!(k->name = strndup((const char *)ent->name, (size_t)ent->size + 1))) {
			err = tl__nomem();
			goto done;
		}
		sqfs_free(ent);
		ent = NULL;
		if ((r = sqfs_dir_reader_get_inode(d->dr, &k->inode)) != 0) {
			err = sq_error(src, r, "reading an inode");
			goto done;
		}
	}
	if (r < 0) {
		err = sq_error(src, r, "reading a directory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		tl__entry e = { 0 };
		const sqfs_inode_generic_t *ino = kids[i].inode;
		sqfs_u64 size = 0;

		path->len = base;
		path->ptr[base] = '\0';
		if (!kids[i].name[0] || strchr(kids[i].name, '/') || !strcmp(kids[i].name, ".") ||
		    !strcmp(kids[i].name, "..")) {
			src->n_escaped++;
			continue; /* not a name a directory can hold */
		}
		if ((base && (err = tl_buf_putc(path, '/')) != TL_OK) || (err = tl_buf_puts(path, kids[i].name)) != TL_OK)
			goto done;
		if (path->len > src->lim.max_path) {
			err = tl__source_limit_hit(src, "path longer than %zu bytes", src->lim.max_path);
			goto done;
		}
		e.path = path->ptr;
		e.mode = ino->base.mode & 07777;
		switch (ino->base.type) {
		case SQFS_INODE_FILE:
		case SQFS_INODE_EXT_FILE:
			e.type = TL__ENT_FILE;
			sqfs_inode_get_file_size(ino, &size);
			e.size = size;
			break;
		case SQFS_INODE_DIR:
		case SQFS_INODE_EXT_DIR:
			e.type = TL__ENT_DIR;
			break;
		case SQFS_INODE_SLINK:
		case SQFS_INODE_EXT_SLINK: {
			size_t tlen = ino->base.type == SQFS_INODE_SLINK ? ino->data.slink.target_size :
			              ino->data.slink_ext.target_size;
			if (tlen > ino->payload_bytes_available)
				tlen = ino->payload_bytes_available;
			if (tlen > src->lim.max_path)
				tlen = src->lim.max_path;
			free(link);
			if (!(link = strndup((const char *)ino->extra, tlen))) {
				err = tl__nomem();
				goto done;
			}
			e.type = TL__ENT_SYMLINK;
			e.link = link;
			break;
		}
		default:
			e.type = TL__ENT_OTHER;
			break;
		}
		d->cur = e.type == TL__ENT_FILE ? ino : NULL;
		d->cur_off = 0;
		d->cur_size = size;
		err = fn(src, &e, ctx);
		d->cur = NULL;
		if (err)
			goto done;
		if (e.type == TL__ENT_DIR && (err = walk_inode(src, d, ino, path, fn, ctx)) != TL_OK)
			goto done;
	}
done:
	path->len = base;
	if (path->ptr)
		path->ptr[base] = '\0';
	sqfs_free(ent);
	free(link);
	for (size_t i = 0; i < n; i++) {
		free(kids[i].name);
		sqfs_free(kids[i].inode);
	}
	free(kids);
	return err;
}

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
	if ((err = tl_buf_cstr(&path)) == TL_OK)
		err = walk_inode(src, d, root, &path, fn, ctx);
done:
	sqfs_free(root);
	tl_buf_dispose(&path);
	return err;
}

static void sq_free(tl__source *src)
{
	sq_impl *d = src->impl;

	sqfs_destroy(d->data);
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
	sqfs_compressor_config_t cfg;
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
	if ((r = sqfs_compressor_config_init(&cfg, d->super.compression_id, d->super.block_size,
	                                     SQFS_COMP_FLAG_UNCOMPRESS)) != 0 ||
	    (r = tl__sqfs_compressor_create(&cfg, &d->cmp)) != 0) {
		err = tl__error(TL_EUNSUPPORTED, "%s: squashfs: compressor %u not supported", src->name,
		                (unsigned)d->super.compression_id);
		goto done;
	}
	if (!(d->dr = sqfs_dir_reader_create(&d->super, d->cmp, d->file, 0)) ||
	    !(d->data = sqfs_data_reader_create(d->file, d->super.block_size, d->cmp, 0))) {
		err = tl__nomem();
		goto done;
	}
	if ((r = sqfs_data_reader_load_fragment_table(d->data, &d->super)) != 0) {
		err = sq_error(src, r, "reading the fragment table");
		goto done;
	}
	cname = sqfs_compressor_name_from_id(d->super.compression_id);
	free(src->detail);
	src->detail = tl_strdup(cname ? cname : "unknown compression");
done:
	return err;
}
