/*
 * transport: HTTP requests to FlyteAdmin over libcurl, shared by every thread of a
 * client: a share handle for DNS and TLS sessions, a pool of easy handles (each keeping
 * its own connections alive), retries with backoff and jitter for transient failures, the
 * bearer token from the auth module with one refresh on 401, and errors mapped from HTTP
 * status and gRPC code.
 */
#ifndef FLYTE_TRANSPORT_H
#define FLYTE_TRANSPORT_H

#include <stddef.h>
#include <stdio.h>

#include "flyte/client.h"

typedef struct fl_transport fl_transport;
typedef struct fl_auth fl_auth;

typedef struct {
	const char *method;      /* "GET", "POST", "PUT", "DELETE" */
	const char *url;         /* absolute URL, or a path joined to the base URL */
	const char *body;        /* NULL: none */
	size_t body_len;
	const char *content_type; /* default application/json */
	const char *const *headers; /* extra "Name: value" lines, NULL-terminated, may be NULL */
	int idempotent;          /* retry transient failures */
	int no_auth;             /* send no token (discovery, token endpoint) */
	int raw;                 /* not an admin call: no JSON error parsing, no Accept */
	/* Use a new connection: libcurl silently resends a request once when a reused
	   connection turns out dead, which must not happen behind a create's back. */
	int fresh_connection;
	/* A body streamed from this file instead of `body`: body_len bytes from its start, read
	   again from the start on each attempt. The transfer then has no overall time limit but
	   fails when no byte moves for the client's timeout_ms. */
	FILE *body_file;
} fl_http_request;

typedef struct {
	long status;
	char *body;     /* NUL-terminated, fl_free it */
	size_t len;
	int attempts;   /* how many attempts were made */
	char etag[72];  /* the response's ETag without its quotes, "" when none or too long */
} fl_http_response;

int fl_transport_new(fl_transport **out, const flyte_client_options *opts, flyte_error **error);
void fl_transport_free(fl_transport *t);
/* The auth module the transport asks for tokens (owned by the caller, may be NULL). */
void fl_transport_set_auth(fl_transport *t, fl_auth *auth);
const char *fl_transport_base_url(const fl_transport *t);
/* What to tell a user whose request was refused for want of credentials when the client
   sends none (e.g. the configuration's authType cannot be performed); copied, NULL clears. */
int fl_transport_set_auth_hint(fl_transport *t, const char *hint);

/*
 * Sends a request. Returns 0 for a 2xx response (body in resp), else a negative FLYTE_E*
 * code with *error describing it (HTTP status, gRPC code and the server's message) and the
 * response, if any, still in resp. fl_http_response_dispose frees it either way.
 */
int fl_transport_send(fl_transport *t, const fl_http_request *req, fl_http_response *resp, flyte_error **error);
void fl_http_response_dispose(fl_http_response *resp);

/*
 * The same request in steps, for callers that drive transfers themselves (the poller's
 * curl multi): start, then per attempt prepare, run fl_call_easy() to completion, and
 * finish with its curl code; FL_CALL_RETRY asks for another attempt after *wait_ms.
 */
typedef struct fl_http_call fl_http_call;
enum { FL_CALL_DONE, FL_CALL_RETRY, FL_CALL_FAILED };
int fl_call_start(fl_http_call **out, fl_transport *t, const fl_http_request *req, flyte_error **error);
int fl_call_prepare(fl_http_call *c, flyte_error **error);
void *fl_call_easy(fl_http_call *c); /* the CURL easy handle; CURLOPT_PRIVATE is the call */
int fl_call_finish(fl_http_call *c, int curl_code, fl_http_response *resp, long *wait_ms, int *rc,
		   flyte_error **error);
void fl_call_free(fl_http_call *c);

/* Logging through the client's sink, at or below its level. */
void fl_log(const fl_transport *t, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The FLYTE_E* code for an HTTP status and gRPC code (-1: none). */
int fl_code_for_status(long status, int grpc_code);

#endif
