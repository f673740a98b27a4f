/* Internal pieces shared by entities.c, fetch.c and execution.c. */
#ifndef FLYTE_ENTITIES_INTERNAL_H
#define FLYTE_ENTITIES_INTERNAL_H

#include <jansson.h>

#include "flyte/entities.h"

/* An identifier that owns its strings. */
typedef struct {
	int resource_type;
	char *project, *domain, *name, *version;
} fl_id;

/* Copies src (need_version: version required). */
int fl_id_set(fl_id *dst, const flyte_identifier *src, flyte_resource_type type, int need_version,
	      flyte_error **error);
void fl_id_dispose(fl_id *id);
flyte_identifier fl_id_view(const fl_id *id);
/* core.Identifier JSON (new reference). */
json_t *fl_id_json(const fl_id *id);
int fl_id_from_json(fl_id *dst, const json_t *v, flyte_error **error);

/* The builders' flyteidl JSON (borrowed / new reference). */
json_t *fl_task_template(const flyte_task *t);
json_t *fl_workflow_template(const flyte_workflow *w);

/* A fetched entity. */
struct flyte_entity {
	fl_id id;
	char *json;                       /* the admin message as received */
	json_t *doc;                      /* the same, parsed */
	flyte_typed_interface *interface; /* inputs and outputs */
	flyte_literal_map *defaults;      /* launch plans */
	flyte_literal_map *fixed;         /* launch plans */
	json_t *required;                 /* launch plans: array of required input names */
	fl_id workflow_id;                /* launch plans */
	json_t *workflow;                 /* launch plans: their workflow's admin message */
};

/* GETs the admin message of an entity (latest when id->version is ""); new reference. */
struct flyte_client;
int fl_fetch_json(struct flyte_client *c, json_t **out, const fl_id *id, flyte_error **error);

/* Percent-escapes one path segment or query value; fl_free it. */
char *fl_escape(const char *s);

#endif
