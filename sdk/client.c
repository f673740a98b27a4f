/* The flyte_client: transport, auth and defaults (flyte/client.h). */
#include "client.h"

#include <string.h>

#include "alloc.h"
#include "error.h"
#include "flyte/config.h"

int flyte_client_options_init(flyte_client_options *opts, unsigned int version)
{
	if (!opts || version != FLYTE_CLIENT_OPTIONS_VERSION)
		return FLYTE_EINVALID;
	flyte_client_options init = FLYTE_CLIENT_OPTIONS_INIT;
	*opts = init;
	return 0;
}

int flyte_client_new(flyte_client **out, const flyte_client_options *o, flyte_error **error)
{
	if (!out || !o)
		return fl_error(error, FLYTE_EINVALID, "client: NULL argument");
	*out = NULL;
	if (o->version != FLYTE_CLIENT_OPTIONS_VERSION)
		return fl_error(error, FLYTE_EINVALID, "client options: unsupported version %u (expected %d)",
				o->version, FLYTE_CLIENT_OPTIONS_VERSION);
	if (flyte_global_init() != 0)
		return fl_error(error, FLYTE_ERROR, "libcurl initialisation failed");
	flyte_client *c = fl_calloc(1, sizeof *c);
	int rc = c ? 0 : fl_error(error, FLYTE_ENOMEM, "out of memory");
	if (!rc)
		rc = fl_transport_new(&c->transport, o, error);
	if (!rc)
		rc = fl_auth_new(&c->auth, c->transport, o, error);
	if (!rc) {
		fl_transport_set_auth(c->transport, c->auth);
		c->project = fl_strdup(o->project && *o->project ? o->project : "flytesnacks");
		c->domain = fl_strdup(o->domain && *o->domain ? o->domain : "development");
		c->console = fl_strdup(o->console_endpoint && *o->console_endpoint
					       ? o->console_endpoint
					       : fl_transport_base_url(c->transport));
		if (!c->project || !c->domain || !c->console)
			rc = fl_error(error, FLYTE_ENOMEM, "out of memory");
	}
	if (rc) {
		if (c)
			flyte_client_free(c);
		else
			flyte_global_shutdown();
		return rc;
	}
	*out = c;
	return 0;
}

int flyte_client_from_config(flyte_client **out, const char *config_path, flyte_error **error)
{
	flyte_config *cfg;
	int rc = flyte_config_load(&cfg, config_path, error);
	if (rc)
		return rc;
	flyte_client_options opts = FLYTE_CLIENT_OPTIONS_INIT;
	/* flytekit's default endpoint is the local sandbox, over plain HTTP; a configured
	   endpoint without a scheme is HTTPS unless admin.insecure says otherwise. */
	opts.endpoint = "http://localhost:30080";
	flyte_config_apply(cfg, &opts);
	rc = flyte_client_new(out, &opts, error);
	if (!rc && fl_transport_set_auth_hint((*out)->transport, flyte_config_auth_problem(cfg))) {
		flyte_client_free(*out);
		*out = NULL;
		rc = fl_error(error, FLYTE_ENOMEM, "out of memory");
	}
	flyte_config_free(cfg);
	return rc;
}

void flyte_client_free(flyte_client *c)
{
	if (!c)
		return;
	fl_auth_free(c->auth);
	fl_transport_free(c->transport);
	fl_free(c->project);
	fl_free(c->domain);
	fl_free(c->console);
	fl_free(c);
	flyte_global_shutdown();
}

const char *flyte_client_endpoint(const flyte_client *c)
{
	return c ? fl_transport_base_url(c->transport) : NULL;
}

const char *flyte_client_project(const flyte_client *c)
{
	return c ? c->project : NULL;
}

const char *flyte_client_domain(const flyte_client *c)
{
	return c ? c->domain : NULL;
}

int fl_client_call(flyte_client *c, char **out, const char *method, const char *path, const char *body,
		   int idempotent, flyte_error **error)
{
	*out = NULL;
	fl_http_request req = {.method = method, .url = path, .body = body, .body_len = body ? strlen(body) : 0,
			       .idempotent = idempotent};
	fl_http_response resp;
	int rc = fl_transport_send(c->transport, &req, &resp, error);
	if (rc == 0) {
		*out = resp.body;
		resp.body = NULL;
	}
	fl_http_response_dispose(&resp);
	return rc;
}

int flyte_client_request(flyte_client *c, char **out, const char *method, const char *path, const char *body,
			 int idempotent, flyte_error **error)
{
	if (!c || !out || !method || !path)
		return fl_error(error, FLYTE_EINVALID, "request: NULL argument");
	if (strcmp(method, "GET") && strcmp(method, "POST") && strcmp(method, "PUT") && strcmp(method, "DELETE"))
		return fl_error(error, FLYTE_EINVALID, "request: unsupported method %s", method);
	if (path[0] != '/')
		return fl_error(error, FLYTE_EINVALID, "request: path must start with '/', got %s", path);
	return fl_client_call(c, out, method, path, body, idempotent, error);
}
