/*
 * Format detection and loading an SBOM file in either format.
 */
#include <jansson.h>
#include <string.h>

#include "core/core_int.h"
#include "trustline/sbom.h"

tl_sbom_format tl_sbom_detect(const json_t *root)
{
	const char *s;

	if (!json_is_object(root))
		return TL_SBOM_FORMAT_UNKNOWN;
	s = json_string_value(json_object_get(root, "bomFormat"));
	if (s && strcmp(s, "CycloneDX") == 0)
		return TL_SBOM_FORMAT_CYCLONEDX;
	s = json_string_value(json_object_get(root, "spdxVersion"));
	if (s && strncmp(s, "SPDX-", 5) == 0)
		return TL_SBOM_FORMAT_SPDX;
	return TL_SBOM_FORMAT_UNKNOWN;
}

tl_err tl_sbom_load(tl_sbom **out, const char *path, const tl_json_limits *lim)
{
	json_t *root = NULL;
	tl_err err;

	*out = NULL;
	if ((err = tl_json_load_file(&root, path, lim)) != TL_OK)
		return err;
	switch (tl_sbom_detect(root)) {
	case TL_SBOM_FORMAT_CYCLONEDX:
		err = tl_sbom_read_cyclonedx(out, root, path);
		break;
	case TL_SBOM_FORMAT_SPDX:
		err = tl_sbom_read_spdx(out, root, path);
		break;
	default:
		err = tl__error(TL_EPARSE, "%s: $: expected a CycloneDX (bomFormat) or SPDX (spdxVersion) JSON document",
		                path);
		break;
	}
	json_decref(root);
	return err;
}
