/*
 * Internal interfaces of the scan module: the source layer (one virtual
 * file tree over a directory, an archive or a squashfs image), the tree
 * index built from one walk, and the parsers the catalogers use.
 */
#ifndef TL_SCAN_INT_H
#define TL_SCAN_INT_H

#include <stdbool.h>

#include "core/core_int.h"
#include "trustline/scan.h"

/* ---- source layer (source.c, source_dir.c, source_archive.c, source_squashfs.c) */

typedef enum {
	TL__ENT_FILE = 0,
	TL__ENT_DIR,
	TL__ENT_SYMLINK,
	TL__ENT_HARDLINK, /* archive hard link: link is the normalised path of the target */
	TL__ENT_OTHER,    /* device, fifo, socket */
} tl__ent_type;

/* One entry of a walk; every pointer is borrowed for the callback only. */
typedef struct {
	const char *path; /* normalised: no leading '/', no "." or "..", "" is the root */
	tl__ent_type type;
	uint32_t mode;    /* permission bits */
	uint64_t size;    /* content bytes of a regular file */
	const char *link; /* symlink target as stored, or hard link target; else NULL */
} tl__entry;

typedef struct {
	uint64_t max_entries;
	uint64_t max_bytes;
	size_t max_path;
	unsigned max_depth;  /* levels of images inside images opened (0: the default) */
	uint64_t max_memory; /* bytes of nested images held in memory at once */
} tl__limits;

/* Bytes of an image: a range of an open file (fd >= 0) or of memory (borrowed). */
typedef struct {
	int fd;             /* -1: mem */
	const uint8_t *mem;
	uint64_t off, len;
} tl__range;

/* Reads len bytes at off (relative to the range); TL_EPARSE past its end, TL_EIO. */
tl_err tl__range_read(const tl__range *r, uint64_t off, void *buf, size_t len);

/* What the first bytes of some content are (sniff.c). */
typedef enum {
	TL__KIND_NONE = 0,
	TL__KIND_SQUASHFS,  /* "hsqs" */
	TL__KIND_SQUASHFS_BE, /* "sqsh": big-endian squashfs 3 and older, not read */
	TL__KIND_EXT,       /* 0xEF53 at 1080 and a plausible super block */
	TL__KIND_UIMAGE,    /* 0x27051956 */
	TL__KIND_FDT,       /* 0xd00dfeed (a FIT image when it has /images) */
	TL__KIND_CPIO,      /* "070701", "070702", "070707" */
	TL__KIND_TAR,       /* "ustar" at 257 */
	TL__KIND_GZIP,
	TL__KIND_XZ,
	TL__KIND_ZSTD,
	TL__KIND_BZIP2,
	TL__KIND_LZ4,
	TL__KIND_LZMA,
	TL__KIND_AR,        /* "!<arch>\n": .deb, .ipk, static libraries */
	TL__KIND_ZIP,
	TL__KIND_LZOP,      /* "\x89LZO\0\r\n\x1a\n": decoded by lzop.c, into memory */
} tl__kind;

/* Bytes sniffing needs from the start of the content. */
#define TL__SNIFF_LEN 4096
/* The kind of content starting with p (n bytes, fewer at the end of a file). */
tl__kind tl__sniff(const uint8_t *p, size_t n);
/* "squashfs", "ext", "uimage"... */
const char *tl__kind_name(tl__kind k);
/* Whether the ext2/3/4 super block at p (1024 bytes, from offset 1024 of the
 * image) is plausible for an image of at most avail bytes; *size: its bytes. */
bool tl__ext_super_ok(const uint8_t *p, uint64_t avail, uint64_t *size);

typedef struct tl__source tl__source;

/* Called once per entry.  May read the entry's content with
 * tl__source_read.  Returning an error stops the walk with that error. */
typedef tl_err (*tl__entry_fn)(tl__source *src, const tl__entry *e, void *ctx);
typedef struct tl__gz_inflater tl__gz_inflater;

/* The operations one kind of source provides (source.c dispatches). */
typedef struct {
	const char *kind;
	tl_err (*walk)(tl__source *src, tl__entry_fn fn, void *ctx);
	tl_err (*read)(tl__source *src, void *buf, size_t len, size_t *got);
	void (*free)(tl__source *src);

} tl__source_ops;

struct tl__source {
	const tl__source_ops *ops;
	void *impl;
	char *name;          /* target path or label, for messages */
	tl__limits lim;
	uint64_t entries;    /* entries given to the callback */
	uint64_t bytes;      /* content bytes read (or decompressed) so far */
	char *limit;         /* the limit that stopped the walk, or NULL */
	char *detail;        /* e.g. libarchive's format and filter names */
	size_t n_escaped;    /* entry names with ".." above the root (clamped) */
	bool tried;          /* the entry being handed out was already tried as an image */
	/* nesting (source.c): counters and limits live in the top source */
	tl__source *top;     /* the target's source; itself at the top */
	unsigned depth;      /* 0: the target */
	char *prefix;        /* "" at the top, else "outer.tar!/inner.squashfs!/" */
	tl__range range;     /* the bytes this source reads (fd -1 and no mem: a directory) */
	int own_fd;          /* fd this source closes, or -1 */
	uint8_t *own_mem;    /* nested content held in memory, freed with the source */
	uint64_t mem_held;   /* of it, counted against max_memory */
	/* content handed back before the implementation's read (a peeked head) */
	const uint8_t *pb;
	size_t pb_len, pb_off;
	uint8_t *peek;       /* TL__SNIFF_LEN bytes */
	tl__gz_inflater *gz; /* the top's: tl__gz_text's inflater on the walk's thread */
	uint64_t memory;     /* top: nested bytes held in memory now */
	char **notes;        /* top: images not opened and limits hit, one line each */
	size_t n_notes;
	char **roots;        /* top: prefixes of the images opened ("" first) */
	size_t n_roots;
	size_t n_nested;     /* top: images opened inside the target */
	tl__entry_fn user_fn; /* the walker's callback and context, for nested walks */
	void *user_ctx;
};

/*
 * Opens target (borrowed): a directory, or a file recognised by content as
 * a squashfs image or an archive libarchive reads.  lim is copied (zero
 * fields: the defaults).  Returns TL_EIO, TL_EUNSUPPORTED or TL_ENOMEM.
 */
tl_err tl__source_open(tl__source **out, const char *target, const tl__limits *lim);
/* The same over bytes in memory (borrowed until tl__source_free); name labels messages. */
tl_err tl__source_open_mem(tl__source **out, const void *data, size_t len, const char *name,
                           const tl__limits *lim);
/*
 * Walks every entry once.  A limit hit stops the walk and returns TL_OK
 * with src->limit set; a corrupt image returns TL_EPARSE.
 */
tl_err tl__source_walk(tl__source *src, tl__entry_fn fn, void *ctx);
/* Reads the current regular file's content; *got 0 at its end.
 * Counts against max_bytes (TL_ELIMIT, with src->limit set). */
tl_err tl__source_read(tl__source *src, void *buf, size_t len, size_t *got);
void tl__source_free(tl__source *src);
/*
 * For a file whose head (the sniffed bytes) was read in full: a descriptor
 * (caller closes) that reads the rest of the current file, which
 * tl__source_read then no longer gives, and in *label (caller frees) the
 * "source: name" I/O errors of it start with.  -1 when the source cannot
 * (only a directory can); the file is then read through tl__source_read.
 * The bytes read through it are not counted: the caller counts them.
 */
int tl__source_dup_rest(tl__source *src, char **label);

/* Internal to the source files.  The range ones read src->range. */
tl_err tl__source_dir_open(tl__source *src, const char *path);
/* Whether src reads a directory (source_dir.c). */
bool tl__source_is_dir(const tl__source *src);
/* tl__source_dup_rest of a directory source; -1 for another kind. */
int tl__source_dir_dup_rest(tl__source *src, char **label);
/*
 * Whether the gzip stream r is compressed text, not an archive (the
 * test of tl__source_nest): inflates its head (TL__SNIFF_LEN + 1 bytes,
 * or all of a smaller member with nothing after it), true when zlib read
 * it without complaint and it may not be a tar, cpio or another filter's
 * stream.  Then *gn is the bytes inflated and *inner the kind they sniff
 * as.  False: libarchive is to be asked.  keep (NULL: none) holds the
 * zlib inflater from call to call, one per thread (*keep NULL at first).
 */
bool tl__gz_text(const tl__range *r, size_t *gn, tl__kind *inner, tl__gz_inflater **keep);
/* Frees an inflater tl__gz_text kept (NULL is fine). */
void tl__gz_inflater_free(tl__gz_inflater *g);
/*
 * tl__gz_text for r as the read-ahead of a directory source found it, when
 * r is the current file's whole content (compared byte for byte): 1 or 0,
 * with *gn and *inner; -1 when src has no answer for it.
 */
int tl__source_dir_gz_hint(tl__source *src, const tl__range *r, size_t *gn, tl__kind *inner);
tl_err tl__source_archive_open(tl__source *src, const char *path, const void *mem, size_t len);
tl_err tl__source_archive_open_range(tl__source *src);
tl_err tl__source_squashfs_open(tl__source *src, const char *path, const void *mem, size_t len);
tl_err tl__source_squashfs_open_range(tl__source *src);

/* The value of n hex (base 16) or octal (base 8) ASCII digits (cpio
 * headers); false if one is not such a digit.  In source_blob.c. */
bool tl__digits(const uint8_t *p, size_t n, unsigned base, uint64_t *out);

/*
 * lzop.c: an lzop file in r decoded into *out (malloc'd, *len bytes),
 * checksums verified.  More than max bytes: TL_ELIMIT with the first max
 * in *out.  Errors name label and the offset.
 */
bool tl__lzop_magic(const uint8_t *p, size_t n);
tl_err tl__lzop_decode(const tl__range *r, const char *label, uint64_t max, uint8_t **out, size_t *len);

/*
 * cpio reader (cpio.c): newc, crc, odc and binary, over a byte stream read
 * through rd (up to len bytes into buf; *got 0 only at its end).  head
 * (borrowed) holds bytes already taken from the stream, read first.
 * Names and symlink targets longer than max_path are TL_ELIMIT before they
 * are read; errors name label and the stream offset.
 */
typedef tl_err (*tl__cpio_read_fn)(void *ctx, void *buf, size_t len, size_t *got);
typedef struct tl__cpio tl__cpio;
typedef struct {
	const char *name; /* as stored, NUL-terminated; valid until the next call */
	tl__ent_type type; /* FILE, DIR, SYMLINK, HARDLINK (a later name of a file), OTHER */
	uint32_t mode;    /* st_mode as stored, type bits included */
	uint64_t size;    /* data bytes (0 for a symlink: its data is link) */
	const char *link; /* symlink target, or the first name of a hard-linked file */
} tl__cpio_entry;
/* True when p starts with a cpio magic (n >= 6 for the ASCII ones). */
bool tl__cpio_magic(const uint8_t *p, size_t n);
tl_err tl__cpio_new(tl__cpio **out, const char *label, size_t max_path, tl__cpio_read_fn rd, void *rctx,
                    const uint8_t *head, size_t head_len);
/* The next entry, skipping what is left of the one before; *end at the trailer. */
tl_err tl__cpio_next(tl__cpio *c, tl__cpio_entry *e, bool *end);
/* Data of the current entry, up to len bytes; *got 0 at its end. */
tl_err tl__cpio_read(tl__cpio *c, void *buf, size_t len, size_t *got);
void tl__cpio_free(tl__cpio *c);

/*
 * sqfs_compressor_create, plus LZO (which Debian's libsquashfs lacks)
 * through liblzo2, uncompress only (sqfs_lzo.c).  Returns 0 or an
 * SQFS_ERROR value.
 */
struct sqfs_compressor_config_t;
struct sqfs_compressor_t;
int tl__sqfs_compressor_create(const struct sqfs_compressor_config_t *cfg, struct sqfs_compressor_t **out);
tl_err tl__source_ext_open(tl__source *src);
/* A container: the regions of a blob, a uImage's or a FIT image's payloads (source_blob.c). */
tl_err tl__source_blob_open(tl__source *src, tl__kind kind);
/*
 * Opens the range r (borrowed; a nested source reads it until freed) of
 * parent as an image named name (its entries get the prefix
 * parent->prefix + name + "!/") and walks it with the parent's callback.
 * Depth, memory and content that is not an image end in a note (or, when
 * the image is corrupt, a note and TL_OK); a limit of the walk returns
 * TL_ELIMIT.  mem (taken, may be NULL) is memory r points into, held
 * against max_memory until the nested walk ends.
 */
tl_err tl__source_nest(tl__source *parent, const tl__range *r, const char *name, tl__kind kind, uint8_t *mem,
                       uint64_t mem_held, bool *opened);
/* The part [off, off + len) of r (checked by the caller), for a nested source. */
tl__range tl__range_sub(const tl__range *r, uint64_t off, uint64_t len);
/* Records one line in the top source's notes (a skip or a limit). */
tl_err tl__source_note(tl__source *src, const char *fmt, ...) TL_PRINTF(2, 3);
/*
 * Decompresses the stream in r (gzip, xz, lzma, zstd, bzip2, lz4) into
 * memory: at most max bytes (TL_ELIMIT past them, and every byte counts
 * against max_bytes).  *out is caller-owned.
 */
tl_err tl__source_decompress(tl__source *src, const tl__range *r, uint64_t max, uint8_t **out, size_t *len);
/* gzip inflated in a second thread by ISA-L (gzpipe.c), for the archive source. */
typedef struct tl__gzpipe tl__gzpipe;
/* Starts inflating r (borrowed until tl__gzpipe_free) when it begins with
 * the gzip magic; TL_ENOTFOUND when it does not (nothing started),
 * TL_ENOMEM.  name labels messages. */
tl_err tl__gzpipe_open(tl__gzpipe **out, const tl__range *r, const char *name);
/* Stops the thread and frees everything. */
void tl__gzpipe_free(tl__gzpipe *g);
#ifdef ARCHIVE_VERSION_NUMBER
/* libarchive read callback over the inflated bytes (client: the pipe). */
la_ssize_t tl__gzpipe_read(struct archive *a, void *client, const void **out);
#endif
/* Records the limit hit (first one wins) and returns TL_ELIMIT. */
tl_err tl__source_limit_hit(tl__source *src, const char *fmt, ...) TL_PRINTF(2, 3);
/* Counts n content bytes against max_bytes. */
tl_err tl__source_count(tl__source *src, uint64_t n);
/* Counts one entry against max_entries. */
tl_err tl__source_count_entry(tl__source *src);

/* ---- uImage and FIT (uimage.c, fdt.c) ------------------------------------ */

/* One payload of a uImage or a FIT image. */
typedef struct {
	char name[64];      /* "ramdisk", "1.kernel", "images/ramdisk-1" */
	uint8_t type;       /* TL__UIMG_* (FIT: mapped from its "type" string) */
	uint8_t comp;       /* TL__UIMG_COMP_* */
	uint64_t off, len;  /* in the image */
} tl__payload;

#define TL__UIMG_MAGIC 0x27051956u
#define TL__UIMG_HDR 64
enum { TL__UIMG_STANDALONE = 1, TL__UIMG_KERNEL = 2, TL__UIMG_RAMDISK = 3, TL__UIMG_MULTI = 4,
       TL__UIMG_FIRMWARE = 5, TL__UIMG_SCRIPT = 6, TL__UIMG_FILESYSTEM = 7, TL__UIMG_FLATDT = 8,
       TL__UIMG_KERNEL_NOLOAD = 14 };
enum { TL__UIMG_COMP_NONE = 0, TL__UIMG_COMP_GZIP = 1, TL__UIMG_COMP_BZIP2 = 2, TL__UIMG_COMP_LZMA = 3,
       TL__UIMG_COMP_LZO = 4, TL__UIMG_COMP_LZ4 = 5, TL__UIMG_COMP_ZSTD = 6, TL__UIMG_COMP_UNKNOWN = 255 };
#define TL__MAX_PAYLOADS 64

/*
 * Parses the legacy uImage at the start of r (borrowed): magic, header
 * CRC-32, data size within r, a multi-image's size list.  Fills out (at
 * most TL__MAX_PAYLOADS) with offsets in r; *total is header + data.
 * TL_EPARSE naming the field on a bad header (name labels messages).
 */
tl_err tl__uimage_parse(const tl__range *r, tl__payload *out, size_t *n_out, uint64_t *total, const char *name);
/* CRC-32 (IEEE 802.3, as zlib and U-Boot compute it) of n bytes, continuing crc. */
uint32_t tl__crc32(const uint8_t *p, size_t n, uint32_t crc);
/* "kernel", "ramdisk"... for a uImage type; "gzip"... for a compression. */
const char *tl__uimage_type_name(uint8_t type);
const char *tl__uimage_comp_name(uint8_t comp);

#define TL__FDT_MAGIC 0xd00dfeedu
/*
 * Parses the flattened device tree at the start of r (borrowed) as a FIT image: each node
 * under /images with "data" (embedded) or "data-offset"/"data-position"
 * and "data-size" (external, after the tree), its "type" and
 * "compression".  Bounded: structure offsets checked against the header
 * and n, depth at most 16, TL__MAX_PAYLOADS payloads.  *total: bytes the
 * image covers.  TL_ENOTFOUND when the tree has no /images (a plain
 * device tree), TL_EPARSE on a malformed one.
 */
tl_err tl__fit_parse(const tl__range *r, tl__payload *out, size_t *n_out, uint64_t *total, const char *name);

/* ---- paths (path.c) ------------------------------------------------------ */

/*
 * Normalises an entry name of an image into out: '/'-separated components
 * without empty, "." and ".." ones, no leading '/'.  ".." never goes above
 * the root (it is dropped there, and *escaped is set if not NULL).
 * TL_ELIMIT if the result is longer than max bytes.
 */
tl_err tl__path_norm(tl_buf *out, const char *in, size_t max, bool *escaped);

/* ---- tree index (tree.c) ------------------------------------------------- */

typedef struct tl__elf_info tl__elf_info;
typedef struct tl__changelog_pre tl__changelog_pre;

typedef struct {
	char *path;           /* normalised */
	tl__ent_type type;    /* TL__ENT_HARDLINK is stored as TL__ENT_FILE */
	uint32_t mode;
	uint64_t size;
	char *link;           /* symlink target */
	uint8_t digest[TL_HASH_MAX_LEN];
	uint8_t digest_len;   /* 0: not hashed */
	bool has_md5;         /* md5 holds the content's MD5 (--verify-md5sums) */
	uint8_t md5[16];
	tl__elf_info *elf;    /* parsed ELF, or NULL */
	tl_buf content;       /* kept content (package databases...), or empty */
	bool kept;            /* content holds the whole file */
	tl__changelog_pre *cl; /* a changelog.Debian.gz read during the walk, or NULL */
	long owner;           /* component index of the owning package, -1: none */
} tl__node;

typedef struct {
	tl__node *nodes;
	size_t n, cap;
	size_t *slots;        /* open addressing: node index + 1, 0 empty */
	uint32_t *hashes;     /* per slot: the low 32 bits of its path's hash */
	size_t n_slots;
	unsigned max_hops;
	size_t max_path;
} tl__tree;

void tl__tree_init(tl__tree *t, unsigned max_hops, size_t max_path);
void tl__tree_dispose(tl__tree *t);
/* Adds a node for path (copied), or returns the existing one (replaced by later entries). */
tl_err tl__tree_add(tl__tree *t, const char *path, tl__node **out);
/* The node stored at exactly path, or NULL. */
tl__node *tl__tree_get(const tl__tree *t, const char *path);
/*
 * Looks path up, resolving symlinks in every directory component (and in
 * the last one if follow_last) inside the root only: an absolute target
 * starts at the image root, ".." stops at it.  *out is NULL when there is
 * no such entry.  TL_ELIMIT past max_hops symlinks (a loop).
 */
tl_err tl__tree_resolve(const tl__tree *t, const char *path, bool follow_last, tl__node **out);

/* ---- control-file stanzas (control.c): dpkg status, opkg status, DEP-5 */

typedef struct {
	const char *name;  /* borrowed from the input, not NUL-terminated */
	size_t name_len;
	const char *value; /* first line and continuation lines, raw */
	size_t value_len;
} tl__field;

typedef struct {
	tl__field *fields;
	size_t n, cap;
} tl__stanza;

/*
 * Reads the next stanza (fields up to a blank line) from r into st
 * (emptied first).  Returns TL_ENOTFOUND at the end of input, TL_EPARSE
 * on a line that is neither "Name: value" nor a continuation.
 */
tl_err tl__control_next(tl_reader *r, tl__stanza *st);
void tl__stanza_dispose(tl__stanza *st);
/* Value of field name (case-insensitive) as a new string, whitespace
 * trimmed; first line only if first_line.  NULL if absent (or no memory:
 * *err is set then). */
char *tl__stanza_get(const tl__stanza *st, const char *name, bool first_line, tl_err *err);

/* ---- packages (dpkg.c, apk.c, opkg.c) ------------------------------------ */

typedef struct {
	char *name, *version, *arch, *source, *source_version, *maintainer, *license;
	char *depends;  /* dpkg/opkg: Depends + Pre-Depends joined by ", "; apk: D: */
	char *provides; /* dpkg/opkg: Provides; apk: p: */
	char **files;   /* apk: owned paths from F:/R: */
	size_t n_files;
} tl__pkg;

typedef struct {
	tl__pkg *pkgs;
	size_t n;
	size_t skipped; /* stanzas not installed */
} tl__pkgdb;

/* Parses a dpkg status file (name labels messages).  Keeps installed packages. */
tl_err tl__dpkg_parse(tl__pkgdb *out, const char *data, size_t len, const char *name);
/* Parses an opkg status file. */
tl_err tl__opkg_parse(tl__pkgdb *out, const char *data, size_t len, const char *name);
/* Parses an apk installed database. */
tl_err tl__apk_parse(tl__pkgdb *out, const char *data, size_t len, const char *name);
void tl__pkgdb_dispose(tl__pkgdb *db);
/*
 * The next line of a dpkg info/<pkg>.md5sums file: the digest and the path
 * (borrowed from the input, no leading '/', not NUL-terminated).  Blank
 * lines are skipped.  TL_ENOTFOUND at the end, TL_EPARSE (the reader
 * unmoved) on a line of another form.
 */
tl_err tl__md5sums_next(tl_reader *r, uint8_t md5[16], const char **path, size_t *path_len);
/* Frees what one package owns and zeroes it. */
void tl__pkg_free(tl__pkg *p);

/* ---- os-release (osrelease.c) -------------------------------------------- */

typedef struct {
	char *id;         /* "debian" */
	char *version_id; /* "12" */
	char *pretty;     /* PRETTY_NAME */
} tl__osrel;

tl_err tl__osrelease_parse(tl__osrel *out, const char *data, size_t len);
void tl__osrel_dispose(tl__osrel *o);

/* ---- DEP-5 copyright (dep5.c) -------------------------------------------- */

/*
 * The SPDX expression of the "Files: *" stanza of a machine-readable
 * Debian copyright file, in *out (caller frees); *out NULL when the file is
 * not DEP-5 or a licence name has no SPDX identifier.
 */
tl_err tl__dep5_license(char **out, const char *data, size_t len);
/* SPDX expression for a DEP-5 licence line ("GPL-2+ or Artistic"), or NULL. */
tl_err tl__dep5_to_spdx(char **out, const char *s, size_t len);

/* ---- Debian changelogs (changelog.c) --------------------------------------- */

#define TL__CHANGELOG_MAX_TEXT ((size_t)64 << 20)
#define TL__CHANGELOG_MAX_ENTRIES 100000
#define TL__CHANGELOG_MAX_IDS 100000

/*
 * Decompresses the gzip data (borrowed; several members are read one after
 * the other) into out (emptied first), at most max bytes: past that the
 * prefix is kept and *truncated set.  TL_EPARSE on a corrupt or truncated
 * stream (message: what zlib said and the input offset).
 */
tl_err tl__gunzip(tl_buf *out, const void *data, size_t len, size_t max, bool *truncated);
/*
 * The CVE ids a Debian changelog (text, borrowed) names, as
 * "CVE-ID=VERSION ..." sorted by id (bytewise), VERSION the oldest entry
 * that names the id; *out (caller frees) is NULL when there are none, or
 * when source is not NULL and the first entry is of another source
 * package.  *truncated: an entry or id limit stopped the parse.
 */
tl_err tl__changelog_cves(char **out, const char *text, size_t len, const char *source, bool *truncated);
/*
 * tl__changelog_cves without a source, and in *first (caller frees) the
 * package name of the first entry, NULL if there is none: with a source,
 * tl__changelog_cves gives the same when first is NULL or that source, and
 * NULL (not truncated) otherwise.
 */
tl_err tl__changelog_cves_any(char **out, const char *text, size_t len, bool *truncated, char **first);

/* A package changelog as the walk's worker read it (changelog_cves in scan.c). */
struct tl__changelog_pre {
	tl_err gz_err;     /* tl__gunzip failed (not for memory): its message in gz_msg */
	char *gz_msg;
	bool gz_trunc;     /* past TL__CHANGELOG_MAX_TEXT */
	char *cves;        /* tl__changelog_cves_any */
	bool cves_trunc;
	char *first;
};

/* Reads a changelog.Debian.gz (data, borrowed) into *out (caller frees with
 * tl__changelog_pre_free); *out NULL when memory ran out. */
void tl__changelog_pre_make(tl__changelog_pre **out, const void *data, size_t len);
void tl__changelog_pre_free(tl__changelog_pre *c);

/* ---- ELF (elf.c) ---------------------------------------------------------- */

struct tl__elf_info {
	uint8_t cls;       /* 1: 32-bit, 2: 64-bit */
	uint8_t data;      /* 1: little-endian, 2: big-endian */
	uint16_t type;     /* ET_EXEC, ET_DYN, ... */
	uint16_t machine;  /* EM_* */
	char *soname;
	char **needed;
	size_t n_needed;
	char *interp;      /* PT_INTERP, or NULL */
	char *build_id;    /* lower-case hex, or NULL */
	char *package_note; /* .note.package JSON payload, or NULL */
};

#define TL__ELF_MAX_NEEDED 4096

/*
 * Parses the ELF file in data (borrowed): header, program and section
 * headers, the dynamic section's SONAME and NEEDED, PT_INTERP, the GNU
 * build-id and FDO package notes.  TL_EPARSE with file name and offset on
 * malformed input.  *out is caller-owned; free with tl__elf_info_free.
 */
tl_err tl__elf_parse(tl__elf_info **out, const uint8_t *data, size_t len, const char *name);
void tl__elf_info_free(tl__elf_info *e);
/* Deep copy (for a hard link to a parsed file). */
tl_err tl__elf_info_copy(tl__elf_info **out, const tl__elf_info *e);
/* Architecture name for a machine ("x86_64", "aarch64"...) or NULL. */
const char *tl__elf_machine_name(uint16_t machine);

/* ---- binary signatures (the seam for a later cataloger) -------------------
 *
 * Every ELF file's bytes pass through tl__binsig_scan during the walk.  It
 * identifies nothing yet; the signature cataloger (Hyperscan, PCRE2 where
 * missing) will record its matches against the node here. */
typedef struct tl__binsig tl__binsig;
typedef struct tl__binsig_hit tl__binsig_hit;
tl_err tl__binsig_scan(tl__binsig *bs, const tl__node *node, const uint8_t *data, size_t len);

/* ---- file content work (filework.c) -------------------------------------
 *
 * The digests, ELF parse and signature pass of the walk, done in a second
 * thread on chunks the walker reads, in order (see filework.c). */

/* One chunk of a file's content and, for its last chunk, what was learnt. */
typedef struct {
	size_t node;          /* tree index of the file */
	uint8_t *data;        /* cap bytes (kept across uses of the slot); data[len] is writable */
	size_t len, cap;
	bool first, last;     /* the file's first chunk (digests start), its last (digests end) */
	bool parse;           /* last, and data is the whole file: ELF parse and signatures */
	bool keep;            /* last, and a cataloger keeps the content (taken by the walker) */
	bool changelog;       /* keep, and a package changelog: read into cl */
	char *path;           /* parse, fd: the file's path (owned) */
	char *warn;           /* the file's warning (too big), or NULL */
	/* the rest of the file read by the worker (tl__source_dup_rest), after data */
	int fd;               /* -1: none; closed by the worker */
	char *label;          /* "source: name", for its I/O errors */
	uint64_t expect;      /* bytes the walker counted for it */
	uint64_t got;         /* bytes read from it */
	size_t held;          /* bytes counted against the budget */
	const uint8_t *whole; /* the whole file the worker read (its own buffer), or NULL */
	size_t whole_len;
	/* results (the worker's), of the last chunk */
	uint8_t digest[TL_HASH_MAX_LEN];
	uint8_t digest_len;   /* 0: not hashed */
	bool has_md5;
	uint8_t md5[16];
	tl__elf_info *elf;    /* parsed ELF (the walker takes it), or NULL */
	char *elf_warn;       /* "/path: not a valid ELF file: ..." or NULL */
	double binsig_cpu;    /* CPU seconds of the signature pass */
	uint64_t binsig_bytes;
	tl__binsig_hit *hits; /* the signature pass's identifications (the walker puts them) */
	size_t n_hits;
	tl__changelog_pre *cl; /* changelog: what it says (the walker takes it), NULL if memory ran out */
	tl_err err;           /* the worker's error, its message in errmsg */
	char *errmsg;
} tl__fjob;

typedef struct tl__filework tl__filework;

/* Starts the worker (not with one CPU).  hashing: alg digests; md5: MD5 too;
 * bs (borrowed) gets the signature hits; max_file: the largest file held
 * whole (for jobs with an fd).  TL_ENOMEM. */
tl_err tl__filework_new(tl__filework **out, bool hashing, tl_hash_alg alg, bool md5, tl__binsig *bs, size_t max_file);
/* Whether the work runs in a second thread. */
bool tl__filework_threaded(const tl__filework *w);
/* Whether the walker does whole-file jobs itself while it waits (off by
 * default: a source with threads of its own, an archive's inflater or
 * squashfs's decompressors, needs the CPU it would take). */
void tl__filework_set_help(tl__filework *w, bool help);
/* Bytes handed to the worker and not done yet (how far behind it is). */
size_t tl__filework_queued(tl__filework *w);
/* Whether tl__filework_get has a slot: fewer than the slot count taken and
 * the bytes waiting within the budget.  Otherwise apply and release done jobs. */
bool tl__filework_room(tl__filework *w);
/* The next slot, emptied (len 0, its buffer kept); only when room. */
tl__fjob *tl__filework_get(tl__filework *w);
/* Hands j over to the worker (done at once without one). */
void tl__filework_submit(tl__filework *w, tl__fjob *j);
/* The oldest job not released, when done; wait: until it is (NULL: none submitted). */
tl__fjob *tl__filework_done(tl__filework *w, bool wait);
/* Gives back a job from tl__filework_done, or one taken and not submitted. */
void tl__filework_release(tl__filework *w, tl__fjob *j);
/* Stops the worker and frees every slot. */
void tl__filework_free(tl__filework *w);

/* One signature (binsig_table.c; docs/binsig.md). */
#define TL__BINSIG_NUMJOIN 1u /* each capture group is a decimal number */
#define TL__BINSIG_KERNEL 2u  /* group 2 is a release suffix: no version unless empty */
#define TL__BINSIG_MAX_MATCH 512 /* longest text a strong pattern matches */
/* Hyperscan flags of every pattern (binsig.c and tools/binsig_hsdb.c). */
#define TL__BINSIG_HS_FLAGS (HS_FLAG_SINGLEMATCH | HS_FLAG_DOTALL)
typedef struct {
	const char *name;     /* component name (purl name) */
	const char *vendor;   /* CPE vendor, as NVD names it */
	const char *product;  /* CPE product */
	tl_sbom_comp_type type;
	const char *re;       /* strong: version in the groups; near: the anchor */
	const char *ver;      /* near: candidate versions; NULL for a strong row */
	unsigned window;      /* near: bytes searched on each side of the anchor */
	unsigned confidence;  /* percent */
	unsigned flags;
} tl__binsig_def;
extern const tl__binsig_def tl__binsig_defs[];
extern const size_t tl__binsig_n_defs;

/* One identification in one file. */
struct tl__binsig_hit {
	size_t sig;      /* row of tl__binsig_defs */
	char *version;   /* NULL: the component is there, its version not pinned */
	char *release;   /* kernel release string from vermagic, or NULL */
	uint64_t offset; /* of the matched text in the file */
	char *text;      /* the matched text, non-printable bytes as '.' */
	char *path;      /* the file (normalised path), or NULL from tl__binsig_match */
};

/* Compiles every signature into one database (Hyperscan, else PCRE2). */
tl_err tl__binsig_new(tl__binsig **out);
void tl__binsig_free(tl__binsig *bs);
/* "hyperscan" or "pcre2". */
const char *tl__binsig_engine(const tl__binsig *bs);
/*
 * Matches every signature over data (borrowed) in one pass; appends the
 * identifications to *hits and *n (caller-owned; free each with
 * tl__binsig_hit_dispose, then the array).
 */
tl_err tl__binsig_match(tl__binsig *bs, const uint8_t *data, size_t len, tl__binsig_hit **hits, size_t *n);
void tl__binsig_hit_dispose(tl__binsig_hit *h);
/*
 * A matcher for another thread: the compiled signatures of bs (borrowed:
 * bs outlives it) with scratch and hits of its own; free with
 * tl__binsig_free.  *out NULL when bs is.
 */
tl_err tl__binsig_clone(tl__binsig **out, const tl__binsig *bs);
/* Hands over what tl__binsig_scan recorded in bs (caller-owned), leaving it none. */
void tl__binsig_take(tl__binsig *bs, tl__binsig_hit **hits, size_t *n);
/* Appends hits (taken over, array too, whatever the outcome) as tl__binsig_scan on bs would have. */
tl_err tl__binsig_put(tl__binsig *bs, tl__binsig_hit *hits, size_t n);
/*
 * Turns what tl__binsig_scan recorded into the document: a file a package
 * owns (node->owner >= 0) adds a "trustline:binsig:identified" property to
 * that package; other files give one component per (name, version) with
 * the files as evidence.  *n_found: identifications recorded.
 */
tl_err tl__binsig_catalog(tl__binsig *bs, tl_sbom *doc, const tl__tree *tree, size_t *n_found);

/*
 * The target's digest (scan.c): with a limit set, the thread that takes
 * it beside the scan stops at this offset (whole pieces of 128 KiB, the
 * last one cut to it; or at the end of a shorter file), the caller waits
 * for it to get there instead of stopping it, and hashes the rest: the
 * handover at a chosen place, for tests.  UINT64_MAX (the default): no
 * limit, the caller stops the thread wherever it is.
 */
extern uint64_t tl__scan_digest_limit;

#endif
