/*
 * trustline verify: checks a DSSE envelope's signature with a public key
 * and, with --artifact, that the signed statement (or payload) is about
 * that file.  Fails closed: rc starts as "failed" and only the last step
 * sets 0.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "trustline/trust.h"

#define MAX_CRL_FILES 64

static void usage(FILE *f)
{
	fputs("usage: trustline verify ENVELOPE --key PUB [--artifact FILE]\n"
	      "       trustline verify ENVELOPE --cert CERT --roots CA.pem [--untrusted CHAIN.pem]\n"
	      "                        [--crl CRL ...] [--artifact FILE]\n"
	      "\n"
	      "Verifies the DSSE v1 envelope ENVELOPE with the public key PUB (PEM or DER\n"
	      "public key, X.509 certificate, or a key URI), or with the key of the\n"
	      "certificate CERT after validating its path to a root in CA.pem (RFC 5280,\n"
	      "OpenSSL), with revocation checked for every CA in the chain when --crl is\n"
	      "given (a missing CRL fails).  With --artifact, an in-toto\n"
	      "statement must have a subject whose sha256/sha512 digests match FILE; a\n"
	      "plain DSSE payload must equal FILE's bytes.\n"
	      "\n"
	      "Exit status: 0 verified; 1 not verified (bad signature, no signature by\n"
	      "this key, wrong key type, digest mismatch; certificate expired, revoked,\n"
	      "unknown issuer, bad signature, key usage), with the reason; 2 usage,\n"
	      "malformed input or I/O error.\n"
	      "\n"
	      "Options:\n"
	      "      --key PUB        the signer's public key\n"
	      "      --cert CERT      the signer's certificate (PEM or DER), instead of --key\n"
	      "      --roots CA.pem   trust anchors (PEM bundle); required with --cert\n"
	      "      --untrusted F    intermediate CA certificates (PEM bundle), not trusted\n"
	      "      --crl CRL        CRLs (PEM or DER); repeat for several files\n"
	      "      --at TIME        validate the certificates at TIME (RFC 3339; default now)\n"
	      "      --artifact FILE  the file the envelope must be about\n"
	      "  -h, --help           this help\n",
	      f);
}

/* Plain payload against the artifact's bytes, by SHA-256. */
static tl_err match_payload(const tl_dsse_envelope *env, const char *path)
{
	uint8_t a[TL_HASH_MAX_LEN], b[TL_HASH_MAX_LEN];
	size_t alen = 0, blen = 0;
	tl_err err;

	if ((err = tl_hash_file(TL_HASH_SHA256, path, a, &alen)) != TL_OK ||
	    (err = tl_hash_buf(TL_HASH_SHA256, env->payload, env->payload_len, b, &blen)) != TL_OK)
		return err;
	if (alen != blen || CRYPTO_memcmp(a, b, alen) != 0)
		return TL_ECHECK;
	return TL_OK;
}

int cmd_verify(int argc, char **argv)
{
	const char *envp = NULL, *keyp = NULL, *artifact = NULL, *v;
	const char *certp = NULL, *roots = NULL, *untrusted = NULL, *crls[MAX_CRL_FILES];
	size_t ncrls = 0;
	int64_t at = 0;
	tl_json_limits lim = cli_json_limits();
	tl_buf data = TL_BUF_INIT;
	tl_dsse_envelope *env = NULL;
	tl_statement *st = NULL;
	tl_key *k = NULL;
	char id[TL_KEY_ID_HEX_LEN + 1];
	size_t which = 0;
	bool missing;
	tl_err err;
	int rc = 1; /* fails closed */

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if ((v = cli_opt_value(argc, argv, &i, "--key", &missing))) {
			keyp = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--artifact", &missing))) {
			artifact = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--cert", &missing))) {
			certp = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--roots", &missing))) {
			roots = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--untrusted", &missing))) {
			untrusted = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--crl", &missing))) {
			if (ncrls == MAX_CRL_FILES)
				return cli_usage_error("verify: at most %d --crl files",
				                       MAX_CRL_FILES);
			crls[ncrls++] = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--at", &missing))) {
			if (tl_time_parse(&at, v) != TL_OK || at == 0)
				return cli_usage_error("verify: --at: expected an RFC 3339 date-time");
		} else if (missing) {
			return cli_usage_error("verify: %s needs a value", a);
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage_error("verify: unknown option '%s' (see --help)", a);
		} else if (envp) {
			return cli_usage_error("verify: one envelope expected, got '%s' and '%s'", envp, a);
		} else {
			envp = a;
		}
	}
	if (!envp)
		return cli_usage_error("verify: no envelope (see --help)");
	if (!keyp == !certp)
		return cli_usage_error("verify: give --key or --cert (see --help)");
	if (certp && !roots)
		return cli_usage_error("verify: --cert needs --roots (see --help)");
	if (!certp && (roots || untrusted || ncrls || at))
		return cli_usage_error("verify: --roots, --untrusted, --crl and --at go with --cert");

	if ((err = tl_file_read(&data, envp, lim.max_bytes)) != TL_OK ||
	    (err = tl_dsse_parse(&env, data.ptr, data.len, strcmp(envp, "-") ? envp : "<stdin>",
	                         &lim)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	if (certp) {
		/* The chain first: a key is only as good as its certificate path. */
		if ((err = tl_x509_verify_chain(&k, certp, roots, untrusted, crls, ncrls, at)) != TL_OK) {
			if (err == TL_ECHECK) {
				fprintf(stderr, "trustline: %s: not verified: certificate: %s\n", envp,
				        tl_error_last());
				rc = 1;
			} else {
				rc = cli_fail(err);
			}
			goto done;
		}
	} else if ((err = tl_key_load_public(&k, keyp)) != TL_OK) {
		/* A key of a type we do not verify with cannot verify: a failed check
		 * (exit 1).  Other problems with the key are input errors (exit 2). */
		rc = cli_fail(err);
		if (err == TL_EUNSUPPORTED && strstr(tl_error_last(), "wrong key type"))
			rc = 1;
		goto done;
	}
	if ((err = tl_key_id(id, k)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	if ((err = tl_dsse_verify(env, k, &which)) != TL_OK) {
		fprintf(stderr, "trustline: %s: not verified: %s\n", envp, tl_error_last());
		rc = err == TL_ECHECK ? 1 : 2;
		goto done;
	}
	if (!strcmp(env->payload_type, TL_INTOTO_PAYLOAD_TYPE)) {
		if ((err = tl_statement_parse(&st, (const char *)env->payload, env->payload_len,
		                              envp, &lim)) != TL_OK) {
			fprintf(stderr, "trustline: %s: payload: %s\n", envp, tl_error_last());
			rc = 2;
			goto done;
		}
		if (artifact && (err = tl_statement_match_artifact(st, artifact)) != TL_OK) {
			fprintf(stderr, "trustline: %s: not verified: %s\n", envp, tl_error_last());
			rc = err == TL_ECHECK ? 1 : 2;
			goto done;
		}
	} else if (artifact && (err = match_payload(env, artifact)) != TL_OK) {
		if (err == TL_ECHECK)
			fprintf(stderr, "trustline: %s: not verified: digest mismatch: the payload is not "
			        "the bytes of %s\n", envp, artifact);
		else
			fprintf(stderr, "trustline: %s\n", tl_error_last());
		rc = err == TL_ECHECK ? 1 : 2;
		goto done;
	}
	printf("verified: signature %zu by key %s (%s)\n", which, id,
	       tl_key_type_name(tl_key_get_type(k)));
	if (certp)
		printf("certificate: %s: chain to %s verified%s\n", certp, roots,
		       ncrls ? ", not revoked" : "");
	printf("payloadType: %s\n", env->payload_type);
	if (st) {
		printf("predicateType: %s\n", st->predicate_type);
		for (size_t i = 0; i < st->nsubjects; i++)
			printf("subject: %s%s%s\n", st->subjects[i].name ? st->subjects[i].name : "(unnamed)",
			       st->subjects[i].sha256[0] ? " sha256:" : "", st->subjects[i].sha256);
	}
	if (artifact)
		printf("artifact: %s matches\n", artifact);
	rc = fflush(stdout) == 0 ? 0 : 2; /* the only place success is set */
done:
	tl_statement_free(st);
	tl_dsse_envelope_free(env);
	tl_key_free(k);
	tl_buf_dispose(&data);
	return rc;
}
