/*
 * C side of the callbacks: the library calls these small functions, which pass a
 * runtime/cgo.Handle (carried in the library's `void *payload`) to the exported Go
 * functions of callbacks.go. Casting between uintptr_t and void * happens here, in C,
 * so that the Go side never turns an integer into an unsafe.Pointer.
 */
#ifndef FLYTEREMOTE_GO_SHIM_H
#define FLYTEREMOTE_GO_SHIM_H

#include <stdint.h>

#include <flyte/flyte.h>

enum { FLYTE_GO_SHA256_FILE = 1, FLYTE_GO_SHA256_DIR = 2, FLYTE_GO_CANONICAL_JSON = 3 };

/* Adds a hint whose hash function is the Go Hasher behind `handle` (0: no hash). */
int flyte_go_type_hints_add(flyte_type_hints *hints, const char *name, const flyte_literal_type *type,
			    uintptr_t handle);
/* Adds a hint whose hash function is a built-in one (FLYTE_GO_*). */
int flyte_go_type_hints_add_builtin(flyte_type_hints *hints, const char *name, const flyte_literal_type *type,
				    int builtin);
/* Runs a built-in hash function on `literal`, setting its hash. */
int flyte_go_apply_builtin(flyte_literal *literal, int builtin, flyte_error **error);
/* Makes policy i of `policies` call the Go CachePolicy behind `handle`. */
void flyte_go_set_policy(flyte_cache_policy *policies, size_t i, uintptr_t handle);
/* Makes the client log through the Go function behind `handle`. */
void flyte_go_set_log(flyte_client_options *opts, uintptr_t handle);

#endif
