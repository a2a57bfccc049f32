/*
 * Fuzz target: the CycloneDX reader and writer, with a round-trip oracle.
 *
 * bytes -> tl_json_parse -> tl_sbom_read_cyclonedx; on success the model is
 * written as 1.6 and 1.5, and each output must parse and read back.  The
 * 1.6 output of the re-read model must be the same bytes as the first
 * (the writer is byte-stable and the reader loses nothing it wrote).
 * Any violation abort()s so libFuzzer reports it.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "trustline/sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes doc as spec, re-reads it; aborts if either fails.  Returns the
 * re-read model; *text receives the output (caller frees). */
static tl_sbom *round_trip(tl_sbom *doc, const char *spec, tl_buf *text)
{
	tl_sbom_write_opts opts = { spec };
	json_t *root = NULL;
	tl_sbom *back = NULL;

	if (tl_sbom_write_cyclonedx(text, doc, &opts) != TL_OK)
		abort();
	if (tl_json_parse(&root, text->ptr, text->len, "out", NULL) != TL_OK)
		abort();
	if (tl_sbom_read_cyclonedx(&back, root, "out") != TL_OK)
		abort();
	json_decref(root);
	return back;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *root = NULL;
	tl_sbom *doc = NULL, *back = NULL;
	tl_buf a = TL_BUF_INIT, b = TL_BUF_INIT;

	/* a fixed clock, so a document without a timestamp writes stably */
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	if (tl_json_parse(&root, (const char *)data, size, "fuzz", NULL) != TL_OK)
		goto done;
	if (tl_sbom_read_cyclonedx(&doc, root, "fuzz") != TL_OK)
		goto done;
	back = round_trip(doc, "1.6", &a);
	tl_sbom_free(round_trip(back, "1.6", &b));
	if (a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0)
		abort();
	tl_buf_clear(&b);
	tl_sbom_free(round_trip(doc, "1.5", &b));
done:
	tl_sbom_free(back);
	tl_sbom_free(doc);
	json_decref(root);
	tl_buf_dispose(&a);
	tl_buf_dispose(&b);
	return 0;
}
