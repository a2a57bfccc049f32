/*
 * apk installed database (lib/apk/db/installed): one package per block of
 * "K:value" lines, blocks separated by a blank line.
 *
 *   key  use                       key  use
 *   ---  ------------------------  ---  ---------------------------------
 *   P    name (required)           D    dependencies, space-separated
 *   V    version (required)             ("so:libc.musl-x86_64.so.1",
 *   A    architecture                   "cmd:sh", "name>=1.2", "!conflict")
 *   o    origin: source package    p    provides, space-separated
 *   m    maintainer                F    a directory (path without '/')
 *   L    licence (SPDX-like)       R    a file in the last F directory
 *
 * Other keys (C checksum, S/I sizes, T, U, t, c, a, M, Z...) are ignored.
 * Limits: the input size (the caller's max_file); lines of any length.
 */
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

static tl_err set(char **dst, const char *v, size_t n)
{
	free(*dst);
	if (!(*dst = strndup(v, n)))
		return tl__nomem();
	return TL_OK;
}

tl_err tl__apk_parse(tl__pkgdb *out, const char *data, size_t len, const char *name)
{
	tl_err err = TL_OK;
	tl__pkgdb db = { 0 };
	tl__pkg *p = NULL;
	tl_buf dir = TL_BUF_INIT, file = TL_BUF_INIT;
	size_t off = 0;

	while (off < len) {
		const char *s = data + off, *nl = memchr(s, '\n', len - off);
		size_t n = nl ? (size_t)(nl - s) : len - off;

		off += nl ? n + 1 : n;
		if (n && s[n - 1] == '\r')
			n--;
		if (n == 0) {
			p = NULL; /* end of a block */
			continue;
		}
		if (n < 2 || s[1] != ':') {
			tl_reader r;
			tl_reader_init(&r, data, len, name);
			r.off = (size_t)(s - data);
			err = tl__corrupt(&r, "expected \"K:value\"");
			goto done;
		}
		if (!p) {
			if ((err = tl__array_grow((void **)&db.pkgs, &db.n, sizeof(tl__pkg), (void **)&p)) != TL_OK)
				goto done;
			tl_buf_clear(&dir);
		}
		switch (s[0]) {
		case 'P': err = set(&p->name, s + 2, n - 2); break;
		case 'V': err = set(&p->version, s + 2, n - 2); break;
		case 'A': err = set(&p->arch, s + 2, n - 2); break;
		case 'o': err = set(&p->source, s + 2, n - 2); break;
		case 'm': err = set(&p->maintainer, s + 2, n - 2); break;
		case 'L': err = set(&p->license, s + 2, n - 2); break;
		case 'D': err = set(&p->depends, s + 2, n - 2); break;
		case 'p': err = set(&p->provides, s + 2, n - 2); break;
		case 'F':
			tl_buf_clear(&dir);
			err = tl_buf_put(&dir, s + 2, n - 2);
			break;
		case 'R': {
			char **slot;
			tl_buf_clear(&file);
			if ((err = tl_buf_putc(&file, '/')) != TL_OK ||
			    (dir.len && ((err = tl_buf_put(&file, dir.ptr, dir.len)) != TL_OK ||
			                 (err = tl_buf_putc(&file, '/')) != TL_OK)) ||
			    (err = tl_buf_put(&file, s + 2, n - 2)) != TL_OK)
				break;
			if ((err = tl__array_grow((void **)&p->files, &p->n_files, sizeof(char *), (void **)&slot)) != TL_OK)
				break;
			if (!(*slot = tl_buf_detach(&file))) {
				p->n_files--;
				err = tl__nomem();
			}
			break;
		}
		default:
			break;
		}
		if (err)
			goto done;
	}
	/* drop blocks without a name or version */
	for (size_t i = 0; i < db.n;) {
		if (db.pkgs[i].name && *db.pkgs[i].name && db.pkgs[i].version && *db.pkgs[i].version) {
			i++;
			continue;
		}
		tl__pkg_free(&db.pkgs[i]);
		memmove(&db.pkgs[i], &db.pkgs[i + 1], (db.n - i - 1) * sizeof(tl__pkg));
		db.n--;
		db.skipped++;
	}
	*out = db;
	memset(&db, 0, sizeof(db));
done:
	tl_buf_dispose(&dir);
	tl_buf_dispose(&file);
	tl__pkgdb_dispose(&db);
	return err;
}
