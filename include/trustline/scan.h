/*
 * trustline scan: an SBOM from a firmware root file system, read in place.
 *
 * A target is a directory, an archive libarchive reads (tar with gzip, xz,
 * zstd, bzip2 or lz4 compression, cpio, zip, ar), a squashfs or ext2/3/4
 * image, a uImage or FIT image, or a blob holding any of these at some
 * offset.  The kind is recognised by content, not by name, and images
 * inside images are opened to a depth limit.  Nothing is extracted to
 * disk; an archive is streamed once.  Package databases (dpkg, apk, opkg), the
 * distribution (os-release), DEP-5 copyright files and ELF files become
 * components, dependency edges and file hashes of a tl_sbom.
 *
 * See docs/scan.md for the sources, limits, catalogers and purl forms.
 */
#ifndef TRUSTLINE_SCAN_H
#define TRUSTLINE_SCAN_H

#include <stdbool.h>

#include "common.h"
#include "core.h"
#include "sbom.h"

/* Defaults of the limits (docs/scan.md). */
#define TL_SCAN_DEFAULT_MAX_ENTRIES 1000000u        /* entries in the tree */
#define TL_SCAN_DEFAULT_MAX_BYTES ((uint64_t)4 << 30) /* content bytes read */
#define TL_SCAN_DEFAULT_MAX_PATH 4096u              /* bytes of one path */
#define TL_SCAN_DEFAULT_MAX_LINK_HOPS 40u           /* symlinks per lookup */
#define TL_SCAN_DEFAULT_MAX_FILE ((size_t)256 << 20) /* one file held in memory */
#define TL_SCAN_DEFAULT_MAX_DEPTH 4u                /* levels of images inside images */
#define TL_SCAN_DEFAULT_MAX_MEMORY ((uint64_t)256 << 20) /* nested images held in memory at once */

typedef enum {
	TL_SCAN_HASH_SHA256 = 0, /* default */
	TL_SCAN_HASH_SHA512,
	TL_SCAN_HASH_NONE,
} tl_scan_hash;

/* Options of tl_scan_run.  Zero limits mean the defaults above. */
typedef struct {
	uint64_t max_entries;
	uint64_t max_bytes;
	size_t max_path;
	unsigned max_link_hops;
	size_t max_file;    /* largest file parsed in memory (ELF, databases) */
	unsigned max_depth; /* levels of nested images opened; the target is level 0 */
	uint64_t max_memory; /* bytes of nested images (in archives, compressed) held in memory at once */
	tl_scan_hash hash;
	bool verify_md5sums;  /* MD5 of every file, checked against dpkg's info/<pkg>.md5sums */
	const char *name;     /* subject name; NULL: the target's base name */
	const char *version;  /* subject version; may be NULL */
	const char *supplier; /* document and subject supplier; may be NULL */
} tl_scan_opts;

/* What a scan saw, for the summary the command prints. */
typedef struct {
	const char *source;    /* "directory", "archive (tar, gzip)", "squashfs" (static or owned by the summary) */
	char *source_detail;   /* libarchive's format/filter names; may be NULL */
	char *distro;          /* "debian-12" or NULL */
	uint64_t entries;      /* entries walked */
	uint64_t files;        /* regular files */
	uint64_t bytes;        /* content bytes read */
	size_t n_dpkg, n_apk, n_opkg; /* packages per database */
	size_t n_elf;          /* ELF files */
	size_t n_elf_unowned;  /* ELF files no package owns */
	char **unowned;        /* their paths ("/usr/local/bin/x"), n_elf_unowned of them */
	size_t n_edges_needed; /* package edges from ELF NEEDED */
	uint64_t binsig_bytes; /* ELF bytes matched against the binary signatures */
	double binsig_cpu;     /* CPU seconds (of the thread that matched) spent matching them */
	const char *binsig_engine; /* "hyperscan" or "pcre2" (static) */
	size_t n_changelog_cves; /* dpkg packages whose changelog names CVE ids */
	size_t n_md5_checked;  /* package files checked against info/<pkg>.md5sums */
	size_t n_md5_modified; /* ... whose content differs */
	size_t n_md5_missing;  /* ... listed but not in the image */
	char **modified;       /* paths of the modified files, n_md5_modified of them */
	char *limit;           /* the limit that stopped the walk early, or NULL */
	size_t n_nested;       /* images opened inside the target */
	size_t n_limits;       /* limits hit: images not opened (depth, memory) and the one above */
	char **limits;         /* one line each, also document properties "trustline:scan:limit-reached" */
	size_t n_warnings;
	char **warnings;       /* one line each: skipped or odd input */
} tl_scan_summary;

TL_EXTERN void tl_scan_opts_init(tl_scan_opts *o);
/* Frees what the summary owns; the struct can be reused. */
TL_EXTERN void tl_scan_summary_dispose(tl_scan_summary *s);

/*
 * Scans target (borrowed path) and returns a new document in *out (caller
 * frees with tl_sbom_free).  sum (may be NULL) receives the summary; the
 * caller disposes it, also after an error.  Hitting a limit is not an error:
 * the document covers what was read, sum->limit names a limit that stopped
 * the walk and sum->limits every limit hit (also images left unopened by
 * max_depth or max_memory); a corrupt image inside the target is a warning.
 * Returns TL_EIO (cannot open or read), TL_EUNSUPPORTED (not a directory or
 * an image trustline reads, and none found at any offset), TL_EPARSE (a
 * corrupt image), TL_ENOMEM.
 */
TL_EXTERN tl_err tl_scan_run(tl_sbom **out, tl_scan_summary *sum, const char *target,
                             const tl_scan_opts *opts);

#endif
