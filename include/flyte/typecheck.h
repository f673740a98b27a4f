/**
 * @file flyte/typecheck.h
 * @brief Flyte's type-compatibility rules (flytepropeller's `AreTypesCastable`) and
 * "does this value fit this type?" checks with errors that name the input.
 *
 * Rules (cache-keys.md §4): the downstream type picks the checker; collections and maps
 * recurse on element types (an empty list or map, element type NONE, matches any); a
 * blob with an empty format on either side matches any blob, otherwise formats must be
 * equal (case-sensitive) and dimensionality is ignored; structured datasets and schemas
 * by format and column subsets; unions (exactly one variant; union to union, every
 * variant); NONE only from NONE; enum <-> string; STRUCT with JSON-schema metadata;
 * structure tags must agree. All functions are pure and thread-safe.
 */
#ifndef FLYTE_TYPECHECK_H
#define FLYTE_TYPECHECK_H

#include "common.h"
#include "interface.h"
#include "literal.h"
#include "literal_type.h"

#ifdef __cplusplus
extern "C" {
#endif

/** 1 when a value of type `upstream` may flow into `downstream`, else 0. */
FLYTE_EXTERN int flyte_types_castable(const flyte_literal_type *upstream, const flyte_literal_type *downstream);

/**
 * The type of a value, as Flyte infers it (`LiteralTypeForLiteral`): primitives give their
 * simple type, a blob its metadata type, a collection or map the element type (a union of
 * the distinct types when they differ, NONE when empty), and so on.
 */
FLYTE_EXTERN int flyte_literal_type_infer(flyte_literal_type **out, const flyte_literal *literal,
					  flyte_error **error);

/**
 * 0 when `literal` fits `expected`; otherwise FLYTE_ETYPE with an error that names the
 * input, the expected type and the given one, e.g.
 * `input "n": expected integer, got string`. `name` may be NULL.
 */
FLYTE_EXTERN int flyte_literal_check_type(const flyte_literal *literal, const flyte_literal_type *expected,
					  const char *name, flyte_error **error);

/**
 * Checks a whole input map against declared variables: every given name must be declared
 * (FLYTE_EINVALID naming it otherwise) and every value must fit its declared type
 * (FLYTE_ETYPE). Names missing from `inputs` are not an error here (defaults may fill them).
 */
FLYTE_EXTERN int flyte_literal_map_check_types(const flyte_literal_map *inputs, const flyte_variable_map *declared,
					       flyte_error **error);

#ifdef __cplusplus
}
#endif

#endif
