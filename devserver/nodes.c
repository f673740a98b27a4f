/*
 * nodes: node executions and task executions of an execution, and their data, as the
 * engine recorded them (engine.h has the tables).
 *
 * ListNodeExecutions lists the synthetic start-node and end-node entries as FlyteAdmin
 * does (start-node SUCCEEDED with the execution's inputs as outputs, end-node once the
 * workflow succeeded); flytekit skips them by id. Only top-level nodes exist, so a list
 * with unique_parent_id, and ListNodeExecutionsForTask, are empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "compiler.h"
#include "engine.h"
#include "listing.h"
#include "routes.h"

/* ---- node executions ---- */

#define NODE_COLUMNS                                                                                            \
	"n.project, n.domain, n.name, n.node_id, n.phase, n.created_at, n.updated_at, n.started_at, n.ended_at, " \
	"n.error, n.is_task, n.cache_status, n.catalog_key"

static json_t *node_json(sqlite3_stmt *st)
{
	const char *p = (const char *)sqlite3_column_text(st, 0), *d = (const char *)sqlite3_column_text(st, 1),
		   *n = (const char *)sqlite3_column_text(st, 2), *node = (const char *)sqlite3_column_text(st, 3);
	json_t *closure = json_pack("{s:s,s:o,s:o,s:o,s:o,s:s,s:s}", "phase", sqlite3_column_text(st, 4),
				    "created_at", ds_col_time(st, 5), "updated_at", ds_col_time(st, 6), "started_at",
				    ds_col_time(st, 7), "duration", ds_col_duration(st, 7, 8), "deck_uri", "",
				    "dynamic_job_spec_uri", "");
	if (sqlite3_column_type(st, 9) != SQLITE_NULL)
		json_object_set_new(closure, "error", ds_col_json(st, 9));
	if (sqlite3_column_int(st, 10)) {
		const char *status = (const char *)sqlite3_column_text(st, 11);
		json_object_set_new(closure, "task_node_metadata",
				    json_pack("{s:s,s:o,s:s}", "cache_status", status ? status : "CACHE_DISABLED",
					      "catalog_key", ds_col_json(st, 12), "checkpoint_uri", ""));
	}
	return json_pack("{s:o,s:s,s:o,s:{s:s,s:b,s:s,s:b,s:b,s:b}}", "id", ds_node_exec_id_json(p, d, n, node),
			 "input_uri", "", "closure", closure, "metadata", "retry_group", "", "is_parent_node", 0,
			 "spec_node_id", node, "is_dynamic", 0, "is_array", 0, "is_eager", 0);
}

static void reply_node_missing(ds_reply *out, const ds_request *rq)
{
	ds_reply_error(out, GRPC_NOT_FOUND,
		       "missing entity of type node execution with identifier node_id:\"%s\" "
		       "execution_id:{project:\"%s\" domain:\"%s\" name:\"%s\"}",
		       rq->params[3], rq->params[0], rq->params[1], rq->params[2]);
}

static void get_node_execution(ds_server *s, const ds_request *rq, ds_reply *out)
{
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = ds_store_prepare(db,
					    "SELECT " NODE_COLUMNS " FROM node_executions n WHERE n.project=? AND "
					    "n.domain=? AND n.name=? AND n.node_id=?",
					    "tttt", rq->params[0], rq->params[1], rq->params[2], rq->params[3]);
	json_t *node = st && sqlite3_step(st) == SQLITE_ROW ? node_json(st) : NULL;
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	if (node)
		ds_reply_json(out, &pb_flyteidl_admin_NodeExecution, node);
	else
		reply_node_missing(out, rq);
}

static const ds_list_column node_columns[] = {
	{"node_id", "n.node_id", 0},
	{"phase", "n.phase", 0},
	{"cache_status", "n.cache_status", 0},
	{"started_at", "n.started_at", 1},
	{"created_at", "n.created_at", 1},
	{"updated_at", "n.updated_at", 1},
	{"node_execution_created_at", "n.created_at", 1},
	{"node_execution_updated_at", "n.updated_at", 1},
	{"error_kind", "n.error_kind", 0},
	{"error_code", "n.error_code", 0},
	{"execution_project", "n.project", 0},
	{"execution_domain", "n.domain", 0},
	{"execution_name", "n.name", 0},
	{"id", "n.seq", 0},
	{"execution.phase", "(SELECT x.phase FROM executions x WHERE x.project=n.project AND x.domain=n.domain "
			    "AND x.name=n.name)",
	 0},
	{"execution.execution_name", "n.name", 0},
	{"execution.execution_project", "n.project", 0},
	{"execution.execution_domain", "n.domain", 0},
	{NULL, NULL, 0},
};
static const ds_list_spec node_list = {"node_execution", node_columns, 1};

/* Runs a list query: base SQL with `n_fixed` text parameters, then the list's own. */
static json_t *run_list(ds_server *s, const char *base, const char *const *fixed, int n_fixed,
			const ds_list_query *q, const char *default_order, json_t *(*row)(sqlite3_stmt *))
{
	char *sql = fl_asprintf("%s%s%s LIMIT ? OFFSET ?", base, q->where, *q->order_by ? q->order_by : default_order);
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = NULL;
	json_t *items = NULL;
	if (sql && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		int i = 1;
		for (int k = 0; k < n_fixed; k++)
			sqlite3_bind_text(st, i++, fixed[k], -1, SQLITE_TRANSIENT);
		i = ds_list_bind(st, i, q);
		sqlite3_bind_int64(st, i++, q->limit ? q->limit : -1);
		sqlite3_bind_int64(st, i, q->offset);
		items = json_array();
		while (sqlite3_step(st) == SQLITE_ROW)
			json_array_append_new(items, row(st));
	}
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	fl_free(sql);
	return items;
}

static void reply_list(ds_reply *out, const pb_msg_desc *desc, const char *field, json_t *items,
		       const ds_list_query *q)
{
	if (!items) {
		ds_reply_error(out, GRPC_INTERNAL, "failed database operation");
		return;
	}
	char token[32];
	ds_list_token(token, q, json_array_size(items));
	ds_reply_json(out, desc, json_pack("{s:o,s:s}", field, items, "token", token));
}

static void list_node_executions(ds_server *s, const ds_request *rq, ds_reply *out)
{
	ds_list_query q;
	if (ds_list_parse(rq, &node_list, &q, out) != 0)
		return;
	const char *parent = ds_query(rq, "unique_parent_id");
	/* Every node is top-level: none has a parent. */
	const char *base = parent && *parent ? "SELECT " NODE_COLUMNS " FROM node_executions n WHERE 0 AND "
					       "n.project=? AND n.domain=? AND n.name=?"
					     : "SELECT " NODE_COLUMNS " FROM node_executions n WHERE n.project=? AND "
					       "n.domain=? AND n.name=?";
	const char *fixed[] = {rq->params[0], rq->params[1], rq->params[2]};
	json_t *items = run_list(s, base, fixed, 3, &q, " ORDER BY n.seq", node_json);
	reply_list(out, &pb_flyteidl_admin_NodeExecutionList, "node_executions", items, &q);
	ds_list_query_dispose(&q);
}

static void list_node_executions_for_task(ds_server *s, const ds_request *rq, ds_reply *out)
{
	(void)s;
	ds_list_query q;
	if (ds_list_parse(rq, &node_list, &q, out) != 0)
		return;
	reply_list(out, &pb_flyteidl_admin_NodeExecutionList, "node_executions", json_array(), &q);
	ds_list_query_dispose(&q);
}

/* flyte://v1/<project>/<domain>/<name>/<node>[/<attempt>]/<kind> */
static json_t *flyte_urls(const ds_request *rq, const char *attempt)
{
	char *base = fl_asprintf("flyte://v1/%s/%s/%s/%s%s%s", rq->params[0], rq->params[1], rq->params[2],
				 rq->params[3], attempt ? "/" : "", attempt ? attempt : "");
	json_t *urls = json_pack("{s:s++,s:s++,s:s}", "inputs", base ? base : "", "/", "i", "outputs",
				 base ? base : "", "/", "o", "deck", "");
	fl_free(base);
	return urls;
}

static json_t *literal_map_or_empty(sqlite3_stmt *st, int col)
{
	json_t *m = ds_col_json(st, col);
	if (json_is_null(m)) {
		json_decref(m);
		m = json_pack("{s:{}}", "literals");
	}
	return m;
}

static void get_node_execution_data(ds_server *s, const ds_request *rq, ds_reply *out)
{
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = ds_store_prepare(db,
					    "SELECT inputs, outputs FROM node_executions WHERE project=? AND "
					    "domain=? AND name=? AND node_id=?",
					    "tttt", rq->params[0], rq->params[1], rq->params[2], rq->params[3]);
	json_t *body = NULL;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		body = json_pack("{s:{s:s,s:s},s:{s:s,s:s},s:o,s:o,s:o}", "inputs", "url", "", "bytes", "0", "outputs",
				 "url", "", "bytes", "0", "full_inputs", literal_map_or_empty(st, 0), "full_outputs",
				 literal_map_or_empty(st, 1), "flyte_urls", flyte_urls(rq, NULL));
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	if (body)
		ds_reply_json(out, &pb_flyteidl_admin_NodeExecutionGetDataResponse, body);
	else
		reply_node_missing(out, rq);
}

/* ---- task executions ---- */

#define TASK_COLUMNS                                                                                            \
	"t.project, t.domain, t.name, t.node_id, t.retry_attempt, t.task_project, t.task_domain, t.task_name, "  \
	"t.task_version, t.task_type, t.phase, t.created_at, t.updated_at, t.started_at, t.ended_at, t.logs, "   \
	"t.error, t.reason, t.custom_info"

static json_t *task_json(sqlite3_stmt *st)
{
	const char *p = (const char *)sqlite3_column_text(st, 0), *d = (const char *)sqlite3_column_text(st, 1),
		   *n = (const char *)sqlite3_column_text(st, 2), *node = (const char *)sqlite3_column_text(st, 3);
	json_t *logs = ds_col_json(st, 15);
	if (!json_is_array(logs)) {
		json_decref(logs);
		logs = json_array();
	}
	json_t *closure = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:s,s:s}", "phase", sqlite3_column_text(st, 10),
				    "logs", logs, "created_at", ds_col_time(st, 11), "updated_at", ds_col_time(st, 12),
				    "started_at", ds_col_time(st, 13), "duration", ds_col_duration(st, 13, 14),
				    "reason", sqlite3_column_text(st, 17), "task_type", sqlite3_column_text(st, 9));
	if (sqlite3_column_type(st, 16) != SQLITE_NULL)
		json_object_set_new(closure, "error", ds_col_json(st, 16));
	json_object_set_new(closure, "custom_info", ds_col_json(st, 18));
	json_t *id = json_pack("{s:{s:s,s:s,s:s,s:s,s:s},s:o,s:i}", "task_id", "resource_type", "TASK", "project",
			       sqlite3_column_text(st, 5), "domain", sqlite3_column_text(st, 6), "name",
			       sqlite3_column_text(st, 7), "version", sqlite3_column_text(st, 8), "node_execution_id",
			       ds_node_exec_id_json(p, d, n, node), "retry_attempt", sqlite3_column_int(st, 4));
	return json_pack("{s:o,s:s,s:o,s:b}", "id", id, "input_uri", "", "closure", closure, "is_parent", 0);
}

static const ds_list_column task_columns[] = {
	{"retry_attempt", "t.retry_attempt", 0},
	{"phase", "t.phase", 0},
	{"started_at", "t.started_at", 1},
	{"created_at", "t.created_at", 1},
	{"updated_at", "t.updated_at", 1},
	{"task_execution_created_at", "t.created_at", 1},
	{"task_execution_updated_at", "t.updated_at", 1},
	{"node_id", "t.node_id", 0},
	{"project", "t.task_project", 0},
	{"domain", "t.task_domain", 0},
	{"name", "t.task_name", 0},
	{"version", "t.task_version", 0},
	{"execution_project", "t.project", 0},
	{"execution_domain", "t.domain", 0},
	{"execution_name", "t.name", 0},
	{"task.name", "t.task_name", 0},
	{"task.version", "t.task_version", 0},
	{"node_execution.phase", "(SELECT x.phase FROM node_executions x WHERE x.project=t.project AND "
				 "x.domain=t.domain AND x.name=t.name AND x.node_id=t.node_id)",
	 0},
	{"execution.phase", "(SELECT x.phase FROM executions x WHERE x.project=t.project AND x.domain=t.domain AND "
			    "x.name=t.name)",
	 0},
	{NULL, NULL, 0},
};
static const ds_list_spec task_list = {"task_execution", task_columns, 1};

static void list_task_executions(ds_server *s, const ds_request *rq, ds_reply *out)
{
	ds_list_query q;
	if (ds_list_parse(rq, &task_list, &q, out) != 0)
		return;
	const char *fixed[] = {rq->params[0], rq->params[1], rq->params[2], rq->params[3]};
	json_t *items = run_list(s,
				 "SELECT " TASK_COLUMNS " FROM task_executions t WHERE t.project=? AND t.domain=? AND "
				 "t.name=? AND t.node_id=?",
				 fixed, 4, &q, " ORDER BY t.retry_attempt", task_json);
	reply_list(out, &pb_flyteidl_admin_TaskExecutionList, "task_executions", items, &q);
	ds_list_query_dispose(&q);
}

/* The row of a task execution named by the 9 path segments, or NULL with a 404. */
static sqlite3_stmt *task_row(sqlite3 *db, const char *columns, const ds_request *rq, ds_reply *out)
{
	char *end;
	long attempt = strtol(rq->params[8], &end, 10);
	if (*end || attempt < 0) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT,
			       "parsing field \"id.retry_attempt\": strconv.ParseUint: parsing \"%s\": invalid syntax",
			       rq->params[8]);
		return NULL;
	}
	char *sql = fl_asprintf("SELECT %s FROM task_executions t WHERE t.project=? AND t.domain=? AND t.name=? AND "
				"t.node_id=? AND t.task_project=? AND t.task_domain=? AND t.task_name=? AND "
				"t.task_version=? AND t.retry_attempt=?",
				columns);
	sqlite3_stmt *st = sql ? ds_store_prepare(db, sql, "tttttttti", rq->params[0], rq->params[1], rq->params[2],
						  rq->params[3], rq->params[4], rq->params[5], rq->params[6],
						  rq->params[7], (long long)attempt)
			       : NULL;
	fl_free(sql);
	if (st && sqlite3_step(st) == SQLITE_ROW)
		return st;
	sqlite3_finalize(st);
	ds_reply_error(out, GRPC_NOT_FOUND,
		       "missing entity of type task execution with identifier task_id:{resource_type:TASK "
		       "project:\"%s\" domain:\"%s\" name:\"%s\" version:\"%s\"} node_execution_id:{node_id:\"%s\" "
		       "execution_id:{project:\"%s\" domain:\"%s\" name:\"%s\"}} retry_attempt:%ld",
		       rq->params[4], rq->params[5], rq->params[6], rq->params[7], rq->params[3], rq->params[0],
		       rq->params[1], rq->params[2], attempt);
	return NULL;
}

static void get_task_execution(ds_server *s, const ds_request *rq, ds_reply *out)
{
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = task_row(db, TASK_COLUMNS, rq, out);
	json_t *te = st ? task_json(st) : NULL;
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	if (te)
		ds_reply_json(out, &pb_flyteidl_admin_TaskExecution, te);
}

static void get_task_execution_data(ds_server *s, const ds_request *rq, ds_reply *out)
{
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = task_row(db,
				    "(SELECT n.inputs FROM node_executions n WHERE n.project=t.project AND "
				    "n.domain=t.domain AND n.name=t.name AND n.node_id=t.node_id), t.outputs",
				    rq, out);
	json_t *body = NULL;
	if (st)
		body = json_pack("{s:{s:s,s:s},s:{s:s,s:s},s:o,s:o,s:o}", "inputs", "url", "", "bytes", "0", "outputs",
				 "url", "", "bytes", "0", "full_inputs", literal_map_or_empty(st, 0), "full_outputs",
				 literal_map_or_empty(st, 1), "flyte_urls", flyte_urls(rq, rq->params[8]));
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	if (body)
		ds_reply_json(out, &pb_flyteidl_admin_TaskExecutionGetDataResponse, body);
}

const ds_route ds_nodes_routes[] = {
	{"GET", "/api/v1/node_executions/{}/{}/{}", list_node_executions},
	{"GET", "/api/v1/node_executions/{}/{}/{}/{}", get_node_execution},
	{"GET", "/api/v1/data/node_executions/{}/{}/{}/{}", get_node_execution_data},
	{"GET", "/api/v1/children/task_executions/{}/{}/{}/{}/{}/{}/{}/{}/{}", list_node_executions_for_task},
	{"GET", "/api/v1/task_executions/{}/{}/{}/{}", list_task_executions},
	{"GET", "/api/v1/task_executions/{}/{}/{}/{}/{}/{}/{}/{}/{}", get_task_execution},
	{"GET", "/api/v1/data/task_executions/{}/{}/{}/{}/{}/{}/{}/{}/{}", get_task_execution_data},
	{NULL, NULL, NULL},
};

int ds_nodes_init(ds_server *s, char **error)
{
	(void)s;
	(void)error;
	return 0;
}
