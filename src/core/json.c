/*
 * JSON input and output through jansson, with the limits untrusted input
 * needs: a size cap, a nesting-depth cap (checked before jansson recurses),
 * duplicate keys rejected, UTF-8 checked, NUL in strings rejected.
 *
 * Files are streamed to the parser in 64 KiB pieces: no copy of the whole
 * file is held next to the tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!root)
		return parse_error(name, &jerr);
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
