/*
 * trustline sbom convert: reads an SBOM in either format and writes it as
 * CycloneDX (1.6 or 1.5) or SPDX 2.3 JSON.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
	fputs("usage: trustline sbom convert IN [-o OUT] --to cyclonedx|spdx [--spec-version 1.5|1.6]\n"
	      "\n"
	      "Reads IN (CycloneDX 1.2-1.6 or SPDX 2.3 JSON, detected by content; \"-\" is\n"
	      "standard input) and writes it in the --to format to OUT (\"-\" or absent:\n"
	      "standard output; a file is replaced atomically).  Output is byte-stable;\n"
	      "SOURCE_DATE_EPOCH sets the timestamp when the input has none.\n"
	      "\n"
	      "Options:\n"
	      "  -o, --output OUT        where to write (default: standard output)\n"
	      "      --to FORMAT         cyclonedx or spdx (required)\n"
	      "      --spec-version V    CycloneDX version to write: 1.6 (default) or 1.5\n"
	      "  -h, --help              this help\n",
	      f);
}

static void free_sbom(void *doc)
{
	tl_sbom_free(doc);
}

int cmd_sbom_convert(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *to = NULL, *spec = NULL, *v;
	tl_json_limits lim = cli_json_limits();
	tl_sbom_write_opts opts = { NULL };
	tl_buf buf = TL_BUF_INIT;
	tl_sbom *doc = NULL;
	tl_file_out *f = NULL;
	bool missing, spdx;
	tl_err err;
	int rc = 2;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if ((v = cli_opt_value(argc, argv, &i, "-o", &missing)) ||
		    (!missing && (v = cli_opt_value(argc, argv, &i, "--output", &missing)))) {
			out = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--to", &missing))) {
			to = v;
		} else if (!missing && (v = cli_opt_value(argc, argv, &i, "--spec-version", &missing))) {
			spec = v;
		} else if (missing) {
			return cli_usage_error("sbom convert: %s needs a value", a);
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage_error("sbom convert: unknown option '%s' (see --help)", a);
		} else if (in) {
			return cli_usage_error("sbom convert: one input file expected, got '%s' and '%s'", in, a);
		} else {
			in = a;
		}
	}
	if (!in)
		return cli_usage_error("sbom convert: no input file (see --help)");
	if (!to)
		return cli_usage_error("sbom convert: --to cyclonedx|spdx is required");
	if (!strcmp(to, "cyclonedx") || !strcmp(to, "cdx"))
		spdx = false;
	else if (!strcmp(to, "spdx"))
		spdx = true;
	else
		return cli_usage_error("sbom convert: --to: expected cyclonedx or spdx, got '%s'", to);
	if (spec) {
		if (spdx)
			return cli_usage_error("sbom convert: --spec-version applies to --to cyclonedx only");
		if (strcmp(spec, "1.5") != 0 && strcmp(spec, "1.6") != 0)
			return cli_usage_error("sbom convert: --spec-version: expected 1.5 or 1.6, got '%s'", spec);
		opts.cdx_spec_version = spec;
	}

	if ((err = tl_sbom_load(&doc, in, &lim)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	if (out && !tl_file_out_in_place(out)) {
		/* a file: written as it is made, into the temporary file that
		 * replaces it at the end (nothing whole in memory; the write-back
		 * runs alongside); on an error the temporary file goes */
		if ((err = tl_file_out_open(&f, out)) == TL_OK) {
			tl_sink sink = tl_file_out_sink(f);
			err = spdx ? tl_sbom_write_spdx_sink(&sink, doc, &opts)
			           : tl_sbom_write_cyclonedx_sink(&sink, doc, &opts);
			/* the model is freed on a second thread while the commit
			 * waits for the write-back (fsync) and renames */
			cli_beside gone = { 0 };
			cli_beside_start(&gone, free_sbom, doc);
			doc = NULL;
			if (!err)
				err = tl_file_out_commit(f);
			else
				tl_file_out_abort(f);
			f = NULL;
			cli_beside_wait(&gone);
		}
		rc = err ? cli_fail(err) : 0;
		goto done;
	}
	/* standard output or a device: held whole, so an error writes nothing */
	err = spdx ? tl_sbom_write_spdx(&buf, doc, &opts) : tl_sbom_write_cyclonedx(&buf, doc, &opts);
	if (err) {
		rc = cli_fail(err);
		goto done;
	}
	rc = cli_write_output(out, &buf);
done:
	tl_sbom_free(doc);
	tl_buf_dispose(&buf);
	return rc;
}
