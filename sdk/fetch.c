/* Fetching registered tasks, workflows and launch plans (flyte/entities.h). */
#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "client.h"
#include "entities_internal.h"
#include "error.h"
#include "model.h"
#include "pb_json.h"

char *fl_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	char *copy = e ? fl_strdup(e) : NULL;
	curl_free(e);
	return copy;
}

static const char *collection_of(int type)
{
	switch (type) {
	case FLYTE_RESOURCE_TASK: return "tasks";
	case FLYTE_RESOURCE_WORKFLOW: return "workflows";
	case FLYTE_RESOURCE_LAUNCH_PLAN: return "launch_plans";
	default: return NULL;
	}
}

/* Decodes a JSON value (borrowed) as a message of desc, leniently (responses may carry
   fields newer than our schema). */
static int lenient(pb_msg **out, const pb_msg_desc *desc, const json_t *v, flyte_error **error)
{
	*out = NULL;
	if (!v || json_is_null(v)) {
		*out = pb_msg_new(desc);
		return *out ? 0 : fl_error(error, FLYTE_ENOMEM, "out of memory");
	}
	return pb_json_from_value(out, desc, v, "", PB_JSON_IGNORE_UNKNOWN, error);
}

/* Fills interface, defaults, fixed inputs and required names from the admin message. */
static int parse_entity(flyte_entity *e, flyte_error **error)
{
	json_t *closure = json_object_get(e->doc, "closure");
	pb_msg *m = NULL;
	int rc = 0;
	e->required = json_array();
	if (flyte_literal_map_new(&e->defaults) || flyte_literal_map_new(&e->fixed) || !e->required)
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	if (e->id.resource_type == FLYTE_RESOURCE_TASK) {
		json_t *t = json_object_get(json_object_get(closure, "compiled_task"), "template");
		rc = lenient(&m, &D_TYPED_INTERFACE, json_object_get(t, "interface"), error);
		e->interface = (flyte_typed_interface *)m;
		return rc;
	}
	if (e->id.resource_type == FLYTE_RESOURCE_WORKFLOW) {
		json_t *t = json_object_get(json_object_get(json_object_get(closure, "compiled_workflow"), "primary"),
					    "template");
		rc = lenient(&m, &D_TYPED_INTERFACE, json_object_get(t, "interface"), error);
		e->interface = (flyte_typed_interface *)m;
		return rc;
	}
	/* Launch plan: inputs from the expected inputs, outputs from the expected outputs. */
	flyte_variable_map *ins, *outs = NULL;
	if (flyte_variable_map_new(&ins))
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	const char *name;
	json_t *p;
	json_object_foreach(json_object_get(json_object_get(closure, "expected_inputs"), "parameters"), name, p) {
		pb_msg *t = NULL, *lit = NULL;
		rc = lenient(&t, &D_LITERAL_TYPE, json_object_get(json_object_get(p, "var"), "type"), error);
		if (!rc)
			rc = flyte_variable_map_add(ins, name, (flyte_literal_type *)t, NULL);
		pb_msg_free(t);
		json_t *def = json_object_get(p, "default");
		if (!rc && def && !json_is_null(def)) {
			rc = lenient(&lit, &D_LITERAL, def, error);
			if (!rc)
				rc = flyte_literal_map_set_new(e->defaults, name, (flyte_literal *)lit);
		} else if (!rc && json_is_true(json_object_get(p, "required"))) {
			rc = json_array_append_new(e->required, json_string(name)) ? FLYTE_ENOMEM : 0;
		}
		if (rc)
			break;
	}
	json_t *spec = json_object_get(e->doc, "spec");
	json_object_foreach(json_object_get(json_object_get(spec, "fixed_inputs"), "literals"), name, p) {
		pb_msg *lit = NULL;
		if (rc || (rc = lenient(&lit, &D_LITERAL, p, error)) ||
		    (rc = flyte_literal_map_set_new(e->fixed, name, (flyte_literal *)lit)))
			break;
	}
	if (!rc) {
		pb_msg *o;
		rc = lenient(&o, &D_VARIABLE_MAP, json_object_get(closure, "expected_outputs"), error);
		outs = (flyte_variable_map *)o;
	}
	if (!rc)
		rc = flyte_typed_interface_new(&e->interface, ins, outs);
	if (!rc)
		rc = fl_id_from_json(&e->workflow_id, json_object_get(spec, "workflow_id"), error);
	flyte_variable_map_free(ins);
	flyte_variable_map_free(outs);
	return rc == FLYTE_ENOMEM ? fl_error(error, rc, "out of memory") : rc;
}

int fl_fetch_json(flyte_client *c, json_t **out, const fl_id *id, flyte_error **error)
{
	*out = NULL;
	const char *coll = collection_of(id->resource_type);
	char *p = fl_escape(id->project), *d = fl_escape(id->domain), *n = fl_escape(id->name);
	char *v = fl_escape(id->version);
	char *path = NULL, *body = NULL;
	if (p && d && n && v)
		path = *id->version ? fl_asprintf("/api/v1/%s/%s/%s/%s/%s", coll, p, d, n, v)
				    : fl_asprintf("/api/v1/%s/%s/%s/%s?limit=1&sort_by.key=created_at"
						  "&sort_by.direction=DESCENDING",
						  coll, p, d, n);
	fl_free(p);
	fl_free(d);
	fl_free(n);
	fl_free(v);
	if (!path)
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	int rc = fl_client_call(c, &body, "GET", path, NULL, 1, error);
	fl_free(path);
	if (rc)
		return rc;
	json_t *doc = json_loads(body, 0, NULL);
	fl_free(body);
	if (!doc)
		return fl_error(error, FLYTE_ERROR, "the server sent malformed JSON for %s %s", coll, id->name);
	if (!*id->version) {
		/* The newest version from the list, then that version itself: list items leave out
		   the closure's compiled parts (a workflow's interface among them). */
		const char *newest = json_string_value(
			json_object_get(json_object_get(json_array_get(json_object_get(doc, coll), 0), "id"), "version"));
		if (!newest || !*newest) {
			json_decref(doc);
			return fl_error(error, FLYTE_ENOTFOUND, "no %s named %s in %s/%s", coll, id->name, id->project,
					id->domain);
		}
		fl_id exact = *id;
		exact.version = (char *)newest;
		rc = fl_fetch_json(c, out, &exact, error);
		json_decref(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

int flyte_fetch(flyte_client *c, flyte_entity **out, const flyte_identifier *id, flyte_error **error)
{
	if (!c || !out || !id || !id->name || !*id->name || !collection_of(id->resource_type))
		return fl_error(error, FLYTE_EINVALID,
				"fetch: needs a client and an id with a name and a resource type (task, workflow or "
				"launch plan)");
	*out = NULL;
	flyte_identifier full = *id;
	if (!full.project || !*full.project)
		full.project = c->project;
	if (!full.domain || !*full.domain)
		full.domain = c->domain;
	flyte_entity *e = fl_calloc(1, sizeof *e);
	if (!e)
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	fl_id want;
	int rc = fl_id_set(&want, &full, id->resource_type, 0, error);
	if (!rc)
		rc = fl_fetch_json(c, &e->doc, &want, error);
	fl_id_dispose(&want);
	if (!rc)
		rc = fl_id_from_json(&e->id, json_object_get(e->doc, "id"), error);
	if (!rc) {
		e->id.resource_type = id->resource_type;
		char *text = json_dumps(e->doc, JSON_COMPACT);
		e->json = text ? fl_strdup(text) : NULL;
		free(text);
		rc = e->json ? parse_entity(e, error) : fl_error(error, FLYTE_ENOMEM, "out of memory");
	}
	/* A launch plan's workflow: its compiled tasks give the cache keys of an execution. */
	if (!rc && e->id.resource_type == FLYTE_RESOURCE_LAUNCH_PLAN)
		rc = fl_fetch_json(c, &e->workflow, &e->workflow_id, error);
	if (rc) {
		flyte_entity_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

flyte_identifier flyte_entity_id(const flyte_entity *e)
{
	return fl_id_view(&e->id);
}

const flyte_typed_interface *flyte_entity_interface(const flyte_entity *e)
{
	return e ? e->interface : NULL;
}

const flyte_literal_map *flyte_entity_defaults(const flyte_entity *e)
{
	return e ? e->defaults : NULL;
}

const flyte_literal_map *flyte_entity_fixed_inputs(const flyte_entity *e)
{
	return e ? e->fixed : NULL;
}

const char *flyte_entity_json(const flyte_entity *e)
{
	return e ? e->json : NULL;
}

void flyte_entity_free(flyte_entity *e)
{
	if (!e)
		return;
	fl_id_dispose(&e->id);
	fl_id_dispose(&e->workflow_id);
	fl_free(e->json);
	json_decref(e->doc);
	json_decref(e->workflow);
	json_decref(e->required);
	flyte_typed_interface_free(e->interface);
	flyte_literal_map_free(e->defaults);
	flyte_literal_map_free(e->fixed);
	fl_free(e);
}
