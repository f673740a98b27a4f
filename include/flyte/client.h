/**
 * @file flyte/client.h
 * @brief The connection to FlyteAdmin (or flyte-devserver): endpoint, TLS, timeouts,
 * retries and authentication.
 *
 * A flyte_client is thread-safe: one client may be used from many threads at once (it
 * keeps a pool of connections, reused with keep-alive and HTTP/2 over TLS). Create it once
 * per process or per endpoint and share it. Requests carry `Accept` and `Content-Type:
 * application/json`; transient failures (connection errors, 429, 502, 503, 504, gRPC
 * UNAVAILABLE) of idempotent calls are retried with exponential backoff and jitter,
 * honouring `Retry-After`, within an attempt count and a deadline.
 * Tokens and secrets never appear in logs or error messages.
 */
#ifndef FLYTE_CLIENT_H
#define FLYTE_CLIENT_H

#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct flyte_client flyte_client;

/** Log levels for flyte_log_fn (0 in the options means the default, FLYTE_LOG_WARN). */
typedef enum { FLYTE_LOG_ERROR = 1, FLYTE_LOG_WARN = 2, FLYTE_LOG_INFO = 3, FLYTE_LOG_DEBUG = 4 } flyte_log_level;

/**
 * A log sink. Called from the thread that made the call being logged, possibly from
 * several threads at once. `message` is borrowed for the call.
 */
typedef void (*flyte_log_fn)(int level, const char *message, void *payload);

/** How the client authenticates. */
typedef enum {
	FLYTE_AUTH_NONE = 0,            /**< no credentials (flyte-devserver, an open sandbox) */
	FLYTE_AUTH_TOKEN = 1,           /**< a static bearer token (`token`) */
	FLYTE_AUTH_CLIENT_SECRET = 2,   /**< OAuth2 client credentials (`client_id`, `client_secret`) */
	FLYTE_AUTH_EXTERNAL_COMMAND = 3 /**< a command that prints a bearer token (`command`) */
} flyte_auth_type;

#define FLYTE_CLIENT_OPTIONS_VERSION 1

/**
 * Client options. Strings and arrays are copied by flyte_client_new(). Every field but
 * `version` and `endpoint` is optional; 0 or NULL means the default given.
 */
typedef struct {
	unsigned int version; /**< FLYTE_CLIENT_OPTIONS_VERSION */
	/** Required. `http://host:port`, `https://host`, `dns:///host:port` or `host:port`. */
	const char *endpoint;
	/** For an endpoint without a scheme: 1 = plain HTTP, 0 = HTTPS (default). */
	int insecure;
	const char *project;          /**< default project of calls; default "flytesnacks" */
	const char *domain;           /**< default domain of calls; default "development" */
	const char *console_endpoint; /**< base of console URLs; default: the endpoint */

	flyte_auth_type auth_type;      /**< default FLYTE_AUTH_NONE */
	const char *token;              /**< FLYTE_AUTH_TOKEN: the bearer token */
	const char *client_id;          /**< FLYTE_AUTH_CLIENT_SECRET */
	const char *client_secret;      /**< FLYTE_AUTH_CLIENT_SECRET */
	const char *const *scopes;      /**< OAuth2 scopes; default none */
	size_t n_scopes;
	const char *audience;           /**< OAuth2 audience; default none */
	/** Token endpoint; default: discovered through /.well-known/oauth-authorization-server. */
	const char *token_endpoint;
	/** Header carrying the token; default "Authorization" (FlyteAdmin also reads "flyte-authorization"). */
	const char *authorization_header;
	const char *const *command;     /**< FLYTE_AUTH_EXTERNAL_COMMAND: argv, run without a shell */
	size_t n_command;

	const char *ca_cert_path;   /**< PEM bundle of trusted CAs; default: the system's */
	int insecure_skip_verify;   /**< 1 disables TLS verification (never in production); default 0 */

	long timeout_ms;          /**< one HTTP request, whole; default 30000 */
	long connect_timeout_ms;  /**< default 10000 */
	int max_attempts;         /**< attempts of a retryable call; default 5; 1 = no retries */
	long retry_initial_ms;    /**< first backoff; default 200 */
	long retry_max_ms;        /**< longest backoff; default 8000 */
	long retry_deadline_ms;   /**< a call with its retries gives up after this; default 60000 */

	flyte_log_fn log;       /**< optional log sink */
	void *log_payload;      /**< passed to `log` */
	int log_level;          /**< most detailed level passed to `log`; 0: FLYTE_LOG_WARN */
} flyte_client_options;

/* Every field spelled out: user code built with -Wextra -Werror must not warn. */
#define FLYTE_CLIENT_OPTIONS_INIT                                                                                  \
	{FLYTE_CLIENT_OPTIONS_VERSION, NULL, 0, NULL, NULL, NULL, FLYTE_AUTH_NONE, NULL, NULL, NULL, NULL, 0, NULL, NULL, \
	 NULL, NULL, 0, NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, 0}

/** Initialises `opts` to defaults; `version` must be FLYTE_CLIENT_OPTIONS_VERSION. */
FLYTE_EXTERN int flyte_client_options_init(flyte_client_options *opts, unsigned int version);

/**
 * Creates a client. Calls flyte_global_init() itself (and the matching shutdown in
 * flyte_client_free()). No request is sent until the first call. FLYTE_EINVALID names
 * a bad option.
 */
FLYTE_EXTERN int flyte_client_new(flyte_client **out, const flyte_client_options *opts, flyte_error **error);

/**
 * Creates a client from Flyte's usual configuration (flyte/config.h): the YAML file at
 * `config_path`, or the first of $FLYTECTL_CONFIG and ~/.flyte/config.yaml when NULL,
 * with FLYTE_* environment variables over file values.
 */
FLYTE_EXTERN int flyte_client_from_config(flyte_client **out, const char *config_path, flyte_error **error);

/** Frees the client; NULL is allowed. Calls in flight on other threads must have returned. */
FLYTE_EXTERN void flyte_client_free(flyte_client *client);

/** The base URL requests go to, e.g. "http://127.0.0.1:30080" (borrowed). */
FLYTE_EXTERN const char *flyte_client_endpoint(const flyte_client *client);
/** The default project and domain (borrowed). */
FLYTE_EXTERN const char *flyte_client_project(const flyte_client *client);
FLYTE_EXTERN const char *flyte_client_domain(const flyte_client *client);

/**
 * A raw FlyteAdmin call, for what the typed API does not cover: `method` ("GET", "POST",
 * "PUT", "DELETE"), `path` with its query string ("/api/v1/version"), `body` JSON text or
 * NULL. On success *out is the response body (free with flyte_string_free()). Retried
 * only when `idempotent` is non-zero. On an HTTP error the code follows the status (404
 * FLYTE_ENOTFOUND, 409 FLYTE_EEXISTS, 400 FLYTE_EINVALID, 401/403 FLYTE_EAUTH, 429/502/503
 * FLYTE_EUNAVAILABLE, 504 FLYTE_ETIMEOUT, ...) and the error carries the server's message and gRPC code.
 */
FLYTE_EXTERN int flyte_client_request(flyte_client *client, char **out, const char *method, const char *path,
				      const char *body, int idempotent, flyte_error **error);

#ifdef __cplusplus
}
#endif

#endif
