/*
 * ext2/3/4 source through libext2fs (e2fsprogs), read in place through our
 * own io_manager over the source's byte range (a range of the target file
 * or memory): nothing is extracted, no temporary file.
 *
 *   offset  size  field (little-endian; tl__ext_super_ok in sniff.c)
 *   1024    1024  super block: magic 0xEF53 at 1080, block size, counts;
 *                 checked against the range before libext2fs sees it
 *                 (blocks past the end of the range read as zeros: mke2fs
 *                 leaves unused last blocks out of an image file)
 *   ...           group descriptors, inode tables, directories, extents:
 *                 read by libext2fs through io_read
 *
 * Walk: depth first from the root inode (2), a directory's entries
 * collected, then handed out (ext2fs_dir_iterate2, inline-data
 * directories included).  Regular files are read with ext2fs_file_read
 * (block maps, extents, inline data; holes of sparse files read as zeros).
 * Symbolic links: fast ones from i_block, others (slow, inline data)
 * through the same file reader, at most max_path bytes.  Hard links: the
 * second and later names of an inode are TL__ENT_HARDLINK to the first.
 *
 * Hostile images: a directory met a second time (a loop through an
 * ancestor, or two names for one directory) is not walked again; a name
 * with '/' or "."/".." is skipped (counted as escaped).  Every block read
 * (metadata and file data, counted apart from the content handed out, which
 * includes holes) is bounded by max_bytes too, so corrupt extent trees end
 * at that limit.
 */
#include <et/com_err.h>
#include <ext2fs/ext2fs.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

/* ---- io_manager over a tl__range ----------------------------------------- */

typedef struct {
	tl__range r;
	tl__source *src;
	uint64_t blocks_read; /* bytes of blocks read, metadata and file data */
} io_priv;

/* the source ext_open hands to io_open (libext2fs opens by name only) */
static _Thread_local tl__source *opening;

static errcode_t io_open(const char *name, int flags, io_channel *out);

static errcode_t io_close(io_channel ch)
{
	if (--ch->refcount > 0)
		return 0;
	ext2fs_free_mem(&ch->private_data);
	ext2fs_free_mem(&ch->name);
	ext2fs_free_mem(&ch);
	return 0;
}

static errcode_t io_set_blksize(io_channel ch, int blksize)
{
	ch->block_size = blksize;
	return 0;
}

static errcode_t io_read64(io_channel ch, unsigned long long block, int count, void *data)
{
	io_priv *p = ch->private_data;
	uint64_t size = count < 0 ? (uint64_t)-(int64_t)count : (uint64_t)count * (uint64_t)ch->block_size;
	uint64_t off;

	uint64_t have;

	if (__builtin_mul_overflow((uint64_t)block, (uint64_t)ch->block_size, &off) || size > ((uint64_t)1 << 30))
		return EXT2_ET_SHORT_READ;
	/* file content is counted as it is handed out (ext_read, holes too);
	 * this bounds what corrupt metadata can make libext2fs read */
	if (size > p->src->lim.max_bytes - p->blocks_read || p->blocks_read > p->src->lim.max_bytes) {
		tl__source_limit_hit(p->src, "--max-bytes: more than %llu bytes of ext blocks read",
		                     (unsigned long long)p->src->lim.max_bytes);
		return EXT2_ET_SHORT_READ;
	}
	p->blocks_read += size;
	/* blocks past the end of the image read as zeros (an image file
	 * without its unused last blocks) */
	have = off >= p->r.len ? 0 : p->r.len - off < size ? p->r.len - off : size;
	memset((uint8_t *)data + have, 0, (size_t)(size - have));
	return have == 0 || tl__range_read(&p->r, off, data, (size_t)have) == TL_OK ? 0 : EXT2_ET_SHORT_READ;
}

static errcode_t io_read(io_channel ch, unsigned long block, int count, void *data)
{
	return io_read64(ch, block, count, data);
}

static errcode_t io_write(io_channel ch, unsigned long block, int count, const void *data)
{
	(void)ch, (void)block, (void)count, (void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t io_write64(io_channel ch, unsigned long long block, int count, const void *data)
{
	(void)ch, (void)block, (void)count, (void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t io_write_byte(io_channel ch, unsigned long off, int count, const void *data)
{
	(void)ch, (void)off, (void)count, (void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t io_flush(io_channel ch)
{
	(void)ch;
	return 0;
}

static errcode_t io_set_option(io_channel ch, const char *opt, const char *arg)
{
	(void)ch, (void)opt, (void)arg;
	return EXT2_ET_INVALID_ARGUMENT;
}

static struct struct_io_manager range_io = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "trustline range",
	.open = io_open,
	.close = io_close,
	.set_blksize = io_set_blksize,
	.read_blk = io_read,
	.write_blk = io_write,
	.flush = io_flush,
	.write_byte = io_write_byte,
	.set_option = io_set_option,
	.read_blk64 = io_read64,
	.write_blk64 = io_write64,
};

static errcode_t io_open(const char *name, int flags, io_channel *out)
{
	io_channel ch = NULL;
	io_priv *p = NULL;
	errcode_t r;

	(void)flags;
	if (!opening)
		return EXT2_ET_BAD_DEVICE_NAME;
	if ((r = ext2fs_get_memzero(sizeof(*ch), &ch)) != 0)
		return r;
	if ((r = ext2fs_get_memzero(sizeof(*p), &p)) != 0 || (r = ext2fs_get_mem(strlen(name) + 1, &ch->name)) != 0) {
		ext2fs_free_mem(&p);
		ext2fs_free_mem(&ch);
		return r;
	}
	memcpy(ch->name, name, strlen(name) + 1);
	p->r = opening->range;
	p->src = opening;
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = &range_io;
	ch->block_size = 1024;
	ch->refcount = 1;
	ch->private_data = p;
	*out = ch;
	return 0;
}

/* ---- the source ---------------------------------------------------------- */

typedef struct {
	ext2_filsys fs;
	ext2_file_t cur; /* current regular file, or NULL */
	uint32_t *seen;  /* directory inodes walked: open addressing, 0 empty */
	size_t n_seen, cap_seen;
	struct link { uint32_t ino; char *path; } *links; /* first name of multiply-linked inodes */
	size_t n_links;
} ext_impl;

typedef struct {
	char *name;
	ext2_ino_t ino;
} ext_child;

static tl_err ext_error(tl__source *src, errcode_t r, const char *what)
{
	if (src->top->limit)
		return tl__error(TL_ELIMIT, "%s: %s", src->name, src->top->limit);
	if (r == EXT2_ET_NO_MEMORY)
		return tl__nomem();
	return tl__error(TL_EPARSE, "%s: ext: %s: %s", src->name, what, error_message(r));
}

/* Adds ino to the set of walked directories; false if it was there. */
static tl_err seen_add(ext_impl *d, uint32_t ino, bool *added)
{
	size_t mask, i;

	*added = false;
	if (d->n_seen + 1 > d->cap_seen / 2) {
		size_t ncap = d->cap_seen ? d->cap_seen * 2 : 256;
		uint32_t *ns = calloc(ncap, sizeof(uint32_t));
		if (!ns)
			return tl__nomem();
		for (size_t k = 0; k < d->cap_seen; k++) {
			if (d->seen[k]) {
				size_t j = (d->seen[k] * 2654435761u) & (ncap - 1);
				while (ns[j])
					j = (j + 1) & (ncap - 1);
				ns[j] = d->seen[k];
			}
		}
		free(d->seen);
		d->seen = ns;
		d->cap_seen = ncap;
	}
	mask = d->cap_seen - 1;
	for (i = (ino * 2654435761u) & mask; d->seen[i]; i = (i + 1) & mask) {
		if (d->seen[i] == ino)
			return TL_OK;
	}
	d->seen[i] = ino;
	d->n_seen++;
	*added = true;
	return TL_OK;
}

static const char *link_of(const ext_impl *d, uint32_t ino)
{
	for (size_t i = 0; i < d->n_links; i++) {
		if (d->links[i].ino == ino)
			return d->links[i].path;
	}
	return NULL;
}

typedef struct {
	tl__source *src;
	ext_child *kids;
	size_t n;
	tl_err err;
} collect_ctx;

static int collect(ext2_ino_t dir, int entry, struct ext2_dir_entry *de, int offset, int blocksize, char *buf,
                   void *arg)
{
	collect_ctx *c = arg;
	ext_child *k;
	int len = ext2fs_dirent_name_len(de);

	(void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
	if ((len == 1 && de->name[0] == '.') || (len == 2 && de->name[0] == '.' && de->name[1] == '.'))
		return 0;
	if ((c->err = tl__source_count_entry(c->src)) != TL_OK)
		return DIRENT_ABORT;
	if ((c->err = tl__array_grow((void **)&c->kids, &c->n, sizeof(*c->kids), (void **)&k)) != TL_OK)
		return DIRENT_ABORT;
	if (!(k->name = strndup(de->name, (size_t)len))) {
		c->n--;
		c->err = tl__nomem();
		return DIRENT_ABORT;
	}
	k->ino = de->inode;
	return 0;
}

/* Reads a slow or inline-data symlink's target (at most max bytes). */
static tl_err read_link(tl__source *src, ext_impl *d, ext2_ino_t ino, struct ext2_inode *inode, char **out)
{
	tl_err err = TL_OK;
	ext2_file_t f = NULL;
	uint64_t size = EXT2_I_SIZE(inode);
	unsigned got = 0;
	char *buf = NULL;
	errcode_t r;

	*out = NULL;
	if (size > src->lim.max_path)
		size = src->lim.max_path;
	if (ext2fs_is_fast_symlink(inode)) {
		if (size > sizeof(inode->i_block))
			size = sizeof(inode->i_block);
		if (!(*out = strndup((const char *)inode->i_block, (size_t)size)))
			err = tl__nomem();
		goto done;
	}
	if (!(buf = calloc(1, (size_t)size + 1))) {
		err = tl__nomem();
		goto done;
	}
	if ((r = ext2fs_file_open2(d->fs, ino, inode, 0, &f)) != 0 ||
	    (r = ext2fs_file_read(f, buf, (unsigned)size, &got)) != 0) {
		err = ext_error(src, r, "reading a symbolic link");
		goto done;
	}
	buf[got] = '\0';
	*out = buf;
	buf = NULL;
done:
	if (f)
		ext2fs_file_close(f);
	free(buf);
	return err;
}

static tl_err walk_dir(tl__source *src, ext_impl *d, ext2_ino_t dir, tl_buf *path, tl__entry_fn fn, void *ctx)
{
	tl_err err = TL_OK;
	collect_ctx c = { src, NULL, 0, TL_OK };
	size_t base = path->len;
	char *link = NULL;
	struct ext2_inode dino;
	errcode_t r;

	/* the inline-data flag is for inline directories only (others read as corrupt with it) */
	if ((r = ext2fs_read_inode(d->fs, dir, &dino)) != 0) {
		err = ext_error(src, r, "reading a directory inode");
		goto done;
	}
	r = ext2fs_dir_iterate2(d->fs, dir, dino.i_flags & EXT4_INLINE_DATA_FL ? DIRENT_FLAG_INCLUDE_INLINE_DATA : 0, NULL,
	                        collect, &c);
	if (c.err) {
		err = c.err;
		goto done;
	}
	if (r) {
		err = ext_error(src, r, "reading a directory");
		goto done;
	}
	for (size_t i = 0; i < c.n; i++) {
		tl__entry e = { 0 };
		struct ext2_inode inode;
		const char *first;

		path->len = base;
		path->ptr[base] = '\0';
		if (!c.kids[i].name[0] || strchr(c.kids[i].name, '/') || c.kids[i].ino < EXT2_ROOT_INO) {
			src->n_escaped++;
			continue;
		}
		if ((base && (err = tl_buf_putc(path, '/')) != TL_OK) || (err = tl_buf_puts(path, c.kids[i].name)) != TL_OK)
			goto done;
		if (path->len > src->lim.max_path) {
			err = tl__source_limit_hit(src, "path longer than %zu bytes", src->lim.max_path);
			goto done;
		}
		if ((r = ext2fs_read_inode(d->fs, c.kids[i].ino, &inode)) != 0) {
			err = ext_error(src, r, "reading an inode");
			goto done;
		}
		e.path = path->ptr;
		e.mode = inode.i_mode & 07777;
		if (LINUX_S_ISREG(inode.i_mode)) {
			e.type = TL__ENT_FILE;
			e.size = EXT2_I_SIZE(&inode);
			if (inode.i_links_count > 1) {
				if ((first = link_of(d, c.kids[i].ino))) {
					e.type = TL__ENT_HARDLINK;
					e.link = first;
					e.size = 0;
				} else {
					struct link *l;
					if ((err = tl__array_grow((void **)&d->links, &d->n_links, sizeof(*l), (void **)&l)) != TL_OK)
						goto done;
					l->ino = c.kids[i].ino;
					if (!(l->path = strdup(path->ptr))) {
						d->n_links--;
						err = tl__nomem();
						goto done;
					}
				}
			}
		} else if (LINUX_S_ISDIR(inode.i_mode)) {
			e.type = TL__ENT_DIR;
		} else if (LINUX_S_ISLNK(inode.i_mode)) {
			free(link);
			if ((err = read_link(src, d, c.kids[i].ino, &inode, &link)) != TL_OK)
				goto done;
			e.type = TL__ENT_SYMLINK;
			e.link = link;
		} else {
			e.type = TL__ENT_OTHER;
		}
		if (e.type == TL__ENT_FILE && (r = ext2fs_file_open2(d->fs, c.kids[i].ino, &inode, 0, &d->cur)) != 0) {
			err = ext_error(src, r, "opening a file");
			goto done;
		}
		err = fn(src, &e, ctx);
		if (d->cur) {
			ext2fs_file_close(d->cur);
			d->cur = NULL;
		}
		if (err)
			goto done;
		if (e.type == TL__ENT_DIR) {
			bool added;
			if ((err = seen_add(d, c.kids[i].ino, &added)) != TL_OK)
				goto done;
			if (!added && (err = tl__source_note(src, "%s: /%s%s: directory inode %u met again (a loop): not walked "
			                                     "again", src->name, src->prefix, path->ptr,
			                                     (unsigned)c.kids[i].ino)) != TL_OK)
				goto done;
			if (added && (err = walk_dir(src, d, c.kids[i].ino, path, fn, ctx)) != TL_OK)
				goto done;
		}
	}
done:
	path->len = base;
	if (path->ptr)
		path->ptr[base] = '\0';
	free(link);
	for (size_t i = 0; i < c.n; i++)
		free(c.kids[i].name);
	free(c.kids);
	return err;
}

static tl_err ext_walk(tl__source *src, tl__entry_fn fn, void *ctx)
{
	ext_impl *d = src->impl;
	tl_buf path = TL_BUF_INIT;
	tl_err err;
	bool added;

	if ((err = tl_buf_cstr(&path)) == TL_OK && (err = seen_add(d, EXT2_ROOT_INO, &added)) == TL_OK)
		err = walk_dir(src, d, EXT2_ROOT_INO, &path, fn, ctx);
	tl_buf_dispose(&path);
	return err;
}

static tl_err ext_read(tl__source *src, void *buf, size_t len, size_t *got)
{
	ext_impl *d = src->impl;
	unsigned n = 0;
	errcode_t r;
	tl_err err;

	*got = 0;
	if (!d->cur || len == 0)
		return TL_OK;
	if (len > (1u << 20))
		len = 1u << 20;
	if ((r = ext2fs_file_read(d->cur, buf, (unsigned)len, &n)) != 0)
		return ext_error(src, r, "reading file data");
	if ((err = tl__source_count(src, n)) != TL_OK)
		return err;
	*got = n;
	return TL_OK;
}

static void ext_free(tl__source *src)
{
	ext_impl *d = src->impl;

	if (d->cur)
		ext2fs_file_close(d->cur);
	if (d->fs)
		ext2fs_close_free(&d->fs);
	for (size_t i = 0; i < d->n_links; i++)
		free(d->links[i].path);
	free(d->links);
	free(d->seen);
	free(d);
	src->impl = NULL;
}

static const tl__source_ops ext_ops = { "ext", ext_walk, ext_read, ext_free };

tl_err tl__source_ext_open(tl__source *src)
{
	tl_err err = TL_OK;
	ext_impl *d = calloc(1, sizeof(*d));
	uint8_t sb[1024];
	uint64_t size;
	errcode_t r;
	const char *kind;

	if (!d)
		return tl__nomem();
	src->impl = d;
	src->ops = &ext_ops;
	if (src->range.len < 2048 || tl__range_read(&src->range, 1024, sb, sizeof(sb)) != TL_OK ||
	    !tl__ext_super_ok(sb, src->range.len, &size)) {
		err = tl__error(TL_EPARSE, "%s: ext: offset 1024: not a plausible super block for %llu bytes", src->name,
		                (unsigned long long)src->range.len);
		goto done;
	}
	opening = src;
	r = ext2fs_open2("trustline", NULL, EXT2_FLAG_64BITS | EXT2_FLAG_IGNORE_CSUM_ERRORS | EXT2_FLAG_SKIP_MMP, 0, 0,
	                 &range_io, &d->fs);
	opening = NULL;
	if (r) {
		d->fs = NULL;
		err = ext_error(src, r, "opening the file system");
		goto done;
	}
	kind = ext2fs_has_feature_extents(d->fs->super) || ext2fs_has_feature_64bit(d->fs->super) ? "ext4" :
	       ext2fs_has_feature_journal(d->fs->super) ? "ext3" : "ext2";
	free(src->detail);
	src->detail = tl_strdup(kind);
done:
	return err;
}
