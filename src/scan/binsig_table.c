/*
 * The binary version signatures: one row per way a component prints its
 * own version, written from the strings in the real binaries (Debian 12
 * packages, read with `strings -a`), never copied from another scanner.
 *
 *   kind    re                           ver
 *   strong  the version string itself,   NULL
 *           version in the capture groups
 *   near    an anchor string the          candidates (capture groups) looked
 *           component alone prints        for within `window` bytes of the
 *                                         anchor; the nearest one wins
 *
 * Rules every row follows (docs/binsig.md):
 * - every pattern ends on a byte that cannot continue the version (a NUL,
 *   a space, a fixed word), so the first match Hyperscan reports is whole;
 * - repeats are bounded (\d{1,4}), so a match is never longer than
 *   TL__BINSIG_MAX_MATCH bytes;
 * - the version is the capture groups joined with '.'; NUMJOIN reads each
 *   group as a decimal number (libxml2's "20914" is 2.9.14);
 * - a pattern that cannot pin the upstream version has no row.
 *
 * Vendor and product are NVD's CPE names.
 */
#include "scan/scan_int.h"

#define V3 "(\\d{1,4}\\.\\d{1,4}\\.\\d{1,4})"
#define V23 "(\\d{1,4}\\.\\d{1,4}(?:\\.\\d{1,4})?)"
#define LIB TL_COMP_LIBRARY
#define APP TL_COMP_APPLICATION
#define OS TL_COMP_OPERATING_SYSTEM

/* Candidates a near row looks for: a whole NUL-terminated dotted version. */
#define NUL_V3 "\\x00" V3 "\\x00"
#define NUL_V23 "\\x00" V23 "\\x00"

const tl__binsig_def tl__binsig_defs[] = {
	/* name, vendor, product, type, re, ver, window, confidence, flags */
	{ "busybox", "busybox", "busybox", APP, "BusyBox v" V3 "[ \\x00]", NULL, 0, 95, 0 },
	{ "openssl", "openssl", "openssl", LIB,
	  "OpenSSL (\\d{1,2}\\.\\d{1,2}\\.\\d{1,2}[a-z]{0,2}) {1,2}\\d{1,2} [A-Z][a-z]{2} \\d{4}\\x00", NULL, 0, 95, 0 },
	{ "curl", "haxx", "libcurl", LIB, "libcurl/" V3 "\\x00", NULL, 0, 95, 0 },
	{ "curl", "haxx", "libcurl", LIB, "CLIENT libcurl " V3 "\\r\\n", NULL, 0, 90, 0 },
	{ "zlib", "zlib", "zlib", LIB, "[di][en]flate (\\d{1,2}\\.\\d{1,2}(?:\\.\\d{1,2}){0,2}) Copyright 19", NULL, 0, 95, 0 },
	{ "dropbear", "dropbear_ssh_project", "dropbear_ssh", APP, "SSH-2\\.0-dropbear_(\\d{4}\\.\\d{1,3})\\x00", NULL, 0, 95,
	  0 },
	{ "dnsmasq", "thekelleys", "dnsmasq", APP, "\\x00dnsmasq-" V23 "\\x00", NULL, 0, 95, 0 },
	{ "lighttpd", "lighttpd", "lighttpd", APP, "lighttpd/" V3 "[ \\x00)]", NULL, 0, 95, 0 },
	/* sqlite3_version[] sits apart from the source id (date, time, hash) */
	{ "sqlite", "sqlite", "sqlite", LIB, "\\x00\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [0-9a-f]{40}",
	  "\\x00(3\\.\\d{1,2}\\.\\d{1,2})\\x00", 8192, 80, 0 },
	{ "glibc", "gnu", "glibc", LIB,
	  "GNU C Library \\([^)\\x00]{1,80}\\) (?:stable |development |)release version (\\d{1,2}\\.\\d{1,3}(?:\\.\\d{1,3})?)[.,]",
	  NULL, 0, 95, 0 },
	/* the dynamic loader's usage text; the version string follows its format */
	{ "musl", "musl-libc", "musl", LIB, "musl libc \\([a-z0-9_]{1,16}\\)\\nVersion %s\\n", NUL_V3, 16384, 75, 0 },
	/* uClibc-ng: libc/misc/internals/version.c's banner (RELEASE is
	 * "release"), and confstr(_CS_GNU_LIBPTHREAD_VERSION) with native
	 * threads; glibc's "NPTL 2.36" has no third part, and uClibc-ng
	 * counts from 1.0.0 (old uClibc ended at 0.9.33) */
	{ "uclibc-ng", "uclibc-ng_project", "uclibc-ng", LIB, "uClibc-ng [a-z]{1,16} release version " V3 "\\.\\n", NULL, 0,
	  95, 0 },
	{ "uclibc-ng", "uclibc-ng_project", "uclibc-ng", LIB, "NPTL (1\\.\\d{1,2}\\.\\d{1,3})\\x00", NULL, 0, 75, 0 },
	{ "openssh", "openbsd", "openssh", APP, "\\x00OpenSSH_(\\d{1,2}\\.\\d{1,2}p\\d{1,2})[ \\x00]", NULL, 0, 95, 0 },
	{ "hostapd", "w1.fi", "hostapd", APP, "hostapd_cli v" V23 "[\\x00\\n]", NULL, 0, 95, 0 },
	{ "hostapd", "w1.fi", "hostapd", APP, "Invalid BSS config identifier '%s'\\x00", NUL_V23, 64, 75, 0 },
	{ "wpa_supplicant", "w1.fi", "wpa_supplicant", APP, "wpa_(?:supplicant|cli) v" V23 "[\\x00\\n]", NULL, 0, 95, 0 },
	{ "mbedtls", "arm", "mbed_tls", LIB, "[Mm]bed TLS " V3 "\\x00", NULL, 0, 95, 0 },
	{ "wolfssl", "wolfssl", "wolfssl", LIB, "\\x00wolfSSL " V3 "\\x00", NULL, 0, 90, 0 },
	{ "gnutls", "gnu", "gnutls", LIB, "Enabled GnuTLS " V3 " logging", NULL, 0, 95, 0 },
	/* xmlParserVersion: "20914" right before this message */
	{ "libxml2", "xmlsoft", "libxml2", LIB, "xmlGetGlobalState: out of memory", "[^0-9](\\d)0?(\\d{1,2})(\\d\\d)\\x00", 64,
	  75, TL__BINSIG_NUMJOIN },
	{ "expat", "libexpat_project", "libexpat", LIB, "\\x00expat_" V3 "\\x00", NULL, 0, 95, 0 },
	{ "libpng", "libpng", "libpng", LIB, "libpng version " V3 "[ \\x00]", NULL, 0, 95, 0 },
	{ "libjpeg-turbo", "libjpeg-turbo", "libjpeg-turbo", LIB, "libjpeg-turbo version " V3 " \\(build", NULL, 0, 95, 0 },
	{ "pcre", "pcre", "pcre", LIB, "[^0-9.](8\\.\\d{2}) 20\\d\\d-\\d\\d-\\d\\d\\x00", NULL, 0, 70, 0 },
	{ "pcre2", "pcre", "pcre2", LIB, "[^0-9.](10\\.\\d{2}) 20\\d\\d-\\d\\d-\\d\\d\\x00", NULL, 0, 70, 0 },
	{ "lua", "lua", "lua", LIB, "\\$LuaVersion: Lua " V3 "  Copyright", NULL, 0, 95, 0 },
	{ "bash", "gnu", "bash", APP, "@\\(#\\)Bash version " V3 "\\(\\d{1,3}\\) ", NULL, 0, 95, 0 },
	{ "iptables", "netfilter", "iptables", APP, "\\x00" V3 " \\((?:legacy|nf_tables)\\)\\x00", NULL, 0, 90, 0 },
	/* ip(8): the version string sits next to its own usage message */
	{ "iproute2", "iproute2_project", "iproute2", APP, "try \"ip -help\"\\.\\n\\x00", NUL_V3, 64, 75, 0 },
	{ "mosquitto", "eclipse", "mosquitto", APP, "\\x00mosquitto version %s\\n", NUL_V3, 64, 80, 0 },
	{ "avahi", "avahi", "avahi", APP, "\\x00STATUS=%s (\\d{1,2}\\.\\d{1,2}(?:\\.\\d{1,2})?) starting up\\.\\x00", NULL, 0, 90, 0 },
	{ "nginx", "f5", "nginx", APP, "nginx/" V3 "[\\x00 ]", NULL, 0, 95, 0 },
	{ "u-boot", "denx", "u-boot", APP, "\\x00U-Boot mkimage %s\\x00", "\\x00(\\d{4}\\.\\d{2}(?:\\.\\d{1,2})?)\\x00", 64,
	  75, 0 },
	/* vermagic= of a kernel module: a release with a suffix ("6.1.0-28-amd64")
	 * does not pin the upstream version; binsig.c keeps it as a property */
	{ "linux", "linux", "linux_kernel", OS, "vermagic=" V3 "([^ \\x00]{0,64})[ \\x00]", NULL, 0, 80,
	  TL__BINSIG_KERNEL },
	{ "ncurses", "gnu", "ncurses", LIB, "\\x00ncurses (\\d{1,2}\\.\\d{1,2})\\.\\d{8}\\x00", NULL, 0, 90, 0 },
	{ "openvpn", "openvpn", "openvpn", APP, "\\x00show-pkcs11-slots\\x00", NUL_V3, 48, 70, 0 },
	{ "openvpn", "openvpn", "openvpn", APP, "\\x00OpenVPN " V3 " [a-z0-9_-]{1,40} ", NULL, 0, 90, 0 },
	{ "ppp", "point-to-point_protocol_project", "point-to-point_protocol", APP,
	  "(?:from pppd |pppd\\.so\\.|/pppd/)" V3 "[\\x00/ ]", NULL, 0, 85, 0 },
	{ "chrony", "tuxfamily", "chrony", APP, "\\x00/etc/chrony/chrony\\.conf\\x00--help\\x00--version\\x00" V23 "\\x00",
	  NULL, 0, 80, 0 },
	{ "ntpsec", "ntpsec", "ntpsec", APP, "\\x00ntpd ntpsec-%s\\x00", NUL_V3, 48, 80, 0 },
	{ "miniupnpd", "miniupnp_project", "miniupnpd", APP, "MiniUPnPd/" V23 "[\\x00 ]", NULL, 0, 95, 0 },
	/* SAMBA_VERSION_STRING with a vendor suffix, and the symbol version tag */
	{ "samba", "samba", "samba", LIB, "\\x00SAMBA_" V3 "(?:_[A-Z0-9_]{1,40})?\\x00", NULL, 0, 85, 0 },
	{ "json-c", "json-c", "json-c", LIB, "\\x00%ld\\x00%lu\\x00json-c aborts with error", "\\x00(0\\.\\d{1,2}(?:\\.\\d{1,2})?)\\x00",
	  96, 75, 0 },
	{ "xz", "tukaani", "xz", APP, "xz \\(XZ Utils\\) " V3 "\\x00", NULL, 0, 95, 0 },
	{ "zstd", "facebook", "zstandard", APP, "\\x00v" V3 "\\x00Zstandard CLI\\x00", NULL, 0, 90, 0 },
	{ "libpcap", "tcpdump", "libpcap", LIB, "libpcap version " V3 "[ \\x00]", NULL, 0, 95, 0 },
	{ "libgcrypt", "gnupg", "libgcrypt", LIB, "This is Libgcrypt " V3 " - ", NULL, 0, 95, 0 },
	{ "util-linux", "kernel", "util-linux", APP, "\\x00util-linux " V23 "\\x00", NULL, 0, 90, 0 },
};

const size_t tl__binsig_n_defs = sizeof(tl__binsig_defs) / sizeof(tl__binsig_defs[0]);
