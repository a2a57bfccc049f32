/*
 * cpio reader: newc ("070701"), crc ("070702"), odc ("070707") and the old
 * binary format (0x71c7 in either byte order), over a byte stream.
 *
 * Our own, not libarchive's: libarchive's cpio reader asks its read-ahead
 * for a whole name of the header's namesize at once, so a compressed
 * initramfs of a few megabytes with a namesize near 4 GiB made it allocate
 * and fill that much, outside every trustline limit.  Here a name longer
 * than max_path is refused before a byte of it is read, a symbolic link's
 * target (its data) likewise, and file data is handed out piece by piece.
 *
 * Layouts (POSIX.1-1988 for odc; the newc/crc and binary layouts as GNU
 * cpio and the Linux initramfs buffer format describe them):
 *
 *   newc/crc  110-byte header: magic(6) then 13 fields of 8 hex digits:
 *             ino mode uid gid nlink mtime filesize devmajor devminor
 *             rdevmajor rdevminor namesize check; header+name padded to 4,
 *             data padded to 4
 *   odc       76-byte header: magic(6) dev(6) ino(6) mode(6) uid(6) gid(6)
 *             nlink(6) rdev(6) mtime(11) namesize(6) filesize(11), octal;
 *             no padding
 *   binary    26-byte header of 13 16-bit words: magic dev ino mode uid gid
 *             nlink rdev mtime(2) namesize filesize(2), 32-bit values most
 *             significant word first; name and data padded to 2
 *
 * namesize counts the name's NUL.  The entry named "TRAILER!!!" ends the
 * archive.  A file with more than one link is stored with its data once
 * (newc: with the last of its names); later names of the same (dev, ino)
 * are reported as hard links to the first, with the data they carry.
 */
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

enum { FMT_NEWC, FMT_ODC, FMT_BIN_LE, FMT_BIN_BE };

typedef struct {
	uint64_t dev, ino;
	char *name;
} link_slot;

struct tl__cpio {
	const char *label;     /* for messages */
	size_t max_path;
	tl__cpio_read_fn rd;
	void *rctx;
	const uint8_t *head;   /* bytes already read from the stream, given back first */
	size_t head_len, head_off;
	uint64_t off;          /* stream offset of the next byte */
	int fmt;
	uint64_t left;         /* data bytes of the current entry not yet read */
	unsigned pad;          /* padding after the current entry's data */
	bool done;
	char *name;            /* current entry's name */
	size_t name_cap;
	char *target;          /* current symlink's target */
	link_slot *links;      /* open addressing on (dev, ino) of files with nlink > 1 */
	size_t links_cap, links_n;
};

static tl_err bad(tl__cpio *c, uint64_t off, const char *what)
{
	return tl__error(TL_EPARSE, "%s: cpio: offset %llu: %s", c->label, (unsigned long long)off, what);
}

/* Up to len bytes; *got 0 only at the end of the stream. */
static tl_err raw_read(tl__cpio *c, void *buf, size_t len, size_t *got)
{
	tl_err err = TL_OK;

	if (c->head_off < c->head_len) {
		size_t n = c->head_len - c->head_off;
		if (n > len)
			n = len;
		memcpy(buf, c->head + c->head_off, n);
		c->head_off += n;
		*got = n;
	} else {
		err = c->rd(c->rctx, buf, len, got);
	}
	if (err == TL_OK)
		c->off += *got;
	return err;
}

/* Exactly len bytes, else a truncation error naming what was read. */
static tl_err read_full(tl__cpio *c, void *buf, size_t len, const char *what)
{
	uint8_t *p = buf;
	uint64_t start = c->off;
	size_t got;
	tl_err err;

	while (len > 0) {
		if ((err = raw_read(c, p, len, &got)) != TL_OK)
			return err;
		if (got == 0)
			return tl__error(TL_EPARSE, "%s: cpio: offset %llu: truncated %s", c->label,
			                 (unsigned long long)start, what);
		p += got;
		len -= got;
	}
	return TL_OK;
}

static tl_err skip(tl__cpio *c, uint64_t n, const char *what)
{
	uint8_t tmp[4096];

	while (n > 0) {
		size_t k = n > sizeof(tmp) ? sizeof(tmp) : (size_t)n;
		tl_err err = read_full(c, tmp, k, what);
		if (err != TL_OK)
			return err;
		n -= k;
	}
	return TL_OK;
}

static uint64_t hash_key(uint64_t dev, uint64_t ino)
{
	uint64_t h = (dev * 0x9e3779b97f4a7c15ull) ^ (ino + 0x632be59bd9b4e019ull);

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

/* The first name recorded for (dev, ino), or NULL after recording name. */
static tl_err link_lookup(tl__cpio *c, uint64_t dev, uint64_t ino, const char *name, const char **first)
{
	size_t i;

	*first = NULL;
	if (c->links_n + 1 > c->links_cap / 2) {
		size_t ncap = c->links_cap ? c->links_cap * 2 : 64;
		link_slot *nl = calloc(ncap, sizeof(*nl));
		if (!nl)
			return tl__nomem();
		for (size_t k = 0; k < c->links_cap; k++) {
			if (!c->links[k].name)
				continue;
			for (i = hash_key(c->links[k].dev, c->links[k].ino) & (ncap - 1); nl[i].name; i = (i + 1) & (ncap - 1))
				;
			nl[i] = c->links[k];
		}
		free(c->links);
		c->links = nl;
		c->links_cap = ncap;
	}
	for (i = hash_key(dev, ino) & (c->links_cap - 1); c->links[i].name; i = (i + 1) & (c->links_cap - 1)) {
		if (c->links[i].dev == dev && c->links[i].ino == ino) {
			*first = c->links[i].name;
			return TL_OK;
		}
	}
	if (!(c->links[i].name = tl_strdup(name)))
		return tl__nomem();
	c->links[i].dev = dev;
	c->links[i].ino = ino;
	c->links_n++;
	return TL_OK;
}

tl_err tl__cpio_new(tl__cpio **out, const char *label, size_t max_path, tl__cpio_read_fn rd, void *rctx,
                    const uint8_t *head, size_t head_len)
{
	tl__cpio *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return tl__nomem();
	c->label = label;
	c->max_path = max_path;
	c->rd = rd;
	c->rctx = rctx;
	c->head = head;
	c->head_len = head_len;
	*out = c;
	return TL_OK;
}

bool tl__cpio_magic(const uint8_t *p, size_t n)
{
	if (n >= 6 && (memcmp(p, "070701", 6) == 0 || memcmp(p, "070702", 6) == 0 || memcmp(p, "070707", 6) == 0))
		return true;
	return n >= 2 && ((p[0] == 0xc7 && p[1] == 0x71) || (p[0] == 0x71 && p[1] == 0xc7));
}

tl_err tl__cpio_next(tl__cpio *c, tl__cpio_entry *e, bool *end)
{
	uint8_t h[110];
	uint64_t at, v[13] = { 0 }, namesize, filesize, mode, nlink, dev, ino;
	unsigned name_pad;
	tl_err err;

	memset(e, 0, sizeof(*e));
	*end = false;
	/* the rest of the previous entry, and its padding */
	if ((err = skip(c, c->left + c->pad, "entry data")) != TL_OK)
		return err;
	c->left = 0;
	c->pad = 0;
	if (c->done) {
		*end = true;
		return TL_OK;
	}
	at = c->off;
	if ((err = read_full(c, h, 6, "header")) != TL_OK)
		return err;
	if (memcmp(h, "070701", 6) == 0 || memcmp(h, "070702", 6) == 0) {
		c->fmt = FMT_NEWC;
		if ((err = read_full(c, h + 6, 104, "header")) != TL_OK)
			return err;
		for (int i = 0; i < 13; i++) {
			if (!tl__digits(h + 6 + 8 * i, 8, 16, &v[i]))
				return bad(c, at + 6 + 8 * (unsigned)i, "expected 8 hexadecimal digits in the header");
		}
		ino = v[0], mode = v[1], nlink = v[4], filesize = v[6];
		dev = v[7] << 32 | v[8];
		namesize = v[11];
		name_pad = (unsigned)((4 - (110 + namesize) % 4) % 4);
		c->pad = (unsigned)((4 - filesize % 4) % 4);
	} else if (memcmp(h, "070707", 6) == 0) {
		static const unsigned w[] = { 6, 6, 6, 6, 6, 6, 6, 11, 6, 11 };
		size_t p = 6;
		c->fmt = FMT_ODC;
		if ((err = read_full(c, h + 6, 70, "header")) != TL_OK)
			return err;
		for (int i = 0; i < 10; i++) {
			if (!tl__digits(h + p, w[i], 8, &v[i]))
				return bad(c, at + p, "expected octal digits in the header");
			p += w[i];
		}
		dev = v[0], ino = v[1], mode = v[2], nlink = v[5], namesize = v[8], filesize = v[9];
		name_pad = 0;
	} else if ((h[0] == 0xc7 && h[1] == 0x71) || (h[0] == 0x71 && h[1] == 0xc7)) {
		bool le = h[0] == 0xc7;
		c->fmt = le ? FMT_BIN_LE : FMT_BIN_BE;
		if ((err = read_full(c, h + 6, 20, "header")) != TL_OK)
			return err;
		for (int i = 0; i < 13; i++)
			v[i] = le ? (uint64_t)h[2 * i] | (uint64_t)h[2 * i + 1] << 8 : (uint64_t)h[2 * i] << 8 | h[2 * i + 1];
		dev = v[1], ino = v[2], mode = v[3], nlink = v[6];
		namesize = v[10];
		filesize = v[11] << 16 | v[12];
		name_pad = (unsigned)(namesize % 2);
		c->pad = (unsigned)(filesize % 2);
	} else {
		return bad(c, at, "expected a cpio header (070701, 070702, 070707 or 0x71c7)");
	}
	if (namesize < 2)
		return bad(c, at, "an entry without a name");
	if (namesize - 1 > c->max_path)
		return tl__error(TL_ELIMIT, "%s: cpio: offset %llu: a name of %llu bytes, longer than %zu", c->label,
		                 (unsigned long long)at, (unsigned long long)(namesize - 1), c->max_path);
	if (namesize > c->name_cap) {
		char *nn = realloc(c->name, (size_t)namesize);
		if (!nn)
			return tl__nomem();
		c->name = nn;
		c->name_cap = (size_t)namesize;
	}
	if ((err = read_full(c, c->name, (size_t)namesize, "name")) != TL_OK)
		return err;
	if (c->name[namesize - 1] != '\0' || memchr(c->name, '\0', (size_t)namesize - 1))
		return bad(c, at, "the name is not namesize - 1 bytes and a NUL");
	if ((err = skip(c, name_pad, "name padding")) != TL_OK)
		return err;
	if (strcmp(c->name, "TRAILER!!!") == 0) {
		c->done = true;
		c->pad = 0;
		*end = true;
		return TL_OK;
	}
	e->name = c->name;
	e->mode = (uint32_t)mode;
	e->size = filesize;
	c->left = filesize;
	switch (mode & 0170000) {
	case 0100000:
		e->type = TL__ENT_FILE;
		if (nlink > 1) {
			const char *first;
			if ((err = link_lookup(c, dev, ino, c->name, &first)) != TL_OK)
				return err;
			if (first) {
				e->type = TL__ENT_HARDLINK;
				e->link = first;
			}
		}
		break;
	case 0040000:
		e->type = TL__ENT_DIR;
		break;
	case 0120000:
		e->type = TL__ENT_SYMLINK;
		if (filesize > c->max_path)
			return tl__error(TL_ELIMIT, "%s: cpio: offset %llu: a link target of %llu bytes, longer than %zu",
			                 c->label, (unsigned long long)at, (unsigned long long)filesize, c->max_path);
		free(c->target);
		if (!(c->target = malloc((size_t)filesize + 1)))
			return tl__nomem();
		if ((err = read_full(c, c->target, (size_t)filesize, "link target")) != TL_OK)
			return err;
		c->target[filesize] = '\0';
		c->left = 0;
		e->link = c->target;
		e->size = 0;
		break;
	default:
		e->type = TL__ENT_OTHER;
		break;
	}
	return TL_OK;
}

tl_err tl__cpio_read(tl__cpio *c, void *buf, size_t len, size_t *got)
{
	tl_err err;

	*got = 0;
	if (len > c->left)
		len = (size_t)c->left;
	if (len == 0)
		return TL_OK;
	if ((err = raw_read(c, buf, len, got)) != TL_OK)
		return err;
	if (*got == 0)
		return tl__error(TL_EPARSE, "%s: cpio: offset %llu: truncated entry data (%llu bytes missing)", c->label,
		                 (unsigned long long)c->off, (unsigned long long)c->left);
	c->left -= *got;
	return TL_OK;
}

void tl__cpio_free(tl__cpio *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->links_cap; i++)
		free(c->links[i].name);
	free(c->links);
	free(c->name);
	free(c->target);
	free(c);
}
