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
} tl__limits;

typedef struct tl__source tl__source;

/* Called once per entry.  May read the entry's content with
 * tl__source_read.  Returning an error stops the walk with that error. */
typedef tl_err (*tl__entry_fn)(tl__source *src, const tl__entry *e, void *ctx);

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

/* Internal to the source files. */
tl_err tl__source_dir_open(tl__source *src, const char *path);
tl_err tl__source_archive_open(tl__source *src, const char *path, const void *mem, size_t len);
tl_err tl__source_squashfs_open(tl__source *src, const char *path, const void *mem, size_t len);
/* gzip inflated in a second thread (gzpipe.c), for the archive source. */
typedef struct tl__gzpipe tl__gzpipe;
/* Starts inflating path when it begins with the gzip magic; TL_ENOTFOUND
 * when it does not (nothing started), TL_EIO, TL_ENOMEM. */
tl_err tl__gzpipe_open(tl__gzpipe **out, const char *path);
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
	long owner;           /* component index of the owning package, -1: none */
} tl__node;

typedef struct {
	tl__node *nodes;
	size_t n, cap;
	size_t *slots;        /* open addressing: node index + 1, 0 empty */
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
tl_err tl__binsig_scan(tl__binsig *bs, const tl__node *node, const uint8_t *data, size_t len);

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
typedef struct {
	size_t sig;      /* row of tl__binsig_defs */
	char *version;   /* NULL: the component is there, its version not pinned */
	char *release;   /* kernel release string from vermagic, or NULL */
	uint64_t offset; /* of the matched text in the file */
	char *text;      /* the matched text, non-printable bytes as '.' */
	char *path;      /* the file (normalised path), or NULL from tl__binsig_match */
} tl__binsig_hit;

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
 * Turns what tl__binsig_scan recorded into the document: a file a package
 * owns (node->owner >= 0) adds a "trustline:binsig:identified" property to
 * that package; other files give one component per (name, version) with
 * the files as evidence.  *n_found: identifications recorded.
 */
tl_err tl__binsig_catalog(tl__binsig *bs, tl_sbom *doc, const tl__tree *tree, size_t *n_found);

#endif
