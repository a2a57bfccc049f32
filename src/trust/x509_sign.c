/*
 * Signing certificates, CRLs and certificate requests through a tl_key, so
 * the key may sit in a file, a PKCS#11 token or a TPM alike (the PKCS#11
 * backend signs with C_Sign and has no EVP_PKEY to give X509_sign).
 *
 * OpenSSL 3.0 has no setter for the signature AlgorithmIdentifier inside
 * the to-be-signed part of a certificate or CRL, so the object is first
 * signed with a throwaway software key of the same type (X509_sign sets
 * both AlgorithmIdentifiers exactly as it would for the real key), then
 * its to-be-signed DER is signed with the real key and the result is
 * assembled and decoded:
 *
 *   Certificate / CertificateList / CertificationRequest ::= SEQUENCE {
 *       tbs                 (the re-encoded to-be-signed part)
 *       signatureAlgorithm  AlgorithmIdentifier
 *       signature           BIT STRING (0 unused bits || tl_key_sign output) }
 *
 * tl_key_sign's encodings are the ones X.509 wants: Ed25519 (RFC 8410),
 * ECDSA DER over SHA-256 (RFC 5758), RSASSA-PSS SHA-256/MGF1-SHA-256/salt
 * 32 (RFC 4055).  The assembled object is then verified with the key's
 * public half before it is returned.
 */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "trust_int.h"

/* A throwaway key per type, made once (only its algorithm matters). */
static EVP_PKEY *dummy[4];
static CRYPTO_ONCE dummy_once = CRYPTO_ONCE_STATIC_INIT;

static void dummy_init(void)
{
	dummy[TL_KEY_ED25519] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	dummy[TL_KEY_P256] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	/* The RSA-PSS AlgorithmIdentifier does not depend on the modulus. */
	dummy[TL_KEY_RSA3072] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	ERR_clear_error();
}

typedef enum { OBJ_CERT, OBJ_CRL, OBJ_REQ } obj_kind;

/* Signs obj with the throwaway key of type t, setting its algorithms. */
static tl_err sign_dummy(void *obj, obj_kind kind, tl_key_type t)
{
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pk;
	int ok = 0;

	if (CRYPTO_THREAD_run_once(&dummy_once, dummy_init) != 1 || t < TL_KEY_ED25519 ||
	    t > TL_KEY_RSA3072 || !(pk = dummy[t]))
		return tl__error(TL_EUNSUPPORTED, "x509: cannot sign with a %s key", tl_key_type_name(t));
	if (!(md = EVP_MD_CTX_new()))
		return tl__nomem();
	if (EVP_DigestSignInit_ex(md, &pctx, t == TL_KEY_ED25519 ? NULL : "SHA256", NULL, NULL, pk,
	                          NULL) != 1)
		goto done;
	if (t == TL_KEY_RSA3072 &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA256", NULL) != 1))
		goto done;
	switch (kind) {
	case OBJ_CERT: ok = X509_sign_ctx(obj, md) > 0; break;
	case OBJ_CRL: ok = X509_CRL_sign_ctx(obj, md) > 0; break;
	case OBJ_REQ: ok = X509_REQ_sign_ctx(obj, md) > 0; break;
	}
done:
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok ? TL_OK : tl__error(TL_EINVAL, "x509: cannot set the signature algorithm");
}

/* Appends a DER tag and length to b. */
static tl_err der_header(tl_buf *b, uint8_t tag, size_t len)
{
	uint8_t h[6];
	size_t n = 0;

	h[n++] = tag;
	if (len < 0x80) {
		h[n++] = (uint8_t)len;
	} else if (len <= 0xff) {
		h[n++] = 0x81;
		h[n++] = (uint8_t)len;
	} else if (len <= 0xffff) {
		h[n++] = 0x82;
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	} else if (len <= 0xffffff) {
		h[n++] = 0x83;
		h[n++] = (uint8_t)(len >> 16);
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	} else {
		return tl__error(TL_ELIMIT, "x509: object too large to sign");
	}
	return tl_buf_put(b, h, n);
}

static tl_err sign_obj(void **obj, int kind, tl_key *k)
{
	unsigned char *tbs = NULL, *alg = NULL;
	const X509_ALGOR *palg = NULL;
	const ASN1_BIT_STRING *psig = NULL;
	tl_buf sig = TL_BUF_INIT, body = TL_BUF_INIT, der = TL_BUF_INIT;
	const unsigned char *q;
	void *out = NULL;
	int tlen = -1, alen;
	tl_err err;

	if ((err = sign_dummy(*obj, (obj_kind)kind, k->type)) != TL_OK)
		return err;
	switch ((obj_kind)kind) {
	case OBJ_CERT:
		tlen = i2d_re_X509_tbs(*obj, &tbs);
		X509_get0_signature(&psig, &palg, *obj);
		break;
	case OBJ_CRL:
		tlen = i2d_re_X509_CRL_tbs(*obj, &tbs);
		X509_CRL_get0_signature(*obj, &psig, &palg);
		break;
	case OBJ_REQ:
		tlen = i2d_re_X509_REQ_tbs(*obj, &tbs);
		X509_REQ_get0_signature(*obj, &psig, &palg);
		break;
	}
	if (tlen <= 0 || !palg || (alen = i2d_X509_ALGOR(palg, &alg)) <= 0) {
		err = tl__error(TL_EINVAL, "x509: cannot encode the object to sign");
		goto done;
	}
	if ((err = tl_key_sign(&sig, k, tbs, (size_t)tlen)) != TL_OK)
		goto done;
	if ((err = tl_buf_put(&body, tbs, (size_t)tlen)) != TL_OK ||
	    (err = tl_buf_put(&body, alg, (size_t)alen)) != TL_OK ||
	    (err = der_header(&body, 0x03, sig.len + 1)) != TL_OK ||
	    (err = tl_buf_putc(&body, '\0')) != TL_OK ||
	    (err = tl_buf_put(&body, sig.ptr, sig.len)) != TL_OK ||
	    (err = der_header(&der, 0x30, body.len)) != TL_OK ||
	    (err = tl_buf_put(&der, body.ptr, body.len)) != TL_OK)
		goto done;
	q = (const unsigned char *)der.ptr;
	switch ((obj_kind)kind) {
	case OBJ_CERT:
		if ((out = d2i_X509(NULL, &q, (long)der.len)) && X509_verify(out, k->pub) != 1) {
			X509_free(out);
			out = NULL;
		}
		break;
	case OBJ_CRL:
		if ((out = d2i_X509_CRL(NULL, &q, (long)der.len)) && X509_CRL_verify(out, k->pub) != 1) {
			X509_CRL_free(out);
			out = NULL;
		}
		break;
	case OBJ_REQ:
		if ((out = d2i_X509_REQ(NULL, &q, (long)der.len)) && X509_REQ_verify(out, k->pub) != 1) {
			X509_REQ_free(out);
			out = NULL;
		}
		break;
	}
	if (!out) {
		err = tl__error(TL_EINVAL, "x509: the %s key's signature does not verify with its "
		                "public key", tl_key_type_name(k->type));
		goto done;
	}
	switch ((obj_kind)kind) {
	case OBJ_CERT: X509_free(*obj); break;
	case OBJ_CRL: X509_CRL_free(*obj); break;
	case OBJ_REQ: X509_REQ_free(*obj); break;
	}
	*obj = out;
	err = TL_OK;
done:
	ERR_clear_error();
	OPENSSL_free(tbs);
	OPENSSL_free(alg);
	tl_buf_dispose(&sig);
	tl_buf_dispose(&body);
	tl_buf_dispose(&der);
	return err;
}

tl_err tl__x509_sign(X509 **x, tl_key *k)
{
	return sign_obj((void **)x, OBJ_CERT, k);
}

tl_err tl__x509_crl_sign(X509_CRL **c, tl_key *k)
{
	return sign_obj((void **)c, OBJ_CRL, k);
}

tl_err tl__x509_req_sign(X509_REQ **r, tl_key *k)
{
	return sign_obj((void **)r, OBJ_REQ, k);
}

