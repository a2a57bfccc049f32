/*
 * Fuzz target for what `db update` reads from a feed server before the
 * importers see anything: response header lines (status line,
 * Content-Length, Content-Range, ETag, x-goog-hash ...; feed_http.c) and
 * the NVD API 2.0 page envelope (update.c).  Oracles: a rejected header
 * leaves the response as it was; what is accepted is consistent (a range
 * is ordered and inside its total, an ETag is a strong one or empty); the
 * CRC-32C of the input is the same in one piece or two.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/feed_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	tl__http_resp r, before;
	tl__nvd_envelope env;
	size_t start = 0;

	tl__http_resp_reset(&r);
	for (size_t i = 0; i <= size; i++) {
		if (i < size && p[i] != '\n')
			continue;
		before = r;
		if (tl__http_header(&r, p + start, i - start + (i < size), "fuzz") != TL_OK) {
			if (memcmp(&r, &before, sizeof(r)) != 0)
				abort(); /* an error must not move the response */
		}
		if (r.has_range && (r.range_first > r.range_last ||
		                    (r.has_range_total && r.range_last >= r.range_total)))
			abort();
		if (r.etag[0] && (r.etag[0] != '"' || r.etag[strlen(r.etag) - 1] != '"' ||
		                  strlen(r.etag) < 2))
			abort();
		if (r.status < 0 || r.status > 999)
			abort();
		start = i + 1;
	}
	if (tl__crc32c(tl__crc32c(0, data, size / 2), data + size / 2, size - size / 2) !=
	    tl__crc32c(0, data, size))
		abort();
	(void)tl__nvd_envelope_read(&env, p, size, "fuzz");
	return 0;
}
