/*
 * RPM versions: [epoch ":"] version ["-" release], compared as rpm does
 * (rpmvercmp on each part).
 *
 *   evr      = [epoch ":"] version ["-" release]
 *   epoch    = 1*DIGIT            only when the leading digits end in ":";
 *                                 otherwise a ":" is part of the version
 *   version  = 1*CHAR            up to the last "-" after the epoch
 *   release  = *CHAR             after that "-"; may be empty ("1-")
 *   CHAR     = any byte but NUL, ASCII controls (0x00-0x1f, 0x7f) and space
 *
 * rpmvercmp: bytes other than ASCII letters, digits, '~' and '^' only
 * separate segments (so non-ASCII text compares equal to nothing).  Then
 * repeatedly: '~' sorts before anything, even the end; '^' sorts after
 * the end but before anything else; otherwise a segment is the longest
 * run of digits or of letters; digits beat letters, numbers compare by
 * value, letters by ASCII; when one side runs out first it is older.
 *
 * Epochs compare by value (absent = 0).  A release is compared only when
 * both have one; a version without a release sorts before the same
 * version with any release ("1" < "1-0" and "1" < "1-").
 */
#include <string.h>

#include "version_int.h"

typedef struct {
	const char *epoch;
	size_t epoch_len; /* 0: absent */
	const char *ver;
	size_t ver_len;
	const char *rel; /* NULL: absent */
	size_t rel_len;
} rpmver;

static tl_err rpm_parse(rpmver *r, const char *v)
{
	const char *p, *hyphen;
	size_t n = strlen(v);

	memset(r, 0, sizeof(*r));
	for (p = v; *p; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return tl__version_error("rpm", v, (size_t)(p - v),
			                         "control character or space (not allowed in a version)");
	}
	if (n == 0)
		return tl__version_error("rpm", v, 0, "empty version");
	for (p = v; tl__isdigit(*p); p++)
		;
	r->ver = v;
	if (*p == ':') {
		r->epoch = v;
		r->epoch_len = (size_t)(p - v);
		r->ver = p + 1;
	}
	hyphen = strrchr(r->ver, '-');
	r->ver_len = (size_t)(v + n - r->ver);
	if (hyphen) {
		r->ver_len = (size_t)(hyphen - r->ver);
		r->rel = hyphen + 1;
		r->rel_len = (size_t)(v + n - r->rel);
	}
	if (r->ver_len == 0)
		return tl__version_error("rpm", v, (size_t)(r->ver - v), "empty version (expected a version before '-' or after ':')");
	return TL_OK;
}

static int is_seg(int c)
{
	return tl__isalnum(c) || c == '~' || c == '^';
}

/* rpmvercmp over a .. a+alen and b .. b+blen. */
static int rpm_vercmp(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;

	if (alen == blen && memcmp(a, b, alen) == 0)
		return 0;
	while (a < ae || b < be) {
		const char *sa, *sb;
		int num, c;

		while (a < ae && !is_seg(*a))
			a++;
		while (b < be && !is_seg(*b))
			b++;
		if ((a < ae && *a == '~') || (b < be && *b == '~')) {
			if (a >= ae || *a != '~')
				return 1;
			if (b >= be || *b != '~')
				return -1;
			a++;
			b++;
			continue;
		}
		if ((a < ae && *a == '^') || (b < be && *b == '^')) {
			if (a >= ae)
				return -1;
			if (b >= be)
				return 1;
			if (*a != '^')
				return 1;
			if (*b != '^')
				return -1;
			a++;
			b++;
			continue;
		}
		if (a >= ae || b >= be)
			break;
		sa = a;
		sb = b;
		num = tl__isdigit(*a);
		if (num) {
			while (a < ae && tl__isdigit(*a))
				a++;
			while (b < be && tl__isdigit(*b))
				b++;
		} else {
			while (a < ae && tl__isalpha(*a))
				a++;
			while (b < be && tl__isalpha(*b))
				b++;
		}
		if (b == sb) /* different kinds: the number is newer */
			return num ? 1 : -1;
		if (num)
			c = tl__version_cmp_digits(sa, (size_t)(a - sa), sb, (size_t)(b - sb));
		else
			c = tl__version_cmp_bytes(sa, (size_t)(a - sa), sb, (size_t)(b - sb));
		if (c != 0)
			return c;
	}
	if (a >= ae && b >= be)
		return 0;
	return a >= ae ? -1 : 1;
}

tl_err tl__version_cmp_rpm(int *out, const char *a, const char *b)
{
	rpmver ra, rb;
	tl_err err;
	int c;

	if ((err = rpm_parse(&ra, a)) != TL_OK || (err = rpm_parse(&rb, b)) != TL_OK)
		return err;
	c = tl__version_cmp_digits(ra.epoch ? ra.epoch : "0", ra.epoch ? ra.epoch_len : 1,
	                           rb.epoch ? rb.epoch : "0", rb.epoch ? rb.epoch_len : 1);
	if (c == 0)
		c = rpm_vercmp(ra.ver, ra.ver_len, rb.ver, rb.ver_len);
	if (c == 0 && (ra.rel || rb.rel)) {
		if (!ra.rel || !rb.rel)
			c = ra.rel ? 1 : -1;
		else
			c = rpm_vercmp(ra.rel, ra.rel_len, rb.rel, rb.rel_len);
	}
	*out = c;
	return TL_OK;
}
