/*
 * Internal helpers of the core module, shared by every library file.
 */
#ifndef TL_CORE_INT_H
#define TL_CORE_INT_H

#include "trustline/core.h"

/*
 * Sets the thread-local error message and returns code, so a failure
 * site reads: return tl__error(TL_EPARSE, "%s: $.x: expected a string", name);
 */
tl_err tl__error(tl_err code, const char *fmt, ...) TL_PRINTF(2, 3);

/* Error about untrusted bytes at the reader's current offset:
 * "<name>: offset N: <message>".  Returns TL_EPARSE. */
tl_err tl__corrupt(const tl_reader *r, const char *fmt, ...) TL_PRINTF(2, 3);

/*
 * Copies untrusted text s into out (cap bytes, NUL included) for quoting in
 * a message: control characters, DEL and '"' become '?', and text that does
 * not fit is cut and ends in "...".  cap must be at least 4.
 */
void tl__quote(char *out, size_t cap, const char *s);

/*
 * RFC 3339 pieces, strict (real calendar days; a leap second only at
 * 23:59:60 UTC).  tl__rfc3339_date reads a full-date at the start of s and
 * returns its length (10) or 0; tl__rfc3339_time reads a full-time that is
 * the whole of s, giving its offset from UTC in minutes.
 */
size_t tl__rfc3339_date(const char *s, int *y, int *m, int *d);
bool tl__rfc3339_time(const char *s, int *h, int *mi, int *sec, int *offset_min);

/* Out-of-memory error with a fixed message. */
tl_err tl__nomem(void);

void tl__log(tl_log_level level, const char *fmt, ...) TL_PRINTF(2, 3);
void tl__progress(const char *what, uint64_t done, uint64_t total);

/* Growable array of fixed-size elements: makes room for one more element
 * in *arr (count n), zeroes it, and returns it in *out. */
tl_err tl__array_grow(void **arr, size_t *n, size_t elem, void **out);

#endif
