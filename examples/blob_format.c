/*
 * blob_format: a local file as an input, keyed by its bytes.
 *
 * The workflow declares its input as a blob of any format (an empty format); its task
 * wants "csv". Flyte's rule (an empty format matches any blob format) lets the one flow
 * into the other. The file is uploaded through the data proxy, and the type hint's
 * content hasher makes the cache key follow the file's bytes: a copy of the same file
 * under another name is a cache hit.
 */
#include <string.h>
#include <unistd.h>

#include "example_common.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	flyte_client *c = example_connect(argc, argv);
	flyte_literal_type *any_blob, *csv, *integer;
	TRY("types", flyte_literal_type_new_blob(&any_blob, "", FLYTE_BLOB_SINGLE));
	TRY("types", flyte_literal_type_new_blob(&csv, "csv", FLYTE_BLOB_SINGLE));
	TRY("types", flyte_literal_type_new_simple(&integer, FLYTE_SIMPLE_INTEGER));
	flyte_variable_map *task_in = example_vars("table", csv, NULL, NULL, NULL, NULL);
	flyte_variable_map *wf_in = example_vars("table", any_blob, NULL, NULL, NULL, NULL);
	flyte_variable_map *out = example_vars("rows", integer, NULL, NULL, NULL, NULL);
	flyte_typed_interface *task_if, *wf_if;
	TRY("interface", flyte_typed_interface_new(&task_if, task_in, out));
	TRY("interface", flyte_typed_interface_new(&wf_if, wf_in, out));

	flyte_identifier tid = {FLYTE_RESOURCE_TASK, "flytesnacks", "development", "examples.count_rows", "v1", NULL};
	const char *cmd[] = {"sh", "-c"};
	const char *args[] = {"tail -n +2 {{.inputs.table}} | wc -l | tr -d ' ' > /var/outputs/rows"};
	flyte_task *task;
	TRY("task", flyte_task_new_raw_container(&task, &tid, "alpine:3", cmd, 2, args, 1, task_if, &err));
	/* Flyte's copilot: outputs are files in /var/outputs (the dev server maps it to a work dir). */
	TRY("data config", flyte_task_set_data_config(task, "/var/inputs", "/var/outputs"));
	flyte_cache_options cache = FLYTE_CACHE_OPTIONS_INIT;
	cache.enabled = 1;
	cache.cache_version = "1";
	TRY("cache", flyte_task_set_cache(task, &cache, &err));
	flyte_identifier wid = {FLYTE_RESOURCE_WORKFLOW, "flytesnacks", "development", "examples.rows_wf", "v1", NULL};
	flyte_workflow *wf;
	TRY("workflow", flyte_workflow_new(&wf, &wid, wf_if, &err));
	flyte_binding b = {"table", NULL, "table", NULL};
	TRY("workflow node: blob (any format) into blob (csv)", flyte_workflow_add_task_node(wf, "count", task, &b, 1, &err));
	flyte_binding o = {"rows", "count", "rows", NULL};
	TRY("workflow output", flyte_workflow_bind_output(wf, &o, &err));
	flyte_launch_plan *lp;
	TRY("launch plan", flyte_launch_plan_new(&lp, &wid, wf, &err));
	TRY("register", flyte_register_task(c, task, &err));
	TRY("register", flyte_register_workflow(c, wf, &err));
	TRY("register", flyte_register_launch_plan(c, lp, &err));

	char dir[] = "/tmp/flyteremote-blob-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char a[128], b2[128];
	snprintf(a, sizeof a, "%s/orders.csv", dir);
	snprintf(b2, sizeof b2, "%s/orders-copy.csv", dir);
	write_file(a, "id,amount\n1,10\n2,20\n3,30\n");
	write_file(b2, "id,amount\n1,10\n2,20\n3,30\n");

	flyte_type_hints *hints;
	TRY("hints", flyte_type_hints_new(&hints));
	TRY("hints", flyte_type_hints_add(hints, "table", NULL, flyte_hasher_sha256_file, NULL));
	const char *files[] = {a, b2};
	for (int k = 0; k < 2; k++) {
		flyte_literal_map *in;
		flyte_literal *blob;
		TRY("inputs", flyte_literal_map_new(&in));
		TRY("inputs", flyte_literal_new_blob(&blob, files[k], "", FLYTE_BLOB_SINGLE));
		TRY("inputs", flyte_literal_map_set_new(in, "table", blob));
		flyte_identifier ref = flyte_reference_workflow("flytesnacks", "development", "examples.rows_wf", "v1");
		flyte_execution *x;
		TRY("execute", flyte_execute(c, &x, &ref, in, hints, NULL, &err));
		example_wait(c, x);
		int64_t rows = -1;
		flyte_literal_get_integer(flyte_literal_map_get(flyte_execution_outputs(x), "rows"), &rows);
		const char *uri;
		flyte_literal_get_blob(flyte_literal_map_get(flyte_execution_inputs(x), "table"), &uri, NULL, NULL);
		printf("%s: %lld rows, cache %s\n  uploaded as %s\n  keyed by sha256 %s\n", files[k], (long long)rows,
		       example_cache_status(x), uri, flyte_literal_hash(flyte_literal_map_get(flyte_execution_inputs(x), "table")));
		flyte_execution_free(x);
		flyte_literal_map_free(in);
	}
	unlink(a);
	unlink(b2);
	rmdir(dir);
	flyte_type_hints_free(hints);
	flyte_launch_plan_free(lp);
	flyte_workflow_free(wf);
	flyte_task_free(task);
	flyte_typed_interface_free(task_if);
	flyte_typed_interface_free(wf_if);
	flyte_variable_map_free(task_in);
	flyte_variable_map_free(wf_in);
	flyte_variable_map_free(out);
	flyte_literal_type_free(any_blob);
	flyte_literal_type_free(csv);
	flyte_literal_type_free(integer);
	flyte_client_free(c);
	return 0;
}
