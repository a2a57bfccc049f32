/*
 * JSON input and output through jansson, with the limits untrusted input
 * needs: a size cap, a nesting-depth cap (checked before jansson recurses),
 * duplicate keys rejected, UTF-8 checked, NUL in strings rejected.
 *
 * Text in memory (tl_json_parse) is parsed by tl__json_fast_parse
 * (json_fast.c), which builds the jansson values json_loadb would, with
 * its verdict; json_loadb parses only a text that parser rejects, so the
 * message of an invalid text is jansson's own.
 *
 * Files are streamed to the parser in 64 KiB pieces: no copy of the whole
 * file is held next to the tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core_int.h"

/* Nesting scanner, fed piece by piece: brackets outside strings. */
typedef struct {
	unsigned depth, max_depth;
	bool in_str, escape;
	size_t off;       /* bytes scanned so far */
	bool too_deep;
	size_t deep_off;  /* where the limit was passed */
} depth_scan;

static bool depth_feed(depth_scan *d, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		if (d->in_str) {
			if (d->escape)
				d->escape = false;
			else if (c == '\\')
				d->escape = true;
			else if (c == '"')
				d->in_str = false;
		} else if (c == '"') {
			d->in_str = true;
		} else if (c == '[' || c == '{') {
			if (++d->depth > d->max_depth) {
				d->too_deep = true;
				d->deep_off = d->off + i;
				return false;
			}
		} else if ((c == ']' || c == '}') && d->depth) {
			d->depth--;
		}
	}
	d->off += len;
	return true;
}

static unsigned lim_depth(const tl_json_limits *lim)
{
	return lim && lim->max_depth ? lim->max_depth : TL_JSON_DEFAULT_DEPTH;
}

static size_t lim_bytes(const tl_json_limits *lim)
{
	return lim && lim->max_bytes ? lim->max_bytes : TL_FILE_DEFAULT_MAX;
}

static tl_err parse_error(const char *name, const json_error_t *jerr)
{
	char text[JSON_ERROR_TEXT_LENGTH + 4];

	if (json_error_code(jerr) == json_error_out_of_memory)
		return tl__nomem();
	/* jansson quotes the input near the error, which may hold a newline:
	 * the message stays one line */
	tl__quote(text, sizeof(text), jerr->text);
	return tl__error(TL_EPARSE, "%s: line %d column %d (offset %d): %s",
	                 name, jerr->line, jerr->column, jerr->position, text);
}

tl_err tl_json_parse(json_t **out, const char *data, size_t len, const char *name,
                     const tl_json_limits *lim)
{
	size_t max_bytes = lim_bytes(lim);
	depth_scan d = { 0, lim_depth(lim), false, false, 0, false, 0 };
	json_error_t jerr;
	json_t *root;

	*out = NULL;
	if (!name)
		name = "input";
	if (len > max_bytes)
		return tl__error(TL_ELIMIT, "%s: %zu bytes exceeds the input limit of %zu bytes",
		                 name, len, max_bytes);
	if (!depth_feed(&d, data, len))
		return tl__error(TL_ELIMIT, "%s: offset %zu: nesting deeper than %u levels",
		                 name, d.deep_off, d.max_depth);
	/* the fast parser says valid or not; jansson's own parse of the same
	 * bytes gives the message of an invalid text */
	switch (tl__json_fast_parse(&root, data, len)) {
	case TL_OK:
		break;
	case TL_ENOMEM:
		return tl__nomem();
	default:
		root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
		if (!root)
			return parse_error(name, &jerr);
		break;
	}
	*out = root;
	return TL_OK;
}

/* State of a streamed file load. */
typedef struct {
	int fd;
	const char *name;
	size_t max_bytes, total;
	depth_scan depth;
	tl_err err; /* set when the callback stopped the parser */
	char buf[1 << 16];
} file_feed;

static size_t feed_cb(void *buffer, size_t buflen, void *data)
{
	file_feed *f = data;
	ssize_t n;

	if (buflen > sizeof(f->buf))
		buflen = sizeof(f->buf);
	do
		n = read(f->fd, buffer, buflen);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		f->err = tl__error(TL_EIO, "%s: read failed: %s", f->name, strerror(errno));
		return (size_t)-1;
	}
	if ((size_t)n > f->max_bytes - f->total) {
		f->err = tl__error(TL_ELIMIT, "%s: exceeds the input limit of %zu bytes", f->name, f->max_bytes);
		return (size_t)-1;
	}
	f->total += (size_t)n;
	if (!depth_feed(&f->depth, buffer, (size_t)n)) {
		f->err = tl__error(TL_ELIMIT, "%s: offset %zu: nesting deeper than %u levels",
		                   f->name, f->depth.deep_off, f->depth.max_depth);
		return (size_t)-1;
	}
	return (size_t)n;
}

tl_err tl_json_load_file(json_t **out, const char *path, const tl_json_limits *lim)
{
	file_feed *f = NULL;
	json_error_t jerr;
	json_t *root = NULL;
	struct stat st;
	tl_err err = TL_OK;
	bool is_stdin = strcmp(path, "-") == 0;

	*out = NULL;
	if (!(f = calloc(1, sizeof(*f))))
		return tl__nomem();
	f->name = is_stdin ? "<stdin>" : path;
	f->max_bytes = lim_bytes(lim);
	f->depth.max_depth = lim_depth(lim);
	if (is_stdin) {
		f->fd = STDIN_FILENO;
	} else if ((f->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		err = tl__error(TL_EIO, "%s: cannot open: %s", path, strerror(errno));
		goto done;
	}
	if (fstat(f->fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			err = tl__error(TL_EIO, "%s: is a directory, expected a file", path);
			goto done;
		}
		if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > f->max_bytes) {
			err = tl__error(TL_ELIMIT, "%s: %lld bytes exceeds the input limit of %zu bytes",
			                path, (long long)st.st_size, f->max_bytes);
			goto done;
		}
	}
	root = json_load_callback(feed_cb, f, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!root) {
		err = f->err ? f->err : parse_error(f->name, &jerr);
		goto done;
	}
	*out = root;
done:
	if (f && f->fd > STDIN_FILENO)
		close(f->fd);
	free(f);
	return err;
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
	return tl_buf_put(data, buffer, size) == TL_OK ? 0 : -1;
}

tl_err tl_json_dump(tl_buf *out, const json_t *v)
{
	if (json_dump_callback(v, dump_cb, out, JSON_INDENT(2) | JSON_SORT_KEYS |
	                       JSON_REAL_PRECISION(17)) != 0)
		return tl__error(TL_ENOMEM, "cannot serialise JSON");
	return tl_buf_putc(out, '\n');
}

/*
 * The serialiser of tl__json_dump_gen: the bytes json_dump_callback gives
 * with JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17), written
 * straight into the buffer (jansson hands its callback every token, which
 * costs more than making the text).  The same rules: keys sorted by their
 * bytes, then length; in strings only '"', '\\' and control characters
 * escaped (\b \f \n \r \t, else \u00XX in capitals); reals are left to
 * jansson.  The fuzz target fuzz_json_stream compares the two.
 */
typedef struct {
	const char *key;
	size_t len;
	const json_t *value;
} member;

static int cmp_member(const void *a, const void *b)
{
	const member *x = a, *y = b;
	int r = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);

	if (r)
		return r;
	return x->len < y->len ? -1 : x->len > y->len;
}

static tl_err put_indent(tl_buf *out, unsigned depth)
{
	char *o;
	tl_err err;

	if ((err = tl__buf_reserve(out, 1 + 2 * (size_t)depth)) != TL_OK)
		return err;
	o = out->ptr + out->len;
	*o++ = '\n';
	memset(o, ' ', 2 * (size_t)depth);
	out->len += 1 + 2 * (size_t)depth;
	out->ptr[out->len] = '\0';
	return TL_OK;
}

/*
 * The prefix of s (n bytes) with no '"', '\\' or byte below 0x20, and,
 * when high is set, no byte from 0x80 on.
 *
 * With SSE2, sixteen bytes at a time: a byte below 0x20 is one whose
 * maximum with 0x1F is 0x1F (unsigned), and with high set, a signed
 * compare below 0x20 also catches every byte from 0x80 on (negative).  A
 * string of 16 bytes or more ends with one load of its last sixteen bytes
 * (those before i are known clean, so its first flag is the answer); a
 * shorter one is copied into sixteen bytes padded with 'a'.
 *
 * Without it, eight bytes at a time: a byte below 0x20 (b - 0x20 borrows
 * into its high bit while ~b keeps it: b < 0x80), or equal to '"' or '\\'
 * (zero after the xor), or with its own high bit set where high asks for
 * that; exact as a yes/no for the word.
 */
#ifdef __SSE2__
static inline unsigned plain_mask16(const char *p, bool high)
{
	const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));

	if (high)
		m = _mm_or_si128(m, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
	else
		m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1F)), _mm_set1_epi8(0x1F)));
	return (unsigned)_mm_movemask_epi8(m);
}

static size_t plain_prefix(const char *s, size_t n, bool high)
{
	char pad[16];
	size_t i = 0;
	unsigned m;

	for (; n - i >= 16; i += 16)
		if ((m = plain_mask16(s + i, high)) != 0)
			return i + (size_t)__builtin_ctz(m);
	if (i == n)
		return n;
	if (n >= 16) {
		m = plain_mask16(s + n - 16, high);
		return m ? n - 16 + (size_t)__builtin_ctz(m) : n;
	}
	memset(pad, 'a', sizeof(pad));
	memcpy(pad, s, n);
	m = plain_mask16(pad, high);
	return m ? (size_t)__builtin_ctz(m) : n;
}
#else
static size_t plain_prefix(const char *s, size_t n, bool high)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	const uint64_t top = high ? highs : 0;
	size_t i = 0;

	for (; n - i >= 8; i += 8) {
		uint64_t x, q, b, hit;
		memcpy(&x, s + i, 8);
		q = x ^ (ones * '"');
		b = x ^ (ones * '\\');
		hit = (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | (x & top)) & highs;
		if (hit) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			/* a borrow only runs upwards from a byte that is a hit, so
			 * the lowest flagged byte is the first one */
			return i + ((size_t)__builtin_ctzll(hit) >> 3);
#else
			break;
#endif
		}
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\' || (high && c >= 0x80))
			break;
	}
	return i;
}
#endif

size_t tl__json_plain_len(const char *s, size_t n)
{
	return plain_prefix(s, n, false);
}

size_t tl__json_ascii_len(const char *s, size_t n)
{
	return plain_prefix(s, n, true);
}

static tl_err put_string(tl_buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t need = n + 2, plain = tl__json_plain_len(s, n);
	char *o;
	tl_err err;

	if (plain == n) { /* nothing to escape: the common case */
		if ((err = tl__buf_reserve(out, need)) != TL_OK)
			return err;
		o = out->ptr + out->len;
		*o++ = '"';
		memcpy(o, s, n);
		o[n] = '"';
		out->len += need;
		out->ptr[out->len] = '\0';
		return TL_OK;
	}
	/* the exact size, so the buffer's cap applies to what is written */
	for (size_t i = plain; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\')
			need += c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t' ? 1 : 5;
	}
	if ((err = tl__buf_reserve(out, need)) != TL_OK)
		return err;
	o = out->ptr + out->len;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
			break;
		}
	}
	*o++ = '"';
	out->len = (size_t)(o - out->ptr);
	out->ptr[out->len] = '\0';
	return TL_OK;
}

tl_err tl__json_put_string(tl_buf *out, const char *s, size_t n)
{
	return put_string(out, s, n);
}

tl_err tl__json_put_indent(tl_buf *out, unsigned depth)
{
	return put_indent(out, depth);
}

tl_err tl__json_put_key(tl_buf *out, unsigned depth, bool *first, const char *key)
{
	tl_err err = TL_OK;

	if (!*first)
		err = tl_buf_putc(out, ',');
	*first = false;
	if (!err && (err = put_indent(out, depth)) == TL_OK && (err = tl__json_put_string(out, key, strlen(key))) == TL_OK)
		err = tl_buf_put(out, ": ", 2);
	return err;
}

static tl_err put_value(tl_buf *out, const json_t *v, unsigned depth)
{
	char num[32];
	tl_err err = TL_OK;

	if (depth > 2048)
		return tl__error(TL_ELIMIT, "cannot serialise JSON nested deeper than 2048 levels");
	switch (json_typeof(v)) {
	case JSON_NULL:
		return tl_buf_put(out, "null", 4);
	case JSON_TRUE:
		return tl_buf_put(out, "true", 4);
	case JSON_FALSE:
		return tl_buf_put(out, "false", 5);
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return tl_buf_puts(out, num);
	case JSON_REAL: {
		char *d = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
		if (!d)
			return tl__error(TL_ENOMEM, "cannot serialise JSON");
		err = tl_buf_puts(out, d);
		free(d);
		return err;
	}
	case JSON_STRING:
		return put_string(out, json_string_value(v), json_string_length(v));
	case JSON_ARRAY: {
		size_t n = json_array_size(v);
		if (!n)
			return tl_buf_put(out, "[]", 2);
		if ((err = tl_buf_putc(out, '[')) != TL_OK)
			return err;
		for (size_t i = 0; i < n; i++) {
			if ((i && (err = tl_buf_putc(out, ',')) != TL_OK) || (err = put_indent(out, depth + 1)) != TL_OK ||
			    (err = put_value(out, json_array_get(v, i), depth + 1)) != TL_OK)
				return err;
		}
		if ((err = put_indent(out, depth)) != TL_OK)
			return err;
		return tl_buf_putc(out, ']');
	}
	case JSON_OBJECT: {
		size_t n = json_object_size(v), i = 0, klen;
		member small[16], *m = small;
		const char *k;
		json_t *e;
		if (!n)
			return tl_buf_put(out, "{}", 2);
		if (n > sizeof(small) / sizeof(small[0]) && !(m = calloc(n, sizeof(*m))))
			return tl__nomem();
		json_object_keylen_foreach((json_t *)v, k, klen, e) {
			if (i == n)
				break;
			m[i].key = k;
			m[i].len = klen;
			m[i].value = e;
			i++;
		}
		qsort(m, i, sizeof(*m), cmp_member);
		err = tl_buf_putc(out, '{');
		for (size_t j = 0; !err && j < i; j++) {
			if ((j && (err = tl_buf_putc(out, ',')) != TL_OK) || (err = put_indent(out, depth + 1)) != TL_OK ||
			    (err = put_string(out, m[j].key, m[j].len)) != TL_OK ||
			    (err = tl_buf_put(out, ": ", 2)) != TL_OK)
				break;
			err = put_value(out, m[j].value, depth + 1);
		}
		if (m != small)
			free(m);
		if (!err && (err = put_indent(out, depth)) == TL_OK)
			err = tl_buf_putc(out, '}');
		return err;
	}
	}
	return tl__error(TL_EINVAL, "cannot serialise JSON: unknown type");
}

/* ---- generated arrays written by two threads ------------------------- */

#define GEN_CHUNK 64   /* items a worker makes and writes at a time */
#define GEN_RING 8     /* chunks made ahead at most */
#define GEN_THREADS 2  /* workers */
#define GEN_MIN (2 * GEN_CHUNK) /* fewer items: in place */
#define GEN_FLUSH ((size_t)1 << 20) /* with a sink: staged bytes passed on past this */

/* With a sink, passes out's bytes on to it once there are at least at of
 * them, and empties out. */
static tl_err gen_flush(tl_buf *out, const tl_sink *sink, size_t at)
{
	tl_err err;

	if (!sink || out->len < at || out->len == 0)
		return TL_OK;
	err = sink->write(sink->ctx, out->ptr, out->len);
	tl_buf_clear(out);
	return err;
}

typedef struct {
	tl_buf text;   /* ",\n    item" for each item written */
	size_t written;
	tl_err err;    /* of the first failed item; msg its message */
	char *msg;
	bool ready;    /* holds chunk idx */
	size_t idx;
} gen_chunk;

typedef struct gen_pool gen_pool;

typedef struct {
	gen_pool *p;
	size_t k;
} gen_worker;

struct gen_pool {
	const tl__json_gen *g;
	size_t n_chunks;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	bool cons_waits, prod_waits;
	size_t consumed; /* chunks [0, consumed) were written out */
	gen_chunk ring[GEN_RING];
	pthread_t thread[GEN_THREADS];
	gen_worker args[GEN_THREADS];
	size_t n_threads;
};

/* Makes and writes the items of chunk c into ch (outside the lock). */
static void gen_fill(const tl__json_gen *g, size_t c, gen_chunk *ch)
{
	size_t end = (c + 1) * GEN_CHUNK < g->count ? (c + 1) * GEN_CHUNK : g->count;
	json_t *item = NULL;
	tl_err err = TL_OK;

	tl_buf_clear(&ch->text);
	ch->written = 0;
	for (size_t i = c * GEN_CHUNK; !err && i < end; i++) {
		if (g->write) {
			size_t mark = ch->text.len;
			bool wrote = false;
			if ((err = tl_buf_putc(&ch->text, ',')) == TL_OK && (err = put_indent(&ch->text, 2)) == TL_OK)
				err = g->write(g->ctx, i, &ch->text, &wrote);
			if (!err && !wrote) {
				ch->text.len = mark;
				ch->text.ptr[mark] = '\0';
			}
			ch->written += !err && wrote;
			continue;
		}
		if ((err = g->item(g->ctx, i, &item)) != TL_OK)
			break;
		if (!item)
			continue; /* nothing for this index */
		if ((err = tl_buf_putc(&ch->text, ',')) == TL_OK && (err = put_indent(&ch->text, 2)) == TL_OK)
			err = put_value(&ch->text, item, 2);
		json_decref(item);
		item = NULL;
		ch->written++;
	}
	json_decref(item);
	ch->err = err;
	if (err)
		ch->msg = strdup(tl_error_last());
}

static void *gen_main(void *arg)
{
	const gen_worker *w = arg;
	gen_pool *p = w->p;

	pthread_mutex_lock(&p->mu);
	for (size_t c = w->k; !p->stop && c < p->n_chunks;) {
		gen_chunk *ch = &p->ring[c % GEN_RING];
		if (c - p->consumed >= GEN_RING) {
			p->prod_waits = true;
			pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		pthread_mutex_unlock(&p->mu);
		gen_fill(p->g, c, ch);
		pthread_mutex_lock(&p->mu);
		ch->idx = c;
		ch->ready = true;
		if (p->cons_waits) {
			p->cons_waits = false;
			pthread_cond_broadcast(&p->cv);
		}
		c += GEN_THREADS;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void gen_pool_end(gen_pool *p)
{
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (size_t k = 0; k < p->n_threads; k++)
		pthread_join(p->thread[k], NULL);
	for (size_t k = 0; k < GEN_RING; k++) {
		tl_buf_dispose(&p->ring[k].text);
		free(p->ring[k].msg);
	}
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
}

/* Writes the items of g (item, count) after out's "key": ", with the
 * workers; *count the number written.  TL_EAGAIN-like fallback: *started
 * false when no worker could start (nothing written). */
static tl_err gen_parallel(tl_buf *out, const tl_sink *sink, const tl__json_gen *g, size_t *count,
                           bool *started)
{
	gen_pool *p = calloc(1, sizeof(*p));
	tl_err err = TL_OK;

	*started = false;
	if (!p)
		return TL_OK;
	p->g = g;
	p->n_chunks = (g->count + GEN_CHUNK - 1) / GEN_CHUNK;
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p);
		return TL_OK;
	}
	if (pthread_cond_init(&p->cv, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		free(p);
		return TL_OK;
	}
	for (size_t k = 0; k < GEN_THREADS; k++) {
		p->args[k].p = p;
		p->args[k].k = k;
		if (pthread_create(&p->thread[k], NULL, gen_main, &p->args[k]) != 0)
			break;
		p->n_threads++;
	}
	if (p->n_threads < GEN_THREADS) {
		gen_pool_end(p);
		free(p);
		return TL_OK;
	}
	*started = true;
	for (size_t c = 0; !err && c < p->n_chunks; c++) {
		gen_chunk *ch = &p->ring[c % GEN_RING];
		pthread_mutex_lock(&p->mu);
		while (!ch->ready || ch->idx != c) {
			p->cons_waits = true;
			pthread_cond_wait(&p->cv, &p->mu);
		}
		pthread_mutex_unlock(&p->mu);
		if (ch->written) {
			/* the first item opens the array instead of a comma */
			size_t skip = *count == 0;
			if (skip)
				err = tl_buf_putc(out, '[');
			if (!err && sink) {
				/* straight from the chunk: what is staged first */
				if ((err = gen_flush(out, sink, 0)) == TL_OK)
					err = sink->write(sink->ctx, ch->text.ptr + skip, ch->text.len - skip);
			} else if (!err) {
				err = tl_buf_put(out, ch->text.ptr + skip, ch->text.len - skip);
			}
			*count += ch->written;
		}
		if (!err && ch->err)
			err = tl__error(ch->err, "%s", ch->msg ? ch->msg : "cannot write JSON");
		pthread_mutex_lock(&p->mu);
		ch->ready = false;
		p->consumed = c + 1;
		if (p->prod_waits) {
			p->prod_waits = false;
			pthread_cond_broadcast(&p->cv);
		}
		pthread_mutex_unlock(&p->mu);
	}
	gen_pool_end(p);
	free(p);
	return err;
}

/* The items of g written in place, one at a time. */
static tl_err gen_serial(tl_buf *out, const tl_sink *sink, const tl__json_gen *g, size_t *count)
{
	json_t *item = NULL;
	tl_err err = TL_OK;
	size_t i = 0;

	for (; g->write && i < g->count; i++) {
		size_t mark = out->len;
		bool wrote = false;
		if ((err = tl_buf_puts(out, *count ? "," : "[")) == TL_OK && (err = put_indent(out, 2)) == TL_OK)
			err = g->write(g->ctx, i, out, &wrote);
		if (err)
			return err;
		if (!wrote) {
			out->len = mark;
			out->ptr[mark] = '\0';
		}
		*count += wrote;
		if ((err = gen_flush(out, sink, GEN_FLUSH)) != TL_OK)
			return err;
	}
	for (; !g->write;) {
		if (g->item) {
			if (i >= g->count)
				break;
			err = g->item(g->ctx, i++, &item);
			if (!err && !item)
				continue;
		} else {
			err = g->next(g->ctx, &item);
		}
		if (err || !item)
			break;
		if ((err = tl_buf_puts(out, *count ? "," : "[")) == TL_OK && (err = put_indent(out, 2)) == TL_OK)
			err = put_value(out, item, 2);
		json_decref(item);
		item = NULL;
		(*count)++;
		if (err || (err = gen_flush(out, sink, GEN_FLUSH)) != TL_OK)
			break;
	}
	json_decref(item);
	return err;
}

tl_err tl__json_dump_gen(tl_buf *out, const tl_sink *sink, const json_t *root, const tl__json_gen *gens,
                         size_t n_gens)
{
	member *m = NULL;
	const char *k;
	json_t *v;
	size_t n = json_object_size(root), i = 0, klen;
	tl_err err = TL_OK;

	if (!json_is_object(root) || n == 0) {
		if ((err = tl_json_dump(out, root)) == TL_OK)
			err = gen_flush(out, sink, 0);
		return err;
	}
	if (!(m = calloc(n, sizeof(*m))))
		return tl__nomem();
	json_object_keylen_foreach((json_t *)root, k, klen, v) {
		if (i == n)
			break;
		m[i].key = k;
		m[i].len = klen;
		m[i].value = v;
		i++;
	}
	n = i;
	qsort(m, n, sizeof(*m), cmp_member);
	err = tl_buf_putc(out, '{');
	for (i = 0; !err && i < n; i++) {
		const tl__json_gen *g = NULL;
		for (size_t j = 0; j < n_gens; j++)
			if (strlen(gens[j].key) == m[i].len && !memcmp(gens[j].key, m[i].key, m[i].len))
				g = &gens[j];
		if ((err = put_indent(out, 1)) != TL_OK || (err = put_string(out, m[i].key, m[i].len)) != TL_OK ||
		    (err = tl_buf_put(out, ": ", 2)) != TL_OK)
			break;
		if (!g) {
			err = put_value(out, m[i].value, 1);
		} else {
			/* as an array at depth 1 is written, one generated item at a time */
			size_t count = 0;
			bool done = false;
			if ((g->item || g->write) && g->count >= GEN_MIN)
				err = gen_parallel(out, sink, g, &count, &done);
			if (!err && !done)
				err = gen_serial(out, sink, g, &count);
			if (!err)
				err = count ? put_indent(out, 1) : tl_buf_putc(out, '[');
			if (!err)
				err = tl_buf_putc(out, ']');
		}
		if (!err && i + 1 < n)
			err = tl_buf_putc(out, ',');
		if (!err)
			err = gen_flush(out, sink, GEN_FLUSH);
	}
	if (!err && (err = put_indent(out, 0)) == TL_OK && (err = tl_buf_putc(out, '}')) == TL_OK)
		err = tl_buf_putc(out, '\n');
	if (!err)
		err = gen_flush(out, sink, 0);
	free(m);
	return err;
}
