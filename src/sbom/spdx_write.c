/* placeholder: spdx_write is being written */
#include "core/core_int.h"
#include "trustline/sbom.h"

tl_err tl_sbom_write_spdx(tl_buf *out, tl_sbom *doc, const tl_sbom_write_opts *opts) { return TL_EUNSUPPORTED; }
