/* The shared scenario (tests/scenarios/shared.json) through the C SDK: the Python and Go
   bindings run the same table and must get the same outputs and cache keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flyte/flyte.h>

#include "testutil.h"

#define OK(call)                                                                                  \
	do {                                                                                      \
		flyte_error *err = NULL;                                                          \
		int rc_ = (call);                                                                 \
		if (rc_)                                                                          \
			fail_msg("%s: %s: %s", #call, flyte_error_code_name(rc_), flyte_error_message(err)); \
	} while (0)

static flyte_simple_type simple_of(const char *name)
{
	static const char *const names[] = {"none", "integer", "float", "string", "boolean", "datetime", "duration"};
	for (int i = 0; i < 7; i++)
		if (strcmp(names[i], name) == 0)
			return (flyte_simple_type)i;
	fail_msg("unknown type %s in the scenario table", name);
	return FLYTE_SIMPLE_NONE;
}

static flyte_variable_map *vars(const json_t *spec)
{
	flyte_variable_map *m;
	OK(flyte_variable_map_new(&m));
	const char *name;
	json_t *t;
	json_object_foreach((json_t *)spec, name, t) {
		flyte_literal_type *lt;
		OK(flyte_literal_type_new_simple(&lt, simple_of(json_string_value(t))));
		OK(flyte_variable_map_add(m, name, lt, NULL));
		flyte_literal_type_free(lt);
	}
	return m;
}

static flyte_literal *value(const char *type, const json_t *v)
{
	flyte_literal *l = NULL;
	switch (simple_of(type)) {
	case FLYTE_SIMPLE_INTEGER: OK(flyte_literal_new_integer(&l, json_integer_value(v))); break;
	case FLYTE_SIMPLE_FLOAT: OK(flyte_literal_new_float(&l, json_number_value(v))); break;
	case FLYTE_SIMPLE_STRING: OK(flyte_literal_new_string(&l, json_string_value(v))); break;
	case FLYTE_SIMPLE_BOOLEAN: OK(flyte_literal_new_boolean(&l, json_is_true(v))); break;
	default: fail_msg("unsupported type %s", type);
	}
	return l;
}

/* hash "lower": the lowercased string value. */
static int lower_hash(flyte_out_string *out, const flyte_literal *lit, void *payload)
{
	(void)payload;
	const char *s;
	if (flyte_literal_get_string(lit, &s))
		return 1;
	char buf[256];
	size_t n = strlen(s) < sizeof buf ? strlen(s) : sizeof buf - 1;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	return flyte_out_string_set(out, buf, n);
}

static void check_output(const char *type, const flyte_literal *got, const json_t *want, const char *name)
{
	int64_t i;
	double d;
	const char *s;
	switch (simple_of(type)) {
	case FLYTE_SIMPLE_INTEGER:
		assert_int_equal(flyte_literal_get_integer(got, &i), 0);
		assert_int_equal(i, json_integer_value(want));
		break;
	case FLYTE_SIMPLE_FLOAT:
		assert_int_equal(flyte_literal_get_float(got, &d), 0);
		assert_true(fabs(d - json_number_value(want)) < 1e-9);
		break;
	case FLYTE_SIMPLE_STRING:
		assert_int_equal(flyte_literal_get_string(got, &s), 0);
		assert_string_equal(s, json_string_value(want));
		break;
	default: fail_msg("output %s: unsupported type %s", name, type);
	}
}

static void test_shared_scenario(void **state)
{
	(void)state;
	json_error_t je;
	json_t *table = json_load_file(tu_data_path("../scenarios/shared.json"), 0, &je);
	if (!table)
		fail_msg("shared.json: %s", je.text);
	tu_devserver *server = tu_devserver_start(NULL);
	assert_non_null(server);
	flyte_client_options o = FLYTE_CLIENT_OPTIONS_INIT;
	o.endpoint = tu_devserver_url(server);
	flyte_client *c;
	OK(flyte_client_new(&c, &o, &err));
	const char *project = json_string_value(json_object_get(table, "project"));
	const char *domain = json_string_value(json_object_get(table, "domain"));

	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(table, "tasks"), i, t) {
		flyte_variable_map *in = vars(json_object_get(t, "inputs")), *out = vars(json_object_get(t, "outputs"));
		flyte_typed_interface *iface;
		OK(flyte_typed_interface_new(&iface, in, out));
		flyte_identifier id = {FLYTE_RESOURCE_TASK, project, domain, json_string_value(json_object_get(t, "name")),
				       json_string_value(json_object_get(t, "version")), NULL};
		const char *cmd[] = {"sh", "-c"};
		const char *args[] = {json_string_value(json_object_get(t, "script"))};
		flyte_task *task;
		OK(flyte_task_new_raw_container(&task, &id, "alpine:3", cmd, 2, args, 1, iface, &err));
		OK(flyte_task_set_data_config(task, "/var/inputs", "/var/outputs"));
		flyte_cache_options cache = FLYTE_CACHE_OPTIONS_INIT;
		cache.enabled = 1;
		cache.cache_version = json_string_value(json_object_get(t, "cache_version"));
		OK(flyte_task_set_cache(task, &cache, &err));
		OK(flyte_register_task(c, task, &err));
		flyte_task_free(task);
		flyte_typed_interface_free(iface);
		flyte_variable_map_free(in);
		flyte_variable_map_free(out);
	}

	int record = getenv("SCENARIO_RECORD") != NULL; /* prints the keys for the table */
	json_t *k;
	json_array_foreach(json_object_get(table, "cases"), i, k) {
		const char *task_name = json_string_value(json_object_get(k, "task"));
		json_t *spec = NULL, *tt;
		size_t j;
		json_array_foreach(json_object_get(table, "tasks"), j, tt) if (strcmp(json_string_value(json_object_get(tt, "name")),
										       task_name) == 0) spec = tt;
		assert_non_null(spec);
		flyte_literal_map *inputs;
		OK(flyte_literal_map_new(&inputs));
		const char *name;
		json_t *v;
		json_object_foreach(json_object_get(k, "inputs"), name, v) OK(flyte_literal_map_set_new(
			inputs, name, value(json_string_value(json_object_get(json_object_get(spec, "inputs"), name)), v)));
		flyte_type_hints *hints;
		OK(flyte_type_hints_new(&hints));
		json_object_foreach(json_object_get(k, "hash"), name, v) OK(flyte_type_hints_add(hints, name, NULL, lower_hash, NULL));
		flyte_identifier ref = flyte_reference_task(project, domain, task_name, NULL);
		flyte_execution *x;
		OK(flyte_execute(c, &x, &ref, inputs, hints, NULL, &err));
		OK(flyte_execution_wait(c, x, 60000, 200, &err));
		assert_int_equal(flyte_execution_phase_of(x), FLYTE_PHASE_SUCCEEDED);
		json_object_foreach(json_object_get(k, "outputs"), name, v) check_output(
			json_string_value(json_object_get(json_object_get(spec, "outputs"), name)),
			flyte_literal_map_get(flyte_execution_outputs(x), name), v, name);
		assert_int_equal(flyte_execution_prediction_count(x), 1);
		const flyte_cache_prediction *p = flyte_execution_prediction_at(x, 0);
		assert_int_equal(p->matches, 1);
		if (record)
			printf("%s: \"artifact_tag\": \"%s\", \"dataset_version\": \"%s\"\n", task_name, p->artifact_tag,
			       p->dataset.version);
		else {
			assert_string_equal(p->artifact_tag, json_string_value(json_object_get(k, "artifact_tag")));
			assert_string_equal(p->dataset.version, json_string_value(json_object_get(k, "dataset_version")));
		}
		flyte_execution_free(x);
		flyte_type_hints_free(hints);
		flyte_literal_map_free(inputs);
	}
	flyte_client_free(c);
	assert_int_equal(tu_devserver_stop(server), 0);
	json_decref(table);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_shared_scenario)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
