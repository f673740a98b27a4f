/**
 * @file flyte/execution.h
 * @brief Launching executions with typed inputs and type hints, waiting for them, and
 * reading their results, node states and cache keys.
 *
 * A flyte_execution is a local handle on an execution. It is not shared: use one handle
 * from one thread at a time (different handles on different threads are fine).
 */
#ifndef FLYTE_EXECUTION_H
#define FLYTE_EXECUTION_H

#include <stddef.h>

#include "cache_key.h"
#include "client.h"
#include "common.h"
#include "entities.h"
#include "interface.h"
#include "literal.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct flyte_execution flyte_execution;

/** `WorkflowExecution.Phase`; the numbers are flyteidl's. */
typedef enum {
	FLYTE_PHASE_UNDEFINED = 0,
	FLYTE_PHASE_QUEUED = 1,
	FLYTE_PHASE_RUNNING = 2,
	FLYTE_PHASE_SUCCEEDING = 3,
	FLYTE_PHASE_SUCCEEDED = 4,
	FLYTE_PHASE_FAILING = 5,
	FLYTE_PHASE_FAILED = 6,
	FLYTE_PHASE_ABORTED = 7,
	FLYTE_PHASE_TIMED_OUT = 8,
	FLYTE_PHASE_ABORTING = 9
} flyte_execution_phase;

/** `CatalogCacheStatus`; the numbers are flyteidl's. */
typedef enum {
	FLYTE_CACHE_DISABLED = 0,
	FLYTE_CACHE_MISS = 1,
	FLYTE_CACHE_HIT = 2,
	FLYTE_CACHE_POPULATED = 3,
	FLYTE_CACHE_LOOKUP_FAILURE = 4,
	FLYTE_CACHE_PUT_FAILURE = 5,
	FLYTE_CACHE_SKIPPED = 6,
	FLYTE_CACHE_EVICTED = 7
} flyte_cache_status;

#define FLYTE_EXECUTE_OPTIONS_VERSION 1

/** How to launch. All fields optional; strings and arrays are borrowed for the call. */
typedef struct {
	unsigned int version;        /**< FLYTE_EXECUTE_OPTIONS_VERSION */
	const char *project;         /**< where the execution runs; default: the client's */
	const char *domain;          /**< default: the client's */
	/**
	 * The execution name (`^[a-z][a-z0-9-]*$`, at most 63 characters). Default: chosen by
	 * the client before the first attempt, so that a retried create can never make two
	 * executions.
	 */
	const char *name;
	const char *name_prefix;     /**< prefix of a generated name; default "x" */
	int overwrite_cache;         /**< run cached tasks again and replace their cached outputs */
	const char *const *tags;     /**< execution tags */
	size_t n_tags;
	const char *const *label_keys; /**< labels: n_labels keys and values */
	const char *const *label_values;
	size_t n_labels;
	const char *const *annotation_keys;
	const char *const *annotation_values;
	size_t n_annotations;
	const char *const *env_keys;   /**< environment variables of the tasks */
	const char *const *env_values;
	size_t n_envs;
	int interruptible;           /**< -1 or 0: as the workflow says (default); 1 true; 2 false */
	int max_parallelism;         /**< 0: the server's default */
	const char *raw_output_prefix; /**< where tasks write raw outputs */
	/** Log which inputs came from the caller and which from launch-plan defaults. */
	int log_input_sources;
} flyte_execute_options;

/* Every field spelled out: user code built with -Wextra -Werror must not warn. */
#define FLYTE_EXECUTE_OPTIONS_INIT                                                                              \
	{FLYTE_EXECUTE_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, \
	 0, 0, 0, NULL, 0}

FLYTE_EXTERN int flyte_execute_options_init(flyte_execute_options *opts, unsigned int version);

/**
 * Launches `entity` (a task, a workflow through its default launch plan, or a launch
 * plan: see flyte_reference_*; version NULL means latest) with `inputs` (may be NULL).
 *
 * Before anything is sent: the entity's interface is fetched; `hints` (may be NULL) check
 * their inputs and set `Literal.hash` with their hash functions; every input is checked
 * against the interface with Flyte's type rules (FLYTE_ETYPE / FLYTE_EINVALID naming the
 * input); an input that overrides a fixed launch-plan input is refused (FLYTE_EINVALID
 * naming it); launch-plan defaults fill what the caller leaves out (on the server; the
 * caller's value wins); a missing required input is refused. The cache key of every task
 * node that takes only workflow inputs and constants is predicted (see
 * flyte_execution_predicted_*).
 *
 * The create is retried on transient failures under the client-chosen name; a retry that
 * finds the execution already there returns it when it is the same launch, else
 * FLYTE_EEXISTS. On success *out is a handle on the queued execution.
 */
FLYTE_EXTERN int flyte_execute(flyte_client *client, flyte_execution **out, const flyte_identifier *entity,
			       const flyte_literal_map *inputs, const flyte_type_hints *hints,
			       const flyte_execute_options *opts, flyte_error **error);

/**
 * The same launch for an entity already fetched with flyte_fetch() (a task or a launch
 * plan): no request but the create, which is what a binding or a service launching the
 * same entity many times wants. `entity` is borrowed for the call.
 */
FLYTE_EXTERN int flyte_execute_entity(flyte_client *client, flyte_execution **out, const flyte_entity *entity,
				      const flyte_literal_map *inputs, const flyte_type_hints *hints,
				      const flyte_execute_options *opts, flyte_error **error);

/** A handle on an existing execution (by project, domain and name; NULLs mean defaults). */
FLYTE_EXTERN int flyte_execution_get(flyte_client *client, flyte_execution **out, const char *project,
				     const char *domain, const char *name, flyte_error **error);

/**
 * Polls until the execution reaches a terminal phase or `timeout_ms` passes (0: no
 * limit; FLYTE_ETIMEOUT then). Polls back off from 200 ms up to `poll_interval_ms`
 * (default 5000). On return the phase, error and (when it succeeded) the outputs are
 * current. Returns 0 whatever the terminal phase: check flyte_execution_phase().
 */
FLYTE_EXTERN int flyte_execution_wait(flyte_client *client, flyte_execution *execution, long timeout_ms,
				      long poll_interval_ms, flyte_error **error);
/**
 * One cheap poll: refreshes the phase and error (one request); once the execution is in a
 * terminal phase, also syncs nodes and outputs as flyte_execution_sync() does. For callers
 * that wait on their own schedule (a binding honouring cancellation, an event loop).
 */
FLYTE_EXTERN int flyte_execution_refresh(flyte_client *client, flyte_execution *execution, flyte_error **error);

/**
 * Refreshes phase, error, node executions (phase, cache status, catalog key, error) and,
 * once succeeded, the outputs; compares predicted cache keys with the server's.
 */
FLYTE_EXTERN int flyte_execution_sync(flyte_client *client, flyte_execution *execution, flyte_error **error);

FLYTE_EXTERN const char *flyte_execution_project(const flyte_execution *execution);
FLYTE_EXTERN const char *flyte_execution_domain(const flyte_execution *execution);
FLYTE_EXTERN const char *flyte_execution_name(const flyte_execution *execution);
FLYTE_EXTERN flyte_execution_phase flyte_execution_phase_of(const flyte_execution *execution);
/** 1 for SUCCEEDED, FAILED, ABORTED and TIMED_OUT. */
FLYTE_EXTERN int flyte_execution_is_done(const flyte_execution *execution);
/** The error message of a failed execution, or NULL. */
FLYTE_EXTERN const char *flyte_execution_error_message(const flyte_execution *execution);
/** The phase's name, e.g. "SUCCEEDED". */
FLYTE_EXTERN const char *flyte_phase_name(flyte_execution_phase phase);
FLYTE_EXTERN const char *flyte_cache_status_name(flyte_cache_status status);
/** The inputs as sent (after hashing), and the outputs once succeeded (else NULL). */
FLYTE_EXTERN const flyte_literal_map *flyte_execution_inputs(const flyte_execution *execution);
FLYTE_EXTERN const flyte_literal_map *flyte_execution_outputs(const flyte_execution *execution);

/** Node executions as of the last sync (start and end nodes left out). */
typedef struct {
	const char *node_id;
	int phase;                       /**< `NodeExecution.Phase` number */
	const char *phase_name;
	flyte_cache_status cache_status;
	const char *dataset_project;     /**< catalog key, NULL when the node has none */
	const char *dataset_domain;
	const char *dataset_name;
	const char *dataset_version;
	const char *artifact_tag;
	const char *error_message;       /**< NULL unless the node failed */
} flyte_node_info;

FLYTE_EXTERN size_t flyte_execution_node_count(const flyte_execution *execution);
/** Node i (borrowed, valid until the next sync or wait); NULL when out of range. */
FLYTE_EXTERN const flyte_node_info *flyte_execution_node_at(const flyte_execution *execution, size_t i);

/** A cache key predicted before submission, and what the server reported after. */
typedef struct {
	const char *node_id;
	flyte_dataset_id dataset;        /**< predicted */
	const char *artifact_tag;        /**< predicted */
	const char *server_artifact_tag; /**< from the node execution, NULL until known */
	const char *server_dataset_version;
	int matches;                     /**< 1 equal, 0 differ, -1 not known yet */
} flyte_cache_prediction;

FLYTE_EXTERN size_t flyte_execution_prediction_count(const flyte_execution *execution);
FLYTE_EXTERN const flyte_cache_prediction *flyte_execution_prediction_at(const flyte_execution *execution, size_t i);

/** The execution's page in the Flyte console; free with flyte_string_free(). */
FLYTE_EXTERN int flyte_execution_console_url(char **out, const flyte_client *client,
					     const flyte_execution *execution);

/** Terminates a running execution (FLYTE_EINVALID when it has already finished). */
FLYTE_EXTERN int flyte_execution_terminate(flyte_client *client, flyte_execution *execution, const char *cause,
					   flyte_error **error);
/** Launches it again with the same inputs as a new execution (*out). */
FLYTE_EXTERN int flyte_execution_relaunch(flyte_client *client, flyte_execution **out,
					  const flyte_execution *execution, int overwrite_cache, flyte_error **error);
/** Recovers a failed execution: succeeded nodes keep their outputs, the rest run again. */
FLYTE_EXTERN int flyte_execution_recover(flyte_client *client, flyte_execution **out,
					 const flyte_execution *execution, flyte_error **error);
FLYTE_EXTERN void flyte_execution_free(flyte_execution *execution);

#ifdef __cplusplus
}
#endif

#endif
