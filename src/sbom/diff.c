/* placeholder: diff is being written */
#include "core/core_int.h"
#include "trustline/sbom.h"

tl_err tl_sbom_diff(tl_sbom_diff_entry **out, size_t *n, const tl_sbom *a, const tl_sbom *b) { return TL_EUNSUPPORTED; }
