/*
 * Fuzz target: SPDX JSON -> model -> SPDX JSON -> model.
 *
 * Any input tl_sbom_read_spdx accepts must be written by
 * tl_sbom_write_spdx, and what is written must parse and read back; the
 * same model written twice must give the same bytes.  A failure of any of
 * these aborts, so libFuzzer reports it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "trustline/sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tl_json_limits lim = { 4u << 20, 64 };
	json_t *root = NULL, *root2 = NULL;
	tl_sbom *doc = NULL, *back = NULL;
	tl_buf out = TL_BUF_INIT, again = TL_BUF_INIT;

	/* SOURCE_DATE_EPOCH keeps documents without a timestamp deterministic */
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	if (tl_json_parse(&root, (const char *)data, size, "fuzz.json", &lim) != TL_OK)
		goto done;
	if (tl_sbom_read_spdx(&doc, root, "fuzz.json") != TL_OK)
		goto done;
	if (tl_sbom_write_spdx(&out, doc, NULL) != TL_OK)
		abort();
	if (tl_sbom_write_spdx(&again, doc, NULL) != TL_OK || again.len != out.len ||
	    memcmp(again.ptr, out.ptr, out.len) != 0)
		abort();
	if (tl_json_parse(&root2, out.ptr, out.len, "written.json", NULL) != TL_OK)
		abort();
	if (tl_sbom_read_spdx(&back, root2, "written.json") != TL_OK)
		abort();
done:
	tl_sbom_free(doc);
	tl_sbom_free(back);
	json_decref(root);
	json_decref(root2);
	tl_buf_dispose(&out);
	tl_buf_dispose(&again);
	return 0;
}
