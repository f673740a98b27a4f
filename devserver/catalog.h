/*
 * catalog: the dev server's DataCatalog. Task outputs are stored under Flyte's cache key
 * (dataset id and artifact tag, reference/cache-keys.md, computed with the SDK), read
 * back on a hit after the type check of cache-keys.md §5, replaced for overwrite_cache,
 * and guarded by reservations for cache_serializable tasks.
 */
#ifndef DS_CATALOG_H
#define DS_CATALOG_H

#include <jansson.h>

#include "flyte/cache_key.h"
#include "server.h"

typedef struct {
	int cacheable;    /* metadata.discoverable */
	int serializable; /* and metadata.cache_serializable */
	char *project, *domain, *name, *version; /* the dataset id */
	char tag[FLYTE_ARTIFACT_TAG_LEN + 1];
} ds_cache_key;

/* Creates the tables; reservations of a previous process are dropped. */
int ds_catalog_init(ds_server *s, char **error);

/* The key of a task template (core.TaskTemplate JSON) for a node's resolved inputs.
   key->cacheable is 0 for a task that is not discoverable. 0, or -1 with *message (a
   blank cache version: "task cannot have an empty discoveryVersion"). */
int ds_catalog_key(ds_cache_key *key, const json_t *task, const json_t *inputs, char **message);
void ds_cache_key_dispose(ds_cache_key *key);

/* Looks the key up. 1 on a hit (*outputs a LiteralMap, *metadata a CatalogMetadata),
   0 on a miss, -1 when the stored outputs do not fit the task's declared outputs
   (*message says why, as DataCatalog does). */
int ds_catalog_get(ds_server *s, const ds_cache_key *key, const json_t *task, json_t **outputs,
		   json_t **metadata, char **message);

/* Stores the outputs of a run. With replace (overwrite_cache) existing outputs are
   replaced; otherwise an existing entry wins. *metadata gets the CatalogMetadata. */
int ds_catalog_put(ds_server *s, const ds_cache_key *key, const json_t *outputs, const json_t *source,
		   int replace, json_t **metadata);

/* cache_serializable: 1 when `owner` holds the reservation of the key (taken now or
   before), 0 when another owner does. */
int ds_catalog_reserve(ds_server *s, const ds_cache_key *key, const char *owner);
void ds_catalog_release(ds_server *s, const ds_cache_key *key, const char *owner);

/* CatalogMetadata for a key without an artifact (e.g. overwrite_cache before the run). */
json_t *ds_catalog_metadata(const ds_cache_key *key, const char *artifact_id, const json_t *source);

/* A message as Go's proto String() prints it (compact prototext), as FlyteAdmin's
   messages quote types and ids; fl_free it. */
char *ds_prototext(const pb_msg *m);
/* The same for a LiteralType given as JSON. */
char *ds_type_text(const json_t *type);

#endif
