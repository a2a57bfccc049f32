/*
 * Fuzz target for the FIT (flattened device tree) reader: the bytes are a
 * FIT image in memory.  Every payload reported must lie inside the input,
 * and *total must not pass its end.
 */
#include <stdint.h>
#include <stdlib.h>

#include "scan/scan_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tl__range r = { -1, data, 0, size };
	tl__payload pl[TL__MAX_PAYLOADS];
	size_t n = 0;
	uint64_t total = 0;

	if (tl__fit_parse(&r, pl, &n, &total, "fuzz") == TL_OK) {
		if (total > size || n > TL__MAX_PAYLOADS)
			abort();
		for (size_t i = 0; i < n; i++) {
			if (pl[i].off > size || pl[i].len > size - pl[i].off)
				abort();
		}
	}
	(void)tl__sniff(data, size < TL__SNIFF_LEN ? size : TL__SNIFF_LEN);
	return 0;
}
