/*
 * bindings: the literal a workflow binding (`flyteidl.core.BindingData`, as JSON) stands
 * for, shared by the dev server's engine (every node's inputs) and the SDK's cache-key
 * prediction (task nodes fed by workflow inputs and constants).
 */
#ifndef FLYTE_BINDINGS_H
#define FLYTE_BINDINGS_H

#include <jansson.h>

/* The value of output `var` of node `node_id` ("start-node" or "": the workflow's inputs),
   borrowed; NULL with *error (fl_malloc'd) when it is not known. */
typedef const json_t *(*fl_promise_fn)(const char *node_id, const char *var, void *arg, char **error);

/*
 * The Literal JSON (new reference) for BindingData `bd`: scalars as they are, promises
 * looked up (following attribute paths into lists and maps), collections and maps of
 * bindings element by element, unions wrapped in their target type. NULL with *error set
 * (fl_free it) when a promise cannot be resolved or the binding is empty.
 */
json_t *fl_binding_literal(const json_t *bd, fl_promise_fn lookup, void *arg, char **error);
/* The LiteralMap JSON ({"literals": ...}) of an array of Bindings {var, binding}. */
json_t *fl_bindings_literal_map(const json_t *bindings, fl_promise_fn lookup, void *arg, char **error);

#endif
