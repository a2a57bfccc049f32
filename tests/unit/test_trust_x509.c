/*
 * Unit tests of the X.509 side of src/trust: the certificate, CRL and CSR
 * readers on truncated, trailing, wrong-type and oversized input; the CA
 * (init, issue, revoke, CRL) and tl_x509_verify_cert's verdicts and
 * reasons.  Keys are file keys in a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include "trustline/trust.h"
#include "trust/trust_int.h"
#include "testutil.h"


static const char *path(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static void write_buf(const char *p, const tl_buf *b)
{
	assert_int_equal(tl_file_write_atomic(p, b->ptr, b->len), TL_OK);
}

/* A CA in tmpdir/ca, a P-256 device key and its certificate dev.pem. */
static void make_ca(void)
{
	tl_ca_init_opts o = { .root_subject = "/O=Test/CN=Test Root",
	                      .issuing_subject = "/O=Test/CN=Test Issuing" };
	tl_buf csr = TL_BUF_INIT, cert = TL_BUF_INIT;
	char serial[TL_CA_SERIAL_HEX_LEN + 1];
	tl_key *k = NULL;

	assert_int_equal(tl_key_generate(&k, path("root.key"), TL_KEY_P256), TL_OK);
	tl_key_free(k);
	assert_int_equal(tl_key_generate(&k, path("issuing.key"), TL_KEY_ED25519), TL_OK);
	tl_key_free(k);
	assert_int_equal(tl_key_generate(&k, path("dev.key"), TL_KEY_P256), TL_OK);
	tl_key_free(k);
	assert_int_equal(tl_ca_init(path("ca"), path("root.key"), path("issuing.key"), &o), TL_OK);
	assert_int_equal(tl_ca_init(path("ca"), path("root.key"), path("issuing.key"), &o), TL_EINVAL);
	assert_int_equal(tl_device_csr(&csr, path("dev.key"), "D-1", "Model 7"), TL_OK);
	assert_int_equal(tl_ca_issue(&cert, serial, path("ca"), csr.ptr, csr.len, "csr", NULL), TL_OK);
	assert_int_equal(strlen(serial), 32);
	write_buf(path("dev.pem"), &cert);
	write_buf(path("dev.csr"), &csr);
	tl_buf_dispose(&csr);
	tl_buf_dispose(&cert);
}

static void test_trust_x509__readers_refuse_malformed(void **state)
{
	STACK_OF(X509) *sk = NULL;
	STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
	X509_REQ *req = NULL;
	X509 *x = NULL;
	tl_buf pem = TL_BUF_INIT, der = TL_BUF_INIT, big = TL_BUF_INIT;
	unsigned char *d = NULL;
	int n;

	(void)state;
	make_ca();
	assert_int_equal(tl_file_read(&pem, path("dev.pem"), 0), TL_OK);
	assert_int_equal(tl__x509_parse_cert(&x, pem.ptr, pem.len, "dev.pem"), TL_OK);
	assert_true((n = i2d_X509(x, &d)) > 0);
	assert_int_equal(tl_buf_put(&der, d, (size_t)n), TL_OK);
	X509_free(x);
	x = NULL;
	/* DER: whole ok; truncated or with a trailing byte refused. */
	assert_int_equal(tl__x509_parse_cert(&x, der.ptr, der.len, "d"), TL_OK);
	X509_free(x);
	x = NULL;
	assert_int_equal(tl__x509_parse_cert(&x, der.ptr, der.len - 1, "d"), TL_EPARSE);
	assert_null(x);
	assert_non_null(strstr(tl_error_last(), "d: certificate 1: not a valid X.509 certificate"));
	assert_int_equal(tl_buf_putc(&der, '\0'), TL_OK);
	assert_int_equal(tl__x509_parse_cert(&x, der.ptr, der.len, "d"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "1 bytes after the certificate"));
	assert_int_equal(tl__x509_parse_cert(&x, "", 0, "empty"), TL_EPARSE);
	/* PEM: a cut END line, another block type, two where one is wanted. */
	assert_int_equal(tl__x509_parse_cert(&x, pem.ptr, pem.len - 10, "cut"), TL_EPARSE);
	assert_int_equal(tl__x509_parse_csr(&req, pem.ptr, pem.len, "c"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "expected \"CERTIFICATE REQUEST\""));
	assert_int_equal(tl__x509_parse_crls(crls, pem.ptr, pem.len, "c"), TL_EPARSE);
	assert_int_equal(sk_X509_CRL_num(crls), 0);
	assert_int_equal(tl_buf_put(&big, pem.ptr, pem.len), TL_OK);
	assert_int_equal(tl_buf_put(&big, pem.ptr, pem.len), TL_OK);
	assert_int_equal(tl__x509_parse_cert(&x, big.ptr, big.len, "two"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "expected one certificate, got more"));
	/* A bundle past its limit. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(tl_buf_put(&big, pem.ptr, pem.len), TL_OK);
	assert_int_equal(tl__x509_parse_certs(&sk, big.ptr, big.len, "bundle", 4), TL_ELIMIT);
	assert_null(sk);
	assert_int_equal(tl__x509_parse_certs(&sk, big.ptr, big.len, "bundle", 5), TL_OK);
	assert_int_equal(sk_X509_num(sk), 5);
	sk_X509_pop_free(sk, X509_free);
	/* The CSR reader takes one request; text around the PEM is fine. */
	tl_buf_clear(&big);
	assert_int_equal(tl_file_read(&big, path("dev.csr"), 0), TL_OK);
	assert_int_equal(tl__x509_parse_csr(&req, big.ptr, big.len, "csr"), TL_OK);
	X509_REQ_free(req);
	req = NULL;
	assert_int_equal(tl_buf_put(&big, big.ptr, big.len), TL_OK);
	assert_int_equal(tl__x509_parse_csr(&req, big.ptr, big.len, "csr2"), TL_EPARSE);
	assert_null(req);
	OPENSSL_free(d);
	sk_X509_CRL_free(crls);
	tl_buf_dispose(&pem);
	tl_buf_dispose(&der);
	tl_buf_dispose(&big);
}

static void test_trust_x509__verify_reasons(void **state)
{
	tl_buf crl = TL_BUF_INIT, pem = TL_BUF_INIT;
	tl_key *k = NULL;
	X509 *x = NULL;
	char serial[64];
	int64_t now;

	(void)state;
	make_ca();
	assert_int_equal(tl_x509_verify_cert(&k, path("dev.pem"), path("ca/root.pem"),
	                                     path("ca/issuing.pem"), NULL, 0), TL_OK);
	assert_non_null(k);
	assert_int_equal(tl_key_get_type(k), TL_KEY_P256);
	assert_false(tl_key_can_sign(k));
	tl_key_free(k);
	k = NULL;
	/* Without the intermediate: unknown issuer, and no key. */
	assert_int_equal(tl_x509_verify_cert(&k, path("dev.pem"), path("ca/root.pem"), NULL, NULL, 0),
	                 TL_ECHECK);
	assert_null(k);
	assert_non_null(strstr(tl_error_last(), ": unknown issuer: "));
	/* The chain as roots is refused too: the issuing CA is no self-signed anchor. */
	assert_int_equal(tl_x509_verify_cert(&k, path("dev.pem"), path("ca/issuing.pem"), NULL,
	                                     NULL, 0), TL_ECHECK);
	/* In 2001 nothing was valid yet. */
	assert_int_equal(tl_x509_verify_cert(&k, path("dev.pem"), path("ca/root.pem"),
	                                     path("ca/issuing.pem"), NULL, 1000000000), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), ": not yet valid: "));
	/* Unreadable input is not a failed check. */
	assert_int_equal(tl_x509_verify_cert(&k, path("none.pem"), path("ca/root.pem"), NULL, NULL, 0),
	                 TL_EIO);
	assert_int_equal(tl_x509_verify_cert(&k, path("dev.pem"), path("dev.key"), NULL, NULL, 0),
	                 TL_EPARSE);
	/* CRLs: fine, then revoked with the reason. */
	assert_int_equal(tl_ca_crl(&crl, path("ca"), 0), TL_OK);
	write_buf(path("crl.pem"), &crl);
	assert_int_equal(tl_x509_verify_cert(&k, path("dev.pem"), path("ca/root.pem"),
	                                     path("ca/issuing.pem"), path("crl.pem"), 0), TL_OK);
	tl_key_free(k);
	k = NULL;
	/* A CRL of the wrong CA is as good as none: fail closed. */
	assert_int_equal(tl_x509_verify_cert(&k, path("dev.pem"), path("ca/root.pem"),
	                                     path("ca/issuing.pem"), path("dev.pem"), 0), TL_EPARSE);
	assert_int_equal(tl_file_read(&pem, path("dev.pem"), 0), TL_OK);
	assert_int_equal(tl__x509_parse_cert(&x, pem.ptr, pem.len, "dev"), TL_OK);
	{
		BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
		char *h = BN_bn2hex(bn);
		snprintf(serial, sizeof(serial), "%s", h);
		OPENSSL_free(h);
		BN_free(bn);
	}
	assert_int_equal(tl_ca_revoke(path("ca"), serial, "superseded"), TL_OK);
	assert_int_equal(tl_ca_revoke(path("ca"), serial, NULL), TL_EINVAL);
	assert_int_equal(tl_ca_revoke(path("ca"), "abc", NULL), TL_ENOTFOUND);
	assert_int_equal(tl_ca_revoke(path("ca"), "xyz", NULL), TL_EINVAL);
	/* The old CRL still says valid; the new one says revoked. */
	assert_int_equal(tl_x509_verify_cert(&k, path("dev.pem"), path("ca/root.pem"),
	                                     path("ca/issuing.pem"), path("crl.pem"), 0), TL_OK);
	tl_key_free(k);
	k = NULL;
	tl_buf_clear(&crl);
	assert_int_equal(tl_ca_crl(&crl, path("ca"), 1), TL_OK);
	write_buf(path("crl2.pem"), &crl);
	assert_int_equal(tl_x509_verify_cert(&k, path("dev.pem"), path("ca/root.pem"),
	                                     path("ca/issuing.pem"), path("crl2.pem"), 0), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), ": revoked: certificate revoked"));
	/* 40 days on, the first (30-day) CRL is out of date. */
	assert_int_equal(tl_now(&now), TL_OK);
	assert_int_equal(tl_x509_verify_cert(&k, path("dev.pem"), path("ca/root.pem"),
	                                     path("ca/issuing.pem"), path("crl.pem"),
	                                     now + 40 * 86400), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), ": CRL out of date: CRL has expired"));
	X509_free(x);
	tl_buf_dispose(&crl);
	tl_buf_dispose(&pem);
}

static void test_trust_x509__issue_refuses_bad_requests(void **state)
{
	EVP_PKEY *p384 = NULL;
	X509_REQ *req = NULL;
	X509_NAME *nm = NULL;
	BIO *bio = NULL;
	char *data;
	long n;
	tl_buf cert = TL_BUF_INIT, csr = TL_BUF_INIT;

	(void)state;
	make_ca();
	/* A P-384 request, correctly signed: the key type is refused. */
	assert_non_null(p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"));
	assert_non_null(req = X509_REQ_new());
	assert_non_null(nm = X509_NAME_new());
	assert_int_equal(X509_NAME_add_entry_by_txt(nm, "serialNumber", MBSTRING_ASC,
	                                            (const unsigned char *)"P-384", -1, -1, 0), 1);
	assert_int_equal(X509_REQ_set_subject_name(req, nm), 1);
	assert_int_equal(X509_REQ_set_pubkey(req, p384), 1);
	assert_true(X509_REQ_sign(req, p384, EVP_sha256()) > 0);
	assert_non_null(bio = BIO_new(BIO_s_mem()));
	assert_int_equal(PEM_write_bio_X509_REQ(bio, req), 1);
	assert_true((n = BIO_get_mem_data(bio, &data)) > 0);
	assert_int_equal(tl_ca_issue(&cert, NULL, path("ca"), data, (size_t)n, "p384.csr", NULL),
	                 TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "p384.csr: wrong key type: EC curve secp384r1"));
	assert_int_equal(cert.len, 0);
	/* A good request with a flipped bit in its signature. */
	assert_int_equal(tl_file_read(&csr, path("dev.csr"), 0), TL_OK);
	{
		const unsigned char *q;
		unsigned char *der = NULL;
		X509_REQ *r = NULL;
		int dn;
		assert_int_equal(tl__x509_parse_csr(&r, csr.ptr, csr.len, "csr"), TL_OK);
		assert_true((dn = i2d_X509_REQ(r, &der)) > 0);
		der[dn - 2] ^= 1;
		q = der;
		assert_int_equal(tl_ca_issue(&cert, NULL, path("ca"), q, (size_t)dn, "flip.csr", NULL),
		                 TL_ECHECK);
		assert_non_null(strstr(tl_error_last(), "flip.csr: bad signature"));
		OPENSSL_free(der);
		X509_REQ_free(r);
	}
	/* A serial other than the request's. */
	{
		tl_ca_issue_opts o = { .serial_number = "D-2" };
		assert_int_equal(tl_ca_issue(&cert, NULL, path("ca"), csr.ptr, csr.len, "csr", &o),
		                 TL_ECHECK);
		assert_non_null(strstr(tl_error_last(), "serial mismatch"));
	}
	assert_int_equal(tl_device_csr(&csr, path("dev.key"), "bad*serial", NULL), TL_EINVAL);
	BIO_free(bio);
	X509_NAME_free(nm);
	X509_REQ_free(req);
	EVP_PKEY_free(p384);
	tl_buf_dispose(&cert);
	tl_buf_dispose(&csr);
}

int main(void)
{
	/* the real clock: certificates issued at a SOURCE_DATE_EPOCH in the past are expired */
	unsetenv("SOURCE_DATE_EPOCH");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_trust_x509__readers_refuse_malformed, tmpdir_setup,
		                                tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_trust_x509__verify_reasons, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_trust_x509__issue_refuses_bad_requests, tmpdir_setup,
		                                tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
