/*
 * Fuzz target for the legacy uImage header reader: the bytes are a uImage
 * in memory (the header CRC is made right first half of the time, so the
 * fuzzer gets past it to the sizes and the multi-image list).  Every
 * payload reported must lie inside the image.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tl__payload pl[TL__MAX_PAYLOADS];
	size_t n = 0;
	uint64_t total = 0;
	uint8_t *copy;
	tl__range r;

	if (size < 1 || !(copy = malloc(size)))
		return 0;
	memcpy(copy, data, size);
	if ((data[size - 1] & 1) && size >= TL__UIMG_HDR) {
		uint32_t crc;
		memset(copy + 4, 0, 4);
		crc = tl__crc32(copy, TL__UIMG_HDR, 0);
		copy[4] = (uint8_t)(crc >> 24);
		copy[5] = (uint8_t)(crc >> 16);
		copy[6] = (uint8_t)(crc >> 8);
		copy[7] = (uint8_t)crc;
	}
	r = (tl__range){ -1, copy, 0, size };
	if (tl__uimage_parse(&r, pl, &n, &total, "fuzz") == TL_OK) {
		if (total > size || n > TL__MAX_PAYLOADS)
			abort();
		for (size_t i = 0; i < n; i++) {
			if (pl[i].off > size || pl[i].len > size - pl[i].off)
				abort();
		}
	}
	free(copy);
	return 0;
}
