/*
 * Random bytes through the binary-signature matcher: every identification
 * must carry a version or a kernel release, an offset inside the input and
 * printable text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static tl__binsig *bs;
	tl__binsig_hit *h = NULL;
	size_t n = 0;

	if (!bs && tl__binsig_new(&bs) != TL_OK)
		abort();
	if (tl__binsig_match(bs, data, size, &h, &n) != TL_OK)
		abort();
	for (size_t i = 0; i < n; i++) {
		if ((!h[i].version && !h[i].release) || h[i].offset >= size || !h[i].text)
			abort();
		for (const char *p = h[i].text; *p; p++) {
			if (*p < 0x20 || *p > 0x7e)
				abort();
		}
		tl__binsig_hit_dispose(&h[i]);
	}
	free(h);
	return 0;
}
