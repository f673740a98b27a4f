/*
 * listing: FlyteAdmin's list parameters (reference/admin-api.md §5): `limit` (required
 * where FlyteAdmin requires it), `token` (a decimal offset), `filters`
 * (`eq(field,value)+...` with eq, ne, gt, gte, lt, lte, contains, not_like, value_in,
 * value_not_in) and `sort_by.key` / `sort_by.direction`, turned into SQL with
 * placeholders, with FlyteAdmin's 400 messages for bad input.
 */
#ifndef DS_LISTING_H
#define DS_LISTING_H

#include <sqlite3.h>
#include <stddef.h>

#include "server.h"

/* A field a list may filter or sort on: its FlyteAdmin name (e.g. "phase",
   "execution.phase", "created_at") and the SQL expression it maps to. */
typedef struct {
	const char *name;
	const char *sql;
	int is_time; /* values are RFC 3339 timestamps; the column holds ns since the epoch */
} ds_list_column;

typedef struct {
	const char *entity;            /* the entity name in messages, e.g. "execution" */
	const ds_list_column *columns; /* terminated by {NULL} */
	int limit_required;            /* 400 "invalid value for limit" when absent or < 1 */
} ds_list_spec;

typedef struct {
	char *where;     /* "" or " AND (...)": append to a WHERE clause */
	char **args;     /* text values for the placeholders in `where`, in order */
	size_t n_args;
	char *order_by;  /* "" or " ORDER BY ..." */
	long long limit; /* 0: no limit */
	long long offset;
} ds_list_query;

/* Parses the request's list parameters. 0, or -1 with a 400 reply in out. */
int ds_list_parse(const ds_request *rq, const ds_list_spec *spec, ds_list_query *q, ds_reply *out);
/* Binds q->args from parameter index `first` (1-based); returns the next free index. */
int ds_list_bind(sqlite3_stmt *st, int first, const ds_list_query *q);
/* " LIMIT ? OFFSET ?" values are q->limit and q->offset; when limit is 0 use -1. */
/* The response token after a page of n items: the next offset when n == limit, else "". */
void ds_list_token(char out[32], const ds_list_query *q, size_t n);
void ds_list_query_dispose(ds_list_query *q);

#endif
