/*
 * Fuzz target: the streaming JSON scanner (src/core/json_stream.c), checked
 * against jansson on the same bytes: the stream accepts a document (its
 * skeleton and every streamed element parse) exactly when tl_json_parse
 * accepts it whole, and then the pieces put back together are the same
 * value.  The elements read one by one (tl__json_stream_item: the worker
 * threads parse ahead once an array has 8 elements) are the whole tree's
 * elements, in order.  Also the streamed writer: tl__json_dump_gen gives
 * the bytes of tl_json_dump, with items one after another (next) and by
 * index (item: two worker threads once an array has 128), into a buffer
 * and through a sink.  Both sides parse with tl__json_fast_parse, so a
 * tree tl_json_parse accepts is also checked against json_loadb's (the
 * verdicts of the two parsers: fuzz_json_fast).  A disagreement aborts.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = { "components", "dependencies", "a", "b", NULL };

typedef struct {
	json_t *arr;
	size_t next;
} gen_state;

static tl_err next_item(void *ctx, json_t **out)
{
	gen_state *g = ctx;

	*out = NULL;
	if (g->next < json_array_size(g->arr))
		*out = json_incref(json_array_get(g->arr, g->next++));
	return TL_OK;
}

static tl_err item_at(void *ctx, size_t i, json_t **out)
{
	const gen_state *g = ctx;

	*out = json_incref(json_array_get(g->arr, i));
	return TL_OK;
}

static tl_err buf_sink_write(void *ctx, const void *data, size_t len)
{
	return tl_buf_put(ctx, data, len);
}

/* root with every array under a key of `keys` written through a generator */
static void check_writer(json_t *root)
{
	json_t *copy = json_deep_copy(root);
	gen_state st[4];
	tl__json_gen gens[4];
	size_t n = 0;
	tl_buf a = TL_BUF_INIT, b = TL_BUF_INIT, stage = TL_BUF_INIT;
	tl_sink sink = { buf_sink_write, &b };

	if (!copy)
		return;
	for (size_t k = 0; keys[k]; k++) {
		json_t *v = json_object_get(root, keys[k]);
		if (!json_is_array(v))
			continue;
		st[n].arr = v;
		st[n].next = 0;
		gens[n].key = keys[k];
		gens[n].next = next_item;
		gens[n].ctx = &st[n];
		gens[n].item = NULL;
		gens[n].count = 0;
		gens[n].write = NULL;
		json_object_set_new(copy, keys[k], json_array()); /* placeholder */
		n++;
	}
	if (tl_json_dump(&a, root) == TL_OK && tl__json_dump_gen(&b, NULL, copy, gens, n) == TL_OK) {
		if (a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0)
			abort();
		for (size_t k = 0; k < n; k++) {
			gens[k].next = NULL;
			gens[k].item = item_at;
			gens[k].count = json_array_size(st[k].arr);
		}
		tl_buf_clear(&b);
		if (tl__json_dump_gen(&b, NULL, copy, gens, n) != TL_OK || a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0)
			abort();
		/* the same through a sink: the same bytes, nothing left staged */
		tl_buf_clear(&b);
		if (tl__json_dump_gen(&stage, &sink, copy, gens, n) != TL_OK || stage.len != 0 || a.len != b.len ||
		    memcmp(a.ptr, b.ptr, a.len) != 0)
			abort();
	}
	tl_buf_dispose(&a);
	tl_buf_dispose(&b);
	tl_buf_dispose(&stage);
	json_decref(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tl_json_limits lim = { 0, 12 };
	json_t *root = NULL;
	tl__json_stream *s = NULL;
	tl_err whole, streamed;

	whole = tl_json_parse(&root, (const char *)data, size, "fuzz", &lim);
	if (whole == TL_OK) {
		/* tl_json_parse's value is now the fast parser's: still jansson's */
		json_error_t jerr;
		json_t *ref = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
		if (!ref || !json_equal(ref, root))
			abort();
		json_decref(ref);
	}
	streamed = tl__json_stream_openb(&s, (const char *)data, size, "fuzz", &lim, keys);
	if (streamed == TL_OK && whole == TL_OK) {
		/* element by element, as the readers take them */
		for (size_t k = 0; keys[k]; k++) {
			json_t *arr = json_object_get(root, keys[k]), *item = NULL;
			size_t n = tl__json_stream_count(s, keys[k]);
			if (!tl__json_stream_has(s, keys[k]))
				continue;
			if (!json_is_array(arr) || json_array_size(arr) != n)
				abort();
			for (size_t i = 0; i < n; i++) {
				if (tl__json_stream_item(s, keys[k], i, &item) != TL_OK ||
				    !json_equal(item, json_array_get(arr, i)))
					abort();
				json_decref(item);
			}
		}
	}
	if (streamed == TL_OK) {
		for (size_t k = 0; streamed == TL_OK && keys[k]; k++)
			streamed = tl__json_stream_fill(s, keys[k]);
		if ((streamed == TL_OK) != (whole == TL_OK))
			abort();
		if (streamed == TL_OK && !json_equal(root, tl__json_stream_root(s)))
			abort();
	} else if (whole == TL_OK && json_is_object(root)) {
		abort(); /* a valid object the scanner refused */
	}
	if (whole == TL_OK && json_is_object(root))
		check_writer(root);
	tl__json_stream_close(s);
	json_decref(root);
	return 0;
}
