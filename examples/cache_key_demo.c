/*
 * cache_key_demo: predict Flyte's cache key for a task execution before submitting it.
 *
 * Builds the inputs of a task from C values, gives one input (a file) a type hint with a
 * content hash function, and prints the DataCatalog dataset id and artifact tag under
 * which Flyte will look up and store the task's cached outputs. Because the file input
 * is keyed by its bytes and not by its path, moving the file keeps the same key.
 */
#include <stdio.h>
#include <stdlib.h>

#include <flyte/flyte.h>

#define CHECK(call)                                                                              \
	do {                                                                                     \
		int rc_ = (call);                                                                \
		if (rc_) {                                                                       \
			fprintf(stderr, "%s failed: %s %s\n", #call, flyte_error_code_name(rc_), \
				err ? flyte_error_message(err) : "");                            \
			exit(1);                                                                 \
		}                                                                                \
	} while (0)

int main(int argc, char **argv)
{
	flyte_error *err = NULL;
	const char *path = argc > 1 ? argv[1] : "/tmp/flyteremote-demo.csv";
	if (argc <= 1) {
		FILE *f = fopen(path, "w");
		if (!f || fputs("id,value\n1,42\n2,7\n", f) < 0 || fclose(f)) {
			perror(path);
			return 1;
		}
	}

	/* The task's interface: what Flyte hashes into the dataset version. */
	flyte_literal_type *t_int, *t_str, *t_csv;
	flyte_variable_map *in, *out;
	flyte_typed_interface *iface;
	CHECK(flyte_literal_type_new_simple(&t_int, FLYTE_SIMPLE_INTEGER));
	CHECK(flyte_literal_type_new_simple(&t_str, FLYTE_SIMPLE_STRING));
	CHECK(flyte_literal_type_new_blob(&t_csv, "csv", FLYTE_BLOB_SINGLE));
	CHECK(flyte_variable_map_new(&in));
	CHECK(flyte_variable_map_add(in, "data", t_csv, "the input table"));
	CHECK(flyte_variable_map_add(in, "threshold", t_int, NULL));
	CHECK(flyte_variable_map_add(in, "label", t_str, NULL));
	CHECK(flyte_variable_map_new(&out));
	CHECK(flyte_variable_map_add(out, "o0", t_int, NULL));
	CHECK(flyte_typed_interface_new(&iface, in, out));

	/* The inputs, from C values. */
	flyte_literal_map *inputs;
	flyte_literal *lit;
	CHECK(flyte_literal_map_new(&inputs));
	CHECK(flyte_literal_new_blob(&lit, path, "csv", FLYTE_BLOB_SINGLE));
	CHECK(flyte_literal_map_set_new(inputs, "data", lit));
	CHECK(flyte_literal_new_integer(&lit, 10));
	CHECK(flyte_literal_map_set_new(inputs, "threshold", lit));
	CHECK(flyte_literal_new_string(&lit, "nightly"));
	CHECK(flyte_literal_map_set_new(inputs, "label", lit));

	/* The type hint: "data" is a csv file keyed by the SHA-256 of its bytes. */
	flyte_type_hints *hints;
	CHECK(flyte_type_hints_new(&hints));
	CHECK(flyte_type_hints_add(hints, "data", t_csv, flyte_hasher_sha256_file, NULL));
	CHECK(flyte_type_hints_apply(hints, inputs, &err));

	/* The cache key, as flytepropeller and DataCatalog will compute it. */
	flyte_identifier task = {FLYTE_RESOURCE_TASK, "flytesnacks", "development", "demo.filter_rows", "v1", NULL};
	flyte_dataset_id dataset;
	char tag[FLYTE_ARTIFACT_TAG_LEN + 1];
	CHECK(flyte_cache_dataset_id(&dataset, &task, "1.0", iface, &err));
	CHECK(flyte_cache_artifact_tag(tag, inputs, NULL, 0, &err));

	char *json;
	CHECK(flyte_literal_map_to_json(&json, inputs));
	printf("inputs (as sent to FlyteAdmin):\n  %s\n\n", json);
	printf("input \"data\" is keyed by its content: hash %s\n\n",
	       flyte_literal_hash(flyte_literal_map_get(inputs, "data")));
	printf("predicted cache key of task %s:%s\n", task.name, task.version);
	printf("  dataset  project=%s domain=%s name=%s version=%s\n", dataset.project, dataset.domain, dataset.name,
	       dataset.version);
	printf("  artifact tag %s\n", tag);

	flyte_string_free(json);
	flyte_dataset_id_dispose(&dataset);
	flyte_type_hints_free(hints);
	flyte_literal_map_free(inputs);
	flyte_typed_interface_free(iface);
	flyte_variable_map_free(in);
	flyte_variable_map_free(out);
	flyte_literal_type_free(t_int);
	flyte_literal_type_free(t_str);
	flyte_literal_type_free(t_csv);
	return 0;
}
