/*
 * meta: the routes around the API proper: health check, version, domains, and the auth
 * discovery and token endpoints that FlyteAdmin serves when auth is on, so that clients
 * can run their real OAuth2 client-credentials flow against the dev server.
 */
#include <microhttpd.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "base64.h"
#include "flyte/version.h"
#include "routes.h"

/* FlyteAdmin's default domains (its config ships exactly these three). */
static const char *const domains[] = {"development", "staging", "production"};

static void healthcheck(ds_server *s, const ds_request *rq, ds_reply *out)
{
	(void)s;
	(void)rq;
	out->status = 200;
	out->content_type = "text/plain; charset=utf-8";
}

static void version(ds_server *s, const ds_request *rq, ds_reply *out)
{
	(void)s;
	(void)rq;
	/* The proto really names these fields with capitals (admin/version.proto). */
	ds_reply_json(out, &pb_flyteidl_admin_GetVersionResponse,
		      json_pack("{s:{s:s,s:s,s:s}}", "control_plane_version", "Build", "flyte-devserver", "Version",
				FLYTE_VERSION_STRING, "BuildTime", __DATE__ " " __TIME__));
}

static void get_domains(ds_server *s, const ds_request *rq, ds_reply *out)
{
	(void)s;
	(void)rq;
	json_t *list = json_array();
	for (size_t i = 0; i < sizeof domains / sizeof *domains; i++)
		json_array_append_new(list, json_pack("{s:s,s:s}", "id", domains[i], "name", domains[i]));
	ds_reply_json(out, &pb_flyteidl_admin_GetDomainsResponse, json_pack("{s:o}", "domains", list));
}

/* Without auth FlyteAdmin registers the gateway routes but not the gRPC service behind them. */
static int auth_off(ds_server *s, ds_reply *out)
{
	if (s->config.auth_token)
		return 0;
	ds_reply_error(out, GRPC_UNIMPLEMENTED, "unknown service flyteidl.service.AuthMetadataService");
	return 1;
}

static void oauth2_metadata(ds_server *s, const ds_request *rq, ds_reply *out)
{
	(void)rq;
	if (auth_off(s, out))
		return;
	const char *b = s->base_url;
	char *authorize = fl_asprintf("%s/oauth2/authorize", b), *token = fl_asprintf("%s/oauth2/token", b);
	char *jwks = fl_asprintf("%s/oauth2/jwks", b);
	json_t *v = NULL;
	if (authorize && token && jwks)
		v = json_pack("{s:s,s:s,s:s,s:[s],s:[s],s:[s,s],s:s,s:[s],s:[s],s:s}", "issuer", b,
			      "authorization_endpoint", authorize, "token_endpoint", token, "response_types_supported",
			      "code", "scopes_supported", "all", "token_endpoint_auth_methods_supported",
			      "client_secret_basic", "client_secret_post", "jwks_uri", jwks,
			      "code_challenge_methods_supported", "S256", "grant_types_supported",
			      "client_credentials", "device_authorization_endpoint", "");
	fl_free(authorize);
	fl_free(token);
	fl_free(jwks);
	ds_reply_json(out, &pb_flyteidl_service_OAuth2MetadataResponse, v);
}

static void public_client_config(ds_server *s, const ds_request *rq, ds_reply *out)
{
	(void)rq;
	if (auth_off(s, out))
		return;
	ds_reply_json(out, &pb_flyteidl_service_PublicClientAuthConfigResponse,
		      json_pack("{s:s,s:s,s:[s],s:s,s:s,s:s}", "client_id", "flytectl", "redirect_uri",
				"http://localhost:53593/callback", "scopes", "all", "authorization_metadata_key",
				"flyte-authorization", "service_http_endpoint", "", "audience", ""));
}

/* An RFC 6749 §5.2 error: these bodies are OAuth2's, not gRPC statuses. */
static void oauth2_error(ds_reply *out, int status, const char *error, const char *description)
{
	json_t *v = json_pack("{s:s,s:s}", "error", error, "error_description", description);
	out->status = status;
	out->body = ds_json_dumps(v);
	out->body_len = out->body ? strlen(out->body) : 0;
	json_decref(v);
}

/* The value of key in an application/x-www-form-urlencoded body, decoded; fl_free it. */
static char *form_value(const char *body, const char *key)
{
	size_t klen = strlen(key);
	const char *p = body;
	while (*p) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			char *v = fl_strndup(p + klen + 1, len - klen - 1);
			if (!v)
				return NULL;
			for (char *c = v; *c; c++)
				if (*c == '+')
					*c = ' ';
			MHD_http_unescape(v);
			return v;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return NULL;
}

/* The client secret from HTTP Basic (client_secret_basic) or the form (client_secret_post). */
static char *client_secret(const ds_request *rq)
{
	const char *h = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Authorization");
	if (!h || strncasecmp(h, "Basic ", 6) != 0)
		return form_value(rq->body, "client_secret");
	size_t n = 0;
	if (base64_decode_any(NULL, &n, h + 6, strlen(h + 6)) != 0)
		return NULL;
	char *creds = fl_malloc(n + 1);
	if (!creds || base64_decode_any(creds, &n, h + 6, strlen(h + 6)) != 0) {
		fl_free(creds);
		return NULL;
	}
	creds[n] = '\0';
	char *colon = strchr(creds, ':');
	char *secret = colon ? fl_strdup(colon + 1) : NULL;
	fl_free(creds);
	if (secret) /* RFC 6749 §2.3.1: both parts are form-encoded before joining */
		MHD_http_unescape(secret);
	return secret;
}

/* Client-credentials grant: the secret is the server's token, and so is the access token. */
static void oauth2_token(ds_server *s, const ds_request *rq, ds_reply *out)
{
	if (!s->config.auth_token) { /* FlyteAdmin mounts its /oauth2 routes only with auth on */
		ds_reply_error(out, GRPC_NOT_FOUND, "Not Found");
		return;
	}
	char *grant = form_value(rq->body, "grant_type");
	int ok_grant = grant && strcmp(grant, "client_credentials") == 0;
	fl_free(grant);
	if (!ok_grant) {
		oauth2_error(out, 400, "unsupported_grant_type", "only the client_credentials grant is supported");
		return;
	}
	char *secret = client_secret(rq);
	int ok = secret && strcmp(secret, s->config.auth_token) == 0;
	fl_free(secret);
	if (!ok) {
		oauth2_error(out, 401, "invalid_client", "client authentication failed");
		return;
	}
	json_t *v = json_pack("{s:s,s:s,s:i}", "access_token", s->config.auth_token, "token_type", "bearer",
			      "expires_in", 3600);
	out->status = 200;
	out->body = ds_json_dumps(v);
	out->body_len = out->body ? strlen(out->body) : 0;
	json_decref(v);
	if (!out->body)
		ds_reply_error(out, GRPC_INTERNAL, "out of memory");
}

const ds_route ds_meta_routes[] = {
	{"GET", "/healthcheck", healthcheck},
	{"GET", "/api/v1/version", version},
	{"GET", "/api/v1/domains", get_domains},
	{"GET", "/.well-known/oauth-authorization-server", oauth2_metadata},
	{"GET", "/config/v1/flyte_client", public_client_config},
	{"POST", "/oauth2/token", oauth2_token},
	{NULL, NULL, NULL},
};

int ds_meta_init(ds_server *s, char **error)
{
	(void)s;
	(void)error;
	return 0;
}
