/*
 * reference_entities: running what another team registered, knowing only its id.
 *
 * The first part plays the other team: it registers a task, a workflow and a launch plan
 * that defaults "greeting" and fixes "punctuation". The second part knows only names:
 * it runs the launch plan's latest version (the launch plan's default fills what it does
 * not give; what it gives wins), is refused when it tries to override the fixed input,
 * and runs the task directly. Nothing is compiled locally: the SDK fetches interfaces.
 */
#include <string.h>

#include "example_common.h"

#define P "flytesnacks"
#define D "development"

static void other_team_registers(flyte_client *c)
{
	flyte_literal_type *s;
	TRY("types", flyte_literal_type_new_simple(&s, FLYTE_SIMPLE_STRING));
	flyte_variable_map *in = example_vars("greeting", s, "name", s, "punctuation", s);
	flyte_variable_map *out = example_vars("message", s, NULL, NULL, NULL, NULL);
	flyte_typed_interface *iface;
	TRY("interface", flyte_typed_interface_new(&iface, in, out));
	flyte_identifier tid = {FLYTE_RESOURCE_TASK, P, D, "team.greet", "v3", NULL};
	const char *cmd[] = {"sh", "-c"};
	const char *args[] = {"printf '%s, %s%s' '{{.inputs.greeting}}' '{{.inputs.name}}' '{{.inputs.punctuation}}' "
			      "> /var/outputs/message"};
	flyte_task *task;
	TRY("task", flyte_task_new_raw_container(&task, &tid, "busybox", cmd, 2, args, 1, iface, &err));
	/* Flyte's copilot: outputs are files in /var/outputs (the dev server maps it to a work dir). */
	TRY("data config", flyte_task_set_data_config(task, "/var/inputs", "/var/outputs"));
	flyte_identifier wid = {FLYTE_RESOURCE_WORKFLOW, P, D, "team.greeting", "v3", NULL};
	flyte_workflow *wf;
	TRY("workflow", flyte_workflow_new(&wf, &wid, iface, &err));
	flyte_binding b[] = {{"greeting", NULL, "greeting", NULL}, {"name", NULL, "name", NULL},
			     {"punctuation", NULL, "punctuation", NULL}};
	TRY("node", flyte_workflow_add_task_node(wf, "greet", task, b, 3, &err));
	flyte_binding o = {"message", "greet", "message", NULL};
	TRY("output", flyte_workflow_bind_output(wf, &o, &err));
	flyte_launch_plan *lp;
	flyte_literal *hello, *bang;
	TRY("launch plan", flyte_launch_plan_new(&lp, &wid, wf, &err));
	TRY("literal", flyte_literal_new_string(&hello, "Hello"));
	TRY("literal", flyte_literal_new_string(&bang, "!"));
	TRY("default", flyte_launch_plan_set_default(lp, "greeting", hello, &err));
	TRY("fixed", flyte_launch_plan_set_fixed(lp, "punctuation", bang, &err));
	TRY("register", flyte_register_task(c, task, &err));
	TRY("register", flyte_register_workflow(c, wf, &err));
	TRY("register", flyte_register_launch_plan(c, lp, &err));
	flyte_literal_free(hello);
	flyte_literal_free(bang);
	flyte_launch_plan_free(lp);
	flyte_workflow_free(wf);
	flyte_task_free(task);
	flyte_typed_interface_free(iface);
	flyte_variable_map_free(in);
	flyte_variable_map_free(out);
	flyte_literal_type_free(s);
}

static flyte_literal_map *strings(const char *k1, const char *v1, const char *k2, const char *v2)
{
	flyte_literal_map *m;
	flyte_literal *l;
	TRY("inputs", flyte_literal_map_new(&m));
	const char *keys[] = {k1, k2}, *vals[] = {v1, v2};
	for (int i = 0; i < 2 && keys[i]; i++) {
		TRY("inputs", flyte_literal_new_string(&l, vals[i]));
		TRY("inputs", flyte_literal_map_set_new(m, keys[i], l));
	}
	return m;
}

static void show(flyte_client *c, const flyte_identifier *ref, flyte_literal_map *in, const char *what)
{
	flyte_execute_options o = FLYTE_EXECUTE_OPTIONS_INIT;
	o.log_input_sources = 1; /* the client's log says where each input came from */
	flyte_execution *x;
	TRY("execute", flyte_execute(c, &x, ref, in, NULL, &o, &err));
	example_wait(c, x);
	const char *msg = "";
	flyte_literal_get_string(flyte_literal_map_get(flyte_execution_outputs(x), "message"), &msg);
	printf("%-44s -> \"%s\"\n", what, msg);
	flyte_execution_free(x);
	flyte_literal_map_free(in);
}

static void log_line(int level, const char *message, void *payload)
{
	(void)level;
	(void)payload;
	printf("  [sdk] %s\n", message);
}

int main(int argc, char **argv)
{
	flyte_client *setup = example_connect(argc, argv);
	other_team_registers(setup);
	flyte_client_free(setup);

	/* From here on, only ids are known. */
	flyte_client_options opts = FLYTE_CLIENT_OPTIONS_INIT;
	opts.endpoint = argv[argc - 1];
	opts.log = log_line;
	opts.log_level = FLYTE_LOG_DEBUG;
	flyte_client *c;
	TRY("connecting", flyte_client_new(&c, &opts, &err));
	flyte_identifier lp = flyte_reference_launch_plan(P, D, "team.greeting", NULL); /* latest */
	show(c, &lp, strings("name", "Ada", NULL, NULL), "launch plan, name only (default greeting)");
	show(c, &lp, strings("name", "Ada", "greeting", "Good morning"), "launch plan, greeting given (caller wins)");

	flyte_literal_map *bad = strings("name", "Ada", "punctuation", "?");
	flyte_execution *x = NULL;
	flyte_error *e = NULL;
	int rc = flyte_execute(c, &x, &lp, bad, NULL, NULL, &e);
	printf("%-44s -> %s: %s\n", "launch plan, overriding the fixed input", flyte_error_code_name(rc),
	       flyte_error_message(e));
	flyte_error_free(e);
	flyte_literal_map_free(bad);
	if (rc != FLYTE_EINVALID)
		return 1;

	flyte_identifier task = flyte_reference_task(P, D, "team.greet", "v3");
	flyte_literal_map *all = strings("name", "Grace", "greeting", "Hi");
	flyte_literal *dot;
	TRY("literal", flyte_literal_new_string(&dot, "."));
	TRY("inputs", flyte_literal_map_set_new(all, "punctuation", dot));
	show(c, &task, all, "the task directly, every input given");
	flyte_client_free(c);
	return 0;
}
