/*
 * compiler: the registration-time checks FlyteAdmin delegates to flytepropeller's compiler
 * and to its launch plan validator, for what the dev server runs: workflows of task nodes
 * (bindings type-checked with the SDK's flyte_types_castable, connections computed, cycles
 * and unreachable nodes rejected), raw-container tasks, and launch plans' inputs.
 *
 * Everything works on canonical JSON (ds_msg_to_json) of flyteidl messages. Errors are
 * FlyteAdmin's texts; the caller adds the prefix FlyteAdmin puts in front of them.
 */
#ifndef DS_COMPILER_H
#define DS_COMPILER_H

#include <jansson.h>

/* A registered task's template (core.TaskTemplate, new reference), or NULL when the task
   is not registered. */
typedef json_t *(*ds_task_lookup)(const json_t *task_id, void *payload);

/*
 * Compiles a WorkflowTemplate (its id already set) into a core.CompiledWorkflowClosure:
 * primary.template gains the start-node and end-node, promises bound to "" point at
 * start-node, primary.connections holds the upstream and downstream maps, `tasks` every
 * task the workflow calls; sub_workflows (may be NULL) are carried over. Returns 0, or -1
 * with *error (fl_free it) set to what follows "with err: " in FlyteAdmin's message:
 * "missing entity of type TASK with identifier ..." or "Collected Errors: N\n\tError 0: ...".
 */
int ds_compile_workflow(json_t **closure, const json_t *template, const json_t *sub_workflows,
			ds_task_lookup lookup, void *payload, char **error);

/* CompileTask: 0, or -1 with *error = the compile errors ("Collected Errors: ..."). */
int ds_compile_task(const json_t *template, char **error);

/*
 * ValidateLaunchPlan's checks of a LaunchPlanSpec against its workflow's interface: fixed
 * and default inputs, unknown names, wrong types, schedules, launch conditions. On success
 * spec.default_inputs becomes the expected inputs (the defaults plus every workflow input
 * that is neither defaulted nor fixed, marked required), as FlyteAdmin stores it. Returns
 * 0, or -1 with *error set to FlyteAdmin's message (a 400).
 */
int ds_compile_launch_plan(json_t *spec, const json_t *workflow_interface, char **error);

/* An Identifier as FlyteAdmin's messages print it (Go's %v of the proto: prototext
   without zero fields), e.g. `project:"p" domain:"d" name:"n" version:"v"`. fl_free it. */
char *ds_identifier_text(const json_t *id, int with_resource_type);

#endif
