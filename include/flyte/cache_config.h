/**
 * @file flyte/cache_config.h
 * @brief Task cache settings and the cache version, as flytekit's `Cache` resolves them.
 *
 * A cacheable task needs a cache version or at least one cache policy: "If version is not
 * defined then at least one cache policy needs to be set". With policies and no version,
 * the version is the lowercase hex SHA-256 of the policies' results concatenated in order.
 */
#ifndef FLYTE_CACHE_CONFIG_H
#define FLYTE_CACHE_CONFIG_H

#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A cache policy: writes a version string for the task with flyte_out_string_set().
 * `salt` is the options' salt ("" when unset). Returns 0 or non-zero to fail.
 */
typedef int (*flyte_cache_policy_fn)(flyte_out_string *out, const char *salt, void *payload);

typedef struct {
	flyte_cache_policy_fn fn; /**< required */
	void *payload;            /**< optional, borrowed */
} flyte_cache_policy;

#define FLYTE_CACHE_OPTIONS_VERSION 1

/** Cache settings of a task. Strings and arrays are borrowed for the duration of a call. */
typedef struct {
	unsigned int version;            /**< FLYTE_CACHE_OPTIONS_VERSION */
	int enabled;                     /**< the task is cacheable (`discoverable`); default 0 */
	const char *cache_version;       /**< optional; wins over policies */
	int serialize;                   /**< `cache_serializable`; needs enabled; default 0 */
	const char *const *ignored_inputs; /**< `cache_ignore_input_vars`; needs enabled */
	size_t n_ignored_inputs;
	const char *salt;                /**< optional, passed to the policies */
	const flyte_cache_policy *policies; /**< optional */
	size_t n_policies;
} flyte_cache_options;

#define FLYTE_CACHE_OPTIONS_INIT {FLYTE_CACHE_OPTIONS_VERSION, 0, NULL, 0, NULL, 0, NULL, NULL, 0}

/** Initialises `opts` to defaults; `version` must be FLYTE_CACHE_OPTIONS_VERSION. */
FLYTE_EXTERN int flyte_cache_options_init(flyte_cache_options *opts, unsigned int version);

/**
 * Validates `opts` and resolves the cache version into *out (free with
 * flyte_string_free()); *out is NULL when caching is disabled. FLYTE_EINVALID with
 * flytekit's message when the settings are inconsistent, e.g.
 * `If version is not defined then at least one cache policy needs to be set`;
 * FLYTE_EUSER when a policy fails.
 */
FLYTE_EXTERN int flyte_cache_resolve_version(char **out, const flyte_cache_options *opts, flyte_error **error);

#ifdef __cplusplus
}
#endif

#endif
