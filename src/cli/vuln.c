/*
 * trustline vuln: known vulnerabilities of the components of an SBOM,
 * matched against the local database (docs/matching.md), reported as a
 * table, JSON, SARIF, CycloneDX VDR or HTML after VEX triage (--vex), with a
 * release gate (--fail-on).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "trustline/vuln.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: trustline vuln [--db FILE] [--format table|json|sarif|cyclonedx|html]\n"
	        "                      [-o FILE] [--fail-on low|medium|high|critical|kev]\n"
	        "                      [--vex FILE]... [--no-oss-fuzz] SBOM\n"
	        "\n"
	        "Matches every component of SBOM (CycloneDX or SPDX JSON) against the\n"
	        "vulnerability database: distro packages against their distro's data,\n"
	        "language packages against their OSV ecosystem, binary-identified and\n"
	        "pkg:generic components by CPE against NVD configurations (and OSS-Fuzz\n"
	        "records by release tag).  docs/matching.md states every rule.\n"
	        "\n"
	        "  --db FILE        the database (default $XDG_DATA_HOME/trustline/vulns.db)\n"
	        "  --format F       table (default), json, sarif (SARIF 2.1.0), cyclonedx\n"
	        "                   (a CycloneDX 1.6 VDR), html (one self-contained page)\n"
	        "  -o, --output F   write the report to F (default: standard output)\n"
	        "  --fail-on L      exit 1 when an active finding (not patched, not\n"
	        "                   resolved by VEX) has severity L or higher; 'kev': when\n"
	        "                   one is in CISA's Known Exploited Vulnerabilities catalog;\n"
	        "                   'low' includes findings of unknown severity\n"
	        "  --vex FILE       VEX triage applied before the report and --fail-on:\n"
	        "                   OpenVEX or CycloneDX VEX; repeatable, the latest\n"
	        "                   statement wins (docs/vex.md)\n"
	        "  --no-oss-fuzz    do not match OSS-Fuzz records by release tag\n"
	        "\n"
	        "A summary goes to standard error.\n"
	        "Exit status: 0 no active finding reaches --fail-on, 1 one does,\n"
	        "2 usage, input, database or I/O error.\n");
}

/* Whether finding x reaches the --fail-on level (kev: in the catalog). */
/* An option with a value: val set, or missing set when the value is absent. */
#define OPT(name) ((val = cli_opt_value(argc, argv, &i, name, &missing)) != NULL || missing)

static bool reaches(const tl_finding *x, bool kev, tl_severity min)
{
	if (!tl_finding_is_active(x))
		return false;
	/* an unknown severity counts as low: --fail-on low fails on any active finding */
	return kev ? x->kev : x->severity >= min || (min == TL_SEV_LOW && x->severity == TL_SEV_UNKNOWN);
}

/*
 * What is freed on a second thread while the output is written: closing
 * the database unmaps the pages matching read through its memory map,
 * and freeing the findings walks every one of them; for a large run that
 * is ~10 ms the write and fsync of the output need not wait for.
 */
typedef struct {
	cli_beside th;
	tl_vulndb *db;
	tl_findings f;
	tl_sbom *sbom;
	tl_vex *vex;
} leftovers;

static void free_leftovers(void *arg)
{
	leftovers *l = arg;

	tl_vulndb_close(l->db);
	tl_findings_free(&l->f);
	tl_sbom_free(l->sbom);
	tl_vex_free(l->vex);
}

int cmd_vuln(int argc, char **argv)
{
	const char *sbom_path = NULL, *out_path = NULL, *val;
	char *db_path = NULL;
	tl_report_format fmt = TL_REPORT_TABLE;
	bool fail_set = false, fail_kev = false, missing, no_ossfuzz = false;
	tl_severity fail_min = TL_SEV_CRITICAL;
	tl_json_limits lim = cli_json_limits();
	tl_sbom *sbom = NULL;
	tl_vulndb *db = NULL;
	tl_findings f = { 0 };
	tl_match_stats st = { 0 };
	tl_match_opts mo = { 0 };
	tl_buf out = TL_BUF_INIT;
	const char **vex_paths = NULL;
	size_t n_vex = 0;
	tl_vex *vex = NULL;
	leftovers gone = { 0 };
	size_t n_findings, active = 0, gate = 0;
	int rc = 2;
	tl_err err;

	if (!(vex_paths = calloc((size_t)argc, sizeof(*vex_paths))))
		return cli_usage_error("out of memory");

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		missing = false;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			rc = 0;
			goto done;
		} else if (OPT("--db")) {
			if (!val)
				goto need_value;
			free(db_path);
			if (!val[0] || !(db_path = strdup(val))) {
				rc = cli_usage_error("vuln: --db needs a file name");
				goto done;
			}
		} else if (OPT("--format")) {
			if (!val)
				goto need_value;
			if (tl_report_format_parse(val, &fmt) != TL_OK) {
				rc = cli_usage_error("vuln: --format: expected table, json, sarif, cyclonedx or html");
				goto done;
			}
		} else if (OPT("-o") || OPT("--output")) {
			if (!val)
				goto need_value;
			out_path = val;
		} else if (OPT("--fail-on")) {
			if (!val)
				goto need_value;
			fail_set = true;
			fail_kev = !strcmp(val, "kev");
			if (!fail_kev && (tl_severity_parse(val, &fail_min) != TL_OK || fail_min < TL_SEV_LOW)) {
				rc = cli_usage_error("vuln: --fail-on: expected low, medium, high, critical or kev");
				goto done;
			}
		} else if (OPT("--vex")) {
			if (!val)
				goto need_value;
			vex_paths[n_vex++] = val;
		} else if (!strcmp(a, "--no-oss-fuzz")) {
			no_ossfuzz = true;
		} else if (a[0] == '-' && a[1]) {
			rc = cli_usage_error("vuln: unknown option '%s' (see --help)", a);
			goto done;
		} else if (sbom_path) {
			rc = cli_usage_error("vuln: expected one SBOM, got '%s' and '%s'", sbom_path, a);
			goto done;
		} else {
			sbom_path = a;
		}
	}
	if (!sbom_path) {
		rc = cli_usage_error("vuln: expected an SBOM file (see --help)");
		goto done;
	}
	if ((err = tl_sbom_load(&sbom, sbom_path, &lim)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	if (!db_path && (err = tl_vulndb_default_path(&db_path)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	if ((err = tl_vulndb_open(&db, db_path)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	mo.no_oss_fuzz = no_ossfuzz;
	mo.stats = &st;
	/* the VEX documents first: a bad one stops before the database is read */
	if ((err = tl_vex_new(&vex)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	for (size_t k = 0; k < n_vex; k++) {
		if ((err = tl_vex_add_file(vex, vex_paths[k], &lim)) != TL_OK) {
			rc = cli_fail(err);
			goto done;
		}
	}
	if ((err = tl_vuln_match(db, sbom, &mo, &f)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	/* triage applies before the report and before --fail-on counts */
	if ((n_vex && (err = tl_vex_apply_sbom(vex, &f, sbom)) != TL_OK) ||
	    (err = tl_vuln_report(&out, fmt, &f, sbom)) != TL_OK || (err = tl_buf_cstr(&out)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	n_findings = f.n;
	for (size_t i = 0; i < f.n; i++) {
		active += tl_finding_is_active(&f.v[i]);
		gate += fail_set && reaches(&f.v[i], fail_kev, fail_min);
	}
	/* the database, findings, SBOM and VEX are freed while the output is
	 * written (not while the report is made: unmapping the database
	 * would hold up the page faults of the report's buffer) */
	gone = (leftovers){ .db = db, .f = f, .sbom = sbom, .vex = vex };
	db = NULL;
	memset(&f, 0, sizeof(f));
	sbom = NULL;
	vex = NULL;
	cli_beside_start(&gone.th, free_leftovers, &gone);
	if ((rc = cli_write_output(out_path, &out)) != 0)
		goto done;
	if (!cli_g.quiet)
		fprintf(stderr,
		        "trustline: %llu components, %llu checked: %zu findings (%zu active)"
		        "; %llu candidate records undecided, %llu components without data%s%s%s\n",
		        (unsigned long long)st.components, (unsigned long long)st.checked, n_findings, active,
		        (unsigned long long)st.undecided, (unsigned long long)st.no_data,
		        fail_set ? "; --fail-on " : "", fail_set ? (fail_kev ? "kev" : tl_severity_name(fail_min)) : "",
		        fail_set ? (gate ? ": FAILED" : ": passed") : "");
	rc = gate ? 1 : 0;
	goto done;
need_value:
	rc = cli_usage_error("vuln: %s needs a value (see --help)", argv[argc - 1]);
done:
	cli_beside_wait(&gone.th);
	tl_vex_free(vex);
	free(vex_paths);
	tl_buf_dispose(&out);
	tl_findings_free(&f);
	tl_vulndb_close(db);
	tl_sbom_free(sbom);
	free(db_path);
	return rc;
}
