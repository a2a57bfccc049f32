/*
 * trustline db import | update | status: the local vulnerability database.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "trustline/vuln.h"

static void usage_import(FILE *f)
{
	fprintf(f,
	        "usage: trustline db import [--db FILE] FILE|DIR...\n"
	        "\n"
	        "Imports vulnerability records into the database, all in one transaction\n"
	        "(killed at any point, the database is the old one or the new one).\n"
	        "Formats, detected from the content: OSV (JSON, YAML, an ecosystem's all.zip),\n"
	        "NVD CVE API 2.0 (CVE objects, response pages), NVD 1.1 feeds, CISA KEV,\n"
	        "Alpine secdb (JSON, YAML).  Directories are read recursively; there, files\n"
	        "in no known format are skipped.\n"
	        "\n"
	        "  --db FILE   the database (default $XDG_DATA_HOME/trustline/vulns.db)\n"
	        "\n"
	        "Exit status: 0 imported, 2 usage, input or I/O error (nothing imported).\n");
}

static void usage_status(FILE *f)
{
	fprintf(f,
	        "usage: trustline db status [--db FILE] [--json]\n"
	        "\n"
	        "Prints the record counts per source, the last import of each, the last\n"
	        "update of each feed, and the schema version.\n");
}

static void usage_update(FILE *f)
{
	fprintf(f,
	        "usage: trustline db update [--db FILE] [--feeds osv,nvd,kev] [--osv-ecosystem NAME]...\n"
	        "                           [--osv-url BASE] [--nvd-url URL] [--kev-url URL]\n"
	        "                           [--nvd-api-key-env VAR] [--nvd-delay MS]\n"
	        "                           [--nvd-page-size N] [--timeout SECONDS] [--retries N] [--full]\n"
	        "\n"
	        "Downloads the vulnerability feeds and imports them all in one transaction\n"
	        "(killed or failing at any point, the database is the old one).  Downloads\n"
	        "are staged in FILE.update/; an interrupted one is resumed on the next run.\n"
	        "Sizes are checked against Content-Length, and OSV dumps against the\n"
	        "digests Google Cloud Storage sends (x-goog-hash crc32c, md5).  Unchanged\n"
	        "feeds (HTTP 304 to the stored ETag) are not downloaded again; NVD is asked\n"
	        "only for CVEs modified since the last update.\n"
	        "\n"
	        "  --db FILE              the database (default $XDG_DATA_HOME/trustline/vulns.db)\n"
	        "  --feeds LIST           which feeds: osv, nvd, kev (default all)\n"
	        "  --osv-ecosystem NAME   an OSV ecosystem to fetch, repeatable or comma-separated\n"
	        "                         (default %s; env TRUSTLINE_OSV_ECOSYSTEMS)\n"
	        "  --osv-url BASE         OSV dumps at BASE/ECOSYSTEM/all.zip\n"
	        "                         (default %s; env TRUSTLINE_OSV_URL)\n"
	        "  --nvd-url URL          NVD CVE API 2.0 (default %s;\n"
	        "                         env TRUSTLINE_NVD_URL)\n"
	        "  --kev-url URL          CISA KEV catalog JSON (env TRUSTLINE_KEV_URL; default\n"
	        "                         %s)\n"
	        "  --nvd-api-key-env VAR  read the NVD API key from $VAR (default NVD_API_KEY)\n"
	        "  --nvd-delay MS         pause between NVD requests (default 6000, 600 with a key)\n"
	        "  --nvd-page-size N      resultsPerPage asked of NVD (default and maximum 2000)\n"
	        "  --timeout SECONDS      connect timeout, and abort a transfer stalled below\n"
	        "                         1 KiB/s this long (default 30)\n"
	        "  --retries N            retries of a dropped transfer (default 3)\n"
	        "  --full                 ignore stored ETags and the NVD window: fetch everything\n"
	        "\n"
	        "The largest download is --max-input-size (default %zu bytes).\n"
	        "Exit status: 0 updated, 2 usage, network, HTTP, size, digest, input or I/O\n"
	        "error (nothing imported).\n",
	        TL_OSV_DEFAULT_ECOSYSTEMS, TL_OSV_DEFAULT_BASE, TL_NVD_DEFAULT_URL, TL_KEV_DEFAULT_URL,
	        (size_t)TL_FILE_DEFAULT_MAX);
}

/* Parses --db; returns the path to free in *db, or an exit code >= 0. */
static int db_option(int argc, char **argv, int *i, char **db)
{
	const char *a = argv[*i], *v = NULL;

	if (!strncmp(a, "--db=", 5))
		v = a + 5;
	else if (*i + 1 < argc)
		v = argv[++*i];
	if (!v || !v[0])
		return cli_usage_error("--db needs a file name");
	free(*db);
	if (!(*db = strdup(v)))
		return cli_usage_error("out of memory");
	return -1;
}

static int open_db(tl_vulndb **out, char **path)
{
	tl_err err;

	if (!*path && (err = tl_vulndb_default_path(path)) != TL_OK)
		return cli_fail(err);
	if ((err = tl_vulndb_open(out, *path)) != TL_OK)
		return cli_fail(err);
	return -1;
}

int cmd_db_import(int argc, char **argv)
{
	char *path = NULL;
	const char **files = NULL;
	size_t n = 0;
	tl_vulndb *db = NULL;
	tl_vulndb_import_stats st;
	bool opts = true;
	int rc = 2;
	tl_err err;

	if (!(files = calloc((size_t)argc, sizeof(*files))))
		return cli_usage_error("out of memory");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			usage_import(stdout);
			rc = 0;
			goto done;
		} else if (opts && !strcmp(a, "--")) {
			opts = false;
		} else if (opts && (!strcmp(a, "--db") || !strncmp(a, "--db=", 5))) {
			if ((rc = db_option(argc, argv, &i, &path)) >= 0)
				goto done;
		} else if (opts && a[0] == '-' && a[1]) {
			rc = cli_usage_error("db import: unknown option '%s' (see --help)", a);
			goto done;
		} else {
			files[n++] = a;
		}
	}
	rc = 2;
	if (!n) {
		rc = cli_usage_error("db import: expected at least one FILE or DIR (see --help)");
		goto done;
	}
	if ((rc = open_db(&db, &path)) >= 0)
		goto done;
	if ((err = tl_vulndb_import(db, files, n, &st)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	if (!cli_g.quiet)
		fprintf(stderr, "trustline: imported %llu records from %llu files into %s"
		        " (%llu kept: stored record newer; %llu files skipped: unknown format)\n",
		        (unsigned long long)st.records, (unsigned long long)st.files, path,
		        (unsigned long long)st.older, (unsigned long long)st.skipped);
	rc = 0;
done:
	tl_vulndb_close(db);
	free(files);
	free(path);
	return rc;
}

int cmd_db_status(int argc, char **argv)
{
	char *path = NULL;
	tl_vulndb *db = NULL;
	json_t *st = NULL;
	tl_buf out = TL_BUF_INIT;
	bool as_json = false;
	int rc = 2;
	tl_err err;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage_status(stdout);
			rc = 0;
			goto done;
		} else if (!strcmp(a, "--json")) {
			as_json = true;
		} else if (!strcmp(a, "--db") || !strncmp(a, "--db=", 5)) {
			if ((rc = db_option(argc, argv, &i, &path)) >= 0)
				goto done;
		} else {
			rc = cli_usage_error("db status: unexpected argument '%s' (see --help)", a);
			goto done;
		}
	}
	rc = 2;
	if ((rc = open_db(&db, &path)) >= 0)
		goto done;
	if ((err = tl_vulndb_status(db, &st)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	if (as_json) {
		json_t *p = json_string(path);
		if (!p || json_object_set_new(st, "path", p) != 0 || tl_json_dump(&out, st) != TL_OK) {
			rc = cli_fail(TL_ENOMEM);
			goto done;
		}
		fputs(out.ptr, stdout);
	} else {
		static const char *const names[] = { "osv", "nvd", "kev", "alpine" };
		static const char *const labels[] = { "OSV records", "NVD CVEs", "KEV entries",
		                                      "Alpine secfixes" };
		json_t *srcs = json_object_get(st, "sources");
		printf("database:       %s\n", path);
		printf("schema version: %lld\n",
		       (long long)json_integer_value(json_object_get(st, "schema_version")));
		for (int k = 0; k < 4; k++) {
			json_t *s = json_object_get(srcs, names[k]);
			const char *last = json_string_value(json_object_get(s, "last_import"));
			const char *upd = json_string_value(json_object_get(s, "last_update"));
			printf("%-15s %10lld   last import %-20s", labels[k],
			       (long long)json_integer_value(json_object_get(s, "records")),
			       last ? last : "never");
			/* Alpine secdb has no feed of its own in db update */
			if (k < 3)
				printf("   last update %s", upd ? upd : "never");
			putchar('\n');
		}
		printf("%-15s %10lld\n", "aliases",
		       (long long)json_integer_value(json_object_get(st, "aliases")));
		printf("%-15s %10lld\n", "NVD CPE matches",
		       (long long)json_integer_value(json_object_get(st, "nvd_cpe_matches")));
	}
	rc = 0;
done:
	tl_buf_dispose(&out);
	json_decref(st);
	tl_vulndb_close(db);
	free(path);
	return rc;
}

/* Splits a comma-separated list into *v (pointers into s, which is
 * modified and must outlive *v). */
static int add_list(char *s, const char ***v, size_t *n, const char *opt)
{
	for (char *p = s;;) {
		char *comma = strchr(p, ',');
		const char **nv;
		if (comma)
			*comma = '\0';
		if (!p[0])
			return cli_usage_error("%s: empty name in the list", opt);
		if (!(nv = realloc((void *)*v, (*n + 1) * sizeof(**v))))
			return cli_usage_error("out of memory");
		*v = nv;
		(*v)[(*n)++] = p;
		if (!comma)
			break;
		p = comma + 1;
	}
	return -1;
}

static int parse_feeds(const char *s, unsigned *out)
{
	*out = 0;
	for (const char *p = s;;) {
		size_t n = strcspn(p, ",");
		if (n == 3 && !strncmp(p, "osv", 3))
			*out |= TL_FEED_OSV;
		else if (n == 3 && !strncmp(p, "nvd", 3))
			*out |= TL_FEED_NVD;
		else if (n == 3 && !strncmp(p, "kev", 3))
			*out |= TL_FEED_KEV;
		else
			return cli_usage_error("--feeds: expected a list of osv, nvd, kev, not '%.*s'",
			                       (int)n, p);
		if (!p[n])
			break;
		p += n + 1;
	}
	return -1;
}

static int parse_uint(const char *opt, const char *v, uint64_t max, uint64_t *out)
{
	if (!v || !tl_parse_u64(v, out) || *out > max)
		return cli_usage_error("%s: expected a number from 0 to %llu", opt,
		                       (unsigned long long)max);
	return -1;
}

int cmd_db_update(int argc, char **argv)
{
	char *path = NULL, *eco_env = NULL;
	const char **ecos = NULL;
	size_t n_ecos = 0;
	char **eco_copies = NULL;
	size_t n_copies = 0;
	const char *key_env = "NVD_API_KEY";
	tl_vulndb *db = NULL;
	tl_vulndb_update_opts o;
	tl_vulndb_update_stats st;
	int rc = 2;
	tl_err err;

	memset(&o, 0, sizeof(o));
	o.nvd_delay_ms = -1;
	o.osv_base_url = getenv("TRUSTLINE_OSV_URL");
	o.nvd_url = getenv("TRUSTLINE_NVD_URL");
	o.kev_url = getenv("TRUSTLINE_KEV_URL");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		bool missing = false;
		uint64_t n;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage_update(stdout);
			rc = 0;
			goto done;
		} else if (!strcmp(a, "--full")) {
			o.full = true;
		} else if (!strcmp(a, "--db") || !strncmp(a, "--db=", 5)) {
			if ((rc = db_option(argc, argv, &i, &path)) >= 0)
				goto done;
		} else if ((v = cli_opt_value(argc, argv, &i, "--feeds", &missing))) {
			if ((rc = parse_feeds(v, &o.feeds)) >= 0)
				goto done;
		} else if ((v = cli_opt_value(argc, argv, &i, "--osv-ecosystem", &missing))) {
			char **nc = realloc(eco_copies, (n_copies + 1) * sizeof(*eco_copies));
			if (!nc || !(nc[n_copies] = strdup(v))) {
				if (nc)
					eco_copies = nc;
				rc = cli_usage_error("out of memory");
				goto done;
			}
			eco_copies = nc;
			if ((rc = add_list(eco_copies[n_copies++], &ecos, &n_ecos, "--osv-ecosystem")) >= 0)
				goto done;
		} else if ((v = cli_opt_value(argc, argv, &i, "--osv-url", &missing))) {
			o.osv_base_url = v;
		} else if ((v = cli_opt_value(argc, argv, &i, "--nvd-url", &missing))) {
			o.nvd_url = v;
		} else if ((v = cli_opt_value(argc, argv, &i, "--kev-url", &missing))) {
			o.kev_url = v;
		} else if ((v = cli_opt_value(argc, argv, &i, "--nvd-api-key-env", &missing))) {
			key_env = v;
		} else if ((v = cli_opt_value(argc, argv, &i, "--nvd-delay", &missing))) {
			if ((rc = parse_uint("--nvd-delay", v, 600000, &n)) >= 0)
				goto done;
			o.nvd_delay_ms = (int)n;
		} else if ((v = cli_opt_value(argc, argv, &i, "--nvd-page-size", &missing))) {
			if ((rc = parse_uint("--nvd-page-size", v, 2000, &n)) >= 0)
				goto done;
			if (!n) {
				rc = cli_usage_error("--nvd-page-size: expected a number from 1 to 2000");
				goto done;
			}
			o.nvd_page_size = (unsigned)n;
		} else if ((v = cli_opt_value(argc, argv, &i, "--timeout", &missing))) {
			if ((rc = parse_uint("--timeout", v, 3600, &n)) >= 0)
				goto done;
			if (!n) {
				rc = cli_usage_error("--timeout: expected a number from 1 to 3600");
				goto done;
			}
			o.timeout_s = (unsigned)n;
		} else if ((v = cli_opt_value(argc, argv, &i, "--retries", &missing))) {
			if ((rc = parse_uint("--retries", v, 100, &n)) >= 0)
				goto done;
			o.retries = n ? (int)n : -1; /* in the options, 0 is the default */
		} else if (missing) {
			rc = cli_usage_error("db update: %s needs a value (see --help)", a);
			goto done;
		} else {
			rc = cli_usage_error("db update: unexpected argument '%s' (see --help)", a);
			goto done;
		}
	}
	rc = 2;
	if (!n_ecos && getenv("TRUSTLINE_OSV_ECOSYSTEMS") && getenv("TRUSTLINE_OSV_ECOSYSTEMS")[0]) {
		if (!(eco_env = strdup(getenv("TRUSTLINE_OSV_ECOSYSTEMS")))) {
			rc = cli_usage_error("out of memory");
			goto done;
		}
		if ((rc = add_list(eco_env, &ecos, &n_ecos, "TRUSTLINE_OSV_ECOSYSTEMS")) >= 0)
			goto done;
		rc = 2;
	}
	o.osv_ecosystems = ecos;
	o.n_osv_ecosystems = n_ecos;
	if (key_env[0] && getenv(key_env) && getenv(key_env)[0])
		o.nvd_api_key = getenv(key_env);
	o.max_bytes = cli_g.max_input;
	if ((rc = open_db(&db, &path)) >= 0)
		goto done;
	if ((err = tl_vulndb_update(db, &o, &st)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	if (!cli_g.quiet)
		fprintf(stderr, "trustline: updated %s: %llu downloads (%llu bytes, %llu resumed),"
		        " %llu feeds unchanged; imported %llu records from %llu files\n", path,
		        (unsigned long long)st.downloads, (unsigned long long)st.bytes,
		        (unsigned long long)st.resumed, (unsigned long long)st.unchanged,
		        (unsigned long long)st.import.records, (unsigned long long)st.import.files);
	rc = 0;
done:
	tl_vulndb_close(db);
	for (size_t k = 0; k < n_copies; k++)
		free(eco_copies[k]);
	free(eco_copies);
	free((void *)ecos);
	free(eco_env);
	free(path);
	return rc;
}
