/*
 * trustline attest: evidence of a device's software state (firmware and
 * SBOM digests, a TPM2 quote over PCRs) bound to a verifier's nonce and
 * signed by the device key; trustline attest verify checks it against the
 * device certificate.  Format: docs/attestation.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "trustline/trust.h"

static void usage(FILE *f)
{
	fputs("usage: trustline attest --key URI --nonce N [--firmware FILE] [--sbom FILE]\n"
	      "                        [--pcrs LIST] [--tpm TCTI] [-o EVIDENCE]\n"
	      "\n"
	      "Writes evidence of this device's software state: the SHA-256 and SHA-512 of\n"
	      "the firmware image and of its SBOM and the verifier's nonce, in an in-toto\n"
	      "statement of type " TL_PREDICATE_DEVICE ",\n"
	      "signed by the device key as a DSSE envelope.  With a TPM key\n"
	      "(tpm2:handle=0x81...) it also holds a TPM2_Quote by that key over the sha256\n"
	      "PCRs in LIST, its qualifyingData the SHA-256 of the nonce, and the PCR\n"
	      "values; other keys give evidence without a quote (\"quote\": null).\n"
	      "\n"
	      "Options:\n"
	      "      --key URI        device key: tpm2:handle=0x..., pkcs11:... or a file (required)\n"
	      "      --nonce N        the verifier's challenge, 1 to 1024 printable ASCII (required)\n"
	      "      --firmware FILE  the running firmware image\n"
	      "      --sbom FILE      its SBOM (one of --firmware, --sbom is required)\n"
	      "      --pcrs LIST      PCRs to quote, e.g. 0,1,2,3,4,5,6,7 (the default) or 0-7,14\n"
	      "      --tpm TCTI       the TPM for the quote and the key (tpm2-tss TCTI, e.g.\n"
	      "                       swtpm:host=127.0.0.1,port=2321; default $TPM2OPENSSL_TCTI)\n"
	      "  -o, --output FILE    where to write the evidence (default: standard output)\n"
	      "  -h, --help           this help\n",
	      f);
}

static void usage_verify(FILE *f)
{
	fputs("usage: trustline attest verify EVIDENCE --nonce N --cert DEVCERT --roots CA.pem\n"
	      "                               [--untrusted CHAIN] [--crl CRL]\n"
	      "                               [--expect-firmware DIGEST] [--expect-sbom DIGEST]\n"
	      "                               [--expect-pcr I=HEX ...] [--require-quote]\n"
	      "\n"
	      "Verifies device evidence, failing closed: the device certificate's path to\n"
	      "a root in CA.pem (and revocation with --crl), the envelope's signature by\n"
	      "the certificate's key, the predicate type, the nonce, and a TPM quote's\n"
	      "magic, type, nonce binding, PCR digest and signature by the same key; then\n"
	      "the expected digests and PCR values.\n"
	      "\n"
	      "Exit status: 0 verified; 1 not verified, with the reason (any failed check,\n"
	      "including a malformed predicate or quote inside the signed envelope); 2\n"
	      "usage, unreadable files, or an EVIDENCE that is no DSSE envelope.\n"
	      "\n"
	      "Options:\n"
	      "      --nonce N                 the challenge sent to the device (required)\n"
	      "      --cert DEVCERT            the device certificate, PEM or DER (required)\n"
	      "      --roots CA.pem            trust anchors, PEM (required)\n"
	      "      --untrusted CHAIN         intermediate CA certificates, PEM\n"
	      "      --crl CRL                 CRLs (PEM or DER): revocation of the whole chain\n"
	      "      --expect-firmware DIGEST  firmware SHA-256 (64 hex) or SHA-512 (128 hex)\n"
	      "      --expect-sbom DIGEST      SBOM SHA-256 or SHA-512\n"
	      "      --expect-pcr I=HEX        PCR I (sha256 bank) must be quoted with value HEX;\n"
	      "                                repeatable; implies --require-quote\n"
	      "      --require-quote           evidence without a TPM quote fails\n"
	      "  -h, --help                    this help\n",
	      f);
}

/* "0,1,2-5" into a bit mask of PCRs 0..23; false on junk. */
static bool parse_pcrs(const char *s, uint32_t *mask)
{
	*mask = 0;
	while (*s) {
		char *end;
		unsigned long a, b;
		if (*s < '0' || *s > '9')
			return false;
		a = strtoul(s, &end, 10);
		b = a;
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return false;
			b = strtoul(end + 1, &end, 10);
		}
		if (a > b || b >= TL_ATTEST_NUM_PCRS)
			return false;
		for (unsigned long i = a; i <= b; i++)
			*mask |= 1u << i;
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			return false;
		s = end;
	}
	return *mask != 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "I=HEX" (HEX 64 digits) into p. */
static bool parse_expect_pcr(const char *s, tl_attest_pcr *p)
{
	const char *eq = strchr(s, '=');
	uint64_t idx;
	char num[4];

	if (!eq || eq == s || (size_t)(eq - s) >= sizeof(num))
		return false;
	memcpy(num, s, (size_t)(eq - s));
	num[eq - s] = '\0';
	if (!tl_parse_u64(num, &idx) || idx >= TL_ATTEST_NUM_PCRS || strlen(eq + 1) != 64)
		return false;
	p->index = (unsigned)idx;
	for (int i = 0; i < 32; i++) {
		int hi = hexval(eq[1 + 2 * i]), lo = hexval(eq[2 + 2 * i]);
		if (hi < 0 || lo < 0)
			return false;
		p->value[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static bool digest_arg_ok(const char *s)
{
	size_t n = strlen(s);

	if (n != 64 && n != 128)
		return false;
	for (size_t i = 0; i < n; i++)
		if (hexval(s[i]) < 0)
			return false;
	return true;
}

int cmd_attest(int argc, char **argv)
{
	const char *uri = NULL, *out = NULL, *pcrs = NULL, *v;
	tl_attest_params p = { 0 };
	tl_buf ev = TL_BUF_INIT;
	bool missing;
	tl_err err;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if ((v = cli_opt_value(argc, argv, &i, "--key", &missing))) {
			uri = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--nonce", &missing))) {
			p.nonce = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--firmware", &missing))) {
			p.firmware = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--sbom", &missing))) {
			p.sbom = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--pcrs", &missing))) {
			pcrs = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--tpm", &missing))) {
			p.tcti = v;
		} else if (!missing && ((v = cli_opt_value(argc, argv, &i, "-o", &missing)) ||
		           (!missing && (v = cli_opt_value(argc, argv, &i, "--output", &missing))))) {
			out = v;
		} else if (missing) {
			return cli_usage_error("attest: %s needs a value", a);
		} else {
			return cli_usage_error("attest: unexpected argument '%s' (see --help)", a);
		}
	}
	if (!uri)
		return cli_usage_error("attest: --key is required (see --help)");
	if (!p.nonce)
		return cli_usage_error("attest: --nonce is required (see --help)");
	if (!p.firmware && !p.sbom)
		return cli_usage_error("attest: nothing to attest: give --firmware, --sbom or both");
	if (pcrs && !parse_pcrs(pcrs, &p.pcrs))
		return cli_usage_error("attest: --pcrs: expected PCR numbers 0 to 23 as a list such as "
		                       "0,1,2 or 0-7,14");
	if (pcrs && strncmp(uri, "tpm2:", 5) != 0)
		return cli_usage_error("attest: --pcrs needs a TPM key (tpm2:handle=...)");
	/* The signing key reaches the TPM through the tpm2-openssl provider,
	 * which reads this variable: one TPM for the quote and the signature. */
	if (p.tcti && setenv("TPM2OPENSSL_TCTI", p.tcti, 1) != 0)
		return cli_usage_error("attest: --tpm: cannot set TPM2OPENSSL_TCTI");
	if ((err = tl_attest_evidence(&ev, uri, &p)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	rc = cli_write_output(out, &ev);
done:
	tl_buf_dispose(&ev);
	return rc;
}

int cmd_attest_verify(int argc, char **argv)
{
	const char *evp = NULL, *cert = NULL, *roots = NULL, *untrusted = NULL, *crl = NULL, *v;
	tl_attest_pcr want[TL_ATTEST_NUM_PCRS];
	tl_attest_expect exp = { 0 };
	tl_attest_report rep;
	tl_json_limits lim = cli_json_limits();
	tl_dsse_envelope *env = NULL;
	tl_buf data = TL_BUF_INIT;
	tl_key *k = NULL;
	char id[TL_KEY_ID_HEX_LEN + 1], hex[65];
	bool missing;
	tl_err err;
	int rc = 1; /* fails closed */

	exp.expect_pcrs = want;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage_verify(stdout);
			return 0;
		}
		if ((v = cli_opt_value(argc, argv, &i, "--nonce", &missing))) {
			exp.nonce = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--cert", &missing))) {
			cert = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--roots", &missing))) {
			roots = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--untrusted", &missing))) {
			untrusted = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--crl", &missing))) {
			crl = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--expect-firmware", &missing))) {
			if (!digest_arg_ok(v))
				return cli_usage_error("attest verify: --expect-firmware: expected 64 (SHA-256) "
				                       "or 128 (SHA-512) hex digits");
			exp.expect_firmware = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--expect-sbom", &missing))) {
			if (!digest_arg_ok(v))
				return cli_usage_error("attest verify: --expect-sbom: expected 64 (SHA-256) or "
				                       "128 (SHA-512) hex digits");
			exp.expect_sbom = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--expect-pcr", &missing))) {
			if (exp.nexpect_pcrs >= TL_ATTEST_NUM_PCRS ||
			    !parse_expect_pcr(v, &want[exp.nexpect_pcrs]))
				return cli_usage_error("attest verify: --expect-pcr: expected I=HEX, I from 0 "
				                       "to 23, HEX 64 hex digits (sha256), at most 24 times");
			exp.nexpect_pcrs++;
		} else if (!missing && !strcmp(a, "--require-quote")) {
			exp.require_quote = true;
		} else if (missing) {
			return cli_usage_error("attest verify: %s needs a value", a);
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage_error("attest verify: unknown option '%s' (see --help)", a);
		} else if (evp) {
			return cli_usage_error("attest verify: one evidence file expected, got '%s' and '%s'",
			                       evp, a);
		} else {
			evp = a;
		}
	}
	if (!evp)
		return cli_usage_error("attest verify: no evidence file (see --help)");
	if (!exp.nonce)
		return cli_usage_error("attest verify: --nonce is required: the challenge this "
		                       "evidence must answer");
	if (!cert || !roots)
		return cli_usage_error("attest verify: --cert and --roots are required (see --help)");

	if ((err = tl_file_read(&data, evp, lim.max_bytes)) != TL_OK ||
	    (err = tl_dsse_parse(&env, data.ptr, data.len, strcmp(evp, "-") ? evp : "<stdin>",
	                         &lim)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	if ((err = tl_x509_verify_cert(&k, cert, roots, untrusted, crl, 0)) != TL_OK) {
		if (err == TL_ECHECK)
			fprintf(stderr, "trustline: %s: not verified: certificate: %s\n", evp,
			        tl_error_last());
		else
			cli_fail(err);
		rc = err == TL_ECHECK ? 1 : 2;
		goto done;
	}
	if ((err = tl_key_id(id, k)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	if ((err = tl_attest_verify(&rep, env, k, &exp, evp, &lim)) != TL_OK) {
		fprintf(stderr, "trustline: %s: not verified: %s\n", evp, tl_error_last());
		rc = err == TL_ECHECK ? 1 : 2;
		goto done;
	}
	printf("verified: device evidence signed by key %s (%s, %s backend), certificate %s\n", id,
	       tl_key_type_name(tl_key_get_type(k)), rep.key_backend, cert);
	printf("nonce: matches\n");
	if (rep.has_firmware)
		printf("firmware: sha256:%s\n", rep.firmware_sha256);
	if (rep.has_sbom)
		printf("sbom: sha256:%s\n", rep.sbom_sha256);
	if (rep.has_quote) {
		printf("quote: %s, TPM clock %llu ms, resets %u, restarts %u, TPM firmware 0x%016llx\n",
		       rep.quote_sig, (unsigned long long)rep.clock, rep.reset_count, rep.restart_count,
		       (unsigned long long)rep.firmware_version);
		for (size_t i = 0; i < rep.npcrs; i++) {
			tl_hex(hex, rep.pcrs[i].value, 32);
			printf("pcr %u: sha256:%s\n", rep.pcrs[i].index, hex);
		}
	} else {
		printf("quote: none (a %s key, no TPM)\n", rep.key_backend);
	}
	rc = fflush(stdout) == 0 ? 0 : 2; /* the only place success is set */
done:
	tl_dsse_envelope_free(env);
	tl_key_free(k);
	tl_buf_dispose(&data);
	return rc;
}
