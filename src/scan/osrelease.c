/*
 * os-release (etc/os-release, usr/lib/os-release; freedesktop.org):
 *
 *   KEY=value            one assignment per line; '#' starts a comment line
 *   KEY="quoted value"   double quotes: \" \\ \$ \` are escapes
 *   KEY='quoted value'   single quotes: no escapes
 *
 * Read keys: ID ("debian", "alpine", "openwrt"), VERSION_ID ("12",
 * "3.19.1"), PRETTY_NAME.  Other keys are ignored; so is a malformed line.
 */
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

void tl__osrel_dispose(tl__osrel *o)
{
	free(o->id);
	free(o->version_id);
	free(o->pretty);
	memset(o, 0, sizeof(*o));
}

/* Unquotes s[0..n) into a new string. */
static char *unquote(const char *s, size_t n)
{
	char *out = malloc(n + 1), q = 0;
	size_t k = 0;

	if (!out)
		return NULL;
	if (n && (s[0] == '"' || s[0] == '\'')) {
		q = s[0];
		s++;
		n--;
	}
	for (size_t i = 0; i < n; i++) {
		if (q && s[i] == q)
			break;
		if (q == '"' && s[i] == '\\' && i + 1 < n) {
			out[k++] = s[++i];
			continue;
		}
		if (!q && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
			break;
		if (!s[i])
			break;
		out[k++] = s[i];
	}
	out[k] = '\0';
	return out;
}

tl_err tl__osrelease_parse(tl__osrel *out, const char *data, size_t len)
{
	tl_err err = TL_OK;
	tl__osrel o = { 0 };
	size_t off = 0;

	while (off < len) {
		const char *s = data + off, *nl = memchr(s, '\n', len - off), *eq;
		size_t n = nl ? (size_t)(nl - s) : len - off;
		char **dst = NULL;

		off += nl ? n + 1 : n;
		while (n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		if (!n || *s == '#' || !(eq = memchr(s, '=', n)))
			continue;
		if ((size_t)(eq - s) == 2 && !memcmp(s, "ID", 2))
			dst = &o.id;
		else if ((size_t)(eq - s) == 10 && !memcmp(s, "VERSION_ID", 10))
			dst = &o.version_id;
		else if ((size_t)(eq - s) == 11 && !memcmp(s, "PRETTY_NAME", 11))
			dst = &o.pretty;
		if (!dst)
			continue;
		free(*dst);
		if (!(*dst = unquote(eq + 1, n - (size_t)(eq + 1 - s)))) {
			err = tl__nomem();
			goto done;
		}
		if (!**dst) {
			free(*dst);
			*dst = NULL;
		}
	}
	*out = o;
	memset(&o, 0, sizeof(o));
done:
	tl__osrel_dispose(&o);
	return err;
}
