/*
 * http: the HTTP front end (libmicrohttpd, thread pool): reads request bodies up to the
 * size limit (413 beyond), checks the bearer token, routes to handlers and writes replies.
 */
#include "http.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "alloc.h"
#include "pb_json.h"
#include "routes.h"

struct ds_http {
	struct MHD_Daemon *daemon;
	ds_server *server;
};

/* Per-request state while the body arrives. */
typedef struct {
	char *body;
	size_t len, cap;
	int too_large;
} body_buf;

const char *ds_query(const ds_request *rq, const char *key)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, key);
}

int ds_decode_body(const ds_request *rq, const pb_msg_desc *desc, pb_msg **msg, ds_reply *out)
{
	flyte_error *err = NULL;
	const char *p = rq->body;
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	if (!*p) { /* grpc-gateway treats an empty body as an empty message */
		*msg = pb_msg_new(desc);
		if (*msg)
			return 0;
		ds_reply_error(out, GRPC_INTERNAL, "out of memory");
		return -1;
	}
	if (pb_json_decode(msg, desc, rq->body, rq->body_len, 0, &err) == 0)
		return 0;
	ds_reply_error(out, GRPC_INVALID_ARGUMENT, "%s", flyte_error_message(err));
	flyte_error_free(err);
	return -1;
}

/* Matches path against pattern; fills params with decoded segments (pointers into buf). */
static int match(const char *pattern, const char *path, ds_request *rq, char *buf, size_t bufsize)
{
	size_t used = 0;
	rq->n_params = 0;
	while (*pattern == '/' && *path == '/') {
		pattern++;
		path++;
		const char *pe = strchr(pattern, '/'), *se = strchr(path, '/');
		size_t plen = pe ? (size_t)(pe - pattern) : strlen(pattern);
		size_t slen = se ? (size_t)(se - path) : strlen(path);
		if (plen == 3 && strncmp(pattern, "{*}", 3) == 0) {
			slen = strlen(path);
			se = NULL;
		}
		if ((plen == 2 && strncmp(pattern, "{}", 2) == 0) || (plen == 3 && strncmp(pattern, "{*}", 3) == 0)) {
			if (slen == 0 || rq->n_params == 16 || used + slen + 1 > bufsize)
				return 0;
			memcpy(buf + used, path, slen);
			buf[used + slen] = '\0';
			MHD_http_unescape(buf + used);
			rq->params[rq->n_params++] = buf + used;
			used += slen + 1;
		} else if (plen != slen || strncmp(pattern, path, plen) != 0) {
			return 0;
		}
		pattern += plen;
		path += slen;
	}
	return *pattern == '\0' && *path == '\0';
}

static int authorized(ds_server *s, struct MHD_Connection *conn)
{
	if (!s->config.auth_token)
		return 1;
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	if (!h)
		h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "flyte-authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return 0;
	return strcmp(h + 7, s->config.auth_token) == 0;
}

/* Routes that answer without a token: the health check and auth discovery. */
static int public_path(const char *path)
{
	return strcmp(path, "/healthcheck") == 0 || strcmp(path, "/.well-known/oauth-authorization-server") == 0 ||
	       strcmp(path, "/config/v1/flyte_client") == 0 || strcmp(path, "/oauth2/token") == 0 ||
	       strncmp(path, "/files/", 7) == 0;
}

static void dispatch(ds_server *s, ds_request *rq, ds_reply *out)
{
	char buf[4096];
	int path_known = 0;
	for (const ds_route *const *table = ds_route_tables; *table; table++) {
		for (const ds_route *r = *table; r->method; r++) {
			if (!match(r->pattern, rq->path, rq, buf, sizeof buf))
				continue;
			path_known = 1;
			if (strcmp(r->method, rq->method) != 0)
				continue;
			r->handler(s, rq, out);
			return;
		}
	}
	if (path_known) /* grpc-gateway maps 405 to UNIMPLEMENTED */
		ds_reply_error(out, GRPC_UNIMPLEMENTED, "Method Not Allowed");
	else
		ds_reply_error(out, GRPC_NOT_FOUND, "Not Found");
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, ds_reply *r)
{
	struct MHD_Response *resp;
	if (r->file_path) {
		int fd = open(r->file_path, O_RDONLY);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) != 0) {
			if (fd >= 0)
				close(fd);
			fl_free(r->file_path);
			r->file_path = NULL;
			ds_reply_error(r, GRPC_NOT_FOUND, "object not found");
			return send_reply(conn, r);
		}
		resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	} else {
		resp = MHD_create_response_from_buffer(r->body_len, r->body ? r->body : (char *)"",
						       MHD_RESPMEM_MUST_COPY);
	}
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", r->content_type ? r->content_type : "application/json");
	if (r->status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	(void)version;
	ds_server *s = cls;
	body_buf *bb = *con_cls;
	if (!bb) { /* first call: headers only */
		bb = fl_calloc(1, sizeof *bb);
		if (!bb)
			return MHD_NO;
		*con_cls = bb;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!bb->too_large && bb->len + *upload_data_size > s->config.max_body_bytes)
			bb->too_large = 1;
		if (!bb->too_large) {
			if (bb->len + *upload_data_size + 1 > bb->cap) {
				size_t cap = (bb->len + *upload_data_size + 1) * 2;
				char *nb = fl_realloc(bb->body, cap);
				if (!nb)
					return MHD_NO;
				bb->body = nb;
				bb->cap = cap;
			}
			memcpy(bb->body + bb->len, upload_data, *upload_data_size);
			bb->len += *upload_data_size;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	ds_reply reply = {0};
	ds_request rq = {.method = method, .path = url, .conn = conn, .body = bb->body ? bb->body : "",
			 .body_len = bb->len};
	if (bb->body)
		bb->body[bb->len] = '\0';
	if (bb->too_large)
		ds_reply_error(&reply, GRPC_RESOURCE_EXHAUSTED, "request body larger than %zu bytes",
			       s->config.max_body_bytes), reply.status = 413;
	else if (!public_path(url) && !authorized(s, conn))
		ds_reply_error(&reply, GRPC_UNAUTHENTICATED, "missing or invalid bearer token");
	else
		dispatch(s, &rq, &reply);
	enum MHD_Result ret = send_reply(conn, &reply);
	fl_free(reply.body);
	fl_free(reply.file_path);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	body_buf *bb = *con_cls;
	if (bb) {
		fl_free(bb->body);
		fl_free(bb);
	}
	*con_cls = NULL;
}

int ds_http_start(ds_http **out, ds_server *s, const char *host, unsigned short port, char **error)
{
	*out = NULL;
	struct sockaddr_in addr = {0};
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		*error = fl_asprintf("invalid listen address %s (an IPv4 address is expected)", host);
		return -1;
	}
	ds_http *h = fl_calloc(1, sizeof *h);
	if (!h) {
		*error = fl_strdup("out of memory");
		return -1;
	}
	h->server = s;
	h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, port, NULL,
				     NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_THREAD_POOL_SIZE,
				     (unsigned)4, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_END);
	if (!h->daemon) {
		*error = fl_asprintf("cannot listen on %s:%u (address in use?)", host, port);
		fl_free(h);
		return -1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : port;
	*out = h;
	return 0;
}

void ds_http_stop(ds_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->daemon);
	fl_free(h);
}
