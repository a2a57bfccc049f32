/*
 * Fuzz target for the ELF reader: any bytes either parse or give an error;
 * what parses has bounded, NUL-terminated strings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tl__elf_info *e = NULL;

	if (tl__elf_parse(&e, data, size, "fuzz") == TL_OK) {
		if (!e || e->n_needed > TL__ELF_MAX_NEEDED)
			abort();
		for (size_t i = 0; i < e->n_needed; i++) {
			if (strlen(e->needed[i]) > size)
				abort();
		}
		if (e->soname && strlen(e->soname) > size)
			abort();
	} else if (e) {
		abort(); /* nothing handed out on error */
	}
	tl__elf_info_free(e);
	return 0;
}
