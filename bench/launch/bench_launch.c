/*
 * bench_launch: what launching executions costs the client.
 *
 *   bench_launch [options] [URL]
 *
 * With URL (a flyte-devserver or FlyteAdmin), registers a trivial raw-container task (it
 * echoes its input into its one output), a workflow around it and its launch plan, then,
 * in rounds that each start with an idle server:
 *   a. sequential launches with flyte_execute(), create only: launches per second, client
 *      CPU time per launch (getrusage, user + system), wall latency p50 and p99;
 *   b. for each K, K executions in flight through one poller until M have completed:
 *      completed executions per second, client CPU time per execution, launch-to-completion
 *      p50 and p99.
 * Per-round figures are given as the median round and the range over rounds.
 * Always, with no network:
 *   c. the client-side cost of one execution's inputs: 20 inputs built from C values, type
 *      hints hashing 3 of them, the check against the interface, the artifact tag and the
 *      JSON encoding; best and median per iteration, per phase.
 *
 * Options: --launches N (a: per round, default 200), --executions M (b: per round, default
 * 200), --in-flight K[,K...] (b: default 16,64), --rounds R (a and b, default 5),
 * --poll-ms P (b: the poller's longest poll interval, default 250), --iterations I (c:
 * default 20000), --tsv FILE (every figure as name<TAB>value), --dump-inputs FILE (c's
 * inputs after hashing, as LiteralMap JSON, to compare with flytekit's).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <openssl/evp.h>

#include <flyte/flyte.h>

#define PROJECT "flytesnacks"
#define DOMAIN "development"
#define TASK_NAME "bench.launch.echo"
#define WF_NAME "bench.launch.wf"
#define VERSION "v1"

#define N_SAMPLES 100
#define MAX_ROUNDS 15
#define MAX_K 8

static FILE *tsv;

static void die(const char *what, int rc, flyte_error *err)
{
	fprintf(stderr, "bench_launch: %s failed (%s): %s\n", what, flyte_error_code_name(rc),
		err ? flyte_error_message(err) : "");
	exit(1);
}

/* `call` may use `err`, declared here. */
#define TRY(what, call)                          \
	do {                                     \
		flyte_error *err = NULL;         \
		int rc_ = (call);                \
		if (rc_)                         \
			die(what, rc_, err);     \
	} while (0)

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t process_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* This process's CPU time, user and system. */
static int64_t cpu_ns(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
	       ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of n sorted values. */
static int64_t percentile(const int64_t *sorted, size_t n, double p)
{
	size_t rank = (size_t)ceil(p * (double)n);
	return sorted[rank ? rank - 1 : 0];
}

static const char *fmt_ns(char buf[32], double ns)
{
	if (ns < 1e4)
		snprintf(buf, 32, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, 32, "%.1f us", ns / 1e3);
	else
		snprintf(buf, 32, "%.2f ms", ns / 1e6);
	return buf;
}

static void figure(const char *name, double value)
{
	if (tsv)
		fprintf(tsv, "%s\t%.0f\n", name, value);
}

static void print_load(const char *when)
{
	char line[128] = "?";
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (!fgets(line, sizeof line, f))
			line[0] = '\0';
		fclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	printf("   load average %s: %s\n", when, line);
}

/* ---- a and b: launches against a server ---- */

/* echo(x: integer) -> y: integer, a one-node workflow around it and its launch plan. */
static void register_entities(flyte_client *c)
{
	flyte_literal_type *integer;
	flyte_variable_map *in, *out;
	flyte_typed_interface *iface;
	TRY("types", flyte_literal_type_new_simple(&integer, FLYTE_SIMPLE_INTEGER));
	TRY("interface", flyte_variable_map_new(&in));
	TRY("interface", flyte_variable_map_add(in, "x", integer, NULL));
	TRY("interface", flyte_variable_map_new(&out));
	TRY("interface", flyte_variable_map_add(out, "y", integer, NULL));
	TRY("interface", flyte_typed_interface_new(&iface, in, out));

	flyte_identifier task_id = {FLYTE_RESOURCE_TASK, PROJECT, DOMAIN, TASK_NAME, VERSION, NULL};
	const char *command[] = {"sh", "-c"};
	const char *args[] = {"echo {{.inputs.x}} > {{.outputPrefix}}/y"};
	flyte_task *task;
	TRY("task", flyte_task_new_raw_container(&task, &task_id, "busybox:1.36", command, 2, args, 1, iface, &err));
	flyte_identifier wf_id = {FLYTE_RESOURCE_WORKFLOW, PROJECT, DOMAIN, WF_NAME, VERSION, NULL};
	flyte_workflow *wf;
	TRY("workflow", flyte_workflow_new(&wf, &wf_id, iface, &err));
	flyte_binding x = {"x", NULL, "x", NULL}, y = {"y", "echo", "y", NULL};
	TRY("workflow node", flyte_workflow_add_task_node(wf, "echo", task, &x, 1, &err));
	TRY("workflow output", flyte_workflow_bind_output(wf, &y, &err));
	flyte_launch_plan *lp;
	TRY("launch plan", flyte_launch_plan_new(&lp, &wf_id, wf, &err));

	TRY("registering the task", flyte_register_task(c, task, &err));
	TRY("registering the workflow", flyte_register_workflow(c, wf, &err));
	TRY("registering the launch plan", flyte_register_launch_plan(c, lp, &err));
	flyte_launch_plan_free(lp);
	flyte_workflow_free(wf);
	flyte_task_free(task);
	flyte_typed_interface_free(iface);
	flyte_variable_map_free(in);
	flyte_variable_map_free(out);
	flyte_literal_type_free(integer);
}

static flyte_literal_map *x_input(int64_t x)
{
	flyte_literal_map *m;
	flyte_literal *lit;
	TRY("inputs", flyte_literal_map_new(&m));
	TRY("inputs", flyte_literal_new_integer(&lit, x));
	TRY("inputs", flyte_literal_map_set_new(m, "x", lit));
	return m;
}

/* Executions that did not succeed, over the whole run. */
static int n_failed;
static char first_failure[256];

/* What a poller callback records: completions, in the order they came. */
typedef struct {
	int64_t *latency; /* launch to completion; NULL: not recorded */
	int done;
} tally;

typedef struct {
	tally *t;
	int64_t launched_at;
} slot;

static int on_done(flyte_execution *x, int status, const flyte_error *error, void *payload)
{
	slot *s = payload;
	tally *t = s->t;
	if (t->latency)
		t->latency[t->done] = now_ns() - s->launched_at;
	t->done++;
	if ((status || flyte_execution_phase_of(x) != FLYTE_PHASE_SUCCEEDED) && !n_failed++)
		snprintf(first_failure, sizeof first_failure, "%s: %s", flyte_execution_name(x),
			 status ? flyte_error_message(error) : flyte_phase_name(flyte_execution_phase_of(x)));
	flyte_execution_free(x);
	return 0;
}

/* Waits for executions launched elsewhere, so that the next round starts with an idle server. */
static void drain(flyte_client *c, flyte_execution **xs, int n)
{
	flyte_poller *p;
	TRY("poller", flyte_poller_new(&p, c, 250));
	tally t = {0};
	slot s = {&t, 0};
	for (int i = 0; i < n; i++)
		TRY("watch", flyte_poller_watch(p, xs[i], on_done, &s));
	while (t.done < n) {
		int rc = flyte_poller_poll(p, 1000);
		if (rc < 0)
			die("polling", rc, NULL);
	}
	flyte_poller_free(p);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* One figure measured per round: the median round, and the range. */
static void print_rounds(const char *label, double *v, int n, int is_time, const char *key)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	char b1[32], b2[32], b3[32];
	if (is_time)
		printf("   %-28s %10s   [%s .. %s]\n", label, fmt_ns(b1, median), fmt_ns(b2, v[0]),
		       fmt_ns(b3, v[n - 1]));
	else
		printf("   %-28s %10.1f   [%.1f .. %.1f]\n", label, median, v[0], v[n - 1]);
	figure(key, is_time ? median : median * 1000);
}

static void print_latency(const char *label, int64_t *lat, size_t n, const char *key)
{
	char b1[32], b2[32], k[64];
	qsort(lat, n, sizeof *lat, cmp_i64);
	printf("   %-28s %10s   p99 %s\n", label, fmt_ns(b1, (double)percentile(lat, n, 0.50)),
	       fmt_ns(b2, (double)percentile(lat, n, 0.99)));
	snprintf(k, sizeof k, "%s.p50_ns", key);
	figure(k, (double)percentile(lat, n, 0.50));
	snprintf(k, sizeof k, "%s.p99_ns", key);
	figure(k, (double)percentile(lat, n, 0.99));
}

static flyte_execution *launch(flyte_client *c, const flyte_identifier *lp, int64_t x)
{
	flyte_literal_map *in = x_input(x);
	flyte_execute_options opts = FLYTE_EXECUTE_OPTIONS_INIT;
	opts.name_prefix = "seq";
	flyte_execution *e;
	TRY("launching", flyte_execute(c, &e, lp, in, NULL, &opts, &err));
	flyte_literal_map_free(in);
	return e;
}

static void bench_sequential(flyte_client *c, int n, int rounds)
{
	flyte_identifier lp = flyte_reference_launch_plan(PROJECT, DOMAIN, WF_NAME, VERSION);
	flyte_execution **xs = calloc((size_t)n, sizeof *xs);
	int64_t *lat = calloc((size_t)n * (size_t)rounds, sizeof *lat);
	double rate[MAX_ROUNDS], cpu[MAX_ROUNDS];
	if (!xs || !lat)
		die("allocating", FLYTE_ENOMEM, NULL);
	xs[0] = launch(c, &lp, -1); /* warm-up: connection, first fetches */
	drain(c, xs, 1);
	for (int r = 0; r < rounds; r++) {
		int64_t c0 = cpu_ns(), t0 = now_ns();
		for (int i = 0; i < n; i++) {
			int64_t s = now_ns();
			xs[i] = launch(c, &lp, (int64_t)r * n + i);
			lat[r * n + i] = now_ns() - s;
		}
		rate[r] = n / ((double)(now_ns() - t0) / 1e9);
		cpu[r] = (double)(cpu_ns() - c0) / n;
		drain(c, xs, n);
	}
	printf("a. sequential launches, flyte_execute (create only, no wait): %d rounds of %d,\n"
	       "   median round [slowest .. fastest round]; the server is idle at the start of each round\n",
	       rounds, n);
	print_rounds("launches/s", rate, rounds, 0, "seq.launches_per_s_x1000");
	print_rounds("client CPU per launch", cpu, rounds, 1, "seq.cpu_per_launch_ns");
	print_latency("wall latency p50", lat, (size_t)n * (size_t)rounds, "seq");
	figure("seq.launches", n);
	figure("seq.rounds", rounds);
	free(xs);
	free(lat);
}

/* Keeps k executions in flight until m have completed. */
static void run_in_flight(flyte_poller *p, const flyte_identifier *lp, int m, int k, tally *t, slot *slots)
{
	int launched = 0;
	while (t->done < m) {
		for (; launched < m && launched - t->done < k; launched++) {
			slots[launched] = (slot){t, now_ns()};
			flyte_literal_map *in = x_input(1000000 + launched);
			TRY("poller launch",
			    flyte_poller_launch(p, lp, in, NULL, NULL, on_done, &slots[launched], &err));
			flyte_literal_map_free(in);
		}
		int rc = flyte_poller_poll(p, 1000);
		if (rc < 0)
			die("polling", rc, NULL);
	}
}

static void bench_in_flight(flyte_client *c, int m, int k, long poll_ms, int rounds)
{
	flyte_identifier lp = flyte_reference_launch_plan(PROJECT, DOMAIN, WF_NAME, VERSION);
	flyte_poller *p;
	TRY("poller", flyte_poller_new(&p, c, poll_ms));
	slot *slots = calloc((size_t)m, sizeof *slots);
	int64_t *lat = calloc((size_t)m * (size_t)rounds, sizeof *lat);
	double rate[MAX_ROUNDS], cpu[MAX_ROUNDS];
	if (!slots || !lat)
		die("allocating", FLYTE_ENOMEM, NULL);
	tally warm = {0};
	run_in_flight(p, &lp, 1, 1, &warm, slots); /* the poller fetches the launch plan once */
	for (int r = 0; r < rounds; r++) {
		tally t = {lat + (size_t)r * (size_t)m, 0};
		int64_t c0 = cpu_ns(), t0 = now_ns();
		run_in_flight(p, &lp, m, k, &t, slots);
		rate[r] = m / ((double)(now_ns() - t0) / 1e9);
		cpu[r] = (double)(cpu_ns() - c0) / m;
	}
	flyte_poller_free(p);
	char key[64];
	printf("b. %d in flight through one poller (poll interval 200 ms doubling up to %ld ms): %d rounds of %d\n"
	       "   executions launched and driven to completion (create, status polls, nodes, outputs)\n",
	       k, poll_ms, rounds, m);
	snprintf(key, sizeof key, "flight.k%d.completed_per_s_x1000", k);
	print_rounds("completed executions/s", rate, rounds, 0, key);
	snprintf(key, sizeof key, "flight.k%d.cpu_per_execution_ns", k);
	print_rounds("client CPU per execution", cpu, rounds, 1, key);
	snprintf(key, sizeof key, "flight.k%d", k);
	print_latency("launch to completion p50", lat, (size_t)m * (size_t)rounds, key);
	free(slots);
	free(lat);
}

/* ---- c: one execution's inputs, no network ---- */

/* The same values as flytekit_client_cost.py. */
static const char CONFIG_JSON[] =
	"{\"optimizer\": {\"name\": \"adamw\", \"betas\": [0.9, 0.999], \"weight_decay\": 0.01},"
	" \"scheduler\": {\"name\": \"cosine\", \"warmup_steps\": 500, \"min_lr_ratio\": 0.05},"
	" \"augment\": true, \"notes\": null, \"layers_frozen\": [\"conv1\", \"layer1\"]}";

typedef struct {
	flyte_variable_map *declared; /* the launch plan's inputs */
	flyte_type_hints *hints;
	char sample_ids[N_SAMPLES][16];
} inputs_fixture;

/* Who asked does not change the result: every requester shares one cache entry. */
static int requester_hash(flyte_out_string *out, const flyte_literal *literal, void *payload)
{
	(void)literal;
	(void)payload;
	return flyte_out_string_set(out, "any-requester", strlen("any-requester"));
}

/* SHA-256 of the strings of a list joined by newlines, in hex: the same as the Python side's. */
static int lines_sha256(flyte_out_string *out, const flyte_literal *literal, void *payload)
{
	(void)payload;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		return flyte_out_string_fail(out, "cannot start SHA-256");
	}
	for (size_t i = 0; i < flyte_literal_count(literal); i++) {
		const char *s;
		if (flyte_literal_get_string(flyte_literal_collection_at(literal, i), &s)) {
			EVP_MD_CTX_free(md);
			return flyte_out_string_fail(out, "not a list of strings");
		}
		if (i)
			EVP_DigestUpdate(md, "\n", 1);
		EVP_DigestUpdate(md, s, strlen(s));
	}
	unsigned char d[32];
	char hex[65];
	EVP_DigestFinal_ex(md, d, NULL);
	EVP_MD_CTX_free(md);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return flyte_out_string_set(out, hex, 64);
}

/* Adds `name` of type `t` to `m`, then frees `t`. */
static void declare(flyte_variable_map *m, const char *name, flyte_literal_type *t)
{
	TRY(name, flyte_variable_map_add(m, name, t, NULL));
	flyte_literal_type_free(t);
}

static flyte_literal_type *simple(flyte_simple_type s)
{
	flyte_literal_type *t;
	TRY("types", flyte_literal_type_new_simple(&t, s));
	return t;
}

static flyte_literal_type *wrapped(int collection, flyte_simple_type s)
{
	flyte_literal_type *t, *inner = simple(s);
	TRY("types", collection ? flyte_literal_type_new_collection(&t, inner) : flyte_literal_type_new_map(&t, inner));
	flyte_literal_type_free(inner);
	return t;
}

static flyte_literal_type *blob(const char *format, flyte_blob_dimensionality dim)
{
	flyte_literal_type *t;
	TRY("types", flyte_literal_type_new_blob(&t, format, dim));
	return t;
}

static void fixture_init(inputs_fixture *fx)
{
	static const char *const ints[] = {"n_epochs", "batch_size", "seed", "max_rows"};
	static const char *const floats[] = {"learning_rate", "dropout", "momentum"};
	static const char *const strings[] = {"model_name", "experiment", "region", "requested_by"};
	flyte_variable_map *m;
	TRY("interface", flyte_variable_map_new(&m));
	for (int i = 0; i < 4; i++) {
		declare(m, ints[i], simple(FLYTE_SIMPLE_INTEGER));
		declare(m, strings[i], simple(FLYTE_SIMPLE_STRING));
	}
	for (int i = 0; i < 3; i++)
		declare(m, floats[i], simple(FLYTE_SIMPLE_FLOAT));
	declare(m, "use_gpu", simple(FLYTE_SIMPLE_BOOLEAN));
	declare(m, "dry_run", simple(FLYTE_SIMPLE_BOOLEAN));
	declare(m, "run_date", simple(FLYTE_SIMPLE_DATETIME));
	declare(m, "timeout", simple(FLYTE_SIMPLE_DURATION));
	declare(m, "sample_ids", wrapped(1, FLYTE_SIMPLE_STRING));
	declare(m, "class_weights", wrapped(0, FLYTE_SIMPLE_FLOAT));
	declare(m, "config", simple(FLYTE_SIMPLE_STRUCT));
	declare(m, "train_csv", blob("csv", FLYTE_BLOB_SINGLE));
	declare(m, "model_dir", blob("", FLYTE_BLOB_MULTIPART));
	fx->declared = m;

	/* As flytekit's Annotated[T, HashMethod(fn)]: the declared type and the hash function. */
	TRY("type hints", flyte_type_hints_new(&fx->hints));
	TRY("type hints", flyte_type_hints_add(fx->hints, "requested_by", flyte_variable_map_type(m, "requested_by"),
					       requester_hash, NULL));
	TRY("type hints", flyte_type_hints_add(fx->hints, "sample_ids", flyte_variable_map_type(m, "sample_ids"),
					       lines_sha256, NULL));
	TRY("type hints", flyte_type_hints_add(fx->hints, "config", flyte_variable_map_type(m, "config"),
					       flyte_hasher_canonical_json, NULL));
	for (int i = 0; i < N_SAMPLES; i++)
		snprintf(fx->sample_ids[i], sizeof fx->sample_ids[i], "cust-%05d", 10007 * i % 100000);
}

static void fixture_dispose(inputs_fixture *fx)
{
	flyte_variable_map_free(fx->declared);
	flyte_type_hints_free(fx->hints);
}

/* Sets input `name` of `m` to the literal `call` builds into `lit`. */
#define ADD(m, name, call)                                            \
	do {                                                          \
		flyte_literal *lit;                                   \
		TRY(name, (call));                                    \
		TRY(name, flyte_literal_map_set_new((m), name, lit)); \
	} while (0)

static flyte_literal *sample_list(const inputs_fixture *fx)
{
	flyte_literal *list, *item;
	TRY("sample_ids", flyte_literal_new_collection(&list));
	for (int i = 0; i < N_SAMPLES; i++) {
		TRY("sample_ids", flyte_literal_new_string(&item, fx->sample_ids[i]));
		TRY("sample_ids", flyte_literal_collection_append_new(list, item));
	}
	return list;
}

static flyte_literal *class_weights(void)
{
	flyte_literal *map, *w;
	TRY("class_weights", flyte_literal_new_map(&map));
	TRY("class_weights", flyte_literal_new_float(&w, 3.5));
	TRY("class_weights", flyte_literal_map_entry_set_new(map, "churned", w));
	TRY("class_weights", flyte_literal_new_float(&w, 1.0));
	TRY("class_weights", flyte_literal_map_entry_set_new(map, "retained", w));
	return map;
}

static flyte_literal *config(void)
{
	flyte_literal *lit;
	TRY("config", flyte_literal_new_generic_json(&lit, CONFIG_JSON, &err));
	/* flytekit marks a dict sent as a generic struct so; the same literal on both sides. */
	TRY("config", flyte_literal_set_metadata(lit, "format", "json"));
	return lit;
}

static flyte_literal_map *build_inputs(const inputs_fixture *fx)
{
	flyte_literal_map *m;
	TRY("inputs", flyte_literal_map_new(&m));
	ADD(m, "n_epochs", flyte_literal_new_integer(&lit, 40));
	ADD(m, "batch_size", flyte_literal_new_integer(&lit, 256));
	ADD(m, "seed", flyte_literal_new_integer(&lit, 8731925519203445));
	ADD(m, "max_rows", flyte_literal_new_integer(&lit, 5000000));
	ADD(m, "learning_rate", flyte_literal_new_float(&lit, 0.0003));
	ADD(m, "dropout", flyte_literal_new_float(&lit, 0.1));
	ADD(m, "momentum", flyte_literal_new_float(&lit, 0.9));
	ADD(m, "model_name", flyte_literal_new_string(&lit, "resnet50-finetune"));
	ADD(m, "experiment", flyte_literal_new_string(&lit, "Q3 churn model \xe2\x80\x94 r\xc3\xa9gion EMEA"));
	ADD(m, "region", flyte_literal_new_string(&lit, "emea"));
	ADD(m, "requested_by", flyte_literal_new_string(&lit, "alice@example.com"));
	ADD(m, "use_gpu", flyte_literal_new_boolean(&lit, 1));
	ADD(m, "dry_run", flyte_literal_new_boolean(&lit, 0));
	ADD(m, "run_date", flyte_literal_new_datetime(&lit, 1785565800, 250000000)); /* 2026-08-01T06:30:00.25Z */
	ADD(m, "timeout", flyte_literal_new_duration(&lit, 5400, 0));
	ADD(m, "sample_ids", (lit = sample_list(fx), 0));
	ADD(m, "class_weights", (lit = class_weights(), 0));
	ADD(m, "config", (lit = config(), 0));
	ADD(m, "train_csv",
	    flyte_literal_new_blob(&lit, "s3://acme-ml-data/churn/2026-08-01/train.csv", "csv", FLYTE_BLOB_SINGLE));
	ADD(m, "model_dir",
	    flyte_literal_new_blob(&lit, "s3://acme-ml-models/churn/resnet50/v17", "", FLYTE_BLOB_MULTIPART));
	return m;
}

/* PH_CPU is not a phase: the CPU time of the whole execution, which preemption does not inflate. */
enum { PH_BUILD, PH_HINTS, PH_CHECK, PH_TAG, PH_JSON, PH_FREE, PH_TOTAL, PH_CPU, N_PHASES };

static const char *const phase_label[N_PHASES] = {
	"build 20 literals from C values",
	"type hints: 3 hash functions",
	"check against the interface",
	"artifact tag",
	"encode JSON",
	"free",
	"total per execution",
	"CPU time per execution",
};
static const char *const phase_key[N_PHASES] = {"build", "hints", "check", "tag", "json", "free", "total", "cpu"};

/* One execution's inputs, each phase timed into t[]. Returns the JSON when `keep_json`. */
static char *one_execution(const inputs_fixture *fx, int64_t t[N_PHASES], size_t *json_len, int keep_json)
{
	int64_t s[N_PHASES];
	char tag[FLYTE_ARTIFACT_TAG_LEN + 1];
	char *json;
	int64_t cpu0 = process_cpu_ns();
	s[PH_BUILD] = now_ns();
	flyte_literal_map *m = build_inputs(fx);
	s[PH_HINTS] = now_ns();
	TRY("type hints", flyte_type_hints_apply(fx->hints, m, &err));
	s[PH_CHECK] = now_ns();
	TRY("type check", flyte_literal_map_check_types(m, fx->declared, &err));
	s[PH_TAG] = now_ns();
	TRY("artifact tag", flyte_cache_artifact_tag(tag, m, NULL, 0, &err));
	s[PH_JSON] = now_ns();
	TRY("JSON", flyte_literal_map_to_json(&json, m));
	*json_len = strlen(json);
	s[PH_FREE] = now_ns();
	if (!keep_json) {
		flyte_string_free(json);
		json = NULL;
	}
	flyte_literal_map_free(m);
	s[PH_TOTAL] = now_ns();
	t[PH_CPU] = process_cpu_ns() - cpu0;
	for (int p = 0; p < PH_TOTAL; p++)
		t[p] = s[p + 1] - s[p];
	t[PH_TOTAL] = s[PH_TOTAL] - s[PH_BUILD];
	return json;
}

static void dump_inputs(const inputs_fixture *fx, const char *path)
{
	int64_t t[N_PHASES];
	size_t len;
	char *json = one_execution(fx, t, &len, 1);
	FILE *f = fopen(path, "w");
	if (!f || fwrite(json, 1, len, f) != len || fclose(f))
		die(path, FLYTE_EIO, NULL);
	flyte_string_free(json);
}

static void bench_inputs(int iterations, const char *dump_path)
{
	inputs_fixture fx;
	fixture_init(&fx);
	if (dump_path)
		dump_inputs(&fx, dump_path);
	int64_t *t = malloc(sizeof *t * N_PHASES * (size_t)iterations);
	if (!t)
		die("allocating", FLYTE_ENOMEM, NULL);
	size_t json_len = 0;
	for (int i = 0; i < iterations / 100 + 10; i++) /* warm-up */
		one_execution(&fx, t, &json_len, 0);
	for (int i = 0; i < iterations; i++)
		one_execution(&fx, t + (size_t)i * N_PHASES, &json_len, 0);
	printf("c. client-side cost of one execution's inputs (20 inputs, no network), %d iterations\n", iterations);
	printf("   %-36s %10s %10s\n", "", "best", "median");
	int64_t *col = malloc(sizeof *col * (size_t)iterations);
	if (!col)
		die("allocating", FLYTE_ENOMEM, NULL);
	for (int p = 0; p < N_PHASES; p++) {
		for (int i = 0; i < iterations; i++)
			col[i] = t[(size_t)i * N_PHASES + p];
		qsort(col, (size_t)iterations, sizeof *col, cmp_i64);
		char b1[32], b2[32], key[64];
		printf("   %-36s %10s %10s\n", phase_label[p], fmt_ns(b1, (double)col[0]),
		       fmt_ns(b2, (double)col[iterations / 2]));
		snprintf(key, sizeof key, "inputs.%s.best_ns", phase_key[p]);
		figure(key, (double)col[0]);
		snprintf(key, sizeof key, "inputs.%s.median_ns", phase_key[p]);
		figure(key, (double)col[iterations / 2]);
	}
	printf("   (per-phase medians need not add up to the total's; the inputs are %zu bytes of JSON)\n", json_len);
	figure("inputs.iterations", iterations);
	figure("inputs.json_bytes", (double)json_len);
	free(col);
	free(t);
	fixture_dispose(&fx);
}

/* ---- main ---- */

typedef struct {
	int launches, executions, rounds, iterations;
	int in_flight[MAX_K], n_in_flight;
	long poll_ms;
	const char *tsv_path, *dump_path, *url;
} options;

/* "16,64" into o->in_flight. */
static int parse_in_flight(options *o, const char *v)
{
	o->n_in_flight = 0;
	for (char *end; *v && o->n_in_flight < MAX_K; v = *end ? end + 1 : end) {
		long k = strtol(v, &end, 10);
		if (end == v || k < 1 || k > 100000 || (*end && *end != ','))
			return -1;
		o->in_flight[o->n_in_flight++] = (int)k;
	}
	return *v ? -1 : 0;
}

static int parse_options(options *o, int argc, char **argv)
{
	*o = (options){.launches = 200, .executions = 200, .rounds = 5, .iterations = 20000,
		       .in_flight = {16, 64}, .n_in_flight = 2, .poll_ms = 250};
	int i = 1, bad = 0;
	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		const char *v = argv[i + 1];
		if (strcmp(argv[i], "--launches") == 0)
			o->launches = atoi(v);
		else if (strcmp(argv[i], "--executions") == 0)
			o->executions = atoi(v);
		else if (strcmp(argv[i], "--rounds") == 0)
			o->rounds = atoi(v);
		else if (strcmp(argv[i], "--in-flight") == 0)
			bad |= parse_in_flight(o, v);
		else if (strcmp(argv[i], "--poll-ms") == 0)
			o->poll_ms = atol(v);
		else if (strcmp(argv[i], "--iterations") == 0)
			o->iterations = atoi(v);
		else if (strcmp(argv[i], "--tsv") == 0)
			o->tsv_path = v;
		else if (strcmp(argv[i], "--dump-inputs") == 0)
			o->dump_path = v;
		else
			return -1;
	}
	if (i < argc && strncmp(argv[i], "--", 2) != 0)
		o->url = argv[i++];
	if (bad || i < argc || o->launches < 1 || o->executions < 1 || o->rounds < 1 || o->rounds > MAX_ROUNDS ||
	    o->iterations < 1 || o->poll_ms < 1)
		return -1;
	return 0;
}

static void bench_server(const options *o)
{
	flyte_client_options copts = FLYTE_CLIENT_OPTIONS_INIT;
	copts.endpoint = o->url;
	flyte_client *c;
	TRY("connecting", flyte_client_new(&c, &copts, &err));
	register_entities(c);
	bench_sequential(c, o->launches, o->rounds);
	for (int i = 0; i < o->n_in_flight; i++)
		bench_in_flight(c, o->executions, o->in_flight[i], o->poll_ms, o->rounds);
	if (n_failed)
		printf("   %d executions did not succeed, the first: %s\n", n_failed, first_failure);
	else
		printf("   every execution succeeded\n");
	figure("failed", n_failed);
	flyte_client_free(c);
}

int main(int argc, char **argv)
{
	options o;
	if (parse_options(&o, argc, argv)) {
		fprintf(stderr,
			"usage: %s [--launches N] [--executions M] [--in-flight K[,K...]] [--rounds R]\n"
			"       [--poll-ms P] [--iterations I] [--tsv FILE] [--dump-inputs FILE] [URL]\n",
			argv[0]);
		return 2;
	}
	if (o.tsv_path && !(tsv = fopen(o.tsv_path, "w")))
		die(o.tsv_path, FLYTE_EIO, NULL);
	printf("flyteremote %s: bench_launch%s%s\n", flyte_version(), o.url ? " against " : " (no server)",
	       o.url ? o.url : "");
	print_load("at start");
	if (o.url)
		bench_server(&o);
	bench_inputs(o.iterations, o.dump_path);
	print_load("at end");
	if (tsv && fclose(tsv))
		die(o.tsv_path, FLYTE_EIO, NULL);
	return 0;
}
