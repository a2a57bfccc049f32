/*
 * Helpers the report writers share: advisory links, scores, URI escaping.
 */
#include <jansson.h>
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

json_t *tl__jb_str(tl__jb *b, const char *s)
{
	json_t *v = json_string(s ? s : "");

	if (!v)
		b->oom = true;
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
