/* flyte-remote: how subcommands print their help, report errors and choose exit statuses. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_help(const cli_command *cmd)
{
	printf("Usage: " CLI_NAME " %s %s\n\n%s\n\n%s", cmd->name, cmd->args, cmd->summary, cmd->help);
	return cli_finish_output(cmd);
}

static void vreport(const cli_command *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, CLI_NAME " %s: ", cmd->name);
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
	fprintf(stderr, "Run '" CLI_NAME " %s --help' for usage.\n", cmd->name);
	return CLI_EXIT_USAGE;
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
	return cli_exit_status(rc);
}

int cli_exit_status(int rc)
{
	switch (rc) {
	case FLYTE_OK:
		return CLI_EXIT_OK;
	case FLYTE_ETIMEOUT:
	case FLYTE_EUNAVAILABLE:
		return CLI_EXIT_REMOTE;
	default:
		return CLI_EXIT_USAGE;
	}
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
