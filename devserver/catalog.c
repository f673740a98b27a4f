/*
 * catalog: DataCatalog semantics over SQLite (catalog.h).
 *
 * cache_artifacts holds one row per (dataset id, artifact tag) with the outputs
 * LiteralMap, the artifact id and the task execution that produced it;
 * cache_reservations one row per key reserved by a running cache_serializable task.
 */
#include "catalog.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "alloc.h"
#include "error.h"
#include "flyte/typecheck.h"
#include "model.h"
#include "pb_json.h"

int ds_catalog_init(ds_server *s, char **error)
{
	sqlite3 *db = ds_store_lock(s->store);
	int rc = ds_store_exec(db, "CREATE TABLE IF NOT EXISTS cache_artifacts ("
				   " dataset_project TEXT NOT NULL, dataset_domain TEXT NOT NULL,"
				   " dataset_name TEXT NOT NULL, dataset_version TEXT NOT NULL, tag TEXT NOT NULL,"
				   " artifact_id TEXT NOT NULL, outputs TEXT NOT NULL, source TEXT,"
				   " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
				   " PRIMARY KEY (dataset_project, dataset_domain, dataset_name, dataset_version,"
				   " tag));"
				   "CREATE TABLE IF NOT EXISTS cache_reservations ("
				   " dataset_project TEXT NOT NULL, dataset_domain TEXT NOT NULL,"
				   " dataset_name TEXT NOT NULL, dataset_version TEXT NOT NULL, tag TEXT NOT NULL,"
				   " owner TEXT NOT NULL, created_at INTEGER NOT NULL,"
				   " PRIMARY KEY (dataset_project, dataset_domain, dataset_name, dataset_version,"
				   " tag));"
				   /* Their owners died with the previous process. */
				   "DELETE FROM cache_reservations;");
	if (rc != SQLITE_OK)
		*error = fl_asprintf("cannot create the cache tables: %s", sqlite3_errmsg(db));
	ds_store_unlock(s->store);
	return rc == SQLITE_OK ? 0 : -1;
}

/* ---- prototext ---- */

static void ptext_msg(pb_buf *b, const pb_msg *m);

static void ptext_string(pb_buf *b, const char *s, size_t n)
{
	pb_buf_puts(b, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c, esc[2] = '\0';
		} else if (c == '\n') {
			strcpy(esc, "\\n");
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof esc, "\\%03o", c);
		} else {
			esc[0] = (char)c, esc[1] = '\0';
		}
		pb_buf_puts(b, esc);
	}
	pb_buf_puts(b, "\"");
}

static void ptext_value(pb_buf *b, const pb_field_desc *f, pb_val v)
{
	char num[64];
	switch (f->type) {
	case PB_MESSAGE:
		pb_buf_puts(b, "{");
		if (v.m)
			ptext_msg(b, v.m);
		pb_buf_puts(b, "}");
		return;
	case PB_STRING:
	case PB_BYTES: ptext_string(b, v.s ? v.s->data : "", v.s ? v.s->len : 0); return;
	case PB_ENUM: {
		const pb_enum_value *e = pb_enum_by_number(f->enm, v.i32);
		if (e) {
			pb_buf_puts(b, e->name);
			return;
		}
		snprintf(num, sizeof num, "%d", (int)v.i32);
		break;
	}
	case PB_BOOL: snprintf(num, sizeof num, "%s", v.b ? "true" : "false"); break;
	case PB_INT64: snprintf(num, sizeof num, "%lld", (long long)v.i64); break;
	case PB_UINT64: snprintf(num, sizeof num, "%llu", (unsigned long long)v.u64); break;
	case PB_INT32: snprintf(num, sizeof num, "%d", (int)v.i32); break;
	case PB_UINT32: snprintf(num, sizeof num, "%u", (unsigned)v.u32); break;
	case PB_DOUBLE:
	case PB_FLOAT: pb_buf_double(b, v.d); return;
	}
	pb_buf_puts(b, num);
}

static void ptext_msg(pb_buf *b, const pb_msg *m)
{
	if (m->json) { /* Struct, Value, ListValue, Any: their JSON is clearer than prototext */
		pb_buf_json_value(b, m->json);
		return;
	}
	int first = 1;
	for (unsigned i = 0; i < m->desc->n_fields; i++) {
		if (!pb_has(m, (int)i))
			continue;
		const pb_field_desc *f = &m->desc->fields[i];
		const pb_val *v = &m->fields[i];
		size_t n = f->label == PB_REPEATED ? v->list->n : f->label == PB_MAP ? v->map->n : 1;
		for (size_t k = 0; k < n; k++) {
			pb_buf_puts(b, first ? "" : " ");
			first = 0;
			pb_buf_puts(b, f->name);
			pb_buf_puts(b, ":");
			if (f->label == PB_REPEATED) {
				ptext_value(b, f, v->list->items[k]);
			} else if (f->label == PB_MAP) {
				pb_buf_puts(b, "{key:");
				ptext_string(b, v->map->items[k].key->data, v->map->items[k].key->len);
				pb_buf_puts(b, " value:");
				ptext_value(b, f, v->map->items[k].val);
				pb_buf_puts(b, "}");
			} else {
				ptext_value(b, f, *v);
			}
		}
	}
}

char *ds_prototext(const pb_msg *m)
{
	pb_buf b = {0};
	pb_buf_puts(&b, "");
	if (m)
		ptext_msg(&b, m);
	if (b.failed) {
		fl_free(b.data);
		return NULL;
	}
	return b.data;
}

char *ds_type_text(const json_t *type)
{
	pb_msg *m = type ? ds_json_to_msg(&pb_flyteidl_core_LiteralType, type, NULL) : NULL;
	char *s = ds_prototext(m);
	pb_msg_free(m);
	return s;
}

/* ---- keys ---- */

void ds_cache_key_dispose(ds_cache_key *key)
{
	fl_free(key->project);
	fl_free(key->domain);
	fl_free(key->name);
	fl_free(key->version);
	memset(key, 0, sizeof *key);
}

static const char *str_at(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

static int key_error(char **message, flyte_error *err, const char *what)
{
	*message = fl_asprintf("%s%s%s", what, err ? ": " : "", err ? flyte_error_message(err) : "");
	flyte_error_free(err);
	return -1;
}

int ds_catalog_key(ds_cache_key *key, const json_t *task, const json_t *inputs, char **message)
{
	memset(key, 0, sizeof *key);
	*message = NULL;
	const json_t *md = json_object_get(task, "metadata");
	key->cacheable = json_is_true(json_object_get(md, "discoverable"));
	key->serializable = key->cacheable && json_is_true(json_object_get(md, "cache_serializable"));
	if (!key->cacheable)
		return 0;
	flyte_error *err = NULL;
	const json_t *iface_json = json_object_get(task, "interface");
	pb_msg *iface = iface_json ? ds_json_to_msg(&pb_flyteidl_core_TypedInterface, iface_json, &err) : NULL;
	if (iface_json && !iface)
		return key_error(message, err, "invalid task interface");
	int rc = fl_dataset_version(&key->version, json_string_value(json_object_get(md, "discovery_version")),
				    iface, &err);
	pb_msg_free(iface);
	if (rc) {
		/* The SDK's message is DataCatalog's: "task cannot have an empty discoveryVersion". */
		*message = fl_strdup(err ? flyte_error_message(err) : "cannot compute the dataset version");
		flyte_error_free(err);
		return -1;
	}
	pb_msg *lits = ds_json_to_msg(&pb_flyteidl_core_LiteralMap, inputs, &err);
	if (!lits)
		return key_error(message, err, "invalid task inputs");
	const json_t *ignore = json_object_get(md, "cache_ignore_input_vars");
	size_t n = json_array_size(ignore);
	const char **names = fl_calloc(n ? n : 1, sizeof *names);
	for (size_t i = 0; names && i < n; i++)
		names[i] = json_string_value(json_array_get(ignore, i));
	rc = names ? fl_artifact_tag(key->tag, lits, names, n, &err) : -1;
	fl_free(names);
	pb_msg_free(lits);
	if (rc)
		return key_error(message, err, "cannot compute the artifact tag");
	const json_t *id = json_object_get(task, "id");
	key->project = fl_strdup(str_at(id, "project"));
	key->domain = fl_strdup(str_at(id, "domain"));
	key->name = fl_asprintf("flyte_task-%s", str_at(id, "name"));
	return 0;
}

json_t *ds_catalog_metadata(const ds_cache_key *key, const char *artifact_id, const json_t *source)
{
	json_t *md = json_pack("{s:{s:s,s:s,s:s,s:s,s:s},s:{s:s,s:s}}", "dataset_id", "resource_type", "DATASET",
			       "project", key->project, "domain", key->domain, "name", key->name, "version",
			       key->version, "artifact_tag", "artifact_id", artifact_id ? artifact_id : "", "name",
			       key->tag);
	if (md && source)
		json_object_set(md, "source_task_execution", (json_t *)source);
	return md;
}

/* ---- lookups ---- */

static sqlite3_stmt *key_stmt(sqlite3 *db, const char *sql, const ds_cache_key *key)
{
	return ds_store_prepare(db, sql, "ttttt", key->project, key->domain, key->name, key->version, key->tag);
}

/* "map[a:type:{simple:INTEGER} b:...]" as Go prints a map of variables. */
static char *vars_text(const json_t *vars)
{
	pb_buf b = {0};
	pb_buf_puts(&b, "map[");
	const char *name;
	const json_t *var;
	int first = 1;
	json_object_foreach((json_t *)vars, name, var) {
		pb_msg *m = ds_json_to_msg(&pb_flyteidl_core_Variable, var, NULL);
		char *t = ds_prototext(m);
		pb_msg_free(m);
		pb_buf_puts(&b, first ? "" : " ");
		pb_buf_puts(&b, name);
		pb_buf_puts(&b, ":");
		pb_buf_puts(&b, t ? t : "");
		fl_free(t);
		first = 0;
	}
	pb_buf_puts(&b, "]");
	return b.failed ? (fl_free(b.data), NULL) : b.data;
}

/* cache-keys.md §5: GenerateTaskOutputsFromArtifact. NULL when every output fits. */
static char *check_outputs(const json_t *task, const json_t *cached, const char *artifact_id)
{
	const json_t *vars = json_object_get(json_object_get(json_object_get(task, "interface"), "outputs"),
					     "variables");
	const json_t *lits = json_object_get(cached, "literals");
	if (!json_object_size(vars))
		return NULL;
	if (json_object_size(vars) != json_object_size(lits)) {
		pb_msg *id = ds_json_to_msg(&pb_flyteidl_core_Identifier, json_object_get(task, "id"), NULL);
		char *t = ds_prototext(id);
		pb_msg_free(id);
		char *msg = fl_asprintf("the task %s with %zu outputs, should have %zu artifactData for artifact %s",
					t ? t : "", json_object_size(vars), json_object_size(lits), artifact_id);
		fl_free(t);
		return msg;
	}
	const char *name;
	const json_t *lit;
	json_object_foreach((json_t *)lits, name, lit) {
		const json_t *var = json_object_get(vars, name);
		if (!var) {
			char *t = vars_text(vars);
			char *msg = fl_asprintf("unexpected artifactData with name [%s] does not match any task output "
						"variables %s",
						name, t ? t : "");
			fl_free(t);
			return msg;
		}
		flyte_error *err = NULL;
		pb_msg *value = ds_json_to_msg(&pb_flyteidl_core_Literal, lit, &err);
		pb_msg *declared = ds_json_to_msg(&pb_flyteidl_core_LiteralType, json_object_get(var, "type"), NULL);
		flyte_literal_type *inferred = NULL;
		char *msg = NULL;
		if (!value || flyte_literal_type_infer(&inferred, (const flyte_literal *)value, &err) != 0) {
			msg = fl_asprintf("failed to validate literal type for %s with err: %s", name,
					  err ? flyte_error_message(err) : "unknown literal type");
		} else if (!flyte_types_castable(inferred, (const flyte_literal_type *)declared)) {
			char *got = ds_prototext((const pb_msg *)inferred), *want = ds_prototext(declared);
			msg = fl_asprintf("unexpected artifactData: [%s] type: [%s] does not match any task output "
					  "type: [%s]",
					  name, got ? got : "", want ? want : "");
			fl_free(got);
			fl_free(want);
		}
		flyte_error_free(err);
		flyte_literal_type_free(inferred);
		pb_msg_free(value);
		pb_msg_free(declared);
		if (msg)
			return msg;
	}
	return NULL;
}

int ds_catalog_get(ds_server *s, const ds_cache_key *key, const json_t *task, json_t **outputs,
		   json_t **metadata, char **message)
{
	*outputs = *metadata = NULL;
	*message = NULL;
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = key_stmt(db,
				    "SELECT artifact_id, outputs, source FROM cache_artifacts WHERE dataset_project=? "
				    "AND dataset_domain=? AND dataset_name=? AND dataset_version=? AND tag=?",
				    key);
	char *artifact = NULL;
	json_t *source = NULL;
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		artifact = fl_strdup((const char *)sqlite3_column_text(st, 0));
		*outputs = ds_json_loads((const char *)sqlite3_column_text(st, 1));
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			source = ds_json_loads((const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	if (!*outputs) {
		fl_free(artifact);
		return 0;
	}
	char *why = check_outputs(task, *outputs, artifact ? artifact : "");
	if (why) {
		*message = fl_asprintf("DataCatalog failed to get outputs from artifact %s, err: %s", artifact, why);
		fl_free(why);
		json_decref(*outputs);
		*outputs = NULL;
	} else {
		*metadata = ds_catalog_metadata(key, artifact, source);
	}
	fl_free(artifact);
	json_decref(source);
	return *message ? -1 : 1;
}

static void new_uuid(char out[37])
{
	unsigned char r[16];
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
		long long t = ds_now_ns();
		for (size_t i = 0; i < sizeof r; i++)
			r[i] = (unsigned char)(t >> (i % 8 * 8)) ^ (unsigned char)(i * 131);
	}
	r[6] = (r[6] & 0x0f) | 0x40; /* version 4 */
	r[8] = (r[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2],
		 r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

int ds_catalog_put(ds_server *s, const ds_cache_key *key, const json_t *outputs, const json_t *source,
		   int replace, json_t **metadata)
{
	*metadata = NULL;
	char uuid[37];
	new_uuid(uuid);
	char *out_text = ds_json_dumps(outputs), *src_text = source ? ds_json_dumps(source) : NULL;
	long long now = ds_now_ns();
	sqlite3 *db = ds_store_lock(s->store);
	/* DataCatalog's Put keeps an existing artifact (AlreadyExists is fine); Update (for
	   overwrite_cache) replaces its data under the same artifact id. */
	const char *sql = replace ? "INSERT INTO cache_artifacts VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO UPDATE "
				    "SET outputs=excluded.outputs, source=excluded.source, "
				    "updated_at=excluded.updated_at"
				  : "INSERT OR IGNORE INTO cache_artifacts VALUES (?,?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt *st = ds_store_prepare(db, sql, "ttttttttii", key->project, key->domain, key->name, key->version,
					    key->tag, uuid, out_text, src_text, now, now);
	int rc = st && sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	/* The artifact id of the entry now stored, which may be an older one. */
	char *artifact = NULL;
	st = key_stmt(db,
		      "SELECT artifact_id FROM cache_artifacts WHERE dataset_project=? AND dataset_domain=? "
		      "AND dataset_name=? AND dataset_version=? AND tag=?",
		      key);
	if (!rc && st && sqlite3_step(st) == SQLITE_ROW)
		artifact = fl_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	if (!rc)
		*metadata = ds_catalog_metadata(key, artifact ? artifact : uuid, NULL);
	fl_free(artifact);
	fl_free(out_text);
	fl_free(src_text);
	return rc;
}

int ds_catalog_reserve(ds_server *s, const ds_cache_key *key, const char *owner)
{
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = ds_store_prepare(db, "INSERT OR IGNORE INTO cache_reservations VALUES (?,?,?,?,?,?,?)",
					    "tttttti", key->project, key->domain, key->name, key->version, key->tag,
					    owner, ds_now_ns());
	if (st)
		sqlite3_step(st);
	sqlite3_finalize(st);
	st = key_stmt(db,
		      "SELECT owner FROM cache_reservations WHERE dataset_project=? AND dataset_domain=? AND "
		      "dataset_name=? AND dataset_version=? AND tag=?",
		      key);
	int mine = st && sqlite3_step(st) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), owner) == 0;
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	return mine;
}

void ds_catalog_release(ds_server *s, const ds_cache_key *key, const char *owner)
{
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = ds_store_prepare(db,
					    "DELETE FROM cache_reservations WHERE dataset_project=? AND "
					    "dataset_domain=? AND dataset_name=? AND dataset_version=? AND tag=? AND "
					    "owner=?",
					    "tttttt", key->project, key->domain, key->name, key->version, key->tag,
					    owner);
	if (st)
		sqlite3_step(st);
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
}
