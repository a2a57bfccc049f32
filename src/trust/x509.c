/*
 * X.509 readers and certificate path validation (RFC 5280) through
 * OpenSSL's X509_verify_cert.
 *
 *   input        form                               limit
 *   certificate  one PEM "CERTIFICATE" block or DER  TL_X509_MAX_FILE bytes
 *   bundle       PEM blocks (roots, untrusted CAs)   TL_X509_MAX_CERTS certs
 *   CRL          PEM "X509 CRL" blocks or one DER    TL_X509_MAX_CRLS CRLs
 *   CSR          one PEM "CERTIFICATE REQUEST" or DER
 *
 * A PEM file may hold text around its blocks (as `openssl x509 -text`
 * writes); any block of another type, a block that does not decode, or
 * DER with trailing bytes is a parse error.  Everything read here is
 * untrusted: the verifier's answer starts as "failed" and only the last
 * step sets success.
 */
#include <limits.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "trust_int.h"

/* Does the (NUL-terminated copy of the) input look like PEM? */
static bool is_pem(const tl_buf *b)
{
	return memchr(b->ptr, '\0', b->len) == NULL && strstr(b->ptr, "-----BEGIN ") != NULL;
}

/* A NUL-terminated copy of data, so the PEM sniffing stays inside it. */
static tl_err copy_cstr(tl_buf *out, const void *data, size_t len)
{
	tl_err err;

	if ((err = tl_buf_put(out, data, len)) != TL_OK)
		return err;
	return tl_buf_cstr(out);
}

/*
 * Reads every PEM block of type want (e.g. PEM_STRING_X509) with
 * PEM_read_bio; calls add for each decoded body.  Blocks of other types,
 * or more than max blocks, are errors.
 */
typedef tl_err (*der_fn)(void *ctx, const uint8_t *der, size_t len, const char *name, size_t i);

static tl_err pem_blocks(const tl_buf *b, const char *want, const char *const *also,
                         size_t max, der_fn add, void *ctx, const char *name, size_t *count)
{
	BIO *bio = NULL;
	char *pname = NULL, *header = NULL;
	unsigned char *body = NULL;
	long blen = 0;
	size_t n = 0;
	tl_err err = TL_OK;

	if (b->len > INT_MAX)
		return tl__error(TL_ELIMIT, "%s: too large", name);
	if (!(bio = BIO_new_mem_buf(b->ptr, (int)b->len)))
		return tl__nomem();
	for (;;) {
		bool ok_type;
		if (PEM_read_bio(bio, &pname, &header, &body, &blen) != 1) {
			unsigned long e = ERR_peek_last_error();
			if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE && n > 0)
				break; /* no more blocks */
			err = tl__error(TL_EPARSE, "%s: PEM block %zu: %s", name, n + 1,
			                n == 0 ? "expected a PEM block" : "malformed PEM (bad base64 or "
			                "missing END line)");
			goto done;
		}
		ok_type = !strcmp(pname, want);
		for (size_t i = 0; also && also[i] && !ok_type; i++)
			ok_type = !strcmp(pname, also[i]);
		if (!ok_type) {
			char q[80];
			tl__quote(q, sizeof(q), pname);
			err = tl__error(TL_EPARSE, "%s: PEM block %zu: expected \"%s\", got %s", name,
			                n + 1, want, q);
			goto done;
		}
		if (n == max) {
			err = tl__error(TL_ELIMIT, "%s: more than %zu PEM blocks", name, max);
			goto done;
		}
		if (header && header[0]) {
			err = tl__error(TL_EPARSE, "%s: PEM block %zu: unexpected PEM headers "
			                "(encrypted?)", name, n + 1);
			goto done;
		}
		if ((err = add(ctx, body, (size_t)blen, name, n)) != TL_OK)
			goto done;
		n++;
		OPENSSL_free(pname);
		OPENSSL_free(header);
		OPENSSL_free(body);
		pname = header = NULL;
		body = NULL;
	}
	*count = n;
done:
	ERR_clear_error();
	OPENSSL_free(pname);
	OPENSSL_free(header);
	OPENSSL_free(body);
	BIO_free(bio);
	return err;
}

/* ---- certificates ------------------------------------------------------- */

static tl_err add_cert(void *ctx, const uint8_t *der, size_t len, const char *name, size_t i)
{
	STACK_OF(X509) *sk = ctx;
	const unsigned char *q = der;
	X509 *x;

	if (len > LONG_MAX || !(x = d2i_X509(NULL, &q, (long)len)) ) {
		ERR_clear_error();
		return tl__error(TL_EPARSE, "%s: certificate %zu: not a valid X.509 certificate",
		                 name, i + 1);
	}
	if (q != der + len) {
		X509_free(x);
		return tl__error(TL_EPARSE, "%s: certificate %zu: %zu bytes after the certificate",
		                 name, i + 1, (size_t)(der + len - q));
	}
	if (!sk_X509_push(sk, x)) {
		X509_free(x);
		return tl__nomem();
	}
	return TL_OK;
}

tl_err tl__x509_parse_certs(STACK_OF(X509) **out, const void *data, size_t len,
                            const char *name, size_t max)
{
	static const char *const also[] = { PEM_STRING_X509_OLD, PEM_STRING_X509_TRUSTED, NULL };
	STACK_OF(X509) *sk = NULL;
	tl_buf b = TL_BUF_INIT;
	size_t n = 0;
	tl_err err;

	*out = NULL;
	if (!(sk = sk_X509_new_null()))
		return tl__nomem();
	if ((err = copy_cstr(&b, data, len)) != TL_OK)
		goto done;
	if (is_pem(&b)) {
		/* "TRUSTED CERTIFICATE" carries OpenSSL trust settings after the
		 * certificate; d2i_X509 then sees trailing bytes and refuses it. */
		if ((err = pem_blocks(&b, PEM_STRING_X509, also, max, add_cert, sk, name, &n)) != TL_OK)
			goto done;
	} else if (max == 0 || (err = add_cert(sk, data, len, name, 0)) != TL_OK) {
		if (max == 0)
			err = tl__error(TL_ELIMIT, "%s: no certificate allowed", name);
		goto done;
	}
	*out = sk;
	sk = NULL;
done:
	sk_X509_pop_free(sk, X509_free);
	tl_buf_dispose(&b);
	return err;
}

tl_err tl__x509_parse_cert(X509 **out, const void *data, size_t len, const char *name)
{
	STACK_OF(X509) *sk = NULL;
	tl_err err;

	*out = NULL;
	if ((err = tl__x509_parse_certs(&sk, data, len, name, 2)) != TL_OK)
		return err;
	if (sk_X509_num(sk) != 1) {
		int n = sk_X509_num(sk);
		sk_X509_pop_free(sk, X509_free);
		return tl__error(TL_EPARSE, "%s: expected one certificate, got %s", name,
		                 n > 1 ? "more" : "none");
	}
	*out = sk_X509_shift(sk);
	sk_X509_free(sk);
	return TL_OK;
}

/* Reads a file of at most TL_X509_MAX_FILE bytes. */
static tl_err read_file(tl_buf *b, const char *path)
{
	return tl_file_read(b, path, TL_X509_MAX_FILE);
}

tl_err tl__x509_load_certs(STACK_OF(X509) **out, const char *path, size_t max)
{
	tl_buf b = TL_BUF_INIT;
	tl_err err;

	if ((err = read_file(&b, path)) == TL_OK)
		err = tl__x509_parse_certs(out, b.ptr, b.len, path, max);
	tl_buf_dispose(&b);
	return err;
}

tl_err tl__x509_load_cert(X509 **out, const char *path)
{
	tl_buf b = TL_BUF_INIT;
	tl_err err;

	*out = NULL;
	if ((err = read_file(&b, path)) == TL_OK)
		err = tl__x509_parse_cert(out, b.ptr, b.len, path);
	tl_buf_dispose(&b);
	return err;
}

/* ---- CRLs --------------------------------------------------------------- */

static tl_err add_crl(void *ctx, const uint8_t *der, size_t len, const char *name, size_t i)
{
	STACK_OF(X509_CRL) *sk = ctx;
	const unsigned char *q = der;
	X509_CRL *c;

	if (len > LONG_MAX || !(c = d2i_X509_CRL(NULL, &q, (long)len))) {
		ERR_clear_error();
		return tl__error(TL_EPARSE, "%s: CRL %zu: not a valid X.509 CRL", name, i + 1);
	}
	if (q != der + len) {
		X509_CRL_free(c);
		return tl__error(TL_EPARSE, "%s: CRL %zu: %zu bytes after the CRL", name, i + 1,
		                 (size_t)(der + len - q));
	}
	if (!sk_X509_CRL_push(sk, c)) {
		X509_CRL_free(c);
		return tl__nomem();
	}
	return TL_OK;
}

tl_err tl__x509_parse_crls(STACK_OF(X509_CRL) *sk, const void *data, size_t len,
                           const char *name)
{
	tl_buf b = TL_BUF_INIT;
	size_t n = 0, have = (size_t)sk_X509_CRL_num(sk);
	tl_err err;

	if (have >= TL_X509_MAX_CRLS)
		return tl__error(TL_ELIMIT, "%s: more than %d CRLs", name, TL_X509_MAX_CRLS);
	if ((err = copy_cstr(&b, data, len)) != TL_OK)
		goto done;
	if (is_pem(&b))
		err = pem_blocks(&b, PEM_STRING_X509_CRL, NULL, TL_X509_MAX_CRLS - have, add_crl, sk,
		                 name, &n);
	else
		err = add_crl(sk, data, len, name, 0);
done:
	tl_buf_dispose(&b);
	return err;
}

/* ---- CSRs --------------------------------------------------------------- */

static tl_err add_csr(void *ctx, const uint8_t *der, size_t len, const char *name, size_t i)
{
	X509_REQ **out = ctx;
	const unsigned char *q = der;
	X509_REQ *r;

	if (*out)
		return tl__error(TL_EPARSE, "%s: expected one certificate request", name);
	if (len > LONG_MAX || !(r = d2i_X509_REQ(NULL, &q, (long)len))) {
		ERR_clear_error();
		return tl__error(TL_EPARSE, "%s: request %zu: not a valid PKCS#10 certificate request",
		                 name, i + 1);
	}
	if (q != der + len) {
		X509_REQ_free(r);
		return tl__error(TL_EPARSE, "%s: %zu bytes after the certificate request", name,
		                 (size_t)(der + len - q));
	}
	*out = r;
	return TL_OK;
}

tl_err tl__x509_parse_csr(X509_REQ **out, const void *data, size_t len, const char *name)
{
	static const char *const also[] = { PEM_STRING_X509_REQ_OLD, NULL };
	tl_buf b = TL_BUF_INIT;
	X509_REQ *r = NULL;
	size_t n = 0;
	tl_err err;

	*out = NULL;
	if ((err = copy_cstr(&b, data, len)) != TL_OK)
		goto done;
	if (is_pem(&b))
		err = pem_blocks(&b, PEM_STRING_X509_REQ, also, 2, add_csr, &r, name, &n);
	else
		err = add_csr(&r, data, len, name, 0);
	if (err != TL_OK)
		goto done;
	*out = r;
	r = NULL;
done:
	X509_REQ_free(r);
	tl_buf_dispose(&b);
	return err;
}

/* ---- names -------------------------------------------------------------- */

void tl__x509_name(char *out, size_t cap, const X509_NAME *nm)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n;

	out[0] = '\0';
	if (!bio)
		return;
	/* RFC 2253 order with escapes: untrusted text stays printable. */
	if (X509_NAME_print_ex(bio, nm, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
	    (n = BIO_get_mem_data(bio, &p)) > 0) {
		size_t m = (size_t)n < cap - 1 ? (size_t)n : cap - 1;
		for (size_t i = 0; i < m; i++)
			out[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? p[i] : '?';
		out[m] = '\0';
	}
	BIO_free(bio);
	ERR_clear_error();
}

/* ---- path validation ---------------------------------------------------- */

/* Our short reason for an X509_V_ERR code (docs/pki.md lists them). */
static const char *reason_of(int code)
{
	switch (code) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return "expired";
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return "not yet valid";
	case X509_V_ERR_CERT_REVOKED:
		return "revoked";
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_UNTRUSTED:
		return "unknown issuer";
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
	case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
		return "bad signature";
	case X509_V_ERR_CRL_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
		return "bad CRL signature";
	case X509_V_ERR_UNABLE_TO_GET_CRL:
	case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
		return "no CRL";
	case X509_V_ERR_CRL_HAS_EXPIRED:
	case X509_V_ERR_CRL_NOT_YET_VALID:
		return "CRL out of date";
	case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
	case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
	case X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE:
	case X509_V_ERR_INVALID_PURPOSE:
	case X509_V_ERR_INVALID_CA:
	case X509_V_ERR_PATH_LENGTH_EXCEEDED:
		return "key usage";
	default:
		return "invalid";
	}
}

/* Every CRL file named (borrowed paths) appended to sk. */
static tl_err load_crls(STACK_OF(X509_CRL) *sk, const char *const *paths, size_t n)
{
	tl_err err = TL_OK;

	for (size_t i = 0; i < n && err == TL_OK; i++) {
		tl_buf b = TL_BUF_INIT;
		if ((err = read_file(&b, paths[i])) == TL_OK)
			err = tl__x509_parse_crls(sk, b.ptr, b.len, paths[i]);
		tl_buf_dispose(&b);
	}
	return err;
}

tl_err tl_x509_verify_chain(tl_key **leaf_key, const char *cert_path, const char *roots_path,
                            const char *untrusted_path, const char *const *crl_paths,
                            size_t ncrls, int64_t at)
{
	STACK_OF(X509) *roots = NULL, *untrusted = NULL;
	STACK_OF(X509_CRL) *crls = NULL;
	X509 *leaf = NULL;
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509_VERIFY_PARAM *param;
	unsigned char *spki = NULL;
	tl_key *k = NULL;
	int n;
	tl_err err = TL_ECHECK; /* fails closed */

	*leaf_key = NULL;
	if (!cert_path || !roots_path || (ncrls && !crl_paths))
		return tl__error(TL_EINVAL, "x509: certificate and roots are required");
	if ((err = tl__x509_load_cert(&leaf, cert_path)) != TL_OK ||
	    (err = tl__x509_load_certs(&roots, roots_path, TL_X509_MAX_CERTS)) != TL_OK)
		goto done;
	if (untrusted_path &&
	    (err = tl__x509_load_certs(&untrusted, untrusted_path, TL_X509_MAX_CERTS)) != TL_OK)
		goto done;
	if (!(crls = sk_X509_CRL_new_null()) || !(store = X509_STORE_new()) ||
	    !(ctx = X509_STORE_CTX_new())) {
		err = tl__nomem();
		goto done;
	}
	if ((err = load_crls(crls, crl_paths, ncrls)) != TL_OK)
		goto done;
	for (int i = 0; i < sk_X509_num(roots); i++) {
		if (X509_STORE_add_cert(store, sk_X509_value(roots, i)) != 1) {
			err = tl__nomem();
			goto done;
		}
	}
	if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1) {
		err = tl__nomem();
		goto done;
	}
	param = X509_STORE_CTX_get0_param(ctx);
	/* Only the roots are anchors: no partial chains; RFC 5280 strictness. */
	X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
	if (ncrls) {
		/* Every CA below the anchor needs a CRL from its issuer. */
		X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
		X509_STORE_CTX_set0_crls(ctx, crls);
	}
	if (at != 0)
		X509_VERIFY_PARAM_set_time(param, (time_t)at);
	err = TL_ECHECK;
	if (X509_verify_cert(ctx) != 1) {
		int code = X509_STORE_CTX_get_error(ctx), depth = X509_STORE_CTX_get_error_depth(ctx);
		X509 *bad = X509_STORE_CTX_get_current_cert(ctx);
		char subj[256] = "";
		if (bad)
			tl__x509_name(subj, sizeof(subj), X509_get_subject_name(bad));
		tl__error(TL_ECHECK, "%s: %s: %s (certificate at depth %d%s%s%s)", cert_path,
		          reason_of(code), X509_verify_cert_error_string(code), depth,
		          subj[0] ? ": \"" : "", subj, subj[0] ? "\"" : "");
		goto done;
	}
	/* The leaf signs envelopes: if it states a key usage, digitalSignature
	 * must be in it, and it must not be a CA. */
	if ((X509_get_extension_flags(leaf) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE)) {
		tl__error(TL_ECHECK, "%s: key usage: the certificate's keyUsage does not allow "
		          "digitalSignature", cert_path);
		goto done;
	}
	if (X509_check_ca(leaf) != 0) {
		tl__error(TL_ECHECK, "%s: key usage: the certificate is a CA certificate, not a "
		          "signer's", cert_path);
		goto done;
	}
	if ((n = i2d_PUBKEY(X509_get0_pubkey(leaf), &spki)) <= 0) {
		tl__error(TL_ECHECK, "%s: cannot encode the certificate's public key", cert_path);
		goto done;
	}
	if ((err = tl_key_from_public(&k, spki, (size_t)n, cert_path)) != TL_OK) {
		if (err == TL_EUNSUPPORTED)
			err = TL_ECHECK; /* "wrong key type: ..." */
		goto done;
	}
	*leaf_key = k;
	k = NULL;
	err = TL_OK; /* the only place success is set */
done:
	ERR_clear_error();
	OPENSSL_free(spki);
	tl_key_free(k);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	sk_X509_pop_free(untrusted, X509_free);
	sk_X509_pop_free(roots, X509_free);
	X509_free(leaf);
	return err;
}

tl_err tl_x509_verify_cert(tl_key **leaf_key, const char *cert_path, const char *roots_path,
                           const char *untrusted_path, const char *crl_path, int64_t at)
{
	const char *crls[1] = { crl_path };

	return tl_x509_verify_chain(leaf_key, cert_path, roots_path, untrusted_path, crls,
	                            crl_path ? 1 : 0, at);
}
