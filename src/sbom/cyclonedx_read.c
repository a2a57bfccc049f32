/* placeholder: cyclonedx_read is being written */
#include "core/core_int.h"
#include "trustline/sbom.h"

tl_err tl_sbom_read_cyclonedx(tl_sbom **out, const json_t *root, const char *name) { *out = NULL; return tl__error(TL_EUNSUPPORTED, "%s: CycloneDX reader not written yet", name); }
