/*
 * Fuzz target: the TPMS_ATTEST and TPMT_SIGNATURE readers (quotes in
 * device evidence) and the quote signature check over what they read.
 * Input: a big-endian UINT16 length L, L bytes of TPMT_SIGNATURE, then the
 * TPMS_ATTEST (fewer than 2 bytes: both readers get the whole input).
 */
#include <stdlib.h>
#include <string.h>

#include "attest_keys.h"
#include "trust/trust_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tl_key *ec_key, *rsa_key;

static void check_quote(const tl__tpm_quote *q)
{
	if (q->signer_len > sizeof(q->signer) || q->extra_len > sizeof(q->extra) ||
	    q->pcr_digest_len > sizeof(q->pcr_digest) || q->nsel > TL__TPM_MAX_SELECTIONS ||
	    q->type != TL__TPM_ST_ATTEST_QUOTE || q->safe > 1)
		abort();
}

static void check_sig(const tl__tpm_signature *s)
{
	if (s->a_len > sizeof(s->a) || s->b_len > sizeof(s->b))
		abort();
	if (s->sig_alg == TL__TPM_ALG_ECDSA ? s->a_len > TL__TPM_MAX_ECC_PARAM :
	    (s->sig_alg != TL__TPM_ALG_RSASSA && s->sig_alg != TL__TPM_ALG_RSAPSS) || s->b_len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tl__tpm_quote q;
	tl__tpm_signature s;
	size_t sl;

	if (!ec_key && (tl_key_from_public(&ec_key, fuzz_ec_pub, strlen(fuzz_ec_pub), "ec") != TL_OK ||
	                tl_key_from_public(&rsa_key, fuzz_rsa_pub, strlen(fuzz_rsa_pub), "rsa") != TL_OK))
		abort();
	if (size < 2) {
		if (tl__tpm_quote_parse(&q, data, size, "fuzz") == TL_OK ||
		    tl__tpm_signature_parse(&s, data, size, "fuzz") == TL_OK)
			abort(); /* neither fits in under 2 bytes */
		return 0;
	}
	sl = (size_t)data[0] << 8 | data[1];
	if (sl > size - 2)
		sl = size - 2;
	if (tl__tpm_signature_parse(&s, data + 2, sl, "fuzz") == TL_OK) {
		check_sig(&s);
		(void)tl__tpm_signature_verify(&s, s.sig_alg == TL__TPM_ALG_ECDSA ? ec_key : rsa_key,
		                               data + 2 + sl, size - 2 - sl);
		(void)tl__tpm_signature_verify(&s, s.sig_alg == TL__TPM_ALG_ECDSA ? rsa_key : ec_key,
		                               data + 2 + sl, size - 2 - sl);
	}
	if (tl__tpm_quote_parse(&q, data + 2 + sl, size - 2 - sl, "fuzz") == TL_OK)
		check_quote(&q);
	return 0;
}
