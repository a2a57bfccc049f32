/*
 * Feed downloads: the one place libcurl is called (DESIGN.md), and the
 * parsers of the response headers a download relies on.
 *
 * Headers read (RFC 9110, RFC 9111; GCS for x-goog-hash):
 *   HTTP/x.y SSS ...          status line; starts a new response (redirect hops)
 *   Content-Length: 1*DIGIT   size of this body
 *   Content-Range: bytes F-L/T  (or an unknown total "*")   a 206 body's place in the entity
 *   ETag: "opaque"            strong validators only (W/"..." is not used)
 *   Last-Modified: HTTP-date  kept as sent, used as an If-Range validator
 *   x-goog-hash: crc32c=B64, md5=B64   one header or several; digests of the
 *                             whole object (also on a 206), base64 of the
 *                             big-endian CRC-32C (4 bytes) and the MD5 (16)
 *   Retry-After: 1*DIGIT      seconds (an HTTP-date is ignored)
 *   Content-Encoding: token   anything but identity makes sizes unusable
 * Names are case-insensitive; a line longer than TL__HTTP_LINE_MAX bytes is
 * ignored.  Limits: validators TL__HTTP_VALIDATOR_MAX bytes, numbers < 2^63.
 *
 * A download (tl__fetch) writes DEST.part and, once the body starts,
 * DEST.part.json: {"url", "etag", "last_modified", "length", "crc32c",
 * "md5"}, so that a later attempt or run can resume it with Range and
 * If-Range.  Only a complete, size- and digest-checked file is renamed
 * to DEST.
 *
 * libcurl is loaded (dlopen) by the first download, not linked: with its
 * TLS, Kerberos, LDAP and SSH libraries it is some 25 of the shared
 * objects the command would otherwise map and relocate on every start,
 * for the one command (db update) that uses it.
 */
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "feed_int.h"

/* ---- header parsing ------------------------------------------------------ */

void tl__http_resp_reset(tl__http_resp *r)
{
	memset(r, 0, sizeof(*r));
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Trims optional white space and the line end from [*p, *p + *n). */
static void trim(const char **p, size_t *n)
{
	while (*n && (is_ows((*p)[*n - 1]) || (*p)[*n - 1] == '\r' || (*p)[*n - 1] == '\n'))
		(*n)--;
	while (*n && is_ows(**p)) {
		(*p)++;
		(*n)--;
	}
}

/* A decimal number of 1 to 18 digits (below 2^63), the whole of [p, p + n). */
static bool dec(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 18)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = v;
	return true;
}

static tl_err bad_header(const char *url, const char *name, const char *what)
{
	return tl__error(TL_EPARSE, "%s: header %s: %s", url, name, what);
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decodes padded base64 of exactly want bytes. */
static bool b64_exact(const char *p, size_t n, uint8_t *out, size_t want)
{
	size_t enc = (want + 2) / 3 * 4, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (n != enc)
		return false;
	for (size_t i = 0; i < n; i++) {
		int v;
		if (p[i] == '=') {
			/* padding only at the end, and only as much as want implies */
			for (size_t k = i; k < n; k++)
				if (p[k] != '=')
					return false;
			if (n - i != (3 - want % 3) % 3)
				return false;
			break;
		}
		if ((v = b64val(p[i])) < 0)
			return false;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == want)
				return false;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* leftover bits must be zero (canonical encoding) */
	return o == want && (acc & ((1u << bits) - 1)) == 0;
}

/* x-goog-hash: "crc32c=...,md5=..." (either may be absent; others ignored). */
static tl_err goog_hash(tl__http_resp *r, const char *p, size_t n, const char *url)
{
	while (n) {
		size_t k = 0, eq;
		const char *item;
		while (k < n && p[k] != ',')
			k++;
		item = p;
		{
			size_t m = k;
			trim(&item, &m);
			for (eq = 0; eq < m && item[eq] != '='; eq++)
				;
			if (m == 0)
				;
			else if (eq == m)
				return bad_header(url, "x-goog-hash", "expected ALGORITHM=BASE64");
			else if (eq == 6 && !strncasecmp(item, "crc32c", 6)) {
				uint8_t b[4];
				uint32_t v;
				if (!b64_exact(item + 7, m - 7, b, 4))
					return bad_header(url, "x-goog-hash", "crc32c: expected 4 bytes in base64");
				v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
				if (r->has_crc32c && r->crc32c != v)
					return bad_header(url, "x-goog-hash", "two different crc32c values");
				r->has_crc32c = true;
				r->crc32c = v;
			} else if (eq == 3 && !strncasecmp(item, "md5", 3)) {
				uint8_t b[16];
				if (!b64_exact(item + 4, m - 4, b, 16))
					return bad_header(url, "x-goog-hash", "md5: expected 16 bytes in base64");
				if (r->has_md5 && memcmp(r->md5, b, 16) != 0)
					return bad_header(url, "x-goog-hash", "two different md5 values");
				r->has_md5 = true;
				memcpy(r->md5, b, 16);
			}
		}
		if (k == n)
			break;
		p += k + 1;
		n -= k + 1;
	}
	return TL_OK;
}

/* "bytes F-L/T", or with "*" for an unknown total T. */
static tl_err content_range(tl__http_resp *r, const char *p, size_t n, const char *url)
{
	size_t i = 0, a, b;
	uint64_t first, last, total = 0;
	bool has_total = false;

	if (n < 6 || strncasecmp(p, "bytes ", 6) != 0)
		return bad_header(url, "Content-Range", "expected \"bytes FIRST-LAST/TOTAL\"");
	i = 6;
	for (a = i; i < n && p[i] != '-'; i++)
		;
	if (i == n || !dec(p + a, i - a, &first))
		return bad_header(url, "Content-Range", "expected \"bytes FIRST-LAST/TOTAL\"");
	for (b = ++i; i < n && p[i] != '/'; i++)
		;
	if (i == n || !dec(p + b, i - b, &last) || last < first)
		return bad_header(url, "Content-Range", "expected \"bytes FIRST-LAST/TOTAL\"");
	i++;
	if (n - i == 1 && p[i] == '*') {
		has_total = false;
	} else if (dec(p + i, n - i, &total) && last < total) {
		has_total = true;
	} else {
		return bad_header(url, "Content-Range", "expected \"bytes FIRST-LAST/TOTAL\"");
	}
	r->has_range = true;
	r->range_first = first;
	r->range_last = last;
	r->has_range_total = has_total;
	r->range_total = total;
	return TL_OK;
}

/* Copies a validator value if it fits; an oversized one is dropped. */
static void keep(char *dst, const char *p, size_t n)
{
	if (n >= TL__HTTP_VALIDATOR_MAX) {
		dst[0] = '\0';
		return;
	}
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* A strong entity tag: DQUOTE *etagc DQUOTE (RFC 9110 8.8.3). */
static bool strong_etag(const char *p, size_t n)
{
	if (n < 2 || p[0] != '"' || p[n - 1] != '"')
		return false;
	for (size_t i = 1; i + 1 < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '"' || c < 0x21 || c == 0x7f)
			return false;
	}
	return true;
}

/* Printable ASCII only (it is sent back in a request header). */
static bool printable(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] > 0x7e)
			return false;
	return n > 0;
}

tl_err tl__http_header(tl__http_resp *r, const char *line, size_t len, const char *url)
{
	tl__http_resp t = *r;
	const char *v;
	size_t name_len, vn;
	tl_err err = TL_OK;

	if (len > TL__HTTP_LINE_MAX)
		return TL_OK;
	if (len >= 5 && !memcmp(line, "HTTP/", 5)) {
		/* status line: HTTP/x[.y] SP 3DIGIT [SP reason] */
		size_t i = 5;
		uint64_t code;
		while (i < len && line[i] != ' ')
			i++;
		if (len - i < 4 || !dec(line + i + 1, 3, &code) ||
		    (len - i > 4 && line[i + 4] != ' ' && line[i + 4] != '\r' && line[i + 4] != '\n'))
			return bad_header(url, "status line", "expected \"HTTP/VERSION CODE\"");
		tl__http_resp_reset(r);
		r->status = (long)code;
		return TL_OK;
	}
	for (name_len = 0; name_len < len && line[name_len] != ':'; name_len++)
		;
	if (name_len == len)
		return TL_OK; /* the blank line ending the headers, or junk */
	v = line + name_len + 1;
	vn = len - name_len - 1;
	trim(&v, &vn);
#define IS(h) (name_len == sizeof(h) - 1 && !strncasecmp(line, h, name_len))
	if (IS("Content-Length")) {
		uint64_t n;
		if (!dec(v, vn, &n))
			return bad_header(url, "Content-Length", "expected a decimal number");
		if (t.has_length && t.length != n)
			return bad_header(url, "Content-Length", "two different values");
		t.has_length = true;
		t.length = n;
	} else if (IS("Content-Range")) {
		if ((err = content_range(&t, v, vn, url)) != TL_OK)
			return err;
	} else if (IS("ETag")) {
		if (strong_etag(v, vn))
			keep(t.etag, v, vn);
		else
			t.etag[0] = '\0';
	} else if (IS("Last-Modified")) {
		if (printable(v, vn))
			keep(t.last_modified, v, vn);
	} else if (IS("x-goog-hash")) {
		if ((err = goog_hash(&t, v, vn, url)) != TL_OK)
			return err;
	} else if (IS("Retry-After")) {
		uint64_t n;
		if (dec(v, vn, &n)) {
			t.has_retry_after = true;
			t.retry_after = n;
		}
	} else if (IS("Content-Encoding")) {
		t.encoded = !(vn == 8 && !strncasecmp(v, "identity", 8));
	}
#undef IS
	*r = t;
	return TL_OK;
}

/* ---- CRC-32C ---------------------------------------------------------- */

static uint32_t crc_table[256];
static bool crc_ready;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		crc_table[i] = c;
	}
	crc_ready = true;
}

uint32_t tl__crc32c(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!crc_ready)
		crc_init();
	crc = ~crc;
	for (size_t i = 0; i < len; i++)
		crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ---- the download ----------------------------------------------------- */

typedef struct {
	const tl__fetch_req *q;
	tl__http_resp resp;
	tl_err err;             /* set by a callback that aborted the transfer */
	FILE *f;
	const char *part, *info;
	uint64_t offset;        /* bytes of the partial file this attempt continues */
	uint64_t written;       /* body bytes written in this attempt */
	bool body_started;
	uint64_t expect_total;  /* size of the whole entity, 0: unknown */
	bool has_total;
	/* digests remembered from the partial's earlier response */
	bool has_crc32c, has_md5;
	uint32_t crc32c;
	uint8_t md5[16];
	struct timespec last_progress;
} fetch_ctx;

static size_t on_header(char *buf, size_t size, size_t n, void *arg)
{
	fetch_ctx *c = arg;
	size_t len = size * n;

	if (c->err != TL_OK)
		return 0;
	if ((c->err = tl__http_header(&c->resp, buf, len, c->q->url)) != TL_OK)
		return 0;
	return len;
}

/* Writes the resume information beside the partial file. */
static tl_err save_info(fetch_ctx *c)
{
	json_t *o = json_object();
	char hex[33];
	tl_buf b = TL_BUF_INIT;
	tl_err err = TL_OK;

	if (!o)
		return tl__nomem();
	if (json_object_set_new(o, "url", json_string(c->q->url)) ||
	    json_object_set_new(o, "etag", json_string(c->resp.etag)) ||
	    json_object_set_new(o, "last_modified", json_string(c->resp.last_modified)) ||
	    (c->has_total && json_object_set_new(o, "length", json_integer((json_int_t)c->expect_total))) ||
	    (c->has_crc32c && json_object_set_new(o, "crc32c", json_integer(c->crc32c))))
		err = tl__nomem();
	if (err == TL_OK && c->has_md5) {
		tl_hex(hex, c->md5, 16);
		if (json_object_set_new(o, "md5", json_string(hex)))
			err = tl__nomem();
	}
	if (err == TL_OK && (err = tl_json_dump(&b, o)) == TL_OK)
		err = tl_file_write_atomic(c->info, b.ptr, b.len);
	tl_buf_dispose(&b);
	json_decref(o);
	return err;
}

/* At the first body byte: decide between continuing and restarting. */
static tl_err body_start(fetch_ctx *c)
{
	tl__http_resp *r = &c->resp;
	const tl__fetch_req *q = c->q;

	c->body_started = true;
	if (r->status != 200 && r->status != 206)
		return TL_OK; /* an error page: read and dropped */
	if (r->encoded)
		return tl__error(TL_EIO, "%s: the server sent a Content-Encoding although none was "
		                 "asked for; sizes cannot be checked", q->url);
	if (r->status == 206) {
		if (!c->offset || !r->has_range || r->range_first != c->offset)
			return tl__error(TL_EIO, "%s: 206 for bytes %llu- does not continue the %llu bytes"
			                 " already downloaded", q->url,
			                 (unsigned long long)r->range_first, (unsigned long long)c->offset);
		if (r->has_range_total) {
			if (c->has_total && c->expect_total != r->range_total)
				return tl__error(TL_EIO, "%s: size changed from %llu to %llu bytes while resuming",
				                 q->url, (unsigned long long)c->expect_total,
				                 (unsigned long long)r->range_total);
			c->has_total = true;
			c->expect_total = r->range_total;
		}
		if (r->has_length && r->range_last - r->range_first + 1 != r->length)
			return tl__error(TL_EIO, "%s: Content-Length %llu disagrees with Content-Range",
			                 q->url, (unsigned long long)r->length);
		/* GCS sends the whole object's digests on a 206 too */
		if ((r->has_crc32c && c->has_crc32c && r->crc32c != c->crc32c) ||
		    (r->has_md5 && c->has_md5 && memcmp(r->md5, c->md5, 16) != 0))
			return tl__error(TL_EIO, "%s: x-goog-hash changed while resuming", q->url);
	} else {
		/* 200: the whole entity (a new one, or the server ignored Range) */
		if (c->offset) {
			if (fflush(c->f) != 0 || ftruncate(fileno(c->f), 0) != 0 ||
			    fseeko(c->f, 0, SEEK_SET) != 0)
				return tl__error(TL_EIO, "%s: %s", c->part, strerror(errno));
			c->offset = 0;
		}
		c->has_total = r->has_length;
		c->expect_total = r->length;
		c->has_crc32c = c->has_md5 = false;
	}
	if (r->has_crc32c) {
		c->has_crc32c = true;
		c->crc32c = r->crc32c;
	}
	if (r->has_md5) {
		c->has_md5 = true;
		memcpy(c->md5, r->md5, 16);
	}
	if (c->has_total && c->expect_total > q->max_bytes)
		return tl__error(TL_ELIMIT, "%s: larger than the limit of %llu bytes"
		                 " (--max-input-size)", q->url, (unsigned long long)q->max_bytes);
	if (q->resume && (r->etag[0] || r->last_modified[0]))
		return save_info(c);
	return TL_OK;
}

static size_t on_body(char *buf, size_t size, size_t n, void *arg)
{
	fetch_ctx *c = arg;
	size_t len = size * n;

	if (c->err != TL_OK)
		return 0;
	if (!c->body_started && (c->err = body_start(c)) != TL_OK)
		return 0;
	if (c->resp.status != 200 && c->resp.status != 206)
		return len;
	if (c->offset + c->written > c->q->max_bytes ||
	    len > c->q->max_bytes - c->offset - c->written) {
		c->err = tl__error(TL_ELIMIT, "%s: larger than the limit of %llu bytes"
		                   " (--max-input-size)", c->q->url, (unsigned long long)c->q->max_bytes);
		return 0;
	}
	if (fwrite(buf, 1, len, c->f) != len) {
		c->err = tl__error(TL_EIO, "%s: %s", c->part, strerror(errno));
		return 0;
	}
	c->written += len;
	return len;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	fetch_ctx *c = arg;
	struct timespec now;

	(void)ultotal;
	(void)ulnow;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - c->last_progress.tv_sec) * 1000 +
	    (now.tv_nsec - c->last_progress.tv_nsec) / 1000000 < 200)
		return 0;
	c->last_progress = now;
	tl__progress(c->q->name, c->offset + (uint64_t)dlnow,
	             dltotal > 0 ? c->offset + (uint64_t)dltotal : 0);
	return 0;
}

/* Reads DEST.part.json; false when there is nothing usable to resume. */
static bool load_info(fetch_ctx *c, char *validator, size_t cap, bool *by_etag)
{
	tl_buf b = TL_BUF_INIT;
	json_t *o = NULL, *v;
	const char *s;
	bool ok = false;

	if (tl_file_read(&b, c->info, 65536) != TL_OK ||
	    tl_json_parse(&o, b.ptr ? b.ptr : "", b.len, c->info, NULL) != TL_OK || !json_is_object(o))
		goto done;
	if (!(s = json_string_value(json_object_get(o, "url"))) || strcmp(s, c->q->url) != 0)
		goto done;
	if ((s = json_string_value(json_object_get(o, "etag"))) && s[0] &&
	    strong_etag(s, strlen(s)) && strlen(s) < cap) {
		*by_etag = true;
	} else if ((s = json_string_value(json_object_get(o, "last_modified"))) && s[0] &&
	           printable(s, strlen(s)) && strlen(s) < cap) {
		*by_etag = false;
	} else {
		goto done;
	}
	memcpy(validator, s, strlen(s) + 1);
	if (json_is_integer(v = json_object_get(o, "length")) && json_integer_value(v) >= 0) {
		c->has_total = true;
		c->expect_total = (uint64_t)json_integer_value(v);
	}
	if (json_is_integer(v = json_object_get(o, "crc32c")) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= 0xffffffff) {
		c->has_crc32c = true;
		c->crc32c = (uint32_t)json_integer_value(v);
	}
	if ((s = json_string_value(json_object_get(o, "md5"))) && strlen(s) == 32) {
		bool hex_ok = true;
		for (int i = 0; i < 16 && hex_ok; i++) {
			unsigned x;
			char two[3] = { s[2 * i], s[2 * i + 1], 0 };
			char *end;
			x = (unsigned)strtoul(two, &end, 16);
			hex_ok = *end == '\0' && two[0] != '+' && two[0] != '-' && two[0] != ' ';
			c->md5[i] = (uint8_t)x;
		}
		c->has_md5 = hex_ok;
	}
	ok = true;
done:
	json_decref(o);
	tl_buf_dispose(&b);
	return ok;
}

/* Checks the complete partial file against the size and digests. */
static tl_err verify(fetch_ctx *c, tl__fetch_res *res)
{
	const tl__fetch_req *q = c->q;
	struct stat sb;
	FILE *f = NULL;
	tl_hash_ctx *h = NULL;
	uint32_t crc = 0;
	uint8_t md[TL_HASH_MAX_LEN], buf[65536];
	size_t mdlen = 0, got;
	tl_err err = TL_OK;

	if (stat(c->part, &sb) != 0)
		return tl__error(TL_EIO, "%s: %s", c->part, strerror(errno));
	res->bytes = (uint64_t)sb.st_size;
	if (c->has_total && res->bytes != c->expect_total)
		return tl__error(TL_EIO, "%s: size mismatch: received %llu bytes, the server announced"
		                 " %llu", q->url, (unsigned long long)res->bytes,
		                 (unsigned long long)c->expect_total);
	if (!c->has_crc32c && !c->has_md5)
		return TL_OK;
	if (!(f = fopen(c->part, "rb")))
		return tl__error(TL_EIO, "%s: %s", c->part, strerror(errno));
	if (c->has_md5 && (err = tl_hash_new(&h, TL_HASH_MD5)) != TL_OK)
		goto done;
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
		crc = tl__crc32c(crc, buf, got);
		if (h && (err = tl_hash_update(h, buf, got)) != TL_OK)
			goto done;
	}
	if (ferror(f)) {
		err = tl__error(TL_EIO, "%s: read error", c->part);
		goto done;
	}
	if (c->has_crc32c && crc != c->crc32c) {
		err = tl__error(TL_EIO, "%s: digest mismatch: x-goog-hash crc32c is %08x, the"
		                " downloaded file's is %08x", q->url, c->crc32c, crc);
		goto done;
	}
	res->checked_crc32c = c->has_crc32c;
	if (h) {
		char want[33], have[33];
		if ((err = tl_hash_final(h, md, &mdlen)) != TL_OK)
			goto done;
		if (mdlen != 16 || memcmp(md, c->md5, 16) != 0) {
			tl_hex(want, c->md5, 16);
			tl_hex(have, md, 16);
			err = tl__error(TL_EIO, "%s: digest mismatch: x-goog-hash md5 is %s, the"
			                " downloaded file's is %s", q->url, want, have);
			goto done;
		}
		res->checked_md5 = true;
	}
done:
	tl_hash_free(h);
	fclose(f);
	return err;
}

static bool transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_COULDNT_CONNECT:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

/* The libcurl functions used, from the library loaded by curl_load. */
static struct {
	bool ready;
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	void (*easy_reset)(CURL *h);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode rc);
	void (*easy_cleanup)(CURL *h);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
} cu;

/* Loads libcurl (TL_LIBCURL_SONAME, set by meson.build) and initialises it, once. */
static tl_err curl_load(void)
{
	static const struct {
		const char *name;
		size_t off;
	} fn[] = {
#define FN(f, m) { f, offsetof(__typeof__(cu), m) }
		FN("curl_global_init", global_init), FN("curl_easy_init", easy_init),
		FN("curl_easy_reset", easy_reset), FN("curl_easy_setopt", easy_setopt),
		FN("curl_easy_perform", easy_perform), FN("curl_easy_getinfo", easy_getinfo),
		FN("curl_easy_strerror", easy_strerror), FN("curl_easy_cleanup", easy_cleanup),
		FN("curl_slist_append", slist_append), FN("curl_slist_free_all", slist_free_all),
#undef FN
	};
	void *lib;

	if (cu.ready)
		return TL_OK;
	if (!(lib = dlopen(TL_LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL)))
		return tl__error(TL_EUNSUPPORTED, "cannot load libcurl (%s): %s", TL_LIBCURL_SONAME, dlerror());
	for (size_t i = 0; i < sizeof(fn) / sizeof(fn[0]); i++) {
		void *f = dlsym(lib, fn[i].name);
		if (!f)
			return tl__error(TL_EUNSUPPORTED, "%s: no %s", TL_LIBCURL_SONAME, fn[i].name);
		memcpy((char *)&cu + fn[i].off, &f, sizeof(f));
	}
	if (cu.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return tl__error(TL_EIO, "cannot initialise libcurl");
	cu.ready = true; /* lib stays loaded for the process */
	return TL_OK;
}

tl_err tl__fetch(const tl__fetch_req *q, tl__fetch_res *res)
{
	fetch_ctx c;
	CURL *h = NULL;
	struct curl_slist *hdrs = NULL;
	tl_buf part = TL_BUF_INIT, info = TL_BUF_INIT, hb = TL_BUF_INIT;
	char errbuf[CURL_ERROR_SIZE], validator[TL__HTTP_VALIDATOR_MAX];
	bool by_etag = false, https = !strncasecmp(q->url, "https://", 8);
	tl_err err = TL_OK;

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	c.q = q;
	if (strncasecmp(q->url, "https://", 8) != 0 && strncasecmp(q->url, "http://", 7) != 0)
		return tl__error(TL_EINVAL, "%s: only http:// and https:// URLs are fetched", q->url);
	if ((err = curl_load()) != TL_OK)
		return err;
	if ((err = tl_buf_printf(&part, "%s.part", q->dest)) != TL_OK ||
	    (err = tl_buf_printf(&info, "%s.part.json", q->dest)) != TL_OK)
		goto done;
	c.part = part.ptr;
	c.info = info.ptr;
	validator[0] = '\0';
	{
		struct stat sb;
		if (q->resume && stat(c.part, &sb) == 0 && sb.st_size > 0 &&
		    load_info(&c, validator, sizeof(validator), &by_etag) &&
		    (uint64_t)sb.st_size < q->max_bytes &&
		    (!c.has_total || (uint64_t)sb.st_size < c.expect_total)) {
			c.offset = (uint64_t)sb.st_size;
		} else {
			unlink(c.part);
			unlink(c.info);
			c.has_total = c.has_crc32c = c.has_md5 = false;
			validator[0] = '\0';
		}
	}
	if (!(h = cu.easy_init())) {
		err = tl__nomem();
		goto done;
	}
	for (unsigned attempt = 0;; attempt++) {
		CURLcode rc;
		long status = 0;

		cu.easy_reset(h);
		cu.slist_free_all(hdrs);
		hdrs = NULL;
		tl__http_resp_reset(&c.resp);
		c.err = TL_OK;
		c.written = 0;
		c.body_started = false;
		errbuf[0] = '\0';
		if (!(c.f = fopen(c.part, c.offset ? "ab" : "wb"))) {
			err = tl__error(TL_EIO, "%s: %s", c.part, strerror(errno));
			goto done;
		}
		if (c.offset) {
			char range[48];
			snprintf(range, sizeof(range), "%llu-", (unsigned long long)c.offset);
			cu.easy_setopt(h, CURLOPT_RANGE, range);
			tl_buf_clear(&hb);
			if ((err = tl_buf_printf(&hb, "If-Range: %s", validator)) != TL_OK)
				goto done;
			hdrs = cu.slist_append(hdrs, hb.ptr);
		} else if (q->if_none_match && q->if_none_match[0]) {
			tl_buf_clear(&hb);
			if ((err = tl_buf_printf(&hb, "If-None-Match: %s", q->if_none_match)) != TL_OK)
				goto done;
			hdrs = cu.slist_append(hdrs, hb.ptr);
		}
		if (q->api_key) {
			tl_buf_clear(&hb);
			if ((err = tl_buf_printf(&hb, "apiKey: %s", q->api_key)) != TL_OK)
				goto done;
			hdrs = cu.slist_append(hdrs, hb.ptr);
		}
		cu.easy_setopt(h, CURLOPT_URL, q->url);
		cu.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		/* never from https down to http */
		cu.easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
		/* a custom header would follow a redirect to another host: with an
		 * API key, redirects are not followed (the NVD API sends none) */
		cu.easy_setopt(h, CURLOPT_FOLLOWLOCATION, q->api_key ? 0L : 1L);
		cu.easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
		cu.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
		cu.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
		cu.easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)q->timeout_s);
		cu.easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
		cu.easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)q->timeout_s);
		cu.easy_setopt(h, CURLOPT_USERAGENT, "trustline/" TL_VERSION);
		cu.easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		cu.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		cu.easy_setopt(h, CURLOPT_HEADERDATA, &c);
		cu.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		cu.easy_setopt(h, CURLOPT_WRITEDATA, &c);
		cu.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		cu.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		cu.easy_setopt(h, CURLOPT_XFERINFODATA, &c);
		cu.easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
		cu.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		if (q->max_bytes < INT64_MAX)
			cu.easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)q->max_bytes);

		rc = cu.easy_perform(h);
		cu.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (fclose(c.f) != 0 && rc == CURLE_OK && c.err == TL_OK)
			c.err = tl__error(TL_EIO, "%s: %s", c.part, strerror(errno));
		c.f = NULL;
		if (c.err != TL_OK) {
			err = c.err;
			goto done;
		}
		if (rc == CURLE_FILESIZE_EXCEEDED) {
			err = tl__error(TL_ELIMIT, "%s: larger than the limit of %llu bytes"
			                " (--max-input-size)", q->url, (unsigned long long)q->max_bytes);
			goto done;
		}
		if (rc != CURLE_OK) {
			if (transient(rc) && attempt < q->retries) {
				struct stat sb;
				/* resume what arrived when the server gave a validator */
				if (q->resume && (c.resp.etag[0] || c.resp.last_modified[0]) &&
				    (c.resp.status == 200 || c.resp.status == 206) &&
				    stat(c.part, &sb) == 0 && sb.st_size > 0) {
					snprintf(validator, sizeof(validator), "%s",
					         c.resp.etag[0] ? c.resp.etag : c.resp.last_modified);
					by_etag = c.resp.etag[0] != '\0';
					c.offset = (uint64_t)sb.st_size;
				} else if (!c.body_started || c.resp.status == 200 || c.resp.status == 206) {
					c.offset = c.body_started ? 0 : c.offset;
				}
				tl__log(TL_LOG_INFO, "%s: %s; retrying%s", q->url,
				        errbuf[0] ? errbuf : cu.easy_strerror(rc),
				        c.offset ? " from where it stopped" : "");
				sleep(attempt + 1 > 5 ? 5 : attempt + 1);
				continue;
			}
			err = tl__error(TL_EIO, "%s: %s", q->url, errbuf[0] ? errbuf : cu.easy_strerror(rc));
			goto done;
		}
		res->status = status;
		if (status == 304) {
			res->not_modified = true;
			snprintf(res->etag, sizeof(res->etag), "%s", c.resp.etag);
			snprintf(res->last_modified, sizeof(res->last_modified), "%s", c.resp.last_modified);
			unlink(c.part);
			goto done;
		}
		if (status == 416 && c.offset) {
			/* the partial is not a prefix of what is there now: start over */
			unlink(c.info);
			c.offset = 0;
			c.has_total = c.has_crc32c = c.has_md5 = false;
			if (attempt < q->retries + 1)
				continue;
		}
		if (status != 200 && status != 206) {
			res->has_retry_after = c.resp.has_retry_after;
			res->retry_after = c.resp.retry_after;
			err = tl__error(TL_EIO, "%s: HTTP %ld", q->url, status);
			goto done;
		}
		if (!c.body_started && (err = body_start(&c)) != TL_OK)
			goto done; /* an empty body: still check what was announced */
		res->received += c.written;
		res->resumed = status == 206;
		break;
	}
	(void)by_etag;
	if ((err = verify(&c, res)) != TL_OK) {
		/* a wrong file is not worth resuming */
		unlink(c.part);
		unlink(c.info);
		goto done;
	}
	snprintf(res->etag, sizeof(res->etag), "%s", c.resp.etag);
	snprintf(res->last_modified, sizeof(res->last_modified), "%s", c.resp.last_modified);
	if (rename(c.part, q->dest) != 0) {
		err = tl__error(TL_EIO, "%s: %s", q->dest, strerror(errno));
		goto done;
	}
	unlink(c.info);
	tl__progress(q->name, res->bytes, res->bytes);
done:
	if (c.f)
		fclose(c.f);
	if (err != TL_OK && !q->resume && c.part)
		unlink(c.part);
	cu.slist_free_all(hdrs);
	cu.easy_cleanup(h);
	tl_buf_dispose(&part);
	tl_buf_dispose(&info);
	tl_buf_dispose(&hb);
	return err;
}
