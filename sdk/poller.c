/* Many executions launched and watched from one thread over curl multi (flyte/poller.h).
   Each execution is a small state machine: create, then status polls with backoff, then
   node executions and outputs once terminal, then its callback. */
#include "flyte/poller.h"

#include <curl/curl.h>
#include <jansson.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "client.h"
#include "entities_internal.h"
#include "error.h"
#include "execution_internal.h"

typedef enum { ST_CREATE, ST_WAIT, ST_STATUS, ST_NODES, ST_DATA, ST_DONE } stage;

typedef struct item {
	struct item *next;
	fl_launch launch;   /* launches: owns the execution until it is handed over */
	flyte_execution *x; /* watched executions are owned here */
	int owns_x;
	stage st;
	fl_http_call *call; /* the request of the current stage, NULL between stages */
	int in_multi;
	char *url;
	long long next_at;
	long delay;
	flyte_execution_done_fn done;
	void *payload;
	int status;
	flyte_error *error;
} item;

typedef struct target_entry {
	struct target_entry *next;
	char *key;
	fl_launch_target target;
} target_entry;

struct flyte_poller {
	flyte_client *c;
	CURLM *multi;
	long interval;
	item *items;
	size_t pending;
	target_entry *targets;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int flyte_poller_new(flyte_poller **out, flyte_client *c, long poll_interval_ms)
{
	if (!out || !c || poll_interval_ms < 0)
		return FLYTE_EINVALID;
	flyte_poller *p = fl_calloc(1, sizeof *p);
	if (!p || !(p->multi = curl_multi_init())) {
		fl_free(p);
		*out = NULL;
		return FLYTE_ENOMEM;
	}
	p->c = c;
	p->interval = poll_interval_ms ? poll_interval_ms : 2000;
	*out = p;
	return 0;
}

static void add_item(flyte_poller *p, item *it)
{
	it->next = p->items;
	p->items = it;
	p->pending++;
}

/* The target for an entity, fetched on first use and kept. */
static int target_for(flyte_poller *p, const flyte_identifier *e, const fl_launch_target **out, flyte_error **error)
{
	char *key = fl_asprintf("%d/%s/%s/%s/%s", (int)e->resource_type, e->project ? e->project : p->c->project,
				e->domain ? e->domain : p->c->domain, e->name ? e->name : "",
				e->version ? e->version : "");
	if (!key)
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	for (target_entry *t = p->targets; t; t = t->next)
		if (strcmp(t->key, key) == 0) {
			fl_free(key);
			*out = &t->target;
			return 0;
		}
	target_entry *t = fl_calloc(1, sizeof *t);
	int rc = t ? fl_target_resolve(p->c, &t->target, e, error) : fl_error(error, FLYTE_ENOMEM, "out of memory");
	if (rc) {
		fl_free(t);
		fl_free(key);
		return rc;
	}
	t->key = key;
	t->next = p->targets;
	p->targets = t;
	*out = &t->target;
	return 0;
}

int flyte_poller_launch(flyte_poller *p, const flyte_identifier *entity, const flyte_literal_map *inputs,
			const flyte_type_hints *hints, const flyte_execute_options *opts, flyte_execution_done_fn done,
			void *payload, flyte_error **error)
{
	if (!p || !entity || !done)
		return fl_error(error, FLYTE_EINVALID, "poller launch: NULL argument");
	const fl_launch_target *target = NULL;
	int rc = target_for(p, entity, &target, error);
	if (rc)
		return rc;
	item *it = fl_calloc(1, sizeof *it);
	if (!it)
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	rc = fl_execute_prepare(p->c, target, &it->launch, inputs, hints, opts, error);
	if (rc) {
		fl_free(it);
		return rc;
	}
	it->x = it->launch.execution;
	it->st = ST_CREATE;
	it->done = done;
	it->payload = payload;
	add_item(p, it);
	return 0;
}

int flyte_poller_watch(flyte_poller *p, flyte_execution *x, flyte_execution_done_fn done, void *payload)
{
	if (!p || !x || !done)
		return FLYTE_EINVALID;
	item *it = fl_calloc(1, sizeof *it);
	if (!it)
		return FLYTE_ENOMEM;
	it->x = x;
	it->owns_x = 1;
	it->st = ST_STATUS;
	it->done = done;
	it->payload = payload;
	add_item(p, it);
	return 0;
}

size_t flyte_poller_pending(const flyte_poller *p)
{
	return p ? p->pending : 0;
}

static char *stage_url(const flyte_execution *x, stage st)
{
	const char *prefix = st == ST_NODES ? "/api/v1/node_executions" : st == ST_DATA ? "/api/v1/data/executions"
											 : "/api/v1/executions";
	char *ep = fl_escape(flyte_execution_project(x)), *ed = fl_escape(flyte_execution_domain(x));
	char *en = fl_escape(flyte_execution_name(x));
	char *url = ep && ed && en ? fl_asprintf("%s/%s/%s/%s%s", prefix, ep, ed, en, st == ST_NODES ? "?limit=1000" : "")
				   : NULL;
	fl_free(ep);
	fl_free(ed);
	fl_free(en);
	return url;
}

static void finish(item *it, int status, flyte_error *error)
{
	it->st = ST_DONE;
	it->status = status;
	it->error = error;
}

/* Starts (or restarts after a backoff) the request of the item's stage. */
static void start_request(flyte_poller *p, item *it)
{
	flyte_error *err = NULL;
	int rc = 0;
	if (!it->call) {
		fl_free(it->url);
		it->url = it->st == ST_CREATE ? fl_strdup("/api/v1/executions") : stage_url(it->x, it->st);
		fl_http_request req = {.method = it->st == ST_CREATE ? "POST" : "GET", .url = it->url,
				       .idempotent = 1};
		if (it->st == ST_CREATE) {
			req.fresh_connection = 1;
			req.body = it->launch.body;
			req.body_len = strlen(it->launch.body);
		}
		rc = it->url ? fl_call_start(&it->call, p->c->transport, &req, &err)
			     : fl_error(&err, FLYTE_ENOMEM, "out of memory");
	}
	if (!rc)
		rc = fl_call_prepare(it->call, &err);
	if (!rc && curl_multi_add_handle(p->multi, fl_call_easy(it->call)) != CURLM_OK)
		rc = fl_error(&err, FLYTE_ERROR, "curl_multi_add_handle failed");
	if (rc) {
		fl_call_free(it->call);
		it->call = NULL;
		finish(it, rc, err);
		return;
	}
	it->in_multi = 1;
}

/* The request of a stage completed: move the state machine on. */
static void on_response(flyte_poller *p, item *it, int outcome, int rc, fl_http_response *resp, long wait,
			flyte_error *err)
{
	if (outcome == FL_CALL_RETRY) {
		it->next_at = now_ms() + wait;
		flyte_error_free(err);
		return;
	}
	int attempts = resp->attempts;
	fl_call_free(it->call);
	it->call = NULL;
	if (it->st == ST_CREATE) {
		rc = fl_execute_created(p->c, &it->launch, rc, attempts, &err);
		if (!rc) {
			it->st = ST_WAIT;
			it->delay = 200;
			it->next_at = now_ms() + it->delay;
		}
	} else if (!rc) {
		json_t *doc = json_loadb(resp->body, resp->len, 0, NULL);
		if (!doc) {
			rc = fl_error(&err, FLYTE_ERROR, "the server sent malformed JSON for %s", it->url);
		} else if (it->st == ST_STATUS) {
			rc = fl_execution_apply_status(it->x, doc, &err);
			if (!rc && flyte_execution_is_done(it->x)) {
				it->st = ST_NODES;
			} else if (!rc) {
				it->st = ST_WAIT;
				it->delay = it->delay * 2 > p->interval ? p->interval : (it->delay ? it->delay * 2 : 200);
				it->next_at = now_ms() + it->delay;
			}
		} else if (it->st == ST_NODES) {
			json_t *nodes = json_object_get(doc, "node_executions");
			rc = fl_execution_apply_nodes(p->c->transport, it->x, nodes ? json_incref(nodes) : json_array(),
						      &err);
			if (!rc)
				it->st = flyte_execution_phase_of(it->x) == FLYTE_PHASE_SUCCEEDED ? ST_DATA : ST_DONE;
		} else if (it->st == ST_DATA) {
			rc = fl_execution_apply_data(it->x, doc, &err);
			if (!rc)
				it->st = ST_DONE;
		}
		json_decref(doc);
	}
	if (rc)
		finish(it, rc, err);
	else if (it->st == ST_DONE)
		finish(it, 0, NULL);
}

static long long next_wake(flyte_poller *p, long long deadline)
{
	long long wake = deadline;
	for (item *it = p->items; it; it = it->next)
		if (!it->in_multi && it->st != ST_DONE && it->next_at < wake)
			wake = it->next_at;
	return wake;
}

int flyte_poller_poll(flyte_poller *p, long timeout_ms)
{
	if (!p || timeout_ms < 0)
		return FLYTE_EINVALID;
	long long deadline = now_ms() + timeout_ms;
	for (;;) {
		long long now = now_ms();
		for (item *it = p->items; it; it = it->next) {
			if (it->in_multi || it->st == ST_DONE || it->next_at > now)
				continue;
			if (it->st == ST_WAIT)
				it->st = ST_STATUS;
			start_request(p, it);
		}
		int running;
		if (curl_multi_perform(p->multi, &running) != CURLM_OK)
			return FLYTE_ERROR;
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(p->multi, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			fl_http_call *call;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&call);
			CURLcode result = msg->data.result;
			curl_multi_remove_handle(p->multi, msg->easy_handle);
			item *it = p->items;
			while (it && it->call != call)
				it = it->next;
			if (!it)
				continue;
			it->in_multi = 0;
			fl_http_response resp = {0};
			flyte_error *err = NULL;
			long wait;
			int rc;
			int outcome = fl_call_finish(call, (int)result, &resp, &wait, &rc, &err);
			on_response(p, it, outcome, rc, &resp, wait, err);
			fl_http_response_dispose(&resp);
		}
		/* Report finished executions; the callback owns its execution. */
		int reported = 0;
		for (item **pp = &p->items; *pp;) {
			item *it = *pp;
			if (it->st != ST_DONE || it->in_multi) {
				pp = &it->next;
				continue;
			}
			*pp = it->next;
			p->pending--;
			reported = 1;
			flyte_execution *x = it->x;
			it->launch.execution = NULL;
			it->done(x, it->status, it->error, it->payload);
			flyte_error_free(it->error);
			fl_launch_dispose(&it->launch);
			fl_free(it->url);
			fl_free(it);
		}
		now = now_ms();
		if (reported || !p->items || now >= deadline)
			return (int)p->pending;
		long long wake = next_wake(p, deadline);
		int wait_ms = wake > now ? (int)(wake - now) : 0;
		if (curl_multi_poll(p->multi, NULL, 0, wait_ms, NULL) != CURLM_OK)
			return FLYTE_ERROR;
	}
}

void flyte_poller_free(flyte_poller *p)
{
	if (!p)
		return;
	while (p->items) {
		item *it = p->items;
		p->items = it->next;
		if (it->call) {
			if (it->in_multi)
				curl_multi_remove_handle(p->multi, fl_call_easy(it->call));
			fl_call_free(it->call);
		}
		if (it->owns_x)
			flyte_execution_free(it->x);
		fl_launch_dispose(&it->launch);
		flyte_error_free(it->error);
		fl_free(it->url);
		fl_free(it);
	}
	while (p->targets) {
		target_entry *t = p->targets;
		p->targets = t->next;
		fl_target_dispose(&t->target);
		fl_free(t->key);
		fl_free(t);
	}
	curl_multi_cleanup(p->multi);
	fl_free(p);
}
