/*
 * Unit tests of device attestation: the TPMS_ATTEST and TPMT_SIGNATURE
 * readers on real swtpm quotes (tests/data/attest, see SOURCES.md) and on
 * truncated, oversized and wrong-type edits of them, and the evidence
 * checks after the envelope's signature.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "trustline/trust.h"
#include "trust/trust_int.h"

#define NONCE "fuzz-nonce-0001"
#define FW256 "eafdc75ccf858d63bd06db6f4365752996b419d8e0968b479bacb4a533e92084"

static const char *data_path(const char *rel, char *buf, size_t n)
{
	const char *root = getenv("TL_TEST_DATA");

	assert_non_null(root);
	snprintf(buf, n, "%s/attest/%s", root, rel);
	return buf;
}

static void load(tl_buf *b, const char *rel)
{
	char p[4096];

	assert_int_equal(tl_file_read(b, data_path(rel, p, sizeof(p)), 0), TL_OK);
}

static tl_key *key(const char *rel)
{
	char p[4096];
	tl_key *k = NULL;

	assert_int_equal(tl_key_load_public(&k, data_path(rel, p, sizeof(p))), TL_OK);
	return k;
}

/* The quote's attest and signature bytes from a statement in tests/data. */
static void quote_bytes(tl_buf *attest, tl_buf *sig, const char *rel)
{
	tl_buf b = TL_BUF_INIT;
	json_t *st, *q;
	json_error_t e;

	load(&b, rel);
	st = json_loadb(b.ptr, b.len, 0, &e);
	assert_non_null(st);
	q = json_object_get(json_object_get(st, "predicate"), "quote");
	assert_int_equal(tl_base64_decode(attest, json_string_value(json_object_get(q, "attest")),
	                                  strlen(json_string_value(json_object_get(q, "attest")))), TL_OK);
	assert_int_equal(tl_base64_decode(sig, json_string_value(json_object_get(q, "signature")),
	                                  strlen(json_string_value(json_object_get(q, "signature")))), TL_OK);
	json_decref(st);
	tl_buf_dispose(&b);
}

static void test_attest__swtpm_quote_fields(void **state)
{
	tl_buf a = TL_BUF_INIT, s = TL_BUF_INIT;
	tl__tpm_quote q;
	tl__tpm_signature ts;
	uint8_t bind[32];
	unsigned int n = 0;

	(void)state;
	quote_bytes(&a, &s, "swtpm-ec.json");
	assert_int_equal(tl__tpm_quote_parse(&q, (uint8_t *)a.ptr, a.len, "q"), TL_OK);
	assert_int_equal(q.magic, 0xff544347u);
	assert_int_equal(q.type, 0x8018);
	/* qualifiedSigner: a name of nameAlg sha256 (0x000b) and 32 bytes. */
	assert_int_equal(q.signer_len, 34);
	assert_int_equal(q.signer[0] << 8 | q.signer[1], 0x000b);
	assert_int_equal(EVP_Digest(NONCE, strlen(NONCE), bind, &n, EVP_sha256(), NULL), 1);
	assert_int_equal(q.extra_len, 32);
	assert_memory_equal(q.extra, bind, 32);
	assert_int_equal(q.nsel, 1);
	assert_int_equal(q.sel[0].hash, 0x000b);
	assert_int_equal(q.sel[0].mask, 0x100ffu); /* PCRs 0-7 and 16 */
	assert_int_equal(q.pcr_digest_len, 32);
	assert_int_equal(tl__tpm_signature_parse(&ts, (uint8_t *)s.ptr, s.len, "s"), TL_OK);
	assert_int_equal(ts.sig_alg, TL__TPM_ALG_ECDSA);
	assert_int_equal(ts.hash, TL__TPM_ALG_SHA256);
	assert_int_equal(ts.a_len, 32);
	assert_int_equal(ts.b_len, 32);
	tl_buf_dispose(&a);
	tl_buf_dispose(&s);
}

/* Every proper prefix fails; the whole parses; one more byte fails. */
static void test_attest__truncated_and_trailing(void **state)
{
	tl_buf a = TL_BUF_INIT, s = TL_BUF_INIT;
	tl__tpm_quote q;
	tl__tpm_signature ts;
	uint8_t big[2048];

	(void)state;
	quote_bytes(&a, &s, "swtpm-rsa.json");
	for (size_t n = 0; n < a.len; n++)
		assert_int_equal(tl__tpm_quote_parse(&q, (uint8_t *)a.ptr, n, "q"), TL_EPARSE);
	for (size_t n = 0; n < s.len; n++)
		assert_int_not_equal(tl__tpm_signature_parse(&ts, (uint8_t *)s.ptr, n, "s"), TL_OK);
	assert_int_equal(tl__tpm_signature_parse(&ts, (uint8_t *)s.ptr, s.len, "s"), TL_OK);
	assert_int_equal(ts.sig_alg, TL__TPM_ALG_RSAPSS);
	assert_int_equal(ts.a_len, 384);
	memcpy(big, a.ptr, a.len);
	big[a.len] = 0;
	assert_int_equal(tl__tpm_quote_parse(&q, big, a.len + 1, "q"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "1 bytes after the structure"));
	memcpy(big, s.ptr, s.len);
	big[s.len] = 0;
	assert_int_equal(tl__tpm_signature_parse(&ts, big, s.len + 1, "s"), TL_EPARSE);
	tl_buf_dispose(&a);
	tl_buf_dispose(&s);
}

/* Sizes past the TPM 2.0 limits and other structure types are refused. */
static void test_attest__oversized_and_wrong_type(void **state)
{
	tl_buf a = TL_BUF_INIT, s = TL_BUF_INIT;
	tl__tpm_quote q;
	tl__tpm_signature ts;
	uint8_t b[2048];
	size_t sel; /* offset of pcrSelect.count */

	(void)state;
	quote_bytes(&a, &s, "swtpm-ec.json");
	/* header 6, qualifiedSigner 2+34, extraData 2+32, clockInfo 17, firmwareVersion 8 */
	sel = 6 + 36 + 34 + 17 + 8;
	assert_true(sel + 4 < a.len);

	memcpy(b, a.ptr, a.len);
	b[5] = 0x14; /* TPM_ST_ATTEST_CERTIFY */
	assert_int_equal(tl__tpm_quote_parse(&q, b, a.len, "q"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "expected TPM_ST_ATTEST_QUOTE"));

	memcpy(b, a.ptr, a.len);
	b[6] = 0;
	b[7] = 69; /* qualifiedSigner larger than a TPMU_NAME */
	assert_int_equal(tl__tpm_quote_parse(&q, b, a.len, "q"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "qualifiedSigner: size 69, more than the limit"));

	memcpy(b, a.ptr, a.len);
	b[sel + 3] = 17; /* more selections than hash algorithms */
	assert_int_equal(tl__tpm_quote_parse(&q, b, a.len, "q"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "pcrSelect.count: 17"));

	memcpy(b, a.ptr, a.len);
	b[sel + 6] = 5; /* sizeofSelect past PCR_SELECT_MAX */
	assert_int_equal(tl__tpm_quote_parse(&q, b, a.len, "q"), TL_EPARSE);
	assert_non_null(strstr(tl_error_last(), "sizeofSelect: 5"));

	memcpy(b, a.ptr, a.len);
	b[6 + 36 + 34 + 16] = 2; /* clockInfo.safe is a TPMI_YES_NO */
	assert_int_equal(tl__tpm_quote_parse(&q, b, a.len, "q"), TL_EPARSE);

	memcpy(b, s.ptr, s.len);
	b[0] = 0x00;
	b[1] = 0x05; /* TPM_ALG_HMAC */
	assert_int_equal(tl__tpm_signature_parse(&ts, b, s.len, "s"), TL_EUNSUPPORTED);
	memcpy(b, s.ptr, s.len);
	b[4] = 0;
	b[5] = 129; /* signatureR larger than an ECC parameter */
	assert_int_equal(tl__tpm_signature_parse(&ts, b, s.len, "s"), TL_EPARSE);
	tl_buf_dispose(&a);
	tl_buf_dispose(&s);
}

static void test_attest__quote_signature(void **state)
{
	tl_buf a = TL_BUF_INIT, s = TL_BUF_INIT, ra = TL_BUF_INIT, rs = TL_BUF_INIT;
	tl__tpm_signature ts, rts;
	tl_key *ec = key("swtpm-ec.pub"), *rsa = key("swtpm-rsa.pub");

	(void)state;
	quote_bytes(&a, &s, "swtpm-ec.json");
	quote_bytes(&ra, &rs, "swtpm-rsa.json");
	assert_int_equal(tl__tpm_signature_parse(&ts, (uint8_t *)s.ptr, s.len, "s"), TL_OK);
	assert_int_equal(tl__tpm_signature_parse(&rts, (uint8_t *)rs.ptr, rs.len, "s"), TL_OK);
	assert_int_equal(tl__tpm_signature_verify(&ts, ec, (uint8_t *)a.ptr, a.len), TL_OK);
	assert_int_equal(tl__tpm_signature_verify(&rts, rsa, (uint8_t *)ra.ptr, ra.len), TL_OK);
	/* Another quote's bytes, a flipped bit, the other key. */
	assert_int_equal(tl__tpm_signature_verify(&ts, ec, (uint8_t *)ra.ptr, ra.len), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "bad signature"));
	a.ptr[10] ^= 1;
	assert_int_equal(tl__tpm_signature_verify(&ts, ec, (uint8_t *)a.ptr, a.len), TL_ECHECK);
	a.ptr[10] ^= 1;
	assert_int_equal(tl__tpm_signature_verify(&ts, rsa, (uint8_t *)a.ptr, a.len), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "wrong key type"));
	assert_int_equal(tl__tpm_signature_verify(&rts, ec, (uint8_t *)ra.ptr, ra.len), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "wrong key type"));
	ts.hash = TL__TPM_ALG_SHA1;
	assert_int_equal(tl__tpm_signature_verify(&ts, ec, (uint8_t *)a.ptr, a.len), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "sha1 not accepted"));
	tl_key_free(ec);
	tl_key_free(rsa);
	tl_buf_dispose(&a);
	tl_buf_dispose(&s);
	tl_buf_dispose(&ra);
	tl_buf_dispose(&rs);
}

/* check_payload on the real evidence, then on edits of it. */
static tl_err check(const char *payload, size_t len, tl_key *k, const tl_attest_expect *exp)
{
	tl_attest_report rep;

	return tl__attest_check_payload(&rep, (const uint8_t *)payload, len, k, exp, "ev", NULL);
}

static void test_attest__evidence_checks(void **state)
{
	static const tl_attest_pcr zero16[] = { { 16, { 0 } } };
	tl_buf b = TL_BUF_INIT;
	tl_key *ec = key("swtpm-ec.pub"), *rsa = key("swtpm-rsa.pub");
	tl_attest_expect exp = { 0 };
	tl_attest_report rep;
	json_t *st, *pcrs;
	json_error_t e;
	char *edited;

	(void)state;
	exp.nonce = NONCE;
	exp.expect_firmware = FW256;
	exp.require_quote = true;
	load(&b, "swtpm-ec.json");
	assert_int_equal(tl__attest_check_payload(&rep, (uint8_t *)b.ptr, b.len, ec, &exp, "ev",
	                                          NULL), TL_OK);
	assert_true(rep.has_quote);
	assert_int_equal(rep.npcrs, 9);
	assert_int_equal(rep.pcrs[8].index, 16);
	assert_string_equal(rep.quote_sig, "ecdsa-sha256");
	assert_string_equal(rep.key_backend, "tpm2");
	exp.expect_pcrs = zero16;
	exp.nexpect_pcrs = 1;
	assert_int_equal(check(b.ptr, b.len, ec, &exp), TL_OK);

	assert_int_equal(check(b.ptr, b.len, rsa, &exp), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "key mismatch"));
	exp.nonce = "fuzz-nonce-0002";
	assert_int_equal(check(b.ptr, b.len, ec, &exp), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "nonce mismatch"));
	exp.nonce = NONCE;
	exp.expect_firmware = "EAFDC75CCF858D63BD06DB6F4365752996B419D8E0968B479BACB4A533E92085";
	assert_int_equal(check(b.ptr, b.len, ec, &exp), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "firmware digest mismatch"));
	exp.expect_firmware = NULL;

	/* An edited predicate: the nonce changed to another (quote's extraData
	 * then no longer binds it), an unknown member, a PCR out of order. */
	st = json_loadb(b.ptr, b.len, 0, &e);
	assert_non_null(st);
	json_object_set_new(json_object_get(st, "predicate"), "nonce", json_string("other"));
	edited = json_dumps(st, 0);
	exp.nonce = "other";
	assert_int_equal(check(edited, strlen(edited), ec, &exp), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "extraData is not SHA-256 of the nonce"));
	free(edited);
	exp.nonce = NONCE;
	json_object_set_new(json_object_get(st, "predicate"), "nonce", json_string(NONCE));
	json_object_set_new(json_object_get(st, "predicate"), "time", json_string("now"));
	edited = json_dumps(st, 0);
	assert_int_equal(check(edited, strlen(edited), ec, &exp), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "$.predicate: unknown member \"time\""));
	free(edited);
	json_object_del(json_object_get(st, "predicate"), "time");
	pcrs = json_object_get(json_object_get(json_object_get(st, "predicate"), "quote"), "pcrs");
	json_array_remove(pcrs, 0); /* PCR 0 moved to the end: out of order */
	json_array_append_new(pcrs, json_pack("{s:i, s:s}", "index", 0, "sha256",
	                                      "00000000000000000000000000000000"
	                                      "00000000000000000000000000000000"));
	edited = json_dumps(st, 0);
	assert_int_equal(check(edited, strlen(edited), ec, &exp), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "expected ascending, unique"));
	free(edited);
	json_decref(st);

	/* The RSA evidence has PCRs 0 and 1 only. */
	tl_buf_clear(&b);
	load(&b, "swtpm-rsa.json");
	assert_int_equal(check(b.ptr, b.len, rsa, &exp), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "PCR 16 is not in the quote"));
	exp.nexpect_pcrs = 0;
	assert_int_equal(check(b.ptr, b.len, rsa, &exp), TL_OK);
	tl_key_free(ec);
	tl_key_free(rsa);
	tl_buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attest__swtpm_quote_fields),
		cmocka_unit_test(test_attest__truncated_and_trailing),
		cmocka_unit_test(test_attest__oversized_and_wrong_type),
		cmocka_unit_test(test_attest__quote_signature),
		cmocka_unit_test(test_attest__evidence_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
