/*
 * JSON input and output through jansson, with the limits untrusted input
 * needs: a size cap, a nesting-depth cap (checked before jansson recurses),
 * duplicate keys rejected, UTF-8 checked, NUL in strings rejected.
 */
#include <jansson.h>
#include <string.h>

#include "core_int.h"

/* Finds the first place nesting exceeds max_depth, outside strings. */
static tl_err check_depth(const char *data, size_t len, const char *name, unsigned max_depth)
{
	unsigned depth = 0;
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max_depth)
				return tl__error(TL_ELIMIT, "%s: offset %zu: nesting deeper than %u levels",
				                 name, i, max_depth);
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		}
	}
	return TL_OK;
}

tl_err tl_json_parse(json_t **out, const char *data, size_t len, const char *name,
                     const tl_json_limits *lim)
{
	size_t max_bytes = lim && lim->max_bytes ? lim->max_bytes : TL_FILE_DEFAULT_MAX;
	unsigned max_depth = lim && lim->max_depth ? lim->max_depth : TL_JSON_DEFAULT_DEPTH;
	json_error_t jerr;
	json_t *root;
	tl_err err;

	*out = NULL;
	if (!name)
		name = "input";
	if (len > max_bytes)
		return tl__error(TL_ELIMIT, "%s: %zu bytes exceeds the input limit of %zu bytes",
		                 name, len, max_bytes);
	if ((err = check_depth(data, len, name, max_depth)) != TL_OK)
		return err;
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!root) {
		if (json_error_code(&jerr) == json_error_out_of_memory)
			return tl__nomem();
		return tl__error(TL_EPARSE, "%s: line %d column %d (offset %d): %s",
		                 name, jerr.line, jerr.column, jerr.position, jerr.text);
	}
	*out = root;
	return TL_OK;
}

tl_err tl_json_load_file(json_t **out, const char *path, const tl_json_limits *lim)
{
	tl_buf b = TL_BUF_INIT;
	tl_err err;

	*out = NULL;
	err = tl_file_read(&b, path, lim ? lim->max_bytes : 0);
	if (!err)
		err = tl_json_parse(out, b.ptr, b.len, strcmp(path, "-") ? path : "<stdin>", lim);
	tl_buf_dispose(&b);
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
