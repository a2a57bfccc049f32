/*
 * Debian control-file stanzas (deb822): dpkg and opkg status files, DEP-5
 * copyright files.
 *
 *   Name: value                 a field; the name runs to the first ':'
 *    continuation               a line starting with space or tab belongs
 *                               to the field above it
 *   (blank line)                ends a stanza; several in a row are one
 *   # comment                   ignored (only at the start of a line)
 *
 * Field names and values point into the input (no copies).  Limits: at
 * most TL__CONTROL_MAX_FIELDS fields per stanza.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scan/scan_int.h"

#define TL__CONTROL_MAX_FIELDS 4096

/* The line starting at r->off: [*s, *s + *n), newline excluded; moves past it. */
static void next_line(tl_reader *r, const char **s, size_t *n)
{
	const char *p = (const char *)r->p + r->off;
	size_t left = tl_reader_left(r);
	const char *nl = memchr(p, '\n', left);
	size_t len = nl ? (size_t)(nl - p) : left;

	*s = p;
	*n = len;
	r->off += nl ? len + 1 : len;
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	}
	return true;
}

tl_err tl__control_next(tl_reader *r, tl__stanza *st)
{
	tl_err err = TL_OK;
	size_t start = r->off;

	st->n = 0;
	while (tl_reader_left(r) > 0) {
		size_t line_off = r->off;
		const char *s, *colon;
		size_t n;
		tl__field *f;

		next_line(r, &s, &n);
		if (blank(s, n)) {
			if (st->n)
				break;
			continue;
		}
		if (s[0] == '#')
			continue;
		if (s[0] == ' ' || s[0] == '\t') {
			if (!st->n) {
				r->off = line_off;
				err = tl__corrupt(r, "a continuation line with no field above it");
				r->off = start;
				goto done;
			}
			f = &st->fields[st->n - 1];
			f->value_len = (size_t)((s + n) - f->value);
			continue;
		}
		colon = memchr(s, ':', n);
		if (!colon || colon == s) {
			r->off = line_off;
			err = tl__corrupt(r, "expected \"Name: value\"");
			r->off = start;
			goto done;
		}
		if (st->n >= TL__CONTROL_MAX_FIELDS) {
			r->off = line_off;
			err = tl__corrupt(r, "more than %d fields in one stanza", TL__CONTROL_MAX_FIELDS);
			err = TL_ELIMIT;
			r->off = start;
			goto done;
		}
		if (st->n == st->cap) {
			size_t cap = st->cap ? st->cap * 2 : 32;
			tl__field *nf = realloc(st->fields, cap * sizeof(*nf));
			if (!nf) {
				err = tl__nomem();
				goto done;
			}
			st->fields = nf;
			st->cap = cap;
		}
		f = &st->fields[st->n++];
		f->name = s;
		f->name_len = (size_t)(colon - s);
		f->value = colon + 1;
		f->value_len = (size_t)((s + n) - f->value);
	}
	if (st->n == 0)
		err = TL_ENOTFOUND;
done:
	return err;
}

void tl__stanza_dispose(tl__stanza *st)
{
	free(st->fields);
	memset(st, 0, sizeof(*st));
}

char *tl__stanza_get(const tl__stanza *st, const char *name, bool first_line, tl_err *err)
{
	size_t nlen = strlen(name);

	for (size_t i = 0; i < st->n; i++) {
		const tl__field *f = &st->fields[i];
		const char *v = f->value;
		size_t n = f->value_len;
		char *out;
		size_t k = 0;

		if (f->name_len != nlen || strncasecmp(f->name, name, nlen) != 0)
			continue;
		if (first_line) {
			const char *nl = memchr(v, '\n', n);
			if (nl)
				n = (size_t)(nl - v);
		}
		while (n && isspace((unsigned char)*v)) {
			v++;
			n--;
		}
		while (n && isspace((unsigned char)v[n - 1]))
			n--;
		if (!(out = malloc(n + 1))) {
			*err = tl__nomem();
			return NULL;
		}
		/* folded lines become one line; a NUL byte ends the value */
		for (size_t j = 0; j < n && v[j]; j++)
			out[k++] = (v[j] == '\n' || v[j] == '\r' || v[j] == '\t') ? ' ' : v[j];
		out[k] = '\0';
		return out;
	}
	return NULL;
}
