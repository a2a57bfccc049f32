/*
 * Fuzz target: the in-toto Statement v1 reader.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "trustline/trust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tl_statement *st = NULL;
	tl_buf out = TL_BUF_INIT;

	if (tl_statement_parse(&st, (const char *)data, size, "fuzz", NULL) != TL_OK)
		return 0;
	/* Invariants of an accepted statement. */
	if (!st->type || !st->predicate_type || !*st->predicate_type || st->nsubjects == 0)
		abort();
	for (size_t i = 0; i < st->nsubjects; i++) {
		size_t a = strlen(st->subjects[i].sha256), b = strlen(st->subjects[i].sha512);
		if ((a != 0 && a != 64) || (b != 0 && b != 128))
			abort();
	}
	if (st->predicate && !json_is_object(st->predicate))
		abort();
	if (st->predicate)
		(void)tl_json_dump(&out, st->predicate);
	tl_buf_dispose(&out);
	tl_statement_free(st);
	return 0;
}
