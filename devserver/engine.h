/*
 * engine: the durable execution engine, and the tables it keeps.
 *
 * An execution is a row of `executions`; each node that was reached is a row of
 * `node_executions`, each attempt of a task a row of `task_executions`. Every
 * transition is one transaction, so after a kill -9 the database holds a consistent
 * picture; executions that were running when the process died are failed at start-up.
 *
 * executions:      project, domain, name (the id); phase (WorkflowExecution.Phase name);
 *                  created_at, updated_at, started_at, ended_at (ns, NULL until known);
 *                  mode, principal, state (EXECUTION_ACTIVE/ARCHIVED), launch_entity
 *                  (LAUNCH_PLAN or TASK), lp_* (spec.launch_plan), wf_* (the workflow id);
 *                  spec (ExecutionSpec JSON), inputs (computed LiteralMap), user_inputs
 *                  (as requested), outputs (LiteralMap or NULL), error (ExecutionError or
 *                  NULL) with error_kind / error_code, abort_metadata (or NULL).
 * execution_tags:  project, domain, name, key, value (spec.tags with value "", and labels).
 * node_executions: project, domain, name, node_id, seq (order reached); phase
 *                  (NodeExecution.Phase name); times as above; inputs, outputs (LiteralMap
 *                  or NULL), error (or NULL), error_kind, error_code; is_task; cache_status
 *                  (CatalogCacheStatus name), catalog_key (CatalogMetadata JSON or NULL).
 * task_executions: project, domain, name, node_id, retry_attempt; task_project,
 *                  task_domain, task_name, task_version, task_type; phase
 *                  (TaskExecution.Phase name); times; logs (JSON array of TaskLog); error
 *                  (or NULL); reason; outputs; custom_info (the image and the command line
 *                  as run); pid and pid_start (the process group and its start time, to
 *                  stop orphans after a crash).
 *
 * While the server stops (SIGTERM), the rows of what it kills are left as they were, so
 * the next start-up fails those executions with the restart message too.
 */
#ifndef DS_ENGINE_H
#define DS_ENGINE_H

#include <jansson.h>

#include "server.h"

/* Creates the engine's tables (from ds_executions_init). */
int ds_engine_init_tables(ds_server *s, char **error);

/* What CreateExecution, Relaunch and Recover hand to the engine; all borrowed. */
typedef struct {
	const char *project, *domain, *name;
	const json_t *spec;        /* ExecutionSpec as stored */
	const json_t *inputs;      /* computed inputs (LiteralMap) */
	const json_t *user_inputs; /* the request's inputs (LiteralMap) */
	const json_t *workflow_id; /* core.Identifier of the workflow */
	const char *launch_entity; /* "LAUNCH_PLAN" or "TASK" */
} ds_launch;

/* Stores a new execution and starts it. 0, or -1 with the reply in out (409 when the
   name is taken). */
int ds_engine_launch(ds_server *s, const ds_launch *l, ds_reply *out);

/* Terminates a running execution (ABORTING, then ABORTED once its processes are gone).
   0, or -1 with the reply in out (404, or 400 when it is already terminal). */
int ds_engine_terminate(ds_server *s, const char *project, const char *domain, const char *name,
			const char *cause, ds_reply *out);

/* 1 for SUCCEEDED, FAILED, TIMED_OUT and ABORTED (WorkflowExecution.Phase names). */
int ds_exec_phase_terminal(const char *phase);

/* Identifier JSON helpers shared by the API modules (new references). */
json_t *ds_exec_id_json(const char *project, const char *domain, const char *name);
json_t *ds_node_exec_id_json(const char *project, const char *domain, const char *name, const char *node_id);

/* Column values of a row as JSON: stored JSON text and times (ns columns as RFC 3339
   strings); json null for SQL NULL; new references. */
json_t *ds_col_json(sqlite3_stmt *st, int col);
json_t *ds_col_time(sqlite3_stmt *st, int col);
/* A protobuf Duration string for ended - started (or now - started while running);
   json null when not started. */
json_t *ds_col_duration(sqlite3_stmt *st, int started_col, int ended_col);

/* The local path of a blob URI the dev server can read (file:// or an absolute path), or
   NULL; fl_free it. */
char *ds_blob_local_path(ds_server *s, const char *uri);
/* A long-lived URL that serves a file under the data directory (task logs), or its
   file:// URI when it cannot be signed; fl_free it. */
char *ds_file_url(ds_server *s, const char *path);
/* closure.outputs.uri of a succeeded execution: the file:// URI of its outputs.json. */
char *ds_exec_outputs_uri(ds_server *s, const char *project, const char *domain, const char *name);

#endif
