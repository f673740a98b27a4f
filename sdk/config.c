/* Flyte's client configuration: flytectl's YAML file and FLYTE_* variables (flyte/config.h). */
#include "flyte/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "alloc.h"
#include "error.h"
#include "pb_json.h"

/* The settings, in the order `describe` prints them. */
enum {
	K_ENDPOINT,
	K_INSECURE,
	K_SKIP_VERIFY,
	K_CA_CERT,
	K_CONSOLE,
	K_AUTH_TYPE,
	K_CLIENT_ID,
	K_SECRET_LOCATION,
	K_SECRET_ENV_VAR,
	K_SCOPES,
	K_AUDIENCE,
	K_COMMAND,
	K_TOKEN_URL,
	K_AUTH_HEADER,
	K_PROJECT,
	K_DOMAIN,
	K_COUNT
};

typedef struct {
	const char *yaml; /* dotted YAML key */
	const char *env;  /* FLYTE_* variable, or NULL */
	int is_list;
	int is_bool;
} key_desc;

static const key_desc KEYS[K_COUNT] = {
	[K_ENDPOINT] = {"admin.endpoint", "FLYTE_PLATFORM_URL", 0, 0},
	[K_INSECURE] = {"admin.insecure", "FLYTE_PLATFORM_INSECURE", 0, 1},
	[K_SKIP_VERIFY] = {"admin.insecureSkipVerify", "FLYTE_PLATFORM_INSECURE_SKIP_VERIFY", 0, 1},
	[K_CA_CERT] = {"admin.caCertFilePath", "FLYTE_PLATFORM_CA_CERT_FILE_PATH", 0, 0},
	[K_CONSOLE] = {"console.endpoint", "FLYTE_PLATFORM_CONSOLE_ENDPOINT", 0, 0},
	[K_AUTH_TYPE] = {"admin.authType", "FLYTE_CREDENTIALS_AUTH_MODE", 0, 0},
	[K_CLIENT_ID] = {"admin.clientId", "FLYTE_CREDENTIALS_CLIENT_ID", 0, 0},
	[K_SECRET_LOCATION] = {"admin.clientSecretLocation", "FLYTE_CREDENTIALS_CLIENT_SECRET_LOCATION", 0, 0},
	[K_SECRET_ENV_VAR] = {"admin.clientSecretEnvVar", "FLYTE_CREDENTIALS_CLIENT_SECRET_ENV_VAR", 0, 0},
	[K_SCOPES] = {"admin.scopes", "FLYTE_CREDENTIALS_SCOPES", 1, 0},
	[K_AUDIENCE] = {"admin.audience", "FLYTE_CREDENTIALS_AUDIENCE", 0, 0},
	[K_COMMAND] = {"admin.command", "FLYTE_CREDENTIALS_COMMAND", 1, 0},
	[K_TOKEN_URL] = {"admin.tokenUrl", NULL, 0, 0},
	[K_AUTH_HEADER] = {"admin.authorizationHeader", NULL, 0, 0},
	[K_PROJECT] = {"task.project", "FLYTE_LOCAL_PROJECT", 0, 0},
	[K_DOMAIN] = {"task.domain", "FLYTE_LOCAL_DOMAIN", 0, 0},
};

typedef struct {
	char *value;   /* scalar, or the list joined with '\n' */
	char **items;  /* lists: NULL-terminated */
	size_t n_items;
	char *source;  /* "file:line", "env NAME" */
} setting;

struct flyte_config {
	char *path;
	setting s[K_COUNT];
	char *client_secret;
	char *secret_source;
	char *auth_problem; /* an authType this client cannot perform: what to do instead */
	char **scopes, **command; /* views for flyte_config_apply */
};

static void setting_clear(setting *st)
{
	fl_free(st->value);
	for (size_t i = 0; i < st->n_items; i++)
		fl_free(st->items[i]);
	fl_free(st->items);
	fl_free(st->source);
	memset(st, 0, sizeof *st);
}

void flyte_config_free(flyte_config *c)
{
	if (!c)
		return;
	for (int i = 0; i < K_COUNT; i++)
		setting_clear(&c->s[i]);
	if (c->client_secret)
		memset(c->client_secret, 0, strlen(c->client_secret));
	fl_free(c->client_secret);
	fl_free(c->secret_source);
	fl_free(c->auth_problem);
	fl_free(c->path);
	fl_free(c);
}

static int push_item(setting *st, const char *v, size_t len)
{
	char **items = fl_realloc(st->items, (st->n_items + 2) * sizeof *items);
	if (!items)
		return FLYTE_ENOMEM;
	st->items = items;
	if (!(items[st->n_items] = fl_strndup(v, len)))
		return FLYTE_ENOMEM;
	items[++st->n_items] = NULL;
	return 0;
}

/* ---- the YAML file ---- */

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key, size_t len)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == len &&
		    memcmp(k->data.scalar.value, key, len) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

static int from_yaml(flyte_config *c, yaml_document_t *doc, int i, flyte_error **error)
{
	yaml_node_t *n = yaml_document_get_root_node(doc);
	for (const char *k = KEYS[i].yaml; n && k;) {
		const char *dot = strchr(k, '.');
		n = map_get(doc, n, k, dot ? (size_t)(dot - k) : strlen(k));
		k = dot ? dot + 1 : NULL;
	}
	if (!n)
		return 0;
	setting *st = &c->s[i];
	unsigned long line = n->start_mark.line + 1;
	if (n->type == YAML_SCALAR_NODE && !KEYS[i].is_list) {
		st->value = fl_strndup((const char *)n->data.scalar.value, n->data.scalar.length);
	} else if (KEYS[i].is_list && n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			yaml_node_t *x = yaml_document_get_node(doc, *it);
			if (!x || x->type != YAML_SCALAR_NODE)
				return fl_error(error, FLYTE_EINVALID, "%s:%lu: %s must be a list of strings", c->path,
						line, KEYS[i].yaml);
			if (push_item(st, (const char *)x->data.scalar.value, x->data.scalar.length))
				return fl_error(error, FLYTE_ENOMEM, "out of memory");
		}
		st->value = fl_strdup("");
	} else if (KEYS[i].is_list && n->type == YAML_SCALAR_NODE) {
		if (push_item(st, (const char *)n->data.scalar.value, n->data.scalar.length))
			return fl_error(error, FLYTE_ENOMEM, "out of memory");
		st->value = fl_strdup("");
	} else {
		return fl_error(error, FLYTE_EINVALID, "%s:%lu: %s must be a %s", c->path, line, KEYS[i].yaml,
				KEYS[i].is_list ? "list" : "single value");
	}
	st->source = fl_asprintf("%s:%lu", c->path, line);
	return st->value && st->source ? 0 : fl_error(error, FLYTE_ENOMEM, "out of memory");
}

static int load_file(flyte_config *c, FILE *f, flyte_error **error)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&parser))
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	yaml_parser_set_input_file(&parser, f);
	int rc = 0;
	if (!yaml_parser_load(&parser, &doc)) {
		rc = fl_error(error, FLYTE_EINVALID, "%s:%lu:%lu: invalid YAML: %s", c->path,
			      (unsigned long)parser.problem_mark.line + 1, (unsigned long)parser.problem_mark.column + 1,
			      parser.problem ? parser.problem : "syntax error");
		yaml_parser_delete(&parser);
		return rc;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && root->type != YAML_MAPPING_NODE)
		rc = fl_error(error, FLYTE_EINVALID, "%s: the top level must be a mapping (admin:, console:, ...)",
			      c->path);
	for (int i = 0; root && !rc && i < K_COUNT; i++)
		rc = from_yaml(c, &doc, i, error);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

/* ---- environment ---- */

static int from_env(flyte_config *c, int i, flyte_error **error)
{
	const char *v = KEYS[i].env ? getenv(KEYS[i].env) : NULL;
	if (!v)
		return 0;
	setting *st = &c->s[i];
	setting_clear(st);
	st->value = fl_strdup(KEYS[i].is_list ? "" : v);
	st->source = fl_asprintf("env %s", KEYS[i].env);
	if (!st->value || !st->source)
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	if (KEYS[i].is_list) {
		for (const char *p = v; *p;) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			while (len && *p == ' ')
				p++, len--;
			while (len && p[len - 1] == ' ')
				len--;
			if (len && push_item(st, p, len))
				return fl_error(error, FLYTE_ENOMEM, "out of memory");
			p = comma ? comma + 1 : p + strlen(p);
		}
	}
	return 0;
}

static int is_true(const char *v)
{
	return v && *v && strcasecmp(v, "false") != 0 && strcmp(v, "0") != 0 && strcasecmp(v, "off") != 0 &&
	       strcasecmp(v, "no") != 0;
}

static char *read_secret_file(const char *path, flyte_error **error)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fl_error(error, FLYTE_EIO, "client secret file %s: %s", path, strerror(errno));
		return NULL;
	}
	char buf[4096];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	char *s = fl_strndup(buf, n);
	memset(buf, 0, sizeof buf);
	if (!s)
		fl_error(error, FLYTE_ENOMEM, "out of memory");
	return s;
}

/* The secret, as the Go client orders its sources: named variable, then file, then
   FLYTE_CREDENTIALS_CLIENT_SECRET. */
static int resolve_secret(flyte_config *c, flyte_error **error)
{
	const char *var = c->s[K_SECRET_ENV_VAR].value;
	if (var && *var && getenv(var)) {
		c->client_secret = fl_strdup(getenv(var));
		c->secret_source = fl_asprintf("env %s", var);
	} else if (c->s[K_SECRET_LOCATION].value && *c->s[K_SECRET_LOCATION].value) {
		if (!(c->client_secret = read_secret_file(c->s[K_SECRET_LOCATION].value, error)))
			return error && *error ? (*error)->code : FLYTE_EIO;
		c->secret_source = fl_asprintf("file %s", c->s[K_SECRET_LOCATION].value);
	} else if (getenv("FLYTE_CREDENTIALS_CLIENT_SECRET")) {
		c->client_secret = fl_strdup(getenv("FLYTE_CREDENTIALS_CLIENT_SECRET"));
		c->secret_source = fl_strdup("env FLYTE_CREDENTIALS_CLIENT_SECRET");
	} else {
		return 0;
	}
	return c->client_secret && c->secret_source ? 0 : fl_error(error, FLYTE_ENOMEM, "out of memory");
}

static const char *const SUPPORTED_AUTH[] = {"ClientSecret", "client_credentials", "basic", "ExternalCommand",
					    "external_process", "None", "none"};

/* The authTypes of flytectl and flytekit that need a person: what each one needs. */
static const char *needs_a_person(const char *t)
{
	if (strcasecmp(t, "Pkce") == 0 || strcasecmp(t, "standard") == 0)
		return "needs a browser to log in";
	if (strcasecmp(t, "DeviceFlow") == 0)
		return "needs a person to confirm a code in a browser";
	return NULL;
}

/*
 * A known authType this client cannot perform is not an error until a server asks for
 * credentials: the same file often serves a sandbox that needs none. What to say then is
 * kept. An unknown one is a mistake in the file, reported now.
 */
static int check_auth_type(flyte_config *c, flyte_error **error)
{
	const char *t = c->s[K_AUTH_TYPE].value;
	if (!t || !*t)
		return 0;
	for (size_t i = 0; i < sizeof SUPPORTED_AUTH / sizeof *SUPPORTED_AUTH; i++)
		if (strcasecmp(t, SUPPORTED_AUTH[i]) == 0)
			return 0;
	const char *need = needs_a_person(t);
	if (!need)
		return fl_error(error, FLYTE_EINVALID,
				"%s: unknown authType %s (flyteremote supports ClientSecret and ExternalCommand)",
				c->s[K_AUTH_TYPE].source, t);
	c->auth_problem = fl_asprintf(
		"admin.authType %s (%s) %s, which flyteremote cannot do: use ClientSecret (admin.clientId, "
		"admin.clientSecretLocation) or ExternalCommand (admin.command, a program that prints a token), or "
		"FLYTE_CREDENTIALS_AUTH_MODE with FLYTE_CREDENTIALS_CLIENT_ID and FLYTE_CREDENTIALS_CLIENT_SECRET or "
		"FLYTE_CREDENTIALS_COMMAND; in code, a bearer token (flyte_client_options.token)",
		t, c->s[K_AUTH_TYPE].source, need);
	return c->auth_problem ? 0 : fl_error(error, FLYTE_ENOMEM, "out of memory");
}

int flyte_config_load(flyte_config **out, const char *path, flyte_error **error)
{
	if (!out)
		return fl_error(error, FLYTE_EINVALID, "config: NULL argument");
	*out = NULL;
	flyte_config *c = fl_calloc(1, sizeof *c);
	if (!c)
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	int explicit_path = path != NULL;
	char *home_path = NULL;
	if (!path && getenv("FLYTECTL_CONFIG") && *getenv("FLYTECTL_CONFIG")) {
		path = getenv("FLYTECTL_CONFIG");
		explicit_path = 1;
	}
	if (!path && getenv("HOME"))
		path = home_path = fl_asprintf("%s/.flyte/config.yaml", getenv("HOME"));
	int rc = 0;
	FILE *f = path ? fopen(path, "r") : NULL;
	if (f) {
		c->path = fl_strdup(path);
		rc = c->path ? load_file(c, f, error) : fl_error(error, FLYTE_ENOMEM, "out of memory");
		fclose(f);
	} else if (path && (explicit_path || errno != ENOENT)) {
		rc = fl_error(error, FLYTE_EIO, "config file %s: %s", path, strerror(errno));
	}
	fl_free(home_path);
	for (int i = 0; !rc && i < K_COUNT; i++)
		rc = from_env(c, i, error);
	if (!rc)
		rc = resolve_secret(c, error);
	if (!rc)
		rc = check_auth_type(c, error);
	if (rc) {
		flyte_config_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

const char *flyte_config_path(const flyte_config *c)
{
	return c ? c->path : NULL;
}

const char *flyte_config_auth_problem(const flyte_config *c)
{
	return c ? c->auth_problem : NULL;
}

static const char *val(const flyte_config *c, int k)
{
	return c->s[k].value && *c->s[k].value ? c->s[k].value : NULL;
}

int flyte_config_apply(const flyte_config *c, flyte_client_options *o)
{
	if (!c || !o)
		return FLYTE_EINVALID;
	if (val(c, K_ENDPOINT))
		o->endpoint = val(c, K_ENDPOINT);
	if (c->s[K_INSECURE].value)
		o->insecure = is_true(c->s[K_INSECURE].value);
	if (c->s[K_SKIP_VERIFY].value)
		o->insecure_skip_verify = is_true(c->s[K_SKIP_VERIFY].value);
	if (val(c, K_CA_CERT))
		o->ca_cert_path = val(c, K_CA_CERT);
	if (val(c, K_CONSOLE))
		o->console_endpoint = val(c, K_CONSOLE);
	if (val(c, K_PROJECT))
		o->project = val(c, K_PROJECT);
	if (val(c, K_DOMAIN))
		o->domain = val(c, K_DOMAIN);
	if (val(c, K_CLIENT_ID))
		o->client_id = val(c, K_CLIENT_ID);
	if (c->client_secret)
		o->client_secret = c->client_secret;
	if (c->s[K_SCOPES].n_items) {
		o->scopes = (const char *const *)c->s[K_SCOPES].items;
		o->n_scopes = c->s[K_SCOPES].n_items;
	}
	if (val(c, K_AUDIENCE))
		o->audience = val(c, K_AUDIENCE);
	if (c->s[K_COMMAND].n_items) {
		o->command = (const char *const *)c->s[K_COMMAND].items;
		o->n_command = c->s[K_COMMAND].n_items;
	}
	if (val(c, K_TOKEN_URL))
		o->token_endpoint = val(c, K_TOKEN_URL);
	if (val(c, K_AUTH_HEADER))
		o->authorization_header = val(c, K_AUTH_HEADER);
	const char *t = val(c, K_AUTH_TYPE);
	if (t && (strcasecmp(t, "ClientSecret") == 0 || strcasecmp(t, "client_credentials") == 0 ||
		  strcasecmp(t, "basic") == 0))
		o->auth_type = FLYTE_AUTH_CLIENT_SECRET;
	else if (t && (strcasecmp(t, "ExternalCommand") == 0 || strcasecmp(t, "external_process") == 0))
		o->auth_type = FLYTE_AUTH_EXTERNAL_COMMAND;
	else if (t)
		o->auth_type = FLYTE_AUTH_NONE;
	else if (o->n_command) /* no authType: what is configured decides */
		o->auth_type = FLYTE_AUTH_EXTERNAL_COMMAND;
	else if (o->client_id && o->client_secret)
		o->auth_type = FLYTE_AUTH_CLIENT_SECRET;
	return 0;
}

int flyte_config_describe(char **out, const flyte_config *c)
{
	if (!out || !c)
		return FLYTE_EINVALID;
	pb_buf b = {0};
	char line[2048];
	snprintf(line, sizeof line, "# configuration file: %s\n", c->path ? c->path : "(none)");
	pb_buf_puts(&b, line);
	for (int i = 0; i < K_COUNT; i++) {
		const setting *st = &c->s[i];
		if (!st->value)
			continue;
		if (KEYS[i].is_list) {
			snprintf(line, sizeof line, "%s: [", KEYS[i].yaml);
			pb_buf_puts(&b, line);
			for (size_t k = 0; k < st->n_items; k++) {
				if (k)
					pb_buf_puts(&b, ", ");
				pb_buf_json_string(&b, st->items[k], strlen(st->items[k]));
			}
			snprintf(line, sizeof line, "]  # %s\n", st->source);
		} else {
			snprintf(line, sizeof line, "%s: %s  # %s\n", KEYS[i].yaml, st->value, st->source);
		}
		pb_buf_puts(&b, line);
	}
	if (c->client_secret) {
		snprintf(line, sizeof line, "client secret: ****  # %s\n", c->secret_source);
		pb_buf_puts(&b, line);
	}
	if (c->auth_problem) {
		pb_buf_puts(&b, "# requests go without credentials; a server that wants them is refused: ");
		pb_buf_puts(&b, c->auth_problem);
		pb_buf_puts(&b, "\n");
	}
	if (b.failed || !b.data) {
		fl_free(b.data);
		return FLYTE_ENOMEM;
	}
	*out = b.data;
	return 0;
}
