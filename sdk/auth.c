/* Bearer tokens: static, from an external command, or OAuth2 client credentials. */
#include "auth.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "base64.h"
#include "error.h"

extern char **environ;

struct fl_auth {
	fl_transport *t;
	flyte_auth_type type;
	char *header;          /* header name */
	char *static_token;
	char **command;        /* NULL-terminated argv */
	char *client_id, *client_secret, *scopes, *audience, *token_endpoint;
	pthread_mutex_t lock;
	char *token;           /* cached */
	time_t expires_at;     /* 0: no expiry known */
};

static char *join(const char *const *items, size_t n, char sep)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(items[i]) + 1;
	char *s = fl_malloc(len), *p = s;
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = sep;
		size_t k = strlen(items[i]);
		memcpy(p, items[i], k);
		p += k;
	}
	*p = '\0';
	return s;
}

static char *dup_opt(const char *s, int *oom)
{
	if (!s || !*s)
		return NULL;
	char *d = fl_strdup(s);
	if (!d)
		*oom = 1;
	return d;
}

int fl_auth_new(fl_auth **out, fl_transport *t, const flyte_client_options *o, flyte_error **error)
{
	*out = NULL;
	switch (o->auth_type) {
	case FLYTE_AUTH_NONE: return 0;
	case FLYTE_AUTH_TOKEN:
		if (!o->token || !*o->token)
			return fl_error(error, FLYTE_EINVALID, "client options: auth type TOKEN needs a token");
		break;
	case FLYTE_AUTH_EXTERNAL_COMMAND:
		if (!o->command || !o->n_command || !o->command[0] || !*o->command[0])
			return fl_error(error, FLYTE_EINVALID, "client options: auth type EXTERNAL_COMMAND needs a command");
		break;
	case FLYTE_AUTH_CLIENT_SECRET:
		if (!o->client_id || !*o->client_id || !o->client_secret || !*o->client_secret)
			return fl_error(error, FLYTE_EINVALID,
					"client options: auth type CLIENT_SECRET needs client_id and client_secret");
		break;
	default: return fl_error(error, FLYTE_EINVALID, "client options: unknown auth type %d", (int)o->auth_type);
	}
	if (o->n_scopes && !o->scopes)
		return fl_error(error, FLYTE_EINVALID, "client options: n_scopes is set but scopes is NULL");
	fl_auth *a = fl_calloc(1, sizeof *a);
	if (!a)
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	int oom = 0;
	a->t = t;
	a->type = o->auth_type;
	a->header = fl_strdup(o->authorization_header && *o->authorization_header ? o->authorization_header
										   : "Authorization");
	oom |= !a->header;
	a->static_token = dup_opt(o->token, &oom);
	a->client_id = dup_opt(o->client_id, &oom);
	a->client_secret = dup_opt(o->client_secret, &oom);
	a->audience = dup_opt(o->audience, &oom);
	a->token_endpoint = dup_opt(o->token_endpoint, &oom);
	if (o->n_scopes && !(a->scopes = join(o->scopes, o->n_scopes, ' ')))
		oom = 1;
	if (o->auth_type == FLYTE_AUTH_EXTERNAL_COMMAND) {
		a->command = fl_calloc(o->n_command + 1, sizeof *a->command);
		for (size_t i = 0; a->command && i < o->n_command; i++)
			if (!(a->command[i] = fl_strdup(o->command[i] ? o->command[i] : "")))
				oom = 1;
		oom |= !a->command;
	}
	pthread_mutex_init(&a->lock, NULL);
	if (oom) {
		fl_auth_free(a);
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	}
	*out = a;
	return 0;
}

void fl_auth_free(fl_auth *a)
{
	if (!a)
		return;
	for (char **c = a->command; c && *c; c++)
		fl_free(*c);
	fl_free(a->command);
	fl_free(a->header);
	fl_free(a->static_token);
	fl_free(a->client_id);
	if (a->client_secret)
		memset(a->client_secret, 0, strlen(a->client_secret));
	fl_free(a->client_secret);
	fl_free(a->scopes);
	fl_free(a->audience);
	fl_free(a->token_endpoint);
	if (a->token)
		memset(a->token, 0, strlen(a->token));
	fl_free(a->token);
	pthread_mutex_destroy(&a->lock);
	fl_free(a);
}

int fl_auth_refreshable(const fl_auth *a)
{
	return a && a->type != FLYTE_AUTH_TOKEN;
}

void fl_auth_invalidate(fl_auth *a)
{
	pthread_mutex_lock(&a->lock);
	fl_free(a->token);
	a->token = NULL;
	a->expires_at = 0;
	pthread_mutex_unlock(&a->lock);
}

/* Runs the command (no shell), its stdout trimmed is the token. 30 s at most. */
static int token_from_command(fl_auth *a, char **token, flyte_error **error)
{
	int fds[2];
	if (pipe(fds) != 0)
		return fl_error(error, FLYTE_ERROR, "auth command: pipe: %s", strerror(errno));
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	pid_t pid;
	int rc = posix_spawnp(&pid, a->command[0], &fa, NULL, a->command, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		return fl_error(error, FLYTE_EAUTH, "auth command %s cannot be run: %s", a->command[0], strerror(rc));
	}
	char buf[16384];
	size_t n = 0;
	int timed_out = 0;
	for (;;) {
		struct pollfd p = {fds[0], POLLIN, 0};
		int r = poll(&p, 1, 30000);
		if (r == 0) {
			timed_out = 1;
			break;
		}
		if (r < 0 && errno == EINTR)
			continue;
		ssize_t k = r > 0 ? read(fds[0], buf + n, sizeof buf - 1 - n) : -1;
		if (k <= 0)
			break;
		n += (size_t)k;
		if (n == sizeof buf - 1)
			break;
	}
	close(fds[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out)
		return fl_error(error, FLYTE_EAUTH, "auth command %s did not finish within 30 s", a->command[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return fl_error(error, FLYTE_EAUTH, "auth command %s failed (exit status %d)", a->command[0],
				WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	buf[n] = '\0';
	char *s = buf;
	while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
		s++;
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == '\t'))
		len--;
	if (!len)
		return fl_error(error, FLYTE_EAUTH, "auth command %s printed no token", a->command[0]);
	*token = fl_strndup(s, len);
	memset(buf, 0, sizeof buf);
	return *token ? 0 : fl_error(error, FLYTE_ENOMEM, "out of memory");
}

/* The token endpoint from /.well-known/oauth-authorization-server. */
static int discover_token_endpoint(fl_auth *a, flyte_error **error)
{
	fl_http_request req = {.method = "GET", .url = "/.well-known/oauth-authorization-server", .idempotent = 1,
			       .no_auth = 1};
	fl_http_response resp;
	int rc = fl_transport_send(a->t, &req, &resp, error);
	if (rc) {
		fl_http_response_dispose(&resp);
		fl_error_prefix(error, "OAuth2 discovery (set token_endpoint to skip it)");
		return rc == FLYTE_ENOTFOUND || rc == FLYTE_ERROR ? FLYTE_EAUTH : rc;
	}
	json_t *v = json_loadb(resp.body, resp.len, 0, NULL);
	const char *ep = json_string_value(json_object_get(v, "token_endpoint"));
	int found = ep && *ep;
	if (found)
		a->token_endpoint = fl_strdup(ep);
	json_decref(v);
	fl_http_response_dispose(&resp);
	if (!found)
		return fl_error(error, FLYTE_EAUTH, "OAuth2 discovery: the server gave no token_endpoint");
	return a->token_endpoint ? 0 : fl_error(error, FLYTE_ENOMEM, "out of memory");
}

static char *form_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	char *copy = e ? fl_strdup(e) : NULL;
	curl_free(e);
	return copy;
}

static int token_from_client_credentials(fl_auth *a, char **token, time_t *expires_at, flyte_error **error)
{
	int rc = a->token_endpoint ? 0 : discover_token_endpoint(a, error);
	if (rc)
		return rc;
	/* RFC 6749 §2.3.1: HTTP Basic with the form-encoded id and secret. */
	char *id = form_escape(a->client_id), *secret = form_escape(a->client_secret);
	char *pair = id && secret ? fl_asprintf("%s:%s", id, secret) : NULL;
	char *b64 = pair ? fl_malloc(base64_encoded_len(strlen(pair)) + 1) : NULL;
	char *basic = NULL, *body = NULL, *scope = a->scopes ? form_escape(a->scopes) : NULL;
	char *aud = a->audience ? form_escape(a->audience) : NULL;
	if (b64) {
		base64_encode(b64, (const unsigned char *)pair, strlen(pair), 0);
		basic = fl_asprintf("Authorization: Basic %s", b64);
		body = fl_asprintf("grant_type=client_credentials%s%s%s%s", scope ? "&scope=" : "", scope ? scope : "",
				   aud ? "&audience=" : "", aud ? aud : "");
	}
	if (pair)
		memset(pair, 0, strlen(pair));
	fl_free(id);
	fl_free(secret);
	fl_free(pair);
	fl_free(b64);
	fl_free(scope);
	fl_free(aud);
	if (!basic || !body) {
		fl_free(basic);
		fl_free(body);
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	}
	const char *headers[] = {basic, NULL};
	fl_http_request req = {.method = "POST", .url = a->token_endpoint, .body = body, .body_len = strlen(body),
			       .content_type = "application/x-www-form-urlencoded", .headers = headers,
			       .idempotent = 1, .no_auth = 1, .raw = 1};
	fl_http_response resp;
	rc = fl_transport_send(a->t, &req, &resp, error);
	memset(basic, 0, strlen(basic));
	fl_free(basic);
	fl_free(body);
	if (rc) {
		fl_http_response_dispose(&resp);
		fl_error_prefix(error, "OAuth2 client credentials for client %s", a->client_id);
		return rc == FLYTE_EINVALID || rc == FLYTE_ERROR ? FLYTE_EAUTH : rc;
	}
	json_t *v = json_loadb(resp.body, resp.len, 0, NULL);
	const char *tok = json_string_value(json_object_get(v, "access_token"));
	json_t *exp = json_object_get(v, "expires_in");
	int found = tok && *tok;
	*token = found ? fl_strdup(tok) : NULL;
	/* Refresh 30 s early so a request never leaves with a token about to expire. */
	*expires_at = json_is_integer(exp) && json_integer_value(exp) > 0
			      ? time(NULL) + (time_t)json_integer_value(exp) - 30
			      : 0;
	json_decref(v);
	if (resp.body)
		memset(resp.body, 0, resp.len);
	fl_http_response_dispose(&resp);
	if (!found)
		return fl_error(error, FLYTE_EAUTH, "OAuth2 token endpoint %s returned no access_token",
				a->token_endpoint);
	return *token ? 0 : fl_error(error, FLYTE_ENOMEM, "out of memory");
}

int fl_auth_header(fl_auth *a, char **line, int unused, flyte_error **error)
{
	(void)unused;
	*line = NULL;
	pthread_mutex_lock(&a->lock);
	int rc = 0;
	if (a->token && a->expires_at && time(NULL) >= a->expires_at) {
		fl_free(a->token);
		a->token = NULL;
	}
	if (!a->token) {
		time_t expires_at = 0;
		switch (a->type) {
		case FLYTE_AUTH_TOKEN:
			a->token = fl_strdup(a->static_token);
			rc = a->token ? 0 : fl_error(error, FLYTE_ENOMEM, "out of memory");
			break;
		case FLYTE_AUTH_EXTERNAL_COMMAND: rc = token_from_command(a, &a->token, error); break;
		case FLYTE_AUTH_CLIENT_SECRET:
			rc = token_from_client_credentials(a, &a->token, &expires_at, error);
			break;
		default: break;
		}
		a->expires_at = expires_at;
	}
	if (!rc && a->token && !(*line = fl_asprintf("%s: Bearer %s", a->header, a->token)))
		rc = fl_error(error, FLYTE_ENOMEM, "out of memory");
	pthread_mutex_unlock(&a->lock);
	return rc;
}
