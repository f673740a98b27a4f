/* flyte-remote run / execute: launches a task, a workflow or a launch plan with typed
   inputs and type hints, shows the predicted cache keys, and optionally waits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
	OPT_LAUNCH_PLAN = CLI_OPT_NEXT,
	OPT_TASK,
	OPT_WORKFLOW,
	OPT_TAG,
	OPT_LABEL,
	OPT_ENV,
	OPT_OVERWRITE_CACHE,
	OPT_NAME,
	OPT_WAIT,
	OPT_TIMEOUT
};

typedef struct {
	cli_globals g;
	flyte_resource_type type;
	const char *ref;
	cli_input_args in;
	cli_strv tags;
	cli_strv label_keys, label_values; /* owned */
	cli_strv env_keys, env_values;     /* owned */
	int overwrite_cache;
	const char *name;
	int wait;
	const char *timeout;
	long timeout_ms;
} run_args;

static void run_args_free(run_args *a)
{
	cli_input_args_free(&a->in);
	cli_strv_free(&a->tags);
	cli_strv_free(&a->label_keys);
	cli_strv_free(&a->label_values);
	cli_strv_free(&a->env_keys);
	cli_strv_free(&a->env_values);
}

static int set_target(run_args *a, const cli_command *cmd, flyte_resource_type type, const char *ref)
{
	if (a->ref)
		return cli_usage_error(cmd, "give one of --launch-plan, --task and --workflow");
	a->type = type;
	a->ref = ref;
	return CLI_CONTINUE;
}

static int add_pair(cli_strv *keys, cli_strv *values, const cli_command *cmd, const char *opt, const char *arg)
{
	char *key;
	const char *value;
	keys->owned = values->owned = 1;
	int rc = cli_split_pair(&key, &value, arg);
	if (rc == FLYTE_EINVALID)
		return cli_usage_error(cmd, "--%s %s: expected KEY=VALUE", opt, arg);
	if (rc || cli_strv_add(keys, key) || cli_strv_add(values, value)) {
		free(key);
		return cli_fail(cmd, FLYTE_ENOMEM, NULL, "--%s", opt);
	}
	free(key);
	return CLI_CONTINUE;
}

static int run_option(run_args *a, const cli_command *cmd, int c)
{
	switch (c) {
	case OPT_LAUNCH_PLAN: return set_target(a, cmd, FLYTE_RESOURCE_LAUNCH_PLAN, optarg);
	case OPT_TASK: return set_target(a, cmd, FLYTE_RESOURCE_TASK, optarg);
	case OPT_WORKFLOW: return set_target(a, cmd, FLYTE_RESOURCE_WORKFLOW, optarg);
	case CLI_OPT_INPUT:
	case CLI_OPT_INPUT_FILE:
	case CLI_OPT_HASH: return cli_input_option(&a->in, cmd, c, optarg);
	case OPT_TAG:
		return cli_strv_add(&a->tags, optarg) ? cli_fail(cmd, FLYTE_ENOMEM, NULL, "--tag") : CLI_CONTINUE;
	case OPT_LABEL: return add_pair(&a->label_keys, &a->label_values, cmd, "label", optarg);
	case OPT_ENV: return add_pair(&a->env_keys, &a->env_values, cmd, "env", optarg);
	case OPT_OVERWRITE_CACHE: a->overwrite_cache = 1; return CLI_CONTINUE;
	case OPT_NAME: a->name = optarg; return CLI_CONTINUE;
	case OPT_WAIT: a->wait = 1; return CLI_CONTINUE;
	case OPT_TIMEOUT: a->timeout = optarg; return CLI_CONTINUE;
	case 'h': return cli_help(cmd);
	default: return cli_global_option(&a->g, cmd, c, optarg);
	}
}

static int parse_run(run_args *a, const cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_GLOBAL_OPTIONS,
		CLI_INPUT_OPTIONS,
		{"launch-plan", required_argument, NULL, OPT_LAUNCH_PLAN},
		{"task", required_argument, NULL, OPT_TASK},
		{"workflow", required_argument, NULL, OPT_WORKFLOW},
		{"tag", required_argument, NULL, OPT_TAG},
		{"label", required_argument, NULL, OPT_LABEL},
		{"env", required_argument, NULL, OPT_ENV},
		{"overwrite-cache", no_argument, NULL, OPT_OVERWRITE_CACHE},
		{"name", required_argument, NULL, OPT_NAME},
		{"wait", no_argument, NULL, OPT_WAIT},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, st;
	while ((c = getopt_long(argc, argv, "hw" CLI_GLOBAL_SHORT, opts, NULL)) != -1)
		if ((st = run_option(a, cmd, c == 'w' ? OPT_WAIT : c)) != CLI_CONTINUE)
			return st;
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s' (name what to run with --launch-plan, --task or "
					    "--workflow)",
				       argv[optind]);
	if (!a->ref)
		return cli_usage_error(cmd, "missing --launch-plan, --task or --workflow NAME[:VERSION]");
	cli_why why;
	if (a->timeout && !a->wait)
		return cli_usage_error(cmd, "--timeout applies to --wait: add --wait");
	if (a->timeout && cli_parse_timeout_ms(&a->timeout_ms, a->timeout, &why))
		return cli_usage_error(cmd, "--timeout: %s", why.text);
	return CLI_CONTINUE;
}

/*
 * The entity, for its interface, defaults and fixed inputs. A workflow runs through its
 * default launch plan (same name and version): that is what gets fetched.
 */
static int fetch_target(flyte_entity **out, const cli_command *cmd, flyte_client *c, const run_args *a)
{
	if (a->type != FLYTE_RESOURCE_WORKFLOW)
		return cli_fetch(out, cmd, c, a->type, NULL, NULL, a->ref);
	int st = cli_fetch(out, cmd, c, FLYTE_RESOURCE_WORKFLOW, NULL, NULL, a->ref);
	if (st != CLI_CONTINUE)
		return st;
	flyte_identifier wf = flyte_entity_id(*out);
	flyte_identifier lp = wf;
	flyte_entity *e = NULL;
	flyte_error *err = NULL;
	lp.resource_type = FLYTE_RESOURCE_LAUNCH_PLAN;
	int rc = flyte_fetch(c, &e, &lp, &err);
	if (rc == FLYTE_ENOTFOUND)
		st = cli_say(cmd, CLI_EXIT_USAGE,
			     "workflow %s:%s has no default launch plan (a launch plan with the same name and "
			     "version)\nRegister one: '" CLI_NAME " register' registers it with the workflow.",
			     wf.name, wf.version);
	else if (rc)
		st = cli_fail(cmd, rc, err, "launch plan %s:%s", wf.name, wf.version);
	flyte_error_free(err);
	flyte_entity_free(*out);
	*out = e;
	return st;
}

static void fill_options(flyte_execute_options *o, const run_args *a)
{
	flyte_execute_options_init(o, FLYTE_EXECUTE_OPTIONS_VERSION);
	o->name = a->name;
	o->overwrite_cache = a->overwrite_cache;
	o->tags = (const char *const *)a->tags.items;
	o->n_tags = a->tags.n;
	o->label_keys = (const char *const *)a->label_keys.items;
	o->label_values = (const char *const *)a->label_values.items;
	o->n_labels = a->label_keys.n;
	o->env_keys = (const char *const *)a->env_keys.items;
	o->env_values = (const char *const *)a->env_values.items;
	o->n_envs = a->env_keys.n;
}

static void show_launch(flyte_client *c, const flyte_execution *x, const run_args *a, flyte_identifier id)
{
	char *url = NULL;
	printf("Launched %s/%s/%s (%s %s:%s)\n", flyte_execution_project(x), flyte_execution_domain(x),
	       flyte_execution_name(x), cli_resource_name(a->type), id.name, id.version);
	cli_show_predictions(x);
	if (!a->wait && !flyte_execution_console_url(&url, c, x))
		printf("Console: %s\nWait for it with '" CLI_NAME " wait %s'.\n", url, flyte_execution_name(x));
	flyte_string_free(url);
	fflush(stdout);
}

static int launch(const cli_command *cmd, run_args *a, flyte_client *c)
{
	flyte_entity *e = NULL;
	flyte_literal_map *inputs = NULL;
	flyte_type_hints *hints = NULL;
	flyte_execution *x = NULL;
	int st = fetch_target(&e, cmd, c, a);
	if (st == CLI_CONTINUE)
		st = cli_build_inputs(&inputs, &hints, cmd, flyte_typed_interface_inputs(flyte_entity_interface(e)),
				      flyte_entity_fixed_inputs(e), &a->in);
	if (st == CLI_CONTINUE) {
		flyte_execute_options o;
		flyte_identifier id = flyte_entity_id(e);
		flyte_error *err = NULL;
		id.resource_type = a->type;
		fill_options(&o, a);
		int rc = flyte_execute(c, &x, &id, inputs, hints, &o, &err);
		if (rc)
			st = cli_fail(cmd, rc, err, "launching %s %s:%s", cli_resource_name(a->type), id.name,
				      id.version);
		else if (!a->g.json)
			show_launch(c, x, a, id);
		flyte_error_free(err);
	}
	if (st == CLI_CONTINUE)
		st = cli_finish_execution(cmd, &a->g, c, x, a->wait, a->timeout_ms);
	flyte_execution_free(x);
	flyte_type_hints_free(hints);
	flyte_literal_map_free(inputs);
	flyte_entity_free(e);
	return st;
}

static int run_run(const cli_command *cmd, int argc, char **argv)
{
	run_args a = {.g = cli_global_defaults};
	flyte_client *c = NULL;
	int st = parse_run(&a, cmd, argc, argv);
	if (st == CLI_CONTINUE)
		st = cli_connect(&c, cmd, &a.g);
	if (st == CLI_CONTINUE)
		st = launch(cmd, &a, c);
	flyte_client_free(c);
	run_args_free(&a);
	return st;
}

#define RUN_HELP                                                                                      \
	"Launches an execution in --project / --domain. Inputs are checked against the entity's\n"     \
	"interface before anything is sent; launch-plan defaults fill the inputs left out. The\n"       \
	"cache keys of the task nodes that take only workflow inputs and constants are predicted\n"     \
	"(dataset and artifact tag) and, after --wait, compared with the keys the server used.\n"      \
	"\n"                                                                                           \
	"What to run (one of):\n"                                                                      \
	"  --launch-plan NAME[:VERSION]\n"                                                             \
	"  --task NAME[:VERSION]\n"                                                                    \
	"  --workflow NAME[:VERSION]   through its default launch plan\n"                              \
	"                              (no version: the latest)\n"                                     \
	"\n"                                                                                           \
	"Inputs:\n" CLI_INPUT_HELP                                                                     \
	"\n"                                                                                           \
	"Options:\n"                                                                                   \
	"  --tag TAG             an execution tag; repeatable\n"                                       \
	"  --label KEY=VALUE     an execution label; repeatable\n"                                     \
	"  --env KEY=VALUE       an environment variable of the tasks; repeatable\n"                   \
	"  --overwrite-cache     run cached tasks again and replace their cached outputs\n"            \
	"  --name NAME           the execution name ([a-z][a-z0-9-]*, at most 63 characters;\n"       \
	"                        default: generated)\n"                                                \
	"  -w, --wait            wait for the end: a progress line on stderr (live on a terminal),\n"  \
	"                        then phase, outputs and cache keys on stdout\n"                       \
	"  --timeout DURATION    with --wait: stop waiting after DURATION (e.g. 10m; exit 3, the\n"    \
	"                        execution keeps running)\n"                                           \
	"  -h, --help            print this help\n"                                                    \
	"\n"                                                                                           \
	"Exit status: 0 launched (or, with --wait, succeeded); 1 the execution failed, was aborted\n"  \
	"or timed out; 2 bad usage or inputs; 3 server, network or credentials, or --timeout.\n"

const cli_command cli_cmd_run = {
	.name = "run",
	.summary = "Launch a task, workflow or launch plan with typed inputs; optionally wait.",
	.args = "(--launch-plan|--task|--workflow) NAME[:VERSION] [--input NAME=VALUE]... [OPTIONS]",
	.remote = 1,
	.help = RUN_HELP,
	.run = run_run,
};

const cli_command cli_cmd_execute = {
	.name = "execute",
	.summary = "The same as run.",
	.args = "(--launch-plan|--task|--workflow) NAME[:VERSION] [--input NAME=VALUE]... [OPTIONS]",
	.remote = 1,
	.help = RUN_HELP,
	.run = run_run,
};
