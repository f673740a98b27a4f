/*
 * What the examples share: connecting to the URL given on the command line, and dying
 * with the SDK's message on the first error. Kept tiny on purpose: each example reads
 * top to bottom.
 */
#ifndef EXAMPLE_COMMON_H
#define EXAMPLE_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#include <flyte/flyte.h>

static inline void example_die(const char *what, int rc, const flyte_error *err)
{
	fprintf(stderr, "%s failed (%s): %s\n", what, flyte_error_code_name(rc), err ? flyte_error_message(err) : "");
	exit(1);
}

/* TRY(what, call): call may use `err`, a fresh flyte_error *. */
#define TRY(what, call)                                  \
	do {                                             \
		flyte_error *err = NULL;                 \
		int rc_ = (call);                        \
		if (rc_)                                 \
			example_die(what, rc_, err);     \
	} while (0)

static inline flyte_client *example_connect(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s URL   (a FlyteAdmin or flyte-devserver endpoint)\n", argv[0]);
		exit(2);
	}
	flyte_client_options opts = FLYTE_CLIENT_OPTIONS_INIT;
	opts.endpoint = argv[argc - 1];
	flyte_client *client;
	TRY("connecting", flyte_client_new(&client, &opts, &err));
	return client;
}

/* A variable map of up to three simple or prepared types (NULL names end it). */
static inline flyte_variable_map *example_vars(const char *n1, const flyte_literal_type *t1, const char *n2,
					       const flyte_literal_type *t2, const char *n3,
					       const flyte_literal_type *t3)
{
	flyte_variable_map *m;
	TRY("variables", flyte_variable_map_new(&m));
	const char *names[] = {n1, n2, n3};
	const flyte_literal_type *types[] = {t1, t2, t3};
	for (int i = 0; i < 3 && names[i]; i++)
		TRY("variables", flyte_variable_map_add(m, names[i], types[i], NULL));
	return m;
}

/* Waits for an execution and dies unless it succeeded. */
static inline void example_wait(flyte_client *client, flyte_execution *x)
{
	TRY("waiting", flyte_execution_wait(client, x, 120000, 500, &err));
	if (flyte_execution_phase_of(x) != FLYTE_PHASE_SUCCEEDED) {
		fprintf(stderr, "execution %s ended %s: %s\n", flyte_execution_name(x),
			flyte_phase_name(flyte_execution_phase_of(x)),
			flyte_execution_error_message(x) ? flyte_execution_error_message(x) : "");
		exit(1);
	}
}

/* The cache status of the first node of an execution. */
static inline const char *example_cache_status(const flyte_execution *x)
{
	const flyte_node_info *n = flyte_execution_node_at(x, 0);
	return n ? flyte_cache_status_name(n->cache_status) : "(no node)";
}

#endif
