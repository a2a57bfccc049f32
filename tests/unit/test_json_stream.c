/*
 * The streaming path for large documents against the whole-tree path, on
 * the official CycloneDX test BOMs (1.2-1.6), the SPDX examples and the
 * hostile inputs of tests/cli/malformed.sh (plus ones aimed at the
 * scanner): the same accept/reject, the same tree, the same validity
 * verdict, the same model (written out byte for byte) or the same error
 * message.  And the streamed writer against tl_json_dump on the real
 * documents.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core_int.h"
#include "sbom/read_int.h"
#include "trustline/sbom.h"

static const char *const all_keys[] = {
	"components", "dependencies", "packages", "files", "relationships", "snippets", NULL,
};

static const char *shared(void)
{
	const char *d = getenv("TL_SHARED_DATA");

	return d ? d : "../shared/data";
}

typedef struct {
	size_t files, accepted, valid, loaded;
} tally;

/* The model of the whole-tree path (what tl_sbom_load did before). */
static tl_err load_whole(tl_sbom **out, const char *path)
{
	json_t *root = NULL;
	tl_err err;

	*out = NULL;
	if ((err = tl_json_load_file(&root, path, NULL)) != TL_OK)
		return err;
	switch (tl_sbom_detect(root)) {
	case TL_SBOM_FORMAT_CYCLONEDX:
		err = tl_sbom_read_cyclonedx(out, root, path);
		break;
	case TL_SBOM_FORMAT_SPDX:
		err = tl_sbom_read_spdx(out, root, path);
		break;
	default:
		err = tl__error(TL_EPARSE, "%s: $: expected a CycloneDX (bomFormat) or SPDX (spdxVersion) JSON document",
		                path);
		break;
	}
	json_decref(root);
	return err;
}

/* a sink that appends to a tl_buf, counting the pieces */
typedef struct {
	tl_buf b;
	size_t pieces;
} buf_sink;

static tl_err buf_sink_write(void *ctx, const void *data, size_t len)
{
	buf_sink *bs = ctx;

	bs->pieces++;
	return tl_buf_put(&bs->b, data, len);
}

static void same_output(const char *path, tl_sbom *a, tl_sbom *b, bool spdx)
{
	tl_buf x = TL_BUF_INIT, y = TL_BUF_INIT;
	buf_sink z = { TL_BUF_INIT, 0 };
	tl_sink sink = { buf_sink_write, &z };
	tl_sbom_write_opts opts = { NULL };
	tl_err ea, eb, ez;

	ea = spdx ? tl_sbom_write_spdx(&x, a, &opts) : tl_sbom_write_cyclonedx(&x, a, &opts);
	eb = spdx ? tl_sbom_write_spdx(&y, b, &opts) : tl_sbom_write_cyclonedx(&y, b, &opts);
	if (ea != eb)
		fail_msg("%s: writing: %d against %d", path, ea, eb);
	if (x.len != y.len || (x.len && memcmp(x.ptr, y.ptr, x.len) != 0))
		fail_msg("%s: the streamed model writes other %s bytes", path, spdx ? "SPDX" : "CycloneDX");
	/* the same model written through a sink: the same bytes, or the same error */
	ez = spdx ? tl_sbom_write_spdx_sink(&sink, a, &opts) : tl_sbom_write_cyclonedx_sink(&sink, a, &opts);
	if (ez != ea)
		fail_msg("%s: writing to a sink: %d against %d", path, ez, ea);
	if (!ea && (x.len != z.b.len || (x.len && memcmp(x.ptr, z.b.ptr, x.len) != 0)))
		fail_msg("%s: the %s writer gives other bytes to a sink", path, spdx ? "SPDX" : "CycloneDX");
	tl_buf_dispose(&x);
	tl_buf_dispose(&y);
	tl_buf_dispose(&z.b);
}

/* root through tl__json_dump_gen (its big arrays generated) = tl_json_dump */
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

/* the same items by index (tl__json_gen.item), from worker threads */
static tl_err item_at(void *ctx, size_t i, json_t **out)
{
	const gen_state *g = ctx;

	*out = json_incref(json_array_get(g->arr, i));
	return TL_OK;
}

static void same_dump(const char *path, json_t *root)
{
	json_t *copy = json_copy(root);
	gen_state st[6];
	tl__json_gen gens[6];
	size_t n = 0;
	tl_buf a = TL_BUF_INIT, b = TL_BUF_INIT, c = TL_BUF_INIT, stage = TL_BUF_INIT;
	buf_sink d = { TL_BUF_INIT, 0 };
	tl_sink sink = { buf_sink_write, &d };

	assert_non_null(copy);
	for (size_t k = 0; all_keys[k]; k++) {
		json_t *v = json_object_get(root, all_keys[k]);
		if (!json_is_array(v))
			continue;
		st[n].arr = v;
		st[n].next = 0;
		gens[n].key = all_keys[k];
		gens[n].next = next_item;
		gens[n].ctx = &st[n];
		gens[n].item = NULL;
		gens[n].count = 0;
		gens[n].write = NULL;
		assert_int_equal(json_object_set_new(copy, all_keys[k], json_array()), 0);
		n++;
	}
	assert_int_equal(tl_json_dump(&a, root), TL_OK);
	assert_int_equal(tl__json_dump_gen(&b, NULL, copy, gens, n), TL_OK);
	if (a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0)
		fail_msg("%s: tl__json_dump_gen differs from tl_json_dump", path);
	for (size_t k = 0; k < n; k++) {
		gens[k].next = NULL;
		gens[k].item = item_at;
		gens[k].count = json_array_size(st[k].arr);
		gens[k].write = NULL;
	}
	assert_int_equal(tl__json_dump_gen(&c, NULL, copy, gens, n), TL_OK);
	if (a.len != c.len || memcmp(a.ptr, c.ptr, a.len) != 0)
		fail_msg("%s: tl__json_dump_gen by index differs from tl_json_dump", path);
	/* through a sink: the same bytes, and nothing left staged */
	assert_int_equal(tl__json_dump_gen(&stage, &sink, copy, gens, n), TL_OK);
	if (a.len != d.b.len || memcmp(a.ptr, d.b.ptr, a.len) != 0)
		fail_msg("%s: tl__json_dump_gen to a sink differs from tl_json_dump", path);
	assert_int_equal(stage.len, 0);
	tl_buf_dispose(&a);
	tl_buf_dispose(&b);
	tl_buf_dispose(&c);
	tl_buf_dispose(&d.b);
	tl_buf_dispose(&stage);
	json_decref(copy);
}

static void compare(const char *path, tally *t)
{
	json_t *whole = NULL;
	tl__json_stream *s = NULL;
	tl_err ew, es;
	tl_schema_id used = TL_SCHEMA_AUTO;
	tl_sbom *a = NULL, *b = NULL;
	char msg_a[512], msg_b[512];
	bool valid_whole = false, valid_stream;

	t->files++;
	/* 1. parsing */
	ew = tl_json_load_file(&whole, path, NULL);
	es = tl__json_stream_open(&s, path, NULL, all_keys);
	for (size_t k = 0; es == TL_OK && all_keys[k]; k++)
		es = tl__json_stream_fill(s, all_keys[k]);
	if (ew == TL_OK && json_is_object(whole) && es != TL_OK)
		fail_msg("%s: the stream refused a document jansson accepts: %s", path, tl_error_last());
	if (ew != TL_OK && es == TL_OK)
		fail_msg("%s: the stream accepted a document jansson refuses", path);
	if (es == TL_OK && !json_equal(whole, tl__json_stream_root(s)))
		fail_msg("%s: the streamed pieces are not the document", path);
	tl__json_stream_close(s);
	t->accepted += ew == TL_OK;

	/* 2. validity: the streamed check says valid exactly when the whole one does */
	if (ew == TL_OK) {
		valid_whole = tl_schema_validate(whole, TL_SCHEMA_AUTO, NULL) == TL_OK;
		if (json_is_object(whole))
			same_dump(path, whole);
	}
	valid_stream = tl_schema_validate_streamed(path, TL_SCHEMA_AUTO, NULL, &used) == TL_OK;
	if (valid_whole != valid_stream)
		fail_msg("%s: valid %d whole, %d streamed", path, valid_whole, valid_stream);
	if (valid_stream && tl_schema_validate(whole, used, NULL) != TL_OK)
		fail_msg("%s: streamed validation names schema %d, which the whole tree fails", path, used);
	t->valid += valid_stream;
	json_decref(whole);

	/* 3. the model: tl_sbom_load (streamed) against the whole tree */
	ew = load_whole(&a, path);
	snprintf(msg_a, sizeof(msg_a), "%s", ew ? tl_error_last() : "");
	es = tl_sbom_load(&b, path, NULL);
	snprintf(msg_b, sizeof(msg_b), "%s", es ? tl_error_last() : "");
	if (ew != es || strcmp(msg_a, msg_b) != 0)
		fail_msg("%s: loading: %d \"%s\" whole, %d \"%s\" streamed", path, ew, msg_a, es, msg_b);
	if (ew == TL_OK) {
		same_output(path, a, b, false);
		same_output(path, a, b, true);
		t->loaded++;
	}
	tl_sbom_free(a);
	tl_sbom_free(b);
}

static void compare_dir(const char *dir, tally *t, bool recurse)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		fail_msg("%s: cannot open", dir);
	while ((e = readdir(d)) != NULL) {
		char path[2048];
		struct stat st;
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) && recurse)
			compare_dir(path, t, true);
		else if (S_ISREG(st.st_mode) && n > 5 && !strcmp(e->d_name + n - 5, ".json"))
			compare(path, t);
	}
	closedir(d);
}

/* Files named valid-* in the 1.5 and 1.6 test BOMs: valid by their authors. */
static size_t count_valid(const char *base)
{
	static const char *const versions[] = { "1.5", "1.6" };
	size_t n = 0;

	for (size_t v = 0; v < 2; v++) {
		char dir[1200];
		DIR *d;
		struct dirent *e;
		snprintf(dir, sizeof(dir), "%s/%s", base, versions[v]);
		assert_non_null(d = opendir(dir));
		while ((e = readdir(d)) != NULL)
			n += !strncmp(e->d_name, "valid-", 6);
		closedir(d);
	}
	return n;
}

static void test_json_stream__official_cyclonedx(void **state)
{
	char dir[1024];
	tally t = { 0 };

	(void)state;
	snprintf(dir, sizeof(dir), "%s/cyclonedx/test-boms", shared());
	compare_dir(dir, &t, true);
	print_message("cyclonedx: %zu files, %zu parsed, %zu valid, %zu loaded: streamed = whole\n", t.files,
	              t.accepted, t.valid, t.loaded);
	/* 1.5, 1.6 and 1.7 test BOMs (152 files); valid: exactly the 55
	 * valid-* of 1.5 and 1.6 (no schema here for 1.7) */
	assert_true(t.files >= 150);
	assert_int_equal(t.valid, count_valid(dir));
	assert_true(t.loaded >= 70);
}

static void test_json_stream__spdx_examples(void **state)
{
	char dir[1024];
	tally t = { 0 };

	(void)state;
	snprintf(dir, sizeof(dir), "%s/spdx/examples-2.x", shared());
	compare_dir(dir, &t, true);
	snprintf(dir, sizeof(dir), "%s/spdx/spec-examples-2.3", shared());
	compare_dir(dir, &t, true);
	assert_true(t.files >= 10);
	assert_true(t.valid >= 5);
	print_message("spdx: %zu files, %zu parsed, %zu valid, %zu loaded: streamed = whole\n", t.files, t.accepted,
	              t.valid, t.loaded);
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* n components, pkgN, the one at index dup (if < n) equal to the first */
static void write_components(const char *path, size_t n, size_t dup)
{
	tl_buf b = TL_BUF_INIT;

	assert_int_equal(tl_buf_puts(&b, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,"
	                                  "\"components\":[\n"), TL_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(tl_buf_printf(&b, "%s{\"type\":\"library\",\"name\":\"pkg%zu\",\"version\":\"1.0\"}",
		                               i ? ",\n " : " ", i == dup ? (size_t)0 : i), TL_OK);
	assert_int_equal(tl_buf_puts(&b, "],\"dependencies\":[]}\n"), TL_OK);
	write_file(path, b.ptr, b.len);
	tl_buf_dispose(&b);
}

static void test_json_stream__hostile_inputs(void **state)
{
	static const struct {
		const char *name, *text;
	} cases[] = {
		/* tests/cli/malformed.sh */
		{ "wrongtype", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"components\":[{\"type\":\"library\",\"name\":42}]}" },
		{ "wrongtype2", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"components\":{\"a\":1}}" },
		{ "wrongtype3", "{\"spdxVersion\":\"SPDX-2.3\",\"SPDXID\":\"SPDXRef-DOCUMENT\",\"name\":\"x\",\"packages\":[{\"SPDXID\":7}]}" },
		{ "dupkey", "{\"bomFormat\":\"CycloneDX\",\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\"}" },
		{ "badutf8", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"metadata\":{\"component\":{\"name\":\"\xc3\x28\"}}}" },
		{ "nul", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"x\":\"a\\u0000b\"}" },
		{ "empty", "" },
		{ "array", "[1,2,3]" },
		{ "notsbom", "{\"hello\":\"world\"}" },
		{ "truncated", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{\"type\":\"library\",\"na" },
		/* aimed at the scanner: the streamed arrays and what is around them */
		{ "trailing-comma", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{\"type\":\"library\",\"name\":\"a\"},]}" },
		{ "missing-comma", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{\"type\":\"library\",\"name\":\"a\"} {\"type\":\"library\",\"name\":\"b\"}]}" },
		{ "leading-comma", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[,{\"type\":\"library\",\"name\":\"a\"}]}" },
		{ "dup-components", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[],\"components\":[]}" },
		{ "escaped-key", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"compon\\u0065nts\":[{\"type\":\"library\",\"name\":\"a\"}],\"components\":[]}" },
		{ "element-dupkey", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{\"type\":\"library\",\"name\":\"a\",\"name\":\"b\"}]}" },
		{ "element-badutf8", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{\"type\":\"library\",\"name\":\"\xff\"}]}" },
		{ "element-control", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{\"type\":\"library\",\"name\":\"a\nb\"}]}" },
		{ "string-bracket", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"components\":[{\"type\":\"library\",\"name\":\"]}\\\"[{\"}]}" },
		{ "scalar-items", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[1, true ,\"x\",null,-2.5e3]}" },
		{ "bad-number", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[01]}" },
		{ "after-doc", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[]} x" },
		{ "two-docs", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\"}{}" },
		{ "unclosed-array", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{}" },
		{ "bom", "\xef\xbb\xbf{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\"}" },
		{ "valid-small", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"components\":[{\"type\":\"library\",\"name\":\"a\"}],\"dependencies\":[{\"ref\":\"a\"}]}" },
		/* for the writer: escapes, key order, every type */
		{ "writer-cases", "{\"b\":1,\"a\":[],\"ab\":{},\"A\":null,\"\":true,\"a b\":false,"
		  "\"components\":[\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\\u007f\u00e9\\ud83d\\ude00\","
		  "1.5,1e300,-0.0,9223372036854775807,-9223372036854775808,[[],{},[{}]],{\"z\":{\"y\":[1,{\"x\":\"\\u0002\"}]}}],"
		  "\"dependencies\":[]}" },
		{ "spdx-components", "{\"spdxVersion\":\"SPDX-2.3\",\"components\":[1],\"packages\":[]}" },
	};
	char dir[] = "/tmp/tl-json-stream-XXXXXX", path[256];
	tally t = { 0 };
	tl_buf deep = TL_BUF_INIT;
	tl_schema_id used;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.json", dir, cases[i].name);
		write_file(path, cases[i].text, strlen(cases[i].text));
		compare(path, &t);
		unlink(path);
	}
	/* 10,000-deep nesting, in a component and at the top */
	assert_int_equal(tl_buf_puts(&deep, "{\"bomFormat\":\"CycloneDX\",\"components\":[{\"a\":"), TL_OK);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(tl_buf_putc(&deep, '['), TL_OK);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(tl_buf_putc(&deep, ']'), TL_OK);
	assert_int_equal(tl_buf_puts(&deep, "}]}"), TL_OK);
	snprintf(path, sizeof(path), "%s/deep.json", dir);
	write_file(path, deep.ptr, deep.len);
	compare(path, &t);
	unlink(path);
	tl_buf_dispose(&deep);
	/* uniqueItems over 40 components: hashes, not pairs, on the streamed side */
	snprintf(path, sizeof(path), "%s/unique.json", dir);
	write_components(path, 40, 40);
	compare(path, &t);
	assert_int_equal(tl_schema_validate_streamed(path, TL_SCHEMA_AUTO, NULL, &used), TL_OK);
	assert_int_equal(used, TL_SCHEMA_CYCLONEDX_1_6);
	write_components(path, 40, 37);
	compare(path, &t);
	assert_int_not_equal(tl_schema_validate_streamed(path, TL_SCHEMA_AUTO, NULL, &used), TL_OK);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
	/* parsed: the three wrongtype, array, notsbom, string-bracket,
	 * scalar-items, valid-small, writer-cases, spdx-components, the two
	 * 40-component ones; valid: valid-small, string-bracket, 40 distinct */
	assert_int_equal(t.accepted, 12);
	assert_int_equal(t.valid, 3);
}

/* items by index with holes (NULL) and a failure at one index */
typedef struct {
	size_t fail_at; /* SIZE_MAX: none */
} holes_state;

static tl_err item_holes(void *ctx, size_t i, json_t **out)
{
	const holes_state *h = ctx;

	*out = NULL;
	if (i == h->fail_at)
		return tl__error(TL_EPARSE, "item %zu: refused", i);
	if (i % 7 == 3)
		return TL_OK; /* nothing for this index */
	*out = json_pack("{s:i,s:s}", "i", (json_int_t)i, "s", i % 2 ? "a\"b\n" : "\u00e9");
	return *out ? TL_OK : tl__nomem();
}

/*
 * The threads: parsing ahead (two workers, arenas) and writing by index
 * (two workers, chunks) give what one thread gives, on arrays long enough
 * to start them, including the first error in the array's order.
 */
static void test_json_stream__threads(void **state)
{
	char dir[] = "/tmp/tl-json-stream-XXXXXX", path[256];
	tl__json_stream *s = NULL, *s2 = NULL;
	json_t *whole = NULL, *item = NULL, *root, *arr;
	tl_buf b = TL_BUF_INIT, x = TL_BUF_INIT, y = TL_BUF_INIT;
	holes_state h = { SIZE_MAX };
	tl__json_gen gen = { "components", NULL, &h, item_holes, 5000, NULL };
	tally t = { 0 };
	char msg[512];
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big.json", dir);

	/* 3,000 components: every check of compare() with the workers on */
	write_components(path, 3000, 3000);
	compare(path, &t);
	assert_int_equal(t.valid, 1);
	/* element by element against the whole tree, then out of order */
	assert_int_equal(tl_json_load_file(&whole, path, NULL), TL_OK);
	assert_int_equal(tl__json_stream_open(&s, path, NULL, all_keys), TL_OK);
	for (i = 0; i < 3000; i++) {
		assert_int_equal(tl__json_stream_item(s, "components", i, &item), TL_OK);
		assert_true(json_equal(item, json_array_get(json_object_get(whole, "components"), i)));
		json_decref(item);
		if (i == 1500) { /* a jump back: the workers stop, in place from here */
			assert_int_equal(tl__json_stream_item(s, "components", 10, &item), TL_OK);
			assert_true(json_equal(item, json_array_get(json_object_get(whole, "components"), 10)));
			json_decref(item);
			i = 2000;
			assert_int_equal(tl__json_stream_item(s, "components", i, &item), TL_OK);
			json_decref(item);
		}
	}
	tl__json_stream_close(s);
	s = NULL;
	json_decref(whole);

	/* a bad element (a duplicate key) at 2,345: the same error in order as in place */
	tl_buf_clear(&b);
	assert_int_equal(tl_buf_puts(&b, "{\"bomFormat\":\"CycloneDX\",\"components\":["), TL_OK);
	for (i = 0; i < 3000; i++)
		assert_int_equal(tl_buf_printf(&b, "%s{\"name\":\"p%zu\"%s}", i ? "," : "", i,
		                               i == 2345 || i == 2600 ? ",\"name\":\"q\"" : ""), TL_OK);
	assert_int_equal(tl_buf_puts(&b, "]}"), TL_OK);
	write_file(path, b.ptr, b.len);
	assert_int_equal(tl__json_stream_open(&s, path, NULL, all_keys), TL_OK);
	assert_int_equal(tl__json_stream_open(&s2, path, NULL, all_keys), TL_OK);
	assert_int_equal(tl__json_stream_item(s2, "components", 2345, &item), TL_EPARSE); /* in place */
	snprintf(msg, sizeof(msg), "%s", tl_error_last());
	assert_non_null(strstr(msg, "duplicate"));
	for (i = 0; i < 2345; i++) {
		assert_int_equal(tl__json_stream_item(s, "components", i, &item), TL_OK);
		json_decref(item);
	}
	assert_int_equal(tl__json_stream_item(s, "components", i, &item), TL_EPARSE);
	assert_string_equal(tl_error_last(), msg);
	assert_null(item);
	tl__json_stream_close(s);
	tl__json_stream_close(s2);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);

	/* writing by index: holes, then the first failing index's error */
	root = json_pack("{s:[],s:i}", "components", "z", 1);
	arr = json_array();
	assert_non_null(root);
	assert_non_null(arr);
	for (i = 0; i < 5000; i++) {
		json_t *v = NULL;
		assert_int_equal(item_holes(&h, i, &v), TL_OK);
		if (v)
			assert_int_equal(json_array_append_new(arr, v), 0);
	}
	assert_int_equal(json_object_set_new(root, "components", arr), 0);
	assert_int_equal(tl_json_dump(&x, root), TL_OK);
	assert_int_equal(json_object_set_new(root, "components", json_array()), 0);
	assert_int_equal(tl__json_dump_gen(&y, NULL, root, &gen, 1), TL_OK);
	assert_int_equal(x.len, y.len);
	assert_memory_equal(x.ptr, y.ptr, x.len);
	h.fail_at = 4321;
	tl_buf_clear(&y);
	assert_int_equal(tl__json_dump_gen(&y, NULL, root, &gen, 1), TL_EPARSE);
	assert_string_equal(tl_error_last(), "item 4321: refused");
	json_decref(root);
	tl_buf_dispose(&b);
	tl_buf_dispose(&x);
	tl_buf_dispose(&y);
}

/* Element i of test_json_stream__errors_mid_stream's arrays, after a
 * separator: the case text c at 300 ("LONG": head, the 70,000-byte string
 * big, tail), true; else nothing (false: the caller writes the usual one). */
static bool put_case(tl_buf *b, size_t i, const char *c, const tl_buf *big, const char *head, const char *tail)
{
	if (i)
		assert_int_equal(tl_buf_puts(b, ",\n"), TL_OK);
	if (i != 300 || !c)
		return false;
	if (strcmp(c, "LONG") != 0) {
		assert_int_equal(tl_buf_puts(b, c), TL_OK);
		return true;
	}
	assert_int_equal(tl_buf_puts(b, head), TL_OK);
	assert_int_equal(tl_buf_put(b, big->ptr, big->len), TL_OK);
	assert_int_equal(tl_buf_puts(b, tail), TL_OK);
	return true;
}

/*
 * The components and dependencies of a streamed CycloneDX document, parsed
 * ahead by the workers, read as the whole tree reads.  Documents of 600
 * components and 600 dependency nodes (workers on), one element (the
 * 300th) changed in each way the reader refuses or treats apart, load as
 * the whole tree loads: the same error and message, or the same model
 * (compare()); an error names the element.
 */
static void test_json_stream__errors_mid_stream(void **state)
{
	static const char *const comp_cases[] = {
		NULL, /* unchanged */
		"{\"type\":\"library\",\"bom-ref\":\"c5\",\"name\":\"dup\"}",
		"{\"type\":\"widget\",\"bom-ref\":\"x\",\"name\":\"a\"}",
		"{\"type\":\"library\",\"bom-ref\":\"x\"}",
		"{\"type\":\"library\",\"bom-ref\":\"x\",\"name\":42}",
		"{\"type\":\"library\",\"name\":\"a\",\"hashes\":{}}",
		"{\"type\":\"library\",\"name\":\"a\",\"hashes\":[{\"alg\":\"SHA-999\",\"content\":\"00\"}]}",
		"{\"type\":\"library\",\"name\":\"a\",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"zz\"}]}",
		"{\"type\":\"library\",\"name\":\"a\",\"scope\":\"sometimes\"}",
		"{\"type\":\"library\",\"name\":\"a\",\"licenses\":[{\"license\":{}}]}",
		"{\"type\":\"library\",\"name\":\"a\",\"evidence\":{\"occurrences\":{}}}",
		"{\"type\":\"library\",\"name\":\"a\",\"properties\":[{\"value\":\"v\"}]}",
		/* a child takes the bom-ref of a later top-level component */
		"{\"type\":\"library\",\"bom-ref\":\"x\",\"name\":\"a\",\"components\":[{\"type\":\"library\",\"bom-ref\":\"c400\",\"name\":\"kid\"}]}",
		/* children, read in place after their parent */
		"{\"type\":\"library\",\"bom-ref\":\"x\",\"name\":\"a\",\"components\":[{\"type\":\"library\",\"bom-ref\":\"k1\",\"name\":\"kid\",\"components\":[{\"type\":\"file\",\"name\":\"grandkid\"}]}]}",
		/* no bom-ref, a purl that is a taken ref: component-<n> */
		"{\"type\":\"library\",\"name\":\"a\",\"purl\":\"c7\"}",
		"{\"type\":\"library\",\"name\":\"a\",\"purl\":\"pkg:generic/a@1\"}",
		"LONG", /* a version over the 64 KiB limit */
		"7",
	};
	static const char *const dep_cases[] = {
		"{\"dependsOn\":[\"c1\"]}",
		"{\"ref\":\"\"}",
		"{\"ref\":\"c1\",\"dependsOn\":\"c2\"}",
		"{\"ref\":\"c1\",\"dependsOn\":[1]}",
		"{\"ref\":\"c1\",\"dependsOn\":[\"\"]}",
		"{\"ref\":\"c1\"}",
		"{\"ref\":\"c1\",\"dependsOn\":[\"c2\",\"c2\",\"nowhere\"]}",
		"LONG",
		"[]",
	};
	char dir[] = "/tmp/tl-json-stream-XXXXXX", path[256];
	size_t n_comp = sizeof(comp_cases) / sizeof(*comp_cases), n_dep = sizeof(dep_cases) / sizeof(*dep_cases);
	size_t failed = 0;
	tl_buf b = TL_BUF_INIT, big = TL_BUF_INIT;
	tally t = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/w.json", dir);
	assert_int_equal(tl_buf_puts(&big, "\""), TL_OK);
	for (size_t k = 0; k < 70000; k++)
		assert_int_equal(tl_buf_putc(&big, 'v'), TL_OK);
	assert_int_equal(tl_buf_puts(&big, "\""), TL_OK);
	for (size_t c = 0; c < n_comp + n_dep; c++) {
		const char *comp_case = c < n_comp ? comp_cases[c] : NULL;
		const char *dep_case = c < n_comp ? NULL : dep_cases[c - n_comp];
		tl_sbom *doc = NULL;
		tl_buf_clear(&b);
		assert_int_equal(tl_buf_puts(&b, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,"
		                                  "\"components\":[\n"), TL_OK);
		for (size_t i = 0; i < 600; i++) {
			if (!put_case(&b, i, comp_case, &big, "{\"type\":\"library\",\"name\":\"a\",\"version\":", "}")) {
				assert_int_equal(tl_buf_printf(&b,
				        "{\"type\":\"library\",\"bom-ref\":\"c%zu\",\"name\":\"pkg%zu\",\"version\":\"1.%zu\","
				        "\"supplier\":{\"name\":\"S%zu\"},\"purl\":\"pkg:generic/pkg%zu@1.%zu\","
				        "\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"%064zx\"}],"
				        "\"licenses\":[{\"license\":{\"id\":\"MIT\"}}],"
				        "\"evidence\":{\"occurrences\":[{\"location\":\"/usr/lib/p%zu.so\"}]},"
				        "\"properties\":[{\"name\":\"n\",\"value\":\"v%zu\"}]}",
				        i, i, i, i % 7, i, i, i, i, i), TL_OK);
			}
		}
		assert_int_equal(tl_buf_puts(&b, "],\"dependencies\":[\n"), TL_OK);
		for (size_t i = 0; i < 600; i++) {
			if (!put_case(&b, i, dep_case, &big, "{\"ref\":\"c1\",\"dependsOn\":[", "]}")) {
				assert_int_equal(tl_buf_printf(&b, "{\"ref\":\"c%zu\",\"dependsOn\":[\"c%zu\",\"c%zu\"]}", i,
				                               (i + 1) % 600, (i + 7) % 600), TL_OK);
			}
		}
		assert_int_equal(tl_buf_puts(&b, "]}\n"), TL_OK);
		write_file(path, b.ptr, b.len);
		compare(path, &t); /* streamed = whole: error and message, or the model */
		if (tl_sbom_load(&doc, path, NULL) != TL_OK) {
			/* the error names the changed element, in order */
			if (!strstr(tl_error_last(), comp_case ? "components[300]" : "dependencies[300]") &&
			    !strstr(tl_error_last(), "components[400]"))
				fail_msg("case %zu: %s", c, tl_error_last());
			failed++;
		}
		tl_sbom_free(doc);
	}
	print_message("streamed reading: %zu documents, %zu refused, %zu loaded: streamed = whole\n", t.files,
	              failed, t.loaded);
	/* the cases that must be refused were, the others loaded */
	assert_int_equal(failed, 14 + 7);
	assert_int_equal(t.loaded, n_comp + n_dep - failed);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
	tl_buf_dispose(&b);
	tl_buf_dispose(&big);
}

/*
 * The scanner finds an element's end 64 bytes at a time (skip_container):
 * strings and escapes that cross a block's edge, backslash runs of every
 * length before a quote, brackets inside strings, raw control bytes in a
 * string and after an element's end.  For each pattern at each offset
 * from 0 to 140 in the first element, the stream's pieces put together
 * are the document jansson reads whole, or both refuse it.
 */
static void test_json_stream__block_edges(void **state)
{
	static const char *const patterns[] = {
		"\\\"", "\\\\\"", "\\\\\\\"", "\\\\\\\\", "]}[{", "\\\\]", "\\\\\\\"]}", "\\u005c\\\"", "\\/",
		"\t", "\x01", "\\\x01", "\\", "\"", "\xc3\xa9]", "\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\"",
	};
	tl_buf b = TL_BUF_INIT;
	size_t same = 0, refused = 0;

	(void)state;
	for (size_t k = 0; k < sizeof(patterns) / sizeof(*patterns); k++) {
		for (size_t off = 0; off <= 140; off++) {
			for (int ctl_next = 0; ctl_next < 2; ctl_next++) {
				json_t *whole = NULL;
				tl__json_stream *st = NULL;
				tl_err ew, es;
				tl_buf_clear(&b);
				assert_int_equal(tl_buf_puts(&b, "{\"components\":[{\"name\":\""), TL_OK);
				for (size_t i = 0; i < off; i++)
					assert_int_equal(tl_buf_putc(&b, (char)('a' + i % 26)), TL_OK);
				assert_int_equal(tl_buf_puts(&b, patterns[k]), TL_OK);
				assert_int_equal(tl_buf_puts(&b, "tail\",\"v\":[1,{\"a\":\"]\"}]},{\"name\":\""), TL_OK);
				assert_int_equal(tl_buf_puts(&b, ctl_next ? "x\x02y" : "xy"), TL_OK);
				assert_int_equal(tl_buf_puts(&b, "\"},[[]],{}],\"z\":{\"q\":\"\\\\\"}}"), TL_OK);
				ew = tl_json_parse(&whole, b.ptr, b.len, "w", NULL);
				es = tl__json_stream_openb(&st, b.ptr, b.len, "w", NULL, all_keys);
				if (es == TL_OK)
					es = tl__json_stream_fill(st, "components");
				if ((ew == TL_OK) != (es == TL_OK))
					fail_msg("pattern %zu at %zu (%d): whole %d, streamed %d: %s", k, off, ctl_next, ew, es,
					         b.ptr);
				if (ew == TL_OK && !json_equal(whole, tl__json_stream_root(st)))
					fail_msg("pattern %zu at %zu: the pieces are not the document", k, off);
				same += ew == TL_OK;
				refused += ew != TL_OK;
				json_decref(whole);
				tl__json_stream_close(st);
			}
		}
	}
	print_message("block edges: %zu documents read the same, %zu refused by both\n", same, refused);
	/* both kinds were there */
	assert_true(same > 1000 && refused > 1000);
	tl_buf_dispose(&b);
}

/* element i of the document test_json_stream__file_cut_short writes */
static void check_long_item(const json_t *item, size_t i)
{
	char name[32];
	const char *d = json_string_value(json_object_get(item, "description"));

	snprintf(name, sizeof(name), "pkg%zu", i);
	assert_string_equal(json_string_value(json_object_get(item, "name")), name);
	assert_non_null(d);
	assert_int_equal(strlen(d), 4000);
	assert_int_equal(d[0], 'a' + (char)(i % 26));
}

/*
 * The input cut short by someone else while it is read.  The stream used to
 * map the file and read the elements from the mapping when asked (the pages
 * were let go after the first scan): a file truncated after the open killed
 * the process with SIGBUS at the next element.  Now the bytes are read at
 * the open, so the elements still come, whole and the same; one asked for
 * again after its pages were released is read from the file again, which
 * is now too short: an I/O error that says so, not a crash.
 */
static void test_json_stream__file_cut_short(void **state)
{
	char dir[] = "/tmp/tl-json-stream-XXXXXX", path[256];
	tl__json_stream *s = NULL;
	json_t *item = NULL;
	tl_buf b = TL_BUF_INIT;
	char desc[4001];
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/long.json", dir);
	/* 3,000 components of ~4 kB: 12 MB, past the 4 MB release steps */
	assert_int_equal(tl_buf_puts(&b, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":["), TL_OK);
	for (i = 0; i < 3000; i++) {
		memset(desc, 'a' + (int)(i % 26), 4000);
		desc[4000] = '\0';
		assert_int_equal(tl_buf_printf(&b, "%s{\"type\":\"library\",\"name\":\"pkg%zu\",\"description\":\"%s\"}",
		                               i ? ",\n" : "", i, desc), TL_OK);
	}
	assert_int_equal(tl_buf_puts(&b, "],\"dependencies\":[]}\n"), TL_OK);
	write_file(path, b.ptr, b.len);

	/* read whole, in order, then element 10 again: read back from the file */
	assert_int_equal(tl__json_stream_open(&s, path, NULL, all_keys), TL_OK);
	for (i = 0; i < 3000; i++) {
		assert_int_equal(tl__json_stream_item(s, "components", i, &item), TL_OK);
		check_long_item(item, i);
		json_decref(item);
	}
	assert_int_equal(tl__json_stream_item(s, "components", 10, &item), TL_OK);
	check_long_item(item, 10);
	json_decref(item);
	tl__json_stream_close(s);

	/* cut to nothing after the open, two thirds of the way through */
	assert_int_equal(tl__json_stream_open(&s, path, NULL, all_keys), TL_OK);
	for (i = 0; i < 2000; i++) {
		assert_int_equal(tl__json_stream_item(s, "components", i, &item), TL_OK);
		json_decref(item);
	}
	assert_int_equal(truncate(path, 0), 0);
	for (; i < 3000; i++) {
		assert_int_equal(tl__json_stream_item(s, "components", i, &item), TL_OK);
		check_long_item(item, i);
		json_decref(item);
	}
	item = NULL;
	assert_int_equal(tl__json_stream_item(s, "components", 10, &item), TL_EIO);
	assert_null(item);
	assert_non_null(strstr(tl_error_last(), "changed while being read"));
	tl__json_stream_close(s);

	unlink(path);
	assert_int_equal(rmdir(dir), 0);
	tl_buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_stream__official_cyclonedx),
		cmocka_unit_test(test_json_stream__spdx_examples),
		cmocka_unit_test(test_json_stream__hostile_inputs),
		cmocka_unit_test(test_json_stream__threads),
		cmocka_unit_test(test_json_stream__block_edges),
		cmocka_unit_test(test_json_stream__errors_mid_stream),
		cmocka_unit_test(test_json_stream__file_cut_short),
	};

	/* the writers take the time from here when a document has none */
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
