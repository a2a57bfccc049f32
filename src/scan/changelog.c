/*
 * Debian changelogs (usr/share/doc/<pkg>/changelog.Debian.gz): the CVE ids
 * each entry names, for patch evidence.  Format (Debian Policy 4.4):
 *
 *   line                                         use
 *   -------------------------------------------  ---------------------------
 *   source (version) dist [dist...]; key=value    an entry header: column 0,
 *                                                 name [a-z0-9+.-], version
 *                                                 [A-Za-z0-9.+~:-]
 *     * change text, indented                     searched for CVE ids
 *    -- Maintainer <mail>  date                   trailer (ignored)
 *   "Old Changelog:", "Local variables:"          end of the parsed part
 *   any other column-0 line                       ignored
 *
 * A CVE id is "CVE-" (any case), 4 digits, "-", 4 to 9 digits, not glued
 * to a letter or digit on either side.  Entries run newest first, so the
 * last entry (in file order) that names an id is the oldest one; its
 * version is the one reported.
 *
 * Limits: gzip output TL__CHANGELOG_MAX_TEXT bytes (the prefix is parsed
 * and *truncated set); TL__CHANGELOG_MAX_ENTRIES entry headers and
 * TL__CHANGELOG_MAX_IDS id mentions (parsing stops there, *truncated set).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "scan/scan_int.h"

typedef struct {
	char idbuf[24]; /* "CVE-2023-38545", upper case */
	size_t entry;   /* index of the entry, 0 the newest */
} mention;

tl_err tl__gunzip(tl_buf *out, const void *data, size_t len, size_t max, bool *truncated)
{
	tl_err err = TL_OK;
	z_stream zs;
	int rc;
	bool init = false;

	*truncated = false;
	tl_buf_clear(out);
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK) {
		err = tl__nomem();
		goto done;
	}
	init = true;
	zs.next_in = (Bytef *)(uintptr_t)data;
	for (;;) {
		/* avail_in is 32-bit: feed at most 1 GiB at a time */
		size_t left = len - (size_t)(zs.next_in - (const Bytef *)data);
		size_t room;
		zs.avail_in = (uInt)(left > ((size_t)1 << 30) ? (size_t)1 << 30 : left);
		if (out->len >= max) {
			*truncated = true;
			break;
		}
		if (out->cap - out->len < 65537) {
			size_t cap = out->cap ? out->cap * 2 : 65536 * 4;
			char *p;
			if (cap > max + 1)
				cap = max + 1;
			if (cap < out->len + 2)
				cap = out->len + 2;
			if (!(p = realloc(out->ptr, cap))) {
				err = tl__nomem();
				goto done;
			}
			out->ptr = p;
			out->cap = cap;
		}
		room = out->cap - 1 - out->len;
		if (room > max - out->len)
			room = max - out->len;
		zs.next_out = (Bytef *)out->ptr + out->len;
		zs.avail_out = (uInt)(room > ((size_t)1 << 30) ? (size_t)1 << 30 : room);
		rc = inflate(&zs, Z_NO_FLUSH);
		out->len = (size_t)((char *)zs.next_out - out->ptr);
		out->ptr[out->len] = '\0';
		if (rc == Z_STREAM_END) {
			/* another gzip member may follow (gzip -c a b) */
			if (zs.avail_in == 0 || inflateReset(&zs) != Z_OK)
				break;
			continue;
		}
		if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
			err = tl__error(TL_EPARSE, "gzip: truncated after %zu bytes of output", out->len);
			goto done;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			err = tl__error(TL_EPARSE, "gzip: %s at input offset %zu", zs.msg ? zs.msg : "corrupt stream",
			                (size_t)(zs.next_in - (const Bytef *)data));
			goto done;
		}
	}
	if ((err = tl_buf_cstr(out)) != TL_OK)
		goto done;
done:
	if (init)
		inflateEnd(&zs);
	return err;
}

static bool is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '+' || ch == '.' || ch == '-';
}

static bool is_version_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
	       ch == '+' || ch == '~' || ch == ':' || ch == '-';
}

static bool is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* "name (version) dists; ..." at column 0: name and version spans. */
static bool parse_header(const char *s, size_t n, const char **name, size_t *name_len, const char **ver,
                         size_t *ver_len)
{
	size_t i = 0, v;

	while (i < n && is_name_char(s[i]))
		i++;
	if (i == 0 || !is_alnum(s[0]))
		return false;
	*name = s;
	*name_len = i;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == *name_len || i >= n || s[i] != '(')
		return false;
	v = ++i;
	while (i < n && is_version_char(s[i]))
		i++;
	if (i == v || i >= n || s[i] != ')' || !is_digit(s[v]))
		return false;
	*ver = s + v;
	*ver_len = i - v;
	/* the distributions end with ';' before the urgency */
	return memchr(s + i, ';', n - i) != NULL;
}

static int cmp_mention(const void *a, const void *b)
{
	const mention *x = a, *y = b;
	int c = strcmp(x->idbuf, y->idbuf);

	if (c)
		return c;
	return x->entry < y->entry ? 1 : x->entry > y->entry ? -1 : 0; /* oldest first */
}

/* Appends the CVE ids on one line to *ms. */
static tl_err scan_line(mention **ms, size_t *n, size_t *cap, const char *s, size_t len, size_t entry, bool *full)
{
	size_t i = 0;

	while (i < len) {
		const char *p = memchr(s + i, '-', len - i);
		size_t at, d;
		if (!p)
			break;
		at = (size_t)(p - s);
		i = at + 1;
		/* "CVE" right before the dash, not glued to a word */
		if (at < 3 || (s[at - 3] | 0x20) != 'c' || (s[at - 2] | 0x20) != 'v' || (s[at - 1] | 0x20) != 'e')
			continue;
		if (at > 3 && is_alnum(s[at - 4]))
			continue;
		if (len - at < 10 || !is_digit(s[at + 1]) || !is_digit(s[at + 2]) || !is_digit(s[at + 3]) ||
		    !is_digit(s[at + 4]) || s[at + 5] != '-')
			continue;
		d = 0;
		while (at + 6 + d < len && is_digit(s[at + 6 + d]) && d < 10)
			d++;
		if (d < 4 || d > 9 || (at + 6 + d < len && is_alnum(s[at + 6 + d])))
			continue;
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 64;
			mention *m;
			if (*cap >= TL__CHANGELOG_MAX_IDS) {
				*full = true;
				return TL_OK;
			}
			if (nc > TL__CHANGELOG_MAX_IDS)
				nc = TL__CHANGELOG_MAX_IDS;
			if (!(m = realloc(*ms, nc * sizeof(*m))))
				return tl__nomem();
			*ms = m;
			*cap = nc;
		}
		{
			mention *m = &(*ms)[(*n)++];
			memcpy(m->idbuf, "CVE-", 4);
			memcpy(m->idbuf + 4, s + at + 1, 5 + d);
			m->idbuf[9 + d] = '\0';
			m->entry = entry;
		}
		i = at + 6 + d;
	}
	return TL_OK;
}

/* tl__changelog_cves, and the first entry's package name (borrowed from
 * text; NULL if none) in *first when not NULL. */
static tl_err cves(char **out, const char *text, size_t len, const char *source, bool *truncated, const char **first_name,
                   size_t *first_len)
{
	tl_err err = TL_OK;
	mention *ms = NULL;
	size_t n = 0, cap = 0, off = 0, n_entries = 0;
	const char **vers = NULL;
	size_t *ver_lens = NULL, vcap = 0;
	bool full = false, first = true;
	tl_buf b = TL_BUF_INIT;

	*out = NULL;
	*truncated = false;
	while (off < len && !full) {
		const char *s = text + off, *nl = memchr(s, '\n', len - off);
		size_t ln = nl ? (size_t)(nl - s) : len - off;
		const char *name, *ver;
		size_t name_len, ver_len;

		off += nl ? ln + 1 : ln;
		if (ln && s[ln - 1] == '\r')
			ln--;
		if (ln == 0)
			continue;
		if (s[0] == ' ' || s[0] == '\t') {
			if (n_entries && (err = scan_line(&ms, &n, &cap, s, ln, n_entries - 1, &full)) != TL_OK)
				goto done;
			continue;
		}
		if ((ln >= 14 && !memcmp(s, "Old Changelog:", 14)) || (ln >= 16 && !strncasecmp(s, "Local variables:", 16)))
			break;
		if (!parse_header(s, ln, &name, &name_len, &ver, &ver_len))
			continue;
		if (first) {
			/* another source package's changelog (a doc directory linked
			 * elsewhere, or an upstream changelog): nothing from it */
			first = false;
			if (first_name) {
				*first_name = name;
				*first_len = name_len;
			}
			if (source && (strlen(source) != name_len || memcmp(source, name, name_len) != 0))
				goto done;
		}
		if (n_entries == vcap) {
			size_t nc = vcap ? vcap * 2 : 64;
			const char **v;
			size_t *vl;
			if (vcap >= TL__CHANGELOG_MAX_ENTRIES) {
				full = true;
				break;
			}
			if (nc > TL__CHANGELOG_MAX_ENTRIES)
				nc = TL__CHANGELOG_MAX_ENTRIES;
			if (!(v = realloc(vers, nc * sizeof(*v)))) {
				err = tl__nomem();
				goto done;
			}
			vers = v;
			if (!(vl = realloc(ver_lens, nc * sizeof(*vl)))) {
				err = tl__nomem();
				goto done;
			}
			ver_lens = vl;
			vcap = nc;
		}
		vers[n_entries] = ver;
		ver_lens[n_entries] = ver_len;
		n_entries++;
	}
	*truncated = full;
	if (!n)
		goto done;
	qsort(ms, n, sizeof(*ms), cmp_mention);
	for (size_t i = 0; i < n; i++) {
		if (i && !strcmp(ms[i].idbuf, ms[i - 1].idbuf))
			continue; /* the first of each id is its oldest entry */
		if ((b.len && (err = tl_buf_putc(&b, ' ')) != TL_OK) || (err = tl_buf_puts(&b, ms[i].idbuf)) != TL_OK ||
		    (err = tl_buf_putc(&b, '=')) != TL_OK ||
		    (err = tl_buf_put(&b, vers[ms[i].entry], ver_lens[ms[i].entry])) != TL_OK)
			goto done;
	}
	if (!(*out = tl_buf_detach(&b)))
		err = tl__nomem();
done:
	tl_buf_dispose(&b);
	free(ms);
	free(vers);
	free(ver_lens);
	return err;
}

tl_err tl__changelog_cves(char **out, const char *text, size_t len, const char *source, bool *truncated)
{
	return cves(out, text, len, source, truncated, NULL, NULL);
}

tl_err tl__changelog_cves_any(char **out, const char *text, size_t len, bool *truncated, char **first)
{
	const char *name = NULL;
	size_t name_len = 0;
	tl_err err;

	*first = NULL;
	if ((err = cves(out, text, len, NULL, truncated, &name, &name_len)) != TL_OK)
		return err;
	if (name && !(*first = strndup(name, name_len))) {
		free(*out);
		*out = NULL;
		return tl__nomem();
	}
	return TL_OK;
}

void tl__changelog_pre_free(tl__changelog_pre *c)
{
	if (!c)
		return;
	free(c->gz_msg);
	free(c->cves);
	free(c->first);
	free(c);
}

void tl__changelog_pre_make(tl__changelog_pre **out, const void *data, size_t len)
{
	tl__changelog_pre *c = calloc(1, sizeof(*c));
	tl_buf text = TL_BUF_INIT;
	tl_err err;

	*out = NULL;
	if (!c)
		goto fail;
	err = tl__gunzip(&text, data, len, TL__CHANGELOG_MAX_TEXT, &c->gz_trunc);
	if (err == TL_ENOMEM)
		goto fail;
	if (err) {
		c->gz_err = err;
		if (!(c->gz_msg = strdup(tl_error_last())))
			goto fail;
	} else if (tl__changelog_cves_any(&c->cves, text.ptr ? text.ptr : "", text.len, &c->cves_trunc, &c->first) != TL_OK) {
		goto fail;
	}
	tl_buf_dispose(&text);
	*out = c;
	return;
fail:
	/* the scan does it after the walk, as without this */
	tl_buf_dispose(&text);
	tl__changelog_pre_free(c);
	tl_error_clear();
}
