/* The FlyteRemote operations end to end against a real flyte-devserver on loopback:
   registration, execution with a hashed type hint, cache hit with the predicted key equal
   to the server's, overwrite_cache, reference launch plans with defaults, fixed inputs,
   blob formats with uploads, exactly-once creates through a lost reply, and the poller. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <flyte/flyte.h>

#include "stub_http.h"
#include "testutil.h"

#define P "flytesnacks"
#define D "development"

typedef struct {
	tu_devserver *server;
	flyte_client *client;
} fixture;

#define CHECK(call)                                                                      \
	do {                                                                             \
		flyte_error *err_ = NULL;                                                \
		int rc_ = (call);                                                        \
		(void)err_;                                                              \
		if (rc_)                                                                 \
			fail_msg("%s: %s", #call, flyte_error_code_name(rc_));           \
	} while (0)

/* Calls with an error out-parameter named err report it (the macro's own err shadows
   a test's err on purpose). */
#pragma GCC diagnostic ignored "-Wshadow"
#define OK(call)                                                                          \
	do {                                                                              \
		flyte_error *err = NULL;                                                  \
		int rc_ = (call);                                                         \
		if (rc_)                                                                  \
			fail_msg("%s: %s: %s", #call, flyte_error_code_name(rc_),         \
				 flyte_error_message(err));                               \
	} while (0)

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	f->server = tu_devserver_start(NULL);
	if (!f->server)
		fail_msg("flyte-devserver did not start");
	flyte_client_options o = FLYTE_CLIENT_OPTIONS_INIT;
	o.endpoint = tu_devserver_url(f->server);
	OK(flyte_client_new(&f->client, &o, &err));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	flyte_client_free(f->client);
	assert_int_equal(tu_devserver_stop(f->server), 0);
	free(f);
	return 0;
}

static flyte_literal_type *simple(flyte_simple_type s)
{
	flyte_literal_type *t;
	CHECK(flyte_literal_type_new_simple(&t, s));
	return t;
}

static flyte_typed_interface *iface2(const char *in1, const flyte_literal_type *t1, const char *in2,
				     const flyte_literal_type *t2, const char *out, const flyte_literal_type *to)
{
	flyte_variable_map *in, *o;
	flyte_typed_interface *i;
	CHECK(flyte_variable_map_new(&in));
	CHECK(flyte_variable_map_new(&o));
	if (in1)
		CHECK(flyte_variable_map_add(in, in1, t1, NULL));
	if (in2)
		CHECK(flyte_variable_map_add(in, in2, t2, NULL));
	if (out)
		CHECK(flyte_variable_map_add(o, out, to, NULL));
	CHECK(flyte_typed_interface_new(&i, in, o));
	flyte_variable_map_free(in);
	flyte_variable_map_free(o);
	return i;
}

/* Registers add(a, b) -> sum as a cacheable raw-container task, a workflow calling it and
   the workflow's default launch plan with b defaulting to 10. */
static void register_add(flyte_client *c, const char *name, const char *version)
{
	flyte_literal_type *i = simple(FLYTE_SIMPLE_INTEGER);
	flyte_typed_interface *itf = iface2("a", i, "b", i, "sum", i);
	flyte_identifier tid = {FLYTE_RESOURCE_TASK, P, D, name, version, NULL};
	const char *cmd[] = {"sh", "-c"};
	const char *args[] = {"echo $(( {{.inputs.a}} + {{.inputs.b}} )) > {{.outputPrefix}}/sum"};
	flyte_task *task;
	OK(flyte_task_new_raw_container(&task, &tid, "alpine:3", cmd, 2, args, 1, itf, &err));
	flyte_cache_options cache = FLYTE_CACHE_OPTIONS_INIT;
	cache.enabled = 1;
	cache.cache_version = "1.0";
	OK(flyte_task_set_cache(task, &cache, &err));
	OK(flyte_register_task(c, task, &err));
	OK(flyte_register_task(c, task, &err)); /* identical: success */

	char wf_name[128];
	snprintf(wf_name, sizeof wf_name, "%s.wf", name);
	flyte_identifier wid = {FLYTE_RESOURCE_WORKFLOW, P, D, wf_name, version, NULL};
	flyte_workflow *wf;
	OK(flyte_workflow_new(&wf, &wid, itf, &err));
	flyte_binding b[] = {{"a", NULL, "a", NULL}, {"b", NULL, "b", NULL}};
	OK(flyte_workflow_add_task_node(wf, "n0", task, b, 2, &err));
	flyte_binding out = {"sum", "n0", "sum", NULL};
	OK(flyte_workflow_bind_output(wf, &out, &err));
	OK(flyte_register_workflow(c, wf, &err));
	OK(flyte_register_workflow(c, wf, &err));

	flyte_launch_plan *lp;
	flyte_literal *ten;
	CHECK(flyte_literal_new_integer(&ten, 10));
	OK(flyte_launch_plan_new(&lp, &wid, wf, &err));
	OK(flyte_launch_plan_set_default(lp, "b", ten, &err));
	OK(flyte_register_launch_plan(c, lp, &err));
	OK(flyte_register_launch_plan(c, lp, &err));
	flyte_literal_free(ten);
	flyte_launch_plan_free(lp);
	flyte_workflow_free(wf);
	flyte_task_free(task);
	flyte_typed_interface_free(itf);
	flyte_literal_type_free(i);
}

static flyte_literal_map *ints(const char *k1, int64_t v1, const char *k2, int64_t v2)
{
	flyte_literal_map *m;
	flyte_literal *l;
	CHECK(flyte_literal_map_new(&m));
	if (k1) {
		CHECK(flyte_literal_new_integer(&l, v1));
		CHECK(flyte_literal_map_set_new(m, k1, l));
	}
	if (k2) {
		CHECK(flyte_literal_new_integer(&l, v2));
		CHECK(flyte_literal_map_set_new(m, k2, l));
	}
	return m;
}

static int64_t output_int(const flyte_execution *x, const char *name)
{
	int64_t v = -1;
	const flyte_literal_map *o = flyte_execution_outputs(x);
	assert_non_null(o);
	assert_int_equal(flyte_literal_get_integer(flyte_literal_map_get(o, name), &v), 0);
	return v;
}

static flyte_cache_status node_cache(const flyte_execution *x, const char *node)
{
	for (size_t i = 0; i < flyte_execution_node_count(x); i++)
		if (strcmp(flyte_execution_node_at(x, i)->node_id, node) == 0)
			return flyte_execution_node_at(x, i)->cache_status;
	fail_msg("no node %s", node);
	return FLYTE_CACHE_DISABLED;
}

/* Keys "a" by a hash that ignores its value: the type hint decides the cache key. */
static int same_hash(flyte_out_string *out, const flyte_literal *lit, void *payload)
{
	(void)lit;
	(void)payload;
	return flyte_out_string_set(out, "always-the-same", 15);
}

static flyte_execution *run(flyte_client *c, const flyte_identifier *id, const flyte_literal_map *in,
			    const flyte_type_hints *hints, const flyte_execute_options *o)
{
	flyte_execution *x = NULL;
	OK(flyte_execute(c, &x, id, in, hints, o, &err));
	OK(flyte_execution_wait(c, x, 60000, 200, &err));
	if (flyte_execution_phase_of(x) != FLYTE_PHASE_SUCCEEDED)
		fail_msg("execution %s ended %s: %s", flyte_execution_name(x),
			 flyte_phase_name(flyte_execution_phase_of(x)), flyte_execution_error_message(x) ?: "");
	return x;
}

static void test_execute_cache_and_hints(void **state)
{
	fixture *f = *state;
	flyte_client *c = f->client;
	register_add(c, "add", "v1");
	flyte_identifier lp = flyte_reference_launch_plan(P, D, "add.wf", NULL); /* latest */

	flyte_type_hints *hints;
	CHECK(flyte_type_hints_new(&hints));
	CHECK(flyte_type_hints_add(hints, "a", NULL, same_hash, NULL));

	/* a=5 with b from the launch plan's default: 15, cache populated, key predicted. */
	flyte_literal_map *in = ints("a", 5, NULL, 0);
	flyte_execute_options o = FLYTE_EXECUTE_OPTIONS_INIT;
	const char *tags[] = {"nightly"};
	o.tags = tags;
	o.n_tags = 1;
	flyte_execution *x1 = run(c, &lp, in, hints, &o);
	assert_int_equal(output_int(x1, "sum"), 15);
	assert_int_equal(node_cache(x1, "n0"), FLYTE_CACHE_POPULATED);
	assert_int_equal(flyte_execution_prediction_count(x1), 1);
	const flyte_cache_prediction *p1 = flyte_execution_prediction_at(x1, 0);
	assert_string_equal(p1->node_id, "n0");
	assert_string_equal(p1->dataset.name, "flyte_task-add");
	assert_int_equal(p1->matches, 1);
	assert_string_equal(flyte_literal_hash(flyte_literal_map_get(flyte_execution_inputs(x1), "a")),
			    "always-the-same");

	/* a=6 hashes the same: a cache hit with the first run's output, same key. */
	flyte_literal_map *in2 = ints("a", 6, NULL, 0);
	flyte_execution *x2 = run(c, &lp, in2, hints, NULL);
	assert_int_equal(node_cache(x2, "n0"), FLYTE_CACHE_HIT);
	assert_int_equal(output_int(x2, "sum"), 15);
	const flyte_cache_prediction *p2 = flyte_execution_prediction_at(x2, 0);
	assert_int_equal(p2->matches, 1);
	assert_string_equal(p2->artifact_tag, p1->artifact_tag);
	assert_string_equal(p2->server_artifact_tag, p1->artifact_tag);

	/* overwrite_cache: no lookup, the task runs (6 + 10), the entry is replaced. */
	o.overwrite_cache = 1;
	flyte_execution *x3 = run(c, &lp, in2, hints, &o);
	assert_int_equal(node_cache(x3, "n0"), FLYTE_CACHE_SKIPPED);
	assert_int_equal(output_int(x3, "sum"), 16);

	/* Without the hint a=6 is its own key: a miss. */
	flyte_execution *x4 = run(c, &lp, in2, NULL, NULL);
	assert_int_equal(node_cache(x4, "n0"), FLYTE_CACHE_POPULATED);
	assert_string_not_equal(flyte_execution_prediction_at(x4, 0)->artifact_tag, p1->artifact_tag);

	/* The caller's value wins over the launch plan's default. */
	flyte_literal_map *in3 = ints("a", 1, "b", 2);
	flyte_execution *x5 = run(c, &lp, in3, NULL, NULL);
	assert_int_equal(output_int(x5, "sum"), 3);

	char *url;
	CHECK(flyte_execution_console_url(&url, c, x5));
	assert_non_null(strstr(url, "/console/projects/flytesnacks/domains/development/executions/"));
	flyte_string_free(url);

	flyte_execution *again;
	OK(flyte_execution_get(c, &again, P, D, flyte_execution_name(x5), &err));
	assert_int_equal(flyte_execution_phase_of(again), FLYTE_PHASE_SUCCEEDED);
	assert_int_equal(output_int(again, "sum"), 3);

	flyte_execution *xs[] = {x1, x2, x3, x4, x5, again};
	for (size_t i = 0; i < sizeof xs / sizeof *xs; i++)
		flyte_execution_free(xs[i]);
	flyte_literal_map_free(in);
	flyte_literal_map_free(in2);
	flyte_literal_map_free(in3);
	flyte_type_hints_free(hints);
}

static void test_errors_before_sending(void **state)
{
	fixture *f = *state;
	flyte_client *c = f->client;
	register_add(c, "add2", "v1");
	flyte_identifier lp = flyte_reference_launch_plan(P, D, "add2.wf", "v1");
	flyte_execution *x = NULL;
	flyte_error *err = NULL;

	/* Wrong type, unknown input, missing required input: named, nothing sent. */
	flyte_literal_map *in;
	flyte_literal *s;
	CHECK(flyte_literal_map_new(&in));
	CHECK(flyte_literal_new_string(&s, "five"));
	CHECK(flyte_literal_map_set_new(in, "a", s));
	assert_int_equal(flyte_execute(c, &x, &lp, in, NULL, NULL, &err), FLYTE_ETYPE);
	assert_non_null(strstr(flyte_error_message(err), "input \"a\": expected integer, got string"));
	flyte_error_free(err);
	err = NULL;
	flyte_literal_map_free(in);
	in = ints("a", 1, "zzz", 2);
	assert_int_equal(flyte_execute(c, &x, &lp, in, NULL, NULL, &err), FLYTE_EINVALID);
	assert_non_null(strstr(flyte_error_message(err), "zzz"));
	flyte_error_free(err);
	err = NULL;
	flyte_literal_map_free(in);
	in = ints("b", 1, NULL, 0);
	assert_int_equal(flyte_execute(c, &x, &lp, in, NULL, NULL, &err), FLYTE_EINVALID);
	assert_non_null(strstr(flyte_error_message(err), "missing required input \"a\""));
	flyte_error_free(err);
	err = NULL;
	flyte_literal_map_free(in);

	/* A launch plan that fixes b: overriding it is refused, naming it. */
	flyte_literal_type *i = simple(FLYTE_SIMPLE_INTEGER);
	flyte_typed_interface *itf = iface2("a", i, "b", i, "sum", i);
	flyte_identifier wid = {FLYTE_RESOURCE_WORKFLOW, P, D, "add2.wf", "v1", NULL};
	flyte_identifier fixed_id = {FLYTE_RESOURCE_LAUNCH_PLAN, P, D, "add2.fixed", "v1", NULL};
	flyte_workflow *wf;
	OK(flyte_workflow_new(&wf, &wid, itf, &err));
	flyte_launch_plan *flp;
	flyte_literal *one;
	CHECK(flyte_literal_new_integer(&one, 1));
	OK(flyte_launch_plan_new(&flp, &fixed_id, wf, &err));
	OK(flyte_launch_plan_set_fixed(flp, "b", one, &err));
	OK(flyte_register_launch_plan(c, flp, &err));
	in = ints("a", 1, "b", 2);
	assert_int_equal(flyte_execute(c, &x, &fixed_id, in, NULL, NULL, &err), FLYTE_EINVALID);
	assert_non_null(strstr(flyte_error_message(err), "input \"b\" is fixed"));
	flyte_error_free(err);
	err = NULL;
	flyte_literal_map_free(in);
	in = ints("a", 41, NULL, 0);
	flyte_execution *ok = run(c, &fixed_id, in, NULL, NULL);
	assert_int_equal(output_int(ok, "sum"), 42);
	flyte_execution_free(ok);
	flyte_literal_map_free(in);

	/* Registering something else under an existing version is a conflict. */
	flyte_identifier tid = {FLYTE_RESOURCE_TASK, P, D, "add2", "v1", NULL};
	const char *cmd[] = {"true"};
	flyte_task *other;
	OK(flyte_task_new_raw_container(&other, &tid, "alpine:3", cmd, 1, NULL, 0, itf, &err));
	assert_int_equal(flyte_register_task(c, other, &err), FLYTE_EEXISTS);
	assert_non_null(strstr(flyte_error_message(err), "different structure"));
	flyte_error_free(err);
	err = NULL;

	/* Unknown entities. */
	flyte_identifier missing = flyte_reference_launch_plan(P, D, "no.such.plan", NULL);
	assert_int_equal(flyte_execute(c, &x, &missing, NULL, NULL, NULL, &err), FLYTE_ENOTFOUND);
	flyte_error_free(err);

	flyte_task_free(other);
	flyte_literal_free(one);
	flyte_launch_plan_free(flp);
	flyte_workflow_free(wf);
	flyte_typed_interface_free(itf);
	flyte_literal_type_free(i);
}

/* A blob input declared without a format flows into a csv input; the file is uploaded
   through the data proxy and keyed by its bytes. */
static void test_blob_upload_and_formats(void **state)
{
	fixture *f = *state;
	flyte_client *c = f->client;
	flyte_literal_type *any_blob, *csv, *i;
	CHECK(flyte_literal_type_new_blob(&any_blob, NULL, FLYTE_BLOB_SINGLE));
	CHECK(flyte_literal_type_new_blob(&csv, "csv", FLYTE_BLOB_SINGLE));
	i = simple(FLYTE_SIMPLE_INTEGER);
	flyte_typed_interface *task_if = iface2("data", csv, NULL, NULL, "lines", i);
	flyte_typed_interface *wf_if = iface2("data", any_blob, NULL, NULL, "lines", i);
	flyte_identifier tid = {FLYTE_RESOURCE_TASK, P, D, "count_lines", "v1", NULL};
	const char *cmd[] = {"sh", "-c"};
	const char *args[] = {"wc -l < {{.inputs.data}} | tr -d ' ' > {{.outputPrefix}}/lines"};
	flyte_task *task;
	OK(flyte_task_new_raw_container(&task, &tid, "alpine:3", cmd, 2, args, 1, task_if, &err));
	flyte_cache_options cache = FLYTE_CACHE_OPTIONS_INIT;
	cache.enabled = 1;
	cache.cache_version = "1";
	OK(flyte_task_set_cache(task, &cache, &err));
	OK(flyte_register_task(c, task, &err));
	flyte_identifier wid = {FLYTE_RESOURCE_WORKFLOW, P, D, "count_lines.wf", "v1", NULL};
	flyte_workflow *wf;
	OK(flyte_workflow_new(&wf, &wid, wf_if, &err));
	flyte_binding b = {"data", NULL, "data", NULL};
	OK(flyte_workflow_add_task_node(wf, "n0", task, &b, 1, &err));
	flyte_binding ob = {"lines", "n0", "lines", NULL};
	OK(flyte_workflow_bind_output(wf, &ob, &err));
	OK(flyte_register_workflow(c, wf, &err));
	flyte_launch_plan *lp;
	OK(flyte_launch_plan_new(&lp, &wid, wf, &err));
	OK(flyte_register_launch_plan(c, lp, &err));

	char dir[] = "/tmp/flyte-blob-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char p1[128], p2[128];
	snprintf(p1, sizeof p1, "%s/a.csv", dir);
	snprintf(p2, sizeof p2, "%s/copy-of-a.csv", dir);
	FILE *fa = fopen(p1, "w"), *fb = fopen(p2, "w");
	fputs("x\n1\n2\n", fa);
	fputs("x\n1\n2\n", fb);
	fclose(fa);
	fclose(fb);

	flyte_type_hints *hints;
	CHECK(flyte_type_hints_new(&hints));
	CHECK(flyte_type_hints_add(hints, "data", NULL, flyte_hasher_sha256_file, NULL));
	const char *paths[] = {p1, p2};
	flyte_cache_status want[] = {FLYTE_CACHE_POPULATED, FLYTE_CACHE_HIT};
	for (int k = 0; k < 2; k++) {
		flyte_literal_map *in;
		flyte_literal *blob;
		CHECK(flyte_literal_map_new(&in));
		CHECK(flyte_literal_new_blob(&blob, paths[k], NULL, FLYTE_BLOB_SINGLE));
		CHECK(flyte_literal_map_set_new(in, "data", blob));
		flyte_identifier id = flyte_reference_workflow(P, D, "count_lines.wf", "v1");
		flyte_execution *x = run(c, &id, in, hints, NULL);
		assert_int_equal(output_int(x, "lines"), 3);
		assert_int_equal(node_cache(x, "n0"), want[k]);
		const char *uri;
		flyte_literal_get_blob(flyte_literal_map_get(flyte_execution_inputs(x), "data"), &uri, NULL, NULL);
		assert_null(strstr(uri, dir)); /* the uploaded copy, not the local path */
		flyte_execution_free(x);
		flyte_literal_map_free(in);
	}
	unlink(p1);
	unlink(p2);
	rmdir(dir);
	flyte_type_hints_free(hints);
	flyte_launch_plan_free(lp);
	flyte_workflow_free(wf);
	flyte_task_free(task);
	flyte_typed_interface_free(task_if);
	flyte_typed_interface_free(wf_if);
	flyte_literal_type_free(any_blob);
	flyte_literal_type_free(csv);
	flyte_literal_type_free(i);
}

/* The reply to the first create is lost after the server made the execution: the retry
   finds it and reports success, and there is exactly one execution. */
static void test_exactly_once_through_lost_reply(void **state)
{
	fixture *f = *state;
	register_add(f->client, "add3", "v1");
	static const stub_step steps[] = {
		{STUB_FORWARD, 0, NULL, NULL, 0},      /* GET launch plan */
		{STUB_FORWARD, 0, NULL, NULL, 0},      /* GET workflow */
		{STUB_FORWARD_DROP, 0, NULL, NULL, 0}, /* POST execution: created, reply lost */
		{STUB_FORWARD, 0, NULL, NULL, 0},      /* the retry (409) and what follows */
	};
	stub_http *proxy = stub_start(steps, 4);
	stub_set_upstream(proxy, tu_devserver_url(f->server));
	flyte_client_options o = FLYTE_CLIENT_OPTIONS_INIT;
	o.endpoint = stub_url(proxy);
	o.retry_initial_ms = 10;
	flyte_client *c;
	OK(flyte_client_new(&c, &o, &err));
	flyte_identifier lp = flyte_reference_launch_plan(P, D, "add3.wf", "v1");
	flyte_literal_map *in = ints("a", 2, NULL, 0);
	flyte_execution *x = NULL;
	OK(flyte_execute(c, &x, &lp, in, NULL, NULL, &err));
	assert_string_equal(stub_request_at(proxy, 2)->method, "POST");
	assert_string_equal(stub_request_at(proxy, 3)->method, "POST");

	char *body = NULL;
	OK(flyte_client_request(f->client, &body, "GET",
				"/api/v1/executions/flytesnacks/development?limit=100&filters=eq(launch_plan.name,add3.wf)",
				NULL, 1, &err));
	size_t count = 0;
	for (const char *p = body; (p = strstr(p, "\"name\":\"")); p++)
		if (strncmp(p + 8, flyte_execution_name(x), strlen(flyte_execution_name(x))) == 0)
			count++;
	assert_true(count >= 1);
	assert_null(strstr(strstr(body, "\"executions\":[") + 14, "},{\"id\"")); /* one execution */
	flyte_string_free(body);

	/* The same name launched again later is not "ours": it exists. */
	flyte_execute_options eo = FLYTE_EXECUTE_OPTIONS_INIT;
	eo.name = flyte_execution_name(x);
	flyte_execution *y = NULL;
	flyte_error *err = NULL;
	assert_int_equal(flyte_execute(f->client, &y, &lp, in, NULL, &eo, &err), FLYTE_EEXISTS);
	assert_non_null(strstr(flyte_error_message(err), "already exists"));
	flyte_error_free(err);

	flyte_execution_free(x);
	flyte_literal_map_free(in);
	flyte_client_free(c);
	stub_stop(proxy);
}

static int count_done(flyte_execution *x, int status, const flyte_error *error, void *payload)
{
	int *done = payload;
	if (status)
		fail_msg("poller: %s", flyte_error_message(error));
	assert_int_equal(flyte_execution_phase_of(x), FLYTE_PHASE_SUCCEEDED);
	int64_t v;
	assert_int_equal(flyte_literal_get_integer(flyte_literal_map_get(flyte_execution_outputs(x), "sum"), &v), 0);
	done[v]++;
	flyte_execution_free(x);
	return 0;
}

/* One thread launches many executions and is told as each completes. */
static void test_poller(void **state)
{
	fixture *f = *state;
	register_add(f->client, "add4", "v1");
	flyte_poller *p;
	CHECK(flyte_poller_new(&p, f->client, 300));
	flyte_identifier lp = flyte_reference_launch_plan(P, D, "add4.wf", "v1");
	int done[64] = {0};
	for (int k = 0; k < 12; k++) {
		flyte_literal_map *in = ints("a", k, "b", 0);
		OK(flyte_poller_launch(p, &lp, in, NULL, NULL, count_done, done, &err));
		flyte_literal_map_free(in);
	}
	assert_int_equal(flyte_poller_pending(p), 12);
	int left = 12;
	for (int rounds = 0; left > 0 && rounds < 2000; rounds++)
		left = flyte_poller_poll(p, 100);
	assert_int_equal(left, 0);
	for (int k = 0; k < 12; k++)
		assert_int_equal(done[k], 1);
	flyte_poller_free(p);
}

/* A fetched launch plan launched again and again costs one request each; polling with
   refresh is one request until the end. */
static void test_execute_fetched_entity_and_refresh(void **state)
{
	fixture *f = *state;
	register_add(f->client, "add6", "v1");
	flyte_identifier id = flyte_reference_launch_plan(P, D, "add6.wf", NULL);
	flyte_entity *lp;
	OK(flyte_fetch(f->client, &lp, &id, &err));
	assert_string_equal(flyte_entity_id(lp).version, "v1");
	assert_non_null(flyte_literal_map_get(flyte_entity_defaults(lp), "b"));
	flyte_literal_map *in = ints("a", 7, NULL, 0);
	flyte_execution *x;
	OK(flyte_execute_entity(f->client, &x, lp, in, NULL, NULL, &err));
	assert_int_equal(flyte_execution_prediction_count(x), 1);
	for (int i = 0; i < 600 && !flyte_execution_is_done(x); i++) {
		OK(flyte_execution_refresh(f->client, x, &err));
		usleep(50000);
	}
	assert_int_equal(flyte_execution_phase_of(x), FLYTE_PHASE_SUCCEEDED);
	assert_int_equal(output_int(x, "sum"), 17);
	assert_int_equal(flyte_execution_prediction_at(x, 0)->matches, 1);
	flyte_execution_free(x);

	/* The latest workflow comes with its interface (list items leave it out). */
	flyte_identifier wf = flyte_reference_workflow(P, D, "add6.wf", NULL);
	flyte_entity *w;
	OK(flyte_fetch(f->client, &w, &wf, &err));
	assert_string_equal(flyte_entity_id(w).version, "v1");
	assert_int_equal(flyte_variable_map_count(flyte_typed_interface_inputs(flyte_entity_interface(w))), 2);
	flyte_error *err = NULL;
	assert_int_equal(flyte_execute_entity(f->client, &x, w, in, NULL, NULL, &err), FLYTE_EINVALID);
	flyte_error_free(err);
	flyte_entity_free(w);
	flyte_entity_free(lp);
	flyte_literal_map_free(in);
}

typedef struct {
	flyte_client *client;
	int index;
	int failures;
} worker;

static void *launch_some(void *arg)
{
	worker *w = arg;
	flyte_identifier lp = flyte_reference_launch_plan(P, D, "add5.wf", "v1");
	for (int k = 0; k < 5; k++) {
		flyte_literal_map *in = ints("a", w->index * 100 + k, "b", 1);
		flyte_execution *x = NULL;
		flyte_error *err = NULL;
		if (flyte_execute(w->client, &x, &lp, in, NULL, NULL, &err) ||
		    flyte_execution_wait(w->client, x, 60000, 100, &err) ||
		    flyte_execution_phase_of(x) != FLYTE_PHASE_SUCCEEDED)
			w->failures++;
		else {
			int64_t v = -1;
			flyte_literal_get_integer(flyte_literal_map_get(flyte_execution_outputs(x), "sum"), &v);
			if (v != w->index * 100 + k + 1)
				w->failures++;
		}
		flyte_error_free(err);
		flyte_execution_free(x);
		flyte_literal_map_free(in);
	}
	return NULL;
}

/* One client, many threads at once: its connection pool and token are shared safely. */
static void test_one_client_many_threads(void **state)
{
	fixture *f = *state;
	register_add(f->client, "add5", "v1");
	pthread_t t[6];
	worker w[6];
	for (int i = 0; i < 6; i++) {
		w[i] = (worker){f->client, i, 0};
		assert_int_equal(pthread_create(&t[i], NULL, launch_some, &w[i]), 0);
	}
	for (int i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].failures, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_execute_cache_and_hints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_before_sending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blob_upload_and_formats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exactly_once_through_lost_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poller, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_client_many_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_execute_fetched_entity_and_refresh, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
