/* Tasks, workflows and launch plans: builders, registration, fetching (flyte/entities.h).
   Entities are kept as flyteidl JSON (jansson) and checked against the schema before they
   are sent. */
#include "flyte/entities.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "client.h"
#include "entities_internal.h"
#include "error.h"
#include "flyte/typecheck.h"
#include "flyte/version.h"
#include "model.h"
#include "pb_json.h"

struct flyte_task {
	json_t *template; /* core.TaskTemplate */
	flyte_typed_interface *interface;
	fl_id id;
};

typedef struct {
	char *id;
	flyte_typed_interface *interface; /* of the node's task: types its outputs */
} wf_node;

struct flyte_workflow {
	json_t *template; /* core.WorkflowTemplate */
	flyte_typed_interface *interface;
	fl_id id;
	wf_node *nodes;
	size_t n_nodes;
};

struct flyte_launch_plan {
	json_t *spec; /* admin.LaunchPlanSpec */
	flyte_typed_interface *interface;
	fl_id id;
};

/* ---- ids ---- */

static const char *const RESOURCE_NAMES[] = {"UNSPECIFIED", "TASK", "WORKFLOW", "LAUNCH_PLAN", "DATASET"};

int fl_id_set(fl_id *dst, const flyte_identifier *src, flyte_resource_type type, int need_version,
	      flyte_error **error)
{
	memset(dst, 0, sizeof *dst);
	if (!src || !src->project || !*src->project || !src->domain || !*src->domain || !src->name || !*src->name ||
	    (need_version && (!src->version || !*src->version)))
		return fl_error(error, FLYTE_EINVALID, "identifier needs project, domain, name%s",
				need_version ? " and version" : "");
	dst->resource_type = type;
	dst->project = fl_strdup(src->project);
	dst->domain = fl_strdup(src->domain);
	dst->name = fl_strdup(src->name);
	dst->version = fl_strdup(src->version ? src->version : "");
	if (!dst->project || !dst->domain || !dst->name || !dst->version) {
		fl_id_dispose(dst);
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	}
	return 0;
}

void fl_id_dispose(fl_id *id)
{
	fl_free(id->project);
	fl_free(id->domain);
	fl_free(id->name);
	fl_free(id->version);
	memset(id, 0, sizeof *id);
}

flyte_identifier fl_id_view(const fl_id *id)
{
	flyte_identifier v = {(flyte_resource_type)id->resource_type, id->project, id->domain, id->name, id->version,
			      NULL};
	return v;
}

json_t *fl_id_json(const fl_id *id)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s}", "resource_type", RESOURCE_NAMES[id->resource_type], "project",
			 id->project, "domain", id->domain, "name", id->name, "version", id->version);
}

int fl_id_from_json(fl_id *dst, const json_t *v, flyte_error **error)
{
	flyte_identifier src = {0, json_string_value(json_object_get(v, "project")),
				json_string_value(json_object_get(v, "domain")),
				json_string_value(json_object_get(v, "name")),
				json_string_value(json_object_get(v, "version")), NULL};
	const char *rt = json_string_value(json_object_get(v, "resource_type"));
	int type = 0;
	for (int i = 0; rt && i < 5; i++)
		if (strcmp(rt, RESOURCE_NAMES[i]) == 0)
			type = i;
	return fl_id_set(dst, &src, (flyte_resource_type)type, 0, error);
}

/* ---- shared helpers ---- */

static json_t *msg_json(const void *m)
{
	return pb_json_to_jansson(M(m));
}

static int oom(flyte_error **error)
{
	return fl_error(error, FLYTE_ENOMEM, "out of memory");
}

static json_t *string_array(const char *const *items, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (!items[i] || json_array_append_new(a, json_string(items[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static int to_json_text(char **out, const pb_msg_desc *desc, const json_t *v)
{
	if (!out || !v)
		return FLYTE_EINVALID;
	return pb_json_canonical(out, desc, v, NULL);
}

/* ---- tasks ---- */

int flyte_task_new_raw_container(flyte_task **out, const flyte_identifier *id, const char *image,
				 const char *const *command, size_t n_command, const char *const *args, size_t n_args,
				 const flyte_typed_interface *interface, flyte_error **error)
{
	if (!out)
		return fl_error(error, FLYTE_EINVALID, "task: NULL argument");
	*out = NULL;
	if (!image || !*image)
		return fl_error(error, FLYTE_EINVALID, "task: an image is required (it is recorded, and pulled by Flyte)");
	if ((n_command && !command) || (n_args && !args))
		return fl_error(error, FLYTE_EINVALID, "task: a count is set but its array is NULL");
	if (!interface)
		return fl_error(error, FLYTE_EINVALID, "task: an interface is required");
	flyte_task *t = fl_calloc(1, sizeof *t);
	if (!t)
		return oom(error);
	int rc = fl_id_set(&t->id, id, FLYTE_RESOURCE_TASK, 1, error);
	if (rc) {
		fl_free(t);
		return rc;
	}
	json_t *cmd = string_array(command, n_command), *arg = string_array(args, n_args);
	json_t *iface = msg_json(interface);
	if (flyte_typed_interface_copy(&t->interface, interface) || !cmd || !arg || !iface) {
		json_decref(cmd);
		json_decref(arg);
		json_decref(iface);
		flyte_task_free(t);
		return oom(error);
	}
	t->template = json_pack("{s:o,s:s,s:{s:{s:s,s:s,s:s},s:{s:i}},s:o,s:{s:s,s:o,s:o}}", "id", fl_id_json(&t->id),
				"type", "raw-container", "metadata", "runtime", "type", "OTHER", "version",
				FLYTE_VERSION_STRING, "flavor", "flyteremote-c", "retries", "retries", 0, "interface",
				iface, "container", "image", image, "command", cmd, "args", arg);
	if (!t->template) {
		flyte_task_free(t);
		return oom(error);
	}
	*out = t;
	return 0;
}

static json_t *task_metadata(flyte_task *t)
{
	return json_object_get(t->template, "metadata");
}

int flyte_task_set_data_config(flyte_task *t, const char *input_path, const char *output_path)
{
	if (!t || !input_path || !*input_path || !output_path || !*output_path)
		return FLYTE_EINVALID;
	json_t *dc = json_pack("{s:b,s:s,s:s,s:s,s:{s:s,s:s}}", "enabled", 1, "input_path", input_path, "output_path",
			       output_path, "format", "JSON", "io_strategy", "download_mode", "DOWNLOAD_EAGER",
			       "upload_mode", "UPLOAD_EAGER");
	return dc && json_object_set_new(json_object_get(t->template, "container"), "data_config", dc) == 0
		       ? 0
		       : FLYTE_ENOMEM;
}

int flyte_task_set_cache(flyte_task *t, const flyte_cache_options *cache, flyte_error **error)
{
	if (!t || !cache)
		return fl_error(error, FLYTE_EINVALID, "task cache: NULL argument");
	char *version = NULL;
	int rc = flyte_cache_resolve_version(&version, cache, error);
	if (rc)
		return rc;
	json_t *md = task_metadata(t);
	json_object_del(md, "discoverable");
	json_object_del(md, "discovery_version");
	json_object_del(md, "cache_serializable");
	json_object_del(md, "cache_ignore_input_vars");
	if (cache->enabled) {
		json_t *ignored = string_array(cache->ignored_inputs, cache->n_ignored_inputs);
		if (!ignored || json_object_set_new(md, "discoverable", json_true()) ||
		    json_object_set_new(md, "discovery_version", json_string(version)) ||
		    json_object_set_new(md, "cache_serializable", json_boolean(cache->serialize)) ||
		    json_object_set_new(md, "cache_ignore_input_vars", ignored))
			rc = oom(error);
	}
	fl_free(version);
	return rc;
}

int flyte_task_set_retries(flyte_task *t, unsigned int retries)
{
	if (!t)
		return FLYTE_EINVALID;
	return json_object_set_new(task_metadata(t), "retries", json_pack("{s:I}", "retries", (json_int_t)retries))
		       ? FLYTE_ENOMEM
		       : 0;
}

int flyte_task_set_timeout(flyte_task *t, int64_t timeout_seconds)
{
	if (!t || timeout_seconds < 0 || timeout_seconds > INT64_C(315576000000))
		return FLYTE_EINVALID;
	if (timeout_seconds == 0) {
		json_object_del(task_metadata(t), "timeout");
		return 0;
	}
	char text[32];
	snprintf(text, sizeof text, "%llds", (long long)timeout_seconds);
	return json_object_set_new(task_metadata(t), "timeout", json_string(text)) ? FLYTE_ENOMEM : 0;
}

int flyte_task_set_env(flyte_task *t, const char *key, const char *value)
{
	if (!t || !key || !*key || !value)
		return FLYTE_EINVALID;
	json_t *container = json_object_get(t->template, "container");
	json_t *env = json_object_get(container, "env");
	if (!env) {
		env = json_array();
		if (!env || json_object_set_new(container, "env", env))
			return FLYTE_ENOMEM;
	}
	size_t i;
	json_t *kv;
	json_array_foreach(env, i, kv) {
		if (strcmp(json_string_value(json_object_get(kv, "key")), key) == 0)
			return json_object_set_new(kv, "value", json_string(value)) ? FLYTE_ENOMEM : 0;
	}
	return json_array_append_new(env, json_pack("{s:s,s:s}", "key", key, "value", value)) ? FLYTE_ENOMEM : 0;
}

const flyte_typed_interface *flyte_task_interface(const flyte_task *t)
{
	return t ? t->interface : NULL;
}

flyte_identifier flyte_task_id(const flyte_task *t)
{
	return fl_id_view(&t->id);
}

int flyte_task_to_json(char **out, const flyte_task *t)
{
	return to_json_text(out, &pb_flyteidl_core_TaskTemplate, t ? t->template : NULL);
}

int flyte_task_from_json(flyte_task **out, const char *json, size_t len, flyte_error **error)
{
	if (!out || !json)
		return fl_error(error, FLYTE_EINVALID, "task: NULL argument");
	*out = NULL;
	pb_msg *m;
	int rc = pb_json_decode(&m, &pb_flyteidl_core_TaskTemplate, json, len, 0, error);
	if (rc)
		return rc;
	flyte_task *t = fl_calloc(1, sizeof *t);
	const pb_msg *iface = pb_get_msg(m, PBF_flyteidl_core_TaskTemplate_interface);
	if (t) {
		t->template = pb_json_to_jansson(m);
		pb_msg *ic = iface ? pb_msg_copy(iface) : pb_msg_new(&D_TYPED_INTERFACE);
		t->interface = (flyte_typed_interface *)ic;
	}
	pb_msg_free(m);
	if (!t || !t->template || !t->interface) {
		flyte_task_free(t);
		return oom(error);
	}
	rc = fl_id_from_json(&t->id, json_object_get(t->template, "id"), error);
	if (!rc && !*t->id.version)
		rc = fl_error(error, FLYTE_EINVALID, "task: id needs a version");
	if (!rc)
		t->id.resource_type = FLYTE_RESOURCE_TASK;
	if (rc) {
		flyte_task_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void flyte_task_free(flyte_task *t)
{
	if (!t)
		return;
	json_decref(t->template);
	flyte_typed_interface_free(t->interface);
	fl_id_dispose(&t->id);
	fl_free(t);
}

json_t *fl_task_template(const flyte_task *t)
{
	return t->template;
}

/* ---- workflows ---- */

int flyte_workflow_new(flyte_workflow **out, const flyte_identifier *id, const flyte_typed_interface *interface,
		       flyte_error **error)
{
	if (!out || !interface)
		return fl_error(error, FLYTE_EINVALID, "workflow: NULL argument");
	*out = NULL;
	flyte_workflow *w = fl_calloc(1, sizeof *w);
	if (!w)
		return oom(error);
	int rc = fl_id_set(&w->id, id, FLYTE_RESOURCE_WORKFLOW, 1, error);
	if (rc) {
		fl_free(w);
		return rc;
	}
	json_t *iface = msg_json(interface);
	if (flyte_typed_interface_copy(&w->interface, interface) || !iface ||
	    !(w->template = json_pack("{s:o,s:{},s:o,s:[],s:[]}", "id", fl_id_json(&w->id), "metadata", "interface",
				      iface, "nodes", "outputs"))) {
		flyte_workflow_free(w);
		return oom(error);
	}
	*out = w;
	return 0;
}

/* BindingData for a constant literal (collections and maps element by element). */
static json_t *binding_data_of_literal(const json_t *lit)
{
	json_t *x;
	if ((x = json_object_get(lit, "scalar")))
		return json_pack("{s:O}", "scalar", x);
	if ((x = json_object_get(lit, "collection"))) {
		json_t *bindings = json_array();
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(x, "literals"), i, item)
			json_array_append_new(bindings, binding_data_of_literal(item));
		return json_pack("{s:{s:o}}", "collection", "bindings", bindings);
	}
	if ((x = json_object_get(lit, "map"))) {
		json_t *bindings = json_object();
		const char *k;
		json_t *item;
		json_object_foreach(json_object_get(x, "literals"), k, item)
			json_object_set_new(bindings, k, binding_data_of_literal(item));
		return json_pack("{s:{s:o}}", "map", "bindings", bindings);
	}
	return NULL;
}

/* The type of a node's output, or of a workflow input (node NULL or ""). */
static const flyte_literal_type *source_type(const flyte_workflow *w, const char *node, const char *var,
					     flyte_error **error)
{
	if (!node || !*node) {
		const flyte_literal_type *t = flyte_variable_map_type(flyte_typed_interface_inputs(w->interface), var);
		if (!t)
			fl_error(error, FLYTE_EINVALID, "workflow %s has no input \"%s\"", w->id.name, var);
		return t;
	}
	for (size_t i = 0; i < w->n_nodes; i++) {
		if (strcmp(w->nodes[i].id, node) != 0)
			continue;
		const flyte_literal_type *t =
			flyte_variable_map_type(flyte_typed_interface_outputs(w->nodes[i].interface), var);
		if (!t)
			fl_error(error, FLYTE_EINVALID, "node \"%s\" has no output \"%s\"", node, var);
		return t;
	}
	fl_error(error, FLYTE_EINVALID, "no node \"%s\" in workflow %s (add it before the nodes that use it)", node,
		 w->id.name);
	return NULL;
}

/* A Binding {var, binding} for `b`, type-checked against `expected`. */
static int make_binding(json_t **out, const flyte_workflow *w, const flyte_binding *b,
			const flyte_literal_type *expected, const char *what, flyte_error **error)
{
	*out = NULL;
	if (b->value) {
		int rc = flyte_literal_check_type(b->value, expected, b->name, error);
		if (rc) {
			fl_error_prefix(error, "%s", what);
			return rc;
		}
		json_t *lit = msg_json(b->value);
		json_t *bd = lit ? binding_data_of_literal(lit) : NULL;
		json_decref(lit);
		if (!bd)
			return fl_error(error, FLYTE_EINVALID, "%s: input \"%s\": this kind of constant cannot be bound",
					what, b->name);
		*out = json_pack("{s:s,s:o}", "var", b->name, "binding", bd);
		return *out ? 0 : oom(error);
	}
	if (!b->from_var || !*b->from_var)
		return fl_error(error, FLYTE_EINVALID, "%s: input \"%s\" needs from_var or a value", what, b->name);
	const flyte_literal_type *given = source_type(w, b->from_node, b->from_var, error);
	if (!given)
		return FLYTE_EINVALID;
	if (!flyte_types_castable(given, expected)) {
		char *g = fl_type_describe(M(given)), *e = fl_type_describe(M(expected));
		int rc = fl_error(error, FLYTE_ETYPE, "%s: input \"%s\": expected %s, got %s from %s.%s", what, b->name,
				  e ? e : "?", g ? g : "?", b->from_node && *b->from_node ? b->from_node : "inputs",
				  b->from_var);
		fl_free(g);
		fl_free(e);
		return rc;
	}
	*out = json_pack("{s:s,s:{s:{s:s,s:s}}}", "var", b->name, "binding", "promise", "node_id",
			 b->from_node && *b->from_node ? b->from_node : "start-node", "var", b->from_var);
	return *out ? 0 : oom(error);
}

int flyte_workflow_add_task_node(flyte_workflow *w, const char *node_id, const flyte_task *task,
				 const flyte_binding *bindings, size_t n_bindings, flyte_error **error)
{
	if (!w || !node_id || !*node_id || !task || (n_bindings && !bindings))
		return fl_error(error, FLYTE_EINVALID, "workflow node: NULL argument");
	if (strcmp(node_id, "start-node") == 0 || strcmp(node_id, "end-node") == 0)
		return fl_error(error, FLYTE_EINVALID, "workflow node: \"%s\" is reserved", node_id);
	for (size_t i = 0; i < w->n_nodes; i++)
		if (strcmp(w->nodes[i].id, node_id) == 0)
			return fl_error(error, FLYTE_EINVALID, "workflow node: \"%s\" already exists", node_id);
	const flyte_variable_map *ins = flyte_typed_interface_inputs(task->interface);
	char what[256];
	snprintf(what, sizeof what, "node \"%s\" (task %s)", node_id, task->id.name);
	for (size_t k = 0; k < n_bindings; k++)
		if (!bindings[k].name || !flyte_variable_map_type(ins, bindings[k].name))
			return fl_error(error, FLYTE_EINVALID, "%s has no input \"%s\"", what,
					bindings[k].name ? bindings[k].name : "(NULL)");
	json_t *inputs = json_array(), *upstream = json_array();
	int rc = inputs && upstream ? 0 : oom(error);
	for (size_t k = 0; !rc && k < flyte_variable_map_count(ins); k++) {
		const char *name;
		const flyte_literal_type *expected = flyte_variable_map_at(ins, k, &name, NULL);
		const flyte_binding *b = NULL;
		for (size_t j = 0; j < n_bindings; j++)
			if (strcmp(bindings[j].name, name) == 0)
				b = &bindings[j];
		if (!b) {
			rc = fl_error(error, FLYTE_EINVALID, "%s: input \"%s\" is not bound", what, name);
			break;
		}
		json_t *binding;
		rc = make_binding(&binding, w, b, expected, what, error);
		if (!rc)
			json_array_append_new(inputs, binding);
		if (!rc && b->from_node && *b->from_node) {
			int seen = 0;
			json_t *u;
			size_t j;
			json_array_foreach(upstream, j, u) seen |= strcmp(json_string_value(u), b->from_node) == 0;
			if (!seen)
				json_array_append_new(upstream, json_string(b->from_node));
		}
	}
	wf_node *nodes = rc ? NULL : fl_realloc(w->nodes, (w->n_nodes + 1) * sizeof *nodes);
	if (!rc && !nodes)
		rc = oom(error);
	if (!rc) {
		w->nodes = nodes;
		wf_node *wn = &nodes[w->n_nodes];
		wn->id = fl_strdup(node_id);
		if (!wn->id || flyte_typed_interface_copy(&wn->interface, task->interface)) {
			fl_free(wn->id);
			rc = oom(error);
		}
	}
	json_t *node = NULL;
	if (!rc) {
		node = json_pack("{s:s,s:{s:s},s:o,s:o,s:{s:o}}", "id", node_id, "metadata", "name", node_id, "inputs",
				 inputs, "upstream_node_ids", upstream, "task_node", "reference_id",
				 fl_id_json(&task->id));
		inputs = upstream = NULL;
		if (!node || json_array_append_new(json_object_get(w->template, "nodes"), node)) {
			flyte_typed_interface_free(w->nodes[w->n_nodes].interface);
			fl_free(w->nodes[w->n_nodes].id);
			rc = oom(error);
		} else {
			w->n_nodes++;
		}
	}
	json_decref(inputs);
	json_decref(upstream);
	return rc;
}

int flyte_workflow_bind_output(flyte_workflow *w, const flyte_binding *b, flyte_error **error)
{
	if (!w || !b || !b->name)
		return fl_error(error, FLYTE_EINVALID, "workflow output: NULL argument");
	const flyte_literal_type *expected = flyte_variable_map_type(flyte_typed_interface_outputs(w->interface), b->name);
	if (!expected)
		return fl_error(error, FLYTE_EINVALID, "workflow %s has no output \"%s\"", w->id.name, b->name);
	json_t *binding;
	int rc = make_binding(&binding, w, b, expected, "workflow output", error);
	if (rc)
		return rc;
	json_t *outputs = json_object_get(w->template, "outputs");
	size_t i;
	json_t *o;
	json_array_foreach(outputs, i, o) if (strcmp(json_string_value(json_object_get(o, "var")), b->name) == 0) return json_array_set_new(outputs, i, binding) ? oom(error) : 0;
	return json_array_append_new(outputs, binding) ? oom(error) : 0;
}

const flyte_typed_interface *flyte_workflow_interface(const flyte_workflow *w)
{
	return w ? w->interface : NULL;
}

flyte_identifier flyte_workflow_id(const flyte_workflow *w)
{
	return fl_id_view(&w->id);
}

json_t *fl_workflow_template(const flyte_workflow *w)
{
	return json_incref(w->template);
}

int flyte_workflow_to_json(char **out, const flyte_workflow *w)
{
	if (!w)
		return FLYTE_EINVALID;
	json_t *t = fl_workflow_template(w);
	int rc = t ? to_json_text(out, &pb_flyteidl_core_WorkflowTemplate, t) : FLYTE_ENOMEM;
	json_decref(t);
	return rc;
}

void flyte_workflow_free(flyte_workflow *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n_nodes; i++) {
		fl_free(w->nodes[i].id);
		flyte_typed_interface_free(w->nodes[i].interface);
	}
	fl_free(w->nodes);
	json_decref(w->template);
	flyte_typed_interface_free(w->interface);
	fl_id_dispose(&w->id);
	fl_free(w);
}

/* ---- launch plans ---- */

int flyte_launch_plan_new(flyte_launch_plan **out, const flyte_identifier *id, const flyte_workflow *wf,
			  flyte_error **error)
{
	if (!out || !wf)
		return fl_error(error, FLYTE_EINVALID, "launch plan: NULL argument");
	*out = NULL;
	flyte_launch_plan *lp = fl_calloc(1, sizeof *lp);
	if (!lp)
		return oom(error);
	int rc = fl_id_set(&lp->id, id, FLYTE_RESOURCE_LAUNCH_PLAN, 1, error);
	if (rc) {
		fl_free(lp);
		return rc;
	}
	json_t *params = json_object();
	const flyte_variable_map *ins = flyte_typed_interface_inputs(wf->interface);
	for (size_t i = 0; params && i < flyte_variable_map_count(ins); i++) {
		const char *name;
		const flyte_literal_type *t = flyte_variable_map_at(ins, i, &name, NULL);
		json_t *tj = msg_json(t);
		if (!tj || json_object_set_new(params, name, json_pack("{s:{s:o},s:b}", "var", "type", tj, "required", 1)))
			rc = oom(error);
	}
	if (rc || flyte_typed_interface_copy(&lp->interface, wf->interface) ||
	    !(lp->spec = json_pack("{s:o,s:{s:o},s:{s:{}}}", "workflow_id", fl_id_json(&wf->id), "default_inputs",
				   "parameters", params, "fixed_inputs", "literals"))) {
		flyte_launch_plan_free(lp);
		return rc ? rc : oom(error);
	}
	*out = lp;
	return 0;
}

static int set_input(flyte_launch_plan *lp, const char *name, const flyte_literal *value, int fixed,
		     flyte_error **error)
{
	if (!lp || !name || !value)
		return fl_error(error, FLYTE_EINVALID, "launch plan input: NULL argument");
	const flyte_literal_type *t = flyte_variable_map_type(flyte_typed_interface_inputs(lp->interface), name);
	if (!t)
		return fl_error(error, FLYTE_EINVALID, "launch plan %s: the workflow has no input \"%s\"", lp->id.name,
				name);
	int rc = flyte_literal_check_type(value, t, name, error);
	if (rc)
		return rc;
	json_t *lit = msg_json(value);
	if (!lit)
		return oom(error);
	json_t *params = json_object_get(json_object_get(lp->spec, "default_inputs"), "parameters");
	json_t *fixed_lits = json_object_get(json_object_get(lp->spec, "fixed_inputs"), "literals");
	if (fixed) {
		json_object_del(params, name);
		rc = json_object_set_new(fixed_lits, name, lit) ? oom(error) : 0;
	} else {
		json_object_del(fixed_lits, name);
		json_t *p = json_pack("{s:{s:o},s:o}", "var", "type", msg_json(t), "default", lit);
		rc = !p || json_object_set_new(params, name, p) ? oom(error) : 0;
	}
	return rc;
}

int flyte_launch_plan_set_default(flyte_launch_plan *lp, const char *name, const flyte_literal *value,
				  flyte_error **error)
{
	return set_input(lp, name, value, 0, error);
}

int flyte_launch_plan_set_fixed(flyte_launch_plan *lp, const char *name, const flyte_literal *value,
				flyte_error **error)
{
	return set_input(lp, name, value, 1, error);
}

flyte_identifier flyte_launch_plan_id(const flyte_launch_plan *lp)
{
	return fl_id_view(&lp->id);
}

int flyte_launch_plan_to_json(char **out, const flyte_launch_plan *lp)
{
	return to_json_text(out, &pb_flyteidl_admin_LaunchPlanSpec, lp ? lp->spec : NULL);
}

void flyte_launch_plan_free(flyte_launch_plan *lp)
{
	if (!lp)
		return;
	json_decref(lp->spec);
	flyte_typed_interface_free(lp->interface);
	fl_id_dispose(&lp->id);
	fl_free(lp);
}

/* ---- registration ---- */

static int create(flyte_client *c, const char *path, const pb_msg_desc *desc, json_t *request, const char *what,
		  const char *name, flyte_error **error)
{
	char *body = NULL, *resp = NULL;
	int rc = request ? pb_json_canonical(&body, desc, request, error) : oom(error);
	json_decref(request);
	if (rc)
		return rc;
	/* A create is idempotent: a repeat finds the identical entity (409). */
	rc = fl_client_call(c, &resp, "POST", path, body, 1, error);
	fl_free(body);
	fl_free(resp);
	if (rc == FLYTE_EEXISTS) {
		if (error) {
			flyte_error_free(*error);
			*error = NULL;
		}
		fl_log(c->transport, FLYTE_LOG_DEBUG, "%s %s is already registered", what, name);
		return 0;
	}
	if (rc == FLYTE_EINVALID && error && *error && strstr(flyte_error_message(*error), "different structure"))
		(*error)->code = rc = FLYTE_EEXISTS;
	return rc;
}

int flyte_register_task(flyte_client *c, const flyte_task *t, flyte_error **error)
{
	if (!c || !t)
		return fl_error(error, FLYTE_EINVALID, "register task: NULL argument");
	json_t *req = json_pack("{s:o,s:{s:O}}", "id", fl_id_json(&t->id), "spec", "template", t->template);
	return create(c, "/api/v1/tasks", &pb_flyteidl_admin_TaskCreateRequest, req, "task", t->id.name, error);
}

int flyte_register_workflow(flyte_client *c, const flyte_workflow *w, flyte_error **error)
{
	if (!c || !w)
		return fl_error(error, FLYTE_EINVALID, "register workflow: NULL argument");
	json_t *req = json_pack("{s:o,s:{s:o}}", "id", fl_id_json(&w->id), "spec", "template", fl_workflow_template(w));
	return create(c, "/api/v1/workflows", &pb_flyteidl_admin_WorkflowCreateRequest, req, "workflow", w->id.name,
		      error);
}

int flyte_register_launch_plan(flyte_client *c, const flyte_launch_plan *lp, flyte_error **error)
{
	if (!c || !lp)
		return fl_error(error, FLYTE_EINVALID, "register launch plan: NULL argument");
	json_t *req = json_pack("{s:o,s:O}", "id", fl_id_json(&lp->id), "spec", lp->spec);
	return create(c, "/api/v1/launch_plans", &pb_flyteidl_admin_LaunchPlanCreateRequest, req, "launch plan",
		      lp->id.name, error);
}

/* ---- references ---- */

static flyte_identifier reference(flyte_resource_type type, const char *project, const char *domain,
				  const char *name, const char *version)
{
	flyte_identifier id = {type, project, domain, name, version, NULL};
	return id;
}

flyte_identifier flyte_reference_task(const char *project, const char *domain, const char *name, const char *version)
{
	return reference(FLYTE_RESOURCE_TASK, project, domain, name, version);
}

flyte_identifier flyte_reference_workflow(const char *project, const char *domain, const char *name,
					  const char *version)
{
	return reference(FLYTE_RESOURCE_WORKFLOW, project, domain, name, version);
}

flyte_identifier flyte_reference_launch_plan(const char *project, const char *domain, const char *name,
					     const char *version)
{
	return reference(FLYTE_RESOURCE_LAUNCH_PLAN, project, domain, name, version);
}
