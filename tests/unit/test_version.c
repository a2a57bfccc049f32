/*
 * Unit tests of the version comparators (src/vuln/version*.c).
 *
 * The expectations come from outside this project: the version-compare
 * corpus in TL_SHARED_DATA (hand-written edge cases, and ~10,000 Debian
 * and Alpine pairs ordered by the real dpkg and apk), this machine's own
 * `dpkg --compare-versions` on random pairs, OpenSSL's list of affected
 * and fixed releases, and examples written in the specifications.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <unistd.h>

#include "trustline/core.h"
#include "trustline/vuln.h"

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

/* Compares a and b, which must both be valid, and returns -1, 0 or 1. */
static int cmp(tl_version_scheme s, const char *a, const char *b)
{
	int c = 99;
	tl_err err = tl_version_compare(&c, s, a, b);

	if (err != TL_OK)
		fail_msg("%s: \"%s\" vs \"%s\": %s", tl_version_scheme_name(s), a, b, tl_error_last());
	return sign(c);
}

static int op_value(const char *op)
{
	if (!strcmp(op, "<"))
		return -1;
	if (!strcmp(op, ">"))
		return 1;
	if (!strcmp(op, "="))
		return 0;
	return 2;
}

static const char *shared_dir(void)
{
	const char *d = getenv("TL_SHARED_DATA");

	if (!d)
		fail_msg("TL_SHARED_DATA is not set (meson sets it)");
	return d;
}

/* ---- the version-compare corpus ----------------------------------------- */

static int scheme_of_file(const char *name, tl_version_scheme *s)
{
	if (!strncmp(name, "alpine-", 7))
		*s = TL_VSCHEME_APK;
	else if (!strncmp(name, "debian-", 7))
		*s = TL_VSCHEME_DEB;
	else if (!strncmp(name, "redhat-", 7))
		*s = TL_VSCHEME_RPM;
	else if (!strncmp(name, "semver-", 7))
		*s = TL_VSCHEME_SEMVER;
	else
		return 0;
	return 1;
}

/*
 * Checks every "A OP B" line of one file, both ways round; blank lines and
 * lines starting with '#' or '//' are comments.  Returns the number of
 * lines checked; *bad counts the lines that failed.
 */
static size_t check_file(const char *path, tl_version_scheme s, size_t *bad)
{
	tl_buf b = TL_BUF_INIT;
	size_t n = 0, lineno = 0;
	char *line, *next;

	*bad = 0;
	if (tl_file_read(&b, path, 0) != TL_OK)
		fail_msg("%s: %s", path, tl_error_last());
	for (line = b.ptr; line && *line; line = next) {
		char *f[4] = { NULL, NULL, NULL, NULL }, *save = line, *p;
		int nf = 0, want = 2, got, back;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* split on spaces and tabs by hand (no strtok) */
		for (p = save; *p && nf < 4;) {
			while (*p == ' ' || *p == '\t' || *p == '\r')
				*p++ = '\0';
			if (!*p)
				break;
			f[nf++] = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\r')
				p++;
		}
		if (nf == 0 || f[0][0] == '#' || !strncmp(f[0], "//", 2))
			continue;
		if (nf < 3 || (nf == 4 && f[3][0] != '#') || (want = op_value(f[1])) == 2)
			fail_msg("%s:%zu: expected \"A OP B\"", path, lineno);
		got = cmp(s, f[0], f[2]);
		back = cmp(s, f[2], f[0]);
		if (got != want || back != -want) {
			if (*bad < 10)
				print_message("  %s:%zu: %s %s %s: got %d, reversed %d\n", path, lineno, f[0], f[1],
				              f[2], got, back);
			(*bad)++;
		}
		n++;
	}
	tl_buf_dispose(&b);
	return n;
}

static void test_version__corpus_every_line_passes(void **state)
{
	char dir[2048], path[4096];
	struct dirent *e;
	size_t files = 0, total_bad = 0;
	DIR *d;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/version-compare", shared_dir());
	d = opendir(dir);
	if (!d)
		fail_msg("%s: cannot open", dir);
	while ((e = readdir(d)) != NULL) {
		tl_version_scheme s = TL_VSCHEME_GENERIC;
		size_t n, bad, len = strlen(e->d_name);

		if (len < 4 || strcmp(e->d_name + len - 4, ".txt") != 0)
			continue;
		if (!scheme_of_file(e->d_name, &s))
			fail_msg("%s/%s: no scheme known for this file", dir, e->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n = check_file(path, s, &bad);
		print_message("  %-34s %-6s %6zu lines, %zu passed, %zu failed\n", e->d_name,
		              tl_version_scheme_name(s), n, n - bad, bad);
		assert_true(n > 0);
		total_bad += bad;
		files++;
	}
	closedir(d);
	assert_int_equal(files, 6);
	assert_int_equal(total_bad, 0);
}

/* ---- against this machine's dpkg ----------------------------------------- */

/* xorshift64*, seeded: the same pairs on every run. */
static uint64_t rng_next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ull;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

#define DPKG_PAIRS 2000

static void test_version__deb_agrees_with_dpkg(void **state)
{
	char path[4096], pairs_path[] = "/tmp/tl-version-pairs-XXXXXX", cmd[8192], res[16];
	tl_buf b = TL_BUF_INIT;
	char **vers = NULL, *line, *next;
	size_t nvers = 0, cap = 0, i, k, disagree = 0;
	const char *pa[DPKG_PAIRS], *pb[DPKG_PAIRS];
	uint64_t seed = 0x7472757374lu; /* "trust" */
	FILE *f, *p;
	int fd;

	(void)state;
	if (system("dpkg --version >/dev/null 2>&1") != 0) {
		print_message("  dpkg not installed: cross-check skipped\n");
		skip();
	}
	snprintf(path, sizeof(path), "%s/version-compare/debian-versions-generated.txt", shared_dir());
	if (tl_file_read(&b, path, 0) != TL_OK)
		fail_msg("%s: %s", path, tl_error_last());
	/* every version named in the corpus (fields 1 and 3) */
	for (line = b.ptr; line && *line; line = next) {
		char *sp1, *sp2;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		sp1 = strchr(line, ' ');
		sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		if (!sp1 || !sp2)
			continue;
		*sp1 = '\0';
		*sp2 = '\0';
		if (nvers + 2 > cap) {
			cap = cap ? cap * 2 : 1024;
			vers = realloc(vers, cap * sizeof(*vers));
			assert_non_null(vers);
		}
		vers[nvers++] = line;
		vers[nvers++] = sp2 + 1;
	}
	assert_true(nvers > 1000);
	qsort(vers, nvers, sizeof(*vers), cmp_str);
	/* half uniform pairs, half near neighbours in string order (long
	 * shared prefixes, so the comparison goes deep) */
	for (i = 0; i < DPKG_PAIRS; i++) {
		size_t x = (size_t)(rng_next(&seed) % nvers), y;
		if (i % 2 == 0)
			y = (size_t)(rng_next(&seed) % nvers);
		else
			y = (x + 1 + (size_t)(rng_next(&seed) % 8)) % nvers;
		pa[i] = vers[x];
		pb[i] = vers[y];
	}
	fd = mkstemp(pairs_path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (i = 0; i < DPKG_PAIRS; i++)
		fprintf(f, "%s %s\n", pa[i], pb[i]);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
	         "while read a b; do if dpkg --compare-versions \"$a\" lt \"$b\"; then echo '<'; "
	         "elif dpkg --compare-versions \"$a\" eq \"$b\"; then echo '='; else echo '>'; fi; "
	         "done < %s", pairs_path);
	p = popen(cmd, "r");
	assert_non_null(p);
	for (k = 0; k < DPKG_PAIRS && fgets(res, sizeof(res), p); k++) {
		int want = op_value(res[0] == '<' ? "<" : res[0] == '=' ? "=" : ">");
		int got = cmp(TL_VSCHEME_DEB, pa[k], pb[k]);
		if (got != want) {
			if (disagree < 10)
				print_message("  dpkg says %s %c %s, we say %d\n", pa[k], res[0], pb[k], got);
			disagree++;
		}
	}
	pclose(p);
	unlink(pairs_path);
	print_message("  %zu random pairs compared with dpkg --compare-versions, %zu disagree\n", k, disagree);
	assert_int_equal(k, DPKG_PAIRS);
	assert_int_equal(disagree, 0);
	free(vers);
	tl_buf_dispose(&b);
}

/* ---- specification examples -------------------------------------------- */

static void test_version__deb_policy_rules(void **state)
{
	(void)state;
	/* Policy 5.6.12: '~' sorts before anything, even the end */
	assert_int_equal(cmp(TL_VSCHEME_DEB, "1.0~rc1", "1.0"), -1);
	assert_int_equal(cmp(TL_VSCHEME_DEB, "1.0~~", "1.0~~a"), -1);
	assert_int_equal(cmp(TL_VSCHEME_DEB, "1.0~~a", "1.0~"), -1);
	/* letters sort before non-letters */
	assert_int_equal(cmp(TL_VSCHEME_DEB, "1.0a", "1.0+"), -1);
	assert_int_equal(cmp(TL_VSCHEME_DEB, "1.0a", "1.0."), -1);
	/* the epoch wins over everything else */
	assert_int_equal(cmp(TL_VSCHEME_DEB, "1:0.1", "9.9"), 1);
	/* an absent revision is "0"; a numeric part is compared by value */
	assert_int_equal(cmp(TL_VSCHEME_DEB, "1.0", "1.0-0"), 0);
	assert_int_equal(cmp(TL_VSCHEME_DEB, "1.010", "1.9"), 1);
	/* the revision starts after the last hyphen */
	assert_int_equal(cmp(TL_VSCHEME_DEB, "1.0-rc1-2", "1.0-rc1-10"), -1);
	/* a colon in the upstream version when there is an epoch */
	assert_int_equal(cmp(TL_VSCHEME_DEB, "1:2:3-1", "1:2:3-1"), 0);
}

static void test_version__rpm_rules(void **state)
{
	(void)state;
	/* rpmvercmp: '~' before the end, '^' after the end but before more */
	assert_int_equal(cmp(TL_VSCHEME_RPM, "1.0~rc1", "1.0"), -1);
	assert_int_equal(cmp(TL_VSCHEME_RPM, "1.0^git1", "1.0"), 1);
	assert_int_equal(cmp(TL_VSCHEME_RPM, "1.0^git1", "1.0.1"), -1);
	/* digits beat letters, separators only separate */
	assert_int_equal(cmp(TL_VSCHEME_RPM, "1.0a", "1.0.1"), -1);
	assert_int_equal(cmp(TL_VSCHEME_RPM, "1_0", "1.0"), 0);
	/* epoch:version-release */
	assert_int_equal(cmp(TL_VSCHEME_RPM, "1:1.0-1.el8", "2.0-1.el8"), 1);
	assert_int_equal(cmp(TL_VSCHEME_RPM, "3.0.7-24.el9", "3.0.7-27.el9"), -1);
	assert_int_equal(cmp(TL_VSCHEME_RPM, "1.1.1k-7.el8_6", "1.1.1k-12.el8_9"), -1);
}

static void test_version__semver_precedence(void **state)
{
	static const char *order[] = {
		/* SemVer 2.0.0 section 11, the example chain */
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1",
	};
	size_t n = sizeof(order) / sizeof(order[0]);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++)
			assert_int_equal(cmp(TL_VSCHEME_SEMVER, order[i], order[j]), (i > j) - (i < j));
	}
	/* tolerated: missing minor and patch count as 0 (OSV ranges "introduced": "0") */
	assert_int_equal(cmp(TL_VSCHEME_SEMVER, "0", "0.0.0"), 0);
	assert_int_equal(cmp(TL_VSCHEME_SEMVER, "1.2", "1.2.0"), 0);
	assert_int_equal(cmp(TL_VSCHEME_SEMVER, "0", "0.0.1-alpha"), -1);
	/* build metadata is ignored */
	assert_int_equal(cmp(TL_VSCHEME_SEMVER, "1.0.0+20130313144700", "1.0.0+exp.sha.5114f85"), 0);
	assert_int_equal(cmp(TL_VSCHEME_SEMVER, "1.0.0-beta+exp", "1.0.0-beta"), 0);
}

static void test_version__apk_rules(void **state)
{
	(void)state;
	/* pre-release suffixes before the release, post-release after */
	assert_int_equal(cmp(TL_VSCHEME_APK, "1.2_alpha1", "1.2_beta1"), -1);
	assert_int_equal(cmp(TL_VSCHEME_APK, "1.2_beta1", "1.2_pre1"), -1);
	assert_int_equal(cmp(TL_VSCHEME_APK, "1.2_pre1", "1.2_rc1"), -1);
	assert_int_equal(cmp(TL_VSCHEME_APK, "1.2_rc1", "1.2"), -1);
	assert_int_equal(cmp(TL_VSCHEME_APK, "1.2", "1.2_cvs1"), -1);
	assert_int_equal(cmp(TL_VSCHEME_APK, "1.2_cvs1", "1.2_svn1"), -1);
	assert_int_equal(cmp(TL_VSCHEME_APK, "1.2_svn1", "1.2_git1"), -1);
	assert_int_equal(cmp(TL_VSCHEME_APK, "1.2_git1", "1.2_hg1"), -1);
	assert_int_equal(cmp(TL_VSCHEME_APK, "1.2_hg1", "1.2_p1"), -1);
	/* letter, revision */
	assert_int_equal(cmp(TL_VSCHEME_APK, "1.2", "1.2a"), -1);
	assert_int_equal(cmp(TL_VSCHEME_APK, "1.2a", "1.2.1"), -1);
	assert_int_equal(cmp(TL_VSCHEME_APK, "3.0.8-r0", "3.0.8-r10"), -1);
	assert_int_equal(cmp(TL_VSCHEME_APK, "3.0.8-r9", "3.0.10-r0"), -1);
	/* commit hash before the revision */
	assert_int_equal(cmp(TL_VSCHEME_APK, "1.0_git20240101~abc123-r0", "1.0_git20240101~abc123-r1"), -1);
}

static void test_version__generic_upstream(void **state)
{
	(void)state;
	/* OpenSSL letter releases come after the plain release */
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "1.1.1w", "1.1.1t"), 1);
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "1.1.1", "1.1.1a"), -1);
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "1.1.1w", "3.0.0"), -1);
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "1.0.2zd", "1.0.2z"), 1);
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "1.0.2k-fips", "1.0.2k"), 0);
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "1.0.2k-fips", "1.0.2l"), -1);
	/* curl 7.88.1 lies in CVE-2023-38545's range [7.69.0, 8.4.0) */
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "7.88.1", "7.69.0"), 1);
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "7.88.1", "8.4.0"), -1);
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "7.9.1", "7.88.1"), -1);
	/* dropbear's year.number releases */
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "2022.83", "2020.81"), 1);
	/* trailing zeros, pre-releases, a leading v, build metadata */
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "1.0", "1.0.0"), 0);
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "1.0.0-rc1", "1.0"), -1);
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "1.0.0-beta2", "1.0.0-rc1"), -1);
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "1.0.0-alpha", "1.0.0-beta"), -1);
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "v2.4.1", "2.4.1"), 0);
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "2.4.1+build.7", "2.4.1"), 0);
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "7.4p1", "7.4"), 1);
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "7.4p1", "7.5"), -1);
}

/*
 * OpenSSL's own list (vendor-advisories/openssl/vulnerabilities.xml): in
 * each issue, every affected release of a branch sorts before that
 * branch's fixed release.
 */
static void test_version__generic_orders_openssl_releases(void **state)
{
	char path[4096], aff[64][2][32];
	tl_buf b = TL_BUF_INIT;
	char *line, *next;
	size_t naff = 0, checks = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/vendor-advisories/openssl/vulnerabilities.xml", shared_dir());
	if (tl_file_read(&b, path, 0) != TL_OK)
		fail_msg("%s: %s", path, tl_error_last());
	for (line = b.ptr; line && *line; line = next) {
		char base[32] = "", ver[32] = "";
		const char *p, *q;
		int is_fixed;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strstr(line, "<issue")) {
			naff = 0;
			continue;
		}
		is_fixed = strstr(line, "<fixed ") != NULL;
		if (!is_fixed && !strstr(line, "<affects "))
			continue;
		if ((p = strstr(line, "base=\"")) && (q = strchr(p + 6, '"')) && q - p - 6 < 32)
			memcpy(base, p + 6, (size_t)(q - p - 6));
		if ((p = strstr(line, "version=\"")) && (q = strchr(p + 9, '"')) && q - p - 9 < 32)
			memcpy(ver, p + 9, (size_t)(q - p - 9));
		/* plain releases only ("1.0.2zc-dev", "fips-1.1.1" are not releases) */
		if (!ver[0] || strspn(ver, "0123456789.abcdefghijklmnopqrstuvwxyz") != strlen(ver) ||
		    strchr(ver, '-') || !strchr("0123456789", ver[0]))
			continue;
		if (!is_fixed) {
			if (naff < 64) {
				memcpy(aff[naff][0], base, sizeof(base));
				memcpy(aff[naff][1], ver, sizeof(ver));
				naff++;
			}
			continue;
		}
		for (size_t i = 0; i < naff; i++) {
			if (strcmp(aff[i][0], base) != 0)
				continue;
			if (cmp(TL_VSCHEME_GENERIC, aff[i][1], ver) != -1)
				fail_msg("OpenSSL: affected %s is not before fixed %s", aff[i][1], ver);
			checks++;
		}
	}
	tl_buf_dispose(&b);
	print_message("  %zu affected-before-fixed OpenSSL orderings checked\n", checks);
	assert_true(checks > 1000);
}

/* ---- errors ---------------------------------------------------------------- */

static void expect_parse_error(tl_version_scheme s, const char *bad, const char *good, const char *msg)
{
	int c = 42;

	tl_error_clear();
	if (tl_version_compare(&c, s, bad, good) != TL_EPARSE)
		fail_msg("%s: \"%s\" accepted", tl_version_scheme_name(s), bad);
	assert_int_equal(c, 42); /* *out untouched */
	if (!strstr(tl_error_last(), msg))
		fail_msg("%s: \"%s\": message \"%s\" lacks \"%s\"", tl_version_scheme_name(s), bad, tl_error_last(), msg);
	/* and as the second argument */
	assert_int_equal(tl_version_compare(&c, s, good, bad), TL_EPARSE);
	assert_int_equal(tl_version_check(s, bad), TL_EPARSE);
}

static void test_version__invalid_versions_are_parse_errors(void **state)
{
	(void)state;
	expect_parse_error(TL_VSCHEME_DEB, "1.0!", "1.0", "deb version \"1.0!\": offset 3: invalid character");
	expect_parse_error(TL_VSCHEME_DEB, "1.0-1_2", "1.0", "offset 5: invalid character in revision");
	expect_parse_error(TL_VSCHEME_DEB, "1.0 2", "1.0", "invalid character");
	expect_parse_error(TL_VSCHEME_DEB, "", "1.0", "empty version");
	expect_parse_error(TL_VSCHEME_DEB, "a:1.0", "1.0", "epoch is not a number");
	expect_parse_error(TL_VSCHEME_DEB, ":1.0", "1.0", "empty epoch");
	expect_parse_error(TL_VSCHEME_DEB, "1:", "1.0", "empty upstream");
	expect_parse_error(TL_VSCHEME_DEB, "1.0-", "1.0", "empty revision");
	expect_parse_error(TL_VSCHEME_DEB, "9999999999:1", "1.0", "epoch larger");
	expect_parse_error(TL_VSCHEME_DEB, "1.2:3", "1.0", "epoch is not a number");

	expect_parse_error(TL_VSCHEME_SEMVER, "01.2.3", "1.2.3", "leading zero in the major number");
	expect_parse_error(TL_VSCHEME_SEMVER, "1.02.3", "1.2.3", "offset 2: leading zero in the minor");
	expect_parse_error(TL_VSCHEME_SEMVER, "1.2.3-01", "1.2.3", "leading zero in a numeric pre-release");
	expect_parse_error(TL_VSCHEME_SEMVER, "1..3", "1.2.3", "offset 2: expected a minor number");
	expect_parse_error(TL_VSCHEME_SEMVER, "1.2.", "1.2.3", "offset 4: expected a patch number");
	expect_parse_error(TL_VSCHEME_SEMVER, "1.2.3.", "1.2.3", "expected a number after '.'");
	expect_parse_error(TL_VSCHEME_SEMVER, "1.2.3-", "1.2.3", "empty pre-release identifier");
	expect_parse_error(TL_VSCHEME_SEMVER, "1.2.3-a..b", "1.2.3", "empty pre-release identifier");
	expect_parse_error(TL_VSCHEME_SEMVER, "1.2.3+", "1.2.3", "empty build identifier");
	expect_parse_error(TL_VSCHEME_SEMVER, "1.2.3_4", "1.2.3", "unexpected character");
	expect_parse_error(TL_VSCHEME_SEMVER, "", "1.2.3", "expected a major number");

	expect_parse_error(TL_VSCHEME_RPM, "", "1.0", "empty version");
	expect_parse_error(TL_VSCHEME_RPM, "1.0 -1", "1.0", "offset 3: control character or space");
	expect_parse_error(TL_VSCHEME_RPM, "1:", "1.0", "empty version");
	expect_parse_error(TL_VSCHEME_RPM, "-1", "1.0", "empty version");

	expect_parse_error(TL_VSCHEME_APK, "", "1.0", "empty version");
	expect_parse_error(TL_VSCHEME_APK, "1.0\t-r1", "1.0", "offset 3: whitespace");
	expect_parse_error(TL_VSCHEME_APK, "1.0\xc3\xa9", "1.0", "non-ASCII");

	expect_parse_error(TL_VSCHEME_GENERIC, "*", "1.0", "invalid character");
	expect_parse_error(TL_VSCHEME_GENERIC, "-", "1.0", "expected a digit or letter");
	expect_parse_error(TL_VSCHEME_GENERIC, "", "1.0", "expected a digit or letter");
	expect_parse_error(TL_VSCHEME_GENERIC, "1.0/2", "1.0", "offset 3: invalid character");
	expect_parse_error(TL_VSCHEME_GENERIC, "1.0+a/b", "1.0", "invalid character in build metadata");
}

static void test_version__limits_and_arguments(void **state)
{
	char long_v[TL_VERSION_MAX_LEN + 2];
	tl_version_scheme s;
	int c = 7;

	(void)state;
	memset(long_v, '1', sizeof(long_v) - 1);
	long_v[sizeof(long_v) - 1] = '\0';
	for (int k = TL_VSCHEME_DEB; k <= TL_VSCHEME_GENERIC; k++) {
		assert_int_equal(tl_version_compare(&c, (tl_version_scheme)k, long_v, "1"), TL_ELIMIT);
		assert_int_equal(tl_version_compare(&c, (tl_version_scheme)k, "1", long_v), TL_ELIMIT);
	}
	long_v[TL_VERSION_MAX_LEN] = '\0'; /* exactly the limit: accepted, compared by value */
	assert_int_equal(tl_version_compare(&c, TL_VSCHEME_DEB, long_v, "1"), TL_OK);
	assert_true(c > 0);
	c = 7;
	assert_int_equal(tl_version_compare(NULL, TL_VSCHEME_DEB, "1", "1"), TL_EINVAL);
	assert_int_equal(tl_version_compare(&c, TL_VSCHEME_DEB, NULL, "1"), TL_EINVAL);
	assert_int_equal(tl_version_compare(&c, TL_VSCHEME_DEB, "1", NULL), TL_EINVAL);
	assert_int_equal(tl_version_compare(&c, (tl_version_scheme)99, "1", "1"), TL_EINVAL);
	assert_int_equal(c, 7);

	assert_int_equal(tl_version_scheme_parse("deb", &s), TL_OK);
	assert_int_equal(s, TL_VSCHEME_DEB);
	assert_int_equal(tl_version_scheme_parse("alpine", &s), TL_OK);
	assert_int_equal(s, TL_VSCHEME_APK);
	assert_int_equal(tl_version_scheme_parse("rpm", &s), TL_OK);
	assert_int_equal(s, TL_VSCHEME_RPM);
	assert_int_equal(tl_version_scheme_parse("semver", &s), TL_OK);
	assert_int_equal(s, TL_VSCHEME_SEMVER);
	assert_int_equal(tl_version_scheme_parse("generic", &s), TL_OK);
	assert_int_equal(s, TL_VSCHEME_GENERIC);
	assert_int_equal(tl_version_scheme_parse("Deb", &s), TL_EINVAL);
	assert_int_equal(tl_version_scheme_parse("", &s), TL_EINVAL);
	assert_non_null(strstr(tl_error_last(), "unknown version scheme"));
	assert_string_equal(tl_version_scheme_name(TL_VSCHEME_SEMVER), "semver");
}

/* Huge numbers compare by value, never overflowing. */
static void test_version__numbers_of_any_length(void **state)
{
	(void)state;
	assert_int_equal(cmp(TL_VSCHEME_DEB, "99999999999999999999999999998", "99999999999999999999999999999"), -1);
	assert_int_equal(cmp(TL_VSCHEME_DEB, "0000000000000000000000000000001", "1"), 0);
	assert_int_equal(cmp(TL_VSCHEME_RPM, "18446744073709551617", "18446744073709551616"), 1);
	assert_int_equal(cmp(TL_VSCHEME_APK, "18446744073709551617", "18446744073709551616"), 1);
	assert_int_equal(cmp(TL_VSCHEME_GENERIC, "1.18446744073709551617", "1.18446744073709551616"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version__corpus_every_line_passes),
		cmocka_unit_test(test_version__deb_agrees_with_dpkg),
		cmocka_unit_test(test_version__deb_policy_rules),
		cmocka_unit_test(test_version__rpm_rules),
		cmocka_unit_test(test_version__semver_precedence),
		cmocka_unit_test(test_version__apk_rules),
		cmocka_unit_test(test_version__generic_upstream),
		cmocka_unit_test(test_version__generic_orders_openssl_releases),
		cmocka_unit_test(test_version__invalid_versions_are_parse_errors),
		cmocka_unit_test(test_version__limits_and_arguments),
		cmocka_unit_test(test_version__numbers_of_any_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
