/**
 * @file flyte/cache_key.h
 * @brief Flyte's cache keys computed client-side, bit-exact with flytepropeller and
 * DataCatalog (Flyte v1.16), and the hash hooks (type hints) that feed them.
 *
 * A cached task's outputs are found under a dataset id (task project, domain,
 * `flyte_task-<name>`, `<cache version>-<inputs hash>-<outputs hash>`) and an artifact tag
 * (`flyte_cached-` + a hash of the input values). An input whose literal carries a
 * non-empty `hash` is keyed by that hash instead of its value: that is what a type hint's
 * hash function sets (flytekit's `HashMethod`).
 *
 * All functions here are thread-safe on distinct arguments.
 */
#ifndef FLYTE_CACHE_KEY_H
#define FLYTE_CACHE_KEY_H

#include <stddef.h>

#include "common.h"
#include "interface.h"
#include "literal.h"
#include "literal_type.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Length of an artifact tag: "flyte_cached-" and 43 base64url characters. */
#define FLYTE_ARTIFACT_TAG_LEN 56

/**
 * The artifact tag for `inputs` (NULL = no inputs), leaving out the top-level inputs named
 * in `ignore` (`cache_ignore_input_vars`, exact names; may be NULL when n_ignore is 0).
 * Writes FLYTE_ARTIFACT_TAG_LEN characters and a NUL into `out`.
 * FLYTE_EINVALID when a value cannot be hashed (e.g. a struct `Value` with no kind).
 */
FLYTE_EXTERN int flyte_cache_artifact_tag(char out[FLYTE_ARTIFACT_TAG_LEN + 1], const flyte_literal_map *inputs,
					  const char *const *ignore, size_t n_ignore, flyte_error **error);

/** A DataCatalog dataset id; every string is owned by the struct. */
typedef struct {
	char *project;
	char *domain;
	char *name;    /**< "flyte_task-" + task name */
	char *version; /**< cache version + "-" + 8 chars + "-" + 8 chars */
} flyte_dataset_id;

/**
 * The dataset version for a task's `interface` (NULL = no inputs or outputs) and
 * `cache_version` (spaces trimmed at both ends; FLYTE_EINVALID when blank).
 * Free *out with flyte_string_free().
 */
FLYTE_EXTERN int flyte_cache_dataset_version(char **out, const char *cache_version,
					     const flyte_typed_interface *interface, flyte_error **error);
/** The full dataset id of a task (project, domain and name come from `task_id`). */
FLYTE_EXTERN int flyte_cache_dataset_id(flyte_dataset_id *out, const flyte_identifier *task_id,
					const char *cache_version, const flyte_typed_interface *interface,
					flyte_error **error);
/** Frees the strings of `id` and zeroes it; NULL is allowed. */
FLYTE_EXTERN void flyte_dataset_id_dispose(flyte_dataset_id *id);

/**
 * A hash function: computes the cache hash of an input from its literal and stores it with
 * flyte_out_string_set(out, ...). Returns 0, or non-zero to fail (the SDK reports
 * FLYTE_EUSER naming the input, with the message given to flyte_out_string_fail(), if any).
 */
typedef int (*flyte_hash_fn)(flyte_out_string *out, const flyte_literal *literal, void *payload);

/** Records why a callback failed; the SDK puts `message` in the error it reports. */
FLYTE_EXTERN int flyte_out_string_fail(flyte_out_string *out, const char *message);

/**
 * Calls `fn` on `literal` and sets `Literal.hash` to its result. An empty result is an
 * error (FLYTE_EINVALID): an empty hash would silently key by value.
 */
FLYTE_EXTERN int flyte_literal_apply_hash(flyte_literal *literal, flyte_hash_fn fn, void *payload,
					  flyte_error **error);

/**
 * Type hints: per input name, an optional declared type and an optional hash function
 * (flytekit's `type_hints={"x": Annotated[T, HashMethod(fn)]}`). Owned by the caller;
 * names and types are copied, payloads are borrowed for the hints' lifetime.
 * Not thread-safe for modification; apply may run concurrently on distinct maps.
 */
typedef struct flyte_type_hints flyte_type_hints;

FLYTE_EXTERN int flyte_type_hints_new(flyte_type_hints **out);
/** Adds or replaces the hint for `name`. `type` and `hash_fn` may each be NULL. */
FLYTE_EXTERN int flyte_type_hints_add(flyte_type_hints *hints, const char *name, const flyte_literal_type *type,
				      flyte_hash_fn hash_fn, void *payload);
/** The declared type of `name` (borrowed) or NULL. */
FLYTE_EXTERN const flyte_literal_type *flyte_type_hints_type(const flyte_type_hints *hints, const char *name);
FLYTE_EXTERN size_t flyte_type_hints_count(const flyte_type_hints *hints);
FLYTE_EXTERN void flyte_type_hints_free(flyte_type_hints *hints);
/**
 * For every input of `inputs` whose hint has a type: checks the value against it
 * (FLYTE_ETYPE naming the input). Then, for every hint with a hash function whose input
 * is present, sets `Literal.hash` to the function's result. Nothing is changed when any
 * step fails.
 */
FLYTE_EXTERN int flyte_type_hints_apply(const flyte_type_hints *hints, flyte_literal_map *inputs,
					flyte_error **error);

#ifdef __cplusplus
}
#endif

#endif
