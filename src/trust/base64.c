/*
 * Base64 (RFC 4648) for DSSE envelopes.
 *
 *   alphabet  standard (+/) or URL-safe (-_), as DSSE allows; one input
 *             may not mix them
 *   padding   '=' optional; when present it must complete the last quantum
 *   rejected  whitespace, any other character, a lone trailing character,
 *             non-zero unused bits in the last character (so every byte
 *             string has exactly one accepted encoding per alphabet)
 */
#include <string.h>

#include "trust_int.h"

static const char enc_tab[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

tl_err tl_base64_encode(tl_buf *out, const void *data, size_t len)
{
	const uint8_t *p = data;
	char q[4];
	tl_err err = TL_OK;

	for (size_t i = 0; i < len && err == TL_OK; i += 3) {
		size_t n = len - i < 3 ? len - i : 3;
		uint32_t v = (uint32_t)p[i] << 16;
		if (n > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (n > 2)
			v |= p[i + 2];
		q[0] = enc_tab[(v >> 18) & 63];
		q[1] = enc_tab[(v >> 12) & 63];
		q[2] = n > 1 ? enc_tab[(v >> 6) & 63] : '=';
		q[3] = n > 2 ? enc_tab[v & 63] : '=';
		err = tl_buf_put(out, q, 4);
	}
	if (err == TL_OK)
		err = tl_buf_cstr(out);
	return err;
}

/* Value of c in the alphabet chosen so far (*alpha: 0 unknown, 1 std, 2 url). */
static int dec(char c, int *alpha)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if ((c == '+' || c == '/') && *alpha != 2) {
		*alpha = 1;
		return c == '+' ? 62 : 63;
	}
	if ((c == '-' || c == '_') && *alpha != 1) {
		*alpha = 2;
		return c == '-' ? 62 : 63;
	}
	return -1;
}

tl_err tl_base64_decode(tl_buf *out, const char *s, size_t len)
{
	size_t n = len, pad = 0, full, i;
	int alpha = 0;
	uint8_t b[3];
	tl_err err = TL_OK;

	while (n && s[n - 1] == '=' && pad < 2) {
		n--;
		pad++;
	}
	if (pad && (len % 4) != 0)
		return tl__error(TL_EPARSE, "bad base64: padding does not complete a 4-character group");
	if (n % 4 == 1)
		return tl__error(TL_EPARSE, "bad base64: length %zu leaves a lone character", n);
	if (pad && (4 - n % 4) != pad)
		return tl__error(TL_EPARSE, "bad base64: wrong amount of padding");
	full = n - n % 4;
	for (i = 0; i < full; i += 4) {
		int v[4];
		for (int j = 0; j < 4; j++) {
			if ((v[j] = dec(s[i + j], &alpha)) < 0)
				return tl__error(TL_EPARSE, "bad base64: character %zu is not base64", i + j);
		}
		b[0] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		b[1] = (uint8_t)(v[1] << 4 | v[2] >> 2);
		b[2] = (uint8_t)(v[2] << 6 | v[3]);
		if ((err = tl_buf_put(out, b, 3)) != TL_OK)
			return err;
	}
	if (n % 4) {
		int v[3] = { 0, 0, 0 };
		size_t r = n % 4;
		for (size_t j = 0; j < r; j++) {
			if ((v[j] = dec(s[i + j], &alpha)) < 0)
				return tl__error(TL_EPARSE, "bad base64: character %zu is not base64", i + j);
		}
		b[0] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		b[1] = (uint8_t)(v[1] << 4 | v[2] >> 2);
		if ((r == 2 && (v[1] & 0x0f)) || (r == 3 && (v[2] & 0x03)))
			return tl__error(TL_EPARSE, "bad base64: non-zero unused bits at the end");
		if ((err = tl_buf_put(out, b, r - 1)) != TL_OK)
			return err;
	}
	return tl_buf_cstr(out);
}
