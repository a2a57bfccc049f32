/*
 * Large JSON documents without the whole tree: a strict byte scanner walks
 * the top-level object and the arrays named by the caller, and jansson
 * parses everything else piece by piece with the same rules as
 * tl_json_parse (duplicate keys, UTF-8, NUL, depth).  "jansson parses"
 * here means tl__json_fast_parse (json_fast.c), which makes the values
 * json_loadb makes and accepts exactly what it accepts; json_loadb itself
 * runs only on a piece that parser rejects, for jansson's message.
 *
 * The scanner only finds boundaries; every byte of every value still goes
 * through the parser:
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
 * Files are read whole (read(2), not mapped: a file cut short by someone
 * else while it is read would kill a mapping's reader with SIGBUS; here
 * the bytes are ours once read, and a file that is not as long as it was
 * says "changed while being read") into anonymous memory, and the pages
 * every streamed array has moved past are released as the caller goes on
 * (MADV_DONTNEED), so the resident size falls as the model grows.  An
 * element asked for again after its pages went is read back from the
 * file.
 *
 * Reading an array in order (element 0, 1, 2, ...) parses ahead on
 * PREFETCH_THREADS worker threads (element i on worker i mod 2): they run
 * jansson on the next elements into a ring of PREFETCH_RING slots while
 * the caller works on the current one, so parsing and the caller's work
 * use two cores.  The caller gets the same values and the same errors, in
 * the same order: a worker only keeps jansson's result and error, and the
 * message is made on the caller's thread when it reaches that element.
 * Any other order of access stops the workers and parses in place.
 *
 * A worker parses each element into its ring slot's bump arena (jansson's
 * allocator is set to one that allocates from the arena of the thread's
 * current slot, if any, and frees nothing inside the arenas): no malloc or
 * free per node, and no memory passed between the threads' malloc arenas.
 * A slot is parsed into again only once the caller has asked for the
 * element after the one it held, which the contract of
 * tl__json_stream_item allows (an element is released before the next one
 * is asked for); nothing of an element survives its json_decref in the
 * callers (they copy what they keep).  The slot holds a reference of its
 * own, so the caller's json_decref only counts down and the reset frees
 * the element without walking it.  tl__json_stream_fill keeps the
 * elements, so it parses ahead without arenas.  Builds with
 * AddressSanitizer use no arena, so that it still sees every node.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core_int.h"

#define STREAM_MAX_KEYS 8
#define DROP_STEP ((size_t)4 << 20) /* drop mapped pages in steps of this */
#define PREFETCH_RING 64              /* elements parsed ahead at most */
#define PREFETCH_MIN 8                /* arrays shorter than this: no worker */
#define PREFETCH_THREADS 2            /* workers parsing ahead */
#define ARENA_SLOT ((size_t)4 << 20)  /* bytes of arena per ring slot */
#define ARENA_KEEP ((size_t)1 << 20)  /* a slot that used more gives it back */

#if defined(__SANITIZE_ADDRESS__)
#define USE_ARENA 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define USE_ARENA 0
#endif
#endif
#ifndef USE_ARENA
#define USE_ARENA 1
#endif

typedef struct {
	size_t start, end; /* [start, end) in the input */
} span;

typedef struct {
	const char *key;
	bool present;
	span *items;
	size_t n, cap;
	size_t next; /* elements [0, next) were handed out, in order */
} stream_array;

/* ---- the arenas --------------------------------------------------------- */

/* One reservation of PREFETCH_RING slots of ARENA_SLOT bytes, made once and
 * lent to one prefetcher at a time. */
typedef struct {
	char *p, *end; /* the free part of a slot */
	char *start;
	size_t high;   /* bytes used at most since the slot was last given back */
	bool overflow; /* something did not fit: it came from malloc */
} arena;

static pthread_once_t arena_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t arena_mu = PTHREAD_MUTEX_INITIALIZER;
static char *arena_base;
static bool arena_busy;
static _Thread_local arena *cur_arena;

static void *arena_malloc(size_t n)
{
	arena *a = cur_arena;

	if (a) {
		size_t need = (n + 15) & ~(size_t)15;
		if (n <= ARENA_SLOT && need <= (size_t)(a->end - a->p)) {
			void *r = a->p;
			a->p += need;
			return r;
		}
		a->overflow = true;
	}
	return malloc(n);
}

static void arena_free(void *p)
{
	uintptr_t u = (uintptr_t)p, b = (uintptr_t)arena_base;

	if (b && u >= b && u - b < (uintptr_t)PREFETCH_RING * ARENA_SLOT)
		return; /* freed with its slot */
	free(p);
}

static void arena_init(void)
{
	void *m = mmap(NULL, PREFETCH_RING * ARENA_SLOT, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (m == MAP_FAILED)
		return;
	/* set before arena_base: from here on every jansson free comes here,
	 * and memory jansson took from malloc before goes back to free */
	json_set_alloc_funcs(arena_malloc, arena_free);
	arena_base = m;
}

/* The arenas for one prefetcher, or NULL (none, or lent already). */
static char *arena_take(void)
{
	char *r = NULL;

	if (!USE_ARENA || pthread_once(&arena_once, arena_init) != 0 || !arena_base)
		return NULL;
	pthread_mutex_lock(&arena_mu);
	if (!arena_busy) {
		arena_busy = true;
		r = arena_base;
	}
	pthread_mutex_unlock(&arena_mu);
	return r;
}

static void arena_give_back(void)
{
	(void)madvise(arena_base, PREFETCH_RING * ARENA_SLOT, MADV_DONTNEED);
	pthread_mutex_lock(&arena_mu);
	arena_busy = false;
	pthread_mutex_unlock(&arena_mu);
}

/* Empties slot a before an element is parsed into it. */
static void arena_reset(arena *a)
{
	size_t used = (size_t)(a->p - a->start);

	if (used > a->high)
		a->high = used;
	if (a->high > ARENA_KEEP) {
		(void)madvise(a->start, a->high, MADV_DONTNEED);
		a->high = 0;
	}
	a->p = a->start;
	a->overflow = false;
}

/* ---- parsing ahead -------------------------------------------------------- */

/* one element parsed by a worker: the value, or jansson's error */
typedef struct {
	json_t *v;
	json_error_t jerr;
	bool nomem;  /* v is NULL: out of memory (jerr unset) */
	bool ready;  /* v/jerr/nomem hold element idx */
	size_t idx;
	arena mem;   /* when the prefetcher has arenas */
	json_t *held; /* arenas: the slot's own reference to its element */
} prefetch_slot;

/* the workers parsing ahead in one array (a); worker k parses the
 * elements i with i % PREFETCH_THREADS == k */
typedef struct {
	pthread_t thread[PREFETCH_THREADS];
	size_t n_threads;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running;
	bool keep;        /* the caller keeps the elements */
	bool arenas;      /* the slots parse into arenas (never when keep) */
	bool stop;        /* set by the caller: the workers end */
	bool prod_waits;  /* a worker waits for free slots */
	bool cons_waits;  /* the caller waits for parsed elements */
	const void *a;    /* the stream_array being read */
	size_t produced;  /* elements [0, produced) are parsed */
	size_t consumed;  /* elements [0, consumed) were handed out */
	prefetch_slot ring[PREFETCH_RING];
} prefetcher;

typedef struct {
	struct tl__json_stream *s;
	size_t k;
} worker_arg;

struct tl__json_stream {
	const char *name;
	const unsigned char *data;
	size_t len;
	void *map; /* non-NULL: data is this anonymous mapping of map_len bytes */
	size_t map_len;
	size_t dropped; /* bytes of map before this were released */
	int fd;        /* the file (map), for elements read again; else -1 */
	unsigned max_depth;
	json_t *root;
	stream_array arrays[STREAM_MAX_KEYS];
	size_t n_arrays;
	prefetcher pf;
	worker_arg wargs[PREFETCH_THREADS];
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
		unsigned char c;
		/* the bytes that cannot end the string, eight at a time */
		i += tl__json_plain_len((const char *)d + i, s->len - i);
		if (i >= s->len)
			break;
		c = d[i];
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

#ifndef __SSE2__
/* The offset of the first '"', '{', '[', '}' or ']' at or after i, or len:
 * inside a container only these move the scan (the bytes between are
 * jansson's to check).  '{' and '[' (0x7B, 0x5B) are one byte apart but
 * for bit 0x20, as are '}' and ']' (0x7D, 0x5D). */
static size_t next_structural(const unsigned char *d, size_t i, size_t len)
{
	while (i < len && d[i] != '"' && (d[i] | 0x20) != '{' && (d[i] | 0x20) != '}')
		i++;
	return i;
}
#endif

#ifdef __SSE2__
/* The bits of the 64 bytes in v where the byte equals c. */
static inline uint64_t eq64(const __m128i v[4], __m128i c)
{
	return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v[0], c)) |
	       (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v[1], c)) << 16 |
	       (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v[2], c)) << 32 |
	       (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v[3], c)) << 48;
}

/* Bit k of the result: the xor of bits 0..k of x. */
static inline uint64_t prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	return x ^ (x << 32);
}

/*
 * skip_value for an object or array at i, 64 bytes at a time.  For each
 * block, bit masks of its quotes, backslashes, brackets and bytes below
 * 0x20; a backslash not itself escaped escapes the next byte (the last
 * byte's carries into the next block); the unescaped quotes' running xor
 * marks the bytes inside strings (an opening quote in, its closing quote
 * out), carried across blocks; the brackets outside strings move the
 * depth.  A byte below 0x20 inside a string before the end gives 0, as in
 * skip_string.  A backslash outside a string is not valid JSON, so where
 * this and the byte-at-a-time scan would part, the piece it lands in
 * fails to parse either way.
 */
static size_t skip_container(const tl__json_stream *s, size_t i, unsigned base)
{
	const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), bit = _mm_set1_epi8(0x20),
	              open = _mm_set1_epi8('{'), close = _mm_set1_epi8('}'), low = _mm_set1_epi8(0x1F);
	unsigned char pad[64];
	uint64_t in_str = 0; /* all ones: the last block ended inside a string */
	bool esc = false;    /* the last block's last byte escapes this one's first */
	unsigned depth = 0;

	for (size_t at = i; at < s->len; at += 64) {
		const unsigned char *p = s->data + at;
		__m128i v[4], f[4];
		uint64_t q, bs, op, cl, ctl, escaped = esc, str, st, upto = ~(uint64_t)0;
		size_t end = 0;
		if (s->len - at < 64) {
			memset(pad, ' ', sizeof(pad));
			memcpy(pad, p, s->len - at);
			p = pad;
		}
		for (int k = 0; k < 4; k++) {
			v[k] = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
			f[k] = _mm_or_si128(v[k], bit);
		}
		q = eq64(v, quote);
		bs = eq64(v, backslash);
		op = eq64(f, open);
		cl = eq64(f, close);
		for (int k = 0; k < 4; k++)
			v[k] = _mm_max_epu8(v[k], low);
		ctl = eq64(v, low);
		esc = false;
		for (uint64_t m = bs; m; m &= m - 1) {
			unsigned b = (unsigned)__builtin_ctzll(m);
			if ((escaped >> b) & 1)
				continue;
			if (b == 63)
				esc = true;
			else
				escaped |= (uint64_t)1 << (b + 1);
		}
		str = prefix_xor(q & ~escaped) ^ in_str;
		in_str = (uint64_t)0 - (str >> 63);
		for (st = (op | cl) & ~str; st; st &= st - 1) {
			unsigned b = (unsigned)__builtin_ctzll(st);
			if ((p[b] | 0x20) == '{') {
				if (base + ++depth > s->max_depth)
					return 0;
			} else if (--depth == 0) {
				end = at + b + 1;
				upto = b == 63 ? ~(uint64_t)0 : ((uint64_t)1 << (b + 1)) - 1;
				break;
			}
		}
		if (ctl & str & upto)
			return 0; /* a raw control character in a string: invalid, let jansson say so */
		if (end)
			return end;
	}
	return 0;
}
#endif

/* Skips one value starting at i (not whitespace) whose container depth is
 * base; returns the offset just past it, or 0. */
static size_t skip_value(const tl__json_stream *s, size_t i, unsigned base)
{
	const unsigned char *d = s->data;

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
#ifdef __SSE2__
	return skip_container(s, i, base);
#else
	unsigned depth = 0;
	while ((i = next_structural(d, i, s->len)) < s->len) {
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
#endif
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
	s->fd = -1;
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

/* Reads bytes [off, off + n) of the file into the same place in map.  The
 * file must still be as long as it was when opened (and, read whole, no
 * longer). */
static tl_err read_at(tl__json_stream *s, size_t off, size_t n)
{
	char *p = (char *)s->map + off, extra;
	ssize_t r;

	while (n) {
		r = pread(s->fd, p, n > ((size_t)1 << 30) ? (size_t)1 << 30 : n, (off_t)off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return tl__error(TL_EIO, "%s: read failed: %s", s->name, strerror(errno));
		}
		if (r == 0)
			return tl__error(TL_EIO, "%s: the file changed while being read (%zu bytes, now shorter)",
			                 s->name, s->map_len);
		p += r;
		off += (size_t)r;
		n -= (size_t)r;
	}
	if (off == s->map_len) {
		do
			r = pread(s->fd, &extra, 1, (off_t)off);
		while (r < 0 && errno == EINTR);
		if (r != 0)
			return tl__error(TL_EIO, "%s: the file changed while being read (%zu bytes, now longer)",
			                 s->name, s->map_len);
	}
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
	s->fd = fd;
	s->map_len = (size_t)st.st_size;
	s->map = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		tl__json_stream_close(s);
		return tl__error(TL_EIO, "%s: cannot allocate %zu bytes: %s", path, (size_t)st.st_size, strerror(errno));
	}
	/* fewer, larger page faults for the copy (3,000 instead of 14,000 for
	 * 45 MB; no more memory: the pages are all written) */
	(void)madvise(s->map, s->map_len, MADV_HUGEPAGE);
	if ((err = read_at(s, 0, s->map_len)) != TL_OK) {
		tl__json_stream_close(s);
		return err;
	}
	s->data = s->map;
	s->len = s->map_len;
	if ((err = stream_init(s, keys, lim)) != TL_OK) {
		tl__json_stream_close(s);
		return err;
	}
	*out = s;
	return TL_OK;
}

static void prefetch_stop(tl__json_stream *s);

void tl__json_stream_close(tl__json_stream *s)
{
	if (!s)
		return;
	prefetch_stop(s);
	for (size_t k = 0; k < s->n_arrays; k++)
		free(s->arrays[k].items);
	json_decref(s->root);
	if (s->map)
		munmap(s->map, s->map_len);
	if (s->fd >= 0)
		close(s->fd);
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

/* The element at sp, or NULL with jansson's error in jerr, or NULL with
 * *nomem set.  Its depth was checked by the scan (two levels down: object,
 * array).  The fast parser decides; jansson parses only an element that is
 * not valid, for its message. */
static json_t *parse_span(const tl__json_stream *s, span sp, json_error_t *jerr, bool *nomem)
{
	const char *d = (const char *)s->data + sp.start;
	json_t *v;

	*nomem = false;
	switch (tl__json_fast_parse(&v, d, sp.end - sp.start)) {
	case TL_OK:
		return v;
	case TL_ENOMEM:
		*nomem = true;
		return NULL;
	default:
		return json_loadb(d, sp.end - sp.start, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, jerr);
	}
}

/* Frees a slot's last element (its reference and its arena).  An element
 * wholly in the arena needs no walk: the reset frees it.  One with parts
 * from malloc (it did not fit) is released node by node first. */
static void slot_release(prefetch_slot *slot)
{
	if (slot->held && slot->mem.overflow) {
		arena *keep = cur_arena;
		cur_arena = NULL;
		json_decref(slot->held);
		cur_arena = keep;
	}
	slot->held = NULL;
	arena_reset(&slot->mem);
}

static void *prefetch_main(void *arg)
{
	const worker_arg *w = arg;
	tl__json_stream *s = w->s;
	prefetcher *pf = &s->pf;
	const stream_array *a = pf->a;
	size_t i = w->k;

	pthread_mutex_lock(&pf->mu);
	while (!pf->stop && i < a->n) {
		prefetch_slot *slot = &pf->ring[i % PREFETCH_RING];
		/* the slot's last element (i - RING) must be released: the caller
		 * asked for the one after it */
		if (i - pf->consumed >= PREFETCH_RING - 1) {
			pf->prod_waits = true;
			pthread_cond_wait(&pf->cv, &pf->mu);
			continue;
		}
		pthread_mutex_unlock(&pf->mu);
		if (pf->arenas) {
			slot_release(slot);
			cur_arena = &slot->mem;
		}
		slot->v = parse_span(s, a->items[i], &slot->jerr, &slot->nomem);
		cur_arena = NULL;
		/* the slot keeps a reference: the caller's json_decref then only
		 * counts down, and the arena's reset frees the element at once */
		if (pf->arenas && slot->v)
			slot->held = json_incref(slot->v);
		pthread_mutex_lock(&pf->mu);
		slot->idx = i;
		slot->ready = true;
		while (pf->produced < a->n) {
			const prefetch_slot *p = &pf->ring[pf->produced % PREFETCH_RING];
			if (!p->ready || p->idx != pf->produced)
				break;
			pf->produced++;
		}
		/* wake the caller by batches (half a ring), not per element */
		if (pf->cons_waits && (pf->produced - pf->consumed >= PREFETCH_RING / 2 ||
		                       pf->produced == a->n || !slot->v)) {
			pf->cons_waits = false;
			pthread_cond_broadcast(&pf->cv);
		}
		i += PREFETCH_THREADS;
	}
	pthread_mutex_unlock(&pf->mu);
	return NULL;
}

/* Ends the workers, if any, and frees what they parsed and nobody took. */
static void prefetch_stop(tl__json_stream *s)
{
	prefetcher *pf = &s->pf;

	if (!pf->running)
		return;
	pthread_mutex_lock(&pf->mu);
	pf->stop = true;
	pf->prod_waits = false;
	pthread_cond_broadcast(&pf->cv);
	pthread_mutex_unlock(&pf->mu);
	for (size_t k = 0; k < pf->n_threads; k++)
		pthread_join(pf->thread[k], NULL);
	for (size_t k = 0; k < PREFETCH_RING; k++) {
		prefetch_slot *slot = &pf->ring[k];
		if (slot->ready && slot->idx >= pf->consumed)
			json_decref(slot->v); /* never handed out */
		if (pf->arenas)
			slot_release(slot);
	}
	pthread_cond_destroy(&pf->cv);
	pthread_mutex_destroy(&pf->mu);
	if (pf->arenas)
		arena_give_back();
	memset(pf, 0, sizeof(*pf));
}

/* Starts the workers on a from element 0; false if none could start (the
 * caller then parses in place). */
static bool prefetch_start(tl__json_stream *s, const stream_array *a, bool keep)
{
	prefetcher *pf = &s->pf;
	char *base;

	memset(pf, 0, sizeof(*pf));
	pf->a = a;
	pf->keep = keep;
	if (pthread_mutex_init(&pf->mu, NULL) != 0)
		return false;
	if (pthread_cond_init(&pf->cv, NULL) != 0) {
		pthread_mutex_destroy(&pf->mu);
		return false;
	}
	if (!keep && (base = arena_take()) != NULL) {
		pf->arenas = true;
		for (size_t k = 0; k < PREFETCH_RING; k++) {
			arena *m = &pf->ring[k].mem;
			m->start = m->p = base + k * ARENA_SLOT;
			m->end = m->start + ARENA_SLOT;
		}
	}
	/* jansson seeds its hash function once; the skeleton's parse did */
	pf->running = true;
	for (size_t k = 0; k < PREFETCH_THREADS; k++) {
		s->wargs[k].s = s;
		s->wargs[k].k = k;
		if (pthread_create(&pf->thread[k], NULL, prefetch_main, &s->wargs[k]) != 0)
			break;
		pf->n_threads++;
	}
	if (pf->n_threads < PREFETCH_THREADS) {
		/* all or nothing: each worker has its share of the elements */
		prefetch_stop(s);
		return false;
	}
	return true;
}

/* The caller's next element from the workers; when the result is NULL,
 * *nomem says out of memory, else jerr is jansson's error. */
static json_t *prefetch_take(tl__json_stream *s, json_error_t *jerr, bool *nomem)
{
	prefetcher *pf = &s->pf;
	size_t i = pf->consumed;
	prefetch_slot *slot = &pf->ring[i % PREFETCH_RING];
	json_t *v;

	pthread_mutex_lock(&pf->mu);
	while (pf->produced <= i) {
		pf->cons_waits = true;
		pthread_cond_wait(&pf->cv, &pf->mu);
	}
	v = slot->v;
	*nomem = !v && slot->nomem;
	if (!v && !slot->nomem)
		*jerr = slot->jerr;
	slot->v = NULL;
	pf->consumed = i + 1;
	if (pf->prod_waits && pf->produced - pf->consumed <= PREFETCH_RING / 2) {
		pf->prod_waits = false;
		pthread_cond_broadcast(&pf->cv);
	}
	pthread_mutex_unlock(&pf->mu);
	return v;
}

/*
 * Releases the pages of map before the first byte still wanted: the next
 * element in order of every streamed array (the skeleton is parsed
 * already; the workers read only at or after the element the caller is
 * on).  In steps of DROP_STEP, whole pages.
 */
static void release_behind(tl__json_stream *s)
{
	size_t mark = s->map_len, page, upto;

	for (size_t k = 0; k < s->n_arrays; k++) {
		const stream_array *a = &s->arrays[k];
		if (a->present && a->next < a->n && a->items[a->next].start < mark)
			mark = a->items[a->next].start;
	}
	if (mark < s->dropped + DROP_STEP && mark != s->map_len)
		return;
	page = (size_t)sysconf(_SC_PAGESIZE);
	upto = mark / page * page;
	if (upto > s->dropped) {
		(void)madvise((char *)s->map + s->dropped, upto - s->dropped, MADV_DONTNEED);
		s->dropped = upto;
	}
}

/* keep: the caller keeps the elements (no arenas) */
static tl_err stream_item(tl__json_stream *s, const char *key, size_t i, json_t **out, bool keep)
{
	const stream_array *a = find_array(s, key);
	json_error_t jerr;
	bool nomem;
	span sp;

	*out = NULL;
	if (!a || i >= a->n)
		return tl__error(TL_EINVAL, "JSON stream: no item %zu in \"%s\"", i, key);
	sp = a->items[i];
	if (s->pf.running && (s->pf.a != a || s->pf.consumed != i || keep != s->pf.keep))
		prefetch_stop(s); /* out of order: in place from here */
	if (s->map && sp.start < s->dropped) {
		/* asked for again after its pages were released: from the file */
		tl_err err = read_at(s, sp.start, sp.end - sp.start);
		if (err)
			return err;
	}
	/* the workers read the array from memory: not when its pages were
	 * released (a second pass), where each item is read again as asked */
	if (!s->pf.running && i == 0 && a->n >= PREFETCH_MIN && sp.start >= s->dropped)
		(void)prefetch_start(s, a, keep);
	if (s->pf.running)
		*out = prefetch_take(s, &jerr, &nomem);
	else
		*out = parse_span(s, sp, &jerr, &nomem);
	if (!*out) {
		if (nomem || json_error_code(&jerr) == json_error_out_of_memory)
			return tl__nomem();
		return tl__error(TL_EPARSE, "%s: offset %zu: %s", s->name, sp.start + (size_t)jerr.position,
		                 jerr.text);
	}
	if (i == a->next)
		((stream_array *)a)->next = i + 1;
	if (s->map)
		release_behind(s);
	return TL_OK;
}

tl_err tl__json_stream_item(tl__json_stream *s, const char *key, size_t i, json_t **out)
{
	return stream_item(s, key, i, out, false);
}

tl_err tl__json_stream_fill(tl__json_stream *s, const char *key)
{
	json_t *arr = json_object_get(s->root, key), *item;
	size_t n = tl__json_stream_count(s, key);
	tl_err err;

	if (!tl__json_stream_has(s, key) || !json_is_array(arr) || json_array_size(arr))
		return TL_OK;
	for (size_t i = 0; i < n; i++) {
		if ((err = stream_item(s, key, i, &item, true)) != TL_OK)
			return err;
		if (json_array_append_new(arr, item) != 0)
			return tl__nomem();
	}
	return TL_OK;
}
