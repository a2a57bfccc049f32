/*
 * trustline db import | status: the local vulnerability database.
 * (db update, the downloader, will sit beside these: it fetches feeds
 * into a temporary directory and hands them to tl_vulndb_import.)
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
	        "Prints the record counts per source, the last import of each, and the\n"
	        "schema version.\n");
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
			printf("%-15s %10lld   last import %s\n", labels[k],
			       (long long)json_integer_value(json_object_get(s, "records")),
			       last ? last : "never");
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
