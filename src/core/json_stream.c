/*
 * Large JSON documents without the whole tree: a strict byte scanner walks
 * the top-level object and the arrays named by the caller, and jansson
 * parses everything else piece by piece with the same rules as
 * tl_json_parse (duplicate keys, UTF-8, NUL, depth).
 *
 * The scanner only finds boundaries; every byte of every value still goes
 * through jansson:
 *  - the "skeleton": the top-level object with each streamed array written
 *    as [] (its key kept, so a repeated key is still a duplicate);
 *  - each element of a streamed array, parsed when the caller asks for it.
 * The bytes jansson does not see (whitespace, the brackets and commas of a
 * streamed array) are checked here against the RFC 8259 grammar.  So the
 * document is accepted if and only if jansson accepts it whole, and the
 * pieces are the same values; any doubt (a malformed or unusual document,
 * a limit) ends in an error, and callers then take the whole-tree path,
 * which produces the canonical message.
 *
 * Files are mapped, not copied; pages already handed to jansson are
 * dropped from the mapping as the caller moves on, so the resident size
 * stays near one element.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_int.h"

#define STREAM_MAX_KEYS 8
#define DROP_STEP ((size_t)4 << 20) /* drop mapped pages in steps of this */

typedef struct {
	size_t start, end; /* [start, end) in the input */
} span;

typedef struct {
	const char *key;
	bool present;
	span *items;
	size_t n, cap;
} stream_array;

struct tl__json_stream {
	const char *name;
	const unsigned char *data;
	size_t len;
	void *map; /* non-NULL: data is this mapping of map_len bytes */
	size_t map_len;
	size_t dropped; /* mapped bytes before this were released */
	unsigned max_depth;
	json_t *root;
	stream_array arrays[STREAM_MAX_KEYS];
	size_t n_arrays;
};

static tl_err not_streamable(const tl__json_stream *s, size_t off, const char *what)
{
	return tl__error(TL_EPARSE, "%s: offset %zu: %s (streaming JSON scanner)", s->name, off, what);
}

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const tl__json_stream *s, size_t i)
{
	while (i < s->len && is_ws(s->data[i]))
		i++;
	return i;
}

/* i is just past an opening quote; returns the offset just past the
 * closing one, or 0 if the string does not end.  Escapes and UTF-8 are
 * jansson's to check; here only where the string ends matters. */
static size_t skip_string(const tl__json_stream *s, size_t i)
{
	const unsigned char *d = s->data;

	while (i < s->len) {
		unsigned char c = d[i];
		if (c == '"')
			return i + 1;
		if (c == '\\') {
			i += 2;
			continue;
		}
		if (c < 0x20)
			return 0; /* a raw control character: invalid, let jansson say so */
		i++;
	}
	return 0;
}

/* Skips one value starting at i (not whitespace) whose container depth is
 * base; returns the offset just past it, or 0. */
static size_t skip_value(const tl__json_stream *s, size_t i, unsigned base)
{
	const unsigned char *d = s->data;
	unsigned depth = 0;

	if (i >= s->len)
		return 0;
	if (d[i] == '"')
		return skip_string(s, i + 1);
	if (d[i] != '{' && d[i] != '[') {
		size_t start = i;
		while (i < s->len && !is_ws(d[i]) && d[i] != ',' && d[i] != ']' && d[i] != '}' &&
		       d[i] != ':' && d[i] != '"' && d[i] != '[' && d[i] != '{')
			i++;
		return i > start ? i : 0;
	}
	while (i < s->len) {
		unsigned char c = d[i];
		if (c == '"') {
			if (!(i = skip_string(s, i + 1)))
				return 0;
			continue;
		}
		if (c == '{' || c == '[') {
			if (base + ++depth > s->max_depth)
				return 0;
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				return i + 1;
		}
		i++;
	}
	return 0;
}

static stream_array *array_for(tl__json_stream *s, const unsigned char *key, size_t len)
{
	for (size_t k = 0; k < s->n_arrays; k++)
		if (strlen(s->arrays[k].key) == len && memcmp(s->arrays[k].key, key, len) == 0)
			return &s->arrays[k];
	return NULL;
}

static tl_err add_item(stream_array *a, size_t start, size_t end)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 256;
		span *n = realloc(a->items, cap * sizeof(*n));
		if (!n)
			return tl__nomem();
		a->items = n;
		a->cap = cap;
	}
	a->items[a->n].start = start;
	a->items[a->n].end = end;
	a->n++;
	return TL_OK;
}

/* Reads the array at i ('['): records each element's span; returns the
 * offset just past ']' in *next. */
static tl_err scan_array(tl__json_stream *s, stream_array *a, size_t i, size_t *next)
{
	const unsigned char *d = s->data;
	size_t end;
	tl_err err;

	if (s->max_depth < 2)
		return not_streamable(s, i, "nesting limit");
	i = skip_ws(s, i + 1);
	if (i < s->len && d[i] == ']') {
		*next = i + 1;
		return TL_OK;
	}
	for (;;) {
		if (!(end = skip_value(s, i, 2)))
			return not_streamable(s, i, "expected a value");
		if ((err = add_item(a, i, end)) != TL_OK)
			return err;
		i = skip_ws(s, end);
		if (i < s->len && d[i] == ']') {
			*next = i + 1;
			return TL_OK;
		}
		if (i >= s->len || d[i] != ',')
			return not_streamable(s, i, "expected ',' or ']'");
		i = skip_ws(s, i + 1);
	}
}

/* Walks the top-level object; builds the skeleton text in sk. */
static tl_err scan_top(tl__json_stream *s, tl_buf *sk)
{
	const unsigned char *d = s->data;
	size_t i = skip_ws(s, 0), ks, ke, vs, ve = 0;
	stream_array *a;
	tl_err err;

	if (i >= s->len || d[i] != '{')
		return not_streamable(s, i, "the document is not an object");
	if (s->max_depth < 1)
		return not_streamable(s, i, "nesting limit");
	if ((err = tl_buf_putc(sk, '{')) != TL_OK)
		return err;
	i = skip_ws(s, i + 1);
	if (i < s->len && d[i] == '}') {
		i++;
		goto tail;
	}
	for (;;) {
		if (i >= s->len || d[i] != '"')
			return not_streamable(s, i, "expected a key");
		ks = i;
		if (!(ke = skip_string(s, i + 1)))
			return not_streamable(s, i, "unterminated key");
		i = skip_ws(s, ke);
		if (i >= s->len || d[i] != ':')
			return not_streamable(s, i, "expected ':'");
		vs = skip_ws(s, i + 1);
		/* a key is matched by its raw bytes: one written with escapes is
		 * left in the skeleton, which jansson then checks like any other */
		a = vs < s->len && d[vs] == '[' ? array_for(s, d + ks + 1, ke - ks - 2) : NULL;
		if (a && !a->present) {
			a->present = true;
			if ((err = tl_buf_put(sk, (const char *)d + ks, ke - ks)) != TL_OK ||
			    (err = tl_buf_puts(sk, ":[]")) != TL_OK)
				return err;
			if ((err = scan_array(s, a, vs, &ve)) != TL_OK)
				return err;
		} else {
			if (!(ve = skip_value(s, vs, 1)))
				return not_streamable(s, vs, "expected a value");
			if ((err = tl_buf_put(sk, (const char *)d + ks, ke - ks)) != TL_OK ||
			    (err = tl_buf_putc(sk, ':')) != TL_OK ||
			    (err = tl_buf_put(sk, (const char *)d + vs, ve - vs)) != TL_OK)
				return err;
		}
		i = skip_ws(s, ve);
		if (i < s->len && d[i] == '}') {
			i++;
			break;
		}
		if (i >= s->len || d[i] != ',')
			return not_streamable(s, i, "expected ',' or '}'");
		if ((err = tl_buf_putc(sk, ',')) != TL_OK)
			return err;
		i = skip_ws(s, i + 1);
	}
tail:
	if (skip_ws(s, i) != s->len)
		return not_streamable(s, i, "data after the document");
	return tl_buf_putc(sk, '}');
}

static tl_err stream_init(tl__json_stream *s, const char *const *keys, const tl_json_limits *lim)
{
	tl_buf sk = TL_BUF_INIT;
	tl_err err;

	s->max_depth = lim && lim->max_depth ? lim->max_depth : TL_JSON_DEFAULT_DEPTH;
	for (size_t k = 0; keys && keys[k]; k++) {
		if (s->n_arrays == STREAM_MAX_KEYS)
			return tl__error(TL_EINVAL, "JSON stream: more than %d keys", STREAM_MAX_KEYS);
		s->arrays[s->n_arrays++].key = keys[k];
	}
	if ((err = scan_top(s, &sk)) == TL_OK)
		err = tl_json_parse(&s->root, sk.ptr, sk.len, s->name, lim);
	tl_buf_dispose(&sk);
	return err;
}

tl_err tl__json_stream_openb(tl__json_stream **out, const char *data, size_t len, const char *name,
                             const tl_json_limits *lim, const char *const *keys)
{
	tl__json_stream *s;
	size_t max_bytes = lim && lim->max_bytes ? lim->max_bytes : TL_FILE_DEFAULT_MAX;
	tl_err err;

	*out = NULL;
	if (len > max_bytes)
		return tl__error(TL_ELIMIT, "%s: %zu bytes exceeds the input limit of %zu bytes",
		                 name ? name : "input", len, max_bytes);
	if (!(s = calloc(1, sizeof(*s))))
		return tl__nomem();
	s->name = name ? name : "input";
	s->data = (const unsigned char *)data;
	s->len = len;
	if ((err = stream_init(s, keys, lim)) != TL_OK) {
		tl__json_stream_close(s);
		return err;
	}
	*out = s;
	return TL_OK;
}

tl_err tl__json_stream_open(tl__json_stream **out, const char *path, const tl_json_limits *lim,
                            const char *const *keys)
{
	tl__json_stream *s = NULL;
	size_t max_bytes = lim && lim->max_bytes ? lim->max_bytes : TL_FILE_DEFAULT_MAX;
	struct stat st;
	tl_err err;
	int fd;

	*out = NULL;
	if (!strcmp(path, "-"))
		return tl__error(TL_EINVAL, "<stdin>: not a regular file (streaming JSON)");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return tl__error(TL_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return tl__error(TL_EINVAL, "%s: not a non-empty regular file (streaming JSON)", path);
	}
	if ((uint64_t)st.st_size > max_bytes) {
		close(fd);
		return tl__error(TL_ELIMIT, "%s: %lld bytes exceeds the input limit of %zu bytes", path,
		                 (long long)st.st_size, max_bytes);
	}
	if (!(s = calloc(1, sizeof(*s)))) {
		close(fd);
		return tl__nomem();
	}
	s->name = path;
	s->map_len = (size_t)st.st_size;
	s->map = mmap(NULL, s->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		tl__json_stream_close(s);
		return tl__error(TL_EIO, "%s: cannot map: %s", path, strerror(errno));
	}
	(void)madvise(s->map, s->map_len, MADV_SEQUENTIAL);
	s->data = s->map;
	s->len = s->map_len;
	if ((err = stream_init(s, keys, lim)) != TL_OK) {
		tl__json_stream_close(s);
		return err;
	}
	/* the scan touched every page: let them go until an element needs them */
	(void)madvise(s->map, s->map_len, MADV_DONTNEED);
	*out = s;
	return TL_OK;
}

void tl__json_stream_close(tl__json_stream *s)
{
	if (!s)
		return;
	for (size_t k = 0; k < s->n_arrays; k++)
		free(s->arrays[k].items);
	json_decref(s->root);
	if (s->map)
		munmap(s->map, s->map_len);
	free(s);
}

json_t *tl__json_stream_root(const tl__json_stream *s)
{
	return s->root;
}

static const stream_array *find_array(const tl__json_stream *s, const char *key)
{
	for (size_t k = 0; k < s->n_arrays; k++)
		if (!strcmp(s->arrays[k].key, key))
			return s->arrays[k].present ? &s->arrays[k] : NULL;
	return NULL;
}

bool tl__json_stream_has(const tl__json_stream *s, const char *key)
{
	return find_array(s, key) != NULL;
}

size_t tl__json_stream_count(const tl__json_stream *s, const char *key)
{
	const stream_array *a = find_array(s, key);

	return a ? a->n : 0;
}

tl_err tl__json_stream_item(tl__json_stream *s, const char *key, size_t i, json_t **out)
{
	const stream_array *a = find_array(s, key);
	json_error_t jerr;
	span sp;

	*out = NULL;
	if (!a || i >= a->n)
		return tl__error(TL_EINVAL, "JSON stream: no item %zu in \"%s\"", i, key);
	sp = a->items[i];
	/* its depth was checked by the scan (two levels down: object, array) */
	*out = json_loadb((const char *)s->data + sp.start, sp.end - sp.start,
	                  JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!*out) {
		if (json_error_code(&jerr) == json_error_out_of_memory)
			return tl__nomem();
		return tl__error(TL_EPARSE, "%s: offset %zu: %s", s->name, sp.start + (size_t)jerr.position,
		                 jerr.text);
	}
	/* release the pages before this element (mapped files only) */
	if (s->map && sp.start > s->dropped + DROP_STEP) {
		size_t page = (size_t)sysconf(_SC_PAGESIZE);
		size_t upto = sp.start / page * page;
		if (upto > s->dropped) {
			(void)madvise((char *)s->map + s->dropped, upto - s->dropped, MADV_DONTNEED);
			s->dropped = upto;
		}
	}
	return TL_OK;
}

tl_err tl__json_stream_fill(tl__json_stream *s, const char *key)
{
	json_t *arr = json_object_get(s->root, key), *item;
	size_t n = tl__json_stream_count(s, key);
	tl_err err;

	if (!tl__json_stream_has(s, key) || !json_is_array(arr) || json_array_size(arr))
		return TL_OK;
	for (size_t i = 0; i < n; i++) {
		if ((err = tl__json_stream_item(s, key, i, &item)) != TL_OK)
			return err;
		if (json_array_append_new(arr, item) != 0)
			return tl__nomem();
	}
	return TL_OK;
}
