/*
 * Streaming digests through OpenSSL's EVP interface.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core_int.h"

struct tl_hash_ctx {
	EVP_MD_CTX *md;
};

static const EVP_MD *md_of(tl_hash_alg alg)
{
	switch (alg) {
	case TL_HASH_SHA256: return EVP_sha256();
	case TL_HASH_SHA512: return EVP_sha512();
	case TL_HASH_SHA1: return EVP_sha1();
	case TL_HASH_SHA384: return EVP_sha384();
	case TL_HASH_MD5: return EVP_md5();
	}
	return NULL;
}

tl_err tl_hash_new(tl_hash_ctx **out, tl_hash_alg alg)
{
	tl_hash_ctx *c;
	const EVP_MD *md = md_of(alg);

	*out = NULL;
	if (!md)
		return tl__error(TL_EINVAL, "unknown hash algorithm %d", (int)alg);
	if (!(c = calloc(1, sizeof(*c))))
		return tl__nomem();
	if (!(c->md = EVP_MD_CTX_new()) || EVP_DigestInit_ex(c->md, md, NULL) != 1) {
		tl_hash_free(c);
		return tl__error(TL_ENOMEM, "cannot initialise digest");
	}
	*out = c;
	return TL_OK;
}

tl_err tl_hash_update(tl_hash_ctx *c, const void *data, size_t len)
{
	if (EVP_DigestUpdate(c->md, data, len) != 1)
		return tl__error(TL_EIO, "digest update failed");
	return TL_OK;
}

tl_err tl_hash_final(tl_hash_ctx *c, uint8_t out[TL_HASH_MAX_LEN], size_t *len)
{
	unsigned n = 0;

	if (EVP_DigestFinal_ex(c->md, out, &n) != 1)
		return tl__error(TL_EIO, "digest final failed");
	*len = n;
	return TL_OK;
}

void tl_hash_free(tl_hash_ctx *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->md);
	free(c);
}

tl_err tl_hash_buf(tl_hash_alg alg, const void *data, size_t len,
                   uint8_t out[TL_HASH_MAX_LEN], size_t *outlen)
{
	tl_hash_ctx *c = NULL;
	tl_err err;

	if ((err = tl_hash_new(&c, alg)) == TL_OK &&
	    (err = tl_hash_update(c, data, len)) == TL_OK)
		err = tl_hash_final(c, out, outlen);
	tl_hash_free(c);
	return err;
}

tl_err tl_hash_file(tl_hash_alg alg, const char *path, uint8_t out[TL_HASH_MAX_LEN], size_t *outlen)
{
	tl_hash_ctx *c = NULL;
	int fd;
	tl_err err;
	static _Thread_local uint8_t chunk[1 << 16];

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return tl__error(TL_EIO, "%s: cannot open: %s", path, strerror(errno));
	if ((err = tl_hash_new(&c, alg)) != TL_OK)
		goto done;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = tl__error(TL_EIO, "%s: read failed: %s", path, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		if ((err = tl_hash_update(c, chunk, (size_t)n)) != TL_OK)
			goto done;
	}
	err = tl_hash_final(c, out, outlen);
done:
	tl_hash_free(c);
	close(fd);
	return err;
}

void tl_hex(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static tl_err hash_sink_write(void *ctx, const void *data, size_t len)
{
	return tl_hash_update(ctx, data, len);
}

tl_sink tl__hash_sink(tl_hash_ctx *c)
{
	tl_sink s = { hash_sink_write, c };

	return s;
}
