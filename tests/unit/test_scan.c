/*
 * Unit tests of src/scan: path normalisation, in-root symlink resolution,
 * the dpkg/apk parsers, DEP-5 licences, the ELF reader on a real binary,
 * the archive source over hostile names built in memory, and the image
 * readers on fixtures made by the real tools (tests/data/scan, see
 * tests/data/SOURCES.md): uImage and FIT (mkimage), a plain device tree
 * (dtc), ext2 (mke2fs -d), nesting of a squashfs in a tar.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>

#include "scan/scan_int.h"

static void norm_is(const char *in, const char *want, bool want_escaped)
{
	tl_buf b = TL_BUF_INIT;
	bool esc = !want_escaped;

	assert_int_equal(tl__path_norm(&b, in, 4096, &esc), TL_OK);
	assert_string_equal(b.ptr, want);
	assert_int_equal(esc, want_escaped);
	tl_buf_dispose(&b);
}

static void test_scan__path_norm_stays_in_root(void **state)
{
	tl_buf b = TL_BUF_INIT;

	(void)state;
	norm_is("./usr/bin/ls", "usr/bin/ls", false);
	norm_is("/etc//os-release", "etc/os-release", false);
	norm_is("a/b/../c", "a/c", false);
	norm_is("../../etc/passwd", "etc/passwd", true);
	norm_is("a/../../b", "b", true);
	norm_is(".", "", false);
	norm_is("/", "", false);
	assert_int_equal(tl__path_norm(&b, "aaaa/bbbb", 5, NULL), TL_ELIMIT);
	tl_buf_dispose(&b);
}

static void add(tl__tree *t, const char *path, tl__ent_type type, const char *link)
{
	tl__node *nd;

	assert_int_equal(tl__tree_add(t, path, &nd), TL_OK);
	nd->type = type;
	if (link)
		nd->link = strdup(link);
}

static void test_scan__resolve_links_inside_root(void **state)
{
	tl__tree t;
	tl__node *nd;

	(void)state;
	tl__tree_init(&t, 8, 4096);
	add(&t, "usr", TL__ENT_DIR, NULL);
	add(&t, "usr/bin", TL__ENT_DIR, NULL);
	add(&t, "usr/bin/ls", TL__ENT_FILE, NULL);
	add(&t, "bin", TL__ENT_SYMLINK, "usr/bin");
	add(&t, "etc", TL__ENT_DIR, NULL);
	add(&t, "etc/os-release", TL__ENT_SYMLINK, "../usr/lib/os-release");
	add(&t, "usr/lib/os-release", TL__ENT_FILE, NULL);
	add(&t, "escape", TL__ENT_SYMLINK, "../../../../usr/bin/ls");
	add(&t, "abs", TL__ENT_SYMLINK, "/usr/bin");
	add(&t, "loop1", TL__ENT_SYMLINK, "loop2");
	add(&t, "loop2", TL__ENT_SYMLINK, "loop1/x");

	assert_int_equal(tl__tree_resolve(&t, "/bin/ls", false, &nd), TL_OK);
	assert_non_null(nd);
	assert_string_equal(nd->path, "usr/bin/ls");
	assert_int_equal(tl__tree_resolve(&t, "etc/os-release", true, &nd), TL_OK);
	assert_string_equal(nd->path, "usr/lib/os-release");
	assert_int_equal(tl__tree_resolve(&t, "etc/os-release", false, &nd), TL_OK);
	assert_string_equal(nd->path, "etc/os-release");
	/* ".." above the root stops at the root: the host's /usr/bin/ls is never named */
	assert_int_equal(tl__tree_resolve(&t, "escape", true, &nd), TL_OK);
	assert_string_equal(nd->path, "usr/bin/ls");
	assert_int_equal(tl__tree_resolve(&t, "abs/ls", false, &nd), TL_OK);
	assert_string_equal(nd->path, "usr/bin/ls");
	assert_int_equal(tl__tree_resolve(&t, "loop1", true, &nd), TL_ELIMIT);
	assert_null(nd);
	assert_int_equal(tl__tree_resolve(&t, "usr/bin/ls/x", false, &nd), TL_OK);
	assert_null(nd);
	assert_int_equal(tl__tree_resolve(&t, "nope/x", false, &nd), TL_OK);
	assert_null(nd);
	tl__tree_dispose(&t);
}

static void test_scan__dpkg_keeps_installed_only(void **state)
{
	static const char status[] =
		"Package: libssl3\n"
		"Status: install ok installed\n"
		"Architecture: amd64\n"
		"Source: openssl (3.0.15-1~deb12u1)\n"
		"Version: 3.0.15-1~deb12u1\n"
		"Maintainer: Debian OpenSSL Team <pkg-openssl-devel@lists.alioth.debian.org>\n"
		"Pre-Depends: libc6 (>= 2.34)\n"
		"Depends: zlib1g,\n"
		" debconf | debconf-2.0\n"
		"Description: x\n"
		" more\n"
		"\n"
		"Package: gone\n"
		"Status: deinstall ok config-files\n"
		"Version: 1\n"
		"\n\n"
		"Package: noversion\n"
		"Status: install ok installed\n";
	tl__pkgdb db = { 0 };

	(void)state;
	assert_int_equal(tl__dpkg_parse(&db, status, sizeof(status) - 1, "status"), TL_OK);
	assert_int_equal(db.n, 1);
	assert_int_equal(db.skipped, 2);
	assert_string_equal(db.pkgs[0].name, "libssl3");
	assert_string_equal(db.pkgs[0].version, "3.0.15-1~deb12u1");
	assert_string_equal(db.pkgs[0].arch, "amd64");
	assert_string_equal(db.pkgs[0].source, "openssl");
	assert_string_equal(db.pkgs[0].source_version, "3.0.15-1~deb12u1");
	assert_string_equal(db.pkgs[0].depends, "libc6 (>= 2.34), zlib1g,  debconf | debconf-2.0");
	tl__pkgdb_dispose(&db);

	/* a continuation line with nothing above it */
	assert_int_equal(tl__dpkg_parse(&db, " x\n", 3, "status"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "status: offset 0"));
}

static void test_scan__apk_files_and_fields(void **state)
{
	static const char db_text[] =
		"C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\nm:Natanael Copa <ncopa@alpinelinux.org>\n"
		"p:so:libc.musl-x86_64.so.1=1\nF:lib\nR:ld-musl-x86_64.so.1\nR:libc.musl-x86_64.so.1\n\n"
		"P:busybox\nV:1.36.1-r15\nA:x86_64\nD:so:libc.musl-x86_64.so.1\nF:bin\nR:busybox\n";
	tl__pkgdb db = { 0 };

	(void)state;
	assert_int_equal(tl__apk_parse(&db, db_text, sizeof(db_text) - 1, "installed"), TL_OK);
	assert_int_equal(db.n, 2);
	assert_string_equal(db.pkgs[0].name, "musl");
	assert_string_equal(db.pkgs[0].license, "MIT");
	assert_int_equal(db.pkgs[0].n_files, 2);
	assert_string_equal(db.pkgs[0].files[1], "/lib/libc.musl-x86_64.so.1");
	assert_string_equal(db.pkgs[1].depends, "so:libc.musl-x86_64.so.1");
	assert_string_equal(db.pkgs[1].files[0], "/bin/busybox");
	tl__pkgdb_dispose(&db);
	assert_int_equal(tl__apk_parse(&db, "junk\n", 5, "installed"), TL_EPARSE);
}

static void spdx_is(const char *dep5, const char *want)
{
	char *out = NULL;

	assert_int_equal(tl__dep5_to_spdx(&out, dep5, strlen(dep5)), TL_OK);
	if (!want) {
		assert_null(out);
		return;
	}
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void test_scan__dep5_to_spdx(void **state)
{
	static const char cr[] =
		"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
		"Upstream-Name: zlib\n\n"
		"Files: debian/*\nCopyright: x\nLicense: GPL-2+\n\n"
		"Files: *\nCopyright: Jean-loup Gailly\nLicense: Zlib\n text of the licence\n";
	char *out = NULL;

	(void)state;
	spdx_is("GPL-2+", "GPL-2.0-or-later");
	spdx_is("Expat", "MIT");
	spdx_is("LGPL-2.1+ or BSD-3-clause", "LGPL-2.1-or-later OR BSD-3-Clause");
	spdx_is("GPL-1+ or Artistic, and BSD-3-clause", "(GPL-1.0-or-later OR Artistic-1.0-Perl) AND BSD-3-Clause");
	spdx_is("public-domain", NULL);
	spdx_is("GPL-2+ with OpenSSL exception", NULL);
	spdx_is("GPL-2+ or", NULL);
	assert_int_equal(tl__dep5_license(&out, cr, sizeof(cr) - 1), TL_OK);
	assert_non_null(out);
	assert_string_equal(out, "Zlib");
	free(out);
	assert_int_equal(tl__dep5_license(&out, "This is free text.\n", 19), TL_OK);
	assert_null(out);
}

static void test_scan__osrelease(void **state)
{
	static const char t[] = "# c\nNAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine \\\"x\\\"\"\n";
	tl__osrel o = { 0 };

	(void)state;
	assert_int_equal(tl__osrelease_parse(&o, t, sizeof(t) - 1), TL_OK);
	assert_string_equal(o.id, "alpine");
	assert_string_equal(o.version_id, "3.19.1");
	assert_string_equal(o.pretty, "Alpine \"x\"");
	tl__osrel_dispose(&o);
}

static void test_scan__elf_real_binary(void **state)
{
	tl_buf b = TL_BUF_INIT;
	tl__elf_info *e = NULL;
	bool libc = false;
	const char *path = "/usr/bin/true";

	(void)state;
	if (tl_file_read(&b, path, 0) != TL_OK)
		skip();
	assert_int_equal(tl__elf_parse(&e, (const uint8_t *)b.ptr, b.len, path), TL_OK);
	assert_true(e->cls == 1 || e->cls == 2);
#if defined(__x86_64__)
	assert_int_equal(e->machine, 62);
	assert_int_equal(e->cls, 2);
	assert_int_equal(e->data, 1);
#endif
	for (size_t i = 0; i < e->n_needed; i++)
		libc |= strcmp(e->needed[i], "libc.so.6") == 0;
	assert_true(libc); /* a glibc system's true(1) links libc.so.6 */
	assert_non_null(e->build_id);
	assert_true(strlen(e->build_id) == 40); /* GNU build-id: SHA-1 (ld's default) */
	tl__elf_info_free(e);
	/* cut short: an error naming an offset, never a crash */
	for (size_t n = 0; n < 64 && n < b.len; n += 7) {
		e = NULL;
		assert_int_not_equal(tl__elf_parse(&e, (const uint8_t *)b.ptr, n, path), TL_OK);
		assert_null(e);
	}
	tl_buf_dispose(&b);
}

typedef struct {
	char paths[16][64];
	char content[16][32];
	int n;
} seen;

static tl_err collect(tl__source *src, const tl__entry *e, void *ctx)
{
	seen *s = ctx;
	size_t got = 0;

	if (s->n < 16) {
		snprintf(s->paths[s->n], sizeof(s->paths[0]), "%d:%s", (int)e->type, e->path);
		if (e->type == TL__ENT_FILE)
			tl__source_read(src, s->content[s->n], sizeof(s->content[0]) - 1, &got);
		s->n++;
	}
	return TL_OK;
}

static void tar_add(struct archive *a, const char *name, unsigned type, const char *data, const char *link)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, data ? (la_int64_t)strlen(data) : 0);
	if (link)
		archive_entry_set_symlink(e, link);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	if (data)
		assert_int_equal(archive_write_data(a, data, strlen(data)), (la_ssize_t)strlen(data));
	archive_entry_free(e);
}

static void test_scan__archive_hostile_names(void **state)
{
	static char mem[1 << 16];
	size_t used = 0;
	struct archive *a = archive_write_new();
	tl__source *src = NULL;
	seen s = { 0 };
	tl__limits lim = { 0 };

	(void)state;
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	assert_int_equal(archive_write_open_memory(a, mem, sizeof(mem), &used), ARCHIVE_OK);
	tar_add(a, "../../etc/passwd", AE_IFREG, "root:x:0:0", NULL);
	tar_add(a, "/abs/file", AE_IFREG, "abc", NULL);
	tar_add(a, "link", AE_IFLNK, NULL, "/../../../host");
	archive_write_close(a);
	archive_write_free(a);

	assert_int_equal(tl__source_open_mem(&src, mem, used, "mem.tar.gz", &lim), TL_OK);
	assert_int_equal(tl__source_walk(src, collect, &s), TL_OK);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.paths[0], "0:etc/passwd");
	assert_string_equal(s.content[0], "root:x:0:0");
	assert_string_equal(s.paths[1], "0:abs/file");
	assert_string_equal(s.paths[2], "2:link");
	assert_int_equal(src->n_escaped, 1);
	tl__source_free(src);

	/* limits: two entries, then a byte budget smaller than the content */
	memset(&s, 0, sizeof(s));
	lim.max_entries = 2;
	assert_int_equal(tl__source_open_mem(&src, mem, used, "mem.tar.gz", &lim), TL_OK);
	assert_int_equal(tl__source_walk(src, collect, &s), TL_OK);
	assert_int_equal(s.n, 2);
	assert_non_null(src->limit);
	tl__source_free(src);
	memset(&s, 0, sizeof(s));
	lim.max_entries = 0;
	lim.max_bytes = 5;
	assert_int_equal(tl__source_open_mem(&src, mem, used, "mem.tar.gz", &lim), TL_OK);
	assert_int_equal(tl__source_walk(src, collect, &s), TL_OK);
	assert_non_null(src->limit);
	assert_non_null(strstr(src->limit, "max-bytes"));
	tl__source_free(src);

	/* truncated: an error naming the file, never a crash */
	memset(&s, 0, sizeof(s));
	{
		/* so little is left that it may not even be recognised: either error will do */
		tl_err err = tl__source_open_mem(&src, mem, used / 2, "half.tar.gz", NULL);
		if (err == TL_OK)
			err = tl__source_walk(src, collect, &s);
		assert_true(err == TL_EPARSE || err == TL_EUNSUPPORTED);
		assert_non_null(strstr(tl_error_last(), "half.tar.gz"));
		tl__source_free(src);
		src = NULL;
	}
	/* not an archive */
	{
		tl_err err = tl__source_open_mem(&src, "hello world, not an archive", 27, "junk", NULL);
		if (err == TL_OK)
			err = tl__source_walk(src, collect, &s);
		assert_int_equal(err, TL_EUNSUPPORTED);
		assert_non_null(strstr(tl_error_last(), "junk"));
		tl__source_free(src);
		src = NULL;
	}
}

/* ---- image readers on fixtures made by mkimage, dtc, mke2fs ---------------- */

static uint8_t *fixture(const char *name, size_t *len)
{
	const char *d = getenv("TL_TEST_DATA");
	tl_buf path = TL_BUF_INIT, b = TL_BUF_INIT;
	uint8_t *p;

	assert_non_null(d);
	assert_int_equal(tl_buf_printf(&path, "%s/scan/%s", d, name), TL_OK);
	assert_int_equal(tl_file_read(&b, path.ptr, 0), TL_OK);
	tl_buf_dispose(&path);
	*len = b.len;
	p = (uint8_t *)tl_buf_detach(&b);
	assert_non_null(p);
	return p;
}

static void test_scan__uimage_multi(void **state)
{
	size_t len, n;
	uint8_t *img = fixture("u-multi.img", &len);
	tl__payload pl[TL__MAX_PAYLOADS];
	tl__range r = { -1, img, 0, len };
	uint64_t total;

	(void)state;
	assert_int_equal(tl__sniff(img, len), TL__KIND_UIMAGE);
	/* mkimage -T multi -C gzip -d k.bin:rd.bin: a size list (13, 5, 0), parts padded to 4 */
	assert_int_equal(tl__uimage_parse(&r, pl, &n, &total, "u-multi.img"), TL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(total, len);
	assert_int_equal(pl[0].off, 64 + 12);
	assert_int_equal(pl[0].len, 13);
	assert_memory_equal(img + pl[0].off, "hello kernel\n", 13);
	assert_int_equal(pl[1].off, 64 + 12 + 16);
	assert_int_equal(pl[1].len, 5);
	assert_memory_equal(img + pl[1].off, "ID=x\n", 5);
	assert_int_equal(pl[0].comp, TL__UIMG_COMP_GZIP);
	/* a file shorter than the data size: an error naming the field */
	r.len = len - 1;
	assert_int_equal(tl__uimage_parse(&r, pl, &n, &total, "short"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "data size"));
	assert_int_equal(n, 0);
	/* one byte of the name changed: the header CRC no longer matches */
	r.len = len;
	img[40] ^= 1;
	assert_int_equal(tl__uimage_parse(&r, pl, &n, &total, "bad"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "CRC"));
	assert_int_equal(tl__sniff(img, len), TL__KIND_NONE);
	free(img);
}

static void check_fit(const char *name)
{
	size_t len, n;
	uint8_t *img = fixture(name, &len);
	tl__payload pl[TL__MAX_PAYLOADS];
	tl__range r = { -1, img, 0, len };
	uint64_t total;

	assert_int_equal(tl__sniff(img, len), TL__KIND_FDT);
	assert_int_equal(tl__fit_parse(&r, pl, &n, &total, name), TL_OK);
	assert_int_equal(n, 2);
	assert_true(total <= len);
	assert_string_equal(pl[0].name, "images/kernel-1");
	assert_int_equal(pl[0].type, TL__UIMG_KERNEL);
	assert_int_equal(pl[0].comp, TL__UIMG_COMP_NONE);
	assert_int_equal(pl[0].len, 13);
	assert_memory_equal(img + pl[0].off, "hello kernel\n", 13);
	assert_string_equal(pl[1].name, "images/ramdisk-1");
	assert_int_equal(pl[1].type, TL__UIMG_RAMDISK);
	assert_int_equal(pl[1].comp, TL__UIMG_COMP_GZIP);
	assert_int_equal(pl[1].len, 5);
	assert_memory_equal(img + pl[1].off, "ID=x\n", 5);
	free(img);
}

static void test_scan__fit_embedded_and_external(void **state)
{
	size_t len, n;
	uint8_t *img;
	tl__payload pl[TL__MAX_PAYLOADS];
	tl__range r;
	uint64_t total;

	(void)state;
	check_fit("fit.itb");     /* mkimage -f: data properties */
	check_fit("fit-ext.itb"); /* mkimage -E -f: data-offset/data-size after the tree */
	/* external data cut off (past the 4-byte padding of the last image): an error, never a read past the end */
	img = fixture("fit-ext.itb", &len);
	r = (tl__range){ -1, img, 0, len - 8 };
	assert_int_equal(tl__fit_parse(&r, pl, &n, &total, "cut"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "past the"));
	/* totalsize larger than the bytes there */
	r.len = 100;
	assert_int_equal(tl__fit_parse(&r, pl, &n, &total, "cut"), TL_EPARSE);
	free(img);
	/* a plain device tree is not a FIT image */
	img = fixture("plain.dtb", &len);
	r = (tl__range){ -1, img, 0, len };
	assert_int_equal(tl__fit_parse(&r, pl, &n, &total, "plain.dtb"), TL_ENOTFOUND);
	free(img);
}

typedef struct {
	char paths[16][64];
	tl__ent_type types[16];
	char links[16][64];
	tl_buf content[16];
	size_t n;
} walked;

static tl_err keep(tl__source *src, const tl__entry *e, void *ctx)
{
	walked *w = ctx;
	size_t i = w->n, got;
	char buf[4096];
	tl_err err;

	if (i == 16)
		return TL_OK;
	w->n++;
	snprintf(w->paths[i], sizeof(w->paths[i]), "%s", e->path);
	w->types[i] = e->type;
	snprintf(w->links[i], sizeof(w->links[i]), "%s", e->link ? e->link : "");
	do {
		if ((err = tl__source_read(src, buf, sizeof(buf), &got)) != TL_OK)
			return err;
		assert_int_equal(tl_buf_put(&w->content[i], buf, got), TL_OK);
	} while (got);
	return TL_OK;
}

static long find(const walked *w, const char *path)
{
	for (size_t i = 0; i < w->n; i++) {
		if (!strcmp(w->paths[i], path))
			return (long)i;
	}
	return -1;
}

static void walked_dispose(walked *w)
{
	for (size_t i = 0; i < 16; i++)
		tl_buf_dispose(&w->content[i]);
}

static void test_scan__ext2_in_memory(void **state)
{
	size_t len;
	uint8_t *img = fixture("small.ext2", &len);
	tl__source *src = NULL;
	walked w = { 0 };
	long i, x, h;

	(void)state;
	/* made by mke2fs -d: etc/os-release, bin/x, bin/hard (a hard link to it), bin/lnk -> ../etc/os-release,
	 * bin/sparse (20000 bytes, all a hole), abs -> /etc; the file ends before its last unused blocks */
	assert_int_equal(tl__sniff(img, len), TL__KIND_EXT);
	assert_int_equal(tl__source_open_mem(&src, img, len, "small.ext2", NULL), TL_OK);
	assert_string_equal(src->ops->kind, "ext");
	assert_int_equal(tl__source_walk(src, keep, &w), TL_OK);
	assert_null(src->limit);
	assert_true((i = find(&w, "etc/os-release")) >= 0);
	assert_int_equal(w.types[i], TL__ENT_FILE);
	assert_string_equal(w.content[i].ptr, "ID=debian\nVERSION_ID=12\n");
	assert_true((i = find(&w, "bin/lnk")) >= 0);
	assert_int_equal(w.types[i], TL__ENT_SYMLINK);
	assert_string_equal(w.links[i], "../etc/os-release");
	assert_true((i = find(&w, "abs")) >= 0);
	assert_string_equal(w.links[i], "/etc");
	assert_true((i = find(&w, "bin/sparse")) >= 0);
	assert_int_equal(w.content[i].len, 20000);
	for (size_t k = 0; k < 20000; k++)
		assert_int_equal(w.content[i].ptr[k], 0);
	/* one of the two names of the hard-linked inode carries the content, the other links to it */
	x = find(&w, "bin/x");
	h = find(&w, "bin/hard");
	assert_true(x >= 0 && h >= 0);
	if (w.types[x] == TL__ENT_HARDLINK) {
		long t = x;
		x = h;
		h = t;
	}
	assert_int_equal(w.types[x], TL__ENT_FILE);
	assert_int_equal(w.types[h], TL__ENT_HARDLINK);
	assert_string_equal(w.links[h], w.paths[x]);
	assert_string_equal(w.content[x].ptr, "\x7f" "ELF-not-really");
	tl__source_free(src);
	walked_dispose(&w);
	/* the super block's group descriptors past the bytes there: not an ext image */
	assert_int_equal(tl__sniff(img, 2048), TL__KIND_EXT);
	assert_int_equal(tl__source_open_mem(&src, img, 1500, "cut.ext2", NULL), TL_EUNSUPPORTED);
	free(img);
}

/* A tar (in memory) holding the squashfs fixture, and that tar inside another. */
static size_t tar_of(uint8_t *out, size_t cap, const char *name, const uint8_t *data, size_t len)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t used = 0;

	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_memory(a, out, cap, &used), ARCHIVE_OK);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, data, len), (la_ssize_t)len);
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	return used;
}

static void test_scan__nested_images(void **state)
{
	size_t len, n1, n2;
	uint8_t *sq = fixture("small.sqfs", &len);
	static uint8_t t1[1 << 16], t2[1 << 17];
	tl__source *src = NULL;
	walked w = { 0 };
	tl__limits lim = { 0 };
	bool nested = false;

	(void)state;
	n1 = tar_of(t1, sizeof(t1), "img/root.sqfs", sq, len);
	n2 = tar_of(t2, sizeof(t2), "inner.tar", t1, n1);
	assert_int_equal(tl__source_open_mem(&src, t2, n2, "outer.tar", NULL), TL_OK);
	assert_int_equal(tl__source_walk(src, keep, &w), TL_OK);
	/* the files themselves, then the squashfs's entries under both prefixes */
	assert_true(find(&w, "inner.tar") >= 0);
	assert_true(find(&w, "inner.tar!/img/root.sqfs") >= 0);
	for (size_t i = 0; i < w.n; i++) {
		if (!strncmp(w.paths[i], "inner.tar!/img/root.sqfs!/", 26))
			nested = true;
	}
	assert_true(nested);
	assert_int_equal(src->n_nested, 2);
	assert_int_equal(src->n_roots, 3);
	assert_string_equal(src->roots[2], "inner.tar!/img/root.sqfs!/");
	assert_int_equal(src->memory, 0); /* every nested image released */
	tl__source_free(src);
	walked_dispose(&w);

	/* --max-depth 1: the squashfs is not opened, and a note says so */
	memset(&w, 0, sizeof(w));
	lim.max_depth = 1;
	assert_int_equal(tl__source_open_mem(&src, t2, n2, "outer.tar", &lim), TL_OK);
	assert_int_equal(tl__source_walk(src, keep, &w), TL_OK);
	assert_int_equal(src->n_nested, 1);
	assert_int_equal(src->n_notes, 1);
	assert_non_null(strstr(src->notes[0], "--max-depth: /inner.tar!/img/root.sqfs (squashfs) not opened"));
	tl__source_free(src);
	walked_dispose(&w);

	/* --max-memory smaller than the inner tar: not opened, noted */
	memset(&w, 0, sizeof(w));
	lim.max_depth = 0;
	lim.max_memory = 1000;
	assert_int_equal(tl__source_open_mem(&src, t2, n2, "outer.tar", &lim), TL_OK);
	assert_int_equal(tl__source_walk(src, keep, &w), TL_OK);
	assert_int_equal(src->n_nested, 0);
	assert_non_null(strstr(src->notes[0], "--max-memory: /inner.tar (tar"));
	tl__source_free(src);
	walked_dispose(&w);
	free(sq);
}

static void test_scan__resolve_inside_nested_root(void **state)
{
	tl__tree t;
	tl__node *nd;

	(void)state;
	tl__tree_init(&t, 8, 4096);
	add(&t, "usr/lib/os-release", TL__ENT_FILE, NULL);          /* the outer image's */
	add(&t, "a.img", TL__ENT_FILE, NULL);
	add(&t, "a.img!/usr/lib/os-release", TL__ENT_FILE, NULL);   /* the nested image's */
	add(&t, "a.img!/etc", TL__ENT_DIR, NULL);
	add(&t, "a.img!/etc/os-release", TL__ENT_SYMLINK, "/usr/lib/os-release");
	add(&t, "a.img!/etc/up", TL__ENT_SYMLINK, "../../../../usr/lib/os-release");
	/* an absolute target starts at the nested image's root, ".." stops there */
	assert_int_equal(tl__tree_resolve(&t, "a.img!/etc/os-release", true, &nd), TL_OK);
	assert_non_null(nd);
	assert_string_equal(nd->path, "a.img!/usr/lib/os-release");
	assert_int_equal(tl__tree_resolve(&t, "a.img!/etc/up", true, &nd), TL_OK);
	assert_string_equal(nd->path, "a.img!/usr/lib/os-release");
	assert_int_equal(tl__tree_resolve(&t, "a.img!//etc/os-release", true, &nd), TL_OK);
	assert_string_equal(nd->path, "a.img!/usr/lib/os-release");
	tl__tree_dispose(&t);
}

static void cves_are(const char *text, const char *source, const char *want)
{
	char *out = NULL, *first = NULL;
	bool trunc = true;

	assert_int_equal(tl__changelog_cves(&out, text, strlen(text), source, &trunc), TL_OK);
	assert_false(trunc);
	if (!want)
		assert_null(out);
	else
		assert_string_equal(out, want);
	free(out);
	/* the walk's worker reads it without the source (tl__changelog_pre_make),
	 * and the first entry's name decides: the same answer */
	out = NULL;
	trunc = true;
	assert_int_equal(tl__changelog_cves_any(&out, text, strlen(text), &trunc, &first), TL_OK);
	assert_false(trunc);
	if (source && first && strcmp(first, source) != 0) {
		assert_null(want);
	} else if (!want) {
		assert_null(out);
	} else {
		assert_non_null(out);
		assert_string_equal(out, want);
	}
	free(out);
	free(first);
}

static void test_scan__changelog_cves(void **state)
{
	/* entries newest first: the oldest entry naming an id gives its version */
	static const char cl[] =
		"openssl (3.0.15-1~deb12u1) bookworm-security; urgency=medium\n"
		"\n"
		"  * Fix CVE-2024-5535, cve-2024-9143 and CVE-2024-2511.\n"
		"\n"
		" -- A B <a@b>  Mon, 01 Jan 2024 00:00:00 +0000\n"
		"\n"
		"openssl (3.0.14-1) unstable; urgency=medium\n"
		"\n"
		"  * CVE-2024-2511: fixed upstream (patch CVE-2024-2511.patch).\n"
		"  * Not ids: xCVE-2020-1111 CVE-2020-11112x CVE-20-1 CVE-2020-123 CVE-2020-1234567890\n"
		"CVE-2019-0001 at column 0 is not part of an entry\n"
		"\n"
		"openssl (1:3.0.2-1+b1) unstable; urgency=low\n"
		"  * Mentions CVE-2024-5535 again, as a note.\n"
		"\n"
		"Old Changelog:\n"
		"  * CVE-1999-0001 is not read\n";

	(void)state;
	cves_are(cl, "openssl",
	         "CVE-2024-2511=3.0.14-1 CVE-2024-5535=1:3.0.2-1+b1 CVE-2024-9143=3.0.15-1~deb12u1");
	cves_are(cl, NULL, "CVE-2024-2511=3.0.14-1 CVE-2024-5535=1:3.0.2-1+b1 CVE-2024-9143=3.0.15-1~deb12u1");
	/* another source package's changelog (a doc directory linked elsewhere) */
	cves_are(cl, "curl", NULL);
	{
		/* the first entry's package, which that test compares */
		char *out = NULL, *first = NULL;
		bool trunc;
		assert_int_equal(tl__changelog_cves_any(&out, cl, strlen(cl), &trunc, &first), TL_OK);
		assert_string_equal(first, "openssl");
		free(out);
		free(first);
		assert_int_equal(tl__changelog_cves_any(&out, "no header\n  CVE-2020-1234\n", 26, &trunc, &first), TL_OK);
		assert_null(first);
		assert_null(out);
	}
	/* an upstream changelog has no entry headers */
	cves_are("Version 1.2\n  * fixes CVE-2020-1234\n", NULL, NULL);
	/* ids before the first header belong to no entry; bytewise id order */
	cves_are("  CVE-2020-9999\nx (1) u; urgency=low\n  CVE-2023-4807 CVE-2023-38545\n", "x",
	         "CVE-2023-38545=1 CVE-2023-4807=1");
	/* no version digits, no ';': not headers */
	cves_are("x (abc) u; urgency=low\n  CVE-2020-1234\nx (1) u urgency=low\n  CVE-2020-1235\n", NULL, NULL);
}

static void test_scan__gunzip_bounded(void **state)
{
	/* 100000 'a' bytes, gzip level 9 (Python zlib, wbits 31) */
	static const unsigned char gz[] = {
		0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xed, 0xc1, 0x31, 0x01, 0x00, 0x00, 0x00,
		0xc2, 0xa0, 0xac, 0xeb, 0x5f, 0xc2, 0x1a, 0x1e, 0x40, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0xaf, 0x06, 0x87, 0xfa, 0xe2, 0x1b, 0xa0, 0x86, 0x01, 0x00,
	};
	tl_buf b = TL_BUF_INIT;
	bool trunc = true;

	(void)state;
	assert_int_equal(tl__gunzip(&b, gz, sizeof(gz), 1 << 20, &trunc), TL_OK);
	assert_false(trunc);
	assert_int_equal(b.len, 100000);
	assert_true(b.ptr[0] == 'a' && b.ptr[99999] == 'a' && b.ptr[100000] == '\0');
	/* a bomb stops at max: the prefix is kept */
	assert_int_equal(tl__gunzip(&b, gz, sizeof(gz), 1000, &trunc), TL_OK);
	assert_true(trunc);
	assert_int_equal(b.len, 1000);
	/* truncated and corrupt streams */
	assert_int_equal(tl__gunzip(&b, gz, 20, 1 << 20, &trunc), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "gzip: truncated"));
	assert_int_equal(tl__gunzip(&b, "\x1f\x8bxxxxxxxxxx", 12, 1 << 20, &trunc), TL_EPARSE);
	tl_buf_dispose(&b);
}

/*
 * A max that falls inside one of lzop's blocks (256 KiB as lzop writes
 * them): exactly max bytes come out, the head of the whole file, for every
 * max tried, on text and on random bytes (stored blocks).  The file is made
 * by the real lzop program.
 */
static void test_scan__lzop_cut_inside_a_block(void **state)
{
	char dir[] = "/tmp/tl-lzop-XXXXXX", plain[64], packed[64], cmd[200];
	size_t n = 700000, len, whole_len;
	uint8_t *data = malloc(n), *out, *whole, *lz;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	FILE *f;
	long lz_len;

	(void)state;
	assert_non_null(data);
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* text for 300 KB, then bytes lzop cannot shrink */
		data[i] = i < 300000 ? (uint8_t)("abcdefgh "[x % 9]) : (uint8_t)x;
	}
	snprintf(plain, sizeof(plain), "%s/p", dir);
	snprintf(packed, sizeof(packed), "%s/p.lzo", dir);
	assert_non_null(f = fopen(plain, "wb"));
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "lzop -q -c '%s' > '%s'", plain, packed);
	assert_int_equal(system(cmd), 0);
	assert_non_null(f = fopen(packed, "rb"));
	fseek(f, 0, SEEK_END);
	lz_len = ftell(f);
	rewind(f);
	assert_non_null(lz = malloc((size_t)lz_len));
	assert_int_equal(fread(lz, 1, (size_t)lz_len, f), (size_t)lz_len);
	fclose(f);
	{
		tl__range r = { -1, lz, 0, (uint64_t)lz_len };
		assert_int_equal(tl__lzop_decode(&r, "p.lzo", (uint64_t)1 << 30, &whole, &whole_len), TL_OK);
		assert_int_equal(whole_len, n);
		assert_memory_equal(whole, data, n);
		for (uint64_t max = 1; max < n; max = max * 3 + 7) {
			assert_int_equal(tl__lzop_decode(&r, "p.lzo", max, &out, &len), TL_ELIMIT);
			assert_int_equal(len, max);
			assert_memory_equal(out, data, len);
			free(out);
		}
		assert_int_equal(tl__lzop_decode(&r, "p.lzo", n, &out, &len), TL_OK);
		assert_int_equal(len, n);
		free(out);
	}
	free(whole);
	free(lz);
	free(data);
	unlink(plain);
	unlink(packed);
	rmdir(dir);
}

/*
 * The squashfs reader's decompression threads on fuzz/corpus/scan_source/
 * blocks-4k.sqfs (docs/fuzzing.md: mksquashfs -b 4096 -comp gzip): d/three-blocks
 * is two data blocks and a 293-byte tail in a fragment (its SHA-256 is
 * sha256sum's of the file the image was made from), sparse is 20000 zero
 * bytes stored as sparse blocks; read whole, and with d/three-blocks read
 * only in part (its remaining blocks are skipped, not handed to the next file).
 */
typedef struct {
	bool partial;
	int files;
} sq_check_ctx;

static tl_err sq_check(tl__source *src, const tl__entry *e, void *arg)
{
	static uint8_t buf[32768];
	sq_check_ctx *c = arg;
	size_t len = 0, got;
	tl_err err;

	if (e->type != TL__ENT_FILE)
		return TL_OK;
	c->files++;
	if (c->partial && !strcmp(e->path, "d/three-blocks"))
		return tl__source_read(src, buf, 10, &got);
	do {
		if ((err = tl__source_read(src, buf + len, sizeof(buf) - len, &got)) != TL_OK)
			return err;
		len += got;
	} while (got && len < sizeof(buf));
	assert_int_equal(len, e->size);
	if (!strcmp(e->path, "os-release")) {
		assert_int_equal(len, 24);
		assert_memory_equal(buf, "ID=debian\nVERSION_ID=12\n", 24);
	} else if (!strcmp(e->path, "sparse")) {
		assert_int_equal(len, 20000);
		for (size_t i = 0; i < len; i++)
			assert_int_equal(buf[i], 0);
	} else if (!strcmp(e->path, "d/small")) {
		assert_int_equal(len, 5);
		assert_memory_equal(buf, "tail\n", 5);
	} else if (!strcmp(e->path, "d/three-blocks")) {
		static const char want[] = "802f12bb9354c8719ca2bb64a4a8aea1d6b36f9a8b7b2a44d3f228f7cacc5a54";
		tl_hash_ctx *h = NULL;
		uint8_t d[TL_HASH_MAX_LEN];
		size_t dlen = 0;
		char hex[2 * TL_HASH_MAX_LEN + 1];
		assert_int_equal(len, 8485);
		assert_int_equal(tl_hash_new(&h, TL_HASH_SHA256), TL_OK);
		assert_int_equal(tl_hash_update(h, buf, len), TL_OK);
		assert_int_equal(tl_hash_final(h, d, &dlen), TL_OK);
		tl_hash_free(h);
		for (size_t i = 0; i < dlen; i++)
			snprintf(hex + 2 * i, 3, "%02x", d[i]);
		assert_string_equal(hex, want);
	} else {
		fail_msg("unexpected file %s", e->path);
	}
	return TL_OK;
}

static void test_scan__squashfs_threads(void **state)
{
	const char *root = getenv("TL_SOURCE_ROOT");
	tl_buf path = TL_BUF_INIT;
	tl__source *src = NULL;

	(void)state;
	assert_non_null(root);
	assert_int_equal(tl_buf_printf(&path, "%s/fuzz/corpus/scan_source/blocks-4k.sqfs", root), TL_OK);
	for (int partial = 0; partial < 2; partial++) {
		sq_check_ctx c = { partial != 0, 0 };
		assert_int_equal(tl__source_open(&src, path.ptr, NULL), TL_OK);
		assert_int_equal(tl__source_walk(src, sq_check, &c), TL_OK);
		assert_int_equal(c.files, 4);
		tl__source_free(src);
		src = NULL;
	}
	tl_buf_dispose(&path);
}

static void test_scan__md5sums_lines(void **state)
{
	static const char ok_lines[] =
		"0123456789abcdef0123456789ABCDEF  usr/bin/curl\n"
		"\n"
		"ffffffffffffffffffffffffffffffff *usr/share/doc/curl/a b\r\n";
	static const char bad[] = "0123456789abcdef0123456789abcdef usr/bin/x\n";
	tl_reader r;
	uint8_t md5[16];
	const char *p;
	size_t n;

	(void)state;
	tl_reader_init(&r, ok_lines, sizeof(ok_lines) - 1, "curl.md5sums");
	assert_int_equal(tl__md5sums_next(&r, md5, &p, &n), TL_OK);
	assert_int_equal(md5[0], 0x01);
	assert_int_equal(md5[15], 0xef);
	assert_int_equal(n, 12);
	assert_memory_equal(p, "usr/bin/curl", 12);
	assert_int_equal(tl__md5sums_next(&r, md5, &p, &n), TL_OK);
	assert_int_equal(md5[0], 0xff);
	assert_int_equal(n, 22);
	assert_memory_equal(p, "usr/share/doc/curl/a b", 22);
	assert_int_equal(tl__md5sums_next(&r, md5, &p, &n), TL_ENOTFOUND);
	/* one space only: an error, the reader not moved */
	tl_reader_init(&r, bad, sizeof(bad) - 1, "x.md5sums");
	assert_int_equal(tl__md5sums_next(&r, md5, &p, &n), TL_EPARSE);
	assert_int_equal(r.off, 0);
	assert_non_null(strstr(tl_error_last(), "x.md5sums: offset 0"));
	/* a non-hex digit */
	tl_reader_init(&r, "g123456789abcdef0123456789abcdef  x\n", 36, "y");
	assert_int_equal(tl__md5sums_next(&r, md5, &p, &n), TL_EPARSE);
	assert_int_equal(r.off, 0);
}

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/*
 * The walk hands file contents to a second thread (filework.c); what it
 * learns must land on the right files and the warnings come in walk order
 * (names sorted): 40 files that start like ELF and are not, a file past
 * max_file, a text file past it (hashed in pieces), and a real binary whose
 * SHA-256 is computed here on its own.
 */
static void test_scan__file_work_in_walk_order(void **state)
{
	char dir[] = "/tmp/tl-scan-work-XXXXXX";
	char name[64], want[128], hex[2 * TL_HASH_MAX_LEN + 1];
	tl_buf b = TL_BUF_INIT;
	uint8_t bad[200] = { 0x7f, 'E', 'L', 'F' }, big[3000] = { 0x7f, 'E', 'L', 'F' }, d[TL_HASH_MAX_LEN];
	char text[5000];
	tl_scan_opts o;
	tl_scan_summary sum;
	tl_sbom *doc = NULL;
	const tl_sbom_component *tc = NULL;
	size_t dlen, w = 0;

	(void)state;
	if (tl_file_read(&b, "/usr/bin/true", 0) != TL_OK)
		skip();
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "bad-%02d", i);
		write_file(dir, name, bad, sizeof(bad));
	}
	write_file(dir, "big", big, sizeof(big));
	memset(text, 'y', sizeof(text));
	write_file(dir, "text", text, sizeof(text));
	write_file(dir, "true", b.ptr, b.len);
	tl_scan_opts_init(&o);
	o.max_file = 1000;
	assert_int_equal(tl_scan_run(&doc, &sum, dir, &o), TL_OK);
	assert_int_equal(sum.files, 43);
	assert_int_equal(sum.n_warnings, 43);
	for (int i = 0; i < 40; i++) {
		snprintf(want, sizeof(want), "/bad-%02d: not a valid ELF file: ", i);
		assert_memory_equal(sum.warnings[w], want, strlen(want));
		w++;
	}
	assert_string_equal(sum.warnings[w++], "/big: larger than --max-file (1000 bytes): hashed, not parsed");
	assert_string_equal(sum.warnings[w++], "/text: larger than --max-file (1000 bytes): hashed, not parsed");
	/* /usr/bin/true is larger than 1000 bytes too: hashed, not parsed, no component */
	assert_string_equal(sum.warnings[w++], "/true: larger than --max-file (1000 bytes): hashed, not parsed");
	assert_int_equal(doc->n_components, 0);
	tl_sbom_free(doc);
	tl_scan_summary_dispose(&sum);

	/* with room: the real binary parsed, its own component, its digest */
	o.max_file = 0;
	assert_int_equal(tl_scan_run(&doc, &sum, dir, &o), TL_OK);
	assert_int_equal(sum.n_warnings, 41); /* the 40 and "big" */
	for (size_t i = 0; i < doc->n_components; i++) {
		if (!strcmp(doc->components[i].name, "/true"))
			tc = &doc->components[i];
	}
	assert_non_null(tc);
	assert_int_equal(tc->n_hashes, 1);
	assert_int_equal(tl_hash_buf(TL_HASH_SHA256, b.ptr, b.len, d, &dlen), TL_OK);
	tl_hex(hex, d, dlen);
	assert_string_equal(tc->hashes[0].hex, hex);
	tl_sbom_free(doc);
	tl_scan_summary_dispose(&sum);

	for (int i = 0; i < 40; i++) {
		snprintf(want, sizeof(want), "%s/bad-%02d", dir, i);
		unlink(want);
	}
	for (const char *const *n = (const char *const[]){ "big", "text", "true", NULL }; *n; n++) {
		snprintf(want, sizeof(want), "%s/%s", dir, *n);
		unlink(want);
	}
	rmdir(dir);
	tl_buf_dispose(&b);
}

/*
 * The target's digest is taken by a thread beside the scan and finished by
 * the caller from where the thread stopped (scan.c, subject_digest).  With
 * the handover placed (tl__scan_digest_limit) at the start, inside the
 * first 128 KiB piece, on a piece boundary, between boundaries, at the end
 * and past it, the subject's SHA-256 and SHA-512 are the file's.
 */
static void test_scan__digest_handover(void **state)
{
	static const uint64_t limits[] = { 0,      1,      4096,   128 << 10, (128 << 10) + 7, 5 * (128 << 10) + 3,
		                           600000, 601536, 700000, UINT64_MAX };
	char dir[] = "/tmp/tl-scan-digest-XXXXXX", path[128], hex[2 * TL_HASH_MAX_LEN + 1];
	struct archive *a;
	struct archive_entry *e;
	unsigned char *data = malloc(600000);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t checked = 0;

	(void)state;
	assert_non_null(data);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fw.tar", dir);
	for (size_t i = 0; i < 600000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		data[i] = (unsigned char)x;
	}
	assert_non_null(a = archive_write_new());
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	assert_non_null(e = archive_entry_new());
	archive_entry_set_pathname(e, "payload.bin");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 600000);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, data, 600000), 600000);
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);

	for (int alg = 0; alg < 2; alg++) {
		uint8_t d[TL_HASH_MAX_LEN];
		size_t dlen;
		assert_int_equal(tl_hash_file(alg ? TL_HASH_SHA512 : TL_HASH_SHA256, path, d, &dlen), TL_OK);
		tl_hex(hex, d, dlen);
		for (size_t k = 0; k < sizeof(limits) / sizeof(*limits); k++) {
			tl_scan_opts o;
			tl_scan_summary sum;
			tl_sbom *doc = NULL;
			const tl_sbom_hash *h = NULL;
			tl_scan_opts_init(&o);
			o.hash = alg ? TL_SCAN_HASH_SHA512 : TL_SCAN_HASH_SHA256;
			tl__scan_digest_limit = limits[k];
			assert_int_equal(tl_scan_run(&doc, &sum, path, &o), TL_OK);
			tl__scan_digest_limit = UINT64_MAX;
			assert_non_null(doc->subject);
			for (size_t j = 0; j < doc->subject->n_hashes; j++)
				if (doc->subject->hashes[j].alg == (alg ? TL_SBOM_HASH_SHA512 : TL_SBOM_HASH_SHA256))
					h = &doc->subject->hashes[j];
			if (!h || strcmp(h->hex, hex) != 0)
				fail_msg("handover at %llu, %s: %s, expected %s", (unsigned long long)limits[k],
				         alg ? "SHA-512" : "SHA-256", h ? h->hex : "no hash", hex);
			checked++;
			tl_sbom_free(doc);
			tl_scan_summary_dispose(&sum);
		}
	}
	assert_int_equal(checked, 2 * sizeof(limits) / sizeof(*limits));
	unlink(path);
	rmdir(dir);
	free(data);
}

/* cpio.c over memory: a stream read through the callback in small pieces. */
typedef struct {
	const uint8_t *p;
	size_t len, off;
} mem_stream;

static tl_err mem_in(void *ctx, void *buf, size_t len, size_t *got)
{
	mem_stream *m = ctx;

	if (len > 7)
		len = 7; /* odd pieces: every read must loop */
	if (len > m->len - m->off)
		len = m->len - m->off;
	memcpy(buf, m->p + m->off, len);
	m->off += len;
	*got = len;
	return TL_OK;
}

/* One newc header (the layout the Linux initramfs buffer format documents). */
static void newc(tl_buf *b, unsigned ino, unsigned mode, unsigned nlink, const char *name, const char *data)
{
	size_t dlen = data ? strlen(data) : 0;

	assert_int_equal(tl_buf_printf(b, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", ino, mode,
	                               0u, 0u, nlink, 0u, dlen, 0u, 1u, 0u, 0u, strlen(name) + 1, 0u),
	                 TL_OK);
	assert_int_equal(tl_buf_put(b, name, strlen(name) + 1), TL_OK);
	while (b->len % 4)
		assert_int_equal(tl_buf_put(b, "", 1), TL_OK);
	if (dlen)
		assert_int_equal(tl_buf_put(b, data, dlen), TL_OK);
	while (b->len % 4)
		assert_int_equal(tl_buf_put(b, "", 1), TL_OK);
}

static void test_scan__cpio_reader(void **state)
{
	tl_buf b = TL_BUF_INIT;
	tl__cpio *c;
	tl__cpio_entry e;
	mem_stream m;
	bool end;
	char data[16];
	size_t got;

	(void)state;
	newc(&b, 1, 0040755, 2, "etc", NULL);
	newc(&b, 2, 0100644, 2, "etc/a", NULL);      /* newc: the body goes with the last name */
	newc(&b, 2, 0100644, 2, "etc/b", "hello");
	newc(&b, 3, 0120777, 1, "etc/l", "a");
	newc(&b, 0, 0, 1, "TRAILER!!!", NULL);
	m = (mem_stream){ (const uint8_t *)b.ptr, b.len, 0 };
	assert_int_equal(tl__cpio_new(&c, "t.cpio", 4096, mem_in, &m, NULL, 0), TL_OK);
	assert_int_equal(tl__cpio_next(c, &e, &end), TL_OK);
	assert_false(end);
	assert_string_equal(e.name, "etc");
	assert_int_equal(e.type, TL__ENT_DIR);
	assert_int_equal(tl__cpio_next(c, &e, &end), TL_OK);
	assert_int_equal(e.type, TL__ENT_FILE);
	assert_int_equal(e.size, 0);
	assert_int_equal(tl__cpio_next(c, &e, &end), TL_OK);
	assert_int_equal(e.type, TL__ENT_HARDLINK);
	assert_string_equal(e.link, "etc/a");
	assert_int_equal(e.size, 5);
	assert_int_equal(tl__cpio_read(c, data, 3, &got), TL_OK);
	assert_int_equal(got, 3);
	/* the rest of the entry is skipped by the next call */
	assert_int_equal(tl__cpio_next(c, &e, &end), TL_OK);
	assert_int_equal(e.type, TL__ENT_SYMLINK);
	assert_string_equal(e.link, "a");
	assert_int_equal(tl__cpio_next(c, &e, &end), TL_OK);
	assert_true(end);
	tl__cpio_free(c);

	/* cut anywhere inside: one error naming the file and an offset */
	for (size_t cut = 1; cut + 1 < b.len; cut += 5) {
		tl_err err = TL_OK;
		m = (mem_stream){ (const uint8_t *)b.ptr, cut, 0 };
		assert_int_equal(tl__cpio_new(&c, "t.cpio", 4096, mem_in, &m, NULL, 0), TL_OK);
		do {
			err = tl__cpio_next(c, &e, &end);
			while (err == TL_OK && !end && (err = tl__cpio_read(c, data, sizeof(data), &got)) == TL_OK && got)
				;
		} while (err == TL_OK && !end);
		assert_int_equal(err, TL_EPARSE);
		assert_non_null(strstr(tl_error_last(), "t.cpio: cpio: offset "));
		tl__cpio_free(c);
	}

	/* a name longer than max_path is refused before it is read */
	tl_buf_clear(&b);
	assert_int_equal(tl_buf_printf(&b, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 1u, 0100644u, 0u,
	                               0u, 1u, 0u, 0u, 0u, 0u, 0u, 0u, 0xfffffff0u, 0u),
	                 TL_OK);
	m = (mem_stream){ (const uint8_t *)b.ptr, b.len, 0 };
	assert_int_equal(tl__cpio_new(&c, "t.cpio", 4096, mem_in, &m, NULL, 0), TL_OK);
	assert_int_equal(tl__cpio_next(c, &e, &end), TL_ELIMIT);
	assert_non_null(strstr(tl_error_last(), "a name of 4294967279 bytes, longer than 4096"));
	tl__cpio_free(c);

	/* a header field that is not hexadecimal */
	tl_buf_clear(&b);
	newc(&b, 1, 0100644, 1, "x", "y");
	b.ptr[6 + 8 + 3] = 'g';
	m = (mem_stream){ (const uint8_t *)b.ptr, b.len, 0 };
	assert_int_equal(tl__cpio_new(&c, "t.cpio", 4096, mem_in, &m, NULL, 0), TL_OK);
	assert_int_equal(tl__cpio_next(c, &e, &end), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "offset 14: expected 8 hexadecimal digits"));
	tl__cpio_free(c);
	tl_buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan__path_norm_stays_in_root),
		cmocka_unit_test(test_scan__resolve_links_inside_root),
		cmocka_unit_test(test_scan__dpkg_keeps_installed_only),
		cmocka_unit_test(test_scan__apk_files_and_fields),
		cmocka_unit_test(test_scan__dep5_to_spdx),
		cmocka_unit_test(test_scan__osrelease),
		cmocka_unit_test(test_scan__elf_real_binary),
		cmocka_unit_test(test_scan__archive_hostile_names),
		cmocka_unit_test(test_scan__uimage_multi),
		cmocka_unit_test(test_scan__fit_embedded_and_external),
		cmocka_unit_test(test_scan__ext2_in_memory),
		cmocka_unit_test(test_scan__nested_images),
		cmocka_unit_test(test_scan__resolve_inside_nested_root),
		cmocka_unit_test(test_scan__changelog_cves),
		cmocka_unit_test(test_scan__gunzip_bounded),
		cmocka_unit_test(test_scan__lzop_cut_inside_a_block),
		cmocka_unit_test(test_scan__squashfs_threads),
		cmocka_unit_test(test_scan__md5sums_lines),
		cmocka_unit_test(test_scan__file_work_in_walk_order),
		cmocka_unit_test(test_scan__digest_handover),
		cmocka_unit_test(test_scan__cpio_reader),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
