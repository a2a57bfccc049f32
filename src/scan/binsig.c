/*
 * The seam for binary version signatures.  The scan driver hands every
 * ELF file's bytes to tl__binsig_scan while they are in memory during the
 * one walk; a later cataloger (Hyperscan, PCRE2 where Hyperscan is missing)
 * matches its signatures here and records identifications against the
 * node.  Until then it identifies nothing.
 */
#include "scan/scan_int.h"

tl_err tl__binsig_scan(tl__binsig *bs, const tl__node *node, const uint8_t *data, size_t len)
{
	(void)bs;
	(void)node;
	(void)data;
	(void)len;
	return TL_OK;
}
