/* Executions: launch with type hints and checks, exactly-once create, predicted cache keys,
   wait, sync, terminate, relaunch, recover (flyte/execution.h). */
#include "flyte/execution.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

#include "alloc.h"
#include "bindings.h"
#include "client.h"
#include "entities_internal.h"
#include "execution_internal.h"
#include "error.h"
#include "flyte/dataproxy.h"
#include "flyte/typecheck.h"
#include "model.h"
#include "pb_json.h"

struct flyte_execution {
	char *project, *domain, *name;
	flyte_execution_phase phase;
	char *error_message;
	flyte_literal_map *inputs;
	flyte_literal_map *outputs;
	json_t *nodes_doc; /* owns the strings of `nodes` */
	flyte_node_info *nodes;
	size_t n_nodes;
	flyte_cache_prediction *preds;
	size_t n_preds;
};

static int refresh_phase(flyte_client *c, flyte_execution *x, flyte_error **error);

static int oom(flyte_error **error)
{
	return fl_error(error, FLYTE_ENOMEM, "out of memory");
}

int flyte_execute_options_init(flyte_execute_options *opts, unsigned int version)
{
	if (!opts || version != FLYTE_EXECUTE_OPTIONS_VERSION)
		return FLYTE_EINVALID;
	flyte_execute_options init = FLYTE_EXECUTE_OPTIONS_INIT;
	*opts = init;
	return 0;
}

static const pb_enum_desc *phase_enum(void)
{
	return pb_flyteidl_admin_ExecutionClosure.fields[PBF_flyteidl_admin_ExecutionClosure_phase].enm;
}

static const pb_enum_desc *node_phase_enum(void)
{
	return pb_flyteidl_admin_NodeExecutionClosure.fields[PBF_flyteidl_admin_NodeExecutionClosure_phase].enm;
}

static const pb_enum_desc *cache_status_enum(void)
{
	return pb_flyteidl_admin_TaskNodeMetadata.fields[PBF_flyteidl_admin_TaskNodeMetadata_cache_status].enm;
}

const char *flyte_phase_name(flyte_execution_phase phase)
{
	const pb_enum_value *v = pb_enum_by_number(phase_enum(), (int32_t)phase);
	return v ? v->name : "UNKNOWN";
}

const char *flyte_cache_status_name(flyte_cache_status status)
{
	const pb_enum_value *v = pb_enum_by_number(cache_status_enum(), (int32_t)status);
	return v ? v->name : "UNKNOWN";
}

static int enum_number(const pb_enum_desc *e, const char *name)
{
	const pb_enum_value *v = name ? pb_enum_by_name(e, name, strlen(name)) : NULL;
	return v ? v->number : 0;
}

/* ---- names ---- */

/* A name FlyteAdmin accepts (^[a-z][a-z0-9-]*$, at most 63), chosen before the first
   attempt so that a retried create cannot make a second execution. */
static char *generate_name(const char *prefix)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	uuid_t u;
	uuid_generate_random(u);
	char rnd[17];
	for (int i = 0; i < 16; i++)
		rnd[i] = alphabet[u[i] % 36];
	rnd[16] = '\0';
	return fl_asprintf("%s%s", prefix && *prefix ? prefix : "x", rnd);
}

static int valid_name(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len > 63 || n[0] < 'a' || n[0] > 'z')
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '-'))
			return 0;
	return 1;
}

/* ---- input checks ---- */

static int name_in(const json_t *array, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(array, i, v) if (strcmp(json_string_value(v), name) == 0) return 1;
	return 0;
}

/* The caller's inputs against the entity: known names, no fixed ones, types, required. */
static int check_inputs(flyte_client *c, const flyte_entity *e, const flyte_literal_map *inputs, int log_sources,
			flyte_error **error)
{
	const flyte_variable_map *declared = flyte_typed_interface_inputs(e->interface);
	char entity[512];
	snprintf(entity, sizeof entity, "%s %s:%s",
		 e->id.resource_type == FLYTE_RESOURCE_TASK ? "task" : "launch plan", e->id.name, e->id.version);
	for (size_t i = 0; i < flyte_literal_map_count(inputs); i++) {
		const char *name;
		flyte_literal_map_at(inputs, i, &name);
		if (flyte_literal_map_get(e->fixed, name))
			return fl_error(error, FLYTE_EINVALID,
					"input \"%s\" is fixed by %s and cannot be overridden", name, entity);
	}
	int rc = flyte_literal_map_check_types(inputs, declared, error);
	if (rc) {
		fl_error_prefix(error, "%s", entity);
		return rc;
	}
	for (size_t i = 0; i < flyte_variable_map_count(declared); i++) {
		const char *name;
		flyte_variable_map_at(declared, i, &name, NULL);
		int given = flyte_literal_map_get(inputs, name) != NULL;
		int has_default = flyte_literal_map_get(e->defaults, name) != NULL;
		int required = e->id.resource_type == FLYTE_RESOURCE_TASK || name_in(e->required, name);
		if (!given && required && !has_default)
			return fl_error(error, FLYTE_EINVALID, "%s: missing required input \"%s\"", entity, name);
		if (log_sources)
			fl_log(c->transport, FLYTE_LOG_DEBUG, "%s: input \"%s\" from %s", entity, name,
			       given ? "the caller" : has_default ? "the launch plan's default" : "nowhere (optional)");
	}
	return 0;
}

/* ---- local files ---- */

static int is_local(const char *uri)
{
	return strncmp(uri, "file://", 7) == 0 || !strstr(uri, "://");
}

/* Uploads blob inputs that name local files or directories (at any depth) and points
   them at the uploaded copy. Runs after the hash functions, which read the local files. */
static int upload_local_blobs(flyte_client *c, pb_msg *lit, const char *project, const char *domain,
			      flyte_error **error)
{
	int rc = 0;
	switch (fl_literal_kind(lit)) {
	case FLYTE_LITERAL_BLOB: {
		const char *uri, *format;
		flyte_blob_dimensionality dim;
		flyte_literal_get_blob((const flyte_literal *)lit, &uri, &format, &dim);
		if (!*uri || !is_local(uri))
			return 0;
		const char *path = strncmp(uri, "file://", 7) == 0 ? uri + 7 : uri;
		char *remote = NULL;
		rc = dim == FLYTE_BLOB_MULTIPART ? flyte_upload_directory(c, &remote, path, project, domain, error)
						 : flyte_upload_file(c, &remote, path, project, domain, error);
		if (!rc) {
			pb_msg *blob = M(pb_get_msg(fl_literal_scalar(lit), F_SCALAR(blob)));
			rc = pb_set_str(blob, F_BLOB(uri), remote) ? oom(error) : 0;
		}
		fl_free(remote);
		return rc;
	}
	case FLYTE_LITERAL_COLLECTION: {
		pb_msg *coll = M(pb_get_msg(lit, F_LIT(collection)));
		for (size_t i = 0; !rc && i < pb_list_len(coll, F_COLL(literals)); i++)
			rc = upload_local_blobs(c, coll->fields[F_COLL(literals)].list->items[i].m, project, domain,
						error);
		return rc;
	}
	case FLYTE_LITERAL_MAP: {
		pb_msg *m = M(pb_get_msg(lit, F_LIT(map)));
		pb_map *mp = m->fields[F_LMAP(literals)].map;
		for (size_t i = 0; !rc && mp && i < mp->n; i++)
			rc = upload_local_blobs(c, mp->items[i].val.m, project, domain, error);
		return rc;
	}
	default: return 0;
	}
}

/* ---- cache-key prediction ---- */

/* Prediction sees only the workflow's inputs: a promise on another node's output is
   not known before the run. */
static const json_t *workflow_input(const char *node_id, const char *var, void *inputs, char **error)
{
	if (*node_id && strcmp(node_id, "start-node") != 0) {
		*error = fl_asprintf("depends on node %s", node_id);
		return NULL;
	}
	const json_t *v = json_object_get(inputs, var);
	if (!v)
		*error = fl_asprintf("no input %s", var);
	return v;
}

static int add_prediction(flyte_execution *x, const char *node_id, const json_t *template, const json_t *node_inputs,
			  flyte_error **error)
{
	json_t *md = json_object_get(template, "metadata");
	if (!json_is_true(json_object_get(md, "discoverable")))
		return 0;
	pb_msg *lm = NULL, *iface = NULL;
	json_t *lmj = json_pack("{s:O}", "literals", node_inputs);
	int rc = lmj ? pb_json_from_value(&lm, &D_LITERAL_MAP, lmj, "", PB_JSON_IGNORE_UNKNOWN, error) : oom(error);
	json_decref(lmj);
	json_t *ij = json_object_get(template, "interface");
	if (!rc)
		rc = ij ? pb_json_from_value(&iface, &D_TYPED_INTERFACE, ij, "", PB_JSON_IGNORE_UNKNOWN, error)
			: ((iface = pb_msg_new(&D_TYPED_INTERFACE)) ? 0 : oom(error));
	const char *ignore[64];
	size_t n_ignore = 0;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(md, "cache_ignore_input_vars"), i, v) if (n_ignore < 64) ignore[n_ignore++] =
		json_string_value(v);
	flyte_cache_prediction p = {0};
	char tag[FLYTE_ARTIFACT_TAG_LEN + 1];
	json_t *tid = json_object_get(template, "id");
	flyte_identifier task = {FLYTE_RESOURCE_TASK, json_string_value(json_object_get(tid, "project")),
				 json_string_value(json_object_get(tid, "domain")),
				 json_string_value(json_object_get(tid, "name")), NULL, NULL};
	if (!rc)
		rc = fl_artifact_tag(tag, lm, ignore, n_ignore, error);
	if (!rc)
		rc = flyte_cache_dataset_id(&p.dataset, &task,
					    json_string_value(json_object_get(md, "discovery_version")),
					    (const flyte_typed_interface *)iface, error);
	pb_msg_free(lm);
	pb_msg_free(iface);
	if (rc)
		return rc;
	p.node_id = fl_strdup(node_id);
	p.artifact_tag = fl_strdup(tag);
	p.matches = -1;
	flyte_cache_prediction *preds = fl_realloc(x->preds, (x->n_preds + 1) * sizeof *preds);
	if (!p.node_id || !p.artifact_tag || !preds) {
		fl_free((char *)p.node_id);
		fl_free((char *)p.artifact_tag);
		flyte_dataset_id_dispose(&p.dataset);
		if (preds)
			x->preds = preds;
		return oom(error);
	}
	x->preds = preds;
	x->preds[x->n_preds++] = p;
	return 0;
}

/* Predicts the keys of the task nodes fed only by workflow inputs and constants. */
static int predict(flyte_execution *x, const fl_launch_target *target, const json_t *all_inputs,
		   flyte_error **error)
{
	const flyte_entity *e = target->entity;
	if (e->id.resource_type == FLYTE_RESOURCE_TASK) {
		json_t *t = json_object_get(json_object_get(json_object_get(e->doc, "closure"), "compiled_task"),
					    "template");
		return add_prediction(x, e->id.name, t, all_inputs, error);
	}
	int rc = 0;
	json_t *compiled = json_object_get(json_object_get(e->workflow, "closure"), "compiled_workflow");
	json_t *nodes = json_object_get(json_object_get(json_object_get(compiled, "primary"), "template"), "nodes");
	size_t i;
	json_t *node;
	json_array_foreach(nodes, i, node) {
		json_t *ref = json_object_get(json_object_get(node, "task_node"), "reference_id");
		if (!ref)
			continue;
		json_t *template = NULL;
		size_t k;
		json_t *ct;
		json_array_foreach(json_object_get(compiled, "tasks"), k, ct) {
			json_t *t = json_object_get(ct, "template");
			if (json_equal(json_object_get(t, "id"), ref) ||
			    (json_equal(json_object_get(json_object_get(t, "id"), "name"), json_object_get(ref, "name")) &&
			     json_equal(json_object_get(json_object_get(t, "id"), "version"),
					json_object_get(ref, "version"))))
				template = t;
		}
		char *unknown = NULL;
		json_t *node_inputs = template ? fl_bindings_literal_map(json_object_get(node, "inputs"), workflow_input,
									 (void *)all_inputs, &unknown)
					       : NULL;
		fl_free(unknown); /* not predictable: fine */
		if (node_inputs)
			rc = add_prediction(x, json_string_value(json_object_get(node, "id")), template,
					    json_object_get(node_inputs, "literals"), error);
		json_decref(node_inputs);
		if (rc)
			break;
	}
	return rc;
}

/* ---- launch ---- */

static int add_pairs(json_t *obj, const char *const *keys, const char *const *values, size_t n, const char *what,
		     flyte_error **error)
{
	if (n && (!keys || !values))
		return fl_error(error, FLYTE_EINVALID, "execute options: %s keys or values are NULL", what);
	for (size_t i = 0; i < n; i++) {
		if (!keys[i] || !*keys[i] || !values[i])
			return fl_error(error, FLYTE_EINVALID, "execute options: %s %zu has no key or value", what, i);
		if (json_object_set_new(obj, keys[i], json_string(values[i])))
			return oom(error);
	}
	return 0;
}

static json_t *build_spec(const flyte_entity *e, const flyte_execute_options *o, flyte_error **error)
{
	fl_id lp = e->id;
	json_t *spec = json_pack("{s:o,s:{s:s}}", "launch_plan", fl_id_json(&lp), "metadata", "mode", "MANUAL");
	if (!spec) {
		oom(error);
		return NULL;
	}
	int rc = 0;
	if (o->n_labels) {
		json_t *v = json_object();
		rc = add_pairs(v, o->label_keys, o->label_values, o->n_labels, "label", error);
		json_object_set_new(spec, "labels", json_pack("{s:o}", "values", v));
	}
	if (!rc && o->n_annotations) {
		json_t *v = json_object();
		rc = add_pairs(v, o->annotation_keys, o->annotation_values, o->n_annotations, "annotation", error);
		json_object_set_new(spec, "annotations", json_pack("{s:o}", "values", v));
	}
	if (!rc && o->n_envs) {
		json_t *v = json_object(), *list = json_array();
		rc = add_pairs(v, o->env_keys, o->env_values, o->n_envs, "env", error);
		const char *k;
		json_t *val;
		json_object_foreach(v, k, val) json_array_append_new(list, json_pack("{s:s,s:O}", "key", k, "value", val));
		json_decref(v);
		json_object_set_new(spec, "envs", json_pack("{s:o}", "values", list));
	}
	if (!rc && o->n_tags) {
		json_t *tags = json_array();
		for (size_t i = 0; i < o->n_tags && !rc; i++)
			rc = o->tags && o->tags[i] ? json_array_append_new(tags, json_string(o->tags[i]))
						   : fl_error(error, FLYTE_EINVALID, "execute options: tag %zu is NULL", i);
		json_object_set_new(spec, "tags", tags);
	}
	if (o->overwrite_cache)
		json_object_set_new(spec, "overwrite_cache", json_true());
	if (o->interruptible == 1 || o->interruptible == 2)
		json_object_set_new(spec, "interruptible", json_boolean(o->interruptible == 1));
	if (o->max_parallelism > 0)
		json_object_set_new(spec, "max_parallelism", json_integer(o->max_parallelism));
	if (o->raw_output_prefix && *o->raw_output_prefix)
		json_object_set_new(spec, "raw_output_data_config",
				    json_pack("{s:s}", "output_location_prefix", o->raw_output_prefix));
	if (rc) {
		json_decref(spec);
		return NULL;
	}
	return spec;
}

static char *execution_path(const char *prefix, const char *p, const char *d, const char *n)
{
	char *ep = fl_escape(p), *ed = fl_escape(d), *en = fl_escape(n);
	char *path = ep && ed && en ? fl_asprintf("%s/%s/%s/%s", prefix, ep, ed, en) : NULL;
	fl_free(ep);
	fl_free(ed);
	fl_free(en);
	return path;
}

static int get_json(flyte_client *c, json_t **out, const char *path, flyte_error **error)
{
	char *body = NULL;
	*out = NULL;
	int rc = fl_client_call(c, &body, "GET", path, NULL, 1, error);
	if (rc)
		return rc;
	*out = json_loads(body, 0, NULL);
	fl_free(body);
	return *out ? 0 : fl_error(error, FLYTE_ERROR, "the server sent malformed JSON for GET %s", path);
}

/* A 409 on a retried create: is the execution there the one this call made? */
static int is_our_execution(flyte_client *c, const flyte_execution *x, const json_t *spec, const json_t *inputs,
			    flyte_error **error)
{
	json_t *got, *data;
	char *path = execution_path("/api/v1/executions", x->project, x->domain, x->name);
	char *dpath = execution_path("/api/v1/data/executions", x->project, x->domain, x->name);
	int rc = path && dpath ? get_json(c, &got, path, error) : oom(error);
	if (!rc) {
		rc = get_json(c, &data, dpath, error);
		if (rc)
			json_decref(got);
	}
	fl_free(path);
	fl_free(dpath);
	if (rc)
		return -1;
	json_t *lp = json_object_get(json_object_get(got, "spec"), "launch_plan");
	json_t *want = json_object_get(spec, "launch_plan");
	int same = 1;
	static const char *const keys[] = {"project", "domain", "name", "version"};
	for (int i = 0; i < 4; i++)
		same &= json_equal(json_object_get(lp, keys[i]), json_object_get(want, keys[i]));
	json_t *full = json_object_get(json_object_get(data, "full_inputs"), "literals");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)inputs, k, v) {
		pb_msg *a = NULL, *b = NULL;
		pb_json_from_value(&a, &D_LITERAL, v, "", PB_JSON_IGNORE_UNKNOWN, NULL);
		json_t *fv = json_object_get(full, k);
		if (fv)
			pb_json_from_value(&b, &D_LITERAL, fv, "", PB_JSON_IGNORE_UNKNOWN, NULL);
		same &= a && b && pb_msg_equal(a, b);
		pb_msg_free(a);
		pb_msg_free(b);
	}
	json_decref(got);
	json_decref(data);
	return same;
}

static flyte_execution *new_handle(const char *p, const char *d, const char *n)
{
	flyte_execution *x = fl_calloc(1, sizeof *x);
	if (!x)
		return NULL;
	x->project = fl_strdup(p);
	x->domain = fl_strdup(d);
	x->name = fl_strdup(n);
	if (!x->project || !x->domain || !x->name) {
		flyte_execution_free(x);
		return NULL;
	}
	return x;
}

int fl_target_resolve(flyte_client *c, fl_launch_target *t, const flyte_identifier *entity, flyte_error **error)
{
	memset(t, 0, sizeof *t);
	flyte_identifier id = *entity;
	if (id.resource_type == FLYTE_RESOURCE_WORKFLOW)
		id.resource_type = FLYTE_RESOURCE_LAUNCH_PLAN; /* its default launch plan has its id */
	if (id.resource_type != FLYTE_RESOURCE_TASK && id.resource_type != FLYTE_RESOURCE_LAUNCH_PLAN)
		return fl_error(error, FLYTE_EINVALID, "execute: the entity must be a task, a workflow or a launch plan");
	int rc = flyte_fetch(c, &t->owned, &id, error);
	if (rc == FLYTE_ENOTFOUND && entity->resource_type == FLYTE_RESOURCE_WORKFLOW)
		fl_error_prefix(error, "workflow %s has no default launch plan (register one with the same id)",
				entity->name);
	t->entity = t->owned;
	return rc;
}

void fl_target_dispose(fl_launch_target *t)
{
	flyte_entity_free(t->owned);
	memset(t, 0, sizeof *t);
}

int fl_execute_prepare(flyte_client *c, const fl_launch_target *target, fl_launch *out,
		       const flyte_literal_map *inputs, const flyte_type_hints *hints,
		       const flyte_execute_options *opts, flyte_error **error)
{
	memset(out, 0, sizeof *out);
	flyte_execute_options defaults = FLYTE_EXECUTE_OPTIONS_INIT;
	const flyte_execute_options *o = opts ? opts : &defaults;
	const flyte_entity *e = target->entity;
	if (o->version != FLYTE_EXECUTE_OPTIONS_VERSION)
		return fl_error(error, FLYTE_EINVALID, "execute options: unsupported version %u", o->version);
	if (o->name && !valid_name(o->name))
		return fl_error(error, FLYTE_EINVALID,
				"execution name \"%s\" is not valid: it must match ^[a-z][a-z0-9-]*$ and have at most "
				"63 characters",
				o->name);
	if (o->name_prefix && (strlen(o->name_prefix) > 40 || !valid_name(o->name_prefix)))
		return fl_error(error, FLYTE_EINVALID, "execution name prefix \"%s\" is not valid", o->name_prefix);

	flyte_literal_map *in = NULL;
	flyte_execution *x = NULL;
	json_t *all_inputs = NULL, *req = NULL;
	char *name = NULL;
	int rc = inputs ? flyte_literal_map_copy(&in, inputs) : flyte_literal_map_new(&in);
	if (!rc && hints)
		rc = flyte_type_hints_apply(hints, in, error);
	if (!rc)
		rc = check_inputs(c, e, in, o->log_input_sources, error);
	for (size_t i = 0; !rc && i < flyte_literal_map_count(in); i++) {
		const char *input;
		pb_msg *lit = M(flyte_literal_map_at(in, i, &input));
		rc = upload_local_blobs(c, lit, o->project ? o->project : c->project, o->domain ? o->domain : c->domain,
					error);
		if (rc)
			fl_error_prefix(error, "input \"%s\"", input);
	}
	if (rc)
		goto done;
	name = o->name ? fl_strdup(o->name) : generate_name(o->name_prefix);
	x = name ? new_handle(o->project ? o->project : c->project, o->domain ? o->domain : c->domain, name) : NULL;
	out->spec = x ? build_spec(e, o, error) : NULL;
	if (!x || !out->spec) {
		rc = x ? (error && *error ? (*error)->code : FLYTE_ENOMEM) : oom(error);
		goto done;
	}
	json_t *in_doc = pb_json_to_jansson(M(in));
	json_t *lits = json_object_get(in_doc, "literals");
	out->inputs = lits ? json_incref(lits) : json_object();
	json_decref(in_doc);
	if (!in_doc || !out->inputs) {
		rc = oom(error);
		goto done;
	}
	x->inputs = in;
	in = NULL;

	/* The inputs each node sees: defaults and fixed values, overridden by the caller. */
	all_inputs = json_object();
	const flyte_literal_map *layers[] = {e->defaults, e->fixed};
	for (int l = 0; l < 2; l++) {
		json_t *lj = pb_json_to_jansson(M(layers[l]));
		json_object_update(all_inputs, json_object_get(lj, "literals"));
		json_decref(lj);
	}
	json_object_update(all_inputs, out->inputs);
	rc = predict(x, target, all_inputs, error);
	if (rc)
		goto done;
	req = json_pack("{s:s,s:s,s:s,s:O,s:{s:O}}", "project", x->project, "domain", x->domain, "name", x->name,
			"spec", out->spec, "inputs", "literals", out->inputs);
	rc = req ? pb_json_canonical(&out->body, &pb_flyteidl_admin_ExecutionCreateRequest, req, error) : oom(error);
done:
	if (rc) {
		flyte_execution_free(x);
		fl_launch_dispose(out);
	} else {
		out->execution = x;
	}
	flyte_literal_map_free(in);
	json_decref(all_inputs);
	json_decref(req);
	fl_free(name);
	return rc;
}

void fl_launch_dispose(fl_launch *l)
{
	flyte_execution_free(l->execution);
	json_decref(l->spec);
	json_decref(l->inputs);
	fl_free(l->body);
	memset(l, 0, sizeof *l);
}

int fl_execute_created(flyte_client *c, fl_launch *l, int rc, int attempts, flyte_error **error)
{
	flyte_execution *x = l->execution;
	if (rc == FLYTE_EEXISTS && attempts > 1) {
		/* An earlier attempt got through before its answer was lost. */
		flyte_error *lookup_err = NULL;
		int ours = is_our_execution(c, x, l->spec, l->inputs, &lookup_err);
		flyte_error_free(lookup_err);
		if (ours == 1) {
			fl_log(c->transport, FLYTE_LOG_INFO, "execution %s was created by an earlier attempt", x->name);
			flyte_error_free(error ? *error : NULL);
			if (error)
				*error = NULL;
			rc = 0;
		}
	}
	if (rc == FLYTE_EEXISTS)
		fl_error_prefix(error, "an execution named %s already exists in %s/%s", x->name, x->project, x->domain);
	if (!rc)
		x->phase = FLYTE_PHASE_QUEUED;
	return rc;
}

static int execute_target(flyte_client *c, flyte_execution **out, const fl_launch_target *target,
			  const flyte_literal_map *inputs, const flyte_type_hints *hints,
			  const flyte_execute_options *opts, flyte_error **error)
{
	fl_launch launch;
	int rc = fl_execute_prepare(c, target, &launch, inputs, hints, opts, error);
	if (rc)
		return rc;
	fl_http_request hr = {.method = "POST", .url = "/api/v1/executions", .body = launch.body,
			      .body_len = strlen(launch.body), .idempotent = 1, .fresh_connection = 1};
	fl_http_response resp;
	rc = fl_transport_send(c->transport, &hr, &resp, error);
	int attempts = resp.attempts;
	fl_http_response_dispose(&resp);
	rc = fl_execute_created(c, &launch, rc, attempts, error);
	if (!rc) {
		*out = launch.execution;
		launch.execution = NULL;
	}
	fl_launch_dispose(&launch);
	return rc;
}

int flyte_execute(flyte_client *c, flyte_execution **out, const flyte_identifier *entity,
		  const flyte_literal_map *inputs, const flyte_type_hints *hints, const flyte_execute_options *opts,
		  flyte_error **error)
{
	if (!c || !out || !entity)
		return fl_error(error, FLYTE_EINVALID, "execute: NULL argument");
	*out = NULL;
	fl_launch_target target;
	int rc = fl_target_resolve(c, &target, entity, error);
	if (!rc)
		rc = execute_target(c, out, &target, inputs, hints, opts, error);
	fl_target_dispose(&target);
	return rc;
}

int flyte_execute_entity(flyte_client *c, flyte_execution **out, const flyte_entity *entity,
			 const flyte_literal_map *inputs, const flyte_type_hints *hints,
			 const flyte_execute_options *opts, flyte_error **error)
{
	if (!c || !out || !entity)
		return fl_error(error, FLYTE_EINVALID, "execute: NULL argument");
	*out = NULL;
	if (entity->id.resource_type != FLYTE_RESOURCE_TASK && entity->id.resource_type != FLYTE_RESOURCE_LAUNCH_PLAN)
		return fl_error(error, FLYTE_EINVALID,
				"execute: a fetched entity must be a task or a launch plan (fetch a workflow's launch plan)");
	fl_launch_target target = {NULL, entity};
	return execute_target(c, out, &target, inputs, hints, opts, error);
}

int flyte_execution_refresh(flyte_client *c, flyte_execution *x, flyte_error **error)
{
	if (!c || !x)
		return fl_error(error, FLYTE_EINVALID, "execution refresh: NULL argument");
	int rc = refresh_phase(c, x, error);
	if (!rc && flyte_execution_is_done(x))
		rc = flyte_execution_sync(c, x, error);
	return rc;
}

int flyte_execution_get(flyte_client *c, flyte_execution **out, const char *project, const char *domain,
			const char *name, flyte_error **error)
{
	if (!c || !out || !name)
		return fl_error(error, FLYTE_EINVALID, "execution get: NULL argument");
	*out = new_handle(project ? project : c->project, domain ? domain : c->domain, name);
	if (!*out)
		return oom(error);
	int rc = flyte_execution_sync(c, *out, error);
	if (rc) {
		flyte_execution_free(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- state ---- */

int fl_execution_apply_status(flyte_execution *x, const json_t *doc, flyte_error **error)
{
	json_t *closure = json_object_get(doc, "closure");
	x->phase = (flyte_execution_phase)enum_number(phase_enum(), json_string_value(json_object_get(closure, "phase")));
	fl_free(x->error_message);
	x->error_message = NULL;
	const char *msg = json_string_value(json_object_get(json_object_get(closure, "error"), "message"));
	if (!msg)
		msg = json_string_value(json_object_get(json_object_get(closure, "abort_metadata"), "cause"));
	return msg && !(x->error_message = fl_strdup(msg)) ? oom(error) : 0;
}

static int refresh_phase(flyte_client *c, flyte_execution *x, flyte_error **error)
{
	char *path = execution_path("/api/v1/executions", x->project, x->domain, x->name);
	json_t *doc;
	int rc = path ? get_json(c, &doc, path, error) : oom(error);
	fl_free(path);
	if (rc)
		return rc;
	rc = fl_execution_apply_status(x, doc, error);
	json_decref(doc);
	if (!rc && !x->inputs) {
		/* A handle made by flyte_execution_get: take the inputs from the server. */
		char *dpath = execution_path("/api/v1/data/executions", x->project, x->domain, x->name);
		json_t *data;
		rc = dpath ? get_json(c, &data, dpath, error) : oom(error);
		fl_free(dpath);
		if (!rc) {
			pb_msg *m = NULL;
			rc = pb_json_from_value(&m, &D_LITERAL_MAP, json_object_get(data, "full_inputs"), "",
						PB_JSON_IGNORE_UNKNOWN, error);
			x->inputs = (flyte_literal_map *)m;
			json_decref(data);
		}
	}
	return rc;
}

int flyte_execution_is_done(const flyte_execution *x)
{
	return x && (x->phase == FLYTE_PHASE_SUCCEEDED || x->phase == FLYTE_PHASE_FAILED ||
		     x->phase == FLYTE_PHASE_ABORTED || x->phase == FLYTE_PHASE_TIMED_OUT);
}

int fl_execution_apply_data(flyte_execution *x, const json_t *data, flyte_error **error)
{
	pb_msg *m = NULL;
	json_t *full = json_object_get(data, "full_outputs");
	int rc = full && !json_is_null(full) ? pb_json_from_value(&m, &D_LITERAL_MAP, full, "full_outputs",
								  PB_JSON_IGNORE_UNKNOWN, error)
					     : ((m = pb_msg_new(&D_LITERAL_MAP)) ? 0 : oom(error));
	if (rc)
		return rc;
	flyte_literal_map_free(x->outputs);
	x->outputs = (flyte_literal_map *)m;
	return 0;
}

static int fetch_outputs(flyte_client *c, flyte_execution *x, flyte_error **error)
{
	char *path = execution_path("/api/v1/data/executions", x->project, x->domain, x->name);
	json_t *data;
	int rc = path ? get_json(c, &data, path, error) : oom(error);
	fl_free(path);
	if (rc)
		return rc;
	rc = fl_execution_apply_data(x, data, error);
	json_decref(data);
	return rc;
}

static const char *str_or_null(const json_t *v)
{
	const char *s = json_string_value(v);
	return s && *s ? s : NULL;
}

int fl_execution_apply_nodes(const fl_transport *t, flyte_execution *x, json_t *all, flyte_error **error)
{
	flyte_node_info *nodes = fl_calloc(json_array_size(all) ? json_array_size(all) : 1, sizeof *nodes);
	if (!nodes) {
		json_decref(all);
		return oom(error);
	}
	size_t n = 0, i;
	json_t *ne;
	json_array_foreach(all, i, ne) {
		const char *id = json_string_value(json_object_get(json_object_get(ne, "id"), "node_id"));
		if (!id || strstr(id, "start-node") || strstr(id, "end-node"))
			continue; /* the compiler's dummy nodes, as flytekit skips them */
		json_t *closure = json_object_get(ne, "closure");
		json_t *tnm = json_object_get(closure, "task_node_metadata");
		json_t *key = json_object_get(tnm, "catalog_key");
		json_t *ds = json_object_get(key, "dataset_id");
		flyte_node_info *ni = &nodes[n++];
		ni->node_id = id;
		ni->phase_name = json_string_value(json_object_get(closure, "phase"));
		ni->phase = enum_number(node_phase_enum(), ni->phase_name);
		if (!ni->phase_name)
			ni->phase_name = "UNDEFINED";
		ni->cache_status = (flyte_cache_status)enum_number(
			cache_status_enum(), json_string_value(json_object_get(tnm, "cache_status")));
		ni->dataset_project = str_or_null(json_object_get(ds, "project"));
		ni->dataset_domain = str_or_null(json_object_get(ds, "domain"));
		ni->dataset_name = str_or_null(json_object_get(ds, "name"));
		ni->dataset_version = str_or_null(json_object_get(ds, "version"));
		ni->artifact_tag = str_or_null(json_object_get(json_object_get(key, "artifact_tag"), "name"));
		ni->error_message = str_or_null(json_object_get(json_object_get(closure, "error"), "message"));
	}
	fl_free(x->nodes);
	json_decref(x->nodes_doc);
	x->nodes = nodes;
	x->n_nodes = n;
	x->nodes_doc = all;
	/* Compare the predicted keys with what the server used. */
	for (size_t p = 0; p < x->n_preds; p++) {
		flyte_cache_prediction *pr = &x->preds[p];
		const flyte_node_info *match = NULL;
		for (size_t k = 0; k < n && !match; k++)
			if (strcmp(nodes[k].node_id, pr->node_id) == 0)
				match = &nodes[k];
		for (size_t k = 0; k < n && !match; k++)
			if (nodes[k].dataset_name && strcmp(nodes[k].dataset_name, pr->dataset.name) == 0)
				match = &nodes[k];
		if (!match || !match->artifact_tag) {
			pr->matches = -1;
			continue;
		}
		pr->server_artifact_tag = match->artifact_tag;
		pr->server_dataset_version = match->dataset_version;
		pr->matches = strcmp(match->artifact_tag, pr->artifact_tag) == 0 && match->dataset_version &&
			      strcmp(match->dataset_version, pr->dataset.version) == 0;
		if (!pr->matches)
			fl_log(t, FLYTE_LOG_WARN,
			       "execution %s node %s: predicted cache key %s/%s differs from the server's %s/%s",
			       x->name, pr->node_id, pr->dataset.version, pr->artifact_tag,
			       match->dataset_version ? match->dataset_version : "?", match->artifact_tag);
	}
	return 0;
}

static int fetch_nodes(flyte_client *c, flyte_execution *x, flyte_error **error)
{
	char *base = execution_path("/api/v1/node_executions", x->project, x->domain, x->name);
	if (!base)
		return oom(error);
	json_t *all = json_array();
	char token[64] = "";
	int rc = all ? 0 : oom(error);
	do {
		char *path = fl_asprintf("%s?limit=500%s%s", base, *token ? "&token=" : "", token);
		json_t *page;
		rc = path ? get_json(c, &page, path, error) : oom(error);
		fl_free(path);
		if (rc)
			break;
		json_array_extend(all, json_object_get(page, "node_executions"));
		snprintf(token, sizeof token, "%s", str_or_null(json_object_get(page, "token")) ?: "");
		json_decref(page);
	} while (*token);
	fl_free(base);
	if (rc) {
		json_decref(all);
		return rc;
	}
	return fl_execution_apply_nodes(c->transport, x, all, error);
}

int flyte_execution_sync(flyte_client *c, flyte_execution *x, flyte_error **error)
{
	if (!c || !x)
		return fl_error(error, FLYTE_EINVALID, "execution sync: NULL argument");
	int rc = refresh_phase(c, x, error);
	if (!rc)
		rc = fetch_nodes(c, x, error);
	if (!rc && x->phase == FLYTE_PHASE_SUCCEEDED)
		rc = fetch_outputs(c, x, error);
	return rc;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int flyte_execution_wait(flyte_client *c, flyte_execution *x, long timeout_ms, long poll_interval_ms,
			 flyte_error **error)
{
	if (!c || !x || timeout_ms < 0 || poll_interval_ms < 0)
		return fl_error(error, FLYTE_EINVALID, "execution wait: bad argument");
	long interval = poll_interval_ms ? poll_interval_ms : 5000, delay = interval < 200 ? interval : 200;
	long long deadline = timeout_ms ? now_ms() + timeout_ms : 0;
	for (;;) {
		/* Only the closure while it runs: cheap polls, whatever the workflow's size. */
		int rc = refresh_phase(c, x, error);
		if (rc)
			return rc;
		if (flyte_execution_is_done(x))
			return flyte_execution_sync(c, x, error);
		long long now = now_ms();
		if (deadline && now >= deadline)
			return fl_error(error, FLYTE_ETIMEOUT, "execution %s is still %s after %ld ms", x->name,
					flyte_phase_name(x->phase), timeout_ms);
		long wait = delay;
		if (deadline && now + wait > deadline)
			wait = (long)(deadline - now);
		struct timespec ts = {wait / 1000, (wait % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		delay = delay * 2 > interval ? interval : delay * 2;
	}
}

/* ---- accessors ---- */

const char *flyte_execution_project(const flyte_execution *x)
{
	return x ? x->project : NULL;
}

const char *flyte_execution_domain(const flyte_execution *x)
{
	return x ? x->domain : NULL;
}

const char *flyte_execution_name(const flyte_execution *x)
{
	return x ? x->name : NULL;
}

flyte_execution_phase flyte_execution_phase_of(const flyte_execution *x)
{
	return x ? x->phase : FLYTE_PHASE_UNDEFINED;
}

const char *flyte_execution_error_message(const flyte_execution *x)
{
	return x ? x->error_message : NULL;
}

const flyte_literal_map *flyte_execution_inputs(const flyte_execution *x)
{
	return x ? x->inputs : NULL;
}

const flyte_literal_map *flyte_execution_outputs(const flyte_execution *x)
{
	return x && x->phase == FLYTE_PHASE_SUCCEEDED ? x->outputs : NULL;
}

size_t flyte_execution_node_count(const flyte_execution *x)
{
	return x ? x->n_nodes : 0;
}

const flyte_node_info *flyte_execution_node_at(const flyte_execution *x, size_t i)
{
	return x && i < x->n_nodes ? &x->nodes[i] : NULL;
}

size_t flyte_execution_prediction_count(const flyte_execution *x)
{
	return x ? x->n_preds : 0;
}

const flyte_cache_prediction *flyte_execution_prediction_at(const flyte_execution *x, size_t i)
{
	return x && i < x->n_preds ? &x->preds[i] : NULL;
}

int flyte_execution_console_url(char **out, const flyte_client *c, const flyte_execution *x)
{
	if (!out || !c || !x)
		return FLYTE_EINVALID;
	*out = fl_asprintf("%s/console/projects/%s/domains/%s/executions/%s", c->console, x->project, x->domain,
			   x->name);
	return *out ? 0 : FLYTE_ENOMEM;
}

/* ---- control ---- */

int flyte_execution_terminate(flyte_client *c, flyte_execution *x, const char *cause, flyte_error **error)
{
	if (!c || !x)
		return fl_error(error, FLYTE_EINVALID, "terminate: NULL argument");
	json_t *req = json_pack("{s:s}", "cause", cause ? cause : "terminated by flyteremote");
	char *body = NULL, *resp = NULL;
	char *path = execution_path("/api/v1/executions", x->project, x->domain, x->name);
	int rc = req && path ? pb_json_canonical(&body, &pb_flyteidl_admin_ExecutionTerminateRequest, req, error)
			     : oom(error);
	json_decref(req);
	/* Terminating twice ends the same way: safe to retry. */
	if (!rc)
		rc = fl_client_call(c, &resp, "DELETE", path, body, 1, error);
	fl_free(path);
	fl_free(body);
	fl_free(resp);
	return rc;
}

static int relaunch_like(flyte_client *c, flyte_execution **out, const flyte_execution *x, const char *what,
			 int overwrite_cache, flyte_error **error)
{
	if (!c || !out || !x)
		return fl_error(error, FLYTE_EINVALID, "%s: NULL argument", what);
	*out = NULL;
	char *name = generate_name(strcmp(what, "recover") == 0 ? "r" : "l");
	json_t *req = name ? json_pack("{s:{s:s,s:s,s:s},s:s}", "id", "project", x->project, "domain", x->domain,
				       "name", x->name, "name", name)
			   : NULL;
	if (req && overwrite_cache)
		json_object_set_new(req, "overwrite_cache", json_true());
	char *body = NULL, *resp = NULL, *path = fl_asprintf("/api/v1/executions/%s", what);
	int rc = req && path ? pb_json_canonical(&body, strcmp(what, "recover") == 0
								? &pb_flyteidl_admin_ExecutionRecoverRequest
								: &pb_flyteidl_admin_ExecutionRelaunchRequest,
						 req, error)
			     : oom(error);
	json_decref(req);
	/* The new name is chosen here, so a retried call cannot create two executions; a 409
	   after a retry is ours when the execution found refers to the original. */
	int attempts = 0;
	if (!rc) {
		fl_http_request hr = {.method = "POST", .url = path, .body = body, .body_len = strlen(body),
				      .idempotent = 1, .fresh_connection = 1};
		fl_http_response r;
		rc = fl_transport_send(c->transport, &hr, &r, error);
		attempts = r.attempts;
		fl_http_response_dispose(&r);
	}
	if (rc == FLYTE_EEXISTS && attempts > 1) {
		char *epath = execution_path("/api/v1/executions", x->project, x->domain, name);
		json_t *doc = NULL;
		flyte_error *lookup_err = NULL;
		if (epath && get_json(c, &doc, epath, &lookup_err) == 0) {
			json_t *ref = json_object_get(json_object_get(json_object_get(doc, "spec"), "metadata"),
						      "reference_execution");
			const char *ref_name = json_string_value(json_object_get(ref, "name"));
			if (ref_name && strcmp(ref_name, x->name) == 0) {
				rc = 0;
				if (error) {
					flyte_error_free(*error);
					*error = NULL;
				}
			}
		}
		json_decref(doc);
		flyte_error_free(lookup_err);
		fl_free(epath);
	}
	fl_free(path);
	fl_free(body);
	fl_free(resp);
	if (!rc && !(*out = new_handle(x->project, x->domain, name)))
		rc = oom(error);
	if (!rc)
		(*out)->phase = FLYTE_PHASE_QUEUED;
	fl_free(name);
	return rc;
}

int flyte_execution_relaunch(flyte_client *c, flyte_execution **out, const flyte_execution *x, int overwrite_cache,
			     flyte_error **error)
{
	return relaunch_like(c, out, x, "relaunch", overwrite_cache, error);
}

int flyte_execution_recover(flyte_client *c, flyte_execution **out, const flyte_execution *x, flyte_error **error)
{
	return relaunch_like(c, out, x, "recover", 0, error);
}

void flyte_execution_free(flyte_execution *x)
{
	if (!x)
		return;
	fl_free(x->project);
	fl_free(x->domain);
	fl_free(x->name);
	fl_free(x->error_message);
	flyte_literal_map_free(x->inputs);
	flyte_literal_map_free(x->outputs);
	fl_free(x->nodes);
	json_decref(x->nodes_doc);
	for (size_t i = 0; i < x->n_preds; i++) {
		fl_free((char *)x->preds[i].node_id);
		fl_free((char *)x->preds[i].artifact_tag);
		flyte_dataset_id_dispose(&x->preds[i].dataset);
	}
	fl_free(x->preds);
	fl_free(x);
}
