/* Transport and auth under injected faults, against a scripted loopback server:
   retries with backoff, Retry-After, resets, truncated bodies, timeouts, error mapping,
   headers, and tokens (static, external command, OAuth2 client credentials). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <flyte/flyte.h>

#include "stub_http.h"

#define OK_JSON "{\"control_plane_version\":{\"Version\":\"1\"}}"

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static flyte_client *client_for(stub_http *s, flyte_client_options *o)
{
	flyte_client_options defaults = FLYTE_CLIENT_OPTIONS_INIT;
	if (!o)
		o = &defaults;
	o->endpoint = stub_url(s);
	if (!o->retry_initial_ms)
		o->retry_initial_ms = 10;
	if (!o->retry_max_ms)
		o->retry_max_ms = 50;
	flyte_client *c = NULL;
	flyte_error *err = NULL;
	if (flyte_client_new(&c, o, &err))
		fail_msg("client: %s", flyte_error_message(err));
	return c;
}

static int get(flyte_client *c, char **body, int idempotent, flyte_error **err)
{
	return flyte_client_request(c, body, "GET", "/api/v1/version", NULL, idempotent, err);
}

static void test_retry_503_then_success(void **state)
{
	(void)state;
	static const stub_step steps[] = {
		{STUB_RESPOND, 503, NULL, "{\"code\":14,\"message\":\"unavailable\"}", 0},
		{STUB_RESPOND, 200, NULL, OK_JSON, 0},
	};
	stub_http *s = stub_start(steps, 2);
	flyte_client *c = client_for(s, NULL);
	char *body = NULL;
	flyte_error *err = NULL;
	assert_int_equal(get(c, &body, 1, &err), 0);
	assert_null(err);
	assert_string_equal(body, OK_JSON);
	assert_int_equal(stub_count(s), 2);
	/* Every request says it speaks JSON, GETs included. */
	assert_string_equal(stub_header(s, 1, "Accept"), "application/json");
	assert_string_equal(stub_header(s, 1, "Content-Type"), "application/json");
	assert_null(stub_header(s, 1, "Authorization"));
	flyte_string_free(body);
	flyte_client_free(c);
	stub_stop(s);
}

static void test_no_retry_when_not_idempotent(void **state)
{
	(void)state;
	static const stub_step steps[] = {{STUB_RESPOND, 503, NULL, "{\"code\":14,\"message\":\"down\"}", 0},
					  {STUB_RESPOND, 200, NULL, OK_JSON, 0}};
	stub_http *s = stub_start(steps, 2);
	flyte_client *c = client_for(s, NULL);
	char *body = NULL;
	flyte_error *err = NULL;
	assert_int_equal(flyte_client_request(c, &body, "POST", "/api/v1/executions", "{}", 0, &err),
			 FLYTE_EUNAVAILABLE);
	assert_null(body);
	assert_int_equal(stub_count(s), 1);
	assert_int_equal(flyte_error_http_status(err), 503);
	assert_int_equal(flyte_error_grpc_code(err), 14);
	assert_true(flyte_error_retryable(err));
	assert_non_null(strstr(flyte_error_message(err), "down"));
	flyte_error_free(err);
	flyte_client_free(c);
	stub_stop(s);
}

static void test_retry_after_is_honoured(void **state)
{
	(void)state;
	static const stub_step steps[] = {{STUB_RESPOND, 429, "Retry-After: 1\r\n", "{\"code\":8,\"message\":\"slow down\"}", 0},
					  {STUB_RESPOND, 200, NULL, OK_JSON, 0}};
	stub_http *s = stub_start(steps, 2);
	flyte_client *c = client_for(s, NULL);
	char *body = NULL;
	long long t0 = now_ms();
	assert_int_equal(get(c, &body, 1, NULL), 0);
	/* A lower bound only: the wait can never be shorter than Retry-After. */
	assert_true(now_ms() - t0 >= 950);
	assert_int_equal(stub_count(s), 2);
	flyte_string_free(body);
	flyte_client_free(c);
	stub_stop(s);
}

static void test_reset_and_truncated(void **state)
{
	(void)state;
	static const stub_step steps[] = {{STUB_CLOSE, 0, NULL, NULL, 0},
					  {STUB_TRUNCATE, 200, NULL, "{\"partial\":", 0},
					  {STUB_RESPOND, 200, NULL, OK_JSON, 0}};
	stub_http *s = stub_start(steps, 3);
	flyte_client *c = client_for(s, NULL);
	char *body = NULL;
	assert_int_equal(get(c, &body, 1, NULL), 0);
	assert_string_equal(body, OK_JSON);
	assert_int_equal(stub_count(s), 3);
	flyte_string_free(body);
	flyte_client_free(c);
	stub_stop(s);
}

static void test_attempts_and_deadline_bound_retries(void **state)
{
	(void)state;
	static const stub_step steps[] = {{STUB_RESPOND, 502, NULL, "<html>bad gateway</html>", 0}};
	stub_http *s = stub_start(steps, 1);
	flyte_client_options o = FLYTE_CLIENT_OPTIONS_INIT;
	o.max_attempts = 3;
	flyte_client *c = client_for(s, &o);
	char *body = NULL;
	flyte_error *err = NULL;
	assert_int_equal(get(c, &body, 1, &err), FLYTE_EUNAVAILABLE);
	assert_int_equal(stub_count(s), 3);
	/* A non-JSON body (a proxy's page) is quoted, sanitised and short. */
	assert_non_null(strstr(flyte_error_message(err), "bad gateway"));
	flyte_error_free(err);
	err = NULL;
	flyte_client_free(c);

	flyte_client_options d = FLYTE_CLIENT_OPTIONS_INIT;
	d.max_attempts = 100;
	d.retry_initial_ms = 400;
	d.retry_max_ms = 400;
	d.retry_deadline_ms = 1000;
	c = client_for(s, &d);
	assert_int_equal(get(c, &body, 1, &err), FLYTE_EUNAVAILABLE);
	/* waits of at least half the 400 ms backoff fit at most six attempts in 1 s: far below 100 */
	assert_true(stub_count(s) - 3 <= 6);
	assert_non_null(strstr(flyte_error_message(err), "giving up before the retry deadline"));
	flyte_error_free(err);
	flyte_client_free(c);
	stub_stop(s);
}

static void test_timeout(void **state)
{
	(void)state;
	static const stub_step steps[] = {{STUB_RESPOND, 200, NULL, OK_JSON, 1500}};
	stub_http *s = stub_start(steps, 1);
	flyte_client_options o = FLYTE_CLIENT_OPTIONS_INIT;
	o.timeout_ms = 200;
	o.max_attempts = 1;
	flyte_client *c = client_for(s, &o);
	char *body = NULL;
	flyte_error *err = NULL;
	assert_int_equal(get(c, &body, 1, &err), FLYTE_ETIMEOUT);
	assert_true(flyte_error_retryable(err));
	flyte_error_free(err);
	flyte_client_free(c);
	stub_stop(s);
}

static void test_error_mapping(void **state)
{
	(void)state;
	static const stub_step steps[] = {
		{STUB_RESPOND, 404, NULL, "{\"code\":5,\"message\":\"missing entity of type TASK\",\"details\":[]}", 0},
		{STUB_RESPOND, 409, NULL, "{\"code\":6,\"message\":\"task with identical structure already exists\"}", 0},
		{STUB_RESPOND, 400, NULL, "{\"code\":3,\"message\":\"invalid input x\"}", 0},
		{STUB_RESPOND, 403, NULL, "{\"code\":7,\"message\":\"denied\"}", 0},
		{STUB_RESPOND, 500, NULL, "{\"code\":13,\"message\":\"boom\"}", 0},
	};
	static const int want[] = {FLYTE_ENOTFOUND, FLYTE_EEXISTS, FLYTE_EINVALID, FLYTE_EAUTH, FLYTE_ERROR};
	stub_http *s = stub_start(steps, 5);
	flyte_client *c = client_for(s, NULL);
	for (int i = 0; i < 5; i++) {
		char *body = NULL;
		flyte_error *err = NULL;
		assert_int_equal(get(c, &body, 1, &err), want[i]);
		assert_int_equal(flyte_error_code_of(err), want[i]);
		assert_int_equal(flyte_error_http_status(err), steps[i].status);
		assert_false(flyte_error_retryable(err));
		flyte_error_free(err);
	}
	assert_int_equal(stub_count(s), 5); /* none of these is retried */
	flyte_client_free(c);
	stub_stop(s);
}

static void test_static_token(void **state)
{
	(void)state;
	static const stub_step steps[] = {{STUB_RESPOND, 401, NULL, "{\"code\":16,\"message\":\"unauthenticated\"}", 0}};
	stub_http *s = stub_start(steps, 1);
	flyte_client_options o = FLYTE_CLIENT_OPTIONS_INIT;
	o.auth_type = FLYTE_AUTH_TOKEN;
	o.token = "s3cr3t-token";
	flyte_client *c = client_for(s, &o);
	char *body = NULL;
	flyte_error *err = NULL;
	assert_int_equal(get(c, &body, 1, &err), FLYTE_EAUTH);
	assert_string_equal(stub_header(s, 0, "Authorization"), "Bearer s3cr3t-token");
	assert_int_equal(stub_count(s), 1); /* a static token cannot be refreshed */
	assert_null(strstr(flyte_error_message(err), "s3cr3t"));
	flyte_error_free(err);
	flyte_client_free(c);
	stub_stop(s);
}

/* The external command prints a new token each run; a 401 makes the client run it again. */
static void test_external_command_refresh_on_401(void **state)
{
	(void)state;
	char dir[] = "/tmp/flyte-auth-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char script[256], counter[256];
	snprintf(script, sizeof script, "%s/token.sh", dir);
	snprintf(counter, sizeof counter, "%s/n", dir);
	FILE *f = fopen(script, "w");
	fprintf(f, "#!/bin/sh\nn=$(cat %s 2>/dev/null || echo 0)\nn=$((n+1))\necho $n > %s\necho \"tok-$n\"\n",
		counter, counter);
	fclose(f);
	chmod(script, 0700);
	static const stub_step steps[] = {{STUB_RESPOND, 401, NULL, "{\"code\":16,\"message\":\"token expired\"}", 0},
					  {STUB_RESPOND, 200, NULL, OK_JSON, 0}};
	stub_http *s = stub_start(steps, 2);
	flyte_client_options o = FLYTE_CLIENT_OPTIONS_INIT;
	const char *argv[] = {script};
	o.auth_type = FLYTE_AUTH_EXTERNAL_COMMAND;
	o.command = argv;
	o.n_command = 1;
	flyte_client *c = client_for(s, &o);
	char *body = NULL;
	assert_int_equal(get(c, &body, 0, NULL), 0); /* the refresh retry happens even when not idempotent */
	assert_string_equal(stub_header(s, 0, "Authorization"), "Bearer tok-1");
	assert_string_equal(stub_header(s, 1, "Authorization"), "Bearer tok-2");
	flyte_string_free(body);
	flyte_client_free(c);
	stub_stop(s);

	/* A command that fails is an auth error naming the command, not the token. */
	const char *bad[] = {"/bin/false"};
	o.command = bad;
	s = stub_start(steps + 1, 1);
	c = client_for(s, &o);
	flyte_error *err = NULL;
	assert_int_equal(get(c, &body, 1, &err), FLYTE_EAUTH);
	assert_non_null(strstr(flyte_error_message(err), "/bin/false"));
	assert_int_equal(stub_count(s), 0);
	flyte_error_free(err);
	flyte_client_free(c);
	stub_stop(s);
	unlink(script);
	unlink(counter);
	rmdir(dir);
}

static void test_client_credentials(void **state)
{
	(void)state;
	static char discovery[256];
	static stub_step steps[] = {
		{STUB_RESPOND, 200, NULL, discovery, 0},
		{STUB_RESPOND, 200, NULL, "{\"access_token\":\"cc-token-1\",\"token_type\":\"bearer\",\"expires_in\":3600}", 0},
		{STUB_RESPOND, 200, NULL, OK_JSON, 0},
		{STUB_RESPOND, 200, NULL, OK_JSON, 0},
	};
	stub_http *s = stub_start(steps, 4);
	snprintf(discovery, sizeof discovery, "{\"issuer\":\"%s\",\"token_endpoint\":\"%s/oauth2/token\"}", stub_url(s),
		 stub_url(s));
	flyte_client_options o = FLYTE_CLIENT_OPTIONS_INIT;
	const char *scopes[] = {"all"};
	o.auth_type = FLYTE_AUTH_CLIENT_SECRET;
	o.client_id = "flytepropeller";
	o.client_secret = "pa ss";
	o.scopes = scopes;
	o.n_scopes = 1;
	flyte_client *c = client_for(s, &o);
	char *body = NULL;
	assert_int_equal(get(c, &body, 1, NULL), 0);
	flyte_string_free(body);
	assert_int_equal(get(c, &body, 1, NULL), 0); /* the token is cached: no second token request */
	flyte_string_free(body);
	assert_int_equal(stub_count(s), 4);
	assert_string_equal(stub_request_at(s, 0)->path, "/.well-known/oauth-authorization-server");
	assert_null(stub_header(s, 0, "Authorization"));
	assert_string_equal(stub_request_at(s, 1)->path, "/oauth2/token");
	assert_string_equal(stub_header(s, 1, "Content-Type"), "application/x-www-form-urlencoded");
	/* base64("flytepropeller:pa%20ss") */
	assert_string_equal(stub_header(s, 1, "Authorization"), "Basic Zmx5dGVwcm9wZWxsZXI6cGElMjBzcw==");
	assert_string_equal(stub_request_at(s, 1)->body, "grant_type=client_credentials&scope=all");
	assert_string_equal(stub_header(s, 2, "Authorization"), "Bearer cc-token-1");
	assert_string_equal(stub_header(s, 3, "Authorization"), "Bearer cc-token-1");
	flyte_client_free(c);
	stub_stop(s);
}

/* A 200 whose body is not JSON is the server's fault, said plainly, never a crash. */
static void test_malformed_json_response(void **state)
{
	(void)state;
	static const stub_step steps[] = {{STUB_RESPOND, 200, NULL, "{\"id\": {\"project\": tru", 0}};
	stub_http *s = stub_start(steps, 1);
	flyte_client *c = client_for(s, NULL);
	flyte_entity *e = NULL;
	flyte_error *err = NULL;
	flyte_identifier id = flyte_reference_task("p", "d", "t", "v1");
	assert_int_equal(flyte_fetch(c, &e, &id, &err), FLYTE_ERROR);
	assert_null(e);
	assert_non_null(strstr(flyte_error_message(err), "malformed JSON"));
	flyte_error_free(err);
	err = NULL;
	flyte_execution *x = NULL;
	assert_int_equal(flyte_execution_get(c, &x, "p", "d", "x1", &err), FLYTE_ERROR);
	assert_null(x);
	assert_non_null(strstr(flyte_error_message(err), "malformed JSON"));
	flyte_error_free(err);
	flyte_client_free(c);
	stub_stop(s);
}

static void test_bad_options(void **state)
{
	(void)state;
	flyte_client *c;
	flyte_error *err = NULL;
	flyte_client_options o = FLYTE_CLIENT_OPTIONS_INIT;
	assert_int_equal(flyte_client_new(&c, &o, &err), FLYTE_EINVALID);
	assert_non_null(strstr(flyte_error_message(err), "endpoint"));
	flyte_error_free(err);
	err = NULL;
	o.endpoint = "ftp://x";
	assert_int_equal(flyte_client_new(&c, &o, &err), FLYTE_EINVALID);
	flyte_error_free(err);
	err = NULL;
	o.endpoint = "dns:///flyte.example.com:443";
	o.auth_type = FLYTE_AUTH_CLIENT_SECRET;
	assert_int_equal(flyte_client_new(&c, &o, &err), FLYTE_EINVALID);
	assert_non_null(strstr(flyte_error_message(err), "client_id"));
	flyte_error_free(err);
	o.auth_type = FLYTE_AUTH_NONE;
	assert_int_equal(flyte_client_new(&c, &o, NULL), 0);
	assert_string_equal(flyte_client_endpoint(c), "https://flyte.example.com:443");
	assert_string_equal(flyte_client_project(c), "flytesnacks");
	flyte_client_free(c);
	o.endpoint = "localhost:30080/";
	o.insecure = 1;
	assert_int_equal(flyte_client_new(&c, &o, NULL), 0);
	assert_string_equal(flyte_client_endpoint(c), "http://localhost:30080");
	flyte_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_503_then_success),
		cmocka_unit_test(test_no_retry_when_not_idempotent),
		cmocka_unit_test(test_retry_after_is_honoured),
		cmocka_unit_test(test_reset_and_truncated),
		cmocka_unit_test(test_attempts_and_deadline_bound_retries),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_error_mapping),
		cmocka_unit_test(test_static_token),
		cmocka_unit_test(test_external_command_refresh_on_401),
		cmocka_unit_test(test_client_credentials),
		cmocka_unit_test(test_malformed_json_response),
		cmocka_unit_test(test_bad_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
