/*
 * Fuzz target: JSON Schema validation of untrusted documents, with the
 * schema picked from the document and with CycloneDX 1.6 forced.
 */
#include <jansson.h>

#include "trustline/sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *root = NULL;
	tl_buf errors = TL_BUF_INIT;

	if (tl_json_parse(&root, (const char *)data, size, "fuzz", NULL) == TL_OK) {
		(void)tl_schema_validate(root, TL_SCHEMA_AUTO, &errors);
		tl_buf_clear(&errors);
		(void)tl_schema_validate(root, TL_SCHEMA_CYCLONEDX_1_6, &errors);
	}
	tl_buf_dispose(&errors);
	json_decref(root);
	return 0;
}
