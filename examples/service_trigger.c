/*
 * service_trigger: the embedded-service pattern.
 *
 * A service (say, an ingestion daemon) launches a pipeline per incoming item and must not
 * block on any of them. One thread launches them all through a poller and drives it from
 * its own loop; it is told as each execution completes, from the poll call only.
 */
#include <string.h>

#include "example_common.h"

static int on_done(flyte_execution *x, int status, const flyte_error *error, void *payload)
{
	int *completed = payload;
	(*completed)++;
	if (status) {
		printf("  %s could not be followed: %s\n", flyte_execution_name(x), flyte_error_message(error));
	} else {
		int64_t square = -1;
		flyte_literal_get_integer(flyte_literal_map_get(flyte_execution_outputs(x), "square"), &square);
		printf("  %-20s %-9s square = %lld\n", flyte_execution_name(x), flyte_phase_name(flyte_execution_phase_of(x)),
		       (long long)square);
	}
	flyte_execution_free(x); /* the callback owns it */
	return 0;
}

int main(int argc, char **argv)
{
	flyte_client *c = example_connect(argc, argv);
	flyte_literal_type *i;
	TRY("types", flyte_literal_type_new_simple(&i, FLYTE_SIMPLE_INTEGER));
	flyte_variable_map *in = example_vars("item", i, NULL, NULL, NULL, NULL);
	flyte_variable_map *out = example_vars("square", i, NULL, NULL, NULL, NULL);
	flyte_typed_interface *iface;
	TRY("interface", flyte_typed_interface_new(&iface, in, out));
	flyte_identifier tid = {FLYTE_RESOURCE_TASK, "flytesnacks", "development", "examples.ingest", "v1", NULL};
	const char *cmd[] = {"sh", "-c"};
	const char *args[] = {"echo $(( {{.inputs.item}} * {{.inputs.item}} )) > /var/outputs/square"};
	flyte_task *task;
	TRY("task", flyte_task_new_raw_container(&task, &tid, "alpine:3", cmd, 2, args, 1, iface, &err));
	/* Flyte's copilot: outputs are files in /var/outputs (the dev server maps it to a work dir). */
	TRY("data config", flyte_task_set_data_config(task, "/var/inputs", "/var/outputs"));
	TRY("register", flyte_register_task(c, task, &err));

	flyte_poller *poller;
	TRY("poller", flyte_poller_new(&poller, c, 500));
	flyte_identifier ref = flyte_reference_task("flytesnacks", "development", "examples.ingest", "v1");
	int completed = 0;
	for (int item = 1; item <= 20; item++) {
		flyte_literal_map *inputs;
		flyte_literal *v;
		TRY("inputs", flyte_literal_map_new(&inputs));
		TRY("inputs", flyte_literal_new_integer(&v, item));
		TRY("inputs", flyte_literal_map_set_new(inputs, "item", v));
		TRY("launch", flyte_poller_launch(poller, &ref, inputs, NULL, NULL, on_done, &completed, &err));
		flyte_literal_map_free(inputs);
	}
	printf("launched 20 executions without waiting for any; completions:\n");
	/* The service's own loop: other work would go between the polls. */
	while (flyte_poller_poll(poller, 100) > 0)
		;
	printf("%d of 20 reported\n", completed);
	flyte_poller_free(poller);
	flyte_task_free(task);
	flyte_typed_interface_free(iface);
	flyte_variable_map_free(in);
	flyte_variable_map_free(out);
	flyte_literal_type_free(i);
	flyte_client_free(c);
	return completed == 20 ? 0 : 1;
}
