/* placeholder: cpe is being written */
#include "core/core_int.h"
#include "trustline/sbom.h"

tl_err tl_cpe_parse(tl_cpe *out, const char *s) { return TL_EUNSUPPORTED; }
