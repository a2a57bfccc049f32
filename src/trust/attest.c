/*
 * Device attestation evidence (docs/attestation.md): a DSSE envelope of an
 * in-toto Statement v1 with predicate type
 * https://trustline.dev/attestation/device/v1.  The predicate, read here
 * from untrusted bytes (after the envelope's signature verified):
 *
 *   $.nonce                 string, 1..TL_ATTEST_MAX_NONCE printable ASCII
 *   $.firmware, $.sbom      optional (at least one): {name: string,
 *                           digest: {sha256: 64 hex, sha512: 128 hex}}, each
 *                           also a subject of the statement
 *   $.key.backend           "file", "pkcs11" or "tpm2"
 *   $.key.keyid             64 hex: SHA-256 of the signer's SubjectPublicKeyInfo
 *   $.quote                 null (no TPM), or
 *     .nonceBinding         "sha256": extraData = SHA-256(nonce)
 *     .pcrBank              "sha256"
 *     .pcrs                 1..24 {index: 0..23, sha256: 64 hex}, ascending
 *     .attest               base64 TPMS_ATTEST (<= ATTEST_MAX bytes)
 *     .signature            base64 TPMT_SIGNATURE (<= SIG_MAX bytes)
 * Other members are refused.  JSON limits: tl_json_parse's.
 */
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "trust_int.h"

#define ATTEST_MAX 2048 /* a TPMS_ATTEST of a quote is at most ~ 400 bytes */
#define SIG_MAX 1024    /* a marshalled TPMT_SIGNATURE: at most 2 + 2 + 2 + 512 */

/* ---- shared ------------------------------------------------------------- */

static bool nonce_ok(const char *n, size_t len)
{
	if (len == 0 || len > TL_ATTEST_MAX_NONCE)
		return false;
	for (size_t i = 0; i < len; i++)
		if (n[i] < 0x20 || n[i] > 0x7e)
			return false;
	return true;
}

/* Sets a TL_ECHECK message: prefix, then the last error's message (copied
 * first: tl__error writes the buffer tl_error_last reads). */
static tl_err check_failed(const char *prefix)
{
	char why[512];

	snprintf(why, sizeof(why), "%s", tl_error_last());
	return tl__error(TL_ECHECK, "%s%s", prefix, why);
}

static tl_err sha256_of(uint8_t out[32], const void *p, size_t len)
{
	uint8_t md[TL_HASH_MAX_LEN];
	size_t n = 0;
	tl_err err;

	if ((err = tl_hash_buf(TL_HASH_SHA256, p, len, md, &n)) == TL_OK)
		memcpy(out, md, 32);
	return err;
}

static bool is_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* ---- building ------------------------------------------------------------ */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

/* {name, digest{sha256, sha512}} of a file, added to subjects and as pred[member]. */
static tl_err add_file(json_t *subjects, json_t *pred, const char *member, const char *path)
{
	char h256[64 + 1], h512[128 + 1];
	json_t *o;
	tl_err err;

	if ((err = tl__hash_file2(path, h256, h512)) != TL_OK)
		return err;
	o = json_pack("{s:s, s:{s:s, s:s}}", "name", base_name(path), "digest", "sha256", h256,
	              "sha512", h512);
	if (!o)
		return tl__error(TL_EINVAL, "%s: cannot describe the file (name not UTF-8?)", path);
	if (json_array_append(subjects, o) != 0) {
		json_decref(o);
		return tl__nomem();
	}
	/* set_new takes o's reference, even when it fails. */
	return json_object_set_new(pred, member, o) == 0 ? TL_OK : tl__nomem();
}

static tl_err quote_json(json_t **out, const tl_buf *attest, const tl_buf *sig, uint32_t mask,
                         uint8_t pcrs[TL__TPM_NUM_PCRS][32])
{
	tl_buf a = TL_BUF_INIT, s = TL_BUF_INIT;
	json_t *q = NULL, *arr = NULL;
	char hex[65];
	tl_err err;

	if ((err = tl_base64_encode(&a, attest->ptr, attest->len)) != TL_OK ||
	    (err = tl_base64_encode(&s, sig->ptr, sig->len)) != TL_OK)
		goto done;
	if (!(arr = json_array())) {
		err = tl__nomem();
		goto done;
	}
	for (unsigned i = 0; i < TL__TPM_NUM_PCRS; i++) {
		if (!(mask & (1u << i)))
			continue;
		tl_hex(hex, pcrs[i], 32);
		if (json_array_append_new(arr, json_pack("{s:i, s:s}", "index", (json_int_t)i,
		                                         "sha256", hex)) != 0) {
			err = tl__nomem();
			goto done;
		}
	}
	q = json_pack("{s:s, s:s, s:O, s:s, s:s}", "nonceBinding", "sha256", "pcrBank", "sha256",
	              "pcrs", arr, "attest", a.ptr, "signature", s.ptr);
	if (!q)
		err = tl__nomem();
	*out = q;
done:
	json_decref(arr);
	tl_buf_dispose(&a);
	tl_buf_dispose(&s);
	return err;
}

tl_err tl_attest_evidence(tl_buf *out, const char *key_uri, const tl_attest_params *p)
{
	tl_buf attest = TL_BUF_INIT, sig = TL_BUF_INIT, payload = TL_BUF_INIT;
	uint8_t pcrs[TL__TPM_NUM_PCRS][32], qual[32];
	json_t *root = NULL, *subjects = NULL, *pred = NULL, *quote = NULL;
	char keyid[TL_KEY_ID_HEX_LEN + 1];
	const char *backend = "file", *tcti;
	uint32_t mask = p->pcrs ? p->pcrs : TL_ATTEST_DEFAULT_PCRS, handle = 0;
	size_t slen = tl__uri_scheme_len(key_uri);
	tl_key *key = NULL;
	int rc;
	tl_err err;

	memset(pcrs, 0, sizeof(pcrs));
	if (!p->nonce || !nonce_ok(p->nonce, strlen(p->nonce)))
		return tl__error(TL_EINVAL, "nonce: expected 1 to %d printable ASCII characters",
		                 TL_ATTEST_MAX_NONCE);
	if (!p->firmware && !p->sbom)
		return tl__error(TL_EINVAL, "attest: nothing to attest: give the firmware, the SBOM "
		                 "or both");
	if (mask >> TL__TPM_NUM_PCRS)
		return tl__error(TL_EINVAL, "attest: PCR indexes are 0 to 23");
	if (slen == 6 && !strncmp(key_uri, "pkcs11", 6))
		backend = "pkcs11";
	else if (slen == 4 && !strncmp(key_uri, "tpm2", 4))
		backend = "tpm2";

	if (!(subjects = json_array()) || !(pred = json_object())) {
		err = tl__nomem();
		goto done;
	}
	if ((p->firmware && (err = add_file(subjects, pred, "firmware", p->firmware)) != TL_OK) ||
	    (p->sbom && (err = add_file(subjects, pred, "sbom", p->sbom)) != TL_OK))
		goto done;

	/* The quote first, on a TPM connection of its own that is closed before
	 * the signing key opens one (see trust.h). */
	if (!strcmp(backend, "tpm2")) {
		if ((err = tl__tpm2_uri_handle(key_uri, &handle)) != TL_OK ||
		    (err = sha256_of(qual, p->nonce, strlen(p->nonce))) != TL_OK)
			goto done;
		tcti = p->tcti ? p->tcti : getenv("TPM2OPENSSL_TCTI");
		if ((err = tl__tpm2_quote(&attest, &sig, pcrs, handle, tcti, mask, qual,
		                          sizeof(qual))) != TL_OK ||
		    (err = quote_json(&quote, &attest, &sig, mask, pcrs)) != TL_OK)
			goto done;
	}
	if ((err = tl_key_open(&key, key_uri)) != TL_OK || (err = tl_key_id(keyid, key)) != TL_OK)
		goto done;
	if (quote) {
		/* The quote and the envelope must come from one key: a TCTI that
		 * names another TPM than the provider's would make evidence that
		 * can never verify. */
		tl__tpm_signature ts;
		if ((err = tl__tpm_signature_parse(&ts, (const uint8_t *)sig.ptr, sig.len,
		                                   "TPM2_Quote")) != TL_OK ||
		    tl__tpm_signature_verify(&ts, key, (const uint8_t *)attest.ptr, attest.len) != TL_OK) {
			err = tl__error(TL_EIO, "%s: the TPM quote was not signed by this key (do the "
			                "quote's TCTI and TPM2OPENSSL_TCTI name the same TPM?)", key_uri);
			goto done;
		}
	}
	/* set_new takes the value's reference, even when it fails. */
	rc = json_object_set_new(pred, "quote", quote ? quote : json_null());
	quote = NULL;
	if (rc != 0 || json_object_set_new(pred, "nonce", json_string(p->nonce)) != 0 ||
	    json_object_set_new(pred, "key", json_pack("{s:s, s:s}", "backend", backend, "keyid",
	                                               keyid)) != 0) {
		err = tl__nomem();
		goto done;
	}
	root = json_pack("{s:s, s:O, s:s, s:O}", "_type", TL_INTOTO_STATEMENT_V1, "subject",
	                 subjects, "predicateType", TL_PREDICATE_DEVICE, "predicate", pred);
	if (!root) {
		err = tl__nomem();
		goto done;
	}
	if ((err = tl_json_dump(&payload, root)) != TL_OK)
		goto done;
	err = tl_dsse_sign(out, key, TL_INTOTO_PAYLOAD_TYPE, payload.ptr, payload.len);
done:
	json_decref(root);
	json_decref(subjects);
	json_decref(pred);
	json_decref(quote);
	tl_key_free(key);
	tl_buf_dispose(&attest);
	tl_buf_dispose(&sig);
	tl_buf_dispose(&payload);
	return err;
}

/* ---- reading and verifying ------------------------------------------------ */

typedef struct {
	bool present;
	char sha256[64 + 1], sha512[128 + 1];
} file_digest;

typedef struct {
	const char *nonce; /* borrowed from the JSON tree */
	size_t nonce_len;
	file_digest firmware, sbom;
	const char *backend, *keyid;
	bool has_quote;
	uint32_t mask;
	uint8_t pcrs[TL__TPM_NUM_PCRS][32];
	tl_buf attest, sig;
} predicate;

/* Refuses members of o not in allowed (NULL-terminated). */
static tl_err only(const json_t *o, const char *const *allowed, const char *name,
                   const char *path)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		size_t k;
		for (k = 0; allowed[k]; k++)
			if (!strcmp(key, allowed[k]))
				break;
		if (!allowed[k]) {
			char q[64];
			tl__quote(q, sizeof(q), key);
			return tl__error(TL_EPARSE, "%s: %s: unknown member \"%s\"", name, path, q);
		}
	}
	return TL_OK;
}

/* A lower-case hex string of exactly want digits into out (want + 1 bytes). */
static tl_err hex_member(char *out, const json_t *o, const char *key, size_t want,
                         const char *name, const char *path)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v) || json_string_length(v) != want ||
	    !is_hex(json_string_value(v), want))
		return tl__error(TL_EPARSE, "%s: %s.%s: expected %zu lower-case hex digits", name, path,
		                 key, want);
	memcpy(out, json_string_value(v), want + 1);
	return TL_OK;
}

static tl_err read_file_digest(file_digest *fd, const json_t *pred, const char *member,
                               const char *name)
{
	static const char *const fields[] = { "name", "digest", NULL };
	static const char *const algs[] = { "sha256", "sha512", NULL };
	const json_t *o = json_object_get(pred, member), *d;
	char path[32];
	tl_err err;

	if (!o)
		return TL_OK;
	snprintf(path, sizeof(path), "$.predicate.%s", member);
	if (!json_is_object(o))
		return tl__error(TL_EPARSE, "%s: %s: expected an object", name, path);
	if ((err = only(o, fields, name, path)) != TL_OK)
		return err;
	if (!json_is_string(json_object_get(o, "name")))
		return tl__error(TL_EPARSE, "%s: %s.name: expected a string", name, path);
	d = json_object_get(o, "digest");
	snprintf(path, sizeof(path), "$.predicate.%s.digest", member);
	if (!json_is_object(d))
		return tl__error(TL_EPARSE, "%s: %s: expected an object", name, path);
	if ((err = only(d, algs, name, path)) != TL_OK ||
	    (err = hex_member(fd->sha256, d, "sha256", 64, name, path)) != TL_OK ||
	    (err = hex_member(fd->sha512, d, "sha512", 128, name, path)) != TL_OK)
		return err;
	fd->present = true;
	return TL_OK;
}

static tl_err b64_member(tl_buf *out, const json_t *o, const char *key, size_t max,
                         const char *name)
{
	const json_t *v = json_object_get(o, key);
	char why[256];

	if (!json_is_string(v))
		return tl__error(TL_EPARSE, "%s: $.predicate.quote.%s: expected a base64 string", name,
		                 key);
	if (json_string_length(v) > (max + 2) / 3 * 4)
		return tl__error(TL_ELIMIT, "%s: $.predicate.quote.%s: longer than %zu bytes", name,
		                 key, max);
	if (tl_base64_decode(out, json_string_value(v), json_string_length(v)) != TL_OK) {
		snprintf(why, sizeof(why), "%s", tl_error_last());
		return tl__error(TL_EPARSE, "%s: $.predicate.quote.%s: %s", name, key, why);
	}
	if (out->len == 0 || out->len > max)
		return tl__error(TL_EPARSE, "%s: $.predicate.quote.%s: %zu bytes (expected 1 to %zu)",
		                 name, key, out->len, max);
	return TL_OK;
}

static tl_err read_quote(predicate *pr, const json_t *q, const char *name)
{
	static const char *const fields[] = { "nonceBinding", "pcrBank", "pcrs", "attest",
	                                      "signature", NULL };
	static const char *const pcr_fields[] = { "index", "sha256", NULL };
	const json_t *v, *arr;
	tl_err err;

	if (!json_is_object(q))
		return tl__error(TL_EPARSE, "%s: $.predicate.quote: expected an object or null", name);
	if ((err = only(q, fields, name, "$.predicate.quote")) != TL_OK)
		return err;
	v = json_object_get(q, "nonceBinding");
	if (!json_is_string(v) || strcmp(json_string_value(v), "sha256") != 0)
		return tl__error(TL_EPARSE, "%s: $.predicate.quote.nonceBinding: expected \"sha256\"",
		                 name);
	v = json_object_get(q, "pcrBank");
	if (!json_is_string(v) || strcmp(json_string_value(v), "sha256") != 0)
		return tl__error(TL_EPARSE, "%s: $.predicate.quote.pcrBank: expected \"sha256\"", name);
	arr = json_object_get(q, "pcrs");
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > TL__TPM_NUM_PCRS)
		return tl__error(TL_EPARSE, "%s: $.predicate.quote.pcrs: expected an array of 1 to %d "
		                 "PCRs", name, TL__TPM_NUM_PCRS);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *e = json_array_get(arr, i), *ix;
		char path[48], hex[65];
		json_int_t n;
		snprintf(path, sizeof(path), "$.predicate.quote.pcrs[%zu]", i);
		if (!json_is_object(e))
			return tl__error(TL_EPARSE, "%s: %s: expected an object", name, path);
		if ((err = only(e, pcr_fields, name, path)) != TL_OK)
			return err;
		ix = json_object_get(e, "index");
		n = json_is_integer(ix) ? json_integer_value(ix) : -1;
		if (n < 0 || n >= TL__TPM_NUM_PCRS)
			return tl__error(TL_EPARSE, "%s: %s.index: expected an integer from 0 to %d", name,
			                 path, TL__TPM_NUM_PCRS - 1);
		if (pr->mask >> n)
			return tl__error(TL_EPARSE, "%s: %s.index: %d is not above the index before it "
			                 "(expected ascending, unique)", name, path, (int)n);
		if ((err = hex_member(hex, e, "sha256", 64, name, path)) != TL_OK)
			return err;
		for (int b = 0; b < 32; b++) {
			unsigned hi = (unsigned)(hex[2 * b] <= '9' ? hex[2 * b] - '0' : hex[2 * b] - 'a' + 10);
			unsigned lo = (unsigned)(hex[2 * b + 1] <= '9' ? hex[2 * b + 1] - '0' :
			                         hex[2 * b + 1] - 'a' + 10);
			pr->pcrs[n][b] = (uint8_t)(hi << 4 | lo);
		}
		pr->mask |= 1u << n;
	}
	if ((err = b64_member(&pr->attest, q, "attest", ATTEST_MAX, name)) != TL_OK ||
	    (err = b64_member(&pr->sig, q, "signature", SIG_MAX, name)) != TL_OK)
		return err;
	pr->has_quote = true;
	return TL_OK;
}

static tl_err read_predicate(predicate *pr, const json_t *p, const char *name)
{
	static const char *const fields[] = { "nonce", "firmware", "sbom", "key", "quote", NULL };
	static const char *const key_fields[] = { "backend", "keyid", NULL };
	const json_t *v, *k;
	tl_err err;

	if (!json_is_object(p))
		return tl__error(TL_EPARSE, "%s: $.predicate: missing (expected an object)", name);
	if ((err = only(p, fields, name, "$.predicate")) != TL_OK)
		return err;
	v = json_object_get(p, "nonce");
	if (!json_is_string(v) || !nonce_ok(json_string_value(v), json_string_length(v)))
		return tl__error(TL_EPARSE, "%s: $.predicate.nonce: expected 1 to %d printable ASCII "
		                 "characters", name, TL_ATTEST_MAX_NONCE);
	pr->nonce = json_string_value(v);
	pr->nonce_len = json_string_length(v);
	if ((err = read_file_digest(&pr->firmware, p, "firmware", name)) != TL_OK ||
	    (err = read_file_digest(&pr->sbom, p, "sbom", name)) != TL_OK)
		return err;
	if (!pr->firmware.present && !pr->sbom.present)
		return tl__error(TL_EPARSE, "%s: $.predicate: neither firmware nor sbom (expected at "
		                 "least one)", name);
	k = json_object_get(p, "key");
	if (!json_is_object(k))
		return tl__error(TL_EPARSE, "%s: $.predicate.key: expected an object", name);
	if ((err = only(k, key_fields, name, "$.predicate.key")) != TL_OK)
		return err;
	v = json_object_get(k, "backend");
	if (!json_is_string(v) || (strcmp(json_string_value(v), "file") != 0 &&
	                           strcmp(json_string_value(v), "pkcs11") != 0 &&
	                           strcmp(json_string_value(v), "tpm2") != 0))
		return tl__error(TL_EPARSE, "%s: $.predicate.key.backend: expected \"file\", "
		                 "\"pkcs11\" or \"tpm2\"", name);
	pr->backend = json_string_value(v);
	v = json_object_get(k, "keyid");
	if (!json_is_string(v) || json_string_length(v) != 64 || !is_hex(json_string_value(v), 64))
		return tl__error(TL_EPARSE, "%s: $.predicate.key.keyid: expected 64 lower-case hex "
		                 "digits", name);
	pr->keyid = json_string_value(v);
	v = json_object_get(p, "quote");
	if (!v)
		return tl__error(TL_EPARSE, "%s: $.predicate.quote: missing (expected an object, or "
		                 "null without a TPM)", name);
	if (json_is_null(v))
		return TL_OK;
	return read_quote(pr, v, name);
}

/* The predicate's file must be a subject of the statement, same digests. */
static tl_err subject_matches(const tl_statement *st, const file_digest *fd, const char *what)
{
	if (!fd->present)
		return TL_OK;
	for (size_t i = 0; i < st->nsubjects; i++)
		if (!strcmp(st->subjects[i].sha256, fd->sha256) &&
		    !strcmp(st->subjects[i].sha512, fd->sha512))
			return TL_OK;
	return tl__error(TL_ECHECK, "subject mismatch: the predicate's %s (sha256 %s) is no "
	                 "subject of the statement", what, fd->sha256);
}

/* An expected digest (hex, either case) against a file digest. */
static tl_err expect_digest(const file_digest *fd, const char *want, const char *what)
{
	char lw[128 + 1];
	size_t n = strlen(want);

	if (!fd->present)
		return tl__error(TL_ECHECK, "%s digest mismatch: the evidence has no %s", what, what);
	if (n != 64 && n != 128)
		return tl__error(TL_EINVAL, "expected %s digest: 64 (SHA-256) or 128 (SHA-512) hex "
		                 "digits, got %zu characters", what, n);
	for (size_t i = 0; i <= n; i++)
		lw[i] = (want[i] >= 'A' && want[i] <= 'F') ? (char)(want[i] - 'A' + 'a') : want[i];
	if (!is_hex(lw, n))
		return tl__error(TL_EINVAL, "expected %s digest: not hex", what);
	if (CRYPTO_memcmp(lw, n == 64 ? fd->sha256 : fd->sha512, n) != 0)
		return tl__error(TL_ECHECK, "%s digest mismatch: expected %s %s, the evidence has %s",
		                 what, n == 64 ? "sha256" : "sha512", lw,
		                 n == 64 ? fd->sha256 : fd->sha512);
	return TL_OK;
}

/* The quote: signature by pub, TPM-generated quote, nonce binding, PCRs. */
static tl_err check_quote(tl_attest_report *rep, const predicate *pr, const tl_key *pub)
{
	tl__tpm_quote q;
	tl__tpm_signature ts;
	const tl__tpm_pcr_selection *sel;
	uint8_t bind[32], digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	EVP_MD_CTX *c = NULL;
	char an[8], an2[8];
	tl_err err = TL_ECHECK;

	if (tl__tpm_signature_parse(&ts, (const uint8_t *)pr->sig.ptr, pr->sig.len,
	                            "$.predicate.quote.signature") != TL_OK ||
	    tl__tpm_quote_parse(&q, (const uint8_t *)pr->attest.ptr, pr->attest.len,
	                        "$.predicate.quote.attest") != TL_OK)
		return check_failed("quote: malformed: ");
	/* Authenticate the bytes before believing anything they say. */
	if ((err = tl__tpm_signature_verify(&ts, pub, (const uint8_t *)pr->attest.ptr,
	                                    pr->attest.len)) != TL_OK)
		return err == TL_ECHECK ? err : check_failed("quote: ");
	snprintf(rep->quote_sig, sizeof(rep->quote_sig), "%s-%s", tl__tpm_alg_name(ts.sig_alg, an),
	         tl__tpm_alg_name(ts.hash, an2));
	if (q.magic != TL__TPM_GENERATED_VALUE)
		return tl__error(TL_ECHECK, "quote: magic 0x%08x is not TPM_GENERATED_VALUE "
		                 "(0xff544347): not produced by a TPM", q.magic);
	if (q.type != TL__TPM_ST_ATTEST_QUOTE)
		return tl__error(TL_ECHECK, "quote: not a TPM_ST_ATTEST_QUOTE");
	if ((err = sha256_of(bind, pr->nonce, pr->nonce_len)) != TL_OK)
		return err;
	if (q.extra_len != 32 || CRYPTO_memcmp(q.extra, bind, 32) != 0)
		return tl__error(TL_ECHECK, "quote: nonce mismatch: extraData is not SHA-256 of the "
		                 "nonce (a quote made for another challenge)");
	if (q.nsel != 1 || q.sel[0].hash != TL__TPM_ALG_SHA256 || q.sel[0].mask != pr->mask)
		return tl__error(TL_ECHECK, "quote: PCR selection mismatch: the quote selects other "
		                 "PCRs or banks than the sha256 PCRs the evidence reports");
	sel = &q.sel[0];
	if (!(c = EVP_MD_CTX_new()) ||
	    EVP_DigestInit_ex2(c, EVP_get_digestbyname(tl__tpm_hash_name(ts.hash)), NULL) != 1) {
		err = tl__nomem();
		goto done;
	}
	for (unsigned i = 0; i < TL__TPM_NUM_PCRS; i++)
		if ((sel->mask & (1u << i)) && EVP_DigestUpdate(c, pr->pcrs[i], 32) != 1) {
			err = tl__nomem();
			goto done;
		}
	if (EVP_DigestFinal_ex(c, digest, &dlen) != 1) {
		err = tl__nomem();
		goto done;
	}
	if (q.pcr_digest_len != dlen || CRYPTO_memcmp(q.pcr_digest, digest, dlen) != 0) {
		err = tl__error(TL_ECHECK, "quote: PCR mismatch: the reported PCR values do not hash "
		                "to the quote's pcrDigest");
		goto done;
	}
	rep->npcrs = 0;
	for (unsigned i = 0; i < TL__TPM_NUM_PCRS; i++) {
		if (!(pr->mask & (1u << i)))
			continue;
		rep->pcrs[rep->npcrs].index = i;
		memcpy(rep->pcrs[rep->npcrs].value, pr->pcrs[i], 32);
		rep->npcrs++;
	}
	rep->clock = q.clock;
	rep->reset_count = q.reset_count;
	rep->restart_count = q.restart_count;
	rep->firmware_version = q.firmware_version;
	rep->has_quote = true;
	err = TL_OK;
done:
	EVP_MD_CTX_free(c);
	return err;
}

tl_err tl__attest_check_payload(tl_attest_report *rep, const uint8_t *payload, size_t len,
                                const tl_key *pub, const tl_attest_expect *exp,
                                const char *name, const tl_json_limits *lim)
{
	tl_statement *st = NULL;
	predicate pr;
	char keyid[TL_KEY_ID_HEX_LEN + 1];
	size_t nlen;
	tl_err err = TL_ECHECK; /* fails closed */

	memset(&pr, 0, sizeof(pr));
	memset(rep, 0, sizeof(*rep));
	if (!name)
		name = "evidence";
	if (tl_statement_parse(&st, (const char *)payload, len, name, lim) != TL_OK) {
		err = check_failed("payload: ");
		goto done;
	}
	if (strcmp(st->predicate_type, TL_PREDICATE_DEVICE) != 0) {
		char q[128];
		tl__quote(q, sizeof(q), st->predicate_type);
		err = tl__error(TL_ECHECK, "wrong predicate type \"%s\", expected %s", q,
		                TL_PREDICATE_DEVICE);
		goto done;
	}
	if (read_predicate(&pr, st->predicate, name) != TL_OK) {
		err = check_failed("malformed predicate: ");
		goto done;
	}
	snprintf(rep->key_backend, sizeof(rep->key_backend), "%s", pr.backend);
	nlen = exp->nonce ? strlen(exp->nonce) : 0;
	if (!exp->nonce || nlen != pr.nonce_len || CRYPTO_memcmp(exp->nonce, pr.nonce, nlen) != 0) {
		err = tl__error(TL_ECHECK, "nonce mismatch: the evidence answers another challenge "
		                "(replayed or stale)");
		goto done;
	}
	if ((err = tl_key_id(keyid, pub)) != TL_OK)
		goto done;
	if (strcmp(keyid, pr.keyid) != 0) {
		err = tl__error(TL_ECHECK, "key mismatch: the evidence names key %s, the certificate's "
		                "is %s", pr.keyid, keyid);
		goto done;
	}
	if ((err = subject_matches(st, &pr.firmware, "firmware")) != TL_OK ||
	    (err = subject_matches(st, &pr.sbom, "sbom")) != TL_OK)
		goto done;
	rep->has_firmware = pr.firmware.present;
	rep->has_sbom = pr.sbom.present;
	memcpy(rep->firmware_sha256, pr.firmware.sha256, sizeof(rep->firmware_sha256));
	memcpy(rep->sbom_sha256, pr.sbom.sha256, sizeof(rep->sbom_sha256));
	if (pr.has_quote) {
		if ((err = check_quote(rep, &pr, pub)) != TL_OK)
			goto done;
	} else if (exp->require_quote || exp->nexpect_pcrs) {
		err = tl__error(TL_ECHECK, "no TPM quote: the evidence (from a %s key) carries none, "
		                "and a quote was required", pr.backend);
		goto done;
	}
	if ((exp->expect_firmware &&
	     (err = expect_digest(&pr.firmware, exp->expect_firmware, "firmware")) != TL_OK) ||
	    (exp->expect_sbom && (err = expect_digest(&pr.sbom, exp->expect_sbom, "sbom")) != TL_OK))
		goto done;
	for (size_t i = 0; i < exp->nexpect_pcrs; i++) {
		const tl_attest_pcr *e = &exp->expect_pcrs[i];
		char h1[65], h2[65];
		if (e->index >= TL__TPM_NUM_PCRS || !(pr.mask & (1u << e->index))) {
			err = tl__error(TL_ECHECK, "PCR mismatch: PCR %u is not in the quote", e->index);
			goto done;
		}
		if (CRYPTO_memcmp(e->value, pr.pcrs[e->index], 32) != 0) {
			tl_hex(h1, pr.pcrs[e->index], 32);
			tl_hex(h2, e->value, 32);
			err = tl__error(TL_ECHECK, "PCR mismatch: PCR %u is %s, expected %s", e->index, h1,
			                h2);
			goto done;
		}
	}
	err = TL_OK; /* the only place success is set */
done:
	tl_statement_free(st);
	tl_buf_dispose(&pr.attest);
	tl_buf_dispose(&pr.sig);
	return err;
}

tl_err tl_attest_verify(tl_attest_report *rep, const tl_dsse_envelope *env, const tl_key *pub,
                        const tl_attest_expect *exp, const char *name, const tl_json_limits *lim)
{
	tl_attest_report local;
	tl_err err;

	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof(*rep));
	if ((err = tl_dsse_verify(env, pub, NULL)) != TL_OK)
		return err;
	if (strcmp(env->payload_type, TL_INTOTO_PAYLOAD_TYPE) != 0)
		return tl__error(TL_ECHECK, "wrong payload type: expected %s", TL_INTOTO_PAYLOAD_TYPE);
	return tl__attest_check_payload(rep, env->payload, env->payload_len, pub, exp, name, lim);
}
