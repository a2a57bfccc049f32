/*
 * Version comparison: argument checks, dispatch to the scheme comparators,
 * shared helpers, and the generic comparator for upstream versions.
 *
 * Generic upstream versions (NVD ranges, CPE versions):
 *
 *   version   = ["v" | "V"] body ["+" build]     ("v" only before a digit)
 *   body      = 1*(token / separator), at least one token
 *   token     = 1*DIGIT / 1*ALPHA                 (maximal runs)
 *   separator = "." / "-" / "_" / "~"
 *   build     = *(ALNUM / "." / "-" / "_" / "~" / "+")   (ignored)
 *
 * Each token has a key; versions compare as their key sequences,
 * lexicographically, the shorter one padded with the key of 0:
 *
 *   pre-release word  dev < alpha < beta < pre = preview < rc = cr
 *   < number          by value at any length; absent = 0
 *   < other word      ASCII, case-insensitive ("1.1.1w" > "1.1.1t" > "1.1.1")
 *
 * The words ga, final, release, stable, lts and fips are dropped, so
 * "1.0.2k-fips" = "1.0.2k".  Separators only split tokens.  Limits: the
 * length limit of tl_version_compare; no allocation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "version_int.h"

int tl__version_cmp_digits(const char *a, size_t alen, const char *b, size_t blen)
{
	int c;

	while (alen > 0 && *a == '0') {
		a++;
		alen--;
	}
	while (blen > 0 && *b == '0') {
		b++;
		blen--;
	}
	if (alen != blen)
		return alen < blen ? -1 : 1;
	if (alen == 0)
		return 0;
	c = memcmp(a, b, alen);
	return (c > 0) - (c < 0);
}

int tl__version_cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return (c > 0) - (c < 0);
	return (alen > blen) - (alen < blen);
}

tl_err tl__version_error(const char *scheme, const char *v, size_t off, const char *fmt, ...)
{
	char shown[68], msg[256];
	size_t i, n = strlen(v);
	va_list ap;

	for (i = 0; i < n && i < 60; i++)
		shown[i] = (v[i] >= 0x20 && v[i] < 0x7f && v[i] != '"') ? v[i] : '?';
	if (n > 60) {
		memcpy(shown + i, "...", 3);
		i += 3;
	}
	shown[i] = '\0';
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tl__error(TL_EPARSE, "%s version \"%s\": offset %zu: %s", scheme, shown, off, msg);
}

tl_err tl_version_scheme_parse(const char *name, tl_version_scheme *out)
{
	static const struct {
		const char *name;
		tl_version_scheme s;
	} names[] = {
		{ "deb", TL_VSCHEME_DEB },         { "debian", TL_VSCHEME_DEB },
		{ "dpkg", TL_VSCHEME_DEB },        { "apk", TL_VSCHEME_APK },
		{ "alpine", TL_VSCHEME_APK },      { "rpm", TL_VSCHEME_RPM },
		{ "redhat", TL_VSCHEME_RPM },      { "semver", TL_VSCHEME_SEMVER },
		{ "generic", TL_VSCHEME_GENERIC },
	};

	if (!name || !out)
		return tl__error(TL_EINVAL, "tl_version_scheme_parse: NULL argument");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i].name) == 0) {
			*out = names[i].s;
			return TL_OK;
		}
	}
	return tl__error(TL_EINVAL, "unknown version scheme \"%.40s\" (expected deb, apk, rpm, semver or generic)",
	                 name);
}

const char *tl_version_scheme_name(tl_version_scheme s)
{
	switch (s) {
	case TL_VSCHEME_DEB: return "deb";
	case TL_VSCHEME_APK: return "apk";
	case TL_VSCHEME_RPM: return "rpm";
	case TL_VSCHEME_SEMVER: return "semver";
	case TL_VSCHEME_GENERIC: return "generic";
	}
	return "?";
}

static tl_err check_len(tl_version_scheme s, const char *v)
{
	size_t n = strnlen(v, TL_VERSION_MAX_LEN + 1);

	if (n > TL_VERSION_MAX_LEN)
		return tl__error(TL_ELIMIT, "%s version \"%.40s...\": longer than %d bytes",
		                 tl_version_scheme_name(s), v, TL_VERSION_MAX_LEN);
	return TL_OK;
}

tl_err tl_version_compare(int *out, tl_version_scheme s, const char *a, const char *b)
{
	tl_err err;

	if (!out || !a || !b)
		return tl__error(TL_EINVAL, "tl_version_compare: NULL argument");
	if ((err = check_len(s, a)) != TL_OK || (err = check_len(s, b)) != TL_OK)
		return err;
	switch (s) {
	case TL_VSCHEME_DEB: return tl__version_cmp_deb(out, a, b);
	case TL_VSCHEME_APK: return tl__version_cmp_apk(out, a, b);
	case TL_VSCHEME_RPM: return tl__version_cmp_rpm(out, a, b);
	case TL_VSCHEME_SEMVER: return tl__version_cmp_semver(out, a, b);
	case TL_VSCHEME_GENERIC: return tl__version_cmp_generic(out, a, b);
	}
	return tl__error(TL_EINVAL, "tl_version_compare: unknown scheme %d", (int)s);
}

tl_err tl_version_check(tl_version_scheme s, const char *v)
{
	int c;

	return tl_version_compare(&c, s, v, v);
}

/* ---- generic ---------------------------------------------------------- */

enum { KEY_PRE = 0, KEY_NUM = 1, KEY_WORD = 2 };

/* One token of a generic version, or the padding (number 0) at the end. */
typedef struct {
	int kind;          /* KEY_* */
	int rank;          /* KEY_PRE: dev 0 .. rc 4 */
	const char *p;     /* the token's bytes (KEY_NUM, KEY_WORD) */
	size_t len;
} gtoken;

/* Cursor over a validated generic version: p .. end is the body. */
typedef struct {
	const char *p, *end;
} gcursor;

static int is_gsep(int c)
{
	return c == '.' || c == '-' || c == '_' || c == '~';
}

static int word_is(const char *p, size_t len, const char *w)
{
	size_t i;

	for (i = 0; i < len && w[i]; i++) {
		int c = p[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != w[i])
			return 0;
	}
	return i == len && w[i] == '\0';
}

/* Validates a generic version and sets the cursor over its body. */
static tl_err generic_parse(gcursor *cur, const char *v)
{
	const char *p = v, *body;
	int tokens = 0;

	if ((*p == 'v' || *p == 'V') && tl__isdigit(p[1]))
		p++;
	body = p;
	for (; *p && *p != '+'; p++) {
		if (tl__isalnum(*p))
			tokens = 1;
		else if (!is_gsep(*p))
			return tl__version_error("generic", v, (size_t)(p - v),
			                         "invalid character (expected letters, digits, '.', '-', '_', '~' or '+')");
	}
	if (!tokens)
		return tl__version_error("generic", v, (size_t)(p - v), "expected a digit or letter before this");
	cur->p = body;
	cur->end = p;
	for (; *p; p++) {
		if (!tl__isalnum(*p) && !is_gsep(*p) && *p != '+')
			return tl__version_error("generic", v, (size_t)(p - v),
			                         "invalid character in build metadata");
	}
	return TL_OK;
}

/* Next token's key; the padding (number 0) once the body is consumed. */
static void generic_next(gcursor *cur, gtoken *t)
{
	static const struct {
		const char *w;
		int rank; /* -1: dropped */
	} words[] = {
		{ "dev", 0 },  { "snapshot", 0 }, { "alpha", 1 }, { "beta", 2 },    { "pre", 3 },
		{ "preview", 3 }, { "rc", 4 },     { "cr", 4 },    { "ga", -1 },     { "final", -1 },
		{ "release", -1 }, { "stable", -1 }, { "lts", -1 },  { "fips", -1 },
	};

	for (;;) {
		const char *s;
		size_t k;

		while (cur->p < cur->end && is_gsep(*cur->p))
			cur->p++;
		if (cur->p >= cur->end) {
			t->kind = KEY_NUM;
			t->p = "0";
			t->len = 1;
			return;
		}
		s = cur->p;
		if (tl__isdigit(*s)) {
			while (cur->p < cur->end && tl__isdigit(*cur->p))
				cur->p++;
			t->kind = KEY_NUM;
			t->p = s;
			t->len = (size_t)(cur->p - s);
			return;
		}
		while (cur->p < cur->end && tl__isalpha(*cur->p))
			cur->p++;
		t->kind = KEY_WORD;
		t->p = s;
		t->len = (size_t)(cur->p - s);
		for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
			if (word_is(s, t->len, words[k].w))
				break;
		}
		if (k == sizeof(words) / sizeof(words[0]))
			return;
		if (words[k].rank >= 0) {
			t->kind = KEY_PRE;
			t->rank = words[k].rank;
			return;
		}
		/* a dropped word: take the next token */
	}
}

static int generic_cmp_words(const gtoken *a, const gtoken *b)
{
	size_t n = a->len < b->len ? a->len : b->len;

	for (size_t i = 0; i < n; i++) {
		int ca = a->p[i], cb = b->p[i];
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return (a->len > b->len) - (a->len < b->len);
}

tl_err tl__version_cmp_generic(int *out, const char *a, const char *b)
{
	gcursor ca, cb;
	gtoken ta, tb;
	tl_err err;
	int c = 0;

	if ((err = generic_parse(&ca, a)) != TL_OK || (err = generic_parse(&cb, b)) != TL_OK)
		return err;
	while (c == 0 && (ca.p < ca.end || cb.p < cb.end)) {
		generic_next(&ca, &ta);
		generic_next(&cb, &tb);
		if (ta.kind != tb.kind)
			c = ta.kind < tb.kind ? -1 : 1;
		else if (ta.kind == KEY_PRE)
			c = (ta.rank > tb.rank) - (ta.rank < tb.rank);
		else if (ta.kind == KEY_NUM)
			c = tl__version_cmp_digits(ta.p, ta.len, tb.p, tb.len);
		else
			c = generic_cmp_words(&ta, &tb);
	}
	*out = c;
	return TL_OK;
}
