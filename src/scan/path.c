/*
 * Path normalisation of entry names read from an image.
 *
 *   input                      result          note
 *   ------------------------   -------------   -------------------------------
 *   "./usr/bin/ls"             "usr/bin/ls"    "." components dropped
 *   "/etc//os-release"         "etc/os-release" leading '/', empty components dropped
 *   "a/b/../c"                 "a/c"           ".." pops one component
 *   "../../etc/passwd"         "etc/passwd"    ".." at the root stays at the root
 *   "." or "/"                 ""              the root
 *
 * The result never names anything outside the image root, whatever the
 * input; a name that tried to is reported through *escaped.  Limit: the
 * result is at most max bytes (TL_ELIMIT past it).
 */
#include <string.h>

#include "scan/scan_int.h"

tl_err tl__path_norm(tl_buf *out, const char *in, size_t max, bool *escaped)
{
	tl_err err = TL_OK;
	const char *p = in;

	tl_buf_clear(out);
	if (escaped)
		*escaped = false;
	if ((err = tl_buf_cstr(out)) != TL_OK)
		goto done;
	while (*p) {
		const char *s;
		size_t n;

		while (*p == '/')
			p++;
		s = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			char *slash;
			if (out->len == 0) {
				if (escaped)
					*escaped = true;
				continue;
			}
			slash = strrchr(out->ptr, '/');
			out->len = slash ? (size_t)(slash - out->ptr) : 0;
			out->ptr[out->len] = '\0';
			continue;
		}
		if (out->len && (err = tl_buf_putc(out, '/')) != TL_OK)
			goto done;
		if ((err = tl_buf_put(out, s, n)) != TL_OK)
			goto done;
		if (out->len > max) {
			err = tl__error(TL_ELIMIT, "path longer than %zu bytes: \"%.64s...\"", max, in);
			goto done;
		}
	}
done:
	return err;
}
