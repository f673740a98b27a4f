/* flyte-remote wait / terminate / relaunch / recover: acting on an existing execution. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_CAUSE = CLI_OPT_NEXT, OPT_OVERWRITE_CACHE, OPT_WAIT, OPT_TIMEOUT };

/* Which options a command takes. */
enum { TAKES_CAUSE = 1, TAKES_OVERWRITE = 2, TAKES_WAIT = 4, TAKES_TIMEOUT = 8 };

typedef struct {
	cli_globals g;
	const char *name;
	const char *cause;
	int overwrite_cache;
	int wait;
	const char *timeout;
	long timeout_ms;
} control_args;

static int takes(const cli_command *cmd, int c, int allowed)
{
	int need = c == OPT_CAUSE ? TAKES_CAUSE : c == OPT_OVERWRITE_CACHE ? TAKES_OVERWRITE
					 : c == OPT_WAIT ? TAKES_WAIT : TAKES_TIMEOUT;
	return (allowed & need) ? CLI_CONTINUE : cli_bad_option(cmd);
}

static int control_option(control_args *a, const cli_command *cmd, int c, int allowed)
{
	int st;
	switch (c) {
	case OPT_CAUSE:
	case OPT_OVERWRITE_CACHE:
	case OPT_WAIT:
	case OPT_TIMEOUT:
		if ((st = takes(cmd, c, allowed)) != CLI_CONTINUE)
			return st;
		if (c == OPT_CAUSE)
			a->cause = optarg;
		else if (c == OPT_OVERWRITE_CACHE)
			a->overwrite_cache = 1;
		else if (c == OPT_WAIT)
			a->wait = 1;
		else
			a->timeout = optarg;
		return CLI_CONTINUE;
	case 'h': return cli_help(cmd);
	default: return cli_global_option(&a->g, cmd, c, optarg);
	}
}

static int parse_control(control_args *a, const cli_command *cmd, int argc, char **argv, int allowed)
{
	static const struct option opts[] = {
		CLI_GLOBAL_OPTIONS,
		{"cause", required_argument, NULL, OPT_CAUSE},
		{"overwrite-cache", no_argument, NULL, OPT_OVERWRITE_CACHE},
		{"wait", no_argument, NULL, OPT_WAIT},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, st;
	cli_why why;
	while ((c = getopt_long(argc, argv, "hw" CLI_GLOBAL_SHORT, opts, NULL)) != -1)
		if ((st = control_option(a, cmd, c == 'w' ? OPT_WAIT : c, allowed)) != CLI_CONTINUE)
			return st;
	if (optind >= argc)
		return cli_usage_error(cmd, "missing the execution NAME");
	if (optind + 1 < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	a->name = argv[optind];
	if (a->timeout && !a->wait)
		return cli_usage_error(cmd, "--timeout applies to --wait: add --wait");
	if (a->timeout && cli_parse_timeout_ms(&a->timeout_ms, a->timeout, &why))
		return cli_usage_error(cmd, "--timeout: %s", why.text);
	return CLI_CONTINUE;
}

/* Parses, connects and finds the execution: CLI_CONTINUE with *c and *x set, or a status. */
static int open_execution(control_args *a, flyte_client **c, flyte_execution **x, const cli_command *cmd, int argc,
			  char **argv, int allowed)
{
	flyte_error *err = NULL;
	int st = parse_control(a, cmd, argc, argv, allowed);
	if (st == CLI_CONTINUE)
		st = cli_connect(c, cmd, &a->g);
	if (st != CLI_CONTINUE)
		return st;
	int rc = flyte_execution_get(*c, x, a->g.project, a->g.domain, a->name, &err);
	if (rc)
		st = cli_fail(cmd, rc, err, "execution %s", a->name);
	flyte_error_free(err);
	return st;
}

static int close_execution(int st, flyte_client *c, flyte_execution *x)
{
	flyte_execution_free(x);
	flyte_client_free(c);
	return st;
}

/* ---- wait ---- */

static int run_wait(const cli_command *cmd, int argc, char **argv)
{
	control_args a = {.g = cli_global_defaults, .wait = 1};
	flyte_client *c = NULL;
	flyte_execution *x = NULL;
	int st = open_execution(&a, &c, &x, cmd, argc, argv, TAKES_TIMEOUT);
	if (st == CLI_CONTINUE)
		st = cli_finish_execution(cmd, &a.g, c, x, 1, a.timeout_ms);
	return close_execution(st, c, x);
}

const cli_command cli_cmd_wait = {
	.name = "wait",
	.summary = "Wait for an execution to finish; print its outputs and cache keys.",
	.args = "NAME [--timeout DURATION] [OPTIONS]",
	.remote = 1,
	.help = "Shows a progress line on stderr (live on a terminal, plain lines otherwise), then the\n"
		"phase, nodes, outputs and cache keys on stdout.\n"
		"\n"
		"Options:\n"
		"  --timeout DURATION  stop waiting after DURATION (e.g. 10m): exit 3, the execution\n"
		"                      keeps running\n"
		"  -h, --help          print this help\n"
		"\n"
		"Exit status: 0 succeeded; 1 failed, aborted or timed out; 2 bad usage or no such\n"
		"execution; 3 server, network or credentials, or --timeout.\n",
	.run = run_wait,
};

/* ---- terminate ---- */

static int report_terminated(const cli_command *cmd, const control_args *a, const flyte_execution *x,
			     const char *cause)
{
	if (a->g.json)
		return cli_print_json(cmd, json_pack("{s:s,s:s,s:s,s:s,s:s}", "project", flyte_execution_project(x),
						     "domain", flyte_execution_domain(x), "name", a->name, "status",
						     "terminated", "cause", cause));
	printf("Terminated %s (%s). It ends as ABORTED; '" CLI_NAME " wait %s' waits for that.\n", a->name, cause,
	       a->name);
	return cli_finish_output(cmd);
}

static int run_terminate(const cli_command *cmd, int argc, char **argv)
{
	control_args a = {.g = cli_global_defaults};
	flyte_client *c = NULL;
	flyte_execution *x = NULL;
	flyte_error *err = NULL;
	int st = open_execution(&a, &c, &x, cmd, argc, argv, TAKES_CAUSE);
	if (st != CLI_CONTINUE)
		return close_execution(st, c, x);
	const char *cause = a.cause ? a.cause : "terminated with " CLI_NAME;
	int rc = flyte_execution_terminate(c, x, cause, &err);
	if (rc == FLYTE_EINVALID && flyte_execution_is_done(x))
		st = cli_say(cmd, CLI_EXIT_USAGE, "execution %s has already finished (%s): nothing to terminate",
			     a.name, flyte_phase_name(flyte_execution_phase_of(x)));
	else if (rc)
		st = cli_fail(cmd, rc, err, "terminating %s", a.name);
	else
		st = report_terminated(cmd, &a, x, cause);
	flyte_error_free(err);
	return close_execution(st, c, x);
}

const cli_command cli_cmd_terminate = {
	.name = "terminate",
	.summary = "Terminate (abort) a running execution.",
	.args = "NAME [--cause TEXT] [OPTIONS]",
	.remote = 1,
	.help = "Options:\n"
		"  --cause TEXT   why, recorded with the execution (default \"terminated with " CLI_NAME "\")\n"
		"  -h, --help     print this help\n"
		"\n"
		"Exit status: 0 terminated; 2 no such execution, or it has already finished; 3 server,\n"
		"network or credentials.\n",
	.run = run_terminate,
};

/* ---- relaunch and recover ---- */

static int run_again(const cli_command *cmd, int argc, char **argv, int recover)
{
	control_args a = {.g = cli_global_defaults};
	flyte_client *c = NULL;
	flyte_execution *x = NULL, *nx = NULL;
	flyte_error *err = NULL;
	int allowed = TAKES_WAIT | TAKES_TIMEOUT | (recover ? 0 : TAKES_OVERWRITE);
	int st = open_execution(&a, &c, &x, cmd, argc, argv, allowed);
	if (st != CLI_CONTINUE)
		return close_execution(st, c, x);
	int rc = recover ? flyte_execution_recover(c, &nx, x, &err)
			 : flyte_execution_relaunch(c, &nx, x, a.overwrite_cache, &err);
	if (rc) {
		st = cli_fail(cmd, rc, err, "%s %s", recover ? "recovering" : "relaunching", a.name);
	} else {
		if (!a.g.json) {
			printf("%s %s as %s/%s/%s\n", recover ? "Recovered" : "Relaunched", a.name,
			       flyte_execution_project(nx), flyte_execution_domain(nx), flyte_execution_name(nx));
			fflush(stdout);
		}
		st = cli_finish_execution(cmd, &a.g, c, nx, a.wait, a.timeout_ms);
	}
	flyte_error_free(err);
	flyte_execution_free(nx);
	return close_execution(st, c, x);
}

static int run_relaunch(const cli_command *cmd, int argc, char **argv)
{
	return run_again(cmd, argc, argv, 0);
}

static int run_recover(const cli_command *cmd, int argc, char **argv)
{
	return run_again(cmd, argc, argv, 1);
}

#define AGAIN_WAIT_HELP                                                                              \
	"  -w, --wait          wait for the new execution (progress on stderr, outcome on stdout)\n" \
	"  --timeout DURATION  with --wait: stop waiting after DURATION (exit 3)\n"                   \
	"  -h, --help          print this help\n"                                                     \
	"\n"                                                                                          \
	"Exit status: 0 launched (with --wait: succeeded); 1 it failed; 2 bad usage or no such\n"     \
	"execution; 3 server, network or credentials, or --timeout.\n"

const cli_command cli_cmd_relaunch = {
	.name = "relaunch",
	.summary = "Launch an execution again with the same inputs, as a new execution.",
	.args = "NAME [--overwrite-cache] [--wait] [OPTIONS]",
	.remote = 1,
	.help = "Options:\n"
		"  --overwrite-cache   run cached tasks again and replace their cached outputs\n" AGAIN_WAIT_HELP,
	.run = run_relaunch,
};

const cli_command cli_cmd_recover = {
	.name = "recover",
	.summary = "Recover a failed execution: succeeded nodes keep their outputs, the rest run again.",
	.args = "NAME [--wait] [OPTIONS]",
	.remote = 1,
	.help = "Options:\n" AGAIN_WAIT_HELP,
	.run = run_recover,
};
