/*
 * trustline sbom check: minimum elements of an SBOM (NTIA 2021, CISA 2025
 * draft, BSI TR-03183-2).  Exit 0 when nothing is missing, 1 when an
 * element is missing, 2 on usage or input errors.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

static const char usage_text[] =
	"usage: trustline sbom check FILE --profile ntia|cisa-2025|bsi-tr-03183 [--json]\n"
	"\n"
	"Checks that FILE (CycloneDX or SPDX JSON) carries the minimum elements of\n"
	"the profile: one line per missing element, naming the component, and a\n"
	"summary line.  See docs/check.md for how each element is decided.\n"
	"\n"
	"  --profile P   ntia (NTIA 2021), cisa-2025 (CISA 2025 draft) or\n"
	"                bsi-tr-03183 (BSI TR-03183-2 v2.0)\n"
	"  --json        the report as JSON: profile, missing, findings, summary\n"
	"\n"
	"Exit status: 0 nothing missing, 1 something missing, 2 usage or input error.\n";

/* The report as JSON: its lines except the summary become findings. */
static int print_json(const char *path, const char *profile, size_t missing, const tl_buf *report)
{
	json_t *root = NULL, *findings = NULL;
	tl_buf out = TL_BUF_INIT;
	const char *p = report->ptr ? report->ptr : "", *nl, *last = NULL;
	size_t last_len = 0;
	int rc = 2;
	tl_err err;

	if (!(root = json_object()) || !(findings = json_array()))
		goto nomem;
	for (; *p; p = nl + 1) {
		if (!(nl = strchr(p, '\n')))
			break;
		if (last && json_array_append_new(findings, json_stringn(last, last_len)) != 0)
			goto nomem;
		last = p;
		last_len = (size_t)(nl - p);
	}
	if (json_object_set_new(root, "file", json_string(path)) != 0 ||
	    json_object_set_new(root, "profile", json_string(profile)) != 0 ||
	    json_object_set_new(root, "missing", json_integer((json_int_t)missing)) != 0 ||
	    json_object_set_new(root, "summary", last ? json_stringn(last, last_len) : json_string("")) != 0 ||
	    json_object_set(root, "findings", findings) != 0)
		goto nomem;
	if ((err = tl_json_dump(&out, root)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	rc = cli_write_output("-", &out);
	goto done;
nomem:
	rc = cli_usage_error("out of memory");
done:
	json_decref(findings);
	json_decref(root);
	tl_buf_dispose(&out);
	return rc;
}

int cmd_sbom_check(int argc, char **argv)
{
	const char *path = NULL, *profile_name = NULL;
	tl_sbom_profile profile;
	tl_json_limits lim = cli_json_limits();
	tl_sbom *doc = NULL;
	tl_buf report = TL_BUF_INIT;
	bool json = false;
	size_t missing = 0;
	int rc;
	tl_err err;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--profile")) {
			if (i + 1 >= argc)
				return cli_usage_error("sbom check: --profile needs a value (ntia, cisa-2025, bsi-tr-03183)");
			profile_name = argv[++i];
		} else if (!strncmp(a, "--profile=", 10)) {
			profile_name = a + 10;
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage_error("sbom check: unknown option '%s' (see trustline sbom check --help)", a);
		} else if (path) {
			return cli_usage_error("sbom check: one FILE expected, got '%s' too", a);
		} else {
			path = a;
		}
	}
	if (!path)
		return cli_usage_error("sbom check: missing FILE (see trustline sbom check --help)");
	if (!profile_name)
		return cli_usage_error("sbom check: missing --profile (ntia, cisa-2025, bsi-tr-03183)");
	if (!tl_sbom_profile_parse(profile_name, &profile))
		return cli_usage_error("sbom check: unknown profile '%s' (expected ntia, cisa-2025 or bsi-tr-03183)",
		                       profile_name);

	if ((err = tl_sbom_load(&doc, path, &lim)) != TL_OK)
		return cli_fail(err);
	if ((err = tl_sbom_check(doc, profile, &report, &missing)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	if (json)
		rc = print_json(path, profile_name, missing, &report);
	else
		rc = cli_write_output("-", &report);
	if (rc == 0 && missing > 0)
		rc = 1;
done:
	tl_buf_dispose(&report);
	tl_sbom_free(doc);
	return rc;
}
