/* entities: registered tasks, workflows and launch plans, as other modules read them. */
#ifndef DS_ENTITIES_H
#define DS_ENTITIES_H

#include <jansson.h>

#include "flyte/interface.h"
#include "server.h"

/*
 * A registered entity as its admin message in canonical JSON (admin.Task, admin.Workflow
 * or admin.LaunchPlan, snake_case, as ds_msg_to_json writes it), new reference; NULL
 * when it does not exist. A workflow carries closure.compiled_workflow (primary template
 * with its connections, and every task it calls in `tasks`); a launch plan carries
 * closure.expected_inputs (defaults plus required workflow inputs, fixed inputs excluded).
 */
json_t *ds_entity_get(ds_server *s, flyte_resource_type type, const char *project, const char *domain,
		      const char *name, const char *version);

/*
 * For an execution of a task (spec.launch_plan.resource_type TASK): the launch plan
 * FlyteAdmin creates for it, a workflow ".flytegen.<task name>" with one node calling the
 * task, and a launch plan with the same id, both at the task's version; registered on
 * first use. Returns the admin.LaunchPlan (new reference), or NULL with *grpc_code and
 * *error (fl_free it) set.
 */
json_t *ds_entity_task_launch_plan(ds_server *s, const char *project, const char *domain, const char *name,
				   const char *version, int *grpc_code, char **error);

#endif
