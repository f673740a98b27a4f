/**
 * @file flyte/interface.h
 * @brief Entity identifiers and typed interfaces (`Identifier`, `Variable`,
 * `VariableMap`, `TypedInterface`).
 *
 * Thread safety: as for literals, concurrent reads are safe, modifications exclusive.
 */
#ifndef FLYTE_INTERFACE_H
#define FLYTE_INTERFACE_H

#include <stddef.h>

#include "common.h"
#include "literal_type.h"

#ifdef __cplusplus
extern "C" {
#endif

/** `flyteidl.core.ResourceType`. */
typedef enum {
	FLYTE_RESOURCE_UNSPECIFIED = 0,
	FLYTE_RESOURCE_TASK = 1,
	FLYTE_RESOURCE_WORKFLOW = 2,
	FLYTE_RESOURCE_LAUNCH_PLAN = 3,
	FLYTE_RESOURCE_DATASET = 4
} flyte_resource_type;

/**
 * An entity id, as plain data. Strings are borrowed from the caller for the duration of
 * a call; `org` and `version` may be NULL.
 */
typedef struct {
	flyte_resource_type resource_type;
	const char *project;
	const char *domain;
	const char *name;
	const char *version;
	const char *org;
} flyte_identifier;

/** Named, typed variables: the inputs or the outputs of an interface. */
typedef struct flyte_variable_map flyte_variable_map;
/** Inputs and outputs of a task, workflow or launch plan. */
typedef struct flyte_typed_interface flyte_typed_interface;

FLYTE_EXTERN int flyte_variable_map_new(flyte_variable_map **out);
/** Adds or replaces `name` with a copy of `type`; `description` may be NULL. */
FLYTE_EXTERN int flyte_variable_map_add(flyte_variable_map *map, const char *name, const flyte_literal_type *type,
					const char *description);
/** The type of `name` (borrowed), or NULL. */
FLYTE_EXTERN const flyte_literal_type *flyte_variable_map_type(const flyte_variable_map *map, const char *name);
FLYTE_EXTERN size_t flyte_variable_map_count(const flyte_variable_map *map);
/** Variable i in bytewise name order; `name` and `description` (borrowed) may be NULL. */
FLYTE_EXTERN const flyte_literal_type *flyte_variable_map_at(const flyte_variable_map *map, size_t i,
							     const char **name, const char **description);
FLYTE_EXTERN int flyte_variable_map_copy(flyte_variable_map **out, const flyte_variable_map *map);
FLYTE_EXTERN void flyte_variable_map_free(flyte_variable_map *map);
/** Reads `flyteidl.core.VariableMap` JSON. */
FLYTE_EXTERN int flyte_variable_map_from_json(flyte_variable_map **out, const char *json, size_t len,
					      flyte_error **error);
FLYTE_EXTERN int flyte_variable_map_to_json(char **out, const flyte_variable_map *map);

/** A new interface of copies of `inputs` and `outputs` (either may be NULL: empty). */
FLYTE_EXTERN int flyte_typed_interface_new(flyte_typed_interface **out, const flyte_variable_map *inputs,
					   const flyte_variable_map *outputs);
/** Borrowed; NULL when the interface has none. */
FLYTE_EXTERN const flyte_variable_map *flyte_typed_interface_inputs(const flyte_typed_interface *iface);
FLYTE_EXTERN const flyte_variable_map *flyte_typed_interface_outputs(const flyte_typed_interface *iface);
FLYTE_EXTERN int flyte_typed_interface_copy(flyte_typed_interface **out, const flyte_typed_interface *iface);
FLYTE_EXTERN void flyte_typed_interface_free(flyte_typed_interface *iface);
/** Reads `flyteidl.core.TypedInterface` JSON. */
FLYTE_EXTERN int flyte_typed_interface_from_json(flyte_typed_interface **out, const char *json, size_t len,
						 flyte_error **error);
FLYTE_EXTERN int flyte_typed_interface_to_json(char **out, const flyte_typed_interface *iface);

#ifdef __cplusplus
}
#endif

#endif
