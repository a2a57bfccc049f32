/*
 * trustline version compare: orders two versions under a scheme and
 * prints "<", "=" or ">", so scripts (and people) can check an ordering
 * decision the vulnerability matcher makes.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "trustline/vuln.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: trustline version compare --scheme deb|apk|rpm|semver|generic A B\n"
	        "\n"
	        "Prints '<', '=' or '>' as version A sorts before, equal to or after B\n"
	        "under the scheme's rules (docs/versions.md):\n"
	        "  deb      Debian, as dpkg --compare-versions\n"
	        "  apk      Alpine, as apk version -t\n"
	        "  rpm      RPM [epoch:]version[-release], as rpmvercmp\n"
	        "  semver   SemVer 2.0.0 precedence\n"
	        "  generic  upstream versions as in NVD ranges (1.1.1w, 7.88.1)\n"
	        "\n"
	        "Exit status: 0 compared, 2 invalid version or usage error.\n");
}

int cmd_version_compare(int argc, char **argv)
{
	const char *scheme = NULL, *v[2] = { NULL, NULL };
	tl_version_scheme s;
	int nv = 0, c;
	bool opts = true;
	tl_err err;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			usage(stdout);
			return 0;
		} else if (opts && !strcmp(a, "--")) {
			opts = false;
		} else if (opts && !strncmp(a, "--scheme=", 9)) {
			scheme = a + 9;
		} else if (opts && !strcmp(a, "--scheme")) {
			if (i + 1 >= argc)
				return cli_usage_error("version compare: --scheme needs a value (deb, apk, rpm, semver or generic)");
			scheme = argv[++i];
		} else if (opts && a[0] == '-' && a[1] == '-') {
			return cli_usage_error("version compare: unknown option '%s' (see --help)", a);
		} else {
			if (nv == 2)
				return cli_usage_error("version compare: expected two versions, got more");
			v[nv++] = a;
		}
	}
	if (!scheme)
		return cli_usage_error("version compare: --scheme is required (deb, apk, rpm, semver or generic)");
	if (nv != 2)
		return cli_usage_error("version compare: expected two versions A and B (see --help)");
	if ((err = tl_version_scheme_parse(scheme, &s)) != TL_OK)
		return cli_fail(err);
	if ((err = tl_version_compare(&c, s, v[0], v[1])) != TL_OK)
		return cli_fail(err);
	puts(c < 0 ? "<" : c > 0 ? ">" : "=");
	return 0;
}
