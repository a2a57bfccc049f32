/* placeholder: check is being written */
#include "core/core_int.h"
#include "trustline/sbom.h"

tl_err tl_sbom_check(const tl_sbom *doc, tl_sbom_profile profile, tl_buf *report, size_t *missing) { return TL_EUNSUPPORTED; }
