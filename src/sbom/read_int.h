/*
 * Internal interface of the SBOM readers (reading from a streamed
 * document) and of the writers' tests.
 */
#ifndef TL_SBOM_READ_INT_H
#define TL_SBOM_READ_INT_H

#include "core/core_int.h"
#include "trustline/sbom.h"

/* The big arrays a CycloneDX reader takes from a stream (NULL-terminated). */
extern const char *const tl__cyclonedx_stream_keys[];

/*
 * tl_sbom_read_cyclonedx on a streamed document (keys
 * tl__cyclonedx_stream_keys): the same reads in the same order, the
 * top-level components and dependencies parsed one at a time.  On an
 * error the stream may be invalid JSON: callers read the file whole for
 * the message.
 */
tl_err tl__sbom_read_cyclonedx_stream(tl_sbom **out, tl__json_stream *s, const char *name);

/*
 * The SPDX writer's test hooks (spdx_write.c): set tl__spdx_no_fast_text
 * and every package is written the general way; set tl__spdx_count_fast
 * and tl__spdx_fast_packages counts the packages written the fast way
 * (atomic; not counted otherwise, so the writing threads share no
 * counter).
 */
extern bool tl__spdx_no_fast_text;
extern bool tl__spdx_count_fast;
extern size_t tl__spdx_fast_packages;

#endif
