/*
 * Unit tests of src/trust: base64, key URIs and the file backend, DSSE
 * (PAE, parsing, signing, verification), in-toto statements, and the
 * public interop vectors (DSSE spec, Wycheproof, sigstore conformance).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trustline/trust.h"
#include "trust/trust_int.h"
#include "testutil.h"


static const char *shared(const char *rel, char *buf, size_t n)
{
	const char *root = getenv("TL_SHARED_DATA");

	assert_non_null(root);
	snprintf(buf, n, "%s/%s", root, rel);
	return buf;
}

static json_t *load_json(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &e);

	if (!j)
		fail_msg("%s: %s", path, e.text);
	return j;
}

static size_t unhex(uint8_t *out, size_t max, const char *hex)
{
	size_t n = strlen(hex) / 2;

	assert_true(n <= max);
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;
		for (int j = 0; j < 2; j++) {
			char c = hex[2 * i + (size_t)j];
			v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
		}
		out[i] = (uint8_t)v;
	}
	return n;
}

/* ---- base64 ------------------------------------------------------------- */

static void test_trust__base64_roundtrip_and_rejects(void **state)
{
	/* RFC 4648 section 10 test vectors. */
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
	                                   "Zm9vYmFy" };
	static const char *const bad[] = { "Zg=", "Zg===", "Z", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n",
	                                   "Zm9*", "+/-_", "=Zm9", "Zm=v" };
	tl_buf b = TL_BUF_INIT;

	(void)state;
	for (size_t i = 0; i < 7; i++) {
		tl_buf_clear(&b);
		assert_int_equal(tl_base64_encode(&b, plain[i], strlen(plain[i])), TL_OK);
		assert_string_equal(b.ptr, enc[i]);
		tl_buf_clear(&b);
		assert_int_equal(tl_base64_decode(&b, enc[i], strlen(enc[i])), TL_OK);
		assert_int_equal(b.len, strlen(plain[i]));
		assert_memory_equal(b.ptr, plain[i], b.len);
	}
	/* Unpadded and URL-safe forms are accepted (DSSE allows both). */
	tl_buf_clear(&b);
	assert_int_equal(tl_base64_decode(&b, "Zm9vYg", 6), TL_OK);
	assert_int_equal(b.len, 4);
	tl_buf_clear(&b);
	assert_int_equal(tl_base64_decode(&b, "-_8", 3), TL_OK);
	assert_int_equal(b.len, 2);
	assert_int_equal((uint8_t)b.ptr[0], 0xfb);
	assert_int_equal((uint8_t)b.ptr[1], 0xff);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tl_buf_clear(&b);
		if (tl_base64_decode(&b, bad[i], strlen(bad[i])) != TL_EPARSE)
			fail_msg("accepted bad base64 \"%s\"", bad[i]);
	}
	tl_buf_dispose(&b);
}

/* ---- URIs and the file backend ------------------------------------------ */

static void test_trust__key_uris(void **state)
{
	char *p = NULL;
	tl_key *k = NULL;

	(void)state;
	assert_int_equal(tl__file_uri_path(&p, "keys/a.pem"), TL_OK);
	assert_string_equal(p, "keys/a.pem");
	free(p);
	assert_int_equal(tl__file_uri_path(&p, "file:///etc/k%20ey.pem"), TL_OK);
	assert_string_equal(p, "/etc/k ey.pem");
	free(p);
	assert_int_equal(tl__file_uri_path(&p, "file://localhost/k.pem"), TL_OK);
	assert_string_equal(p, "/k.pem");
	free(p);
	assert_int_equal(tl__file_uri_path(&p, "file:rel/k.pem"), TL_OK);
	assert_string_equal(p, "rel/k.pem");
	free(p);
	assert_int_equal(tl__file_uri_path(&p, "file://host/k.pem"), TL_EINVAL);
	assert_int_equal(tl__file_uri_path(&p, "file:/a%00b"), TL_EINVAL);
	assert_int_equal(tl__uri_scheme_len("pkcs11:token=a;object=b"), 6);
	assert_int_equal(tl__uri_scheme_len("./pkcs11:x"), 0);
	assert_int_equal(tl_key_open(&k, "awskms:///alias/release"), TL_EUNSUPPORTED);
	assert_non_null(strstr(tl_error_last(), "\"awskms:\" is not supported"));
	assert_int_equal(tl_key_open(&k, "pkcs11:token=%zz"), TL_EINVAL);
	assert_non_null(strstr(tl_error_last(), "RFC 7512"));
	assert_null(k);
	assert_int_equal(tl_key_open(&k, ""), TL_EINVAL);
}

static void gen_and_roundtrip(tl_key_type type)
{
	char path[512], id[TL_KEY_ID_HEX_LEN + 1], id2[TL_KEY_ID_HEX_LEN + 1];
	tl_key *k = NULL, *k2 = NULL, *pub = NULL;
	tl_buf sig = TL_BUF_INIT, pem = TL_BUF_INIT;
	unsigned char *der = NULL;
	uint8_t md[TL_HASH_MAX_LEN];
	char mdhex[TL_HASH_MAX_LEN * 2 + 1];
	size_t mdlen;
	struct stat st;
	int n;

	snprintf(path, sizeof(path), "file://%s/%s.pem", tmpdir, tl_key_type_name(type));
	assert_int_equal(tl_key_generate(&k, path, type), TL_OK);
	assert_int_equal(tl_key_get_type(k), type);
	assert_true(tl_key_can_sign(k));
	assert_int_equal(stat(path + 7, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Never overwrites: the file and its bytes stay. */
	assert_int_equal(tl_key_generate(&k2, path, type), TL_EINVAL);
	assert_non_null(strstr(tl_error_last(), "already exists"));
	assert_null(k2);

	/* Key id = SHA-256 of the DER SubjectPublicKeyInfo. */
	assert_int_equal(tl_key_id(id, k), TL_OK);
	assert_true((n = i2d_PUBKEY(k->pub, &der)) > 0);
	assert_int_equal(tl_hash_buf(TL_HASH_SHA256, der, (size_t)n, md, &mdlen), TL_OK);
	tl_hex(mdhex, md, mdlen);
	assert_string_equal(id, mdhex);
	OPENSSL_free(der);

	/* Reopened from the file, same key. */
	assert_int_equal(tl_key_open(&k2, path + 7), TL_OK);
	assert_int_equal(tl_key_id(id2, k2), TL_OK);
	assert_string_equal(id, id2);

	/* Sign with one handle, verify through the public PEM. */
	assert_int_equal(tl_key_sign(&sig, k2, "message", 7), TL_OK);
	if (type == TL_KEY_ED25519)
		assert_int_equal(sig.len, 64);
	if (type == TL_KEY_RSA3072)
		assert_int_equal(sig.len, 384);
	if (type == TL_KEY_P256)
		assert_int_equal((uint8_t)sig.ptr[0], 0x30); /* DER SEQUENCE */
	assert_int_equal(tl_key_public_pem(&pem, k), TL_OK);
	assert_non_null(strstr(pem.ptr, "-----BEGIN PUBLIC KEY-----"));
	assert_int_equal(tl_key_from_public(&pub, pem.ptr, pem.len, "pub.pem"), TL_OK);
	assert_false(tl_key_can_sign(pub));
	assert_int_equal(tl_key_verify(pub, "message", 7, sig.ptr, sig.len, TL_SIG_DER), TL_OK);
	assert_int_equal(tl_key_verify(pub, "messagE", 7, sig.ptr, sig.len, TL_SIG_DER), TL_ECHECK);
	sig.ptr[sig.len - 1] ^= 1;
	assert_int_equal(tl_key_verify(pub, "message", 7, sig.ptr, sig.len, TL_SIG_DER), TL_ECHECK);
	/* A public key cannot sign. */
	assert_int_equal(tl_key_sign(&sig, pub, "m", 1), TL_EINVAL);

	tl_buf_dispose(&sig);
	tl_buf_dispose(&pem);
	tl_key_free(k);
	tl_key_free(k2);
	tl_key_free(pub);
}

static void test_trust__file_keys_generate_sign_verify(void **state)
{
	(void)state;
	gen_and_roundtrip(TL_KEY_ED25519);
	gen_and_roundtrip(TL_KEY_P256);
	gen_and_roundtrip(TL_KEY_RSA3072);
}

static void test_trust__unsupported_key_types_refused(void **state)
{
	EVP_PKEY *pk;
	unsigned char *der = NULL;
	tl_key *k = NULL;
	int n;

	(void)state;
	/* P-384 and RSA-2048 are well-formed keys of types we do not use. */
	assert_non_null(pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"));
	assert_true((n = i2d_PUBKEY(pk, &der)) > 0);
	assert_int_equal(tl_key_from_public(&k, der, (size_t)n, "p384.der"), TL_EUNSUPPORTED);
	assert_non_null(strstr(tl_error_last(), "wrong key type"));
	OPENSSL_free(der);
	der = NULL;
	EVP_PKEY_free(pk);
	assert_non_null(pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048));
	assert_true((n = i2d_PUBKEY(pk, &der)) > 0);
	assert_int_equal(tl_key_from_public(&k, der, (size_t)n, "rsa2048.der"), TL_EUNSUPPORTED);
	assert_non_null(strstr(tl_error_last(), "RSA-2048"));
	OPENSSL_free(der);
	EVP_PKEY_free(pk);
	assert_int_equal(tl_key_from_public(&k, "garbage", 7, "g"), TL_EPARSE);
	assert_null(k);
}

/* ---- DSSE --------------------------------------------------------------- */

/* The P-256 public key of the DSSE spec vector, from its decimal x and y. */
static tl_key *dsse_vector_key(const json_t *key, bool priv)
{
	BIGNUM *x = NULL, *y = NULL, *d = NULL;
	uint8_t pt[65];
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pk = NULL;
	unsigned char *der = NULL;
	tl_key *k = NULL;
	int n;

	assert_true(BN_dec2bn(&x, json_string_value(json_object_get(key, "x_dec"))) > 0);
	assert_true(BN_dec2bn(&y, json_string_value(json_object_get(key, "y_dec"))) > 0);
	assert_true(BN_dec2bn(&d, json_string_value(json_object_get(key, "d_dec"))) > 0);
	pt[0] = 0x04;
	assert_int_equal(BN_bn2binpad(x, pt + 1, 32), 32);
	assert_int_equal(BN_bn2binpad(y, pt + 33, 32), 32);
	assert_non_null(bld = OSSL_PARAM_BLD_new());
	assert_int_equal(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0), 1);
	assert_int_equal(OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, 65), 1);
	if (priv)
		assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d), 1);
	assert_non_null(params = OSSL_PARAM_BLD_to_param(bld));
	assert_non_null(ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL));
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &pk, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
	                                   params), 1);
	if (!priv) {
		assert_true((n = i2d_PUBKEY(pk, &der)) > 0);
		assert_int_equal(tl_key_from_public(&k, der, (size_t)n, "dsse-vector"), TL_OK);
		OPENSSL_free(der);
	} else {
		assert_non_null(k = calloc(1, sizeof(*k)));
		k->be = &tl__key_backend_file;
		k->type = TL_KEY_P256;
		assert_true((n = i2d_PUBKEY(pk, &der)) > 0);
		const unsigned char *q = der;
		assert_non_null(k->pub = d2i_PUBKEY(NULL, &q, n));
		OPENSSL_free(der);
		k->state = pk;
		pk = NULL;
	}
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(x);
	BN_free(y);
	BN_free(d);
	return k;
}

static void test_trust__dsse_spec_vector(void **state)
{
	char path[1024];
	json_t *vec, *envj;
	char *envs;
	tl_buf pae = TL_BUF_INIT, mine = TL_BUF_INIT;
	tl_dsse_envelope *env = NULL, *env2 = NULL;
	tl_key *pub, *priv;
	const char *type, *payload;

	(void)state;
	vec = load_json(shared("vectors/dsse/dsse-protocol-test-vector.json", path, sizeof(path)));
	type = json_string_value(json_object_get(vec, "payloadType"));
	payload = json_string_value(json_object_get(vec, "payload_utf8"));

	/* Our PAE reproduces the spec's bytes exactly. */
	assert_int_equal(tl_dsse_pae(&pae, type, strlen(type), payload, strlen(payload)), TL_OK);
	assert_int_equal(tl_buf_cstr(&pae), TL_OK);
	assert_string_equal(pae.ptr, json_string_value(json_object_get(vec, "pae_utf8")));

	/* The spec's envelope (r||s signature) verifies with the spec's key. */
	envj = json_object_get(vec, "envelope");
	assert_non_null(envs = json_dumps(envj, JSON_COMPACT));
	assert_int_equal(tl_dsse_parse(&env, envs, strlen(envs), "vector", NULL), TL_OK);
	assert_int_equal(env->payload_len, strlen(payload));
	assert_memory_equal(env->payload, payload, env->payload_len);
	assert_null(env->sigs[0].keyid);
	pub = dsse_vector_key(json_object_get(vec, "key"), false);
	assert_int_equal(tl_dsse_verify(env, pub, NULL), TL_OK);

	/* Each forged variant fails, with a "bad signature" reason. */
	env->payload[0] ^= 0x01;
	assert_int_equal(tl_dsse_verify(env, pub, NULL), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "bad signature"));
	env->payload[0] ^= 0x01;
	env->sigs[0].sig[10] ^= 0x80;
	assert_int_equal(tl_dsse_verify(env, pub, NULL), TL_ECHECK);
	env->sigs[0].sig[10] ^= 0x80;
	env->payload_type[0] = 'H';
	assert_int_equal(tl_dsse_verify(env, pub, NULL), TL_ECHECK);
	env->payload_type[0] = 'h';
	assert_int_equal(tl_dsse_verify(env, pub, NULL), TL_OK);

	/* Our own signature with the spec's private key verifies too. */
	priv = dsse_vector_key(json_object_get(vec, "key"), true);
	assert_int_equal(tl_dsse_sign(&mine, priv, type, payload, strlen(payload)), TL_OK);
	assert_int_equal(tl_dsse_parse(&env2, mine.ptr, mine.len, "mine", NULL), TL_OK);
	assert_int_equal(tl_dsse_verify(env2, pub, NULL), TL_OK);

	tl_dsse_envelope_free(env);
	tl_dsse_envelope_free(env2);
	tl_key_free(pub);
	tl_key_free(priv);
	tl_buf_dispose(&pae);
	tl_buf_dispose(&mine);
	free(envs);
	json_decref(vec);
}

static void test_trust__pae_lengths_are_bytes(void **state)
{
	tl_buf b = TL_BUF_INIT;
	static const char body[] = "\xc3\xa9\x00z"; /* 4 bytes with a NUL, 3 "characters" */

	(void)state;
	assert_int_equal(tl_dsse_pae(&b, "t", 1, body, 4), TL_OK);
	assert_int_equal(b.len, strlen("DSSEv1 1 t 4 ") + 4);
	assert_memory_equal(b.ptr, "DSSEv1 1 t 4 \xc3\xa9\x00z", b.len);
	tl_buf_clear(&b);
	assert_int_equal(tl_dsse_pae(&b, "", 0, "", 0), TL_OK);
	assert_memory_equal(b.ptr, "DSSEv1 0  0 ", b.len);
	tl_buf_dispose(&b);
}

static void expect_parse_error(const char *json, tl_err want, const char *msg)
{
	tl_dsse_envelope *env = NULL;
	tl_err got = tl_dsse_parse(&env, json, strlen(json), "e.json", NULL);

	if (got != want)
		fail_msg("%s: got %d (%s), want %d", json, got, tl_error_last(), want);
	if (!strstr(tl_error_last(), msg))
		fail_msg("%s: message \"%s\" lacks \"%s\"", json, tl_error_last(), msg);
	assert_null(env);
}

static void test_trust__dsse_parse_strict(void **state)
{
	char big[4096];
	size_t off;

	(void)state;
	expect_parse_error("", TL_EPARSE, "e.json");
	expect_parse_error("[]", TL_EPARSE, "$: expected a DSSE envelope object");
	expect_parse_error("{\"payload\":\"\",\"signatures\":[{\"sig\":\"AA==\"}]}", TL_EPARSE,
	                   "$.payloadType: missing");
	expect_parse_error("{\"payloadType\":7,\"payload\":\"\",\"signatures\":[{\"sig\":\"AA==\"}]}",
	                   TL_EPARSE, "$.payloadType: expected a string");
	expect_parse_error("{\"payloadType\":\"t\",\"signatures\":[{\"sig\":\"AA==\"}]}", TL_EPARSE,
	                   "$.payload: missing");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"!!\",\"signatures\":[{\"sig\":\"AA==\"}]}",
	                   TL_EPARSE, "$.payload: bad base64");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[]}", TL_EPARSE,
	                   "$.signatures: empty");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":{}}", TL_EPARSE,
	                   "$.signatures: expected an array");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[1]}", TL_EPARSE,
	                   "$.signatures[0]: expected an object");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"sig\":\"AA==\"},"
	                   "{\"keyid\":5,\"sig\":\"AA==\"}]}", TL_EPARSE, "$.signatures[1].keyid");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"keyid\":\"a\"}]}",
	                   TL_EPARSE, "$.signatures[0].sig: missing");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"sig\":\"\"}]}",
	                   TL_EPARSE, "$.signatures[0].sig: empty");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"sig\":\"A\"}]}",
	                   TL_EPARSE, "$.signatures[0].sig: bad base64");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"sig\":\"AA==\","
	                   "\"cert\":\"x\"}]}", TL_EPARSE, "$.signatures[0].cert: unknown member");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\",\"extra\":1,\"signatures\":"
	                   "[{\"sig\":\"AA==\"}]}", TL_EPARSE, "$.extra: unknown member");
	expect_parse_error("{\"payloadType\":\"t\",\"payload\":\"\",\"payload\":\"\",\"signatures\":"
	                   "[{\"sig\":\"AA==\"}]}", TL_EPARSE, "duplicate");
	/* Too many signatures. */
	off = (size_t)snprintf(big, sizeof(big), "{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[");
	for (int i = 0; i <= TL_DSSE_MAX_SIGNATURES; i++)
		off += (size_t)snprintf(big + off, sizeof(big) - off, "%s{\"sig\":\"AA==\"}", i ? "," : "");
	snprintf(big + off, sizeof(big) - off, "]}");
	expect_parse_error(big, TL_ELIMIT, "more than the limit");
	/* Oversized members. */
	{
		tl_buf j = TL_BUF_INIT;
		char *pad = malloc(6000);
		assert_non_null(pad);
		memset(pad, 'A', 5999);
		pad[5999] = '\0';
		assert_int_equal(tl_buf_printf(&j, "{\"payloadType\":\"%.1025s\",\"payload\":\"\","
		                 "\"signatures\":[{\"sig\":\"AA==\"}]}", pad), TL_OK);
		expect_parse_error(j.ptr, TL_EPARSE, "$.payloadType: expected 1 to 1024 bytes");
		tl_buf_clear(&j);
		assert_int_equal(tl_buf_printf(&j, "{\"payloadType\":\"t\",\"payload\":\"\","
		                 "\"signatures\":[{\"keyid\":\"%.1025s\",\"sig\":\"AA==\"}]}", pad), TL_OK);
		expect_parse_error(j.ptr, TL_ELIMIT, "$.signatures[0].keyid: longer than 1024");
		tl_buf_clear(&j);
		/* 5,468 base64 characters decode to 4,101 bytes > 4096. */
		assert_int_equal(tl_buf_printf(&j, "{\"payloadType\":\"t\",\"payload\":\"\","
		                 "\"signatures\":[{\"sig\":\"%.5468s\"}]}", pad), TL_OK);
		expect_parse_error(j.ptr, TL_ELIMIT, "$.signatures[0].sig: longer than 4096");
		tl_buf_dispose(&j);
		free(pad);
	}
	/* Truncated at every length: never accepted, never crashes. */
	{
		const char *good = "{\"payloadType\":\"t\",\"payload\":\"aGk=\",\"signatures\":[{\"keyid\":\"k\","
		                   "\"sig\":\"AAAA\"}]}";
		tl_dsse_envelope *env = NULL;
		for (size_t n = 0; n < strlen(good); n++)
			assert_int_not_equal(tl_dsse_parse(&env, good, n, "t", NULL), TL_OK);
		assert_int_equal(tl_dsse_parse(&env, good, strlen(good), "t", NULL), TL_OK);
		assert_string_equal(env->sigs[0].keyid, "k");
		assert_int_equal(env->sigs[0].sig_len, 3);
		tl_dsse_envelope_free(env);
	}
	/* Nested too deep. */
	{
		char deep[600];
		memset(deep, '[', sizeof(deep) - 1);
		deep[sizeof(deep) - 1] = '\0';
		expect_parse_error(deep, TL_ELIMIT, "nesting");
	}
}

/* Envelope signed by k (new file key of type) over payload. */
static tl_dsse_envelope *signed_env(tl_key *k, const char *payload)
{
	tl_buf out = TL_BUF_INIT;
	tl_dsse_envelope *env = NULL;

	assert_int_equal(tl_dsse_sign(&out, k, "text/plain", payload, strlen(payload)), TL_OK);
	assert_int_equal(tl_dsse_parse(&env, out.ptr, out.len, "signed", NULL), TL_OK);
	tl_buf_dispose(&out);
	return env;
}

static tl_key *new_key(tl_key_type type, const char *name)
{
	char path[512];
	tl_key *k = NULL;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_int_equal(tl_key_generate(&k, path, type), TL_OK);
	return k;
}

static void test_trust__dsse_forgeries_fail_with_reason(void **state)
{
	tl_key *ed = new_key(TL_KEY_ED25519, "f-ed.pem"), *ed2 = new_key(TL_KEY_ED25519, "f-ed2.pem");
	tl_key *p256 = new_key(TL_KEY_P256, "f-p256.pem");
	tl_key *rsa = new_key(TL_KEY_RSA3072, "f-rsa.pem");
	tl_key *keys[] = { ed, p256, rsa };
	tl_dsse_envelope *env;
	size_t which = 99;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		env = signed_env(keys[i], "firmware 1.2.3");
		assert_int_equal(tl_dsse_verify(env, keys[i], &which), TL_OK);
		assert_int_equal(which, 0);
		/* flipped bit in the payload */
		env->payload[3] ^= 0x04;
		assert_int_equal(tl_dsse_verify(env, keys[i], NULL), TL_ECHECK);
		assert_non_null(strstr(tl_error_last(), "bad signature by key"));
		env->payload[3] ^= 0x04;
		/* flipped bit in the signature */
		env->sigs[0].sig[env->sigs[0].sig_len / 2] ^= 0x10;
		assert_int_equal(tl_dsse_verify(env, keys[i], NULL), TL_ECHECK);
		assert_non_null(strstr(tl_error_last(), "bad signature by key"));
		env->sigs[0].sig[env->sigs[0].sig_len / 2] ^= 0x10;
		assert_int_equal(tl_dsse_verify(env, keys[i], NULL), TL_OK);
		/* a key of another type */
		assert_int_equal(tl_dsse_verify(env, keys[(i + 1) % 3], NULL), TL_ECHECK);
		if (i != 0) /* a P-256 signature to RSA, an RSA one to Ed25519 */
			assert_non_null(strstr(tl_error_last(), "wrong key type"));
		tl_dsse_envelope_free(env);
	}
	/* RSA-signed envelope to an Ed25519 key: wrong key type. */
	env = signed_env(rsa, "x");
	assert_int_equal(tl_dsse_verify(env, ed, NULL), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "wrong key type"));
	tl_dsse_envelope_free(env);
	/* Another key of the same type: no signature by that key. */
	env = signed_env(ed, "x");
	assert_int_equal(tl_dsse_verify(env, ed2, NULL), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "no signature by key"));
	/* Without the keyid hint, the same forgery reads "bad signature". */
	free(env->sigs[0].keyid);
	env->sigs[0].keyid = NULL;
	assert_int_equal(tl_dsse_verify(env, ed2, NULL), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "bad signature"));
	assert_int_equal(tl_dsse_verify(env, ed, NULL), TL_OK);
	tl_dsse_envelope_free(env);
	tl_key_free(ed);
	tl_key_free(ed2);
	tl_key_free(p256);
	tl_key_free(rsa);
}

/* ---- statements --------------------------------------------------------- */

static void expect_stmt_error(const char *json, const char *msg)
{
	tl_statement *st = NULL;

	if (tl_statement_parse(&st, json, strlen(json), "s.json", NULL) == TL_OK)
		fail_msg("accepted %s", json);
	if (!strstr(tl_error_last(), msg))
		fail_msg("%s: message \"%s\" lacks \"%s\"", json, tl_error_last(), msg);
	assert_null(st);
}

static void test_trust__statement_parse_and_match(void **state)
{
	char art[512], other[512];
	tl_buf b = TL_BUF_INIT;
	tl_statement *st = NULL;
	uint8_t md[TL_HASH_MAX_LEN];
	char hex[129];
	size_t mdlen;
	FILE *f;
	json_t *pred;

	(void)state;
	snprintf(art, sizeof(art), "%s/fw.bin", tmpdir);
	snprintf(other, sizeof(other), "%s/other.bin", tmpdir);
	assert_non_null(f = fopen(art, "wb"));
	fputs("firmware image", f);
	fclose(f);
	assert_non_null(f = fopen(other, "wb"));
	fputs("firmware imagf", f);
	fclose(f);

	assert_non_null(pred = json_pack("{s:s}", "bomFormat", "CycloneDX"));
	assert_int_equal(tl_statement_build(&b, art, TL_PREDICATE_CYCLONEDX, pred), TL_OK);
	json_decref(pred);
	assert_int_equal(tl_statement_parse(&st, b.ptr, b.len, "built", NULL), TL_OK);
	assert_string_equal(st->type, TL_INTOTO_STATEMENT_V1);
	assert_string_equal(st->predicate_type, "https://cyclonedx.org/bom");
	assert_int_equal(st->nsubjects, 1);
	assert_string_equal(st->subjects[0].name, "fw.bin");
	assert_int_equal(tl_hash_buf(TL_HASH_SHA256, "firmware image", 14, md, &mdlen), TL_OK);
	tl_hex(hex, md, mdlen);
	assert_string_equal(st->subjects[0].sha256, hex);
	assert_int_equal(tl_hash_buf(TL_HASH_SHA512, "firmware image", 14, md, &mdlen), TL_OK);
	tl_hex(hex, md, mdlen);
	assert_string_equal(st->subjects[0].sha512, hex);
	assert_string_equal(json_string_value(json_object_get(st->predicate, "bomFormat")), "CycloneDX");
	assert_int_equal(tl_statement_match_artifact(st, art), TL_OK);
	assert_int_equal(tl_statement_match_artifact(st, other), TL_ECHECK);
	assert_non_null(strstr(tl_error_last(), "digest mismatch"));
	/* A sha512 mismatch alone fails even when sha256 matches. */
	st->subjects[0].sha512[5] ^= 1;
	assert_int_equal(tl_statement_match_artifact(st, art), TL_ECHECK);
	tl_statement_free(st);
	tl_buf_dispose(&b);

	assert_string_equal(tl_predicate_type_uri("spdx"), "https://spdx.dev/Document");
	assert_string_equal(tl_predicate_type_uri("slsa-provenance"), "https://slsa.dev/provenance/v1");
	assert_null(tl_predicate_type_uri("sbom"));

	expect_stmt_error("{}", "$._type");
	expect_stmt_error("{\"_type\":\"https://in-toto.io/Statement/v2\"}", "$._type: expected");
	expect_stmt_error("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[],"
	                  "\"predicateType\":\"x\"}", "$.subject: empty");
	expect_stmt_error("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"a\"}],"
	                  "\"predicateType\":\"x\"}", "$.subject[0].digest: missing");
	expect_stmt_error("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":"
	                  "{\"sha256\":\"abc\"}}],\"predicateType\":\"x\"}",
	                  "$.subject[0].digest.sha256: expected 64 hex digits");
	expect_stmt_error("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":"
	                  "{\"sha1\":1}}],\"predicateType\":\"x\"}", "$.subject[0].digest.sha1");
	expect_stmt_error("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":"
	                  "{\"x\":\"1\"}}],\"predicateType\":\"\"}", "$.predicateType");
	expect_stmt_error("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":"
	                  "{\"x\":\"1\"}}],\"predicateType\":\"p\",\"predicate\":[]}",
	                  "$.predicate: expected an object");
	expect_stmt_error("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":"
	                  "{\"x\":\"1\"}}],\"predicateType\":\"p\",\"evil\":1}", "$.evil: unknown");
	/* Too many subjects. */
	{
		tl_buf j = TL_BUF_INIT;
		assert_int_equal(tl_buf_puts(&j, "{\"_type\":\"https://in-toto.io/Statement/v1\","
		                             "\"predicateType\":\"p\",\"subject\":["), TL_OK);
		for (int i = 0; i <= TL_STATEMENT_MAX_SUBJECTS; i++)
			assert_int_equal(tl_buf_printf(&j, "%s{\"digest\":{\"x\":\"1\"}}", i ? "," : ""), TL_OK);
		assert_int_equal(tl_buf_puts(&j, "]}"), TL_OK);
		assert_int_equal(tl_statement_parse(&st, j.ptr, j.len, "s", NULL), TL_ELIMIT);
		assert_non_null(strstr(tl_error_last(), "$.subject: 10001 subjects"));
		tl_buf_dispose(&j);
	}
	/* A subject with only unknown algorithms never matches an artifact. */
	{
		const char *j = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":"
		                "{\"gitCommit\":\"abc\"}}],\"predicateType\":\"p\"}";
		assert_int_equal(tl_statement_parse(&st, j, strlen(j), "s", NULL), TL_OK);
		assert_int_equal(tl_statement_match_artifact(st, art), TL_ECHECK);
		tl_statement_free(st);
	}
}

/* ---- Wycheproof --------------------------------------------------------- */

/* Runs every test of a Wycheproof file; returns the number of mismatches. */
static size_t run_wycheproof(const char *file, tl_sig_encoding enc, size_t *ntests)
{
	char path[1024];
	json_t *root = load_json(shared(file, path, sizeof(path)));
	json_t *groups = json_object_get(root, "testGroups"), *g, *t;
	size_t gi, ti, bad = 0;
	static uint8_t msg[1 << 16], sig[1 << 14], der[1 << 12];

	json_array_foreach(groups, gi, g) {
		tl_key *k = NULL;
		size_t dlen = unhex(der, sizeof(der), json_string_value(json_object_get(g, "publicKeyDer")));
		tl_err kerr = tl_key_from_public(&k, der, dlen, file);
		json_array_foreach(json_object_get(g, "tests"), ti, t) {
			const char *result = json_string_value(json_object_get(t, "result"));
			size_t mlen = unhex(msg, sizeof(msg), json_string_value(json_object_get(t, "msg")));
			size_t slen = unhex(sig, sizeof(sig), json_string_value(json_object_get(t, "sig")));
			bool ok = kerr == TL_OK && tl_key_verify(k, msg, mlen, sig, slen, enc) == TL_OK;
			bool want;
			(*ntests)++;
			/* No "acceptable" results in these files; treat one as must-fail
			 * (we fail closed) should a later version add some. */
			want = !strcmp(result, "valid");
			if (ok != want) {
				bad++;
				print_message("%s tcId %lld (%s): got %s, want %s\n", file,
				              (long long)json_integer_value(json_object_get(t, "tcId")),
				              json_string_value(json_object_get(t, "comment")),
				              ok ? "valid" : "invalid", result);
			}
		}
		tl_key_free(k);
	}
	json_decref(root);
	return bad;
}

static void test_trust__wycheproof_ed25519(void **state)
{
	size_t n = 0;

	(void)state;
	assert_int_equal(run_wycheproof("vectors/wycheproof/ed25519_test.json", TL_SIG_DER, &n), 0);
	assert_true(n >= 100);
}

static void test_trust__wycheproof_ecdsa_p256_der(void **state)
{
	size_t n = 0;

	(void)state;
	assert_int_equal(run_wycheproof("vectors/wycheproof/ecdsa_secp256r1_sha256_test.json",
	                                TL_SIG_DER, &n), 0);
	assert_true(n >= 300);
}

static void test_trust__wycheproof_ecdsa_p256_p1363(void **state)
{
	size_t n = 0;

	(void)state;
	assert_int_equal(run_wycheproof("vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json",
	                                TL_SIG_P1363, &n), 0);
	assert_true(n >= 150);
}

/* ---- sigstore conformance bundles --------------------------------------- */

/*
 * Expected verdict on the DSSE signature alone, from each case's README:
 * the two "*-invalid-sig_fail" cases have an envelope signature that does
 * not verify under the bundle's certificate; every other DSSE case fails
 * (if at all) for a reason outside the envelope signature (certificate
 * validity, log entry, inclusion proof, timestamp) and its signature is
 * valid ("The DSSE envelope is valid in isolation" for mismatch-sig).
 */
static const struct { const char *dir; bool sig_ok; } sigstore_cases[] = {
	{ "dsse-invalid-sig_fail", false },
	{ "happy-path-intoto-in-dsse-v3", true },
	{ "intoto-expired-certificate_fail", true },
	{ "intoto-log-entry-mismatch_fail", true },
	{ "intoto-missing-inclusion-proof_fail", true },
	{ "intoto-tsa-timestamp-outside-cert-validity_fail", true },
	{ "intoto-with-custom-trust-root", true },
	{ "rekor2-dsse-happy-path", true },
	{ "rekor2-dsse-invalid-sig_fail", false },
	{ "rekor2-dsse-mismatch-sig_fail", true },
};

static void test_trust__sigstore_dsse_cases(void **state)
{
	char base[1024], path[1600], art[1600];
	size_t ncases = sizeof(sigstore_cases) / sizeof(sigstore_cases[0]), seen = 0;
	DIR *d;
	struct dirent *de;

	(void)state;
	shared("vectors/sigstore-bundles", base, sizeof(base));
	/* Every DSSE case in the directory is in the table above. */
	assert_non_null(d = opendir(base));
	while ((de = readdir(d))) {
		json_t *b;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/bundle.sigstore.json", base, de->d_name);
		if (access(path, R_OK) != 0 || !(b = json_load_file(path, 0, NULL)))
			continue;
		if (json_object_get(b, "dsseEnvelope")) {
			size_t i;
			for (i = 0; i < ncases; i++)
				if (!strcmp(sigstore_cases[i].dir, de->d_name))
					break;
			if (i == ncases)
				fail_msg("DSSE case %s has no expected verdict", de->d_name);
			seen++;
		}
		json_decref(b);
	}
	closedir(d);
	assert_int_equal(seen, ncases);

	for (size_t i = 0; i < ncases; i++) {
		json_t *b, *vm, *cert;
		tl_buf der = TL_BUF_INIT;
		tl_dsse_envelope *env = NULL;
		tl_statement *st = NULL;
		tl_key *k = NULL;
		char *envs;
		tl_err got;

		snprintf(path, sizeof(path), "%s/%s/bundle.sigstore.json", base, sigstore_cases[i].dir);
		b = load_json(path);
		vm = json_object_get(b, "verificationMaterial");
		cert = json_object_get(json_object_get(vm, "certificate"), "rawBytes");
		if (!cert)
			cert = json_object_get(json_array_get(json_object_get(json_object_get(vm,
			        "x509CertificateChain"), "certificates"), 0), "rawBytes");
		assert_non_null(cert);
		assert_int_equal(tl_base64_decode(&der, json_string_value(cert), json_string_length(cert)), TL_OK);
		assert_int_equal(tl_key_from_public(&k, der.ptr, der.len, sigstore_cases[i].dir), TL_OK);
		assert_int_equal(tl_key_get_type(k), TL_KEY_P256);
		assert_non_null(envs = json_dumps(json_object_get(b, "dsseEnvelope"), JSON_COMPACT));
		assert_int_equal(tl_dsse_parse(&env, envs, strlen(envs), sigstore_cases[i].dir, NULL), TL_OK);
		got = tl_dsse_verify(env, k, NULL);
		if ((got == TL_OK) != sigstore_cases[i].sig_ok)
			fail_msg("%s: signature %s (%s), expected %s", sigstore_cases[i].dir,
			         got == TL_OK ? "verified" : "failed", tl_error_last(),
			         sigstore_cases[i].sig_ok ? "valid" : "invalid");
		if (!sigstore_cases[i].sig_ok)
			assert_non_null(strstr(tl_error_last(), "bad signature"));
		/* The statement parses and its subject is the case's artifact. */
		assert_string_equal(env->payload_type, TL_INTOTO_PAYLOAD_TYPE);
		assert_int_equal(tl_statement_parse(&st, (const char *)env->payload, env->payload_len,
		                                    sigstore_cases[i].dir, NULL), TL_OK);
		snprintf(art, sizeof(art), "%s/%s/artifact", base, sigstore_cases[i].dir);
		if (access(art, R_OK) != 0)
			snprintf(art, sizeof(art), "%s/a.txt", base);
		assert_int_equal(tl_statement_match_artifact(st, art), TL_OK);
		snprintf(art, sizeof(art), "%s/README.md", base);
		assert_int_equal(tl_statement_match_artifact(st, art), TL_ECHECK);
		tl_statement_free(st);
		tl_dsse_envelope_free(env);
		tl_key_free(k);
		tl_buf_dispose(&der);
		free(envs);
		json_decref(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trust__base64_roundtrip_and_rejects),
		cmocka_unit_test(test_trust__key_uris),
		cmocka_unit_test(test_trust__file_keys_generate_sign_verify),
		cmocka_unit_test(test_trust__unsupported_key_types_refused),
		cmocka_unit_test(test_trust__dsse_spec_vector),
		cmocka_unit_test(test_trust__pae_lengths_are_bytes),
		cmocka_unit_test(test_trust__dsse_parse_strict),
		cmocka_unit_test(test_trust__dsse_forgeries_fail_with_reason),
		cmocka_unit_test(test_trust__statement_parse_and_match),
		cmocka_unit_test(test_trust__wycheproof_ed25519),
		cmocka_unit_test(test_trust__wycheproof_ecdsa_p256_der),
		cmocka_unit_test(test_trust__wycheproof_ecdsa_p256_p1363),
		cmocka_unit_test(test_trust__sigstore_dsse_cases),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
