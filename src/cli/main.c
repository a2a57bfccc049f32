/*
 * trustline: the command.  Parses global options and dispatches to a
 * subcommand; each subcommand lives in its own file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef struct {
	const char *group; /* NULL for a top-level command */
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} command;

static const command commands[] = {
	{ "sbom", "validate", cmd_sbom_validate, "check an SBOM against the official JSON schema" },
	{ "sbom", "check", cmd_sbom_check, "check minimum elements (NTIA, CISA 2025, BSI TR-03183-2)" },
	{ "sbom", "convert", cmd_sbom_convert, "convert between CycloneDX and SPDX" },
	{ "sbom", "diff", cmd_sbom_diff, "components added, removed and changed between two SBOMs" },
	{ "sbom", "merge", cmd_sbom_merge, "union of SBOMs, de-duplicated by purl" },
	{ "version", "compare", cmd_version_compare, "order two versions (deb, apk, rpm, semver, generic)" },
	{ "key", "generate", cmd_key_generate, "create a signing key (ed25519, p256, rsa3072)" },
	{ "key", "public", cmd_key_public, "print a key's public half and key id" },
	{ "ca", "init", cmd_ca_init, "create a manufacturer root CA and issuing CA" },
	{ "ca", "issue", cmd_ca_issue, "issue a device certificate (IEEE 802.1AR IDevID style)" },
	{ "ca", "revoke", cmd_ca_revoke, "revoke a certificate the CA issued" },
	{ "ca", "crl", cmd_ca_crl, "write the CA's v2 CRLs" },
	{ "device", "csr", cmd_device_csr, "certificate request for a device key (TPM, token, file)" },
	{ "db", "import", cmd_db_import, "import OSV, NVD, KEV and Alpine secdb records (one transaction)" },
	{ "db", "update", cmd_db_update, "download OSV, NVD and KEV feeds and import them (one transaction)" },
	{ "db", "status", cmd_db_status, "vulnerability database: records per source, last import, schema" },
	{ NULL, "scan", cmd_scan, "SBOM of a firmware root file system (directory, archive, squashfs)" },
	{ NULL, "sign", cmd_sign, "sign a file as a DSSE envelope with an in-toto statement" },
	/* "attest verify" before "attest": the group entry must be tried first. */
	{ "attest", "verify", cmd_attest_verify, "verify device evidence (chain, signature, nonce, quote)" },
	{ NULL, "attest", cmd_attest, "device evidence: firmware and SBOM digests, TPM quote, nonce" },
	{ NULL, "verify", cmd_verify, "verify a DSSE envelope (signature, certificate chain, artifact digest)" },
	{ NULL, "vex", cmd_vex, "write OpenVEX statements: the status of vulnerabilities in products" },
	{ NULL, "vuln", cmd_vuln, "known vulnerabilities of an SBOM's components; --fail-on release gate" },
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: trustline [--quiet] [--verbose] [--max-input-size BYTES] [--max-json-depth N]\n"
	        "                 <command> [<args>]\n"
	        "\n"
	        "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char name[64];
		snprintf(name, sizeof(name), "%s%s%s", commands[i].group ? commands[i].group : "",
		         commands[i].group ? " " : "", commands[i].name);
		fprintf(f, "  %-16s %s\n", name, commands[i].summary);
	}
	fprintf(f,
	        "\n"
	        "Global options:\n"
	        "  -q, --quiet               only errors on stderr\n"
	        "  -v, --verbose             more detail on stderr (repeat for debug)\n"
	        "      --max-input-size N    largest input file in bytes (default %zu)\n"
	        "      --max-json-depth N    deepest JSON nesting accepted (default %d)\n"
	        "  -h, --help                this help; 'trustline <command> --help' for a command\n"
	        "      --version             print the version\n"
	        "\n"
	        "Exit status: 0 ok, 1 a check failed, 2 usage, input or I/O error.\n",
	        (size_t)TL_FILE_DEFAULT_MAX, TL_JSON_DEFAULT_DEPTH);
}

static void log_to_stderr(tl_log_level level, const char *msg, void *ctx)
{
	static const char *names[] = { "error", "warning", "info", "debug" };

	fprintf(stderr, "trustline: %s: %s\n", names[level], msg);
}

static void progress_bar(const char *what, uint64_t done, uint64_t total, void *ctx)
{
	int width = 30, fill;

	if (total == 0) {
		fprintf(stderr, "\r%s: %llu", what, (unsigned long long)done);
	} else {
		fill = (int)(done * (uint64_t)width / total);
		fprintf(stderr, "\r%s [%.*s%*s] %3d%%", what, fill, "##############################",
		        width - fill, "", (int)(done * 100 / total));
	}
	if (total && done >= total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

int main(int argc, char **argv)
{
	int i;
	uint64_t v;
	const char *val;
	bool missing;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("trustline %s\n", TL_VERSION);
			return 0;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			cli_g.quiet = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			cli_g.verbose++;
		} else if (!strncmp(a, "--max-input-size", 16)) {
			if (!(val = cli_opt_value(argc, argv, &i, "--max-input-size", &missing)) || !tl_parse_u64(val, &v) || !v)
				return cli_usage_error("--max-input-size: expected a positive number of bytes");
			cli_g.max_input = (size_t)v;
		} else if (!strncmp(a, "--max-json-depth", 16)) {
			if (!(val = cli_opt_value(argc, argv, &i, "--max-json-depth", &missing)) || !tl_parse_u64(val, &v) ||
			    !v || v > 100000)
				return cli_usage_error("--max-json-depth: expected a number from 1 to 100000");
			cli_g.max_depth = (unsigned)v;
		} else {
			return cli_usage_error("unknown option '%s' (see trustline --help)", a);
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}

	tl_log_set_handler(log_to_stderr, NULL);
	tl_log_set_level(cli_g.quiet ? TL_LOG_ERROR : cli_g.verbose >= 2 ? TL_LOG_DEBUG :
	                 cli_g.verbose ? TL_LOG_INFO : TL_LOG_WARN);
	if (!cli_g.quiet && isatty(STDERR_FILENO))
		tl_progress_set_handler(progress_bar, NULL);

	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
		const command *c = &commands[k];
		if (!c->group) {
			if (strcmp(argv[i], c->name) == 0)
				return c->fn(argc - i, argv + i);
			continue;
		}
		if (strcmp(argv[i], c->group) != 0)
			continue;
		if (i + 1 < argc && strcmp(argv[i + 1], c->name) == 0)
			return c->fn(argc - i - 1, argv + i + 1);
	}
	if (!strcmp(argv[i], "help")) {
		usage(stdout);
		return 0;
	}
	return cli_usage_error("unknown command '%s%s%s' (see trustline --help)", argv[i],
	                       i + 1 < argc ? " " : "", i + 1 < argc ? argv[i + 1] : "");
}
