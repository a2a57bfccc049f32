/*
 * The key interface: URI dispatch to a backend, public keys, key ids,
 * signing and verification through OpenSSL 3 EVP.
 *
 * Algorithms (fixed per key type, never taken from input):
 *   ed25519  pure Ed25519, 64-byte signature
 *   p256     ECDSA P-256 over SHA-256; we sign DER; verify DER or r||s
 *   rsa3072  RSASSA-PSS, SHA-256, MGF1-SHA-256; we sign with salt 32,
 *            verify any salt length (OpenSSL's "auto")
 */
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trust_int.h"

/* Backends by scheme. */
static const tl__key_backend *const backends[] = {
	&tl__key_backend_file,
	&tl__key_backend_pkcs11,
	&tl__key_backend_tpm2,
};

const char *tl_key_type_name(tl_key_type t)
{
	switch (t) {
	case TL_KEY_ED25519: return "ed25519";
	case TL_KEY_P256: return "p256";
	case TL_KEY_RSA3072: return "rsa3072";
	case TL_KEY_NONE: break;
	}
	return "none";
}

tl_err tl_key_type_parse(tl_key_type *out, const char *name)
{
	*out = TL_KEY_NONE;
	if (!strcmp(name, "ed25519"))
		*out = TL_KEY_ED25519;
	else if (!strcmp(name, "p256"))
		*out = TL_KEY_P256;
	else if (!strcmp(name, "rsa3072"))
		*out = TL_KEY_RSA3072;
	else
		return tl__error(TL_EINVAL, "unknown key type \"%s\": expected ed25519, p256 or rsa3072", name);
	return TL_OK;
}

size_t tl__uri_scheme_len(const char *uri)
{
	size_t i;

	if (!((uri[0] >= 'a' && uri[0] <= 'z') || (uri[0] >= 'A' && uri[0] <= 'Z')))
		return 0;
	for (i = 1; uri[i] && uri[i] != ':'; i++) {
		char c = uri[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '.' || c == '-'))
			return 0;
	}
	/* "C:" style one-letter prefixes are not schemes we know; keep them. */
	return uri[i] == ':' ? i : 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

tl_err tl__file_uri_path(char **out, const char *uri)
{
	tl_buf b = TL_BUF_INIT;
	const char *p = uri;
	tl_err err = TL_OK;

	*out = NULL;
	if (tl__uri_scheme_len(uri) == 4 && !strncmp(uri, "file:", 5)) {
		p = uri + 5;
		if (p[0] == '/' && p[1] == '/') {
			p += 2;
			if (!strncmp(p, "localhost/", 10))
				p += 9;
			if (*p != '/') {
				err = tl__error(TL_EINVAL, "%s: a file: URI with an authority must be "
				                "file:///absolute/path or file://localhost/path", uri);
				goto done;
			}
		}
		for (; *p; p++) {
			int hi, lo;
			if (*p != '%') {
				if ((err = tl_buf_putc(&b, *p)) != TL_OK)
					goto done;
				continue;
			}
			if ((hi = hexval(p[1])) < 0 || (lo = hexval(p[2])) < 0 || (hi == 0 && lo == 0)) {
				err = tl__error(TL_EINVAL, "%s: bad %%-escape in file: URI", uri);
				goto done;
			}
			if ((err = tl_buf_putc(&b, (char)(hi * 16 + lo))) != TL_OK)
				goto done;
			p += 2;
		}
	} else if ((err = tl_buf_puts(&b, uri)) != TL_OK) {
		goto done;
	}
	if (!b.len) {
		err = tl__error(TL_EINVAL, "%s: empty key path", uri);
		goto done;
	}
	*out = tl_buf_detach(&b);
	if (!*out)
		err = tl__nomem();
done:
	tl_buf_dispose(&b);
	return err;
}

void tl__buf_wipe(tl_buf *b)
{
	if (b->ptr)
		OPENSSL_cleanse(b->ptr, b->cap);
	tl_buf_dispose(b);
}

/* The backend for uri, or an error naming the scheme. */
static tl_err backend_of(const tl__key_backend **out, const char *uri)
{
	size_t n = tl__uri_scheme_len(uri);

	*out = NULL;
	if (!*uri)
		return tl__error(TL_EINVAL, "empty key URI");
	if (n == 0) {
		*out = &tl__key_backend_file;
		return TL_OK;
	}
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (strlen(backends[i]->scheme) == n && !strncasecmp(uri, backends[i]->scheme, n)) {
			*out = backends[i];
			return TL_OK;
		}
	}
	return tl__error(TL_EUNSUPPORTED, "%s: key URI scheme \"%.*s:\" is not supported "
	                 "(supported: a path, file:, pkcs11:, tpm2:)", uri, (int)n, uri);
}

static void ops_reset(tl__evp_ops *o)
{
	EVP_MD_CTX_free(o->md);
	EVP_PKEY_CTX_free(o->pk);
	o->md = NULL;
	o->pk = NULL;
}

/* Sets up o for signing (sign) or verifying with pkey, once. */
static tl_err ops_setup(tl__evp_ops *o, EVP_PKEY *pkey, tl_key_type type, bool sign)
{
	if (o->md || o->pk)
		return TL_OK;
	if (type == TL_KEY_ED25519) {
		if (!(o->md = EVP_MD_CTX_new()))
			return tl__nomem();
		if ((sign ? EVP_DigestSignInit_ex(o->md, NULL, NULL, NULL, NULL, pkey, NULL) :
		     EVP_DigestVerifyInit_ex(o->md, NULL, NULL, NULL, NULL, pkey, NULL)) != 1)
			goto fail;
		return TL_OK;
	}
	if (!(o->pk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)))
		return tl__nomem();
	if ((sign ? EVP_PKEY_sign_init(o->pk) : EVP_PKEY_verify_init(o->pk)) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(o->pk, EVP_sha256()) != 1)
		goto fail;
	if (type == TL_KEY_RSA3072 &&
	    (EVP_PKEY_CTX_set_rsa_padding(o->pk, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(o->pk, sign ? 32 : RSA_PSS_SALTLEN_AUTO) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md_name(o->pk, "SHA256", NULL) != 1))
		goto fail;
	return TL_OK;
fail:
	ops_reset(o);
	ERR_clear_error();
	return tl__error(TL_EINVAL, "cannot set up %s %s", sign ? "signing with" : "verifying with",
	                 tl_key_type_name(type));
}

tl_err tl__key_sha256(tl_key *k, const uint8_t *msg, size_t len, uint8_t out[32])
{
	unsigned n = 0;

	if (!k->sha256 && !(k->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)))
		return tl__error(TL_EINVAL, "SHA-256 is not available");
	if (EVP_Digest(msg, len, out, &n, k->sha256, NULL) != 1 || n != 32)
		return tl__error(TL_EINVAL, "SHA-256 failed");
	return TL_OK;
}

static tl_err key_alloc(tl_key **out)
{
	if (!(*out = calloc(1, sizeof(**out))))
		return tl__nomem();
	return TL_OK;
}

tl_err tl_key_generate(tl_key **out, const char *uri, tl_key_type type)
{
	const tl__key_backend *be;
	tl_key *k = NULL;
	tl_err err;

	*out = NULL;
	if ((err = backend_of(&be, uri)) != TL_OK)
		goto done;
	if (type != TL_KEY_ED25519 && type != TL_KEY_P256 && type != TL_KEY_RSA3072) {
		err = tl__error(TL_EINVAL, "unknown key type %d", (int)type);
		goto done;
	}
	if (!be->generate) {
		err = tl__error(TL_EUNSUPPORTED, "%s: this backend cannot generate keys", uri);
		goto done;
	}
	if ((err = key_alloc(&k)) != TL_OK)
		goto done;
	k->be = be;
	if ((err = be->generate(k, uri, type)) != TL_OK)
		goto done;
	*out = k;
	k = NULL;
done:
	tl_key_free(k);
	return err;
}

tl_err tl_key_open(tl_key **out, const char *uri)
{
	const tl__key_backend *be;
	tl_key *k = NULL;
	tl_err err;

	*out = NULL;
	if ((err = backend_of(&be, uri)) != TL_OK)
		goto done;
	if ((err = key_alloc(&k)) != TL_OK)
		goto done;
	k->be = be;
	if ((err = be->open(k, uri)) != TL_OK)
		goto done;
	*out = k;
	k = NULL;
done:
	tl_key_free(k);
	return err;
}

void tl_key_free(tl_key *k)
{
	if (!k)
		return;
	if (k->be && k->be->close)
		k->be->close(k);
	ops_reset(&k->vops);
	ops_reset(&k->sops);
	EVP_MD_free(k->sha256);
	EVP_PKEY_free(k->pub);
	free(k);
}

tl_key_type tl_key_get_type(const tl_key *k)
{
	return k->type;
}

bool tl_key_can_sign(const tl_key *k)
{
	return k->be != NULL && k->state != NULL;
}

tl_key_type tl__key_type_of(EVP_PKEY *pkey, const char *name)
{
	char group[64];
	size_t glen = 0;

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_ED25519:
		return TL_KEY_ED25519;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
		                                   sizeof(group), &glen) != 1) {
			tl__error(TL_EUNSUPPORTED, "%s: wrong key type: an EC key without a named curve "
			          "(expected P-256)", name);
			return TL_KEY_NONE;
		}
		if (strcmp(group, "prime256v1") != 0 && strcmp(group, "P-256") != 0) {
			tl__error(TL_EUNSUPPORTED, "%s: wrong key type: EC curve %s (expected P-256)",
			          name, group);
			return TL_KEY_NONE;
		}
		return TL_KEY_P256;
	case EVP_PKEY_RSA:
		if (EVP_PKEY_get_bits(pkey) != 3072) {
			tl__error(TL_EUNSUPPORTED, "%s: wrong key type: RSA-%d (expected RSA-3072)",
			          name, EVP_PKEY_get_bits(pkey));
			return TL_KEY_NONE;
		}
		return TL_KEY_RSA3072;
	default:
		break;
	}
	tl__error(TL_EUNSUPPORTED, "%s: wrong key type: %s (expected ed25519, P-256 or RSA-3072)",
	          name, OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)));
	return TL_KEY_NONE;
}

/* Refuses to prompt for a passphrase: encrypted keys are reported instead. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return -1;
}

/* Public key from DER: a whole SubjectPublicKeyInfo or X.509 certificate. */
static EVP_PKEY *pub_from_der(const uint8_t *p, size_t len)
{
	const unsigned char *q;
	EVP_PKEY *pk;
	X509 *cert;

	if (len > LONG_MAX)
		return NULL;
	q = p;
	pk = d2i_PUBKEY(NULL, &q, (long)len);
	if (pk && q == p + len)
		return pk;
	EVP_PKEY_free(pk);
	q = p;
	cert = d2i_X509(NULL, &q, (long)len);
	pk = NULL;
	if (cert && q == p + len)
		pk = X509_get_pubkey(cert);
	X509_free(cert);
	return pk;
}

static EVP_PKEY *pub_from_pem(const uint8_t *p, size_t len)
{
	BIO *bio = NULL;
	EVP_PKEY *pk = NULL;
	X509 *cert = NULL;

	if (len > INT_MAX)
		return NULL;
	if (strstr((const char *)p, "-----BEGIN PUBLIC KEY-----")) {
		if ((bio = BIO_new_mem_buf(p, (int)len)))
			pk = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	} else if (strstr((const char *)p, "-----BEGIN CERTIFICATE-----")) {
		if ((bio = BIO_new_mem_buf(p, (int)len)) &&
		    (cert = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)))
			pk = X509_get_pubkey(cert);
	} else if (strstr((const char *)p, "PRIVATE KEY-----")) {
		if ((bio = BIO_new_mem_buf(p, (int)len)))
			pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	}
	X509_free(cert);
	BIO_free(bio);
	return pk;
}

/* Keeps only the public half of pk (so a tl_key never holds a private
 * key it was not opened for). */
static tl_err public_only(EVP_PKEY **out, EVP_PKEY *pk)
{
	unsigned char *der = NULL;
	const unsigned char *q;
	int n;
	tl_err err = TL_OK;

	*out = NULL;
	if ((n = i2d_PUBKEY(pk, &der)) <= 0) {
		err = tl__error(TL_EPARSE, "cannot encode the public key");
		goto done;
	}
	q = der;
	if (!(*out = d2i_PUBKEY(NULL, &q, n)))
		err = tl__error(TL_EPARSE, "cannot decode the public key");
done:
	OPENSSL_free(der);
	return err;
}

tl_err tl_key_from_public(tl_key **out, const void *data, size_t len, const char *name)
{
	tl_buf z = TL_BUF_INIT;
	EVP_PKEY *pk = NULL;
	tl_key *k = NULL;
	tl_err err;

	*out = NULL;
	if (!name)
		name = "public key";
	/* A NUL-terminated copy so the PEM sniffing stays inside the bytes. */
	if ((err = tl_buf_put(&z, data, len)) != TL_OK || (err = tl_buf_cstr(&z)) != TL_OK)
		goto done;
	if (len && memchr(data, '\0', len) == NULL && strstr(z.ptr, "-----BEGIN "))
		pk = pub_from_pem((const uint8_t *)z.ptr, z.len);
	else
		pk = pub_from_der(data, len);
	ERR_clear_error();
	if (!pk) {
		err = tl__error(TL_EPARSE, "%s: expected a public key (PEM or DER "
		                "SubjectPublicKeyInfo) or an X.509 certificate", name);
		goto done;
	}
	if ((err = key_alloc(&k)) != TL_OK)
		goto done;
	if ((err = public_only(&k->pub, pk)) != TL_OK)
		goto done;
	if ((k->type = tl__key_type_of(k->pub, name)) == TL_KEY_NONE) {
		err = TL_EUNSUPPORTED;
		goto done;
	}
	*out = k;
	k = NULL;
done:
	EVP_PKEY_free(pk);
	tl_key_free(k);
	tl__buf_wipe(&z); /* may have held a private key */
	return err;
}

tl_err tl_key_load_public(tl_key **out, const char *uri)
{
	tl_buf b = TL_BUF_INIT;
	char *path = NULL;
	size_t n = tl__uri_scheme_len(uri);
	tl_err err;

	*out = NULL;
	if (n && !(n == 4 && !strncasecmp(uri, "file", 4))) {
		/* A backend key: its public half comes from the backend. */
		tl_key *k = NULL;
		if ((err = tl_key_open(&k, uri)) != TL_OK)
			return err;
		*out = k;
		return TL_OK;
	}
	if ((err = tl__file_uri_path(&path, uri)) != TL_OK)
		goto done;
	if ((err = tl_file_read(&b, path, (size_t)1 << 20)) != TL_OK)
		goto done;
	err = tl_key_from_public(out, b.ptr, b.len, path);
done:
	tl__buf_wipe(&b);
	free(path);
	return err;
}

tl_err tl_key_public_pem(tl_buf *out, const tl_key *k)
{
	BIO *bio = NULL;
	BUF_MEM *bm = NULL;
	tl_err err = TL_OK;

	if (!(bio = BIO_new(BIO_s_mem())) || PEM_write_bio_PUBKEY(bio, k->pub) != 1 ||
	    BIO_get_mem_ptr(bio, &bm) != 1 || !bm) {
		err = tl__error(TL_ENOMEM, "cannot encode the public key as PEM");
		goto done;
	}
	err = tl_buf_put(out, bm->data, bm->length);
done:
	BIO_free(bio);
	return err;
}

tl_err tl_key_id(char out[TL_KEY_ID_HEX_LEN + 1], const tl_key *k)
{
	unsigned char *der = NULL;
	uint8_t md[TL_HASH_MAX_LEN];
	size_t mdlen = 0;
	int n;
	tl_err err;

	out[0] = '\0';
	if ((n = i2d_PUBKEY(k->pub, &der)) <= 0) {
		err = tl__error(TL_ENOMEM, "cannot encode the public key");
		goto done;
	}
	if ((err = tl_hash_buf(TL_HASH_SHA256, der, (size_t)n, md, &mdlen)) != TL_OK)
		goto done;
	tl_hex(out, md, mdlen);
done:
	OPENSSL_free(der);
	return err;
}

tl_err tl__evp_sign(tl_key *k, EVP_PKEY *priv, const uint8_t *msg, size_t len, tl_buf *sig)
{
	uint8_t md[32];
	unsigned char *s = NULL;
	size_t slen = 0;
	tl_err err;

	if ((err = ops_setup(&k->sops, priv, k->type, true)) != TL_OK)
		return err;
	if (k->type != TL_KEY_ED25519 && (err = tl__key_sha256(k, msg, len, md)) != TL_OK)
		return err;
	if ((k->type == TL_KEY_ED25519 ? EVP_DigestSign(k->sops.md, NULL, &slen, msg, len) :
	     EVP_PKEY_sign(k->sops.pk, NULL, &slen, md, 32)) != 1 || !slen) {
		err = tl__error(TL_EINVAL, "cannot size the signature");
		goto done;
	}
	if (!(s = OPENSSL_malloc(slen))) {
		err = tl__nomem();
		goto done;
	}
	if ((k->type == TL_KEY_ED25519 ? EVP_DigestSign(k->sops.md, s, &slen, msg, len) :
	     EVP_PKEY_sign(k->sops.pk, s, &slen, md, 32)) != 1) {
		err = tl__error(TL_EINVAL, "signing with the %s key failed", tl_key_type_name(k->type));
		goto done;
	}
	err = tl_buf_put(sig, s, slen);
done:
	if (err)
		ops_reset(&k->sops); /* start afresh after any failure */
	ERR_clear_error();
	OPENSSL_free(s);
	return err;
}

tl_err tl_key_sign(tl_buf *sig, tl_key *k, const void *msg, size_t len)
{
	if (!tl_key_can_sign(k))
		return tl__error(TL_EINVAL, "this is a public key: signing needs the private key");
	return k->be->sign(k, msg, len, sig);
}

/* r || s (32 bytes each) to DER; *out is OPENSSL_malloc'ed. */
static tl_err p1363_to_der(unsigned char **out, int *outlen, const uint8_t *sig)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	tl_err err = TL_OK;

	*out = NULL;
	if (!(es = ECDSA_SIG_new()) || !(r = BN_bin2bn(sig, 32, NULL)) ||
	    !(s = BN_bin2bn(sig + 32, 32, NULL))) {
		err = tl__nomem();
		goto done;
	}
	if (ECDSA_SIG_set0(es, r, s) != 1) {
		err = tl__nomem();
		goto done;
	}
	r = s = NULL;
	if ((*outlen = i2d_ECDSA_SIG(es, out)) <= 0) {
		*out = NULL;
		err = tl__nomem();
	}
done:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return err;
}

/* True if sig is exactly one DER ECDSA-Sig-Value. */
static bool is_der_ecdsa(const uint8_t *sig, size_t len)
{
	const unsigned char *q = sig;
	ECDSA_SIG *es;
	bool ok;

	if (len < 8 || len > 80 || sig[0] != 0x30)
		return false;
	es = d2i_ECDSA_SIG(NULL, &q, (long)len);
	ok = es && q == sig + len;
	ECDSA_SIG_free(es);
	ERR_clear_error();
	return ok;
}

tl_err tl__key_verify(tl__sig_result *res, const tl_key *k, const uint8_t *msg, size_t len,
                      const uint8_t *sig, size_t sig_len, tl_sig_encoding enc)
{
	tl_key *mk = (tl_key *)k;
	unsigned char *der = NULL;
	uint8_t md[32];
	int derlen = 0, rc;
	tl_err err = TL_OK;

	*res = TL__SIG_BAD;
	switch (k->type) {
	case TL_KEY_ED25519:
		if (sig_len != 64) {
			*res = TL__SIG_SHAPE;
			tl__error(TL_ECHECK, "wrong key type: a %zu-byte signature is not Ed25519 "
			          "(64 bytes)", sig_len);
			goto done;
		}
		break;
	case TL_KEY_RSA3072:
		if (sig_len != 384) {
			*res = TL__SIG_SHAPE;
			tl__error(TL_ECHECK, "wrong key type: a %zu-byte signature is not RSA-3072 "
			          "(384 bytes)", sig_len);
			goto done;
		}
		break;
	case TL_KEY_P256:
		if (enc == TL_SIG_AUTO)
			enc = is_der_ecdsa(sig, sig_len) ? TL_SIG_DER : TL_SIG_P1363;
		if (enc == TL_SIG_P1363) {
			if (sig_len != 64) {
				*res = TL__SIG_SHAPE;
				tl__error(TL_ECHECK, "wrong key type: a %zu-byte signature is neither DER "
				          "ECDSA nor P-256 r||s (64 bytes)", sig_len);
				goto done;
			}
			if ((err = p1363_to_der(&der, &derlen, sig)) != TL_OK)
				goto done;
			sig = der;
			sig_len = (size_t)derlen;
		} else if (sig_len < 8 || sig_len > 72 || sig[0] != 0x30) {
			/* 72 is the largest DER encoding of two P-256 integers. */
			tl__error(TL_ECHECK, "bad signature: not a DER ECDSA P-256 signature");
			goto done;
		}
		break;
	default:
		*res = TL__SIG_SHAPE;
		tl__error(TL_ECHECK, "wrong key type");
		goto done;
	}
	/* The caches are not part of the key's value: a const key may fill them. */
	if ((err = ops_setup(&mk->vops, k->pub, k->type, false)) != TL_OK)
		goto done;
	if (k->type == TL_KEY_ED25519) {
		rc = EVP_DigestVerify(mk->vops.md, sig, sig_len, msg, len);
	} else {
		if ((err = tl__key_sha256(mk, msg, len, md)) != TL_OK)
			goto done;
		rc = EVP_PKEY_verify(mk->vops.pk, sig, sig_len, md, 32);
	}
	if (rc != 1) {
		ops_reset(&mk->vops); /* start afresh after any failure */
		tl__error(TL_ECHECK, "bad signature: does not verify with the %s key",
		          tl_key_type_name(k->type));
		goto done;
	}
	*res = TL__SIG_OK; /* the only place success is set */
done:
	ERR_clear_error();
	OPENSSL_free(der);
	return err;
}

tl_err tl_key_verify(const tl_key *k, const void *msg, size_t len, const void *sig,
                     size_t sig_len, tl_sig_encoding enc)
{
	tl__sig_result res = TL__SIG_BAD;
	tl_err err;

	if ((err = tl__key_verify(&res, k, msg, len, sig, sig_len, enc)) != TL_OK)
		return err;
	return res == TL__SIG_OK ? TL_OK : TL_ECHECK;
}
