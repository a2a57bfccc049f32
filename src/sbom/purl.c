/*
 * Package URLs (purl), per the package-url specification
 * (github.com/package-url/purl-spec, PURL-SPECIFICATION and
 * docs/standard/characters-and-encoding.md).
 *
 *   pkg:type/namespace/name@version?qualifiers#subpath
 *
 *   component   rule on parse                         on build (canonical)
 *   ---------   -----------------------------------   ----------------------
 *   scheme      "pkg:" (any case), then any number    "pkg:"
 *               of '/' which are not significant
 *   type        up to the first '/'; letters, digits, lower-cased, as is
 *               '.', '+', '-'; not starting with a
 *               digit; never percent-encoded
 *   namespace   '/'-separated segments before the     segments encoded,
 *               name; empty segments dropped; each    joined by '/'
 *               percent-decoded
 *   name        after the last '/'; percent-decoded;  encoded ('/' too)
 *               required
 *   version     after the last '@' of the last        encoded ('/' too)
 *               segment; percent-decoded; not empty
 *   qualifiers  after the first '?': key=value pairs  sorted by key, '&'-
 *               split on '&'; keys lower-cased,       joined; values
 *               [a-z0-9._-], not starting with a      encoded except ':'
 *               digit, not encoded; values decoded;   and '/'
 *               empty values dropped; duplicate keys
 *               rejected
 *   subpath     after the first '#': '/'-separated;   segments encoded,
 *               segments "", "." and ".." dropped;    joined by '/'
 *               each percent-decoded
 *
 * Percent-encoding on build keeps the unreserved set (A-Z a-z 0-9 . - _ ~)
 * and ':' (which the specification says is never encoded); every other
 * byte becomes %XX (upper-case hex), after UTF-8 (bytes are taken as they
 * are).  Decoding rejects a '%' not followed by two hex digits and %00.
 *
 * Type rules the specification's test suite checks, applied on parse and
 * on build: github, bitbucket, deb, apk, alpm, composer, hex: namespace and
 * name lower-cased; rpm, bsd: namespace lower-cased; pypi: name lower-cased
 * and '_' replaced by '-'; conan: a namespace requires the "channel"
 * qualifier and the other way round; cran: version required; swift:
 * namespace and version required.  Other types are left alone.
 *
 * Limits: a purl longer than TL_PURL_MAX bytes is refused with TL_ELIMIT.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"
#include "trustline/sbom.h"

#define TL_PURL_MAX ((size_t)64 * 1024)

/* How much of a bad purl an error message quotes. */
#define MSG_QUOTE_MAX 96

/* ---- small helpers ----------------------------------------------------- */

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static unsigned char to_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static void lower_str(char *s)
{
	for (; s && *s; s++)
		*s = (char)to_lower((unsigned char)*s);
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Case-insensitive ASCII comparison of NUL-terminated strings. */
static int ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = to_lower((unsigned char)*a), cb = to_lower((unsigned char)*b);
		if (ca != cb || !ca)
			return ca - cb;
	}
}

/* The first c in [p, end), or NULL. */
static const char *find(const char *p, const char *end, char c)
{
	for (; p < end; p++)
		if (*p == c)
			return p;
	return NULL;
}

static char *dup_n(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

/*
 * Sets the parse error "not a valid purl ("<s>"): <what>".  The purl is
 * quoted at most MSG_QUOTE_MAX bytes long, control bytes shown as '?', so
 * that a hostile input cannot flood or garble the message.
 */
static tl_err bad(const char *s, const char *fmt, ...) TL_PRINTF(2, 3);
static tl_err bad(const char *s, const char *fmt, ...)
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
	return tl__error(TL_EPARSE, "not a valid purl (\"%s\"): %s", quoted, what);
}

/*
 * Percent-decodes n bytes at p into a new string (*out, caller frees).
 * s (borrowed) is the whole purl, for messages.
 */
static tl_err decode(char **out, const char *p, size_t n, const char *s, const char *what)
{
	char *d = malloc(n + 1);
	size_t i, j = 0;

	*out = NULL;
	if (!d)
		return tl__nomem();
	for (i = 0; i < n; i++) {
		if (p[i] != '%') {
			d[j++] = p[i];
			continue;
		}
		if (n - i < 3 || hexval((unsigned char)p[i + 1]) < 0 ||
		    hexval((unsigned char)p[i + 2]) < 0) {
			free(d);
			return bad(s, "%s: '%%' not followed by two hex digits", what);
		}
		d[j] = (char)(hexval((unsigned char)p[i + 1]) * 16 + hexval((unsigned char)p[i + 2]));
		if (d[j] == '\0') {
			free(d);
			return bad(s, "%s: percent-encoded NUL (%%00)", what);
		}
		j++;
		i += 2;
	}
	d[j] = '\0';
	*out = d;
	return TL_OK;
}

/* Appends s percent-encoded; keep_slash leaves '/' as it is. */
static tl_err encode(tl_buf *b, const char *s, size_t n, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	tl_err err = TL_OK;

	for (size_t i = 0; i < n && !err; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_alpha(c) || is_digit(c) || c == '.' || c == '-' || c == '_' ||
		    c == '~' || c == ':' || (keep_slash && c == '/')) {
			err = tl_buf_putc(b, (char)c);
		} else {
			char t[3] = { '%', hex[c >> 4], hex[c & 15] };
			err = tl_buf_put(b, t, 3);
		}
	}
	return err;
}

/* ---- component rules --------------------------------------------------- */

static bool type_ok(const char *t, size_t n)
{
	if (n == 0 || is_digit((unsigned char)t[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		if (!is_alpha(c) && !is_digit(c) && c != '.' && c != '+' && c != '-')
			return false;
	}
	return true;
}

static bool key_ok(const char *k, size_t n)
{
	if (n == 0 || is_digit((unsigned char)k[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)k[i];
		if (!is_alpha(c) && !is_digit(c) && c != '.' && c != '-' && c != '_')
			return false;
	}
	return true;
}

enum { LOWER_NS = 1, LOWER_NAME = 2, PYPI_NAME = 4 };

/* Type-specific normalisation (see the table at the top). */
static unsigned type_flags(const char *type)
{
	static const struct { const char *type; unsigned flags; } rules[] = {
		{ "alpm", LOWER_NS | LOWER_NAME },
		{ "apk", LOWER_NS | LOWER_NAME },
		{ "bitbucket", LOWER_NS | LOWER_NAME },
		{ "bsd", LOWER_NS },
		{ "composer", LOWER_NS | LOWER_NAME },
		{ "deb", LOWER_NS | LOWER_NAME },
		{ "github", LOWER_NS | LOWER_NAME },
		{ "hex", LOWER_NS | LOWER_NAME },
		{ "pypi", LOWER_NAME | PYPI_NAME },
		{ "rpm", LOWER_NS },
	};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strcmp(type, rules[i].type) == 0)
			return rules[i].flags;
	return 0;
}

/* Normalises namespace and name in place for the (lower-case) type. */
static void normalise(const char *type, char *ns, char *name)
{
	unsigned f = type_flags(type);

	if (f & LOWER_NS)
		lower_str(ns);
	if (f & LOWER_NAME)
		lower_str(name);
	if (f & PYPI_NAME)
		for (char *c = name; c && *c; c++)
			if (*c == '_')
				*c = '-';
}

/*
 * Type-specific requirements; NULL if p satisfies them, else what is
 * missing.  Empty strings count as absent.
 */
static const char *type_requirement(const tl_purl *p, const char *type)
{
	bool has_ns = p->namespace && *p->namespace;
	bool has_ver = p->version && *p->version;

	if (strcmp(type, "conan") == 0) {
		const char *ch = tl_purl_get_qualifier(p, "channel");
		bool has_ch = ch && *ch;
		if (has_ns && !has_ch)
			return "a conan purl with a namespace needs the \"channel\" qualifier";
		if (!has_ns && has_ch)
			return "a conan purl with a \"channel\" qualifier needs a namespace";
	} else if (strcmp(type, "cran") == 0) {
		if (!has_ver)
			return "a cran purl needs a version";
	} else if (strcmp(type, "swift") == 0) {
		if (!has_ns)
			return "a swift purl needs a namespace";
		if (!has_ver)
			return "a swift purl needs a version";
	}
	return NULL;
}

static int cmp_qualifier(const void *a, const void *b)
{
	const tl_purl_qualifier *qa = a, *qb = b;

	return strcmp(qa->key, qb->key);
}

/*
 * Splits [p, end) on sep and appends the percent-decoded segments that are
 * not empty (and, when drop_dots, not "." or "..") to b, joined by '/'.
 * Sets *any when at least one segment was kept.
 */
static tl_err decode_segments(tl_buf *b, bool *any, const char *p, const char *end,
                              bool drop_dots, const char *s, const char *what)
{
	tl_err err = TL_OK;

	*any = false;
	while (p < end && !err) {
		const char *q = find(p, end, '/');
		char *seg = NULL;
		if (!q)
			q = end;
		err = decode(&seg, p, (size_t)(q - p), s, what);
		if (!err && *seg && !(drop_dots && (!strcmp(seg, ".") || !strcmp(seg, "..")))) {
			if (*any)
				err = tl_buf_putc(b, '/');
			if (!err)
				err = tl_buf_puts(b, seg);
			*any = true;
		}
		free(seg);
		p = q + (q < end);
	}
	return err;
}

/* ---- parse ------------------------------------------------------------- */

static tl_err parse_qualifiers(tl_purl *out, const char *p, const char *end, const char *s)
{
	char *key = NULL, *value = NULL;
	tl_err err = TL_OK;

	for (const char *amp; p < end; p = amp + 1) {
		const char *eq;
		tl_purl_qualifier *q;

		amp = find(p, end, '&');
		if (!amp)
			amp = end;
		if (amp == p) /* "&&": nothing between */
			continue;
		eq = find(p, amp, '=');
		if (!eq) {
			err = bad(s, "qualifier \"%.*s\": expected key=value",
			          (int)((amp - p) > 64 ? 64 : (amp - p)), p);
			goto done;
		}
		if (!key_ok(p, (size_t)(eq - p))) {
			err = bad(s, "qualifier key \"%.*s\": expected letters, digits, '.', '-' "
			          "or '_', not starting with a digit",
			          (int)((eq - p) > 64 ? 64 : (eq - p)), p);
			goto done;
		}
		if ((err = decode(&value, eq + 1, (size_t)(amp - eq - 1), s, "qualifier value")))
			goto done;
		if (!*value) { /* empty values are dropped */
			free(value);
			value = NULL;
			continue;
		}
		if (!(key = dup_n(p, (size_t)(eq - p)))) {
			err = tl__nomem();
			goto done;
		}
		lower_str(key);
		for (size_t i = 0; i < out->n_qualifiers; i++) {
			if (strcmp(out->qualifiers[i].key, key) == 0) {
				err = bad(s, "qualifier key \"%s\" appears twice", key);
				goto done;
			}
		}
		if ((err = tl__array_grow((void **)&out->qualifiers, &out->n_qualifiers,
		                          sizeof(*out->qualifiers), (void **)&q)))
			goto done;
		q->key = key;
		q->value = value;
		key = value = NULL;
	}
	if (out->n_qualifiers > 1)
		qsort(out->qualifiers, out->n_qualifiers, sizeof(*out->qualifiers), cmp_qualifier);
done:
	free(key);
	free(value);
	return err;
}

tl_err tl_purl_parse(tl_purl *out, const char *s)
{
	tl_purl p = { 0 };
	tl_buf ns = TL_BUF_INIT, sub = TL_BUF_INIT;
	const char *end, *hash, *qmark, *rest, *type, *slash, *last, *at, *name;
	size_t len;
	bool any;
	const char *req;
	tl_err err = TL_OK;

	if (!out || !s)
		return tl__error(TL_EINVAL, "tl_purl_parse: NULL argument");
	memset(out, 0, sizeof(*out));
	len = strnlen(s, TL_PURL_MAX + 1);
	if (len > TL_PURL_MAX) {
		bad(s, "longer than %zu bytes", TL_PURL_MAX);
		err = TL_ELIMIT;
		goto done;
	}
	end = s + len;
	if (len < 4 || to_lower((unsigned char)s[0]) != 'p' || to_lower((unsigned char)s[1]) != 'k' ||
	    to_lower((unsigned char)s[2]) != 'g' || s[3] != ':') {
		err = bad(s, "expected the scheme \"pkg:\"");
		goto done;
	}

	/* Subpath after the first '#', qualifiers after the first '?'. */
	rest = s + 4;
	hash = find(rest, end, '#');
	if (!hash)
		hash = end;
	qmark = find(rest, hash, '?');
	if (!qmark)
		qmark = hash;

	while (rest < qmark && *rest == '/')
		rest++;
	type = rest;
	slash = find(type, qmark, '/');
	if (!slash) {
		err = bad(s, type < qmark && type_ok(type, (size_t)(qmark - type))
		          ? "missing name" : "expected a type followed by '/'");
		goto done;
	}
	if (!type_ok(type, (size_t)(slash - type))) {
		err = bad(s, "type \"%.*s\": expected letters, digits, '.', '+' or '-', "
		          "not starting with a digit", (int)((slash - type) > 64 ? 64 : (slash - type)), type);
		goto done;
	}
	if (!(p.type = dup_n(type, (size_t)(slash - type)))) {
		err = tl__nomem();
		goto done;
	}
	lower_str(p.type);

	/* rest: namespace/name@version, trailing '/' not significant. */
	rest = slash + 1;
	while (qmark > rest && qmark[-1] == '/')
		qmark--;
	last = qmark;
	while (last > rest && last[-1] != '/')
		last--;
	at = NULL;
	for (const char *c = qmark; c > last; c--) {
		if (c[-1] == '@') {
			at = c - 1;
			break;
		}
	}
	if (at) {
		if (at + 1 == qmark) {
			err = bad(s, "expected a version after '@'");
			goto done;
		}
		if ((err = decode(&p.version, at + 1, (size_t)(qmark - at - 1), s, "version")))
			goto done;
	} else {
		at = qmark;
	}
	name = last;
	if (name == at) {
		err = bad(s, "missing name");
		goto done;
	}
	if ((err = decode(&p.name, name, (size_t)(at - name), s, "name")))
		goto done;
	if (!*p.name) {
		err = bad(s, "missing name");
		goto done;
	}
	if ((err = decode_segments(&ns, &any, rest, last, false, s, "namespace")))
		goto done;
	if (any)
		p.namespace = tl_buf_detach(&ns);

	/* Qualifiers and subpath. */
	qmark = find(s + 4, hash, '?');
	if (qmark && (err = parse_qualifiers(&p, qmark + 1, hash, s)))
		goto done;
	if (hash < end) {
		if ((err = decode_segments(&sub, &any, hash + 1, end, true, s, "subpath")))
			goto done;
		if (any)
			p.subpath = tl_buf_detach(&sub);
	}

	normalise(p.type, p.namespace, p.name);
	if ((req = type_requirement(&p, p.type))) {
		err = bad(s, "%s", req);
		goto done;
	}
	*out = p;
	memset(&p, 0, sizeof(p));
done:
	tl_buf_dispose(&ns);
	tl_buf_dispose(&sub);
	tl_purl_dispose(&p);
	return err;
}

/* ---- build ------------------------------------------------------------- */

/* Appends the '/'-separated segments of s, each encoded, skipping empty
 * ones (and "." and ".." when drop_dots).  Sets *any if one was written. */
static tl_err encode_segments(tl_buf *b, bool *any, const char *s, bool drop_dots)
{
	tl_err err = TL_OK;

	*any = false;
	while (*s && !err) {
		size_t n = strcspn(s, "/");
		bool dot = (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.');
		if (n && !(drop_dots && dot)) {
			if (*any)
				err = tl_buf_putc(b, '/');
			if (!err)
				err = encode(b, s, n, false);
			*any = true;
		}
		s += n + (s[n] == '/');
	}
	return err;
}

tl_err tl_purl_build(char **out, const tl_purl *p)
{
	tl_buf b = TL_BUF_INIT;
	char *type = NULL, *ns = NULL, *name = NULL;
	const tl_purl_qualifier **qs = NULL;
	size_t nq = 0;
	const char *req;
	bool any, first = true;
	tl_err err = TL_OK;

	if (!out || !p)
		return tl__error(TL_EINVAL, "tl_purl_build: NULL argument");
	*out = NULL;
	if (!p->type || !type_ok(p->type, strlen(p->type))) {
		err = tl__error(TL_EINVAL, "purl: type \"%.64s\": expected letters, digits, '.', '+' "
		                "or '-', not starting with a digit", p->type ? p->type : "");
		goto done;
	}
	if (!p->name || !*p->name) {
		err = tl__error(TL_EINVAL, "purl: missing name");
		goto done;
	}
	if (!(type = dup_n(p->type, strlen(p->type))) || !(name = dup_n(p->name, strlen(p->name))) ||
	    (p->namespace && !(ns = dup_n(p->namespace, strlen(p->namespace))))) {
		err = tl__nomem();
		goto done;
	}
	lower_str(type);
	normalise(type, ns, name);
	if ((req = type_requirement(p, type))) {
		err = tl__error(TL_EINVAL, "purl: %s", req);
		goto done;
	}

	b.max = TL_PURL_MAX;
	if ((err = tl_buf_puts(&b, "pkg:")) || (err = tl_buf_puts(&b, type)) ||
	    (err = tl_buf_putc(&b, '/')))
		goto done;
	if (ns) {
		if ((err = encode_segments(&b, &any, ns, false)))
			goto done;
		if (any && (err = tl_buf_putc(&b, '/')))
			goto done;
	}
	if ((err = encode(&b, name, strlen(name), false)))
		goto done;
	if (p->version && *p->version) {
		if ((err = tl_buf_putc(&b, '@')) ||
		    (err = encode(&b, p->version, strlen(p->version), false)))
			goto done;
	}

	/* Qualifiers: sorted by lower-cased key, empty values dropped. */
	if (p->n_qualifiers) {
		if (!(qs = calloc(p->n_qualifiers, sizeof(*qs)))) {
			err = tl__nomem();
			goto done;
		}
		for (size_t i = 0; i < p->n_qualifiers; i++) {
			const tl_purl_qualifier *q = &p->qualifiers[i];
			if (!q->key || !key_ok(q->key, strlen(q->key))) {
				err = tl__error(TL_EINVAL, "purl: qualifier key \"%.64s\": expected letters, "
				                "digits, '.', '-' or '_', not starting with a digit",
				                q->key ? q->key : "");
				goto done;
			}
			for (size_t j = 0; j < i; j++) {
				if (ascii_casecmp(p->qualifiers[j].key, q->key) == 0) {
					err = tl__error(TL_EINVAL, "purl: qualifier key \"%.64s\" appears twice", q->key);
					goto done;
				}
			}
			if (q->value && *q->value)
				qs[nq++] = q;
		}
		/* insertion sort: qualifier lists are short, keys compared lower-cased */
		for (size_t i = 1; i < nq; i++) {
			const tl_purl_qualifier *t = qs[i];
			size_t j = i;
			while (j > 0 && ascii_casecmp(qs[j - 1]->key, t->key) > 0) {
				qs[j] = qs[j - 1];
				j--;
			}
			qs[j] = t;
		}
		for (size_t i = 0; i < nq; i++) {
			if ((err = tl_buf_putc(&b, first ? '?' : '&')))
				goto done;
			first = false;
			for (const char *k = qs[i]->key; *k; k++)
				if ((err = tl_buf_putc(&b, (char)to_lower((unsigned char)*k))))
					goto done;
			if ((err = tl_buf_putc(&b, '=')) ||
			    (err = encode(&b, qs[i]->value, strlen(qs[i]->value), true)))
				goto done;
		}
	}

	if (p->subpath && *p->subpath) {
		size_t mark = b.len;
		if ((err = tl_buf_putc(&b, '#')) || (err = encode_segments(&b, &any, p->subpath, true)))
			goto done;
		if (!any) { /* only "." / ".." / empty segments: no subpath */
			b.len = mark;
			b.ptr[mark] = '\0';
		}
	}
	if (!(*out = tl_buf_detach(&b)))
		err = tl__nomem();
done:
	if (err == TL_ELIMIT)
		err = tl__error(TL_ELIMIT, "purl: longer than %zu bytes", TL_PURL_MAX);
	tl_buf_dispose(&b);
	free(qs);
	free(type);
	free(ns);
	free(name);
	return err;
}

/* ---- access ------------------------------------------------------------ */

void tl_purl_dispose(tl_purl *p)
{
	if (!p)
		return;
	free(p->type);
	free(p->namespace);
	free(p->name);
	free(p->version);
	for (size_t i = 0; i < p->n_qualifiers; i++) {
		free(p->qualifiers[i].key);
		free(p->qualifiers[i].value);
	}
	free(p->qualifiers);
	free(p->subpath);
	memset(p, 0, sizeof(*p));
}

const char *tl_purl_get_qualifier(const tl_purl *p, const char *key)
{
	if (!p || !key)
		return NULL;
	for (size_t i = 0; i < p->n_qualifiers; i++)
		if (p->qualifiers[i].key && ascii_casecmp(p->qualifiers[i].key, key) == 0)
			return p->qualifiers[i].value;
	return NULL;
}
