/* flyte-remote: waiting for an execution with a progress line: phase, elapsed time, nodes
   done out of all, cache hits. Live on a terminal; plain lines otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define PLAIN_EVERY_MS 30000
#define FIRST_POLL_MS 250
#define MAX_POLL_MS 2000

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long long ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static size_t count_template_nodes(const json_t *nodes)
{
	size_t i, n = 0;
	json_t *node;
	json_array_foreach(nodes, i, node) {
		const char *id = json_string_value(json_object_get(node, "id"));
		if (id && strcmp(id, "start-node") != 0 && strcmp(id, "end-node") != 0)
			n++;
	}
	return n;
}

size_t cli_count_nodes(flyte_client *c, const flyte_execution *x)
{
	char *path = cli_execution_path(flyte_execution_project(x), flyte_execution_domain(x), flyte_execution_name(x));
	json_t *doc = NULL;
	flyte_entity *wf = NULL;
	size_t n = 0;
	if (!path || cli_get_json(&doc, c, path, NULL))
		goto done;
	json_t *lp = cli_json_get(cli_json_get(doc, "spec"), "launch_plan");
	const char *type = json_string_value(cli_json_get(lp, "resource_type"));
	if (type && strcmp(type, "TASK") == 0) {
		n = 1;
		goto done;
	}
	json_t *wid = cli_json_get(cli_json_get(doc, "closure"), "workflow_id");
	flyte_identifier id = {FLYTE_RESOURCE_WORKFLOW,
			       json_string_value(json_object_get(wid, "project")),
			       json_string_value(json_object_get(wid, "domain")),
			       json_string_value(json_object_get(wid, "name")),
			       json_string_value(json_object_get(wid, "version")),
			       NULL};
	if (!id.name || flyte_fetch(c, &wf, &id, NULL))
		goto done;
	json_t *e = json_loads(flyte_entity_json(wf), 0, NULL);
	json_t *tmpl = cli_json_get(cli_json_get(cli_json_get(cli_json_get(e, "closure"), "compiled_workflow"),
						 "primary"),
				    "template");
	n = count_template_nodes(json_object_get(tmpl, "nodes"));
	json_decref(e);
done:
	flyte_entity_free(wf);
	json_decref(doc);
	free(path);
	return n;
}

static int node_done(int phase)
{
	/* NodeExecution.Phase: SUCCEEDED 3, FAILED 5, ABORTED 6, SKIPPED 7, TIMED_OUT 8, RECOVERED 10 */
	return phase == 3 || (phase >= 5 && phase <= 8) || phase == 10;
}

/* The line without the elapsed time (to tell whether anything changed) and with it. */
static void progress(char *state, size_t ssize, char *line, size_t lsize, const flyte_execution *x, size_t total,
		     long long elapsed_ms)
{
	size_t done = 0, hits = 0, n = flyte_execution_node_count(x);
	for (size_t i = 0; i < n; i++) {
		const flyte_node_info *node = flyte_execution_node_at(x, i);
		done += node_done(node->phase);
		hits += node->cache_status == FLYTE_CACHE_HIT;
	}
	char nodes[64], elapsed[32];
	if (total >= n && total)
		snprintf(nodes, sizeof nodes, "nodes %zu/%zu done", done, total);
	else
		snprintf(nodes, sizeof nodes, "nodes %zu done", done);
	snprintf(state, ssize, "%s  %s  cache hits %zu", flyte_phase_name(flyte_execution_phase_of(x)), nodes, hits);
	cli_format_duration(elapsed, sizeof elapsed, elapsed_ms / 1000, 0);
	snprintf(line, lsize, "%s  %-10s %6s  %s  cache hits %zu", flyte_execution_name(x),
		 flyte_phase_name(flyte_execution_phase_of(x)), elapsed, nodes, hits);
}

int cli_watch(flyte_client *c, flyte_execution *x, long timeout_ms, size_t total, flyte_error **error)
{
	int tty = isatty(STDERR_FILENO);
	long long start = now_ms(), last_print = 0, interval = FIRST_POLL_MS;
	char last_state[256] = "", state[256], line[512];
	for (;;) {
		int rc = flyte_execution_sync(c, x, error);
		long long now = now_ms();
		if (rc) {
			if (tty)
				fprintf(stderr, "\r\033[K");
			return rc;
		}
		progress(state, sizeof state, line, sizeof line, x, total, now - start);
		if (tty) {
			fprintf(stderr, "\r\033[K%s", line);
		} else if (strcmp(state, last_state) != 0 || now - last_print >= PLAIN_EVERY_MS) {
			fprintf(stderr, "%s\n", line);
			last_print = now;
			memcpy(last_state, state, sizeof state);
		}
		fflush(stderr);
		int finished = flyte_execution_is_done(x);
		if (finished || (timeout_ms && now - start >= timeout_ms)) {
			if (tty)
				fprintf(stderr, "\n");
			return finished ? 0 : FLYTE_ETIMEOUT;
		}
		long long left = timeout_ms ? start + timeout_ms - now : interval;
		sleep_ms(left < interval ? left : interval);
		interval = interval * 3 / 2 > MAX_POLL_MS ? MAX_POLL_MS : interval * 3 / 2;
	}
}
