/* A scripted HTTP/1.1 server on loopback for fault-injection tests. */
#define _GNU_SOURCE /* strcasestr */
#include "stub_http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_REQUESTS 64

struct stub_http {
	int listen_fd;
	int stop;
	pthread_t thread;
	char url[64];
	const stub_step *steps;
	size_t n_steps;
	pthread_mutex_t lock;
	stub_request requests[MAX_REQUESTS];
	char upstream[128];
	int active; /* connection threads still running */
	size_t n_requests;
};

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Reads one request; 0 on success, -1 when the peer closed or the server stops. */
static int read_request(stub_http *s, int fd, stub_request *rq)
{
	char buf[16384];
	size_t n = 0;
	char *end = NULL;
	while (!end) {
		struct pollfd p = {fd, POLLIN, 0};
		if (s->stop)
			return -1;
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t k = read(fd, buf + n, sizeof buf - 1 - n);
		if (k <= 0)
			return -1;
		n += (size_t)k;
		buf[n] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (!end && n == sizeof buf - 1)
			return -1;
	}
	size_t head = (size_t)(end - buf) + 4;
	memset(rq, 0, sizeof *rq);
	sscanf(buf, "%15s %511s", rq->method, rq->path);
	char *line_end = strstr(buf, "\r\n");
	size_t hl = head - (size_t)(line_end + 2 - buf);
	if (hl >= sizeof rq->headers)
		hl = sizeof rq->headers - 1;
	memcpy(rq->headers, line_end + 2, hl);
	size_t clen = 0;
	char *cl = strcasestr(rq->headers, "\r\ncontent-length:");
	if (!cl && strncasecmp(rq->headers, "content-length:", 15) == 0)
		cl = rq->headers - 2;
	if (cl)
		clen = strtoul(cl + 17, NULL, 10);
	size_t have = n - head;
	if (clen >= sizeof rq->body)
		clen = sizeof rq->body - 1;
	memcpy(rq->body, buf + head, have < clen ? have : clen);
	while (have < clen) {
		ssize_t k = read(fd, rq->body + have, clen - have);
		if (k <= 0)
			return -1;
		have += (size_t)k;
	}
	return 0;
}

static void write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t k = send(fd, data, len, MSG_NOSIGNAL);
		if (k <= 0)
			return;
		data += k;
		len -= (size_t)k;
	}
}

typedef struct {
	char data[65536];
	size_t len;
} reply_buf;

static size_t collect(char *p, size_t size, size_t n, void *user)
{
	reply_buf *b = user;
	size_t k = size * n;
	if (b->len + k >= sizeof b->data)
		k = sizeof b->data - 1 - b->len;
	memcpy(b->data + b->len, p, k);
	b->len += k;
	return size * n;
}

/* Sends rq to the upstream server; its status and body come back in *status and b. */
static void forward(stub_http *s, const stub_request *rq, long *status, reply_buf *b)
{
	char url[1024];
	snprintf(url, sizeof url, "%s%s", s->upstream, rq->path);
	CURL *h = curl_easy_init();
	struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
	if (strcmp(rq->method, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	*status = 502;
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	b->data[b->len] = '\0';
}

void stub_set_upstream(stub_http *s, const char *url)
{
	snprintf(s->upstream, sizeof s->upstream, "%s", url);
}

static void serve(stub_http *s, int fd)
{
	for (;;) {
		stub_request rq;
		if (read_request(s, fd, &rq) != 0)
			break;
		pthread_mutex_lock(&s->lock);
		size_t idx = s->n_requests;
		if (s->n_requests < MAX_REQUESTS)
			s->requests[s->n_requests++] = rq;
		pthread_mutex_unlock(&s->lock);
		const stub_step *st = &s->steps[idx < s->n_steps ? idx : s->n_steps - 1];
		if (st->delay_ms)
			sleep_ms(st->delay_ms);
		if (st->action == STUB_CLOSE)
			break;
		reply_buf *fwd = NULL;
		long status = st->status;
		const char *body = st->body ? st->body : "";
		if (st->action == STUB_FORWARD || st->action == STUB_FORWARD_DROP) {
			fwd = calloc(1, sizeof *fwd);
			if (!fwd)
				break;
			forward(s, &rq, &status, fwd);
			if (st->action == STUB_FORWARD_DROP) {
				free(fwd);
				break;
			}
			body = fwd->data;
		}
		size_t blen = strlen(body);
		char head[2048];
		int k = snprintf(head, sizeof head, "HTTP/1.1 %ld Stub\r\nContent-Length: %zu\r\n%s\r\n", status,
				 st->action == STUB_TRUNCATE ? blen + 100 : blen, st->headers ? st->headers : "");
		write_all(fd, head, (size_t)k);
		write_all(fd, body, blen);
		free(fwd);
		if (st->action == STUB_TRUNCATE)
			break;
	}
	close(fd);
}

typedef struct {
	stub_http *s;
	int fd;
} conn_arg;

static void *serve_thread(void *arg)
{
	conn_arg *a = arg;
	serve(a->s, a->fd);
	pthread_mutex_lock(&a->s->lock);
	a->s->active--;
	pthread_mutex_unlock(&a->s->lock);
	free(a);
	return NULL;
}

/* One thread per connection: a client may open a new connection while an idle
   keep-alive one is still open. */
static void *run(void *arg)
{
	stub_http *s = arg;
	while (!s->stop) {
		struct pollfd p = {s->listen_fd, POLLIN, 0};
		if (poll(&p, 1, 100) <= 0)
			continue;
		int fd = accept(s->listen_fd, NULL, NULL);
		conn_arg *a = fd >= 0 ? malloc(sizeof *a) : NULL;
		pthread_t t;
		if (!a) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		a->s = s;
		a->fd = fd;
		pthread_mutex_lock(&s->lock);
		s->active++;
		pthread_mutex_unlock(&s->lock);
		if (pthread_create(&t, NULL, serve_thread, a) != 0) {
			close(fd);
			free(a);
			pthread_mutex_lock(&s->lock);
			s->active--;
			pthread_mutex_unlock(&s->lock);
			continue;
		}
		pthread_detach(t);
	}
	/* Connection threads notice `stop` within their poll interval. */
	for (;;) {
		pthread_mutex_lock(&s->lock);
		int active = s->active;
		pthread_mutex_unlock(&s->lock);
		if (!active)
			break;
		sleep_ms(20);
	}
	return NULL;
}

stub_http *stub_start(const stub_step *steps, size_t n)
{
	stub_http *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->steps = steps;
	s->n_steps = n;
	pthread_mutex_init(&s->lock, NULL);
	s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof a;
	if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(s->listen_fd, 16) != 0 ||
	    getsockname(s->listen_fd, (struct sockaddr *)&a, &len) != 0) {
		free(s);
		return NULL;
	}
	snprintf(s->url, sizeof s->url, "http://127.0.0.1:%u", ntohs(a.sin_port));
	pthread_create(&s->thread, NULL, run, s);
	return s;
}

const char *stub_url(const stub_http *s)
{
	return s->url;
}

size_t stub_count(stub_http *s)
{
	pthread_mutex_lock(&s->lock);
	size_t n = s->n_requests;
	pthread_mutex_unlock(&s->lock);
	return n;
}

const stub_request *stub_request_at(stub_http *s, size_t i)
{
	return i < stub_count(s) ? &s->requests[i] : NULL;
}

const char *stub_header(stub_http *s, size_t i, const char *name)
{
	static char value[1024];
	const stub_request *rq = stub_request_at(s, i);
	if (!rq)
		return NULL;
	size_t nl = strlen(name);
	for (const char *line = rq->headers; *line;) {
		const char *eol = strstr(line, "\r\n");
		if (!eol)
			break;
		if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
			const char *v = line + nl + 1;
			while (*v == ' ')
				v++;
			snprintf(value, sizeof value, "%.*s", (int)(eol - v), v);
			return value;
		}
		line = eol + 2;
	}
	return NULL;
}

void stub_stop(stub_http *s)
{
	s->stop = 1;
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
