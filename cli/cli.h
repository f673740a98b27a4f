/*
 * flyte-remote: what the dispatcher (main.c) and the subcommand files (cmd_*.c) share.
 * The CLI uses only the public API in include/flyte/.
 */
#ifndef FLYTE_CLI_H
#define FLYTE_CLI_H

#include <stddef.h>

#include <flyte/flyte.h>

#define CLI_NAME "flyte-remote"

/* Exit statuses, the CLI's contract with scripts. Never renumber them. */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILED = 1, /* the command worked, but the execution it ran or waited for failed */
	CLI_EXIT_USAGE = 2,  /* bad usage or bad local input: the user must fix the command */
	CLI_EXIT_REMOTE = 3  /* the server or the network failed; a retry may help */
};

typedef struct cli_command cli_command;

struct cli_command {
	const char *name;
	const char *summary; /* one line, for `flyte-remote --help` */
	const char *help;    /* the full text of `flyte-remote NAME --help`, after the usage line */
	const char *args;    /* the usage line's arguments, e.g. "--literals FILE [--ignore NAMES]" */
	/* argv[0] is "flyte-remote NAME", so that getopt's own messages name the command. */
	int (*run)(const cli_command *cmd, int argc, char **argv);
};

/* One line per subcommand group file. */
extern const cli_command cli_cmd_cache_key;
extern const cli_command cli_cmd_dataset_version;

/* Prints the full help of cmd on stdout and returns CLI_EXIT_OK. */
int cli_help(const cli_command *cmd);
/* "flyte-remote NAME: <message>" and a hint to run --help, on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "flyte-remote NAME: <message>: <error's message>" on stderr; returns the exit status for
   rc (a FLYTE_E* code). error may be NULL. */
int cli_fail(const cli_command *cmd, int rc, const flyte_error *error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The exit status that a failed SDK call with code rc stands for. */
int cli_exit_status(int rc);
/* getopt_long's result for an option the command does not know, or a missing argument:
   getopt has printed why; this adds the hint and returns CLI_EXIT_USAGE. */
int cli_bad_option(const cli_command *cmd);
/* Flushes stdout; reports a failed write (e.g. a full disk) and returns CLI_EXIT_USAGE. */
int cli_finish_output(const cli_command *cmd);

/*
 * Reads all of `path` ("-" = standard input) into *out (NUL-terminated, free() it) and its
 * length into *len. On failure prints "flyte-remote NAME: PATH: <reason>" on stderr and
 * returns CLI_EXIT_USAGE.
 */
int cli_read_input(char **out, size_t *len, const cli_command *cmd, const char *path);
/* How messages name an input path: "standard input" for "-". */
const char *cli_input_name(const char *path);

#endif
