/* flyte-remote: the subcommand dispatcher. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_command *const commands[] = {
	&cli_cmd_register, &cli_cmd_run,      &cli_cmd_execute,   &cli_cmd_get,       &cli_cmd_list,
	&cli_cmd_wait,     &cli_cmd_terminate, &cli_cmd_relaunch, &cli_cmd_recover,   &cli_cmd_cache_key,
	&cli_cmd_dataset_version, &cli_cmd_config,
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_main_help(FILE *f)
{
	fprintf(f,
		"Usage: " CLI_NAME " [--help | --version]\n"
		"       " CLI_NAME " [CONNECTION OPTIONS] COMMAND [OPTIONS]\n"
		"\n"
		"A command-line client for Flyte (FlyteAdmin), built on libflyteremote.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-18s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f,
		"\n"
		"Run '" CLI_NAME " COMMAND --help' (or '" CLI_NAME " help COMMAND') for a command's options.\n"
		"\n%s"
		"\n"
		"Exit status: %d success; %d the execution failed, was aborted or timed out; %d bad usage\n"
		"or input (including an unknown entity and a conflicting registration); %d the server,\n"
		"the network or the credentials failed (also: a --timeout passed while waiting).\n",
		cli_global_help, CLI_EXIT_OK, CLI_EXIT_FAILED, CLI_EXIT_USAGE, CLI_EXIT_REMOTE);
}

static void print_version(void)
{
	printf(CLI_NAME " %s (libflyteremote %s)\n", FLYTE_VERSION_STRING, flyte_version());
}

static const cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	fprintf(stderr, CLI_NAME ": unknown command '%s'\nRun '" CLI_NAME " --help' for the list of commands.\n",
		name);
	return CLI_EXIT_USAGE;
}

/* `flyte-remote help [COMMAND]`. */
static int help_command(int argc, char **argv)
{
	if (argc < 2) {
		print_main_help(stdout);
		return CLI_EXIT_OK;
	}
	const cli_command *cmd = find_command(argv[1]);
	return cmd ? cli_help(cmd) : unknown_command(argv[1]);
}

static int run_command(const cli_command *cmd, int argc, char **argv)
{
	/* getopt prints argv[0] in its messages: make it name the subcommand. */
	char prog[64];
	snprintf(prog, sizeof prog, CLI_NAME " %s", cmd->name);
	argv[0] = prog;
	optind = 0; /* glibc: start a fresh scan of the new argument vector */
	return cmd->run(cmd, argc, argv);
}

static const cli_command main_command = {.name = "", .summary = ""};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_GLOBAL_OPTIONS,
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	static char prog[] = CLI_NAME;
	argv[0] = prog; /* getopt's messages name the program, not the path it was run by */
	int c;
	/* "+": stop at the command name; its options belong to the command. */
	while ((c = getopt_long(argc, argv, "+hV" CLI_GLOBAL_SHORT, opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_main_help(stdout);
			return CLI_EXIT_OK;
		case 'V':
			print_version();
			return CLI_EXIT_OK;
		case '?':
		case ':':
			fprintf(stderr, "Run '" CLI_NAME " --help' for usage.\n");
			return CLI_EXIT_USAGE;
		default:
			if (cli_global_option(&cli_global_defaults, &main_command, c, optarg) != CLI_CONTINUE)
				return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, CLI_NAME ": no command given\n\n");
		print_main_help(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *name = argv[optind];
	if (strcmp(name, "help") == 0)
		return help_command(argc - optind, argv + optind);
	const cli_command *cmd = find_command(name);
	if (!cmd)
		return unknown_command(name);
	int status = run_command(cmd, argc - optind, argv + optind);
	return status == CLI_CONTINUE ? CLI_EXIT_OK : status;
}
