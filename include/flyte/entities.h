/**
 * @file flyte/entities.h
 * @brief Tasks, workflows and launch plans: building them from C values, registering them
 * (idempotently), fetching registered ones, and naming reference entities.
 *
 * Builders copy their arguments. A built entity is a plain value: read it from many
 * threads at once, modify it from one. Registering needs a client (flyte/client.h).
 */
#ifndef FLYTE_ENTITIES_H
#define FLYTE_ENTITIES_H

#include <stddef.h>
#include <stdint.h>

#include "cache_config.h"
#include "client.h"
#include "common.h"
#include "interface.h"
#include "literal.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct flyte_task flyte_task;
typedef struct flyte_workflow flyte_workflow;
typedef struct flyte_launch_plan flyte_launch_plan;

/* ---- Tasks ---- */

/**
 * A raw-container task (`raw-container`): `image` runs `command` with `args`, the
 * interface says its inputs and outputs. In args, `{{.inputs.x}}` is replaced by the value
 * of input x. To exchange files, give the task a data configuration
 * (flyte_task_set_data_config): inputs then arrive as files in its input path and outputs
 * are read from files named after them in its output path. (`{{.outputPrefix}}` is the
 * blob-store prefix of the outputs on a cluster, and a local directory on flyte-devserver.)
 * `id` needs project, domain, name and version (resource type is set to TASK).
 */
FLYTE_EXTERN int flyte_task_new_raw_container(flyte_task **out, const flyte_identifier *id, const char *image,
					      const char *const *command, size_t n_command, const char *const *args,
					      size_t n_args, const flyte_typed_interface *interface,
					      flyte_error **error);
/**
 * Flyte's copilot data configuration: inputs are written as files into `input_path`
 * (one per variable, plus inputs.json) and outputs read from `output_path`, one file per
 * output variable. Both paths are as the container sees them, e.g. "/var/inputs".
 */
FLYTE_EXTERN int flyte_task_set_data_config(flyte_task *task, const char *input_path, const char *output_path);
/**
 * Cache settings (flyte/cache_config.h). The rule of flytekit applies: a cacheable task
 * needs a cache version or a cache policy (FLYTE_EINVALID "If version is not defined then
 * at least one cache policy needs to be set").
 */
FLYTE_EXTERN int flyte_task_set_cache(flyte_task *task, const flyte_cache_options *cache, flyte_error **error);
/** Retries after a failure (0: none). */
FLYTE_EXTERN int flyte_task_set_retries(flyte_task *task, unsigned int retries);
/** Time limit of one attempt, in seconds (0: none). */
FLYTE_EXTERN int flyte_task_set_timeout(flyte_task *task, int64_t timeout_seconds);
/** An environment variable of the container. */
FLYTE_EXTERN int flyte_task_set_env(flyte_task *task, const char *key, const char *value);
/** Borrowed views. */
FLYTE_EXTERN const flyte_typed_interface *flyte_task_interface(const flyte_task *task);
FLYTE_EXTERN flyte_identifier flyte_task_id(const flyte_task *task);
/** The task as `flyteidl.core.TaskTemplate` JSON; free with flyte_string_free(). */
FLYTE_EXTERN int flyte_task_to_json(char **out, const flyte_task *task);
/** A task from `flyteidl.core.TaskTemplate` JSON (with its `id`). */
FLYTE_EXTERN int flyte_task_from_json(flyte_task **out, const char *json, size_t len, flyte_error **error);
FLYTE_EXTERN void flyte_task_free(flyte_task *task);

/* ---- Workflows ---- */

/** Where a node input (or a workflow output) takes its value from. */
typedef struct {
	const char *name;              /**< the input (or output) being bound; required */
	const char *from_node;         /**< node id, or NULL / "" for the workflow's inputs */
	const char *from_var;          /**< that node's output, or the workflow input; NULL when `value` is set */
	const flyte_literal *value;    /**< a constant instead of a reference (copied); optional */
} flyte_binding;

/** A workflow with the given interface (copied) and no nodes yet. */
FLYTE_EXTERN int flyte_workflow_new(flyte_workflow **out, const flyte_identifier *id,
				    const flyte_typed_interface *interface, flyte_error **error);
/**
 * Adds a node `node_id` that calls `task` with `bindings` for its inputs. The task's
 * interface types the node (its id and interface are copied). Every task input must be
 * bound (FLYTE_EINVALID naming it) and every binding must name an existing input and a
 * known source. Nodes run once the nodes they take values from have succeeded.
 */
FLYTE_EXTERN int flyte_workflow_add_task_node(flyte_workflow *wf, const char *node_id, const flyte_task *task,
					      const flyte_binding *bindings, size_t n_bindings, flyte_error **error);
/** Binds a workflow output to a node output (or a constant). */
FLYTE_EXTERN int flyte_workflow_bind_output(flyte_workflow *wf, const flyte_binding *binding, flyte_error **error);
FLYTE_EXTERN const flyte_typed_interface *flyte_workflow_interface(const flyte_workflow *wf);
FLYTE_EXTERN flyte_identifier flyte_workflow_id(const flyte_workflow *wf);
/** `flyteidl.core.WorkflowTemplate` JSON. */
FLYTE_EXTERN int flyte_workflow_to_json(char **out, const flyte_workflow *wf);
FLYTE_EXTERN void flyte_workflow_free(flyte_workflow *wf);

/* ---- Launch plans ---- */

/**
 * A launch plan for `wf` (its id and interface are copied), with id `id` (often the
 * workflow's own id: its default launch plan). Every workflow input is required until
 * given a default.
 */
FLYTE_EXTERN int flyte_launch_plan_new(flyte_launch_plan **out, const flyte_identifier *id, const flyte_workflow *wf,
				       flyte_error **error);
/** A default for input `name` (the caller may override it). FLYTE_ETYPE when it does not fit. */
FLYTE_EXTERN int flyte_launch_plan_set_default(flyte_launch_plan *lp, const char *name, const flyte_literal *value,
					       flyte_error **error);
/** A fixed value for input `name` (the caller may not override it). */
FLYTE_EXTERN int flyte_launch_plan_set_fixed(flyte_launch_plan *lp, const char *name, const flyte_literal *value,
					     flyte_error **error);
FLYTE_EXTERN flyte_identifier flyte_launch_plan_id(const flyte_launch_plan *lp);
/** `flyteidl.admin.LaunchPlanSpec` JSON. */
FLYTE_EXTERN int flyte_launch_plan_to_json(char **out, const flyte_launch_plan *lp);
FLYTE_EXTERN void flyte_launch_plan_free(flyte_launch_plan *lp);

/* ---- Registration (idempotent: an identical entity already registered is success) ---- */

/**
 * Registers the entity. 0 when it was created or an identical one exists; FLYTE_EEXISTS
 * with the server's message when a different one is registered under the same version
 * ("... with different structure already exists"): register a new version.
 */
FLYTE_EXTERN int flyte_register_task(flyte_client *client, const flyte_task *task, flyte_error **error);
FLYTE_EXTERN int flyte_register_workflow(flyte_client *client, const flyte_workflow *wf, flyte_error **error);
FLYTE_EXTERN int flyte_register_launch_plan(flyte_client *client, const flyte_launch_plan *lp, flyte_error **error);

/* ---- Fetching and reference entities ---- */

/**
 * A registered entity, as fetched: its full id, its interface and, for a launch plan,
 * its default and fixed inputs. Immutable; may be shared between threads.
 */
typedef struct flyte_entity flyte_entity;

/**
 * Fetches a task, workflow or launch plan by id. `id->version` NULL or "" means the
 * latest (newest created_at). `id->project` / `id->domain` NULL mean the client's defaults.
 * FLYTE_ENOTFOUND when it does not exist.
 */
FLYTE_EXTERN int flyte_fetch(flyte_client *client, flyte_entity **out, const flyte_identifier *id, flyte_error **error);
/** The entity's full id (strings borrowed from `entity`). */
FLYTE_EXTERN flyte_identifier flyte_entity_id(const flyte_entity *entity);
/**
 * Its interface. For a launch plan: the inputs it expects (the workflow's inputs minus
 * its fixed ones, see flyte_entity_fixed_inputs) and the workflow's outputs.
 */
FLYTE_EXTERN const flyte_typed_interface *flyte_entity_interface(const flyte_entity *entity);
/** A launch plan's default inputs and fixed inputs (empty maps for other entities). */
FLYTE_EXTERN const flyte_literal_map *flyte_entity_defaults(const flyte_entity *entity);
FLYTE_EXTERN const flyte_literal_map *flyte_entity_fixed_inputs(const flyte_entity *entity);
/** The raw admin message (admin.Task, admin.Workflow or admin.LaunchPlan) as JSON. */
FLYTE_EXTERN const char *flyte_entity_json(const flyte_entity *entity);
FLYTE_EXTERN void flyte_entity_free(flyte_entity *entity);

/**
 * Reference entities: things registered elsewhere, known only by id. Executing one
 * (flyte/execution.h) fetches its interface from the server; nothing is compiled
 * locally. `version` NULL means the latest. The strings are borrowed.
 */
FLYTE_EXTERN flyte_identifier flyte_reference_task(const char *project, const char *domain, const char *name,
						   const char *version);
FLYTE_EXTERN flyte_identifier flyte_reference_workflow(const char *project, const char *domain, const char *name,
						       const char *version);
FLYTE_EXTERN flyte_identifier flyte_reference_launch_plan(const char *project, const char *domain, const char *name,
							  const char *version);

#ifdef __cplusplus
}
#endif

#endif
