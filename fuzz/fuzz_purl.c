/*
 * Fuzz target for the purl parser and builder, with a round-trip oracle:
 * whatever parses builds; the built string parses again and builds to the
 * same string (the canonical form is a fixed point).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trustline/sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *b1 = NULL, *b2 = NULL;
	tl_purl p = { 0 }, q = { 0 };

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (tl_purl_parse(&p, s) != TL_OK)
		goto done;
	if (tl_purl_build(&b1, &p) != TL_OK)
		abort(); /* a parsed purl always builds */
	if (tl_purl_parse(&q, b1) != TL_OK)
		abort(); /* the canonical form parses */
	if (tl_purl_build(&b2, &q) != TL_OK || strcmp(b1, b2) != 0)
		abort(); /* and is a fixed point */
	for (size_t i = 0; i < p.n_qualifiers; i++)
		if (tl_purl_get_qualifier(&q, p.qualifiers[i].key) == NULL)
			abort();
done:
	tl_purl_dispose(&p);
	tl_purl_dispose(&q);
	free(b1);
	free(b2);
	free(s);
	return 0;
}
