/* placeholder: schema is being written */
#include "core/core_int.h"
#include "trustline/sbom.h"

tl_err tl_schema_validate(const json_t *root, tl_schema_id id, tl_buf *errors) { return TL_EUNSUPPORTED; }
