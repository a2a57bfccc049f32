/*
 * Fuzz target: the fast JSON parser (src/core/json_fast.c) against jansson
 * on the same bytes.  tl__json_fast_parse must accept exactly what
 * json_loadb(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY) accepts, and then
 * give the same value: json_equal, and the same types, bytes and key order
 * at every node (json_same).  A disagreement aborts.
 */
#include <jansson.h>
#include <stdlib.h>

#include "core/core_int.h"
#include "../tests/unit/json_same.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *fast = NULL, *ref;
	json_error_t jerr;
	tl_err err = tl__json_fast_parse(&fast, (const char *)data, size);

	ref = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (err == TL_ENOMEM) {
		json_decref(ref);
		return 0; /* no verdict */
	}
	if ((err == TL_OK) != (ref != NULL) || (err == TL_OK) != (fast != NULL))
		abort();
	if (ref && (!json_equal(fast, ref) || !json_same(fast, ref)))
		abort();
	json_decref(fast);
	json_decref(ref);
	return 0;
}
