/* placeholder: model is being written */
#include "core/core_int.h"
#include "trustline/sbom.h"

tl_err tl_sbom_new(tl_sbom **out) { *out = NULL; return TL_EUNSUPPORTED; }
void tl_sbom_free(tl_sbom *doc) { (void)doc; }
tl_err tl_sbom_normalize(tl_sbom *doc) { (void)doc; return TL_EUNSUPPORTED; }
