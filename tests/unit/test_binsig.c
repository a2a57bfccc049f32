/*
 * Binary version signatures (src/scan/binsig.c, binsig_table.c).
 *
 * Every row of the table is checked against real Debian 12 binaries: the
 * package is fetched with `apt-get download` into a cache next to the build
 * ($TL_BINSIG_CACHE), unpacked with `dpkg-deb -x`, every ELF file in it is
 * matched, and each version found must equal the upstream part of the
 * package's own Version field (`dpkg-deb -f`: epoch, Debian revision and a
 * +dfsg/+ds repack suffix removed).  Without apt-get or the network the
 * Debian cases are skipped, never passed.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "scan/scan_int.h"

static tl__binsig *bs;

static int setup(void **state)
{
	(void)state;
	return tl__binsig_new(&bs) == TL_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tl__binsig_free(bs);
	bs = NULL;
	return 0;
}

static void free_hits(tl__binsig_hit *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tl__binsig_hit_dispose(&h[i]);
	free(h);
}

/* The version row `name` reports over data, or NULL. */
static char *match_one(const char *name, const void *data, size_t len)
{
	tl__binsig_hit *h = NULL;
	size_t n = 0;
	char *v = NULL;

	assert_int_equal(tl__binsig_match(bs, data, len, &h, &n), TL_OK);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(tl__binsig_defs[h[i].sig].name, name) && h[i].version && !v)
			v = strdup(h[i].version);
	}
	free_hits(h, n);
	return v;
}

/* ---- synthetic inputs: the version comes from the bytes we wrote ---- */

static void test_binsig__strong_reads_the_version(void **state)
{
	static const char in[] = "\x7f" "ELF junk\0BusyBox v1.36.1 (2024-01-01) multi-call binary.\0tail";
	char *v = match_one("busybox", in, sizeof(in) - 1);

	(void)state;
	assert_non_null(v);
	assert_string_equal(v, "1.36.1");
	free(v);
}

static void test_binsig__truncated_version_is_not_reported(void **state)
{
	static const char in[] = "xx\0BusyBox v1.36";
	char *v = match_one("busybox", in, sizeof(in) - 1);

	(void)state;
	assert_null(v);
}

static void test_binsig__no_match_in_random_bytes(void **state)
{
	uint8_t buf[65536];
	tl__binsig_hit *h = NULL;
	size_t n = 0;
	uint32_t x = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	assert_int_equal(tl__binsig_match(bs, buf, sizeof(buf), &h, &n), TL_OK);
	assert_int_equal(n, 0);
	free_hits(h, n);
}

static void test_binsig__near_takes_the_nearest_candidate(void **state)
{
	/* mosquitto: "2.0.18" right before the anchor, another version further away */
	static const char in[] = "\0" "9.9.9\0padding padding padding padding padding\0" "2.0.18\0mosquitto version %s\n\0x";
	char *v = match_one("mosquitto", in, sizeof(in) - 1);

	(void)state;
	assert_non_null(v);
	assert_string_equal(v, "2.0.18");
	free(v);
}

static void test_binsig__near_without_candidate_reports_nothing(void **state)
{
	static const char in[] = "abc\0mosquitto version %s\n\0no version here";
	char *v = match_one("mosquitto", in, sizeof(in) - 1);

	(void)state;
	assert_null(v);
}

static void test_binsig__numjoin_drops_leading_zeros(void **state)
{
	static const char in[] = "::21000\0\0\0xmlGetGlobalState: out of memory\0";
	char *v = match_one("libxml2", in, sizeof(in) - 1);

	(void)state;
	assert_non_null(v);
	assert_string_equal(v, "2.10.0");
	free(v);
}

static void test_binsig__kernel_release_pins_only_plain_versions(void **state)
{
	static const char plain[] = "\0vermagic=5.15.0 SMP mod_unload \0";
	static const char deb[] = "\0vermagic=6.1.0-28-amd64 SMP preempt mod_unload modversions \0";
	tl__binsig_hit *h = NULL;
	size_t n = 0;
	char *v = match_one("linux", plain, sizeof(plain) - 1);

	(void)state;
	assert_non_null(v);
	assert_string_equal(v, "5.15.0");
	free(v);
	assert_int_equal(tl__binsig_match(bs, (const uint8_t *)deb, sizeof(deb) - 1, &h, &n), TL_OK);
	assert_int_equal(n, 1);
	assert_null(h[0].version);
	assert_non_null(h[0].release);
	assert_string_equal(h[0].release, "6.1.0-28-amd64");
	free_hits(h, n);
}

static void test_binsig__evidence_offset_points_at_the_text(void **state)
{
	static const char in[] = "0123456789\0lighttpd/1.4.76 (ssl)\0";
	tl__binsig_hit *h = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(tl__binsig_match(bs, (const uint8_t *)in, sizeof(in) - 1, &h, &n), TL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].offset, (uint64_t)(strstr(in + 11, "lighttpd") - in));
	assert_memory_equal(h[0].text, "lighttpd/1.4.76", 15);
	free_hits(h, n);
}

/* ---- real Debian binaries ---------------------------------------------- */

typedef struct {
	const char *pkg;  /* Debian package; "@meta" follows a metapackage's Depends */
	const char *name; /* the row name that must find it */
} deb_case;

static const deb_case cases[] = {
	{ "busybox-static", "busybox" },
	{ "libssl3", "openssl" },
	{ "libcurl4", "curl" },
	{ "zlib1g", "zlib" },
	{ "dropbear-bin", "dropbear" },
	{ "dnsmasq-base", "dnsmasq" },
	{ "lighttpd", "lighttpd" },
	{ "libsqlite3-0", "sqlite" },
	{ "libc6", "glibc" },
	{ "musl", "musl" },
	{ "openssh-server", "openssh" },
	{ "hostapd", "hostapd" },
	{ "wpasupplicant", "wpa_supplicant" },
	{ "libmbedcrypto7", "mbedtls" },
	{ "libwolfssl35", "wolfssl" },
	{ "libgnutls30", "gnutls" },
	{ "libxml2", "libxml2" },
	{ "libexpat1", "expat" },
	{ "libpng16-16", "libpng" },
	{ "libjpeg62-turbo", "libjpeg-turbo" },
	{ "libpcre3", "pcre" },
	{ "libpcre2-8-0", "pcre2" },
	{ "liblua5.4-0", "lua" },
	{ "bash", "bash" },
	{ "iptables", "iptables" },
	{ "iproute2", "iproute2" },
	{ "mosquitto", "mosquitto" },
	{ "avahi-daemon", "avahi" },
	{ "nginx", "nginx" },
	{ "u-boot-tools", "u-boot" },
	{ "libtinfo6", "ncurses" },
	{ "openvpn", "openvpn" },
	{ "ppp", "ppp" },
	{ "chrony", "chrony" },
	{ "ntpsec", "ntpsec" },
	{ "miniupnpd-nftables", "miniupnpd" },
	{ "samba-libs", "samba" },
	{ "libjson-c5", "json-c" },
	{ "xz-utils", "xz" },
	{ "zstd", "zstd" },
	{ "libpcap0.8", "libpcap" },
	{ "libgcrypt20", "libgcrypt" },
	{ "bsdutils", "util-linux" },
	{ "linux-image-cloud-amd64@meta", "linux" },
};

static char *cache_dir(void)
{
	const char *c = getenv("TL_BINSIG_CACHE");
	char *s;

	tl_buf cmd = TL_BUF_INIT;

	s = strdup(c && *c ? c : "binsig-debs");
	assert_non_null(s);
	/* the cache may be shared by several build directories: make its parents too */
	assert_int_equal(tl_buf_printf(&cmd, "mkdir -p '%s'", s), TL_OK);
	assert_int_equal(system(cmd.ptr), 0);
	tl_buf_dispose(&cmd);
	return s;
}

/* Runs cmd and returns its first output line (trailing newline cut), or NULL. */
static char *run_line(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char line[4096];
	char *out = NULL;

	if (!p)
		return NULL;
	if (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		out = strdup(line);
	}
	pclose(p);
	return out;
}

/* Path of the cached .deb of pkg, downloading it if needed; NULL if unavailable. */
static char *fetch_deb(const char *cache, const char *pkg)
{
	tl_buf cmd = TL_BUF_INIT;
	char *path;

	assert_int_equal(tl_buf_printf(&cmd, "ls %s/%s_*.deb 2>/dev/null | head -1", cache, pkg), TL_OK);
	path = run_line(cmd.ptr);
	if (!path || !*path) {
		free(path);
		tl_buf_clear(&cmd);
		assert_int_equal(tl_buf_printf(&cmd, "cd %s && apt-get download %s >/dev/null 2>&1", cache, pkg), TL_OK);
		if (system(cmd.ptr) != 0) {
			tl_buf_dispose(&cmd);
			return NULL;
		}
		tl_buf_clear(&cmd);
		assert_int_equal(tl_buf_printf(&cmd, "ls %s/%s_*.deb 2>/dev/null | head -1", cache, pkg), TL_OK);
		path = run_line(cmd.ptr);
	}
	tl_buf_dispose(&cmd);
	if (path && !*path) {
		free(path);
		path = NULL;
	}
	return path;
}

static char *deb_field(const char *deb, const char *field)
{
	tl_buf cmd = TL_BUF_INIT;
	char *v;

	assert_int_equal(tl_buf_printf(&cmd, "dpkg-deb -f '%s' %s", deb, field), TL_OK);
	v = run_line(cmd.ptr);
	tl_buf_dispose(&cmd);
	return v;
}

/* The upstream part of a Debian version: no epoch, revision or repack suffix. */
static char *upstream(const char *debver)
{
	const char *colon = strchr(debver, ':');
	const char *s = colon ? colon + 1 : debver;
	const char *dash = strrchr(s, '-');
	size_t n = dash ? (size_t)(dash - s) : strlen(s);
	char *u = strndup(s, n);
	static const char *const repack[] = { "+dfsg", ".dfsg", "~dfsg", "+ds", "~ds" };

	assert_non_null(u);
	for (size_t i = 0; i < sizeof(repack) / sizeof(repack[0]); i++) {
		char *p = strstr(u, repack[i]);
		if (p)
			*p = '\0';
	}
	return u;
}

typedef struct {
	const char *name;
	const char *expect;       /* upstream version, or NULL: kernel (release expected) */
	const char *release;      /* kernel: the expected release */
	size_t found, wrong;
	bool *rows;               /* rows that identified something */
} walk_ctx;

static void walk(const char *dir, walk_ctx *w)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		tl_buf p = TL_BUF_INIT;
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		assert_int_equal(tl_buf_printf(&p, "%s/%s", dir, de->d_name), TL_OK);
		if (lstat(p.ptr, &st) == 0 && S_ISDIR(st.st_mode)) {
			walk(p.ptr, w);
		} else if (S_ISREG(st.st_mode) && st.st_size >= 4) {
			tl_buf f = TL_BUF_INIT;
			const uint8_t *data;
			size_t len;
			if (tl_file_read(&f, p.ptr, (size_t)1 << 30) == TL_OK && f.len >= 4 && !memcmp(f.ptr, "\x7f" "ELF", 4)) {
				tl__binsig_hit *h = NULL;
				size_t n = 0;
				data = (const uint8_t *)f.ptr;
				len = f.len;
				assert_int_equal(tl__binsig_match(bs, data, len, &h, &n), TL_OK);
				for (size_t i = 0; i < n; i++) {
					if (strcmp(tl__binsig_defs[h[i].sig].name, w->name))
						continue;
					w->rows[h[i].sig] = true;
					w->found++;
					if (w->expect && (!h[i].version || strcmp(h[i].version, w->expect))) {
						print_message("%s: %s: got %s, expected %s (%s)\n", p.ptr, w->name,
						              h[i].version ? h[i].version : "(none)", w->expect, h[i].text);
						w->wrong++;
					}
					if (!w->expect && (!h[i].release || strcmp(h[i].release, w->release))) {
						print_message("%s: release %s, expected %s\n", p.ptr,
						              h[i].release ? h[i].release : "(none)", w->release);
						w->wrong++;
					}
				}
				free_hits(h, n);
			}
			tl_buf_dispose(&f);
		}
		tl_buf_dispose(&p);
	}
	closedir(d);
}

static void test_binsig__every_signature_on_debian_binaries(void **state)
{
	char *cache = cache_dir();
	bool *rows = calloc(tl__binsig_n_defs, sizeof(bool));
	size_t skipped = 0, failed = 0;

	(void)state;
	assert_non_null(rows);
	if (system("command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null") != 0) {
		free(rows);
		free(cache);
		skip();
	}
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char pkg[128];
		const char *at = strchr(cases[c].pkg, '@');
		char *deb, *ver, *tmp, *release = NULL;
		char tmpl[] = "/tmp/test_binsig.XXXXXX";
		tl_buf cmd = TL_BUF_INIT;
		walk_ctx w = { 0 };

		snprintf(pkg, sizeof(pkg), "%.*s", at ? (int)(at - cases[c].pkg) : (int)strlen(cases[c].pkg), cases[c].pkg);
		if (!(deb = fetch_deb(cache, pkg))) {
			print_message("%s: not available (apt-get download failed)\n", pkg);
			skipped++;
			continue;
		}
		if (at) {
			/* a metapackage: the real package is its first dependency */
			char *dep = deb_field(deb, "Depends");
			assert_non_null(dep);
			dep[strcspn(dep, " ,(")] = '\0';
			free(deb);
			if (!(deb = fetch_deb(cache, dep))) {
				free(dep);
				skipped++;
				continue;
			}
			/* linux-image-<release>: what vermagic says */
			assert_true(!strncmp(dep, "linux-image-", 12));
			release = strdup(dep + 12);
			free(dep);
		}
		ver = deb_field(deb, "Version");
		assert_non_null(ver);
		assert_non_null(tmp = mkdtemp(tmpl));
		assert_int_equal(tl_buf_printf(&cmd, "dpkg-deb -x '%s' '%s'", deb, tmp), TL_OK);
		assert_int_equal(system(cmd.ptr), 0);
		w.name = cases[c].name;
		w.expect = release ? NULL : upstream(ver);
		w.release = release;
		w.rows = rows;
		walk(tmp, &w);
		print_message("%-30s %-16s %-24s found %zu, wrong %zu\n", pkg, cases[c].name,
		              release ? release : w.expect, w.found, w.wrong);
		if (w.found == 0 || w.wrong)
			failed++;
		tl_buf_clear(&cmd);
		assert_int_equal(tl_buf_printf(&cmd, "rm -rf '%s'", tmp), TL_OK);
		assert_int_equal(system(cmd.ptr), 0);
		tl_buf_dispose(&cmd);
		free((char *)w.expect);
		free(release);
		free(ver);
		free(deb);
	}
	assert_int_equal(failed, 0);
	if (skipped) {
		free(rows);
		free(cache);
		skip();
	}
	/* every row of the table found its component in some real binary;
	 * Debian ships no uClibc-ng binary (test_binsig__uclibc_ng_from_its_source) */
	for (size_t i = 0; i < tl__binsig_n_defs; i++)
		rows[i] = rows[i] || !strcmp(tl__binsig_defs[i].name, "uclibc-ng");
	for (size_t i = 0; i < tl__binsig_n_defs; i++) {
		if (!rows[i])
			print_message("row %zu (%s: %s) matched no Debian binary\n", i, tl__binsig_defs[i].name,
			              tl__binsig_defs[i].re);
	}
	for (size_t i = 0; i < tl__binsig_n_defs; i++)
		assert_true(rows[i]);
	free(rows);
	free(cache);
}

/*
 * uClibc-ng: Debian ships its source (uclibc-source), no binary of it.  The
 * two files whose strings the signatures read, libc/misc/internals/version.c
 * and libc/unistd/confstr.c, are compiled here from that source with the
 * version numbers of its Rules.mak (what the build's conf-header.sh turns
 * into __UCLIBC_MAJOR__ and friends), and each object must give exactly
 * that version.  This checks the strings as the source defines them, not a
 * uClibc-ng library as a cross toolchain links it.
 */
static void test_binsig__uclibc_ng_from_its_source(void **state)
{
	char *cache = cache_dir(), *deb = NULL, *tmp, *ver = NULL;
	char tmpl[] = "/tmp/test_binsig_uc.XXXXXX";
	tl_buf cmd = TL_BUF_INIT;
	static const char *const objs[] = { "version.o", "confstr.o" };

	(void)state;
	if (system("command -v apt-get >/dev/null && command -v cc >/dev/null") != 0 ||
	    !(deb = fetch_deb(cache, "uclibc-source"))) {
		free(cache);
		skip();
	}
	{
		/* the commands below run in the temporary directory */
		char *abs = realpath(deb, NULL);
		assert_non_null(abs);
		free(deb);
		deb = abs;
	}
	assert_non_null(tmp = mkdtemp(tmpl));
	assert_int_equal(tl_buf_printf(&cmd,
	                               "set -e; cd '%s'; dpkg-deb -x '%s' x; tar -xJf x/usr/src/uClibc-ng-*.tar.xz; "
	                               "cd uClibc-ng-*/; "
	                               "M=$(awk '$1==\"MAJOR_VERSION\"{print $3}' Rules.mak); "
	                               "m=$(awk '$1==\"MINOR_VERSION\"{print $3}' Rules.mak); "
	                               "s=$(awk '$1==\"SUBLEVEL\"{print $3}' Rules.mak); echo $M.$m.$s >../version; "
	                               "D=\"-D__UCLIBC_MAJOR__=$M -D__UCLIBC_MINOR__=$m -D__UCLIBC_SUBLEVEL__=$s\"; "
	                               "cc -c -O2 -w -Ilibc/misc/internals $D '-D__stringify_1(x)=#x' "
	                               "'-D__stringify(x)=__stringify_1(x)' -Dattribute_hidden= '-Dweak_alias(n,a)=' "
	                               "libc/misc/internals/version.c -o ../version.o; "
	                               "cc -c -O2 -w $D '-D__stringify_1(x)=#x' '-D__stringify(x)=__stringify_1(x)' "
	                               "-D__UCLIBC_HAS_THREADS__ -D__UCLIBC_HAS_THREADS_NATIVE__ "
	                               "'-D__set_errno(v)=(errno=(v))' libc/unistd/confstr.c -o ../confstr.o",
	                               tmp, deb),
	                 TL_OK);
	assert_int_equal(system(cmd.ptr), 0);
	tl_buf_clear(&cmd);
	assert_int_equal(tl_buf_printf(&cmd, "cat '%s/version'", tmp), TL_OK);
	assert_non_null(ver = run_line(cmd.ptr));
	assert_non_null(strchr(ver, '.'));
	for (size_t i = 0; i < 2; i++) {
		tl_buf f = TL_BUF_INIT, p = TL_BUF_INIT;
		char *got;
		assert_int_equal(tl_buf_printf(&p, "%s/%s", tmp, objs[i]), TL_OK);
		assert_int_equal(tl_file_read(&f, p.ptr, 0), TL_OK);
		got = match_one("uclibc-ng", f.ptr, f.len);
		print_message("uClibc-ng %s from %s: %s\n", ver, objs[i], got ? got : "(none)");
		assert_non_null(got);
		assert_string_equal(got, ver);
		free(got);
		tl_buf_dispose(&f);
		tl_buf_dispose(&p);
	}
	/* glibc's confstr string has two parts: not uClibc-ng */
	assert_null(match_one("uclibc-ng", "\0NPTL 2.36\0", 11));
	tl_buf_clear(&cmd);
	assert_int_equal(tl_buf_printf(&cmd, "rm -rf '%s'", tmp), TL_OK);
	assert_int_equal(system(cmd.ptr), 0);
	tl_buf_dispose(&cmd);
	free(ver);
	free(deb);
	free(cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binsig__strong_reads_the_version),
		cmocka_unit_test(test_binsig__truncated_version_is_not_reported),
		cmocka_unit_test(test_binsig__no_match_in_random_bytes),
		cmocka_unit_test(test_binsig__near_takes_the_nearest_candidate),
		cmocka_unit_test(test_binsig__near_without_candidate_reports_nothing),
		cmocka_unit_test(test_binsig__numjoin_drops_leading_zeros),
		cmocka_unit_test(test_binsig__kernel_release_pins_only_plain_versions),
		cmocka_unit_test(test_binsig__evidence_offset_points_at_the_text),
		cmocka_unit_test(test_binsig__every_signature_on_debian_binaries),
		cmocka_unit_test(test_binsig__uclibc_ng_from_its_source),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
