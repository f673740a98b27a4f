/* flyte-remote: the type notation of spec files ("integer", "blob:csv", "list<integer>",
   "optional<string>", ...) and flyteidl LiteralType JSON for what it cannot say. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct {
	const char *text; /* the whole type, for messages */
	const char *p;
	cli_why *why;
} cursor;

static void skip_space(cursor *c)
{
	while (isspace((unsigned char)*c->p))
		c->p++;
}

static int fail(cursor *c, const char *what)
{
	return cli_why_set(c->why, "type \"%s\": %s at \"%s\"", c->text, what, *c->p ? c->p : "the end");
}

static size_t word_len(const char *p)
{
	size_t n = 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n;
}

static int expect(cursor *c, char ch)
{
	skip_space(c);
	if (*c->p != ch) {
		char what[32] = "expected '?'";
		what[10] = ch;
		return fail(c, what);
	}
	c->p++;
	return 0;
}

static const struct {
	const char *name;
	flyte_simple_type simple;
} SIMPLE[] = {
	{"integer", FLYTE_SIMPLE_INTEGER}, {"int", FLYTE_SIMPLE_INTEGER},   {"float", FLYTE_SIMPLE_FLOAT},
	{"string", FLYTE_SIMPLE_STRING},   {"str", FLYTE_SIMPLE_STRING},    {"boolean", FLYTE_SIMPLE_BOOLEAN},
	{"bool", FLYTE_SIMPLE_BOOLEAN},    {"datetime", FLYTE_SIMPLE_DATETIME}, {"duration", FLYTE_SIMPLE_DURATION},
	{"binary", FLYTE_SIMPLE_BINARY},   {"struct", FLYTE_SIMPLE_STRUCT}, {"none", FLYTE_SIMPLE_NONE},
};

static int parse(cursor *c, flyte_literal_type **out);

/* ":FORMAT" after blob, dir or dataset; "" when absent. */
static int parse_format(cursor *c, char *format, size_t size)
{
	format[0] = '\0';
	skip_space(c);
	if (*c->p != ':')
		return 0;
	c->p++;
	skip_space(c);
	size_t n = strcspn(c->p, " \t<>|,");
	if (n == 0 || n >= size)
		return fail(c, n ? "format too long" : "expected a format after ':'");
	memcpy(format, c->p, n);
	format[n] = '\0';
	c->p += n;
	return 0;
}

/* list<T>, map<T>, optional<T>: the one type parameter. */
static int parse_param(cursor *c, flyte_literal_type **out)
{
	int rc = expect(c, '<');
	if (!rc)
		rc = parse(c, out);
	if (!rc && (rc = expect(c, '>'))) {
		flyte_literal_type_free(*out);
		*out = NULL;
	}
	return rc;
}

static int tag_variant(flyte_literal_type *t, const char *start, const char *end)
{
	while (start < end && isspace((unsigned char)*start))
		start++;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	char *tag = strndup(start, (size_t)(end - start));
	int rc = tag ? flyte_literal_type_set_structure_tag(t, tag) : FLYTE_ENOMEM;
	free(tag);
	return rc;
}

static int new_union(flyte_literal_type **out, flyte_literal_type **v, size_t n, cursor *c)
{
	int rc = flyte_literal_type_new_union(out, (const flyte_literal_type *const *)v, n);
	for (size_t i = 0; i < n; i++)
		flyte_literal_type_free(v[i]);
	return rc == FLYTE_ENOMEM ? cli_why_set(c->why, "out of memory") : rc ? fail(c, "bad union") : 0;
}

#define MAX_VARIANTS 32

/* union<T1|T2|...>: each variant tagged with its own text, as flytekit tags them. */
static int parse_union(cursor *c, flyte_literal_type **out)
{
	flyte_literal_type *v[MAX_VARIANTS];
	size_t n = 0;
	int rc = expect(c, '<');
	while (!rc) {
		skip_space(c);
		const char *start = c->p;
		if (n == MAX_VARIANTS) {
			rc = fail(c, "too many variants");
			break;
		}
		if ((rc = parse(c, &v[n])))
			break;
		n++;
		if ((rc = tag_variant(v[n - 1], start, c->p)))
			break;
		skip_space(c);
		if (*c->p == '>') {
			c->p++;
			return new_union(out, v, n, c);
		}
		rc = expect(c, '|');
	}
	while (n)
		flyte_literal_type_free(v[--n]);
	return rc;
}

/* optional<T>: union<T|none>, tagged as flytekit tags Optional[T]. */
static int parse_optional(cursor *c, flyte_literal_type **out)
{
	flyte_literal_type *v[2] = {NULL, NULL};
	skip_space(c);
	const char *start = c->p + 1;
	int rc = parse_param(c, &v[0]);
	if (!rc)
		rc = tag_variant(v[0], start, c->p - 1);
	if (!rc)
		rc = flyte_literal_type_new_simple(&v[1], FLYTE_SIMPLE_NONE);
	if (!rc)
		rc = flyte_literal_type_set_structure_tag(v[1], "none");
	if (rc) {
		flyte_literal_type_free(v[0]);
		flyte_literal_type_free(v[1]);
		return rc;
	}
	return new_union(out, v, 2, c);
}

/* enum<a,b,c>. */
static int parse_enum(cursor *c, flyte_literal_type **out)
{
	cli_strv values = {.owned = 1};
	int rc = expect(c, '<');
	while (!rc) {
		skip_space(c);
		size_t n = strcspn(c->p, ",>");
		const char *end = c->p + n;
		while (end > c->p && isspace((unsigned char)end[-1]))
			end--;
		char *value = strndup(c->p, (size_t)(end - c->p));
		if (!value || !*value || cli_strv_add(&values, value)) {
			rc = value ? fail(c, "expected an enum value") : FLYTE_ENOMEM;
			free(value);
			break;
		}
		free(value);
		c->p += n;
		if (*c->p == '>') {
			c->p++;
			rc = flyte_literal_type_new_enum(out, (const char *const *)values.items, values.n);
			break;
		}
		rc = expect(c, ',');
	}
	cli_strv_free(&values);
	return rc;
}

enum { FORMATTED_FILE, FORMATTED_DIR, FORMATTED_DATASET };

/* blob, dir or dataset, each with an optional ":FORMAT". */
static int parse_formatted(cursor *c, flyte_literal_type **out, int what)
{
	char format[128];
	int rc = parse_format(c, format, sizeof format);
	if (rc)
		return rc;
	if (what == FORMATTED_DATASET)
		return flyte_literal_type_new_structured_dataset(out, format);
	flyte_blob_dimensionality dim = what == FORMATTED_DIR ? FLYTE_BLOB_MULTIPART : FLYTE_BLOB_SINGLE;
	return flyte_literal_type_new_blob(out, format, dim);
}

static int parse_named(cursor *c, flyte_literal_type **out, const char *w)
{
	int rc;
	for (size_t i = 0; i < sizeof SIMPLE / sizeof SIMPLE[0]; i++)
		if (strcmp(w, SIMPLE[i].name) == 0)
			return flyte_literal_type_new_simple(out, SIMPLE[i].simple);
	if (strcmp(w, "blob") == 0 || strcmp(w, "file") == 0)
		return parse_formatted(c, out, FORMATTED_FILE);
	if (strcmp(w, "dir") == 0 || strcmp(w, "directory") == 0 || strcmp(w, "multipart") == 0)
		return parse_formatted(c, out, FORMATTED_DIR);
	if (strcmp(w, "dataset") == 0 || strcmp(w, "structured_dataset") == 0)
		return parse_formatted(c, out, FORMATTED_DATASET);
	if (strcmp(w, "list") == 0 || strcmp(w, "map") == 0) {
		flyte_literal_type *elem = NULL;
		if ((rc = parse_param(c, &elem)))
			return rc;
		rc = w[0] == 'l' ? flyte_literal_type_new_collection(out, elem) : flyte_literal_type_new_map(out, elem);
		flyte_literal_type_free(elem);
		return rc;
	}
	if (strcmp(w, "optional") == 0)
		return parse_optional(c, out);
	if (strcmp(w, "union") == 0)
		return parse_union(c, out);
	if (strcmp(w, "enum") == 0)
		return parse_enum(c, out);
	return cli_why_set(c->why, "type \"%s\": unknown type \"%s\" (%s)", c->text, w,
			   "integer, float, string, boolean, datetime, duration, binary, struct, none, blob, dir, "
			   "dataset, list<T>, map<T>, optional<T>, union<...>, enum<...>");
}

static int parse(cursor *c, flyte_literal_type **out)
{
	*out = NULL;
	skip_space(c);
	size_t n = word_len(c->p);
	char w[32];
	if (n == 0 || n >= sizeof w)
		return fail(c, "expected a type");
	for (size_t i = 0; i < n; i++)
		w[i] = (char)tolower((unsigned char)c->p[i]);
	w[n] = '\0';
	c->p += n;
	int rc = parse_named(c, out, w);
	if (rc == FLYTE_ENOMEM)
		return cli_why_set(c->why, "out of memory");
	return rc;
}

int cli_type_parse(flyte_literal_type **out, const char *text, cli_why *why)
{
	cursor c = {text, text, why};
	int rc = parse(&c, out);
	skip_space(&c);
	if (!rc && *c.p) {
		flyte_literal_type_free(*out);
		*out = NULL;
		rc = fail(&c, "unexpected text");
	}
	return rc;
}

static int type_from_flyteidl(flyte_literal_type **out, const json_t *v, cli_why *why)
{
	char *text = json_dumps(v, JSON_COMPACT);
	flyte_error *err = NULL;
	int rc = text ? flyte_literal_type_from_json(out, text, strlen(text), &err) : FLYTE_ENOMEM;
	if (rc)
		cli_why_set(why, "not a flyteidl LiteralType: %s", err ? flyte_error_message(err) : "out of memory");
	flyte_error_free(err);
	free(text);
	return rc;
}

int cli_type_from_json(flyte_literal_type **out, const char **description, const json_t *v, cli_why *why)
{
	*out = NULL;
	if (description)
		*description = NULL;
	if (json_is_string(v))
		return cli_type_parse(out, json_string_value(v), why);
	if (!json_is_object(v))
		return cli_why_set(why, "a type is a string such as \"integer\" or a flyteidl LiteralType object");
	const json_t *t = json_object_get(v, "type");
	if (!json_is_string(t))
		return type_from_flyteidl(out, v, why);
	const char *key;
	const json_t *member;
	json_object_foreach((json_t *)v, key, member) {
		if (strcmp(key, "type") != 0 && strcmp(key, "description") != 0)
			return cli_why_set(why, "unknown field \"%s\" (a variable has \"type\" and \"description\")",
					   key);
	}
	const json_t *d = json_object_get(v, "description");
	if (d && !json_is_string(d))
		return cli_why_set(why, "description: expected a string");
	if (description && d)
		*description = json_string_value(d);
	return cli_type_parse(out, json_string_value(t), why);
}

int cli_variables_from_json(flyte_variable_map **out, const json_t *obj, cli_why *why)
{
	*out = NULL;
	if (obj && !json_is_object(obj))
		return cli_why_set(why, "expected a mapping of name -> type");
	int rc = flyte_variable_map_new(out);
	const char *name;
	const json_t *v;
	json_object_foreach((json_t *)obj, name, v) {
		if (rc)
			break;
		flyte_literal_type *t;
		const char *description;
		cli_why inner;
		rc = cli_type_from_json(&t, &description, v, &inner);
		if (rc) {
			cli_why_set(why, "%s: %s", name, inner.text);
			break;
		}
		rc = flyte_variable_map_add(*out, name, t, description);
		flyte_literal_type_free(t);
	}
	if (rc == FLYTE_ENOMEM)
		cli_why_set(why, "out of memory");
	if (rc) {
		flyte_variable_map_free(*out);
		*out = NULL;
	}
	return rc;
}
