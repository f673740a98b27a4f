#include "shim.h"
#include "_cgo_export.h"

static int hash_trampoline(flyte_out_string *out, const flyte_literal *literal, void *payload)
{
	return flyteGoHash(out, (flyte_literal *)literal, (uintptr_t)payload);
}

static int policy_trampoline(flyte_out_string *out, const char *salt, void *payload)
{
	return flyteGoCachePolicy(out, (char *)salt, (uintptr_t)payload);
}

static void log_trampoline(int level, const char *message, void *payload)
{
	flyteGoLog(level, (char *)message, (uintptr_t)payload);
}

static flyte_hash_fn builtin_fn(int builtin)
{
	switch (builtin) {
	case FLYTE_GO_SHA256_FILE:
		return flyte_hasher_sha256_file;
	case FLYTE_GO_SHA256_DIR:
		return flyte_hasher_sha256_dir;
	case FLYTE_GO_CANONICAL_JSON:
		return flyte_hasher_canonical_json;
	}
	return NULL;
}

int flyte_go_type_hints_add(flyte_type_hints *hints, const char *name, const flyte_literal_type *type,
			    uintptr_t handle)
{
	return flyte_type_hints_add(hints, name, type, handle ? hash_trampoline : NULL, (void *)handle);
}

int flyte_go_type_hints_add_builtin(flyte_type_hints *hints, const char *name, const flyte_literal_type *type,
				    int builtin)
{
	flyte_hash_fn fn = builtin_fn(builtin);
	return fn ? flyte_type_hints_add(hints, name, type, fn, NULL) : FLYTE_EINVALID;
}

int flyte_go_apply_builtin(flyte_literal *literal, int builtin, flyte_error **error)
{
	flyte_hash_fn fn = builtin_fn(builtin);
	return fn ? flyte_literal_apply_hash(literal, fn, NULL, error) : FLYTE_EINVALID;
}

void flyte_go_set_policy(flyte_cache_policy *policies, size_t i, uintptr_t handle)
{
	policies[i].fn = policy_trampoline;
	policies[i].payload = (void *)handle;
}

void flyte_go_set_log(flyte_client_options *opts, uintptr_t handle)
{
	opts->log = log_trampoline;
	opts->log_payload = (void *)handle;
}
