/*
 * A scripted HTTP/1.1 server on loopback for the tests that must inject faults a real
 * server does not produce on demand (503 then success, 429 with Retry-After, a reset
 * connection, a truncated body, a slow answer, 401 then a fresh token). Everything else
 * is tested against the real flyte-devserver.
 */
#ifndef FLYTE_STUB_HTTP_H
#define FLYTE_STUB_HTTP_H

#include <stddef.h>

typedef enum {
	STUB_RESPOND,  /* send status, headers, body */
	STUB_CLOSE,    /* close the connection without answering (a reset) */
	STUB_TRUNCATE, /* announce body_len + 100 bytes, send body, close */
	STUB_FORWARD,  /* pass the request to the upstream server, answer with its reply */
	STUB_FORWARD_DROP, /* pass it upstream, then close without answering (a lost reply) */
} stub_action;

typedef struct {
	stub_action action;
	int status;
	const char *headers; /* extra header lines, each ending in \r\n; may be NULL */
	const char *body;    /* may be NULL */
	int delay_ms;        /* wait before acting */
} stub_step;

typedef struct {
	char method[16];
	char path[512];
	char headers[4096]; /* raw header block */
	char body[8192];
} stub_request;

typedef struct stub_http stub_http;

/* Starts a server that plays `steps` in order (one per request; after the last, the last
   step repeats). Returns NULL on failure. */
stub_http *stub_start(const stub_step *steps, size_t n);
/* "http://127.0.0.1:PORT" */
const char *stub_url(const stub_http *s);
/* Requests received so far, and the i-th one. */
size_t stub_count(stub_http *s);
const stub_request *stub_request_at(stub_http *s, size_t i);
/* The value of header `name` in request i (case-insensitive), in a static buffer, or NULL. */
const char *stub_header(stub_http *s, size_t i, const char *name);
/* Where STUB_FORWARD steps send requests ("http://127.0.0.1:PORT"); copied. */
void stub_set_upstream(stub_http *s, const char *url);
void stub_stop(stub_http *s);

#endif
