/*
 * cache_config: the cache settings of a task, as flytekit's Cache resolves them.
 *
 * A cacheable task needs a cache version or a cache policy: without either it is refused
 * with flytekit's own message. With a version it registers as is; with a policy (a
 * function of the task, here of its image) the version is the SHA-256 of what the
 * policies return, so a new image means a new cache.
 */
#include <string.h>

#include "example_common.h"

static int image_policy(flyte_out_string *out, const char *salt, void *payload)
{
	char v[256];
	int n = snprintf(v, sizeof v, "%s%s", salt, (const char *)payload);
	return flyte_out_string_set(out, v, (size_t)n);
}

static flyte_task *make_task(const char *version)
{
	flyte_literal_type *i;
	TRY("types", flyte_literal_type_new_simple(&i, FLYTE_SIMPLE_INTEGER));
	flyte_variable_map *in = example_vars("x", i, NULL, NULL, NULL, NULL);
	flyte_variable_map *out = example_vars("y", i, NULL, NULL, NULL, NULL);
	flyte_typed_interface *iface;
	TRY("interface", flyte_typed_interface_new(&iface, in, out));
	flyte_identifier id = {FLYTE_RESOURCE_TASK, "flytesnacks", "development", "examples.double", version, NULL};
	const char *cmd[] = {"sh", "-c"};
	const char *args[] = {"echo $(( {{.inputs.x}} * 2 )) > /var/outputs/y"};
	flyte_task *t;
	TRY("task", flyte_task_new_raw_container(&t, &id, "alpine:3.20", cmd, 2, args, 1, iface, &err));
	/* Flyte's copilot: outputs are files in /var/outputs (the dev server maps it to a work dir). */
	TRY("data config", flyte_task_set_data_config(t, "/var/inputs", "/var/outputs"));
	flyte_typed_interface_free(iface);
	flyte_variable_map_free(in);
	flyte_variable_map_free(out);
	flyte_literal_type_free(i);
	return t;
}

int main(int argc, char **argv)
{
	flyte_client *c = example_connect(argc, argv);

	/* 1. Cacheable, but neither version nor policy: refused before anything is sent. */
	flyte_task *t = make_task("v1");
	flyte_cache_options cache = FLYTE_CACHE_OPTIONS_INIT;
	cache.enabled = 1;
	flyte_error *e = NULL;
	int rc = flyte_task_set_cache(t, &cache, &e);
	printf("no version, no policy: %s: %s\n", flyte_error_code_name(rc), flyte_error_message(e));
	flyte_error_free(e);
	if (rc != FLYTE_EINVALID)
		return 1;

	/* 2. With a cache version. */
	cache.cache_version = "2024-06";
	TRY("cache", flyte_task_set_cache(t, &cache, &err));
	TRY("register", flyte_register_task(c, t, &err));
	printf("with a version: registered examples.double:v1 (cache version 2024-06)\n");
	flyte_task_free(t);

	/* 3. With a policy instead: the version is derived from the image. */
	t = make_task("v2");
	flyte_cache_policy policies[] = {{image_policy, "alpine:3.20"}};
	flyte_cache_options by_policy = FLYTE_CACHE_OPTIONS_INIT;
	by_policy.enabled = 1;
	by_policy.policies = policies;
	by_policy.n_policies = 1;
	char *version;
	TRY("resolve", flyte_cache_resolve_version(&version, &by_policy, &err));
	TRY("cache", flyte_task_set_cache(t, &by_policy, &err));
	TRY("register", flyte_register_task(c, t, &err));
	printf("with a policy: registered examples.double:v2 (cache version %.16s...)\n", version);
	flyte_string_free(version);
	flyte_task_free(t);
	flyte_client_free(c);
	return 0;
}
