/* Replies in FlyteAdmin's style, and the bridge between flyteidl messages and jansson. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "pb_json.h"
#include "server.h"

int ds_http_status(int code)
{
	switch (code) {
	case GRPC_OK: return 200;
	case GRPC_CANCELLED: return 499;
	case GRPC_INVALID_ARGUMENT:
	case GRPC_FAILED_PRECONDITION:
	case GRPC_OUT_OF_RANGE: return 400;
	case GRPC_DEADLINE_EXCEEDED: return 504;
	case GRPC_NOT_FOUND: return 404;
	case GRPC_ALREADY_EXISTS:
	case GRPC_ABORTED: return 409;
	case GRPC_PERMISSION_DENIED: return 403;
	case GRPC_RESOURCE_EXHAUSTED: return 429;
	case GRPC_UNIMPLEMENTED: return 501;
	case GRPC_UNAVAILABLE: return 503;
	case GRPC_UNAUTHENTICATED: return 401;
	default: return 500;
	}
}

static void set_body(ds_reply *out, int status, char *body)
{
	fl_free(out->body);
	out->status = status;
	out->body = body;
	out->body_len = body ? strlen(body) : 0;
	out->content_type = "application/json";
	if (!body) { /* out of memory: still a valid error body */
		out->status = 500;
		out->body = fl_strdup("{\"code\":13,\"message\":\"out of memory\",\"details\":[]}");
		out->body_len = out->body ? strlen(out->body) : 0;
	}
}

/* An Any detail in FlyteAdmin's response style: its message re-encoded with every
   non-oneof field, "@type" kept. A detail of an unknown type is left as given. */
static json_t *detail_in_response_style(json_t *detail)
{
	const char *type = json_string_value(json_object_get(detail, "@type"));
	const char *slash = type ? strrchr(type, '/') : NULL;
	const pb_msg_desc *desc = NULL;
	for (size_t i = 0; slash && i < pb_schema_message_count; i++)
		if (strcmp(pb_schema_messages[i]->full_name, slash + 1) == 0)
			desc = pb_schema_messages[i];
	if (!desc)
		return detail;
	json_t *fields = json_deep_copy(detail);
	json_object_del(fields, "@type");
	pb_msg *m = NULL;
	pb_json_from_value(&m, desc, fields, "", 0, NULL);
	json_decref(fields);
	char *text = m ? pb_json_encode(m, PB_JSON_EMIT_UNPOPULATED, NULL) : NULL;
	pb_msg_free(m);
	json_t *full = text ? json_loads(text, 0, NULL) : NULL;
	fl_free(text);
	if (!full)
		return detail;
	json_object_set(full, "@type", json_object_get(detail, "@type"));
	json_decref(detail);
	return full;
}

static void error_v(ds_reply *out, int code, json_t *detail, const char *fmt, va_list ap)
{
	char msg[4096];
	vsnprintf(msg, sizeof msg, fmt, ap);
	json_t *details = json_array();
	if (detail)
		json_array_append_new(details, detail_in_response_style(detail));
	json_t *body = json_pack("{s:i,s:s,s:o}", "code", code, "message", msg, "details", details);
	pb_buf b = {0};
	if (body)
		pb_buf_json_value(&b, body);
	json_decref(body);
	set_body(out, ds_http_status(code), b.failed ? (fl_free(b.data), NULL) : b.data);
}

void ds_reply_error(ds_reply *out, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_v(out, code, NULL, fmt, ap);
	va_end(ap);
}

void ds_reply_error_details(ds_reply *out, int code, json_t *detail, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_v(out, code, detail, fmt, ap);
	va_end(ap);
}

void ds_reply_msg(ds_reply *out, const pb_msg *m)
{
	set_body(out, 200, pb_json_encode(m, PB_JSON_EMIT_UNPOPULATED, NULL));
}

void ds_reply_json(ds_reply *out, const pb_msg_desc *desc, json_t *value)
{
	flyte_error *err = NULL;
	pb_msg *m = value ? ds_json_to_msg(desc, value, &err) : NULL;
	json_decref(value);
	if (!m) {
		/* A response that does not fit its own schema is a server bug: say so loudly. */
		ds_reply_error(out, GRPC_INTERNAL, "dev server built an invalid %s: %s", desc->full_name,
			       err ? flyte_error_message(err) : "out of memory");
		flyte_error_free(err);
		return;
	}
	ds_reply_msg(out, m);
	pb_msg_free(m);
}

json_t *ds_msg_to_json(const pb_msg *m)
{
	char *text = pb_json_encode(m, 0, NULL);
	if (!text)
		return NULL;
	json_t *v = json_loads(text, JSON_ALLOW_NUL, NULL);
	fl_free(text);
	return v;
}

pb_msg *ds_json_to_msg(const pb_msg_desc *desc, const json_t *value, flyte_error **error)
{
	pb_msg *m = NULL;
	pb_json_from_value(&m, desc, value, "", 0, error);
	return m;
}

char *ds_json_dumps(const json_t *value)
{
	char *s = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (!s)
		return NULL;
	char *copy = fl_strdup(s);
	free(s);
	return copy;
}

json_t *ds_json_loads(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, JSON_ALLOW_NUL | JSON_DECODE_ANY, &je);
	if (!v) {
		fprintf(stderr, "flyte-devserver: stored JSON is malformed (%s): %.200s\n", je.text, text);
		abort();
	}
	return v;
}

long long ds_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void ds_ns_to_rfc3339(char *out, long long ns)
{
	long long s = ns / 1000000000LL;
	int n = (int)(ns % 1000000000LL);
	if (n < 0) {
		n += 1000000000;
		s--;
	}
	if (pb_format_timestamp(out, s, n) < 0)
		strcpy(out, "1970-01-01T00:00:00Z");
}

void ds_now_rfc3339(char *out)
{
	ds_ns_to_rfc3339(out, ds_now_ns());
}
