/*
 * trustline sbom validate FILE [--schema NAME] [--quiet]
 *
 * Checks an SBOM against the official JSON schema embedded in the library.
 * Exit 0 valid, 1 invalid (every error on stderr as "FILE: <error>"),
 * 2 usage, unreadable or malformed input, or no schema for its version.
 */
#include <jansson.h>
#include <string.h>

#include "cli.h"

static const char usage_line[] =
	"usage: trustline sbom validate FILE [--schema cyclonedx-1.5|cyclonedx-1.6|spdx-2.3] [--quiet]\n";

static void usage(FILE *f)
{
	fputs(usage_line, f);
	fputs("\n"
	      "Validates FILE (\"-\" for standard input) against the official JSON schema:\n"
	      "CycloneDX 1.5 or 1.6, or SPDX 2.3, chosen from the document unless --schema\n"
	      "names one.  Every error is printed as \"FILE: $.json.path: what was expected\".\n"
	      "\n"
	      "  --schema NAME   cyclonedx-1.5, cyclonedx-1.6 or spdx-2.3\n"
	      "  -q, --quiet     print nothing when the document is valid\n"
	      "  -h, --help      this help\n"
	      "\n"
	      "Exit status: 0 valid, 1 invalid, 2 usage, input error or unsupported version.\n",
	      f);
}

static const struct {
	const char *opt;
	const char *label;
	tl_schema_id id;
} schemas[] = {
	{ "cyclonedx-1.5", "CycloneDX 1.5", TL_SCHEMA_CYCLONEDX_1_5 },
	{ "cyclonedx-1.6", "CycloneDX 1.6", TL_SCHEMA_CYCLONEDX_1_6 },
	{ "spdx-2.3", "SPDX 2.3", TL_SCHEMA_SPDX_2_3 },
};

/* The label of the schema tl_schema_validate picks for root (it succeeded). */
static const char *auto_label(const json_t *root)
{
	const char *sv = json_string_value(json_object_get(root, "specVersion"));

	if (json_object_get(root, "spdxVersion") && !json_object_get(root, "bomFormat"))
		return "SPDX 2.3";
	if (sv && !strcmp(sv, "1.5"))
		return "CycloneDX 1.5";
	return "CycloneDX 1.6";
}

static const char *used_label(tl_schema_id id)
{
	for (size_t j = 0; j < sizeof(schemas) / sizeof(schemas[0]); j++)
		if (schemas[j].id == id)
			return schemas[j].label;
	return "?";
}

int cmd_sbom_validate(int argc, char **argv)
{
	const char *file = NULL, *label = NULL;
	tl_schema_id id = TL_SCHEMA_AUTO, used;
	tl_json_limits lim = cli_json_limits();
	bool quiet = cli_g.quiet;
	json_t *root = NULL;
	tl_buf errors = TL_BUF_INIT;
	tl_err err;
	int rc = 2;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = true;
		} else if (!strcmp(a, "--schema") || !strncmp(a, "--schema=", 9)) {
			const char *name = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
			size_t j;
			if (!name)
				return cli_usage_error("--schema: expected cyclonedx-1.5, cyclonedx-1.6 or spdx-2.3");
			for (j = 0; j < sizeof(schemas) / sizeof(schemas[0]); j++)
				if (!strcmp(name, schemas[j].opt))
					break;
			if (j == sizeof(schemas) / sizeof(schemas[0]))
				return cli_usage_error("--schema: unknown schema '%s' (expected cyclonedx-1.5, "
				                       "cyclonedx-1.6 or spdx-2.3)", name);
			id = schemas[j].id;
			label = schemas[j].label;
		} else if (a[0] == '-' && a[1]) {
			fputs(usage_line, stderr);
			return cli_usage_error("sbom validate: unknown option '%s'", a);
		} else if (file) {
			fputs(usage_line, stderr);
			return cli_usage_error("sbom validate: one FILE expected, got '%s' too", a);
		} else {
			file = a;
		}
	}
	if (!file) {
		fputs(usage_line, stderr);
		return cli_usage_error("sbom validate: missing FILE");
	}

	/* large documents: streamed; it decides only "valid", else the whole tree */
	if (tl_schema_validate_streamed(file, id, &lim, &used) == TL_OK) {
		if (!quiet)
			printf("%s: valid (%s)\n", file, label ? label : used_label(used));
		return 0;
	}
	if ((err = tl_json_load_file(&root, file, &lim)) != TL_OK)
		return cli_fail(err);
	err = tl_schema_validate(root, id, &errors);
	if (err == TL_OK) {
		if (!quiet)
			printf("%s: valid (%s)\n", file, label ? label : auto_label(root));
		rc = 0;
	} else if (err == TL_ECHECK) {
		const char *line = errors.ptr ? errors.ptr : "";
		if (!*line)
			fprintf(stderr, "%s: %s\n", file, tl_error_last());
		while (*line) {
			const char *nl = strchr(line, '\n');
			int len = nl ? (int)(nl - line) : (int)strlen(line);
			fprintf(stderr, "%s: %.*s\n", file, len, line);
			line += len + (nl ? 1 : 0);
		}
		rc = 1;
	} else {
		fprintf(stderr, "trustline: %s: %s\n", file, tl_error_last());
		rc = tl_err_exit_code(err);
	}
	tl_buf_dispose(&errors);
	json_decref(root);
	return rc;
}
