/*
 * Internal interface of the schema evaluator, for its unit tests.
 */
#ifndef TL_SCHEMA_INT_H
#define TL_SCHEMA_INT_H

#include <jansson.h>

#include "trustline/sbom.h"

/*
 * Validates instance against an ad-hoc schema (borrowed; its local $refs
 * are resolved, no other files).  Same results as tl_schema_validate;
 * TL_EPARSE if the schema itself is bad.
 */
tl_err tl__schema_validate_with(const json_t *schema, const json_t *instance, tl_buf *errors);

#endif
