/* Configuration: flytectl's YAML keys, FLYTE_* variables over the file, secret sources,
   masked description, errors naming file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <flyte/flyte.h>

#include "stub_http.h"
#include "testutil.h"

static char g_dir[64];

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", g_dir, name);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static const char *const ENV[] = {
	"FLYTECTL_CONFIG", "FLYTE_PLATFORM_URL", "FLYTE_PLATFORM_INSECURE", "FLYTE_CREDENTIALS_CLIENT_ID",
	"FLYTE_CREDENTIALS_CLIENT_SECRET", "FLYTE_CREDENTIALS_AUTH_MODE", "FLYTE_CREDENTIALS_SCOPES",
	"FLYTE_CREDENTIALS_COMMAND", "MY_SECRET", "FLYTE_LOCAL_PROJECT",
};

static int setup(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof g_dir, "/tmp/flyte-config-XXXXXX");
	assert_non_null(mkdtemp(g_dir));
	for (size_t i = 0; i < sizeof ENV / sizeof *ENV; i++)
		unsetenv(ENV[i]);
	setenv("HOME", g_dir, 1); /* no ~/.flyte/config.yaml there */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
	return system(cmd);
}

static void test_yaml_keys(void **state)
{
	(void)state;
	write_file("secret", "file-secret\n");
	char yaml[1024];
	snprintf(yaml, sizeof yaml,
		 "admin:\n"
		 "  endpoint: dns:///flyte.example.com:443\n"
		 "  insecure: false\n"
		 "  authType: ClientSecret\n"
		 "  clientId: my-app\n"
		 "  clientSecretLocation: %s/secret\n"
		 "  scopes:\n    - all\n    - offline\n"
		 "  caCertFilePath: /etc/ssl/ca.pem\n"
		 "console:\n  endpoint: https://console.example.com\n"
		 "task:\n  project: proj\n  domain: staging\n",
		 g_dir);
	const char *path = write_file("config.yaml", yaml);
	flyte_config *cfg;
	flyte_error *err = NULL;
	if (flyte_config_load(&cfg, path, &err))
		fail_msg("%s", flyte_error_message(err));
	assert_string_equal(flyte_config_path(cfg), path);
	flyte_client_options o = FLYTE_CLIENT_OPTIONS_INIT;
	assert_int_equal(flyte_config_apply(cfg, &o), 0);
	assert_string_equal(o.endpoint, "dns:///flyte.example.com:443");
	assert_int_equal(o.insecure, 0);
	assert_int_equal(o.auth_type, FLYTE_AUTH_CLIENT_SECRET);
	assert_string_equal(o.client_id, "my-app");
	assert_string_equal(o.client_secret, "file-secret");
	assert_int_equal(o.n_scopes, 2);
	assert_string_equal(o.scopes[1], "offline");
	assert_string_equal(o.ca_cert_path, "/etc/ssl/ca.pem");
	assert_string_equal(o.console_endpoint, "https://console.example.com");
	assert_string_equal(o.project, "proj");
	assert_string_equal(o.domain, "staging");

	char *text;
	assert_int_equal(flyte_config_describe(&text, cfg), 0);
	assert_null(strstr(text, "file-secret"));
	assert_non_null(strstr(text, "client secret: ****"));
	assert_non_null(strstr(text, "admin.endpoint: dns:///flyte.example.com:443  # "));
	flyte_string_free(text);
	flyte_config_free(cfg);

	/* The variable named by clientSecretEnvVar wins over the file. */
	snprintf(yaml, sizeof yaml, "admin:\n  clientId: a\n  clientSecretEnvVar: MY_SECRET\n  clientSecretLocation: %s/secret\n",
		 g_dir);
	path = write_file("config2.yaml", yaml);
	setenv("MY_SECRET", "env-secret", 1);
	assert_int_equal(flyte_config_load(&cfg, path, NULL), 0);
	flyte_client_options o2 = FLYTE_CLIENT_OPTIONS_INIT;
	flyte_config_apply(cfg, &o2);
	assert_string_equal(o2.client_secret, "env-secret");
	assert_int_equal(o2.auth_type, FLYTE_AUTH_CLIENT_SECRET); /* implied by id + secret */
	flyte_config_free(cfg);
	unsetenv("MY_SECRET");
}

static void test_env_over_file(void **state)
{
	(void)state;
	const char *path = write_file("c.yaml", "admin:\n  endpoint: localhost:30080\n  insecure: true\n"
						"  command: [\"print-token\", \"--quiet\"]\n");
	setenv("FLYTECTL_CONFIG", path, 1);
	setenv("FLYTE_PLATFORM_URL", "http://127.0.0.1:9999", 1);
	setenv("FLYTE_PLATFORM_INSECURE", "off", 1);
	setenv("FLYTE_LOCAL_PROJECT", "envproj", 1);
	flyte_config *cfg;
	assert_int_equal(flyte_config_load(&cfg, NULL, NULL), 0);
	flyte_client_options o = FLYTE_CLIENT_OPTIONS_INIT;
	flyte_config_apply(cfg, &o);
	assert_string_equal(o.endpoint, "http://127.0.0.1:9999");
	assert_int_equal(o.insecure, 0);
	assert_string_equal(o.project, "envproj");
	assert_int_equal(o.auth_type, FLYTE_AUTH_EXTERNAL_COMMAND);
	assert_int_equal(o.n_command, 2);
	assert_string_equal(o.command[1], "--quiet");
	char *text;
	assert_int_equal(flyte_config_describe(&text, cfg), 0);
	assert_non_null(strstr(text, "# env FLYTE_PLATFORM_URL"));
	flyte_string_free(text);
	flyte_config_free(cfg);

	/* Lists from the environment are comma-separated. */
	setenv("FLYTE_CREDENTIALS_COMMAND", "gettoken, --fast", 1);
	assert_int_equal(flyte_config_load(&cfg, NULL, NULL), 0);
	flyte_client_options o2 = FLYTE_CLIENT_OPTIONS_INIT;
	flyte_config_apply(cfg, &o2);
	assert_int_equal(o2.n_command, 2);
	assert_string_equal(o2.command[0], "gettoken");
	assert_string_equal(o2.command[1], "--fast");
	flyte_config_free(cfg);
	for (size_t i = 0; i < sizeof ENV / sizeof *ENV; i++)
		unsetenv(ENV[i]);
}

static void test_errors(void **state)
{
	(void)state;
	flyte_config *cfg;
	flyte_error *err = NULL;
	/* No file at all: defaults, not an error. */
	assert_int_equal(flyte_config_load(&cfg, NULL, &err), 0);
	assert_null(flyte_config_path(cfg));
	flyte_config_free(cfg);
	/* An explicit path that does not exist is. */
	assert_int_equal(flyte_config_load(&cfg, "/nonexistent/config.yaml", &err), FLYTE_EIO);
	assert_non_null(strstr(flyte_error_message(err), "/nonexistent/config.yaml"));
	flyte_error_free(err);
	err = NULL;
	const char *path = write_file("bad.yaml", "admin:\n  endpoint: [a\n");
	assert_int_equal(flyte_config_load(&cfg, path, &err), FLYTE_EINVALID);
	assert_non_null(strstr(flyte_error_message(err), "bad.yaml:"));
	flyte_error_free(err);
	err = NULL;
	path = write_file("list.yaml", "admin:\n  endpoint:\n    - a\n");
	assert_int_equal(flyte_config_load(&cfg, path, &err), FLYTE_EINVALID);
	assert_non_null(strstr(flyte_error_message(err), "list.yaml:3: admin.endpoint must be a single value"));
	flyte_error_free(err);
	err = NULL;
	path = write_file("kerberos.yaml", "admin:\n  authType: Kerberos\n");
	assert_int_equal(flyte_config_load(&cfg, path, &err), FLYTE_EINVALID);
	assert_non_null(strstr(flyte_error_message(err), "kerberos.yaml:2: unknown authType Kerberos"));
	flyte_error_free(err);
	err = NULL;
	path = write_file("missing-secret.yaml", "admin:\n  clientId: x\n  clientSecretLocation: /nonexistent/s\n");
	assert_int_equal(flyte_config_load(&cfg, path, &err), FLYTE_EIO);
	assert_non_null(strstr(flyte_error_message(err), "/nonexistent/s"));
	flyte_error_free(err);
}

/* flytectl's sample configs say authType Pkce: a browser login this client cannot do. It
   matters only to a server that wants credentials, and then the error says what to set. */
static void test_unsupported_auth_type(void **state)
{
	(void)state;
	static const char *const types[] = {"Pkce", "DeviceFlow", "standard"};
	for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
		char yaml[256];
		snprintf(yaml, sizeof yaml, "admin:\n  endpoint: dns:///flyte.example.com:443\n  authType: %s\n",
			 types[i]);
		const char *path = write_file("person.yaml", yaml);
		flyte_config *cfg;
		flyte_error *err = NULL;
		if (flyte_config_load(&cfg, path, &err))
			fail_msg("%s: %s", types[i], flyte_error_message(err));
		const char *problem = flyte_config_auth_problem(cfg);
		char where[300];
		snprintf(where, sizeof where, "admin.authType %s (%s:3) needs a", types[i], path);
		assert_non_null(problem);
		assert_non_null(strstr(problem, where));
		assert_non_null(strstr(problem, "ClientSecret (admin.clientId, admin.clientSecretLocation)"));
		assert_non_null(strstr(problem, "ExternalCommand (admin.command"));
		flyte_client_options o = FLYTE_CLIENT_OPTIONS_INIT;
		flyte_config_apply(cfg, &o);
		assert_int_equal(o.auth_type, FLYTE_AUTH_NONE);
		char *text;
		assert_int_equal(flyte_config_describe(&text, cfg), 0);
		assert_non_null(strstr(text, where));
		flyte_string_free(text);
		flyte_config_free(cfg);
	}
	setenv("FLYTE_CREDENTIALS_AUTH_MODE", "DeviceFlow", 1);
	flyte_config *cfg;
	assert_int_equal(flyte_config_load(&cfg, NULL, NULL), 0);
	assert_non_null(strstr(flyte_config_auth_problem(cfg),
			       "admin.authType DeviceFlow (env FLYTE_CREDENTIALS_AUTH_MODE) needs a person"));
	flyte_config_free(cfg);
	unsetenv("FLYTE_CREDENTIALS_AUTH_MODE");
	assert_int_equal(flyte_config_load(&cfg, write_file("ok.yaml", "admin:\n  authType: basic\n"), NULL), 0);
	assert_null(flyte_config_auth_problem(cfg));
	flyte_config_free(cfg);
}

/* The whole path through flyte_client_from_config against the real dev server. */
static void client_with_pkce(flyte_client **out, const char *url)
{
	char yaml[256];
	snprintf(yaml, sizeof yaml, "admin:\n  endpoint: %s\n  authType: Pkce\n", url);
	flyte_error *err = NULL;
	if (flyte_client_from_config(out, write_file("pkce.yaml", yaml), &err))
		fail_msg("%s", flyte_error_message(err));
}

static void test_unsupported_auth_type_fails_only_on_401(void **state)
{
	(void)state;
	tu_devserver *open_server = tu_devserver_start(NULL);
	assert_non_null(open_server);
	flyte_client *c;
	client_with_pkce(&c, tu_devserver_url(open_server));
	char *body;
	flyte_error *err = NULL;
	if (flyte_client_request(c, &body, "GET", "/api/v1/version", NULL, 1, &err))
		fail_msg("%s", flyte_error_message(err));
	flyte_string_free(body);
	flyte_client_free(c);
	assert_int_equal(tu_devserver_stop(open_server), 0);

	const char *const args[] = {"--auth-token", "t0ken", NULL};
	tu_devserver *closed = tu_devserver_start(args);
	assert_non_null(closed);
	client_with_pkce(&c, tu_devserver_url(closed));
	assert_int_equal(flyte_client_request(c, &body, "GET", "/api/v1/projects", NULL, 1, &err), FLYTE_EAUTH);
	const char *msg = flyte_error_message(err);
	if (!strstr(msg, "HTTP 401") || !strstr(msg, "admin.authType Pkce (") || !strstr(msg, "needs a browser") ||
	    !strstr(msg, "FLYTE_CREDENTIALS_COMMAND"))
		fail_msg("%s", msg);
	flyte_error_free(err);
	flyte_client_free(c);
	assert_int_equal(tu_devserver_stop(closed), 0);
}

/* Over TLS, a gRPC port answers an HTTP/2 request with Content-Type application/grpc (grpc-go:
   415, "invalid gRPC request content-type"); the HTTP/1.1 case is tested against the real
   FlyteAdmin's gRPC port in tests/flyteadmin. */
static void test_a_grpc_reply_names_the_port(void **state)
{
	(void)state;
	stub_step steps[] = {{STUB_RESPOND, 415, "Content-Type: application/grpc\r\ngrpc-status: 3\r\n", "", 0}};
	stub_http *s = stub_start(steps, 1);
	flyte_client_options o = FLYTE_CLIENT_OPTIONS_INIT;
	o.endpoint = stub_url(s);
	flyte_client *c;
	assert_int_equal(flyte_client_new(&c, &o, NULL), 0);
	char *body;
	flyte_error *err = NULL;
	assert_int_equal(flyte_client_request(c, &body, "GET", "/api/v1/projects", NULL, 1, &err), FLYTE_EINVALID);
	const char *msg = flyte_error_message(err);
	if (!strstr(msg, "FlyteAdmin's gRPC port") || !strstr(msg, "grpc-gateway") || !strstr(msg, "8088"))
		fail_msg("%s", msg);
	assert_int_equal(stub_count(s), 1); /* not retried: the setting is wrong */
	flyte_error_free(err);
	flyte_client_free(c);
	stub_stop(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_yaml_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_over_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_auth_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_auth_type_fails_only_on_401, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_grpc_reply_names_the_port, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
