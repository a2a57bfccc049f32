/*
 * The scan driver: one walk over the source, then the catalogers over the
 * tree index, then the document.
 *
 * Walk (once; an archive cannot be read twice): every ELF file and every
 * file a cataloger keeps is read whole into a buffer (up to max_file; a
 * larger file is only hashed); any other file is streamed through the hash
 * in pieces of 1 MiB.  The walk reads; a second thread (filework.c) hashes,
 * parses as ELF the files that start with "\x7fELF" and runs the binary
 * signatures over them, and the walk applies what it learnt to the tree in
 * file order.  Files are kept in memory
 * when a cataloger needs them later: os-release, dpkg/opkg status and
 * info/<pkg>.list, apk's installed database, usr/share/doc/<pkg>/copyright.  Symlinks and
 * directories are recorded, so the catalogers can resolve paths through
 * links inside the root after the walk, whatever order the entries came in.
 *
 * Catalogers, in order: os-release (distro), dpkg, apk, opkg, then ELF
 * (NEEDED edges between owning packages; ELF files no package owns become
 * components of type "file").
 *
 *   purl forms
 *   dpkg  pkg:deb/<ID>/<name>@<version>?arch=<arch>&distro=<ID>-<VERSION_ID>
 *   apk   pkg:apk/<ID>/<name>@<version>?arch=<arch>&distro=<ID>-<VERSION_ID>
 *   opkg  pkg:opkg/<ID>/<name>@<version>?arch=<arch>&distro=<ID>-<VERSION_ID>
 *   (ID, VERSION_ID from os-release; ID defaults to debian, alpine, openwrt;
 *   no distro qualifier without both)
 *
 * File hashes: each owned regular file's digest is a component property
 * "trustline:file:<alg>" with the value "<hex>  /<path>" (a sha256sum line);
 * the component's own hash is the digest of those lines, sorted by path,
 * each ending in '\n' (so `sha256sum FILES | sha256sum` reproduces it).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "scan/scan_int.h"
#include "trustline/sbom.h"
#include "trustline/vuln.h"

#define CHUNK ((size_t)1 << 20)
#define OFFLOAD_MIN ((uint64_t)1 << 10) /* the rest of a file the worker reads */
#define OFFLOAD_QUEUE ((size_t)4 << 20)  /* ... when it has fewer bytes than this waiting */
#define OFFLOAD_BIG ((uint64_t)64 << 10) /* ... or, this large, whatever it has waiting */

typedef struct {
	const tl_scan_opts *opts;
	tl__tree tree;
	bool hashing;
	tl_hash_alg alg;
	size_t max_file;
	tl_scan_summary *sum;
	tl__binsig *binsig;
	tl__filework *work;  /* digests, ELF, signatures: the second thread */
	bool offload;        /* the worker reads the rest of larger files */
	tl__source *src;     /* the target's source */
	bool work_failed;    /* a job's error was returned: apply no more */
} scan_ctx;

/* ---- helpers --------------------------------------------------------- */

static tl_err warn(tl_scan_summary *sum, const char *fmt, ...) TL_PRINTF(2, 3);
static tl_err warn(tl_scan_summary *sum, const char *fmt, ...)
{
	tl_buf b = TL_BUF_INIT;
	va_list ap;
	tl_err err;
	char **slot;

	va_start(ap, fmt);
	err = tl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (err)
		goto done;
	if (sum->n_warnings >= 1000) /* the rest are counted, not kept */
		goto done;
	if ((err = tl__array_grow((void **)&sum->warnings, &sum->n_warnings, sizeof(char *), (void **)&slot)) != TL_OK)
		goto done;
	*slot = tl_buf_detach(&b);
	tl__log(TL_LOG_INFO, "%s", *slot);
done:
	tl_buf_dispose(&b);
	return err;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0 && (n == m || s[n - m - 1] == '/' || suffix[0] == '/' ||
	                                                     suffix[0] == '.');
}

/* Whether the directory part of path ends with dir ("var/lib/dpkg/info"). */
static bool in_dir(const char *path, const char *dir)
{
	const char *slash = strrchr(path, '/');
	size_t n, m = strlen(dir);

	if (!slash)
		return false;
	n = (size_t)(slash - path);
	return n >= m && memcmp(slash - m, dir, m) == 0 && (n == m || path[n - m - 1] == '/');
}

/* Files a cataloger reads after the walk. */
static bool wanted(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (!strcmp(base, "os-release"))
		return true;
	if (ends_with(path, "dpkg/status") || ends_with(path, "opkg/status") || ends_with(path, "apk/db/installed"))
		return true;
	if (ends_with(base, ".list") && (in_dir(path, "dpkg/info") || in_dir(path, "opkg/info")))
		return true;
	if (ends_with(base, ".md5sums") && in_dir(path, "dpkg/info"))
		return true;
	if (!strcmp(base, "copyright") || !strcmp(base, "changelog.Debian.gz") || !strcmp(base, "changelog.gz")) {
		/* share/doc/<pkg>/copyright, its changelogs */
		const char *slash = base - 1;
		const char *p = slash;
		while (p > path && p[-1] != '/')
			p--;
		if (p > path) {
			size_t n = (size_t)(p - 1 - path);
			return n >= 9 && memcmp(p - 10, "share/doc", 9) == 0 && (n == 9 || path[n - 10] == '/');
		}
	}
	return false;
}

/*
 * A package changelog among the wanted files, to be read by the worker:
 * changelog.Debian.gz, or changelog.gz without one next to it (so far:
 * in a directory it came first), as changelog_cves takes them.  A native
 * package's changelog.gz is its Debian changelog; beside a
 * changelog.Debian.gz it is the upstream one, often megabytes, not read.
 */
static bool is_changelog(const tl__tree *t, const char *path)
{
	const char *base = strrchr(path, '/');
	tl_buf sib = TL_BUF_INIT;
	const tl__node *nd;

	base = base ? base + 1 : path;
	if (!strcmp(base, "changelog.Debian.gz"))
		return true;
	if (strcmp(base, "changelog.gz") != 0)
		return false;
	if (tl_buf_put(&sib, path, (size_t)(base - path)) != TL_OK || tl_buf_puts(&sib, "changelog.Debian.gz") != TL_OK) {
		tl_buf_dispose(&sib);
		return false; /* read after the walk, as without this */
	}
	nd = tl__tree_get(t, sib.ptr);
	tl_buf_dispose(&sib);
	return !nd || nd->type != TL__ENT_FILE;
}

static tl_hash_alg hash_alg(const tl_scan_opts *o)
{
	return o->hash == TL_SCAN_HASH_SHA512 ? TL_HASH_SHA512 : TL_HASH_SHA256;
}

static tl_sbom_hash_alg sbom_alg(tl_hash_alg a)
{
	return a == TL_HASH_SHA512 ? TL_SBOM_HASH_SHA512 : TL_SBOM_HASH_SHA256;
}

/* ---- the walk ---------------------------------------------------------- */

/*
 * A hard link at path carried the body of the file first named target (cpio
 * newc keeps the data with the last name; the earlier names came empty):
 * the target and every earlier link to it take over path's digest, size,
 * ELF information and kept content.
 */
static tl_err share_body(scan_ctx *c, const char *path, const char *target)
{
	const tl__node *src = tl__tree_get(&c->tree, path);
	tl_err err = TL_OK;

	if (!src)
		return TL_OK;
	for (size_t i = 0; i < c->tree.n && !err; i++) {
		tl__node *n = &c->tree.nodes[i];
		if (n == src || n->type != TL__ENT_FILE)
			continue;
		if (strcmp(n->path, target) != 0 && !(n->link && strcmp(n->link, target) == 0))
			continue;
		n->size = src->size;
		n->digest_len = src->digest_len;
		memcpy(n->digest, src->digest, sizeof(n->digest));
		n->has_md5 = src->has_md5;
		memcpy(n->md5, src->md5, sizeof(n->md5));
		tl__elf_info_free(n->elf);
		n->elf = NULL;
		if (src->elf)
			err = tl__elf_info_copy(&n->elf, src->elf);
		tl_buf_dispose(&n->content);
		n->kept = false;
		tl__changelog_pre_free(n->cl);
		n->cl = NULL;
		if (!err && src->kept &&
		    (err = tl_buf_put(&n->content, src->content.ptr ? src->content.ptr : "", src->content.len)) == TL_OK)
			n->kept = true;
	}
	return err;
}

/*
 * Applies one finished chunk to the tree: what the serial walk did after
 * reading the file, in the same order (filework.c hands jobs back in the
 * order they were submitted).
 */
static tl_err apply(scan_ctx *c, tl__fjob *j)
{
	tl__node *nd = &c->tree.nodes[j->node];
	tl_err err = TL_OK;

	if (j->warn && (err = warn(c->sum, "%s", j->warn)) != TL_OK)
		goto done;
	if (j->err) {
		err = tl__error(j->err, "%s", j->errmsg ? j->errmsg : "out of memory");
		goto done;
	}
	/* the rest read by the worker was counted as the size the entry said */
	if (j->got > j->expect && (err = tl__source_count(c->src, j->got - j->expect)) != TL_OK)
		goto done;
	if (j->got < j->expect)
		c->src->bytes -= j->expect - j->got;
	if (!j->last)
		goto done;
	if (c->hashing) {
		memcpy(nd->digest, j->digest, j->digest_len);
		nd->digest_len = j->digest_len;
	}
	if (j->has_md5) {
		memcpy(nd->md5, j->md5, sizeof(nd->md5));
		nd->has_md5 = true;
	}
	if (j->parse) {
		nd->elf = j->elf;
		j->elf = NULL;
		if (j->elf_warn && (err = warn(c->sum, "%s", j->elf_warn)) != TL_OK)
			goto done;
		c->sum->binsig_cpu += j->binsig_cpu;
		c->sum->binsig_bytes += j->binsig_bytes;
		err = tl__binsig_put(c->binsig, j->hits, j->n_hits);
		j->hits = NULL;
		j->n_hits = 0;
		if (err)
			goto done;
	}
	if (j->keep) {
		/* the read buffer itself, trimmed to the file */
		char *p = realloc(j->data, j->len + 1);
		if (p) {
			j->data = (uint8_t *)p;
			j->cap = j->len + 1;
		}
		nd->content = (tl_buf){ (char *)j->data, j->len, j->cap, 0 };
		nd->kept = true;
		nd->cl = j->cl;
		j->cl = NULL;
		j->data = NULL;
		j->cap = 0;
	}
done:
	if (err)
		c->work_failed = true;
	return err;
}

/* Applies the jobs that are done (wait: every submitted one), in order. */
static tl_err collect(scan_ctx *c, bool wait)
{
	tl__fjob *j;
	tl_err err = TL_OK;

	while (!c->work_failed && (j = tl__filework_done(c->work, wait)) != NULL) {
		err = apply(c, j);
		tl__filework_release(c->work, j);
		if (err)
			break;
	}
	return err;
}

/* A free slot for the next chunk, applying done jobs while the worker is behind. */
static tl_err next_job(scan_ctx *c, size_t node, tl__fjob **out)
{
	tl_err err;

	*out = NULL;
	if ((err = collect(c, false)) != TL_OK)
		return err;
	while (!tl__filework_room(c->work)) {
		tl__fjob *j = tl__filework_done(c->work, true);
		if (!j)
			break; /* nothing submitted: there is room (not reached) */
		err = apply(c, j);
		tl__filework_release(c->work, j);
		if (err)
			return err;
	}
	*out = tl__filework_get(c->work);
	(*out)->node = node;
	return TL_OK;
}

static tl_err on_entry(tl__source *src, const tl__entry *e, void *arg)
{
	scan_ctx *c = arg;
	tl_err err = TL_OK;
	tl__node *nd;
	tl__fjob *job = NULL;
	size_t idx, n_before = c->tree.n;
	bool too_big = false, hash_only = false, want = false;
	size_t cur = 0; /* bytes read since the content was last handed on (or all) */

	if ((err = tl__tree_add(&c->tree, e->path, &nd)) != TL_OK)
		goto done;
	idx = (size_t)(nd - c->tree.nodes);
	/* a name seen before (an archive's later entry replaces the earlier
	 * one), or a hard link to what was read: the work on earlier files
	 * must be in the tree first */
	if ((c->tree.n == n_before || e->type == TL__ENT_HARDLINK) && (err = collect(c, true)) != TL_OK)
		goto done;
	nd = &c->tree.nodes[idx];
	/* a later entry of the same name replaces an earlier one */
	free(nd->link);
	nd->link = NULL;
	tl__elf_info_free(nd->elf);
	nd->elf = NULL;
	tl_buf_dispose(&nd->content);
	nd->kept = false;
	tl__changelog_pre_free(nd->cl);
	nd->cl = NULL;
	nd->digest_len = 0;
	nd->has_md5 = false;
	nd->type = e->type;
	nd->mode = e->mode;
	nd->size = e->size;
	if (e->type == TL__ENT_SYMLINK || e->type == TL__ENT_HARDLINK) {
		if (!(nd->link = strdup(e->link ? e->link : ""))) {
			err = tl__nomem();
			goto done;
		}
	}
	if (e->type == TL__ENT_HARDLINK && e->size == 0) {
		/* the same file as an earlier entry: take over what was learnt */
		tl__node *t = tl__tree_get(&c->tree, e->link);
		nd = tl__tree_get(&c->tree, e->path); /* the array may have moved */
		nd->type = TL__ENT_FILE;
		if (t && t != nd && t->type == TL__ENT_FILE) {
			c->sum->files++;
			nd->size = t->size;
			nd->digest_len = t->digest_len;
			memcpy(nd->digest, t->digest, sizeof(nd->digest));
			nd->has_md5 = t->has_md5;
			memcpy(nd->md5, t->md5, sizeof(nd->md5));
			if (t->elf && (err = tl__elf_info_copy(&nd->elf, t->elf)) != TL_OK)
				goto done;
			if (t->kept && (err = tl_buf_put(&nd->content, t->content.ptr ? t->content.ptr : "", t->content.len)) == TL_OK)
				nd->kept = true;
		}
		goto done;
	}
	if (e->type == TL__ENT_HARDLINK) {
		/* a link that carries the body (cpio): read as a file, then
		 * given to the names linked before it (see share_body) */
		nd = tl__tree_get(&c->tree, e->path);
		nd->type = TL__ENT_FILE;
	} else if (e->type != TL__ENT_FILE) {
		goto done;
	}
	c->sum->files++;

	/* read here; digests, ELF and signatures in the worker (filework.c) */
	if ((err = next_job(c, idx, &job)) != TL_OK)
		goto done;
	job->first = true;
	for (;;) {
		size_t got = 0, ask;
		if (too_big || hash_only)
			cur = 0; /* only hashed from here on */
		if ((too_big || hash_only) && job->len >= CHUNK) {
			/* neither parsed nor kept: handed on in pieces, not held whole */
			tl__filework_submit(c->work, job);
			job = NULL;
			if ((err = next_job(c, idx, &job)) != TL_OK)
				goto done;
		}
		/* the size the entry declares, and a byte past it to see the end
		 * (in one read, where the file is as large as it says) */
		ask = e->size >= job->len && e->size - job->len < CHUNK ? (size_t)(e->size - job->len) + 1 : CHUNK;
		if (job->cap - job->len < ask + 1) {
			size_t cap = job->len + ask + 1;
			uint8_t *p;
			if (!too_big && !hash_only && e->size < c->max_file && e->size + 2 > cap)
				cap = (size_t)e->size + 2; /* to be held whole: at once */
			if (job->len >= e->size && cap < job->cap * 2)
				cap = job->cap * 2; /* larger than it said */
			/* not realloc: it would copy the whole old buffer, not len */
			if (!(p = malloc(cap))) {
				err = tl__nomem();
				goto done;
			}
			if (job->len)
				memcpy(p, job->data, job->len);
			free(job->data);
			job->data = p;
			job->cap = cap;
		}
		if ((err = tl__source_read(src, job->data + job->len, ask, &got)) != TL_OK)
			goto done;
		if (got == 0)
			break;
		job->len += got;
		cur += got;
		/* neither ELF nor a file a cataloger keeps (an image, a library's
		 * data): streamed through the hash, not held whole */
		if (!hash_only && !too_big && job->len >= 4 && memcmp(job->data, "\x7f" "ELF", 4) != 0) {
			if (!want && !(want = wanted(e->path)))
				hash_only = true;
		}
		if (cur > c->max_file && !too_big) {
			tl_buf b = TL_BUF_INIT;
			if ((err = tl_buf_printf(&b, "/%s: larger than --max-file (%zu bytes): hashed, not parsed", e->path,
			                         c->max_file)) != TL_OK) {
				tl_buf_dispose(&b);
				goto done;
			}
			job->warn = tl_buf_detach(&b);
			too_big = true;
		}
		if (!too_big && c->offload && job->len >= 4 && e->size > job->len && e->size - job->len >= OFFLOAD_MIN &&
		    (e->size - job->len >= OFFLOAD_BIG || tl__filework_queued(c->work) < OFFLOAD_QUEUE)) {
			/* the rest of a larger file of a directory: read in the
			 * worker, as it would be here, and counted now; a large
			 * rest always (into the worker's buffer, reused, where a
			 * fresh one here costs a page fault per 4 KiB), a smaller
			 * one when the worker is not behind, so both stay busy */
			char *label = NULL;
			int fd = tl__source_dup_rest(src, &label);
			if (fd < 0)
				continue;
			job->fd = fd;
			job->label = label;
			job->expect = e->size - job->len;
			job->data[job->len] = '\0';
			job->last = true;
			if (!hash_only) {
				job->parse = memcmp(job->data, "\x7f" "ELF", 4) == 0;
				job->keep = wanted(e->path);
				job->changelog = job->keep && is_changelog(&c->tree, e->path);
			}
			if (!(job->path = strdup(e->path))) {
				err = tl__nomem();
				goto done;
			}
			if ((err = tl__source_count(src, job->expect)) != TL_OK)
				goto done;
			tl__filework_submit(c->work, job);
			job = NULL;
			goto done;
		}
	}
	job->data[job->len] = '\0';
	job->last = true;
	if (!too_big && !hash_only) {
		if (job->len >= 4 && memcmp(job->data, "\x7f" "ELF", 4) == 0) {
			job->parse = true;
			if (!(job->path = strdup(e->path))) {
				err = tl__nomem();
				goto done;
			}
		}
		job->keep = wanted(e->path);
		job->changelog = job->keep && is_changelog(&c->tree, e->path);
	}
	tl__filework_submit(c->work, job);
	job = NULL;
done:
	if (job)
		tl__filework_release(c->work, job);
	if (!err && e->type == TL__ENT_HARDLINK && e->size > 0 && (err = collect(c, true)) == TL_OK)
		err = share_body(c, e->path, e->link);
	if ((c->sum->entries = src->top->entries) % 4096 == 0)
		tl__progress("scanning", src->top->entries, 0);
	return err;
}

/* ---- catalogers -------------------------------------------------------- */

typedef enum { DB_DPKG, DB_APK, DB_OPKG } db_kind;

typedef struct {
	tl_sbom *doc;
	scan_ctx *c;
	tl__osrel os;
	char *distro;      /* "debian-12" or NULL */
	long *node_files;  /* scratch */
	const char *root;  /* the image being catalogued: "" or a nested one's "x.img!/" */
	tl_buf path;       /* root + a path */
} cat_ctx;

/* root + path, in k->path; NULL if out of memory. */
static const char *rooted(cat_ctx *k, const char *path)
{
	tl_buf_clear(&k->path);
	if (tl_buf_puts(&k->path, k->root ? k->root : "") != TL_OK || tl_buf_puts(&k->path, path) != TL_OK ||
	    tl_buf_cstr(&k->path) != TL_OK)
		return NULL;
	return k->path.ptr;
}

/* Resolves a path (following symlinks in every component) to a kept file. */
static tl__node *kept_file(cat_ctx *k, const char *path)
{
	tl__node *nd = NULL;

	if (!(path = rooted(k, path)) || tl__tree_resolve(&k->c->tree, path, true, &nd) != TL_OK || !nd || !nd->kept)
		return NULL;
	return nd;
}

static tl_err make_purl(char **out, const char *type, const char *ns, const char *name, const char *version,
                        const char *arch, const char *distro)
{
	tl_purl p = { 0 };
	tl_purl_qualifier q[2];
	size_t n = 0;

	if (arch && *arch)
		q[n++] = (tl_purl_qualifier){ (char *)"arch", (char *)arch };
	if (distro && *distro)
		q[n++] = (tl_purl_qualifier){ (char *)"distro", (char *)distro };
	p.type = (char *)type;
	p.namespace = (char *)ns;
	p.name = (char *)name;
	p.version = (char *)version;
	p.qualifiers = n ? q : NULL;
	p.n_qualifiers = n;
	return tl_purl_build(out, &p);
}

/* "Name <mail>" -> "Name". */
static char *person_name(const char *s)
{
	const char *lt = strchr(s, '<');
	size_t n = lt ? (size_t)(lt - s) : strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n ? strndup(s, n) : strdup(s);
}

/* Marks the file at path (as a package lists it) owned by component idx. */
static tl_err own(cat_ctx *k, long idx, const char *path, tl_sbom_component *comp)
{
	tl__node *nd = NULL;
	tl_err err;

	/* directories in the path may be links (/bin -> usr/bin); the file itself is not followed */
	if (!(path = rooted(k, path)))
		return tl__nomem();
	if ((err = tl__tree_resolve(&k->c->tree, path, false, &nd)) != TL_OK) {
		tl_error_clear();
		return TL_OK;
	}
	if (!nd || nd->type != TL__ENT_FILE || nd->owner >= 0)
		return TL_OK;
	nd->owner = idx;
	{
		tl_buf b = TL_BUF_INIT;
		if ((err = tl_buf_putc(&b, '/')) == TL_OK && (err = tl_buf_puts(&b, nd->path)) == TL_OK)
			err = tl_sbom_component_add_file(comp, b.ptr);
		tl_buf_dispose(&b);
	}
	return err;
}

/* Owns every path listed in a dpkg/opkg info/<pkg>.list file. */
static tl_err own_list(cat_ctx *k, long idx, const tl__node *list, tl_sbom_component *comp)
{
	tl_err err = TL_OK;
	const char *s = list->content.ptr ? list->content.ptr : "";
	size_t len = list->content.len, off = 0;
	tl_buf line = TL_BUF_INIT;

	while (off < len) {
		const char *p = s + off, *nl = memchr(p, '\n', len - off);
		size_t n = nl ? (size_t)(nl - p) : len - off;
		off += nl ? n + 1 : n;
		if (n == 0 || n > k->c->tree.max_path)
			continue;
		tl_buf_clear(&line);
		if ((err = tl_buf_put(&line, p, n)) != TL_OK || (err = own(k, idx, line.ptr, comp)) != TL_OK)
			break;
	}
	tl_buf_dispose(&line);
	return err;
}

typedef struct {
	tl__tree names;  /* name, name:arch and provided names -> component index (owner) */
	size_t first;    /* index of the first component of this database */
} name_map;

static tl_err map_put(name_map *m, const char *name, long idx)
{
	tl__node *nd;
	tl_err err = tl__tree_add(&m->names, name, &nd);

	if (!err && nd->owner < 0)
		nd->owner = idx;
	return err;
}

static long map_get(const name_map *m, const char *name, size_t n)
{
	tl__node *nd;
	char *s = strndup(name, n);

	if (!s)
		return -1;
	nd = tl__tree_get(&m->names, s);
	free(s);
	return nd ? nd->owner : -1;
}

/* Adds the dependency edges of a Depends line ("a (>= 1), b | c, d:any"). */
static tl_err deb_edges(cat_ctx *k, const name_map *m, const char *from, long self, const char *deps)
{
	tl_err err = TL_OK;
	const char *p = deps;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t glen = end ? (size_t)(end - p) : strlen(p);
		const char *alt = p, *gend = p + glen;
		long target = -1;

		while (alt < gend && target < 0) {
			const char *bar = memchr(alt, '|', (size_t)(gend - alt)), *aend = bar ? bar : gend, *q = alt;
			size_t n;
			while (q < aend && (*q == ' ' || *q == '\t'))
				q++;
			n = strcspn(q, " \t(:[<|,");
			if (q + n > aend)
				n = (size_t)(aend - q);
			if (n)
				target = map_get(m, q, n);
			alt = bar ? bar + 1 : gend;
		}
		if (target >= 0 && target != self) {
			const tl_sbom_component *t = &k->doc->components[target];
			if ((err = tl_sbom_add_dependency(k->doc, from, t->ref)) != TL_OK)
				return err;
		}
		p = end ? end + 1 : NULL;
	}
	return err;
}

/* apk D: "so:libc.musl-x86_64.so.1 busybox>=1.36 !foo cmd:sh" */
static tl_err apk_edges(cat_ctx *k, const name_map *m, const char *from, long self, const char *deps)
{
	tl_err err = TL_OK;
	const char *p = deps;

	while (p && *p) {
		size_t n;
		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (n && *p != '!') {
			size_t nn = strcspn(p, "<>=~ ");
			long target = map_get(m, p, nn < n ? nn : n);
			if (target >= 0 && target != self &&
			    (err = tl_sbom_add_dependency(k->doc, from, k->doc->components[target].ref)) != TL_OK)
				return err;
		}
		p += n;
	}
	return err;
}

/* Adds provided names ("foo (= 1.0), bar" or apk "so:x=1 cmd:y") to the map. */
static tl_err map_provides(name_map *m, const char *prov, long idx, bool apk)
{
	tl_err err = TL_OK;
	const char *p = prov;
	const char *sep = apk ? " " : ",";

	while (p && *p) {
		size_t n;
		while (*p == ' ' || *p == ',')
			p++;
		n = strcspn(p, sep);
		{
			size_t nn = strcspn(p, apk ? "<>=~ " : " (:");
			char *name = strndup(p, nn < n ? nn : n);
			if (!name)
				return tl__nomem();
			if (*name)
				err = map_put(m, name, idx);
			free(name);
			if (err)
				return err;
		}
		p += n;
	}
	return err;
}

/*
 * Patch evidence: the CVE ids usr/share/doc/<pkg>/changelog.Debian.gz names
 * (changelog.gz for a native package), as the TL_PROP_CHANGELOG_CVES
 * property.  The doc directory may be a link to another package's; the
 * changelog counts only when its first entry is of this package's source.
 */
static tl_err changelog_cves(cat_ctx *k, tl_sbom_component *comp, const tl__pkg *p)
{
	static const char *const names[] = { "changelog.Debian.gz", "changelog.gz" };
	tl_err err = TL_OK;
	tl_buf path = TL_BUF_INIT, text = TL_BUF_INIT;
	const tl__node *nd = NULL;
	char *cves = NULL;
	bool trunc = false, trunc2 = false;

	for (size_t i = 0; i < 2 && !nd; i++) {
		tl_buf_clear(&path);
		if ((err = tl_buf_printf(&path, "usr/share/doc/%s/%s", p->name, names[i])) != TL_OK)
			goto done;
		nd = kept_file(k, path.ptr);
	}
	if (!nd)
		goto done;
	if (nd->cl) {
		/* read by the walk's worker: the same answers */
		const tl__changelog_pre *cl = nd->cl;
		const char *src = p->source ? p->source : p->name;
		if (cl->gz_err) {
			err = warn(k->c->sum, "/%s: %s", nd->path, cl->gz_msg);
			goto done;
		}
		trunc = cl->gz_trunc;
		if (!cl->first || !strcmp(cl->first, src)) {
			trunc2 = cl->cves_trunc;
			if (cl->cves && !(cves = strdup(cl->cves))) {
				err = tl__nomem();
				goto done;
			}
		}
		goto found;
	}
	if ((err = tl__gunzip(&text, nd->content.ptr ? nd->content.ptr : "", nd->content.len, TL__CHANGELOG_MAX_TEXT,
	                      &trunc)) != TL_OK) {
		if (err == TL_ENOMEM)
			goto done;
		err = warn(k->c->sum, "/%s: %s", nd->path, tl_error_last());
		goto done;
	}
	if ((err = tl__changelog_cves(&cves, text.ptr ? text.ptr : "", text.len, p->source ? p->source : p->name,
	                              &trunc2)) != TL_OK)
		goto done;
found:
	if ((trunc || trunc2) && (err = warn(k->c->sum, "/%s: changelog past its limits; only its newest part was read",
	                                     nd->path)) != TL_OK)
		goto done;
	if (cves && (err = tl_sbom_component_add_prop(comp, TL_PROP_CHANGELOG_CVES, cves)) != TL_OK)
		goto done;
	if (cves)
		k->c->sum->n_changelog_cves++;
done:
	free(cves);
	tl_buf_dispose(&path);
	tl_buf_dispose(&text);
	return err;
}

/*
 * --verify-md5sums: each file of var/lib/dpkg/info/<pkg>[:arch].md5sums is
 * compared with the MD5 computed during the walk.  A file that differs is
 * a "trustline:file:modified" property of the package (value "/path"), one
 * the image lacks "trustline:file:missing"; both are counted in the summary.
 */
static tl_err verify_md5sums(cat_ctx *k, long ci, const tl__pkg *p)
{
	tl_err err = TL_OK;
	tl_buf path = TL_BUF_INIT, file = TL_BUF_INIT;
	const tl__node *list = NULL;
	tl_reader r;
	tl_scan_summary *sum = k->c->sum;

	if (p->arch && (err = tl_buf_printf(&path, "var/lib/dpkg/info/%s:%s.md5sums", p->name, p->arch)) == TL_OK)
		list = kept_file(k, path.ptr);
	tl_buf_clear(&path);
	if (!err && !list && (err = tl_buf_printf(&path, "var/lib/dpkg/info/%s.md5sums", p->name)) == TL_OK)
		list = kept_file(k, path.ptr);
	if (err || !list)
		goto done;
	tl_reader_init(&r, list->content.ptr ? list->content.ptr : "", list->content.len, list->path);
	for (;;) {
		uint8_t want[16];
		const char *fp;
		size_t fn;
		tl__node *nd = NULL;
		const char *what = NULL;
		tl_err e2 = tl__md5sums_next(&r, want, &fp, &fn);
		if (e2 == TL_ENOTFOUND)
			break;
		if (e2) {
			err = warn(sum, "/%s", tl_error_last());
			goto done;
		}
		if (fn == 0 || fn > k->c->tree.max_path)
			continue;
		tl_buf_clear(&file);
		if ((err = tl_buf_put(&file, fp, fn)) != TL_OK)
			goto done;
		if (tl__tree_resolve(&k->c->tree, file.ptr, false, &nd) != TL_OK) {
			tl_error_clear();
			nd = NULL;
		}
		if (!nd || nd->type != TL__ENT_FILE) {
			what = "trustline:file:missing";
			sum->n_md5_missing++;
		} else if (!nd->has_md5) {
			continue; /* not read whole (a limit stopped the walk) */
		} else {
			sum->n_md5_checked++;
			if (memcmp(nd->md5, want, 16) != 0) {
				char **slot;
				what = "trustline:file:modified";
				if ((err = tl__array_grow((void **)&sum->modified, &sum->n_md5_modified, sizeof(char *),
				                          (void **)&slot)) != TL_OK)
					goto done;
				if (!(*slot = malloc(strlen(nd->path) + 2))) {
					sum->n_md5_modified--;
					err = tl__nomem();
					goto done;
				}
				(*slot)[0] = '/';
				memcpy(*slot + 1, nd->path, strlen(nd->path) + 1);
			}
		}
		if (what) {
			tl_buf_clear(&path);
			if ((err = tl_buf_printf(&path, "/%s", nd && nd->type == TL__ENT_FILE ? nd->path : file.ptr)) != TL_OK ||
			    (err = tl_sbom_component_add_prop(&k->doc->components[ci], what, path.ptr)) != TL_OK)
				goto done;
		}
	}
done:
	tl_buf_dispose(&path);
	tl_buf_dispose(&file);
	return err;
}

static tl_err catalog_db(cat_ctx *k, db_kind kind, const tl__node *dbfile, const char *dbpath)
{
	tl_err err = TL_OK;
	tl__pkgdb db = { 0 };
	name_map m;
	const char *type = kind == DB_DPKG ? "deb" : kind == DB_APK ? "apk" : "opkg";
	const char *ns = k->os.id ? k->os.id : kind == DB_DPKG ? "debian" : kind == DB_APK ? "alpine" : "openwrt";
	const char *dbname = kind == DB_DPKG ? "dpkg" : kind == DB_APK ? "apk" : "opkg";
	const char *data = dbfile->content.ptr ? dbfile->content.ptr : "";
	size_t first = k->doc->n_components;
	tl_buf b = TL_BUF_INIT;

	long *ci_of = NULL;

	tl__tree_init(&m.names, 1, 65536);
	if (kind == DB_DPKG)
		err = tl__dpkg_parse(&db, data, dbfile->content.len, dbpath);
	else if (kind == DB_OPKG)
		err = tl__opkg_parse(&db, data, dbfile->content.len, dbpath);
	else
		err = tl__apk_parse(&db, data, dbfile->content.len, dbpath);
	if (err) {
		/* a corrupt database is reported; the rest of the scan goes on */
		err = warn(k->c->sum, "%s", tl_error_last());
		goto done;
	}
	if (db.n && !(ci_of = calloc(db.n, sizeof(long)))) {
		err = tl__nomem();
		goto done;
	}
	for (size_t i = 0; i < db.n; i++) {
		tl__pkg *p = &db.pkgs[i];
		tl_sbom_component *comp;
		char *purl = NULL;
		long idx = (long)k->doc->n_components;
		bool dup = false;

		ci_of[i] = -1;
		if ((err = make_purl(&purl, type, ns, p->name, p->version, p->arch, k->distro)) != TL_OK) {
			err = warn(k->c->sum, "/%s: package \"%s\": no purl: %s", dbpath, p->name, tl_error_last());
			if (err)
				goto done;
			continue;
		}
		for (size_t j = first; j < k->doc->n_components && !dup; j++)
			dup = k->doc->components[j].purl && !strcmp(k->doc->components[j].purl, purl);
		if (dup) {
			free(purl);
			if ((err = warn(k->c->sum, "/%s: package \"%s\" listed twice", dbpath, p->name)) != TL_OK)
				goto done;
			continue;
		}
		if ((err = tl_sbom_add_component(k->doc, &comp)) != TL_OK) {
			free(purl);
			goto done;
		}
		ci_of[i] = idx;
		comp->type = TL_COMP_LIBRARY;
		comp->purl = purl;
		if (!(comp->ref = strdup(purl)) || !(comp->name = strdup(p->name)) || !(comp->version = strdup(p->version)) ||
		    (p->maintainer && !(comp->supplier = person_name(p->maintainer)))) {
			err = tl__nomem();
			goto done;
		}
		if ((err = tl_sbom_component_add_prop(comp, "trustline:package:database", dbname)) != TL_OK)
			goto done;
		if (kind == DB_DPKG || kind == DB_OPKG) {
			const char *srcname = p->source ? p->source : p->name;
			tl_buf_clear(&b);
			if ((err = tl_buf_printf(&b, "trustline:%s:source", kind == DB_DPKG ? "deb" : "opkg")) != TL_OK ||
			    (err = tl_sbom_component_add_prop(comp, b.ptr, srcname)) != TL_OK)
				goto done;
			if (p->source_version) {
				tl_buf_clear(&b);
				if ((err = tl_buf_printf(&b, "trustline:%s:source-version", kind == DB_DPKG ? "deb" : "opkg")) != TL_OK ||
				    (err = tl_sbom_component_add_prop(comp, b.ptr, p->source_version)) != TL_OK)
					goto done;
			}
		} else if (p->source && (err = tl_sbom_component_add_prop(comp, "trustline:apk:origin", p->source)) != TL_OK) {
			goto done;
		}
		if (p->maintainer && (err = tl_sbom_component_add_prop(comp, "trustline:package:maintainer", p->maintainer)) != TL_OK)
			goto done;
		if (p->license && *p->license && !(comp->license = strdup(p->license))) {
			err = tl__nomem();
			goto done;
		}
		/* names for dependency resolution */
		if ((err = map_put(&m, p->name, idx)) != TL_OK)
			goto done;
		if (p->arch) {
			tl_buf_clear(&b);
			if ((err = tl_buf_printf(&b, "%s:%s", p->name, p->arch)) != TL_OK || (err = map_put(&m, b.ptr, idx)) != TL_OK)
				goto done;
		}
	}
	/* provides after every real name, so a real package wins over a virtual one */
	for (size_t i = 0; i < db.n; i++) {
		tl__pkg *p = &db.pkgs[i];
		if (ci_of[i] >= 0 && p->provides && (err = map_provides(&m, p->provides, ci_of[i], kind == DB_APK)) != TL_OK)
			goto done;
	}
	/* ownership, licences, dependencies */
	for (size_t i = 0; i < db.n; i++) {
		tl__pkg *p = &db.pkgs[i];
		size_t ci = (size_t)ci_of[i];
		tl_sbom_component *comp;
		if (ci_of[i] < 0)
			continue;
		comp = &k->doc->components[ci];
		if (kind == DB_APK) {
			for (size_t f = 0; f < p->n_files; f++) {
				if ((err = own(k, (long)ci, p->files[f], &k->doc->components[ci])) != TL_OK)
					goto done;
			}
		} else {
			const char *info = kind == DB_DPKG ? "var/lib/dpkg/info" : NULL;
			const tl__node *list = NULL;
			const char *dirs[2] = { info, NULL };
			if (kind == DB_OPKG) {
				/* info/ next to the status file */
				const char *slash = strrchr(dbpath, '/');
				tl_buf_clear(&b);
				if ((err = tl_buf_put(&b, dbpath, slash ? (size_t)(slash - dbpath) : 0)) != TL_OK ||
				    (err = tl_buf_puts(&b, "/info")) != TL_OK)
					goto done;
				dirs[0] = NULL;
				dirs[1] = b.ptr;
			}
			for (int d = 0; d < 2 && !list; d++) {
				tl_buf lp = TL_BUF_INIT;
				if (!dirs[d])
					continue;
				if (p->arch && (err = tl_buf_printf(&lp, "%s/%s:%s.list", dirs[d], p->name, p->arch)) == TL_OK)
					list = kept_file(k, lp.ptr);
				tl_buf_clear(&lp);
				if (!err && !list && (err = tl_buf_printf(&lp, "%s/%s.list", dirs[d], p->name)) == TL_OK)
					list = kept_file(k, lp.ptr);
				tl_buf_dispose(&lp);
				if (err)
					goto done;
			}
			if (list && (err = own_list(k, (long)ci, list, &k->doc->components[ci])) != TL_OK)
				goto done;
			if (kind == DB_DPKG && k->c->opts->verify_md5sums &&
			    (err = verify_md5sums(k, (long)ci, p)) != TL_OK)
				goto done;
			if (kind == DB_DPKG && !comp->license) {
				const tl__node *cr;
				tl_buf cp = TL_BUF_INIT;
				if ((err = tl_buf_printf(&cp, "usr/share/doc/%s/copyright", p->name)) != TL_OK) {
					tl_buf_dispose(&cp);
					goto done;
				}
				cr = kept_file(k, cp.ptr);
				tl_buf_dispose(&cp);
				comp = &k->doc->components[ci];
				if (cr && (err = tl__dep5_license(&comp->license, cr->content.ptr ? cr->content.ptr : "",
				                                   cr->content.len)) != TL_OK)
					goto done;
			}
			if (kind == DB_DPKG && (err = changelog_cves(k, &k->doc->components[ci], p)) != TL_OK)
				goto done;
		}
		comp = &k->doc->components[ci];
		if (p->depends) {
			char *ref = strdup(comp->ref);
			if (!ref) {
				err = tl__nomem();
				goto done;
			}
			err = kind == DB_APK ? apk_edges(k, &m, ref, (long)ci, p->depends) :
			                       deb_edges(k, &m, ref, (long)ci, p->depends);
			free(ref);
			if (err)
				goto done;
		}
	}
	if (kind == DB_DPKG)
		k->c->sum->n_dpkg += k->doc->n_components - first;
	else if (kind == DB_APK)
		k->c->sum->n_apk += k->doc->n_components - first;
	else
		k->c->sum->n_opkg += k->doc->n_components - first;
done:
	free(ci_of);
	tl_buf_dispose(&b);
	tl__tree_dispose(&m.names);
	tl__pkgdb_dispose(&db);
	return err;
}

/* ---- ELF ---------------------------------------------------------------- */

static tl_err soname_key(tl_buf *b, const tl__elf_info *e, const char *name)
{
	tl_buf_clear(b);
	return tl_buf_printf(b, "%u:%u:%s", (unsigned)e->machine, (unsigned)e->cls, name);
}

static tl_err add_elf_props(tl_sbom_component *comp, const tl__elf_info *e)
{
	tl_err err = TL_OK;
	const char *m = tl__elf_machine_name(e->machine);
	char num[16];

	if (!m) {
		snprintf(num, sizeof(num), "%u", (unsigned)e->machine);
		m = num;
	}
	if ((err = tl_sbom_component_add_prop(comp, "trustline:elf:machine", m)) != TL_OK ||
	    (err = tl_sbom_component_add_prop(comp, "trustline:elf:class", e->cls == 2 ? "64" : "32")) != TL_OK)
		return err;
	if (e->soname && (err = tl_sbom_component_add_prop(comp, "trustline:elf:soname", e->soname)) != TL_OK)
		return err;
	if (e->build_id && (err = tl_sbom_component_add_prop(comp, "trustline:elf:build-id", e->build_id)) != TL_OK)
		return err;
	for (size_t i = 0; i < e->n_needed; i++) {
		if ((err = tl_sbom_component_add_prop(comp, "trustline:elf:needed", e->needed[i])) != TL_OK)
			return err;
	}
	return err;
}

static tl_err catalog_elf(cat_ctx *k)
{
	tl_err err = TL_OK;
	tl__tree *t = &k->c->tree;
	name_map libs;
	tl_buf key = TL_BUF_INIT, b = TL_BUF_INIT;
	tl_scan_summary *sum = k->c->sum;

	tl__tree_init(&libs.names, 1, 65536);
	/* 1. SONAME (or file name) -> node, per machine and class */
	for (size_t i = 0; i < t->n; i++) {
		tl__node *nd = &t->nodes[i];
		const char *base;
		if (!nd->elf || nd->type != TL__ENT_FILE)
			continue;
		sum->n_elf++;
		base = strrchr(nd->path, '/');
		base = base ? base + 1 : nd->path;
		if (nd->elf->soname && ((err = soname_key(&key, nd->elf, nd->elf->soname)) != TL_OK ||
		                        (err = map_put(&libs, key.ptr, (long)i)) != TL_OK))
			goto done;
		if ((err = soname_key(&key, nd->elf, base)) != TL_OK || (err = map_put(&libs, key.ptr, (long)i)) != TL_OK)
			goto done;
	}
	/* 2. files no package owns: components of type file */
	for (size_t i = 0; i < t->n; i++) {
		tl__node *nd = &t->nodes[i];
		tl_sbom_component *comp;
		char **slot;
		if (!nd->elf || nd->type != TL__ENT_FILE || nd->owner >= 0)
			continue;
		tl_buf_clear(&b);
		if ((err = tl_buf_printf(&b, "/%s", nd->path)) != TL_OK)
			goto done;
		if ((err = tl__array_grow((void **)&sum->unowned, &sum->n_elf_unowned, sizeof(char *), (void **)&slot)) != TL_OK)
			goto done;
		if (!(*slot = strdup(b.ptr))) {
			sum->n_elf_unowned--;
			err = tl__nomem();
			goto done;
		}
		if ((err = tl_sbom_add_component(k->doc, &comp)) != TL_OK)
			goto done;
		comp->type = TL_COMP_FILE;
		if (!(comp->name = strdup(b.ptr))) {
			err = tl__nomem();
			goto done;
		}
		tl_buf_clear(&key);
		if ((err = tl_buf_printf(&key, "file:%s", b.ptr)) != TL_OK || !(comp->ref = strdup(key.ptr))) {
			err = err ? err : tl__nomem();
			goto done;
		}
		if ((err = tl_sbom_component_add_file(comp, b.ptr)) != TL_OK || (err = add_elf_props(comp, nd->elf)) != TL_OK)
			goto done;
		if (nd->digest_len) {
			char hex[2 * TL_HASH_MAX_LEN + 1];
			tl_hex(hex, nd->digest, nd->digest_len);
			if ((err = tl_sbom_component_add_hash(comp, sbom_alg(k->c->alg), hex)) != TL_OK)
				goto done;
		}
		nd->owner = (long)(k->doc->n_components - 1);
	}
	/* 3. NEEDED -> edges between owners */
	for (size_t i = 0; i < t->n; i++) {
		tl__node *nd = &t->nodes[i];
		if (!nd->elf || nd->type != TL__ENT_FILE || nd->owner < 0)
			continue;
		for (size_t j = 0; j < nd->elf->n_needed; j++) {
			long lib;
			const tl__node *ln;
			if ((err = soname_key(&key, nd->elf, nd->elf->needed[j])) != TL_OK)
				goto done;
			lib = map_get(&libs, key.ptr, key.len);
			if (lib < 0)
				continue;
			ln = &t->nodes[lib];
			if (ln->owner < 0 || ln->owner == nd->owner)
				continue;
			if ((err = tl_sbom_add_dependency(k->doc, k->doc->components[nd->owner].ref,
			                                  k->doc->components[ln->owner].ref)) != TL_OK)
				goto done;
			sum->n_edges_needed++;
		}
	}
done:
	tl_buf_dispose(&key);
	tl_buf_dispose(&b);
	tl__tree_dispose(&libs.names);
	return err;
}

/* ---- file hashes ---------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static tl_err component_hashes(cat_ctx *k, tl_sbom_component *comp)
{
	tl_err err = TL_OK;
	tl_buf manifest = TL_BUF_INIT, line = TL_BUF_INIT, name = TL_BUF_INIT;
	uint8_t d[TL_HASH_MAX_LEN];
	size_t dlen;
	char hex[2 * TL_HASH_MAX_LEN + 1];
	const char *alg = k->c->alg == TL_HASH_SHA512 ? "sha-512" : "sha-256";

	if (!comp->n_files || comp->type == TL_COMP_FILE)
		goto done;
	qsort(comp->files, comp->n_files, sizeof(char *), cmp_str);
	if ((err = tl_buf_printf(&name, "trustline:file:%s", alg)) != TL_OK)
		goto done;
	for (size_t i = 0; i < comp->n_files; i++) {
		const tl__node *nd = tl__tree_get(&k->c->tree, comp->files[i] + 1);
		if (!nd || !nd->digest_len)
			continue;
		tl_hex(hex, nd->digest, nd->digest_len);
		tl_buf_clear(&line);
		/* "<hex>  /<path>", as sha256sum prints it */
		if ((err = tl_buf_puts(&line, hex)) != TL_OK || (err = tl_buf_put(&line, "  ", 2)) != TL_OK ||
		    (err = tl_buf_puts(&line, comp->files[i])) != TL_OK ||
		    (err = tl_buf_put(&manifest, line.ptr, line.len)) != TL_OK || (err = tl_buf_putc(&manifest, '\n')) != TL_OK ||
		    (err = tl_sbom_component_add_prop(comp, name.ptr, line.ptr)) != TL_OK)
			goto done;
	}
	if (!manifest.len)
		goto done;
	if ((err = tl_hash_buf(k->c->alg, manifest.ptr, manifest.len, d, &dlen)) != TL_OK)
		goto done;
	tl_hex(hex, d, dlen);
	err = tl_sbom_component_add_hash(comp, sbom_alg(k->c->alg), hex);
done:
	tl_buf_dispose(&manifest);
	tl_buf_dispose(&line);
	tl_buf_dispose(&name);
	return err;
}

/* ---- text that is not UTF-8 ------------------------------------------------ */

/*
 * Names in an image are bytes: a file name (or a field of a package
 * database) that is not UTF-8 cannot go into a JSON document as it is.
 * Each byte that does not start a well-formed sequence is written as the
 * four characters \xNN (upper-case hex), which keeps the names apart and
 * shows what was there; every string of the document goes through the
 * same function, so a ref and the dependency edges naming it still agree.
 */
static tl_err fix_utf8(char **s, size_t *n_fixed)
{
	static const char hex[] = "0123456789ABCDEF";
	tl_buf b = TL_BUF_INIT;
	const char *p;
	size_t n;
	tl_err err = TL_OK;

	if (!*s || tl__json_utf8_valid(*s, (n = strlen(*s))))
		return TL_OK;
	for (p = *s; *p && !err; ) {
		size_t k = tl__utf8_seq_len(p, n - (size_t)(p - *s));
		if (k) {
			err = tl_buf_put(&b, p, k);
			p += k;
		} else {
			char e[4] = { '\\', 'x', hex[(unsigned char)*p >> 4], hex[*p & 15] };
			err = tl_buf_put(&b, e, 4);
			p++;
		}
	}
	if (!err) {
		char *t = tl_buf_detach(&b);
		if (!t) {
			err = tl__nomem();
		} else {
			free(*s);
			*s = t;
			(*n_fixed)++;
		}
	}
	tl_buf_dispose(&b);
	return err;
}

static tl_err fix_component_utf8(tl_sbom_component *c, size_t *n)
{
	char **f[] = { &c->ref, &c->group, &c->name, &c->version, &c->description, &c->supplier, &c->author,
	               &c->purl, &c->cpe, &c->license, &c->copyright };
	tl_err err = TL_OK;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]) && !err; i++)
		err = fix_utf8(f[i], n);
	for (size_t i = 0; i < c->n_hashes && !err; i++)
		err = fix_utf8(&c->hashes[i].hex, n);
	for (size_t i = 0; i < c->n_files && !err; i++)
		err = fix_utf8(&c->files[i], n);
	for (size_t i = 0; i < c->n_props && !err; i++)
		if (!(err = fix_utf8(&c->props[i].name, n)))
			err = fix_utf8(&c->props[i].value, n);
	return err;
}

/* Every string of doc made UTF-8; *n_fixed counts the strings that were
 * not (one file name may be in several: a ref, a name, evidence, edges). */
static tl_err fix_document_utf8(tl_sbom *doc, size_t *n_fixed)
{
	tl_err err = TL_OK;

	*n_fixed = 0;
	if (doc->subject)
		err = fix_component_utf8(doc->subject, n_fixed);
	for (size_t i = 0; i < doc->n_components && !err; i++)
		err = fix_component_utf8(&doc->components[i], n_fixed);
	for (size_t i = 0; i < doc->n_deps && !err; i++) {
		err = fix_utf8(&doc->deps[i].ref, n_fixed);
		for (size_t k = 0; k < doc->deps[i].n_deps && !err; k++)
			err = fix_utf8(&doc->deps[i].deps[k], n_fixed);
	}
	for (size_t i = 0; i < doc->n_props && !err; i++)
		if (!(err = fix_utf8(&doc->props[i].name, n_fixed)))
			err = fix_utf8(&doc->props[i].value, n_fixed);
	if (!err)
		err = fix_utf8(&doc->name, n_fixed);
	if (!err)
		err = fix_utf8(&doc->supplier, n_fixed);
	return err;
}

/* ---- the target's own digest ------------------------------------------------ */

/*
 * The digest of a target that is a file (the subject's hash) is taken
 * beside the scan, on a thread of idle priority (SCHED_IDLE): it runs only
 * on a core the scan leaves idle, so it never slows the walk, and a
 * tarball's or an image's whole bytes are not read once more at the end.
 * subject_digest_finish stops it between pieces and hashes whatever is
 * left itself, reporting any error; the thread reports none (it stops).
 */
#define DIGEST_PIECE ((size_t)128 << 10) /* small: a stop waits for one piece at idle priority */

typedef struct {
	pthread_t thread;
	bool running;  /* thread started, not joined */
	int fd;        /* the target, or -1 */
	tl_hash_ctx *ctx;
	uint64_t off;  /* bytes of the file in ctx */
	bool broken;   /* ctx failed: start again from byte 0 */
	atomic_bool stop;
	uint8_t *piece;
} subject_digest;

uint64_t tl__scan_digest_limit = UINT64_MAX;

static void *subject_digest_main(void *arg)
{
	subject_digest *d = arg;
	struct sched_param sp = { 0 };
	const uint64_t limit = tl__scan_digest_limit;

	(void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
	while (!atomic_load_explicit(&d->stop, memory_order_relaxed) && d->off < limit) {
		size_t want = limit - d->off < DIGEST_PIECE ? (size_t)(limit - d->off) : DIGEST_PIECE;
		ssize_t n = pread(d->fd, d->piece, want, (off_t)d->off);
		if (n <= 0)
			break; /* the end, or an error the caller meets again */
		if (tl_hash_update(d->ctx, d->piece, (size_t)n) != TL_OK) {
			d->broken = true;
			break;
		}
		d->off += (uint64_t)n;
	}
	return NULL;
}

/* Starts the digest of target when it is a regular file (quietly not, on
 * any failure: subject_digest_finish then does it all). */
static void subject_digest_start(subject_digest *d, const char *target, tl_hash_alg alg)
{
	struct stat st;

	memset(d, 0, sizeof(*d));
	d->fd = open(target, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0)
		return;
	if (fstat(d->fd, &st) != 0 || !S_ISREG(st.st_mode) || tl_hash_new(&d->ctx, alg) != TL_OK ||
	    !(d->piece = malloc(DIGEST_PIECE))) {
		close(d->fd);
		d->fd = -1;
		return;
	}
	atomic_init(&d->stop, false);
	d->running = pthread_create(&d->thread, NULL, subject_digest_main, d) == 0;
}

static void subject_digest_stop(subject_digest *d)
{
	if (d->running) {
		/* a test's limit: the thread is let run to it */
		if (tl__scan_digest_limit == UINT64_MAX)
			atomic_store(&d->stop, true);
		pthread_join(d->thread, NULL);
		d->running = false;
	}
}

static void subject_digest_dispose(subject_digest *d)
{
	subject_digest_stop(d);
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	tl_hash_free(d->ctx);
	d->ctx = NULL;
	free(d->piece);
	d->piece = NULL;
}

/* The digest of target, from where the thread stopped (or from the start). */
static tl_err subject_digest_finish(subject_digest *d, const char *target, tl_hash_alg alg,
                                    uint8_t out[TL_HASH_MAX_LEN], size_t *len)
{
	tl_err err;

	subject_digest_stop(d);
	if (d->fd < 0 || d->broken)
		return tl_hash_file(alg, target, out, len);
	for (;;) {
		ssize_t n = pread(d->fd, d->piece, DIGEST_PIECE, (off_t)d->off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return tl__error(TL_EIO, "%s: read failed: %s", target, strerror(errno));
		}
		if (n == 0)
			break;
		if ((err = tl_hash_update(d->ctx, d->piece, (size_t)n)) != TL_OK)
			return err;
		d->off += (uint64_t)n;
	}
	return tl_hash_final(d->ctx, out, len);
}

/* ---- the document ---------------------------------------------------------- */

static tl_err make_subject(tl_sbom *doc, const char *target, const tl_scan_opts *o, const tl_scan_summary *sum,
                           subject_digest *dg)
{
	tl_err err = TL_OK;
	tl_sbom_component *s = calloc(1, sizeof(*s));
	tl_buf b = TL_BUF_INIT;
	struct stat st;

	if (!s)
		return tl__nomem();
	if (o->name) {
		s->name = strdup(o->name);
	} else {
		/* the target's base name, trailing slashes dropped */
		size_t n = strlen(target);
		const char *base;
		while (n > 1 && target[n - 1] == '/')
			n--;
		base = target + n;
		while (base > target && base[-1] != '/')
			base--;
		s->name = strndup(base, (size_t)(target + n - base));
	}
	if (!s->name || (o->version && !(s->version = strdup(o->version))) ||
	    (o->supplier && !(s->supplier = strdup(o->supplier)))) {
		err = tl__nomem();
		goto done;
	}
	s->type = TL_COMP_FIRMWARE;
	if ((err = tl_buf_printf(&b, "firmware:%s", s->name)) != TL_OK || !(s->ref = tl_buf_detach(&b))) {
		err = err ? err : tl__nomem();
		goto done;
	}
	if (stat(target, &st) == 0 && S_ISREG(st.st_mode)) {
		uint8_t d[TL_HASH_MAX_LEN];
		size_t dlen;
		char hex[2 * TL_HASH_MAX_LEN + 1];
		tl_hash_alg alg = o->hash == TL_SCAN_HASH_SHA512 ? TL_HASH_SHA512 : TL_HASH_SHA256;
		if ((err = subject_digest_finish(dg, target, alg, d, &dlen)) != TL_OK)
			goto done;
		tl_hex(hex, d, dlen);
		if ((err = tl_sbom_component_add_hash(s, sbom_alg(alg), hex)) != TL_OK)
			goto done;
	}
	if (sum->distro && (err = tl_sbom_component_add_prop(s, "trustline:distro", sum->distro)) != TL_OK)
		goto done;
	doc->subject = s;
	s = NULL;
done:
	tl_buf_dispose(&b);
	if (s) {
		tl_sbom_component_dispose(s);
		free(s);
	}
	return err;
}

/* The distribution and package databases of the image at k->root. */
static tl_err catalog_root(cat_ctx *k, tl_scan_summary *sum)
{
	tl_err err = TL_OK;
	const tl__node *nd;

	/* distribution */
	if ((nd = kept_file(k, "etc/os-release")) || (nd = kept_file(k, "usr/lib/os-release"))) {
		if ((err = tl__osrelease_parse(&k->os, nd->content.ptr ? nd->content.ptr : "", nd->content.len)) != TL_OK)
			return err;
		if (k->os.id && k->os.version_id) {
			tl_buf b = TL_BUF_INIT;
			if ((err = tl_buf_printf(&b, "%s-%s", k->os.id, k->os.version_id)) != TL_OK)
				return err;
			k->distro = tl_buf_detach(&b);
			if (!sum->distro && !(sum->distro = tl_strdup(k->distro)))
				return tl__nomem();
		}
	}
	/* package databases */
	if ((nd = kept_file(k, "var/lib/dpkg/status")) && (err = catalog_db(k, DB_DPKG, nd, "var/lib/dpkg/status")) != TL_OK)
		return err;
	if ((nd = kept_file(k, "lib/apk/db/installed")) && (err = catalog_db(k, DB_APK, nd, "lib/apk/db/installed")) != TL_OK)
		return err;
	if ((nd = kept_file(k, "usr/lib/opkg/status")) && (err = catalog_db(k, DB_OPKG, nd, "usr/lib/opkg/status")) != TL_OK)
		return err;
	else if (!nd && (nd = kept_file(k, "var/lib/opkg/status")) &&
	         (err = catalog_db(k, DB_OPKG, nd, "var/lib/opkg/status")) != TL_OK)
		return err;
	return err;
}

void tl_scan_opts_init(tl_scan_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->hash = TL_SCAN_HASH_SHA256;
}

void tl_scan_summary_dispose(tl_scan_summary *s)
{
	if (!s)
		return;
	free(s->source_detail);
	free(s->distro);
	free(s->limit);
	for (size_t i = 0; i < s->n_limits; i++)
		free(s->limits[i]);
	free(s->limits);
	for (size_t i = 0; i < s->n_elf_unowned; i++)
		free(s->unowned[i]);
	free(s->unowned);
	for (size_t i = 0; i < s->n_md5_modified; i++)
		free(s->modified[i]);
	free(s->modified);
	for (size_t i = 0; i < s->n_warnings; i++)
		free(s->warnings[i]);
	free(s->warnings);
	memset(s, 0, sizeof(*s));
}

tl_err tl_scan_run(tl_sbom **out, tl_scan_summary *sum_out, const char *target, const tl_scan_opts *opts)
{
	tl_err err = TL_OK;
	tl_scan_opts defaults;
	tl_scan_summary sum_local = { 0 }, *sum = sum_out ? sum_out : &sum_local;
	tl__limits lim = { 0 };
	tl__source *src = NULL;
	scan_ctx c = { 0 };
	cat_ctx k = { 0 };
	tl_sbom *doc = NULL;
	subject_digest dg;

	*out = NULL;
	if (!opts) {
		tl_scan_opts_init(&defaults);
		opts = &defaults;
	}
	subject_digest_start(&dg, target, opts->hash == TL_SCAN_HASH_SHA512 ? TL_HASH_SHA512 : TL_HASH_SHA256);
	memset(sum, 0, sizeof(*sum));
	lim.max_entries = opts->max_entries;
	lim.max_bytes = opts->max_bytes;
	lim.max_path = opts->max_path;
	lim.max_depth = opts->max_depth;
	lim.max_memory = opts->max_memory;
	c.opts = opts;
	c.sum = sum;
	c.hashing = opts->hash != TL_SCAN_HASH_NONE;
	c.alg = hash_alg(opts);
	c.max_file = opts->max_file ? opts->max_file : TL_SCAN_DEFAULT_MAX_FILE;
	tl__tree_init(&c.tree, opts->max_link_hops, opts->max_path);
	if ((err = tl__binsig_new(&c.binsig)) != TL_OK ||
	    (err = tl__filework_new(&c.work, c.hashing, c.alg, opts->verify_md5sums, c.binsig, c.max_file)) != TL_OK)
		goto done;
	/* (a max_file under 2 MiB would warn per 1 MiB piece: read here) */
	c.offload = tl__filework_threaded(c.work) && c.max_file >= 2 * CHUNK;

	if ((err = tl__source_open(&src, target, &lim)) != TL_OK)
		goto done;
	sum->source = src->ops->kind;
	/* a directory's walker has no thread beside it but the read-ahead:
	 * it does jobs itself rather than wait on the worker */
	tl__filework_set_help(c.work, tl__source_is_dir(src));
	sum->binsig_engine = tl__binsig_engine(c.binsig);
	c.src = src;
	err = tl__source_walk(src, on_entry, &c);
	{
		/* the files read before the walk stopped (or ended) are the
		 * worker's last jobs; one of them failing came first */
		tl_err werr = collect(&c, true);
		if (werr)
			err = werr;
	}
	sum->entries = src->entries;
	sum->bytes = src->bytes;
	if (src->detail && !(sum->source_detail = strdup(src->detail))) {
		err = tl__nomem();
		goto done;
	}
	if (src->limit && !(sum->limit = strdup(src->limit))) {
		err = tl__nomem();
		goto done;
	}
	sum->n_nested = src->n_nested;
	if (err)
		goto done;
	/* notes: images not opened, limits; the limit ones also go into the document */
	for (size_t i = 0; i < src->n_notes; i++) {
		const char *note = src->notes[i];
		if (strncmp(note, "--max-", 6) != 0) {
			if ((err = warn(sum, "%s", note)) != TL_OK)
				goto done;
		} else {
			char **slot;
			if ((err = tl__array_grow((void **)&sum->limits, &sum->n_limits, sizeof(char *), (void **)&slot)) != TL_OK)
				goto done;
			if (!(*slot = strdup(note))) {
				sum->n_limits--;
				err = tl__nomem();
				goto done;
			}
		}
	}
	if (sum->limit) {
		char **slot;
		if ((err = tl__array_grow((void **)&sum->limits, &sum->n_limits, sizeof(char *), (void **)&slot)) != TL_OK)
			goto done;
		if (!(*slot = strdup(sum->limit))) {
			sum->n_limits--;
			err = tl__nomem();
			goto done;
		}
	}
	tl__progress("scanning", src->entries, src->entries);
	if (src->n_escaped && (err = warn(sum, "%zu entry names pointed above the image root; kept inside it",
	                                  src->n_escaped)) != TL_OK)
		goto done;

	if ((err = tl_sbom_new(&doc)) != TL_OK)
		goto done;
	k.doc = doc;
	k.c = &c;
	/* each image opened (the target, then nested ones) is catalogued on its own */
	for (size_t ri = 0; ri < src->n_roots; ri++) {
		k.root = src->roots[ri];
		tl__osrel_dispose(&k.os);
		free(k.distro);
		k.distro = NULL;
		if ((err = catalog_root(&k, sum)) != TL_OK)
			goto done;
	}
	/* binary signatures: after ownership is known, before unowned files become components */
	if ((err = tl__binsig_catalog(c.binsig, doc, &c.tree, NULL)) != TL_OK)
		goto done;
	/* ELF */
	if ((err = catalog_elf(&k)) != TL_OK)
		goto done;
	if (c.hashing) {
		for (size_t i = 0; i < doc->n_components; i++) {
			if ((err = component_hashes(&k, &doc->components[i])) != TL_OK)
				goto done;
		}
	}
	/* the document */
	if ((err = make_subject(doc, target, opts, sum, &dg)) != TL_OK)
		goto done;
	for (size_t i = 0; i < doc->n_components; i++) {
		if ((err = tl_sbom_add_dependency(doc, doc->subject->ref, doc->components[i].ref)) != TL_OK)
			goto done;
	}
	if ((err = tl_sbom_add_tool(doc, "trustline", "trustline", TL_VERSION)) != TL_OK)
		goto done;
	if (!(doc->name = strdup(doc->subject->name)) || !(doc->lifecycle = strdup("post-build")) ||
	    (opts->supplier && !(doc->supplier = strdup(opts->supplier)))) {
		err = tl__nomem();
		goto done;
	}
	for (size_t i = 0; i < sum->n_limits; i++) {
		tl_sbom_property *pr;
		if ((err = tl__array_grow((void **)&doc->props, &doc->n_props, sizeof(*pr), (void **)&pr)) != TL_OK)
			goto done;
		if (!(pr->name = strdup("trustline:scan:limit-reached")) || !(pr->value = strdup(sum->limits[i]))) {
			err = tl__nomem();
			goto done;
		}
	}
	{
		size_t n_fixed;
		if ((err = fix_document_utf8(doc, &n_fixed)) != TL_OK)
			goto done;
		if (n_fixed && (err = warn(sum, "%zu strings of the document held text that is not "
		                               "UTF-8: each byte outside a UTF-8 sequence is written as \\xNN", n_fixed)) != TL_OK)
			goto done;
	}
	*out = doc;
	doc = NULL;
done:
	subject_digest_dispose(&dg);
	tl_sbom_free(doc);
	tl__osrel_dispose(&k.os);
	free(k.distro);
	tl_buf_dispose(&k.path);
	tl__tree_dispose(&c.tree);
	tl__filework_free(c.work);
	tl__binsig_free(c.binsig);
	tl__source_free(src);
	if (sum == &sum_local)
		tl_scan_summary_dispose(&sum_local);
	return err;
}
