/*
 * CPE 2.3 names in the formatted string binding (NISTIR 7695, CPE Naming
 * Specification 2.3, section 6.2; the pattern of the CPE dictionary's
 * cpe23Item/@name).
 *
 *   cpe:2.3:part:vendor:product:version:update:edition:language:
 *           sw_edition:target_sw:target_hw:other
 *
 *   element      form
 *   ----------   ----------------------------------------------------------
 *   prefix       "cpe:2.3:" exactly
 *   attributes   exactly 11, separated by unescaped ':'
 *   part         "a", "o", "h" or "*" (ANY); not "-": a name always has a
 *                part, or matches any
 *   language     "*", "-" or a tag: 2-3 letters, optionally '-' and 2
 *                letters or 3 digits (en, en-us, ast-419)
 *   other values "*" (ANY) or "-" (NA) as the whole value, or a non-empty
 *                body of:
 *                  A-Z a-z 0-9 - . _          as themselves
 *                  \ followed by one of       a quoted character
 *                    \ * ? ! " # $ % & ' ( ) + , / : ; < = > @ [ ] ^ ` { | } ~
 *                optionally preceded and followed by unquoted wildcards:
 *                either one '*' or any number of '?' at each end (never
 *                in the middle).  Nothing else: no bytes outside ASCII,
 *                no spaces, no unquoted punctuation, no empty value.
 *
 * In tl_cpe each attribute is held unescaped, with one exception that
 * keeps the value unambiguous: a quoted '\', '*' or '?' keeps its
 * backslash (as in a WFN), so that an unquoted '*' or '?' in the struct
 * is always a wildcard.  Examples:
 *
 *   formatted string     tl_cpe value
 *   ----------------     ------------
 *   8.0.6001             8.0.6001
 *   big\$money_2010      big$money_2010
 *   foo\\bar             foo\\bar          (a literal backslash, quoted)
 *   \*star               \*star            (a literal '*')
 *   *_ie                 *_ie              (wildcard)
 *   *                    *                 (ANY)
 *   -                    -                 (NA)
 *
 * Every value has exactly one formatted form, so tl_cpe_build re-escapes
 * to the very string that was parsed: tl_cpe_build(tl_cpe_parse(s)) == s
 * for every s tl_cpe_parse accepts.  tl_cpe_build treats a NULL attribute
 * as ANY and checks its own output with the parser, so it never produces
 * a string the parser would refuse.
 *
 * Limits: a string longer than TL_CPE_MAX bytes is refused (TL_ELIMIT).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"
#include "trustline/sbom.h"

#define TL_CPE_MAX ((size_t)64 * 1024)
#define MSG_QUOTE_MAX 96
#define PREFIX "cpe:2.3:"
#define N_ATTR 11

static const char *const attr_names[N_ATTR] = {
	"part", "vendor", "product", "version", "update", "edition",
	"language", "sw_edition", "target_sw", "target_hw", "other",
};

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Characters written as themselves in a value body. */
static bool is_plain(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
}

/* Characters that appear in a value body only quoted with '\'. */
static bool is_quotable(unsigned char c)
{
	return c && strchr("\\*?!\"#$%&'()+,/:;<=>@[]^`{|}~", c) != NULL;
}

static char **slot(tl_cpe *c, size_t i)
{
	char **slots[N_ATTR] = {
		&c->part, &c->vendor, &c->product, &c->version, &c->update, &c->edition,
		&c->language, &c->sw_edition, &c->target_sw, &c->target_hw, &c->other,
	};
	return slots[i];
}

static const char *cslot(const tl_cpe *c, size_t i)
{
	const char *const vals[N_ATTR] = {
		c->part, c->vendor, c->product, c->version, c->update, c->edition,
		c->language, c->sw_edition, c->target_sw, c->target_hw, c->other,
	};
	return vals[i];
}

/* Sets "not a valid CPE 2.3 name ("<s>"): <what>" (s quoted, shortened). */
static tl_err bad(tl_err code, const char *s, const char *fmt, ...) TL_PRINTF(3, 4);
static tl_err bad(tl_err code, const char *s, const char *fmt, ...)
{
	char quoted[MSG_QUOTE_MAX + 4], what[256];
	size_t i;
	va_list ap;

	tl__quote(quoted, sizeof(quoted), s);
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	for (i = 0; what[i]; i++) /* parts of the input quoted in what */
		if ((unsigned char)what[i] < 0x20 || what[i] == 0x7f)
			what[i] = '?';
	return tl__error(code, "not a valid CPE 2.3 name (\"%s\"): %s", quoted, what);
}

/* Language tag: 2-3 letters, optionally '-' and 2 letters or 3 digits. */
static bool lang_ok(const char *v, size_t n)
{
	size_t i = 0, k;

	while (i < n && is_alpha((unsigned char)v[i]))
		i++;
	if (i < 2 || i > 3)
		return false;
	if (i == n)
		return true;
	if (v[i] != '-')
		return false;
	k = n - i - 1;
	v += i + 1;
	if (k == 2)
		return is_alpha((unsigned char)v[0]) && is_alpha((unsigned char)v[1]);
	if (k == 3)
		return is_digit((unsigned char)v[0]) && is_digit((unsigned char)v[1]) &&
		       is_digit((unsigned char)v[2]);
	return false;
}

/*
 * Checks the value v[0..n) (attribute idx) of s and stores its struct form
 * in *out (caller frees).  Returns TL_EPARSE naming the attribute.
 */
static tl_err parse_value(char **out, const char *v, size_t n, size_t idx, const char *s)
{
	const char *name = attr_names[idx];
	size_t i = 0, end = n, bstart, body = 0, j = 0;
	char *d;

	*out = NULL;
	if (n == 0)
		return bad(TL_EPARSE, s, "%s: empty value (ANY is \"*\", NA is \"-\")", name);
	if (idx == 0 ? (n == 1 && strchr("aoh*", v[0])) : (n == 1 && (v[0] == '*' || v[0] == '-'))) {
		if (!(*out = strndup(v, n)))
			return tl__nomem();
		return TL_OK;
	}
	if (idx == 0)
		return bad(TL_EPARSE, s, "part: expected \"a\", \"o\", \"h\" or \"*\"");
	if (idx == 6) {
		if (!lang_ok(v, n))
			return bad(TL_EPARSE, s, "language: expected \"*\", \"-\" or a tag like \"en-us\"");
		if (!(*out = strndup(v, n)))
			return tl__nomem();
		return TL_OK;
	}

	/* Leading wildcards: one '*' or any number of '?'. */
	if (v[0] == '*')
		i = 1;
	else
		while (i < n && v[i] == '?')
			i++;
	bstart = i;
	/* Body: plain characters and quoted pairs, up to the first wildcard. */
	while (i < n) {
		unsigned char c = (unsigned char)v[i];
		if (c == '\\') {
			if (i + 1 >= n)
				return bad(TL_EPARSE, s, "%s: '\\' at the end of a value", name);
			if (!is_quotable((unsigned char)v[i + 1]))
				return bad(TL_EPARSE, s, "%s: bad escape \"\\%c\" (0x%02x)", name,
				           (v[i + 1] > 0x20 && v[i + 1] < 0x7f) ? v[i + 1] : '?',
				           (unsigned char)v[i + 1]);
			i += 2;
		} else if (is_plain(c)) {
			i++;
		} else if (c == '*' || c == '?') {
			break;
		} else {
			return bad(TL_EPARSE, s, "%s: unquoted character '%c' (0x%02x)", name,
			           (c > 0x20 && c < 0x7f) ? c : '?', c);
		}
		body++;
	}
	end = i;
	/* Trailing wildcards: one '*' or any number of '?', nothing after. */
	if (i < n && v[i] == '*')
		i++;
	else
		while (i < n && v[i] == '?')
			i++;
	if (i < n)
		return bad(TL_EPARSE, s, "%s: unquoted '%c' is allowed only at the start or "
		           "end of a value", name, v[end]);
	if (body == 0)
		return bad(TL_EPARSE, s, "%s: wildcards only, with no value (ANY is \"*\")", name);
	/* Struct form: drop quoting except before '\', '*', '?'. */
	if (!(d = malloc(n + 1)))
		return tl__nomem();
	for (size_t k = 0; k < n; k++) {
		if (v[k] == '\\' && k >= bstart && k < end) {
			char q = v[k + 1];
			if (q == '\\' || q == '*' || q == '?')
				d[j++] = '\\';
			d[j++] = q;
			k++;
		} else {
			d[j++] = v[k];
		}
	}
	d[j] = '\0';
	*out = d;
	return TL_OK;
}

tl_err tl_cpe_parse(tl_cpe *out, const char *s)
{
	tl_cpe c = { 0 };
	const char *p, *end;
	size_t len, idx = 0;
	tl_err err = TL_OK;

	if (!out || !s)
		return tl__error(TL_EINVAL, "tl_cpe_parse: NULL argument");
	memset(out, 0, sizeof(*out));
	len = strnlen(s, TL_CPE_MAX + 1);
	if (len > TL_CPE_MAX)
		return bad(TL_ELIMIT, s, "longer than %zu bytes", TL_CPE_MAX);
	if (len < sizeof(PREFIX) - 1 || memcmp(s, PREFIX, sizeof(PREFIX) - 1) != 0)
		return bad(TL_EPARSE, s, "expected the prefix \"" PREFIX "\"");
	p = s + sizeof(PREFIX) - 1;
	end = s + len;
	for (;;) {
		const char *q = p;
		/* Find the next unquoted ':'. */
		while (q < end && *q != ':') {
			if (*q == '\\' && q + 1 < end)
				q++;
			q++;
		}
		if (q > end)
			q = end;
		if (idx == N_ATTR) {
			err = bad(TL_EPARSE, s, "more than 11 attributes after \"" PREFIX "\"");
			goto done;
		}
		if ((err = parse_value(slot(&c, idx), p, (size_t)(q - p), idx, s)))
			goto done;
		idx++;
		if (q >= end)
			break;
		p = q + 1;
	}
	if (idx != N_ATTR) {
		err = bad(TL_EPARSE, s, "%zu attributes after \"" PREFIX "\", expected 11", idx);
		goto done;
	}
	*out = c;
	memset(&c, 0, sizeof(c));
done:
	tl_cpe_dispose(&c);
	return err;
}

tl_err tl_cpe_build(char **out, const tl_cpe *c)
{
	tl_buf b = TL_BUF_INIT;
	tl_cpe check = { 0 };
	tl_err err = TL_OK;

	if (!out || !c)
		return tl__error(TL_EINVAL, "tl_cpe_build: NULL argument");
	*out = NULL;
	b.max = TL_CPE_MAX;
	if ((err = tl_buf_puts(&b, PREFIX)))
		goto done;
	for (size_t i = 0; i < N_ATTR && !err; i++) {
		const char *v = cslot(c, i);
		if (i && (err = tl_buf_putc(&b, ':')))
			break;
		if (!v || !strcmp(v, "*") || !strcmp(v, "-")) {
			err = tl_buf_puts(&b, v ? v : "*");
			continue;
		}
		for (const char *k = v; *k && !err; k++) {
			unsigned char ch = (unsigned char)*k;
			if (ch == '\\') {
				/* kept quoting: '\' before '\', '*' or '?' */
				if (k[1] != '\\' && k[1] != '*' && k[1] != '?') {
					err = tl__error(TL_EINVAL, "CPE %s \"%.64s\": '\\' must quote '\\', "
					                "'*' or '?'", attr_names[i], v);
					break;
				}
				err = tl_buf_put(&b, k, 2);
				k++;
			} else if (ch == '*' || ch == '?' || is_plain(ch)) {
				err = tl_buf_putc(&b, (char)ch);
			} else if (is_quotable(ch)) {
				if (!(err = tl_buf_putc(&b, '\\')))
					err = tl_buf_putc(&b, (char)ch);
			} else {
				err = tl__error(TL_EINVAL, "CPE %s \"%.64s\": byte 0x%02x cannot appear "
				                "in a CPE 2.3 name", attr_names[i], v, ch);
			}
		}
	}
	if (err)
		goto done;
	/* The result must be a name the parser takes (wildcard placement,
	 * part, language, empty values). */
	if ((err = tl_cpe_parse(&check, b.ptr))) {
		err = TL_EINVAL;
		goto done;
	}
	if (!(*out = tl_buf_detach(&b)))
		err = tl__nomem();
done:
	if (err == TL_ELIMIT)
		err = tl__error(TL_ELIMIT, "CPE: longer than %zu bytes", TL_CPE_MAX);
	tl_cpe_dispose(&check);
	tl_buf_dispose(&b);
	return err;
}

void tl_cpe_dispose(tl_cpe *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < N_ATTR; i++) {
		free(*slot(c, i));
		*slot(c, i) = NULL;
	}
}
