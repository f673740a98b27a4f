/*
 * custom_type_hash: a C struct as a task input, keyed by what matters.
 *
 * A video record (path, codec, duration) goes to a cached transcoding task as a generic
 * struct. The type hint's hash function looks only at the path and the codec: two
 * records that differ in the measured duration alone are the same work, so the second
 * run is a cache hit. Without the hint, the whole value is the key and the cache misses.
 */
#include <string.h>

#include "example_common.h"

typedef struct {
	const char *path;
	const char *codec;
	double duration_s; /* measured, varies between probes: not part of the work's identity */
} video_record;

/* The hash function of the type hint: payload is the C record the literal was made from. */
static int video_hash(flyte_out_string *out, const flyte_literal *literal, void *payload)
{
	(void)literal;
	const video_record *v = payload;
	char key[512];
	int n = snprintf(key, sizeof key, "%s|%s", v->path, v->codec);
	return flyte_out_string_set(out, key, (size_t)n);
}

static flyte_literal *to_literal(const video_record *v)
{
	char json[512];
	snprintf(json, sizeof json, "{\"path\":\"%s\",\"codec\":\"%s\",\"duration_s\":%.3f}", v->path, v->codec,
		 v->duration_s);
	flyte_literal *lit;
	TRY("struct literal", flyte_literal_new_generic_json(&lit, json, &err));
	return lit;
}

static void run(flyte_client *c, const char *title, video_record *v, int with_hint)
{
	flyte_literal_map *in;
	TRY("inputs", flyte_literal_map_new(&in));
	TRY("inputs", flyte_literal_map_set_new(in, "video", to_literal(v)));
	flyte_type_hints *hints = NULL;
	if (with_hint) {
		TRY("hints", flyte_type_hints_new(&hints));
		TRY("hints", flyte_type_hints_add(hints, "video", NULL, video_hash, v));
	}
	flyte_identifier task = flyte_reference_task("flytesnacks", "development", "examples.transcode", "v1");
	flyte_execution *x;
	TRY("execute", flyte_execute(c, &x, &task, in, hints, NULL, &err));
	example_wait(c, x);
	printf("%-48s duration %.2f s -> cache %s\n", title, v->duration_s, example_cache_status(x));
	flyte_execution_free(x);
	flyte_type_hints_free(hints);
	flyte_literal_map_free(in);
}

int main(int argc, char **argv)
{
	flyte_client *c = example_connect(argc, argv);
	flyte_literal_type *st, *str;
	TRY("types", flyte_literal_type_new_simple(&st, FLYTE_SIMPLE_STRUCT));
	TRY("types", flyte_literal_type_new_simple(&str, FLYTE_SIMPLE_STRING));
	flyte_variable_map *in = example_vars("video", st, NULL, NULL, NULL, NULL);
	flyte_variable_map *out = example_vars("status", str, NULL, NULL, NULL, NULL);
	flyte_typed_interface *iface;
	TRY("interface", flyte_typed_interface_new(&iface, in, out));
	flyte_identifier id = {FLYTE_RESOURCE_TASK, "flytesnacks", "development", "examples.transcode", "v1", NULL};
	const char *cmd[] = {"sh", "-c"};
	const char *args[] = {"echo transcoded > /var/outputs/status"};
	flyte_task *task;
	TRY("task", flyte_task_new_raw_container(&task, &id, "ffmpeg:6", cmd, 2, args, 1, iface, &err));
	/* Flyte's copilot: outputs are files in /var/outputs (the dev server maps it to a work dir). */
	TRY("data config", flyte_task_set_data_config(task, "/var/inputs", "/var/outputs"));
	flyte_cache_options cache = FLYTE_CACHE_OPTIONS_INIT;
	cache.enabled = 1;
	cache.cache_version = "1";
	TRY("cache", flyte_task_set_cache(task, &cache, &err));
	TRY("register", flyte_register_task(c, task, &err));

	video_record probe1 = {"s3://videos/cat.mov", "h264", 61.02};
	video_record probe2 = {"s3://videos/cat.mov", "h264", 61.04}; /* the same video, probed again */
	run(c, "first record, hash of path and codec", &probe1, 1);
	run(c, "same video, other duration, same hash", &probe2, 1);
	run(c, "same video, other duration, no type hint", &probe2, 0);

	flyte_task_free(task);
	flyte_typed_interface_free(iface);
	flyte_variable_map_free(in);
	flyte_variable_map_free(out);
	flyte_literal_type_free(st);
	flyte_literal_type_free(str);
	flyte_client_free(c);
	return 0;
}
