/* The steps of a launch and of a status refresh, shared by the blocking calls in
   execution.c and the poller (poller.c). */
#ifndef FLYTE_EXECUTION_INTERNAL_H
#define FLYTE_EXECUTION_INTERNAL_H

#include <jansson.h>

#include "flyte/execution.h"
#include "transport.h"

/* What a launch needs from the server, fetched once: the entity and, for a launch plan,
   its workflow (whose compiled tasks give the cache keys). */
typedef struct {
	flyte_entity *owned;        /* fetched for this launch, or NULL */
	const flyte_entity *entity; /* the task or launch plan (a launch plan carries its workflow) */
} fl_launch_target;

int fl_target_resolve(flyte_client *c, fl_launch_target *t, const flyte_identifier *entity, flyte_error **error);
void fl_target_dispose(fl_launch_target *t);

/* A launch ready to send: the handle (name chosen), the request body, and what the 409
   check compares. */
typedef struct {
	flyte_execution *execution;
	json_t *spec;
	json_t *inputs;
	char *body;
} fl_launch;

/* Hints, checks, name, predicted keys and the request body; nothing is sent. */
int fl_execute_prepare(flyte_client *c, const fl_launch_target *target, fl_launch *out,
		       const flyte_literal_map *inputs, const flyte_type_hints *hints,
		       const flyte_execute_options *opts, flyte_error **error);
/* Interprets the create's outcome (rc, attempts): a 409 after a retry is ours if the
   execution found matches. Returns the final code. */
int fl_execute_created(flyte_client *c, fl_launch *l, int rc, int attempts, flyte_error **error);
void fl_launch_dispose(fl_launch *l);

/* Apply responses to a handle: GET execution, GET node executions (`all` is the array
   of node executions, stolen), GET execution data. */
int fl_execution_apply_status(flyte_execution *x, const json_t *doc, flyte_error **error);
int fl_execution_apply_nodes(const fl_transport *t, flyte_execution *x, json_t *all, flyte_error **error);
int fl_execution_apply_data(flyte_execution *x, const json_t *data, flyte_error **error);

#endif
