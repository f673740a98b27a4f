/*
 * listing: FlyteAdmin's list parameters turned into SQL (reference/admin-api.md §5,
 * flyteadmin/pkg/manager/impl/util/filters.go, common/filters.go, common/sorting.go).
 *
 * Filters are matched with FlyteAdmin's own regex, `(.+)\((.+),\s?(.+)\)`, applied to each
 * `+`-separated expression: greedy groups and no anchors, so `eq(a,b,c)` compares field
 * "a,b" with "c" exactly as FlyteAdmin would. `contains` and `not_like` keep LIKE's
 * wildcards (`%`, `_`, `\` escapes) and Postgres's case sensitivity by becoming GLOBs.
 */
#include "listing.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "pb_json.h"

/* FlyteAdmin's filter entity prefixes and the short names its messages use. */
static const struct {
	const char *prefix;
	const char *code;
	const char *list_rpc;
} entities[] = {
	{"task", "t", "ListTasks"},
	{"workflow", "w", "ListWorkflows"},
	{"launch_plan", "l", "ListLaunchPlans"},
	{"execution", "e", "ListExecutions"},
	{"node_execution", "ne", "ListNodeExecutions"},
	{"task_execution", "te", "ListTaskExecutions"},
	{"entities", "nen", NULL},
	{"named_entity_metadata", "nem", NULL},
	{"project", "p", "ListProjects"},
	{"signal", "s", "ListSignals"},
	{"admin_tag", "at", NULL},
	{"execution_admin_tag", "eat", NULL},
	{"execution_tag", "et", NULL},
};
#define N_ENTITIES (sizeof entities / sizeof entities[0])

enum fn_kind { FN_CMP, FN_CONTAINS, FN_NOT_LIKE, FN_IN, FN_NOT_IN };

static const struct {
	const char *name;
	enum fn_kind kind;
	const char *op;
} functions[] = {
	{"eq", FN_CMP, "="},	      {"ne", FN_CMP, "<>"},	   {"gt", FN_CMP, ">"},
	{"gte", FN_CMP, ">="},	      {"lt", FN_CMP, "<"},	   {"lte", FN_CMP, "<="},
	{"contains", FN_CONTAINS, NULL}, {"not_like", FN_NOT_LIKE, NULL}, {"value_in", FN_IN, NULL},
	{"value_not_in", FN_NOT_IN, NULL},
};

static const char *entity_code(const char *entity)
{
	for (size_t i = 0; i < N_ENTITIES; i++)
		if (strcmp(entities[i].prefix, entity) == 0)
			return entities[i].code;
	return entity;
}

__attribute__((format(printf, 2, 3))) static int bad_request(ds_reply *out, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ds_reply_error(out, GRPC_INVALID_ARGUMENT, "%s", msg);
	return -1;
}

/* ---- the pieces of a query, built up as text ---- */

static int push_arg(ds_list_query *q, char *arg)
{
	if (!arg)
		return -1;
	char **args = fl_realloc(q->args, (q->n_args + 1) * sizeof *args);
	if (!args) {
		fl_free(arg);
		return -1;
	}
	q->args = args;
	q->args[q->n_args++] = arg;
	return 0;
}

static int append(char **s, const char *more)
{
	char *n = fl_asprintf("%s%s", *s, more);
	if (!n)
		return -1;
	fl_free(*s);
	*s = n;
	return 0;
}

/* ---- limit, token, sort ---- */

static int parse_limit(const ds_request *rq, const ds_list_spec *spec, ds_list_query *q, ds_reply *out)
{
	const char *v = ds_query(rq, "limit");
	if (v && *v) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(v, &end, 10);
		if (*end || !isdigit((unsigned char)*v))
			return bad_request(out,
					   "parsing field \"limit\": strconv.ParseUint: parsing \"%s\": "
					   "invalid syntax",
					   v);
		if (errno || n > 0xffffffffULL)
			return bad_request(out,
					   "parsing field \"limit\": strconv.ParseUint: parsing \"%s\": "
					   "value out of range",
					   v);
		q->limit = (long long)n;
	}
	if (spec->limit_required && q->limit == 0) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "invalid value for limit");
		return -1;
	}
	return 0;
}

/* strconv.Atoi's syntax: optional sign, decimal digits. */
static int parse_token(const char *v, long long *offset)
{
	const char *p = v + (*v == '+' || *v == '-');
	if (!*p)
		return -1;
	for (const char *c = p; *c; c++)
		if (!isdigit((unsigned char)*c))
			return -1;
	errno = 0;
	long long n = strtoll(v, NULL, 10);
	if (errno || n < 0)
		return -1;
	*offset = n;
	return 0;
}

static int token_param(const ds_request *rq, const ds_list_spec *spec, ds_list_query *q, ds_reply *out)
{
	const char *v = ds_query(rq, "token");
	if (!v || !*v || parse_token(v, &q->offset) == 0)
		return 0;
	const char *rpc = NULL;
	for (size_t i = 0; i < N_ENTITIES; i++)
		if (strcmp(entities[i].prefix, spec->entity) == 0)
			rpc = entities[i].list_rpc;
	if (rpc)
		return bad_request(out, "invalid pagination token %s for %s", v, rpc);
	return bad_request(out, "invalid pagination token %s", v);
}

static const char *query2(const ds_request *rq, const char *snake, const char *camel)
{
	const char *v = ds_query(rq, snake);
	return v ? v : ds_query(rq, camel);
}

static int parse_sort(const ds_request *rq, const ds_list_spec *spec, ds_list_query *q, ds_reply *out)
{
	const char *key = query2(rq, "sort_by.key", "sortBy.key");
	const char *dir = query2(rq, "sort_by.direction", "sortBy.direction");
	if (!key && !dir) /* no Sort message: FlyteAdmin adds no ORDER BY */
		return 0;
	const char *order;
	if (!dir || !*dir || strcmp(dir, "DESCENDING") == 0 || strcmp(dir, "0") == 0)
		order = "DESC";
	else if (strcmp(dir, "ASCENDING") == 0 || strcmp(dir, "1") == 0)
		order = "ASC";
	else
		return bad_request(out, "parsing field \"sort_by.direction\": %s is not a valid value of "
				   "flyteidl.admin.Sort.Direction", dir);
	const ds_list_column *col = NULL;
	for (const ds_list_column *c = spec->columns; key && c->name && !col; c++)
		if (!strchr(c->name, '.') && strcmp(c->name, key) == 0)
			col = c;
	if (!col)
		return bad_request(out, "invalid sort key '%s'", key ? key : "");
	fl_free(q->order_by);
	q->order_by = fl_asprintf(" ORDER BY %s %s", col->sql, order);
	if (!q->order_by) {
		ds_reply_error(out, GRPC_INTERNAL, "out of memory");
		return -1;
	}
	return 0;
}

/* ---- filters ---- */

typedef struct {
	char *fn, *field, *value;
} expression;

static void expression_dispose(expression *e)
{
	fl_free(e->fn);
	fl_free(e->field);
	fl_free(e->value);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/*
 * `(.+)\((.+),\s?(.+)\)` with Go's leftmost-first preferences: the first group takes the
 * last workable '(', the second the last workable ',', \s? takes a space when it can and
 * the third group runs to the last ')'. Returns 0 on a match.
 */
static int match_expression(const char *s, size_t n, expression *e)
{
	if (memchr(s, '\n', n)) /* '.' never matches a newline */
		return -1;
	size_t last_close = n;
	for (size_t i = n; i-- > 0;)
		if (s[i] == ')') {
			last_close = i;
			break;
		}
	if (last_close == n)
		return -1;
	for (size_t p1 = n; p1-- > 1;) {
		if (s[p1] != '(')
			continue;
		for (size_t c = n; c-- > p1 + 2;) {
			if (s[c] != ',')
				continue;
			for (int take = 1; take >= 0; take--) {
				size_t start = c + 1 + (size_t)take;
				if (take && (c + 1 >= n || !is_space(s[c + 1])))
					continue;
				if (last_close < start + 1)
					continue;
				e->fn = fl_strndup(s, p1);
				e->field = fl_strndup(s + p1 + 1, c - p1 - 1);
				e->value = fl_strndup(s + start, last_close - start);
				return 0;
			}
		}
	}
	return -1;
}

/* Where the next expression starts: after a '+', or (a literal '+' that reached us as a
   space) after ") " followed by a function name and '('. */
static size_t expression_end(const char *s, size_t *next)
{
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '+') {
			*next = i + 1;
			return i;
		}
		if (s[i] == ')' && s[i + 1] == ' ') {
			size_t j = i + 2;
			while (isalpha((unsigned char)s[j]) || s[j] == '_')
				j++;
			if (j > i + 2 && s[j] == '(') {
				*next = i + 2;
				return i + 1;
			}
		}
	}
	*next = strlen(s);
	return *next;
}

/* LIKE pattern (Postgres: '%', '_', '\' escapes) as a GLOB pattern, optionally inside '*'s. */
static char *like_to_glob(const char *like, int surround)
{
	pb_buf b = {0};
	if (surround)
		pb_buf_puts(&b, "*");
	for (const char *p = like; *p; p++) {
		char c = *p;
		if (c == '\\' && p[1]) {
			c = *++p;
		} else if (c == '%') {
			pb_buf_puts(&b, "*");
			continue;
		} else if (c == '_') {
			pb_buf_puts(&b, "?");
			continue;
		}
		if (c == '*' || c == '?' || c == '[') {
			char lit[4] = {'[', c, ']', '\0'};
			pb_buf_puts(&b, lit);
		} else {
			pb_buf_append(&b, &c, 1);
		}
	}
	if (surround)
		pb_buf_puts(&b, "*");
	pb_buf_append(&b, "", 1);
	if (b.failed) {
		fl_free(b.data);
		return NULL;
	}
	return b.data;
}

/* A value as bound: time columns hold ns since the epoch. NULL with a reply in out. */
static char *prepare_value(const ds_list_column *col, const char *v, ds_reply *out)
{
	int64_t sec;
	int32_t nanos;
	char *r;
	if (!col->is_time) {
		r = fl_strdup(v);
	} else if (pb_parse_timestamp(v, strlen(v), &sec, &nanos) != 0) {
		bad_request(out, "Timestamp %s must conform to RFC3339 Nano spec", v);
		return NULL;
	} else {
		/* ns since the epoch only reach the year 2262: later (earlier) instants clamp. */
		long long ns = sec > LLONG_MAX / 1000000000LL - 1   ? LLONG_MAX
			       : sec < LLONG_MIN / 1000000000LL + 1 ? LLONG_MIN
								    : (long long)sec * 1000000000LL + nanos;
		r = fl_asprintf("%lld", ns);
	}
	if (!r)
		ds_reply_error(out, GRPC_INTERNAL, "out of memory");
	return r;
}

static const ds_list_column *find_column(const ds_list_spec *spec, const char *name)
{
	for (const ds_list_column *c = spec->columns; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* The column an expression's field names, or NULL with a 400 in out. */
static const ds_list_column *resolve_field(const ds_list_spec *spec, const char *field, ds_reply *out)
{
	const char *entity = spec->entity, *rest = field;
	for (size_t i = 0; i < N_ENTITIES; i++) {
		size_t n = strlen(entities[i].prefix);
		if (strncmp(field, entities[i].prefix, n) == 0 && field[n] == '.') {
			entity = entities[i].prefix;
			rest = field + n + 1;
			break;
		}
	}
	int primary = strcmp(entity, spec->entity) == 0;
	if (!primary) {
		size_t n = strlen(entity);
		int joined = 0;
		for (const ds_list_column *c = spec->columns; c->name && !joined; c++)
			joined = strncmp(c->name, entity, n) == 0 && c->name[n] == '.';
		if (!joined) {
			bad_request(out, "'%s' entity is not allowed in filters", entity_code(entity));
			return NULL;
		}
	}
	const ds_list_column *col = find_column(spec, primary ? rest : field);
	if (!col)
		bad_request(out, "'%s.%s' is invalid filter", entity_code(entity), rest);
	return col;
}

/* One condition, with its values pushed onto q->args. */
static char *condition(const ds_list_column *col, int fn, const char *value, ds_list_query *q, ds_reply *out)
{
	enum fn_kind kind = functions[fn].kind;
	if (kind == FN_CONTAINS || kind == FN_NOT_LIKE) {
		if (push_arg(q, like_to_glob(value, kind == FN_CONTAINS)) != 0)
			goto oom;
		return fl_asprintf("(%s) %sGLOB ?", col->sql, kind == FN_NOT_LIKE ? "NOT " : "");
	}
	const char *ph = col->is_time ? "CAST(? AS INTEGER)" : "?";
	if (kind == FN_CMP) {
		char *v = prepare_value(col, value, out);
		if (!v)
			return NULL;
		if (push_arg(q, v) != 0)
			goto oom;
		return fl_asprintf("(%s) %s %s", col->sql, functions[fn].op, ph);
	}
	pb_buf b = {0};
	pb_buf_puts(&b, "(");
	pb_buf_puts(&b, col->sql);
	pb_buf_puts(&b, kind == FN_NOT_IN ? ") NOT IN (" : ") IN (");
	const char *p = value;
	for (int first = 1;; first = 0) {
		const char *semi = strchr(p, ';');
		char *one = semi ? fl_strndup(p, (size_t)(semi - p)) : fl_strdup(p);
		if (!one) {
			fl_free(b.data);
			goto oom;
		}
		char *v = prepare_value(col, one, out);
		fl_free(one);
		if (!v) { /* out holds the 400 */
			fl_free(b.data);
			return NULL;
		}
		if (push_arg(q, v) != 0) {
			fl_free(b.data);
			goto oom;
		}
		pb_buf_puts(&b, first ? "" : ", ");
		pb_buf_puts(&b, ph);
		if (!semi)
			break;
		p = semi + 1;
	}
	pb_buf_puts(&b, ")");
	pb_buf_append(&b, "", 1);
	if (!b.failed)
		return b.data;
	fl_free(b.data);
oom:
	ds_reply_error(out, GRPC_INTERNAL, "out of memory");
	return NULL;
}

static int add_expression(const ds_list_spec *spec, const expression *e, ds_list_query *q, ds_reply *out)
{
	const ds_list_column *col = resolve_field(spec, e->field, out);
	if (!col)
		return -1;
	int fn = -1;
	for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
		if (strcmp(functions[i].name, e->fn) == 0)
			fn = (int)i;
	if (fn < 0)
		return bad_request(out, "unrecognized filter function: %s", e->fn);
	char *cond = condition(col, fn, e->value, q, out);
	if (!cond)
		return -1;
	char *more = fl_asprintf(" AND %s", cond);
	fl_free(cond);
	if (!more || append(&q->where, more) != 0) {
		fl_free(more);
		ds_reply_error(out, GRPC_INTERNAL, "out of memory");
		return -1;
	}
	fl_free(more);
	return 0;
}

static int parse_filters(const ds_request *rq, const ds_list_spec *spec, ds_list_query *q, ds_reply *out)
{
	const char *s = ds_query(rq, "filters");
	if (!s || !*s)
		return 0;
	while (1) {
		size_t next, end = expression_end(s, &next);
		expression e = {0};
		if (match_expression(s, end, &e) != 0) {
			ds_reply_error(out, GRPC_INVALID_ARGUMENT, "invalid value for filters");
			return -1;
		}
		int rc = e.fn && e.field && e.value ? add_expression(spec, &e, q, out)
						    : (ds_reply_error(out, GRPC_INTERNAL, "out of memory"), -1);
		expression_dispose(&e);
		if (rc != 0)
			return -1;
		if (!s[end])
			return 0;
		s += next;
	}
}

int ds_list_parse(const ds_request *rq, const ds_list_spec *spec, ds_list_query *q, ds_reply *out)
{
	memset(q, 0, sizeof *q);
	q->where = fl_strdup("");
	q->order_by = fl_strdup("");
	if (!q->where || !q->order_by) {
		ds_list_query_dispose(q);
		ds_reply_error(out, GRPC_INTERNAL, "out of memory");
		return -1;
	}
	/* FlyteAdmin's order: request validation (limit), filters, sort, token. */
	if (parse_limit(rq, spec, q, out) != 0 || parse_filters(rq, spec, q, out) != 0 ||
	    parse_sort(rq, spec, q, out) != 0 || token_param(rq, spec, q, out) != 0) {
		ds_list_query_dispose(q);
		return -1;
	}
	return 0;
}

int ds_list_bind(sqlite3_stmt *st, int first, const ds_list_query *q)
{
	for (size_t i = 0; i < q->n_args; i++)
		sqlite3_bind_text(st, first++, q->args[i], -1, SQLITE_TRANSIENT);
	return first;
}

void ds_list_token(char out[32], const ds_list_query *q, size_t n)
{
	/* FlyteAdmin compares with the requested limit, so limit 0 and no rows gives "0". */
	if ((long long)n == q->limit)
		snprintf(out, 32, "%lld", q->offset + (long long)n);
	else
		out[0] = '\0';
}

void ds_list_query_dispose(ds_list_query *q)
{
	fl_free(q->where);
	for (size_t i = 0; i < q->n_args; i++)
		fl_free(q->args[i]);
	fl_free(q->args);
	fl_free(q->order_by);
	memset(q, 0, sizeof *q);
}
