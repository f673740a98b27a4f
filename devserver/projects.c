/*
 * projects: RegisterProject, ListProjects, GetProject and UpdateProject with FlyteAdmin's
 * validation (flyteadmin/pkg/manager/impl/project_manager.go, validation/project_validator.go),
 * and the project/domain check every registration and execution goes through.
 *
 * A project row keeps the columns FlyteAdmin filters on; `state` is the ProjectState number,
 * as FlyteAdmin stores it (so `eq(state,1)` selects archived projects).
 */
#include "projects.h"
#include "labels.h"

#include <ctype.h>
#include <string.h>

#include "alloc.h"
#include "listing.h"
#include "routes.h"

/* The system's domains (FlyteAdmin's default configuration; GetDomains reports them). */
static const char *const domains[] = {"development", "staging", "production"};
#define N_DOMAINS (sizeof domains / sizeof domains[0])

enum { PROJECT_ACTIVE = 0, PROJECT_ARCHIVED = 1 };

#define MAX_NAME_LENGTH 64
#define MAX_DESCRIPTION_LENGTH 300

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS projects ("
	" identifier TEXT PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" description TEXT NOT NULL DEFAULT '',"
	" labels TEXT NOT NULL DEFAULT '{}',"
	" state INTEGER NOT NULL DEFAULT 0,"
	" org TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL)";

static const ds_list_column project_columns[] = {
	{"identifier", "identifier", 0},   {"name", "name", 0},	     {"description", "description", 0},
	{"labels", "labels", 0},	   {"state", "state", 0},	     {"org", "org", 0},
	{"created_at", "created_at", 1}, {"updated_at", "updated_at", 1}, {NULL, NULL, 0},
};

static const ds_list_spec project_list = {"project", project_columns, 0};

/* ---- validation (project_validator.go) ---- */

static int is_alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* k8s IsDNS1123Label, with its messages joined as Go prints a []string. */
static int dns1123_label_check(const char *id, char *why, size_t size)
{
	size_t n = strlen(id);
	int ok_chars = n > 0 && is_alnum_lower(id[0]) && is_alnum_lower(id[n - 1]);
	for (size_t i = 0; ok_chars && i < n; i++)
		ok_chars = is_alnum_lower(id[i]) || id[i] == '-';
	const char *len_msg = n > 63 ? "must be no more than 63 characters" : NULL;
	const char *char_msg =
		ok_chars ? NULL
			 : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
			   "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
			   "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
	if (!len_msg && !char_msg)
		return 0;
	snprintf(why, size, "[%s%s%s]", len_msg ? len_msg : "", len_msg && char_msg ? " " : "",
		 char_msg ? char_msg : "");
	return -1;
}

static const char *str(const json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));
	return v ? v : "";
}

/* ValidateProject (the checks shared by register and update). */
static int check_project(const json_t *p, ds_reply *out)
{
	const char *id = str(p, "id");
	char why[512];
	if (!*id) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "missing project_id");
		return -1;
	}
	if (ds_check_labels(json_object_get(p, "labels"), out) != 0)
		return -1;
	if (dns1123_label_check(id, why, sizeof why) != 0) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "invalid project id [%s]: %s", id, why);
		return -1;
	}
	if (strlen(str(p, "name")) > MAX_NAME_LENGTH) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "project_name cannot exceed %d characters", MAX_NAME_LENGTH);
		return -1;
	}
	if (strlen(str(p, "description")) > MAX_DESCRIPTION_LENGTH) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "project_description cannot exceed %d characters",
			       MAX_DESCRIPTION_LENGTH);
		return -1;
	}
	if (json_array_size(json_object_get(p, "domains")) > 0) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "Domains are currently only set system wide. Please retry "
							   "without domains included in your request.");
		return -1;
	}
	return 0;
}

/* ---- rows <-> admin.Project ---- */

static json_t *domain_list(void)
{
	json_t *list = json_array();
	for (size_t i = 0; i < N_DOMAINS; i++)
		json_array_append_new(list, json_pack("{s:s,s:s}", "id", domains[i], "name", domains[i]));
	return list;
}

static const char *state_name(int state)
{
	static const char *const names[] = {"ACTIVE", "ARCHIVED", "SYSTEM_GENERATED", "SYSTEM_ARCHIVED"};
	return state >= 0 && state < 4 ? names[state] : "ACTIVE";
}

#define PROJECT_SELECT "SELECT identifier, name, description, labels, state, org FROM projects"

/* admin.Project of the current row of a PROJECT_SELECT statement. */
static json_t *row_project(sqlite3_stmt *st)
{
	json_t *labels = ds_json_loads((const char *)sqlite3_column_text(st, 3));
	if (!json_object_get(labels, "values"))
		json_object_set_new(labels, "values", json_object());
	return json_pack("{s:s,s:s,s:o,s:s,s:o,s:s,s:s}", "id", (const char *)sqlite3_column_text(st, 0), "name",
			 (const char *)sqlite3_column_text(st, 1), "domains", domain_list(), "description",
			 (const char *)sqlite3_column_text(st, 2), "labels", labels, "state",
			 state_name(sqlite3_column_int(st, 4)), "org", (const char *)sqlite3_column_text(st, 5));
}

static int state_number(const json_t *p)
{
	const char *name = json_string_value(json_object_get(p, "state"));
	for (int i = 0; name && i < 4; i++)
		if (strcmp(state_name(i), name) == 0)
			return i;
	return PROJECT_ACTIVE;
}

static char *labels_text(const json_t *p)
{
	const json_t *labels = json_object_get(p, "labels");
	if (labels)
		return ds_json_dumps(labels);
	return fl_strdup("{}");
}

/* ---- the check other modules use ---- */

int ds_project_check(ds_server *s, const char *project, const char *domain, ds_reply *out)
{
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = ds_store_prepare(db, "SELECT state FROM projects WHERE identifier = ?", "t", project);
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	int state = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ds_reply_error(out, GRPC_INTERNAL, "failed database operation with %s", sqlite3_errstr(rc));
		return -1;
	}
	if (state < 0) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT,
			       "failed to validate that project [%s] and domain [%s] are registered, err: [missing "
			       "entity of type project with identifier id:\"%s\"]",
			       project, domain, project);
		return -1;
	}
	if (state != PROJECT_ACTIVE) {
		json_t *detail = json_pack("{s:s,s:s,s:s}", "@type",
					   "type.googleapis.com/flyteidl.admin.InactiveProject", "id", project, "org",
					   "");
		ds_reply_error_details(out, GRPC_INVALID_ARGUMENT, detail, "project [%s] is not active", project);
		return -1;
	}
	for (size_t i = 0; i < N_DOMAINS; i++)
		if (strcmp(domains[i], domain) == 0)
			return 0;
	ds_reply_error(out, GRPC_INVALID_ARGUMENT, "domain [%s] is unrecognized by system", domain);
	return -1;
}

/* ---- handlers ---- */

static int decode(const ds_request *rq, const pb_msg_desc *desc, json_t **value, ds_reply *out)
{
	pb_msg *m = NULL;
	if (ds_decode_body(rq, desc, &m, out) != 0)
		return -1;
	*value = ds_msg_to_json(m);
	pb_msg_free(m);
	if (!*value) {
		ds_reply_error(out, GRPC_INTERNAL, "out of memory");
		return -1;
	}
	return 0;
}

static void db_error(ds_reply *out, sqlite3 *db)
{
	ds_reply_error(out, GRPC_UNKNOWN, "failed database operation with %s", sqlite3_errmsg(db));
}

static void register_project(ds_server *s, const ds_request *rq, ds_reply *out)
{
	json_t *req;
	if (decode(rq, &pb_flyteidl_admin_ProjectRegisterRequest, &req, out) != 0)
		return;
	const json_t *p = json_object_get(req, "project");
	if (!p)
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "missing project");
	else if (!*str(p, "name"))
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "missing project_name");
	if (!p || !*str(p, "name") || check_project(p, out) != 0) {
		json_decref(req);
		return;
	}
	char *labels = labels_text(p);
	long long now = ds_now_ns();
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = ds_store_prepare(db,
					    "INSERT INTO projects (identifier, name, description, labels, state, org, "
					    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
					    "ttttitii", str(p, "id"), str(p, "name"), str(p, "description"), labels,
					    (long long)state_number(p), str(p, "org"), now, now);
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		ds_reply_json(out, &pb_flyteidl_admin_ProjectRegisterResponse, json_object());
	else if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_PRIMARYKEY)
		ds_reply_error(out, GRPC_ALREADY_EXISTS,
			       "value with matching already exists (duplicate key value violates unique constraint "
			       "\"projects_pkey\")");
	else
		db_error(out, db);
	ds_store_unlock(s->store);
	fl_free(labels);
	json_decref(req);
}

static void not_found(ds_reply *out, const char *id)
{
	ds_reply_error(out, GRPC_NOT_FOUND, "missing entity of type project with identifier id:\"%s\"", id);
}

static void get_project(ds_server *s, const ds_request *rq, ds_reply *out)
{
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = ds_store_prepare(db, PROJECT_SELECT " WHERE identifier = ?", "t", rq->params[0]);
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	if (rc == SQLITE_ROW)
		ds_reply_json(out, &pb_flyteidl_admin_Project, row_project(st));
	else if (rc == SQLITE_DONE)
		not_found(out, rq->params[0]);
	else
		db_error(out, db);
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
}

/* FlyteAdmin updates with gorm's Updates(struct): empty strings and unset labels keep
   their stored values; the state is always written. */
static void update_project(ds_server *s, const ds_request *rq, ds_reply *out)
{
	json_t *p;
	if (decode(rq, &pb_flyteidl_admin_Project, &p, out) != 0)
		return;
	json_object_set_new(p, "id", json_string(rq->params[0]));
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = ds_store_prepare(db, "SELECT 1 FROM projects WHERE identifier = ?", "t", rq->params[0]);
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	sqlite3_finalize(st);
	char *labels = json_object_get(p, "labels") ? labels_text(p) : NULL;
	if (rc == SQLITE_DONE) {
		not_found(out, rq->params[0]);
	} else if (rc != SQLITE_ROW) {
		db_error(out, db);
	} else if (check_project(p, out) == 0) {
		const char *name = str(p, "name"), *description = str(p, "description");
		st = ds_store_prepare(db,
				      "UPDATE projects SET name = COALESCE(?, name), description = COALESCE(?, "
				      "description), labels = COALESCE(?, labels), state = ?, updated_at = ? "
				      "WHERE identifier = ?",
				      "tttiit", *name ? name : NULL, *description ? description : NULL, labels,
				      (long long)state_number(p), ds_now_ns(), rq->params[0]);
		rc = st ? sqlite3_step(st) : SQLITE_ERROR;
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			ds_reply_json(out, &pb_flyteidl_admin_ProjectUpdateResponse, json_object());
		else
			db_error(out, db);
	}
	ds_store_unlock(s->store);
	fl_free(labels);
	json_decref(p);
}

static void list_projects(ds_server *s, const ds_request *rq, ds_reply *out)
{
	ds_list_query q;
	if (ds_list_parse(rq, &project_list, &q, out) != 0)
		return;
	/* Without filters FlyteAdmin hides archived projects; its default order is by id. */
	const char *filters = ds_query(rq, "filters");
	char *sql = fl_asprintf(PROJECT_SELECT " WHERE 1 = 1%s%s%s LIMIT ? OFFSET ?",
				filters && *filters ? "" : " AND state <> 1", q.where,
				*q.order_by ? q.order_by : " ORDER BY identifier ASC");
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = sql ? ds_store_prepare(db, sql, NULL) : NULL;
	json_t *list = json_array();
	size_t n = 0;
	int rc = SQLITE_ERROR;
	if (st) {
		int i = ds_list_bind(st, 1, &q);
		sqlite3_bind_int64(st, i, q.limit ? q.limit : -1);
		sqlite3_bind_int64(st, i + 1, q.offset);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			json_array_append_new(list, row_project(st));
			n++;
		}
	}
	if (rc == SQLITE_DONE) {
		char token[32];
		ds_list_token(token, &q, n);
		ds_reply_json(out, &pb_flyteidl_admin_Projects,
			      json_pack("{s:O,s:s}", "projects", list, "token", token));
	} else {
		db_error(out, db);
	}
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	json_decref(list);
	fl_free(sql);
	ds_list_query_dispose(&q);
}

const ds_route ds_projects_routes[] = {
	{"GET", "/api/v1/projects", list_projects},
	{"POST", "/api/v1/projects", register_project},
	{"GET", "/api/v1/projects/{}", get_project},
	{"PUT", "/api/v1/projects/{}", update_project},
	{NULL, NULL, NULL},
};

int ds_projects_init(ds_server *s, char **error)
{
	long long now = ds_now_ns();
	sqlite3 *db = ds_store_lock(s->store);
	int rc = ds_store_exec(db, schema_sql);
	sqlite3_stmt *st = NULL;
	if (rc == SQLITE_OK) {
		/* FlyteAdmin's sandbox seeds flytesnacks the same way (name = id). */
		st = ds_store_prepare(db,
				      "INSERT OR IGNORE INTO projects (identifier, name, description, labels, state, "
				      "org, created_at, updated_at) VALUES ('flytesnacks', 'flytesnacks', "
				      "'flytesnacks description', '{}', 0, '', ?, ?)",
				      "ii", now, now);
		rc = st && sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_OK)
		*error = fl_asprintf("projects: cannot initialise the database: %s", sqlite3_errmsg(db));
	ds_store_unlock(s->store);
	return rc == SQLITE_OK ? 0 : -1;
}
