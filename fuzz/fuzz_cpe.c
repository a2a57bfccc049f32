/*
 * Fuzz target for the CPE 2.3 formatted string parser and builder, with a
 * round-trip oracle: a name that parses builds back to exactly the input
 * (each value has one formatted form), and that string parses and builds
 * to itself again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trustline/sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *b1 = NULL, *b2 = NULL;
	tl_cpe c = { 0 }, d = { 0 };

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (tl_cpe_parse(&c, s) != TL_OK)
		goto done;
	if (tl_cpe_build(&b1, &c) != TL_OK)
		abort();
	if (strlen(s) == size && strcmp(b1, s) != 0)
		abort(); /* build(parse(s)) == s */
	if (tl_cpe_parse(&d, b1) != TL_OK)
		abort();
	if (tl_cpe_build(&b2, &d) != TL_OK || strcmp(b1, b2) != 0)
		abort();
done:
	tl_cpe_dispose(&c);
	tl_cpe_dispose(&d);
	free(b1);
	free(b2);
	free(s);
	return 0;
}
