/*
 * entities: tasks, workflows and launch plans (admin-api.md §2.1, §4.3): registration
 * with FlyteAdmin's validation and its identical/different-structure rules, Get, List,
 * ListIds, and the launch plan states.
 *
 * Each entity is one row: the identifier and the columns FlyteAdmin filters and sorts on,
 * the digest of what FlyteAdmin hashes to decide "identical" (the compiled task, the
 * compiled workflow closure, the launch plan), and the admin message as canonical JSON.
 * A launch plan's state and updated_at live in their columns only and are filled in when
 * it is read, as FlyteAdmin does.
 */
#include "entities.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "compiler.h"
#include "listing.h"
#include "objecthash.h"
#include "pb_json.h"
#include "projects.h"
#include "routes.h"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS tasks ("
	" project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,"
	" org TEXT NOT NULL DEFAULT '', type TEXT NOT NULL DEFAULT '', short_description TEXT NOT NULL DEFAULT '',"
	" digest TEXT NOT NULL, body TEXT NOT NULL, state INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	" PRIMARY KEY (project, domain, name, version));"
	"CREATE TABLE IF NOT EXISTS workflows ("
	" project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,"
	" org TEXT NOT NULL DEFAULT '', short_description TEXT NOT NULL DEFAULT '',"
	" digest TEXT NOT NULL, body TEXT NOT NULL, state INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	" PRIMARY KEY (project, domain, name, version));"
	"CREATE TABLE IF NOT EXISTS launch_plans ("
	" project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,"
	" org TEXT NOT NULL DEFAULT '', wf_project TEXT NOT NULL, wf_domain TEXT NOT NULL,"
	" wf_name TEXT NOT NULL, wf_version TEXT NOT NULL, schedule_type TEXT NOT NULL DEFAULT '',"
	" digest TEXT NOT NULL, body TEXT NOT NULL, state INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	" PRIMARY KEY (project, domain, name, version));"
	"CREATE INDEX IF NOT EXISTS launch_plans_state ON launch_plans (project, domain, name, state);";

enum { LP_INACTIVE = 0, LP_ACTIVE = 1 };

#define COMMON_COLUMNS                                                                                       \
	{"project", "project", 0}, {"domain", "domain", 0}, {"name", "name", 0}, {"version", "version", 0},    \
		{"org", "org", 0}, {"created_at", "created_at", 1}, {"updated_at", "updated_at", 1}

static const ds_list_column task_columns[] = {
	COMMON_COLUMNS, {"type", "type", 0}, {"short_description", "short_description", 0}, {NULL, NULL, 0},
};
static const ds_list_column workflow_columns[] = {
	COMMON_COLUMNS, {"short_description", "short_description", 0}, {NULL, NULL, 0},
};
static const ds_list_column launch_plan_columns[] = {
	COMMON_COLUMNS,
	{"state", "state", 0},
	{"schedule_type", "schedule_type", 0},
	{"workflow.project", "wf_project", 0},
	{"workflow.domain", "wf_domain", 0},
	{"workflow.name", "wf_name", 0},
	{"workflow.version", "wf_version", 0},
	{NULL, NULL, 0},
};

/* What differs between the three kinds of entity. */
typedef struct {
	const char *type_name;	   /* ResourceType name: "TASK" */
	const char *noun;	   /* in messages: "task" */
	const char *table;
	ds_list_spec list;
	const pb_msg_desc *entity; /* admin.Task */
	const pb_msg_desc *hashed; /* what the digest covers */
} kind;

static const kind TASK = {
	"TASK", "task", "tasks", {"task", task_columns, 1}, &pb_flyteidl_admin_Task, &pb_flyteidl_core_CompiledTask,
};
static const kind WORKFLOW = {
	"WORKFLOW",
	"workflow",
	"workflows",
	{"workflow", workflow_columns, 1},
	&pb_flyteidl_admin_Workflow,
	&pb_flyteidl_core_CompiledWorkflowClosure,
};
static const kind LAUNCH_PLAN = {
	"LAUNCH_PLAN",
	"launch plan",
	"launch_plans",
	{"launch_plan", launch_plan_columns, 1},
	&pb_flyteidl_admin_LaunchPlan,
	&pb_flyteidl_admin_LaunchPlan,
};

/* ---- errors, carried as FlyteAdmin would return them ---- */

typedef struct {
	int code;
	char *message;
	json_t *detail; /* one Any for details, or NULL */
} ent_error;

__attribute__((format(printf, 4, 5))) static int fail(ent_error *e, int code, json_t *detail, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[8192];
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	e->code = code;
	fl_free(e->message);
	e->message = fl_strdup(buf);
	json_decref(e->detail);
	e->detail = detail;
	return -1;
}

static void ent_error_reply(ent_error *e, ds_reply *out)
{
	ds_reply_error_details(out, e->code, e->detail, "%s", e->message ? e->message : "out of memory");
	e->detail = NULL;
	fl_free(e->message);
	e->message = NULL;
}

static void ent_error_dispose(ent_error *e)
{
	fl_free(e->message);
	json_decref(e->detail);
	memset(e, 0, sizeof *e);
}

/* An error another module wrote as a reply, back as an ent_error. */
static int fail_from_reply(ent_error *e, ds_reply *r)
{
	json_t *body = r->body ? json_loads(r->body, 0, NULL) : NULL;
	json_t *detail = json_array_get(json_object_get(body, "details"), 0);
	fail(e, (int)json_integer_value(json_object_get(body, "code")), detail ? json_incref(detail) : NULL, "%s",
	     json_string_value(json_object_get(body, "message")) ? json_string_value(json_object_get(body, "message"))
								  : "invalid request");
	json_decref(body);
	fl_free(r->body);
	r->body = NULL;
	return -1;
}

static int db_fail(ent_error *e, sqlite3 *db)
{
	return fail(e, GRPC_UNKNOWN, NULL, "failed database operation with %s", sqlite3_errmsg(db));
}

/* ---- small helpers ---- */

static const char *str(const json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));
	return v ? v : "";
}

static json_t *path_get(const json_t *v, const char *a, const char *b, const char *c)
{
	v = json_object_get(v, a);
	if (b)
		v = json_object_get(v, b);
	if (c)
		v = json_object_get(v, c);
	return (json_t *)v;
}

static json_t *rfc3339(long long ns)
{
	char buf[40];
	ds_ns_to_rfc3339(buf, ns);
	return json_string(buf);
}

/* A value as the admin message it is: canonical (round-tripped through the schema). */
static json_t *canonical(const pb_msg_desc *desc, const json_t *v)
{
	flyte_error *err = NULL;
	pb_msg *m = ds_json_to_msg(desc, v, &err);
	flyte_error_free(err);
	json_t *out = m ? ds_msg_to_json(m) : NULL;
	pb_msg_free(m);
	return out;
}

/* pbhash.ComputeHash of the message, as hex. */
static int digest_of(char out[65], const pb_msg_desc *desc, const json_t *v)
{
	flyte_error *err = NULL;
	pb_msg *m = ds_json_to_msg(desc, v, &err);
	oh_digest d;
	int rc = m ? oh_msg(d, m, &err) : -1;
	flyte_error_free(err);
	pb_msg_free(m);
	for (int i = 0; rc == 0 && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return rc;
}

static json_t *named_id(const char *project, const char *domain, const char *name)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "project", project, "domain", domain, "name", name, "org", "");
}

static json_t *entity_id(const kind *k, const char *project, const char *domain, const char *name,
			 const char *version)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "resource_type", k->type_name, "project", project, "domain",
			 domain, "name", name, "version", version, "org", "");
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* validation.ValidateIdentifier. */
static int check_identifier(const json_t *id, const kind *k, ent_error *e)
{
	if (!id)
		return fail(e, GRPC_INVALID_ARGUMENT, NULL, "missing id");
	const char *rt = *str(id, "resource_type") ? str(id, "resource_type") : "UNSPECIFIED";
	if (strcmp(rt, k->type_name) != 0) {
		char got[32], want[32];
		snprintf(got, sizeof got, "%s", rt);
		snprintf(want, sizeof want, "%s", k->type_name);
		lower(got);
		lower(want);
		char *text = ds_identifier_text(id, 1);
		fail(e, GRPC_INVALID_ARGUMENT, NULL,
		     "unexpected resource type %s for identifier [%s], expected %s instead", got, text ? text : "",
		     want);
		fl_free(text);
		return -1;
	}
	static const char *const fields[] = {"project", "domain", "name", "version"};
	for (int i = 0; i < 4; i++)
		if (!*str(id, fields[i]))
			return fail(e, GRPC_INVALID_ARGUMENT, NULL, "missing %s", fields[i]);
	return 0;
}

static int check_project(ds_server *s, const json_t *id, ent_error *e)
{
	ds_reply r = {0};
	if (ds_project_check(s, str(id, "project"), str(id, "domain"), &r) == 0)
		return 0;
	return fail_from_reply(e, &r);
}

static int not_found(ent_error *e, const kind *k, const json_t *id)
{
	char *text = ds_identifier_text(id, 0);
	fail(e, GRPC_NOT_FOUND, NULL, "missing entity of type %s with identifier %s", k->type_name, text ? text : "");
	fl_free(text);
	return -1;
}

/* ---- reading rows ---- */

/* The admin message of a row selected as (body, state, updated_at). */
static json_t *row_entity(const kind *k, sqlite3_stmt *st)
{
	json_t *v = ds_json_loads((const char *)sqlite3_column_text(st, 0));
	if (k == &LAUNCH_PLAN) {
		json_t *closure = json_object_get(v, "closure");
		json_object_set_new(closure, "state",
				    json_string(sqlite3_column_int(st, 1) == LP_ACTIVE ? "ACTIVE" : "INACTIVE"));
		json_object_set_new(closure, "updated_at", rfc3339(sqlite3_column_int64(st, 2)));
	}
	return v;
}

/* The stored entity, new reference; NULL when absent (*rc_out SQLITE_DONE) or on error. */
static json_t *load(ds_server *s, const kind *k, const char *project, const char *domain, const char *name,
		    const char *version, int *rc_out)
{
	char sql[200];
	snprintf(sql, sizeof sql,
		 "SELECT body, state, updated_at FROM %s WHERE project = ? AND domain = ? AND name = ? AND version = ?",
		 k->table);
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = ds_store_prepare(db, sql, "tttt", project, domain, name, version);
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	json_t *v = rc == SQLITE_ROW ? row_entity(k, st) : NULL;
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	if (rc_out)
		*rc_out = rc;
	return v;
}

static json_t *load_id(ds_server *s, const kind *k, const json_t *id, int *rc)
{
	return load(s, k, str(id, "project"), str(id, "domain"), str(id, "name"), str(id, "version"), rc);
}

json_t *ds_entity_get(ds_server *s, flyte_resource_type type, const char *project, const char *domain,
		      const char *name, const char *version)
{
	const kind *k = type == FLYTE_RESOURCE_TASK ? &TASK
			: type == FLYTE_RESOURCE_WORKFLOW ? &WORKFLOW
			: type == FLYTE_RESOURCE_LAUNCH_PLAN ? &LAUNCH_PLAN
							     : NULL;
	if (!k || !project || !domain || !name || !version)
		return NULL;
	json_t *v = load(s, k, project, domain, name, version, NULL);
	json_t *out = v ? canonical(k->entity, v) : NULL;
	json_decref(v);
	return out;
}

/* ---- "different structure" messages (errors.go compareJsons) ---- */

static char *value_text(const json_t *v)
{
	if (!v)
		return fl_strdup("<nil>");
	if (json_is_string(v))
		return fl_strdup(json_string_value(v));
	return ds_json_dumps(v);
}

static void diff_line(pb_buf *b, const char *path, const json_t *old, const json_t *new)
{
	char *o = value_text(old), *n = value_text(new);
	pb_buf_puts(b, b->len ? "\n" : "");
	pb_buf_puts(b, *path ? path : "/");
	pb_buf_puts(b, ":\n\t- ");
	pb_buf_puts(b, o ? o : "");
	pb_buf_puts(b, " \n\t+ ");
	pb_buf_puts(b, n ? n : "");
	fl_free(o);
	fl_free(n);
}

/* One "path:\n\t- old \n\t+ new" line per JSON-pointer path where old and new differ. */
static void diff(pb_buf *b, const char *path, const json_t *old, const json_t *new)
{
	char sub[1024];
	if (json_is_object(old) && json_is_object(new)) {
		const char *key;
		const json_t *v;
		json_object_foreach((json_t *)old, key, v) {
			snprintf(sub, sizeof sub, "%s/%s", path, key);
			diff(b, sub, v, json_object_get(new, key));
		}
		json_object_foreach((json_t *)new, key, v)
			if (!json_object_get(old, key)) {
				snprintf(sub, sizeof sub, "%s/%s", path, key);
				diff_line(b, sub, NULL, v);
			}
	} else if (json_is_array(old) && json_is_array(new)) {
		size_t n = json_array_size(old) > json_array_size(new) ? json_array_size(old) : json_array_size(new);
		for (size_t i = 0; i < n; i++) {
			snprintf(sub, sizeof sub, "%s/%zu", path, i);
			diff(b, sub, json_array_get(old, i), json_array_get(new, i));
		}
	} else if (!old || !new || !json_equal((json_t *)old, (json_t *)new)) {
		diff_line(b, path, old, new);
	}
}

static int fail_different(ent_error *e, const kind *k, const char *name, const json_t *old, const json_t *new,
			  json_t *detail)
{
	pb_buf b = {0};
	diff(&b, "", old, new);
	pb_buf_append(&b, "", 1);
	fail(e, GRPC_INVALID_ARGUMENT, detail,
	     "%s %s with different structure already exists. (Please register a new version of the %s):\n%s", name,
	     k->noun, k->noun, b.failed || !b.data ? "" : b.data);
	fl_free(b.data);
	return -1;
}

/* Ends the savepoint of a change: released when *rc is 0, else rolled back. A savepoint
   nests in a caller's transaction (the single-task launch plan is made during an
   execution's creation) and is a transaction of its own otherwise. */
static void finish_savepoint(sqlite3 *db, int *rc, ent_error *e)
{
	if (*rc == 0 && ds_store_exec(db, "RELEASE entity") != SQLITE_OK)
		*rc = db_fail(e, db);
	if (*rc != 0) {
		ds_store_exec(db, "ROLLBACK TO entity");
		ds_store_exec(db, "RELEASE entity");
	}
}

/* The stored digest of an entity: 0 with out set, 1 when absent, -1 on error. */
static int stored_digest(sqlite3 *db, const kind *k, const json_t *id, char out[65])
{
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT digest FROM %s WHERE project = ? AND domain = ? AND name = ? AND version = ?",
		 k->table);
	sqlite3_stmt *st = ds_store_prepare(db, sql, "tttt", str(id, "project"), str(id, "domain"), str(id, "name"),
					    str(id, "version"));
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	if (rc == SQLITE_ROW)
		snprintf(out, 65, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

/* ---- tasks (task_manager.go, task_validator.go) ---- */

/* A k8s resource quantity (resource.ParseQuantity's grammar), as a number; -1 if invalid. */
static int parse_quantity(const char *s, double *out)
{
	static const struct {
		const char *suffix;
		double factor;
	} suffixes[] = {{"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
			{"Pi", 1125899906842624.0}, {"Ei", 1152921504606846976.0}, {"n", 1e-9}, {"u", 1e-6},
			{"m", 1e-3}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18},
			{"", 1}};
	const char *p = s + (*s == '+' || *s == '-');
	size_t digits = strspn(p, "0123456789");
	const char *q = p + digits;
	if (*q == '.') {
		size_t frac = strspn(q + 1, "0123456789");
		digits += frac;
		q += 1 + frac;
	}
	if (digits == 0)
		return -1;
	double v = strtod(s, NULL);
	if ((*q == 'e' || *q == 'E') && q[1]) {
		char *end;
		long x = strtol(q + 1, &end, 10);
		if (*end || end == q + 1)
			return -1;
		*out = v * pow(10, (double)x);
		return 0;
	}
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
		if (strcmp(q, suffixes[i].suffix) == 0) {
			*out = v * suffixes[i].factor;
			return 0;
		}
	return -1;
}

static const char *const checked_resources[] = {"CPU", "MEMORY", "GPU", "EPHEMERAL_STORAGE"};

/* requestedResourcesToQuantity: name -> {"v": value, "s": as written} for the resources
   FlyteAdmin checks. */
static json_t *resource_values(const json_t *entries, const json_t *id, ent_error *e)
{
	json_t *out = json_object();
	size_t i;
	const json_t *entry;
	json_array_foreach(entries, i, entry) {
		const char *name = *str(entry, "name") ? str(entry, "name") : "UNKNOWN";
		int checked = 0;
		for (size_t j = 0; j < 4; j++)
			checked = checked || strcmp(name, checked_resources[j]) == 0;
		if (!checked)
			continue;
		char *text = ds_identifier_text(id, 1);
		double v;
		if (json_object_get(out, name))
			fail(e, GRPC_INVALID_ARGUMENT, NULL, "can't specify %s limit for task [%s] multiple times",
			     name, text ? text : "");
		else if (parse_quantity(str(entry, "value"), &v) != 0)
			fail(e, GRPC_INVALID_ARGUMENT, NULL,
			     "Parsing of %s request failed for value %s - reason  quantities must match the "
			     "regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'. Please follow K8s "
			     "conventions for resources "
			     "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
			     name, str(entry, "value"));
		else if (strcmp(name, "GPU") == 0 && v != floor(v))
			fail(e, GRPC_INVALID_ARGUMENT, NULL, "gpu for [%s] must be a whole number, got: %s instead",
			     text ? text : "", str(entry, "value"));
		else
			json_object_set_new(out, name, json_pack("{s:f,s:s}", "v", v, "s", str(entry, "value")));
		fl_free(text);
		if (e->message) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* validateTaskResources without platform limits (the dev server has none). */
static int check_resources(const json_t *resources, const json_t *id, ent_error *e)
{
	if (!resources)
		return 0;
	json_t *req = resource_values(json_object_get(resources, "requests"), id, e);
	json_t *lim = req ? resource_values(json_object_get(resources, "limits"), id, e) : NULL;
	int rc = req && lim ? 0 : -1;
	const char *name;
	json_t *v;
	json_object_foreach(rc == 0 ? req : NULL, name, v) {
		json_t *l = json_object_get(lim, name);
		if (!l)
			continue;
		double dv = ceil(json_real_value(json_object_get(v, "v")));
		double lv = ceil(json_real_value(json_object_get(l, "v")));
		if (strcmp(name, "GPU") == 0 && dv != lv) {
			char *text = ds_identifier_text(id, 1);
			rc = fail(e, GRPC_INVALID_ARGUMENT, NULL,
				  "For extended resource 'gpu' the default value must equal the limit value for "
				  "task [%s]",
				  text ? text : "");
			fl_free(text);
			break;
		}
		if (strcmp(name, "GPU") != 0 && lv < dv) {
			rc = fail(e, GRPC_INVALID_ARGUMENT, NULL,
				  "Requested %s default [%s] is greater than the limit [%s]. Please fix your "
				  "configuration",
				  name, str(v, "s"), str(l, "s"));
			break;
		}
	}
	json_decref(req);
	json_decref(lim);
	return rc;
}

/* validateTaskTemplate. */
static int check_task_template(const json_t *tpl, const json_t *id, ent_error *e)
{
	const json_t *meta = json_object_get(tpl, "metadata");
	const json_t *container = json_object_get(tpl, "container");
	if (!*str(tpl, "type"))
		return fail(e, GRPC_INVALID_ARGUMENT, NULL, "missing type");
	if (!meta)
		return fail(e, GRPC_INVALID_ARGUMENT, NULL, "missing metadata");
	if (json_object_get(meta, "runtime") && !*str(json_object_get(meta, "runtime"), "version"))
		return fail(e, GRPC_INVALID_ARGUMENT, NULL, "missing runtime version");
	if (!json_object_get(tpl, "interface"))
		return fail(e, GRPC_INVALID_ARGUMENT, NULL, "missing typed interface");
	if (strcmp(str(tpl, "type"), "sidecar") == 0 || !container)
		return 0;
	if (!*str(container, "image"))
		return fail(e, GRPC_INVALID_ARGUMENT, NULL, "missing image");
	return check_resources(json_object_get(container, "resources"), id, e);
}

/* Inserts a row; the caller holds the lock inside a transaction. */
static int insert_entity(sqlite3 *db, const kind *k, const json_t *id, const json_t *body, const char *digest,
			 const char *extra, long long now)
{
	char *text = ds_json_dumps(body);
	const json_t *wf = path_get(body, "spec", "workflow_id", NULL);
	sqlite3_stmt *st;
	if (k == &LAUNCH_PLAN)
		st = ds_store_prepare(db,
				      "INSERT INTO launch_plans (project, domain, name, version, org, wf_project, "
				      "wf_domain, wf_name, wf_version, schedule_type, digest, body, state, created_at, "
				      "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
				      "ttttttttttttii", str(id, "project"), str(id, "domain"), str(id, "name"),
				      str(id, "version"), str(id, "org"), str(wf, "project"), str(wf, "domain"),
				      str(wf, "name"), str(wf, "version"), extra, digest, text, now, now);
	else if (k == &TASK)
		st = ds_store_prepare(db,
				      "INSERT INTO tasks (project, domain, name, version, org, short_description, "
				      "type, digest, body, created_at, updated_at) "
				      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				      "tttttttttii", str(id, "project"), str(id, "domain"), str(id, "name"),
				      str(id, "version"), str(id, "org"), str(body, "short_description"), extra, digest,
				      text, now, now);
	else
		st = ds_store_prepare(db,
				      "INSERT INTO workflows (project, domain, name, version, org, short_description, "
				      "digest, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				      "ttttttttii", str(id, "project"), str(id, "domain"), str(id, "name"),
				      str(id, "version"), str(id, "org"), str(body, "short_description"), digest, text,
				      now, now);
	int rc = st && text ? sqlite3_step(st) : SQLITE_ERROR;
	sqlite3_finalize(st);
	fl_free(text);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * The end of every create: under the lock, an existing entity with the same id is either
 * identical (409) or different (400 with the diff of `compare`), else the row is inserted.
 */
static int store_entity(ds_server *s, const kind *k, const json_t *id, const json_t *hashed, json_t *body,
			const char *extra, ent_error *e)
{
	char digest[65], old_digest[65];
	if (digest_of(digest, k->hashed, hashed) != 0)
		return fail(e, GRPC_INTERNAL, NULL, "failed to compute the %s digest", k->noun);
	long long now = ds_now_ns();
	json_object_set_new(json_object_get(body, "closure"), "created_at", rfc3339(now));
	sqlite3 *db = ds_store_lock(s->store);
	int rc = ds_store_exec(db, "SAVEPOINT entity") == SQLITE_OK ? 0 : -1;
	int found = rc == 0 ? stored_digest(db, k, id, old_digest) : -1;
	if (found == 0) {
		rc = -1;
		json_t *detail = NULL;
		if (k == &WORKFLOW) /* Any details are written in response style: every field */
			detail = json_pack("{s:s,s:{s:{s:s,s:s,s:s,s:s,s:s,s:s}}}", "@type",
					   "type.googleapis.com/flyteidl.admin.CreateWorkflowFailureReason",
					   strcmp(digest, old_digest) == 0 ? "exists_identical_structure"
									   : "exists_different_structure",
					   "id", "resource_type", "WORKFLOW", "project", str(id, "project"), "domain",
					   str(id, "domain"), "name", str(id, "name"), "version", str(id, "version"),
					   "org", str(id, "org"));
		if (strcmp(digest, old_digest) == 0) {
			fail(e, GRPC_ALREADY_EXISTS, detail, "%s with identical structure already exists", k->noun);
		} else {
			json_t *old = load_id(s, k, id, NULL);
			const json_t *old_part = k == &TASK	  ? path_get(old, "closure", "compiled_task", NULL)
						 : k == &WORKFLOW ? path_get(old, "closure", "compiled_workflow", NULL)
								  : json_object_get(old, "spec");
			const json_t *new_part = k == &LAUNCH_PLAN ? json_object_get(body, "spec") : hashed;
			fail_different(e, k, str(id, "name"), old_part, new_part, detail);
			json_decref(old);
		}
	} else if (found == 1) {
		rc = insert_entity(db, k, id, body, digest, extra, now);
		if (rc != 0)
			db_fail(e, db);
	} else {
		rc = db_fail(e, db);
	}
	finish_savepoint(db, &rc, e);
	ds_store_unlock(s->store);
	return rc;
}

static int create_task(ds_server *s, json_t *req, ent_error *e)
{
	json_t *id = json_object_get(req, "id");
	json_t *tpl = path_get(req, "spec", "template", NULL);
	if (check_identifier(id, &TASK, e) != 0 || check_project(s, id, e) != 0)
		return -1;
	if (!tpl)
		return fail(e, GRPC_INVALID_ARGUMENT, NULL, "missing spec");
	if (check_task_template(tpl, id, e) != 0)
		return -1;
	json_object_set(tpl, "id", id); /* setDefaults */
	char *why = NULL;
	if (ds_compile_task(tpl, &why) != 0) {
		fail(e, GRPC_INVALID_ARGUMENT, NULL, "failed to compile task with err: %s", why ? why : "");
		fl_free(why);
		return -1;
	}
	json_t *compiled = json_pack("{s:O}", "template", tpl);
	const json_t *description = path_get(req, "spec", "description", NULL);
	json_t *body = json_pack("{s:O,s:{s:O},s:s}", "id", id, "closure", "compiled_task", compiled,
				 "short_description", str(description, "short_description"));
	int rc = store_entity(s, &TASK, id, compiled, body, str(tpl, "type"), e);
	json_decref(body);
	json_decref(compiled);
	return rc;
}

/* ---- workflows (workflow_manager.go) ---- */

static json_t *task_template(const json_t *task_id, void *payload)
{
	json_t *task = load_id(payload, &TASK, task_id, NULL);
	json_t *tpl = json_incref(path_get(task, "closure", "compiled_task", "template"));
	json_decref(task);
	return tpl;
}

static int create_workflow(ds_server *s, json_t *req, ent_error *e)
{
	json_t *id = json_object_get(req, "id");
	json_t *spec = json_object_get(req, "spec");
	json_t *tpl = json_object_get(spec, "template");
	if (check_identifier(id, &WORKFLOW, e) != 0 || check_project(s, id, e) != 0)
		return -1;
	if (!tpl)
		return fail(e, GRPC_INVALID_ARGUMENT, NULL, "missing spec");
	json_object_set(tpl, "id", id); /* setDefaults */
	json_t *closure = NULL;
	char *why = NULL;
	if (ds_compile_workflow(&closure, tpl, json_object_get(spec, "sub_workflows"), task_template, s, &why) != 0) {
		char *text = ds_identifier_text(id, 1);
		fail(e, GRPC_INVALID_ARGUMENT, NULL, "failed to compile workflow for [%s] with err: %s",
		     text ? text : "", why ? why : "");
		fl_free(text);
		fl_free(why);
		return -1;
	}
	json_t *body = json_pack("{s:O,s:{s:O},s:s}", "id", id, "closure", "compiled_workflow", closure,
				 "short_description", str(json_object_get(spec, "description"), "short_description"));
	int rc = store_entity(s, &WORKFLOW, id, closure, body, NULL, e);
	json_decref(body);
	json_decref(closure);
	return rc;
}

/* ---- launch plans (launch_plan_manager.go) ---- */

static const char *schedule_type(const json_t *spec)
{
	const json_t *schedule = path_get(spec, "entity_metadata", "schedule", NULL);
	if (*str(schedule, "cron_expression") || json_object_get(schedule, "cron_schedule"))
		return "CRON";
	return json_object_get(schedule, "rate") ? "RATE" : "";
}

static int create_launch_plan(ds_server *s, json_t *req, ent_error *e)
{
	json_t *id = json_object_get(req, "id");
	json_t *spec = json_object_get(req, "spec");
	const json_t *wf_id = json_object_get(spec, "workflow_id");
	if (check_identifier(wf_id, &WORKFLOW, e) != 0)
		return -1;
	int rc;
	json_t *wf = load_id(s, &WORKFLOW, wf_id, &rc);
	if (!wf)
		return rc == SQLITE_DONE ? not_found(e, &WORKFLOW, wf_id)
					 : fail(e, GRPC_UNKNOWN, NULL, "failed database operation");
	const json_t *iface = json_object_get(
		path_get(path_get(wf, "closure", "compiled_workflow", "primary"), "template", NULL, NULL), "interface");
	char *why = NULL;
	rc = check_identifier(id, &LAUNCH_PLAN, e) != 0 || check_project(s, id, e) != 0 ? -1 : 0;
	if (rc == 0 && ds_compile_launch_plan(spec, iface, &why) != 0)
		rc = fail(e, GRPC_INVALID_ARGUMENT, NULL, "%s", why ? why : "");
	fl_free(why);
	if (rc == 0) {
		json_t *closure = json_pack("{s:O,s:O}", "expected_inputs", json_object_get(spec, "default_inputs"),
					    "expected_outputs", json_object_get(iface, "outputs"));
		json_t *lp = json_pack("{s:O,s:O,s:o}", "id", id, "spec", spec, "closure", closure);
		json_t *hashed = json_deep_copy(lp);
		rc = store_entity(s, &LAUNCH_PLAN, id, hashed, lp, schedule_type(spec), e);
		json_decref(hashed);
		json_decref(lp);
	}
	json_decref(wf);
	return rc;
}

/* ---- the single-task launch plan (util/single_task_execution.go) ---- */

/* encoding.FixedLengthUniqueID(name, 30): long names become "f" + base32(fnv32a(name)). */
static void fixed_length_id(char *out, size_t size, const char *name)
{
	if (strlen(name) <= 30) {
		snprintf(out, size, "%s", name);
		return;
	}
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz123456";
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	unsigned char bytes[5] = {(unsigned char)(h >> 24), (unsigned char)(h >> 16), (unsigned char)(h >> 8),
				  (unsigned char)h, 0};
	char enc[9] = "f";
	for (int i = 0; i < 7; i++) { /* 32 bits in 5-bit groups, zero-padded */
		int bit = i * 5;
		unsigned v = ((unsigned)bytes[bit / 8] << 8 | bytes[bit / 8 + 1]) >> (11 - bit % 8);
		enc[1 + i] = alphabet[v & 31];
	}
	enc[8] = '\0';
	snprintf(out, size, "%s", enc);
}

/* generateNodeNameFromTask: letters, digits and '-' of the task name. */
static void node_name(char *out, size_t size, const char *task)
{
	char kept[1024];
	size_t n = 0;
	for (const char *p = task; *p && n + 1 < sizeof kept; p++)
		if (isalnum((unsigned char)*p) || *p == '-' || (unsigned char)*p >= 0x80)
			kept[n++] = *p;
	kept[n] = '\0';
	fixed_length_id(out, size, kept);
}

/* generateBindings: each variable bound to the same name on node_id. */
static json_t *bindings(const json_t *vmap, const char *node_id)
{
	json_t *out = json_array();
	const char *name;
	const json_t *v;
	json_object_foreach(json_object_get(vmap, "variables"), name, v)
		json_array_append_new(out, json_pack("{s:s,s:{s:{s:s,s:s}}}", "var", name, "binding", "promise",
						     "node_id", node_id, "var", name));
	return out;
}

static json_t *task_workflow_request(const json_t *task, const json_t *wf_id)
{
	const json_t *tpl = path_get(task, "closure", "compiled_task", "template");
	const json_t *iface = json_object_get(tpl, "interface");
	const json_t *retries = path_get(tpl, "metadata", "retries", NULL);
	char node_id[64];
	node_name(node_id, sizeof node_id, str(json_object_get(task, "id"), "name"));
	json_t *node = json_pack("{s:s,s:{s:s,s:o},s:o,s:{s:O}}", "id", node_id, "metadata", "name", node_id, "retries",
				 retries ? json_deep_copy(retries) : json_pack("{s:i}", "retries", 3), "inputs",
				 bindings(json_object_get(iface, "inputs"), ""), "task_node", "reference_id",
				 json_object_get(task, "id"));
	json_t *wf_tpl = json_pack("{s:O,s:O,s:[o],s:o}", "id", wf_id, "interface", iface, "nodes", node, "outputs",
				   bindings(json_object_get(iface, "outputs"), node_id));
	return json_pack("{s:O,s:{s:o}}", "id", wf_id, "spec", "template", wf_tpl);
}

json_t *ds_entity_task_launch_plan(ds_server *s, const char *project, const char *domain, const char *name,
				   const char *version, int *grpc_code, char **error)
{
	ent_error e = {0};
	json_t *task_id = entity_id(&TASK, project, domain, name, version);
	char *gen_name = fl_asprintf(".flytegen.%s", name);
	json_t *wf_id = entity_id(&WORKFLOW, project, domain, gen_name ? gen_name : "", version);
	json_t *lp_id = entity_id(&LAUNCH_PLAN, project, domain, gen_name ? gen_name : "", version);
	json_t *lp = NULL;
	/* One registration at a time, so concurrent executions of a task create it once. */
	ds_store_lock(s->store);
	int rc;
	json_t *task = load_id(s, &TASK, task_id, &rc);
	if (!task) {
		if (rc == SQLITE_DONE)
			not_found(&e, &TASK, task_id);
		else
			fail(&e, GRPC_UNKNOWN, NULL, "failed database operation");
		goto done;
	}
	json_t *wf = load_id(s, &WORKFLOW, wf_id, NULL);
	if (!wf) {
		json_t *req = task_workflow_request(task, wf_id);
		rc = create_workflow(s, req, &e);
		json_decref(req);
		if (rc != 0 && e.code != GRPC_ALREADY_EXISTS)
			goto done;
		ent_error_dispose(&e);
	}
	json_decref(wf);
	lp = load_id(s, &LAUNCH_PLAN, lp_id, NULL);
	if (!lp) {
		json_t *req = json_pack("{s:O,s:{s:O,s:{},s:{},s:{},s:{},s:{}}}", "id", lp_id, "spec", "workflow_id",
					wf_id, "entity_metadata", "default_inputs", "fixed_inputs", "labels",
					"annotations");
		rc = create_launch_plan(s, req, &e);
		json_decref(req);
		if (rc != 0 && e.code != GRPC_ALREADY_EXISTS)
			goto done;
		ent_error_dispose(&e);
		lp = load_id(s, &LAUNCH_PLAN, lp_id, NULL);
	}
done:
	ds_store_unlock(s->store);
	json_decref(task);
	json_t *out = lp ? canonical(&pb_flyteidl_admin_LaunchPlan, lp) : NULL;
	if (!out && !e.message)
		fail(&e, GRPC_INTERNAL, NULL, "cannot create the launch plan of task %s", name);
	if (!out) {
		*grpc_code = e.code;
		*error = e.message;
		e.message = NULL;
	}
	ent_error_dispose(&e);
	json_decref(lp);
	json_decref(lp_id);
	json_decref(wf_id);
	json_decref(task_id);
	fl_free(gen_name);
	return out;
}

/* ---- handlers ---- */

static json_t *decode(const ds_request *rq, const pb_msg_desc *desc, ds_reply *out)
{
	pb_msg *m = NULL;
	if (ds_decode_body(rq, desc, &m, out) != 0)
		return NULL;
	json_t *v = ds_msg_to_json(m);
	pb_msg_free(m);
	if (!v)
		ds_reply_error(out, GRPC_INTERNAL, "out of memory");
	return v;
}

static void handle_create(ds_server *s, const ds_request *rq, ds_reply *out, const pb_msg_desc *req_desc,
			  const pb_msg_desc *resp_desc, int (*create)(ds_server *, json_t *, ent_error *))
{
	json_t *req = decode(rq, req_desc, out);
	if (!req)
		return;
	ent_error e = {0};
	if (create(s, req, &e) == 0)
		ds_reply_json(out, resp_desc, json_object());
	else
		ent_error_reply(&e, out);
	ent_error_dispose(&e);
	json_decref(req);
}

static void post_task(ds_server *s, const ds_request *rq, ds_reply *out)
{
	handle_create(s, rq, out, &pb_flyteidl_admin_TaskCreateRequest, &pb_flyteidl_admin_TaskCreateResponse,
		      create_task);
}

static void post_workflow(ds_server *s, const ds_request *rq, ds_reply *out)
{
	handle_create(s, rq, out, &pb_flyteidl_admin_WorkflowCreateRequest, &pb_flyteidl_admin_WorkflowCreateResponse,
		      create_workflow);
}

static void post_launch_plan(ds_server *s, const ds_request *rq, ds_reply *out)
{
	handle_create(s, rq, out, &pb_flyteidl_admin_LaunchPlanCreateRequest,
		      &pb_flyteidl_admin_LaunchPlanCreateResponse, create_launch_plan);
}

/* Get*: the resource type is implicit, but an explicit other one fails validation. */
static void get_entity(ds_server *s, const ds_request *rq, ds_reply *out, const kind *k)
{
	ent_error e = {0};
	json_t *id = entity_id(k, rq->params[0], rq->params[1], rq->params[2], rq->params[3]);
	const char *rt = ds_query(rq, "id.resource_type");
	if (!rt)
		rt = ds_query(rq, "id.resourceType");
	if (rt && *rt) {
		static const char *const names[] = {"UNSPECIFIED", "TASK", "WORKFLOW", "LAUNCH_PLAN", "DATASET"};
		const char *name = rt[0] >= '0' && rt[0] <= '4' && !rt[1] ? names[rt[0] - '0'] : rt;
		json_object_set_new(id, "resource_type", json_string(name));
	}
	int rc = SQLITE_OK;
	json_t *v = check_identifier(id, k, &e) == 0 ? load_id(s, k, id, &rc) : NULL;
	if (v)
		ds_reply_json(out, k->entity, v);
	else if (!e.message && rc == SQLITE_DONE)
		not_found(&e, k, id);
	else if (!e.message)
		fail(&e, GRPC_UNKNOWN, NULL, "failed database operation");
	if (e.message)
		ent_error_reply(&e, out);
	ent_error_dispose(&e);
	json_decref(id);
}

static void get_task(ds_server *s, const ds_request *rq, ds_reply *out)
{
	get_entity(s, rq, out, &TASK);
}

static void get_workflow(ds_server *s, const ds_request *rq, ds_reply *out)
{
	get_entity(s, rq, out, &WORKFLOW);
}

static void get_launch_plan(ds_server *s, const ds_request *rq, ds_reply *out)
{
	get_entity(s, rq, out, &LAUNCH_PLAN);
}

/* A list query's rows: SELECT `what` FROM the kind's table, scoped to the path's project,
   domain (and name), the list parameters applied. Fills items via row(). */
static void run_list(ds_server *s, const ds_request *rq, ds_reply *out, const kind *k, const ds_list_spec *spec,
		     const char *what, const char *extra_where, const char *group_by, const char *tiebreak,
		     json_t *(*row)(const kind *, sqlite3_stmt *), const pb_msg_desc *resp, const char *field)
{
	ds_list_query q;
	if (ds_list_parse(rq, spec, &q, out) != 0)
		return;
	/* Without sort_by FlyteAdmin leaves the order to the database: here, registration order. */
	char *sql = fl_asprintf("SELECT %s FROM %s WHERE project = ? AND domain = ?%s%s%s%s%s%s%s LIMIT ? OFFSET ?",
				what, k->table, rq->n_params > 2 ? " AND name = ?" : "", extra_where, q.where, group_by,
				*q.order_by ? q.order_by : " ORDER BY ", *q.order_by ? ", " : "", tiebreak);
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = sql ? ds_store_prepare(db, sql, "tt", rq->params[0], rq->params[1]) : NULL;
	json_t *items = json_array();
	int rc = SQLITE_ERROR;
	if (st) {
		int i = 3;
		if (rq->n_params > 2)
			sqlite3_bind_text(st, i++, rq->params[2], -1, SQLITE_TRANSIENT);
		i = ds_list_bind(st, i, &q);
		sqlite3_bind_int64(st, i, q.limit ? q.limit : -1);
		sqlite3_bind_int64(st, i + 1, q.offset);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			json_array_append_new(items, row(k, st));
	}
	if (rc == SQLITE_DONE) {
		char token[32];
		ds_list_token(token, &q, json_array_size(items));
		ds_reply_json(out, resp, json_pack("{s:O,s:s}", field, items, "token", token));
	} else {
		ds_reply_error(out, GRPC_UNKNOWN, "failed database operation with %s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	json_decref(items);
	fl_free(sql);
	ds_list_query_dispose(&q);
}

/* List items: workflows come without their compiled closure, as FlyteAdmin lists them. */
static json_t *row_list_item(const kind *k, sqlite3_stmt *st)
{
	json_t *v = row_entity(k, st);
	if (k == &WORKFLOW)
		json_object_del(json_object_get(v, "closure"), "compiled_workflow");
	return v;
}

static json_t *row_named_id(const kind *k, sqlite3_stmt *st)
{
	(void)k;
	return named_id((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2));
}

#define BY_ROW "", "rowid"

static void list_tasks(ds_server *s, const ds_request *rq, ds_reply *out)
{
	run_list(s, rq, out, &TASK, &TASK.list, "body, state, updated_at", "", BY_ROW, row_list_item,
		 &pb_flyteidl_admin_TaskList, "tasks");
}

static void list_workflows(ds_server *s, const ds_request *rq, ds_reply *out)
{
	run_list(s, rq, out, &WORKFLOW, &WORKFLOW.list, "body, state, updated_at", "", BY_ROW, row_list_item,
		 &pb_flyteidl_admin_WorkflowList, "workflows");
}

static void list_launch_plans(ds_server *s, const ds_request *rq, ds_reply *out)
{
	run_list(s, rq, out, &LAUNCH_PLAN, &LAUNCH_PLAN.list, "body, state, updated_at", "", BY_ROW, row_list_item,
		 &pb_flyteidl_admin_LaunchPlanList, "launch_plans");
}

static void list_active_launch_plans(ds_server *s, const ds_request *rq, ds_reply *out)
{
	run_list(s, rq, out, &LAUNCH_PLAN, &LAUNCH_PLAN.list, "body, state, updated_at", " AND state = 1", BY_ROW,
		 row_list_item, &pb_flyteidl_admin_LaunchPlanList, "launch_plans");
}

#define BY_NAME " GROUP BY project, domain, name", "MIN(rowid)"

static void list_task_ids(ds_server *s, const ds_request *rq, ds_reply *out)
{
	run_list(s, rq, out, &TASK, &TASK.list, "project, domain, name", "", BY_NAME, row_named_id,
		 &pb_flyteidl_admin_NamedEntityIdentifierList, "entities");
}

static void list_workflow_ids(ds_server *s, const ds_request *rq, ds_reply *out)
{
	run_list(s, rq, out, &WORKFLOW, &WORKFLOW.list, "project, domain, name", "", BY_NAME, row_named_id,
		 &pb_flyteidl_admin_NamedEntityIdentifierList, "entities");
}

static void list_launch_plan_ids(ds_server *s, const ds_request *rq, ds_reply *out)
{
	run_list(s, rq, out, &LAUNCH_PLAN, &LAUNCH_PLAN.list, "project, domain, name", "", BY_NAME, row_named_id,
		 &pb_flyteidl_admin_NamedEntityIdentifierList, "entities");
}

static void get_active_launch_plan(ds_server *s, const ds_request *rq, ds_reply *out)
{
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = ds_store_prepare(db,
					    "SELECT body, state, updated_at FROM launch_plans WHERE project = ? AND "
					    "domain = ? AND name = ? AND state = 1 LIMIT 1",
					    "ttt", rq->params[0], rq->params[1], rq->params[2]);
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	if (rc == SQLITE_ROW)
		ds_reply_json(out, &pb_flyteidl_admin_LaunchPlan, row_entity(&LAUNCH_PLAN, st));
	else if (rc == SQLITE_DONE)
		ds_reply_error(out, GRPC_NOT_FOUND, "No active launch plan could be found: %s:%s:%s", rq->params[0],
			       rq->params[1], rq->params[2]);
	else
		ds_reply_error(out, GRPC_UNKNOWN, "failed database operation with %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
}

static int exec_update(sqlite3 *db, const char *sql, const json_t *id, long long now)
{
	sqlite3_stmt *st = ds_store_prepare(db, sql, "itttt", now, str(id, "project"), str(id, "domain"),
					    str(id, "name"), str(id, "version"));
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Activating a version deactivates the active one; both get a new updated_at. */
static int set_state(ds_server *s, const json_t *id, int state, ent_error *e)
{
	long long now = ds_now_ns();
	sqlite3 *db = ds_store_lock(s->store);
	int rc = ds_store_exec(db, "SAVEPOINT entity") == SQLITE_OK ? 0 : -1;
	if (rc == 0 && state == LP_ACTIVE)
		rc = exec_update(db,
				 "UPDATE launch_plans SET state = 0, updated_at = ?1 WHERE project = ?2 "
				 "AND domain = ?3 AND name = ?4 AND version <> ?5 AND state = 1",
				 id, now);
	if (rc == 0)
		rc = exec_update(db,
				 state == LP_ACTIVE ? "UPDATE launch_plans SET state = 1, updated_at = ?1 WHERE "
						      "project = ?2 AND domain = ?3 AND name = ?4 AND version = ?5"
						    : "UPDATE launch_plans SET state = 0, updated_at = ?1 WHERE "
						      "project = ?2 AND domain = ?3 AND name = ?4 AND version = ?5",
				 id, now);
	if (rc != 0)
		db_fail(e, db);
	finish_savepoint(db, &rc, e);
	ds_store_unlock(s->store);
	return rc;
}

static void update_launch_plan(ds_server *s, const ds_request *rq, ds_reply *out)
{
	json_t *req = decode(rq, &pb_flyteidl_admin_LaunchPlanUpdateRequest, out);
	if (!req)
		return;
	ent_error e = {0};
	json_t *id = entity_id(&LAUNCH_PLAN, rq->params[0], rq->params[1], rq->params[2], rq->params[3]);
	const char *state = *str(req, "state") ? str(req, "state") : "INACTIVE";
	int rc = SQLITE_OK;
	json_t *lp = NULL;
	if (strcmp(state, "ACTIVE") != 0 && strcmp(state, "INACTIVE") != 0) {
		char *text = ds_identifier_text(id, 1);
		fail(&e, GRPC_INVALID_ARGUMENT, NULL,
		     "Unrecognized launch plan state %s for update for launch plan [%s]", state, text ? text : "");
		fl_free(text);
	} else if (!(lp = load_id(s, &LAUNCH_PLAN, id, &rc))) {
		if (rc == SQLITE_DONE)
			not_found(&e, &LAUNCH_PLAN, id);
		else
			fail(&e, GRPC_UNKNOWN, NULL, "failed database operation");
	} else if (set_state(s, id, strcmp(state, "ACTIVE") == 0 ? LP_ACTIVE : LP_INACTIVE, &e) == 0) {
		ds_reply_json(out, &pb_flyteidl_admin_LaunchPlanUpdateResponse, json_object());
	}
	if (e.message)
		ent_error_reply(&e, out);
	ent_error_dispose(&e);
	json_decref(lp);
	json_decref(id);
	json_decref(req);
}

const ds_route ds_entities_routes[] = {
	{"POST", "/api/v1/tasks", post_task},
	{"GET", "/api/v1/tasks/{}/{}/{}/{}", get_task},
	{"GET", "/api/v1/tasks/{}/{}/{}", list_tasks},
	{"GET", "/api/v1/tasks/{}/{}", list_tasks},
	{"GET", "/api/v1/task_ids/{}/{}", list_task_ids},
	{"POST", "/api/v1/workflows", post_workflow},
	{"GET", "/api/v1/workflows/{}/{}/{}/{}", get_workflow},
	{"GET", "/api/v1/workflows/{}/{}/{}", list_workflows},
	{"GET", "/api/v1/workflows/{}/{}", list_workflows},
	{"GET", "/api/v1/workflow_ids/{}/{}", list_workflow_ids},
	{"POST", "/api/v1/launch_plans", post_launch_plan},
	{"GET", "/api/v1/launch_plans/{}/{}/{}/{}", get_launch_plan},
	{"PUT", "/api/v1/launch_plans/{}/{}/{}/{}", update_launch_plan},
	{"GET", "/api/v1/launch_plans/{}/{}/{}", list_launch_plans},
	{"GET", "/api/v1/launch_plans/{}/{}", list_launch_plans},
	{"GET", "/api/v1/launch_plan_ids/{}/{}", list_launch_plan_ids},
	{"GET", "/api/v1/active_launch_plans/{}/{}/{}", get_active_launch_plan},
	{"GET", "/api/v1/active_launch_plans/{}/{}", list_active_launch_plans},
	{NULL, NULL, NULL},
};

int ds_entities_init(ds_server *s, char **error)
{
	sqlite3 *db = ds_store_lock(s->store);
	int rc = ds_store_exec(db, schema_sql);
	if (rc != SQLITE_OK)
		*error = fl_asprintf("entities: cannot initialise the database: %s", sqlite3_errmsg(db));
	ds_store_unlock(s->store);
	return rc == SQLITE_OK ? 0 : -1;
}
