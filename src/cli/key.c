/*
 * trustline key generate | key public: create a signing key named by a
 * URI, print a key's public half and key id.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "trustline/trust.h"

/* Public PEM then "keyid: <hex>" to stdout, or PEM to out and the id to stdout. */
static int print_public(tl_key *k, const char *out)
{
	char id[TL_KEY_ID_HEX_LEN + 1];
	tl_buf pem = TL_BUF_INIT;
	tl_err err;
	int rc;

	if ((err = tl_key_public_pem(&pem, k)) != TL_OK || (err = tl_key_id(id, k)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	if (out && strcmp(out, "-") != 0) {
		if ((rc = cli_write_output(out, &pem)) != 0)
			goto done;
	} else {
		fwrite(pem.ptr, 1, pem.len, stdout);
	}
	printf("keyid: %s\ntype: %s\n", id, tl_key_type_name(tl_key_get_type(k)));
	rc = fflush(stdout) == 0 ? 0 : 2;
done:
	tl_buf_dispose(&pem);
	return rc;
}

static void generate_usage(FILE *f)
{
	fputs("usage: trustline key generate --key URI --type ed25519|p256|rsa3072 [-o PUB]\n"
	      "\n"
	      "Creates a new private key at URI and prints its public key (PEM) and key\n"
	      "id (SHA-256 of the DER SubjectPublicKeyInfo).  URI is a path or a file:\n"
	      "URI; the key is written as PKCS#8 PEM, mode 0600, and an existing file is\n"
	      "never overwritten.\n"
	      "\n"
	      "Options:\n"
	      "      --key URI     where to create the key (required)\n"
	      "      --type T      ed25519, p256 (ECDSA P-256) or rsa3072 (RSA-PSS) (required)\n"
	      "  -o, --output PUB  write the public key PEM to PUB instead of standard output\n"
	      "  -h, --help        this help\n",
	      f);
}

int cmd_key_generate(int argc, char **argv)
{
	const char *uri = NULL, *type = NULL, *out = NULL, *v;
	tl_key_type t;
	tl_key *k = NULL;
	bool missing;
	tl_err err;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			generate_usage(stdout);
			return 0;
		}
		if ((v = cli_opt_value(argc, argv, &i, "--key", &missing))) {
			uri = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--type", &missing))) {
			type = v;
		} else if (!missing && ((v = cli_opt_value(argc, argv, &i, "-o", &missing)) ||
		           (!missing && (v = cli_opt_value(argc, argv, &i, "--output", &missing))))) {
			out = v;
		} else if (missing) {
			return cli_usage_error("key generate: %s needs a value", a);
		} else {
			return cli_usage_error("key generate: unexpected argument '%s' (see --help)", a);
		}
	}
	if (!uri || !type)
		return cli_usage_error("key generate: --key and --type are required (see --help)");
	if ((err = tl_key_type_parse(&t, type)) != TL_OK)
		return cli_fail(err);
	if ((err = tl_key_generate(&k, uri, t)) != TL_OK)
		return cli_fail(err);
	rc = print_public(k, out);
	tl_key_free(k);
	return rc;
}

static void public_usage(FILE *f)
{
	fputs("usage: trustline key public --key URI [-o PUB]\n"
	      "\n"
	      "Prints the public key of URI (a private key, public key or certificate) as\n"
	      "PEM, then its key id (SHA-256 hex of the DER SubjectPublicKeyInfo) and type.\n"
	      "\n"
	      "Options:\n"
	      "      --key URI     the key (required)\n"
	      "  -o, --output PUB  write the PEM to PUB; the key id still goes to stdout\n"
	      "  -h, --help        this help\n",
	      f);
}

int cmd_key_public(int argc, char **argv)
{
	const char *uri = NULL, *out = NULL, *v;
	tl_key *k = NULL;
	bool missing;
	tl_err err;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			public_usage(stdout);
			return 0;
		}
		if ((v = cli_opt_value(argc, argv, &i, "--key", &missing))) {
			uri = v;
		} else if (!missing && ((v = cli_opt_value(argc, argv, &i, "-o", &missing)) ||
		           (!missing && (v = cli_opt_value(argc, argv, &i, "--output", &missing))))) {
			out = v;
		} else if (missing) {
			return cli_usage_error("key public: %s needs a value", a);
		} else {
			return cli_usage_error("key public: unexpected argument '%s' (see --help)", a);
		}
	}
	if (!uri)
		return cli_usage_error("key public: --key is required (see --help)");
	if ((err = tl_key_load_public(&k, uri)) != TL_OK)
		return cli_fail(err);
	rc = print_public(k, out);
	tl_key_free(k);
	return rc;
}
