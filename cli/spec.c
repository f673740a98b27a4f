/* flyte-remote: reading spec files, JSON or YAML (converted to the same JSON model), one
   spec or a list of specs per document, several YAML documents per file. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "cli.h"

#define MAX_DEPTH 64

/* ---- YAML scalars: YAML 1.2's core schema for plain scalars, strings otherwise ---- */

static int is_int_text(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!*s)
		return 0;
	while (isdigit((unsigned char)*s))
		s++;
	return !*s;
}

static int is_float_text(const char *s)
{
	char *end;
	if (!*s || isspace((unsigned char)*s) || strpbrk(s, "xXpP"))
		return 0;
	strtod(s, &end);
	/* strtod also reads "inf" and "nan", which YAML spells .inf and .nan. */
	return !*end && !strpbrk(s, "iInN");
}

static json_t *plain_scalar(const char *s)
{
	if (!*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	    strcmp(s, "NULL") == 0)
		return json_null();
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
		return json_true();
	if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
		return json_false();
	if (is_int_text(s)) {
		char *end;
		long long v = strtoll(s, &end, 10);
		if (v != LLONG_MAX && v != LLONG_MIN)
			return json_integer(v);
	}
	if (is_float_text(s))
		return json_real(strtod(s, NULL));
	if (strcasecmp(s, ".inf") == 0 || strcasecmp(s, "+.inf") == 0 || strcasecmp(s, "-.inf") == 0 ||
	    strcasecmp(s, ".nan") == 0)
		return json_string(s); /* JSON has no infinities: the value parsers read these texts */
	return json_string(s);
}

static json_t *node_json(yaml_document_t *doc, yaml_node_t *node, int depth, cli_why *why);

static json_t *mapping_json(yaml_document_t *doc, yaml_node_t *node, int depth, cli_why *why)
{
	json_t *obj = json_object();
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; obj && p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		json_t *v = NULL;
		if (!k || k->type != YAML_SCALAR_NODE)
			cli_why_set(why, "line %lu: a key must be a plain value",
				    (unsigned long)node->start_mark.line + 1);
		else if (json_object_get(obj, (const char *)k->data.scalar.value))
			cli_why_set(why, "line %lu: duplicate key \"%s\"", (unsigned long)k->start_mark.line + 1,
				    (const char *)k->data.scalar.value);
		else
			v = node_json(doc, yaml_document_get_node(doc, p->value), depth + 1, why);
		if (!v || json_object_set_new(obj, (const char *)k->data.scalar.value, v)) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

static json_t *node_json(yaml_document_t *doc, yaml_node_t *node, int depth, cli_why *why)
{
	if (!node || depth > MAX_DEPTH) {
		cli_why_set(why, "nested too deeply");
		return NULL;
	}
	switch (node->type) {
	case YAML_SCALAR_NODE:
		if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			return plain_scalar((const char *)node->data.scalar.value);
		return json_stringn((const char *)node->data.scalar.value, node->data.scalar.length);
	case YAML_SEQUENCE_NODE: {
		json_t *arr = json_array();
		for (yaml_node_item_t *i = node->data.sequence.items.start; arr && i < node->data.sequence.items.top;
		     i++) {
			json_t *j = node_json(doc, yaml_document_get_node(doc, *i), depth + 1, why);
			if (!j || json_array_append_new(arr, j)) {
				json_decref(arr);
				return NULL;
			}
		}
		return arr;
	}
	case YAML_MAPPING_NODE: return mapping_json(doc, node, depth, why);
	default: cli_why_set(why, "an empty node"); return NULL;
	}
}

int cli_yaml_to_json(json_t *docs, const char *text, size_t len, cli_why *why)
{
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		return cli_why_set(why, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	int rc = 0;
	for (;;) {
		yaml_document_t doc;
		if (!yaml_parser_load(&parser, &doc)) {
			rc = cli_why_set(why, "line %lu column %lu: %s%s%s",
					 (unsigned long)parser.problem_mark.line + 1,
					 (unsigned long)parser.problem_mark.column + 1,
					 parser.problem ? parser.problem : "malformed YAML", parser.context ? " " : "",
					 parser.context ? parser.context : "");
			break;
		}
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		json_t *v = root ? node_json(&doc, root, 0, why) : NULL;
		yaml_document_delete(&doc);
		if (!root)
			break;
		if (!v || json_array_append_new(docs, v)) {
			rc = FLYTE_EINVALID;
			break;
		}
	}
	yaml_parser_delete(&parser);
	return rc;
}

/* ---- spec files ---- */

static int looks_like_json(const char *path, const char *text)
{
	size_t n = strlen(path);
	if (n > 5 && strcmp(path + n - 5, ".json") == 0)
		return 1;
	if ((n > 5 && strcmp(path + n - 5, ".yaml") == 0) || (n > 4 && strcmp(path + n - 4, ".yml") == 0))
		return 0;
	while (isspace((unsigned char)*text))
		text++;
	return *text == '{' || *text == '[';
}

static int parse_file(json_t *values, const cli_command *cmd, const char *path, const char *text, size_t len)
{
	const char *name = cli_input_name(path);
	if (looks_like_json(path, text)) {
		json_error_t jerr;
		json_t *v = json_loadb(text, len, 0, &jerr);
		if (!v)
			return cli_say(cmd, CLI_EXIT_USAGE, "%s: line %d column %d: %s", name, jerr.line, jerr.column,
				       jerr.text);
		json_array_append_new(values, v);
		return CLI_CONTINUE;
	}
	cli_why why;
	if (cli_yaml_to_json(values, text, len, &why))
		return cli_say(cmd, CLI_EXIT_USAGE, "%s: %s", name, why.text);
	return CLI_CONTINUE;
}

/* A document is a spec or a list of specs. */
static int add_specs(json_t *docs, json_t *where, const cli_command *cmd, const char *path, json_t *values)
{
	const char *name = cli_input_name(path);
	size_t i, n = 0;
	json_t *v;
	json_array_foreach(values, i, v) {
		int is_list = json_is_array(v);
		for (size_t k = 0; k < (is_list ? json_array_size(v) : 1); k++) {
			json_t *spec = is_list ? json_array_get(v, k) : v;
			n++;
			if (!json_is_object(spec))
				return cli_say(cmd, CLI_EXIT_USAGE,
					       "%s: spec %zu: expected a mapping with a \"kind\" (task, workflow or "
					       "launch_plan), or a list of them",
					       name, n);
			char label[512];
			snprintf(label, sizeof label, "%s: spec %zu", name, n);
			json_array_append(docs, spec);
			json_array_append_new(where, json_string(label));
		}
	}
	if (n == 0)
		return cli_say(cmd, CLI_EXIT_USAGE, "%s: no spec in the file", name);
	return CLI_CONTINUE;
}

int cli_spec_load(json_t *docs, json_t *where, const cli_command *cmd, const char *path)
{
	char *text;
	size_t len;
	int status = cli_read_input(&text, &len, cmd, path);
	if (status)
		return status;
	json_t *values = json_array();
	status = values ? parse_file(values, cmd, path, text, len) : cli_fail(cmd, FLYTE_ENOMEM, NULL, "%s", path);
	if (status == CLI_CONTINUE)
		status = add_specs(docs, where, cmd, path, values);
	json_decref(values);
	free(text);
	return status;
}
