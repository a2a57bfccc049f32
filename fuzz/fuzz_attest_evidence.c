/*
 * Fuzz target: the device evidence reader, everything `attest verify`
 * does after the envelope's signature verified: the in-toto statement,
 * the predicate, the quote (base64, TPMS_ATTEST, TPMT_SIGNATURE, nonce
 * binding, PCR digest, signature) and the expected values.  Input: the
 * statement JSON (the seeds are real evidence from swtpm by the keys in
 * attest_keys.h, for FUZZ_NONCE).
 */
#include <stdlib.h>
#include <string.h>

#include "attest_keys.h"
#include "trust/trust_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tl_key *ec_key, *rsa_key;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const tl_attest_pcr want[] = { { 0, { 0 } }, { 16, { 0 } } };
	tl_attest_expect exp = { 0 };
	tl_attest_report rep;
	tl_json_limits lim = { 1 << 20, 64 };
	tl_key *keys[2];

	if (!ec_key && (tl_key_from_public(&ec_key, fuzz_ec_pub, strlen(fuzz_ec_pub), "ec") != TL_OK ||
	                tl_key_from_public(&rsa_key, fuzz_rsa_pub, strlen(fuzz_rsa_pub), "rsa") != TL_OK))
		abort();
	keys[0] = ec_key;
	keys[1] = rsa_key;
	exp.nonce = FUZZ_NONCE;
	exp.expect_firmware = "eafdc75ccf858d63bd06db6f4365752996b419d8e0968b479bacb4a533e92084";
	for (int k = 0; k < 2; k++) {
		exp.expect_pcrs = want;
		exp.nexpect_pcrs = (size_t)k; /* with and without an expected PCR */
		if (tl__attest_check_payload(&rep, data, size, keys[k], &exp, "fuzz", &lim) == TL_OK) {
			/* Accepted: it must answer the nonce with a firmware digest. */
			if (!rep.has_firmware || strcmp(rep.firmware_sha256, exp.expect_firmware) != 0 ||
			    rep.npcrs > TL_ATTEST_NUM_PCRS || (k && !rep.has_quote))
				abort();
		} else if (!*tl_error_last()) {
			abort(); /* every failure says why */
		}
	}
	return 0;
}
