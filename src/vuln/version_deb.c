/*
 * Debian package versions, Debian Policy 5.6.12 (dpkg --compare-versions).
 *
 *   version   = [epoch ":"] upstream ["-" revision]
 *   epoch     = 1*DIGIT                  value 0 .. 2147483647, as dpkg
 *   upstream  = 1*(ALNUM / "." / "+" / "~" / "-" / ":")
 *               "-" only when a revision follows (the revision starts
 *               after the last "-"); ":" only when an epoch is given
 *   revision  = 1*(ALNUM / "." / "+" / "~")
 *
 * Policy says upstream "should start with a digit"; dpkg only warns, and
 * so this accepts it.  Whitespace, other characters, an empty epoch,
 * upstream or revision are errors.
 *
 * Comparison: epochs by value (absent = 0), then upstream, then revision
 * (absent = "0"), each by the Policy algorithm: alternately the longest
 * non-digit prefix, compared character by character where '~' sorts
 * before everything, even the end, then letters, then the end-free rest
 * (non-letters) after all letters; and the longest digit prefix by value
 * (absent = 0).
 */
#include <string.h>

#include "version_int.h"

typedef struct {
	const char *epoch;
	size_t epoch_len; /* 0: absent */
	const char *up;
	size_t up_len;
	const char *rev;
	size_t rev_len; /* 0: absent */
} debver;

static int is_upstream_char(int c)
{
	return tl__isalnum(c) || c == '.' || c == '+' || c == '~' || c == '-' || c == ':';
}

static tl_err deb_parse(debver *d, const char *v)
{
	const char *colon = strchr(v, ':'), *hyphen = strrchr(v, '-'), *p;
	size_t n = strlen(v);
	uint64_t epoch = 0;

	memset(d, 0, sizeof(*d));
	if (n == 0)
		return tl__version_error("deb", v, 0, "empty version");
	d->up = v;
	if (colon) {
		if (colon == v)
			return tl__version_error("deb", v, 0, "empty epoch before ':'");
		for (p = v; p < colon; p++) {
			if (!tl__isdigit(*p))
				return tl__version_error("deb", v, (size_t)(p - v), "epoch is not a number");
			epoch = epoch * 10 + (uint64_t)(*p - '0');
			if (epoch > 2147483647u)
				return tl__version_error("deb", v, 0, "epoch larger than 2147483647");
		}
		d->epoch = v;
		d->epoch_len = (size_t)(colon - v);
		d->up = colon + 1;
	}
	d->up_len = (size_t)(v + n - d->up);
	if (hyphen && hyphen >= d->up) {
		d->rev = hyphen + 1;
		d->rev_len = (size_t)(v + n - d->rev);
		d->up_len = (size_t)(hyphen - d->up);
		if (d->rev_len == 0)
			return tl__version_error("deb", v, n, "empty revision after '-'");
	}
	if (d->up_len == 0)
		return tl__version_error("deb", v, (size_t)(d->up - v), "empty upstream version");
	for (p = d->up; p < d->up + d->up_len; p++) {
		if (!is_upstream_char(*p))
			return tl__version_error("deb", v, (size_t)(p - v),
			                         "invalid character in upstream version (expected letters, digits, '.', '+', '~', '-' or ':')");
		if (*p == ':' && !d->epoch_len)
			return tl__version_error("deb", v, (size_t)(p - v), "':' in upstream version without an epoch");
	}
	for (p = d->rev; d->rev_len && p < d->rev + d->rev_len; p++) {
		if (!tl__isalnum(*p) && *p != '.' && *p != '+' && *p != '~')
			return tl__version_error("deb", v, (size_t)(p - v),
			                         "invalid character in revision (expected letters, digits, '.', '+' or '~')");
	}
	return TL_OK;
}

/* Sort weight of a character in a non-digit part; 0 is the end. */
static int weight(const char *p, const char *end)
{
	if (p >= end || tl__isdigit(*p))
		return 0;
	if (*p == '~')
		return -1;
	if (tl__isalpha(*p))
		return (unsigned char)*p;
	return (unsigned char)*p + 256;
}

/* The Policy comparison of two upstream versions or two revisions. */
static int deb_cmp_part(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;

	while (a < ae || b < be) {
		const char *da, *db;

		while ((a < ae && !tl__isdigit(*a)) || (b < be && !tl__isdigit(*b))) {
			int wa = weight(a, ae), wb = weight(b, be);
			if (wa != wb)
				return wa < wb ? -1 : 1;
			if (a < ae && !tl__isdigit(*a))
				a++;
			if (b < be && !tl__isdigit(*b))
				b++;
		}
		for (da = a; a < ae && tl__isdigit(*a); a++)
			;
		for (db = b; b < be && tl__isdigit(*b); b++)
			;
		int c = tl__version_cmp_digits(da, (size_t)(a - da), db, (size_t)(b - db));
		if (c != 0)
			return c;
	}
	return 0;
}

tl_err tl__version_cmp_deb(int *out, const char *a, const char *b)
{
	debver da, db;
	tl_err err;
	int c;

	if ((err = deb_parse(&da, a)) != TL_OK || (err = deb_parse(&db, b)) != TL_OK)
		return err;
	c = tl__version_cmp_digits(da.epoch ? da.epoch : "0", da.epoch ? da.epoch_len : 1,
	                           db.epoch ? db.epoch : "0", db.epoch ? db.epoch_len : 1);
	if (c == 0)
		c = deb_cmp_part(da.up, da.up_len, db.up, db.up_len);
	if (c == 0)
		c = deb_cmp_part(da.rev ? da.rev : "0", da.rev ? da.rev_len : 1,
		                 db.rev ? db.rev : "0", db.rev ? db.rev_len : 1);
	*out = c;
	return TL_OK;
}
