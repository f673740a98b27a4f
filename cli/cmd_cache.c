/* flyte-remote cache-key / dataset-version: Flyte's cache keys computed locally. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Returned by the argument parsers when the command should go on. */
#define CONTINUE (-1)

enum { OPT_LITERALS = 256, OPT_IGNORE, OPT_INTERFACE, OPT_CACHE_VERSION };

typedef struct {
	char **items;
	size_t n, cap;
} name_list;

/* Appends each comma-separated name of csv; empty names are kept ("a,,b" has three). */
static int names_add_csv(name_list *l, const char *csv)
{
	for (const char *p = csv;; p++) {
		size_t len = strcspn(p, ",");
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 8;
			char **items = realloc(l->items, cap * sizeof *items);
			if (!items)
				return -1;
			l->items = items;
			l->cap = cap;
		}
		char *name = strndup(p, len);
		if (!name)
			return -1;
		l->items[l->n++] = name;
		p += len;
		if (!*p)
			return 0;
	}
}

static void names_free(name_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
}

/* After the options: no operands may be left, and the required option must be there. */
static int check_rest(const cli_command *cmd, int argc, char **argv, const char *required, const char *what)
{
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!required)
		return cli_usage_error(cmd, "missing %s", what);
	return CONTINUE;
}

/* ---- cache-key ---- */

typedef struct {
	const char *literals;
	name_list ignore;
} cache_key_args;

static int parse_cache_key(cache_key_args *a, const cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{"literals", required_argument, NULL, OPT_LITERALS},
		{"ignore", required_argument, NULL, OPT_IGNORE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_LITERALS: a->literals = optarg; break;
		case OPT_IGNORE:
			if (names_add_csv(&a->ignore, optarg))
				return cli_fail(cmd, FLYTE_ENOMEM, NULL, "reading --ignore");
			break;
		case 'h': return cli_help(cmd);
		default: return cli_bad_option(cmd);
		}
	}
	return check_rest(cmd, argc, argv, a->literals, "--literals FILE");
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
	} else {
		printf("%s\n", tag);
		status = cli_finish_output(cmd);
	}
	flyte_error_free(error);
	flyte_literal_map_free(inputs);
	return status;
}

static int run_cache_key(const cli_command *cmd, int argc, char **argv)
{
	cache_key_args a = {0};
	int status = parse_cache_key(&a, cmd, argc, argv);
	if (status == CONTINUE)
		status = print_artifact_tag(cmd, &a);
	names_free(&a.ignore);
	return status;
}

const cli_command cli_cmd_cache_key = {
	.name = "cache-key",
	.summary = "Print the artifact tag (cache key) of a task's input values.",
	.args = "--literals FILE [--ignore NAME[,NAME...]]...",
	.help = "The tag is \"flyte_cached-\" and a hash of the input values, bit-exact with\n"
		"flytepropeller (Flyte v1.16). An input whose literal has a non-empty \"hash\" is keyed\n"
		"by that hash instead of its value.\n"
		"\n"
		"Options:\n"
		"  --literals FILE   the inputs: a flyteidl.core.LiteralMap in proto3 JSON,\n"
		"                    e.g. {\"literals\":{\"x\":{\"scalar\":{\"primitive\":{\"integer\":\"1\"}}}}};\n"
		"                    '-' reads standard input\n"
		"  --ignore NAMES    leave out these top-level inputs (the task's\n"
		"                    cache_ignore_input_vars): comma-separated exact names;\n"
		"                    may be repeated\n"
		"  -h, --help        print this help\n",
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
	if (status == CONTINUE)
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
	return status == CONTINUE ? print_dataset_version(cmd, &a) : status;
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
