/*
 * trustline sbom merge: the union of several SBOMs, de-duplicated by purl,
 * written as CycloneDX (default) or SPDX.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
	"usage: trustline sbom merge A B ... -o OUT [--to cyclonedx|spdx]\n"
	"\n"
	"Merges the SBOMs (CycloneDX or SPDX JSON) into one: components de-duplicated\n"
	"by purl (by type, group, name and version without one), dependency graphs\n"
	"combined, tools and authors joined; the first file's subject is the subject.\n"
	"\n"
	"  -o, --output OUT   where to write (\"-\": standard output)\n"
	"  --to FORMAT        cyclonedx (default, CycloneDX 1.6) or spdx (SPDX 2.3)\n"
	"\n"
	"Exit status: 0 written, 2 usage, input or I/O error.\n";

int cmd_sbom_merge(int argc, char **argv)
{
	const char *output = NULL, *to = "cyclonedx";
	tl_json_limits lim = cli_json_limits();
	tl_sbom **docs = NULL, *merged = NULL;
	tl_buf out = TL_BUF_INIT;
	tl_sbom_write_opts opts = { NULL };
	size_t n = 0;
	int rc = 2;
	tl_err err;

	if (argc < 1 || !(docs = calloc((size_t)argc, sizeof(*docs))))
		return cli_usage_error("out of memory");
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			fputs(usage_text, stdout);
			rc = 0;
			goto done;
		} else if (!strcmp(s, "-o") || !strcmp(s, "--output") || !strcmp(s, "--to")) {
			if (i + 1 >= argc) {
				rc = cli_usage_error("sbom merge: %s needs a value", s);
				goto done;
			}
			if (!strcmp(s, "--to"))
				to = argv[++i];
			else
				output = argv[++i];
		} else if (!strncmp(s, "--output=", 9)) {
			output = s + 9;
		} else if (!strncmp(s, "--to=", 5)) {
			to = s + 5;
		} else if (s[0] == '-' && s[1] != '\0') {
			rc = cli_usage_error("sbom merge: unknown option '%s' (see trustline sbom merge --help)", s);
			goto done;
		}
	}
	if (strcmp(to, "cyclonedx") != 0 && strcmp(to, "spdx") != 0) {
		rc = cli_usage_error("sbom merge: --to: expected cyclonedx or spdx, not '%s'", to);
		goto done;
	}
	if (!output) {
		rc = cli_usage_error("sbom merge: missing -o OUT (\"-\" for standard output)");
		goto done;
	}
	/* second pass: the inputs, now that the options are known good */
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "-o") || !strcmp(s, "--output") || !strcmp(s, "--to")) {
			i++;
			continue;
		}
		if (s[0] == '-' && s[1] != '\0')
			continue;
		if ((err = tl_sbom_load(&docs[n], s, &lim)) != TL_OK) {
			rc = cli_fail(err);
			goto done;
		}
		n++;
	}
	if (n < 2) {
		rc = cli_usage_error("sbom merge: at least two files expected (see trustline sbom merge --help)");
		goto done;
	}
	if ((err = tl_sbom_merge(&merged, docs, n)) != TL_OK ||
	    (err = !strcmp(to, "spdx") ? tl_sbom_write_spdx(&out, merged, &opts)
	                               : tl_sbom_write_cyclonedx(&out, merged, &opts)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	rc = cli_write_output(output, &out);
done:
	for (size_t i = 0; i < n; i++)
		tl_sbom_free(docs[i]);
	free(docs);
	tl_sbom_free(merged);
	tl_buf_dispose(&out);
	return rc;
}
