/*
 * TPM 2.0 attestation structures from untrusted bytes (TPM 2.0 Library
 * Part 2, "Structures"; big-endian, sizes prefix their bodies):
 *
 *   TPMS_ATTEST
 *     magic            UINT32   TPM_GENERATED_VALUE 0xff544347 (read here,
 *                               judged by the caller)
 *     type             UINT16   TPM_ST_ATTEST_QUOTE 0x8018 (the only one decoded)
 *     qualifiedSigner  TPM2B_NAME     UINT16 size <= 68, bytes
 *     extraData        TPM2B_DATA     UINT16 size <= 64, bytes
 *     clockInfo        TPMS_CLOCK_INFO  clock UINT64, resetCount UINT32,
 *                                       restartCount UINT32, safe BYTE (0/1)
 *     firmwareVersion  UINT64
 *     attested         TPMS_QUOTE_INFO
 *       pcrSelect      TPML_PCR_SELECTION  count UINT32 <= 16, each
 *                        TPMS_PCR_SELECTION hash UINT16, sizeofSelect BYTE
 *                        <= 4, pcrSelect[sizeofSelect] (bit i of octet n:
 *                        PCR 8n + i)
 *       pcrDigest      TPM2B_DIGEST   UINT16 size <= 64, bytes
 *     (nothing after)
 *
 *   TPMT_SIGNATURE
 *     sigAlg           UINT16   RSASSA 0x0014, RSAPSS 0x0016, ECDSA 0x0018
 *     RSA:             hash UINT16, sig TPM2B_PUBLIC_KEY_RSA (size <= 512)
 *     ECDSA:           hash UINT16, signatureR, signatureS TPM2B_ECC_PARAMETER
 *                      (size <= 128 each)
 *     (nothing after)
 *
 * Integers are built byte by byte through the bounded reader; no struct is
 * laid over the input.
 */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <string.h>

#include "trust_int.h"

static tl_err be64(tl_reader *r, uint64_t *out)
{
	uint32_t hi, lo;
	size_t off = r->off;
	tl_err err;

	if ((err = tl_reader_be32(r, &hi)) != TL_OK)
		return err;
	if ((err = tl_reader_be32(r, &lo)) != TL_OK) {
		r->off = off;
		return err;
	}
	*out = (uint64_t)hi << 32 | lo;
	return TL_OK;
}

/* A TPM2B: UINT16 size (at most max) and that many bytes into buf. */
static tl_err tpm2b(tl_reader *r, uint8_t *buf, size_t max, size_t *len, const char *what)
{
	size_t off = r->off;
	const uint8_t *p;
	uint16_t n;

	if (tl_reader_be16(r, &n) != TL_OK)
		return tl__corrupt(r, "%s: truncated size", what);
	if (n > max) {
		r->off = off;
		return tl__corrupt(r, "%s: size %u, more than the limit of %zu", what, n, max);
	}
	if (tl_reader_take(r, n, &p) != TL_OK) {
		r->off = off;
		return tl__corrupt(r, "%s: truncated: %u bytes announced, %zu left", what, n,
		                   tl_reader_left(r) - 2);
	}
	memcpy(buf, p, n);
	*len = n;
	return TL_OK;
}

tl_err tl__tpm_quote_parse(tl__tpm_quote *q, const uint8_t *p, size_t len, const char *name)
{
	tl_reader r;
	uint32_t count;
	uint16_t v16;

	memset(q, 0, sizeof(*q));
	tl_reader_init(&r, p, len, name ? name : "TPMS_ATTEST");
	if (tl_reader_be32(&r, &q->magic) != TL_OK || tl_reader_be16(&r, &q->type) != TL_OK)
		return tl__corrupt(&r, "TPMS_ATTEST: truncated header (magic, type)");
	if (q->type != TL__TPM_ST_ATTEST_QUOTE)
		return tl__corrupt(&r, "TPMS_ATTEST: type 0x%04x, expected TPM_ST_ATTEST_QUOTE "
		                   "(0x8018)", q->type);
	if (tpm2b(&r, q->signer, sizeof(q->signer), &q->signer_len, "qualifiedSigner") != TL_OK ||
	    tpm2b(&r, q->extra, sizeof(q->extra), &q->extra_len, "extraData") != TL_OK)
		return TL_EPARSE;
	if (be64(&r, &q->clock) != TL_OK || tl_reader_be32(&r, &q->reset_count) != TL_OK ||
	    tl_reader_be32(&r, &q->restart_count) != TL_OK || tl_reader_u8(&r, &q->safe) != TL_OK)
		return tl__corrupt(&r, "clockInfo: truncated");
	if (q->safe > 1)
		return tl__corrupt(&r, "clockInfo.safe: %u, expected 0 or 1", q->safe);
	if (be64(&r, &q->firmware_version) != TL_OK)
		return tl__corrupt(&r, "firmwareVersion: truncated");
	if (tl_reader_be32(&r, &count) != TL_OK)
		return tl__corrupt(&r, "pcrSelect.count: truncated");
	if (count > TL__TPM_MAX_SELECTIONS)
		return tl__corrupt(&r, "pcrSelect.count: %u, more than the limit of %d", count,
		                   TL__TPM_MAX_SELECTIONS);
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *bits;
		uint8_t n;
		if (tl_reader_be16(&r, &v16) != TL_OK || tl_reader_u8(&r, &n) != TL_OK)
			return tl__corrupt(&r, "pcrSelect[%u]: truncated", i);
		if (n > TL__TPM_PCR_SELECT_MAX)
			return tl__corrupt(&r, "pcrSelect[%u].sizeofSelect: %u, more than the limit of %d",
			                   i, n, TL__TPM_PCR_SELECT_MAX);
		if (tl_reader_take(&r, n, &bits) != TL_OK)
			return tl__corrupt(&r, "pcrSelect[%u].pcrSelect: truncated", i);
		q->sel[i].hash = v16;
		for (uint8_t k = 0; k < n; k++)
			q->sel[i].mask |= (uint32_t)bits[k] << (8 * k);
		q->nsel = i + 1;
	}
	if (tpm2b(&r, q->pcr_digest, sizeof(q->pcr_digest), &q->pcr_digest_len, "pcrDigest") != TL_OK)
		return TL_EPARSE;
	if (tl_reader_left(&r) != 0)
		return tl__corrupt(&r, "TPMS_ATTEST: %zu bytes after the structure", tl_reader_left(&r));
	return TL_OK;
}

tl_err tl__tpm_signature_parse(tl__tpm_signature *s, const uint8_t *p, size_t len,
                               const char *name)
{
	tl_reader r;
	char an[8];

	memset(s, 0, sizeof(*s));
	tl_reader_init(&r, p, len, name ? name : "TPMT_SIGNATURE");
	if (tl_reader_be16(&r, &s->sig_alg) != TL_OK || tl_reader_be16(&r, &s->hash) != TL_OK)
		return tl__corrupt(&r, "TPMT_SIGNATURE: truncated header (sigAlg, hash)");
	switch (s->sig_alg) {
	case TL__TPM_ALG_RSASSA:
	case TL__TPM_ALG_RSAPSS:
		if (tpm2b(&r, s->a, sizeof(s->a), &s->a_len, "signature.sig") != TL_OK)
			return TL_EPARSE;
		break;
	case TL__TPM_ALG_ECDSA:
		if (tpm2b(&r, s->a, TL__TPM_MAX_ECC_PARAM, &s->a_len, "signature.signatureR") != TL_OK ||
		    tpm2b(&r, s->b, sizeof(s->b), &s->b_len, "signature.signatureS") != TL_OK)
			return TL_EPARSE;
		break;
	default:
		return tl__error(TL_EUNSUPPORTED, "%s: offset 0: TPMT_SIGNATURE: signature scheme %s "
		                 "not supported (expected rsassa, rsapss or ecdsa)", r.name,
		                 tl__tpm_alg_name(s->sig_alg, an));
	}
	if (tl_reader_left(&r) != 0)
		return tl__corrupt(&r, "TPMT_SIGNATURE: %zu bytes after the structure",
		                   tl_reader_left(&r));
	return TL_OK;
}

const char *tl__tpm_hash_name(uint16_t alg)
{
	switch (alg) {
	case TL__TPM_ALG_SHA256: return "SHA256";
	case TL__TPM_ALG_SHA384: return "SHA384";
	case TL__TPM_ALG_SHA512: return "SHA512";
	default: return NULL;
	}
}

const char *tl__tpm_alg_name(uint16_t alg, char buf[8])
{
	switch (alg) {
	case TL__TPM_ALG_SHA1: return "sha1";
	case TL__TPM_ALG_SHA256: return "sha256";
	case TL__TPM_ALG_SHA384: return "sha384";
	case TL__TPM_ALG_SHA512: return "sha512";
	case TL__TPM_ALG_RSASSA: return "rsassa";
	case TL__TPM_ALG_RSAPSS: return "rsapss";
	case TL__TPM_ALG_ECDSA: return "ecdsa";
	default:
		snprintf(buf, 8, "0x%04x", alg);
		return buf;
	}
}

/* r and s (big-endian, any length up to 128 bytes) to a DER ECDSA-Sig-Value. */
static tl_err ecdsa_der(unsigned char **out, int *outlen, const tl__tpm_signature *s)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *sv = NULL;
	tl_err err = TL_OK;

	*out = NULL;
	if (!(es = ECDSA_SIG_new()) || !(r = BN_bin2bn(s->a, (int)s->a_len, NULL)) ||
	    !(sv = BN_bin2bn(s->b, (int)s->b_len, NULL)) || ECDSA_SIG_set0(es, r, sv) != 1) {
		err = tl__nomem();
		goto done;
	}
	r = sv = NULL;
	if ((*outlen = i2d_ECDSA_SIG(es, out)) <= 0) {
		*out = NULL;
		err = tl__nomem();
	}
done:
	BN_free(r);
	BN_free(sv);
	ECDSA_SIG_free(es);
	return err;
}

tl_err tl__tpm_signature_verify(const tl__tpm_signature *s, const tl_key *k,
                                const uint8_t *attest, size_t len)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_MD *md = NULL;
	const char *hn = tl__tpm_hash_name(s->hash);
	unsigned char *der = NULL;
	const unsigned char *sig = s->a;
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	size_t sig_len = s->a_len;
	int derlen = 0, base = EVP_PKEY_get_base_id(k->pub);
	char an[8], an2[8];
	tl_err err = TL_ECHECK; /* fails closed */

	if (!hn) {
		err = tl__error(TL_ECHECK, "quote: signature hash %s not accepted (expected sha256, "
		                "sha384 or sha512)", tl__tpm_alg_name(s->hash, an));
		goto done;
	}
	if ((s->sig_alg == TL__TPM_ALG_ECDSA) != (base == EVP_PKEY_EC) ||
	    (s->sig_alg != TL__TPM_ALG_ECDSA && base != EVP_PKEY_RSA && base != EVP_PKEY_RSA_PSS)) {
		err = tl__error(TL_ECHECK, "quote: wrong key type: a %s signature cannot be made by "
		                "the certificate's %s key", tl__tpm_alg_name(s->sig_alg, an),
		                tl_key_type_name(k->type));
		goto done;
	}
	if (!(md = EVP_MD_fetch(NULL, hn, NULL)) ||
	    EVP_Digest(attest, len, digest, &dlen, md, NULL) != 1) {
		err = tl__error(TL_EIO, "quote: cannot hash the TPMS_ATTEST (%s)", hn);
		goto done;
	}
	if (s->sig_alg == TL__TPM_ALG_ECDSA) {
		if ((err = ecdsa_der(&der, &derlen, s)) != TL_OK)
			goto done;
		sig = der;
		sig_len = (size_t)derlen;
	}
	if (!(ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pub, NULL)) || EVP_PKEY_verify_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, md) != 1) {
		err = tl__error(TL_EIO, "quote: cannot set up the signature check");
		goto done;
	}
	if (s->sig_alg == TL__TPM_ALG_RSAPSS &&
	    (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_AUTO) != 1)) {
		err = tl__error(TL_EIO, "quote: cannot set up RSA-PSS");
		goto done;
	}
	if (s->sig_alg == TL__TPM_ALG_RSASSA &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1) {
		err = tl__error(TL_EIO, "quote: cannot set up RSASSA-PKCS1-v1_5");
		goto done;
	}
	if (EVP_PKEY_verify(ctx, sig, sig_len, digest, dlen) != 1) {
		err = tl__error(TL_ECHECK, "quote: bad signature: the TPMS_ATTEST is not signed by "
		                "the certificate's key (%s-%s)", tl__tpm_alg_name(s->sig_alg, an),
		                tl__tpm_alg_name(s->hash, an2));
		goto done;
	}
	err = TL_OK; /* the only place success is set */
done:
	ERR_clear_error();
	OPENSSL_free(der);
	EVP_PKEY_CTX_free(ctx);
	EVP_MD_free(md);
	return err;
}
