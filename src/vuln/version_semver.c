/*
 * Semantic Versioning 2.0.0, precedence as in section 11.
 *
 *   version    = ["v" / "V"] core ["-" pre] ["+" build]
 *   core       = num ["." num ["." num *("." 1*DIGIT)]]
 *   num        = "0" / (%x31-39 *DIGIT)         no leading zeros
 *   pre        = ident *("." ident)
 *   ident      = num / 1*(ALNUM / "-") with at least one non-digit
 *   build      = 1*(ALNUM / "-") *("." 1*(ALNUM / "-"))
 *
 * Three tolerances beyond the specification, all seen in real range data
 * (OSV SEMVER ranges start at "0") and documented in docs/versions.md: a
 * leading "v" (Git tags); a missing minor or patch number, counted as 0
 * ("1" = "1.0.0"); and further numeric components after the patch
 * ("1.1.3.4"), which count as build metadata, that is, are ignored.
 *
 * Precedence: major, minor, patch by value (any length); a version with
 * a pre-release sorts before the same version without; pre-releases
 * compare identifier by identifier, numbers by value, others in ASCII
 * order, numbers before others, and a shorter list first when it is a
 * prefix of the other.  Build metadata is ignored.
 */
#include <string.h>

#include "version_int.h"

typedef struct {
	const char *num[3];
	size_t num_len[3];
	const char *pre; /* NULL: none */
	size_t pre_len;
} semver;

/* Checks a numeric identifier at p .. p+len: digits, no leading zero. */
static tl_err check_num(const char *v, const char *p, size_t len, const char *what)
{
	if (len == 0)
		return tl__version_error("semver", v, (size_t)(p - v), "expected a %s number", what);
	if (len > 1 && p[0] == '0')
		return tl__version_error("semver", v, (size_t)(p - v), "leading zero in the %s number", what);
	return TL_OK;
}

/*
 * Checks dot-separated identifiers at p until a byte not in
 * ALNUM / "-" / "."; numeric ones must have no leading zero when
 * strict.  Sets *end past them.
 */
static tl_err check_idents(const char *v, const char *p, const char **end, int strict, const char *what)
{
	for (;;) {
		const char *s = p;
		int alpha = 0;

		while (tl__isalnum(*p) || *p == '-') {
			if (!tl__isdigit(*p))
				alpha = 1;
			p++;
		}
		if (p == s)
			return tl__version_error("semver", v, (size_t)(p - v), "empty %s identifier", what);
		if (strict && !alpha && p - s > 1 && *s == '0')
			return tl__version_error("semver", v, (size_t)(s - v),
			                         "leading zero in a numeric %s identifier", what);
		if (*p != '.')
			break;
		p++;
	}
	*end = p;
	return TL_OK;
}

static tl_err semver_parse(semver *sv, const char *v)
{
	static const char *names[3] = { "major", "minor", "patch" };
	const char *p = v;
	tl_err err;

	memset(sv, 0, sizeof(*sv));
	if (*p == 'v' || *p == 'V')
		p++;
	for (int i = 0; i < 3; i++) {
		const char *s = p;
		sv->num[i] = "0";
		sv->num_len[i] = 1;
		if (i > 0) {
			if (*p != '.')
				continue; /* tolerated: missing minor or patch, counted as 0 */
			s = ++p;
		}
		while (tl__isdigit(*p))
			p++;
		if ((err = check_num(v, s, (size_t)(p - s), names[i])) != TL_OK)
			return err;
		sv->num[i] = s;
		sv->num_len[i] = (size_t)(p - s);
	}
	/* tolerated: further numeric components, ignored as build metadata */
	while (*p == '.') {
		const char *s = ++p;
		while (tl__isdigit(*p))
			p++;
		if (p == s)
			return tl__version_error("semver", v, (size_t)(p - v), "expected a number after '.'");
	}
	if (*p == '-') {
		const char *s = ++p;
		if ((err = check_idents(v, p, &p, 1, "pre-release")) != TL_OK)
			return err;
		sv->pre = s;
		sv->pre_len = (size_t)(p - s);
	}
	if (*p == '+') {
		if ((err = check_idents(v, p + 1, &p, 0, "build")) != TL_OK)
			return err;
	}
	if (*p != '\0')
		return tl__version_error("semver", v, (size_t)(p - v),
		                         "unexpected character (expected '.', '-', '+' or the end)");
	return TL_OK;
}

static int all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!tl__isdigit(p[i]))
			return 0;
	}
	return 1;
}

static int cmp_pre(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;

	for (;;) {
		const char *sa = a, *sb = b;
		int na, nb, c;

		if (a >= ae || b >= be)
			return (a < ae) - (b < be);
		while (a < ae && *a != '.')
			a++;
		while (b < be && *b != '.')
			b++;
		na = all_digits(sa, (size_t)(a - sa));
		nb = all_digits(sb, (size_t)(b - sb));
		if (na != nb)
			return na ? -1 : 1;
		if (na)
			c = tl__version_cmp_digits(sa, (size_t)(a - sa), sb, (size_t)(b - sb));
		else
			c = tl__version_cmp_bytes(sa, (size_t)(a - sa), sb, (size_t)(b - sb));
		if (c != 0)
			return c;
		if (a < ae)
			a++;
		if (b < be)
			b++;
	}
}

tl_err tl__version_cmp_semver(int *out, const char *a, const char *b)
{
	semver sa, sb;
	tl_err err;
	int c = 0;

	if ((err = semver_parse(&sa, a)) != TL_OK || (err = semver_parse(&sb, b)) != TL_OK)
		return err;
	for (int i = 0; i < 3 && c == 0; i++)
		c = tl__version_cmp_digits(sa.num[i], sa.num_len[i], sb.num[i], sb.num_len[i]);
	if (c == 0 && (sa.pre || sb.pre)) {
		if (!sa.pre || !sb.pre)
			c = sa.pre ? -1 : 1;
		else
			c = cmp_pre(sa.pre, sa.pre_len, sb.pre, sb.pre_len);
	}
	*out = c;
	return TL_OK;
}
