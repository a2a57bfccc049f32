/*
 * The file key backend: private keys as unencrypted PKCS#8 PEM files.
 *
 *   URI       a path, "file:PATH", "file:///ABS/PATH" or
 *             "file://localhost/ABS/PATH" (%XX decoded)
 *   format    -----BEGIN PRIVATE KEY----- (PKCS#8) as written by
 *             `trustline key generate` or `openssl genpkey`; traditional
 *             "BEGIN EC/RSA PRIVATE KEY" PEM is read too.  Encrypted keys
 *             are refused (no passphrase prompt in a library).
 *   limits    1 MiB per key file
 *
 * generate writes mode 0600 through a temporary file in the same
 * directory and link(2), so the key appears whole or not at all and an
 * existing file is never replaced.  Every buffer that held key bytes is
 * wiped with OPENSSL_cleanse.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trust_int.h"

#define KEY_FILE_MAX ((size_t)1 << 20)

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return -1;
}

static void file_close(tl_key *k)
{
	EVP_PKEY_free(k->state);
	k->state = NULL;
}

/* Sets k from a private EVP key (taken). */
static tl_err adopt(tl_key *k, EVP_PKEY *priv, const char *path)
{
	unsigned char *der = NULL;
	const unsigned char *q;
	int n;
	tl_err err = TL_OK;

	if ((k->type = tl__key_type_of(priv, path)) == TL_KEY_NONE) {
		err = TL_EUNSUPPORTED;
		goto done;
	}
	if ((n = i2d_PUBKEY(priv, &der)) <= 0) {
		err = tl__error(TL_EPARSE, "%s: cannot encode the public key", path);
		goto done;
	}
	q = der;
	if (!(k->pub = d2i_PUBKEY(NULL, &q, n))) {
		err = tl__error(TL_EPARSE, "%s: cannot decode the public key", path);
		goto done;
	}
	k->state = priv;
	priv = NULL;
done:
	OPENSSL_free(der);
	EVP_PKEY_free(priv);
	return err;
}

static tl_err file_open(tl_key *k, const char *uri)
{
	tl_buf b = TL_BUF_INIT;
	char *path = NULL;
	BIO *bio = NULL;
	EVP_PKEY *priv = NULL;
	tl_err err;

	if ((err = tl__file_uri_path(&path, uri)) != TL_OK)
		goto done;
	if ((err = tl_file_read(&b, path, KEY_FILE_MAX)) != TL_OK)
		goto done;
	if (strstr(b.ptr, "ENCRYPTED PRIVATE KEY-----") || strstr(b.ptr, "Proc-Type: 4,ENCRYPTED")) {
		err = tl__error(TL_EUNSUPPORTED, "%s: the key is encrypted; decrypt it "
		                "(openssl pkey -in KEY -out PLAIN) or keep it in an HSM", path);
		goto done;
	}
	if (b.len > INT_MAX || !(bio = BIO_new_mem_buf(b.ptr, (int)b.len))) {
		err = tl__nomem();
		goto done;
	}
	if (!(priv = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL))) {
		err = tl__error(TL_EPARSE, "%s: expected a PEM private key (PKCS#8 "
		                "\"BEGIN PRIVATE KEY\")", path);
		goto done;
	}
	err = adopt(k, priv, path);
	priv = NULL;
done:
	ERR_clear_error();
	EVP_PKEY_free(priv);
	BIO_free(bio);
	tl__buf_wipe(&b);
	free(path);
	return err;
}

tl_err tl__write_new_file(const char *path, const void *data, size_t len)
{
	tl_buf tmp = TL_BUF_INIT;
	const char *p = data;
	int fd = -1;
	tl_err err;

	if ((err = tl_buf_printf(&tmp, "%s.tmp.XXXXXX", path)) != TL_OK)
		goto done;
	if ((fd = mkstemp(tmp.ptr)) < 0) {
		err = tl__error(TL_EIO, "%s: cannot create: %s", tmp.ptr, strerror(errno));
		tl_buf_dispose(&tmp);
		goto done;
	}
	if (fchmod(fd, 0600) != 0) {
		err = tl__error(TL_EIO, "%s: cannot set mode 0600: %s", tmp.ptr, strerror(errno));
		goto done;
	}
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = tl__error(TL_EIO, "%s: write failed: %s", tmp.ptr, strerror(errno));
			goto done;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0) {
		err = tl__error(TL_EIO, "%s: cannot sync: %s", tmp.ptr, strerror(errno));
		goto done;
	}
	if (close(fd) != 0) {
		fd = -1;
		err = tl__error(TL_EIO, "%s: close failed: %s", tmp.ptr, strerror(errno));
		goto done;
	}
	fd = -1;
	if (link(tmp.ptr, path) != 0) {
		if (errno == EEXIST)
			err = tl__error(TL_EINVAL, "%s: already exists; not overwriting a key", path);
		else
			err = tl__error(TL_EIO, "%s: cannot create: %s", path, strerror(errno));
		goto done;
	}
done:
	if (fd >= 0)
		close(fd);
	if (tmp.ptr)
		unlink(tmp.ptr);
	tl_buf_dispose(&tmp);
	return err;
}

static tl_err file_generate(tl_key *k, const char *uri, tl_key_type type)
{
	char *path = NULL;
	EVP_PKEY *priv = NULL;
	BIO *bio = NULL;
	BUF_MEM *bm = NULL;
	struct stat st;
	tl_err err;

	if ((err = tl__file_uri_path(&path, uri)) != TL_OK)
		goto done;
	/* Fail before the (slow, for RSA) key generation; link() re-checks. */
	if (lstat(path, &st) == 0) {
		err = tl__error(TL_EINVAL, "%s: already exists; not overwriting a key", path);
		goto done;
	}
	switch (type) {
	case TL_KEY_ED25519: priv = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"); break;
	case TL_KEY_P256: priv = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"); break;
	case TL_KEY_RSA3072: priv = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072); break;
	default: break;
	}
	if (!priv) {
		err = tl__error(TL_EINVAL, "cannot generate a %s key", tl_key_type_name(type));
		goto done;
	}
	if (!(bio = BIO_new(BIO_s_secmem())) ||
	    PEM_write_bio_PKCS8PrivateKey(bio, priv, NULL, NULL, 0, NULL, NULL) != 1 ||
	    BIO_get_mem_ptr(bio, &bm) != 1 || !bm) {
		err = tl__error(TL_ENOMEM, "cannot encode the new key");
		goto done;
	}
	if ((err = tl__write_new_file(path, bm->data, bm->length)) != TL_OK)
		goto done;
	err = adopt(k, priv, path);
	priv = NULL;
done:
	ERR_clear_error();
	if (bm && bm->data)
		OPENSSL_cleanse(bm->data, bm->length);
	BIO_free(bio);
	EVP_PKEY_free(priv);
	free(path);
	return err;
}

static tl_err file_sign(tl_key *k, const uint8_t *msg, size_t len, tl_buf *sig)
{
	return tl__evp_sign(k, k->state, msg, len, sig);
}

const tl__key_backend tl__key_backend_file = {
	"file", file_open, file_generate, file_sign, file_close,
};
