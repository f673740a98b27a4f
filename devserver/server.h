/*
 * flyte-devserver internals shared by every module: the server object, requests and
 * replies, routes, gRPC status codes and the JSON helpers that bridge the flyteidl model
 * (sdk/pb.h) and jansson.
 *
 * Each API area is one module with its own routes table (routes.c lists them) and its own
 * SQLite tables (created by its *_init function).
 */
#ifndef DS_SERVER_H
#define DS_SERVER_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>

#include "flyte/common.h"
#include "pb.h"
#include "pb_schema.h"
#include "store.h"

struct MHD_Connection;
typedef struct ds_engine ds_engine;

/* gRPC status codes (FlyteAdmin's error bodies carry them as numbers). */
enum {
	GRPC_OK = 0,
	GRPC_CANCELLED = 1,
	GRPC_UNKNOWN = 2,
	GRPC_INVALID_ARGUMENT = 3,
	GRPC_DEADLINE_EXCEEDED = 4,
	GRPC_NOT_FOUND = 5,
	GRPC_ALREADY_EXISTS = 6,
	GRPC_PERMISSION_DENIED = 7,
	GRPC_RESOURCE_EXHAUSTED = 8,
	GRPC_FAILED_PRECONDITION = 9,
	GRPC_ABORTED = 10,
	GRPC_OUT_OF_RANGE = 11,
	GRPC_UNIMPLEMENTED = 12,
	GRPC_INTERNAL = 13,
	GRPC_UNAVAILABLE = 14,
	GRPC_DATA_LOSS = 15,
	GRPC_UNAUTHENTICATED = 16
};

typedef struct {
	const char *listen;      /* "127.0.0.1:30080" */
	const char *db_path;     /* SQLite file */
	const char *data_dir;    /* blobs, uploads, work directories */
	const char *auth_token;  /* NULL: no auth */
	int workers;             /* task processes at once */
	size_t max_body_bytes;   /* larger request bodies get 413 */
} ds_config;

typedef struct ds_server {
	ds_config config;
	ds_store *store;
	ds_engine *engine;
	char *base_url; /* "http://127.0.0.1:PORT", known once listening */
	unsigned short port;
} ds_server;

/* One HTTP request, as a handler sees it. */
typedef struct {
	const char *method;
	const char *path;       /* without the query string */
	struct MHD_Connection *conn;
	const char *body;       /* NUL-terminated; "" when none */
	size_t body_len;
	const char *params[16]; /* path parameters ({} segments), percent-decoded */
	int n_params;
} ds_request;

/* What a handler answers. body is owned (fl_malloc'd) JSON text or raw bytes. */
typedef struct {
	int status;
	char *body;
	size_t body_len;
	const char *content_type;  /* default application/json */
	char *file_path;           /* serve this file instead of body (owned) */
} ds_reply;

typedef void (*ds_handler)(ds_server *s, const ds_request *rq, ds_reply *out);

/* A route: method and a pattern of '/'-separated segments where "{}" matches one
   non-empty segment (stored in params) and a final "{*}" matches the rest. */
typedef struct {
	const char *method;
	const char *pattern;
	ds_handler handler;
} ds_route;

/* ---- replies (reply.c) ---- */

/* HTTP status for a gRPC code, as grpc-gateway's HTTPStatusFromCode. */
int ds_http_status(int grpc_code);
/* {"code":N,"message":"...","details":[]} with the matching HTTP status. */
void ds_reply_error(ds_reply *out, int grpc_code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same with one details entry (an Any object, stolen). */
void ds_reply_error_details(ds_reply *out, int grpc_code, json_t *detail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* 200 with m written as FlyteAdmin writes responses: snake_case, every non-oneof field. */
void ds_reply_msg(ds_reply *out, const pb_msg *m);
/* 200 with a jansson value (stolen) that must parse as a message of desc: it is decoded
   strictly and re-encoded in response style, so every body is valid flyteidl JSON. */
void ds_reply_json(ds_reply *out, const pb_msg_desc *desc, json_t *value);

/* ---- requests (http.c) ---- */

/* A query-string value (decoded), or NULL. */
const char *ds_query(const ds_request *rq, const char *key);
/* Decodes the body strictly as desc (unknown fields and wrong types are 400 with the
   JSON path; an empty body is an empty message). Returns 0, or fills `out` and returns -1. */
int ds_decode_body(const ds_request *rq, const pb_msg_desc *desc, pb_msg **msg, ds_reply *out);

/* ---- JSON bridge (reply.c) ---- */

/* A message as a jansson value in canonical form (snake_case, present fields only). */
json_t *ds_msg_to_json(const pb_msg *m);
/* A jansson value as a message (strict); NULL with *error set when it does not fit. */
pb_msg *ds_json_to_msg(const pb_msg_desc *desc, const json_t *value, flyte_error **error);
/* Canonical JSON text of a jansson value (sorted keys, compact); fl_free it. */
char *ds_json_dumps(const json_t *value);
/* json_loads for text this process wrote; aborts on malformed input (a bug). */
json_t *ds_json_loads(const char *text);

/* Current time as a protobuf Timestamp JSON string ("...Z"); out holds 40 bytes. */
void ds_now_rfc3339(char *out);
/* Current time in nanoseconds since the epoch. */
long long ds_now_ns(void);
/* Nanoseconds since the epoch as an RFC 3339 string. */
void ds_ns_to_rfc3339(char *out, long long ns);

#endif
