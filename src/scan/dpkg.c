/*
 * dpkg and opkg status databases (var/lib/dpkg/status, usr/lib/opkg/status),
 * both deb822 stanzas (control.c), one per package:
 *
 *   field          use
 *   -------------  -------------------------------------------------------
 *   Package        name (required; a stanza without it is skipped)
 *   Status         "want flag status": kept only when status is "installed"
 *   Version        version, as is (epoch and revision included)
 *   Architecture   arch qualifier of the purl
 *   Source         "name" or "name (version)": the source package
 *   Maintainer     supplier
 *   Depends,       dependency edges (Pre-Depends joined to Depends)
 *   Pre-Depends
 *   Provides       virtual names that satisfy dependencies
 *   License        opkg only (OpenWrt writes it in some feeds)
 *
 * Files each package owns are read from info/<name>.list (or
 * <name>:<arch>.list) by the scan driver, not here.
 */
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

void tl__pkg_free(tl__pkg *p)
{
	free(p->name);
	free(p->version);
	free(p->arch);
	free(p->source);
	free(p->source_version);
	free(p->maintainer);
	free(p->license);
	free(p->depends);
	free(p->provides);
	for (size_t k = 0; k < p->n_files; k++)
		free(p->files[k]);
	free(p->files);
	memset(p, 0, sizeof(*p));
}

void tl__pkgdb_dispose(tl__pkgdb *db)
{
	for (size_t i = 0; i < db->n; i++)
		tl__pkg_free(&db->pkgs[i]);
	free(db->pkgs);
	memset(db, 0, sizeof(*db));
}

/* "install ok installed" -> true: the third word is "installed". */
static bool installed(const char *status)
{
	const char *last;

	if (!status)
		return false;
	last = strrchr(status, ' ');
	last = last ? last + 1 : status;
	return strcmp(last, "installed") == 0;
}

/* Splits "openssl (3.0.11-1)" into name and version. */
static tl_err split_source(tl__pkg *p, char *src)
{
	char *paren = strchr(src, '(');

	if (!paren) {
		p->source = src;
		return TL_OK;
	}
	{
		char *end = strchr(paren, ')'), *name_end = paren;
		while (name_end > src && name_end[-1] == ' ')
			name_end--;
		if (end && end > paren + 1 && !(p->source_version = strndup(paren + 1, (size_t)(end - paren - 1)))) {
			free(src);
			return tl__nomem();
		}
		*name_end = '\0';
		p->source = src;
	}
	return TL_OK;
}

static tl_err parse_db(tl__pkgdb *out, const char *data, size_t len, const char *name, bool opkg)
{
	tl_err err = TL_OK;
	tl_reader r;
	tl__stanza st = { 0 };
	tl__pkgdb db = { 0 };
	char *status = NULL, *dep = NULL, *pre = NULL, *src = NULL;

	tl_reader_init(&r, data, len, name);
	while ((err = tl__control_next(&r, &st)) == TL_OK) {
		tl__pkg *p;
		tl_err e2 = TL_OK;

		free(status);
		status = tl__stanza_get(&st, "Status", true, &e2);
		if (e2) {
			err = e2;
			goto done;
		}
		if (!installed(status)) {
			db.skipped++;
			continue;
		}
		if ((err = tl__array_grow((void **)&db.pkgs, &db.n, sizeof(tl__pkg), (void **)&p)) != TL_OK)
			goto done;
		p->name = tl__stanza_get(&st, "Package", true, &e2);
		p->version = tl__stanza_get(&st, "Version", true, &e2);
		p->arch = tl__stanza_get(&st, "Architecture", true, &e2);
		p->maintainer = tl__stanza_get(&st, "Maintainer", true, &e2);
		p->provides = tl__stanza_get(&st, "Provides", false, &e2);
		if (opkg)
			p->license = tl__stanza_get(&st, "License", true, &e2);
		src = tl__stanza_get(&st, "Source", true, &e2);
		dep = tl__stanza_get(&st, "Depends", false, &e2);
		pre = tl__stanza_get(&st, "Pre-Depends", false, &e2);
		if (e2) {
			err = e2;
			goto done;
		}
		if (!p->name || !*p->name || !p->version || !*p->version) {
			tl__pkg_free(p);
			db.n--;
			db.skipped++;
			goto next;
		}
		if (src && *src) {
			err = split_source(p, src);
			src = NULL;
			if (err)
				goto done;
		}
		if (dep && pre) {
			tl_buf b = TL_BUF_INIT;
			if ((err = tl_buf_printf(&b, "%s, %s", pre, dep)) != TL_OK) {
				tl_buf_dispose(&b);
				goto done;
			}
			p->depends = tl_buf_detach(&b);
		} else {
			p->depends = dep ? dep : pre;
			dep = pre = NULL;
		}
	next:
		free(src);
		free(dep);
		free(pre);
		src = dep = pre = NULL;
	}
	if (err == TL_ENOTFOUND)
		err = TL_OK;
	if (err)
		goto done;
	*out = db;
	memset(&db, 0, sizeof(db));
done:
	free(status);
	free(src);
	free(dep);
	free(pre);
	tl__stanza_dispose(&st);
	tl__pkgdb_dispose(&db);
	return err;
}

tl_err tl__dpkg_parse(tl__pkgdb *out, const char *data, size_t len, const char *name)
{
	return parse_db(out, data, len, name, false);
}

tl_err tl__opkg_parse(tl__pkgdb *out, const char *data, size_t len, const char *name)
{
	return parse_db(out, data, len, name, true);
}

/*
 * dpkg info/<pkg>.md5sums, one line per file the package shipped:
 *
 *   32 hex digits, two spaces (or " *"), the path without its leading '/'
 */
static int hexval(uint8_t ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

tl_err tl__md5sums_next(tl_reader *r, uint8_t md5[16], const char **path, size_t *path_len)
{
	const uint8_t *s = r->p + r->off, *nl;
	size_t left = r->len - r->off, n, skip;

	/* blank lines carry nothing */
	while (left && (*s == '\n' || *s == '\r')) {
		s++;
		left--;
		r->off++;
	}
	if (!left)
		return TL_ENOTFOUND;
	nl = memchr(s, '\n', left);
	n = nl ? (size_t)(nl - s) : left;
	skip = nl ? n + 1 : n;
	if (n && s[n - 1] == '\r')
		n--;
	if (n < 35 || s[32] != ' ' || (s[33] != ' ' && s[33] != '*'))
		return tl__corrupt(r, "expected \"<32 hex digits>  <path>\"");
	for (size_t i = 0; i < 16; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return tl__corrupt(r, "expected \"<32 hex digits>  <path>\"");
		md5[i] = (uint8_t)(hi << 4 | lo);
	}
	*path = (const char *)s + 34;
	*path_len = n - 34;
	r->off += skip;
	return TL_OK;
}
