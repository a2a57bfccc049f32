/*
 * trustline core: bounded buffers and readers, checked sizes, JSON input
 * with limits, hashing, logging.
 */
#ifndef TRUSTLINE_CORE_H
#define TRUSTLINE_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "common.h"

/* ---- checked size arithmetic ------------------------------------------ */

/* *out = a + b; returns false on overflow (and leaves *out unspecified). */
static inline bool tl_size_add(size_t *out, size_t a, size_t b)
{
	return !__builtin_add_overflow(a, b, out);
}

static inline bool tl_size_mul(size_t *out, size_t a, size_t b)
{
	return !__builtin_mul_overflow(a, b, out);
}

/* ---- growable buffer with a hard cap ---------------------------------- */

/*
 * A growable byte buffer.  ptr is always NUL-terminated once anything was
 * added (so it can be used as a C string); len excludes the NUL.  max is the
 * largest len allowed; 0 means TL_BUF_DEFAULT_MAX.
 */
typedef struct {
	char *ptr;
	size_t len;
	size_t cap;
	size_t max;
} tl_buf;

#define TL_BUF_DEFAULT_MAX ((size_t)1 << 31)
#define TL_BUF_INIT { NULL, 0, 0, 0 }

TL_EXTERN tl_err tl_buf_put(tl_buf *b, const void *data, size_t len);
TL_EXTERN tl_err tl_buf_puts(tl_buf *b, const char *s);
TL_EXTERN tl_err tl_buf_putc(tl_buf *b, char c);
TL_EXTERN tl_err tl_buf_printf(tl_buf *b, const char *fmt, ...) TL_PRINTF(2, 3);
TL_EXTERN tl_err tl_buf_vprintf(tl_buf *b, const char *fmt, va_list ap) TL_PRINTF(2, 0);
/* Makes sure ptr is allocated and NUL-terminated (an empty string). */
TL_EXTERN tl_err tl_buf_cstr(tl_buf *b);
/* Empties the buffer, keeping its memory. */
TL_EXTERN void tl_buf_clear(tl_buf *b);
/* Frees the memory; the struct can be reused. */
TL_EXTERN void tl_buf_dispose(tl_buf *b);
/* Returns the string (caller frees) and empties the buffer; never NULL
 * unless out of memory. */
TL_EXTERN char *tl_buf_detach(tl_buf *b);

/* ---- bounded reader over untrusted bytes ------------------------------ */

/* Borrowed view of untrusted bytes.  Invariant: off <= len. */
typedef struct {
	const uint8_t *p;
	size_t len;
	size_t off;
	const char *name; /* file name for messages, borrowed; may be NULL */
} tl_reader;

TL_EXTERN void tl_reader_init(tl_reader *r, const void *p, size_t len, const char *name);
/* Takes n bytes; on error the reader is unchanged. */
TL_EXTERN tl_err tl_reader_take(tl_reader *r, size_t n, const uint8_t **out);
TL_EXTERN tl_err tl_reader_u8(tl_reader *r, uint8_t *out);
TL_EXTERN tl_err tl_reader_be16(tl_reader *r, uint16_t *out);
TL_EXTERN tl_err tl_reader_be32(tl_reader *r, uint32_t *out);
TL_EXTERN tl_err tl_reader_le16(tl_reader *r, uint16_t *out);
TL_EXTERN tl_err tl_reader_le32(tl_reader *r, uint32_t *out);
TL_EXTERN tl_err tl_reader_le64(tl_reader *r, uint64_t *out);
static inline size_t tl_reader_left(const tl_reader *r) { return r->len - r->off; }

/* ---- files ------------------------------------------------------------- */

/* Default largest file tl_file_read accepts. */
#define TL_FILE_DEFAULT_MAX ((size_t)512 << 20)

/*
 * Reads a whole file ("-" is standard input) into *out (caller frees with
 * tl_buf_dispose).  Fails with TL_ELIMIT past max bytes (0: the default).
 */
TL_EXTERN tl_err tl_file_read(tl_buf *out, const char *path, size_t max);

/*
 * Writes data to path atomically: a temporary file next to it, fsync,
 * rename.  "-" writes to standard output; an existing device or FIFO
 * (/dev/null) is written in place, never replaced.
 */
TL_EXTERN tl_err tl_file_write_atomic(const char *path, const void *data, size_t len);

/*
 * Where output made piece by piece goes: write(ctx, data, len) takes the
 * next len bytes, in order.  An error it returns (message set) stops the
 * producer, which returns it.
 */
typedef struct {
	tl_err (*write)(void *ctx, const void *data, size_t len);
	void *ctx;
} tl_sink;

/*
 * The same atomic write as tl_file_write_atomic, with the data given in
 * pieces as it is made: tl_file_out_open creates the temporary file next
 * to path (or, for "-", a device or a FIFO, writes in place),
 * tl_file_out_write appends (the file's written ranges are handed to the
 * kernel for write-back as it goes, so the final fsync has little left),
 * tl_file_out_commit syncs, renames into place and frees f (whatever it
 * returns), tl_file_out_abort removes the temporary file and frees f (NULL
 * is a no-op).  Until the commit, path is untouched.  Errors: TL_EIO.
 */
typedef struct tl_file_out tl_file_out;
TL_EXTERN tl_err tl_file_out_open(tl_file_out **out, const char *path);
TL_EXTERN tl_err tl_file_out_write(tl_file_out *f, const void *data, size_t len);
TL_EXTERN tl_err tl_file_out_commit(tl_file_out *f);
TL_EXTERN void tl_file_out_abort(tl_file_out *f);
/* A sink that appends to f (borrowed: f must outlive its use). */
TL_EXTERN tl_sink tl_file_out_sink(tl_file_out *f);
/* Whether path is written in place by tl_file_out_open ("-", an existing
 * device or FIFO), where nothing can be taken back after an error. */
TL_EXTERN bool tl_file_out_in_place(const char *path);

/* ---- JSON (jansson) ---------------------------------------------------- */

typedef struct json_t json_t;

typedef struct {
	size_t max_bytes;  /* 0: TL_FILE_DEFAULT_MAX */
	unsigned max_depth; /* 0: TL_JSON_DEFAULT_DEPTH */
} tl_json_limits;

#define TL_JSON_DEFAULT_DEPTH 128

/*
 * Parses untrusted JSON: rejects duplicate keys, invalid UTF-8, NUL in
 * strings, nesting deeper than the limit, and trailing data.  name is used
 * in messages ("sbom.json: line 3 column 7 (offset 40): ...").  On success
 * *out is a new reference.  Returns TL_EPARSE or TL_ELIMIT.
 */
TL_EXTERN tl_err tl_json_parse(json_t **out, const char *data, size_t len,
                               const char *name, const tl_json_limits *lim);
/* Reads and parses a file ("-" is standard input). */
TL_EXTERN tl_err tl_json_load_file(json_t **out, const char *path, const tl_json_limits *lim);

/*
 * Serialises with sorted keys and two-space indentation, ending in a
 * newline: the same value gives the same bytes.
 */
TL_EXTERN tl_err tl_json_dump(tl_buf *out, const json_t *v);

/* ---- hashing (OpenSSL) ------------------------------------------------- */

typedef enum {
	TL_HASH_SHA256 = 0,
	TL_HASH_SHA512 = 1,
	TL_HASH_SHA1 = 2,
	TL_HASH_SHA384 = 3,
	TL_HASH_MD5 = 4,    /* transfer checks only (x-goog-hash), never for security */
} tl_hash_alg;

#define TL_HASH_MAX_LEN 64

typedef struct tl_hash_ctx tl_hash_ctx;

TL_EXTERN tl_err tl_hash_new(tl_hash_ctx **out, tl_hash_alg alg);
TL_EXTERN tl_err tl_hash_update(tl_hash_ctx *c, const void *data, size_t len);
/* Writes the digest (*len bytes) and frees nothing; call tl_hash_free. */
TL_EXTERN tl_err tl_hash_final(tl_hash_ctx *c, uint8_t out[TL_HASH_MAX_LEN], size_t *len);
TL_EXTERN void tl_hash_free(tl_hash_ctx *c);
/* One-shot digest of a buffer. */
TL_EXTERN tl_err tl_hash_buf(tl_hash_alg alg, const void *data, size_t len,
                             uint8_t out[TL_HASH_MAX_LEN], size_t *outlen);
/* Streaming digest of a file of any size. */
TL_EXTERN tl_err tl_hash_file(tl_hash_alg alg, const char *path,
                              uint8_t out[TL_HASH_MAX_LEN], size_t *outlen);
/* Lower-case hex of len bytes into out (2*len+1 bytes). */
TL_EXTERN void tl_hex(char *out, const uint8_t *in, size_t len);

/* ---- time -------------------------------------------------------------- */

/*
 * The time to stamp on documents: SOURCE_DATE_EPOCH when set and valid,
 * otherwise now.  Returns TL_EINVAL if SOURCE_DATE_EPOCH is set but bad.
 */
TL_EXTERN tl_err tl_now(int64_t *out);
/* Formats seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ" (21 bytes). */
TL_EXTERN void tl_time_iso8601(char out[32], int64_t t);
/* Parses an RFC 3339 date-time into seconds since the epoch. */
TL_EXTERN tl_err tl_time_parse(int64_t *out, const char *s);

/* ---- logging and progress ---------------------------------------------- */

typedef enum { TL_LOG_ERROR = 0, TL_LOG_WARN = 1, TL_LOG_INFO = 2, TL_LOG_DEBUG = 3 } tl_log_level;

/* The library never prints: it hands messages to this callback (default:
 * none).  The command line installs one that writes to stderr. */
typedef void (*tl_log_fn)(tl_log_level level, const char *msg, void *ctx);
TL_EXTERN void tl_log_set_handler(tl_log_fn fn, void *ctx);
TL_EXTERN void tl_log_set_level(tl_log_level level);

/* Progress: done of total units (total 0: unknown). */
typedef void (*tl_progress_fn)(const char *what, uint64_t done, uint64_t total, void *ctx);
TL_EXTERN void tl_progress_set_handler(tl_progress_fn fn, void *ctx);

/* ---- small string helpers ---------------------------------------------- */

/* strdup that returns NULL for NULL. */
TL_EXTERN char *tl_strdup(const char *s);
/* Parses a decimal unsigned integer, whole string; false on junk/overflow. */
TL_EXTERN bool tl_parse_u64(const char *s, uint64_t *out);

#endif
