/* flyte-remote cache-key / dataset-version: Flyte's cache keys, computed locally, or for a
   registered task before launching it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_LITERALS = CLI_OPT_NEXT, OPT_IGNORE, OPT_INTERFACE, OPT_CACHE_VERSION, OPT_TASK };

/* After the options: no operands may be left, and the required option must be there. */
static int check_rest(const cli_command *cmd, int argc, char **argv, const char *required, const char *what)
{
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!required)
		return cli_usage_error(cmd, "missing %s", what);
	return CLI_CONTINUE;
}

/* ---- cache-key ---- */

typedef struct {
	cli_globals g;
	const char *literals;
	cli_strv ignore;
	const char *task;
	cli_input_args in;
} cache_key_args;

static int cache_key_option(cache_key_args *a, const cli_command *cmd, int c)
{
	switch (c) {
	case OPT_LITERALS: a->literals = optarg; return CLI_CONTINUE;
	case OPT_IGNORE:
		return cli_strv_add_csv(&a->ignore, optarg) ? cli_fail(cmd, FLYTE_ENOMEM, NULL, "reading --ignore")
							     : CLI_CONTINUE;
	case OPT_TASK: a->task = optarg; return CLI_CONTINUE;
	case CLI_OPT_INPUT:
	case CLI_OPT_INPUT_FILE:
	case CLI_OPT_HASH: return cli_input_option(&a->in, cmd, c, optarg);
	case 'h': return cli_help(cmd);
	default: return cli_global_option(&a->g, cmd, c, optarg);
	}
}

static int parse_cache_key(cache_key_args *a, const cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_GLOBAL_OPTIONS,
		CLI_INPUT_OPTIONS,
		{"literals", required_argument, NULL, OPT_LITERALS},
		{"ignore", required_argument, NULL, OPT_IGNORE},
		{"task", required_argument, NULL, OPT_TASK},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, st;
	while ((c = getopt_long(argc, argv, "h" CLI_GLOBAL_SHORT, opts, NULL)) != -1)
		if ((st = cache_key_option(a, cmd, c)) != CLI_CONTINUE)
			return st;
	if (a->task) {
		if (a->ignore.n)
			return cli_usage_error(cmd, "--ignore: with --task, the task's cache_ignore_input_vars apply");
		/* The inputs as a LiteralMap: read like an --input-file. */
		if (a->literals && cli_strv_add(&a->in.files, a->literals))
			return cli_fail(cmd, FLYTE_ENOMEM, NULL, "--literals");
		return check_rest(cmd, argc, argv, a->task, "--task");
	}
	if (a->in.inputs.n || a->in.files.n || a->in.hashes.n)
		return cli_usage_error(cmd, "--input, --input-file and --hash need --task NAME[:VERSION] (its "
					    "interface types the values)");
	return check_rest(cmd, argc, argv, a->literals, "--literals FILE (or --task NAME[:VERSION])");
}

static int print_artifact_tag(const cli_command *cmd, const cache_key_args *a)
{
	char *json;
	size_t len;
	int status = cli_read_input(&json, &len, cmd, a->literals);
	if (status)
		return status;
	const char *name = cli_input_name(a->literals);
	flyte_literal_map *inputs = NULL;
	flyte_error *error = NULL;
	char tag[FLYTE_ARTIFACT_TAG_LEN + 1];
	int rc = flyte_literal_map_from_json(&inputs, json, len, &error);
	free(json);
	if (rc) {
		status = cli_fail(cmd, rc, error, "%s: invalid LiteralMap", name);
	} else if ((rc = flyte_cache_artifact_tag(tag, inputs, (const char *const *)a->ignore.items, a->ignore.n,
						  &error))) {
		status = cli_fail(cmd, rc, error, "%s: cannot compute the artifact tag", name);
	} else if (a->g.json) {
		status = cli_print_json(cmd, json_pack("{s:s}", "artifact_tag", tag));
	} else {
		printf("%s\n", tag);
		status = cli_finish_output(cmd);
	}
	flyte_error_free(error);
	flyte_literal_map_free(inputs);
	return status;
}

/* ---- cache-key --task: the key an execution of a registered task will use ---- */

/* The task's cache settings, from its TaskMetadata. */
typedef struct {
	json_t *doc; /* the admin.Task */
	const char *version;
	cli_strv ignore; /* borrowed from doc */
} task_cache;

static int read_task_cache(task_cache *tc, const cli_command *cmd, const flyte_entity *e)
{
	flyte_identifier id = flyte_entity_id(e);
	tc->doc = json_loads(flyte_entity_json(e), 0, NULL);
	json_t *tmpl = cli_json_get(cli_json_get(cli_json_get(tc->doc, "closure"), "compiled_task"), "template");
	json_t *md = json_object_get(tmpl, "metadata"), *ignored = cli_json_get(md, "cache_ignore_input_vars"), *v;
	size_t i;
	tc->version = json_string_value(cli_json_get(md, "discovery_version"));
	if (!json_is_true(json_object_get(md, "discoverable")) || !tc->version)
		return cli_say(cmd, CLI_EXIT_USAGE,
			       "task %s:%s is not cacheable, so it has no cache key\n"
			       "Register it with cache settings (cache: {version: \"1\"}) under a new version.",
			       id.name, id.version);
	json_array_foreach(ignored, i, v)
		if (json_is_string(v) && cli_strv_add(&tc->ignore, json_string_value(v)))
			return cli_fail(cmd, FLYTE_ENOMEM, NULL, "reading the task");
	return CLI_CONTINUE;
}

static int localize(flyte_literal **out, flyte_client *c, const flyte_literal *lit, flyte_error **err);

/* A container with its items localized. */
static int localize_items(flyte_literal **out, flyte_client *c, const flyte_literal *lit, flyte_error **err)
{
	int is_map = flyte_literal_kind_of(lit) == FLYTE_LITERAL_MAP;
	int rc = is_map ? flyte_literal_new_map(out) : flyte_literal_new_collection(out);
	for (size_t i = 0; !rc && i < flyte_literal_count(lit); i++) {
		const char *key = NULL;
		const flyte_literal *item = is_map ? flyte_literal_map_entry_at(lit, i, &key)
						   : flyte_literal_collection_at(lit, i);
		flyte_literal *copy = NULL;
		rc = localize(&copy, c, item, err);
		if (!rc)
			rc = is_map ? flyte_literal_map_entry_set_new(*out, key, copy)
				    : flyte_literal_collection_append_new(*out, copy);
	}
	return rc;
}

static int upload_blob(flyte_literal **out, flyte_client *c, const flyte_literal *lit, flyte_error **err)
{
	const char *uri, *format;
	flyte_blob_dimensionality dim;
	flyte_literal_get_blob(lit, &uri, &format, &dim);
	if (!*uri || (strstr(uri, "://") && strncmp(uri, "file://", 7) != 0))
		return flyte_literal_copy(out, lit);
	const char *path = strncmp(uri, "file://", 7) == 0 ? uri + 7 : uri;
	char *remote = NULL;
	int rc = dim == FLYTE_BLOB_MULTIPART ? flyte_upload_directory(c, &remote, path, NULL, NULL, err)
					     : flyte_upload_file(c, &remote, path, NULL, NULL, err);
	if (!rc)
		rc = flyte_literal_new_blob(out, remote, format, dim);
	flyte_string_free(remote);
	return rc;
}

/*
 * A copy of lit whose local files are replaced by their uploaded location, as
 * flyte_execute() does: the upload location follows the content, so the key is the one
 * the execution will have. A literal with a hash is keyed by it: left alone.
 */
static int localize(flyte_literal **out, flyte_client *c, const flyte_literal *lit, flyte_error **err)
{
	*out = NULL;
	if (*flyte_literal_hash(lit))
		return flyte_literal_copy(out, lit);
	switch (flyte_literal_kind_of(lit)) {
	case FLYTE_LITERAL_BLOB: return upload_blob(out, c, lit, err);
	case FLYTE_LITERAL_COLLECTION:
	case FLYTE_LITERAL_MAP: return localize_items(out, c, lit, err);
	default: return flyte_literal_copy(out, lit);
	}
}

static int localize_inputs(const cli_command *cmd, flyte_client *c, flyte_literal_map *inputs)
{
	for (size_t i = 0; i < flyte_literal_map_count(inputs); i++) {
		const char *name;
		flyte_literal *lit = flyte_literal_map_at(inputs, i, &name), *local = NULL;
		flyte_error *err = NULL;
		int rc = localize(&local, c, lit, &err);
		if (!rc)
			rc = flyte_literal_map_set_new(inputs, name, local);
		if (rc) {
			int st = cli_fail(cmd, rc, err, "input \"%s\"", name);
			flyte_error_free(err);
			return st;
		}
	}
	return CLI_CONTINUE;
}

/* Every declared input must be given: a task has no defaults. */
static int check_complete(const cli_command *cmd, const flyte_variable_map *declared, const flyte_literal_map *in)
{
	for (size_t i = 0; i < flyte_variable_map_count(declared); i++) {
		const char *name;
		flyte_variable_map_at(declared, i, &name, NULL);
		if (!flyte_literal_map_get(in, name))
			return cli_usage_error(cmd, "missing --input %s=VALUE (the key covers every input)", name);
	}
	return CLI_CONTINUE;
}

static int print_key_text(const cli_command *cmd, const flyte_identifier *id, const flyte_dataset_id *ds,
			  const char *tag)
{
	printf("Task:          %s/%s/%s:%s\nDataset:       %s/%s/%s\nVersion:       %s\nArtifact tag:  %s\n",
	       id->project, id->domain, id->name, id->version, ds->project, ds->domain, ds->name, ds->version, tag);
	return cli_finish_output(cmd);
}

static int print_task_key(const cli_command *cmd, const cache_key_args *a, const flyte_entity *e,
			  const task_cache *tc, const flyte_literal_map *inputs)
{
	flyte_identifier id = flyte_entity_id(e);
	flyte_dataset_id ds = {0};
	flyte_error *err = NULL;
	char tag[FLYTE_ARTIFACT_TAG_LEN + 1];
	int st;
	int rc = flyte_cache_artifact_tag(tag, inputs, (const char *const *)tc->ignore.items, tc->ignore.n, &err);
	if (!rc)
		rc = flyte_cache_dataset_id(&ds, &id, tc->version, flyte_entity_interface(e), &err);
	if (rc)
		st = cli_fail(cmd, rc, err, "computing the cache key");
	else if (a->g.json)
		st = cli_print_json(cmd, json_pack("{s:{s:s,s:s,s:s,s:s},s:{s:s,s:s,s:s,s:s},s:s,s:s}", "task",
						   "project", id.project, "domain", id.domain, "name", id.name,
						   "version", id.version, "dataset", "project", ds.project, "domain",
						   ds.domain, "name", ds.name, "version", ds.version, "artifact_tag",
						   tag, "cache_version", tc->version));
	else
		st = print_key_text(cmd, &id, &ds, tag);
	flyte_dataset_id_dispose(&ds);
	flyte_error_free(err);
	return st;
}

static int task_key(const cli_command *cmd, cache_key_args *a)
{
	flyte_client *c = NULL;
	flyte_entity *e = NULL;
	flyte_literal_map *inputs = NULL;
	flyte_type_hints *hints = NULL;
	flyte_error *err = NULL;
	task_cache tc = {0};
	int st = cli_connect(&c, cmd, &a->g);
	if (st == CLI_CONTINUE)
		st = cli_fetch(&e, cmd, c, FLYTE_RESOURCE_TASK, a->g.project, a->g.domain, a->task);
	const flyte_variable_map *declared = e ? flyte_typed_interface_inputs(flyte_entity_interface(e)) : NULL;
	if (st == CLI_CONTINUE)
		st = read_task_cache(&tc, cmd, e);
	if (st == CLI_CONTINUE)
		st = cli_build_inputs(&inputs, &hints, cmd, declared, NULL, &a->in);
	if (st == CLI_CONTINUE)
		st = check_complete(cmd, declared, inputs);
	if (st == CLI_CONTINUE && hints) {
		int rc = flyte_type_hints_apply(hints, inputs, &err);
		if (rc)
			st = cli_fail(cmd, rc, err, "--hash");
	}
	if (st == CLI_CONTINUE)
		st = localize_inputs(cmd, c, inputs);
	if (st == CLI_CONTINUE)
		st = print_task_key(cmd, a, e, &tc, inputs);
	flyte_error_free(err);
	cli_strv_free(&tc.ignore);
	json_decref(tc.doc);
	flyte_type_hints_free(hints);
	flyte_literal_map_free(inputs);
	flyte_entity_free(e);
	flyte_client_free(c);
	return st;
}

static int run_cache_key(const cli_command *cmd, int argc, char **argv)
{
	cache_key_args a = {.g = cli_global_defaults};
	int status = parse_cache_key(&a, cmd, argc, argv);
	if (status == CLI_CONTINUE)
		status = a.task ? task_key(cmd, &a) : print_artifact_tag(cmd, &a);
	cli_strv_free(&a.ignore);
	cli_input_args_free(&a.in);
	return status;
}

const cli_command cli_cmd_cache_key = {
	.name = "cache-key",
	.summary = "Print the cache key of a task's inputs (locally, or for a registered task).",
	.args = "(--literals FILE [--ignore NAME[,NAME...]]... | --task NAME[:VERSION] [--input NAME=VALUE]...)",
	.remote = 1,
	.help = "The artifact tag is \"flyte_cached-\" and a hash of the input values, bit-exact with\n"
		"flytepropeller (Flyte v1.16). An input whose literal has a non-empty \"hash\" is keyed\n"
		"by that hash instead of its value.\n"
		"\n"
		"With --literals alone nothing is sent anywhere. With --task, the task is fetched and the\n"
		"full key an execution with these inputs will use is printed before launching it: the\n"
		"dataset (from the task's id, cache version and interface) and the artifact tag (from\n"
		"the inputs, leaving out the task's cache_ignore_input_vars). Local files are uploaded,\n"
		"as a launch would, since their uploaded location is part of the key (unless --hash).\n"
		"\n"
		"Options:\n"
		"  --literals FILE       the inputs: a flyteidl.core.LiteralMap in proto3 JSON, e.g.\n"
		"                        {\"literals\":{\"x\":{\"scalar\":{\"primitive\":{\"integer\":\"1\"}}}}};\n"
		"                        '-' reads standard input\n"
		"  --ignore NAMES        leave out these top-level inputs (the task's\n"
		"                        cache_ignore_input_vars): comma-separated exact names; may\n"
		"                        be repeated (not with --task)\n"
		"  --task NAME[:VERSION] a registered task (no version: the latest)\n" CLI_INPUT_HELP
		"  -h, --help            print this help\n",
	.run = run_cache_key,
};

/* ---- dataset-version ---- */

typedef struct {
	const char *interface;
	const char *cache_version;
} dataset_version_args;

static int parse_dataset_version(dataset_version_args *a, const cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{"interface", required_argument, NULL, OPT_INTERFACE},
		{"cache-version", required_argument, NULL, OPT_CACHE_VERSION},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_INTERFACE: a->interface = optarg; break;
		case OPT_CACHE_VERSION: a->cache_version = optarg; break;
		case 'h': return cli_help(cmd);
		default: return cli_bad_option(cmd);
		}
	}
	int status = check_rest(cmd, argc, argv, a->interface, "--interface FILE");
	if (status == CLI_CONTINUE)
		status = check_rest(cmd, argc, argv, a->cache_version, "--cache-version VERSION");
	return status;
}

static int print_dataset_version(const cli_command *cmd, const dataset_version_args *a)
{
	char *json;
	size_t len;
	int status = cli_read_input(&json, &len, cmd, a->interface);
	if (status)
		return status;
	flyte_typed_interface *iface = NULL;
	flyte_error *error = NULL;
	char *version = NULL;
	int rc = flyte_typed_interface_from_json(&iface, json, len, &error);
	free(json);
	if (rc) {
		status = cli_fail(cmd, rc, error, "%s: invalid TypedInterface", cli_input_name(a->interface));
	} else if ((rc = flyte_cache_dataset_version(&version, a->cache_version, iface, &error))) {
		status = cli_fail(cmd, rc, error, "--cache-version '%s'", a->cache_version);
	} else {
		printf("%s\n", version);
		status = cli_finish_output(cmd);
	}
	flyte_string_free(version);
	flyte_error_free(error);
	flyte_typed_interface_free(iface);
	return status;
}

static int run_dataset_version(const cli_command *cmd, int argc, char **argv)
{
	dataset_version_args a = {0};
	int status = parse_dataset_version(&a, cmd, argc, argv);
	return status == CLI_CONTINUE ? print_dataset_version(cmd, &a) : status;
}

const cli_command cli_cmd_dataset_version = {
	.name = "dataset-version",
	.summary = "Print the cache dataset version of a task's interface.",
	.args = "--interface FILE --cache-version VERSION",
	.help = "The version is \"<cache version>-<8 chars>-<8 chars>\": the cache version with spaces\n"
		"trimmed, then hashes of the interface's inputs and outputs, bit-exact with\n"
		"flytepropeller (Flyte v1.16).\n"
		"\n"
		"Options:\n"
		"  --interface FILE         the task's interface: a flyteidl.core.TypedInterface in\n"
		"                           proto3 JSON, e.g. {\"inputs\":{\"variables\":{\"x\":\n"
		"                           {\"type\":{\"simple\":\"INTEGER\"}}}}}; '-' reads standard input\n"
		"  --cache-version VERSION  the task's cache version (TaskMetadata.discovery_version);\n"
		"                           must not be blank\n"
		"  -h, --help               print this help\n",
	.run = run_dataset_version,
};
