/* The error object: code, message, HTTP status, gRPC code, retryable. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

#include "alloc.h"

/* Returned when not even an error can be allocated; flyte_error_free ignores it. */
static struct flyte_error g_oom = {FLYTE_ENOMEM, 0, -1, 0, "out of memory"};

static int store(flyte_error **error, int code, int http, int grpc, int retryable, const char *fmt,
		 va_list ap)
{
	if (!error)
		return code;
	flyte_error_free(*error);
	*error = &g_oom;
	flyte_error *e = fl_malloc(sizeof *e);
	if (!e)
		return code;
	e->message = fl_vasprintf(fmt, ap);
	if (!e->message) {
		fl_free(e);
		return code;
	}
	e->code = code;
	e->http_status = http;
	e->grpc_code = grpc;
	e->retryable = retryable;
	*error = e;
	return code;
}

int fl_error(flyte_error **error, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	store(error, code, 0, -1, code == FLYTE_EUNAVAILABLE || code == FLYTE_ETIMEOUT, fmt, ap);
	va_end(ap);
	return code;
}

int fl_error_http(flyte_error **error, int code, int http_status, int grpc_code, int retryable,
		  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	store(error, code, http_status, grpc_code, retryable, fmt, ap);
	va_end(ap);
	return code;
}

void fl_error_prefix(flyte_error **error, const char *fmt, ...)
{
	if (!error || !*error || *error == &g_oom)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *prefix = fl_vasprintf(fmt, ap);
	va_end(ap);
	if (!prefix)
		return;
	char *msg = fl_asprintf("%s: %s", prefix, (*error)->message);
	fl_free(prefix);
	if (!msg)
		return;
	fl_free((*error)->message);
	(*error)->message = msg;
}

int flyte_error_code_of(const flyte_error *error)
{
	return error ? error->code : FLYTE_OK;
}

const char *flyte_error_message(const flyte_error *error)
{
	return error ? error->message : "";
}

int flyte_error_http_status(const flyte_error *error)
{
	return error ? error->http_status : 0;
}

int flyte_error_grpc_code(const flyte_error *error)
{
	return error ? error->grpc_code : -1;
}

int flyte_error_retryable(const flyte_error *error)
{
	return error ? error->retryable : 0;
}

void flyte_error_free(flyte_error *error)
{
	if (!error || error == &g_oom)
		return;
	fl_free(error->message);
	fl_free(error);
}

const char *flyte_error_code_name(int code)
{
	switch (code) {
	case FLYTE_OK: return "FLYTE_OK";
	case FLYTE_ERROR: return "FLYTE_ERROR";
	case FLYTE_ENOMEM: return "FLYTE_ENOMEM";
	case FLYTE_EINVALID: return "FLYTE_EINVALID";
	case FLYTE_ENOTFOUND: return "FLYTE_ENOTFOUND";
	case FLYTE_EEXISTS: return "FLYTE_EEXISTS";
	case FLYTE_EAUTH: return "FLYTE_EAUTH";
	case FLYTE_ETIMEOUT: return "FLYTE_ETIMEOUT";
	case FLYTE_EUNAVAILABLE: return "FLYTE_EUNAVAILABLE";
	case FLYTE_EIO: return "FLYTE_EIO";
	case FLYTE_EUSER: return "FLYTE_EUSER";
	case FLYTE_ETYPE: return "FLYTE_ETYPE";
	default: return "FLYTE_UNKNOWN";
	}
}
