/*
 * flyte-remote: what the dispatcher (main.c) and the subcommand files (cmd_*.c) share.
 * The CLI uses only the public API in include/flyte/ (and jansson and libyaml for its own
 * JSON and YAML).
 */
#ifndef FLYTE_CLI_H
#define FLYTE_CLI_H

#include <getopt.h>
#include <stddef.h>

#include <jansson.h>

#include <flyte/flyte.h>

#define CLI_NAME "flyte-remote"

/* Exit statuses, the CLI's contract with scripts. Never renumber them. */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILED = 1, /* the command worked, but the execution it ran or waited for failed */
	CLI_EXIT_USAGE = 2,  /* bad usage or bad local input: the user must fix the command */
	CLI_EXIT_REMOTE = 3  /* the server, the network or the credentials failed */
};

/* Returned by argument parsers and steps when the command should go on. */
#define CLI_CONTINUE (-1)

typedef struct cli_command cli_command;

struct cli_command {
	const char *name;
	const char *summary; /* one line, for `flyte-remote --help` */
	const char *help;    /* the full text of `flyte-remote NAME --help`, after the usage line */
	const char *args;    /* the usage line's arguments, e.g. "--literals FILE [--ignore NAMES]" */
	int remote;          /* takes the connection options (their help is appended) */
	/* argv[0] is "flyte-remote NAME", so that getopt's own messages name the command. */
	int (*run)(const cli_command *cmd, int argc, char **argv);
};

/* One line per subcommand group file. */
extern const cli_command cli_cmd_cache_key;       /* cmd_cache.c */
extern const cli_command cli_cmd_dataset_version; /* cmd_cache.c */
extern const cli_command cli_cmd_register;        /* cmd_register.c */
extern const cli_command cli_cmd_run;             /* cmd_run.c */
extern const cli_command cli_cmd_execute;         /* cmd_run.c: `run` under another name */
extern const cli_command cli_cmd_get;             /* cmd_get.c */
extern const cli_command cli_cmd_list;            /* cmd_get.c */
extern const cli_command cli_cmd_wait;            /* cmd_control.c */
extern const cli_command cli_cmd_terminate;       /* cmd_control.c */
extern const cli_command cli_cmd_relaunch;        /* cmd_control.c */
extern const cli_command cli_cmd_recover;         /* cmd_control.c */
extern const cli_command cli_cmd_config;          /* cmd_config.c */

/* ---- report.c: help, errors, exit statuses, output ---- */

/* Prints the full help of cmd on stdout and returns CLI_EXIT_OK. */
int cli_help(const cli_command *cmd);
/* "flyte-remote NAME: <message>" and a hint to run --help, on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "flyte-remote NAME: <message>: <error's message>" on stderr, then a line saying what to do
   about rc; returns the exit status for rc (a FLYTE_E* code). error may be NULL. */
int cli_fail(const cli_command *cmd, int rc, const flyte_error *error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "flyte-remote NAME: <message>" on stderr, nothing else; returns status. */
int cli_say(const cli_command *cmd, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The exit status that a failed SDK call with code rc stands for. */
int cli_exit_status(int rc);
/* The endpoint that hints about network failures name (set by cli_connect). */
void cli_set_endpoint(const char *endpoint);
/* What the configuration says about credentials this client cannot obtain (copied);
   printed with any failure for want of credentials. */
void cli_set_auth_problem(const char *problem);
/* getopt_long's result for an option the command does not know, or a missing argument:
   getopt has printed why; this adds the hint and returns CLI_EXIT_USAGE. */
int cli_bad_option(const cli_command *cmd);
/* Flushes stdout; reports a failed write (e.g. a full disk) and returns CLI_EXIT_USAGE. */
int cli_finish_output(const cli_command *cmd);
/* Prints doc (stolen; NULL means out of memory) as one indented JSON document on stdout. */
int cli_print_json(const cli_command *cmd, json_t *doc);

/* ---- input.c: reading files ---- */

/*
 * Reads all of `path` ("-" = standard input) into *out (NUL-terminated, free() it) and its
 * length into *len. On failure prints "flyte-remote NAME: PATH: <reason>" on stderr and
 * returns CLI_EXIT_USAGE.
 */
int cli_read_input(char **out, size_t *len, const cli_command *cmd, const char *path);
/* How messages name an input path: "standard input" for "-". */
const char *cli_input_name(const char *path);

/* ---- strv: a growable list of borrowed or owned strings ---- */

typedef struct {
	char **items;
	size_t n, cap;
	int owned; /* items are free()d by cli_strv_free */
} cli_strv;

/* Appends s (copied when the list owns its items); 0 or FLYTE_ENOMEM. */
int cli_strv_add(cli_strv *v, const char *s);
/* Appends each comma-separated part of csv (empty parts kept) as a copy: only for a list
   that owns its items (it is made to). */
int cli_strv_add_csv(cli_strv *v, const char *csv);
void cli_strv_free(cli_strv *v);

/* ---- why: a message built by a parser for its caller to report ---- */

typedef struct {
	char text[1024];
} cli_why;

/* Formats into w and returns FLYTE_EINVALID, for `return cli_why_set(...)`. */
int cli_why_set(cli_why *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- connect.c: the connection options and the client ---- */

typedef struct {
	const char *endpoint; /* --endpoint URL */
	const char *config;   /* --config FILE */
	const char *project;  /* --project */
	const char *domain;   /* --domain */
	int insecure;         /* --insecure */
	int json;             /* -o json */
} cli_globals;

/* What main() parsed before the command name; commands start from a copy. */
extern cli_globals cli_global_defaults;

enum {
	CLI_OPT_ENDPOINT = 0x1000,
	CLI_OPT_CONFIG,
	CLI_OPT_PROJECT,
	CLI_OPT_DOMAIN,
	CLI_OPT_INSECURE,
	CLI_OPT_FIRST_LOCAL /* commands number their own long options from here */
};

/* The connection options' entries of a getopt_long table, and their short letters. */
#define CLI_GLOBAL_OPTIONS                                                     \
	{"endpoint", required_argument, NULL, CLI_OPT_ENDPOINT},               \
	{"config", required_argument, NULL, CLI_OPT_CONFIG},                   \
	{"project", required_argument, NULL, CLI_OPT_PROJECT},                 \
	{"domain", required_argument, NULL, CLI_OPT_DOMAIN},                   \
	{"insecure", no_argument, NULL, CLI_OPT_INSECURE},                     \
	{"output", required_argument, NULL, 'o'}
#define CLI_GLOBAL_SHORT "o:"

/*
 * Handles getopt result c when it is a connection option: CLI_CONTINUE. A bad value:
 * CLI_EXIT_USAGE with a message. Anything else is an option the command does not know:
 * cli_bad_option().
 */
int cli_global_option(cli_globals *g, const cli_command *cmd, int c, const char *arg);
/* The help text of the connection options. */
extern const char cli_global_help[];

/*
 * A client for g: the configuration file (--config, else $FLYTECTL_CONFIG, else
 * ~/.flyte/config.yaml) and FLYTE_* variables, then the command-line options over them.
 * On failure reports it and returns the exit status; else CLI_CONTINUE.
 */
int cli_connect(flyte_client **out, const cli_command *cmd, const cli_globals *g);

/* "NAME[:VERSION]" split into a fresh copy: *name and *version (NULL when absent) point
   into *buf (free() it). FLYTE_EINVALID for an empty name. */
int cli_split_ref(char **buf, const char **name, const char **version, const char *ref);
/* "KEY=VALUE" split: *key is a fresh copy (free() it), *value points into arg. */
int cli_split_pair(char **key, const char **value, const char *arg);

/*
 * flyte_fetch(), and when id has no version a second fetch of the version found: the
 * first answer, from a list, lacks a workflow's compiled template (and so its interface).
 */
int cli_fetch_exact(flyte_client *c, flyte_entity **out, const flyte_identifier *id, flyte_error **error);
/* Fetches the entity `ref` ("NAME[:VERSION]") names, reporting a failure: CLI_CONTINUE or
   the exit status. project and domain may be NULL (the client's). */
int cli_fetch(flyte_entity **out, const cli_command *cmd, flyte_client *c, flyte_resource_type type,
	      const char *project, const char *domain, const char *ref);
/* "task", "workflow", "launch plan". */
const char *cli_resource_name(flyte_resource_type type);
/* Member `snake` of obj, or its lowerCamelCase spelling (servers send either). */
json_t *cli_json_get(const json_t *obj, const char *snake);
/* Percent-encodes s for a URL path segment or query value; free() it. */
char *cli_url_escape(const char *s);
/* A raw GET (flyte_client_request) whose body is parsed as JSON into *out. */
int cli_get_json(json_t **out, flyte_client *c, const char *path, flyte_error **error);
/* "/api/v1/executions/P/D/N" (or ".../P/D" when name is NULL), escaped; free() it. */
char *cli_execution_path(const char *project, const char *domain, const char *name);

/* ---- types.c: the spec files' type notation ---- */

/*
 * Parses a type: a string such as "integer", "blob:csv", "list<map<float>>",
 * "optional<string>", or an object: flyteidl LiteralType JSON, or {"type": ...,
 * "description": ...} (the description goes to *description, borrowed from v, when not
 * NULL).
 */
int cli_type_from_json(flyte_literal_type **out, const char **description, const json_t *v, cli_why *why);
int cli_type_parse(flyte_literal_type **out, const char *text, cli_why *why);
/* A variable map from a JSON object of name -> type. */
int cli_variables_from_json(flyte_variable_map **out, const json_t *obj, cli_why *why);
/* The help text of the notation. */
#define CLI_TYPE_HELP                                                                                   \
	"Types: integer (int), float, string (str), boolean (bool), datetime, duration, binary,\n"      \
	"struct (a JSON object), none; blob or blob:FORMAT (a file, e.g. blob:csv), dir or\n"           \
	"dir:FORMAT (a directory: a multipart blob), dataset or dataset:FORMAT (a structured\n"         \
	"dataset); list<T>, map<T> (string keys), optional<T>, union<T1|T2|...>, enum<a,b,c>.\n"        \
	"A variable may also be {type: T, description: TEXT}; anything the notation cannot say\n"       \
	"is a flyteidl LiteralType in JSON, e.g. {\"simple\": \"INTEGER\"}.\n"

/* ---- values.c: values typed by the interface ---- */

/* A value of `type` from command-line text (--input k=v). */
int cli_value_from_text(flyte_literal **out, const flyte_literal_type *type, const char *text, cli_why *why);
/* A value of `type` from JSON (an --input-file member, a spec's default or constant). */
int cli_value_from_json(flyte_literal **out, const flyte_literal_type *type, const json_t *v, cli_why *why);
/* A literal as plain JSON (numbers, strings, lists, objects); new reference or NULL. */
json_t *cli_value_to_json(const flyte_literal *lit);
/* A literal as one line of text for people; free() it. */
char *cli_value_to_text(const flyte_literal *lit);
/* A literal map as a JSON object of name -> plain JSON. */
json_t *cli_values_to_json(const flyte_literal_map *map);
/* "1h30m", "90s", "1.5s", "250ms", or a number of seconds. 0 or FLYTE_EINVALID. */
int cli_parse_duration(int64_t *seconds, int32_t *nanos, const char *text, cli_why *why);
/* RFC 3339 ("2024-05-01T12:00:00Z", "...+02:00", fractions) or a date "2024-05-01". */
int cli_parse_datetime(int64_t *seconds, int32_t *nanos, const char *text, cli_why *why);
/* Milliseconds of a duration text, for --timeout. */
int cli_parse_timeout_ms(long *out, const char *text, cli_why *why);
/* "1m30s" style text of a duration, for people. */
void cli_format_duration(char *out, size_t size, int64_t seconds, int32_t nanos);

/* ---- spec.c: spec files ---- */

/*
 * Reads `path` ("-": standard input) as JSON (".json", or text starting with '{' or '[')
 * or YAML (anything else; several documents allowed) and appends each spec to `docs` (a
 * JSON array), and where it came from ("FILE: spec N") to `where`: a document that is a
 * list contributes its items. On failure reports it and returns CLI_EXIT_USAGE; else
 * CLI_CONTINUE.
 */
int cli_spec_load(json_t *docs, json_t *where, const cli_command *cmd, const char *path);
/* YAML text as JSON values, one per document, appended to docs. */
int cli_yaml_to_json(json_t *docs, const char *text, size_t len, cli_why *why);

/* ---- launch.c: an execution's inputs from the command line ---- */

typedef struct {
	cli_strv inputs; /* --input NAME=VALUE (borrowed) */
	cli_strv files;  /* --input-file FILE (borrowed) */
	cli_strv hashes; /* --hash NAME=FUNCTION (borrowed) */
} cli_input_args;

enum { CLI_OPT_INPUT = CLI_OPT_FIRST_LOCAL, CLI_OPT_INPUT_FILE, CLI_OPT_HASH, CLI_OPT_NEXT };

#define CLI_INPUT_OPTIONS                                                 \
	{"input", required_argument, NULL, CLI_OPT_INPUT},                \
	{"input-file", required_argument, NULL, CLI_OPT_INPUT_FILE},      \
	{"hash", required_argument, NULL, CLI_OPT_HASH}

#define CLI_INPUT_HELP                                                                           \
	"  --input NAME=VALUE    an input, parsed by its declared type: integers, floats, strings,\n" \
	"                        true/false, date-times (RFC 3339: 2024-05-01T12:00:00Z),\n"        \
	"                        durations (1h30m, 90s, 250ms), blobs (a local path, uploaded by\n"  \
	"                        the SDK, or a URI), lists and maps as JSON ([1,2], {\"k\": 1.5});\n" \
	"                        repeatable; wins over --input-file\n"                             \
	"  --input-file FILE     a JSON object of NAME -> value (typed as above), or a flyteidl\n"   \
	"                        LiteralMap ({\"literals\": {...}}); '-' reads standard input\n"     \
	"  --hash NAME=FUNCTION  key the cache on a hash of the input instead of its value:\n"      \
	"                        sha256-file (a file's bytes), sha256-dir (a directory tree),\n"    \
	"                        canonical-json (the value's canonical JSON), or none\n"

/* Handles option c (CLI_OPT_INPUT, _INPUT_FILE or _HASH). CLI_CONTINUE or a status. */
int cli_input_option(cli_input_args *a, const cli_command *cmd, int c, const char *arg);
void cli_input_args_free(cli_input_args *a);
/*
 * The inputs typed by `declared` (an input in `fixed`, which may be NULL, is refused) and
 * the type hints of --hash (NULL when none). On failure reports it and returns the exit
 * status; else CLI_CONTINUE.
 */
int cli_build_inputs(flyte_literal_map **inputs, flyte_type_hints **hints, const cli_command *cmd,
		     const flyte_variable_map *declared, const flyte_literal_map *fixed, const cli_input_args *a);

/* ---- watch.c: waiting with a progress line ---- */

/*
 * The number of task nodes the execution will run (1 for a single task), read from its
 * workflow; 0 when unknown.
 */
size_t cli_count_nodes(flyte_client *c, const flyte_execution *x);
/*
 * Polls until x finishes or timeout_ms passes (0: no limit): a live line on stderr when
 * it is a terminal, otherwise a plain line when something changes (and at least every
 * 30 s). 0, FLYTE_ETIMEOUT or another FLYTE_E* code with *error set.
 */
int cli_watch(flyte_client *c, flyte_execution *x, long timeout_ms, size_t total_nodes, flyte_error **error);

/* ---- show.c: executions for people and as JSON ---- */

/* Predicted cache keys, before the execution runs. */
void cli_show_predictions(const flyte_execution *x);
/* Phase, error, outputs and whether the predicted keys matched, after the run. */
void cli_show_outcome(flyte_client *c, const flyte_execution *x);
/* Nodes with phase, cache status and catalog key. */
void cli_show_nodes(const flyte_execution *x);
/* The execution as JSON (id, phase, error, nodes, cache keys, outputs, console URL). */
json_t *cli_execution_json(flyte_client *c, const flyte_execution *x);
/* The exit status a finished execution stands for: 0 succeeded, 1 otherwise. */
int cli_phase_status(const flyte_execution *x);
/*
 * What run --wait, wait, relaunch --wait and recover --wait share: waits (when `wait`),
 * prints the outcome (text or JSON) and returns the exit status.
 */
int cli_finish_execution(const cli_command *cmd, const cli_globals *g, flyte_client *c, flyte_execution *x,
			 int wait, long timeout_ms);

#endif
