/**
 * @file flyte/literal.h
 * @brief Flyte values (`flyteidl.core.Literal`) and named value maps (`LiteralMap`).
 *
 * Builders return a new literal the caller owns (free with flyte_literal_free()); every
 * argument is copied. Calls ending in `_new` *take* ownership of the literal passed in
 * (like jansson's stolen references), even when they fail.
 * Getters return borrowed pointers valid until the parent is modified or freed.
 * Thread safety: concurrent reads of an unchanging literal or map are safe; any
 * modification needs exclusive access.
 */
#ifndef FLYTE_LITERAL_H
#define FLYTE_LITERAL_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "literal_type.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct flyte_literal flyte_literal;
typedef struct flyte_literal_map flyte_literal_map;

/** What a literal holds (the scalar kinds flattened). */
typedef enum {
	FLYTE_LITERAL_UNSET = 0,
	FLYTE_LITERAL_INTEGER,
	FLYTE_LITERAL_FLOAT,
	FLYTE_LITERAL_STRING,
	FLYTE_LITERAL_BOOLEAN,
	FLYTE_LITERAL_DATETIME,
	FLYTE_LITERAL_DURATION,
	FLYTE_LITERAL_BLOB,
	FLYTE_LITERAL_BINARY,
	FLYTE_LITERAL_NONE,
	FLYTE_LITERAL_ERROR,
	FLYTE_LITERAL_GENERIC,
	FLYTE_LITERAL_STRUCTURED_DATASET,
	FLYTE_LITERAL_SCHEMA,
	FLYTE_LITERAL_UNION,
	FLYTE_LITERAL_COLLECTION,
	FLYTE_LITERAL_MAP,
	FLYTE_LITERAL_OFFLOADED
} flyte_literal_kind;

/* Builders: 0, FLYTE_EINVALID (NULL or out-of-range argument) or FLYTE_ENOMEM. */

FLYTE_EXTERN int flyte_literal_new_integer(flyte_literal **out, int64_t value);
/** Any double, NaN and infinities included. */
FLYTE_EXTERN int flyte_literal_new_float(flyte_literal **out, double value);
/** A NUL-terminated UTF-8 string (FLYTE_EINVALID for invalid UTF-8). */
FLYTE_EXTERN int flyte_literal_new_string(flyte_literal **out, const char *value);
FLYTE_EXTERN int flyte_literal_new_boolean(flyte_literal **out, int value);
/** UTC instant: seconds since the Unix epoch and 0 <= nanos < 1e9; years 1 to 9999. */
FLYTE_EXTERN int flyte_literal_new_datetime(flyte_literal **out, int64_t seconds, int32_t nanos);
/** seconds and nanos of the same sign, |seconds| <= 315576000000, |nanos| < 1e9. */
FLYTE_EXTERN int flyte_literal_new_duration(flyte_literal **out, int64_t seconds, int32_t nanos);
FLYTE_EXTERN int flyte_literal_new_none(flyte_literal **out);
/** A file (SINGLE) or directory (MULTIPART) at `uri`; `format` may be NULL or "". */
FLYTE_EXTERN int flyte_literal_new_blob(flyte_literal **out, const char *uri, const char *format,
					flyte_blob_dimensionality dimensionality);
/** Opaque bytes with an optional `tag` (e.g. "msgpack"). */
FLYTE_EXTERN int flyte_literal_new_binary(flyte_literal **out, const void *data, size_t len, const char *tag);
FLYTE_EXTERN int flyte_literal_new_error(flyte_literal **out, const char *failed_node_id, const char *message);
/** A generic struct (`google.protobuf.Struct`) from JSON text holding an object. */
FLYTE_EXTERN int flyte_literal_new_generic_json(flyte_literal **out, const char *json, flyte_error **error);
/** A structured dataset at `uri`, `format` may be NULL or "" (e.g. "parquet"). */
FLYTE_EXTERN int flyte_literal_new_structured_dataset(flyte_literal **out, const char *uri, const char *format);
/** A (legacy) schema at `uri` of `schema_type` (a schema type, copied; NULL for none). */
FLYTE_EXTERN int flyte_literal_new_schema(flyte_literal **out, const char *uri, const flyte_literal_type *schema_type);
/** A union value: `value` (copied) tagged with its variant `type` (copied). */
FLYTE_EXTERN int flyte_literal_new_union(flyte_literal **out, const flyte_literal *value,
					 const flyte_literal_type *type);
/** An empty collection; add items with flyte_literal_collection_append(). */
FLYTE_EXTERN int flyte_literal_new_collection(flyte_literal **out);
/** An empty map; add entries with flyte_literal_map_entry_set(). */
FLYTE_EXTERN int flyte_literal_new_map(flyte_literal **out);
/** A literal stored elsewhere: `uri`, its size and its type (copied, may be NULL). */
FLYTE_EXTERN int flyte_literal_new_offloaded(flyte_literal **out, const char *uri, uint64_t size_bytes,
					     const flyte_literal_type *inferred_type);

/** Appends a copy of `item` to a collection literal. FLYTE_ETYPE if not a collection. */
FLYTE_EXTERN int flyte_literal_collection_append(flyte_literal *collection, const flyte_literal *item);
/** Appends `item`, taking ownership of it (freed on failure). */
FLYTE_EXTERN int flyte_literal_collection_append_new(flyte_literal *collection, flyte_literal *item);
/** Sets `key` of a map literal to a copy of `item` (replacing). FLYTE_ETYPE if not a map. */
FLYTE_EXTERN int flyte_literal_map_entry_set(flyte_literal *map, const char *key, const flyte_literal *item);
/** The same, taking ownership of `item` (freed on failure). */
FLYTE_EXTERN int flyte_literal_map_entry_set_new(flyte_literal *map, const char *key, flyte_literal *item);

/**
 * Sets `Literal.hash`: when non-empty, Flyte's cache key uses this string instead of the
 * value. NULL or "" clears it.
 */
FLYTE_EXTERN int flyte_literal_set_hash(flyte_literal *literal, const char *hash);
/** `Literal.hash`, or "" when unset. */
FLYTE_EXTERN const char *flyte_literal_hash(const flyte_literal *literal);
/** Sets one entry of `Literal.metadata`; a NULL value removes the key. */
FLYTE_EXTERN int flyte_literal_set_metadata(flyte_literal *literal, const char *key, const char *value);
/** One entry of `Literal.metadata`, or NULL. */
FLYTE_EXTERN const char *flyte_literal_metadata(const flyte_literal *literal, const char *key);

/* Typed getters: 0, or FLYTE_ETYPE when the literal holds another kind. */

FLYTE_EXTERN flyte_literal_kind flyte_literal_kind_of(const flyte_literal *literal);
FLYTE_EXTERN int flyte_literal_get_integer(const flyte_literal *literal, int64_t *out);
FLYTE_EXTERN int flyte_literal_get_float(const flyte_literal *literal, double *out);
/** Borrowed string. */
FLYTE_EXTERN int flyte_literal_get_string(const flyte_literal *literal, const char **out);
FLYTE_EXTERN int flyte_literal_get_boolean(const flyte_literal *literal, int *out);
FLYTE_EXTERN int flyte_literal_get_datetime(const flyte_literal *literal, int64_t *seconds, int32_t *nanos);
FLYTE_EXTERN int flyte_literal_get_duration(const flyte_literal *literal, int64_t *seconds, int32_t *nanos);
/** Blob uri and format (borrowed; format "" when generic) and dimensionality; any out may be NULL. */
FLYTE_EXTERN int flyte_literal_get_blob(const flyte_literal *literal, const char **uri, const char **format,
					flyte_blob_dimensionality *dimensionality);
/** Binary bytes (borrowed) and tag. */
FLYTE_EXTERN int flyte_literal_get_binary(const flyte_literal *literal, const void **data, size_t *len,
					  const char **tag);
/** Generic struct as compact JSON text; free with flyte_string_free(). */
FLYTE_EXTERN int flyte_literal_get_generic_json(const flyte_literal *literal, char **out);
/** Structured dataset uri and format (borrowed). */
FLYTE_EXTERN int flyte_literal_get_structured_dataset(const flyte_literal *literal, const char **uri,
						      const char **format);
/** Error message and failed node id (borrowed). */
FLYTE_EXTERN int flyte_literal_get_error(const flyte_literal *literal, const char **message,
					 const char **failed_node_id);
/** The value and the variant type of a union (borrowed). */
FLYTE_EXTERN int flyte_literal_get_union(const flyte_literal *literal, const flyte_literal **value,
					 const flyte_literal_type **type);
/** Number of items of a collection or entries of a map (0 for other kinds). */
FLYTE_EXTERN size_t flyte_literal_count(const flyte_literal *literal);
/** Item i of a collection (borrowed), NULL when out of range or not a collection. */
FLYTE_EXTERN const flyte_literal *flyte_literal_collection_at(const flyte_literal *literal, size_t i);
/** Entry i of a map, keys in bytewise order (borrowed); NULL when out of range. */
FLYTE_EXTERN const flyte_literal *flyte_literal_map_entry_at(const flyte_literal *literal, size_t i,
							     const char **key);
/** The map entry under `key` (borrowed), or NULL. */
FLYTE_EXTERN const flyte_literal *flyte_literal_map_entry_get(const flyte_literal *literal, const char *key);

FLYTE_EXTERN int flyte_literal_copy(flyte_literal **out, const flyte_literal *literal);
/** 1 when equal field by field (hash and metadata included), else 0. */
FLYTE_EXTERN int flyte_literal_equal(const flyte_literal *a, const flyte_literal *b);
FLYTE_EXTERN void flyte_literal_free(flyte_literal *literal);
/** Reads flyteidl proto3 JSON (`flyteidl.core.Literal`); errors name the JSON path. */
FLYTE_EXTERN int flyte_literal_from_json(flyte_literal **out, const char *json, size_t len, flyte_error **error);
/** Writes flyteidl proto3 JSON (snake_case names). Free with flyte_string_free(). */
FLYTE_EXTERN int flyte_literal_to_json(char **out, const flyte_literal *literal);

/* ---- LiteralMap: the inputs or outputs of a task, by name ---- */

FLYTE_EXTERN int flyte_literal_map_new(flyte_literal_map **out);
/** Sets `name` to a copy of `value`, replacing an existing entry. */
FLYTE_EXTERN int flyte_literal_map_set(flyte_literal_map *map, const char *name, const flyte_literal *value);
/** The same, taking ownership of `value` (freed on failure). */
FLYTE_EXTERN int flyte_literal_map_set_new(flyte_literal_map *map, const char *name, flyte_literal *value);
/** Borrowed; NULL when absent. Mutable so that hashes can be set in place. */
FLYTE_EXTERN flyte_literal *flyte_literal_map_get(const flyte_literal_map *map, const char *name);
/** Removes `name`; FLYTE_ENOTFOUND when absent. */
FLYTE_EXTERN int flyte_literal_map_remove(flyte_literal_map *map, const char *name);
FLYTE_EXTERN size_t flyte_literal_map_count(const flyte_literal_map *map);
/** Entry i in bytewise name order; `name` (borrowed) may be NULL. */
FLYTE_EXTERN flyte_literal *flyte_literal_map_at(const flyte_literal_map *map, size_t i, const char **name);
FLYTE_EXTERN int flyte_literal_map_copy(flyte_literal_map **out, const flyte_literal_map *map);
FLYTE_EXTERN int flyte_literal_map_equal(const flyte_literal_map *a, const flyte_literal_map *b);
FLYTE_EXTERN void flyte_literal_map_free(flyte_literal_map *map);
/** Reads flyteidl proto3 JSON (`flyteidl.core.LiteralMap`), e.g. `{"literals":{"a":...}}`. */
FLYTE_EXTERN int flyte_literal_map_from_json(flyte_literal_map **out, const char *json, size_t len,
					     flyte_error **error);
/** Writes flyteidl proto3 JSON. Free with flyte_string_free(). */
FLYTE_EXTERN int flyte_literal_map_to_json(char **out, const flyte_literal_map *map);

#ifdef __cplusplus
}
#endif

#endif
