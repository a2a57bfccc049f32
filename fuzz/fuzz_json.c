/*
 * Fuzz target: the JSON layer (limits, duplicate keys, UTF-8) and the
 * format detector.
 */
#include <jansson.h>

#include "trustline/sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *root = NULL;
	tl_buf out = TL_BUF_INIT;

	if (tl_json_parse(&root, (const char *)data, size, "fuzz", NULL) == TL_OK) {
		(void)tl_sbom_detect(root);
		(void)tl_json_dump(&out, root);
	}
	tl_buf_dispose(&out);
	json_decref(root);
	return 0;
}
