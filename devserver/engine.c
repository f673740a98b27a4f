/*
 * engine: runs executions (engine.h).
 *
 * Each running execution is an exec_run in memory: its workflow's task nodes, how many
 * upstream nodes each still waits for, and the outputs of those that succeeded. A pool of
 * --workers threads takes ready nodes (respecting each execution's max_parallelism),
 * resolves their bindings, goes through the cache (catalog.c) and runs the task
 * (runner.c), retrying as the task allows. Every transition is written to SQLite in a
 * transaction before the in-memory state moves on.
 *
 * Lock order: the engine mutex, then the store lock; never the other way round.
 */
#define _GNU_SOURCE
#include "engine.h"
#include "bindings.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "alloc.h"
#include "catalog.h"
#include "dataproxy.h"
#include "entities.h"
#include "pb_json.h"
#include "routes.h"
#include "runner.h"

#define RESTART_MESSAGE "flyte-devserver restarted while the execution was running"

typedef enum { NS_WAITING, NS_READY, NS_RUNNING, NS_DONE } node_state;

typedef struct {
	const char *id;     /* borrowed from the workflow JSON */
	const json_t *node; /* core.Node */
	size_t *down, n_down;
	size_t pending;     /* upstream nodes that have not succeeded yet */
	node_state st;
	int ok;             /* succeeded (or recovered): outputs are usable */
	json_t *outputs;    /* LiteralMap */
	ds_job_ctl ctl;
} node_run;

typedef struct exec_run {
	struct exec_run *next;
	char *project, *domain, *name;
	json_t *spec, *inputs, *workflow;
	const json_t *tmpl;  /* compiled_workflow.primary.template */
	const json_t *tasks; /* compiled_workflow.tasks */
	node_run *nodes;
	size_t n_nodes;
	int max_par, running, overwrite_cache, fail_late, aborting;
	json_t *error;       /* ExecutionError of the first failure */
	char *recover_from;  /* RECOVERED mode: the original execution's name */
	long long seq;       /* order in which nodes were reached */
} exec_run;

struct ds_engine {
	ds_server *s;
	char *data_dir; /* absolute */
	pthread_mutex_t mu;
	pthread_cond_t work;
	pthread_t *threads;
	int n_threads, stopping;
	exec_run *runs;
};

/* What running a node came to. */
typedef struct {
	const char *phase; /* NodeExecution.Phase name */
	json_t *outputs;   /* LiteralMap */
	json_t *error;     /* ExecutionError */
	int attempt;       /* the task attempt that produced the outputs */
} outcome;

/* ---- SQL helpers ---- */

/* Runs one statement; the caller holds the store lock. SQLITE_OK or the error. */
static int sql_run(sqlite3 *db, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		va_list ap;
		va_start(ap, types);
		rc = ds_store_bind_va(st, types, ap);
		va_end(ap);
	}
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
	}
	if (rc != SQLITE_OK && rc != SQLITE_CONSTRAINT)
		fprintf(stderr, "flyte-devserver: engine: %s: %s\n", sqlite3_errmsg(db), sql);
	sqlite3_finalize(st);
	return rc;
}

static sqlite3 *tx_begin(ds_engine *e)
{
	sqlite3 *db = ds_store_lock(e->s->store);
	ds_store_begin(db);
	return db;
}

static void tx_end(ds_engine *e, sqlite3 *db)
{
	if (ds_store_commit(db) != SQLITE_OK) {
		fprintf(stderr, "flyte-devserver: engine: commit failed: %s\n", sqlite3_errmsg(db));
		ds_store_rollback(db);
	}
	ds_store_unlock(e->s->store);
}

int ds_engine_init_tables(ds_server *s, char **error)
{
	sqlite3 *db = ds_store_lock(s->store);
	int rc = ds_store_exec(
		db, "CREATE TABLE IF NOT EXISTS executions ("
		    " project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL, phase TEXT NOT NULL,"
		    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, started_at INTEGER, ended_at INTEGER,"
		    " mode TEXT NOT NULL, principal TEXT NOT NULL, state TEXT NOT NULL, state_at INTEGER NOT NULL,"
		    " launch_entity TEXT NOT NULL, lp_project TEXT NOT NULL, lp_domain TEXT NOT NULL,"
		    " lp_name TEXT NOT NULL, lp_version TEXT NOT NULL, wf_project TEXT NOT NULL,"
		    " wf_domain TEXT NOT NULL, wf_name TEXT NOT NULL, wf_version TEXT NOT NULL,"
		    " spec TEXT NOT NULL, inputs TEXT NOT NULL, user_inputs TEXT NOT NULL, outputs TEXT,"
		    " error TEXT, error_kind TEXT, error_code TEXT, abort_metadata TEXT,"
		    " PRIMARY KEY (project, domain, name));"
		    "CREATE TABLE IF NOT EXISTS execution_tags ("
		    " project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL,"
		    " value TEXT NOT NULL, PRIMARY KEY (project, domain, name, key, value));"
		    "CREATE TABLE IF NOT EXISTS node_executions ("
		    " project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL, node_id TEXT NOT NULL,"
		    " seq INTEGER NOT NULL, phase TEXT NOT NULL, created_at INTEGER NOT NULL,"
		    " updated_at INTEGER NOT NULL, started_at INTEGER, ended_at INTEGER, inputs TEXT, outputs TEXT,"
		    " error TEXT, error_kind TEXT, error_code TEXT, is_task INTEGER NOT NULL,"
		    " cache_status TEXT, catalog_key TEXT, PRIMARY KEY (project, domain, name, node_id));"
		    "CREATE TABLE IF NOT EXISTS task_executions ("
		    " project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL, node_id TEXT NOT NULL,"
		    " retry_attempt INTEGER NOT NULL, task_project TEXT NOT NULL, task_domain TEXT NOT NULL,"
		    " task_name TEXT NOT NULL, task_version TEXT NOT NULL, task_type TEXT NOT NULL,"
		    " phase TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
		    " started_at INTEGER, ended_at INTEGER, logs TEXT, error TEXT, reason TEXT NOT NULL,"
		    " outputs TEXT, custom_info TEXT, pid INTEGER, pid_start INTEGER,"
		    " PRIMARY KEY (project, domain, name, node_id, retry_attempt));");
	if (rc != SQLITE_OK)
		*error = fl_asprintf("cannot create the execution tables: %s", sqlite3_errmsg(db));
	ds_store_unlock(s->store);
	return rc == SQLITE_OK ? 0 : -1;
}

static char *run_path(ds_engine *e, const exec_run *run, const char *area, const char *node_id, int attempt);

/* ---- shared JSON helpers ---- */

int ds_exec_phase_terminal(const char *phase)
{
	return strcmp(phase, "SUCCEEDED") == 0 || strcmp(phase, "FAILED") == 0 || strcmp(phase, "TIMED_OUT") == 0 ||
	       strcmp(phase, "ABORTED") == 0;
}

json_t *ds_exec_id_json(const char *project, const char *domain, const char *name)
{
	return json_pack("{s:s,s:s,s:s}", "project", project, "domain", domain, "name", name);
}

json_t *ds_node_exec_id_json(const char *project, const char *domain, const char *name, const char *node_id)
{
	return json_pack("{s:s,s:o}", "node_id", node_id, "execution_id", ds_exec_id_json(project, domain, name));
}

json_t *ds_col_json(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	return ds_json_loads((const char *)sqlite3_column_text(st, col));
}

json_t *ds_col_time(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	char ts[48];
	ds_ns_to_rfc3339(ts, sqlite3_column_int64(st, col));
	return json_string(ts);
}

static json_t *duration_json(long long ns)
{
	char d[48];
	if (ns < 0)
		ns = 0;
	if (pb_format_duration(d, ns / 1000000000LL, (int32_t)(ns % 1000000000LL)) < 0)
		return json_null();
	return json_string(d);
}

json_t *ds_col_duration(sqlite3_stmt *st, int started_col, int ended_col)
{
	if (sqlite3_column_type(st, started_col) == SQLITE_NULL)
		return json_null();
	long long end = sqlite3_column_type(st, ended_col) == SQLITE_NULL ? ds_now_ns()
									 : sqlite3_column_int64(st, ended_col);
	return duration_json(end - sqlite3_column_int64(st, started_col));
}

char *ds_blob_local_path(ds_server *s, const char *uri)
{
	(void)s;
	if (strncmp(uri, "file://", 7) == 0)
		uri += 7;
	if (uri[0] != '/')
		return NULL;
	return fl_strdup(uri);
}

char *ds_file_url(ds_server *s, const char *path)
{
	/* Log links outlive the API's one-hour limit on signed URLs: ten years. */
	char *uri = fl_asprintf("file://%s", path), *url = NULL;
	if (uri && ds_dataproxy_download_url(&url, NULL, s, uri, 10LL * 366 * 24 * 3600 * 1000000000LL) == 0) {
		fl_free(uri);
		return url;
	}
	return uri;
}

char *ds_exec_outputs_uri(ds_server *s, const char *project, const char *domain, const char *name)
{
	if (!s->engine)
		return NULL;
	exec_run run = {.project = (char *)project, .domain = (char *)domain, .name = (char *)name};
	char *dir = run_path(s->engine, &run, "runs", NULL, -1);
	char *uri = dir ? fl_asprintf("file://%s/outputs.json", dir) : NULL;
	fl_free(dir);
	return uri;
}

static json_t *exec_error(const char *code, const char *message, const char *kind)
{
	return json_pack("{s:s,s:s,s:s}", "code", code, "message", message, "kind", kind);
}

static const char *str_at(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

/* A path component from an id (node ids may hold characters a path cannot). */
static char *path_part(const char *s)
{
	char *p = fl_strdup(*s ? s : "_");
	for (char *c = p; c && *c; c++)
		if (*c == '/')
			*c = '_';
	if (p && (strcmp(p, ".") == 0 || strcmp(p, "..") == 0))
		p[0] = '_';
	return p;
}

/* <data dir>/<area>/<project>/<domain>/<name>[/<node>[/<attempt>]] */
static char *run_path(ds_engine *e, const exec_run *run, const char *area, const char *node_id, int attempt)
{
	char *p = path_part(run->project), *d = path_part(run->domain), *n = path_part(run->name);
	char *node = node_id ? path_part(node_id) : NULL;
	char *out;
	if (!node)
		out = fl_asprintf("%s/%s/%s/%s/%s", e->data_dir, area, p, d, n);
	else if (attempt < 0)
		out = fl_asprintf("%s/%s/%s/%s/%s/%s", e->data_dir, area, p, d, n, node);
	else
		out = fl_asprintf("%s/%s/%s/%s/%s/%s/%d", e->data_dir, area, p, d, n, node, attempt);
	fl_free(p);
	fl_free(d);
	fl_free(n);
	fl_free(node);
	return out;
}

/* ---- persistence of transitions ---- */

/* While the server stops, the processes it kills are not the tasks' doing: their rows
   stay as they are and the next start-up fails them with the restart message. */
static int stopping(ds_engine *e)
{
	return __atomic_load_n(&e->stopping, __ATOMIC_SEQ_CST);
}

static void persist_exec_running(ds_engine *e, exec_run *run)
{
	long long now = ds_now_ns();
	sqlite3 *db = tx_begin(e);
	sql_run(db,
		"UPDATE executions SET phase='RUNNING', updated_at=?, started_at=? WHERE project=? AND domain=? "
		"AND name=?",
		"iittt", now, now, run->project, run->domain, run->name);
	tx_end(e, db);
}

/* Inserts a node execution reached now, in `phase`. */
static void persist_node_reached(ds_engine *e, exec_run *run, const char *node_id, const char *phase, int is_task,
				 const json_t *inputs, const json_t *outputs)
{
	long long now = ds_now_ns();
	/* started_at and ended_at stay NULL (0 here) until a queued node runs. */
	long long done = strcmp(phase, "QUEUED") != 0 ? now : 0;
	sqlite3 *db = tx_begin(e);
	sql_run(db,
		"INSERT OR REPLACE INTO node_executions (project, domain, name, node_id, seq, phase, created_at, "
		"updated_at, started_at, ended_at, inputs, outputs, is_task, cache_status) "
		"VALUES (?,?,?,?,?,?,?,?,NULLIF(?, 0),NULLIF(?, 0),?,?,?,?)",
		"ttttitiiiijjit", run->project, run->domain, run->name, node_id, run->seq++, phase, now, now, done,
		done, inputs, outputs, (long long)is_task, is_task ? "CACHE_DISABLED" : NULL);
	tx_end(e, db);
}

static void persist_node_running(ds_engine *e, exec_run *run, node_run *n, const json_t *inputs)
{
	long long now = ds_now_ns();
	sqlite3 *db = tx_begin(e);
	sql_run(db,
		"UPDATE node_executions SET phase='RUNNING', updated_at=?, started_at=COALESCE(started_at, ?), "
		"inputs=? WHERE project=? AND domain=? AND name=? AND node_id=?",
		"iijtttt", now, now, inputs, run->project, run->domain, run->name, n->id);
	tx_end(e, db);
}

/* The terminal state of a node, with its cache status and catalog key when known. */
static void persist_node_end(ds_engine *e, exec_run *run, node_run *n, const outcome *o, const json_t *inputs,
			     const char *cache_status, const json_t *catalog_key)
{
	if (stopping(e))
		return;
	long long now = ds_now_ns();
	sqlite3 *db = tx_begin(e);
	sql_run(db,
		"UPDATE node_executions SET phase=?, updated_at=?, started_at=COALESCE(started_at, ?), ended_at=?, "
		"inputs=COALESCE(?, inputs), outputs=?, error=?, error_kind=?, error_code=?, "
		"cache_status=COALESCE(?, cache_status), catalog_key=COALESCE(?, catalog_key) "
		"WHERE project=? AND domain=? AND name=? AND node_id=?",
		"tiiijjjtttjtttt", o->phase, now, now, now, inputs, o->outputs, o->error,
		o->error ? str_at(o->error, "kind") : NULL, o->error ? str_at(o->error, "code") : NULL, cache_status,
		catalog_key, run->project, run->domain, run->name, n->id);
	tx_end(e, db);
}

/* ---- building a run ---- */

static void free_run(exec_run *run)
{
	for (size_t i = 0; i < run->n_nodes; i++) {
		fl_free(run->nodes[i].down);
		json_decref(run->nodes[i].outputs);
		ds_job_ctl_destroy(&run->nodes[i].ctl);
	}
	fl_free(run->nodes);
	json_decref(run->spec);
	json_decref(run->inputs);
	json_decref(run->workflow);
	json_decref(run->error);
	fl_free(run->project);
	fl_free(run->domain);
	fl_free(run->name);
	fl_free(run->recover_from);
	fl_free(run);
}

/* start-node, end-node, or "" (which flytekit's promises use for start-node). */
static int is_boundary(const char *id)
{
	return !*id || strcmp(id, "start-node") == 0 || strcmp(id, "end-node") == 0;
}

static long node_index(const exec_run *run, const char *id)
{
	for (size_t i = 0; i < run->n_nodes; i++)
		if (strcmp(run->nodes[i].id, id) == 0)
			return (long)i;
	return -1;
}

/* Adds an edge up -> idx once. */
static int add_edge(exec_run *run, size_t idx, const char *up_id, char **error)
{
	if (is_boundary(up_id))
		return 0;
	long up = node_index(run, up_id);
	if (up < 0) {
		*error = fl_asprintf("node %s depends on node %s, which the workflow does not have", run->nodes[idx].id,
				     up_id);
		return -1;
	}
	node_run *u = &run->nodes[up];
	for (size_t i = 0; i < u->n_down; i++)
		if (u->down[i] == idx)
			return 0;
	size_t *d = fl_realloc(u->down, (u->n_down + 1) * sizeof *d);
	if (!d) {
		*error = fl_strdup("out of memory");
		return -1;
	}
	u->down = d;
	u->down[u->n_down++] = idx;
	run->nodes[idx].pending++;
	return 0;
}

/* Every node a binding's promises name. */
static int binding_edges(exec_run *run, size_t idx, const json_t *bd, char **error)
{
	const json_t *p = json_object_get(bd, "promise");
	if (p)
		return add_edge(run, idx, str_at(p, "node_id"), error);
	size_t i;
	const json_t *v;
	json_array_foreach(json_object_get(json_object_get(bd, "collection"), "bindings"), i, v)
		if (binding_edges(run, idx, v, error))
			return -1;
	const char *k;
	json_object_foreach(json_object_get(json_object_get(bd, "map"), "bindings"), k, v)
		if (binding_edges(run, idx, (json_t *)v, error))
			return -1;
	return 0;
}

static const char *node_kind(const json_t *node)
{
	static const char *const kinds[] = {"task_node", "workflow_node", "branch_node", "gate_node", "array_node"};
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (json_object_get(node, kinds[i]))
			return kinds[i];
	return NULL;
}

/* The DAG of the workflow's task nodes. 0, or -1 with *error. */
static int build_dag(exec_run *run, char **error)
{
	const json_t *nodes = json_object_get(run->tmpl, "nodes");
	run->nodes = fl_calloc(json_array_size(nodes) + 1, sizeof *run->nodes);
	if (!run->nodes) {
		*error = fl_strdup("out of memory");
		return -1;
	}
	size_t i;
	const json_t *node;
	json_array_foreach(nodes, i, node) {
		const char *id = str_at(node, "id");
		if (is_boundary(id))
			continue;
		const char *kind = node_kind(node);
		if (!kind || strcmp(kind, "task_node") != 0) {
			*error = fl_asprintf("flyte-devserver cannot run %s nodes yet (node %s); it runs task nodes",
					     kind ? kind : "empty", id);
			return -1;
		}
		node_run *n = &run->nodes[run->n_nodes++];
		n->id = id;
		n->node = node;
		ds_job_ctl_init(&n->ctl);
	}
	const json_t *upstream = json_object_get(json_object_get(json_object_get(json_object_get(run->workflow,
		"closure"), "compiled_workflow"), "primary"), "connections");
	upstream = json_object_get(upstream, "upstream");
	for (size_t k = 0; k < run->n_nodes; k++) {
		const json_t *v;
		json_array_foreach(json_object_get(run->nodes[k].node, "upstream_node_ids"), i, v)
			if (add_edge(run, k, json_string_value(v) ? json_string_value(v) : "", error))
				return -1;
		json_array_foreach(json_object_get(json_object_get(upstream, run->nodes[k].id), "ids"), i, v)
			if (add_edge(run, k, json_string_value(v) ? json_string_value(v) : "", error))
				return -1;
		json_array_foreach(json_object_get(run->nodes[k].node, "inputs"), i, v)
			if (binding_edges(run, k, json_object_get(v, "binding"), error))
				return -1;
	}
	return 0;
}

/* ---- bindings ---- */

/* The output `var` of a node (or of start-node: the execution's inputs), following
   output aliases. */
static const json_t *promise_value(const char *node_id, const char *var, void *arg, char **error)
{
	const exec_run *run = arg;
	if (!*node_id || strcmp(node_id, "start-node") == 0) {
		const json_t *v = json_object_get(json_object_get(run->inputs, "literals"), var);
		if (!v)
			*error = fl_asprintf("the workflow has no input %s", var);
		return v;
	}
	long i = node_index(run, node_id);
	if (i < 0 || !run->nodes[i].ok) {
		*error = fl_asprintf("node %s has no outputs yet", node_id);
		return NULL;
	}
	const json_t *lits = json_object_get(run->nodes[i].outputs, "literals");
	const json_t *v = json_object_get(lits, var);
	size_t k;
	const json_t *alias;
	json_array_foreach(json_object_get(run->nodes[i].node, "output_aliases"), k, alias)
		if (!v && strcmp(str_at(alias, "alias"), var) == 0)
			v = json_object_get(lits, str_at(alias, "var"));
	if (!v)
		*error = fl_asprintf("node %s has no output %s", node_id, var);
	return v;
}

/* The LiteralMap of a list of Bindings. */
static json_t *resolve_bindings(const exec_run *run, const json_t *bindings, char **error)
{
	return fl_bindings_literal_map(bindings, promise_value, (void *)run, error);
}

/* ---- running one node ---- */

static const json_t *find_task(const exec_run *run, const json_t *node)
{
	const json_t *ref = json_object_get(json_object_get(node, "task_node"), "reference_id");
	size_t i;
	const json_t *t;
	json_array_foreach(run->tasks, i, t) {
		const json_t *tmpl = json_object_get(t, "template");
		const json_t *id = json_object_get(tmpl, "id");
		if (strcmp(str_at(id, "project"), str_at(ref, "project")) == 0 &&
		    strcmp(str_at(id, "domain"), str_at(ref, "domain")) == 0 &&
		    strcmp(str_at(id, "name"), str_at(ref, "name")) == 0 &&
		    strcmp(str_at(id, "version"), str_at(ref, "version")) == 0)
			return tmpl;
	}
	return NULL;
}

static long long duration_ns(const json_t *d)
{
	const char *s = json_string_value(d);
	int64_t secs;
	int32_t nanos;
	if (!s || pb_parse_duration(s, strlen(s), &secs, &nanos) != 0)
		return 0;
	return (long long)secs * 1000000000LL + nanos;
}

/* Node-level overrides (with_overrides) win over the task's own settings. */
static int retries_of(const json_t *node, const json_t *task)
{
	const json_t *r = json_object_get(json_object_get(node, "metadata"), "retries");
	if (!r)
		r = json_object_get(json_object_get(task, "metadata"), "retries");
	json_int_t n = json_integer_value(json_object_get(r, "retries"));
	return n < 0 ? 0 : n > 100 ? 100 : (int)n;
}

static long long timeout_of(const json_t *node, const json_t *task)
{
	long long t = duration_ns(json_object_get(json_object_get(task, "metadata"), "timeout"));
	return t > 0 ? t : duration_ns(json_object_get(json_object_get(node, "metadata"), "timeout"));
}

typedef struct {
	ds_engine *e;
	exec_run *run;
	node_run *n;
	int attempt;
} attempt_ref;

static void on_process_start(pid_t pid, void *payload)
{
	attempt_ref *a = payload;
	sqlite3 *db = tx_begin(a->e);
	sql_run(db,
		"UPDATE task_executions SET pid=?, pid_start=? WHERE project=? AND domain=? AND name=? AND node_id=? "
		"AND retry_attempt=?",
		"iitttti", (long long)pid, ds_process_start_time(pid), a->run->project, a->run->domain,
		a->run->name, a->n->id, (long long)a->attempt);
	tx_end(a->e, db);
}

static json_t *task_logs(ds_engine *e, const char *dir)
{
	json_t *logs = json_array();
	static const char *const names[] = {"stdout", "stderr"};
	for (int i = 0; i < 2; i++) {
		char *path = fl_asprintf("%s/%s.log", dir, names[i]);
		char *url = path ? ds_file_url(e->s, path) : NULL;
		json_array_append_new(logs, json_pack("{s:s,s:s}", "uri", url ? url : "", "name", names[i]));
		fl_free(path);
		fl_free(url);
	}
	return logs;
}

/* The process environment an execution adds: Flyte's internal variables, then spec.envs. */
static json_t *process_envs(const exec_run *run, int attempt)
{
	char num[16];
	snprintf(num, sizeof num, "%d", attempt);
	json_t *env = json_pack("[{s:s,s:s},{s:s,s:s},{s:s,s:s},{s:s,s:s}]", "key", "FLYTE_INTERNAL_EXECUTION_PROJECT",
				"value", run->project, "key", "FLYTE_INTERNAL_EXECUTION_DOMAIN", "value", run->domain,
				"key", "FLYTE_INTERNAL_EXECUTION_ID", "value", run->name, "key", "FLYTE_ATTEMPT_NUMBER",
				"value", num);
	json_array_extend(env, json_object_get(json_object_get(run->spec, "envs"), "values"));
	return env;
}

static void begin_attempt(ds_engine *e, exec_run *run, node_run *n, const json_t *task, int attempt,
			  const json_t *logs)
{
	long long now = ds_now_ns();
	const json_t *id = json_object_get(task, "id");
	sqlite3 *db = tx_begin(e);
	sql_run(db,
		"INSERT OR REPLACE INTO task_executions (project, domain, name, node_id, retry_attempt, task_project, "
		"task_domain, task_name, task_version, task_type, phase, created_at, updated_at, started_at, logs, "
		"reason) VALUES (?,?,?,?,?,?,?,?,?,?,'RUNNING',?,?,?,?,'')",
		"ttttitttttiiij", run->project, run->domain, run->name, n->id, (long long)attempt,
		str_at(id, "project"), str_at(id, "domain"), str_at(id, "name"), str_at(id, "version"),
		str_at(task, "type"), now, now, now, logs);
	tx_end(e, db);
}

/* The task execution's terminal state. custom_info records the image (not pulled) and
   the command line as it ran. */
static void end_attempt(ds_engine *e, exec_run *run, node_run *n, const json_t *task, int attempt,
			const ds_run_result *r)
{
	static const char *const phases[] = {"SUCCEEDED", "FAILED", "FAILED", "ABORTED"};
	if (stopping(e))
		return;
	long long now = ds_now_ns();
	json_t *err = r->status == DS_RUN_SUCCEEDED ? NULL
						    : exec_error(r->error_code ? r->error_code : "Unknown",
								 r->message ? r->message : "",
								 r->system_error ? "SYSTEM" : "USER");
	json_t *info = json_pack("{s:s}", "image", str_at(json_object_get(task, "container"), "image"));
	if (r->command)
		json_object_set(info, "command", r->command);
	sqlite3 *db = tx_begin(e);
	sql_run(db,
		"UPDATE task_executions SET phase=?, updated_at=?, ended_at=?, error=?, reason=?, outputs=?, "
		"custom_info=? WHERE project=? AND domain=? AND name=? AND node_id=? AND retry_attempt=?",
		"tiijtjjtttti", phases[r->status], now, now, err,
		r->message && r->status != DS_RUN_SUCCEEDED ? r->message : "", r->outputs, info, run->project,
		run->domain, run->name, n->id, (long long)attempt);
	tx_end(e, db);
	json_decref(info);
	json_decref(err);
}

/* Runs the task's attempts; fills o (SUCCEEDED, FAILED, TIMED_OUT or ABORTED). */
static void run_attempts(ds_engine *e, exec_run *run, node_run *n, const json_t *task, const json_t *inputs,
			 outcome *o)
{
	int retries = retries_of(n->node, task);
	long long timeout = timeout_of(n->node, task);
	persist_node_running(e, run, n, inputs);
	for (int attempt = 0;; attempt++) {
		char *dir = run_path(e, run, "runs", n->id, attempt);
		char *blobs = run_path(e, run, "outputs", n->id, attempt);
		json_t *logs = dir ? task_logs(e, dir) : NULL;
		json_t *envs = process_envs(run, attempt);
		begin_attempt(e, run, n, task, attempt, logs);
		attempt_ref ref = {e, run, n, attempt};
		ds_run_request rq = {.server = e->s, .task = task, .inputs = inputs, .envs = envs,
				     .attempt_dir = dir ? dir : "", .blob_dir = blobs ? blobs : "",
				     .timeout_ns = timeout, .ctl = &n->ctl, .on_start = on_process_start,
				     .payload = &ref};
		ds_run_result r;
		ds_runner_run(&r, &rq);
		end_attempt(e, run, n, task, attempt, &r);
		fl_free(dir);
		fl_free(blobs);
		json_decref(logs);
		json_decref(envs);
		int done = 1;
		if (r.status == DS_RUN_SUCCEEDED) {
			o->phase = "SUCCEEDED";
			o->attempt = attempt;
			o->outputs = r.outputs;
			r.outputs = NULL;
		} else if (r.status == DS_RUN_ABORTED || ds_job_aborted(&n->ctl)) {
			o->phase = "ABORTED";
		} else if (attempt < retries) {
			done = 0;
		} else {
			o->phase = r.status == DS_RUN_TIMED_OUT ? "TIMED_OUT" : "FAILED";
			o->error = exec_error(r.error_code ? r.error_code : "Unknown", r.message ? r.message : "",
					      r.system_error ? "SYSTEM" : "USER");
		}
		ds_run_result_dispose(&r);
		if (done)
			return;
	}
}

static void set_failed(outcome *o, const char *code, const char *message, const char *kind)
{
	o->phase = "FAILED";
	o->error = exec_error(code, message, kind);
}

static int wait_a_little(ds_job_ctl *ctl)
{
	struct timespec ts = {0, 20000000};
	nanosleep(&ts, NULL);
	return !ds_job_aborted(ctl);
}

/* The TaskExecutionIdentifier of a node's attempt (a cache entry's source). */
static json_t *task_exec_id(const exec_run *run, const node_run *n, const json_t *task, int attempt)
{
	const json_t *id = json_object_get(task, "id");
	return json_pack("{s:{s:s,s:s,s:s,s:s,s:s},s:o,s:i}", "task_id", "resource_type", "TASK", "project",
			 str_at(id, "project"), "domain", str_at(id, "domain"), "name", str_at(id, "name"), "version",
			 str_at(id, "version"), "node_execution_id",
			 ds_node_exec_id_json(run->project, run->domain, run->name, n->id), "retry_attempt", attempt);
}

/*
 * The cache lookup before a run. Returns the cache status so far; fills o on a hit (or a
 * lookup failure). A cache_serializable key is reserved (*reserved) or waited for.
 */
static const char *cache_lookup(ds_engine *e, const ds_cache_key *key, node_run *n, const json_t *task,
				const char *owner, outcome *o, json_t **catalog, int *reserved)
{
	for (;;) {
		json_t *cached = NULL;
		char *msg = NULL;
		int hit = ds_catalog_get(e->s, key, task, &cached, catalog, &msg);
		if (hit > 0) {
			o->phase = "SUCCEEDED";
			o->outputs = cached;
			return "CACHE_HIT";
		}
		if (hit < 0) {
			set_failed(o, "CatalogCallFailed", msg, "SYSTEM");
			fl_free(msg);
			*catalog = ds_catalog_metadata(key, NULL, NULL);
			return "CACHE_LOOKUP_FAILURE";
		}
		if (!key->serializable || (*reserved = ds_catalog_reserve(e->s, key, owner)))
			return "CACHE_MISS";
		/* Another execution runs this key: wait for its outputs, as propeller does. */
		if (!wait_a_little(&n->ctl)) {
			o->phase = "ABORTED";
			return "CACHE_MISS";
		}
	}
}

/* After a successful run of a cacheable task: Put, or Update for overwrite_cache. */
static const char *cache_store(ds_engine *e, const ds_cache_key *key, exec_run *run, node_run *n,
			       const json_t *task, const outcome *o, json_t **catalog)
{
	json_t *source = task_exec_id(run, n, task, o->attempt);
	int rc = ds_catalog_put(e->s, key, o->outputs, source, run->overwrite_cache, catalog);
	json_decref(source);
	if (rc != 0)
		return "CACHE_PUT_FAILURE";
	return run->overwrite_cache ? "CACHE_SKIPPED" : "CACHE_POPULATED";
}

/* A task node: cache lookup (or skip), run, cache store. */
static void run_task_node(ds_engine *e, exec_run *run, node_run *n, const json_t *task, const json_t *inputs,
			  outcome *o)
{
	char *why = ds_runner_unsupported(task), *msg = NULL;
	ds_cache_key key = {0};
	if (why || ds_catalog_key(&key, task, inputs, &msg) != 0) {
		if (why)
			set_failed(o, "UnsupportedTaskType", why, "SYSTEM");
		else
			set_failed(o, "CatalogCallFailed", msg ? msg : "cannot compute the cache key", "USER");
		persist_node_end(e, run, n, o, inputs, NULL, NULL);
		fl_free(why);
		fl_free(msg);
		ds_cache_key_dispose(&key);
		return;
	}
	const char *status = "CACHE_DISABLED";
	json_t *catalog = NULL;
	char *owner = fl_asprintf("%s/%s/%s/%s", run->project, run->domain, run->name, n->id);
	int reserved = 0;
	if (key.cacheable && run->overwrite_cache)
		status = "CACHE_SKIPPED"; /* no lookup and no reservation; the outputs are replaced */
	else if (key.cacheable)
		status = cache_lookup(e, &key, n, task, owner ? owner : "", o, &catalog, &reserved);
	if (!o->phase) {
		run_attempts(e, run, n, task, inputs, o);
		if (key.cacheable && strcmp(o->phase, "SUCCEEDED") == 0)
			status = cache_store(e, &key, run, n, task, o, &catalog);
		if (key.cacheable && !catalog)
			catalog = ds_catalog_metadata(&key, NULL, NULL);
	}
	if (reserved)
		ds_catalog_release(e->s, &key, owner);
	persist_node_end(e, run, n, o, inputs, status, catalog);
	json_decref(catalog);
	fl_free(owner);
	ds_cache_key_dispose(&key);
}

/* RECOVERED mode: a node that succeeded in the original execution is not run again. */
static int recover_node(ds_engine *e, exec_run *run, node_run *n, const json_t *inputs, outcome *o)
{
	sqlite3 *db = ds_store_lock(e->s->store);
	sqlite3_stmt *st = ds_store_prepare(db,
					    "SELECT outputs, is_task, cache_status, catalog_key FROM node_executions "
					    "WHERE project=? AND domain=? AND name=? AND node_id=? AND "
					    "phase IN ('SUCCEEDED', 'RECOVERED')",
					    "tttt", run->project, run->domain, run->recover_from, n->id);
	json_t *catalog = NULL;
	char *status = NULL;
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		o->phase = "RECOVERED";
		o->outputs = ds_col_json(st, 0);
		if (json_is_null(o->outputs)) {
			json_decref(o->outputs);
			o->outputs = json_pack("{s:{}}", "literals");
		}
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			status = fl_strdup((const char *)sqlite3_column_text(st, 2));
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			catalog = ds_col_json(st, 3);
	}
	sqlite3_finalize(st);
	ds_store_unlock(e->s->store);
	if (o->phase)
		persist_node_end(e, run, n, o, inputs, status, catalog);
	json_decref(catalog);
	fl_free(status);
	return o->phase != NULL;
}

static void run_node(ds_engine *e, exec_run *run, node_run *n, const json_t *inputs, const char *bind_error,
		     outcome *o)
{
	if (bind_error) {
		set_failed(o, "BindingResolutionFailure", bind_error, "USER");
		persist_node_end(e, run, n, o, NULL, NULL, NULL);
		return;
	}
	if (run->recover_from && recover_node(e, run, n, inputs, o))
		return;
	const json_t *task = find_task(run, n->node);
	if (!task) {
		set_failed(o, "TaskNotFound", "the node's task is not in the compiled workflow", "SYSTEM");
		persist_node_end(e, run, n, o, inputs, NULL, NULL);
		return;
	}
	run_task_node(e, run, n, task, inputs, o);
}

/* ---- scheduling (all under e->mu) ---- */

static int can_schedule(const exec_run *run)
{
	return !run->aborting && !(run->error && !run->fail_late);
}

static void make_ready(ds_engine *e, exec_run *run, node_run *n)
{
	n->st = NS_READY;
	persist_node_reached(e, run, n->id, "QUEUED", 1, NULL, NULL);
	pthread_cond_broadcast(&e->work);
}

static void abort_running(exec_run *run)
{
	for (size_t i = 0; i < run->n_nodes; i++)
		if (run->nodes[i].st == NS_RUNNING)
			ds_job_abort(&run->nodes[i].ctl);
}

static void unlink_run(ds_engine *e, exec_run *run)
{
	for (exec_run **p = &e->runs; *p; p = &(*p)->next) {
		if (*p == run) {
			*p = run->next;
			return;
		}
	}
}

static void write_outputs_file(ds_engine *e, exec_run *run, const json_t *outputs)
{
	char *dir = run_path(e, run, "runs", NULL, -1);
	char *path = dir ? fl_asprintf("%s/outputs.json", dir) : NULL;
	if (path) {
		/* The directory exists when a task ran; create it for runs without tasks. */
		for (char *s = dir + strlen(e->data_dir) + 1; *s; s++) {
			if (*s == '/') {
				*s = '\0';
				mkdir(dir, 0755);
				*s = '/';
			}
		}
		mkdir(dir, 0755);
		json_dump_file(outputs, path, JSON_COMPACT | JSON_SORT_KEYS);
	}
	fl_free(path);
	fl_free(dir);
}

/* The execution reached a terminal phase: one transaction records it. Steals outputs
   and error. */
static void finalize(ds_engine *e, exec_run *run, const char *phase, json_t *outputs, json_t *error)
{
	long long now = ds_now_ns();
	if (outputs)
		write_outputs_file(e, run, outputs);
	sqlite3 *db = tx_begin(e);
	sql_run(db,
		"UPDATE executions SET phase=?, updated_at=?, ended_at=?, started_at=COALESCE(started_at, ?), "
		"outputs=?, error=?, error_kind=?, error_code=? WHERE project=? AND domain=? AND name=?",
		"tiiijjttttt", phase, now, now, now, outputs, error, error ? str_at(error, "kind") : NULL,
		error ? str_at(error, "code") : NULL, run->project, run->domain, run->name);
	/* Nodes that were reached but never ran end with the execution. */
	sql_run(db,
		"UPDATE node_executions SET phase='ABORTED', updated_at=?, ended_at=? WHERE project=? AND domain=? "
		"AND name=? AND phase IN ('QUEUED', 'RUNNING')",
		"iittt", now, now, run->project, run->domain, run->name);
	if (strcmp(phase, "SUCCEEDED") == 0)
		sql_run(db,
			"INSERT OR REPLACE INTO node_executions (project, domain, name, node_id, seq, phase, "
			"created_at, updated_at, started_at, ended_at, inputs, outputs, is_task) "
			"VALUES (?,?,?,'end-node',?,'SUCCEEDED',?,?,?,?,?,?,0)",
			"tttiiiiijj", run->project, run->domain, run->name, run->seq++, now, now, now, now, outputs,
			outputs);
	tx_end(e, db);
	json_decref(outputs);
	json_decref(error);
	unlink_run(e, run);
	free_run(run);
}

/* Ends the execution once nothing runs and nothing more will. */
static void maybe_finish(ds_engine *e, exec_run *run)
{
	if (run->running)
		return;
	size_t ok = 0;
	for (size_t i = 0; i < run->n_nodes; i++) {
		if (run->nodes[i].st == NS_READY && can_schedule(run))
			return;
		ok += run->nodes[i].ok;
	}
	if (run->aborting) {
		finalize(e, run, "ABORTED", NULL, NULL);
	} else if (run->error) {
		finalize(e, run, "FAILED", NULL, json_incref(run->error));
	} else if (ok < run->n_nodes) {
		finalize(e, run, "FAILED", NULL,
			 exec_error("Unreachable", "the workflow cannot make progress: some nodes never became ready",
				    "SYSTEM"));
	} else {
		char *err = NULL;
		json_t *outputs = resolve_bindings(run, json_object_get(run->tmpl, "outputs"), &err);
		if (outputs)
			finalize(e, run, "SUCCEEDED", outputs, NULL);
		else
			finalize(e, run, "FAILED", NULL,
				 exec_error("BindingResolutionFailure", err ? err : "", "USER"));
		fl_free(err);
	}
}

static void node_done(ds_engine *e, exec_run *run, node_run *n, outcome *o)
{
	run->running--;
	n->st = NS_DONE;
	if (strcmp(o->phase, "SUCCEEDED") == 0 || strcmp(o->phase, "RECOVERED") == 0) {
		n->ok = 1;
		n->outputs = o->outputs ? o->outputs : json_pack("{s:{}}", "literals");
		o->outputs = NULL;
		for (size_t i = 0; i < n->n_down; i++) {
			node_run *d = &run->nodes[n->down[i]];
			if (--d->pending == 0 && d->st == NS_WAITING && can_schedule(run))
				make_ready(e, run, d);
		}
	} else if (strcmp(o->phase, "ABORTED") != 0) {
		if (!run->error) {
			run->error = o->error;
			o->error = NULL;
		}
		if (!run->fail_late)
			abort_running(run);
	}
	json_decref(o->outputs);
	json_decref(o->error);
	maybe_finish(e, run);
}

/* A ready node of some execution that may run one more node; round robin over runs. */
static int pick(ds_engine *e, exec_run **out, node_run **node)
{
	for (exec_run *run = e->runs; run; run = run->next) {
		if (!can_schedule(run) || (run->max_par > 0 && run->running >= run->max_par))
			continue;
		for (size_t i = 0; i < run->n_nodes; i++) {
			if (run->nodes[i].st != NS_READY)
				continue;
			*out = run;
			*node = &run->nodes[i];
			/* Move it to the back so that other executions get their turn. */
			unlink_run(e, run);
			exec_run **p = &e->runs;
			while (*p)
				p = &(*p)->next;
			*p = run;
			run->next = NULL;
			return 1;
		}
	}
	return 0;
}

static void *worker(void *arg)
{
	ds_engine *e = arg;
	pthread_mutex_lock(&e->mu);
	while (!e->stopping) {
		exec_run *run;
		node_run *n;
		if (!pick(e, &run, &n)) {
			pthread_cond_wait(&e->work, &e->mu);
			continue;
		}
		n->st = NS_RUNNING;
		run->running++;
		char *bind_error = NULL;
		json_t *inputs = resolve_bindings(run, json_object_get(n->node, "inputs"), &bind_error);
		pthread_mutex_unlock(&e->mu);
		outcome o = {0};
		run_node(e, run, n, inputs, bind_error, &o);
		json_decref(inputs);
		fl_free(bind_error);
		pthread_mutex_lock(&e->mu);
		if (e->stopping) { /* the next start-up fails what was running */
			json_decref(o.outputs);
			json_decref(o.error);
			break;
		}
		node_done(e, run, n, &o);
	}
	pthread_mutex_unlock(&e->mu);
	return NULL;
}

/* ---- admission ---- */

static exec_run *find_run(ds_engine *e, const char *project, const char *domain, const char *name)
{
	for (exec_run *run = e->runs; run; run = run->next)
		if (strcmp(run->project, project) == 0 && strcmp(run->domain, domain) == 0 &&
		    strcmp(run->name, name) == 0)
			return run;
	return NULL;
}

/* Starts a stored execution: RUNNING, start-node, the first ready nodes. Under e->mu. */
static void admit(ds_engine *e, const ds_launch *l)
{
	exec_run *run = fl_calloc(1, sizeof *run);
	if (!run)
		return;
	run->project = fl_strdup(l->project);
	run->domain = fl_strdup(l->domain);
	run->name = fl_strdup(l->name);
	run->spec = json_deep_copy(l->spec);
	run->inputs = json_deep_copy(l->inputs);
	const json_t *wid = l->workflow_id;
	run->workflow = ds_entity_get(e->s, FLYTE_RESOURCE_WORKFLOW, str_at(wid, "project"), str_at(wid, "domain"),
				      str_at(wid, "name"), str_at(wid, "version"));
	const json_t *compiled = json_object_get(json_object_get(run->workflow, "closure"), "compiled_workflow");
	run->tmpl = json_object_get(json_object_get(compiled, "primary"), "template");
	run->tasks = json_object_get(compiled, "tasks");
	run->max_par = (int)json_integer_value(json_object_get(run->spec, "max_parallelism"));
	run->overwrite_cache = json_is_true(json_object_get(run->spec, "overwrite_cache"));
	run->fail_late = strcmp(str_at(json_object_get(run->tmpl, "metadata"), "on_failure"),
				"FAIL_AFTER_EXECUTABLE_NODES_COMPLETE") == 0;
	const json_t *md = json_object_get(run->spec, "metadata");
	if (strcmp(str_at(md, "mode"), "RECOVERED") == 0 && json_object_get(md, "reference_execution"))
		run->recover_from = fl_strdup(str_at(json_object_get(md, "reference_execution"), "name"));
	run->next = e->runs;
	e->runs = run;
	persist_exec_running(e, run);
	persist_node_reached(e, run, "start-node", "SUCCEEDED", 0, NULL, run->inputs);
	char *error = NULL;
	if (!run->tmpl)
		error = fl_asprintf("workflow %s:%s:%s:%s has no compiled template", str_at(wid, "project"),
				    str_at(wid, "domain"), str_at(wid, "name"), str_at(wid, "version"));
	if (error || build_dag(run, &error) != 0) {
		run->error = exec_error("WorkflowNotSupported", error ? error : "out of memory", "USER");
		fl_free(error);
		maybe_finish(e, run);
		return;
	}
	for (size_t i = 0; i < run->n_nodes; i++)
		if (run->nodes[i].pending == 0)
			make_ready(e, run, &run->nodes[i]);
	maybe_finish(e, run);
}

static void add_tags(sqlite3 *db, const ds_launch *l)
{
	const char *sql = "INSERT OR IGNORE INTO execution_tags VALUES (?,?,?,?,?)";
	size_t i;
	const json_t *v;
	json_array_foreach(json_object_get(l->spec, "tags"), i, v)
		sql_run(db, sql, "ttttt", l->project, l->domain, l->name, json_string_value(v), "");
	const char *k;
	json_object_foreach(json_object_get(json_object_get(l->spec, "labels"), "values"), k, v)
		sql_run(db, sql, "ttttt", l->project, l->domain, l->name, k, json_string_value(v));
}

int ds_engine_launch(ds_server *s, const ds_launch *l, ds_reply *out)
{
	ds_engine *e = s->engine;
	if (!e) {
		ds_reply_error(out, GRPC_UNAVAILABLE, "the execution engine is not running");
		return -1;
	}
	long long now = ds_now_ns();
	const json_t *md = json_object_get(l->spec, "metadata");
	const json_t *lp = json_object_get(l->spec, "launch_plan"), *wf = l->workflow_id;
	const char *mode = str_at(md, "mode");
	sqlite3 *db = tx_begin(e);
	int rc = sql_run(db,
			 "INSERT INTO executions (project, domain, name, phase, created_at, updated_at, mode, "
			 "principal, state, state_at, launch_entity, lp_project, lp_domain, lp_name, lp_version, "
			 "wf_project, wf_domain, wf_name, wf_version, spec, inputs, user_inputs) "
			 "VALUES (?,?,?,'QUEUED',?,?,?,?,'EXECUTION_ACTIVE',?,?,?,?,?,?,?,?,?,?,?,?,?)",
			 "tttiittitttttttttjjj", l->project, l->domain, l->name, now, now, *mode ? mode : "MANUAL",
			 str_at(md, "principal"), now, l->launch_entity, str_at(lp, "project"), str_at(lp, "domain"),
			 str_at(lp, "name"), str_at(lp, "version"), str_at(wf, "project"), str_at(wf, "domain"),
			 str_at(wf, "name"), str_at(wf, "version"), l->spec, l->inputs, l->user_inputs);
	if (rc == SQLITE_OK)
		add_tags(db, l);
	else
		ds_store_rollback(db);
	if (rc == SQLITE_OK)
		tx_end(e, db);
	else
		ds_store_unlock(s->store);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		ds_reply_error(out, GRPC_ALREADY_EXISTS,
			       "value with matching already exists (duplicate key value violates unique constraint "
			       "\"executions_pkey\")");
		return -1;
	}
	if (rc != SQLITE_OK) {
		ds_reply_error(out, GRPC_INTERNAL, "failed database operation with %s", sqlite3_errstr(rc));
		return -1;
	}
	pthread_mutex_lock(&e->mu);
	if (!e->stopping)
		admit(e, l);
	pthread_mutex_unlock(&e->mu);
	return 0;
}

/* ---- termination ---- */

static void reply_terminal(ds_reply *out, const char *phase)
{
	json_t *detail = json_pack("{s:s,s:{s:s}}", "@type", "type.googleapis.com/flyteidl.admin.EventFailureReason",
				   "already_in_terminal_state", "current_phase", phase);
	ds_reply_error_details(out, GRPC_FAILED_PRECONDITION, detail,
			       "Cannot abort an already terminated workflow execution");
}

/* An execution that is not in memory (e.g. the engine is stopping): decided from its row. */
static int terminate_stored(ds_engine *e, const char *project, const char *domain, const char *name,
			    const json_t *abort_md, ds_reply *out)
{
	sqlite3 *db = tx_begin(e);
	sqlite3_stmt *st = ds_store_prepare(db, "SELECT phase FROM executions WHERE project=? AND domain=? AND name=?",
					    "ttt", project, domain, name);
	char *phase = st && sqlite3_step(st) == SQLITE_ROW ? fl_strdup((const char *)sqlite3_column_text(st, 0))
							    : NULL;
	sqlite3_finalize(st);
	int rc = -1;
	if (!phase) {
		ds_reply_error(out, GRPC_NOT_FOUND,
			       "missing entity of type execution with identifier project:\"%s\" domain:\"%s\" "
			       "name:\"%s\"",
			       project, domain, name);
	} else if (ds_exec_phase_terminal(phase)) {
		reply_terminal(out, phase);
	} else {
		long long now = ds_now_ns();
		sql_run(db,
			"UPDATE executions SET phase='ABORTED', updated_at=?, ended_at=?, abort_metadata=? WHERE "
			"project=? AND domain=? AND name=?",
			"iijttt", now, now, abort_md, project, domain, name);
		rc = 0;
	}
	tx_end(e, db);
	fl_free(phase);
	return rc;
}

int ds_engine_terminate(ds_server *s, const char *project, const char *domain, const char *name,
			const char *cause, ds_reply *out)
{
	ds_engine *e = s->engine;
	if (!e) {
		ds_reply_error(out, GRPC_UNAVAILABLE, "the execution engine is not running");
		return -1;
	}
	json_t *abort_md = json_pack("{s:s,s:s}", "cause", cause ? cause : "", "principal", "");
	pthread_mutex_lock(&e->mu);
	exec_run *run = find_run(e, project, domain, name);
	int rc = 0;
	if (!run) {
		rc = terminate_stored(e, project, domain, name, abort_md, out);
	} else if (!run->aborting) {
		run->aborting = 1;
		long long now = ds_now_ns();
		sqlite3 *db = tx_begin(e);
		sql_run(db,
			"UPDATE executions SET phase='ABORTING', updated_at=?, abort_metadata=? WHERE project=? AND "
			"domain=? AND name=?",
			"ijttt", now, abort_md, project, domain, name);
		tx_end(e, db);
		abort_running(run);
		maybe_finish(e, run);
	}
	pthread_mutex_unlock(&e->mu);
	json_decref(abort_md);
	return rc;
}

/* ---- start and stop ---- */

/* Executions a previous process left running end now: FAILED (or ABORTED when they were
   being aborted), their processes stopped. */
static void recover_after_restart(ds_engine *e)
{
	sqlite3 *db = tx_begin(e);
	sqlite3_stmt *st = ds_store_prepare(db,
					    "SELECT pid, pid_start FROM task_executions WHERE phase='RUNNING' AND "
					    "pid IS NOT NULL",
					    NULL);
	while (st && sqlite3_step(st) == SQLITE_ROW)
		ds_runner_kill_orphan((pid_t)sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	long long now = ds_now_ns();
	json_t *err = exec_error("DevServerRestarted", RESTART_MESSAGE, "SYSTEM");
	sql_run(db,
		"UPDATE task_executions SET phase='FAILED', updated_at=?, ended_at=?, error=?, reason=? "
		"WHERE phase IN ('UNDEFINED', 'QUEUED', 'RUNNING', 'INITIALIZING', 'WAITING_FOR_RESOURCES')",
		"iijt", now, now, err, RESTART_MESSAGE);
	sql_run(db,
		"UPDATE node_executions SET phase='FAILED', updated_at=?, ended_at=?, error=?, error_kind='SYSTEM', "
		"error_code='DevServerRestarted' WHERE phase IN ('UNDEFINED', 'QUEUED', 'RUNNING', 'DYNAMIC_RUNNING')",
		"iij", now, now, err);
	/* One that was being aborted has only its last step left. */
	sql_run(db, "UPDATE executions SET phase='ABORTED', updated_at=?, ended_at=? WHERE phase='ABORTING'", "ii",
		now, now);
	sql_run(db,
		"UPDATE executions SET phase='FAILED', updated_at=?, ended_at=?, error=?, error_kind='SYSTEM', "
		"error_code='DevServerRestarted' WHERE phase IN ('UNDEFINED', 'QUEUED', 'RUNNING', 'SUCCEEDING', "
		"'FAILING')",
		"iij", now, now, err);
	tx_end(e, db);
	json_decref(err);
}

int ds_engine_start(ds_server *s, char **error)
{
	ds_engine *e = fl_calloc(1, sizeof *e);
	if (!e) {
		*error = fl_strdup("out of memory");
		return -1;
	}
	char *abs = realpath(s->config.data_dir, NULL);
	e->data_dir = abs ? fl_strdup(abs) : NULL;
	free(abs);
	if (!e->data_dir) {
		*error = fl_asprintf("cannot resolve the data directory %s: %s", s->config.data_dir, strerror(errno));
		fl_free(e);
		return -1;
	}
	e->s = s;
	pthread_mutex_init(&e->mu, NULL);
	pthread_cond_init(&e->work, NULL);
	s->engine = e;
	recover_after_restart(e);
	e->threads = fl_calloc((size_t)s->config.workers, sizeof *e->threads);
	for (int i = 0; e->threads && i < s->config.workers; i++) {
		if (pthread_create(&e->threads[i], NULL, worker, e) != 0)
			break;
		e->n_threads++;
	}
	if (e->n_threads == 0) {
		*error = fl_strdup("cannot start the engine's worker threads");
		ds_engine_stop(s);
		return -1;
	}
	return 0;
}

void ds_engine_stop(ds_server *s)
{
	ds_engine *e = s->engine;
	if (!e)
		return;
	pthread_mutex_lock(&e->mu);
	__atomic_store_n(&e->stopping, 1, __ATOMIC_SEQ_CST);
	for (exec_run *run = e->runs; run; run = run->next)
		abort_running(run);
	pthread_cond_broadcast(&e->work);
	pthread_mutex_unlock(&e->mu);
	for (int i = 0; i < e->n_threads; i++)
		pthread_join(e->threads[i], NULL);
	while (e->runs) {
		exec_run *run = e->runs;
		e->runs = run->next;
		free_run(run);
	}
	pthread_cond_destroy(&e->work);
	pthread_mutex_destroy(&e->mu);
	fl_free(e->threads);
	fl_free(e->data_dir);
	fl_free(e);
	s->engine = NULL;
}
