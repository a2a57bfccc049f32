/*
 * Signs and verifies per second through trustline's key interface (file
 * backend), for bench/sign.sh.  Uses only the public API.
 *
 *   sign_bench DIR SECONDS [MSG_BYTES]
 *
 * For each of ed25519, p256, rsa3072: generates a key under DIR, then
 * counts tl_key_sign and tl_key_verify calls over SECONDS each, on a
 * MSG_BYTES message (default 64, about the size of openssl speed's input).
 * Prints "ALG SIGNS_PER_S VERIFIES_PER_S", per second of process CPU time
 * (as openssl speed counts by default), so other load on the machine does
 * not skew the comparison.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trustline/trust.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const tl_key_type types[] = { TL_KEY_ED25519, TL_KEY_P256, TL_KEY_RSA3072 };
	unsigned char msg[4096];
	size_t mlen = 64;
	double secs;

	if (argc < 3) {
		fprintf(stderr, "usage: sign_bench DIR SECONDS [MSG_BYTES]\n");
		return 2;
	}
	secs = strtod(argv[2], NULL);
	if (argc > 3)
		mlen = (size_t)strtoul(argv[3], NULL, 10);
	if (secs <= 0 || mlen > sizeof(msg)) {
		fprintf(stderr, "sign_bench: bad SECONDS or MSG_BYTES\n");
		return 2;
	}
	memset(msg, 0x5a, sizeof(msg));
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char path[1024];
		tl_key *k = NULL;
		tl_buf sig = TL_BUF_INIT;
		unsigned long ns = 0, nv = 0;
		double t0, t;

		snprintf(path, sizeof(path), "%s/bench-%s.pem", argv[1], tl_key_type_name(types[i]));
		if (tl_key_generate(&k, path, types[i]) != TL_OK && tl_key_open(&k, path) != TL_OK) {
			fprintf(stderr, "sign_bench: %s\n", tl_error_last());
			return 2;
		}
		t0 = now();
		do {
			for (int j = 0; j < 16; j++) {
				tl_buf_clear(&sig);
				if (tl_key_sign(&sig, k, msg, mlen) != TL_OK) {
					fprintf(stderr, "sign_bench: %s\n", tl_error_last());
					return 2;
				}
				ns++;
			}
		} while ((t = now() - t0) < secs);
		printf("%s %.1f", tl_key_type_name(types[i]), (double)ns / t);
		t0 = now();
		do {
			for (int j = 0; j < 16; j++) {
				if (tl_key_verify(k, msg, mlen, sig.ptr, sig.len, TL_SIG_DER) != TL_OK) {
					fprintf(stderr, "sign_bench: verify failed: %s\n", tl_error_last());
					return 2;
				}
				nv++;
			}
		} while ((t = now() - t0) < secs);
		printf(" %.1f\n", (double)nv / t);
		fflush(stdout);
		tl_buf_dispose(&sig);
		tl_key_free(k);
	}
	return 0;
}
