/*
 * trustline scan TARGET [-o FILE] [--format cyclonedx|spdx] [--name N]
 *                [--version V] [--supplier S] [--hash sha256|sha512|none]
 *                [--max-entries N] [--max-bytes N] [--max-depth N] [--max-memory N]
 *                [--max-path N] [--verify-md5sums]
 *
 * An SBOM of a firmware root file system (a directory, an archive, a
 * squashfs or ext2/3/4 image, a uImage or FIT image, a blob holding any of
 * them), read in place.  The document goes to FILE (standard
 * output without -o); a summary goes to stderr.
 */
#include <string.h>
#include <time.h>

#include "cli.h"
#include "trustline/scan.h"

static void usage(FILE *f)
{
	fputs("usage: trustline scan TARGET [-o FILE] [--format cyclonedx|spdx] [--name N] [--version V]\n"
	      "                      [--supplier S] [--hash sha256|sha512|none]\n"
	      "                      [--max-entries N] [--max-bytes N] [--max-depth N]\n"
	      "                      [--max-memory N] [--max-path N] [--verify-md5sums]\n"
	      "\n"
	      "Writes an SBOM of TARGET: a directory, a tar (gzip, xz, zstd, bzip2, lz4), cpio, zip or\n"
	      "ar archive, a squashfs or ext2/3/4 image, a uImage or FIT image, or a blob holding any of\n"
	      "them at some offset, recognised by content and read in place.  Images inside images are\n"
	      "opened too; their paths read \"outer.tar!/inner.squashfs!/usr/bin/x\".  Packages come\n"
	      "from the dpkg, apk and opkg databases, the distribution from os-release, licences from\n"
	      "Debian machine-readable copyright files, CVE ids fixed from Debian changelogs; ELF files\n"
	      "give dependency edges, and those no package owns are listed as components of type file.\n"
	      "\n"
	      "  -o, --output FILE    write the SBOM to FILE (default: standard output)\n"
	      "      --format F       cyclonedx (CycloneDX 1.6, the default) or spdx (SPDX 2.3)\n"
	      "      --name N         name of the scanned image (default: TARGET's base name)\n"
	      "      --version V      its version\n"
	      "      --supplier S     the organisation supplying it\n"
	      "      --hash ALG       file hashes: sha256 (default), sha512 or none\n"
	      "      --max-entries N  stop after N entries (default 1000000)\n"
	      "      --max-bytes N    stop after N bytes of content read (default 4 GiB)\n"
	      "      --max-depth N    open images inside images to N levels (default 4)\n"
	      "      --max-memory N   hold at most N bytes of nested images in memory (default 256 MiB)\n"
	      "      --max-path N     longest path, nesting prefix included (default 4096)\n"
	      "      --verify-md5sums check package files against dpkg's info/<pkg>.md5sums (an MD5\n"
	      "                       of every file: slower) and report the modified ones\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "A limit that is hit is reported on stderr and recorded in the document.\n"
	      "Exit status: 0 ok, 2 usage, unreadable or unsupported input.\n",
	      f);
}

static const char *opt_arg(int argc, char **argv, int *i, const char *lng, const char *shrt)
{
	const char *a = argv[*i];
	size_t n = strlen(lng);

	if (!strncmp(a, lng, n) && a[n] == '=')
		return a + n + 1;
	if (!strcmp(a, lng) || (shrt && !strcmp(a, shrt)))
		return *i + 1 < argc ? argv[++*i] : "";
	return NULL;
}

/* "trustline: <what><text>\n" on stderr, where text comes from the image
 * (a file name, a distribution name): its control bytes are written as '?',
 * so a hostile name cannot drive the terminal. */
static void say(const char *what, const char *text)
{
	fprintf(stderr, "trustline: %s", what);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, stderr);
	fputc('\n', stderr);
}

static void summary(const tl_scan_summary *s, const tl_sbom *doc, double secs)
{
	fprintf(stderr, "trustline: scanned %s%s%s%s: %llu entries, %llu files, %llu bytes read\n",
	        s->source, s->source_detail ? " (" : "", s->source_detail ? s->source_detail : "",
	        s->source_detail ? ")" : "", (unsigned long long)s->entries, (unsigned long long)s->files,
	        (unsigned long long)s->bytes);
	if (s->distro)
		say("distribution ", s->distro);
	fprintf(stderr, "trustline: components: %zu dpkg, %zu apk, %zu opkg, %zu unowned ELF files (%zu in all)\n",
	        s->n_dpkg, s->n_apk, s->n_opkg, s->n_elf_unowned, doc->n_components);
	if (s->n_nested)
		fprintf(stderr, "trustline: %zu images opened inside the target\n", s->n_nested);
	fprintf(stderr, "trustline: %zu ELF files, %zu NEEDED links between components\n", s->n_elf,
	        s->n_edges_needed);
	if (s->binsig_bytes)
		fprintf(stderr, "trustline: binary signatures (%s): %llu ELF bytes in %.3f s of CPU, %.2f GB/s\n",
		        s->binsig_engine ? s->binsig_engine : "?", (unsigned long long)s->binsig_bytes, s->binsig_cpu,
		        s->binsig_cpu > 0 ? (double)s->binsig_bytes / s->binsig_cpu / 1e9 : 0.0);
	if (s->n_changelog_cves)
		fprintf(stderr, "trustline: %zu packages name fixed CVE ids in their Debian changelog\n", s->n_changelog_cves);
	if (s->n_md5_checked || s->n_md5_missing)
		fprintf(stderr, "trustline: md5sums: %zu package files checked, %zu modified, %zu missing\n",
		        s->n_md5_checked, s->n_md5_modified, s->n_md5_missing);
	for (size_t i = 0; i < s->n_md5_modified && i < 20; i++)
		say("  modified: ", s->modified[i]);
	if (s->n_md5_modified > 20)
		fprintf(stderr, "trustline:   ... and %zu more modified files\n", s->n_md5_modified - 20);
	for (size_t i = 0; i < s->n_elf_unowned && i < 20; i++)
		say("  unowned ELF: ", s->unowned[i]);
	if (s->n_elf_unowned > 20)
		fprintf(stderr, "trustline:   ... and %zu more unowned ELF files\n", s->n_elf_unowned - 20);
	for (size_t i = 0; i < s->n_warnings && (cli_g.verbose || i < 5); i++)
		say("warning: ", s->warnings[i]);
	if (!cli_g.verbose && s->n_warnings > 5)
		fprintf(stderr, "trustline: ... and %zu more warnings (-v shows them)\n", s->n_warnings - 5);
	for (size_t i = 0; i < s->n_limits; i++) {
		if (!s->limit || strcmp(s->limits[i], s->limit) != 0)
			say("warning: limit reached, an image was not opened: ", s->limits[i]);
	}
	if (s->limit)
		say("warning: limit reached, the SBOM is incomplete: ", s->limit);
	fprintf(stderr, "trustline: done in %.3f s\n", secs);
}

int cmd_scan(int argc, char **argv)
{
	const char *target = NULL, *output = NULL, *format = "cyclonedx", *v;
	tl_scan_opts opts;
	tl_scan_summary sum = { 0 };
	tl_sbom *doc = NULL;
	tl_buf out = TL_BUF_INIT;
	struct timespec t0, t1;
	uint64_t n;
	tl_err err;
	int rc = 2;

	tl_scan_opts_init(&opts);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if ((v = opt_arg(argc, argv, &i, "--output", "-o"))) {
			if (!*v)
				return cli_usage_error("scan: -o: expected a file name");
			output = v;
		} else if ((v = opt_arg(argc, argv, &i, "--format", NULL))) {
			if (strcmp(v, "cyclonedx") && strcmp(v, "spdx"))
				return cli_usage_error("scan: --format: expected cyclonedx or spdx");
			format = v;
		} else if ((v = opt_arg(argc, argv, &i, "--name", NULL))) {
			if (!*v)
				return cli_usage_error("scan: --name: expected a name");
			opts.name = v;
		} else if ((v = opt_arg(argc, argv, &i, "--version", NULL))) {
			if (!*v)
				return cli_usage_error("scan: --version: expected a version");
			opts.version = v;
		} else if ((v = opt_arg(argc, argv, &i, "--supplier", NULL))) {
			if (!*v)
				return cli_usage_error("scan: --supplier: expected a name");
			opts.supplier = v;
		} else if ((v = opt_arg(argc, argv, &i, "--hash", NULL))) {
			if (!strcmp(v, "sha256"))
				opts.hash = TL_SCAN_HASH_SHA256;
			else if (!strcmp(v, "sha512"))
				opts.hash = TL_SCAN_HASH_SHA512;
			else if (!strcmp(v, "none"))
				opts.hash = TL_SCAN_HASH_NONE;
			else
				return cli_usage_error("scan: --hash: expected sha256, sha512 or none");
		} else if ((v = opt_arg(argc, argv, &i, "--max-entries", NULL))) {
			if (!tl_parse_u64(v, &n) || !n)
				return cli_usage_error("scan: --max-entries: expected a positive number");
			opts.max_entries = n;
		} else if ((v = opt_arg(argc, argv, &i, "--max-bytes", NULL))) {
			if (!tl_parse_u64(v, &n) || !n)
				return cli_usage_error("scan: --max-bytes: expected a positive number of bytes");
			opts.max_bytes = n;
		} else if ((v = opt_arg(argc, argv, &i, "--max-depth", NULL))) {
			if (!tl_parse_u64(v, &n) || !n || n > 64)
				return cli_usage_error("scan: --max-depth: expected a number from 1 to 64");
			opts.max_depth = (unsigned)n;
		} else if ((v = opt_arg(argc, argv, &i, "--max-memory", NULL))) {
			if (!tl_parse_u64(v, &n) || !n)
				return cli_usage_error("scan: --max-memory: expected a positive number of bytes");
			opts.max_memory = n;
		} else if ((v = opt_arg(argc, argv, &i, "--max-path", NULL))) {
			if (!tl_parse_u64(v, &n) || n < 16 || n > 65536)
				return cli_usage_error("scan: --max-path: expected a number of bytes from 16 to 65536");
			opts.max_path = (size_t)n;
		} else if (!strcmp(a, "--verify-md5sums")) {
			opts.verify_md5sums = true;
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error("scan: unknown option '%s' (see trustline scan --help)", a);
		} else if (!target) {
			target = a;
		} else {
			return cli_usage_error("scan: one TARGET only (see trustline scan --help)");
		}
	}
	if (!target)
		return cli_usage_error("scan: expected a TARGET (see trustline scan --help)");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((err = tl_scan_run(&doc, &sum, target, &opts)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	err = !strcmp(format, "spdx") ? tl_sbom_write_spdx(&out, doc, NULL) : tl_sbom_write_cyclonedx(&out, doc, NULL);
	if (err) {
		rc = cli_fail(err);
		goto done;
	}
	if ((rc = cli_write_output(output, &out)) != 0)
		goto done;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!cli_g.quiet)
		summary(&sum, doc, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	rc = 0;
done:
	tl_sbom_free(doc);
	tl_scan_summary_dispose(&sum);
	tl_buf_dispose(&out);
	return rc;
}
