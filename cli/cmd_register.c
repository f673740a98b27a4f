/* flyte-remote register: tasks, workflows and launch plans from JSON or YAML specs, built
   with the entity builders and registered idempotently. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A task or workflow built (or fetched) during this command, for later specs to use. */
typedef struct {
	flyte_task *task;
	flyte_workflow *wf;
} built;

typedef struct {
	const cli_command *cmd;
	const cli_globals *g;
	flyte_client *client;
	built *items;
	size_t n, cap;
	json_t *lp_ids;   /* "project/domain/name:version" of launch_plan specs: no default one */
	json_t *report;   /* what was registered, for -o json */
	const char *where; /* the spec being read, for messages: "FILE: spec N" */
	const char *kind;
	const char *name;
} reg;

/* ---- messages ---- */

static int spec_error(reg *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int spec_error(reg *r, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, CLI_NAME " %s: %s", r->cmd->name, r->where);
	if (r->name)
		fprintf(stderr, " (%s %s)", r->kind, r->name);
	fprintf(stderr, ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return CLI_EXIT_USAGE;
}

static int sdk_error(reg *r, int rc, flyte_error *err, const char *what)
{
	int status;
	if (rc == FLYTE_ENOMEM || rc == FLYTE_EUNAVAILABLE || rc == FLYTE_EAUTH || rc == FLYTE_ETIMEOUT ||
	    rc == FLYTE_ERROR)
		status = cli_fail(r->cmd, rc, err, "%s", what);
	else
		status = spec_error(r, "%s: %s", what, err ? flyte_error_message(err) : flyte_error_code_name(rc));
	flyte_error_free(err);
	return status;
}

/* ---- reading fields ---- */

/* Every field of obj must be known: a misspelt one would otherwise be silently ignored. */
static int check_fields(reg *r, const json_t *obj, const char *what, const char *const *known)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v) {
		size_t i;
		for (i = 0; known[i] && strcmp(known[i], key) != 0; i++)
			;
		if (!known[i]) {
			char list[512] = "";
			for (i = 0; known[i]; i++) {
				size_t used = strlen(list);
				snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", known[i]);
			}
			return spec_error(r, "unknown field \"%s\" in %s (known: %s)", key, what, list);
		}
	}
	return CLI_CONTINUE;
}

/* A string field; integers are taken as their digits (YAML reads version: 1 as a number). */
static int get_string(reg *r, json_t *spec, const char *field, int required, const char **out)
{
	json_t *v = json_object_get(spec, field);
	*out = NULL;
	if (json_is_integer(v)) {
		char digits[32];
		snprintf(digits, sizeof digits, "%lld", (long long)json_integer_value(v));
		json_object_set_new(spec, field, json_string(digits));
		v = json_object_get(spec, field);
	}
	if (!v || json_is_null(v)) {
		if (required)
			return spec_error(r, "missing \"%s\"", field);
		return CLI_CONTINUE;
	}
	if (!json_is_string(v) || !*json_string_value(v))
		return spec_error(r, "%s: expected a non-empty string%s", field,
				  json_is_real(v) ? " (quote it in YAML, e.g. version: \"1.0\")" : "");
	*out = json_string_value(v);
	return CLI_CONTINUE;
}

/* An array of strings (a single string is a list of one). */
static int get_strings(reg *r, json_t *spec, const char *field, cli_strv *out)
{
	json_t *v = json_object_get(spec, field);
	if (!v || json_is_null(v))
		return CLI_CONTINUE;
	if (json_is_string(v))
		return cli_strv_add(out, json_string_value(v)) ? cli_fail(r->cmd, FLYTE_ENOMEM, NULL, "%s", field)
							       : CLI_CONTINUE;
	if (!json_is_array(v))
		return spec_error(r, "%s: expected a list of strings", field);
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item) {
		if (!json_is_string(item))
			return spec_error(r, "%s[%zu]: expected a string (quote it in YAML)", field, i);
		if (cli_strv_add(out, json_string_value(item)))
			return cli_fail(r->cmd, FLYTE_ENOMEM, NULL, "%s", field);
	}
	return CLI_CONTINUE;
}

static int get_object(reg *r, json_t *spec, const char *field, json_t **out)
{
	*out = json_object_get(spec, field);
	if (*out && json_is_null(*out))
		*out = NULL;
	if (*out && !json_is_object(*out))
		return spec_error(r, "%s: expected a mapping", field);
	return CLI_CONTINUE;
}

/* The id of a spec: name and version (required unless defaults are given), project and
   domain (default: the client's). */
static int get_id(reg *r, json_t *spec, flyte_resource_type type, flyte_identifier *id, const char *def_name,
		  const char *def_version)
{
	int st;
	memset(id, 0, sizeof *id);
	id->resource_type = type;
	if ((st = get_string(r, spec, "name", !def_name, &id->name)) != CLI_CONTINUE ||
	    (st = get_string(r, spec, "version", !def_version, &id->version)) != CLI_CONTINUE ||
	    (st = get_string(r, spec, "project", 0, &id->project)) != CLI_CONTINUE ||
	    (st = get_string(r, spec, "domain", 0, &id->domain)) != CLI_CONTINUE)
		return st;
	if (!id->name)
		id->name = def_name;
	if (!id->version)
		id->version = def_version;
	if (!id->project)
		id->project = flyte_client_project(r->client);
	if (!id->domain)
		id->domain = flyte_client_domain(r->client);
	r->name = id->name;
	return CLI_CONTINUE;
}

/* ---- entities of this command, and fetched ones ---- */

static int keep(reg *r, flyte_task *task, flyte_workflow *wf)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		built *items = realloc(r->items, cap * sizeof *items);
		if (!items) {
			flyte_task_free(task);
			flyte_workflow_free(wf);
			return cli_fail(r->cmd, FLYTE_ENOMEM, NULL, "%s", r->where);
		}
		r->items = items;
		r->cap = cap;
	}
	r->items[r->n].task = task;
	r->items[r->n].wf = wf;
	r->n++;
	return CLI_CONTINUE;
}

static int same_id(flyte_identifier a, const char *project, const char *domain, const char *name,
		   const char *version)
{
	return strcmp(a.project, project) == 0 && strcmp(a.domain, domain) == 0 && strcmp(a.name, name) == 0 &&
	       (!version || strcmp(a.version, version) == 0);
}

/* The newest matching entity of this command, or NULL. */
static const built *find_built(reg *r, flyte_resource_type type, const char *project, const char *domain,
			       const char *name, const char *version)
{
	for (size_t i = r->n; i-- > 0;) {
		const built *b = &r->items[i];
		if (type == FLYTE_RESOURCE_TASK && b->task &&
		    same_id(flyte_task_id(b->task), project, domain, name, version))
			return b;
		if (type == FLYTE_RESOURCE_WORKFLOW && b->wf &&
		    same_id(flyte_workflow_id(b->wf), project, domain, name, version))
			return b;
	}
	return NULL;
}

/* A registered task as a flyte_task: its TaskTemplate out of the admin.Task. */
static int task_of_entity(reg *r, const flyte_entity *e, flyte_task **out)
{
	json_t *doc = json_loads(flyte_entity_json(e), 0, NULL);
	json_t *tmpl = cli_json_get(cli_json_get(cli_json_get(doc, "closure"), "compiled_task"), "template");
	char *text = tmpl ? json_dumps(tmpl, JSON_COMPACT) : NULL;
	flyte_error *err = NULL;
	int rc = text ? flyte_task_from_json(out, text, strlen(text), &err) : FLYTE_EINVALID;
	free(text);
	json_decref(doc);
	if (rc)
		return sdk_error(r, rc, err, "reading the registered task");
	return CLI_CONTINUE;
}

/*
 * A registered workflow as a flyte_workflow that only carries its id and interface: all
 * that flyte_launch_plan_new() reads. (The API has no flyte_workflow_from_json.)
 */
static int workflow_of_entity(reg *r, const flyte_entity *e, flyte_workflow **out)
{
	flyte_identifier id = flyte_entity_id(e);
	flyte_error *err = NULL;
	int rc = flyte_workflow_new(out, &id, flyte_entity_interface(e), &err);
	return rc ? sdk_error(r, rc, err, "reading the registered workflow") : CLI_CONTINUE;
}

/* The task or workflow that `ref` ("NAME[:VERSION]") names: of this command, else fetched. */
static int resolve(reg *r, built *out, flyte_resource_type type, const char *project, const char *domain,
		   const char *ref, const char *field)
{
	char *buf;
	const char *name, *version;
	int rc = cli_split_ref(&buf, &name, &version, ref);
	int st = CLI_CONTINUE;
	if (rc) {
		free(buf);
		return rc == FLYTE_EINVALID ? spec_error(r, "%s: \"%s\" is not NAME[:VERSION]", field, ref)
					    : cli_fail(r->cmd, rc, NULL, "%s", field);
	}
	const built *found = find_built(r, type, project, domain, name, version);
	if (found) {
		*out = *found;
	} else {
		flyte_identifier id = {type, project, domain, name, version, NULL};
		flyte_entity *e = NULL;
		flyte_error *err = NULL;
		flyte_task *task = NULL;
		flyte_workflow *wf = NULL;
		rc = cli_fetch_exact(r->client, &e, &id, &err);
		if (rc == FLYTE_ENOTFOUND)
			st = spec_error(r, "%s: %s %s is neither registered in %s/%s nor defined earlier in this "
					   "command",
					field, cli_resource_name(type), ref, project, domain);
		else if (rc)
			st = cli_fail(r->cmd, rc, err, "%s: fetching %s %s", r->where, cli_resource_name(type), ref);
		else if (type == FLYTE_RESOURCE_TASK)
			st = task_of_entity(r, e, &task);
		else
			st = workflow_of_entity(r, e, &wf);
		flyte_error_free(err);
		flyte_entity_free(e);
		if (st == CLI_CONTINUE && (st = keep(r, task, wf)) == CLI_CONTINUE)
			*out = r->items[r->n - 1];
	}
	free(buf);
	return st;
}

/* ---- registering ---- */

static const char *entity_json_kind(flyte_resource_type type)
{
	return type == FLYTE_RESOURCE_TASK ? "task" : type == FLYTE_RESOURCE_WORKFLOW ? "workflow" : "launch_plan";
}

static int call_register(reg *r, flyte_resource_type type, const void *entity, flyte_error **err)
{
	switch (type) {
	case FLYTE_RESOURCE_TASK: return flyte_register_task(r->client, entity, err);
	case FLYTE_RESOURCE_WORKFLOW: return flyte_register_workflow(r->client, entity, err);
	default: return flyte_register_launch_plan(r->client, entity, err);
	}
}

static int conflict(reg *r, flyte_resource_type type, const flyte_identifier *id, flyte_error *err)
{
	fprintf(stderr,
		CLI_NAME " %s: %s: a different %s %s is already registered under version \"%s\"%s%s\n"
		"Registered versions cannot change: give the spec a new version (e.g. version: \"%s-2\") and register "
		"again.\n",
		r->cmd->name, r->where, cli_resource_name(type), id->name, id->version, err ? ": " : "",
		err ? flyte_error_message(err) : "", id->version);
	flyte_error_free(err);
	return CLI_EXIT_USAGE;
}

/*
 * Registers one entity. The SDK treats an identical one already there as success; a
 * fetch first tells the two cases apart, so that the user hears which it was.
 */
static int register_entity(reg *r, flyte_resource_type type, const flyte_identifier *id, const void *entity,
			   const char *note)
{
	flyte_entity *e = NULL;
	flyte_error *err = NULL;
	int rc = flyte_fetch(r->client, &e, id, &err);
	int existed = rc == 0;
	flyte_entity_free(e);
	if (rc && rc != FLYTE_ENOTFOUND) {
		int st = cli_fail(r->cmd, rc, err, "%s: %s %s:%s", r->where, cli_resource_name(type), id->name,
				  id->version);
		flyte_error_free(err);
		return st;
	}
	flyte_error_free(err);
	err = NULL;
	rc = call_register(r, type, entity, &err);
	if (rc == FLYTE_EEXISTS)
		return conflict(r, type, id, err);
	if (rc)
		return sdk_error(r, rc, err, "registering");
	if (!r->g->json)
		printf("%-12s %s %s/%s/%s:%s%s\n", existed ? "unchanged" : "registered", cli_resource_name(type),
		       id->project, id->domain, id->name, id->version,
		       existed ? " (already registered, identical)" : note ? note : "");
	json_array_append_new(r->report,
			      json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kind", entity_json_kind(type), "project",
					id->project, "domain", id->domain, "name", id->name, "version", id->version,
					"status", existed ? "already_registered" : "registered"));
	return CLI_CONTINUE;
}

/* ---- tasks ---- */

static int task_interface(reg *r, json_t *spec, flyte_typed_interface **out)
{
	flyte_variable_map *in = NULL, *outs = NULL;
	cli_why why;
	json_t *vin, *vout;
	int st;
	*out = NULL;
	if ((st = get_object(r, spec, "inputs", &vin)) != CLI_CONTINUE ||
	    (st = get_object(r, spec, "outputs", &vout)) != CLI_CONTINUE)
		return st;
	if (cli_variables_from_json(&in, vin, &why))
		st = spec_error(r, "inputs.%s", why.text);
	else if (cli_variables_from_json(&outs, vout, &why))
		st = spec_error(r, "outputs.%s", why.text);
	else if (flyte_typed_interface_new(out, in, outs))
		st = cli_fail(r->cmd, FLYTE_ENOMEM, NULL, "%s", r->where);
	flyte_variable_map_free(in);
	flyte_variable_map_free(outs);
	return st;
}

static int task_cache(reg *r, json_t *spec, flyte_task *task)
{
	json_t *v = json_object_get(spec, "cache");
	flyte_cache_options o;
	cli_strv ignored = {0};
	flyte_cache_options_init(&o, FLYTE_CACHE_OPTIONS_VERSION);
	if (!v || json_is_false(v) || json_is_null(v))
		return CLI_CONTINUE;
	o.enabled = 1;
	if (json_is_string(v)) {
		o.cache_version = json_string_value(v);
	} else if (json_is_object(v)) {
		static const char *const known[] = {"version", "serialize", "ignore_inputs", NULL};
		int st = check_fields(r, v, "cache", known);
		json_t *ser = json_object_get(v, "serialize");
		if (st == CLI_CONTINUE)
			st = get_string(r, v, "version", 0, &o.cache_version);
		if (st == CLI_CONTINUE && ser && !json_is_boolean(ser))
			st = spec_error(r, "cache.serialize: expected true or false");
		if (st == CLI_CONTINUE)
			st = get_strings(r, v, "ignore_inputs", &ignored);
		if (st != CLI_CONTINUE) {
			cli_strv_free(&ignored);
			return st;
		}
		o.serialize = json_is_true(ser);
		o.ignored_inputs = (const char *const *)ignored.items;
		o.n_ignored_inputs = ignored.n;
	} else if (!json_is_true(v)) {
		return spec_error(r, "cache: expected true, a cache version string, or a mapping with version");
	}
	flyte_error *err = NULL;
	int rc = flyte_task_set_cache(task, &o, &err);
	cli_strv_free(&ignored);
	return rc ? sdk_error(r, rc, err, "cache") : CLI_CONTINUE;
}

static int task_timeout(reg *r, json_t *spec, flyte_task *task)
{
	json_t *v = json_object_get(spec, "timeout");
	int64_t secs;
	int32_t ns;
	cli_why why;
	if (!v || json_is_null(v))
		return CLI_CONTINUE;
	if (json_is_integer(v)) {
		secs = json_integer_value(v);
	} else if (!json_is_string(v)) {
		return spec_error(r, "timeout: expected a duration such as \"30s\" or \"1h\"");
	} else if (cli_parse_duration(&secs, &ns, json_string_value(v), &why)) {
		return spec_error(r, "timeout: %s", why.text);
	} else if (ns > 0) {
		secs++; /* the API counts whole seconds: never cut a limit short */
	}
	if (secs < 0)
		return spec_error(r, "timeout: must not be negative");
	return flyte_task_set_timeout(task, secs) ? spec_error(r, "timeout: out of range") : CLI_CONTINUE;
}

static int task_env_and_retries(reg *r, json_t *spec, flyte_task *task)
{
	json_t *env, *retries = json_object_get(spec, "retries");
	int st = get_object(r, spec, "env", &env);
	const char *key;
	json_t *v;
	if (st != CLI_CONTINUE)
		return st;
	json_object_foreach(env, key, v) {
		if (!json_is_string(v))
			return spec_error(r, "env.%s: expected a string (quote it in YAML)", key);
		if (flyte_task_set_env(task, key, json_string_value(v)))
			return spec_error(r, "env.%s: not a valid variable", key);
	}
	if (retries && (!json_is_integer(retries) || json_integer_value(retries) < 0 ||
			json_integer_value(retries) > 1000))
		return spec_error(r, "retries: expected a number from 0 to 1000");
	if (retries)
		flyte_task_set_retries(task, (unsigned int)json_integer_value(retries));
	return CLI_CONTINUE;
}

static int task_data_config(reg *r, json_t *spec, flyte_task *task)
{
	json_t *dc;
	const char *in = NULL, *out = NULL;
	int st = get_object(r, spec, "data_config", &dc);
	if (st != CLI_CONTINUE || !dc)
		return st;
	if ((st = get_string(r, dc, "input_path", 0, &in)) != CLI_CONTINUE ||
	    (st = get_string(r, dc, "output_path", 0, &out)) != CLI_CONTINUE)
		return st;
	if (flyte_task_set_data_config(task, in ? in : "/var/inputs", out ? out : "/var/outputs"))
		return spec_error(r, "data_config: invalid paths");
	return CLI_CONTINUE;
}

static int build_task(reg *r, json_t *spec, flyte_task **task, flyte_identifier *id)
{
	static const char *const known[] = {"kind",    "name",    "version", "project", "domain",  "image",
					    "command", "args",    "inputs",  "outputs", "cache",   "retries",
					    "timeout", "env",     "data_config", NULL};
	const char *image;
	cli_strv command = {0}, args = {0};
	flyte_typed_interface *iface = NULL;
	int st = check_fields(r, spec, "a task", known);
	*task = NULL;
	if (st == CLI_CONTINUE)
		st = get_id(r, spec, FLYTE_RESOURCE_TASK, id, NULL, NULL);
	if (st == CLI_CONTINUE)
		st = get_string(r, spec, "image", 1, &image);
	if (st == CLI_CONTINUE)
		st = get_strings(r, spec, "command", &command);
	if (st == CLI_CONTINUE && command.n == 0)
		st = spec_error(r, "missing \"command\" (e.g. command: [sh, -c])");
	if (st == CLI_CONTINUE)
		st = get_strings(r, spec, "args", &args);
	if (st == CLI_CONTINUE)
		st = task_interface(r, spec, &iface);
	if (st == CLI_CONTINUE) {
		flyte_error *err = NULL;
		int rc = flyte_task_new_raw_container(task, id, image, (const char *const *)command.items, command.n,
						      (const char *const *)args.items, args.n, iface, &err);
		if (rc)
			st = sdk_error(r, rc, err, "building the task");
	}
	if (st == CLI_CONTINUE && (st = task_cache(r, spec, *task)) == CLI_CONTINUE &&
	    (st = task_timeout(r, spec, *task)) == CLI_CONTINUE &&
	    (st = task_env_and_retries(r, spec, *task)) == CLI_CONTINUE)
		st = task_data_config(r, spec, *task);
	if (st != CLI_CONTINUE) {
		flyte_task_free(*task);
		*task = NULL;
	}
	flyte_typed_interface_free(iface);
	cli_strv_free(&command);
	cli_strv_free(&args);
	return st;
}

static int do_task(reg *r, json_t *spec)
{
	flyte_task *task;
	flyte_identifier id;
	int st = build_task(r, spec, &task, &id);
	if (st != CLI_CONTINUE)
		return st;
	st = register_entity(r, FLYTE_RESOURCE_TASK, &id, task, NULL);
	if (st != CLI_CONTINUE) {
		flyte_task_free(task);
		return st;
	}
	return keep(r, task, NULL);
}

/* ---- workflows ---- */

typedef struct {
	const char *id;
	const flyte_task *task;
} wf_node;

static const wf_node *find_node(const wf_node *nodes, size_t n, const char *id, size_t id_len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(nodes[i].id) == id_len && strncmp(nodes[i].id, id, id_len) == 0)
			return &nodes[i];
	return NULL;
}

/*
 * One node input: "inputs.X" (a workflow input), "NODE.OUTPUT" (an earlier node's output),
 * {"value": V} or any other value (a constant typed by the task's input).
 */
static int node_binding(reg *r, flyte_binding *b, flyte_literal **constant, const wf_node *nodes, size_t n_nodes,
			const flyte_variable_map *wf_inputs, const flyte_variable_map *task_inputs, const char *field,
			const json_t *v)
{
	memset(b, 0, sizeof *b);
	*constant = NULL;
	const char *s = json_string_value(v), *dot = s ? strchr(s, '.') : NULL;
	if (dot && strncmp(s, "inputs.", 7) == 0 && flyte_variable_map_type(wf_inputs, dot + 1)) {
		b->from_var = dot + 1;
		return CLI_CONTINUE;
	}
	if (dot && find_node(nodes, n_nodes, s, (size_t)(dot - s))) {
		b->from_node = find_node(nodes, n_nodes, s, (size_t)(dot - s))->id;
		b->from_var = dot + 1;
		return CLI_CONTINUE;
	}
	if (dot && strncmp(s, "inputs.", 7) == 0)
		return spec_error(r, "%s: the workflow has no input \"%s\"", field, dot + 1);
	const char *name = strrchr(field, '.') + 1;
	const flyte_literal_type *type = flyte_variable_map_type(task_inputs, name);
	if (!type)
		return CLI_CONTINUE; /* the SDK names the unknown input */
	const json_t *value = json_is_object(v) && json_object_size(v) == 1 && json_object_get(v, "value")
				      ? json_object_get(v, "value")
				      : v;
	cli_why why;
	if (cli_value_from_json(constant, type, value, &why))
		return spec_error(r, "%s: %s (a reference is \"inputs.NAME\" or \"NODE.OUTPUT\" of an earlier node)",
				  field, why.text);
	b->value = *constant;
	return CLI_CONTINUE;
}

static int add_node(reg *r, flyte_workflow *wf, const wf_node *nodes, const json_t *node,
		    const flyte_variable_map *wf_inputs, size_t index)
{
	json_t *inputs = json_object_get(node, "inputs");
	size_t n = json_object_size(inputs), i = 0;
	flyte_binding *b = calloc(n ? n : 1, sizeof *b);
	flyte_literal **constants = calloc(n ? n : 1, sizeof *constants);
	const flyte_variable_map *task_inputs = flyte_typed_interface_inputs(flyte_task_interface(nodes[index].task));
	int st = b && constants ? CLI_CONTINUE : cli_fail(r->cmd, FLYTE_ENOMEM, NULL, "%s", r->where);
	const char *key;
	json_t *v;
	if (inputs && !json_is_object(inputs))
		st = spec_error(r, "nodes[%zu].inputs: expected a mapping of task input -> source", index);
	json_object_foreach(inputs, key, v) {
		char field[256];
		if (st != CLI_CONTINUE)
			break;
		snprintf(field, sizeof field, "nodes[%zu].inputs.%s", index, key);
		st = node_binding(r, &b[i], &constants[i], nodes, index, wf_inputs, task_inputs, field, v);
		b[i++].name = key;
	}
	if (st == CLI_CONTINUE) {
		flyte_error *err = NULL;
		int rc = flyte_workflow_add_task_node(wf, nodes[index].id, nodes[index].task, b, i, &err);
		if (rc) {
			char what[128];
			snprintf(what, sizeof what, "nodes[%zu] (%s)", index, nodes[index].id);
			st = sdk_error(r, rc, err, what);
		}
	}
	for (size_t k = 0; constants && k < n; k++)
		flyte_literal_free(constants[k]);
	free(constants);
	free(b);
	return st;
}

/* Resolves every node's id and task; nodes[] is filled in order. */
static int read_nodes(reg *r, const json_t *list, wf_node *nodes, const char *project, const char *domain)
{
	static const char *const known[] = {"id", "task", "inputs", NULL};
	size_t i;
	json_t *node;
	json_array_foreach(list, i, node) {
		const char *task_ref;
		built t;
		char field[64];
		int st;
		if (!json_is_object(node))
			return spec_error(r, "nodes[%zu]: expected a mapping with id, task and inputs", i);
		snprintf(field, sizeof field, "nodes[%zu]", i);
		st = check_fields(r, node, field, known);
		snprintf(field, sizeof field, "nodes[%zu].task", i);
		if (st != CLI_CONTINUE || (st = get_string(r, node, "id", 1, &nodes[i].id)) != CLI_CONTINUE ||
		    (st = get_string(r, node, "task", 1, &task_ref)) != CLI_CONTINUE)
			return st;
		if (find_node(nodes, i, nodes[i].id, strlen(nodes[i].id)))
			return spec_error(r, "nodes[%zu]: node id \"%s\" is used twice", i, nodes[i].id);
		if ((st = resolve(r, &t, FLYTE_RESOURCE_TASK, project, domain, task_ref, field)) != CLI_CONTINUE)
			return st;
		nodes[i].task = t.task;
	}
	return CLI_CONTINUE;
}

/* The workflow's outputs: "NODE.OUTPUT" each, typed by that node's task. */
static int output_types(reg *r, const json_t *outputs, const wf_node *nodes, size_t n, flyte_variable_map *vm)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)outputs, key, v) {
		const char *s = json_string_value(v), *dot = s ? strchr(s, '.') : NULL;
		const wf_node *node = dot ? find_node(nodes, n, s, (size_t)(dot - s)) : NULL;
		const flyte_literal_type *t =
			node ? flyte_variable_map_type(
				       flyte_typed_interface_outputs(flyte_task_interface(node->task)), dot + 1)
			     : NULL;
		if (!t)
			return spec_error(r, "outputs.%s: expected \"NODE.OUTPUT\" naming a node and one of its task's "
					     "outputs",
					  key);
		if (flyte_variable_map_add(vm, key, t, NULL))
			return cli_fail(r->cmd, FLYTE_ENOMEM, NULL, "%s", r->where);
	}
	return CLI_CONTINUE;
}

static int bind_outputs(reg *r, flyte_workflow *wf, const json_t *outputs)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)outputs, key, v) {
		const char *s = json_string_value(v), *dot = strchr(s, '.');
		char *node = strndup(s, (size_t)(dot - s));
		flyte_binding b = {key, node, dot + 1, NULL};
		flyte_error *err = NULL;
		int rc = node ? flyte_workflow_bind_output(wf, &b, &err) : FLYTE_ENOMEM;
		free(node);
		if (rc) {
			char what[256];
			snprintf(what, sizeof what, "outputs.%s", key);
			return sdk_error(r, rc, err, what);
		}
	}
	return CLI_CONTINUE;
}

/* The workflow itself: its declared inputs (*in, for the nodes' bindings), its outputs typed
   by the nodes' tasks (*outputs), no nodes yet. */
static int new_workflow(reg *r, json_t *spec, const wf_node *nodes, size_t n, const flyte_identifier *id,
			flyte_variable_map **in, json_t **outputs, flyte_workflow **wf)
{
	json_t *vin;
	flyte_variable_map *out = NULL;
	flyte_typed_interface *iface = NULL;
	cli_why why;
	int st = get_object(r, spec, "inputs", &vin);
	if (st == CLI_CONTINUE)
		st = get_object(r, spec, "outputs", outputs);
	if (st == CLI_CONTINUE && cli_variables_from_json(in, vin, &why))
		st = spec_error(r, "inputs.%s", why.text);
	if (st == CLI_CONTINUE && flyte_variable_map_new(&out))
		st = cli_fail(r->cmd, FLYTE_ENOMEM, NULL, "%s", r->where);
	if (st == CLI_CONTINUE)
		st = output_types(r, *outputs, nodes, n, out);
	if (st == CLI_CONTINUE && flyte_typed_interface_new(&iface, *in, out))
		st = cli_fail(r->cmd, FLYTE_ENOMEM, NULL, "%s", r->where);
	if (st == CLI_CONTINUE) {
		flyte_error *err = NULL;
		int rc = flyte_workflow_new(wf, id, iface, &err);
		if (rc)
			st = sdk_error(r, rc, err, "building the workflow");
	}
	flyte_typed_interface_free(iface);
	flyte_variable_map_free(out);
	return st;
}

static int build_workflow(reg *r, json_t *spec, flyte_workflow **wf, flyte_identifier *id)
{
	static const char *const known[] = {"kind",   "name",    "version", "project",     "domain",
					    "inputs", "outputs", "nodes",   "launch_plan", NULL};
	json_t *outputs = NULL, *list = json_object_get(spec, "nodes");
	flyte_variable_map *in = NULL;
	size_t n = json_array_size(list);
	wf_node *nodes = calloc(n ? n : 1, sizeof *nodes);
	int st = check_fields(r, spec, "a workflow", known);
	*wf = NULL;
	if (st == CLI_CONTINUE)
		st = get_id(r, spec, FLYTE_RESOURCE_WORKFLOW, id, NULL, NULL);
	if (st == CLI_CONTINUE && (!json_is_array(list) || n == 0))
		st = spec_error(r, "nodes: expected a list of nodes (id, task, inputs)");
	if (st == CLI_CONTINUE && !nodes)
		st = cli_fail(r->cmd, FLYTE_ENOMEM, NULL, "%s", r->where);
	if (st == CLI_CONTINUE)
		st = read_nodes(r, list, nodes, id->project, id->domain);
	if (st == CLI_CONTINUE)
		st = new_workflow(r, spec, nodes, n, id, &in, &outputs, wf);
	for (size_t i = 0; st == CLI_CONTINUE && i < n; i++)
		st = add_node(r, *wf, nodes, json_array_get(list, i), in, i);
	if (st == CLI_CONTINUE)
		st = bind_outputs(r, *wf, outputs);
	if (st != CLI_CONTINUE) {
		flyte_workflow_free(*wf);
		*wf = NULL;
	}
	flyte_variable_map_free(in);
	free(nodes);
	return st;
}

static int lp_key(char *out, size_t size, const char *project, const char *domain, const char *name,
		  const char *version)
{
	return snprintf(out, size, "%s/%s/%s:%s", project, domain, name, version) >= (int)size;
}

/* Flyte runs a workflow through the launch plan of the same id: register it (with no
   defaults) unless the spec says not to or a launch_plan spec of this command is it. */
static int default_launch_plan(reg *r, json_t *spec, const flyte_workflow *wf, const flyte_identifier *id)
{
	char key[1024];
	json_t *want = json_object_get(spec, "launch_plan");
	if (want && !json_is_boolean(want))
		return spec_error(r, "launch_plan: expected true or false");
	if (json_is_false(want) ||
	    (!lp_key(key, sizeof key, id->project, id->domain, id->name, id->version) &&
	     json_object_get(r->lp_ids, key)))
		return CLI_CONTINUE;
	flyte_launch_plan *lp = NULL;
	flyte_identifier lp_id = *id;
	flyte_error *err = NULL;
	lp_id.resource_type = FLYTE_RESOURCE_LAUNCH_PLAN;
	int rc = flyte_launch_plan_new(&lp, &lp_id, wf, &err);
	int st = rc ? sdk_error(r, rc, err, "building the default launch plan")
		    : register_entity(r, FLYTE_RESOURCE_LAUNCH_PLAN, &lp_id, lp, " (the workflow's default)");
	flyte_launch_plan_free(lp);
	return st;
}

static int do_workflow(reg *r, json_t *spec)
{
	flyte_workflow *wf;
	flyte_identifier id;
	int st = build_workflow(r, spec, &wf, &id);
	if (st != CLI_CONTINUE)
		return st;
	st = register_entity(r, FLYTE_RESOURCE_WORKFLOW, &id, wf, NULL);
	if (st == CLI_CONTINUE)
		st = default_launch_plan(r, spec, wf, &id);
	if (st != CLI_CONTINUE) {
		flyte_workflow_free(wf);
		return st;
	}
	return keep(r, NULL, wf);
}

/* ---- launch plans ---- */

static int lp_inputs(reg *r, json_t *spec, flyte_launch_plan *lp, const flyte_workflow *wf, int fixed)
{
	const char *field = fixed ? "fixed" : "defaults";
	const flyte_variable_map *declared = flyte_typed_interface_inputs(flyte_workflow_interface(wf));
	json_t *values;
	int st = get_object(r, spec, field, &values);
	const char *key;
	json_t *v;
	json_object_foreach(values, key, v) {
		const flyte_literal_type *type = flyte_variable_map_type(declared, key);
		flyte_literal *lit = NULL;
		flyte_error *err = NULL;
		cli_why why;
		char what[256];
		if (st != CLI_CONTINUE)
			break;
		if (!type)
			return spec_error(r, "%s.%s: the workflow has no input \"%s\"", field, key, key);
		if (cli_value_from_json(&lit, type, v, &why))
			return spec_error(r, "%s.%s: %s", field, key, why.text);
		int rc = fixed ? flyte_launch_plan_set_fixed(lp, key, lit, &err)
			       : flyte_launch_plan_set_default(lp, key, lit, &err);
		flyte_literal_free(lit);
		snprintf(what, sizeof what, "%s.%s", field, key);
		if (rc)
			st = sdk_error(r, rc, err, what);
	}
	return st;
}

static int do_launch_plan(reg *r, json_t *spec)
{
	static const char *const known[] = {"kind",     "name",     "version", "project", "domain",
					    "workflow", "defaults", "fixed",   NULL};
	const char *wf_ref, *project, *domain;
	built b;
	flyte_identifier id;
	flyte_launch_plan *lp = NULL;
	int st = check_fields(r, spec, "a launch plan", known);
	if (st == CLI_CONTINUE && (st = get_string(r, spec, "workflow", 1, &wf_ref)) == CLI_CONTINUE &&
	    (st = get_string(r, spec, "project", 0, &project)) == CLI_CONTINUE &&
	    (st = get_string(r, spec, "domain", 0, &domain)) == CLI_CONTINUE)
		st = resolve(r, &b, FLYTE_RESOURCE_WORKFLOW, project ? project : flyte_client_project(r->client),
			     domain ? domain : flyte_client_domain(r->client), wf_ref, "workflow");
	if (st != CLI_CONTINUE)
		return st;
	flyte_identifier wf_id = flyte_workflow_id(b.wf);
	if ((st = get_id(r, spec, FLYTE_RESOURCE_LAUNCH_PLAN, &id, wf_id.name, wf_id.version)) != CLI_CONTINUE)
		return st;
	flyte_error *err = NULL;
	int rc = flyte_launch_plan_new(&lp, &id, b.wf, &err);
	st = rc ? sdk_error(r, rc, err, "building the launch plan") : lp_inputs(r, spec, lp, b.wf, 0);
	if (st == CLI_CONTINUE)
		st = lp_inputs(r, spec, lp, b.wf, 1);
	if (st == CLI_CONTINUE)
		st = register_entity(r, FLYTE_RESOURCE_LAUNCH_PLAN, &id, lp, NULL);
	flyte_launch_plan_free(lp);
	return st;
}

/* ---- the command ---- */

static const char *kind_of(const json_t *spec)
{
	const char *k = json_string_value(json_object_get(spec, "kind"));
	if (!k)
		return NULL;
	if (strcmp(k, "task") == 0 || strcmp(k, "workflow") == 0)
		return k;
	if (strcmp(k, "launch_plan") == 0 || strcmp(k, "launch-plan") == 0 || strcmp(k, "launchplan") == 0)
		return "launch_plan";
	return NULL;
}

/* The ids the launch_plan specs will have, so that their workflows get no default one. */
static void scan_launch_plans(reg *r, json_t *docs)
{
	size_t i;
	json_t *spec;
	json_array_foreach(docs, i, spec) {
		const char *kind = kind_of(spec);
		const char *wf = json_string_value(json_object_get(spec, "workflow"));
		if (!kind || strcmp(kind, "launch_plan") != 0 || !wf)
			continue;
		char *buf = NULL, key[1024];
		const char *wf_name, *wf_version;
		if (cli_split_ref(&buf, &wf_name, &wf_version, wf)) {
			free(buf);
			continue;
		}
		const char *p = json_string_value(json_object_get(spec, "project")),
			   *d = json_string_value(json_object_get(spec, "domain")),
			   *n = json_string_value(json_object_get(spec, "name")),
			   *v = json_string_value(json_object_get(spec, "version"));
		/* A workflow named without a version: the one of this command, if any. */
		for (size_t k = 0; !wf_version && k < json_array_size(docs); k++) {
			json_t *o = json_array_get(docs, k);
			const char *ok = kind_of(o), *on = json_string_value(json_object_get(o, "name"));
			if (ok && strcmp(ok, "workflow") == 0 && on && strcmp(on, wf_name) == 0)
				wf_version = json_string_value(json_object_get(o, "version"));
		}
		if (!v)
			v = wf_version ? wf_version : "";
		if (!lp_key(key, sizeof key, p ? p : flyte_client_project(r->client),
			    d ? d : flyte_client_domain(r->client), n ? n : wf_name, v))
			json_object_set_new(r->lp_ids, key, json_true());
		free(buf);
	}
}

static int register_all(reg *r, json_t *docs, json_t *where)
{
	scan_launch_plans(r, docs);
	size_t i;
	json_t *spec;
	json_array_foreach(docs, i, spec) {
		const char *kind = kind_of(spec);
		int st;
		r->where = json_string_value(json_array_get(where, i));
		r->name = json_string_value(json_object_get(spec, "name"));
		r->kind = !kind ? "spec" : strcmp(kind, "launch_plan") == 0 ? "launch plan" : kind;
		if (!kind)
			st = spec_error(r, "\"kind\" must be task, workflow or launch_plan");
		else if (strcmp(kind, "task") == 0)
			st = do_task(r, spec);
		else if (strcmp(kind, "workflow") == 0)
			st = do_workflow(r, spec);
		else
			st = do_launch_plan(r, spec);
		if (st != CLI_CONTINUE)
			return st;
	}
	return CLI_CONTINUE;
}

static int parse_args(cli_globals *g, const cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_GLOBAL_OPTIONS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, st;
	while ((c = getopt_long(argc, argv, "h" CLI_GLOBAL_SHORT, opts, NULL)) != -1) {
		if (c == 'h')
			return cli_help(cmd);
		if ((st = cli_global_option(g, cmd, c, optarg)) != CLI_CONTINUE)
			return st;
	}
	if (optind >= argc)
		return cli_usage_error(cmd, "no spec file given");
	return CLI_CONTINUE;
}

static int run_register(const cli_command *cmd, int argc, char **argv)
{
	cli_globals g = cli_global_defaults;
	reg r = {.cmd = cmd, .g = &g};
	int st = parse_args(&g, cmd, argc, argv);
	json_t *docs = json_array(), *where = json_array();
	r.lp_ids = json_object();
	r.report = json_array();
	if (st == CLI_CONTINUE && (!docs || !where || !r.lp_ids || !r.report))
		st = cli_fail(cmd, FLYTE_ENOMEM, NULL, "reading the specs");
	/* Every file is read before anything is registered: a typo fails fast. */
	for (int i = optind; st == CLI_CONTINUE && i < argc; i++)
		st = cli_spec_load(docs, where, cmd, argv[i]);
	if (st == CLI_CONTINUE)
		st = cli_connect(&r.client, cmd, &g);
	if (st == CLI_CONTINUE)
		st = register_all(&r, docs, where);
	if (st == CLI_CONTINUE)
		st = g.json ? cli_print_json(cmd, json_pack("{s:O}", "entities", r.report)) : cli_finish_output(cmd);
	for (size_t i = 0; i < r.n; i++) {
		flyte_task_free(r.items[i].task);
		flyte_workflow_free(r.items[i].wf);
	}
	free(r.items);
	json_decref(r.lp_ids);
	json_decref(r.report);
	json_decref(docs);
	json_decref(where);
	flyte_client_free(r.client);
	return st;
}

const cli_command cli_cmd_register = {
	.name = "register",
	.summary = "Register tasks, workflows and launch plans from JSON or YAML specs.",
	.args = "[OPTIONS] FILE...",
	.remote = 1,
	.help = "Each FILE ('-' = standard input) holds one spec, a list of specs, or (YAML) several\n"
		"documents. Specs are registered in order; a later spec may use an entity of an earlier\n"
		"one or one already registered. Registering is idempotent: an identical entity that is\n"
		"already there is success (\"unchanged\"). A different one under the same version is an\n"
		"error (exit 2): registered versions never change, so bump the version.\n"
		"\n"
		"Task (a raw container; the dev server runs command and args as a local process):\n"
		"  kind: task\n"
		"  name: add                  # required\n"
		"  version: \"1\"               # required\n"
		"  project: P, domain: D      # optional, default --project / --domain\n"
		"  image: alpine:3            # required\n"
		"  command: [sh, -c]          # required\n"
		"  args: [\"echo $(( {{.inputs.a}} + {{.inputs.b}} )) > {{.outputPrefix}}/sum\"]\n"
		"  inputs: {a: integer, b: integer}     # name -> type (see Types)\n"
		"  outputs: {sum: integer}\n"
		"  cache: {version: \"1\", serialize: false, ignore_inputs: [b]}\n"
		"                             # or cache: \"1\" (the version); cache: true needs a version\n"
		"  retries: 1\n"
		"  timeout: 30s               # or 1h30m, or seconds\n"
		"  env: {KEY: value}\n"
		"  data_config: {input_path: /var/inputs, output_path: /var/outputs}\n"
		"\n"
		"Workflow (its default launch plan, same name and version, is registered with it\n"
		"unless launch_plan: false or a launch_plan spec of this command has that id):\n"
		"  kind: workflow\n"
		"  name: pipeline\n"
		"  version: \"1\"\n"
		"  inputs: {a: integer, b: integer}\n"
		"  nodes:\n"
		"    - id: n0\n"
		"      task: add:1            # NAME[:VERSION]; no version: the latest\n"
		"      inputs: {a: inputs.a, b: 2}\n"
		"    - id: n1\n"
		"      task: add\n"
		"      inputs: {a: n0.sum, b: inputs.b}\n"
		"  outputs: {total: n1.sum}   # NODE.OUTPUT; types come from the task\n"
		"A node input is \"inputs.NAME\" (a workflow input), \"NODE.OUTPUT\" (an earlier node's\n"
		"output), or a constant of the task input's type ({value: ...} forces a constant).\n"
		"\n"
		"Launch plan:\n"
		"  kind: launch_plan\n"
		"  workflow: pipeline:1       # required\n"
		"  name: pipeline-daily       # default: the workflow's name\n"
		"  version: \"1\"               # default: the workflow's version\n"
		"  defaults: {b: 10}          # the caller may override these\n"
		"  fixed: {a: 1}              # the caller may not\n"
		"\n"
		"Values (defaults, fixed, constants) are JSON/YAML values of the declared type: numbers,\n"
		"strings, true/false, RFC 3339 date-times, durations (\"90s\"), paths or URIs for blobs,\n"
		"lists and mappings.\n"
		"\n"
		"Quote YAML strings that start with '{' or hold ': ', and versions such as \"1.0\".\n"
		"\n" CLI_TYPE_HELP "\n"
		"Options:\n"
		"  -h, --help          print this help\n"
		"\n",
	.run = run_register,
};
