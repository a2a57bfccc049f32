/*
 * Fuzz target: the X.509 readers that see untrusted input (src/trust/
 * x509.c): certificate bundles and single certificates, CRLs and PKCS#10
 * requests, each as PEM or DER.  What a reader accepts must re-encode, and
 * what the CA does next with a request (its key type, its signature, the
 * subject's text) must not crash either.
 */
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include "trust/trust_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* i2d of what was decoded must work and decode again. */
static void roundtrip_cert(X509 *x)
{
	unsigned char *der = NULL;
	const unsigned char *q;
	int n = i2d_X509(x, &der);
	X509 *y;

	if (n <= 0)
		abort();
	q = der;
	if (!(y = d2i_X509(NULL, &q, n)) || q != der + n)
		abort();
	X509_free(y);
	OPENSSL_free(der);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	STACK_OF(X509) *certs = NULL;
	STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
	X509_REQ *req = NULL;
	X509 *one = NULL;
	char name[256];
	tl_key *k = NULL;

	if (tl__x509_parse_certs(&certs, data, size, "fuzz", 8) == TL_OK) {
		for (int i = 0; i < sk_X509_num(certs); i++) {
			X509 *x = sk_X509_value(certs, i);
			roundtrip_cert(x);
			tl__x509_name(name, sizeof(name), X509_get_subject_name(x));
		}
	}
	if (tl__x509_parse_cert(&one, data, size, "fuzz") == TL_OK) {
		unsigned char *spki = NULL;
		int n = i2d_PUBKEY(X509_get0_pubkey(one), &spki);
		if (n > 0 && tl_key_from_public(&k, spki, (size_t)n, "fuzz") == TL_OK)
			tl_key_free(k);
		OPENSSL_free(spki);
		(void)X509_check_ca(one);
	}
	if (crls && tl__x509_parse_crls(crls, data, size, "fuzz") == TL_OK) {
		for (int i = 0; i < sk_X509_CRL_num(crls); i++)
			tl__x509_name(name, sizeof(name), X509_CRL_get_issuer(sk_X509_CRL_value(crls, i)));
	}
	if (tl__x509_parse_csr(&req, data, size, "fuzz") == TL_OK) {
		EVP_PKEY *pk = X509_REQ_get0_pubkey(req);
		if (pk && tl__key_type_of(pk, "fuzz") != TL_KEY_NONE)
			(void)X509_REQ_verify(req, pk);
		tl__x509_name(name, sizeof(name), X509_REQ_get_subject_name(req));
	}
	ERR_clear_error();
	X509_REQ_free(req);
	X509_free(one);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	sk_X509_pop_free(certs, X509_free);
	return 0;
}
