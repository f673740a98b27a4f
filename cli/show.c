/* flyte-remote: executions for people (phase, nodes, outputs, cache keys predicted and
   used) and as JSON, and the exit status a finished execution stands for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_dataset(const flyte_dataset_id *d)
{
	printf("dataset %s/%s/%s version %s", d->project, d->domain, d->name, d->version);
}

void cli_show_predictions(const flyte_execution *x)
{
	size_t n = flyte_execution_prediction_count(x);
	if (n == 0)
		return;
	printf("Predicted cache keys:\n");
	for (size_t i = 0; i < n; i++) {
		const flyte_cache_prediction *p = flyte_execution_prediction_at(x, i);
		printf("  %s: artifact tag %s\n  %*s  ", p->node_id, p->artifact_tag, (int)strlen(p->node_id), "");
		print_dataset(&p->dataset);
		printf("\n");
	}
}

/*
 * The node a prediction is about: by node id, else by dataset (a single-task execution's
 * prediction is named after the task, its node is named by the server), as the SDK pairs
 * them.
 */
static const flyte_node_info *node_of(const flyte_execution *x, const flyte_cache_prediction *p)
{
	size_t n = flyte_execution_node_count(x);
	for (size_t i = 0; i < n; i++)
		if (strcmp(flyte_execution_node_at(x, i)->node_id, p->node_id) == 0)
			return flyte_execution_node_at(x, i);
	for (size_t i = 0; i < n; i++) {
		const flyte_node_info *node = flyte_execution_node_at(x, i);
		if (node->dataset_name && strcmp(node->dataset_name, p->dataset.name) == 0)
			return node;
	}
	return NULL;
}

/* Multi-line text (a task's stderr) with its later lines indented by `indent`. */
static void print_indented(const char *text, int indent)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		printf("%.*s", (int)n, p);
		p += n;
		if (*p && *++p)
			printf("\n%*s", indent, "");
	}
	printf("\n");
}

void cli_show_nodes(const flyte_execution *x)
{
	size_t n = flyte_execution_node_count(x);
	if (n == 0)
		return;
	printf("Nodes:\n");
	for (size_t i = 0; i < n; i++) {
		const flyte_node_info *node = flyte_execution_node_at(x, i);
		printf("  %-12s %-10s cache %s", node->node_id, node->phase_name ? node->phase_name : "?",
		       flyte_cache_status_name(node->cache_status));
		if (node->artifact_tag)
			printf("\n  %-12s catalog %s/%s/%s version %s tag %s", "", node->dataset_project,
			       node->dataset_domain, node->dataset_name, node->dataset_version, node->artifact_tag);
		printf("\n");
		if (node->error_message) {
			printf("  %-12s error: ", "");
			print_indented(node->error_message, 22);
		}
	}
}

static void show_outputs(const flyte_execution *x)
{
	const flyte_literal_map *outs = flyte_execution_outputs(x);
	if (!outs)
		return;
	printf("Outputs:\n");
	if (flyte_literal_map_count(outs) == 0)
		printf("  (none)\n");
	for (size_t i = 0; i < flyte_literal_map_count(outs); i++) {
		const char *name;
		char *text = cli_value_to_text(flyte_literal_map_at(outs, i, &name));
		printf("  %s = %s\n", name, text ? text : "?");
		free(text);
	}
}

static void show_key_checks(const flyte_execution *x)
{
	size_t n = flyte_execution_prediction_count(x);
	if (n == 0)
		return;
	printf("Cache keys:\n");
	for (size_t i = 0; i < n; i++) {
		const flyte_cache_prediction *p = flyte_execution_prediction_at(x, i);
		const flyte_node_info *node = node_of(x, p);
		const char *status = node ? flyte_cache_status_name(node->cache_status) : "unknown";
		if (p->matches == 1)
			printf("  %s: cache %s, the server used the predicted key %s\n", p->node_id, status,
			       p->artifact_tag);
		else if (p->matches == 0)
			printf("  %s: cache %s, the server's key DIFFERS: predicted %s (%s), server %s (%s)\n",
			       p->node_id, status, p->artifact_tag, p->dataset.version,
			       p->server_artifact_tag ? p->server_artifact_tag : "?",
			       p->server_dataset_version ? p->server_dataset_version : "?");
		else
			printf("  %s: cache %s, the server reported no key (predicted %s)\n", p->node_id, status,
			       p->artifact_tag);
	}
}

void cli_show_outcome(flyte_client *c, const flyte_execution *x)
{
	char *url = NULL;
	printf("Execution %s/%s/%s: %s\n", flyte_execution_project(x), flyte_execution_domain(x),
	       flyte_execution_name(x), flyte_phase_name(flyte_execution_phase_of(x)));
	if (flyte_execution_error_message(x)) {
		printf("Error: ");
		print_indented(flyte_execution_error_message(x), 7);
	}
	cli_show_nodes(x);
	show_outputs(x);
	show_key_checks(x);
	if (!flyte_execution_console_url(&url, c, x))
		printf("Console: %s\n", url);
	flyte_string_free(url);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *node_json(const flyte_node_info *node)
{
	json_t *catalog = node->artifact_tag
				  ? json_pack("{s:s?,s:s?,s:s?,s:s?,s:s}", "project", node->dataset_project, "domain",
					      node->dataset_domain, "name", node->dataset_name, "version",
					      node->dataset_version, "artifact_tag", node->artifact_tag)
				  : json_null();
	return json_pack("{s:s,s:s?,s:s,s:o,s:o}", "node_id", node->node_id, "phase", node->phase_name,
			 "cache_status", flyte_cache_status_name(node->cache_status), "catalog_key", catalog, "error",
			 str_or_null(node->error_message));
}

static json_t *prediction_json(const flyte_cache_prediction *p)
{
	return json_pack("{s:s,s:{s:s,s:s,s:s,s:s},s:s,s:o,s:o,s:o}", "node_id", p->node_id, "dataset", "project",
			 p->dataset.project, "domain", p->dataset.domain, "name", p->dataset.name, "version",
			 p->dataset.version, "artifact_tag", p->artifact_tag, "server_artifact_tag",
			 str_or_null(p->server_artifact_tag), "server_dataset_version",
			 str_or_null(p->server_dataset_version), "matches",
			 p->matches < 0 ? json_null() : json_boolean(p->matches));
}

json_t *cli_execution_json(flyte_client *c, const flyte_execution *x)
{
	json_t *nodes = json_array(), *keys = json_array();
	for (size_t i = 0; nodes && i < flyte_execution_node_count(x); i++)
		json_array_append_new(nodes, node_json(flyte_execution_node_at(x, i)));
	for (size_t i = 0; keys && i < flyte_execution_prediction_count(x); i++)
		json_array_append_new(keys, prediction_json(flyte_execution_prediction_at(x, i)));
	const flyte_literal_map *outs = flyte_execution_outputs(x), *ins = flyte_execution_inputs(x);
	char *url = NULL;
	flyte_execution_console_url(&url, c, x);
	json_t *doc = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "project", flyte_execution_project(x),
				"domain", flyte_execution_domain(x), "name", flyte_execution_name(x), "phase",
				flyte_phase_name(flyte_execution_phase_of(x)), "error",
				str_or_null(flyte_execution_error_message(x)), "inputs",
				ins ? cli_values_to_json(ins) : json_null(), "outputs",
				outs ? cli_values_to_json(outs) : json_null(), "nodes", nodes, "cache_keys", keys,
				"console_url", str_or_null(url));
	flyte_string_free(url);
	return doc;
}

int cli_phase_status(const flyte_execution *x)
{
	flyte_execution_phase phase = flyte_execution_phase_of(x);
	return !flyte_execution_is_done(x) || phase == FLYTE_PHASE_SUCCEEDED ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

static int still_running(const cli_command *cmd, const flyte_execution *x, long timeout_ms)
{
	char t[32];
	cli_format_duration(t, sizeof t, timeout_ms / 1000, (int32_t)(timeout_ms % 1000) * 1000000);
	fprintf(stderr,
		CLI_NAME " %s: execution %s is still %s after %s; it keeps running.\n"
		"Wait again with '" CLI_NAME " wait %s', or stop it with '" CLI_NAME " terminate %s'.\n",
		cmd->name, flyte_execution_name(x), flyte_phase_name(flyte_execution_phase_of(x)), t,
		flyte_execution_name(x), flyte_execution_name(x));
	return CLI_EXIT_REMOTE;
}

int cli_finish_execution(const cli_command *cmd, const cli_globals *g, flyte_client *c, flyte_execution *x, int wait,
			 long timeout_ms)
{
	int status = CLI_EXIT_OK;
	if (wait) {
		flyte_error *err = NULL;
		int rc = cli_watch(c, x, timeout_ms, cli_count_nodes(c, x), &err);
		if (rc == FLYTE_ETIMEOUT)
			status = still_running(cmd, x, timeout_ms);
		else if (rc)
			status = cli_fail(cmd, rc, err, "waiting for %s", flyte_execution_name(x));
		flyte_error_free(err);
		if (rc && rc != FLYTE_ETIMEOUT)
			return status;
	}
	if (!g->json && wait)
		cli_show_outcome(c, x);
	int out = g->json ? cli_print_json(cmd, cli_execution_json(c, x)) : cli_finish_output(cmd);
	if (out)
		return out;
	if (status || !wait)
		return status;
	status = cli_phase_status(x);
	if (status)
		fprintf(stderr,
			CLI_NAME " %s: execution %s %s%s%s\nSee '" CLI_NAME " get execution %s' for its nodes.\n",
			cmd->name, flyte_execution_name(x), flyte_phase_name(flyte_execution_phase_of(x)),
			flyte_execution_error_message(x) ? ": " : "",
			flyte_execution_error_message(x) ? flyte_execution_error_message(x) : "",
			flyte_execution_name(x));
	return status;
}
