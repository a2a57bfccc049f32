/*
 * Helpers the report writers share: advisory links, scores, URI escaping.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "vuln_int.h"

static bool unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static tl_err escape(tl_buf *out, const char *s, const char *keep)
{
	tl_err err = TL_OK;

	for (const unsigned char *p = (const unsigned char *)s; *p && err == TL_OK; p++) {
		if (unreserved(*p) || strchr(keep, *p))
			err = tl_buf_putc(out, (char)*p);
		else
			err = tl_buf_printf(out, "%%%02X", *p);
	}
	return err;
}

tl_err tl__uri_path(tl_buf *out, const char *s)
{
	return escape(out, s, "/:@!$&'()*+,;=");
}

tl_err tl__vuln_url(tl_buf *out, const char *id)
{
	tl_err err;

	if (!strncmp(id, "CVE-", 4))
		err = tl_buf_puts(out, "https://nvd.nist.gov/vuln/detail/");
	else if (!strncmp(id, "GHSA-", 5))
		err = tl_buf_puts(out, "https://github.com/advisories/");
	else
		err = tl_buf_puts(out, "https://osv.dev/vulnerability/");
	return err != TL_OK ? err : escape(out, id, "");
}

double tl__finding_score(const tl_finding *f)
{
	double s = f->cvss3_score;

	if (f->cvss4_score > s)
		s = f->cvss4_score;
	return s >= 0 ? s : -1;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if none. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		len = 2, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

size_t tl__utf8_line(const char *s, size_t max)
{
	size_t n = 0, len = strlen(s);

	while (n < len && s[n] != '\n' && s[n] != '\r') {
		size_t k = utf8_seq((const unsigned char *)s + n, len - n);
		if (!k)
			k = 1;
		if (n + k > max)
			break;
		n += k;
	}
	return n;
}

char *tl__utf8_dup(const char *s)
{
	tl_buf fixed = TL_BUF_INIT;
	size_t len = strlen(s);
	tl_err err = tl_buf_cstr(&fixed);

	for (size_t i = 0; i < len && err == TL_OK;) {
		size_t k = utf8_seq((const unsigned char *)s + i, len - i);
		err = k ? tl_buf_put(&fixed, s + i, k) : tl_buf_puts(&fixed, "\xef\xbf\xbd");
		i += k ? k : 1;
	}
	if (err != TL_OK) {
		tl_buf_dispose(&fixed);
		return NULL;
	}
	return tl_buf_detach(&fixed);
}

json_t *tl__jb_str(tl__jb *b, const char *s)
{
	json_t *v;
	char *fixed;

	if (!s)
		s = "";
	if ((v = json_string(s)))
		return v;
	/* not UTF-8 (a name read from a binary, say): each bad byte becomes
	 * U+FFFD rather than the document failing */
	if (!(fixed = tl__utf8_dup(s)) || !(v = json_string(fixed)))
		b->oom = true;
	free(fixed);
	return v;
}

void tl__jb_set(tl__jb *b, json_t *obj, const char *key, json_t *v)
{
	if (!v || json_object_set_new(obj, key, v) != 0)
		b->oom = true;
}

void tl__jb_set_str(tl__jb *b, json_t *obj, const char *key, const char *s)
{
	if (s)
		tl__jb_set(b, obj, key, tl__jb_str(b, s));
}

void tl__jb_push(tl__jb *b, json_t *arr, json_t *v)
{
	if (!v || json_array_append_new(arr, v) != 0)
		b->oom = true;
}

json_t *tl__jb_obj(tl__jb *b)
{
	json_t *o = json_object();

	if (!o)
		b->oom = true;
	return o;
}

json_t *tl__jb_arr(tl__jb *b)
{
	json_t *a = json_array();

	if (!a)
		b->oom = true;
	return a;
}

json_t *tl__jb_text(tl__jb *b, const char *t)
{
	json_t *o = tl__jb_obj(b);

	tl__jb_set_str(b, o, "text", t);
	return o;
}
