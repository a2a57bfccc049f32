/* placeholder: merge is being written */
#include "core/core_int.h"
#include "trustline/sbom.h"

tl_err tl_sbom_merge(tl_sbom **out, tl_sbom *const *docs, size_t n) { return TL_EUNSUPPORTED; }
