/*
 * Growable buffers with a hard cap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

static size_t buf_max(const tl_buf *b)
{
	return b->max ? b->max : TL_BUF_DEFAULT_MAX;
}

/* Makes room for extra more bytes plus the NUL terminator. */
static tl_err grow(tl_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (!tl_size_add(&need, b->len, extra) || need > buf_max(b))
		return tl__error(TL_ELIMIT, "buffer limit of %zu bytes exceeded", buf_max(b));
	if (!tl_size_add(&need, need, 1))
		return tl__nomem();
	if (need <= b->cap)
		return TL_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need) {
		if (!tl_size_mul(&cap, cap, 2)) {
			cap = need;
			break;
		}
	}
	p = realloc(b->ptr, cap);
	if (!p)
		return tl__nomem();
	b->ptr = p;
	b->cap = cap;
	return TL_OK;
}

tl_err tl_buf_put(tl_buf *b, const void *data, size_t len)
{
	tl_err err;

	/* the common case: room already there */
	if (b->ptr && len < b->cap - b->len && b->len + len <= buf_max(b)) {
		if (len)
			memcpy(b->ptr + b->len, data, len);
		b->len += len;
		b->ptr[b->len] = '\0';
		return TL_OK;
	}
	if ((err = grow(b, len)) != TL_OK)
		return err;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return TL_OK;
}

tl_err tl__buf_reserve(tl_buf *b, size_t n)
{
	if (b->ptr && n < b->cap - b->len && b->len + n <= buf_max(b))
		return TL_OK;
	return grow(b, n);
}

tl_err tl_buf_puts(tl_buf *b, const char *s)
{
	return tl_buf_put(b, s, strlen(s));
}

tl_err tl_buf_putc(tl_buf *b, char c)
{
	return tl_buf_put(b, &c, 1);
}

tl_err tl_buf_cstr(tl_buf *b)
{
	return tl_buf_put(b, "", 0);
}

tl_err tl_buf_vprintf(tl_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	tl_err err;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return tl__error(TL_EINVAL, "bad format string");
	if ((err = grow(b, (size_t)n)) != TL_OK)
		return err;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return TL_OK;
}

tl_err tl_buf_printf(tl_buf *b, const char *fmt, ...)
{
	va_list ap;
	tl_err err;

	va_start(ap, fmt);
	err = tl_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return err;
}

void tl_buf_clear(tl_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void tl_buf_dispose(tl_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

char *tl_buf_detach(tl_buf *b)
{
	char *p;

	if (tl_buf_cstr(b) != TL_OK)
		return NULL;
	p = b->ptr;
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

tl_err tl__array_grow(void **arr, size_t *n, size_t elem, void **out)
{
	size_t count, bytes;
	char *p;

	/* Grow by doubling at powers of two so appends stay amortised O(1). */
	if (!tl_size_add(&count, *n, 1))
		return tl__nomem();
	if ((*n & (*n - 1)) == 0) { /* full: n is 0 or a power of two */
		size_t cap = *n ? *n * 2 : 1;
		if (!tl_size_mul(&bytes, cap, elem))
			return tl__nomem();
		p = realloc(*arr, bytes);
		if (!p)
			return tl__nomem();
		*arr = p;
	}
	p = (char *)*arr + *n * elem;
	memset(p, 0, elem);
	*n = count;
	*out = p;
	return TL_OK;
}
