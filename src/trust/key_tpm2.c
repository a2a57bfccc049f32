/*
 * The TPM 2.0 key backend, through the tpm2-openssl provider (OpenSSL 3)
 * in a library context of its own.  The private key never leaves the TPM:
 * a key file holds only the TPM-wrapped blob ("TSS2 PRIVATE KEY" PEM),
 * usable by that TPM alone, and signing runs in the TPM.
 *
 *   URI        tpm2:handle=0x81000001      a persistent handle
 *              tpm2:file=/path/key.pem     a key blob file (also tpm2:/path)
 *   TPM        the provider's TCTI: $TPM2OPENSSL_TCTI (e.g.
 *              "swtpm:host=127.0.0.1,port=2321"; default: the system TPM)
 *   types      p256 (ECDSA over SHA-256, DER) and rsa3072 (RSA-PSS over
 *              SHA-256; the TPM picks the salt length, which our verifier
 *              accepts); TPM 2.0 has no Ed25519
 *   generate   tpm2:file=PATH only (mode 0600, never overwrites); make a
 *              persistent handle from it with tpm2_evictcontrol
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/rsa.h>
#include <openssl/store.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trust_int.h"

static OSSL_LIB_CTX *tpm_ctx;
static tl_err tpm_ctx_err = TL_OK;
static CRYPTO_ONCE tpm_once = CRYPTO_ONCE_STATIC_INIT;

static void tpm_init(void)
{
	OSSL_LIB_CTX *c = OSSL_LIB_CTX_new();

	if (!c || !OSSL_PROVIDER_load(c, "tpm2") || !OSSL_PROVIDER_load(c, "default")) {
		OSSL_LIB_CTX_free(c);
		tpm_ctx_err = TL_EUNSUPPORTED;
		return;
	}
	tpm_ctx = c;
}

static tl_err tpm_libctx(OSSL_LIB_CTX **out)
{
	if (CRYPTO_THREAD_run_once(&tpm_once, tpm_init) != 1 || !tpm_ctx) {
		ERR_clear_error();
		return tl__error(tpm_ctx_err ? tpm_ctx_err : TL_EUNSUPPORTED, "tpm2: cannot load the "
		                 "tpm2-openssl provider (Debian package tpm2-openssl)");
	}
	*out = tpm_ctx;
	return TL_OK;
}

/* The OSSL_STORE URI for a tpm2: key URI, or the blob file path. */
static tl_err store_uri(tl_buf *out, const char *uri, bool *is_file)
{
	const char *rest = uri + 5; /* after "tpm2:" */

	*is_file = false;
	if (!strncmp(rest, "handle=", 7)) {
		const char *h = rest + 7;
		size_t n = strlen(h);
		if (n < 3 || n > 10 || strncmp(h, "0x", 2) != 0 || strspn(h + 2, "0123456789abcdefABCDEF") != n - 2)
			return tl__error(TL_EINVAL, "%s: expected handle=0x81000000..0x81ffffff", uri);
		return tl_buf_printf(out, "handle:%s", h);
	}
	if (!strncmp(rest, "file=", 5))
		rest += 5;
	if (!*rest)
		return tl__error(TL_EINVAL, "%s: expected tpm2:handle=0x... or tpm2:file=PATH", uri);
	*is_file = true;
	return tl_buf_puts(out, rest);
}

tl_err tl__tpm2_uri_handle(const char *uri, uint32_t *handle)
{
	tl_buf su = TL_BUF_INIT;
	bool is_file;
	tl_err err;

	*handle = 0;
	if (strncmp(uri, "tpm2:", 5) != 0)
		return tl__error(TL_EINVAL, "%s: not a tpm2: key URI", uri);
	if ((err = store_uri(&su, uri, &is_file)) != TL_OK)
		goto done;
	if (is_file) {
		err = tl__error(TL_EUNSUPPORTED, "%s: a TPM2_Quote needs the key at a persistent handle "
		                "(tpm2:handle=0x81...); make one with tpm2_evictcontrol", uri);
		goto done;
	}
	/* store_uri checked "handle:0x" and up to 8 hex digits. */
	*handle = (uint32_t)strtoul(su.ptr + 7, NULL, 16);
done:
	tl_buf_dispose(&su);
	return err;
}

static void tpm_close(tl_key *k)
{
	EVP_PKEY_free(k->state);
	k->state = NULL;
}

/* Sets k from a TPM key (taken): type and a software copy of the public half. */
static tl_err adopt(tl_key *k, EVP_PKEY *priv, const char *uri)
{
	unsigned char *der = NULL;
	const unsigned char *q;
	int n;
	tl_err err = TL_OK;

	if ((n = i2d_PUBKEY(priv, &der)) <= 0) {
		err = tl__error(TL_EPARSE, "%s: cannot export the public key from the TPM", uri);
		goto done;
	}
	q = der;
	if (!(k->pub = d2i_PUBKEY(NULL, &q, n))) {
		err = tl__error(TL_EPARSE, "%s: cannot decode the TPM's public key", uri);
		goto done;
	}
	if ((k->type = tl__key_type_of(k->pub, uri)) == TL_KEY_NONE) {
		err = TL_EUNSUPPORTED;
		goto done;
	}
	k->state = priv;
	priv = NULL;
done:
	ERR_clear_error();
	OPENSSL_free(der);
	EVP_PKEY_free(priv);
	return err;
}

static tl_err tpm_open(tl_key *k, const char *uri)
{
	OSSL_LIB_CTX *ctx;
	OSSL_STORE_CTX *st = NULL;
	EVP_PKEY *pk = NULL;
	tl_buf su = TL_BUF_INIT;
	bool is_file;
	tl_err err;

	if ((err = tpm_libctx(&ctx)) != TL_OK || (err = store_uri(&su, uri, &is_file)) != TL_OK)
		goto done;
	if (is_file && access(su.ptr, R_OK) != 0) {
		err = tl__error(TL_EIO, "%s: cannot open: %s", su.ptr, strerror(errno));
		goto done;
	}
	if (!(st = OSSL_STORE_open_ex(su.ptr, ctx, NULL, NULL, NULL, NULL, NULL, NULL))) {
		err = tl__error(TL_EIO, "%s: the TPM cannot open this key (is the TPM reachable? "
		                "TPM2OPENSSL_TCTI)", uri);
		goto done;
	}
	while (!pk && !OSSL_STORE_eof(st)) {
		OSSL_STORE_INFO *info = OSSL_STORE_load(st);
		if (!info)
			break;
		if (OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY)
			pk = OSSL_STORE_INFO_get1_PKEY(info);
		OSSL_STORE_INFO_free(info);
	}
	if (!pk) {
		err = tl__error(TL_EPARSE, "%s: no TPM private key there", uri);
		goto done;
	}
	err = adopt(k, pk, uri);
	pk = NULL;
done:
	ERR_clear_error();
	EVP_PKEY_free(pk);
	OSSL_STORE_close(st);
	tl_buf_dispose(&su);
	return err;
}

static tl_err tpm_generate(tl_key *k, const char *uri, tl_key_type type)
{
	OSSL_LIB_CTX *ctx;
	EVP_PKEY *pk = NULL;
	OSSL_ENCODER_CTX *ec = NULL;
	unsigned char *blob = NULL;
	size_t bloblen = 0;
	tl_buf su = TL_BUF_INIT;
	struct stat sb;
	bool is_file;
	tl_err err;

	if ((err = tpm_libctx(&ctx)) != TL_OK || (err = store_uri(&su, uri, &is_file)) != TL_OK)
		goto done;
	if (!is_file) {
		err = tl__error(TL_EUNSUPPORTED, "%s: generate into a key file (tpm2:file=PATH), then "
		                "make it persistent with tpm2_evictcontrol", uri);
		goto done;
	}
	if (lstat(su.ptr, &sb) == 0) {
		err = tl__error(TL_EINVAL, "%s: already exists; not overwriting a key", su.ptr);
		goto done;
	}
	if (type == TL_KEY_P256)
		pk = EVP_PKEY_Q_keygen(ctx, "provider=tpm2", "EC", "P-256");
	else if (type == TL_KEY_RSA3072)
		pk = EVP_PKEY_Q_keygen(ctx, "provider=tpm2", "RSA", (size_t)3072);
	else {
		err = tl__error(TL_EUNSUPPORTED, "%s: wrong key type: a TPM 2.0 has no %s keys "
		                "(use p256 or rsa3072)", uri, tl_key_type_name(type));
		goto done;
	}
	if (!pk) {
		err = tl__error(TL_EIO, "%s: the TPM did not create a %s key (is it reachable? "
		                "TPM2OPENSSL_TCTI)", uri, tl_key_type_name(type));
		goto done;
	}
	if (!(ec = OSSL_ENCODER_CTX_new_for_pkey(pk, OSSL_KEYMGMT_SELECT_ALL, "PEM", NULL,
	                                         "provider=tpm2")) ||
	    OSSL_ENCODER_to_data(ec, &blob, &bloblen) != 1) {
		err = tl__error(TL_EIO, "%s: cannot encode the TPM key blob", uri);
		goto done;
	}
	if ((err = tl__write_new_file(su.ptr, blob, bloblen)) != TL_OK)
		goto done;
	err = adopt(k, pk, uri);
	pk = NULL;
done:
	ERR_clear_error();
	OPENSSL_free(blob);
	OSSL_ENCODER_CTX_free(ec);
	EVP_PKEY_free(pk);
	tl_buf_dispose(&su);
	return err;
}

/* Signs in the TPM.  A fresh context per call: TPM signing takes
 * milliseconds, so the set-up cost does not matter here. */
static tl_err tpm_sign(tl_key *k, const uint8_t *msg, size_t len, tl_buf *sig)
{
	OSSL_LIB_CTX *ctx;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *s = NULL;
	size_t slen = 0;
	tl_err err;

	if ((err = tpm_libctx(&ctx)) != TL_OK)
		return err;
	if (!(md = EVP_MD_CTX_new())) {
		err = tl__nomem();
		goto done;
	}
	if (EVP_DigestSignInit_ex(md, &pctx, "SHA256", ctx, "provider=tpm2", k->state, NULL) != 1 ||
	    (k->type == TL_KEY_RSA3072 &&
	     EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1)) {
		err = tl__error(TL_EIO, "tpm2: cannot start signing");
		goto done;
	}
	if (EVP_DigestSign(md, NULL, &slen, msg, len) != 1 || !slen ||
	    !(s = OPENSSL_malloc(slen)) || EVP_DigestSign(md, s, &slen, msg, len) != 1) {
		err = tl__error(TL_EIO, "tpm2: signing failed");
		goto done;
	}
	err = tl_buf_put(sig, s, slen);
done:
	ERR_clear_error();
	OPENSSL_free(s);
	EVP_MD_CTX_free(md);
	return err;
}

const tl__key_backend tl__key_backend_tpm2 = {
	"tpm2", tpm_open, tpm_generate, tpm_sign, tpm_close,
};
