/* placeholder: purl is being written */
#include "core/core_int.h"
#include "trustline/sbom.h"

tl_err tl_purl_parse(tl_purl *out, const char *s) { return TL_EUNSUPPORTED; }
