/*
 * Signs and verifies per second through trustline's key interface, for
 * bench/sign.sh.  Uses only the public API.
 *
 *   sign_bench [-w] SECONDS BACKEND:TYPE:URI...
 *
 * For each key: opens URI (generating a TYPE key there if it cannot be
 * opened), then counts tl_key_sign and tl_key_verify calls over SECONDS
 * each on a 64-byte message (about the size of openssl speed's input).
 * Prints "BACKEND TYPE SIGNS_PER_S VERIFIES_PER_S", per second of process
 * CPU time (as openssl speed counts by default), so other load on the
 * machine does not skew the comparison.  A token's signing work happens
 * in the same process (SoftHSM2 is a library), so it is counted too; -w
 * counts signing by wall time instead, for a TPM whose work is in another
 * process (verification is always software, by CPU time).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trustline/trust.h"

static clockid_t sign_clock = CLOCK_PROCESS_CPUTIME_ID;

static double now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned char msg[64];
	double secs;

	if (argc > 1 && !strcmp(argv[1], "-w")) {
		/* Signing by wall time: it happens in another process (swtpm). */
		sign_clock = CLOCK_MONOTONIC;
		argc--;
		argv++;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: sign_bench [-w] SECONDS BACKEND:TYPE:URI...\n");
		return 2;
	}
	secs = strtod(argv[1], NULL);
	if (secs <= 0) {
		fprintf(stderr, "sign_bench: bad SECONDS\n");
		return 2;
	}
	memset(msg, 0x5a, sizeof(msg));
	for (int a = 2; a < argc; a++) {
		char spec[2048], *type, *uri;
		tl_key_type t;
		tl_key *k = NULL;
		tl_buf sig = TL_BUF_INIT;
		unsigned long ns = 0, nv = 0;
		double t0, el;

		snprintf(spec, sizeof(spec), "%s", argv[a]);
		if (!(type = strchr(spec, ':')) || !(uri = strchr(type + 1, ':'))) {
			fprintf(stderr, "sign_bench: expected BACKEND:TYPE:URI, got %s\n", argv[a]);
			return 2;
		}
		*type++ = '\0';
		*uri++ = '\0';
		if (tl_key_type_parse(&t, type) != TL_OK ||
		    (tl_key_open(&k, uri) != TL_OK && tl_key_generate(&k, uri, t) != TL_OK)) {
			fprintf(stderr, "sign_bench: %s\n", tl_error_last());
			return 2;
		}
		t0 = now(sign_clock);
		do {
			for (int j = 0; j < 8; j++) {
				tl_buf_clear(&sig);
				if (tl_key_sign(&sig, k, msg, sizeof(msg)) != TL_OK) {
					fprintf(stderr, "sign_bench: %s\n", tl_error_last());
					return 2;
				}
				ns++;
			}
		} while ((el = now(sign_clock) - t0) < secs);
		printf("%s %s %.1f", spec, type, (double)ns / el);
		t0 = now(CLOCK_PROCESS_CPUTIME_ID);
		do {
			for (int j = 0; j < 16; j++) {
				if (tl_key_verify(k, msg, sizeof(msg), sig.ptr, sig.len, TL_SIG_DER) != TL_OK) {
					fprintf(stderr, "sign_bench: verify failed: %s\n", tl_error_last());
					return 2;
				}
				nv++;
			}
		} while ((el = now(CLOCK_PROCESS_CPUTIME_ID) - t0) < secs);
		printf(" %.1f\n", (double)nv / el);
		fflush(stdout);
		tl_buf_dispose(&sig);
		tl_key_free(k);
	}
	return 0;
}
