/*
 * Internal interface of the version comparators (src/vuln/version*.c).
 * tl_version_compare checks the arguments and lengths, then calls the
 * scheme's comparator.  Each comparator validates both versions itself,
 * sets a message with tl__version_error on failure, and writes *out only
 * on success.
 */
#ifndef TL_VERSION_INT_H
#define TL_VERSION_INT_H

#include <stddef.h>

#include "core/core_int.h"
#include "trustline/vuln.h"

/* Scheme comparators: a and b borrowed, NUL-terminated, length-checked. */
tl_err tl__version_cmp_deb(int *out, const char *a, const char *b);
tl_err tl__version_cmp_apk(int *out, const char *a, const char *b);
tl_err tl__version_cmp_rpm(int *out, const char *a, const char *b);
tl_err tl__version_cmp_semver(int *out, const char *a, const char *b);
tl_err tl__version_cmp_generic(int *out, const char *a, const char *b);

/*
 * Compares two runs of ASCII digits by numeric value, at any length
 * (leading zeros ignored).  Returns -1, 0 or 1.
 */
int tl__version_cmp_digits(const char *a, size_t alen, const char *b, size_t blen);

/* Compares two byte strings as memcmp then by length.  Returns -1, 0 or 1. */
int tl__version_cmp_bytes(const char *a, size_t alen, const char *b, size_t blen);

/*
 * Sets "<scheme> version "<v>": offset N: <what>" and returns TL_EPARSE.
 * Non-printable bytes of v are shown as '?', and v is shortened.
 */
tl_err tl__version_error(const char *scheme, const char *v, size_t off, const char *fmt, ...)
	TL_PRINTF(4, 5);

/* Whether c is an ASCII digit / letter (locale-independent). */
static inline int tl__isdigit(int c) { return c >= '0' && c <= '9'; }
static inline int tl__isalpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline int tl__isalnum(int c) { return tl__isdigit(c) || tl__isalpha(c); }

#endif
