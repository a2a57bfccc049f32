/*
 * The error model: one thread-local message, set where a problem is seen.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core_int.h"

#define TL_ERRMSG_MAX 1024

static _Thread_local char errmsg[TL_ERRMSG_MAX];

const char *tl_error_last(void)
{
	return errmsg;
}

void tl_error_clear(void)
{
	errmsg[0] = '\0';
}

tl_err tl__error(tl_err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	return code;
}

tl_err tl__corrupt(const tl_reader *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(errmsg, sizeof(errmsg), "%s: offset %zu: ",
	             r->name ? r->name : "input", r->off);
	if (n < 0 || (size_t)n >= sizeof(errmsg))
		return TL_EPARSE;
	va_start(ap, fmt);
	vsnprintf(errmsg + n, sizeof(errmsg) - (size_t)n, fmt, ap);
	va_end(ap);
	return TL_EPARSE;
}

void tl__quote(char *out, size_t cap, const char *s)
{
	size_t i, max = cap - 4;

	for (i = 0; s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = (c < 0x20 || c == 0x7f || c == '"') ? '?' : (char)c;
	}
	if (s[i]) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

tl_err tl__nomem(void)
{
	return tl__error(TL_ENOMEM, "out of memory");
}

const char *tl_err_name(tl_err err)
{
	switch (err) {
	case TL_OK: return "ok";
	case TL_ENOMEM: return "out of memory";
	case TL_EINVAL: return "invalid argument";
	case TL_EIO: return "i/o error";
	case TL_EPARSE: return "malformed input";
	case TL_ELIMIT: return "limit exceeded";
	case TL_EUNSUPPORTED: return "unsupported";
	case TL_ENOTFOUND: return "not found";
	case TL_ECHECK: return "check failed";
	default: return "unknown error";
	}
}

int tl_err_exit_code(tl_err err)
{
	if (err == TL_OK)
		return 0;
	if (err == TL_ECHECK)
		return 1;
	return 2;
}
