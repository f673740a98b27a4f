/* flyte-remote: the connection options every network command takes, and the client they
   make: configuration file and FLYTE_* variables first, command-line options over them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

cli_globals cli_global_defaults;

const char cli_global_help[] =
	"Connection options (also accepted before the command name):\n"
	"  --endpoint URL       FlyteAdmin or flyte-devserver: http://127.0.0.1:30080,\n"
	"                       dns:///flyte.example.com:443, host:port (default: admin.endpoint\n"
	"                       of the configuration, or FLYTE_PLATFORM_URL)\n"
	"  --config FILE        flytectl's configuration file (default: $FLYTECTL_CONFIG, else\n"
	"                       ~/.flyte/config.yaml when it exists)\n"
	"  --project NAME       default: task.project / FLYTE_LOCAL_PROJECT, else flytesnacks\n"
	"  --domain NAME        default: task.domain / FLYTE_LOCAL_DOMAIN, else development\n"
	"  --insecure           plain HTTP for an endpoint given without a scheme\n"
	"  -o, --output FORMAT  text (default), or json: one JSON document on stdout\n";

int cli_global_option(cli_globals *g, const cli_command *cmd, int c, const char *arg)
{
	switch (c) {
	case CLI_OPT_ENDPOINT: g->endpoint = arg; break;
	case CLI_OPT_CONFIG: g->config = arg; break;
	case CLI_OPT_PROJECT: g->project = arg; break;
	case CLI_OPT_DOMAIN: g->domain = arg; break;
	case CLI_OPT_INSECURE: g->insecure = 1; break;
	case 'o':
		if (strcmp(arg, "json") == 0)
			g->json = 1;
		else if (strcmp(arg, "text") == 0)
			g->json = 0;
		else
			return cli_usage_error(cmd, "-o %s: the output format is text or json", arg);
		break;
	default: return cli_bad_option(cmd);
	}
	return CLI_CONTINUE;
}

/* The SDK's warnings (e.g. a retried request) matter to a person at a terminal. */
static void log_to_stderr(int level, const char *message, void *payload)
{
	(void)payload;
	fprintf(stderr, CLI_NAME ": %s: %s\n", level == FLYTE_LOG_ERROR ? "error" : "warning", message);
}

static int no_endpoint(const cli_command *cmd)
{
	fprintf(stderr,
		CLI_NAME " %s: no FlyteAdmin endpoint is configured.\n"
		"Pass --endpoint URL (e.g. --endpoint http://127.0.0.1:30080 for flyte-devserver), set\n"
		"admin.endpoint in ~/.flyte/config.yaml (or in the file given with --config), or set\n"
		"FLYTE_PLATFORM_URL.\n",
		cmd->name);
	return CLI_EXIT_USAGE;
}

int cli_connect(flyte_client **out, const cli_command *cmd, const cli_globals *g)
{
	flyte_config *cfg = NULL;
	flyte_error *err = NULL;
	*out = NULL;
	int rc = flyte_config_load(&cfg, g->config, &err);
	if (rc) {
		int status = cli_fail(cmd, rc, err, "reading the configuration");
		flyte_error_free(err);
		return status;
	}
	flyte_client_options o;
	flyte_client_options_init(&o, FLYTE_CLIENT_OPTIONS_VERSION);
	flyte_config_apply(cfg, &o);
	if (g->endpoint)
		o.endpoint = g->endpoint;
	if (g->insecure)
		o.insecure = 1;
	if (g->project)
		o.project = g->project;
	if (g->domain)
		o.domain = g->domain;
	o.log = log_to_stderr;
	o.log_level = FLYTE_LOG_WARN;
	int status = CLI_CONTINUE;
	if (!o.endpoint || !*o.endpoint)
		status = no_endpoint(cmd);
	else if ((rc = flyte_client_new(out, &o, &err)))
		status = cli_fail(cmd, rc, err, "connecting to %s", o.endpoint);
	else
		cli_set_endpoint(flyte_client_endpoint(*out));
	cli_set_auth_problem(flyte_config_auth_problem(cfg));
	flyte_error_free(err);
	flyte_config_free(cfg);
	return status;
}

const char *cli_resource_name(flyte_resource_type type)
{
	switch (type) {
	case FLYTE_RESOURCE_TASK: return "task";
	case FLYTE_RESOURCE_WORKFLOW: return "workflow";
	case FLYTE_RESOURCE_LAUNCH_PLAN: return "launch plan";
	default: return "entity";
	}
}

int cli_fetch_exact(flyte_client *c, flyte_entity **out, const flyte_identifier *id, flyte_error **error)
{
	int rc = flyte_fetch(c, out, id, error);
	if (rc || (id->version && *id->version))
		return rc;
	/* The latest comes from a list, and FlyteAdmin's lists leave out compiled workflows:
	   fetch that version itself. */
	flyte_entity *latest = *out;
	flyte_identifier exact = flyte_entity_id(latest);
	exact.resource_type = id->resource_type;
	rc = flyte_fetch(c, out, &exact, error);
	flyte_entity_free(latest);
	return rc;
}

int cli_fetch(flyte_entity **out, const cli_command *cmd, flyte_client *c, flyte_resource_type type,
	      const char *project, const char *domain, const char *ref)
{
	char *buf;
	const char *name, *version;
	int rc = cli_split_ref(&buf, &name, &version, ref);
	if (rc) {
		free(buf);
		return rc == FLYTE_EINVALID ? cli_usage_error(cmd, "'%s' is not NAME[:VERSION]", ref)
					    : cli_fail(cmd, rc, NULL, "reading '%s'", ref);
	}
	flyte_identifier id = {type, project, domain, name, version, NULL};
	flyte_error *err = NULL;
	int status = CLI_CONTINUE;
	rc = cli_fetch_exact(c, out, &id, &err);
	if (rc)
		status = cli_fail(cmd, rc, err, "%s %s%s%s", cli_resource_name(type), name, version ? ":" : "",
				  version ? version : "");
	flyte_error_free(err);
	free(buf);
	return status;
}

json_t *cli_json_get(const json_t *obj, const char *snake)
{
	json_t *v = json_object_get(obj, snake);
	if (v || !strchr(snake, '_'))
		return v;
	char camel[128];
	size_t n = 0;
	for (const char *p = snake; *p && n + 1 < sizeof camel; p++) {
		if (*p == '_' && p[1]) {
			p++;
			camel[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
		} else {
			camel[n++] = *p;
		}
	}
	camel[n] = '\0';
	return json_object_get(obj, camel);
}

char *cli_url_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(strlen(s) * 3 + 1), *o = out;
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

int cli_get_json(json_t **out, flyte_client *c, const char *path, flyte_error **error)
{
	char *body = NULL;
	*out = NULL;
	int rc = flyte_client_request(c, &body, "GET", path, NULL, 1, error);
	if (rc)
		return rc;
	*out = json_loads(body, 0, NULL);
	flyte_string_free(body);
	return *out ? 0 : FLYTE_ERROR;
}

char *cli_execution_path(const char *project, const char *domain, const char *name)
{
	char *p = cli_url_escape(project), *d = cli_url_escape(domain), *n = name ? cli_url_escape(name) : NULL;
	size_t len = (p ? strlen(p) : 0) + (d ? strlen(d) : 0) + (n ? strlen(n) : 0) + 32;
	char *path = p && d && (n || !name) ? malloc(len) : NULL;
	if (path)
		snprintf(path, len, "/api/v1/executions/%s/%s%s%s", p, d, n ? "/" : "", n ? n : "");
	free(p);
	free(d);
	free(n);
	return path;
}
