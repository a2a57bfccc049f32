/*
 * Internal helpers of the core module, shared by every library file.
 */
#ifndef TL_CORE_INT_H
#define TL_CORE_INT_H

#include "trustline/core.h"

/*
 * Sets the thread-local error message and returns code, so a failure
 * site reads: return tl__error(TL_EPARSE, "%s: $.x: expected a string", name);
 */
tl_err tl__error(tl_err code, const char *fmt, ...) TL_PRINTF(2, 3);

/* Error about untrusted bytes at the reader's current offset:
 * "<name>: offset N: <message>".  Returns TL_EPARSE. */
tl_err tl__corrupt(const tl_reader *r, const char *fmt, ...) TL_PRINTF(2, 3);

/*
 * Copies untrusted text s into out (cap bytes, NUL included) for quoting in
 * a message: control characters, DEL and '"' become '?', and text that does
 * not fit is cut and ends in "...".  cap must be at least 4.
 */
void tl__quote(char *out, size_t cap, const char *s);

/*
 * RFC 3339 pieces, strict (real calendar days; a leap second only at
 * 23:59:60 UTC).  tl__rfc3339_date reads a full-date at the start of s and
 * returns its length (10) or 0; tl__rfc3339_time reads a full-time that is
 * the whole of s, giving its offset from UTC in minutes.
 */
size_t tl__rfc3339_date(const char *s, int *y, int *m, int *d);
bool tl__rfc3339_time(const char *s, int *h, int *mi, int *sec, int *offset_min);

/* Makes room for n more bytes (and the NUL) in b without adding any:
 * the caller writes at b->ptr + b->len and moves len.  The cap applies. */
tl_err tl__buf_reserve(tl_buf *b, size_t n);

/* A sink that feeds the digest c (borrowed). */
tl_sink tl__hash_sink(tl_hash_ctx *c);

/* Out-of-memory error with a fixed message. */
tl_err tl__nomem(void);

void tl__log(tl_log_level level, const char *fmt, ...) TL_PRINTF(2, 3);
/* Holds the messages tl__log takes on this thread (those its level lets
 * through) in b (borrowed) instead of handing them over; NULL ends it.
 * tl__log_replay hands the held messages to the handler, in order, so a
 * worker's messages come out where a single thread would have logged them. */
void tl__log_capture(tl_buf *b);
void tl__log_replay(const tl_buf *b);
void tl__progress(const char *what, uint64_t done, uint64_t total);

/*
 * String-keyed hash table (strtab.c).  A zeroed tl__strtab is empty; set
 * own_keys before the first put to have keys copied in and freed by
 * tl__strtab_dispose, else keys are borrowed and must outlive the table.
 * Each key carries a number and a pointer for the caller.  Slot pointers
 * stay valid until the next put.
 */
typedef struct {
	uint64_t h;      /* tl__strhash of key */
	const char *key; /* NULL: an empty slot */
	size_t n;        /* the caller's */
	const void *p;   /* the caller's */
} tl__strtab_slot;

typedef struct {
	tl__strtab_slot *slots;
	size_t cap, n; /* cap 0 or a power of two */
	bool own_keys;
} tl__strtab;

/* 64-bit hash of n bytes (not keyed; for in-memory tables only). */
uint64_t tl__strhash(const void *s, size_t n);
/* The slot of key, or NULL (also for a NULL key). */
tl__strtab_slot *tl__strtab_get(const tl__strtab *t, const char *key);
/* tl__strtab_get of keys[0..n) into out[0..n), the memory accesses of
 * several lookups overlapped (for long runs of lookups in a big table). */
void tl__strtab_get_batch(const tl__strtab *t, const char *const *keys, size_t n, tl__strtab_slot **out);
/* The slot of key, added (n 0, p NULL; *added true when added is not NULL)
 * when key is new. */
tl_err tl__strtab_put(tl__strtab *t, const char *key, tl__strtab_slot **out, bool *added);
/* tl__strtab_put with key's tl__strhash given (h), for a caller that has
 * it already. */
tl_err tl__strtab_put_hashed(tl__strtab *t, const char *key, uint64_t h, tl__strtab_slot **out, bool *added);
/* Starts fetching the first slot of hash h into the cache (a hint: for a
 * run of puts or gets whose hashes are known ahead). */
void tl__strtab_prefetch(const tl__strtab *t, uint64_t h);
/* Room for n more keys without a rehash (for a table about to be filled). */
tl_err tl__strtab_reserve(tl__strtab *t, size_t n);
void tl__strtab_dispose(tl__strtab *t);

/* Growable array of fixed-size elements: makes room for one more element
 * in *arr (count n), zeroes it, and returns it in *out. */
tl_err tl__array_grow(void **arr, size_t *n, size_t elem, void **out);

/*
 * Streaming JSON (json_stream.c): a top-level object whose big arrays are
 * parsed one element at a time, so a large document never exists as one
 * tree.  keys (NULL-terminated) names the arrays to stream; each one found
 * (by its raw key, value an array, first occurrence) stays in the
 * "skeleton" root as an empty array, and its elements are parsed on demand
 * by jansson with the rules of tl_json_parse.
 *
 * Opening succeeds only if the whole document would parse with
 * tl_json_parse under lim; every failure (not an object, malformed, a
 * limit, not a regular file) is an error, and the caller then loads the
 * document whole, which gives the canonical message.  An item can still
 * fail to parse (TL_EPARSE): the document is then invalid, same rule.
 */
typedef struct tl__json_stream tl__json_stream;

tl_err tl__json_stream_open(tl__json_stream **out, const char *path, const tl_json_limits *lim,
                            const char *const *keys);
/* The same on bytes in memory (borrowed until close). */
tl_err tl__json_stream_openb(tl__json_stream **out, const char *data, size_t len, const char *name,
                             const tl_json_limits *lim, const char *const *keys);
void tl__json_stream_close(tl__json_stream *s);
/* The skeleton (borrowed): streamed arrays are empty in it. */
json_t *tl__json_stream_root(const tl__json_stream *s);
/* Whether key was streamed, and its number of elements. */
bool tl__json_stream_has(const tl__json_stream *s, const char *key);
size_t tl__json_stream_count(const tl__json_stream *s, const char *key);
/* Parses element i of the streamed array key: *out is a new reference.
 * Elements are best read in order (pages before them are released). */
tl_err tl__json_stream_item(tl__json_stream *s, const char *key, size_t i, json_t **out);
/* Puts every element of key into the skeleton's array (which then holds
 * what the whole document holds there). */
tl_err tl__json_stream_fill(tl__json_stream *s, const char *key);

/*
 * A streamed tl_json_dump: writes root (an object) exactly as
 * tl_json_dump would if the value of each gens[i].key (which must be in
 * root, as a placeholder) were an array of the items gens[i].next returns,
 * in order, one by one (each a new reference, freed once written; NULL:
 * no more).  The items never exist together.
 *
 * A generator may give item instead of next: item(ctx, i, &v) makes the
 * item of index i < count (NULL: none for this index, nothing written).
 * item must be safe to call from several threads at once for different i
 * (it only reads what ctx points to) and must not log: the items are then
 * made and written in chunks by two worker threads and put together in
 * order, so the bytes are those of a sequential run.  An error is the one
 * of the first index that failed.
 *
 * Or write instead of item, under the same rules: write(ctx, i, out, &wrote)
 * appends the text of item i to out as put there by tl_json_dump at depth
 * 2 (the separator and indentation before it are already written; keys in
 * the order of tl_json_dump, strings through tl__json_put_string), or
 * nothing with wrote false.  This spares making items as jansson values.
 */
typedef struct {
	const char *key;
	tl_err (*next)(void *ctx, json_t **out);
	void *ctx;
	tl_err (*item)(void *ctx, size_t i, json_t **out);
	size_t count;
	tl_err (*write)(void *ctx, size_t i, tl_buf *out, bool *wrote);
} tl__json_gen;

/*
 * Parses data (len bytes, borrowed) as json_loadb(data, len,
 * JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, ...) of jansson 2.14 would, only
 * faster (json_fast.c): the same verdict and, on success, a value
 * json_equal to jansson's with the same types and key order.  *out is a new
 * reference, or NULL.  Returns TL_OK, TL_EPARSE when the text is not valid
 * (no message is set: the caller runs json_loadb on the same bytes for
 * jansson's error; the caller must also take json_loadb's value should it
 * succeed, which it does only under a locale whose decimal point is not
 * '.') or TL_ENOMEM (no message set either).
 */
tl_err tl__json_fast_parse(json_t **out, const char *data, size_t len);
/* Whether s (n bytes) is UTF-8 that jansson takes in a string (json_stringn
 * non-NULL): well-formed, no overlong form, surrogate or code point past
 * U+10FFFF.  NUL bytes count as text here. */
bool tl__json_utf8_valid(const char *s, size_t n);
/* The length of the UTF-8 sequence at s (n > 0 bytes available) by the
 * same rules: 1 for ASCII, 2 to 4, or 0 when it is not well-formed. */
size_t tl__utf8_seq_len(const char *s, size_t n);

/* The length of the longest prefix of s (n bytes) with nothing a JSON
 * string escapes: no '"', '\\' or byte below 0x20. */
size_t tl__json_plain_len(const char *s, size_t n);
/* The same, also stopping at the first byte from 0x80 on: the prefix a
 * writer that checks UTF-8 itself may copy as it is. */
size_t tl__json_ascii_len(const char *s, size_t n);
/* The string s (n bytes, valid UTF-8) as tl_json_dump writes it, quoted. */
tl_err tl__json_put_string(tl_buf *out, const char *s, size_t n);
/* A newline and 2 * depth spaces, as tl_json_dump indents. */
tl_err tl__json_put_indent(tl_buf *out, unsigned depth);
/* An object member's start as tl_json_dump writes it: ",", a newline and
 * the indent, "key": (no comma when *first, which it then clears). */
tl_err tl__json_put_key(tl_buf *out, unsigned depth, bool *first, const char *key);

/* sink NULL: the whole text is appended to out.  Otherwise it goes to the
 * sink as it is made (out only stages it, and is left empty). */
tl_err tl__json_dump_gen(tl_buf *out, const tl_sink *sink, const json_t *root, const tl__json_gen *gens,
                         size_t n_gens);

#endif
