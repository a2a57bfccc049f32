/*
 * Format detection and loading an SBOM file in either format.
 */
#include <jansson.h>
#include <string.h>

#include "core/core_int.h"
#include "trustline/sbom.h"
#include "sbom/read_int.h"

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

static tl_err read_tree(tl_sbom **out, const json_t *root, const char *path)
{
	switch (tl_sbom_detect(root)) {
	case TL_SBOM_FORMAT_CYCLONEDX:
		return tl_sbom_read_cyclonedx(out, root, path);
	case TL_SBOM_FORMAT_SPDX:
		return tl_sbom_read_spdx(out, root, path);
	default:
		return tl__error(TL_EPARSE, "%s: $: expected a CycloneDX (bomFormat) or SPDX (spdxVersion) JSON document",
		                 path);
	}
}

/*
 * A regular file is first opened as a stream: CycloneDX is read with its
 * components and dependencies parsed one at a time (on an error, the file
 * is read again whole, for the message); anything else gets its streamed
 * arrays put back, which makes the skeleton the whole tree.  Files that
 * cannot be streamed (standard input, malformed JSON) are read whole.
 */
tl_err tl_sbom_load(tl_sbom **out, const char *path, const tl_json_limits *lim)
{
	tl__json_stream *s = NULL;
	json_t *root = NULL;
	tl_err err;

	*out = NULL;
	if (tl__json_stream_open(&s, path, lim, tl__cyclonedx_stream_keys) == TL_OK) {
		bool final = false; /* an error here is the one the whole tree gives */
		root = tl__json_stream_root(s);
		if (tl_sbom_detect(root) == TL_SBOM_FORMAT_CYCLONEDX) {
			err = tl__sbom_read_cyclonedx_stream(out, s, path);
		} else {
			err = TL_OK;
			for (size_t k = 0; !err && tl__cyclonedx_stream_keys[k]; k++)
				err = tl__json_stream_fill(s, tl__cyclonedx_stream_keys[k]);
			if (!err) {
				final = true;
				err = read_tree(out, root, path);
			}
		}
		tl__json_stream_close(s);
		root = NULL;
		if (err == TL_OK || final)
			return err;
		*out = NULL;
	}
	if ((err = tl_json_load_file(&root, path, lim)) != TL_OK)
		return err;
	err = read_tree(out, root, path);
	json_decref(root);
	return err;
}
