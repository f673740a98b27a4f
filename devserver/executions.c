/*
 * executions: CreateExecution (from a launch plan or a task), Get, List, Terminate,
 * Update (archive), Relaunch, Recover and GetExecutionData, with FlyteAdmin's validation
 * and messages (reference/admin-api.md §4.3, §6). The engine (engine.c) stores and runs
 * what is accepted here.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "alloc.h"
#include "catalog.h"
#include "compiler.h"
#include "engine.h"
#include "labels.h"
#include "entities.h"
#include "flyte/typecheck.h"
#include "listing.h"
#include "projects.h"
#include "routes.h"

#define NAME_MAX_LEN 63
/* FlyteAdmin's default max_parallelism when neither request nor launch plan sets one. */
#define DEFAULT_MAX_PARALLELISM 25

static const char *str_at(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

static void reply_missing(ds_reply *out, const char *project, const char *domain, const char *name)
{
	ds_reply_error(out, GRPC_NOT_FOUND,
		       "missing entity of type execution with identifier project:\"%s\" domain:\"%s\" name:\"%s\"",
		       project, domain, name);
}

/* ---- validation ---- */

/* CheckValidExecutionID on the lower-cased name. */
static int check_name(const char *name, ds_reply *out)
{
	char *lower = fl_strdup(name);
	if (!lower) {
		ds_reply_error(out, GRPC_INTERNAL, "out of memory");
		return -1;
	}
	for (char *c = lower; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	int ok = islower((unsigned char)lower[0]);
	for (const char *c = lower; ok && *c; c++)
		ok = islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-';
	if (strlen(lower) > NAME_MAX_LEN)
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "size of name exceeded length %d : %s", NAME_MAX_LEN, lower);
	else if (!ok)
		ds_reply_error(out, GRPC_INVALID_ARGUMENT,
			       "invalid name format: %s, does not match regex '^[a-z][a-z\\-0-9]*$'", lower);
	int rc = strlen(lower) <= NAME_MAX_LEN && ok ? 0 : -1;
	fl_free(lower);
	return rc;
}

/* validateLiteralMap(inputs, "inputs"). */
static int check_literal_map(const json_t *inputs, ds_reply *out)
{
	const char *name;
	const json_t *lit;
	json_object_foreach(json_object_get(inputs, "literals"), name, lit) {
		if (!*name) {
			ds_reply_error(out, GRPC_INVALID_ARGUMENT, "missing key in inputs");
			return -1;
		}
		if (!json_object_get(lit, "scalar") && !json_object_get(lit, "collection") &&
		    !json_object_get(lit, "map") && !json_object_get(lit, "offloaded_metadata")) {
			ds_reply_error(out, GRPC_INVALID_ARGUMENT, "missing valid literal in inputs %s", name);
			return -1;
		}
	}
	return 0;
}

static int check_launch_plan_id(const json_t *id, ds_reply *out)
{
	static const char *const fields[] = {"project", "domain", "name", "version"};
	if (!id) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "missing id");
		return -1;
	}
	for (size_t i = 0; i < 4; i++) {
		if (!*str_at(id, fields[i])) {
			ds_reply_error(out, GRPC_INVALID_ARGUMENT, "missing %s", fields[i]);
			return -1;
		}
	}
	const char *rt = str_at(id, "resource_type");
	if (strcmp(rt, "LAUNCH_PLAN") != 0 && strcmp(rt, "TASK") != 0) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT,
			       "Invalid reference entity resource type [%s], only [map[TASK:<nil> LAUNCH_PLAN:<nil>]] "
			       "allowed",
			       *rt ? rt : "UNSPECIFIED");
		return -1;
	}
	return 0;
}

/* One user input against its expected parameter: 0, or -1 with the 400 in out. */
static int check_input_type(const char *name, const json_t *lit, const json_t *param, ds_reply *out)
{
	flyte_error *err = NULL;
	pb_msg *value = ds_json_to_msg(&pb_flyteidl_core_Literal, lit, &err);
	const json_t *want_json = json_object_get(json_object_get(param, "var"), "type");
	pb_msg *want = want_json ? ds_json_to_msg(&pb_flyteidl_core_LiteralType, want_json, NULL) : NULL;
	flyte_literal_type *got = NULL;
	int rc = 0;
	if (!value || flyte_literal_type_infer(&got, (const flyte_literal *)value, &err) != 0) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "Failed to validate literal type for [%s] with err: %s",
			       name, err ? flyte_error_message(err) : "unknown literal type");
		rc = -1;
	} else if (!flyte_types_castable(got, (const flyte_literal_type *)want)) {
		char *w = ds_prototext(want), *g = ds_prototext((const pb_msg *)got);
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "invalid %s input wrong type. Expected %s, but got %s", name,
			       w ? w : "", g ? g : "");
		fl_free(w);
		fl_free(g);
		rc = -1;
	}
	flyte_error_free(err);
	flyte_literal_type_free(got);
	pb_msg_free(value);
	pb_msg_free(want);
	return rc;
}

/* CheckAndFetchInputsForExecution: the computed inputs (new reference) or NULL with a 400. */
static json_t *compute_inputs(const json_t *user, const json_t *launch_plan, ds_reply *out)
{
	const json_t *expected = json_object_get(json_object_get(json_object_get(launch_plan, "closure"),
								  "expected_inputs"),
						 "parameters");
	const json_t *fixed = json_object_get(json_object_get(json_object_get(launch_plan, "spec"), "fixed_inputs"),
					      "literals");
	const json_t *given = json_object_get(user, "literals");
	json_t *lits = json_object();
	const char *name;
	const json_t *v;
	/* jansson iterates in key order, so the first error is the same every time. */
	json_object_foreach((json_t *)given, name, v) {
		if (!json_object_get(expected, name)) {
			ds_reply_error(out, GRPC_INVALID_ARGUMENT, "invalid input %s", name);
			goto fail;
		}
		json_object_set(lits, name, (json_t *)v);
	}
	json_object_foreach((json_t *)expected, name, v) {
		const json_t *lit = json_object_get(lits, name);
		if (lit) {
			if (check_input_type(name, lit, v, out) != 0)
				goto fail;
		} else if (json_is_true(json_object_get(v, "required"))) {
			ds_reply_error(out, GRPC_INVALID_ARGUMENT, "expected_inputs %s missing", name);
			goto fail;
		} else if (json_object_get(v, "default")) {
			json_object_set(lits, name, json_object_get(v, "default"));
		}
	}
	json_object_foreach((json_t *)fixed, name, v) {
		if (json_object_get(lits, name)) {
			ds_reply_error(out, GRPC_INVALID_ARGUMENT, "fixed_inputs %s cannot be overridden", name);
			goto fail;
		}
		json_object_set(lits, name, (json_t *)v);
	}
	return json_pack("{s:o}", "literals", lits);
fail:
	json_decref(lits);
	return NULL;
}

/* ---- the stored spec ---- */

/* A launch-plan setting fills what the request leaves out. */
static void inherit(json_t *spec, const json_t *lp_spec, const char *field)
{
	const json_t *v = json_object_get(lp_spec, field);
	if (!json_object_get(spec, field) && v)
		json_object_set(spec, field, (json_t *)v);
}

static json_t *stored_spec(const json_t *request_spec, const json_t *launch_plan, const char *project,
			   const char *domain)
{
	json_t *spec = json_deep_copy(request_spec);
	const json_t *lp = json_object_get(launch_plan, "spec");
	inherit(spec, lp, "labels");
	inherit(spec, lp, "annotations");
	inherit(spec, lp, "envs");
	inherit(spec, lp, "interruptible");
	inherit(spec, lp, "quality_of_service");
	inherit(spec, lp, "cluster_assignment");
	if (!*str_at(json_object_get(spec, "raw_output_data_config"), "output_location_prefix"))
		json_object_del(spec, "raw_output_data_config");
	inherit(spec, lp, "raw_output_data_config");
	if (!json_object_get(spec, "security_context"))
		inherit(spec, lp, "security_context");
	if (json_is_true(json_object_get(lp, "overwrite_cache")))
		json_object_set_new(spec, "overwrite_cache", json_true());
	/* max_parallelism is stored resolved: request, then launch plan, then the default. */
	json_int_t par = json_integer_value(json_object_get(spec, "max_parallelism"));
	if (par <= 0)
		par = json_integer_value(json_object_get(lp, "max_parallelism"));
	json_object_set_new(spec, "max_parallelism", json_integer(par > 0 ? par : DEFAULT_MAX_PARALLELISM));
	/* The server owns principal and system_metadata. */
	json_t *md = json_object_get(spec, "metadata");
	if (!json_is_object(md)) {
		md = json_object();
		json_object_set_new(spec, "metadata", md);
	}
	if (!json_object_get(md, "mode"))
		json_object_set_new(md, "mode", json_string("MANUAL"));
	json_object_del(md, "principal");
	json_object_del(md, "artifact_ids");
	json_object_set_new(md, "system_metadata", json_pack("{s:s++}", "namespace", project, "-", domain));
	return spec;
}

/* "a" and 19 characters of k8s' rand.String alphabet, as common.GetExecutionName. */
static void generate_name(char out[21])
{
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
	unsigned char r[19];
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		for (size_t i = 0; i < sizeof r; i++)
			r[i] = (unsigned char)rand();
	out[0] = 'a';
	for (size_t i = 0; i < sizeof r; i++)
		out[i + 1] = alphabet[r[i] % (sizeof alphabet - 1)];
	out[20] = '\0';
}

/* ---- creating ---- */

/* The launch plan an execution runs (a task's is made on first use). NULL with a reply. */
static json_t *load_launch_plan(ds_server *s, const json_t *id, ds_reply *out)
{
	const char *p = str_at(id, "project"), *d = str_at(id, "domain"), *n = str_at(id, "name"),
		   *v = str_at(id, "version");
	if (strcmp(str_at(id, "resource_type"), "TASK") == 0) {
		int code = GRPC_INTERNAL;
		char *error = NULL;
		json_t *lp = ds_entity_task_launch_plan(s, p, d, n, v, &code, &error);
		if (!lp)
			ds_reply_error(out, code, "%s", error ? error : "cannot create the task's launch plan");
		fl_free(error);
		return lp;
	}
	json_t *lp = ds_entity_get(s, FLYTE_RESOURCE_LAUNCH_PLAN, p, d, n, v);
	if (!lp) {
		char *text = ds_identifier_text(id, 1);
		ds_reply_error(out, GRPC_NOT_FOUND, "missing entity of type LAUNCH_PLAN with identifier %s",
			       text ? text : "");
		fl_free(text);
	}
	return lp;
}

/*
 * The common path of Create, Relaunch and Recover: FlyteAdmin's validation in its order,
 * then the launch plan, inputs, stored spec and the engine. Replies in out either way.
 */
static void launch(ds_server *s, const char *project, const char *domain, const char *name, const char *org,
		   const json_t *spec, const json_t *inputs, ds_reply *out)
{
	if (!*project || !*domain) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "missing %s", *project ? "domain" : "project");
		return;
	}
	if (*name && check_name(name, out) != 0)
		return;
	if (ds_project_check(s, project, domain, out) != 0)
		return;
	if (!json_is_object(spec)) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "missing spec");
		return;
	}
	const json_t *lp_id = json_object_get(spec, "launch_plan");
	/* Before flyteidl 0.15 inputs lived in the spec; they count when the request has none. */
	if (!json_object_size(json_object_get(inputs, "literals")) && json_object_get(spec, "inputs"))
		inputs = json_object_get(spec, "inputs");
	if (check_launch_plan_id(lp_id, out) != 0 || check_literal_map(inputs, out) != 0 ||
	    ds_check_labels(json_object_get(spec, "labels"), out) != 0)
		return;
	json_t *lp = load_launch_plan(s, lp_id, out);
	if (!lp)
		return;
	json_t *computed = compute_inputs(inputs, lp, out);
	json_t *stored = computed ? stored_spec(spec, lp, project, domain) : NULL;
	char generated[21];
	if (!*name) {
		generate_name(generated);
		name = generated;
	}
	json_t *user = inputs ? json_deep_copy(inputs) : json_pack("{s:{}}", "literals");
	if (!json_object_get(user, "literals"))
		json_object_set_new(user, "literals", json_object());
	ds_launch l = {.project = project, .domain = domain, .name = name, .spec = stored, .inputs = computed,
		       .user_inputs = user,
		       .workflow_id = json_object_get(json_object_get(lp, "spec"), "workflow_id"),
		       .launch_entity = strcmp(str_at(lp_id, "resource_type"), "TASK") == 0 ? "TASK" : "LAUNCH_PLAN"};
	if (computed && ds_engine_launch(s, &l, out) == 0)
		ds_reply_json(out, &pb_flyteidl_admin_ExecutionCreateResponse,
			      json_pack("{s:{s:s,s:s,s:s,s:s}}", "id", "project", project, "domain", domain, "name",
					name, "org", org));
	json_decref(user);
	json_decref(stored);
	json_decref(computed);
	json_decref(lp);
}

static json_t *decode(const ds_request *rq, const pb_msg_desc *desc, ds_reply *out)
{
	pb_msg *m;
	if (ds_decode_body(rq, desc, &m, out) != 0)
		return NULL;
	json_t *v = ds_msg_to_json(m);
	pb_msg_free(m);
	if (!v)
		ds_reply_error(out, GRPC_INTERNAL, "out of memory");
	return v;
}

static void create_execution(ds_server *s, const ds_request *rq, ds_reply *out)
{
	json_t *req = decode(rq, &pb_flyteidl_admin_ExecutionCreateRequest, out);
	if (!req)
		return;
	launch(s, str_at(req, "project"), str_at(req, "domain"), str_at(req, "name"), str_at(req, "org"),
	       json_object_get(req, "spec"), json_object_get(req, "inputs"), out);
	json_decref(req);
}

/* The stored spec and user inputs of an execution; 0, or -1 with a reply. */
static int load_original(ds_server *s, const json_t *id, json_t **spec, json_t **user_inputs, ds_reply *out)
{
	const char *p = str_at(id, "project"), *d = str_at(id, "domain"), *n = str_at(id, "name");
	*spec = *user_inputs = NULL;
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = ds_store_prepare(db,
					    "SELECT spec, user_inputs FROM executions WHERE project=? AND domain=? AND "
					    "name=?",
					    "ttt", p, d, n);
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		*spec = ds_col_json(st, 0);
		*user_inputs = ds_col_json(st, 1);
	}
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	if (*spec)
		return 0;
	if (!*p || !*d || !*n)
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "missing %s", !*p ? "project" : !*d ? "domain" : "name");
	else
		reply_missing(out, p, d, n);
	return -1;
}

/* Relaunch and Recover: the original's spec and inputs, a new mode and reference. */
static void launch_again(ds_server *s, const json_t *req, const char *mode, ds_reply *out)
{
	const json_t *id = json_object_get(req, "id");
	json_t *spec, *inputs;
	if (load_original(s, id, &spec, &inputs, out) != 0)
		return;
	json_t *md = json_pack("{s:s,s:{s:s,s:s,s:s}}", "mode", mode, "reference_execution", "project",
			       str_at(id, "project"), "domain", str_at(id, "domain"), "name", str_at(id, "name"));
	json_object_set_new(spec, "metadata", md);
	json_object_del(spec, "inputs");
	if (strcmp(mode, "RELAUNCH") == 0)
		json_object_set_new(spec, "overwrite_cache", json_boolean(json_is_true(json_object_get(req,
											     "overwrite_cache"))));
	launch(s, str_at(id, "project"), str_at(id, "domain"), str_at(req, "name"), str_at(id, "org"), spec, inputs,
	       out);
	json_decref(spec);
	json_decref(inputs);
}

static void relaunch_execution(ds_server *s, const ds_request *rq, ds_reply *out)
{
	json_t *req = decode(rq, &pb_flyteidl_admin_ExecutionRelaunchRequest, out);
	if (req)
		launch_again(s, req, "RELAUNCH", out);
	json_decref(req);
}

static void recover_execution(ds_server *s, const ds_request *rq, ds_reply *out)
{
	json_t *req = decode(rq, &pb_flyteidl_admin_ExecutionRecoverRequest, out);
	if (req)
		launch_again(s, req, "RECOVERED", out);
	json_decref(req);
}

/* ---- reading ---- */

#define EXEC_COLUMNS                                                                                            \
	"e.project, e.domain, e.name, e.phase, e.created_at, e.updated_at, e.started_at, e.ended_at, e.state, "  \
	"e.state_at, e.wf_project, e.wf_domain, e.wf_name, e.wf_version, e.spec, e.error, e.abort_metadata, "    \
	"e.principal"

/* An admin.Execution from a row of EXEC_COLUMNS. */
static json_t *execution_json(ds_server *s, sqlite3_stmt *st, int for_list)
{
	const char *p = (const char *)sqlite3_column_text(st, 0), *d = (const char *)sqlite3_column_text(st, 1),
		   *n = (const char *)sqlite3_column_text(st, 2), *phase = (const char *)sqlite3_column_text(st, 3);
	json_t *closure = json_pack("{s:s,s:o,s:o,s:o,s:o,s:{s:s,s:s,s:s,s:s,s:s},s:{s:s,s:o,s:s},s:[]}", "phase",
				    phase, "created_at", ds_col_time(st, 4), "updated_at", ds_col_time(st, 5),
				    "started_at", ds_col_time(st, 6), "duration", ds_col_duration(st, 6, 7),
				    "workflow_id", "resource_type", "WORKFLOW", "project", sqlite3_column_text(st, 10),
				    "domain", sqlite3_column_text(st, 11), "name", sqlite3_column_text(st, 12),
				    "version", sqlite3_column_text(st, 13), "state_change_details", "state",
				    sqlite3_column_text(st, 8), "occurred_at", ds_col_time(st, 9), "principal",
				    sqlite3_column_text(st, 17), "notifications");
	json_t *spec = ds_col_json(st, 14);
	if (for_list) /* FlyteAdmin nulls the deprecated input copies in lists */
		json_object_del(spec, "inputs");
	if (sqlite3_column_type(st, 15) != SQLITE_NULL) {
		json_object_set_new(closure, "error", ds_col_json(st, 15));
	} else if (sqlite3_column_type(st, 16) != SQLITE_NULL) {
		json_object_set_new(closure, "abort_metadata", ds_col_json(st, 16));
	} else if (strcmp(phase, "SUCCEEDED") == 0) {
		char *uri = ds_exec_outputs_uri(s, p, d, n);
		json_object_set_new(closure, "outputs", json_pack("{s:s}", "uri", uri ? uri : ""));
		fl_free(uri);
	}
	return json_pack("{s:{s:s,s:s,s:s},s:o,s:o}", "id", "project", p, "domain", d, "name", n, "spec", spec,
			 "closure", closure);
}

static void get_execution(ds_server *s, const ds_request *rq, ds_reply *out)
{
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = ds_store_prepare(db,
					    "SELECT " EXEC_COLUMNS " FROM executions e WHERE e.project=? AND "
					    "e.domain=? AND e.name=?",
					    "ttt", rq->params[0], rq->params[1], rq->params[2]);
	json_t *ex = st && sqlite3_step(st) == SQLITE_ROW ? execution_json(s, st, 0) : NULL;
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	if (ex)
		ds_reply_json(out, &pb_flyteidl_admin_Execution, ex);
	else
		reply_missing(out, rq->params[0], rq->params[1], rq->params[2]);
}

/* executions' filterable columns (models.ExecutionColumns) and allowed joins. */
static const ds_list_column exec_columns[] = {
	{"execution_project", "e.project", 0},
	{"execution_domain", "e.domain", 0},
	{"execution_name", "e.name", 0},
	{"phase", "e.phase", 0},
	{"started_at", "e.started_at", 1},
	{"execution_created_at", "e.created_at", 1},
	{"execution_updated_at", "e.updated_at", 1},
	{"created_at", "e.created_at", 1},
	{"updated_at", "e.updated_at", 1},
	{"id", "e.rowid", 0},
	{"mode", "e.mode", 0},
	{"user", "e.principal", 0},
	{"state", "e.state", 0},
	{"launch_entity", "e.launch_entity", 0},
	{"error_kind", "e.error_kind", 0},
	{"error_code", "e.error_code", 0},
	{"cluster", "''", 0},
	{"launch_plan.project", "e.lp_project", 0},
	{"launch_plan.domain", "e.lp_domain", 0},
	{"launch_plan.name", "e.lp_name", 0},
	{"launch_plan.version", "e.lp_version", 0},
	{"workflow.project", "e.wf_project", 0},
	{"workflow.domain", "e.wf_domain", 0},
	{"workflow.name", "e.wf_name", 0},
	{"workflow.version", "e.wf_version", 0},
	{"task.project", "CASE WHEN e.launch_entity='TASK' THEN e.lp_project END", 0},
	{"task.domain", "CASE WHEN e.launch_entity='TASK' THEN e.lp_domain END", 0},
	{"task.name", "CASE WHEN e.launch_entity='TASK' THEN e.lp_name END", 0},
	{"task.version", "CASE WHEN e.launch_entity='TASK' THEN e.lp_version END", 0},
	{NULL, NULL, 0},
};
static const ds_list_spec exec_list = {"execution", exec_columns, 1};

static void list_executions(ds_server *s, const ds_request *rq, ds_reply *out)
{
	ds_list_query q;
	if (ds_list_parse(rq, &exec_list, &q, out) != 0)
		return;
	const char *name = ds_query(rq, "id.name");
	const char *filters = ds_query(rq, "filters");
	/* Archived executions are hidden unless the filters say something about state. */
	int active_only = !filters || !strstr(filters, "state");
	char *sql = fl_asprintf("SELECT " EXEC_COLUMNS " FROM executions e WHERE e.project=? AND e.domain=?%s%s%s%s "
				"LIMIT ? OFFSET ?",
				name && *name ? " AND e.name=?" : "",
				active_only ? " AND e.state='EXECUTION_ACTIVE'" : "", q.where, q.order_by);
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = sql ? ds_store_prepare(db, sql, "tt", rq->params[0], rq->params[1]) : NULL;
	json_t *items = json_array();
	if (st) {
		int i = 3;
		if (name && *name)
			sqlite3_bind_text(st, i++, name, -1, SQLITE_TRANSIENT);
		i = ds_list_bind(st, i, &q);
		sqlite3_bind_int64(st, i++, q.limit ? q.limit : -1);
		sqlite3_bind_int64(st, i, q.offset);
		while (sqlite3_step(st) == SQLITE_ROW)
			json_array_append_new(items, execution_json(s, st, 1));
	}
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	char token[32];
	ds_list_token(token, &q, json_array_size(items));
	if (st)
		ds_reply_json(out, &pb_flyteidl_admin_ExecutionList,
			      json_pack("{s:o,s:s}", "executions", items, "token", token));
	else
		json_decref(items), ds_reply_error(out, GRPC_INTERNAL, "failed database operation");
	fl_free(sql);
	ds_list_query_dispose(&q);
}

static void terminate_execution(ds_server *s, const ds_request *rq, ds_reply *out)
{
	json_t *req = decode(rq, &pb_flyteidl_admin_ExecutionTerminateRequest, out);
	if (!req)
		return;
	if (ds_engine_terminate(s, rq->params[0], rq->params[1], rq->params[2], str_at(req, "cause"), out) == 0)
		ds_reply_json(out, &pb_flyteidl_admin_ExecutionTerminateResponse, json_object());
	json_decref(req);
}

static void update_execution(ds_server *s, const ds_request *rq, ds_reply *out)
{
	json_t *req = decode(rq, &pb_flyteidl_admin_ExecutionUpdateRequest, out);
	if (!req)
		return;
	const char *state = str_at(req, "state");
	sqlite3 *db = ds_store_lock(s->store);
	ds_store_begin(db);
	sqlite3_stmt *st = ds_store_prepare(db,
					    "UPDATE executions SET state=?, state_at=?, updated_at=? WHERE "
					    "project=? AND domain=? AND name=?",
					    "tiittt", *state ? state : "EXECUTION_ACTIVE", ds_now_ns(), ds_now_ns(),
					    rq->params[0], rq->params[1], rq->params[2]);
	int found = st && sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) == 1;
	sqlite3_finalize(st);
	ds_store_commit(db);
	ds_store_unlock(s->store);
	if (found)
		ds_reply_json(out, &pb_flyteidl_admin_ExecutionUpdateResponse, json_object());
	else
		reply_missing(out, rq->params[0], rq->params[1], rq->params[2]);
	json_decref(req);
}

static void get_execution_data(ds_server *s, const ds_request *rq, ds_reply *out)
{
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = ds_store_prepare(db,
					    "SELECT inputs, outputs FROM executions WHERE project=? AND domain=? AND "
					    "name=?",
					    "ttt", rq->params[0], rq->params[1], rq->params[2]);
	json_t *body = NULL;
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		json_t *outputs = ds_col_json(st, 1);
		if (json_is_null(outputs)) {
			json_decref(outputs);
			outputs = json_pack("{s:{}}", "literals");
		}
		body = json_pack("{s:{s:s,s:s},s:{s:s,s:s},s:o,s:o}", "outputs", "url", "", "bytes", "0", "inputs",
				 "url", "", "bytes", "0", "full_inputs", ds_col_json(st, 0), "full_outputs", outputs);
	}
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	if (body)
		ds_reply_json(out, &pb_flyteidl_admin_WorkflowExecutionGetDataResponse, body);
	else
		reply_missing(out, rq->params[0], rq->params[1], rq->params[2]);
}

const ds_route ds_executions_routes[] = {
	{"POST", "/api/v1/executions", create_execution},
	{"POST", "/api/v1/executions/relaunch", relaunch_execution},
	{"POST", "/api/v1/executions/recover", recover_execution},
	{"GET", "/api/v1/executions/{}/{}/{}", get_execution},
	{"PUT", "/api/v1/executions/{}/{}/{}", update_execution},
	{"DELETE", "/api/v1/executions/{}/{}/{}", terminate_execution},
	{"GET", "/api/v1/executions/{}/{}", list_executions},
	{"GET", "/api/v1/data/executions/{}/{}/{}", get_execution_data},
	{NULL, NULL, NULL},
};

int ds_executions_init(ds_server *s, char **error)
{
	if (ds_engine_init_tables(s, error) != 0)
		return -1;
	return ds_catalog_init(s, error);
}
