/* Building flyte_error objects (the public accessors are in flyte/common.h). */
#ifndef FLYTE_ERROR_H
#define FLYTE_ERROR_H

#include "flyte/common.h"

struct flyte_error {
	int code;
	int http_status;
	int grpc_code;
	int retryable;
	char *message;
};

/* Stores a new error in *error (when error is not NULL; an old one there is freed) and
   returns code, so callers can `return fl_error(...)`. When even the message cannot be
   allocated, a static out-of-memory error is stored. */
int fl_error(flyte_error **error, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same with HTTP and gRPC detail. */
int fl_error_http(flyte_error **error, int code, int http_status, int grpc_code, int retryable,
		  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Prefixes the message of *error with "prefix: " (no-op when error or *error is NULL). */
void fl_error_prefix(flyte_error **error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
