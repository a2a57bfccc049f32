/*
 * Bounded reader over untrusted bytes.  Every take checks n against what
 * is left (never off + n > len), and integers are built byte by byte.
 * On error the reader does not move.
 */
#include "core_int.h"

void tl_reader_init(tl_reader *r, const void *p, size_t len, const char *name)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->name = name;
}

tl_err tl_reader_take(tl_reader *r, size_t n, const uint8_t **out)
{
	if (n > r->len - r->off)
		return tl__corrupt(r, "truncated: need %zu more bytes, %zu left", n, r->len - r->off);
	*out = r->p + r->off;
	r->off += n;
	return TL_OK;
}

tl_err tl_reader_u8(tl_reader *r, uint8_t *out)
{
	const uint8_t *p;
	tl_err err = tl_reader_take(r, 1, &p);

	if (!err)
		*out = p[0];
	return err;
}

tl_err tl_reader_be16(tl_reader *r, uint16_t *out)
{
	const uint8_t *p;
	tl_err err = tl_reader_take(r, 2, &p);

	if (!err)
		*out = (uint16_t)((unsigned)p[0] << 8 | p[1]);
	return err;
}

tl_err tl_reader_be32(tl_reader *r, uint32_t *out)
{
	const uint8_t *p;
	tl_err err = tl_reader_take(r, 4, &p);

	if (!err)
		*out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return err;
}

tl_err tl_reader_le16(tl_reader *r, uint16_t *out)
{
	const uint8_t *p;
	tl_err err = tl_reader_take(r, 2, &p);

	if (!err)
		*out = (uint16_t)((unsigned)p[1] << 8 | p[0]);
	return err;
}

tl_err tl_reader_le32(tl_reader *r, uint32_t *out)
{
	const uint8_t *p;
	tl_err err = tl_reader_take(r, 4, &p);

	if (!err)
		*out = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	return err;
}

tl_err tl_reader_le64(tl_reader *r, uint64_t *out)
{
	const uint8_t *p;
	uint64_t v = 0;
	tl_err err = tl_reader_take(r, 8, &p);

	if (err)
		return err;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	*out = v;
	return TL_OK;
}
