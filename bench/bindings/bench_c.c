/*
 * bench_c: the C side of bench/bindings. Registers a task, fetches it, then times N
 * sequential creates (flyte_execute_entity, no wait) and prints the median in microseconds.
 *   bench_c URL N
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <flyte/flyte.h>

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	int n = atoi(argv[2]);
	flyte_client_options o = FLYTE_CLIENT_OPTIONS_INIT;
	o.endpoint = argv[1];
	flyte_client *c;
	flyte_error *err = NULL;
	flyte_literal_type *i;
	flyte_variable_map *vars;
	flyte_typed_interface *iface;
	flyte_task *task;
	flyte_entity *entity;
	if (flyte_client_new(&c, &o, &err) || flyte_literal_type_new_simple(&i, FLYTE_SIMPLE_INTEGER) ||
	    flyte_variable_map_new(&vars) || flyte_variable_map_add(vars, "x", i, NULL) ||
	    flyte_typed_interface_new(&iface, vars, NULL))
		return 1;
	flyte_identifier id = {FLYTE_RESOURCE_TASK, "flytesnacks", "development", "bench.bindings_c", "v1", NULL};
	const char *cmd[] = {"true"};
	if (flyte_task_new_raw_container(&task, &id, "alpine:3", cmd, 1, NULL, 0, iface, &err) ||
	    flyte_register_task(c, task, &err) || flyte_fetch(c, &entity, &id, &err)) {
		fprintf(stderr, "%s\n", flyte_error_message(err));
		return 1;
	}
	double *t = malloc(sizeof *t * (size_t)n);
	for (int k = 0; k < n; k++) {
		flyte_literal_map *in;
		flyte_literal *x;
		flyte_execution *e;
		double t0 = now_us();
		flyte_literal_map_new(&in);
		flyte_literal_new_integer(&x, k);
		flyte_literal_map_set_new(in, "x", x);
		if (flyte_execute_entity(c, &e, entity, in, NULL, NULL, &err)) {
			fprintf(stderr, "%s\n", flyte_error_message(err));
			return 1;
		}
		t[k] = now_us() - t0;
		flyte_execution_free(e);
		flyte_literal_map_free(in);
	}
	qsort(t, (size_t)n, sizeof *t, cmp);
	printf("c\t%.1f\n", t[n / 2]);
	return 0;
}
