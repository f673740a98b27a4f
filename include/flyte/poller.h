/**
 * @file flyte/poller.h
 * @brief Launching and watching many executions from one thread without blocking: the
 * embedded-service pattern (an ingestion daemon that launches a pipeline per file and is
 * told as each one finishes).
 *
 * The application drives all network I/O by calling flyte_poller_poll() from its own
 * loop; completion callbacks run only inside that call, on the calling thread
 * (librdkafka's rule). A poller is not thread-safe: use it from one thread. Its client
 * may be shared with other threads.
 *
 * The first launch of an entity fetches its interface (a blocking call, once per entity);
 * later launches of it, the creates and all status polls are non-blocking.
 */
#ifndef FLYTE_POLLER_H
#define FLYTE_POLLER_H

#include <stddef.h>

#include "client.h"
#include "common.h"
#include "execution.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct flyte_poller flyte_poller;

/**
 * Called once per launched or watched execution, from flyte_poller_poll(): when it
 * reached a terminal phase (status 0; phase, nodes and outputs are current) or when
 * launching or polling it failed (status a FLYTE_E* code, `error` says why). `execution`
 * is the caller's from now on: free it with flyte_execution_free(). `error` is borrowed
 * for the call. The return value is ignored.
 */
typedef int (*flyte_execution_done_fn)(flyte_execution *execution, int status, const flyte_error *error,
				       void *payload);

/** A poller on `client` (borrowed: it must outlive the poller). Polls each running
    execution every `poll_interval_ms` (default 2000). */
FLYTE_EXTERN int flyte_poller_new(flyte_poller **out, flyte_client *client, long poll_interval_ms);

/**
 * Prepares a launch exactly as flyte_execute() does (checks, hashes, predicted keys,
 * client-chosen name) and queues it; the create itself happens in flyte_poller_poll().
 * On success, `done` will be called exactly once. Errors found before sending (bad
 * inputs, unknown entity) are returned here and `done` is not called.
 */
FLYTE_EXTERN int flyte_poller_launch(flyte_poller *poller, const flyte_identifier *entity,
				     const flyte_literal_map *inputs, const flyte_type_hints *hints,
				     const flyte_execute_options *opts, flyte_execution_done_fn done, void *payload,
				     flyte_error **error);

/** Watches an execution launched elsewhere (takes ownership of `execution`). */
FLYTE_EXTERN int flyte_poller_watch(flyte_poller *poller, flyte_execution *execution, flyte_execution_done_fn done,
				    void *payload);

/**
 * Performs pending network I/O, waiting up to `timeout_ms` for some, and calls `done`
 * for every execution that finished. Returns the number of executions still pending
 * (0: nothing left), or a negative FLYTE_E* code when the poller itself failed.
 */
FLYTE_EXTERN int flyte_poller_poll(flyte_poller *poller, long timeout_ms);

/** Executions launched or watched and not yet reported. */
FLYTE_EXTERN size_t flyte_poller_pending(const flyte_poller *poller);

/** Frees the poller; executions still pending are abandoned (not terminated, no callback). */
FLYTE_EXTERN void flyte_poller_free(flyte_poller *poller);

#ifdef __cplusplus
}
#endif

#endif
