/* flyte-remote: how subcommands print their help, report errors and choose exit statuses. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *current_endpoint;

void cli_set_endpoint(const char *endpoint)
{
	current_endpoint = endpoint;
}

static char auth_problem[2048];

void cli_set_auth_problem(const char *problem)
{
	snprintf(auth_problem, sizeof auth_problem, "%s", problem ? problem : "");
}

int cli_help(const cli_command *cmd)
{
	printf("Usage: " CLI_NAME " %s %s\n\n%s\n\n%s", cmd->name, cmd->args, cmd->summary, cmd->help);
	if (cmd->remote)
		printf("\n%s", cli_global_help);
	return cli_finish_output(cmd);
}

static void vreport(const cli_command *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, CLI_NAME "%s%s: ", *cmd->name ? " " : "", cmd->name);
	vfprintf(stderr, fmt, ap);
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(cmd, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return cli_bad_option(cmd);
}

int cli_bad_option(const cli_command *cmd)
{
	fprintf(stderr, "Run '" CLI_NAME "%s%s --help' for usage.\n", *cmd->name ? " " : "", cmd->name);
	return CLI_EXIT_USAGE;
}

int cli_say(const cli_command *cmd, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(cmd, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return status;
}

/* Says what to do about a failure with code rc, when the message itself does not. */
static void print_hint(int rc)
{
	const char *where = current_endpoint ? current_endpoint : "the configured endpoint";
	switch (rc) {
	case FLYTE_EUNAVAILABLE:
		fprintf(stderr,
			"Is FlyteAdmin (or flyte-devserver) running at %s? Check --endpoint, or admin.endpoint /\n"
			"FLYTE_PLATFORM_URL ('" CLI_NAME " config show' prints what is used), then try again.\n",
			where);
		break;
	case FLYTE_EAUTH:
		if (*auth_problem) {
			fprintf(stderr, "The configuration cannot give credentials: %s.\n", auth_problem);
			break;
		}
		fprintf(stderr,
			"Check your credentials: admin.authType and its settings in the configuration file, or\n"
			"the FLYTE_CREDENTIALS_* variables ('" CLI_NAME " config show' prints what is used).\n");
		break;
	case FLYTE_ETIMEOUT:
		fprintf(stderr, "%s did not answer in time; try again.\n", where);
		break;
	case FLYTE_ERROR:
		fprintf(stderr, "The server at %s failed; its log may say why.\n", where);
		break;
	case FLYTE_ENOTFOUND:
		fprintf(stderr, "Check the name, the version, --project and --domain ('" CLI_NAME
				" list' shows what exists).\n");
		break;
	default:
		break;
	}
}

int cli_fail(const cli_command *cmd, int rc, const flyte_error *error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(cmd, fmt, ap);
	va_end(ap);
	if (error)
		fprintf(stderr, ": %s\n", flyte_error_message(error));
	else
		fprintf(stderr, ": %s\n", flyte_error_code_name(rc));
	print_hint(rc);
	return cli_exit_status(rc);
}

/* Failures of the environment (server, network, credentials) are 3: the command itself
   was right and may work later or elsewhere; everything else needs a different command. */
int cli_exit_status(int rc)
{
	switch (rc) {
	case FLYTE_OK:
		return CLI_EXIT_OK;
	case FLYTE_ERROR:
	case FLYTE_EAUTH:
	case FLYTE_ETIMEOUT:
	case FLYTE_EUNAVAILABLE:
		return CLI_EXIT_REMOTE;
	default:
		return CLI_EXIT_USAGE;
	}
}

int cli_print_json(const cli_command *cmd, json_t *doc)
{
	char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (!text)
		return cli_fail(cmd, FLYTE_ENOMEM, NULL, "writing JSON");
	puts(text);
	free(text);
	return cli_finish_output(cmd);
}

int cli_finish_output(const cli_command *cmd)
{
	int flushed = fflush(stdout) == 0;
	if (flushed && !ferror(stdout))
		return CLI_EXIT_OK;
	/* ferror() alone leaves no errno behind: an earlier buffered write failed. */
	fprintf(stderr, CLI_NAME " %s: writing to standard output failed: %s\n", cmd->name,
		flushed ? "write error" : strerror(errno));
	return CLI_EXIT_USAGE;
}
