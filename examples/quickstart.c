/*
 * quickstart: the tour of flyteremote against a Flyte (or flyte-devserver) endpoint.
 *
 * It registers a cacheable task, a workflow and a launch plan, runs the workflow with a
 * type hint whose hash function decides the cache key, waits while showing progress,
 * runs it again to show the cache hit with the key predicted before submission, and once
 * more with overwrite_cache.
 *
 *   quickstart URL        (scripts/quickstart.sh starts a dev server and passes its URL)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <flyte/flyte.h>

static flyte_client *client;

static void die(const char *what, int rc, flyte_error *err)
{
	fprintf(stderr, "\nquickstart: %s failed (%s): %s\n", what, flyte_error_code_name(rc),
		err ? flyte_error_message(err) : "");
	exit(1);
}

#define TRY(what, call)                          \
	do {                                     \
		flyte_error *err = NULL;         \
		int rc_ = (call);                \
		if (rc_)                         \
			die(what, rc_, err);     \
	} while (0)

/* The hash function of the type hint on "requested_by": who asked does not change the
   result, so every requester shares one cache entry. */
static int requester_hash(flyte_out_string *out, const flyte_literal *literal, void *payload)
{
	(void)literal;
	(void)payload;
	const char *h = "any-requester";
	return flyte_out_string_set(out, h, strlen(h));
}

static void register_entities(void)
{
	flyte_literal_type *integer, *string;
	flyte_variable_map *in, *out;
	flyte_typed_interface *iface;
	TRY("types", flyte_literal_type_new_simple(&integer, FLYTE_SIMPLE_INTEGER));
	TRY("types", flyte_literal_type_new_simple(&string, FLYTE_SIMPLE_STRING));
	TRY("interface", flyte_variable_map_new(&in));
	TRY("interface", flyte_variable_map_add(in, "n", integer, "how many squares to add"));
	TRY("interface", flyte_variable_map_add(in, "requested_by", string, "who asked, for the audit log"));
	TRY("interface", flyte_variable_map_new(&out));
	TRY("interface", flyte_variable_map_add(out, "total", integer, "1*1 + 2*2 + ... + n*n"));
	TRY("interface", flyte_typed_interface_new(&iface, in, out));

	/* A raw-container task: on a cluster the image runs; the dev server runs the command. */
	flyte_identifier task_id = {FLYTE_RESOURCE_TASK, "flytesnacks", "development", "quickstart.square_sum", "v1",
				    NULL};
	const char *command[] = {"sh", "-c"};
	const char *args[] = {"sleep 1; seq 1 {{.inputs.n}} | awk '{s += $1 * $1} END {print s}' "
			      "> /var/outputs/total"};
	flyte_task *task;
	TRY("task", flyte_task_new_raw_container(&task, &task_id, "debian:12-slim", command, 2, args, 1, iface, &err));
	/* Flyte's copilot: outputs are files in /var/outputs (the dev server maps it to a work dir). */
	TRY("data config", flyte_task_set_data_config(task, "/var/inputs", "/var/outputs"));
	flyte_cache_options cache = FLYTE_CACHE_OPTIONS_INIT;
	cache.enabled = 1;
	cache.cache_version = "1.0";
	TRY("task cache settings", flyte_task_set_cache(task, &cache, &err));

	flyte_identifier wf_id = {FLYTE_RESOURCE_WORKFLOW, "flytesnacks", "development", "quickstart.wf", "v1", NULL};
	flyte_workflow *wf;
	TRY("workflow", flyte_workflow_new(&wf, &wf_id, iface, &err));
	flyte_binding bindings[] = {{"n", NULL, "n", NULL}, {"requested_by", NULL, "requested_by", NULL}};
	TRY("workflow node", flyte_workflow_add_task_node(wf, "square_sum", task, bindings, 2, &err));
	flyte_binding total = {"total", "square_sum", "total", NULL};
	TRY("workflow output", flyte_workflow_bind_output(wf, &total, &err));

	flyte_launch_plan *lp;
	flyte_literal *who;
	TRY("launch plan", flyte_launch_plan_new(&lp, &wf_id, wf, &err));
	TRY("default", flyte_literal_new_string(&who, "nobody in particular"));
	TRY("launch plan default", flyte_launch_plan_set_default(lp, "requested_by", who, &err));

	TRY("registering the task", flyte_register_task(client, task, &err));
	TRY("registering the workflow", flyte_register_workflow(client, wf, &err));
	TRY("registering the launch plan", flyte_register_launch_plan(client, lp, &err));
	printf("Registered task quickstart.square_sum:v1 (cached, cache version 1.0),\n"
	       "workflow quickstart.wf:v1 and its launch plan (requested_by defaults to \"nobody in particular\").\n\n");

	flyte_literal_free(who);
	flyte_launch_plan_free(lp);
	flyte_workflow_free(wf);
	flyte_task_free(task);
	flyte_typed_interface_free(iface);
	flyte_variable_map_free(in);
	flyte_variable_map_free(out);
	flyte_literal_type_free(integer);
	flyte_literal_type_free(string);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Waits in short slices so that a progress line can be shown meanwhile. */
static void wait_with_progress(flyte_execution *x)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int tty = isatty(STDOUT_FILENO);
	for (;;) {
		flyte_error *err = NULL;
		int rc = flyte_execution_wait(client, x, 400, 200, &err);
		if (rc == 0)
			break;
		if (rc != FLYTE_ETIMEOUT)
			die("waiting", rc, err);
		flyte_error_free(err);
		if (tty) {
			printf("\r  %-10s %5.1f s", flyte_phase_name(flyte_execution_phase_of(x)), seconds_since(&t0));
			fflush(stdout);
		}
	}
	printf("%s  %-10s after %.1f s\n", tty ? "\r" : "", flyte_phase_name(flyte_execution_phase_of(x)),
	       seconds_since(&t0));
	if (flyte_execution_phase_of(x) != FLYTE_PHASE_SUCCEEDED) {
		fprintf(stderr, "quickstart: execution %s ended %s: %s\n", flyte_execution_name(x),
			flyte_phase_name(flyte_execution_phase_of(x)),
			flyte_execution_error_message(x) ? flyte_execution_error_message(x) : "no message");
		exit(1);
	}
}

static void show(const flyte_execution *x)
{
	int64_t total = 0;
	flyte_literal_get_integer(flyte_literal_map_get(flyte_execution_outputs(x), "total"), &total);
	printf("  output: total = %lld\n", (long long)total);
	for (size_t i = 0; i < flyte_execution_node_count(x); i++) {
		const flyte_node_info *n = flyte_execution_node_at(x, i);
		printf("  node %s: %s, cache %s\n", n->node_id, n->phase_name, flyte_cache_status_name(n->cache_status));
	}
	for (size_t i = 0; i < flyte_execution_prediction_count(x); i++) {
		const flyte_cache_prediction *p = flyte_execution_prediction_at(x, i);
		printf("  cache key predicted before submission: dataset %s version %s, tag %s\n", p->dataset.name,
		       p->dataset.version, p->artifact_tag);
		printf("  cache key the server used:             %s%s\n",
		       p->server_artifact_tag ? p->server_artifact_tag : "(none reported)",
		       p->matches == 1 ? "  (same)" : p->matches == 0 ? "  (DIFFERENT)" : "");
	}
	printf("\n");
}

static flyte_execution *run(const char *title, int64_t n, const char *requested_by, int overwrite_cache)
{
	flyte_literal_map *inputs;
	flyte_literal *lit;
	TRY("inputs", flyte_literal_map_new(&inputs));
	TRY("inputs", flyte_literal_new_integer(&lit, n));
	TRY("inputs", flyte_literal_map_set_new(inputs, "n", lit));
	TRY("inputs", flyte_literal_new_string(&lit, requested_by));
	TRY("inputs", flyte_literal_map_set_new(inputs, "requested_by", lit));

	flyte_type_hints *hints;
	TRY("type hints", flyte_type_hints_new(&hints));
	TRY("type hints", flyte_type_hints_add(hints, "requested_by", NULL, requester_hash, NULL));

	flyte_execute_options opts = FLYTE_EXECUTE_OPTIONS_INIT;
	const char *tags[] = {"quickstart"};
	opts.tags = tags;
	opts.n_tags = 1;
	opts.overwrite_cache = overwrite_cache;
	flyte_identifier lp = flyte_reference_launch_plan("flytesnacks", "development", "quickstart.wf", NULL);
	flyte_execution *x;
	TRY("launching", flyte_execute(client, &x, &lp, inputs, hints, &opts, &err));
	printf("%s\n  execution %s (n = %lld, requested_by = \"%s\"%s)\n", title, flyte_execution_name(x),
	       (long long)n, requested_by, overwrite_cache ? ", overwrite_cache" : "");
	wait_with_progress(x);
	show(x);
	flyte_type_hints_free(hints);
	flyte_literal_map_free(inputs);
	return x;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s URL   (e.g. http://127.0.0.1:30080)\n", argv[0]);
		return 2;
	}
	flyte_client_options opts = FLYTE_CLIENT_OPTIONS_INIT;
	opts.endpoint = argv[1];
	TRY("connecting", flyte_client_new(&client, &opts, &err));
	printf("flyteremote %s, talking to %s\n\n", flyte_version(), flyte_client_endpoint(client));

	register_entities();
	flyte_execution *a = run("1. First run: the task runs and its outputs are cached.", 10, "alice", 0);
	flyte_execution *b = run("2. Same n, another requester: the type hint's hash makes it the same cache key.", 10,
				 "bob", 0);
	flyte_execution *c = run("3. With overwrite_cache: the task runs again and replaces the cached outputs.", 10,
				 "carol", 1);
	char *url;
	if (flyte_execution_console_url(&url, client, b) == 0) {
		printf("On a Flyte cluster, the console shows each execution, e.g. %s\n", url);
		flyte_string_free(url);
	}
	flyte_execution_free(a);
	flyte_execution_free(b);
	flyte_execution_free(c);
	flyte_client_free(client);
	return 0;
}
