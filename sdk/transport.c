/* HTTP requests to FlyteAdmin over libcurl, with retries (see transport.h). */
#include "transport.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "alloc.h"
#include "auth.h"
#include "error.h"
#include "flyte/version.h"
#include "pb_json.h"

struct fl_transport {
	char *base_url;
	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	pthread_mutex_t pool_lock;
	CURL **pool;
	size_t n_pool, cap_pool;
	long timeout_ms, connect_timeout_ms;
	int max_attempts;
	long retry_initial_ms, retry_max_ms, retry_deadline_ms;
	char *ca_cert_path;
	int insecure_skip_verify;
	flyte_log_fn log;
	void *log_payload;
	int log_level;
	fl_auth *auth;
	char *auth_hint;
};

void fl_log(const fl_transport *t, int level, const char *fmt, ...)
{
	if (!t || !t->log || level > t->log_level)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	t->log(level, msg, t->log_payload);
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *user)
{
	(void)h;
	(void)access;
	fl_transport *t = user;
	pthread_mutex_lock(&t->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *user)
{
	(void)h;
	fl_transport *t = user;
	pthread_mutex_unlock(&t->share_locks[data]);
}

/* "dns:///host:port" and "host:port" become URLs; a trailing '/' is dropped. */
static char *base_url_of(const char *endpoint, int insecure)
{
	if (strncmp(endpoint, "dns:///", 7) == 0)
		endpoint += 7;
	char *url = strstr(endpoint, "://") ? fl_strdup(endpoint)
					    : fl_asprintf("%s://%s", insecure ? "http" : "https", endpoint);
	if (url) {
		size_t n = strlen(url);
		while (n && url[n - 1] == '/')
			url[--n] = '\0';
	}
	return url;
}

int fl_transport_new(fl_transport **out, const flyte_client_options *o, flyte_error **error)
{
	*out = NULL;
	if (!o->endpoint || !*o->endpoint)
		return fl_error(error, FLYTE_EINVALID, "client options: endpoint is required");
	const char *scheme_end = strstr(o->endpoint, "://");
	if (scheme_end && strncmp(o->endpoint, "http://", 7) != 0 && strncmp(o->endpoint, "https://", 8) != 0 &&
	    strncmp(o->endpoint, "dns:///", 7) != 0)
		return fl_error(error, FLYTE_EINVALID,
				"client options: endpoint %s has an unsupported scheme (use http://, https://, "
				"dns:/// or host:port)",
				o->endpoint);
	fl_transport *t = fl_calloc(1, sizeof *t);
	if (!t)
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	t->base_url = base_url_of(o->endpoint, o->insecure);
	t->ca_cert_path = o->ca_cert_path ? fl_strdup(o->ca_cert_path) : NULL;
	t->share = curl_share_init();
	if (!t->base_url || (o->ca_cert_path && !t->ca_cert_path) || !t->share) {
		fl_transport_free(t);
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	}
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&t->share_locks[i], NULL);
	pthread_mutex_init(&t->pool_lock, NULL);
	curl_share_setopt(t->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(t->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(t->share, CURLSHOPT_USERDATA, t);
	curl_share_setopt(t->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(t->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	/* Not CURL_LOCK_DATA_CONNECT: libcurl does not support sharing a connection cache
	   between concurrent threads (CURLSHOPT_SHARE(3); valgrind saw one thread write to a
	   connection another had freed). Each pooled easy handle keeps its own connections. */
	t->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
	t->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
	t->max_attempts = o->max_attempts > 0 ? o->max_attempts : 5;
	t->retry_initial_ms = o->retry_initial_ms > 0 ? o->retry_initial_ms : 200;
	t->retry_max_ms = o->retry_max_ms > 0 ? o->retry_max_ms : 8000;
	t->retry_deadline_ms = o->retry_deadline_ms > 0 ? o->retry_deadline_ms : 60000;
	t->insecure_skip_verify = o->insecure_skip_verify;
	t->log = o->log;
	t->log_payload = o->log_payload;
	t->log_level = o->log_level ? o->log_level : FLYTE_LOG_WARN;
	*out = t;
	return 0;
}

void fl_transport_free(fl_transport *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_pool; i++)
		curl_easy_cleanup(t->pool[i]);
	fl_free(t->pool);
	if (t->share) {
		curl_share_cleanup(t->share);
		for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
			pthread_mutex_destroy(&t->share_locks[i]);
		pthread_mutex_destroy(&t->pool_lock);
	}
	fl_free(t->base_url);
	fl_free(t->ca_cert_path);
	fl_free(t->auth_hint);
	fl_free(t);
}

void fl_transport_set_auth(fl_transport *t, fl_auth *auth)
{
	t->auth = auth;
}

const char *fl_transport_base_url(const fl_transport *t)
{
	return t->base_url;
}

int fl_transport_set_auth_hint(fl_transport *t, const char *hint)
{
	char *copy = hint ? fl_strdup(hint) : NULL;
	if (hint && !copy)
		return FLYTE_ENOMEM;
	fl_free(t->auth_hint);
	t->auth_hint = copy;
	return 0;
}

static CURL *take_handle(fl_transport *t)
{
	CURL *h = NULL;
	pthread_mutex_lock(&t->pool_lock);
	if (t->n_pool)
		h = t->pool[--t->n_pool];
	pthread_mutex_unlock(&t->pool_lock);
	if (h)
		curl_easy_reset(h);
	else
		h = curl_easy_init();
	return h;
}

static void give_handle(fl_transport *t, CURL *h)
{
	pthread_mutex_lock(&t->pool_lock);
	if (t->n_pool == t->cap_pool) {
		size_t cap = t->cap_pool ? t->cap_pool * 2 : 8;
		CURL **pool = fl_realloc(t->pool, cap * sizeof *pool);
		if (pool) {
			t->pool = pool;
			t->cap_pool = cap;
		}
	}
	if (t->n_pool < t->cap_pool) {
		t->pool[t->n_pool++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&t->pool_lock);
	if (h)
		curl_easy_cleanup(h);
}

typedef struct {
	pb_buf body;
	long retry_after_ms; /* -1: none */
	char etag[72];
	int grpc_reply;      /* Content-Type application/grpc: a gRPC port, not the HTTP API */
} sink;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *user)
{
	sink *s = user;
	pb_buf_append(&s->body, ptr, size * nmemb);
	return s->body.failed ? 0 : size * nmemb;
}

/* The value of a header line (trimmed, quotes removed) when it fits in `out`. */
static void header_value(char *out, size_t out_size, const char *line, size_t n, size_t name_len)
{
	const char *v = line + name_len, *end = line + n;
	while (v < end && (*v == ' ' || *v == '"'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '"'))
		end--;
	out[0] = '\0';
	if ((size_t)(end - v) < out_size) {
		memcpy(out, v, (size_t)(end - v));
		out[end - v] = '\0';
	}
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *user)
{
	sink *s = user;
	size_t n = size * nmemb;
	if (n > 5 && strncasecmp(line, "ETag:", 5) == 0)
		header_value(s->etag, sizeof s->etag, line, n, 5);
	if (n > 13 && strncasecmp(line, "Content-Type:", 13) == 0) {
		char ct[64];
		header_value(ct, sizeof ct, line, n, 13);
		s->grpc_reply = strncasecmp(ct, "application/grpc", 16) == 0;
	}
	if (n > 12 && strncasecmp(line, "Retry-After:", 12) == 0) {
		char value[128];
		size_t k = n - 12 < sizeof value - 1 ? n - 12 : sizeof value - 1;
		memcpy(value, line + 12, k);
		value[k] = '\0';
		char *v = value, *end;
		while (*v == ' ')
			v++;
		long secs = strtol(v, &end, 10);
		if (end != v && (*end == '\r' || *end == '\n' || *end == '\0')) {
			s->retry_after_ms = secs < 0 ? 0 : secs * 1000;
		} else {
			time_t when = curl_getdate(v, NULL);
			if (when > 0)
				s->retry_after_ms = when > time(NULL) ? (long)(when - time(NULL)) * 1000 : 0;
		}
	}
	return n;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

int fl_code_for_status(long status, int grpc)
{
	if (grpc >= 0) {
		switch (grpc) {
		case 3: case 9: case 11: return FLYTE_EINVALID;
		case 4: return FLYTE_ETIMEOUT;
		case 5: return FLYTE_ENOTFOUND;
		case 6: case 10: return FLYTE_EEXISTS;
		case 7: case 16: return FLYTE_EAUTH;
		case 8: case 14: return FLYTE_EUNAVAILABLE;
		default: break;
		}
	}
	switch (status) {
	case 400: return FLYTE_EINVALID;
	case 401: case 403: return FLYTE_EAUTH;
	case 404: return FLYTE_ENOTFOUND;
	case 409: return FLYTE_EEXISTS;
	case 429: case 502: case 503: return FLYTE_EUNAVAILABLE;
	case 504: return FLYTE_ETIMEOUT;
	default: return FLYTE_ERROR;
	}
}

/* The server's {"code","message"}, or a short sanitised excerpt of a non-JSON body. */
static void error_detail(const char *data, size_t len, int *grpc, char *msg, size_t msg_size)
{
	*grpc = -1;
	json_t *v = data ? json_loadb(data, len, 0, NULL) : NULL;
	json_t *code = json_object_get(v, "code"), *message = json_object_get(v, "message");
	if (json_is_integer(code))
		*grpc = (int)json_integer_value(code);
	if (json_is_string(message)) {
		snprintf(msg, msg_size, "%s", json_string_value(message));
	} else {
		size_t k = 0;
		for (size_t i = 0; data && i < len && k + 1 < msg_size && k < 200; i++)
			msg[k++] = (data[i] >= 0x20 && data[i] < 0x7f) ? data[i] : ' ';
		msg[k] = '\0';
	}
	json_decref(v);
}

static int transient_curl(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR: return 1;
	default: return 0;
	}
}

static long backoff_ms(const fl_transport *t, int attempt)
{
	long cap = t->retry_initial_ms;
	for (int i = 1; i < attempt && cap < t->retry_max_ms; i++)
		cap *= 2;
	if (cap > t->retry_max_ms)
		cap = t->retry_max_ms;
	/* Full jitter: spreads retries of many clients hit by the same outage. */
	unsigned int seed = (unsigned int)(now_ms() ^ (long long)(uintptr_t)&cap);
	return cap / 2 + (long)(rand_r(&seed) % (cap / 2 + 1));
}

/* Appends the exchange to $FLYTEREMOTE_TRACE (JSON lines) when that is set: the tests check
   every body against the flyteidl schema with it. Token requests (raw, no_auth) are never
   traced, so no secret reaches the file. */
static void trace(const fl_http_request *req, const char *url, long status, const sink *s)
{
	const char *path = getenv("FLYTEREMOTE_TRACE");
	if (!path || !*path || req->raw || req->no_auth)
		return;
	json_t *rec = json_pack("{s:s,s:s,s:i,s:s%,s:s%}", "method", req->method, "url", url, "status", (int)status,
				"request", req->body ? req->body : "", req->body ? req->body_len : (size_t)0,
				"response", s->body.data ? s->body.data : "", s->body.data ? s->body.len : (size_t)0);
	char *line = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
	json_decref(rec);
	/* One line per exchange even when many threads share the client. */
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&lock);
	FILE *f = line ? fopen(path, "a") : NULL;
	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
	pthread_mutex_unlock(&lock);
	free(line);
}

struct fl_http_call {
	fl_transport *t;
	fl_http_request req; /* the caller's strings are borrowed for the call's life */
	char *url;
	CURL *h;
	struct curl_slist *hdrs;
	sink s;
	int attempt;
	int refreshed;
	long long deadline;
	size_t body_left; /* of body_file, in this attempt */
};

void *fl_call_easy(fl_http_call *c)
{
	return c->h;
}

int fl_call_start(fl_http_call **out, fl_transport *t, const fl_http_request *req, flyte_error **error)
{
	*out = NULL;
	fl_http_call *c = fl_calloc(1, sizeof *c);
	if (!c)
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	c->t = t;
	c->req = *req;
	c->url = strstr(req->url, "://") ? fl_strdup(req->url) : fl_asprintf("%s%s", t->base_url, req->url);
	c->h = c->url ? take_handle(t) : NULL;
	if (!c->h) {
		fl_call_free(c);
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	}
	c->deadline = now_ms() + t->retry_deadline_ms;
	*out = c;
	return 0;
}

void fl_call_free(fl_http_call *c)
{
	if (!c)
		return;
	if (c->h)
		give_handle(c->t, c->h);
	curl_slist_free_all(c->hdrs);
	fl_free(c->s.body.data);
	fl_free(c->url);
	fl_free(c);
}

static size_t on_read(char *buf, size_t size, size_t nmemb, void *user)
{
	fl_http_call *c = user;
	size_t want = size * nmemb < c->body_left ? size * nmemb : c->body_left;
	if (!want)
		return 0;
	size_t k = fread(buf, 1, want, c->req.body_file);
	if (!k) /* the file shrank or cannot be read: the caller sees it in the FILE */
		return CURL_READFUNC_ABORT;
	c->body_left -= k;
	return k;
}

static int stream_body(fl_http_call *c, flyte_error **error)
{
	CURL *h = c->h;
	if (fseeko(c->req.body_file, 0, SEEK_SET) != 0)
		return fl_error(error, FLYTE_EIO, "%s %s: cannot rewind the body: %s", c->req.method, c->url,
				strerror(errno));
	c->body_left = c->req.body_len;
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->req.method);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, c);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)c->req.body_len);
	/* A large body may need longer than timeout_ms in all: give up when it stalls instead. */
	long stall_s = c->t->timeout_ms / 1000 > 0 ? c->t->timeout_ms / 1000 : 1;
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, stall_s);
	return 0;
}

int fl_call_prepare(fl_http_call *c, flyte_error **error)
{
	fl_transport *t = c->t;
	const fl_http_request *req = &c->req;
	curl_easy_reset(c->h);
	curl_slist_free_all(c->hdrs);
	c->hdrs = NULL;
	fl_free(c->s.body.data);
	memset(&c->s, 0, sizeof c->s);
	c->s.retry_after_ms = -1;
	c->attempt++;
	char *auth_line = NULL;
	if (t->auth && !req->no_auth) {
		int rc = fl_auth_header(t->auth, &auth_line, 0, error);
		if (rc)
			return rc;
	}
	char ct[128];
	snprintf(ct, sizeof ct, "Content-Type: %s", req->content_type ? req->content_type : "application/json");
	struct curl_slist *tmp;
	int ok = 1;
#define ADD(line) ((tmp = curl_slist_append(c->hdrs, (line))) ? (void)(c->hdrs = tmp) : (void)(ok = 0))
	if (!req->raw)
		ADD("Accept: application/json");
	ADD(ct);
	ADD("Expect:");
	if (auth_line)
		ADD(auth_line);
	for (const char *const *x = req->headers; x && *x; x++)
		ADD(*x);
#undef ADD
	if (auth_line)
		memset(auth_line, 0, strlen(auth_line));
	fl_free(auth_line);
	if (!ok)
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	CURL *h = c->h;
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_SHARE, t->share);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "flyteremote/" FLYTE_VERSION_STRING);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, t->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, t->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, t->insecure_skip_verify ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, t->insecure_skip_verify ? 0L : 2L);
	if (t->ca_cert_path)
		curl_easy_setopt(h, CURLOPT_CAINFO, t->ca_cert_path);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &c->s);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &c->s);
	curl_easy_setopt(h, CURLOPT_PRIVATE, c);
	if (req->fresh_connection)
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	if (strcmp(req->method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else if (req->body_file) {
		return stream_body(c, error);
	} else {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? req->body_len : 0));
	}
	return 0;
}

/* A gRPC port answers an HTTP/1.1 request with HTTP/2 frames (curl: "Unsupported
   protocol", i.e. HTTP/0.9) and an HTTP/2 one with Content-Type application/grpc. */
static const char *not_http_hint(const char *url, CURLcode cc, int grpc_reply)
{
	int http = strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0;
	if (!http || (!grpc_reply && cc != CURLE_UNSUPPORTED_PROTOCOL && cc != CURLE_WEIRD_SERVER_REPLY))
		return "";
	return " (this looks like FlyteAdmin's gRPC port: flyteremote speaks FlyteAdmin's HTTP API, the "
	       "grpc-gateway, which is on the same host at the HTTP port: often 443 or 80 behind an ingress, "
	       "8088 for a FlyteAdmin of its own; the gRPC port is usually 8089 or 81)";
}

static const char *auth_hint(const fl_transport *t)
{
	return t->auth_hint ? t->auth_hint
			    : "the server wants credentials and none are configured (admin.authType ClientSecret or "
			      "ExternalCommand, or the FLYTE_CREDENTIALS_* variables)";
}

int fl_call_finish(fl_http_call *c, int curl_code, fl_http_response *resp, long *wait_ms, int *rc,
		   flyte_error **error)
{
	fl_transport *t = c->t;
	const fl_http_request *req = &c->req;
	CURLcode cc = (CURLcode)curl_code;
	long status = 0;
	int retryable = 0;
	*wait_ms = 0;
	fl_http_response_dispose(resp);
	resp->attempts = c->attempt;
	if (cc == CURLE_WRITE_ERROR && c->s.body.failed)
		cc = CURLE_OUT_OF_MEMORY;
	if (cc == CURLE_OUT_OF_MEMORY) {
		*rc = fl_error(error, FLYTE_ENOMEM, "out of memory");
		return FL_CALL_FAILED;
	}
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status);
	trace(req, c->url, cc == CURLE_OK ? status : 0, &c->s);
	/* The wrong port is a setting to change: no retry, no "the server failed". */
	const char *port_hint = not_http_hint(c->url, cc, c->s.grpc_reply);
	if (cc != CURLE_OK) {
		int code = cc == CURLE_OPERATION_TIMEDOUT ? FLYTE_ETIMEOUT : FLYTE_EUNAVAILABLE;
		if (!transient_curl(cc))
			code = *port_hint ? FLYTE_EINVALID : FLYTE_ERROR;
		*rc = fl_error_http(error, code, 0, -1, transient_curl(cc), "%s %s: %s%s", req->method, c->url,
				    curl_easy_strerror(cc), port_hint);
		/* A refused connection sent nothing, so even a non-idempotent call may retry. */
		retryable = transient_curl(cc) && (req->idempotent || cc == CURLE_COULDNT_CONNECT);
	} else {
		resp->status = status;
		resp->body = c->s.body.data ? c->s.body.data : fl_strdup("");
		resp->len = c->s.body.data ? c->s.body.len : 0;
		memcpy(resp->etag, c->s.etag, sizeof resp->etag);
		c->s.body.data = NULL;
		if (!resp->body) {
			*rc = fl_error(error, FLYTE_ENOMEM, "out of memory");
			return FL_CALL_FAILED;
		}
		if (status >= 200 && status < 300) {
			*rc = 0;
			if (error && *error) { /* a failure that a later attempt overcame */
				flyte_error_free(*error);
				*error = NULL;
			}
			return FL_CALL_DONE;
		}
		if (status == 401 && t->auth && !req->no_auth && !c->refreshed && fl_auth_refreshable(t->auth)) {
			/* A stale token: fetch a new one and try once more, not counted as an attempt. */
			c->refreshed = 1;
			c->attempt--;
			fl_log(t, FLYTE_LOG_INFO, "%s %s: 401, refreshing the token", req->method, c->url);
			fl_auth_invalidate(t->auth);
			fl_http_response_dispose(resp);
			return FL_CALL_RETRY;
		}
		int grpc = -1;
		char msg[2048];
		if (req->raw) {
			snprintf(msg, sizeof msg, "HTTP %ld", status);
		} else {
			error_detail(resp->body, resp->len, &grpc, msg, sizeof msg);
		}
		retryable = !*port_hint &&
			    (status == 429 || status == 502 || status == 503 || status == 504 || grpc == 14);
		int no_credentials = (status == 401 || grpc == 16) && !t->auth && !req->no_auth;
		int code = *port_hint ? FLYTE_EINVALID : fl_code_for_status(status, grpc);
		*rc = fl_error_http(error, code, (int)status, grpc, retryable, "%s %s: HTTP %ld: %s%s%s%s", req->method,
				    c->url, status, msg, port_hint, no_credentials ? "; " : "",
				    no_credentials ? auth_hint(t) : "");
		retryable = retryable && req->idempotent;
	}
	if (!retryable || c->attempt >= t->max_attempts)
		return FL_CALL_FAILED;
	long wait = backoff_ms(t, c->attempt);
	if (c->s.retry_after_ms > wait)
		wait = c->s.retry_after_ms;
	if (now_ms() + wait > c->deadline) {
		fl_error_prefix(error, "giving up before the retry deadline (%ld ms)", t->retry_deadline_ms);
		return FL_CALL_FAILED;
	}
	fl_log(t, FLYTE_LOG_INFO, "%s %s: attempt %d failed (%s), retrying in %ld ms", req->method, c->url, c->attempt,
	       error && *error ? flyte_error_message(*error) : "transient failure", wait);
	fl_http_response_dispose(resp);
	*wait_ms = wait;
	return FL_CALL_RETRY;
}

int fl_transport_send(fl_transport *t, const fl_http_request *req, fl_http_response *resp, flyte_error **error)
{
	memset(resp, 0, sizeof *resp);
	fl_http_call *c;
	int rc = fl_call_start(&c, t, req, error);
	if (rc)
		return rc;
	for (;;) {
		rc = fl_call_prepare(c, error);
		if (rc)
			break;
		long wait;
		if (fl_call_finish(c, curl_easy_perform(c->h), resp, &wait, &rc, error) != FL_CALL_RETRY)
			break;
		sleep_ms(wait);
	}
	fl_call_free(c);
	return rc;
}

void fl_http_response_dispose(fl_http_response *resp)
{
	fl_free(resp->body);
	resp->body = NULL;
	resp->len = 0;
	resp->status = 0;
	resp->etag[0] = '\0';
}
