/* flyte-remote get / list: executions (phase, timings, nodes, cache keys), tasks,
   workflows and launch plans (interfaces, defaults, fixed inputs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_FILTER = CLI_OPT_NEXT, OPT_LIMIT };

#define DEFAULT_LIMIT 20

typedef struct {
	cli_globals g;
	const char *what;   /* execution, task, workflow, launch-plan (get); executions, tasks... (list) */
	const char *name;   /* get: the operand; list: an optional entity name */
	const char *filter; /* list: --filter */
	long limit;         /* list: --limit */
} get_args;

static int parse_get(get_args *a, const cli_command *cmd, int argc, char **argv, int is_list)
{
	static const struct option opts[] = {
		CLI_GLOBAL_OPTIONS,
		{"filter", required_argument, NULL, OPT_FILTER},
		{"limit", required_argument, NULL, OPT_LIMIT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, st;
	char *end;
	while ((c = getopt_long(argc, argv, "h" CLI_GLOBAL_SHORT, opts, NULL)) != -1) {
		if (c == 'h')
			return cli_help(cmd);
		if ((c == OPT_FILTER || c == OPT_LIMIT) && !is_list)
			return cli_bad_option(cmd);
		if (c == OPT_FILTER) {
			a->filter = optarg;
		} else if (c == OPT_LIMIT) {
			a->limit = strtol(optarg, &end, 10);
			if (*end || a->limit < 1 || a->limit > 10000)
				return cli_usage_error(cmd, "--limit %s: expected a number from 1 to 10000", optarg);
		} else if ((st = cli_global_option(&a->g, cmd, c, optarg)) != CLI_CONTINUE) {
			return st;
		}
	}
	if (optind >= argc)
		return cli_usage_error(cmd, "missing what to %s (%s)", cmd->name,
				       is_list ? "executions, tasks, workflows or launch-plans"
					       : "execution, task, workflow or launch-plan");
	a->what = argv[optind++];
	if (optind < argc)
		a->name = argv[optind++];
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!is_list && !a->name)
		return cli_usage_error(cmd, "missing the %s NAME", a->what);
	return CLI_CONTINUE;
}

/* "task" / "tasks" ... as a resource type; FLYTE_RESOURCE_UNSPECIFIED otherwise. */
static flyte_resource_type resource_of(const char *what)
{
	static const struct {
		const char *name;
		flyte_resource_type type;
	} names[] = {
		{"task", FLYTE_RESOURCE_TASK},
		{"tasks", FLYTE_RESOURCE_TASK},
		{"workflow", FLYTE_RESOURCE_WORKFLOW},
		{"workflows", FLYTE_RESOURCE_WORKFLOW},
		{"launch-plan", FLYTE_RESOURCE_LAUNCH_PLAN},
		{"launch-plans", FLYTE_RESOURCE_LAUNCH_PLAN},
		{"launch_plan", FLYTE_RESOURCE_LAUNCH_PLAN},
		{"launch_plans", FLYTE_RESOURCE_LAUNCH_PLAN},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i].name, what) == 0)
			return names[i].type;
	return FLYTE_RESOURCE_UNSPECIFIED;
}

static const char *text_or(const json_t *v, const char *fallback)
{
	return json_is_string(v) && *json_string_value(v) ? json_string_value(v) : fallback;
}

/* "3.111948270s" (proto3 JSON) as "3.112s"; "-" when absent. */
static const char *duration_text(char *out, size_t size, const json_t *v)
{
	int64_t s;
	int32_t ns;
	cli_why why;
	if (!json_is_string(v) || cli_parse_duration(&s, &ns, json_string_value(v), &why))
		return text_or(v, "-");
	ns = ns / 1000000 * 1000000;
	cli_format_duration(out, size, s, ns);
	return out;
}

/* An RFC 3339 time to the second: "2024-05-01T12:00:00Z". */
static const char *time_text(char *out, size_t size, const json_t *v)
{
	const char *t = text_or(v, "-"), *dot = strchr(t, '.');
	if (!dot || !strchr(dot, 'Z'))
		return t;
	snprintf(out, size, "%.*sZ", (int)(dot - t), t);
	return out;
}

/* ---- get execution ---- */

/* What the typed API does not carry: timings and what was launched. */
static json_t *execution_facts(flyte_client *c, const flyte_execution *x)
{
	char *path = cli_execution_path(flyte_execution_project(x), flyte_execution_domain(x), flyte_execution_name(x));
	json_t *doc = NULL;
	if (!path || cli_get_json(&doc, c, path, NULL)) {
		free(path);
		return json_object();
	}
	free(path);
	json_t *closure = cli_json_get(doc, "closure"), *lp = cli_json_get(cli_json_get(doc, "spec"), "launch_plan");
	json_t *facts = json_pack("{s:s?,s:s?,s:s?,s:s?,s:{s:s?,s:s?,s:s?}}", "created_at",
				  json_string_value(cli_json_get(closure, "created_at")), "started_at",
				  json_string_value(cli_json_get(closure, "started_at")), "updated_at",
				  json_string_value(cli_json_get(closure, "updated_at")), "duration",
				  json_string_value(cli_json_get(closure, "duration")), "launched", "resource_type",
				  json_string_value(cli_json_get(lp, "resource_type")), "name",
				  json_string_value(json_object_get(lp, "name")), "version",
				  json_string_value(json_object_get(lp, "version")));
	json_decref(doc);
	return facts ? facts : json_object();
}

static void show_facts(const json_t *f)
{
	const json_t *l = json_object_get(f, "launched");
	const char *type = text_or(json_object_get(l, "resource_type"), "?");
	printf("Launched:  %s %s:%s\n", strcmp(type, "TASK") == 0 ? "task" : "launch plan",
	       text_or(json_object_get(l, "name"), "?"), text_or(json_object_get(l, "version"), "?"));
	char buf[64];
	printf("Created:   %s\n", text_or(json_object_get(f, "created_at"), "-"));
	printf("Started:   %s\n", text_or(json_object_get(f, "started_at"), "-"));
	printf("Updated:   %s\n", text_or(json_object_get(f, "updated_at"), "-"));
	printf("Duration:  %s\n", duration_text(buf, sizeof buf, json_object_get(f, "duration")));
}

static int get_execution(const cli_command *cmd, const get_args *a, flyte_client *c)
{
	flyte_execution *x = NULL;
	flyte_error *err = NULL;
	int st = CLI_CONTINUE;
	int rc = flyte_execution_get(c, &x, a->g.project, a->g.domain, a->name, &err);
	if (!rc)
		rc = flyte_execution_sync(c, x, &err);
	if (rc) {
		st = cli_fail(cmd, rc, err, "execution %s", a->name);
	} else {
		json_t *facts = execution_facts(c, x);
		if (a->g.json) {
			json_t *doc = cli_execution_json(c, x);
			json_object_update(doc, facts);
			st = cli_print_json(cmd, doc);
		} else {
			cli_show_outcome(c, x);
			show_facts(facts);
			st = cli_finish_output(cmd);
		}
		json_decref(facts);
	}
	flyte_error_free(err);
	flyte_execution_free(x);
	return st;
}

/* ---- get task / workflow / launch-plan ---- */

static json_t *variables_json(const flyte_variable_map *vm)
{
	json_t *obj = json_object();
	for (size_t i = 0; obj && vm && i < flyte_variable_map_count(vm); i++) {
		const char *name;
		char *type = NULL;
		flyte_literal_type_to_string(&type, flyte_variable_map_at(vm, i, &name, NULL));
		json_object_set_new(obj, name, json_string(type ? type : "?"));
		flyte_string_free(type);
	}
	return obj;
}

static void show_variables(const char *title, const flyte_variable_map *vm, const flyte_literal_map *defaults,
			   const flyte_literal_map *fixed)
{
	size_t n = vm ? flyte_variable_map_count(vm) : 0;
	printf("%s:%s\n", title, n || (fixed && flyte_literal_map_count(fixed)) ? "" : " none");
	for (size_t i = 0; i < n; i++) {
		const char *name, *desc;
		char *type = NULL, *def = NULL;
		flyte_literal_type_to_string(&type, flyte_variable_map_at(vm, i, &name, &desc));
		const flyte_literal *d = defaults ? flyte_literal_map_get(defaults, name) : NULL;
		if (d)
			def = cli_value_to_text(d);
		printf("  %-16s %s%s%s%s%s\n", name, type ? type : "?", def ? "  default " : "", def ? def : "",
		       desc && *desc ? "  # " : "", desc && *desc ? desc : "");
		flyte_string_free(type);
		free(def);
	}
	for (size_t i = 0; fixed && i < flyte_literal_map_count(fixed); i++) {
		const char *name;
		char *v = cli_value_to_text(flyte_literal_map_at(fixed, i, &name));
		printf("  %-16s fixed %s\n", name, v ? v : "?");
		free(v);
	}
}

/* Task details from the TaskTemplate: image, command, cache settings, retries, timeout. */
static json_t *task_details(const json_t *admin)
{
	json_t *t = cli_json_get(cli_json_get(cli_json_get(admin, "closure"), "compiled_task"), "template");
	json_t *md = json_object_get(t, "metadata"), *ct = json_object_get(t, "container");
	json_t *retries = json_object_get(json_object_get(md, "retries"), "retries");
	return json_pack("{s:s?,s:O?,s:O?,s:b,s:s?,s:O?,s:O?,s:s?}", "image",
			 json_string_value(json_object_get(ct, "image")), "command", json_object_get(ct, "command"),
			 "args", json_object_get(ct, "args"), "cacheable",
			 json_is_true(json_object_get(md, "discoverable")), "cache_version",
			 json_string_value(cli_json_get(md, "discovery_version")), "cache_ignore_input_vars",
			 cli_json_get(md, "cache_ignore_input_vars"), "retries", retries, "timeout",
			 json_string_value(json_object_get(md, "timeout")));
}

/* Workflow nodes: id -> the task each runs. */
static json_t *workflow_nodes(const json_t *admin)
{
	json_t *t = cli_json_get(cli_json_get(cli_json_get(cli_json_get(admin, "closure"), "compiled_workflow"),
					       "primary"),
				 "template");
	json_t *nodes = json_array(), *node;
	size_t i;
	json_array_foreach(json_object_get(t, "nodes"), i, node) {
		json_t *ref = cli_json_get(cli_json_get(node, "task_node"), "reference_id");
		const char *id = json_string_value(json_object_get(node, "id"));
		if (!id || strcmp(id, "start-node") == 0 || strcmp(id, "end-node") == 0)
			continue;
		json_array_append_new(nodes, json_pack("{s:s,s:s?,s:s?}", "id", id, "task",
							json_string_value(json_object_get(ref, "name")), "version",
							json_string_value(json_object_get(ref, "version"))));
	}
	return nodes;
}

static void show_details(const json_t *details, const json_t *nodes)
{
	size_t i;
	json_t *v;
	if (details) {
		char *cmd = json_dumps(json_object_get(details, "command"), JSON_COMPACT | JSON_ENCODE_ANY);
		char *args = json_dumps(json_object_get(details, "args"), JSON_COMPACT | JSON_ENCODE_ANY);
		printf("Image:    %s\nCommand:  %s\nArgs:     %s\n", text_or(json_object_get(details, "image"), "-"),
		       cmd ? cmd : "-", args ? args : "-");
		free(cmd);
		free(args);
		if (json_is_true(json_object_get(details, "cacheable")))
			printf("Cache:    version %s\n", text_or(json_object_get(details, "cache_version"), "?"));
		else
			printf("Cache:    off\n");
	}
	json_array_foreach(nodes, i, v) {
		printf("%s  %-12s task %s:%s\n", i ? "         " : "Nodes:   ",
		       json_string_value(json_object_get(v, "id")), text_or(json_object_get(v, "task"), "?"),
		       text_or(json_object_get(v, "version"), "?"));
	}
}

static json_t *entity_json(const flyte_entity *e, const json_t *admin, const char *kind)
{
	flyte_identifier id = flyte_entity_id(e);
	const flyte_typed_interface *iface = flyte_entity_interface(e);
	json_t *doc = json_pack("{s:s,s:{s:s,s:s,s:s,s:s},s:{s:o,s:o},s:o,s:o}", "kind", kind, "id", "project",
				id.project, "domain", id.domain, "name", id.name, "version", id.version, "interface",
				"inputs", variables_json(flyte_typed_interface_inputs(iface)), "outputs",
				variables_json(flyte_typed_interface_outputs(iface)), "defaults",
				cli_values_to_json(flyte_entity_defaults(e)), "fixed",
				cli_values_to_json(flyte_entity_fixed_inputs(e)));
	if (doc && id.resource_type == FLYTE_RESOURCE_TASK)
		json_object_set_new(doc, "task", task_details(admin));
	if (doc && id.resource_type == FLYTE_RESOURCE_WORKFLOW)
		json_object_set_new(doc, "nodes", workflow_nodes(admin));
	if (doc)
		json_object_set(doc, "entity", (json_t *)admin);
	return doc;
}

static int get_entity(const cli_command *cmd, const get_args *a, flyte_client *c, flyte_resource_type type)
{
	flyte_entity *e = NULL;
	int st = cli_fetch(&e, cmd, c, type, a->g.project, a->g.domain, a->name);
	if (st != CLI_CONTINUE)
		return st;
	json_t *admin = json_loads(flyte_entity_json(e), 0, NULL);
	const char *kind = type == FLYTE_RESOURCE_TASK ? "task" : type == FLYTE_RESOURCE_WORKFLOW ? "workflow"
												   : "launch_plan";
	if (a->g.json) {
		st = cli_print_json(cmd, entity_json(e, admin, kind));
	} else {
		flyte_identifier id = flyte_entity_id(e);
		const flyte_typed_interface *iface = flyte_entity_interface(e);
		json_t *details = type == FLYTE_RESOURCE_TASK ? task_details(admin) : NULL;
		json_t *nodes = type == FLYTE_RESOURCE_WORKFLOW ? workflow_nodes(admin) : NULL;
		printf("%s %s/%s/%s:%s\n", cli_resource_name(type), id.project, id.domain, id.name, id.version);
		if (type == FLYTE_RESOURCE_LAUNCH_PLAN) {
			json_t *wf = cli_json_get(cli_json_get(admin, "spec"), "workflow_id");
			printf("Workflow: %s:%s\n", text_or(json_object_get(wf, "name"), "?"),
			       text_or(json_object_get(wf, "version"), "?"));
		}
		show_details(details, nodes);
		show_variables("Inputs", flyte_typed_interface_inputs(iface), flyte_entity_defaults(e),
			       flyte_entity_fixed_inputs(e));
		show_variables("Outputs", flyte_typed_interface_outputs(iface), NULL, NULL);
		json_decref(details);
		json_decref(nodes);
		st = cli_finish_output(cmd);
	}
	json_decref(admin);
	flyte_entity_free(e);
	return st;
}

static int run_get(const cli_command *cmd, int argc, char **argv)
{
	get_args a = {.g = cli_global_defaults};
	flyte_client *c = NULL;
	int st = parse_get(&a, cmd, argc, argv, 0);
	int is_execution = st == CLI_CONTINUE && strcmp(a.what, "execution") == 0;
	flyte_resource_type type = st == CLI_CONTINUE ? resource_of(a.what) : FLYTE_RESOURCE_UNSPECIFIED;
	if (st == CLI_CONTINUE && !is_execution && type == FLYTE_RESOURCE_UNSPECIFIED)
		st = cli_usage_error(cmd, "cannot get '%s': execution, task, workflow or launch-plan", a.what);
	if (st == CLI_CONTINUE)
		st = cli_connect(&c, cmd, &a.g);
	if (st == CLI_CONTINUE)
		st = is_execution ? get_execution(cmd, &a, c) : get_entity(cmd, &a, c, type);
	flyte_client_free(c);
	return st;
}

const cli_command cli_cmd_get = {
	.name = "get",
	.summary = "Show an execution, a task, a workflow or a launch plan.",
	.args = "(execution NAME | task|workflow|launch-plan NAME[:VERSION]) [OPTIONS]",
	.remote = 1,
	.help = "get execution NAME: phase, timings, error, nodes (phase, cache status, catalog key),\n"
		"outputs, and the cache keys predicted at launch (when launched by this process's SDK).\n"
		"get task|workflow|launch-plan NAME[:VERSION]: its id, interface (inputs and outputs\n"
		"with their types), and for a launch plan its default and fixed inputs; no version\n"
		"means the latest. -o json adds the server's full entity as \"entity\".\n"
		"\n"
		"Options:\n"
		"  -h, --help   print this help\n",
	.run = run_get,
};

/* ---- list ---- */

static const char *collection_of(flyte_resource_type type)
{
	return type == FLYTE_RESOURCE_TASK ? "tasks" : type == FLYTE_RESOURCE_WORKFLOW ? "workflows" : "launch_plans";
}

static char *list_path(const get_args *a, flyte_client *c, flyte_resource_type type)
{
	const char *project = a->g.project ? a->g.project : flyte_client_project(c);
	const char *domain = a->g.domain ? a->g.domain : flyte_client_domain(c);
	char *p = cli_url_escape(project), *d = cli_url_escape(domain), *n = a->name ? cli_url_escape(a->name) : NULL;
	char *f = a->filter ? cli_url_escape(a->filter) : NULL;
	size_t len = strlen(p ? p : "") + strlen(d ? d : "") + strlen(n ? n : "") + strlen(f ? f : "") + 160;
	char *path = p && d && (n || !a->name) && (f || !a->filter) ? malloc(len) : NULL;
	if (path)
		snprintf(path, len,
			 "/api/v1/%s/%s/%s%s%s?limit=%ld&sort_by.key=created_at&sort_by.direction=DESCENDING%s%s",
			 type ? collection_of(type) : "executions", p, d, n ? "/" : "", n ? n : "",
			 a->limit ? a->limit : DEFAULT_LIMIT, f ? "&filters=" : "", f ? f : "");
	free(p);
	free(d);
	free(n);
	free(f);
	return path;
}

static json_t *execution_row(const json_t *x)
{
	json_t *id = json_object_get(x, "id"), *closure = cli_json_get(x, "closure");
	json_t *lp = cli_json_get(cli_json_get(x, "spec"), "launch_plan");
	return json_pack("{s:s?,s:s?,s:s?,s:s?,s:{s:s?,s:s?,s:s?},s:s?,s:s?,s:s?}", "project",
			 json_string_value(json_object_get(id, "project")), "domain",
			 json_string_value(json_object_get(id, "domain")), "name",
			 json_string_value(json_object_get(id, "name")), "phase",
			 json_string_value(json_object_get(closure, "phase")), "launched", "resource_type",
			 json_string_value(cli_json_get(lp, "resource_type")), "name",
			 json_string_value(json_object_get(lp, "name")), "version",
			 json_string_value(json_object_get(lp, "version")), "created_at",
			 json_string_value(cli_json_get(closure, "created_at")), "started_at",
			 json_string_value(cli_json_get(closure, "started_at")), "duration",
			 json_string_value(cli_json_get(closure, "duration")));
}

static json_t *entity_row(const json_t *e)
{
	json_t *id = json_object_get(e, "id"), *closure = cli_json_get(e, "closure");
	return json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?}", "project", json_string_value(json_object_get(id, "project")),
			 "domain", json_string_value(json_object_get(id, "domain")), "name",
			 json_string_value(json_object_get(id, "name")), "version",
			 json_string_value(json_object_get(id, "version")), "created_at",
			 json_string_value(cli_json_get(closure, "created_at")));
}

static void print_rows(const json_t *rows, int executions)
{
	size_t i;
	json_t *r;
	if (executions)
		printf("%-24s %-10s %-32s %-21s %s\n", "NAME", "PHASE", "LAUNCHED", "CREATED", "DURATION");
	else
		printf("%-32s %-20s %s\n", "NAME", "VERSION", "CREATED");
	json_array_foreach(rows, i, r) {
		if (executions) {
			json_t *l = json_object_get(r, "launched");
			char launched[256], t[64], d[64];
			snprintf(launched, sizeof launched, "%s:%s", text_or(json_object_get(l, "name"), "?"),
				 text_or(json_object_get(l, "version"), "?"));
			printf("%-24s %-10s %-32s %-21s %s\n", text_or(json_object_get(r, "name"), "?"),
			       text_or(json_object_get(r, "phase"), "?"), launched,
			       time_text(t, sizeof t, json_object_get(r, "created_at")),
			       duration_text(d, sizeof d, json_object_get(r, "duration")));
		} else {
			char t[64];
			printf("%-32s %-20s %s\n", text_or(json_object_get(r, "name"), "?"),
			       text_or(json_object_get(r, "version"), "?"),
			       time_text(t, sizeof t, json_object_get(r, "created_at")));
		}
	}
	if (json_array_size(rows) == 0)
		printf("(none)\n");
}

static int list_items(const cli_command *cmd, const get_args *a, flyte_client *c, flyte_resource_type type)
{
	char *path = list_path(a, c, type);
	json_t *doc = NULL;
	flyte_error *err = NULL;
	int rc = path ? cli_get_json(&doc, c, path, &err) : FLYTE_ENOMEM;
	int st;
	free(path);
	if (rc) {
		st = cli_fail(cmd, rc, err, "listing %s", a->what);
	} else {
		json_t *rows = json_array(), *item;
		size_t i;
		json_array_foreach(json_object_get(doc, type ? collection_of(type) : "executions"), i, item)
			json_array_append_new(rows, type ? entity_row(item) : execution_row(item));
		if (a->g.json) {
			st = cli_print_json(cmd, json_pack("{s:o,s:s}", type ? collection_of(type) : "executions", rows,
							   "token", text_or(json_object_get(doc, "token"), "")));
		} else {
			print_rows(rows, !type);
			json_decref(rows);
			st = cli_finish_output(cmd);
		}
	}
	flyte_error_free(err);
	json_decref(doc);
	return st;
}

static int run_list(const cli_command *cmd, int argc, char **argv)
{
	get_args a = {.g = cli_global_defaults};
	flyte_client *c = NULL;
	int st = parse_get(&a, cmd, argc, argv, 1);
	int is_executions = st == CLI_CONTINUE && strcmp(a.what, "executions") == 0;
	flyte_resource_type type = st == CLI_CONTINUE ? resource_of(a.what) : FLYTE_RESOURCE_UNSPECIFIED;
	if (st == CLI_CONTINUE && !is_executions && type == FLYTE_RESOURCE_UNSPECIFIED)
		st = cli_usage_error(cmd, "cannot list '%s': executions, tasks, workflows or launch-plans", a.what);
	if (st == CLI_CONTINUE && is_executions && a.name)
		st = cli_usage_error(cmd, "unexpected argument '%s' (narrow executions down with --filter)", a.name);
	if (st == CLI_CONTINUE)
		st = cli_connect(&c, cmd, &a.g);
	if (st == CLI_CONTINUE)
		st = list_items(cmd, &a, c, type);
	flyte_client_free(c);
	return st;
}

const cli_command cli_cmd_list = {
	.name = "list",
	.summary = "List executions, tasks, workflows or launch plans, newest first.",
	.args = "(executions | tasks|workflows|launch-plans [NAME]) [--filter F] [--limit N] [OPTIONS]",
	.remote = 1,
	.help = "list executions: name, phase, what was launched, creation time, duration.\n"
		"list tasks|workflows|launch-plans [NAME]: names and versions (of NAME only, if given).\n"
		"\n"
		"Options:\n"
		"  --filter F   FlyteAdmin's filter expression, passed through, e.g.\n"
		"               'eq(phase,SUCCEEDED)', 'eq(launch_plan.name,add)+gte(created_at,\n"
		"               2024-05-01T00:00:00Z)' (operators eq, ne, gt, gte, lt, lte, contains,\n"
		"               value_in)\n"
		"  --limit N    at most N rows (default 20)\n"
		"  -h, --help   print this help\n",
	.run = run_list,
};
