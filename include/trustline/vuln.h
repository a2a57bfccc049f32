/*
 * trustline: known vulnerabilities.  For now, the version comparators
 * that vulnerability ranges are decided with.
 */
#ifndef TRUSTLINE_VULN_H
#define TRUSTLINE_VULN_H

#include "trustline/common.h"

/*
 * Version schemes.  Each follows its specification (docs/versions.md):
 *   TL_VSCHEME_DEB     Debian Policy 5.6.12, as dpkg --compare-versions
 *   TL_VSCHEME_APK     Alpine apk-tools, as apk version -t
 *   TL_VSCHEME_RPM     rpmvercmp over [epoch:]version[-release]
 *   TL_VSCHEME_SEMVER  SemVer 2.0.0 section 11 precedence
 *   TL_VSCHEME_GENERIC upstream versions as NVD ranges use them
 *                      (1.1.1w, 7.88.1, 2022.83, 1.0.2k-fips)
 */
typedef enum {
	TL_VSCHEME_DEB,
	TL_VSCHEME_APK,
	TL_VSCHEME_RPM,
	TL_VSCHEME_SEMVER,
	TL_VSCHEME_GENERIC,
} tl_version_scheme;

/* Longest version string accepted, in bytes (TL_ELIMIT beyond). */
#define TL_VERSION_MAX_LEN 1024

/*
 * Parses a scheme name ("deb", "apk", "rpm", "semver", "generic"; also
 * "debian", "dpkg", "alpine", "redhat") into *out.  name is borrowed.
 * Returns TL_OK, or TL_EINVAL for an unknown name.
 */
TL_EXTERN tl_err tl_version_scheme_parse(const char *name, tl_version_scheme *out);

/* The canonical name of a scheme ("deb", ...), or "?" for an unknown value. */
TL_EXTERN const char *tl_version_scheme_name(tl_version_scheme s);

/*
 * Compares versions a and b (both borrowed, NUL-terminated) under scheme s
 * and sets *out to a negative number, 0 or a positive number as a sorts
 * before, equal to or after b.  *out is only written on success.
 * Returns TL_OK; TL_EPARSE when a or b is not a valid version in that
 * scheme (the message names the version, the offset and what was
 * expected); TL_ELIMIT when one is longer than TL_VERSION_MAX_LEN;
 * TL_EINVAL for a NULL argument or an unknown scheme.
 */
TL_EXTERN tl_err tl_version_compare(int *out, tl_version_scheme s, const char *a, const char *b);

/*
 * Checks that v (borrowed) is a valid version in scheme s.  Returns TL_OK
 * or the errors of tl_version_compare.
 */
TL_EXTERN tl_err tl_version_check(tl_version_scheme s, const char *v);

#endif
