/*
 * TPM2_Quote through tpm2-tss (ESYS), for `trustline attest`.
 *
 * The signing key is named by its persistent handle: ESYS gets an object
 * for it with Esys_TR_FromTPMPublic (which reads its public area from the
 * TPM), so there is nothing to load and no parent to recreate.  Its auth
 * value is empty, as for keys made by `trustline key generate` and by
 * tpm2_create without -p.  When the key has no scheme of its own (TPM_ALG_NULL,
 * as tpm2-openssl makes them), the quote is signed with ECDSA-SHA256 or
 * RSASSA-PSS-SHA256; otherwise with the key's scheme.
 *
 * The PCR values are read after the quote, and their sha256 digest is
 * compared with the quote's pcrDigest: a PCR extended in between makes
 * us quote again (three tries), so the evidence never carries values
 * that do not match its quote.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "trust_int.h"

static tl_err tss_error(const char *what, TSS2_RC rc)
{
	return tl__error(TL_EIO, "tpm2: %s failed: %s", what, Tss2_RC_Decode(rc));
}

/* Reads the selected sha256 PCRs into pcrs (PCR_Read returns at most 8 a call). */
static tl_err read_pcrs(ESYS_CONTEXT *ec, uint32_t mask, uint8_t pcrs[TL__TPM_NUM_PCRS][32])
{
	uint32_t left = mask;
	tl_err err = TL_OK;

	while (left) {
		TPML_PCR_SELECTION sel = { 0 }, *outsel = NULL;
		TPML_DIGEST *vals = NULL;
		uint32_t upd = 0, got = 0;
		size_t n = 0;
		TSS2_RC rc;

		sel.count = 1;
		sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
		sel.pcrSelections[0].sizeofSelect = 3;
		for (int b = 0; b < 3; b++)
			sel.pcrSelections[0].pcrSelect[b] = (uint8_t)(left >> (8 * b));
		rc = Esys_PCR_Read(ec, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel, &upd, &outsel,
		                   &vals);
		if (rc != TSS2_RC_SUCCESS) {
			err = tss_error("TPM2_PCR_Read", rc);
			goto next;
		}
		for (uint32_t s = 0; s < outsel->count; s++) {
			const TPMS_PCR_SELECTION *ps = &outsel->pcrSelections[s];
			if (ps->hash != TPM2_ALG_SHA256)
				continue;
			for (unsigned i = 0; i < TL__TPM_NUM_PCRS && i / 8 < ps->sizeofSelect; i++) {
				if (!(ps->pcrSelect[i / 8] & (1u << (i % 8))) || !(left & (1u << i)))
					continue;
				if (n >= vals->count || vals->digests[n].size != 32) {
					err = tl__error(TL_EIO, "tpm2: TPM2_PCR_Read returned fewer sha256 values "
					                "than PCRs selected");
					goto next;
				}
				memcpy(pcrs[i], vals->digests[n].buffer, 32);
				got |= 1u << i;
				n++;
			}
		}
		if (!got)
			err = tl__error(TL_EIO, "tpm2: the TPM has no sha256 bank for PCRs 0x%06x", left);
		left &= ~got;
next:
		Esys_Free(outsel);
		Esys_Free(vals);
		if (err != TL_OK)
			break;
	}
	return err;
}

/* The quote's scheme: the key's own, or a SHA-256 one when it has none. */
static tl_err pick_scheme(ESYS_CONTEXT *ec, ESYS_TR key, TPMT_SIG_SCHEME *scheme)
{
	TPM2B_PUBLIC *pub = NULL;
	TSS2_RC rc;
	tl_err err = TL_OK;

	rc = Esys_ReadPublic(ec, key, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS)
		return tss_error("TPM2_ReadPublic", rc);
	memset(scheme, 0, sizeof(*scheme));
	scheme->scheme = TPM2_ALG_NULL;
	if (!(pub->publicArea.objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT)) {
		err = tl__error(TL_EUNSUPPORTED, "tpm2: the key at this handle is not a signing key");
	} else if (pub->publicArea.type == TPM2_ALG_ECC) {
		if (pub->publicArea.parameters.eccDetail.scheme.scheme == TPM2_ALG_NULL) {
			scheme->scheme = TPM2_ALG_ECDSA;
			scheme->details.ecdsa.hashAlg = TPM2_ALG_SHA256;
		}
	} else if (pub->publicArea.type == TPM2_ALG_RSA) {
		if (pub->publicArea.parameters.rsaDetail.scheme.scheme == TPM2_ALG_NULL) {
			scheme->scheme = TPM2_ALG_RSAPSS;
			scheme->details.rsapss.hashAlg = TPM2_ALG_SHA256;
		}
	} else {
		err = tl__error(TL_EUNSUPPORTED, "tpm2: the key at this handle is neither ECC nor RSA");
	}
	Esys_Free(pub);
	return err;
}

/* SHA-256 of the selected PCR values in ascending order (the pcrDigest of a
 * one-bank selection with a SHA-256 signing scheme). */
static tl_err pcr_digest(uint8_t out[32], uint32_t mask, uint8_t pcrs[TL__TPM_NUM_PCRS][32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int n = 0;
	tl_err err = TL_OK;

	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		err = tl__nomem();
	for (unsigned i = 0; err == TL_OK && i < TL__TPM_NUM_PCRS; i++)
		if ((mask & (1u << i)) && EVP_DigestUpdate(c, pcrs[i], 32) != 1)
			err = tl__nomem();
	if (err == TL_OK && EVP_DigestFinal_ex(c, out, &n) != 1)
		err = tl__nomem();
	EVP_MD_CTX_free(c);
	return err;
}

tl_err tl__tpm2_quote(tl_buf *attest, tl_buf *sig, uint8_t pcrs[TL__TPM_NUM_PCRS][32],
                      uint32_t handle, const char *tcti, uint32_t mask, const uint8_t *qual,
                      size_t qual_len)
{
	TSS2_TCTI_CONTEXT *tc = NULL;
	ESYS_CONTEXT *ec = NULL;
	ESYS_TR key = ESYS_TR_NONE;
	TPM2B_DATA qd = { 0 };
	TPML_PCR_SELECTION sel = { 0 };
	TPMT_SIG_SCHEME scheme;
	TPM2B_ATTEST *quoted = NULL;
	TPMT_SIGNATURE *tsig = NULL;
	uint8_t sigbytes[sizeof(TPMT_SIGNATURE)], want[32];
	size_t siglen = 0;
	tl__tpm_quote q;
	TSS2_RC rc;
	tl_err err;

	if (qual_len > sizeof(qd.buffer) || !mask || mask >> TL__TPM_NUM_PCRS)
		return tl__error(TL_EINVAL, "tpm2: quote: bad qualifying data or PCR selection");
	qd.size = (UINT16)qual_len;
	memcpy(qd.buffer, qual, qual_len);
	sel.count = 1;
	sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel.pcrSelections[0].sizeofSelect = 3;
	for (int b = 0; b < 3; b++)
		sel.pcrSelections[0].pcrSelect[b] = (uint8_t)(mask >> (8 * b));

	if ((rc = Tss2_TctiLdr_Initialize(tcti, &tc)) != TSS2_RC_SUCCESS) {
		err = tl__error(TL_EIO, "tpm2: cannot reach the TPM (TCTI \"%s\"): %s",
		                tcti ? tcti : "default", Tss2_RC_Decode(rc));
		goto done;
	}
	if ((rc = Esys_Initialize(&ec, tc, NULL)) != TSS2_RC_SUCCESS) {
		err = tss_error("Esys_Initialize", rc);
		goto done;
	}
	if ((rc = Esys_TR_FromTPMPublic(ec, handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
	                                &key)) != TSS2_RC_SUCCESS) {
		err = tl__error(TL_EIO, "tpm2: no key at handle 0x%08x: %s", handle,
		                Tss2_RC_Decode(rc));
		goto done;
	}
	if ((err = pick_scheme(ec, key, &scheme)) != TL_OK)
		goto done;
	for (int attempt = 0;; attempt++) {
		Esys_Free(quoted);
		Esys_Free(tsig);
		quoted = NULL;
		tsig = NULL;
		rc = Esys_Quote(ec, key, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &qd, &scheme,
		                &sel, &quoted, &tsig);
		if (rc != TSS2_RC_SUCCESS) {
			err = tss_error("TPM2_Quote", rc);
			goto done;
		}
		if ((err = read_pcrs(ec, mask, pcrs)) != TL_OK ||
		    (err = tl__tpm_quote_parse(&q, quoted->attestationData, quoted->size,
		                               "TPM2_Quote")) != TL_OK ||
		    (err = pcr_digest(want, mask, pcrs)) != TL_OK)
			goto done;
		if (q.pcr_digest_len == 32 && CRYPTO_memcmp(q.pcr_digest, want, 32) == 0)
			break;
		if (attempt == 2) {
			err = tl__error(TL_EIO, "tpm2: the PCRs kept changing while quoting (or the "
			                "quote's pcrDigest is not SHA-256)");
			goto done;
		}
	}
	if ((rc = Tss2_MU_TPMT_SIGNATURE_Marshal(tsig, sigbytes, sizeof(sigbytes), &siglen)) !=
	    TSS2_RC_SUCCESS) {
		err = tss_error("marshalling the TPMT_SIGNATURE", rc);
		goto done;
	}
	if ((err = tl_buf_put(attest, quoted->attestationData, quoted->size)) != TL_OK ||
	    (err = tl_buf_put(sig, sigbytes, siglen)) != TL_OK)
		goto done;
done:
	Esys_Free(quoted);
	Esys_Free(tsig);
	if (ec)
		Esys_Finalize(&ec);
	if (tc)
		Tss2_TctiLdr_Finalize(&tc);
	return err;
}
