/**
 * @file flyte/literal_type.h
 * @brief Flyte types (`flyteidl.core.LiteralType`): simple, blob, collection, map, enum,
 * union, structured dataset, schema, with metadata, annotation and structure tag.
 *
 * A flyte_literal_type is an opaque, immutable-once-built value. Builders return a new
 * type the caller owns (free with flyte_literal_type_free()); arguments are copied.
 * Thread safety: a type may be read from many threads at once; modifying it (the
 * *_set_* and *_add_* calls) needs exclusive access.
 */
#ifndef FLYTE_LITERAL_TYPE_H
#define FLYTE_LITERAL_TYPE_H

#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct flyte_literal_type flyte_literal_type;

/** `flyteidl.core.SimpleType`; the numbers are flyteidl's. */
typedef enum {
	FLYTE_SIMPLE_NONE = 0,
	FLYTE_SIMPLE_INTEGER = 1,
	FLYTE_SIMPLE_FLOAT = 2,
	FLYTE_SIMPLE_STRING = 3,
	FLYTE_SIMPLE_BOOLEAN = 4,
	FLYTE_SIMPLE_DATETIME = 5,
	FLYTE_SIMPLE_DURATION = 6,
	FLYTE_SIMPLE_BINARY = 7,
	FLYTE_SIMPLE_ERROR = 8,
	FLYTE_SIMPLE_STRUCT = 9
} flyte_simple_type;

/** Which member of the `LiteralType.type` oneof is set. */
typedef enum {
	FLYTE_TYPE_UNSET = 0,
	FLYTE_TYPE_SIMPLE,
	FLYTE_TYPE_SCHEMA,
	FLYTE_TYPE_COLLECTION,
	FLYTE_TYPE_MAP,
	FLYTE_TYPE_BLOB,
	FLYTE_TYPE_ENUM,
	FLYTE_TYPE_STRUCTURED_DATASET,
	FLYTE_TYPE_UNION
} flyte_type_kind;

/** `BlobType.BlobDimensionality`. */
typedef enum { FLYTE_BLOB_SINGLE = 0, FLYTE_BLOB_MULTIPART = 1 } flyte_blob_dimensionality;

/** `SchemaType.SchemaColumn.SchemaColumnType`. */
typedef enum {
	FLYTE_SCHEMA_COLUMN_INTEGER = 0,
	FLYTE_SCHEMA_COLUMN_FLOAT = 1,
	FLYTE_SCHEMA_COLUMN_STRING = 2,
	FLYTE_SCHEMA_COLUMN_BOOLEAN = 3,
	FLYTE_SCHEMA_COLUMN_DATETIME = 4,
	FLYTE_SCHEMA_COLUMN_DURATION = 5
} flyte_schema_column_type;

/* Builders. Each returns 0, FLYTE_EINVALID (a NULL or out-of-range argument) or
   FLYTE_ENOMEM, and on success stores a new type in *out. */

/** A simple type. */
FLYTE_EXTERN int flyte_literal_type_new_simple(flyte_literal_type **out, flyte_simple_type simple);
/** A blob. `format` may be NULL or "" (a generic blob: matches any blob format). */
FLYTE_EXTERN int flyte_literal_type_new_blob(flyte_literal_type **out, const char *format,
					     flyte_blob_dimensionality dimensionality);
/** A list of `element` (copied). */
FLYTE_EXTERN int flyte_literal_type_new_collection(flyte_literal_type **out, const flyte_literal_type *element);
/** A string-keyed map of `value` (copied). */
FLYTE_EXTERN int flyte_literal_type_new_map(flyte_literal_type **out, const flyte_literal_type *value);
/** An enum of `n` string values, in order. */
FLYTE_EXTERN int flyte_literal_type_new_enum(flyte_literal_type **out, const char *const *values, size_t n);
/** A union of `n` variants (copied). Give each variant a structure tag to tell them apart. */
FLYTE_EXTERN int flyte_literal_type_new_union(flyte_literal_type **out, const flyte_literal_type *const *variants,
					      size_t n);
/** A structured dataset; `format` may be NULL or "" (any). Add columns with the call below. */
FLYTE_EXTERN int flyte_literal_type_new_structured_dataset(flyte_literal_type **out, const char *format);
/** Appends a column `name` of `column_type` (copied) to a structured dataset type. */
FLYTE_EXTERN int flyte_literal_type_add_dataset_column(flyte_literal_type *type, const char *name,
						       const flyte_literal_type *column_type);
/** A (legacy) schema type with no columns; add them with the call below. */
FLYTE_EXTERN int flyte_literal_type_new_schema(flyte_literal_type **out);
/** Appends a column to a schema type. */
FLYTE_EXTERN int flyte_literal_type_add_schema_column(flyte_literal_type *type, const char *name,
						      flyte_schema_column_type column_type);

/** Sets `structure.tag` (e.g. a union variant's name); NULL or "" clears it. */
FLYTE_EXTERN int flyte_literal_type_set_structure_tag(flyte_literal_type *type, const char *tag);
/**
 * Sets `metadata` (a JSON object, e.g. a JSON schema of a STRUCT) from JSON text.
 * FLYTE_EINVALID with *error naming the problem when it is not a JSON object.
 */
FLYTE_EXTERN int flyte_literal_type_set_metadata_json(flyte_literal_type *type, const char *json,
						      flyte_error **error);
/** Sets `annotation.annotations` (a JSON object) from JSON text. */
FLYTE_EXTERN int flyte_literal_type_set_annotation_json(flyte_literal_type *type, const char *json,
							flyte_error **error);

/* Getters. Borrowed results live as long as `type`. Asking a type of another kind gives
   the zero value (0, NULL, ""). */

FLYTE_EXTERN flyte_type_kind flyte_literal_type_kind(const flyte_literal_type *type);
FLYTE_EXTERN flyte_simple_type flyte_literal_type_simple(const flyte_literal_type *type);
/** Blob format ("" for a generic blob). */
FLYTE_EXTERN const char *flyte_literal_type_blob_format(const flyte_literal_type *type);
FLYTE_EXTERN flyte_blob_dimensionality flyte_literal_type_blob_dimensionality(const flyte_literal_type *type);
/** The element type of a collection, or the value type of a map; NULL otherwise. */
FLYTE_EXTERN const flyte_literal_type *flyte_literal_type_element(const flyte_literal_type *type);
/** Union variants. */
FLYTE_EXTERN size_t flyte_literal_type_variant_count(const flyte_literal_type *type);
FLYTE_EXTERN const flyte_literal_type *flyte_literal_type_variant(const flyte_literal_type *type, size_t i);
/** Enum values. */
FLYTE_EXTERN size_t flyte_literal_type_enum_count(const flyte_literal_type *type);
FLYTE_EXTERN const char *flyte_literal_type_enum_value(const flyte_literal_type *type, size_t i);
/** Structured dataset format ("" for any). */
FLYTE_EXTERN const char *flyte_literal_type_dataset_format(const flyte_literal_type *type);
/** `structure.tag`, or "". */
FLYTE_EXTERN const char *flyte_literal_type_structure_tag(const flyte_literal_type *type);

/** Deep copy into *out. */
FLYTE_EXTERN int flyte_literal_type_copy(flyte_literal_type **out, const flyte_literal_type *type);
/** 1 when equal field by field (proto equality), else 0. */
FLYTE_EXTERN int flyte_literal_type_equal(const flyte_literal_type *a, const flyte_literal_type *b);
/** Frees; NULL is allowed. */
FLYTE_EXTERN void flyte_literal_type_free(flyte_literal_type *type);

/** Reads flyteidl proto3 JSON (`flyteidl.core.LiteralType`); errors name the JSON path. */
FLYTE_EXTERN int flyte_literal_type_from_json(flyte_literal_type **out, const char *json, size_t len,
					      flyte_error **error);
/** Writes flyteidl proto3 JSON (snake_case); free *out with flyte_string_free(). */
FLYTE_EXTERN int flyte_literal_type_to_json(char **out, const flyte_literal_type *type);
/**
 * A short human-readable form for messages, e.g. `integer`, `blob(format=csv)`,
 * `collection(map(string))`, `union(integer|string)`. Free with flyte_string_free().
 */
FLYTE_EXTERN int flyte_literal_type_to_string(char **out, const flyte_literal_type *type);

#ifdef __cplusplus
}
#endif

#endif
