/* flyte-remote config show: the resolved client configuration, secrets masked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* One "key: value  # source" line of flyte_config_describe() as {"key", "value", "source"}. */
static json_t *setting_json(const char *line)
{
	const char *colon = strstr(line, ": ");
	if (!colon || line[0] == '#')
		return NULL;
	const char *value = colon + 2, *hash = strstr(value, "  # ");
	size_t vlen = hash ? (size_t)(hash - value) : strlen(value);
	return json_pack("{s:s%,s:s%,s:s?}", "key", line, (size_t)(colon - line), "value", value, vlen, "source",
			 hash ? hash + 4 : NULL);
}

static json_t *describe_json(const char *text, const flyte_config *cfg, const cli_globals *g)
{
	json_t *settings = json_array();
	char *copy = strdup(text), *save = NULL;
	for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		json_t *s = setting_json(line);
		if (s)
			json_array_append_new(settings, s);
	}
	free(copy);
	return json_pack("{s:s?,s:o,s:{s:s?,s:s?,s:s?,s:b},s:s?}", "file", flyte_config_path(cfg), "settings",
			 settings, "command_line", "endpoint", g->endpoint, "project", g->project, "domain", g->domain,
			 "insecure", g->insecure, "auth_problem", flyte_config_auth_problem(cfg));
}

/* Command-line options win over the file and the environment: say which were given. */
static void show_overrides(const cli_globals *g)
{
	if (g->endpoint)
		printf("admin.endpoint: %s  # --endpoint (wins over the above)\n", g->endpoint);
	if (g->insecure)
		printf("admin.insecure: true  # --insecure (wins over the above)\n");
	if (g->project)
		printf("task.project: %s  # --project (wins over the above)\n", g->project);
	if (g->domain)
		printf("task.domain: %s  # --domain (wins over the above)\n", g->domain);
}

static int show_text(const cli_command *cmd, const char *text, const cli_globals *g)
{
	fputs(text, stdout);
	show_overrides(g);
	return cli_finish_output(cmd);
}

static int show(const cli_command *cmd, const cli_globals *g)
{
	flyte_config *cfg = NULL;
	flyte_error *err = NULL;
	char *text = NULL;
	int rc = flyte_config_load(&cfg, g->config, &err);
	int st;
	if (rc)
		st = cli_fail(cmd, rc, err, "reading the configuration");
	else if (flyte_config_describe(&text, cfg))
		st = cli_fail(cmd, FLYTE_ENOMEM, NULL, "describing the configuration");
	else if (g->json)
		st = cli_print_json(cmd, describe_json(text, cfg, g));
	else
		st = show_text(cmd, text, g);
	flyte_string_free(text);
	flyte_error_free(err);
	flyte_config_free(cfg);
	return st;
}

static int run_config(const cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_GLOBAL_OPTIONS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	cli_globals g = cli_global_defaults;
	int c, st;
	while ((c = getopt_long(argc, argv, "h" CLI_GLOBAL_SHORT, opts, NULL)) != -1) {
		if (c == 'h')
			return cli_help(cmd);
		if ((st = cli_global_option(&g, cmd, c, optarg)) != CLI_CONTINUE)
			return st;
	}
	if (optind >= argc)
		return cli_usage_error(cmd, "missing the action: show");
	if (strcmp(argv[optind], "show") != 0)
		return cli_usage_error(cmd, "unknown action '%s' (the action is show)", argv[optind]);
	if (optind + 1 < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	return show(cmd, &g);
}

const cli_command cli_cmd_config = {
	.name = "config",
	.summary = "Show the resolved client configuration, secrets masked.",
	.args = "show [OPTIONS]",
	.remote = 1,
	.help = "Prints every setting that is set, with where it came from: the configuration file\n"
		"(--config, else $FLYTECTL_CONFIG, else ~/.flyte/config.yaml), a FLYTE_* environment\n"
		"variable, or a command-line option (which wins). Secrets print as ****.\n"
		"\n"
		"Options:\n"
		"  -h, --help   print this help\n",
	.run = run_config,
};
