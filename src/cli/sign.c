/*
 * trustline sign: a DSSE v1 envelope holding an in-toto Statement v1 about
 * a file (optionally with a predicate such as an SBOM), or plain DSSE over
 * any payload.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "trustline/trust.h"

static void usage(FILE *f)
{
	fputs("usage: trustline sign --key URI FILE [--predicate PRED [--predicate-type T]] [-o OUT]\n"
	      "       trustline sign --key URI FILE --payload-type TYPE [-o OUT]\n"
	      "\n"
	      "The first form signs an in-toto Statement v1 whose subject is FILE (its\n"
	      "base name, SHA-256 and SHA-512) and whose predicate is the JSON object in\n"
	      "PRED; the second signs the bytes of FILE as the payload, of TYPE.  The\n"
	      "result is a DSSE v1 envelope (JSON) written to OUT (\"-\" or absent:\n"
	      "standard output; a file is replaced atomically).\n"
	      "\n"
	      "Options:\n"
	      "      --key URI            signing key: a path or file: URI (required)\n"
	      "      --predicate PRED     predicate JSON object (e.g. an SBOM)\n"
	      "      --predicate-type T   cyclonedx, spdx, slsa-provenance or a URI; detected\n"
	      "                           from a CycloneDX or SPDX PRED when absent.  Without\n"
	      "                           --predicate: " TL_PREDICATE_ARTIFACT "\n"
	      "      --payload-type TYPE  plain DSSE: sign FILE's bytes with this payloadType\n"
	      "  -o, --output OUT         where to write the envelope\n"
	      "  -h, --help               this help\n",
	      f);
}

/* Predicate type from the predicate's own top-level markers, or NULL. */
static const char *sniff_predicate(const json_t *pred)
{
	const json_t *v = json_object_get(pred, "bomFormat");

	if (json_is_string(v) && !strcmp(json_string_value(v), "CycloneDX"))
		return TL_PREDICATE_CYCLONEDX;
	if (json_is_string(json_object_get(pred, "spdxVersion")))
		return TL_PREDICATE_SPDX;
	if (json_is_object(json_object_get(pred, "buildDefinition")) &&
	    json_is_object(json_object_get(pred, "runDetails")))
		return TL_PREDICATE_SLSA_PROVENANCE;
	return NULL;
}

int cmd_sign(int argc, char **argv)
{
	const char *uri = NULL, *file = NULL, *pred_path = NULL, *pred_type = NULL;
	const char *payload_type = NULL, *out = NULL, *v, *ptype;
	tl_json_limits lim = cli_json_limits();
	tl_buf payload = TL_BUF_INIT, env = TL_BUF_INIT;
	json_t *pred = NULL;
	tl_key *k = NULL;
	bool missing;
	tl_err err;
	int rc = 2;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if ((v = cli_opt_value(argc, argv, &i, "--key", &missing))) {
			uri = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--predicate", &missing))) {
			pred_path = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--predicate-type", &missing))) {
			pred_type = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--payload-type", &missing))) {
			payload_type = v;
		} else if (!missing && ((v = cli_opt_value(argc, argv, &i, "-o", &missing)) ||
		           (!missing && (v = cli_opt_value(argc, argv, &i, "--output", &missing))))) {
			out = v;
		} else if (missing) {
			return cli_usage_error("sign: %s needs a value", a);
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage_error("sign: unknown option '%s' (see --help)", a);
		} else if (file) {
			return cli_usage_error("sign: one file expected, got '%s' and '%s'", file, a);
		} else {
			file = a;
		}
	}
	if (!uri)
		return cli_usage_error("sign: --key is required (see --help)");
	if (!file)
		return cli_usage_error("sign: no file to sign (see --help)");
	if (payload_type && (pred_path || pred_type))
		return cli_usage_error("sign: --payload-type signs FILE itself; it cannot be combined "
		                       "with --predicate or --predicate-type");
	if (pred_type && !pred_path)
		return cli_usage_error("sign: --predicate-type needs --predicate");
	if (pred_type && !tl_predicate_type_uri(pred_type))
		return cli_usage_error("sign: --predicate-type: unknown type '%s' (expected cyclonedx, "
		                       "spdx, slsa-provenance or a URI)", pred_type);
	if (payload_type && !*payload_type)
		return cli_usage_error("sign: --payload-type: expected a non-empty type");

	if ((err = tl_key_open(&k, uri)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	if (payload_type) {
		ptype = payload_type;
		if ((err = tl_file_read(&payload, file, cli_g.max_input)) != TL_OK) {
			rc = cli_fail(err);
			goto done;
		}
	} else {
		const char *type_uri = TL_PREDICATE_ARTIFACT;
		ptype = TL_INTOTO_PAYLOAD_TYPE;
		if (pred_path) {
			if ((err = tl_json_load_file(&pred, pred_path, &lim)) != TL_OK) {
				rc = cli_fail(err);
				goto done;
			}
			if (!json_is_object(pred)) {
				rc = cli_usage_error("%s: $: expected a JSON object as the predicate", pred_path);
				goto done;
			}
			type_uri = pred_type ? tl_predicate_type_uri(pred_type) : sniff_predicate(pred);
			if (!type_uri) {
				rc = cli_usage_error("sign: %s: not a CycloneDX or SPDX document; give "
				                     "--predicate-type", pred_path);
				goto done;
			}
		}
		if ((err = tl_statement_build(&payload, file, type_uri, pred)) != TL_OK) {
			rc = cli_fail(err);
			goto done;
		}
	}
	if ((err = tl_dsse_sign(&env, k, ptype, payload.ptr ? payload.ptr : "", payload.len)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	rc = cli_write_output(out, &env);
done:
	json_decref(pred);
	tl_key_free(k);
	tl_buf_dispose(&payload);
	tl_buf_dispose(&env);
	return rc;
}
