/*
 * Internal interface of `db update`: the one libcurl wrapper
 * (feed_http.c: downloads with resume, size and digest checks, and the
 * parsers of the response headers it relies on) and the NVD API page
 * envelope reader (update.c).  docs/vulndb.md describes what is checked.
 */
#ifndef TL_FEED_INT_H
#define TL_FEED_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core_int.h"
#include "trustline/vuln.h"

/* Longest validator (ETag, Last-Modified) kept; longer ones are not used. */
#define TL__HTTP_VALIDATOR_MAX 256
/* Longest header line looked at (others are ignored whole). */
#define TL__HTTP_LINE_MAX 8192

/* What a response said about its body, from its header lines. */
typedef struct {
	long status;                   /* from the status line; 0 before one */
	char etag[TL__HTTP_VALIDATOR_MAX];          /* strong ETag as sent (quotes kept), or "" */
	char last_modified[TL__HTTP_VALIDATOR_MAX]; /* Last-Modified as sent, or "" */
	bool has_length;               /* Content-Length */
	uint64_t length;
	bool has_range;                /* Content-Range: bytes first-last/total */
	uint64_t range_first, range_last;
	bool has_range_total;          /* false for an unknown ("*") total */
	uint64_t range_total;
	bool has_crc32c;               /* x-goog-hash crc32c=... (big-endian CRC-32C) */
	uint32_t crc32c;
	bool has_md5;                  /* x-goog-hash md5=... */
	uint8_t md5[16];
	bool has_retry_after;          /* Retry-After in seconds (an HTTP-date is ignored) */
	uint64_t retry_after;
	bool encoded;                  /* a Content-Encoding other than identity */
} tl__http_resp;

/* Clears r (a new response starts). */
void tl__http_resp_reset(tl__http_resp *r);

/*
 * Reads one header line (len bytes, borrowed, CRLF optional, not NUL
 * terminated) into r.  A status line ("HTTP/1.1 200 OK") starts a new
 * response (each hop of a redirect sends one).  Headers that the download
 * relies on must be well formed: a malformed Content-Length, Content-Range
 * or x-goog-hash is TL_EPARSE ("<url>: header <name>: what was expected");
 * other headers are ignored.  A repeated Content-Length or digest that
 * disagrees with the first is TL_EPARSE too.  r is left as it was on error.
 */
tl_err tl__http_header(tl__http_resp *r, const char *line, size_t len, const char *url);

/* CRC-32C (Castagnoli, reflected 0x82F63B78), as GCS reports it; start
 * with crc = 0 and feed the previous result to continue. */
uint32_t tl__crc32c(uint32_t crc, const void *data, size_t len);

/* One download. */
typedef struct {
	const char *url;          /* borrowed */
	const char *dest;         /* final file; the partial is dest + ".part" */
	const char *name;         /* short name for progress and messages */
	const char *if_none_match; /* an ETag to send in If-None-Match, or NULL */
	const char *api_key;      /* NVD: sent as the apiKey header, or NULL */
	bool resume;              /* keep and resume a partial file (Range, If-Range) */
	uint64_t max_bytes;       /* largest body accepted */
	unsigned timeout_s;       /* connect timeout; also the stall limit (< 1 KiB/s) */
	unsigned retries;         /* more attempts after a dropped transfer */
} tl__fetch_req;

typedef struct {
	long status;              /* final status: 200, 206 or 304 */
	bool not_modified;        /* 304: dest was not written */
	char etag[TL__HTTP_VALIDATOR_MAX];
	char last_modified[TL__HTTP_VALIDATOR_MAX];
	uint64_t bytes;           /* size of dest */
	uint64_t received;        /* body bytes received in this run */
	bool resumed;             /* a 206 continued an earlier partial file */
	bool checked_crc32c, checked_md5;
	bool has_retry_after;
	uint64_t retry_after;
} tl__fetch_res;

/*
 * Downloads q->url to q->dest (replacing it on success only).  HTTP and
 * HTTPS only, TLS verified, redirects followed (never from HTTPS to HTTP;
 * not at all with an API key, which would go along).
 * With q->resume a partial file from an earlier attempt or run is
 * continued with Range and If-Range (validated by its strong ETag or
 * Last-Modified; restarted when the server sends the whole entity).  The
 * size is checked against Content-Length / Content-Range, and the digests
 * of an x-goog-hash header against the whole file.  Returns TL_OK (also
 * for 304), TL_EIO (transport error, HTTP status, size or digest
 * mismatch: "<url>: ..."), TL_ELIMIT (larger than q->max_bytes),
 * TL_EPARSE (malformed header), TL_ENOMEM.  On an HTTP error status
 * res->status is set (and res->retry_after when the server sent one).
 */
tl_err tl__fetch(const tl__fetch_req *q, tl__fetch_res *res);

/* The NVD CVE API 2.0 response envelope. */
typedef struct {
	uint64_t results_per_page, start_index, total_results;
	uint64_t count;           /* entries of "vulnerabilities" */
} tl__nvd_envelope;

/*
 * Reads the envelope of an NVD API 2.0 page (data borrowed; name in
 * messages): resultsPerPage, startIndex, totalResults (non-negative
 * integers), format "NVD_CVE", and the vulnerabilities array.  Returns TL_OK, TL_EPARSE, TL_ELIMIT, TL_ENOMEM.
 */
tl_err tl__nvd_envelope_read(tl__nvd_envelope *out, const char *data, size_t len,
                             const char *name);

/* ---- db.c hooks for the update ----------------------------------------- */

/* A meta row to write in the import's transaction (value NULL: delete). */
typedef struct {
	const char *key, *value;
} tl__meta_kv;

/* tl_vulndb_import, also writing meta rows before the COMMIT. */
tl_err tl__vulndb_import_meta(tl_vulndb *db, const char *const *paths, size_t n,
                              const tl__meta_kv *meta, size_t n_meta, tl_vulndb_import_stats *st);
/* The value of a meta key as a new string in *out (NULL when absent). */
tl_err tl__vulndb_meta_get(tl_vulndb *db, const char *key, char **out);
/* The path the database was opened with (borrowed). */
const char *tl__vulndb_path(const tl_vulndb *db);

#endif
