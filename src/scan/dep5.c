/*
 * Machine-readable Debian copyright files (DEP-5, copyright-format 1.0),
 * usr/share/doc/<package>/copyright:
 *
 *   Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
 *   ...                                   header stanza: Format names 1.0
 *
 *   Files: *                              the stanza for the package as a whole
 *   Copyright: ...
 *   License: GPL-2+ or Artistic-1.0       first line: the licence expression
 *    full text...                          continuation lines: ignored
 *
 * The first line of License in the "Files: *" stanza becomes an SPDX
 * expression: "or"/"and" become OR/AND, a comma separates parts of lower
 * precedence ("A or B, and C" is "(A OR B) AND C"), each short name maps to
 * an SPDX identifier by the table below.  A name without an SPDX
 * identifier (for example "public-domain", a "with ... exception" clause,
 * or a made-up name) gives no expression at all rather than a wrong one.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scan/scan_int.h"

/* DEP-5 short name (case-insensitive) -> SPDX identifier */
static const struct { const char *dep5, *spdx; } names[] = {
	{ "GPL-1", "GPL-1.0-only" },        { "GPL-1+", "GPL-1.0-or-later" },
	{ "GPL-2", "GPL-2.0-only" },        { "GPL-2+", "GPL-2.0-or-later" },
	{ "GPL-2.0", "GPL-2.0-only" },      { "GPL-2.0+", "GPL-2.0-or-later" },
	{ "GPL-3", "GPL-3.0-only" },        { "GPL-3+", "GPL-3.0-or-later" },
	{ "GPL-3.0", "GPL-3.0-only" },      { "GPL-3.0+", "GPL-3.0-or-later" },
	{ "LGPL-2", "LGPL-2.0-only" },      { "LGPL-2+", "LGPL-2.0-or-later" },
	{ "LGPL-2.0", "LGPL-2.0-only" },    { "LGPL-2.0+", "LGPL-2.0-or-later" },
	{ "LGPL-2.1", "LGPL-2.1-only" },    { "LGPL-2.1+", "LGPL-2.1-or-later" },
	{ "LGPL-3", "LGPL-3.0-only" },      { "LGPL-3+", "LGPL-3.0-or-later" },
	{ "LGPL-3.0", "LGPL-3.0-only" },    { "LGPL-3.0+", "LGPL-3.0-or-later" },
	{ "AGPL-3", "AGPL-3.0-only" },      { "AGPL-3+", "AGPL-3.0-or-later" },
	{ "GFDL-1.2", "GFDL-1.2-only" },    { "GFDL-1.2+", "GFDL-1.2-or-later" },
	{ "GFDL-1.3", "GFDL-1.3-only" },    { "GFDL-1.3+", "GFDL-1.3-or-later" },
	{ "Expat", "MIT" },                 { "MIT", "MIT" },
	{ "BSD-2-clause", "BSD-2-Clause" }, { "BSD-3-clause", "BSD-3-Clause" },
	{ "BSD-4-clause", "BSD-4-Clause" }, { "0BSD", "0BSD" },
	{ "ISC", "ISC" },                   { "Apache-2.0", "Apache-2.0" },
	{ "Apache-2", "Apache-2.0" },       { "Apache-1.1", "Apache-1.1" },
	{ "Artistic", "Artistic-1.0-Perl" }, { "Artistic-1.0", "Artistic-1.0" },
	{ "Artistic-2.0", "Artistic-2.0" }, { "MPL-1.1", "MPL-1.1" },
	{ "MPL-2.0", "MPL-2.0" },           { "Zlib", "Zlib" },
	{ "OpenSSL", "OpenSSL" },           { "curl", "curl" },
	{ "CC0-1.0", "CC0-1.0" },           { "CC0", "CC0-1.0" },
	{ "CC-BY-3.0", "CC-BY-3.0" },       { "CC-BY-4.0", "CC-BY-4.0" },
	{ "CC-BY-SA-3.0", "CC-BY-SA-3.0" }, { "CC-BY-SA-4.0", "CC-BY-SA-4.0" },
	{ "BSL-1.0", "BSL-1.0" },           { "PSF-2", "PSF-2.0" },
	{ "Python-2.0", "Python-2.0" },     { "EPL-1.0", "EPL-1.0" },
	{ "EPL-2.0", "EPL-2.0" },           { "CDDL-1.0", "CDDL-1.0" },
	{ "OFL-1.1", "OFL-1.1" },           { "X11", "X11" },
	{ "FTL", "FTL" },                   { "Libpng", "Libpng" },
	{ "libpng-2.0", "libpng-2.0" },     { "IJG", "IJG" },
	{ "Unicode-DFS-2016", "Unicode-DFS-2016" }, { "WTFPL", "WTFPL" },
	{ "Sleepycat", "Sleepycat" },       { "MIT-0", "MIT-0" },
	{ "Unlicense", "Unlicense" },       { "BSD-2-Clause-FreeBSD", "BSD-2-Clause-FreeBSD" },
	{ "Beerware", "Beerware" },         { "W3C", "W3C" },
	{ "Ruby", "Ruby" },                 { "PHP-3.01", "PHP-3.01" },
	{ "Vim", "Vim" },                   { "bzip2-1.0.6", "bzip2-1.0.6" },
	{ "X11-distribute-modifications-variant", "X11-distribute-modifications-variant" },
};

static const char *lookup(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].dep5) == n && strncasecmp(names[i].dep5, s, n) == 0)
			return names[i].spdx;
	}
	return NULL;
}

/* Converts one comma-free part ("GPL-2+ or Artistic"); *ops counts operators. */
static tl_err part_to_spdx(tl_buf *out, const char *s, size_t len, size_t *ops, bool *ok)
{
	tl_err err = TL_OK;
	size_t i = 0, words = 0;

	*ops = 0;
	while (i < len) {
		size_t st, n;
		while (i < len && isspace((unsigned char)s[i]))
			i++;
		if (i >= len)
			break;
		st = i;
		while (i < len && !isspace((unsigned char)s[i]))
			i++;
		n = i - st;
		if (words % 2 == 1) {
			/* an operator is expected */
			if (n == 2 && !strncasecmp(s + st, "or", 2))
				err = tl_buf_puts(out, " OR ");
			else if (n == 3 && !strncasecmp(s + st, "and", 3))
				err = tl_buf_puts(out, " AND ");
			else
				*ok = false;
			(*ops)++;
		} else {
			const char *id = lookup(s + st, n);
			if (!id)
				*ok = false;
			else
				err = tl_buf_puts(out, id);
		}
		if (err || !*ok)
			return err;
		words++;
	}
	if (words == 0 || words % 2 == 0)
		*ok = false;
	return err;
}

tl_err tl__dep5_to_spdx(char **out, const char *s, size_t len)
{
	tl_err err = TL_OK;
	tl_buf b = TL_BUF_INIT, part = TL_BUF_INIT;
	bool ok = true;
	size_t i = 0, nparts = 0;

	*out = NULL;
	while (i <= len && ok) {
		const char *st = s + i, *comma = memchr(st, ',', len - i);
		size_t n = comma ? (size_t)(comma - st) : len - i, ops;
		const char *p = st;
		size_t pn = n;

		/* every part after a comma starts with its operator */
		while (pn && isspace((unsigned char)*p)) {
			p++;
			pn--;
		}
		if (nparts > 0) {
			if (pn >= 3 && !strncasecmp(p, "or ", 3)) {
				err = tl_buf_puts(&b, " OR ");
				p += 3;
				pn -= 3;
			} else if (pn >= 4 && !strncasecmp(p, "and ", 4)) {
				err = tl_buf_puts(&b, " AND ");
				p += 4;
				pn -= 4;
			} else {
				ok = false;
			}
			if (err || !ok)
				break;
		}
		tl_buf_clear(&part);
		if ((err = part_to_spdx(&part, p, pn, &ops, &ok)) != TL_OK || !ok)
			break;
		if (ops && comma) {
			err = tl_buf_printf(&b, "(%s)", part.ptr);
		} else if (ops && nparts) {
			err = tl_buf_printf(&b, "(%s)", part.ptr);
		} else {
			err = tl_buf_puts(&b, part.ptr);
		}
		if (err)
			break;
		nparts++;
		if (!comma)
			break;
		i += n + 1;
	}
	if (!err && ok && b.len)
		*out = tl_buf_detach(&b);
	tl_buf_dispose(&b);
	tl_buf_dispose(&part);
	return err;
}

tl_err tl__dep5_license(char **out, const char *data, size_t len)
{
	tl_err err = TL_OK;
	tl_reader r;
	tl__stanza st = { 0 };
	char *fmt = NULL, *files = NULL, *lic = NULL;
	bool first = true;

	*out = NULL;
	tl_reader_init(&r, data, len, "copyright");
	while ((err = tl__control_next(&r, &st)) == TL_OK) {
		tl_err e2 = TL_OK;
		if (first) {
			first = false;
			fmt = tl__stanza_get(&st, "Format", true, &e2);
			if (e2 || !fmt || !strstr(fmt, "copyright-format/1.0"))
				goto done_ok;
			continue;
		}
		free(files);
		files = tl__stanza_get(&st, "Files", false, &e2);
		if (e2) {
			err = e2;
			goto done;
		}
		if (!files)
			continue;
		/* "Files: *" (possibly with more patterns after the star) */
		if (!(files[0] == '*' && (files[1] == '\0' || files[1] == ' ')))
			continue;
		lic = tl__stanza_get(&st, "License", true, &e2);
		if (e2) {
			err = e2;
			goto done;
		}
		if (lic)
			err = tl__dep5_to_spdx(out, lic, strlen(lic));
		goto done;
	}
done_ok:
	err = TL_OK;
done:
	free(fmt);
	free(files);
	free(lic);
	tl__stanza_dispose(&st);
	return err;
}
