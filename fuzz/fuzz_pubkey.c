/*
 * Fuzz target: the public key reader (PEM/DER SubjectPublicKeyInfo, X.509
 * certificates, PEM private keys), then key id, PEM output and a
 * verification with whatever key was read.
 */
#include <stdlib.h>

#include "trustline/trust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[TL_KEY_ID_HEX_LEN + 1];
	static const uint8_t sig[64];
	tl_buf pem = TL_BUF_INIT;
	tl_key *k = NULL;

	if (tl_key_from_public(&k, data, size, "fuzz") != TL_OK)
		return 0;
	if (tl_key_id(id, k) != TL_OK || tl_key_public_pem(&pem, k) != TL_OK)
		abort();
	/* An all-zero signature never verifies. */
	if (tl_key_verify(k, "m", 1, sig, sizeof(sig), TL_SIG_AUTO) == TL_OK)
		abort();
	tl_buf_dispose(&pem);
	tl_key_free(k);
	return 0;
}
