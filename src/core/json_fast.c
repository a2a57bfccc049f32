/*
 * A JSON parser that builds jansson values, faster than json_loadb on the
 * documents we read (SBOMs: many short keys and strings), with exactly the
 * verdict and the values of
 *     json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err)
 * in jansson 2.14.  It says only "valid" (the value) or "not valid" (no
 * message): the caller then runs json_loadb on the same bytes for
 * jansson's own message, offset and error code.
 *
 * The rules it applies (RFC 8259 as jansson 2.14 reads it):
 *
 *   text      ws value ws, nothing after; empty input is not valid
 *   ws        ' ' '\t' '\n' '\r' only (no BOM, no '\f' or '\v')
 *   value     object | array | string | number | true | false | null
 *   object    '{' ws [ string ws ':' value { ',' ws string ws ':' value } ] ws '}'
 *             a key seen before in the same object: not valid; members are
 *             inserted in input order (jansson iterates in that order)
 *   array     '[' ws [ value { ',' value } ] ws ']'; no trailing comma
 *   number    '-'? ( '0' | [1-9][0-9]* ) ( '.' [0-9]+ )? ( [eE] [+-]? [0-9]+ )?
 *             no '.' and no exponent: an integer (json_int_t, long long);
 *             out of its range: not valid.  Otherwise a real by strtod;
 *             overflow to +-HUGE_VAL: not valid, underflow is kept
 *   string    '"' ... '"': bytes below 0x20 (NUL included) not valid;
 *             escapes \" \\ \/ \b \f \n \r \t \uXXXX (hex either case);
 *             a high surrogate must be followed by \u and a low one, a
 *             lone surrogate is not valid; \u0000 not valid (in a value:
 *             no JSON_ALLOW_NUL; in a key: jansson never takes NUL there)
 *   UTF-8     jansson checks every input byte: outside strings a byte
 *             from 0x80 on is no token anyway; inside, each sequence must
 *             be well-formed UTF-8 (no overlong form, no surrogate, nothing
 *             above U+10FFFF, no stray continuation byte)
 *   NUL       a NUL byte is not valid anywhere, except one NUL right
 *             after a number, true, false or null, which json_loadb skips
 *             (its lexer puts back the byte after such a token, and a NUL
 *             put back is taken for an empty buffer): "[1\0,2]" is [1,2]
 *   depth     a value inside N arrays/objects sits at depth N + 1; depth
 *             above JSON_PARSER_MAX_DEPTH (2048) is not valid
 *
 * No recursion: containers being filled are on an explicit stack of
 * JSON_PARSER_MAX_DEPTH pointers (16 KiB on the caller's stack, fine for
 * the default thread stacks of json_stream's workers).  A container is
 * put into its parent when it opens, so that a key (which may have been
 * unescaped into a scratch buffer) is used at once and need not be kept.
 * Every value is made by jansson's constructors, so the allocator set with
 * json_set_alloc_funcs applies.
 *
 * Limits: none of its own beyond jansson's depth; the caller caps sizes.
 * The scratch buffers for escaped strings and long reals grow to at most
 * the input's length.  Reals are read with strtod: under a locale whose
 * decimal point is not '.', a real is "not valid" here and the caller's
 * json_loadb (which handles locales) decides.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

#if JANSSON_VERSION_HEX < 0x020e00
#error "json_fast.c needs jansson 2.14 (json_object_getn, json_object_setn_new_nocheck)"
#endif

/* A growable byte buffer for unescaped strings, in a local array first. */
typedef struct {
	char *p;
	size_t len, cap;
	char local[256];
} scratch;

typedef struct {
	const unsigned char *p, *end;
	scratch key, val;
	bool nomem;
} parser;

static void scratch_init(scratch *s)
{
	s->p = s->local;
	s->len = 0;
	s->cap = sizeof(s->local);
}

static void scratch_dispose(scratch *s)
{
	if (s->p != s->local)
		free(s->p);
}

/* Room for n more bytes; false on out of memory (ps->nomem set). */
static bool scratch_room(parser *ps, scratch *s, size_t n)
{
	size_t cap = s->cap;
	char *q;

	if (n <= cap - s->len)
		return true;
	while (n > cap - s->len) {
		if (cap > SIZE_MAX / 2) {
			ps->nomem = true;
			return false;
		}
		cap *= 2;
	}
	if (s->p == s->local) {
		if ((q = malloc(cap)) != NULL)
			memcpy(q, s->p, s->len);
	} else {
		q = realloc(s->p, cap);
	}
	if (!q) {
		ps->nomem = true;
		return false;
	}
	s->p = q;
	s->cap = cap;
	return true;
}

static inline const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

/* The length of the well-formed UTF-8 sequence of 2 to 4 bytes at p
 * (p[0] >= 0x80), or 0. */
static inline size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t avail = (size_t)(end - p);
	unsigned c = p[0];

	if (c >= 0xC2 && c <= 0xDF)
		return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && p[1] < 0xA0) /* overlong */
			return 0;
		if (c == 0xED && p[1] >= 0xA0) /* U+D800..U+DFFF */
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && p[1] < 0x90) /* overlong */
			return 0;
		if (c == 0xF4 && p[1] >= 0x90) /* above U+10FFFF */
			return 0;
		return 4;
	}
	return 0; /* a continuation byte, C0/C1, or F5..FF */
}

size_t tl__utf8_seq_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	if (n == 0)
		return 0;
	return p[0] < 0x80 ? 1 : utf8_len(p, p + n);
}

bool tl__json_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		size_t k;
		p += tl__json_ascii_len((const char *)p, (size_t)(end - p));
		if (p == end)
			break;
		if (*p < 0x80) { /* a byte JSON escapes: still ASCII */
			p++;
			continue;
		}
		if ((k = utf8_len(p, end)) == 0)
			return false;
		p += k;
	}
	return true;
}

/* The value of 4 hex digits at p (4 bytes available), or -1. */
static inline long hex4(const unsigned char *p)
{
	long v = 0;

	for (int k = 0; k < 4; k++) {
		unsigned c = p[k], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return -1;
		v = v * 16 + (long)d;
	}
	return v;
}

/*
 * Reads the string whose opening quote is at ps->p.  On success *s and *n
 * are its bytes: in the input when it has no escape, else in sc (which is
 * emptied first); ps->p is past the closing quote.  false: not valid, or
 * out of memory (ps->nomem).
 */
static bool read_string(parser *ps, scratch *sc, const char **s, size_t *n)
{
	const unsigned char *p = ps->p + 1, *end = ps->end, *run = p;
	bool escaped = false;

	sc->len = 0;
	for (;;) {
		unsigned c;
		p += tl__json_ascii_len((const char *)p, (size_t)(end - p));
		if (p >= end)
			return false;
		c = *p;
		if (c == '"')
			break;
		if (c >= 0x80) {
			size_t k = utf8_len(p, end);
			if (!k)
				return false;
			p += k;
			continue;
		}
		if (c != '\\')
			return false; /* a control character */
		/* an escape: from here the string is built in sc */
		if (!scratch_room(ps, sc, (size_t)(p - run) + 4))
			return false;
		memcpy(sc->p + sc->len, run, (size_t)(p - run));
		sc->len += (size_t)(p - run);
		escaped = true;
		if (end - p < 2)
			return false;
		c = p[1];
		p += 2;
		switch (c) {
		case '"': case '\\': case '/':
			sc->p[sc->len++] = (char)c;
			break;
		case 'b': sc->p[sc->len++] = '\b'; break;
		case 'f': sc->p[sc->len++] = '\f'; break;
		case 'n': sc->p[sc->len++] = '\n'; break;
		case 'r': sc->p[sc->len++] = '\r'; break;
		case 't': sc->p[sc->len++] = '\t'; break;
		case 'u': {
			long u, lo;
			unsigned char *o;
			if (end - p < 4 || (u = hex4(p)) < 0)
				return false;
			p += 4;
			if (u >= 0xD800 && u <= 0xDBFF) {
				if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || (lo = hex4(p + 2)) < 0 ||
				    lo < 0xDC00 || lo > 0xDFFF)
					return false;
				p += 6;
				u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
			} else if ((u >= 0xDC00 && u <= 0xDFFF) || u == 0) {
				return false; /* a lone low surrogate, or NUL */
			}
			o = (unsigned char *)sc->p + sc->len;
			if (u < 0x80) {
				o[0] = (unsigned char)u;
				sc->len += 1;
			} else if (u < 0x800) {
				o[0] = (unsigned char)(0xC0 | (u >> 6));
				o[1] = (unsigned char)(0x80 | (u & 0x3F));
				sc->len += 2;
			} else if (u < 0x10000) {
				o[0] = (unsigned char)(0xE0 | (u >> 12));
				o[1] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
				o[2] = (unsigned char)(0x80 | (u & 0x3F));
				sc->len += 3;
			} else {
				o[0] = (unsigned char)(0xF0 | (u >> 18));
				o[1] = (unsigned char)(0x80 | ((u >> 12) & 0x3F));
				o[2] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
				o[3] = (unsigned char)(0x80 | (u & 0x3F));
				sc->len += 4;
			}
			break;
		}
		default:
			return false;
		}
		run = p;
	}
	if (escaped) {
		if (!scratch_room(ps, sc, (size_t)(p - run)))
			return false;
		memcpy(sc->p + sc->len, run, (size_t)(p - run));
		sc->len += (size_t)(p - run);
		*s = sc->p;
		*n = sc->len;
	} else {
		*s = (const char *)ps->p + 1;
		*n = (size_t)(p - (ps->p + 1));
	}
	ps->p = p + 1;
	return true;
}

/* The number at ps->p as a new value, ps->p moved past it; NULL: not
 * valid, or out of memory (ps->nomem). */
static json_t *read_number(parser *ps)
{
	const unsigned char *p = ps->p, *end = ps->end, *start = p;
	bool neg = false, is_real = false;
	unsigned long long mag = 0;
	bool big = false;
	json_t *v;

	if (*p == '-') {
		neg = true;
		p++;
	}
	if (p >= end || *p < '0' || *p > '9')
		return NULL;
	if (*p == '0') {
		p++;
	} else {
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			unsigned d = *p - '0';
			if (mag > (ULLONG_MAX - d) / 10)
				big = true;
			else
				mag = mag * 10 + d;
		}
	}
	if (p < end && *p == '.') {
		is_real = true;
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		is_real = true;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (!is_real) {
		/* strtoll's range: too big either way is not valid */
		if (big || mag > (unsigned long long)LLONG_MAX + (neg ? 1u : 0u))
			return NULL;
		if (neg)
			v = json_integer(mag == (unsigned long long)LLONG_MAX + 1u ? LLONG_MIN : -(json_int_t)mag);
		else
			v = json_integer((json_int_t)mag);
	} else {
		size_t n = (size_t)(p - start);
		char *end_num;
		double d;
		ps->val.len = 0;
		if (!scratch_room(ps, &ps->val, n + 1))
			return NULL;
		memcpy(ps->val.p, start, n);
		ps->val.p[n] = '\0';
		errno = 0;
		d = strtod(ps->val.p, &end_num);
		if (end_num != ps->val.p + n)
			return NULL; /* a locale's decimal point: json_loadb decides */
		if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL))
			return NULL;
		v = json_real(d);
	}
	if (!v)
		ps->nomem = true;
	ps->p = p;
	return v;
}

tl_err tl__json_fast_parse(json_t **out, const char *data, size_t len)
{
	json_t *stack[JSON_PARSER_MAX_DEPTH];
	size_t depth = 0; /* containers open */
	parser ps;
	json_t *root = NULL, *v;
	const char *key = NULL;
	size_t klen = 0;
	const unsigned char *p, *end;
	tl_err err = TL_EPARSE;

	*out = NULL;
	if (!data)
		return TL_EPARSE;
	ps.p = (const unsigned char *)data;
	ps.end = ps.p + len;
	ps.nomem = false;
	scratch_init(&ps.key);
	scratch_init(&ps.val);
	end = ps.end;
	p = ps.p;

value:
	/* a value, at depth (containers open) + 1 */
	p = skip_ws(p, end);
	if (p >= end || depth >= JSON_PARSER_MAX_DEPTH)
		goto done;
	switch (*p) {
	case '{':
		p++;
		v = json_object();
		break;
	case '[':
		p++;
		v = json_array();
		break;
	case '"': {
		const char *s;
		size_t n;
		ps.p = p;
		if (!read_string(&ps, &ps.val, &s, &n))
			goto done;
		if (memchr(s, '\0', n))
			goto done;
		p = ps.p;
		v = json_stringn_nocheck(s, n);
		break;
	}
	case 't':
		if (end - p < 4 || memcmp(p, "true", 4) != 0)
			goto done;
		p += 4;
		v = json_true();
		break;
	case 'f':
		if (end - p < 5 || memcmp(p, "false", 5) != 0)
			goto done;
		p += 5;
		v = json_false();
		break;
	case 'n':
		if (end - p < 4 || memcmp(p, "null", 4) != 0)
			goto done;
		p += 4;
		v = json_null();
		break;
	default:
		if (*p != '-' && (*p < '0' || *p > '9'))
			goto done;
		ps.p = p;
		if (!(v = read_number(&ps)))
			goto done;
		p = ps.p;
		break;
	}
	if (!v) {
		ps.nomem = true;
		goto done;
	}
	/* jansson's lexer reads one byte past a number or a literal and puts
	 * it back; a NUL put back reads as "nothing buffered", so that one
	 * NUL byte is skipped (and "1\0" is a valid text to json_loadb) */
	if (!json_is_object(v) && !json_is_array(v) && !json_is_string(v) && p < end && *p == '\0')
		p++;
	/* into its parent (which takes the reference, also on failure) */
	if (!depth) {
		root = v;
	} else if (json_is_array(stack[depth - 1])) {
		if (json_array_append_new(stack[depth - 1], v) != 0) {
			ps.nomem = true;
			goto done;
		}
	} else if (json_object_setn_new_nocheck(stack[depth - 1], key, klen, v) != 0) {
		ps.nomem = true;
		goto done;
	}
	if (json_is_object(v) || json_is_array(v)) {
		bool obj = json_is_object(v);
		stack[depth++] = v;
		p = skip_ws(p, end);
		if (p < end && *p == (obj ? '}' : ']')) {
			p++;
			depth--;
			goto next;
		}
		if (obj)
			goto member;
		goto value;
	}
	goto next;

member:
	/* p is at a key (after '{' or ',' and whitespace) */
	if (p >= end || *p != '"')
		goto done;
	ps.p = p;
	if (!read_string(&ps, &ps.key, &key, &klen))
		goto done;
	p = ps.p;
	if (memchr(key, '\0', klen) || json_object_getn(stack[depth - 1], key, klen))
		goto done;
	p = skip_ws(p, end);
	if (p >= end || *p != ':')
		goto done;
	p++;
	goto value;

next:
	/* after a value: a separator, a closing bracket, or the end */
	p = skip_ws(p, end);
	if (!depth) {
		if (p == end) {
			*out = root;
			root = NULL;
			err = TL_OK;
		}
		goto done;
	}
	if (p >= end)
		goto done;
	if (*p == ',') {
		p = skip_ws(p + 1, end);
		if (json_is_object(stack[depth - 1]))
			goto member;
		goto value;
	}
	if (*p == (json_is_object(stack[depth - 1]) ? '}' : ']')) {
		p++;
		depth--;
		goto next;
	}

done:
	json_decref(root);
	scratch_dispose(&ps.key);
	scratch_dispose(&ps.val);
	if (err != TL_OK && ps.nomem)
		err = TL_ENOMEM;
	return err;
}
