/*
 * Alpine package versions (apk-tools), as "apk version -t" orders them.
 *
 *   version  = number *("." number) [letter [number ...]] *suffix
 *              ["~" hash] ["-r" revision]
 *   number   = 1*DIGIT
 *   letter   = %x61-7A                     one lower-case letter
 *   suffix   = "_" name *DIGIT
 *   name     = alpha / beta / pre / rc     (pre-releases, in this order)
 *            / cvs / svn / git / hg / p    (post-releases, in this order)
 *   hash     = 1*(DIGIT / %x61-66)
 *   revision = *DIGIT                      absent or empty = 0
 *
 * A letter may be followed by more digits ("6.6.2p1"): they continue the
 * dotted numbers, as apk reads them.
 *
 * apk also orders strings its validator rejects, and Alpine data holds
 * some ("1.2_blah", "0..8", "1-ruff").  So does this, by reading tokens
 * until one does not fit: an empty number (".1", "0..8", "0.r1") is an
 * "empty" token, and the rest of the string from the first byte that
 * fits nowhere is one "invalid" token, whatever it holds.  Only an empty
 * string, whitespace, control characters and non-ASCII bytes are errors.
 *
 * Comparison: token by token.  Tokens of the same kind compare by value:
 * the first number by value, later numbers by value unless either has a
 * leading zero, then as strings (so 1.05 < 1.5, as apk and Gentoo do);
 * letters and hashes as strings; suffixes by the order above, then their
 * numbers; revisions by value.  Two empty or two invalid tokens are
 * equal.  Where the kinds differ, the version whose token is higher in
 *
 *   invalid < empty < pre-release suffix < end < revision < hash
 *   < suffix number < post-release suffix < letter < number
 *
 * is the greater: so a longer version is newer unless what follows is a
 * pre-release suffix, and one that stops parsing is older.  A revision
 * of 0 is dropped, so "1" = "1-r0" = "1-r".
 */
#include <string.h>

#include "version_int.h"

/* Token kinds, in the order of the comparison above. */
enum {
	TK_INVALID,
	TK_EMPTY,
	TK_PRE,
	TK_END,
	TK_REV,
	TK_HASH,
	TK_SUFNUM,
	TK_POST,
	TK_LETTER,
	TK_NUM,
};

/* Where the tokenizer is: what the previous token allows next. */
enum { ST_NUM, ST_AFTER_NUM, ST_AFTER_LETTER, ST_AFTER_SUFFIX, ST_AFTER_SUFNUM, ST_AFTER_HASH,
       ST_AFTER_REV, ST_DONE };

typedef struct {
	const char *p; /* the rest of the version */
	int state;
	int index; /* number of tokens so far */
} apkscan;

typedef struct {
	int kind;
	int rank;      /* suffixes: their place in the order */
	int first;     /* TK_NUM: the very first token */
	const char *v; /* value bytes */
	size_t len;
} apktok;

static const char *const suffixes[] = { "alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p" };
#define N_PRE 4

static size_t digits(const char *p)
{
	size_t n = 0;

	while (tl__isdigit(p[n]))
		n++;
	return n;
}

static void take(apkscan *s, apktok *t, int kind, size_t len, int next)
{
	t->kind = kind;
	t->v = s->p;
	t->len = len;
	t->first = s->index == 0;
	s->p += len;
	s->state = next;
}

/* The rest of the string as one invalid token. */
static void invalid(apkscan *s, apktok *t)
{
	take(s, t, TK_INVALID, strlen(s->p), ST_DONE);
}

/* After a number, letter, suffix, suffix number or hash: what may follow. */
static void after_part(apkscan *s, apktok *t)
{
	const char *p = s->p;
	size_t n;

	if (*p == '\0') {
		take(s, t, TK_END, 0, ST_DONE);
	} else if (*p == '_' && s->state != ST_AFTER_HASH) {
		for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
			n = strlen(suffixes[i]);
			if (strncmp(p + 1, suffixes[i], n) == 0) {
				s->p++;
				take(s, t, i < N_PRE ? TK_PRE : TK_POST, n, ST_AFTER_SUFFIX);
				t->rank = (int)i;
				return;
			}
		}
		invalid(s, t);
	} else if (*p == '~' && s->state != ST_AFTER_HASH) {
		for (n = 1; tl__isdigit(p[n]) || (p[n] >= 'a' && p[n] <= 'f'); n++)
			;
		if (n == 1) {
			invalid(s, t);
			return;
		}
		s->p++;
		take(s, t, TK_HASH, n - 1, ST_AFTER_HASH);
	} else if (p[0] == '-' && p[1] == 'r') {
		s->p += 2;
		take(s, t, TK_REV, digits(s->p), ST_AFTER_REV);
	} else {
		invalid(s, t);
	}
}

/* Reads the next token into *t; a revision of 0 is skipped. */
static void apk_next(apkscan *s, apktok *t)
{
	for (;;) {
		const char *p = s->p;
		size_t n;

		memset(t, 0, sizeof(*t));
		switch (s->state) {
		case ST_NUM:
			n = digits(p);
			take(s, t, n ? TK_NUM : TK_EMPTY, n, ST_AFTER_NUM);
			break;
		case ST_AFTER_NUM:
			if (*p == '.') {
				s->p++;
				n = digits(s->p);
				take(s, t, n ? TK_NUM : TK_EMPTY, n, ST_AFTER_NUM);
			} else if (*p >= 'a' && *p <= 'z') {
				take(s, t, TK_LETTER, 1, ST_AFTER_LETTER);
			} else {
				after_part(s, t);
			}
			break;
		case ST_AFTER_LETTER:
			if (tl__isdigit(*p))
				take(s, t, TK_NUM, digits(p), ST_AFTER_NUM);
			else
				after_part(s, t);
			break;
		case ST_AFTER_SUFFIX:
			if (tl__isdigit(*p))
				take(s, t, TK_SUFNUM, digits(p), ST_AFTER_SUFNUM);
			else
				after_part(s, t);
			break;
		case ST_AFTER_SUFNUM:
		case ST_AFTER_HASH:
			after_part(s, t);
			break;
		case ST_AFTER_REV:
			if (*p == '\0')
				take(s, t, TK_END, 0, ST_DONE);
			else
				invalid(s, t);
			break;
		default:
			take(s, t, TK_END, 0, ST_DONE);
			break;
		}
		s->index++;
		if (t->kind == TK_REV && tl__version_cmp_digits(t->v, t->len, "0", 1) == 0)
			continue;
		return;
	}
}

static int cmp_tokens(const apktok *a, const apktok *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	switch (a->kind) {
	case TK_NUM:
		if (!a->first && !b->first && (a->v[0] == '0' || b->v[0] == '0'))
			return tl__version_cmp_bytes(a->v, a->len, b->v, b->len);
		return tl__version_cmp_digits(a->v, a->len, b->v, b->len);
	case TK_SUFNUM:
	case TK_REV:
		return tl__version_cmp_digits(a->v, a->len, b->v, b->len);
	case TK_PRE:
	case TK_POST:
		return (a->rank > b->rank) - (a->rank < b->rank);
	case TK_LETTER:
	case TK_HASH:
		return tl__version_cmp_bytes(a->v, a->len, b->v, b->len);
	default: /* end, empty, invalid */
		return 0;
	}
}

static tl_err apk_check(const char *v)
{
	const char *p;

	if (*v == '\0')
		return tl__version_error("apk", v, 0, "empty version");
	for (p = v; *p; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return tl__version_error("apk", v, (size_t)(p - v),
			                         "whitespace, control or non-ASCII byte (not allowed in a version)");
	}
	return TL_OK;
}

tl_err tl__version_cmp_apk(int *out, const char *a, const char *b)
{
	apkscan sa = { a, ST_NUM, 0 }, sb = { b, ST_NUM, 0 };
	apktok ta, tb;
	tl_err err;
	int c = 0;

	if ((err = apk_check(a)) != TL_OK || (err = apk_check(b)) != TL_OK)
		return err;
	do {
		apk_next(&sa, &ta);
		apk_next(&sb, &tb);
		c = cmp_tokens(&ta, &tb);
	} while (c == 0 && ta.kind != TK_END && ta.kind != TK_INVALID);
	*out = c;
	return TL_OK;
}
