/* flyte-remote: an execution's inputs from --input, --input-file and --hash, typed by the
   interface of the entity being launched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	flyte_hash_fn fn;
} HASHERS[] = {
	{"sha256-file", flyte_hasher_sha256_file},
	{"sha256-dir", flyte_hasher_sha256_dir},
	{"canonical-json", flyte_hasher_canonical_json},
	{"none", NULL},
};

#define N_HASHERS (sizeof HASHERS / sizeof HASHERS[0])

int cli_input_option(cli_input_args *a, const cli_command *cmd, int c, const char *arg)
{
	cli_strv *v = c == CLI_OPT_INPUT ? &a->inputs : c == CLI_OPT_INPUT_FILE ? &a->files : &a->hashes;
	if (c != CLI_OPT_INPUT_FILE && (!strchr(arg, '=') || arg[0] == '='))
		return cli_usage_error(cmd, "--%s %s: expected NAME=%s", c == CLI_OPT_INPUT ? "input" : "hash", arg,
				       c == CLI_OPT_INPUT ? "VALUE" : "FUNCTION");
	return cli_strv_add(v, arg) ? cli_fail(cmd, FLYTE_ENOMEM, NULL, "reading the options") : CLI_CONTINUE;
}

void cli_input_args_free(cli_input_args *a)
{
	cli_strv_free(&a->inputs);
	cli_strv_free(&a->files);
	cli_strv_free(&a->hashes);
}

/* "a (integer), b (blob(format=csv))". */
static void declared_list(char *out, size_t size, const flyte_variable_map *declared)
{
	size_t n = flyte_variable_map_count(declared), used = 0;
	out[0] = '\0';
	if (n == 0)
		snprintf(out, size, "none");
	for (size_t i = 0; i < n && used < size; i++) {
		const char *name;
		char *type = NULL;
		flyte_literal_type_to_string(&type, flyte_variable_map_at(declared, i, &name, NULL));
		int k = snprintf(out + used, size - used, "%s%s (%s)", i ? ", " : "", name, type ? type : "?");
		used += k > 0 ? (size_t)k : 0;
		flyte_string_free(type);
	}
}

/* The declared type of input `name`, or a reported error. */
static int input_type(const flyte_literal_type **out, const cli_command *cmd, const flyte_variable_map *declared,
		      const flyte_literal_map *fixed, const char *name, const char *source)
{
	char list[1024];
	if (fixed && flyte_literal_map_get(fixed, name)) {
		char *v = cli_value_to_text(flyte_literal_map_get(fixed, name));
		cli_say(cmd, CLI_EXIT_USAGE, "%s: input \"%s\" is fixed by the launch plan (to %s) and cannot be set",
			source, name, v ? v : "?");
		free(v);
		return CLI_EXIT_USAGE;
	}
	*out = flyte_variable_map_type(declared, name);
	if (*out)
		return CLI_CONTINUE;
	declared_list(list, sizeof list, declared);
	return cli_say(cmd, CLI_EXIT_USAGE, "%s: there is no input \"%s\"; the inputs are: %s", source, name, list);
}

static int set_input(flyte_literal_map *m, const cli_command *cmd, const char *name, flyte_literal *lit)
{
	return flyte_literal_map_set_new(m, name, lit) ? cli_fail(cmd, FLYTE_ENOMEM, NULL, "input \"%s\"", name)
						       : CLI_CONTINUE;
}

/* {"literals": {...}} is a LiteralMap unless the entity has an input named "literals". */
static int is_literal_map(const json_t *obj, const flyte_variable_map *declared)
{
	return json_object_size(obj) == 1 && json_is_object(json_object_get(obj, "literals")) &&
	       !flyte_variable_map_type(declared, "literals");
}

static int file_literal_map(flyte_literal_map *m, const cli_command *cmd, const flyte_variable_map *declared,
			    const flyte_literal_map *fixed, const char *text, size_t len, const char *source)
{
	flyte_literal_map *lm = NULL;
	flyte_error *err = NULL;
	int rc = flyte_literal_map_from_json(&lm, text, len, &err);
	int st = rc ? cli_fail(cmd, rc, err, "%s: invalid LiteralMap", source) : CLI_CONTINUE;
	for (size_t i = 0; st == CLI_CONTINUE && i < flyte_literal_map_count(lm); i++) {
		const char *name;
		const flyte_literal *lit = flyte_literal_map_at(lm, i, &name);
		const flyte_literal_type *type;
		flyte_literal *copy = NULL;
		if ((st = input_type(&type, cmd, declared, fixed, name, source)) != CLI_CONTINUE)
			break;
		if (flyte_literal_copy(&copy, lit))
			st = cli_fail(cmd, FLYTE_ENOMEM, NULL, "%s", source);
		else
			st = set_input(m, cmd, name, copy);
	}
	flyte_error_free(err);
	flyte_literal_map_free(lm);
	return st;
}

static int file_values(flyte_literal_map *m, const cli_command *cmd, const flyte_variable_map *declared,
		       const flyte_literal_map *fixed, const json_t *obj, const char *source)
{
	const char *name;
	json_t *v;
	json_object_foreach((json_t *)obj, name, v) {
		const flyte_literal_type *type;
		flyte_literal *lit;
		cli_why why;
		int st = input_type(&type, cmd, declared, fixed, name, source);
		if (st != CLI_CONTINUE)
			return st;
		if (cli_value_from_json(&lit, type, v, &why))
			return cli_say(cmd, CLI_EXIT_USAGE, "%s: input \"%s\": %s", source, name, why.text);
		if ((st = set_input(m, cmd, name, lit)) != CLI_CONTINUE)
			return st;
	}
	return CLI_CONTINUE;
}

static int read_file(flyte_literal_map *m, const cli_command *cmd, const flyte_variable_map *declared,
		     const flyte_literal_map *fixed, const char *path)
{
	char *text;
	size_t len;
	const char *source = cli_input_name(path);
	int st = cli_read_input(&text, &len, cmd, path);
	if (st)
		return st;
	json_error_t jerr;
	json_t *obj = json_loadb(text, len, 0, &jerr);
	if (!obj)
		st = cli_say(cmd, CLI_EXIT_USAGE, "%s: line %d column %d: %s", source, jerr.line, jerr.column,
			     jerr.text);
	else if (!json_is_object(obj))
		st = cli_say(cmd, CLI_EXIT_USAGE, "%s: expected a JSON object of input name -> value", source);
	else if (is_literal_map(obj, declared))
		st = file_literal_map(m, cmd, declared, fixed, text, len, source);
	else
		st = file_values(m, cmd, declared, fixed, obj, source);
	json_decref(obj);
	free(text);
	return st;
}

static int read_input(flyte_literal_map *m, const cli_command *cmd, const flyte_variable_map *declared,
		      const flyte_literal_map *fixed, const char *arg)
{
	char *name;
	const char *text;
	const flyte_literal_type *type;
	flyte_literal *lit;
	cli_why why;
	if (cli_split_pair(&name, &text, arg))
		return cli_fail(cmd, FLYTE_ENOMEM, NULL, "--input");
	int st = input_type(&type, cmd, declared, fixed, name, "--input");
	if (st == CLI_CONTINUE && cli_value_from_text(&lit, type, text, &why))
		st = cli_say(cmd, CLI_EXIT_USAGE, "--input %s: %s", name, why.text);
	else if (st == CLI_CONTINUE)
		st = set_input(m, cmd, name, lit);
	free(name);
	return st;
}

static int add_hint(flyte_type_hints **hints, const cli_command *cmd, const flyte_variable_map *declared,
		    const char *arg)
{
	char *name, list[1024];
	const char *fn_name;
	size_t i;
	if (cli_split_pair(&name, &fn_name, arg))
		return cli_fail(cmd, FLYTE_ENOMEM, NULL, "--hash");
	for (i = 0; i < N_HASHERS && strcmp(HASHERS[i].name, fn_name) != 0; i++)
		;
	int st = CLI_CONTINUE;
	if (i == N_HASHERS) {
		st = cli_usage_error(cmd, "--hash %s: unknown function \"%s\" (sha256-file, sha256-dir, "
					  "canonical-json, none)",
				     name, fn_name);
	} else if (!flyte_variable_map_type(declared, name)) {
		declared_list(list, sizeof list, declared);
		st = cli_say(cmd, CLI_EXIT_USAGE, "--hash: there is no input \"%s\"; the inputs are: %s", name, list);
	} else if (HASHERS[i].fn) {
		if ((!*hints && flyte_type_hints_new(hints)) ||
		    flyte_type_hints_add(*hints, name, NULL, HASHERS[i].fn, NULL))
			st = cli_fail(cmd, FLYTE_ENOMEM, NULL, "--hash");
	}
	free(name);
	return st;
}

int cli_build_inputs(flyte_literal_map **inputs, flyte_type_hints **hints, const cli_command *cmd,
		     const flyte_variable_map *declared, const flyte_literal_map *fixed, const cli_input_args *a)
{
	*hints = NULL;
	int st = flyte_literal_map_new(inputs) ? cli_fail(cmd, FLYTE_ENOMEM, NULL, "inputs") : CLI_CONTINUE;
	for (size_t i = 0; st == CLI_CONTINUE && i < a->files.n; i++)
		st = read_file(*inputs, cmd, declared, fixed, a->files.items[i]);
	for (size_t i = 0; st == CLI_CONTINUE && i < a->inputs.n; i++)
		st = read_input(*inputs, cmd, declared, fixed, a->inputs.items[i]);
	for (size_t i = 0; st == CLI_CONTINUE && i < a->hashes.n; i++)
		st = add_hint(hints, cmd, declared, a->hashes.items[i]);
	if (st != CLI_CONTINUE) {
		flyte_literal_map_free(*inputs);
		flyte_type_hints_free(*hints);
		*inputs = NULL;
		*hints = NULL;
	}
	return st;
}
